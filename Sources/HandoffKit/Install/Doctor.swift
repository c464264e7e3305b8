#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `handoff doctor`: checks that the installation can work, one finding per thing that can break,
/// each failing one with the command that fixes it. Read-only: it changes nothing.
package struct Doctor: Sendable {
    package struct Check: Sendable, Equatable {
        package enum Status: String, Sendable { case pass, warn, fail, skip }

        /// Stable name for scripts and tests: "executable:handoff-stop-gate", "git-hook:pre-push", "store".
        package var id: String
        package var status: Status
        /// What was found.
        package var detail: String
        /// What to run or change; empty when nothing is needed.
        package var fix: String

        package var json: JSONValue {
            ["id": .string(id), "status": .string(status.rawValue), "detail": .string(detail), "fix": .string(fix)]
        }
    }

    package struct Report: Sendable, Equatable {
        package var checks: [Check]
        /// Warnings and skips do not fail the doctor; only faults do.
        package var healthy: Bool { !checks.contains { $0.status == .fail } }

        package var json: JSONValue {
            ["healthy": .bool(healthy), "checks": .array(checks.map(\.json))]
        }
    }

    /// `handoff`, which serves every hook, then the hooks' names from the separate-executables
    /// layout (links to it, kept for registrations written then): checked only where present.
    package static let executables = ["handoff"] + HookName.legacyExecutables

    package var environment: Environment
    package var workingDirectory: String
    /// Where the executables are expected (the folder of the running `handoff` by default).
    package var binDirectory: String

    package init(environment: Environment, workingDirectory: String, binDirectory: String) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.binDirectory = binDirectory
    }

    package func run() -> Report {
        var checks: [Check] = []
        checks += Self.executables.filter { $0 == "handoff" || GitHookInstaller.isPresent(Path.join(binDirectory, $0)) }.map(checkExecutable)
        let root = WorktreeLocator.worktreeRoot(startingAt: workingDirectory, environment: withoutGitVariables)
        checks += checkGitHooks(root: root)
        checks.append(checkAgentHooks(root: root))
        checks.append(checkAgentCommands(root: root))
        checks.append(checkMCPServer(root: root))
        checks.append(contentsOf: checkCodexHooks(root: root))
        checks.append(contentsOf: checkGrokHooks(root: root))
        checks.append(contentsOf: checkVibeHooks(root: root))
        checks.append(contentsOf: checkOpenHandsHooks(root: root))
        checks.append(checkOptIn(root: root))
        checks += checkStore(root: root)
        checks += checkHookErrors(root: root)
        checks.append(checkUnknownAgents(root: root))
        checks.append(checkGitPath(root: root))
        checks += checkSharing(root: root)
        checks.append(checkTrackerPattern(root: root))
        checks.append(checkLibgit2())
        checks.append(checkDisabled())
        return Report(checks: checks)
    }

    /// The doctor may run from inside a git hook; git's variables must not redirect what it inspects.
    var withoutGitVariables: Environment {
        Environment(environment.variables.filter { !$0.key.hasPrefix("GIT_") })
    }

    // MARK: Executables

    func checkExecutable(_ name: String) -> Check {
        let id = "executable:\(name)"
        let path = Path.join(binDirectory, name)
        let reinstall = "run ./install.sh from a handoff checkout (or copy \(name) into \(binDirectory))"
        guard FileSystem.exists(path) else {
            return Check(id: id, status: .fail, detail: "\(path) is missing", fix: reinstall)
        }
        guard access(path, X_OK) == 0, !FileSystem.isDirectory(path) else {
            return Check(id: id, status: .fail, detail: "\(path) is not executable", fix: "chmod +x '\(path)'")
        }
        // Running it proves the loader finds libgit2 and the binary is whole. Hooks are run
        // disabled, outside any repository, with no input: they must answer at once and change nothing.
        var variables = withoutGitVariables.variables
        variables["HANDOFF_DISABLED"] = "1"
        variables = variables.filter { !$0.key.hasPrefix("CLAUDE") }
        let arguments = name == "handoff" ? [path, "--version"] : [path]
        let outcome = CommandRunner.run(arguments, in: "/", environment: Environment(variables), timeout: 10, keepLastLines: 3)
        guard outcome.succeeded else {
            let why = outcome.timedOut ? "did not finish within 10 s" : "exited \(outcome.exitStatus.map(String.init) ?? "by a signal")"
            let tail = outcome.outputTail.split(separator: "\n").last.map { ": \($0)" } ?? ""
            return Check(id: id, status: .fail, detail: "\(path) does not run (\(why)\(tail))",
                         fix: "check that libgit2 is installed (`ldd '\(path)'`), then \(reinstall)")
        }
        return Check(id: id, status: .pass, detail: "\(path) runs", fix: "")
    }

    // MARK: Git hooks

    func checkGitHooks(root: String?) -> [Check] {
        guard let root else {
            return [Check(id: "git-hooks", status: .skip, detail: "not inside a git repository (\(workingDirectory))", fix: "")]
        }
        let repository: GitRepository
        do {
            repository = try GitRepository.open(at: root, environment: withoutGitVariables)
        } catch {
            if let refusal = StoreError.ownershipRefusal(error, root: root) {
                return [Check(id: "git-hooks", status: .fail, detail: refusal.description,
                              fix: "if you trust it: git config --global --add safe.directory '\(root)'")]
            }
            return [Check(id: "git-hooks", status: .fail, detail: "\(root) cannot be opened: \(error.message)", fix: "check `git status` there")]
        }
        let folder = repository.hooksDirectory(environment: environment)
        let origin = folder.fromHooksPath ? " (core.hooksPath)" : ""
        if let manager = GitHookInstaller.manager(worktreeRoot: root, hooksDirectory: folder.path) {
            return [checkManager(manager, root: root, hooksDirectory: folder.path)]
        }
        return GitHookInstaller.hooks.map { hook in
            let id = "git-hook:\(hook.name)"
            let path = Path.join(folder.path, hook.name)
            let install = "cd '\(root)' && handoff install --git"
            guard GitHookInstaller.isPresent(path) else {
                return Check(id: id, status: .fail, detail: "\(path) is missing\(origin)", fix: install)
            }
            guard GitHookInstaller.isManaged(path) else {
                return Check(id: id, status: .fail, detail: "\(path) is not handoff's\(origin)",
                             fix: "\(install) (the existing hook is kept and still runs first)")
            }
            guard access(path, X_OK) == 0 else {
                return Check(id: id, status: .fail, detail: "\(path) is not executable, so git skips it", fix: "chmod +x '\(path)'")
            }
            guard let executable = Self.hookExecutable(in: path) else {
                return Check(id: id, status: .fail, detail: "\(path) names no handoff executable", fix: install)
            }
            guard access(executable, X_OK) == 0 else {
                return Check(id: id, status: .fail, detail: "\(path) runs \(executable), which is missing or not executable",
                             fix: "\(install) --bin-dir <folder holding handoff>")
            }
            let previous = path + GitHookInstaller.backupSuffix
            if GitHookInstaller.isPresent(previous), access(previous, X_OK) != 0 {
                return Check(id: id, status: .warn, detail: "\(previous) (the hook that was there before) is not executable, so it does not run",
                             fix: "chmod +x '\(previous)' if it should run")
            }
            return Check(id: id, status: .pass, detail: "\(path)\(origin) runs \(executable)", fix: "")
        }
    }

    func checkManager(_ manager: GitHookInstaller.Manager, root: String, hooksDirectory: String) -> Check {
        let id = "git-hooks"
        let candidates: [String]
        switch manager {
        case .husky:
            // Every script needs handoff's block: `handoff install --git` writes all of them.
            let folder = GitHookInstaller.huskyFolder(worktreeRoot: root, hooksDirectory: hooksDirectory) ?? Path.join(root, ".husky")
            let missing = GitHookInstaller.hooks.map { Path.join(folder, $0.name) }.filter { path in
                guard let text = try? FileSystem.readText(path) else { return true }
                return GitHookInstaller.blockRange(in: text) == nil
            }
            if missing.isEmpty {
                return Check(id: id, status: .pass, detail: "husky runs the hooks and its scripts in \(folder) run handoff", fix: "")
            }
            return Check(id: id, status: .fail, detail: "husky runs the hooks and \(missing.joined(separator: ", ")) \(missing.count == 1 ? "does" : "do") not run handoff",
                         fix: "cd '\(root)' && handoff install --git (adds handoff's lines to husky's scripts)")
        case .lefthook: candidates = ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"]
        case .preCommit: candidates = [".pre-commit-config.yaml"]
        }
        let mentions = candidates.contains { name in
            // `handoff hook post-commit`, or the separate-executables layout's handoff-post-commit.
            guard let text = try? FileSystem.readText(Path.join(root, name)) else { return false }
            return text.contains("hook post-commit") || text.contains("handoff-post-commit")
        }
        if mentions {
            return Check(id: id, status: .pass, detail: "\(manager.rawValue) manages the hooks and its configuration runs handoff's post-commit hook", fix: "")
        }
        return Check(id: id, status: .fail, detail: "\(manager.rawValue) manages the hooks and its configuration does not run handoff",
                     fix: "run `handoff install --git` in \(root) and add the lines it prints to \(manager.rawValue)'s configuration")
    }

    /// The `handoff='…'` line of one of our entries (`handoff_hook='…'` in the separate-executables
    /// layout's), unquoted.
    static func hookExecutable(in path: String) -> String? {
        guard let text = try? FileSystem.readText(path) else { return nil }
        for line in text.split(separator: "\n") {
            guard let prefix = ["handoff=", "handoff_hook="].first(where: { line.hasPrefix($0) }) else { continue }
            let value = line.dropFirst(prefix.count)
            guard value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 else { return String(value) }
            return String(value.dropFirst().dropLast()).replacing("'\\''", with: "'")
        }
        return nil
    }

    // MARK: Agent hooks

    func checkAgentHooks(root: String?) -> Check {
        let id = "agent-hooks"
        var inspections: [(ClaudeSettings.Scope, ClaudeSettings.Inspection)] = []
        for scope in ClaudeSettings.Scope.allCases {
            if scope != .user && root == nil { continue }
            // No HOME or project root: that scope has no settings file to check.
            guard let path = try? ClaudeSettings.settingsPath(scope: scope, environment: environment, projectRoot: root) else { continue }
            inspections.append((scope, ClaudeSettings.inspect(settingsAt: path, environment: environment)))
        }
        if let (_, broken) = inspections.first(where: { $0.1.problem != nil }) {
            return Check(id: id, status: .fail, detail: "\(broken.path) cannot be read: \(broken.problem ?? "")",
                         fix: "fix the JSON of \(broken.path), then run `handoff install --claude`")
        }
        if let (scope, broken) = inspections.first(where: { !$0.1.brokenPaths.isEmpty }) {
            return Check(id: id, status: .fail,
                         detail: "\(broken.path) runs \(broken.brokenPaths.joined(separator: ", ")), which is missing or not executable",
                         fix: "handoff install --claude --scope \(scope.rawValue) (rewrites the entries with this installation's paths)")
        }
        let complete = inspections.filter { $0.1.exists && $0.1.missing.isEmpty }
        let plugins = ClaudePlugins.enabledHandoffPlugins(environment: environment, projectRoot: root)
        let registered = inspections.filter { !$0.1.registered.isEmpty }
        if let plugin = plugins.first, let (scope, _) = registered.first {
            // Claude Code runs the hooks of every source; the plugin's command and ours differ, so
            // nothing merges them: each event runs handoff twice.
            return Check(
                id: id, status: .warn,
                detail: "registered twice: by the plugin \(plugin.id) (enabled in \(plugin.enabledIn)) and in \(registered.map(\.1.path).joined(separator: " and ")): "
                    + "every handoff hook fires twice per event (two stop-gate verdicts per stop, every tool event recorded twice)",
                fix: "keep one: handoff uninstall --claude --scope \(scope.rawValue) (the plugin stays), or claude plugin disable \(plugin.id)")
        }
        if complete.count > 1 {
            return Check(id: id, status: .warn, detail: "registered in both \(complete.map(\.1.path).joined(separator: " and ")): every hook runs twice",
                         fix: "handoff uninstall --claude --scope project (or --scope user) to keep one")
        }
        if let (scope, found) = complete.first {
            return Check(id: id, status: .pass, detail: "registered for the \(scope.rawValue) in \(found.path)", fix: "")
        }
        if let plugin = plugins.first {
            return Check(id: id, status: .pass, detail: "registered by the plugin \(plugin.id) (enabled in \(plugin.enabledIn), installed at \(plugin.installPath))", fix: "")
        }
        let partial = inspections.first { !$0.1.registered.isEmpty }
        if let (scope, found) = partial {
            return Check(id: id, status: .fail, detail: "\(found.path) lacks \(found.missing.joined(separator: ", "))",
                         fix: "handoff install --claude --scope \(scope.rawValue)")
        }
        let places = inspections.map(\.1.path).joined(separator: " or ")
        return Check(id: id, status: .fail, detail: "handoff's agent hooks are not registered in \(places)",
                     fix: "handoff install --claude (user settings) or handoff install --claude --scope project")
    }

    // MARK: MCP server

    /// `handoff mcp`, the task tools the handover procedures use: registered for Claude Code in one
    /// scope (or by the plugin), runnable, and not twice.
    func checkMCPServer(root: String?) -> Check {
        let id = "mcp-server"
        var found: [(ClaudeSettings.Scope, ClaudeMCPServers.Inspection)] = []
        for scope in ClaudeSettings.Scope.allCases where scope == .user || root != nil {
            if let inspection = ClaudeMCPServers.inspect(scope: scope, environment: environment, projectRoot: root) {
                found.append((scope, inspection))
            }
        }
        if let (_, broken) = found.first(where: { $0.1.problem != nil }) {
            return Check(id: id, status: .fail, detail: "\(broken.location.description) cannot be read: \(broken.problem ?? "")",
                         fix: "fix the JSON of \(broken.location.path), then run `handoff install --claude`")
        }
        if let (scope, broken) = found.first(where: { $0.1.command != nil && !$0.1.runnable }) {
            return Check(id: id, status: .fail,
                         detail: "the MCP server in \(broken.location.description) runs \(broken.command ?? ""), which is missing or not executable",
                         fix: "handoff install --claude --scope \(scope.rawValue) (rewrites the entry with this installation's path)")
        }
        let registered = found.filter { $0.1.command != nil }
        let plugin = ClaudePlugins.servingMCP(environment: environment, projectRoot: root)
        if let plugin, let (scope, _) = registered.first {
            return Check(id: id, status: .warn,
                         detail: "served twice: by the plugin \(plugin.id) and as \"handoff\" in \(registered.map(\.1.location.description).joined(separator: " and ")): the agent sees every task tool under two names",
                         fix: "keep one: handoff uninstall --claude --scope \(scope.rawValue) (the plugin stays), or claude plugin disable \(plugin.id)")
        }
        if registered.count > 1 {
            // Claude Code starts one (local over project over user) and warns about the others.
            return Check(id: id, status: .warn,
                         detail: "registered in \(registered.count) scopes (\(registered.map(\.0.rawValue).joined(separator: ", "))); Claude Code runs the \(registered[registered.count - 1].0.rawValue) one and reports conflicting scopes",
                         fix: "handoff uninstall --claude --scope \(registered[0].0.rawValue) (keep one)")
        }
        if let (scope, entry) = registered.first {
            if scope == .project, let root, !ClaudeMCPServers.projectServerApproved(environment: environment, projectRoot: root) {
                return Check(id: id, status: .warn,
                             detail: "\(entry.command ?? "") is in \(entry.location.description) but not approved for this user (a trusted folder and the server enabled): Claude Code does not start it until it is",
                             fix: "run `claude` in the repository, trust the folder and approve the server handoff (or add \"enabledMcpjsonServers\": [\"handoff\"] to .claude/settings.local.json after trusting it)")
            }
            return Check(id: id, status: .pass, detail: "\(entry.command ?? "") registered for the \(scope.rawValue) scope in \(entry.location.description)", fix: "")
        }
        if let plugin {
            return Check(id: id, status: .pass, detail: "served by the plugin \(plugin.id) (installed at \(plugin.installPath))", fix: "")
        }
        if let (_, foreign) = found.first(where: { $0.1.foreign != nil }) {
            return Check(id: id, status: .warn, detail: "\(foreign.location.description) has an MCP server named handoff that runs \(foreign.foreign ?? "") instead of handoff mcp",
                         fix: "rename that server, then handoff install --claude")
        }
        return Check(id: id, status: .warn,
                     detail: "the MCP server handoff (task tools for the agent) is not registered for Claude Code; agents can still file tasks with `handoff task add`",
                     fix: "handoff install --claude (user scope) or handoff install --claude --scope project")
    }

    // MARK: Agent commands

    /// The handover commands every block message and brief points to.
    package static let handoverCommands = ["dump", "handoff-end"]

    /// `/handoff:dump` and `/handoff:handoff-end` exist when `<folder>/handoff/<name>.md` is in the
    /// user's or the project's commands folder (Claude Code names a command in a subfolder
    /// `<subfolder>:<name>`), or when an enabled handoff plugin ships them.
    func checkAgentCommands(root: String?) -> Check {
        let id = "agent-commands"
        var folders: [String] = []
        if let home = environment["HOME"] { folders.append(Path.join(home, ".claude/commands/handoff")) }
        if let root { folders.append(Path.join(root, ".claude/commands/handoff")) }
        for plugin in ClaudePlugins.enabledHandoffPlugins(environment: environment, projectRoot: root) {
            folders.append(Path.join(plugin.installPath, "commands"))
        }
        for folder in folders where Self.handoverCommands.allSatisfy({ FileSystem.exists(Path.join(folder, $0 + ".md")) }) {
            return Check(id: id, status: .pass, detail: "/handoff:dump and /handoff:handoff-end are in \(folder)", fix: "")
        }
        let partial = folders.first { folder in Self.handoverCommands.contains { FileSystem.exists(Path.join(folder, $0 + ".md")) } }
        let detail = partial.map { folder in
            "\(folder) lacks " + Self.handoverCommands.filter { !FileSystem.exists(Path.join(folder, $0 + ".md")) }.map { $0 + ".md" }.joined(separator: ", ")
        }
            ?? "the handover commands /handoff:dump and /handoff:handoff-end are not installed in \(folders.first ?? "~/.claude/commands/handoff")"
        return Check(id: id, status: .warn, detail: detail + " (block messages and the brief point to them)",
                     fix: "run `handoff install --claude` (it copies the plugin folder's commands/*.md into ~/.claude/commands/handoff/)")
    }

    // MARK: Codex hooks

    /// Only where Codex is in use (its home exists or a Codex hooks.json names handoff): a hook that
    /// is registered but not trusted never runs, and Codex says nothing about it.
    func checkCodexHooks(root: String?) -> [Check] {
        let id = "codex-hooks"
        guard let home = try? CodexHooks.codexHome(environment: environment), FileSystem.isDirectory(home) else { return [] }
        let configPath = CodexHooks.configPath(codexHome: home)
        var inspections: [(CodexHooks.Scope, CodexHooks.Inspection)] = [
            (.user, CodexHooks.inspect(hooksAt: CodexHooks.hooksPath(scope: .user, codexHome: home, projectRoot: nil), configAt: configPath)),
        ]
        if let root {
            let real = FileSystem.realPath(root) ?? root
            inspections.append((.project, CodexHooks.inspect(hooksAt: CodexHooks.hooksPath(scope: .project, codexHome: home, projectRoot: real), configAt: configPath)))
        }
        if let (_, broken) = inspections.first(where: { $0.1.problem != nil }) {
            return [Check(id: id, status: .fail, detail: "\(broken.hooksPath) cannot be read: \(broken.problem ?? "")",
                          fix: "fix the JSON of \(broken.hooksPath), then run `handoff install --codex`")]
        }
        let registered = inspections.filter { !$0.1.registered.isEmpty }
        guard !registered.isEmpty else {
            return [Check(id: id, status: .warn, detail: "Codex is set up here (\(home)) but handoff's hooks are not registered with it",
                          fix: "handoff install --codex (or --scope project) if you use Codex with this repository")]
        }
        var checks: [Check] = []
        for (scope, found) in registered {
            let flag = scope == .project ? " --scope project" : ""
            if !found.brokenPaths.isEmpty {
                checks.append(Check(id: id, status: .fail, detail: "\(found.hooksPath) runs \(found.brokenPaths.joined(separator: ", ")), which is missing or not executable",
                                    fix: "handoff install --codex\(flag) (rewrites the entries with this installation's paths)"))
            } else if !found.untrusted.isEmpty {
                checks.append(Check(id: id, status: .fail,
                                    detail: "Codex skips \(found.untrusted.joined(separator: ", ")) in \(found.hooksPath): not trusted in \(configPath) (or trusted for another version of the entry), and an untrusted hook never runs",
                                    fix: "handoff install --codex\(flag) (records the trust), or review and trust them in Codex's /hooks"))
            } else if !found.missing.isEmpty {
                checks.append(Check(id: id, status: .fail, detail: "\(found.hooksPath) lacks \(found.missing.joined(separator: ", "))", fix: "handoff install --codex\(flag)"))
            } else if scope == .project, let root, !CodexHooks.projectTrusted(root: FileSystem.realPath(root) ?? root, configPath: configPath) {
                checks.append(Check(id: id, status: .fail, detail: "Codex reads \(found.hooksPath) only in a trusted project, and \(root) is not trusted in \(configPath)",
                                    fix: "trust the project when Codex asks, or add [projects.\"\(FileSystem.realPath(root) ?? root)\"] trust_level = \"trusted\" to \(configPath)"))
            } else {
                checks.append(Check(id: id, status: .pass, detail: "registered and trusted for the \(scope.rawValue) in \(found.hooksPath)", fix: ""))
            }
        }
        if registered.count > 1, checks.allSatisfy({ $0.status == .pass }) {
            return [Check(id: id, status: .warn, detail: "registered in both \(registered.map(\.1.hooksPath).joined(separator: " and ")): every hook runs twice",
                          fix: "handoff uninstall --codex --scope project (or --scope user) to keep one")]
        }
        return checks
    }

    // MARK: Store

    func checkStore(root: String?) -> [Check] {
        guard let root else {
            return [Check(id: "store", status: .skip, detail: "not inside a git repository", fix: "")]
        }
        let store = HandoffStore(worktreeRoot: root)
        guard store.exists else {
            return [Check(id: "store", status: .fail, detail: "\(store.layout.directory) does not exist", fix: "cd '\(root)' && handoff init")]
        }
        var checks: [Check] = []
        do {
            let report = StateValidator.validate(try store.readStateJSON())
            if let first = report.errors.first {
                checks.append(Check(id: "store", status: .fail,
                                    detail: "\(store.layout.stateFile) is invalid (\(report.errors.count) error\(report.errors.count == 1 ? "" : "s"); first: \(first.path): \(first.message))",
                                    fix: "handoff validate (for every finding), then fix the file or run `handoff repair`"))
            } else {
                checks.append(Check(id: "store", status: .pass, detail: "\(store.layout.stateFile) is valid", fix: ""))
            }
        } catch {
            checks.append(Check(id: "store", status: .fail, detail: "\(error)", fix: "handoff repair (or restore \(store.layout.stateFile) from a copy)"))
        }
        let events = store.events.readAll()
        if let why = events.unreadable {
            // An event log that cannot be read is not an empty one: every reader sees no events.
            checks.append(Check(id: "events", status: .fail, detail: "the event log could not be read: \(why)",
                                fix: "make \(store.layout.eventsFile) a readable file again (move aside whatever replaced it)"))
        } else if events.skippedLines > 0 {
            checks.append(Check(id: "events", status: .warn,
                                detail: "\(store.layout.eventsFile) has \(events.skippedLines) unreadable line\(events.skippedLines == 1 ? "" : "s") (skipped by every reader); \(events.events.count) events read",
                                fix: "nothing is lost beyond those lines; `handoff repair` rewrites the log without them"))
        } else {
            checks.append(Check(id: "events", status: .pass, detail: "\(events.events.count) events, no unreadable lines", fix: ""))
        }
        checks.append(Self.checkTimeouts(events.events))
        checks.append(Self.checkSetAside(events.events))
        return checks
    }

    /// `handoff.tasks.external`: a pattern outside `BoundedPattern`'s safe subset matches nothing, so
    /// a Next step naming a tracker id is refused; said here rather than discovered at a stop.
    func checkTrackerPattern(root: String?) -> Check {
        guard let root else { return Check(id: "tasks-external", status: .skip, detail: "not inside a git repository", fix: "") }
        let result = GitCLI(directory: root, environment: withoutGitVariables).run(["config", "--get", "handoff.tasks.external"], timeout: 10)
        if result.status == 1 {
            return Check(id: "tasks-external", status: .pass, detail: "handoff.tasks.external is not set: a Next step names tasks of this store", fix: "")
        }
        guard result.succeeded else {
            return Check(id: "tasks-external", status: .warn, detail: "handoff.tasks.external could not be read (\(result.lastErrorLine))", fix: "git config --get handoff.tasks.external")
        }
        let pattern = result.output.trimmed
        do {
            _ = try BoundedPattern(pattern)
            return Check(id: "tasks-external", status: .pass, detail: "handoff.tasks.external `\(TerminalText.escape(pattern))` is usable (matched in linear time)", fix: "")
        } catch {
            return Check(id: "tasks-external", status: .fail,
                         detail: "handoff.tasks.external: \(TerminalText.escape(error.description)); until it is fixed, no tracker id counts as a follow-up",
                         fix: "use literals, classes, \\d \\w \\s, groups, | and * + ? {n,m}, e.g. git config handoff.tasks.external '[A-Z]+-[0-9]+'")
        }
    }

    /// Store files moved out of the way (damaged, too large, not regular files): never deleted, never
    /// silent; each one is something the user may want back or may want to know was planted.
    static func checkSetAside(_ events: [Event]) -> Check {
        let setAside = events.filter { $0.type == EventType.fileSetAside }
        guard let last = setAside.last else {
            return Check(id: "set-aside", status: .pass, detail: "no store file was set aside", fix: "")
        }
        let count = setAside.count
        let file = TerminalText.escape(last["file"]?.stringValue ?? "?"), target = TerminalText.escape(last["moved_to"]?.stringValue ?? "?")
        let reason = TerminalText.escape(String((last["reason"]?.stringValue ?? "").prefix(160)))
        return Check(id: "set-aside", status: .warn,
                     detail: "\(count) store file\(count == 1 ? " was" : "s were") set aside as unreadable (the last at \(last.timestamp.iso8601): \(file) → \(target): \(reason))",
                     fix: "nothing was deleted: `handoff events --type file_set_aside` lists each file and where it went; look at them, then delete or restore them")
    }

    /// Hooks that ran out of time in the last week: each let its operation through unjudged (a stop)
    /// or without its record (a compaction snapshot, a commit), and said so in the log.
    static func checkTimeouts(_ events: [Event], now: Timestamp = .now()) -> Check {
        let since = Timestamp(milliseconds: now.milliseconds - 7 * 24 * 3_600_000)
        let timeouts = events.filter { $0.type == EventType.hookTimeout && $0.timestamp >= since }
        guard let last = timeouts.last else {
            return Check(id: "timeouts", status: .pass, detail: "no hook ran out of time in the last 7 days", fix: "")
        }
        var byHook: [String: Int] = [:]
        for event in timeouts { byHook[event["hook"]?.stringValue ?? "unknown", default: 0] += 1 }
        let counts = byHook.keys.sorted().map { "\($0) \(byHook[$0]!)" }.joined(separator: ", ")
        let count = timeouts.count
        return Check(id: "timeouts", status: .warn,
                     detail: "\(count) hook\(count == 1 ? "" : "s") ran out of time in the last 7 days (\(counts); the last at \(last.timestamp.iso8601)): each let its operation through without judging or recording it (a stop was not gated, a compaction snapshot not taken)",
                     fix: "a busy machine: give the hooks more time with HANDOFF_HOOK_TIMEOUT=<seconds> in the agent's environment; `handoff events --type hook_timeout` lists them")
    }

    /// Whether the agent hooks act here (see `OptIn`), and whether the store was ever wiped.
    func checkOptIn(root: String?) -> Check {
        guard let root else { return Check(id: "opt-in", status: .skip, detail: "not inside a git repository", fix: "") }
        let optIn = OptIn.resolve(worktreeRoot: root, environment: withoutGitVariables)
        let store = HandoffStore(worktreeRoot: root)
        switch optIn.decision {
        case .repository, .automatic:
            if store.exists, let wiped = store.events.tail(1, matching: { $0.type == EventType.storeWiped }, containing: [#""type":"store_wiped""#]).events.last {
                return Check(id: "opt-in", status: .warn,
                             detail: "the agent hooks act here (\(optIn.reason)); .handoff/ was found missing and created again at \(wiped.timestamp.iso8601) (what it held before is gone)",
                             fix: "keep .handoff/ out of `git clean -x` and `git stash --all` (e.g. git clean -x -e .handoff)")
            }
            return Check(id: "opt-in", status: .pass, detail: "the agent hooks act here (\(optIn.reason))", fix: "")
        case .optedOut:
            return Check(id: "opt-in", status: .warn, detail: "this repository opted out (\(optIn.reason)): the agent hooks do nothing here",
                         fix: "cd '\(root)' && handoff init (or git config --unset handoff.enabled)")
        case .notOptedIn:
            let status: Check.Status = store.exists || optIn.invalidValue != nil ? .warn : .skip
            let why = store.exists ? "; .handoff/ exists but the agent hooks ignore it" : ""
            return Check(id: "opt-in", status: status,
                         detail: "the agent hooks do nothing in this repository (\(optIn.reason))\(why)",
                         fix: "cd '\(root)' && handoff init (or git config --global handoff.auto true for every repository)")
        }
    }

    // MARK: Environment

    func checkLibgit2() -> Check {
        let version = GitLibrary.version
        let major = Int(version.split(separator: ".").first ?? "") ?? 0
        if major < 1 {
            return Check(id: "libgit2", status: .fail, detail: "libgit2 \(version) is older than 1.0",
                         fix: "install libgit2 1.x (apt-get install libgit2-dev) and rebuild")
        }
        return Check(id: "libgit2", status: .pass, detail: "libgit2 \(version)", fix: "")
    }

    func checkDisabled() -> Check {
        if environment.handoffDisabled {
            return Check(id: "disabled", status: .fail,
                         detail: "HANDOFF_DISABLED=\(environment["HANDOFF_DISABLED"] ?? "") turns every handoff hook off",
                         fix: "unset HANDOFF_DISABLED (and remove it from your shell profile or the agent's environment)")
        }
        if let value = environment["HANDOFF_DISABLED"] {
            return Check(id: "disabled", status: .pass, detail: "HANDOFF_DISABLED=\(value) does not disable the hooks (only 1, true, yes or on do)", fix: "")
        }
        return Check(id: "disabled", status: .pass, detail: "HANDOFF_DISABLED is not set", fix: "")
    }
}
