/// The cap on a branch's shared history (`git config handoff.shareKeep N`, default 100): when
/// `refs/handoff/<branch>` holds more than N handovers, it is rewritten as a fresh chain of the
/// newest N (oldest first, merges left out, each handover once), so fetch and push stay bounded
/// however long a branch lives.
///
/// Only `refs/handoff/<branch>` moves (compare-and-swap), and `refs/handoff-rewritten/<branch>`
/// remembers the tip the chain replaced; no branch, tag, HEAD, index or working tree is touched.
/// The new commits are made from the handovers' own content, identity and time, so every clone that
/// caps the same handovers makes the same commits. The remote's copy is replaced on the next push
/// only when it holds nothing the rewrite did not see (its tip is an ancestor of the replaced one:
/// `--force-with-lease` on exactly that tip); otherwise the push merges as always, and the next cap
/// shortens the merged history again.
package enum ShareHistoryCap {
    package static let rewrittenPrefix = "refs/handoff-rewritten/"

    package static func rewrittenRef(branch: String) -> String { rewrittenPrefix + branch }

    package struct Rewrite: Sendable, Equatable {
        package var ref: String
        package var old: String
        package var new: String
        /// Handovers before and after.
        package var before: Int
        package var kept: Int
    }

    /// Caps `refs/handoff/<branch>` at `keep` handovers; nil when it is within the cap (or moved under us).
    package static func apply(refs: HandoverRefs, branch: String, keep: Int) throws(GitCLIError) -> Rewrite? {
        guard keep > 0 else { return nil }
        let ref = ShareSettings.localRef(branch: branch)
        guard let tip = refs.resolve(ref) else { return nil }
        let count = Int(try refs.git.checked(["rev-list", "--count", "--no-merges", tip, "--"]).line) ?? 0
        guard count > keep else { return nil }
        // Newest first; a handover merged in twice (the same origin, other commits) counts once.
        let history = try refs.history(refs: [tip], limit: 0)
        var seen = Set<String>()
        var newest: [SharedHandover] = []
        // An unreadable commit (a file over its cap, a tree for a file) is not carried into the capped
        // chain: it still sits in the replaced history, which the rewritten-ref marker keeps.
        for handover in history.compactMap(\.handover) {
            let origin = handover.origin
            guard seen.insert("\(origin.clone)|\(origin.session ?? "")|\(origin.kind.rawValue)|\(origin.at.milliseconds)").inserted else { continue }
            newest.append(handover)
            if newest.count == keep { break }
        }
        guard newest.count < count else { return nil }
        var parent: String?
        for handover in newest.reversed() {
            parent = try refs.commit(handover, parents: parent.map { [$0] } ?? [])
        }
        guard let new = parent else { return nil }
        // Compare-and-swap: a handover recorded meanwhile wins; the next one caps again.
        guard refs.update(ref, to: new, from: tip, reason: "handoff: history capped at \(keep) handovers") else { return nil }
        // The first replaced tip is kept: it is what the remote may still hold.
        let marker = rewrittenRef(branch: branch)
        if refs.resolve(marker) == nil || refs.isAncestor(refs.resolve(marker)!, of: tip) == true {
            _ = refs.git.run(["update-ref", "-m", "handoff: history capped", marker, tip])
        }
        return Rewrite(ref: ref, old: tip, new: new, before: count, kept: newest.count)
    }
}
