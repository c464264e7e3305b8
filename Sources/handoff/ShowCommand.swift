import ArgumentParser
import HandoffKit

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the last handover (or a given session's) laid out for reading.",
        discussion: """
            Prints the severity, the reflection's outcome, what was done, what failed and why, the blockers, where to resume, what to watch out for, and the open tasks. The last handover comes from .handoff/state.json; an earlier session's from its archive in .handoff/sessions/, both with the handover events of the log. `handoff log` lists the sessions.

            Examples:
              handoff show
              handoff show 3f2a9c1e-7d4b-4e0a-9a51-2c8f0b6d1e77
              handoff show --json
            """
    )

    @Argument(help: "The session whose handover to show (default: the last handover).")
    var session: String?

    @Flag(help: "Print the handover as one JSON object (the state as recorded, plus its handover events).")
    var json = false

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let handover: HandoverHistory.Handover?
        do {
            let branch = session == nil ? context.openRepository(store.layout.worktreeRoot).flatMap { try? $0.head().branchName } : nil // HEAD unreadable: the newest handover of any branch
            handover = try HandoverHistory.handover(store: store, session: session, branch: branch)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        guard let handover else {
            if json { emit("null") } else {
                emit("no handover recorded yet in this worktree (a session leaves one with a Framework Reflection or `handoff end`)")
            }
            return
        }
        emit(json ? HandoverHistory.json(handover).compactText : HandoverHistory.layout(handover, paint: context.paint))
    }
}
