import Foundation
import Testing

@testable import HandoffKit

/// Work the session did that is neither uncommitted nor unpushed on the current branch: a stash it
/// made, commits on another local branch that no remote has, commits in a shallow clone. Each counts
/// as work not handed over: the gate blocks naming it with the fix, and `handoff status` shows it.
@Suite("Stop gate: work the current branch does not show")
struct HiddenWorkTests {
    let session = "sess-hidden"

    func status(_ repo: AgentRepo) throws -> StatusReport {
        StatusReport.gather(store: repo.store, repository: try GitRepository.open(at: repo.root, environment: Environment([:])),
                            recentEvents: 0)
    }

    func text(_ report: StatusReport) -> String { report.text(paint: { text, _ in text }) }

    /// The session changes a tracked file from its shell (no edit hook sees it) and stashes it.
    @Test("a stash made during the session blocks, naming it and the fix; an older stash does not")
    func stashMadeDuringTheSession() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        try repo.write("README.md", "an edit stashed before the session\n")
        try repo.git("stash", "-q")
        repo.sessionStart(session)
        #expect(GateAnswer(repo.stop(session, message: "Just looking.")) == .allow, "the old stash is not this session's")

        try repo.write("README.md", "the session's edit\n")
        try repo.git("stash", "-q")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 stash made this session (stash@{0}: WIP on main"), "\(answer.reason)")
        #expect(answer.reason.contains("`git stash pop`"), "\(answer.reason)")
        #expect(!answer.reason.contains("pushed ✓"), "\(answer.reason)")
        let report = try status(repo)
        #expect(report.hidden?.stashes.map(\.name) == ["stash@{0}"])
        #expect(text(report).contains("Elsewhere:   1 stash made this session"), "\(text(report))")
        #expect(!report.handoverComplete)

        // Popped and committed and pushed: handed over.
        try repo.git("stash", "pop", "-q")
        try repo.git("commit", "-qam", "The session's edit")
        try repo.git("push", "-q")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
    }

    @Test("git stash -u of a new file blocks")
    func stashWithUntracked() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.write("new.swift", "let new = 1\n")
        try repo.git("stash", "-q", "-u")
        #expect(try repo.git("status", "--porcelain").isEmpty, "the tree looks clean")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 stash made this session"), "\(answer.reason)")
    }

    /// `git stash --all` also takes `.handoff/` (it ignores itself): the runtime record with the
    /// baseline goes with it, and the stash that holds the store is the session's by what it holds.
    @Test("git stash --all, which takes the store with it, blocks")
    func stashAll() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        try repo.write("README.md", "an edit stashed before the session\n")
        try repo.git("stash", "-q")
        repo.sessionStart(session)
        try repo.write("new.swift", "let new = 1\n")
        try repo.git("stash", "-q", "--all")
        #expect(!repo.store.exists, "the store went into the stash")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 stash made this session (stash@{0}"), "only the stash holding the store: \(answer.reason)")
    }

    @Test("unpushed commits on another local branch block, naming the branch and the push; older ones do not")
    func otherBranch() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        try repo.git("switch", "-q", "-c", "old-local")
        try repo.commitFile("old.txt", "old\n", message: "Old local work")
        try repo.git("switch", "-q", "main")
        repo.sessionStart(session)

        try repo.git("switch", "-q", "-c", "topic")
        try repo.commitFile("topic.txt", "topic\n", message: "Topic work")
        try repo.commitFile("topic2.txt", "topic\n", message: "More topic work")
        try repo.git("switch", "-q", "main")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("2 unpushed commits on another branch (2 on topic)"), "\(answer.reason)")
        #expect(answer.reason.contains("`git push -u origin topic`"), "\(answer.reason)")
        #expect(!answer.reason.contains("old-local"), "not this session's: \(answer.reason)")
        let report = try status(repo)
        #expect(report.hidden?.branches == [HiddenWork.BranchWork(branch: "topic", unpushed: 2)])
        #expect(text(report).contains("2 unpushed commits on another branch (2 on topic)"), "\(text(report))")

        try repo.git("push", "-q", "-u", "origin", "topic")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
    }

    @Test("a branch the session started on and left with new commits counts too")
    func startBranchLeftBehind() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("main.txt", "main\n", message: "Work on main")
        try repo.git("switch", "-q", "-c", "next", "origin/main")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 unpushed commit on another branch (1 on main)"), "\(answer.reason)")
    }

    @Test("a branch checked out in another worktree is that worktree's work, not this session's")
    func branchOfAnotherWorktree() throws {
        let repo = try AgentRepo(linkedWorktree: true)
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.write("x.txt", "x\n")
        try repo.git("-C", repo.root + "-main", "commit", "-q", "--allow-empty", "-m", "Work in the other worktree")
        try repo.git("switch", "-q", "-c", "topic")
        try repo.commitFile("topic.txt", "topic\n", message: "Topic work")
        try repo.git("switch", "-q", "main")
        try FileManager.default.removeItem(atPath: repo.root + "/x.txt")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("1 unpushed commit on another branch (1 on topic)"), "\(answer.reason)")
        #expect(!answer.reason.contains("trunk"), "\(answer.reason)")
    }

    @Test("without a recorded baseline, commits and stashes made since the session started still count")
    func withoutBaseline() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        try repo.git("switch", "-q", "-c", "old-local")
        try repo.commitFile("old.txt", "old\n", message: "Old local work")
        try repo.git("switch", "-q", "main")
        repo.sessionStart(session)
        try repo.store.updateRuntime(session: session, create: { nil }) { $0.refsAtStart = nil }
        try repo.git("switch", "-q", "-c", "topic")
        try repo.commitFile("topic.txt", "topic\n", message: "Topic work")
        try repo.git("switch", "-q", "main")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("1 unpushed commit on another branch (1 on topic)"), "\(answer.reason)")
    }

    /// libgit2 1.5 knows nothing of shallow clones: its walk fails at the boundary, which used to
    /// read as "0 unpushed". git counts instead.
    @Test("unpushed commits in a shallow clone count, with and without an upstream")
    func shallowClone() throws {
        let repo = try AgentRepo()
        try repo.commitFile("a.txt", "a\n")
        try repo.commitFile("b.txt", "b\n")
        let remote = repo.root + "-remote.git"
        try AgentRepo.run(["git", "clone", "-q", "--bare", repo.root, remote], in: "/")
        let shallow = try AgentRepo(commit: false)
        try FileManager.default.removeItem(atPath: shallow.root)
        try AgentRepo.run(["git", "clone", "-q", "--depth", "1", "file://" + remote, shallow.root], in: "/")
        for (key, value) in [("user.email", "test@example.invalid"), ("user.name", "Test"), ("handoff.enabled", "true")] {
            try shallow.git("config", key, value)
        }
        #expect(FileManager.default.fileExists(atPath: shallow.root + "/.git/shallow"))
        shallow.sessionStart(session)
        try shallow.commitFile("mine.txt", "mine\n", message: "Add mine")
        var answer = GateAnswer(shallow.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("1 unpushed commit on main"), "\(answer.reason)")

        try shallow.git("switch", "-q", "-c", "feature")
        try shallow.commitFile("feature.txt", "feature\n", message: "Add the feature")
        answer = GateAnswer(shallow.stop(session, message: validReflection))
        #expect(answer.isBlock, "\(answer)")
        #expect(answer.reason.contains("2 unpushed commits on feature"), "\(answer.reason)")
        #expect(answer.reason.contains("1 unpushed commit on another branch (1 on main)"), "\(answer.reason)")
        let report = try status(shallow)
        #expect(text(report).contains("Unpushed:    2 commits on no remote (no upstream)"), "\(text(report))")
    }
}
