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

extension UnderLoadTests {
    /// The snapshot holds git's and the log's facts, which the compaction does not change: when the
    /// one before the compaction was lost, the session start that follows it takes it, once, and
    /// says so instead of presenting an older state as the snapshot.
    @Test("a snapshot lost at the deadline is taken at the session start after the compaction, and the brief says so")
    func lostSnapshotIsTakenAfterTheCompaction() throws {
        let sandbox = try Sandbox("load")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let session = "sess-late"
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let hook = try BuiltProducts.path("handoff-session")
        try BoundedProcess.run(hook, [], in: repo.path, environment: environment,
                               stdin: ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "startup")).checked()
        try repo.write("work.txt", "uncommitted\n")
        do {
            let lock = try FileLock(path: repo.store.layout.lockFile, timeout: 5)
            defer { lock.unlock() }
            var short = environment
            short["HANDOFF_HOOK_TIMEOUT"] = "0.5"
            try BoundedProcess.run(try BuiltProducts.path("handoff-compact"), [], in: repo.path, environment: short,
                                   stdin: ClaudePayload.preCompact(session, cwd: repo.path, home: sandbox.home, trigger: "auto")).checked()
        }
        let snapshot = Path.join(repo.store.layout.sessionsDirectory, "\(session).compact-1.json")
        #expect(!FileSystem.exists(snapshot), "the lock was held past the deadline")

        let result = try BoundedProcess.run(hook, [], in: repo.path, environment: environment,
                                            stdin: ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "compact")).checked()
        #expect(result.stdout.contains("Context was just compacted (#1"), "\(result.stdout)")
        #expect(result.stdout.contains("the snapshot before it ran out of time, so handoff took it now"), "\(result.stdout)")
        #expect(FileSystem.exists(snapshot))
        #expect(try repo.store.readState().resume.files.contains("work.txt"))
        let compactions = repo.store.events.readAll().events.filter { $0.type == EventType.compaction }
        #expect(compactions.count == 1)
        #expect(compactions.first?["snapshot"]?.stringValue == "after")

        // Once: the next start after a compaction that went well says nothing of it.
        try BoundedProcess.run(try BuiltProducts.path("handoff-compact"), [], in: repo.path, environment: environment,
                               stdin: ClaudePayload.preCompact(session, cwd: repo.path, home: sandbox.home, trigger: "auto")).checked()
        let next = try BoundedProcess.run(hook, [], in: repo.path, environment: environment,
                                          stdin: ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "compact")).checked()
        #expect(next.stdout.contains("Context was just compacted (#2"), "\(next.stdout)")
        #expect(next.stdout.contains("before it, handoff saved"), "\(next.stdout)")
    }
}

/// 32 sessions at once on this machine, each a sequence of real hook processes in one repository
/// (one store, one lock): session start, a file write, a compaction, a stop. Whatever the load, a
/// user finds every compaction snapshot or the record of its loss, and every stop judged or the
/// record that it was let through unjudged; `handoff status` and `handoff doctor` show the latter.
///
/// Bounded: a fixed number of sessions and hooks, each process under a time limit. No timed
/// assertion: how many hooks run out of time depends on the machine; that none does so silently does not.
extension UnderLoadTests {
    static let sessions = 32

    @Test("32 concurrent sessions: every snapshot is present or its loss recorded, every unjudged stop recorded and shown",
          .timeLimit(.minutes(5)))
    func thirtyTwoSessions() throws {
        let sandbox = try Sandbox("load32")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        try repo.git("config", "handoff.check.build", "none")
        try repo.git("config", "handoff.check.tests", "none")
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let session = try BuiltProducts.path("handoff-session")
        let compact = try BuiltProducts.path("handoff-compact")
        let stop = try BuiltProducts.path("handoff-stop-gate")

        let problems = ProblemList()
        let root = repo.path, home = sandbox.home, hookEnvironment = environment
        let group = DispatchGroup()
        for index in 0..<Self.sessions {
            let id = "load-\(index)"
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let steps: [(String, [UInt8])] = [
                    (session, ClaudePayload.sessionStart(id, cwd: root, home: home, source: "startup")),
                    (session, ClaudePayload.write(id, cwd: root, home: home, file: root + "/\(id).txt", content: id)),
                    (compact, ClaudePayload.preCompact(id, cwd: root, home: home, trigger: "auto")),
                    (stop, ClaudePayload.stop(id, cwd: root, home: home, message: "Done.", active: false)),
                ]
                for (step, (program, payload)) in steps.enumerated() {
                    if step == 1 { try? (id + "\n").write(toFile: root + "/\(id).txt", atomically: false, encoding: .utf8) }
                    // However idle the machine, some hooks run out of time: every 4th stop and every
                    // 8th snapshot get a deadline that passes before they have even read their input.
                    var variables = hookEnvironment
                    if (step == 3 && index % 4 == 1) || (step == 2 && index % 8 == 2) { variables["HANDOFF_HOOK_TIMEOUT"] = "0.001" }
                    do {
                        let result = try BoundedProcess.run(program, [], in: root, environment: variables, stdin: payload, timeout: 120)
                        if result.status != 0 || result.timedOut {
                            problems.add("\(id) step \(step): status \(result.status), timed out \(result.timedOut): \(result.stderr.prefix(300))")
                        }
                    } catch {
                        problems.add("\(id) step \(step): \(error)")
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        for problem in problems.all { Issue.record("a hook did not fail open: \(problem)") }

        let log = repo.store.events.readAll()
        #expect(log.skippedLines == 0)
        let events = log.events
        func recorded(_ id: String, _ types: Set<String>) -> Bool { events.contains { $0.session == id && types.contains($0.type) } }
        func gaveUp(_ id: String, hook: String, failure: String) -> Bool {
            events.contains { event in
                event.session == id && ((event.type == EventType.hookTimeout && event["hook"]?.stringValue == hook)
                    || (event.type == "hook_error" && event["hook"]?.stringValue == failure))
            }
        }
        var timeouts = 0
        for index in 0..<Self.sessions {
            let id = "load-\(index)"
            let snapshot = FileSystem.exists(Path.join(repo.store.layout.sessionsDirectory, "\(id).compact-1.json"))
            #expect(snapshot || gaveUp(id, hook: "PreCompact", failure: CompactHook.hookName),
                    "\(id): the compaction snapshot is missing and nothing says why")
            #expect(recorded(id, [EventType.stopBlocked, EventType.stopAllowed, EventType.gateOverridden, EventType.handover])
                        || gaveUp(id, hook: "Stop", failure: StopGate.hookName),
                    "\(id): the stop left no trace")
            timeouts += events.filter { $0.session == id && $0.type == EventType.hookTimeout }.count
        }
        print("32 sessions: \(timeouts) hook timeouts recorded")

        // What a user sees: status lists the timeouts among its warnings, doctor counts them.
        #expect(timeouts >= Self.sessions / 4 + Self.sessions / 8, "the hooks given no time at all recorded that")
        let status = try repo.handoff("status")
        let doctor = try repo.handoff("doctor")
        #expect(status.stdout.contains("gave up at its deadline"), "\(status.stdout)")
        #expect(doctor.stdout.contains("\(timeouts) hooks ran out of time in the last 7 days"), "\(doctor.stdout)")
    }

    /// The deadline can pass before the hook has read its input and found its store (a machine this
    /// busy starts processes slowly): the hook then has a bounded grace to find it and say so.
    @Test("a deadline that passes before the hook has found its store is still recorded")
    func deadlineBeforeTheStoreIsKnown() throws {
        let sandbox = try Sandbox("load")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        environment["HANDOFF_HOOK_TIMEOUT"] = "0.001"
        // Megabytes of input to read and parse: the deadline passes before the hook knows its store, on any machine.
        let bigMessage = String(repeating: "Done. ", count: 700_000)
        let result = try BoundedProcess.run(try BuiltProducts.path("handoff-stop-gate"), [], in: repo.path, environment: environment,
                                            stdin: ClaudePayload.stop("sess-early", cwd: repo.path, home: sandbox.home, message: bigMessage, active: false),
                                            timeout: 60)
        #expect(result.status == 0)
        #expect(result.stdout.contains("did not answer in time"), "the client is told: \(result.stdout)")
        let timeouts = repo.store.events.readAll().events.filter { $0.type == EventType.hookTimeout }
        #expect(timeouts.count == 1, "the stop went through unjudged without a word")
        #expect(timeouts.first?.session == "sess-early")
        #expect(timeouts.first?["hook"]?.stringValue == "Stop")
    }
}

/// Problems collected from many threads.
final class ProblemList: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ problem: String) { lock.withLock { items.append(problem) } }
    var all: [String] { lock.withLock { items } }
}
