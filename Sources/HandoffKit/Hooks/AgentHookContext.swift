/// What every agent hook works out first: the payload, the session, the worktree and its store.
///
/// Building it never touches libgit2: a hook that has nothing to do (disabled, no store, no session)
/// returns before paying for the library.
package struct AgentHookContext: Sendable {
    package var input: HookInput
    package var payload: AgentHookPayload
    /// The agent whose hook this is: everything agent-specific is asked of it.
    package var agent: any AgentContract
    /// True when the payload is no known agent's (`AgentKind.identify`): the hook records what
    /// arrived and lets the action through (`UnknownAgentPayload`); `agent` is then only a placeholder.
    package var agentUnknown: Bool
    package var sessionID: String?
    /// The worktree root, nil outside a git repository.
    package var root: String?
    package var store: HandoffStore?
    package var now: Timestamp
    /// Whether the agent hooks act in this repository (see `OptIn`); not opted in outside one.
    package var optIn: OptIn

    package init(_ input: HookInput) {
        self.input = input
        let raw = AgentHookPayload.parse(input.readStandardInput())
        let kind = AgentKind.identify(arguments: input.arguments, environment: input.environment, payload: raw)
        agentUnknown = kind == nil
        agent = (kind ?? .claudeCode).contract
        // From here on the payload speaks the engine's terms, whatever the agent calls things.
        payload = agent.normalised(raw, environment: input.environment)
        sessionID = payload.sessionID(environment: input.environment)
        now = input.now()
        let project = WorktreeLocator.agentProjectDirectory(inputCWD: payload.cwd, environment: input.environment,
                                                             workingDirectory: input.workingDirectory)
        root = WorktreeLocator.worktreeRoot(startingAt: project, environment: input.environment)
        store = root.map { HandoffStore(worktreeRoot: $0) }
        if let store, store.exists {
            HookDeadline.recordTimeouts(in: store, hook: payload.hookEventName ?? "agent-hook", session: sessionID, at: now)
        }
        optIn = root.map { OptIn.resolve(worktreeRoot: $0, environment: input.environment) }
            ?? OptIn(decision: .notOptedIn, reason: "not inside a git repository")
    }

    /// How the store the hook works in came to be there.
    package enum StoreArrival: Sendable, Equatable {
        case existing
        /// Created now, as a repository's first session does (`handoff.auto`, a new linked worktree).
        case created
        /// Missing although the repository opted in: wiped (`git clean -x`, `git stash --all`, rm)
        /// and created again; what it held is gone, and this session's start is unknown.
        case recreatedAfterWipe
    }

    /// The store to work in; nil when the repository did not opt in (then the hook does nothing and
    /// creates nothing). A missing store of an opted-in repository is created: at session start it
    /// is new when the opt-in is `handoff.auto` or the worktree a linked one, else it was wiped; at
    /// any later hook it was wiped. A wipe is recorded as a `store_wiped` event.
    package func optedInStore(sessionStart: Bool = false) throws(StoreError) -> (store: HandoffStore, arrival: StoreArrival)? {
        guard optIn.isOptedIn, let store, let root else { return nil }
        if store.exists { return (store, .existing) }
        let created = try store.initialise(hostname: FileSystem.hostname())
        let fresh = sessionStart && !optIn.missingStoreWasWiped(worktreeRoot: root, environment: environment)
        if fresh {
            // Best effort: the store exists; the event only records who created it.
            if created { try? store.append(Event(type: EventType.initialised, session: sessionID, at: now, [("root", .string(root)), ("by", "session-start")])) }
            return (store, .created)
        }
        if !sessionStart, let session = sessionID {
            // This session's record went with the store: its start is unknown, so everything git
            // shows (uncommitted, unpushed) counts as its work, and it has worked (unknown is never clean).
            try store.updateRuntime(session: session, create: {
                var runtime = SessionRuntime(sessionID: session, startedAt: now, hostname: FileSystem.hostname())
                runtime.lastWorkAt = now
                return runtime
            }) { _ in }
        }
        if created {
            try? store.append(Event(type: EventType.storeWiped, session: sessionID, at: now, [
                ("hook", .string(payload.hookEventName ?? "unknown")), ("opt_in", .string(optIn.decision.rawValue)), ("root", .string(root)),
            ]))
        }
        return (store, .recreatedAfterWipe)
    }

    package var environment: Environment { input.environment }

    /// True when this is grok running an entry that is not its own (a Claude Code or Cursor entry)
    /// while handoff's grok registration is in force: that one handles the event (`GrokHooks.standsBack`).
    package var answeredByGrokEntry: Bool {
        agent.kind == .grok && GrokHooks.standsBack(arguments: input.arguments, environment: environment, root: root)
    }

    /// The hook has nothing to do with this payload: no known agent sent it (recorded, let through),
    /// or another of handoff's entries handles it. Nil when the hook should go on.
    package func setAside(hook: String) -> HookOutput? {
        if agentUnknown { return UnknownAgentPayload.setAside(self, hook: hook) }
        if answeredByGrokEntry { return agent.allow() }
        return nil
    }

    /// The store, when it exists and the repository opted in (see `optedInStore` to create it).
    package var existingStore: HandoffStore? {
        guard optIn.isOptedIn, let store, store.exists else { return nil }
        return store
    }

    package func openRepository() throws(GitError) -> GitRepository {
        try GitRepository.open(at: root ?? input.workingDirectory, environment: environment)
    }

    /// Records a failure as a `hook_error` event (best effort) and returns the user-facing line.
    package func failure(_ hook: String, _ error: any Error) -> String {
        HookFailure.record(hook: hook, error: error, store: existingStore, session: sessionID, root: root)
            .trimmed
    }

    /// `path` relative to the worktree when it lies inside it, else as given.
    package func displayPath(_ path: String) -> String {
        guard let root else { return path }
        let absolute = Path.normalize(path, relativeTo: root)
        if let relative = Path.relative(absolute, to: root), relative != "." { return relative }
        return path
    }
}

/// Facts about the work a session did, from its runtime record, the repository and the event log.
package struct SessionWork: Sendable, Equatable {
    package var head: HeadState
    /// Uncommitted paths that are new or changed since the session started.
    package var newUncommitted: [String]
    /// Every uncommitted path.
    package var uncommitted: [String]
    /// Commits the branch has and its upstream (or the last recorded push) lacks; nil when there is
    /// nowhere to push (no remote at all).
    package var unpushed: Int?
    package var commitsSinceStart: Bool
    /// Why the uncommitted files could not be listed (neither libgit2 nor git answered); the lists
    /// above are then empty, and must not be read as "clean".
    package var uncommittedUnknown: String?
    /// Why the unpushed commits could not be counted; `unpushed` is then nil.
    package var unpushedUnknown: String?
    /// Stashes the session made and commits on other local branches that no remote has.
    package var hidden = HiddenWork()

    package init(head: HeadState, newUncommitted: [String], uncommitted: [String], unpushed: Int?, commitsSinceStart: Bool,
                uncommittedUnknown: String? = nil, unpushedUnknown: String? = nil) {
        self.head = head
        self.newUncommitted = newUncommitted
        self.uncommitted = uncommitted
        self.unpushed = unpushed
        self.commitsSinceStart = commitsSinceStart
        self.uncommittedUnknown = uncommittedUnknown
        self.unpushedUnknown = unpushedUnknown
    }

    /// The work as it stands, as one comparable string: HEAD, what is unpushed, which files are
    /// uncommitted and the last recorded work. Two stops with the same mark had no new work between them.
    package func mark(runtime: SessionRuntime) -> String {
        let unpushedText = unpushed.map(String.init) ?? "?"
        let work = runtime.lastWorkAt.map { String($0.milliseconds) } ?? "-"
        return "\(head.sha ?? "-") \(unpushedText) \(work) \(newUncommitted.sorted().joined(separator: "\u{0}"))"
            + (hidden.isEmpty ? "" : " " + hidden.mark)
    }

    /// Nothing to hand over: no commit, no file-changing tool call, no new uncommitted change
    /// (and the uncommitted files are known).
    package func changedNothing(runtime: SessionRuntime) -> Bool {
        runtime.lastWorkAt == nil && !commitsSinceStart && newUncommitted.isEmpty && uncommittedUnknown == nil && hidden.isEmpty
    }

    /// What could not be checked, one phrase each ("uncommitted files unknown (why)").
    package var unknowns: [String] {
        var result: [String] = []
        if let why = uncommittedUnknown { result.append("the uncommitted files could not be listed (\(why))") }
        if let why = unpushedUnknown { result.append("the unpushed commits could not be counted (\(why))") }
        if let why = hidden.unknown { result.append("the stash and other branches could not be checked (\(why))") }
        return result
    }

    package static func gather(repository: GitRepository, store: HandoffStore, runtime: SessionRuntime) throws(GitError) -> SessionWork {
        try gather(facts: RepositoryFacts.gather(repository: repository, statusLimit: 500), repository: repository,
                   git: repository.commandLine, store: store, runtime: runtime)
    }

    /// The session's work from `facts`; `repository` is nil when libgit2 could not open it (then git
    /// answers, and work is credited to this session whenever telling otherwise would need libgit2:
    /// more blocks, never fewer). Throws when HEAD itself is unknown.
    package static func gather(facts: RepositoryFacts, repository: GitRepository?, git: GitCommandLine, store: HandoffStore,
                              runtime: SessionRuntime) throws(GitError) -> SessionWork {
        let head: HeadState
        switch facts.head {
        case .known(let value): head = value
        case .unknown(let reason): throw GitError(call: "HEAD", code: -1, message: reason)
        }
        let paths = facts.status.value?.paths ?? []
        let root = store.layout.worktreeRoot
        let marks = Dictionary(runtime.dirtyAtStart.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var untouched = UntouchedSinceStart(repository: repository, store: store, runtime: runtime, head: head.sha)
        var newUncommitted = paths.filter { path in
            if let mark = marks[path] {
                let full = Path.join(root, path)
                let size = FileSystem.size(full) ?? -1
                let modified = FileSystem.modificationTime(full) ?? 0
                if size == mark.size && abs(modified - mark.modified) <= 0.0005 { return false }
            }
            return !untouched.contains(path)
        }
        var commitsSinceStart: Bool
        switch (head.sha, runtime.startHash) {
        case (nil, _): commitsSinceStart = false
        case (let sha?, let start?): commitsSinceStart = sha != start
        // No commit when the session started (an unborn branch, or HEAD unknown then) and one now.
        case (_?, nil): commitsSinceStart = true
        }
        let unpushedFact = unpushedCount(repository: repository, git: git, facts: facts, store: store, head: head)
        var unpushed = unpushedFact.value ?? nil
        // Sessions can share a worktree: what the event log credits to another session (the commits
        // its git hooks recorded, the files its tools wrote) is that session's work, not this one's.
        // The log is read only when that can change the answer; work nobody recorded still counts.
        var others: OtherSessionsWork?
        func otherSessions() -> OtherSessionsWork {
            if let others { return others }
            let read = OtherSessionsWork.read(store: store, session: runtime.sessionID, since: runtime.startedAt)
            others = read
            return read
        }
        if !newUncommitted.isEmpty { newUncommitted.removeAll { otherSessions().ownsOnly($0) } }
        let limit = 200
        if let repository, commitsSinceStart, runtime.lastWorkAt == nil, !otherSessions().commits.isEmpty {
            // Commits that cannot be listed stay this session's (commitsSinceStart stays true): more to hand over, never less.
            let new = (try? repository.commits(since: runtime.startHash, limit: limit)) ?? []
            if !new.isEmpty, new.count < limit, new.allSatisfy({ otherSessions().commits.contains($0.sha) }) { commitsSinceStart = false }
        }
        // Unpushed commits on a branch shared with another session: only this session's (or nobody's) count.
        if let repository, let count = unpushed, count > 0, count < limit, !otherSessions().commits.isEmpty,
            let upstream = facts.upstream.value ?? nil,
            let base = repository.resolve(reference: "refs/remotes/" + upstream.upstream),
            // Commits that cannot be listed: the full unpushed count stands (more to hand over, never less).
            let ahead = try? repository.commits(since: base, limit: limit), ahead.count < limit
        {
            unpushed = ahead.filter { !otherSessions().commits.contains($0.sha) }.count
        }
        var work = SessionWork(
            head: head, newUncommitted: newUncommitted, uncommitted: paths,
            unpushed: unpushed, commitsSinceStart: commitsSinceStart,
            uncommittedUnknown: facts.status.unknownReason, unpushedUnknown: unpushedFact.unknownReason)
        work.hidden = HiddenWork.gather(repository: repository, git: git, runtime: runtime, currentBranch: head.branchName,
                                        ledger: PushLedger(store: store), otherSessionCommits: { otherSessions().commits })
        return work
    }

    /// Ahead of the upstream when there is one; otherwise ahead of what the pre-push hook recorded in
    /// `pushes.json` and of every remote-tracking branch; `.known(nil)` without any remote (nothing to
    /// push to) or without a commit; unknown when neither libgit2 nor git could count.
    static func unpushedCount(repository: GitRepository?, git: GitCommandLine, facts: RepositoryFacts, store: HandoffStore, head: HeadState) -> GitFact<Int?> {
        guard let sha = head.sha else { return .known(nil) }
        switch facts.upstream {
        case .known(let tracking?): return .known(tracking.ahead)
        case .unknown(let reason): return .unknown(reason: reason)
        case .known(nil): break
        }
        let ledger = head.branchName.flatMap { PushLedger(store: store).record(forBranch: $0) }
        guard let repository else {
            // libgit2 could not open the repository: git counts (the ledger counts for pushes by URL).
            do {
                if try git.remoteNames().isEmpty { return .known(nil) }
                return .known(try git.countUnpushed(hidden: ledger.map { [$0.sha] } ?? []))
            } catch {
                return .unknown(reason: error.message)
            }
        }
        if repository.remoteNames().isEmpty { return .known(nil) }
        var hidden = repository.remoteTrackingTips()
        // The ledger is written before git talks to the remote, so it also records pushes that were
        // then rejected. Where git keeps a remote-tracking ref for the pushed branch, that ref moves
        // only on success and is already among `hidden`; the ledger counts only where nothing else
        // can (a push to a URL, a remote without a fetch refspec).
        if let pushed = ledger, repository.trackingReference(remote: pushed.remote, remoteRef: pushed.remoteRef) == nil {
            hidden.append(pushed.sha)
        }
        do {
            return .known(try repository.countCommits(from: sha, excluding: hidden, limit: 10_000))
        } catch {
            do {
                return .known(try git.countUnpushed(hidden: hidden.filter { $0 != sha }))
            } catch let gitError {
                return .unknown(reason: "libgit2: \(error.message); git: \(gitError.message)")
            }
        }
    }

    /// `unpushedCount` for an open repository, its upstream asked of libgit2 (and git where libgit2 fails).
    static func unpushedCount(repository: GitRepository, store: HandoffStore, head: HeadState) -> GitFact<Int?> {
        let upstream: GitFact<AheadBehind?>
        do { upstream = .known(try repository.aheadBehindUpstream()) } catch { upstream = .unknown(reason: error.message) }
        let facts = RepositoryFacts(head: .known(head), status: .known(WorkingTreeStatus(entries: [])), upstream: upstream)
        return unpushedCount(repository: repository, git: repository.commandLine, facts: facts, store: store, head: head)
    }

    /// Index entries up to which session start also records the size and mtime of every dirty file
    /// (one status: well under a millisecond there). `HANDOFF_BASELINE_SCAN_LIMIT` overrides it
    /// (0: never), which is how the tests take the large-repository path on a small repository.
    package static let defaultBaselineScanLimit = 2_000

    /// What a new session remembers of the working tree, so that only its own changes count later.
    ///
    /// Always the file clock, which costs nothing: a dirty file whose ctime is older than the session
    /// was not touched by it (`UntouchedSinceStart`), so session start never waits for a full status
    /// on a large repository. On a small index, also the size and mtime of each dirty file, which
    /// covers what the clock cannot tell (files changed in the seconds before the start, a staged
    /// index at the stop).
    package static func startBaseline(repository: GitRepository, root: String, environment: Environment)
        -> (marks: [SessionRuntime.FileMark], fileClock: Double)
    {
        let fileClock = FileSystem.fileClockNow()
        let limit = environment["HANDOFF_BASELINE_SCAN_LIMIT"].flatMap { Int($0.trimmed) } ?? defaultBaselineScanLimit
        // No index yet (a fresh repository): nothing is tracked, the status is cheap.
        let entries = repository.indexEntryCountFromHeader() ?? 0
        // No baseline when the status fails: every dirty file then counts as the session's work (never less).
        guard limit > 0, entries <= limit, let status = try? repository.status(limit: 500) else { return ([], fileClock) }
        return (dirtyMarks(paths: status.paths, root: root), fileClock)
    }

    package static func dirtyMarks(paths: [String], root: String) -> [SessionRuntime.FileMark] {
        paths.map { path in
            let full = Path.join(root, path)
            return SessionRuntime.FileMark(path: path, size: FileSystem.size(full) ?? -1, modified: FileSystem.modificationTime(full) ?? 0)
        }
    }
}

/// Proves, from cheap facts, that a path dirty at the stop was already dirty, with the same content,
/// when the session started, so it is not the session's work.
///
/// The proof: nothing is staged now (the index holds HEAD's tree), the path is the same in HEAD and in
/// the session's start commit, and the file (for a deleted one: the nearest folder still there) has a
/// ctime older than the session's start. Then its content is what it was at the start, and it differs
/// from HEAD's, so it was dirty then too. ctime, unlike mtime, cannot be set back by a program.
/// Anything else, or anything that cannot be checked, counts as the session's work: unknown is never
/// clean. A change in the last `margin` seconds before the start counts too, so that a file system
/// with coarse timestamps (1–2 s) cannot pass a later change off as an earlier one.
struct UntouchedSinceStart {
    static let margin = 2.0

    /// nil when libgit2 could not open the repository: then nothing is proven.
    let repository: GitRepository?
    let root: String
    let startHash: String?
    let head: String?
    /// Changes strictly before this instant on the file clock predate the session; nil: no proof.
    let before: Double?
    private var nothingStaged: Bool?

    init(repository: GitRepository?, store: HandoffStore, runtime: SessionRuntime, head: String?) {
        self.repository = repository
        root = store.layout.worktreeRoot
        startHash = runtime.startHash
        self.head = head
        var before = runtime.fileClockAtStart.map { $0 - Self.margin }
        // The session's own runtime file was written after its start: a file system whose ctime says
        // otherwise does not keep ctime honestly, and proves nothing.
        if let limit = before, !((FileSystem.changeTime(store.layout.runtimeFile(session: runtime.sessionID)) ?? 0) >= limit) {
            before = nil
        }
        self.before = before
    }

    mutating func contains(_ path: String) -> Bool {
        guard let before, let repository else { return false }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        // The file itself, or for a deletion the nearest folder that is still there (removing an
        // entry changes its folder's ctime).
        var probe = Path.join(root, trimmed)
        var changed = FileSystem.changeTime(probe)
        while changed == nil, probe.count > root.count {
            probe = Path.dirname(probe)
            changed = FileSystem.changeTime(probe)
        }
        guard let changed, changed < before else { return false }
        if nothingStaged == nil { nothingStaged = repository.indexMatchesHead() }
        guard nothingStaged == true else { return false }
        return repository.pathIsUnchanged(path, between: startHash, and: head)
    }
}

/// The work the event log credits to sessions other than one: commits recorded by the post-commit
/// hook with another session's id, and files written by another session's tools.
struct OtherSessionsWork {
    var commits: Set<String> = []
    var paths: Set<String> = []
    /// Files the session itself wrote: shared with another session, they stay its own work.
    var ownPaths: Set<String> = []

    /// True when only other sessions wrote `path` (an untracked folder, `dir/`, when they wrote all of it).
    func ownsOnly(_ path: String) -> Bool {
        if path.hasSuffix("/") {
            return paths.contains { $0.hasPrefix(path) } && !ownPaths.contains { $0.hasPrefix(path) }
        }
        return paths.contains(path) && !ownPaths.contains(path)
    }

    static func read(store: HandoffStore, session: String, since start: Timestamp) -> OtherSessionsWork {
        // A hook stamps its event when it starts and appends it when it ends, so the log is in time
        // order only to within a hook's run (at most its deadline, 600 s): scan that far past the start.
        let horizon = Timestamp(milliseconds: start.milliseconds - 600_000)
        // Crediting work to a session also updates its runtime file: when no other session's file
        // changed since then, no other session worked here, and the log need not be read.
        let folder = store.layout.runtimeDirectory
        let othersActive = FileSystem.list(folder).contains { name in
            name.hasSuffix(".json") && !name.hasPrefix(".") && name != "\(session).json"
                && (FileSystem.modificationTime(Path.join(folder, name)) ?? 0) >= horizon.seconds
        }
        guard othersActive else { return OtherSessionsWork() }
        let events = store.events.tail(1000, matching: { $0.type == EventType.commit || $0.type == EventType.fileEdit },
                                       since: horizon, containing: [#""type":"commit""#, #""type":"file_edit""#],
                                       scanLimit: 8 * 1024 * 1024).events
        var work = OtherSessionsWork()
        for event in events {
            guard let owner = event.session else { continue }
            if event.type == EventType.commit {
                if owner != session, let sha = event["sha"]?.stringValue { work.commits.insert(sha) }
            } else {
                for path in (event["paths"]?.arrayValue ?? []).compactMap(\.stringValue) {
                    if owner == session { work.ownPaths.insert(path) } else { work.paths.insert(path) }
                }
            }
        }
        return work
    }
}

/// The stop gate's policy: `HANDOFF_GATE`, else `git config handoff.gate`; strict by default.
package enum GatePolicy: Sendable, Equatable {
    case strict
    /// Block only once the context is degraded: from `afterCompactions` compactions on.
    case degraded(afterCompactions: Int)
    case off

    package static func resolve(environment: Environment, config: (String) -> String?) -> GatePolicy {
        let text = (environment["HANDOFF_GATE"] ?? config("handoff.gate") ?? "strict").lowercased()
        switch text {
        case "off", "false", "no", "0", "disabled":
            return .off
        case "degraded":
            let after = config("handoff.gate.degradedAfter").flatMap { Int($0.trimmed) } ?? 1
            return .degraded(afterCompactions: max(0, after))
        default:
            return .strict
        }
    }

    /// `HANDOFF_GATE_MAX_BLOCKS`, else `git config handoff.gate.maxBlocks`; 3 by default.
    package static func maximumBlocks(environment: Environment, config: (String) -> String?) -> Int {
        let text = environment["HANDOFF_GATE_MAX_BLOCKS"] ?? config("handoff.gate.maxBlocks")
        guard let text, let value = Int(text.trimmed), value >= 0 else { return 3 }
        return min(value, 50)
    }
}
