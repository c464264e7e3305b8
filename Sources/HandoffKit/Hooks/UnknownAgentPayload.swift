/// A hook payload that no agent handoff knows sent (`AgentKind.identify` found none): it is never
/// read as another agent's, because a wrong reading gates the wrong way (a block the client ignores,
/// a session recorded under the wrong id). The hook lets the action through, saying nothing, and
/// records what arrived as an `unknown_agent` event, bounded and redacted, for `handoff doctor`.
package enum UnknownAgentPayload {
    /// How much of the payload is kept (after redaction), in bytes.
    package static let excerptBytes = 512
    /// How many top-level keys are listed, and how long each may be.
    static let keyCount = 24
    static let keyLength = 40

    /// Records the payload in the repository's store when it opted in (creating the store as a
    /// session start would); lets the action through.
    package static func setAside(_ context: AgentHookContext, hook: String) -> HookOutput {
        // Best effort: recording it is all there is to do, and the action goes on either way.
        if let store = (try? context.optedInStore(sessionStart: true))??.store { try? store.append(event(context, hook: hook)) }
        return .silent
    }

    static func event(_ context: AgentHookContext, hook: String) -> Event {
        let object = context.payload.object
        var fields: [(String, JSONValue)] = [("hook", .string(hook))]
        // Whatever the payload calls its event: the likely names, as the unknown agent may spell them.
        for key in ["hook_event_name", "hookEventName", "event_type", "eventType", "event", "event_name", "eventName", "type"] {
            if let name = object[key]?.stringValue {
                fields.append(("event", .string(bounded(Redactor.redact(name), 64))))
                break
            }
        }
        let keys = object.keys.prefix(keyCount).map { bounded(Redactor.redact($0), keyLength) }
        fields.append(("keys", .array(keys.map { .string($0) })))
        if object.keys.count > keyCount { fields.append(("keys_not_listed", .int(object.keys.count - keyCount))) }
        let text = JSONValue.object(object).compactText
        fields.append(("bytes", .int(text.utf8.count)))
        fields.append(("excerpt", .string(bounded(Redactor.redact(String(text.prefix(excerptBytes * 4))), excerptBytes))))
        // Names only, never values: which agent's variables the hook saw.
        let markers = context.environment.variables.keys
            .filter { name in agentVariablePrefixes.contains { name.hasPrefix($0) } }
            .sorted().prefix(12).map { JSONValue.string(bounded($0, keyLength)) }
        if !markers.isEmpty { fields.append(("agent_variables", .array(Array(markers)))) }
        if let index = context.input.arguments.firstIndex(of: AgentKind.argument), index + 1 < context.input.arguments.count {
            fields.append(("agent_argument", .string(bounded(context.input.arguments[index + 1], keyLength))))
        }
        return Event(type: EventType.unknownAgent, session: nil, at: context.now, fields)
    }

    /// Prefixes of the variables coding agents set for their hooks.
    static let agentVariablePrefixes = ["CLAUDE", "CODEX", "GROK", "VIBE", "MISTRAL", "OPENHANDS", "CURSOR", "KIMI", "GEMINI",
                                        "AIDER", "COPILOT", "WINDSURF", "QWEN", "OPENCODE", "AMP_", "CLINE", "CONTINUE_"]

    /// At most `limit` bytes of UTF-8, cut on a character boundary, with "…" when cut.
    static func bounded(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var bytes = Array(text.utf8.prefix(limit - 3))
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self) + "…"
    }
}
