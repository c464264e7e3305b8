// swift-tools-version: 6.0
import PackageDescription

/// Every hook is its own tiny executable: a process that starts, asks one question, answers and exits.
/// They share HandoffKit, where all the logic lives; only HandoffKit's git layer imports libgit2.
let hookTargets = [
    "handoff-post-commit",
    "handoff-pre-push",
    "handoff-stop-gate",
    "handoff-compact",
    "handoff-session",
]

let package = Package(
    name: "handoff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .library(name: "HandoffKit", targets: ["HandoffKit"]),
    ] + hookTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        .target(
            name: "HandoffKit",
            dependencies: ["CLibgit2"]
        ),
        .executableTarget(
            name: "handoff",
            dependencies: [
                "HandoffKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "HandoffKitTests",
            dependencies: ["HandoffKit"]
        ),
        // Drives the real Claude Code CLI against a loopback model server (Support/fake_messages_server.py).
        .testTarget(
            name: "HandoffE2ETests",
            dependencies: ["HandoffKit"],
            exclude: ["Support"]
        ),
    ] + hookTargets.map { .executableTarget(name: $0, dependencies: ["HandoffKit"]) },
    swiftLanguageModes: [.v6]
)
