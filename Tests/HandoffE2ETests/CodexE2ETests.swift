import Foundation
import HandoffKit
import Testing

/// handoff's hooks against the real Codex CLI 0.163.0 (see CodexE2ESupport.swift). Serialized like
/// the Claude Code suite: each scenario starts a CLI and a server.
@Suite("Codex end to end (real Codex CLI)", .serialized)
struct CodexE2ETests {
    static let reflection = "## Framework Reflection\\n\\n**Outcome**: success\\n**Accomplishments**: committed and pushed the change\\n**Friction points**: none\\n**Next step**: none\\n\\nHandover complete."

    @Test(arguments: CLIVersion.allCases) func theModelCommitsAndPushesIsBlockedOnceThenReflectsAndIsReleased(version: CLIVersion) throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [
              {"when_contains": "commit and push", "times": 1,
               "reply": {"text": "Committing.", "shell": "echo more >> README && git commit -qam 'e2e change' && git push -q origin main"}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(Self.reflection)"}}
            ], "default": {"text": "Done: committed and pushed."}}
            """, version: version)
        let run = try sandbox.exec("please commit and push the change")
        #expect(!run.timedOut, "codex did not finish: \(sandbox.diagnostics)")
        #expect(run.status == 0, "\(run.log)")
        #expect(run.output.contains("## Framework Reflection"), "last message: \(run.output); \(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1, "\(sandbox.diagnostics)")
        #expect(handovers.first?["outcome"] as? String == "success")
        // The block reached the model as its next user message, in Codex's words.
        let texts = sandbox.mainRequests.map(CodexSandbox.text(of:))
        #expect(texts.contains { $0.contains("<hook_prompt") && $0.contains("no handover yet") && $0.contains("$handoff-dump") }, "\(sandbox.diagnostics)")
        // The turn started with the resume brief.
        #expect(texts.first?.contains("handoff — no handover recorded yet") == true)
        let session = try #require(sandbox.events("session_start").first?["session"] as? String)
        #expect(FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff/sessions/\(session).reflection.md"))
        #expect(sandbox.events("session_end").count == 1, "\(sandbox.diagnostics)")
        #expect(try sandbox.git("status", "--porcelain").isEmpty)
    }

    @Test(arguments: CLIVersion.allCases) func anUncommittedFileIsBlockedAndTheFileNamed(version: CLIVersion) throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [
              {"when_contains": "write the notes", "times": 1, "reply": {"text": "Writing.", "shell": "echo draft > notes.txt"}},
              {"when_contains": "uncommitted file (notes.txt)", "times": 1,
               "reply": {"text": "Committing the notes.", "shell": "git add notes.txt && git commit -qm 'add notes' && git push -q origin main"}}
            ], "default": {"text": "\(Self.reflection)"}}
            """, version: version)
        let run = try sandbox.exec("please write the notes")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        let blocks = sandbox.events("stop_blocked")
        #expect(blocks.count == 1, "\(sandbox.diagnostics)")
        #expect((blocks.first?["reason"] as? String)?.contains("1 uncommitted file (notes.txt)") == true, "\(blocks)")
        #expect(sandbox.mainRequests.map(CodexSandbox.text(of:)).contains { $0.contains("<hook_prompt") && $0.contains("notes.txt") })
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        #expect(try sandbox.git("log", "--oneline").contains("add notes"))
    }

    @Test(arguments: CLIVersion.allCases) func aReadOnlyTurnIsNeverBlocked(version: CLIVersion) throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [{"when_contains": "what is in", "times": 1, "reply": {"text": "Reading.", "shell": "cat README"}}],
             "default": {"text": "It says hello."}}
            """, version: version)
        let run = try sandbox.exec("what is in the README?")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(run.status == 0)
        #expect(run.output.contains("It says hello."))
        #expect(sandbox.events("stop_blocked").isEmpty, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").count == 1, "\(sandbox.diagnostics)")
        // Tool events are recorded with their class; Codex does not report the exit status, so none is claimed.
        let tool = try #require(sandbox.events("tool").first, "\(sandbox.diagnostics)")
        #expect(tool["command"] as? String == "cat README")
        #expect(tool["class"] as? String == "other")
        #expect(tool["ok"] == nil)
        #expect(sandbox.mainRequests.count == 2)
    }

    @Test(arguments: CLIVersion.allCases) func aModelThatNeverReflectsIsReleasedByHandoffsCapAndCodexExits(version: CLIVersion) throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "shell": "echo more >> README && git commit -qam 'e2e change' && git push -q origin main"}}
            ], "default": {"text": "Done."}}
            """, version: version)
        let started = Date()
        let run = try sandbox.exec("please commit the change")
        #expect(!run.timedOut, "Codex has no cap of its own: it kept going. \(sandbox.diagnostics)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(run.status == 0)
        #expect(sandbox.events("stop_blocked").count == 3, "\(sandbox.diagnostics)")
        #expect(sandbox.events("gate_overridden").count == 1, "\(sandbox.diagnostics)")
        // `codex exec` shows no hook's message (the TUI may): the release is in the log for `handoff events`.
        #expect((sandbox.events("gate_overridden").first?["reason"] as? String)?.contains("no handover yet") == true)
        #expect(run.log.contains("hook: Stop Completed"), "\(run.log)")
        // commit turn + first answer + three blocked answers.
        #expect(sandbox.mainRequests.count == 5, "\(sandbox.mainRequests.count) requests; \(sandbox.diagnostics)")
        // Codex sends the same turn's stops with `stop_hook_active` true: recorded as blocks in one series.
        #expect(sandbox.events("stop_blocked").compactMap { $0["consecutive"] as? Int } == [1, 2, 3])
    }

    @Test func anAutoCompactionIsSnapshottedCountedAndTheBriefReinjected() throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [
              {"when_contains": "commit and push", "times": 1,
               "reply": {"text": "Committing.", "shell": "echo more >> README && git commit -qam 'e2e change' && git push -q origin main",
                         "input_tokens": 900000}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(Self.reflection)"}}
            ], "default": {"text": "Done: committed and pushed."}}
            """, autoCompactLimit: 20000)
        let run = try sandbox.exec("please commit and push the change")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        let compaction = sandbox.events("compaction")
        #expect(compaction.count == 1, "\(sandbox.diagnostics)")
        #expect(compaction.first?["trigger"] as? String == "auto")
        let session = try #require(sandbox.events("session_start").first?["session"] as? String)
        #expect(FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff/sessions/\(session).compact-1.json"))
        #expect(sandbox.events("session_start").contains { $0["source"] as? String == "compact" }, "\(sandbox.diagnostics)")
        let runtime = sandbox.state()["_runtime"] as? [String: Any] ?? [:]
        #expect(runtime["compaction_count"] as? Int == 1, "\(sandbox.state())")
        #expect(sandbox.requests.contains { $0["kind"] as? String == "compact" }, "Codex did not ask for a summary")
        // The request after the compaction carries the brief that says so.
        #expect(sandbox.mainRequests.map(CodexSandbox.text(of:)).contains { $0.contains("Context was just compacted (#1") },
                "\(sandbox.diagnostics)")
    }

    @Test func hooksInstalledByHandoffInstallRunWithoutAnyBypassAndCodexTrustsThem() throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [], "default": {"text": "Four."}}
            """, hooks: false)
        // Before: Codex finds nothing of handoff's, and nothing runs.
        let install = try E2E.run([sandbox.binaries + "/handoff", "install", "--codex", "--bin-dir", sandbox.binaries],
                                  in: sandbox.repo, environment: sandbox.environment, timeout: 30)
        #expect(install.status == 0, "\(install.output)")
        let hooks = try sandbox.hooksAsCodexSeesThem()
        let ours = hooks.filter { ($0["command"] as? String)?.contains("--agent codex") == true }
        #expect(ours.count == CodexHooks.registrations.count, "\(hooks)")
        for hook in ours {
            #expect(hook["trustStatus"] as? String == "trusted", "\(hook)")
            // The hash handoff computes is the one Codex computes.
            let key = hook["key"] as? String ?? ""
            let registration = CodexHooks.registrations.first { key.contains(":\($0.eventKey):") }
            let expected = registration.map {
                CodexHooks.trustHash(eventKey: $0.eventKey, matcher: $0.matcher, command: hook["command"] as? String ?? "", timeout: $0.timeout)
            }
            #expect(hook["currentHash"] as? String == expected, "\(hook)")
        }
        let run = try sandbox.exec("what is two plus two?")
        #expect(!run.timedOut && run.status == 0, "\(run.log)")
        #expect(!run.log.contains("bypass-hook-trust"))
        #expect(sandbox.events("session_start").count == 1, "the SessionStart hook did not run: \(sandbox.diagnostics)\n\(run.log)")
        #expect(sandbox.events("stop_allowed").count == 1, "\(sandbox.diagnostics)")
        let doctor = try E2E.run([sandbox.binaries + "/handoff", "doctor", "--json", "--bin-dir", sandbox.binaries],
                                 in: sandbox.repo, environment: sandbox.environment, timeout: 60)
        #expect(doctor.output.contains("registered and trusted for the user"), "\(doctor.output)")

        // Uninstall puts config.toml back byte for byte.
        let before = try String(contentsOfFile: sandbox.home + "/config.toml.pre-handoff", encoding: .utf8)
        let uninstall = try E2E.run([sandbox.binaries + "/handoff", "uninstall", "--codex"], in: sandbox.repo,
                                    environment: sandbox.environment, timeout: 30)
        #expect(uninstall.status == 0, "\(uninstall.output)")
        #expect(try String(contentsOfFile: sandbox.home + "/config.toml", encoding: .utf8) == before)
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/hooks.json"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/skills/handoff-dump/SKILL.md"))
    }

    @Test func anEditedHookIsUntrustedAndTheDoctorSaysHowToFixIt() throws {
        let sandbox = try CodexSandbox(script: """
            {"rules": [], "default": {"text": "Four."}}
            """)
        let path = sandbox.home + "/hooks.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"timeout\": 10", with: "\"timeout\": 11")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try sandbox.exec("what is two plus two?")
        #expect(run.status == 0)
        // Codex skipped the modified hooks without a word: no session was recorded.
        #expect(sandbox.events("session_start").isEmpty, "\(sandbox.diagnostics)")
        let doctor = try E2E.run([sandbox.binaries + "/handoff", "doctor", "--bin-dir", sandbox.binaries],
                                 in: sandbox.repo, environment: sandbox.environment, timeout: 60)
        #expect(doctor.output.contains("not trusted"), "\(doctor.output)")
        #expect(doctor.output.contains("handoff install --codex"), "\(doctor.output)")
    }

    /// The script the README's Codex section names reproduces it: a blocked stop, the reason as a
    /// <hook_prompt> the model receives, the reflection that releases the next stop, hooks trusted by
    /// `handoff install --codex`.
    @Test func theReadmeCodexTranscriptScriptReproducesABlockAndARelease() throws {
        let readme = try String(contentsOfFile: E2E.repositoryRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains("Tests/HandoffE2ETests/Support/codex_transcript.sh"), "the README says how to reproduce its Codex transcript")
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_BIN_DIR"] = try E2E.hookBinaries()
        environment["HANDOFF_CODEX_BIN"] = try CodexE2E.codexBinary()
        let output = NSTemporaryDirectory() + "handoff-codex-transcript-\(UUID().uuidString.prefix(8)).txt"
        defer { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: output + ".err") }
        let run = try E2E.run(["bash", E2E.supportFolder + "/codex_transcript.sh"], in: E2E.repositoryRoot, environment: environment,
                              timeout: 180, outputFile: output)
        let stderr = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        #expect(!run.timedOut)
        #expect(run.status == 0, "\(run.output)\n\(stderr)")
        let block = "/home/.codex/hooks.json\">handoff: no handover yet for this session's work."
        for expected in [block, "assistant: ## Framework Reflection", "stop_blocked    handoff: no handover yet", "Handover:    complete (reflection)"] {
            #expect(run.output.contains(expected), "missing \(expected) in:\n\(run.output)")
        }
        #expect(readme.contains(block), "the README shows the same block")
    }
}
