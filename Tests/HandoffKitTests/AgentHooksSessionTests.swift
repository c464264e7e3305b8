import Foundation
import Testing

@testable import HandoffKit

@Suite("Agent hooks: session, tools, compaction, brief")
struct AgentHooksSessionTests {
    let session = "sess-life-1"

    @Test func sessionStartCreatesTheStoreAndRecordsTheStart() throws {
        let repo = try AgentRepo()
        try repo.write("dirty.txt", "x\n")
        let envFile = repo.root + "/../\(UUID().uuidString).sh"
        defer { try? FileManager.default.removeItem(atPath: envFile) }
        let output = repo.sessionStart(session, environment: ["CLAUDE_ENV_FILE": envFile])
        #expect(repo.store.exists)
        let json = try JSONValue.parse(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["hookSpecificOutput"]?["hookEventName"]?.stringValue == "SessionStart")
        let brief = try #require(json["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        #expect(brief.contains("no handover recorded yet"))
        #expect(brief.contains("/handoff:dump"))
        let runtime = try #require(repo.runtime(session))
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(runtime.startHash == head)
        #expect(runtime.startBranch == "main")
        #expect(runtime.dirtyAtStart.map(\.path) == ["dirty.txt"])
        let state = try repo.state()
        #expect(state.sessionID == session)
        #expect(state.runtime.sessionStartHash == runtime.startHash)
        #expect(state.runtime.handoffEndCompleted == false)
        let exported = try String(contentsOfFile: envFile, encoding: .utf8)
        #expect(exported == "export HANDOFF_SESSION_ID=\(session)\n")
        #expect(repo.events(EventType.sessionStart).first?["source"]?.stringValue == "startup")
    }

    @Test func anotherSessionsStateIsArchivedAndItsContentKeptForTheBrief() throws {
        let repo = try AgentRepo()
        repo.sessionStart("sess-old")
        var state = try repo.state()
        state.source = .manualEnd
        state.severity = .inProgress
        state.runtime.handoffEndCompleted = true
        state.resume = .init(next: "Sources/Lexer.swift:88 handle the escaped quote", files: ["Sources/Lexer.swift"], context: "half way through strings")
        state.blockers = [.init(description: "waiting for the grammar decision")]
        state.failed = [.init(description: "fuzzing crashed", tried: "swift test --filter Fuzz", error: "signal 11", why: "stack overflow on deep nesting", need: "iterative parser")]
        state.watchOutFor = ["the fixtures are CRLF"]
        state.sessionMemory.corrections = ["use tabs, not spaces"]
        try repo.store.writeState(state)
        // The old session's last reflection, as the gate records it.
        try repo.store.append(Event(type: EventType.handover, session: "sess-old", [
            ("kind", "reflection"), ("outcome", "partial"), ("next_step", "TASK-7 finish escaped quotes"), ("archive", "x"),
        ]))

        let output = repo.sessionStart(session)
        let parsed = try JSONValue.parse(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        let brief = try #require(parsed["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        // The reflection is the newer handover: its Next step is the one next step; the older resume point is not offered.
        #expect(brief.split(separator: "\n").filter { $0.hasPrefix("Next") } == ["Next (reflection of session sess-old, partial): TASK-7 finish escaped quotes"])
        #expect(!brief.contains("Sources/Lexer.swift:88 handle the escaped quote"))
        for needle in ["IN_PROGRESS", "main", "Sources/Lexer.swift", "half way through strings",
                       "waiting for the grammar decision", "fuzzing crashed", "stack overflow", "CRLF", "use tabs", "TASK-7 finish escaped quotes"] {
            #expect(brief.contains(needle), "brief lacks \(needle)")
        }
        #expect(brief.count <= ResumeBrief.maximumCharacters)
        #expect(FileSystem.exists(repo.store.layout.archiveFile(session: "sess-old")))
        let now = try repo.state()
        #expect(now.sessionID == session)
        #expect(now.resume.next == "Sources/Lexer.swift:88 handle the escaped quote")
        #expect(now.runtime.handoffEndCompleted == false)
    }

    @Test func theBriefStaysShort() {
        var state = HandoffState()
        state.source = .autoSave
        state.severity = .critical
        state.resume = .init(next: "a.swift:1 " + String(repeating: "do a thing ", count: 200), files: (0..<50).map { "file\($0).swift" },
                             context: String(repeating: "context ", count: 500))
        state.blockers = (0..<20).map { .init(description: String(repeating: "blocker \($0) ", count: 40)) }
        state.failed = (0..<20).map { _ in .init(description: String(repeating: "f", count: 500), tried: "t", error: "e", why: String(repeating: "w", count: 500), need: nil) }
        state.watchOutFor = (0..<20).map { String(repeating: "watch \($0) ", count: 50) }
        state.sessionMemory.corrections = (0..<20).map { String(repeating: "c\($0) ", count: 60) }
        let brief = ResumeBrief.build(state: state, branch: "main", next: NextStep(text: String(repeating: "n", count: 900), source: .reflection,
                                                                                  session: "s", outcome: "partial", tasks: []),
                                      compaction: "Context was just compacted.")
        #expect(brief.count <= ResumeBrief.maximumCharacters)
        #expect(brief.hasSuffix("/handoff:handoff-end."))
        #expect(brief.contains("CRITICAL"))
    }

    @Test func bashCallsAreRecordedRedactedWithExitCodeAndClass() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        repo.bash(session, "curl -H 'Authorization: Bearer sk-abcdefghijklmnopqrstuv' https://example.invalid")
        repo.bash(session, "npm test", exitCode: 3)
        let tools = repo.events(EventType.tool)
        #expect(tools.count == 2)
        let first = tools[0]
        let recorded = first["command"]?.stringValue ?? ""
        #expect(recorded.contains("sk-abcdefghijklmnopqrstuv") == false)
        #expect(first["command"]?.stringValue?.contains(Redactor.mask) == true)
        #expect(first["exit_code"]?.intValue == 0)
        #expect(first["ok"]?.boolValue == true)
        #expect(first.session == session)
        #expect(tools[1]["exit_code"]?.intValue == 3)
        #expect(tools[1]["class"]?.stringValue == "test")
        #expect(tools[1]["ok"]?.boolValue == false)
        // Plain Bash calls are not "work"; edits and commits are.
        #expect(repo.runtime(session)?.lastWorkAt == nil)
    }

    @Test func fileEditsAreRecordedRelativeAndMarkWork() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        repo.edit(session, "Sources/App/main.swift", tool: "Edit")
        let edit = try #require(repo.events(EventType.fileEdit).first)
        #expect(edit["paths"] == ["Sources/App/main.swift"])
        #expect(edit["tool"]?.stringValue == "Edit")
        #expect(repo.runtime(session)?.lastWorkAt != nil)
    }

    @Test func toolEventsOutsideAnOptedInRepositoryDoNothing() throws {
        let repo = try AgentRepo(optIn: false)
        #expect(GateAnswer(repo.bash(session, "ls")) == .allow)
        repo.edit(session, "a.txt")
        #expect(!repo.store.exists)
    }

    @Test func aToolEventAfterAWipeRecreatesTheStoreAndMarksTheSessionAsWorking() throws {
        let repo = try AgentRepo()
        #expect(GateAnswer(repo.bash(session, "git clean -fdx")) == .allow)
        #expect(repo.store.exists)
        #expect(repo.events(EventType.storeWiped).count == 1)
        #expect(repo.runtime(session)?.lastWorkAt != nil)
    }

    @Test func compactionCountsAndSnapshotsTheSession() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("Sources/A.swift", "a\n", message: "add A")
        try repo.commitFile("Sources/B.swift", "b\n", message: "add B")
        try repo.write("Sources/C.swift", "c\n")
        repo.edit(session, "Sources/C.swift")
        repo.bash(session, "swift test --filter C", exitCode: 1)
        #expect(GateAnswer(repo.compact(session, trigger: "auto")) == .allow)

        let state = try repo.state()
        #expect(state.source == .autoSave)
        #expect(state.sessionID == session)
        #expect(state.runtime.compactionCount == 1)
        #expect(state.runtime.lastCompaction != nil)
        #expect(state.done.map(\.description) == ["add B", "add A"])
        #expect(state.resume.files.first == "Sources/C.swift")
        let pointer = try #require(ResumePointer.parse(state.resume.next))
        #expect(pointer.path == "Sources/C.swift")
        #expect(state.failed.count == 1)
        #expect(state.failed.first?.why?.isEmpty == false)
        #expect(state.health.tests == .fail)
        #expect(state.severity == .inProgress)
        #expect(StateValidator.validate(state.json).isValid)
        #expect(FileSystem.exists(repo.store.layout.sessionsDirectory + "/\(session).compact-1.json"))
        let event = try #require(repo.events(EventType.compaction).first)
        #expect(event["trigger"]?.stringValue == "auto")
        #expect(event["count"]?.intValue == 1)

        repo.compact(session)
        #expect(try repo.state().runtime.compactionCount == 2)
        #expect(repo.runtime(session)?.compactionCount == 2)
    }

    @Test func aFailingBuildMakesTheSnapshotCritical() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        repo.bash(session, "swift build", exitCode: 1)
        repo.compact(session)
        #expect(try repo.state().severity == .critical)
    }

    @Test func compactionNeverLowersAManualEndOfTheSameSession() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("x.txt", "x\n")
        var state = try repo.state()
        state.source = .manualEnd
        state.severity = .ready
        state.resume = .init(next: "x.txt:1 write the second section", files: ["x.txt"], context: "deliberate")
        state.runtime.handoffEndCompleted = true
        try repo.store.writeState(state)
        repo.compact(session)
        let after = try repo.state()
        #expect(after.source == .manualEnd)
        #expect(after.resume.context == "deliberate")
        #expect(after.runtime.compactionCount == 1)
        #expect(after.runtime.lastCompaction != nil)
        #expect(after.runtime.handoffEndCompleted)
    }

    @Test func theBriefAfterCompactionSaysWhatTheSnapshotCaught() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("y.txt", "y\n", message: "add y")
        try repo.write("z.txt", "z\n")
        repo.compact(session)
        let output = repo.sessionStart(session, source: "compact")
        let parsed = try JSONValue.parse(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        let brief = try #require(parsed["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        #expect(brief.contains("compacted (#1"))
        #expect(brief.contains("1 commit this session"))
        #expect(brief.contains("z.txt:1"))
    }

    @Test func sessionEndAutoSavesWithoutAHandover() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("w.txt", "w\n", message: "add w")
        _ = SessionHook.run(repo.input(AgentRepo.payload([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "SessionEnd"), ("reason", "other"),
        ])))
        let end = try #require(repo.events(EventType.sessionEnd).first)
        #expect(end["auto_saved"]?.boolValue == true)
        #expect(try repo.state().source == .autoSave)
        #expect(repo.runtime(session)?.endedAt != nil)
        #expect(FileSystem.exists(repo.store.layout.sessionsDirectory + "/\(session).autosave.json"))
    }

    @Test func sessionEndAfterAHandoverOrWithoutWorkLeavesTheStateAlone() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        _ = SessionHook.run(repo.input(AgentRepo.payload([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "SessionEnd"), ("reason", "other"),
        ])))
        #expect(repo.events(EventType.sessionEnd).first?["auto_saved"]?.boolValue == false)
        #expect(try repo.state().source == .initial)
    }
}

@Suite("Agent hooks: hostile input")
struct AgentHooksHostileInputTests {
    static let payloads: [[UInt8]] = {
        var list: [[UInt8]] = [
            [],
            Array("not json at all".utf8),
            Array("{\"session_id\": ".utf8),
            Array("[1,2,3]".utf8),
            Array("\"a string\"".utf8),
            Array("{\"session_id\": 5, \"hook_event_name\": [\"Stop\"], \"stop_hook_active\": \"yes\", \"cwd\": {}, \"tool_input\": \"x\", \"last_assistant_message\": 7}".utf8),
            Array("{\"session_id\": \"../../etc/passwd\", \"hook_event_name\": \"Stop\"}".utf8),
            Array("{\"session_id\": \"s1\", \"hook_event_name\": \"PostToolUse\", \"tool_name\": \"Bash\", \"tool_input\": {\"command\": null}}".utf8),
            Array("{\"session_id\": \"s1\", \"hook_event_name\": \"PostToolUseFailure\", \"tool_name\": \"Bash\", \"error\": \"Exit code 99999999999999999999999\"}".utf8),
            Array(String(repeating: "[", count: 100_000).utf8),
            (0..<65_536).map { _ in UInt8.random(in: 0...255) },
        ]
        list.append(Array(("{\"session_id\": \"s1\", \"hook_event_name\": \"Stop\", \"last_assistant_message\": \"" + String(repeating: "A", count: 9 * 1024 * 1024)).utf8))
        return list
    }()

    /// Every payload goes to every hook (whatever event it claims); the seeded, per-event property
    /// test is `Fuzz: agent hook standard input` (HostileInputFuzzTests.swift).
    @Test func noPayloadCrashesAHookAndAllFailOpen() throws {
        let repo = try AgentRepo()
        repo.sessionStart("s1")
        try repo.commitFile("dirty.txt", "d\n")
        for payload in Self.payloads {
            let input = HookInput(environment: Environment(["CLAUDE_PROJECT_DIR": repo.root]), workingDirectory: repo.root,
                                  standardInput: { payload })
            let outputs = [StopGate.run(input), CompactHook.run(input), SessionHook.run(input)]
            for output in outputs {
                #expect(output.exitStatus == 0)
                let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { #expect((try? JSONValue.parse(text)) != nil, "output must be JSON: \(text.prefix(200))") }
            }
            #expect(StoreAudit.badEventLines(repo.store.layout.eventsFile).isEmpty)
            #expect(StoreAudit.stateProblem(repo.store) == nil)
        }
    }

    @Test func wrongTypesReadAsMissing() {
        let input = ClaudeHookInput.parse(Array("{\"session_id\": 5, \"stop_hook_active\": \"yes\", \"tool_input\": \"x\", \"error\": 3}".utf8))
        #expect(input.sessionIDField == nil)
        #expect(input.stopHookActive == false)
        #expect(input.toolInput.isEmpty)
        #expect(input.failureExitCode == nil)
        #expect(input.sessionID(environment: Environment(["CLAUDE_CODE_SESSION_ID": "from-env"])) == "from-env")
        #expect(ClaudeHookInput.parse(Array("{\"session_id\": \"a/../b\"}".utf8)).sessionID(environment: Environment([:])) == nil)
        #expect(ClaudeHookInput.parse(Array("{\"error\": \"Exit code 3\\nboom\"}".utf8)).failureExitCode == 3)
    }
}
