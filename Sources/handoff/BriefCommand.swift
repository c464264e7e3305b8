import ArgumentParser
import HandoffKit

struct BriefCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brief",
        abstract: "Print the brief the next session in this worktree will be given.",
        discussion: """
            The text is built by the same code the session hook runs at session start, from the current state.json, the last accepted reflection and, when sharing is on, a newer handover of this branch fetched from another clone. Only the compaction and wiped-store notes, which depend on how a session starts, are left out.

            Examples:
              handoff brief
              handoff brief --json
            """
    )

    @Flag(help: "Print a JSON object with the brief's text and its length in characters.")
    var json = false

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let root = store.layout.worktreeRoot
        let state: HandoffState
        do {
            state = try store.readState()
        } catch {
            printError("\(error.description)")
            throw ExitCode(1)
        }
        let repository = context.openRepository(root)
        let head = repository.flatMap { try? $0.head() }
        let text = ResumeBrief.forSessionStart(store: store, state: state, repository: repository, head: head,
                                               environment: context.environment, compaction: nil)
        if json {
            emit(JSONValue.object(JSONObject([("brief", .string(text)), ("characters", .int(text.count))])).compactText)
        } else {
            emit(text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escape(String($0)) }.joined(separator: "\n"))
        }
    }
}
