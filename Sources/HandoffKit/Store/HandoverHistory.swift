/// Handovers read back for a person: the history (`handoff log`) and one handover laid out in full
/// (`handoff show`). Reads only; prints nothing.
package enum HandoverHistory {
    /// One recorded handover: a reflection the stop gate accepted or a completed `handoff end`.
    package struct Entry: Sendable {
        package enum Kind: String, Sendable { case reflection, handoffEnd = "handoff-end" }
        package var kind: Kind
        package var at: Timestamp
        package var session: String?
        /// The reflection's outcome (success, partial, …); nil for `handoff end`.
        package var outcome: String?
        /// The severity `handoff end` recorded; nil for a reflection.
        package var severity: String?
        package var nextStep: String?
        /// The archive under `.handoff/` that holds the full handover.
        package var archive: String?

        package var json: JSONValue {
            .object(JSONObject([
                ("kind", .string(kind.rawValue)), ("at", .string(at.iso8601)), ("session", JSONValue(session)),
                ("outcome", JSONValue(outcome)), ("severity", JSONValue(severity)), ("next_step", JSONValue(nextStep)),
                ("archive", JSONValue(archive)),
            ]))
        }

        init?(_ event: Event) {
            switch event.type {
            case EventType.handover where event["kind"]?.stringValue == "reflection": kind = .reflection
            case EventType.handoffEnd: kind = .handoffEnd
            default: return nil
            }
            at = event.timestamp
            session = event.session
            outcome = event["outcome"]?.stringValue
            severity = event["severity"]?.stringValue
            nextStep = event["next_step"]?.stringValue
            archive = event["archive"]?.stringValue
        }
    }

    /// Every handover in the event log (rotated logs included), newest first, and how many lines
    /// were not events.
    package static func entries(store: HandoffStore) -> (entries: [Entry], skippedLines: Int) {
        let result = store.events.readAll(includeRotated: true)
        // Newest first in the order they were recorded (appended under the store's lock), not by
        // their clocks, which another host or a skewed clock can put out of order.
        let entries = Array(result.events.compactMap(Entry.init).reversed())
        return (entries, result.skippedLines)
    }

    /// One handover in full: the state it left and the reflection that completed it, if any.
    package struct Handover: Sendable {
        package var session: String?
        package var state: HandoffState?
        /// Where `state` was read from, relative to the worktree (`.handoff/state.json`, `.handoff/sessions/ID.json`).
        package var stateFile: String?
        package var reflection: Entry?
        package var handoffEnd: Entry?
        package var openTasks: [HandoffTask]
        /// For the last handover: the next step by the brief's rule (NextStep), said once.
        package var next: NextStep? = nil
    }

    package enum LookupError: Error, CustomStringConvertible {
        case unsafeSession(String)
        case noSuchSession(String)
        case unreadableArchive(String, String)
        /// state.json exists and cannot be read: the last handover is unknown, not "none".
        case unreadableState(String)

        package var description: String {
            switch self {
            case .unsafeSession(let id):
                return "\(TerminalText.escape(id)) is not a session id; `handoff log` lists the sessions that left a handover"
            case .noSuchSession(let id):
                return "no handover recorded for session \(id); `handoff log` lists the sessions that left a handover"
            case .unreadableArchive(let path, let reason):
                return "\(path) cannot be read (\(reason)); `handoff doctor` checks the store, `handoff repair` sets damaged files aside"
            case .unreadableState(let reason):
                return "the last handover is unknown: \(reason) (`handoff show <session>` still reads an archived one; `handoff log` lists them)"
            }
        }
    }

    /// The last handover (session nil) or that session's; nil when this worktree has none yet.
    package static func handover(store: HandoffStore, session wanted: String?, branch: String? = nil) throws(LookupError) -> Handover? {
        if let wanted, !SessionID.isSafe(wanted) { throw .unsafeSession(wanted) }
        let history = entries(store: store).entries
        let current: HandoffState?
        do {
            current = try store.readState()
        } catch {
            // Asked for one session, its archive still answers; the last handover is unknown.
            if wanted == nil, FileSystem.exists(store.layout.stateFile) { throw .unreadableState(error.description) }
            current = nil
        }
        let session: String?
        if let wanted { session = wanted }
        else if let current, current.source != .initial { session = current.sessionID ?? history.first?.session }
        else { session = history.first?.session }
        var state: HandoffState?
        var stateFile: String?
        if let current, current.source != .initial, current.sessionID == session {
            state = current
            stateFile = ".handoff/state.json"
        } else if let session {
            let path = store.layout.archiveFile(session: session)
            if FileSystem.exists(path) {
                do {
                    let text = try FileSystem.readText(path)
                    state = try HandoffState(json: try JSONValue.parse(text))
                    stateFile = ".handoff/sessions/\(session).json"
                } catch {
                    throw .unreadableArchive(".handoff/sessions/\(session).json", "\(error)")
                }
            }
        }
        let reflection = history.first { $0.kind == .reflection && $0.session == session }
        let end = history.first { $0.kind == .handoffEnd && $0.session == session }
        if state == nil, reflection == nil, end == nil {
            if let wanted { throw .noSuchSession(wanted) }
            return nil
        }
        let listing = TaskStore(store: store).list()
        var open = listing.openInBriefOrder
        var next: NextStep?
        if wanted == nil, let current {
            // The last handover tells the story the brief tells: its one next step, the tasks it names first.
            next = NextStep.resolve(state: current, newest: NextStep.newestHandover(store: store, branch: branch), listing: listing)
            let named = next?.tasks ?? []
            open.sort { (named.firstIndex(of: $0.id) ?? Int.max) < (named.firstIndex(of: $1.id) ?? Int.max) }
        }
        return Handover(session: session, state: state, stateFile: stateFile, reflection: reflection, handoffEnd: end, openTasks: open, next: next)
    }

    /// `2026-12-03 12:40:00  session-id    reflection  success   next: …`, recorded text escaped.
    package static func line(_ entry: Entry, paint: (String, String) -> String) -> String {
        func safe(_ text: String) -> String { TerminalText.escape(text) }
        let time = String(entry.at.iso8601.prefix(19)).replacingFirst("T", with: " ")
        let session = safe(entry.session ?? "unknown").padded(to: 12) // whole: a cut id can name two sessions
        let verdict: String
        switch entry.kind {
        case .reflection: verdict = "reflection  " + safe(entry.outcome ?? "?")
        case .handoffEnd: verdict = "handoff-end " + safe(entry.severity ?? "?")
        }
        let next = entry.nextStep.map { "  next: " + safe(String($0.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(100))) } ?? ""
        // Escaped before colour is added, so the colour codes are the only controls printed.
        return next.isEmpty ? "\(time)  \(session)  \(paint(verdict, "36"))" : "\(time)  \(session)  \(paint(verdict.padded(to: 24), "36"))\(next)"
    }

    /// One handover laid out for a person, every recorded string escaped for the terminal.
    package static func layout(_ handover: Handover, paint: (String, String) -> String) -> String {
        // Each line escaped on its own: a recorded newline stays a line break, every other control is shown.
        func safe(_ text: String) -> String { text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escape(String($0)) }.joined(separator: "\n") }
        func indented(_ text: String) -> String { safe(text).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ") }
        var lines: [String] = []
        let state = handover.state
        let severity = state?.severity.map { "\($0.emoji) \($0.rawValue)" } ?? "severity not set"
        let source = state.map { " (\($0.source.rawValue))" } ?? ""
        lines.append(paint("Handover of session \(safe(handover.session ?? "unknown"))", "1") + " — \(severity)\(source)")
        if let end = handover.handoffEnd { lines.append("handoff end: \(end.at.iso8601)") }
        if let reflection = handover.reflection {
            lines.append("Outcome: \(safe(reflection.outcome ?? "?")) (reflection accepted \(reflection.at.iso8601))")
            if handover.next == nil, let next = reflection.nextStep, !next.isEmpty { lines.append("Reflection next step: \(indented(next))") }
        } else {
            lines.append("Outcome: no reflection recorded for this session")
        }
        if let next = handover.next { lines.append(safe(next.line)) }
        if let file = handover.stateFile { lines.append("From: \(file)") }
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines.append("")
            lines.append(paint(title, "1"))
            lines += items.map { "  - " + indented($0) }
        }
        if let state {
            section("Done", state.done.map { $0.ref.isEmpty ? $0.description : "\($0.description) (\($0.ref))" })
            section("Failed", state.failed.map { item in
                var text = item.description
                if !item.tried.isEmpty { text += "\n  tried: \(item.tried)" }
                if !item.error.isEmpty { text += "\n  error: \(item.error)" }
                if let why = item.why { text += "\n  why: \(why)" }
                if let need = item.need { text += "\n  need: \(need)" }
                return text
            })
            section("Blockers", state.blockers.map { ($0.resolved ? "[resolved] " : "") + $0.description + ($0.task.map { " (\($0))" } ?? "") })
            var resume: [String] = []
            // The Next line above says it once when there is one.
            if handover.next == nil, !state.resume.next.isEmpty { resume.append("next: " + state.resume.next) }
            if !state.resume.files.isEmpty { resume.append("read first: " + state.resume.files.joined(separator: ", ")) }
            if !state.resume.context.isEmpty { resume.append("context: " + state.resume.context) }
            section("Resume", resume)
            section("Watch out for", state.watchOutFor)
        } else {
            lines.append("")
            lines.append("No state was kept for this session (only its events remain).")
        }
        section("Open tasks", handover.openTasks.map { "\($0.id)  \($0.status.rawValue)  \($0.title)" })
        return lines.joined(separator: "\n")
    }

    /// The same handover as JSON: the state as state.json holds it, plus the handover events.
    package static func json(_ handover: Handover) -> JSONValue {
        .object(JSONObject([
            ("session", JSONValue(handover.session)), ("state_file", JSONValue(handover.stateFile)),
            ("state", handover.state?.json ?? .null),
            ("reflection", handover.reflection?.json ?? .null), ("handoff_end", handover.handoffEnd?.json ?? .null),
            ("next", handover.next.map { next in .object(JSONObject([
                ("text", .string(next.text)), ("source", .string(next.source.rawValue)), ("session", JSONValue(next.session)),
                ("outcome", JSONValue(next.outcome)), ("tasks", JSONValue(next.tasks)),
            ])) } ?? .null),
            ("open_tasks", .array(handover.openTasks.map { .object(JSONObject([("id", .string($0.id)), ("status", .string($0.status.rawValue)), ("title", .string($0.title))])) })),
        ]))
    }
}
