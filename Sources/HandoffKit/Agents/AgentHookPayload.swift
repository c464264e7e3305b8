/// What an agent sends a hook on standard input, read leniently.
///
/// The payload is text we do not control: it may be malformed, huge, binary or have fields of the
/// wrong type. Nothing here traps; a field of the wrong type reads as missing, and a payload that is
/// not JSON at all reads as an empty one (the hooks then fail open). Claude Code 2.1.x and Codex
/// 0.163 name the shared fields alike (Tests/HandoffE2ETests/Support/CONTRACT.md and
/// CODEX-CONTRACT.md); what differs between them is read through the `AgentContract`.
package struct AgentHookPayload: Sendable {
    /// The parsed object; empty when the input was not a JSON object.
    package var object: JSONObject
    /// Why the input could not be read, when it could not (for the `hook_error` event).
    package var problem: String?

    package init(object: JSONObject = JSONObject(), problem: String? = nil) {
        self.object = object
        self.problem = problem
    }

    package static func parse(_ bytes: [UInt8]) -> AgentHookPayload {
        if bytes.isEmpty { return AgentHookPayload(problem: "empty hook input") }
        do {
            let value = try JSONValue.parse(bytes)
            guard let object = value.objectValue else {
                return AgentHookPayload(problem: "hook input is \(value.typeName), not an object")
            }
            return AgentHookPayload(object: object)
        } catch {
            return AgentHookPayload(problem: "hook input is not JSON (\(error.reason) at byte \(error.offset))")
        }
    }

    package func string(_ key: String) -> String? { object[key]?.stringValue }

    package var hookEventName: String? { string("hook_event_name") }
    package var sessionIDField: String? { string("session_id") }
    package var transcriptPath: String? { string("transcript_path") }
    package var cwd: String? { string("cwd") }
    /// SessionStart: startup, resume, clear or compact.
    package var source: String? { string("source") }
    /// Stop/SubagentStop: true when this stop follows a block.
    package var stopHookActive: Bool { object["stop_hook_active"]?.boolValue ?? false }
    package var lastAssistantMessage: String? { string("last_assistant_message") }
    package var agentType: String? { string("agent_type") }
    package var toolName: String? { string("tool_name") }
    package var toolInput: JSONObject { object["tool_input"]?.objectValue ?? JSONObject() }
    /// Claude Code's `tool_response` is an object; Codex's is the command's output as a string.
    package var toolResponse: JSONObject { object["tool_response"]?.objectValue ?? JSONObject() }
    package var toolResponseText: String? { string("tool_response") }
    /// Codex: the turn a Stop or tool event belongs to.
    package var turnID: String? { string("turn_id") }
    /// PostToolUseFailure: "Exit code N\n<output>".
    package var error: String? { string("error") }
    /// PreCompact: manual or auto.
    package var trigger: String? { string("trigger") }
    /// SessionEnd: why the session ended.
    package var reason: String? { string("reason") }

    /// The session this hook runs for: the payload's `session_id`, else the environment, in
    /// `SessionIdentity`'s order. Only an id that is safe as a file name is ever returned.
    package func sessionID(environment: Environment) -> String? {
        SessionIdentity.resolve(explicit: sessionIDField, environment: environment)
    }

    /// The exit code of a failed Bash call: the "Exit code N" prefix of `error` (there is no numeric field).
    package var failureExitCode: Int? {
        guard let error else { return nil }
        let prefix = "Exit code "
        guard error.hasPrefix(prefix) else { return nil }
        let digits = error.dropFirst(prefix.count).prefix { $0 == "-" || $0.isNumber }
        return Int(digits)
    }
}
