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

    /// Names, in the list's folder, the parent folders that handoff created for it.
    static let madeFoldersFile = ".made-folders"

    /// The default state folder and ~/.local, deepest first; none when XDG_STATE_HOME chooses the place.
    static func defaultParents(environment: Environment) -> [String] {
        guard environment["XDG_STATE_HOME"]?.hasPrefix("/") != true, let home = environment["HOME"], home.hasPrefix("/") else { return [] }
        return [Path.join(home, ".local/state"), Path.join(home, ".local")]
    }

    /// Read-modify-write under a lock beside the list, so two installs at once lose no line.
    static func update(environment: Environment, _ change: (inout [String]) -> Void) throws(SystemError) {
        guard let path = path(environment: environment) else { return }
        let folder = Path.dirname(path)
        var roots = read(environment: environment)
        let before = roots
        change(&roots)
        if roots == before, !roots.isEmpty || !FileSystem.exists(path) { return }
        // The default state folder and ~/.local are removed with the list only if handoff made them:
        // a folder that was there before (even empty) stays, so uninstall leaves HOME as it found it.
        let parents = defaultParents(environment: environment)
        let made = parents.filter { !FileSystem.isDirectory($0) }
        try FileSystem.makeDirectories(folder, mode: 0o700)
        let marker = Path.join(folder, madeFoldersFile)
        if !made.isEmpty, !FileSystem.exists(marker) {
            try FileSystem.writeAtomically(Array((made.joined(separator: "\n") + "\n").utf8), to: marker, mode: 0o600, durability: .none)
        }
        let lock: FileLock
        do { lock = try FileLock(path: Path.join(folder, ".lock")) } catch let error as SystemError { throw error } catch {
            throw SystemError("flock", path: Path.join(folder, ".lock"), code: EAGAIN, detail: "\(error)")
        }
        defer { lock.unlock() }
        roots = read(environment: environment)
        change(&roots)
        if roots.isEmpty {
            let marker = Path.join(folder, madeFoldersFile)
            // A marker that cannot be read names no folder: the parents then stay, which loses nothing.
            let made = (try? FileSystem.readBytes(marker, limit: 4096)).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) } ?? []
            FileSystem.remove(path)
            FileSystem.remove(Path.join(folder, ".lock"))
            FileSystem.remove(marker)
            // handoff/ goes when nothing else is in it; then, deepest first, the parents handoff made
            // (only those the marker names, and only while empty).
            guard rmdir(folder) == 0 else { return }
            for parent in defaultParents(environment: environment) where made.contains(parent) {
                if rmdir(parent) != 0 { break }
            }
            return
        }
        try FileSystem.writeAtomically(Array((roots.joined(separator: "\n") + "\n").utf8), to: path, mode: 0o600, durability: .none)
    }
}
