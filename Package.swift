// swift-tools-version: 6.0
import PackageDescription

/// libgit2 on Linux: Debian's own static archives (libgit2-dev and the -dev packages it depends on ship
/// them), so a hook maps no shared library besides libc — Debian's libgit2.so pulls in 19 more, and mapping
/// and binding them cost every hook about 4 ms at start (bench/RESULTS.md). `pkg-config --static --libs
/// libgit2` lists these but not libssh2's libcrypto, nor GSSAPI, for which Debian ships no archive: the
/// CLibgit2Static target stands in for it (Negotiate authentication over HTTP, which handoff never uses).
/// Linked by name (`-l:libX.a`) so that the linker cannot pick the `.so` beside it.
let libgit2StaticArchives = ["git2", "mbedtls", "mbedx509", "mbedcrypto", "http_parser", "ssh2", "crypto", "pcre2-8", "z"]

/// The libgit2 functions the executables replace (Sources/CLibgit2ProcessStartup says why, one by one).
let libgit2StartupWraps = [
    "mbedtls_x509_crt_parse_file", "libssh2_init",
    "git_hash_sha1_ctx_init", "git_hash_sha1_ctx_cleanup", "git_hash_sha1_init", "git_hash_sha1_update", "git_hash_sha1_final",
]

let package = Package(
    name: "handoff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .library(name: "HandoffKit", targets: ["HandoffKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        libgit2Headers,
        .target(
            name: "CLibgit2Static",
            linkerSettings: libgit2StaticArchives.map { .linkedLibrary(":lib\($0).a", .when(platforms: [.linux])) }
                + [.linkedLibrary("git2", .when(platforms: [.macOS]))]
        ),
        .target(
            name: "HandoffKit",
            dependencies: ["CLibgit2", "CLibgit2Static"]
        ),
        // Process-wide choices about libgit2 (start-up work skipped, SHA-1 through OpenSSL); only the
        // executables link it (see its sources).
        .target(
            name: "CLibgit2ProcessStartup",
            linkerSettings: [.unsafeFlags(libgit2StartupWraps.flatMap { ["-Xlinker", "--wrap=\($0)"] }, .when(platforms: [.linux]))]
        ),
        // One executable: the CLI, and every hook (a process that starts, asks one question, answers
        // and exits), chosen in main.swift before the CLI's parser runs. All the logic is in
        // HandoffKit; only HandoffKit's git layer imports libgit2.
        .executableTarget(
            name: "handoff",
            dependencies: [
                "HandoffKit",
                "CLibgit2ProcessStartup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A release build is linked position-dependent on Linux: a PIE of this size makes the
            // loader apply ~59,000 relative relocations at every start, which cost every hook 4-6 %
            // more instructions than the separate executables did; without them the one binary
            // starts with 0.7-1.6 % fewer (bench/RESULTS.md, "One executable"). Libraries are still
            // placed at random. Release only: with the Swift runtime as shared libraries (debug
            // builds) glibc's loader warns at every start about direct references to their
            // protected symbols; releases link the runtime in (--static-swift-stdlib).
            linkerSettings: [.unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release))]
        ),
        .testTarget(
            name: "HandoffKitTests",
            dependencies: ["HandoffKit"],
            // Expected `--help` output, compared by HelpSnapshotTests, and files earlier versions
            // installed (UpgradeTests): read from the source tree, not resources of the bundle.
            exclude: ["HelpSnapshots", "Fixtures"]
        ),
        // Drives the real Claude Code CLI against a loopback model server (Support/fake_messages_server.py).
        .testTarget(
            name: "HandoffE2ETests",
            dependencies: ["HandoffKit"],
            exclude: ["Support"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

/// libgit2's headers. On Linux without pkg-config: its `--libs` would add `-lgit2`, the shared library.
#if os(Linux)
var libgit2Headers: Target {
    .systemLibrary(name: "CLibgit2", providers: [.apt(["libgit2-dev"])])
}
#else
var libgit2Headers: Target {
    .systemLibrary(name: "CLibgit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])])
}
#endif
