import ArgumentParser
import HandoffKit

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Follow-up tasks: what a session leaves for the next one.",
        discussion: """
            Tasks live in .handoff/tasks/, one file per task, with ids like ho-3kq9x2m7ta. When a session hands over with a partial or failure outcome, the Framework Reflection's Next step names at least one open task; the stop gate checks that the ids exist.

            Examples:
              handoff task add "Fix the flaky parser test" --body "fails 1 run in 20 on CI"
              handoff task add "Wait for the API key" --blocker
              handoff task list
              handoff task start ho-3kq9x2m7ta
              handoff task done ho-3kq9x2m7ta
            """,
        subcommands: [
            TaskAddCommand.self, TaskListCommand.self, TaskShowCommand.self, TaskStartCommand.self,
            TaskDoneCommand.self, TaskReopenCommand.self, TaskUpdateCommand.self,
        ]
    )
}

/// What the task subcommands share: the store, and one way to report a task error.
enum TaskCLI {
    static func tasks() throws -> (TaskStore, CLIContext) {
        let context = CLIContext.current()
        return (TaskStore(store: try context.existingStore()), context)
    }

    static func fail(_ error: TaskError) -> ExitCode {
        printError(error.description)
        switch error {
        case .notFound, .invalidID, .unknownBlocker, .emptyTitle, .tooLarge: return ExitCode(2)
        case .damaged, .store: return ExitCode.failure
        }
    }

    static func validateIDs(_ ids: [String], option: String) throws {
        for id in ids where !TaskID.isValid(id) {
            throw ValidationError("\(option) \(id): not a task id (ho- followed by letters and digits); `handoff task list` shows the ids")
        }
    }

    static func reportDamaged(_ listing: TaskStore.Listing) {
        for damaged in listing.damaged {
            printError("moved a damaged task file aside to \(TerminalText.escape(damaged.file)) (\(TerminalText.escape(damaged.reason)))")
        }
        if !listing.leftOut.isEmpty {
            printError("\(listing.leftOut.count) task files were not read: a listing reads at most \(TaskStore.maxTasks) (the first by id); close or move old tasks out of .handoff/tasks/")
        }
    }
}

struct TaskAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a task and print its id.",
        discussion: """
            The session and agent that create the task are recorded when the environment names them ($HANDOFF_SESSION_ID, which handoff's session hook exports into the agent's shell).

            Examples:
              handoff task add "Fix the flaky parser test"
              handoff task add "Deploy once the key arrives" --label deploy \\
                --blocked-by ho-3kq9x2m7ta
              id=$(handoff task add "Wait for the API key" --blocker)
              handoff task add "Rename the config keys" --json
            """
    )

    @Argument(help: "What is left to do, in one line.")
    var title: String

    @Option(help: "More detail: the error, the file and line, what was tried.")
    var body: String?

    @Flag(help: "Label the task as a blocker (something outside this session's control).")
    var blocker = false

    @Option(name: .customLong("blocked-by"), help: "A task that must be done first (repeatable).")
    var blockedBy: [String] = []

    @Option(help: "A label (repeatable).")
    var label: [String] = []

    @Flag(help: "Print the task as a JSON object (with its id) instead of the id alone.")
    var json = false

    func validate() throws {
        if title.trimmed.isEmpty { throw ValidationError("the title is empty; say what is left to do") }
        try TaskCLI.validateIDs(blockedBy, option: "--blocked-by")
    }

    func run() throws {
        let (tasks, context) = try TaskCLI.tasks()
        var labels = label
        if blocker { labels.insert(HandoffTask.Label.blocker, at: 0) }
        let draft = TaskDraft(title: title, body: body ?? "", blockedBy: blockedBy, labels: labels,
                              session: SessionIdentity.fromEnvironment(context.environment),
                              agent: SessionIdentity.agent(environment: context.environment))
        do {
            let task = try tasks.add(draft)
            emit(json ? task.json.prettyText : task.id)
        } catch {
            throw TaskCLI.fail(error)
        }
    }
}

struct TaskListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List open tasks (with --all, done ones too).",
        discussion: """
            Open means not done: open, in progress or blocked. A task whose blocked_by tasks are not all done is shown as blocked, with what blocks it. Resume tasks come first.

            Examples:
              handoff task list
              handoff task list --all --json | jq '.[] | select(.status == "done") | .id'
            """
    )

    @Flag(help: "Include done tasks.")
    var all = false

    @Flag(help: "Print a JSON array of tasks; each has `open_blockers`, the ids that still block it.")
    var json = false

    func run() throws {
        let (tasks, _) = try TaskCLI.tasks()
        let listing = tasks.list()
        TaskCLI.reportDamaged(listing)
        let shown = all ? listing.tasks : listing.openInBriefOrder
        if json {
            emit(JSONValue.array(shown.map { task in
                guard case .object(var object) = task.json else { return task.json }
                object["open_blockers"] = JSONValue(listing.openBlockers(of: task))
                return .object(object)
            }).prettyText)
            return
        }
        guard !shown.isEmpty else {
            emit(all ? "No tasks yet. Create one: handoff task add \"what is left to do\"" : "No open tasks.")
            return
        }
        emit(shown.map { TerminalText.escape(TaskFormatter.line($0, listing: listing)) }.joined(separator: "\n"))
    }
}

struct TaskShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one task.",
        discussion: """
            Examples:
              handoff task show ho-3kq9x2m7ta
              handoff task show ho-3kq9x2m7ta --json
            """
    )

    @Argument(help: "The task's id.")
    var id: String

    @Flag(help: "Print the task as JSON.")
    var json = false

    func validate() throws { try TaskCLI.validateIDs([id], option: "ID") }

    func run() throws {
        let (tasks, _) = try TaskCLI.tasks()
        let listing = tasks.list()
        TaskCLI.reportDamaged(listing)
        guard let task = listing.task(id) else { throw TaskCLI.fail(.notFound(id: id)) }
        emit(json ? task.json.prettyText : TerminalText.escapeKeepingLines(TaskFormatter.details(task, listing: listing)))
    }
}

/// start, done and reopen: one status change each.
protocol TaskStatusCommand: ParsableCommand {
    var id: String { get }
    static var target: HandoffTask.Status { get }
}

extension TaskStatusCommand {
    func validate() throws { try TaskCLI.validateIDs([id], option: "ID") }

    func run() throws {
        let (tasks, _) = try TaskCLI.tasks()
        do {
            let task = try tasks.update(id) { $0.status = Self.target }
            emit("\(task.id)  \(task.status.rawValue)  \(TerminalText.escape(task.title))")
        } catch {
            throw TaskCLI.fail(error)
        }
    }
}

struct TaskStartCommand: TaskStatusCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Mark a task in progress.",
        discussion: "Example:\n  handoff task start ho-3kq9x2m7ta")
    static let target = HandoffTask.Status.inProgress
    @Argument(help: "The task's id.") var id: String
}

struct TaskDoneCommand: TaskStatusCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Mark a task done.",
        discussion: "Tasks it blocked are no longer blocked by it.\n\nExample:\n  handoff task done ho-3kq9x2m7ta")
    static let target = HandoffTask.Status.done
    @Argument(help: "The task's id.") var id: String
}

struct TaskReopenCommand: TaskStatusCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen", abstract: "Open a task again.",
        discussion: "Example:\n  handoff task reopen ho-3kq9x2m7ta")
    static let target = HandoffTask.Status.open
    @Argument(help: "The task's id.") var id: String
}

struct TaskUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a task's title, body, status, labels or blockers.",
        discussion: """
            Examples:
              handoff task update ho-3kq9x2m7ta --append "parser done, printer next"
              handoff task update ho-3kq9x2m7ta --status blocked --blocked-by ho-8m2x0c4d1e
              handoff task update ho-3kq9x2m7ta --remove-label blocker \\
                --unblock ho-8m2x0c4d1e
            """
    )

    @Argument(help: "The task's id.")
    var id: String

    @Option(help: "A new title.")
    var title: String?

    @Option(help: "A new body (replaces the old one).")
    var body: String?

    @Option(help: "Text added to the end of the body, on a new line.")
    var append: String?

    @Option(help: "open, in_progress, blocked or done.")
    var status: String?

    @Option(name: .customLong("label"), help: "Add a label (repeatable).")
    var addLabels: [String] = []

    @Option(name: .customLong("remove-label"), help: "Remove a label (repeatable).")
    var removeLabels: [String] = []

    @Option(name: .customLong("blocked-by"), help: "Add a task that must be done first (repeatable).")
    var blockedBy: [String] = []

    @Option(help: "Remove a task from blocked_by (repeatable).")
    var unblock: [String] = []

    @Flag(help: "Print the task as JSON.")
    var json = false

    func validate() throws {
        try TaskCLI.validateIDs([id], option: "ID")
        try TaskCLI.validateIDs(blockedBy, option: "--blocked-by")
        if let status, HandoffTask.Status(rawValue: status) == nil {
            throw ValidationError("--status \(status): use one of open, in_progress, blocked, done")
        }
        if title == nil, body == nil, append == nil, status == nil, addLabels.isEmpty, removeLabels.isEmpty, blockedBy.isEmpty, unblock.isEmpty {
            throw ValidationError("nothing to change; give --title, --body, --append, --status, --label, --remove-label, --blocked-by or --unblock")
        }
    }

    func run() throws {
        let (tasks, _) = try TaskCLI.tasks()
        do {
            let task = try tasks.update(id) { task in
                if let title { task.title = title }
                if let body { task.body = body }
                if let append { task.body = task.body.isEmpty ? append : task.body + "\n" + append }
                if let status, let value = HandoffTask.Status(rawValue: status) { task.status = value }
                task.labels = task.labels.filter { !removeLabels.contains($0) } + addLabels
                task.blockedBy = task.blockedBy.filter { !unblock.contains($0) } + blockedBy
            }
            emit(json ? task.json.prettyText : "\(task.id)  \(task.status.rawValue)  \(TerminalText.escape(task.title))")
        } catch {
            throw TaskCLI.fail(error)
        }
    }
}

struct RememberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remember",
        abstract: "Keep a discovery for later sessions (CONTEXT.md and the resume brief).",
        discussion: """
            Discoveries go to .handoff/memory.jsonl and to the generated Discoveries block of .handoff/CONTEXT.md; the next session's brief shows the latest. The same text remembered twice is kept once.

            Examples:
              handoff remember "Tests/Data is generated by scripts/fixtures.sh" --tag tests
              handoff remember "CI has 2 cores: stress tests need their time limits"
            """
    )

    @Argument(help: "The discovery, in one or two sentences.")
    var text: String

    @Option(help: "A tag (repeatable).")
    var tag: [String] = []

    func validate() throws {
        if text.trimmed.isEmpty { throw ValidationError("nothing to remember; say what the next session should know") }
    }

    func run() throws {
        let context = CLIContext.current()
        let store = try context.existingStore()
        let memories = MemoryStore(store: store)
        do {
            let session = SessionIdentity.fromEnvironment(context.environment)
            let (memory, isNew) = try memories.remember(text, tags: tag, session: session)
            if isNew {
                try? store.append(Event(type: EventType.memory, session: session, [("id", .string(memory.id)), ("tags", JSONValue(memory.tags))]))
            }
            do {
                try ContextRegenerator.refreshMemories(store: store)
            } catch {
                printError("remembered, but CONTEXT.md was not updated: \(error)")
            }
            emit(isNew ? "Remembered (\(memory.id))." : "Already remembered (\(memory.id)).")
        } catch {
            printError(error.description)
            switch error {
            case .empty, .tooLong: throw ExitCode(2)
            case .store: throw ExitCode.failure
            }
        }
    }
}

extension String {
    var trimmed: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
