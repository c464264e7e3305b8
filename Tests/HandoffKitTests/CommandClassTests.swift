import Testing

@testable import HandoffKit

/// Bash commands are recorded with a class; the stop gate and the snapshot look for test and build runs by it.
@Suite("Command classes")
struct CommandClassTests {
    @Test("commands are classed by what they run", arguments: [
        ("swift test --filter StoreTests", CommandClass.test),
        ("cd app && npm test", .test),
        ("python -m pytest -x tests/", .test),
        ("swift build -c release", .build),
        ("make", .build),
        ("npx eslint src/", .lint),
        ("git commit -qam 'wip'", .vcs),
        ("gh pr create --fill", .vcs),
        ("ls -la", .other),
    ])
    func classes(_ pair: (String, CommandClass)) {
        #expect(CommandClass.classify(pair.0) == pair.1)
    }

    @Test("a command of hundreds of kilobytes is classed by its start and its end")
    func longCommands() {
        let data = String(repeating: "x", count: 300_000)
        #expect(CommandClass.classify("swift test && cat <<'EOF'\n\(data)\nEOF") == .test)
        #expect(CommandClass.classify("cat > fixture.txt <<'EOF'\n\(data)\nEOF\nswift build") == .build)
        #expect(CommandClass.classify("cat > fixture.txt <<'EOF'\n\(data) swift test \(data)\nEOF") == .other)
    }
}
