import Foundation
import Testing

@testable import HandoffKit

/// Session start on a large index records no status, only the file clock (SessionWork.startBaseline);
/// the gate then tells the files that were already dirty from the session's own work by their ctime
/// (UntouchedSinceStart). `HANDOFF_BASELINE_SCAN_LIMIT=0` takes that path on these small repositories.
///
/// The files that stand for "dirty before the session" are made more than `UntouchedSinceStart.margin`
/// seconds before it starts (a real wait: ctime cannot be set back), as a user's edits are.
@Suite("Session baseline from the file clock")
struct SessionBaselineTests {
    let session = "sess-baseline-1"
    static let largePath = ["HANDOFF_BASELINE_SCAN_LIMIT": "0"]

    /// A repository with dirt of every kind made before the session: a modified tracked file, a
    /// deleted one, an untracked file and an untracked folder.
    func repositoryDirtiedBeforeTheSession() throws -> AgentRepo {
        let repo = try AgentRepo()
        try repo.commitFile("docs/gone.md", "tracked, deleted before the session\n")
        try repo.commitFile("src/kept.swift", "let kept = 1\n")
        try repo.write("README.md", "edited before the session\n")
        try FileManager.default.removeItem(atPath: repo.root + "/docs/gone.md")
        try repo.write("notes.txt", "untracked before the session\n")
        try repo.write("scratch/a.txt", "an untracked folder\n")
        Thread.sleep(forTimeInterval: UntouchedSinceStart.margin + 0.3)
        return repo
    }

    func start(_ repo: AgentRepo) throws {
        repo.sessionStart(session, environment: Self.largePath)
        let runtime = try #require(repo.runtime(session))
        #expect(runtime.dirtyAtStart.isEmpty, "the large-index path records no status")
        #expect(runtime.fileClockAtStart != nil)
    }

    @Test("old dirt of every kind is not the session's work; a new file is")
    func oldDirtIsNotTheSessionsWork() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        try start(repo)
        #expect(GateAnswer(repo.stop(session, message: "Just answering.")) == .allow)

        try repo.write("src/new.swift", "let new = 1\n")
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("1 uncommitted file (src/new.swift)"), "\(answer.reason)")
    }

    @Test("a file the session touched counts, even with the same bytes; so does one it deleted")
    func touchedFilesCount() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        try start(repo)
        try repo.write("README.md", "edited before the session\n")  // same content, new ctime
        var answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.reason.contains("1 uncommitted file (README.md)"), "\(answer.reason)")

        try FileManager.default.removeItem(atPath: repo.root + "/src/kept.swift")
        answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.reason.contains("2 uncommitted files"), "\(answer.reason)")
        #expect(answer.reason.contains("src/kept.swift"), "\(answer.reason)")
        #expect(!answer.reason.contains("docs/gone.md"), "deleted before the session: \(answer.reason)")
    }

    /// The file clock proves nothing about the index: once something is staged, every dirty path is
    /// the session's until it is committed (unknown is never clean).
    @Test("with something staged at the stop, old dirt counts too; an unstaged clean file is caught")
    func stagedChangesCount() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        try start(repo)
        // Untracking a clean file changes the index only: its bytes and ctime stay old.
        try repo.git("rm", "-q", "--cached", "src/kept.swift")
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.isBlock)
        for path in ["src/kept.swift", "README.md", "notes.txt"] {
            #expect(answer.reason.contains(path), "\(path) missing from: \(answer.reason)")
        }
    }

    @Test("the session's commits leave old dirt old; a commit that changes an old dirty file does not")
    func commitsKeepOldDirtOld() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        try start(repo)
        try repo.commitFile("src/feature.swift", "let feature = 1\n", message: "Add the feature")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)

        // README.md's committed version changes under its old, still different, bytes.
        try Self.commitOtherBytes(of: "README.md", in: repo)
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.reason.contains("README.md"), "\(answer.reason)")
    }

    /// Commits other bytes at `path` without touching the working-tree file.
    static func commitOtherBytes(of path: String, in repo: AgentRepo) throws {
        let object = try AgentRepo.run(["sh", "-c", "printf 'committed by the session\\n' | git hash-object -w --stdin"], in: repo.root)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git("update-index", "--cacheinfo", "100644,\(object),\(path)")
        try repo.git("commit", "-qm", "Change \(path) in the index only")
    }

    @Test("a file written right after the start, in the same clock tick, is the session's")
    func aChangeRightAfterTheStartCounts() throws {
        let repo = try AgentRepo()
        try start(repo)
        try repo.write("fast.txt", "written at once\n")
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.reason.contains("1 uncommitted file (fast.txt)"), "\(answer.reason)")
    }

    @Test("a stop without a session start takes the same baseline")
    func stopWithoutSessionStart() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        _ = try repo.store.initialise(hostname: "test")  // the store exists; this session's start was never seen
        #expect(GateAnswer(repo.stop(session, message: "Done.", environment: Self.largePath)) == .allow)
        let runtime = try #require(repo.runtime(session))
        // The gate took a status anyway: its marks come free, and the file clock is recorded too.
        #expect(runtime.fileClockAtStart != nil)
        try repo.write("notes.txt", "changed by the session\n")
        #expect(GateAnswer(repo.stop(session, message: "Done.")).reason.contains("notes.txt"))
    }

    @Test("a runtime record whose ctime predates the session start proves nothing")
    func dishonestClockProvesNothing() throws {
        let repo = try repositoryDirtiedBeforeTheSession()
        try start(repo)
        // As if the file system kept no honest ctime: the start lies later than the record's ctime.
        try repo.store.updateRuntime(session: session, create: { nil }) { runtime in
            runtime.fileClockAtStart = FileSystem.fileClockNow() + 3_600
        }
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        #expect(answer.isBlock, "nothing can be proven old, so the old dirt counts: \(answer)")
    }
}
