#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `handoff doctor`'s check of Grok Build: handoff's own file in grok's hooks folder (runnable,
/// complete, trusted for a project), or else the Claude Code entries grok also runs, in a form
/// grok can start.
extension Doctor {
    func checkGrokHooks(root: String?) -> [Check] {
        let id = "grok-hooks"
        guard let home = environment["HOME"], home.hasPrefix("/") else { return [] }
        let userFolder = Path.join(home, ".grok")
        let realRoot = root.map { FileSystem.realPath($0) ?? $0 }
        var files: [(GrokHooks.Scope, String)] = [(.user, GrokHooks.hooksPath(grokFolder: userFolder))]
        if let realRoot { files.append((.project, GrokHooks.hooksPath(grokFolder: Path.join(realRoot, ".grok")))) }
        let present = files.filter { FileSystem.exists($0.1) || FileSystem.isSymlink($0.1) }
        // No grok here: nothing to check.
        guard FileSystem.isDirectory(userFolder) || !present.isEmpty else { return [] }
        var checks: [Check] = []
        for (scope, file) in present {
            let flag = scope == .project ? " --scope project" : ""
            guard let object = GrokHooks.ours(file) else {
                checks.append(Check(id: id, status: .warn, detail: "\(file) is not handoff's (no \"\(GrokHooks.markerKey)\" key), so it was not checked", fix: ""))
                continue
            }
            let hooks = object["hooks"]?.objectValue ?? JSONObject()
            let missing = GrokHooks.registrations.map(\.event).filter { hooks[$0] == nil }
            var broken: [String] = []
            for (_, groups) in hooks.pairs {
                for group in groups.arrayValue ?? [] {
                    for handler in group["hooks"]?.arrayValue ?? [] {
                        guard var command = handler["command"]?.stringValue?.trimmed else { continue }
                        let suffix = " \(AgentKind.argument) \(AgentKind.grok.rawValue)"
                        if command.hasSuffix(suffix) { command = String(command.dropLast(suffix.count)) }
                        if let path = ClaudeSettings.ourCommand(in: command)?.program, path.hasPrefix("/"), access(path, X_OK) != 0, !broken.contains(path) {
                            broken.append(path)
                        }
                    }
                }
            }
            let skills = GrokHooks.skills.map(\.name).filter { !FileSystem.exists(GrokHooks.skillPath(grokFolder: Path.dirname(Path.dirname(file)), name: $0)) }
            if !broken.isEmpty {
                checks.append(Check(id: id, status: .fail, detail: "\(file) runs \(broken.joined(separator: ", ")), which is missing or not executable",
                                    fix: "handoff install --grok\(flag) (rewrites the file with this installation's paths)"))
            } else if !missing.isEmpty {
                checks.append(Check(id: id, status: .fail, detail: "\(file) lacks \(missing.joined(separator: ", "))", fix: "handoff install --grok\(flag)"))
            } else if scope == .project, let realRoot,
                !GrokHooks.trusted(folder: realRoot, trustFile: Path.join(userFolder, "trusted_folders.toml"))
            {
                checks.append(Check(id: id, status: .fail, detail: "grok runs \(file) only in a trusted folder, and \(realRoot) is not trusted in \(userFolder)/trusted_folders.toml",
                                    fix: "start grok in \(realRoot) once with `grok --trust` (or run /hooks-trust there)"))
            } else if !skills.isEmpty {
                checks.append(Check(id: id, status: .warn, detail: "registered in \(file), but the skills \(skills.map { "/" + $0 }.joined(separator: ", ")) are missing",
                                    fix: "handoff install --grok\(flag)"))
            } else {
                checks.append(Check(id: id, status: .pass,
                                    detail: "registered for the \(scope.rawValue) in \(file), with the /handoff-dump and /handoff-end skills; handoff's Claude Code entries, which grok also runs, stand back for grok's sessions",
                                    fix: ""))
            }
        }
        if !checks.isEmpty { return checks }
        // No file of handoff's own: grok runs the Claude Code entries of ~/.claude/settings.json.
        let settings = Path.join(Path.join(home, ".claude"), "settings.json")
        let commands = Self.handoffCommands(settingsAt: settings)
        if commands.isEmpty {
            return [Check(id: id, status: .warn, detail: "grok is set up here (\(userFolder)) but handoff's hooks are not registered for it",
                          fix: "handoff install --grok (or --scope project) if you use grok with this repository")]
        }
        // Grok starts a command without a space directly, quotes and all: a lone quoted path is not found.
        if let lone = commands.first(where: { !$0.contains(" ") && $0.hasPrefix("\"") }) {
            return [Check(id: id, status: .fail,
                          detail: "grok runs handoff's Claude Code entries in \(settings), but cannot start them: it runs a command without a space as a file name, quotes and all (\(lone))",
                          fix: "handoff install --grok (grok's own file; the Claude Code entries then stand back for grok)")]
        }
        return [Check(id: id, status: .pass, detail: "grok runs handoff's Claude Code entries in \(settings) (no file of its own; `handoff install --grok` adds one and the skills)", fix: "")]
    }

    /// The commands of handoff's entries in a Claude Code settings file (at most 1 MiB read).
    static func handoffCommands(settingsAt path: String) -> [String] {
        guard !FileSystem.isSymlink(path), let bytes = try? FileSystem.readBytes(path, limit: 1024 * 1024),
            let hooks = (try? JSONValue.parse(bytes))?["hooks"]?.objectValue
        else { return [] }
        var commands: [String] = []
        for (_, groups) in hooks.pairs {
            for group in groups.arrayValue ?? [] {
                for handler in group["hooks"]?.arrayValue ?? [] {
                    if let command = handler["command"]?.stringValue, ClaudeSettings.ourCommand(in: command) != nil {
                        commands.append(command)
                    }
                }
            }
        }
        return commands
    }
}
