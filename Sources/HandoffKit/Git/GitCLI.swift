#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `git` executable, for what handoff must not do through libgit2: talking to remotes (the
/// user's transports, credential helpers and SSH setup live in git; handoff's libgit2 may be built
/// without HTTPS or SSH) and writing objects and refs in every repository format git supports
/// (sha256 object ids, the reftable ref backend), with git's own compare-and-swap `update-ref`.
///
/// Every run is bounded: its own process group, killed with everything it started at the timeout.
package struct GitCLI: Sendable {
    package struct Result: Sendable {
        /// Nil when the process was killed at the timeout or could not start.
        package var status: Int32?
        package var stdout: [UInt8]
        package var stderr: String
        package var timedOut: Bool

        package var succeeded: Bool { status == 0 && !timedOut }
        package var output: String { String(decoding: stdout, as: UTF8.self) }
        /// The first line of standard output, trimmed (an object id, a ref's value).
        package var line: String { output.split(separator: "\n").first.map { String($0).trimmed } ?? "" }
        /// git's last stderr line, for one-line failure messages.
        package var lastErrorLine: String {
            if timedOut { return "timed out" }
            let lines = stderr.split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
            return lines.last ?? "git exited \(status.map(String.init) ?? "?")"
        }
    }

    /// The repository's worktree or git directory (passed as `git -C`).
    package var directory: String
    package var environment: Environment
    package var executable = "git"

    package init(directory: String, environment: Environment) {
        self.directory = directory
        self.environment = environment
    }

    /// Runs `git -C <directory> <arguments>`, feeding `input` on stdin.
    package func run(_ arguments: [String], input: [UInt8] = [], timeout: Double = 30, extraEnvironment: [String: String] = [:]) -> Result {
        var variables = environment.variables
        for (key, value) in extraEnvironment { variables[key] = value }
        return Self.spawn([executable, "-C", directory] + arguments, environment: variables, input: input, timeout: timeout)
    }

    /// The output of a successful run, or the failure as a `GitCLIError`.
    package func checked(_ arguments: [String], input: [UInt8] = [], timeout: Double = 30) throws(GitCLIError) -> Result {
        let result = run(arguments, input: input, timeout: timeout)
        guard result.succeeded else { throw GitCLIError(command: arguments.first ?? "git", reason: result.lastErrorLine) }
        return result
    }

    static func spawn(_ arguments: [String], environment: [String: String], input: [UInt8], timeout: Double) -> Result {
        var request = ProcessRunner.Request(arguments, environment: environment, input: input, timeout: timeout)
        // Fetched refs and objects listings stay far below; the cap only bounds a runaway.
        request.outputLimit = 256 * 1024 * 1024
        let result = ProcessRunner.run(request)
        if let why = result.startFailure { return Result(status: 127, stdout: [], stderr: why, timedOut: false) }
        return Result(status: result.exitStatus, stdout: result.standardOutput,
                      stderr: String(decoding: result.standardError, as: UTF8.self), timedOut: result.timedOut)
    }
}

/// A git command that failed: which one, and git's own last line.
package struct GitCLIError: Error, Sendable, CustomStringConvertible {
    package var command: String
    package var reason: String
    package var description: String { "git \(command) failed: \(reason)" }
}
