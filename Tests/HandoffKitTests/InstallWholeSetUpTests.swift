import Foundation
import Testing

@testable import HandoffKit

/// `handoff install` as the whole set-up with no checkout (issue #22): the plugin folder found
/// through one resolver, the handover commands it installs, and `uninstall --all`.
@Suite("handoff install without a checkout")
struct InstallWholeSetUpTests {
    /// A folder holding a plugin folder's manifest and commands.
    static func makePlugin(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder + "/.claude-plugin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/commands", withIntermediateDirectories: true)
        try "{\"name\": \"handoff\"}\n".write(toFile: folder + "/.claude-plugin/plugin.json", atomically: true, encoding: .utf8)
        for name in ClaudeCommands.names { try "# \(name)\n".write(toFile: folder + "/commands/" + name, atomically: true, encoding: .utf8) }
    }

    @Test("the plugin folder: HANDOFF_SHARE_DIR, else <bin>/../share/handoff, else the checkout of a build folder, else one line naming HANDOFF_SHARE_DIR")
    func resolverOrder() throws {
        let sandbox = try GitSandbox("share-dir")
        let prefix = sandbox.path("prefix")
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        let empty = Environment([:])
        // Nothing anywhere: the one line says where it looked and names the variable.
        #expect(throws: ShareDirectory.Failure.notFound(tried: [prefix + "/share/handoff"])) {
            try ShareDirectory.locate(environment: empty, executableFolder: prefix + "/bin")
        }
        #expect(ShareDirectory.Failure.notFound(tried: ["/p/share/handoff"]).description.contains("HANDOFF_SHARE_DIR"))
        // The packages' layout.
        try Self.makePlugin(prefix + "/share/handoff")
        #expect(try ShareDirectory.locate(environment: empty, executableFolder: prefix + "/bin") == prefix + "/share/handoff")
        // The variable wins, and a wrong one is said, not passed over.
        let other = sandbox.path("elsewhere")
        try Self.makePlugin(other)
        #expect(try ShareDirectory.locate(environment: Environment(["HANDOFF_SHARE_DIR": other]), executableFolder: prefix + "/bin") == other)
        #expect(throws: ShareDirectory.Failure.variableNotUsable(path: sandbox.path("nothing"))) {
            try ShareDirectory.locate(environment: Environment(["HANDOFF_SHARE_DIR": sandbox.path("nothing")]), executableFolder: prefix + "/bin")
        }
        // A build folder of this checkout finds the checkout's plugin folder.
        let build = try BuiltProducts.path("handoff")
        let real = try #require(FileSystem.realPath(build))
        #expect(try ShareDirectory.locate(environment: empty, executableFolder: Path.dirname(real)) == SchemaCheck.packageRoot + "/hooks/claude")
    }

    @Test("install --claude from a handoff with no plugin folder anywhere registers the hooks and fails in one line naming HANDOFF_SHARE_DIR")
    func installWithoutShare() throws {
        let sandbox = try GitSandbox("share-missing")
        let bin = sandbox.path("lonely/bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try #require(FileSystem.realPath(try BuiltProducts.path("handoff"))), toPath: bin + "/handoff")
        let result = try GitProcess.run(bin + "/handoff", ["install", "--claude"], in: sandbox.root, environment: sandbox.environment)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 1 && errors[0].hasPrefix("handoff: ") && errors[0].contains("HANDOFF_SHARE_DIR"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: sandbox.home + "/.claude/settings.json"), "the hooks are registered")
        // With the variable: the commands too.
        let share = sandbox.path("share")
        try Self.makePlugin(share)
        let again = try GitProcess.run(bin + "/handoff", ["install", "--claude"], in: sandbox.root,
                                       environment: sandbox.environment.merging(["HANDOFF_SHARE_DIR": share]) { $1 })
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try String(contentsOfFile: sandbox.home + "/.claude/commands/handoff/dump.md", encoding: .utf8) == "# dump.md\n")
    }

    @Test("uninstall --all leaves HOME byte for byte as it was, keeps a command file that was there before, and lists the repositories still opted in")
    func uninstallAll() throws {
        let sandbox = try GitSandbox("uninstall-all")
        let repo = try sandbox.repository("repo")
        let kept = try sandbox.repository("kept")
        let bin = try HookProducts.directory()
        let codexHome = sandbox.home + "/.codex"
        try FileManager.default.createDirectory(atPath: codexHome, withIntermediateDirectories: true)
        try "model = \"o3\"\n".write(toFile: codexHome + "/config.toml", atomically: true, encoding: .utf8)
        // Someone's own /handoff:dump: kept aside by install, put back by uninstall.
        try FileManager.default.createDirectory(atPath: sandbox.home + "/.claude/commands/handoff", withIntermediateDirectories: true)
        try "mine\n".write(toFile: sandbox.home + "/.claude/commands/handoff/dump.md", atomically: true, encoding: .utf8)
        let before = TreeSnapshot(sandbox.home)
        let environment = sandbox.environment.merging(["CODEX_HOME": codexHome]) { $1 }
        func handoff(_ arguments: [String], in directory: String) throws -> GitProcess.Result {
            try GitProcess.run(bin + "/handoff", arguments, in: directory, environment: environment)
        }
        for directory in [repo.path, kept.path] { #expect(try handoff(["install", "--git"], in: directory).status == 0) }
        #expect(try handoff(["uninstall", "--git"], in: repo.path).status == 0)
        let install = try handoff(["install", "--claude", "--codex"], in: sandbox.root)
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(try String(contentsOfFile: sandbox.home + "/.claude/commands/handoff/dump.md", encoding: .utf8)
                == String(contentsOfFile: SchemaCheck.packageRoot + "/hooks/claude/commands/dump.md", encoding: .utf8))

        let removal = try handoff(["uninstall", "--all"], in: sandbox.root)
        #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
        let after = TreeSnapshot(sandbox.home)
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
        // The repository still opted in is named with the command that undoes it; the one undone is not.
        #expect(removal.stdout.contains("cd '\(kept.path)' && handoff uninstall --git"), "\(removal.stdout)")
        #expect(!removal.stdout.contains("'\(repo.path)'"), "\(removal.stdout)")
    }

    @Test("the list of opted-in repositories takes with it only the folders it made: an empty ~/.local/state that was there before stays")
    func repositoryListRemovesOnlyTheFoldersItMade() throws {
        let bin = try HookProducts.directory()
        for existedBefore in [false, true] {
            let sandbox = try GitSandbox("repository-list-folders")
            let repo = try sandbox.repository("repo")
            if existedBefore {
                try FileManager.default.createDirectory(atPath: sandbox.home + "/.local/state", withIntermediateDirectories: true)
            }
            let before = TreeSnapshot(sandbox.home)
            var environment = sandbox.environment
            environment["XDG_STATE_HOME"] = nil
            func handoff(_ arguments: [String]) throws -> GitProcess.Result {
                try GitProcess.run(bin + "/handoff", arguments, in: repo.path, environment: environment)
            }
            #expect(try handoff(["install", "--git"]).status == 0)
            #expect(FileManager.default.fileExists(atPath: sandbox.home + "/.local/state/handoff/repositories"))
            let removal = try handoff(["uninstall", "--git"])
            #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
            let after = TreeSnapshot(sandbox.home)
            #expect(after.differences(from: before).isEmpty, "existed before: \(existedBefore); \(after.differences(from: before))")
        }
    }
}
