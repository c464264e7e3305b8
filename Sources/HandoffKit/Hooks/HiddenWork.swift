/// One entry of the stash, newest first (`index` 0 is `stash@{0}`).
package struct StashEntry: Sendable, Equatable {
    package var index: Int
    /// The stash commit.
    package var sha: String
    /// The reflog's message ("WIP on main: 1a2b3c4 subject", "On main: message").
    package var message: String
    /// When it was made (the reflog's committer time), seconds since the epoch.
    package var createdAt: Int64
    /// Its untracked-files commit holds `.handoff/`: made by `git stash --all`, which took the store with it.
    package var holdsStore: Bool

    package var name: String { "stash@{\(index)}" }
}

/// The refs as a session started: the stash entries and the local branches' tips. Recorded with the
/// session's runtime (`SessionRuntime.refsAtStart`), so that a stash made during the session, or a
/// branch moved during it, can be told from what was there before, without reading any clock.
package struct RefBaseline: Sendable, Equatable {
    /// The stash commits, newest first.
    package var stashes: [String]
    /// The local branches' tips, by short name.
    package var branches: [String: String]

    package init(stashes: [String], branches: [String: String]) {
        self.stashes = stashes
        self.branches = branches
    }

    /// nil when the refs could not be read (or there are too many branches to keep): the gate then
    /// judges by time (`HiddenWork.gather`), which is weaker but never "nothing".
    package static func capture(repository: GitRepository?, git: GitCommandLine) -> RefBaseline? {
        if let repository {
            guard let branches = repository.localBranches(), let stashes = try? repository.stashes() else { return nil }
            return RefBaseline(stashes: stashes.map(\.sha), branches: branches)
        }
        guard let branches = try? git.localBranches(), branches.count <= HiddenWork.branchLimit,
            let stashes = try? git.stashes(limit: HiddenWork.stashLimit)
        else { return nil }
        return RefBaseline(stashes: stashes.map(\.sha), branches: branches)
    }

    package var json: JSONValue {
        .object(JSONObject([
            ("stashes", JSONValue(stashes)),
            ("branches", .object(JSONObject(branches.keys.sorted().map { ($0, .string(branches[$0]!)) }))),
        ]))
    }

    package init?(json: JSONValue?) {
        guard let object = json?.objectValue, let stashes = object["stashes"]?.arrayValue, let branches = object["branches"]?.objectValue
        else { return nil }
        self.stashes = stashes.compactMap(\.stringValue)
        self.branches = Dictionary(branches.pairs.compactMap { key, value in value.stringValue.map { (key, $0) } },
                                   uniquingKeysWith: { first, _ in first })
    }
}

/// Work a session left where the current branch does not show it: stashes it made, and commits on
/// other local branches that no remote has. Both are work not handed over, as an uncommitted file
/// or an unpushed commit on the current branch is.
///
/// Against the session's `RefBaseline`: a stash not in it is new; a branch whose tip moved counts the
/// commits no remote-tracking branch and no branch tip at the start has. Without a baseline (a record
/// made before handoff kept one, or lost with a wiped store), by time: stashes and commits made since
/// the session started, and any stash that holds `.handoff/` (`git stash --all` took the store).
package struct HiddenWork: Sendable, Equatable {
    package static let branchLimit = 1_000
    package static let stashLimit = 100
    static let commitLimit = 1_000

    package struct BranchWork: Sendable, Equatable {
        package var branch: String
        package var unpushed: Int
    }

    package var stashes: [StashEntry] = []
    package var branches: [BranchWork] = []
    /// The remote a push would go to (`origin` when there is one), for the fix.
    package var remote = "origin"
    /// Why the stash or the other branches could not be read; nil when they were.
    package var unknown: String?

    package init() {}

    package var isEmpty: Bool { stashes.isEmpty && branches.isEmpty }

    /// `currentBranch`: HEAD's branch, whose unpushed commits are counted elsewhere. `otherSessionCommits`:
    /// commits the log credits to other sessions sharing the worktree, read only when a branch moved.
    static func gather(repository: GitRepository?, git: GitCommandLine, runtime: SessionRuntime, currentBranch: String?,
                       ledger: PushLedger, otherSessionCommits: () -> Set<String>) -> HiddenWork {
        var work = HiddenWork()
        let baseline = runtime.refsAtStart
        let start = Int64(runtime.startedAt.seconds.rounded(.down))
        var problems: [String] = []

        let stashes: [StashEntry]
        do {
            if let repository { stashes = try repository.stashes() } else { stashes = try git.stashes(limit: stashLimit) }
        } catch {
            stashes = []
            problems.append("the stash: \(error.message)")
        }
        work.stashes = stashes.filter { entry in
            if let baseline { return !baseline.stashes.contains(entry.sha) }
            return entry.holdsStore || entry.createdAt >= start
        }

        // Nothing to push to without a remote: commits on other branches are as handed over as the current one's.
        let remotes: [String]
        if let names = repository?.remoteNames() {
            remotes = names
        } else {
            // Remotes nobody could list are not "no remote": that would call every branch handed over.
            do {
                remotes = try git.remoteNames()
            } catch {
                problems.append("the remotes could not be listed: \(error.message)")
                work.unknown = problems.joined(separator: "; ")
                return work
            }
        }
        guard !remotes.isEmpty else {
            work.unknown = problems.isEmpty ? nil : problems.joined(separator: "; ")
            return work
        }
        work.remote = remotes.contains("origin") ? "origin" : remotes[0]
        let branches: [String: String]?
        if let repository { branches = repository.localBranches() } else { branches = try? git.localBranches() }
        guard let branches else {
            problems.append("the local branches could not be listed (more than \(branchLimit), or unreadable)")
            work.unknown = problems.joined(separator: "; ")
            return work
        }
        let remoteTips = repository?.remoteTrackingTips() ?? []
        // Another worktree's branch is that worktree's work, judged by its own sessions' gate.
        let elsewhere = repository?.branchesCheckedOutElsewhere() ?? ((try? git.branchesCheckedOutElsewhere()) ?? [])
        for name in branches.keys.sorted() where name != currentBranch && !elsewhere.contains(name) {
            let tip = branches[name]!
            if let baseline, baseline.branches[name] == tip { continue }
            // Without a baseline, only a branch whose tip was committed since the start can hold the session's commits.
            if baseline == nil, let repository, let commit = try? repository.commit(tip), commit.committedAt < start { continue }
            var hidden = baseline.map { Array($0.branches.values) } ?? []
            if let pushed = ledger.record(forBranch: name) { hidden.append(pushed.sha) }
            let commits: [(sha: String, time: Int64)]
            do {
                commits = try Self.commits(from: tip, hidden: hidden, remoteTips: remoteTips, repository: repository, git: git)
            } catch {
                problems.append("branch \(name): \(error.message)")
                continue
            }
            var made = baseline == nil ? commits.filter { $0.time >= start } : commits
            if !made.isEmpty {
                let others = otherSessionCommits()
                made.removeAll { others.contains($0.sha) }
            }
            if !made.isEmpty { work.branches.append(BranchWork(branch: name, unpushed: made.count)) }
        }
        work.unknown = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return work
    }

    /// libgit2 first; git where it fails (a shallow clone under libgit2 1.5) or could not open the repository.
    private static func commits(from tip: String, hidden: [String], remoteTips: [String], repository: GitRepository?,
                                git: GitCommandLine) throws(GitError) -> [(sha: String, time: Int64)] {
        if let repository, let commits = try? repository.commitTimes(from: tip, excluding: remoteTips + hidden, limit: commitLimit) {
            return commits
        }
        return try git.commitTimes(from: tip, notOnRemotesNor: hidden, limit: commitLimit)
    }

    /// What is missing, one phrase each, for the gate's block message.
    var missing: [String] {
        var phrases: [String] = []
        if let first = stashes.first {
            let more = stashes.count > 1 ? " and \(stashes.count - 1) more" : ""
            phrases.append("\(stashes.count) stash\(stashes.count == 1 ? "" : "es") made this session (\(first.name): \(first.message.prefix(80))\(more))")
        }
        if !branches.isEmpty {
            let listed = branches.prefix(5).map { "\($0.unpushed) on \($0.branch)" }.joined(separator: ", ")
            let more = branches.count > 5 ? " and \(branches.count - 5) more branches" : ""
            let total = branches.reduce(0) { $0 + $1.unpushed }
            phrases.append("\(total) unpushed commit\(total == 1 ? "" : "s") on another branch (\(listed)\(more))")
        }
        return phrases
    }

    /// How to fix each, for the gate's block message.
    var fixes: [String] {
        var fixes: [String] = []
        if !stashes.isEmpty {
            fixes.append("bring the stashed work back and commit it (`git stash pop`), or drop the stash if it holds nothing to keep (`git stash drop`)")
        }
        if branches.count == 1, let only = branches.first {
            fixes.append("push \(only.branch) (`git push -u \(remote) \(only.branch)`)")
        } else if !branches.isEmpty {
            fixes.append("push each of those branches (`git push -u \(remote) <branch>`)")
        }
        return fixes
    }

    /// A comparable summary for `SessionWork.mark`.
    var mark: String {
        (stashes.map(\.sha) + branches.map { "\($0.branch)=\($0.unpushed)" }).joined(separator: ",")
    }
}
