#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers handoff's hooks with Mistral Vibe, in its `hooks.toml`, and takes them out byte for byte.
///
/// Vibe reads `$VIBE_HOME/hooks.toml` (`~/.vibe`, always) and `<project>/.vibe/hooks.toml` (only in a
/// folder the user trusted: `vibe --trust` for one run, or the trust prompt, which Vibe records in
/// `~/.vibe/trusted_folders.toml`; handoff does not write that file, since trusting a folder also
/// lets its `.vibe/` change Vibe's configuration, tools and agents). A hook is a `[[hooks]]` table
/// whose `name` must be unique across both files: the project's wins and the user's is skipped, so
/// installing in both never runs a hook twice.
///
/// handoff's tables are one marked block appended to the file; nothing else in it is rewritten. The
/// file's bytes are kept beside it as `hooks.toml.pre-handoff` before the first change; uninstall
/// removes the block and puts those bytes back (or removes the file handoff created).
package enum VibeHooks {
    package enum Scope: String, Sendable { case user, project }

    package struct Registration: Sendable, Equatable {
        /// The table's `name`.
        package var name: String
        package var type: MistralVibeContract.Event
        package var hook: HookName
        /// Seconds: Vibe kills the hook's process tree past it, and the action then goes on.
        package var timeout: Int
    }

    /// `pre_tool` for every tool: the session's first one takes its baseline (Vibe has no session
    /// start); `post_tool` records the tool; `post_agent` is the stop gate.
    package static let registrations: [Registration] = [
        Registration(name: "handoff-session-baseline", type: .preTool, hook: .session, timeout: 10),
        Registration(name: "handoff-tool-events", type: .postTool, hook: .session, timeout: 10),
        Registration(name: "handoff-stop-gate", type: .postAgent, hook: .stopGate, timeout: 30),
    ]

    static let blockBegin = "# handoff-managed-lines v1: handoff's hooks for Mistral Vibe (handoff uninstall --vibe removes this block)"
    static let blockEnd = "# end of handoff-managed-lines"
    package static let backupSuffix = ".pre-handoff"
    /// A hooks.toml larger than this is not handoff's to edit.
    static let maximumBytes = 1024 * 1024

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(path: String, reason: String)
        case missingExecutable(path: String)
        case noHome
        case io(SystemError)

        package var description: String {
            switch self {
            case .malformed(let path, let reason):
                return "\(path) cannot take handoff's hooks (\(reason)); it was left untouched — fix it and run the command again"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .noHome:
                return "neither VIBE_HOME nor HOME is set, so Vibe's home (~/.vibe) cannot be found; set VIBE_HOME"
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

    // MARK: Places

    /// `VIBE_HOME`, else `~/.vibe`.
    package static func vibeHome(environment: Environment) throws(Failure) -> String {
        if let home = environment["VIBE_HOME"], home.hasPrefix("/") { return home }
        guard let home = environment["HOME"], home.hasPrefix("/") else { throw .noHome }
        return Path.join(home, ".vibe")
    }

    package static func hooksPath(scope: Scope, vibeHome: String, projectRoot: String?) -> String {
        switch scope {
        case .user: return Path.join(vibeHome, "hooks.toml")
        case .project: return Path.join(Path.join(projectRoot ?? FileSystem.currentDirectory(), ".vibe"), "hooks.toml")
        }
    }

    /// `"<bin>/handoff" hook <name> --agent vibe`; in a project's file (meant to be shared) the
    /// program is named without a path and found on PATH.
    package static func command(for hook: HookName, binDirectory: String, scope: Scope) -> String {
        ClaudeSettings.command(for: hook, binDirectory: binDirectory, scope: scope == .project ? .project : .user)
            + " \(AgentKind.argument) \(AgentKind.vibe.rawValue)"
    }

    /// A TOML basic string.
    static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// handoff's block, from its first marker line to its last, with the final newline.
    static func block(binDirectory: String, scope: Scope) -> String {
        var lines = [blockBegin]
        for registration in registrations {
            lines += [
                "[[hooks]]",
                "name = \(tomlString(registration.name))",
                "type = \(tomlString(registration.type.rawValue))",
                "command = \(tomlString(command(for: registration.hook, binDirectory: binDirectory, scope: scope)))",
                "timeout = \(registration.timeout).0",
            ]
        }
        lines.append(blockEnd)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The range of handoff's block in `text` (with the newline that separates it from what comes
    /// before, when handoff added one), or nil.
    static func blockRange(in text: String) -> Range<String.Index>? {
        guard let begin = text.firstRange(of: blockBegin + "\n"), let end = text[begin.upperBound...].firstRange(of: blockEnd)
        else { return nil }
        var lower = begin.lowerBound
        // The blank line install put before the block.
        if lower > text.startIndex, text[text.index(before: lower)] == "\n" {
            let previous = text.index(before: lower)
            if previous > text.startIndex, text[text.index(before: previous)] == "\n" { lower = previous }
        }
        var upper = end.upperBound
        if upper < text.endIndex, text[upper] == "\n" { upper = text.index(after: upper) }
        return lower..<upper
    }

    static func read(_ path: String) throws(Failure) -> String? {
        guard FileSystem.exists(path) else { return nil }
        guard FileSystem.isRegularFile(path) else { throw .malformed(path: path, reason: "it is not a regular file") }
        guard (FileSystem.size(path) ?? 0) <= maximumBytes else { throw .malformed(path: path, reason: "it is larger than 1 MB") }
        do { return try FileSystem.readText(path) } catch { throw .io(error) }
    }

    /// A line that assigns `hooks` directly (`hooks = [...]`) makes appended `[[hooks]]` tables invalid TOML.
    static func inlineHooksArray(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("hooks") else { return false }
            return trimmed.dropFirst(5).drop { $0 == " " || $0 == "\t" }.hasPrefix("=")
        }
    }

    // MARK: Install

    package static func install(hooksAt path: String, binDirectory: String, scope: Scope, dryRun: Bool) throws(Failure) -> Report {
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let program = Path.join(binDirectory, ClaudeSettings.executable)
        guard access(program, X_OK) == 0, !FileSystem.isDirectory(program) else { throw .missingExecutable(path: program) }
        let original = try read(path)
        let wanted = block(binDirectory: binDirectory, scope: scope)
        var text = original ?? ""
        var lines: [String] = []
        if let range = blockRange(in: text) {
            let current = String(text[range]).trimmingLeadingNewline
            if current == wanted {
                return Report(path: path, lines: ["already registered (\(registrations.map(\.type.rawValue).joined(separator: ", ")))"], changed: false)
            }
            text.replaceSubrange(range, with: (range.lowerBound > text.startIndex ? "\n" : "") + wanted)
            lines.append("updated handoff's hooks to \(command(for: .stopGate, binDirectory: binDirectory, scope: scope))")
        } else {
            if inlineHooksArray(text) {
                throw .malformed(path: path, reason: "it sets hooks = [...] inline; handoff appends [[hooks]] tables, which cannot follow that: write your hooks as [[hooks]] tables")
            }
            if !text.isEmpty { text += (text.hasSuffix("\n") ? "" : "\n") + "\n" }
            text += wanted
            for registration in registrations {
                lines.append("\(registration.type.rawValue): registered \(command(for: registration.hook, binDirectory: binDirectory, scope: scope))")
            }
        }
        if original == nil { lines.append("created \(path)") }
        let backup = path + backupSuffix
        if let original, !FileSystem.exists(backup) { lines.append("kept the file as it was in \(backup) (uninstall puts it back)") }
        if !dryRun {
            do {
                if let original, !FileSystem.exists(backup) { try FileSystem.writeText(original, to: backup, mode: 0o644) }
                try FileSystem.makeDirectories(Path.dirname(path))
                try FileSystem.writeText(text, to: path, mode: 0o644)
            } catch {
                throw .io(error)
            }
        }
        return Report(path: path, lines: lines, changed: true)
    }

    // MARK: Uninstall

    package static func uninstall(hooksAt path: String, dryRun: Bool) throws(Failure) -> Report {
        guard var text = try read(path), let range = blockRange(in: text) else {
            return Report(path: path, lines: ["not registered; nothing to remove"], changed: false)
        }
        text.removeSubrange(range)
        let backup = path + backupSuffix
        let before = try? FileSystem.readText(backup)
        // The file as it was (install may have ended its last line for it): put back byte for byte.
        let restores = before.map { $0 == text || $0 + "\n" == text } ?? false
        var lines = registrations.map { "\($0.type.rawValue): removed handoff's hook" }
        if !dryRun {
            do {
                if restores {
                    // rename keeps the backup's bytes and mode.
                    try FileSystem.move(backup, to: path)
                } else if before == nil, text.isEmpty {
                    FileSystem.remove(path)
                    rmdir(Path.dirname(path))
                } else {
                    try FileSystem.writeText(text, to: path, mode: 0o644)
                    if before != nil { FileSystem.remove(backup) }
                }
            } catch {
                throw .io(error)
            }
        }
        if restores {
            lines.append("restored \(path) byte for byte")
        } else if before == nil, text.isEmpty {
            lines.append("removed \(path) (handoff had created it)")
        } else {
            lines.append("kept later changes in \(path)")
        }
        return Report(path: path, lines: lines, changed: true)
    }

    // MARK: Inspection (doctor)

    package struct Inspection: Sendable, Equatable {
        package var path: String
        package var registered: Bool
        /// The block is there but not as install writes it for this program, or the file cannot be read.
        package var problem: String?
        /// The program our entries run, when it is missing or not executable.
        package var brokenProgram: String?
    }

    package static func inspect(hooksAt path: String, environment: Environment) -> Inspection {
        var result = Inspection(path: path, registered: false)
        let text: String?
        do { text = try read(path) } catch { result.problem = error.description; return result }
        guard let text, let range = blockRange(in: text) else { return result }
        result.registered = true
        let block = String(text[range])
        for registration in registrations where !block.contains("type = \(tomlString(registration.type.rawValue))") {
            result.problem = "handoff's block lacks its \(registration.type.rawValue) hook: run handoff install --vibe again"
        }
        // The program of the stop gate's command.
        if let line = block.split(separator: "\n").first(where: { $0.hasPrefix("command = ") && $0.contains("stop-gate") }) {
            let command = String(line.dropFirst("command = ".count)).dropFirst().dropLast()
                .replacingAll("\\\"", with: "\"").replacingAll("\\\\", with: "\\")
            let suffix = " \(AgentKind.argument) \(AgentKind.vibe.rawValue)"
            if command.hasSuffix(suffix), let program = ClaudeSettings.ourExecutable(in: String(command.dropLast(suffix.count))),
                !ClaudeSettings.isRunnable(program, environment: environment)
            {
                result.brokenProgram = program
            }
        }
        return result
    }
}

extension String {
    var trimmingLeadingNewline: String { hasPrefix("\n") ? String(dropFirst()) : self }
}
