import Foundation
import Testing

@testable import HandoffKit

/// `handoff log` reads the shared history too: a bare remote, two clones with their own HOMEs, the
/// real `git`, hooks and CLI.
@Suite("Share: handoff log reads the shared history")
struct ShareLogTests {
    func machines(_ sandbox: GitSandbox) throws -> (Machine, Machine) {
        let remote = try sandbox.bareRemote()
        let seed = try sandbox.repository("seed")
        try seed.git("remote", "add", "origin", remote)
        try seed.git("push", "-q", "origin", "main")
        let a = try Machine.make("a", cloning: remote, in: sandbox)
        let b = try Machine.make("b", cloning: remote, in: sandbox)
        try a.setUp()
        try b.setUp()
        return (a, b)
    }

    func log(_ machine: Machine) throws -> [JSONValue] {
        let result = try machine.handoff("log", "--json").checked()
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func eachHandoverOnceWithWhereItCameFromLocalAndFetched() throws {
        let sandbox = try GitSandbox("share-log")
        let (a, b) = try machines(sandbox)
        let cloneA = try a.git("config", "handoff.shareClone")
        let cloneB = try b.git("config", "handoff.shareClone")
        try a.end("README.md:1 the parser, from a", agent: "codex", session: "sess-a")
        try a.handoff("push").checked()
        try b.git("fetch", "-q", "origin")
        try b.end("README.md:2 the tests, from b", agent: "claude-code", session: "sess-b")

        var entries = try log(b)
        #expect(entries.count == 2, "one per handover, the fetched one included: \(entries.map(\.compactText))")
        let own = try #require(entries.first { $0["session"]?.stringValue == "sess-b" })
        #expect(own["source"] == "local", "b's own handover is its local one, matched to its shared commit")
        #expect(own["commit"]?.stringValue?.count == 40)
        #expect(own["origin"]?["clone"]?.stringValue == cloneB)
        #expect(own["origin"]?["agent"] == "claude-code")
        let fetched = try #require(entries.first { $0["session"]?.stringValue == "sess-a" })
        #expect(fetched["source"] == "shared")
        #expect(fetched["origin"]?["clone"]?.stringValue == cloneA)
        #expect(fetched["origin"]?["agent"] == "codex")
        #expect(fetched["origin"]?["host"]?.stringValue == FileSystem.hostname())
        #expect(fetched["origin"]?["branch"] == "main")
        #expect(fetched["content"]?["state"]?["resume"]?["next"] == "README.md:1 the parser, from a")
        #expect(fetched["content"]?["state"]?["resume"]?["context"] == "from a")
        #expect(fetched["next_step"] == "README.md:1 the parser, from a")
        #expect(entries.first?["session"] == "sess-b", "newest first")

        // The text: one line each, saying where it came from.
        let text = try b.handoff("log").checked().stdout.split(separator: "\n").map(String.init)
        #expect(text.count == 2, "\(text)")
        #expect(text.contains { $0.contains("sess-a") && $0.contains("from \(FileSystem.hostname()) (codex, session sess-a") && $0.contains("on main") }, "\(text)")
        #expect(text.contains { $0.contains("sess-b") && $0.contains("(shared)") }, "\(text)")

        // After a pull (a merge of both histories, reachable from three refs): still once each.
        try b.handoff("pull").checked()
        entries = try log(b)
        #expect(entries.compactMap { $0["session"]?.stringValue }.sorted() == ["sess-a", "sess-b"], "\(entries.map(\.compactText))")

        // And from a, once b's handover is pushed and fetched: a's is local, b's shared.
        try b.handoff("push").checked()
        try a.git("fetch", "-q", "origin")
        entries = try log(a)
        #expect(entries.count == 2, "\(entries.map(\.compactText))")
        #expect(entries.first { $0["session"] == "sess-a" }?["source"] == "local")
        #expect(entries.first { $0["session"] == "sess-b" }?["source"] == "shared")
        #expect(entries.first { $0["session"] == "sess-b" }?["content"]?["state"]?["resume"]?["next"] == "README.md:2 the tests, from b")
    }

    @Test func withoutSharingTheLogIsTheLocalOneAndALocalEntryCarriesItsContent() throws {
        let sandbox = try GitSandbox("share-log-off")
        let remote = try sandbox.bareRemote()
        let seed = try sandbox.repository("seed")
        try seed.git("remote", "add", "origin", remote)
        try seed.git("push", "-q", "origin", "main")
        let a = try Machine.make("a", cloning: remote, in: sandbox)
        try a.setUp(share: false)
        try a.end("README.md:1 keep going", session: "sess-only")
        let entries = try log(a)
        #expect(entries.count == 1)
        #expect(entries.first?["source"] == "local")
        #expect(entries.first?["commit"] == .null)
        #expect(entries.first?["content"]?["state"]?["resume"]?["next"] == "README.md:1 keep going", "the archived state: \(entries.map(\.compactText))")
        #expect(try a.git("for-each-ref", "refs/handoff/").isEmpty, "reading the log creates nothing")
    }
}

@Suite("Share: the history cap")
struct ShareHistoryCapTests {
    @Test func pastTheCapTheHistoryIsAFreshChainOfTheNewestAndTheRemoteFollows() throws {
        let sandbox = try GitSandbox("share-cap")
        let remote = try sandbox.bareRemote()
        let seed = try sandbox.repository("seed")
        try seed.git("remote", "add", "origin", remote)
        try seed.git("push", "-q", "origin", "main")
        let a = try Machine.make("a", cloning: remote, in: sandbox)
        let b = try Machine.make("b", cloning: remote, in: sandbox)
        try a.setUp()
        try b.setUp()
        try a.git("config", "handoff.shareKeep", "3")
        let userRefs = try a.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/", "refs/remotes/", "refs/tags/")
        let head = try a.git("rev-parse", "HEAD")

        try a.end("README.md:1 first", session: "s1")
        try a.end("README.md:1 second", session: "s2")
        try a.handoff("push").checked()
        #expect(try a.git("rev-list", "--count", "origin/main") == "1")
        func remoteCount() throws -> String {
            try GitProcess.run("/usr/bin/env", ["git", "rev-list", "--count", "refs/handoff/main"], in: remote, environment: a.environment).checked()
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try remoteCount() == "2")
        for (index, session) in ["s3", "s4", "s5"].enumerated() {
            try a.end("README.md:\(index + 2) handover \(session)", session: session)
        }
        #expect(try a.git("rev-list", "--count", "refs/handoff/main") == "3", "capped at 3")
        let kept = try a.refs.history("refs/handoff/main", limit: 10).map { $0.handover.origin.session ?? "" }
        #expect(kept == ["s5", "s4", "s3"], "the newest three, newest first")
        #expect(try a.git("rev-list", "--max-parents=0", "refs/handoff/main").split(separator: "\n").count == 1, "one fresh chain")
        // Nothing of the user's moved.
        #expect(try a.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/", "refs/remotes/", "refs/tags/") == userRefs)
        #expect(try a.git("rev-parse", "HEAD") == head)
        #expect(try a.git("status", "--porcelain").isEmpty)

        // The remote held the first two (all of which the cap saw): its copy is replaced, not merged back.
        let pushed = try a.handoff("push")
        #expect(pushed.status == 0, "\(pushed.stdout) \(pushed.stderr)")
        #expect(try remoteCount() == "3", "the remote's history is the capped one")
        #expect(try a.git("for-each-ref", "refs/handoff-rewritten/").isEmpty, "the marker goes once the remote has the capped chain")

        // Another clone fetches the capped history and lists it, once each, with its origin.
        try b.git("fetch", "-q", "origin")
        let entries = try b.handoff("log", "--json").checked().stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(entries.compactMap { $0["session"]?.stringValue } == ["s5", "s4", "s3"], "\(entries.map(\.compactText))")
        #expect(entries.allSatisfy { $0["source"] == "shared" })
    }
}
