/// The answers a Claude Code hook can give, rendered as the JSON the client reads on stdout.
///
/// Observed behaviour (CONTRACT.md §4): a Stop `block` keeps the turn going and its `reason` reaches
/// the model; `systemMessage` is shown to the user only; SessionStart's `additionalContext` reaches
/// the model as a system message.
public enum ClaudeHookOutput {
    /// Let the action go on, saying nothing.
    public static let allow = HookOutput.silent

    /// Stop/SubagentStop: do not end the turn; `reason` is what the model reads.
    public static func block(reason: String, systemMessage: String? = nil) -> HookOutput {
        var object = JSONObject([("decision", "block"), ("reason", .string(reason))])
        if let systemMessage { object["systemMessage"] = .string(systemMessage) }
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }

    /// Let the action go on and tell the user (not the model) something.
    public static func systemMessage(_ message: String) -> HookOutput {
        HookOutput(standardOutput: JSONValue.object(JSONObject([("systemMessage", .string(message))])).compactText + "\n")
    }

    /// Add text to the model's context (SessionStart, and other events that accept it).
    public static func additionalContext(event: String, _ context: String, systemMessage: String? = nil) -> HookOutput {
        var object = JSONObject([
            ("hookSpecificOutput", .object(JSONObject([
                ("hookEventName", .string(event)),
                ("additionalContext", .string(context)),
            ]))),
        ])
        if let systemMessage { object["systemMessage"] = .string(systemMessage) }
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }
}
