/// The mechanical half of the Handoff End procedure.
///
/// The agent supplies the judgement (what was done, what failed and why, blockers, where to resume,
/// watch-outs, session memory, severity); this does the rest in the procedure's order: archive the
/// current state, mark the handover as under way, run the health checks, regenerate CONTEXT.md,
/// merge, validate, write atomically with `source: manual-end`, and confirm.
public enum HandoffEnd {
    /// Judgement fields the agent may supply; anything else is refused.
    public static let judgementKeys: Set = ["done", "failed", "blockers", "resume", "watch_out_for", "session_memory", "severity"]

    public struct Request: Sendable {
        public var judgement: JSONValue
        public var sessionID: String?
        public var runChecks: Bool
        public var checkTimeout: Double
        public var now: Timestamp

        public init(judgement: JSONValue, sessionID: String? = nil, runChecks: Bool = true, checkTimeout: Double = 300, now: Timestamp = .now()) {
            self.judgement = judgement
            self.sessionID = sessionID
            self.runChecks = runChecks
            self.checkTimeout = checkTimeout
            self.now = now
        }
    }

    public struct CheckRun: Sendable, Equatable {
        public var name: String
        public var command: [String]
        public var outcome: CommandOutcome
    }

    public struct Result: Sendable {
        public var state: HandoffState
        public var report: ValidationReport
        public var checks: [CheckRun]
        public var archivedTo: String
        /// Adjustments made to the agent's severity because the checks disagreed with it.
        public var notes: [String]
        public var confirmation: String
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The judgement JSON could not be used; nothing was written.
        case unusableJudgement(String)
        /// The merged state breaks the contract; nothing was written (or the final write was withheld).
        case invalid(ValidationReport)
        case store(StoreError)

        public var description: String {
            switch self {
            case .unusableJudgement(let reason): return "the handover JSON is unusable: \(reason)"
            case .invalid(let report):
                return "the handover breaks the contract; nothing was written:\n"
                    + report.errors.map { "  \($0)" }.joined(separator: "\n")
            case .store(let error): return error.description
            }
        }
    }

    /// Which session this handover is for: explicit, then the agent's environment, then the state's.
    public static func resolveSession(explicit: String?, environment: Environment, state: HandoffState, now: Timestamp) -> String {
        let candidates = [explicit, environment["HANDOFF_SESSION_ID"]] + AgentKind.sessionEnvironmentVariables.map { environment[$0] }
            + [environment["CLAUDE_SESSION_ID"], state.sessionID]
        for candidate in candidates {
            if let candidate, SessionID.isSafe(candidate) { return candidate }
        }
        return "manual-\(now.fileStamp)"
    }

    /// Health check commands: `git config handoff.check.<name>` (run with /bin/sh -c: it is the
    /// user's own configuration), else what the project's manifest says.
    public static func checkCommands(root: String, repository: GitRepository?) -> [(name: String, command: [String])] {
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

    public static func perform(
        _ request: Request, store: HandoffStore, repository: GitRepository?, environment: Environment
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
        let session = resolveSession(explicit: request.sessionID, environment: environment, state: current, now: request.now)
        guard SessionID.isSafe(session) else { throw .store(.unsafeSessionID(session)) }

        // A dry merge with health assumed captured: every judgement error is found before any write.
        var candidate: HandoffState
        do {
            candidate = try merge(judgement: judgement, into: current)
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

        // 1. Archive the current state.
        do {
            try store.archive(currentJSON, as: session)
        } catch {
            throw .store(error)
        }
        let archivedTo = store.layout.archiveFile(session: session)

        // 2. Signal that the handover is under way (the stop gate stops asking while checks run).
        do {
            try store.updateState { state in
                state.runtime.handoffEndCompleted = true
                state.sessionID = session
            }
        } catch {
            throw .store(error)
        }

        // 3. Health checks, each under a timeout.
        var checks: [CheckRun] = []
        var health = HandoffState.Health()
        if request.runChecks {
            for (name, command) in checkCommands(root: store.layout.worktreeRoot, repository: repository) {
                let outcome = CommandRunner.run(command, in: store.layout.worktreeRoot, environment: environment, timeout: request.checkTimeout)
                checks.append(CheckRun(name: name, command: command, outcome: outcome))
                let result: HandoffState.CheckResult = outcome.succeeded ? .pass : .fail
                switch name {
                case "build": health.build = result
                case "tests": health.tests = result
                default: health.lint = result
                }
                let shown = command.first == "/bin/sh" ? command.last ?? "" : command.joined(separator: " ")
                try? store.append(Event(type: EventType.check, session: session, [
                    ("name", .string(name)),
                    ("class", .string(name == "tests" ? "test" : name)),
                    ("command", .string(Redactor.redact(shown))),
                    ("exit_code", outcome.exitStatus.map { .int(Int($0)) } ?? .null),
                    ("result", .string(result.rawValue)),
                    ("timed_out", .bool(outcome.timedOut)),
                    ("output_tail", .string(outcome.succeeded ? "" : Redactor.redact(outcome.outputTail))),
                ]))
            }
        }

        // 4. CONTEXT.md: auto sections regenerated, corrections appended.
        if let repository {
            _ = try? ContextRegenerator.regenerate(store: store, repository: repository, corrections: candidate.sessionMemory.corrections)
        }

        // 5. Merge into the state as it is now (hooks may have recorded commits while the checks ran),
        //    with severity held to the ground truth of the checks and the tree.
        let dirty = ((try? repository?.status(limit: 1))?.map { !$0.isClean }) ?? false
        let inferred: HandoffState.Severity = health.build == .fail ? .critical : ((health.tests == .fail || dirty) ? .inProgress : .ready)
        var notes: [String] = []
        let claimed = candidate.severity
        var severity = claimed ?? inferred
        if let claimed {
            if health.build == .fail && claimed != .critical {
                notes.append("severity raised from \(claimed.rawValue) to CRITICAL: the build fails")
                severity = .critical
            } else if claimed == .ready && inferred != .ready {
                notes.append("severity lowered from READY to IN_PROGRESS: " + (health.tests == .fail ? "the tests fail" : "uncommitted changes remain"))
                severity = .inProgress
            }
        } else {
            notes.append("severity not given; set to \(inferred.rawValue) from the checks and the working tree")
        }
        let eventIndex = store.events.lineCount()
        let hostname = FileSystem.hostname()
        func finalise(_ fresh: HandoffState) throws(StoreError) -> HandoffState {
            var final = try merge(judgement: judgement, into: fresh)
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
        guard report.isValid else {
            _ = try? store.updateState { $0.runtime.handoffEndCompleted = false }
            throw .invalid(report)
        }
        do {
            try store.updateRuntime(session: session, create: {
                var runtime = SessionRuntime(sessionID: session, startedAt: request.now, hostname: hostname)
                runtime.startHash = current.runtime.sessionStartHash
                return runtime
            }) { runtime in
                runtime.handoverAt = Timestamp.now()
                runtime.handoverKind = "handoff-end"
                runtime.handoverHead = try? repository?.head().sha
                runtime.consecutiveBlocks = 0
            }
            try store.append(Event(type: EventType.handoffEnd, session: session, [
                ("severity", .string(severity.rawValue)),
                ("health", ["build": JSONValue(health.build?.rawValue), "tests": JSONValue(health.tests?.rawValue), "lint": JSONValue(health.lint?.rawValue)]),
                ("archive", .string("sessions/\(session).json")),
            ]))
        } catch {
            throw .store(error)
        }
        return Result(state: final, report: report, checks: checks, archivedTo: archivedTo, notes: notes,
                      confirmation: confirmation(for: final))
    }

    /// The closing block the procedure asks for.
    public static func confirmation(for state: HandoffState) -> String {
        func show(_ result: HandoffState.CheckResult?) -> String { result?.rawValue ?? "n/a" }
        let severity = state.severity ?? .inProgress
        let openBlockers = state.blockers.filter { !$0.resolved }.count
        return """
            HANDOFF COMPLETE
            Severity: \(severity.emoji) \(severity.rawValue) | Source: \(state.source.rawValue)
            SESSION: \(state.done.count) done, \(state.failed.count) failed, \(openBlockers) blockers
            HEALTH: build=\(show(state.health.build)) tests=\(show(state.health.tests)) lint=\(show(state.health.lint))
            RESUME: \(state.resume.next.isEmpty ? "(none)" : state.resume.next)
            Safe to end session.
            """
    }

    /// Applies the agent's judgement to a state. `done` is merged (the hooks recorded commits already),
    /// corrections are appended (never replaced), everything else the agent says replaces what was there.
    static func merge(judgement: JSONObject, into state: HandoffState) throws(StoreError) -> HandoffState {
        // Read the judgement through the state reader, so that type errors name their JSON path.
        var probe = JSONObject()
        for (key, value) in judgement.pairs { probe[key] = value }
        probe["_version"] = .int(1)
        probe["source"] = .string("manual-end")
        let supplied = try HandoffState(json: .object(probe))

        var merged = state
        if judgement["done"] != nil {
            var items = state.done
            for item in supplied.done {
                if let index = items.firstIndex(where: { (!item.ref.isEmpty && $0.ref == item.ref) || $0.description == item.description }) {
                    items[index] = item
                } else {
                    items.append(item)
                }
            }
            merged.done = items
        }
        if judgement["failed"] != nil { merged.failed = supplied.failed }
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
