import Foundation
import Testing
@testable import HandoffKit

/// "Checks are running" belongs to the `handoff end` process and dies with it (#12): a run killed
/// mid-check leaves state.json as it was, the stop gate asks for the handover again, and the
/// SessionEnd auto-save is not suppressed.
@Suite("handoff end interrupted mid-check")
struct EndInterruptTests {
    /// Runs a hook executable with a Claude Code payload in the repository.
    func hook(_ product: String, _ payload: [UInt8], repo: TestRepository) throws -> BoundedProcess.Result {
        var environment = repo.sandbox.environment
        environment["CLAUDE_PROJECT_DIR"] = repo.path
        let result = try BoundedProcess.run(try BuiltProducts.path(product), [], in: repo.path, environment: environment,
                                            stdin: payload, timeout: 60)
        #expect(result.status == 0, "\(product): \(result.stderr)")
        return result
    }

    /// `handoff events --type TYPE --json`, parsed.
    func events(_ type: String, repo: TestRepository) throws -> [JSONValue] {
        let result = try repo.handoff("events", "--type", type, "--all", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    @Test("killed mid-check: state.json untouched, the stop is asked for a handover again, SessionEnd auto-saves",
          arguments: [SIGKILL, SIGTERM])
    func killedMidCheck(signal: Int32) throws {
        let sandbox = try Sandbox("end-kill")
        let repo = try sandbox.repository()
        let remote = sandbox.path("remote.git")
        try repo.git("init", "-q", "--bare", remote)
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "-u", "origin", "main")
        #expect(try repo.handoff("init").status == 0)
        try repo.git("config", "handoff.check.tests", "none")
        try repo.git("config", "handoff.check.lint", "none")

        // The previous session's deliberate handover: what an interrupted run must not pass off as its own.
        let previous = try repo.handoff("end", "--session", "s-prev", "--skip-checks", "--severity", "READY",
                                        "--next", "README.md:1 the previous session's next step", "--watch", "none found")
        #expect(previous.status == 0, "\(previous.stderr)")

        // A new session starts, works, commits and pushes.
        let session = "s-new"
        _ = try hook("handoff-session", ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "startup"), repo: repo)
        try repo.write("feature.txt", "work\n")
        _ = try hook("handoff-session", ClaudePayload.write(session, cwd: repo.path, home: sandbox.home, file: repo.path + "/feature.txt",
                                                            content: "work\n"), repo: repo)
        try repo.git("add", "feature.txt")
        try repo.git("commit", "-q", "-m", "feature")
        try repo.git("push", "-q")
        let before = try repo.read(".handoff/state.json")

        // `handoff end` with a slow check that leaves its pid, so that the orphan can be cleaned up.
        let pidFile = sandbox.path("check.pid")
        try repo.git("config", "handoff.check.build", "echo $$ > \(pidFile); exec sleep 120")
        let errFile = sandbox.path("end.err")
        FileManager.default.createFile(atPath: errFile, contents: nil)
        // Spawned directly, not through Foundation's Process: the orphaned check would inherit the
        // descriptor Process watches and make it wait for the orphan instead of for `handoff end`.
        let end = try Spawned(try BuiltProducts.path("handoff"),
                              ["end", "--session", session, "--next", "feature.txt:1 the new session's next step"],
                              directory: repo.path, environment: sandbox.environment, stderrFile: errFile)
        defer {
            end.kill(SIGKILL)
            if let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(pid, SIGKILL)
            }
        }
        var waited = 0
        while waited < 600 {  // 60 s at most
            let progress = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            if progress.contains("running [1/1] build"), FileManager.default.fileExists(atPath: pidFile) { break }
            usleep(100_000)
            waited += 1
        }
        try #require(end.isRunning(), "handoff end ended before its check: \((try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "")")
        try #require(waited < 600, "handoff end never started its check")

        // While it runs, the gate stops asking for a handover, and says why.
        let during = try hook("handoff-stop-gate", ClaudePayload.stop(session, cwd: repo.path, home: sandbox.home, message: "running handoff end", active: false), repo: repo)
        #expect(!during.stdout.contains("\"block\""), "\(during.stdout)")
        #expect(try events(EventType.stopAllowed, repo: repo).last?["why"]?.stringValue?.contains("`handoff end` is running its checks") == true)

        end.kill(signal)
        #expect(end.wait() == .signalled(signal), "handoff end dies of the signal it got")

        // SIGTERM (a tool's timeout) stops the check too; SIGKILL cannot be caught, its check runs on.
        if signal == SIGTERM {
            let pid = try #require((try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            func alive() -> Bool {
                guard kill(pid, 0) == 0 else { return false }
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                return !stat.contains(") Z ")  // a zombie waiting for its reaper is gone
            }
            var polls = 0
            while alive() && polls < 100 {  // 10 s at most
                usleep(100_000)
                polls += 1
            }
            #expect(!alive(), "the check of a terminated handoff end still runs")
        }

        // The previous state.json is exactly as it was: no "completed" flag, no new session content.
        #expect(try repo.read(".handoff/state.json") == before)
        let status = try JSONValue.parse(try repo.handoff("status", "--json").stdout)
        #expect(status["handover_complete"]?.boolValue == false, "\(status)")
        #expect(status["resume_next"]?.stringValue == "README.md:1 the previous session's next step")

        // The orphaned check still runs, yet the signal died with handoff end: the gate asks again.
        let after = try hook("handoff-stop-gate", ClaudePayload.stop(session, cwd: repo.path, home: sandbox.home, message: "done", active: false), repo: repo)
        let answer = try JSONValue.parse(Array(after.stdout.utf8))
        #expect(answer["decision"]?.stringValue == "block", "\(after.stdout)")
        #expect(answer["reason"]?.stringValue?.contains("no handover yet") == true, "\(after.stdout)")

        // SessionEnd saves the session's work, not suppressed by a stale "handoff end completed".
        _ = try hook("handoff-session", ClaudePayload.sessionEnd(session, cwd: repo.path, home: sandbox.home), repo: repo)
        #expect(try events(EventType.sessionEnd, repo: repo).last?["auto_saved"]?.boolValue == true)
        let saved = try JSONValue.parse(try repo.handoff("status", "--json").stdout)
        #expect(saved["source"]?.stringValue == "auto-save", "\(saved)")
        #expect(saved["session"]?.stringValue == session)
        #expect(try repo.handoff("validate").status == 0)
    }

    @Test("while handoff end runs, the gate still blocks a stop that leaves work uncommitted, naming the file")
    func runningDoesNotExcuseUncommittedWork() throws {
        let sandbox = try Sandbox("end-dirty")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let session = "s-dirty"
        _ = try hook("handoff-session", ClaudePayload.sessionStart(session, cwd: repo.path, home: sandbox.home, source: "startup"), repo: repo)
        try repo.write("draft.txt", "not committed\n")
        _ = try hook("handoff-session", ClaudePayload.write(session, cwd: repo.path, home: sandbox.home, file: repo.path + "/draft.txt",
                                                            content: "not committed\n"), repo: repo)
        guard case .success(let held) = try HandoffEndRun.acquire(store: repo.store, session: session) else {
            Issue.record("the lock was not free")
            return
        }
        defer { held.release() }
        let stop = try hook("handoff-stop-gate", ClaudePayload.stop(session, cwd: repo.path, home: sandbox.home, message: "done", active: false), repo: repo)
        let answer = try JSONValue.parse(Array(stop.stdout.utf8))
        #expect(answer["decision"]?.stringValue == "block", "\(stop.stdout)")
        #expect(answer["reason"]?.stringValue?.contains("draft.txt") == true, "\(stop.stdout)")
    }

    @Test("a second handoff end of the same session while one runs is refused, and writes nothing")
    func secondRunRefused() throws {
        let sandbox = try Sandbox("end-twice")
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        let store = repo.store
        guard case .success(let held) = try HandoffEndRun.acquire(store: store, session: "s-2") else {
            Issue.record("the lock was not free")
            return
        }
        #expect(HandoffEndRun.running(store: store, session: "s-2")?.pid == Int(getpid()))
        #expect(HandoffEndRun.running(store: store, session: "other") == nil)
        let before = try repo.read(".handoff/state.json")
        let second = try repo.handoff("end", "--session", "s-2", "--skip-checks", "--next", "README.md:1 x")
        #expect(second.status == 1)
        #expect(second.stderr.contains("another `handoff end` of this session is running its checks (pid \(getpid())"), "\(second.stderr)")
        #expect(try repo.read(".handoff/state.json") == before)
        held.release()
        #expect(HandoffEndRun.running(store: store, session: "s-2") == nil)
        #expect(try repo.handoff("end", "--session", "s-2", "--skip-checks", "--next", "README.md:1 x").status == 0)
    }
}

/// A child process started with posix_spawn and reaped by the test itself.
final class Spawned {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    let pid: pid_t
    private var ending: Ending?

    init(_ program: String, _ arguments: [String], directory: String, environment: [String: String], stderrFile: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts in `directory` (posix_spawn has no portable chdir action): through env -C.
        let envArgv: [UnsafeMutablePointer<CChar>?] = [strdup("/usr/bin/env"), strdup("-C"), strdup(directory)] + argv
        defer { envArgv.prefix(3).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/usr/bin/env", &actions, nil, envArgv, envp)
        guard result == 0 else { throw SandboxError("posix_spawn \(program): \(String(cString: strerror(result)))") }
        pid = child
    }

    func isRunning() -> Bool {
        guard ending == nil else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            ending = Self.decode(status)
            return false
        }
        return true
    }

    func kill(_ signal: Int32) {
        if isRunning() { Glibc.kill(pid, signal) }
    }

    /// Waits (at most 60 s, then SIGKILL) and says how the child ended.
    func wait() -> Ending? {
        var polls = 0
        while isRunning() && polls < 600 {
            usleep(100_000)
            polls += 1
        }
        if isRunning() {
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            ending = Self.decode(status)
        }
        return ending
    }

    static func decode(_ status: Int32) -> Ending {
        (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    deinit { kill(SIGKILL); _ = wait() }
}
