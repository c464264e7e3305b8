import Foundation
import Testing

@testable import HandoffKit

/// Everything at once, the way a busy machine runs it: 8 agent sessions in 4 worktrees of one
/// repository (the main worktree and 3 linked ones, real git, real hook executables as processes),
/// real commits and pushes through the installed git hooks, while the CLI and a plain reader read.
///
/// Bounded: fixed iteration counts, every process under its own time limit, and one deadline for
/// the whole test after which every thread stops and the test fails instead of hanging CI.
@Suite("Stress: sessions, worktrees, hooks and readers at once")
struct StressTests {
    static let workerIterations = 5
    static let idleIterations = 6
    static let readerCycles = 40
    /// The whole test, setup to last check. A hang fails here.
    static let overallSeconds: Double = 150

    @Test("8 sessions in 4 worktrees fire every hook while the CLI reads: nothing lost or torn, state always valid, each gate judges its own session",
          .timeLimit(.minutes(4)))
    func everyHookAtOnce() throws {
        let world = try StressWorld()
        // Explicitly: a failed expectation keeps the values it captured alive until the run ends.
        defer { try? FileManager.default.removeItem(atPath: world.sandbox.root) }
        try world.setUp()

        // The storm: readers first, so that they overlap all of it.
        let storm = DispatchGroup()
        let readers = DispatchGroup()
        for worktree in world.worktrees.indices {
            world.spawn(readers) { world.reader(worktree, until: storm) }
        }
        for session in world.sessions {
            world.spawn(storm) {
                switch session.role {
                case .worker: world.worker(session)
                case .idle: world.idle(session)
                }
            }
        }
        let stormFinished = world.wait(storm)
        let readersFinished = world.wait(readers)
        try #require(stormFinished && readersFinished, "the storm did not finish before the deadline: \(world.problems.prefix(20))")
        let stormProblems = world.problems
        for problem in stormProblems { Issue.record("during the storm: \(problem)") }
        try #require(stormProblems.isEmpty)

        // After the storm, each session's gate judges its own session, all sessions at once.
        try world.finalJudgement()
        let judgementProblems = world.problems
        for problem in judgementProblems { Issue.record("final judgement: \(problem)") }
        try #require(judgementProblems.isEmpty)

        // Every event any process wrote is in its worktree's log exactly once, and nothing is torn.
        try world.audit()
        for problem in world.problems { Issue.record("audit: \(problem)") }
        print("stress: \(world.processCount) processes, \(world.readCount) reader checks, \(world.unterminatedReads) reads saw an append in flight")
    }
}

/// One agent session of the stress test.
struct StressSession: Sendable {
    enum Role: Sendable { case worker, idle }
    var id: String
    /// Short name used in markers: A0…A3, B3 (workers), I0…I2 (idle).
    var name: String
    var worktree: Int
    var role: Role
}

/// The shared world of the stress test. Threads only append to the ledgers (under `lock`); the
/// configuration is fixed before they start.
final class StressWorld: @unchecked Sendable {
    enum Expected: Hashable {
        case tool(command: String)
        case fileEdit(path: String)
        case commit(subject: String, sha: String)
        case push(sha: String)
    }

    struct Expectation: Hashable {
        var worktree: Int
        var session: String
        var what: Expected
    }

    let sandbox: GitSandbox
    let tag = "m" + String(UUID().uuidString.prefix(8)).lowercased()
    let deadline = Date().addingTimeInterval(StressTests.overallSeconds)
    let products: String
    let handoff: String
    var worktrees: [String] = []
    var branches: [String] = []
    var baseSHAs: [String] = []
    var sessions: [StressSession] = []
    var worktreeLocks: [NSLock] = []
    var environment: [String: String]

    private let lock = NSLock()
    private var _problems: [String] = []
    private var expectations: [Expectation] = []
    private var counters: [String: Int] = [:]
    private var _readCount = 0
    private var _unterminated = 0
    private var _processes = 0
    private var _aborted = false

    init() throws {
        sandbox = try GitSandbox("stress")
        products = try HookProducts.directory()
        handoff = try BuiltProducts.path("handoff")
        environment = sandbox.environment
        // Generous internal deadlines: this test is about what concurrency does, not about how fast
        // a loaded machine is. The hooks' own time bound is covered by the hook tests.
        environment["HANDOFF_HOOK_TIMEOUT"] = "30"
        environment["SUDO_UID"] = nil
    }

    // MARK: Ledgers

    var problems: [String] { lock.withLock { _problems } }
    var readCount: Int { lock.withLock { _readCount } }
    var unterminatedReads: Int { lock.withLock { _unterminated } }
    var processCount: Int { lock.withLock { _processes } }
    var aborted: Bool { lock.withLock { _aborted } || Date() > deadline }

    func problem(_ text: String) { lock.withLock { _problems.append(text) } }
    func expect(_ worktree: Int, _ session: String, _ what: Expected) {
        lock.withLock { expectations.append(Expectation(worktree: worktree, session: session, what: what)) }
    }
    func count(_ key: String) { lock.withLock { counters[key, default: 0] += 1 } }
    func counter(_ key: String) -> Int { lock.withLock { counters[key] ?? 0 } }

    func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Waits for a group until the overall deadline; past it, tells every thread to stop and gives
    /// the processes still running their own time limit to end.
    func wait(_ group: DispatchGroup) -> Bool {
        let remaining = max(1, deadline.timeIntervalSinceNow)
        if group.wait(timeout: .now() + remaining) == .success { return true }
        lock.withLock { _aborted = true }
        problem("overall deadline of \(Int(StressTests.overallSeconds)) s passed; threads told to stop")
        _ = group.wait(timeout: .now() + 45)
        return false
    }

    // MARK: Processes

    /// Runs an agent hook executable with a payload, as Claude Code would, and checks the answer's shape.
    @discardableResult
    func hook(_ product: String, _ payload: [UInt8], _ session: StressSession) -> String? {
        var env = environment
        env["CLAUDE_PROJECT_DIR"] = worktrees[session.worktree]
        env["CLAUDE_CODE_SESSION_ID"] = session.id
        env["CLAUDECODE"] = "1"
        lock.withLock { _processes += 1 }
        do {
            let result = try BoundedProcess.run(products + "/" + product, [], in: worktrees[session.worktree], environment: env,
                                                stdin: payload, timeout: 45)
            guard !result.timedOut, result.status == 0 else {
                problem("\(product) for \(session.name) \(result.timedOut ? "timed out" : "exited \(result.status)"): \(result.stderr)")
                return nil
            }
            let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty {
                guard let json = try? JSONValue.parse(text), json.objectValue != nil else {
                    problem("\(product) for \(session.name) printed something that is not a JSON object: \(text.prefix(300))")
                    return nil
                }
                // Hooks speak through systemMessage only when something went wrong or a gate was overridden.
                if let message = json["systemMessage"]?.stringValue { problem("\(product) for \(session.name) warned: \(message)") }
            }
            if !result.stderr.isEmpty { problem("\(product) for \(session.name) wrote to stderr: \(result.stderr.prefix(300))") }
            return text
        } catch {
            problem("\(product) for \(session.name) could not run: \(error)")
            return nil
        }
    }

    /// git in a worktree, as the session's shell runs it (HANDOFF_SESSION_ID comes from CLAUDE_ENV_FILE).
    @discardableResult
    func git(_ arguments: [String], worktree: Int, session: StressSession? = nil) throws -> String {
        var env = environment
        if let session { env["HANDOFF_SESSION_ID"] = session.id }
        lock.withLock { _processes += 1 }
        let result = try BoundedProcess.git(arguments, in: worktrees[worktree], environment: env, timeout: 45).checked()
        // The hooks git ran fail open with one line on stderr: any line from handoff is a failure here.
        if result.stderr.contains("handoff") { problem("git \(arguments.first ?? "") in worktree \(worktree): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func cli(_ arguments: [String], worktree: Int) -> BoundedProcess.Result? {
        lock.withLock { _processes += 1 }
        do {
            return try BoundedProcess.run(handoff, arguments, in: worktrees[worktree], environment: environment, timeout: 45)
        } catch {
            problem("handoff \(arguments.joined(separator: " ")) could not run: \(error)")
            return nil
        }
    }

    // MARK: Setup

    func setUp() throws {
        let main = try sandbox.repository("main")
        try main.installHooks()
        let remote = try sandbox.bareRemote()
        try main.git("remote", "add", "origin", remote)
        try main.git("push", "-q", "-u", "origin", "main")
        worktrees = [main.path]
        branches = ["main"]
        for index in 1...3 {
            let path = sandbox.path("wt\(index)")
            try main.git("worktree", "add", "-q", "-b", "wt\(index)", path)
            let linked = GitTestRepo(path: path, sandbox: sandbox)
            try linked.git("push", "-q", "-u", "origin", "wt\(index)")
            try BoundedProcess.run(handoff, ["init"], in: path, environment: environment).checked()
            worktrees.append(path)
            branches.append("wt\(index)")
        }
        worktreeLocks = worktrees.map { _ in NSLock() }
        for index in worktrees.indices {
            baseSHAs.append(try git(["rev-parse", "HEAD"], worktree: index))
            #expect(GitTestRepo(path: worktrees[index], sandbox: sandbox).store.exists)
        }
        func session(_ name: String, _ worktree: Int, _ role: StressSession.Role) -> StressSession {
            StressSession(id: UUID().uuidString.lowercased(), name: name, worktree: worktree, role: role)
        }
        // Three worktrees with a working and an idle session each; the fourth with two working sessions.
        sessions = [
            session("A0", 0, .worker), session("I0", 0, .idle),
            session("A1", 1, .worker), session("I1", 1, .idle),
            session("A2", 2, .worker), session("I2", 2, .idle),
            session("A3", 3, .worker), session("B3", 3, .worker),
        ]
    }

    func store(_ worktree: Int) -> HandoffStore { HandoffStore(worktreeRoot: worktrees[worktree]) }

    // MARK: The sessions

    func start(_ session: StressSession, source: String) {
        let cwd = worktrees[session.worktree]
        if let text = hook("handoff-session", ClaudePayload.sessionStart(session.id, cwd: cwd, home: sandbox.home, source: source), session) {
            let brief = (try? JSONValue.parse(text))?["hookSpecificOutput"]?["additionalContext"]?.stringValue
            if brief?.isEmpty != false { problem("SessionStart(\(source)) for \(session.name) gave no brief: \(text.prefix(200))") }
        }
        count("start:\(session.id)")
    }

    func bash(_ session: StressSession, _ command: String, exitCode: Int = 0, commit: (sha: String, branch: String)? = nil) {
        let cwd = worktrees[session.worktree]
        if hook("handoff-session", ClaudePayload.bash(session.id, cwd: cwd, home: sandbox.home, command: command, exitCode: exitCode, commit: commit), session) != nil {
            expect(session.worktree, session.id, .tool(command: command))
        }
    }

    func compact(_ session: StressSession, trigger: String) {
        let cwd = worktrees[session.worktree]
        hook("handoff-compact", ClaudePayload.preCompact(session.id, cwd: cwd, home: sandbox.home, trigger: trigger), session)
        count("compact:\(session.id)")
        start(session, source: "compact")
    }

    /// A stop during the storm: well-formed whatever it decides; one outcome event per stop.
    @discardableResult
    func stop(_ session: StressSession, message: String, active: Bool = false) -> GateAnswer? {
        let cwd = worktrees[session.worktree]
        defer { count("stop:\(session.id)") }
        guard let text = hook("handoff-stop-gate", ClaudePayload.stop(session.id, cwd: cwd, home: sandbox.home, message: message, active: active), session) else {
            return nil
        }
        guard !text.isEmpty else { return .allow }
        let json = try? JSONValue.parse(text)
        if json?["decision"]?.stringValue == "block" { return .block(json?["reason"]?.stringValue ?? "") }
        return .message(text)
    }

    /// Writes a file as the agent's Write tool does, and fires PostToolUse for it.
    func writeFile(_ session: StressSession, _ relative: String, _ content: String) throws {
        let full = worktrees[session.worktree] + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: full, atomically: true, encoding: .utf8)
        if hook("handoff-session", ClaudePayload.write(session.id, cwd: worktrees[session.worktree], home: sandbox.home, file: full, content: content), session) != nil {
            expect(session.worktree, session.id, .fileEdit(path: relative))
        }
    }

    /// Commits one file (and pushes, when asked) under the worktree's lock, so that two sessions of
    /// one worktree never stage into each other's commits; the hooks run inside git as installed.
    func commit(_ session: StressSession, file relative: String, content: String, subject: String, push: Bool,
                holdingLock: Bool = false) throws -> String {
        let lock = worktreeLocks[session.worktree]
        if !holdingLock { lock.lock() }
        defer { if !holdingLock { lock.unlock() } }
        try writeFile(session, relative, content)
        try git(["add", "--", relative], worktree: session.worktree, session: session)
        try git(["commit", "-q", "-m", subject], worktree: session.worktree, session: session)
        let sha = try git(["rev-parse", "HEAD"], worktree: session.worktree)
        expect(session.worktree, session.id, .commit(subject: subject, sha: sha))
        if push {
            try git(["push", "-q", "origin", branches[session.worktree]], worktree: session.worktree, session: session)
            expect(session.worktree, session.id, .push(sha: sha))
        }
        return sha
    }

    func worker(_ session: StressSession) {
        start(session, source: "startup")
        let branch = branches[session.worktree]
        for iteration in 0..<StressTests.workerIterations where !aborted {
            let label = "\(tag)-\(session.name)-c\(iteration)"
            let relative = "work/\(label).txt"
            let subject = "stress \(label) commit"
            do {
                // Twice, a compaction runs while the session's commit and tool hooks do: all of them
                // update the session's runtime record, and none of those updates may be lost.
                let compaction = DispatchGroup()
                if iteration == 1 || iteration == 3 { spawn(compaction) { self.compact(session, trigger: "auto") } }
                let push = iteration % 2 == 1 || iteration == StressTests.workerIterations - 1
                let sha = try commit(session, file: relative, content: "\(label)\n", subject: subject, push: push)
                bash(session, "git add \(relative) && git commit -m '\(subject)'", commit: (sha, branch))
                bash(session, "grep -q \(label) missing-\(label).txt", exitCode: 1)
                _ = wait(compaction)
                stop(session, message: "Committed \(label).")
            } catch {
                problem("\(session.name) iteration \(iteration): \(error)")
                return
            }
        }
    }

    func idle(_ session: StressSession) {
        start(session, source: "startup")
        for iteration in 0..<StressTests.idleIterations where !aborted {
            let label = "\(tag)-\(session.name)-r\(iteration)"
            let compaction = DispatchGroup()
            if iteration == 1 || iteration == 4 { spawn(compaction) { self.compact(session, trigger: "manual") } }
            bash(session, "cat README.md # \(label)")
            bash(session, "ls missing-\(label)", exitCode: 2)
            if iteration == 1 {
                hook("handoff-stop-gate", ClaudePayload.subagentStop(session.id, cwd: worktrees[session.worktree], home: sandbox.home), session)
                count("subagent:\(session.id)")
            }
            _ = wait(compaction)
            stop(session, message: "README.md says hello (\(label)).")
        }
    }

    // MARK: The readers

    /// The CLI and a plain reader, in a loop for as long as the storm lasts (at least 3 rounds, at
    /// most `readerCycles`).
    func reader(_ worktree: Int, until storm: DispatchGroup) {
        let store = store(worktree)
        for cycle in 0..<StressTests.readerCycles {
            if aborted || (cycle >= 3 && storm.wait(timeout: .now()) == .success) { break }
            if let status = cli(["status", "--json"], worktree: worktree) {
                if status.status != 0 || status.timedOut || (try? JSONValue.parse(status.stdout))?.objectValue == nil {
                    problem("handoff status --json in worktree \(worktree): exit \(status.status): \(status.stdout.prefix(200)) \(status.stderr)")
                }
            }
            if let events = cli(["events", "--json", "--tail", "30"], worktree: worktree) {
                let bad = events.stdout.split(separator: "\n").filter { (try? JSONValue.parse(String($0)))?.objectValue == nil }
                if events.status != 0 || events.timedOut || !bad.isEmpty || !events.stderr.isEmpty {
                    problem("handoff events in worktree \(worktree): exit \(events.status), \(bad.count) bad lines \(bad.prefix(2)), stderr: \(events.stderr)")
                }
            }
            if let validate = cli(["validate"], worktree: worktree), validate.status != 0 || validate.timedOut {
                problem("handoff validate in worktree \(worktree): exit \(validate.status): \(validate.stdout) \(validate.stderr)")
            }
            // A reader that does not go through handoff: state.json straight off the disk, every time.
            if let problemText = StoreAudit.stateProblem(store) { problem("reader, worktree \(worktree): \(problemText)") }
            let bad = StoreAudit.badEventLines(store.layout.eventsFile)
            if !bad.isEmpty { problem("reader, worktree \(worktree): torn or invalid event lines: \(bad.prefix(3))") }
            let unterminated = StoreAudit.lines(ofFile: store.layout.eventsFile).unterminated
            lock.withLock {
                _readCount += 1
                if unterminated > 0 { _unterminated += 1 }
            }
        }
    }

    // MARK: After the storm

    func finalJudgement() throws {
        let workers = sessions.filter { $0.role == .worker }
        // Each working session leaves one file of its own uncommitted (written by its Write tool).
        let leftovers = Dictionary(uniqueKeysWithValues: workers.map { ($0.id, "work/\(tag)-\($0.name)-left.txt") })
        for session in workers { try writeFile(session, leftovers[session.id]!, "left by \(session.name)\n") }

        // All eight stops at once. A working session is blocked, for its own file and nothing else;
        // a session that did nothing is let through, even though its worktree moved and is dirty.
        let group = DispatchGroup()
        for session in sessions {
            spawn(group) {
                switch session.role {
                case .idle:
                    let answer = self.stop(session, message: "Nothing to do here.")
                    if answer != .allow { self.problem("idle session \(session.name) was not let through: \(String(describing: answer))") }
                case .worker:
                    guard let answer = self.stop(session, message: "All done.") else { return }
                    guard case .block(let reason) = answer else {
                        self.problem("working session \(session.name) with an uncommitted file and no handover was not blocked: \(answer)")
                        return
                    }
                    if !reason.contains(leftovers[session.id]!) { self.problem("\(session.name)'s block does not name its own file: \(reason)") }
                    if !reason.contains("1 uncommitted file") { self.problem("\(session.name)'s block counts other files: \(reason)") }
                    for other in self.sessions where other.id != session.id {
                        if reason.contains("-\(other.name)-") || reason.contains(other.id) {
                            self.problem("\(session.name)'s block talks about \(other.name)'s work: \(reason)")
                        }
                    }
                    if reason.contains("unpushed") { self.problem("\(session.name)'s block claims unpushed work after every push: \(reason)") }
                }
            }
        }
        guard wait(group) else { return }

        // The working sessions commit and push their file, then hand over with a reflection. (Within
        // one worktree, one after the other: between a commit and its post-commit record, nothing can
        // yet tell whose commit it is, and the other session's gate would rightly count it.)
        let handovers = DispatchGroup()
        for session in workers {
            spawn(handovers) {
                let lock = self.worktreeLocks[session.worktree]
                lock.lock()
                defer { lock.unlock() }
                do {
                    let relative = leftovers[session.id]!
                    let subject = "stress \(self.tag)-\(session.name)-left commit"
                    let sha = try self.commit(session, file: relative, content: "left by \(session.name), committed\n", subject: subject,
                                              push: true, holdingLock: true)
                    self.bash(session, "git add \(relative) && git commit -m '\(subject)' && git push", commit: (sha, self.branches[session.worktree]))
                    let answer = self.stop(session, message: validReflection, active: true)
                    if answer != .allow { self.problem("\(session.name)'s reflection after committing and pushing was not accepted: \(String(describing: answer))") }
                } catch {
                    self.problem("\(session.name) final commit: \(error)")
                }
            }
        }
        guard wait(handovers) else { return }

        // Idle sessions are still let through; then every session ends.
        let ends = DispatchGroup()
        for session in sessions {
            spawn(ends) {
                if session.role == .idle, self.stop(session, message: "Still nothing to do.") != .allow {
                    self.problem("idle session \(session.name) was blocked after the others handed over")
                }
                self.hook("handoff-session", ClaudePayload.sessionEnd(session.id, cwd: self.worktrees[session.worktree], home: self.sandbox.home), session)
            }
        }
        _ = wait(ends)
    }

    /// What a user would check once everything is quiet.
    func audit() throws {
        for worktree in worktrees.indices {
            let store = store(worktree)
            let log = StoreAudit.lines(ofFile: store.layout.eventsFile)
            #expect(log.unterminated == 0, "worktree \(worktree): events.jsonl ends in a partial line")
            #expect(StoreAudit.badEventLines(store.layout.eventsFile).isEmpty, "worktree \(worktree): torn lines")
            let read = store.events.readAll(includeRotated: true)
            #expect(read.skippedLines == 0)
            let events = read.events
            #expect(events.filter { $0.type == EventType.hookError }.isEmpty, "worktree \(worktree): hook errors \(events.filter { $0.type == EventType.hookError }.map(\.json.compactText))")

            // Each recorded write is in the log exactly once (a write made twice, twice).
            let writes = Dictionary(lock.withLock { expectations }.filter { $0.worktree == worktree }.map { ($0, 1) }, uniquingKeysWith: +)
            for (expectation, times) in writes {
                let matches: Int
                switch expectation.what {
                case .tool(let command):
                    matches = events.filter { $0.type == EventType.tool && $0["command"]?.stringValue == command && $0.session == expectation.session }.count
                case .fileEdit(let path):
                    matches = events.filter { $0.type == EventType.fileEdit && $0["paths"] == [.string(path)] && $0.session == expectation.session }.count
                case .commit(let subject, let sha):
                    matches = events.filter { $0.type == EventType.commit && $0["sha"]?.stringValue == sha && $0["subject"]?.stringValue == subject && $0.session == expectation.session }.count
                case .push(let sha):
                    matches = events.filter { $0.type == EventType.push && $0["refs"]?.arrayValue?.first?["local_sha"]?.stringValue == sha && $0.session == expectation.session }.count
                }
                #expect(matches == times, "worktree \(worktree): \(expectation.what) of \(expectation.session) is in the log \(matches) times, written \(times)")
            }
            // Every commit made in the worktree is recorded once, and no commit event is invented.
            let made = try git(["rev-list", "\(baseSHAs[worktree])..HEAD"], worktree: worktree).split(separator: "\n").map(String.init)
            let recorded = events.filter { $0.type == EventType.commit }.compactMap { $0["sha"]?.stringValue }
            #expect(recorded.sorted() == made.sorted(), "worktree \(worktree): commits made and commit events differ")

            // Per session: starts, stops, compactions, subagents and the end, each exactly as often as fired.
            for session in sessions where session.worktree == worktree {
                let own = events.filter { $0.session == session.id }
                func number(_ type: String) -> Int { own.filter { $0.type == type }.count }
                #expect(number(EventType.sessionStart) == counter("start:\(session.id)"), "\(session.name) session starts")
                let outcomes = [EventType.stopAllowed, EventType.stopBlocked, EventType.handover, EventType.gateOverridden].map(number).reduce(0, +)
                #expect(outcomes == counter("stop:\(session.id)"), "\(session.name): \(outcomes) stop outcomes for \(counter("stop:\(session.id)")) stops")
                let compactions = own.filter { $0.type == EventType.compaction }.compactMap { $0["count"]?.intValue }.sorted()
                #expect(compactions == Array(stride(from: 1, through: counter("compact:\(session.id)"), by: 1)), "\(session.name) compaction counts \(compactions)")
                #expect(number(EventType.subagentStop) == counter("subagent:\(session.id)"))
                let ends = own.filter { $0.type == EventType.sessionEnd }
                #expect(ends.count == 1 && ends.first?["auto_saved"]?.boolValue == false, "\(session.name) session end: \(ends.map(\.json.compactText))")
                // No session is credited with another session's work.
                let runtime = store.readRuntime(session: session.id)
                switch session.role {
                case .idle:
                    #expect(runtime?.lastWorkAt == nil, "idle \(session.name) was credited with work")
                    #expect(number(EventType.commit) == 0)
                    #expect(number(EventType.handover) == 0)
                case .worker:
                    #expect(runtime?.lastWorkAt != nil)
                    #expect(runtime?.handoverKind == "reflection")
                    #expect(number(EventType.commit) == StressTests.workerIterations + 1)
                }
            }

            // The state is valid by the contract and by the published schema; no temporary file is left.
            #expect(StoreAudit.stateProblem(store) == nil, "worktree \(worktree): \(StoreAudit.stateProblem(store) ?? "")")
            #expect(try SchemaCheck.errors(forStateFile: store.layout.stateFile).isEmpty)
            #expect(FileSystem.list(store.layout.directory).filter { $0.contains(".tmp.") }.isEmpty)
            if FileSystem.exists(store.layout.pushesFile) {
                #expect((try? JSONValue.parse(FileSystem.readBytes(store.layout.pushesFile))) != nil, "pushes.json does not parse")
            }
        }
    }
}
