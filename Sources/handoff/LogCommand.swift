import ArgumentParser
import HandoffKit

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the handovers recorded in this worktree, newest first.",
        discussion: """
            One line per handover: when, which session, how it was made (a reflection the stop gate accepted, or handoff end), its outcome or severity, and the next step. Read from the handover and handoff_end events, rotated logs included. `handoff show SESSION` prints one in full.

            Examples:
              handoff log
              handoff log --limit 5
              handoff log --json
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
        let (all, skipped) = HandoverHistory.entries(store: store)
        let entries = limit > 0 ? Array(all.prefix(limit)) : all
        if json {
            if !entries.isEmpty { emit(entries.map(\.json.compactText).joined(separator: "\n")) }
        } else if entries.isEmpty {
            emit("no handover recorded yet in this worktree (a session leaves one with a Framework Reflection or `handoff end`)")
        } else {
            emit(entries.map { HandoverHistory.line($0, paint: context.paint) }.joined(separator: "\n"))
        }
        if skipped > 0 {
            printError("skipped \(skipped) line\(skipped == 1 ? "" : "s") that are not events (a torn or hand-edited log); `handoff doctor` checks the store")
        }
    }
}
