import Foundation
import Testing
@testable import HandoffKit

@Suite("Concurrent writers")
struct ConcurrencyTests {
    @Test("many processes appending and updating at once lose nothing, and state.json is always whole")
    func processes() throws {
        let sandbox = try Sandbox("conc")
        let repo = try sandbox.repository()
        try repo.git("config", "handoff.check.build", "none")
        try repo.git("config", "handoff.check.tests", "none")
        try repo.git("config", "handoff.check.lint", "none")
        _ = try repo.handoff("init")
        let writers = 12
        let handoff = try BuiltProducts.path("handoff")
        // Each writer runs `handoff end` (archive, several locked updates, appends) with its own done item.
        let processes: [Process] = try (0..<writers).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: handoff)
            process.arguments = ["end", "--session", "w\(index)", "--from", sandbox.path("j\(index).json")]
            process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
            process.environment = sandbox.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let judgement = #"{"done": [{"description": "work \#(index)", "ref": "ref\#(index)"}], "severity": "IN_PROGRESS", "resume": {"next": "README.md:1 review change \#(index) carefully", "files": ["README.md"], "context": "c"}, "watch_out_for": ["w"]}"#
            try judgement.write(toFile: sandbox.path("j\(index).json"), atomically: true, encoding: .utf8)
            return process
        }
        for process in processes { try process.run() }
        // Meanwhile, a reader must always find a whole, valid state.
        var reads = 0
        while processes.contains(where: \.isRunning) && reads < 5_000 {
            let text = try repo.read(".handoff/state.json")
            let value = try JSONValue.parse(text)
            #expect(StateValidator.validate(value).errors.filter { !$0.path.hasPrefix("resume") }.isEmpty)
            reads += 1
        }
        for process in processes { process.waitUntilExit(); #expect(process.terminationStatus == 0) }
        let state = try repo.store.readState()
        #expect(Set(state.done.map(\.ref)) == Set((0..<writers).map { "ref\($0)" }))
        let ends = repo.store.events.readAll().events.filter { $0.type == EventType.handoffEnd }
        #expect(Set(ends.compactMap(\.session)) == Set((0..<writers).map { "w\($0)" }))
        #expect(repo.store.events.readAll().skippedLines == 0)
        #expect(FileSystem.list(repo.store.layout.directory).filter { $0.contains(".tmp.") }.isEmpty)
    }

    /// 200 updates from 8 threads that all run at once (`concurrentPerform` would run only as many
    /// as there are cores). On a loaded machine a holder can be descheduled, or its fsync stall, past
    /// the lock's 2 s: a waiter's timeout is not a lost update, it is reported to the caller, who may
    /// retry. So a timed-out update is retried (at most `maximumAttempts` times, counted), and every
    /// update must then be in the state exactly once: what the test asserts does not depend on the clock.
    @Test("threads updating through the lock never lose an update")
    func threads() throws {
        let sandbox = try Sandbox("conc")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        let count = 200
        let threadCount = 8
        let maximumAttempts = 50
        let retries = RetryCounter()
        let group = DispatchGroup()
        for thread in 0..<threadCount {
            group.enter()
            Thread {
                defer { group.leave() }
                for index in stride(from: thread, to: count, by: threadCount) {
                    var attempts = 0
                    while true {
                        attempts += 1
                        do {
                            try store.updateState { $0.watchOutFor.append("item \(index)") }
                            break
                        } catch StoreError.lockTimeout where attempts < maximumAttempts {
                            retries.add()
                        } catch {
                            Issue.record("update \(index) failed after \(attempts) attempts: \(error)")
                            break
                        }
                    }
                    do {
                        try store.append(Event(type: "tick", [("n", .int(index))]))
                    } catch {
                        Issue.record("append \(index) failed: \(error)")
                    }
                }
            }.start()
        }
        group.wait()
        if retries.value > 0 { print("threads: \(retries.value) lock waits timed out and were retried") }
        let items = try store.readState().watchOutFor
        #expect(items.count == count, "an update was lost or applied twice")
        #expect(Set(items) == Set((0..<count).map { "item \($0)" }))
        #expect(Set(store.events.readAll().events.compactMap { $0["n"]?.intValue }) == Set(0..<count))
    }
}

/// A counter shared by threads.
final class RetryCounter: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
