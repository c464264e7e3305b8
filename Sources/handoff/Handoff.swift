import ArgumentParser


struct Handoff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Honest, structured handovers between coding-agent sessions.",
        discussion: """
            handoff keeps a per-repository store, .handoff/, that git hooks and agent hooks update as work happens, and that the next session reads to resume.

            Examples:
              handoff init                 create .handoff/ in this repository
              handoff status               the state at a glance
              handoff end --from h.json    record a complete handover
              handoff validate             check state.json against the contract

            Exit codes:
              0   success
              1   a check failed or an operation could not finish
              2   input handoff cannot use (a missing or non-JSON file, a bad id)
              3   no repository or no .handoff/ store here (run `handoff init`)
              64  usage error: an unknown option or an invalid value
            """,
        version: HandoffVersion.current,
        subcommands: [
            InitCommand.self, StatusCommand.self, ValidateCommand.self, EventsCommand.self, ContextCommand.self,
            EndCommand.self, InstallCommand.self, UninstallCommand.self, DoctorCommand.self, RepairCommand.self,
            ShareCommand.self, PushCommand.self, PullCommand.self,
            TaskCommand.self, RememberCommand.self, MCPCommand.self, HookCommand.self,
            ShowCommand.self, LogCommand.self, BriefCommand.self, TimelineCommand.self,
        ]
    )
}
