import ArgumentParser
import HandoffKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Opt this repository in and create its .handoff/ store.",
        discussion: """
            Writes handoff.enabled=true into the repository's own git config, so that the agent hooks act here (they do nothing in a repository that did not opt in), and creates .handoff/ at the root of the current worktree (mode 0700) with state.json, an events log, sessions/ for archives, CONTEXT.md, and a .gitignore so that none of it counts as uncommitted work. Running it again changes nothing.

            To opt every repository in instead: git config --global handoff.auto true. To opt one out: git config handoff.enabled false.

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
            if let repository {
                let action = try GitHookInstaller.optIn(repository, dryRun: false)
                if action.kind == .optedIn { emit(action.description.prefix(1).uppercased() + action.description.dropFirst()) }
                RepositoryListing.note(root, context: context)
            } else {
                // libgit2 cannot open it (a sha256 repository): git itself writes the opt-in, or init
                // fails saying so — a store the hooks would silently ignore is not an opt-in.
                let git = GitCommandLine(directory: root, environment: context.environment)
                if git.config(OptIn.enabledKey) != "true" {
                    do {
                        try git.setLocalConfig(OptIn.enabledKey, "true")
                        emit("Opted in: handoff.enabled=true in the repository's git config (written by git: libgit2 cannot open this repository)")
                    } catch {
                        printError("could not opt this repository in: libgit2 cannot open it and `git config --local handoff.enabled true` failed (\(error)); run that command here, then `handoff doctor`")
                        throw ExitCode.failure
                    }
                }
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
