import CLibgit2

/// The last entry of a reflog: what moved HEAD, from where to where, and git's message for it
/// ("commit (amend): …", "rebase (pick): …", "cherry-pick: …").
public struct ReflogEntry: Sendable, Equatable {
    public var oldSHA: String
    public var newSHA: String
    public var message: String

    /// Parses one reflog line: `<old> <new> <name> <<email>> <time> <tz>\t<message>`.
    public init?(line: Substring) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count >= 40, parts[1].utf8.count >= 40 else { return nil }
        oldSHA = String(parts[0])
        newSHA = String(parts[1])
        message = line.firstIndex(of: "\t").map { String(line[line.index(after: $0)...]) } ?? ""
    }

    /// True when the all-zero id says "nothing before" (root commit, new branch).
    public var oldIsZero: Bool { oldSHA.utf8.allSatisfy { $0 == UInt8(ascii: "0") } }
}

/// What the git hooks need from libgit2 beyond the core wrapper.
extension GitRepository {
    /// The newest entry of HEAD's reflog of this worktree, from the file's tail only: the cost does
    /// not grow with the reflog. Nil when there is no reflog (core.logAllRefUpdates=false, bare).
    public func lastHeadReflogEntry() -> ReflogEntry? {
        let path = Path.join(gitDir, "logs/HEAD")
        guard let bytes = try? FileSystem.readTail(path, count: 4096), !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n", omittingEmptySubsequences: true).last else { return nil }
        return ReflogEntry(line: line)
    }

    /// The sha of every parent of `sha`, first parent first.
    public func parentSHAs(of sha: String) throws(GitError) -> [String] {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        let count = git_commit_parentcount(commit)
        return (0..<count).map { Self.oidString(git_commit_parent_id(commit, $0)) }
    }

    /// Tips of `refs/remotes/<remote>/*` when `remote` names a configured remote; of every
    /// remote-tracking branch otherwise (a push to a bare URL has no tracking refs of its own).
    public func remoteTrackingTips(remote: String) -> [String] {
        guard remoteNames().contains(remote) else { return remoteTrackingTips() }
        var iterator: OpaquePointer?
        guard git_reference_iterator_glob_new(&iterator, handle, "refs/remotes/\(remote)/*") == 0 else { return [] }
        defer { git_reference_iterator_free(iterator) }
        var tips: [String] = []
        var reference: OpaquePointer?
        while git_reference_next(&reference, iterator) == 0 {
            if let target = git_reference_target(reference) { tips.append(Self.oidString(target)) }
            git_reference_free(reference)
        }
        return tips
    }

    /// The folder git runs hooks from: `core.hooksPath` (with `~/` expanded; relative to the
    /// worktree root, as git resolves it for hooks) or else the common dir's `hooks/`, which is
    /// shared by linked worktrees and is a submodule's own `.git/modules/<name>/hooks`.
    public func hooksDirectory(environment: Environment) -> (path: String, fromHooksPath: Bool) {
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
}
