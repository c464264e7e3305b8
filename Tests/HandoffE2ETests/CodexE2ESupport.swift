import Foundation
import HandoffKit
import Testing

/// Drives the real Codex CLI (`codex exec`, pinned 0.163.0) against the loopback scripted model
/// (Support/fake_responses_server.py), with handoff's hooks registered and trusted by the real
/// installer code. The sandbox lives under the package's .build/ (Codex warns about a CODEX_HOME
/// under /tmp); every wait is bounded.
enum CodexE2E {
    /// `HANDOFF_CODEX_BIN`, else the CLI `.ci/run` installs under Tests/HandoffE2ETests/.codex-cli.
    static func codexBinary(_ version: CLIVersion = .pinned) throws -> String {
        if version == .newest {
            return try E2E.newest(package: "openai-codex-cli-bin", version: E2E.newestCodex, binary: "codex_cli_bin/bin/codex",
                                  variable: "HANDOFF_CODEX_BIN_NEWEST")
        }
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["HANDOFF_CODEX_BIN"], !explicit.isEmpty { candidates.append(explicit) }
        candidates.append(E2E.repositoryRoot + "/Tests/HandoffE2ETests/.codex-cli/codex_cli_bin/bin/codex")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw E2E.SetupError(description: """
            the Codex CLI was not found (tried: \(candidates.joined(separator: ", "))). Install it with \
            `pip install --no-deps --target Tests/HandoffE2ETests/.codex-cli openai-codex-cli-bin==0.163.0` \
            or set HANDOFF_CODEX_BIN to the `codex` executable.
            """)
    }
}

/// One Codex scenario: a git repository with a local bare remote, a CODEX_HOME, a scripted model.
final class CodexSandbox: @unchecked Sendable {
    // @unchecked: a sandbox belongs to one test function and is used from its task only.
    let folder: String
    let repo: String
    let remote: String
    let home: String
    let codex: String
    let binaries: String
    private var server: Process?
    private(set) var port = 0

    /// `hooks`: register and trust handoff's hooks with the installer's own code (false: the test installs them).
    init(script: String, autoCompactLimit: Int? = nil, hooks: Bool = true, version: CLIVersion = .pinned) throws {
        codex = try CodexE2E.codexBinary(version)
        binaries = try E2E.hookBinaries()
        folder = E2E.repositoryRoot + "/.build/handoff-codex-e2e/\(UUID().uuidString.prefix(8))"
        repo = folder + "/repo"
        remote = folder + "/remote.git"
        home = folder + "/codex-home"
        for path in [repo, home] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "e2e@example.invalid")
        try git("config", "user.name", "E2E")
        try git("config", "commit.gpgsign", "false")
        // The repository takes handoff on (the opt-in every agent hook honours).
        try git("config", "handoff.enabled", "true")
        try "hello\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try git("add", "README")
        try git("commit", "-qm", "initial")
        try git("init", "-q", "--bare", remote)
        try git("remote", "add", "origin", remote)
        try git("push", "-q", "-u", "origin", "main")
        try script.write(toFile: folder + "/script.json", atomically: true, encoding: .utf8)
        try startServer()
        var config = """
            model = "scripted-model"
            model_provider = "loopback"

            [model_providers.loopback]
            name = "loopback"
            base_url = "http://127.0.0.1:\(port)/v1"
            wire_api = "responses"
            env_key = "HANDOFF_E2E_KEY"

            """
        if let autoCompactLimit { config = "model_auto_compact_token_limit = \(autoCompactLimit)\n" + config }
        try config.write(toFile: home + "/config.toml", atomically: true, encoding: .utf8)
        if hooks {
            _ = try CodexHooks().install(hooksAt: home + "/hooks.json", configAt: home + "/config.toml", binDirectory: binaries)
        }
    }

    deinit {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        if ProcessInfo.processInfo.environment["HANDOFF_E2E_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) }
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let outcome = try E2E.run(["git"] + arguments, in: repo, timeout: 20)
        guard outcome.status == 0 else { throw E2E.SetupError(description: "git \(arguments): \(outcome.output)") }
        return outcome.output
    }

    private func startServer() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", E2E.supportFolder + "/fake_responses_server.py", folder + "/script.json", folder + "/requests.jsonl", "60"]
        let out = folder + "/server.out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: out, encoding: .utf8), let line = text.split(separator: "\n").first,
                line.hasPrefix("PORT "), let value = Int(line.dropFirst(5))
            {
                port = value
                return
            }
            usleep(20_000)
        }
        throw E2E.SetupError(description: "the fake Responses server did not start within 15 s")
    }

    struct Run {
        var status: Int32
        var timedOut: Bool
        /// `codex exec`'s stdout: the last assistant message.
        var output: String
        /// Its stderr: the transcript of the run, hook lines and warnings included.
        var log: String
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["CODEX_THREAD_ID", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SESSION_ID", "HANDOFF_SESSION_ID",
                    "CLAUDE_PROJECT_DIR", "GIT_DIR", "GIT_WORK_TREE", "HANDOFF_GATE", "HANDOFF_GATE_MAX_BLOCKS", "HANDOFF_DISABLED",
                    "OPENAI_API_KEY", "OPENAI_BASE_URL"] {
            environment[key] = nil
        }
        environment["CODEX_HOME"] = home
        environment["HANDOFF_E2E_KEY"] = "test"
        return environment
    }

    /// `codex exec PROMPT` in the repository. Never with `--dangerously-bypass-hook-trust`: the
    /// hooks run because their trust is recorded.
    func exec(_ prompt: String, timeout: Double = 90) throws -> Run {
        let file = folder + "/codex-\(UUID().uuidString.prefix(6)).out"
        // Through a wrapper that unblocks every signal: Foundation's Process starts children with most
        // signals blocked, and a Codex that inherits a blocked SIGCHLD never sees its hooks exit (each
        // one then "fails" at its timeout).
        let arguments = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                         codex, "exec", "--dangerously-bypass-approvals-and-sandbox", "--color", "never", "-C", repo, prompt]
        let outcome = try E2E.run(arguments, in: repo, environment: environment, timeout: timeout, outputFile: file)
        let log = (try? String(contentsOfFile: file + ".err", encoding: .utf8)) ?? ""
        return Run(status: outcome.status, timedOut: outcome.timedOut, output: outcome.output, log: log)
    }

    var events: [[String: Any]] {
        guard let text = try? String(contentsOfFile: repo + "/.handoff/events.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func events(_ type: String) -> [[String: Any]] { events.filter { $0["type"] as? String == type } }

    var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: folder + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var mainRequests: [[String: Any]] { requests.filter { $0["kind"] as? String == "main" } }

    /// The text of every input item of a request, for `contains` checks.
    static func text(of request: [String: Any]) -> String {
        let body = request["body"] as? [String: Any] ?? [:]
        var parts: [String] = []
        for item in body["input"] as? [[String: Any]] ?? [] {
            if let output = item["output"] as? String { parts.append(output) }
            for content in item["content"] as? [[String: Any]] ?? [] {
                if let text = content["text"] as? String { parts.append(text) }
            }
        }
        return parts.joined(separator: "\n")
    }

    func state() -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: repo + "/.handoff/state.json") else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// What the real Codex says of the hooks it found for the repository (`codex app-server`, hooks/list).
    func hooksAsCodexSeesThem() throws -> [[String: Any]] {
        let outcome = try E2E.run(["python3", E2E.supportFolder + "/codex_hooks_list.py", codex, repo], in: repo,
                                  environment: environment, timeout: 45)
        guard outcome.status == 0, let line = outcome.output.split(separator: "\n").last,
            let hooks = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]]
        else { throw E2E.SetupError(description: "hooks/list failed: \(outcome.output)") }
        return hooks
    }

    var diagnostics: String {
        "sandbox \(folder) (set HANDOFF_E2E_KEEP=1 to keep it); events: \(events.map { $0["type"] as? String ?? "?" })"
    }
}
