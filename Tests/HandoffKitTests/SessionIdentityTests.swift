import Foundation
import Testing

@testable import HandoffKit

/// One answer to "which session is this", whoever asks (issue #12: three orders credited three sessions).
@Suite("Session identity: one resolver")
struct SessionIdentityTests {
    let both = Environment(["HANDOFF_SESSION_ID": "outer-session", "CLAUDE_CODE_SESSION_ID": "agent-session"])

    @Test func everyConsumerCreditsTheSameSessionWhenBothVariablesAreSet() throws {
        let repo = try AgentRepo()
        try repo.store.initialise(hostname: "h")
        // An agent hook whose payload names no session, a git hook, `handoff end`, a task's origin.
        let agentHook = ClaudeHookInput.parse(Array("{}".utf8)).sessionID(environment: both)
        let gitHook = GitHookContext.activeSession(environment: both, store: repo.store)?.id
        let end = HandoffEnd.resolveSession(explicit: nil, environment: both, now: .now())
        let task = SessionIdentity.origin(environment: both).session
        #expect(agentHook == "agent-session")
        #expect(gitHook == "agent-session")
        #expect(end == "agent-session")
        #expect(task == "agent-session")
    }

    @Test func precedenceIsExplicitThenAgentThenHandoffThenLegacy() {
        #expect(SessionIdentity.resolve(explicit: "explicit", environment: both) == "explicit")
        #expect(SessionIdentity.resolve(explicit: "../bad", environment: both) == "agent-session", "an unsafe id is skipped")
        #expect(SessionIdentity.resolve(explicit: nil, environment: Environment(["HANDOFF_SESSION_ID": "h", "CLAUDE_SESSION_ID": "legacy"])) == "h")
        #expect(SessionIdentity.resolve(explicit: nil, environment: Environment(["CLAUDE_SESSION_ID": "legacy"])) == "legacy")
        #expect(SessionIdentity.resolve(explicit: nil, environment: Environment([:])) == nil)
    }

    /// The built CLI and the real post-commit hook, with both variables set, credit the agent's session.
    @Test func handoffEndAndPostCommitAgree() throws {
        let sandbox = try Sandbox("identity")
        let repo = try sandbox.repository()
        _ = try repo.handoff("install", "--git")
        let environment = ["HANDOFF_SESSION_ID": "outer-session", "CLAUDE_CODE_SESSION_ID": "agent-session"]
        try repo.write("a.txt", "a\n")
        _ = try repo.run("/usr/bin/env", ["git", "add", "a.txt"], environment: environment)
        let commit = try repo.run("/usr/bin/env", ["git", "commit", "-qm", "a"], environment: environment)
        #expect(commit.status == 0, "\(commit.stderr)")
        let commits = repo.store.events.readAll().events.filter { $0.type == EventType.commit }
        #expect(commits.last?.session == "agent-session")
        let judgement = #"{"severity": "READY", "resume": {"next": "README.md:1 document it", "files": [], "context": ""}, "watch_out_for": ["x"]}"#
        let end = try repo.handoff("end", "--skip-checks", stdin: judgement, environment: environment)
        #expect(end.status == 0, "\(end.stdout)\(end.stderr)")
        let ends = repo.store.events.readAll().events.filter { $0.type == EventType.handoffEnd }
        #expect(ends.last?.session == "agent-session", "\(end.stdout)\(end.stderr)")
    }
}
