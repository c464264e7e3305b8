import Foundation
import Testing
@testable import HandoffKit

@Suite("Store")
struct StoreTests {
    @Test("init creates a private store that git does not see, and is idempotent")
    func initialise() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        let store = repo.store
        #expect(try store.initialise(hostname: "h") == true)
        #expect(try store.initialise(hostname: "h") == false)
        #expect(FileSystem.mode(store.layout.directory) == 0o700)
        #expect(FileSystem.mode(store.layout.stateFile) == 0o600)
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try store.readState() == HandoffState.initial(hostname: "h"))
    }

    @Test("a symbolic link in place of .handoff is refused")
    func symlinkStore() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        try FileManager.default.createDirectory(atPath: sandbox.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/.handoff", withDestinationPath: sandbox.path("elsewhere"))
        #expect(throws: StoreError.symlinkRefused(repo.path + "/.handoff")) { try repo.store.initialise(hostname: "h") }
        #expect(!repo.store.exists)
    }

    @Test("state round-trips through the file with the schema's key order")
    func roundTrip() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        let state = ValidatorTests.goodHandover()
        try repo.store.writeState(state)
        #expect(try repo.store.readState() == state)
        let text = try repo.read(".handoff/state.json")
        #expect(text.hasPrefix("{\n  \"_version\": 1,\n  \"source\": \"manual-end\","))
        // No temporary files are left behind by an atomic write.
        #expect(FileSystem.list(repo.store.layout.directory).filter { $0.contains(".tmp.") }.isEmpty)
    }

    @Test("unreadable and wrongly typed states are typed errors that say how to fix them")
    func corrupt() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        try repo.write(".handoff/state.json", "{\"_version\": 1, \"source\": \"manual-e")
        do {
            _ = try repo.store.readState()
            Issue.record("a truncated state must not read")
        } catch {
            guard case .unreadableState = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("handoff repair"))
        }
        try repo.write(".handoff/state.json", #"{"_version": 1, "resume": {"files": "x"}}"#)
        #expect(throws: StoreError.invalidState(path: "resume.files", reason: "expected an array, found a string")) { try repo.store.readState() }
        try repo.write(".handoff/state.json", #"{"_version": 7}"#)
        #expect(throws: StoreError.unsupportedVersion(7)) { try repo.store.readState() }
    }

    @Test("session ids are checked before they become file names", arguments: [
        "", "..", "../x", "/etc/passwd", "a/b", ".hidden", "a\u{0}b", String(repeating: "a", count: 129), "a b", "é",
    ])
    func unsafeSessionIDs(_ id: String) throws {
        #expect(!SessionID.isSafe(id))
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        #expect(throws: StoreError.self) { try repo.store.archive(["a": 1], as: id) }
    }

    @Test("safe session ids", arguments: ["4f1c2a9e-8b7d-4c1e-9a2b-3c4d5e6f7a8b", "manual-20261121T140509Z", "a.b_c-d"])
    func safeSessionIDs(_ id: String) {
        #expect(SessionID.isSafe(id))
    }

    @Test("events append one line each, and the tail reads only the end")
    func events() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        for index in 0..<500 {
            try store.append(Event(type: index % 2 == 0 ? "commit" : "tool", session: "s", [("n", .int(index))]))
        }
        let tail = store.events.tail(3)
        #expect(tail.events.map { $0["n"]?.intValue } == [497, 498, 499])
        let commits = store.events.tail(2, matching: { $0.type == "commit" })
        #expect(commits.events.map { $0["n"]?.intValue } == [496, 498])
        let lines = try repo.read(".handoff/events.jsonl").split(separator: "\n")
        #expect(lines.count == 500)
        let first = try JSONValue.parse(String(lines[0]))
        #expect(first.objectValue?.keys.prefix(3) == ["ts", "type", "session"])
        #expect(Timestamp(iso8601: first["ts"]!.stringValue!) != nil)
        #expect(first["ts"]!.stringValue!.hasSuffix("Z"))
    }

    @Test("garbage lines are skipped and counted")
    func garbage() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        try store.append(Event(type: "a"))
        try FileSystem.appendRecord(Array("not json\n{\"no\":\"type\"}\n".utf8), to: store.layout.eventsFile)
        try store.append(Event(type: "b"))
        let all = store.events.readAll()
        #expect(all.events.map(\.type) == ["a", "b"])
        #expect(all.skippedLines == 2)
        #expect(store.events.tail(10).skippedLines == 2)
    }

    @Test("an append still in flight is not a garbage line; a torn line in a rotated log is")
    func appendInFlight() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        try store.append(Event(type: "a"))
        // What a reader can see while another process's write(2) is half copied into the page cache.
        let line = Event(type: "b").json.compactText + "\n"
        let half = line.utf8.count / 2
        try FileSystem.appendRecord(Array(line.utf8.prefix(half)), to: store.layout.eventsFile)
        #expect(store.events.readAll().skippedLines == 0)
        #expect(store.events.tail(10).skippedLines == 0)
        #expect(store.events.tail(10).events.map(\.type) == ["a"])
        try FileSystem.appendRecord(Array(line.utf8.dropFirst(half)), to: store.layout.eventsFile)
        #expect(store.events.tail(10).events.map(\.type) == ["a", "b"])
        // A rotated log is closed: its unterminated last line is torn, and counted.
        try FileSystem.appendRecord(Array("{\"ts\":\"2026".utf8), to: store.layout.eventsFile)
        #expect(store.events.rotateIfNeeded(maximumBytes: 1) != nil)
        #expect(store.events.readAll(includeRotated: true).skippedLines == 1)
    }

    /// The cheap bounds of a per-session scan must give what the parsed filters give.
    @Test("a tail bounded by time and by raw text returns what the parsed filters return")
    func boundedTail() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        let store = repo.store
        try store.initialise(hostname: "h")
        let start = Timestamp(milliseconds: 1_800_000_000_000)
        func at(_ seconds: Int64) -> Timestamp { Timestamp(milliseconds: start.milliseconds + seconds * 1000) }
        try store.append(Event(type: EventType.fileEdit, session: "s", at: at(-2), [("paths", ["old.swift"])]))
        try FileSystem.appendRecord(Array("not json, before the session\n".utf8), to: store.layout.eventsFile)
        try store.append(Event(type: EventType.fileEdit, session: "s", at: at(0), [("paths", ["a.swift"])]))
        for second: Int64 in 1...50 {
            try store.append(Event(type: EventType.tool, session: "s", at: at(second), [("command", .string("echo \(second)")), ("ok", true)]))
        }
        try store.append(Event(type: EventType.tool, session: "s", at: at(51), [("command", "false"), ("ok", false)]))
        try store.append(Event(type: EventType.fileEdit, session: "s", at: at(52), [("paths", ["b.swift"])]))

        let edits = store.events.tail(20, matching: { $0.type == EventType.fileEdit }, since: start, containing: [#""type":"file_edit""#])
        #expect(edits.events.map { $0["paths"]?.arrayValue?.first?.stringValue } == ["a.swift", "b.swift"])
        #expect(edits.skippedLines == 0, "the garbage line is older than the session: the scan ends before it")
        let parsed = store.events.tail(20, matching: { $0.type == EventType.fileEdit }, until: { $0.timestamp < start })
        #expect(parsed.events.map(\.timestamp) == edits.events.map(\.timestamp))

        let failures = store.events.tail(10, matching: { EventFacts.failed($0) }, since: start, containing: [#""ok":false"#])
        #expect(failures.events.map { $0["command"]?.stringValue } == ["false"])
        #expect(store.events.tail(100, since: at(50)).events.count == 3)
    }

    @Test("an oversized event is shrunk to a bounded line, never dropped")
    func oversized() throws {
        let sandbox = try Sandbox("store")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        try repo.store.append(Event(type: "tool", [("command", .string(String(repeating: "x", count: 1_000_000)))]))
        let line = try repo.read(".handoff/events.jsonl")
        #expect(line.utf8.count < EventLog.maximumLineBytes)
        #expect(repo.store.events.tail(1).events.first?["truncated"] == .bool(true))
    }

    @Test("timestamps format and parse as ISO-8601 UTC")
    func timestamps() {
        let stamp = Timestamp(milliseconds: 1_795_270_509_123)
        #expect(stamp.iso8601 == "2026-11-21T14:15:09.123Z")
        #expect(Timestamp(iso8601: stamp.iso8601) == stamp)
        #expect(Timestamp(iso8601: "2026-11-21T15:15:09.123+01:00") == stamp)
        #expect(Timestamp(iso8601: "yesterday") == nil)
    }
}

@Suite("Store bounds")
struct StoreBoundsTests {
    @Test("the event log rotates at its cap without losing a line, and readers see across the rotation")
    func rotation() throws {
        let sandbox = try Sandbox("rotate")
        let repo = try sandbox.repository()
        var store = repo.store
        try store.initialise(hostname: "h")
        store.eventLogCap = 4096
        for index in 0..<300 { try store.append(Event(type: "tick", [("n", .int(index))])) }
        #expect(!store.events.rotatedFiles().isEmpty)
        let everything = store.events.readAll(includeRotated: true)
        #expect(everything.events.compactMap { $0["n"]?.intValue } == Array(0..<300))
        #expect(everything.skippedLines == 0)
        let all = try repo.handoff("events", "--all", "--json")
        #expect(all.stdout.split(separator: "\n").count == 300)
    }

    @Test("archives beyond the count are pruned oldest first")
    func pruning() throws {
        let sandbox = try Sandbox("prune")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        for index in 0..<6 {
            try repo.store.archive(["n": .int(index)], as: "s\(index)")
            usleep(15_000)
        }
        #expect(repo.store.pruneArchives(keep: 4) == 2)
        #expect(Set(FileSystem.list(repo.store.layout.sessionsDirectory)) == ["s2.json", "s3.json", "s4.json", "s5.json"])
    }

    @Test("a temporary file left by a killed writer is removed by the next writer")
    func abandonedTemporaryFile() throws {
        let sandbox = try Sandbox("tmp")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        // A pid that cannot be alive: above the kernel's pid_max default range.
        let stale = repo.store.layout.directory + "/.state.json.tmp.4194303.12345"
        try repo.write(".handoff/.state.json.tmp.4194303.12345", "{\"half\": ")
        // Killed runtime and archive writers leave theirs in runtime/ and sessions/.
        try repo.write(".handoff/runtime/.s1.json.tmp.4194303.1", "{")
        try repo.write(".handoff/sessions/.s1.json.tmp.4194303.2", "{")
        try repo.store.updateState { $0.watchOutFor = ["x"] }
        #expect(!FileSystem.exists(stale))
        #expect(FileSystem.list(repo.store.layout.runtimeDirectory).filter { $0.contains(".tmp.") }.isEmpty)
        #expect(FileSystem.list(repo.store.layout.sessionsDirectory).filter { $0.contains(".tmp.") }.isEmpty)
    }
}

@Suite("Event log line splitting")
struct EventLogLineTests {
    /// The memchr splitter must find exactly the lines the generic split finds: a record it dropped or
    /// glued to its neighbour would be a lost event for every reader.
    @Test("complete lines agree with a plain split on edge cases and on random logs, and never include a line still being written")
    func agreesWithSplit() {
        func reference(_ bytes: [UInt8]) -> [[UInt8]] {
            guard let last = bytes.lastIndex(of: 0x0A) else { return [] }
            return bytes[...last].split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
        }
        var cases = ["", "\n", "\n\n", "a", "a\n", "\n\na\n\nb", "a\nb\n", "\nab\n", "{\"x\":1}\n{\"y\":2}\n{\"partial"].map { Array($0.utf8) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            cases.append((0..<Int.random(in: 0...300, using: &random)).map { _ in Bool.random(using: &random) ? 0x0A : UInt8.random(in: 0x20...0x7E, using: &random) })
        }
        for bytes in cases {
            #expect(EventLog.completeLines(bytes).map(Array.init) == reference(bytes), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            let closed = bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
            #expect(EventLog.lines(bytes, through: bytes.count - 1).map(Array.init) == closed)
        }
    }
}
