/// Claude Code's hook contract (observed from 2.1.x: Tests/HandoffE2ETests/Support/CONTRACT.md).
///
/// A Stop `block` keeps the turn going and its `reason` reaches the model; `systemMessage` is shown
/// to the user only; SessionStart's `additionalContext` reaches the model as a system message. The
/// client stops re-prompting by itself after some consecutive Stop blocks.
package struct ClaudeCodeContract: AgentContract {
    package init() {}

    package var kind: AgentKind { .claudeCode }
    package var displayName: String { "Claude Code" }
    package var sessionEnvironmentVariables: [String] { ["CLAUDE_CODE_SESSION_ID"] }
    package var capsConsecutiveStopBlocks: Bool { true }

    package func allow() -> HookOutput { ClaudeHookOutput.allow }
    package func block(reason: String) -> HookOutput { ClaudeHookOutput.block(reason: reason) }
    package func notice(_ message: String) -> HookOutput { ClaudeHookOutput.systemMessage(message) }
    package func additionalContext(event: String, _ text: String) -> HookOutput {
        ClaudeHookOutput.additionalContext(event: event, text)
    }
    package func phrase(_ text: String) -> String { text }

    package static let fileTools: Set<String> = ["Write", "Edit", "MultiEdit", "NotebookEdit"]

    package func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall? {
        let failed = payload.hookEventName == "PostToolUseFailure"
        switch payload.toolName {
        case "Bash"?:
            let command = payload.toolInput["command"]?.stringValue ?? ""
            if failed {
                // PostToolUseFailure: `error` is "Exit code N", then the output (error output first).
                let tail = payload.error.map { OutputTail.of(OutputTail.claudeFailureOutput($0)) }
                return .shell(command: command, exitCode: payload.failureExitCode, failed: true, madeCommit: false,
                              outputTail: tail?.isEmpty == false ? tail : nil,
                              interrupted: payload.object["is_interrupt"]?.boolValue ?? false)
            }
            // PostToolUse fires for exit 0, and for a non-zero exit Claude Code reads as no error
            // (`returnCodeInterpretation`, e.g. grep finding nothing): then the code is not 0 and not given.
            let interpreted = payload.toolResponse["returnCodeInterpretation"]?.stringValue != nil
            // Claude Code reports the commits a Bash call made (`gitOperation.commit`).
            return .shell(command: command, exitCode: interpreted ? nil : 0, failed: false,
                          madeCommit: payload.toolResponse["gitOperation"]?["commit"] != nil)
        case let tool? where Self.fileTools.contains(tool):
            var paths: [String] = []
            for key in ["file_path", "notebook_path", "path"] {
                if let path = payload.toolInput[key]?.stringValue, !path.isEmpty { paths.append(displayPath(path)) }
            }
            return .fileEdit(tool: tool, paths: paths, failed: failed)
        default:
            return nil
        }
    }

    package func lastAssistantText(transcriptPath: String) -> String? { TranscriptTail.lastAssistantText(path: transcriptPath) }

    /// The last assistant message's `usage`: input plus cache reads and writes. The window depends on
    /// the model and is not in the transcript.
    package func contextUsage(transcriptPath: String) -> ContextUsage? {
        TranscriptLines.lastMatch(path: transcriptPath) { lines in
            for line in lines.reversed() {
                guard let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue == "assistant",
                    let usage = value["message"]?["usage"], let input = usage["input_tokens"]?.intValue
                else { continue }
                let cached = (usage["cache_read_input_tokens"]?.intValue ?? 0) + (usage["cache_creation_input_tokens"]?.intValue ?? 0)
                return ContextUsage(usedTokens: input + cached, windowTokens: nil)
            }
            return nil
        }
    }

    /// Claude Code sources the file named by `CLAUDE_ENV_FILE` (SessionStart only) before each Bash
    /// command, so git's post-commit hook learns the session.
    package func exportSessionID(_ session: String, environment: Environment) {
        guard let file = environment["CLAUDE_ENV_FILE"], file.hasPrefix("/") else { return }
        // The id passed SessionID.isSafe: no quoting is needed.
        // Best effort: without it git hooks still learn the session from CLAUDE_CODE_SESSION_ID.
        try? FileSystem.appendRecord(Array("export HANDOFF_SESSION_ID=\(session)\n".utf8), to: file)
    }
}

/// The answers a Claude Code hook can give, rendered as the JSON the client reads on stdout.
package enum ClaudeHookOutput {
    /// Let the action go on, saying nothing.
    package static let allow = HookOutput.silent

    /// Stop/SubagentStop: do not end the turn; `reason` is what the model reads.
    package static func block(reason: String, systemMessage: String? = nil) -> HookOutput {
        var object = JSONObject([("decision", "block"), ("reason", .string(reason))])
        if let systemMessage { object["systemMessage"] = .string(systemMessage) }
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }

    /// Let the action go on and tell the user (not the model) something.
    package static func systemMessage(_ message: String) -> HookOutput {
        HookOutput(standardOutput: JSONValue.object(JSONObject([("systemMessage", .string(message))])).compactText + "\n")
    }

    /// Add text to the model's context (SessionStart, and other events that accept it).
    package static func additionalContext(event: String, _ context: String, systemMessage: String? = nil) -> HookOutput {
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

/// Earlier name of `AgentHookPayload`, from when Claude Code was the only agent.
package typealias ClaudeHookInput = AgentHookPayload

/// Reads the assistant's final message from a Claude Code transcript without reading the whole file:
/// only the last bytes (transcripts grow to hundreds of megabytes).
package enum TranscriptTail {
    /// The text of the last assistant message (all its text blocks, which the transcript stores one a line).
    package static func lastAssistantText(path: String, maximumBytes: Int = 2 * 1024 * 1024) -> String? {
        TranscriptLines.lastMatch(path: path, maximumBytes: maximumBytes) { lastAssistantText(lines: $0) }
    }

    static func lastAssistantText(lines: [ArraySlice<UInt8>]) -> String? {
        var messageID: String?
        var parts: [String] = []
        for line in lines.reversed() {
            guard let value = try? JSONValue.parse(Array(line)) else { continue }
            let type = value["type"]?.stringValue
            if type == "user", messageID != nil { break }
            guard type == "assistant", let message = value["message"] else { continue }
            let id = message["id"]?.stringValue ?? ""
            if let messageID, id != messageID { break }
            let texts = (message["content"]?.arrayValue ?? []).compactMap { block -> String? in
                block["type"]?.stringValue == "text" ? block["text"]?.stringValue : nil
            }
            if texts.isEmpty && messageID == nil { continue }
            messageID = id
            parts.insert(contentsOf: texts, at: 0)
        }
        return messageID == nil ? nil : parts.joined(separator: "\n")
    }
}
