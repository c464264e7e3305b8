import Foundation
import Testing

@testable import HandoffKit

/// `handoff doctor` reports what the hooks met at run time: the errors they recorded, and a
/// repository shape that makes them ask git. Through the built binaries, in real repositories.
@Suite("handoff doctor: hook errors and the git path")
struct DoctorWhatHooksHitTests {
    static func doctor(_ repo: TestRepository, environment: [String: String] = [:]) throws -> (checks: [String: JSONValue], text: String) {
        let json = try repo.handoff("doctor", "--json", environment: environment)
        let report = try JSONValue.parse(json.stdout)
        var checks: [String: JSONValue] = [:]
        for check in report["checks"]?.arrayValue ?? [] {
            if let id = check["id"]?.stringValue { checks[id] = check }
        }
        let text = try repo.handoff("doctor", environment: environment)
        return (checks, text.stdout)
    }

    @Test func recentHookErrorsAreReportedWithTheHookWhenTheMessageAndTheFix() throws {
        let sandbox = try Sandbox("doctor-errors")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let clean = try Self.doctor(repo)
        #expect(clean.checks["hook-errors"]?["status"]?.stringValue == "pass", "\(clean.checks)")

        // Older than the window: not reported.
        let old = Timestamp(milliseconds: Timestamp.now().milliseconds - 10 * 86_400_000)
        try repo.store.append(Event(type: EventType.hookError, session: "old", at: old, [("hook", "pre-push"), ("error", "long ago")]))
        // A real failure: the session hook meets a damaged state.json.
        try "garbage{".write(toFile: repo.path + "/.handoff/state.json", atomically: true, encoding: .utf8)
        var environment = sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let hook = try BoundedProcess.run(try BuiltProducts.path("handoff-session"), [], in: repo.path, environment: environment,
                                          stdin: ClaudePayload.sessionStart("sess-doctor", cwd: repo.path, home: sandbox.home, source: "startup"))
        #expect(hook.status == 0, "the hook fails open")
        // A recorded message with a terminal escape in it.
        try repo.store.append(Event(type: EventType.hookError, session: "sess-doctor", [("hook", "Stop"), ("error", "\u{1B}[2Jboom")]))

        let found = try Self.doctor(repo)
        let session = try #require(found.checks["hook-errors:session"], "\(found.checks.keys.sorted())")
        #expect(session["status"]?.stringValue == "warn")
        let detail = session["detail"]?.stringValue ?? ""
        #expect(detail.contains("state.json is not valid JSON"), "\(detail)")
        #expect(detail.contains("session sess-doctor"))
        #expect(detail.contains(String(Timestamp.now().iso8601.prefix(10))), "says when: \(detail)")
        #expect(session["fix"]?.stringValue?.contains("handoff repair") == true, "\(session)")
        #expect(found.checks["hook-errors:Stop"]?["status"]?.stringValue == "warn")
        #expect(found.checks["hook-errors:pre-push"] == nil, "errors older than the window are not reported")
        #expect(found.checks["hook-errors"] == nil)
        #expect(found.text.contains("warn hook-errors:session: the session hook failed once"), "\(found.text)")
        #expect(found.text.contains("fix: cd '\(repo.path)' && handoff repair"), "\(found.text)")
        #expect(found.text.contains(#"\e[2Jboom"#))
        #expect(!found.text.contains("\u{1B}"), "recorded messages reach the terminal escaped")
    }

    /// Each shape that sends the hooks to `git status` is named with its fix, and the fix works:
    /// after it, libgit2 reads the repository again.
    @Test func aShapeThatForcesTheSlowPathIsNamedWithAFixThatWorks() throws {
        let sandbox = try Sandbox("doctor-shapes")
        let repo = try sandbox.repository()
        try repo.write("inside/d.txt", "d\n")
        try repo.write("outside/e.txt", "e\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "folders")
        #expect(try repo.handoff("init").status == 0)
        func gitPath() throws -> JSONValue { try #require(try Self.doctor(repo).checks["git-path"]) }
        let plain = try gitPath()
        #expect(plain["status"]?.stringValue == "pass", "\(plain)")

        try repo.git("config", "core.splitIndex", "true")
        try repo.git("update-index", "--split-index")
        let split = try gitPath()
        #expect(split["status"]?.stringValue == "warn")
        #expect(split["detail"]?.stringValue?.contains("split index") == true, "\(split)")
        let splitFix = try #require(split["fix"]?.stringValue)
        #expect(try repo.run("/bin/sh", ["-c", splitFix]).status == 0, "\(splitFix)")
        let fixed = try gitPath()
        #expect(fixed["status"]?.stringValue == "pass", "after `\(splitFix)`: \(fixed)")

        try repo.git("sparse-checkout", "set", "--cone", "--sparse-index", "inside")
        let sparse = try gitPath()
        #expect(sparse["status"]?.stringValue == "warn")
        #expect(sparse["detail"]?.stringValue?.contains("sparse index") == true, "\(sparse)")
        let sparseFix = try #require(sparse["fix"]?.stringValue)
        let applied = try repo.run("/bin/sh", ["-c", sparseFix])
        #expect(applied.status == 0, "\(sparseFix): \(applied.stderr)")
        // A full index with a sparse checkout: git still has to answer, and the doctor says why.
        let checkout = try gitPath()
        #expect(checkout["status"]?.stringValue == "warn")
        #expect(checkout["detail"]?.stringValue?.contains("sparse checkout") == true, "\(checkout)")
        #expect(checkout["fix"]?.stringValue?.hasPrefix("nothing to change") == true)
        #expect(try repo.git("status", "--porcelain").isEmpty, "the fixes kept the work tree as it was")
    }

    @Test func aSha256RepositoryIsNamedAndARepositoryNobodyCanReadFails() throws {
        let sandbox = try Sandbox("doctor-sha")
        let repo = TestRepository(path: sandbox.path("repo"), sandbox: sandbox)
        try FileManager.default.createDirectory(atPath: repo.path, withIntermediateDirectories: true)
        try repo.git("init", "-q", "--object-format=sha256", "-b", "main")
        try repo.commit("a.txt", "a\n", message: "first")
        let sha = try #require(try Self.doctor(repo).checks["git-path"])
        #expect(sha["status"]?.stringValue == "warn")
        #expect(sha["detail"]?.stringValue?.contains("sha256") == true, "\(sha)")

        // libgit2 cannot open it and git is not on PATH: the facts are unknown, a fault.
        let unreadable = try #require(try Self.doctor(repo, environment: ["PATH": "/nonexistent"]).checks["git-path"])
        #expect(unreadable["status"]?.stringValue == "fail", "\(unreadable)")
        #expect(unreadable["detail"]?.stringValue?.contains("neither libgit2 nor git") == true)
    }
}
