/// Puts a damaged store back in working order without losing anything: the bad `state.json` is moved
/// aside (never deleted) and a state is rebuilt from the newest readable archive, the events and git.
package enum StoreRepair {
    package struct Outcome: Sendable {
        /// Where the bad file went, when there was one.
        package var movedAside: String?
        /// What the new state was built from.
        package var rebuiltFrom: String
        package var recoveredCommits: Int
        package var state: HandoffState
        package var wasHealthy: Bool
    }

    /// Why a state file cannot be used as it is; nil when it reads and validates structurally.
    package static func diagnose(store: HandoffStore) -> String? {
        do {
            let json = try store.readStateJSON()
            if let version = json["_version"]?.intValue, version != 1 { return StoreError.unsupportedVersion(version).description }
            _ = try HandoffState(json: json)
            let structural = StateValidator.validate(json).errors.filter { $0.path.hasPrefix("_") || ["source", "severity", "health", "resume", "done", "failed", "blockers", "watch_out_for", "session_memory", "session_id", "$"].contains(where: $0.path.hasPrefix) }
            if let first = structural.first { return "state.json: \(first.path): \(first.message)" }
            return nil
        } catch {
            return error.description
        }
    }

    package static func repair(store: HandoffStore, repository: GitRepository?, now: Timestamp = .now()) throws(StoreError) -> Outcome {
        if !store.exists { try store.initialise(hostname: FileSystem.hostname()) }
        return try store.withLock { () throws(StoreError) -> Outcome in
            let problem = FileSystem.exists(store.layout.stateFile) ? diagnose(store: store) : "state.json is missing"
            guard let problem else {
                return Outcome(movedAside: nil, rebuiltFrom: "nothing to repair", recoveredCommits: 0,
                               state: try store.readState(), wasHealthy: true)
            }
            var movedAside: String?
            if FileSystem.exists(store.layout.stateFile) {
                let target = store.layout.stateFile + ".corrupt-\(now.fileStamp)"
                do throws(SystemError) { try FileSystem.move(store.layout.stateFile, to: target) } catch { throw .io(error) }
                movedAside = target
            }
            _ = problem
            // The newest archive that reads as a state.
            var state = HandoffState.initial(hostname: FileSystem.hostname())
            var source = "a fresh state"
            var since: Timestamp?
            for archive in store.archives() {
                // An unreadable archive is skipped for the next older one: repair rebuilds from what it can read.
                guard let bytes = try? FileSystem.readBytes(archive, limit: 16 * 1024 * 1024),
                    let json = try? JSONValue.parse(bytes), let archived = try? HandoffState(json: json)
                else { continue }
                state = archived
                source = "the archive \(Path.basename(archive))"
                since = FileSystem.modificationTime(archive).map { Timestamp(seconds: $0) }
                break
            }
            // Commits the hooks recorded after that archive, as done items.
            var recovered = 0
            let events = store.events.readAll().events
            for event in events where event.type == EventType.commit && (since == nil || event.timestamp > since!) {
                guard let short = event["short"]?.stringValue, let subject = event["subject"]?.stringValue else { continue }
                if !state.done.contains(where: { $0.ref == short }) {
                    state.done.append(.init(description: subject, ref: short))
                    recovered += 1
                }
            }
            if let lastStart = events.last(where: { $0.type == EventType.sessionStart }), let session = lastStart.session {
                state.sessionID = session
            }
            // HEAD unreadable: the start commit stays unknown (nil), which counts every commit as the session's.
            if state.runtime.sessionStartHash == nil, let head = try? repository?.head().sha {
                state.runtime.sessionStartHash = head
            }
            state.sessionMemory.lastEventIndex = store.events.lineCount()
            try store.writeStateUnlocked(state)
            // Best effort: the repaired state is written; the event only records that it happened.
            try? store.append(Event(type: "repair", session: state.sessionID, [
                ("moved_aside", JSONValue(movedAside.map(Path.basename))),
                ("rebuilt_from", .string(source)),
                ("recovered_commits", .int(recovered)),
            ]))
            return Outcome(movedAside: movedAside, rebuiltFrom: source, recoveredCommits: recovered, state: state, wasHealthy: false)
        }
    }
}
