#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads git's configuration files directly, without libgit2, for the few keys a hook must know
/// before it decides whether to do anything (`handoff.enabled`, `handoff.auto`): a hook that has
/// nothing to do must not pay for loading the library.
///
/// It reads the files git reads, in git's order (system, global — XDG then `~/.gitconfig`, or
/// `GIT_CONFIG_GLOBAL` —, the repository's `config`, `config.worktree` when
/// `extensions.worktreeConfig` is on, then `GIT_CONFIG_COUNT` pairs), follows `include.path`, and
/// the last value wins, as in git. What it does not evaluate — `includeIf` conditions, a file it
/// cannot read, `git -c` parameters — makes the answer uncertain (`uncertainty` says why), and the
/// caller asks git itself.
package struct GitConfigFiles: Sendable {
    package enum Scope: String, Sendable {
        case system, global, local, worktree, command
    }

    package struct Entry: Sendable, Equatable {
        /// `section.name` or `section.subsection.name`; section and name lowercased, as git compares them.
        package var key: String
        /// nil for a bare `name` line (git reads it as true).
        package var value: String?
        package var scope: Scope
    }

    package private(set) var entries: [Entry] = []
    /// Why the files alone cannot answer with certainty; nil when they can.
    package private(set) var uncertainty: String?

    /// Where the repository keeps its files: `gitDirectory` is the worktree's own (`.git`, or the
    /// folder a `.git` file points to), `commonDirectory` the one shared by linked worktrees.
    package struct Locations: Sendable, Equatable {
        package var gitDirectory: String
        package var commonDirectory: String

        /// Resolves `.git` at the worktree root (honouring `GIT_DIR` and `GIT_COMMON_DIR`); nil when
        /// the root holds no repository this reader understands.
        package static func find(worktreeRoot root: String, environment: Environment) -> Locations? {
            let cwd = FileSystem.currentDirectory()
            var gitDirectory: String
            if let explicit = environment["GIT_DIR"] {
                gitDirectory = Path.normalize(explicit, relativeTo: cwd)
            } else {
                let dotGit = Path.join(root, ".git")
                if FileSystem.isDirectory(dotGit) {
                    gitDirectory = dotGit
                } else if let text = try? FileSystem.readText(dotGit), text.hasPrefix("gitdir:") {
                    let target = String(text.dropFirst("gitdir:".count)).trimmed
                    gitDirectory = Path.normalize(target, relativeTo: root)
                } else {
                    return nil
                }
            }
            var common = gitDirectory
            if let explicit = environment["GIT_COMMON_DIR"] {
                common = Path.normalize(explicit, relativeTo: cwd)
            } else if let text = try? FileSystem.readText(Path.join(gitDirectory, "commondir")) {
                common = Path.normalize(text.trimmed, relativeTo: gitDirectory)
            }
            return Locations(gitDirectory: gitDirectory, commonDirectory: common)
        }
    }

    package init(entries: [Entry] = [], uncertainty: String? = nil) {
        self.entries = entries
        self.uncertainty = uncertainty
    }

    /// Every file git would read for a command run in this repository (`locations` nil: outside one).
    package static func load(_ locations: Locations?, environment: Environment) -> GitConfigFiles {
        var files = GitConfigFiles()
        if !isTrue(environment["GIT_CONFIG_NOSYSTEM"]) {
            files.read(environment["GIT_CONFIG_SYSTEM"] ?? "/etc/gitconfig", scope: .system, environment: environment)
        }
        if let global = environment["GIT_CONFIG_GLOBAL"] {
            files.read(global, scope: .global, environment: environment)
        } else if let home = environment["HOME"] {
            let xdg = environment["XDG_CONFIG_HOME"] ?? Path.join(home, ".config")
            files.read(Path.join(Path.join(xdg, "git"), "config"), scope: .global, environment: environment)
            files.read(Path.join(home, ".gitconfig"), scope: .global, environment: environment)
        }
        if let locations {
            files.read(Path.join(locations.commonDirectory, "config"), scope: .local, environment: environment)
            if files.bool("extensions.worktreeconfig") == true {
                files.read(Path.join(locations.gitDirectory, "config.worktree"), scope: .worktree, environment: environment)
            }
        }
        if let count = environment["GIT_CONFIG_COUNT"].flatMap({ Int($0) }), count > 0 {
            for index in 0..<min(count, 1000) {
                guard let key = environment["GIT_CONFIG_KEY_\(index)"] else { continue }
                files.entries.append(Entry(key: normalizedKey(key), value: environment.variables["GIT_CONFIG_VALUE_\(index)"] ?? "", scope: .command))
            }
        }
        if let parameters = environment["GIT_CONFIG_PARAMETERS"], !parameters.isEmpty {
            files.uncertainty = files.uncertainty ?? "git -c parameters (GIT_CONFIG_PARAMETERS) are set"
        }
        return files
    }

    /// The last entry for `key` (git's "last one wins").
    package func last(_ key: String) -> Entry? {
        let wanted = Self.normalizedKey(key)
        return entries.last { $0.key == wanted }
    }

    /// The last value of `key` as git reads a boolean: nil when unset or not a boolean.
    package func bool(_ key: String) -> Bool? {
        guard let entry = last(key) else { return nil }
        return Self.boolean(entry.value)
    }

    /// git's boolean spellings: true/yes/on/a non-zero number, false/no/off/0/empty; a bare key is true.
    package static func boolean(_ value: String?) -> Bool? {
        guard let value else { return true }
        switch value.trimmed.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off", "": return false
        case let text: return Int(text).map { $0 != 0 }
        }
    }

    static func isTrue(_ value: String?) -> Bool { value.flatMap { boolean($0) } ?? false }

    /// `Section.Sub.Name` → `section.Sub.name`: git compares sections and names without case.
    static func normalizedKey(_ key: String) -> String {
        guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: ".") else { return key.lowercased() }
        let section = key[..<firstDot].lowercased()
        let name = key[key.index(after: lastDot)...].lowercased()
        if firstDot == lastDot { return section + "." + name }
        return section + "." + key[key.index(after: firstDot)..<lastDot] + "." + name
    }

    // MARK: Reading one file

    mutating func read(_ path: String, scope: Scope, environment: Environment, depth: Int = 0) {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readBytes(path, limit: 4 * 1024 * 1024)
        } catch {
            // A missing file is simply not there (as for git); any other failure makes git itself fail.
            if error.code != ENOENT && error.code != ENOTDIR { uncertainty = uncertainty ?? "cannot read \(path): \(error)" }
            return
        }
        let parsed = Self.parse(String(decoding: bytes, as: UTF8.self))
        for (key, value) in parsed.entries {
            if key.hasPrefix("includeif.") && key.hasSuffix(".path") {
                uncertainty = uncertainty ?? "\(path) has an includeIf section"
                continue
            }
            if key == "include.path", let value, !value.isEmpty {
                guard depth < 10 else { uncertainty = uncertainty ?? "includes nested too deeply in \(path)"; continue }
                var target = value
                if target.hasPrefix("~/"), let home = environment["HOME"] { target = Path.join(home, String(target.dropFirst(2))) }
                read(Path.normalize(target, relativeTo: Path.dirname(path)), scope: scope, environment: environment, depth: depth + 1)
                continue
            }
            entries.append(Entry(key: key, value: value, scope: scope))
        }
        if let problem = parsed.problem { uncertainty = uncertainty ?? "\(path): \(problem)" }
    }

    /// The `key = value` pairs of one file, in order, keys normalised (see `normalizedKey`).
    static func parse(_ text: String) -> (entries: [(String, String?)], problem: String?) {
        var entries: [(String, String?)] = []
        var section = ""
        let characters = Array(text.unicodeScalars)
        var index = 0
        let count = characters.count
        func peek() -> Unicode.Scalar? { index < count ? characters[index] : nil }
        func skipBlanks() { while let c = peek(), c == " " || c == "\t" || c == "\r" { index += 1 } }
        func skipLine() { while let c = peek(), c != "\n" { index += 1 }; if peek() == "\n" { index += 1 } }
        func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-"
        }
        while index < count {
            skipBlanks()
            guard let c = peek() else { break }
            if c == "\n" { index += 1; continue }
            if c == "#" || c == ";" { skipLine(); continue }
            if c == "[" {
                index += 1
                var name = ""
                while let c = peek(), c != "]", c != " ", c != "\t", c != "\"", c != "\n" { name.unicodeScalars.append(c); index += 1 }
                skipBlanks()
                if peek() == "\"" {
                    index += 1
                    var sub = ""
                    while let c = peek(), c != "\"", c != "\n" {
                        if c == "\\" { index += 1; if let escaped = peek(), escaped != "\n" { sub.unicodeScalars.append(escaped); index += 1 }; continue }
                        sub.unicodeScalars.append(c)
                        index += 1
                    }
                    guard peek() == "\"" else { return (entries, "unterminated section name") }
                    index += 1
                    section = name.lowercased() + "." + sub
                } else if let dot = name.firstIndex(of: ".") {
                    // The old `[section.subsection]` form: the subsection is lowercased too.
                    section = name[..<dot].lowercased() + "." + name[name.index(after: dot)...].lowercased()
                } else {
                    section = name.lowercased()
                }
                guard peek() == "]" else { return (entries, "malformed section header") }
                index += 1
                continue  // a variable may follow on the same line
            }
            guard isNameCharacter(c) else { return (entries, "unexpected character in a variable name") }
            var name = ""
            while let c = peek(), isNameCharacter(c) { name.unicodeScalars.append(c); index += 1 }
            skipBlanks()
            let key = section.isEmpty ? name.lowercased() : section + "." + name.lowercased()
            guard peek() == "=" else {
                // `name` alone means true; a comment or the end of the line may follow.
                if let c = peek(), c != "\n", c != "#", c != ";" { return (entries, "malformed line after \(key)") }
                entries.append((key, nil))
                skipLine()
                continue
            }
            index += 1
            skipBlanks()
            var value = ""
            var quoted = false
            var pendingSpace = ""
            valueLoop: while let c = peek() {
                switch c {
                case "\n":
                    break valueLoop
                case "\r":
                    index += 1
                case "\"":
                    quoted.toggle()
                    value += pendingSpace
                    pendingSpace = ""
                    index += 1
                case "#", ";":
                    if quoted {
                        value.unicodeScalars.append(c)
                        index += 1
                        continue
                    }
                    while let c = peek(), c != "\n" { index += 1 }
                    break valueLoop
                case " ", "\t":
                    // Inside quotes whitespace is kept; outside, only between words (trailing is dropped).
                    if quoted { value.unicodeScalars.append(c) } else { pendingSpace.unicodeScalars.append(c) }
                    index += 1
                case "\\":
                    index += 1
                    guard let escaped = peek() else { break valueLoop }
                    index += 1
                    value += pendingSpace
                    pendingSpace = ""
                    switch escaped {
                    case "\n": continue  // a continued line
                    case "n": value += "\n"
                    case "t": value += "\t"
                    case "b": value = String(value.dropLast())
                    case "\\", "\"": value.unicodeScalars.append(escaped)
                    default: return (entries, "unknown escape in the value of \(key)")
                    }
                default:
                    value += pendingSpace
                    pendingSpace = ""
                    value.unicodeScalars.append(c)
                    index += 1
                }
            }
            if quoted { return (entries, "unterminated quote in the value of \(key)") }
            entries.append((key, value))
            if peek() == "\n" { index += 1 }
        }
        return (entries, nil)
    }
}
