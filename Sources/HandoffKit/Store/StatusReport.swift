/// What `handoff status` shows: the state at a glance, from the store and the repository.
package struct StatusReport: Sendable {
    package var root: String
    package var state: HandoffState?
    package var stateError: String?
    package var branch: String?
    package var head: String?
    package var uncommitted: [String]
    package var unpushed: Int?
    package var upstream: String?
    package var operation: String?
    package var session: SessionRuntime?
    package var handoverComplete: Bool
    package var recentEvents: [Event]
    package var skippedEventLines: Int
    /// The latest events where the gate let something through or distrusted its records (an override
    /// at the block cap, a policy change it ignored, a rebuilt or contradicted runtime file, a hook that
    /// ran out of time): the user sees them whether or not they are among the recent events.
    package var gateWarnings: [Event] = []
    /// The latest store files moved out of the way (`file_set_aside`): shown so that none goes unnoticed.
    package var setAside: [Event] = []

    static let gateWarningTypes: Set<String> = [
        EventType.gateOverridden, EventType.gateConfigIgnored, EventType.runtimeRebuilt, EventType.runtimeMismatch, EventType.hookTimeout,
    ]
    /// Facts that could not be computed, by name (`head`, `uncommitted`, `unpushed`), with the reason:
    /// shown as unknown, never as 0 or clean.
    package var unknown: [(fact: String, reason: String)] = []
    /// Why git had to answer instead of libgit2 (a repository shape libgit2 cannot read), nil when it did not.
    package var slowPathReason: String?
    /// Without an upstream: the commits of HEAD that no remote-tracking branch (nor a recorded push)
    /// has, nil when there is no remote or they could not be counted.
    package var notOnAnyRemote: Int?
    /// The session's stashes and commits on other branches (`HiddenWork`), nil without a session.
    package var hidden: HiddenWork?
    /// The task store's open tasks (resume tasks first), and the listing to tell what blocks them.
    package var tasks: TaskStore.Listing = TaskStore.Listing(tasks: [], damaged: [])

    /// `repository` nil: libgit2 could not open it (`openError`), and git answers through `git`.
    package static func gather(store: HandoffStore, repository: GitRepository?, openError: GitError? = nil, git: GitCommandLine? = nil,
                              recentEvents: Int) -> StatusReport {
        var state: HandoffState?
        var stateError: String?
        do { state = try store.readState() } catch { stateError = error.description }
        let facts: RepositoryFacts
        if let repository {
            facts = RepositoryFacts.gather(repository: repository, statusLimit: 1000)
        } else if let git, let openError {
            facts = RepositoryFacts.fromGit(git, openError: openError, statusLimit: 1000)
        } else {
            let why = openError?.message ?? "the repository could not be opened"
            facts = RepositoryFacts(head: .unknown(reason: why), status: .unknown(reason: why), upstream: .unknown(reason: why))
        }
        let head = facts.head.value
        let status = facts.status.value
        let upstream = facts.upstream.value ?? nil
        var unknown: [(fact: String, reason: String)] = []
        if let why = facts.head.unknownReason { unknown.append(("head", why)) }
        if let why = facts.status.unknownReason { unknown.append(("uncommitted", why)) }
        if let why = facts.upstream.unknownReason { unknown.append(("unpushed", why)) }
        let operation = repository?.operationInProgress()
        let session = state?.sessionID.flatMap { store.readRuntime(session: $0) }
        let events = store.events.tail(recentEvents)
        if let why = events.unreadable { unknown.append(("events", why)) }
        let complete: Bool
        if let session {
            complete = session.handoverAt != nil && !session.hasWorkAfterHandover
        } else {
            complete = state?.runtime.handoffEndCompleted ?? false
        }
        let warnings = store.events.tail(5, matching: { gateWarningTypes.contains($0.type) },
                                         containing: gateWarningTypes.map { "\"type\":\"\($0)\"" }, scanLimit: 4 * 1024 * 1024).events
        // Complete only on known facts: an unknown status or upstream is not "clean".
        let clean = status?.isClean == true && facts.upstream.value != nil && (upstream?.ahead ?? 0) == 0
        var report = StatusReport(
            root: store.layout.worktreeRoot, state: state, stateError: stateError,
            branch: head?.label, head: head?.sha, uncommitted: status?.paths ?? [],
            unpushed: upstream?.ahead, upstream: upstream?.upstream,
            operation: operation.flatMap { $0 == RepositoryOperation.none ? nil : $0.rawValue },
            session: session, handoverComplete: complete && clean,
            recentEvents: events.events, skippedEventLines: events.skippedLines,
            unknown: unknown, slowPathReason: facts.slowPathReason, tasks: TaskStore(store: store).list())
        report.gateWarnings = warnings
        report.setAside = store.events.tail(5, matching: { $0.type == EventType.fileSetAside },
                                            containing: ["\"type\":\"\(EventType.fileSetAside)\""], scanLimit: 4 * 1024 * 1024).events
        if let head, head.sha != nil, facts.upstream.value == .some(nil), let git = repository?.commandLine ?? git {
            let counted = SessionWork.unpushedCount(repository: repository, git: git, facts: facts, store: store, head: head)
            report.notOnAnyRemote = counted.value ?? nil
            if let why = counted.unknownReason { report.unknown.append(("unpushed", why)) }
        }
        if let session, let git = repository?.commandLine ?? git {
            report.hidden = HiddenWork.gather(repository: repository, git: git, runtime: session, currentBranch: head?.branchName,
                                              ledger: PushLedger(store: store), otherSessionCommits: { [] })
            if report.hidden?.isEmpty == false { report.handoverComplete = false }
            if let why = report.hidden?.unknown { report.unknown.append(("hidden_work", why)) }
        }
        return report
    }

    func unknownReason(_ fact: String) -> String? { unknown.first { $0.fact == fact }?.reason }

    package var json: JSONValue {
        .object(JSONObject([
            ("root", .string(root)),
            ("severity", JSONValue(state?.severity?.rawValue)),
            ("source", JSONValue(state?.source.rawValue)),
            ("state_error", JSONValue(stateError)),
            ("branch", JSONValue(branch)),
            ("head", JSONValue(head)),
            ("uncommitted", unknownReason("uncommitted") == nil ? .int(uncommitted.count) : .null),
            ("uncommitted_files", JSONValue(Array(uncommitted.prefix(50)))),
            ("unpushed", unpushed.map { .int($0) } ?? .null),
            ("upstream", JSONValue(upstream)),
            ("operation", JSONValue(operation)),
            ("session", JSONValue(state?.sessionID)),
            ("compactions", .int(state?.runtime.compactionCount ?? 0)),
            ("handover_complete", .bool(handoverComplete)),
            ("handover_kind", JSONValue(session?.handoverKind)),
            ("resume_next", JSONValue(state?.resume.next)),
            ("open_tasks", .array(tasks.openInBriefOrder.map { task in
                ["id": .string(task.id), "title": .string(task.title), "status": .string(task.status.rawValue),
                 "labels": JSONValue(task.labels), "open_blockers": JSONValue(tasks.openBlockers(of: task))]
            })),
            ("recent_events", .array(recentEvents.map(\.json))),
            ("skipped_event_lines", .int(skippedEventLines)),
            ("gate_warnings", .array(gateWarnings.map(\.json))),
            ("set_aside", .array(setAside.map(\.json))),
            ("not_on_any_remote", notOnAnyRemote.map { .int($0) } ?? .null),
            ("session_stashes", .array((hidden?.stashes ?? []).map { ["name": .string($0.name), "sha": .string($0.sha), "message": .string($0.message)] })),
            ("other_branches_unpushed", .object(JSONObject((hidden?.branches ?? []).map { ($0.branch, .int($0.unpushed)) }))),
            ("unknown", .object(JSONObject(unknown.map { ($0.fact, JSONValue.string($0.reason)) }))),
            ("git_fallback", JSONValue(slowPathReason)),
        ]))
    }

    package func text(paint: (String, String) -> String) -> String {
        var lines: [String] = []
        if let state {
            let severity = state.severity.map { "\($0.emoji) \($0.rawValue)" } ?? "unset"
            lines.append("Severity:    \(severity)  (source: \(state.source.rawValue))")
        } else if let stateError {
            lines.append(paint("State:       unreadable — \(TerminalText.escape(stateError))", "31"))
        }
        let escape = TerminalText.escape
        lines.append("Branch:      \(escape(branch ?? "unknown") + (unknownReason("head").map { " (\(escape($0)))" } ?? ""))"
            + (operation.map { "  [\(escape($0)) in progress]" } ?? ""))
        if let why = unknownReason("uncommitted") {
            lines.append(paint("Uncommitted: unknown (\(escape(why)))", "31"))
        } else {
            lines.append("Uncommitted: \(uncommitted.count) file\(uncommitted.count == 1 ? "" : "s")"
                + (uncommitted.isEmpty ? "" : " (" + uncommitted.prefix(5).map(escape).joined(separator: ", ") + (uncommitted.count > 5 ? ", …" : "") + ")"))
        }
        if let why = unknownReason("unpushed") {
            lines.append(paint("Unpushed:    unknown (\(escape(why)))", "31"))
        } else if let unpushed, let upstream {
            lines.append("Unpushed:    \(unpushed) commit\(unpushed == 1 ? "" : "s") ahead of \(escape(upstream))")
        } else if let notOnAnyRemote {
            lines.append("Unpushed:    \(notOnAnyRemote) commit\(notOnAnyRemote == 1 ? "" : "s") on no remote (no upstream)")
        } else {
            lines.append("Unpushed:    no upstream")
        }
        // Work the branch does not show: the session's stashes, its commits on other branches.
        for phrase in hidden?.missing ?? [] { lines.append(paint("Elsewhere:   \(escape(phrase))", "33")) }
        if let why = unknownReason("hidden_work") { lines.append(paint("Elsewhere:   unknown (\(escape(why)))", "31")) }
        lines.append("Session:     \(escape(state?.sessionID ?? "none"))  compactions: \(state?.runtime.compactionCount ?? 0)")
        let handover = handoverComplete
            ? paint("complete", "32") + (session?.handoverKind.map { " (\(escape($0)))" } ?? "")
            : paint("not complete", "33")
        lines.append("Handover:    \(handover)")
        if let next = state?.resume.next, !next.isEmpty { lines.append("Resume:      \(escape(next))") }
        let open = tasks.openInBriefOrder
        lines.append("Open tasks:  \(open.count)" + (open.isEmpty ? "" : "  (`handoff task list`)"))
        for task in open.prefix(10) { lines.append("  " + escape(TaskFormatter.line(task, listing: tasks, titleLimit: 80))) }
        if open.count > 10 { lines.append("  … \(open.count - 10) more") }
        if !gateWarnings.isEmpty {
            lines.append("")
            lines.append(paint("Gate warnings (the gate let a stop through or distrusted its records):", "33"))
            for event in gateWarnings { lines.append("  " + EventFormatter.line(event, paint: paint)) }
        }
        if !setAside.isEmpty {
            lines.append("")
            lines.append(paint("Set aside (store files that could not be read, moved out of the way; `handoff doctor` counts them):", "33"))
            for event in setAside { lines.append("  " + EventFormatter.line(event, paint: paint)) }
        }
        if !recentEvents.isEmpty {
            lines.append("")
            lines.append("Recent events:")
            for event in recentEvents { lines.append("  " + EventFormatter.line(event, paint: paint)) }
        }
        if let why = unknownReason("events") { lines.append(paint("Recent events: unknown (\(escape(why)))", "31")) }
        if skippedEventLines > 0 { lines.append("(\(skippedEventLines) unreadable event line\(skippedEventLines == 1 ? "" : "s") skipped)") }
        return lines.joined(separator: "\n")
    }
}

/// One readable line per event.
package enum EventFormatter {
    package static func line(_ event: Event, paint: (String, String) -> String) -> String {
        let time = String(event.timestamp.iso8601.prefix(19)).replacingFirst("T", with: " ")
        let detail: String
        switch event.type {
        case EventType.commit:
            detail = "\(event["short"]?.stringValue ?? "") \(event["subject"]?.stringValue ?? "")"
        case EventType.push:
            let refs = event["refs"]?.arrayValue?.compactMap { $0["remote_ref"]?.stringValue } ?? []
            detail = "\(event["remote"]?.stringValue ?? "") \(refs.joined(separator: ", "))"
        case EventType.tool:
            let code = event["exit_code"]?.intValue.map { " → \($0)" } ?? (event["interrupted"]?.boolValue == true ? " → interrupted" : "")
            let command = event["command"]?.stringValue ?? ""
            if let said = event["output_tail"]?.stringValue.flatMap(OutputTail.lastLine) {
                // A failure: the end of its output says why; the command gives way to it.
                let shortCommand = command.count > 70 ? command.prefix(69) + "…" : Substring(command)
                detail = "\(event["class"]?.stringValue ?? "other"): \(shortCommand)\(code): \(said)"
            } else {
                detail = "\(event["class"]?.stringValue ?? "other"): \(command)\(code)"
            }
        case EventType.fileEdit:
            detail = (event["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []).joined(separator: ", ")
        case EventType.check:
            let said = event["output_tail"]?.stringValue.flatMap(OutputTail.lastLine).map { ": \($0)" } ?? ""
            detail = "\(event["name"]?.stringValue ?? ""): \(event["result"]?.stringValue ?? "")\(said)"
        case EventType.stopBlocked, EventType.gateOverridden:
            detail = event["reason"]?.stringValue ?? ""
        case EventType.gateConfigIgnored:
            detail = "git config changed during the session, not applied to it: " + (event["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []).joined(separator: ", ")
        case EventType.runtimeRebuilt:
            detail = event["why"]?.stringValue ?? ""
        case EventType.runtimeMismatch:
            detail = (event["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []).joined(separator: "; ")
        case EventType.hookTimeout:
            detail = "\(event["hook"]?.stringValue ?? "") gave up at its deadline and let the operation through"
        case EventType.hookError:
            detail = "\(event["hook"]?.stringValue ?? ""): \(event["error"]?.stringValue ?? "")"
        case EventType.fileSetAside:
            detail = "\(event["file"]?.stringValue ?? "?") → \(event["moved_to"]?.stringValue ?? "?"): \(event["reason"]?.stringValue ?? "")"
        case EventType.handover:
            detail = "\(event["kind"]?.stringValue ?? "") \(event["outcome"]?.stringValue ?? "")"
        default:
            detail = event.fields.pairs.prefix(3).map { "\($0.0)=\($0.1.stringValue ?? $0.1.compactText)" }.joined(separator: " ")
        }
        let flat = String(detail.split(whereSeparator: { $0 == "\n" }).joined(separator: " ").prefix(160))
        return "\(time)  \(paint(TerminalText.escape(event.type).padded(to: 15), "36")) \(TerminalText.escape(flat))"
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }

    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
