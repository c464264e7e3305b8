/// What keeps the stop gate honest against its own bookkeeping: the gate's settings are the ones in
/// force when the session started, and the session's runtime record is checked against the event
/// log. An agent with a shell can run `git config` and edit or delete `.handoff/runtime/<session>.json`;
/// neither makes its work disappear, and both are recorded for the user to see.
package enum GateIntegrity {
    /// The git config keys the gate judges by, frozen per session: its policy, and the pattern of the
    /// team's tracker ids that a Next step may name instead of a task (else the session being judged
    /// could set it to `.*` and pass any Next step).
    package static let policyKeys = ["handoff.gate", "handoff.gate.maxBlocks", "handoff.gate.degradedAfter", "handoff.tasks.external"]

    /// The policy keys set in the repository's config now.
    package static func capture(_ config: (String) -> String?) -> [String: String] {
        var values: [String: String] = [:]
        for key in policyKeys { if let value = config(key) { values[key] = value } }
        return values
    }

    /// The config the gate reads: the policy keys as the session started (when known), everything
    /// else live. A policy change made since is recorded once per session as `gate_config_ignored`.
    static func config(runtime: SessionRuntime, live: @escaping (String) -> String?, store: HandoffStore, at now: Timestamp)
        -> (String) -> String?
    {
        guard let frozen = runtime.gateConfig else { return live }
        let changed = policyKeys.filter { frozen[$0] != live($0) }
        if !changed.isEmpty, !runtime.gateConfigChangeRecorded {
            // Best effort: these records of a distrusted record never change the gate's decision.
            _ = try? store.updateRuntime(session: runtime.sessionID, create: { nil }) { $0.gateConfigChangeRecorded = true }
            try? store.append(Event(type: EventType.gateConfigIgnored, session: runtime.sessionID, at: now, [
                ("keys", JSONValue(changed)),
                ("session_values", .object(JSONObject(changed.map { ($0, JSONValue(frozen[$0])) }))),
                ("new_values", .object(JSONObject(changed.map { ($0, JSONValue(live($0))) }))),
                ("why", "the gate's policy holds for the whole session; the change applies to the next one"),
            ]))
        }
        return { key in policyKeys.contains(key) ? frozen[key] : live(key) }
    }

    /// The session's events that the runtime record must agree with.
    static func sessionEvents(store: HandoffStore, session: String, since: Timestamp?, types: [String]? = nil) -> EventReadResult {
        // Only lines that can match are parsed: of these types when given, else naming the session.
        let needles = types.map { $0.map { "\"type\":\"\($0)\"" } } ?? ["\"session\":\"\(session)\""]
        return store.events.tail(5000, matching: { event in event.session == session && (types?.contains(event.type) ?? true) },
                                 since: since, containing: needles, scanLimit: 16 * 1024 * 1024)
    }

    /// A runtime record rebuilt from the log when the file is gone but the log knows the session;
    /// nil when the log has nothing of it (a new session). What the log cannot say (the files that
    /// were dirty at the start) is left unknown, so every uncommitted file counts.
    static func rebuiltRuntime(store: HandoffStore, session: String, at now: Timestamp) -> SessionRuntime? {
        let read = sessionEvents(store: store, session: session, since: nil)
        if let why = read.unreadable {
            // Neither the record nor the log can say what this session did: unknown work is not
            // "nothing changed", so the session is judged as one whose work needs a handover (every
            // uncommitted file counts, no start commit); the cap still bounds the blocks.
            var runtime = SessionRuntime(sessionID: session, startedAt: now, hostname: FileSystem.hostname())
            runtime.lastWorkAt = now
            // Best effort: the log that would hold this event is the one that cannot be read.
            try? store.append(Event(type: EventType.runtimeRebuilt, session: session, at: now, [
                ("why", .string("runtime/\(session).json was missing and the event log could not be read (\(why)); the session's work is unknown")),
            ]))
            return runtime
        }
        let events = read.events
        guard let first = events.first else { return nil }
        let start = events.last { $0.type == EventType.sessionStart }
        var runtime = SessionRuntime(sessionID: session, startedAt: start?.timestamp ?? first.timestamp, hostname: FileSystem.hostname())
        runtime.startHash = start?["head"]?.stringValue
        runtime.startBranch = start?["branch"]?.stringValue
        runtime.gateConfig = start?["gate_config"]?.objectValue.map { object in
            Dictionary(object.pairs.compactMap { key, value in value.stringValue.map { (key, $0) } }, uniquingKeysWith: { first, _ in first })
        }
        let work: Set<String> = [EventType.commit, EventType.fileEdit]
        runtime.lastWorkAt = events.last { work.contains($0.type) || ($0.type == EventType.tool && $0["class"]?.stringValue == "vcs") }?.timestamp
        if let handover = events.last(where: { $0.type == EventType.handover || $0.type == EventType.handoffEnd }) {
            runtime.handoverAt = handover.timestamp
            runtime.handoverKind = handover.type == EventType.handover ? "reflection" : "handoff-end"
        }
        runtime.compactionCount = events.filter { $0.type == EventType.compaction }.count
        // Best effort: the rebuilt runtime is what the gate uses; the event only records the rebuild.
        try? store.append(Event(type: EventType.runtimeRebuilt, session: session, at: now, [
            ("why", .string("runtime/\(session).json was missing; rebuilt from \(events.count) events of the session")),
        ]))
        return runtime
    }

    /// The runtime record, corrected where the log contradicts it: a handover the log does not
    /// know, a start commit other than the one the session started at. Each correction is recorded.
    static func verified(_ runtime: SessionRuntime, store: HandoffStore, at now: Timestamp) -> SessionRuntime {
        var checked = runtime
        // A hook stamps its event when it starts and writes it when it ends: look that far back.
        let horizon = Timestamp(milliseconds: runtime.startedAt.milliseconds - 600_000)
        let events = sessionEvents(store: store, session: runtime.sessionID, since: horizon,
                                   types: [EventType.sessionStart, EventType.handover, EventType.handoffEnd]).events
        var problems: [String] = []
        if let handoverAt = runtime.handoverAt {
            let recorded = events.contains { event in
                (event.type == EventType.handover || event.type == EventType.handoffEnd)
                    && abs(event.timestamp.milliseconds - handoverAt.milliseconds) <= 60_000
            }
            if !recorded {
                problems.append("handover_at \(handoverAt.iso8601) matches no handover in the log")
                checked.handoverAt = nil
                checked.handoverKind = nil
                checked.handoverHead = nil
            }
        }
        if let start = events.first(where: { $0.type == EventType.sessionStart }), let head = start["head"]?.stringValue,
            runtime.startHash != head
        {
            problems.append("start_hash \(runtime.startHash ?? "null") is not the HEAD the session started at (\(head))")
            checked.startHash = head
        }
        if !problems.isEmpty {
            // Best effort: the checked runtime is what the gate uses; the event only records the mismatch.
            try? store.append(Event(type: EventType.runtimeMismatch, session: runtime.sessionID, at: now, [
                ("problems", JSONValue(problems)),
                ("why", .string("runtime/\(runtime.sessionID).json disagrees with the event log; the gate judged from the log")),
            ]))
        }
        return checked
    }
}
