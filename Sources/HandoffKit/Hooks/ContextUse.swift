/// How full the agent's context window is: `_runtime.context_pct`, from the transcript's latest
/// usage record against the model's window, updated at every stop and before every compaction.
/// At or above a threshold the `degraded` gate policy blocks and the brief suggests handing over now.
package enum ContextUse {
    package static let defaultThreshold = 80.0
    /// Claude models' standard window; a model id marked `[1m]` (the 1M-token beta) has 1,000,000.
    package static let defaultWindow = 200_000

    /// `HANDOFF_CONTEXT_THRESHOLD`, else `git config handoff.context.threshold` (percent); 80 by default.
    package static func threshold(environment: Environment, config: ((String) -> String?)?) -> Double {
        let text = environment["HANDOFF_CONTEXT_THRESHOLD"] ?? config?("handoff.context.threshold")
        guard let text, let value = Double(text.trimmed), value > 0, value <= 100 else { return defaultThreshold }
        return value
    }

    /// `HANDOFF_CONTEXT_WINDOW`, else `git config handoff.context.window` (tokens), else by model.
    package static func window(model: String?, environment: Environment, config: ((String) -> String?)?) -> Int {
        if let text = environment["HANDOFF_CONTEXT_WINDOW"] ?? config?("handoff.context.window"), let value = Int(text.trimmed), value > 0 {
            return value
        }
        if let model, model.lowercased().contains("[1m]") || model.lowercased().hasSuffix("-1m") { return 1_000_000 }
        return defaultWindow
    }

    package struct Usage: Sendable, Equatable {
        package var tokens: Int
        package var model: String?
    }

    /// The latest usage record in a Claude Code transcript (read from its end, bounded).
    package static func latestUsage(transcriptPath: String, maximumBytes: Int = 1024 * 1024) -> Usage? {
        // A regular file only: a FIFO would block the read, a folder (Vibe's session store) is not this format.
        guard transcriptPath.hasPrefix("/"), FileSystem.isRegularFile(transcriptPath), let bytes = try? FileSystem.readTail(transcriptPath, count: maximumBytes) else { return nil }
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        for line in lines.reversed() {
            // Cheap filter before parsing: only assistant lines carry usage.
            guard line.count < 4 * 1024 * 1024, containsUsage(line), let value = try? JSONValue.parse(Array(line)),
                let usage = value["message"]?["usage"]?.objectValue
            else { continue }
            let keys = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"]
            let tokens = keys.reduce(0) { $0 + (usage[$1]?.intValue ?? 0) }
            guard tokens > 0 else { continue }
            return Usage(tokens: tokens, model: value["message"]?["model"]?.stringValue)
        }
        return nil
    }

    static func containsUsage(_ line: ArraySlice<UInt8>) -> Bool {
        let needle = Array("\"usage\"".utf8)
        guard line.count >= needle.count else { return false }
        var index = line.startIndex
        while index + needle.count <= line.endIndex {
            if line[index] == needle[0], line[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// Percent of the window in use (one decimal), or nil when the transcript has no usage yet.
    package static func percent(transcriptPath: String?, environment: Environment, config: ((String) -> String?)?) -> Double? {
        guard let transcriptPath, let usage = latestUsage(transcriptPath: transcriptPath) else { return nil }
        let window = window(model: usage.model, environment: environment, config: config)
        return (Double(usage.tokens) * 1000 / Double(window)).rounded() / 10
    }

    /// Writes `_runtime.context_pct` when state.json belongs to `session` and the value changed.
    /// No fsync: the next stop measures again.
    package static func record(_ percent: Double, store: HandoffStore, session: String) {
        // Best effort, no fsync: the next stop measures again.
        guard let current = try? store.readState(), current.sessionID == session, current.runtime.contextPercent != percent else { return }
        _ = try? store.updateState(durability: .none) { state in
            if state.sessionID == session { state.runtime.contextPercent = percent }
        }
    }

    /// The brief's line when this session's context is at or above the threshold.
    package static func warning(percent: Double?, threshold: Double) -> String? {
        guard let percent, percent >= threshold else { return nil }
        return "Context is \(percent)% full (threshold \(threshold)%): hand over now — file follow-up tasks, commit and push, then /handoff:dump or /handoff:handoff-end."
    }
}
