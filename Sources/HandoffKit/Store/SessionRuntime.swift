/// What the hooks know about one agent session, in `.handoff/runtime/<session>.json`.
///
/// `state.json` has one `_runtime` (the session that wrote it last); several sessions can share a
/// worktree, so each session's gate judges from its own file and never from another session's.
package struct SessionRuntime: Sendable, Equatable {
    package struct FileMark: Sendable, Equatable {
        package var path: String
        package var size: Int
        package var modified: Double
    }

    package var sessionID: String
    package var startedAt: Timestamp
    package var startHash: String?
    package var startBranch: String?
    package var hostname: String
    package var compactionCount = 0
    package var lastCompaction: Timestamp?
    package var lastCompactionTrigger: String?
    /// Stops blocked in a row; reset when a stop is let through.
    package var consecutiveBlocks = 0
    package var totalBlocks = 0
    /// The work as it stood at the last block (`SessionWork.mark`): a stop with the same work follows
    /// that block, whatever the client says in `stop_hook_active` (some clients never say it).
    package var lastBlockWork: String?
    /// The last time work happened in this session: a commit or a file-changing tool call.
    package var lastWorkAt: Timestamp?
    /// The last completed handover (an accepted reflection or `handoff end`) and which kind.
    package var handoverAt: Timestamp?
    package var handoverKind: String?
    /// HEAD when the handover completed: a commit made without handoff's git hooks (so without
    /// `lastWorkAt`) still moves HEAD, and the gate takes that as work after the handover.
    package var handoverHead: String?
    /// Uncommitted files when the session started, so that only new changes count as this session's
    /// work; recorded only on a small index (see `SessionWork.startBaseline`).
    package var dirtyAtStart: [FileMark] = []
    /// The file clock (`FileSystem.fileClockNow`) when the session started: a dirty file whose ctime
    /// is older was not touched by this session (see `SessionWork.untouchedSinceStart`).
    package var fileClockAtStart: Double?
    /// The gate's policy keys as set when the session started (`GateIntegrity.policyKeys`); nil for
    /// a record written before handoff kept them.
    package var gateConfig: [String: String]?
    /// The stash and the local branches when the session started (`HiddenWork`); nil when unknown.
    package var refsAtStart: RefBaseline?
    /// A policy change during the session was recorded already (`gate_config_ignored`).
    package var gateConfigChangeRecorded = false
    package var endedAt: Timestamp?
    package var transcriptPath: String?

    package init(sessionID: String, startedAt: Timestamp, hostname: String) {
        self.sessionID = sessionID
        self.startedAt = startedAt
        self.hostname = hostname
    }

    /// True when work happened after the last completed handover (or no handover happened yet).
    package var hasWorkAfterHandover: Bool {
        guard let lastWorkAt else { return false }
        guard let handoverAt else { return true }
        return lastWorkAt > handoverAt
    }

    package var json: JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.iso8601) } ?? .null }
        return .object(JSONObject([
            ("session_id", .string(sessionID)),
            ("started_at", .string(startedAt.iso8601)),
            ("start_hash", JSONValue(startHash)),
            ("start_branch", JSONValue(startBranch)),
            ("hostname", .string(hostname)),
            ("compaction_count", .int(compactionCount)),
            ("last_compaction", time(lastCompaction)),
            ("last_compaction_trigger", JSONValue(lastCompactionTrigger)),
            ("consecutive_blocks", .int(consecutiveBlocks)),
            ("total_blocks", .int(totalBlocks)),
            ("last_block_work", JSONValue(lastBlockWork)),
            ("last_work_at", time(lastWorkAt)),
            ("handover_at", time(handoverAt)),
            ("handover_kind", JSONValue(handoverKind)),
            ("handover_head", JSONValue(handoverHead)),
            ("dirty_at_start", .array(dirtyAtStart.map {
                ["path": .string($0.path), "size": .int($0.size), "mtime": .double($0.modified)]
            })),
            ("file_clock_at_start", fileClockAtStart.map { .double($0) } ?? .null),
            ("gate_config", gateConfig.map { config in .object(JSONObject(config.keys.sorted().map { ($0, .string(config[$0]!)) })) } ?? .null),
            ("gate_config_change_recorded", .bool(gateConfigChangeRecorded)),
            ("refs_at_start", refsAtStart?.json ?? .null),
            ("ended_at", time(endedAt)),
            ("transcript_path", JSONValue(transcriptPath)),
        ]))
    }

    package init?(json: JSONValue) {
        guard let object = json.objectValue, let id = object["session_id"]?.stringValue,
            let started = object["started_at"]?.stringValue.flatMap({ Timestamp(iso8601: $0) })
        else { return nil }
        func time(_ key: String) -> Timestamp? { object[key]?.stringValue.flatMap { Timestamp(iso8601: $0) } }
        self.init(sessionID: id, startedAt: started, hostname: object["hostname"]?.stringValue ?? "")
        startHash = object["start_hash"]?.stringValue
        startBranch = object["start_branch"]?.stringValue
        compactionCount = object["compaction_count"]?.intValue ?? 0
        lastCompaction = time("last_compaction")
        lastCompactionTrigger = object["last_compaction_trigger"]?.stringValue
        consecutiveBlocks = object["consecutive_blocks"]?.intValue ?? 0
        totalBlocks = object["total_blocks"]?.intValue ?? 0
        lastBlockWork = object["last_block_work"]?.stringValue
        lastWorkAt = time("last_work_at")
        handoverAt = time("handover_at")
        handoverKind = object["handover_kind"]?.stringValue
        handoverHead = object["handover_head"]?.stringValue
        dirtyAtStart = (object["dirty_at_start"]?.arrayValue ?? []).compactMap { item in
            guard let path = item["path"]?.stringValue else { return nil }
            let modified: Double
            switch item["mtime"] {
            case .double(let value)?: modified = value
            case .int(let value)?: modified = Double(value)
            default: modified = 0
            }
            return FileMark(path: path, size: item["size"]?.intValue ?? -1, modified: modified)
        }
        switch object["file_clock_at_start"] {
        case .double(let value)?: fileClockAtStart = value
        case .int(let value)?: fileClockAtStart = Double(value)
        default: fileClockAtStart = nil
        }
        gateConfig = object["gate_config"]?.objectValue.map { config in
            Dictionary(config.pairs.compactMap { key, value in value.stringValue.map { (key, $0) } }, uniquingKeysWith: { first, _ in first })
        }
        gateConfigChangeRecorded = object["gate_config_change_recorded"]?.boolValue ?? false
        refsAtStart = RefBaseline(json: object["refs_at_start"])
        endedAt = time("ended_at")
        transcriptPath = object["transcript_path"]?.stringValue
    }
}

extension HandoffStore {
    package func readRuntime(session: String) -> SessionRuntime? {
        guard SessionID.isSafe(session),
            // Unreadable reads as missing: the gate then rebuilds the record from the log (GateIntegrity, `runtime_rebuilt`).
            let bytes = try? FileSystem.readBytes(layout.runtimeFile(session: session), limit: 4 * 1024 * 1024),
            let json = try? JSONValue.parse(bytes)
        else { return nil }
        return SessionRuntime(json: json)
    }

    /// Reads, changes and writes a session's runtime under the store's lock. `create` makes the
    /// record when the session has none yet (returning nil skips the write).
    @discardableResult
    package func updateRuntime(
        session: String,
        create: () -> SessionRuntime?,
        _ change: (inout SessionRuntime) throws(StoreError) -> Void
    ) throws(StoreError) -> SessionRuntime? {
        let id = try SessionID.validate(session)
        return try withLock { () throws(StoreError) -> SessionRuntime? in
            guard var runtime = readRuntime(session: id) ?? create() else { return nil }
            try change(&runtime)
            // No fsync: a session's runtime record is scratch for its own hooks, and a machine crash
            // ends the session anyway (the event log keeps every fact it holds).
            try writeJSON(runtime.json, to: layout.runtimeFile(session: id), durability: .none)
            return runtime
        }
    }

    /// Sessions that started and did not end, newest first (ended or unreadable ones left out).
    package func activeSessions(maximumAgeSeconds: Double = 7 * 24 * 3600) -> [SessionRuntime] {
        let now = Timestamp.now()
        return FileSystem.list(layout.runtimeDirectory)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { readRuntime(session: String($0.dropLast(5))) }
            .filter { $0.endedAt == nil && now.seconds - $0.startedAt.seconds < maximumAgeSeconds }
            .sorted { $0.startedAt > $1.startedAt }
    }
}
