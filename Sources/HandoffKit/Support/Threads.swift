#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A few POSIX threads for work that is mostly system calls (lstat of many files), without pulling
/// in Foundation or Dispatch. The caller's own work runs meanwhile on the calling thread.
enum ParallelWork {
    private final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Online processors (at least 1).
    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    #if canImport(Glibc)
    private typealias Handle = pthread_t  // an integer
    private static func newHandle() -> Handle { pthread_t() }
    private static func join(_ thread: Handle) { pthread_join(thread, nil) }
    #else
    private typealias Handle = pthread_t?  // a pointer
    private static func newHandle() -> Handle { nil }
    private static func join(_ thread: Handle) { if let thread { pthread_join(thread, nil) } }
    #endif

    /// The thread's entry point (its argument is optional on some platforms, not on others).
    fileprivate static func start(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let raw else { return nil }
        Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().body()
        return nil
    }

    /// Runs `work(0)`…`work(count - 1)` on `count` threads while `meanwhile` runs on this thread, and
    /// returns when all of them are done. A thread that cannot be started runs its share here.
    static func run(_ count: Int, _ work: @escaping @Sendable (Int) -> Void, meanwhile: () -> Void) {
        var threads: [Handle] = []
        var inline: [Int] = []
        for part in 0..<count {
            let job = Unmanaged.passRetained(Job { work(part) })
            var thread = newHandle()
            if pthread_create(&thread, nil, { raw in ParallelWork.start(raw) }, job.toOpaque()) == 0 {
                threads.append(thread)
            } else {
                job.release()
                inline.append(part)
            }
        }
        meanwhile()
        for part in inline { work(part) }
        for thread in threads { join(thread) }
    }
}
