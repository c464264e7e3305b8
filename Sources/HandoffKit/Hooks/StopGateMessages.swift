/// How the stop gate words a refusal, in one place: what the gate found already done, what is
/// missing and how to fix it, and — on a session's first refusal, or after a reflection that did not
/// parse — the exact reflection to print, so a model that never saw /handoff:dump can comply at once.
extension StopGate {
    /// The four fields the gate accepts (see `Reflection`), in the form it parses.
    package static let reflectionTemplate = """
        ## Framework Reflection
        **Outcome**: success | partial | failure
        **Accomplishments**: what this session did, concretely
        **Friction points**: what got in the way, or none
        **Next step**: what comes next (for partial or failure, not "none")
        """

    /// "Done: committed ✓, pushed ✓." — only what git showed the gate; nil when nothing is done yet.
    static func doneLine(_ work: SessionWork) -> String? {
        var done: [String] = []
        if work.newUncommitted.isEmpty && work.uncommittedUnknown == nil { done.append("committed ✓") }
        switch work.unpushed {
        case 0? where work.hidden.isEmpty: done.append("pushed ✓")
        case nil where work.unpushedUnknown == nil: done.append("no remote to push to")
        default: break
        }
        return done.isEmpty ? nil : "Done: " + done.joined(separator: ", ") + "."
    }

    /// `reason` with the template appended when the model needs it.
    static func teaching(_ reason: String, facts: Facts, always: Bool = false) -> String {
        guard always || facts.runtime.totalBlocks == 0 else { return reason }
        return reason + "\nEnd your last message with these four lines, filled in:\n" + reflectionTemplate
    }
}
