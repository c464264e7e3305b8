import Foundation
import Testing

@testable import HandoffKit

/// Fault injection for the paths where a failure used to read as a plausible answer (a clean tree,
/// no handover, a repository without files): each now says unknown, fails visibly, or asks git.
@Suite("Errors never read as clean answers (fault injection)")
struct ErrorsAreNotAnswersTests {
    let session = "sess-faults"

    /// A split index (libgit2 cannot read it) and no git on PATH: the status is unknown, and the
    /// compaction snapshot says so instead of "the tree was clean", and is not READY.
    @Test func aSnapshotWhoseStatusCannotBeReadSaysUnknownNotClean() throws {
        let repo = try AgentRepo()
        try repo.git("config", "core.splitIndex", "true")
        try repo.git("update-index", "--split-index")
        repo.sessionStart(session)
        try repo.write("work.txt", "uncommitted\n")
        _ = CompactHook.run(repo.input(AgentRepo.payload([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "PreCompact"), ("trigger", "manual"),
        ]), environment: ["PATH": "/nonexistent"]))
        let state = try repo.state()
        #expect(state.source == .autoSave)
        #expect(!state.resume.context.contains("the tree was clean"), "\(state.resume.context)")
        #expect(state.resume.context.contains("uncommitted files unknown ("), "\(state.resume.context)")
        #expect(state.severity != .ready)

        // With git there, the same snapshot lists the file.
        repo.compact(session)
        #expect(try repo.state().resume.context.contains("1 uncommitted file"))
    }

    /// A damaged state.json: `handoff show` says the last handover is unknown (exit 1), never "no
    /// handover recorded yet"; a session start without a session id fails visibly instead of briefing
    /// "no handover recorded yet".
    @Test func aDamagedStateIsNotNoHandover() throws {
        let sandbox = try Sandbox("faults")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        try "garbage{".write(toFile: repo.path + "/.handoff/state.json", atomically: true, encoding: .utf8)
        let show = try repo.handoff("show")
        #expect(show.status == 1)
        #expect(show.stderr.contains("the last handover is unknown"), "\(show.stderr)")
        #expect(show.stderr.contains("handoff repair"))
        #expect(!show.stdout.contains("no handover recorded yet"))

        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let payload = ClaudePayload.encode([("cwd", .string(repo.path)), ("hook_event_name", "SessionStart"), ("source", "startup")])
        let hook = try BoundedProcess.run(try BuiltProducts.path("handoff-session"), [], in: repo.path, environment: environment, stdin: payload)
        #expect(hook.status == 0, "fails open")
        #expect(!hook.stdout.contains("no handover recorded yet"), "\(hook.stdout)")
        #expect(hook.stdout.contains("handoff repair"), "\(hook.stdout)")
        #expect(repo.store.events.readAll().events.contains { $0.type == EventType.hookError })
    }

    /// An event log that cannot be read (here a folder where the file should be; as root, permissions
    /// would not stop the read) is not an empty one: `handoff events` fails naming it, and `handoff
    /// status` lists the events as unknown instead of showing no recent events.
    @Test func anUnreadableEventLogIsNotAnEmptyOne() throws {
        let sandbox = try Sandbox("faults")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let log = repo.path + "/.handoff/events.jsonl"
        try? FileManager.default.removeItem(atPath: log)
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
        try "x".write(toFile: log + "/inside", atomically: true, encoding: .utf8)

        let events = try repo.handoff("events")
        #expect(events.status == 1, "\(events.stdout) \(events.stderr)")
        #expect(events.stderr.contains("the event log could not be read"), "\(events.stderr)")
        let all = try repo.handoff("events", "--all")
        #expect(all.status == 1, "\(all.stdout) \(all.stderr)")

        let status = try repo.handoff("status", "--json")
        let report = try JSONValue.parse(status.stdout)
        #expect(report["unknown"]?["events"]?.stringValue != nil, "\(status.stdout)")
        let text = try repo.handoff("status")
        #expect(text.stdout.contains("Recent events: unknown ("), "\(text.stdout)")
        // The command it points to says so too, instead of "0 events".
        let doctor = try repo.handoff("doctor")
        #expect(doctor.status != 0)
        #expect(doctor.stdout.contains("the event log could not be read"), "\(doctor.stdout)")
    }

    /// The session's record deleted and the event log unreadable: nothing can say what the session
    /// did, and the gate does not take that as "nothing changed": it asks for a handover.
    @Test func aDeletedRecordWithAnUnreadableLogIsNotANewSession() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "the work\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "the work")
        try FileManager.default.removeItem(atPath: repo.root + "/.handoff/runtime/\(session).json")
        let log = repo.root + "/.handoff/events.jsonl"
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
        try "x".write(toFile: log + "/inside", atomically: true, encoding: .utf8)

        let answer = GateAnswer(repo.stop(session, message: "Done."))
        guard case .block(let reason) = answer else {
            Issue.record("a session whose work nobody can know was let through without a handover: \(answer)")
            return
        }
        #expect(reason.contains("handover"), "\(reason)")
    }

    /// CONTEXT.md in a repository whose index libgit2 cannot read: git lists the files (it used to
    /// describe a repository without any).
    @Test func contextOfASplitIndexRepositoryListsItsFiles() throws {
        let sandbox = try Sandbox("faults")
        let repo = try sandbox.repository()
        try repo.commit("Sources/App/main.swift", "print(1)\n", message: "app")
        try repo.git("config", "core.splitIndex", "true")
        try repo.git("update-index", "--split-index")
        #expect(try repo.handoff("init").status == 0)
        let context = try repo.handoff("context", "--print")
        #expect(context.status == 0, "\(context.stderr)")
        #expect(context.stdout.contains("Sources"), "\(context.stdout)")
    }
}
