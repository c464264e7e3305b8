/// Installed Claude Code plugins that register handoff's agent hooks, read from the files Claude Code
/// keeps (observed with Claude Code 2.1.327):
///
/// - `claude plugin install <name>@<marketplace>` copies the plugin to an install path listed in
///   `~/.claude/plugins/installed_plugins.json`:
///   `{"version": 2, "plugins": {"<name>@<marketplace>": [{"scope", "installPath", "projectPath"?, …}]}}`;
/// - and turns it on in the settings of its scope: `"enabledPlugins": {"<name>@<marketplace>": true}`
///   in `~/.claude/settings.json` (user), `<project>/.claude/settings.json` (project) or
///   `<project>/.claude/settings.local.json` (local); the most specific file naming it decides
///   (`claude plugin disable` writes `false` there).
///
/// A plugin counts as handoff's when its hooks (`hooks/hooks.json`, or hooks in its
/// `.claude-plugin/plugin.json`) run one of handoff's agent-hook executables, whatever its name.
/// A plugin loaded for one run with `claude --plugin-dir` leaves nothing on disk and is not seen.
package enum ClaudePlugins {
    package struct Enabled: Sendable, Equatable {
        /// "handoff@my-marketplace".
        package var id: String
        /// The settings file whose `enabledPlugins` turns it on.
        package var enabledIn: String
        package var installPath: String
    }

    /// The settings files that can enable a plugin, least specific first.
    static func settingsFiles(environment: Environment, projectRoot: String?) -> [String] {
        var files: [String] = []
        if let user = try? ClaudeSettings.settingsPath(scope: .user, environment: environment, projectRoot: projectRoot) { files.append(user) }
        if let projectRoot {
            let folder = Path.join(projectRoot, ".claude")
            files += [Path.join(folder, "settings.json"), Path.join(folder, "settings.local.json")]
        }
        return files
    }

    /// Enabled, installed plugins whose hooks run handoff's executables.
    package static func enabledHandoffPlugins(environment: Environment, projectRoot: String?) -> [Enabled] {
        var enabled: [String: (on: Bool, file: String)] = [:]
        var order: [String] = []
        for file in settingsFiles(environment: environment, projectRoot: projectRoot) {
            guard let plugins = readJSON(file)?["enabledPlugins"]?.objectValue else { continue }
            for (id, value) in plugins.pairs {
                guard let on = value.boolValue else { continue }
                if enabled[id] == nil { order.append(id) }
                enabled[id] = (on, file)
            }
        }
        guard !enabled.isEmpty, let home = environment["HOME"] else { return [] }
        let registry = readJSON(Path.join(home, ".claude/plugins/installed_plugins.json"))?["plugins"]?.objectValue ?? JSONObject()
        var found: [Enabled] = []
        for id in order {
            guard let (on, file) = enabled[id], on, let installs = registry[id] else { continue }
            // Version 2 keeps a list of installs per plugin (one per scope); version 1 kept one object.
            let entries = installs.arrayValue ?? [installs]
            let paths = entries.compactMap { $0["installPath"]?.stringValue }
            if let path = paths.first(where: registersHandoff) {
                found.append(Enabled(id: id, enabledIn: file, installPath: path))
            }
        }
        return found
    }

    /// True when the plugin at `installPath` has a hook that runs one of handoff's agent hooks.
    static func registersHandoff(_ installPath: String) -> Bool {
        for file in ["hooks/hooks.json", ".claude-plugin/plugin.json"] {
            guard let hooks = readJSON(Path.join(installPath, file))?["hooks"]?.objectValue else { continue }
            for (_, groups) in hooks.pairs {
                for group in groups.arrayValue ?? [] {
                    for entry in group["hooks"]?.arrayValue ?? [] {
                        let command = entry["command"]?.stringValue ?? ""
                        // The plugin's bin/handoff-<name> wrappers, or `handoff hook <name>`.
                        if ClaudeSettings.legacyExecutables.contains(where: { command.contains($0) }) { return true }
                        if command.contains("handoff"), HookName.allCases.contains(where: { command.contains("\(HookName.subcommand) \($0.rawValue)") }) { return true }
                    }
                }
            }
        }
        return false
    }

    static func readJSON(_ path: String) -> JSONValue? {
        guard FileSystem.exists(path), let bytes = try? FileSystem.readBytes(path, limit: 16 * 1024 * 1024) else { return nil }
        return try? JSONValue.parse(bytes)
    }
}
