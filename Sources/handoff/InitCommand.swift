import ArgumentParser
import HandoffKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the .handoff/ store in this repository.",
        discussion: """
            Creates .handoff/ at the root of the current worktree (mode 0700) with state.json, an
            events log, sessions/ for archives, CONTEXT.md, and a .gitignore so that none of it counts
            as uncommitted work. Running it again changes nothing.

            Example:
              cd my-project && handoff init
            """
    )

    func run() throws {
        let context = CLIContext.current()
        let root = try context.worktreeRoot()
        let store = HandoffStore(worktreeRoot: root)
        // Opened first: a repository that belongs to another user is refused (exit 3) before
        // anything is written into it.
        let repository = context.openRepository(root)
        do {
            let created = try store.initialise(hostname: FileSystem.hostname())
            if !FileSystem.exists(store.layout.contextFile), let repository {
                _ = try? ContextRegenerator.regenerate(store: store, repository: repository, corrections: [])
            }
            if created {
                try? store.append(Event(type: "init", [("root", .string(root))]))
                emit("Created \(store.layout.directory)")
            } else {
                emit("Already initialised: \(store.layout.directory)")
            }
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
