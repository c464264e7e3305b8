/// The one next step a new session is given, by one rule (written down in the README):
///
/// the newest handover on this branch decides. A Framework Reflection gives its **Next step**; a
/// `handoff end` gives its resume task (the task filed for its `resume.next`) when that task is still
/// open, else its `resume.next`. Only when no handover was ever recorded does an auto-saved snapshot's
/// `resume.next` stand in, said as such. Nothing an older handover said is offered next to it.
///
/// The brief, `handoff brief`, `handoff show` and the compaction brief all take it from here.
package struct NextStep: Sendable, Equatable {
    package enum Source: String, Sendable {
        case reflection
        case handoffEnd = "handoff end"
        /// No handover yet: the mechanical pointer of an auto-saved snapshot.
        case snapshot
    }

    package var text: String
    package var source: Source
    package var session: String?
    package var outcome: String?
    /// The task ids the step names, in order (a reflection's `ho-…` ids, a `handoff end`'s resume task).
    package var tasks: [String]
    /// The stop gate parked that handover: why (`push the 2 commits on main: the last attempt failed: …`).
    package var parked: String? = nil

    /// `Next (reflection of session s2, partial): ho-… add tests for sub`.
    package var line: String {
        var from = source.rawValue
        if let session { from += " of session \(session)" }
        if let outcome { from += ", \(outcome)" }
        return "Next (\(from)): \(text)"
    }

    /// The newest handover recorded in this worktree: the last `handover` (reflection) or
    /// `handoff_end` event, read from the end of the log (bounded).
    package struct Handover: Sendable, Equatable {
        package var source: Source
        package var session: String?
        package var at: Timestamp
        /// The branch the handover was made on; nil for events recorded before it was kept.
        package var branch: String?
        package var outcome: String?
        /// A reflection's Next step; a `handoff end`'s `resume.next` (nil for older events: the state says).
        package var next: String?
        /// A `handoff end`'s resume task.
        package var resumeTask: String?
        /// Why the stop gate parked this handover, when it did.
        package var parked: String?

        init?(_ event: Event) {
            switch event.type {
            case EventType.handover where event["kind"]?.stringValue == "reflection": source = .reflection
            case EventType.handoffEnd: source = .handoffEnd
            default: return nil
            }
            session = event.session
            at = event.timestamp
            branch = event["branch"]?.stringValue
            outcome = event["outcome"]?.stringValue
            next = event["next_step"]?.stringValue ?? event["next"]?.stringValue
            resumeTask = event["resume_task"]?.stringValue
            parked = event["parked"]?.stringValue
        }
    }

    /// The newest handover of `branch` (one recorded without a branch counts for any branch).
    package static func newestHandover(store: HandoffStore, branch: String?) -> Handover? {
        let found = store.events.tail(1, matching: { event in
            guard let handover = Handover(event) else { return false }
            return handover.branch == nil || branch == nil || handover.branch == branch
        }, containing: [#""type":"handover""#, #""type":"handoff_end""#], scanLimit: 4 * 1024 * 1024).events.last
        return found.flatMap(Handover.init)
    }

    /// The rule. `state` is the worktree's (or a shared) handover state; `listing` the task store.
    package static func resolve(state: HandoffState, newest: Handover?, listing: TaskStore.Listing?) -> NextStep? {
        func isOpen(_ id: String) -> Bool { listing?.task(id)?.isOpen ?? true }
        guard let newest else {
            let next = state.resume.next.trimmed
            guard !next.isEmpty else { return nil }
            if state.source == .manualEnd {
                let task = state.resume.task.flatMap { isOpen($0) ? $0 : nil }
                return NextStep(text: task.map { "\($0) \(next)" } ?? next, source: .handoffEnd, session: state.sessionID, tasks: task.map { [$0] } ?? [])
            }
            guard state.source == .autoSave else { return nil }
            return NextStep(text: next + " (written mechanically by an auto-save; check it)", source: .snapshot, session: state.sessionID, tasks: [])
        }
        switch newest.source {
        case .reflection, .snapshot:
            let step = (newest.next ?? "").trimmed
            let text = step.isEmpty || Reflection.isNone(step) ? "none: the last handover said nothing is left to do" : step
            return NextStep(text: text, source: .reflection, session: newest.session, outcome: newest.outcome,
                            tasks: TaskID.mentions(in: step), parked: newest.parked)
        case .handoffEnd:
            // Older events carry neither: the state of that handover says, when it is still the state.
            let fromState = state.sessionID == newest.session && state.source == .manualEnd
            let next = (newest.next ?? (fromState ? state.resume.next : "")).trimmed
            let task = (newest.resumeTask ?? (fromState ? state.resume.task : nil)).flatMap { isOpen($0) ? $0 : nil }
            guard !next.isEmpty else {
                return NextStep(text: "not given (the handover named no resume point)", source: .handoffEnd, session: newest.session, tasks: [])
            }
            return NextStep(text: task.map { "\($0) \(next)" } ?? next, source: .handoffEnd, session: newest.session,
                            tasks: task.map { [$0] } ?? [])
        }
    }

    /// For a handover shared from another clone: its state and, for a reflection, the reflection's text.
    package static func resolveShared(state: HandoffState, kind: String, session: String?, outcome: String?, reflection: String?) -> NextStep? {
        if kind == "reflection", let reflection, case .valid(let parsed) = Reflection.parse(reflection) {
            var event = Handover(source: .reflection, session: session, at: Timestamp(milliseconds: 0))
            event.outcome = outcome ?? parsed.outcome.rawValue
            event.next = parsed.nextStep
            return resolve(state: state, newest: event, listing: nil)
        }
        return resolve(state: state, newest: nil, listing: nil)
    }
}

extension NextStep.Handover {
    init(source: NextStep.Source, session: String?, at: Timestamp) {
        self.source = source
        self.session = session
        self.at = at
    }
}
