import Foundation
import Testing

@testable import HandoffKit

@Suite("GitHooks: installer")
struct GitHooksInstallerTests {
    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func installIsIdempotent() throws {
        let sandbox = try GitSandbox("idempotent")
        let repo = try sandbox.repository("repo")
        let first = try repo.installHooks()
        #expect(first.actions.filter { $0.kind == .installed }.map(\.hook) == ["post-commit", "pre-push", "post-merge"])
        #expect(first.actions.contains { $0.kind == .createdStore })
        let folder = try repo.hooksFolder()
        let before = try bytes(folder + "/pre-push")
        let second = try repo.installHooks()
        #expect(second.actions.filter { $0.kind == .alreadyInstalled }.count == 3)
        #expect(!second.actions.contains { $0.kind == .installed || $0.kind == .updated || $0.kind == .keptPrevious })
        #expect(second.actions.contains { $0.kind == .storeExists })
        #expect(try bytes(folder + "/pre-push") == before)
        #expect(try mode(folder + "/pre-push") == 0o755)
        #expect(!FileManager.default.fileExists(atPath: folder + "/pre-push.pre-handoff"))
        #expect(GitHookInstaller.isManaged(folder + "/post-commit"))
    }

    @Test func uninstallRestoresTheForeignHookByteForByte() throws {
        let sandbox = try GitSandbox("restore")
        let repo = try sandbox.repository("repo")
        let folder = try repo.hooksFolder()
        // Odd bytes on purpose: CRLF, no final newline, a non-UTF-8 byte.
        let original = Data("#!/bin/sh\r\necho foreign\r\nexit 0".utf8) + Data([0xFF])
        try original.write(to: URL(fileURLWithPath: folder + "/post-commit"))
        chmod(folder + "/post-commit", 0o751)

        let installed = try repo.installHooks()
        #expect(installed.actions.contains { $0.kind == .keptPrevious && $0.hook == "post-commit" })
        #expect(try bytes(folder + "/post-commit.pre-handoff") == original)
        #expect(GitHookInstaller.isManaged(folder + "/post-commit"))

        let report = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(report.actions.contains { $0.kind == .restoredPrevious && $0.hook == "post-commit" })
        #expect(report.actions.contains { $0.kind == .removed && $0.hook == "pre-push" })
        #expect(try bytes(folder + "/post-commit") == original)
        #expect(try mode(folder + "/post-commit") == 0o751)
        #expect(!FileManager.default.fileExists(atPath: folder + "/post-commit.pre-handoff"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/pre-push"))
        #expect(repo.store.exists, "uninstall keeps the store")

        let again = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(again.actions.contains { $0.kind == .leftForeign && $0.hook == "post-commit" })
        #expect(again.actions.contains { $0.kind == .notInstalled && $0.hook == "pre-push" })
        #expect(try bytes(folder + "/post-commit") == original)
    }

    @Test func neverOverwritesWithoutKeeping() throws {
        let sandbox = try GitSandbox("conflict")
        let repo = try sandbox.repository("repo")
        let folder = try repo.hooksFolder()
        try "#!/bin/sh\necho current\n".write(toFile: folder + "/pre-push", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho older\n".write(toFile: folder + "/pre-push.pre-handoff", atomically: true, encoding: .utf8)
        let report = try repo.installHooks()
        #expect(!report.succeeded)
        #expect(report.actions.contains { $0.kind == .conflict && $0.hook == "pre-push" })
        #expect(try String(contentsOfFile: folder + "/pre-push", encoding: .utf8) == "#!/bin/sh\necho current\n")
        #expect(try String(contentsOfFile: folder + "/pre-push.pre-handoff", encoding: .utf8) == "#!/bin/sh\necho older\n")
        #expect(report.actions.contains { $0.kind == .installed && $0.hook == "post-commit" })
    }

    @Test func dryRunChangesNothing() throws {
        let sandbox = try GitSandbox("dryrun")
        let repo = try sandbox.repository("repo")
        let folder = try repo.hooksFolder()
        try "#!/bin/sh\n".write(toFile: folder + "/post-commit", atomically: true, encoding: .utf8)
        let report = try GitHookInstaller(environment: Environment(sandbox.environment), dryRun: true)
            .install(repositoryAt: repo.path, binDirectory: try HookProducts.directory())
        #expect(report.actions.contains { $0.kind == .keptPrevious })
        #expect(report.actions.contains { $0.kind == .createdStore })
        #expect(try String(contentsOfFile: folder + "/post-commit", encoding: .utf8) == "#!/bin/sh\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/pre-push"))
        #expect(!repo.store.exists)
    }

    @Test func coreHooksPathIsHonoured() throws {
        let sandbox = try GitSandbox("hookspath")
        let repo = try sandbox.repository("repo")
        try repo.git("config", "core.hooksPath", "tools/hooks")
        let report = try repo.installHooks()
        #expect(report.hooksDirectory == repo.path + "/tools/hooks")
        #expect(report.fromHooksPath)
        #expect(GitHookInstaller.isManaged(repo.path + "/tools/hooks/post-commit"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/hooks/post-commit"))
        // Run from a subfolder: git still runs hooks at the top of the worktree, and so do we.
        try repo.write("deep/er/file.txt", "x\n")
        try repo.git("add", "-A")
        _ = try GitProcess.run("/usr/bin/env", ["git", "commit", "-q", "-m", "via hooksPath"], in: repo.path + "/deep/er",
                               environment: sandbox.environment).checked()
        #expect(repo.events(EventType.commit).last?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
    }

    @Test func missingExecutablesAreRefused() throws {
        let sandbox = try GitSandbox("nobin")
        let repo = try sandbox.repository("repo")
        #expect(throws: GitHookInstaller.Failure.self) {
            try GitHookInstaller(environment: Environment(sandbox.environment)).install(repositoryAt: repo.path, binDirectory: sandbox.root)
        }
        #expect(!FileManager.default.fileExists(atPath: try repo.hooksFolder() + "/post-commit"))
    }

    /// husky gets handoff's lines in its scripts, and git really runs them (see
    /// InstallerHookManagerTests for husky end to end); lefthook and pre-commit keep their files
    /// and get the lines to add; a `.husky` folder that git does not run is not husky's turn.
    @Test func aHookManagerKeepsItsFilesAndGetsInstructions() throws {
        let sandbox = try GitSandbox("managers")
        // husky 9: core.hooksPath .husky/_ → a marked block in .husky/<hook>, nothing in .git/hooks.
        let husky = try sandbox.repository("husky")
        try HuskyLayout.v9.write(in: husky)
        try husky.write(".husky/pre-commit", "npm test\n")
        let report = try husky.installHooks()
        #expect(report.manager == .husky)
        #expect(report.actions.filter { $0.kind == .installed }.map(\.path) == GitHookInstaller.hooks.map { husky.path + "/.husky/" + $0.name })
        #expect(!report.actions.contains { $0.kind == .manual })
        #expect(try String(contentsOfFile: husky.path + "/.husky/pre-push", encoding: .utf8).contains("/handoff' hook pre-push \"$@\""))
        #expect(try String(contentsOfFile: husky.path + "/.husky/post-merge", encoding: .utf8).contains("/handoff' hook post-merge \"$@\""))
        #expect(try String(contentsOfFile: husky.path + "/.husky/pre-commit", encoding: .utf8) == "npm test\n", "a hook handoff has no part in is untouched")
        #expect(!FileManager.default.fileExists(atPath: try husky.hooksFolder() + "/post-commit"))

        // lefthook and pre-commit: instructions only, their configuration and the hooks folder untouched.
        for (name, config) in [("lefthook", "lefthook.yml"), ("precommit", ".pre-commit-config.yaml")] {
            let repo = try sandbox.repository(name)
            try repo.write(config, "# theirs\n")
            let report = try repo.installHooks()
            #expect(report.manager == (name == "lefthook" ? .lefthook : .preCommit))
            #expect(report.actions.filter { $0.kind == .manual }.contains { $0.detail.contains("handoff' hook post-merge") })
            #expect(!report.actions.contains { $0.kind == .installed })
            #expect(try String(contentsOfFile: repo.path + "/" + config, encoding: .utf8) == "# theirs\n")
            #expect(!FileManager.default.fileExists(atPath: try repo.hooksFolder() + "/post-commit"))
        }

        // A .husky folder git does not run (a fresh clone before husky's install step): our own
        // entries, and a note to run install again once husky is set up.
        let clone = try sandbox.repository("clone")
        try clone.write(".husky/pre-commit", "npm test\n")
        let plain = try clone.installHooks()
        #expect(plain.manager == nil)
        #expect(GitHookInstaller.isManaged(try clone.hooksFolder() + "/post-commit"))
        #expect(plain.actions.contains { $0.kind == .note && $0.detail.contains("run `handoff install --git` again") })
        #expect(!FileManager.default.fileExists(atPath: clone.path + "/.husky/post-commit"))
    }

    @Test func binDirectoryWithAQuoteIsQuotedForTheShell() {
        let hook = GitHookInstaller.hooks[0]
        let text = GitHookInstaller.render(hook, binDirectory: "/opt/it's here")
        #expect(text.contains("handoff='/opt/it'\\''s here/handoff'\n"))
    }

    /// The entries under hooks/git/ in the source tree are what the installer writes.
    @Test func embeddedTemplatesMatchTheSourceTree() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for hook in GitHookInstaller.hooks {
            let file = packageRoot.appendingPathComponent("hooks/git/\(hook.name)").path
            #expect(try String(contentsOfFile: file, encoding: .utf8) == hook.template, "hooks/git/\(hook.name) differs from GitHookTemplates")
            #expect(hook.template.split(separator: "\n")[1] == Substring(GitHookInstaller.marker))
        }
    }

    /// The "done when": in a scratch repository, through the `handoff` CLI.
    @Test func cliInstallCommitPushEndToEnd() throws {
        let sandbox = try GitSandbox("cli")
        let handoff = try HookProducts.path("handoff")
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.git("remote", "add", "origin", remote)
        let folder = try repo.hooksFolder()
        let marker = sandbox.path("old-hook-ran")
        try "#!/bin/sh\ntouch '\(marker)'\n".write(toFile: folder + "/post-commit", atomically: true, encoding: .utf8)
        chmod(folder + "/post-commit", 0o755)

        let dry = try GitProcess.run(handoff, ["install", "--git", "--dry-run"], in: repo.path, environment: sandbox.environment).checked()
        #expect(dry.stdout.contains("Would install"))
        #expect(!repo.store.exists)
        let install = try GitProcess.run(handoff, ["install", "--git"], in: repo.path, environment: sandbox.environment).checked()
        #expect(install.stdout.contains("kept the existing hook"))
        let again = try GitProcess.run(handoff, ["install"], in: repo.path, environment: sandbox.environment).checked()
        #expect(again.stdout.contains("already installed"))

        try repo.commit("a.txt", "a\n", message: "through the CLI install")
        #expect(repo.events(EventType.commit).last?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        #expect(FileManager.default.fileExists(atPath: marker))
        try repo.git("branch", "second")
        try repo.git("push", "-q", "origin", "main", "second")
        let names = (repo.events(EventType.push).last?["refs"]?.arrayValue ?? []).compactMap { $0["local_ref"]?.stringValue }
        #expect(Set(names) == ["refs/heads/main", "refs/heads/second"])

        let uninstall = try GitProcess.run(handoff, ["uninstall", "--git"], in: repo.path, environment: sandbox.environment).checked()
        #expect(uninstall.stdout.contains("restored the previous hook"))
        #expect(try String(contentsOfFile: folder + "/post-commit", encoding: .utf8) == "#!/bin/sh\ntouch '\(marker)'\n")
    }
}
