/// The Stop hook: a session may end its turn only once a completed handover covers its work.
///
/// The decision itself (`StopGate.judge`) is a pure function of facts gathered from the hook input,
/// the session's runtime record, the repository and the event log; `run` gathers them, records the
/// outcome and renders the answer. Everything fails open: an internal error lets the stop through.
package enum StopGate {
    package static let hookName = "stop-gate"

    /// What the executable prints if it runs out of time.
    package static let failOpen = ClaudeHookOutput.systemMessage(
        "handoff: the stop gate did not answer in time, so the stop was let through")

    package static let dumpHint = "print the Framework Reflection (see /handoff:dump)"

    /// Everything the decision depends on.
    package struct Facts: Sendable {
        package var runtime: SessionRuntime
        package var work: SessionWork
        package var reflection: Reflection.Parsed
        /// For a `handoff end` of this session: nil when the state is valid, else its first error.
        package var handoffEndProblem: String?
        /// A failed test or build run recorded this session ("`swift test` exited 1").
        package var failedCheck: String?
        /// The store's tasks and the tracker pattern, for the Next step's follow-ups (nil: not checked).
        package var followUps: FollowUpCheck.Facts?
        /// HEAD moved since this session's last handover, by commits not credited to another session
        /// (a commit made where handoff's git hooks are not installed leaves no `lastWorkAt`).
        package var headMovedSinceHandover: Bool
        /// The agent was already told, at a block of this series, what could not be checked
        /// (`SessionWork.unknowns`): unknown facts alone then no longer block, they warn.
        package var unknownsReported = false
        /// A `handoff end` of this session is running its checks now (`HandoffEndRun`): who and for how long.
        package var handoffEndRunning: String?
        /// The session's last `git push`, made after its last commit, failed: what it said (`ParkReason`).
        package var failedPush: String?

        package init(runtime: SessionRuntime, work: SessionWork, reflection: Reflection.Parsed,
                    handoffEndProblem: String? = nil, failedCheck: String? = nil, headMovedSinceHandover: Bool = false) {
            self.runtime = runtime
            self.work = work
            self.reflection = reflection
            self.handoffEndProblem = handoffEndProblem
            self.failedCheck = failedCheck
            self.headMovedSinceHandover = headMovedSinceHandover
        }
    }

    package enum Verdict: Sendable, Equatable {
        case allow(why: String)
        /// A reflection completes the handover: record it, then allow.
        case accept(Reflection)
        case block(reason: String)
        /// A "success" reflection against a failed test/build run: refused once.
        case refuseSuccess(reason: String)
        /// Only facts that could not be computed stand between this stop and an allow: blocked once
        /// with the reason, then let through with a visible warning (`unknownsReported`).
        case blockUnknown(reason: String)
        /// Park, don't loop: the work cannot be handed over in full for a reason the agent cannot fix
        /// (its push failed); a partial or failure reflection naming a blocker task is accepted at once,
        /// recorded with why it parked, and the next brief opens with it.
        case park(Reflection, why: String)
    }

    /// Unknown is never clean: what could not be checked, said at a block, and the warning shown
    /// when a stop is let through anyway.
    static func unknownNote(_ work: SessionWork) -> String {
        work.unknowns.isEmpty ? "" : " Also, \(work.unknowns.joined(separator: " and ")): check with `git status` and `git log @{u}..`."
    }

    package static func unknownWarning(_ work: SessionWork) -> String? {
        work.unknowns.isEmpty ? nil
            : "handoff: the stop was let through, but \(work.unknowns.joined(separator: " and ")): nothing confirms this work is committed and pushed."
    }

    package static func judge(_ facts: Facts) -> Verdict {
        let verdict = judgeKnown(facts)
        let work = facts.work
        guard !work.unknowns.isEmpty else { return verdict }
        switch verdict {
        case .block(let reason): return .block(reason: reason + unknownNote(work))
        case .refuseSuccess(let reason): return .refuseSuccess(reason: reason + unknownNote(work))
        case .blockUnknown, .park: return verdict
        case .allow, .accept:
            if facts.unknownsReported { return verdict }
            return .blockUnknown(reason: "handoff: cannot confirm this session's work is committed and pushed: \(work.unknowns.joined(separator: " and ")). Check with `git status` and `git log @{u}..`, commit and push what is left, then stop again (the next stop is let through with a warning).")
        }
    }

    static func judgeKnown(_ facts: Facts) -> Verdict {
        let runtime = facts.runtime
        let work = facts.work
        if work.changedNothing(runtime: runtime) { return .allow(why: "nothing changed this session") }
        if work.uncommittedUnknown != nil, runtime.lastWorkAt == nil, !work.commitsSinceStart, work.newUncommitted.isEmpty {
            return .allow(why: "nothing recorded this session, but the uncommitted files are unknown")
        }

        // Ground truth first: a handover that leaves work uncommitted or unpushed is not complete.
        var missing: [String] = []
        if !work.newUncommitted.isEmpty {
            let shown = work.newUncommitted.prefix(10).joined(separator: ", ")
            let more = work.newUncommitted.count > 10 ? " and \(work.newUncommitted.count - 10) more" : ""
            let noun = work.newUncommitted.count == 1 ? "file" : "files"
            missing.append("\(work.newUncommitted.count) uncommitted \(noun) (\(shown)\(more))")
        }
        if let unpushed = work.unpushed, unpushed > 0 {
            missing.append("\(unpushed) unpushed commit\(unpushed == 1 ? "" : "s") on \(work.head.label)")
        }
        var fixes: [String] = []
        if !missing.isEmpty {
            // A bare `git push` fails on a detached HEAD: the commits need a branch first.
            let push = work.head.branchName == nil ? "git switch -c <branch> && git push -u origin <branch>" : "git push"
            fixes.append(work.newUncommitted.isEmpty
                ? work.head.branchName == nil ? "Put them on a branch and push it (`\(push)`)" : "Push them (`git push`)"
                : work.unpushed == nil ? "Commit them (`git add -A && git commit`)" : "Commit and push them (`git add -A && git commit && \(push)`)")
        }
        // Park, don't loop: only unpushed commits are missing, the session's last push after its last
        // commit failed (an unreachable remote, a refused push), and the agent says so — a partial or
        // failure reflection whose Next step names an open blocker task. Uncommitted files, hidden work
        // and a push never tried are the agent's to fix: still refused.
        let onlyUnpushed = work.newUncommitted.isEmpty && work.hidden.missing.isEmpty && (work.unpushed ?? 0) > 0
        if onlyUnpushed, let failedPush = facts.failedPush, case .valid(let reflection) = facts.reflection, reflection.outcome != .success,
            let listing = facts.followUps?.listing,
            TaskID.mentions(in: reflection.nextStep).contains(where: { id in listing.task(id).map { $0.isOpen && $0.hasLabel(HandoffTask.Label.blocker) } ?? false })
        {
            let unpushed = work.unpushed ?? 0
            return .park(reflection, why: "push the \(unpushed) commit\(unpushed == 1 ? "" : "s") on \(work.head.label): the last attempt failed: \(failedPush)")
        }
        // Work the current branch does not show: a stash, commits on another branch.
        missing += work.hidden.missing
        fixes += work.hidden.fixes
        if onlyUnpushed, let failedPush = facts.failedPush {
            fixes.append("if the push cannot succeed from here (\(failedPush.prefix(160))), park instead: file a blocker task (`handoff task add \"push the commits\" --blocker` prints its id) and print the Framework Reflection with outcome partial or failure and that id in **Next step**")
        }
        if !missing.isEmpty {
            var fix = fixes.joined(separator: "; ")
            fix = fix.prefix(1).uppercased() + fix.dropFirst()
            let done = doneLine(work).map { " " + $0 } ?? ""
            return .block(reason: teaching("handoff: not handed over yet —\(done) Missing: \(missing.joined(separator: " and ")). \(fix), then \(dumpHint).", facts: facts))
        }

        // A `handoff end` running its checks is the handover under way: stop asking for one. The
        // signal is held by that process and dies with it, so a killed run asks again at once.
        if let running = facts.handoffEndRunning {
            return .allow(why: "`handoff end` is running its checks (\(running)); it records the handover when they finish")
        }

        // A handover that still stands: no work since it.
        if runtime.handoverAt != nil, !runtime.hasWorkAfterHandover, !facts.headMovedSinceHandover {
            if runtime.handoverKind == "handoff-end", let problem = facts.handoffEndProblem {
                return .block(reason: "handoff: `handoff end` left an invalid .handoff/state.json (\(problem)). Fix it and run `handoff end` again, or \(dumpHint).")
            }
            return .allow(why: "the \(runtime.handoverKind ?? "handover") still covers this session's work")
        }

        switch facts.reflection {
        case .valid(let reflection):
            // Refused until the failed check passes again (`failedCheck` is the last run of its
            // kind) or the outcome changes; the block cap still ends the session.
            if reflection.outcome == .success, let evidence = facts.failedCheck {
                return .refuseSuccess(reason: "handoff: the reflection says success, but \(evidence). Fix it, or print the Framework Reflection again with the honest outcome (partial or failure) and the next step.")
            }
            if let followUps = facts.followUps, case .refused(let reason) = FollowUpCheck.judge(reflection, followUps) {
                return .block(reason: reason)
            }
            return .accept(reflection)
        case .invalid(let problems):
            return .block(reason: teaching("handoff: the Framework Reflection is incomplete: \(problems.joined(separator: "; ")). Print it again with all four fields (see /handoff:dump).", facts: facts, always: true))
        case .absent:
            let what = runtime.handoverAt == nil ? "no handover yet for this session's work" : "work was done after the last handover"
            // The ground truth passed above: the work is committed and pushed, only the handover is missing.
            let done = doneLine(work).map { " " + $0 } ?? ""
            return .block(reason: teaching("handoff: \(what).\(done) Missing: the handover — \(dumpHint), or run `handoff end`.", facts: facts))
        }
    }

    // MARK: - The hook

    package static func run(_ input: HookInput) -> HookOutput {
        if input.environment.handoffDisabled { return ClaudeHookOutput.allow }
        let context = AgentHookContext(input)
        if let aside = context.setAside(hook: hookName) { return aside }
        if context.payload.hookEventName == "SubagentStop" {
            recordSubagentStop(context)
            return context.agent.allow()
        }
        if context.payload.hookEventName == "SessionEnd" {
            // Grok's last, observe-only stop when its session closes (`GrokContract.canonical`): the
            // session's end, not a stop to gate (a block would be ignored, and recorded as a lie).
            do { try SessionHook.end(context) } catch { return context.agent.notice(context.failure(hookName, error)) }
            return context.agent.allow()
        }
        do {
            return try decide(context)
        } catch {
            return context.agent.notice(context.failure(hookName, error) + " The stop was let through.")
        }
    }

    /// Subagents are recorded, never gated (compaction also fires SubagentStop, with `agent_type` "").
    static func recordSubagentStop(_ context: AgentHookContext) {
        guard let store = context.existingStore else { return }
        try? store.append(Event(type: EventType.subagentStop, session: context.sessionID, at: context.now, [
            ("agent_type", JSONValue(context.payload.agentType)),
        ]))
    }

    static func decide(_ context: AgentHookContext) throws -> HookOutput {
        // Not opted in: the project has not taken handoff on. No session: nothing to judge by.
        guard context.optIn.isOptedIn, let session = context.sessionID, let (store, _) = try context.optedInStore()
        else { return context.agent.allow() }
        // A repository libgit2 cannot open (a sha256 one under libgit2 1.5) is read through git itself.
        let repository: GitRepository?
        var openError: GitError?
        do {
            repository = try context.openRepository()
        } catch {
            if error.isOwnershipRefusal { throw error }
            repository = nil
            openError = error
        }
        let git = repository?.commandLine ?? GitCommandLine(directory: store.layout.worktreeRoot, environment: context.environment)
        let liveConfig: (String) -> String? = { repository?.configString($0) ?? (repository == nil ? git.config($0) : nil) }
        // Off from the environment (which the agent cannot change for its hooks), or off now and when
        // the session started: nothing to gather.
        if GatePolicy.resolve(environment: context.environment, config: liveConfig) == .off,
            context.environment["HANDOFF_GATE"] != nil
                || store.readRuntime(session: session)?.gateConfig.map({ frozen in
                    GatePolicy.resolve(environment: context.environment, config: { frozen[$0] }) == .off
                }) == true
        {
            return context.agent.allow()
        }

        let repositoryFacts: RepositoryFacts
        if let repository {
            repositoryFacts = RepositoryFacts.gather(repository: repository, statusLimit: 500)
        } else {
            repositoryFacts = RepositoryFacts.fromGit(git, openError: openError!, statusLimit: 500)
        }
        // The runtime record, checked against the log; then the policy in force when the session
        // started (the agent can run `git config`: a change applies to the next session, recorded).
        let runtime = GateIntegrity.verified(try currentRuntime(context: context, store: store, session: session, facts: repositoryFacts, config: liveConfig,
                                                                             refs: { RefBaseline.capture(repository: repository, git: git) }),
                                             store: store, at: context.now)
        let config = GateIntegrity.config(runtime: runtime, live: liveConfig, store: store, at: context.now)
        let policy = GatePolicy.resolve(environment: context.environment, config: config)
        if policy == .off { return context.agent.allow() }
        // Context use, measured at every stop; the degraded policy also blocks once the window is nearly full.
        let contextPercent = ContextUse.percent(transcriptPath: context.payload.transcriptPath ?? runtime.transcriptPath,
                                                environment: context.environment, config: config)
        if let contextPercent { ContextUse.record(contextPercent, store: store, session: session) }
        if case .degraded(let after) = policy, runtime.compactionCount < after,
            (contextPercent ?? 0) < ContextUse.threshold(environment: context.environment, config: config) {
            return context.agent.allow()
        }

        let work = try SessionWork.gather(facts: repositoryFacts, repository: repository, git: git, store: store, runtime: runtime)
        var facts = Facts(runtime: runtime, work: work, reflection: .absent)
        // Told at the last block, with the work unchanged since (the series #13's cap counts).
        facts.unknownsReported = runtime.consecutiveBlocks > 0 && (context.payload.stopHookActive || runtime.lastBlockWork == work.mark(runtime: runtime))
        facts.headMovedSinceHandover = headMovedSinceHandover(runtime: runtime, head: work.head, repository: repository, git: git, store: store)
        if !work.changedNothing(runtime: runtime) {
            facts.reflection = Reflection.parse(lastAssistantMessage(context))
            if (work.unpushed ?? 0) > 0 {
                facts.failedPush = ParkReason.failedPush(store: store, session: session, since: runtime.startedAt)
            }
            if case .valid = facts.reflection {
                facts.followUps = FollowUpCheck.Facts(listing: TaskStore(store: store).list(),
                                                      externalPattern: config("handoff.tasks.external"))
            }
            if case .valid(let reflection) = facts.reflection, reflection.outcome == .success {
                facts.failedCheck = EventFacts.lastFailedTestOrBuild(store: store, session: session, since: runtime.startedAt)
            }
            if runtime.handoverKind == "handoff-end" {
                facts.handoffEndProblem = handoffEndProblem(store: store)
            }
            facts.handoffEndRunning = HandoffEndRun.running(store: store, session: session).map { $0.describe(now: context.now) }
        }
        let verdict = judge(facts)
        var maximumBlocks = GatePolicy.maximumBlocks(environment: context.environment, config: config)
        // A client that stops acting on blocks past its own limit (Vibe: 3 a turn, and it still asks):
        // handoff releases at that call itself, so the release is recorded and shown, not silent.
        if let limit = context.agent.clientBlockLimit { maximumBlocks = min(maximumBlocks, limit) }
        return try apply(verdict, context: context, store: store, session: session, maximumBlocks: maximumBlocks,
                         handoverHead: work.head.sha, branch: work.head.branchName, workMark: work.mark(runtime: runtime), warning: unknownWarning(work),
                         snapshot: { runtime, reflection in
            // The accepted handover becomes state.json too (an auto-save: never over a `handoff end`
            // of this session), so `handoff status` and the next session's brief show it.
            guard let repository else { throw openError! }
            try AutoSave.save(context: context, store: store, repository: repository, runtime: runtime, copyName: nil,
                              why: "at the handover (Framework Reflection)", uncommitted: work.uncommitted) { state in
                reflection.fill(&state)
            }
        }, share: { reflection in
            // Sharing on: the accepted handover is also committed to refs/handoff/<branch>, credited to the
            // agent whose hook this is (never a guess from the environment).
            ShareRecorder.record(.init(kind: .reflection, session: session, agent: context.agent.kind.rawValue,
                                       branch: work.head.branchName, head: work.head.sha, outcome: reflection.outcome.rawValue,
                                       reflection: reflection.text, at: context.now),
                                 store: store, config: config, environment: context.environment)
        })
    }

    /// True when HEAD holds commits made after this session's last handover that the handover's HEAD
    /// lacks, unless the log credits every one of them to another session working in the same
    /// worktree. Moving HEAD to existing commits (a checkout, a reset) makes nothing new to hand over.
    static func headMovedSinceHandover(runtime: SessionRuntime, head: HeadState, repository: GitRepository?, git: GitCommandLine,
                                       store: HandoffStore) -> Bool {
        guard let handoverAt = runtime.handoverAt, let sha = head.sha, sha != runtime.handoverHead else { return false }
        // HEAD at the handover unknown (neither libgit2 nor git could read it then): the commits since
        // the session started, of which those made after the handover count. Unknown is not "unmoved".
        let base = runtime.handoverHead ?? runtime.startHash
        // The commits HEAD has and the base lacks; when neither libgit2 nor git can list them, HEAD
        // moved as far as anyone can tell (re-arming is the safe side: the cap bounds it).
        let listed: [(sha: String, committedAt: Int64)]
        if let repository, let commits = try? repository.commits(since: base, limit: 200) { // either reader failing falls to the next
            listed = commits.map { ($0.sha, $0.committedAt) }
        } else if let base, let commits = try? git.commits(since: base, limit: 200) { // neither: re-armed below
            listed = commits
        } else {
            return true
        }
        // Commit times have one-second resolution: a commit in the same second as the handover
        // (`>=`) counts as made after it.
        let made = listed.filter { $0.committedAt >= handoverAt.milliseconds / 1000 }
        guard !made.isEmpty else { return false }
        let others = OtherSessionsWork.read(store: store, session: runtime.sessionID, since: runtime.startedAt)
        return !made.allSatisfy { others.commits.contains($0.sha) }
    }

    /// The session's runtime record; one is made now when SessionStart never ran (the plugin was
    /// loaded mid-session), starting from the current HEAD and tree so that only later work counts.
    static func currentRuntime(context: AgentHookContext, store: HandoffStore, session: String, facts: RepositoryFacts,
                               config: (String) -> String? = { _ in nil }, refs: () -> RefBaseline? = { nil }) throws -> SessionRuntime {
        if let runtime = store.readRuntime(session: session) { return runtime }
        // A record the log knows but the file lacks was deleted: rebuilt from the log, not started afresh.
        if let rebuilt = GateIntegrity.rebuiltRuntime(store: store, session: session, at: context.now) {
            return try store.updateRuntime(session: session, create: { rebuilt }) { _ in } ?? rebuilt
        }
        let head = facts.head.value
        let marks = SessionWork.dirtyMarks(paths: facts.status.value?.paths ?? [], root: store.layout.worktreeRoot)
        let created = try store.updateRuntime(session: session, create: {
            var runtime = SessionRuntime(sessionID: session, startedAt: context.now, hostname: FileSystem.hostname())
            runtime.startHash = head?.sha
            runtime.startBranch = head?.branchName
            runtime.dirtyAtStart = marks
            runtime.fileClockAtStart = FileSystem.fileClockNow()
            runtime.transcriptPath = context.payload.transcriptPath
            runtime.gateConfig = GateIntegrity.capture(config)
            runtime.refsAtStart = refs()
            return runtime
        }) { _ in }
        guard let created else { throw StoreError.notInitialised(root: store.layout.worktreeRoot) }
        return created
    }

    /// `last_assistant_message`, else the end of the transcript.
    static func lastAssistantMessage(_ context: AgentHookContext) -> String {
        if let message = context.payload.lastAssistantMessage { return message }
        if let path = context.payload.transcriptPath, path.hasPrefix("/") {
            return context.agent.lastAssistantText(transcriptPath: path) ?? ""
        }
        return ""
    }

    static func handoffEndProblem(store: HandoffStore) -> String? {
        do {
            let report = StateValidator.validate(try store.readStateJSON())
            return report.errors.first.map { "\($0.path): \($0.message)" }
        } catch {
            return "\(error)"
        }
    }

    static func apply(_ verdict: Verdict, context: AgentHookContext, store: HandoffStore, session: String, maximumBlocks: Int,
                      handoverHead: String?, branch: String? = nil, workMark: String = "", warning: String? = nil, parked: String? = nil,
                      snapshot: (SessionRuntime, Reflection) throws -> Void,
                      share: (Reflection) -> ShareRecorder.Result = { _ in .off }) throws -> HookOutput {
        let now = context.now
        switch verdict {
        case .allow(let why):
            // Only write (an fsync'd rename) when there is a block series to end: most stops change nothing.
            if context.payload.stopHookActive || (store.readRuntime(session: session)?.consecutiveBlocks ?? 0) > 0 {
                try store.updateRuntime(session: session, create: { nil }) { runtime in runtime.consecutiveBlocks = 0 }
            }
            try? store.append(Event(type: EventType.stopAllowed, session: session, at: now, [("why", .string(why))]))
            return warning.map { context.agent.notice($0) } ?? context.agent.allow()

        case .park(let reflection, let why):
            try? store.append(Event(type: EventType.gateParked, session: session, at: now, [("why", .string(why))])) // the handover event below carries it too
            return try apply(.accept(reflection), context: context, store: store, session: session, maximumBlocks: maximumBlocks,
                             handoverHead: handoverHead, branch: branch, workMark: workMark, warning: warning, parked: why,
                             snapshot: snapshot, share: share)

        case .accept(let reflection):
            let archive = Path.join(store.layout.sessionsDirectory, "\(session).reflection.md")
            try store.writeFile(reflection.text + "\n", to: archive)
            let runtime = try store.updateRuntime(session: session, create: { nil }) { runtime in
                runtime.consecutiveBlocks = 0
                runtime.handoverAt = now
                runtime.handoverKind = "reflection"
                runtime.handoverHead = handoverHead
            }
            try store.append(Event(type: EventType.handover, session: session, at: now, [
                ("kind", "reflection"),
                ("outcome", .string(reflection.outcome.rawValue)),
                ("next_step", .string(String(reflection.nextStep.prefix(1000)))),
                ("archive", .string("sessions/\(session).reflection.md")),
                ("branch", JSONValue(branch)),
                ("parked", JSONValue(parked)),
            ]))
            // The newest handover decides the next step: resume tasks of this branch it does not name
            // are superseded, a superseded one it names is reopened. A task store that cannot be
            // written leaves them as they were; the brief still takes its Next line from this event.
            do {
                try ResumeTasks.settle(store: store, branch: branch, named: TaskID.mentions(in: reflection.nextStep),
                                       supersededBy: "reflection:\(session)", by: "the reflection of session \(session), whose Next step does not name it", now: now)
            } catch {
                try? store.append(Event(type: EventType.hookError, session: session, at: now, [ // best effort: the handover event above is the record
                    ("hook", .string(hookName)), ("error", .string("resume tasks not settled: \(error)")),
                ]))
            }
            // The handover is recorded above whatever happens to state.json (a damaged one makes
            // this fail): the failure is logged and `handoff doctor` names it, the stop goes through.
            do {
                if let runtime { try snapshot(runtime, reflection) }
            } catch {
                return context.agent.notice(context.failure(hookName, error) + " The handover was recorded; state.json was not updated."
                    + (warning.map { " " + $0.droppingPrefix("handoff: ") } ?? ""))
            }
            let shared = share(reflection)
            if case .failed = shared, let line = shared.line {
                return context.agent.notice(line + (warning.map { " " + $0.droppingPrefix("handoff: ") } ?? ""))
            }
            return warning.map { context.agent.notice($0) } ?? context.agent.allow()

        case .block(let judged), .refuseSuccess(let judged), .blockUnknown(let judged):
            let reason = context.agent.phrase(judged)
            var overridden = false
            var blocks = 0
            try store.updateRuntime(session: session, create: { nil }) { runtime in
                // handoff counts the series itself: a stop with no new work since the last block
                // continues it, whatever the client says (Codex never sets `stop_hook_active`, and has
                // no cap of its own). New work, with the client not saying it follows a block, starts a new one.
                if !context.payload.stopHookActive, runtime.lastBlockWork != workMark { runtime.consecutiveBlocks = 0 }
                if runtime.consecutiveBlocks >= maximumBlocks {
                    overridden = true
                    blocks = runtime.consecutiveBlocks
                    runtime.consecutiveBlocks = 0
                    runtime.lastBlockWork = nil
                    return
                }
                runtime.lastBlockWork = workMark
                runtime.consecutiveBlocks += 1
                runtime.totalBlocks += 1
                blocks = runtime.consecutiveBlocks
            }
            if overridden {
                try? store.append(Event(type: EventType.gateOverridden, session: session, at: now, [
                    ("blocks", .int(blocks)), ("reason", .string(reason)),
                ]))
                return context.agent.notice(
                    "handoff: the session ended WITHOUT a completed handover (blocked \(blocks) times in a row, then let through so the session cannot wedge). Still missing: \(reason.droppingPrefix("handoff: "))")
            }
            try? store.append(Event(type: EventType.stopBlocked, session: session, at: now, [
                ("reason", .string(reason)), ("consecutive", .int(blocks)),
            ]))
            return context.agent.block(reason: reason)
        }
    }
}

extension String {
    func droppingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}

/// What the event log says about this session's checks.
enum EventFacts {
    static func failed(_ event: Event) -> Bool {
        if let ok = event["ok"]?.boolValue { return !ok }
        if let result = event["result"]?.stringValue { return result == "fail" }
        if let code = event["exit_code"]?.intValue { return code != 0 }
        return false
    }

    /// The last run of each check class (test, build, lint) of this session, or unattributed ones since it started.
    static func lastChecks(store: HandoffStore, session: String, since start: Timestamp,
                           classes: Set<String> = ["test", "build"]) -> [String: Event] {
        let events = store.events.tail(200, matching: { event in
            guard event.type == EventType.tool || event.type == EventType.check,
                let kind = event["class"]?.stringValue, classes.contains(kind),
                // A run whose status was masked (`swift test || true`) neither passes nor fails.
                event["status_masked"]?.boolValue != true
            else { return false }
            return event.session == session || (event.session == nil && event.timestamp >= start)
        }, since: start, containing: classes.map { "\"class\":\"\($0)\"" }, scanLimit: 8 * 1024 * 1024).events
        var last: [String: Event] = [:]
        for event in events { last[event["class"]?.stringValue ?? ""] = event }
        return last
    }

    static func lastFailedTestOrBuild(store: HandoffStore, session: String, since start: Timestamp) -> String? {
        let last = lastChecks(store: store, session: session, since: start)
        for kind in ["build", "test"] {
            guard let event = last[kind], failed(event) else { continue }
            let command = event["command"]?.stringValue ?? event["name"]?.stringValue ?? kind
            let code = event["exit_code"]?.intValue.map { " exited \($0)" } ?? " failed"
            let said = event["output_tail"]?.stringValue.flatMap(OutputTail.lastLine).map { " saying \"\($0.prefix(160))\"" } ?? ""
            return "the last \(kind) run (`\(command.prefix(120))`)\(code) at \(event.timestamp.iso8601)\(said)"
        }
        return nil
    }
}

/// Why the gate may park a session instead of asking again (see `Verdict.park`).
enum ParkReason {
    /// The session's last `git push` failed and no commit came after it: its error's last line (or
    /// its exit status). nil when the session never tried to push since its last commit, or the push worked.
    static func failedPush(store: HandoffStore, session: String, since start: Timestamp) -> String? {
        let events = store.events.tail(50, matching: { event in
            // Filtered by time here rather than stopping at the first older line: hooks of other
            // processes append with their own clocks, so the log is not strictly in time order.
            guard event.session == session, event.timestamp >= start else { return false }
            if event.type == EventType.commit { return true }
            return event.type == EventType.tool && (event["command"]?.stringValue.map(mentionsPush) ?? false)
        }, containing: [#""type":"commit""#, "push"], scanLimit: 8 * 1024 * 1024).events
        guard let last = events.last, last.type == EventType.tool, EventFacts.failed(last) else { return nil }
        let said = last["output_tail"]?.stringValue.flatMap(OutputTail.lastLine).map { String($0.prefix(200)) }
        return said ?? last["exit_code"]?.intValue.map { "`git push` exited \($0)" } ?? "`git push` failed"
    }

    static func mentionsPush(_ command: String) -> Bool {
        command.contains("git push") || command.contains("git -C") && command.contains(" push")
    }
}
