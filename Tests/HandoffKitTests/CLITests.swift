import Foundation
import Testing
@testable import HandoffKit

@Suite("handoff CLI")
struct CLITests {
    static let judgement = #"""
        {"severity": "READY",
         "done": [{"description": "Add the parser", "ref": "abc1234"}],
         "failed": [{"description": "fuzzing", "tried": "swift test --filter Fuzz", "error": "timed out", "why": "corpus too large", "need": null}],
         "blockers": [{"description": "waiting for the API key", "resolved": false}],
         "resume": {"next": "README.md:1 document the parser options", "files": ["README.md"], "context": "the parser landed"},
         "watch_out_for": ["the fixtures are generated"],
         "session_memory": {"user_intent": "a parser", "corrections": ["use tabs in Makefiles"], "active_context": "README.md:1", "key_references": ["#12"]}}
        """#

    /// A repository whose health checks are quick shell commands.
    func repository(_ sandbox: Sandbox, tests: String = "true") throws -> TestRepository {
        let repo = try sandbox.repository()
        try repo.git("config", "handoff.check.build", "true")
        try repo.git("config", "handoff.check.tests", tests)
        try repo.git("config", "handoff.check.lint", "none")
        return repo
    }

    @Test("init, then end with a judgement, writes a valid manual-end state and archives the previous one")
    func endToEnd() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox)
        #expect(try repo.handoff("init").status == 0)
        let before = try repo.read(".handoff/state.json")
        let result = try repo.handoff("end", "--session", "s-1", stdin: Self.judgement)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("HANDOFF COMPLETE"))
        #expect(result.stdout.contains("SESSION: 1 done, 1 failed, 1 blockers"))
        #expect(result.stdout.contains("HEALTH: build=pass tests=pass lint=n/a"))
        #expect(result.stdout.contains("RESUME: README.md:1 document the parser options"))
        #expect(result.stdout.contains("Nothing uncommitted or unpushed (checked now)"), "\(result.stdout)")
        #expect(try repo.read(".handoff/sessions/s-1.json") == before)
        let state = try repo.store.readState()
        #expect(state.source == .manualEnd)
        #expect(state.sessionID == "s-1")
        #expect(state.runtime.handoffEndCompleted)
        #expect(state.severity == .ready)
        #expect(try SchemaCheck.errors(forStateFile: repo.path + "/.handoff/state.json").isEmpty)
        #expect(try repo.handoff("validate").status == 0)
        // Corrections reach CONTEXT.md once, however often the handover runs.
        _ = try repo.handoff("end", "--session", "s-1", stdin: Self.judgement)
        let context = try repo.read(".handoff/CONTEXT.md")
        #expect(context.components(separatedBy: "- use tabs in Makefiles").count == 2)
        #expect(state.sessionMemory.corrections == ["use tabs in Makefiles"])
    }

    /// `handoff end` claims nothing it did not check: with work left, its last line names what still blocks the stop.
    @Test("the confirmation names the uncommitted files and unpushed commits that still block the stop")
    func confirmationNamesWhatStillBlocks() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox)
        _ = try repo.handoff("init")
        try repo.write("notes.txt", "left over\n")
        let result = try repo.handoff("end", "--session", "s-2", stdin: Self.judgement)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("NOT ready to end: 1 uncommitted file (notes.txt)"), "\(result.stdout)")
        #expect(!result.stdout.contains("may end"))
        #expect(!result.stdout.contains("Safe to end"))
    }

    @Test("a failing test run makes READY into IN_PROGRESS and is recorded with its output")
    func failingChecks() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox, tests: "echo 'FAIL: testParser expected 3 got 4'; exit 1")
        _ = try repo.handoff("init")
        let result = try repo.handoff("end", stdin: Self.judgement)
        #expect(result.status == 0)
        #expect(result.stdout.contains("tests=fail"))
        #expect(result.stderr.contains("FAIL: testParser expected 3 got 4"))
        #expect(try repo.store.readState().severity == .inProgress)
        let check = repo.store.events.tail(1, matching: { $0.type == "check" && $0["name"] == "tests" }).events.first
        #expect(check?["result"] == "fail")
        #expect(check?["output_tail"]?.stringValue?.contains("expected 3 got 4") == true)
    }

    @Test("an invalid judgement is refused with findings and nothing is written")
    func invalidJudgement() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox)
        _ = try repo.handoff("init")
        let before = try repo.read(".handoff/state.json")
        let vague = Self.judgement.replacingOccurrences(of: "README.md:1 document the parser options", with: "keep working on it")
        let result = try repo.handoff("end", stdin: vague)
        #expect(result.status == 1)
        #expect(result.stderr.contains("resume.next"))
        let noWhy = Self.judgement.replacingOccurrences(of: #""why": "corpus too large""#, with: #""why": null"#)
        let second = try repo.handoff("end", stdin: noWhy)
        #expect(second.status == 1)
        #expect(second.stderr.contains("failed[0].why"))
        let typed = try repo.handoff("end", stdin: #"{"resume": {"next": "a.swift:1 do the thing", "files": "a.swift", "context": ""}}"#)
        #expect(typed.status == 2)
        #expect(typed.stderr.contains("resume.files"))
        #expect(try repo.handoff("end", stdin: "not json").status == 2)
        #expect(try repo.handoff("end", stdin: #"{"verdict": 1}"#).stderr.contains("unknown field verdict"))
        #expect(try repo.read(".handoff/state.json") == before)
        #expect(FileSystem.list(repo.path + "/.handoff/sessions").isEmpty)
    }

    @Test("validate exits 0 valid, 1 invalid naming the path, 2 unusable")
    func validateExitCodes() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox)
        _ = try repo.handoff("init")
        #expect(try repo.handoff("validate").status == 0)
        var bad = ValidatorTests.goodHandover().json.objectValue!
        bad["severity"] = .null
        try repo.write("bad.json", JSONValue.object(bad).prettyText)
        let invalid = try repo.handoff("validate", "bad.json")
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains("error: severity:"))
        let json = try repo.handoff("validate", "--json", "bad.json")
        #expect(try JSONValue.parse(json.stdout)["valid"] == .bool(false))
        try repo.write("garbage.json", "{{{")
        #expect(try repo.handoff("validate", "garbage.json").status == 2)
        #expect(try repo.handoff("validate", "missing.json").status == 2)
    }

    @Test("status and events read the store, as text and JSON")
    func statusAndEvents() throws {
        let sandbox = try Sandbox("cli")
        let repo = try repository(sandbox)
        _ = try repo.handoff("init")
        try repo.write("dirty.txt", "x")
        let status = try repo.handoff("status", "--json")
        #expect(status.status == 0)
        let value = try JSONValue.parse(status.stdout)
        #expect(value["uncommitted"] == 1)
        #expect(value["branch"] == "main")
        #expect(value["handover_complete"] == false)
        #expect(try repo.handoff("status").stdout.contains("Uncommitted: 1 file (dirty.txt)"))
        for index in 0..<40 { try repo.store.append(Event(type: index % 4 == 0 ? "commit" : "tool", [("n", .int(index))])) }
        let tail = try repo.handoff("events", "--tail", "3", "--json")
        #expect(tail.stdout.split(separator: "\n").count == 3)
        let commits = try repo.handoff("events", "--type", "commit", "--tail", "100", "--json").stdout.split(separator: "\n")
        #expect(commits.count == 10)
        #expect(try repo.handoff("events", "--tail", "-1").status == 64)
    }

    @Test("outside a repository or without a store, commands say what to do and exit 3")
    func noStore() throws {
        let sandbox = try Sandbox("cli")
        let repo = try sandbox.repository()
        let result = try repo.handoff("status")
        #expect(result.status == 3)
        #expect(result.stderr.contains("handoff init"))
        let outside = try launch(try BuiltProducts.path("handoff"), ["status"], directory: sandbox.root, environment: sandbox.environment)
        #expect(outside.status == 3)
        #expect(outside.stderr.contains("not inside a git repository"))
    }

    @Test("context regenerates auto blocks and keeps curated text byte for byte")
    func context() throws {
        let sandbox = try Sandbox("cli")
        let repo = try sandbox.repository()
        try repo.write("package.json", #"{"scripts": {"build": "tsc", "test": "vitest", "lint": "eslint ."}}"#)
        try repo.write("pnpm-lock.yaml", "")
        try repo.write("src/index.ts", "")
        try repo.git("add", ".")
        try repo.git("commit", "-qm", "node")
        _ = try repo.handoff("init")
        let curated = "<!-- handoff:curated:begin notes -->\nMy own words. ✍️\n   spacing kept\n<!-- handoff:curated:end notes -->\n"
        var text = try repo.read(".handoff/CONTEXT.md")
        let start = text.range(of: "<!-- handoff:curated:begin notes -->")!.lowerBound
        let end = text.range(of: "<!-- handoff:curated:end notes -->\n")!.upperBound
        text.replaceSubrange(start..<end, with: curated)
        try repo.write(".handoff/CONTEXT.md", text)
        try repo.commit("lib/x.ts", "", message: "lib")
        #expect(try repo.handoff("context").status == 0)
        let after = try repo.read(".handoff/CONTEXT.md")
        #expect(after.contains(curated))
        #expect(after.contains("- `lib/` — 1 file"))
        #expect(after.contains("- `src/` — 1 file"))
        #expect(after.contains("- build: `pnpm run build`"))
        #expect(after.contains("- test: `pnpm test`"))
        #expect(after.contains("- lint: `pnpm run lint`"))
    }
}
