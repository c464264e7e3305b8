import Foundation
import Testing

/// The README's transcript and the installed plugin, against the real CLI. An extension of the
/// serialized suite, so these runs never overlap the others.
extension AgentHooksE2ETests {
    /// The script the README names reproduces the README's transcript: a blocked stop, the block
    /// reason as the model receives it, the reflection that releases the next stop, the handover
    /// event and `handoff status`.
    @Test func theReadmeTranscriptScriptReproducesABlockAndARelease() throws {
        let script = E2E.supportFolder + "/transcript.sh"
        let readme = try String(contentsOfFile: E2E.repositoryRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains("Tests/HandoffE2ETests/Support/transcript.sh"), "the README says how to reproduce its transcript")
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_BIN_DIR"] = try E2E.hookBinaries()
        environment["HANDOFF_CLAUDE_BIN"] = try E2E.claudeBinary()
        let output = NSTemporaryDirectory() + "handoff-transcript-\(UUID().uuidString.prefix(8)).txt"
        defer { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: output + ".err") }
        let run = try E2E.run(["bash", script], in: E2E.repositoryRoot, environment: environment, timeout: 180, outputFile: output)
        let stderr = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        #expect(!run.timedOut)
        #expect(run.status == 0, "\(run.output)\n\(stderr)")
        for expected in [
            "Stop hook feedback:\n           handoff: no handover yet for this session's work.",
            "assistant: ## Framework Reflection",
            "stop_blocked    handoff: no handover yet",
            "\"type\":\"handover\"",
            "Handover:    complete (reflection)",
        ] {
            #expect(run.output.contains(expected), "missing \(expected) in:\n\(run.output)")
        }
        // The README shows the same session: its block reason and its release are the script's.
        #expect(readme.contains("Stop hook feedback:\n           handoff: no handover yet for this session's work."))
        #expect(readme.contains("Handover:    complete (reflection)"))
    }

    /// The premise of doctor's double-registration warning, with the real CLI: handoff's plugin
    /// installed by `claude plugin install` and handoff's entries in ~/.claude/settings.json both
    /// fire, so every event runs handoff twice; with one of them gone, once.
    @Test func pluginAndSettingsTogetherFireEveryHookTwiceAndDoctorSaysSo() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [], "default": {"text": "Four."}}
            """)
        // A local marketplace holding a copy of the plugin; `claude plugin` needs no network for it.
        let marketplace = sandbox.folder + "/marketplace"
        try FileManager.default.createDirectory(atPath: marketplace + "/.claude-plugin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: E2E.pluginFolder, toPath: marketplace + "/handoff")
        try """
            {"name": "handoff-local", "owner": {"name": "handoff tests"}, "plugins": [{"name": "handoff", "source": "./handoff"}]}
            """.write(toFile: marketplace + "/.claude-plugin/marketplace.json", atomically: true, encoding: .utf8)
        for arguments in [["plugin", "marketplace", "add", marketplace], ["plugin", "install", "handoff@handoff-local"]] {
            let result = try E2E.run([sandbox.claude] + arguments, in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 60)
            try #require(result.status == 0 && !result.timedOut, "claude \(arguments.joined(separator: " ")): \(result.output)" as Comment)
        }
        let handoff = sandbox.binaries + "/handoff"
        let install = try E2E.run([handoff, "install", "--claude", "--bin-dir", sandbox.binaries], in: sandbox.repo,
                                  environment: sandbox.cliEnvironment, timeout: 30)
        try #require(install.status == 0, "\(install.output)")
        // The plugin already serves `handoff mcp`: install adds no second server (the agent would see every task tool twice).
        #expect(install.output.contains("MCP server handoff: not added: the enabled plugin handoff@handoff-local already serves it"), "\(install.output)")
        let servers = try E2E.run([sandbox.claude, "mcp", "list"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 60)
        #expect(servers.output.components(separatedBy: "handoff-mcp").count - 1 == 1 && !servers.output.contains("\nhandoff:"), "one handoff server: \(servers.output)")

        func doctor() throws -> [String: Any] {
            let result = try E2E.run([handoff, "doctor", "--json"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 60)
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
            let checks = json["checks"] as? [[String: Any]] ?? []
            return checks.first { $0["id"] as? String == "agent-hooks" } ?? [:]
        }
        let warning = try doctor()
        #expect(warning["status"] as? String == "warn", "\(warning)")
        #expect((warning["detail"] as? String ?? "").contains("handoff@handoff-local"))

        let twice = try sandbox.claude("what is two plus two?", pluginDir: false)
        #expect(!twice.timedOut && twice.resultText == "Four.", "\(twice.result) \(sandbox.diagnostics)")
        #expect(sandbox.events("session_start").filter { $0["session"] as? String == twice.sessionID }.count == 2, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").filter { $0["session"] as? String == twice.sessionID }.count == 2, "\(sandbox.diagnostics)")

        let uninstall = try E2E.run([handoff, "uninstall", "--claude"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 30)
        try #require(uninstall.status == 0, "\(uninstall.output)")
        let single = try doctor()
        #expect(single["status"] as? String == "pass", "\(single)")
        #expect((single["detail"] as? String ?? "").contains("registered by the plugin handoff@handoff-local"))

        let once = try sandbox.claude("what is two plus two?", pluginDir: false)
        #expect(!once.timedOut && once.resultText == "Four.", "\(once.result)")
        #expect(sandbox.events("session_start").filter { $0["session"] as? String == once.sessionID }.count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").filter { $0["session"] as? String == once.sessionID }.count == 1, "\(sandbox.diagnostics)")
    }

    /// After `install.sh` into a scratch HOME (no `--plugin-dir`, no plugin enabled), `/handoff:dump`
    /// resolves in the real CLI: the model's request carries the command file's own text; the hooks
    /// fire once per event; doctor finds the commands; `--uninstall` takes them away again.
    @Test func installShGivesClaudeCodeTheHandoverCommandsAndTheHooksOnce() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [], "default": {"text": "Nothing to hand over."}}
            """)
        let prefix = sandbox.folder + "/prefix"
        let script = E2E.repositoryRoot + "/install.sh"
        let install = try E2E.run(["/bin/sh", script, "--from-build", sandbox.binaries, "--prefix", prefix, "--repo", sandbox.repo, "--no-proof"],
                                  in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 120)
        try #require(install.status == 0 && !install.timedOut, "install.sh: \(install.output)")
        let commands = sandbox.home + "/.claude/commands/handoff"
        for name in ["dump.md", "handoff-end.md"] {
            #expect(FileManager.default.fileExists(atPath: commands + "/" + name), "install.sh installs \(name): \(install.output)")
        }

        let doctor = try E2E.run([prefix + "/bin/handoff", "doctor", "--json"], in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 60)
        let checks = ((try? JSONSerialization.jsonObject(with: Data(doctor.output.utf8))) as? [String: Any])?["checks"] as? [[String: Any]] ?? []
        let check = checks.first { $0["id"] as? String == "agent-commands" } ?? [:]
        #expect(check["status"] as? String == "pass", "\(check) \(doctor.output)")

        let run = try sandbox.claude("/handoff:dump", pluginDir: false)
        #expect(!run.timedOut && run.status == 0, "\(run.result) \(run.stderr) \(sandbox.diagnostics)")
        // A sentence of the command's body (after its front matter), as the user's file has it.
        let body = try String(contentsOfFile: E2E.pluginFolder + "/commands/dump.md", encoding: .utf8)
        let sentence = try #require(body.split(separator: "\n").first { $0.hasPrefix("Work that is not committed") }.map(String.init))
        let request = try #require(sandbox.mainRequests.first, "no request reached the model: \(run.result) \(run.stderr)")
        #expect(E2ESandbox.text(of: request).contains(sentence), "the request does not carry /handoff:dump's text: \(E2ESandbox.text(of: request).prefix(2000))")
        #expect(!E2ESandbox.text(of: request).contains("no command with that name"))
        #expect(sandbox.events("session_start").filter { $0["session"] as? String == run.sessionID }.count == 1, "\(sandbox.diagnostics)")

        let uninstall = try E2E.run(["/bin/sh", script, "--uninstall", "--prefix", prefix, "--from-build", sandbox.binaries],
                                    in: sandbox.repo, environment: sandbox.cliEnvironment, timeout: 120)
        try #require(uninstall.status == 0, "\(uninstall.output)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/.claude/commands"), "uninstall removes the commands and the folders install.sh created: \(uninstall.output)")
    }
}
