/// One session's moments that matter on a time axis (`handoff timeline`): its start and end, the commits
/// and pushes it made, the stop gate's blocks and overrides, compactions, handovers, and what failed
/// (tool runs, health checks, handoff's own hooks). Reads the event log only; prints nothing.
package enum SessionTimeline {
    /// What a mark on the axis stands for; each kind has its own lane.
    package enum Kind: String, CaseIterable, Sendable {
        case start, commit, push, block, override, compaction, handover, failure, end

        /// The lane's name, plural, as a person reads it.
        package var lane: String {
            switch self {
            case .start: return "start"
            case .commit: return "commits"
            case .push: return "pushes"
            case .block: return "blocks"
            case .override: return "let through"
            case .compaction: return "compactions"
            case .handover: return "handovers"
            case .failure: return "failures"
            case .end: return "end"
            }
        }

        /// One letter on the terminal's axis (ASCII: every terminal gives it one column).
        package var letter: Character {
            switch self {
            case .start: return "S"
            case .commit: return "C"
            case .push: return "P"
            case .block: return "B"
            case .override: return "O"
            case .compaction: return "K"
            case .handover: return "H"
            case .failure: return "F"
            case .end: return "E"
            }
        }

        /// ANSI colour for the terminal.
        var ansi: String {
            switch self {
            case .start, .end: return "2"
            case .commit: return "34"
            case .push: return "36"
            case .block, .failure: return "31"
            case .override: return "35"
            case .compaction: return "33"
            case .handover: return "32"
            }
        }
    }

    /// One moment: when (nil when the event carries no readable time), what, and the line that says it.
    package struct Mark: Sendable {
        package var at: Timestamp?
        package var kind: Kind
        /// One line of recorded text, not yet escaped for any output.
        package var summary: String
        package var event: Event
    }

    package struct Timeline: Sendable {
        package var session: String
        /// Oldest first, in the order the log recorded them.
        package var marks: [Mark]
        /// How many events of the session the timeline leaves out (tool runs that succeeded, file edits, …).
        package var otherEvents: Int
        /// Lines of the log that were not events.
        package var skippedLines: Int

        package var first: Timestamp? { marks.compactMap(\.at).min() }
        package var last: Timestamp? { marks.compactMap(\.at).max() }

        package func count(_ kind: Kind) -> Int { marks.count { $0.kind == kind } }
    }

    package enum LookupError: Error, CustomStringConvertible {
        case unsafeSession(String)
        case noSuchSession(String)

        package var description: String {
            switch self {
            case .unsafeSession(let id):
                return "\(TerminalText.escape(id)) is not a session id; `handoff log` lists the sessions that left a handover"
            case .noSuchSession(let id):
                return "no event recorded for session \(id) in this worktree; `handoff log` lists the sessions that left a handover"
            }
        }
    }

    /// The timeline of `session`, or of the session that recorded the newest event when nil; nil when no
    /// event names a session yet.
    package static func build(store: HandoffStore, session wanted: String?) throws(LookupError) -> Timeline? {
        if let wanted, !SessionID.isSafe(wanted) { throw .unsafeSession(wanted) }
        let read = store.events.readAll(includeRotated: true)
        guard let session = wanted ?? read.events.last(where: { $0.session != nil })?.session else { return nil }
        let events = read.events.filter { $0.session == session }
        if events.isEmpty {
            if let wanted { throw .noSuchSession(wanted) }
            return nil
        }
        var marks: [Mark] = []
        for event in events {
            guard let (kind, summary) = classify(event) else { continue }
            // `Event(json:)` stands a missing or unreadable `ts` in as the epoch: that time is unknown.
            let at = event.timestamp.milliseconds == 0 ? nil : event.timestamp
            marks.append(Mark(at: at, kind: kind, summary: summary, event: event))
        }
        return Timeline(session: session, marks: marks, otherEvents: events.count - marks.count, skippedLines: read.skippedLines)
    }

    /// Which lane an event belongs to and its one-line summary; nil for events the timeline leaves out.
    static func classify(_ event: Event) -> (Kind, String)? {
        func text(_ key: String) -> String? { event[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        func firstLine(_ value: String) -> String { String(value.split(whereSeparator: \.isNewline).first ?? "") }
        switch event.type {
        case EventType.sessionStart:
            var words = [text("source") ?? "started"]
            if let branch = text("branch") { words.append("on \(branch)") }
            if let head = text("head") { words.append("at \(head.prefix(7))") }
            return (.start, words.joined(separator: " "))
        case EventType.sessionEnd:
            var summary = "ended (\(text("reason") ?? "reason not given"))"
            if event["auto_saved"]?.boolValue == true { summary += ", state auto-saved" }
            return (.end, summary)
        case EventType.commit:
            let short = text("short") ?? text("sha").map { String($0.prefix(7)) } ?? "?"
            var summary = "\(short) \(firstLine(text("subject") ?? ""))"
            if let branch = text("branch") { summary += " (\(branch))" }
            return (.commit, summary)
        case EventType.push:
            let refs = event["refs"]?.arrayValue ?? []
            let names = refs.compactMap { $0["remote_ref"]?.stringValue.map { $0.replacingPrefix("refs/heads/", with: "") } }
            let counts = refs.map { $0["commits"]?.intValue }
            var summary = "\(text("remote") ?? "?") \(names.isEmpty ? "(no refs)" : names.joined(separator: ", "))"
            if !counts.isEmpty, counts.allSatisfy({ $0 != nil }) {
                let total = counts.reduce(0) { $0 + ($1 ?? 0) }
                summary += ", \(total) commit\(total == 1 ? "" : "s")"
            }
            if event["blocked"]?.boolValue == true { summary += " — refused by handoff.prepush.block" }
            return (.push, summary)
        case EventType.stopBlocked:
            let count = event["consecutive"]?.intValue.map { "#\($0): " } ?? ""
            let reason = firstLine((text("reason") ?? "reason not recorded").replacingPrefix("handoff: ", with: ""))
            return (.block, count + reason)
        case EventType.gateOverridden:
            let blocks = event["blocks"]?.intValue.map { "after \($0) block\($0 == 1 ? "" : "s")" } ?? "after its blocks"
            return (.override, "let through \(blocks) without a completed handover")
        case EventType.compaction:
            let trigger = text("trigger") ?? "trigger unknown"
            let count = event["count"]?.intValue.map { " #\($0)" } ?? ""
            return (.compaction, "compaction\(count) (\(trigger))")
        case EventType.handover where text("kind") == "reflection":
            var summary = "reflection accepted: \(text("outcome") ?? "outcome not recorded")"
            if let next = text("next_step") { summary += " — next: \(firstLine(next))" }
            return (.handover, summary)
        case EventType.handoffEnd:
            return (.handover, "handoff end: \(text("severity") ?? "severity not recorded")")
        case EventType.tool:
            // A failure is one the agent reported (`ok` false) or a non-zero exit status; an unknown
            // outcome is not shown as one.
            let code = event["exit_code"]?.intValue
            guard event["ok"]?.boolValue == false || (code ?? 0) != 0 else { return nil }
            let status = code.map { "exit \($0)" } ?? "failed"
            return (.failure, "\(text("class") ?? "tool") \(status): \(firstLine(text("command") ?? "?"))")
        case EventType.check where text("result") == "fail":
            let why = event["timed_out"]?.boolValue == true ? "timed out" : (event["exit_code"]?.intValue.map { "exit \($0)" } ?? "failed")
            return (.failure, "check \(text("name") ?? "?") \(why): \(firstLine(text("command") ?? "?"))")
        case EventType.hookError:
            return (.failure, "hook \(text("hook") ?? "?") failed: \(firstLine(text("error") ?? "?"))")
        case EventType.hookTimeout:
            return (.failure, "hook \(text("hook") ?? "?") gave up at its deadline and let the operation through")
        default:
            return nil
        }
    }

    // MARK: JSON

    package static func json(_ timeline: Timeline) -> JSONValue {
        let first = timeline.first
        let marks: [JSONValue] = timeline.marks.map { mark in
            .object(JSONObject([
                ("at", JSONValue(mark.at?.iso8601)),
                ("offset_seconds", mark.at.flatMap { at in first.map { .double(Double(at.milliseconds - $0.milliseconds) / 1000) } } ?? .null),
                ("kind", .string(mark.kind.rawValue)), ("summary", .string(mark.summary)), ("event", mark.event.json),
            ]))
        }
        let counts = JSONObject(Kind.allCases.map { ($0.rawValue, .int(timeline.count($0))) })
        return .object(JSONObject([
            ("session", .string(timeline.session)),
            ("first", JSONValue(first?.iso8601)), ("last", JSONValue(timeline.last?.iso8601)),
            ("duration_seconds", first.flatMap { first in timeline.last.map { .double(Double($0.milliseconds - first.milliseconds) / 1000) } } ?? .null),
            ("counts", .object(counts)), ("marks", .array(marks)),
            ("other_events", .int(timeline.otherEvents)), ("skipped_lines", .int(timeline.skippedLines)),
        ]))
    }

    // MARK: Terminal

    /// The timeline for a terminal `width` columns wide (at least 60): a header, one lane per kind with
    /// the marks placed by time, then every mark on its own line. Recorded text is escaped; colour comes
    /// only from `paint`.
    package static func text(_ timeline: Timeline, width requested: Int = 80, paint: (String, String) -> String) -> String {
        let width = max(60, requested)
        var lines: [String] = []
        let first = timeline.first, last = timeline.last
        lines.append(paint("Session \(TerminalText.escape(timeline.session))", "1"))
        if let first, let last {
            lines.append("\(clock(first, date: true)) → \(clock(last, date: !sameDay(first, last))) UTC · \(duration(last.milliseconds - first.milliseconds))")
        } else {
            lines.append("no mark of this session carries a readable time")
        }
        let counted = Kind.allCases.filter { $0 != .start && $0 != .end }.compactMap { kind -> String? in
            let count = timeline.count(kind)
            return count == 0 ? nil : "\(count) \(count == 1 ? singular(kind) : kind.lane)"
        }
        lines.append(counted.isEmpty ? "nothing but its start and end recorded" : counted.joined(separator: " · "))
        lines.append("")

        // The lanes: a label column, then the bar between two `|`.
        let labelWidth = 12
        let barWidth = width - labelWidth - 2
        if let first, let last {
            let span = max(last.milliseconds - first.milliseconds, 1)
            func column(_ at: Timestamp) -> Int {
                Int((Double(at.milliseconds - first.milliseconds) / Double(span) * Double(barWidth - 1)).rounded())
            }
            // Seconds on the axis only for a short session, where minutes alone would not move.
            let seconds = last.milliseconds - first.milliseconds < 600_000
            let left = clock(first, date: false, seconds: seconds), right = clock(last, date: false, seconds: seconds)
            lines.append(String(repeating: " ", count: labelWidth) + " " + left.padded(to: barWidth - right.count) + right)
            for kind in Kind.allCases where kind != .start && kind != .end && timeline.count(kind) > 0 {
                var cells = [Int](repeating: 0, count: barWidth)
                for mark in timeline.marks where mark.kind == kind { if let at = mark.at { cells[column(at)] += 1 } }
                let bar = cells.map { count -> String in
                    switch count {
                    case 0: return "-"
                    case 1: return String(kind.letter)
                    case 2...9: return String(count)
                    default: return "+"
                    }
                }.joined()
                lines.append(kind.lane.padded(to: labelWidth) + "|" + paint(bar, kind.ansi) + "|")
            }
            lines.append(String(repeating: " ", count: labelWidth) + " letters: one mark; digits: that many in one column")
            lines.append("")
        }

        // Every mark, one line each.
        let detailWidth = width - 8 - 2 - 7 - 2 - 11 - 1
        for mark in timeline.marks {
            let time = mark.at.map { clock($0, date: first.map { !sameDay($0, mark.at!) } ?? false) } ?? "time ?"
            let offset = mark.at.flatMap { at in first.map { "+" + duration(at.milliseconds - $0.milliseconds) } } ?? ""
            let summary = TerminalText.escape(mark.summary)
            let clipped = summary.count > detailWidth ? String(summary.prefix(detailWidth - 1)) + "…" : summary
            lines.append("\(time.padded(to: 8))  \(offset.padded(to: 7))  \(paint(kindLabel(mark.kind).padded(to: 11), mark.kind.ansi)) \(clipped)")
        }
        if timeline.otherEvents > 0 {
            lines.append("")
            lines.append("\(timeline.otherEvents) other event\(timeline.otherEvents == 1 ? "" : "s") of this session (tool runs, edits, …): handoff events --all")
        }
        return lines.joined(separator: "\n")
    }

    static func singular(_ kind: Kind) -> String {
        switch kind {
        case .commit: return "commit"
        case .push: return "push"
        case .block: return "block"
        case .override: return "let through"
        case .compaction: return "compaction"
        case .handover: return "handover"
        case .failure: return "failure"
        case .start: return "start"
        case .end: return "end"
        }
    }

    static func kindLabel(_ kind: Kind) -> String {
        kind == .override ? "let through" : singular(kind)
    }

    /// `12:40:03`, `12:40`, or `2026-12-03 12:40:03`, in UTC as the log records it.
    static func clock(_ at: Timestamp, date: Bool, seconds: Bool = true) -> String {
        let iso = at.iso8601  // 2026-12-03T12:40:03.123Z
        let time = String(iso.dropFirst(11).prefix(seconds ? 8 : 5))
        return date ? "\(iso.prefix(10)) \(time)" : time
    }

    static func sameDay(_ a: Timestamp, _ b: Timestamp) -> Bool { a.iso8601.prefix(10) == b.iso8601.prefix(10) }

    /// `0s`, `42s`, `5m`, `1h05m`, `2d03h`.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + (seconds % 60 == 0 || seconds >= 600 ? "" : String(format2(seconds % 60)) + "s") }
        if seconds < 86_400 { return "\(seconds / 3600)h" + format2((seconds % 3600) / 60) + "m" }
        return "\(seconds / 86_400)d" + format2((seconds % 86_400) / 3600) + "h"
    }

    static func format2(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
