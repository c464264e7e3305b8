import Foundation
import Testing

@testable import HandoffKit

/// Repository shapes where libgit2 alone gives a wrong answer or none (an index extension it does not
/// read, skip-worktree entries, an object format it cannot open, an empty nested repository), next to
/// shapes it handles: in each, `handoff status --json` and the stop gate must say what
/// `git status --porcelain=v2` says.
@Suite("Git facts: every repository shape agrees with git")
struct GitShapesTests {
    enum Shape: String, CaseIterable, CustomTestStringConvertible {
        case plain, splitIndex, sparseIndex, sparseCheckout, sha256, nestedEmptyRepository, linkedWorktree, detachedHead, unbornHead
        var testDescription: String { rawValue }
    }

    let session = "sess-shapes"

    /// The paths git lists as changed (untracked folders as one `dir/` entry), as handoff lists them.
    static func gitPaths(_ repo: AgentRepo) throws -> [String] {
        let output = try repo.git("status", "--porcelain=v2", "-z", "--untracked-files=normal", "--no-renames")
        return output.split(separator: "\0").compactMap { record -> String? in
            let text = String(record)
            if text.hasPrefix("? ") { return String(text.dropFirst(2)) }
            if text.hasPrefix("1 ") { return text.split(separator: " ", maxSplits: 8).last.map(String.init) }
            return nil
        }.filter { !$0.hasPrefix(".handoff") }.sorted()
    }

    static func status(_ repo: AgentRepo, environment: [String: String] = [:]) throws -> JSONValue {
        var variables = ProcessInfo.processInfo.environment
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { variables[key] = nil }
        variables["NO_COLOR"] = "1"
        for (key, value) in environment { variables[key] = value }
        let result = try launch(try BuiltProducts.path("handoff"), ["status", "--json"], directory: repo.root, environment: variables)
        #expect(result.status == 0, "handoff status: \(result.stderr)")
        return try JSONValue.parse(result.stdout)
    }

    static func make(_ shape: Shape) throws -> AgentRepo {
        let repo: AgentRepo
        switch shape {
        case .sha256: repo = try AgentRepo(commit: false, initArguments: ["--object-format=sha256"])
        case .linkedWorktree: repo = try AgentRepo(commit: false, linkedWorktree: true)
        default: repo = try AgentRepo(commit: false)
        }
        try repo.git("config", "user.email", "test@example.invalid")
        try repo.git("config", "user.name", "Test")
        for name in ["a.txt", "b.txt", "c.txt", "inside/d.txt", "outside/e.txt"] { try repo.write(name, "\(name)\n") }
        try repo.git("add", "-A")
        if shape != .unbornHead { try repo.git("commit", "-qm", "files") }
        switch shape {
        case .splitIndex:
            try repo.git("config", "core.splitIndex", "true")
            try repo.git("update-index", "--split-index")
        case .sparseIndex:
            try repo.git("sparse-checkout", "set", "--cone", "--sparse-index", "inside")
        case .sparseCheckout:
            try repo.git("sparse-checkout", "set", "--cone", "inside")
        case .detachedHead:
            try repo.git("checkout", "-q", "--detach")
        default:
            break
        }
        return repo
    }

    /// A modified, a staged, a deleted and an untracked file (and, for its shape, an empty nested repository).
    static func change(_ repo: AgentRepo, _ shape: Shape) throws {
        try repo.write("a.txt", "modified\n")
        try repo.write("staged.txt", "staged\n")
        try repo.git("add", "staged.txt")
        try FileManager.default.removeItem(atPath: repo.root + "/c.txt")
        try repo.write("untracked.txt", "untracked\n")
        if shape == .nestedEmptyRepository { try repo.git("init", "-q", "nested") }
    }

    @Test(arguments: Shape.allCases)
    func statusAndGateAgreeWithGit(_ shape: Shape) throws {
        let repo = try Self.make(shape)
        repo.sessionStart(session)
        #expect(repo.store.exists)
        try Self.change(repo, shape)

        let expected = try Self.gitPaths(repo)
        // What this session changed; on an unborn branch the other files were already staged before it.
        var changed = ["a.txt", "c.txt", "staged.txt", "untracked.txt"]
        if shape == .nestedEmptyRepository { changed.append("nested/") }
        let before = shape == .unbornHead ? ["b.txt", "inside/d.txt", "outside/e.txt"] : []
        #expect(expected == (changed + before).sorted(), "the shape is what the test means it to be")
        let report = try Self.status(repo)
        #expect(report["unknown"] == .object(JSONObject()), "\(report)")
        #expect(report["uncommitted"]?.intValue == expected.count)
        #expect((report["uncommitted_files"]?.arrayValue?.compactMap(\.stringValue) ?? []).sorted() == expected)

        let answer = GateAnswer(repo.stop(session, message: validReflection))
        guard case .block(let reason) = answer else {
            Issue.record("\(shape): uncommitted work let through: \(answer)")
            return
        }
        #expect(reason.contains("\(changed.count) uncommitted files"), "\(reason)")
        for path in changed { #expect(reason.contains(path), "\(path) missing from: \(reason)") }

        // Everything committed: git and handoff agree it is clean, and the handover goes through.
        if shape == .nestedEmptyRepository { try FileManager.default.removeItem(atPath: repo.root + "/nested") }
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "the work")
        #expect(try Self.gitPaths(repo) == [])
        let clean = try Self.status(repo)
        #expect(clean["uncommitted"]?.intValue == 0, "\(clean)")
        #expect(clean["unknown"] == .object(JSONObject()))
        let released = GateAnswer(repo.stop(session, message: validReflection, active: true))
        #expect(!released.isBlock, "\(shape): \(released)")
        #expect(repo.events(EventType.handover).count == 1)
    }

    /// Where libgit2 cannot read the index and git cannot run either, the status is unknown: the
    /// report says so with the reason, and the gate blocks once naming it, then lets the stop through
    /// with a visible warning (the cap would end it anyway; one block is enough to make the agent look).
    @Test func anUnknownStatusIsNeverClean() throws {
        let repo = try Self.make(.splitIndex)
        repo.sessionStart(session)
        try repo.write("a.txt", "modified\n")
        let noGit = ["PATH": "/nonexistent"]
        let report = try Self.status(repo, environment: noGit)
        #expect(report["uncommitted"] == .null)
        let why = report["unknown"]?["uncommitted"]?.stringValue ?? ""
        #expect(why.contains("link"), "names libgit2's complaint: \(why)")
        #expect(why.contains("git"), "and git's: \(why)")
        #expect(report["handover_complete"] == .bool(false))

        var variables = ProcessInfo.processInfo.environment
        variables["PATH"] = "/nonexistent"
        variables["NO_COLOR"] = "1"
        let text = try launch(try BuiltProducts.path("handoff"), ["status"], directory: repo.root, environment: variables)
        #expect(text.stdout.contains("Uncommitted: unknown ("), "\(text.stdout)")

        // The session did nothing handoff saw, but the tree cannot be checked: one block with the reason.
        let first = GateAnswer(repo.stop(session, message: "Done.", environment: noGit))
        guard case .block(let reason) = first else {
            Issue.record("an unknown status was let through silently: \(first)")
            return
        }
        #expect(reason.contains("could not be listed"), "\(reason)")
        let second = GateAnswer(repo.stop(session, message: "Done.", active: true, environment: noGit))
        guard case .message(let warning) = second else {
            Issue.record("expected a visible warning, got \(second)")
            return
        }
        #expect(warning.contains("could not be listed"))
        #expect(warning.contains("nothing confirms"))
    }

    /// With known uncommitted work and an unknown upstream, the block names both.
    @Test func anUnknownUnpushedCountIsNamedNotZero() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("a.swift", "let a = 1\n")
        // The remote-tracking ref points at an object that does not exist (libgit2 cannot count), and
        // git is not on PATH.
        let bogus = String(repeating: "1", count: 40)
        try "\(bogus)\n".write(toFile: repo.root + "/.git/refs/remotes/origin/main", atomically: true, encoding: .utf8)
        let noGit = ["PATH": "/nonexistent"]
        let answer = GateAnswer(repo.stop(session, message: validReflection, environment: noGit))
        guard case .block(let reason) = answer else {
            Issue.record("an unknown unpushed count was let through silently: \(answer)")
            return
        }
        #expect(reason.contains("unpushed commits could not be counted"), "\(reason)")
        let report = try Self.status(repo, environment: noGit)
        #expect(report["unknown"]?["unpushed"]?.stringValue != nil, "\(report)")
        #expect(report["handover_complete"] == .bool(false))
    }

    /// libgit2 cannot open it and git is not there: HEAD is unknown, and the gate says so while letting
    /// the stop through (fail open, visibly), never "nothing changed".
    @Test func aRepositoryNobodyCanReadFailsOpenVisibly() throws {
        let repo = try Self.make(.sha256)
        repo.sessionStart(session)
        try repo.write("a.txt", "modified\n")
        let answer = GateAnswer(repo.stop(session, message: "Done.", environment: ["PATH": "/nonexistent"]))
        guard case .message(let message) = answer else {
            Issue.record("expected a visible message, got \(answer)")
            return
        }
        #expect(message.contains("objectformat"), "\(message)")
        let report = try Self.status(repo, environment: ["PATH": "/nonexistent"])
        #expect(report["uncommitted"] == .null)
        #expect(report["unknown"]?["head"]?.stringValue != nil)
    }

    /// libgit2 cannot open a sha256 repository; git can. `handoff end` records HEAD through git, so a
    /// commit made after the handover re-arms the gate there as everywhere else.
    @Test func aCommitAfterHandoffEndReArmsTheGateInASha256Repository() throws {
        let repo = try Self.make(.sha256)
        repo.sessionStart(session)
        try repo.write("a.txt", "the work\n")
        try repo.git("commit", "-qam", "the work")
        var variables = ProcessInfo.processInfo.environment
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "CLAUDE_CODE_SESSION_ID", "CODEX_SESSION_ID"] { variables[key] = nil }
        let end = try launch(try BuiltProducts.path("handoff"),
                             ["end", "--session", session, "--skip-checks", "--done", "the work", "--next", "a.txt:1 nothing left",
                              "--severity", "READY"],
                             directory: repo.root, environment: variables)
        #expect(end.status == 0, "handoff end: \(end.stdout) \(end.stderr)")
        let released = GateAnswer(repo.stop(session, message: "Handed over with handoff end."))
        #expect(!released.isBlock, "the handover covers the work: \(released)")

        try repo.write("b.txt", "more work\n")
        try repo.git("commit", "-qam", "more work after the handover")
        let answer = GateAnswer(repo.stop(session, message: "Done."))
        guard case .block(let reason) = answer else {
            Issue.record("a commit after the handover was let through without a new one: \(answer)")
            return
        }
        #expect(reason.contains("after the last handover"), "\(reason)")
    }
}
