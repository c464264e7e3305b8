/// The stop gate's rule for a reflection's **Next step**: follow-ups must exist as tasks.
///
/// A partial or failure outcome leaves work behind, so its Next step names at least one open task
/// of this store (`ho-…`), or an id of the team's own tracker matching
/// `git config handoff.tasks.external REGEX`. An id that names no task of this store is refused,
/// whatever the outcome, with the open tasks listed. A success may say "none".
/// Kept apart from the reflection's parsing and from the gate's wording, which change for other reasons.
package enum FollowUpCheck {
    package struct Facts: Sendable {
        /// The store's tasks (nil when they could not be read: the rule is then not applied).
        package var listing: TaskStore.Listing?
        /// `handoff.tasks.external`, as configured.
        package var externalPattern: String?

        package init(listing: TaskStore.Listing?, externalPattern: String? = nil) {
            self.listing = listing
            self.externalPattern = externalPattern
        }
    }

    package enum Verdict: Sendable, Equatable {
        case accepted
        /// The Next step does not name a follow-up that exists; the reason says what to do.
        case refused(reason: String)
    }

    /// The exact command that creates a task, shown in every refusal.
    package static let createCommand = #"handoff task add "what is left to do" --body "details""#

    package static func judge(_ reflection: Reflection, _ facts: Facts) -> Verdict {
        guard let listing = facts.listing else { return .accepted }
        let next = reflection.nextStep
        let mentioned = TaskID.mentions(in: next)
        let unknown = mentioned.filter { listing.task($0) == nil }
        let closed = mentioned.filter { listing.task($0).map { !$0.isOpen } ?? false }
        let open = mentioned.filter { listing.task($0)?.isOpen ?? false }
        let external = externalPatternMatches(next, pattern: facts.externalPattern)

        func openTasks() -> String {
            let summary = TaskFormatter.openSummary(listing)
            return summary == "none" ? "This store has no open tasks" : "Open tasks: \(summary)"
        }
        if !unknown.isEmpty {
            let names = unknown.count == 1 ? "a task that does not exist" : "tasks that do not exist"
            return .refused(reason: "handoff: the Next step names \(names): \(EnglishList.join(unknown)). \(openTasks()). Name one of them, or create the follow-up first (`\(createCommand)` prints its id), then print the Framework Reflection again.")
        }
        guard reflection.outcome != .success else { return .accepted }
        if !open.isEmpty || external { return .accepted }
        let why = closed.isEmpty
            ? "the outcome is \(reflection.outcome.rawValue), so the Next step must name the follow-up task(s) left for the next session"
            : "the Next step names only done tasks (\(closed.joined(separator: ", "))); an outcome of \(reflection.outcome.rawValue) needs an open follow-up"
        var reason = "handoff: \(why). Create one for each piece of outstanding work (`\(createCommand)` prints its id), or name an open one. \(openTasks())."
        if let pattern = facts.externalPattern, !pattern.trimmed.isEmpty {
            switch Result(catching: { () throws(BoundedPattern.Invalid) in try BoundedPattern(pattern.trimmed) }) {
            case .success: reason += " Ids of your tracker matching `\(pattern.trimmed)` count too."
            case .failure(let invalid): reason += " (handoff.tasks.external is set but unusable — \(invalid.reason); `handoff doctor` says more.)"
            }
        }
        return .refused(reason: reason + " Then print the Framework Reflection again with those ids in **Next step**.")
    }

    /// Whether the text names an id of the team's tracker: a non-empty match of the pattern, run by
    /// `BoundedPattern` (linear in the text, whatever the pattern). False when there is no pattern or
    /// it is outside the safe subset (`handoff doctor` reports that).
    static func externalPatternMatches(_ text: String, pattern: String?) -> Bool {
        guard let pattern, !pattern.trimmed.isEmpty,
            let compiled = try? BoundedPattern(pattern.trimmed)  // an unusable pattern matches nothing; doctor names why
        else { return false }
        return compiled.hasNonEmptyMatch(in: text)
    }
}
