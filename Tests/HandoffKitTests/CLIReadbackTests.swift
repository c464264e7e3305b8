import Foundation
import Testing
@testable import HandoffKit

/// `handoff brief`, `show` and `log`, launched as built, on an empty store and on a store holding a
/// reflection the real stop gate accepted followed by a `handoff end`.
@Suite("handoff brief, show, log")
struct CLIReadbackTests {
    static let judgement = #"""
        {"severity": "IN_PROGRESS",
         "done": [{"description": "Add the \u001b[31mparser", "ref": "abc1234"}],
         "failed": [{"description": "fuzzing", "tried": "swift test --filter Fuzz", "error": "timed out", "why": "corpus too large", "need": null}],
         "blockers": [{"description": "waiting for the API key", "resolved": false}],
         "resume": {"next": "README.md:1 document the parser options", "files": ["README.md"], "context": "the parser landed"},
         "watch_out_for": ["the fixtures are generated"],
         "session_memory": {"user_intent": "a parser", "corrections": [], "active_context": "README.md:1", "key_references": []}}
        """#

    func handoff(_ repo: AgentRepo, _ sandbox: Sandbox, _ arguments: String..., stdin: String? = nil) throws -> ProcessResult {
        try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.root, stdin: stdin.map { Data($0.utf8) },
                   environment: sandbox.environment)
    }

    /// A reflection accepted by the stop gate (session sess-reflect), then `handoff end` (session sess-end).
    func storeWithHandovers(_ sandbox: Sandbox) throws -> AgentRepo {
        let repo = try AgentRepo()
        for (key, value) in [("handoff.check.build", "true"), ("handoff.check.tests", "true"), ("handoff.check.lint", "none")] {
            try repo.git("config", key, value)
        }
        repo.sessionStart("sess-reflect")
        try repo.commitFile("a.swift", "let a = 1\n")
        #expect(GateAnswer(repo.stop("sess-reflect", message: validReflection)) == .allow)
        let end = try handoff(repo, sandbox, "end", "--session", "sess-end", stdin: Self.judgement)
        #expect(end.status == 0, "\(end.stderr)")
        return repo
    }

    @Test("on an empty store each command says there is no handover yet and exits 0")
    func emptyStore() throws {
        let sandbox = try Sandbox("readback")
        let repo = try AgentRepo(optIn: false)
        #expect(try handoff(repo, sandbox, "init").status == 0)
        let brief = try handoff(repo, sandbox, "brief")
        #expect(brief.status == 0)
        #expect(brief.stdout.contains("no handover recorded yet in this worktree (branch main)"))
        let briefJSON = try handoff(repo, sandbox, "brief", "--json")
        let parsed = try JSONValue.parse(briefJSON.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(parsed["brief"]?.stringValue == brief.stdout.trimmingCharacters(in: .newlines))
        #expect(parsed["characters"]?.intValue == parsed["brief"]?.stringValue?.count)
        for command in ["show", "log"] {
            let result = try handoff(repo, sandbox, command)
            #expect(result.status == 0)
            #expect(result.stdout.contains("no handover recorded yet"), "\(command)")
        }
        #expect(try handoff(repo, sandbox, "show", "--json").stdout == "null\n")
        #expect(try handoff(repo, sandbox, "log", "--json").stdout == "")
    }

    @Test("outside an initialised store each command exits 3 with the fix")
    func noStore() throws {
        let sandbox = try Sandbox("readback")
        let repo = try AgentRepo(optIn: false)
        for command in ["brief", "show", "log"] {
            let result = try handoff(repo, sandbox, command)
            #expect(result.status == 3, "\(command)")
            #expect(result.stderr.contains("handoff init"), "\(command): \(result.stderr)")
        }
    }

    @Test("brief prints exactly the text the session hook gives a starting session")
    func briefMatchesSessionStart() throws {
        let sandbox = try Sandbox("readback")
        let repo = try storeWithHandovers(sandbox)
        let printed = try handoff(repo, sandbox, "brief")
        #expect(printed.status == 0)
        // One Next line, from the newest handover (the `handoff end`): its resume task and resume point.
        let next = printed.stdout.split(separator: "\n").filter { $0.hasPrefix("Next") }
        #expect(next.count == 1 && next[0].hasPrefix("Next (handoff end of session sess-end): ho-") && next[0].hasSuffix(" README.md:1 document the parser options"),
                "\(printed.stdout)")
        // The blocker is said once: as its task.
        #expect(printed.stdout.contains("[blocker] Blocker: waiting for the API key"))
        #expect(!printed.stdout.contains("Open blockers:"))
        let json = try JSONValue.parse(try handoff(repo, sandbox, "brief", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let text = try #require(json["brief"]?.stringValue)
        // The session hook's own output for the next session carries the same text.
        let output = repo.sessionStart("sess-next")
        let injected = try JSONValue.parse(output.standardOutput)["hookSpecificOutput"]?["additionalContext"]?.stringValue
        let withoutSession = { (brief: String) in brief.split(separator: "\n").dropFirst().joined(separator: "\n") }
        #expect(withoutSession(try #require(injected)) == withoutSession(text), "all but the header line, which names the session")
    }

    @Test("show lays out the last handover, escapes control characters, and shows an earlier session by id")
    func show() throws {
        let sandbox = try Sandbox("readback")
        let repo = try storeWithHandovers(sandbox)
        let last = try handoff(repo, sandbox, "show")
        #expect(last.status == 0, "\(last.stderr)")
        for expected in ["Handover of session sess-end", "IN_PROGRESS", "Done", "Add the \\e[31mparser (abc1234)",
                         "Failed", "fuzzing", "why: corpus too large", "Blockers", "waiting for the API key",
                         "Next (handoff end of session sess-end): ho-", "README.md:1 document the parser options", "Watch out for", "the fixtures are generated", "Open tasks"] {
            #expect(last.stdout.contains(expected), "missing \(expected) in\n\(last.stdout)")
        }
        #expect(!last.stdout.contains("\u{1B}"), "no raw escape reaches the terminal")
        let earlier = try handoff(repo, sandbox, "show", "sess-reflect")
        #expect(earlier.status == 0, "\(earlier.stderr)")
        #expect(earlier.stdout.contains("Handover of session sess-reflect"))
        #expect(earlier.stdout.contains("Outcome: success"))
        let json = try JSONValue.parse(try handoff(repo, sandbox, "show", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["session"]?.stringValue == "sess-end")
        #expect(json["state"]?["severity"]?.stringValue == "IN_PROGRESS")
        #expect(json["handoff_end"]?["kind"]?.stringValue == "handoff-end")
        let unknown = try handoff(repo, sandbox, "show", "no-such-session")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("handoff log"))
        #expect(try handoff(repo, sandbox, "show", "../state").status == 1)
    }

    @Test("log lists one line per handover, newest first, and --limit and --json")
    func log() throws {
        let sandbox = try Sandbox("readback")
        let repo = try storeWithHandovers(sandbox)
        let result = try handoff(repo, sandbox, "log")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stdout)")
        #expect(lines.first?.contains("sess-end") == true && lines.first?.contains("handoff-end IN_PROGRESS") == true)
        #expect(lines.last?.contains("sess-reflect") == true && lines.last?.contains("reflection  success") == true)
        #expect(try handoff(repo, sandbox, "log", "--limit", "1").stdout.split(separator: "\n").count == 1)
        let json = try handoff(repo, sandbox, "log", "--json").stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(json.map { $0["session"]?.stringValue } == ["sess-end", "sess-reflect"])
        #expect(json.last?["outcome"]?.stringValue == "success")
        let bad = try handoff(repo, sandbox, "log", "--limit", "-1")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--limit"))
    }

    @Test("show lists every open task, however many, and none that is done")
    func showListsEveryOpenTask() throws {
        let sandbox = try Sandbox("readback")
        let repo = try storeWithHandovers(sandbox)
        var ids: [String] = []
        for number in 1...25 {
            let added = try handoff(repo, sandbox, "task", "add", "open task number \(number)")
            #expect(added.status == 0, "\(added.stderr)")
            ids.append(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(try handoff(repo, sandbox, "task", "done", ids[0]).status == 0)
        let shown = try handoff(repo, sandbox, "show")
        #expect(shown.status == 0, "\(shown.stderr)")
        for (index, id) in ids.enumerated() {
            #expect(shown.stdout.contains(id) == (index != 0), "task \(index + 1) (\(id)) \(index == 0 ? "is done" : "is open")")
        }
        let json = try JSONValue.parse(try handoff(repo, sandbox, "show", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let listed = Set((json["open_tasks"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        #expect(listed.isSuperset(of: ids.dropFirst()))
        #expect(!listed.contains(ids[0]))
    }

    @Test("help for each command wraps prose and shows examples")
    func help() throws {
        let sandbox = try Sandbox("readback")
        let repo = try AgentRepo(optIn: false)
        for command in ["brief", "show", "log"] {
            let result = try handoff(repo, sandbox, command, "--help")
            #expect(result.status == 0)
            #expect(result.stdout.contains("Examples:"))
            #expect(result.stdout.contains("handoff \(command)"))
            #expect(result.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(command) help fits 80 columns:\n\(result.stdout)")
        }
    }
}
