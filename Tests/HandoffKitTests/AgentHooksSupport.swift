import Foundation
import Testing

@testable import HandoffKit

/// A throw-away git repository (made with the real `git` CLI) and helpers to run the agent hooks in it
/// with made-up payloads. Each hook call gets a later clock than the previous one, so "work after the
/// handover" comparisons never tie on the millisecond.
final class AgentRepo: @unchecked Sendable {
    // @unchecked: each test owns its AgentRepo and uses it from one task only; `tick` is never shared.
    let root: String
    let store: HandoffStore
    private var tick: Int64

    /// `initArguments` go to `git init` (`--object-format=sha256`); `linkedWorktree` makes `root` a
    /// linked worktree (branch `main`) of a repository at `root-main` that holds the initial commit.
    /// `optIn`: the repository opted in (`git config handoff.enabled true`, as `handoff init` writes).
    init(commit: Bool = true, initArguments: [String] = [], linkedWorktree: Bool = false, optIn: Bool = true) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-agent-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        root = FileSystem.realPath(base) ?? base
        store = HandoffStore(worktreeRoot: root)
        tick = Timestamp.now().milliseconds
        if linkedWorktree {
            let main = root + "-main"
            try Self.run(["git", "init", "-q", "-b", "trunk", main], in: "/")
            for arguments in [["config", "user.email", "test@example.invalid"], ["config", "user.name", "Test"],
                              ["commit", "-q", "--allow-empty", "-m", "trunk"], ["worktree", "add", "-q", "-b", "main", root]] {
                try Self.run(["git"] + arguments, in: main)
            }
        } else {
            try Self.run(["git", "init", "-q", "-b", "main"] + initArguments, in: root)
        }
        try git("config", "user.email", "test@example.invalid")
        try git("config", "user.name", "Test")
        try git("config", "commit.gpgsign", "false")
        if optIn { try git("config", "handoff.enabled", "true") }
        if commit {
            try write("README.md", "hello\n")
            try git("add", "README.md")
            try git("commit", "-qm", "initial")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "-remote.git")
        try? FileManager.default.removeItem(atPath: root + "-main")
    }

    /// A local bare remote as `origin`, with `main` pushed to it and set as its upstream.
    func addPushedOrigin() throws {
        let remote = root + "-remote.git"
        try Self.run(["git", "init", "-q", "--bare", remote], in: root)
        try git("remote", "add", "origin", remote)
        try git("push", "-q", "-u", "origin", "main")
    }

    @discardableResult
    func git(_ arguments: String..., in directory: String? = nil) throws -> String {
        try Self.run(["git"] + arguments, in: directory ?? root)
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { environment[key] = nil }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "git", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "\(arguments): \(text)"])
        }
        return text
    }

    func write(_ path: String, _ text: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    /// Commits on the simulated clock the hooks see, so "made after the handover" means the same to both.
    func commitFile(_ path: String, _ text: String, message: String = "change") throws {
        try write(path, text)
        try git("add", path)
        let date = "@\(nextNow().milliseconds / 1000) +0000"
        try Self.run(["GIT_AUTHOR_DATE=\(date)", "GIT_COMMITTER_DATE=\(date)", "git", "commit", "-qm", message], in: root)
    }

    func nextNow() -> Timestamp {
        tick += 1000
        return Timestamp(milliseconds: tick)
    }

    func input(_ payload: String, environment extra: [String: String] = [:]) -> HookInput {
        var variables = ["CLAUDE_PROJECT_DIR": root, "PATH": "/usr/bin:/bin"]
        for (key, value) in extra { variables[key] = value }
        let bytes = Array(payload.utf8)
        let now = nextNow()
        return HookInput(environment: Environment(variables), workingDirectory: root, standardInput: { bytes }, now: { now })
    }

    static func payload(_ pairs: [(String, JSONValue)]) -> String { JSONValue.object(JSONObject(pairs)).compactText }

    @discardableResult
    func sessionStart(_ session: String, source: String = "startup", environment: [String: String] = [:]) -> HookOutput {
        SessionHook.run(input(Self.payload([
            ("session_id", .string(session)), ("cwd", .string(root)), ("hook_event_name", "SessionStart"), ("source", .string(source)),
        ]), environment: environment))
    }

    func stop(_ session: String, message: String? = "All done.", active: Bool = false, environment: [String: String] = [:],
              extra: [(String, JSONValue)] = []) -> HookOutput {
        var pairs: [(String, JSONValue)] = [
            ("session_id", .string(session)), ("cwd", .string(root)), ("hook_event_name", "Stop"), ("stop_hook_active", .bool(active)),
        ]
        if let message { pairs.append(("last_assistant_message", .string(message))) }
        return StopGate.run(input(Self.payload(pairs + extra), environment: environment))
    }

    @discardableResult
    func bash(_ session: String, _ command: String, exitCode: Int = 0, commit: Bool = false) -> HookOutput {
        var pairs: [(String, JSONValue)] = [
            ("session_id", .string(session)), ("cwd", .string(root)),
            ("hook_event_name", exitCode == 0 ? "PostToolUse" : "PostToolUseFailure"),
            ("tool_name", "Bash"), ("tool_input", ["command": .string(command), "description": "x"]),
        ]
        if exitCode == 0 {
            var response: JSONObject = JSONObject([("stdout", ""), ("stderr", "")])
            if commit { response["gitOperation"] = ["commit": ["sha": "abc1234", "kind": "committed", "branch": "main"]] }
            pairs.append(("tool_response", .object(response)))
        } else {
            pairs.append(("error", .string("Exit code \(exitCode)\nsomething failed")))
        }
        return SessionHook.run(input(Self.payload(pairs)))
    }

    @discardableResult
    func edit(_ session: String, _ path: String, tool: String = "Write") -> HookOutput {
        SessionHook.run(input(Self.payload([
            ("session_id", .string(session)), ("cwd", .string(root)), ("hook_event_name", "PostToolUse"),
            ("tool_name", .string(tool)), ("tool_input", ["file_path": .string(root + "/" + path), "content": "x"]),
            ("tool_response", ["type": "create"]),
        ])))
    }

    @discardableResult
    func compact(_ session: String, trigger: String = "manual") -> HookOutput {
        CompactHook.run(input(Self.payload([
            ("session_id", .string(session)), ("cwd", .string(root)), ("hook_event_name", "PreCompact"),
            ("trigger", .string(trigger)), ("custom_instructions", .null),
        ])))
    }

    var events: [Event] { store.events.readAll().events }
    func events(_ type: String) -> [Event] { events.filter { $0.type == type } }
    func runtime(_ session: String) -> SessionRuntime? { store.readRuntime(session: session) }
    func state() throws -> HandoffState { try store.readState() }
}

/// The decision a hook output carries.
enum GateAnswer: Equatable {
    case allow
    case block(String)
    case message(String)

    init(_ output: HookOutput) {
        #expect(output.exitStatus == 0)
        let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { self = .allow; return }
        guard let json = try? JSONValue.parse(text) else {
            Issue.record("hook output is not JSON: \(text)")
            self = .allow
            return
        }
        if json["decision"]?.stringValue == "block" {
            self = .block(json["reason"]?.stringValue ?? "")
        } else if let message = json["systemMessage"]?.stringValue {
            self = .message(message)
        } else {
            self = .allow
        }
    }

    var isBlock: Bool { if case .block = self { return true } else { return false } }
    var reason: String { switch self { case .block(let r), .message(let r): return r; case .allow: return "" } }
}

let validReflection = """
    Committed and pushed.

    ## Framework Reflection

    **Outcome**: success
    **Accomplishments**: added the parser and its tests
    **Friction points**: none
    **Next step**: none

    Handover complete. Session may now end.
    """

func reflection(outcome: String, next: String = "file follow-up TASK-1") -> String {
    """
    ## Framework Reflection
    **Outcome**: \(outcome)
    **Accomplishments**: half of the parser
    **Friction points**: the fixture repo was slow
    **Next step**: \(next)
    """
}
