/// Merging two clones' handover histories of one branch: never an overwrite.
///
/// Both histories stay reachable (a merge commit with both tips as parents, so `handoff log` lists
/// every handover of either side). The newest handover (by its time; ties by clone id, so every clone
/// picks the same one) becomes the merged tree's state. Tasks merge by id against the common
/// ancestor's list: a task changed on one side only takes that change; one changed on both sides
/// resolves by a fixed rule (closed wins over open, else the newer handover's version), and the
/// merge says so in its notes and commit message.
package enum HandoverMerge {
    package struct Outcome: Sendable, Equatable {
        package enum Kind: String, Sendable { case upToDate = "up to date", fastForward = "fast-forward", merged, adopted }
        package var kind: Kind
        package var commit: String
        package var notes: [String]
    }

    /// Statuses that close a task (the task store's words).
    static let closedStatuses: Set = ["closed", "done", "resolved", "cancelled", "canceled"]

    static func isClosed(_ task: JSONValue) -> Bool {
        closedStatuses.contains(task["status"]?.stringValue?.lowercased() ?? "")
    }

    /// Merges `theirs` (a fetched tip) into `ours` (the local ref's tip, nil when there is none) and
    /// returns the commit the local ref should point at. Writes objects only; moves no ref.
    package static func merge(ours: String?, theirs: String, refs: HandoverRefs) throws(GitCLIError) -> Outcome {
        guard let ours else { return Outcome(kind: .adopted, commit: theirs, notes: []) }
        if ours == theirs { return Outcome(kind: .upToDate, commit: ours, notes: []) }
        if refs.isAncestor(theirs, of: ours) == true { return Outcome(kind: .upToDate, commit: ours, notes: []) }
        if refs.isAncestor(ours, of: theirs) == true { return Outcome(kind: .fastForward, commit: theirs, notes: []) }

        let base = refs.git.run(["merge-base", ours, theirs]).line
        let found = refs.readAll([ours, theirs] + (base.isEmpty ? [] : [base]))
        let read = found.handovers
        guard let mine = read[ours], let other = read[theirs] else {
            let bad = read[ours] == nil ? ours : theirs
            throw GitCLIError(command: "cat-file", reason: "the handover \(bad.prefix(12)) cannot be read (\(found.unreadable[bad] ?? "no readable origin.json")); it was not merged")
        }
        let newest = SharedHandover.Origin.isNewer(other.origin, than: mine.origin) ? other : mine
        let older = newest == other ? mine : other
        var merged = newest
        let (tasks, notes) = mergeTasks(base: base.isEmpty ? nil : read[base]?.tasks, ours: mine, theirs: other)
        merged.tasks = tasks
        var message = "handover merge: \(newest.origin.summary) is the state; \(older.origin.summary) stays in the history\n"
        if !notes.isEmpty { message += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        let commit = try refs.commit(merged, parents: [ours, theirs], message: message)
        return Outcome(kind: .merged, commit: commit, notes: notes)
    }

    /// Tasks by id, against the common ancestor's list `base`: a task changed on one side only takes
    /// that change; one changed on both sides resolves by `TaskStore.resolve` (the later update), except
    /// that a close wins over an edit: the closed version is kept, stamped with the later update time so
    /// that every task store that merges it keeps it closed. A task missing on one side is kept, unless
    /// that side dropped it from its shared list while the other left it as the ancestor had it. The
    /// result is sorted by id (the same bytes on every clone).
    package static func mergeTasks(base: [JSONValue]?, ours: SharedHandover, theirs: SharedHandover) -> (tasks: [JSONValue]?, notes: [String]) {
        guard let oursTasks = ours.tasks else { return (theirs.tasks, []) }
        guard let theirsTasks = theirs.tasks else { return (oursTasks, []) }
        func byID(_ list: [JSONValue]?) -> [String: JSONValue] {
            var result: [String: JSONValue] = [:]
            for task in list ?? [] { if let id = task["id"]?.stringValue { result[id] = task } }
            return result
        }
        let baseTasks = byID(base), mine = byID(oursTasks), other = byID(theirsTasks)
        var notes: [String] = []
        var result: [JSONValue] = []
        for id in Set(mine.keys).union(other.keys).sorted() {
            let o = baseTasks[id]
            guard let a = mine[id] else {
                if let b = other[id], b != o { result.append(b) }
                continue
            }
            guard let b = other[id] else {
                if a != o { result.append(a) }
                continue
            }
            if a == b || b == o { result.append(a); continue }
            if a == o { result.append(b); continue }
            // Changed on both sides.
            let aClosed = isClosed(a), bClosed = isClosed(b)
            if aClosed != bClosed {
                var closed = aClosed ? a : b
                let later = [a["updated_at"]?.stringValue, b["updated_at"]?.stringValue].compactMap { $0 }.max()
                if let later, var object = closed.objectValue {
                    object["updated_at"] = .string(later)
                    closed = .object(object)
                }
                result.append(closed)
                let closer = aClosed ? ours.origin : theirs.origin
                let editor = aClosed ? theirs.origin : ours.origin
                notes.append("task \(id): closed on \(closer.host) and edited on \(editor.host); kept closed (a close wins over an edit)")
            } else if let left = try? HandoffTask(json: a), let right = try? HandoffTask(json: b) {
                let winner = TaskStore.resolve(left, right)
                result.append(winner == left ? a : b)
                let from = winner == left ? ours.origin : theirs.origin
                notes.append("task \(id): changed on both \(ours.origin.host) and \(theirs.origin.host); kept the later update (from \(from.summary))")
            } else {
                let oursIsNewer = SharedHandover.Origin.isNewer(ours.origin, than: theirs.origin)
                result.append(oursIsNewer ? a : b)
                notes.append("task \(id): changed on both \(ours.origin.host) and \(theirs.origin.host); kept the newer handover's version")
            }
        }
        return (result, notes)
    }
}
