import Foundation
import Testing

@testable import HandoffKit

/// An install of the separate-executables layout (one executable per hook, before issue #22), then
/// the one `handoff` installed over it: what the old install registered keeps working (its hook
/// names are links to `handoff` now), and `handoff install` rewrites its own entries to
/// `handoff hook <name>`, leaving everything else as it was, so that every hook fires exactly once.
@Suite("upgrade from the separate executables")
struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/separate-executables").path

    /// A command of someone else's in the same settings: it must survive the upgrade untouched.
    static let foreign: JSONValue = ["type": "command", "command": "notify-send done"]

    /// Claude Code settings as the old install wrote them: each registration as its own group
    /// naming the hook's own executable, plus a foreign hook in the Stop group.
    static func oldClaudeSettings(bin: String) -> JSONValue {
        var hooks = JSONObject()
        for registration in ClaudeSettings.registrations {
            var group = JSONObject()
            if let matcher = registration.matcher { group["matcher"] = .string(matcher) }
            var entries: [JSONValue] = [["type": "command", "command": .string("\"\(bin)/\(registration.hook.legacyExecutable ?? "")\""),
                                         "timeout": .int(registration.timeout)]]
            if registration.event == "Stop" { entries.append(foreign) }
            group["hooks"] = .array(entries)
            hooks[registration.event] = .array((hooks[registration.event]?.arrayValue ?? []) + [.object(group)])
        }
        return ["model": "opus", "hooks": .object(hooks)]
    }

    /// Codex's hooks.json and the trust block as the old install wrote them.
    static func oldCodex(bin: String, hooksPath: String) -> (hooks: JSONValue, config: String) {
        var hooks = JSONObject()
        var block = [CodexHooks.blockBegin]
        for registration in CodexHooks.registrations {
            let command = "\"\(bin)/\(registration.hook.legacyExecutable ?? "")\" --agent codex"
            var group = JSONObject()
            if let matcher = registration.matcher { group["matcher"] = .string(matcher) }
            group["hooks"] = [["type": "command", "command": .string(command), "timeout": .int(registration.timeout)]]
            hooks[registration.event] = [.object(group)]
            block.append("[hooks.state.\(CodexHooks.tomlString(CodexHooks.trustKey(hooksPath: hooksPath, eventKey: registration.eventKey, group: 0, handler: 0)))]")
            block.append("trusted_hash = \(CodexHooks.tomlString(CodexHooks.trustHash(eventKey: registration.eventKey, matcher: registration.matcher, command: command, timeout: registration.timeout)))")
        }
        block.append(CodexHooks.blockEnd)
        return (["hooks": .object(hooks)], "model = \"o3\"\n\n" + block.joined(separator: "\n") + "\n")
    }

    /// Runs every entry of ours that `event` has in `settings` through a shell, as Claude Code does;
    /// returns how many ran.
    static func fire(_ event: String, in settings: JSONValue, payload: [UInt8], repo: GitTestRepo) throws -> Int {
        var ran = 0
        for group in settings["hooks"]?[event]?.arrayValue ?? [] {
            for entry in group["hooks"]?.arrayValue ?? [] {
                guard let command = entry["command"]?.stringValue, ClaudeSettings.ourCommand(in: command) != nil else { continue }
                let result = try GitProcess.run("/bin/sh", ["-c", command], in: repo.path,
                                                environment: repo.sandbox.environment.merging(["CLAUDE_PROJECT_DIR": repo.path]) { $1 },
                                                stdin: String(decoding: payload, as: UTF8.self))
                #expect(result.status == 0, "\(command): \(result.stderr)")
                ran += 1
            }
        }
        return ran
    }

    @Test("an install of the separate executables keeps working, and install rewrites it so that every hook fires once")
    func oldRegistrationsKeepWorkingAndAreRewritten() throws {
        let sandbox = try GitSandbox("upgrade")
        // handoff, and the old executables' names as links to it: what an upgrade leaves in the bin folder.
        let bin = try HookProducts.directory()
        let handoff = bin + "/handoff"
        let repo = try sandbox.repository("repo")
        try repo.git("remote", "add", "origin", try sandbox.bareRemote())
        try repo.git("push", "-q", "-u", "origin", "main")
        try repo.git("config", "handoff.enabled", "true")
        _ = try GitProcess.run(handoff, ["init"], in: repo.path, environment: sandbox.environment).checked()

        // The old layout's entries: git hooks, Claude Code settings, Codex hooks and trust.
        let hooksFolder = try repo.hooksFolder()
        for (hook, executable) in [("post-commit", "handoff-post-commit"), ("post-merge", "handoff-post-commit"), ("pre-push", "handoff-pre-push")] {
            let template = try String(contentsOfFile: Self.fixtures + "/" + hook, encoding: .utf8)
            try template.replacingOccurrences(of: "@HANDOFF_HOOK_BINARY@", with: "'\(bin)/\(executable)'")
                .write(toFile: hooksFolder + "/" + hook, atomically: true, encoding: .utf8)
            chmod(hooksFolder + "/" + hook, 0o755)
        }
        let settingsPath = sandbox.home + "/.claude/settings.json"
        try FileManager.default.createDirectory(atPath: sandbox.home + "/.claude", withIntermediateDirectories: true)
        try Self.oldClaudeSettings(bin: bin).prettyText.write(toFile: settingsPath, atomically: true, encoding: .utf8)
        let codexHome = sandbox.home + "/.codex"
        try FileManager.default.createDirectory(atPath: codexHome, withIntermediateDirectories: true)
        let oldCodex = Self.oldCodex(bin: bin, hooksPath: codexHome + "/hooks.json")
        try oldCodex.hooks.prettyText.write(toFile: codexHome + "/hooks.json", atomically: true, encoding: .utf8)
        try oldCodex.config.write(toFile: codexHome + "/config.toml", atomically: true, encoding: .utf8)
        #expect(CodexHooks.inspect(hooksAt: codexHome + "/hooks.json", configAt: codexHome + "/config.toml").untrusted.isEmpty,
                "the fixture is trusted as the old install left it")

        // Before the upgrade's install: the old entries run the one binary through its links.
        let old = try JSONValue.parse(try String(contentsOfFile: settingsPath, encoding: .utf8))
        #expect(try Self.fire("SessionStart", in: old, payload: ClaudePayload.sessionStart("s-old", cwd: repo.path, home: sandbox.home, source: "startup"), repo: repo) == 1)
        #expect(repo.events("session_start").count == 1)
        try repo.commit("a.txt", "a\n", message: "before the upgrade")
        #expect(repo.events("commit").count == 1, "the old post-commit entry runs handoff-post-commit, a link to handoff")

        // The upgrade: install everything again with the one binary.
        let environment = sandbox.environment.merging(["CODEX_HOME": codexHome]) { $1 }
        for target in ["--git", "--claude", "--codex"] {
            let result = try GitProcess.run(handoff, ["install", target, "--bin-dir", bin], in: repo.path, environment: environment)
            #expect(result.status == 0, "install \(target): \(result.stdout)\(result.stderr)")
        }

        // Claude Code: one entry of ours per registration, in the new form; the foreign hook and key kept.
        let settings = try JSONValue.parse(try String(contentsOfFile: settingsPath, encoding: .utf8))
        #expect(settings["model"] == "opus")
        for registration in ClaudeSettings.registrations {
            let ours = (settings["hooks"]?[registration.event]?.arrayValue ?? [])
                .filter { $0["matcher"]?.stringValue == registration.matcher }
                .flatMap { $0["hooks"]?.arrayValue ?? [] }
                .compactMap { $0["command"]?.stringValue }
                .filter { ClaudeSettings.ourCommand(in: $0) != nil }
            #expect(ours == ["\"\(handoff)\" hook \(registration.hook.rawValue)"], "\(registration.event): \(ours)")
        }
        let stopEntries = (settings["hooks"]?["Stop"]?.arrayValue ?? []).flatMap { $0["hooks"]?.arrayValue ?? [] }
        #expect(stopEntries.filter { $0 == Self.foreign }.count == 1, "the foreign Stop hook is kept: \(stopEntries)")

        // Codex: the same, and every hook trusted again (the command changed, so its hash did).
        let codexHooks = try JSONValue.parse(try String(contentsOfFile: codexHome + "/hooks.json", encoding: .utf8))
        for registration in CodexHooks.registrations {
            let ours = (codexHooks["hooks"]?[registration.event]?.arrayValue ?? []).flatMap { $0["hooks"]?.arrayValue ?? [] }
                .compactMap { $0["command"]?.stringValue }.filter { CodexHooks.ourCommand(in: $0) != nil }
            #expect(ours == ["\"\(handoff)\" hook \(registration.hook.rawValue) --agent codex"], "\(registration.event): \(ours)")
        }
        let codex = CodexHooks.inspect(hooksAt: codexHome + "/hooks.json", configAt: codexHome + "/config.toml")
        #expect(codex.missing.isEmpty && codex.untrusted.isEmpty && codex.brokenPaths.isEmpty, "\(codex)")
        let config = try String(contentsOfFile: codexHome + "/config.toml", encoding: .utf8)
        #expect(config.hasPrefix("model = \"o3\"\n") && config.components(separatedBy: CodexHooks.blockBegin).count == 2, "\(config)")

        // Git: each entry rewritten to run `handoff hook <name>`.
        for hook in GitHookInstaller.hooks {
            let text = try String(contentsOfFile: hooksFolder + "/" + hook.name, encoding: .utf8)
            #expect(text == GitHookInstaller.render(hook, binDirectory: bin), "\(hook.name)")
            #expect(!FileManager.default.fileExists(atPath: hooksFolder + "/" + hook.name + GitHookInstaller.backupSuffix),
                    "the old entry was ours: rewritten, not kept as a previous hook that would run handoff a second time")
        }

        // Every hook fires exactly once.
        let session = "s-new"
        #expect(try Self.fire("SessionStart", in: settings, payload: ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "startup"), repo: repo) == 1)
        #expect(repo.events("session_start").count == 2)
        try repo.write("b.txt", "b\n")
        #expect(try Self.fire("PostToolUse", in: settings, payload: ClaudePayload.write(session, cwd: repo.path, home: sandbox.home, file: repo.path + "/b.txt", content: "b\n"), repo: repo) == 1)
        #expect(repo.events("file_edit").count == 1)
        #expect(try Self.fire("Stop", in: settings, payload: ClaudePayload.stop(session, cwd: repo.path, home: sandbox.home, message: "done", active: false), repo: repo) == 1)
        #expect(repo.events("stop_blocked").count == 1)
        #expect(try Self.fire("PreCompact", in: settings, payload: ClaudePayload.preCompact(session, cwd: repo.path, home: sandbox.home, trigger: "auto"), repo: repo) == 1)
        #expect(repo.events("compaction").count == 1)
        try repo.git("add", "b.txt")
        try repo.git("commit", "-q", "-m", "after the upgrade")
        #expect(repo.events("commit").count == 2)
        try repo.git("push", "-q")
        #expect(repo.events("push").count == 1)
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commit("c.txt", "c\n", message: "on a side branch")
        try repo.git("checkout", "-q", "main")
        try repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
        let merge = try repo.git("rev-parse", "HEAD")
        #expect(repo.events("commit").filter { $0.fields["sha"]?.stringValue == merge }.count == 1, "post-merge recorded the merge once")
    }

    @Test("husky's old block naming the separate executables is replaced by one block in the new form")
    func huskyBlockIsRewritten() throws {
        let sandbox = try GitSandbox("upgrade-husky")
        let repo = try sandbox.repository("repo")
        let bin = try HookProducts.directory()
        let old = "\(GitHookInstaller.huskyBegin)\nif [ -x '\(bin)/handoff-post-commit' ]; then '\(bin)/handoff-post-commit' \"$@\" || :; fi\n\(GitHookInstaller.huskyEnd)\n"
        try repo.write(".husky/post-commit", "npx lint-staged\n" + old)
        let actions = try GitHookInstaller(environment: Environment(sandbox.environment)).cooperate(.husky, worktreeRoot: repo.path, binDirectory: bin)
        #expect(actions.contains { $0.kind == .updated && $0.hook == "post-commit" })
        let text = try String(contentsOfFile: repo.path + "/.husky/post-commit", encoding: .utf8)
        #expect(text == "npx lint-staged\n" + GitHookInstaller.huskyBlock(GitHookInstaller.hooks[0], binDirectory: bin), "\(text)")
    }
}
