/// `handoff-post-commit`: records the commit git just made, and credits it to the active agent session.
///
/// Order of cost: `HANDOFF_DISABLED` and a missing `.handoff/` are answered from the environment and
/// one `stat`, before libgit2 is loaded. The commit event is appended before `state.json` is touched,
/// so a corrupt state never loses the record of the commit. Whatever fails, git is told nothing but
/// one line on stderr: post-commit runs after the commit exists and can never undo it.
package enum PostCommitHook {
    package static let name = "post-commit"

    /// Written by the deadline's signal handler when the hook runs out of time.
    package static let timeoutOutput = HookOutput(
        standardError: "handoff: post-commit: gave up after HANDOFF_HOOK_TIMEOUT seconds; the commit is made, only its record is missing\n")

    package static func run(_ input: HookInput) -> HookOutput {
        GitHookContext.withTarget(input, hook: name) { record(input, in: $0) }
    }

    static func record(_ input: HookInput, in target: GitHookContext.Target) -> HookOutput {
        let store = target.store
        let session = GitHookContext.activeSession(environment: input.environment, store: store)
        do {
            let repository = try target.repository ?? GitRepository.open(at: store.layout.worktreeRoot, environment: input.environment)
            let commit = try CommitFacts.read(repository)
            let now = input.now()
            try store.append(Event(type: EventType.commit, session: session?.id, at: now, fields: commit.eventFields))
            guard let session else { return .silent }
            try GitHookContext.markWork(session: session, store: store, at: now)
            // No fsync, as git gives its own ref update: waiting for the journal is most of this
            // hook's time on a busy disk, and the entry is rebuilt from the event and git if lost.
            try store.updateState(durability: .none) { (state: inout HandoffState) throws(StoreError) in
                guard state.sessionID == session.id else { return }
                credit(commit, to: &state)
            }
            return .silent
        } catch {
            return HookOutput(standardError: HookFailure.record(hook: name, error: error, store: store, session: session?.id))
        }
    }

    /// Adds the commit to `done` once, and re-opens a completed handover: there is new work after it.
    /// An amended commit replaces the entry of the commit it rewrote (known from the reflog, else by
    /// subject); a commit replayed by a rebase replaces the entry with its subject.
    static func credit(_ commit: CommitFacts, to state: inout HandoffState) {
        let entry = HandoffState.DoneItem(description: commit.subject, ref: commit.shortSHA)
        if state.runtime.handoffEndCompleted { state.runtime.handoffEndCompleted = false }
        if state.done.contains(where: { $0.ref == entry.ref }) { return }
        if commit.isRewrite {
            if let amended = commit.rewrittenSHA, let index = state.done.firstIndex(where: { !$0.ref.isEmpty && amended.hasPrefix($0.ref) }) {
                state.done[index] = entry
                return
            }
            if let index = state.done.lastIndex(where: { $0.description == entry.description }) {
                state.done[index] = entry
                return
            }
        }
        state.done.append(entry)
    }
}

/// What the post-commit hook knows about HEAD's new commit.
struct CommitFacts {
    var sha: String
    var subject: String
    var branch: String?
    var parentCount: Int
    var stats: DiffStats
    var authorTime: Int64
    /// rebase, cherry-pick, merge, revert, am…; nil for a plain commit.
    var operation: String?
    /// For an amend: the commit it replaced.
    var rewrittenSHA: String?
    var isAmend: Bool
    /// An amend or a commit replayed by rebase: it supersedes an earlier commit of the same work.
    var isRewrite: Bool { isAmend || operation == RepositoryOperation.rebase.rawValue }

    var shortSHA: String { String(sha.prefix(7)) }

    static func read(_ repository: GitRepository) throws(GitError) -> CommitFacts {
        let head = try repository.head()
        guard let sha = head.sha else {
            throw GitError(call: "git_repository_head", code: -3, message: "HEAD has no commit after a commit (\(head.label))")
        }
        let summary = try repository.commit(sha)
        let stats = try repository.changeStats(of: sha)
        var operation = repository.operationInProgress()
        // The reflog names what made the commit even when the operation's state files are gone
        // (a single cherry-pick clears CHERRY_PICK_HEAD before post-commit runs).
        let reflog = repository.lastHeadReflogEntry().flatMap { $0.newSHA == sha ? $0 : nil }
        let message = reflog?.message ?? ""
        if operation == .none {
            if message.hasPrefix("rebase") { operation = .rebase }
            else if message.hasPrefix("cherry-pick") { operation = .cherryPick }
            else if message.hasPrefix("commit (merge)") || message.hasPrefix("merge") || PostMergeHook.reflogSaysMergeMade(message) { operation = .merge }
            else if message.hasPrefix("revert") { operation = .revert }
        }
        let isAmend = message.hasPrefix("commit (amend)")
        return CommitFacts(
            sha: sha, subject: summary.subject, branch: head.branchName, parentCount: summary.parentCount,
            stats: stats, authorTime: summary.time, operation: operation == .none ? nil : operation.rawValue,
            rewrittenSHA: isAmend ? reflog.flatMap { $0.oldIsZero ? nil : $0.oldSHA } : nil, isAmend: isAmend)
    }

    /// The `commit` event's fields, as listed in EventTypes.swift (plus `amends` for an amend).
    var eventFields: JSONObject {
        var fields = JSONObject([
            ("sha", .string(sha)),
            ("short", .string(shortSHA)),
            ("subject", .string(Redactor.redact(subject))),
            ("branch", JSONValue(branch)),
            ("detached", .bool(branch == nil)),
            ("parents", .int(parentCount)),
            ("files_changed", .int(stats.filesChanged)),
            ("insertions", .int(stats.insertions)),
            ("deletions", .int(stats.deletions)),
            ("author_time", .string(Timestamp(milliseconds: authorTime * 1000).iso8601)),
        ])
        // Past the line-counting budget: the counts above cover only the other files.
        if stats.filesNotCounted > 0 {
            fields["stats_partial"] = .bool(true)
            fields["files_not_counted"] = .int(stats.filesNotCounted)
        }
        if let operation { fields["operation"] = .string(operation) }
        if let rewrittenSHA { fields["amends"] = .string(rewrittenSHA) }
        return fields
    }
}
