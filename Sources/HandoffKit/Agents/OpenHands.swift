/// The OpenHands CLI's hook contract, as openhands 1.16.0 (OpenHands SDK 1.21) behaves, run headless
/// against a loopback model; the SDK's `openhands/sdk/hooks` is where it is decided.
///
/// Hooks are Claude Code's format in `<workdir>/.openhands/hooks.json`, or else
/// `~/.openhands/hooks.json`: only the first of the two that exists is read, never both. Events:
/// SessionStart, SessionEnd, UserPromptSubmit, PreToolUse, PostToolUse, Stop. The payload names
/// the event `event_type` and the folder `working_dir`, and has no transcript path and no last
/// message (`message` is null at a Stop); the environment has `OPENHANDS_SESSION_ID` and
/// `OPENHANDS_EVENT_TYPE`. A Stop is refused by exit 0 with `{"decision":"deny","reason":…}` (or
/// exit 2): the reason reaches the model as `[Stop hook feedback] <reason>`. `{"decision":"block"}`
/// is not an answer OpenHands knows: the agent just stops. It has no cap on refused stops and
/// never says a stop follows one: handoff's cap is the only one. SessionStart's output is not
/// shown to the model.
///
/// The conversation is kept as one JSON file per event in
/// `$OPENHANDS_CONVERSATIONS_DIR` (default `$OPENHANDS_PERSISTENCE_DIR/conversations`,
/// `~/.openhands/conversations`)`/<session id without dashes>/events/event-NNNNN-<id>.json`,
/// each written before the next step: the agent's last message is read from there.
package struct OpenHandsContract: AgentContract {
    package init() {}

    package var kind: AgentKind { .openHands }
    package var displayName: String { "OpenHands" }
    package var sessionEnvironmentVariables: [String] { [] }
    package var capsConsecutiveStopBlocks: Bool { false }

    /// The procedures, as OpenHands skills of these names (`handoff install --openhands`).
    package static let dumpSkill = "handoff-dump"
    package static let endSkill = "handoff-end"

    /// The events of OpenHands' hooks, as its payload names them.
    package enum Event: String, Sendable, CaseIterable {
        case preToolUse = "PreToolUse"
        case postToolUse = "PostToolUse"
        case userPromptSubmit = "UserPromptSubmit"
        case sessionStart = "SessionStart"
        case sessionEnd = "SessionEnd"
        case stop = "Stop"
    }

    /// True for payloads only OpenHands sends: `event_type` and `working_dir` where the others
    /// send `hook_event_name` and `cwd`; or its own variable in the environment.
    package static func recognises(_ payload: AgentHookPayload, environment: Environment) -> Bool {
        if payload.hookEventName == nil, payload.string("event_type").flatMap(Event.init(rawValue:)) != nil { return true }
        return payload.hookEventName == nil && environment["OPENHANDS_EVENT_TYPE"] != nil
    }

    package func allow() -> HookOutput { .silent }

    /// `deny`, never `block`: OpenHands ignores `block` and lets the agent stop.
    package func block(reason: String) -> HookOutput {
        let object = JSONObject([("decision", "deny"), ("reason", .string(reason))])
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }

    /// OpenHands shows a hook's output only in its event log (`HookExecutionEvent`); the message
    /// goes to standard error, which it keeps there too.
    package func notice(_ message: String) -> HookOutput { HookOutput(standardError: message + "\n") }

    /// OpenHands does not pass SessionStart's output to the model.
    package func additionalContext(event: String, _ text: String) -> HookOutput { .silent }

    package func phrase(_ text: String) -> String {
        text.replacingAll("/handoff:handoff-end", with: "/" + Self.endSkill)
            .replacingAll("/handoff:dump", with: "/" + Self.dumpSkill)
    }

    /// `event_type` → `hook_event_name`, `working_dir` → `cwd`, `metadata.reason` → `reason`, the
    /// session from `OPENHANDS_SESSION_ID` when the payload lacks it, and the conversation's folder
    /// as `transcript_path`.
    package func normalised(_ payload: AgentHookPayload, environment: Environment) -> AgentHookPayload {
        var result = payload
        if payload.hookEventName == nil, let event = payload.string("event_type") ?? environment["OPENHANDS_EVENT_TYPE"] {
            result.object["hook_event_name"] = .string(event)
        }
        if payload.cwd == nil, let folder = payload.string("working_dir") ?? environment["OPENHANDS_PROJECT_DIR"] {
            result.object["cwd"] = .string(folder)
        }
        if payload.reason == nil, let reason = payload.object["metadata"]?["reason"]?.stringValue {
            result.object["reason"] = .string(reason)
        }
        if payload.sessionIDField == nil, let session = environment["OPENHANDS_SESSION_ID"], !session.isEmpty {
            result.object["session_id"] = .string(session)
        }
        if payload.transcriptPath == nil, let session = result.sessionIDField,
            let folder = Self.conversationFolder(session: session, environment: environment)
        {
            result.object["transcript_path"] = .string(folder)
        }
        return result
    }

    /// `<conversations>/<session without dashes>`; nil when no folder can be named or the id is not hexadecimal.
    static func conversationFolder(session: String, environment: Environment) -> String? {
        let id = session.filter { $0 != "-" }
        guard !id.isEmpty, id.count <= 64, id.allSatisfy(\.isHexDigit) else { return nil }
        let conversations: String
        if let explicit = environment["OPENHANDS_CONVERSATIONS_DIR"], explicit.hasPrefix("/") {
            conversations = explicit
        } else if let persistence = environment["OPENHANDS_PERSISTENCE_DIR"], persistence.hasPrefix("/") {
            conversations = Path.join(persistence, "conversations")
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            conversations = Path.join(Path.join(home, ".openhands"), "conversations")
        } else {
            return nil
        }
        return Path.join(conversations, id.lowercased())
    }

    package func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall? {
        let response = payload.toolResponse
        switch payload.toolName {
        case "terminal"?, "execute_bash"?, "bash"?:
            let command = payload.toolInput["command"]?.stringValue ?? ""
            let code = response["exit_code"]?.intValue ?? response["metadata"]?["exit_code"]?.intValue
            guard let code, code >= 0 else {
                return .shell(command: command, exitCode: nil, failed: response["is_error"]?.boolValue == true ? true : nil, madeCommit: false)
            }
            var tail: String?
            if code != 0 {
                let text = OutputTail.of(Self.outputText(response))
                tail = text.isEmpty ? nil : text
            }
            return .shell(command: command, exitCode: code, failed: code != 0, madeCommit: false, outputTail: tail,
                          interrupted: response["timeout"]?.boolValue ?? false)
        case "file_editor"?, "str_replace_editor"?:
            // `view` reads; every other command (create, str_replace, insert, undo_edit) writes.
            guard let command = payload.toolInput["command"]?.stringValue, command != "view",
                let path = payload.toolInput["path"]?.stringValue, !path.isEmpty
            else { return nil }
            return .fileEdit(tool: payload.toolName ?? "file_editor", paths: [displayPath(path)], failed: response["is_error"]?.boolValue ?? false)
        default:
            return nil
        }
    }

    /// The text parts of an observation's `content`.
    static func outputText(_ response: JSONObject) -> String {
        (response["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    package func lastAssistantText(transcriptPath: String) -> String? {
        OpenHandsConversation.lastAgentMessage(folder: transcriptPath)
    }

    package func contextUsage(transcriptPath: String) -> ContextUsage? { nil }

    /// OpenHands offers no way to set the environment of the commands it runs.
    package func exportSessionID(_ session: String, environment: Environment) {}
}

/// Reads an OpenHands conversation's events folder from its end.
package enum OpenHandsConversation {
    /// Event files read from the end before giving up, and the most one may weigh.
    static let maximumFiles = 64
    static let maximumFileBytes = 2 * 1024 * 1024
    /// Names listed at most (a conversation of more events is read from the last listed).
    static let maximumNames = 200_000

    /// The text of the agent's last message: a `MessageEvent` from the agent, or the `finish`
    /// tool's message; nil when none is among the last events.
    package static func lastAgentMessage(folder: String) -> String? {
        let events = Path.join(folder, "events")
        guard FileSystem.isDirectory(events) else { return nil }
        // event-NNNNN-<id>.json: the number orders them (zero-padded, but may outgrow its padding).
        let names = FileSystem.list(events).prefix(maximumNames).filter { $0.hasPrefix("event-") && $0.hasSuffix(".json") }
        let ordered = names.compactMap { name -> (Int, String)? in
            let digits = name.dropFirst(6).prefix { $0.isNumber }
            return Int(digits).map { ($0, name) }
        }.sorted { $0.0 > $1.0 }
        for (_, name) in ordered.prefix(maximumFiles) {
            let path = Path.join(events, name)
            guard FileSystem.isRegularFile(path), let size = FileSystem.size(path), size <= maximumFileBytes,
                let bytes = try? FileSystem.readBytes(path, limit: maximumFileBytes), let event = try? JSONValue.parse(bytes)
            else { continue }
            guard event["source"]?.stringValue == "agent" else { continue }
            switch event["kind"]?.stringValue {
            case "MessageEvent":
                let texts = (event["llm_message"]?["content"]?.arrayValue ?? []).compactMap { part -> String? in
                    part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil
                }
                return texts.joined(separator: "\n")
            case "ActionEvent" where event["tool_name"]?.stringValue == "finish":
                return event["action"]?["message"]?.stringValue ?? ""
            default:
                continue
            }
        }
        return nil
    }
}
