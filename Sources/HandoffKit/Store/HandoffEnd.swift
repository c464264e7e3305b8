/// The mechanical half of the Handoff End procedure.
///
/// The agent supplies the judgement (what was done, what failed and why, blockers, where to resume,
/// watch-outs, session memory, severity); this does the rest in the procedure's order: archive the
/// current state, mark the handover as under way, run the health checks, regenerate CONTEXT.md,
/// merge, validate, write atomically with `source: manual-end`, and confirm.
package enum HandoffEnd {
    /// Judgement fields the agent may supply; anything else is refused.
    package static let judgementKeys: Set = ["done", "failed", "blockers", "resume", "watch_out_for", "session_memory", "severity"]

    package struct Request: Sendable {
        package var judgement: JSONValue
        package var sessionID: String?
        package var runChecks: Bool
        package var checkTimeout: Double
        package var now: Timestamp

        package init(judgement: JSONValue, sessionID: String? = nil, runChecks: Bool = true, checkTimeout: Double = 300, now: Timestamp = .now()) {
            self.judgement = judgement
            self.sessionID = sessionID
            self.runChecks = runChecks
            self.checkTimeout = checkTimeout
            self.now = now
        }
    }

    package struct CheckRun: Sendable, Equatable {
        package var name: String
        package var command: [String]
        package var outcome: CommandOutcome
        /// The earlier check whose run this one reused: the same command is never run twice.
        package var reusedFrom: String? = nil
    }

    /// What `perform` reports while the health checks run, for a progress display.
    package enum Progress: Sendable {
        /// Check `index` (from 1) of `total` starts: `command` as shown to a person.
        case checkStarted(name: String, command: String, index: Int, total: Int)
        case checkFinished(name: String, outcome: CommandOutcome)
        /// The same command as the earlier check `from`: its result is reused, nothing runs.
        case checkReused(name: String, from: String, command: String)
    }

    /// How a check command is shown: a configured shell line as written, else its words.
    package static func shown(_ command: [String]) -> String {
        command.count == 3 && command[0] == "/bin/sh" && command[1] == "-c" ? command[2] : command.joined(separator: " ")
    }

    package struct Result: Sendable {
        package var state: HandoffState
        package var report: ValidationReport
        package var checks: [CheckRun]
        package var archivedTo: String
        /// Adjustments made to the agent's severity because the checks disagreed with it.
        package var notes: [String]
        package var confirmation: String
        /// The blocker and resume tasks filed (or brought up to date) by this handover.
        package var tasks: FiledTasks = FiledTasks()
    }

    /// What `handoff end` filed in the task store.
    package struct FiledTasks: Sendable, Equatable {
        /// Blocker description → task id, for the unresolved blockers.
        package var blockers: [(description: String, id: String)] = []
        package var resume: String?
        /// Ids of tasks closed because their blocker is now resolved.
        package var closed: [String] = []
        package var created: [String] = []
        /// Earlier resume tasks of this branch closed because this handover's resume task replaces them.
        package var superseded: [String] = []

        package static func == (lhs: FiledTasks, rhs: FiledTasks) -> Bool {
            lhs.blockers.map(\.id) == rhs.blockers.map(\.id) && lhs.blockers.map(\.description) == rhs.blockers.map(\.description)
                && lhs.resume == rhs.resume && lhs.closed == rhs.closed && lhs.created == rhs.created && lhs.superseded == rhs.superseded
        }

        /// Writes the ids into the state (`blockers[].task`, `resume.task`).
        func apply(to state: inout HandoffState) {
            for index in state.blockers.indices {
                if let filed = blockers.first(where: { $0.description == state.blockers[index].description }) {
                    state.blockers[index].task = filed.id
                }
            }
            if let resume { state.resume.task = resume }
        }
    }

    package enum Failure: Error, Sendable, CustomStringConvertible {
        /// The judgement JSON could not be used; nothing was written.
        case unusableJudgement(String)
        /// The merged state breaks the contract; nothing was written (or the final write was withheld).
        case invalid(ValidationReport)
        case store(StoreError)
        /// Another `handoff end` of this session is running; nothing was written.
        case alreadyRunning(HandoffEndRun.RunningError)

        package var description: String {
            switch self {
            case .unusableJudgement(let reason): return "the handover JSON is unusable: \(reason)"
            case .invalid(let report):
                return "the handover breaks the contract; nothing was written:\n"
                    + report.errors.map { "  \($0)" }.joined(separator: "\n")
            case .store(let error): return error.description
            case .alreadyRunning(let error): return error.description + "; nothing was written"
            }
        }
    }

    /// Which session this handover is for: explicit, then the agent's environment; from a shell with
    /// neither, a session of its own (`manual-<time>-<random>`): two runs are two handovers, never one
    /// session that mixes them. `--session ID` continues one.
    package static func resolveSession(explicit: String?, environment: Environment, now: Timestamp) -> String {
        if let id = SessionIdentity.resolve(explicit: explicit, environment: environment) { return id }
        var random = SystemRandomNumberGenerator()
        let suffix = String(random.next() & 0xFFFF_FF, radix: 16)
        return "manual-\(now.fileStamp)-\(suffix)"
    }

    /// Health check commands: `git config handoff.check.<name>` (run with /bin/sh -c: it is the
    /// user's own configuration), else what the project's manifest says.
    package static func checkCommands(root: String, repository: GitRepository?) -> [(name: String, command: [String])] {
        let detected = ProjectDetector.detect(root: root)
        var result: [(String, [String])] = []
        for (name, fallback) in [("build", detected?.build), ("tests", detected?.test), ("lint", detected?.lint)] {
            if let configured = repository?.configString("handoff.check.\(name)") {
                let trimmed = configured.trimmed
                if trimmed.isEmpty || trimmed == "none" { continue }
                result.append((name, ["/bin/sh", "-c", trimmed]))
            } else if let fallback {
                result.append((name, fallback))
            }
        }
        return result
    }

    package static func perform(
        _ request: Request, store: HandoffStore, repository: GitRepository?, environment: Environment,
        progress: (Progress) -> Void = { _ in }
    ) throws(Failure) -> Result {
        // 0. Refuse an unusable judgement before anything is written.
        guard let judgement = request.judgement.objectValue else {
            throw .unusableJudgement("expected a JSON object with \(judgementKeys.sorted().joined(separator: ", ")), found \(request.judgement.typeName)")
        }
        let unknown = judgement.keys.filter { !judgementKeys.contains($0) }
        if !unknown.isEmpty {
            throw .unusableJudgement("unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); allowed: \(judgementKeys.sorted().joined(separator: ", "))")
        }
        let current: HandoffState
        let currentJSON: JSONValue
        do {
            currentJSON = try store.readStateJSON()
            current = try HandoffState(json: currentJSON)
        } catch {
            throw .store(error)
        }
        let session = resolveSession(explicit: request.sessionID, environment: environment, now: request.now)
        // Another session's handover: its failures are that handover's; this one reports its own.
        let newSession = current.sessionID != session
        guard SessionID.isSafe(session) else { throw .store(.unsafeSessionID(session)) }

        // A dry merge with health assumed captured: every judgement error is found before any write.
        var candidate: HandoffState
        do {
            candidate = try merge(judgement: judgement, into: current, newSession: newSession)
        } catch {
            if case .invalidState(let path, let reason) = error { throw .unusableJudgement("\(path): \(reason)") }
            throw .unusableJudgement(error.description)
        }
        candidate.source = .manualEnd
        candidate.sessionID = session
        var preview = candidate
        preview.health = HandoffState.Health(build: .pass, tests: .pass, lint: .pass)
        if preview.severity == nil { preview.severity = .inProgress }
        let previewReport = StateValidator.validate(preview.json)
        guard previewReport.isValid else { throw .invalid(previewReport) }

        // 1. Signal that the handover is under way (the stop gate stops asking while checks run).
        //    The signal is a lock this process holds, never a flag in state.json: it dies with the
        //    process, so an interrupted run leaves state.json as it was and suppresses nothing.
        let acquired: Swift.Result<HandoffEndRun.Held, HandoffEndRun.RunningError>
        do {
            acquired = try HandoffEndRun.acquire(store: store, session: session, now: request.now)
        } catch {
            throw .store(error)
        }
        let held: HandoffEndRun.Held
        switch acquired {
        case .success(let lock): held = lock
        case .failure(let running): throw .alreadyRunning(running)
        }
        defer { held.release() }

        // 2. Archive the current state.
        do {
            try store.archive(currentJSON, as: session)
        } catch {
            throw .store(error)
        }
        let archivedTo = store.layout.archiveFile(session: session)

        // 3. Health checks, each under a timeout; a command that is the same as an earlier check's
        //    (`CheckIdentity`) is not run again, its result is reused and said so.
        var checks: [CheckRun] = []
        var health = HandoffState.Health()
        if request.runChecks {
            let planned = checkCommands(root: store.layout.worktreeRoot, repository: repository)
            var ran: [(key: [String], name: String, outcome: CommandOutcome)] = []
            for (index, (name, command)) in planned.enumerated() {
                let key = CheckIdentity.key(command, root: store.layout.worktreeRoot)
                let shown = shown(command)
                let outcome: CommandOutcome
                var reusedFrom: String?
                if let earlier = ran.first(where: { $0.key == key }) {
                    outcome = earlier.outcome
                    reusedFrom = earlier.name
                    progress(.checkReused(name: name, from: earlier.name, command: shown))
                } else {
                    progress(.checkStarted(name: name, command: shown, index: index + 1, total: planned.count))
                    outcome = CommandRunner.run(command, in: store.layout.worktreeRoot, environment: environment, timeout: request.checkTimeout)
                    progress(.checkFinished(name: name, outcome: outcome))
                    ran.append((key, name, outcome))
                }
                checks.append(CheckRun(name: name, command: command, outcome: outcome, reusedFrom: reusedFrom))
                let result: HandoffState.CheckResult = outcome.succeeded ? .pass : .fail
                switch name {
                case "build": health.build = result
                case "tests": health.tests = result
                default: health.lint = result
                }
                var fields: [(String, JSONValue)] = [
                    ("name", .string(name)),
                    ("class", .string(name == "tests" ? "test" : name)),
                    ("command", .string(Redactor.redact(shown))),
                    ("exit_code", outcome.exitStatus.map { .int(Int($0)) } ?? .null),
                    ("result", .string(result.rawValue)),
                    ("timed_out", .bool(outcome.timedOut)),
                    ("output_tail", .string(outcome.succeeded ? "" : Redactor.redact(outcome.outputTail))),
                ]
                if let reusedFrom { fields.append(("reused_from", .string(reusedFrom))) }
                // The stop gate's evidence for refusing a "success" after a failed check: a result that
                // cannot be recorded stops the handover (nothing written yet but the archive) instead of vanishing.
                do {
                    try store.append(Event(type: EventType.check, session: session, fields))
                } catch {
                    throw .store(error)
                }
            }
        }

        // 4. CONTEXT.md: auto sections regenerated, corrections appended.
        if let repository {
            _ = try? ContextRegenerator.regenerate(store: store, repository: repository, corrections: candidate.sessionMemory.corrections)
        }

        // 5. Merge into the state as it is now (hooks may have recorded commits while the checks ran),
        //    with severity held to the ground truth of the checks and the tree.
        // An unknown tree is not a clean one: without an answer, READY is not inferred.
        let facts = repository.map { RepositoryFacts.gather(repository: $0, statusLimit: 1000) }
        let dirty = facts.map { $0.status.value.map { !$0.isClean } ?? true } ?? true
        let inferred: HandoffState.Severity = health.build == .fail ? .critical : ((health.tests == .fail || dirty) ? .inProgress : .ready)
        var notes: [String] = []
        let claimed = candidate.severity
        var severity = claimed ?? inferred
        if let claimed {
            if health.build == .fail && claimed != .critical {
                notes.append("severity raised from \(claimed.rawValue) to CRITICAL: the build fails")
                severity = .critical
            } else if claimed == .ready && inferred != .ready {
                let tree = facts?.status.value == nil ? "the working tree could not be checked" : "uncommitted changes remain"
                notes.append("severity lowered from READY to IN_PROGRESS: " + (health.tests == .fail ? "the tests fail" : tree))
                severity = .inProgress
            }
        } else {
            notes.append("severity not given; set to \(inferred.rawValue) from the checks and the working tree")
        }
        // 5a. The procedure's tasks: one per unresolved blocker, one resume task blocked by them.
        let branch = repository.flatMap { try? $0.head().branchName } // no branch (detached, unreadable): resume tasks of every branch are this one's
        var filed = FiledTasks()
        do {
            filed = try fileTasks(for: candidate, session: session, store: store, environment: environment, now: request.now,
                                  branch: branch)
        } catch {
            notes.append("no blocker or resume task was filed (\(error)); file them with `handoff task add`")
        }
        if !filed.superseded.isEmpty {
            notes.append("closed the earlier resume task\(filed.superseded.count == 1 ? "" : "s") \(filed.superseded.joined(separator: ", ")) as superseded by "
                         + (filed.resume ?? "this handover, which names no resume point"))
        }

        let eventIndex = store.events.lineCount()
        let hostname = FileSystem.hostname()
        func finalise(_ fresh: HandoffState) throws(StoreError) -> HandoffState {
            var final = try merge(judgement: judgement, into: fresh, newSession: newSession)
            filed.apply(to: &final)
            final.source = .manualEnd
            final.sessionID = session
            final.severity = severity
            final.health = health
            final.runtime.handoffEndCompleted = true
            final.runtime.hostname = hostname
            final.sessionMemory.lastUpdated = request.now.iso8601
            final.sessionMemory.lastEventIndex = eventIndex
            return final
        }

        // 6. Validate and 7. write atomically with source manual-end, in one locked read-modify-write.
        var final = HandoffState()
        var report = ValidationReport(findings: [])
        do {
            try store.withLock { () throws(StoreError) in
                final = try finalise(try store.readState())
                report = StateValidator.validate(final.json)
                guard report.isValid else { return }
                try store.writeStateUnlocked(final)
            }
        } catch {
            throw .store(error)
        }
        // Nothing was written: state.json is as it was before this run.
        guard report.isValid else { throw .invalid(report) }
        let handoverHead = (try? repository?.head().sha) ?? (try? GitCommandLine(directory: store.layout.worktreeRoot, environment: environment).status(limit: 1).head?.sha) ?? nil
        do {
            try store.updateRuntime(session: session, create: {
                var runtime = SessionRuntime(sessionID: session, startedAt: request.now, hostname: hostname)
                runtime.startHash = current.runtime.sessionStartHash
                return runtime
            }) { runtime in
                runtime.handoverAt = Timestamp.now()
                runtime.handoverKind = "handoff-end"
                // HEAD at the handover re-arms the gate when it moves; where libgit2 cannot open the
                // repository (a sha256 object format) or read HEAD, git itself answers. When neither
                // can, nil: HEAD moving then does not re-arm the gate by itself.
                runtime.handoverHead = handoverHead
                runtime.consecutiveBlocks = 0
            }
            try store.append(Event(type: EventType.handoffEnd, session: session, [
                ("severity", .string(severity.rawValue)),
                ("health", ["build": JSONValue(health.build?.rawValue), "tests": JSONValue(health.tests?.rawValue), "lint": JSONValue(health.lint?.rawValue)]),
                ("archive", .string("sessions/\(session).json")),
                // The brief's Next line comes from the newest handover's own record (NextStep).
                ("branch", JSONValue(branch)),
                ("next", .string(final.resume.next)),
                ("resume_task", JSONValue(final.resume.task)),
            ]))
        } catch {
            throw .store(error)
        }
        return Result(state: final, report: report, checks: checks, archivedTo: archivedTo, notes: notes,
                      confirmation: confirmation(for: final, stillBlocking: stillBlocking(facts: facts, repository: repository, store: store),
                                                 reused: checks.compactMap { check in check.reusedFrom.map { (check.name, $0) } }),
                      tasks: filed)
    }

    /// Files (or brings up to date) the blocker and resume tasks of a handover. Idempotent: a second
    /// `handoff end` finds the open tasks it filed before (same blocker text; this session's resume
    /// task) instead of filing them again; a blocker now resolved closes its task.
    static func fileTasks(for state: HandoffState, session: String, store: HandoffStore, environment: Environment,
                          now: Timestamp, branch: String? = nil) throws(TaskError) -> FiledTasks {
        let tasks = TaskStore(store: store)
        let listing = tasks.list(now: now)
        let agent = SessionIdentity.agent(environment: environment)
        var filed = FiledTasks()
        func clip(_ text: String, _ limit: Int) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        }
        for blocker in state.blockers {
            let known = blocker.task.flatMap { listing.task($0) }
                ?? listing.open.first { $0.hasLabel(HandoffTask.Label.blocker) && $0.metadata["blocker"]?.stringValue == blocker.description }
            if blocker.resolved {
                if let known, known.isOpen {
                    try tasks.update(known.id, now: now) { $0.status = .done }
                    filed.closed.append(known.id)
                }
                continue
            }
            if let known, known.isOpen {
                filed.blockers.append((blocker.description, known.id))
                continue
            }
            let task = try tasks.add(TaskDraft(
                title: "Blocker: " + clip(blocker.description, 160), body: blocker.description,
                labels: [HandoffTask.Label.blocker, HandoffTask.Label.handoff, "session"], session: session, agent: agent,
                metadata: JSONObject([("blocker", .string(blocker.description))])), now: now)
            filed.blockers.append((blocker.description, task.id))
            filed.created.append(task.id)
        }
        let next = state.resume.next.trimmed
        guard !next.isEmpty else {
            // A handover without a resume point names no resume task: the earlier ones are superseded.
            filed.superseded = try ResumeTasks.settle(store: store, branch: branch, named: [], supersededBy: "handoff-end:\(session)",
                                                      by: "the handoff end of session \(session), which names no resume point", now: now).superseded
            return filed
        }
        var body = "Next: \(next)"
        if !state.resume.files.isEmpty { body += "\nRead first: " + state.resume.files.joined(separator: ", ") }
        if !state.resume.context.isEmpty { body += "\nContext: " + state.resume.context }
        var metadata = JSONObject([
            ("next", .string(next)), ("files", JSONValue(state.resume.files)), ("context", .string(state.resume.context)),
        ])
        if let branch { metadata["branch"] = .string(branch) }
        let blockedBy = filed.blockers.map(\.id)
        let title = "Resume: " + clip(next, 160)
        if let existing = listing.open.first(where: { $0.hasLabel(HandoffTask.Label.resume) && $0.session == session }) {
            try tasks.update(existing.id, now: now) { task in
                task.title = title
                task.body = body
                task.metadata = metadata
                task.blockedBy = blockedBy
            }
            filed.resume = existing.id
        } else {
            let task = try tasks.add(TaskDraft(
                title: title, body: body, blockedBy: blockedBy, labels: [HandoffTask.Label.resume, HandoffTask.Label.handoff],
                session: session, agent: agent, metadata: metadata), now: now)
            filed.resume = task.id
            filed.created.append(task.id)
        }
        if let resume = filed.resume {
            filed.superseded = try ResumeTasks.settle(store: store, branch: branch, named: [resume], supersededBy: resume,
                                                      by: "\(resume), the resume task of the handover of session \(session)", now: now).superseded
        }
        return filed
    }

    /// What would still make the stop gate block, checked now: uncommitted files and unpushed commits,
    /// or why that could not be checked. Empty: nothing.
    static func stillBlocking(facts: RepositoryFacts?, repository: GitRepository?, store: HandoffStore) -> [String] {
        guard let facts, let repository else { return ["the repository could not be opened, so nothing confirms the work is committed and pushed"] }
        var found: [String] = []
        switch facts.status {
        case .known(let status) where !status.isClean:
            let shown = status.paths.prefix(5).joined(separator: ", ") + (status.paths.count > 5 ? ", …" : "")
            found.append("\(status.paths.count) uncommitted file\(status.paths.count == 1 ? "" : "s") (\(shown))")
        case .unknown(let why): found.append("the uncommitted files could not be listed (\(why))")
        default: break
        }
        if let head = facts.head.value {
            switch SessionWork.unpushedCount(repository: repository, store: store, head: head) {
            case .known(let count?) where count > 0: found.append("\(count) unpushed commit\(count == 1 ? "" : "s") on \(head.label)")
            case .unknown(let why): found.append("the unpushed commits could not be counted (\(why))")
            default: break
            }
        }
        return found
    }

    /// The closing block the procedure asks for. Its last line says only what was checked: what still
    /// blocks the stop (`stillBlocking`), or that nothing uncommitted or unpushed was found.
    package static func confirmation(for state: HandoffState, stillBlocking: [String] = [],
                                     reused: [(name: String, from: String)] = []) -> String {
        func show(_ result: HandoffState.CheckResult?) -> String { result?.rawValue ?? "n/a" }
        let once = reused.isEmpty ? "" : " (" + reused.map { "\($0.name): same command as \($0.from), run once, result reused" }.joined(separator: "; ") + ")"
        let severity = state.severity ?? .inProgress
        let openBlockers = state.blockers.filter { !$0.resolved }.count
        return """
            HANDOFF COMPLETE
            Severity: \(severity.emoji) \(severity.rawValue) | Source: \(state.source.rawValue)
            SESSION: \(state.done.count) done, \(state.failed.count) failed, \(openBlockers) blockers
            HEALTH: build=\(show(state.health.build)) tests=\(show(state.health.tests)) lint=\(show(state.health.lint))\(once)
            RESUME: \(state.resume.next.isEmpty ? "(none)" : state.resume.next)\(taskLine(for: state))
            \(stillBlocking.isEmpty
                ? "Nothing uncommitted or unpushed (checked now): the session may end."
                : "NOT ready to end: \(stillBlocking.joined(separator: "; ")). Commit and push first; the stop gate blocks until then.")
            """
    }

    /// `TASKS: resume ho-… (blocked by ho-…); blockers ho-…`, only for tasks that were filed.
    static func taskLine(for state: HandoffState) -> String {
        let blockerIDs = state.blockers.filter { !$0.resolved }.compactMap(\.task)
        var parts: [String] = []
        if let resume = state.resume.task {
            parts.append("resume \(resume)" + (blockerIDs.isEmpty ? "" : " (blocked by \(blockerIDs.joined(separator: ", ")))"))
        }
        if !blockerIDs.isEmpty { parts.append("blocker\(blockerIDs.count == 1 ? "" : "s") \(blockerIDs.joined(separator: ", "))") }
        return parts.isEmpty ? "" : "\nTASKS: " + parts.joined(separator: "; ")
    }

    /// Applies the agent's judgement to a state. `done` is merged (the hooks recorded commits already),
    /// corrections are appended (never replaced), everything else the agent says replaces what was there.
    /// `newSession`: the state is another session's handover; the failures it lists are not carried into this one.
    /// `supplied` merged into `existing`: each item replaces the first one with its ref (when it has
    /// one) or its description, else is appended. Indexed by ref and description, so the cost follows
    /// the items, not their square (200,000 done items took 105 s as a scan per item).
    static func mergeDone(_ existing: [HandoffState.DoneItem], _ supplied: [HandoffState.DoneItem]) -> [HandoffState.DoneItem] {
        var items = existing
        // Key → the indices holding it, ascending. Refs and descriptions are separate key spaces.
        var byRef: [String: [Int]] = [:], byDescription: [String: [Int]] = [:]
        func insert(_ index: Int, into list: inout [Int]) {
            var low = 0, high = list.count
            while low < high {
                let middle = (low + high) / 2
                if list[middle] < index { low = middle + 1 } else { high = middle }
            }
            list.insert(index, at: low)
        }
        for (index, item) in items.enumerated() {
            byRef[item.ref, default: []].append(index)
            byDescription[item.description, default: []].append(index)
        }
        for item in supplied {
            let refMatch = item.ref.isEmpty ? nil : byRef[item.ref]?.first
            let descriptionMatch = byDescription[item.description]?.first
            let found = [refMatch, descriptionMatch].compactMap { $0 }.min()
            guard let index = found else {
                byRef[item.ref, default: []].append(items.count)
                byDescription[item.description, default: []].append(items.count)
                items.append(item)
                continue
            }
            let old = items[index]
            items[index] = item
            if old.ref != item.ref {
                byRef[old.ref]?.removeAll { $0 == index }
                insert(index, into: &byRef[item.ref, default: []])
            }
            if old.description != item.description {
                byDescription[old.description]?.removeAll { $0 == index }
                insert(index, into: &byDescription[item.description, default: []])
            }
        }
        return items
    }

    static func merge(judgement: JSONObject, into state: HandoffState, newSession: Bool = false) throws(StoreError) -> HandoffState {
        // Read the judgement through the state reader, so that type errors name their JSON path.
        var probe = JSONObject()
        for (key, value) in judgement.pairs { probe[key] = value }
        probe["_version"] = .int(1)
        probe["source"] = .string("manual-end")
        let supplied = try HandoffState(json: .object(probe))

        var merged = state
        if judgement["done"] != nil { merged.done = mergeDone(state.done, supplied.done) }
        if judgement["failed"] != nil { merged.failed = supplied.failed } else if newSession { merged.failed = [] }
        if judgement["blockers"] != nil { merged.blockers = supplied.blockers }
        if judgement["resume"] != nil {
            // `resume.files` must be an array: the state reader above rejected anything else.
            merged.resume = supplied.resume
        }
        if judgement["watch_out_for"] != nil { merged.watchOutFor = supplied.watchOutFor }
        if judgement["severity"] != nil { merged.severity = supplied.severity }
        if let memory = judgement["session_memory"]?.objectValue {
            if memory["user_intent"] != nil { merged.sessionMemory.userIntent = supplied.sessionMemory.userIntent }
            if memory["active_context"] != nil { merged.sessionMemory.activeContext = supplied.sessionMemory.activeContext }
            if memory["key_references"] != nil { merged.sessionMemory.keyReferences = supplied.sessionMemory.keyReferences }
            var corrections = state.sessionMemory.corrections
            for correction in supplied.sessionMemory.corrections where !corrections.contains(correction) {
                corrections.append(correction)
            }
            merged.sessionMemory.corrections = corrections
        }
        return merged
    }
}
