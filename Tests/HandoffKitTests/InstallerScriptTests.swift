import Foundation
import HandoffKit
import Testing

/// `install.sh`, `handoff install/uninstall --claude` and `handoff doctor`, end to end in sandboxes
/// (own HOME, PREFIX and TMPDIR; real repositories; executables from the debug build).
@Suite struct InstallerScriptTests {
    static let hookScript = "#!/bin/sh\necho \"$0 ran with $*\" >> \"$(git rev-parse --show-toplevel)/hook-ran.log\"\nexit 0\n"

    @Test func freshRepositoryInstallIsIdempotentAndUninstallRestoresEveryByte() throws {
        let h = try InstallerHarness("inst-fresh")
        let repo = try h.sandbox.repository("repo")
        let before = TreeSnapshot(h.sandbox.root)

        let first = try h.install(["--repo", repo.path])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        for name in Doctor.executables { #expect(FileManager.default.isExecutableFile(atPath: h.bin + "/" + name)) }
        #expect(FileManager.default.fileExists(atPath: h.prefix + "/share/handoff/install-manifest.txt"))
        #expect(FileManager.default.fileExists(atPath: h.prefix + "/share/handoff/hooks/hooks.json"))
        #expect(GitHookInstaller.isManaged(repo.path + "/.git/hooks/post-commit"))
        #expect(repo.store.exists)
        #expect(ClaudeSettings.inspect(settingsAt: h.userSettings).missing.isEmpty)

        let doctor = try h.doctor(in: repo.path)
        #expect(doctor.status == 0, "\(doctor.output)")

        let installed = TreeSnapshot(h.sandbox.root)
        let second = try h.install(["--repo", repo.path])
        #expect(second.status == 0)
        #expect(second.stdout.contains("Nothing changed"), "\(second.stdout)")
        let again = TreeSnapshot(h.sandbox.root)
        #expect(again.differences(from: installed).isEmpty, "\(again.differences(from: installed))")

        let removal = try h.install(["--uninstall"])
        #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
        let after = TreeSnapshot(h.sandbox.root)
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
    }

    @Test func dryRunChangesNothing() throws {
        let h = try InstallerHarness("inst-dry")
        let repo = try h.sandbox.repository("repo")
        let before = TreeSnapshot(h.sandbox.root)
        let result = try h.install(["--repo", repo.path, "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("would install \(h.bin)/handoff"))
        #expect(result.stdout.contains("would register the agent hooks"))
        #expect(TreeSnapshot(h.sandbox.root).differences(from: before).isEmpty)

        // Installed, then a dry-run uninstall: still nothing changes.
        #expect(try h.install(["--repo", repo.path]).status == 0)
        let installed = TreeSnapshot(h.sandbox.root)
        let dryRemoval = try h.install(["--uninstall", "--dry-run"])
        #expect(dryRemoval.status == 0)
        #expect(dryRemoval.stdout.contains("would remove \(h.bin)/handoff"))
        #expect(TreeSnapshot(h.sandbox.root).differences(from: installed).isEmpty)
    }

    /// install.sh offers every agent whose home exists (and only those), records what it registered,
    /// changes nothing on a second run, and --uninstall puts HOME back byte for byte.
    @Test func everyAgentWhoseHomeExistsIsRegisteredAndRemovedAgain() throws {
        let h = try InstallerHarness("inst-agents")
        let home = h.sandbox.home
        for folder in [".codex", ".grok", ".vibe", ".openhands"] {
            try FileManager.default.createDirectory(atPath: home + "/" + folder, withIntermediateDirectories: true)
        }
        // The agents' own variables, so that the caller's cannot point elsewhere.
        let homes = ["CODEX_HOME": home + "/.codex", "VIBE_HOME": home + "/.vibe"]
        let before = TreeSnapshot(h.sandbox.root)

        let first = try h.install(["--no-proof"], environment: homes)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let read = { (path: String) in (try? String(contentsOfFile: home + "/" + path, encoding: .utf8)) ?? "" }  // absent reads as "", which the checks below reject
        #expect(read(".codex/hooks.json").contains("hook stop-gate"), "\(first.stdout)")
        #expect(read(".grok/hooks/handoff.json").contains("--agent grok"), "\(first.stdout)")
        #expect(read(".vibe/hooks.toml").contains("--agent vibe"), "\(first.stdout)")
        #expect(read(".openhands/hooks.json").contains("--agent openhands"), "\(first.stdout)")
        let manifest = (try? String(contentsOfFile: h.prefix + "/share/handoff/install-manifest.txt", encoding: .utf8)) ?? ""  // absent fails the next check
        for line in ["codex user", "grok user", "vibe user", "openhands user"] {
            #expect(manifest.split(separator: "\n").contains(Substring(line)), "manifest: \(manifest)")
        }

        let installed = TreeSnapshot(h.sandbox.root)
        let second = try h.install(["--no-proof"], environment: homes)
        #expect(second.status == 0)
        #expect(second.stdout.contains("Nothing changed"), "\(second.stdout)")
        #expect(TreeSnapshot(h.sandbox.root).differences(from: installed).isEmpty)

        let removal = try h.install(["--uninstall"], environment: homes)
        #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
        let after = TreeSnapshot(h.sandbox.root)
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
    }

    @Test func anAgentTurnedOffOrWithoutAHomeIsLeftAlone() throws {
        let h = try InstallerHarness("inst-agents-off")
        let home = h.sandbox.home
        try FileManager.default.createDirectory(atPath: home + "/.vibe", withIntermediateDirectories: true)
        let result = try h.install(["--no-proof", "--no-vibe"], environment: ["VIBE_HOME": home + "/.vibe", "CODEX_HOME": home + "/.codex"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home + "/.vibe/hooks.toml"), "--no-vibe")
        #expect(!FileManager.default.fileExists(atPath: home + "/.grok"), "no ~/.grok: grok is not offered")
        #expect(!FileManager.default.fileExists(atPath: home + "/.openhands"), "no ~/.openhands: OpenHands is not offered")
    }

    @Test func existingHooksAreKeptRunFirstAndRestoredByteForByte() throws {
        let h = try InstallerHarness("inst-existing")
        let repo = try h.sandbox.repository("repo")
        let hooks = repo.path + "/.git/hooks"
        try Self.hookScript.write(toFile: hooks + "/pre-commit", atomically: true, encoding: .utf8)
        try (Self.hookScript.replacingOccurrences(of: "exit 0", with: "cat > \"$(git rev-parse --show-toplevel)/pre-push.stdin\"\n[ -f \"$(git rev-parse --show-toplevel)/refuse-push\" ] && exit 7\nexit 0"))
            .write(toFile: hooks + "/pre-push", atomically: true, encoding: .utf8)
        chmod(hooks + "/pre-commit", 0o755)
        chmod(hooks + "/pre-push", 0o750)
        let before = TreeSnapshot(h.sandbox.root)

        #expect(try h.install(["--repo", repo.path]).status == 0)
        #expect(try h.install(["--uninstall"]).status == 0)
        #expect(TreeSnapshot(h.sandbox.root).differences(from: before).isEmpty)

        // Installed again: the old hooks still run, with git's stdin, and their failure still fails the push.
        #expect(try h.install(["--repo", repo.path]).status == 0)
        let remote = try h.sandbox.bareRemote()
        try repo.git("remote", "add", "origin", remote)
        try repo.commit("a.txt", "a\n", message: "add a")
        #expect(try String(contentsOfFile: repo.path + "/hook-ran.log", encoding: .utf8).contains("pre-commit"))
        #expect(!repo.events("commit").isEmpty)
        try repo.git("push", "-q", "origin", "HEAD:refs/heads/main")
        #expect(try String(contentsOfFile: repo.path + "/pre-push.stdin", encoding: .utf8).contains("refs/heads/main"))
        #expect(!repo.events("push").isEmpty)
        try "".write(toFile: repo.path + "/refuse-push", atomically: true, encoding: .utf8)
        try repo.commit("b.txt", "b\n", message: "add b")
        let refused = try repo.gitResult(["push", "-q", "origin", "HEAD:refs/heads/main"])
        #expect(refused.status != 0, "the previous pre-push hook's failure still fails the push")
    }

    @Test func coreHooksPathIsHonoured() throws {
        let h = try InstallerHarness("inst-hookspath")
        let repo = try h.sandbox.repository("repo")
        try repo.write(".githooks/post-commit", Self.hookScript)
        chmod(repo.path + "/.githooks/post-commit", 0o755)
        try repo.git("config", "core.hooksPath", ".githooks")
        let before = TreeSnapshot(h.sandbox.root)

        #expect(try h.install(["--repo", repo.path]).status == 0)
        #expect(GitHookInstaller.isManaged(repo.path + "/.githooks/post-commit"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/hooks/post-commit"))
        #expect(try h.doctor(in: repo.path).checks["git-hook:post-commit"] == "pass")
        #expect(try h.install(["--uninstall"]).status == 0)
        #expect(TreeSnapshot(h.sandbox.root).differences(from: before).isEmpty)
    }

    @Test func linkedWorktreeSharesTheCommonHooks() throws {
        let h = try InstallerHarness("inst-worktree")
        let repo = try h.sandbox.repository("repo")
        try repo.git("worktree", "add", "-q", h.sandbox.path("linked"), "-b", "feature")
        let linked = GitTestRepo(path: h.sandbox.path("linked"), sandbox: h.sandbox)
        // Run from inside the linked worktree, with no --repo: it is found from the cwd.
        let result = try h.install(["--no-proof"], in: linked.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(GitHookInstaller.isManaged(repo.path + "/.git/hooks/post-commit"), "hooks live in the common dir")
        #expect(linked.store.exists)
        try linked.commit("w.txt", "w\n", message: "in the worktree")
        #expect(!linked.events("commit").isEmpty)
        #expect(try h.doctor(in: linked.path).status == 0)
    }

    @Test func submoduleUsesItsOwnGitDir() throws {
        let h = try InstallerHarness("inst-submodule")
        let library = try h.sandbox.repository("library")
        let repo = try h.sandbox.repository("repo")
        try repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", library.path, "lib")
        let sub = GitTestRepo(path: repo.path + "/lib", sandbox: h.sandbox)
        let result = try h.install(["--repo", sub.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(GitHookInstaller.isManaged(repo.path + "/.git/modules/lib/hooks/post-commit"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/hooks/post-commit"))
        try sub.commit("s.txt", "s\n", message: "in the submodule")
        #expect(!sub.events("commit").isEmpty)
    }

    @Test func settingsWithOtherHooksAreKeptAndMalformedSettingsAreNotTouched() throws {
        let h = try InstallerHarness("inst-settings")
        try FileManager.default.createDirectory(atPath: h.sandbox.home + "/.claude", withIntermediateDirectories: true)
        let other = "{\n  \"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"notify-send bye\"}]}]},\n  \"theme\": \"dark\"\n}\n"
        try other.write(toFile: h.userSettings, atomically: true, encoding: .utf8)
        #expect(try h.install(["--no-proof"]).status == 0)
        let merged = try JSONValue.parse(try String(contentsOfFile: h.userSettings, encoding: .utf8))
        #expect(merged["theme"]?.stringValue == "dark")
        #expect(merged["hooks"]?["Stop"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "notify-send bye")
        #expect(ClaudeSettings.inspect(settingsAt: h.userSettings).missing.isEmpty)
        #expect(try h.install(["--uninstall"]).status == 0)
        #expect(try String(contentsOfFile: h.userSettings, encoding: .utf8) == other)

        let broken = "{\"hooks\": {\"Stop\": [ oops"
        try broken.write(toFile: h.userSettings, atomically: true, encoding: .utf8)
        let result = try h.install(["--no-proof"])
        #expect(result.status == 1)
        let lastLine = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.contains(h.userSettings) && lastLine.contains("left untouched"), "\(result.stderr)")
        #expect(try String(contentsOfFile: h.userSettings, encoding: .utf8) == broken)
        // The doctor names it too.
        let doctor = try h.doctor(in: h.work)
        #expect(doctor.checks["agent-hooks"] == "fail")
    }

    @Test func projectScopeWritesTheRepositorySettings() throws {
        let h = try InstallerHarness("inst-project")
        let repo = try h.sandbox.repository("repo")
        #expect(try h.install(["--repo", repo.path, "--claude-scope", "project"]).status == 0)
        #expect(ClaudeSettings.inspect(settingsAt: repo.path + "/.claude/settings.json").missing.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: h.userSettings))
        // A file meant to be committed holds nobody's home folder: the hooks are named, PATH finds them.
        let shared = try String(contentsOfFile: repo.path + "/.claude/settings.json", encoding: .utf8)
        #expect(!shared.contains(h.prefix) && !shared.contains(h.sandbox.home))
        #expect(shared.contains(#""command" : "handoff hook stop-gate""#) || shared.contains(#""command": "handoff hook stop-gate""#))
        let withPath = ["PATH": h.bin + ":" + (h.environment["PATH"] ?? "/usr/bin:/bin")]
        #expect(try h.doctor(in: repo.path, environment: withPath).checks["agent-hooks"] == "pass")
        #expect(try h.install(["--uninstall"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.claude"))
    }

    @Test func localScopeWritesThePersonalSettingsWithAbsolutePaths() throws {
        let h = try InstallerHarness("inst-local")
        let repo = try h.sandbox.repository("repo")
        #expect(try h.install(["--repo", repo.path, "--claude-scope", "local"]).status == 0)
        let path = repo.path + "/.claude/settings.local.json"
        #expect(ClaudeSettings.inspect(settingsAt: path).missing.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(h.bin + "/handoff\\\" hook stop-gate"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.claude/settings.json"))
        #expect(try h.doctor(in: repo.path).checks["agent-hooks"] == "pass")
        #expect(try h.install(["--uninstall"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.claude"))
    }

    @Test func proofRunShowsTheWholeSuiteAndCleansUp() throws {
        let h = try InstallerHarness("inst-proof")
        let result = try h.install()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for expected in ["stop without a handover: BLOCKED", "released", "compaction snapshot", "commit", "push", "stop_blocked", "handover", "compaction"] {
            #expect(result.stdout.contains(expected), "missing \(expected) in \(result.stdout)")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: h.tmp)) ?? []).isEmpty, "the scratch repository is removed")
        // A successful install prints no error (issue #23: registering the MCP server outside a
        // repository used to print "not inside a git repository").
        let errors = (result.stdout + result.stderr).split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("handoff: ") }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func unknownOptionAndBadRepoFailWithOneLine() throws {
        let h = try InstallerHarness("inst-usage")
        let unknown = try h.install(["--bogus"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown option '--bogus'"))
        let notRepo = try h.install(["--repo", h.work])
        #expect(notRepo.status == 1)
        #expect(notRepo.stderr.split(separator: "\n").count == 1, "\(notRepo.stderr)")
        let help = try GitProcess.run("/bin/bash", [InstallerHarness.script, "--help"], in: h.work, environment: h.environment)
        #expect(help.status == 0 && help.stdout.contains("--uninstall"))
    }

    // MARK: Doctor names each fault

    enum Fault: String, CaseIterable {
        case deletedBinary, hookNotExecutable, corruptState, settingsEntryRemoved, disabled
    }

    @Test(arguments: Fault.allCases)
    func doctorNamesTheFault(_ fault: Fault) throws {
        let h = try InstallerHarness("doctor-\(fault.rawValue)")
        let repo = try h.sandbox.repository("repo")
        #expect(try h.install(["--repo", repo.path]).status == 0)
        let green = try h.doctor(in: repo.path)
        #expect(green.status == 0, "\(green.output)")

        var environment: [String: String] = [:]
        let expected: String
        switch fault {
        case .deletedBinary:
            // The old layout's name of the stop gate, left pointing at a binary that is gone.
            try FileManager.default.removeItem(atPath: h.bin + "/handoff-stop-gate")
            try FileManager.default.createSymbolicLink(atPath: h.bin + "/handoff-stop-gate", withDestinationPath: h.bin + "/handoff-stop-gate.deleted")
            expected = "executable:handoff-stop-gate"
        case .hookNotExecutable:
            chmod(repo.path + "/.git/hooks/post-commit", 0o644)
            expected = "git-hook:post-commit"
        case .corruptState:
            try "{\"_version\": 1, \"oops".write(toFile: repo.path + "/.handoff/state.json", atomically: true, encoding: .utf8)
            expected = "store"
        case .settingsEntryRemoved:
            var settings = try JSONValue.parse(try String(contentsOfFile: h.userSettings, encoding: .utf8)).objectValue ?? JSONObject()
            var hooks = settings["hooks"]?.objectValue ?? JSONObject()
            hooks["Stop"] = nil
            settings["hooks"] = .object(hooks)
            try JSONValue.object(settings).prettyText.write(toFile: h.userSettings, atomically: true, encoding: .utf8)
            expected = "agent-hooks"
        case .disabled:
            environment["HANDOFF_DISABLED"] = "1"
            expected = "disabled"
        }
        let sick = try h.doctor(in: repo.path, environment: environment)
        #expect(sick.status == 1, "\(sick.output)")
        #expect(sick.checks[expected] == "fail", "\(sick.output)")
        let failing = sick.checks.filter { $0.value == "fail" }.map(\.key)
        // Only the broken thing fails (the settings run `handoff hook stop-gate`, not the old name).
        #expect(failing == [expected], "only the broken thing fails: \(sick.output)")
        // The text form says what to do.
        let text = try h.installed(["doctor"], in: repo.path, environment: environment)
        #expect(text.stdout.contains("fix:"))
    }

    @Test func doctorCountsGarbageEventLines() throws {
        let h = try InstallerHarness("doctor-events")
        let repo = try h.sandbox.repository("repo")
        #expect(try h.install(["--repo", repo.path]).status == 0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: repo.path + "/.handoff/events.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n{\"half\":\n".utf8))
        try handle.close()
        let result = try h.installed(["doctor", "--json"], in: repo.path)
        #expect(result.status == 0, "a warning does not fail the doctor")
        #expect(result.stdout.contains("2 unreadable lines"))
    }
}
