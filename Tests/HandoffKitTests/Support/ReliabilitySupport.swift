import Foundation
import Testing

@testable import HandoffKit

/// Runs a built product or `git` as a process with a hard time limit. Standard input comes from a
/// file and both outputs go to files, so no pipe can fill up, and many of these can run at once
/// from different threads. A process still running at `timeout` is killed and reported.
enum BoundedProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
        var command: String

        /// Throws with the command's stderr unless it exited 0.
        @discardableResult
        func checked() throws -> Result {
            guard status == 0, !timedOut else {
                throw SandboxError("\(command) \(timedOut ? "timed out" : "failed (\(status))"): \(stderr.prefix(2000))")
            }
            return self
        }
    }

    /// Waits for `process`; kills it with SIGKILL at `timeout` seconds. True when it had to be killed.
    static func waitOrKill(_ process: Process, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(1000)
        }
        process.waitUntilExit()
        return timedOut
    }

    static func run(_ program: String, _ arguments: [String], in directory: String, environment: [String: String],
                    stdin: [UInt8] = [], timeout: Double = 60) throws -> Result {
        let scratch = NSTemporaryDirectory() + "/handoff-proc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err", inPath = scratch + "/in"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        _ = FileManager.default.createFile(atPath: inPath, contents: Data(stdin))
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let timedOut = waitOrKill(process, timeout: timeout)
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
            timedOut: timedOut,
            command: ([(program as NSString).lastPathComponent] + arguments).joined(separator: " ").prefix(300).description)
    }

    /// `git` with a time limit.
    static func git(_ arguments: [String], in directory: String, environment: [String: String], timeout: Double = 60) throws -> Result {
        try run("/usr/bin/env", ["git"] + arguments, in: directory, environment: environment, timeout: timeout)
    }
}

/// A small, fast, seedable generator (SplitMix64), so that a failing fuzz run can be replayed
/// with `HANDOFF_FUZZ_SEED=<seed>`.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of this run: `HANDOFF_FUZZ_SEED` when set, else a fresh one.
    static func runSeed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["HANDOFF_FUZZ_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64.max)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}

/// What a user would check in a store: the event log is whole lines of JSON, and state.json is valid.
enum StoreAudit {
    /// The newline-terminated lines of a log, and the bytes after the last newline (a write in flight
    /// when read during activity; empty once everything is quiet).
    static func lines(ofFile path: String) -> (lines: [ArraySlice<UInt8>], unterminated: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        let bytes = [UInt8](data)
        guard let lastNewline = bytes.lastIndex(of: 0x0A) else { return ([], bytes.count) }
        let lines = bytes[...lastNewline].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        return (Array(lines), bytes.count - lastNewline - 1)
    }

    /// The complete lines of `events.jsonl` that are not a JSON object with a string `type` and `ts`.
    static func badEventLines(_ path: String) -> [String] {
        lines(ofFile: path).lines.compactMap { line in
            if let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue != nil, value["ts"]?.stringValue != nil {
                return nil
            }
            return String(decoding: line.prefix(300), as: UTF8.self)
        }
    }

    /// Nil when `state.json` (if present) parses and validates, else why not.
    static func stateProblem(_ store: HandoffStore) -> String? {
        guard let data = FileManager.default.contents(atPath: store.layout.stateFile) else {
            return FileSystem.exists(store.layout.stateFile) ? "state.json unreadable" : nil
        }
        guard let value = try? JSONValue.parse([UInt8](data)) else { return "state.json does not parse: \(String(decoding: data.prefix(200), as: UTF8.self))" }
        let report = StateValidator.validate(value)
        return report.isValid ? nil : "state.json invalid: \(report.errors.map { "\($0.path): \($0.message)" })"
    }
}

/// Realistic Claude Code hook payloads (see Tests/HandoffE2ETests/Support/CONTRACT.md).
enum ClaudePayload {
    static func common(_ event: String, session: String, cwd: String, home: String) -> [(String, JSONValue)] {
        let slug = cwd.map { $0 == "/" || $0 == "." ? "-" : $0 }
        return [
            ("session_id", .string(session)),
            ("transcript_path", .string("\(home)/.claude/projects/\(String(slug))/\(session).jsonl")),
            ("cwd", .string(cwd)),
            ("prompt_id", .string(UUID().uuidString.lowercased())),
            ("permission_mode", "default"),
            ("hook_event_name", .string(event)),
        ]
    }

    static func encode(_ pairs: [(String, JSONValue)]) -> [UInt8] { Array(JSONValue.object(JSONObject(pairs)).compactText.utf8) }

    static func sessionStart(_ session: String, cwd: String, home: String, source: String) -> [UInt8] {
        encode(common("SessionStart", session: session, cwd: cwd, home: home) + [("source", .string(source))])
    }

    static func bash(_ session: String, cwd: String, home: String, command: String, exitCode: Int = 0,
                     commit: (sha: String, branch: String)? = nil) -> [UInt8] {
        var pairs = common(exitCode == 0 ? "PostToolUse" : "PostToolUseFailure", session: session, cwd: cwd, home: home)
        pairs += [("tool_name", "Bash"), ("tool_input", ["command": .string(command), "description": "Run a command"])]
        if exitCode == 0 {
            var response = JSONObject([
                ("stdout", "ok"), ("stderr", ""), ("interrupted", false), ("isImage", false), ("noOutputExpected", false),
            ])
            if let commit {
                response["gitOperation"] = ["commit": ["sha": .string(String(commit.sha.prefix(7))), "kind": "committed", "branch": .string(commit.branch)]]
            }
            pairs.append(("tool_response", .object(response)))
        } else {
            pairs += [("error", .string("Exit code \(exitCode)\nsomething went wrong")), ("is_interrupt", false)]
        }
        pairs += [("tool_use_id", .string("toolu_\(UUID().uuidString.prefix(12))")), ("duration_ms", 41)]
        return encode(pairs)
    }

    static func write(_ session: String, cwd: String, home: String, file: String, content: String) -> [UInt8] {
        encode(common("PostToolUse", session: session, cwd: cwd, home: home) + [
            ("tool_name", "Write"),
            ("tool_input", ["file_path": .string(file), "content": .string(content)]),
            ("tool_response", ["type": "create", "filePath": .string(file), "content": .string(content), "structuredPatch": [],
                               "originalFile": .null, "userModified": false]),
            ("tool_use_id", .string("toolu_\(UUID().uuidString.prefix(12))")),
        ])
    }

    static func stop(_ session: String, cwd: String, home: String, message: String, active: Bool) -> [UInt8] {
        encode(common("Stop", session: session, cwd: cwd, home: home) + [
            ("effort", ["level": "medium"]), ("stop_hook_active", .bool(active)), ("last_assistant_message", .string(message)),
            ("background_tasks", []), ("session_crons", []),
        ])
    }

    static func subagentStop(_ session: String, cwd: String, home: String) -> [UInt8] {
        encode(common("SubagentStop", session: session, cwd: cwd, home: home) + [
            ("stop_hook_active", false), ("agent_id", "af30320cca02f64e0"), ("agent_type", "general-purpose"),
            ("last_assistant_message", "subagent says hi"), ("background_tasks", []), ("session_crons", []),
        ])
    }

    static func preCompact(_ session: String, cwd: String, home: String, trigger: String) -> [UInt8] {
        encode(common("PreCompact", session: session, cwd: cwd, home: home) + [("trigger", .string(trigger)), ("custom_instructions", .null)])
    }

    static func sessionEnd(_ session: String, cwd: String, home: String) -> [UInt8] {
        encode(common("SessionEnd", session: session, cwd: cwd, home: home) + [("reason", "other")])
    }
}
