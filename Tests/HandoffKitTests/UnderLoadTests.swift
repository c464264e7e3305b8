import Foundation
import Testing

@testable import HandoffKit

/// Under load a hook may run out of time and let the operation through: it says so in the log.
@Suite("Nothing dropped silently under load")
struct UnderLoadTests {
    @Test("a compaction snapshot that runs out of time records a hook_timeout event")
    func timeoutIsRecorded() throws {
        let sandbox = try Sandbox("load")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let session = "sess-slow"
        // Another process holds the store's lock past the hook's deadline.
        let lock = try FileLock(path: repo.store.layout.lockFile, timeout: 5)
        defer { lock.unlock() }
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        environment["HANDOFF_HOOK_TIMEOUT"] = "0.5"
        let result = try BoundedProcess.run(try BuiltProducts.path("handoff-compact"), [], in: repo.path, environment: environment,
                                            stdin: ClaudePayload.preCompact(session, cwd: repo.path, home: sandbox.home, trigger: "auto"),
                                            timeout: 60)
        #expect(result.status == 0, "the hook fails open: \(result.stderr)")
        let timeouts = repo.store.events.readAll().events.filter { $0.type == EventType.hookTimeout }
        #expect(timeouts.count == 1, "the hook gave up without a word")
        #expect(timeouts.first?.session == session)
        #expect(timeouts.first?["hook"]?.stringValue == "PreCompact")
        #expect(timeouts.first?["deadline_seconds"] == .double(0.5))
    }
}
