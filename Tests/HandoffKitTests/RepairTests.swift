import Foundation
import Testing
@testable import HandoffKit

@Suite("Store repair")
struct RepairTests {
    @Test("a damaged state is moved aside and rebuilt from the newest archive and the commit events", arguments: [
        "{\"_version\": 1, \"sour", "\u{0}\u{1}binary", "{\"_version\": 9}", "{\"_version\": 1, \"done\": \"nope\"}", "",
    ])
    func rebuild(_ damage: String) throws {
        let sandbox = try Sandbox("repair")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        var archived = ValidatorTests.goodHandover()
        archived.done = [.init(description: "older", ref: "0000001")]
        try repo.store.archive(archived.json, as: "old-session")
        usleep(20_000)
        try repo.store.append(Event(type: "commit", [("short", "1234567"), ("subject", "newer work")]))
        try repo.write(".handoff/state.json", damage)
        let result = try repo.handoff("repair")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Moved the damaged state"))
        let aside = FileSystem.list(repo.store.layout.directory).filter { $0.hasPrefix("state.json.corrupt-") }
        #expect(aside.count == 1)
        #expect(try repo.read(".handoff/" + aside[0]) == damage)
        let state = try repo.store.readState()
        #expect(state.done.map(\.ref) == ["0000001", "1234567"])
        #expect(try SchemaCheck.errors(forStateFile: repo.path + "/.handoff/state.json").isEmpty)
        // A healthy store is left alone.
        #expect(try repo.handoff("repair").stdout.contains("nothing to repair"))
    }
}
