/// SessionStart, SessionEnd, PostToolUse and PostToolUseFailure, dispatched on `hook_event_name`.
package enum SessionHook {
    package static let hookName = "session"
    package static let failOpen = ClaudeHookOutput.allow

    package static func run(_ input: HookInput) -> HookOutput {
        if input.environment.handoffDisabled { return ClaudeHookOutput.allow }
        let context = AgentHookContext(input)
        if let aside = context.setAside(hook: hookName) { return aside }
        do {
            switch context.payload.hookEventName {
            case "SessionStart": return try start(context)
            case "SessionEnd": try end(context)
            case "PostToolUse", "PostToolUseFailure": try recordTool(context)
            case "PreToolUse": try firstHookBaseline(context)
            default: break
            }
            return context.agent.allow()
        } catch {
            return context.agent.notice(context.failure(hookName, error))
        }
    }

    static func newRuntime(context: AgentHookContext, session: String, head: HeadState?, repository: GitRepository?, root: String) -> SessionRuntime {
        var runtime = SessionRuntime(sessionID: session, startedAt: context.now, hostname: FileSystem.hostname())
        runtime.startHash = head?.sha
        runtime.startBranch = head?.branchName
        if let repository {
            (runtime.dirtyAtStart, runtime.fileClockAtStart) = SessionWork.startBaseline(repository: repository, root: root, environment: context.environment)
            runtime.gateConfig = GateIntegrity.capture { repository.configString($0) }
            runtime.refsAtStart = RefBaseline.capture(repository: repository, git: repository.commandLine)
        }
        runtime.transcriptPath = context.payload.transcriptPath
        return runtime
    }

    // MARK: A session's first hook call, for agents that announce no session start

    /// Mistral Vibe has no session-start event: the session's baseline (start commit, what was
    /// already dirty, the refs) is taken at its first hook call instead. The installer registers a
    /// `pre_tool` hook for every tool, so that first call comes before the session's first tool
    /// runs: nothing the session does is missed (an agent changes files only through its tools),
    /// and nothing that was there before it is credited to it. Later calls find the record and
    /// return after one read.
    static func firstHookBaseline(_ context: AgentHookContext) throws {
        guard !context.agent.announcesSessionStart, let session = context.sessionID,
            // This call is the session's start: a missing store is created as at a SessionStart.
            let (store, _) = try context.optedInStore(sessionStart: true), store.readRuntime(session: session) == nil
        else { return }
        // As at SessionStart: a repository libgit2 cannot open (sha256 under libgit2 1.5) is read through git.
        let repository: GitRepository?
        var gitFacts: RepositoryFacts?
        let git = GitCommandLine(directory: store.layout.worktreeRoot, environment: context.environment)
        do {
            repository = try context.openRepository()
        } catch {
            if error.isOwnershipRefusal { throw error }
            repository = nil
            gitFacts = RepositoryFacts.fromGit(git, openError: error, statusLimit: 500)
        }
        let head = repository.flatMap { try? $0.head() } ?? gitFacts?.head.value
        let runtime = try store.updateRuntime(session: session, create: {
            var runtime = newRuntime(context: context, session: session, head: head, repository: repository, root: store.layout.worktreeRoot)
            if let paths = gitFacts?.status.value?.paths {
                runtime.dirtyAtStart = SessionWork.dirtyMarks(paths: paths, root: store.layout.worktreeRoot)
                runtime.fileClockAtStart = FileSystem.fileClockNow()
            }
            if repository == nil { runtime.refsAtStart = RefBaseline.capture(repository: nil, git: git) }
            return runtime
        }) { _ in }
        try? store.append(Event(type: EventType.sessionStart, session: session, at: context.now, [
            ("source", "first-hook"), ("agent", .string(context.agent.kind.rawValue)),
            ("head", JSONValue(runtime?.startHash)), ("branch", JSONValue(runtime?.startBranch)),
            ("gate_config", runtime?.gateConfig.map { config in .object(JSONObject(config.keys.sorted().map { ($0, .string(config[$0]!)) })) } ?? .null),
        ]))
    }

    // MARK: SessionStart

    static func start(_ context: AgentHookContext) throws -> HookOutput {
        // Outside a repository that opted in, nothing is done and nothing is created.
        guard let (store, arrival) = try context.optedInStore(sessionStart: true) else { return context.agent.allow() }
        let notice = arrival == .recreatedAfterWipe ? ResumeBrief.wipedStoreNotice : nil
        // A repository libgit2 cannot open (sha256 under libgit2 1.5) is read through git itself.
        let repository: GitRepository?
        var gitFacts: RepositoryFacts?
        do {
            repository = try context.openRepository()
        } catch {
            if error.isOwnershipRefusal { throw error }
            repository = nil
            gitFacts = RepositoryFacts.fromGit(GitCommandLine(directory: store.layout.worktreeRoot, environment: context.environment),
                                               openError: error, statusLimit: 500)
        }
        // HEAD unreadable: no start commit, so every later commit counts as this session's work.
        let head = repository.flatMap { try? $0.head() } ?? gitFacts?.head.value
        let source = context.payload.source ?? "startup"
        let now = context.now

        guard let session = context.sessionID else {
            // A damaged state.json fails the hook (recorded, with the fix) instead of a brief that
            // says no handover was ever recorded.
            let state = try store.readState()
            return brief(context, state: state, store: store, head: head, compaction: notice)
        }
        context.agent.exportSessionID(session, environment: context.environment)

        let runtime = try store.updateRuntime(session: session, create: {
            var runtime = newRuntime(context: context, session: session, head: head, repository: repository, root: store.layout.worktreeRoot)
            if let paths = gitFacts?.status.value?.paths {
                runtime.dirtyAtStart = SessionWork.dirtyMarks(paths: paths, root: store.layout.worktreeRoot)
            }
            if repository == nil {
                runtime.refsAtStart = RefBaseline.capture(repository: nil, git: GitCommandLine(directory: store.layout.worktreeRoot, environment: context.environment))
            }
            return runtime
        }) { runtime in
            runtime.endedAt = nil
            if let path = context.payload.transcriptPath { runtime.transcriptPath = path }
        }

        // state.json names the session it belongs to; another session's state is archived and this
        // session's start recorded, keeping the previous handover's content for the brief.
        var handedOverBy: String?
        let state = try store.withLock { () throws(StoreError) -> HandoffState in
            let json = try store.readStateJSON()
            var state = try HandoffState(json: json)
            handedOverBy = state.sessionID
            if state.sessionID != session {
                if let previous = state.sessionID, SessionID.isSafe(previous), state.source != .initial {
                    try store.archive(json, as: previous, durability: .dataOnly)
                }
                state.sessionID = session
                state.runtime.handoffEndCompleted = false
                state.runtime.contextPercent = nil
                state.runtime.compactionCount = runtime?.compactionCount ?? 0
                state.runtime.lastCompaction = runtime?.lastCompaction?.iso8601
                state.runtime.sessionStartTimestamp = (runtime?.startedAt ?? now).iso8601
                state.runtime.sessionStartHash = runtime?.startHash ?? head?.sha
                state.runtime.hostname = FileSystem.hostname()
                // Metadata is journaled in order, so after a power cut the archive is there whenever
                // this new state is; one fsync each keeps either file from coming back empty.
                try store.writeStateUnlocked(state, durability: .dataOnly)
            }
            return state
        }
        try? store.append(Event(type: EventType.sessionStart, session: session, at: now, [
            ("source", .string(source)), ("head", JSONValue(runtime?.startHash ?? head?.sha)), ("branch", JSONValue(head?.branchName)),
            // Which agent's session this is (grok runs Claude Code's entries: the payload says, not the entry).
            ("agent", .string(context.agent.kind.rawValue)),
            // The gate's policy for this session, so that a lost runtime file can be rebuilt with it.
            ("gate_config", runtime?.gateConfig.map { config in .object(JSONObject(config.keys.sorted().map { ($0, .string(config[$0]!)) })) } ?? .null),
        ]))

        var compaction = notice
        if source == "compact", var runtime {
            var state = state
            // The snapshot before the compaction ran out of time or failed: taken now instead (the
            // facts it holds are git's and the log's, which the compaction did not change), once.
            var when = "before it, handoff saved"
            if let lost = lostSnapshot(store: store, session: session, since: runtime.startedAt), let repository {
                do {
                    if runtime.lastCompaction.map({ $0 < lost.timestamp }) ?? true {
                        runtime = try store.updateRuntime(session: session, create: { nil }) { runtime in
                            runtime.compactionCount += 1
                            runtime.lastCompaction = lost.timestamp
                            runtime.lastCompactionTrigger = nil
                        } ?? runtime
                    }
                    try AutoSave.save(context: context, store: store, repository: repository, runtime: runtime,
                                      copyName: "\(session).compact-\(runtime.compactionCount)",
                                      why: "after compaction #\(runtime.compactionCount) (the snapshot before it \(lost.why))")
                    try store.append(Event(type: EventType.compaction, session: session, at: now, [
                        ("trigger", JSONValue(runtime.lastCompactionTrigger)), ("count", .int(runtime.compactionCount)),
                        ("snapshot", "after"), ("why", .string("the snapshot before the compaction \(lost.why)")),
                    ]))
                    state = (try? store.readState()) ?? state
                    when = "the snapshot before it \(lost.why), so handoff took it now and saved"
                } catch {
                    when = "the snapshot before it \(lost.why) and could not be taken now either (\(error)); what is in .handoff/state.json is older:"
                }
            }
            let snapshot = state.source == .autoSave && state.sessionID == session
                ? "the snapshot in .handoff/state.json (\(state.done.count) commit\(state.done.count == 1 ? "" : "s") this session, \(state.resume.files.count) file\(state.resume.files.count == 1 ? "" : "s") in play, \(state.failed.count) failed command\(state.failed.count == 1 ? "" : "s"))"
                : "the handover in .handoff/state.json (left as it was: a deliberate handover is never overwritten by a snapshot)"
            compaction = (notice.map { $0 + "\n" } ?? "") + "Context was just compacted (#\(runtime.compactionCount), \(runtime.lastCompactionTrigger ?? "unknown")); \(when) \(snapshot)."
        }
        // Sharing on: a newer handover of this branch fetched from another clone is the one to resume from.
        // A resumed session whose context was already full when it last stopped (not after a compaction: that emptied it).
        var contextWarning: String?
        if source != "compact", handedOverBy == session {
            contextWarning = ContextUse.warning(percent: state.runtime.contextPercent,
                                                threshold: ContextUse.threshold(environment: context.environment, config: { repository?.configString($0) }))
        }
        let text = ResumeBrief.forSessionStart(store: store, state: state, repository: repository, head: head,
                                               environment: context.environment, compaction: compaction,
                                               handedOverBy: handedOverBy, contextWarning: contextWarning)
        return context.agent.additionalContext(event: "SessionStart", text)
    }

    /// The last compaction of `session` whose snapshot was not taken: the PreCompact hook ran out
    /// of time (`hook_timeout`) or failed (`hook_error`) after the last snapshot it did take.
    static func lostSnapshot(store: HandoffStore, session: String, since start: Timestamp) -> (timestamp: Timestamp, why: String)? {
        let horizon = Timestamp(milliseconds: start.milliseconds - 600_000)
        let events = store.events.tail(20, matching: { event in
            guard event.session == session else { return false }
            switch event.type {
            case EventType.compaction: return true
            case EventType.hookTimeout: return event["hook"]?.stringValue == "PreCompact"
            case "hook_error": return event["hook"]?.stringValue == CompactHook.hookName
            default: return false
            }
        }, since: horizon, containing: [#""type":"compaction""#, #""type":"hook_timeout""#, #""type":"hook_error""#],
                                       scanLimit: 4 * 1024 * 1024).events
        guard let last = events.last, last.type != EventType.compaction else { return nil }
        let why = last.type == EventType.hookTimeout ? "ran out of time" : "failed (\(last["error"]?.stringValue?.prefix(200) ?? "see `handoff events`"))"
        return (last.timestamp, why)
    }

    static func brief(_ context: AgentHookContext, state: HandoffState, store: HandoffStore, head: HeadState?, compaction: String?,
                      handedOverBy: String? = nil, contextWarning: String? = nil) -> HookOutput {
        var extras = ResumeBrief.Extras.read(store: store, handedOverBy: handedOverBy ?? state.sessionID)
        extras.contextWarning = contextWarning
        let next = ResumeBrief.nextStep(store: store, state: state, branch: head?.branchName, tasks: extras.tasks)
        let text = ResumeBrief.build(state: state, branch: head?.label, next: next, compaction: compaction, extras: extras)
        return context.agent.additionalContext(event: "SessionStart", text)
    }

    // MARK: SessionEnd

    static func end(_ context: AgentHookContext) throws {
        guard let session = context.sessionID, let (store, _) = try context.optedInStore() else { return }
        let now = context.now
        let runtime = try store.updateRuntime(session: session, create: { nil }) { runtime in runtime.endedAt = now }
        var autoSaved = false
        if let runtime, runtime.handoverAt == nil || runtime.hasWorkAfterHandover {
            let repository = try context.openRepository()
            let work = try SessionWork.gather(repository: repository, store: store, runtime: runtime)
            // A session that changed nothing leaves the previous handover alone.
            if !work.changedNothing(runtime: runtime) {
                autoSaved = try AutoSave.save(context: context, store: store, repository: repository, runtime: runtime,
                                              copyName: "\(session).autosave", why: "at session end without a handover")
            }
        }
        try store.append(Event(type: EventType.sessionEnd, session: session, at: now, [
            ("reason", JSONValue(context.payload.reason)), ("auto_saved", .bool(autoSaved)),
        ]))
    }

    // MARK: PostToolUse / PostToolUseFailure

    /// Append-only and without libgit2: this runs after every tool call.
    static func recordTool(_ context: AgentHookContext) throws {
        guard let (store, _) = try context.optedInStore() else { return }
        let payload = context.payload
        let session = context.sessionID
        let now = context.now
        switch context.agent.toolCall(payload, displayPath: context.displayPath) {
        case .shell(let raw, let exitCode, let failed, let madeCommit, let outputTail, let interrupted)?:
            let command = Redactor.redact(raw)
            let kind = CommandClass.classify(command)
            // An agent that does not report the outcome leaves `ok` out: unknown, not success.
            var fields: [(String, JSONValue)] = [
                ("tool", "Bash"), ("command", .string(command)),
                ("exit_code", exitCode.map { .int($0) } ?? .null),
                ("class", .string(kind.rawValue)),
            ]
            if let failed { fields.append(("ok", .bool(!failed))) }
            // Already redacted and bounded by the agent's contract (`OutputTail`).
            if let outputTail { fields.append(("output_tail", .string(outputTail))) }
            if interrupted { fields.append(("interrupted", true)) }
            // `swift test || true` exits 0 whatever the tests did: such a run says nothing about them.
            if kind == .test || kind == .build, CommandClass.statusMasked(command) { fields.append(("status_masked", true)) }
            try store.append(Event(type: EventType.tool, session: session, at: now, fields))
            // A commit the agent reports is work that re-arms the gate.
            if madeCommit, let session {
                try markWork(store: store, session: session, at: now, context: context)
            }
        case .fileEdit(let tool, let paths, let failed)?:
            try store.append(Event(type: EventType.fileEdit, session: session, at: now, [
                ("tool", .string(tool)), ("paths", JSONValue(paths)),
            ]))
            if !failed, let session { try markWork(store: store, session: session, at: now, context: context) }
        case nil:
            return
        }
    }

    static func markWork(store: HandoffStore, session: String, at now: Timestamp, context: AgentHookContext) throws {
        try store.updateRuntime(session: session, create: {
            // No SessionStart seen (plugin loaded mid-session): start the record now, without libgit2.
            SessionRuntime(sessionID: session, startedAt: now, hostname: FileSystem.hostname())
        }) { runtime in runtime.lastWorkAt = now }
    }
}
