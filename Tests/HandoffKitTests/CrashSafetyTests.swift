import Foundation
import Testing
@testable import HandoffKit

@Suite("Crash safety")
struct CrashSafetyTests {
    @Test("writers killed with SIGKILL at random points never leave a torn or invalid state.json")
    func killedWriters() throws {
        let sandbox = try Sandbox("kill")
        let repo = try sandbox.repository()
        for name in ["build", "tests", "lint"] { try repo.git("config", "handoff.check.\(name)", "none") }
        _ = try repo.handoff("init")
        let handoff = try BuiltProducts.path("handoff")
        let judgement = sandbox.path("j.json")
        let big = (0..<200).map { #"{"description": "item \#($0) \#(String(repeating: "x", count: 200))", "ref": "r\#($0)"}"# }.joined(separator: ",")
        try #"{"done": [\#(big)], "severity": "IN_PROGRESS", "resume": {"next": "README.md:1 review the long list of items", "files": ["README.md"], "context": "c"}, "watch_out_for": ["w"]}"#
            .write(toFile: judgement, atomically: true, encoding: .utf8)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: handoff)
            process.arguments = ["end", "--session", "k\(round)", "--from", judgement]
            process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
            process.environment = sandbox.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...12_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = try repo.read(".handoff/state.json")
            let value = try JSONValue.parse(text)
            #expect(StateValidator.validate(value).isValid, "round \(round): \(StateValidator.validate(value).errors)")
        }
        // The next writer cleans up what the killed ones left, and the store is still fully usable.
        _ = try repo.handoff("end", "--session", "final", "--from", judgement)
        #expect(FileSystem.list(repo.store.layout.directory).filter { $0.contains(".tmp.") }.isEmpty)
        #expect(try repo.store.readState().sessionID == "final")
    }
}
