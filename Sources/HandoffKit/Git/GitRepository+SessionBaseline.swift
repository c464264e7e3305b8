import CLibgit2

/// The git facts behind a session's start baseline (SessionWork.startBaseline and untouchedSinceStart):
/// cheap ones, so that session start never waits for a full status on a large repository.
extension GitRepository {
    /// The number of entries the index file declares in its 12-byte header, without reading the
    /// rest; nil when there is no index or its header is not one git writes. With a split index this
    /// is the count of the part in `index` only, which errs towards "small".
    package func indexEntryCountFromHeader() -> Int? {
        guard let header = try? FileSystem.readBytes(Path.join(gitDir, "index"), limit: 12), header.count == 12,
            header[0...3] == [0x44, 0x49, 0x52, 0x43]  // "DIRC"
        else { return nil }
        return header[8...11].reduce(0) { $0 << 8 | Int($1) }
    }

    /// True when `path` (a status path; a trailing slash names a folder) is the same object with the
    /// same mode in both commits' trees, or absent from both; nil commits mean the empty tree. False
    /// whenever that cannot be told (unknown is never "same").
    func pathIsUnchanged(_ path: String, between first: String?, and second: String?) -> Bool {
        if first == second { return true }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let a = treeEntry(trimmed, in: first), let b = treeEntry(trimmed, in: second) else { return false }
        return a == b
    }

    private enum TreeEntry: Equatable {
        case absent
        case object(id: String, mode: UInt32)
    }

    /// nil when the lookup failed for another reason than "not there".
    private func treeEntry(_ path: String, in commit: String?) -> TreeEntry? {
        guard let commit else { return .absent }
        var tree: OpaquePointer?
        guard git_revparse_single(&tree, handle, commit + "^{tree}") == 0 else { return nil }
        defer { git_object_free(tree) }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue { return .absent }
        guard result == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        return .object(id: Self.oidString(git_tree_entry_id(entry)), mode: git_tree_entry_filemode(entry).rawValue)
    }
}

/// The refs a session can leave work in besides its branch: the stash and the other local branches
/// (see `HiddenWork`). Cheap: the stash's reflog and the branch refs, no status, no object walk.
extension GitRepository {
    /// The local branches (`refs/heads/*`) and their tips, by short name; nil past `limit` branches.
    package func localBranches(limit: Int = HiddenWork.branchLimit) -> [String: String]? {
        var iterator: OpaquePointer?
        guard git_reference_iterator_glob_new(&iterator, handle, "refs/heads/*") == 0 else { return nil }
        defer { git_reference_iterator_free(iterator) }
        var branches: [String: String] = [:]
        var reference: OpaquePointer?
        while git_reference_next(&reference, iterator) == 0 {
            defer { git_reference_free(reference) }
            guard let target = git_reference_target(reference), let name = git_reference_name(reference) else { continue }
            branches[String(String(cString: name).dropFirst("refs/heads/".count))] = Self.oidString(target)
            if branches.count > limit { return nil }
        }
        return branches
    }

    /// The branches checked out in the repository's other worktrees (their HEAD files name them):
    /// each is that worktree's current branch, judged by its own sessions' gate.
    package func branchesCheckedOutElsewhere() -> Set<String> {
        var heads = [Path.join(commonDir, "HEAD")]
        let folder = Path.join(commonDir, "worktrees")
        heads += FileSystem.list(folder).map { Path.join(Path.join(folder, $0), "HEAD") }
        let own = Path.join(gitDir, "HEAD")
        var branches: Set<String> = []
        for head in heads where head != own {
            guard let text = try? FileSystem.readText(head), text.hasPrefix("ref: refs/heads/") else { continue }
            branches.insert(String(text.dropFirst("ref: refs/heads/".count)).trimmed)
        }
        return branches
    }

    /// The stash, newest first (`stash@{0}` first), from the reflog of `refs/stash`; empty without one.
    package func stashes(limit: Int = HiddenWork.stashLimit) throws(GitError) -> [StashEntry] {
        var reflog: OpaquePointer?
        try LibGit2.check("git_reflog_read", git_reflog_read(&reflog, handle, "refs/stash"))
        defer { git_reflog_free(reflog) }
        var entries: [StashEntry] = []
        for index in 0..<min(git_reflog_entrycount(reflog), limit) {
            guard let entry = git_reflog_entry_byindex(reflog, index) else { continue }
            let sha = Self.oidString(git_reflog_entry_id_new(entry))
            let message = git_reflog_entry_message(entry).map { String(cString: $0) } ?? ""
            let time = git_reflog_entry_committer(entry).map { Int64($0.pointee.when.time) } ?? 0
            entries.append(StashEntry(index: index, sha: sha, message: message, createdAt: time,
                                      holdsStore: (treeEntry(".handoff", in: sha + "^3") ?? .absent) != .absent))
        }
        return entries
    }

    /// The commits reachable from `tip` and from none of `hidden`, with their committer times, newest first, at most `limit`.
    package func commitTimes(from tip: String, excluding hidden: [String], limit: Int) throws(GitError) -> [(sha: String, time: Int64)] {
        try withRevisionWalk(from: tip, excluding: hidden) { (walker) throws(GitError) -> [(sha: String, time: Int64)] in
            var oid = git_oid()
            var times: [(sha: String, time: Int64)] = []
            while times.count < limit, try Self.walk(walker, to: &oid) {
                var commit: OpaquePointer?
                try LibGit2.check("git_commit_lookup", git_commit_lookup(&commit, handle, &oid))
                times.append((Self.oidString(&oid), Int64(git_commit_time(commit))))
                git_commit_free(commit)
            }
            return times
        }
    }
}
