import Foundation
import Testing

@testable import HandoffKit

/// What the next session receives tells one story: one Next line from the newest handover, the open
/// tasks with the named one first, nothing an older handover said that a newer one replaced, no fact
/// twice; and a `handoff end` run from a shell is its own session. Through the real hooks and the
/// built `handoff`.
@Suite("One story for the next session")
struct OneStoryTests {
    func handoff(_ repo: AgentRepo, _ sandbox: Sandbox, _ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.root, stdin: stdin.map { Data($0.utf8) },
                   environment: sandbox.environment)
    }

    func briefText(_ output: HookOutput) throws -> String {
        let parsed = try JSONValue.parse(output.standardOutput)
        return try #require(parsed["hookSpecificOutput"]?["additionalContext"]?.stringValue)
    }

    func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// The three sessions: s1 hands over with `handoff end --next`, s2 does that work, files a
    /// follow-up and hands over with a partial reflection naming it; s3 is told exactly that.
    @Test func theThirdSessionIsToldOneNextStepTheRightOne() throws {
        let sandbox = try Sandbox("story")
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        for (key, value) in [("handoff.check.build", "none"), ("handoff.check.tests", "none"), ("handoff.check.lint", "none")] {
            try repo.git("config", key, value)
        }
        try repo.commitFile("src/calc.py", "def add(a, b):\n    return a + b\n", message: "add")
        try repo.git("push", "-q")
        #expect(try handoff(repo, sandbox, ["init"]).status == 0)
        let s1 = try handoff(repo, sandbox, ["end", "--session", "s1", "--severity", "IN_PROGRESS", "--next", "src/calc.py:2 implement sub(a, b)",
                                               "--watch", "calc.py is imported by the CLI", "--done", "add() | HEAD"])
        #expect(s1.status == 0, "\(s1.stderr)")
        let resumeTask = try #require(TaskStore(store: repo.store).list().open.first { $0.hasLabel(HandoffTask.Label.resume) })

        let s2Brief = try briefText(repo.sessionStart("s2"))
        #expect(lines(s2Brief, "Next") == ["Next (handoff end of session s1): \(resumeTask.id) src/calc.py:2 implement sub(a, b)"], "\(s2Brief)")
        #expect(s2Brief.components(separatedBy: "implement sub(a, b)").count == 2, "the resume point once: \(s2Brief)")
        try repo.commitFile("src/calc.py", "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n", message: "sub")
        try repo.git("push", "-q")
        let follow = try TaskStore(store: repo.store).add(TaskDraft(title: "add tests for sub"))
        try MemoryStore(store: repo.store).remember("calc.py is imported by the CLI", tags: [], session: "s2")
        let s2Reflection = """
            ## Framework Reflection
            **Outcome**: partial
            **Accomplishments**: implemented sub(a, b) in src/calc.py, committed and pushed
            **Friction points**: none
            **Next step**: \(follow.id) add tests for sub
            """
        #expect(GateAnswer(repo.stop("s2", message: s2Reflection)) == .allow)

        let brief = try briefText(repo.sessionStart("s3"))
        let next = lines(brief, "Next")
        #expect(next.count == 1, "exactly one Next line: \(brief)")
        #expect(next.first?.contains("\(follow.id) add tests for sub") == true, "\(brief)")
        #expect(!brief.contains("implement sub"), "the done resume pointer of s1 is not offered again: \(brief)")
        #expect(!brief.contains(resumeTask.id), "s1's resume task was superseded by s2's handover: \(brief)")
        #expect(TaskStore(store: repo.store).list().task(resumeTask.id)?.isOpen == false)
        let tasks = try #require(lines(brief, "Open tasks").first)
        #expect(tasks.hasPrefix("Open tasks (1): \(follow.id)"), "the named task first: \(brief)")
        #expect(brief.components(separatedBy: "calc.py is imported by the CLI").count == 2, "a fact once: \(brief)")
        #expect(brief.components(separatedBy: "add tests for sub").count == 2, "the next step once: \(brief)")

        // `handoff brief` is the same text, `handoff show` the same Next.
        let printed = try handoff(repo, sandbox, ["brief"])
        #expect(lines(printed.stdout, "Next") == next)
        let shown = try handoff(repo, sandbox, ["show"])
        #expect(shown.stdout.contains("\(follow.id) add tests for sub"), "\(shown.stdout)")
        #expect(!shown.stdout.contains("implement sub"), "\(shown.stdout)")

        // Naming the superseded resume task again reopens it.
        repo.sessionStart("s4")
        try repo.commitFile("src/calc.py", "def sub(a, b):\n    return a - b\n", message: "trim")
        try repo.git("push", "-q")
        #expect(GateAnswer(repo.stop("s4", message: reflection(outcome: "partial", next: "\(resumeTask.id) and \(follow.id)"))) == .allow)
        #expect(TaskStore(store: repo.store).list().task(resumeTask.id)?.isOpen == true)
    }

    /// Two `handoff end` runs from a shell are two sessions; the second does not show the first's failure.
    @Test func eachShellHandoffEndIsItsOwnSession() throws {
        let sandbox = try Sandbox("shell-end")
        let repo = try AgentRepo()
        for (key, value) in [("handoff.check.build", "none"), ("handoff.check.tests", "none"), ("handoff.check.lint", "none")] {
            try repo.git("config", key, value)
        }
        repo.sessionStart("init-session")
        let first = try handoff(repo, sandbox, ["end", "--severity", "IN_PROGRESS", "--failed", "the parser | swift test | exit 1 | no guard | a guard",
                                                  "--next", "README.md:1 fix the parser"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try handoff(repo, sandbox, ["end", "--severity", "READY", "--next", "README.md:1 release it"])
        #expect(second.status == 0, "\(second.stderr)")
        let ends = repo.events(EventType.handoffEnd)
        #expect(ends.count == 2)
        #expect(Set(ends.compactMap(\.session)).count == 2, "two runs, two sessions: \(ends.map(\.session))")
        let state = try repo.state()
        #expect(state.failed.isEmpty, "the second handover does not carry the first's failure")
        let log = try handoff(repo, sandbox, ["log"])
        for id in ends.compactMap(\.session) { #expect(log.stdout.contains(id), "whole ids in the log: \(log.stdout)") }
        // `--session` continues one; a second run replaces what it is given.
        let third = try handoff(repo, sandbox, ["end", "--session", try #require(ends.last?.session), "--severity", "IN_PROGRESS", "--next", "README.md:1 tag it"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(Set(repo.events(EventType.handoffEnd).compactMap(\.session)).count == 2)
        let open = TaskStore(store: repo.store).list().open.filter { $0.hasLabel(HandoffTask.Label.resume) }
        #expect(open.count == 1, "one resume task: \(open.map(\.title))")
        #expect(open.first?.title.contains("tag it") == true)
    }
}
