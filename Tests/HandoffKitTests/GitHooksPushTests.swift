import Foundation
import Testing

@testable import HandoffKit

/// The pre-push hook, driven by real `git push`es to a local bare remote.
@Suite("GitHooks: pre-push")
struct GitHooksPushTests {
    static let zero = String(repeating: "0", count: 40)

    /// An installed repository with `origin` pointing at a fresh bare remote.
    func pushableRepository(_ sandbox: GitSandbox) throws -> (GitTestRepo, String) {
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        try repo.git("remote", "add", "origin", remote)
        return (repo, remote)
    }

    func refs(of event: Event) -> [JSONObject] {
        (event["refs"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    /// The refs of the newest push event.
    func lastRefs(_ repo: GitTestRepo) throws -> [JSONObject] {
        refs(of: try #require(repo.events(EventType.push).last))
    }

    @Test func firstPushRecordsRefKindCommitsAndLedger() throws {
        let sandbox = try GitSandbox("push")
        let (repo, remote) = try pushableRepository(sandbox)
        try repo.commit("a.txt", "a\n", message: "second")
        try repo.git("push", "-q", "-u", "origin", "main")
        let head = try repo.git("rev-parse", "HEAD")
        let event = try #require(repo.events(EventType.push).last)
        #expect(event["remote"]?.stringValue == "origin")
        #expect(event["url"]?.stringValue == remote)
        let ref = try #require(refs(of: event).first)
        #expect(ref["local_ref"]?.stringValue == "refs/heads/main")
        #expect(ref["local_sha"]?.stringValue == head)
        #expect(ref["remote_ref"]?.stringValue == "refs/heads/main")
        #expect(ref["remote_sha"]?.stringValue == Self.zero)
        #expect(ref["kind"]?.stringValue == "new")
        #expect(ref["commits"]?.intValue == 2)
        let record = try #require(PushLedger(store: repo.store).record(forBranch: "main"))
        #expect(record.sha == head)
        #expect(record.remote == "origin")
        #expect(record.remoteRef == "refs/heads/main")

        // An ordinary update afterwards: fast-forward, counted against the remote's old tip.
        try repo.commit("b.txt", "b\n", message: "third")
        try repo.commit("c.txt", "c\n", message: "fourth")
        try repo.git("push", "-q")
        let update = try #require(try lastRefs(repo).first)
        #expect(update["kind"]?.stringValue == "update")
        #expect(update["remote_sha"]?.stringValue == head)
        #expect(update["commits"]?.intValue == 2)
        #expect(PushLedger(store: repo.store).record(forBranch: "main")?.sha == (try repo.git("rev-parse", "HEAD")))
    }

    @Test func severalRefsInOnePush() throws {
        let sandbox = try GitSandbox("multi")
        let (repo, _) = try pushableRepository(sandbox)
        try repo.git("push", "-q", "origin", "main")
        try repo.git("branch", "feature")
        try repo.git("checkout", "-q", "feature")
        try repo.commit("f.txt", "f\n", message: "feature")
        try repo.git("checkout", "-q", "main")
        try repo.commit("m.txt", "m\n", message: "main")
        try repo.git("tag", "-a", "v1", "-m", "version 1")
        try repo.git("push", "-q", "origin", "main", "feature", "v1")
        let pushed = try lastRefs(repo)
        #expect(Set(pushed.compactMap { $0["remote_ref"]?.stringValue }) == ["refs/heads/main", "refs/heads/feature", "refs/tags/v1"])
        #expect(pushed.first { $0["remote_ref"]?.stringValue == "refs/heads/feature" }?["kind"]?.stringValue == "new")
        #expect(pushed.first { $0["remote_ref"]?.stringValue == "refs/heads/feature" }?["commits"]?.intValue == 1)
        #expect(pushed.first { $0["remote_ref"]?.stringValue == "refs/heads/main" }?["kind"]?.stringValue == "update")
        let ledger = PushLedger(store: repo.store).read()
        #expect(Set(ledger.keys) == ["main", "feature"])
    }

    @Test func deletionIsRecordedAndDropsTheLedgerEntry() throws {
        let sandbox = try GitSandbox("delete")
        let (repo, _) = try pushableRepository(sandbox)
        try repo.git("checkout", "-q", "-b", "doomed")
        try repo.commit("d.txt", "d\n", message: "doomed work")
        try repo.git("push", "-q", "origin", "doomed")
        #expect(PushLedger(store: repo.store).record(forBranch: "doomed") != nil)
        try repo.git("push", "-q", "origin", "--delete", "doomed")
        let ref = try #require(try lastRefs(repo).first)
        #expect(ref["kind"]?.stringValue == "delete")
        #expect(ref["local_sha"]?.stringValue == Self.zero)
        #expect(ref["remote_ref"]?.stringValue == "refs/heads/doomed")
        #expect(ref["commits"]?.intValue == 0)
        #expect(PushLedger(store: repo.store).record(forBranch: "doomed") == nil)
    }

    @Test func forcedPushIsToldApartFromAnUpdate() throws {
        let sandbox = try GitSandbox("force")
        let (repo, _) = try pushableRepository(sandbox)
        try repo.commit("a.txt", "a\n", message: "will be rewritten")
        try repo.git("push", "-q", "-u", "origin", "main")
        let old = try repo.git("rev-parse", "HEAD")
        try repo.git("reset", "-q", "--hard", "HEAD~1")
        try repo.commit("b.txt", "b\n", message: "rewritten")
        try repo.git("push", "-q", "--force", "origin", "main")
        let ref = try #require(try lastRefs(repo).first)
        #expect(ref["kind"]?.stringValue == "force")
        #expect(ref["remote_sha"]?.stringValue == old)
        #expect(ref["commits"]?.intValue == 1)
    }

    @Test func branchWithoutUpstreamCountsOnlyItsOwnCommits() throws {
        let sandbox = try GitSandbox("noupstream")
        let (repo, _) = try pushableRepository(sandbox)
        try repo.git("push", "-q", "origin", "main")
        try repo.git("checkout", "-q", "-b", "topic")
        try repo.commit("t1.txt", "1\n", message: "topic one")
        try repo.commit("t2.txt", "2\n", message: "topic two")
        // No -u, no upstream configured: the remote-tracking tips bound the count.
        try repo.git("push", "-q", "origin", "topic")
        let ref = try #require(try lastRefs(repo).first)
        #expect(ref["kind"]?.stringValue == "new")
        #expect(ref["commits"]?.intValue == 2)
        #expect(PushLedger(store: repo.store).record(forBranch: "topic")?.sha == (try repo.git("rev-parse", "topic")))
    }

    /// pre-push runs before git talks to the remote, so a rejected push is in the ledger too; the
    /// stop gate must still count its commits as unpushed.
    @Test func rejectedPushStillCountsAsUnpushed() throws {
        let sandbox = try GitSandbox("rejected")
        let (repo, remote) = try pushableRepository(sandbox)
        try repo.git("push", "-q", "origin", "main")
        try repo.git("checkout", "-q", "-b", "topic")
        try repo.commit("t.txt", "1\n", message: "topic work")
        let receiveHook = remote + "/hooks/pre-receive"
        try "#!/bin/sh\necho 'remote says no' >&2\nexit 1\n".write(toFile: receiveHook, atomically: true, encoding: .utf8)
        chmod(receiveHook, 0o755)

        let push = try repo.gitResult(["push", "-q", "origin", "topic"])
        #expect(push.status != 0, "the remote's pre-receive hook rejects the push")
        #expect(PushLedger(store: repo.store).record(forBranch: "topic")?.sha == (try repo.git("rev-parse", "topic")))
        let repository = try GitRepository.open(at: repo.path, environment: Environment([:]))
        let head = try repository.head()
        #expect(SessionWork.unpushedCount(repository: repository, store: repo.store, head: head) == .known(1))

        // Once the remote accepts, the remote-tracking ref moves and the count drops to zero.
        try FileManager.default.removeItem(atPath: receiveHook)
        try repo.git("push", "-q", "origin", "topic")
        #expect(SessionWork.unpushedCount(repository: repository, store: repo.store, head: head) == .known(0))

        // A push to a URL leaves no remote-tracking ref: there the ledger is what counts.
        try repo.commit("u.txt", "2\n", message: "more topic work")
        try repo.git("push", "-q", remote, "topic")
        let moved = try repository.head()
        #expect(SessionWork.unpushedCount(repository: repository, store: repo.store, head: moved) == .known(0))
    }

    @Test func credentialsInTheURLAreNotRecorded() throws {
        let sandbox = try GitSandbox("creds")
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        let hook = try HookProducts.path("handoff-pre-push")
        let head = try repo.git("rev-parse", "HEAD")
        let line = "refs/heads/main \(head) refs/heads/main \(Self.zero)\n"
        let result = try GitProcess.run(hook, ["https://example.invalid/r.git", "https://user:s3cret@example.invalid/r.git"],
                                        in: repo.path, environment: sandbox.environment, stdin: line)
        #expect(result.status == 0)
        let event = try #require(repo.events(EventType.push).last)
        #expect(event["url"]?.stringValue == "https://[REDACTED]@example.invalid/r.git")
        #expect(!(try String(contentsOfFile: repo.store.layout.eventsFile, encoding: .utf8)).contains("s3cret"))
    }

    @Test func blockPolicyRefusesOnlyWhenAskedAndCritical() throws {
        let sandbox = try GitSandbox("block")
        let (repo, remote) = try pushableRepository(sandbox)
        try repo.store.updateState { $0.severity = .critical }
        // Default: never blocks.
        try repo.git("push", "-q", "origin", "main")
        try repo.commit("b.txt", "b\n", message: "more")
        try repo.git("config", "handoff.prepush.block", "critical")
        let refused = try repo.gitResult(["push", "-q", "origin", "main"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("CRITICAL"))
        #expect(refused.stderr.contains("HANDOFF_ALLOW_PUSH=1 git push"))
        #expect(refused.stderr.contains("--no-verify"))
        let remoteHead = try GitProcess.run("/usr/bin/env", ["git", "--git-dir", remote, "rev-parse", "main"],
                                            in: sandbox.root, environment: sandbox.environment).checked().stdout
        #expect(remoteHead.trimmingCharacters(in: .whitespacesAndNewlines) != (try repo.git("rev-parse", "HEAD")))
        #expect(repo.events(EventType.push).last?["blocked"]?.boolValue == true)
        // The override.
        try repo.git("push", "-q", "origin", "main", environment: ["HANDOFF_ALLOW_PUSH": "1"])
        // Not critical: not blocked.
        try repo.store.updateState { $0.severity = .inProgress }
        try repo.commit("c.txt", "c\n", message: "even more")
        try repo.git("push", "-q", "origin", "main")
    }

    @Test func previousPrePushHookGetsTheSameInputAndItsFailureStopsThePush() throws {
        let sandbox = try GitSandbox("prevpush")
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.git("remote", "add", "origin", remote)
        let folder = try repo.hooksFolder()
        let seen = sandbox.path("previous-stdin"), args = sandbox.path("previous-args")
        let failFlag = sandbox.path("fail-now")
        try """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(args)'
            cat > '\(seen)'
            [ -e '\(failFlag)' ] && { echo "previous hook says no" >&2; exit 7; }
            exit 0

            """.write(toFile: folder + "/pre-push", atomically: true, encoding: .utf8)
        chmod(folder + "/pre-push", 0o700)
        try repo.installHooks()

        try repo.git("push", "-q", "origin", "main")
        let head = try repo.git("rev-parse", "HEAD")
        #expect(try String(contentsOfFile: seen, encoding: .utf8) == "refs/heads/main \(head) refs/heads/main \(Self.zero)\n")
        #expect(try String(contentsOfFile: args, encoding: .utf8) == "origin\n\(remote)\n")
        #expect(repo.events(EventType.push).count == 1, "and handoff read the same lines")
        #expect(try lastRefs(repo).first?["local_sha"]?.stringValue == head)

        _ = FileManager.default.createFile(atPath: failFlag, contents: nil)
        try repo.commit("x.txt", "x\n", message: "blocked by the previous hook")
        let result = try repo.gitResult(["push", "-q", "origin", "main"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("previous hook says no"))
        #expect(repo.events(EventType.push).count == 1, "a refused push is not recorded")
        // The entry's own status is the previous hook's, exactly.
        let direct = try GitProcess.run("/bin/sh", [folder + "/pre-push", "origin", remote], in: repo.path,
                                        environment: sandbox.environment, stdin: "")
        #expect(direct.status == 7)
    }

    /// The chained hook's refusal holds even where handoff cannot write a file: with a file-size
    /// limit of one block (a full TMPDIR), a copy of git's stdin would be cut short and the user's
    /// hook would read the rest of nothing. It sees every byte, and its "no" stops the push.
    @Test func previousPrePushHookSeesEveryRefWhenNothingCanBeWritten() throws {
        let sandbox = try GitSandbox("fullpush")
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.git("remote", "add", "origin", remote)
        let folder = try repo.hooksFolder()
        try """
            #!/bin/sh
            if grep -q 'refs/heads/forbidden '; then echo "pushes to forbidden are refused" >&2; exit 1; fi
            exit 0

            """.write(toFile: folder + "/pre-push", atomically: true, encoding: .utf8)
        chmod(folder + "/pre-push", 0o700)
        try repo.installHooks()
        // Many refs before the forbidden one: git's stdin is several times the limit.
        let branches = (10..<40).map { "topic-\($0)-with-a-long-enough-name" }
        for branch in branches { try repo.git("branch", branch) }
        try repo.git("branch", "forbidden")
        // git runs the entry through a wrapper that sets the limit for the hook alone.
        let limited = sandbox.path("limited-hooks")
        try FileManager.default.createDirectory(atPath: limited, withIntermediateDirectories: true)
        try "#!/bin/sh\nulimit -f 1\nexec '\(folder)/pre-push' \"$@\"\n".write(toFile: limited + "/pre-push", atomically: true, encoding: .utf8)
        chmod(limited + "/pre-push", 0o700)
        try repo.git("config", "core.hooksPath", limited)
        let refused = try repo.gitResult(["push", "-q", "origin"] + branches + ["forbidden"])
        #expect(refused.status != 0, "the user's pre-push hook must stop this push")
        #expect(refused.stderr.contains("pushes to forbidden are refused"))
        #expect(try repo.git("ls-remote", "--heads", remote).isEmpty)
        let allowed = try repo.gitResult(["push", "-q", "origin"] + branches)
        #expect(allowed.status == 0, "\(allowed.stderr)")

        // Exactly git's bytes, a last line without its newline included.
        let seen = sandbox.path("seen")
        try "#!/bin/sh\ncat > '\(seen)'\n".write(toFile: folder + "/pre-push.pre-handoff", atomically: true, encoding: .utf8)
        chmod(folder + "/pre-push.pre-handoff", 0o700)
        let input = "refs/heads/a 1111 refs/heads/a 0000\n\nrefs/heads/b 2222 refs/heads/b 0000"
        let direct = try GitProcess.run("/bin/sh", [folder + "/pre-push", "origin", remote], in: repo.path,
                                        environment: sandbox.environment, stdin: input)
        #expect(direct.status == 0)
        #expect(try String(contentsOfFile: seen, encoding: .utf8) == input)
    }

    @Test func disabledPushIsNotRecorded() throws {
        let sandbox = try GitSandbox("pushoff")
        let (repo, _) = try pushableRepository(sandbox)
        let result = try repo.gitResult(["push", "-q", "origin", "main"], environment: ["HANDOFF_DISABLED": "1"])
        #expect(result.status == 0)
        #expect(repo.events(EventType.push).isEmpty)
        #expect(PushLedger(store: repo.store).read().isEmpty)
    }

    @Test func corruptStoreFilesDoNotStopThePush() throws {
        let sandbox = try GitSandbox("pushcorrupt")
        let (repo, _) = try pushableRepository(sandbox)
        try "not json".write(toFile: repo.store.layout.pushesFile, atomically: true, encoding: .utf8)
        try "{".write(toFile: repo.store.layout.stateFile, atomically: true, encoding: .utf8)
        try repo.git("config", "handoff.prepush.block", "critical")
        let result = try repo.gitResult(["push", "-q", "origin", "main"])
        #expect(result.status == 0)
        #expect(PushLedger(store: repo.store).record(forBranch: "main") != nil, "an unreadable ledger is rebuilt")
    }
}
