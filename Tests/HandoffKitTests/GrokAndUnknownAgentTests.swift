import Foundation
import Testing

@testable import HandoffKit

/// Grok Build's payloads, as grok 0.2.111 sends them to the entries registered for Claude Code
/// (camelCase keys, snake_case event names, `GROK_HOOK_EVENT` and `CLAUDE_PROJECT_DIR` set), and
/// payloads from agents handoff does not know.
@Suite("Grok Build and unknown agents")
struct GrokAndUnknownAgentTests {
    let session = "01a2526b-41a2-7ed1-acb5-4ce3b52ed795"

    /// A hook call as grok makes it through a Claude Code entry: no `--agent`, Claude's variable set.
    func grok(_ repo: AgentRepo, _ event: String, _ pairs: [(String, JSONValue)], arguments: [String] = []) -> HookInput {
        let payload = AgentRepo.payload([
            ("hookEventName", .string(event)), ("sessionId", .string(session)), ("cwd", .string(repo.root)),
            ("workspaceRoot", .string(repo.root + "/")), ("timestamp", "2026-12-07T21:31:30.804910430+00:00"),
        ] + pairs)
        let bytes = Array(payload.utf8)
        let now = repo.nextNow()
        let environment = Environment(["CLAUDE_PROJECT_DIR": repo.root + "/", "GROK_HOOK_EVENT": event, "GROK_SESSION_ID": session,
                                       "PATH": "/usr/bin:/bin"])
        return HookInput(arguments: arguments, environment: environment, workingDirectory: repo.root, standardInput: { bytes }, now: { now })
    }

    func stop(_ repo: AgentRepo, message: String, active: Bool = false, reason: String = "end_turn") -> HookOutput {
        StopGate.run(grok(repo, "stop", [
            ("transcriptPath", .string(repo.root + "/.grok-updates.jsonl")), ("promptId", "p1"), ("permissionMode", "default"),
            ("reason", .string(reason)), ("stopHookActive", .bool(active)), ("lastAssistantMessage", .string(message)),
            ("backgroundTasks", []), ("sessionCrons", []),
        ]))
    }

    static let reflection = "## Framework Reflection\n**Outcome**: success\n**Accomplishments**: notes\n**Friction points**: none\n**Next step**: none"

    @Test func aGrokSessionThroughClaudeCodesEntriesIsGatedAndRecordedAsGrok() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        let start = SessionHook.run(grok(repo, "session_start", [("permissionMode", "default"), ("source", "new")]))
        // The brief names grok's skills, not the Claude Code plugin's commands.
        #expect(start.standardOutput.contains("/handoff-dump") && !start.standardOutput.contains("/handoff:dump"), "\(start.standardOutput)")
        let started = try #require(repo.events(EventType.sessionStart).first)
        #expect(started.session == session)
        #expect(started["agent"]?.stringValue == "grok")
        #expect(started["source"]?.stringValue == "startup")

        try repo.write("notes.txt", "draft\n")
        let blocked = GateAnswer(stop(repo, message: "Done."))
        #expect(blocked.isBlock, "\(blocked)")
        #expect(blocked.reason.contains("notes.txt"), "\(blocked.reason)")
        #expect(blocked.reason.contains("/handoff-dump") && !blocked.reason.contains("/handoff:dump"), "\(blocked.reason)")
        #expect(repo.events(EventType.stopBlocked).first?.session == session)

        try repo.git("add", "notes.txt")
        try repo.git("commit", "-qm", "notes")
        try repo.git("push", "-q", "origin", "main")
        let released = GateAnswer(stop(repo, message: Self.reflection, active: true))
        #expect(released == .allow, "\(released)")
        #expect(repo.events(EventType.handover).first?.session == session)
    }

    @Test func grokToolEventsAreRecordedWithTheirExitStatus() throws {
        let repo = try AgentRepo()
        _ = SessionHook.run(grok(repo, "session_start", [("source", "new")]))
        _ = SessionHook.run(grok(repo, "post_tool_use", [
            ("toolName", "run_terminal_command"), ("toolUseId", "call_1"),
            ("toolInput", ["command": "swift test", "description": "x"]),
            ("toolResult", ["type": "Bash", "output_for_prompt": "exit: 3\nerror: 2 tests failed\n", "exit_code": 3,
                            "signal": .null, "timed_out": false]),
        ]))
        _ = SessionHook.run(grok(repo, "post_tool_use", [
            ("toolName", "run_terminal_command"), ("toolInput", ["command": "ls"]),
            ("toolResult", ["type": "Bash", "output_for_prompt": "exit: 0\n", "exit_code": 0, "signal": .null, "timed_out": false]),
        ]))
        _ = SessionHook.run(grok(repo, "post_tool_use", [
            ("toolName", "write"), ("toolInput", ["file_path": "b.txt", "content": "x\n"]),
            ("toolResult", ["type": "SearchReplace"]),
        ]))
        let tools = repo.events(EventType.tool)
        #expect(tools.count == 2, "\(tools)")
        #expect(tools.first?["command"]?.stringValue == "swift test")
        #expect(tools.first?["exit_code"]?.intValue == 3)
        #expect(tools.first?["ok"]?.boolValue == false)
        #expect(tools.first?["output_tail"]?.stringValue == "error: 2 tests failed")
        #expect(tools.last?["ok"]?.boolValue == true)
        #expect(tools.allSatisfy { $0.session == session })
        let edits = repo.events(EventType.fileEdit)
        #expect(edits.first?["paths"]?.arrayValue?.first?.stringValue == "b.txt", "\(edits)")
    }

    @Test func grokClosingStopEndsTheSessionInsteadOfBeingGated() throws {
        let repo = try AgentRepo()
        _ = SessionHook.run(grok(repo, "session_start", [("source", "new")]))
        try repo.write("notes.txt", "draft\n")
        let answer = GateAnswer(stop(repo, message: "bye", reason: "channel_closed"))
        #expect(answer == .allow)
        #expect(repo.events(EventType.stopBlocked).isEmpty)
        #expect(repo.events(EventType.sessionEnd).first?["reason"]?.stringValue == "channel_closed")
    }

    @Test func grokIsRecognisedEvenWhenTheEntrySaysClaudeCode() {
        let payload = AgentHookPayload.parse(Array(#"{"hookEventName":"stop","sessionId":"s"}"#.utf8))
        let environment = Environment(["CLAUDE_PROJECT_DIR": "/r/"])
        #expect(AgentKind.identify(arguments: ["--agent", "claude-code"], environment: environment, payload: payload) == .grok)
        // The environment alone says grok too (a payload grok left a field out of).
        let plain = AgentHookPayload.parse(Array(#"{"session_id":"s"}"#.utf8))
        #expect(AgentKind.identify(arguments: [], environment: Environment(["GROK_HOOK_EVENT": "stop"]), payload: plain) == .grok)
        let canonical = GrokContract().normalised(payload, environment: Environment(["GROK_HOOK_EVENT": "stop"]))
        #expect(canonical.hookEventName == "Stop")
        #expect(canonical.sessionIDField == "s")
        #expect(GrokContract.snakeCase("stopHookActive") == "stop_hook_active")
    }

    // MARK: Unknown agents

    /// Payloads of agents handoff does not serve (Gemini CLI's AfterAgent, a made-up shape), each carrying a secret.
    static func foreignPayloads(root: String, secret: String) -> [(name: String, payload: String)] {
        [
            ("gemini", AgentRepo.payload([
                ("session_id", "g1"), ("transcript_path", "/h/.gemini/tmp/g1.json"), ("cwd", .string(root)),
                ("hook_event_name", "AfterAgent"), ("prompt_response", .string(secret)),
            ])),
            ("made-up", AgentRepo.payload([
                ("event", "agent_finished"), ("conversation_id", "m1"), ("workspace", .string(root)),
                ("metadata", ["note": .string(secret)]),
            ])),
        ]
    }

    @Test func aPayloadNoKnownAgentSendsIsLetThroughUnreadAndRecordedRedacted() throws {
        let repo = try AgentRepo()
        try repo.write("notes.txt", "draft\n")
        let example = try #require(Redactor.rules.first?.examples.first)
        for (name, payload) in Self.foreignPayloads(root: repo.root, secret: example.text) {
            let input = HookInput(arguments: [], environment: Environment(["PATH": "/usr/bin:/bin", "GEMINI_CLI": "1"]),
                                  workingDirectory: repo.root, standardInput: { Array(payload.utf8) }, now: { repo.nextNow() })
            let output = StopGate.run(input)
            #expect(output == .silent, "\(name): \(output)")
        }
        // Nothing was read as a session: no block, no session record, no session start.
        #expect(repo.events(EventType.stopBlocked).isEmpty)
        #expect(repo.events(EventType.sessionStart).isEmpty)
        #expect(repo.runtime("g1") == nil && repo.runtime("m1") == nil)
        let unknown = repo.events(EventType.unknownAgent)
        #expect(unknown.count == 2)
        #expect(unknown.first?["event"]?.stringValue == "AfterAgent")
        #expect(unknown.last?["event"]?.stringValue == "agent_finished")
        #expect(unknown.first?["hook"]?.stringValue == StopGate.hookName)
        #expect(unknown.last?["keys"]?.arrayValue?.compactMap(\.stringValue).contains("workspace") == true)
        #expect(unknown.first?["agent_variables"]?.arrayValue == [.string("GEMINI_CLI")])
        for event in unknown {
            let excerpt = event["excerpt"]?.stringValue ?? ""
            #expect(!excerpt.contains(example.secret), "the secret is redacted: \(excerpt)")
            #expect(excerpt.utf8.count <= UnknownAgentPayload.excerptBytes)
        }
        // handoff doctor shows it.
        let check = Doctor(environment: Environment(["HOME": repo.root, "PATH": "/usr/bin:/bin"]), workingDirectory: repo.root,
                           binDirectory: "/nonexistent").checkUnknownAgents(root: repo.root)
        #expect(check.status == .warn)
        #expect(check.detail.contains("2 times") && check.detail.contains("event agent_finished") && check.detail.contains("workspace"), "\(check.detail)")
    }

    @Test func aHugeUnknownPayloadIsRecordedBounded() throws {
        let repo = try AgentRepo()
        var pairs: [(String, JSONValue)] = [("event", "agent_finished")]
        for index in 0..<200 { pairs.append(("key\(index)", .string(String(repeating: "é", count: 1000)))) }
        let bytes = Array(AgentRepo.payload(pairs).utf8)
        let input = HookInput(arguments: [], environment: Environment(["PATH": "/usr/bin:/bin"]), workingDirectory: repo.root,
                              standardInput: { bytes }, now: { repo.nextNow() })
        #expect(SessionHook.run(input) == .silent)
        let event = try #require(repo.events(EventType.unknownAgent).first)
        #expect(event["keys"]?.arrayValue?.count == 24)
        #expect(event["keys_not_listed"]?.intValue == 177)
        #expect((event["excerpt"]?.stringValue ?? "").utf8.count <= UnknownAgentPayload.excerptBytes)
        #expect(event["bytes"]?.intValue ?? 0 > 200_000)
    }

    @Test func doctorPassesWhenEveryPayloadWasAKnownAgents() throws {
        let repo = try AgentRepo()
        _ = repo.sessionStart("s1")
        let check = Doctor(environment: Environment(["HOME": repo.root]), workingDirectory: repo.root, binDirectory: "/nonexistent")
            .checkUnknownAgents(root: repo.root)
        #expect(check.status == .pass, "\(check.detail)")
    }

    @Test func anEntryNeverReadsAnotherAgentsEvent() {
        let vibe = AgentHookPayload.parse(Array(#"{"session_id":"s","hook_event_name":"post_agent"}"#.utf8))
        let openHands = AgentHookPayload.parse(Array(#"{"session_id":"s","event_type":"Stop"}"#.utf8))
        let gemini = AgentHookPayload.parse(Array(#"{"session_id":"s","hook_event_name":"AfterAgent"}"#.utf8))
        let none = Environment([:])
        let claude = Environment(["CLAUDE_PROJECT_DIR": "/r"])
        // Each known agent's payload is its own, whatever entry it reached.
        #expect(AgentKind.identify(arguments: [], environment: none, payload: vibe) == .vibe)
        #expect(AgentKind.identify(arguments: [], environment: claude, payload: vibe) == .vibe)
        #expect(AgentKind.identify(arguments: [], environment: claude, payload: openHands) == .openHands)
        // An entry that names an agent does not read another agent's payload as that agent's.
        for payload in [vibe, openHands, gemini] {
            #expect(AgentKind.identify(arguments: ["--agent", "codex"], environment: none, payload: payload) == nil)
            #expect(AgentKind.identify(arguments: ["--agent", "claude-code"], environment: none, payload: payload) == nil)
        }
        #expect(AgentKind.identify(arguments: ["--agent", "vibe"], environment: none, payload: vibe) == .vibe)
        // No known agent sends this one, whatever the environment says.
        #expect(AgentKind.identify(arguments: [], environment: none, payload: gemini) == nil)
        #expect(AgentKind.identify(arguments: [], environment: claude, payload: gemini) == nil)
        // Input that is not a JSON object stays Claude Code's to fail on (a hook_error, as before).
        #expect(AgentKind.identify(arguments: [], environment: none, payload: AgentHookPayload.parse(Array("nope".utf8))) == .claudeCode)
    }

    // MARK: Grok's installer

    @Test func installAndUninstallLeaveEverythingElseInGroksFoldersByteForByte() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-grok-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let grok = home + "/.grok"
        try FileManager.default.createDirectory(atPath: grok + "/hooks", withIntermediateDirectories: true)
        let theirs = "{\"hooks\": {\"Stop\": []}}\n"
        try theirs.write(toFile: grok + "/hooks/theirs.json", atomically: true, encoding: .utf8)
        let bin = Path.dirname(try BuiltProducts.path("handoff"))
        let report = try GrokHooks.install(grokFolder: grok, binDirectory: bin, dryRun: false)
        #expect(report.changed)
        let written = try String(contentsOfFile: grok + "/hooks/handoff.json", encoding: .utf8)
        #expect(written.contains("hook stop-gate --agent grok"), "\(written)")
        #expect(try GrokHooks.install(grokFolder: grok, binDirectory: bin, dryRun: false).changed == false, "install again changes nothing")
        // The skills grok shows as slash commands.
        let skill = try String(contentsOfFile: GrokHooks.skillPath(grokFolder: grok, name: "handoff-dump"), encoding: .utf8)
        #expect(skill.contains("user-invocable: true"))
        _ = GrokHooks.uninstall(grokFolder: grok, dryRun: false)
        // Their file and the hooks folder (which install did not create) stay; nothing of handoff's does.
        #expect(try String(contentsOfFile: grok + "/hooks/theirs.json", encoding: .utf8) == theirs)
        #expect(try FileManager.default.contentsOfDirectory(atPath: grok).sorted() == ["hooks"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: grok + "/hooks") == ["theirs.json"])
    }

    @Test func aHandoffJSONThatIsNotHandoffsIsNeverOverwritten() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-grok-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/.grok/hooks", withIntermediateDirectories: true)
        let foreign = "{\"hooks\": {}}\n"
        try foreign.write(toFile: home + "/.grok/hooks/handoff.json", atomically: true, encoding: .utf8)
        let bin = Path.dirname(try BuiltProducts.path("handoff"))
        #expect(throws: GrokHooks.Failure.foreignFile(path: home + "/.grok/hooks/handoff.json")) {
            try GrokHooks.install(grokFolder: home + "/.grok", binDirectory: bin, dryRun: false)
        }
        _ = GrokHooks.uninstall(grokFolder: home + "/.grok", dryRun: false)
        #expect(try String(contentsOfFile: home + "/.grok/hooks/handoff.json", encoding: .utf8) == foreign)
    }

    @Test func theClaudeEntriesStandBackOnlyWhileGroksOwnFileIsInForce() throws {
        let repo = try AgentRepo()
        let home = repo.root + "-home"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let bin = Path.dirname(try BuiltProducts.path("handoff"))
        let environment = Environment(["HOME": home])
        #expect(!GrokHooks.standsBack(arguments: [], environment: environment, root: repo.root))
        // A project file counts once grok trusts the folder.
        _ = try GrokHooks.install(grokFolder: repo.root + "/.grok", binDirectory: bin, dryRun: false)
        #expect(!GrokHooks.standsBack(arguments: [], environment: environment, root: repo.root))
        try FileManager.default.createDirectory(atPath: home + "/.grok", withIntermediateDirectories: true)
        try "[folders.\"/elsewhere\"]\ntrusted = true\n\n[folders.\"\(repo.root)\"]\ntrusted = true\ndecided_at = 1\n"
            .write(toFile: home + "/.grok/trusted_folders.toml", atomically: true, encoding: .utf8)
        #expect(GrokHooks.standsBack(arguments: [], environment: environment, root: repo.root))
        // grok's own entry never stands back.
        #expect(!GrokHooks.standsBack(arguments: ["hook", "stop-gate", "--agent", "grok"], environment: environment, root: repo.root))
        try "[folders.\"\(repo.root)\"]\ntrusted = false\n".write(toFile: home + "/.grok/trusted_folders.toml", atomically: true, encoding: .utf8)
        #expect(!GrokHooks.standsBack(arguments: [], environment: environment, root: repo.root))
        // The user's file counts without trust.
        _ = try GrokHooks.install(grokFolder: home + "/.grok", binDirectory: bin, dryRun: false)
        #expect(GrokHooks.standsBack(arguments: [], environment: environment, root: repo.root))
    }

    @Test func doctorSaysWhenGrokCannotStartTheClaudeCodeEntries() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-grok-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/.grok", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/.claude", withIntermediateDirectories: true)
        let doctor = Doctor(environment: Environment(["HOME": home]), workingDirectory: home, binDirectory: "/nonexistent")
        #expect(doctor.checkGrokHooks(root: nil).first?.status == .warn, "grok here, handoff registered nowhere")
        // The separate-executables layout's entry: a lone quoted path, which grok takes for a file name, quotes and all.
        let old = #"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"\"/opt/handoff/bin/handoff-stop-gate\""}]}]}}"#
        try old.write(toFile: home + "/.claude/settings.json", atomically: true, encoding: .utf8)
        let check = try #require(doctor.checkGrokHooks(root: nil).first)
        #expect(check.status == .fail && check.fix.contains("handoff install --grok"), "\(check)")
        let current = #"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"\"/opt/handoff/bin/handoff\" hook stop-gate"}]}]}}"#
        try current.write(toFile: home + "/.claude/settings.json", atomically: true, encoding: .utf8)
        #expect(doctor.checkGrokHooks(root: nil).first?.status == .pass)
    }
}
