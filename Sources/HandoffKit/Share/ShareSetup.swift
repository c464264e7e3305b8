/// `handoff share on|off|status`: the choice in git config, the fetch refspec, and what is shared.
package struct ShareSetup: Sendable {
    package var git: GitCLI

    package init(root: String, environment: Environment) {
        git = GitCLI(directory: root, environment: environment)
    }

    package var settings: ShareSettings {
        ShareSettings.read { key in
            let result = git.run(["config", "--get", key])
            return result.succeeded ? result.output.trimmed : nil
        }
    }

    package var remotes: [String] {
        git.run(["remote"]).output.split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    package var currentBranch: String? {
        let result = git.run(["symbolic-ref", "-q", "--short", "HEAD"])
        return result.succeeded && !result.line.isEmpty ? result.line : nil
    }

    /// The remote handovers go to by default: the current branch's upstream remote, else `origin`,
    /// else the only remote. Nil when there is no remote.
    package var defaultRemote: String? {
        let all = remotes
        if let branch = currentBranch {
            let upstream = git.run(["config", "--get", "branch.\(branch).remote"]).line
            if all.contains(upstream) { return upstream }
        }
        if all.contains("origin") { return "origin" }
        return all.count == 1 ? all.first : nil
    }

    func fetchRefspecs(_ remote: String) -> [String] {
        git.run(["config", "--get-all", "remote.\(remote).fetch"]).output.split(separator: "\n").map { String($0).trimmed }
    }

    package func hasFetchRefspec(_ remote: String) -> Bool {
        fetchRefspecs(remote).contains(ShareSettings.fetchRefspec(remote: remote))
    }

    package struct OnReport: Sendable, Equatable {
        package var clone: String
        package var remote: String?
        package var refspecAdded: Bool
    }

    /// Turns sharing on: `handoff.share true`, a clone id, and the fetch refspec on `remote` so that
    /// every `git fetch` (and `git pull`) also brings the remote's handovers.
    package func turnOn(remote requested: String?) throws(GitCLIError) -> OnReport {
        let remote = requested ?? defaultRemote
        if let requested, !remotes.contains(requested) {
            throw GitCLIError(command: "remote", reason: "no remote named \(requested) (see `git remote -v`)")
        }
        _ = try git.checked(["config", "--local", ShareSettings.enabledKey, "true"])
        let clone = ShareRecorder.cloneID(settings: settings, git: git)
        var added = false
        if let remote, !hasFetchRefspec(remote) {
            _ = try git.checked(["config", "--local", "--add", "remote.\(remote).fetch", ShareSettings.fetchRefspec(remote: remote)])
            added = true
        }
        return OnReport(clone: clone, remote: remote, refspecAdded: added)
    }

    /// Turns sharing off: nothing more is recorded, pushed or fetched. Refs already made stay (they
    /// are listed by `share status`; `handoff share prune --all` deletes them). Returns the remotes
    /// whose fetch refspec was removed.
    package func turnOff() throws(GitCLIError) -> [String] {
        _ = try git.checked(["config", "--local", ShareSettings.enabledKey, "false"])
        var removed: [String] = []
        for remote in remotes where hasFetchRefspec(remote) {
            _ = try git.checked(["config", "--local", "--fixed-value", "--unset-all", "remote.\(remote).fetch", ShareSettings.fetchRefspec(remote: remote)])
            removed.append(remote)
        }
        return removed
    }

    package struct RefStatus: Sendable, Equatable {
        package var branch: String
        package var commit: String
        /// The tip last fetched from or pushed to the remote, nil when it never was.
        package var remoteCommit: String?
        package var origin: SharedHandover.Origin?
        package var pending: Bool { remoteCommit != commit }
    }

    /// Every local handover ref, with what the remote had at the last fetch or push.
    package func refStatus(remote: String?) throws(GitCLIError) -> [RefStatus] {
        let refs = HandoverRefs(git: git)
        let local = try refs.refs(under: ShareSettings.refPrefix)
        let tracking = try remote.map { remote throws(GitCLIError) in try refs.refs(under: ShareSettings.trackingPrefix + remote + "/") } ?? [:]
        let handovers = refs.read(Array(local.values))
        return local.keys.sorted().map { ref in
            let branch = String(ref.dropFirst(ShareSettings.refPrefix.count))
            let commit = local[ref]!
            return RefStatus(branch: branch, commit: commit,
                             remoteCommit: remote.flatMap { tracking[ShareSettings.trackingRef(remote: $0, branch: branch)] },
                             origin: handovers[commit]?.origin)
        }
    }
}
