import ArgumentParser

// Placeholder while this command is being written in this change; replaced before it lands.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repair", abstract: "(in progress)", shouldDisplay: false)
    func run() throws {
        printError("`handoff repair` is not available in this build")
        throw ExitCode.failure
    }
}
