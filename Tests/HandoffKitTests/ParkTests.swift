import Foundation
import Testing

@testable import HandoffKit

/// Park, don't loop: a session whose push failed hands over what it can, naming a blocker, at its
/// first stop; what the agent can fix itself is still refused. Through the real hooks.
@Suite("Agent hooks: park, don't loop")
struct ParkTests {
    let session = "sess-park"

    /// A commit the session made, not pushed; `pushFailed`: the session tried `git push` and it failed.
    func repoWithUnpushedWork(pushFailed: Bool) throws -> (AgentRepo, HandoffTask) {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("parser.swift", "let parser = 1\n", message: "Add the parser")
        if pushFailed { repo.bash(session, "git push origin main", exitCode: 128) }
        let blocker = try TaskStore(store: repo.store).add(TaskDraft(title: "push the parser commit once the remote is back", labels: [HandoffTask.Label.blocker]))
        return (repo, blocker)
    }

    @Test func aFailedPushParksAtTheFirstStopAndTheNextBriefOpensWithIt() throws {
        let (repo, blocker) = try repoWithUnpushedWork(pushFailed: true)
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "\(blocker.id) push when the remote answers")))
        #expect(answer == .allow, "parked at the first stop, no block: \(answer)")
        #expect(repo.events(EventType.stopBlocked).isEmpty)
        let parked = try #require(repo.events(EventType.gateParked).first)
        #expect(parked["why"]?.stringValue == "push the 1 commit on main: the last attempt failed: something failed")
        #expect(repo.events(EventType.handover).last?["parked"]?.stringValue == parked["why"]?.stringValue)

        let output = repo.sessionStart("sess-next")
        let brief = try #require(try JSONValue.parse(output.standardOutput)["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        let lines = brief.split(separator: "\n").map(String.init)
        #expect(lines.count > 2 && lines[1].hasPrefix("Parked: push the 1 commit on main: the last attempt failed: something failed"), "\(brief)")
        #expect(brief.contains("\(blocker.id) [next]"), "\(brief)")
    }

    @Test func aPushNeverTriedIsStillRefused() throws {
        let (repo, blocker) = try repoWithUnpushedWork(pushFailed: false)
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "\(blocker.id) push later")))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 unpushed commit on main"))
        #expect(repo.events(EventType.gateParked).isEmpty)
    }

    @Test func uncommittedFilesAreStillRefusedAfterAFailedPush() throws {
        let (repo, blocker) = try repoWithUnpushedWork(pushFailed: true)
        try repo.write("parser.swift", "let parser = 2\n")
        let answer = GateAnswer(repo.stop(session, message: reflection(outcome: "failure", next: "\(blocker.id) push later")))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("uncommitted"))
        #expect(repo.events(EventType.gateParked).isEmpty)
    }

    @Test func afterAFailedPushTheBlockSaysHowToParkAndASuccessDoesNotPark() throws {
        let (repo, _) = try repoWithUnpushedWork(pushFailed: true)
        let first = GateAnswer(repo.stop(session, message: "Done."))
        #expect(first.isBlock)
        #expect(first.reason.contains("park instead"), "\(first.reason)")
        #expect(first.reason.contains("--blocker"))
        let success = GateAnswer(repo.stop(session, message: validReflection, active: true))
        #expect(success.isBlock, "a success claims the work is handed over: \(success)")
        #expect(repo.events(EventType.gateParked).isEmpty)
    }
}
