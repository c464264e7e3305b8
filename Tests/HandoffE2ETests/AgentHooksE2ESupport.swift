import Foundation
import Testing

/// Drives the real Claude Code CLI, headless, against the loopback scripted model
/// (Support/fake_messages_server.py) with the handoff plugin loaded by `--plugin-dir hooks/claude`.
/// Everything runs in a temporary folder with its own HOME; every wait is bounded.
/// Which release of an agent CLI a scenario runs against: the pinned one every suite uses, or the
/// newest on PyPI, which the core scenarios also run against (parameterized), so a new release that
/// changes what handoff relies on fails CI without running every scenario twice.
enum CLIVersion: String, CaseIterable, Sendable, CustomStringConvertible {
    case pinned, newest
    var description: String { rawValue }
}

enum E2E {
    static let repositoryRoot: String = {
        // …/Tests/HandoffE2ETests/AgentHooksE2ESupport.swift → the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var supportFolder: String { repositoryRoot + "/Tests/HandoffE2ETests/Support" }
    static var pluginFolder: String { repositoryRoot + "/hooks/claude" }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// `HANDOFF_CLAUDE_BIN`, else the CLI installed by CI under Tests/HandoffE2ETests/.claude-cli,
    /// else the one bundled with the python `claude-agent-sdk` package.
    static func claudeBinary(_ version: CLIVersion = .pinned) throws -> String {
        if version == .newest {
            return try newest(package: "claude-agent-sdk", version: newestClaude, binary: "claude_agent_sdk/_bundled/claude",
                              variable: "HANDOFF_CLAUDE_BIN_NEWEST")
        }
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["HANDOFF_CLAUDE_BIN"], !explicit.isEmpty { candidates.append(explicit) }
        candidates.append(repositoryRoot + "/Tests/HandoffE2ETests/.claude-cli/claude_agent_sdk/_bundled/claude")
        if let site = try? run(["python3", "-c", "import claude_agent_sdk, os; print(os.path.dirname(claude_agent_sdk.__file__))"],
                               in: "/", timeout: 20).output.trimmingCharacters(in: .whitespacesAndNewlines), !site.isEmpty {
            candidates.append(site + "/_bundled/claude")
        }
        candidates.append("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/claude_agent_sdk/_bundled/claude")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw SetupError(description: """
            the Claude Code CLI was not found (tried: \(candidates.joined(separator: ", "))). \
            Install it with `pip install --target Tests/HandoffE2ETests/.claude-cli claude-agent-sdk==0.2.184` \
            or set HANDOFF_CLAUDE_BIN to the `claude` executable.
            """)
    }

    /// The newest releases on PyPI the suites also run their core scenarios against (`CLIVersion.newest`).
    static let newestClaude = "0.2.190"  // claude-agent-sdk, bundling Claude Code 2.1.337
    static let newestCodex = "0.169.0"  // openai-codex-cli-bin

    /// A CLI `.ci/run` installs into its cache outside the clone (`<cache>/handoff-ci/<package>-<version>`),
    /// or the one `variable` names. A missing one fails the test that needs it.
    static func newest(package: String, version: String, binary: String, variable: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment[variable], !explicit.isEmpty { candidates.append(explicit) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        candidates.append(cache + "/handoff-ci/\(package)-\(version)/\(binary)")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw SetupError(description: """
            \(package) \(version) was not found (tried: \(candidates.joined(separator: ", "))). Run .ci/run, or install it with \
            `pip install --no-deps --target \(cache)/handoff-ci/\(package)-\(version) \(package)==\(version)`, or set \(variable).
            """)
    }

    /// The folder holding the built `handoff` (which serves every hook): `HANDOFF_BIN_DIR`, else
    /// the build products folder this test bundle runs from.
    static func hookBinaries() throws -> String {
        let names = ["handoff"]
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["HANDOFF_BIN_DIR"], !explicit.isEmpty { candidates.append(explicit) }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            candidates.append(url.path)
        }
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent().path { candidates.append(bundle) }
        for folder in candidates where names.allSatisfy({ FileManager.default.isExecutableFile(atPath: folder + "/" + $0) }) {
            return folder
        }
        throw SetupError(description: """
            handoff was not found next to the test bundle \
            (\(candidates.joined(separator: ", "))); build them first (`swift build`) or set HANDOFF_BIN_DIR.
            """)
    }

    struct Outcome {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// Runs a program with a deadline, output to a file (no pipe can fill up and stall it).
    @discardableResult
    static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil, timeout: Double,
                    outputFile: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let file = outputFile ?? NSTemporaryDirectory() + "/handoff-e2e-out-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        process.standardOutput = handle
        if outputFile != nil { _ = FileManager.default.createFile(atPath: file + ".err", contents: nil) }
        process.standardError = outputFile == nil ? handle : FileHandle(forWritingAtPath: file + ".err") ?? handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }  // SIGTERM may be blocked (see deinit)
        process.waitUntilExit()
        try? handle.close()
        let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        if outputFile == nil { try? FileManager.default.removeItem(atPath: file) }
        return Outcome(status: process.terminationStatus, output: output, timedOut: timedOut)
    }
}

/// One scenario: a temp folder with a git repository, a HOME and a scripted model server.
final class E2ESandbox: @unchecked Sendable {
    // @unchecked: a sandbox belongs to one test function and is used from its task only.
    let folder: String
    let repo: String
    let home: String
    let claude: String
    let binaries: String
    private var server: Process?
    private(set) var port = 0

    /// `optIn`: the repository opted in (`git config handoff.enabled true`, as `handoff init` writes).
    init(script: String, optIn: Bool = true, version: CLIVersion = .pinned) throws {
        claude = try E2E.claudeBinary(version)
        binaries = try E2E.hookBinaries()
        folder = NSTemporaryDirectory() + "handoff-e2e-\(UUID().uuidString.prefix(8))"
        repo = folder + "/repo"
        home = folder + "/home"
        for path in [repo, home] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "e2e@example.invalid")
        try git("config", "user.name", "E2E")
        if optIn { try git("config", "handoff.enabled", "true") }
        try "hello\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try git("add", "README")
        try git("commit", "-qm", "initial")
        try script.write(toFile: folder + "/script.json", atomically: true, encoding: .utf8)
        try startServer()
    }

    deinit {
        // SIGKILL, not terminate(): Foundation starts children with SIGTERM blocked, so the server
        // would otherwise live until its idle timeout.
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
        process.arguments = ["python3", E2E.supportFolder + "/fake_messages_server.py", folder + "/script.json", folder + "/requests.jsonl", "60"]
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
        throw E2E.SetupError(description: "the fake Messages server did not start within 15 s")
    }

    struct Run {
        var result: [String: Any]
        var timedOut: Bool
        var status: Int32
        var stderr: String
        var resultText: String { result["result"] as? String ?? "" }
        var sessionID: String { result["session_id"] as? String ?? "" }
        var numTurns: Int { result["num_turns"] as? Int ?? -1 }
    }

    /// The environment every CLI run gets: this sandbox's HOME, the loopback server, nothing of the caller's session.
    var cliEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SESSION_ID", "HANDOFF_SESSION_ID", "CLAUDE_PROJECT_DIR",
                    "GIT_DIR", "GIT_WORK_TREE", "HANDOFF_GATE", "HANDOFF_GATE_MAX_BLOCKS", "HANDOFF_DISABLED"] {
            environment[key] = nil
        }
        environment["HOME"] = home
        environment["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:\(port)"
        environment["ANTHROPIC_API_KEY"] = "test"
        environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
        environment["HANDOFF_BIN_DIR"] = binaries
        return environment
    }

    /// `claude -p PROMPT` in the repository with the plugin loaded (by `--plugin-dir`, unless
    /// `pluginDir` is false: then only what the sandbox's HOME installs and registers); at most `timeout` seconds.
    func claude(_ prompt: String, resume: String? = nil, environment extra: [String: String] = [:], pluginDir: Bool = true,
                timeout: Double = 90, allowedTools: String = "Bash Write Edit") throws -> Run {
        var environment = cliEnvironment
        for (key, value) in extra { environment[key] = value }
        var arguments = [claude, "-p", prompt, "--output-format", "json", "--allowedTools", allowedTools]
        if pluginDir { arguments += ["--plugin-dir", E2E.pluginFolder] }
        if let resume { arguments += ["--resume", resume] }
        let file = folder + "/claude-\(UUID().uuidString.prefix(6)).json"
        let outcome = try E2E.run(arguments, in: repo, environment: environment, timeout: timeout, outputFile: file)
        let stderr = (try? String(contentsOfFile: file + ".err", encoding: .utf8)) ?? ""
        let object = (try? JSONSerialization.jsonObject(with: Data(outcome.output.utf8))) as? [String: Any] ?? [:]
        return Run(result: object, timedOut: outcome.timedOut, status: outcome.status, stderr: stderr)
    }

    /// Every event in `.handoff/events.jsonl`.
    var events: [[String: Any]] {
        guard let text = try? String(contentsOfFile: repo + "/.handoff/events.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func events(_ type: String) -> [[String: Any]] { events.filter { $0["type"] as? String == type } }

    /// Requests the scripted model received (the server's log), as raw JSON lines and parsed.
    var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: folder + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var mainRequests: [[String: Any]] { requests.filter { $0["kind"] as? String == "main" } }

    /// The text of every message of a request (user, system and tool results), for `contains` checks.
    static func text(of request: [String: Any]) -> String {
        let body = request["body"] as? [String: Any] ?? [:]
        let data = (try? JSONSerialization.data(withJSONObject: body["messages"] ?? [])) ?? Data()
        // Unescape by re-reading strings: simplest is to search the JSON text with escaped newlines normalised.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\/", with: "/")
    }

    func state() -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: repo + "/.handoff/state.json") else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    var diagnostics: String {
        "sandbox \(folder) (set HANDOFF_E2E_KEEP=1 to keep it); events: \(events.map { $0["type"] as? String ?? "?" })"
    }
}

/// Reflection text the scripted model prints, JSON-escaped for the script.
let e2eReflection = "## Framework Reflection\\n\\n**Outcome**: success\\n**Accomplishments**: committed the change\\n**Friction points**: none\\n**Next step**: none\\n\\nHandover complete. Session may now end."
