#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of `events.jsonl`: when, what kind, which session, and the kind's own fields.
package struct Event: Sendable, Equatable {
    package var timestamp: Timestamp
    package var type: String
    package var session: String?
    package var fields: JSONObject

    package init(type: String, session: String? = nil, at timestamp: Timestamp = .now(), fields: JSONObject = JSONObject()) {
        self.type = type
        self.session = session
        self.timestamp = timestamp
        self.fields = fields
    }

    package init(type: String, session: String? = nil, at timestamp: Timestamp = .now(), _ pairs: [(String, JSONValue)]) {
        self.init(type: type, session: session, at: timestamp, fields: JSONObject(pairs))
    }

    package var json: JSONValue {
        var object = JSONObject([("ts", .string(timestamp.iso8601)), ("type", .string(type))])
        if let session { object["session"] = .string(session) }
        for (key, value) in fields.pairs where object[key] == nil { object[key] = value }
        return .object(object)
    }

    /// Reads a parsed line back; nil when it is not an event (no `type`).
    package init?(json: JSONValue) {
        guard let object = json.objectValue, let type = object["type"]?.stringValue else { return nil }
        self.type = type
        session = object["session"]?.stringValue
        timestamp = object["ts"]?.stringValue.flatMap { Timestamp(iso8601: $0) } ?? Timestamp(milliseconds: 0)
        var fields = JSONObject()
        for (key, value) in object.pairs where key != "ts" && key != "type" && key != "session" { fields[key] = value }
        self.fields = fields
    }

    package subscript(key: String) -> JSONValue? { fields[key] }
}

/// Events read back, with the number of lines that were not events (garbage, torn tails).
package struct EventReadResult: Sendable {
    package var events: [Event]
    package var skippedLines: Int
    /// Why the log (or one of the rotated logs) could not be read; nil when every file read. A log
    /// that cannot be read is not an empty one: callers that show events say so.
    package var unreadable: String? = nil
}

/// `events.jsonl`: append-only, one JSON object a line.
package struct EventLog: Sendable {
    package let path: String
    /// Where rotated logs go (`events-<stamp>.jsonl`).
    package let rotationFolder: String
    /// An event line longer than this is cut down (its text fields are truncated), so one event never
    /// costs more than one bounded write.
    package static let maximumLineBytes = 64 * 1024

    package init(path: String, rotationFolder: String) {
        self.path = path
        self.rotationFolder = rotationFolder
    }

    /// One `write(2)` of one line on an `O_APPEND` descriptor. Every field passes the redactor
    /// (the store boundary: no secret from a command, a message or a subject reaches the log).
    package func append(_ event: Event) throws(SystemError) {
        var event = event
        if let fields = Redactor.redact(.object(event.fields)).objectValue { event.fields = fields }
        var line = event.json.compactText
        if line.utf8.count > Self.maximumLineBytes {
            line = Self.shrink(event).json.compactText
        }
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        try FileSystem.appendWholeRecord(bytes, to: path)
    }

    private static func shrink(_ event: Event) -> Event {
        var small = event
        var fields = JSONObject()
        for (key, value) in event.fields.pairs {
            fields[key] = truncate(value, budget: 2048)
        }
        fields["truncated"] = .bool(true)
        small.fields = fields
        return small
    }

    private static func truncate(_ value: JSONValue, budget: Int) -> JSONValue {
        switch value {
        case .string(let text) where text.utf8.count > budget:
            return .string(String(text.prefix(budget)) + "…")
        case .array(let items):
            return .array(items.prefix(50).map { truncate($0, budget: budget / 4) })
        case .object(let object):
            var copy = JSONObject()
            for (key, item) in object.pairs.prefix(50) { copy[key] = truncate(item, budget: budget / 4) }
            return .object(copy)
        default:
            return value
        }
    }

    /// The last `count` events, reading backwards from the end of the file in growing chunks:
    /// the cost depends on `count` and the size of those lines, not on the size of the log.
    /// `matching` filters by type while still returning up to `count` matches (bounded by `scanLimit` bytes).
    /// `until` ends the scan at the first event (newest first) for which it is true: the log is written in
    /// time order, so `{ $0.timestamp < start }` bounds a per-session scan by the session, not the log.
    ///
    /// Parsing is most of a scan's cost, so two cheaper bounds come first, on the raw line as
    /// `append` writes it (`{"ts":"…","type":…}`, compact): `since` ends the scan at the first line
    /// stamped before it (the same as `until: { $0.timestamp < since }`, without parsing), and a
    /// line that contains none of `containing` (e.g. `"type":"file_edit"`) is passed over unparsed —
    /// so `matching` must only accept events whose line holds one of them.
    package func tail(_ count: Int, matching filter: ((Event) -> Bool)? = nil, until stop: ((Event) -> Bool)? = nil,
                     since: Timestamp? = nil, containing needles: [String] = [],
                     scanLimit: Int = 64 * 1024 * 1024) -> EventReadResult {
        let sinceStamp = since.map { Array($0.iso8601.utf8) }
        let needleBytes = needles.map { Array($0.utf8) }
        guard count > 0, let size = FileSystem.size(path), size > 0 else { return EventReadResult(events: [], skippedLines: 0) }
        var chunk = max(8192, count * 512)
        while true {
            let readSize = min(size, chunk, max(scanLimit, 1))
            // The whole file is read from its start, not as "the last `size` bytes": the log may have
            // grown since `size` was taken, and its first line must not be cut.
            let bytes: [UInt8]
            do {
                bytes = readSize >= size
                    ? try FileSystem.readBytes(path, limit: size + max(size, 65_536))
                    : try FileSystem.readTail(path, count: readSize)
            } catch {
                return EventReadResult(events: [], skippedLines: 0, unreadable: "\(error)")
            }
            // Drop a partial first line unless we read from the start of the file, and a last line
            // without its newline: an append still in flight (see `completeLines`).
            var lines = Self.completeLines(bytes)
            if readSize < size, !lines.isEmpty { lines.removeFirst() }
            var events: [Event] = []
            var skipped = 0
            var stopped = false
            for line in lines.reversed() {
                guard events.count < count else { break }
                if let sinceStamp, let stamp = Self.rawTimestamp(line), stamp.lexicographicallyPrecedes(sinceStamp) {
                    stopped = true
                    break
                }
                if !needleBytes.isEmpty, !needleBytes.contains(where: { Self.contains(line, $0) }) { continue }
                if let value = try? JSONValue.parse(Array(line)), let event = Event(json: value) {
                    if let since, event.timestamp < since { stopped = true; break }
                    if let stop, stop(event) { stopped = true; break }
                    if filter?(event) ?? true { events.append(event) }
                } else {
                    skipped += 1
                }
            }
            if stopped || events.count >= count || readSize >= size || readSize >= scanLimit {
                return EventReadResult(events: events.reversed(), skippedLines: skipped)
            }
            chunk *= 4
        }
    }

    /// The `ts` of a line as `append` writes it (`{"ts":"2026-11-21T16:44:21.750Z",…`), whose
    /// ISO 8601 UTC millisecond form orders like the time; nil for any other shape.
    static func rawTimestamp(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let prefix: [UInt8] = Array(#"{"ts":""#.utf8)
        let length = 24  // 2026-11-21T16:44:21.750Z
        guard line.count > prefix.count + length, line.starts(with: prefix) else { return nil }
        let start = line.startIndex + prefix.count
        guard line[start + length] == UInt8(ascii: "\""), line[start + length - 1] == UInt8(ascii: "Z") else { return nil }
        return line[start..<(start + length)]
    }

    /// Whether `needle` occurs in `line` (a first-byte scan; needles are short).
    static func contains(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, line.count >= needle.count else { return needle.isEmpty }
        var index = line.startIndex
        let last = line.endIndex - needle.count
        while index <= last {
            if line[index] == first, line[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// Every event, oldest first, across rotated logs when `includeRotated` (rotated files first).
    package func readAll(includeRotated: Bool = false) -> EventReadResult {
        var files: [String] = []
        if includeRotated { files += rotatedFiles() }
        files.append(path)
        var events: [Event] = []
        var skipped = 0
        var unreadable: [String] = []
        for file in files {
            let bytes: [UInt8]
            do {
                bytes = try FileSystem.readBytes(file)
            } catch {
                // A live log not there yet is an empty one; anything else is named.
                if !(file == path && FileSystem.size(path) == nil) { unreadable.append("\(error)") }
                continue
            }
            // Rotated logs are closed: a line without its newline there is torn and counted.
            let lines = file == path ? Self.completeLines(bytes) : Self.lines(bytes, through: bytes.count - 1)
            for line in lines {
                if let value = try? JSONValue.parse(Array(line)), let event = Event(json: value) {
                    events.append(event)
                } else {
                    skipped += 1
                }
            }
        }
        return EventReadResult(events: events, skippedLines: skipped, unreadable: unreadable.isEmpty ? nil : unreadable.joined(separator: "; "))
    }

    /// The newline-terminated lines of the live log. An append is one `write(2)`, but a reader can
    /// see the first part of it (the kernel copies a write into the page cache a page at a time):
    /// bytes after the last newline are a line still being written, not a torn one. Should a writer
    /// die mid-line, the next append ends that line first (`FileSystem.appendWholeRecord`): the
    /// fragment is then counted as unreadable, and the record after it is whole.
    static func completeLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let last = bytes.lastIndex(of: 0x0A) else { return [] }
        return lines(bytes, through: last)
    }

    /// The non-empty lines of `bytes[...last]`, found with `memchr`: the generic `split` spent 85 M of
    /// the stop gate's 110 M instructions on a 31 MB log (bench/RESULTS.md); this is ~25x less.
    static func lines(_ bytes: [UInt8], through last: Int) -> [ArraySlice<UInt8>] {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, last < buffer.count else { return [] }
            var lines: [ArraySlice<UInt8>] = []
            var start = 0
            while start <= last {
                let newline = memchr(base + start, 0x0A, last + 1 - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? last + 1
                if newline > start { lines.append(bytes[start..<newline]) }
                start = newline + 1
            }
            return lines
        }
    }

    /// Number of lines in the current log (for `session_memory.last_event_index`).
    package func lineCount() -> Int {
        guard let bytes = try? FileSystem.readBytes(path) else { return 0 }
        return bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// Rotated logs, oldest first (their names sort by time).
    package func rotatedFiles() -> [String] {
        FileSystem.list(rotationFolder)
            .filter { $0.hasPrefix("events-") && $0.hasSuffix(".jsonl") }
            .sorted()
            .map { Path.join(rotationFolder, $0) }
    }

    /// Moves the log aside once it passes `maximumBytes`. The caller holds the store's lock; appenders
    /// that opened the old file before the rename finish their line into the rotated file, so no line is lost.
    @discardableResult
    package func rotateIfNeeded(maximumBytes: Int) -> String? {
        guard let size = FileSystem.size(path), size >= maximumBytes else { return nil }
        let target = Path.join(rotationFolder, "events-\(Timestamp.now().milliseconds)-\(getpid()).jsonl")
        do {
            try FileSystem.makeDirectory(rotationFolder, mode: 0o700)
            try FileSystem.move(path, to: target)
            return target
        } catch {
            return nil
        }
    }
}
