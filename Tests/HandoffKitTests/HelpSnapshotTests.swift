import Foundation
import Testing
@testable import HandoffKit

/// Every command's `--help` at 80 columns, launched as built and compared with the text checked in
/// under Tests/HandoffKitTests/HelpSnapshots/ (as swift-argument-parser's own tests compare help).
/// The commands are read from the binary itself (`--experimental-dump-help`), so a new subcommand
/// without a snapshot fails here.
///
/// After changing help on purpose, regenerate the snapshots and review the diff:
///
///     HANDOFF_RECORD_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests
///     git diff Tests/HandoffKitTests/HelpSnapshots
///
/// A recording run fails on purpose, so that it is never mistaken for a check.
@Suite("help snapshots")
struct HelpSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("HelpSnapshots").path

    static func hasLineBreak(_ text: String) -> Bool { text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }

    func run(_ arguments: [String], sandbox: Sandbox) throws -> ProcessResult {
        var environment = sandbox.environment
        environment["COLUMNS"] = "80"
        return try launch(try BuiltProducts.path("handoff"), arguments, directory: sandbox.root, environment: environment)
    }

    /// The tool's description as the parser dumps it.
    func toolInfo(_ sandbox: Sandbox) throws -> JSONValue {
        let dump = try run(["--experimental-dump-help"], sandbox: sandbox)
        #expect(dump.status == 0, "\(dump.stderr)")
        return try #require(try JSONValue.parse(dump.stdout)["command"])
    }

    /// Every command (the root first) as the words after `handoff`, with its description.
    func commands(_ command: JSONValue, path: [String] = []) -> [(path: [String], info: JSONValue)] {
        var all = [(path, command)]
        for sub in command["subcommands"]?.arrayValue ?? [] {
            guard let name = sub["commandName"]?.stringValue, name != "help" else { continue }
            all += commands(sub, path: path + [name])
        }
        return all
    }

    @Test("every command's help at 80 columns matches its snapshot")
    func snapshots() throws {
        let sandbox = try Sandbox("help")
        let record = ProcessInfo.processInfo.environment["HANDOFF_RECORD_HELP_SNAPSHOTS"] == "1"
        let all = commands(try toolInfo(sandbox))
        #expect(all.count > 20, "the command tree was not read: \(all.map(\.path))")
        var expectedFiles: Set<String> = []
        for (path, _) in all {
            let help = try run(path + ["--help"], sandbox: sandbox)
            #expect(help.status == 0, "\(path): \(help.stderr)")
            let name = (["handoff"] + path).joined(separator: "-") + ".txt"
            expectedFiles.insert(name)
            let file = Self.folder + "/" + name
            if record {
                try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
                try help.stdout.write(toFile: file, atomically: true, encoding: .utf8)
                continue
            }
            guard let snapshot = try? String(contentsOfFile: file, encoding: .utf8) else {
                Issue.record("no help snapshot for `handoff \(path.joined(separator: " "))` at \(file); record it with HANDOFF_RECORD_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests")
                continue
            }
            #expect(help.stdout == snapshot, "`handoff \(path.joined(separator: " ")) --help` differs from \(name); if the change is intended, record again with HANDOFF_RECORD_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests")
        }
        let stale = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.folder)) ?? []).subtracting(expectedFiles)
        if record {
            for name in stale { try FileManager.default.removeItem(atPath: Self.folder + "/" + name) }
            Issue.record("help snapshots recorded in \(Self.folder); review `git diff`, then run the tests without HANDOFF_RECORD_HELP_SNAPSHOTS")
        } else {
            #expect(stale.isEmpty, "snapshots of commands that no longer exist: \(stale.sorted())")
        }
    }

    @Test("help prose is wrapped by the parser: no hard line breaks, nothing wider than 80 columns but the usage line")
    func proseIsWrappedByTheParser() throws {
        let sandbox = try Sandbox("help")
        for (path, info) in commands(try toolInfo(sandbox)) {
            let name = (["handoff"] + path).joined(separator: " ")
            let abstract = info["abstract"]?.stringValue ?? ""
            #expect(!Self.hasLineBreak(abstract), "\(name): abstract has a line break")
            for argument in info["arguments"]?.arrayValue ?? [] {
                for key in ["abstract", "discussion"] {
                    let text = argument[key]?.stringValue ?? ""
                    #expect(!Self.hasLineBreak(text), "\(name) \(argument["valueName"]?.stringValue ?? ""): help has a line break")
                }
            }
            // In a discussion, a paragraph is one line; lines that belong together (examples, lists)
            // are indented, which the parser keeps as they are.
            let lines = (info["discussion"]?.stringValue ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            for (above, line) in zip(lines, lines.dropFirst()) {
                let prose = { (text: Substring) in !text.isEmpty && !text.hasPrefix(" ") }
                #expect(!(prose(above) && prose(line)), "\(name): a hard line break in prose after \"\(above.suffix(40))\"")
            }
            let help = try run(path + ["--help"], sandbox: sandbox)
            for line in help.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
                #expect(line.count <= 80, "\(name): wider than 80 columns: \(line)")
            }
        }
    }

    @Test("the root help states the exit codes the commands really use")
    func exitCodes() throws {
        let sandbox = try Sandbox("help")
        let help = try run(["--help"], sandbox: sandbox)
        #expect(help.stdout.contains("  64  usage error"))
        #expect(help.stdout.contains("  3   no repository"))
        // A usage error: unknown option, and a value outside an enumeration, which lists the valid ones.
        let unknown = try run(["events", "--no-such-option"], sandbox: sandbox)
        #expect(unknown.status == 64)
        let nonsense = try run(["events", "--type", "nonsense"], sandbox: sandbox)
        #expect(nonsense.status == 64)
        #expect(nonsense.stdout.isEmpty)
        for type in EventKind.allCases {
            #expect(nonsense.stderr.contains("- \(type.rawValue)\n"), "the valid type \(type.rawValue) is not listed:\n\(nonsense.stderr)")
        }
        // Outside a repository: 3, as the help says.
        let noRepository = try run(["status"], sandbox: sandbox)
        #expect(noRepository.status == 3)
    }

    /// The manual pages install.sh installs are checked in under share/man/man1, as the parser's
    /// GenerateManual plugin renders them. A command, option or text changed without regenerating
    /// them fails here. Regenerate with:
    ///
    ///     swift package plugin generate-manual --configuration debug --multi-page --date 2026-12-03
    ///     cp .build/plugins/GenerateManual/outputs/handoff/*.1 share/man/man1/
    ///     sed -i 's/^$/.Pp/' share/man/man1/*.1      # mdoc warns on an empty line; .Pp is its paragraph break
    @Test("the checked-in manual pages are the parser's rendering of every command as it is now")
    func manualPages() throws {
        let sandbox = try Sandbox("help")
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/man/man1").path
        let regenerate = "regenerate them: swift package plugin generate-manual --configuration debug --multi-page --date 2026-12-03 && cp .build/plugins/GenerateManual/outputs/handoff/*.1 share/man/man1/ && sed -i 's/^$/.Pp/' share/man/man1/*.1"
        let info = try toolInfo(sandbox)
        var expected: Set<String> = ["handoff.help.1"]
        // mdoc shows a backslash as `\e`.
        // mdoc shows a paragraph break as `.Pp`.
        func mdoc(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "\n\n", with: "\n.Pp\n") }
        for (path, command) in commands(info) {
            let name = (["handoff"] + path).joined(separator: ".") + ".1"
            expected.insert(name)
            guard let page = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else {
                Issue.record("no manual page \(name) in \(folder); \(regenerate)")
                continue
            }
            var texts = [command["abstract"]?.stringValue, command["discussion"]?.stringValue].compactMap { $0 }
            for argument in command["arguments"]?.arrayValue ?? [] where argument["shouldDisplay"]?.boolValue != false {
                if let help = argument["abstract"]?.stringValue { texts.append(help) }
                for name in argument["names"]?.arrayValue ?? [] where name["kind"]?.stringValue == "long" {
                    texts.append("-" + (name["name"]?.stringValue ?? ""))
                }
            }
            for text in texts where !text.isEmpty {
                #expect(page.contains(mdoc(text)), "\(name) is out of date: it lacks \"\(text.prefix(60))\"; \(regenerate)")
            }
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        #expect(present == expected, "pages of commands that do not exist: \(present.subtracting(expected).sorted()); missing: \(expected.subtracting(present).sorted()); \(regenerate)")
    }

    /// `man handoff` (every page) renders without a warning. man-db is installed by `.ci/run`; without it this fails.
    @Test("every manual page renders without warnings")
    func manualPagesRenderWithoutWarnings() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/man/man1").path
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".1") }.sorted()
        #expect(pages.count > 10)
        for page in pages {
            let result = try launch("/usr/bin/env", ["man", "--warnings", "-l", folder + "/" + page], directory: folder,
                                    environment: ["PATH": "/usr/bin:/bin", "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"])
            #expect(result.status == 0, "\(page): man failed (is man-db installed? `.ci/run` installs it): \(result.stderr)")
            #expect(result.stderr.isEmpty, "\(page) renders with warnings:\n\(result.stderr)")
        }
    }
}
