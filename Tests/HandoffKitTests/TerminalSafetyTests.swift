import Foundation
import Testing

@testable import HandoffKit

/// Recorded data is shown with its control characters escaped: a command, a path or a commit
/// subject can never retitle the terminal, clear the screen or hide a line.
@Suite("Terminal-safe output")
struct TerminalSafetyTests {
    static let hostile = "ls \u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}31m\r\u{202E}txt.exe"

    @Test("control characters are shown as visible escapes")
    func escape() {
        #expect(TerminalText.escape("plain text, ünïcödé ✓") == "plain text, ünïcödé ✓")
        #expect(TerminalText.escape(Self.hostile) == #"ls \e]0;pwned\x07\e[2J\x9b31m\r\u{202e}txt.exe"#)
    }

    @Test("handoff events and handoff status print no control character from recorded data")
    func commands() throws {
        let sandbox = try Sandbox("tty")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        try repo.store.append(Event(type: EventType.tool, session: "s-\u{1B}", [
            ("tool", "Bash"), ("command", .string(Self.hostile)), ("class", "other"), ("exit_code", 0),
        ]))
        try repo.store.append(Event(type: EventType.commit, [("short", "abc1234"), ("subject", .string("subject \u{1B}[2J cleared"))]))
        try repo.store.append(Event(type: "custom\u{1B}[31m", [("field", .string("value \u{1B}[8m hidden"))]))
        try repo.write("name\u{1B}[2J.txt", "x\n")
        try repo.store.updateState { $0.resume.next = "README.md:1 fix \u{1B}]0;title\u{07}" }
        for arguments in [["events"], ["events", "--all"], ["status"], ["events", "--json"], ["status", "--json"]] {
            let result = try repo.run(try BuiltProducts.path("handoff"), arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let controls = result.stdout.unicodeScalars.filter { TerminalText.needsEscape($0) && $0 != "\n" }
            #expect(controls.isEmpty, "handoff \(arguments.joined(separator: " ")) printed \(controls.map { String($0.value, radix: 16) })")
        }
        let events = try repo.handoff("events").stdout
        #expect(events.contains(#"\e]0;pwned\x07"#))
        #expect(events.contains(#"subject \e[2J cleared"#))
        let status = try repo.handoff("status").stdout
        #expect(status.contains(#"name\e[2J.txt"#))
        #expect(status.contains(#"fix \e]0;title\x07"#))
    }
}
