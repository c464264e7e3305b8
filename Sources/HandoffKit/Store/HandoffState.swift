/// `state.json`: the handover contract (published as `schema/state.v1.json`).
///
/// Field names and meanings follow the Handoff End procedure. The model converts to and from
/// `JSONValue` by hand so that the file keeps the schema's key order, writes explicit `null`s, and so
/// that validation can name the exact JSON path of anything wrong in a file a person edited.
package struct HandoffState: Sendable, Equatable {
    package enum Source: String, Sendable, CaseIterable, Comparable {
        case initial = "init"
        case autoSave = "auto-save"
        case manualEnd = "manual-end"

        /// init < auto-save < manual-end: an automatic snapshot never overwrites a deliberate handover.
        var rank: Int {
            switch self {
            case .initial: return 0
            case .autoSave: return 1
            case .manualEnd: return 2
            }
        }

        package static func < (lhs: Source, rhs: Source) -> Bool { lhs.rank < rhs.rank }
    }

    package enum Severity: String, Sendable, CaseIterable {
        case ready = "READY"
        case inProgress = "IN_PROGRESS"
        case critical = "CRITICAL"

        package var emoji: String {
            switch self {
            case .ready: return "🟢"
            case .inProgress: return "🟡"
            case .critical: return "🔴"
            }
        }
    }

    package enum CheckResult: String, Sendable {
        case pass, fail
    }

    package struct Runtime: Sendable, Equatable {
        package var compactionCount = 0
        package var lastCompaction: String?
        package var handoffEndCompleted = false
        package var sessionStartTimestamp: String?
        package var sessionStartHash: String?
        package var hostname = ""
        package var contextPercent: Double?
        /// Keys beyond the contract's (the hooks' bookkeeping), kept as they are.
        package var extra = JSONObject()

        package init() {}
    }

    package struct Health: Sendable, Equatable {
        package var build: CheckResult?
        package var tests: CheckResult?
        package var lint: CheckResult?

        package init(build: CheckResult? = nil, tests: CheckResult? = nil, lint: CheckResult? = nil) {
            self.build = build
            self.tests = tests
            self.lint = lint
        }
    }

    package struct DoneItem: Sendable, Equatable {
        package var description: String
        package var ref: String
        package init(description: String, ref: String) {
            self.description = description
            self.ref = ref
        }
    }

    package struct FailedItem: Sendable, Equatable {
        package var description: String
        package var tried: String
        package var error: String
        package var why: String?
        package var need: String?
        package init(description: String, tried: String, error: String, why: String?, need: String?) {
            self.description = description
            self.tried = tried
            self.error = error
            self.why = why
            self.need = need
        }
    }

    package struct Blocker: Sendable, Equatable {
        package var description: String
        package var resolved: Bool
        /// The task `handoff end` filed for it (`ho-…`), when there is one.
        package var task: String?
        package init(description: String, resolved: Bool = false, task: String? = nil) {
            self.description = description
            self.resolved = resolved
            self.task = task
        }
    }

    package struct Resume: Sendable, Equatable {
        package var next: String
        package var files: [String]
        package var context: String
        /// The resume task `handoff end` filed (`ho-…`), when there is one.
        package var task: String?
        package init(next: String = "", files: [String] = [], context: String = "", task: String? = nil) {
            self.next = next
            self.files = files
            self.context = context
            self.task = task
        }
    }

    package struct SessionMemory: Sendable, Equatable {
        package var userIntent = ""
        package var corrections: [String] = []
        package var activeContext = ""
        package var keyReferences: [String] = []
        package var lastUpdated: String?
        package var lastEventIndex = 0
        package init() {}
    }

    package var version = 1
    package var source: Source = .initial
    package var sessionID: String?
    package var severity: Severity?
    package var runtime = Runtime()
    package var health = Health()
    package var done: [DoneItem] = []
    package var failed: [FailedItem] = []
    package var blockers: [Blocker] = []
    package var resume = Resume()
    package var watchOutFor: [String] = []
    package var sessionMemory = SessionMemory()

    package init() {}

    /// A fresh store's state: nothing known yet.
    package static func initial(hostname: String) -> HandoffState {
        var state = HandoffState()
        state.runtime.hostname = hostname
        return state
    }
}

// MARK: - JSON mapping

extension HandoffState {
    package var json: JSONValue {
        var runtimeObject = JSONObject([
            ("compaction_count", .int(runtime.compactionCount)),
            ("last_compaction", JSONValue(runtime.lastCompaction)),
            ("handoff_end_completed", .bool(runtime.handoffEndCompleted)),
            ("session_start_ts", JSONValue(runtime.sessionStartTimestamp)),
            ("session_start_hash", JSONValue(runtime.sessionStartHash)),
            ("hostname", .string(runtime.hostname)),
            ("context_pct", runtime.contextPercent.map { .double($0) } ?? .null),
        ])
        for (key, value) in runtime.extra.pairs where runtimeObject[key] == nil { runtimeObject[key] = value }
        return .object(JSONObject([
            ("_version", .int(version)),
            ("source", .string(source.rawValue)),
            ("session_id", JSONValue(sessionID)),
            ("severity", JSONValue(severity?.rawValue)),
            ("_runtime", .object(runtimeObject)),
            ("health", [
                "build": JSONValue(health.build?.rawValue),
                "tests": JSONValue(health.tests?.rawValue),
                "lint": JSONValue(health.lint?.rawValue),
            ]),
            ("done", .array(done.map { ["description": .string($0.description), "ref": .string($0.ref)] })),
            ("failed", .array(failed.map {
                [
                    "description": .string($0.description), "tried": .string($0.tried), "error": .string($0.error),
                    "why": JSONValue($0.why), "need": JSONValue($0.need),
                ]
            })),
            ("blockers", .array(blockers.map { blocker in
                var object = JSONObject([("description", .string(blocker.description)), ("resolved", .bool(blocker.resolved))])
                if let task = blocker.task { object["task"] = .string(task) }
                return .object(object)
            })),
            ("resume", {
                var object = JSONObject([("next", .string(resume.next)), ("files", JSONValue(resume.files)), ("context", .string(resume.context))])
                if let task = resume.task { object["task"] = .string(task) }
                return .object(object)
            }()),
            ("watch_out_for", JSONValue(watchOutFor)),
            ("session_memory", [
                "user_intent": .string(sessionMemory.userIntent),
                "corrections": JSONValue(sessionMemory.corrections),
                "active_context": .string(sessionMemory.activeContext),
                "key_references": JSONValue(sessionMemory.keyReferences),
                "last_updated": JSONValue(sessionMemory.lastUpdated),
                "last_event_index": .int(sessionMemory.lastEventIndex),
            ]),
        ]))
    }

    /// Reads a state, leniently: a missing optional part gets its empty value, but a value of the
    /// wrong type is an error naming its path (the caller decides whether to repair or refuse).
    package init(json: JSONValue) throws(StoreError) {
        guard let root = json.objectValue else {
            throw StoreError.invalidState(path: "$", reason: "expected an object, found \(json.typeName)")
        }
        var state = HandoffState()
        let reader = FieldReader()
        state.version = try reader.int(root["_version"], "_version") ?? 1
        if let source = try reader.string(root["source"], "source") {
            guard let value = Source(rawValue: source) else {
                throw StoreError.invalidState(path: "source", reason: "unknown source \"\(source)\" (init, auto-save or manual-end)")
            }
            state.source = value
        }
        state.sessionID = try reader.string(root["session_id"], "session_id")
        if let severity = try reader.string(root["severity"], "severity") {
            guard let value = Severity(rawValue: severity) else {
                throw StoreError.invalidState(path: "severity", reason: "unknown severity \"\(severity)\" (READY, IN_PROGRESS or CRITICAL)")
            }
            state.severity = value
        }
        if let runtime = try reader.object(root["_runtime"], "_runtime") {
            state.runtime.compactionCount = try reader.int(runtime["compaction_count"], "_runtime.compaction_count") ?? 0
            state.runtime.lastCompaction = try reader.string(runtime["last_compaction"], "_runtime.last_compaction")
            state.runtime.handoffEndCompleted = try reader.bool(runtime["handoff_end_completed"], "_runtime.handoff_end_completed") ?? false
            state.runtime.sessionStartTimestamp = try reader.string(runtime["session_start_ts"], "_runtime.session_start_ts")
            state.runtime.sessionStartHash = try reader.string(runtime["session_start_hash"], "_runtime.session_start_hash")
            state.runtime.hostname = try reader.string(runtime["hostname"], "_runtime.hostname") ?? ""
            state.runtime.contextPercent = try reader.double(runtime["context_pct"], "_runtime.context_pct")
            let known: Set = [
                "compaction_count", "last_compaction", "handoff_end_completed", "session_start_ts",
                "session_start_hash", "hostname", "context_pct",
            ]
            for (key, value) in runtime.pairs where !known.contains(key) { state.runtime.extra[key] = value }
        }
        if let health = try reader.object(root["health"], "health") {
            func check(_ key: String) throws(StoreError) -> CheckResult? {
                guard let text = try reader.string(health[key], "health.\(key)") else { return nil }
                guard let value = CheckResult(rawValue: text) else {
                    throw StoreError.invalidState(path: "health.\(key)", reason: "expected \"pass\", \"fail\" or null, found \"\(text)\"")
                }
                return value
            }
            state.health = Health(build: try check("build"), tests: try check("tests"), lint: try check("lint"))
        }
        for (position, item) in try reader.array(root["done"], "done").enumerated() {
            let path = "done[\(position)]"
            guard let object = item.objectValue else { throw StoreError.invalidState(path: path, reason: "expected an object") }
            state.done.append(DoneItem(
                description: try reader.string(object["description"], "\(path).description") ?? "",
                ref: try reader.string(object["ref"], "\(path).ref") ?? ""))
        }
        for (position, item) in try reader.array(root["failed"], "failed").enumerated() {
            let path = "failed[\(position)]"
            guard let object = item.objectValue else { throw StoreError.invalidState(path: path, reason: "expected an object") }
            state.failed.append(FailedItem(
                description: try reader.string(object["description"], "\(path).description") ?? "",
                tried: try reader.string(object["tried"], "\(path).tried") ?? "",
                error: try reader.string(object["error"], "\(path).error") ?? "",
                why: try reader.string(object["why"], "\(path).why"),
                need: try reader.string(object["need"], "\(path).need")))
        }
        for (position, item) in try reader.array(root["blockers"], "blockers").enumerated() {
            let path = "blockers[\(position)]"
            guard let object = item.objectValue else { throw StoreError.invalidState(path: path, reason: "expected an object") }
            state.blockers.append(Blocker(
                description: try reader.string(object["description"], "\(path).description") ?? "",
                resolved: try reader.bool(object["resolved"], "\(path).resolved") ?? false,
                task: try reader.string(object["task"], "\(path).task")))
        }
        if let resume = try reader.object(root["resume"], "resume") {
            state.resume.next = try reader.string(resume["next"], "resume.next") ?? ""
            state.resume.files = try reader.strings(resume["files"], "resume.files")
            state.resume.context = try reader.string(resume["context"], "resume.context") ?? ""
            state.resume.task = try reader.string(resume["task"], "resume.task")
        }
        state.watchOutFor = try reader.strings(root["watch_out_for"], "watch_out_for")
        if let memory = try reader.object(root["session_memory"], "session_memory") {
            state.sessionMemory.userIntent = try reader.string(memory["user_intent"], "session_memory.user_intent") ?? ""
            state.sessionMemory.corrections = try reader.strings(memory["corrections"], "session_memory.corrections")
            state.sessionMemory.activeContext = try reader.string(memory["active_context"], "session_memory.active_context") ?? ""
            state.sessionMemory.keyReferences = try reader.strings(memory["key_references"], "session_memory.key_references")
            state.sessionMemory.lastUpdated = try reader.string(memory["last_updated"], "session_memory.last_updated")
            state.sessionMemory.lastEventIndex = try reader.int(memory["last_event_index"], "session_memory.last_event_index") ?? 0
        }
        self = state
    }
}

/// Typed reads with the JSON path in every error.
struct FieldReader {
    func string(_ value: JSONValue?, _ path: String) throws(StoreError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw StoreError.invalidState(path: path, reason: "expected a string, found \(value.typeName)") }
        return text
    }

    func int(_ value: JSONValue?, _ path: String) throws(StoreError) -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.intValue else { throw StoreError.invalidState(path: path, reason: "expected an integer, found \(value.typeName)") }
        return number
    }

    func double(_ value: JSONValue?, _ path: String) throws(StoreError) -> Double? {
        guard let value, !value.isNull else { return nil }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw StoreError.invalidState(path: path, reason: "expected a number, found \(value.typeName)")
        }
    }

    func bool(_ value: JSONValue?, _ path: String) throws(StoreError) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw StoreError.invalidState(path: path, reason: "expected true or false, found \(value.typeName)") }
        return flag
    }

    func object(_ value: JSONValue?, _ path: String) throws(StoreError) -> JSONObject? {
        guard let value, !value.isNull else { return nil }
        guard let object = value.objectValue else { throw StoreError.invalidState(path: path, reason: "expected an object, found \(value.typeName)") }
        return object
    }

    func array(_ value: JSONValue?, _ path: String) throws(StoreError) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.arrayValue else { throw StoreError.invalidState(path: path, reason: "expected an array, found \(value.typeName)") }
        return items
    }

    func strings(_ value: JSONValue?, _ path: String) throws(StoreError) -> [String] {
        try array(value, path).enumerated().map { (position, item) throws(StoreError) -> String in
            guard let text = item.stringValue else {
                throw StoreError.invalidState(path: "\(path)[\(position)]", reason: "expected a string, found \(item.typeName)")
            }
            return text
        }
    }
}
