/// `handoff doctor`'s checks of what the hooks met at run time, as opposed to how they are installed:
/// the failures they recorded (`hook_error`) and a repository shape that makes them ask git.
extension Doctor {
    /// How far back `hook-errors` looks.
    package static let hookErrorWindowDays = 7

    /// One check per hook that recorded a `hook_error` in the last `hookErrorWindowDays` days (the
    /// count, the last time, its message and the fix), or one passing check when none did. A hook
    /// error never broke anything (the hooks fail open), but the handover may lack what that run
    /// would have recorded: a warning, not a fault.
    func checkHookErrors(root: String?, now: Timestamp = .now()) -> [Check] {
        let id = "hook-errors"
        guard let root else { return [Check(id: id, status: .skip, detail: "not inside a git repository", fix: "")] }
        let store = HandoffStore(worktreeRoot: root)
        guard store.exists else { return [Check(id: id, status: .skip, detail: "no store to read (see the store check)", fix: "")] }
        let since = Timestamp(milliseconds: now.milliseconds - Int64(Self.hookErrorWindowDays) * 86_400_000)
        let found = store.events.tail(200, matching: { $0.type == EventType.hookError }, since: since,
                                      containing: [#""type":"hook_error""#], scanLimit: 16 * 1024 * 1024).events
        let window = "in the last \(Self.hookErrorWindowDays) days"
        guard !found.isEmpty else {
            return [Check(id: id, status: .pass, detail: "no hook recorded an error \(window)", fix: "")]
        }
        // Newest first, one check per hook.
        var order: [String] = []
        var byHook: [String: [Event]] = [:]
        for event in found.reversed() {
            let hook = event["hook"]?.stringValue ?? "unknown hook"
            if byHook[hook] == nil { order.append(hook) }
            byHook[hook, default: []].append(event)
        }
        return order.map { hook in
            let events = byHook[hook] ?? []
            let last = events[0]
            let message = last["error"]?.stringValue ?? "(no message recorded)"
            let times = events.count == 1 ? "once" : "\(events.count) times"
            let session = last.session.map { " in session \($0)" } ?? ""
            return Check(id: "\(id):\(hook)", status: .warn,
                         detail: "the \(hook) hook failed \(times) \(window) and let the operation through; the last at \(last.timestamp.iso8601)\(session): \(message)",
                         fix: Self.fix(forHookError: message, root: root))
        }
    }

    /// Payloads from an agent handoff does not know (`unknown_agent` events) in the last
    /// `hookErrorWindowDays` days: the hooks let them through unread, so that agent's sessions are
    /// neither gated nor recorded. A warning naming what arrived, or a pass.
    func checkUnknownAgents(root: String?, now: Timestamp = .now()) -> Check {
        let id = "agent-payloads"
        guard let root else { return Check(id: id, status: .skip, detail: "not inside a git repository", fix: "") }
        let store = HandoffStore(worktreeRoot: root)
        guard store.exists else { return Check(id: id, status: .skip, detail: "no store to read (see the store check)", fix: "") }
        let since = Timestamp(milliseconds: now.milliseconds - Int64(Self.hookErrorWindowDays) * 86_400_000)
        let read = store.events.tail(200, matching: { $0.type == EventType.unknownAgent }, since: since,
                                     containing: [#""type":"unknown_agent""#], scanLimit: 16 * 1024 * 1024)
        let window = "in the last \(Self.hookErrorWindowDays) days"
        if read.events.isEmpty, let why = read.unreadable {
            return Check(id: id, status: .warn, detail: "unknown: the event log could not be read (\(why))", fix: "see the events check")
        }
        guard let last = read.events.last else {
            return Check(id: id, status: .pass, detail: "every hook payload \(window) came from an agent handoff knows (\(Self.knownAgents))", fix: "")
        }
        let times = read.events.count == 1 ? "once" : "\(read.events.count) times"
        let event = last["event"]?.stringValue.map { "event \(TerminalText.escape($0)), " } ?? ""
        let keys = (last["keys"]?.arrayValue ?? []).compactMap(\.stringValue).map(TerminalText.escape).joined(separator: ", ")
        let variables = (last["agent_variables"]?.arrayValue ?? []).compactMap(\.stringValue).map(TerminalText.escape)
        let seen = variables.isEmpty ? "" : "; the hook saw \(variables.joined(separator: ", "))"
        return Check(id: id, status: .warn,
                     detail: "a hook received a payload no agent handoff knows sent \(times) \(window) and let it through unread (that agent's sessions are neither gated nor recorded); the last at \(last.timestamp.iso8601) in the \(TerminalText.escape(last["hook"]?.stringValue ?? "?")) hook: \(event)keys [\(keys)]\(seen)",
                     fix: "handoff serves \(Self.knownAgents): remove handoff's hooks from that agent's settings, or check that it is one of these; `handoff events --type unknown_agent` shows each payload's start (redacted)")
    }

    static var knownAgents: String { AgentKind.allCases.map { $0.contract.displayName }.joined(separator: ", ") }

    /// What to do about a recorded hook error, from its message (StoreError's and GitError's wording).
    static func fix(forHookError message: String, root: String) -> String {
        let lower = message.lowercased()
        if lower.contains("safe.directory") || lower.contains("owned by another user") {
            return "if you trust the repository: git config --global --add safe.directory '\(root)'"
        }
        if lower.contains("no space left") || lower.contains("file too large") || lower.contains("disk quota") {
            return "free space on the disk that holds \(root)/.handoff (df -h '\(root)/.handoff'); events of the failed runs are not in the log"
        }
        if lower.contains("permission denied") || lower.contains("read-only file system") || lower.contains("operation not permitted") {
            return "make \(root)/.handoff writable by the user the agent and git run as (ls -la '\(root)/.handoff')"
        }
        if lower.contains("symbolic link") {
            return "replace the link named in the message with a regular file (handoff never writes through links)"
        }
        if lower.contains("handoff repair") || lower.contains("not valid json") || lower.contains("state.json") {
            return "cd '\(root)' && handoff repair (moves a damaged state.json aside and rebuilds it)"
        }
        if lower.contains("lock") {
            return "another handoff process held the store's lock too long: look for a hung one (ps -ef | grep handoff-), then run the operation again"
        }
        if lower.contains("hook input") {
            return "the agent sent input handoff could not read: update the agent CLI and handoff, then check the agent-hooks check above"
        }
        return "run the operation again; if the error recurs, `handoff events --type hook_error` lists every occurrence (report it with that output)"
    }

    /// Whether libgit2 reads this repository or every hook has to ask git (`git status`), and why:
    /// a pass on the direct path, a warning with the fix (where there is one) on the slow path, a
    /// fault when neither can read a fact (the gate then judges it unknown).
    func checkGitPath(root: String?) -> Check {
        let id = "git-path"
        guard let root else { return Check(id: id, status: .skip, detail: "not inside a git repository", fix: "") }
        let environment = withoutGitVariables
        let facts: RepositoryFacts
        do {
            let repository = try GitRepository.open(at: root, environment: environment)
            facts = RepositoryFacts.gather(repository: repository, statusLimit: 1000)
        } catch {
            // A repository of another user: the git-hooks check already says so, with the fix.
            if StoreError.ownershipRefusal(error, root: root) != nil {
                return Check(id: id, status: .skip, detail: "the repository belongs to another user (see git-hooks)", fix: "")
            }
            facts = RepositoryFacts.fromGit(GitCommandLine(directory: root, environment: environment), openError: error, statusLimit: 1000)
        }
        var unknown: [String] = []
        if let why = facts.head.unknownReason { unknown.append("HEAD (\(why))") }
        if let why = facts.status.unknownReason { unknown.append("the status (\(why))") }
        if let why = facts.upstream.unknownReason { unknown.append("the upstream (\(why))") }
        if !unknown.isEmpty {
            return Check(id: id, status: .fail,
                         detail: "neither libgit2 nor git could read \(unknown.joined(separator: ", ")): the stop gate and `handoff status` report it as unknown",
                         fix: "run `git status` in \(root) and fix what it reports (git must be on PATH for the hooks)")
        }
        guard let reason = facts.slowPathReason else {
            return Check(id: id, status: .pass, detail: "libgit2 reads this repository directly (the hooks start no git process for its status)", fix: "")
        }
        let (shape, fix) = Self.slowPathAdvice(reason)
        return Check(id: id, status: .warn,
                     detail: "\(shape): libgit2 cannot answer here (\(reason)), so every stop, compaction and session start runs `git status` instead (correct, slower on a large repository)",
                     fix: fix)
    }

    /// The repository shape behind a slow-path reason, and what the user can change (if anything).
    static func slowPathAdvice(_ reason: String) -> (shape: String, fix: String) {
        if reason.contains("'link'") {
            return ("a split index (core.splitIndex)", "git config core.splitIndex false && git update-index --no-split-index")
        }
        if reason.contains("'sdir'") {
            // Keeps the sparse checkout and its patterns, with a full index (libgit2 then reads it;
            // the skip-worktree entries still send the status to git).
            return ("a sparse index", "git sparse-checkout init --no-sparse-index")
        }
        if reason.contains("skip-worktree") {
            return ("a sparse checkout (skip-worktree entries)", "nothing to change: only git itself leaves skip-worktree entries out of the status")
        }
        if reason.contains("objectformat") || reason.contains("sha256") {
            return ("an object format libgit2 \(GitLibrary.version) cannot read (sha256)", "nothing to change: git answers for this repository")
        }
        return ("a repository shape libgit2 cannot read", "nothing to change unless `git status` itself reports a problem")
    }
}
