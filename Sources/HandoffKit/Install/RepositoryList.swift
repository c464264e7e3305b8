#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The repositories this user opted in with `handoff install --git` or `handoff init`, so that
/// `handoff uninstall --all` can name those still opted in: git keeps each opt-in in that
/// repository's own configuration, and nothing lists them. One worktree root a line in
/// `${XDG_STATE_HOME:-~/.local/state}/handoff/repositories`; `handoff uninstall --git` takes its
/// line out, and the file (with the folders it needed) goes when no line is left.
package enum RepositoryList {
    /// Lines beyond these are not read: a list this long is not one handoff wrote.
    static let lineCap = 10_000
    static let sizeCap = 4 * 1024 * 1024

    /// The file, or nil without HOME (and XDG_STATE_HOME).
    package static func path(environment: Environment) -> String? {
        stateFolder(environment: environment).map { Path.join(Path.join($0, "handoff"), "repositories") }
    }

    static func stateFolder(environment: Environment) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state }
        return environment["HOME"].map { Path.join($0, ".local/state") }
    }

    /// The listed roots, in the order they were added; empty when there is no list. A line that
    /// is not an absolute path is skipped (not one handoff wrote).
    package static func read(environment: Environment) -> [String] {
        guard let path = path(environment: environment), let text = try? FileSystem.readBytes(path, limit: sizeCap) else { return [] }  // no list, or none handoff could read: nothing listed
        return String(decoding: text, as: UTF8.self).split(separator: "\n").prefix(lineCap).map(String.init).filter { $0.hasPrefix("/") }
    }

    package static func add(_ root: String, environment: Environment) throws(SystemError) {
        try update(environment: environment) { roots in
            if !roots.contains(root) { roots.append(root) }
        }
    }

    package static func remove(_ root: String, environment: Environment) throws(SystemError) {
        try update(environment: environment) { roots in roots.removeAll { $0 == root } }
    }

    /// Removes the whole list (uninstall --all) and the folders it alone needed.
    package static func removeAll(environment: Environment) throws(SystemError) {
        try update(environment: environment) { roots in roots.removeAll() }
    }

    /// Read-modify-write under a lock beside the list, so two installs at once lose no line.
    static func update(environment: Environment, _ change: (inout [String]) -> Void) throws(SystemError) {
        guard let path = path(environment: environment) else { return }
        let folder = Path.dirname(path)
        var roots = read(environment: environment)
        let before = roots
        change(&roots)
        if roots == before, !roots.isEmpty || !FileSystem.exists(path) { return }
        try FileSystem.makeDirectories(folder, mode: 0o700)
        let lock: FileLock
        do { lock = try FileLock(path: Path.join(folder, ".lock")) } catch let error as SystemError { throw error } catch {
            throw SystemError("flock", path: Path.join(folder, ".lock"), code: EAGAIN, detail: "\(error)")
        }
        defer { lock.unlock() }
        roots = read(environment: environment)
        change(&roots)
        if roots.isEmpty {
            FileSystem.remove(path)
            FileSystem.remove(Path.join(folder, ".lock"))
            // The folders go when nothing else is in them: handoff/, and the default state folder
            // and ~/.local when they are empty now (handoff made them).
            var candidates = [folder]
            if environment["XDG_STATE_HOME"] == nil, let home = environment["HOME"] {
                candidates += [Path.join(home, ".local/state"), Path.join(home, ".local")]
            }
            for candidate in candidates {
                if rmdir(candidate) != 0 { break }
            }
            return
        }
        try FileSystem.writeAtomically(Array((roots.joined(separator: "\n") + "\n").utf8), to: path, mode: 0o600, durability: .none)
    }
}
