import ArgumentParser
import HandoffKit

struct ShareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Share handovers through this repository's own remote (off by default).",
        discussion: """
            With sharing on, every completed handover (an accepted Framework Reflection, a `handoff end`) is also committed to refs/handoff/<branch> in this repository, one commit per handover, never on your branches, never in the working tree or the index. handoff's pre-push hook pushes the handover refs that changed to the remote you push to, and `git fetch` brings other clones' handovers (a fetch refspec is added to the remote), so a new session on another machine starts from the newest handover of its branch and says where it came from.

            Only the handover travels: state.json, CONTEXT.md, the reflection text and tasks, each through the redactor first. Never events.jsonl, tool commands, transcripts or runtime files. The choice lives in git config (handoff.share).

            Examples:
              handoff share on
              handoff share status --dry-run
              handoff share log --json
              handoff share prune --dry-run
              handoff share off
            """,
        subcommands: [ShareOnCommand.self, ShareOffCommand.self, ShareStatusCommand.self, ShareLogCommand.self, SharePruneCommand.self],
        defaultSubcommand: ShareStatusCommand.self
    )
}

struct ShareOnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "on",
        abstract: "Turn sharing on: handovers go to refs/handoff/<branch> and to the remote with your pushes.",
        discussion: """
            Writes handoff.share=true and this clone's id to the repository's git config, and adds the fetch refspec +refs/handoff/*:refs/handoff-remotes/<remote>/* to the remote, so that `git fetch` and `git pull` bring other clones' handovers without handoff ever waiting on the network.

            Example:
              handoff share on --remote origin
            """
    )

    @Option(help: "The remote to fetch handovers from (default: the branch's upstream remote, origin, or the only remote).")
    var remote: String?

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        do {
            let report = try setup.turnOn(remote: remote)
            var lines = ["Sharing is on (clone \(report.clone)): each handover is committed to refs/handoff/<branch>."]
            if let remote = report.remote {
                lines.append("Handovers go to \(remote) with your `git push` (or `handoff push`); `git fetch` brings other clones' (\(report.refspecAdded ? "fetch refspec added" : "fetch refspec already there")).")
            } else {
                lines.append("No remote yet: handovers stay in this repository until you add one and run `handoff share on` again.")
            }
            lines.append("See exactly what is shared: handoff share status --dry-run")
            emit(lines.joined(separator: "\n"))
        } catch {
            printError("\(error.reason); nothing was changed")
            throw ExitCode.failure
        }
    }
}

struct ShareOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "off",
        abstract: "Turn sharing off: nothing more is recorded under refs/handoff/, pushed or fetched.",
        discussion: """
            Sets handoff.share=false and removes the fetch refspec that `share on` added. Handover refs already made stay where they are; `handoff share prune --all` deletes them here, with --remote also on the remote.

            Example:
              handoff share off
            """
    )

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        do {
            let removed = try setup.turnOff()
            let count = (try? HandoverRefs(git: setup.git).refs(under: ShareSettings.refPrefix).count) ?? 0
            var text = "Sharing is off: no handover is recorded under refs/handoff/, pushed or fetched any more."
            if !removed.isEmpty { text += "\nRemoved the handover fetch refspec from \(removed.joined(separator: ", "))." }
            if count > 0 { text += "\n\(count) handover ref\(count == 1 ? "" : "s") stay in this repository (`handoff share prune --all` deletes them)." }
            emit(text)
        } catch {
            printError(error.reason)
            throw ExitCode.failure
        }
    }
}

struct ShareStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether sharing is on, the handover refs, and what is not pushed yet.",
        discussion: """
            With --dry-run, prints exactly what the next handover would commit (every file of its tree, after redaction) and which refs the next push would send.

            Examples:
              handoff share status
              handoff share status --dry-run
            """
    )

    @Flag(help: "Show exactly what would be shared and pushed, writing nothing.")
    var dryRun = false

    @Option(help: "The remote to compare with (default: the branch's upstream remote, origin, or the only remote).")
    var remote: String?

    func run() throws {
        let context = CLIContext.current()
        let root = try context.worktreeRoot()
        let setup = ShareSetup(root: root, environment: context.environment)
        let settings = setup.settings
        let remote = self.remote ?? setup.defaultRemote
        var lines = ["Sharing:  " + (settings.enabled ? "on" : "off (`handoff share on` turns it on)")]
        if let clone = settings.clone { lines.append("Clone:    \(clone)") }
        if let problem = settings.timeoutProblem { lines.append("Timeout:  \(TerminalText.escape(problem)) (`git config handoff.shareTimeout 10`)") }
        if let remote {
            lines.append("Remote:   \(remote) (fetch refspec \(setup.hasFetchRefspec(remote) ? "present" : "missing: `handoff share on` adds it"))")
        } else {
            lines.append("Remote:   none")
        }
        let refs: [ShareSetup.RefStatus]
        do {
            refs = try setup.refStatus(remote: remote)
        } catch {
            printError(error.reason)
            throw ExitCode.failure
        }
        lines.append("Refs:     \(refs.count) under refs/handoff/")
        for ref in refs {
            let state = ref.pending ? (ref.remoteCommit == nil ? "not pushed" : "changed since the last push or fetch") : "as on \(remote ?? "the remote")"
            lines.append("  \(TerminalText.escape(ref.branch))  \(ref.commit.prefix(10))  \(TerminalText.escape(ref.origin?.summary ?? "origin unreadable"))  [\(state)]")
        }
        emit(lines.joined(separator: "\n"))
        guard dryRun else { return }

        let store = HandoffStore(worktreeRoot: root)
        guard store.exists else {
            emit("\nNo .handoff/ store here, so no handover to share (run `handoff init`).")
            return
        }
        let branch = setup.currentBranch
        let head = setup.git.run(["rev-parse", "-q", "--verify", "HEAD"]).line
        let state = try? store.readState()
        let handover = ShareRecorder.Handover(
            kind: .handoffEnd, session: state?.sessionID, agent: ShareRecorder.agent(environment: context.environment, fallback: "cli"),
            branch: branch, head: head.isEmpty ? nil : head, at: .now())
        let snapshot = ShareRecorder.snapshot(handover, store: store, clone: settings.clone ?? "(made at `share on`)")
        var text = ["", "The next handover would commit to \(branch.map { ShareSettings.localRef(branch: $0) } ?? "nothing (HEAD is detached)"), after redaction:"]
        for file in snapshot.files {
            text.append("--- \(file.name) (\(file.bytes.count) bytes)")
            let content = String(decoding: file.bytes, as: UTF8.self)
            text.append(content.hasSuffix("\n") ? String(content.dropLast()) : content)
        }
        text.append("--- nothing else: never events.jsonl, tool commands, transcripts or runtime files.")
        let pending = refs.filter(\.pending).map { ShareSettings.localRef(branch: $0.branch) }
        if let remote {
            text.append(pending.isEmpty ? "The next push would send no handover ref to \(remote)." : "The next push would send to \(remote): \(pending.joined(separator: ", ")).")
        }
        if !settings.enabled { text.append("Sharing is off: none of this is written or pushed.") }
        emit(text.joined(separator: "\n"))
    }
}

struct ShareLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the shared handovers of a branch, newest first, with where each came from.",
        discussion: """
            Reads refs/handoff/<branch> (what this clone made and merged; `handoff pull` brings the others'). With --json, one JSON array: each handover's origin (host, agent, session, clone, time, kind, branch, HEAD, outcome), its commit, its state, CONTEXT.md, reflection and tasks.

            Examples:
              handoff share log
              handoff share log --branch feature/x --json | jq '.[0].origin'
            """
    )

    @Option(help: "The branch (default: the current one).")
    var branch: String?

    @Option(help: "At most this many handovers.")
    var limit = 20

    @Flag(help: "Print a JSON array with each handover's content and origin.")
    var json = false

    func validate() throws {
        if limit <= 0 { throw ValidationError("--limit must be a positive number") }
    }

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        guard let branch = branch ?? setup.currentBranch else {
            printError("HEAD is detached; name the branch with --branch")
            throw ExitCode(2)
        }
        let refs = HandoverRefs(git: setup.git)
        let ref = ShareSettings.localRef(branch: branch)
        guard refs.resolve(ref) != nil else {
            if json { emit("[]") } else { emit("No shared handover for \(branch) here (\(ref) does not exist).") }
            return
        }
        let history: [SharedCommit]
        do {
            history = try refs.history(refs: [ref], limit: limit)
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
        if json {
            emit(JSONValue.array(history.map { item in
                guard let handover = item.handover else {
                    return .object(JSONObject([("commit", .string(item.commit)), ("unreadable", JSONValue(item.unreadable))]))
                }
                return .object(JSONObject([
                    ("commit", .string(item.commit)),
                    ("origin", handover.origin.json),
                    ("state", handover.state ?? .null),
                    ("context", JSONValue(handover.context)),
                    ("reflection", JSONValue(handover.reflection)),
                    ("tasks", handover.tasks.map { .array($0) } ?? .null),
                ]))
            }).prettyText)
            return
        }
        // Fetched text: every line escaped for the terminal.
        let escape = TerminalText.escape
        for item in history {
            guard let handover = item.handover else {
                emit("\(item.commit.prefix(10))  unreadable: \(escape(item.unreadable ?? "unknown reason"))")
                continue
            }
            let next = handover.state?["resume"]?["next"]?.stringValue ?? ""
            emit("\(item.commit.prefix(10))  \(handover.origin.kind.rawValue)\(handover.origin.outcome.map { " (\(escape($0)))" } ?? "")  \(escape(handover.origin.summary))"
                + (next.isEmpty ? "" : "\n            resume: \(escape(String(next.prefix(160))))"))
        }
    }
}

struct SharePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete handover refs of branches that no longer exist here or on the remote.",
        discussion: """
            A handover ref is kept while its branch exists locally (refs/heads/) or on the remote (refs/remotes/<remote>/). With --remote, deleted refs are deleted on that remote too. --all deletes every handover ref (after `share off`).

            Examples:
              handoff share prune --dry-run
              handoff share prune --remote origin
            """
    )

    @Flag(help: "List what would be deleted, deleting nothing.")
    var dryRun = false

    @Flag(help: "Delete every handover ref, whether its branch exists or not.")
    var all = false

    @Option(help: "Also delete the pruned refs on this remote.")
    var remote: String?

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        let refs = HandoverRefs(git: setup.git)
        let local: [String: String]
        do {
            local = try refs.refs(under: ShareSettings.refPrefix)
        } catch {
            printError(error.reason)
            throw ExitCode.failure
        }
        let branches = Set(setup.git.run(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"]).output.split(separator: "\n").map(String.init))
        let remoteBranches = Set(setup.git.run(["for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/"]).output.split(separator: "\n").map(String.init))
        let stale = local.keys.sorted().filter { ref in
            let branch = String(ref.dropFirst(ShareSettings.refPrefix.count))
            return all || (!branches.contains(branch) && !remoteBranches.contains(branch))
        }
        if stale.isEmpty {
            emit("Nothing to prune: every handover ref's branch exists.")
            return
        }
        if dryRun {
            emit("Would delete: " + stale.joined(separator: ", ") + (remote.map { " (here and on \($0))" } ?? " (here)"))
            return
        }
        var failed = false
        for ref in stale where !refs.delete(ref, expected: local[ref]) {
            printError("could not delete \(ref)")
            failed = true
        }
        if let remote {
            let result = setup.git.run(["push", "--no-verify", "--porcelain", remote] + stale.map { ":\($0)" }, timeout: setup.settings.timeout,
                                       extraEnvironment: ["GIT_TERMINAL_PROMPT": "0", ShareSettings.recursionGuard: "1"])
            if !result.succeeded {
                printError("deleting on \(remote) failed: \(result.lastErrorLine)")
                failed = true
            } else {
                for ref in stale {
                    let branch = String(ref.dropFirst(ShareSettings.refPrefix.count))
                    _ = refs.delete(ShareSettings.trackingRef(remote: remote, branch: branch))
                }
            }
        }
        emit("Deleted: " + stale.joined(separator: ", ") + (remote.map { " (here and on \($0))" } ?? " (here)"))
        if failed { throw ExitCode.failure }
    }
}

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push the handover refs that changed (what the pre-push hook does during `git push`).",
        discussion: """
            A ref another clone pushed first is fetched, merged (both histories kept; the newest handover becomes the state; tasks merge by id) and pushed again, a bounded number of times.

            Example:
              handoff push --remote origin
            """
    )

    @Option(help: "The remote (default: the branch's upstream remote, origin, or the only remote).")
    var remote: String?

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        let settings = setup.settings
        guard settings.enabled else {
            printError("sharing is off in this repository; `handoff share on` turns it on")
            throw ExitCode.failure
        }
        guard let remote = remote ?? setup.defaultRemote else {
            printError("no remote to push to; add one (`git remote add origin URL`) or pass --remote")
            throw ExitCode.failure
        }
        var sync = ShareSync(refs: HandoverRefs(git: setup.git), timeout: settings.timeout)
        sync.overall = Deadline(seconds: settings.timeout * 3)
        let report = sync.push(remote: remote)
        for note in report.notes { emit("note: \(note)") }
        let store = HandoffStore(worktreeRoot: setup.git.directory)
        let imported = sync.importTasks(branches: report.merged.map { String($0.dropFirst(ShareSettings.refPrefix.count)) }, into: store)
        if !imported.isEmpty { emit("Tasks merged into this clone's store: \(imported.joined(separator: ", "))") }
        if let line = SharePush.line(report, remote: remote) {
            if report.succeeded { emit(String(line.dropFirst("handoff: ".count))) } else { StandardStreams.write(line + "\n", to: 2) }
        } else {
            emit("Nothing to push: \(remote) has every handover ref as it is here.")
        }
        if !report.succeeded { throw ExitCode.failure }
    }
}

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch other clones' handovers and merge them into this clone's handover refs.",
        discussion: """
            Fetches refs/handoff/* from the remote, then merges each branch's: both histories are kept, the newest handover becomes the state, and tasks merge by id (a task closed on one side and edited on the other stays closed; the merge says so). A new session starts from the newest handover of its branch either way; pulling makes the merge local, so `handoff log` and the next push include it.

            Example:
              handoff pull
            """
    )

    @Option(help: "The remote (default: the branch's upstream remote, origin, or the only remote).")
    var remote: String?

    func run() throws {
        let context = CLIContext.current()
        let setup = ShareSetup(root: try context.worktreeRoot(), environment: context.environment)
        guard let remote = remote ?? setup.defaultRemote else {
            printError("no remote to pull from; add one (`git remote add origin URL`) or pass --remote")
            throw ExitCode.failure
        }
        var sync = ShareSync(refs: HandoverRefs(git: setup.git), timeout: setup.settings.timeout)
        sync.overall = Deadline(seconds: setup.settings.timeout * 3)
        let report = sync.pull(remote: remote)
        if let failure = report.failure {
            printError("fetching handovers from \(remote) failed: \(failure)")
            throw ExitCode.failure
        }
        if report.outcomes.isEmpty && report.failures.isEmpty { emit("\(remote) has no handovers yet.") }
        for (branch, outcome) in report.outcomes where outcome.kind != .upToDate {
            emit("\(branch): \(outcome.kind.rawValue) (\(outcome.commit.prefix(10)))")
            for note in outcome.notes { emit("  note: \(note)") }
        }
        let unchanged = report.outcomes.filter { $0.outcome.kind == .upToDate }.count
        if unchanged > 0 { emit("\(unchanged) branch\(unchanged == 1 ? "" : "es") already up to date") }
        let store = HandoffStore(worktreeRoot: setup.git.directory)
        let imported = sync.importTasks(branches: report.outcomes.filter { $0.outcome.kind != .upToDate }.map(\.branch), into: store)
        if !imported.isEmpty { emit("Tasks merged into this clone's store: \(imported.joined(separator: ", "))") }
        for failure in report.failures { printError("\(failure.branch): \(failure.reason)") }
        if !report.failures.isEmpty { throw ExitCode.failure }
    }
}

/// The CLI's side of sharing a `handoff end`.
enum ShareCLI {
    static func recordEnd(_ result: HandoffEnd.Result, store: HandoffStore, repository: GitRepository?, context: CLIContext) -> ShareRecorder.Result {
        guard let repository else { return .off }
        let head = try? repository.head()
        return ShareRecorder.record(
            .init(kind: .handoffEnd, session: result.state.sessionID, agent: ShareRecorder.agent(environment: context.environment, fallback: "cli"),
                  branch: head?.branchName, head: head?.sha, outcome: result.state.severity?.rawValue, at: .now()),
            store: store, config: { repository.configString($0) }, environment: context.environment)
    }
}
