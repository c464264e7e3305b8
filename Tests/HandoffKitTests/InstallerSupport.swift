import Foundation
import HandoffKit
import Testing

/// Runs `install.sh` and the installed executables in a GitSandbox: HOME is the sandbox's, PREFIX
/// and TMPDIR are inside it, and the executables come from the build (`--from-build`), so no test
/// ever builds release.
struct InstallerHarness {
    let sandbox: GitSandbox

    init(_ label: String) throws {
        sandbox = try GitSandbox(label)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    var prefix: String { sandbox.path("prefix") }
    var bin: String { prefix + "/bin" }
    var tmp: String { sandbox.path("tmp") }
    /// A folder outside any repository, where install.sh runs unless a test says otherwise.
    var work: String { sandbox.path("work") }
    var userSettings: String { sandbox.home + "/.claude/settings.json" }

    static var script: String { SchemaCheck.packageRoot + "/install.sh" }

    var environment: [String: String] {
        var env = sandbox.environment
        env["PREFIX"] = prefix
        env["TMPDIR"] = tmp
        return env
    }

    @discardableResult
    func install(_ arguments: [String] = [], in directory: String? = nil, environment extra: [String: String] = [:]) throws -> GitProcess.Result {
        try GitProcess.run("/bin/bash", [Self.script, "--from-build", try HookProducts.directory()] + arguments,
                           in: directory ?? work, environment: environment.merging(extra) { $1 })
    }

    /// The installed `handoff` (or another installed executable).
    func installed(_ arguments: [String], product: String = "handoff", in directory: String, environment extra: [String: String] = [:]) throws -> GitProcess.Result {
        try GitProcess.run(bin + "/" + product, arguments, in: directory, environment: environment.merging(extra) { $1 })
    }

    func doctor(in directory: String, environment extra: [String: String] = [:]) throws -> (status: Int32, checks: [String: String], output: String) {
        let result = try installed(["doctor", "--json"], in: directory, environment: extra)
        let json = try JSONValue.parse(result.stdout)
        var checks: [String: String] = [:]
        for check in json["checks"]?.arrayValue ?? [] {
            checks[check["id"]?.stringValue ?? ""] = check["status"]?.stringValue
        }
        return (result.status, checks, result.stdout + result.stderr)
    }
}

/// Every file, folder and link under a root: type, mode and bytes (or link target). Two equal
/// snapshots mean byte-for-byte equal trees.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    var entries: [String: String]

    init(_ root: String, excluding excluded: [String] = []) {
        entries = [:]
        walk(root, relative: "", excluded: excluded)
    }

    private mutating func walk(_ path: String, relative: String, excluded: [String]) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            entries[relative + "/"] = "dir \(mode)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                if excluded.contains(child) { continue }
                walk(path + "/" + name, relative: child, excluded: excluded)
            }
        case S_IFLNK:
            entries[relative] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
        default:
            let data = FileManager.default.contents(atPath: path) ?? Data()
            entries[relative] = "file \(mode) \(data.count) \(data.base64EncodedString())"
        }
    }

    var description: String { entries.keys.sorted().joined(separator: "\n") }

    /// The paths that differ, for a readable failure.
    func differences(from other: TreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().filter { entries[$0] != other.entries[$0] }
    }
}
