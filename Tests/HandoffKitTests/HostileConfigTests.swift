import Foundation
import Testing

@testable import HandoffKit

/// Configuration files are read as their format defines them, or refused without writing; uninstall
/// gives every file back byte for byte, empty ones included (#26).
@Suite("Hostile input: configuration files")
struct HostileConfigTests {
    typealias Home = CodexInstallTests.Home

    /// Whether Python's TOML parser (the reference here) reads the file; the error otherwise.
    func tomlError(_ path: String) throws -> String? {
        let result = try launch("/usr/bin/env", ["python3", "-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))", path],
                                directory: "/", environment: ProcessInfo.processInfo.environment, timeout: 30)
        return result.status == 0 ? nil : result.stderr
    }

    /// The trust key and hash install writes for the Stop hook as the first group of an empty hooks.json.
    func stopTrust(_ home: Home) -> (key: String, hash: String) {
        let command = "\"\(home.bin)/handoff\" hook stop-gate --agent codex"
        return (CodexHooks.trustKey(hooksPath: home.hooks, eventKey: "stop", group: 0, handler: 0),
                CodexHooks.trustHash(eventKey: "stop", matcher: nil, command: command, timeout: 10))
    }

    @Test("trust already held as a dotted key or an inline table is read as such: the result is valid TOML, the entry not duplicated")
    func dottedKeysAndInlineTables() throws {
        for spelling in ["dotted", "inline", "table-dotted", "stale-dotted"] {
            let home = try Home()
            let (key, hash) = stopTrust(home)
            let quoted = CodexHooks.tomlString(key)
            let config: String
            switch spelling {
            case "dotted": config = "model = \"o3\"\nhooks.state.\(quoted).trusted_hash = \"\(hash)\"\n"
            case "inline": config = "[hooks.state]\n\(quoted) = { trusted_hash = \"\(hash)\" }\n"
            case "table-dotted": config = "[hooks]\nstate.\(quoted).trusted_hash = '\(hash)'\n"
            default: config = "hooks.state.\(quoted).trusted_hash = \"sha256:old\"\n"
            }
            try config.write(toFile: home.config, atomically: true, encoding: .utf8)
            #expect(try tomlError(home.config) == nil, "\(spelling): the starting file is valid TOML")
            let report = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
            // Before: a [hooks.state."<key>"] table was appended over the dotted key, and TOML refuses a table defined twice.
            #expect(try tomlError(home.config) == nil, "\(spelling): install made invalid TOML:\n\(home.read(home.config) ?? "")")
            let written = try #require(home.read(home.config))
            #expect(!written.contains("[hooks.state.\(quoted)]"), "\(spelling): the entry was written a second time")
            if spelling == "stale-dotted" {
                #expect(report.lines.contains { $0.contains("already records a different trust for \(key)") }, "\(report.lines)")
            } else {
                #expect(CodexHooks.stateKeys(written)[key] == hash, "\(spelling)")
            }
        }
    }

    @Test("a config.toml this reader cannot follow, or where hooks is an inline table, is refused and left byte for byte")
    func refusedWithoutWriting() throws {
        for config in ["hooks = { state = {} }\n", "[hooks]\nstate = { }\n", "notes = \"unterminated\n", "[broken\n"] {
            let home = try Home()
            try config.write(toFile: home.config, atomically: true, encoding: .utf8)
            #expect(throws: CodexHooks.Failure.self, "\(config)") {
                _ = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
            }
            #expect(home.read(home.config) == config, "the refused file was changed")
            #expect(!FileManager.default.fileExists(atPath: home.hooks), "hooks.json was written although config.toml was refused")
        }
    }

    @Test("the TOML reader: tables, dotted keys, quoted segments, inline tables and multi-line arrays")
    func tomlKeys() throws {
        let text = """
            # comment
            a.b = 1
            "q.x".'lit' = "v" # trailing
            [t."u v"]
            c = { d = 2, e.f = "g", h = { i = [1, 2] } }
            arr = [
              "x]", # ]
              "y",
            ]
            after = true
            [[list]]
            k = 'v'
            """
        let paths = try TOMLKeys.scan(text).map { $0.path.joined(separator: "|") }
        #expect(paths == ["a|b", "q.x|lit", "t|u v", "t|u v|c", "t|u v|c|d", "t|u v|c|e|f", "t|u v|c|h", "t|u v|c|h|i", "t|u v|arr",
                          "t|u v|after", "list", "list|k"], "\(paths)")
        // Multi-line strings are stepped over, whatever they hold.
        let strings = try TOMLKeys.scan(#"k = '''"# + "\n[not.a.table]\nx = 1\n" + #"'''"# + "\n" + #"m = """one \""" still"# + "\n[nor]\n" + #"""""# + "\nlast = 1\n")
        #expect(strings.map { $0.path.joined(separator: "|") } == ["k", "m", "last"], "\(strings.map(\.path))")
        #expect(throws: TOMLKeys.Unreadable.self) { try TOMLKeys.scan("k = \"open") }
    }

    @Test("an empty hooks.json is given back empty, byte for byte, by uninstall")
    func emptyHooksFileRestored() throws {
        for original in ["", "\n", "{}", "{\"hooks\": {}}\n"] {
            let home = try Home()
            try original.write(toFile: home.hooks, atomically: true, encoding: .utf8)
            _ = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
            #expect(home.read(home.hooks) != original)
            _ = try CodexHooks().uninstall(hooksAt: home.hooks, configAt: home.config)
            // Before: an empty file came back as "{\n  \"hooks\" : {}\n}".
            #expect(home.read(home.hooks) == original, "\(original.debugDescription) came back as \((home.read(home.hooks) ?? "nothing").debugDescription)")
            #expect(!FileManager.default.fileExists(atPath: home.config), "config.toml, which handoff created, is gone again")
        }
    }
}
