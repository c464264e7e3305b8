import Foundation
import Testing

/// Follow-up tasks through the plugin's MCP server (`handoff mcp`, registered by hooks/claude/.mcp.json)
/// and the stop gate's follow-up rule, with the real Claude Code CLI and a scripted model.
@Suite("Follow-up tasks end to end (real Claude Code CLI, MCP)", .serialized)
struct FollowUpE2ETests {
    static let createTask = "mcp__plugin_handoff_handoff__create_task"
    static let tools = "Bash Write Edit \(createTask)"

    static func partialReflection(next: String) -> String {
        "## Framework Reflection\\n\\n**Outcome**: partial\\n**Accomplishments**: committed the first half of the change\\n**Friction points**: none\\n**Next step**: \(next)\\n\\nHandover complete. Session may now end."
    }

    func tasks(_ sandbox: E2ESandbox) -> [[String: Any]] {
        let folder = sandbox.repo + "/.handoff/tasks"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: folder + "/" + name).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    @Test func theModelFilesATaskThroughMCPNamesItAndIsReleased() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": "no handover yet", "times": 1,
               "reply": {"text": "Filing the follow-up first.", "tool": "\(Self.createTask)",
                         "input": {"title": "Finish the second half of the change", "body": "README: the rest of the section"}}},
              {"when_contains": "Created task ho-", "times": 1, "reply": {"text": "\(Self.partialReflection(next: "{{ho_id}} finish the second half"))"}}
            ], "default": {"text": "Done."}}
            """)
        let run = try sandbox.claude("please commit the change", allowedTools: Self.tools)
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        #expect(run.result["is_error"] as? Bool == false, "\(run.result) \(run.stderr)")
        let filed = tasks(sandbox)
        #expect(filed.count == 1, "the MCP tool filed one task: \(filed); \(sandbox.diagnostics)")
        let id = try #require(filed.first?["id"] as? String)
        #expect(filed.first?["title"] as? String == "Finish the second half of the change")
        #expect(filed.first?["agent"] as? String != nil, "the MCP client is recorded as the task's agent")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1, "\(sandbox.diagnostics)")
        #expect(handovers.first?["outcome"] as? String == "partial")
        #expect((handovers.first?["next_step"] as? String)?.contains(id) == true)
        #expect(sandbox.events("stop_blocked").count == 1, "blocked once, before the handover: \(sandbox.diagnostics)")
    }

    @Test func aMadeUpIdIsBlockedWithTheListOfOpenTasks() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(Self.partialReflection(next: "ho-doesnotexist123 finish it"))"}},
              {"when_contains": "not exist", "times": 1, "reply": {"text": "\(Self.partialReflection(next: "{{ho_id}} finish it"))"}}
            ], "default": {"text": "Done."}}
            """)
        let handoff = sandbox.binaries + "/handoff"
        #expect(try E2E.run([handoff, "init"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 30).status == 0)
        let added = try E2E.run([handoff, "task", "add", "Finish the second half"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 30)
        let real = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(real.hasPrefix("ho-"))
        let run = try sandbox.claude("please commit the change", allowedTools: Self.tools)
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        let blocks = sandbox.events("stop_blocked").compactMap { $0["reason"] as? String }
        #expect(blocks.count == 2, "\(sandbox.diagnostics)")
        let refusal = try #require(blocks.last)
        #expect(refusal.contains("ho-doesnotexist123"))
        #expect(refusal.contains("Open tasks: \(real) \"Finish the second half\""))
        #expect(refusal.contains("handoff task add"))
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.contains { $0.contains("not exist") && $0.contains(real) }, "the model was told: \(sandbox.diagnostics)")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1 && (handovers.first?["next_step"] as? String)?.contains(real) == true, "\(sandbox.diagnostics)")
    }
}
