import Foundation
import Testing

@testable import HandoffKit

/// A failed command is recorded with its exit status and the redacted end of its output, and that
/// output is what `handoff status`, `handoff show` and `handoff brief` show for the failure
/// (escaped for the terminal). Driven through the built hook and CLI binaries.
@Suite("Failure output recorded and shown")
struct FailureOutputTests {
    static let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"

    /// Claude Code's PostToolUseFailure `error`: "Exit code N", then the output (Tests/HandoffE2ETests/Support/CONTRACT.md).
    static func failureError(lines: Int) -> String {
        var text = "Exit code 2\n"
        for index in 1...lines { text += "compiling module \(index) of \(lines)\n" }
        text += "remote: using token \(secret)\n"
        text += "\u{1B}[31merror: expected 3 got 4\u{1B}[0m\n"
        return text
    }

    @Test func theTailIsRedactedAndBoundedInLinesAndBytes() {
        let tail = OutputTail.of(OutputTail.claudeFailureOutput(Self.failureError(lines: 60)))
        #expect(!tail.contains(Self.secret))
        #expect(tail.contains(Redactor.mask))
        #expect(tail.hasSuffix("\u{1B}[31merror: expected 3 got 4\u{1B}[0m"))
        #expect(tail.hasPrefix("…"), "a cut tail says it was cut")
        #expect(tail.split(separator: "\n").count == OutputTail.maximumLines)
        #expect(!tail.contains("Exit code 2"))
        // Long lines: the byte cap holds, and the cut never splits a character.
        let wide = String(repeating: "é", count: 5000) + "\nlast line"
        let cut = OutputTail.of(wide)
        #expect(cut.utf8.count <= OutputTail.maximumBytes)
        #expect(cut.hasSuffix("\nlast line"))
        #expect(!cut.contains("\u{FFFD}"))
        // A secret that straddles the byte cut is masked whole, never half shown.
        let straddling = "key " + Self.secret + String(repeating: "x", count: OutputTail.maximumBytes - 20)
        #expect(!OutputTail.of(straddling).contains("0123456789"))
        #expect(OutputTail.of("\n  \n") == "")
        #expect(OutputTail.claudeFailureOutput("Exit code 1") == "")
    }

    @Test func aNonErrorExitCodeIsNotRecordedAsZeroAndAnInterruptIsSaid() throws {
        let contract = ClaudeCodeContract()
        let grep = AgentHookPayload.parse(Array(#"{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"grep x y"},"tool_response":{"stdout":"","stderr":"","returnCodeInterpretation":"No matches found"}}"#.utf8))
        #expect(contract.toolCall(grep, displayPath: { $0 }) == .shell(command: "grep x y", exitCode: nil, failed: false, madeCommit: false))
        let stopped = AgentHookPayload.parse(Array(#"{"hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"sleep 100"},"error":"Interrupted by user","is_interrupt":true}"#.utf8))
        #expect(contract.toolCall(stopped, displayPath: { $0 }) == .shell(command: "sleep 100", exitCode: nil, failed: true, madeCommit: false,
                                                                        outputTail: "Interrupted by user", interrupted: true))
    }

    @Test func aFailureIsShownByStatusShowAndBriefWithItsExitCodeAndOutput() throws {
        let sandbox = try Sandbox("failure-output")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let hook = try BuiltProducts.path("handoff-session")
        let session = "sess-failure"
        func send(_ payload: [UInt8]) throws {
            let result = try BoundedProcess.run(hook, [], in: repo.path, environment: environment, stdin: payload, timeout: 60)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try send(ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "startup"))
        var failure = ClaudePayload.common("PostToolUseFailure", session: session, cwd: repo.path, home: sandbox.home)
        failure += [("tool_name", "Bash"), ("tool_input", ["command": "swift build", "description": "Build"]),
                    ("error", .string(Self.failureError(lines: 40))), ("is_interrupt", false)]
        try send(ClaudePayload.encode(failure))

        let event = try #require(repo.store.events.readAll().events.last { $0.type == EventType.tool })
        #expect(event["exit_code"]?.intValue == 2)
        #expect(event["ok"]?.boolValue == false)
        let tail = try #require(event["output_tail"]?.stringValue)
        #expect(tail.split(separator: "\n").count <= OutputTail.maximumLines)
        #expect(tail.utf8.count <= OutputTail.maximumBytes)
        #expect(tail.contains("expected 3 got 4"))
        #expect(!(try repo.read(".handoff/events.jsonl")).contains(Self.secret))

        let escaped = #"\e[31merror: expected 3 got 4\e[0m"#
        let status = try repo.handoff("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("build: swift build → 2: " + escaped), "\(status.stdout)")
        #expect(!status.stdout.contains("\u{1B}"), "recorded output reaches the terminal escaped")

        // The session ends with work left: the auto-saved handover lists the failure with its output.
        try repo.write("half-done.txt", "wip\n")
        try send(ClaudePayload.encode(ClaudePayload.common("SessionEnd", session: session, cwd: repo.path, home: sandbox.home) + [("reason", "other")]))
        let show = try repo.handoff("show")
        #expect(show.status == 0)
        #expect(show.stdout.contains("error: exit code 2"), "\(show.stdout)")
        #expect(show.stdout.contains(escaped), "\(show.stdout)")
        #expect(!show.stdout.contains(Self.secret))
        #expect(!show.stdout.contains("\u{1B}"))
        let brief = try repo.handoff("brief")
        #expect(brief.status == 0)
        #expect(brief.stdout.contains("`swift build` (build) failed — error: " + escaped), "\(brief.stdout)")
        #expect(!brief.stdout.contains("\u{1B}"))
    }
}
