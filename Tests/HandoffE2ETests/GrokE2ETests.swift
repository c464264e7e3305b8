import Foundation
import HandoffKit
import Testing

/// Drives the real Grok Build CLI (`grok -p`, pinned `grok-cli-bin` 0.2.111) against the loopback
/// chat-completions model (Support/fake_chat_server.py), with handoff's hooks registered by the
/// installer's own code, in a sandbox with its own HOME. Every wait is bounded.
enum GrokE2E {
    static let pinnedVersion = "0.2.111"

    /// `HANDOFF_GROK_BIN`, else the CLI `.ci/run` installs into its cache outside the clone.
    static func grokBinary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["HANDOFF_GROK_BIN"], !explicit.isEmpty { candidates.append(explicit) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        candidates.append(cache + "/handoff-ci/grok-cli-bin-\(pinnedVersion)/grok_cli_bin/bin/grok")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw E2E.SetupError(description: """
            the Grok Build CLI was not found (tried: \(candidates.joined(separator: ", "))). Run .ci/run, or install it with \
            `pip install --no-deps --target ~/.cache/handoff-ci/grok-cli-bin-\(pinnedVersion) grok-cli-bin==\(pinnedVersion)` \
            or set HANDOFF_GROK_BIN to the `grok` executable.
            """)
    }
}

/// One grok scenario: a git repository with a local bare remote, a HOME with grok's config, a scripted model.
final class GrokSandbox: @unchecked Sendable {
    // @unchecked: a sandbox belongs to one test function and is used from its task only.
    enum Registration { case grok, claudeUserSettings, none }

    let folder: String
    let repo: String
    let remote: String
    let home: String
    let grok: String
    let binaries: String
    let server: ChatCompletionsServer

    init(script: String, registration: Registration = .grok) throws {
        grok = try GrokE2E.grokBinary()
        binaries = try E2E.hookBinaries()
        folder = NSTemporaryDirectory() + "handoff-grok-e2e-\(UUID().uuidString.prefix(8))"
        repo = folder + "/repo"
        remote = folder + "/remote.git"
        home = folder + "/home"
        for path in [repo, home + "/.grok"] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        server = try ChatCompletionsServer(script: script, folder: folder + "/server")
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "e2e@example.invalid")
        try git("config", "user.name", "E2E")
        try git("config", "commit.gpgsign", "false")
        try git("config", "handoff.enabled", "true")
        try "hello\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try git("add", "README")
        try git("commit", "-qm", "initial")
        try git("init", "-q", "--bare", remote)
        try git("remote", "add", "origin", remote)
        try git("push", "-q", "-u", "origin", "main")
        try """
            [model.stub]
            model = "stub-model"
            base_url = "\(server.baseURL)"
            api_key = "dummy"

            [models]
            default = "stub"

            """.write(toFile: home + "/.grok/config.toml", atomically: true, encoding: .utf8)
        switch registration {
        case .grok: _ = try GrokHooks.install(grokFolder: home + "/.grok", binDirectory: binaries, dryRun: false)
        case .claudeUserSettings:
            _ = try ClaudeSettings().install(settingsAt: home + "/.claude/settings.json", binDirectory: binaries, scope: .user)
        case .none: break
        }
    }

    deinit {
        if ProcessInfo.processInfo.environment["HANDOFF_E2E_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) }
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let outcome = try E2E.run(["git"] + arguments, in: repo, timeout: 20)
        guard outcome.status == 0 else { throw E2E.SetupError(description: "git \(arguments): \(outcome.output)") }
        return outcome.output
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GROK_") && !key.hasPrefix("CLAUDE") && !key.hasPrefix("CODEX_") && !key.hasPrefix("GIT_")
                && !key.hasPrefix("HANDOFF_") && !key.hasPrefix("XAI_") && !key.hasPrefix("OPENAI_")
        }
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = nil
        environment["XDG_CACHE_HOME"] = nil
        return environment
    }

    struct Run {
        var status: Int32
        var timedOut: Bool
        var output: String
        var log: String
    }

    /// `grok -p PROMPT -m stub --always-approve` in the repository; at most `timeout` seconds.
    func run(_ prompt: String, timeout: Double = 90) throws -> Run {
        let file = folder + "/grok-\(UUID().uuidString.prefix(6)).out"
        let outcome = try E2E.run([grok, "-p", prompt, "-m", "stub", "--always-approve"], in: repo, environment: environment,
                                  timeout: timeout, outputFile: file)
        let log = (try? String(contentsOfFile: file + ".err", encoding: .utf8)) ?? ""
        return Run(status: outcome.status, timedOut: outcome.timedOut, output: outcome.output, log: log)
    }

    var events: [[String: Any]] {
        guard let text = try? String(contentsOfFile: repo + "/.handoff/events.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func events(_ type: String) -> [[String: Any]] { events.filter { $0["type"] as? String == type } }

    /// What the model was told after each of its answers (the user and tool messages since).
    var toldAfterAnswers: [String] { server.mainRequests.map(ChatCompletionsServer.lastUserText(of:)) }

    var diagnostics: String {
        "sandbox \(folder) (set HANDOFF_E2E_KEEP=1 to keep it); events: \(events.map { $0["type"] as? String ?? "?" }); requests: \(server.requests.count)"
    }
}

/// handoff's hooks against the real Grok Build CLI. Serialized: each scenario starts a CLI and a server.
@Suite("Grok Build end to end (real grok CLI)", .serialized)
struct GrokE2ETests {
    static let reflection = "## Framework Reflection\\n\\n**Outcome**: success\\n**Accomplishments**: committed and pushed the change\\n**Friction points**: none\\n**Next step**: none\\n\\nHandover complete."

    static let commitAndPush = """
        {"rules": [
          {"when_contains": "commit and push", "times": 1,
           "reply": {"text": "Committing.", "shell": "echo more >> README && git commit -qam 'e2e change' && git push -q origin main"}},
          {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(reflection)"}}
        ], "default": {"text": "Done: committed and pushed."}}
        """

    @Test func theModelCommitsAndPushesIsBlockedOnceThenReflectsAndIsReleased() throws {
        let sandbox = try GrokSandbox(script: Self.commitAndPush)
        let run = try sandbox.run("please commit and push the change")
        #expect(!run.timedOut, "grok did not finish: \(sandbox.diagnostics)")
        #expect(run.status == 0, "\(run.log)")
        #expect(run.output.contains("## Framework Reflection"), "\(run.output); \(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1, "\(sandbox.diagnostics)")
        #expect(handovers.first?["outcome"] as? String == "success")
        // The block reached the model as grok's "Stop hook feedback", naming grok's skill.
        #expect(sandbox.toldAfterAnswers.contains { $0.contains("Stop hook feedback") && $0.contains("no handover yet") && $0.contains("/handoff-dump") },
                "\(sandbox.toldAfterAnswers)")
        // The session is recorded as grok's. (Grok ignores what a SessionStart hook prints, so the
        // resume brief does not reach its model: the README's agent table says so.)
        let texts = sandbox.server.mainRequests.map(ChatCompletionsServer.text(of:))
        #expect(texts.first?.contains("handoff — no handover recorded yet") == false, "grok now passes SessionStart's context on: update the README")
        let start = try #require(sandbox.events("session_start").first, "\(sandbox.diagnostics)")
        #expect(start["agent"] as? String == "grok")
        let session = try #require(start["session"] as? String)
        #expect(sandbox.events("stop_blocked").first?["session"] as? String == session)
        #expect(FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff/sessions/\(session).reflection.md"))
        #expect(try sandbox.git("status", "--porcelain").isEmpty)
    }

    @Test func anUncommittedFileIsBlockedAndTheFileNamed() throws {
        let sandbox = try GrokSandbox(script: """
            {"rules": [
              {"when_contains": "write the notes", "times": 1, "reply": {"text": "Writing.", "shell": "echo draft > notes.txt"}},
              {"when_contains": "uncommitted file (notes.txt)", "times": 1,
               "reply": {"text": "Committing the notes.", "shell": "git add notes.txt && git commit -qm 'add notes' && git push -q origin main"}}
            ], "default": {"text": "\(Self.reflection)"}}
            """)
        let run = try sandbox.run("please write the notes")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        let blocks = sandbox.events("stop_blocked")
        #expect(blocks.count == 1, "\(sandbox.diagnostics)")
        #expect((blocks.first?["reason"] as? String)?.contains("1 uncommitted file (notes.txt)") == true, "\(blocks)")
        #expect(sandbox.toldAfterAnswers.contains { $0.contains("Stop hook feedback") && $0.contains("notes.txt") })
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        #expect(try sandbox.git("log", "--oneline").contains("add notes"))
    }

    @Test func aReadOnlyTurnIsNeverBlockedAndItsToolEventsAreRecorded() throws {
        let sandbox = try GrokSandbox(script: """
            {"rules": [
              {"when_contains": "what is in", "times": 1, "reply": {"text": "Reading.", "shell": "cat README"}},
              {"when_contains": "hello", "times": 1, "reply": {"text": "Checking.", "shell": "echo 'error: 2 tests failed' >&2; exit 3"}}
            ], "default": {"text": "It says hello."}}
            """)
        let run = try sandbox.run("what is in the README?")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(run.status == 0)
        #expect(run.output.contains("It says hello."))
        #expect(sandbox.events("stop_blocked").isEmpty, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").count == 1, "\(sandbox.diagnostics)")
        // Grok reports each shell call's exit status: recorded, with the failing one's output.
        let tools = sandbox.events("tool")
        #expect(tools.count == 2, "\(sandbox.diagnostics)")
        #expect(tools.first?["command"] as? String == "cat README")
        #expect(tools.first?["ok"] as? Bool == true)
        #expect(tools.last?["exit_code"] as? Int == 3)
        #expect(tools.last?["ok"] as? Bool == false)
        #expect((tools.last?["output_tail"] as? String)?.contains("2 tests failed") == true, "\(tools)")
    }

    @Test func aModelThatNeverReflectsIsReleasedByTheCapAndGrokExits() throws {
        let sandbox = try GrokSandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "shell": "echo more >> README && git commit -qam 'e2e change' && git push -q origin main"}}
            ], "default": {"text": "Done."}}
            """)
        let started = Date()
        let run = try sandbox.run("please commit the change")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(run.status == 0, "\(run.log)")
        // handoff's cap (3) comes before grok's own (8 a turn).
        #expect(sandbox.events("stop_blocked").count == 3, "\(sandbox.diagnostics)")
        #expect(sandbox.events("gate_overridden").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.server.mainRequests.count == 5, "\(sandbox.server.mainRequests.count) requests; \(sandbox.diagnostics)")
    }

    @Test func aUserLevelClaudeCodeInstallGatesAGrokSessionAndRecordsItAsGrok() throws {
        let sandbox = try GrokSandbox(script: Self.commitAndPush, registration: .claudeUserSettings)
        let run = try sandbox.run("please commit and push the change")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(run.status == 0, "\(run.log)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("session_start").first?["agent"] as? String == "grok", "\(sandbox.diagnostics)")
        #expect(sandbox.toldAfterAnswers.contains { $0.contains("Stop hook feedback") && $0.contains("/handoff-dump") })
        #expect(sandbox.events("unknown_agent").isEmpty)
    }

    @Test func withBothRegistrationsEachGrokEventIsHandledOnce() throws {
        let sandbox = try GrokSandbox(script: Self.commitAndPush, registration: .claudeUserSettings)
        _ = try GrokHooks.install(grokFolder: sandbox.home + "/.grok", binDirectory: sandbox.binaries, dryRun: false)
        let run = try sandbox.run("please commit and push the change")
        #expect(!run.timedOut && run.status == 0, "\(run.log)")
        #expect(sandbox.events("session_start").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("tool").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
    }

    @Test func handoffInstallGrokRegistersDoctorPassesAndUninstallLeavesGrokAsItWas() throws {
        let sandbox = try GrokSandbox(script: """
            {"rules": [], "default": {"text": "Four."}}
            """, registration: .none)
        let before = try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/.grok").sorted()
        let install = try E2E.run([sandbox.binaries + "/handoff", "install", "--grok", "--bin-dir", sandbox.binaries],
                                  in: sandbox.repo, environment: sandbox.environment, timeout: 30)
        #expect(install.status == 0, "\(install.output)")
        #expect(FileManager.default.fileExists(atPath: sandbox.home + "/.grok/skills/handoff-dump/SKILL.md"))
        let run = try sandbox.run("what is two plus two?")
        #expect(!run.timedOut && run.status == 0, "\(run.log)")
        #expect(sandbox.events("session_start").count == 1, "the SessionStart hook did not run: \(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").count == 1, "\(sandbox.diagnostics)")
        let doctor = try E2E.run([sandbox.binaries + "/handoff", "doctor", "--bin-dir", sandbox.binaries],
                                 in: sandbox.repo, environment: sandbox.environment, timeout: 60)
        #expect(doctor.output.contains("grok-hooks: registered for the user"), "\(doctor.output)")
        #expect(doctor.output.contains("agent-payloads: every hook payload"), "\(doctor.output)")
        let uninstall = try E2E.run([sandbox.binaries + "/handoff", "uninstall", "--grok"], in: sandbox.repo,
                                    environment: sandbox.environment, timeout: 30)
        #expect(uninstall.status == 0, "\(uninstall.output)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/.grok/hooks"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/.grok/skills"))
        // grok's own files (sessions, trust) stay; nothing of handoff's is left.
        let after = try FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/.grok").sorted()
        #expect(Set(before).isSubset(of: Set(after)), "\(before) → \(after)")
        #expect(!after.contains("hooks") && !after.contains("skills"), "\(after)")
    }
}
