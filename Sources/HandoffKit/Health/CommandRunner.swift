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

/// Runs a program from an argument vector — never through a shell — in its own process group,
/// so that a timeout kills the whole tree it started.
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
        precondition(!arguments.isEmpty)
        let started = Deadline.monotonicNow()
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            return CommandOutcome(exitStatus: nil, timedOut: false, outputTail: "pipe failed", durationSeconds: 0)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        // The child must start in `directory`. Glibc's module does not export
        // posix_spawn_file_actions_addchdir_np, so the (single-threaded) caller's cwd is switched
        // around the spawn and restored at once.
        let previousDirectory = FileSystem.currentDirectory()
        _ = chdir(directory)
        let spawnResult = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        _ = chdir(previousDirectory)
        close(pipeFDs[1])
        guard spawnResult == 0 else {
            close(pipeFDs[0])
            return CommandOutcome(
                exitStatus: 127, timedOut: false,
                outputTail: "\(arguments[0]): \(String(cString: strerror(spawnResult)))",
                durationSeconds: Deadline.monotonicNow() - started)
        }
        runningGroup = pid
        defer { runningGroup = 0 }
        let readFD = pipeFDs[0]
        // Keep only a bounded tail of the output: a chatty build must not grow our memory.
        var tail: [UInt8] = []
        let tailLimit = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = Deadline(seconds: timeout)
        var timedOut = false
        var open = true
        while open {
            if deadline.hasPassed {
                timedOut = true
                kill(-pid, SIGKILL)
                break
            }
            var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(200, max(1, deadline.remaining * 1000))))
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            let got = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if got > 0 {
                tail.append(contentsOf: buffer[0..<got])
                if tail.count > tailLimit * 2 { tail.removeFirst(tail.count - tailLimit) }
            } else if got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN) {
                open = false
            }
        }
        close(readFD)
        var status: Int32 = 0
        var exitStatus: Int32? = nil
        if timedOut {
            kill(-pid, SIGKILL)
            waitpid(pid, &status, 0)
        } else {
            // Output closed; the process may still be running (it closed its stdout). Respect the deadline.
            while true {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid { break }
                if waited < 0 && errno != EINTR { break }
                if deadline.hasPassed {
                    timedOut = true
                    kill(-pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(2000)
            }
            if !timedOut {
                if (status & 0x7f) == 0 { exitStatus = (status >> 8) & 0xff } else { exitStatus = 128 + (status & 0x7f) }
            }
        }
        let text = String(decoding: tail, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmedLines = lines.last == "" ? Array(lines.dropLast()) : Array(lines)
        let kept = trimmedLines.suffix(keepLastLines).joined(separator: "\n")
        return CommandOutcome(
            exitStatus: exitStatus, timedOut: timedOut, outputTail: kept,
            durationSeconds: Deadline.monotonicNow() - started)
    }
}
