import ArgumentParser
import HandoffKit

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show a session's commits, pushes, blocks, compactions and handovers on a time axis.",
        discussion: """
            One lane per kind of moment (commits, pushes, stop-gate blocks, sessions let through, compactions, handovers, and failures of tool runs, health checks and handoff's own hooks), placed by time between the session's first and last recorded event, then each moment on its own line. Times are UTC, as the event log records them. Without SESSION, the session that recorded the newest event.

            With --html FILE, writes the same timeline as one self-contained web page (inline style and SVG; it loads nothing and runs no script) for reading in a browser or attaching to a review.

            Examples:
              handoff timeline
              handoff timeline 3f2a9c1e-7d4b-4e0a-9a51-2c8f0b6d1e77
              handoff timeline --json | jq '.marks[] | select(.kind == "block")'
              handoff timeline --html timeline.html
            """
    )

    @Argument(help: "The session to show (default: the session that recorded the newest event).")
    var session: String?

    @Flag(help: "Print the timeline as one JSON object (each mark with its event as recorded).")
    var json = false

    @Option(help: ArgumentHelp("Write the timeline as a self-contained HTML page to this file.", valueName: "file"),
            completion: .file(extensions: ["html"]))
    var html: String?

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let timeline: SessionTimeline.Timeline?
        do {
            timeline = try SessionTimeline.build(store: store, session: session)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        if let timeline, timeline.skippedLines > 0 {
            printError("skipped \(timeline.skippedLines) line\(timeline.skippedLines == 1 ? "" : "s") that are not events (a torn or hand-edited log); `handoff doctor` checks the store")
        }
        guard let timeline else {
            if json { emit("null") } else {
                emit("no session recorded yet in this worktree (the agent hooks record one once a session starts here)")
            }
            if html != nil { printError("no page written: there is no session to show") ; throw ExitCode(1) }
            return
        }
        if let html {
            let path = Path.normalize(html, relativeTo: context.workingDirectory)
            do {
                try FileSystem.writeText(SessionTimeline.html(timeline, generatedAt: .now()), to: path, mode: 0o644)
            } catch {
                printError("cannot write \(path): \(error); choose a writable path")
                throw ExitCode(1)
            }
            if !json { emit("wrote \(TerminalText.escape(path))") }
        }
        if json {
            emit(SessionTimeline.json(timeline).compactText)
        } else if html == nil {
            emit(SessionTimeline.text(timeline, width: terminalWidth(context), paint: context.paint))
        }
    }

    /// COLUMNS when it is a number, else 80; at most 160 so that the axis stays readable.
    func terminalWidth(_ context: CLIContext) -> Int {
        guard let columns = context.environment["COLUMNS"].flatMap(Int.init), columns > 0 else { return 80 }
        return min(columns, 160)
    }
}
