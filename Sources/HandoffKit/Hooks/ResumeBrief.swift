/// The short text a new (or compacted) session starts with: where the last handover left things.
///
/// It reaches the model as SessionStart `additionalContext`, so it is kept under about 2,000
/// characters: the most useful facts first, every list cut short.
package enum ResumeBrief {
    package static let maximumCharacters = 2000

    /// Said at session start when `.handoff/` was missing from a repository that opted in.
    package static let wipedStoreNotice = "Note: .handoff/ was missing although this repository opted in (git config handoff.enabled), so it was created again: earlier handovers kept here are gone (git clean -x or git stash --all removes it)."

    package struct LastReflection: Sendable, Equatable {
        package var session: String?
        package var outcome: String
        package var nextStep: String
        package var at: Timestamp
    }

    /// The last accepted reflection, from the event log (bounded scan from its end).
    package static func lastReflection(store: HandoffStore) -> LastReflection? {
        guard let event = store.events.tail(1, matching: { $0.type == EventType.handover && $0["kind"]?.stringValue == "reflection" },
                                            scanLimit: 2 * 1024 * 1024).events.last
        else { return nil }
        return LastReflection(session: event.session, outcome: event["outcome"]?.stringValue ?? "?",
                              nextStep: event["next_step"]?.stringValue ?? "", at: event.timestamp)
    }

    /// What the brief carries beyond state.json: the task store, remembered discoveries, who handed over.
    package struct Extras: Sendable {
        /// Open tasks; nil when the store has none to read.
        package var tasks: TaskStore.Listing?
        package var memories: [Memory]
        /// The session that wrote the handover (state.json names the starting session once it began).
        package var handedOverBy: String?
        /// `_runtime.context_pct` of this session, when it is at or above the threshold.
        package var contextWarning: String?

        package init(tasks: TaskStore.Listing? = nil, memories: [Memory] = [], handedOverBy: String? = nil, contextWarning: String? = nil) {
            self.tasks = tasks
            self.memories = memories
            self.handedOverBy = handedOverBy
            self.contextWarning = contextWarning
        }

        /// Reads the task store and the memory log (both small; no libgit2).
        package static func read(store: HandoffStore, handedOverBy: String?) -> Extras {
            Extras(tasks: TaskStore(store: store).list(), memories: MemoryStore(store: store).all(), handedOverBy: handedOverBy)
        }
    }

    package static func build(state: HandoffState, branch: String?, lastReflection: LastReflection?, compaction: String? = nil,
                             shared: [String] = [], extras: Extras = Extras()) -> String {
        func cut(_ text: String, _ limit: Int) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        }
        var lines: [String] = []
        let hasHandover = state.source != .initial || lastReflection != nil || !shared.isEmpty
        if hasHandover {
            let severity = state.severity.map { "\($0.emoji) \($0.rawValue)" } ?? "severity not set"
            let from = (extras.handedOverBy ?? state.sessionID).map { " (by session \($0.prefix(8)))" } ?? ""
            lines.append("handoff — last handover: \(severity), source \(state.source.rawValue)\(from), branch \(branch ?? "unknown").")
        } else {
            lines.append("handoff — no handover recorded yet in this worktree (branch \(branch ?? "unknown")).")
        }
        // A handover shared from another clone: where it came from, its open tasks.
        lines += shared
        if let warning = extras.contextWarning { lines.append(warning) }
        if let compaction { lines.append(compaction) }
        // Most important first: the open tasks, the resume task at their head.
        if let listing = extras.tasks, !listing.open.isEmpty {
            let open = listing.openInBriefOrder
            let items = open.prefix(5).map { task -> String in
                let blockers = listing.openBlockers(of: task)
                let kind = task.hasLabel(HandoffTask.Label.resume) ? " [resume]" : (task.hasLabel(HandoffTask.Label.blocker) ? " [blocker]" : "")
                return "\(task.id)\(kind) \(cut(task.title, 90))" + (blockers.isEmpty ? "" : " (blocked by \(blockers.joined(separator: ", ")))")
            }
            let more = open.count > 5 ? "; \(open.count - 5) more: `handoff task list`" : ""
            lines.append("Open tasks (\(open.count)): " + items.joined(separator: "; ") + more)
        }
        if !state.resume.next.isEmpty { lines.append("Resume at: \(cut(state.resume.next, 240))") }
        if !state.resume.files.isEmpty { lines.append("Read first: \(cut(state.resume.files.prefix(8).joined(separator: ", "), 240))") }
        let openBlockers = state.blockers.filter { !$0.resolved }
        if !openBlockers.isEmpty {
            lines.append("Open blockers: " + openBlockers.prefix(3).map { blocker in
                cut(blocker.description, 120) + (blocker.task.map { " (\($0))" } ?? "")
            }.joined(separator: "; "))
        }
        if !extras.memories.isEmpty {
            lines.append("Discoveries: " + extras.memories.suffix(4).reversed().map { cut($0.text, 140) }.joined(separator: "; "))
        }
        if !state.sessionMemory.userIntent.isEmpty { lines.append("User intent: \(cut(state.sessionMemory.userIntent, 240))") }
        if !state.sessionMemory.activeContext.isEmpty { lines.append("Active context: \(cut(state.sessionMemory.activeContext, 200))") }
        if !state.resume.context.isEmpty { lines.append("Context: \(cut(state.resume.context, 300))") }
        if !state.failed.isEmpty {
            lines.append("Failed before (do not retry blindly): " + state.failed.prefix(3).map { item in
                cut(item.description, 100) + (OutputTail.lastLine(item.error).map { " — error: " + cut($0, 120) } ?? "")
                    + (item.why.map { " — why: " + cut($0, 100) } ?? "")
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
