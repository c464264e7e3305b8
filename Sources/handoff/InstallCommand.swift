import ArgumentParser
import HandoffKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install handoff's hooks in this repository.",
        discussion: """
            --git (the default while it is the only target) writes handoff's post-commit, post-merge and pre-push entries into the hooks folder git uses here: core.hooksPath when set, else the common git dir's hooks/ (shared by linked worktrees; a submodule's own). A hook that was already there is kept as <hook>.pre-handoff and still runs first, with the same arguments and input; its failure still stops the commit or push. A hooks folder that has to be created is marked so that uninstall can remove it. Running install again changes nothing. It also creates .handoff/ when missing.

            When git runs hooks through husky (core.hooksPath .husky/_ or .husky), a marked block is appended to husky's scripts (.husky/post-commit, post-merge, pre-push) instead. When lefthook or pre-commit manage the hooks, their configuration is left alone and the lines to add are printed.

            --claude registers the agent hooks (Stop, SubagentStop, PreCompact, SessionStart, SessionEnd, PostToolUse, PostToolUseFailure) in ~/.claude/settings.json, or with --scope project in the repository's .claude/settings.json: merged into what is there, every other key and hook kept, absolute paths, never a duplicate. A settings file that is not valid JSON is left untouched and reported (exit 1). The file as it was is kept beside it as settings.json.pre-handoff until uninstall puts it back.

            --claude also installs the handover commands /handoff:dump and /handoff:handoff-end in ~/.claude/commands/handoff/, copied from handoff's plugin folder: $HANDOFF_SHARE_DIR, else <folder of handoff>/../share/handoff (where the packages put it), else the checkout a build folder is in.

            --claude also registers the MCP server "handoff" (`handoff mcp`, the task tools) where Claude Code reads the MCP servers of that scope, as `claude mcp add --scope` would: user in ~/.claude.json, local in that file's entry for this repository, project in the repository's .mcp.json (named without a path; each person approves it once). Nothing is added while an enabled handoff plugin already serves it; a server named handoff that is not handoff's is left alone and reported (exit 1).

            --codex registers the same hooks with Codex CLI (Stop, PreCompact, SessionStart, SessionEnd, PostToolUse) in $CODEX_HOME/hooks.json (~/.codex by default), or with --scope project in the repository's .codex/hooks.json, each command carrying `--agent codex`; merged, every other hook kept. Codex skips hooks it has not been told to trust, so install records its trust (trusted_hash) in a marked block appended to $CODEX_HOME/config.toml, and writes the $handoff-dump and $handoff-end skills to $CODEX_HOME/skills. Both files are kept as they were (*.pre-handoff) until uninstall.

            --grok registers the same hooks with Grok Build in a file of handoff's own, ~/.grok/hooks/handoff.json (or with --scope project <repo>/.grok/hooks/handoff.json, which grok runs only once the folder is trusted: `grok --trust`), each command carrying `--agent grok`, and writes the /handoff-dump and /handoff-end skills to ~/.grok/skills. Grok also runs the hooks registered for Claude Code; handoff's Claude Code entries stand back for grok's sessions while this file is in force, so each event is handled once.

            --vibe registers handoff's hooks with Mistral Vibe as a marked block of [[hooks]] tables appended to $VIBE_HOME/hooks.toml (~/.vibe by default), or with --scope project to the repository's .vibe/hooks.toml, which Vibe reads only in a folder you trust (its trust prompt, or `vibe --trust` for one run; handoff does not trust it for you): pre_tool (the session's first one takes its baseline, as Vibe has no session start), post_tool (tool events) and post_agent (the stop gate), each command carrying `--agent vibe`. It writes the /handoff-dump and /handoff-end skills to $VIBE_HOME/skills. The file is kept as it was (hooks.toml.pre-handoff) until uninstall.

            --openhands registers them with OpenHands (Stop, SessionStart, SessionEnd, PostToolUse, each command carrying `--agent openhands`) in ~/.openhands/hooks.json, or with --scope project in the repository's .openhands/hooks.json; merged, every other hook kept. OpenHands reads only the first of the two that exists, so a project file hides the user's: install says which of your user hooks stop running in the project, and a user install says when a project file hides it. It writes the /handoff-dump and /handoff-end skills to ~/.openhands/skills. The file is kept as it was (hooks.json.pre-handoff) until uninstall.

            Examples:
              handoff install --git
              handoff install --claude --scope user
              handoff install --codex
              handoff install --grok
              handoff install --vibe
              handoff install --openhands --scope project
              handoff install --git --dry-run
              handoff install --git --bin-dir /opt/handoff/bin

            Exit codes:
              0   installed (or already installed)
              1   a hook could not be installed without losing another (see the message)
              2   the handoff executable to register is missing
              3   not in a usable repository
              64  usage error
            """
    )

    @Flag(help: "Install the git hooks (post-commit, post-merge, pre-push). The default when no other target is given.")
    var git = false

    @Flag(help: "Register the Claude Code agent hooks in a settings.json (see --scope).")
    var claude = false

    @Flag(help: "Register the Codex CLI hooks in a hooks.json, trusted, and the handover skills (see --scope; Codex has user and project).")
    var codex = false

    @Flag(help: "Register the Grok Build hooks in ~/.grok/hooks/handoff.json and the handover skills (see --scope; grok has user and project).")
    var grok = false

    @Flag(help: "Register the Mistral Vibe hooks in a hooks.toml and the handover skills (see --scope; Vibe has user and project).")
    var vibe = false

    @Flag(help: "Register the OpenHands hooks in a hooks.json and the handover skills (see --scope; OpenHands has user and project).")
    var openhands = false

    @Option(help: ArgumentHelp("Which settings file gets the agent hooks: user (~/.claude/settings.json), project (<repo>/.claude/settings.json, meant to be committed: the hooks are named without a path and found on PATH) or local (<repo>/.claude/settings.local.json, this machine only).", valueName: "scope"))
    var scope: ClaudeSettings.Scope = .user

    // "No target flag" keeps meaning --git: the agent hooks are per user, so they are asked for by name.

    @Option(help: ArgumentHelp(
        "The folder holding the handoff executable the hooks run; default: the folder of this handoff executable.",
        valueName: "dir"))
    var binDir: String?

    @Flag(help: "Show what would change, change nothing.")
    var dryRun = false

    func run() throws {
        let context = CLIContext.current()
        if git || (!claude && !codex && !vibe && !openhands && !grok) {
            try installGitHooks(context)
        }
        if claude {
            try AgentHookSettings.install(scope: scope, binDirectory: try binDir ?? ExecutableLocation.folder(), dryRun: dryRun, context: context)
        }
        if codex {
            try CodexHookSettings.install(scope: scope, binDirectory: try binDir ?? ExecutableLocation.folder(), dryRun: dryRun, context: context)
        }
        if grok {
            try GrokHookSettings.install(scope: scope, binDirectory: try binDir ?? ExecutableLocation.folder(), dryRun: dryRun, context: context)
        }
        if vibe {
            try VibeOpenHandsSettings.vibe(install: true, scope: scope, binDirectory: binDir, dryRun: dryRun, context: context)
        }
        if openhands {
            try VibeOpenHandsSettings.openHands(install: true, scope: scope, binDirectory: binDir, dryRun: dryRun, context: context)
        }
    }

    private func installGitHooks(_ context: CLIContext) throws {
        let root = try context.worktreeRoot()
        let binDirectory = try binDir ?? ExecutableLocation.folder()
        let installer = GitHookInstaller(environment: context.environment, dryRun: dryRun)
        let report: GitHookInstaller.Report
        do {
            report = try installer.install(repositoryAt: root, binDirectory: binDirectory)
        } catch {
            printError(error.description)
            switch error {
            case .missingExecutable: throw ExitCode(2)
            case .notARepository, .bareRepository: throw ExitCode(3)
            case .io, .store: throw ExitCode.failure
            }
        }
        emit(GitHookReportText.render(report, verb: "install"))
        if !report.succeeded { throw ExitCode.failure }
        if !dryRun { RepositoryListing.note(root, context: context) }
    }
}

/// The machine's list of opted-in repositories (`RepositoryList`), kept by the CLI.
enum RepositoryListing {
    /// Adds `root`; a list that cannot be written costs only `uninstall --all`'s listing, so it warns.
    static func note(_ root: String, context: CLIContext) {
        do { try RepositoryList.add(root, environment: context.environment) } catch {
            printError("warning: \(error); `handoff uninstall --all` will not list \(root)")
        }
    }

    static func forget(_ root: String, context: CLIContext) {
        do { try RepositoryList.remove(root, environment: context.environment) } catch {
            printError("warning: \(error); \(root) stays in the list of opted-in repositories")
        }
    }
}

/// Where the running `handoff` lives: its hook executables are installed beside it.
enum ExecutableLocation {
    static func folder() throws -> String {
        #if os(Linux)
        if let resolved = FileSystem.realPath("/proc/self/exe") { return Path.dirname(resolved) }
        #endif
        let argument0 = CommandLine.arguments.first ?? ""
        if argument0.contains("/"), let resolved = FileSystem.realPath(argument0) { return Path.dirname(resolved) }
        printError("cannot tell where this handoff executable is; pass --bin-dir with the folder holding handoff-post-commit")
        throw ExitCode(2)
    }
}

/// The report as lines for people.
enum GitHookReportText {
    static func render(_ report: GitHookInstaller.Report, verb: String) -> String {
        var lines: [String] = []
        let origin = report.fromHooksPath ? " (core.hooksPath)" : ""
        lines.append("\(report.dryRun ? "Would \(verb)" : "Git hooks") in \(report.hooksDirectory)\(origin):")
        if let manager = report.manager {
            lines.append(manager == .husky
                ? "  husky runs these hooks; handoff's lines go into husky's scripts, between markers."
                : "  \(manager.rawValue) manages these hooks; handoff does not write into its configuration.")
        }
        for action in report.actions {
            let text = action.description.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
            lines.append("  - \(text)")
        }
        return lines.joined(separator: "\n")
    }
}
