import ArgumentParser
import HandoffKit

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that handoff is installed and working here.",
        discussion: """
            Checks, each with the fix when it fails: the executables are present and run; the git hooks are installed, executable and handoff's in the folder git uses (core.hooksPath honoured); the agent hooks are registered in ~/.claude/settings.json or the repository's .claude/settings.json and point at existing files; the store is valid (state.json parses and validates; unreadable events.jsonl lines are counted); the errors the hooks recorded in the last 7 days (`hook_error` events: which hook, when, the message and the fix); whether libgit2 reads the repository or a shape it cannot read (a split or sparse index, a sparse checkout, sha256) makes every hook run `git status`; the libgit2 version; HANDOFF_DISABLED. Changes nothing.

            Examples:
              handoff doctor
              handoff doctor --json | jq '.checks[] | select(.status == "fail")'

            Exit codes:
              0   every check passed (warnings allowed)
              1   at least one check failed
            """
    )

    @Flag(help: "Print the checks as JSON: {healthy, checks: [{id, status, detail, fix}]}.")
    var json = false

    @Option(help: ArgumentHelp("Where the executables should be; default: the folder of this handoff executable.", valueName: "dir"))
    var binDir: String?

    func run() throws {
        let context = CLIContext.current()
        let binDirectory = try binDir.map { Path.normalize($0, relativeTo: context.workingDirectory) } ?? ExecutableLocation.folder()
        let report = Doctor(environment: context.environment, workingDirectory: context.workingDirectory, binDirectory: binDirectory).run()
        if json {
            emit(report.json.prettyText)
        } else {
            var lines: [String] = []
            for check in report.checks {
                let label: String
                switch check.status {
                case .pass: label = context.paint("ok  ", "32")
                case .warn: label = context.paint("warn", "33")
                case .fail: label = context.paint("FAIL", "31")
                case .skip: label = context.paint("skip", "2")
                }
                // Details quote recorded messages (hook errors): shown escaped, never interpreted by the terminal.
                lines.append("\(label) \(TerminalText.escape(check.id)): \(TerminalText.escape(check.detail))")
                if !check.fix.isEmpty, check.status == .fail || check.status == .warn { lines.append("     fix: \(TerminalText.escape(check.fix))") }
            }
            let failed = report.checks.filter { $0.status == .fail }.count
            lines.append(failed == 0 ? "handoff doctor: all checks passed" : "handoff doctor: \(failed) check\(failed == 1 ? "" : "s") failed")
            emit(lines.joined(separator: "\n"))
        }
        if !report.healthy { throw ExitCode.failure }
    }
}
