import ArgumentParser
import HandoffKit

struct ContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Regenerate .handoff/CONTEXT.md.",
        discussion: """
            Rewrites only the blocks between `<!-- handoff:auto:begin NAME -->` and `<!-- handoff:auto:end NAME -->` markers: Structure (the top level of the files git tracks) and Invocation (build, test and lint commands detected from the manifest and lockfile). Everything else, curated sections included, is kept byte for byte; corrections from the state's session memory are appended to `## Corrections` without duplicates.

            Examples:
              handoff context
              handoff context --print
            """
    )

    @Flag(help: "Also print the regenerated document.")
    var print = false

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        guard let repository = context.openRepository(store.layout.worktreeRoot) else {
            printError("cannot open the git repository at \(store.layout.worktreeRoot); check it with `git status`")
            throw ExitCode.failure
        }
        let corrections = (try? store.readState().sessionMemory.corrections) ?? []
        do {
            let text = try ContextRegenerator.regenerate(store: store, repository: repository, corrections: corrections)
            if print { emit(text) } else { emit("Regenerated \(store.layout.contextFile)") }
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
