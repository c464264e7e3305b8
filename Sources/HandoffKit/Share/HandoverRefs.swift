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

    /// The most bytes each file of a shared tree may hold: a larger one makes its handover unreadable
    /// (never read in part, never loaded whole). A crafted remote can offer any size.
    package static let fileCaps: [String: Int] = [
        SharedHandover.originFile: 64 * 1024,
        SharedHandover.stateFile: 4 * 1024 * 1024,
        SharedHandover.contextFile: 1024 * 1024,
        SharedHandover.reflectionFile: 1024 * 1024,
        SharedHandover.tasksFile: 4 * 1024 * 1024,
    ]
    /// The most bytes one read loads in all: the handovers past it are listed as unreadable.
    package static let readBudget = 64 * 1024 * 1024

    /// What `readAll` found: the handovers it could read, and why each other commit could not be.
    package struct ReadResult: Sendable {
        package var handovers: [String: SharedHandover] = [:]
        /// Commit → why it is not a readable handover (a file over its cap, a tree where a file
        /// belongs, no origin.json, git failing): listed as such, never dropped.
        package var unreadable: [String: String] = [:]
    }

    /// The files of handover commits, read in one `cat-file --batch`. A commit whose tree has no
    /// readable `origin.json` is left out.
    package func read(_ commits: [String]) -> [String: SharedHandover] { readAll(commits).handovers }

    /// The files of handover commits, bounded before they are loaded: one `cat-file --batch-check`
    /// gives each file's type and size (no content), then one `cat-file --batch` loads only the blobs
    /// within their caps. A tree or a link where a file belongs, a file over its cap, or a commit past
    /// the read budget makes that commit unreadable, with the reason; the others read as ever.
    package func readAll(_ commits: [String]) -> ReadResult {
        var result = ReadResult()
        guard !commits.isEmpty else { return result }
        var input = ""
        for commit in commits {
            for name in SharedHandover.fileNames { input += "\(commit):\(name)\n" }
        }
        let check = git.run(["cat-file", "--batch-check"], input: Array(input.utf8), timeout: 60)
        guard check.succeeded else {
            for commit in commits { result.unreadable[commit] = "git cat-file failed: \(check.lastErrorLine)" }
            return result
        }
        let lines = check.output.split(separator: "\n", omittingEmptySubsequences: false)
        // Per commit: file name → (object id, size), for the blobs within their caps.
        var wanted: [String: [String: (oid: String, size: Int)]] = [:]
        var budget = Self.readBudget
        for (index, commit) in commits.enumerated() {
            var files: [String: (oid: String, size: Int)] = [:]
            var problem: String?
            for (offset, name) in SharedHandover.fileNames.enumerated() {
                let lineIndex = index * SharedHandover.fileNames.count + offset
                guard lineIndex < lines.count else { problem = "git cat-file gave no answer for \(name)"; break }
                let words = lines[lineIndex].split(separator: " ")
                if words.count == 2, words[1] == "missing" { continue }
                guard words.count == 3, let size = Int(words[2]) else { problem = "git cat-file gave no answer for \(name)"; break }
                guard words[1] == "blob" else { problem = "\(name) is a \(words[1]), not a file"; break }
                let cap = Self.fileCaps[name] ?? 1024 * 1024
                guard size <= cap else {
                    problem = "\(name) is \(ByteCount.describe(size)), over the \(ByteCount.describe(cap)) a shared \(name) may hold"
                    break
                }
                files[name] = (String(words[0]), size)
            }
            if problem == nil, files[SharedHandover.originFile] == nil { problem = "no \(SharedHandover.originFile)" }
            let total = files.values.reduce(0) { $0 + $1.size }
            if problem == nil, total > budget {
                problem = "past the \(ByteCount.describe(Self.readBudget)) one read of shared handovers loads; ask for fewer (`handoff log --limit`)"
            }
            if let problem {
                result.unreadable[commit] = problem
                continue
            }
            budget -= total
            wanted[commit] = files
        }
        var oids: [String] = []
        var seen = Set<String>()
        for commit in commits { for (_, file) in wanted[commit] ?? [:] where seen.insert(file.oid).inserted { oids.append(file.oid) } }
        guard !oids.isEmpty else { return result }
        let batch = git.run(["cat-file", "--batch"], input: Array(oids.map { $0 + "\n" }.joined().utf8), timeout: 60)
        var contents: [String: [UInt8]] = [:]
        if batch.succeeded {
            let bytes = batch.stdout
            var cursor = 0
            // "<oid> blob <size>\n<content>\n" per object, in the order asked.
            for oid in oids {
                guard let newline = bytes[cursor...].firstIndex(of: 10) else { break }
                let words = bytes[cursor..<newline].split(separator: 0x20)
                guard words.count == 3, String(decoding: words[0], as: UTF8.self) == oid, String(decoding: words[1], as: UTF8.self) == "blob",
                    let size = Int(String(decoding: words[2], as: UTF8.self)), newline + 1 + size <= bytes.count
                else { break }
                contents[oid] = Array(bytes[(newline + 1)..<(newline + 1 + size)])
                cursor = newline + 1 + size + 1
            }
        }
        for commit in commits {
            guard let files = wanted[commit] else { continue }
            var loaded: [String: [UInt8]] = [:]
            for (name, file) in files {
                guard let bytes = contents[file.oid] else { break }
                loaded[name] = bytes
            }
            guard loaded.count == files.count else {
                result.unreadable[commit] = "git cat-file failed to load its files\(batch.succeeded ? "" : ": " + batch.lastErrorLine)"
                continue
            }
            if let handover = SharedHandover(files: loaded) {
                result.handovers[commit] = handover
            } else {
                result.unreadable[commit] = "its \(SharedHandover.originFile) is not a handover's origin (no time, or not JSON)"
            }
        }
        return result
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
        // Every message passes the redactor (a merge's names hosts, sessions and task titles).
        let result = git.run(arguments, input: Array(Redactor.redact(message ?? handover.commitMessage).utf8),
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
