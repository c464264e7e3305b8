#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `body` every `interval` seconds on a thread of its own until `stop()`, for a live progress
/// line while the calling thread waits on something else (a health check). One POSIX thread, no
/// Foundation or Dispatch. `stop()` returns only once `body` can no longer run, so the caller may
/// write to the same stream right after it.
package final class Ticker: @unchecked Sendable {
    private let interval: Double
    private let body: @Sendable () -> Void
    private var mutex = pthread_mutex_t()
    private var stopping = false
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif
    private var started = false

    package init(interval: Double, _ body: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.body = body
        pthread_mutex_init(&mutex, nil)
        let retained = Unmanaged.passRetained(self)
        if pthread_create(&thread, nil, { raw in
            #if canImport(Glibc)
            guard let raw else { return nil }
            #endif
            Unmanaged<Ticker>.fromOpaque(raw).takeRetainedValue().loop()
            return nil
        }, retained.toOpaque()) == 0 {
            started = true
        } else {
            retained.release()
        }
    }

    private var isStopping: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stopping
    }

    private func loop() {
        var next = Deadline(seconds: interval)
        while !isStopping {
            usleep(50_000)
            if next.hasPassed, !isStopping {
                body()
                next = Deadline(seconds: interval)
            }
        }
    }

    package func stop() {
        pthread_mutex_lock(&mutex)
        let already = stopping
        stopping = true
        pthread_mutex_unlock(&mutex)
        guard started, !already else { return }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
    }

    deinit { pthread_mutex_destroy(&mutex) }
}
