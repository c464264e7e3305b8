/// Which session this is: the one resolver that agent hooks, git hooks, `handoff end` and task
/// origins all use, so that one process never credits two sessions.
///
/// Precedence, strongest first:
/// 1. an explicit id: the hook payload's `session_id`, `handoff end --session`;
/// 2. the agent's own variables (`CLAUDE_CODE_SESSION_ID`, `CODEX_THREAD_ID`: `AgentKind.sessionEnvironmentVariables`),
///    set by the running agent for exactly the commands it starts;
/// 3. `HANDOFF_SESSION_ID`, which handoff's session hook exports into the agent's shell: inherited
///    by anything started below it, so an agent nested in another agent's shell sees the outer
///    session here and its own in (2), which wins;
/// 4. `CLAUDE_SESSION_ID` (older Claude Code builds).
/// Only ids safe as file names count (`SessionID.isSafe`); an unsafe one is skipped, not trusted.
package enum SessionIdentity {
    /// The environment variables, in precedence order.
    package static var environmentVariables: [String] {
        AgentKind.sessionEnvironmentVariables + ["HANDOFF_SESSION_ID", "CLAUDE_SESSION_ID"]
    }

    package static func resolve(explicit: String?, environment: Environment) -> String? {
        if let explicit, SessionID.isSafe(explicit) { return explicit }
        return fromEnvironment(environment)
    }

    package static func fromEnvironment(_ environment: Environment) -> String? {
        for name in environmentVariables {
            if let value = environment[name], SessionID.isSafe(value) { return value }
        }
        return nil
    }
}
