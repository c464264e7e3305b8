/// The short text a new (or compacted) session starts with: where the last handover left things.
///
/// It reaches the model as SessionStart `additionalContext`, so it is kept under about 2,000
/// characters: the most useful facts first, every list cut short.
package enum ResumeBrief {
    package static let maximumCharacters = 2000

    /// Said at session start when `.handoff/` was missing from a repository that opted in.
    package static let wipedStoreNotice = "Note: .handoff/ was missing although this repository opted in (git config handoff.enabled), so it was created again: earlier handovers kept here are gone (git clean -x or git stash --all removes it)."

    /// The next step by NextStep's rule, from this worktree's log, state and tasks.
    package static func nextStep(store: HandoffStore, state: HandoffState, branch: String?, tasks: TaskStore.Listing?) -> NextStep? {
        NextStep.resolve(state: state, newest: NextStep.newestHandover(store: store, branch: branch), listing: tasks)
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

    package static func build(state: HandoffState, branch: String?, next: NextStep?, compaction: String? = nil,
                             shared: [String] = [], extras: Extras = Extras()) -> String {
        func cut(_ text: String, _ limit: Int) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        }
        // No fact twice: a text already said (case and spacing aside) is not said again.
        var said: Set<String> = []
        func fresh(_ text: String) -> Bool {
            said.insert(text.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")).inserted
        }
        var lines: [String] = []
        let hasHandover = state.source != .initial || next != nil || !shared.isEmpty
        if hasHandover {
            let severity = state.severity.map { "\($0.emoji) \($0.rawValue)" } ?? "severity not set"
            // Whole ids: a cut one can name two sessions (`manual-2…`).
            let from = (extras.handedOverBy ?? state.sessionID).map { " (by session \($0))" } ?? ""
            lines.append("handoff — last handover: \(severity), source \(state.source.rawValue)\(from), branch \(branch ?? "unknown").")
        } else {
            lines.append("handoff — no handover recorded yet in this worktree (branch \(branch ?? "unknown")).")
        }
        // A parked handover opens with what stopped it: the first thing to do.
        if let parked = next?.parked { lines.append("Parked: \(cut(parked, 300)) (the last session could not finish the handover; see its blocker task below).") }
        // A handover shared from another clone: where it came from (its open tasks follow the Next line).
        lines += shared.prefix(1)
        if let warning = extras.contextWarning { lines.append(warning) }
        if let compaction { lines.append(compaction) }
        // One story: exactly one next step, from the newest handover (NextStep's rule).
        if let next {
            lines.append(cut(next.line, 300))
            _ = fresh(next.text)
        }
        lines += shared.dropFirst()
        // Then the open tasks, the ones the next step names first; a title the Next line already says is not repeated.
        var listedTasks: Set<String> = []
        if let listing = extras.tasks, !listing.open.isEmpty {
            let named = next?.tasks ?? []
            let open = listing.openInBriefOrder.sorted { left, right in
                let l = named.firstIndex(of: left.id) ?? Int.max, r = named.firstIndex(of: right.id) ?? Int.max
                return l < r
            }
            let items = open.prefix(5).map { task -> String in
                listedTasks.insert(task.id)
                let blockers = listing.openBlockers(of: task)
                let kind = named.contains(task.id) ? " [next]"
                    : task.hasLabel(HandoffTask.Label.resume) ? " [resume]" : (task.hasLabel(HandoffTask.Label.blocker) ? " [blocker]" : "")
                // A resume task's title is "Resume: " and its resume point, which the Next line already says.
                let said = task.title.droppingPrefix("Resume: ").lowercased()
                let title = named.contains(task.id) && (next?.text.lowercased().contains(said) ?? false) ? "" : " " + cut(task.title, 90)
                return "\(task.id)\(kind)\(title)" + (blockers.isEmpty ? "" : " (blocked by \(blockers.joined(separator: ", ")))")
            }
            let more = open.count > 5 ? "; \(open.count - 5) more: `handoff task list`" : ""
            lines.append("Open tasks (\(open.count)): " + items.joined(separator: "; ") + more)
        }
        if !state.resume.files.isEmpty { lines.append("Read first: \(cut(state.resume.files.prefix(8).joined(separator: ", "), 240))") }
        // A blocker whose task is listed above is said there.
        let openBlockers = state.blockers.filter { !$0.resolved && !($0.task.map(listedTasks.contains) ?? false) && fresh($0.description) }
        if !openBlockers.isEmpty {
            lines.append("Open blockers: " + openBlockers.prefix(3).map { blocker in
                cut(blocker.description, 120) + (blocker.task.map { " (\($0))" } ?? "")
            }.joined(separator: "; "))
        }
        let memories = extras.memories.suffix(4).reversed().filter { fresh($0.text) }
        if !memories.isEmpty {
            lines.append("Discoveries: " + memories.map { cut($0.text, 140) }.joined(separator: "; "))
        }
        if !state.sessionMemory.userIntent.isEmpty, fresh(state.sessionMemory.userIntent) { lines.append("User intent: \(cut(state.sessionMemory.userIntent, 240))") }
        if !state.sessionMemory.activeContext.isEmpty, fresh(state.sessionMemory.activeContext) { lines.append("Active context: \(cut(state.sessionMemory.activeContext, 200))") }
        if !state.resume.context.isEmpty, fresh(state.resume.context) { lines.append("Context: \(cut(state.resume.context, 300))") }
        let failed = state.failed.filter { fresh($0.description) }
        if !failed.isEmpty {
            lines.append("Failed before (do not retry blindly): " + failed.prefix(3).map { item in
                cut(item.description, 100) + (OutputTail.lastLine(item.error).map { " — error: " + cut($0, 120) } ?? "")
                    + (item.why.map { " — why: " + cut($0, 100) } ?? "")
            }.joined(separator: "; "))
        }
        let watch = state.watchOutFor.filter(fresh)
        if !watch.isEmpty {
            lines.append("Watch out for: " + watch.prefix(3).map { cut($0, 120) }.joined(separator: "; "))
        }
        let corrections = state.sessionMemory.corrections.filter(fresh)
        if !corrections.isEmpty {
            lines.append("Corrections from the user: " + corrections.suffix(3).map { cut($0, 120) }.joined(separator: "; "))
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
