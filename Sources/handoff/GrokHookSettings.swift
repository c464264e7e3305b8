import ArgumentParser
import HandoffKit

/// `handoff install --grok` / `handoff uninstall --grok`: the CLI side of `GrokHooks`.
enum GrokHookSettings {
    static func grokFolder(scope: ClaudeSettings.Scope, context: CLIContext) throws -> (folder: String, projectRoot: String?) {
        guard scope == .user || scope == .project else {
            printError("Grok Build has no \(scope.rawValue) scope: use --scope user (~/.grok/hooks/handoff.json) or --scope project (<repo>/.grok/hooks/handoff.json)")
            throw ExitCode(2)
        }
        let root: String? = scope == .project ? try context.worktreeRoot() : nil
        let projectRoot = root.map { FileSystem.realPath($0) ?? $0 }
        do {
            return (try GrokHooks.grokFolder(scope: scope == .project ? .project : .user, environment: context.environment, projectRoot: projectRoot), projectRoot)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    static func install(scope: ClaudeSettings.Scope, binDirectory: String, dryRun: Bool, context: CLIContext) throws {
        let (folder, projectRoot) = try grokFolder(scope: scope, context: context)
        let report: GrokHooks.Report
        do {
            report = try GrokHooks.install(grokFolder: folder, binDirectory: binDirectory, dryRun: dryRun)
        } catch {
            fail(error)
        }
        var lines = ["\(dryRun ? "Would install Grok Build hooks" : "Grok Build hooks") in \(report.hooksPath) (\(scope.rawValue)):"]
        lines += report.lines.map { "  - \($0)" }
        if let root = projectRoot, let home = context.environment["HOME"],
            !GrokHooks.trusted(folder: root, trustFile: Path.join(Path.join(home, ".grok"), "trusted_folders.toml"))
        {
            lines.append("  - note: grok runs \(report.hooksPath) only in a trusted folder: start grok there once with `grok --trust` (or run /hooks-trust in it); until then it skips these hooks silently")
        }
        emit(lines.joined(separator: "\n"))
    }

    static func uninstall(scope: ClaudeSettings.Scope, dryRun: Bool, context: CLIContext) throws {
        let (folder, _) = try grokFolder(scope: scope, context: context)
        let report = GrokHooks.uninstall(grokFolder: folder, dryRun: dryRun)
        var lines = ["\(dryRun ? "Would uninstall Grok Build hooks" : "Grok Build hooks") in \(report.hooksPath) (\(scope.rawValue)):"]
        lines += report.lines.map { "  - \($0)" }
        emit(lines.joined(separator: "\n"))
    }

    static func fail(_ error: GrokHooks.Failure) -> Never {
        printError(error.description)
        switch error {
        case .missingExecutable, .noHome: Handoff.exit(withError: ExitCode(2))
        case .foreignFile, .io: Handoff.exit(withError: ExitCode.failure)
        }
    }
}
