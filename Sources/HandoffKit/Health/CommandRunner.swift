#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one command did: its exit status (nil when it was killed at the timeout) and the end of its output.
package struct CommandOutcome: Sendable, Equatable {
    package var exitStatus: Int32?
    package var timedOut: Bool
    package var outputTail: String
    package var durationSeconds: Double

    package var succeeded: Bool { exitStatus == 0 && !timedOut }
}

/// Runs a health check (`ProcessRunner`: an argument vector, never a shell, in its own process
/// group, which the timeout kills as a whole), its standard error merged into its output as a
/// terminal shows them, keeping the last lines.
package enum CommandRunner {
    /// The process group of the command running now (0: none), for a signal handler of the caller
    /// that must stop it before the caller dies (`handoff end` interrupted: its check would run on).
    nonisolated(unsafe) package static var runningGroup: Int32 = 0

    package static func run(
        _ arguments: [String],
        in directory: String,
        environment: Environment,
        timeout: Double,
        keepLastLines: Int = 10
    ) -> CommandOutcome {
        var request = ProcessRunner.Request(arguments, directory: directory, environment: environment.variables, timeout: timeout)
        request.mergeStandardError = true
        // Only a bounded tail of the output: a chatty build must not grow our memory.
        request.outputLimit = 64 * 1024
        request.keepOutput = .tail
        request.onStart = { group in runningGroup = group }
        defer { runningGroup = 0 }
        let result = ProcessRunner.run(request)
        if let why = result.startFailure {
            return CommandOutcome(exitStatus: 127, timedOut: false, outputTail: why, durationSeconds: result.durationSeconds)
        }
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmedLines = lines.last == "" ? Array(lines.dropLast()) : Array(lines)
        let kept = trimmedLines.suffix(keepLastLines).joined(separator: "\n")
        return CommandOutcome(exitStatus: result.exitStatus, timedOut: result.timedOut, outputTail: kept,
                              durationSeconds: result.durationSeconds)
    }
}
