import CLibgit2

/// The last entry of a reflog: what moved HEAD, from where to where, and git's message for it
/// ("commit (amend): …", "rebase (pick): …", "cherry-pick: …").
package struct ReflogEntry: Sendable, Equatable {
    package var oldSHA: String
    package var newSHA: String
    package var message: String

    /// Parses one reflog line: `<old> <new> <name> <<email>> <time> <tz>\t<message>`.
    package init?(line: Substring) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count >= 40, parts[1].utf8.count >= 40 else { return nil }
        oldSHA = String(parts[0])
        newSHA = String(parts[1])
        message = line.firstIndex(of: "\t").map { String(line[line.index(after: $0)...]) } ?? ""
    }

    /// True when the all-zero id says "nothing before" (root commit, new branch).
    package var oldIsZero: Bool { oldSHA.utf8.allSatisfy { $0 == UInt8(ascii: "0") } }
}

/// What the git hooks need from libgit2 beyond the core wrapper.
extension GitRepository {
    /// The newest entry of HEAD's reflog of this worktree, from the file's tail only: the cost does
    /// not grow with the reflog. Nil when there is no reflog (core.logAllRefUpdates=false, bare).
    package func lastHeadReflogEntry() -> ReflogEntry? {
        let path = Path.join(gitDir, "logs/HEAD")
        guard let bytes = try? FileSystem.readTail(path, count: 4096), !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n", omittingEmptySubsequences: true).last else { return nil }
        return ReflogEntry(line: line)
    }

    /// The sha of every parent of `sha`, first parent first.
    package func parentSHAs(of sha: String) throws(GitError) -> [String] {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        let count = git_commit_parentcount(commit)
        return (0..<count).map { Self.oidString(git_commit_parent_id(commit, $0)) }
    }

    /// Tips of `refs/remotes/<remote>/*` when `remote` names a configured remote; of every
    /// remote-tracking branch otherwise (a push to a bare URL has no tracking refs of its own).
    package func remoteTrackingTips(remote: String) -> [String] {
        guard remoteNames().contains(remote) else { return remoteTrackingTips() }
        return referenceTargets(matching: "refs/remotes/\(remote)/*")
    }

    /// The folder git runs hooks from: `core.hooksPath` (with `~/` expanded; relative to the
    /// worktree root, as git resolves it for hooks) or else the common dir's `hooks/`, which is
    /// shared by linked worktrees and is a submodule's own `.git/modules/<name>/hooks`.
    package func hooksDirectory(environment: Environment) -> (path: String, fromHooksPath: Bool) {
        if let configured = configString("core.hooksPath"), !configured.isEmpty {
            var path = configured
            if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] {
                path = home + path.dropFirst()
            }
            let base = workdir ?? gitDir
            return (Path.normalize(path, relativeTo: base), true)
        }
        return (Path.join(commonDir, "hooks"), false)
    }

    /// Files changed, insertions and deletions of `sha` against its first parent (an empty tree for
    /// a root commit), like `diffStats(of:)` but proportional to the change, not to the tree:
    /// subtrees whose ids are equal on both sides are skipped without being read. libgit2 1.5's
    /// `git_diff_tree_to_tree` reads every subtree of both sides — measured on a 100,000-file
    /// repository: 300 M instructions, ~300 ms, for a one-line commit.
    /// Renames are not detected (neither are they by `diffStats`); a gitlink counts as git counts
    /// it (one line, "Subproject commit …").
    package func changeStats(of sha: String, budget: DiffBudget = DiffBudget()) throws(GitError) -> DiffStats {
        try withCommitTrees(sha) { (oldTree, newTree) throws(GitError) -> DiffStats in
            var odb: OpaquePointer?
            try LibGit2.check("git_repository_odb", git_repository_odb(&odb, handle))
            defer { git_odb_free(odb) }
            var run = StatsRun(stats: DiffStats(filesChanged: 0, insertions: 0, deletions: 0), budget: budget, odb: odb)
            try compareTrees(oldTree, newTree, into: &run)
            return run.stats
        }
    }

    /// One commit's statistics as they are gathered, with what is left of the budget.
    private struct StatsRun {
        var stats: DiffStats
        var budget: DiffBudget
        var odb: OpaquePointer?
        var bytesDiffed = 0
        var filesDiffed = 0

        /// The size of a blob from its header: the blob itself is not loaded.
        func size(of id: git_oid) -> Int? {
            var id = id
            var length = 0
            var type = GIT_OBJECT_INVALID
            guard git_odb_read_header(&length, &type, odb, &id) == 0 else { return nil }
            return length
        }
    }

    private struct TreeEntry {
        var id: git_oid
        var type: git_object_t
    }

    private static func entries(of tree: OpaquePointer?) -> [String: TreeEntry] {
        guard let tree else { return [:] }
        var result: [String: TreeEntry] = [:]
        let count = git_tree_entrycount(tree)
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index), let id = git_tree_entry_id(entry) else { continue }
            result[String(cString: git_tree_entry_name(entry))] = TreeEntry(id: id.pointee, type: git_tree_entry_type(entry))
        }
        return result
    }

    private func compareTrees(_ old: OpaquePointer?, _ new: OpaquePointer?, into stats: inout StatsRun) throws(GitError) {
        let oldEntries = Self.entries(of: old), newEntries = Self.entries(of: new)
        for name in Set(oldEntries.keys).union(newEntries.keys) {
            var before = oldEntries[name], after = newEntries[name]
            if var a = before?.id, var b = after?.id, before?.type == after?.type, git_oid_equal(&a, &b) == 1 { continue }
            // A tree replaced by a file (or the reverse) is a deletion plus an addition.
            if let b = before, let a = after, (b.type == GIT_OBJECT_TREE) != (a.type == GIT_OBJECT_TREE) {
                try compareEntries(b, nil, into: &stats)
                before = nil
            }
            try compareEntries(before, after, into: &stats)
        }
    }

    private func compareEntries(_ before: TreeEntry?, _ after: TreeEntry?, into run: inout StatsRun) throws(GitError) {
        let type = after?.type ?? before?.type
        if type == GIT_OBJECT_TREE {
            let old = try before.map { (entry) throws(GitError) in try lookupTree(entry.id) }
            defer { if let old { git_tree_free(old) } }
            let new = try after.map { (entry) throws(GitError) in try lookupTree(entry.id) }
            defer { if let new { git_tree_free(new) } }
            try compareTrees(old, new, into: &run)
            return
        }
        run.stats.filesChanged += 1
        if type == GIT_OBJECT_COMMIT {
            if after != nil { run.stats.insertions += 1 }
            if before != nil { run.stats.deletions += 1 }
            return
        }
        // Sizes first, from the object headers: a file past the budget is never loaded.
        let bytes = (before.map { run.size(of: $0.id) ?? Int.max / 4 } ?? 0) + (after.map { run.size(of: $0.id) ?? Int.max / 4 } ?? 0)
        guard bytes <= run.budget.maximumFileBytes, run.bytesDiffed + bytes <= run.budget.maximumTotalBytes,
            run.filesDiffed < run.budget.maximumFiles
        else {
            run.stats.filesNotCounted += 1
            return
        }
        run.bytesDiffed += bytes
        run.filesDiffed += 1
        let old = try before.map { (entry) throws(GitError) in try lookupBlob(entry.id) }
        defer { if let old { git_blob_free(old) } }
        let new = try after.map { (entry) throws(GitError) in try lookupBlob(entry.id) }
        defer { if let new { git_blob_free(new) } }
        // From buffers, not blobs: git_patch_from_blobs sets up attribute lookup, which reads the
        // whole index (100,000 entries: ~400 M instructions). Without a repository libgit2 uses the
        // default diff driver and tells binary files by content, as git does without attributes.
        var patch: OpaquePointer?
        let result = git_patch_from_buffers(
            &patch,
            old.map { git_blob_rawcontent($0) }, old.map { Int(git_blob_rawsize($0)) } ?? 0, nil,
            new.map { git_blob_rawcontent($0) }, new.map { Int(git_blob_rawsize($0)) } ?? 0, nil, nil)
        try LibGit2.check("git_patch_from_buffers", result)
        defer { git_patch_free(patch) }
        var context = 0, additions = 0, deletions = 0
        try LibGit2.check("git_patch_line_stats", git_patch_line_stats(&context, &additions, &deletions, patch))
        run.stats.insertions += additions
        run.stats.deletions += deletions
    }

    private func lookupTree(_ id: git_oid) throws(GitError) -> OpaquePointer {
        var id = id
        var tree: OpaquePointer?
        try LibGit2.check("git_tree_lookup", git_tree_lookup(&tree, handle, &id))
        return tree!
    }

    private func lookupBlob(_ id: git_oid) throws(GitError) -> OpaquePointer {
        var id = id
        var blob: OpaquePointer?
        try LibGit2.check("git_blob_lookup", git_blob_lookup(&blob, handle, &id))
        return blob!
    }
}
