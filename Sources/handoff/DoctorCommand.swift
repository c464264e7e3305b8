import ArgumentParser

// Placeholder while this command is being written in this change; replaced before it lands.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "(in progress)", shouldDisplay: false)
    func run() throws {
        printError("`handoff doctor` is not available in this build")
        throw ExitCode.failure
    }
}
