import Foundation
import Testing

@testable import HandoffKit

/// One `handoff` serves the CLI and every hook (issue #22): which hook a process asks for, and one
/// version everywhere it is written.
@Suite("one executable")
struct OneExecutableTests {
    @Test("a hook is chosen by the name handoff was started under, or by `handoff hook <name>`")
    func dispatch() {
        #expect(HookEntry.requested(["/usr/bin/handoff-stop-gate", "--agent", "codex"])! == (.stopGate, ["--agent", "codex"]))
        #expect(HookEntry.requested(["handoff-pre-push", "origin", "/r"])! == (.prePush, ["origin", "/r"]))
        // The old plugin's links (bin/handoff-session.bin) and the post-merge entry of the old layout.
        #expect(HookEntry.requested(["/p/bin/handoff-session.bin"])! == (.session, []))
        #expect(HookEntry.requested(["/b/handoff-post-commit", "--post-merge", "0"])! == (.postCommit, ["--post-merge", "0"]))
        #expect(HookEntry.requested(["/usr/bin/handoff", "hook", "post-merge", "0"])! == (.postMerge, ["0"]))
        #expect(HookEntry.requested(["handoff", "hook", "compact"])! == (.compact, []))
        // Everything else is the CLI's: no hook, so the parser answers (help, a usage error).
        #expect(HookEntry.requested(["/usr/bin/handoff", "status"]) == nil)
        #expect(HookEntry.requested(["/usr/bin/handoff", "hook"]) == nil)
        #expect(HookEntry.requested(["/usr/bin/handoff", "hook", "nonsense"]) == nil)
        #expect(HookEntry.requested(["/usr/bin/handoff", "hook", "--help"]) == nil)
        #expect(HookEntry.requested(["/usr/bin/handoff", "status", "hook", "session"]) == nil)
        #expect(HookEntry.requested(["/usr/bin/handoff-mcp"]) == nil)
        #expect(HookEntry.requested([]) == nil)
    }

    @Test("the old names, links to handoff, and `handoff hook` run the same hook")
    func linksAndSubcommandAnswerAlike() throws {
        let sandbox = try GitSandbox("one-exe")
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        let bin = try HookProducts.directory()
        let payload = String(decoding: ClaudePayload.sessionStart("s1", cwd: repo.path, home: sandbox.home, source: "startup"), as: UTF8.self)
        let environment = sandbox.environment.merging(["CLAUDE_PROJECT_DIR": repo.path]) { $1 }
        let viaLink = try GitProcess.run(bin + "/handoff-session", [], in: repo.path, environment: environment, stdin: payload)
        let viaSubcommand = try GitProcess.run(bin + "/handoff", ["hook", "session"], in: repo.path, environment: environment, stdin: payload)
        #expect(viaLink.status == 0 && viaSubcommand.status == 0, "\(viaLink.stderr)\(viaSubcommand.stderr)")
        #expect(viaLink.stdout.contains("hookSpecificOutput") && viaSubcommand.stdout.contains("hookSpecificOutput"), "\(viaLink.stdout)")
        #expect(repo.events("session_start").count == 2)
        // A name that is no hook: the parser's one-line error and its usage status.
        let wrong = try GitProcess.run(bin + "/handoff", ["hook", "stop"], in: repo.path, environment: environment, stdin: "")
        #expect(wrong.status == 64 && wrong.stderr.contains("stop-gate"), "\(wrong.stderr)")
    }

    static var root: String { SchemaCheck.packageRoot }

    @Test("VERSION, `handoff --version` and the plugin's manifest say one version")
    func oneVersion() throws {
        let file = try String(contentsOfFile: Self.root + "/VERSION", encoding: .utf8)
        #expect(file.hasSuffix("\n") && !file.dropLast().contains("\n"), "VERSION is one line")
        let version = file.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3 && version.allSatisfy { $0.isNumber || $0 == "." }, "\(version)")
        let printed = try GitProcess.run(try BuiltProducts.path("handoff"), ["--version"], in: "/", environment: [:])
        #expect(printed.stdout == version + "\n")
        let manifest = try JSONValue.parse(try String(contentsOfFile: Self.root + "/hooks/claude/.claude-plugin/plugin.json", encoding: .utf8))
        #expect(manifest["version"]?.stringValue == version)
    }
}
