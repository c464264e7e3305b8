/// Moving handover refs between this clone and a remote, through the `git` executable only (the
/// user's transports, credential helpers and SSH configuration live in git).
///
/// Every network step is bounded by `handoff.shareTimeout`, never prompts (`GIT_TERMINAL_PROMPT=0`),
/// and carries the recursion guard: handoff's own `git push` runs with `--no-verify`, so neither the
/// pre-push hook nor the user's own pre-push checks run a second time for handover refs, and the
/// environment marker stops any wrapper that runs hooks anyway.
package struct ShareSync: Sendable {
    package var refs: HandoverRefs
    package var timeout: Double
    /// Fetch-merge-retry rounds when another clone pushed the same branch's handovers first.
    package var maximumRounds = 3
    /// The bound on everything one push or pull does (each network step also stops at `timeout`).
    package var overall: Deadline?

    /// Seconds the next network step may take.
    var stepLimit: Double { max(0.1, min(timeout, overall?.remaining ?? timeout)) }

    package init(refs: HandoverRefs, timeout: Double) {
        self.refs = refs
        self.timeout = timeout
    }

    /// Brings the tasks of these local handover refs' tips into the task store (merged by id).
    /// Returns the ids the store added or updated.
    @discardableResult
    package func importTasks(branches: [String], into store: HandoffStore) -> [String] {
        guard store.exists, !branches.isEmpty else { return [] }
        let tips = branches.map { ShareSettings.localRef(branch: $0) }
        var changed: [String] = []
        for (_, handover) in refs.read(tips).sorted(by: { $0.key < $1.key }) {
            if let report = SharedTasks.importTasks(handover.tasks, into: store) { changed += report.added + report.updated }
        }
        return changed
    }

    static let networkEnvironment = ["GIT_TERMINAL_PROMPT": "0", ShareSettings.recursionGuard: "1"]

    package struct PushReport: Sendable, Equatable {
        /// Refs the remote now has as they are here.
        package var pushed: [String] = []
        /// Refs that were already there.
        package var upToDate: [String] = []
        /// Refs the remote refused, with git's reason ("remote rejected: pre-receive hook declined").
        package var rejected: [(ref: String, reason: String)] = []
        /// Merges made because another clone pushed first.
        package var merged: [String] = []
        /// Refs another clone pushed first whose handovers could not be merged here (one of them is
        /// unreadable: a file over its cap, a tree for a file): not pushed, and not the remote's refusal.
        package var unmerged: [(ref: String, reason: String)] = []
        package var notes: [String] = []
        /// The push as a whole failed (no network, unknown remote, timeout): git's last line.
        package var failure: String?

        package static func == (lhs: PushReport, rhs: PushReport) -> Bool {
            lhs.pushed == rhs.pushed && lhs.upToDate == rhs.upToDate && lhs.failure == rhs.failure
                && lhs.rejected.map { "\($0.ref) \($0.reason)" } == rhs.rejected.map { "\($0.ref) \($0.reason)" }
                && lhs.unmerged.map { "\($0.ref) \($0.reason)" } == rhs.unmerged.map { "\($0.ref) \($0.reason)" }
        }

        package var succeeded: Bool { rejected.isEmpty && unmerged.isEmpty && failure == nil }
    }

    /// Whether `remote` is a configured remote's name (else a URL or path, which has no tracking refs).
    package func isNamedRemote(_ remote: String) -> Bool {
        !remote.isEmpty && !remote.contains("/") && !remote.contains(":")
            && refs.git.run(["config", "--get", "remote.\(remote).url"]).succeeded
    }

    /// Local handover refs whose tip the remote (as last seen) lacks. For a URL remote, all of them.
    package func changedRefs(remote: String) throws(GitCLIError) -> [String: String] {
        let local = try refs.refs(under: ShareSettings.refPrefix)
        guard isNamedRemote(remote) else { return local }
        let tracking = try refs.refs(under: ShareSettings.trackingPrefix + remote + "/")
        return local.filter { ref, sha in
            let branch = String(ref.dropFirst(ShareSettings.refPrefix.count))
            return tracking[ShareSettings.trackingRef(remote: remote, branch: branch)] != sha
        }
    }

    /// Pushes the handover refs that changed (or `only` these refs); a ref another clone moved first is
    /// fetched, merged and pushed again, at most `maximumRounds` times.
    package func push(remote: String, only: [String]? = nil) -> PushReport {
        var report = PushReport()
        let named = isNamedRemote(remote)
        var pending: [String]
        do {
            let changed = try changedRefs(remote: remote)
            pending = (only.map { wanted in changed.keys.filter { wanted.contains($0) } } ?? Array(changed.keys)).sorted()
        } catch {
            report.failure = error.reason
            return report
        }
        var round = 0
        while !pending.isEmpty {
            round += 1
            let result = refs.git.run(["push", "--porcelain", "--no-verify", remote] + pending.map { "\($0):\($0)" },
                                      timeout: stepLimit, extraEnvironment: Self.networkEnvironment)
            let lines = Self.parsePorcelain(result.output)
            if lines.isEmpty {
                report.failure = result.lastErrorLine
                return report
            }
            var behind: [String] = []
            for line in lines {
                let branch = String(line.ref.dropFirst(ShareSettings.refPrefix.count))
                switch line.flag {
                case " ", "*", "+", "=":
                    if line.flag == "=" { report.upToDate.append(line.ref) } else { report.pushed.append(line.ref) }
                    // What the remote now has, as `git fetch` would record it (git push does so only
                    // when the remote's fetch refspec maps it).
                    if named, let sha = refs.resolve(line.ref) {
                        _ = refs.git.run(["update-ref", "-m", "handoff: pushed", ShareSettings.trackingRef(remote: remote, branch: branch), sha])
                    }
                case "!" where line.summary.contains("fetch first") || line.summary.contains("non-fast-forward"):
                    behind.append(line.ref)
                default:
                    report.rejected.append((line.ref, Self.reason(line.summary)))
                }
            }
            pending = []
            guard !behind.isEmpty else { break }
            guard named, round < maximumRounds, !(overall?.hasPassed ?? false) else {
                for ref in behind { report.rejected.append((ref, "another clone keeps pushing it; run `handoff pull` then `handoff push`")) }
                break
            }
            // Another clone pushed first: fetch its tips, merge, push again.
            let fetched = fetch(remote: remote, branches: behind.map { String($0.dropFirst(ShareSettings.refPrefix.count)) })
            if let failure = fetched {
                report.failure = failure
                return report
            }
            for ref in behind {
                let branch = String(ref.dropFirst(ShareSettings.refPrefix.count))
                // A history this clone capped: the remote's copy holds nothing the cap did not see,
                // so it is replaced (on exactly the tip just fetched), not merged back in.
                if let replaced = replaceCappedHistory(remote: remote, branch: branch) {
                    if replaced { report.pushed.append(ref) } else { report.rejected.append((ref, "the capped history could not replace the remote's copy; run `handoff push` again")) }
                    continue
                }
                switch mergeTracking(remote: remote, branch: branch) {
                case .success(let outcome):
                    if outcome.kind == .merged { report.merged.append(ref) }
                    report.notes += outcome.notes
                    pending.append(ref)
                case .failure(let error):
                    // Not the remote's refusal: this clone could not merge what it fetched.
                    report.unmerged.append((ref, error.reason))
                }
            }
        }
        return report
    }

    /// When `refs/handoff/<branch>` was capped here and the remote's tip (as just fetched) is an
    /// ancestor of the tip the cap replaced: pushes the capped chain with `--force-with-lease` on that
    /// tip (true when the remote took it). Nil when this does not apply (the caller merges).
    func replaceCappedHistory(remote: String, branch: String) -> Bool? {
        let marker = ShareHistoryCap.rewrittenRef(branch: branch)
        guard let replaced = refs.resolve(marker),
            let remoteTip = refs.resolve(ShareSettings.trackingRef(remote: remote, branch: branch)),
            refs.isAncestor(remoteTip, of: replaced) == true
        else { return nil }
        let ref = ShareSettings.localRef(branch: branch)
        let result = refs.git.run(["push", "--porcelain", "--no-verify", "--force-with-lease=\(ref):\(remoteTip)", remote, "\(ref):\(ref)"],
                                  timeout: stepLimit, extraEnvironment: Self.networkEnvironment)
        guard Self.parsePorcelain(result.output).contains(where: { $0.ref == ref && ($0.flag == "+" || $0.flag == " " || $0.flag == "*" || $0.flag == "=") }),
            let sha = refs.resolve(ref)
        else { return false }
        _ = refs.git.run(["update-ref", "-m", "handoff: pushed", ShareSettings.trackingRef(remote: remote, branch: branch), sha])
        _ = refs.delete(marker, expected: replaced)
        return true
    }

    /// `[rejected] (fetch first)` → "rejected (fetch first)"; `[remote rejected] (hook declined)` → as is, bracketless.
    static func reason(_ summary: String) -> String {
        summary.filter { $0 != "[" && $0 != "]" }
    }

    struct PorcelainLine: Equatable {
        var flag: Character
        var ref: String
        var summary: String
    }

    /// `git push --porcelain`: `<flag>\t<from>:<to>\t<summary>` per ref.
    static func parsePorcelain(_ output: String) -> [PorcelainLine] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let flag = fields[0].first, fields[0].count == 1 else { return nil }
            let spec = fields[1].split(separator: ":", maxSplits: 1)
            let to = spec.count == 2 ? String(spec[1]) : String(fields[1])
            return PorcelainLine(flag: flag, ref: to, summary: fields[2...].joined(separator: " "))
        }
    }

    /// Fetches the remote's handover refs into `refs/handoff-remotes/<remote>/` (all of them, pruning
    /// those the remote deleted, or only `branches`). Nil on success, else git's last line.
    package func fetch(remote: String, branches: [String]? = nil) -> String? {
        var arguments = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
        if let branches {
            arguments.append(remote)
            arguments += branches.map { "+\(ShareSettings.localRef(branch: $0)):\(ShareSettings.trackingRef(remote: remote, branch: $0))" }
        } else {
            arguments += ["--prune", remote, ShareSettings.fetchRefspec(remote: remote)]
        }
        let result = refs.git.run(arguments, timeout: stepLimit, extraEnvironment: Self.networkEnvironment)
        return result.succeeded ? nil : result.lastErrorLine
    }

    /// Merges the fetched tip of `branch` into the local ref (compare-and-swap, retried when a local
    /// handover lands meanwhile).
    package func mergeTracking(remote: String, branch: String) -> Result<HandoverMerge.Outcome, GitCLIError> {
        let local = ShareSettings.localRef(branch: branch)
        guard let theirs = refs.resolve(ShareSettings.trackingRef(remote: remote, branch: branch)) else {
            return .failure(GitCLIError(command: "fetch", reason: "no fetched handovers for \(branch) from \(remote)"))
        }
        for _ in 0..<5 {
            let ours = refs.resolve(local)
            let outcome: HandoverMerge.Outcome
            do {
                outcome = try HandoverMerge.merge(ours: ours, theirs: theirs, refs: refs)
            } catch {
                return .failure(error)
            }
            if outcome.commit == ours { return .success(outcome) }
            if refs.update(local, to: outcome.commit, from: ours, reason: "handoff: \(outcome.kind.rawValue) from \(remote)") {
                return .success(outcome)
            }
        }
        return .failure(GitCLIError(command: "update-ref", reason: "\(local) kept moving; run `handoff pull` again"))
    }

    package struct PullReport: Sendable {
        package var outcomes: [(branch: String, outcome: HandoverMerge.Outcome)] = []
        package var failures: [(branch: String, reason: String)] = []
        package var failure: String?
    }

    /// Fetches every handover ref of `remote` and merges each into the local one.
    package func pull(remote: String) -> PullReport {
        var report = PullReport()
        if let failure = fetch(remote: remote) {
            report.failure = failure
            return report
        }
        let prefix = ShareSettings.trackingPrefix + remote + "/"
        let tracking: [String: String]
        let local: [String: String]
        do {
            tracking = try refs.refs(under: prefix)
            local = try refs.refs(under: ShareSettings.refPrefix)
        } catch {
            report.failure = error.reason
            return report
        }
        for ref in tracking.keys.sorted() {
            let branch = String(ref.dropFirst(prefix.count))
            // Two listings answer for every branch that did not move: the cost follows what changed.
            if local[ShareSettings.localRef(branch: branch)] == tracking[ref] {
                report.outcomes.append((branch, HandoverMerge.Outcome(kind: .upToDate, commit: tracking[ref]!, notes: [])))
                continue
            }
            switch mergeTracking(remote: remote, branch: branch) {
            case .success(let outcome): report.outcomes.append((branch, outcome))
            case .failure(let error): report.failures.append((branch, error.description))
            }
        }
        return report
    }
}
