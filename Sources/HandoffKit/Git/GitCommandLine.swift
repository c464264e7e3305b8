#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// git itself, asked only where libgit2 cannot answer with certainty: an index extension libgit2
/// does not read (`core.splitIndex`'s `link`, a sparse index's `sdir`), skip-worktree entries (a
/// sparse checkout, which libgit2 1.5 reports as deleted), an object format it cannot open
/// (`--object-format=sha256`). The common path never starts a process.
///
/// Runs `git` from an argument vector (never a shell) with `GIT_OPTIONAL_LOCKS=0`, so that asking
/// never takes `index.lock` from under the user's own git commands.
package struct GitCommandLine: Sendable {
    /// Where git runs (`git -C`).
    package var directory: String
    package var environment: Environment
    package var timeout: Double = 20

    package init(directory: String, environment: Environment) {
        self.directory = directory
        self.environment = environment
    }

    /// What one git invocation did.
    struct Output {
        var exitStatus: Int32?
        var standardOutput: [UInt8]
        var standardError: String
    }

    /// The status as git reports it: HEAD, the upstream with ahead/behind, and the changed paths
    /// (untracked folders as one `dir/` entry, submodules left out, renames not paired: the shape
    /// `GitRepository.status` gives). Throws a `GitError` whose call is the git command line.
    package func status(limit: Int = 10_000) throws(GitError) -> PorcelainStatus {
        let arguments = ["status", "--porcelain=v2", "-z", "--branch", "--untracked-files=normal",
                         "--ignore-submodules=all", "--no-renames"]
        let output = try run(arguments)
        return PorcelainStatus.parse(output.standardOutput, limit: limit)
    }

    /// Commits reachable from HEAD and from no remote-tracking branch (`git rev-list --count HEAD --not --remotes`),
    /// also excluding `hidden` shas (the push ledger's).
    package func countUnpushed(hidden: [String]) throws(GitError) -> Int {
        let output = try run(["rev-list", "--count", "HEAD", "--not", "--remotes"] + hidden)
        guard let count = Int(String(decoding: output.standardOutput, as: UTF8.self).trimmed) else {
            throw GitError(call: "git rev-list --count", code: -1, message: "unexpected output")
        }
        return count
    }

    /// The commits reachable from `tip` and from no remote-tracking branch nor
    /// any of `hidden`, with their committer times, newest first, at most `limit` (`git rev-list tip --not --remotes hidden…`).
    package func commitTimes(from tip: String, notOnRemotesNor hidden: [String], limit: Int) throws(GitError) -> [(sha: String, time: Int64)] {
        let output = try run(["rev-list", "--format=%H %ct", "--no-commit-header", "-n", String(limit), tip, "--not", "--remotes"] + hidden)
        return String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let time = Int64(parts[1]) else { return nil }
            return (String(parts[0]), time)
        }
    }

    /// The local branches and their tips, by short name (`git for-each-ref refs/heads`).
    package func localBranches() throws(GitError) -> [String: String] {
        let output = try run(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"])
        var branches: [String: String] = [:]
        for line in String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            branches[String(line[line.index(after: space)...].dropFirst("refs/heads/".count))] = String(line[..<space])
        }
        return branches
    }

    /// The branches checked out in worktrees other than this one (`git worktree list --porcelain`).
    package func branchesCheckedOutElsewhere() throws(GitError) -> Set<String> {
        let output = try run(["worktree", "list", "--porcelain"])
        let own = Path.normalize(directory, relativeTo: "/")
        var branches: Set<String> = []
        var path = ""
        for line in String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("worktree ") { path = String(line.dropFirst("worktree ".count)) }
            if line.hasPrefix("branch refs/heads/"), FileSystem.realPath(path) != FileSystem.realPath(own) {
                branches.insert(String(line.dropFirst("branch refs/heads/".count)))
            }
        }
        return branches
    }

    /// The stash, newest first (`git stash list`); whether an entry holds `.handoff/` is not asked of git.
    package func stashes(limit: Int) throws(GitError) -> [StashEntry] {
        // No stash at all is an empty list, not an error (`git log -g` refuses a missing ref).
        if try run(["for-each-ref", "--format=%(objectname)", "refs/stash"]).standardOutput.isEmpty { return [] }
        let output = try run(["log", "-g", "-n", String(limit), "--format=%H%x09%ct%x09%gs", "refs/stash", "--"])
        return String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").enumerated().compactMap { index, line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let time = Int64(parts[1]) else { return nil }
            return StashEntry(index: index, sha: String(parts[0]), message: String(parts[2]), createdAt: time, holdsStore: false)
        }
    }

    /// A configuration value (`git config --get`), nil when unset or unreadable.
    package func config(_ name: String) -> String? {
        guard let output = try? run(["config", "--get", name]) else { return nil }
        return String(decoding: output.standardOutput, as: UTF8.self).trimmed
    }

    /// Writes a value into the repository's own configuration (`git config --local`), where libgit2
    /// cannot open the repository (a sha256 object format under libgit2 1.5).
    package func setLocalConfig(_ name: String, _ value: String) throws(GitError) {
        _ = try run(["config", "--local", name, value])
    }

    /// Commits of HEAD not reachable from `base`, newest first, at most `limit`: sha and committer time.
    package func commits(since base: String, limit: Int) throws(GitError) -> [(sha: String, committedAt: Int64)] {
        let output = try run(["rev-list", "--format=%H %ct", "--no-commit-header", "-n", String(limit), "HEAD", "--not", base])
        return String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let time = Int64(parts[1]) else { return nil }
            return (String(parts[0]), time)
        }
    }

    /// The paths of the index (`git ls-files -z`), for an index libgit2 cannot read.
    package func trackedPaths() throws(GitError) -> [String] {
        let output = try run(["ls-files", "-z"])
        return output.standardOutput.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names of the configured remotes.
    package func remoteNames() throws(GitError) -> [String] {
        let output = try run(["remote"])
        return String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Runs `git -C directory arguments…`; a failure (not found, non-zero exit, timeout) is a `GitError`
    /// carrying git's own first line of complaint.
    func run(_ arguments: [String]) throws(GitError) -> Output {
        let call = "git " + (arguments.first ?? "")
        var variables = environment.variables
        variables["GIT_OPTIONAL_LOCKS"] = "0"
        // The environment's PATH, not this process's: the git a hook's caller would run.
        guard let program = Self.executable("git", path: environment["PATH"]) else {
            throw GitError(call: call, code: 127, message: "git is not on PATH (\(environment["PATH"] ?? "unset"))")
        }
        let output = Self.spawn([program, "-C", directory] + arguments, environment: Environment(variables), timeout: timeout)
        guard let status = output.exitStatus else {
            throw GitError(call: call, code: -1, message: output.standardError.isEmpty ? "did not finish within \(Int(timeout)) s" : output.standardError)
        }
        guard status == 0 else {
            let first = output.standardError.split(separator: "\n").first.map(String.init) ?? "no message"
            throw GitError(call: call, code: status, message: first)
        }
        return output
    }

    /// The first executable `name` in the folders of `path`.
    static func executable(_ name: String, path: String?) -> String? {
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where folder.hasPrefix("/") {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// At most this much standard output is kept (a status of 10,000 long paths stays far below).
    static let outputLimit = 64 * 1024 * 1024

    private static func spawn(_ arguments: [String], environment: Environment, timeout: Double) -> Output {
        var request = ProcessRunner.Request(arguments, environment: environment.variables, timeout: timeout)
        request.outputLimit = outputLimit
        request.errorLimit = 16 * 1024
        let result = ProcessRunner.run(request)
        if let why = result.startFailure { return Output(exitStatus: nil, standardOutput: [], standardError: "git could not be started: \(why)") }
        if result.timedOut { return Output(exitStatus: nil, standardOutput: result.standardOutput, standardError: "") }
        return Output(exitStatus: result.exitStatus, standardOutput: result.standardOutput,
                      standardError: String(decoding: result.standardError, as: UTF8.self).trimmed)
    }
}

/// `git status --porcelain=v2 -z --branch`, parsed.
package struct PorcelainStatus: Sendable, Equatable {
    /// nil when git printed no `# branch.oid` / `# branch.head` header.
    package var head: HeadState?
    /// nil without an upstream; `ahead`/`behind` of 0 when git printed no `# branch.ab` (upstream gone).
    package var upstream: AheadBehind?
    /// True when an upstream is configured but its ref is gone (git prints no `# branch.ab`).
    package var upstreamGone = false
    package var status: WorkingTreeStatus

    static func parse(_ bytes: [UInt8], limit: Int) -> PorcelainStatus {
        var oid: String?, branch: String?, upstreamName: String?, ahead: Int?, behind: Int?
        var entries: [StatusEntry] = []
        let records = bytes.split(separator: 0, omittingEmptySubsequences: true)
        var index = 0
        while index < records.count {
            let record = String(decoding: records[index], as: UTF8.self)
            index += 1
            let fields = record.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard let kind = fields.first else { continue }
            switch kind {
            case "#":
                let header = record.dropFirst(2).split(separator: " ", maxSplits: 1).map(String.init)
                guard header.count == 2 else { continue }
                switch header[0] {
                case "branch.oid": oid = header[1]
                case "branch.head": branch = header[1]
                case "branch.upstream": upstreamName = header[1]
                case "branch.ab":
                    let counts = header[1].split(separator: " ")
                    if counts.count == 2 {
                        ahead = Int(counts[0].dropFirst())
                        behind = Int(counts[1].dropFirst())
                    }
                default: break
                }
            case "1", "2", "u":
                // 1 XY sub mH mI mW hH hI path; 2 adds a score and a second NUL-separated path; u has
                // three stages: 10 fields before the path.
                let fieldCount = kind == "1" ? 8 : kind == "2" ? 9 : 10
                let parts = record.split(separator: " ", maxSplits: fieldCount, omittingEmptySubsequences: false)
                if kind == "2" { index += 1 }  // the original path
                guard parts.count == fieldCount + 1 else { continue }
                let xy = Array(parts[1])
                let path = String(parts[fieldCount])
                guard !GitRepository.isHandoffPath(path), entries.count < limit else { continue }
                entries.append(StatusEntry(path: path, kind: kind == "u" ? .conflicted : Self.kind(xy)))
            case "?":
                let path = String(record.dropFirst(2))
                guard !GitRepository.isHandoffPath(path), entries.count < limit else { continue }
                entries.append(StatusEntry(path: path, kind: .untracked))
            default:
                continue  // "!" (ignored) is never asked for
            }
        }
        var head: HeadState?
        if let branch, let oid {
            if oid == "(initial)" {
                head = .unborn(branch: branch)
            } else if branch == "(detached)" {
                head = .detached(sha: oid)
            } else {
                head = .branch(name: branch, sha: oid)
            }
        }
        let upstream = upstreamName.map { AheadBehind(upstream: $0, ahead: ahead ?? 0, behind: behind ?? 0) }
        entries.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return PorcelainStatus(head: head, upstream: upstream, upstreamGone: upstreamName != nil && ahead == nil,
                               status: WorkingTreeStatus(entries: entries))
    }

    /// The same precedence as libgit2's mapping (GitRepository.kind): deleted, type change, modified
    /// in the worktree, else staged.
    private static func kind(_ xy: [Character]) -> StatusEntry.Kind {
        guard xy.count == 2 else { return .modified }
        if xy.contains("D") { return .deleted }
        if xy.contains("R") { return .renamed }
        if xy.contains("T") { return .typeChange }
        if xy[1] == "M" { return .modified }
        return .staged
    }
}

/// A repository nested in the worktree without being a submodule: git lists its folder as untracked
/// even when it holds nothing but its own `.git` (libgit2 calls such a folder empty).
enum NestedRepository {
    /// True when `folder`, or a folder below it (at most `depth` levels, not entering nested `.git`s),
    /// holds a `.git` folder or file.
    static func inside(_ folder: String, depth: Int = 8) -> Bool {
        let names = FileSystem.list(folder)
        if names.contains(".git") { return true }
        guard depth > 0 else { return false }
        for name in names where FileSystem.isDirectory(Path.join(folder, name)) && !FileSystem.isSymlink(Path.join(folder, name)) {
            if inside(Path.join(folder, name), depth: depth - 1) { return true }
        }
        return false
    }
}
