#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the `git push` that runs the pre-push hook is a dry run (`--dry-run`, `-n`).
///
/// git runs pre-push under `--dry-run` too and tells the hook nothing about it; only the command
/// line of the `git push` process says so. That process is the hook's parent, or a few levels up
/// when a hook manager's script runs handoff: the nearest ancestor whose command line is a `git …
/// push …` is read from `/proc`. Where `/proc` cannot say (another system, a hidden process table),
/// the answer is nil and the push is taken as real, as before.
package enum PushDryRun {
    /// How many ancestors are looked at (hook managers add a shell or two).
    static let maximumDepth = 6

    package static func detect(startingAt pid: Int32 = getppid()) -> Bool? {
        var current = pid
        for _ in 0..<maximumDepth {
            guard current > 1, let arguments = commandLine(of: current) else { return nil }
            if let dryRun = dryRun(gitArguments: arguments) { return dryRun }
            guard let parent = parentPID(of: current) else { return nil }
            current = parent
        }
        return nil
    }

    /// For a `git … push …` command line, whether it asks for a dry run; nil for any other command.
    package static func dryRun(gitArguments arguments: [String]) -> Bool? {
        guard let program = arguments.first, Path.basename(program) == "git" else { return nil }
        // git's own options come before the subcommand; -C and -c take a value.
        var index = 1
        while index < arguments.count, arguments[index].hasPrefix("-") {
            if ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"].contains(arguments[index]) { index += 1 }
            index += 1
        }
        guard index < arguments.count, arguments[index] == "push" else { return nil }
        var rest = arguments[(index + 1)...].makeIterator()
        while let argument = rest.next() {
            if argument == "--" { break }
            if argument == "--dry-run" { return true }
            if argument == "--no-dry-run" { return false }
            // Options that take the next word as their value: skip it (`-o n` is not `-n`).
            if ["-o", "--push-option", "--repo", "--receive-pack", "--exec"].contains(argument) {
                _ = rest.next()
                continue
            }
            // A cluster of short flags (`-nv`); one taking a value (`-o`) ends the cluster.
            if argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 1 {
                for flag in argument.dropFirst() {
                    if flag == "n" { return true }
                    if flag == "o" { break }
                }
            }
        }
        return false
    }

    static func commandLine(of pid: Int32) -> [String]? {
        guard let bytes = try? FileSystem.readBytes("/proc/\(pid)/cmdline", limit: 64 * 1024), !bytes.isEmpty  // no /proc: unknown
        else { return nil }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.isEmpty }
    }

    /// The parent from `/proc/<pid>/stat`: the field after the command name (which may hold spaces
    /// and parentheses, so it is found from the last `)`).
    static func parentPID(of pid: Int32) -> Int32? {
        guard let bytes = try? FileSystem.readBytes("/proc/\(pid)/stat", limit: 4096),  // no /proc: unknown
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2 else { return nil }
        return Int32(String(decoding: fields[1], as: UTF8.self))
    }
}
