import Foundation
import Testing

@testable import HandoffKit

/// The opt-in is read from git's configuration without libgit2; these tests hold the reader to what
/// `git config` itself answers for the same files.
@Suite("Opt-in and git config files")
struct OptInTests {
    @Test func theParserReadsGitsSyntax() {
        let text = """
            # comment
            [core]
            \tbare = false
            [Handoff]
            \tEnabled = "tr"ue  ; trailing comment
            \tauto
            [remote "Origin"]
            \turl = a\\
            b # comment
            [section.Sub] key = value with  spaces   
            """
        let parsed = GitConfigFiles.parse(text)
        #expect(parsed.problem == nil)
        let pairs = Dictionary(parsed.entries.map { ($0.0, $0.1 ?? "<bare>") }, uniquingKeysWith: { $1 })
        #expect(pairs["handoff.enabled"] == "true")
        #expect(pairs["handoff.auto"] == "<bare>")
        #expect(pairs["remote.Origin.url"] == "ab")
        #expect(pairs["section.sub.key"] == "value with  spaces")
        #expect(GitConfigFiles.boolean(nil) == true)
        #expect(GitConfigFiles.boolean("Off") == false)
        #expect(GitConfigFiles.boolean("2") == true)
        #expect(GitConfigFiles.boolean("maybe") == nil)
    }

    @Test func theResolverAgreesWithGitAcrossScopesIncludesAndWorktrees() throws {
        let repo = try AgentRepo(optIn: false)
        let global = repo.root + "-global.gitconfig"
        let included = repo.root + "-included.gitconfig"
        defer { for path in [global, included] { try? FileManager.default.removeItem(atPath: path) } }
        func resolve(_ root: String? = nil) -> OptIn {
            OptIn.resolve(worktreeRoot: root ?? repo.root, environment: Environment(["GIT_CONFIG_GLOBAL": global, "GIT_CONFIG_NOSYSTEM": "1"]))
        }
        try "".write(toFile: global, atomically: true, encoding: .utf8)
        #expect(resolve().decision == .notOptedIn)
        try "[include]\n\tpath = \(included)\n".write(toFile: global, atomically: true, encoding: .utf8)
        try "[handoff]\n\tauto = on\n".write(toFile: included, atomically: true, encoding: .utf8)
        #expect(resolve().decision == .automatic)
        try repo.git("config", "handoff.enabled", "false")
        #expect(resolve().decision == .optedOut)
        try repo.git("config", "handoff.enabled", "true")
        #expect(resolve().decision == .repository)
        // A linked worktree shares the opt-in; its missing store is new, not wiped.
        try repo.git("worktree", "add", "-q", "-b", "side", repo.root + "-wt")
        defer { try? FileManager.default.removeItem(atPath: repo.root + "-wt") }
        let linked = resolve(repo.root + "-wt")
        #expect(linked.decision == .repository)
        #expect(!linked.missingStoreWasWiped(worktreeRoot: repo.root + "-wt", environment: Environment([:])))
        #expect(resolve().missingStoreWasWiped(worktreeRoot: repo.root, environment: Environment([:])))
        // What the reader does not evaluate (includeIf) is asked of git, which gives the same answer.
        try "[includeIf \"gitdir:/nowhere/\"]\n\tpath = \(included)\n".write(toFile: global, atomically: true, encoding: .utf8)
        let asked = OptIn.resolve(worktreeRoot: repo.root, environment: Environment([
            "GIT_CONFIG_GLOBAL": global, "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin",
        ]))
        #expect(asked.decision == .repository)
        #expect(asked.reason.contains("asked git"))
    }

    @Test func initAndInstallOptInAndUninstallRestoresTheConfigByteForByte() throws {
        let sandbox = try Sandbox("optin")
        let repo = try sandbox.repository("repo")
        let config = repo.path + "/.git/config"
        let before = try Data(contentsOf: URL(fileURLWithPath: config))
        let initialised = try repo.handoff("init")
        #expect(initialised.status == 0)
        #expect(initialised.stdout.contains("handoff.enabled"))
        #expect(try repo.run("/usr/bin/git", ["config", "--local", "handoff.enabled"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
        let uninstalled = try repo.handoff("uninstall", "--git")
        #expect(uninstalled.status == 0, "\(uninstalled.stderr)")
        #expect(uninstalled.stdout.contains("no longer act here"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)
    }
}
