import ArgumentParser
import HandoffKit

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the handover state at a glance.",
        discussion: """
            Severity, branch, uncommitted and unpushed work, the current session, compactions, whether a handover is complete for the work done, and the last few events.

            Examples:
              handoff status
              handoff status --json | jq .uncommitted
            """
    )

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "How many recent events to show.")
    var events = 5

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let root = store.layout.worktreeRoot
        let opened = context.openRepositoryOrError(root)
        let openError: GitError? = if case .failure(let error) = opened { error } else { nil }
        let report = StatusReport.gather(store: store, repository: try? opened.get(), openError: openError,
                                         git: GitCommandLine(directory: root, environment: context.environment),
                                         recentEvents: max(0, events))
        if json {
            emit(report.json.prettyText)
        } else {
            emit(report.text(paint: context.paint))
        }
    }
}
