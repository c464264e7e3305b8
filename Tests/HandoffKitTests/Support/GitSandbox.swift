import Foundation
import HandoffKit
import Testing

/// A temporary folder with its own HOME and git configuration, for tests that drive the real `git`
/// CLI through the installed hooks. Removed when the sandbox is released; one per test, so tests
/// run in parallel without sharing anything.
final class GitSandbox {
    let root: String

    init(_ label: String) throws {
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array("\(temporary)/handoff-githooks-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw GitSandboxError("mkdtemp failed for \(label)") }
        root = String(cString: made)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        // $HOME/.gitconfig rather than GIT_CONFIG_GLOBAL: libgit2 (inside the hooks) reads this one too.
        try """
            [user]
            \tname = Hook Tester
            \temail = hooks@example.invalid
            [init]
            \tdefaultBranch = main
            [advice]
            \tdetachedHead = false
            [protocol "file"]
            \tallow = always

            """.write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var home: String { root + "/home" }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// The caller's environment without anything git-, handoff- or agent-related, with this sandbox's HOME.
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GIT_") && !key.hasPrefix("HANDOFF_") && !key.hasPrefix("CLAUDE")
        }
        env["HOME"] = home
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["NO_COLOR"] = "1"
        return env
    }

    /// A new repository at `name` with one commit, unless `empty`.
    func repository(_ name: String, empty: Bool = false) throws -> GitTestRepo {
        let repo = GitTestRepo(path: path(name), sandbox: self)
        try FileManager.default.createDirectory(atPath: repo.path, withIntermediateDirectories: true)
        try repo.git("init", "-q")
        if !empty { try repo.commit("README.md", "hello\n", message: "initial commit") }
        return repo
    }

    /// A bare repository to push to.
    func bareRemote(_ name: String = "remote.git") throws -> String {
        let remote = path(name)
        _ = try GitProcess.run("/usr/bin/env", ["git", "init", "-q", "--bare", remote], in: root, environment: environment).checked()
        return remote
    }
}

/// A repository (or linked worktree, or submodule) inside a sandbox.
struct GitTestRepo {
    let path: String
    let sandbox: GitSandbox

    var store: HandoffStore { HandoffStore(worktreeRoot: path) }

    /// Runs git; throws with git's stderr when it fails.
    @discardableResult
    func git(_ arguments: String..., environment: [String: String] = [:], stdin: String? = nil) throws -> String {
        try gitResult(arguments, environment: environment, stdin: stdin).checked().stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git and returns whatever happened.
    func gitResult(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> GitProcess.Result {
        try GitProcess.run("/usr/bin/env", ["git"] + arguments, in: path,
                           environment: sandbox.environment.merging(environment) { $1 }, stdin: stdin)
    }

    func write(_ relative: String, _ text: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func commit(_ file: String, _ text: String, message: String, environment: [String: String] = [:]) throws {
        try write(file, text)
        try git("add", file)
        try git("commit", "-q", "-m", message, environment: environment)
    }

    /// Installs handoff's git hooks with the built hook executables.
    @discardableResult
    func installHooks() throws -> GitHookInstaller.Report {
        try GitHookInstaller(environment: Environment(sandbox.environment))
            .install(repositoryAt: path, binDirectory: try HookProducts.directory())
    }

    /// The parsed lines of `.handoff/events.jsonl` (empty when there is none).
    func events(_ type: String? = nil) -> [Event] {
        store.events.readAll().events.filter { type == nil || $0.type == type }
    }

    func hooksFolder() throws -> String {
        let common = try git("rev-parse", "--path-format=absolute", "--git-common-dir")
        return common + "/hooks"
    }
}

enum GitProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var command: String

        @discardableResult
        func checked() throws -> Result {
            guard status == 0 else { throw GitSandboxError("\(command) failed (\(status)): \(stderr)") }
            return self
        }
    }

    /// Runs a program to completion through `BoundedProcess` (outputs to files, so a chatty child
    /// never blocks; killed after `timeout` seconds, so a hang fails the test instead of wedging it).
    static func run(_ program: String, _ arguments: [String], in directory: String, environment: [String: String],
                    stdin: String? = nil, timeout: Double = 300) throws -> Result {
        let result = try BoundedProcess.run(program, arguments, in: directory, environment: environment,
                                            stdin: Array((stdin ?? "").utf8), timeout: timeout)
        let stderr = result.timedOut ? "killed after \(Int(timeout)) s\n" + result.stderr : result.stderr
        return Result(status: result.timedOut ? -1 : result.status, stdout: result.stdout, stderr: stderr, command: result.command)
    }
}

/// The bin folder of the built `handoff` as installs lay it out (`handoff`, and the hooks' old
/// executable names as links to it): see `BuiltProducts.hookLinks`.
enum HookProducts {
    static func directory() throws -> String {
        do { return try BuiltProducts.hookLinks.get() } catch { throw GitSandboxError(error.description) }
    }

    static func path(_ product: String) throws -> String {
        let path = try directory() + "/" + product
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw GitSandboxError("\(path) is not built: run `swift build` with the same --scratch-path first")
        }
        return path
    }
}

struct GitSandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
