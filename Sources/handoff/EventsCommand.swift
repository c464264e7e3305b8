import ArgumentParser
import HandoffKit

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show recorded events (commits, pushes, tool runs, stops, handovers).",
        discussion: """
            Reads .handoff/events.jsonl from its end: the cost does not grow with the size of the log. With --all, rotated logs in .handoff/sessions/ are read too. Lines that are not events are skipped and counted on stderr.

            Examples:
              handoff events --tail 30
              handoff events --type commit --json
            """
    )

    @Option(help: "How many of the latest events to show.")
    var tail = 20

    @Option(help: "Only events of this type.")
    var type: EventKind?

    @Flag(help: "Read every event, including rotated logs, instead of the tail.")
    var all = false

    @Flag(help: "Print one JSON object per line (the log's own format).")
    var json = false

    func validate() throws {
        if tail < 0 { throw ValidationError("--tail must be 0 or more") }
    }

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let result: EventReadResult
        if all {
            var everything = store.events.readAll(includeRotated: true)
            if let type { everything.events = everything.events.filter { $0.type == type.rawValue } }
            result = everything
        } else {
            let wanted = type?.rawValue
            result = store.events.tail(tail, matching: wanted.map { name in { $0.type == name } })
        }
        var lines: [String] = []
        for event in result.events {
            lines.append(json ? event.json.compactText : EventFormatter.line(event, paint: context.paint))
        }
        if !lines.isEmpty { emit(lines.joined(separator: "\n")) }
        if let why = result.unreadable {
            // Not "no events": the log is there and could not be read.
            printError("the event log could not be read (\(TerminalText.escape(why))); `handoff doctor` checks the store")
            throw ExitCode(1)
        }
        if result.skippedLines > 0 {
            printError("skipped \(result.skippedLines) line\(result.skippedLines == 1 ? "" : "s") that are not events (a torn or hand-edited log); `handoff doctor` checks the store")
        }
    }
}

/// `--type` takes the recorded types only; anything else is a usage error listing them (exit 64).
extension EventKind: ExpressibleByArgument {}
