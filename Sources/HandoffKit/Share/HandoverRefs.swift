/// Handover commits under `refs/handoff/`, written and read through the `git` executable.
///
/// Objects go straight into the object database (`hash-object -w`, `mktree`, `commit-tree`) and the
/// ref moves with `update-ref <ref> <new> <old>`, git's compare-and-swap: nothing here touches the
/// working tree, the index, HEAD or `refs/heads/`. git rather than libgit2 because it writes every
/// repository format git can open (sha256 ids, the reftable backend, which libgit2 cannot write) and
/// because the same executable does the transport; it costs a handful of short processes, paid only
/// when sharing is on and a handover completes.
package struct HandoverRefs: Sendable {
    package var git: GitCLI

    package init(git: GitCLI) { self.git = git }

    package init(root: String, environment: Environment) {
        git = GitCLI(directory: root, environment: environment)
    }

    /// Fixed identity and dates: a handover commit is made by handoff, at the handover's time, and
    /// needs no `user.name` (nor a signing key: `--no-gpg-sign`).
    static func identity(at time: Timestamp) -> [String: String] {
        let date = "@\(time.milliseconds / 1000) +0000"
        return [
            "GIT_AUTHOR_NAME": "handoff", "GIT_AUTHOR_EMAIL": "handoff@localhost", "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "handoff", "GIT_COMMITTER_EMAIL": "handoff@localhost", "GIT_COMMITTER_DATE": date,
        ]
    }

    // MARK: Reading refs

    /// `refname → commit` for every ref under `prefix` (one `for-each-ref`).
    package func refs(under prefix: String) throws(GitCLIError) -> [String: String] {
        let result = try git.checked(["for-each-ref", "--format=%(objectname) %(refname)", prefix])
        var refs: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { refs[String(parts[1])] = String(parts[0]) }
        }
        return refs
    }

    /// The commit a ref points at; nil when it does not exist.
    package func resolve(_ ref: String) -> String? {
        let result = git.run(["rev-parse", "-q", "--verify", ref + "^{commit}"])
        return result.succeeded && !result.line.isEmpty ? result.line : nil
    }

    /// Whether `ancestor` is reachable from `descendant`; nil when git could not tell.
    package func isAncestor(_ ancestor: String, of descendant: String) -> Bool? {
        let result = git.run(["merge-base", "--is-ancestor", ancestor, descendant])
        switch result.status {
        case 0?: return true
        case 1?: return false
        default: return nil
        }
    }

    /// The files of handover commits, read in one `cat-file --batch`. A commit whose tree has no
    /// readable `origin.json` is left out.
    package func read(_ commits: [String]) -> [String: SharedHandover] {
        guard !commits.isEmpty else { return [:] }
        var input = ""
        for commit in commits {
            for name in SharedHandover.fileNames { input += "\(commit):\(name)\n" }
        }
        let result = git.run(["cat-file", "--batch"], input: Array(input.utf8), timeout: 60)
        guard result.succeeded else { return [:] }
        var handovers: [String: SharedHandover] = [:]
        var cursor = 0
        let bytes = result.stdout
        for commit in commits {
            var files: [String: [UInt8]] = [:]
            for name in SharedHandover.fileNames {
                guard let newline = bytes[cursor...].firstIndex(of: 10) else { return handovers }
                let header = String(decoding: bytes[cursor..<newline], as: UTF8.self)
                cursor = newline + 1
                let words = header.split(separator: " ")
                // "<oid> blob <size>", or "<name> missing"
                guard words.count == 3, words[1] == "blob", let size = Int(words[2]), cursor + size <= bytes.count else { continue }
                files[name] = Array(bytes[cursor..<(cursor + size)])
                cursor += size + 1
            }
            if let handover = SharedHandover(files: files) { handovers[commit] = handover }
        }
        return handovers
    }

    /// The handover at a ref's tip, nil when there is none.
    package func handover(at ref: String) -> (commit: String, handover: SharedHandover)? {
        guard let commit = resolve(ref), let handover = read([commit])[commit] else { return nil }
        return (commit, handover)
    }

    /// The handovers in a ref's history, newest first: merge commits are left out (each side's
    /// handovers are in the list already).
    package func history(_ ref: String, limit: Int) throws(GitCLIError) -> [(commit: String, handover: SharedHandover)] {
        let list = try git.checked(["rev-list", "--no-merges", "--max-count=\(limit)", ref, "--"])
        let commits = list.output.split(separator: "\n").map(String.init)
        let handovers = read(commits)
        return commits.compactMap { commit in handovers[commit].map { (commit, $0) } }
    }

    // MARK: Writing

    /// Writes the handover's tree and a commit with `parents`; moves no ref.
    package func commit(_ handover: SharedHandover, parents: [String], message: String? = nil) throws(GitCLIError) -> String {
        var entries = ""
        for file in handover.files {
            let blob = try git.checked(["hash-object", "-w", "--stdin"], input: file.bytes).line
            entries += "100644 blob \(blob)\t\(file.name)\n"
        }
        let tree = try git.checked(["mktree"], input: Array(entries.utf8)).line
        var arguments = ["commit-tree", "--no-gpg-sign", tree]
        for parent in parents { arguments += ["-p", parent] }
        let result = git.run(arguments, input: Array((message ?? handover.commitMessage).utf8),
                             extraEnvironment: Self.identity(at: handover.origin.at))
        guard result.succeeded, !result.line.isEmpty else { throw GitCLIError(command: "commit-tree", reason: result.lastErrorLine) }
        return result.line
    }

    /// Moves `ref` from `old` (nil: the ref must not exist) to `new`; false when someone else moved it first.
    package func update(_ ref: String, to new: String, from old: String?, reason: String) -> Bool {
        git.run(["update-ref", "-m", reason, ref, new, old ?? ""]).succeeded
    }

    /// Deletes a ref (only when it still points at `old`, if given).
    package func delete(_ ref: String, expected old: String? = nil) -> Bool {
        var arguments = ["update-ref", "-d", ref]
        if let old { arguments.append(old) }
        return git.run(arguments).succeeded
    }

    /// Commits a handover on top of `refs/handoff/<branch>` (a concurrent writer makes it retry on
    /// the new tip, at most a few times). Returns the new commit.
    @discardableResult
    package func record(_ handover: SharedHandover, branch: String) throws(GitCLIError) -> String {
        let ref = ShareSettings.localRef(branch: branch)
        for _ in 0..<5 {
            let parent = resolve(ref)
            let commit = try commit(handover, parents: parent.map { [$0] } ?? [])
            if update(ref, to: commit, from: parent, reason: "handoff: \(handover.origin.kind.rawValue)") { return commit }
        }
        throw GitCLIError(command: "update-ref", reason: "\(ref) kept moving under concurrent handovers; try again")
    }
}
