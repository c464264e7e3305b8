import Foundation
import Testing

@testable import HandoffKit

/// A full disk or a file-size limit never costs a good record: an append is whole or absent, and a
/// torn line an earlier failure left never swallows the record written after it.
@Suite("Event appends are all or nothing")
struct DiskFullTests {
    /// A line cut short by an earlier failure (the bytes before ENOSPC, with no newline).
    @Test("a torn tail left by an earlier failure is ended before the next append")
    func tornTailIsHealed() throws {
        let sandbox = try Sandbox("full")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        try store.append(Event(type: "before"))
        try FileSystem.appendRecord(Array(#"{"ts":"2026-12-03T10:00:00.000Z","type":"cut","comm"#.utf8), to: store.layout.eventsFile)
        try store.append(Event(type: "after"))
        try store.append(Event(type: "later"))
        let read = store.events.readAll()
        #expect(read.events.map(\.type) == ["before", "after", "later"])
        #expect(read.skippedLines == 1)
        #expect(store.events.tail(10).events.map(\.type) == ["before", "after", "later"])
    }

    /// `ulimit -f`: a hook whose event would pass the file-size limit writes nothing (and is not
    /// killed by SIGXFSZ); once there is room again, the next event is whole and readable.
    @Test("a hook at the file-size limit writes no partial line, exits 0, and the next event is whole")
    func fileSizeLimit() throws {
        let sandbox = try Sandbox("full")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        try repo.git("config", "handoff.enabled", "true")
        let session = "sess-full"
        // Fill the log to 200 bytes short of 16 KiB with whole lines.
        let limitBytes = 16 * 1024
        var filler = ""
        while filler.utf8.count < limitBytes - 400 {
            filler += Event(type: "filler", session: session, [("n", .int(filler.utf8.count))]).json.compactText + "\n"
        }
        let pad = limitBytes - 200 - filler.utf8.count
        filler += Event(type: "filler", session: session, [("pad", .string(String(repeating: "x", count: max(0, pad - 80))))]).json.compactText + "\n"
        try FileSystem.writeText(filler, to: store.layout.eventsFile)
        let before = store.events.readAll().events.count
        let hook = try BuiltProducts.path("handoff-session")
        let command = "swift test --filter " + String(repeating: "LongTestName", count: 40)
        let payload = ClaudePayload.bash(session, cwd: repo.path, home: sandbox.home, command: command)
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        // bash's `ulimit -f` counts 1024-byte blocks.
        let limited = try BoundedProcess.run("/bin/bash", ["-c", "ulimit -f \(limitBytes / 1024); exec \"$0\"", hook], in: repo.path,
                                             environment: environment, stdin: payload, timeout: 60)
        #expect(limited.status == 0, "the hook must fail open: \(limited.stderr)")
        #expect(!limited.timedOut)
        let bytes = try FileSystem.readBytes(store.layout.eventsFile)
        #expect(bytes.last == 0x0A, "no partial line is left at the end of the log")
        #expect(bytes.count <= limitBytes)
        #expect(store.events.readAll().events.count == before)
        // Room again: the next event is whole, and nothing before it was lost.
        let free = try BoundedProcess.run(hook, [], in: repo.path, environment: environment, stdin: payload, timeout: 60)
        #expect(free.status == 0)
        let read = store.events.readAll()
        #expect(read.skippedLines == 0)
        #expect(read.events.count == before + 1)
        #expect(read.events.last?.type == EventType.tool)
    }
}
