#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers handoff's hooks with Codex CLI (0.163) and records Codex's trust in them, so they run
/// without `--dangerously-bypass-hook-trust`; takes both out again byte for byte.
///
/// Codex reads hooks from `$CODEX_HOME/hooks.json` (user) or `<repo>/.codex/hooks.json` (project,
/// only once the project is trusted) and skips, silently, every hook whose `trusted_hash` is not
/// recorded under `[hooks.state."<file>:<event>:<group>:<handler>"]` in `$CODEX_HOME/config.toml`.
/// The hash is `sha256:` + hex SHA-256 of a canonical JSON identity of the hook (see `trustHash`),
/// which the end-to-end suite checks against the real binary.
///
/// hooks.json is merged (every other hook kept, our group appended per event) and its bytes kept
/// as `hooks.json.pre-handoff` before the first change; config.toml only gets a marked block
/// appended (and its bytes kept as `config.toml.pre-handoff`). Uninstall removes exactly ours and
/// puts the old bytes back when nothing else changed.
package struct CodexHooks: Sendable {
    package enum Scope: String, Sendable, CaseIterable {
        case user, project
    }

    package struct Registration: Sendable, Equatable {
        /// hooks.json's event name ("Stop").
        package var event: String
        /// Codex's internal label of the event, used in trust keys and hashes ("stop").
        package var eventKey: String
        package var matcher: String?
        package var hook: HookName
        /// Seconds. Codex clamps SessionEnd to 3 s, and hashes the clamped value.
        package var timeout: Int
    }

    package static let toolMatcher = "Bash|apply_patch|Edit|Write"

    package static let registrations: [Registration] = [
        Registration(event: "Stop", eventKey: "stop", matcher: nil, hook: .stopGate, timeout: 10),
        Registration(event: "PreCompact", eventKey: "pre_compact", matcher: nil, hook: .compact, timeout: 15),
        Registration(event: "SessionStart", eventKey: "session_start", matcher: nil, hook: .session, timeout: 10),
        Registration(event: "SessionEnd", eventKey: "session_end", matcher: nil, hook: .session, timeout: 3),
        Registration(event: "PostToolUse", eventKey: "post_tool_use", matcher: toolMatcher, hook: .session, timeout: 5),
    ]

    package static let backupSuffix = ".pre-handoff"
    static let blockBegin = "# handoff-managed-lines v1: Codex trust for handoff's hooks (handoff uninstall --codex removes this block)"
    static let blockEnd = "# end of handoff-managed-lines"

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(path: String, reason: String)
        case missingExecutable(path: String)
        case noHome
        case io(SystemError)

        package var description: String {
            switch self {
            case .malformed(let path, let reason):
                return "\(path) cannot be merged (\(reason)); it was left untouched — fix it (or move it aside) and run the command again"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .noHome:
                return "neither CODEX_HOME nor HOME is set, so Codex's home (~/.codex) cannot be found; set CODEX_HOME"
            case .io(let error):
                return "\(error); check the folder's permissions and run the command again"
            }
        }
    }

    package struct Report: Sendable, Equatable {
        package var hooksPath: String
        package var configPath: String
        package var lines: [String]
        package var changed: Bool
        package var dryRun: Bool
    }

    package var dryRun: Bool

    package init(dryRun: Bool = false) {
        self.dryRun = dryRun
    }

    // MARK: Places

    /// `CODEX_HOME`, else `~/.codex`.
    package static func codexHome(environment: Environment) throws(Failure) -> String {
        if let home = environment["CODEX_HOME"] { return home }
        guard let home = environment["HOME"] else { throw .noHome }
        return Path.join(home, ".codex")
    }

    package static func hooksPath(scope: Scope, codexHome: String, projectRoot: String?) -> String {
        switch scope {
        case .user: return Path.join(codexHome, "hooks.json")
        case .project: return Path.join(Path.join(projectRoot ?? FileSystem.currentDirectory(), ".codex"), "hooks.json")
        }
    }

    package static func configPath(codexHome: String) -> String { Path.join(codexHome, "config.toml") }

    // MARK: Identity and trust

    /// The command Codex runs through a shell: handoff's absolute path, double-quoted, `hook <name>`
    /// and `--agent codex`.
    package static func command(for hook: HookName, binDirectory: String) -> String {
        ClaudeSettings.command(for: hook, binDirectory: binDirectory) + " \(AgentKind.argument) \(AgentKind.codex.rawValue)"
    }

    /// What one of our entries runs (see `ClaudeSettings.ourCommand`, which also knows the
    /// separate-executables layout's `"/…/handoff-stop-gate" --agent codex`); nil for anyone else's.
    package static func ourCommand(in command: String) -> (program: String, hook: HookName)? {
        let suffix = " \(AgentKind.argument) \(AgentKind.codex.rawValue)"
        let text = command.trimmed
        guard text.hasSuffix(suffix) else { return nil }
        return ClaudeSettings.ourCommand(in: String(text.dropLast(suffix.count)))
    }

    /// The program of our entry; nil for anyone else's.
    package static func ourExecutable(in command: String) -> String? {
        ourCommand(in: command)?.program
    }

    /// Codex's key for one handler's state: `<hooks file>:<event>:<group index>:<handler index>`.
    package static func trustKey(hooksPath: String, eventKey: String, group: Int, handler: Int) -> String {
        "\(hooksPath):\(eventKey):\(group):\(handler)"
    }

    /// Codex's `trusted_hash` of a command hook: SHA-256 over the compact JSON, keys sorted, of
    /// `{"event_name", "matcher" (when set), "hooks": [{"type": "command", "command", "timeout", "async": false}]}`
    /// — Codex builds that identity through TOML, which drops unset fields.
    package static func trustHash(eventKey: String, matcher: String?, command: String, timeout: Int) -> String {
        var text = "{\"event_name\":" + canonicalString(eventKey)
        text += ",\"hooks\":[{\"async\":false,\"command\":" + canonicalString(command) + ",\"timeout\":\(timeout),\"type\":\"command\"}]"
        if let matcher { text += ",\"matcher\":" + canonicalString(matcher) }
        text += "}"
        return "sha256:" + SHA256.hex(Array(text.utf8))
    }

    /// A JSON string as serde_json writes it: only `"`, `\` and control characters escaped.
    static func canonicalString(_ value: String) -> String {
        let digits = Array("0123456789abcdef")
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00"
                    out.append(digits[Int(scalar.value >> 4)])
                    out.append(digits[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: Install

    package func install(hooksAt hooksPath: String, configAt configPath: String, binDirectory: String) throws(Failure) -> Report {
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let handoff = Path.join(binDirectory, ClaudeSettings.executable)
        guard access(handoff, X_OK) == 0, !FileSystem.isDirectory(handoff) else { throw .missingExecutable(path: handoff) }
        var lines: [String] = []
        // hooks.json: our group per event, appended; an entry of ours already there is updated in place.
        let originalHooks = try Self.read(hooksPath)
        var file = try Self.parseHooksFile(originalHooks, path: hooksPath)
        var hooks = file["hooks"]?.objectValue ?? JSONObject()
        var trust: [(key: String, hash: String)] = []
        for registration in Self.registrations {
            let wanted: JSONValue = [
                "type": "command",
                "command": .string(Self.command(for: registration.hook, binDirectory: binDirectory)),
                "timeout": .int(registration.timeout),
            ]
            var groups = hooks[registration.event]?.arrayValue ?? []
            var position: (Int, Int)?
            for groupIndex in groups.indices {
                guard var group = groups[groupIndex].objectValue, var entries = group["hooks"]?.arrayValue else { continue }
                for entryIndex in entries.indices {
                    guard let command = entries[entryIndex]["command"]?.stringValue, Self.ourCommand(in: command)?.hook == registration.hook,
                        position == nil
                    else { continue }
                    if group["matcher"]?.stringValue != registration.matcher {
                        if let matcher = registration.matcher { group["matcher"] = .string(matcher) } else { group["matcher"] = nil }
                    }
                    if entries[entryIndex] != wanted { lines.append("\(registration.event): updated the entry to \(wanted["command"]?.stringValue ?? "")") }
                    entries[entryIndex] = wanted
                    position = (groupIndex, entryIndex)
                }
                group["hooks"] = .array(entries)
                groups[groupIndex] = .object(group)
            }
            if position == nil {
                var group = JSONObject()
                if let matcher = registration.matcher { group["matcher"] = .string(matcher) }
                group["hooks"] = [wanted]
                groups.append(.object(group))
                position = (groups.count - 1, 0)
                lines.append("\(registration.event): registered \(wanted["command"]?.stringValue ?? "")")
            }
            hooks[registration.event] = .array(groups)
            let (group, handler) = position!
            trust.append((Self.trustKey(hooksPath: hooksPath, eventKey: registration.eventKey, group: group, handler: handler),
                          Self.trustHash(eventKey: registration.eventKey, matcher: registration.matcher,
                                         command: wanted["command"]?.stringValue ?? "", timeout: registration.timeout)))
        }
        file["hooks"] = .object(hooks)
        let newHooks = Array(JSONValue.object(file).prettyText.utf8)
        let hooksChanged = newHooks != originalHooks

        // config.toml: the trust block, replaced whole.
        let originalConfig = try Self.read(configPath)
        let configText = String(decoding: originalConfig ?? [], as: UTF8.self)
        let (outside, _) = Self.splitBlock(configText)
        // Read as TOML defines it (tables, dotted keys, inline tables) or refused before anything is
        // written: a [hooks.state."…"] table appended over an entry spelled another way is invalid TOML.
        let definitions: [TOMLKeys.Definition]
        do { definitions = try TOMLKeys.scan(outside) } catch {
            throw .malformed(path: configPath, reason: "\(error.description); handoff writes nothing to a file it cannot read back")
        }
        if let problem = Self.tomlObstacle(definitions) { throw .malformed(path: configPath, reason: problem) }
        let defined = Self.stateEntries(definitions)
        var block = [Self.blockBegin]
        for (key, hash) in trust where defined[key] == nil {
            block.append("[hooks.state.\(Self.tomlString(key))]")
            block.append("trusted_hash = \(Self.tomlString(hash))")
        }
        for (key, hash) in trust where defined[key] != nil && defined[key]! != hash {
            lines.append("\(configPath) already records a different trust for \(key) outside handoff's block: trust the hook in Codex's /hooks, or remove that entry and run this again")
        }
        block.append(Self.blockEnd)
        var newConfigText = outside
        if !newConfigText.isEmpty, !newConfigText.hasSuffix("\n") { newConfigText += "\n" }
        if !newConfigText.isEmpty { newConfigText += "\n" }
        newConfigText += block.joined(separator: "\n") + "\n"
        let configChanged = Array(newConfigText.utf8) != (originalConfig ?? [])

        if !hooksChanged && !configChanged {
            return Report(hooksPath: hooksPath, configPath: configPath, lines: ["already registered and trusted; nothing changed"], changed: false, dryRun: dryRun)
        }
        if configChanged { lines.append("recorded Codex's trust of the \(trust.count) hooks in \(configPath) (a marked block)") }
        if !dryRun {
            if hooksChanged { try Self.replace(hooksPath, with: newHooks, original: originalHooks) }
            if configChanged { try Self.replace(configPath, with: Array(newConfigText.utf8), original: originalConfig) }
        }
        return Report(hooksPath: hooksPath, configPath: configPath, lines: lines, changed: true, dryRun: dryRun)
    }

    // MARK: Uninstall

    package func uninstall(hooksAt hooksPath: String, configAt configPath: String) throws(Failure) -> Report {
        var lines: [String] = []
        var changed = false
        if let original = try Self.read(hooksPath) {
            var file = try Self.parseHooksFile(original, path: hooksPath)
            var hooks = file["hooks"]?.objectValue ?? JSONObject()
            var removed = 0
            for event in Set(Self.registrations.map(\.event)).sorted() {
                guard let groups = hooks[event]?.arrayValue else { continue }
                var kept: [JSONValue] = []
                for group in groups {
                    guard var object = group.objectValue, let entries = object["hooks"]?.arrayValue else { kept.append(group); continue }
                    let remaining = entries.filter { Self.ourExecutable(in: $0["command"]?.stringValue ?? "") == nil }
                    removed += entries.count - remaining.count
                    if remaining.count == entries.count { kept.append(group); continue }
                    if remaining.isEmpty { continue }
                    object["hooks"] = .array(remaining)
                    kept.append(.object(object))
                }
                hooks[event] = kept.isEmpty ? nil : .array(kept)
            }
            if removed > 0 {
                changed = true
                lines.append("removed handoff's \(removed) hooks from \(hooksPath)")
                file["hooks"] = .object(hooks)
                if !dryRun { try Self.restore(hooksPath, remaining: file, isEmpty: hooks.isEmpty && file.keys.allSatisfy { $0 == "hooks" }) }
            }
        }
        if let original = try Self.read(configPath) {
            let text = String(decoding: original, as: UTF8.self)
            let (outside, found) = Self.splitBlock(text)
            if found {
                changed = true
                lines.append("removed handoff's trust block from \(configPath)")
                if !dryRun { try Self.restoreText(configPath, remaining: outside) }
            }
        }
        if !changed { lines.append("not registered; nothing to remove") }
        return Report(hooksPath: hooksPath, configPath: configPath, lines: lines, changed: changed, dryRun: dryRun)
    }

    // MARK: Inspection (doctor)

    package struct Inspection: Sendable, Equatable {
        package var hooksPath: String
        package var exists: Bool
        package var problem: String?
        /// Events with no entry of ours.
        package var missing: [String]
        /// Our entries whose trust is not recorded, or recorded for another version of the hook.
        package var untrusted: [String]
        package var brokenPaths: [String]
        package var registered: [String]
    }

    package static func inspect(hooksAt hooksPath: String, configAt configPath: String) -> Inspection {
        var result = Inspection(hooksPath: hooksPath, exists: false, problem: nil, missing: [], untrusted: [], brokenPaths: [], registered: [])
        let bytes: [UInt8]?
        do { bytes = try read(hooksPath) } catch { result.problem = "\(error)"; return result }
        guard let bytes else {
            result.missing = registrations.map(\.event)
            return result
        }
        result.exists = true
        let hooks: JSONObject
        do { hooks = try parseHooksFile(bytes, path: hooksPath)["hooks"]?.objectValue ?? JSONObject() } catch {
            if case .malformed(_, let reason) = error { result.problem = reason } else { result.problem = "\(error)" }
            return result
        }
        let config = (try? ClaudeSettings.read(configPath)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let trusted = stateKeys(config)
        for registration in registrations {
            var found = false
            for (groupIndex, group) in (hooks[registration.event]?.arrayValue ?? []).enumerated() {
                for (entryIndex, entry) in (group["hooks"]?.arrayValue ?? []).enumerated() {
                    guard let command = entry["command"]?.stringValue, let (path, hook) = ourCommand(in: command),
                        hook == registration.hook
                    else { continue }
                    found = true
                    if access(path, X_OK) != 0, !result.brokenPaths.contains(path) { result.brokenPaths.append(path) }
                    let key = trustKey(hooksPath: hooksPath, eventKey: registration.eventKey, group: groupIndex, handler: entryIndex)
                    let timeout = min(entry["timeout"]?.intValue ?? 600, registration.event == "SessionEnd" ? 3 : Int.max)
                    let hash = trustHash(eventKey: registration.eventKey, matcher: group["matcher"]?.stringValue, command: command, timeout: max(1, timeout))
                    if trusted[key] != hash { result.untrusted.append(registration.event) }
                }
            }
            if found { result.registered.append(registration.event) } else { result.missing.append(registration.event) }
        }
        return result
    }

    /// True when `[projects."<root>"]` in config.toml says `trust_level = "trusted"` (Codex reads a
    /// project's .codex/ only then).
    package static func projectTrusted(root: String, configPath: String) -> Bool {
        guard let text = try? FileSystem.readText(configPath) else { return false }
        var inProject = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmed
            if line.hasPrefix("[") {
                inProject = line == "[projects.\(tomlString(root))]" || line == "[projects.'\(root)']"
                continue
            }
            if inProject, line.replacingAll(" ", with: "") == "trust_level=\"trusted\"" { return true }
        }
        return false
    }

    // MARK: Helpers

    static func parseHooksFile(_ bytes: [UInt8]?, path: String) throws(Failure) -> JSONObject {
        let object: JSONObject
        do { object = try ClaudeSettings.parse(bytes, path: path) } catch { throw convert(error) }
        guard let value = object["hooks"] else { return object }
        guard let hooks = value.objectValue else { throw .malformed(path: path, reason: "\"hooks\" is \(value.typeName), not an object") }
        for event in Set(registrations.map(\.event)) {
            guard let groups = hooks[event] else { continue }
            guard let list = groups.arrayValue else { throw .malformed(path: path, reason: "\"hooks.\(event)\" is not an array") }
            for group in list where group.objectValue == nil || (group["hooks"] != nil && group["hooks"]?.arrayValue == nil) {
                throw .malformed(path: path, reason: "a group of \"hooks.\(event)\" is not {matcher, hooks: [...]}")
            }
        }
        return object
    }

    static func convert(_ error: ClaudeSettings.Failure) -> Failure {
        switch error {
        case .malformed(let path, let reason): return .malformed(path: path, reason: reason)
        case .missingExecutable(let path): return .missingExecutable(path: path)
        case .noHome: return .noHome
        case .io(let error): return .io(error)
        }
    }

    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        do { return try ClaudeSettings.read(path) } catch { throw convert(error) }
    }

    static func write(_ bytes: [UInt8], to path: String, like existing: String) throws(Failure) {
        do { try ClaudeSettings.write(bytes, to: path, like: existing) } catch { throw convert(error) }
    }

    /// A TOML basic string.
    static func tomlString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
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

    /// The text without handoff's block, and whether there was one. The blank line install put
    /// before the block goes with it.
    static func splitBlock(_ text: String) -> (String, Bool) {
        guard let begin = text.firstRange(of: blockBegin), let end = text[begin.upperBound...].firstRange(of: blockEnd) else {
            return (text, false)
        }
        var before = String(text[..<begin.lowerBound])
        var after = String(text[end.upperBound...])
        if after.hasPrefix("\n") { after.removeFirst() }
        if after.isEmpty, before.hasSuffix("\n\n") { before.removeLast() }
        return (before + after, true)
    }

    /// Something in config.toml that a `[hooks.state."…"]` table appended after it would break:
    /// `hooks` or `hooks.state` given as a value (an inline table), or as an array of tables.
    static func tomlObstacle(_ definitions: [TOMLKeys.Definition]) -> String? {
        for definition in definitions where definition.path == ["hooks"] || definition.path == ["hooks", "state"] {
            let name = definition.path.joined(separator: ".")
            if !definition.isTable {
                return "it sets `\(name)` as a value (an inline table); handoff appends [hooks.state.\"…\"] tables, which TOML forbids after that"
            }
        }
        return nil
    }

    /// The `hooks.state."KEY"` entries config.toml defines, in any of TOML's spellings (a
    /// `[hooks.state."KEY"]` table, a dotted key, an inline table), with their `trusted_hash` (nil
    /// when the entry has none). Nil when the file cannot be read as TOML by `TOMLKeys`.
    static func stateEntries(_ text: String) -> [String: String?]? {
        guard let definitions = try? TOMLKeys.scan(text) else { return nil }  // the caller says why where it matters
        return stateEntries(definitions)
    }

    static func stateEntries(_ definitions: [TOMLKeys.Definition]) -> [String: String?] {
        var result: [String: String?] = [:]
        for definition in definitions where definition.path.count >= 3 && definition.path[0] == "hooks" && definition.path[1] == "state" {
            let key = definition.path[2]
            if result[key] == nil { result[key] = .some(nil) }
            if definition.path.count == 4, definition.path[3] == "trusted_hash", !definition.isTable {
                var scanner = TOMLKeys.Scanner(Array(definition.value.unicodeScalars), line: 0)
                if let first = scanner.peek, first == "\"" || first == "'", let hash = try? scanner.string() {  // not a string: no hash
                    result[key] = .some(hash)
                }
            }
        }
        return result
    }

    /// `hooks.state."KEY"` entries and their `trusted_hash`, whichever spelling wrote them.
    static func stateKeys(_ text: String) -> [String: String] {
        (stateEntries(text) ?? [:]).compactMapValues { $0 }
    }

    static func unescapeTOML(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// Writes `bytes`, first keeping the file as it was beside it (once).
    static func replace(_ path: String, with bytes: [UInt8], original: [UInt8]?) throws(Failure) {
        let target = ClaudeSettings.resolve(path)
        if let original, !ClaudeSettings.isPresent(target + backupSuffix) {
            try Self.write(original, to: target + backupSuffix, like: target)
        }
        if original == nil {
            do { try FileSystem.makeDirectories(Path.dirname(target)) } catch { throw .io(error) }
        }
        try Self.write(bytes, to: target, like: target)
    }

    /// After our entries are taken out: the old bytes when the rest equals them, nothing when
    /// handoff created the file, else the rest.
    static func restore(_ path: String, remaining: JSONObject, isEmpty: Bool) throws(Failure) {
        let target = ClaudeSettings.resolve(path)
        let backup = try? FileSystem.readBytes(target + backupSuffix)  // no backup: handoff created the file
        // An empty (or blank) file read as `{}` when installing: it is restored as it was, byte for
        // byte, like any file whose content is what remains; an empty `hooks` object counts as none.
        func withoutEmptyHooks(_ object: JSONObject) -> JSONObject {
            var copy = object
            if copy["hooks"]?.objectValue?.isEmpty == true { copy["hooks"] = nil }
            return copy
        }
        let before: JSONObject? = backup.flatMap { bytes in
            bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D } ? JSONObject() : (try? JSONValue.parse(bytes))?.objectValue  // not JSON: not restored over
        }
        if backup != nil, let before, withoutEmptyHooks(before) == withoutEmptyHooks(remaining) {
            do { try FileSystem.move(target + backupSuffix, to: target) } catch { throw .io(error) }
            return
        }
        if backup == nil, isEmpty {
            FileSystem.remove(target)
            return
        }
        try Self.write(Array(JSONValue.object(remaining).prettyText.utf8), to: target, like: target)
        if backup != nil { FileSystem.remove(target + backupSuffix) }
    }

    static func restoreText(_ path: String, remaining: String) throws(Failure) {
        let target = ClaudeSettings.resolve(path)
        let backup = try? FileSystem.readBytes(target + backupSuffix)
        if let backup, String(decoding: backup, as: UTF8.self) == remaining || String(decoding: backup, as: UTF8.self) + "\n" == remaining {
            do { try FileSystem.move(target + backupSuffix, to: target) } catch { throw .io(error) }
            return
        }
        if backup == nil, remaining.allSatisfy(\.isWhitespace) {
            FileSystem.remove(target)
            return
        }
        try Self.write(Array(remaining.utf8), to: target, like: target)
        if backup != nil { FileSystem.remove(target + backupSuffix) }
    }
}
