import ArgumentParser
import HandoffKit

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Move a damaged state.json aside and rebuild it.",
        discussion: """
            When .handoff/state.json is truncated, not JSON, of an unknown version or wrongly typed, it is renamed to state.json.corrupt-<time> (nothing is deleted) and a new state is built from the newest readable archive in .handoff/sessions/, the commits recorded in the event log since then, and git. A healthy store is left as it is.

            Example:
              handoff repair
            """
    )

    func run() throws {
        let context = CLIContext.current()
        let root = try context.worktreeRoot()
        let store = HandoffStore(worktreeRoot: root)
        do {
            let outcome = try StoreRepair.repair(store: store, repository: context.openRepository(root))
            if outcome.wasHealthy {
                emit("state.json is healthy; nothing to repair")
                return
            }
            if let moved = outcome.movedAside { emit("Moved the damaged state to \(moved)") }
            emit("Rebuilt state.json from \(outcome.rebuiltFrom)"
                + (outcome.recoveredCommits > 0 ? ", with \(outcome.recoveredCommits) commit\(outcome.recoveredCommits == 1 ? "" : "s") from the event log" : ""))
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
    }
}
