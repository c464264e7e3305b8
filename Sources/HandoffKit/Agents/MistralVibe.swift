/// Mistral Vibe's hook contract, as mistral-vibe 3.0.3 behaves (run headless against a loopback
/// model; its own reference is the `vibe` skill it ships, `vibe/plugins/builtins/vibe/skills/vibe/SKILL.md`).
///
/// Hooks are `[[hooks]]` tables in `$VIBE_HOME/hooks.toml` (`~/.vibe`) or, for a folder Vibe was
/// told to trust, `<project>/.vibe/hooks.toml`, of three types: `pre_tool`, `post_tool` and
/// `post_agent` (once a turn, when the agent finishes with no tool call pending). Each gets a JSON
/// object on stdin (`hook_event_name`, `session_id`, `parent_session_id` inside a subagent,
/// `transcript_path`, `cwd`, and for tools `tool_name` qualified as `file_system.bash`,
/// `tool_input`, `tool_status`, `tool_output` with the shell's `returncode`). It answers with exit 0
/// and a JSON object: on `post_agent`, `{"decision":"deny","reason":…}` drops the answer and sends
/// the reason as the next user message; anything else (another exit status, other output, a
/// timeout) fails open. Vibe acts on at most 3 denials a turn, then accepts the answer without
/// asking again.
///
/// What Vibe does not give: no last assistant message in the payload (the reflection is read from
/// the session's transcript), no session-start event (the baseline is taken at the session's first
/// hook call, a `pre_tool` before its first tool runs), no compaction event, and nothing that tells
/// a stop that follows a denial.
package struct MistralVibeContract: AgentContract {
    package init() {}

    package var kind: AgentKind { .vibe }
    package var displayName: String { "Mistral Vibe" }
    package var sessionEnvironmentVariables: [String] { [] }
    package var capsConsecutiveStopBlocks: Bool { true }
    package var clientBlockLimit: Int? { 3 }
    package var announcesSessionStart: Bool { false }

    /// Vibe's skills (installed by `handoff install --vibe`) that carry the two procedures; the user
    /// types `/handoff-dump`, the model loads them with its `skill` tool.
    package static let dumpSkill = "handoff-dump"
    package static let endSkill = "handoff-end"

    /// Vibe's event names.
    package enum Event: String, Sendable {
        case postAgent = "post_agent"
        case preTool = "pre_tool"
        case postTool = "post_tool"
    }

    /// True for payloads only Vibe sends: its event names.
    package static func recognises(_ payload: AgentHookPayload) -> Bool {
        payload.hookEventName.flatMap(Event.init(rawValue:)) != nil
    }

    package func allow() -> HookOutput { .silent }

    package func block(reason: String) -> HookOutput {
        let object = JSONObject([("decision", "deny"), ("reason", .string(reason))])
        return HookOutput(standardOutput: JSONValue.object(object).compactText + "\n")
    }

    package func notice(_ message: String) -> HookOutput {
        HookOutput(standardOutput: JSONValue.object(JSONObject([("system_message", .string(message))])).compactText + "\n")
    }

    /// No Vibe event adds text to the model's context at a session's start: there is none.
    package func additionalContext(event: String, _ text: String) -> HookOutput { .silent }

    package func phrase(_ text: String) -> String {
        text.replacingAll("/handoff:handoff-end", with: "/" + Self.endSkill)
            .replacingAll("/handoff:dump", with: "/" + Self.dumpSkill)
    }

    /// `post_agent` is the Stop (a subagent's, with `parent_session_id`, is SubagentStop);
    /// `pre_tool`/`post_tool` are PreToolUse/PostToolUse (PostToolUseFailure when the tool failed).
    package func normalised(_ payload: AgentHookPayload, environment: Environment) -> AgentHookPayload {
        var result = payload
        switch payload.hookEventName.flatMap(Event.init(rawValue:)) {
        case .postAgent?:
            let subagent = payload.string("parent_session_id").map { !$0.isEmpty } ?? false
            result.object["hook_event_name"] = .string(subagent ? "SubagentStop" : "Stop")
            if subagent { result.object["agent_type"] = payload.object["agent_name"] ?? .string("") }
        case .preTool?:
            result.object["hook_event_name"] = "PreToolUse"
        case .postTool?:
            result.object["hook_event_name"] = .string(payload.string("tool_status") == "failure" ? "PostToolUseFailure" : "PostToolUse")
        case nil:
            break
        }
        return result
    }

    /// The tool's short name: `file_system.bash` → `bash`.
    static func shortName(_ qualified: String) -> String {
        qualified.split(separator: ".").last.map(String.init) ?? qualified
    }

    package func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall? {
        guard let qualified = payload.toolName else { return nil }
        let failed = payload.string("tool_status") == "failure"
        switch Self.shortName(qualified) {
        case "bash", "git_bash", "process_start":
            let command = payload.toolInput["command"]?.stringValue ?? ""
            // A shell command that ran is a "success" whatever its exit status: `returncode` says.
            let output = payload.object["tool_output"]?.objectValue
            let code = output?["returncode"]?.intValue
            if failed {
                let error = payload.string("tool_error").map { OutputTail.of($0) }
                return .shell(command: command, exitCode: code, failed: true, madeCommit: false,
                              outputTail: error?.isEmpty == false ? error : nil)
            }
            guard let code else {
                return .shell(command: command, exitCode: nil, failed: nil, madeCommit: false)
            }
            var tail: String?
            if code != 0 {
                let text = [output?["stderr"]?.stringValue, output?["stdout"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
                    .joined(separator: "\n")
                let bounded = OutputTail.of(text)
                tail = bounded.isEmpty ? nil : bounded
            }
            return .shell(command: command, exitCode: code, failed: code != 0, madeCommit: false, outputTail: tail,
                          interrupted: output?["timed_out"]?.boolValue ?? false)
        case "write_file", "edit", "search_replace":
            let paths = ["file_path", "path"].compactMap { payload.toolInput[$0]?.stringValue }.filter { !$0.isEmpty }
            return .fileEdit(tool: Self.shortName(qualified), paths: paths.map(displayPath), failed: failed)
        default:
            return nil
        }
    }

    package func lastAssistantText(transcriptPath: String) -> String? {
        VibeTranscript.lastAssistantText(path: transcriptPath)
    }

    package func contextUsage(transcriptPath: String) -> ContextUsage? { nil }

    /// Vibe offers no way to set the environment of the commands it runs.
    package func exportSessionID(_ session: String, environment: Environment) {}
}

/// Reads Mistral Vibe's session store, the folder its hooks get as `transcript_path`
/// (`$VIBE_HOME/logs/session/unified/<session>`, format `mistral.vibe.unified-session-store/v1`).
///
/// While a turn runs, Vibe appends every step to `journal/<sequence>.jsonl` before acting on it;
/// the `post_agent` hook is called by a step (`action_intent` of kind `hook`, hook
/// `post_agent_turn`) that carries the answer under judgement as `request.input.candidate.message`.
/// That candidate is the text the reflection is read from: a denied answer is dropped from the
/// conversation, so it is nowhere else.
package enum VibeTranscript {
    /// At most this many journal files are looked at (a session writes one per checkpoint).
    static let maximumJournalFiles = 10_000

    /// The newest journal file that holds anything; nil when there is none (or the folder is not one).
    static func latestJournal(sessionFolder: String) -> String? {
        let folder = Path.join(sessionFolder, "journal")
        guard FileSystem.isDirectory(folder) else { return nil }
        let names = FileSystem.list(folder).prefix(maximumJournalFiles)
            .filter { $0.hasSuffix(".jsonl") && $0.dropLast(6).allSatisfy(\.isNumber) }
            .sorted { ($0.count, $0) > ($1.count, $1) }
        for name in names {
            let path = Path.join(folder, name)
            // Regular files only: a FIFO planted there would block the read.
            if FileSystem.isRegularFile(path), (FileSystem.size(path) ?? 0) > 0 { return path }
        }
        return nil
    }

    /// The text of the answer the last `post_agent` call judges (its text parts, joined).
    package static func lastAssistantText(path: String) -> String? {
        guard let journal = latestJournal(sessionFolder: path) else { return nil }
        return TranscriptLines.lastMatch(path: journal, maximumBytes: 4 * 1024 * 1024) { lines in
            for line in lines.reversed() {
                guard let value = try? JSONValue.parse(Array(line)), value["type"]?.stringValue == "action_intent",
                    let request = value["payload"]?["request"], request["hook"]?.stringValue == "post_agent_turn",
                    let message = request["input"]?["candidate"]?["message"]
                else { continue }
                let texts = (message["content"]?.arrayValue ?? []).compactMap { part -> String? in
                    part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil
                }
                return texts.joined(separator: "\n")
            }
            return nil
        }
    }
}
