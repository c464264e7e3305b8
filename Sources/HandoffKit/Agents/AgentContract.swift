/// The agents handoff serves. Everything that differs between them — how a block or a note is
/// written, how context reaches the model, what a tool event looks like, where the last assistant
/// message and the context usage are in the transcript, whether the client caps stop blocks
/// itself — is answered by the agent's `AgentContract`; the hooks in `Hooks/` are one engine for all.
/// A new agent is a new case here and a new file in `Agents/`.
package enum AgentKind: String, Sendable, CaseIterable {
    case claudeCode = "claude-code"
    case codex
    case grok
    case vibe
    case openHands = "openhands"

    package var contract: any AgentContract {
        switch self {
        case .claudeCode: return ClaudeCodeContract()
        case .codex: return CodexContract()
        case .grok: return GrokContract()
        case .vibe: return MistralVibeContract()
        case .openHands: return OpenHandsContract()
        }
    }

    /// Every agent's session variables, in the order of `allCases`.
    package static var sessionEnvironmentVariables: [String] { allCases.flatMap { $0.contract.sessionEnvironmentVariables } }

    /// The option the installed hook commands carry (`handoff-stop-gate --agent codex`).
    package static let argument = "--agent"

    /// Which agent's contract to speak: `identify`'s answer, else the agent the command line names,
    /// else Claude Code. (The hooks ask `identify`, and set a payload it cannot place aside.)
    package static func resolve(arguments: [String], environment: Environment, payload: AgentHookPayload) -> AgentKind {
        if let known = identify(arguments: arguments, environment: environment, payload: payload) { return known }
        let named = arguments.firstIndex(of: argument).flatMap { index in
            index + 1 < arguments.count ? AgentKind(name: arguments[index + 1]) : nil
        }
        return named ?? .claudeCode
    }

    /// Which agent runs this hook; nil when the payload is no known agent's.
    ///
    /// Grok's signs come first (`GROK_HOOK_EVENT`, a camelCase payload): grok runs the entries
    /// registered for Claude Code, whose command lines may say `--agent claude-code`, with its own
    /// payload and `CLAUDE_PROJECT_DIR` set. Then `--agent NAME` in the hook's command line when the
    /// installer put it there, if the payload, normalised, is that agent's; else Claude Code's own
    /// variables (`CLAUDE_PROJECT_DIR`, `CLAUDECODE`) with a payload shaped as Claude Code's; else what
    /// only one agent sends (Codex's `turn_id` and `rollout-…` transcripts, Mistral Vibe's event
    /// names, OpenHands' `event_type`); else Claude Code, for a payload shaped as Claude Code's (and
    /// Codex's) are: a `hook_event_name` among their events. A payload that is a JSON object and fits
    /// none of these is unknown: never read as another agent's (the hooks let it through and record
    /// it). Input that is not a JSON object at all is Claude Code's to fail on, as before (a `hook_error`).
    package static func identify(arguments: [String], environment: Environment, payload: AgentHookPayload) -> AgentKind? {
        if GrokContract.recognises(payload, environment: environment) { return .grok }
        let named = arguments.firstIndex(of: argument).flatMap { index in
            index + 1 < arguments.count ? AgentKind(name: arguments[index + 1]) : nil
        }
        if payload.problem != nil { return named ?? .claudeCode }
        if let named { return named.contract.fits(named.contract.normalised(payload, environment: environment)) ? named : nil }
        let claude = ClaudeCodeContract().fits(payload)
        if claude, environment["CLAUDE_PROJECT_DIR"] != nil || environment["CLAUDECODE"] != nil { return .claudeCode }
        if CodexContract.recognises(payload) { return .codex }
        if MistralVibeContract.recognises(payload) { return .vibe }
        if OpenHandsContract.recognises(payload, environment: environment) { return .openHands }
        return claude ? .claudeCode : nil
    }

    /// `claude-code` (or `claude`), `codex`, `grok`, `vibe` (or `mistral-vibe`), `openhands`.
    package init?(name: String) {
        switch name.lowercased() {
        case "claude-code", "claude", "claudecode": self = .claudeCode
        case "codex": self = .codex
        case "grok", "grok-build": self = .grok
        case "vibe", "mistral-vibe": self = .vibe
        case "openhands": self = .openHands
        default: return nil
        }
    }
}

/// One tool call as the hooks record it, whatever the agent called it.
package enum AgentToolCall: Sendable, Equatable {
    /// A shell command. `exitCode` and `failed` are nil when the agent does not say (Codex reports
    /// only the output): unknown, never taken for success. `outputTail`: the redacted end of a failed
    /// command's output (`OutputTail`), when the agent passes it on.
    case shell(command: String, exitCode: Int?, failed: Bool?, madeCommit: Bool, outputTail: String? = nil, interrupted: Bool = false)
    /// A file written or edited by the agent's own tool (not by a shell command).
    case fileEdit(tool: String, paths: [String], failed: Bool)
}

/// How much of the model's context window the conversation fills, from the transcript.
package struct ContextUsage: Sendable, Equatable {
    /// Tokens of input of the last model request.
    package var usedTokens: Int
    /// The model's window, when the transcript says it (nil: unknown).
    package var windowTokens: Int?

    package var percent: Double? {
        guard let window = windowTokens, window > 0 else { return nil }
        return Double(usedTokens) * 100 / Double(window)
    }
}

/// What one agent's hook protocol is: the only place that knows which agent a hook talks to.
package protocol AgentContract: Sendable {
    var kind: AgentKind { get }
    /// "Claude Code", "Codex".
    var displayName: String { get }
    /// Environment variables through which the agent names its session to the commands it runs
    /// (so git's hooks can credit a commit to the session that made it).
    var sessionEnvironmentVariables: [String] { get }
    /// True when the client itself stops re-prompting after some consecutive Stop blocks. handoff
    /// caps blocks whatever this says; where it is false, handoff's cap is the only one.
    var capsConsecutiveStopBlocks: Bool { get }
    /// How many blocks in a row the client acts on before it lets the stop through without asking
    /// again, when handoff knows the number (Mistral Vibe: 3 a turn); nil when it has no such limit
    /// or does not say it. handoff's own cap (`handoff.gate.maxBlocks`) is lowered to it, so that
    /// the release is handoff's, recorded and shown, never a silent one of the client's.
    var clientBlockLimit: Int? { get }
    /// True when the agent tells its hooks that a session started (a SessionStart event). Where it
    /// does not (Mistral Vibe), the session's baseline — HEAD, what was already dirty — is taken at
    /// its first hook call, which the installer makes come before its first tool runs.
    var announcesSessionStart: Bool { get }

    /// True when the payload, normalised, is shaped as the engine reads it (Claude Code's event names).
    func fits(_ payload: AgentHookPayload) -> Bool

    /// Let the action go on, saying nothing.
    func allow() -> HookOutput
    /// Stop: do not end the turn; `reason` is what the model reads next.
    func block(reason: String) -> HookOutput
    /// Let the action go on and tell the user (not the model) something.
    func notice(_ message: String) -> HookOutput
    /// Add text to the model's context (SessionStart).
    func additionalContext(event: String, _ text: String) -> HookOutput
    /// The text as this agent's user should read it: handoff's messages name the Claude Code plugin's
    /// commands (`/handoff:dump`); other agents reach the same procedures their own way.
    func phrase(_ text: String) -> String

    /// The tool call a PostToolUse (or PostToolUseFailure) payload reports; nil for tools handoff
    /// does not record. `displayPath` makes a path relative to the worktree.
    func toolCall(_ payload: AgentHookPayload, displayPath: (String) -> String) -> AgentToolCall?
    /// The text of the last assistant message in the session's transcript (read from its end).
    func lastAssistantText(transcriptPath: String) -> String?
    /// The context usage of the last model request in the transcript; nil when it does not say.
    func contextUsage(transcriptPath: String) -> ContextUsage?
    /// Lets the commands the agent runs know the session, where the agent offers a way; the agent
    /// may already export its own (`sessionEnvironmentVariables`).
    func exportSessionID(_ session: String, environment: Environment)
    /// The payload in the engine's terms: Claude Code's field and event names (`hook_event_name`
    /// Stop, SubagentStop, SessionStart, SessionEnd, PreToolUse, PostToolUse, PostToolUseFailure;
    /// `session_id`, `cwd`, `transcript_path`, `last_assistant_message`). What the agent names
    /// otherwise is kept as it came, for its own `toolCall`.
    func normalised(_ payload: AgentHookPayload, environment: Environment) -> AgentHookPayload
}

extension AgentContract {
    package var clientBlockLimit: Int? { nil }
    package var announcesSessionStart: Bool { true }
    package func normalised(_ payload: AgentHookPayload, environment: Environment) -> AgentHookPayload { payload }
}

extension AgentContract {
    /// Claude Code's and Codex's hook events (Codex uses Claude Code's names).
    package static var claudeEventNames: Set<String> {
        ["SessionStart", "SessionEnd", "Stop", "SubagentStop", "SubagentStart", "PreCompact", "PostCompact", "PreToolUse",
         "PostToolUse", "PostToolUseFailure", "UserPromptSubmit", "Notification", "PermissionRequest", "PermissionDenied",
         "StopFailure", "Setup", "TaskCompleted", "TeammateIdle", "ConfigChange", "WorktreeCreate", "WorktreeRemove",
         "InstructionsLoaded", "Elicitation", "ElicitationResult"]
    }

    /// A `hook_event_name` among Claude Code's events.
    package func fits(_ payload: AgentHookPayload) -> Bool {
        payload.hookEventName.map { Self.claudeEventNames.contains($0) } ?? false
    }
}

/// Reading the end of a JSON-lines transcript without reading the whole file (transcripts grow to
/// hundreds of megabytes): the last lines, in a window that grows until `find` answers.
enum TranscriptLines {
    static func lastMatch<T>(path: String, maximumBytes: Int = 2 * 1024 * 1024, _ find: ([ArraySlice<UInt8>]) -> T?) -> T? {
        var window = min(256 * 1024, maximumBytes)
        while true {
            guard FileSystem.isRegularFile(path), let size = FileSystem.size(path), size > 0 else { return nil }
            guard let bytes = try? FileSystem.readTail(path, count: window) else { return nil }
            let wholeFile = bytes.count >= size
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
            if !wholeFile, !lines.isEmpty { lines.removeFirst() }
            if let found = find(lines) { return found }
            if wholeFile || window >= maximumBytes { return nil }
            window = min(window * 4, maximumBytes)
        }
    }
}
