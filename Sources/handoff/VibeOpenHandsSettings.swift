import ArgumentParser
import HandoffKit

/// `handoff install --vibe|--openhands` / `handoff uninstall --vibe|--openhands`: the CLI side of
/// `VibeHooks`, `OpenHandsHooks` and their skills (the Codex skills' procedures, in each agent's skills folder).
enum VibeOpenHandsSettings {
    static func projectRoot(scope: ClaudeSettings.Scope, agent: String, files: String, context: CLIContext) throws -> String? {
        guard scope == .user || scope == .project else {
            printError("\(agent) has no \(scope.rawValue) scope: use --scope user (\(files)) or --scope project")
            throw ExitCode(2)
        }
        guard scope == .project else { return nil }
        let root = try context.worktreeRoot()
        return FileSystem.realPath(root) ?? root
    }

    // MARK: Mistral Vibe

    static func vibe(install: Bool, scope: ClaudeSettings.Scope, binDirectory: String?, dryRun: Bool, context: CLIContext) throws {
        let root = try projectRoot(scope: scope, agent: "Mistral Vibe", files: "$VIBE_HOME/hooks.toml", context: context)
        let vibeScope: VibeHooks.Scope = root == nil ? .user : .project
        let bin = install ? try binDirectory ?? ExecutableLocation.folder() : ""
        do throws(VibeHooks.Failure) {
            let home = try VibeHooks.vibeHome(environment: context.environment)
            let path = VibeHooks.hooksPath(scope: vibeScope, vibeHome: home, projectRoot: root)
            let report = install
                ? try VibeHooks.install(hooksAt: path, binDirectory: bin, scope: vibeScope, dryRun: dryRun)
                : try VibeHooks.uninstall(hooksAt: path, dryRun: dryRun)
            var lines = ["\(dryRun ? "Would \(install ? "install" : "uninstall") Mistral Vibe hooks" : "Mistral Vibe hooks") in \(path) (\(vibeScope.rawValue)):"]
            lines += report.lines.map { "  - \($0)" }
            if install {
                do {
                    lines += try CodexSkills.install(codexHome: home, dryRun: dryRun, sigil: "/").map { "  - \($0)" }
                } catch {
                    printError("\(error); the hooks are installed, the skills are not")
                }
                if let root {
                    lines.append("  - note: Vibe reads \(path) only in a folder you trust: answer its trust prompt for \(root) (it remembers), or start it with `vibe --trust` (that run only); handoff does not trust the folder for you")
                }
            } else {
                lines += CodexSkills.uninstall(codexHome: home, dryRun: dryRun, sigil: "/").map { "  - \($0)" }
            }
            emit(lines.joined(separator: "\n"))
        } catch {
            printError(error.description)
            switch error {
            case .missingExecutable, .noHome: throw ExitCode(2)
            case .malformed, .io: throw ExitCode.failure
            }
        }
    }

    // MARK: OpenHands

    static func openHands(install: Bool, scope: ClaudeSettings.Scope, binDirectory: String?, dryRun: Bool, context: CLIContext) throws {
        let root = try projectRoot(scope: scope, agent: "OpenHands", files: "~/.openhands/hooks.json", context: context)
        let ohScope: OpenHandsHooks.Scope = root == nil ? .user : .project
        let bin = install ? try binDirectory ?? ExecutableLocation.folder() : ""
        do throws(OpenHandsHooks.Failure) {
            let path = try OpenHandsHooks.hooksPath(scope: ohScope, environment: context.environment, projectRoot: root)
            let report = install
                ? try OpenHandsHooks.install(hooksAt: path, binDirectory: bin, scope: ohScope, dryRun: dryRun)
                : try OpenHandsHooks.uninstall(hooksAt: path, dryRun: dryRun)
            var lines = ["\(dryRun ? "Would \(install ? "install" : "uninstall") OpenHands hooks" : "OpenHands hooks") in \(path) (\(ohScope.rawValue)):"]
            lines += report.lines.map { "  - \($0)" }
            let userFolder = try OpenHandsHooks.userFolder(environment: context.environment)
            if install {
                do {
                    lines += try CodexSkills.install(codexHome: userFolder, dryRun: dryRun, sigil: "/", triggers: true).map { "  - \($0)" }
                } catch {
                    printError("\(error); the hooks are installed, the skills are not")
                }
                // OpenHands reads one hooks file: the project's shadows the user's.
                let userPath = Path.join(userFolder, "hooks.json")
                if ohScope == .project {
                    let hidden = OpenHandsHooks.othersHooks(path: userPath)
                    if !hidden.isEmpty {
                        lines.append("  - note: OpenHands reads only the first hooks file it finds, so in this project it no longer runs the \(hidden.count) hook\(hidden.count == 1 ? "" : "s") of \(userPath) (\(hidden.prefix(3).joined(separator: "; "))\(hidden.count > 3 ? "; …" : "")): copy those you want here into \(path)")
                    }
                } else if let repo = WorktreeLocator.worktreeRoot(startingAt: FileSystem.currentDirectory(), environment: context.environment) {
                    let projectPath = Path.join(Path.join(repo, ".openhands"), "hooks.json")
                    if FileSystem.exists(projectPath), OpenHandsHooks.inspect(hooksAt: projectPath, environment: context.environment).missing.count == OpenHandsHooks.registrations.count {
                        lines.append("  - note: \(projectPath) exists, and OpenHands reads only that file in this repository: run `handoff install --openhands --scope project` here too")
                    }
                }
            } else {
                lines += CodexSkills.uninstall(codexHome: userFolder, dryRun: dryRun, sigil: "/").map { "  - \($0)" }
            }
            emit(lines.joined(separator: "\n"))
        } catch {
            printError(error.description)
            switch error {
            case .missingExecutable, .noHome: throw ExitCode(2)
            case .malformed, .io: throw ExitCode.failure
            }
        }
    }
}
