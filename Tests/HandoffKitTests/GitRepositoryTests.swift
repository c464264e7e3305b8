import Foundation
import Testing
@testable import HandoffKit

@Suite("Git inspection")
struct GitRepositoryTests {
    func open(_ repo: TestRepository) throws -> GitRepository {
        try GitRepository.open(at: repo.path, environment: Environment([:]))
    }

    @Test("branch, detached and unborn HEAD")
    func head() throws {
        let sandbox = try Sandbox("git")
        let empty = try sandbox.repository("empty", empty: true)
        #expect(try open(empty).head() == .unborn(branch: "main"))
        let repo = try sandbox.repository()
        let sha = try repo.git("rev-parse", "HEAD")
        #expect(try open(repo).head() == .branch(name: "main", sha: sha))
        try repo.git("checkout", "-q", "--detach")
        #expect(try open(repo).head() == .detached(sha: sha))
    }

    @Test("commits since a sha, newest first, with subject and time")
    func commitsSince() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        let base = try repo.git("rev-parse", "HEAD")
        try repo.commit("a.txt", "a", message: "add a\n\nbody text")
        try repo.commit("b.txt", "b", message: "add b")
        let commits = try open(repo).commits(since: base)
        #expect(commits.map(\.subject) == ["add b", "add a"])
        #expect(commits[0].sha == (try repo.git("rev-parse", "HEAD")))
        #expect(commits[0].time > 1_600_000_000)
        #expect(try open(repo).commits(since: nil).count == 3)
    }

    @Test("status leaves out ignored files and .handoff/, and does not walk untracked folders")
    func status() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        try repo.write(".gitignore", "build/\n")
        try repo.git("add", ".gitignore")
        try repo.git("commit", "-qm", "ignore")
        try repo.write("build/out.o", "x")
        #expect(try open(repo).status().isClean)
        try repo.write("README.md", "changed\n")
        try repo.write("new/deep/file.txt", "x")
        try repo.write("staged.txt", "x")
        try repo.git("add", "staged.txt")
        let entries = try open(repo).status().entries
        #expect(entries.contains(StatusEntry(path: "README.md", kind: .modified)))
        #expect(entries.contains(StatusEntry(path: "staged.txt", kind: .staged)))
        #expect(entries.contains(StatusEntry(path: "new/", kind: .untracked)))
        #expect(!entries.contains { $0.path.hasPrefix(".handoff") || $0.path.hasPrefix("build") })
    }

    /// The status skips libgit2's HEAD-to-index comparison when the index's cache-tree proves nothing
    /// is staged; every case where that shortcut could lie is checked against `git status` itself.
    @Test("status agrees with git status whether or not something is staged")
    func statusAgreesWithGitAcrossIndexStates() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        try repo.commit("src/a/one.txt", "1\n", message: "one")
        try repo.commit("src/b/two.txt", "2\n", message: "two")

        func gitPaths() throws -> [String] {
            try repo.git("status", "--porcelain", "--untracked-files=normal").split(separator: "\n")
                .map { line in  // "XY path"; the runner trims the first line's leading blank
                    String(line.split(separator: " ", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces)
                }.sorted()
        }
        func check(_ situation: String, matchesHead: Bool) throws {
            let repository = try open(repo)
            #expect(repository.indexMatchesHead() == matchesHead, "\(situation): indexMatchesHead")
            let ours = try repository.status().paths.sorted(), theirs = try gitPaths()
            #expect(ours == theirs, "\(situation): paths")
        }

        try check("just committed", matchesHead: true)
        try repo.write("src/a/one.txt", "edited, not added\n")
        try check("edited without git add", matchesHead: true)
        try repo.git("add", "src/a/one.txt")
        try check("edit staged", matchesHead: false)
        try repo.write("src/a/one.txt", "1\n")
        try repo.git("add", "src/a/one.txt")
        try check("staged back to HEAD's content", matchesHead: true)
        try repo.write("src/c/new.txt", "new\n")
        try repo.git("add", "src/c/new.txt")
        try check("new file staged, identical in the worktree", matchesHead: false)
        try repo.git("rm", "-q", "--cached", "src/c/new.txt")
        try repo.git("rm", "-q", "src/b/two.txt")
        try check("deletion staged", matchesHead: false)
        try repo.git("reset", "-q", "--hard")
        try repo.git("read-tree", "HEAD")  // an index without a cache-tree: libgit2 rebuilds the trees
        try check("index without cache-tree", matchesHead: true)
        try repo.git("update-index", "--chmod=+x", "src/a/one.txt")
        try check("mode change staged", matchesHead: false)

        let empty = try sandbox.repository("unborn", empty: true)
        try empty.write("first.txt", "x")
        try empty.git("add", "first.txt")
        let unborn = try open(empty)
        #expect(!unborn.indexMatchesHead())
        #expect(try unborn.status().entries == [StatusEntry(path: "first.txt", kind: .staged)])
    }

    @Test("ahead and behind the upstream")
    func upstream() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        #expect(try open(repo).aheadBehindUpstream() == nil)
        let remote = sandbox.path("remote.git")
        try repo.git("init", "-q", "--bare", remote)
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "-u", "origin", "main")
        #expect(try open(repo).aheadBehindUpstream() == AheadBehind(upstream: "origin/main", ahead: 0, behind: 0))
        try repo.commit("x.txt", "x", message: "x")
        try repo.commit("y.txt", "y", message: "y")
        #expect(try open(repo).aheadBehindUpstream()?.ahead == 2)
    }

    @Test("an operation in progress is reported")
    func operation() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        #expect(try open(repo).operationInProgress() == .none)
        try repo.git("checkout", "-q", "-b", "other")
        try repo.commit("README.md", "other\n", message: "other")
        try repo.git("checkout", "-q", "main")
        try repo.commit("README.md", "main\n", message: "main")
        _ = try repo.run("/usr/bin/env", ["git", "merge", "other"])
        #expect(try open(repo).operationInProgress() == .merge)
        #expect(try open(repo).status().entries.contains { $0.kind == .conflicted })
    }

    @Test("linked worktrees and submodules open at their own worktree")
    func layouts() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        let linked = sandbox.path("linked")
        try repo.git("worktree", "add", "-q", "-b", "feature", linked)
        let worktree = try GitRepository.open(at: linked + "/", environment: Environment([:]))
        #expect(worktree.workdir == linked)
        #expect(try worktree.head().branchName == "feature")
        #expect(worktree.commonDir.hasSuffix("repo/.git"))
        #expect(WorktreeLocator.worktreeRoot(startingAt: linked, environment: Environment([:])) == linked)

        let library = try sandbox.repository("library")
        try repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", library.path, "lib")
        let submodule = try GitRepository.open(at: repo.path + "/lib", environment: Environment([:]))
        #expect(submodule.workdir == repo.path + "/lib")
        #expect(try submodule.head().sha == (try library.git("rev-parse", "HEAD")))
        #expect(WorktreeLocator.worktreeRoot(startingAt: repo.path + "/lib", environment: Environment([:])) == repo.path + "/lib")
    }

    @Test("diff stats of a commit against its first parent, and of a root commit")
    func diffStats() throws {
        let sandbox = try Sandbox("git")
        let repo = try sandbox.repository()
        let root = try repo.git("rev-parse", "HEAD")
        #expect(try open(repo).diffStats(of: root) == DiffStats(filesChanged: 1, insertions: 1, deletions: 0))
        try repo.write("README.md", "hello\nworld\n")
        try repo.write("b.txt", "1\n2\n3\n")
        try repo.git("add", ".")
        try repo.git("commit", "-qm", "two files")
        #expect(try open(repo).diffStats(of: try repo.git("rev-parse", "HEAD")) == DiffStats(filesChanged: 2, insertions: 4, deletions: 0))
    }

    @Test("libgit2 failures are typed errors with the call and libgit2's message")
    func errors() throws {
        let sandbox = try Sandbox("git")
        do {
            _ = try GitRepository.open(at: sandbox.path("nowhere"), environment: Environment([:]))
            Issue.record("opening a missing repository must fail")
        } catch {
            #expect(error.call == "git_repository_open_ext")
            #expect(!error.message.isEmpty)
            #expect(error.isNotFound)
        }
    }
}
