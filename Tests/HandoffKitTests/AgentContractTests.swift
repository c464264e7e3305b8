import Foundation
import Testing

@testable import HandoffKit

/// The agent layer: one engine in Hooks/, what differs per agent answered by its contract.
/// Codex payloads are shaped as Codex 0.163 sends them (Tests/HandoffE2ETests/Support/CODEX-CONTRACT.md).
@Suite("Agent contracts")
struct AgentContractTests {
    let session = "01a23b7f-cf54-7790-97d5-d72f50bae9ea"

    func codexInput(_ repo: AgentRepo, _ pairs: [(String, JSONValue)], arguments: [String] = ["--agent", "codex"]) -> HookInput {
        let bytes = Array(AgentRepo.payload([("session_id", .string(session)), ("cwd", .string(repo.root))] + pairs).utf8)
        let now = repo.nextNow()
        return HookInput(arguments: arguments, environment: Environment(["PATH": "/usr/bin:/bin"]), workingDirectory: repo.root,
                         standardInput: { bytes }, now: { now })
    }

    @Test func theAgentIsTheInstalledArgumentElseWhatOnlyItSends() {
        let codexStop = AgentHookPayload.parse(Array(#"{"session_id":"s","turn_id":"t","hook_event_name":"Stop"}"#.utf8))
        let plain = AgentHookPayload.parse(Array(#"{"session_id":"s","hook_event_name":"SessionEnd"}"#.utf8))
        let rollout = AgentHookPayload.parse(Array(#"{"transcript_path":"/h/.codex/sessions/2026/12/03/rollout-2026-12-03T08-08-21-x.jsonl"}"#.utf8))
        let none = Environment([:])
        #expect(AgentKind.resolve(arguments: ["--agent", "codex"], environment: none, payload: plain) == .codex)
        #expect(AgentKind.resolve(arguments: ["--agent", "claude-code"], environment: none, payload: codexStop) == .claudeCode)
        #expect(AgentKind.resolve(arguments: [], environment: none, payload: codexStop) == .codex)
        #expect(AgentKind.resolve(arguments: [], environment: none, payload: rollout) == .codex)
        #expect(AgentKind.resolve(arguments: [], environment: none, payload: plain) == .claudeCode)
        #expect(AgentKind.resolve(arguments: [], environment: Environment(["CLAUDE_PROJECT_DIR": "/r"]), payload: codexStop) == .claudeCode)
        #expect(AgentKind.resolve(arguments: ["--agent", "nobody"], environment: none, payload: plain) == .claudeCode)
    }

    @Test func aCodexBlockIsExactlyDecisionAndReasonInCodexsOwnWords() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("a.txt", "a\n")
        let output = StopGate.run(codexInput(repo, [
            ("turn_id", "t1"), ("hook_event_name", "Stop"), ("stop_hook_active", false), ("last_assistant_message", "done"),
        ]))
        let json = try JSONValue.parse(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        let object = try #require(json.objectValue)
        #expect(object.keys.sorted() == ["decision", "reason"], "Codex rejects any other key: \(output.standardOutput)")
        let reason = object["reason"]?.stringValue ?? ""
        #expect(reason.contains("$handoff-dump"), "\(reason)")
        #expect(!reason.contains("/handoff:dump"))
        // The log records what the model was told.
        #expect(repo.events("stop_blocked").first?["reason"]?.stringValue == reason)
    }

    @Test func codexIsReleasedByHandoffsCapBecauseItHasNoneOfItsOwn() throws {
        #expect(CodexContract().capsConsecutiveStopBlocks == false)
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("b.txt", "b\n")
        var answers: [GateAnswer] = []
        for index in 0..<4 {
            answers.append(GateAnswer(StopGate.run(codexInput(repo, [
                ("turn_id", "t1"), ("hook_event_name", "Stop"), ("stop_hook_active", .bool(index > 0)), ("last_assistant_message", "Done."),
            ]))))
        }
        #expect(answers.prefix(3).allSatisfy { $0.isBlock }, "\(answers)")
        guard case .message(let warning) = answers[3] else {
            Issue.record("the fourth stop was not let through with a warning: \(answers[3])")
            return
        }
        #expect(warning.contains("WITHOUT a completed handover"))
        #expect(repo.events("gate_overridden").count == 1)
    }

    @Test func theCodexBriefNamesCodexsSkills() throws {
        let repo = try AgentRepo()
        let output = SessionHook.run(codexInput(repo, [("hook_event_name", "SessionStart"), ("source", "startup"), ("model", "gpt-5.4")]))
        let json = try JSONValue.parse(output.standardOutput)
        let context = json["hookSpecificOutput"]?["additionalContext"]?.stringValue ?? ""
        #expect(context.contains("$handoff-dump"), "\(context)")
        #expect(!context.contains("/handoff:"), "\(context)")
        #expect(repo.events("session_start").count == 1)
    }

    @Test func aCodexShellCallIsRecordedWithItsClassAndAnUnknownOutcome() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        _ = SessionHook.run(codexInput(repo, [
            ("turn_id", "t1"), ("hook_event_name", "PostToolUse"), ("tool_name", "Bash"),
            ("tool_input", ["command": "swift test"]), ("tool_response", "Test run with 3 tests passed\n"), ("tool_use_id", "call_1"),
        ]))
        let tool = try #require(repo.events("tool").first)
        #expect(tool["class"]?.stringValue == "test")
        #expect(tool["command"]?.stringValue == "swift test")
        #expect(tool["exit_code"] == .null)
        // Codex does not say whether the command failed: neither success nor failure is recorded.
        #expect(tool["ok"] == nil)
        #expect(!EventFacts.failed(tool))
    }

    @Test func aCodexPatchIsRecordedAsAnEditOfItsFiles() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        let patch = "*** Begin Patch\n*** Update File: Sources/a.swift\n@@\n-x\n+y\n*** Add File: notes.md\n+hi\n*** End Patch\n"
        _ = SessionHook.run(codexInput(repo, [
            ("turn_id", "t1"), ("hook_event_name", "PostToolUse"), ("tool_name", "apply_patch"),
            ("tool_input", ["command": .string(patch)]), ("tool_response", "Success."),
        ]))
        let edit = try #require(repo.events("file_edit").first)
        #expect(edit["paths"] == ["Sources/a.swift", "notes.md"])
        #expect(repo.runtime(session)?.lastWorkAt != nil)
    }

    @Test func theCodexTranscriptGivesTheLastAnswerAndTheContextUsage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-rollout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rollout-2026-12-03T10-42-41-\(session).jsonl"
        func message(_ role: String, _ type: String, _ text: String) -> String {
            #"{"timestamp":"2026-12-03T10:42:43.714Z","type":"response_item","payload":{"type":"message","role":"\#(role)","content":[{"type":"\#(type)","text":"\#(text)","annotations":[]}]}}"#
        }
        let lines = [
            #"{"timestamp":"2026-12-03T10:42:41.000Z","type":"session_meta","payload":{"id":"\#(session)"}}"#,
            message("user", "input_text", "please commit"),
            message("assistant", "output_text", "Committing."),
            #"{"type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":51680,"output_tokens":5},"model_context_window":258400}}}"#,
            message("assistant", "output_text", "## Framework Reflection\\n**Outcome**: success"),
            #"{"type":"event_msg","payload":{"type":"task_complete","last_agent_message":"Framework Reflection"}}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let codex = CodexContract()
        #expect(codex.lastAssistantText(transcriptPath: path) == "## Framework Reflection\n**Outcome**: success")
        let usage = try #require(codex.contextUsage(transcriptPath: path))
        #expect(usage.usedTokens == 51680)
        #expect(usage.windowTokens == 258400)
        #expect(abs((usage.percent ?? 0) - 20.0) < 0.01)
        // A Claude Code transcript is not Codex's: nothing is read from it as if it were.
        #expect(ClaudeCodeContract().lastAssistantText(transcriptPath: path) == nil)
    }

    @Test func aCommitMadeInACodexShellIsCreditedToItsSession() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        let environment = Environment(["CODEX_THREAD_ID": session])
        #expect(GitHookContext.activeSession(environment: environment, store: repo.store)?.id == session)
        #expect(AgentKind.sessionEnvironmentVariables.contains("CODEX_THREAD_ID"))
    }
}
