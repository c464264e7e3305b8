import ArgumentParser
import HandoffKit

struct EndCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "Record a complete handover: archive, health checks, CONTEXT.md, validated state.",
        discussion: """
            The agent (or you) supplies the judgement as JSON on stdin or with --from: any of done, failed, blockers, resume, watch_out_for, session_memory, severity. handoff then, in order: archives the current state to .handoff/sessions/<session>.json; marks the handover under way; runs the detected build, test and lint commands (each under --timeout; override a command with `git config handoff.check.tests "make test"`, or "none" to skip it); regenerates CONTEXT.md; merges and validates; writes state.json atomically with source manual-end; and prints the confirmation. A judgement that breaks the contract is refused with its findings and nothing is written.

            Example:
              handoff end --from handover.json
              cat <<'JSON' | handoff end
              {"severity": "IN_PROGRESS",
               "resume": {
                 "next": "Sources/App/Parser.swift:88 handle the empty input",
                 "files": ["Sources/App/Parser.swift"],
                 "context": "the tokenizer is done"},
               "failed": [],
               "watch_out_for": ["the fixtures are generated; do not edit them"]}
              JSON
            """
    )

    @Option(name: .customLong("from"), help: "Read the judgement JSON from this file instead of stdin.", completion: .file())
    var fromFile: String?

    @Option(help: "The session id (default: the agent's own session variable such as $CLAUDE_CODE_SESSION_ID, then $HANDOFF_SESSION_ID, then the state's).")
    var session: String?

    @Option(help: "Seconds each health check may run before it is stopped and counted as failed.")
    var timeout: Double = 300

    @Flag(help: "Skip the build, test and lint runs (health is recorded as null).")
    var skipChecks = false

    @Flag(help: "Print the written state as JSON after the confirmation.")
    var json = false

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        if let session, !SessionID.isSafe(session) { throw ValidationError(StoreError.unsafeSessionID(session).description) }
    }

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let bytes: [UInt8]
        if let fromFile {
            let path = Path.normalize(fromFile, relativeTo: context.workingDirectory)
            do {
                bytes = try FileSystem.readBytes(path, limit: 16 * 1024 * 1024)
            } catch {
                printError("cannot read \(path): \(error)")
                throw ExitCode(2)
            }
        } else {
            bytes = StandardStreams.readAllInput()
        }
        let judgement: JSONValue
        do {
            judgement = try JSONValue.parse(bytes)
        } catch {
            printError(bytes.isEmpty
                ? "no handover JSON given; pipe it on stdin or pass --from FILE (see `handoff end --help`)"
                : "the handover is not JSON (\(error)); nothing was written")
            throw ExitCode(2)
        }
        let request = HandoffEnd.Request(judgement: judgement, sessionID: session, runChecks: !skipChecks, checkTimeout: timeout)
        do {
            let repository = context.openRepository(store.layout.worktreeRoot)
            let result = try HandoffEnd.perform(request, store: store, repository: repository, environment: context.environment)
            for check in result.checks where !check.outcome.succeeded {
                let why = check.outcome.timedOut ? "timed out" : "exit \(check.outcome.exitStatus.map(String.init) ?? "?")"
                printError("\(check.name) failed (\(why)):\n" + check.outcome.outputTail)
            }
            for note in result.notes { printError(note) }
            for warning in result.report.warnings { printError("warning: \(warning.path): \(warning.message)") }
            emit(result.confirmation)
            if let line = ShareCLI.recordEnd(result, store: store, repository: repository, context: context).line { StandardStreams.write(line + "\n", to: 2) }
            if json { emit(result.state.json.prettyText) }
        } catch {
            switch error {
            case .unusableJudgement:
                printError(error.description)
                throw ExitCode(2)
            case .invalid:
                printError(error.description)
                throw ExitCode(1)
            case .store:
                printError(error.description)
                throw ExitCode.failure
            }
        }
    }
}
