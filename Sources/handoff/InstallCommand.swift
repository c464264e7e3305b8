import ArgumentParser

// Placeholder while this command is being written in this change; replaced before it lands.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "(in progress)", shouldDisplay: false)
    func run() throws {
        printError("`handoff install` is not available in this build")
        throw ExitCode.failure
    }
}
