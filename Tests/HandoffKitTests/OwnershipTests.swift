import Foundation
import Testing

@testable import HandoffKit

/// A repository that belongs to another user (CVE-2022-24765): git refuses it unless it is listed in
/// `safe.directory`, and so does libgit2 inside every handoff process.
///
/// libgit2 1.5 (Debian 12's libgit2-dev) accepts a repository when its worktree is owned by the
/// effective user, by uid 0, or (for root) by `$SUDO_UID`; root gets no other exemption. So as root,
/// a repository given to uid 65534 is refused. Where the test cannot give a folder away (not root,
/// or no CAP_CHOWN) it is skipped, because no refusal can be produced there.
@Suite("Ownership: a repository that belongs to another user")
struct OwnershipTests {
    static let otherUser = "65534:65534"

    /// True when this process can make a folder belong to uid 65534 (the test needs exactly that).
    static let canGiveAFolderAway: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = NSTemporaryDirectory() + "/handoff-chown-probe-\(UUID().uuidString)"
        guard mkdir(probe, 0o700) == 0 else { return false }
        defer { rmdir(probe) }
        var info = stat()
        return chown(probe, 65534, 65534) == 0 && stat(probe, &info) == 0 && info.st_uid == 65534
    }()

    @Test("refused with one line naming safe.directory, as git does; the git and agent hooks fail open",
          .enabled(if: canGiveAFolderAway, "needs root with CAP_CHOWN: only then can a repository be given to another user here"))
    func refusedAsGitRefusesIt() throws {
        let sandbox = try GitSandbox("owner")
        defer { try? FileManager.default.removeItem(atPath: sandbox.root) }
        let remote = try sandbox.bareRemote()
        let repo = try sandbox.repository("repo")
        try repo.installHooks()
        try repo.git("remote", "add", "origin", remote)
        var environment = sandbox.environment
        environment["SUDO_UID"] = nil  // libgit2 and git trust the sudo caller's repositories
        let handoff = try BuiltProducts.path("handoff")
        let path = repo.path

        try BoundedProcess.run("/usr/bin/env", ["chown", "-R", Self.otherUser, path], in: sandbox.root, environment: environment).checked()
        defer { _ = try? BoundedProcess.run("/usr/bin/env", ["chown", "-R", "0:0", path], in: sandbox.root, environment: environment) }

        // The control: git itself refuses this repository.
        let gitStatus = try BoundedProcess.git(["status"], in: path, environment: environment)
        #expect(gitStatus.status != 0 && gitStatus.stderr.contains("dubious ownership"), "git accepted it: \(gitStatus.stderr)")

        // handoff refuses it the same way: one line, the path, the fix; exit 3 ("no usable repository here").
        func expectRefusal(_ text: String, _ what: String) {
            #expect(text.contains("safe.directory") && text.contains(path) && text.contains("another user"), "\(what): \(text)")
        }
        for arguments in [["status"], ["status", "--json"], ["context"], ["init"]] {
            let result = try BoundedProcess.run(handoff, arguments, in: path, environment: environment)
            #expect(result.status == 3, "handoff \(arguments.joined(separator: " ")) exited \(result.status): \(result.stdout)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            expectRefusal(result.stderr, "handoff \(arguments.joined(separator: " "))")
        }

        // Nothing is written into such a repository: `handoff init` refuses before creating the store.
        let untouched = try sandbox.repository("untouched")
        try BoundedProcess.run("/usr/bin/env", ["chown", "-R", Self.otherUser, untouched.path], in: sandbox.root, environment: environment).checked()
        defer { _ = try? BoundedProcess.run("/usr/bin/env", ["chown", "-R", "0:0", untouched.path], in: sandbox.root, environment: environment) }
        let initialise = try BoundedProcess.run(handoff, ["init"], in: untouched.path, environment: environment)
        #expect(initialise.status == 3)
        #expect(!FileManager.default.fileExists(atPath: untouched.path + "/.handoff"), "handoff init wrote into another user's repository")

        // `handoff doctor` names it too, with the fix; `handoff install` refuses to set it up.
        let doctor = try BoundedProcess.run(handoff, ["doctor", "--json"], in: path, environment: environment)
        #expect(doctor.status != 0)
        let gitHooks = ((try? JSONValue.parse(doctor.stdout))?["checks"]?.arrayValue ?? []).first { $0["id"]?.stringValue == "git-hooks" }
        expectRefusal((gitHooks?["detail"]?.stringValue ?? "") + " " + (gitHooks?["fix"]?.stringValue ?? ""), "handoff doctor: \(doctor.stdout.prefix(600))")
        let install = try BoundedProcess.run(handoff, ["install", "--git"], in: path, environment: environment)
        #expect(install.status != 0)
        expectRefusal(install.stderr, "handoff install --git")

        // The agent hooks fail open and say why (the user sees systemMessage).
        let session = "sess-owner"
        for (product, payload) in [
            ("handoff-session", ClaudePayload.sessionStart(session, cwd: path, home: sandbox.home, source: "startup")),
            ("handoff-stop-gate", ClaudePayload.stop(session, cwd: path, home: sandbox.home, message: "done", active: false)),
            ("handoff-compact", ClaudePayload.preCompact(session, cwd: path, home: sandbox.home, trigger: "auto")),
        ] {
            var hookEnvironment = environment
            hookEnvironment["CLAUDE_PROJECT_DIR"] = path
            let result = try BoundedProcess.run(try HookProducts.path(product), [], in: path, environment: hookEnvironment, stdin: payload)
            #expect(result.status == 0, "\(product) exited \(result.status)")
            let message = (try? JSONValue.parse(result.stdout))?["systemMessage"]?.stringValue ?? ""
            expectRefusal(message, product)
        }

        // The git hooks fail open. git trusts the repository for one command (`-c safe.directory`);
        // libgit2 inside the hook does not read that, refuses, and the commit and push go through
        // with one line on stderr each.
        let trusted = ["-c", "safe.directory=\(path)"]
        try repo.write("foreign.txt", "mine now\n")
        try BoundedProcess.git(trusted + ["add", "foreign.txt"], in: path, environment: environment).checked()
        let commit = try BoundedProcess.git(trusted + ["commit", "-q", "-m", "commit in a foreign repository"], in: path, environment: environment)
        #expect(commit.status == 0, "the commit failed: \(commit.stderr)")
        #expect(commit.stderr.split(separator: "\n").count == 1 && commit.stderr.hasPrefix("handoff: post-commit: "), "\(commit.stderr)")
        expectRefusal(commit.stderr, "post-commit")
        let head = try BoundedProcess.git(trusted + ["log", "-1", "--format=%H %s"], in: path, environment: environment).checked().stdout
        #expect(head.contains("commit in a foreign repository"))

        let push = try BoundedProcess.git(trusted + ["push", "-q", "origin", "main"], in: path, environment: environment)
        #expect(push.status == 0, "the push failed: \(push.stderr)")
        #expect(push.stderr.split(separator: "\n").count == 1 && push.stderr.hasPrefix("handoff: pre-push: "), "\(push.stderr)")
        expectRefusal(push.stderr, "pre-push")
        let remoteHead = try BoundedProcess.git(["--git-dir", remote, "rev-parse", "main"], in: sandbox.root, environment: environment).checked().stdout
        #expect(head.hasPrefix(remoteHead.trimmingCharacters(in: .whitespacesAndNewlines)), "the push did not arrive")

        // Each failure is also on record in the store, and nothing else was recorded from this repository.
        let errors = repo.events(EventType.hookError)
        #expect(Set(errors.compactMap { $0["hook"]?.stringValue }) == ["post-commit", "pre-push", "session", "stop-gate", "compact"])
        #expect(errors.allSatisfy { $0["error"]?.stringValue?.contains("safe.directory") == true })
        #expect(repo.events(EventType.commit).isEmpty && repo.events(EventType.push).isEmpty)

        // Trusting it the way the message says (the global config, which libgit2 reads too) ends the refusal.
        try BoundedProcess.git(["config", "--global", "--add", "safe.directory", path], in: sandbox.root, environment: environment).checked()
        let status = try BoundedProcess.run(handoff, ["status", "--json"], in: path, environment: environment)
        #expect(status.status == 0 && status.stderr.isEmpty, "\(status.stderr)")
        try repo.write("foreign.txt", "trusted now\n")
        try BoundedProcess.git(["commit", "-q", "-am", "commit after trusting it"], in: path, environment: environment).checked()
        #expect(repo.events(EventType.commit).last?["subject"]?.stringValue == "commit after trusting it")
    }
}
