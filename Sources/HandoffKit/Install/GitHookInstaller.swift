#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Installs and removes handoff's git-hook entries (`post-commit`, `post-merge`, `pre-push`) in the
/// folder git really runs hooks from.
///
/// Rules: a hook that is not ours is never overwritten without being kept — it is renamed to
/// `<hook>.pre-handoff` (same inode: same bytes, same mode) and our entry runs it first; uninstall
/// renames it back. Running install twice changes nothing. A hooks folder that install had to create
/// is marked (`.handoff-created`) and uninstall removes it again when nothing but ours is left in it.
/// When git runs hooks through husky, a marked block is added to husky's scripts (see
/// HookManagers.swift); lefthook's and pre-commit's configuration is left alone and the report gives
/// the lines to add.
package struct GitHookInstaller: Sendable {
    /// First line after the shebang of every entry we write: how install, uninstall and doctor tell
    /// our hooks from anyone else's.
    package static let marker = "# handoff-managed-hook v1"
    static let markerPrefix = "# handoff-managed-hook"
    package static let backupSuffix = ".pre-handoff"

    package struct Hook: Sendable, Equatable {
        package var name: String
        /// What the entry runs: `handoff hook <hook>`.
        package var hook: HookName
        var template: String
    }

    package static let hooks = [
        Hook(name: "post-commit", hook: .postCommit, template: GitHookTemplates.postCommit),
        Hook(name: "pre-push", hook: .prePush, template: GitHookTemplates.prePush),
        // git runs post-merge, not post-commit, for a merge commit that `git merge`/`git pull` made.
        Hook(name: "post-merge", hook: .postMerge, template: GitHookTemplates.postMerge),
    ]

    /// The one executable every entry runs.
    package static let executable = "handoff"

    /// Left in a hooks folder that install created; it lists the folders install created (deepest
    /// first), so that uninstall removes exactly those, once nothing but handoff's files is in them.
    package static let createdFolderMarker = ".handoff-created"

    /// A hook manager that owns the hooks folder's files.
    package enum Manager: String, Sendable {
        case husky, lefthook, preCommit = "pre-commit"
    }

    package struct Action: Sendable, Equatable, CustomStringConvertible {
        package enum Kind: String, Sendable {
            case createdFolder, installed, updated, alreadyInstalled, keptPrevious
            case removed, restoredPrevious, notInstalled, leftForeign, removedFolder, keptFolder
            case manual, note, conflict, createdStore, storeExists
            case optedIn, alreadyOptedIn, optedOut
        }

        package var kind: Kind
        /// The hook's name, or "" for actions on the folder or the store.
        package var hook: String
        package var path: String
        package var detail: String

        package var description: String {
            let name = hook.isEmpty ? "" : "\(hook): "
            switch kind {
            case .createdFolder: return "created the hooks folder \(path)"
            case .installed: return "\(name)installed \(path)"
            case .updated: return "\(name)updated \(path) (\(detail))"
            case .alreadyInstalled: return "\(name)already installed at \(path)"
            case .keptPrevious: return "\(name)kept the existing hook as \(path); handoff's entry runs it first"
            case .removed: return "\(name)removed \(path)"
            case .restoredPrevious: return "\(name)restored the previous hook \(path)"
            case .notInstalled: return "\(name)not installed at \(path); nothing to remove"
            case .leftForeign: return "\(name)left \(path) alone: it is not handoff's"
            case .removedFolder: return "removed the folder \(path) (install had created it)"
            case .keptFolder: return "kept the folder \(path), which install had created: \(detail)"
            case .manual: return "\(name)\(detail)"
            case .note: return "\(name)\(detail)"
            case .conflict: return "\(name)\(detail)"
            case .createdStore: return "created the store \(path)"
            case .storeExists: return "store already present at \(path)"
            case .optedIn: return "opted this repository in: \(detail) (the agent hooks act here)"
            case .alreadyOptedIn: return "this repository already opted in (\(detail))"
            case .optedOut: return "removed \(detail) (the agent hooks no longer act here)"
            }
        }
    }

    package struct Report: Sendable, Equatable {
        package var hooksDirectory: String
        /// True when `core.hooksPath` chose the folder.
        package var fromHooksPath: Bool
        package var manager: Manager?
        package var actions: [Action]
        package var dryRun: Bool

        /// False when a hook could not be installed or removed as asked (see the `.conflict` actions).
        package var succeeded: Bool { !actions.contains { $0.kind == .conflict } }
    }

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notARepository(path: String, reason: String)
        case bareRepository(path: String)
        case missingExecutable(path: String)
        case io(SystemError)
        case store(StoreError)

        package var description: String {
            switch self {
            case .notARepository(let path, let reason):
                return "\(path) is not inside a git repository (\(reason)); cd into one, or run `git init` first"
            case .bareRepository(let path):
                return "\(path) is a bare repository: nothing is committed there, so there is nothing for handoff to record"
            case .missingExecutable(let path):
                return "\(path) is missing or not executable; pass --bin-dir with the folder holding the handoff executable"
            case .io(let error):
                return "\(error)"
            case .store(let error):
                return "\(error)"
            }
        }
    }

    package var environment: Environment
    /// Plan and report, change nothing.
    package var dryRun: Bool

    package init(environment: Environment, dryRun: Bool = false) {
        self.environment = environment
        self.dryRun = dryRun
    }

    // MARK: Install

    package func install(repositoryAt path: String, binDirectory: String) throws(Failure) -> Report {
        let (repository, root) = try open(path)
        let binDirectory = Path.normalize(binDirectory, relativeTo: FileSystem.currentDirectory())
        let executable = Path.join(binDirectory, Self.executable)
        guard access(executable, X_OK) == 0, !FileSystem.isDirectory(executable) else {
            throw .missingExecutable(path: executable)
        }
        let folder = repository.hooksDirectory(environment: environment)
        var report = Report(hooksDirectory: folder.path, fromHooksPath: folder.fromHooksPath, manager: nil, actions: [], dryRun: dryRun)

        if let manager = Self.manager(worktreeRoot: root, hooksDirectory: folder.path) {
            report.manager = manager
            report.actions += try cooperate(manager, worktreeRoot: root, hooksDirectory: folder.path, binDirectory: binDirectory)
        } else {
            if !FileSystem.isDirectory(folder.path) {
                try createFolder(folder.path)
                report.actions.append(Action(kind: .createdFolder, hook: "", path: folder.path, detail: ""))
            }
            for hook in Self.hooks {
                report.actions += try install(hook, into: folder.path, binDirectory: binDirectory)
            }
            let husky = Path.join(root, ".husky")
            if FileSystem.isDirectory(husky) {
                report.actions.append(Action(
                    kind: .note, hook: "", path: husky,
                    detail: "\(husky) exists, but git does not run husky here (core.hooksPath is not set to it), so handoff's entries went into \(folder.path). "
                        + "Once husky is set up (`npx husky`, or the project's install step), run `handoff install --git` again: handoff's lines then go into husky's scripts"))
            }
        }

        report.actions.append(try Self.optIn(repository, dryRun: dryRun))
        let store = HandoffStore(worktreeRoot: root)
        if store.exists {
            report.actions.append(Action(kind: .storeExists, hook: "", path: store.layout.directory, detail: ""))
        } else {
            if !dryRun {
                do { try store.initialise(hostname: FileSystem.hostname()) } catch { throw .store(error) }
                // Best effort: the store exists; the event only records who created it.
                try? store.append(Event(type: EventType.initialised, [("root", .string(root)), ("by", .string("install --git"))]))
            }
            report.actions.append(Action(kind: .createdStore, hook: "", path: store.layout.directory, detail: ""))
        }
        return report
    }

    private func install(_ hook: Hook, into folder: String, binDirectory: String) throws(Failure) -> [Action] {
        let path = Path.join(folder, hook.name)
        let backup = path + Self.backupSuffix
        let contents = Self.render(hook, binDirectory: binDirectory)
        var actions: [Action] = []
        if Self.isPresent(path) {
            if Self.isManaged(path) {
                if (try? FileSystem.readText(path)) == contents, FileSystem.mode(path).map({ $0 & 0o111 != 0 }) == true {
                    return [Action(kind: .alreadyInstalled, hook: hook.name, path: path, detail: "")]
                }
                try write(contents, to: path)
                return [Action(kind: .updated, hook: hook.name, path: path, detail: "the executable's folder or the entry's version changed")]
            }
            guard !Self.isPresent(backup) else {
                return [Action(
                    kind: .conflict, hook: hook.name, path: path,
                    detail: "not installed: \(path) is not handoff's and \(backup) already exists; "
                        + "handoff keeps one previous hook only — merge them into one of the two files, delete the other, and rerun")]
            }
            if !dryRun {
                do { try FileSystem.move(path, to: backup) } catch { throw .io(error) }
            }
            actions.append(Action(kind: .keptPrevious, hook: hook.name, path: backup, detail: ""))
        }
        try write(contents, to: path)
        actions.append(Action(kind: .installed, hook: hook.name, path: path, detail: ""))
        return actions
    }

    /// Creates the hooks folder and its missing parents, and leaves the marker that names them.
    private func createFolder(_ folder: String) throws(Failure) {
        var created: [String] = []
        var current = folder
        while !current.isEmpty, current != "/", !FileSystem.exists(current), !FileSystem.isSymlink(current) {
            created.append(current)
            current = Path.dirname(current)
        }
        guard !dryRun else { return }
        do { try FileSystem.makeDirectories(folder) } catch { throw .io(error) }
        let marker = "# handoff install created these folders; `handoff uninstall --git` removes them when nothing but handoff's files is left\n"
            + created.map { $0 + "\n" }.joined()
        do { try FileSystem.writeText(marker, to: Path.join(folder, Self.createdFolderMarker), mode: 0o644) } catch { throw .io(error) }
    }

    private func write(_ contents: String, to path: String) throws(Failure) {
        guard !dryRun else { return }
        do {
            try FileSystem.writeText(contents, to: path, mode: 0o755)
        } catch {
            throw .io(error)
        }
        // The file was created under the caller's umask; a hook must be executable to run at all.
        FileSystem.setMode(path, 0o755)
    }

    // MARK: Uninstall

    package func uninstall(repositoryAt path: String) throws(Failure) -> Report {
        let (repository, root) = try open(path)
        let folder = repository.hooksDirectory(environment: environment)
        var report = Report(hooksDirectory: folder.path, fromHooksPath: folder.fromHooksPath, manager: nil, actions: [], dryRun: dryRun)
        if let manager = Self.manager(worktreeRoot: root, hooksDirectory: folder.path) {
            report.manager = manager
            report.actions += try uncooperate(manager, worktreeRoot: root, hooksDirectory: folder.path)
        }
        for hook in Self.hooks {
            let path = Path.join(folder.path, hook.name)
            // A manager's own files in its folder are not ours to report on; an entry of ours there
            // (installed before the manager took over) still goes.
            if report.manager != nil, !Self.isManaged(path), !Self.isPresent(path + Self.backupSuffix) { continue }
            report.actions += try uninstall(hook, from: folder.path)
        }
        // Entries left in the default folder while core.hooksPath pointed elsewhere (say, set up by
        // husky after handoff was installed): git no longer runs them, and they are ours to remove.
        let standard = Path.join(repository.commonDir, "hooks")
        if standard != folder.path {
            for hook in Self.hooks where Self.isManaged(Path.join(standard, hook.name)) {
                report.actions += try uninstall(hook, from: standard)
            }
            report.actions += removeCreatedFolder(standard)
        }
        report.actions += removeCreatedFolder(folder.path)
        if let action = try Self.optOut(repository, environment: environment, dryRun: dryRun) { report.actions.append(action) }
        return report
    }

    // MARK: Opt-in

    /// Writes `handoff.enabled=true` into the repository's own git config (see `OptIn`), unless it is
    /// already there.
    package static func optIn(_ repository: GitRepository, dryRun: Bool) throws(Failure) -> Action {
        let line = "git config \(OptIn.enabledKey) true"
        if repository.localConfigString(OptIn.enabledKey).flatMap({ GitConfigFiles.boolean($0) }) == true {
            return Action(kind: .alreadyOptedIn, hook: "", path: "", detail: line)
        }
        if !dryRun {
            do { try repository.setLocalConfig(OptIn.enabledKey, "true") } catch {
                throw .io(SystemError("git_config_set_string \(OptIn.enabledKey): \(error.message)", path: repository.commonDir, code: EIO))
            }
        }
        return Action(kind: .optedIn, hook: "", path: "", detail: line)
    }

    /// Removes `handoff.enabled` from the repository's own git config; nil when it was not there.
    package static func optOut(_ repository: GitRepository, environment: Environment, dryRun: Bool) throws(Failure) -> Action? {
        guard repository.localConfigString(OptIn.enabledKey) != nil else { return nil }
        if dryRun { return Action(kind: .optedOut, hook: "", path: "", detail: "git config \(OptIn.enabledKey)") }
        let removed: Bool
        do { removed = try repository.unsetLocalConfig(OptIn.enabledKey) } catch {
            throw .io(SystemError("git_config_delete_entry \(OptIn.enabledKey): \(error.message)", path: repository.commonDir, code: EIO))
        }
        guard removed else { return nil }
        // libgit2 leaves an empty `[handoff]` header behind; git itself removes the section when
        // nothing of the user's is left in it, so that install-then-uninstall leaves the file as it was.
        let files = GitConfigFiles.load(
            GitConfigFiles.Locations(gitDirectory: repository.commonDir, commonDirectory: repository.commonDir),
            environment: Environment(["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]))
        if !files.entries.contains(where: { $0.scope == .local && $0.key.hasPrefix("handoff.") }), let root = repository.workdir {
            var environment = environment
            for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"] { environment.variables[name] = nil }
            _ = CommandRunner.run(["git", "config", "--local", "--remove-section", "handoff"], in: root,
                                  environment: environment, timeout: 10)
        }
        return Action(kind: .optedOut, hook: "", path: "", detail: "git config \(OptIn.enabledKey)")
    }

    /// Removes a hooks folder install created (and the parents it created with it), when nothing
    /// but the marker is left in it. Otherwise the folder stays and loses only the marker.
    private func removeCreatedFolder(_ folder: String) -> [Action] {
        let markerPath = Path.join(folder, Self.createdFolderMarker)
        guard let text = try? FileSystem.readText(markerPath) else { return [] }
        // A hook this uninstall removed is still there in a dry run: it does not count as foreign.
        let ours = Set([Self.createdFolderMarker] + (dryRun ? Self.hooks.map(\.name).filter { Self.isManaged(Path.join(folder, $0)) } : []))
        let others = FileSystem.list(folder).filter { !ours.contains($0) }.sorted()
        guard others.isEmpty else {
            if !dryRun { FileSystem.remove(markerPath) }
            let shown = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", …" : "")
            return [Action(kind: .keptFolder, hook: "", path: folder, detail: "it holds files that are not handoff's (\(shown))")]
        }
        // Only the folder itself and its own parents, whatever the marker says.
        let created = text.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") && ($0 == folder || folder.hasPrefix($0 + "/")) }
        var actions: [Action] = []
        if !dryRun {
            FileSystem.remove(markerPath)
            guard rmdir(folder) == 0 else { return [] }
        }
        actions.append(Action(kind: .removedFolder, hook: "", path: folder, detail: ""))
        for parent in created.filter({ $0 != folder }).sorted(by: { $0.count > $1.count }) {
            if dryRun {
                if FileSystem.list(parent).count == 1 { actions.append(Action(kind: .removedFolder, hook: "", path: parent, detail: "")) }
                continue
            }
            guard rmdir(parent) == 0 else { break }
            actions.append(Action(kind: .removedFolder, hook: "", path: parent, detail: ""))
        }
        return actions
    }

    private func uninstall(_ hook: Hook, from folder: String) throws(Failure) -> [Action] {
        let path = Path.join(folder, hook.name)
        let backup = path + Self.backupSuffix
        var actions: [Action] = []
        if Self.isPresent(path) {
            guard Self.isManaged(path) else {
                var result = [Action(kind: .leftForeign, hook: hook.name, path: path, detail: "")]
                if Self.isPresent(backup) {
                    result.append(Action(
                        kind: .conflict, hook: hook.name, path: backup,
                        detail: "\(backup) was kept by handoff but \(path) has since been replaced by another tool; both are left as they are"))
                }
                return result
            }
            if !dryRun { FileSystem.remove(path) }
            actions.append(Action(kind: .removed, hook: hook.name, path: path, detail: ""))
        } else if !Self.isPresent(backup) {
            return [Action(kind: .notInstalled, hook: hook.name, path: path, detail: "")]
        }
        if Self.isPresent(backup) {
            // rename keeps the inode: the previous hook comes back byte for byte, with its mode.
            if !dryRun {
                do { try FileSystem.move(backup, to: path) } catch { throw .io(error) }
            }
            actions.append(Action(kind: .restoredPrevious, hook: hook.name, path: path, detail: ""))
        }
        return actions
    }

    // MARK: Helpers

    private func open(_ path: String) throws(Failure) -> (GitRepository, String) {
        // The CLI's own GIT_DIR (if any) must not redirect the install: open by path.
        var environment = self.environment
        environment.variables["GIT_DIR"] = nil
        let repository: GitRepository
        do {
            repository = try GitRepository.open(at: path, environment: environment)
        } catch {
            let root = WorktreeLocator.worktreeRoot(startingAt: path, environment: environment) ?? path
            if let refusal = StoreError.ownershipRefusal(error, root: root) { throw .store(refusal) }
            throw .notARepository(path: path, reason: error.message)
        }
        guard let root = repository.workdir else { throw .bareRepository(path: path) }
        return (repository, root)
    }

    /// The entry with handoff's absolute path, single-quoted for sh.
    static func render(_ hook: Hook, binDirectory: String) -> String {
        hook.template.replacing(GitHookTemplates.binaryPlaceholder, with: shellQuoted(Path.join(binDirectory, executable)))
    }

    package static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// Present as a file or as a link, even one that points nowhere (it must be kept, not overwritten).
    static func isPresent(_ path: String) -> Bool {
        FileSystem.exists(path) || FileSystem.isSymlink(path)
    }

    /// True when the file's first lines carry our marker.
    package static func isManaged(_ path: String) -> Bool {
        guard let bytes = try? FileSystem.readBytes(path, limit: 512) else { return false }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").prefix(3).contains { $0.hasPrefix(markerPrefix) }
    }

    /// Who owns the hooks git runs: husky when git runs hooks through husky's folder (see
    /// `huskyFolder`); lefthook or pre-commit when their configuration is in the worktree.
    static func manager(worktreeRoot root: String, hooksDirectory: String) -> Manager? {
        if huskyFolder(worktreeRoot: root, hooksDirectory: hooksDirectory) != nil { return .husky }
        for name in ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"] where FileSystem.exists(Path.join(root, name)) {
            return .lefthook
        }
        if FileSystem.exists(Path.join(root, ".pre-commit-config.yaml")) { return .preCommit }
        return nil
    }

    /// What to add by hand to the manager's configuration (its files are never rewritten by us).
    static func manualInstructions(_ manager: Manager, binDirectory: String) -> [Action] {
        let handoff = shellQuoted(Path.join(binDirectory, executable))
        let postCommit = "\(handoff) hook post-commit", prePush = "\(handoff) hook pre-push", postMerge = "\(handoff) hook post-merge"
        switch manager {
        case .husky:
            return [
                Action(kind: .manual, hook: "post-commit", path: ".husky/post-commit",
                       detail: "husky manages this repository's hooks; add this line to .husky/post-commit:\n    \(postCommit)"),
                Action(kind: .manual, hook: "post-merge", path: ".husky/post-merge",
                       detail: "husky manages this repository's hooks; add this line to .husky/post-merge:\n    \(postMerge) \"$@\""),
                Action(kind: .manual, hook: "pre-push", path: ".husky/pre-push",
                       detail: "husky manages this repository's hooks; add this line to .husky/pre-push (it reads git's stdin, so put it where stdin is still unread):\n    \(prePush) \"$@\""),
            ]
        case .lefthook:
            return [Action(kind: .manual, hook: "", path: "lefthook.yml", detail: """
                lefthook manages this repository's hooks; add to lefthook.yml, then run `lefthook install`:
                    post-commit:
                      commands:
                        handoff:
                          run: \(postCommit)
                    post-merge:
                      commands:
                        handoff:
                          run: \(postMerge) {1}
                    pre-push:
                      commands:
                        handoff:
                          run: \(prePush) {1} {2}
                          use_stdin: true
                """)]
        case .preCommit:
            return [Action(kind: .manual, hook: "", path: ".pre-commit-config.yaml", detail: """
                pre-commit manages this repository's hooks; add to .pre-commit-config.yaml, then run `pre-commit install --hook-type post-commit --hook-type post-merge`:
                    - repo: local
                      hooks:
                        - id: handoff-post-commit
                          name: handoff records the commit
                          entry: \(postCommit)
                          language: system
                          stages: [post-commit]
                          always_run: true
                          pass_filenames: false
                        - id: handoff-post-merge
                          name: handoff records a merge commit
                          entry: \(postMerge)
                          language: system
                          stages: [post-merge]
                          always_run: true
                          pass_filenames: false
                (pre-commit does not hand git's pre-push stdin to its hooks, so push recording needs handoff's own entry; see `handoff doctor`)
                """)]
        }
    }
}
