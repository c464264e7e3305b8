/// One resume task per branch, and only while the newest handover stands behind it.
///
/// When a handover lands on a branch, every other open resume task of that branch (or one filed
/// before resume tasks named their branch) that the handover does not name is closed as superseded,
/// with a note naming the handover; a superseded resume task the handover names is opened again.
/// The brief, `handoff show` and the shared copy then never offer two places to resume from.
package enum ResumeTasks {
    package struct Settled: Sendable, Equatable {
        package var superseded: [String] = []
        package var reopened: [String] = []
    }

    /// `named`: the task ids the handover names (a reflection's Next step, a `handoff end`'s resume task).
    /// `supersededBy`: what closed tasks record as `superseded_by` (the new resume task's id, or the
    /// handover); `what`: the handover, as the notes name it.
    @discardableResult
    package static func settle(store: HandoffStore, branch: String?, named: [String], supersededBy: String, by what: String,
                               now: Timestamp = .now()) throws(TaskError) -> Settled {
        let tasks = TaskStore(store: store)
        let listing = tasks.list(now: now)
        var settled = Settled()
        for task in listing.tasks where task.hasLabel(HandoffTask.Label.resume) {
            let taskBranch = task.metadata["branch"]?.stringValue
            guard taskBranch == nil || branch == nil || taskBranch == branch else { continue }
            if named.contains(task.id) {
                guard !task.isOpen, task.metadata["superseded_by"] != nil else { continue }
                try tasks.update(task.id, now: now) { task in
                    task.status = .open
                    task.metadata["superseded_by"] = nil
                    task.body += "\n\nReopened: named again by \(what)."
                }
                settled.reopened.append(task.id)
            } else if task.isOpen {
                try tasks.update(task.id, now: now) { task in
                    task.status = .done
                    task.metadata["superseded_by"] = .string(supersededBy)
                    let note = "Superseded by \(what)."
                    task.body = task.body.isEmpty ? note : task.body + "\n\n" + note
                }
                settled.superseded.append(task.id)
            }
        }
        return settled
    }
}
