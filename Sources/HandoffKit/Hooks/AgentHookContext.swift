/// What every agent hook works out first: the payload, the session, the worktree and its store.
///
/// Building it never touches libgit2: a hook that has nothing to do (disabled, no store, no session)
/// returns before paying for the library.
public struct AgentHookContext: Sendable {
    public var input: HookInput
    public var payload: ClaudeHookInput
    public var sessionID: String?
    /// The worktree root, nil outside a git repository.
    public var root: String?
    public var store: HandoffStore?
    public var now: Timestamp

    public init(_ input: HookInput) {
        self.input = input
        payload = ClaudeHookInput.parse(input.readStandardInput())
        sessionID = payload.sessionID(environment: input.environment)
        now = input.now()
        let project = WorktreeLocator.agentProjectDirectory(inputCWD: payload.cwd, environment: input.environment)
        root = WorktreeLocator.worktreeRoot(startingAt: project, environment: input.environment)
        store = root.map { HandoffStore(worktreeRoot: $0) }
    }

    public var environment: Environment { input.environment }

    /// The store, when it exists (hooks other than SessionStart never create one).
    public var existingStore: HandoffStore? {
        guard let store, store.exists else { return nil }
        return store
    }

    public func openRepository() throws(GitError) -> GitRepository {
        try GitRepository.open(at: root ?? input.workingDirectory, environment: environment)
    }

    /// Records a failure as a `hook_error` event (best effort) and returns the user-facing line.
    public func failure(_ hook: String, _ error: any Error) -> String {
        HookFailure.record(hook: hook, error: error, store: existingStore, session: sessionID)
            .trimmed
    }

    /// `path` relative to the worktree when it lies inside it, else as given.
    public func displayPath(_ path: String) -> String {
        guard let root else { return path }
        let absolute = Path.normalize(path, relativeTo: root)
        if let relative = Path.relative(absolute, to: root), relative != "." { return relative }
        return path
    }
}

/// Facts about the work a session did, from its runtime record, the repository and the event log.
public struct SessionWork: Sendable, Equatable {
    public var head: HeadState
    /// Uncommitted paths that are new or changed since the session started.
    public var newUncommitted: [String]
    /// Every uncommitted path.
    public var uncommitted: [String]
    /// Commits the branch has and its upstream (or the last recorded push) lacks; nil when there is
    /// nowhere to push (no remote at all).
    public var unpushed: Int?
    public var commitsSinceStart: Bool

    /// Nothing to hand over: no commit, no file-changing tool call, no new uncommitted change.
    public func changedNothing(runtime: SessionRuntime) -> Bool {
        runtime.lastWorkAt == nil && !commitsSinceStart && newUncommitted.isEmpty
    }

    public static func gather(repository: GitRepository, store: HandoffStore, runtime: SessionRuntime) throws(GitError) -> SessionWork {
        let head = try repository.head()
        let status = try repository.status(limit: 500)
        let root = store.layout.worktreeRoot
        let marks = Dictionary(runtime.dirtyAtStart.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let newUncommitted = status.paths.filter { path in
            guard let mark = marks[path] else { return true }
            let full = Path.join(root, path)
            let size = FileSystem.size(full) ?? -1
            let modified = FileSystem.modificationTime(full) ?? 0
            return size != mark.size || abs(modified - mark.modified) > 0.0005
        }
        let commitsSinceStart: Bool
        switch (head.sha, runtime.startHash) {
        case (nil, _): commitsSinceStart = false
        case (let sha?, let start?): commitsSinceStart = sha != start
        case (_?, nil): commitsSinceStart = false
        }
        return SessionWork(
            head: head, newUncommitted: newUncommitted, uncommitted: status.paths,
            unpushed: unpushedCount(repository: repository, store: store, head: head),
            commitsSinceStart: commitsSinceStart)
    }

    /// Ahead of the upstream when there is one; otherwise ahead of what the pre-push hook recorded in
    /// `pushes.json` and of every remote-tracking branch; nil without any remote (nothing to push to).
    static func unpushedCount(repository: GitRepository, store: HandoffStore, head: HeadState) -> Int? {
        guard let sha = head.sha else { return nil }
        if let tracking = try? repository.aheadBehindUpstream() { return tracking.ahead }
        if repository.remoteNames().isEmpty { return nil }
        var hidden = repository.remoteTrackingTips()
        // The ledger is written before git talks to the remote, so it also records pushes that were
        // then rejected. Where git keeps a remote-tracking ref for the pushed branch, that ref moves
        // only on success and is already among `hidden`; the ledger counts only where nothing else
        // can (a push to a URL, a remote without a fetch refspec).
        if let branch = head.branchName, let pushed = PushLedger(store: store).record(forBranch: branch),
            repository.trackingReference(remote: pushed.remote, remoteRef: pushed.remoteRef) == nil
        {
            hidden.append(pushed.sha)
        }
        return (try? repository.countCommits(from: sha, excluding: hidden, limit: 10_000)) ?? 0
    }

    /// Snapshot of uncommitted files (size and mtime) at session start.
    public static func dirtyMarks(repository: GitRepository, root: String) -> [SessionRuntime.FileMark] {
        guard let status = try? repository.status(limit: 500) else { return [] }
        return status.paths.map { path in
            let full = Path.join(root, path)
            return SessionRuntime.FileMark(path: path, size: FileSystem.size(full) ?? -1, modified: FileSystem.modificationTime(full) ?? 0)
        }
    }
}

/// The stop gate's policy: `HANDOFF_GATE`, else `git config handoff.gate`; strict by default.
public enum GatePolicy: Sendable, Equatable {
    case strict
    /// Block only once the context is degraded: from `afterCompactions` compactions on.
    case degraded(afterCompactions: Int)
    case off

    public static func resolve(environment: Environment, config: (String) -> String?) -> GatePolicy {
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
    public static func maximumBlocks(environment: Environment, config: (String) -> String?) -> Int {
        let text = environment["HANDOFF_GATE_MAX_BLOCKS"] ?? config("handoff.gate.maxBlocks")
        guard let text, let value = Int(text.trimmed), value >= 0 else { return 3 }
        return min(value, 50)
    }
}
