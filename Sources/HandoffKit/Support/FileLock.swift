#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a file beside the data it guards. The kernel drops it
/// when the holder dies, so a hook killed mid-update never leaves the store locked.
package final class FileLock {
    private var fd: Int32

    package struct Timeout: Error, Sendable, CustomStringConvertible {
        package let path: String
        package var description: String {
            "timed out waiting for the lock \(path); another handoff process holds it — retry, or remove the process that hangs"
        }
    }

    /// Blocks (polling, so that the deadline holds) until the lock is ours or `timeout` passes.
    package init(path: String, timeout: Double = 2.0) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SystemError("open", path: path) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        let deadline = Deadline(seconds: timeout)
        var pause: UInt32 = 200
        while !deadline.hasPassed {
            usleep(pause)
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
            pause = min(pause * 2, 10_000)
        }
        close(fd)
        fd = -1
        throw Timeout(path: path)
    }

    package func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
