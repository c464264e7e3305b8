import ArgumentParser
import HandoffKit

extension HookName: ExpressibleByArgument {}

/// `handoff hook <name>`. A valid name never reaches this command: main runs the hook before the
/// parser (see main.swift); this is the help, and the one-line error for a name that is not a hook.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run one of handoff's hooks (what the installed hook entries call).",
        discussion: """
            Hooks: stop-gate, compact, session (Claude Code's and Codex's Stop, PreCompact, SessionStart, SessionEnd, PostToolUse), post-commit, post-merge, pre-push (git's). The hook reads its input as the agent or git gives it (a JSON payload on stdin, git's arguments and stdin) and answers as that caller expects; `--agent codex` after the name says that Codex runs it.

            Started under a hook's old executable name (handoff-stop-gate, handoff-compact, handoff-session, handoff-post-commit, handoff-pre-push: links to handoff that installs keep), handoff runs that hook the same way, so registrations written by earlier installs keep working.

            Examples:
              echo '{"hook_event_name":"SessionStart","source":"startup","session_id":"s1"}' | handoff hook session
              handoff hook stop-gate --agent codex < payload.json
            """
    )

    @Argument(help: ArgumentHelp("The hook: stop-gate, compact, session, post-commit, post-merge or pre-push.", valueName: "name"))
    var name: HookName

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the hook (git's, or --agent codex).", valueName: "arguments"))
    var arguments: [String] = []

    func run() throws {
        HookEntry.run(name, input: HookInput.fromProcess(arguments: arguments))
    }
}
