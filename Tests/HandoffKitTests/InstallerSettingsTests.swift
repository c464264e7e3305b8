import Foundation
import HandoffKit
import Testing

/// `ClaudeSettings`: merging handoff's agent hooks into a Claude Code settings.json and back out.
@Suite struct InstallerSettingsTests {
    func setUp(_ label: String) throws -> (GitSandbox, String, String) {
        let sandbox = try GitSandbox(label)
        let bin = try HookProducts.directory()
        return (sandbox, sandbox.home + "/.claude/settings.json", bin)
    }

    func read(_ path: String) throws -> JSONValue {
        try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func freshFileGetsEveryRegistrationAndUninstallRemovesIt() throws {
        let (sandbox, path, bin) = try setUp("settings-fresh")
        let report = try ClaudeSettings().install(settingsAt: path, binDirectory: bin)
        #expect(report.changed)
        let hooks = try read(path)["hooks"]
        for registration in ClaudeSettings.registrations {
            let groups = hooks?[registration.event]?.arrayValue ?? []
            #expect(groups.count == 1, "\(registration.event)")
            #expect(groups.first?["matcher"]?.stringValue == registration.matcher)
            let command = groups.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue ?? ""
            #expect(command == "\"\(bin)/handoff\" hook \(registration.hook.rawValue)")
            #expect(groups.first?["hooks"]?.arrayValue?.first?["timeout"]?.intValue == registration.timeout)
        }
        _ = try ClaudeSettings().uninstall(settingsAt: path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/.claude"), "the folder handoff created goes too")
    }

    @Test func otherKeysAndHooksAreKeptSecondRunChangesNothingUninstallRestoresBytes() throws {
        let (_, path, bin) = try setUp("settings-merge")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let original = """
            {"model": "opus", "permissions": {"allow": ["Bash(ls:*)"]},
             "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
                       "PostToolUse": [{"matcher": "Bash|Write|Edit|MultiEdit|NotebookEdit", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
                       "Notification": [{"hooks": [{"type": "command", "command": "say hi"}]}]}}
            """
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)

        try ClaudeSettings().install(settingsAt: path, binDirectory: bin)
        let merged = try read(path)
        #expect(merged["model"]?.stringValue == "opus")
        #expect(merged["permissions"]?["allow"]?.arrayValue?.count == 1)
        #expect(merged["hooks"]?["Notification"]?.arrayValue?.count == 1)
        let stop = merged["hooks"]?["Stop"]?.arrayValue ?? []
        #expect(stop.count == 2)
        #expect(stop.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "notify-send done")
        // The shared matcher group keeps its entry; ours is updated in place, not duplicated.
        let post = merged["hooks"]?["PostToolUse"]?.arrayValue ?? []
        #expect(post.flatMap { $0["hooks"]?.arrayValue ?? [] }.count == 2)
        #expect(FileSystem.mode(path) == 0o640, "the file's mode is kept")

        let afterFirst = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = try ClaudeSettings().install(settingsAt: path, binDirectory: bin)
        #expect(!second.changed)
        #expect(second.actions.allSatisfy { $0.kind == .alreadyRegistered })
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == afterFirst)

        let removal = try ClaudeSettings().uninstall(settingsAt: path)
        #expect(removal.actions.contains { $0.kind == .restoredBackup })
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        #expect(FileSystem.mode(path) == 0o640)
        #expect(!FileManager.default.fileExists(atPath: path + ClaudeSettings.backupSuffix))
    }

    @Test func staleAndDuplicateEntriesAreReplacedByOne() throws {
        let (_, path, bin) = try setUp("settings-stale")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try """
            {"hooks": {"Stop": [
              {"hooks": [{"type": "command", "command": "/old/bin/handoff-stop-gate", "timeout": 10}]},
              {"hooks": [{"type": "command", "command": "\\"/older/bin/handoff-stop-gate\\""}]}]}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let report = try ClaudeSettings().install(settingsAt: path, binDirectory: bin)
        #expect(report.actions.contains { $0.kind == .updated && $0.event == "Stop" })
        #expect(report.actions.contains { $0.kind == .removedDuplicate && $0.event == "Stop" })
        let stop = try read(path)["hooks"]?["Stop"]?.arrayValue ?? []
        #expect(stop.count == 1)
        #expect(stop.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "\"\(bin)/handoff\" hook stop-gate")
    }

    @Test(arguments: [
        "{\"hooks\": {\"Stop\": [}",
        "[1, 2]",
        "{\"hooks\": \"none\"}",
        "{\"hooks\": {\"Stop\": {\"command\": \"x\"}}}",
    ])
    func malformedFileIsLeftUntouchedAndReported(_ text: String) throws {
        let (_, path, bin) = try setUp("settings-bad")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ClaudeSettings.Failure.self) { try ClaudeSettings().install(settingsAt: path, binDirectory: bin) }
        do {
            _ = try ClaudeSettings().install(settingsAt: path, binDirectory: bin)
        } catch {
            guard case .malformed(let where_, _) = error else { Issue.record("wrong failure \(error)"); return }
            #expect(where_ == path)
            #expect(error.description.contains("left untouched"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(!FileManager.default.fileExists(atPath: path + ClaudeSettings.backupSuffix))
        #expect(ClaudeSettings.inspect(settingsAt: path).problem != nil)
    }

    @Test func missingExecutableIsRefusedBeforeAnyChange() throws {
        let (sandbox, path, _) = try setUp("settings-nobin")
        #expect(throws: ClaudeSettings.Failure.self) {
            try ClaudeSettings().install(settingsAt: path, binDirectory: sandbox.path("nowhere"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func dryRunChangesNothing() throws {
        let (_, path, bin) = try setUp("settings-dry")
        let report = try ClaudeSettings(dryRun: true).install(settingsAt: path, binDirectory: bin)
        #expect(report.changed)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func ourCommandsAreRecognisedAndOthersAreNot() {
        #expect(ClaudeSettings.ourExecutable(in: "\"/a b/bin/handoff-session\"") == "/a b/bin/handoff-session")
        #expect(ClaudeSettings.ourExecutable(in: "/x/handoff-compact") == "/x/handoff-compact")
        #expect(ClaudeSettings.ourExecutable(in: "'/x/handoff-stop-gate'") == "/x/handoff-stop-gate")
        #expect(ClaudeSettings.ourExecutable(in: "/x/handoff-session --verbose") == nil)
        // The project scope names the executable alone (no one's home folder in a committed file).
        #expect(ClaudeSettings.ourExecutable(in: "handoff-session") == "handoff-session")
        #expect(ClaudeSettings.ourExecutable(in: "other-tool") == nil)
        #expect(ClaudeSettings.ourExecutable(in: "\"${CLAUDE_PLUGIN_ROOT}/bin/handoff-session\"") == nil)
        #expect(ClaudeSettings.ourExecutable(in: "/x/other-tool") == nil)
        // The one-executable form, and which hook it names.
        #expect(ClaudeSettings.ourCommand(in: "\"/a b/bin/handoff\" hook stop-gate")?.hook == .stopGate)
        #expect(ClaudeSettings.ourCommand(in: "\"/a b/bin/handoff\" hook stop-gate")?.program == "/a b/bin/handoff")
        #expect(ClaudeSettings.ourCommand(in: "handoff hook session")?.hook == .session)
        #expect(ClaudeSettings.ourCommand(in: "/x/handoff-compact")?.hook == .compact)
        #expect(ClaudeSettings.ourCommand(in: "\"/x/handoff\" hook nonsense") == nil)
        #expect(ClaudeSettings.ourCommand(in: "\"/x/handoff\" status") == nil)
        #expect(ClaudeSettings.ourCommand(in: "\"/x/other\" hook session") == nil)
        #expect(ClaudeSettings.ourCommand(in: "\"/x/handoff\" hook session extra") == nil)
        #expect(ClaudeSettings.ourCommand(in: "\"${CLAUDE_PLUGIN_ROOT}/bin/handoff\" hook session") == nil)
    }

    /// The settings entries and the plugin's hooks.json must register the same hooks.
    @Test func registrationsMatchThePluginHooksJSON() throws {
        let file = SchemaCheck.packageRoot + "/hooks/claude/hooks/hooks.json"
        guard FileManager.default.fileExists(atPath: file) else { return }
        let hooks = try JSONValue.parse(try String(contentsOfFile: file, encoding: .utf8))["hooks"]?.objectValue ?? JSONObject()
        var plugin: Set<String> = []
        for (event, groups) in hooks.pairs {
            for group in groups.arrayValue ?? [] {
                for entry in group["hooks"]?.arrayValue ?? [] {
                    let command = entry["command"]?.stringValue ?? ""
                    // The plugin's bin/handoff-<hook> wrappers run `handoff hook <hook>`.
                    let executable = command.split(separator: "/").last.map { String($0).replacingOccurrences(of: "\"", with: "") } ?? ""
                    let hook = HookName(executableName: executable)?.rawValue ?? "not a hook: \(executable)"
                    plugin.insert("\(event)|\(group["matcher"]?.stringValue ?? "-")|\(hook)|\(entry["timeout"]?.intValue ?? 0)")
                }
            }
        }
        let ours = Set(ClaudeSettings.registrations.map { "\($0.event)|\($0.matcher ?? "-")|\($0.hook.rawValue)|\($0.timeout)" })
        #expect(ours == plugin)
    }
}

/// husky cooperation (`HookManagers.swift`): a marked block appended to `.husky/<hook>`, removed exactly.
@Suite struct InstallerHookManagerTests {
    @Test func huskyScriptsGetOurBlockAndGetTheirBytesBack() throws {
        let sandbox = try GitSandbox("husky-coop")
        let repo = try sandbox.repository("repo")
        let bin = try HookProducts.directory()
        try repo.write(".husky/post-commit", "npx lint-staged\n")
        chmod(repo.path + "/.husky/post-commit", 0o755)
        let installer = GitHookInstaller(environment: Environment(sandbox.environment))
        let actions = try installer.cooperate(.husky, worktreeRoot: repo.path, binDirectory: bin)
        #expect(actions.filter { $0.kind == .installed }.count == 3)
        let postCommit = try String(contentsOfFile: repo.path + "/.husky/post-commit", encoding: .utf8)
        #expect(postCommit.hasPrefix("npx lint-staged\n"))
        #expect(postCommit.contains("'\(bin)/handoff' hook post-commit \"$@\" || :"))
        #expect(FileSystem.mode(repo.path + "/.husky/post-commit") == 0o755)
        let again = try installer.cooperate(.husky, worktreeRoot: repo.path, binDirectory: bin)
        #expect(again.filter { $0.kind == .alreadyInstalled }.count == 3)
        #expect(try String(contentsOfFile: repo.path + "/.husky/post-merge", encoding: .utf8).contains("'\(bin)/handoff' hook post-merge \"$@\" || :"))

        // The appended line really runs the hook under husky's `sh -e`.
        let run = try GitProcess.run("/bin/sh", ["-e", repo.path + "/.husky/pre-push", "origin", "/nowhere"], in: repo.path,
                                     environment: sandbox.environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }, stdin: "")
        #expect(run.status == 0, "\(run.stderr)")

        _ = try installer.uncooperate(.husky, worktreeRoot: repo.path)
        #expect(try String(contentsOfFile: repo.path + "/.husky/post-commit", encoding: .utf8) == "npx lint-staged\n")
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.husky/pre-push"), "the file handoff created goes")
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.husky/post-merge"))
    }

    @Test func lefthookAndPreCommitGetTheLinesToAdd() throws {
        let sandbox = try GitSandbox("lefthook-coop")
        let repo = try sandbox.repository("repo")
        let installer = GitHookInstaller(environment: Environment(sandbox.environment))
        for manager in [GitHookInstaller.Manager.lefthook, .preCommit] {
            let actions = try installer.cooperate(manager, worktreeRoot: repo.path, binDirectory: "/opt/handoff/bin")
            #expect(actions.allSatisfy { $0.kind == .manual })
            #expect(actions.contains { $0.detail.contains("'/opt/handoff/bin/handoff' hook post-commit") })
        }
    }
}
