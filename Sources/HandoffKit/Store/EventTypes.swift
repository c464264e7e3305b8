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
///   `handoff.prepush.block critical` refused the push: `true`; such a push is not in `pushes.json`)
/// - `tool`: `tool` ("Bash"), `command` (redacted), `exit_code` (nil when unknown), `class` (test/build/lint/vcs/other), `ok`,
///   and for a failure the agent reported: `output_tail` (the redacted end of its output, `OutputTail`), `interrupted` (only when true)
/// - `file_edit`: `tool`, `paths`
/// - `check`: `name` (build/tests/lint), `class`, `command`, `exit_code`, `result` (pass/fail), `output_tail`, `timed_out`
/// - `session_start`: `source` (startup/resume/clear/compact), `head`, `branch`
/// - `session_end`: `reason`, `auto_saved`
/// - `compaction`: `trigger` (manual/auto), `count`
/// - `stop_blocked`: `reason`, `consecutive`
/// - `stop_allowed`: `why`
/// - `gate_overridden`: `blocks`, `reason`
/// - `handover`: `kind` (reflection/handoff-end), `outcome`, `next_step`, `archive`
/// - `handoff_end`: `severity`, `health`, `archive`
/// - `subagent_stop`: `agent_type`
/// - `hook_error`: `hook`, `error`
/// - `store_wiped`: `hook`, `opt_in` (repository/automatic), `root`: `.handoff/` was missing from a
///   repository that opted in, and was created again (what it held is gone)
/// - `share_recorded`: `ref`, `commit`, `kind` (a handover committed to `refs/handoff/<branch>`)
/// - `share_push`: `remote`, `pushed`, `rejected` ([{`ref`, `reason`}]), `failure` (nil when the push ran)
/// - `task`: `action` (add/update), `id`, `status`, `title`
/// - `memory`: `id`, `tags`
package enum EventType {
    package static let initialised = "init"
    package static let commit = "commit"
    package static let push = "push"
    package static let tool = "tool"
    package static let fileEdit = "file_edit"
    package static let check = "check"
    package static let sessionStart = "session_start"
    package static let sessionEnd = "session_end"
    package static let compaction = "compaction"
    package static let stopBlocked = "stop_blocked"
    package static let stopAllowed = "stop_allowed"
    package static let gateOverridden = "gate_overridden"
    package static let handover = "handover"
    package static let handoffEnd = "handoff_end"
    package static let subagentStop = "subagent_stop"
    package static let hookError = "hook_error"
    package static let storeWiped = "store_wiped"
    package static let shareRecorded = "share_recorded"
    package static let sharePush = "share_push"
    package static let task = "task"
    package static let memory = "memory"
    /// A hook that ran out of time (its deadline fired): `hook`, `deadline_seconds`. Written by the
    /// deadline's signal handler, so the user sees that the hook let the operation through unfinished.
    package static let hookTimeout = "hook_timeout"
    /// A change of the gate's policy (`git config handoff.gate…`) made during a session, which the
    /// gate did not apply to it: `keys`, `session_values`, `new_values`.
    package static let gateConfigIgnored = "gate_config_ignored"
    /// The session's runtime file was missing and was rebuilt from the log: `why`.
    package static let runtimeRebuilt = "runtime_rebuilt"
    /// The session's runtime file disagreed with the log, which the gate believed: `problems`.
    package static let runtimeMismatch = "runtime_mismatch"
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
