/// Hooks fail open: whatever goes wrong inside handoff, git and the agent carry on.
/// The failure is said in one line on stderr and, where the store is writable, kept as a `hook_error` event.
package enum HookFailure {
    /// Records a `hook_error` event (best effort) and returns the one line to show the user.
    /// A repository that belongs to another user is named with the fix git gives (`safe.directory`).
    package static func record(hook: String, error: any Error, store: HandoffStore?, session: String? = nil, root: String? = nil) -> String {
        let message = (root ?? store?.layout.worktreeRoot).flatMap { StoreError.ownershipRefusal(error, root: $0)?.description } ?? "\(error)"
        if let store, store.exists {
            try? store.append(Event(type: "hook_error", session: session, [
                ("hook", .string(hook)),
                ("error", .string(Redactor.redact(message))),
            ]))
        }
        return "handoff: \(hook): \(message) (handoff let the operation continue; `handoff doctor` checks the setup)\n"
    }
}
