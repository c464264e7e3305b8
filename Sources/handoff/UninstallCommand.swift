import ArgumentParser

// Placeholder while this command is being written in this change; replaced before it lands.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "(in progress)", shouldDisplay: false)
    func run() throws {
        printError("`handoff uninstall` is not available in this build")
        throw ExitCode.failure
    }
}
