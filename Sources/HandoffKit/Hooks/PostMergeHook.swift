/// `handoff-post-commit --post-merge <squash>`: the post-commit hook's record for a merge commit that
/// `git merge` or `git pull` made by itself.
///
/// git does not run post-commit for a merge that needs no conflict resolution; it runs post-merge,
/// with one argument (1 for `--squash`, which makes no commit). post-merge also runs after a
/// fast-forward, when HEAD merely moved to commits made elsewhere — possibly onto someone else's
/// merge commit, whose first parent is the old HEAD. So HEAD is recorded only when git's own
/// reflog entry for it says this merge made it, and only once: then the post-commit logic
/// (`PostCommitHook.run`) records it exactly as it records any other commit.
///
/// A merge stopped by a conflict is concluded by `git commit`, which runs post-commit; it never
/// reaches this hook as a new commit. Without a HEAD reflog (`core.logAllRefUpdates=false`) nothing
/// tells a merge made here from a fast-forward, and nothing is recorded.
package enum PostMergeHook {
    package static let name = "post-merge"
    /// The first argument the hook entry passes to handoff-post-commit.
    package static let flag = "--post-merge"

    package static let timeoutOutput = HookOutput(
        standardError: "handoff: post-merge: gave up after HANDOFF_HOOK_TIMEOUT seconds; the merge is made, only its record is missing\n")

    /// How far back the log is searched for an earlier record of the same commit.
    static let recordScanLimit = 4 * 1024 * 1024

    package static func run(_ input: HookInput) -> HookOutput {
        var arguments = input.arguments
        if arguments.first == flag { arguments.removeFirst() }
        if arguments.first == "1" { return .silent }  // --squash: no commit was made
        return GitHookContext.withTarget(input, hook: name) { record(input, in: $0) }
    }

    static func record(_ input: HookInput, in target: GitHookContext.Target) -> HookOutput {
        let store = target.store
        var target = target
        do {
            let repository = try target.repository ?? GitRepository.open(at: store.layout.worktreeRoot, environment: input.environment)
            guard let sha = try mergeCommitMadeByThisMerge(repository), !isRecorded(sha, in: store) else { return .silent }
            target.repository = repository
        } catch {
            return HookOutput(standardError: HookFailure.record(hook: name, error: error, store: store))
        }
        var commit = input
        commit.arguments = []
        return PostCommitHook.record(commit, in: target)
    }

    /// HEAD's sha when the newest HEAD reflog entry says a merge just made it on top of the previous
    /// HEAD; nil for a fast-forward, a squash, or anything else.
    static func mergeCommitMadeByThisMerge(_ repository: GitRepository) throws(GitError) -> String? {
        guard let sha = try repository.head().sha else { return nil }
        let parents = try repository.parentSHAs(of: sha)
        guard parents.count >= 2,
            let entry = repository.lastHeadReflogEntry(),
            entry.newSHA == sha, entry.oldSHA == parents[0],
            reflogSaysMergeMade(entry.message)
        else { return nil }
        return sha
    }

    /// git's reflog messages for a merge commit it made (`builtin/merge.c`, not translated):
    /// "<action>: Merge made by the '<strategy>' strategy." or "<action>: In-index merge", where
    /// <action> is "merge <name>" or "pull …". A fast-forward says "<action>: Fast-forward".
    static func reflogSaysMergeMade(_ message: String) -> Bool {
        message.contains(": Merge made by the '") || message.hasSuffix(": In-index merge")
    }

    /// True when a `commit` event for `sha` is already in the (recent) log.
    static func isRecorded(_ sha: String, in store: HandoffStore) -> Bool {
        !store.events.tail(1, matching: { $0.type == EventType.commit && $0["sha"]?.stringValue == sha },
                           containing: [sha], scanLimit: recordScanLimit).events.isEmpty
    }
}
