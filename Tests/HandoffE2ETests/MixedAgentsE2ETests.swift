import Foundation
import HandoffKit
import Testing

extension CodexE2ETests {
    /// A Claude Code session and a Codex session in one worktree are two sessions, and each stop
    /// gate judges its own: Codex's committed and handed-over work does not block a Claude Code turn
    /// that changed nothing, and Claude Code's uncommitted file blocks Claude Code, not a later
    /// read-only Codex turn.
    @Test func aClaudeCodeSessionAndACodexSessionInOneWorktreeAreJudgedApart() throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [
              {"when_contains": "commit and push", "times": 1,
               "reply": {"text": "Committing.", "shell": "echo codex >> README && git commit -qam 'codex change' && git push -q origin main"}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(Self.reflection)"}}
            ], "default": {"text": "It says hello."}}
            """)
        let codex = try sandbox.exec("please commit and push the change")
        #expect(codex.status == 0 && !codex.timedOut, "\(codex.log)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")

        // Claude Code in the same repository, with its own scripted model and HOME.
        let claudeFolder = sandbox.folder + "/claude"
        try FileManager.default.createDirectory(atPath: claudeFolder + "/home", withIntermediateDirectories: true)
        try """
            {"rules": [{"when_contains": "write a draft", "times": 1, "reply": {"text": "Writing.", "bash": "echo draft > draft.txt"}}],
             "default": {"text": "Four."}}
            """.write(toFile: claudeFolder + "/script.json", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", E2E.supportFolder + "/fake_messages_server.py", claudeFolder + "/script.json", claudeFolder + "/requests.jsonl", "60"]
        _ = FileManager.default.createFile(atPath: claudeFolder + "/server.out", contents: nil)
        server.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: claudeFolder + "/server.out"))
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var port = 0
        let deadline = Date().addingTimeInterval(15)
        while port == 0, Date() < deadline {
            if let text = try? String(contentsOfFile: claudeFolder + "/server.out", encoding: .utf8), let line = text.split(separator: "\n").first,
                line.hasPrefix("PORT ")
            {
                port = Int(line.dropFirst(5)) ?? 0
            }
            usleep(20_000)
        }
        try #require(port != 0, "the fake Messages server did not start")
        var environment = sandbox.environment
        environment["HOME"] = claudeFolder + "/home"
        environment["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:\(port)"
        environment["ANTHROPIC_API_KEY"] = "test"
        environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
        environment["HANDOFF_BIN_DIR"] = sandbox.binaries
        func claude(_ prompt: String) throws -> E2E.Outcome {
            try E2E.run([try E2E.claudeBinary(), "-p", prompt, "--output-format", "json", "--allowedTools", "Bash", "--plugin-dir", E2E.pluginFolder],
                        in: sandbox.repo, environment: environment, timeout: 90)
        }

        // A read-only Claude Code turn after Codex's work: Codex's commits are not its work.
        let blocksBefore = sandbox.events("stop_blocked").count
        let question = try claude("what is two plus two?")
        #expect(!question.timedOut && question.status == 0, "\(question.output)")
        #expect(sandbox.events("stop_blocked").count == blocksBefore, "\(sandbox.diagnostics)")
        let sessions = Set(sandbox.events("session_start").compactMap { $0["session"] as? String })
        #expect(sessions.count == 2, "one Codex and one Claude Code session: \(sessions)")

        // Claude Code leaves a file uncommitted: its own gate names it (and, capped, lets it go).
        _ = try claude("please write a draft")
        let claudeBlocks = sandbox.events("stop_blocked").dropFirst(blocksBefore)
        #expect(claudeBlocks.contains { ($0["reason"] as? String)?.contains("draft.txt") == true }, "\(sandbox.diagnostics)")
        let claudeSession = claudeBlocks.first?["session"] as? String
        #expect(claudeSession != nil && claudeBlocks.allSatisfy { $0["session"] as? String == claudeSession })

        // A new read-only Codex turn: the draft was there before it started, so it is not Codex's work.
        let blocksAfterClaude = sandbox.events("stop_blocked").count
        let read = try sandbox.exec("what is in the README?")
        #expect(read.status == 0 && !read.timedOut, "\(read.log)")
        #expect(sandbox.events("stop_blocked").count == blocksAfterClaude, "\(sandbox.diagnostics)")
    }
}
