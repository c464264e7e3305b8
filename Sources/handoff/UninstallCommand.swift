import ArgumentParser
import HandoffKit

struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove handoff's hooks from this repository.",
        discussion: """
            --git (the default while it is the only target) removes the post-commit, post-merge and pre-push entries handoff installed (recognised by their `# handoff-managed-hook` line) and puts back the hooks they replaced (<hook>.pre-handoff), byte for byte and with their mode; a hooks folder install created goes too, unless something that is not handoff's is in it. In husky's scripts only handoff's marked lines are removed. Hooks that are not handoff's are left alone. The .handoff/ store is kept.

            --claude removes handoff's entries from the settings.json of --scope (user by default) and leaves every other hook; when nothing else changed since install, the file is put back byte for byte (from settings.json.pre-handoff), and a file handoff created is removed. The MCP server "handoff" goes from that scope too (~/.claude.json or .mcp.json), leaving the file byte for byte as it was when nothing else changed, and otherwise in Claude Code's own layout.

            --claude also removes the handover commands /handoff:dump and /handoff:handoff-end from ~/.claude/commands/handoff/ (a file of that name that was there before install is put back).

            --codex removes handoff's entries from the Codex hooks.json of --scope, the trust block from $CODEX_HOME/config.toml and handoff's skills; files are put back byte for byte when nothing else changed since install.

            --grok removes handoff's own ~/.grok/hooks/handoff.json (or the project's, with --scope project), the folders install created for it, and handoff's skills; nothing else in ~/.grok is touched.

            --vibe removes handoff's block from the Vibe hooks.toml of --scope and handoff's skills; --openhands handoff's groups from the OpenHands hooks.json of --scope and handoff's skills; files are put back byte for byte when nothing else changed since install.

            --all removes everything handoff added under HOME (--claude, --codex, --grok, --vibe and --openhands of the user scope), then lists the repositories that are still opted in (those `handoff install --git` or `handoff init` opted in on this machine), each with the command that undoes it. Removing handoff's package afterwards removes the executable itself.

            Examples:
              handoff uninstall --git
              handoff uninstall --claude --scope project
              handoff uninstall --git --dry-run
              handoff uninstall --all
            """
    )

    @Flag(help: "Remove the git hooks. The default when no other target is given.")
    var git = false

    @Flag(help: "Remove the Claude Code agent hooks from a settings.json (see --scope).")
    var claude = false

    @Flag(help: "Remove the Codex CLI hooks, their trust and the handover skills (see --scope; Codex has user and project).")
    var codex = false

    @Flag(help: "Remove the Grok Build hooks file and the handover skills (see --scope; grok has user and project).")
    var grok = false

    @Flag(help: "Remove the Mistral Vibe hooks and the handover skills (see --scope).")
    var vibe = false

    @Flag(help: "Remove the OpenHands hooks and the handover skills (see --scope).")
    var openhands = false

    @Option(help: ArgumentHelp("Which settings file: user (~/.claude/settings.json), project (<repo>/.claude/settings.json) or local (<repo>/.claude/settings.local.json).", valueName: "scope"))
    var scope: ClaudeSettings.Scope = .user

    @Flag(help: "Remove everything handoff added under HOME (the Claude Code hooks, MCP server and commands of the user scope, the Codex hooks, trust and skills, the Grok hooks and skills), and list the repositories still opted in with the command that undoes each.")
    var all = false

    @Flag(help: "Show what would change, change nothing.")
    var dryRun = false

    func run() throws {
        let context = CLIContext.current()
        if all {
            try uninstallAll(context)
            return
        }
        if git || (!claude && !codex && !vibe && !openhands && !grok) {
            try uninstallGitHooks(context)
        }
        if claude {
            try AgentHookSettings.uninstall(scope: scope, dryRun: dryRun, context: context)
        }
        if codex {
            try CodexHookSettings.uninstall(scope: scope, dryRun: dryRun, context: context)
        }
        if grok {
            try GrokHookSettings.uninstall(scope: scope, dryRun: dryRun, context: context)
        }
        if vibe {
            try VibeOpenHandsSettings.vibe(install: false, scope: scope, binDirectory: nil, dryRun: dryRun, context: context)
        }
        if openhands {
            try VibeOpenHandsSettings.openHands(install: false, scope: scope, binDirectory: nil, dryRun: dryRun, context: context)
        }
    }

    /// What `handoff install --claude`, `--codex` and `--grok` added under HOME goes; repositories are not
    /// touched (their hooks and opt-in are theirs to undo, one command each, listed).
    private func uninstallAll(_ context: CLIContext) throws {
        try AgentHookSettings.uninstall(scope: .user, dryRun: dryRun, context: context)
        try CodexHookSettings.uninstall(scope: .user, dryRun: dryRun, context: context)
        try GrokHookSettings.uninstall(scope: .user, dryRun: dryRun, context: context)
        try VibeOpenHandsSettings.vibe(install: false, scope: .user, binDirectory: nil, dryRun: dryRun, context: context)
        try VibeOpenHandsSettings.openHands(install: false, scope: .user, binDirectory: nil, dryRun: dryRun, context: context)
        var lines: [String] = []
        let stillOptedIn = RepositoryList.read(environment: context.environment).filter { root in
            FileSystem.isDirectory(root) && OptIn.resolve(worktreeRoot: root, environment: context.environment).decision == .repository
        }
        if !stillOptedIn.isEmpty {
            lines.append("Repositories still opted in (their git hooks and .handoff/ stay until you undo each):")
            for root in stillOptedIn { lines.append("  cd \(GitHookInstaller.shellQuoted(root)) && handoff uninstall --git") }
        }
        // git answers for the global file (and its includes); "true" however git spells it.
        let auto = CommandRunner.run(["git", "config", "--global", "--type=bool", "--get", OptIn.autoKey], in: "/",
                                     environment: context.environment, timeout: 5, keepLastLines: 2)
        if auto.succeeded, auto.outputTail.trimmed == "true" {
            lines.append("handoff.auto is true in your git configuration: every repository counts as opted in; undo: git config --global --unset handoff.auto")
        }
        if lines.isEmpty { lines.append("No repository is still opted in.") }
        if !dryRun {
            do { try RepositoryList.removeAll(environment: context.environment) } catch {
                printError("warning: \(error); remove it yourself")
            }
        }
        emit(lines.joined(separator: "\n"))
    }

    private func uninstallGitHooks(_ context: CLIContext) throws {
        let root = try context.worktreeRoot()
        let installer = GitHookInstaller(environment: context.environment, dryRun: dryRun)
        let report: GitHookInstaller.Report
        do {
            report = try installer.uninstall(repositoryAt: root)
        } catch {
            printError(error.description)
            switch error {
            case .notARepository, .bareRepository: throw ExitCode(3)
            default: throw ExitCode.failure
            }
        }
        emit(GitHookReportText.render(report, verb: "uninstall"))
        if !report.succeeded { throw ExitCode.failure }
        if !dryRun { RepositoryListing.forget(root, context: context) }
    }
}
