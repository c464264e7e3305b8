import CLibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A libgit2 failure: the call that failed, its return code and libgit2's own message.
package struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    package let call: String
    package let code: Int32
    package let message: String

    package var description: String {
        if isOwnershipRefusal {
            return "\(call) refused the repository: \(message). It belongs to another user; if you trust it, "
                + "run `git config --global --add safe.directory <path>` (as git itself asks)"
        }
        return "\(call) failed (\(code)): \(message)"
    }

    /// libgit2 refuses a repository owned by another user, as git does (`safe.directory`). 1.6+ says
    /// so with `GIT_EOWNER`; 1.5 (Debian 12), when no `safe.directory` is configured at all, fails
    /// `git_repository_open_ext` with `GIT_ENOTFOUND` and "config value 'safe.directory' was not
    /// found" (fixed upstream by libgit2 PR #6408).
    package var isOwnershipRefusal: Bool {
        code == GIT_EOWNER.rawValue
            || (call == "git_repository_open_ext" && isNotFound && message.contains("safe.directory"))
    }

    static func last(_ call: String, _ code: Int32) -> GitError {
        let message: String
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        } else {
            message = "no message from libgit2"
        }
        return GitError(call: call, code: code, message: message)
    }

    /// True for "not found" (`GIT_ENOTFOUND`).
    package var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
}

/// libgit2 is initialised on first use only: a hook that exits early never pays for it.
enum LibGit2 {
    private static let initialised: Bool = {
        git_libgit2_init()
        return true
    }()

    static func ensureInitialised() { _ = initialised }

    static func check(_ call: String, _ result: Int32) throws(GitError) {
        if result < 0 { throw GitError.last(call, result) }
    }

    static func version() -> String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        git_libgit2_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

package enum GitLibrary {
    /// The version of libgit2 this process loaded.
    package static var version: String { LibGit2.version() }
}

/// Where HEAD points.
package enum HeadState: Sendable, Equatable {
    /// On a branch with at least one commit.
    case branch(name: String, sha: String)
    /// HEAD points at a commit directly.
    case detached(sha: String)
    /// On a branch that has no commit yet.
    case unborn(branch: String)

    package var sha: String? {
        switch self {
        case .branch(_, let sha), .detached(let sha): return sha
        case .unborn: return nil
        }
    }

    package var branchName: String? {
        switch self {
        case .branch(let name, _): return name
        case .unborn(let name): return name
        case .detached: return nil
        }
    }

    /// "main", "detached at 1a2b3c4" or "main (no commits yet)".
    package var label: String {
        switch self {
        case .branch(let name, _): return name
        case .detached(let sha): return "detached at \(sha.prefix(7))"
        case .unborn(let name): return "\(name) (no commits yet)"
        }
    }
}

/// An operation git has left in progress.
package enum RepositoryOperation: String, Sendable {
    case none, merge, revert, cherryPick = "cherry-pick", bisect, rebase, applyMailbox = "am"
}

package struct CommitSummary: Sendable, Equatable {
    package var sha: String
    package var subject: String
    /// Author time, seconds since the epoch.
    package var time: Int64
    package var parentCount: Int
    /// Committer time: when this commit object was made (an amend or a rebase makes a new one).
    package var committedAt: Int64 = 0

    package var shortSHA: String { String(sha.prefix(7)) }
}

package struct DiffStats: Sendable, Equatable {
    package var filesChanged: Int
    package var insertions: Int
    package var deletions: Int
    /// Changed files whose lines were not counted (past the line-statistics budget): when non-zero,
    /// `insertions` and `deletions` count only the other files.
    package var filesNotCounted = 0

    package init(filesChanged: Int, insertions: Int, deletions: Int, filesNotCounted: Int = 0) {
        self.filesChanged = filesChanged
        self.insertions = insertions
        self.deletions = deletions
        self.filesNotCounted = filesNotCounted
    }
}

/// How much line counting one commit's statistics may cost: a commit of any size is recorded
/// within the hook's deadline and in bounded memory; files past the budget are counted as changed
/// without their lines, and the event says how many.
package struct DiffBudget: Sendable {
    /// The largest pair of versions (old + new bytes) whose lines are counted.
    package var maximumFileBytes = 2 * 1024 * 1024
    /// All the bytes diffed for one commit.
    package var maximumTotalBytes = 16 * 1024 * 1024
    /// Files diffed for one commit.
    package var maximumFiles = 2_000

    package init() {}
}

/// One path that differs from HEAD, with what kind of change it is.
package struct StatusEntry: Sendable, Equatable {
    package enum Kind: String, Sendable { case staged, modified, untracked, deleted, renamed, conflicted, typeChange = "type-change" }
    package var path: String
    package var kind: Kind
}

package struct WorkingTreeStatus: Sendable, Equatable {
    package var entries: [StatusEntry]
    package var isClean: Bool { entries.isEmpty }
    package var paths: [String] { entries.map(\.path) }
}

package struct AheadBehind: Sendable, Equatable {
    package var upstream: String
    package var ahead: Int
    package var behind: Int
}

/// An open repository. The one owner of its libgit2 handle, freed in `deinit`.
package final class GitRepository {
    let handle: OpaquePointer
    /// The worktree root (absolute, no trailing slash); nil for a bare repository.
    package let workdir: String?
    /// The repository's git dir (for a linked worktree: that worktree's private dir).
    package let gitDir: String
    /// The common dir shared by all worktrees (equal to `gitDir` outside linked worktrees).
    package let commonDir: String
    /// The environment it was opened with: git itself runs in it where libgit2 cannot answer.
    let environment: Environment
    /// The index as last read directly (`directIndex`), kept while the file stays the same.
    var indexFileCache: IndexFile?

    private init(handle: OpaquePointer, environment: Environment) {
        self.handle = handle
        self.environment = environment
        workdir = git_repository_workdir(handle).map { Self.trimSlash(String(cString: $0)) }
        gitDir = Self.trimSlash(String(cString: git_repository_path(handle)))
        commonDir = Self.trimSlash(String(cString: git_repository_commondir(handle)))
    }

    deinit { git_repository_free(handle) }

    private static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Opens the repository a hook runs in. When git exported `GIT_DIR` (it does for hooks), libgit2
    /// honours it and `GIT_WORK_TREE`; otherwise the repository is discovered upward from `path`,
    /// which handles linked worktrees (`.git` file) and submodules alike.
    package static func open(at path: String, environment: Environment) throws(GitError) -> GitRepository {
        LibGit2.ensureInitialised()
        var handle: OpaquePointer?
        let result: Int32
        if let gitDir = environment["GIT_DIR"], let workTree = environment["GIT_WORK_TREE"] {
            // libgit2's open-from-environment refuses GIT_WORK_TREE ("unimplemented"), and an agent
            // that exported both must not get past the gate on an error: open GIT_DIR itself and
            // give it the work tree, as git does.
            let cwd = FileSystem.currentDirectory()
            result = git_repository_open_ext(&handle, Path.normalize(gitDir, relativeTo: cwd), GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
            if result == 0 {
                let setWorkdir = git_repository_set_workdir(handle, Path.normalize(workTree, relativeTo: cwd), 0)
                if setWorkdir != 0 { git_repository_free(handle) }
                try LibGit2.check("git_repository_set_workdir", setWorkdir)
            }
        } else if environment["GIT_DIR"] != nil {
            // libgit2 reads GIT_DIR, GIT_CEILING_DIRECTORIES, GIT_COMMON_DIR, GIT_INDEX_FILE… from the
            // process environment itself; the hook's `environment` was captured from it.
            result = git_repository_open_ext(&handle, nil, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil)
        } else {
            result = git_repository_open_ext(&handle, path, 0, nil)
        }
        try LibGit2.check("git_repository_open_ext", result)
        return GitRepository(handle: handle!, environment: environment)
    }

    // MARK: HEAD

    package func head() throws(GitError) -> HeadState {
        var reference: OpaquePointer?
        let result = git_repository_head(&reference, handle)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue {
            return .unborn(branch: unbornBranchName())
        }
        try LibGit2.check("git_repository_head", result)
        defer { git_reference_free(reference) }
        let sha = Self.oidString(git_reference_target(reference))
        if git_repository_head_detached(handle) == 1 { return .detached(sha: sha) }
        let name = String(cString: git_reference_shorthand(reference))
        return .branch(name: name, sha: sha)
    }

    private func unbornBranchName() -> String {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, handle, "HEAD") == 0 else { return "HEAD" }
        defer { git_reference_free(reference) }
        guard let target = git_reference_symbolic_target(reference) else { return "HEAD" }
        let full = String(cString: target)
        return full.hasPrefix("refs/heads/") ? String(full.dropFirst("refs/heads/".count)) : full
    }

    // MARK: Commits

    func lookupCommit(_ sha: String) throws(GitError) -> OpaquePointer {
        var oid = git_oid()
        try LibGit2.check("git_oid_fromstrn", git_oid_fromstrn(&oid, sha, sha.utf8.count))
        var commit: OpaquePointer?
        if sha.utf8.count < 40 {
            try LibGit2.check("git_commit_lookup_prefix", git_commit_lookup_prefix(&commit, handle, &oid, sha.utf8.count))
        } else {
            try LibGit2.check("git_commit_lookup", git_commit_lookup(&commit, handle, &oid))
        }
        return commit!
    }

    package func commit(_ sha: String) throws(GitError) -> CommitSummary {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        return Self.summary(of: commit)
    }

    static func summary(of commit: OpaquePointer) -> CommitSummary {
        let sha = oidString(git_commit_id(commit))
        let subject = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        let author = git_commit_author(commit)
        let time = author.map { Int64($0.pointee.when.time) } ?? Int64(git_commit_time(commit))
        return CommitSummary(sha: sha, subject: subject, time: time, parentCount: Int(git_commit_parentcount(commit)),
                             committedAt: Int64(git_commit_time(commit)))
    }

    /// Commits reachable from `tip` (HEAD by default) and not from `base`, newest first, at most `limit`.
    /// A nil or unknown `base` lists from the tip down (bounded by `limit`).
    package func commits(since base: String?, tip: String? = nil, limit: Int = 200) throws(GitError) -> [CommitSummary] {
        var walker: OpaquePointer?
        try LibGit2.check("git_revwalk_new", git_revwalk_new(&walker, handle))
        defer { git_revwalk_free(walker) }
        git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        if let tip {
            var oid = git_oid()
            try LibGit2.check("git_oid_fromstr", git_oid_fromstrn(&oid, tip, tip.utf8.count))
            try LibGit2.check("git_revwalk_push", git_revwalk_push(walker, &oid))
        } else {
            let result = git_revwalk_push_head(walker)
            if result == GIT_ENOTFOUND.rawValue || result == GIT_EUNBORNBRANCH.rawValue { return [] }
            try LibGit2.check("git_revwalk_push_head", result)
        }
        if let base, !base.isEmpty {
            var oid = git_oid()
            if git_oid_fromstrn(&oid, base, base.utf8.count) == 0 {
                // An unknown base (rewritten history, another clone) hides nothing; the limit still bounds us.
                _ = git_revwalk_hide(walker, &oid)
            }
        }
        var result: [CommitSummary] = []
        var oid = git_oid()
        while result.count < limit, try Self.walk(walker, to: &oid) {
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, handle, &oid) == 0 else { continue }
            result.append(Self.summary(of: commit!))
            git_commit_free(commit)
        }
        return result
    }

    /// Number of commits reachable from `tip` but not from any of `hidden` (bounded by `limit`).
    package func countCommits(from tip: String, excluding hidden: [String], limit: Int = 100_000) throws(GitError) -> Int {
        try withRevisionWalk(from: tip, excluding: hidden) { (walker) throws(GitError) -> Int in
            var oid = git_oid()
            var count = 0
            while count < limit, try Self.walk(walker, to: &oid) { count += 1 }
            return count
        }
    }

    /// A revision walk from `tip` with every parseable id of `hidden` hidden, for `body` only.
    func withRevisionWalk<T>(from tip: String, excluding hidden: [String],
                             _ body: (OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        var walker: OpaquePointer?
        try LibGit2.check("git_revwalk_new", git_revwalk_new(&walker, handle))
        defer { git_revwalk_free(walker) }
        var oid = git_oid()
        try LibGit2.check("git_oid_fromstr", git_oid_fromstrn(&oid, tip, tip.utf8.count))
        try LibGit2.check("git_revwalk_push", git_revwalk_push(walker, &oid))
        for sha in hidden {
            var hiddenOID = git_oid()
            if git_oid_fromstrn(&hiddenOID, sha, sha.utf8.count) == 0 { _ = git_revwalk_hide(walker, &hiddenOID) }
        }
        return try body(walker)
    }

    /// The walk's next commit: false at its end, a throw when it cannot go on. libgit2 1.5 knows
    /// nothing of shallow clones and fails at their boundary, where a walk that merely stopped would
    /// read as "no commits" (unknown is never 0): the caller then asks git.
    static func walk(_ walker: OpaquePointer?, to oid: inout git_oid) throws(GitError) -> Bool {
        let result = git_revwalk_next(&oid, walker)
        if result == GIT_ITEROVER.rawValue { return false }
        try LibGit2.check("git_revwalk_next", result)
        return true
    }

    /// Files changed, insertions and deletions of a commit against its first parent (an empty tree for a root commit).
    package func diffStats(of sha: String) throws(GitError) -> DiffStats {
        try withCommitTrees(sha) { (oldTree, newTree) throws(GitError) -> DiffStats in
            var diff: OpaquePointer?
            try LibGit2.check("git_diff_tree_to_tree", git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil))
            defer { git_diff_free(diff) }
            var stats: OpaquePointer?
            try LibGit2.check("git_diff_get_stats", git_diff_get_stats(&stats, diff))
            defer { git_diff_stats_free(stats) }
            return DiffStats(
                filesChanged: Int(git_diff_stats_files_changed(stats)),
                insertions: Int(git_diff_stats_insertions(stats)),
                deletions: Int(git_diff_stats_deletions(stats)))
        }
    }

    /// Runs `body` with the tree of `sha`'s first parent (nil for a root commit) and the tree of `sha`,
    /// freeing both afterwards. The one place that loads a commit's trees for comparison.
    func withCommitTrees<T>(_ sha: String, _ body: (OpaquePointer?, OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        var newTree: OpaquePointer?
        try LibGit2.check("git_commit_tree", git_commit_tree(&newTree, commit))
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        if git_commit_parentcount(commit) > 0 {
            var parent: OpaquePointer?
            try LibGit2.check("git_commit_parent", git_commit_parent(&parent, commit, 0))
            defer { git_commit_free(parent) }
            try LibGit2.check("git_commit_tree", git_commit_tree(&oldTree, parent))
        }
        defer { if oldTree != nil { git_tree_free(oldTree) } }
        return try body(oldTree, newTree)
    }

    /// True when `ancestor` is `descendant` or one of its ancestors; nil when either is not in this repository.
    package func isAncestor(_ ancestor: String, of descendant: String) -> Bool? {
        var ancestorOID = git_oid(), descendantOID = git_oid()
        guard git_oid_fromstrn(&ancestorOID, ancestor, ancestor.utf8.count) == 0,
            git_oid_fromstrn(&descendantOID, descendant, descendant.utf8.count) == 0
        else { return nil }
        if git_oid_equal(&ancestorOID, &descendantOID) == 1 { return true }
        var object: OpaquePointer?
        guard git_object_lookup(&object, handle, &ancestorOID, GIT_OBJECT_COMMIT) == 0 else { return nil }
        git_object_free(object)
        let result = git_graph_descendant_of(handle, &descendantOID, &ancestorOID)
        return result < 0 ? nil : result == 1
    }

    package func hasObject(_ sha: String) -> Bool {
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, sha, sha.utf8.count) == 0 else { return false }
        var object: OpaquePointer?
        guard git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY) == 0 else { return false }
        git_object_free(object)
        return true
    }

    // MARK: Status

    /// Uncommitted changes (staged, unstaged, untracked), leaving out ignored files and `.handoff/`.
    /// Untracked folders are reported as one entry, not walked: the cost stays close to `git status`.
    ///
    /// When the index provably holds HEAD's tree (see `indexMatchesHead`), only the index and the
    /// working tree are compared: libgit2's HEAD-to-index diff inflates every tree of HEAD, which on
    /// 100,000 files is 40 % of the status's instructions and most of its memory. In that case the
    /// fast path of GitRepository+FastStatus.swift (lstat on several threads, `readdir` for untracked
    /// names) answers whenever it is certain to give libgit2's answer; libgit2 answers otherwise.
    ///
    /// Where libgit2 cannot be certain (an index it cannot read: split index, sparse index; skip-
    /// worktree entries it would call deleted; any status error), git itself answers
    /// (`GitCommandLine.status`); when git cannot either, this throws: the caller reports the status
    /// as unknown, never as clean.
    package func status(limit: Int = 10_000) throws(GitError) -> WorkingTreeStatus {
        statusFallbackReason = nil
        let matchesHead = indexMatchesHead()
        // Nothing staged: the fast path (GitRepository+FastStatus.swift) answers when it is certain.
        if matchesHead, let fast = fastStatusWhenNothingIsStaged(limit: limit) { return fast }
        if let why = libgit2CannotJudgeIndex() { return try statusFromGit(limit: limit, because: why) }
        do {
            return try libgit2Status(limit: limit, indexMatchesHead: matchesHead)
        } catch {
            return try statusFromGit(limit: limit, because: error.message)
        }
    }

    /// Why the last `status` (or a caller's) had to ask git, for `handoff doctor`; nil when libgit2 answered.
    package private(set) var statusFallbackReason: String?

    /// The status from `git status --porcelain=v2`; a failure names both what libgit2 and git said.
    func statusFromGit(limit: Int, because reason: String) throws(GitError) -> WorkingTreeStatus {
        statusFallbackReason = reason
        do {
            return try commandLine.status(limit: limit).status
        } catch {
            throw GitError(call: error.call, code: error.code, message: "\(error.message) (asked because libgit2 could not: \(reason))")
        }
    }

    /// git, run in this repository's worktree (or its git dir when bare).
    package var commandLine: GitCommandLine { GitCommandLine(directory: workdir ?? gitDir, environment: environment) }

    /// Why libgit2's status would not be git's for this index, nil when it would: entries marked
    /// skip-worktree (a sparse checkout, `git update-index --skip-worktree`), which git leaves out of
    /// its status and libgit2 1.5 reports as deleted. An index libgit2 cannot read at all makes its
    /// status fail instead, which also goes to git.
    func libgit2CannotJudgeIndex() -> String? {
        var index: OpaquePointer?
        guard git_repository_index(&index, handle) == 0 else { return nil }
        defer { git_index_free(index) }
        let skipWorktree = UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
        for position in 0..<git_index_entrycount(index) {
            if let entry = git_index_get_byindex(index, position), entry.pointee.flags_extended & skipWorktree != 0 {
                return "the index has skip-worktree entries (sparse checkout), which libgit2 reports as deleted"
            }
        }
        return nil
    }

    /// The status as libgit2 computes it, the reference the fast path must equal.
    func libgit2Status(limit: Int = 10_000, indexMatchesHead matchesHead: Bool? = nil) throws(GitError) -> WorkingTreeStatus {
        var options = git_status_options()
        try LibGit2.check("git_status_options_init", git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)))
        options.show = (matchesHead ?? indexMatchesHead()) ? GIT_STATUS_SHOW_WORKDIR_ONLY : GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // Ignored entries too: libgit2 calls a folder ignored when everything in it is (its own
        // `.git` included), which hides an empty nested repository that git lists as untracked.
        // Ignored folders are not entered (no RECURSE_IGNORED_DIRS): one entry each.
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
            | GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue
        return WorkingTreeStatus(entries: try collectStatus(options: &options, limit: limit))
    }

    /// Runs a libgit2 status with `options` and maps its entries, leaving out `.handoff/`.
    func collectStatus(options: inout git_status_options, limit: Int) throws(GitError) -> [StatusEntry] {
        var list: OpaquePointer?
        try LibGit2.check("git_status_list_new", git_status_list_new(&list, handle, &options))
        defer { git_status_list_free(list) }
        let count = git_status_list_entrycount(list)
        var entries: [StatusEntry] = []
        for index in 0..<count {
            guard entries.count < limit, let entry = git_status_byindex(list, index) else { break }
            let status = entry.pointee.status.rawValue
            let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
            guard let delta else { continue }
            let pathPointer = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            guard let pathPointer else { continue }
            let path = String(cString: pathPointer)
            if Self.isHandoffPath(path) { continue }
            if status & GIT_STATUS_IGNORED.rawValue != 0 {
                // Listed by git when no ignore rule names it and a nested repository lies inside.
                guard path.hasSuffix("/"), !isIgnoredByRules(path), let workdir,
                    NestedRepository.inside(Path.join(workdir, String(path.dropLast())))
                else { continue }
                entries.append(StatusEntry(path: path, kind: .untracked))
                continue
            }
            entries.append(StatusEntry(path: path, kind: Self.kind(of: status)))
        }
        return entries
    }

    /// True when the index holds exactly HEAD's tree, i.e. nothing is staged; false when something
    /// is, or when that cannot be told cheaply (no HEAD, conflicts, any libgit2 error).
    ///
    /// How: `git_index_write_tree_to` gives the tree the index describes. When the index's cache-tree
    /// is valid for the root (as `git commit` leaves it, and as editing files without `git add` keeps
    /// it), libgit2 answers from that cache without reading a single object; otherwise it rebuilds
    /// only the invalidated folders. The trees it builds go to a scratch in-memory object database
    /// that reads the repository's objects as a read-only alternate, so the repository is never
    /// written to.
    func indexMatchesHead() -> Bool {
        var headTree: OpaquePointer?
        guard git_revparse_single(&headTree, handle, "HEAD^{tree}") == 0 else { return false }
        defer { git_object_free(headTree) }
        // git keeps the tree the index holds in the index itself (the cache tree) while it is valid,
        // and libgit2's write_tree below returns that same root when it is: read it without loading
        // the index into libgit2.
        if let file = directIndex(), var root = file.rootTree { return git_oid_equal(&root, git_object_id(headTree)) == 1 }
        var index: OpaquePointer?
        guard git_repository_index(&index, handle) == 0 else { return false }
        defer { git_index_free(index) }
        guard git_index_has_conflicts(index) == 0 else { return false }

        var scratch: OpaquePointer?
        guard git_repository_new(&scratch) == 0 else { return false }
        defer { git_repository_free(scratch) }
        var database: OpaquePointer?
        guard git_odb_new(&database) == 0 else { return false }
        defer { git_odb_free(database) }
        var memory: UnsafeMutablePointer<git_odb_backend>?
        guard git_mempack_new(&memory) == 0 else { return false }
        // The object database owns the backend once added; free it ourselves only if adding failed.
        guard git_odb_add_backend(database, memory, 1) == 0 else {
            memory?.pointee.free?(memory)
            return false
        }
        guard git_odb_add_disk_alternate(database, Path.join(commonDir, "objects")) == 0,
            git_repository_set_odb(scratch, database) == 0
        else { return false }

        var indexTree = git_oid()
        guard git_index_write_tree_to(&indexTree, index, scratch) == 0 else { return false }
        return git_oid_equal(&indexTree, git_object_id(headTree)) == 1
    }

    /// True when an ignore rule (not mere emptiness) names `path`.
    func isIgnoredByRules(_ path: String) -> Bool {
        var ignored: Int32 = 0
        return git_ignore_path_is_ignored(&ignored, handle, path) == 0 && ignored != 0
    }

    private static func kind(of status: UInt32) -> StatusEntry.Kind {
        if status & GIT_STATUS_CONFLICTED.rawValue != 0 { return .conflicted }
        if status & GIT_STATUS_WT_NEW.rawValue != 0 && status & GIT_STATUS_INDEX_NEW.rawValue == 0 { return .untracked }
        if status & (GIT_STATUS_WT_DELETED.rawValue | GIT_STATUS_INDEX_DELETED.rawValue) != 0 { return .deleted }
        if status & (GIT_STATUS_WT_RENAMED.rawValue | GIT_STATUS_INDEX_RENAMED.rawValue) != 0 { return .renamed }
        if status & (GIT_STATUS_WT_TYPECHANGE.rawValue | GIT_STATUS_INDEX_TYPECHANGE.rawValue) != 0 { return .typeChange }
        if status & GIT_STATUS_WT_MODIFIED.rawValue != 0 { return .modified }
        return .staged
    }

    // MARK: Upstream

    /// Ahead/behind of the current branch against its upstream; nil when detached, unborn or without upstream.
    package func aheadBehindUpstream() throws(GitError) -> AheadBehind? {
        var headRef: OpaquePointer?
        let result = git_repository_head(&headRef, handle)
        if result < 0 { return nil }
        defer { git_reference_free(headRef) }
        guard git_reference_is_branch(headRef) == 1 else { return nil }
        var upstream: OpaquePointer?
        let upstreamResult = git_branch_upstream(&upstream, headRef)
        if upstreamResult == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check("git_branch_upstream", upstreamResult)
        defer { git_reference_free(upstream) }
        guard let localTarget = git_reference_target(headRef), let upstreamTarget = git_reference_target(upstream) else { return nil }
        var ahead = 0, behind = 0
        try LibGit2.check("git_graph_ahead_behind", git_graph_ahead_behind(&ahead, &behind, handle, localTarget, upstreamTarget))
        return AheadBehind(upstream: String(cString: git_reference_shorthand(upstream)), ahead: ahead, behind: behind)
    }

    /// The targets of every remote-tracking branch (`refs/remotes/*`).
    package func remoteTrackingTips() -> [String] { referenceTargets(matching: "refs/remotes/*") }

    /// The targets of the references whose names match `glob`.
    func referenceTargets(matching glob: String) -> [String] {
        var iterator: OpaquePointer?
        guard git_reference_iterator_glob_new(&iterator, handle, glob) == 0 else { return [] }
        defer { git_reference_iterator_free(iterator) }
        var tips: [String] = []
        var reference: OpaquePointer?
        while git_reference_next(&reference, iterator) == 0 {
            if let target = git_reference_target(reference) { tips.append(Self.oidString(target)) }
            git_reference_free(reference)
        }
        return tips
    }

    /// The remote-tracking ref (`refs/remotes/origin/topic`) that a successful push of `remoteRef` to
    /// the remote named `remote` updates, through that remote's fetch refspecs; nil when `remote` is a
    /// URL rather than a configured remote, or no fetch refspec maps `remoteRef`. The ref itself need
    /// not exist yet: a first push creates it.
    package func trackingReference(remote: String, remoteRef: String) -> String? {
        var handleOfRemote: OpaquePointer?
        guard git_remote_lookup(&handleOfRemote, handle, remote) == 0 else { return nil }
        defer { git_remote_free(handleOfRemote) }
        for index in 0..<git_remote_refspec_count(handleOfRemote) {
            guard let spec = git_remote_get_refspec(handleOfRemote, index),
                git_refspec_direction(spec) == GIT_DIRECTION_FETCH,
                git_refspec_src_matches(spec, remoteRef) == 1
            else { continue }
            var name = git_buf()
            defer { git_buf_dispose(&name) }
            guard git_refspec_transform(&name, spec, remoteRef) == 0, let pointer = name.ptr else { continue }
            return String(cString: pointer)
        }
        return nil
    }

    package func remoteNames() -> [String] {
        var names = git_strarray()
        guard git_remote_list(&names, handle) == 0 else { return [] }
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { names.strings[$0].map { String(cString: $0) } }
    }

    // MARK: State, config, index

    package func operationInProgress() -> RepositoryOperation {
        switch git_repository_state(handle) {
        case Int32(GIT_REPOSITORY_STATE_MERGE.rawValue): return .merge
        case Int32(GIT_REPOSITORY_STATE_REVERT.rawValue), Int32(GIT_REPOSITORY_STATE_REVERT_SEQUENCE.rawValue): return .revert
        case Int32(GIT_REPOSITORY_STATE_CHERRYPICK.rawValue), Int32(GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE.rawValue): return .cherryPick
        case Int32(GIT_REPOSITORY_STATE_BISECT.rawValue): return .bisect
        case Int32(GIT_REPOSITORY_STATE_REBASE.rawValue), Int32(GIT_REPOSITORY_STATE_REBASE_INTERACTIVE.rawValue),
            Int32(GIT_REPOSITORY_STATE_REBASE_MERGE.rawValue):
            return .rebase
        case Int32(GIT_REPOSITORY_STATE_APPLY_MAILBOX.rawValue), Int32(GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE.rawValue): return .applyMailbox
        default: return .none
        }
    }

    /// A string from the repository's configuration (all levels), nil when unset.
    package func configString(_ name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var buffer = git_buf()
        guard git_config_get_string_buf(&buffer, config, name) == 0 else { return nil }
        defer { git_buf_dispose(&buffer) }
        return String(cString: buffer.ptr)
    }

    /// Sets `name` in the repository's own configuration file (the common git dir's `config`, shared
    /// by linked worktrees), as `git config name value` does.
    package func setLocalConfig(_ name: String, _ value: String) throws(GitError) {
        let local = try localConfig()
        defer { git_config_free(local) }
        try LibGit2.check("git_config_set_string", git_config_set_string(local, name, value))
    }

    /// Removes `name` from the repository's own configuration file; false when it was not there.
    @discardableResult
    package func unsetLocalConfig(_ name: String) throws(GitError) -> Bool {
        let local = try localConfig()
        defer { git_config_free(local) }
        let result = git_config_delete_entry(local, name)
        if result == GIT_ENOTFOUND.rawValue { return false }
        try LibGit2.check("git_config_delete_entry", result)
        return true
    }

    /// A string from the repository's own configuration file only, nil when unset there.
    package func localConfigString(_ name: String) -> String? {
        guard let local = try? localConfig() else { return nil }
        defer { git_config_free(local) }
        var buffer = git_buf()
        guard git_config_get_string_buf(&buffer, local, name) == 0 else { return nil }
        defer { git_buf_dispose(&buffer) }
        return String(cString: buffer.ptr)
    }

    private func localConfig() throws(GitError) -> OpaquePointer? {
        var config: OpaquePointer?
        try LibGit2.check("git_repository_config", git_repository_config(&config, handle))
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try LibGit2.check("git_config_open_level", git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL))
        return local
    }

    /// Paths in the index (tracked files), in index order. Used for the Structure section of CONTEXT.md.
    package func indexPaths() throws(GitError) -> [String] {
        var index: OpaquePointer?
        try LibGit2.check("git_repository_index", git_repository_index(&index, handle))
        defer { git_index_free(index) }
        let count = git_index_entrycount(index)
        var paths: [String] = []
        paths.reserveCapacity(count)
        for position in 0..<count {
            if let entry = git_index_get_byindex(index, position), let path = entry.pointee.path {
                paths.append(String(cString: path))
            }
        }
        return paths
    }

    /// Resolves a reference name (`refs/heads/main`) to its sha, nil when absent.
    package func resolve(reference name: String) -> String? {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, handle, name) == 0 else { return nil }
        return Self.oidString(&oid)
    }

    static func oidString(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid else { return "" }
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
