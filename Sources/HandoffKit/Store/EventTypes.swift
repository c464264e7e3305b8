/// The `type` of every event the suite writes, in one place so that writers and readers agree.
///
/// Fields by type (besides `ts`, `type`, `session`):
/// - `init`: `root`
/// - `hook_timeout`: `hook`, `deadline_seconds` (the hook gave up and failed open; its own event may be missing)
/// - `commit`: `sha`, `short`, `subject`, `branch` (nil when detached), `detached`, `parents`,
///   `files_changed`, `insertions`, `deletions`, `author_time` (ISO-8601), `operation` (rebase, cherry-pick,
///   merge, revert… or absent), `amends` (only for `git commit --amend`: the full sha of the commit it
///   replaced, from HEAD's reflog), `stats_partial` and `files_not_counted` (only when files past the
///   line-counting budget were counted as changed without their lines). Written by post-commit, and by post-merge for a merge commit that
///   `git merge`/`git pull` made without stopping (never for a fast-forward).
/// - `push`: `remote`, `url` (credentials stripped), `refs`: [{`local_ref`, `local_sha`, `remote_ref`,
///   `remote_sha`, `kind` (new/delete/update/force), `commits` (nil when unknown), `commits_truncated`
///   (only when the count stopped at its limit)}], `blocked` (only when the opt-in policy
///   `handoff.prepush.block critical` refused the push: `true`; such a push is not in `pushes.json`),
///   `dry_run` (only for `git push --dry-run`/`-n`: `true`; not in `pushes.json` either)
/// - `tool`: `tool` ("Bash"), `command` (redacted), `exit_code` (nil when unknown), `class` (test/build/lint/vcs/other), `ok`,
///   and for a failure the agent reported: `output_tail` (the redacted end of its output, `OutputTail`), `interrupted` (only when true)
/// - `file_edit`: `tool`, `paths`
/// - `check`: `name` (build/tests/lint), `class`, `command`, `exit_code`, `result` (pass/fail), `output_tail`, `timed_out`
/// - `session_start`: `source` (startup/resume/clear/compact), `head`, `branch`, `agent` (claude-code, codex, grok)
/// - `session_end`: `reason`, `auto_saved`
/// - `compaction`: `trigger` (manual/auto), `count`
/// - `stop_blocked`: `reason`, `consecutive`
/// - `stop_allowed`: `why`
/// - `gate_overridden`: `blocks`, `reason`
/// - `gate_parked`: `why` (the stop gate accepted a partial handover naming a blocker because the
///   work could not be handed over in full: the session's last push failed)
/// - `handover`: `kind` (reflection/handoff-end), `outcome`, `next_step`, `archive`, `branch`, `parked` (why, when parked)
/// - `handoff_end`: `severity`, `health`, `archive`, `branch`, `next` (its resume.next), `resume_task`
/// - `subagent_stop`: `agent_type`
/// - `hook_error`: `hook`, `error`
/// - `unknown_agent`: `hook`, `event` (what the payload calls its event, when it does), `keys` (its
///   first top-level keys), `bytes`, `excerpt` (its start, redacted, at most 512 bytes),
///   `agent_variables` (names only), `agent_argument`: a payload no agent handoff knows sent, let
///   through unread (`UnknownAgentPayload`)
/// - `store_wiped`: `hook`, `opt_in` (repository/automatic), `root`: `.handoff/` was missing from a
///   repository that opted in, and was created again (what it held is gone)
/// - `share_recorded`: `ref`, `commit`, `kind` (a handover committed to `refs/handoff/<branch>`)
/// - `share_push`: `remote`, `pushed`, `rejected` ([{`ref`, `reason`}]), `failure` (nil when the push ran)
/// - `task`: `action` (add/update), `id`, `status`, `title`
/// - `memory`: `id`, `tags`
/// - `file_set_aside`: `file` (the store file, relative to `.handoff/`), `moved_to`, `reason`: a store
///   file that could not be read as its kind (damaged, too large, not a regular file) was renamed
///   out of the way, never deleted
package enum EventType {
    package static let initialised = EventKind.initialised.rawValue
    package static let commit = EventKind.commit.rawValue
    package static let push = EventKind.push.rawValue
    package static let tool = EventKind.tool.rawValue
    package static let fileEdit = EventKind.fileEdit.rawValue
    package static let check = EventKind.check.rawValue
    package static let sessionStart = EventKind.sessionStart.rawValue
    package static let sessionEnd = EventKind.sessionEnd.rawValue
    package static let compaction = EventKind.compaction.rawValue
    package static let stopBlocked = EventKind.stopBlocked.rawValue
    package static let stopAllowed = EventKind.stopAllowed.rawValue
    package static let gateOverridden = EventKind.gateOverridden.rawValue
    package static let gateParked = EventKind.gateParked.rawValue
    package static let handover = EventKind.handover.rawValue
    package static let handoffEnd = EventKind.handoffEnd.rawValue
    package static let subagentStop = EventKind.subagentStop.rawValue
    package static let hookError = EventKind.hookError.rawValue
    package static let storeWiped = EventKind.storeWiped.rawValue
    package static let shareRecorded = EventKind.shareRecorded.rawValue
    package static let sharePush = EventKind.sharePush.rawValue
    package static let task = EventKind.task.rawValue
    package static let memory = EventKind.memory.rawValue
    /// A hook that ran out of time (its deadline fired): `hook`, `deadline_seconds`. Written by the
    /// deadline's signal handler, so the user sees that the hook let the operation through unfinished.
    package static let hookTimeout = EventKind.hookTimeout.rawValue
    /// A change of the gate's policy (`git config handoff.gate…`) made during a session, which the
    /// gate did not apply to it: `keys`, `session_values`, `new_values`.
    package static let gateConfigIgnored = EventKind.gateConfigIgnored.rawValue
    /// The session's runtime file was missing and was rebuilt from the log: `why`.
    package static let runtimeRebuilt = EventKind.runtimeRebuilt.rawValue
    /// The session's runtime file disagreed with the log, which the gate believed: `problems`.
    package static let runtimeMismatch = EventKind.runtimeMismatch.rawValue
    /// A payload from an agent handoff does not know, let through unread (`UnknownAgentPayload`).
    package static let unknownAgent = EventKind.unknownAgent.rawValue
    /// A store file moved out of the way because it could not be read as its kind: `file`, `moved_to`, `reason`.
    package static let fileSetAside = EventKind.fileSetAside.rawValue
}

/// Every event type as a closed set, for what must list or check them all (`handoff events --type`
/// rejects a name not in it, listing the valid ones). `EventType`'s names are these cases' raw values,
/// so the two cannot drift apart: a new type is a new case here.
package enum EventKind: String, CaseIterable, Sendable {
    case initialised = "init"
    case commit
    case push
    case tool
    case fileEdit = "file_edit"
    case check
    case sessionStart = "session_start"
    case sessionEnd = "session_end"
    case compaction
    case stopBlocked = "stop_blocked"
    case stopAllowed = "stop_allowed"
    case gateOverridden = "gate_overridden"
    case gateParked = "gate_parked"
    case handover
    case handoffEnd = "handoff_end"
    case subagentStop = "subagent_stop"
    case hookError = "hook_error"
    case storeWiped = "store_wiped"
    case shareRecorded = "share_recorded"
    case sharePush = "share_push"
    case task
    case memory
    case hookTimeout = "hook_timeout"
    case gateConfigIgnored = "gate_config_ignored"
    case runtimeRebuilt = "runtime_rebuilt"
    case runtimeMismatch = "runtime_mismatch"
    case unknownAgent = "unknown_agent"
    case fileSetAside = "file_set_aside"
}

/// What kind of work a shell command is, from its words (never by running it).
package enum CommandClass: String, Sendable {
    case test, build, lint, vcs, other

    /// True when the command's exit status is not its check's: `|| true`, `; true`, `|| exit 0`,
    /// or a pipe without `pipefail` (`swift test | tail` exits with `tail`'s status). Quoted text
    /// (`--filter 'A|B'`) is not looked at.
    package static func statusMasked(_ command: String) -> Bool {
        var bare = ""
        var quote: Character?
        for character in command {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else {
                bare.append(character)
            }
        }
        let compact = bare.filter { $0 != " " && $0 != "\t" }
        if compact.contains("||") { return true }
        if bare.contains("|"), !bare.contains("pipefail") { return true }
        return [";true", ";:", ";exit0"].contains { compact.contains($0) } || compact.hasSuffix("&&true")
    }

    /// Looks at the first 4 KiB and the last 1 KiB only: what a command runs is named at its start
    /// or, after a heredoc of data, at its end; a command of hundreds of kilobytes must not cost a
    /// hook its deadline.
    package static func classify(_ command: String) -> CommandClass {
        let bytes = command.utf8
        let head = bytes.count <= 5120 ? command
            : String(decoding: bytes.prefix(4096), as: UTF8.self) + "\n" + String(decoding: bytes.suffix(1024), as: UTF8.self)
        let words = head.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ";" || $0 == "&" || $0 == "|" })
            .map(String.init)
        let joined = " " + words.joined(separator: " ") + " "
        let testSignals = [" test ", " pytest", " jest", " vitest", " mocha", " rspec", " go test", " cargo test", " swift test",
                           " npm test", " yarn test", " pnpm test", " bun test", " ctest", " make test", " make check", " tox", " phpunit"]
        if testSignals.contains(where: { joined.contains($0) }) { return .test }
        let lintSignals = [" lint", " eslint", " ruff", " flake8", " pylint", " clippy", " swiftlint", " golangci", " go vet", " mypy", " prettier --check", " shellcheck"]
        if lintSignals.contains(where: { joined.contains($0) }) { return .lint }
        let buildSignals = [" build", " make ", " make", " tsc", " cargo check", " compile", " gradle", " mvn ", " cmake", " ninja"]
        if buildSignals.contains(where: { joined.contains($0) }) { return .build }
        if words.first == "git" || joined.contains(" git ") || words.first == "gh" { return .vcs }
        return .other
    }
}
