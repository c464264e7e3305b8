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
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { return Result(status: nil, stdout: [], stderr: "pipe failed", timedOut: false) }
        guard pipe(&outPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            return Result(status: nil, stdout: [], stderr: "pipe failed", timedOut: false)
        }
        guard pipe(&errPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1]); close(outPipe[0]); close(outPipe[1])
            return Result(status: nil, stdout: [], stderr: "pipe failed", timedOut: false)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [inPipe[0], inPipe[1], outPipe[0], outPipe[1], errPipe[0], errPipe[1]] {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            return Result(status: 127, stdout: [], stderr: "\(arguments[0]): \(String(cString: strerror(spawned)))", timedOut: false)
        }
        // Writing stdin, and reading stdout and stderr, in one poll loop: neither side can block the other.
        var inFD: Int32 = inPipe[1]
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        var written = 0
        if input.isEmpty { close(inFD); inFD = -1 }
        var outFD: Int32 = outPipe[0], errFD: Int32 = errPipe[0]
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(seconds: timeout)
        var timedOut = false
        // A SIGPIPE from a child that exits without reading its input must not kill us.
        let previousPipeHandler = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previousPipeHandler) }
        while outFD >= 0 || errFD >= 0 || inFD >= 0 {
            if deadline.hasPassed {
                timedOut = true
                break
            }
            var fds: [pollfd] = []
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(200, max(1, deadline.remaining * 1000))))
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inFD {
                    let count = input[written...].withUnsafeBytes { write(inFD, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if written >= input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                        close(inFD)
                        inFD = -1
                    }
                } else {
                    let got = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if got > 0 {
                        if entry.fd == outFD { stdout.append(contentsOf: buffer[0..<got]) } else if stderr.count < 64 * 1024 { stderr.append(contentsOf: buffer[0..<got]) }
                    } else if got == 0 || (errno != EINTR && errno != EAGAIN) {
                        close(entry.fd)
                        if entry.fd == outFD { outFD = -1 } else { errFD = -1 }
                    }
                }
            }
        }
        for fd in [inFD, outFD, errFD] where fd >= 0 { close(fd) }
        var status: Int32 = 0
        if timedOut {
            kill(-pid, SIGKILL)
            waitpid(pid, &status, 0)
            return Result(status: nil, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self), timedOut: true)
        }
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { break }
            if deadline.hasPassed {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                return Result(status: nil, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self), timedOut: true)
            }
            usleep(1000)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self), timedOut: false)
    }
}

/// A git command that failed: which one, and git's own last line.
package struct GitCLIError: Error, Sendable, CustomStringConvertible {
    package var command: String
    package var reason: String
    package var description: String { "git \(command) failed: \(reason)" }
}
