import Foundation
import Testing

/// `handoff install --claude` registers `handoff mcp` where the real Claude Code CLI reads MCP
/// servers (its own `claude mcp list` / `get` are the judge), uninstall takes it out byte for byte,
/// and a task filed through that server carries the session and the agent.
@Suite("MCP server registration (real Claude Code CLI)", .serialized)
struct MCPInstallE2ETests {
    func run(_ sandbox: E2ESandbox, _ arguments: [String], path: String? = nil) throws -> E2E.Outcome {
        var environment = sandbox.cliEnvironment
        if let path { environment["PATH"] = path + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
        return try E2E.run(arguments, in: sandbox.repo, environment: environment, timeout: 90)
    }

    func handoff(_ sandbox: E2ESandbox, _ arguments: String...) throws -> E2E.Outcome {
        let outcome = try run(sandbox, [sandbox.binaries + "/handoff"] + arguments)
        try #require(outcome.status == 0 && !outcome.timedOut, "handoff \(arguments.joined(separator: " ")): \(outcome.output)" as Comment)
        return outcome
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func doctorCheck(_ sandbox: E2ESandbox, path: String? = nil) throws -> [String: Any] {
        let result = try run(sandbox, [sandbox.binaries + "/handoff", "doctor", "--json"], path: path)
        let json = (try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any] ?? [:]
        return (json["checks"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "mcp-server" } ?? [:]
    }

    @Test func eachScopeIsWhereClaudeCodeReadsItOnceAndUninstallGivesBackTheBytes() throws {
        let sandbox = try E2ESandbox(script: #"{"rules": [], "default": {"text": "OK."}}"#)
        // Claude Code writes ~/.claude.json itself (with servers of the user's own in both scopes).
        for scope in ["user", "local"] {
            let added = try run(sandbox, [sandbox.claude, "mcp", "add", "-s", scope, "theirs-\(scope)", "--", "/bin/cat"])
            try #require(added.status == 0, "claude mcp add: \(added.output)" as Comment)
        }
        let claudeJSON = sandbox.home + "/.claude.json"
        let before = try #require(bytes(claudeJSON))
        let mode = try FileManager.default.attributesOfItem(atPath: claudeJSON)[.posixPermissions] as? Int

        let notYet = try doctorCheck(sandbox)
        #expect(notYet["status"] as? String == "warn" && (notYet["detail"] as? String ?? "").contains("not registered"), "\(notYet)")

        _ = try handoff(sandbox, "install", "--claude", "--scope", "user", "--bin-dir", sandbox.binaries)
        // Again: nothing changes, nothing is added twice.
        let again = try handoff(sandbox, "install", "--claude", "--scope", "user", "--bin-dir", sandbox.binaries)
        #expect(again.output.contains("MCP server handoff: already registered"), "\(again.output)")
        _ = try handoff(sandbox, "install", "--claude", "--scope", "local", "--bin-dir", sandbox.binaries)
        for scope in ["local", "user"] { _ = try handoff(sandbox, "uninstall", "--claude", "--scope", scope) }
        #expect(bytes(claudeJSON) == before, "~/.claude.json is byte for byte what Claude Code had written")
        #expect(try FileManager.default.attributesOfItem(atPath: claudeJSON)[.posixPermissions] as? Int == mode)
        #expect(!FileManager.default.fileExists(atPath: claudeJSON + ".pre-handoff"))

        // Claude Code reads each scope where install put it (and starts the server).
        _ = try handoff(sandbox, "install", "--claude", "--scope", "user", "--bin-dir", sandbox.binaries)
        var get = try run(sandbox, [sandbox.claude, "mcp", "get", "handoff"])
        #expect(get.output.contains("User config") && get.output.contains("Connected"), "\(get.output)")
        #expect(try doctorCheck(sandbox)["status"] as? String == "pass")
        _ = try handoff(sandbox, "install", "--claude", "--scope", "local", "--bin-dir", sandbox.binaries)
        get = try run(sandbox, [sandbox.claude, "mcp", "get", "handoff"])
        #expect(get.output.contains("Local config") && get.output.contains("Connected"), "local wins over user: \(get.output)")
        let twoScopes = try doctorCheck(sandbox)
        #expect(twoScopes["status"] as? String == "warn" && (twoScopes["detail"] as? String ?? "").contains("2 scopes"), "\(twoScopes)")
        for scope in ["local", "user"] { _ = try handoff(sandbox, "uninstall", "--claude", "--scope", scope) }
        // Whatever Claude Code changed in the file meanwhile stays, in its own layout: its own rewrite
        // of the file (add and remove a server) gives back the bytes uninstall wrote.
        let uninstalled = try #require(bytes(claudeJSON))
        #expect(!String(decoding: uninstalled, as: UTF8.self).contains(sandbox.binaries + "/handoff"))
        _ = try run(sandbox, [sandbox.claude, "mcp", "add", "-s", "user", "probe", "--", "/bin/cat"])
        _ = try run(sandbox, [sandbox.claude, "mcp", "remove", "-s", "user", "probe"])
        #expect(bytes(claudeJSON) == uninstalled, "uninstall writes the file as Claude Code does")

        _ = try handoff(sandbox, "install", "--claude", "--scope", "project", "--bin-dir", sandbox.binaries)
        let project = try String(contentsOfFile: sandbox.repo + "/.mcp.json", encoding: .utf8)
        #expect(project.contains("\"command\": \"handoff\""), "the committed file names no one's home: \(project)")
        // Pending until the user approves it; approved, Claude Code starts `handoff` from PATH.
        let pending = try doctorCheck(sandbox, path: sandbox.binaries)
        #expect(pending["status"] as? String == "warn" && (pending["detail"] as? String ?? "").contains("not approved"), "\(pending)")
        // What approving does: the folder trusted in ~/.claude.json, the server enabled in local settings.
        try #"{"enabledMcpjsonServers": ["handoff"]}"#.write(toFile: sandbox.repo + "/.claude/settings.local.json", atomically: true, encoding: .utf8)
        let withoutTrust = try doctorCheck(sandbox, path: sandbox.binaries)
        #expect(withoutTrust["status"] as? String == "warn", "enabled but the folder not trusted: Claude Code still waits: \(withoutTrust)")
        let claudeState = try #require(bytes(claudeJSON))
        var state = try #require(try JSONSerialization.jsonObject(with: claudeState) as? [String: Any])
        var projects = state["projects"] as? [String: Any] ?? [:]
        let realRepo = URL(fileURLWithPath: sandbox.repo).resolvingSymlinksInPath().path
        var entry = projects[realRepo] as? [String: Any] ?? [:]
        entry["hasTrustDialogAccepted"] = true
        projects[realRepo] = entry
        state["projects"] = projects
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: claudeJSON))
        let list = try run(sandbox, [sandbox.claude, "mcp", "list"], path: sandbox.binaries)
        #expect(list.output.contains("handoff: handoff mcp - ✔ Connected"), "\(list.output)")
        #expect(try doctorCheck(sandbox, path: sandbox.binaries)["status"] as? String == "pass")
        try FileManager.default.removeItem(atPath: sandbox.repo + "/.claude/settings.local.json")
        _ = try handoff(sandbox, "uninstall", "--claude", "--scope", "project")
        #expect(!FileManager.default.fileExists(atPath: sandbox.repo + "/.mcp.json"), "the .mcp.json install created is gone")
        let after = try run(sandbox, [sandbox.claude, "mcp", "list"])
        #expect(!after.output.contains("handoff:") && after.output.contains("theirs-user"), "\(after.output)")
    }

    @Test func aTaskFiledThroughTheInstalledServerCarriesTheSessionAndTheAgent() throws {
        let tool = "mcp__handoff__create_task"
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "file the follow-up", "times": 1,
               "reply": {"text": "Filing it.", "tool": "\(tool)", "input": {"title": "Write the migration guide"}}},
              {"when_contains": "Created task ho-", "times": 1, "reply": {"text": "Filed {{ho_id}}."}}
            ], "default": {"text": "Done."}}
            """)
        _ = try handoff(sandbox, "init")
        _ = try handoff(sandbox, "install", "--claude", "--bin-dir", sandbox.binaries)
        let claudeRun = try sandbox.claude("please file the follow-up", pluginDir: false, allowedTools: "Bash \(tool)")
        #expect(!claudeRun.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        let listing = try handoff(sandbox, "task", "list", "--json")
        let tasks = ((try? JSONSerialization.jsonObject(with: Data(listing.output.utf8))) as? [String: Any])?["tasks"] as? [[String: Any]]
            ?? ((try? JSONSerialization.jsonObject(with: Data(listing.output.utf8))) as? [[String: Any]] ?? [])
        let task = try #require(tasks.first { $0["title"] as? String == "Write the migration guide" }, "\(listing.output) \(claudeRun.stderr) \(sandbox.diagnostics)")
        #expect(!claudeRun.sessionID.isEmpty)
        #expect(task["session"] as? String == claudeRun.sessionID, "the task names the session that filed it: \(task)")
        #expect(task["agent"] as? String == "claude-code", "\(task)")

        _ = try handoff(sandbox, "uninstall", "--claude")
        let after = try run(sandbox, [sandbox.claude, "mcp", "list"])
        #expect(!after.output.contains("handoff:"), "\(after.output)")
    }
}
