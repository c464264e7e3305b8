import Foundation
import Testing

@testable import HandoffKit

/// The stop gate's follow-up rule, through the real Stop hook on a real repository.
@Suite("Agent hooks: follow-up tasks")
struct FollowUpGateTests {
    let session = "sess-follow-1"

    func repoWithWork() throws -> (AgentRepo, TaskStore) {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("parser.swift", "let parser = 1\n", message: "Add the parser")
        return (repo, TaskStore(store: repo.store))
    }

    @Test func aPartialOutcomeNamingAnOpenTaskIsAccepted() throws {
        let (repo, tasks) = try repoWithWork()
        let task = try tasks.add(TaskDraft(title: "Handle the empty input"))
        #expect(GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "\(task.id) handle the empty input"))) == .allow)
        #expect(repo.events(EventType.handover).count == 1)
    }

    @Test func aPartialOutcomeWithoutATaskIsBlockedWithTheCommandToCreateOne() throws {
        let (repo, tasks) = try repoWithWork()
        let open = try tasks.add(TaskDraft(title: "Existing follow-up"))
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "failure", next: "keep working on the parser")))
        guard case .block(let reason) = answer else { Issue.record("expected a block, got \(answer)"); return }
        #expect(reason.contains(#"handoff task add "what is left to do""#))
        #expect(reason.contains(open.id), "the open tasks are listed")
        #expect(repo.events(EventType.handover).isEmpty)
    }

    @Test func anUnknownIdIsRefusedWithTheListOfOpenTasksWhateverTheOutcome() throws {
        let (repo, tasks) = try repoWithWork()
        let open = try tasks.add(TaskDraft(title: "Real follow-up"))
        let done = try tasks.add(TaskDraft(title: "Finished one"))
        try tasks.update(done.id) { $0.status = .done }
        for outcome in ["partial", "success"] {
            let answer = GateAnswer(repo.stop(session, message: reflection(outcome: outcome, next: "ho-doesnotexist123 and \(open.id)")))
            guard case .block(let reason) = answer else { Issue.record("\(outcome): expected a block, got \(answer)"); continue }
            #expect(reason.contains("ho-doesnotexist123"))
            #expect(reason.contains("\(open.id) \"Real follow-up\""))
            #expect(!reason.contains(done.id), "done tasks are not offered")
        }
    }

    @Test func anExternalIdMatchingTheConfiguredPatternCounts() throws {
        let repo = try AgentRepo()
        try repo.git("config", "handoff.tasks.external", "JIRA-[0-9]+")
        repo.sessionStart(session)
        try repo.commitFile("parser.swift", "let parser = 1\n", message: "Add the parser")
        let blocked = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "aops-doesnotexist123")))
        #expect(blocked.isBlock)
        #expect(blocked.reason.contains("JIRA-[0-9]+"))
        #expect(GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "JIRA-4211 finish the parser"), active: true)) == .allow)
    }

    @Test func aSuccessMaySayNoneAndAPartialNamingOnlyDoneTasksIsRefused() throws {
        let (repo, tasks) = try repoWithWork()
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
        try repo.commitFile("parser.swift", "let parser = 2\n", message: "More parser")
        let done = try tasks.add(TaskDraft(title: "Already finished"))
        try tasks.update(done.id) { $0.status = .done }
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: done.id)))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("only done tasks"))
    }

    @Test func theRuleAsAFunction() {
        let now = Timestamp(milliseconds: 1_000)
        let task = HandoffTask(id: "ho-aaaaaaaaaa", title: "t", createdAt: now)
        let listing = TaskStore.Listing(tasks: [task], damaged: [])
        func judge(_ outcome: Reflection.Outcome, _ next: String, pattern: String? = nil) -> FollowUpCheck.Verdict {
            FollowUpCheck.judge(Reflection(outcome: outcome, accomplishments: "a", frictionPoints: "f", nextStep: next, text: ""),
                                .init(listing: listing, externalPattern: pattern))
        }
        #expect(judge(.success, "none") == .accepted)
        #expect(judge(.partial, "ho-aaaaaaaaaa") == .accepted)
        #expect(judge(.partial, "HO-AAAAAAAAAA, next") == .accepted)
        #expect(judge(.failure, "keep working") != .accepted)
        #expect(judge(.failure, "GH-12", pattern: "GH-[0-9]+") == .accepted)
        #expect(judge(.failure, "GH-12", pattern: "([") != .accepted, "a pattern that does not compile matches nothing")
        #expect(judge(.failure, "GH-12", pattern: "(GH)-\\1") != .accepted, "a pattern outside the safe subset matches nothing")
        if case .refused(let reason) = judge(.failure, "GH-12", pattern: "(?=GH)") { #expect(reason.contains("handoff doctor")) }
        #expect(FollowUpCheck.judge(Reflection(outcome: .partial, accomplishments: "a", frictionPoints: "f", nextStep: "x", text: ""),
                                    .init(listing: nil)) == .accepted, "tasks that cannot be read never wedge the gate")
    }

    @Test("the tracker pattern is frozen at session start: `git config handoff.tasks.external '.*'` mid-session passes nothing, and is recorded")
    func trackerPatternFrozen() throws {
        let (repo, _) = try repoWithWork()
        // The session being judged widens what counts as a follow-up. Before: "keep going" then passed.
        try repo.git("config", "handoff.tasks.external", ".*")
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "keep going")))
        #expect(answer.isBlock, "a pattern set by the session it judges was applied to it")
        let ignored = try #require(repo.events(EventType.gateConfigIgnored).last, "the change was not recorded")
        #expect(ignored["keys"]?.arrayValue?.contains("handoff.tasks.external") == true)
        #expect(ignored["new_values"]?["handoff.tasks.external"]?.stringValue == ".*")
        // The next session takes it.
        repo.sessionStart("sess-follow-2")
        try repo.commitFile("parser.swift", "let parser = 3\n", message: "More parser")
        #expect(GateAnswer(repo.stop("sess-follow-2", message: reflection(outcome: "partial", next: "keep going"))) == .allow)
    }

    @Test("a catastrophic tracker pattern is judged in bounded work: the stop is decided, not lost at the deadline")
    func catastrophicPattern() throws {
        let repo = try AgentRepo()
        try repo.git("config", "handoff.tasks.external", "(a+)+$")
        repo.sessionStart(session)
        try repo.commitFile("parser.swift", "let parser = 1\n", message: "Add the parser")
        // Before: Swift's backtracking Regex took time exponential in the a's, and the hook its deadline.
        let next = String(repeating: "a", count: 64) + "!"
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: next)))
        #expect(answer.isBlock, "no tracker id and no task: \(answer)")
        #expect(repo.events(EventType.hookTimeout).isEmpty)
        #expect(GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: String(repeating: "a", count: 64)), active: true)) == .allow)
    }
}
