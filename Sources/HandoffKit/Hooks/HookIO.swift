#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a hook was given: arguments, environment, working directory and (lazily) its standard input.
///
/// Every hook is a function from `HookInput` to `HookOutput`; the executables only build the input
/// from the process and write the output. Tests call the same functions with made-up inputs.
package struct HookInput: Sendable {
    package var arguments: [String]
    package var environment: Environment
    package var workingDirectory: String
    /// Reads standard input to its end (bounded). Lazy: a hook that exits early never reads it,
    /// except where the contract says it must drain it (pre-push).
    package var readStandardInput: @Sendable () -> [UInt8]
    package var now: @Sendable () -> Timestamp

    package init(
        arguments: [String] = [],
        environment: Environment,
        workingDirectory: String,
        standardInput: @escaping @Sendable () -> [UInt8] = { [] },
        now: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.readStandardInput = standardInput
        self.now = now
    }

    /// The input of this process; `arguments` are the hook's own (without the program's name, nor
    /// `hook <name>` when it was started as `handoff hook <name>`).
    package static func fromProcess(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> HookInput {
        HookInput(
            arguments: arguments,
            environment: .current(),
            workingDirectory: FileSystem.currentDirectory(),
            standardInput: { StandardStreams.readAllInput() })
    }
}

/// What a hook answers: bytes for stdout and stderr, and the exit status.
package struct HookOutput: Sendable, Equatable {
    package var standardOutput: String
    package var standardError: String
    package var exitStatus: Int32

    package init(standardOutput: String = "", standardError: String = "", exitStatus: Int32 = 0) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.exitStatus = exitStatus
    }

    package static let silent = HookOutput()

    /// Writes the output to this process's streams and exits with its status. Only executables call this.
    package func emitAndExit() -> Never {
        StandardStreams.write(standardOutput, to: 1)
        StandardStreams.write(standardError, to: 2)
        exit(exitStatus)
    }
}

/// Raw standard streams for the hook executables (no buffering surprises, no Foundation).
package enum StandardStreams {
    /// Hook input larger than this is drained but not kept: a hostile payload cannot exhaust memory.
    package static let inputLimit = 8 * 1024 * 1024

    package static func readAllInput(limit: Int = inputLimit) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                break
            }
            if got == 0 { break }
            if result.count < limit { result.append(contentsOf: buffer[0..<min(got, limit - result.count)]) }
        }
        return result
    }

    package static func write(_ text: String, to fd: Int32) {
        guard !text.isEmpty else { return }
        _ = FileSystem.writeAll(fd, Array(text.utf8))
    }
}

/// A hook that has not finished by its deadline gives up and fails open: the pre-rendered
/// fail-open answer is written from a signal handler (only `write` and `_exit`, both async-signal-safe).
package enum HookDeadline {
    nonisolated(unsafe) private static var failOpenStdout: UnsafeMutableBufferPointer<UInt8>?
    nonisolated(unsafe) private static var failOpenStderr: UnsafeMutableBufferPointer<UInt8>?
    nonisolated(unsafe) private static var armedSeconds: Double?
    /// The `hook_timeout` event and the log it goes to, once the hook knows its store.
    nonisolated(unsafe) private static var timeoutRecord: (path: UnsafeMutablePointer<CChar>, line: UnsafeMutableBufferPointer<UInt8>)?
    /// Set by the handler when the deadline passed before the hook knew its store: the hook then
    /// gets `graceSeconds` more to find it, record the timeout and give up (see `recordTimeouts`).
    nonisolated(unsafe) private static var expiredUnrecorded: sig_atomic_t = 0

    /// How long a hook whose deadline passed before it knew its store may still take to find it
    /// (reading its input and locating the worktree: no lock, no libgit2), so that a busy machine
    /// does not make it give up without a record. Deadline plus grace stays under the client's own
    /// timeout (5 s at the least, in `hooks.json`).
    package static let graceSeconds = 2.0

    /// The deadline in seconds: `HANDOFF_HOOK_TIMEOUT`, else `fallback` (2 s; the compaction hook's is longer).
    package static func seconds(_ environment: Environment, default fallback: Double = 2.0) -> Double {
        guard let text = environment["HANDOFF_HOOK_TIMEOUT"], let value = Double(text), value > 0 else { return fallback }
        return min(value, 600)
    }

    /// Arms a one-shot timer; when it fires, `failOpen` is written and the process exits 0.
    package static func arm(seconds: Double, failOpen: HookOutput) {
        // Set once, before the timer exists, and only read by the handler afterwards: no data race.
        failOpenStdout = copy(failOpen.standardOutput)
        failOpenStderr = copy(failOpen.standardError)
        armedSeconds = seconds
        signal(SIGALRM) { _ in
            // open, write and close are async-signal-safe; the line starts with a newline in case
            // the log's last line is unterminated (an empty line is skipped by readers).
            if let record = HookDeadline.timeoutRecord {
                let fd = open(record.path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
                if fd >= 0 {
                    _ = write(fd, record.line.baseAddress, record.line.count)
                    close(fd)
                }
            } else if HookDeadline.expiredUnrecorded == 0 {
                // Not giving up without a word: the hook has a bounded grace to learn where to say it.
                HookDeadline.expiredUnrecorded = 1
                HookDeadline.setTimer(HookDeadline.graceSeconds)
                return
            }
            if let out = HookDeadline.failOpenStdout { _ = write(1, out.baseAddress, out.count) }
            if let err = HookDeadline.failOpenStderr { _ = write(2, err.baseAddress, err.count) }
            _exit(0)
        }
        // A parent may start us with SIGALRM blocked (Foundation's Process blocks most signals in
        // its children); the deadline must fire regardless.
        var alarmOnly = sigset_t()
        sigemptyset(&alarmOnly)
        sigaddset(&alarmOnly, SIGALRM)
        sigprocmask(SIG_UNBLOCK, &alarmOnly, nil)
        setTimer(seconds)
    }

    /// One-shot, from now (setitimer is a plain system call: safe in the handler too).
    private static func setTimer(_ seconds: Double) {
        var timer = itimerval()
        timer.it_value.tv_sec = Int(seconds)
        timer.it_value.tv_usec = Int((seconds - Double(Int(seconds))) * 1_000_000)
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    /// Once a hook knows its store: should the deadline fire, a `hook_timeout` event is appended to
    /// its log, so that a hook giving up is never silent. Only in a process whose deadline is armed
    /// (set once, before anything else can read it; tests that call hooks in-process arm none).
    package static func recordTimeouts(in store: HandoffStore, hook: String, session: String?, at now: Timestamp) {
        guard let seconds = armedSeconds, timeoutRecord == nil else { return }
        let event = Event(type: EventType.hookTimeout, session: session, at: now, [
            ("hook", .string(hook)), ("deadline_seconds", .double(seconds)),
        ])
        guard let line = copy("\n" + event.json.compactText + "\n") else { return }
        let path = Array(store.layout.eventsFile.utf8CString)
        let pathBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: path.count)
        pathBuffer.initialize(from: path, count: path.count)
        // The handler must never see half of the record: SIGALRM waits while it is set.
        var alarmOnly = sigset_t(), previous = sigset_t()
        sigemptyset(&alarmOnly)
        sigaddset(&alarmOnly, SIGALRM)
        sigprocmask(SIG_BLOCK, &alarmOnly, &previous)
        timeoutRecord = (pathBuffer, line)
        let expired = expiredUnrecorded != 0
        sigprocmask(SIG_SETMASK, &previous, nil)
        // The deadline already passed: record it and give up now, as the handler would have.
        if expired { raise(SIGALRM) }
    }

    private static func copy(_ text: String) -> UnsafeMutableBufferPointer<UInt8>? {
        guard !text.isEmpty else { return nil }
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return buffer
    }
}
