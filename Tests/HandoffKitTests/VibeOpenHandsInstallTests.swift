import Foundation
import Testing

@testable import HandoffKit

/// `handoff install --vibe|--openhands`: merged into each agent's own file, taken out byte for byte,
/// hostile files left alone, and doctor's view of what each agent will really read.
@Suite("Vibe and OpenHands installers")
struct VibeOpenHandsInstallTests {
    let folder: String
    let bin: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-vo-install-\(UUID().uuidString.prefix(8))").path
        bin = folder + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: bin + "/handoff", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
    }

    func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func vibeBlockIsAppendedOnceAndRemovedByteForByte() throws {
        let path = folder + "/vibe/hooks.toml"
        // The user's own hook, without a final newline.
        try write(path, "[[hooks]]\nname = \"lint\"\ntype = \"post_agent\"\ncommand = \"make lint\"")
        let before = bytes(path)
        let first = try VibeHooks.install(hooksAt: path, binDirectory: bin, scope: .user, dryRun: false)
        #expect(first.changed)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("[[hooks]]\nname = \"lint\""), "the user's hook is kept as it was")
        #expect(text.contains("type = \"pre_tool\"") && text.contains("type = \"post_tool\"") && text.contains("type = \"post_agent\""))
        #expect(text.contains("command = \"\\\"\(bin)/handoff\\\" hook stop-gate --agent vibe\""), "\(text)")
        #expect(try VibeHooks.install(hooksAt: path, binDirectory: bin, scope: .user, dryRun: false).changed == false, "never twice")
        #expect(VibeHooks.inspect(hooksAt: path, environment: Environment(["PATH": "/usr/bin"])).registered)
        let removed = try VibeHooks.uninstall(hooksAt: path, dryRun: false)
        #expect(removed.lines.last?.contains("byte for byte") == true, "\(removed.lines)")
        #expect(bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".pre-handoff"))
    }

    @Test func vibeFileHandoffCreatedGoesAndAnInlineHooksArrayIsRefused() throws {
        let path = folder + "/fresh/hooks.toml"
        _ = try VibeHooks.install(hooksAt: path, binDirectory: bin, scope: .project, dryRun: false)
        // A project's file names the program without a path: each person's PATH finds it.
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("command = \"handoff hook session --agent vibe\""))
        _ = try VibeHooks.uninstall(hooksAt: path, dryRun: false)
        #expect(!FileManager.default.fileExists(atPath: path))
        let inline = folder + "/inline/hooks.toml"
        try write(inline, "hooks = [{name = \"x\", type = \"post_agent\", command = \"true\"}]\n")
        let before = bytes(inline)
        #expect(throws: VibeHooks.Failure.self) { try VibeHooks.install(hooksAt: inline, binDirectory: bin, scope: .user, dryRun: false) }
        #expect(bytes(inline) == before, "left untouched")
    }

    @Test func openHandsGroupsAreMergedAndRemovedByteForByte() throws {
        let path = folder + "/oh/hooks.json"
        try write(path, "{\"hooks\": {\"Stop\": [{\"matcher\": \"*\", \"hooks\": [{\"type\": \"command\", \"command\": \"echo mine\"}]}]}, \"x\": 1}\n")
        let before = bytes(path)
        _ = try OpenHandsHooks.install(hooksAt: path, binDirectory: bin, scope: .user, dryRun: false)
        let json = try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
        let stop = json["hooks"]?["Stop"]?.arrayValue ?? []
        #expect(stop.count == 2, "the user's group kept, handoff's added")
        #expect(stop.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "echo mine")
        #expect(stop.last?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "\"\(bin)/handoff\" hook stop-gate --agent openhands")
        #expect(json["x"]?.intValue == 1)
        #expect(OpenHandsHooks.inspect(hooksAt: path, environment: Environment([:])).missing.isEmpty)
        #expect(try OpenHandsHooks.install(hooksAt: path, binDirectory: bin, scope: .user, dryRun: false).changed == false)
        _ = try OpenHandsHooks.uninstall(hooksAt: path, dryRun: false)
        #expect(bytes(path) == before)
        let broken = folder + "/broken/hooks.json"
        try write(broken, "{\"hooks\": {\"Stop\": \"not a list\"}}")
        #expect(throws: OpenHandsHooks.Failure.self) { try OpenHandsHooks.install(hooksAt: broken, binDirectory: bin, scope: .user, dryRun: false) }
    }

    @Test func doctorFailsWhenAProjectFileHidesTheUserInstall() throws {
        let repo = try AgentRepo()
        let home = folder + "/home"
        _ = try OpenHandsHooks.install(hooksAt: home + "/.openhands/hooks.json", binDirectory: bin, scope: .user, dryRun: false)
        let environment = Environment(["HOME": home, "PATH": "/usr/bin:/bin"])
        let doctor = Doctor(environment: environment, workingDirectory: repo.root, binDirectory: bin)
        #expect(doctor.checkOpenHandsHooks(root: repo.root).first?.status == .warn, "registered, skills missing")
        _ = try CodexSkills.install(codexHome: home + "/.openhands", dryRun: false, sigil: "/", triggers: true)
        #expect(doctor.checkOpenHandsHooks(root: repo.root).first?.status == .pass)
        // The project's own file: OpenHands now reads only that one.
        try write(repo.root + "/.openhands/hooks.json", "{\"hooks\": {\"PreToolUse\": []}}\n")
        let hidden = try #require(doctor.checkOpenHandsHooks(root: repo.root).first)
        #expect(hidden.status == .fail && hidden.fix == "handoff install --openhands --scope project", "\(hidden)")
        // The skill carries its trigger, so `/handoff-dump` in a message loads it.
        #expect(try String(contentsOfFile: home + "/.openhands/skills/handoff-dump/SKILL.md", encoding: .utf8).contains("triggers:\n  - /handoff-dump\n---"))
    }

    @Test func doctorChecksVibesProgramAndSkills() throws {
        let repo = try AgentRepo()
        let vibeHome = folder + "/vibe-home"
        let environment = Environment(["VIBE_HOME": vibeHome, "HOME": folder, "PATH": "/usr/bin:/bin"])
        _ = try VibeHooks.install(hooksAt: vibeHome + "/hooks.toml", binDirectory: bin, scope: .user, dryRun: false)
        _ = try CodexSkills.install(codexHome: vibeHome, dryRun: false, sigil: "/")
        let doctor = Doctor(environment: environment, workingDirectory: repo.root, binDirectory: bin)
        #expect(doctor.checkVibeHooks(root: repo.root).first?.status == .pass)
        try FileManager.default.removeItem(atPath: bin + "/handoff")
        let broken = try #require(doctor.checkVibeHooks(root: repo.root).first)
        #expect(broken.status == .fail && broken.detail.contains("missing or not executable"), "\(broken)")
    }
}
