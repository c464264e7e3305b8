import CLibgit2
import Foundation
import Testing
@testable import HandoffKit

/// The index read directly (Git/IndexFile.swift) must hold exactly what libgit2 reads from the same
/// file, or be nil so that libgit2 reads it: compared entry by entry with libgit2 on indexes git
/// wrote, for every shape the fast status can meet; nil for every shape it must leave to libgit2;
/// and never a crash or a wrong entry on a damaged file.
@Suite("Index file")
struct IndexFileTests {
    func open(_ repo: TestRepository) throws -> GitRepository {
        try GitRepository.open(at: repo.path, environment: Environment([:]))
    }

    func read(_ repo: TestRepository) -> IndexFile? {
        IndexFile.read(repo.path + "/.git/index")
    }

    /// A repository whose index holds paths of many shapes: nested folders, spaces, UTF-8, an
    /// executable file, a symbolic link, a long name, names that sort around "/".
    func shapes(_ sandbox: Sandbox) throws -> TestRepository {
        let repo = try sandbox.repository()
        let long = String(repeating: "l", count: 200) + "/" + String(repeating: "m", count: 200) + ".txt"
        for file in ["src/a/one.txt", "src/a/two.txt", "src/b/three.txt", "dir with space/ünïcode é.txt", "a-b", "a.b", "a/b", "a0",
                     long] {
            try repo.write(file, "content of \(file)\n")
        }
        try repo.write("tool.sh", "#!/bin/sh\n")
        _ = try repo.run("/bin/chmod", ["+x", "tool.sh"])
        _ = try repo.run("/bin/ln", ["-s", "src/a/one.txt", "link"])
        try repo.git("add", "-A")
        try repo.git("commit", "-qm", "shapes")
        return repo
    }

    /// libgit2's entries of the same index, field by field, against the direct read.
    func expectSameAsLibgit2(_ repo: TestRepository, _ situation: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let direct = read(repo) else {
            Issue.record("\(situation): the direct read gave nil", sourceLocation: sourceLocation)
            return
        }
        var index: OpaquePointer?
        #expect(git_index_open(&index, repo.path + "/.git/index") == 0, sourceLocation: sourceLocation)
        defer { git_index_free(index) }
        let count = git_index_entrycount(index)
        #expect(direct.entries.count == count, "\(situation): entry count", sourceLocation: sourceLocation)
        for position in 0..<min(count, direct.entries.count) {
            let theirs = git_index_get_byindex(index, position)!.pointee
            let ours = direct.entries[position]
            let same = String(cString: ours.path) == String(cString: theirs.path)
                && ours.mode == theirs.mode && ours.file_size == theirs.file_size
                && ours.ino == theirs.ino && ours.dev == theirs.dev && ours.uid == theirs.uid && ours.gid == theirs.gid
                && ours.mtime.seconds == theirs.mtime.seconds && ours.mtime.nanoseconds == theirs.mtime.nanoseconds
                && ours.ctime.seconds == theirs.ctime.seconds && ours.ctime.nanoseconds == theirs.ctime.nanoseconds
                && withUnsafeBytes(of: ours.id) { a in withUnsafeBytes(of: theirs.id) { b in a.elementsEqual(b) } }
                && ours.flags & 0x3000 == 0 && theirs.flags & 0x3000 == 0
            #expect(same, "\(situation): entry \(position) (\(String(cString: theirs.path)))", sourceLocation: sourceLocation)
        }
    }

    func oid(_ text: String) -> git_oid {
        var oid = git_oid()
        _ = git_oid_fromstr(&oid, text)
        return oid
    }

    func sameOid(_ a: git_oid?, _ b: git_oid) -> Bool {
        guard var a else { return false }
        var b = b
        return git_oid_equal(&a, &b) == 1
    }

    @Test("entries read in place equal libgit2's, for indexes of every shape git writes plainly")
    func entriesEqualLibgit2s() throws {
        let sandbox = try Sandbox("index")
        let repo = try shapes(sandbox)
        try expectSameAsLibgit2(repo, "after commit")
        try repo.git("update-index", "--index-version", "3")
        try expectSameAsLibgit2(repo, "version 3")
        try repo.git("update-index", "--index-version", "2")
        // The untracked cache (UNTR) and end-of-index entry (EOIE) are optional extensions.
        try repo.git("config", "core.untrackedCache", "true")
        try repo.git("config", "index.recordEndOfIndexEntries", "true")
        _ = try repo.git("status", "--porcelain")
        try repo.git("update-index", "--untracked-cache", "--refresh")
        try expectSameAsLibgit2(repo, "with optional extensions")

        let large = try sandbox.repository("large")
        for folder in 0..<20 {
            for file in 0..<100 { try large.write("f\(folder)/file\(file).txt", "\(folder) \(file)\n") }
        }
        try large.git("add", "-A")
        try large.git("commit", "-qm", "2,000 files")
        try expectSameAsLibgit2(large, "2,000 entries")
    }

    @Test("the cache tree's root is HEAD's tree after a commit, absent once something is staged, the staged tree after write-tree")
    func cacheTreeRoot() throws {
        let sandbox = try Sandbox("index")
        let repo = try shapes(sandbox)
        let head = oid(try repo.git("rev-parse", "HEAD^{tree}"))
        #expect(sameOid(read(repo)?.rootTree, head))
        #expect(try open(repo).indexMatchesHead())

        try repo.write("staged.txt", "x")
        try repo.git("add", "staged.txt")
        #expect(read(repo) != nil)
        #expect(read(repo)?.rootTree == nil, "git invalidates the root when something is staged")
        #expect(try !open(repo).indexMatchesHead())

        let staged = oid(try repo.git("write-tree"))
        #expect(sameOid(read(repo)?.rootTree, staged))
        #expect(!sameOid(read(repo)?.rootTree, head))
        #expect(try !open(repo).indexMatchesHead(), "a valid cache tree other than HEAD's is something staged")

        try repo.git("reset", "-q")
        _ = try repo.git("write-tree")
        #expect(sameOid(read(repo)?.rootTree, head))
        #expect(try open(repo).indexMatchesHead())
    }

    @Test("nil for every index the fast status leaves to libgit2")
    func leftToLibgit2() throws {
        let sandbox = try Sandbox("index")
        func fresh(_ name: String) throws -> TestRepository {
            let repo = try sandbox.repository(name)
            try repo.write("a.txt", "a\n")
            try repo.write("b.txt", "b\n")
            try repo.git("add", "-A")
            try repo.git("commit", "-qm", "two")
            #expect(read(repo) != nil, "\(name): the plain index reads")
            return repo
        }
        let v4 = try fresh("v4")
        try v4.git("update-index", "--index-version", "4")
        #expect(read(v4) == nil, "version 4")

        let split = try fresh("split")
        try split.git("update-index", "--split-index")
        #expect(read(split) == nil, "split index (link extension)")

        let skip = try fresh("skip")
        try skip.git("update-index", "--skip-worktree", "a.txt")
        #expect(read(skip) == nil, "skip-worktree")

        let assumed = try fresh("assumed")
        try assumed.git("update-index", "--assume-unchanged", "a.txt")
        #expect(read(assumed) == nil, "assume-unchanged")

        let planned = try fresh("planned")
        try planned.write("c.txt", "c\n")
        try planned.git("add", "-N", "c.txt")
        #expect(read(planned) == nil, "intent-to-add")

        let conflict = try fresh("conflict")
        try conflict.git("checkout", "-qb", "other")
        try conflict.write("a.txt", "other\n")
        try conflict.git("commit", "-qam", "other")
        try conflict.git("checkout", "-q", "main")
        try conflict.write("a.txt", "main\n")
        try conflict.git("commit", "-qam", "main")
        _ = try conflict.run("/usr/bin/env", ["git", "merge", "-q", "other"])
        #expect(try conflict.git("ls-files", "-u").isEmpty == false, "the merge left a conflict")
        #expect(read(conflict) == nil, "conflict stages")

        let sparse = try fresh("sparse")
        try sparse.write("dir/c.txt", "c\n")
        try sparse.git("add", "-A")
        try sparse.git("commit", "-qm", "dir")
        try sparse.git("sparse-checkout", "init", "--cone", "--sparse-index")
        #expect(read(sparse) == nil, "sparse index")

        #expect(IndexFile.read(sandbox.path("no-such-index")) == nil)
    }

    @Test("a damaged index gives nil or a prefix of the true entries, never a crash")
    func damagedIndex() throws {
        let sandbox = try Sandbox("index")
        let repo = try shapes(sandbox)
        try repo.git("config", "index.recordEndOfIndexEntries", "true")
        try repo.git("update-index", "--refresh")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: repo.path + "/.git/index")))
        let intact: [String]? = bytes.withUnsafeBufferPointer { buffer in
            guard let parsed = IndexFile.parse(buffer.baseAddress!, size: buffer.count) else { return nil }
            defer { parsed.deallocate() }
            return (0..<parsed.entries.count).map { String(cString: parsed.entries[$0].path) }
        }
        guard let paths = intact, !paths.isEmpty else {
            Issue.record("the intact index did not parse")
            return
        }
        func check(_ damaged: [UInt8], _ what: String) {
            guard damaged.count >= 32 else { return }
            damaged.withUnsafeBufferPointer { buffer in
                guard let parsed = IndexFile.parse(buffer.baseAddress!, size: buffer.count) else { return }
                let got = (0..<parsed.entries.count).map { String(cString: parsed.entries[$0].path) }
                parsed.deallocate()
                #expect(got == paths || got.isEmpty, "\(what): \(got)")
            }
        }
        for length in 0..<bytes.count { check(Array(bytes[0..<length]), "cut at \(length)") }
        for position in 12..<bytes.count - 20 {
            var damaged = bytes
            damaged[position] ^= 0xFF
            damaged.withUnsafeBufferPointer { buffer in
                // Any answer is allowed here but a crash; an answer's entries must be well-formed.
                if let parsed = IndexFile.parse(buffer.baseAddress!, size: buffer.count) {
                    for index in 0..<parsed.entries.count { #expect(strlen(parsed.entries[index].path) > 0) }
                    parsed.deallocate()
                }
            }
        }
    }
}
