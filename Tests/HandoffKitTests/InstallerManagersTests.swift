import Foundation
import Testing

@testable import HandoffKit

/// The files husky writes when its install step runs, reproduced so that no test needs npm or the
/// network. husky 9.1 (`index.js`): `core.hooksPath` = `.husky/_`, a dispatcher per hook that
/// sources `_/h`, and `h` runs the project's `.husky/<hook>` with `sh -e`. husky 5–8:
/// `core.hooksPath` = `.husky`, git runs `.husky/<hook>` itself, `_/husky.sh` beside them.
enum HuskyLayout {
    case v9, v8

    static let dispatcher = "#!/usr/bin/env sh\n. \"${0%/*}/h\""
    static let h = """
        #!/usr/bin/env sh
        [ "$HUSKY" = "2" ] && set -x
        n=$(basename "$0")
        s=$(dirname "$(dirname "$0")")/$n

        [ ! -f "$s" ] && exit 0

        i="${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"
        [ -f "$i" ] && . "$i"

        [ "${HUSKY-}" = "0" ] && exit 0

        export PATH="node_modules/.bin:$PATH"
        sh -e "$s" "$@"
        c=$?

        [ $c != 0 ] && echo "husky - $n script failed (code $c)"
        [ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
        exit $c

        """
    static let hooks = ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "applypatch-msg", "pre-applypatch",
                        "post-applypatch", "pre-rebase", "post-rewrite", "post-checkout", "post-merge", "pre-push", "pre-auto-gc"]

    func write(in repo: GitTestRepo) throws {
        switch self {
        case .v9:
            try repo.write(".husky/_/.gitignore", "*")
            try repo.write(".husky/_/h", Self.h)
            try repo.write(".husky/_/husky.sh", "")
            for hook in Self.hooks {
                try repo.write(".husky/_/\(hook)", Self.dispatcher)
                chmod(repo.path + "/.husky/_/\(hook)", 0o755)
            }
            try repo.git("config", "core.hooksPath", ".husky/_")
        case .v8:
            try repo.write(".husky/_/.gitignore", "*")
            try repo.write(".husky/_/husky.sh", "#!/usr/bin/env sh\n")
            try repo.git("config", "core.hooksPath", ".husky")
        }
    }
}

@Suite("Installer: husky, created folders, doctor")
struct InstallerManagersTests {
    func doctor(_ sandbox: GitSandbox, in directory: String) throws -> [String: Doctor.Check] {
        let report = Doctor(environment: Environment(sandbox.environment), workingDirectory: directory, binDirectory: try HookProducts.directory()).run()
        return Dictionary(report.checks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// husky 9 runs handoff's lines for commit, merge and push, after the project's own commands;
    /// a failing project command still fails the push; uninstall gives every byte back.
    @Test func husky9RunsOurLinesThroughItsDispatcher() throws {
        let sandbox = try GitSandbox("husky9")
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.git("remote", "add", "origin", remote)
        try HuskyLayout.v9.write(in: repo)
        let ran = sandbox.path("project-pre-push.log")
        let projectPrePush = "echo \"project pre-push $*\" >> '\(ran)'\n[ ! -f '\(sandbox.path("refuse"))' ]\n"
        try repo.write(".husky/pre-push", projectPrePush)
        try repo.git("add", ".husky/pre-push")
        try repo.git("commit", "-q", "-m", "husky scripts")
        let before = TreeSnapshot(repo.path + "/.husky")

        let report = try repo.installHooks()
        #expect(report.manager == .husky)
        #expect(report.hooksDirectory == repo.path + "/.husky/_")
        #expect(try doctor(sandbox, in: repo.path)["git-hooks"]?.status == .pass)

        try repo.commit("a.txt", "a\n", message: "through husky")
        #expect(repo.events(EventType.commit).last?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("f.txt", "f\n", message: "feature")
        try repo.git("checkout", "-q", "main")
        try repo.commit("m.txt", "m\n", message: "main")
        try repo.git("merge", "-q", "--no-ff", "-m", "Merge feature via husky", "feature")
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "Merge feature via husky")
        #expect(repo.events(EventType.commit).last?["parents"]?.intValue == 2)

        try repo.git("push", "-q", "origin", "main")
        #expect(try String(contentsOfFile: ran, encoding: .utf8) == "project pre-push origin \(remote)\n")
        let push = try #require(repo.events(EventType.push).last)
        #expect(push["refs"]?.arrayValue?.first?["local_ref"]?.stringValue == "refs/heads/main")

        // The project's own command fails: husky stops the script there and the push fails.
        try "".write(toFile: sandbox.path("refuse"), atomically: true, encoding: .utf8)
        try repo.commit("b.txt", "b\n", message: "refused")
        let pushes = repo.events(EventType.push).count
        let refused = try repo.gitResult(["push", "-q", "origin", "main"])
        #expect(refused.status != 0)
        #expect(repo.events(EventType.push).count == pushes)

        // Doctor names a script that lost handoff's lines.
        let postMerge = repo.path + "/.husky/post-merge"
        try "npm install\n".write(toFile: postMerge, atomically: true, encoding: .utf8)
        let check = try #require(try doctor(sandbox, in: repo.path)["git-hooks"])
        #expect(check.status == .fail)
        #expect(check.detail.contains(postMerge))
        #expect(try repo.installHooks().actions.contains { $0.kind == .installed && $0.path == postMerge })

        let removal = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(removal.succeeded)
        #expect(!removal.actions.contains { $0.kind == .leftForeign }, "husky's dispatchers are not reported on: \(removal.actions)")
        #expect(try String(contentsOfFile: postMerge, encoding: .utf8) == "npm install\n", "only our block was taken out")
        try FileManager.default.removeItem(atPath: postMerge)
        #expect(TreeSnapshot(repo.path + "/.husky").differences(from: before).isEmpty)
    }

    /// husky 5–8: git runs `.husky/<hook>` directly, so a script handoff creates must be executable.
    @Test func husky8ScriptsWeCreateAreExecutable() throws {
        let sandbox = try GitSandbox("husky8")
        let repo = try sandbox.repository("repo")
        try HuskyLayout.v8.write(in: repo)
        let report = try repo.installHooks()
        #expect(report.manager == .husky)
        #expect(FileSystem.mode(repo.path + "/.husky/post-commit").map { $0 & 0o111 != 0 } == true)
        try repo.commit("a.txt", "a\n", message: "through husky 8")
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "through husky 8")
    }

    /// Entries installed before husky took over (git no longer runs them) go on uninstall too.
    @Test func entriesLeftInTheDefaultFolderGoOnUninstall() throws {
        let sandbox = try GitSandbox("husky-later")
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        let standard = try repo.hooksFolder()
        #expect(GitHookInstaller.isManaged(standard + "/post-commit"))
        try HuskyLayout.v9.write(in: repo)
        let removal = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(removal.actions.filter { $0.kind == .removed && $0.path.hasPrefix(standard + "/") }.count == GitHookInstaller.hooks.count)
        for hook in GitHookInstaller.hooks { #expect(!FileManager.default.fileExists(atPath: standard + "/" + hook.name)) }
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.husky/_/post-commit"), "husky's files stay")
    }

    @Test func aHooksFolderInstallCreatedGoesWhenNothingElseIsInIt() throws {
        let sandbox = try GitSandbox("created-folder")
        let repo = try sandbox.repository("repo")
        try repo.git("config", "core.hooksPath", "tools/git/hooks")
        let before = TreeSnapshot(repo.path, excluding: [".git", ".handoff"])
        let installer = GitHookInstaller(environment: Environment(sandbox.environment))
        let report = try repo.installHooks()
        #expect(report.actions.contains { $0.kind == .createdFolder && $0.path == repo.path + "/tools/git/hooks" })
        let marker = try String(contentsOfFile: repo.path + "/tools/git/hooks/" + GitHookInstaller.createdFolderMarker, encoding: .utf8)
        #expect(marker.contains(repo.path + "/tools\n") && marker.contains(repo.path + "/tools/git/hooks\n"))

        // A dry run says so and changes nothing.
        let dry = try GitHookInstaller(environment: Environment(sandbox.environment), dryRun: true).uninstall(repositoryAt: repo.path)
        #expect(dry.actions.filter { $0.kind == .removedFolder }.map(\.path) == [repo.path + "/tools/git/hooks", repo.path + "/tools/git", repo.path + "/tools"])
        #expect(GitHookInstaller.isManaged(repo.path + "/tools/git/hooks/post-commit"))

        let removal = try installer.uninstall(repositoryAt: repo.path)
        #expect(removal.actions.filter { $0.kind == .removedFolder }.map(\.path) == [repo.path + "/tools/git/hooks", repo.path + "/tools/git", repo.path + "/tools"])
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/tools"))
        #expect(TreeSnapshot(repo.path, excluding: [".git", ".handoff"]).differences(from: before).isEmpty)
    }

    @Test func aCreatedHooksFolderThatGainedOtherFilesIsKept() throws {
        let sandbox = try GitSandbox("created-kept")
        let repo = try sandbox.repository("repo")
        try repo.git("config", "core.hooksPath", "hooks")
        try repo.installHooks()
        try repo.write("hooks/pre-commit", "#!/bin/sh\nexit 0\n")
        let removal = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        let kept = try #require(removal.actions.first { $0.kind == .keptFolder })
        #expect(kept.detail.contains("pre-commit"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path + "/hooks") == ["pre-commit"], "ours went, theirs stayed")
    }

    @Test func aHooksFolderThatWasThereIsNeverRemoved() throws {
        let sandbox = try GitSandbox("existing-folder")
        let repo = try sandbox.repository("repo")
        try FileManager.default.createDirectory(atPath: repo.path + "/githooks", withIntermediateDirectories: true)
        try repo.git("config", "core.hooksPath", "githooks")
        let report = try repo.installHooks()
        #expect(!report.actions.contains { $0.kind == .createdFolder })
        let removal = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(!removal.actions.contains { $0.kind == .removedFolder || $0.kind == .keptFolder })
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path + "/githooks").isEmpty)
    }

    /// Claude Code's records of an installed plugin, as `claude plugin install` writes them (the
    /// e2e suite checks the same against the real CLI).
    func installPlugin(_ id: String, hooksJSON: String, home: String, enabledIn settings: String, enabled: Bool = true) throws {
        let path = home + "/.claude/plugins/cache/mkt/\(id.split(separator: "@")[0])/0.1.0"
        try FileManager.default.createDirectory(atPath: path + "/hooks", withIntermediateDirectories: true)
        try hooksJSON.write(toFile: path + "/hooks/hooks.json", atomically: true, encoding: .utf8)
        let registry = home + "/.claude/plugins/installed_plugins.json"
        var plugins = (try? JSONValue.parse(String(contentsOfFile: registry, encoding: .utf8)))?["plugins"]?.objectValue ?? JSONObject()
        plugins[id] = [["scope": "user", "installPath": .string(path), "version": "0.1.0"]]
        try JSONValue.object(JSONObject([("version", 2), ("plugins", .object(plugins))])).prettyText.write(toFile: registry, atomically: true, encoding: .utf8)
        var object = (try? JSONValue.parse(String(contentsOfFile: settings, encoding: .utf8)))?.objectValue ?? JSONObject()
        var enabledPlugins = object["enabledPlugins"]?.objectValue ?? JSONObject()
        enabledPlugins[id] = .bool(enabled)
        object["enabledPlugins"] = .object(enabledPlugins)
        try FileManager.default.createDirectory(atPath: (settings as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONValue.object(object).prettyText.write(toFile: settings, atomically: true, encoding: .utf8)
    }

    @Test func doctorWarnsWhenThePluginAndSettingsBothRegisterTheHooks() throws {
        let sandbox = try GitSandbox("double")
        let repo = try sandbox.repository("repo")
        let bin = try HookProducts.directory()
        let userSettings = sandbox.home + "/.claude/settings.json"
        let ours = try String(contentsOfFile: SchemaCheck.packageRoot + "/hooks/claude/hooks/hooks.json", encoding: .utf8)
        let someoneElses = "{\"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"notify-send done\"}]}]}}"

        // Another plugin that hooks Stop is not handoff's.
        try installPlugin("notifier@mkt", hooksJSON: someoneElses, home: sandbox.home, enabledIn: userSettings)
        _ = try ClaudeSettings().install(settingsAt: userSettings, binDirectory: bin)
        #expect(try doctor(sandbox, in: repo.path)["agent-hooks"]?.status == .pass)

        // handoff's plugin, enabled for the project, plus the settings entries: a warning with the way out.
        try installPlugin("handoff@mkt", hooksJSON: ours, home: sandbox.home, enabledIn: repo.path + "/.claude/settings.local.json")
        let warning = try #require(try doctor(sandbox, in: repo.path)["agent-hooks"])
        #expect(warning.status == .warn)
        #expect(warning.detail.contains("handoff@mkt") && warning.detail.contains(userSettings) && warning.detail.contains("twice"))
        #expect(warning.fix.contains("handoff uninstall --claude --scope user") && warning.fix.contains("claude plugin disable handoff@mkt"))

        // Taking the settings entries out leaves the plugin: registered, no warning.
        _ = try ClaudeSettings().uninstall(settingsAt: userSettings)
        let plugin = try #require(try doctor(sandbox, in: repo.path)["agent-hooks"])
        #expect(plugin.status == .pass)
        #expect(plugin.detail.contains("registered by the plugin handoff@mkt"))

        // Disabled in a more specific file than the one enabling it: not registered at all.
        try installPlugin("handoff@mkt", hooksJSON: ours, home: sandbox.home, enabledIn: repo.path + "/.claude/settings.local.json", enabled: false)
        try installPlugin("handoff@mkt", hooksJSON: ours, home: sandbox.home, enabledIn: userSettings, enabled: true)
        #expect(try doctor(sandbox, in: repo.path)["agent-hooks"]?.status == .fail)
    }
}

/// `install.sh` in a repository whose hooks husky runs: our lines land in husky's scripts, and
/// `--uninstall` (which revisits only the repositories it changed) gives every byte back.
@Suite struct InstallerScriptHuskyTests {
    @Test func installScriptWritesIntoHuskyAndUninstallRestoresEveryByte() throws {
        let h = try InstallerHarness("inst-husky")
        let repo = try h.sandbox.repository("repo")
        try HuskyLayout.v9.write(in: repo)
        try repo.write(".husky/pre-push", "npm test\n")
        // The store is there already: only the changed husky scripts tell install.sh that it
        // changed this repository (and so that --uninstall must revisit it).
        _ = try repo.store.initialise(hostname: "test")
        let before = TreeSnapshot(h.sandbox.root)

        let install = try h.install(["--repo", repo.path, "--no-claude"])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(try String(contentsOfFile: repo.path + "/.husky/pre-push", encoding: .utf8).hasPrefix("npm test\n# handoff-managed-lines v1"))
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.husky/post-merge"))
        #expect(try h.doctor(in: repo.path).checks["git-hooks"] == "pass")
        #expect(try h.install(["--repo", repo.path, "--no-claude"]).stdout.contains("Nothing changed"))

        let removal = try h.install(["--uninstall"])
        #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
        let after = TreeSnapshot(h.sandbox.root)
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
    }
}
