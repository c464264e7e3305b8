import Foundation
import Testing

@testable import HandoffKit

/// Cheap escapes from the gate, tried from the agent's own shell: each one is closed, or recorded
/// for the user to see.
@Suite("Stop gate: escapes")
struct GateEscapeTests {
    let session = "sess-escape"

    @Test("git config handoff.gate off (or maxBlocks 0) during a session applies to the next session, and is recorded")
    func policyIsFrozenAtSessionStart() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "uncommitted\n")
        repo.edit(session, "work.txt")
        try repo.git("config", "handoff.gate", "off")
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
        try repo.git("config", "handoff.gate", "degraded")
        try repo.git("config", "handoff.gate.maxBlocks", "0")
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
        let ignored = repo.events(EventType.gateConfigIgnored)
        #expect(ignored.count == 1, "recorded once per session")
        #expect(ignored.first?["keys"]?.arrayValue?.first?.stringValue == "handoff.gate")
        // The next session starts with the new policy.
        repo.sessionStart("sess-next")
        try repo.write("next.txt", "more\n")
        repo.edit("sess-next", "next.txt")
        #expect(GateAnswer(repo.stop("sess-next", message: "done")) == .allow)
    }

    @Test("deleting the session's runtime file does not make its work disappear")
    func deletedRuntimeIsRebuiltFromTheLog() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        repo.edit(session, "feature.txt")
        try repo.commitFile("feature.txt", "feature\n")
        try repo.git("push", "-q")
        FileSystem.remove(repo.store.layout.runtimeFile(session: session))
        let answer = GateAnswer(repo.stop(session, message: "done"))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("no handover yet"))
        #expect(repo.events(EventType.runtimeRebuilt).count == 1)
    }

    @Test("a handover_at edited into the future is not a handover")
    func editedHandoverIsNotTrusted() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "draft\n")
        repo.edit(session, "work.txt")
        try repo.git("add", "work.txt")
        try repo.git("commit", "-qm", "work")
        let file = repo.store.layout.runtimeFile(session: session)
        var text = try FileSystem.readText(file)
        text = text.replacingOccurrences(of: "\"handover_at\" : null", with: "\"handover_at\" : \"2099-01-01T00:00:00.000Z\"")
            .replacingOccurrences(of: "\"handover_at\": null", with: "\"handover_at\": \"2099-01-01T00:00:00.000Z\"")
        #expect(text.contains("2099"), "the runtime file's layout changed: \(text)")
        try FileSystem.writeText(text, to: file)
        let answer = GateAnswer(repo.stop(session, message: "done"))
        #expect(answer.isBlock, "\(answer)")
        #expect(repo.events(EventType.runtimeMismatch).count == 1)
    }

    @Test("a failing test run followed by `swift test || true` is still a failing test run")
    func maskedStatusDoesNotLaunderAFailure() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("p.txt", "p\n")
        repo.bash(session, "swift test", exitCode: 1)
        repo.bash(session, "swift test || true")
        repo.bash(session, "swift test 2>&1 | tail -n 5")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("exited 1"), "\(answer.reason)")
        #expect(repo.events(EventType.tool).suffix(2).allSatisfy { $0["status_masked"]?.boolValue == true })
        // An unmasked passing run does count, and a quoted `|` is not a pipe.
        repo.bash(session, "swift test --filter 'Parser|Lexer'")
        #expect(repo.events(EventType.tool).last?["status_masked"] == nil)
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
    }
}

extension GateEscapeTests {
    @Test("handoff status shows what the gate let through or distrusted")
    func statusShowsGateWarnings() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "uncommitted\n")
        repo.edit(session, "work.txt")
        try repo.git("config", "handoff.gate", "off")
        _ = repo.stop(session, message: "done")
        let report = StatusReport.gather(store: repo.store, repository: try GitRepository.open(at: repo.root, environment: Environment([:])),
                                         recentEvents: 0)
        let text = report.text(paint: { text, _ in text })
        #expect(text.contains("Gate warnings"))
        #expect(text.contains("git config changed during the session, not applied to it: handoff.gate"))
    }
}

extension GateEscapeTests {
    /// An agent whose shell exports GIT_DIR and GIT_WORK_TREE (the client passes its environment to
    /// the hooks) is judged like any other, not let through on libgit2's "unimplemented".
    @Test("GIT_DIR and GIT_WORK_TREE in the environment are honoured")
    func gitDirAndWorkTree() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "uncommitted\n")
        repo.edit(session, "work.txt")
        let payload = AgentRepo.payload([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "Stop"),
            ("stop_hook_active", false), ("last_assistant_message", "done"),
        ])
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") && !$0.key.hasPrefix("HANDOFF_") && !$0.key.hasPrefix("CLAUDE") }
        environment["GIT_DIR"] = repo.root + "/.git"
        environment["GIT_WORK_TREE"] = repo.root
        let result = try BoundedProcess.run(try BuiltProducts.path("handoff-stop-gate"), [], in: "/", environment: environment,
                                            stdin: Array(payload.utf8), timeout: 60)
        #expect(result.status == 0)
        let answer = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(answer["decision"]?.stringValue == "block", "\(result.stdout)")
        #expect(answer["reason"]?.stringValue?.contains("work.txt") == true)
    }
}
