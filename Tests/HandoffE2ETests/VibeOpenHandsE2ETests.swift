import Foundation
import HandoffKit
import Testing

/// The real Mistral Vibe (3.0.3) and OpenHands (1.16.0) CLIs, headless against the loopback
/// chat-completions model, with handoff's hooks registered by the real installer code. `.ci/run`
/// installs both into versioned environments outside the clone (`.ci/agent-cli-venv`); without them
/// these tests fail, naming the command that installs them.
enum PythonAgentCLI {
    static func binary(variable: String, cached: String, install: String) throws -> String {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment[variable], !explicit.isEmpty { candidates.append(explicit) }
        let cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { $0 } ?? NSHomeDirectory() + "/.cache"
        candidates.append(cache + "/handoff-ci/" + cached)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw E2E.SetupError(description: "the CLI was not found (tried: \(candidates.joined(separator: ", "))); install it with `\(install)` or set \(variable)")
    }
}

/// One scenario: a repository opted in, with a local bare remote, a scripted model, an agent home.
final class PythonAgentSandbox: @unchecked Sendable {
    // @unchecked: a sandbox belongs to one test function and is used from its task only.
    enum Agent { case vibe, openHands }

    let agent: Agent
    let folder: String
    let repo: String
    let home: String
    let cli: String
    let server: ChatCompletionsServer

    static let reflection = "## Framework Reflection\\n\\n**Outcome**: success\\n**Accomplishments**: committed and pushed the change\\n**Friction points**: none\\n**Next step**: none\\n\\nHandover complete."

    /// `script` with its shell calls as OpenHands' `terminal` tool takes them: `security_risk` is a
    /// required choice there, which the server's placeholder for other parameters is not.
    static func adapted(_ script: String, for agent: Agent) -> String {
        guard agent == .openHands else { return script }
        var result = ""
        var rest = Substring(script)
        while let start = rest.firstRange(of: "\"shell\": ") {
            result += rest[..<start.lowerBound]
            rest = rest[start.upperBound...]
            // The command is a JSON string: up to its closing quote (escaped quotes skipped).
            var index = rest.index(after: rest.startIndex)
            while rest[index] != "\"" { index = rest.index(after: rest[index] == "\\" ? rest.index(after: index) : index) }
            let command = rest[...index]
            rest = rest[rest.index(after: index)...]
            result += "\"tool\": \"terminal\", \"arguments\": {\"command\": \(command), \"security_risk\": \"LOW\"}"
        }
        return result + rest
    }

    init(_ agent: Agent, script: String) throws {
        self.agent = agent
        let script = Self.adapted(script, for: agent)
        switch agent {
        case .vibe:
            cli = try PythonAgentCLI.binary(variable: "HANDOFF_VIBE_BIN", cached: "mistral-vibe-3.0.3-py3.12/bin/vibe",
                                            install: ".ci/agent-cli-venv mistral-vibe 3.0.3 3.12 --loosen certifi")
        case .openHands:
            cli = try PythonAgentCLI.binary(variable: "HANDOFF_OPENHANDS_BIN", cached: "openhands-1.16.0-py3.12/bin/openhands",
                                            install: ".ci/agent-cli-venv openhands 1.16.0 3.12")
        }
        let binaries = try E2E.hookBinaries()
        folder = E2E.repositoryRoot + "/.build/handoff-python-agents-e2e/\(UUID().uuidString.prefix(8))"
        repo = folder + "/repo"
        home = folder + "/home"
        for path in [repo, home] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        server = try ChatCompletionsServer(script: script, folder: folder + "/model", idleTimeout: 180)
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "e2e@example.invalid")
        try git("config", "user.name", "E2E")
        try git("config", "commit.gpgsign", "false")
        try git("config", "handoff.enabled", "true")
        try "hello\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try git("add", "README")
        try git("commit", "-qm", "initial")
        try git("init", "-q", "--bare", folder + "/remote.git")
        try git("remote", "add", "origin", folder + "/remote.git")
        try git("push", "-q", "-u", "origin", "main")
        // The store, as `handoff install --git` leaves it (without it the first hook finds it wiped).
        let initialised = try E2E.run([binaries + "/handoff", "init"], in: repo, timeout: 30)
        guard initialised.status == 0 else { throw E2E.SetupError(description: "handoff init: \(initialised.output)") }
        switch agent {
        case .vibe:
            let vibeHome = home + "/.vibe"
            try FileManager.default.createDirectory(atPath: vibeHome, withIntermediateDirectories: true)
            try """
                active_model = "stub"
                enable_update_checks = false
                [[providers]]
                name = "stub"
                api_base = "\(server.baseURL)"
                api_key_env_var = ""
                backend = "generic"
                [[models]]
                name = "stub-model"
                provider = "stub"
                alias = "stub"

                """.write(toFile: vibeHome + "/config.toml", atomically: true, encoding: .utf8)
            _ = try VibeHooks.install(hooksAt: vibeHome + "/hooks.toml", binDirectory: binaries, scope: .user, dryRun: false)
        case .openHands:
            let path = home + "/.openhands/hooks.json"
            _ = try OpenHandsHooks.install(hooksAt: path, binDirectory: binaries, scope: .user, dryRun: false)
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
        var environment = ProcessInfo.processInfo.environment
        for key in ["CODEX_THREAD_ID", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SESSION_ID", "HANDOFF_SESSION_ID",
                    "CLAUDE_PROJECT_DIR", "GIT_DIR", "GIT_WORK_TREE", "HANDOFF_GATE", "HANDOFF_GATE_MAX_BLOCKS", "HANDOFF_DISABLED",
                    "OPENAI_API_KEY", "OPENAI_BASE_URL", "VIBE_HOME", "OPENHANDS_PERSISTENCE_DIR", "OPENHANDS_CONVERSATIONS_DIR"] {
            environment[key] = nil
        }
        environment["HOME"] = home
        switch agent {
        case .vibe:
            environment["VIBE_HOME"] = home + "/.vibe"
            // No keyring on a headless machine: Vibe would wait on it for the API key it does not need.
            environment["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
            environment["MISTRAL_API_KEY"] = "unused"
        case .openHands:
            environment["OPENHANDS_PERSISTENCE_DIR"] = home + "/.openhands"
            environment["LLM_API_KEY"] = "unused"
            environment["LLM_MODEL"] = "openai/stub-model"
            environment["LLM_BASE_URL"] = server.baseURL
            // LiteLLM would fetch its model price list from the network first.
            environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
            environment["OPENHANDS_SUPPRESS_BANNER"] = "1"
        }
        return environment
    }

    struct Run {
        var status: Int32
        var timedOut: Bool
        var output: String
    }

    /// One headless run with `prompt`, in the repository.
    func run(_ prompt: String, timeout: Double = 240) throws -> Run {
        let arguments: [String]
        switch agent {
        case .vibe: arguments = [cli, "-p", prompt, "--trust", "--auto-approve"]
        case .openHands: arguments = [cli, "--headless", "--json", "--override-with-envs", "-t", prompt]
        }
        let file = folder + "/cli-\(UUID().uuidString.prefix(6)).out"
        let outcome = try E2E.run(arguments, in: repo, environment: environment, timeout: timeout, outputFile: file)
        return Run(status: outcome.status, timedOut: outcome.timedOut, output: outcome.output)
    }

    var events: [[String: Any]] {
        guard let text = try? String(contentsOfFile: repo + "/.handoff/events.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func events(_ type: String) -> [[String: Any]] { events.filter { $0["type"] as? String == type } }

    /// What the model was told after each of its answers, in order.
    var toldModel: [String] {
        server.mainRequests.map { request in
            let messages = (request["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
            // After the model's last answer; content is a string or a list of text parts (LiteLLM).
            return messages.reversed().prefix { $0["role"] as? String != "assistant" }.reversed().map { message -> String in
                if let text = message["content"] as? String { return text }
                return (message["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }

    var diagnostics: String {
        "events: \(events.map { "\($0["type"] ?? "")" }.joined(separator: ",")); told: \(toldModel.map { String($0.prefix(160)) })"
    }
}

@Suite("Mistral Vibe and OpenHands, end to end", .serialized)
struct VibeOpenHandsE2ETests {
    static let commitScript = """
        {"rules": [
          {"when_contains": "commit and push", "times": 1,
           "reply": {"text": "Committing.", "shell": "printf '0.2.0\\\\n' >> README && git commit -qam 'Release 0.2.0' && git push -q origin main && echo pushed"}},
          {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(PythonAgentSandbox.reflection)"}}
         ],
         "default": {"text": "Done: committed and pushed."}}
        """

    static let uncommittedScript = """
        {"rules": [
          {"when_contains": "write the notes", "times": 1, "reply": {"text": "Writing.", "shell": "echo draft > notes.txt && echo written"}}
         ],
         "default": {"text": "Done."}}
        """

    static let readOnlyScript = """
        {"rules": [{"when_contains": "what is in", "times": 1, "reply": {"text": "Reading.", "shell": "cat README"}}],
         "default": {"text": "It says hello."}}
        """

    func commitPushBlockedOnceThenReleasedByTheReflection(_ agent: PythonAgentSandbox.Agent) throws {
        let sandbox = try PythonAgentSandbox(agent, script: Self.commitScript)
        let run = try sandbox.run("commit and push the release note")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1 && handovers.first?["outcome"] as? String == "success", "\(sandbox.diagnostics)")
        #expect(sandbox.toldModel.contains { $0.contains("no handover yet") && $0.contains("/handoff-dump") }, "\(sandbox.diagnostics)")
        #expect(sandbox.events("gate_overridden").isEmpty)
        // The tool event, with the exit status the agent reports.
        let tool = sandbox.events("tool").first { ($0["command"] as? String)?.contains("git commit") == true }
        #expect(tool?["exit_code"] as? Int == 0, "\(sandbox.events("tool"))")
        #expect(sandbox.events("session_start").count == 1, "one session, started once: \(sandbox.diagnostics)")
    }

    func uncommittedFileNamedThenReleasedByTheCap(_ agent: PythonAgentSandbox.Agent) throws {
        let sandbox = try PythonAgentSandbox(agent, script: Self.uncommittedScript)
        let run = try sandbox.run("write the notes")
        #expect(!run.timedOut, "the session ends: \(sandbox.diagnostics)")
        let blocks = sandbox.events("stop_blocked")
        #expect(blocks.first.map { ($0["reason"] as? String ?? "").contains("notes.txt") } == true, "\(sandbox.diagnostics)")
        #expect(sandbox.toldModel.contains { $0.contains("notes.txt") }, "the model is told the file: \(sandbox.diagnostics)")
        // A model that never reflects: handoff's cap (3; Vibe's own 3 a turn is the same call) releases it.
        #expect(blocks.count == 3, "\(sandbox.diagnostics)")
        #expect(sandbox.events("gate_overridden").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("file_edit").isEmpty && sandbox.events("tool").contains { ($0["command"] as? String)?.contains("notes.txt") == true })
    }

    func readOnlyTurnNeverBlocked(_ agent: PythonAgentSandbox.Agent) throws {
        let sandbox = try PythonAgentSandbox(agent, script: Self.readOnlyScript)
        let run = try sandbox.run("what is in the README?")
        #expect(!run.timedOut)
        #expect(sandbox.events("stop_blocked").isEmpty, "\(sandbox.diagnostics)")
        #expect(!sandbox.events("stop_allowed").isEmpty, "\(sandbox.diagnostics)")
        #expect(sandbox.events("tool").contains { $0["command"] as? String == "cat README" }, "\(sandbox.diagnostics)")
    }

    @Test func vibeCommitAndPush() throws { try commitPushBlockedOnceThenReleasedByTheReflection(.vibe) }
    @Test func vibeUncommittedAndNeverReflecting() throws { try uncommittedFileNamedThenReleasedByTheCap(.vibe) }
    @Test func vibeReadOnly() throws { try readOnlyTurnNeverBlocked(.vibe) }
    @Test func openHandsCommitAndPush() throws { try commitPushBlockedOnceThenReleasedByTheReflection(.openHands) }
    @Test func openHandsUncommittedAndNeverReflecting() throws { try uncommittedFileNamedThenReleasedByTheCap(.openHands) }
    @Test func openHandsReadOnly() throws { try readOnlyTurnNeverBlocked(.openHands) }
}
