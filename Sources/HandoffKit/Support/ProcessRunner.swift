#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way handoff starts a process (git for facts libgit2 cannot give, git for remotes, the
/// health checks of `handoff end`, the doctor's probes): from an argument vector, never a shell; in
/// its own process group, which is killed as a whole at the deadline; standard input fed and both
/// outputs read in one poll loop, so a child that fills one pipe while we wait on another never
/// hangs either side; every output capped, so a chatty child cannot grow our memory.
package enum ProcessRunner {
    /// What to keep of an output past its cap.
    package enum Keep: Sendable, Equatable {
        /// The first bytes (a listing: what comes first is whole).
        case head
        /// The last bytes (a build log: the error is at the end).
        case tail
    }

    package struct Request: Sendable {
        package var arguments: [String]
        /// Where the child starts; nil: this process's directory.
        package var directory: String?
        package var environment: [String: String]
        /// Fed on standard input; empty: standard input is /dev/null.
        package var input: [UInt8] = []
        /// Seconds until the process group is killed.
        package var timeout: Double
        /// Standard error goes into standard output (`2>&1`), in the order written.
        package var mergeStandardError = false
        package var outputLimit = 64 * 1024 * 1024
        package var keepOutput: Keep = .head
        package var errorLimit = 64 * 1024
        /// Called with the child's pid (its process group's id) once it runs, before any waiting: a
        /// caller's signal handler can then stop the group if the caller itself is interrupted.
        package var onStart: (@Sendable (Int32) -> Void)?

        package init(_ arguments: [String], directory: String? = nil, environment: [String: String], input: [UInt8] = [], timeout: Double) {
            self.arguments = arguments
            self.directory = directory
            self.environment = environment
            self.input = input
            self.timeout = timeout
        }
    }

    package struct Result: Sendable, Equatable {
        /// The exit status, 128+N for a signal; nil when it could not start or was killed at the deadline.
        package var exitStatus: Int32?
        package var timedOut: Bool
        package var standardOutput: [UInt8]
        package var standardError: [UInt8]
        /// Why the process could not be started (`posix_spawn`'s error), nil when it started.
        package var startFailure: String?
        /// True when an output went past its cap (what is kept is `Keep`'s part).
        package var truncated: Bool
        package var durationSeconds: Double
    }

    package static func run(_ request: Request) -> Result {
        precondition(!request.arguments.isEmpty)
        let started = Deadline.monotonicNow()
        func failure(_ why: String) -> Result {
            Result(exitStatus: nil, timedOut: false, standardOutput: [], standardError: [], startFailure: why, truncated: false,
                   durationSeconds: Deadline.monotonicNow() - started)
        }
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func closeAll() { for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) } }
        let feeds = !request.input.isEmpty
        guard !feeds || pipe(&inPipe) == 0, pipe(&outPipe) == 0, request.mergeStandardError || pipe(&errPipe) == 0 else {
            closeAll()
            return failure("pipe failed: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if feeds { posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, request.mergeStandardError ? outPipe[1] : errPipe[1], 2)
        for fd in inPipe + outPipe + errPipe where fd >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group: the deadline kills everything it started, not only itself.
        posix_spawnattr_setpgroup(&attributes, 0)
        // Default signal handling and no blocked signal in the child, whatever this process ignores
        // or blocks (a hook ignores SIGPIPE while it feeds input): a check killed by a signal says so.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))
        let argv: [UnsafeMutablePointer<CChar>?] = request.arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = request.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned: Int32
        if let directory = request.directory {
            // Glibc's module does not export posix_spawn_file_actions_addchdir_np: the caller's cwd
            // is switched around the spawn and restored at once (callers that pass a directory are
            // single-threaded CLI paths; git is given `-C` instead).
            let previous = FileSystem.currentDirectory()
            guard chdir(directory) == 0 else {
                closeAll()
                return failure("\(directory): \(String(cString: strerror(errno)))")
            }
            spawned = posix_spawnp(&pid, request.arguments[0], &actions, &attributes, argv, envp)
            _ = chdir(previous)
        } else {
            spawned = posix_spawnp(&pid, request.arguments[0], &actions, &attributes, argv, envp)
        }
        for fd in [inPipe[0], outPipe[1], errPipe[1]] where fd >= 0 { close(fd) }
        guard spawned == 0 else {
            for fd in [inPipe[1], outPipe[0], errPipe[0]] where fd >= 0 { close(fd) }
            return failure("\(request.arguments[0]): \(String(cString: strerror(spawned)))")
        }

        request.onStart?(pid)
        var inFD = inPipe[1], outFD = outPipe[0], errFD = errPipe[0]
        if inFD >= 0 { _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK) }
        // A child that exits without reading its input must not kill us with SIGPIPE.
        let previousPipeHandler = feeds ? signal(SIGPIPE, SIG_IGN) : nil
        defer { if feeds { signal(SIGPIPE, previousPipeHandler) } }
        var output = BoundedBuffer(limit: request.outputLimit, keep: request.keepOutput)
        var errors = BoundedBuffer(limit: request.errorLimit, keep: .head)
        var written = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(seconds: request.timeout)
        var timedOut = false
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
                    let count = request.input[written...].withUnsafeBytes { write(inFD, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if written >= request.input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                        close(inFD)
                        inFD = -1
                    }
                } else {
                    let got = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if got > 0 {
                        if entry.fd == outFD { output.append(buffer[0..<got]) } else { errors.append(buffer[0..<got]) }
                    } else if got == 0 || (errno != EINTR && errno != EAGAIN) {
                        close(entry.fd)
                        if entry.fd == outFD { outFD = -1 } else { errFD = -1 }
                    }
                }
            }
        }
        for fd in [inFD, outFD, errFD] where fd >= 0 { close(fd) }
        var status: Int32 = 0
        if !timedOut {
            // Output closed; the process may still run (it closed its outputs): the deadline still holds.
            while true {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid { break }
                if waited < 0 && errno != EINTR { break }
                if deadline.hasPassed {
                    timedOut = true
                    break
                }
                usleep(1000)
            }
        }
        if timedOut {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let exitStatus: Int32? = timedOut ? nil : ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        return Result(exitStatus: exitStatus, timedOut: timedOut, standardOutput: output.bytes, standardError: errors.bytes,
                      startFailure: nil, truncated: output.isTruncated || errors.isTruncated, durationSeconds: Deadline.monotonicNow() - started)
    }

    /// Bytes up to a limit: the first ones, or the last ones in a window twice the limit trimmed
    /// now and then (appending stays linear).
    struct BoundedBuffer {
        let limit: Int
        let keep: Keep
        private(set) var storage: [UInt8] = []
        private(set) var truncated = false

        init(limit: Int, keep: Keep) {
            self.limit = max(0, limit)
            self.keep = keep
        }

        mutating func append(_ bytes: ArraySlice<UInt8>) {
            switch keep {
            case .head:
                let room = limit - storage.count
                if bytes.count > room { truncated = true }
                if room > 0 { storage.append(contentsOf: bytes.prefix(room)) }
            case .tail:
                storage.append(contentsOf: bytes)
                if storage.count > limit * 2 {
                    storage.removeFirst(storage.count - limit)
                    truncated = true
                }
            }
        }

        var bytes: [UInt8] {
            guard keep == .tail, storage.count > limit else { return storage }
            return Array(storage.suffix(limit))
        }

        var isTruncated: Bool { truncated || storage.count > limit }
    }
}
