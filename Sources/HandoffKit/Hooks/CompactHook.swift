/// The PreCompact hook: counts the compaction and saves a lightweight snapshot of the session, so
/// what the agent knew survives the summary. It never blocks compaction.
package enum CompactHook {
    package static let hookName = "compact"
    package static let failOpen = ClaudeHookOutput.allow
    /// The snapshot's deadline: a compaction already makes the agent wait many seconds for the model's
    /// summary, so the snapshot may wait its turn for the store's lock (many sessions compacting at
    /// once) instead of being lost at the 2 s the other hooks keep. Below the client's 15 s (`hooks.json`),
    /// so that it is handoff that gives up, and records it, never the client that kills it.
    package static let deadlineSeconds = 10.0
    /// How long the snapshot waits for the store's lock, within its deadline.
    static let lockWaitSeconds = 8.0

    package static func run(_ input: HookInput) -> HookOutput {
        if input.environment.handoffDisabled { return ClaudeHookOutput.allow }
        let context = AgentHookContext(input)
        if let aside = context.setAside(hook: hookName) { return aside }
        do {
            try compact(context)
            return context.agent.allow()
        } catch {
            return context.agent.notice(context.failure(hookName, error) + " Compaction went ahead without a snapshot.")
        }
    }

    static func compact(_ context: AgentHookContext) throws {
        guard let session = context.sessionID, var (store, _) = try context.optedInStore() else { return }
        store.lockTimeout = max(store.lockTimeout, lockWaitSeconds)
        let repository = try context.openRepository()
        let trigger = context.payload.trigger ?? "unknown"
        let now = context.now
        // HEAD unreadable: a runtime created here has no start commit, so every commit counts as the
        // session's (more to hand over, never less); the snapshot below reads HEAD again.
        let head = try? repository.head()
        let runtime = try store.updateRuntime(session: session, create: {
            SessionHook.newRuntime(context: context, session: session, head: head, repository: repository, root: store.layout.worktreeRoot)
        }) { runtime in
            runtime.compactionCount += 1
            runtime.lastCompaction = now
            runtime.lastCompactionTrigger = trigger
        }
        guard let runtime else { return }
        try AutoSave.save(context: context, store: store, repository: repository, runtime: runtime,
                          copyName: "\(session).compact-\(runtime.compactionCount)", why: "before compaction #\(runtime.compactionCount) (\(trigger))")
        // How full the context was when it had to be compacted.
        if let percent = ContextUse.percent(transcriptPath: context.payload.transcriptPath ?? runtime.transcriptPath,
                                            environment: context.environment, config: { repository.configString($0) }) {
            ContextUse.record(percent, store: store, session: session)
        }
        try store.append(Event(type: EventType.compaction, session: session, at: now, [
            ("trigger", .string(trigger)), ("count", .int(runtime.compactionCount)),
        ]))
        // Shared only with `git config handoff.shareSnapshots true` (and sharing on); never fails the hook.
        _ = ShareRecorder.record(.init(kind: .snapshot, session: session, agent: context.agent.kind.rawValue,
                                       branch: head?.branchName, head: head?.sha, at: now),
                                 store: store, config: { repository.configString($0) }, environment: context.environment)
    }
}

/// The automatic snapshot (PreCompact, and SessionEnd without a handover): mechanical facts only —
/// commits, uncommitted and edited files, failed commands, check results.
package enum AutoSave {
    package static let failureWhy = "recorded automatically: see the command's output; the root cause was not analysed yet"

    /// Builds the snapshot from the previous state, keeping what only a person can write
    /// (blockers, watch-outs, session memory) and rebuilding what the repository and events say.
    /// `uncommitted`: the working tree's changes when the caller already has them (the stop gate
    /// does), so that a large repository is not asked twice.
    package static func snapshot(previous: HandoffState, context: AgentHookContext, store: HandoffStore,
                                repository: GitRepository, runtime: SessionRuntime, why: String,
                                uncommitted known: [String]? = nil) -> HandoffState {
        let session = runtime.sessionID
        let now = context.now
        var state = previous
        state.version = 1
        state.source = .autoSave
        state.sessionID = session
        state.runtime.compactionCount = runtime.compactionCount
        state.runtime.lastCompaction = runtime.lastCompaction?.iso8601
        state.runtime.handoffEndCompleted = false
        state.runtime.sessionStartTimestamp = runtime.startedAt.iso8601
        state.runtime.sessionStartHash = runtime.startHash
        state.runtime.hostname = FileSystem.hostname()

        // What could not be read is said as unknown in the snapshot, never as "no commits" or "clean".
        var commitsNote: String
        var commits: [CommitSummary] = []
        do {
            commits = try repository.commits(since: runtime.startHash, limit: 50)
            commitsNote = "\(commits.count) commit\(commits.count == 1 ? "" : "s") this session"
        } catch {
            commitsNote = "this session's commits unknown (\(error.message))"
        }
        state.done = commits.map { HandoffState.DoneItem(description: $0.subject, ref: $0.shortSHA) }

        var uncommittedUnknown: String?
        var uncommitted: [String] = []
        if let known {
            uncommitted = known
        } else {
            do { uncommitted = try repository.status(limit: 200).paths } catch { uncommittedUnknown = error.message }
        }
        let edited = store.events.tail(20, matching: { $0.type == EventType.fileEdit && $0.session == session },
                                       since: runtime.startedAt, containing: [#""type":"file_edit""#], scanLimit: 4 * 1024 * 1024).events
            .reversed().flatMap { event in (event["paths"]?.arrayValue ?? []).compactMap(\.stringValue) }
        var files: [String] = []
        for path in uncommitted + edited where !files.contains(path) && files.count < 10 { files.append(path) }
        if let first = uncommitted.first {
            state.resume.next = "\(first):1 review the uncommitted change and continue the work it belongs to"
        } else if let first = edited.first {
            state.resume.next = "\(first):1 re-read the latest edit (committed) and pick up the next step"
        }
        if !files.isEmpty { state.resume.files = files }
        let dirtyNote = uncommittedUnknown.map { "uncommitted files unknown (\($0))" }
            ?? (uncommitted.isEmpty ? "the tree was clean" : "\(uncommitted.count) uncommitted file\(uncommitted.count == 1 ? "" : "s")")
        state.resume.context = "Auto-saved by handoff \(why) at \(now.iso8601): \(commitsNote), \(dirtyNote). Written mechanically; check it against the conversation."

        // Failed commands of this session, newest last, one entry per command.
        let failures = store.events.tail(10, matching: { event in
            (event.type == EventType.tool || event.type == EventType.check) && event.session == session && EventFacts.failed(event)
        }, since: runtime.startedAt, containing: [#""ok":false"#, #""result":"fail""#], scanLimit: 4 * 1024 * 1024).events
        var failed: [HandoffState.FailedItem] = []
        for event in failures {
            let command = event["command"]?.stringValue ?? event["name"]?.stringValue ?? "a command"
            if failed.contains(where: { $0.tried == command }) { continue }
            var code = event["exit_code"]?.intValue.map { "exit code \($0)" } ?? "failed"
            if event["interrupted"]?.boolValue == true { code = "interrupted" }
            // The last lines of the recorded output (already redacted and bounded), one per line.
            let tail = event["output_tail"]?.stringValue.map { OutputTail.of($0, maximumLines: 6, maximumBytes: 600) }
                .flatMap { $0.isEmpty ? nil : "\n" + $0 } ?? ""
            failed.append(HandoffState.FailedItem(
                description: "`\(command.prefix(200))` (\(event["class"]?.stringValue ?? "other")) failed",
                tried: command, error: code + tail, why: failureWhy,
                need: "find the cause in the command's output before running it again"))
        }
        state.failed = failed

        let checks = EventFacts.lastChecks(store: store, session: session, since: runtime.startedAt, classes: ["test", "build", "lint"])
        func result(_ kind: String) -> HandoffState.CheckResult? {
            checks[kind].map { EventFacts.failed($0) ? .fail : .pass }
        }
        state.health = HandoffState.Health(build: result("build"), tests: result("test"), lint: result("lint"))
        if state.health.build == .fail {
            state.severity = .critical
        } else if state.health.tests == .fail || !uncommitted.isEmpty || uncommittedUnknown != nil {
            state.severity = .inProgress
        } else {
            state.severity = .ready
        }
        state.sessionMemory.lastUpdated = now.iso8601
        return state
    }

    /// A deliberate handover (`manual-end`) is never replaced by a snapshot (init < auto-save < manual-end).
    static func isProtected(_ state: HandoffState, session: String, runtime: SessionRuntime) -> Bool {
        guard state.source == .manualEnd else { return false }
        return state.runtime.handoffEndCompleted || (state.sessionID == session && runtime.handoverKind == "handoff-end")
    }

    /// Writes the snapshot into state.json (unless protected; then only the counters move) and keeps
    /// a copy as `sessions/<copyName>.json` when a name is given. `amend` adds what the caller knows
    /// beyond the mechanical facts. Returns whether state.json got the snapshot.
    @discardableResult
    package static func save(context: AgentHookContext, store: HandoffStore, repository: GitRepository,
                            runtime: SessionRuntime, copyName: String?, why: String, uncommitted: [String]? = nil,
                            amend: (inout HandoffState) -> Void = { _ in }) throws -> Bool {
        var copy: HandoffState?
        var wrote = false
        try store.updateState(durability: .dataOnly) { state in
            var built = snapshot(previous: state, context: context, store: store, repository: repository, runtime: runtime,
                                 why: why, uncommitted: uncommitted)
            amend(&built)
            copy = built
            if isProtected(state, session: runtime.sessionID, runtime: runtime) {
                if state.sessionID == runtime.sessionID {
                    state.runtime.compactionCount = max(state.runtime.compactionCount, runtime.compactionCount)
                    state.runtime.lastCompaction = runtime.lastCompaction?.iso8601 ?? state.runtime.lastCompaction
                }
                return
            }
            state = built
            wrote = true
        }
        if let copy, let copyName { try store.archive(copy.json, as: copyName, durability: .dataOnly) }
        return wrote
    }
}
