/// The short text a new (or compacted) session starts with: where the last handover left things.
///
/// It reaches the model as SessionStart `additionalContext`, so it is kept under about 2,000
/// characters: the most useful facts first, every list cut short.
public enum ResumeBrief {
    public static let maximumCharacters = 2000

    /// Said at session start when `.handoff/` was missing from a repository that opted in.
    public static let wipedStoreNotice = "Note: .handoff/ was missing although this repository opted in (git config handoff.enabled), so it was created again: earlier handovers kept here are gone (git clean -x or git stash --all removes it)."

    public struct LastReflection: Sendable, Equatable {
        public var session: String?
        public var outcome: String
        public var nextStep: String
        public var at: Timestamp
    }

    /// The last accepted reflection, from the event log (bounded scan from its end).
    public static func lastReflection(store: HandoffStore) -> LastReflection? {
        guard let event = store.events.tail(1, matching: { $0.type == EventType.handover && $0["kind"]?.stringValue == "reflection" },
                                            scanLimit: 2 * 1024 * 1024).events.last
        else { return nil }
        return LastReflection(session: event.session, outcome: event["outcome"]?.stringValue ?? "?",
                              nextStep: event["next_step"]?.stringValue ?? "", at: event.timestamp)
    }

    public static func build(state: HandoffState, branch: String?, lastReflection: LastReflection?, compaction: String? = nil,
                             shared: [String] = []) -> String {
        func cut(_ text: String, _ limit: Int) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        }
        var lines: [String] = []
        let hasHandover = state.source != .initial || lastReflection != nil || !shared.isEmpty
        if hasHandover {
            let severity = state.severity.map { "\($0.emoji) \($0.rawValue)" } ?? "severity not set"
            let from = state.sessionID.map { " (session \($0.prefix(8)))" } ?? ""
            lines.append("handoff — last handover: \(severity), source \(state.source.rawValue)\(from), branch \(branch ?? "unknown").")
        } else {
            lines.append("handoff — no handover recorded yet in this worktree (branch \(branch ?? "unknown")).")
        }
        // A handover shared from another clone: where it came from, its open tasks.
        lines += shared
        if let compaction { lines.append(compaction) }
        if !state.resume.next.isEmpty { lines.append("Resume at: \(cut(state.resume.next, 240))") }
        if !state.resume.files.isEmpty { lines.append("Read first: \(cut(state.resume.files.prefix(8).joined(separator: ", "), 240))") }
        if !state.resume.context.isEmpty { lines.append("Context: \(cut(state.resume.context, 300))") }
        let openBlockers = state.blockers.filter { !$0.resolved }
        if !openBlockers.isEmpty {
            lines.append("Open blockers: " + openBlockers.prefix(3).map { cut($0.description, 120) }.joined(separator: "; "))
        }
        if !state.failed.isEmpty {
            lines.append("Failed before (do not retry blindly): " + state.failed.prefix(3).map { item in
                cut(item.description, 100) + (item.why.map { " — why: " + cut($0, 100) } ?? "")
            }.joined(separator: "; "))
        }
        if !state.watchOutFor.isEmpty {
            lines.append("Watch out for: " + state.watchOutFor.prefix(3).map { cut($0, 120) }.joined(separator: "; "))
        }
        if !state.sessionMemory.corrections.isEmpty {
            lines.append("Corrections from the user: " + state.sessionMemory.corrections.suffix(3).map { cut($0, 120) }.joined(separator: "; "))
        }
        if let lastReflection {
            lines.append("Last reflection (\(lastReflection.outcome), \(lastReflection.at.iso8601.prefix(16))): Next step: \(cut(lastReflection.nextStep, 200))")
        }
        lines.append("Before you stop: commit and push your work, then print the Framework Reflection (/handoff:dump), or run /handoff:handoff-end.")
        var text = lines.joined(separator: "\n")
        if text.count > maximumCharacters {
            // Keep the closing instruction; cut the middle.
            let closing = "\n" + lines.last!
            text = String(text.prefix(maximumCharacters - closing.count - 1)) + "…" + closing
        }
        return text
    }
}
