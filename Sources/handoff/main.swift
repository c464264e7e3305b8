import ArgumentParser
import HandoffKit

// One executable serves every hook: started under a hook's name (`handoff-stop-gate`, a link to this
// file's program) or as `handoff hook <name>`, it runs that hook and exits here, before anything of
// swift-argument-parser runs — a hook starts as fast as the separate executables did.
HookEntry.runIfRequested(CommandLine.arguments)

// `handoff-mcp`: the plugin's name for `handoff mcp`.
if let program = CommandLine.arguments.first, Path.basename(program) == "handoff-mcp" {
    Handoff.main(["mcp"] + CommandLine.arguments.dropFirst())
}
if let mistyped = MistypedCommand.message(Array(CommandLine.arguments.dropFirst())) {
    printError(mistyped)
    Handoff.exit(withError: ExitCode(64))
}
Handoff.main()
