/// `handoff-pre-push <remote> <url>`: records what is being pushed, and where.
///
/// Standard input is read to its end first, whatever happens next: a hook that leaves git's ref
/// lines unread can make the push fail. By default the hook never refuses a push; with
/// `git config handoff.prepush.block critical` it refuses while state.json's severity is CRITICAL,
/// unless `HANDOFF_ALLOW_PUSH=1`.
package enum PrePushHook {
    package static let name = "pre-push"

    package static let timeoutOutput = HookOutput(
        standardError: "handoff: pre-push: gave up after HANDOFF_HOOK_TIMEOUT seconds; the push goes on unrecorded\n")

    /// One line of git's pre-push input.
    package struct RefUpdate: Sendable, Equatable {
        package enum Kind: String, Sendable { case new, delete, update, force }
        package var localRef: String
        package var localSHA: String
        package var remoteRef: String
        package var remoteSHA: String

        package init(localRef: String, localSHA: String, remoteRef: String, remoteSHA: String) {
            self.localRef = localRef
            self.localSHA = localSHA
            self.remoteRef = remoteRef
            self.remoteSHA = remoteSHA
        }

        /// `<local ref> <local sha> <remote ref> <remote sha>` per line; malformed lines are skipped.
        package static func parse(_ bytes: [UInt8]) -> [RefUpdate] {
            String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line in
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard words.count == 4 else { return nil }
                return RefUpdate(localRef: String(words[0]), localSHA: String(words[1]), remoteRef: String(words[2]), remoteSHA: String(words[3]))
            }
        }

        static func isZero(_ sha: String) -> Bool { sha.utf8.allSatisfy { $0 == UInt8(ascii: "0") } }
        package var isDeletion: Bool { Self.isZero(localSHA) }
        package var isNewRemoteRef: Bool { Self.isZero(remoteSHA) }
    }

    /// A first push of a long history would otherwise walk all of it.
    static let commitCountLimit = 10_000

    package static func run(_ input: HookInput) -> HookOutput {
        // Before any exit, disabled or not: git's ref lines are read to the end.
        let standardInput = input.readStandardInput()
        return GitHookContext.withTarget(input, hook: name) { record(input, standardInput: standardInput, in: $0) }
    }

    static func record(_ input: HookInput, standardInput: [UInt8], in target: GitHookContext.Target) -> HookOutput {
        let store = target.store
        let session = GitHookContext.activeSession(environment: input.environment, store: store)
        let remote = input.arguments.first ?? ""
        let url = input.arguments.count > 1 ? input.arguments[1] : remote
        let updates = RefUpdate.parse(standardInput)
        do {
            let repository = try target.repository ?? GitRepository.open(at: store.layout.worktreeRoot, environment: input.environment)
            let now = input.now()
            let refusal = blockReason(repository: repository, store: store, environment: input.environment)
            var fields = JSONObject([
                ("remote", .string(Redactor.redactURLCredentials(remote))),
                ("url", .string(Redactor.redactURLCredentials(url))),
                ("refs", .array(describe(updates, remote: remote, repository: repository))),
            ])
            if refusal != nil { fields["blocked"] = .bool(true) }
            // A dry run is recorded as one, and never enters the ledger: the ledger tells the gate
            // which commits a remote has, and a dry run gave it none.
            let dryRun = PushDryRun.detect() == true
            if dryRun { fields["dry_run"] = .bool(true) }
            try store.append(Event(type: EventType.push, session: session?.id, at: now, fields: fields))
            if let refusal { return HookOutput(standardError: refusal, exitStatus: 1) }
            if dryRun { return .silent }
            try recordInLedger(updates, remote: Redactor.redactURLCredentials(remote), store: store, at: now)
            return .silent
        } catch {
            return HookOutput(standardError: HookFailure.record(hook: name, error: error, store: store, session: session?.id))
        }
    }

    static func describe(_ updates: [RefUpdate], remote: String, repository: GitRepository) -> [JSONValue] {
        // Loaded once, only when a ref needs it (new branch, or a remote sha unknown here).
        var trackingTips: [String]?
        return updates.map { update in
            let kind: RefUpdate.Kind
            var commits: Int?
            if update.isDeletion {
                kind = .delete
                commits = 0
            } else {
                var hidden: [String]
                if update.isNewRemoteRef {
                    kind = .new
                    hidden = []
                } else if repository.hasObject(update.remoteSHA) {
                    // Force = the remote's commit would stop being reachable from its ref.
                    kind = repository.isAncestor(update.remoteSHA, of: update.localSHA) == false ? .force : .update
                    hidden = [update.remoteSHA]
                } else {
                    // The remote moved to a commit we never fetched: git refuses it unless forced;
                    // without the object we cannot tell, and say "update".
                    kind = .update
                    hidden = []
                }
                if hidden.isEmpty {
                    if trackingTips == nil { trackingTips = repository.remoteTrackingTips(remote: remote) }
                    hidden = trackingTips ?? []
                }
                // nil is recorded as `commits: null` (unknown), never as 0.
                commits = try? repository.countCommits(from: update.localSHA, excluding: hidden, limit: commitCountLimit)
            }
            var object = JSONObject([
                ("local_ref", .string(update.localRef)),
                ("local_sha", .string(update.localSHA)),
                ("remote_ref", .string(update.remoteRef)),
                ("remote_sha", .string(update.remoteSHA)),
                ("kind", .string(kind.rawValue)),
                ("commits", commits.map { .int($0) } ?? .null),
            ])
            if let commits, commits >= commitCountLimit { object["commits_truncated"] = .bool(true) }
            return .object(object)
        }
    }

    /// Branches pushed are recorded by their local name; deleted remote branches drop their records.
    static func recordInLedger(_ updates: [RefUpdate], remote: String, store: HandoffStore, at now: Timestamp) throws(StoreError) {
        var records: [String: PushLedger.Record] = [:]
        var deleted: [(remote: String, remoteRef: String)] = []
        for update in updates {
            if update.isDeletion {
                deleted.append((remote, update.remoteRef))
            } else if update.localRef.hasPrefix("refs/heads/") {
                let branch = String(update.localRef.dropFirst("refs/heads/".count))
                records[branch] = PushLedger.Record(sha: update.localSHA, remote: remote, remoteRef: update.remoteRef, at: now)
            }
        }
        try PushLedger(store: store).record(records, deletedRemoteRefs: deleted)
    }

    /// The refusal message when the opt-in policy applies, else nil. A state that cannot be read
    /// never blocks: the policy protects against a known-bad handover, not against our own failures.
    static func blockReason(repository: GitRepository, store: HandoffStore, environment: Environment) -> String? {
        guard repository.configString("handoff.prepush.block")?.lowercased() == "critical" else { return nil }
        if let allow = environment["HANDOFF_ALLOW_PUSH"]?.lowercased(), ["1", "true", "yes", "on"].contains(allow) { return nil }
        // Fail open: an unreadable state never blocks a push (the opt-in block is for a known CRITICAL).
        guard let state = try? store.readState(), state.severity == .critical else { return nil }
        return """
            handoff: push refused: the recorded handover severity is CRITICAL (\(store.layout.stateFile)), \
            and this repository asks to block such pushes (git config handoff.prepush.block critical).
            handoff: fix what is critical and record a new handover, or push anyway with \
            `HANDOFF_ALLOW_PUSH=1 git push` (or `git push --no-verify`, which skips every pre-push hook).

            """
    }
}
