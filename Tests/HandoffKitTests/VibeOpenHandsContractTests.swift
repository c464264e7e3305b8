import Foundation
import Testing

@testable import HandoffKit

/// Mistral Vibe (3.0.3) and OpenHands (1.16.0) through the one engine: payloads shaped as each sends
/// them (observed headless against a loopback model), answers in each one's words.
@Suite("Vibe and OpenHands contracts")
struct VibeOpenHandsContractTests {
    let session = "d2123d4a-5ff5-97ed-d3b9-39bb3874de6f"

    // MARK: Mistral Vibe

    func vibeInput(_ repo: AgentRepo, _ pairs: [(String, JSONValue)], environment extra: [String: String] = [:]) -> HookInput {
        let bytes = Array(AgentRepo.payload([
            ("session_id", .string(session)), ("transcript_path", .string(repo.root + "-vibe/logs/session/unified/" + session)),
            ("cwd", .string(repo.root)), ("parent_session_id", .null),
        ] + pairs).utf8)
        let now = repo.nextNow()
        var variables = ["PATH": "/usr/bin:/bin", "VIBE_HOME": repo.root + "-vibe"]
        for (key, value) in extra { variables[key] = value }
        return HookInput(arguments: ["--agent", "vibe"], environment: Environment(variables), workingDirectory: repo.root,
                         standardInput: { bytes }, now: { now })
    }

    /// Vibe's journal at a `post_agent` call: the step that calls the hook carries the candidate answer.
    func writeVibeJournal(_ repo: AgentRepo, answer: String) throws {
        let folder = repo.root + "-vibe/logs/session/unified/" + session + "/journal"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let intent = JSONValue.object(JSONObject([
            ("payload", .object(JSONObject([("kind", "hook"), ("request", .object(JSONObject([
                ("hook", "post_agent_turn"), ("type", "hook_call"), ("turn_id", "turn-1"),
                ("input", .object(JSONObject([("candidate", .object(JSONObject([
                    ("finish_reason", "stop"),
                    ("message", .object(JSONObject([("role", "assistant"), ("content", .array([.object(JSONObject([("text", .string(answer)), ("type", "text")]))]))]))),
                ])))]))),
            ])))]))),
            ("sequence", 29), ("type", "action_intent"),
        ]))
        let earlier = #"{"payload":{"input":{"command":{"type":"user_message"}}},"sequence":2,"type":"core_input"}"#
        // An older journal (before a checkpoint) and an empty newer one: the newest that holds anything is read.
        try (earlier + "\n").write(toFile: folder + "/0000000000000001.jsonl", atomically: true, encoding: .utf8)
        try (earlier + "\n" + intent.compactText + "\n").write(toFile: folder + "/0000000000000070.jsonl", atomically: true, encoding: .utf8)
        try "".write(toFile: folder + "/0000000000000071.jsonl", atomically: true, encoding: .utf8)
    }

    func vibePreTool(_ repo: AgentRepo, _ command: String) -> HookOutput {
        SessionHook.run(vibeInput(repo, [
            ("hook_event_name", "pre_tool"), ("tool_name", "file_system.bash"), ("tool_call_id", "call_1"),
            ("tool_input", ["command": .string(command), "timeout": 120]),
        ]))
    }

    @discardableResult
    func vibePostTool(_ repo: AgentRepo, _ command: String, returncode: Int = 0) -> HookOutput {
        SessionHook.run(vibeInput(repo, [
            ("hook_event_name", "post_tool"), ("tool_name", "file_system.bash"), ("tool_call_id", "call_1"),
            ("tool_input", ["command": .string(command), "timeout": 120]), ("tool_status", "success"),
            ("tool_output", ["command": .string(command), "returncode": .int(returncode), "stderr": returncode == 0 ? "" : "boom: it broke",
                             "stdout": "", "timed_out": false, "was_truncated": false]),
            ("tool_error", .null), ("duration_ms", 0),
        ]))
    }

    func vibeStop(_ repo: AgentRepo) -> HookOutput {
        StopGate.run(vibeInput(repo, [("hook_event_name", "post_agent"), ("agent_name", "accept-edits")]))
    }

    /// Vibe's answer: a deny (continue) with its reason, or nothing (let it stop).
    func vibeDecision(_ output: HookOutput) throws -> (deny: Bool, reason: String, systemMessage: String?) {
        #expect(output.exitStatus == 0, "Vibe takes any other exit status as a failure, and fails open")
        let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return (false, "", nil) }
        let json = try JSONValue.parse(text)
        return (json["decision"]?.stringValue == "deny", json["reason"]?.stringValue ?? "", json["system_message"]?.stringValue)
    }

    @Test func vibeIsRecognisedByItsEventNamesAndNamedByItsArgument() {
        let postAgent = AgentHookPayload.parse(Array(#"{"session_id":"s","hook_event_name":"post_agent","agent_name":"accept-edits"}"#.utf8))
        #expect(AgentKind.resolve(arguments: [], environment: Environment([:]), payload: postAgent) == .vibe)
        #expect(AgentKind.resolve(arguments: ["--agent", "vibe"], environment: Environment([:]), payload: AgentHookPayload()) == .vibe)
        #expect(AgentKind(name: "mistral-vibe") == .vibe)
        let normal = MistralVibeContract().normalised(postAgent, environment: Environment([:]))
        #expect(normal.hookEventName == "Stop")
        let sub = AgentHookPayload.parse(Array(#"{"session_id":"s","hook_event_name":"post_agent","parent_session_id":"p","agent_name":"reviewer"}"#.utf8))
        #expect(MistralVibeContract().normalised(sub, environment: Environment([:])).hookEventName == "SubagentStop")
    }

    @Test func vibeFirstTurnWorkIsItsOwnAndBlockedWithDenyInVibesWords() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        // No session start: the first pre_tool takes the baseline before the tool runs.
        #expect(vibePreTool(repo, "echo hi > a.txt && git add a.txt && git commit -qm a") == .silent)
        let runtime = try #require(repo.runtime(session), "the first hook call starts the session's record")
        #expect(runtime.startHash == (try repo.git("rev-parse", "HEAD")).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(repo.events("session_start").first?["source"]?.stringValue == "first-hook")
        try repo.commitFile("a.txt", "hi\n")
        _ = vibePostTool(repo, "echo hi > a.txt && git add a.txt && git commit -qm a")
        try writeVibeJournal(repo, answer: "All done.")
        let answer = try vibeDecision(vibeStop(repo))
        #expect(answer.deny, "the session's own commit, unpushed, is blocked")
        #expect(answer.reason.contains("1 unpushed commit"), "\(answer.reason)")
        #expect(answer.reason.contains("/handoff-dump"), "Vibe's skill, not Claude Code's command: \(answer.reason)")
        #expect(!answer.reason.contains("/handoff:dump"))
        // The tool event is recorded, with the exit status Vibe reports.
        let tool = try #require(repo.events("tool").last)
        #expect(tool["exit_code"]?.intValue == 0)
        #expect(tool["ok"]?.boolValue == true)
    }

    @Test func vibeNeverCreditsWhatWasDirtyBeforeItsFirstHook() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        try repo.write("old.txt", "left from before\n")
        // A read-only session: its first tool call is a read; the stop is let through.
        #expect(vibePreTool(repo, "cat old.txt") == .silent)
        _ = vibePostTool(repo, "cat old.txt")
        try writeVibeJournal(repo, answer: "It says: left from before.")
        #expect(try vibeDecision(vibeStop(repo)).deny == false, "a read-only turn is never blocked")
        // Its own edit is blocked, naming its file and not the older one.
        try repo.write("new.txt", "mine\n")
        _ = SessionHook.run(vibeInput(repo, [
            ("hook_event_name", "post_tool"), ("tool_name", "file_system.write_file"), ("tool_status", "success"),
            ("tool_input", ["file_path": .string(repo.root + "/new.txt"), "content": "mine\n"]), ("tool_output", .null),
        ]))
        #expect(repo.events("file_edit").last?["paths"]?.arrayValue?.compactMap(\.stringValue) == ["new.txt"])
        let answer = try vibeDecision(vibeStop(repo))
        #expect(answer.deny)
        #expect(answer.reason.contains("new.txt"), "\(answer.reason)")
        #expect(!answer.reason.contains("old.txt"), "what was dirty before the session is not its work: \(answer.reason)")
    }

    @Test func vibeReflectionIsReadFromTheCandidateInItsJournal() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        #expect(vibePreTool(repo, "git commit") == .silent)
        try repo.commitFile("c.txt", "c\n")
        _ = try repo.git("push", "-q", "origin", "HEAD")
        _ = vibePostTool(repo, "git commit && git push")
        try writeVibeJournal(repo, answer: "All done.")
        #expect(try vibeDecision(vibeStop(repo)).deny)
        try writeVibeJournal(repo, answer: validReflection)
        #expect(VibeTranscript.lastAssistantText(path: repo.root + "-vibe/logs/session/unified/" + session) == validReflection)
        #expect(try vibeDecision(vibeStop(repo)).deny == false, "the reflection in the candidate answer releases the stop")
        #expect(repo.events("handover").count == 1)
    }

    @Test func vibesOwnLimitOfThreeIsHandoffsSoTheReleaseIsRecorded() throws {
        #expect(MistralVibeContract().clientBlockLimit == 3)
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        #expect(vibePreTool(repo, "git commit") == .silent)
        try repo.commitFile("d.txt", "d\n")
        _ = vibePostTool(repo, "git commit")
        try writeVibeJournal(repo, answer: "Done.")
        // handoff.gate.maxBlocks is 10 here; Vibe acts on 3 denials a turn and asks a 4th time.
        let answers = try (0..<4).map { _ in try vibeDecision(vibeStop(repo, environment: ["HANDOFF_GATE_MAX_BLOCKS": "10"])) }
        #expect(answers.map(\.deny) == [true, true, true, false])
        #expect(answers[3].systemMessage?.contains("WITHOUT a completed handover") == true, "\(answers[3])")
        #expect(repo.events("gate_overridden").count == 1)
    }

    func vibeStop(_ repo: AgentRepo, environment: [String: String]) -> HookOutput {
        StopGate.run(vibeInput(repo, [("hook_event_name", "post_agent"), ("agent_name", "accept-edits")], environment: environment))
    }

    @Test func vibeShellExitStatusAndFailuresAreRecorded() throws {
        let repo = try AgentRepo()
        #expect(vibePreTool(repo, "swift test") == .silent)
        _ = vibePostTool(repo, "swift test", returncode: 1)
        let tool = try #require(repo.events("tool").last)
        #expect(tool["exit_code"]?.intValue == 1)
        #expect(tool["ok"]?.boolValue == false)
        #expect(tool["output_tail"]?.stringValue?.contains("boom: it broke") == true)
    }

    // MARK: OpenHands

    func openHandsInput(_ repo: AgentRepo, _ pairs: [(String, JSONValue)], event: String, environment extra: [String: String] = [:]) -> HookInput {
        let base: [(String, JSONValue)] = [
            ("event_type", .string(event)), ("tool_name", .null), ("tool_input", .null), ("tool_response", .null), ("message", .null),
            ("session_id", .string(session)), ("working_dir", .string(repo.root)),
        ]
        let bytes = Array(AgentRepo.payload(base.filter { key, _ in !pairs.contains { $0.0 == key } } + pairs).utf8)
        let now = repo.nextNow()
        var variables = ["PATH": "/usr/bin:/bin", "OPENHANDS_PERSISTENCE_DIR": repo.root + "-oh", "OPENHANDS_EVENT_TYPE": event,
                         "OPENHANDS_SESSION_ID": session, "OPENHANDS_PROJECT_DIR": repo.root]
        for (key, value) in extra { variables[key] = value }
        return HookInput(arguments: ["--agent", "openhands"], environment: Environment(variables), workingDirectory: repo.root,
                         standardInput: { bytes }, now: { now })
    }

    func openHandsStop(_ repo: AgentRepo, environment: [String: String] = [:]) -> HookOutput {
        StopGate.run(openHandsInput(repo, [("metadata", ["reason": "agent_finished"])], event: "Stop", environment: environment))
    }

    /// The conversation's events folder, as OpenHands writes it before calling the Stop hook.
    func writeOpenHandsMessage(_ repo: AgentRepo, index: Int, text: String) throws {
        let folder = repo.root + "-oh/conversations/" + session.filter { $0 != "-" } + "/events"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let event = JSONValue.object(JSONObject([
            ("id", .string("e\(index)")), ("source", "agent"), ("kind", "MessageEvent"),
            ("llm_message", .object(JSONObject([("role", "assistant"), ("content", .array([.object(JSONObject([("type", "text"), ("text", .string(text))]))]))]))),
        ]))
        try event.compactText.write(toFile: folder + String(format: "/event-%05d-e%d.json", index, index), atomically: true, encoding: .utf8)
        let hook = #"{"source":"hook","kind":"HookExecutionEvent","hook_event_type":"Stop"}"#
        try hook.write(toFile: folder + String(format: "/event-%05d-h%d.json", index + 1, index), atomically: true, encoding: .utf8)
    }

    func openHandsDecision(_ output: HookOutput) throws -> (deny: Bool, reason: String) {
        #expect(output.exitStatus == 0)
        let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return (false, "") }
        let json = try JSONValue.parse(text)
        #expect(json["decision"]?.stringValue != "block", "OpenHands ignores block: the agent would just stop")
        return (json["decision"]?.stringValue == "deny", json["reason"]?.stringValue ?? "")
    }

    @Test func openHandsIsRecognisedAndItsPayloadNormalised() {
        let stop = AgentHookPayload.parse(Array(#"{"event_type":"Stop","session_id":"ea5dcc33-bd1f-4b76-8ac2-6f6926ff19c5","working_dir":"/p","metadata":{"reason":"agent_finished"}}"#.utf8))
        #expect(AgentKind.resolve(arguments: [], environment: Environment([:]), payload: stop) == .openHands)
        let normal = OpenHandsContract().normalised(stop, environment: Environment(["HOME": "/h"]))
        #expect(normal.hookEventName == "Stop")
        #expect(normal.cwd == "/p")
        #expect(normal.reason == "agent_finished")
        #expect(normal.transcriptPath == "/h/.openhands/conversations/ea5dcc33bd1f4b768ac26f6926ff19c5")
        // A Claude Code payload is never taken for OpenHands'.
        let claude = AgentHookPayload.parse(Array(#"{"hook_event_name":"Stop","session_id":"s","cwd":"/p"}"#.utf8))
        #expect(AgentKind.resolve(arguments: [], environment: Environment([:]), payload: claude) == .claudeCode)
    }

    @Test func openHandsIsDeniedNeverBlockedAndReleasedByHandoffsCap() throws {
        #expect(OpenHandsContract().capsConsecutiveStopBlocks == false)
        #expect(OpenHandsContract().clientBlockLimit == nil)
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        _ = SessionHook.run(openHandsInput(repo, [], event: "SessionStart"))
        try repo.write("todo.txt", "left uncommitted\n")
        try writeOpenHandsMessage(repo, index: 5, text: "All done.")
        let first = try openHandsDecision(openHandsStop(repo))
        #expect(first.deny)
        #expect(first.reason.contains("todo.txt"), "the uncommitted file is named: \(first.reason)")
        #expect(first.reason.contains("/handoff-dump"))
        // A model that never reflects: OpenHands would re-prompt forever; handoff's cap (3) releases it.
        let rest = try (0..<3).map { _ in try openHandsDecision(openHandsStop(repo)) }
        #expect(rest.map(\.deny) == [true, true, false])
        #expect(repo.events("gate_overridden").count == 1)
    }

    @Test func openHandsReflectionComesFromTheConversationsLastAgentMessage() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        _ = SessionHook.run(openHandsInput(repo, [], event: "SessionStart"))
        try repo.commitFile("e.txt", "e\n")
        _ = try repo.git("push", "-q", "origin", "HEAD")
        try writeOpenHandsMessage(repo, index: 5, text: "All done.")
        #expect(try openHandsDecision(openHandsStop(repo)).deny)
        try writeOpenHandsMessage(repo, index: 8, text: validReflection)
        #expect(try openHandsDecision(openHandsStop(repo)).deny == false)
        #expect(repo.events("handover").first?["outcome"]?.stringValue == "success")
    }

    @Test func openHandsToolEventsCarryTheExitCode() throws {
        let repo = try AgentRepo()
        _ = SessionHook.run(openHandsInput(repo, [], event: "SessionStart"))
        _ = SessionHook.run(openHandsInput(repo, [
            ("tool_name", "terminal"), ("tool_input", ["command": "make test", "kind": "TerminalAction"]),
            ("tool_response", ["content": [["type": "text", "text": "error: 2 tests failed"]], "is_error": false, "exit_code": 2,
                               "kind": "TerminalObservation"]),
        ], event: "PostToolUse"))
        _ = SessionHook.run(openHandsInput(repo, [
            ("tool_name", "file_editor"), ("tool_input", ["command": "create", "path": .string(repo.root + "/f.txt"), "file_text": "f"]),
            ("tool_response", ["is_error": false, "kind": "FileEditorObservation"]),
        ], event: "PostToolUse"))
        _ = SessionHook.run(openHandsInput(repo, [
            ("tool_name", "file_editor"), ("tool_input", ["command": "view", "path": .string(repo.root + "/f.txt")]),
        ], event: "PostToolUse"))
        let tool = try #require(repo.events("tool").last)
        #expect(tool["exit_code"]?.intValue == 2)
        #expect(tool["ok"]?.boolValue == false)
        #expect(tool["output_tail"]?.stringValue?.contains("2 tests failed") == true)
        #expect(repo.events("file_edit").map { $0["paths"]?.arrayValue?.compactMap(\.stringValue) ?? [] } == [["f.txt"]], "a view is not an edit")
    }

    @Test func aFifoInPlaceOfATranscriptIsNeverOpened() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-fifo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/journal", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/events", withIntermediateDirectories: true)
        #expect(mkfifo(folder + "/journal/0000000000000001.jsonl", 0o600) == 0)
        #expect(mkfifo(folder + "/events/event-00001-x.json", 0o600) == 0)
        // Would block forever if opened.
        #expect(VibeTranscript.lastAssistantText(path: folder) == nil)
        #expect(OpenHandsConversation.lastAgentMessage(folder: folder) == nil)
    }
}
