/// What an agent sends a hook on standard input, read leniently.
///
/// The payload is text we do not control: it may be malformed, huge, binary or have fields of the
/// wrong type. Nothing here traps; a field of the wrong type reads as missing, and a payload that is
/// not JSON at all reads as an empty one (the hooks then fail open). Claude Code 2.1.x and Codex
/// 0.163 name the shared fields alike (Tests/HandoffE2ETests/Support/CONTRACT.md and
/// CODEX-CONTRACT.md); what differs between them is read through the `AgentContract`.
public struct AgentHookPayload: Sendable {
    /// The parsed object; empty when the input was not a JSON object.
    public var object: JSONObject
    /// Why the input could not be read, when it could not (for the `hook_error` event).
    public var problem: String?

    public init(object: JSONObject = JSONObject(), problem: String? = nil) {
        self.object = object
        self.problem = problem
    }

    public static func parse(_ bytes: [UInt8]) -> AgentHookPayload {
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

    public func string(_ key: String) -> String? { object[key]?.stringValue }

    public var hookEventName: String? { string("hook_event_name") }
    public var sessionIDField: String? { string("session_id") }
    public var transcriptPath: String? { string("transcript_path") }
    public var cwd: String? { string("cwd") }
    /// SessionStart: startup, resume, clear or compact.
    public var source: String? { string("source") }
    /// Stop/SubagentStop: true when this stop follows a block.
    public var stopHookActive: Bool { object["stop_hook_active"]?.boolValue ?? false }
    public var lastAssistantMessage: String? { string("last_assistant_message") }
    public var agentType: String? { string("agent_type") }
    public var toolName: String? { string("tool_name") }
    public var toolInput: JSONObject { object["tool_input"]?.objectValue ?? JSONObject() }
    /// Claude Code's `tool_response` is an object; Codex's is the command's output as a string.
    public var toolResponse: JSONObject { object["tool_response"]?.objectValue ?? JSONObject() }
    public var toolResponseText: String? { string("tool_response") }
    /// Codex: the turn a Stop or tool event belongs to.
    public var turnID: String? { string("turn_id") }
    /// PostToolUseFailure: "Exit code N\n<output>".
    public var error: String? { string("error") }
    /// PreCompact: manual or auto.
    public var trigger: String? { string("trigger") }
    /// SessionEnd: why the session ended.
    public var reason: String? { string("reason") }

    /// The session this hook runs for: the payload's `session_id`, else the environment, in
    /// `SessionIdentity`'s order. Only an id that is safe as a file name is ever returned.
    public func sessionID(environment: Environment) -> String? {
        SessionIdentity.resolve(explicit: sessionIDField, environment: environment)
    }

    /// The exit code of a failed Bash call: the "Exit code N" prefix of `error` (there is no numeric field).
    public var failureExitCode: Int? {
        guard let error else { return nil }
        let prefix = "Exit code "
        guard error.hasPrefix(prefix) else { return nil }
        let digits = error.dropFirst(prefix.count).prefix { $0 == "-" || $0.isNumber }
        return Int(digits)
    }
}
