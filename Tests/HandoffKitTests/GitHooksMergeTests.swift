import Foundation
import Testing

@testable import HandoffKit

/// The post-merge entry, driven by real `git merge` and `git pull`: git runs post-merge, not
/// post-commit, when a merge needs no conflict resolution.
@Suite("GitHooks: post-merge")
struct GitHooksMergeTests {
    /// An installed repository with a `feature` branch one commit ahead of where `main` forked, and
    /// `main` one commit ahead of the fork point, so that merging makes a real merge commit.
    func divergedRepository(_ sandbox: GitSandbox) throws -> GitTestRepo {
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("feature.txt", "f\n", message: "feature work")
        try repo.git("checkout", "-q", "main")
        try repo.commit("main.txt", "m\n", message: "main work")
        return repo
    }

    func startSession(_ id: String, in repo: GitTestRepo) throws {
        try repo.store.updateRuntime(session: id, create: { SessionRuntime(sessionID: id, startedAt: .now(), hostname: "test") }) { _ in }
        try repo.store.updateState { $0.sessionID = id }
    }

    @Test func cleanNoFastForwardMergeIsRecordedOnceWithTwoParents() throws {
        let sandbox = try GitSandbox("merge-noff")
        let repo = try divergedRepository(sandbox)
        try startSession("sess-merge", in: repo)
        let before = repo.events(EventType.commit).count
        try repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
        let head = try repo.git("rev-parse", "HEAD")
        #expect(try repo.git("rev-list", "--parents", "-1", "HEAD").split(separator: " ").count == 3, "git made a merge commit")

        var commits = repo.events(EventType.commit)
        #expect(commits.count == before + 1)
        let event = try #require(commits.last)
        #expect(event["sha"]?.stringValue == head)
        #expect(event["parents"]?.intValue == 2)
        #expect(event["operation"]?.stringValue == "merge")
        #expect(event["subject"]?.stringValue == "Merge feature")
        #expect(event["files_changed"]?.intValue == 1, "against the first parent: only feature.txt is new")
        #expect(event.session == "sess-merge")
        #expect(try repo.store.readState().done.contains(HandoffState.DoneItem(description: "Merge feature", ref: String(head.prefix(7)))))
        #expect(repo.store.readRuntime(session: "sess-merge")?.lastWorkAt != nil)

        // git runs post-merge again (here by hand, as a hook manager replaying it would): still one record.
        let again = try GitProcess.run("/bin/sh", [try repo.hooksFolder() + "/post-merge", "0"], in: repo.path, environment: sandbox.environment)
        #expect(again.status == 0)
        #expect(again.stderr.isEmpty, "\(again.stderr)")
        commits = repo.events(EventType.commit)
        #expect(commits.filter { $0["sha"]?.stringValue == head }.count == 1)
        #expect(try repo.store.readState().done.filter { $0.ref == String(head.prefix(7)) }.count == 1)
    }

    @Test func aMergeConcludedByGitCommitIsNotRecordedAgainByPostMerge() throws {
        let sandbox = try GitSandbox("merge-concluded")
        let repo = try divergedRepository(sandbox)
        try repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
        try repo.git("commit", "-q", "--no-edit")
        let head = try repo.git("rev-parse", "HEAD")
        #expect(repo.events(EventType.commit).filter { $0["sha"]?.stringValue == head }.count == 1, "post-commit recorded it")
        // Its reflog entry is "commit (merge)", not a merge made by `git merge`: post-merge leaves it.
        _ = try GitProcess.run("/bin/sh", [try repo.hooksFolder() + "/post-merge", "0"], in: repo.path, environment: sandbox.environment).checked()
        #expect(repo.events(EventType.commit).filter { $0["sha"]?.stringValue == head }.count == 1)
    }

    @Test func fastForwardMergeIsNotRecordedAsSessionWork() throws {
        let sandbox = try GitSandbox("merge-ff")
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("feature.txt", "f\n", message: "feature work")
        try repo.git("checkout", "-q", "main")
        try startSession("sess-ff", in: repo)
        let before = repo.events(EventType.commit).count
        try repo.git("merge", "-q", "--ff-only", "feature")
        #expect(try repo.git("rev-parse", "HEAD") == (try repo.git("rev-parse", "feature")), "git fast-forwarded")
        #expect(repo.events(EventType.commit).count == before)
        #expect(try repo.store.readState().done.isEmpty)
        #expect(repo.store.readRuntime(session: "sess-ff")?.lastWorkAt == nil, "the stop gate sees no new work")
    }

    /// A colleague's repository pushed to a bare remote, and our clone of it with handoff's hooks
    /// (each repository keeps the sandbox alive).
    func colleagueAndClone(_ label: String) throws -> (colleague: GitTestRepo, mine: GitTestRepo) {
        let sandbox = try GitSandbox(label)
        let remote = try sandbox.bareRemote()
        let colleague = try sandbox.repository("colleague")
        try colleague.git("remote", "add", "origin", remote)
        try colleague.git("push", "-q", "-u", "origin", "main")
        _ = try GitProcess.run("/usr/bin/env", ["git", "clone", "-q", remote, sandbox.path("mine")], in: sandbox.root,
                               environment: sandbox.environment).checked()
        let mine = GitTestRepo(path: sandbox.path("mine"), sandbox: sandbox)
        try mine.installHooks()
        return (colleague, mine)
    }

    /// The hard case for "made by this merge": a pull that fast-forwards onto someone else's merge
    /// commit, whose first parent is our old HEAD — HEAD is a two-parent commit that moved here.
    @Test func pullThatFastForwardsOntoSomeoneElsesMergeIsNotRecorded() throws {
        let (colleague, mine) = try colleagueAndClone("merge-pull-ff")
        try startSession("sess-pull", in: mine)
        let oldHead = try mine.git("rev-parse", "HEAD")

        try colleague.git("checkout", "-q", "-b", "topic")
        try colleague.commit("topic.txt", "t\n", message: "topic work")
        try colleague.git("checkout", "-q", "main")
        try colleague.git("merge", "-q", "--no-ff", "-m", "Colleague merges topic", "topic")
        try colleague.git("push", "-q", "origin", "main")

        try mine.git("pull", "-q", "--ff-only", "origin", "main")
        let parents = try mine.git("rev-list", "--parents", "-1", "HEAD").split(separator: " ").map(String.init)
        #expect(parents.count == 3 && parents[1] == oldHead, "HEAD is the colleague's merge, first parent our old HEAD")
        #expect(mine.events(EventType.commit).isEmpty)
        #expect(try mine.store.readState().done.isEmpty)
        #expect(mine.store.readRuntime(session: "sess-pull")?.lastWorkAt == nil)
    }

    @Test func pullThatMakesAMergeCommitIsRecorded() throws {
        let (colleague, mine) = try colleagueAndClone("merge-pull")
        try colleague.commit("theirs.txt", "t\n", message: "their work")
        try colleague.git("push", "-q", "origin", "main")
        try mine.commit("ours.txt", "o\n", message: "our work")
        try mine.git("pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
        let head = try mine.git("rev-parse", "HEAD")
        let event = try #require(mine.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == head)
        #expect(event["parents"]?.intValue == 2)
        #expect(event["operation"]?.stringValue == "merge")
        #expect(mine.events(EventType.commit).count == 2, "our commit and the merge, not their commit")
    }

    @Test func squashMergeMakesNoCommitAndNoRecord() throws {
        let sandbox = try GitSandbox("merge-squash")
        let repo = try divergedRepository(sandbox)
        let before = repo.events(EventType.commit).count
        try repo.git("merge", "-q", "--squash", "feature")
        #expect(repo.events(EventType.commit).count == before)
        try repo.git("commit", "-q", "-m", "Squashed feature")
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "Squashed feature", "post-commit records the squash commit")
    }

    @Test func previousPostMergeHookStillRunsAndKeepsItsStatus() throws {
        let sandbox = try GitSandbox("merge-prev")
        let repo = try sandbox.repository("repo")
        let folder = try repo.hooksFolder()
        let marker = sandbox.path("previous-ran")
        try "#!/bin/sh\necho \"ran with $*\" >> '\(marker)'\nexit 5\n".write(toFile: folder + "/post-merge", atomically: true, encoding: .utf8)
        chmod(folder + "/post-merge", 0o755)
        let report = try repo.installHooks()
        #expect(report.actions.contains { $0.kind == .keptPrevious && $0.hook == "post-merge" })
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("feature.txt", "f\n", message: "feature work")
        try repo.git("checkout", "-q", "main")
        try repo.commit("main.txt", "m\n", message: "main work")

        let merge = try repo.gitResult(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"])
        #expect(merge.status == 0, "git ignores post-merge's status, with or without handoff")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "ran with 0\n")
        #expect(repo.events(EventType.commit).last?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        // The entry's own status is the previous hook's, exactly as without handoff.
        let direct = try GitProcess.run("/bin/sh", [folder + "/post-merge", "0"], in: repo.path, environment: sandbox.environment)
        #expect(direct.status == 5)

        _ = try GitHookInstaller(environment: Environment(sandbox.environment)).uninstall(repositoryAt: repo.path)
        #expect(try String(contentsOfFile: folder + "/post-merge", encoding: .utf8) == "#!/bin/sh\necho \"ran with $*\" >> '\(marker)'\nexit 5\n")
    }

    @Test func reflogMessagesOfGitMergeAreTold() {
        #expect(PostMergeHook.reflogSaysMergeMade("merge feature: Merge made by the 'ort' strategy."))
        #expect(PostMergeHook.reflogSaysMergeMade("pull --no-rebase origin main: Merge made by the 'recursive' strategy."))
        #expect(PostMergeHook.reflogSaysMergeMade("merge a b: Merge made by the 'octopus' strategy."))
        #expect(PostMergeHook.reflogSaysMergeMade("merge topic: In-index merge"))
        #expect(!PostMergeHook.reflogSaysMergeMade("merge feature: Fast-forward"))
        #expect(!PostMergeHook.reflogSaysMergeMade("pull --ff-only: Fast-forward"))
        #expect(!PostMergeHook.reflogSaysMergeMade("commit (merge): Merge branch 'feature'"))
    }
}
