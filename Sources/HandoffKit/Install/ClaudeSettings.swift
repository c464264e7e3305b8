#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Merges handoff's agent-hook entries into a Claude Code `settings.json` and takes them out again.
///
/// Rules: every other key and every other hook is kept as it is; our entries run `handoff hook <name>`
/// with handoff's absolute path (Claude Code runs them through a shell, with whatever PATH the
/// session has); one entry per event and hook, never a duplicate; an entry of the separate-executables
/// layout (`"/…/bin/handoff-stop-gate"`) is ours too, and install rewrites it; a file that does not parse,
/// or whose `hooks` is not shaped as Claude Code expects, is left untouched and reported.
///
/// Re-serialising a file changes its formatting, so before the first change of a file that already
/// existed its bytes are kept beside it as `settings.json.pre-handoff`; uninstall puts those bytes
/// back when what remains equals them, so install-then-uninstall restores the file byte for byte.
package struct ClaudeSettings: Sendable {
    package enum Scope: String, Sendable, CaseIterable {
        /// `~/.claude/settings.json`: every project of this user.
        case user
        /// `<repo>/.claude/settings.json`, usually committed: the hooks are named without a path
        /// (found on PATH), so no one's home folder ends up in a shared file.
        case project
        /// `<repo>/.claude/settings.local.json`, personal and not committed: absolute paths.
        case local

        /// Whether the entries name handoff by absolute path (not in a file meant to be shared).
        package var usesAbsolutePaths: Bool { self != .project }
    }

    /// One hook registration: what Claude Code calls, on which event, with which matcher and timeout.
    /// Mirrors `hooks/claude/hooks/hooks.json` (the plugin); a test keeps the two in step.
    package struct Registration: Sendable, Equatable {
        package var event: String
        package var matcher: String?
        package var hook: HookName
        /// Seconds (Claude Code's unit). SessionEnd is killed after about 1.5 s without one.
        package var timeout: Int
    }

    package static let toolMatcher = "Bash|Write|Edit|MultiEdit|NotebookEdit"

    package static let registrations: [Registration] = [
        Registration(event: "Stop", matcher: nil, hook: .stopGate, timeout: 10),
        Registration(event: "SubagentStop", matcher: nil, hook: .stopGate, timeout: 10),
        Registration(event: "PreCompact", matcher: nil, hook: .compact, timeout: 15),
        Registration(event: "SessionStart", matcher: nil, hook: .session, timeout: 10),
        Registration(event: "SessionEnd", matcher: nil, hook: .session, timeout: 10),
        Registration(event: "PostToolUse", matcher: toolMatcher, hook: .session, timeout: 5),
        Registration(event: "PostToolUseFailure", matcher: toolMatcher, hook: .session, timeout: 5),
    ]

    /// The one executable the entries run.
    package static let executable = "handoff"

    /// The agent hooks' executables in the separate-executables layout, which older entries name.
    package static var legacyExecutables: [String] {
        var seen: [String] = []
        for registration in registrations {
            if let name = registration.hook.legacyExecutable, !seen.contains(name) { seen.append(name) }
        }
        return seen
    }

    package static let backupSuffix = ".pre-handoff"

    package struct Action: Sendable, Equatable, CustomStringConvertible {
        package enum Kind: String, Sendable {
            case added, updated, alreadyRegistered, removedDuplicate, removed, notRegistered
            case createdFile, keptBackup, restoredBackup, removedFile, keptLaterChanges
            /// Not added: an enabled plugin already provides it (the detail names the plugin).
            case servedByPlugin
        }

        package var kind: Kind
        /// "Stop", "PostToolUse(Bash|Write|…)"; "" for actions on the file.
        package var event: String
        package var detail: String

        package var description: String {
            let name = event.isEmpty ? "" : "\(event): "
            switch kind {
            case .added: return "\(name)registered \(detail)"
            case .updated: return "\(name)updated the entry to \(detail)"
            case .alreadyRegistered: return "\(name)already registered (\(detail))"
            case .removedDuplicate: return "\(name)removed a duplicate entry (\(detail))"
            case .removed: return "\(name)removed \(detail)"
            case .notRegistered: return "\(name)not registered; nothing to remove"
            case .createdFile: return "created \(detail)"
            case .keptBackup: return "kept the file as it was in \(detail) (uninstall puts it back)"
            case .restoredBackup: return "restored \(detail) byte for byte"
            case .removedFile: return "removed \(detail) (handoff had created it)"
            case .keptLaterChanges: return "kept later changes in \(detail); its copy from before handoff was removed"
            case .servedByPlugin: return "\(name)not added: the enabled plugin \(detail) already serves it (one server, not two)"
            }
        }
    }

    package struct Report: Sendable, Equatable {
        package var path: String
        package var actions: [Action]
        package var dryRun: Bool
        /// True when the file was (or, in a dry run, would be) written.
        package var changed: Bool
    }

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file is not JSON, or not shaped like Claude Code settings; it was not touched.
        case malformed(path: String, reason: String)
        case missingExecutable(path: String)
        case noHome
        case io(SystemError)

        package var description: String {
            switch self {
            case .malformed(let path, let reason):
                return "\(path) is not valid Claude Code settings (\(reason)); it was left untouched — fix it (or move it aside) and run the command again"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .noHome:
                return "HOME is not set, so the user settings (~/.claude/settings.json) cannot be found; set HOME or use --scope project"
            case .io(let error):
                return "\(error); check the folder's permissions and run the command again"
            }
        }
    }

    package var dryRun: Bool

    package init(dryRun: Bool = false) {
        self.dryRun = dryRun
    }

    /// `~/.claude/settings.json` for the user; `<worktree>/.claude/settings.json` for the project.
    package static func settingsPath(scope: Scope, environment: Environment, projectRoot: String?) throws(Failure) -> String {
        switch scope {
        case .user:
            guard let home = environment["HOME"] else { throw .noHome }
            return Path.join(Path.join(home, ".claude"), "settings.json")
        case .project:
            return Path.join(Path.join(projectRoot ?? FileSystem.currentDirectory(), ".claude"), "settings.json")
        case .local:
            return Path.join(Path.join(projectRoot ?? FileSystem.currentDirectory(), ".claude"), "settings.local.json")
        }
    }

    /// The command string of our entry: handoff's absolute path, double-quoted as the plugin's
    /// hooks.json does (Claude Code hands the string to a shell), then `hook <name>`.
    package static func command(for hook: HookName, binDirectory: String, scope: Scope = .user) -> String {
        // A file meant to be committed names the executable only: each person's PATH finds it.
        if !scope.usesAbsolutePaths { return "\(executable) \(HookName.subcommand) \(hook.rawValue)" }
        let path = Path.join(binDirectory, executable)
        var escaped = ""
        for character in path {
            if character == "\"" || character == "\\" || character == "$" || character == "`" { escaped.append("\\") }
            escaped.append(character)
        }
        return "\"" + escaped + "\" \(HookName.subcommand) \(hook.rawValue)"
    }

    /// What one of our entries runs: the program (an absolute path, or a bare name found on PATH)
    /// and the hook. Ours are `<handoff> hook <name>` and the separate-executables layout's lone
    /// `<dir>/handoff-<name>`, the program quoted or not; nil for anyone else's command.
    package static func ourCommand(in command: String) -> (program: String, hook: HookName)? {
        let text = command.trimmed
        var program = "", rest = Substring("")
        if let quote = text.first, quote == "\"" || quote == "'" {
            var escaping = false, closed: String.Index?
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                if escaping { program.append(character); escaping = false }
                else if quote == "\"" && character == "\\" { escaping = true }
                else if character == quote { closed = index; break }
                else { program.append(character) }
                index = text.index(after: index)
            }
            guard let closed else { return nil }
            rest = text[text.index(after: closed)...]
            // `"a""b"` is one word to a shell: not a form handoff writes.
            guard rest.isEmpty || rest.first == " " else { return nil }
        } else {
            let end = text.firstIndex(of: " ") ?? text.endIndex
            program = String(text[..<end])
            rest = text[end...]
        }
        // A bare name is the project scope's entry (found on PATH); anything else must be absolute.
        guard !program.isEmpty, program.hasPrefix("/") || !program.contains("/") else { return nil }
        let arguments = rest.split(separator: " ")
        let name = Path.basename(program)
        if arguments.isEmpty {
            guard legacyExecutables.contains(name), let hook = HookName(executableName: name) else { return nil }
            return (program, hook)
        }
        guard name == executable, arguments.count == 2, arguments[0] == HookName.subcommand,
            let hook = HookName(rawValue: String(arguments[1]))
        else { return nil }
        return (program, hook)
    }

    /// The program of our entry (see `ourCommand`); nil for anyone else's.
    package static func ourExecutable(in command: String) -> String? {
        ourCommand(in: command)?.program
    }

    // MARK: Install

    package func install(settingsAt path: String, binDirectory: String, scope: Scope = .user) throws(Failure) -> Report {
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let file = Path.join(binDirectory, Self.executable)
        guard access(file, X_OK) == 0, !FileSystem.isDirectory(file) else { throw .missingExecutable(path: file) }
        let target = Self.resolve(path)
        let original = try Self.read(target)
        var settings = try Self.parse(original, path: path)
        var hooks = try Self.hooksObject(settings, path: path)
        var actions: [Action] = []

        for registration in Self.registrations {
            var groups = hooks[registration.event]?.arrayValue ?? []
            let wanted: JSONValue = [
                "type": "command",
                "command": .string(Self.command(for: registration.hook, binDirectory: binDirectory, scope: scope)),
                "timeout": .int(registration.timeout),
            ]
            let label = Self.label(registration)
            var found = false
            for groupIndex in groups.indices {
                guard var group = groups[groupIndex].objectValue, var entries = group["hooks"]?.arrayValue else { continue }
                guard group["matcher"]?.stringValue == registration.matcher else { continue }
                var entryIndex = 0
                while entryIndex < entries.count {
                    guard Self.isOurs(entries[entryIndex], hook: registration.hook) else { entryIndex += 1; continue }
                    if found {
                        actions.append(Action(kind: .removedDuplicate, event: label, detail: entries[entryIndex]["command"]?.stringValue ?? ""))
                        entries.remove(at: entryIndex)
                        continue
                    }
                    found = true
                    if entries[entryIndex] == wanted {
                        actions.append(Action(kind: .alreadyRegistered, event: label, detail: wanted["command"]?.stringValue ?? ""))
                    } else {
                        entries[entryIndex] = wanted
                        actions.append(Action(kind: .updated, event: label, detail: wanted["command"]?.stringValue ?? ""))
                    }
                    entryIndex += 1
                }
                group["hooks"] = .array(entries)
                groups[groupIndex] = .object(group)
            }
            if !found {
                // A group of our own (not an entry inside someone else's group), so uninstall can take
                // it out whole and leave every other group exactly as it was.
                var group = JSONObject()
                if let matcher = registration.matcher { group["matcher"] = .string(matcher) }
                group["hooks"] = [wanted]
                groups.append(.object(group))
                actions.append(Action(kind: .added, event: label, detail: wanted["command"]?.stringValue ?? ""))
            }
            // Groups a duplicate removal emptied were ours: drop them.
            groups.removeAll { $0["hooks"]?.arrayValue?.isEmpty == true && Self.wasOnlyOurs($0) }
            hooks[registration.event] = .array(groups)
        }
        settings["hooks"] = .object(hooks)

        let changed = actions.contains { $0.kind != .alreadyRegistered }
        var report = Report(path: path, actions: [], dryRun: dryRun, changed: changed)
        if changed {
            if original == nil {
                report.actions.append(Action(kind: .createdFile, event: "", detail: path))
            } else if !Self.isPresent(target + Self.backupSuffix) {
                report.actions.append(Action(kind: .keptBackup, event: "", detail: target + Self.backupSuffix))
            }
            if !dryRun {
                if let original, !Self.isPresent(target + Self.backupSuffix) {
                    try Self.write(original, to: target + Self.backupSuffix, like: target)
                }
                if original == nil {
                    do { try FileSystem.makeDirectories(Path.dirname(target)) } catch { throw .io(error) }
                }
                try Self.write(Array(JSONValue.object(settings).prettyText.utf8), to: target, like: target)
            }
        }
        report.actions += actions
        return report
    }

    // MARK: Uninstall

    package func uninstall(settingsAt path: String) throws(Failure) -> Report {
        let target = Self.resolve(path)
        let backupPath = target + Self.backupSuffix
        guard let original = try Self.read(target) else {
            return Report(path: path, actions: [Action(kind: .notRegistered, event: "", detail: "")], dryRun: dryRun, changed: false)
        }
        var settings = try Self.parse(original, path: path)
        var hooks = try Self.hooksObject(settings, path: path)
        var actions: [Action] = []
        for event in Set(Self.registrations.map(\.event)).sorted() {
            guard let groups = hooks[event]?.arrayValue else { continue }
            var kept: [JSONValue] = []
            for group in groups {
                guard var object = group.objectValue, let entries = object["hooks"]?.arrayValue else { kept.append(group); continue }
                let remaining = entries.filter { Self.ourExecutable(in: $0["command"]?.stringValue ?? "") == nil || $0["type"]?.stringValue != "command" }
                for entry in entries where !remaining.contains(entry) {
                    actions.append(Action(kind: .removed, event: event, detail: entry["command"]?.stringValue ?? ""))
                }
                if remaining.count == entries.count { kept.append(group); continue }
                // A group left empty was one of ours: it goes; a shared one keeps everyone else's.
                if remaining.isEmpty { continue }
                object["hooks"] = .array(remaining)
                kept.append(.object(object))
            }
            hooks[event] = kept.isEmpty ? nil : .array(kept)
        }
        if actions.isEmpty {
            return Report(path: path, actions: [Action(kind: .notRegistered, event: "", detail: "")], dryRun: dryRun, changed: false)
        }
        settings["hooks"] = hooks.isEmpty ? nil : .object(hooks)

        let backup = try? FileSystem.readBytes(backupPath)
        let fileAction: Action
        var newBytes: [UInt8]? = Array(JSONValue.object(settings).prettyText.utf8)
        if let backup, let before = try? JSONValue.parse(backup), before == .object(settings) {
            fileAction = Action(kind: .restoredBackup, event: "", detail: path)
            newBytes = backup
        } else if backup == nil, settings.isEmpty {
            fileAction = Action(kind: .removedFile, event: "", detail: path)
            newBytes = nil
        } else {
            fileAction = Action(kind: .keptLaterChanges, event: "", detail: path)
        }
        if !dryRun {
            if let newBytes {
                if fileAction.kind == .restoredBackup {
                    // rename keeps the backup's inode, bytes and mode.
                    do { try FileSystem.move(backupPath, to: target) } catch { throw .io(error) }
                } else {
                    try Self.write(newBytes, to: target, like: target)
                }
            } else {
                FileSystem.remove(target)
                // The folder goes too when handoff's file was all it held (it created both).
                rmdir(Path.dirname(target))
            }
            if fileAction.kind != .restoredBackup, backup != nil { FileSystem.remove(backupPath) }
        }
        return Report(path: path, actions: actions + [fileAction], dryRun: dryRun, changed: true)
    }

    // MARK: Inspection (doctor)

    package struct Inspection: Sendable, Equatable {
        package var path: String
        package var exists: Bool
        /// Set when the file does not parse or is not shaped like settings.
        package var problem: String?
        /// Registrations with no entry of ours, as labels ("Stop", "PostToolUse(…)").
        package var missing: [String]
        /// Our entries whose executable is not there (or not executable).
        package var brokenPaths: [String]
        /// Registrations with an entry of ours.
        package var registered: [String]
    }

    /// `environment`'s PATH finds the executables that project settings name without a path.
    package static func inspect(settingsAt path: String, environment: Environment = Environment([:])) -> Inspection {
        var result = Inspection(path: path, exists: false, problem: nil, missing: [], brokenPaths: [], registered: [])
        let bytes: [UInt8]?
        do { bytes = try read(resolve(path)) } catch { result.problem = "\(error)"; return result }
        guard let bytes else {
            result.missing = registrations.map(label)
            return result
        }
        result.exists = true
        let hooks: JSONObject
        do { hooks = try hooksObject(try parse(bytes, path: path), path: path) } catch {
            if case .malformed(_, let reason) = error { result.problem = reason } else { result.problem = "\(error)" }
            return result
        }
        for registration in registrations {
            var paths: [String] = []
            for group in hooks[registration.event]?.arrayValue ?? [] where group["matcher"]?.stringValue == registration.matcher {
                for entry in group["hooks"]?.arrayValue ?? [] where isOurs(entry, hook: registration.hook) {
                    if let executable = ourExecutable(in: entry["command"]?.stringValue ?? "") { paths.append(executable) }
                }
            }
            if paths.isEmpty {
                result.missing.append(label(registration))
            } else {
                result.registered.append(label(registration))
                for path in paths where !isRunnable(path, environment: environment) && !result.brokenPaths.contains(path) {
                    result.brokenPaths.append(path)
                }
            }
        }
        return result
    }

    // MARK: Helpers

    /// An absolute path that is executable, or a bare name found on `environment`'s PATH.
    static func isRunnable(_ command: String, environment: Environment) -> Bool {
        if command.hasPrefix("/") { return access(command, X_OK) == 0 }
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.contains { $0.hasPrefix("/") && access(Path.join($0, command), X_OK) == 0 }
    }

    static func label(_ registration: Registration) -> String {
        registration.matcher.map { "\(registration.event)(\($0))" } ?? registration.event
    }

    static func isOurs(_ entry: JSONValue, hook: HookName) -> Bool {
        guard entry["type"]?.stringValue == "command", let command = entry["command"]?.stringValue else { return false }
        return ourCommand(in: command)?.hook == hook
    }

    static func wasOnlyOurs(_ group: JSONValue) -> Bool {
        guard let object = group.objectValue else { return false }
        return object.keys.allSatisfy { $0 == "matcher" || $0 == "hooks" }
    }

    /// A settings file reached through a symbolic link (dotfile managers do this) is written where
    /// the link points, so the link survives.
    static func resolve(_ path: String) -> String {
        guard FileSystem.isSymlink(path), let real = FileSystem.realPath(path) else { return path }
        return real
    }

    static func isPresent(_ path: String) -> Bool { FileSystem.exists(path) || FileSystem.isSymlink(path) }

    /// The file's bytes, or nil when there is no file.
    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        guard FileSystem.exists(path) else {
            if FileSystem.isSymlink(path) { throw .malformed(path: path, reason: "it is a symbolic link to a missing file") }
            return nil
        }
        do { return try FileSystem.readBytes(path, limit: 16 * 1024 * 1024) } catch { throw .io(error) }
    }

    static func parse(_ bytes: [UInt8]?, path: String) throws(Failure) -> JSONObject {
        guard let bytes else { return JSONObject() }
        // An empty file is what some editors leave behind; Claude Code reads it as no settings.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return JSONObject() }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .malformed(path: path, reason: error.description) }
        guard let object = value.objectValue else {
            throw .malformed(path: path, reason: "the top level is \(value.typeName), not an object")
        }
        return object
    }

    /// `hooks`, checked to be `{event: [{matcher?, hooks: [...]}]}` wherever we will read or write.
    static func hooksObject(_ settings: JSONObject, path: String) throws(Failure) -> JSONObject {
        guard let value = settings["hooks"] else { return JSONObject() }
        guard let hooks = value.objectValue else {
            throw .malformed(path: path, reason: "\"hooks\" is \(value.typeName), not an object")
        }
        for event in Set(registrations.map(\.event)) {
            guard let groups = hooks[event] else { continue }
            guard let list = groups.arrayValue else {
                throw .malformed(path: path, reason: "\"hooks.\(event)\" is \(groups.typeName), not an array")
            }
            for (index, group) in list.enumerated() {
                guard let object = group.objectValue else {
                    throw .malformed(path: path, reason: "\"hooks.\(event)[\(index)]\" is \(group.typeName), not an object")
                }
                if let entries = object["hooks"], entries.arrayValue == nil {
                    throw .malformed(path: path, reason: "\"hooks.\(event)[\(index)].hooks\" is \(entries.typeName), not an array")
                }
            }
        }
        return hooks
    }

    /// Atomic write that keeps the mode of the file it replaces (0644 for a new one).
    static func write(_ bytes: [UInt8], to path: String, like existing: String) throws(Failure) {
        let mode = FileSystem.mode(existing) ?? 0o644
        do { try FileSystem.writeAtomically(bytes, to: path, mode: mode) } catch { throw .io(error) }
        FileSystem.setMode(path, mode)
    }
}
