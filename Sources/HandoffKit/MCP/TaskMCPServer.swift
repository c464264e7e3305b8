/// `handoff mcp`: a Model Context Protocol server on stdio, so that an agent files follow-ups and
/// discoveries as tool calls (`create_task`, `update_task`, `list_tasks`, `store_memory`).
///
/// Hand-written JSON-RPC 2.0 over newline-delimited JSON, on HandoffKit's own JSON: the official
/// Swift SDK builds in about 77 s on 2 cores, needs swift-tools-version 6.1 and Foundation, and its
/// server starts no faster; this needs nothing the CLI does not already link. One request in, one
/// response out (none for notifications); every call goes through the same task and memory stores
/// as the CLI (lock, atomic writes, redaction).
package final class TaskMCPServer {
    package static let protocolVersions = ["2025-06-18", "2025-03-26", "2024-11-05"]

    let root: String?
    let environment: Environment
    let version: String
    /// The client's name from `initialize` (`claude-code`), recorded as the agent of tasks it files.
    var clientName: String?

    package init(root: String?, environment: Environment, version: String) {
        self.root = root
        self.environment = environment
        self.version = version
    }

    enum RPCError: Int {
        case parse = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
    }

    /// One line of input → one line of output (nil for a notification, a client's response or a
    /// blank line), as JSON-RPC 2.0 specifies: a line that is not JSON is -32700; a message that is
    /// not a request object (a bare value, `jsonrpc` other than "2.0", a missing or non-string
    /// method, an id that is neither a string nor a number, params neither object nor array) is
    /// -32600, with its id echoed only when the id itself is valid; ill-typed params are -32602.
    package func handle(line: [UInt8]) -> String? {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
        guard let message = try? JSONValue.parse(line) else { return error(id: .null, .parse, "the line is not JSON") }
        guard let object = message.objectValue else {
            if case .array = message { return error(id: .null, .invalidRequest, "batches are not supported (MCP sends one message a line)") }
            return error(id: .null, .invalidRequest, "a request is a JSON object, not \(message.typeName)")
        }
        // A valid id is a string or a number (MCP: never null); anything else is not echoed.
        let rawID = object["id"]
        let validID: JSONValue? = rawID.flatMap { id in
            switch id {
            case .string, .int: return id
            default: return nil
            }
        }
        let echo = validID ?? .null
        // A response from the client (we send no requests): nothing to answer.
        if object["method"] == nil, object["result"] != nil || object["error"] != nil, object["jsonrpc"]?.stringValue == "2.0" { return nil }
        guard object["jsonrpc"]?.stringValue == "2.0" else {
            return error(id: echo, .invalidRequest, "\"jsonrpc\" must be \"2.0\"\(object["jsonrpc"].map { ", not \($0.compactText.prefix(20))" } ?? " (missing)")")
        }
        guard let methodValue = object["method"] else { return error(id: echo, .invalidRequest, "the request has no \"method\"") }
        guard let method = methodValue.stringValue else { return error(id: echo, .invalidRequest, "\"method\" must be a string, not \(methodValue.typeName)") }
        if let rawID, validID == nil {
            return error(id: .null, .invalidRequest, "\"id\" must be a string or an integer, not \(rawID.typeName)")
        }
        let paramsValue = object["params"]
        if let paramsValue, paramsValue.objectValue == nil, paramsValue.arrayValue == nil {
            return error(id: echo, .invalidRequest, "\"params\" must be an object or an array, not \(paramsValue.typeName)")
        }
        guard let id = validID else { return nil }  // a notification (`notifications/initialized`, …)
        if let paramsValue, paramsValue.objectValue == nil {
            return error(id: id, .invalidParams, "MCP's params are an object (by name), not an array")
        }
        let params = paramsValue?.objectValue ?? JSONObject()
        switch method {
        case "initialize":
            if let bad = Self.typeProblem(params, ["protocolVersion": .string, "clientInfo": .object, "capabilities": .object]) {
                return error(id: id, .invalidParams, "initialize: \(bad)")
            }
            clientName = params["clientInfo"]?["name"]?.stringValue.map { String($0.prefix(64)) }
            let asked = params["protocolVersion"]?.stringValue ?? Self.protocolVersions[0]
            let chosen = Self.protocolVersions.contains(asked) ? asked : Self.protocolVersions[0]
            return result(id: id, .object(JSONObject([
                ("protocolVersion", .string(chosen)),
                ("capabilities", ["tools": ["listChanged": false]]),
                ("serverInfo", ["name": "handoff", "version": .string(version)]),
                ("instructions", .string("File every piece of outstanding work as a task with create_task before you hand over, and name the task ids in the Framework Reflection's Next step; handoff's stop gate checks that they exist.")),
            ])))
        case "ping":
            return result(id: id, .object(JSONObject()))
        case "tools/list":
            return result(id: id, ["tools": .array(Self.tools)])
        case "tools/call":
            guard let name = params["name"]?.stringValue else { return error(id: id, .invalidParams, "tools/call needs a tool name (a string)") }
            guard let spec = Self.argumentTypes[name] else {
                return error(id: id, .invalidParams, "unknown tool \(String(name.prefix(64))); the tools are create_task, update_task, list_tasks, store_memory")
            }
            if let given = params["arguments"], given.objectValue == nil {
                return error(id: id, .invalidParams, "tools/call: \"arguments\" must be an object, not \(given.typeName)")
            }
            let arguments = params["arguments"]?.objectValue ?? JSONObject()
            if let bad = Self.argumentProblem(arguments, spec) { return error(id: id, .invalidParams, "\(name): \(bad)") }
            return result(id: id, call(name, arguments))
        default:
            return error(id: id, .methodNotFound, "method \(String(method.prefix(64))) is not supported (initialize, ping, tools/list, tools/call)")
        }
    }

    enum ArgumentType: Equatable {
        case string, boolean, strings, object
    }

    /// Each tool's arguments and their types, as its input schema says; `required` ones must be there.
    static let argumentTypes: [String: (types: [String: ArgumentType], required: [String])] = [
        "create_task": (["title": .string, "body": .string, "blocker": .boolean, "blocked_by": .strings, "labels": .strings], ["title"]),
        "update_task": (["id": .string, "status": .string, "title": .string, "body": .string, "add_labels": .strings, "blocked_by": .strings], ["id"]),
        "list_tasks": (["all": .boolean], []),
        "store_memory": (["content": .string, "tags": .strings], ["content"]),
    ]

    static func matches(_ value: JSONValue, _ type: ArgumentType) -> Bool {
        switch type {
        case .string: return value.stringValue != nil
        case .boolean: return value.boolValue != nil
        case .object: return value.objectValue != nil
        case .strings: return value.arrayValue?.allSatisfy { $0.stringValue != nil } == true
        }
    }

    static func describe(_ type: ArgumentType) -> String {
        switch type {
        case .string: return "a string"
        case .boolean: return "true or false"
        case .object: return "an object"
        case .strings: return "an array of strings"
        }
    }

    /// What is wrong with optional typed fields of `params`, nil when nothing.
    static func typeProblem(_ params: JSONObject, _ types: [String: ArgumentType]) -> String? {
        for (key, type) in types.sorted(by: { $0.key < $1.key }) {
            if let value = params[key], !value.isNull, !matches(value, type) { return "\"\(key)\" must be \(describe(type)), not \(value.typeName)" }
        }
        return nil
    }

    /// Arguments checked against the tool's schema (no coercion: `"blocker": "yes"` is refused, not read as false).
    static func argumentProblem(_ arguments: JSONObject, _ spec: (types: [String: ArgumentType], required: [String])) -> String? {
        for key in spec.required where arguments[key] == nil || arguments[key]?.isNull == true {
            return "\"\(key)\" is required"
        }
        for (key, value) in arguments.pairs {
            guard let type = spec.types[key] else {
                return "unknown argument \"\(String(key.prefix(40)))\" (the schema allows \(spec.types.keys.sorted().joined(separator: ", ")))"
            }
            if !matches(value, type) { return "\"\(key)\" must be \(describe(type)), not \(value.typeName)" }
        }
        return nil
    }

    func result(id: JSONValue, _ value: JSONValue) -> String {
        JSONValue.object(JSONObject([("jsonrpc", "2.0"), ("id", id), ("result", value)])).compactText
    }

    func error(id: JSONValue, _ code: RPCError, _ message: String) -> String {
        JSONValue.object(JSONObject([
            ("jsonrpc", "2.0"), ("id", id), ("error", ["code": .int(code.rawValue), "message": .string(message)]),
        ])).compactText
    }

    // MARK: Tools

    static func schema(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        .object(JSONObject([
            ("type", "object"), ("properties", .object(JSONObject(properties))), ("required", JSONValue(required)),
            ("additionalProperties", false),
        ]))
    }

    static let stringArray: JSONValue = ["type": "array", "items": ["type": "string"]]

    static let tools: [JSONValue] = [
        .object(JSONObject([
            ("name", "create_task"),
            ("description", "File a follow-up task in this repository's handoff store (.handoff/tasks/) and get its id (ho-…). Use it for every piece of outstanding work before handing over; name the ids in the Framework Reflection's Next step."),
            ("inputSchema", schema([
                ("title", ["type": "string", "description": "What is left to do, in one line."]),
                ("body", ["type": "string", "description": "Details: the exact error, file:line, what was tried."]),
                ("blocker", ["type": "boolean", "description": "True for something outside this session's control."]),
                ("blocked_by", stringArray), ("labels", stringArray),
            ], required: ["title"])),
        ])),
        .object(JSONObject([
            ("name", "update_task"),
            ("description", "Change a task: status (open, in_progress, blocked, done), title, body (a progress checkpoint), labels, blocked_by."),
            ("inputSchema", schema([
                ("id", ["type": "string"]),
                ("status", ["type": "string", "enum": ["open", "in_progress", "blocked", "done"]]),
                ("title", ["type": "string"]), ("body", ["type": "string"]),
                ("add_labels", stringArray), ("blocked_by", stringArray),
            ], required: ["id"])),
        ])),
        .object(JSONObject([
            ("name", "list_tasks"),
            ("description", "List this repository's open tasks (resume tasks first; blocked ones with what blocks them). all=true includes done tasks."),
            ("inputSchema", schema([("all", ["type": "boolean"])], required: [])),
        ])),
        .object(JSONObject([
            ("name", "store_memory"),
            ("description", "Remember a discovery for later sessions (CONTEXT.md and the next session's brief). The same text is kept once."),
            ("inputSchema", schema([("content", ["type": "string"]), ("tags", stringArray)], required: ["content"])),
        ])),
    ]

    /// A tool result: text for the model. (No `structuredContent`: a client may show the model that
    /// instead of the text, and the text is what names the new id in words the model repeats.)
    func toolResult(_ text: String, structured: JSONValue? = nil, isError: Bool = false) -> JSONValue {
        .object(JSONObject([("content", [["type": "text", "text": .string(text)]]), ("isError", .bool(isError))]))
    }

    func store() -> HandoffStore? {
        guard let root else { return nil }
        let store = HandoffStore(worktreeRoot: root)
        return store.exists ? store : nil
    }

    func call(_ name: String, _ arguments: JSONObject) -> JSONValue {
        guard let store = store() else {
            return toolResult("No handoff store here (\(root ?? "not inside a git repository")); run `handoff init` in the repository first.", isError: true)
        }
        let tasks = TaskStore(store: store)
        func strings(_ key: String) -> [String] { (arguments[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        // Claude Code starts its MCP servers with CLAUDE_CODE_SESSION_ID set to the session's id
        // (observed with 2.1.327), so the one resolver names the session that files the task.
        let origin = SessionIdentity.origin(environment: environment)
        let session = origin.session
        do {
            switch name {
            case "create_task":
                guard let title = arguments["title"]?.stringValue else { return toolResult("create_task needs a title.", isError: true) }
                var labels = strings("labels")
                if arguments["blocker"]?.boolValue == true { labels.insert(HandoffTask.Label.blocker, at: 0) }
                let task = try tasks.add(TaskDraft(
                    title: title, body: arguments["body"]?.stringValue ?? "", blockedBy: strings("blocked_by"), labels: labels,
                    session: session, agent: origin.agent ?? clientName.map { AgentKind(name: $0)?.rawValue ?? $0 }))
                return toolResult("Created task \(task.id): \(task.title)", structured: task.json)
            case "update_task":
                guard let id = arguments["id"]?.stringValue else { return toolResult("update_task needs an id.", isError: true) }
                var status: HandoffTask.Status?
                if let text = arguments["status"]?.stringValue {
                    guard let value = HandoffTask.Status(rawValue: text) else {
                        return toolResult("status \"\(text)\" is not one of open, in_progress, blocked, done.", isError: true)
                    }
                    status = value
                }
                let task = try tasks.update(id) { task in
                    if let status { task.status = status }
                    if let title = arguments["title"]?.stringValue { task.title = title }
                    if let body = arguments["body"]?.stringValue { task.body = body }
                    task.labels += strings("add_labels")
                    task.blockedBy += strings("blocked_by")
                }
                return toolResult("Updated task \(task.id) (\(task.status.rawValue)): \(task.title)", structured: task.json)
            case "list_tasks":
                let listing = tasks.list()
                let shown = arguments["all"]?.boolValue == true ? listing.tasks : listing.openInBriefOrder
                let text = shown.isEmpty ? "No open tasks." : shown.map { TaskFormatter.line($0, listing: listing) }.joined(separator: "\n")
                return toolResult(text, structured: ["tasks": .array(shown.map(\.json))])
            case "store_memory":
                guard let content = arguments["content"]?.stringValue else { return toolResult("store_memory needs content.", isError: true) }
                let (memory, isNew) = try MemoryStore(store: store).remember(content, tags: strings("tags"), session: session)
                if isNew {
                    try? store.append(Event(type: EventType.memory, session: session, [("id", .string(memory.id)), ("tags", JSONValue(memory.tags))]))
                }
                _ = try? ContextRegenerator.refreshMemories(store: store)
                return toolResult(isNew ? "Remembered (\(memory.id))." : "Already remembered (\(memory.id)).", structured: memory.json)
            default:
                return toolResult("Unknown tool \(name); the tools are create_task, update_task, list_tasks, store_memory.", isError: true)
            }
        } catch let error as TaskError {
            var text = error.description
            if case .notFound = error { text += ". Open tasks: " + TaskFormatter.openSummary(tasks.list()) }
            return toolResult(text, isError: true)
        } catch {
            return toolResult("\(error)", isError: true)
        }
    }

    // MARK: The loop

    /// Reads newline-delimited requests from `input` until end of file, answering each on `output`.
    package func serve(input: Int32 = 0, output: Int32 = 1) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                break
            }
            if got == 0 { break }
            pending.append(contentsOf: buffer[0..<got])
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if let response = handle(line: line) { StandardStreams.write(response + "\n", to: output) }
            }
            // A single request larger than this is refused rather than buffered without end.
            if pending.count > 16 * 1024 * 1024 {
                pending.removeAll()
                StandardStreams.write(error(id: .null, .invalidRequest, "request larger than 16 MiB") + "\n", to: output)
            }
        }
        if let response = handle(line: pending) { StandardStreams.write(response + "\n", to: output) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
