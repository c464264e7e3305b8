/// What every completed handover does when sharing is on: commit it to `refs/handoff/<branch>`.
///
/// Called after the handover is recorded in `.handoff/`; it never throws, so a failure to share can
/// never undo or block the handover itself (the caller shows the one line it returns).
package enum ShareRecorder {
    package enum Result: Sendable, Equatable {
        /// Sharing is off: nothing under `refs/handoff/` was created.
        case off
        /// Sharing is on but this handover has no branch to go to (detached HEAD) or is not shared (a snapshot).
        case skipped(String)
        case recorded(ref: String, commit: String)
        case failed(String)

        /// The one line for the user (nil when there is nothing to say).
        package var line: String? {
            switch self {
            case .off: return nil
            case .skipped(let why): return "handoff: handover not shared: \(why)"
            case .recorded(let ref, _): return "handoff: handover shared locally in \(ref) (it goes to the remote with your next `git push`, or `handoff push`)"
            case .failed(let why): return "handoff: the handover is recorded in .handoff/ but could not be shared: \(why)"
            }
        }
    }

    /// The agent that made a handover: `HANDOFF_AGENT` when set, else what the environment says, else `fallback`.
    package static func agent(environment: Environment, fallback: String) -> String {
        SessionIdentity.agent(environment: environment) ?? fallback
    }

    /// The facts of one handover, as the caller knows them.
    package struct Handover: Sendable {
        package var kind: SharedHandover.Kind
        package var session: String?
        package var agent: String
        package var branch: String?
        package var head: String?
        package var outcome: String?
        package var reflection: String?
        package var at: Timestamp

        package init(kind: SharedHandover.Kind, session: String?, agent: String, branch: String?, head: String?,
                    outcome: String? = nil, reflection: String? = nil, at: Timestamp) {
            self.kind = kind
            self.session = session
            self.agent = agent
            self.branch = branch
            self.head = head
            self.outcome = outcome
            self.reflection = reflection
            self.at = at
        }
    }

    /// This clone's id (`handoff.shareClone`), made and saved on first use when sharing was turned on by hand.
    package static func cloneID(settings: ShareSettings, git: GitCLI) -> String {
        if let clone = settings.clone { return clone }
        let made = ShareSettings.newCloneID()
        _ = git.run(["config", "--local", ShareSettings.cloneKey, made])
        return made
    }

    /// The tree the handover would be committed as (for `share status --dry-run` and `record`).
    package static func snapshot(_ handover: Handover, store: HandoffStore, clone: String) -> SharedHandover {
        let origin = SharedHandover.Origin(
            host: FileSystem.hostname(), agent: handover.agent, session: handover.session, clone: clone, at: handover.at,
            kind: handover.kind, branch: handover.branch ?? "", head: handover.head, outcome: handover.outcome)
        return SharedHandover.capture(store: store, origin: origin, reflection: handover.reflection, tasks: SharedTasks.read(store: store))
    }

    /// Commits the handover when sharing is on (`config` reads the repository's git config).
    package static func record(_ handover: Handover, store: HandoffStore, config: (String) -> String?, environment: Environment) -> Result {
        let settings = ShareSettings.read(config)
        guard settings.enabled else { return .off }
        if handover.kind == .snapshot && !settings.snapshots { return .skipped("compaction snapshots are not shared (git config handoff.shareSnapshots true)") }
        guard let branch = handover.branch, !branch.isEmpty else { return .skipped("HEAD is detached, so there is no branch to share it under") }
        let git = GitCLI(directory: store.layout.worktreeRoot, environment: environment)
        let refs = HandoverRefs(git: git)
        let shared = snapshot(handover, store: store, clone: cloneID(settings: settings, git: git))
        do {
            var commit = try refs.record(shared, branch: branch)
            // The cap (handoff.shareKeep): a failure to cap costs nothing but length.
            if let capped = try? ShareHistoryCap.apply(refs: refs, branch: branch, keep: settings.keep) { commit = capped.new }
            try? store.append(Event(type: EventType.shareRecorded, session: handover.session, at: handover.at, [
                ("ref", .string(ShareSettings.localRef(branch: branch))), ("commit", .string(commit)),
                ("kind", .string(handover.kind.rawValue)),
            ]))
            return .recorded(ref: ShareSettings.localRef(branch: branch), commit: commit)
        } catch {
            return .failed(error.description)
        }
    }
}

/// Tasks as they travel: the task store's open tasks and those closed in the last `recentDays`.
///
/// A task that ages out of the shared list is not deleted anywhere: merges drop a task missing on
/// one side only when the other side left it as the common ancestor had it, and the task stores
/// themselves only ever add or update (`TaskStore.merge`).
package enum SharedTasks {
    package static let recentDays: Int64 = 14
    package static let limit = 500

    /// The tasks to share, sorted by id (the same bytes on every clone); nil when the store has none.
    package static func read(store: HandoffStore, now: Timestamp = .now()) -> [JSONValue]? {
        let tasks = TaskStore(store: store).list(now: now).tasks
        guard !tasks.isEmpty else { return nil }
        let since = Timestamp(milliseconds: now.milliseconds - recentDays * 86_400_000)
        let shared = tasks.filter { $0.isOpen || ($0.closedAt ?? $0.updatedAt) >= since }
            .sorted { $0.id < $1.id }
            .prefix(limit)
        return shared.map(\.json)
    }

    /// Brings shared tasks into this clone's task store (by id; see `TaskStore.merge`). Returns what changed.
    @discardableResult
    package static func importTasks(_ tasks: [JSONValue]?, into store: HandoffStore) -> TaskStore.MergeReport? {
        guard let tasks, store.exists else { return nil }
        let parsed = tasks.compactMap { try? HandoffTask(json: $0) }
        return try? TaskStore(store: store).merge(parsed)
    }
}
