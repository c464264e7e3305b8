import Foundation
import Testing

/// On Linux every executable links libgit2 from Debian's static archives (Package.swift), so a hook
/// starts without mapping libgit2's 19 shared dependencies (about 4 ms each start; bench/RESULTS.md).
/// A change that brought `libgit2.so` back (a `link` in the module map, pkg-config's `--libs`) would
/// still build and pass every other test: this one reads what the dynamic loader would load.
@Suite("linkage")
struct LinkageTests {
    static let executables = [
        "handoff", "handoff-post-commit", "handoff-pre-push", "handoff-stop-gate", "handoff-compact", "handoff-session",
    ]
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
