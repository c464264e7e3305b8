import CLibgit2
import Foundation
import Testing
@testable import HandoffKit

/// The fast status (GitRepository+FastStatus.swift) must give exactly libgit2's answer, or none.
/// Every situation is checked three ways: the fast path against libgit2's status (entries, kinds and
/// order), `status()` against libgit2's, and libgit2's against `git status` itself.
@Suite("Fast status")
struct FastStatusTests {
    enum Path { case fast, fallback }

    /// A repository with files in several folders, names with spaces and UTF-8, an ignore file, a
    /// tracked folder that is ignored, and stat data that is not racy (files dated in the past, the
    /// index refreshed after), so that the fast path trusts stat data as git does.
    func base(_ sandbox: Sandbox, _ name: String = "repo") throws -> TestRepository {
        let repo = try sandbox.repository(name)
        try repo.write(".gitignore", "*.log\nbuild/\nvendor/\n")
        for file in ["src/a/one.txt", "src/a/two.txt", "src/b/three.txt", "docs/guide.md", "dir with space/ünïcode é.txt",
                     "top.txt", "keep/inner/deep.txt"] {
            try repo.write(file, "content of \(file)\n")
        }
        try repo.write("vendor/lib.c", "int x;\n")
        try repo.git("add", ".")
        try repo.git("add", "-f", "vendor/lib.c")
        try repo.git("commit", "-qm", "base")
        try settle(repo)
        return repo
    }

    /// Dates every worktree file 100 s back and refreshes the index: nothing is racily clean.
    func settle(_ repo: TestRepository) throws {
        let past = "@\(Int(Date().timeIntervalSince1970) - 100)"
        _ = try repo.run("/usr/bin/env", ["find", ".", "-path", "./.git", "-prune", "-o", "-exec", "touch", "-h", "-d", past, "{}", "+"])
        _ = try repo.run("/usr/bin/env", ["git", "update-index", "-q", "--refresh"])
    }

    func open(_ repo: TestRepository) throws -> GitRepository {
        try GitRepository.open(at: repo.path, environment: Environment([:]))
    }

    /// `git status` as (path, kind) pairs; kind nil where the porcelain code has no single mapping.
    func gitStatus(_ repo: TestRepository) throws -> [Pair] {
        let result = try repo.run("/usr/bin/env", ["git", "status", "--porcelain", "-z", "--untracked-files=normal",
                                                   "--ignore-submodules=all"])
        #expect(result.status == 0, "git status: \(result.stderr)")
        return result.stdout.split(separator: "\0").map { record in
            let code = String(record.prefix(2)), path = String(record.dropFirst(3))
            let kind: StatusEntry.Kind?
            switch code {
            case "??": kind = .untracked
            case " M": kind = .modified
            case " D": kind = .deleted
            case " T": kind = .typeChange
            default: kind = nil
            }
            return Pair(path: path, kind: kind)
        }.sorted { $0.path < $1.path }
    }

    struct Pair: Equatable, CustomStringConvertible {
        var path: String
        var kind: StatusEntry.Kind?
        var description: String { "\(path) [\(kind.map(\.rawValue) ?? "?")]" }
    }

    /// The three comparisons. `expected` lists (path, kind) as libgit2 must report them, so that a
    /// situation the fast path and libgit2 both got wrong would still fail.
    func check(_ repo: TestRepository, _ situation: String, path expectedPath: Path, expected: [StatusEntry],
               gitDiffers: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repository = try open(repo)
        let reference = try repository.libgit2Status()
        #expect(reference.entries == expected, "\(situation): libgit2", sourceLocation: sourceLocation)
        let fast = repository.fastStatus(limit: 10_000)
        switch expectedPath {
        case .fast:
            #expect(fast != nil, "\(situation): the fast path should answer", sourceLocation: sourceLocation)
            if let fast { #expect(fast == reference, "\(situation): fast vs libgit2", sourceLocation: sourceLocation) }
            let first = repository.fastStatus(limit: 1)
            #expect(first?.entries == Array(reference.entries.prefix(1)), "\(situation): limit", sourceLocation: sourceLocation)
        case .fallback:
            #expect(fast == nil, "\(situation): the fast path should leave it to libgit2", sourceLocation: sourceLocation)
        }
        #expect(try repository.status() == reference, "\(situation): status()", sourceLocation: sourceLocation)
        let ours = reference.entries.map { Pair(path: $0.path, kind: $0.kind) }.sorted { $0.path < $1.path }
        let theirs = try gitStatus(repo)
        if gitDiffers {
            #expect(ours != theirs, "\(situation): git was expected to differ", sourceLocation: sourceLocation)
        } else {
            #expect(ours.count == theirs.count && zip(ours, theirs).allSatisfy { $0.path == $1.path && ($1.kind == nil || $0.kind == $1.kind) },
                    "\(situation): libgit2 \(ours) vs git \(theirs)", sourceLocation: sourceLocation)
        }
    }

    func entry(_ path: String, _ kind: StatusEntry.Kind) -> StatusEntry { StatusEntry(path: path, kind: kind) }

    /// Sets `file`'s times to `reference`'s (mtime to the nanosecond; ctime changes regardless).
    func copyTimes(_ repo: TestRepository, from reference: String, to file: String) throws {
        _ = try repo.run("/usr/bin/env", ["touch", "-h", "-r", reference, file])
    }

    @Test("clean, touched, and content changes the stat data shows")
    func trackedChanges() throws {
        let sandbox = try Sandbox("fast")
        let repo = try base(sandbox)
        try check(repo, "clean", path: .fast, expected: [])

        try repo.write("src/a/one.txt", try repo.read("src/a/one.txt"))
        try check(repo, "touched, same content", path: .fast, expected: [])

        try repo.write("src/a/one.txt", "CONTENT OF src/a/one.txt\n")
        try check(repo, "same size, new mtime", path: .fast, expected: [entry("src/a/one.txt", .modified)])

        let repo2 = try base(sandbox, "r2")
        _ = try repo2.run("/usr/bin/env", ["cp", "-p", "src/a/two.txt", "../two.saved"])
        try repo2.write("src/a/two.txt", "longer content of src/a/two.txt\n")
        try copyTimes(repo2, from: "../two.saved", to: "src/a/two.txt")
        try check(repo2, "different size, same mtime", path: .fast, expected: [entry("src/a/two.txt", .modified)])

        let repo3 = try base(sandbox, "r3")
        try FileManager.default.removeItem(atPath: repo3.path + "/docs/guide.md")
        try FileManager.default.removeItem(atPath: repo3.path + "/keep/inner/deep.txt")
        try check(repo3, "deleted files", path: .fast, expected: [entry("docs/guide.md", .deleted), entry("keep/inner/deep.txt", .deleted)])

        let repo4 = try base(sandbox, "r4")
        _ = try repo4.run("/usr/bin/env", ["chmod", "+x", "top.txt"])
        try check(repo4, "chmod +x", path: .fast, expected: [entry("top.txt", .modified)])

        let repo5 = try base(sandbox, "r5")
        try repo5.write("dir with space/ünïcode é.txt", "changed\n")
        try check(repo5, "UTF-8 name with spaces modified", path: .fast, expected: [entry("dir with space/ünïcode é.txt", .modified)])
    }

    @Test("a file replaced by a symbolic link, by a folder, and a folder replaced by a file")
    func typeChanges() throws {
        let sandbox = try Sandbox("fast")
        let repo = try base(sandbox)
        try FileManager.default.removeItem(atPath: repo.path + "/top.txt")
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/top.txt", withDestinationPath: "docs/guide.md")
        try check(repo, "file replaced by a symlink", path: .fast, expected: [entry("top.txt", .typeChange)])

        let repo2 = try base(sandbox, "r2")
        try FileManager.default.removeItem(atPath: repo2.path + "/top.txt")
        try repo2.write("top.txt/inside.txt", "x\n")
        // git does not list the folder that took a tracked file's name; libgit2 does.
        try check(repo2, "file replaced by a folder with a file", path: .fast,
                  expected: [entry("top.txt", .deleted), entry("top.txt/", .untracked)], gitDiffers: true)

        let repo3 = try base(sandbox, "r3")
        try FileManager.default.removeItem(atPath: repo3.path + "/top.txt")
        try FileManager.default.createDirectory(atPath: repo3.path + "/top.txt", withIntermediateDirectories: false)
        try check(repo3, "file replaced by an empty folder", path: .fast, expected: [entry("top.txt", .deleted)])

        let repo4 = try base(sandbox, "r4")
        try FileManager.default.removeItem(atPath: repo4.path + "/src/b")
        try repo4.write("src/b", "now a file\n")
        try check(repo4, "folder replaced by a file", path: .fallback,
                  expected: [entry("src/b", .untracked), entry("src/b/three.txt", .deleted)])

        let repo5 = try base(sandbox, "r5")
        try FileManager.default.moveItem(atPath: repo5.path + "/src/b", toPath: repo5.path + "/moved")
        try FileManager.default.createSymbolicLink(atPath: repo5.path + "/src/b", withDestinationPath: "../moved")
        try check(repo5, "folder replaced by a symlink to the same files", path: .fallback,
                  expected: [entry("moved/", .untracked), entry("src/b", .untracked), entry("src/b/three.txt", .deleted)])
    }

    @Test("untracked files and folders, ignored ones, empty ones, .handoff/")
    func untracked() throws {
        let sandbox = try Sandbox("fast")
        let repo = try base(sandbox)
        try repo.store.initialise(hostname: "h")
        try repo.write(".handoff/extra.txt", "x")
        try check(repo, ".handoff/ with a file", path: .fast, expected: [])

        try repo.write("new.txt", "x")
        try repo.write("src/a/naïve file.txt", "x")
        try repo.write("fresh/deep/er/file.txt", "x")
        try repo.write("新しい/ファイル.txt", "x")
        try check(repo, "untracked files and folders", path: .fast,
                  expected: [entry("fresh/", .untracked), entry("new.txt", .untracked), entry("src/a/naïve file.txt", .untracked),
                             entry("新しい/", .untracked)])

        let repo2 = try base(sandbox, "r2")
        try repo2.write("logs/a.log", "x")
        try repo2.write("logs/deeper/b.log", "x")
        try repo2.write("src/a/debug.log", "x")
        try repo2.write("build/out.o", "x")
        try repo2.write("mixed/build/out.o", "x")
        try repo2.write("mixed/sub/c.log", "x")
        try FileManager.default.createDirectory(atPath: repo2.path + "/empty/inner", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo2.path + "/src/b/empty", withIntermediateDirectories: true)
        try check(repo2, "ignored files, all-ignored folders, empty folders", path: .fast, expected: [])

        try repo2.write("mixed/sub/deeper/found.txt", "x")
        try check(repo2, "a folder whose one file that counts is deep", path: .fast, expected: [entry("mixed/", .untracked)])

        let repo3 = try base(sandbox, "r3")
        try repo3.write("vendor/new.c", "x")
        try repo3.write("vendor/extra/more.c", "x")
        try repo3.write("vendor.txt", "x")
        try repo3.write("vendor/lib.c", "int y;\n")
        try check(repo3, "ignored folder with tracked files: untracked inside are ignored, tracked ones count", path: .fast,
                  expected: [entry("vendor.txt", .untracked), entry("vendor/lib.c", .modified)])

        let repo4 = try base(sandbox, "r4")
        try repo4.write("src/.gitignore", "*.tmp\n!keep.tmp\n")
        try repo4.git("add", "src/.gitignore")
        try repo4.git("commit", "-qm", "nested ignore")
        try settle(repo4)
        try repo4.write("src/a/x.tmp", "x")
        try repo4.write("src/a/keep.tmp", "x")
        try repo4.write("src/c/only.tmp", "x")
        try repo4.write(".git/info/exclude", "excluded.txt\n")
        try repo4.write("excluded.txt", "x")
        try check(repo4, "nested .gitignore with a negation, info/exclude", path: .fast,
                  expected: [entry("src/a/keep.tmp", .untracked)])
    }

    @Test("nested repositories, a submodule, a racily clean file")
    func repositoriesAndRaces() throws {
        let sandbox = try Sandbox("fast")
        let repo = try base(sandbox)
        let nested = try sandbox.repository("repo/nested")
        _ = nested
        try check(repo, "nested repository with a commit", path: .fast, expected: [entry("nested/", .untracked)])
        _ = try sandbox.repository("repo/src/empty-nested", empty: true)
        // git reports a nested repository even when it holds nothing but .git; libgit2 alone does not,
        // both of handoff's paths do (GitRepository.collectStatus, UntrackedWalker.holdsUnignoredFile).
        try check(repo, "empty nested repository", path: .fast,
                  expected: [entry("nested/", .untracked), entry("src/empty-nested/", .untracked)])

        let sub = try sandbox.repository("sub")
        let repo2 = try base(sandbox, "r2")
        try repo2.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.path, "modules/sub")
        try repo2.git("commit", "-qm", "submodule")
        try settle(repo2)
        try check(repo2, "submodule, clean", path: .fast, expected: [])
        try repo2.write("modules/sub/README.md", "changed inside\n")
        try repo2.write("modules/sub/new.txt", "x")
        try repo2.write("top.txt", "changed\n")
        try check(repo2, "submodule with changes inside (left out)", path: .fast, expected: [entry("top.txt", .modified)])

        // Racily clean: the index records stat data identical to the file's, but was written in the
        // same instant as the file, so the content may have changed unseen. Built with libgit2: the
        // entry gets the new file's stat data and the old content's id, the index file the file's mtime.
        let repo3 = try base(sandbox, "r3")
        try repo3.write("top.txt", "CONTENT OF top.txt\n")  // same size as before
        // Dated in the past first: libgit2 would otherwise truncate the racy entry's size on write.
        _ = try repo3.run("/usr/bin/env", ["touch", "-d", "@\(Int(Date().timeIntervalSince1970) - 50)", "top.txt"])
        try forgeStatData(repo3, "top.txt")
        #expect(try open(repo3).fastStatus(limit: 10)?.entries == [], "the forged entry's stat data matches the file")
        try copyTimes(repo3, from: "top.txt", to: ".git/index")
        try check(repo3, "racily clean", path: .fast, expected: [entry("top.txt", .modified)])
        // Same forged entry (git status just smudged it: forged again), index clearly newer: stat data
        // is trusted, by git, libgit2 and the fast path alike.
        try forgeStatData(repo3, "top.txt")
        _ = try repo3.run("/usr/bin/env", ["touch", "-d", "@\(Int(Date().timeIntervalSince1970) + 5)", ".git/index"])
        try check(repo3, "stat data trusted once the index is newer", path: .fast, expected: [])
    }

    /// Records `file`'s current stat data in its index entry, keeping the entry's object id.
    func forgeStatData(_ repo: TestRepository, _ file: String) throws {
        let repository = try open(repo)
        var index: OpaquePointer?
        #expect(git_repository_index(&index, repository.handle) == 0)
        defer { git_index_free(index) }
        guard let current = git_index_get_bypath(index, file, 0) else { throw SandboxError("no entry for \(file)") }
        var entry = current.pointee
        var info = stat()
        #expect(lstat(repo.path + "/" + file, &info) == 0)
        let modified = FileTime.modification(info), changed = FileTime.change(info)
        entry.mtime = git_index_time(seconds: Int32(modified.seconds), nanoseconds: UInt32(modified.nanoseconds))
        entry.ctime = git_index_time(seconds: Int32(changed.seconds), nanoseconds: UInt32(changed.nanoseconds))
        entry.file_size = UInt32(info.st_size)
        entry.ino = UInt32(truncatingIfNeeded: info.st_ino)
        entry.dev = UInt32(truncatingIfNeeded: info.st_dev)
        file.withCString { path in
            entry.path = path
            #expect(git_index_add(index, &entry) == 0)
            #expect(git_index_write(index) == 0)
        }
    }

    @Test("entries the fast path leaves to libgit2: skip-worktree, intent-to-add, conflicts, staged changes")
    func fallbacks() throws {
        let sandbox = try Sandbox("fast")
        let repo = try base(sandbox)
        try repo.git("update-index", "--skip-worktree", "top.txt")
        try repo.write("top.txt", "changed but skipped\n")
        try check(repo, "skip-worktree", path: .fallback, expected: [])

        let repo2 = try base(sandbox, "r2")
        try repo2.write("planned.txt", "x")
        try repo2.git("add", "-N", "planned.txt")
        try check(repo2, "intent-to-add", path: .fallback, expected: [entry("planned.txt", .modified)])

        let repo3 = try base(sandbox, "r3")
        try repo3.git("update-index", "--assume-unchanged", "top.txt")
        try repo3.write("top.txt", "changed but assumed unchanged\n")
        try check(repo3, "assume-unchanged", path: .fallback, expected: [])

        let repo4 = try base(sandbox, "r4")
        try repo4.write("staged.txt", "x")
        try repo4.git("add", "staged.txt")
        try check(repo4, "something staged", path: .fallback, expected: [entry("staged.txt", .staged)])

        let repo5 = try base(sandbox, "r5")
        try repo5.git("config", "core.ignorecase", "true")
        try repo5.write("top.txt", "changed\n")
        try check(repo5, "core.ignorecase", path: .fallback, expected: [entry("top.txt", .modified)])
    }

    @Test("a large index is judged on several threads")
    func largeIndex() throws {
        let sandbox = try Sandbox("fast")
        let repo = try sandbox.repository()
        for folder in 0..<50 {
            for file in 0..<100 {
                try repo.write(String(format: "f%02d/file%03d.txt", folder, file), "\(folder) \(file)\n")
            }
        }
        try repo.git("add", ".")
        try repo.git("commit", "-qm", "5000 files")
        try settle(repo)
        try check(repo, "5,000 files, clean", path: .fast, expected: [])
        try repo.write("f00/file000.txt", "changed 0\n")
        try repo.write("f25/file050.txt", "changed 25\n")
        try FileManager.default.removeItem(atPath: repo.path + "/f49/file099.txt")
        try repo.write("f30/untracked.txt", "x")
        try repo.write("f49/new/x.txt", "x")
        try check(repo, "5,000 files, changes spread over the threads' ranges", path: .fast,
                  expected: [entry("f00/file000.txt", .modified), entry("f25/file050.txt", .modified), entry("f30/untracked.txt", .untracked),
                             entry("f49/file099.txt", .deleted), entry("f49/new/", .untracked)])
        _ = try repo.run("/usr/bin/env", ["find", ".", "-path", "./.git", "-prune", "-o", "-name", "*.txt", "-exec", "touch", "{}", "+"])
        try check(repo, "every file touched: too many candidates", path: .fallback,
                  expected: [entry("f00/file000.txt", .modified), entry("f25/file050.txt", .modified), entry("f30/untracked.txt", .untracked),
                             entry("f49/file099.txt", .deleted), entry("f49/new/", .untracked)])
    }
}
