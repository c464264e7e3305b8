import Foundation
import Testing

@testable import HandoffKit

/// A crafted remote: handover commits whose trees hold what no clone of handoff writes (a file over
/// its cap, a tree where a file belongs). Each is listed as unreadable with the reason, never hides
/// the readable ones, and never becomes a false message at push time (#26).
@Suite("Hostile input: a crafted remote")
struct HostileRemoteTests {
    func machines(_ sandbox: GitSandbox) throws -> (Machine, Machine) {
        let remote = try sandbox.bareRemote()
        let seed = try sandbox.repository("seed")
        try seed.git("remote", "add", "origin", remote)
        try seed.git("push", "-q", "origin", "main")
        let a = try Machine.make("a", cloning: remote, in: sandbox)
        let b = try Machine.make("b", cloning: remote, in: sandbox)
        try a.setUp()
        try b.setUp()
        return (a, b)
    }

    /// On `machine`: two commits on top of `refs/handoff/main`, one whose reflection.md is just over
    /// its cap, one whose state.json is a tree; pushed to the remote as an attacker with push access would.
    func craft(on machine: Machine, reflectionBytes: Int) throws {
        let script = """
            set -e
            origin=$(printf '{"at":"2026-12-07T10:00:00.000Z","kind":"reflection","branch":"main","clone":"evil","host":"evil","agent":"x"}' | git hash-object -w --stdin)
            big=$(head -c \(reflectionBytes) /dev/zero | tr '\\0' x | git hash-object -w --stdin)
            tree=$(printf '100644 blob %s\\torigin.json\\n100644 blob %s\\treflection.md\\n' "$origin" "$big" | git mktree)
            c1=$(echo big | git commit-tree -p refs/handoff/main "$tree")
            sub=$(printf '100644 blob %s\\tx\\n' "$origin" | git mktree)
            tree2=$(printf '100644 blob %s\\torigin.json\\n040000 tree %s\\tstate.json\\n' "$origin" "$sub" | git mktree)
            c2=$(echo tree | git commit-tree -p "$c1" "$tree2")
            git update-ref refs/handoff/main "$c2"
            git push -q --no-verify origin refs/handoff/main:refs/handoff/main
            """
        try GitProcess.run("/bin/sh", ["-c", script], in: machine.path, environment: machine.environment).checked()
    }

    @Test("handoff log lists each crafted handover as unreadable with why, and the real one still")
    func logListsUnreadable() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, b) = try machines(sandbox)
        try a.end("README.md:1 the real handover", session: "sess-real")
        try a.handoff("push").checked()
        try craft(on: a, reflectionBytes: HandoverRefs.fileCaps[SharedHandover.reflectionFile]! + 1)
        try b.git("fetch", "-q", "origin")

        let result = try b.handoff("log", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        // Before: the tree desynchronised the batch read and the real handover vanished with it.
        #expect(entries.contains { $0["session"] == "sess-real" && $0["source"] == "shared" }, "\(entries.map(\.compactText))")
        let unreadable = entries.compactMap { $0["unreadable"]?.stringValue }
        #expect(unreadable.count == 2, "\(entries.map(\.compactText))")
        #expect(unreadable.contains { $0.contains("reflection.md is") && $0.contains("over the 1 MiB") }, "\(unreadable)")
        #expect(unreadable.contains { $0 == "state.json is a tree, not a file" }, "\(unreadable)")
        let text = try b.handoff("log").checked().stdout
        #expect(text.contains("unreadable shared handover"), "\(text)")
        #expect(text.contains("sess-real"))
    }

    @Test("a push after the crafted history says the handovers could not be merged, not that the remote refused them")
    func pushSaysWhatHappened() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, b) = try machines(sandbox)
        try a.end("README.md:1 from a", session: "sess-a")
        try a.handoff("push").checked()
        try craft(on: a, reflectionBytes: HandoverRefs.fileCaps[SharedHandover.reflectionFile]! + 1)
        try b.end("README.md:2 from b", session: "sess-b")
        try b.commit("b.txt", "b\n", message: "b's work")
        let pushed = try b.gitResult("push", "origin", "main")
        #expect(pushed.status == 0, "the user's push must go on: \(pushed.stderr)")
        #expect(!pushed.stderr.contains("refused handover refs"), "a false refusal: \(pushed.stderr)")
        #expect(pushed.stderr.contains("could not be merged here"), "\(pushed.stderr)")
        #expect(pushed.stderr.contains("state.json is a tree, not a file") || pushed.stderr.contains("cannot be read"), "\(pushed.stderr)")
        // The user's branch went.
        #expect(try b.remoteRefs()["refs/heads/main"] == (try b.git("rev-parse", "HEAD")))
    }

    @Test("the shared-tree reader never loads a file past its cap (sizes are asked first)")
    func readerBoundsWhatItLoads() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, _) = try machines(sandbox)
        try a.end("README.md:1 real", session: "sess-real")
        try craft(on: a, reflectionBytes: 8 * 1024 * 1024)
        let refs = HandoverRefs(root: a.path, environment: Environment(a.environment))
        let commits = try a.git("rev-list", "refs/handoff/main").split(separator: "\n").map(String.init)
        #expect(commits.count == 3)
        let read = refs.readAll(commits)
        #expect(read.handovers.count == 1)
        #expect(read.unreadable.count == 2)
        #expect(read.handovers.values.first?.origin.session == "sess-real")
    }

    static let secret = "ghp_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb"

    @Test("a secret inside a fetched handover (state, host, reflection, tasks) never reaches the brief, log, show or the task store")
    func inboundRedaction() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, b) = try machines(sandbox)
        try a.end("README.md:1 real", session: "sess-real")
        try a.handoff("push").checked()
        // Written as raw objects, past the writer's own redactor: what a clone of another tool, or
        // an attacker with push access, could put on the remote.
        let secret = Self.secret
        let script = """
            set -e
            now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
            origin=$(printf '{"at":"%s","kind":"reflection","branch":"main","clone":"other","host":"host-\(secret)","agent":"codex","session":"sess-x"}' "$now" | git hash-object -w --stdin)
            state=$(printf '{"version":1,"severity":"IN_PROGRESS","resume":{"next":"README.md:1 use \(secret)","files":["README.md"],"context":"token \(secret)"},"watch_out_for":["\(secret)"]}' | git hash-object -w --stdin)
            refl=$(printf '**Outcome**: partial\n**Next step**: rotate \(secret)\n' | git hash-object -w --stdin)
            tasks=$(printf '[{"id":"ho-secret00001","title":"rotate \(secret)","status":"open","created_at":"2026-12-07T10:00:00.000Z"}]' | git hash-object -w --stdin)
            tree=$(printf '100644 blob %s\torigin.json\n100644 blob %s\tstate.json\n100644 blob %s\treflection.md\n100644 blob %s\ttasks.json\n' "$origin" "$state" "$refl" "$tasks" | git mktree)
            c=$(echo x | git commit-tree -p refs/handoff/main "$tree")
            git update-ref refs/handoff/main "$c"
            git push -q --no-verify origin refs/handoff/main:refs/handoff/main
            """
        try GitProcess.run("/bin/sh", ["-c", script], in: a.path, environment: a.environment).checked()
        try b.git("fetch", "-q", "origin")

        let start = try b.hook("handoff-session", ClaudePayload.sessionStart("sess-b-1", cwd: b.path, home: b.home, source: "startup"))
        #expect(start.stdout.contains("[REDACTED]") || start.stdout.contains(Redactor.mask), "the fetched handover is not in the brief: \(start.stdout)")
        #expect(!start.stdout.contains(secret), "the secret reached the model's context")
        for arguments in [["brief"], ["brief", "--json"], ["log"], ["log", "--json"]] {
            let result = try GitProcess.run(try HookProducts.path("handoff"), arguments, in: b.path, environment: b.environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stdout.contains(secret), "handoff \(arguments.joined(separator: " ")) printed the secret")
        }
        try b.handoff("pull").checked()
        let tasks = try b.handoff("task", "list", "--all", "--json").checked().stdout
        #expect(tasks.contains("ho-secret00001"), "the fetched task was not imported: \(tasks)")
        #expect(!tasks.contains(secret))
        let show = try b.handoff("task", "show", "ho-secret00001").checked().stdout
        #expect(!show.contains(secret))
    }

    @Test("a secret in a session id or a branch name never reaches the remote: not in origin.json, not in the commit message")
    func outboundRedaction() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, _) = try machines(sandbox)
        let secret = Self.secret
        try a.git("checkout", "-q", "-b", "fix-\(secret)")
        try a.end("README.md:1 next", session: "sess-\(secret)")
        let ref = "refs/handoff/fix-\(secret)"
        let tip = try a.git("rev-parse", ref)
        let origin = try a.git("cat-file", "blob", "\(tip):origin.json")
        #expect(!origin.contains(secret), "origin.json: \(origin)")
        #expect(origin.contains(Redactor.mask))
        let message = try a.git("cat-file", "commit", tip)
        #expect(!message.contains(secret), "commit message: \(message)")
    }

    @Test("git push --dry-run (and -n) pushes nothing of handoff's and records no push in the ledger; the real push then shares")
    func dryRunHasNoSideEffect() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, _) = try machines(sandbox)
        try a.end("README.md:1 next", session: "sess-dry")
        try a.commit("x.txt", "x\n", message: "work")
        for flags in [["--dry-run"], ["-n"], ["-qn"]] {
            let result = try GitProcess.run("/usr/bin/env", ["git", "push"] + flags + ["origin", "main"], in: a.path, environment: a.environment)
            #expect(result.status == 0, "\(flags): \(result.stderr)")
            // Before: the handover refs were really pushed during a dry run.
            #expect(try a.remoteRefs().keys.filter { $0.hasPrefix("refs/handoff/") }.isEmpty, "\(flags) pushed handover refs")
            #expect(!result.stderr.contains("shared handovers"), "\(flags): \(result.stderr)")
        }
        #expect(PushLedger(store: a.store).record(forBranch: "main")?.sha != (try a.git("rev-parse", "HEAD")),
                "a dry run entered the ledger as a push")
        let pushes = a.store.events.readAll().events.filter { $0.type == EventType.push }
        #expect(pushes.count == 3 && pushes.allSatisfy { $0["dry_run"]?.boolValue == true }, "\(pushes.map(\.json.compactText))")
        let real = try a.gitResult("push", "origin", "main")
        #expect(real.stderr.contains("shared handovers with origin"), "\(real.stderr)")
        #expect(try a.remoteRefs()["refs/handoff/main"] != nil)
        #expect(PushLedger(store: a.store).record(forBranch: "main")?.sha == (try a.git("rev-parse", "HEAD")))
    }

    @Test("the dry-run reader understands git's command line")
    func dryRunParsing() {
        #expect(PushDryRun.dryRun(gitArguments: ["git", "push", "--dry-run"]) == true)
        #expect(PushDryRun.dryRun(gitArguments: ["/usr/bin/git", "-C", "x", "-c", "a=b", "push", "-vn", "origin"]) == true)
        #expect(PushDryRun.dryRun(gitArguments: ["git", "push", "-o", "n", "origin"]) == false)
        #expect(PushDryRun.dryRun(gitArguments: ["git", "push", "origin", "--", "-n"]) == false)
        #expect(PushDryRun.dryRun(gitArguments: ["git", "push", "origin", "main"]) == false)
        #expect(PushDryRun.dryRun(gitArguments: ["git", "fetch", "-n"]) == nil)
        #expect(PushDryRun.dryRun(gitArguments: ["sh", "push", "-n"]) == nil)
    }

    @Test("handoff share log and share status print no control character from fetched text, and list an unreadable handover")
    func shareLogEscapes() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, _) = try machines(sandbox)
        try a.end("README.md:1 real", session: "sess-real")
        let script = #"""
            set -e
            origin=$(printf '{"at":"2026-12-07T10:00:00.000Z","kind":"reflection","branch":"main","clone":"c","host":"h\u001b]0;pwned\u0007\u001b[2J","agent":"x","outcome":"ok\u001b[8m"}' | git hash-object -w --stdin)
            state=$(printf '{"resume":{"next":"go \u001b[31mred\u009b2J"}}' | git hash-object -w --stdin)
            tree=$(printf '100644 blob %s\torigin.json\n100644 blob %s\tstate.json\n' "$origin" "$state" | git mktree)
            c=$(echo x | git commit-tree -p refs/handoff/main "$tree")
            git update-ref refs/handoff/main "$c"
            """#
        try GitProcess.run("/bin/sh", ["-c", script], in: a.path, environment: a.environment).checked()
        try craft(on: a, reflectionBytes: HandoverRefs.fileCaps[SharedHandover.reflectionFile]! + 1)
        for arguments in [["share", "log"], ["share", "status"], ["log"]] {
            let result = try GitProcess.run(try HookProducts.path("handoff"), arguments, in: a.path, environment: a.environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let controls = result.stdout.unicodeScalars.filter { TerminalText.needsEscape($0) && $0 != "\n" }
            #expect(controls.isEmpty, "handoff \(arguments.joined(separator: " ")) printed \(controls.map { String($0.value, radix: 16) })")
        }
        let log = try a.handoff("share", "log").checked().stdout
        #expect(log.contains(#"h\e]0;pwned\x07\e[2J"#), "\(log)")
        #expect(log.contains("unreadable: state.json is a tree, not a file"), "\(log)")
        #expect(log.contains("sess-rea") || log.contains("handoff-end"), "the real handover is still listed: \(log)")
    }

    @Test("a shareTimeout of 0, -5 or abc is reported by doctor and share status, not silently 10 s")
    func shareTimeoutReported() throws {
        let sandbox = try GitSandbox("hostile-remote")
        let (a, _) = try machines(sandbox)
        for value in ["0", "-5", "abc"] {
            try a.git("config", "handoff.shareTimeout", value)
            let doctor = try JSONValue.parse(try a.handoff("doctor", "--json").stdout)
            let check = try #require(doctor["checks"]?.arrayValue?.first { $0["id"] == "share:timeout" }, "\(value): no share:timeout check")
            #expect(check["status"] == "warn")
            #expect(check["detail"]?.stringValue?.contains("not a number of seconds above 0; the default 10 s is used") == true, "\(check)")
            #expect(try a.handoff("share", "status").checked().stdout.contains("Timeout:  handoff.shareTimeout \"\(value)\""))
        }
        try a.git("config", "handoff.shareTimeout", "20")
        let doctor = try JSONValue.parse(try a.handoff("doctor", "--json").stdout)
        #expect(doctor["checks"]?.arrayValue?.contains { $0["id"] == "share:timeout" } == false)
        #expect(ShareSettings.read { $0 == ShareSettings.timeoutKey ? "20" : nil }.timeout == 20)
    }
}
