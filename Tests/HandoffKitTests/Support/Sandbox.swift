import Foundation
import HandoffKit
import Testing

/// A temporary folder for one test, removed when the test ends. Fails closed: every path a test
/// writes is inside it, and HOME points into it for anything launched from here.
final class Sandbox {
    let root: String

    init(_ label: String = "t") throws {
        let base = FileManager.default.temporaryDirectory.path
        let template = "\(base)/handoff-\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw SandboxError("mkdtemp failed for \(template)") }
        root = String(cString: made)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var home: String { root + "/home" }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// A new git repository with one commit (unless `empty`), at `name` inside the sandbox.
    func repository(_ name: String = "repo", empty: Bool = false) throws -> TestRepository {
        let repo = TestRepository(path: path(name), sandbox: self)
        try FileManager.default.createDirectory(atPath: repo.path, withIntermediateDirectories: true)
        try repo.git("init", "-q", "-b", "main")
        if !empty {
            try repo.write("README.md", "hello\n")
            try repo.git("add", "README.md")
            try repo.git("commit", "-q", "-m", "first commit")
        }
        return repo
    }

    /// The environment for processes launched by tests: this sandbox's HOME, a fixed git identity,
    /// no global or system git config, and none of the agent or handoff variables of the caller.
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GIT_") && !key.hasPrefix("HANDOFF_") && !key.hasPrefix("CLAUDE")
        }
        env["HOME"] = home
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = home + "/.gitconfig-absent"
        env["GIT_AUTHOR_NAME"] = "Test Author"
        env["GIT_AUTHOR_EMAIL"] = "author@example.invalid"
        env["GIT_COMMITTER_NAME"] = "Test Author"
        env["GIT_COMMITTER_EMAIL"] = "author@example.invalid"
        env["NO_COLOR"] = "1"
        return env
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A real git repository driven by the real `git` CLI.
struct TestRepository {
    let path: String
    let sandbox: Sandbox

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let result = try run("/usr/bin/env", ["git"] + arguments)
        guard result.status == 0 else {
            throw SandboxError("git \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ relative: String, _ text: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    func commit(_ file: String, _ text: String, message: String) throws {
        try write(file, text)
        try git("add", file)
        try git("commit", "-q", "-m", message)
    }

    var store: HandoffStore { HandoffStore(worktreeRoot: path) }

    /// Runs a program in this repository with the sandbox environment (plus `environment`).
    func run(_ program: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try launch(program, arguments, directory: path, stdin: stdin.map { Data($0.utf8) }, environment: sandbox.environment.merging(environment) { $1 })
    }

    /// Runs the built `handoff` CLI (or another product) in this repository.
    func handoff(_ arguments: String..., stdin: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        try run(try BuiltProducts.path("handoff"), arguments, stdin: stdin, environment: environment)
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Launches a process, feeds stdin, collects both streams, and waits (bounded).
func launch(_ program: String, _ arguments: [String], directory: String, stdin: Data? = nil, environment: [String: String], timeout: TimeInterval = 120) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = environment
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    // Read both pipes concurrently so that a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try? inPipe.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(2000) }
    if process.isRunning {
        process.terminate()
        throw SandboxError("\(program) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
    }
    process.waitUntilExit()
    group.wait()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// Where `swift build` put the executables: beside this test bundle (whatever the scratch path),
/// or `HANDOFF_PRODUCTS_DIR`.
enum BuiltProducts {
    static let directory: String = {
        if let override = ProcessInfo.processInfo.environment["HANDOFF_PRODUCTS_DIR"] { return override }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = (exe as NSString).deletingLastPathComponent
        // The test binary may sit inside `<name>.xctest/` on some platforms.
        if folder.hasSuffix(".xctest") { folder = (folder as NSString).deletingLastPathComponent }
        return folder
    }()

    static func path(_ product: String) throws -> String {
        if HookName(executableName: product) != nil { return try hookLinks.get() + "/" + product }
        let candidate = directory + "/" + product
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw SandboxError("\(product) is not built in \(directory); run `swift build` first (or set HANDOFF_PRODUCTS_DIR)")
        }
        return candidate
    }

    /// A bin folder as installs lay it out: `handoff`, and each hook's old executable name as a
    /// symbolic link to it (the build makes only `handoff`). Made once per test process, beside
    /// the products; links already there from another run are kept when they point right.
    static let hookLinks: Result<String, SandboxError> = {
        let handoff = directory + "/handoff"
        guard FileManager.default.isExecutableFile(atPath: handoff) else {
            return .failure(SandboxError("handoff is not built in \(directory); run `swift build` first (or set HANDOFF_PRODUCTS_DIR)"))
        }
        let folder = directory + "/handoff-hook-links"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)  // checked by the links below
        for name in ["handoff"] + HookName.legacyExecutables {
            let link = folder + "/" + name
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == handoff { continue }
            try? FileManager.default.removeItem(atPath: link)  // a stale link or file: replaced
            do {
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: handoff)
            } catch where (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == handoff {
                // Another test process made it meanwhile.
            } catch {
                return .failure(SandboxError("cannot link \(link) to \(handoff): \(error)"))
            }
        }
        return .success(folder)
    }()
}

/// Validates a JSON document against `schema/state.v1.json` with Python's jsonschema (an independent,
/// complete implementation of the JSON Schema spec, installed by .ci/run).
enum SchemaCheck {
    static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }

    static func errors(forStateFile file: String) throws -> [String] {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            doc = json.load(open(sys.argv[2]))
            v = jsonschema.Draft202012Validator(schema)
            for e in v.iter_errors(doc):
                print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
            """
        let result = try launch("/usr/bin/env", ["python3", "-c", script, packageRoot + "/schema/state.v1.json", file],
                                directory: packageRoot, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw SandboxError("schema check could not run (is python3-jsonschema installed?): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func errors(for value: JSONValue, sandbox: Sandbox) throws -> [String] {
        let file = sandbox.path("doc-\(UUID().uuidString).json")
        try value.prettyText.write(toFile: file, atomically: true, encoding: .utf8)
        return try errors(forStateFile: file)
    }
}
