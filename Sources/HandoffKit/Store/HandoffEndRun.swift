#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// "A `handoff end` of this session is running its checks right now": the stop gate stops asking
/// for a handover while it is true.
///
/// The signal belongs to the running process, not to `state.json`: the process holds an exclusive
/// `flock` on `.handoff/runtime/<session>.end.lock` for as long as it runs, and readers ask the
/// kernel whether the lock is held. The kernel drops the lock when the process dies however it dies
/// (SIGKILL, SIGTERM, a crash), so an interrupted run can never leave a stale "checks are running"
/// behind, and nothing in `state.json` changes until the run completes.
package enum HandoffEndRun {
    /// The lock of a live run; hold it until the run is over (`release`, or the process ends).
    package final class Held {
        private var fd: Int32

        fileprivate init(fd: Int32) { self.fd = fd }

        package func release() {
            guard fd >= 0 else { return }
            // Emptied before the unlock, so the file of a finished run names nobody.
            _ = ftruncate(fd, 0)
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }

        deinit { release() }
    }

    /// What a reader learns about a live run.
    package struct Running: Sendable, Equatable {
        package var pid: Int?
        package var startedAt: Timestamp?

        /// "pid 4242, running for 37 s" (or less, when the file did not say).
        package func describe(now: Timestamp = .now()) -> String {
            var parts: [String] = []
            if let pid { parts.append("pid \(pid)") }
            if let startedAt { parts.append("running for \(max(0, (now.milliseconds - startedAt.milliseconds) / 1000)) s") }
            return parts.isEmpty ? "running" : parts.joined(separator: ", ")
        }
    }

    package static func lockFile(store: HandoffStore, session: String) -> String {
        Path.join(store.layout.runtimeDirectory, "\(session).end.lock")
    }

    /// Takes the lock for `session`. Returns the live run that holds it instead when another
    /// `handoff end` of the same session is running (after a short wait: a reader holds the lock
    /// shared for an instant).
    package static func acquire(store: HandoffStore, session: String, now: Timestamp = .now()) throws(StoreError) -> Result<Held, RunningError> {
        let id = try SessionID.validate(session)
        if !FileSystem.isDirectory(store.layout.runtimeDirectory) {
            do { try FileSystem.makeDirectory(store.layout.runtimeDirectory, mode: 0o700) } catch { throw .io(error) }
        }
        let path = lockFile(store: store, session: id)
        // O_CLOEXEC: the health checks this process starts must not inherit the lock, or an orphaned
        // check would keep "checks are running" alive after this process died.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP { throw .symlinkRefused(path) }
            throw .io(SystemError("open", path: path))
        }
        let deadline = Deadline(seconds: 0.5)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, !deadline.hasPassed else {
                let code = errno
                close(fd)
                if code == EWOULDBLOCK { return .failure(RunningError(running: read(path: path))) }
                throw .io(SystemError("flock", path: path, code: code))
            }
            usleep(5000)
        }
        let record = JSONValue.object(JSONObject([
            ("pid", .int(Int(getpid()))), ("session", .string(id)), ("started_at", .string(now.iso8601)),
        ])).compactText + "\n"
        _ = ftruncate(fd, 0)
        let bytes = Array(record.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return .success(Held(fd: fd))
    }

    /// Another `handoff end` of the same session holds the lock.
    package struct RunningError: Error, Sendable, CustomStringConvertible {
        package var running: Running
        package var description: String {
            "another `handoff end` of this session is running its checks (\(running.describe())); wait for it to finish, or stop that process"
        }
    }

    /// The live run of `session`, or nil when no process holds its lock (none ever ran, or the
    /// last one finished or was killed).
    package static func running(store: HandoffStore, session: String) -> Running? {
        guard SessionID.isSafe(session) else { return nil }
        let path = lockFile(store: store, session: session)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        guard errno == EWOULDBLOCK else { return nil }
        return read(path: path)
    }

    private static func read(path: String) -> Running {
        guard let bytes = try? FileSystem.readBytes(path, limit: 4096), let json = try? JSONValue.parse(bytes) else {
            return Running()
        }
        return Running(pid: json["pid"]?.intValue, startedAt: json["started_at"]?.stringValue.flatMap { Timestamp(iso8601: $0) })
    }
}
