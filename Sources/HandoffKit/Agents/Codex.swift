/// Codex CLI's hook contract, as 0.163.0 behaves (Tests/HandoffE2ETests/Support/CODEX-CONTRACT.md).
///
/// The payload names its fields as Claude Code does, plus `turn_id` and `model`. Stop output is
/// parsed strictly against a schema (unknown keys or plain text make the hook fail, not block);
/// `{"decision":"block","reason":…}` makes the reason the model's next user message. Codex has no
/// cap of its own on consecutive Stop blocks: handoff's is the only one. PostToolUse reports the
/// shell tool as `Bash` with `tool_response` the command's output as a string and no exit status.
/// The commands the model runs see the session as `CODEX_THREAD_ID`. Transcripts are "rollout"
/// JSON lines (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-….jsonl`).
package struct CodexContract: AgentContract {
    package init() {}

    package var kind: AgentKind { .codex }
    package var displayName: String { "Codex" }
    package var sessionEnvironmentVariables: [String] { ["CODEX_THREAD_ID"] }
    package var capsConsecutiveStopBlocks: Bool { false }

    /// Codex's skills (installed by `handoff install --codex`) that carry the two procedures.
    package static let dumpSkill = "handoff-dump"
    package static let endSkill = "handoff-end"

    /// True for payloads only Codex sends: a `turn_id`, or a rollout transcript.
    package static func recognises(_ payload: AgentHookPayload) -> Bool {
        if payload.turnID != nil { return true }
        guard let path = payload.transcriptPath else { return false }
        return Path.basename(path).hasPrefix("rollout-") && path.contains("/sessions/")
    }

    package func allow() -> HookOutput { .silent }

    package func block(reason: String) -> HookOutput {
        // Exactly the two keys: Codex rejects what its schema does not name.
        let object = JSONObject([("decision", "block"), ("reason", .string(reason))])
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }

    package func notice(_ message: String) -> HookOutput {
        HookOutput(standardOutput: JSONValue.object(JSONObject([("systemMessage", .string(message))])).compactText + "\n")
    }

    package func additionalContext(event: String, _ text: String) -> HookOutput {
        ClaudeHookOutput.additionalContext(event: event, phrase(text))
    }

    /// The Claude Code plugin's commands become the Codex skills of the same procedures.
    package func phrase(_ text: String) -> String {
        text.replacingAll("/handoff:handoff-end", with: "$" + Self.endSkill)
            .replacingAll("/handoff:dump", with: "$" + Self.dumpSkill)
    }

    package func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall? {
        switch payload.toolName {
        case "Bash"?:
            // Codex reports the output only: whether the command failed is unknown here.
            return .shell(command: payload.toolInput["command"]?.stringValue ?? "", exitCode: nil, failed: nil, madeCommit: false)
        case "apply_patch"?:
            let patch = payload.toolInput["command"]?.stringValue ?? payload.toolInput["input"]?.stringValue ?? ""
            return .fileEdit(tool: "apply_patch", paths: Self.patchedFiles(patch).map(displayPath), failed: false)
        case let tool? where ClaudeCodeContract.fileTools.contains(tool):
            let paths = ["file_path", "path"].compactMap { payload.toolInput[$0]?.stringValue }.filter { !$0.isEmpty }
            return .fileEdit(tool: tool, paths: paths.map(displayPath), failed: false)
        default:
            return nil
        }
    }

    /// The files an apply_patch envelope names (`*** Add File: x`, `*** Update File: x`, `*** Delete File: x`, `*** Move to: y`).
    static func patchedFiles(_ patch: String) -> [String] {
        var files: [String] = []
        for line in patch.split(whereSeparator: \.isNewline) {
            for prefix in ["*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "] where line.hasPrefix(prefix) {
                let path = String(line.dropFirst(prefix.count)).trimmed
                if !path.isEmpty, !files.contains(path) { files.append(path) }
            }
        }
        return files
    }

    /// The last `response_item` that is an assistant message: its `output_text` parts.
    package func lastAssistantText(transcriptPath: String) -> String? {
        TranscriptLines.lastMatch(path: transcriptPath) { lines in
            for line in lines.reversed() {
                guard let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue == "response_item",
                    let payload = value["payload"], payload["type"]?.stringValue == "message",
                    payload["role"]?.stringValue == "assistant"
                else { continue }
                let texts = (payload["content"]?.arrayValue ?? []).compactMap { part -> String? in
                    part["type"]?.stringValue == "output_text" ? part["text"]?.stringValue : nil
                }
                if !texts.isEmpty { return texts.joined(separator: "\n") }
            }
            return nil
        }
    }

    /// The last `token_count` event: the last request's input tokens and the model's window.
    package func contextUsage(transcriptPath: String) -> ContextUsage? {
        TranscriptLines.lastMatch(path: transcriptPath) { lines in
            for line in lines.reversed() {
                guard let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue == "event_msg",
                    let payload = value["payload"], payload["type"]?.stringValue == "token_count",
                    let info = payload["info"], let used = info["last_token_usage"]?["input_tokens"]?.intValue
                else { continue }
                return ContextUsage(usedTokens: used, windowTokens: info["model_context_window"]?.intValue)
            }
            return nil
        }
    }

    /// Codex exports `CODEX_THREAD_ID` to the commands it runs itself.
    package func exportSessionID(_ session: String, environment: Environment) {}
}
