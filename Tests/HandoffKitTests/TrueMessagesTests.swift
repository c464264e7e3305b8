import Foundation
import Testing

@testable import HandoffKit

/// What handoff records and says is true: the agent that ran, whole task ids in plain English, the
/// nearest command for a typo, and no gate evidence that can vanish silently.
@Suite("True messages and facts")
struct TrueMessagesTests {
    /// A Codex session's reflection, shared: the origin names Codex, the agent whose hook ran.
    @Test func aCodexSessionsHandoverIsRecordedAsCodex() throws {
        let sandbox = try Sandbox("codex-agent")
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        let share = try launch(try BuiltProducts.path("handoff"), ["share", "on"], directory: repo.root, environment: sandbox.environment)
        #expect(share.status == 0, "\(share.stderr)")
        func codexInput(_ pairs: [(String, JSONValue)]) -> HookInput {
            let bytes = Array(AgentRepo.payload(pairs).utf8)
            let now = repo.nextNow()
            // No CLAUDE_PROJECT_DIR or CLAUDECODE: nothing in the environment says which agent runs.
            return HookInput(arguments: ["--agent", "codex"], environment: Environment(["PATH": "/usr/bin:/bin", "HOME": sandbox.home]),
                             workingDirectory: repo.root, standardInput: { bytes }, now: { now })
        }
        let session = "019a-codex-session"
        _ = SessionHook.run(codexInput([("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "SessionStart"),
                                        ("source", "startup"), ("turn_id", "t1"), ("model", "gpt-5")]))
        try repo.commitFile("a.txt", "a\n")
        try repo.git("push", "-q")
        let answer = GateAnswer(StopGate.run(codexInput([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "Stop"), ("turn_id", "t2"),
            ("stop_hook_active", false), ("last_assistant_message", .string(validReflection)),
        ])))
        #expect(answer == .allow, "\(answer)")
        let origin = try JSONValue.parse(try repo.git("show", "refs/handoff/main:origin.json"))
        #expect(origin["agent"]?.stringValue == "codex", "\(origin.compactText)")
    }

    @Test func unknownTaskIdsAreNamedWholeInASentence() throws {
        let repo = try AgentRepo()
        repo.sessionStart("s-ids")
        try repo.commitFile("a.swift", "let a = 1\n")
        _ = try TaskStore(store: repo.store).add(TaskDraft(title: "Real one"))
        let one = GateAnswer(repo.stop("s-ids", message: reflection(outcome: "partial", next: "ho-parser-tests then more")))
        #expect(one.reason.contains("names a task that does not exist: ho-parser-tests."), "\(one.reason)")
        let three = GateAnswer(repo.stop("s-ids", message: reflection(outcome: "partial", next: "HO-ABC, ho-def_ghi and ho-xyz"), active: true))
        #expect(three.reason.contains("names tasks that do not exist: ho-abc, ho-def_ghi and ho-xyz."), "\(three.reason)")
    }

    @Test func aMistypedSubcommandGetsTheNearestOne() throws {
        let sandbox = try Sandbox("typo")
        let handoff = try BuiltProducts.path("handoff")
        let top = try launch(handoff, ["stauts"], directory: sandbox.root, environment: sandbox.environment)
        #expect(top.status == 64)
        #expect(top.stderr.contains("Did you mean `handoff status`?"), "\(top.stderr)")
        let nested = try launch(handoff, ["task", "lst"], directory: sandbox.root, environment: sandbox.environment)
        #expect(nested.status == 64)
        #expect(nested.stderr.contains("Did you mean `handoff task list`?"), "\(nested.stderr)")
        let far = try launch(handoff, ["zzzzzzzz"], directory: sandbox.root, environment: sandbox.environment)
        #expect(far.status == 64)
        #expect(far.stderr.contains("unknown command \"zzzzzzzz\"") && !far.stderr.contains("Did you mean"), "\(far.stderr)")
        // A valid command still runs (outside a repository: 3).
        #expect(try launch(handoff, ["status"], directory: sandbox.root, environment: sandbox.environment).status == 3)
    }

    /// The check results of `handoff end` are the gate's evidence: one that cannot be recorded stops
    /// the handover, and state.json stays as it was.
    @Test func aCheckResultThatCannotBeRecordedStopsTheHandover() throws {
        let sandbox = try Sandbox("evidence")
        let repo = try AgentRepo()
        try repo.git("config", "handoff.check.build", "true")
        repo.sessionStart("s-evidence")
        let before = try String(contentsOfFile: repo.store.layout.stateFile, encoding: .utf8)
        // The event log is a folder: nothing can be appended to it.
        let log = repo.store.layout.eventsFile
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
        let end = try launch(try BuiltProducts.path("handoff"), ["end", "--session", "s-evidence", "--severity", "READY", "--next", "README.md:1 ship"],
                             directory: repo.root, environment: sandbox.environment)
        #expect(end.status != 0, "\(end.stdout)")
        #expect(try String(contentsOfFile: repo.store.layout.stateFile, encoding: .utf8) == before, "nothing written")
    }

    /// A handover whose HEAD could not be read (neither libgit2 nor git, as `handoff end` records it
    /// then) still re-arms the gate when a commit follows it.
    @Test func anUnknownHeadAtTheHandoverKeepsTheGateArmed() throws {
        let repo = try AgentRepo()
        repo.sessionStart("s-head")
        try repo.commitFile("a.swift", "let a = 1\n")
        #expect(GateAnswer(repo.stop("s-head", message: validReflection)) == .allow)
        try repo.store.updateRuntime(session: "s-head", create: { nil }) { $0.handoverHead = nil }
        #expect(GateAnswer(repo.stop("s-head", message: "Nothing new.", active: false)) == .allow, "no commit since: the handover stands")
        try repo.commitFile("b.swift", "let b = 1\n")
        let answer = GateAnswer(repo.stop("s-head", message: "Done again."))
        #expect(answer.isBlock, "a commit after a handover of unknown HEAD is work to hand over: \(answer)")
        #expect(answer.reason.contains("work was done after the last handover"), "\(answer.reason)")
    }

    /// In a sha256 repository (libgit2 1.5 cannot open it) `handoff init` opts in through git, so the
    /// agent hooks act there.
    @Test func initOptsASha256RepositoryInThroughGit() throws {
        let sandbox = try Sandbox("sha256-init")
        let repo = try AgentRepo(initArguments: ["--object-format=sha256"], optIn: false)
        let result = try launch(try BuiltProducts.path("handoff"), ["init"], directory: repo.root, environment: sandbox.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try repo.git("config", "--local", "handoff.enabled").trimmingCharacters(in: .whitespacesAndNewlines) == "true", "\(result.stdout)")
        #expect(result.stdout.contains("Opted in"), "\(result.stdout)")
    }
}
