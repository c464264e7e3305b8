import Foundation
import Testing

@testable import HandoffKit

/// `handoff install --codex` without Codex itself: the merge, the trust block, the byte-exact
/// uninstall. (That the real Codex trusts and runs what this writes is CodexE2ETests'.)
@Suite("Codex install")
struct CodexInstallTests {
    final class Home: @unchecked Sendable {
        let folder: String
        let bin: String
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-codex-\(UUID().uuidString)").path
            bin = folder + "/bin"
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            for name in ["handoff"] {
                try "#!/bin/sh\n".write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
                chmod(bin + "/" + name, 0o755)
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
        var hooks: String { folder + "/hooks.json" }
        var config: String { folder + "/config.toml" }
        func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
    }

    @Test func theTrustHashIsCodexs() {
        // Values the real Codex 0.163.0 reported (`codex app-server`, hooks/list, currentHash).
        #expect(CodexHooks.trustHash(eventKey: "post_tool_use", matcher: "Bash", command: "/work/scratch16/exp2/any.sh", timeout: 10)
                == "sha256:77d7b30877d356a66a184f2aaff4fbd9ecec74292e9e94a54f0b164c7ea7665f")
        #expect(CodexHooks.trustHash(eventKey: "session_end", matcher: nil, command: "/work/scratch16/exp2/any.sh", timeout: 3)
                == "sha256:33694218ccee6a757174758da333705736d0705064a0884963a547ab8ba3e6b3")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func installMergesTrustsAndUninstallRestoresByteForByte() throws {
        let home = try Home()
        let config = "# my settings\nmodel = \"o3\"\n\n[projects.\"/src/x\"]\ntrust_level = \"trusted\"\n"
        let hooks = "{\n  \"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"/usr/local/bin/notify\"}]}]}\n}\n"
        try config.write(toFile: home.config, atomically: true, encoding: .utf8)
        try hooks.write(toFile: home.hooks, atomically: true, encoding: .utf8)
        let report = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
        #expect(report.changed)
        let merged = try JSONValue.parse(Array(try #require(home.read(home.hooks)).utf8))
        let stop = merged["hooks"]?["Stop"]?.arrayValue ?? []
        #expect(stop.count == 2, "the user's Stop hook is kept, ours appended")
        #expect(stop[0]["hooks"]?.arrayValue?.first?["command"]?.stringValue == "/usr/local/bin/notify")
        #expect(stop[1]["hooks"]?.arrayValue?.first?["command"]?.stringValue == "\"\(home.bin)/handoff\" hook stop-gate --agent codex")
        let newConfig = try #require(home.read(home.config))
        #expect(newConfig.hasPrefix(config), "config.toml is only appended to")
        let key = CodexHooks.trustKey(hooksPath: home.hooks, eventKey: "stop", group: 1, handler: 0)
        let hash = CodexHooks.trustHash(eventKey: "stop", matcher: nil, command: "\"\(home.bin)/handoff\" hook stop-gate --agent codex", timeout: 10)
        #expect(CodexHooks.stateKeys(newConfig)[key] == hash)
        let inspection = CodexHooks.inspect(hooksAt: home.hooks, configAt: home.config)
        #expect(inspection.missing.isEmpty && inspection.untrusted.isEmpty && inspection.brokenPaths.isEmpty, "\(inspection)")

        // Twice changes nothing.
        #expect(try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin).changed == false)

        _ = try CodexHooks().uninstall(hooksAt: home.hooks, configAt: home.config)
        #expect(home.read(home.config) == config)
        #expect(home.read(home.hooks) == hooks)
        #expect(!FileManager.default.fileExists(atPath: home.config + ".pre-handoff"))
    }

    @Test func filesHandoffCreatedAreRemovedAgain() throws {
        let home = try Home()
        _ = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
        #expect(home.read(home.config)?.hasPrefix(CodexHooks.blockBegin) == true)
        _ = try CodexHooks().uninstall(hooksAt: home.hooks, configAt: home.config)
        #expect(!FileManager.default.fileExists(atPath: home.config))
        #expect(!FileManager.default.fileExists(atPath: home.hooks))
    }

    @Test func aChangedEntryIsReportedUntrusted() throws {
        let home = try Home()
        _ = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
        let text = try #require(home.read(home.hooks)).replacingOccurrences(of: "\"timeout\": 15", with: "\"timeout\": 16")
        try text.write(toFile: home.hooks, atomically: true, encoding: .utf8)
        #expect(CodexHooks.inspect(hooksAt: home.hooks, configAt: home.config).untrusted == ["PreCompact"])
    }

    @Test func aConfigThatCannotTakeTheBlockIsLeftUntouched() throws {
        let home = try Home()
        let config = "hooks = { state = {} }\n"
        try config.write(toFile: home.config, atomically: true, encoding: .utf8)
        #expect(throws: CodexHooks.Failure.self) {
            _ = try CodexHooks().install(hooksAt: home.hooks, configAt: home.config, binDirectory: home.bin)
        }
        #expect(home.read(home.config) == config)
        #expect(!FileManager.default.fileExists(atPath: home.hooks))
    }
}
