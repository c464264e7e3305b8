/// Discoveries worth keeping beyond one session (`handoff remember`, the MCP `store_memory` tool):
/// `.handoff/memory.jsonl`, one JSON object a line, appended in one `write(2)` each.
///
/// A memory's id is a hash of its normalised text, so the same discovery remembered twice (or in two
/// clones) is one memory: readers merge lines by id (tags are united, the first time is kept).
package struct Memory: Sendable, Equatable {
    package var id: String
    package var text: String
    package var tags: [String]
    package var session: String?
    package var at: Timestamp

    package var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("ts", .string(at.iso8601)), ("text", .string(text)),
            ("tags", JSONValue(tags)), ("session", JSONValue(session)),
        ]))
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let text = json["text"]?.stringValue, !text.isEmpty,
            let ts = json["ts"]?.stringValue, let at = Timestamp(iso8601: ts)
        else { return nil }
        self.id = id
        self.text = text
        tags = (json["tags"]?.arrayValue ?? []).compactMap(\.stringValue)
        session = json["session"]?.stringValue
        self.at = at
    }

    package init(text: String, tags: [String], session: String?, at: Timestamp) {
        self.text = text
        self.tags = tags
        self.session = session
        self.at = at
        id = Memory.id(for: text)
    }

    /// Lower case, whitespace collapsed: "Use  tabs" and "use tabs" are the same discovery.
    static func normalise(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func id(for text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in normalise(text).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((hash >> UInt64(shift)) & 15)]) }
        return "mem-" + String(decoding: out, as: UTF8.self)
    }
}

package enum MemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case store(StoreError)

    package var description: String {
        switch self {
        case .empty: return "nothing to remember: handoff remember \"what the next session should know\""
        case .tooLong(let count): return "a memory is at most \(MemoryStore.maximumCharacters) characters (this one has \(count)); keep the discovery and point to a file for the rest"
        case .store(let error): return error.description
        }
    }
}

package struct MemoryStore: Sendable {
    package static let maximumCharacters = 2000
    package let store: HandoffStore

    package init(store: HandoffStore) { self.store = store }

    package var file: String { Path.join(store.layout.directory, "memory.jsonl") }

    /// Records a discovery (redacted; one line, appended atomically). Returns it, and whether it was new.
    @discardableResult
    package func remember(_ text: String, tags: [String], session: String?, now: Timestamp = .now()) throws(MemoryError) -> (memory: Memory, isNew: Bool) {
        let flat = Redactor.redact(text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        guard !flat.isEmpty else { throw .empty }
        guard flat.count <= Self.maximumCharacters else { throw .tooLong(flat.count) }
        guard store.exists else { throw .store(.notInitialised(root: store.layout.worktreeRoot)) }
        let cleanTags = tags.map { Redactor.redact($0.trimmed) }.filter { !$0.isEmpty }
        let memory = Memory(text: flat, tags: cleanTags, session: session, at: now)
        let existing = all().first { $0.id == memory.id }
        if let existing, Set(cleanTags).isSubset(of: existing.tags) { return (existing, false) }
        if FileSystem.isSymlink(file) { throw .store(.symlinkRefused(file)) }
        do {
            try FileSystem.appendRecord(Array((memory.json.compactText + "\n").utf8), to: file)
        } catch {
            throw .store(.io(error))
        }
        var merged = existing ?? memory
        for tag in cleanTags where !merged.tags.contains(tag) { merged.tags.append(tag) }
        return (merged, existing == nil)
    }

    /// Every memory, merged by id, in the order first remembered. Unreadable lines are skipped.
    package func all() -> [Memory] {
        // Discoveries are advisory context for the brief: an unreadable file adds none, it decides nothing.
        guard let bytes = try? FileSystem.readBytes(file, limit: 8 * 1024 * 1024) else { return [] }
        var order: [String] = []
        var byID: [String: Memory] = [:]
        for line in bytes.split(separator: 0x0A) {
            guard let json = try? JSONValue.parse(Array(line)), let memory = Memory(json: json) else { continue }
            if var known = byID[memory.id] {
                for tag in memory.tags where !known.tags.contains(tag) { known.tags.append(tag) }
                byID[memory.id] = known
            } else {
                order.append(memory.id)
                byID[memory.id] = memory
            }
        }
        return order.compactMap { byID[$0] }
    }
}
