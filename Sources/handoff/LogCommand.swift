import ArgumentParser
import HandoffKit

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the handovers of this worktree and the shared ones, newest first.",
        discussion: """
            One line per handover: when, which session, how it was made (a reflection the stop gate accepted, a handoff end, a shared compaction snapshot), its outcome or severity, the next step, and where it came from (host, agent, session and time for a shared one; this worktree for one recorded only here). Local handovers are read from the handover and handoff_end events, rotated logs included; shared ones from refs/handoff/* (made or merged here) and refs/handoff-remotes/* (fetched by `git fetch` or `handoff pull`). A handover that is both local and shared is listed once. `handoff show SESSION` prints a local one in full.

            With --json, one object per line: the local log's fields (kind, at, session, outcome, severity, next_step, archive), source (local or shared), commit (when shared), origin (host, agent, session, clone, at, kind, branch, head, outcome) and content (a shared handover's state, CONTEXT.md, reflection and tasks; a local one's archived state or reflection).

            Examples:
              handoff log
              handoff log --limit 5
              handoff log --json | jq 'select(.source == "shared") | .origin.host'
            """
    )

    @Option(help: "Show at most this many handovers (0 for all).")
    var limit = 0

    @Flag(help: "Print one JSON object per handover, one per line.")
    var json = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        // The newest `limit` shared commits are all that the newest `limit` items can hold.
        let history = SharedHistory.read(store: store, environment: context.environment, limit: limit)
        let items = limit > 0 ? Array(history.items.prefix(limit)) : history.items
        let hostname = FileSystem.hostname()
        if json {
            let clone = GitCLI(directory: store.layout.worktreeRoot, environment: context.environment)
                .run(["config", "--local", "--get", ShareSettings.cloneKey]).line
            let lines = items.map { SharedHistory.json($0, store: store, hostname: hostname, clone: clone.isEmpty ? nil : clone).compactText }
            if !lines.isEmpty { emit(lines.joined(separator: "\n")) }
        } else if items.isEmpty {
            emit("no handover recorded yet in this worktree (a session leaves one with a Framework Reflection or `handoff end`)")
        } else {
            emit(items.map { SharedHistory.line($0, paint: context.paint, hostname: hostname) }.joined(separator: "\n"))
        }
        if history.skippedLines > 0 {
            printError("skipped \(history.skippedLines) line\(history.skippedLines == 1 ? "" : "s") that are not events (a torn or hand-edited log); `handoff doctor` checks the store")
        }
        if let why = history.sharedUnreadable {
            printError("the shared handovers (refs/handoff/*) could not be read: \(why); only this worktree's are listed")
        }
    }
}
