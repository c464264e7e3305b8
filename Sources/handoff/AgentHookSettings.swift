import ArgumentParser
import HandoffKit

extension ClaudeSettings.Scope: ExpressibleByArgument {}

/// `handoff install --claude` / `handoff uninstall --claude`: the CLI side of `ClaudeSettings`.
enum AgentHookSettings {
    /// The settings file of `scope`; the project scope needs a repository (exit 3 without one).
    static func path(scope: ClaudeSettings.Scope, context: CLIContext) throws -> String {
        let root: String? = scope == .user ? nil : try context.worktreeRoot()
        do {
            return try ClaudeSettings.settingsPath(scope: scope, environment: context.environment, projectRoot: root)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    static func install(scope: ClaudeSettings.Scope, binDirectory: String, dryRun: Bool, context: CLIContext) throws {
        let path = try path(scope: scope, context: context)
        let report: ClaudeSettings.Report
        do {
            report = try ClaudeSettings(dryRun: dryRun).install(settingsAt: path, binDirectory: binDirectory, scope: scope)
        } catch {
            fail(error)
        }
        emit(render(report, scope: scope, verb: "install"))
        try installMCPServer(scope: scope, binDirectory: binDirectory, dryRun: dryRun, context: context)
        try installCommands(dryRun: dryRun, context: context)
    }

    /// `/handoff:dump` and `/handoff:handoff-end` in ~/.claude/commands/handoff/ (whatever the scope:
    /// commands are the user's), copied from the plugin folder `ShareDirectory` finds.
    static func installCommands(dryRun: Bool, context: CLIContext) throws {
        guard let home = context.environment["HOME"] else {
            printError("HOME is not set, so the handover commands (~/.claude/commands/handoff) cannot be installed; set HOME and run this again")
            throw ExitCode(2)
        }
        let share: String
        do {
            share = try ShareDirectory.locate(environment: context.environment, executableFolder: try ExecutableLocation.folder())
        } catch {
            printError("\(error); the hooks are registered, the handover commands are not")
            throw ExitCode.failure
        }
        let lines: [String]
        do {
            lines = try ClaudeCommands.install(shareDirectory: share, home: home, dryRun: dryRun)
        } catch {
            printError("\(error); the hooks are registered, the handover commands are not")
            throw ExitCode.failure
        }
        emit((["Handover commands (from \(share)/commands):"] + lines.map { "  - \($0)" }).joined(separator: "\n"))
    }

    static func uninstallCommands(dryRun: Bool, context: CLIContext) {
        guard let home = context.environment["HOME"] else { return }
        // The plugin folder tells our files from a changed copy; without it they go by name.
        let share = try? ShareDirectory.locate(environment: context.environment, executableFolder: try ExecutableLocation.folder())
        let lines = ClaudeCommands.uninstall(shareDirectory: share, home: home, dryRun: dryRun)
        if !lines.isEmpty { emit((["Handover commands in \(ClaudeCommands.folder(home: home)):"] + lines.map { "  - \($0)" }).joined(separator: "\n")) }
    }

    /// The MCP server `handoff mcp`, where Claude Code reads the MCP servers of `scope`.
    static func installMCPServer(scope: ClaudeSettings.Scope, binDirectory: String, dryRun: Bool, context: CLIContext) throws {
        let root: String? = scope == .user ? nil : try context.worktreeRoot()
        let plugin = ClaudePlugins.servingMCP(environment: context.environment, projectRoot: context.worktreeRootIfAny)
        let report: ClaudeSettings.Report
        do {
            report = try ClaudeMCPServers(dryRun: dryRun).install(
                scope: scope, environment: context.environment, projectRoot: root, binDirectory: binDirectory, pluginServing: plugin?.id)
        } catch {
            fail(error)
        }
        emit(renderMCP(report, scope: scope, verb: "install"))
    }

    static func uninstallMCPServer(scope: ClaudeSettings.Scope, dryRun: Bool, context: CLIContext) throws {
        let root: String? = scope == .user ? nil : try context.worktreeRoot()
        let report: ClaudeSettings.Report
        do {
            report = try ClaudeMCPServers(dryRun: dryRun).uninstall(scope: scope, environment: context.environment, projectRoot: root)
        } catch {
            fail(error)
        }
        emit(renderMCP(report, scope: scope, verb: "uninstall"))
    }

    static func renderMCP(_ report: ClaudeSettings.Report, scope: ClaudeSettings.Scope, verb: String) -> String {
        var lines: [String] = []
        let head = report.dryRun ? "Would \(verb) the MCP server" : "MCP server"
        lines.append("\(head) in \(report.path) (\(scope.rawValue) scope)\(report.changed ? "" : ": no change"):")
        for action in report.actions { lines.append("  - \(action.description)") }
        if scope == .project, verb == "install", report.changed {
            lines.append("  Claude Code asks each person once to approve the servers of a project's .mcp.json (or set enabledMcpjsonServers: [\"handoff\"] in their settings).")
        }
        return lines.joined(separator: "\n")
    }

    static func uninstall(scope: ClaudeSettings.Scope, dryRun: Bool, context: CLIContext) throws {
        let path = try path(scope: scope, context: context)
        let report: ClaudeSettings.Report
        do {
            report = try ClaudeSettings(dryRun: dryRun).uninstall(settingsAt: path)
        } catch {
            fail(error)
        }
        uninstallCommands(dryRun: dryRun, context: context)
        emit(render(report, scope: scope, verb: "uninstall"))
        try uninstallMCPServer(scope: scope, dryRun: dryRun, context: context)
    }

    /// Malformed settings exit 1 (the file is untouched; the rest of the install already happened);
    /// a missing executable is a usage error (2).
    static func fail(_ error: ClaudeSettings.Failure) -> Never {
        printError(error.description)
        switch error {
        case .missingExecutable, .noHome: Handoff.exit(withError: ExitCode(2))
        case .malformed, .io: Handoff.exit(withError: ExitCode.failure)
        }
    }

    static func render(_ report: ClaudeSettings.Report, scope: ClaudeSettings.Scope, verb: String) -> String {
        var lines: [String] = []
        let head = report.dryRun ? "Would \(verb) agent hooks" : "Agent hooks"
        lines.append("\(head) in \(report.path) (\(scope.rawValue) settings)\(report.changed ? "" : ": no change"):")
        for action in report.actions { lines.append("  - \(action.description)") }
        if scope == .project, verb == "install" {
            lines.append("  Project settings are meant to be committed, so they name the hooks without a path: each person needs handoff's executables on PATH (or use --scope local for this machine only).")
        }
        return lines.joined(separator: "\n")
    }
}
