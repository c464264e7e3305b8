import ArgumentParser
import HandoffKit

/// `handoff install --codex` / `handoff uninstall --codex`: the CLI side of `CodexHooks` and `CodexSkills`.
enum CodexHookSettings {
    struct Places {
        var codexHome: String
        var hooksPath: String
        var configPath: String
        var projectRoot: String?
    }

    static func places(scope: ClaudeSettings.Scope, context: CLIContext) throws -> Places {
        guard scope == .user || scope == .project else {
            printError("Codex has no \(scope.rawValue) scope: use --scope user ($CODEX_HOME/hooks.json) or --scope project (<repo>/.codex/hooks.json)")
            throw ExitCode(2)
        }
        let codexScope: CodexHooks.Scope = scope == .project ? .project : .user
        let root: String? = scope == .project ? try context.worktreeRoot() : nil
        do {
            let home = try CodexHooks.codexHome(environment: context.environment)
            let projectRoot = root.map { FileSystem.realPath($0) ?? $0 }
            return Places(codexHome: home, hooksPath: CodexHooks.hooksPath(scope: codexScope, codexHome: home, projectRoot: projectRoot),
                          configPath: CodexHooks.configPath(codexHome: home), projectRoot: projectRoot)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    static func install(scope: ClaudeSettings.Scope, binDirectory: String, dryRun: Bool, context: CLIContext) throws {
        let places = try places(scope: scope, context: context)
        let report: CodexHooks.Report
        do {
            report = try CodexHooks(dryRun: dryRun).install(hooksAt: places.hooksPath, configAt: places.configPath, binDirectory: binDirectory)
        } catch {
            fail(error)
        }
        var lines = ["\(dryRun ? "Would install Codex hooks" : "Codex hooks") in \(places.hooksPath) (\(scope.rawValue)):"]
        lines += report.lines.map { "  - \($0)" }
        do {
            lines += try CodexSkills.install(codexHome: places.codexHome, dryRun: dryRun).map { "  - \($0)" }
        } catch {
            printError("\(error); the hooks are installed, the skills are not")
        }
        if let root = places.projectRoot, !CodexHooks.projectTrusted(root: root, configPath: places.configPath) {
            lines.append("  - note: Codex reads \(places.hooksPath) only in a trusted project; trust \(root) when Codex asks, or add [projects.\"\(root)\"] trust_level = \"trusted\" to \(places.configPath)")
        }
        emit(lines.joined(separator: "\n"))
    }

    static func uninstall(scope: ClaudeSettings.Scope, dryRun: Bool, context: CLIContext) throws {
        let places = try places(scope: scope, context: context)
        let report: CodexHooks.Report
        do {
            report = try CodexHooks(dryRun: dryRun).uninstall(hooksAt: places.hooksPath, configAt: places.configPath)
        } catch {
            fail(error)
        }
        var lines = ["\(dryRun ? "Would uninstall Codex hooks" : "Codex hooks") in \(places.hooksPath) (\(scope.rawValue)):"]
        lines += report.lines.map { "  - \($0)" }
        lines += CodexSkills.uninstall(codexHome: places.codexHome, dryRun: dryRun).map { "  - \($0)" }
        emit(lines.joined(separator: "\n"))
    }

    static func fail(_ error: CodexHooks.Failure) -> Never {
        printError(error.description)
        switch error {
        case .missingExecutable, .noHome: Handoff.exit(withError: ExitCode(2))
        case .malformed, .io: Handoff.exit(withError: ExitCode.failure)
        }
    }
}
