import ArgumentParser
import HandoffKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The severities `--severity` takes; anything else is refused with this list.
enum SeverityArgument: String, CaseIterable, ExpressibleByArgument {
    case ready = "READY"
    case inProgress = "IN_PROGRESS"
    case critical = "CRITICAL"

    /// `ready`, `in-progress` and `In_Progress` name the same value as `READY` and `IN_PROGRESS`.
    init?(argument: String) {
        self.init(rawValue: String(argument.uppercased().map { $0 == "-" ? "_" : $0 }))
    }

    var severity: HandoffState.Severity {
        switch self {
        case .ready: return .ready
        case .inProgress: return .inProgress
        case .critical: return .critical
        }
    }
}

struct EndCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "Record a complete handover: archive, health checks, CONTEXT.md, validated state.",
        discussion: """
            The agent (or you) supplies the judgement with flags, as JSON, or both: what was done, what failed and why, blockers, where to resume, watch-outs, session memory, severity. handoff then, in order: archives the current state to .handoff/sessions/<session>.json; holds a lock that tells the stop gate a handover is under way (it dies with this process); runs the detected build, test and lint commands, each once (a command that is the same as an earlier check's is not run again, its result is reused and said so), each under --timeout, with progress on stderr; regenerates CONTEXT.md; merges and validates; writes state.json atomically with source manual-end; and prints the confirmation. Override a check with `git config handoff.check.tests "make test"`, or "none" to skip it. A judgement that breaks the contract is refused with its findings and nothing is written.

            Where the judgement comes from: with no field flag, JSON on stdin (as before); with --from FILE (or --from - for stdin), JSON from there; with field flags only, stdin is not read. Flags and JSON together: a flag replaces the same field of the JSON (a repeated flag's values replace the whole list), fields no flag names are kept. Lists take repeated flags. --done is "DESCRIPTION" or "DESCRIPTION | REF"; --failed is "WHAT | TRIED | ERROR | WHY | NEED" (WHY and NEED may be left out; write a literal bar as \\|). `handoff end --template` prints a commented skeleton of the JSON; lines starting with // are ignored when it is read back.

            Examples:
              handoff end --severity IN_PROGRESS \\
                --done "Add the tokenizer | 3f2a9c1" \\
                --failed "empty input | swift test | out of range | no token | a guard" \\
                --next "Sources/App/Parser.swift:88 handle the empty input case" \\
                --file Sources/App/Parser.swift --watch "fixtures are generated" \\
                --intent "a parser for the config format"
              handoff end --template > handover.json     # fill it in, then:
              handoff end --from handover.json --severity READY    # the flag wins
              echo '{"severity": "READY"}' | handoff end --from - --next "a.md:1 x"
            """
    )

    @Option(name: .customLong("from"), help: "Read the judgement JSON from this file (- for stdin); field flags replace its fields.", completion: .file())
    var fromFile: String?

    @Flag(help: "Print a commented skeleton of the judgement JSON and exit.")
    var template = false

    @Option(name: .customLong("done"), help: ArgumentHelp("Something finished: \"DESCRIPTION\" or \"DESCRIPTION | REF\" (a commit, PR or issue). Repeatable.", valueName: "item"))
    var done: [String] = []

    @Option(name: .customLong("failed"), help: ArgumentHelp("A failure: \"WHAT | TRIED | ERROR | WHY | NEED\" (WHY, the root cause, and NEED may be left out). Repeatable.", valueName: "failure"))
    var failed: [String] = []

    @Option(name: .customLong("blocker"), help: ArgumentHelp("Something that stops the work and is not yours to fix (files a blocker task). Repeatable.", valueName: "text"))
    var blockers: [String] = []

    @Option(help: ArgumentHelp("Where to resume: path:line and the action (resume.next).", valueName: "path:line action"))
    var next: String?

    @Option(name: .customLong("file"), help: ArgumentHelp("A file the next session reads first (resume.files). Repeatable.", valueName: "path"), completion: .file())
    var files: [String] = []

    @Option(help: ArgumentHelp("The reasoning the next session needs (resume.context).", valueName: "text"))
    var context: String?

    @Option(name: .customLong("watch"), help: ArgumentHelp("A gotcha, workaround or edge case found (watch_out_for). Repeatable.", valueName: "text"))
    var watch: [String] = []

    @Option(help: "The honest state: READY (all green, clean), IN_PROGRESS (tests failing, mid-feature) or CRITICAL (build failing). Held to the checks.")
    var severity: SeverityArgument?

    @Option(help: ArgumentHelp("What the user wants, in one paragraph (session_memory.user_intent).", valueName: "text"))
    var intent: String?

    @Option(name: .customLong("correction"), help: ArgumentHelp("A correction the user made (appended to CONTEXT.md). Repeatable.", valueName: "text"))
    var corrections: [String] = []

    @Option(name: .customLong("active-context"), help: ArgumentHelp("Where the work stands: file:line, function, step (session_memory.active_context).", valueName: "text"))
    var activeContext: String?

    @Option(name: .customLong("reference"), help: ArgumentHelp("An issue, document or URL the work depends on (session_memory.key_references). Repeatable.", valueName: "text"))
    var references: [String] = []

    @Option(help: "The session id (default: the agent's own session variable such as $CLAUDE_CODE_SESSION_ID, then $HANDOFF_SESSION_ID; from a shell, a new session of its own, so two runs are two handovers).")
    var session: String?

    @Option(help: "Seconds each health check may run before it is stopped and counted as failed.")
    var timeout: Double = 300

    @Flag(help: "Skip the build, test and lint runs (health is recorded as null).")
    var skipChecks = false

    @Flag(help: "Print the written state as JSON after the confirmation.")
    var json = false

    var flags: HandoffEndFlags {
        var flags = HandoffEndFlags()
        flags.done = done
        flags.failed = failed
        flags.blockers = blockers
        flags.next = next
        flags.files = files
        flags.context = context
        flags.watch = watch
        flags.severity = severity?.severity
        flags.intent = intent
        flags.corrections = corrections
        flags.activeContext = activeContext
        flags.references = references
        return flags
    }

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        if let session, !SessionID.isSafe(session) { throw ValidationError(StoreError.unsafeSessionID(session).description) }
        if let problem = flags.problem() { throw ValidationError(problem) }
    }

    func run() throws {
        if template {
            StandardStreams.write(HandoffEndFlags.template, to: 1)
            return
        }
        let context = CLIContext.current()
        let store = try context.existingStore()
        let flags = self.flags
        // Stdin is read when it is named (--from -) or when no field flag was given (the JSON-only
        // form); flags alone never wait on a stdin nobody writes to.
        var bytes: [UInt8] = []
        var source = "stdin"
        if let fromFile, fromFile != "-" {
            let path = Path.normalize(fromFile, relativeTo: context.workingDirectory)
            source = path
            do {
                bytes = try FileSystem.readBytes(path, limit: 16 * 1024 * 1024, regularOnly: false)
            } catch {
                printError("cannot read \(path): \(error)")
                throw ExitCode(2)
            }
        } else if fromFile == "-" || flags.isEmpty {
            bytes = StandardStreams.readAllInput()
        }
        var judgement: JSONValue = .object(JSONObject())
        let text = HandoffEndFlags.strippingComments(bytes)
        if text.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
            // Nothing to read is fine beside flags; alone it is no handover at all.
            if flags.isEmpty {
                printError("no handover given; pass flags (--next, --done, …), pipe JSON on stdin or pass --from FILE (see `handoff end --help`; `handoff end --template` prints a skeleton); nothing was written")
                throw ExitCode(2)
            }
        } else {
            do {
                judgement = try JSONValue.parse(text)
            } catch {
                printError("the handover in \(source) is not JSON (\(error)); nothing was written")
                throw ExitCode(2)
            }
        }
        if !flags.isEmpty {
            guard let object = judgement.objectValue else {
                printError("the handover JSON is unusable: expected a JSON object, found \(judgement.typeName); nothing was written")
                throw ExitCode(2)
            }
            judgement = .object(flags.apply(to: object))
        }
        StopChecksOnSignal.install()
        let request = HandoffEnd.Request(judgement: judgement, sessionID: session, runChecks: !skipChecks, checkTimeout: timeout)
        let progress = CheckProgress(live: isatty(2) == 1 && context.environment["TERM"] != "dumb")
        do {
            let repository = context.openRepository(store.layout.worktreeRoot)
            let result = try HandoffEnd.perform(request, store: store, repository: repository, environment: context.environment,
                                                progress: progress.report)
            progress.finish()
            for check in result.checks where !check.outcome.succeeded && check.reusedFrom == nil {
                let why = check.outcome.timedOut ? "timed out" : "exit \(check.outcome.exitStatus.map(String.init) ?? "?")"
                printError("\(check.name) failed (\(why)):\n" + check.outcome.outputTail)
            }
            for note in result.notes { printError(note) }
            for warning in result.report.warnings { printError("warning: \(warning.path): \(warning.message)") }
            emit(result.confirmation)
            if let line = ShareCLI.recordEnd(result, store: store, repository: repository, context: context).line { StandardStreams.write(line + "\n", to: 2) }
            if json { emit(result.state.json.prettyText) }
        } catch {
            progress.finish()
            switch error {
            case .unusableJudgement:
                printError(error.description)
                throw ExitCode(2)
            case .invalid, .alreadyRunning:
                printError(error.description)
                throw ExitCode(1)
            case .store:
                printError(error.description)
                throw ExitCode.failure
            }
        }
    }
}

/// Progress of the health checks on stderr: on a terminal one live line (which check, elapsed
/// seconds) rewritten every second and replaced by the check's result; elsewhere (a pipe, a file,
/// an agent's tool) plain lines: one when a check starts, one when it ends, one every 30 s between.
final class CheckProgress {
    let live: Bool
    private var ticker: Ticker?

    init(live: Bool) { self.live = live }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10) + " s" : "\(Int(value)) s"
    }

    func report(_ event: HandoffEnd.Progress) {
        switch event {
        case .checkStarted(let name, let command, let index, let total):
            let label = "[\(index)/\(total)] \(name): \(TerminalText.escape(String(command.prefix(120))))"
            let started = Deadline.monotonicNow()
            if live {
                StandardStreams.write("\r\u{1B}[2K" + label + " …", to: 2)
                ticker = Ticker(interval: 1) {
                    StandardStreams.write("\r\u{1B}[2K" + label + " … " + Self.seconds(Deadline.monotonicNow() - started), to: 2)
                }
            } else {
                StandardStreams.write("handoff: running \(label)\n", to: 2)
                ticker = Ticker(interval: 30) {
                    StandardStreams.write("handoff: still running \(name) (\(Self.seconds(Deadline.monotonicNow() - started)))\n", to: 2)
                }
            }
        case .checkFinished(let name, let outcome):
            ticker?.stop()
            ticker = nil
            let verdict = outcome.succeeded ? "passed" : (outcome.timedOut ? "timed out" : "failed (exit \(outcome.exitStatus.map(String.init) ?? "?"))")
            let line = "\(name) \(verdict) in \(Self.seconds(outcome.durationSeconds))"
            StandardStreams.write(live ? "\r\u{1B}[2K" + line + "\n" : "handoff: \(line)\n", to: 2)
        case .checkReused(let name, let from, let command):
            let line = "\(name): `\(TerminalText.escape(String(command.prefix(120))))` is the same command as \(from): not run again, its result is reused"
            StandardStreams.write(live ? "\r\u{1B}[2K" + line + "\n" : "handoff: \(line)\n", to: 2)
        }
    }

    /// Ends a live line left open (an error before the check finished).
    func finish() {
        ticker?.stop()
        ticker = nil
    }
}

/// An interrupted `handoff end` (SIGTERM from a tool's timeout, Ctrl-C, a closed terminal) stops the
/// check it is running before it dies: the check runs in its own process group, so no signal meant
/// for `handoff end` reaches it otherwise, and it would run on as an orphan. The lock that says
/// "checks are running" dies with the process either way (`HandoffEndRun`). SIGKILL cannot be
/// caught: its check runs to its end, but nothing it does is recorded.
enum StopChecksOnSignal {
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { received in
            let group = CommandRunner.runningGroup
            if group > 0 { kill(-group, SIGTERM) }
            // Then die of the same signal, as if there were no handler.
            signal(received, SIG_DFL)
            raise(received)
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for caught in [SIGTERM, SIGINT, SIGHUP] {
            // Set even where the parent left the signal ignored: an interrupted run must end.
            signal(caught, handler)
            sigaddset(&unblock, caught)
        }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }
}
