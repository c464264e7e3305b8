/// Grok Build's hook contract (`grok`, from the `grok-cli-bin` package; observed on 0.2.111 running
/// headless against a loopback model: Tests/HandoffE2ETests/GrokE2ETests.swift).
///
/// Grok runs the hooks of `~/.grok/hooks/*.json`, and also those registered for Claude Code
/// (`~/.claude/settings.json`; a project's `.claude/settings.json` once the folder is trusted) and
/// for Cursor (`~/.cursor/hooks.json`), always with its own payload: camelCase keys, snake_case
/// event names (`"hookEventName":"stop"`), the session as `sessionId`, `GROK_HOOK_EVENT` and
/// `GROK_SESSION_ID` in the environment, and `CLAUDE_PROJECT_DIR` set as Claude Code would. So the
/// payload is what says grok, never the entry that ran: `normalised` renames it to the shared
/// snake_case names the hooks read. A Stop continues on `{"decision":"block","reason":…}` (the reason
/// reaches the model as "Stop hook feedback"), `stopHookActive` is true on the stop after a block,
/// and grok stops asking after 8 blocks in a turn. Shell calls arrive as `run_terminal_command` with
/// `toolResult.exit_code`; the commands the model runs see only `GROK_AGENT=1`, not the session.
package struct GrokContract: AgentContract {
    package init() {}

    package var kind: AgentKind { .grok }
    package var displayName: String { "Grok Build" }
    /// Grok exports no session id to the commands it runs (only `GROK_AGENT=1`); `GROK_SESSION_ID`
    /// is set for hooks only, where the payload names the session anyway.
    package var sessionEnvironmentVariables: [String] { [] }
    package var capsConsecutiveStopBlocks: Bool { true }

    /// Grok's skills (installed by `handoff install --grok`, shown as `/handoff-dump`, `/handoff-end`).
    package static let dumpCommand = "/" + CodexContract.dumpSkill
    package static let endCommand = "/" + CodexContract.endSkill

    /// Grok names the event in the environment of every hook it runs.
    package static let eventVariable = "GROK_HOOK_EVENT"

    /// True for what only grok sends: `GROK_HOOK_EVENT`, or a camelCase `hookEventName`.
    package static func recognises(_ payload: AgentHookPayload, environment: Environment) -> Bool {
        if environment[eventVariable] != nil { return true }
        return payload.object["hookEventName"]?.stringValue != nil && payload.object["hook_event_name"] == nil
    }

    /// Grok's event names (snake_case; Cursor's camelCase ones are accepted too) as the hooks know them.
    static let eventNames: [String: String] = [
        "stop": "Stop", "session_start": "SessionStart", "session_end": "SessionEnd", "pre_compact": "PreCompact",
        "post_compact": "PostCompact", "post_tool_use": "PostToolUse", "post_tool_use_failure": "PostToolUseFailure",
        "pre_tool_use": "PreToolUse", "subagent_stop": "SubagentStop", "subagent_start": "SubagentStart",
        "user_prompt_submit": "UserPromptSubmit", "notification": "Notification", "stop_failure": "StopFailure",
        "permission_denied": "PermissionDenied",
        "sessionStart": "SessionStart", "sessionEnd": "SessionEnd", "preCompact": "PreCompact", "postToolUse": "PostToolUse",
        "postToolUseFailure": "PostToolUseFailure", "subagentStop": "SubagentStop",
    ]

    /// The stop grok sends when the session closes (`reason` channel_closed or shutdown): it only
    /// observes, a block would be ignored, so it is the session's end, not a stop to gate.
    static let closingStopReasons: Set<String> = ["channel_closed", "shutdown"]

    /// The payload under the names Claude Code uses (`hookEventName` → `hook_event_name` "Stop",
    /// `sessionId` → `session_id`, `toolResult` → `tool_response`, …). A key already in snake_case
    /// stays; where both spellings arrive, the snake_case one wins (it is what the hooks always read).
    package func normalised(_ payload: AgentHookPayload, environment: Environment) -> AgentHookPayload {
        var object = JSONObject()
        for (key, value) in payload.object.pairs where object[Self.snakeCase(key)] == nil || Self.snakeCase(key) == key {
            object[Self.snakeCase(key)] = value
        }
        if object["tool_response"] == nil, let result = object["tool_result"] { object["tool_response"] = result }
        let event = object["hook_event_name"]?.stringValue ?? environment[Self.eventVariable]
        if let event {
            var name = Self.eventNames[event] ?? event
            if name == "Stop", let reason = object["reason"]?.stringValue, Self.closingStopReasons.contains(reason) { name = "SessionEnd" }
            object["hook_event_name"] = .string(name)
        }
        // Grok's new session is Claude Code's "startup".
        if object["source"]?.stringValue == "new" { object["source"] = "startup" }
        return AgentHookPayload(object: object, problem: payload.problem)
    }

    /// `sessionId` → `session_id`, `toolResult` → `tool_result`; ASCII letters only, anything else kept.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isASCII, character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }

    package func allow() -> HookOutput { .silent }
    package func block(reason: String) -> HookOutput { ClaudeHookOutput.block(reason: reason) }
    package func notice(_ message: String) -> HookOutput { ClaudeHookOutput.systemMessage(message) }
    package func additionalContext(event: String, _ text: String) -> HookOutput {
        ClaudeHookOutput.additionalContext(event: event, phrase(text))
    }

    /// The Claude Code plugin's commands become grok's skills of the same procedures.
    package func phrase(_ text: String) -> String {
        text.replacingAll("/handoff:handoff-end", with: Self.endCommand)
            .replacingAll("/handoff:dump", with: Self.dumpCommand)
    }

    /// Grok's shell tool (its result says `"type":"Bash"`, which Claude Code's `Bash` matcher matches).
    static let shellTools: Set<String> = ["run_terminal_command", "run_terminal_cmd", "Bash", "bash"]
    /// Grok's file tools (`write` creates, `search_replace` edits), and Claude Code's names.
    static let fileTools: Set<String> = ClaudeCodeContract.fileTools.union(["write", "search_replace", "edit", "multi_edit", "edit_file"])

    package func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall? {
        let failedEvent = payload.hookEventName == "PostToolUseFailure"
        guard let tool = payload.toolName else { return nil }
        if Self.shellTools.contains(tool) {
            let command = payload.toolInput["command"]?.stringValue ?? ""
            let result = payload.toolResponse
            let exitCode = result["exit_code"]?.intValue
            // A signal or a timeout ended it: interrupted, whatever the code.
            let interrupted = (result["timed_out"]?.boolValue ?? false) || (result["signal"].map { $0 != .null } ?? false)
            let failed: Bool? = failedEvent ? true : exitCode.map { $0 != 0 } ?? (interrupted ? true : nil)
            var tail: String?
            if failed == true {
                // `output_for_prompt` is "exit: N\n" and then the output.
                var output = result["output_for_prompt"]?.stringValue ?? payload.error ?? ""
                if output.hasPrefix("exit: "), let newline = output.firstIndex(of: "\n") { output = String(output[output.index(after: newline)...]) }
                let text = OutputTail.of(output)
                tail = text.isEmpty ? nil : text
            }
            return .shell(command: command, exitCode: exitCode, failed: failed, madeCommit: false, outputTail: tail, interrupted: interrupted)
        }
        if Self.fileTools.contains(tool) {
            var paths: [String] = []
            for key in ["file_path", "path", "target_file"] {
                if let path = payload.toolInput[key]?.stringValue, !path.isEmpty { paths.append(displayPath(path)) }
            }
            let refused = payload.toolResponse["type"]?.stringValue.map { $0.lowercased().contains("error") } ?? false
            return .fileEdit(tool: tool, paths: paths, failed: failedEvent || refused)
        }
        return nil
    }

    /// The session's `chat_history.jsonl`, beside the `updates.jsonl` the payload names: its last
    /// `{"type":"assistant","content":…}` line. (updates.jsonl streams chunks of several messages
    /// into one, so it cannot say where the last message starts.)
    package func lastAssistantText(transcriptPath: String) -> String? {
        let history = Path.dirname(transcriptPath) + "/chat_history.jsonl"
        return TranscriptLines.lastMatch(path: history) { lines in
            for line in lines.reversed() {
                guard let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue == "assistant" else { continue }
                if let text = value["content"]?.stringValue { return text }
                let parts = (value["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
                if !parts.isEmpty { return parts.joined(separator: "\n") }
            }
            return nil
        }
    }

    /// Grok's transcript gives the turn's token totals, not the last request's input: unknown.
    package func contextUsage(transcriptPath: String) -> ContextUsage? { nil }

    /// Grok offers no way to set a variable for the commands the model runs.
    package func exportSessionID(_ session: String, environment: Environment) {}
}
