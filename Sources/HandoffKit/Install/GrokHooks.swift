#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// handoff's hooks and skills for Grok Build, in grok's own folders.
///
/// Grok loads every `*.json` in `~/.grok/hooks/` (no trust needed) and, for a project whose folder
/// the user trusted (`grok --trust` or `/hooks-trust`, kept in `~/.grok/trusted_folders.toml`),
/// every `*.json` in `<project>/.grok/hooks/`. handoff's registration is one file of its own there,
/// `handoff.json` (Claude Code's format, which grok reads; every command carrying `--agent grok`),
/// so nothing is merged into anyone else's file: install writes it, uninstall deletes it and the
/// folders install created, and what was there before is untouched byte for byte.
///
/// Why grok's own file rather than the Claude Code entries grok also runs: grok is gated whether
/// or not the user has Claude Code (and keeps being gated when they uninstall handoff from it), and
/// nothing is merged into a file another program owns. Grok still runs handoff's Claude Code
/// entries too; those stand back whenever this file is in force (`standsBack`), so a hook never acts
/// twice for one grok event.
package enum GrokHooks {
    package static let fileName = "handoff.json"
    /// The key that marks the file as handoff's (grok ignores keys it does not know).
    package static let markerKey = "handoff"
    package static let markerText = "managed by handoff: `handoff uninstall --grok` removes this file"

    package enum Scope: String, Sendable { case user, project }

    package struct Registration: Sendable, Equatable {
        package var event: String
        package var matcher: String?
        package var hook: HookName
        package var timeout: Int
    }

    /// Grok maps Claude Code's tool names in matchers to its own (`run_terminal_command` is `Bash`,
    /// `write` and `search_replace` are `Write` and `Edit`: seen with grok 0.2.111).
    package static let registrations: [Registration] = [
        Registration(event: "Stop", matcher: nil, hook: .stopGate, timeout: 10),
        Registration(event: "SubagentStop", matcher: nil, hook: .stopGate, timeout: 10),
        Registration(event: "PreCompact", matcher: nil, hook: .compact, timeout: 15),
        Registration(event: "SessionStart", matcher: nil, hook: .session, timeout: 10),
        Registration(event: "SessionEnd", matcher: nil, hook: .session, timeout: 10),
        Registration(event: "PostToolUse", matcher: ClaudeSettings.toolMatcher, hook: .session, timeout: 5),
        Registration(event: "PostToolUseFailure", matcher: ClaudeSettings.toolMatcher, hook: .session, timeout: 5),
    ]

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case foreignFile(path: String)
        case missingExecutable(path: String)
        case noHome
        case io(SystemError)

        package var description: String {
            switch self {
            case .foreignFile(let path):
                return "\(path) exists and is not handoff's; it was left untouched — move it aside (or remove it) and run the command again"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .noHome:
                return "HOME is not set, so grok's folder (~/.grok) cannot be found; set HOME or use --scope project"
            case .io(let error):
                return "\(error); check the folder's permissions and run the command again"
            }
        }
    }

    // MARK: Places

    /// `~/.grok` for the user, `<project>/.grok` for a project.
    package static func grokFolder(scope: Scope, environment: Environment, projectRoot: String?) throws(Failure) -> String {
        switch scope {
        case .user:
            guard let home = environment["HOME"], home.hasPrefix("/") else { throw .noHome }
            return Path.join(home, ".grok")
        case .project:
            return Path.join(projectRoot ?? FileSystem.currentDirectory(), ".grok")
        }
    }

    package static func hooksPath(grokFolder: String) -> String { Path.join(Path.join(grokFolder, "hooks"), fileName) }

    /// The command grok runs: handoff's quoted absolute path, `hook <name>` and `--agent grok`.
    /// (Grok spawns a command with no space or shell metacharacter directly, quotes and all; this
    /// one has spaces, so it goes through `sh -c`, which reads the quotes.)
    package static func command(for hook: HookName, binDirectory: String) -> String {
        ClaudeSettings.command(for: hook, binDirectory: binDirectory) + " \(AgentKind.argument) \(AgentKind.grok.rawValue)"
    }

    /// The whole file, as install writes it (`created`: the folders install made, for uninstall).
    static func fileText(binDirectory: String, created: [String]) -> String {
        var hooks = JSONObject()
        for registration in registrations {
            var group = JSONObject()
            if let matcher = registration.matcher { group["matcher"] = .string(matcher) }
            group["hooks"] = [["type": "command", "command": .string(command(for: registration.hook, binDirectory: binDirectory)),
                               "timeout": .int(registration.timeout)]]
            hooks[registration.event] = .array((hooks[registration.event]?.arrayValue ?? []) + [.object(group)])
        }
        var object = JSONObject([(markerKey, .string(markerText)), ("hooks", .object(hooks))])
        if !created.isEmpty { object["created_folders"] = .array(created.map { .string($0) }) }
        return JSONValue.object(object).prettyText + "\n"
    }

    /// The file at `path` when it is a regular file that handoff wrote (its marker key), at most 1 MiB.
    static func ours(_ path: String) -> JSONObject? {
        guard !FileSystem.isSymlink(path), let size = FileSystem.size(path), size <= 1024 * 1024,
            let bytes = try? FileSystem.readBytes(path, limit: 1024 * 1024),
            let object = (try? JSONValue.parse(bytes))?.objectValue, object[markerKey]?.stringValue != nil
        else { return nil }
        return object
    }

    // MARK: Install and uninstall

    package struct Report: Sendable, Equatable {
        package var hooksPath: String
        package var lines: [String]
        package var changed: Bool
    }

    /// Writes `<grok>/hooks/handoff.json` and the two skills (`<grok>/skills/handoff-dump`, `handoff-end`).
    package static func install(grokFolder: String, binDirectory: String, dryRun: Bool) throws(Failure) -> Report {
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let file = Path.join(binDirectory, ClaudeSettings.executable)
        guard access(file, X_OK) == 0, !FileSystem.isDirectory(file) else { throw .missingExecutable(path: file) }
        let path = hooksPath(grokFolder: grokFolder)
        var lines: [String] = []
        let existing = ours(path)
        if existing == nil, FileSystem.exists(path) || FileSystem.isSymlink(path) { throw .foreignFile(path: path) }
        // The folders install makes are named in the file, so uninstall can remove them again.
        var created = existing?["created_folders"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for folder in [grokFolder, Path.dirname(path)] where !FileSystem.isDirectory(folder) && !created.contains(folder) {
            created.append(folder)
        }
        let text = fileText(binDirectory: binDirectory, created: created)
        let current = try? FileSystem.readText(path)
        if current == text {
            lines.append("hooks already registered in \(path)")
        } else {
            lines.append("\(existing == nil ? "registered" : "updated") the hooks (Stop, SubagentStop, PreCompact, SessionStart, SessionEnd, PostToolUse, PostToolUseFailure) in \(path)")
            if !dryRun {
                do throws(SystemError) {
                    try FileSystem.makeDirectories(Path.dirname(path))
                    try FileSystem.writeText(text, to: path, mode: 0o644)
                } catch {
                    throw .io(error)
                }
            }
        }
        do throws(SystemError) {
            lines += try skillsInstall(grokFolder: grokFolder, dryRun: dryRun)
        } catch {
            throw .io(error)
        }
        return Report(hooksPath: path, lines: lines, changed: current != text)
    }

    /// Removes handoff's file and skills and the folders install created (when empty); nothing else.
    package static func uninstall(grokFolder: String, dryRun: Bool) -> Report {
        let path = hooksPath(grokFolder: grokFolder)
        var lines: [String] = []
        let existing = ours(path)
        if let existing {
            lines.append("removed \(path)")
            lines += skillsUninstall(grokFolder: grokFolder, dryRun: dryRun)
            if !dryRun {
                FileSystem.remove(path)
                for folder in (existing["created_folders"]?.arrayValue?.compactMap(\.stringValue) ?? []).reversed() { rmdir(folder) }
            }
        } else {
            if FileSystem.exists(path) { lines.append("left \(path) alone (it is not handoff's)") } else { lines.append("no hooks registered in \(path)") }
            lines += skillsUninstall(grokFolder: grokFolder, dryRun: dryRun)
        }
        return Report(hooksPath: path, lines: lines, changed: existing != nil)
    }

    // MARK: Skills

    /// Grok shows a skill as a slash command (`/handoff-dump`) when its SKILL.md says `user-invocable: true`.
    package static var skills: [(name: String, text: String)] {
        CodexSkills.skills.map { skill in
            (skill.name, skill.text.replacingAll("name: \(skill.name)\n", with: "name: \(skill.name)\nuser-invocable: true\n"))
        }
    }

    package static func skillPath(grokFolder: String, name: String) -> String {
        Path.join(Path.join(Path.join(grokFolder, "skills"), name), "SKILL.md")
    }

    static func skillsInstall(grokFolder: String, dryRun: Bool) throws(SystemError) -> [String] {
        var lines: [String] = []
        for (name, text) in skills {
            let file = skillPath(grokFolder: grokFolder, name: name)
            let body = text + "\n"
            if let existing = try? FileSystem.readText(file) {
                if existing == body { continue }
                if !existing.contains(CodexSkills.marker) {
                    lines.append("left \(file) alone (it is not handoff's); the /\(name) skill there is someone else's")
                    continue
                }
            }
            lines.append("wrote the /\(name) skill to \(file)")
            if !dryRun {
                try FileSystem.makeDirectories(Path.dirname(file))
                try FileSystem.writeText(body, to: file, mode: 0o644)
            }
        }
        return lines
    }

    static func skillsUninstall(grokFolder: String, dryRun: Bool) -> [String] {
        var lines: [String] = []
        for (name, _) in skills {
            let file = skillPath(grokFolder: grokFolder, name: name)
            guard let existing = try? FileSystem.readText(file), existing.contains(CodexSkills.marker) else { continue }
            lines.append("removed the /\(name) skill (\(file))")
            if !dryRun {
                FileSystem.remove(file)
                rmdir(Path.dirname(file))
                rmdir(Path.dirname(Path.dirname(file)))
            }
        }
        return lines
    }

    // MARK: At run time

    /// True when grok runs handoff's own registration for this hook call's project: the user's file,
    /// or the project's file in a folder the user trusted. Then an entry without `--agent grok` (a
    /// Claude Code or Cursor entry, which grok also runs) stands back, so one grok event is handled once.
    package static func standsBack(arguments: [String], environment: Environment, root: String?) -> Bool {
        if let index = arguments.firstIndex(of: AgentKind.argument), index + 1 < arguments.count,
            AgentKind(name: arguments[index + 1]) == .grok
        {
            return false
        }
        if let home = environment["HOME"], home.hasPrefix("/"), ours(hooksPath(grokFolder: Path.join(home, ".grok"))) != nil { return true }
        guard let root, ours(hooksPath(grokFolder: Path.join(root, ".grok"))) != nil, let home = environment["HOME"] else { return false }
        return trusted(folder: root, trustFile: Path.join(Path.join(home, ".grok"), "trusted_folders.toml"))
    }

    /// Whether `~/.grok/trusted_folders.toml` trusts `folder`: a `[folders."<folder>"]` table with `trusted = true`.
    package static func trusted(folder: String, trustFile: String) -> Bool {
        guard !FileSystem.isSymlink(trustFile), let bytes = try? FileSystem.readBytes(trustFile, limit: 1024 * 1024) else { return false }
        let header = "[folders.\"\(folder)\"]"
        var inTable = false
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let text = String(line).trimmed
            if text.hasPrefix("[") {
                inTable = text == header
                continue
            }
            if inTable, text.replacingAll(" ", with: "") == "trusted=true" { return true }
        }
        return false
    }
}
