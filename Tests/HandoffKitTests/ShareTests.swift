import Foundation
import Testing

@testable import HandoffKit

/// One "machine": a clone of the shared bare remote with its own HOME (its own git config), driven
/// through the real `git`, the built `handoff` CLI and the installed git hooks.
struct Machine {
    let name: String
    let path: String
    let home: String
    let sandbox: GitSandbox

    static func make(_ name: String, cloning remote: String, in sandbox: GitSandbox) throws -> Machine {
        let home = sandbox.path("home-\(name)")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sandbox.home + "/.gitconfig", toPath: home + "/.gitconfig")
        let machine = Machine(name: name, path: sandbox.path(name), home: home, sandbox: sandbox)
        _ = try GitProcess.run("/usr/bin/env", ["git", "clone", "-q", remote, machine.path], in: sandbox.root,
                               environment: machine.environment).checked()
        return machine
    }

    var environment: [String: String] {
        var env = sandbox.environment
        env["HOME"] = home
        return env
    }

    var store: HandoffStore { HandoffStore(worktreeRoot: path) }

    @discardableResult
    func git(_ arguments: String..., environment extra: [String: String] = [:]) throws -> String {
        try GitProcess.run("/usr/bin/env", ["git"] + arguments, in: path, environment: environment.merging(extra) { $1 }).checked()
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func gitResult(_ arguments: String..., environment extra: [String: String] = [:]) throws -> GitProcess.Result {
        try GitProcess.run("/usr/bin/env", ["git"] + arguments, in: path, environment: environment.merging(extra) { $1 })
    }

    func handoff(_ arguments: String..., stdin: String? = nil, environment extra: [String: String] = [:]) throws -> GitProcess.Result {
        try GitProcess.run(try HookProducts.path("handoff"), arguments, in: path, environment: environment.merging(extra) { $1 }, stdin: stdin)
    }

    func hook(_ product: String, _ payload: [UInt8], environment extra: [String: String] = [:]) throws -> GitProcess.Result {
        try GitProcess.run(try HookProducts.path(product), [], in: path, environment: environment.merging(extra) { $1 },
                           stdin: String(decoding: payload, as: UTF8.self))
    }

    func commit(_ file: String, _ text: String, message: String) throws {
        try text.write(toFile: path + "/" + file, atomically: true, encoding: .utf8)
        try git("add", file)
        try git("commit", "-q", "-m", message)
    }

    /// Hooks installed, store created, and (unless `share` is false) sharing on.
    func setUp(share: Bool = true) throws {
        _ = try GitHookInstaller(environment: Environment(environment)).install(repositoryAt: path, binDirectory: try HookProducts.directory())
        try handoff("init").checked()
        if share { try handoff("share", "on").checked() }
    }

    /// A `handoff end` with this resume pointer.
    @discardableResult
    func end(_ next: String, agent: String = "codex", session: String? = nil) throws -> GitProcess.Result {
        let judgement = #"{"severity": "IN_PROGRESS", "resume": {"next": "\#(next)", "files": ["README.md"], "context": "from \#(name)"}, "watch_out_for": ["none"]}"#
        var extra = ["HANDOFF_AGENT": agent]
        if let session { extra["HANDOFF_SESSION_ID"] = session }
        return try handoff("end", "--skip-checks", stdin: judgement, environment: extra).checked()
    }

    /// The refs of the remote, `refname → sha`.
    func remoteRefs() throws -> [String: String] {
        var refs: [String: String] = [:]
        for line in try git("ls-remote", "origin").split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { refs[String(parts[1])] = String(parts[0]) }
        }
        return refs
    }

    var refs: HandoverRefs { HandoverRefs(root: path, environment: Environment(environment)) }
}

@Suite("Share: handovers through the remote")
struct ShareTests {
    /// A bare remote with one commit on main, and `count` machines cloned from it.
    func machines(_ names: [String], sandbox: GitSandbox) throws -> (remote: String, machines: [Machine]) {
        let remote = try sandbox.bareRemote()
        let seed = try sandbox.repository("seed")
        try seed.git("remote", "add", "origin", remote)
        try seed.git("push", "-q", "origin", "main")
        return (remote, try names.map { try Machine.make($0, cloning: remote, in: sandbox) })
    }

    @Test func sharingOffCreatesAndPushesNothingUnderRefsHandoff() throws {
        let sandbox = try GitSandbox("share-off")
        let (remote, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp(share: false)
        let ended = try a.end("README.md:1 keep going")
        #expect(!ended.stderr.contains("shared"))
        try a.commit("x.txt", "x\n", message: "work")
        let pushed = try a.gitResult("push", "origin", "main")
        #expect(pushed.status == 0)
        #expect(!pushed.stderr.contains("handoff:"))
        #expect(try a.git("for-each-ref", "refs/handoff/", "refs/handoff-remotes/").isEmpty)
        #expect(try a.remoteRefs().keys.allSatisfy { !$0.hasPrefix("refs/handoff") })
        let push = try a.handoff("push")
        #expect(push.status == 1)
        #expect(push.stderr.contains("sharing is off"))
        // Nothing under refs/handoff in the remote's object store either.
        let bare = try GitProcess.run("/usr/bin/env", ["git", "for-each-ref", "refs/handoff/"], in: remote, environment: a.environment).checked()
        #expect(bare.stdout.isEmpty)
        // The working tree, index and branches are untouched by `share status --dry-run` too.
        let dry = try a.handoff("share", "status", "--dry-run").checked()
        #expect(dry.stdout.contains("Sharing is off: none of this is written or pushed."))
        #expect(try a.git("for-each-ref", "refs/handoff/").isEmpty)
    }

    @Test func aHandoverOnOneCloneReachesANewSessionOnAnother() throws {
        let sandbox = try GitSandbox("share-ab")
        let (_, clones) = try machines(["a", "b"], sandbox: sandbox)
        let (a, b) = (clones[0], clones[1])
        try a.setUp()
        let before = Timestamp.now()
        let ended = try a.end("README.md:1 write the parser next", agent: "codex", session: "sess-a-1")
        #expect(ended.stderr.contains("handoff: handover shared locally in refs/handoff/main"))
        let headBefore = try a.git("rev-parse", "HEAD")
        #expect(try a.git("status", "--porcelain").isEmpty)

        // The user's push carries the handover ref along (the pre-push hook), with one line saying so.
        try a.commit("x.txt", "x\n", message: "work")
        let pushed = try a.gitResult("push", "origin", "main")
        #expect(pushed.status == 0)
        #expect(pushed.stderr.contains("handoff: shared handovers with origin: refs/handoff/main"))
        #expect(try a.remoteRefs()["refs/handoff/main"] == (try a.git("rev-parse", "refs/handoff/main")))
        // Never a branch, never a commit on the user's branches.
        #expect(try a.git("rev-parse", "HEAD^") == headBefore)
        #expect(try a.git("for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main")

        // B: sharing on adds the fetch refspec; a plain `git fetch` brings A's handover; the new
        // session's brief shows it, with where it came from. No network at session start.
        try b.setUp()
        try b.git("fetch", "-q")
        let start = try b.hook("handoff-session", ClaudePayload.sessionStart("sess-b-1", cwd: b.path, home: b.home, source: "startup"))
        let brief = try #require(try JSONValue.parse(start.stdout)["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        // One Next line, from the shared handover (a `handoff end`: its resume task and resume point).
        #expect(brief.split(separator: "\n").filter { $0.hasPrefix("Next") }.count == 1)
        #expect(brief.contains("Next (handoff end of session sess-a-1): ho-"), "\(brief)")
        #expect(brief.contains(" README.md:1 write the parser next"))
        #expect(brief.contains("This handover came from another clone: \(FileSystem.hostname()) (codex, session sess-a-1"))
        #expect(brief.contains(String(before.iso8601.prefix(10))))

        // `handoff pull` makes it local; the log of the ref is the history of handovers.
        let pull = try b.handoff("pull").checked()
        #expect(pull.stdout.contains("main: adopted"))
        let history = try b.refs.history("refs/handoff/main", limit: 10)
        #expect(history.count == 1)
        #expect(history.first?.handover.origin.agent == "codex")
        #expect(history.first?.handover.origin.session == "sess-a-1")
    }

    @Test func concurrentHandoversOnOneBranchBothSurvive() throws {
        let sandbox = try GitSandbox("share-concurrent")
        let (_, clones) = try machines(["a", "b"], sandbox: sandbox)
        let (a, b) = (clones[0], clones[1])
        try a.setUp()
        try b.setUp()
        try a.end("README.md:1 from A", session: "sess-a")
        try b.end("README.md:2 from B", session: "sess-b")
        // A pushes first; B's push finds the remote ahead: fetch, merge, push again, in its pre-push.
        try a.commit("a.txt", "a\n", message: "a")
        try a.git("push", "-q", "origin", "main")
        try b.git("pull", "-q", "--no-rebase", "origin", "main")
        try b.commit("b.txt", "b\n", message: "b")
        let pushed = try b.gitResult("push", "origin", "main")
        #expect(pushed.status == 0)
        #expect(pushed.stderr.contains("merged with another clone's first: refs/handoff/main"))

        // On the remote: both handovers in the history; B's (newer) is the state.
        try a.handoff("pull").checked()
        let history = try a.refs.history("refs/handoff/main", limit: 10)
        #expect(Set(history.map { $0.handover.origin.session ?? "" }) == ["sess-a", "sess-b"])
        let tip = try #require(a.refs.handover(at: "refs/handoff/main"))
        #expect(tip.handover.origin.session == "sess-b")
        #expect(tip.handover.state?["resume"]?["next"]?.stringValue == "README.md:2 from B")
        #expect(try a.git("rev-parse", "refs/handoff/main") == (try a.remoteRefs()["refs/handoff/main"]))
    }

    @Test func aRemoteThatRefusesHandoverRefsLeavesTheUsersPushSuccessful() throws {
        let sandbox = try GitSandbox("share-reject")
        let (remote, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        let hook = remote + "/hooks/update"
        try """
            #!/bin/sh
            case "$1" in refs/handoff/*) echo "handover refs are not allowed here" >&2; exit 1;; esac
            exit 0

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        try a.setUp()
        try a.end("README.md:1 next thing")
        try a.commit("x.txt", "x\n", message: "work")
        let pushed = try a.gitResult("push", "origin", "main")
        #expect(pushed.status == 0)
        #expect(try a.remoteRefs()["refs/heads/main"] == (try a.git("rev-parse", "HEAD")))
        #expect(try a.remoteRefs()["refs/handoff/main"] == nil)
        let lines = pushed.stderr.split(separator: "\n").filter { $0.hasPrefix("handoff:") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("origin refused handover refs (refs/handoff/main: remote rejected") == true)
        #expect(lines.first?.contains("your push goes on") == true)
        // `handoff push` says the same and fails.
        let manual = try a.handoff("push")
        #expect(manual.status == 1)
        #expect(manual.stderr.contains("refused handover refs"))
        // The doctor names the refusal, and finds the rest of the setup in place.
        let doctor = try doctorChecks(a)
        #expect(doctor["share:last-push"]?.status == "warn")
        #expect(doctor["share:last-push"]?.detail.contains("refs/handoff/main: remote rejected") == true)
        #expect(doctor["share:fetch"]?.status == "pass")
        #expect(doctor["share:push"]?.status == "pass")
    }

    /// `handoff doctor --json`, `id → (status, detail)`.
    func doctorChecks(_ machine: Machine) throws -> [String: (status: String, detail: String)] {
        let result = try machine.handoff("doctor", "--json")
        let report = try JSONValue.parse(result.stdout)
        var checks: [String: (status: String, detail: String)] = [:]
        for check in report["checks"]?.arrayValue ?? [] {
            if let id = check["id"]?.stringValue {
                checks[id] = (check["status"]?.stringValue ?? "", check["detail"]?.stringValue ?? "")
            }
        }
        return checks
    }

    @Test func doctorChecksTheSharingSetup() throws {
        let sandbox = try GitSandbox("share-doctor")
        let (_, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp(share: false)
        #expect(try doctorChecks(a)["share"]?.status == "skip")
        try a.handoff("share", "on").checked()
        #expect(try doctorChecks(a)["share:fetch"]?.status == "pass")
        // A fetch refspec removed by hand: the doctor says other clones' handovers no longer arrive with `git fetch`.
        try a.git("config", "--unset-all", "remote.origin.fetch", "refs/handoff")
        let checks = try doctorChecks(a)
        #expect(checks["share:fetch"]?.status == "warn")
        #expect(checks["share:fetch"]?.detail.contains("only with `handoff pull`") == true)
    }

    @Test func aSecretInAReflectionNeverReachesTheRemote() throws {
        let sandbox = try GitSandbox("share-secret")
        let (remote, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp()
        let secret = "ghp_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb"
        let session = "sess-secret"
        _ = try a.hook("handoff-session", ClaudePayload.sessionStart(session, cwd: a.path, home: a.home, source: "startup"))
        try a.commit("x.txt", "x\n", message: "work")
        try a.git("push", "-q", "origin", "main", environment: ["HANDOFF_SESSION_ID": session])
        // A partial outcome names its follow-up task (the stop gate's follow-up rule).
        let followUp = try a.handoff("task", "add", "rotate the token").checked().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let reflection = """
            ## Framework Reflection

            **Outcome**: partial
            **Accomplishments**: wired the client; the token is \(secret)
            **Friction points**: GITHUB_TOKEN=\(secret) had to be exported by hand
            **Next step**: README.md:1 rotate the token (\(followUp))
            """
        let stop = try a.hook("handoff-stop-gate", ClaudePayload.stop(session, cwd: a.path, home: a.home, message: reflection, active: false))
        #expect(stop.status == 0)
        #expect(try a.git("for-each-ref", "--format=%(refname)", "refs/handoff/") == "refs/handoff/main")
        let shared = try #require(a.refs.handover(at: "refs/handoff/main"))
        #expect(shared.handover.origin.kind == .reflection)
        #expect(shared.handover.reflection?.contains("rotate the token") == true)
        try a.handoff("push").checked()
        // Every object the remote holds, searched for the secret.
        let objects = try GitProcess.run("/usr/bin/env", ["git", "cat-file", "--batch-all-objects", "--batch"], in: remote,
                                         environment: a.environment).checked()
        #expect(objects.stdout.contains("rotate the token"))
        #expect(!objects.stdout.contains(secret))
        #expect(objects.stdout.contains(Redactor.mask))
    }

    /// `handoff end` files a resume task per handover (label `handoff`): not the tasks these tests follow.
    func filedByHandoffEnd(_ task: JSONValue) -> Bool {
        (task["labels"]?.arrayValue ?? []).contains("handoff")
    }

    /// The task store of a machine, `id → status` (without the tasks `handoff end` filed).
    func taskStatuses(_ machine: Machine) throws -> [String: String] {
        let listed = try JSONValue.parse(try machine.handoff("task", "list", "--all", "--json").checked().stdout)
        var statuses: [String: String] = [:]
        for task in listed.arrayValue ?? [] where !filedByHandoffEnd(task) {
            if let id = task["id"]?.stringValue { statuses[id] = task["status"]?.stringValue }
        }
        return statuses
    }

    @Test func aTaskOpenedOnOneCloneAndClosedOnAnotherEndsClosedEverywhere() throws {
        let sandbox = try GitSandbox("share-tasks")
        let (_, clones) = try machines(["a", "b"], sandbox: sandbox)
        let (a, b) = (clones[0], clones[1])
        try a.setUp()
        try b.setUp()
        let parser = try a.handoff("task", "add", "fix the parser").checked().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let docs = try a.handoff("task", "add", "write the docs").checked().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try a.end("README.md:1 parser first", session: "a1")
        try a.handoff("push").checked()

        // B pulls: A's tasks reach B's task store, and B's next session sees them as open.
        let pulled = try b.handoff("pull").checked()
        #expect(pulled.stdout.contains("Tasks merged into this clone's store"))
        let onB = try taskStatuses(b)
        #expect(onB[parser] == "open" && onB[docs] == "open")
        // Every task A shared (`handoff end` adds its own resume task) is in B's store.
        #expect(Set(onB.keys).isSuperset(of: try taskStatuses(a).keys))
        let start = try b.hook("handoff-session", ClaudePayload.sessionStart("b-session", cwd: b.path, home: b.home, source: "startup"))
        let brief = try #require(try JSONValue.parse(start.stdout)["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        #expect(brief.contains("Open tasks: "))
        #expect(brief.contains("\(parser) fix the parser"))

        // B closes the parser task; A, not knowing, edits it and opens another. Both hand over and push.
        try b.handoff("task", "done", parser).checked()
        try b.end("README.md:1 docs next", session: "b1")
        try b.handoff("push").checked()
        try a.handoff("task", "update", parser, "--title", "fix the parser and the lexer").checked()
        let extra = try a.handoff("task", "add", "new on A").checked().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try a.end("README.md:1 lexer next", session: "a2")
        let pushed = try a.handoff("push").checked()
        #expect(pushed.stdout.contains("note: task \(parser): closed on \(FileSystem.hostname()) and edited on \(FileSystem.hostname()); kept closed"))
        try b.handoff("pull").checked()

        for machine in [a, b] {
            let statuses = try taskStatuses(machine)
            #expect(statuses[parser] == "done" && statuses[docs] == "open" && statuses[extra] == "open", "task store on \(machine.name)")
            let tip = try #require(machine.refs.handover(at: "refs/handoff/main"))
            let shared = Dictionary(uniqueKeysWithValues: (tip.handover.tasks ?? []).filter { !filedByHandoffEnd($0) }
                .compactMap { task in task["id"]?.stringValue.map { ($0, task) } })
            #expect(shared[parser]?["status"]?.stringValue == "done", "shared tree on \(machine.name)")
            #expect(Set(shared.keys).isSuperset(of: [parser, docs, extra]))
            #expect(tip.handover.origin.session == "a2", "the newest handover is the state, on \(machine.name)")
            #expect(try machine.git("rev-parse", "refs/handoff/main") == (try machine.remoteRefs()["refs/handoff/main"]))
        }
        // Nothing lost: both clones' task stores hold the same tasks.
        #expect(Set(try taskStatuses(a).keys) == Set(try taskStatuses(b).keys))
        // Both handovers of each clone are in the history, which `handoff share log --json` lists with their origin.
        let sessions = try a.refs.history("refs/handoff/main", limit: 10).compactMap(\.handover.origin.session)
        #expect(Set(sessions) == ["a1", "a2", "b1"])
        let log = try JSONValue.parse(try b.handoff("share", "log", "--json").checked().stdout).arrayValue ?? []
        #expect(log.compactMap { $0["origin"]?["session"]?.stringValue } == ["a2", "b1", "a1"])
        #expect(log.first?["origin"]?["host"]?.stringValue == FileSystem.hostname())
        #expect(log.first?["state"]?["resume"]?["next"]?.stringValue == "README.md:1 lexer next")
    }

    @Test func pruneDeletesRefsOfBranchesThatAreGone() throws {
        let sandbox = try GitSandbox("share-prune")
        let (_, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp()
        try a.git("checkout", "-q", "-b", "feature/x")
        try a.end("README.md:1 on the feature")
        try a.git("checkout", "-q", "main")
        try a.end("README.md:1 on main")
        try a.handoff("push").checked()
        #expect(try a.handoff("share", "prune", "--dry-run").checked().stdout.contains("Nothing to prune"))
        try a.git("branch", "-q", "-D", "feature/x")
        let dry = try a.handoff("share", "prune", "--dry-run").checked()
        #expect(dry.stdout.contains("Would delete: refs/handoff/feature/x"))
        try a.handoff("share", "prune", "--remote", "origin").checked()
        #expect(try a.git("for-each-ref", "--format=%(refname)", "refs/handoff/") == "refs/handoff/main")
        #expect(try a.remoteRefs()["refs/handoff/feature/x"] == nil)
        #expect(try a.remoteRefs()["refs/handoff/main"] != nil)
    }

    @Test func compactionSnapshotsAreSharedOnlyWhenAskedFor() throws {
        let sandbox = try GitSandbox("share-snapshot")
        let (_, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp()
        let session = "sess-compact"
        _ = try a.hook("handoff-session", ClaudePayload.sessionStart(session, cwd: a.path, home: a.home, source: "startup"))
        _ = try a.hook("handoff-compact", ClaudePayload.preCompact(session, cwd: a.path, home: a.home, trigger: "auto"))
        #expect(try a.git("for-each-ref", "refs/handoff/").isEmpty)
        try a.git("config", "handoff.shareSnapshots", "true")
        _ = try a.hook("handoff-compact", ClaudePayload.preCompact(session, cwd: a.path, home: a.home, trigger: "auto"))
        let shared = try #require(a.refs.handover(at: "refs/handoff/main"))
        #expect(shared.handover.origin.kind == .snapshot)
        #expect(shared.handover.origin.session == session)
        #expect(shared.handover.state?["source"]?.stringValue == "auto-save")
    }

    @Test func shareOffRemovesTheRefspecAndStopsRecording() throws {
        let sandbox = try GitSandbox("share-toggle")
        let (_, clones) = try machines(["a"], sandbox: sandbox)
        let a = clones[0]
        try a.setUp()
        #expect(try a.git("config", "--get-all", "remote.origin.fetch").contains("+refs/handoff/*:refs/handoff-remotes/origin/*"))
        try a.end("README.md:1 first")
        let off = try a.handoff("share", "off").checked()
        #expect(off.stdout.contains("1 handover ref stay"))
        #expect(!(try a.git("config", "--get-all", "remote.origin.fetch")).contains("refs/handoff"))
        let tip = try a.git("rev-parse", "refs/handoff/main")
        try a.end("README.md:1 second")
        #expect(try a.git("rev-parse", "refs/handoff/main") == tip)
        let status = try a.handoff("share", "status").checked()
        #expect(status.stdout.contains("Sharing:  off"))
    }
}
