import Foundation
import Testing

/// The packages `scripts/package.sh` builds (dist/, or HANDOFF_DIST_DIR), installed as a user without
/// a Swift toolchain would install them: every command runs with `env -i PATH=/usr/bin:/bin
/// HOME=<scratch>`. Each package then runs the proof (Support/package_proof.sh: `handoff install`,
/// a commit, a push, a blocked stop, a stop released by a reflection, a compaction snapshot, through
/// the hooks `handoff install` registered), and its uninstall must leave HOME as it was.
///
/// CI builds the packages once (.ci/run) and sets HANDOFF_PACKAGES_REQUIRED=1: without them these
/// tests fail there. Locally, without dist/, they are skipped with the reason.
enum Packages {
    static var folder: String {
        let explicit = ProcessInfo.processInfo.environment["HANDOFF_DIST_DIR"] ?? ""
        return explicit.isEmpty ? E2E.repositoryRoot + "/dist" : explicit
    }

    static var required: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["HANDOFF_PACKAGES_REQUIRED"] == "1" || environment["CI"] == "true"
    }

    /// The files SHA256SUMS lists: the packages of one package.sh run.
    static var listed: [String] {
        guard let sums = try? String(contentsOfFile: folder + "/SHA256SUMS", encoding: .utf8) else { return [] }
        return sums.split(separator: "\n").compactMap { line in line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) }
    }

    static var available: Bool { !listed.isEmpty }

    static func file(_ predicate: (String) -> Bool, _ what: String) throws -> String {
        guard let name = listed.first(where: predicate) else {
            throw E2E.SetupError(description: "\(folder)/SHA256SUMS lists no \(what); run scripts/package.sh (it needs dpkg-deb and python3 for all three)")
        }
        return folder + "/" + name
    }

    static func tarball() throws -> String { try file({ $0.hasSuffix(".tar.gz") }, "tarball") }
    static func deb() throws -> String { try file({ $0.hasSuffix(".deb") }, ".deb") }
    static func wheel() throws -> String { try file({ $0.hasSuffix(".whl") }, "wheel") }

    /// A user's environment with no toolchain on PATH.
    static func bare(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Every path under HOME (hidden ones too), sorted: what a user's `find ~` would list.
    static func listing(_ home: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: home)) ?? []).sorted()
    }

    static let reason: Comment = "no packages in dist/ (SHA256SUMS): run scripts/package.sh to build them; CI does"
}

/// A scratch folder with an empty HOME; removed afterwards.
final class PackageSandbox: @unchecked Sendable {
    // @unchecked: used by one test function only.
    let folder: String
    let home: String

    init() throws {
        folder = NSTemporaryDirectory() + "handoff-package-\(UUID().uuidString.prefix(8))"
        home = folder + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["HANDOFF_E2E_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Runs a command as the toolchain-less user; fails the test with its output unless it exits 0.
    @discardableResult
    func run(_ arguments: [String], in directory: String? = nil, _ extra: [String: String] = [:], timeout: Double = 120) throws -> String {
        let outcome = try E2E.run(arguments, in: directory ?? folder, environment: Packages.bare(home: home, extra), timeout: timeout)
        guard outcome.status == 0, !outcome.timedOut else {
            throw E2E.SetupError(description: "\(arguments.joined(separator: " ")) exited \(outcome.status)\(outcome.timedOut ? " (timed out)" : ""): \(outcome.output)")
        }
        return outcome.output
    }

    /// The proof through the installed `handoff`; returns its lines.
    func prove(_ handoff: String, _ extra: [String: String] = [:]) throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/proof", withIntermediateDirectories: true)
        let output = try run(["sh", E2E.supportFolder + "/package_proof.sh", handoff, folder + "/proof"], extra)
        for step in ["registered the agent hooks", "installed the git hooks", "committed (post-commit hook recorded it)",
                     "pushed (pre-push hook recorded it)", "a stop without a handover was blocked",
                     "a stop after a Framework Reflection was released", "compaction snapshot taken", "proof: done"] {
            #expect(output.contains(step), "the proof did not report '\(step)': \(output)")
        }
        return output
    }

    /// What handoff registered under HOME, removed the way a user removes it before dropping the package.
    func uninstallRegistrations(_ handoff: String) throws {
        let help = try run([handoff, "uninstall", "--help"])
        if help.contains("--all") {
            try run([handoff, "uninstall", "--all"])
        } else {
            try run([handoff, "uninstall", "--claude"])
            try run([handoff, "uninstall", "--codex"])
        }
    }

    func isNativeExecutable(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return handle.readData(ofLength: 4) == Data([0x7F, 0x45, 0x4C, 0x46])
    }
}

@Suite("Packages installed without a toolchain", .serialized, .enabled(if: Packages.available || Packages.required, Packages.reason))
struct PackageInstallTests {
    init() throws {
        if Packages.required && !Packages.available {
            Issue.record("HANDOFF_PACKAGES_REQUIRED is set but \(Packages.folder)/SHA256SUMS is missing or empty: scripts/package.sh did not run")
        }
    }

    @Test func everyPackageMatchesItsChecksumAndSaysOneVersion() throws {
        let sums = try E2E.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], in: Packages.folder, environment: Packages.bare(home: "/nonexistent"), timeout: 60)
        #expect(sums.status == 0, "\(sums.output)")
        let names = Packages.listed
        #expect(names.contains { $0.hasSuffix(".tar.gz") } && names.contains { $0.hasSuffix(".deb") } && names.contains { $0.hasSuffix(".whl") }, "\(names)")
        // One version: the plugin's manifest, the tarball's, the .deb's and the wheel's names.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: E2E.pluginFolder + "/.claude-plugin/plugin.json"))) as? [String: Any]
        let version = try #require(manifest?["version"] as? String)
        #expect(names.contains("handoff-\(version)-linux-\(Self.machine).tar.gz"), "\(names)")
        #expect(names.contains { $0.hasPrefix("handoff_\(version)_") && $0.hasSuffix(".deb") }, "\(names)")
        #expect(names.contains { $0.hasPrefix("handoff_hooks-\(version)-py3-none-manylinux_") && $0.hasSuffix("_\(Self.machine).whl") }, "\(names)")
    }

    static var machine: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The tarball's install.sh into ~/.local, `handoff install`, the proof, then `install.sh --uninstall`.
    @Test func theTarballInstallsWithNoToolchainProvesItselfAndUninstallsToTheSameHome() throws {
        let sandbox = try PackageSandbox()
        let before = Packages.listing(sandbox.home)
        try sandbox.run(["tar", "-xzf", try Packages.tarball(), "-C", sandbox.folder])
        let unpacked = try #require(try FileManager.default.contentsOfDirectory(atPath: sandbox.folder).first { $0.hasPrefix("handoff-") })
        let installer = sandbox.folder + "/" + unpacked + "/install.sh"
        let output = try sandbox.run(["sh", installer])
        #expect(output.contains("Next: "), "\(output)")
        let handoff = sandbox.home + "/.local/bin/handoff"
        #expect(sandbox.isNativeExecutable(handoff))
        for path in ["/.local/share/handoff/.claude-plugin/plugin.json", "/.local/share/man/man1/handoff.1",
                     "/.local/share/bash-completion/completions/handoff", "/.local/share/zsh/vendor-completions/_handoff",
                     "/.local/share/fish/vendor_completions.d/handoff.fish"] {
            #expect(FileManager.default.fileExists(atPath: sandbox.home + path), "the tarball installs \(path)")
        }
        try sandbox.prove(handoff)
        let removed = try sandbox.run(["sh", installer, "--uninstall"])
        #expect(removed.contains("handoff is uninstalled"), "\(removed)")
        #expect(Packages.listing(sandbox.home) == before, "HOME after uninstall: \(Packages.listing(sandbox.home))")
    }

    /// The .deb installed by dpkg into a scratch root (its own package database), the proof through
    /// <root>/usr/bin/handoff, then `dpkg --remove`: nothing of the package's stays under <root>/usr.
    /// With HANDOFF_PACKAGE_TEST_APT=1 (a throw-away CI machine, as root) also the real
    /// `apt-get install ./handoff_*.deb` and `apt-get remove handoff`.
    @Test func theDebInstallsProvesItselfAndRemovesEverythingItInstalled() throws {
        let sandbox = try PackageSandbox()
        let deb = try Packages.deb()
        let before = Packages.listing(sandbox.home)
        let root = sandbox.folder + "/root"
        for folder in ["/var/lib/dpkg/info", "/var/lib/dpkg/updates", "/usr"] {
            try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: Data())
        // The scratch database knows no libc6: its dependencies are the real system's.
        let dpkg = ["dpkg", "--root=\(root)", "--force-not-root", "--force-depends", "--force-script-chrootless"]
        // dpkg wants ldconfig and start-stop-daemon on PATH (sbin); still no toolchain.
        let sbin = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]
        try sandbox.run(dpkg + ["--install", deb], sbin)
        let handoff = root + "/usr/bin/handoff"
        #expect(sandbox.isNativeExecutable(handoff))
        for path in ["/usr/share/handoff/.claude-plugin/plugin.json", "/usr/share/man/man1/handoff.1.gz", "/usr/share/doc/handoff/copyright",
                     "/usr/share/bash-completion/completions/handoff", "/usr/share/zsh/vendor-completions/_handoff",
                     "/usr/share/fish/vendor_completions.d/handoff.fish"] {
            #expect(FileManager.default.fileExists(atPath: root + path), "the .deb installs \(path)")
        }
        try sandbox.prove(handoff)
        try sandbox.uninstallRegistrations(handoff)
        try sandbox.run(dpkg + ["--purge", "handoff"], sbin)
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: root + "/usr")) ?? []
        #expect(left.allSatisfy { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/usr/" + path, isDirectory: &isFolder) && isFolder.boolValue
        }, "files left under /usr after dpkg --purge: \(left)")
        #expect(Packages.listing(sandbox.home) == before, "HOME after uninstall: \(Packages.listing(sandbox.home))")

        guard ProcessInfo.processInfo.environment["HANDOFF_PACKAGE_TEST_APT"] == "1" else { return }
        let environment = Packages.bare(home: sandbox.home, ["DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        let install = try E2E.run(["apt-get", "install", "-y", "-q", deb], in: sandbox.folder, environment: environment, timeout: 300)
        try #require(install.status == 0, "apt-get install \(deb): \(install.output)")
        let files = try E2E.run(["dpkg", "-L", "handoff"], in: "/", environment: environment, timeout: 30).output
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        try sandbox.prove("/usr/bin/handoff")
        try sandbox.uninstallRegistrations("/usr/bin/handoff")
        let remove = try E2E.run(["apt-get", "remove", "-y", "-q", "handoff"], in: sandbox.folder, environment: environment, timeout: 300)
        #expect(remove.status == 0, "apt-get remove handoff: \(remove.output)")
        let kept = files.filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        #expect(kept.isEmpty, "apt-get remove handoff left: \(kept)")
        #expect(Packages.listing(sandbox.home) == before, "HOME after apt-get remove: \(Packages.listing(sandbox.home))")
    }

    /// The wheel with pip into a fresh venv: bin/handoff is the native executable itself (no Python
    /// shim), <venv>/share/handoff is the plugin; the proof; `pip uninstall` removes both.
    @Test func theWheelInstallsTheNativeExecutableIntoAVenvAndProvesIt() throws {
        let sandbox = try PackageSandbox()
        let wheel = try Packages.wheel()
        let before = Packages.listing(sandbox.home)
        let venv = sandbox.folder + "/venv"
        try sandbox.run(["python3", "-m", "venv", venv])
        try sandbox.run([venv + "/bin/pip", "install", "--no-index", "--no-cache-dir", "-q", wheel], ["PIP_DISABLE_PIP_VERSION_CHECK": "1"])
        let handoff = venv + "/bin/handoff"
        #expect(sandbox.isNativeExecutable(handoff), "\(handoff) is not the native executable")
        #expect(FileManager.default.fileExists(atPath: venv + "/share/handoff/.claude-plugin/plugin.json"))
        #expect(FileManager.default.fileExists(atPath: venv + "/share/man/man1/handoff.1"))
        try sandbox.prove(handoff)
        try sandbox.uninstallRegistrations(handoff)
        try sandbox.run([venv + "/bin/pip", "uninstall", "-y", "-q", "handoff-hooks"], ["PIP_DISABLE_PIP_VERSION_CHECK": "1"])
        #expect(!FileManager.default.fileExists(atPath: handoff))
        #expect(!FileManager.default.fileExists(atPath: venv + "/share/handoff"), "pip uninstall leaves \(venv)/share/handoff")
        #expect(Packages.listing(sandbox.home) == before, "HOME after uninstall: \(Packages.listing(sandbox.home))")
    }

    /// `pipx install` and `uv tool install` of the wheel file (when CI installed them from PyPI): the
    /// command on PATH is a link to the native executable. Their own folders are kept outside HOME,
    /// so HOME shows only what handoff added.
    @Test(arguments: ["pipx", "uv"])
    func theWheelInstallsAsATool(_ tool: String) throws {
        guard let executable = Self.which(tool) else {
            if Packages.required { Issue.record("\(tool) is not on PATH; .ci/run installs it (python3 -m pip install \(tool))") }
            else { print("skipped: \(tool) is not on PATH") }
            return
        }
        let sandbox = try PackageSandbox()
        let wheel = try Packages.wheel()
        let before = Packages.listing(sandbox.home)
        let tools = sandbox.folder + "/tools"
        let environment = [
            "PIPX_HOME": tools + "/pipx", "PIPX_BIN_DIR": tools + "/bin", "PIPX_MAN_DIR": tools + "/man", "PIPX_COMPLETION_DIR": tools + "/completions",
            "UV_TOOL_DIR": tools + "/uv", "UV_TOOL_BIN_DIR": tools + "/bin", "UV_CACHE_DIR": tools + "/cache",
            "XDG_CACHE_HOME": tools + "/cache", "XDG_DATA_HOME": tools + "/data", "XDG_STATE_HOME": tools + "/state",
            "UV_NO_CONFIG": "1", "UV_OFFLINE": "1",
        ]
        let install = tool == "uv" ? [executable, "tool", "install", "--offline", wheel] : [executable, "install", wheel]
        try sandbox.run(install, environment)
        let handoff = tools + "/bin/handoff"
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: handoff)) ?? handoff
        #expect(sandbox.isNativeExecutable(resolved), "\(handoff) -> \(resolved) is not the native executable")
        try sandbox.prove(handoff, environment)
        try sandbox.uninstallRegistrations(handoff)
        try sandbox.run(tool == "uv" ? [executable, "tool", "uninstall", "handoff-hooks"] : [executable, "uninstall", "handoff-hooks"], environment)
        #expect(!FileManager.default.fileExists(atPath: handoff))
        #expect(Packages.listing(sandbox.home) == before, "HOME after uninstall: \(Packages.listing(sandbox.home))")
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The issue's "done when": a user with Python and git but no Swift goes from the wheel file to a
/// gated Claude Code session with the README's two commands (`pip install` of the wheel, here into a
/// fresh venv; `handoff install --claude --git` in the repository). The real CLI, no `--plugin-dir`:
/// only what those two commands registered runs. An extension of the serialized E2E suite, so it never
/// overlaps the other CLI runs.
extension AgentHooksE2ETests {
    @Test func aClaudeCodeSessionIsGatedByTheWheelInstalledHandoff() throws {
        guard Packages.available else {
            if Packages.required { Issue.record("HANDOFF_PACKAGES_REQUIRED is set but \(Packages.folder)/SHA256SUMS is missing: scripts/package.sh did not run") }
            else { print("skipped: \(Packages.reason)") }
            return
        }
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(e2eReflection)"}}
            ], "default": {"text": "Done: committed the change."}}
            """, optIn: false)
        let venv = sandbox.folder + "/venv"
        let bare = Packages.bare(home: sandbox.home, ["PIP_DISABLE_PIP_VERSION_CHECK": "1"])
        for command in [["python3", "-m", "venv", venv], [venv + "/bin/pip", "install", "-q", "--no-index", try Packages.wheel()],
                        [venv + "/bin/handoff", "install", "--claude", "--git"]] {
            let outcome = try E2E.run(command, in: sandbox.repo, environment: bare, timeout: 120)
            try #require(outcome.status == 0 && !outcome.timedOut, "\(command.joined(separator: " ")): \(outcome.output)")
        }
        let settings = try String(contentsOfFile: sandbox.home + "/.claude/settings.json", encoding: .utf8)
        #expect(settings.contains(venv + "/bin/"), "the hooks registered are the wheel's: \(settings)")

        // No toolchain and no build folder: PATH is the system's, HANDOFF_BIN_DIR names nothing.
        let run = try sandbox.claude("please commit the change", environment: ["PATH": "/usr/bin:/bin", "HANDOFF_BIN_DIR": ""], pluginDir: false)
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        #expect(run.result["is_error"] as? Bool == false, "\(run.result) \(run.stderr)")
        #expect(sandbox.events("session_start").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("commit").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.contains { $0.contains("no handover yet") }, "\(sandbox.diagnostics)")
    }
}
