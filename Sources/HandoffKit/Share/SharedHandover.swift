/// One handover as it travels: the small tree committed to `refs/handoff/<branch>`.
///
/// Files: `origin.json` (where and when it was made), `state.json`, `CONTEXT.md`, `reflection.md`
/// (for a reflection), `tasks.json` (open and recently closed tasks, when the store has any). Never
/// `events.jsonl`, tool commands, transcripts or runtime files; every text passes the `Redactor` here,
/// before anything is written to the object database.
package struct SharedHandover: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable {
        case reflection
        case handoffEnd = "handoff-end"
        case snapshot
        /// A merge commit of two clones' histories (its files are the newest handover's).
        case merge
    }

    /// Where and when a handover was made.
    package struct Origin: Sendable, Equatable {
        package var host: String
        package var agent: String
        package var session: String?
        package var clone: String
        package var at: Timestamp
        package var kind: Kind
        package var branch: String
        package var head: String?
        package var outcome: String?

        package init(host: String, agent: String, session: String?, clone: String, at: Timestamp, kind: Kind,
                    branch: String, head: String?, outcome: String? = nil) {
            self.host = host
            self.agent = agent
            self.session = session
            self.clone = clone
            self.at = at
            self.kind = kind
            self.branch = branch
            self.head = head
            self.outcome = outcome
        }

        package var json: JSONValue {
            .object(JSONObject([
                ("host", .string(host)), ("agent", .string(agent)), ("session", JSONValue(session)),
                ("clone", .string(clone)), ("at", .string(at.iso8601)), ("kind", .string(kind.rawValue)),
                ("branch", .string(branch)), ("head", JSONValue(head)), ("outcome", JSONValue(outcome)),
            ]))
        }

        package init?(json: JSONValue) {
            guard let at = json["at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) else { return nil }
            host = json["host"]?.stringValue ?? "unknown host"
            agent = json["agent"]?.stringValue ?? "unknown agent"
            session = json["session"]?.stringValue
            clone = json["clone"]?.stringValue ?? ""
            self.at = at
            kind = json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) ?? .snapshot
            branch = json["branch"]?.stringValue ?? ""
            head = json["head"]?.stringValue
            outcome = json["outcome"]?.stringValue
        }

        /// "laptop (claude-code, session 1a2b3c4d, 2026-12-03 10:22 UTC)"
        package var summary: String {
            let when = String(at.iso8601.prefix(16).map { $0 == "T" ? " " : $0 })
            let session = self.session.map { ", session \($0)" } ?? ""
            return "\(host) (\(agent)\(session), \(when) UTC)"
        }

        /// Newest first; equal times order by clone id, then session, so every clone picks the same one.
        package static func isNewer(_ lhs: Origin, than rhs: Origin) -> Bool {
            if lhs.at != rhs.at { return lhs.at > rhs.at }
            if lhs.clone != rhs.clone { return lhs.clone > rhs.clone }
            return (lhs.session ?? "") > (rhs.session ?? "")
        }
    }

    package static let originFile = "origin.json"
    package static let stateFile = "state.json"
    package static let contextFile = "CONTEXT.md"
    package static let reflectionFile = "reflection.md"
    package static let tasksFile = "tasks.json"
    /// Every file a shared tree may hold; anything else in a fetched tree is ignored.
    package static let fileNames = [originFile, stateFile, contextFile, reflectionFile, tasksFile]

    package var origin: Origin
    /// The state (redacted), as JSON.
    package var state: JSONValue?
    package var context: String?
    package var reflection: String?
    /// Task objects (each with an `id`); nil when the store keeps no tasks.
    package var tasks: [JSONValue]?
    /// Tasks of a fetched `tasks.json` past `maxTasks`, not read (a clone shares at most
    /// `SharedTasks.limit`; more is a crafted tree).
    package var tasksLeftOut = 0

    /// The most tasks read from one shared tree.
    package static let maxTasks = 2 * SharedTasks.limit

    package init(origin: Origin, state: JSONValue?, context: String?, reflection: String?, tasks: [JSONValue]?) {
        self.origin = origin
        self.state = state
        self.context = context
        self.reflection = reflection
        self.tasks = tasks
    }

    /// The files of the tree, name and bytes, in a fixed order. Everything passes the redactor.
    package var files: [(name: String, bytes: [UInt8])] {
        // origin.json too: a session id or a branch name can carry a secret like any other text.
        var files: [(String, [UInt8])] = [(Self.originFile, Array(Self.redacted(origin.json).prettyText.utf8))]
        if let state { files.append((Self.stateFile, Array(Self.redacted(state).prettyText.utf8))) }
        if let context { files.append((Self.contextFile, Array(Redactor.redact(context).utf8))) }
        if let reflection { files.append((Self.reflectionFile, Array(Redactor.redact(reflection).utf8))) }
        if let tasks { files.append((Self.tasksFile, Array(Self.redacted(.array(tasks)).prettyText.utf8))) }
        return files
    }

    /// Reads the files of a tree back; nil without a readable origin. Everything passes the redactor
    /// here, on the way in as on the way out: a tree another clone (or anyone with push access) wrote
    /// reaches the brief, `handoff log`, `show`, the MCP server and the task store only through this.
    package init?(files: [String: [UInt8]]) {
        guard let originBytes = files[Self.originFile], let originJSON = try? JSONValue.parse(originBytes),  // no origin: not a handover
            let origin = Origin(json: Self.redacted(originJSON))
        else { return nil }
        self.origin = origin
        state = files[Self.stateFile].flatMap { try? JSONValue.parse($0) }.map(Self.redacted)  // not JSON: no state shared
        context = files[Self.contextFile].map { Redactor.redact(String(decoding: $0, as: UTF8.self)) }
        reflection = files[Self.reflectionFile].map { Redactor.redact(String(decoding: $0, as: UTF8.self)) }
        let allTasks = files[Self.tasksFile].flatMap { try? JSONValue.parse($0) }?.arrayValue  // not a JSON array: no tasks shared
        tasks = allTasks.map { Array($0.prefix(Self.maxTasks)).map(Self.redacted) }
        tasksLeftOut = max(0, (allTasks?.count ?? 0) - Self.maxTasks)
    }

    /// Every string in a JSON value, redacted (keys are the contract's, never secrets).
    package static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(Redactor.redact(text))
        case .array(let items): return .array(items.map(redacted))
        case .object(let object):
            var copy = object
            for (key, item) in object.pairs { copy[key] = redacted(item) }
            return .object(copy)
        default: return value
        }
    }

    /// The commit message: one line a `git log refs/handoff/<branch>` reader understands.
    package var commitMessage: String {
        let outcome = origin.outcome.map { " (\($0))" } ?? ""
        let next = (state?["resume"]?["next"]?.stringValue).flatMap { $0.isEmpty ? nil : $0 }
        var message = "handover: \(origin.kind.rawValue)\(outcome) on \(origin.branch) from \(origin.summary)"
        if let next { message += "\n\nResume at: \(String(Redactor.redact(next).prefix(300)))" }
        // The whole message: the branch, host and session travel in it too.
        return Redactor.redact(message) + "\n"
    }

    // MARK: Capture

    /// The handover of this worktree as it stands: state.json, CONTEXT.md, the reflection text, tasks.
    package static func capture(store: HandoffStore, origin: Origin, reflection: String?, tasks: [JSONValue]? = nil) -> SharedHandover {
        let state = try? store.readStateJSON()
        let context = try? FileSystem.readText(store.layout.contextFile)
        return SharedHandover(origin: origin, state: state, context: context, reflection: reflection, tasks: tasks)
    }
}
