/// Registers `handoff mcp` as the MCP server "handoff" where Claude Code reads MCP servers for each
/// scope, and takes it out again. The places are those `claude mcp add --scope …` writes (checked
/// with Claude Code 2.1.327):
///
/// - user: `~/.claude.json` (`$CLAUDE_CONFIG_DIR/.claude.json` when set), top-level `mcpServers`;
/// - local: the same file, `projects["<repository root>"].mcpServers` (this project, this user);
/// - project: `<repository root>/.mcp.json`, `mcpServers` (meant to be committed; Claude Code asks
///   each user to approve it once, or `enableAllProjectMcpServers` / `enabledMcpjsonServers`).
///
/// The entry is what `claude mcp add handoff -- <bin>/handoff mcp` writes:
/// `{"type": "stdio", "command": "<bin>/handoff", "args": ["mcp"], "env": {}}` (the project scope
/// names `handoff` without a path, found on each person's PATH, like the project's hooks).
/// Claude Code keeps one server per name across scopes (local over project over user), so the
/// scopes never run it twice; the plugin's server is named differently
/// (`plugin_handoff_handoff`), so install adds nothing while an enabled handoff plugin serves it.
///
/// Files are rewritten in Claude Code's own layout (two-space JSON, no final newline when the file
/// had none), so taking the entry out gives back the bytes Claude Code had written. The file as it
/// was is also kept as `<file>.pre-handoff` until uninstall, which puts it back byte for byte when
/// nothing else changed since, and otherwise removes only what install added.
package struct ClaudeMCPServers: Sendable {
    package static let serverName = "handoff"
    package static let arguments: [String] = ["mcp"]

    package var dryRun: Bool

    package init(dryRun: Bool = false) {
        self.dryRun = dryRun
    }

    /// Where the scope's MCP servers live.
    package struct Location: Sendable, Equatable {
        package var path: String
        /// The keys leading to the `mcpServers` object: `["mcpServers"]` or `["projects", root, "mcpServers"]`.
        package var keyPath: [String]

        package var description: String {
            keyPath.count == 1 ? path : "\(path) (projects[\"\(keyPath[1])\"])"
        }
    }

    package static func location(scope: ClaudeSettings.Scope, environment: Environment, projectRoot: String?) throws(ClaudeSettings.Failure) -> Location {
        switch scope {
        case .user, .local:
            let folder: String
            if let configured = environment["CLAUDE_CONFIG_DIR"], !configured.isEmpty {
                folder = configured
            } else if let home = environment["HOME"] {
                folder = home
            } else {
                throw .noHome
            }
            let file = Path.join(folder, ".claude.json")
            guard scope == .local else { return Location(path: file, keyPath: ["mcpServers"]) }
            // Claude Code keys a project by its real path (a symlinked checkout is one project).
            let root = projectRoot ?? FileSystem.currentDirectory()
            return Location(path: file, keyPath: ["projects", FileSystem.realPath(root) ?? root, "mcpServers"])
        case .project:
            return Location(path: Path.join(projectRoot ?? FileSystem.currentDirectory(), ".mcp.json"), keyPath: ["mcpServers"])
        }
    }

    package static func entry(binDirectory: String, scope: ClaudeSettings.Scope) -> JSONValue {
        let command = scope.usesAbsolutePaths ? Path.join(binDirectory, "handoff") : "handoff"
        return .object(JSONObject([
            ("type", "stdio"), ("command", .string(command)), ("args", JSONValue(arguments)), ("env", .object(JSONObject())),
        ]))
    }

    /// True when `entry` starts handoff's server: `…/handoff mcp` (or the plugin's `handoff-mcp` launcher).
    package static func isOurs(_ entry: JSONValue) -> Bool {
        guard let command = entry["command"]?.stringValue else { return false }
        let name = Path.basename(command)
        let args = (entry["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        return (name == "handoff" && args == arguments) || (name == "handoff-mcp" && args.isEmpty)
    }

    // MARK: Install

    /// `pluginServing`: the id of an enabled plugin that already serves handoff's MCP server (then
    /// nothing is added: the agent would otherwise see every tool twice, under two names).
    package func install(scope: ClaudeSettings.Scope, environment: Environment, projectRoot: String?, binDirectory: String,
                         pluginServing: String?) throws(ClaudeSettings.Failure) -> ClaudeSettings.Report {
        let location = try Self.location(scope: scope, environment: environment, projectRoot: projectRoot)
        let label = "MCP server \(Self.serverName)"
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        if scope.usesAbsolutePaths {
            let executable = Path.join(binDirectory, "handoff")
            guard access(executable, X_OK) == 0, !FileSystem.isDirectory(executable) else { throw .missingExecutable(path: executable) }
        }
        let target = ClaudeSettings.resolve(location.path)
        let original = try ClaudeSettings.read(target)
        let root = try ClaudeSettings.parse(original, path: location.path)
        let servers = try Self.servers(in: root, location: location)
        let wanted = Self.entry(binDirectory: binDirectory, scope: scope)
        let existing = servers?[Self.serverName]
        if let existing, !Self.isOurs(existing) {
            throw .malformed(path: location.path, reason: "it already has an MCP server named \"\(Self.serverName)\" that does not run handoff (\(existing["command"]?.stringValue ?? existing.compactText)); rename or remove it (claude mcp remove \(Self.serverName) --scope \(scope.rawValue))")
        }
        if let pluginServing, existing == nil {
            return ClaudeSettings.Report(path: location.description, actions: [
                ClaudeSettings.Action(kind: .servedByPlugin, event: label, detail: pluginServing),
            ], dryRun: dryRun, changed: false)
        }
        if existing == wanted {
            return ClaudeSettings.Report(path: location.description, actions: [
                ClaudeSettings.Action(kind: .alreadyRegistered, event: label, detail: Self.commandLine(wanted)),
            ], dryRun: dryRun, changed: false)
        }
        let updated = Self.setting(root, keyPath: location.keyPath + [Self.serverName], to: wanted)
        var actions: [ClaudeSettings.Action] = []
        if original == nil {
            actions.append(ClaudeSettings.Action(kind: .createdFile, event: "", detail: location.path))
        } else if !ClaudeSettings.isPresent(target + ClaudeSettings.backupSuffix) {
            actions.append(ClaudeSettings.Action(kind: .keptBackup, event: "", detail: target + ClaudeSettings.backupSuffix))
        }
        actions.append(ClaudeSettings.Action(kind: existing == nil ? .added : .updated, event: label, detail: Self.commandLine(wanted)))
        if !dryRun {
            if let original, !ClaudeSettings.isPresent(target + ClaudeSettings.backupSuffix) {
                try ClaudeSettings.write(original, to: target + ClaudeSettings.backupSuffix, like: target)
            }
            if original == nil {
                do { try FileSystem.makeDirectories(Path.dirname(target)) } catch { throw .io(error) }
            }
            try ClaudeSettings.write(Self.serialise(updated, like: original), to: target, like: target)
        }
        return ClaudeSettings.Report(path: location.description, actions: actions, dryRun: dryRun, changed: true)
    }

    // MARK: Uninstall

    package func uninstall(scope: ClaudeSettings.Scope, environment: Environment, projectRoot: String?) throws(ClaudeSettings.Failure) -> ClaudeSettings.Report {
        let location = try Self.location(scope: scope, environment: environment, projectRoot: projectRoot)
        let label = "MCP server \(Self.serverName)"
        let target = ClaudeSettings.resolve(location.path)
        let backupPath = target + ClaudeSettings.backupSuffix
        let notRegistered = ClaudeSettings.Report(path: location.description, actions: [
            ClaudeSettings.Action(kind: .notRegistered, event: label, detail: ""),
        ], dryRun: dryRun, changed: false)
        guard let original = try ClaudeSettings.read(target) else { return notRegistered }
        let root = try ClaudeSettings.parse(original, path: location.path)
        guard let entry = try Self.servers(in: root, location: location)?[Self.serverName], Self.isOurs(entry) else { return notRegistered }

        // What was there before install decides which emptied containers go: only those install created.
        let backup = try? FileSystem.readBytes(backupPath)
        let before = backup.flatMap { try? JSONValue.parse($0) }?.objectValue
        var result = Self.setting(root, keyPath: location.keyPath + [Self.serverName], to: nil)
        for depth in stride(from: location.keyPath.count, through: 1, by: -1) {
            let prefix = Array(location.keyPath.prefix(depth))
            guard Self.value(in: result, at: prefix)?.objectValue?.isEmpty == true,
                Self.value(in: before ?? JSONObject(), at: prefix) == nil
            else { break }
            result = Self.setting(result, keyPath: prefix, to: nil)
        }
        var actions = [ClaudeSettings.Action(kind: .removed, event: label, detail: Self.commandLine(entry))]
        enum Outcome { case restore, remove, write }
        let outcome: Outcome
        if let before, before == result {
            outcome = .restore
            actions.append(ClaudeSettings.Action(kind: .restoredBackup, event: "", detail: location.path))
        } else if backup == nil, result.isEmpty {
            outcome = .remove
            actions.append(ClaudeSettings.Action(kind: .removedFile, event: "", detail: location.path))
        } else {
            outcome = .write
            if backup != nil { actions.append(ClaudeSettings.Action(kind: .keptLaterChanges, event: "", detail: location.path)) }
        }
        if !dryRun {
            switch outcome {
            case .restore:
                // rename keeps the backup's inode, bytes and mode.
                do { try FileSystem.move(backupPath, to: target) } catch { throw .io(error) }
            case .remove:
                FileSystem.remove(target)
            case .write:
                try ClaudeSettings.write(Self.serialise(result, like: original), to: target, like: target)
                // ~/.claude.json holds the user and the local scopes: the copy from before stays
                // while another scope's entry of ours is still in it (its uninstall needs it).
                if backup != nil, !Self.holdsAnEntry(result) { FileSystem.remove(backupPath) }
            }
        }
        return ClaudeSettings.Report(path: location.description, actions: actions, dryRun: dryRun, changed: true)
    }

    // MARK: Inspection (doctor)

    package struct Inspection: Sendable, Equatable {
        package var location: Location
        /// Set when the file does not parse or is not shaped as Claude Code expects.
        package var problem: String?
        /// handoff's entry, when there is one.
        package var command: String?
        /// The entry names an executable that is not there (or not executable, or not on PATH).
        package var runnable: Bool
        /// A server named "handoff" that does not run handoff.
        package var foreign: String?
    }

    package static func inspect(scope: ClaudeSettings.Scope, environment: Environment, projectRoot: String?) -> Inspection? {
        guard let location = try? location(scope: scope, environment: environment, projectRoot: projectRoot) else { return nil }
        var result = Inspection(location: location, problem: nil, command: nil, runnable: false, foreign: nil)
        do {
            let root = try ClaudeSettings.parse(try ClaudeSettings.read(ClaudeSettings.resolve(location.path)), path: location.path)
            guard let entry = try servers(in: root, location: location)?[serverName] else { return result }
            guard isOurs(entry) else {
                result.foreign = entry["command"]?.stringValue ?? entry.compactText
                return result
            }
            let command = entry["command"]?.stringValue ?? ""
            result.command = commandLine(entry)
            result.runnable = ClaudeSettings.isRunnable(command, environment: environment)
        } catch {
            if case .malformed(_, let reason) = error { result.problem = reason } else { result.problem = "\(error)" }
        }
        return result
    }

    /// Whether Claude Code will start the project's `.mcp.json` server "handoff" for this user
    /// (checked with Claude Code 2.1.327): the folder is trusted (`hasTrustDialogAccepted` in the
    /// `~/.claude.json` entry of the repository or of a folder above it) and the server approved
    /// (`enabledMcpjsonServers` naming it, or `enableAllProjectMcpServers`, in a settings file or in
    /// the project's entry), and not named in `disabledMcpjsonServers`.
    package static func projectServerApproved(environment: Environment, projectRoot: String) -> Bool {
        var records: [JSONValue] = []
        for file in ClaudePlugins.settingsFiles(environment: environment, projectRoot: projectRoot) {
            if let settings = ClaudePlugins.readJSON(file) { records.append(settings) }
        }
        guard let location = try? location(scope: .local, environment: environment, projectRoot: projectRoot) else { return false }
        let projects = ClaudePlugins.readJSON(location.path)?["projects"]?.objectValue ?? JSONObject()
        if let project = projects[location.keyPath[1]] { records.append(project) }
        var folder = location.keyPath[1]
        var trusted = false
        while true {
            if projects[folder]?["hasTrustDialogAccepted"]?.boolValue == true { trusted = true; break }
            let parent = Path.dirname(folder)
            if parent == folder || folder.isEmpty { break }
            folder = parent
        }
        guard trusted else { return false }
        func names(_ record: JSONValue, _ key: String) -> [String] { (record[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        if records.contains(where: { names($0, "disabledMcpjsonServers").contains(serverName) }) { return false }
        return records.contains { names($0, "enabledMcpjsonServers").contains(serverName) || $0["enableAllProjectMcpServers"]?.boolValue == true }
    }

    // MARK: Helpers

    /// True when `root` still has handoff's server at the top level or in any project.
    static func holdsAnEntry(_ root: JSONObject) -> Bool {
        if let entry = root["mcpServers"]?["handoff"], isOurs(entry) { return true }
        for (_, project) in root["projects"]?.objectValue?.pairs ?? [] {
            if let entry = project["mcpServers"]?["handoff"], isOurs(entry) { return true }
        }
        return false
    }

    static func commandLine(_ entry: JSONValue) -> String {
        ([entry["command"]?.stringValue ?? ""] + (entry["args"]?.arrayValue ?? []).compactMap(\.stringValue)).joined(separator: " ")
    }

    /// The `mcpServers` object of the location (nil when absent), checked to be objects all the way down.
    static func servers(in root: JSONObject, location: Location) throws(ClaudeSettings.Failure) -> JSONObject? {
        var current = root
        var walked: [String] = []
        for key in location.keyPath {
            walked.append(key)
            guard let next = current[key] else { return nil }
            guard let object = next.objectValue else {
                throw .malformed(path: location.path, reason: "\(walked.map { "\"\($0)\"" }.joined(separator: ".")) is \(next.typeName), not an object")
            }
            current = object
        }
        return current
    }

    static func value(in root: JSONObject, at keyPath: [String]) -> JSONValue? {
        var current: JSONValue = .object(root)
        for key in keyPath {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// `root` with the value at `keyPath` set (creating objects on the way) or removed (nil).
    static func setting(_ root: JSONObject, keyPath: [String], to value: JSONValue?) -> JSONObject {
        guard let key = keyPath.first else { return root }
        var root = root
        if keyPath.count == 1 {
            root[key] = value
            return root
        }
        let child = root[key]?.objectValue ?? JSONObject()
        if value == nil, root[key] == nil { return root }
        root[key] = .object(setting(child, keyPath: Array(keyPath.dropFirst()), to: value))
        return root
    }

    /// Two-space JSON as Claude Code writes it; a final newline only when the file had one.
    static func serialise(_ object: JSONObject, like original: [UInt8]?) -> [UInt8] {
        var bytes = Array(JSONValue.object(object).prettyText.utf8)
        if original?.last != 0x0A, bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }
}

extension ClaudePlugins {
    /// The enabled handoff plugin whose `.mcp.json` starts handoff's MCP server, if any.
    package static func servingMCP(environment: Environment, projectRoot: String?) -> Enabled? {
        enabledHandoffPlugins(environment: environment, projectRoot: projectRoot).first { plugin in
            let servers = readJSON(Path.join(plugin.installPath, ".mcp.json"))?["mcpServers"]?.objectValue ?? JSONObject()
            return servers.pairs.contains { _, entry in ClaudeMCPServers.isOurs(entry) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
