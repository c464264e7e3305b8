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

    /// Which agent runs this session: `HANDOFF_AGENT` when set (scripts and other MCP clients name
    /// themselves); else the agent whose own session variable is set (`CLAUDE_CODE_SESSION_ID`: Claude
    /// Code, which also passes it to the MCP servers it starts; `CODEX_THREAD_ID`: Codex); else the
    /// markers an agent sets in the shells it starts (`CLAUDECODE=1`, `CODEX_SANDBOX`). Nil when nothing says.
    package static func agent(environment: Environment) -> String? {
        if let named = environment["HANDOFF_AGENT"]?.trimmed, !named.isEmpty { return String(named.prefix(64)) }
        for kind in AgentKind.allCases {
            if kind.contract.sessionEnvironmentVariables.contains(where: { environment[$0].map(SessionID.isSafe) == true }) {
                return kind.rawValue
            }
        }
        if environment["CLAUDECODE"] == "1" { return AgentKind.claudeCode.rawValue }
        if environment["CODEX_SANDBOX"] != nil { return AgentKind.codex.rawValue }
        return nil
    }

    /// Who files a task or a memory: the session and its agent, as above.
    package struct Origin: Sendable, Equatable {
        package var session: String?
        package var agent: String?
    }

    package static func origin(explicit: String? = nil, environment: Environment) -> Origin {
        Origin(session: resolve(explicit: explicit, environment: environment), agent: agent(environment: environment))
    }
}
