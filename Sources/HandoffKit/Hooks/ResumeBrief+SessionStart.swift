/// The brief exactly as a starting session is given it, shared by the session hook and `handoff brief`
/// so that what the command shows is what the next session will be told.
extension ResumeBrief {
    /// A newer handover of this branch fetched from another clone (sharing on) is the one to resume
    /// from; otherwise this worktree's state and its last reflection.
    package static func forSessionStart(store: HandoffStore, state: HandoffState, repository: GitRepository?, head: HeadState?,
                                       environment: Environment, compaction: String?,
                                       handedOverBy: String? = nil, contextWarning: String? = nil) -> String {
        if let branch = head?.branchName, let repository,
            let shared = ShareBrief.newestFromElsewhere(root: store.layout.worktreeRoot, environment: environment,
                                                        settings: ShareSettings.read { repository.configString($0) },
                                                        remotes: repository.remoteNames(), branch: branch),
            // A shared handover this build cannot read is left out of the brief; the local one still is.
            let sharedState = shared.state.flatMap({ try? HandoffState(json: $0) }) {
            let next = NextStep.resolveShared(state: sharedState, kind: shared.origin.kind.rawValue, session: shared.origin.session,
                                              outcome: shared.origin.outcome, reflection: shared.reflection)
            let lines = [ShareBrief.originLine(shared)] + (ShareBrief.openTasksLine(shared, first: next?.tasks ?? []).map { [$0] } ?? [])
            return build(state: sharedState, branch: head?.label, next: next, compaction: compaction, shared: lines)
        }
        var extras = Extras.read(store: store, handedOverBy: handedOverBy ?? state.sessionID)
        extras.contextWarning = contextWarning
        let next = nextStep(store: store, state: state, branch: head?.branchName, tasks: extras.tasks)
        return build(state: state, branch: head?.label, next: next, compaction: compaction, extras: extras)
    }
}
