import Foundation
import Testing

@testable import HandoffKit

/// Seeded property tests over the standard input of every hook. A failure message starts with the
/// seed; `HANDOFF_FUZZ_SEED=<seed> swift test --filter Fuzz` replays the run.
@Suite("Fuzz: pre-push standard input")
struct PrePushFuzzTests {
    static let zero = String(repeating: "0", count: 40)

    @Test("hostile ref lines: exit 0, stdin drained to the last byte, the log stays JSON, nothing written outside .handoff/",
          .timeLimit(.minutes(4)))
    func hostileRefLines() throws {
        let seed = SeededGenerator.runSeed()
        print("pre-push fuzz seed: \(seed) (replay with HANDOFF_FUZZ_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let sandbox = try GitSandbox("fuzz")
        defer { try? FileManager.default.removeItem(atPath: sandbox.root) }
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        try repo.git("remote", "add", "origin", remote)
        for index in 0..<3 { try repo.commit("f\(index).txt", "\(index)\n", message: "commit \(index)") }
        try repo.git("push", "-q", "-u", "origin", "main")
        try repo.commit("f3.txt", "3\n", message: "commit 3 (unpushed)")
        let shas = try repo.git("rev-list", "--all").split(separator: "\n").map(String.init)
        let hook = try HookProducts.path("handoff-pre-push")
        var environment = sandbox.environment
        // The hook's own deadline is not what this test is about; a slow debug build must not turn a
        // correct run into a missing record. The process limit below still bounds every run.
        environment["HANDOFF_HOOK_TIMEOUT"] = "60"
        let store = repo.store
        let pushesBefore = repo.events(EventType.push).count
        // Everything outside the store, byte for byte (the remote, the repository, its .git, HOME).
        let before = TreeSnapshot(sandbox.root, excluding: ["repo/.handoff"])

        let plan = (0..<RefLineFuzz.kinds).flatMap { kind in Array(repeating: kind, count: RefLineFuzz.cases(of: kind)) }
        for (index, kind) in plan.enumerated() {
            let input = RefLineFuzz.input(kind: kind, random: &random, shas: shas)
            let secretURL = random.chance(20)
            let url = secretURL ? "https://fuzzer:hunter2secret@example.invalid/repo.git" : remote
            let label = "seed \(seed), case \(index) (kind \(RefLineFuzz.names[kind]), \(input.count) bytes)"
            let result = try PipeFeeder.run(hook, ["origin", url], in: repo.path, environment: environment, input: input, timeout: 90)
            #expect(!result.timedOut, "\(label): the hook did not finish")
            #expect(result.status == 0, "\(label): exit \(result.status), stderr: \(result.stderr.prefix(300))")
            #expect(result.unread == 0, "\(label): the hook left \(result.unread) bytes of stdin unread (git would see EPIPE)")
            #expect(result.writeError == nil, "\(label): writing stdin failed with errno \(result.writeError ?? 0)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(label): the hook said \(result.stdout.prefix(200)) \(result.stderr.prefix(300))")
            let bad = StoreAudit.badEventLines(store.layout.eventsFile)
            #expect(bad.isEmpty, "\(label): event lines that are not JSON: \(bad.prefix(2))")
            #expect(StoreAudit.lines(ofFile: store.layout.eventsFile).unterminated == 0, "\(label): events.jsonl ends in a partial line")
            #expect(repo.events(EventType.push).count == pushesBefore + index + 1, "\(label): the push was not recorded exactly once")
            #expect(StoreAudit.stateProblem(store) == nil, "\(label): \(StoreAudit.stateProblem(store) ?? "")")
            if FileSystem.exists(store.layout.pushesFile) {
                #expect((try? JSONValue.parse(FileSystem.readBytes(store.layout.pushesFile)))?["branches"]?.objectValue != nil,
                        "\(label): pushes.json is no longer a ledger")
            }
            if secretURL {
                let last = try #require(repo.events(EventType.push).last)
                #expect(!last.json.compactText.contains("hunter2secret"), "\(label): the URL's password was recorded")
            }
        }
        #expect(store.events.readAll().skippedLines == 0, "seed \(seed)")
        #expect(FileSystem.list(store.layout.directory).filter { $0.contains(".tmp.") }.isEmpty, "seed \(seed): temporary files left")
        let after = TreeSnapshot(sandbox.root, excluding: ["repo/.handoff"])
        #expect(after == before, "seed \(seed): written outside .handoff/: \(after.differences(from: before).prefix(10))")
    }
}

/// Generators of git's pre-push input: `<local ref> <local sha> <remote ref> <remote sha>` per line,
/// and everything that is not quite that.
enum RefLineFuzz {
    static let names = ["well-formed", "field counts", "bad shas", "binary and NUL", "huge line", "many lines",
                        "line endings", "past the 8 MiB limit", "hostile refs", "empty"]
    static var kinds: Int { names.count }

    /// Runs per kind: the multi-megabyte ones are few, the cheap ones many.
    static func cases(of kind: Int) -> Int {
        switch kind {
        case 4, 5: return 3
        case 7: return 2
        case 9: return 2
        default: return 12
        }
    }

    static func sha(_ random: inout SeededGenerator, _ shas: [String]) -> String {
        let hex = Array("0123456789abcdef")
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1, 2: return shas.randomElement(using: &random)!
        case 3: return PrePushFuzzTests.zero
        case 4: return String(repeating: "0", count: Int.random(in: 1...80, using: &random))
        case 5: return String((0..<Int.random(in: 1...39, using: &random)).map { _ in hex.randomElement(using: &random)! })
        case 6: return String((0..<Int.random(in: 41...200, using: &random)).map { _ in hex.randomElement(using: &random)! })
        case 7: return shas.randomElement(using: &random)!.uppercased()
        case 8: return String((0..<40).map { _ in Array("0123456789abcdefghijklmnopqrstuvwxyz").randomElement(using: &random)! })
        default: return String((0..<64).map { _ in hex.randomElement(using: &random)! })
        }
    }

    static func ref(_ random: inout SeededGenerator, hostile: Bool) -> String {
        let ordinary = ["refs/heads/main", "refs/heads/feature/x", "refs/tags/v1.0", "HEAD", "refs/heads/main~1", "(delete)"]
        guard hostile || random.chance(30) else { return ordinary.randomElement(using: &random)! }
        let weird = [
            "refs/heads/../../../../etc/passwd", "refs/heads//abs", "/etc/passwd", "refs/heads/\"quoted\\\"", "refs/heads/ünïcødé-🚀",
            "refs/heads/line\u{2028}separator", "refs/heads/{\"json\":true}", "refs/heads/" + String(repeating: "x", count: 100_000),
            "refs/heads/%00%2e%2e", "refs/heads/$(rm -rf ~)", "refs/heads/`id`", "refs/heads/a;b|c&d", "refs/heads/.", "refs/heads/..",
            "refs/heads/" + String(repeating: "../", count: 500), "refs/heads/CON", "refs/heads/\u{7F}\u{1B}[31mred",
        ]
        return weird.randomElement(using: &random)!
    }

    static func line(_ random: inout SeededGenerator, _ shas: [String], hostileRefs: Bool = false) -> String {
        "\(ref(&random, hostile: hostileRefs)) \(sha(&random, shas)) \(ref(&random, hostile: hostileRefs)) \(sha(&random, shas))"
    }

    static func input(kind: Int, random: inout SeededGenerator, shas: [String]) -> [UInt8] {
        switch kind {
        case 0:
            // What git sends: real shas, new branches, deletions.
            return Array((0..<Int.random(in: 1...6, using: &random)).map { _ -> String in
                let local = random.chance(15) ? PrePushFuzzTests.zero : shas.randomElement(using: &random)!
                let remote = random.chance(40) ? PrePushFuzzTests.zero : shas.randomElement(using: &random)!
                return "refs/heads/b\(Int.random(in: 0..<5, using: &random)) \(local) refs/heads/b\(Int.random(in: 0..<5, using: &random)) \(remote)\n"
            }.joined().utf8)
        case 1:
            return Array((0..<Int.random(in: 1...30, using: &random)).map { _ -> String in
                let words = (0..<Int.random(in: 0...9, using: &random)).map { _ in random.chance(50) ? sha(&random, shas) : ref(&random, hostile: false) }
                let separator = [" ", "  ", "\t", " \t "].randomElement(using: &random)!
                return words.joined(separator: separator) + "\n"
            }.joined().utf8)
        case 2:
            return Array((0..<Int.random(in: 1...40, using: &random)).map { _ in line(&random, shas) + "\n" }.joined().utf8)
        case 3:
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                if random.chance(50) {
                    bytes += random.bytes(Int.random(in: 0...2000, using: &random))
                } else {
                    // A plausible line with NULs and invalid UTF-8 spliced into its fields.
                    var text = Array(line(&random, shas).utf8)
                    for _ in 0..<Int.random(in: 1...6, using: &random) {
                        text.insert([0x00, 0xFF, 0xC3, 0x80, 0xED, 0xA0, 0x80].randomElement(using: &random)!, at: Int.random(in: 0...text.count, using: &random))
                    }
                    bytes += text
                }
                bytes.append(0x0A)
            }
            return bytes
        case 4:
            // One enormous line: a ref name of megabytes, with or without its final newline.
            let size = Int.random(in: 500_000...1_500_000, using: &random)
            var bytes = Array("refs/heads/".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: size)
            bytes += Array(" \(shas[0]) refs/heads/main \(PrePushFuzzTests.zero)".utf8)
            if random.chance(50) { bytes.append(0x0A) }
            return bytes
        case 5:
            // Thousands of lines, drawn from a pool (building each one afresh is slow in a debug build).
            let pool = (0..<300).map { _ in
                Array((random.chance(70) ? line(&random, shas) : String(repeating: "z", count: Int.random(in: 0...80, using: &random))).utf8) + [0x0A]
            }
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1_000...3_000, using: &random) { bytes += pool[Int.random(in: 0..<pool.count, using: &random)] }
            return bytes
        case 6:
            let endings = ["\r\n", "\r", "\n\n", "\n \n", "\n\t\n", " \n"]
            return Array((0..<Int.random(in: 1...30, using: &random)).map { _ in
                line(&random, shas) + endings.randomElement(using: &random)!
            }.joined().utf8)
        case 7:
            // More than the 8 MiB the hook keeps: the rest must still be read and dropped.
            let target = Int.random(in: 8_600_000...10_000_000, using: &random)
            let block = Array((0..<200).map { _ in random.chance(1) ? line(&random, shas) : String(repeating: "junk ", count: 20) }.joined(separator: "\n").utf8) + [0x0A]
            var bytes: [UInt8] = []
            bytes.reserveCapacity(target + block.count)
            while bytes.count < target { bytes += block }
            return bytes
        case 8:
            return Array((0..<Int.random(in: 1...8, using: &random)).map { _ in line(&random, shas, hostileRefs: true) + "\n" }.joined().utf8)
        default:
            return []
        }
    }
}

/// Feeds a process's standard input through a pipe of which this process keeps a spare read end.
/// After the process exits, whatever is still in the pipe is exactly what it left unread: a writer
/// without the spare end (git) would have seen EPIPE in precisely those cases. Counting is the
/// stronger check, and it never kills the test process with SIGPIPE.
enum PipeFeeder {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var unread: Int
        var writeError: Int32?
        var timedOut: Bool
    }

    private final class WriteOutcome: @unchecked Sendable {
        var error: Int32?
    }

    static func run(_ program: String, _ arguments: [String], in directory: String, environment: [String: String],
                    input: [UInt8], timeout: Double) throws -> Result {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SandboxError("pipe failed: \(errno)") }
        let readEnd = fds[0], writeEnd = fds[1]
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let spare = fcntl(readEnd, F_DUPFD_CLOEXEC, 0)
        let scratch = NSTemporaryDirectory() + "/handoff-feed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle(fileDescriptor: readEnd, closeOnDealloc: false)
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            close(readEnd)
            close(writeEnd)
            close(spare)
            throw error
        }
        close(readEnd)
        let outcome = WriteOutcome()
        let written = DispatchSemaphore(value: 0)
        let writer = Thread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let count = write(writeEnd, buffer.baseAddress! + offset, min(65_536, buffer.count - offset))
                    if count < 0 {
                        if errno == EINTR { continue }
                        outcome.error = errno
                        break
                    }
                    offset += count
                }
            }
            close(writeEnd)
            written.signal()
        }
        writer.start()
        let timedOut = BoundedProcess.waitOrKill(process, timeout: timeout)
        // The hook is gone: drain the spare end to its EOF (the writer closes its end when done).
        var unread = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(spare, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            unread += count
        }
        written.wait()
        close(spare)
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
            unread: unread, writeError: outcome.error, timedOut: timedOut)
    }
}

// MARK: - Agent hooks

/// Every agent hook entry, fed realistic Claude Code payloads with seeded mutations: missing, extra
/// and wrongly-typed fields, huge values, binary bytes and NULs, deep nesting, hostile session ids
/// and paths, and broken JSON. In process for the many cases, through the executables for the
/// payloads only a process can receive (beyond the 8 MiB input limit).
@Suite("Fuzz: agent hook standard input")
struct AgentHookFuzzTests {
    static let events = ["SessionStart", "PostToolUse", "PostToolUseFailure", "Stop", "SubagentStop", "PreCompact", "SessionEnd"]
    static let mutationsPerEvent = 80
    static let controlsPerEvent = 6

    /// The hook function and executable Claude Code runs for an event (hooks/claude/hooks/hooks.json).
    static func hook(for event: String) -> (run: @Sendable (HookInput) -> HookOutput, product: String) {
        switch event {
        case "Stop", "SubagentStop": return (StopGate.run, "handoff-stop-gate")
        case "PreCompact": return (CompactHook.run, "handoff-compact")
        default: return (SessionHook.run, "handoff-session")
        }
    }

    @Test("mutated payloads: exit 0, a well-formed answer, a valid store, no unsafe file name, nothing written outside .handoff/",
          .timeLimit(.minutes(4)), arguments: events)
    func mutatedPayloads(event: String) throws {
        let runSeed = SeededGenerator.runSeed()
        let seed = runSeed ^ UInt64(Self.events.firstIndex(of: event)! + 1) &* 0x9E37_79B9
        print("agent hook fuzz seed for \(event): \(runSeed) (replay with HANDOFF_FUZZ_SEED=\(runSeed))")
        var random = SeededGenerator(seed: seed)
        let repo = try AgentRepo()
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let session = "fuzz-\(event.lowercased())"
        repo.sessionStart(session)
        try repo.commitFile("tracked.txt", "t\n", message: "work to judge")
        try repo.write("dirty.txt", "uncommitted\n")
        let before = TreeSnapshot(repo.root, excluding: [".handoff"])
        let (run, product) = Self.hook(for: event)

        for index in 0..<Self.mutationsPerEvent {
            let (payload, description) = AgentPayloadFuzz.mutated(event: event, session: session, root: repo.root, random: &random)
            var variables = ["CLAUDE_PROJECT_DIR": repo.root, "PATH": "/usr/bin:/bin"]
            switch Int.random(in: 0..<4, using: &random) {
            case 0: variables["CLAUDE_CODE_SESSION_ID"] = session
            case 1: variables["CLAUDE_CODE_SESSION_ID"] = AgentPayloadFuzz.hostileSessionIDs.randomElement(using: &random)!
            default: break
            }
            let label = "seed \(runSeed), \(event) case \(index) [\(description)]"
            let input = HookInput(environment: Environment(variables), workingDirectory: repo.root, standardInput: { payload })
            let output = run(input)
            Self.check(output, event: event, label: label)
            Self.checkStore(repo.store, label: label)
        }

        let actedOnByMutations = repo.events.filter { Self.recordedTypes(for: event).contains($0.type) }.count

        // Controls: a well-formed payload with only an unknown extra field must always be acted on. This is
        // exact per payload, unlike a share of the mutations, which depends on the seed (what a mutation
        // breaks decides whether the hook may act on it).
        for index in 0..<Self.controlsPerEvent {
            let tool = ["Bash", "Edit", "Write"][index % 3]
            var pairs = AgentPayloadFuzz.base(event: event, session: session, root: repo.root, tool: tool)
            pairs.append(("field_from_a_newer_client_\(index)", .string(AgentPayloadFuzz.randomString(&random, length: 12))))
            let variables = ["CLAUDE_PROJECT_DIR": repo.root, "PATH": "/usr/bin:/bin"]
            let payload = AgentPayloadFuzz.encode(pairs)
            let input = HookInput(environment: Environment(variables), workingDirectory: repo.root, standardInput: { payload })
            let recordedBefore = repo.events.filter { Self.recordedTypes(for: event).contains($0.type) }.count
            let label = "seed \(runSeed), \(event) control \(index) [\(tool), one unknown field]"
            Self.check(run(input), event: event, label: label)
            let recordedAfter = repo.events.filter { Self.recordedTypes(for: event).contains($0.type) }.count
            #expect(recordedAfter > recordedBefore, "\(label): a well-formed payload was not acted on")
        }

        // Through the executable: past the 8 MiB input limit, binary, and nested beyond any parser's patience.
        let executable = try HookProducts.path(product)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CLAUDE") && !$0.key.hasPrefix("HANDOFF_") && !$0.key.hasPrefix("GIT_") }
        environment["CLAUDE_PROJECT_DIR"] = repo.root
        // A well-formed payload whose one string runs past the 8 MiB the hooks keep.
        var big = AgentPayloadFuzz.encode(AgentPayloadFuzz.base(event: event, session: session, root: repo.root))
        big.removeLast()
        big += Array(",\"padding\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "p"), count: 9 * 1024 * 1024) + Array("\"}".utf8)
        let noise = random.bytes(256 * 1024)
        let binary = (0..<12).flatMap { _ in noise }
        let deep = Array((String(repeating: "[{\"a\":", count: 200_000)).utf8)
        for (name, payload) in [("9 MiB", big), ("binary", binary), ("deep", deep)] {
            let result = try BoundedProcess.run(executable, [], in: repo.root, environment: environment, stdin: payload, timeout: 60)
            let label = "seed \(runSeed), \(event) through \(product) [\(name)]"
            #expect(!result.timedOut && result.status == 0, "\(label): exit \(result.status) \(result.stderr.prefix(300))")
            Self.check(HookOutput(standardOutput: result.stdout, standardError: result.stderr, exitStatus: result.status), event: event, label: label,
                       allowDeadline: true)
            Self.checkStore(repo.store, label: label)
        }
        let after = TreeSnapshot(repo.root, excluding: [".handoff"])
        #expect(after == before, "seed \(runSeed), \(event): written outside .handoff/: \(after.differences(from: before).prefix(10))")
        // The mutations must not all be thrown away at the door: some reach the hook's own work (how many
        // depends on the seed; the controls above are the exact check).
        #expect(actedOnByMutations > 0, "seed \(runSeed), \(event): none of the \(Self.mutationsPerEvent) mutated payloads was acted on")
    }

    /// The events a payload of this kind leads to when the hook acts on it.
    static func recordedTypes(for event: String) -> Set<String> {
        switch event {
        case "SessionStart": return [EventType.sessionStart]
        case "PostToolUse", "PostToolUseFailure": return [EventType.tool, EventType.fileEdit]
        case "Stop": return [EventType.stopAllowed, EventType.stopBlocked, EventType.handover, EventType.gateOverridden]
        case "SubagentStop": return [EventType.subagentStop]
        case "PreCompact": return [EventType.compaction]
        default: return [EventType.sessionEnd]
        }
    }

    /// The answer's shape: exit 0, nothing on stderr, stdout empty or one JSON object this hook may print.
    static func check(_ output: HookOutput, event: String, label: String, allowDeadline: Bool = false) {
        #expect(output.exitStatus == 0, "\(label): exit \(output.exitStatus)")
        #expect(output.standardError.isEmpty, "\(label): stderr \(output.standardError.prefix(300))")
        let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        guard let object = (try? JSONValue.parse(text))?.objectValue else {
            Issue.record("\(label): stdout is not one JSON object: \(text.prefix(300))")
            return
        }
        let allowed: Set<String>
        switch hook(for: event).product {
        case "handoff-stop-gate": allowed = ["decision", "reason", "systemMessage"]
        case "handoff-session": allowed = ["hookSpecificOutput", "systemMessage"]
        default: allowed = ["systemMessage"]
        }
        #expect(Set(object.keys).isSubset(of: allowed), "\(label): unexpected keys \(object.keys)")
        if let decision = object["decision"] {
            #expect(decision == "block" && !(object["reason"]?.stringValue ?? "").isEmpty, "\(label): malformed block \(text.prefix(300))")
        }
        if let specific = object["hookSpecificOutput"] {
            #expect(specific["hookEventName"] == "SessionStart" && specific["additionalContext"]?.stringValue != nil, "\(label): \(text.prefix(300))")
        }
        if let message = object["systemMessage"]?.stringValue, !allowDeadline || !message.contains("did not answer in time") {
            // A warning is failing open on an internal error (or the gate's override, which needs blocks in a row).
            #expect(message.contains("WITHOUT a completed handover"), "\(label): the hook failed open: \(message.prefix(400))")
        }
    }

    /// The store after any input: whole JSON lines, a valid state, only safe names for files named after sessions.
    static func checkStore(_ store: HandoffStore, label: String) {
        let bad = StoreAudit.badEventLines(store.layout.eventsFile)
        #expect(bad.isEmpty, "\(label): event lines that are not JSON: \(bad.prefix(2))")
        #expect(StoreAudit.stateProblem(store) == nil, "\(label): \(StoreAudit.stateProblem(store) ?? "")")
        for name in FileSystem.list(store.layout.runtimeDirectory) where !name.hasPrefix(".") {
            #expect(name.hasSuffix(".json") && SessionID.isSafe(String(name.dropLast(5))), "\(label): runtime/\(name.debugDescription)")
        }
        for name in FileSystem.list(store.layout.sessionsDirectory) where !name.hasPrefix(".") {
            let base = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            #expect(SessionID.isSafe(base) && !name.contains("/"), "\(label): sessions/\(name.debugDescription)")
        }
    }
}

/// Realistic payloads per event, and the ways to spoil them.
enum AgentPayloadFuzz {
    static let hostileSessionIDs = [
        "", "../../../tmp/evil", "/etc/passwd", "a/b", ".hidden", "..", "s\u{0}x", "ünïcødé", String(repeating: "s", count: 200),
        "CON", "a b", "$(id)", "sess\nnext", "fuzz-ok-id",
    ]
    static let hostilePaths = [
        "../../../../etc/passwd", "/etc/passwd", "/", "", "relative/path.txt", "a\u{0}b", "/dev/zero", "/proc/self/mem",
        String(repeating: "d/", count: 5000) + "f", ".handoff/state.json", ".git/config", "~/.ssh/id_rsa", "/nonexistent/\u{FFFF}",
    ]

    static func encode(_ pairs: [(String, JSONValue)]) -> [UInt8] { Array(JSONValue.object(JSONObject(pairs)).compactText.utf8) }

    static func base(event: String, session: String, root: String, tool: String = "Bash") -> [(String, JSONValue)] {
        var pairs = ClaudePayload.common(event, session: session, cwd: root, home: "/nonexistent-home")
        switch event {
        case "SessionStart": pairs.append(("source", "startup"))
        case "PostToolUse", "PostToolUseFailure":
            pairs.append(("tool_name", .string(tool)))
            if tool == "Bash" {
                pairs.append(("tool_input", ["command": "swift test --filter Parser", "description": "Run the tests"]))
            } else {
                pairs.append(("tool_input", ["file_path": .string(root + "/Sources/a.swift"), "old_string": "a", "new_string": "b"]))
            }
            if event == "PostToolUse" {
                pairs.append(("tool_response", ["stdout": "ok", "stderr": "", "gitOperation": ["commit": ["sha": "abc1234", "kind": "committed", "branch": "main"]]]))
            } else {
                pairs.append(("error", "Exit code 1\nfailed"))
            }
        case "Stop":
            pairs += [("stop_hook_active", false), ("last_assistant_message", .string(validReflection)), ("background_tasks", [])]
        case "SubagentStop":
            pairs += [("stop_hook_active", false), ("agent_type", "general-purpose"), ("last_assistant_message", "hi")]
        case "PreCompact": pairs += [("trigger", "auto"), ("custom_instructions", .null)]
        case "SessionEnd": pairs.append(("reason", "other"))
        default: break
        }
        return pairs
    }

    static func randomString(_ random: inout SeededGenerator, length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 _-./:=\"\\\n\t{}[]é🚀\u{2028}")
        return String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
    }

    static func randomValue(_ random: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 6 : 8), using: &random) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .int([0, -1, Int.max, Int.min, 99999].randomElement(using: &random)!)
        case 3: return .double([1e308, -0.0, 3.14, 1e-300].randomElement(using: &random)!)
        case 4, 5: return .string(randomString(&random, length: Int.random(in: 0...40, using: &random)))
        case 6: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            return .object(JSONObject((0..<Int.random(in: 0...4, using: &random)).map { index in ("k\(index)", randomValue(&random, depth: depth + 1)) }))
        }
    }

    static func nested(depth: Int) -> JSONValue {
        var value: JSONValue = "bottom"
        for level in 0..<depth { value = level % 2 == 0 ? .array([value]) : .object(JSONObject([("n", value)])) }
        return value
    }

    /// A payload for `event` with one to three mutations, and a short description of them.
    static func mutated(event: String, session: String, root: String, random: inout SeededGenerator) -> ([UInt8], String) {
        let tool = ["Bash", "Edit", "Write", "MultiEdit", "NotebookEdit", "Read"].randomElement(using: &random)!
        var pairs = base(event: event, session: session, root: root, tool: tool)
        var done: [String] = []
        var raw: [(placeholder: String, bytes: [UInt8])] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let index = Int.random(in: 0..<pairs.count, using: &random)
            let key = pairs[index].0
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                pairs.remove(at: index)
                done.append("drop \(key)")
            case 1:
                pairs[index].1 = randomValue(&random)
                done.append("retype \(key)")
            case 2:
                let length = [70_000, 300_000, 1_500_000].randomElement(using: &random)!
                let text = key == "last_assistant_message" && random.chance(50)
                    ? "## Framework Reflection\n**Outcome**: success\n**Accomplishments**: " + String(repeating: "x", count: length) + "\n**Friction points**: y\n**Next step**: z"
                    : String(repeating: randomString(&random, length: 64), count: length / 64)
                pairs[index].1 = .string(text)
                done.append("huge \(key)")
            case 3:
                let placeholder = "@@RAW\(raw.count)@@"
                var bytes = random.bytes(Int.random(in: 1...300, using: &random)).filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
                if random.chance(50) { bytes.insert(0x00, at: 0) }
                raw.append((placeholder, bytes))
                pairs[index].1 = .string(placeholder)
                done.append("binary \(key)")
            case 4:
                pairs[index].1 = .string("before\u{0}after\u{0}")
                done.append("NUL \(key)")
            case 5:
                let depth = [100, 127, 129, 300, 5000].randomElement(using: &random)!
                pairs[index].1 = nested(depth: depth)
                done.append("nest \(depth) \(key)")
            case 6:
                for extra in 0..<Int.random(in: 1...40, using: &random) {
                    pairs.append(([("x\(extra)"), "", "__proto__", "session_id ", "ünï"].randomElement(using: &random)!, randomValue(&random)))
                }
                done.append("extra fields")
            case 7:
                if let at = pairs.firstIndex(where: { $0.0 == "session_id" }) {
                    pairs[at].1 = .string(hostileSessionIDs.randomElement(using: &random)!)
                }
                done.append("session id")
            case 8:
                let path = hostilePaths.randomElement(using: &random)!
                for name in ["cwd", "transcript_path"] where random.chance(50) {
                    if let at = pairs.firstIndex(where: { $0.0 == name }) { pairs[at].1 = .string(path) }
                }
                if let at = pairs.firstIndex(where: { $0.0 == "tool_input" }), var input = pairs[at].1.objectValue {
                    input["file_path"] = .string(path)
                    input["command"] = .string("cat \(path)")
                    pairs[at].1 = .object(input)
                }
                done.append("path \(path.prefix(30).debugDescription)")
            default:
                if let at = pairs.firstIndex(where: { $0.0 == "tool_input" }) {
                    pairs[at].1 = randomValue(&random)
                } else {
                    pairs[index].1 = .array([pairs[index].1, randomValue(&random)])
                }
                done.append("shape")
            }
        }
        var bytes = encode(pairs)
        for (placeholder, replacement) in raw {
            if let range = bytes.firstRange(of: Array(placeholder.utf8)) { bytes.replaceSubrange(range, with: replacement) }
        }
        // Sometimes spoil the document itself.
        if random.chance(15) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random))); done.append("truncated")
            case 1:
                for _ in 0..<Int.random(in: 1...20, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                done.append("flipped bytes")
            case 2: bytes = [UInt8(ascii: "[")] + bytes + [UInt8(ascii: "]")]; done.append("in an array")
            case 3: bytes = [0xEF, 0xBB, 0xBF] + bytes; done.append("BOM")
            case 4: bytes += Array(" {\"session_id\": \"other\"}".utf8); done.append("two documents")
            default: bytes.insert(contentsOf: Array(",\"session_id\":\"dup-\(Int.random(in: 0..<3, using: &random))\"".utf8), at: max(bytes.count - 1, 0)); done.append("duplicate key")
            }
        }
        return (bytes, done.joined(separator: ", "))
    }
}

/// Seeded fuzzing of what #26 bounded: the MCP server's input lines, task files planted in the
/// store, and shared trees a crafted remote can offer. The seed is printed; `HANDOFF_FUZZ_SEED`
/// replays it. Every loop has a fixed count.
@Suite("Fuzz: MCP server, task store, shared trees")
struct HostileStoreFuzzTests {
    static let validLines = [
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        #"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#,
        #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_task","arguments":{"title":"fuzz","labels":["x"]}}}"#,
        #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"list_tasks","arguments":{"all":true}}}"#,
        #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"update_task","arguments":{"id":"ho-0000000000","status":"done"}}}"#,
        #"{"jsonrpc":"2.0","id":6,"method":"ping"}"#,
    ]

    /// A mutation of `line`: bytes flipped, cut, duplicated, or a token swapped for a hostile one.
    static func mutate(_ line: String, random: inout SeededGenerator) -> [UInt8] {
        var bytes = Array(line.utf8)
        let swaps = ["\"2.0\"", "\"1.0\"", "null", "42", "[]", "{}", "\"\"", "true", "\"\\u0000\"", "1e400", "-1", "\"ho-../../x\""]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
            case 2:
                // Replace one value (after a colon) with a hostile token.
                let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
                guard let colon = colons.randomElement(using: &random) else { continue }
                let end = bytes[(colon + 1)...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") } ?? bytes.count
                bytes.replaceSubrange((colon + 1)..<end, with: Array(swaps.randomElement(using: &random)!.utf8))
            case 3: bytes = Array(swaps.randomElement(using: &random)!.utf8)
            default: bytes += random.bytes(Int.random(in: 0...8, using: &random)).filter { $0 != 0x0A }
            }
        }
        return bytes.filter { $0 != 0x0A }
    }

    @Test("every MCP line gets at most one answer, a JSON-RPC 2.0 object with a valid or null id and a known error code; a valid request always one")
    func mcpServer() throws {
        let seed = SeededGenerator.runSeed()
        print("MCP fuzz seed: \(seed) (replay with HANDOFF_FUZZ_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let sandbox = try Sandbox("fuzz-mcp")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        let server = TaskMCPServer(root: repo.path, environment: Environment([:]), version: "fuzz")
        let codes: Set<Int> = [-32700, -32600, -32601, -32602]
        for index in 0..<400 {
            let line = index < Self.validLines.count ? Array(Self.validLines[index].utf8) : Self.mutate(Self.validLines.randomElement(using: &random)!, random: &random)
            let label = "seed \(seed), case \(index): \(String(decoding: line.prefix(200), as: UTF8.self))"
            let answer = server.handle(line: line)
            let request = try? JSONValue.parse(line)
            let validID = request?["id"].flatMap { id -> JSONValue? in
                if id.stringValue != nil || id.intValue != nil { return id }
                return nil
            }
            let isWellFormed = request?["jsonrpc"]?.stringValue == "2.0" && request?["method"]?.stringValue != nil && validID != nil
                && (request?["params"].map { $0.objectValue != nil } ?? true)
            if isWellFormed { #expect(answer != nil, "\(label): a valid request got no answer") }
            guard let answer else { continue }
            #expect(!answer.contains("\n"), "\(label): more than one line")
            guard let response = try? JSONValue.parse(answer) else { Issue.record("\(label): the answer is not JSON: \(answer.prefix(200))"); continue }
            #expect(response["jsonrpc"] == "2.0", "\(label)")
            #expect((response["result"] == nil) != (response["error"] == nil), "\(label): exactly one of result and error")
            if let code = response["error"]?["code"]?.intValue { #expect(codes.contains(code), "\(label): code \(code)") }
            let id = response["id"] ?? .null
            #expect(id == .null || id == validID, "\(label): id \(id.compactText) echoed for \(validID?.compactText ?? "an invalid id")")
        }
    }

    @Test("hostile task files: every listing finishes, nothing is deleted, and every file set aside is a file_set_aside event")
    func taskStore() throws {
        let seed = SeededGenerator.runSeed()
        print("task store fuzz seed: \(seed) (replay with HANDOFF_FUZZ_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let sandbox = try Sandbox("fuzz-tasks")
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        let tasks = TaskStore(store: repo.store)
        let good = try tasks.add(TaskDraft(title: "the one good task"))
        let folder = repo.path + "/.handoff/tasks"
        let template = Array(good.json.prettyText.utf8)
        var planted = 0
        for index in 0..<120 {
            let id = "ho-fuzz" + String(format: "%06d", index)
            let path = "\(folder)/\(id).json"
            switch Int.random(in: 0..<6, using: &random) {
            case 0: FileManager.default.createFile(atPath: path, contents: Data(random.bytes(Int.random(in: 0...300, using: &random))))
            case 1:
                // The good task's bytes, damaged at one place, under another name.
                var bytes = template
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
            case 2: #expect(mkfifo(path, 0o600) == 0)
            case 3: #expect(symlink(["/dev/zero", "/etc/passwd", folder, "/nonexistent"].randomElement(using: &random)!, path) == 0)
            case 4: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            default:
                let text = #"{"id":"\#(id)","title":"t\u001b[2J","created_at":"2026-01-01T00:00:00.000Z","status":"\#(["open", "done", "nope", ""].randomElement(using: &random)!)"}"#
                FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            }
            planted += 1
        }
        let entriesBefore = FileSystem.list(folder).count
        let listing = tasks.list()
        #expect(listing.task(good.id) != nil, "seed \(seed): the good task is gone")
        #expect(FileSystem.list(folder).count == entriesBefore, "seed \(seed): a file was deleted")
        let events = repo.store.events.readAll().events.filter { $0.type == EventType.fileSetAside }
        #expect(events.count == listing.damaged.count, "seed \(seed): \(listing.damaged.count) set aside, \(events.count) recorded")
        let accounted = Set(listing.tasks.map { "\($0.id).json" } + listing.damaged.map { Path.basename($0.file).components(separatedBy: ".corrupt-")[0] })
        let missing = FileSystem.list(folder).filter { !$0.contains(".corrupt-") && !accounted.contains($0) }.map { name -> String in
            var info = stat()
            lstat("\(folder)/\(name)", &info)
            return "\(name) mode \(String(info.st_mode & S_IFMT, radix: 8)) size \(info.st_size) \((try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8))?.prefix(120) ?? "")"
        }
        #expect(listing.tasks.count + listing.damaged.count == 1 + planted, "seed \(seed): every file is a task or set aside; not: \(missing)")
        // A second listing finds nothing new to set aside.
        #expect(tasks.list().damaged.isEmpty, "seed \(seed)")
    }

    @Test("random shared trees: every commit reads as a handover or is named unreadable, and one crafted commit never hides another")
    func sharedTrees() throws {
        let seed = SeededGenerator.runSeed()
        print("shared tree fuzz seed: \(seed) (replay with HANDOFF_FUZZ_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let sandbox = try GitSandbox("fuzz-trees")
        let repo = try sandbox.repository("repo")
        let files = sandbox.path("payloads")
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        let origin = #"{"at":"2026-12-07T10:00:00.000Z","kind":"reflection","branch":"main","clone":"c","host":"h","agent":"a"}"#
        var script = "set -e\nempty=$(printf '' | git hash-object -w --stdin)\nsub=$(printf '100644 blob %s\\tx\\n' \"$empty\" | git mktree)\n"
        var expectReadable: [Bool] = []
        let count = 30
        for commit in 0..<count {
            var entries: [String] = []
            var readable = true
            for name in SharedHandover.fileNames {
                let file = "\(files)/\(commit)-\(name)"
                let roll = Int.random(in: 0..<10, using: &random)
                var bytes: [UInt8]
                switch roll {
                case 0: continue  // missing
                case 1:
                    entries.append("040000 tree $sub\\t\(name)")
                    readable = false
                    continue
                case 2:
                    bytes = Array(repeating: UInt8(ascii: "x"), count: HandoverRefs.fileCaps[name]! + 1)
                    readable = false
                case 3: bytes = random.bytes(Int.random(in: 0...200, using: &random))
                default: bytes = Array((name == SharedHandover.originFile ? origin : "{\"resume\":{\"next\":\"n\"}}").utf8)
                }
                if name == SharedHandover.originFile, roll == 3 { readable = false }
                FileManager.default.createFile(atPath: file, contents: Data(bytes))
                entries.append("100644 blob $(git hash-object -w '\(file)')\\t\(name)")
            }
            if !entries.contains(where: { $0.hasSuffix("\\t\(SharedHandover.originFile)") }) { readable = false }
            expectReadable.append(readable)
            script += "t=$(printf \"\(entries.joined(separator: "\\n"))\\n\" | git mktree)\nc\(commit)=$(echo fuzz | git commit-tree \"$t\")\necho $c\(commit)\n"
        }
        let output = try GitProcess.run("/bin/sh", ["-c", script], in: repo.path, environment: sandbox.environment).checked().stdout
        let commits = output.split(separator: "\n").map(String.init)
        #expect(commits.count == count, "seed \(seed)")
        let read = HandoverRefs(root: repo.path, environment: Environment(sandbox.environment)).readAll(commits)
        for (index, commit) in commits.enumerated() {
            let inHandovers = read.handovers[commit] != nil, inUnreadable = read.unreadable[commit] != nil
            #expect(inHandovers != inUnreadable, "seed \(seed), commit \(index): in \(inHandovers ? "both" : "neither")")
            if expectReadable[index] { #expect(inHandovers, "seed \(seed), commit \(index): \(read.unreadable[commit] ?? "")") }
            if !expectReadable[index], read.unreadable[commit] == nil {
                // Random bytes for origin.json may still parse (vanishingly rare); anything else must be named.
                Issue.record("seed \(seed), commit \(index): a crafted tree read as a handover")
            }
        }
    }
}
