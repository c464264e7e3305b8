import Foundation
import Testing

@testable import HandoffKit

/// The post-commit hook, driven by real `git commit`s through the installed entry.
@Suite("GitHooks: post-commit")
struct GitHooksPostCommitTests {
    /// A repository with handoff's hooks installed (which also creates `.handoff/`).
    func installedRepository(_ sandbox: GitSandbox, empty: Bool = false) throws -> GitTestRepo {
        let repo = try sandbox.repository("repo", empty: empty)
        try repo.installHooks()
        return repo
    }

    /// Makes `id` the session of state.json, with a runtime file, as the session-start hook would.
    func startSession(_ id: String, in repo: GitTestRepo, handoverDone: Bool = false) throws {
        try repo.store.updateRuntime(session: id, create: {
            SessionRuntime(sessionID: id, startedAt: .now(), hostname: "test")
        }) { runtime in
            if handoverDone {
                runtime.lastWorkAt = Timestamp(milliseconds: Timestamp.now().milliseconds - 60_000)
                runtime.handoverAt = Timestamp(milliseconds: Timestamp.now().milliseconds - 30_000)
            }
        }
        try repo.store.updateState { state in
            state.sessionID = id
            state.runtime.handoffEndCompleted = handoverDone
        }
    }

    @Test func commitEventMatchesHEADAndCountsTheDiff() throws {
        let sandbox = try GitSandbox("commit")
        let repo = try installedRepository(sandbox)
        try repo.write("README.md", "hello\nworld\nagain\n")
        try repo.write("src/a.txt", "one\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "Add a and extend README", "-m", "A body that is not the subject.")
        let head = try repo.git("rev-parse", "HEAD")

        let commits = repo.events(EventType.commit)
        #expect(commits.count == 1)
        let event = try #require(commits.last)
        #expect(event["sha"]?.stringValue == head)
        #expect(event["short"]?.stringValue == String(head.prefix(7)))
        #expect(event["subject"]?.stringValue == "Add a and extend README")
        #expect(event["branch"]?.stringValue == "main")
        #expect(event["detached"]?.boolValue == false)
        #expect(event["parents"]?.intValue == 1)
        #expect(event["files_changed"]?.intValue == 2)
        #expect(event["insertions"]?.intValue == 3)
        #expect(event["deletions"]?.intValue == 0)
        #expect(event["operation"] == nil)
        #expect(event.session == nil)
        let authorTime = try repo.git("log", "-1", "--format=%at")
        #expect(event["author_time"]?.stringValue == Timestamp(milliseconds: Int64(authorTime)! * 1000).iso8601)
    }

    /// A 60 MB commit is recorded within the hook's deadline: its lines are not counted (the event
    /// says so), the files within the budget still are, and the big blob is never loaded.
    @Test func aHugeCommitIsRecordedWithPartialStatistics() throws {
        let sandbox = try GitSandbox("huge")
        let repo = try installedRepository(sandbox)
        let line = String(repeating: "0123456789", count: 5) + "\n"
        try repo.write("huge.txt", String(repeating: line, count: 60 * 1024 * 1024 / line.utf8.count))
        try repo.write("small.txt", "one\ntwo\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "Add a 60 MB fixture")
        let event = try #require(repo.events(EventType.commit).last, "no commit event for the 60 MB commit")
        #expect(event["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        #expect(event["files_changed"]?.intValue == 2)
        #expect(event["insertions"]?.intValue == 2)
        #expect(event["stats_partial"]?.boolValue == true)
        #expect(event["files_not_counted"]?.intValue == 1)
        #expect(repo.events(EventType.hookError).isEmpty)
    }

    /// The hook's own tree comparison agrees with git and with libgit2's full diff.
    @Test func changeStatsAgreeWithGit() throws {
        let sandbox = try GitSandbox("stats")
        let repo = try sandbox.repository("repo")
        try repo.write("a/b/c.txt", "1\n2\n3\n")
        try repo.write("a/keep.txt", "same\n")
        try repo.write("gone/x.txt", "x\ny\n")
        try repo.write("flip", "file\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "base")
        try repo.write("a/b/c.txt", "1\ntwo\n3\nfour\n")
        try repo.write("a/new/deep/n.txt", "n\n")
        try repo.git("rm", "-q", "-r", "gone", "flip")
        try repo.write("flip/inside.txt", "now a folder\n")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "change")
        let numstat = try repo.git("diff", "--numstat", "HEAD~1", "HEAD").split(separator: "\n").map { $0.split(separator: "\t") }
        let expected = DiffStats(
            filesChanged: numstat.count, insertions: numstat.reduce(0) { $0 + Int($1[0])! }, deletions: numstat.reduce(0) { $0 + Int($1[1])! })
        let repository = try GitRepository.open(at: repo.path, environment: Environment([:]))
        let head = try repo.git("rev-parse", "HEAD")
        #expect(try repository.changeStats(of: head) == expected)
        #expect(try repository.diffStats(of: head) == expected)
        let root = try repo.git("rev-list", "--max-parents=0", "HEAD")
        #expect(try repository.changeStats(of: root) == (try repository.diffStats(of: root)))
    }

    @Test func rootCommit() throws {
        let sandbox = try GitSandbox("root")
        let repo = try installedRepository(sandbox, empty: true)
        try repo.commit("first.txt", "a\nb\n", message: "root")
        let event = try #require(repo.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        #expect(event["parents"]?.intValue == 0)
        #expect(event["files_changed"]?.intValue == 1)
        #expect(event["insertions"]?.intValue == 2)
    }

    @Test func mergeCommitConcludedByGitCommit() throws {
        let sandbox = try GitSandbox("merge")
        let repo = try installedRepository(sandbox)
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("feature.txt", "f\n", message: "feature work")
        try repo.git("checkout", "-q", "main")
        try repo.commit("main.txt", "m\n", message: "main work")
        // `git merge` itself runs post-merge, not post-commit; a merge concluded by `git commit` runs post-commit.
        try repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
        try repo.git("commit", "-q", "--no-edit")
        let event = try #require(repo.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        #expect(event["parents"]?.intValue == 2)
        #expect(event["operation"]?.stringValue == "merge")
        #expect(event["files_changed"]?.intValue == 1, "against the first parent: only feature.txt is new")
    }

    @Test func amendReplacesTheDoneEntryAndReArmsTheGate() throws {
        let sandbox = try GitSandbox("amend")
        let repo = try installedRepository(sandbox)
        try startSession("sess-amend", in: repo, handoverDone: true)
        let env = ["HANDOFF_SESSION_ID": "sess-amend"]
        try repo.commit("a.txt", "1\n", message: "Write a", environment: env)
        let first = try repo.git("rev-parse", "HEAD")
        var state = try repo.store.readState()
        #expect(state.done == [HandoffState.DoneItem(description: "Write a", ref: String(first.prefix(7)))])
        #expect(state.runtime.handoffEndCompleted == false, "a commit after a completed handover re-opens it")
        let runtime = try #require(repo.store.readRuntime(session: "sess-amend"))
        #expect(runtime.hasWorkAfterHandover, "the gate sees new work after the handover")

        try repo.write("a.txt", "1\n2\n")
        try repo.git("add", "a.txt")
        try repo.git("commit", "-q", "--amend", "-m", "Write a, properly", environment: env)
        let amended = try repo.git("rev-parse", "HEAD")
        state = try repo.store.readState()
        #expect(state.done == [HandoffState.DoneItem(description: "Write a, properly", ref: String(amended.prefix(7)))])
        let event = try #require(repo.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == amended)
        #expect(event["amends"]?.stringValue == first)
        #expect(event.session == "sess-amend")
    }

    @Test func theOneActiveSessionIsCreditedAndDuplicatesAreNot() throws {
        let sandbox = try GitSandbox("session")
        let repo = try installedRepository(sandbox)
        try startSession("only-session", in: repo)
        try repo.commit("x.txt", "x\n", message: "Do x")
        let head = try repo.git("rev-parse", "HEAD")
        #expect(repo.events(EventType.commit).last?.session == "only-session")
        // The same commit recorded twice (hook run again by hand) is one entry.
        let hook = try HookProducts.path("handoff-post-commit")
        _ = try GitProcess.run(hook, [], in: repo.path, environment: sandbox.environment).checked()
        let state = try repo.store.readState()
        #expect(state.done == [HandoffState.DoneItem(description: "Do x", ref: String(head.prefix(7)))])
        #expect(repo.store.readRuntime(session: "only-session")?.lastWorkAt != nil)
    }

    @Test func aSessionThatIsNotTheStatesOwnerDoesNotTouchDone() throws {
        let sandbox = try GitSandbox("othersession")
        let repo = try installedRepository(sandbox)
        try startSession("owner", in: repo)
        try repo.commit("x.txt", "x\n", message: "Do x", environment: ["HANDOFF_SESSION_ID": "someone-else"])
        #expect(try repo.store.readState().done.isEmpty)
        #expect(repo.store.readRuntime(session: "someone-else")?.lastWorkAt != nil)
        #expect(repo.events(EventType.commit).last?.session == "someone-else")
    }

    @Test func rebaseRecordsEveryReplayedCommit() throws {
        let sandbox = try GitSandbox("rebase")
        let repo = try installedRepository(sandbox)
        try startSession("sess-rebase", in: repo)
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("f1.txt", "1\n", message: "feature one")
        try repo.commit("f2.txt", "2\n", message: "feature two")
        try repo.git("checkout", "-q", "main")
        try repo.commit("m.txt", "m\n", message: "main moves")
        try repo.git("checkout", "-q", "feature")
        try repo.git("rebase", "-q", "main")
        let tip = try repo.git("rev-parse", "HEAD")
        let parent = try repo.git("rev-parse", "HEAD~1")
        let replayed = repo.events(EventType.commit).filter { $0["operation"]?.stringValue == "rebase" }
        #expect(replayed.compactMap { $0["sha"]?.stringValue } == [parent, tip])
        #expect(replayed.allSatisfy { $0["detached"]?.boolValue == true })
        // The rebased commits supersede the originals in done: one entry per piece of work.
        let done = try repo.store.readState().done
        #expect(done.map(\.description) == ["feature one", "feature two", "main moves"])
        #expect(done.first { $0.description == "feature two" }?.ref == String(tip.prefix(7)))
    }

    @Test func cherryPick() throws {
        let sandbox = try GitSandbox("cherry")
        let repo = try installedRepository(sandbox)
        try repo.git("checkout", "-q", "-b", "other")
        try repo.commit("c.txt", "c\n", message: "pick me")
        let picked = try repo.git("rev-parse", "HEAD")
        try repo.git("checkout", "-q", "main")
        try repo.commit("elsewhere.txt", "e\n", message: "main moves on")
        try repo.git("cherry-pick", picked)
        let event = try #require(repo.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD")))
        #expect(event["sha"]?.stringValue != picked)
        #expect(event["operation"]?.stringValue == "cherry-pick")
        #expect(event["subject"]?.stringValue == "pick me")
    }

    @Test func linkedWorktreeUsesItsOwnStoreAndTheSharedHooks() throws {
        let sandbox = try GitSandbox("worktree")
        let repo = try installedRepository(sandbox)
        try repo.git("worktree", "add", "-q", "-b", "wt-branch", sandbox.path("wt"))
        let worktree = GitTestRepo(path: sandbox.path("wt"), sandbox: sandbox)
        // No store in the new worktree yet: the repository opted in (the config is shared), so the
        // first commit creates this worktree's store — a new one, not a wiped one.
        try worktree.commit("w.txt", "w\n", message: "worktree before store")
        #expect(worktree.store.exists)
        #expect(worktree.events(EventType.storeWiped).isEmpty)
        #expect(worktree.events(EventType.initialised).count == 1)
        // Installing from the worktree finds the common hooks folder, already set up.
        let report = try worktree.installHooks()
        #expect(report.hooksDirectory == (try repo.hooksFolder()))
        #expect(report.actions.filter { $0.kind == .alreadyInstalled }.count == GitHookInstaller.hooks.count)
        #expect(report.actions.contains { $0.kind == .alreadyOptedIn })
        try worktree.commit("w2.txt", "w\n", message: "worktree commit")
        let event = try #require(worktree.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == (try worktree.git("rev-parse", "HEAD")))
        #expect(event["branch"]?.stringValue == "wt-branch")
        #expect(repo.events(EventType.commit).allSatisfy { $0["branch"]?.stringValue != "wt-branch" })
    }

    @Test func submoduleHasItsOwnHooksAndStore() throws {
        let sandbox = try GitSandbox("submodule")
        let library = try sandbox.repository("library")
        let superproject = try sandbox.repository("super")
        try superproject.git("submodule", "add", "-q", library.path, "lib")
        try superproject.git("commit", "-q", "-m", "add lib")
        let submodule = GitTestRepo(path: superproject.path + "/lib", sandbox: sandbox)
        let report = try submodule.installHooks()
        #expect(report.hooksDirectory == superproject.path + "/.git/modules/lib/hooks")
        try submodule.commit("sub.txt", "s\n", message: "inside the submodule")
        let event = try #require(submodule.events(EventType.commit).last)
        #expect(event["sha"]?.stringValue == (try submodule.git("rev-parse", "HEAD")))
        #expect(!superproject.store.exists, "the superproject was not installed")
    }

    @Test func noStoreMeansNothingHappensUnlessOptedIn() throws {
        let sandbox = try GitSandbox("nostore")
        let repo = try installedRepository(sandbox)
        // Opted in (install wrote handoff.enabled): a missing store was wiped, and is made again.
        try FileManager.default.removeItem(atPath: repo.store.layout.directory)
        try repo.git("commit", "-q", "--allow-empty", "-m", "after the wipe")
        #expect(repo.store.exists)
        #expect(repo.events(EventType.storeWiped).count == 1)
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "after the wipe")

        // Not opted in: the hooks still run, and write nothing.
        try repo.git("config", "--unset", "handoff.enabled")
        try FileManager.default.removeItem(atPath: repo.store.layout.directory)
        let result = try repo.gitResult(["commit", "-q", "--allow-empty", "-m", "no store"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(!repo.store.exists)

        try repo.git("config", "handoff.autoinit", "true")
        try repo.git("commit", "-q", "--allow-empty", "-m", "opted in")
        #expect(repo.store.exists)
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "opted in")
    }

    @Test func corruptStateDoesNotStopTheCommit() throws {
        let sandbox = try GitSandbox("corrupt")
        let repo = try installedRepository(sandbox)
        try startSession("sess-corrupt", in: repo)
        try "{\"_version\": 1, \"done\": [tru".write(toFile: repo.store.layout.stateFile, atomically: true, encoding: .utf8)
        try repo.write("c.txt", "c\n")
        try repo.git("add", "c.txt")
        let result = try repo.gitResult(["commit", "-q", "-m", "despite corruption"])
        #expect(result.status == 0)
        #expect(try repo.git("log", "-1", "--format=%s") == "despite corruption")
        #expect(result.stderr.contains("handoff: post-commit:"))
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "despite corruption")
        #expect(repo.events(EventType.hookError).last?["hook"]?.stringValue == "post-commit")
    }

    @Test func disabledMeansNoRecord() throws {
        let sandbox = try GitSandbox("disabled")
        let repo = try installedRepository(sandbox)
        let result = try repo.gitResult(["commit", "-q", "--allow-empty", "-m", "quiet"], environment: ["HANDOFF_DISABLED": "1"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(repo.events(EventType.commit).isEmpty)
    }

    @Test func previousPostCommitHookStillRunsAndKeepsItsStatus() throws {
        let sandbox = try GitSandbox("prevcommit")
        let repo = try sandbox.repository("repo")
        let folder = try repo.hooksFolder()
        let marker = sandbox.path("previous-ran")
        try "#!/bin/sh\necho \"ran $#\" > '\(marker)'\nexit 3\n".write(toFile: folder + "/post-commit", atomically: true, encoding: .utf8)
        chmod(folder + "/post-commit", 0o755)
        try repo.installHooks()
        let result = try repo.gitResult(["commit", "-q", "--allow-empty", "-m", "with a previous hook"])
        #expect(result.status == 0, "git ignores post-commit's status, with or without handoff")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "ran 0\n")
        #expect(repo.events(EventType.commit).count == 1)
        // The entry's own status is the previous hook's, exactly as without handoff.
        let direct = try GitProcess.run("/bin/sh", [folder + "/post-commit"], in: repo.path, environment: sandbox.environment)
        #expect(direct.status == 3)
    }
}

/// The pieces of the post-commit hook that need no git process.
@Suite("GitHooks: post-commit logic")
struct GitHooksCreditTests {
    func facts(_ sha: String, _ subject: String, amendOf: String? = nil, operation: String? = nil) -> CommitFacts {
        CommitFacts(
            sha: sha, subject: subject, branch: "main", parentCount: 1,
            stats: DiffStats(filesChanged: 1, insertions: 1, deletions: 0), authorTime: 0,
            operation: operation, rewrittenSHA: amendOf, isAmend: amendOf != nil)
    }

    @Test func creditDedupesByRefAndReplacesAmendedOrRebasedWork() {
        var state = HandoffState()
        state.runtime.handoffEndCompleted = true
        PostCommitHook.credit(facts("aaaaaaa1111", "one"), to: &state)
        PostCommitHook.credit(facts("aaaaaaa1111", "one"), to: &state)
        #expect(state.done.map(\.ref) == ["aaaaaaa"])
        #expect(!state.runtime.handoffEndCompleted)
        PostCommitHook.credit(facts("bbbbbbb2222", "one, amended", amendOf: "aaaaaaa1111"), to: &state)
        #expect(state.done == [.init(description: "one, amended", ref: "bbbbbbb")])
        // An amend whose previous commit is not in done falls back to the subject.
        state.done.append(.init(description: "two", ref: "zzzzzzz"))
        PostCommitHook.credit(facts("ccccccc3333", "two", amendOf: "0123456789"), to: &state)
        #expect(state.done.map(\.ref) == ["bbbbbbb", "ccccccc"])
        PostCommitHook.credit(facts("ddddddd4444", "two", operation: "rebase"), to: &state)
        #expect(state.done.map(\.ref) == ["bbbbbbb", "ddddddd"])
        // A plain commit with a known subject is new work, not a duplicate.
        PostCommitHook.credit(facts("eeeeeee5555", "two"), to: &state)
        #expect(state.done.map(\.ref) == ["bbbbbbb", "ddddddd", "eeeeeee"])
    }

    @Test func reflogLineParses() throws {
        let line = "\(String(repeating: "a", count: 40)) \(String(repeating: "b", count: 40)) A U Thor <a@b.c> 1700000000 +0100\tcommit (amend): fix it"
        let entry = try #require(ReflogEntry(line: Substring(line)))
        #expect(entry.oldSHA == String(repeating: "a", count: 40))
        #expect(entry.newSHA == String(repeating: "b", count: 40))
        #expect(entry.message == "commit (amend): fix it")
        #expect(ReflogEntry(line: "garbage") == nil)
    }

    @Test func hooksDoNothingWhenDisabledButPrePushStillDrainsStdin() throws {
        let sandbox = try GitSandbox("drain")
        // The stdin reader leaves a file behind: proof that it ran, without shared mutable state.
        let probe = sandbox.path("stdin-was-read")
        let input = HookInput(
            arguments: ["origin", "https://example.invalid/r.git"],
            environment: Environment(["HANDOFF_DISABLED": "1"]),
            workingDirectory: sandbox.root,
            standardInput: { _ = FileManager.default.createFile(atPath: probe, contents: nil); return [] })
        #expect(PrePushHook.run(input) == .silent)
        #expect(FileManager.default.fileExists(atPath: probe))
        #expect(PostCommitHook.run(input) == .silent)
    }

    @Test func refLinesParse() {
        let zero = String(repeating: "0", count: 40), a = String(repeating: "a", count: 40)
        let lines = "refs/heads/main \(a) refs/heads/main \(zero)\n(delete) \(zero) refs/heads/old \(a)\nnot a line\n"
        let updates = PrePushHook.RefUpdate.parse(Array(lines.utf8))
        #expect(updates.count == 2)
        #expect(updates[0].isNewRemoteRef && !updates[0].isDeletion)
        #expect(updates[1].isDeletion && updates[1].remoteRef == "refs/heads/old")
    }
}
