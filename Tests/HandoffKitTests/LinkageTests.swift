import Foundation
import HandoffKit
import Testing

/// On Linux every executable links libgit2 from Debian's static archives (Package.swift), so a hook
/// starts without mapping libgit2's 19 shared dependencies (about 4 ms each start; bench/RESULTS.md).
/// A change that brought `libgit2.so` back (a `link` in the module map, pkg-config's `--libs`) would
/// still build and pass every other test: this one reads what the dynamic loader would load.
@Suite("linkage")
struct LinkageTests {
    /// One executable serves the CLI and every hook.
    static let executables = ["handoff"]
    /// Debian's libgit2.so and what it pulls in.
    static let libgit2Dependencies = [
        "libgit2", "libmbed", "libssh2", "libcrypto", "libssl", "libgssapi", "libkrb5", "libk5crypto",
        "libcom_err", "libkeyutils", "libresolv", "libpcre2", "libhttp_parser", "libz.",
    ]

    #if os(Linux)
    @Test("no executable loads libgit2 or its dependencies as shared libraries", arguments: executables)
    func loadsNoSharedLibgit2(executable: String) throws {
        let path = try BuiltProducts.path(executable)
        // glibc's loader lists the objects it would map, and exits without running the program.
        var environment = ProcessInfo.processInfo.environment
        environment["LD_TRACE_LOADED_OBJECTS"] = "1"
        let result = try launch(path, [], directory: FileManager.default.temporaryDirectory.path, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // The listing is real (libc is always there), so an empty answer cannot pass.
        #expect(objects.contains { $0.hasPrefix("libc.so") }, "the loader's listing has no libc: \(result.stdout)")
        let shared = objects.filter { object in Self.libgit2Dependencies.contains { object.hasPrefix($0) } }
        #expect(shared.isEmpty, "\(executable) loads \(shared.joined(separator: ", "))")
    }
    #endif
}

/// The executables hash SHA-1 with OpenSSL instead of libgit2's SHA1DC (Sources/CLibgit2ProcessStartup/
/// sha1_openssl.c); HandoffKit and this test bundle keep SHA1DC. A wrong digest would not break the
/// status a user sees — libgit2 would refuse the index's checksum and git would answer instead — so
/// this checks that libgit2 itself answered, in the built `handoff`, on an index git wrote (its
/// checksum spans many SHA-1 blocks) and on file contents libgit2 had to hash to judge.
@Suite("SHA-1 in the executables")
struct ExecutableSHA1Tests {
    @Test("libgit2 in the built executable verifies git's index checksum and hashes contents as git does")
    func libgit2AnswersWithGitsDigests() throws {
        let sandbox = try Sandbox("sha1")
        let repo = try sandbox.repository()
        for folder in 0..<10 {
            for file in 0..<30 { try repo.write("d\(folder)/f\(file).txt", "file \(folder)/\(file)\n") }
        }
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "300 files")
        _ = try repo.handoff("init")
        // Same content, another mtime and ctime: libgit2 must hash it to find it unchanged.
        try repo.git("update-index", "--refresh")
        _ = try repo.run("/usr/bin/touch", ["-d", "@1000000000", "d3/f7.txt"])
        // Same size, other content: only the hash tells it apart.
        try repo.write("d5/f9.txt", "FILE 5/9\n")
        _ = try repo.run("/usr/bin/touch", ["-d", "@1000000000", "d5/f9.txt"])

        let result = try repo.handoff("status", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let value = try JSONValue.parse(result.stdout)
        #expect(value["git_fallback"] == .null, "libgit2 did not answer: \(result.stdout)")
        #expect(value["uncommitted"] == 1, "\(result.stdout)")
        #expect(result.stdout.contains("d5/f9.txt"), "\(result.stdout)")
        #expect(!result.stdout.contains("d3/f7.txt"), "\(result.stdout)")
        // git agrees.
        #expect(try repo.git("status", "--porcelain") == "M d5/f9.txt")
    }
}
