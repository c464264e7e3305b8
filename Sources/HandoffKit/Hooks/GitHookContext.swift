/// What both git hooks do before their own work: the cheap checks that let a hook with nothing to
/// do exit before libgit2 is loaded, the store, and the agent session the work belongs to.
enum GitHookContext {
    /// The store of the worktree the hook runs in, and the repository when it had to be opened already.
    struct Target {
        var store: HandoffStore
        var repository: GitRepository?
    }

    /// Finds the store without libgit2. When `.handoff/` is missing, the repository's opt-in (see
    /// `OptIn`; also the older `git config handoff.autoinit true`) creates it: a repository that
    /// opted in through its own config has lost its store (`store_wiped`), one opted in by
    /// `handoff.auto` gets its first. Nil when the hook has nothing to do: disabled, not in a
    /// worktree, or no store and no opt-in. Throws only when creating an opted-in store fails.
    static func locate(_ input: HookInput) throws(StoreError) -> Target? {
        let environment = input.environment
        if environment.handoffDisabled { return nil }
        guard let root = WorktreeLocator.worktreeRoot(startingAt: input.workingDirectory, environment: environment) else {
            return nil
        }
        let store = HandoffStore(worktreeRoot: root)
        if store.exists { return Target(store: store, repository: nil) }
        let optIn = OptIn.resolve(worktreeRoot: root, environment: environment)
        let autoInit = !optIn.isOptedIn && optIn.decision != .optedOut && autoInitEnabled(root: root, environment: environment)
        guard optIn.isOptedIn || autoInit else { return nil }
        if try store.initialise(hostname: FileSystem.hostname()) {
            if optIn.missingStoreWasWiped(worktreeRoot: root, environment: environment) {
                // Best effort: the store is created; these events only say why.
                try? store.append(Event(type: EventType.storeWiped, at: input.now(), [
                    ("hook", "git"), ("opt_in", .string(optIn.decision.rawValue)), ("root", .string(root)),
                ]))
            } else {
                try? store.append(Event(type: EventType.initialised, at: input.now(), [
                    ("root", .string(root)), ("by", .string(autoInit ? "autoinit" : "opt-in")),
                ]))
            }
        }
        return Target(store: store, repository: nil)
    }

    /// The opening every git hook shares: finds the store (see `locate`) and runs `body` with it;
    /// silent when there is nothing to do, one stderr line when creating an opted-in store failed.
    static func withTarget(_ input: HookInput, hook: String, _ body: (Target) -> HookOutput) -> HookOutput {
        let target: Target
        do {
            guard let located = try locate(input) else { return .silent }
            target = located
            HookDeadline.recordTimeouts(in: located.store, hook: hook, session: nil, at: input.now())
        } catch {
            return HookOutput(standardError: HookFailure.record(hook: hook, error: error, store: nil))
        }
        return body(target)
    }

    /// `git config handoff.autoinit true` (git's boolean spellings), read without libgit2.
    static func autoInitEnabled(root: String, environment: Environment) -> Bool {
        let files = GitConfigFiles.load(GitConfigFiles.Locations.find(worktreeRoot: root, environment: environment), environment: environment)
        return files.bool("handoff.autoinit") == true
    }

    /// The agent session that is working here: the environment's, in `SessionIdentity`'s order
    /// when one names a safe id, else the one active session of the store (none when several are
    /// active: a commit is not attributed to a guess).
    static func activeSession(environment: Environment, store: HandoffStore) -> (id: String, fromEnvironment: Bool)? {
        if let id = SessionIdentity.fromEnvironment(environment) { return (id, true) }
        let active = store.activeSessions()
        guard active.count == 1, let only = active.first else { return nil }
        return (only.sessionID, false)
    }

    /// Marks new work in a session's runtime file: the stop gate compares `lastWorkAt` with the last
    /// handover, so this is what re-arms it after a completed handover.
    static func markWork(session: (id: String, fromEnvironment: Bool), store: HandoffStore, at now: Timestamp) throws(StoreError) {
        try store.updateRuntime(
            session: session.id,
            // A session named by the environment whose start hook did not run still gets a record;
            // a session found in runtime/ always has one.
            create: { session.fromEnvironment ? SessionRuntime(sessionID: session.id, startedAt: now, hostname: FileSystem.hostname()) : nil },
            { runtime in runtime.lastWorkAt = now })
    }
}
