/// What a new session learns from handovers made elsewhere, without touching the network: the refs
/// already here (`refs/handoff/<branch>`, and `refs/handoff-remotes/<remote>/<branch>` that `git
/// fetch` fills through the refspec `handoff share on` adds). A session start never fetches: a hook
/// that waits on a remote can stall the agent's first turn, and prompts for credentials nobody sees.
package enum ShareBrief {
    /// The newest handover of `branch` across this clone's refs, when it was made by another clone
    /// (the newest one here is this clone's own: the local state says it already). One `cat-file`.
    package static func newestFromElsewhere(root: String, environment: Environment, settings: ShareSettings,
                                           remotes: [String], branch: String) -> SharedHandover? {
        guard settings.enabled else { return nil }
        let refs = HandoverRefs(root: root, environment: environment)
        let candidates = [ShareSettings.localRef(branch: branch)]
            + remotes.map { ShareSettings.trackingRef(remote: $0, branch: branch) }
        let found = refs.read(candidates).values
        guard let newest = found.max(by: { SharedHandover.Origin.isNewer($1.origin, than: $0.origin) }),
            newest.origin.clone != settings.clone
        else { return nil }
        return newest
    }

    /// The brief's line naming where the handover came from.
    package static func originLine(_ handover: SharedHandover) -> String {
        let outcome = handover.origin.outcome.map { ", outcome \($0)" } ?? ""
        return "This handover came from another clone: \(handover.origin.summary), \(handover.origin.kind.rawValue)\(outcome)."
    }

    /// "Open tasks: ho-1a2b fix the parser; …" from a shared tree's tasks, nil when none are open.
    /// `first`: the ids the next step names, listed first.
    package static func openTasksLine(_ handover: SharedHandover, first: [String] = []) -> String? {
        let open = (handover.tasks ?? []).filter { !HandoverMerge.isClosed($0) }.enumerated().sorted { left, right in
            let l = left.element["id"]?.stringValue.flatMap(first.firstIndex(of:)) ?? Int.max
            let r = right.element["id"]?.stringValue.flatMap(first.firstIndex(of:)) ?? Int.max
            return l != r ? l < r : left.offset < right.offset
        }.map(\.element)
        guard !open.isEmpty else { return nil }
        let shown = open.prefix(5).map { task in
            let id = task["id"]?.stringValue ?? "?"
            let title = task["title"]?.stringValue ?? task["text"]?.stringValue ?? ""
            return title.isEmpty ? id : "\(id) \(title.prefix(100))"
        }
        return "Open tasks: " + shown.joined(separator: "; ") + (open.count > 5 ? "; and \(open.count - 5) more" : "")
    }
}
