#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers handoff's hooks with OpenHands, in its `hooks.json`, and takes them out byte for byte.
///
/// OpenHands (1.16) reads `<workdir>/.openhands/hooks.json` if it exists, else `~/.openhands/hooks.json`:
/// one file, never both, and no trust. So a project file shadows the user's file entirely: installing
/// in a project copies nothing from the user's file, and says which of the user's hooks stop running
/// there; `handoff doctor` fails when a project file without handoff's entries hides a user install.
///
/// The format is Claude Code's (`{"hooks": {"Stop": [{"matcher": "*", "hooks": [{"type": "command",
/// "command": …, "timeout": …}]}]}}`); handoff adds one group of its own per event, each command
/// carrying `--agent openhands`, and keeps every other key and group. The file's bytes are kept
/// beside it as `hooks.json.pre-handoff` before the first change; uninstall takes out exactly
/// handoff's groups and puts those bytes back when nothing else changed.
package enum OpenHandsHooks {
    package enum Scope: String, Sendable { case user, project }

    package struct Registration: Sendable, Equatable {
        package var event: OpenHandsContract.Event
        package var hook: HookName
        package var timeout: Int
    }

    package static let registrations: [Registration] = [
        Registration(event: .stop, hook: .stopGate, timeout: 30),
        Registration(event: .sessionStart, hook: .session, timeout: 10),
        Registration(event: .sessionEnd, hook: .session, timeout: 10),
        Registration(event: .postToolUse, hook: .session, timeout: 10),
    ]

    package static let backupSuffix = ".pre-handoff"

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(path: String, reason: String)
        case missingExecutable(path: String)
        case noHome
        case io(SystemError)

        package var description: String {
            switch self {
            case .malformed(let path, let reason):
                return "\(path) is not a hooks file OpenHands reads (\(reason)); it was left untouched — fix it (or move it aside) and run the command again"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .noHome:
                return "HOME is not set, so OpenHands' folder (~/.openhands) cannot be found; set HOME or use --scope project"
            case .io(let error):
                return "\(error); check the folder's permissions and run the command again"
            }
        }
    }

    package struct Report: Sendable, Equatable {
        package var path: String
        package var lines: [String]
        package var changed: Bool
    }

    /// `~/.openhands` (OpenHands reads the user's hooks there whatever `OPENHANDS_PERSISTENCE_DIR` says).
    package static func userFolder(environment: Environment) throws(Failure) -> String {
        guard let home = environment["HOME"], home.hasPrefix("/") else { throw .noHome }
        return Path.join(home, ".openhands")
    }

    package static func hooksPath(scope: Scope, environment: Environment, projectRoot: String?) throws(Failure) -> String {
        switch scope {
        case .user: return Path.join(try userFolder(environment: environment), "hooks.json")
        case .project: return Path.join(Path.join(projectRoot ?? FileSystem.currentDirectory(), ".openhands"), "hooks.json")
        }
    }

    package static func command(for hook: HookName, binDirectory: String, scope: Scope) -> String {
        ClaudeSettings.command(for: hook, binDirectory: binDirectory, scope: scope == .project ? .project : .user)
            + " \(AgentKind.argument) \(AgentKind.openHands.rawValue)"
    }

    /// What one of our entries runs; nil for anyone else's.
    package static func ourCommand(in command: String) -> (program: String, hook: HookName)? {
        let suffix = " \(AgentKind.argument) \(AgentKind.openHands.rawValue)"
        let text = command.trimmed
        guard text.hasSuffix(suffix) else { return nil }
        return ClaudeSettings.ourCommand(in: String(text.dropLast(suffix.count)))
    }

    static func isOurs(_ entry: JSONValue) -> Bool {
        entry["type"]?.stringValue == "command" && ourCommand(in: entry["command"]?.stringValue ?? "") != nil
    }

    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        guard FileSystem.exists(path) else { return nil }
        guard FileSystem.isRegularFile(path) else { throw .malformed(path: path, reason: "it is not a regular file") }
        do { return try FileSystem.readBytes(path, limit: 16 * 1024 * 1024) } catch { throw .io(error) }
    }

    /// The file's object and its `hooks` object (OpenHands also takes the events at the top level,
    /// without the wrapper; handoff then writes beside them at the top level too).
    static func parse(_ bytes: [UInt8]?, path: String) throws(Failure) -> (file: JSONObject, wrapped: Bool) {
        guard let bytes, !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return (JSONObject(), true) }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .malformed(path: path, reason: error.description) }
        guard let object = value.objectValue else { throw .malformed(path: path, reason: "the top level is \(value.typeName), not an object") }
        if let hooks = object["hooks"], hooks.objectValue == nil {
            throw .malformed(path: path, reason: "\"hooks\" is \(hooks.typeName), not an object")
        }
        let wrapped = object["hooks"] != nil || !registrations.contains { object[$0.event.rawValue] != nil }
        let events = wrapped ? object["hooks"]?.objectValue ?? JSONObject() : object
        for registration in registrations {
            guard let groups = events[registration.event.rawValue] else { continue }
            guard let list = groups.arrayValue, list.allSatisfy({ $0.objectValue != nil }) else {
                throw .malformed(path: path, reason: "\"\(registration.event.rawValue)\" is not a list of matcher groups")
            }
        }
        return (object, wrapped)
    }

    /// Hooks of events that a file holds outside handoff's entries, as "Event: command" lines.
    package static func othersHooks(path: String) -> [String] {
        guard let bytes = try? read(path), let (file, wrapped) = try? parse(bytes, path: path) else { return [] }
        let events = wrapped ? file["hooks"]?.objectValue ?? JSONObject() : file
        var found: [String] = []
        for event in events.keys {
            for group in events[event]?.arrayValue ?? [] {
                for entry in group["hooks"]?.arrayValue ?? [] where !isOurs(entry) {
                    found.append("\(event): \(entry["command"]?.stringValue ?? entry.compactText)")
                }
            }
        }
        return found
    }

    // MARK: Install

    package static func install(hooksAt path: String, binDirectory: String, scope: Scope, dryRun: Bool) throws(Failure) -> Report {
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let program = Path.join(binDirectory, ClaudeSettings.executable)
        guard access(program, X_OK) == 0, !FileSystem.isDirectory(program) else { throw .missingExecutable(path: program) }
        let original = try read(path)
        var (file, wrapped) = try parse(original, path: path)
        var events = wrapped ? file["hooks"]?.objectValue ?? JSONObject() : file
        var lines: [String] = []
        for registration in registrations {
            let wanted: JSONValue = [
                "type": "command", "command": .string(command(for: registration.hook, binDirectory: binDirectory, scope: scope)),
                "timeout": .int(registration.timeout),
            ]
            let wantedGroup = JSONValue.object(JSONObject([("matcher", "*"), ("hooks", .array([wanted]))]))
            var groups = events[registration.event.rawValue]?.arrayValue ?? []
            let ours = groups.indices.filter { index in groups[index]["hooks"]?.arrayValue?.contains(where: isOurs) == true }
            if ours.count == 1, groups[ours[0]] == wantedGroup {
                lines.append("\(registration.event.rawValue): already registered (\(wanted["command"]?.stringValue ?? ""))")
                continue
            }
            // Our entries live in groups of their own: drop them wherever they are, then add one.
            groups = groups.compactMap { group in
                guard var object = group.objectValue, let entries = object["hooks"]?.arrayValue, entries.contains(where: isOurs) else { return group }
                let rest = entries.filter { !isOurs($0) }
                if rest.isEmpty { return nil }
                object["hooks"] = .array(rest)
                return .object(object)
            }
            groups.append(wantedGroup)
            events[registration.event.rawValue] = .array(groups)
            lines.append("\(registration.event.rawValue): \(ours.isEmpty ? "registered" : "updated the entry to") \(wanted["command"]?.stringValue ?? "")")
        }
        let changed = lines.contains { !$0.contains("already registered") }
        guard changed else { return Report(path: path, lines: lines, changed: false) }
        if wrapped { file["hooks"] = .object(events) } else { file = events }
        let backup = path + backupSuffix
        if original == nil { lines.append("created \(path)") }
        if original != nil, !FileSystem.exists(backup) { lines.append("kept the file as it was in \(backup) (uninstall puts it back)") }
        if !dryRun {
            do {
                if let original, !FileSystem.exists(backup) { try FileSystem.writeAtomically(original, to: backup, mode: 0o644) }
                try FileSystem.makeDirectories(Path.dirname(path))
                try FileSystem.writeText(JSONValue.object(file).prettyText, to: path, mode: 0o644)
            } catch {
                throw .io(error)
            }
        }
        return Report(path: path, lines: lines, changed: true)
    }

    // MARK: Uninstall

    package static func uninstall(hooksAt path: String, dryRun: Bool) throws(Failure) -> Report {
        guard let original = try read(path) else { return Report(path: path, lines: ["not registered; nothing to remove"], changed: false) }
        var (file, wrapped) = try parse(original, path: path)
        var events = wrapped ? file["hooks"]?.objectValue ?? JSONObject() : file
        var lines: [String] = []
        for event in events.keys {
            guard let groups = events[event]?.arrayValue else { continue }
            var kept: [JSONValue] = []
            for group in groups {
                guard var object = group.objectValue, let entries = object["hooks"]?.arrayValue, entries.contains(where: isOurs) else {
                    kept.append(group)
                    continue
                }
                lines.append("\(event): removed handoff's hook")
                let rest = entries.filter { !isOurs($0) }
                if rest.isEmpty { continue }
                object["hooks"] = .array(rest)
                kept.append(.object(object))
            }
            events[event] = kept.isEmpty ? nil : .array(kept)
        }
        guard !lines.isEmpty else { return Report(path: path, lines: ["not registered; nothing to remove"], changed: false) }
        if wrapped { file["hooks"] = events.isEmpty ? nil : .object(events) } else { file = events }
        let backup = path + backupSuffix
        let before = try? FileSystem.readBytes(backup)
        let restores = before.flatMap { try? JSONValue.parse($0) } == .object(file)
        if !dryRun {
            do {
                if restores {
                    try FileSystem.move(backup, to: path)
                } else if before == nil, file.isEmpty {
                    FileSystem.remove(path)
                    rmdir(Path.dirname(path))
                } else {
                    try FileSystem.writeText(JSONValue.object(file).prettyText, to: path, mode: 0o644)
                    if before != nil { FileSystem.remove(backup) }
                }
            } catch {
                throw .io(error)
            }
        }
        lines.append(restores ? "restored \(path) byte for byte"
            : before == nil && file.isEmpty ? "removed \(path) (handoff had created it)" : "kept later changes in \(path)")
        return Report(path: path, lines: lines, changed: true)
    }

    // MARK: Inspection (doctor)

    package struct Inspection: Sendable, Equatable {
        package var path: String
        package var exists: Bool
        package var problem: String?
        package var missing: [String]
        package var brokenPrograms: [String]
    }

    package static func inspect(hooksAt path: String, environment: Environment) -> Inspection {
        var result = Inspection(path: path, exists: FileSystem.exists(path), problem: nil, missing: [], brokenPrograms: [])
        let file: JSONObject, wrapped: Bool
        do { (file, wrapped) = try parse(try read(path), path: path) } catch { result.problem = error.description; return result }
        let events = wrapped ? file["hooks"]?.objectValue ?? JSONObject() : file
        for registration in registrations {
            let entries = (events[registration.event.rawValue]?.arrayValue ?? []).flatMap { $0["hooks"]?.arrayValue ?? [] }
            let ours = entries.compactMap { ourCommand(in: $0["command"]?.stringValue ?? "") }.filter { $0.hook == registration.hook }
            if ours.isEmpty { result.missing.append(registration.event.rawValue) }
            for (program, _) in ours where !ClaudeSettings.isRunnable(program, environment: environment) && !result.brokenPrograms.contains(program) {
                result.brokenPrograms.append(program)
            }
        }
        return result
    }
}
