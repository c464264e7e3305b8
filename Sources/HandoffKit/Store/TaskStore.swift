#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A follow-up: work a session leaves for a later one (the `/dump` procedure's follow-ups, the
/// Handoff End procedure's blocker and resume tasks).
///
/// Stored as `.handoff/tasks/<id>.json`, one file per task, so that two stores merge by id without a
/// line-level conflict, and so that a damaged file costs one task, never the others.
package struct HandoffTask: Sendable, Equatable {
    package enum Status: String, Sendable, CaseIterable {
        case open
        case inProgress = "in_progress"
        case blocked
        case done
    }

    /// Well-known labels (any other label is the user's own).
    package enum Label {
        package static let blocker = "blocker"
        package static let resume = "resume"
        package static let handoff = "handoff"
    }

    package var id: String
    package var title: String
    package var body: String
    package var status: Status
    /// Ids of the tasks that must be done before this one can start.
    package var blockedBy: [String]
    package var labels: [String]
    /// The session that created the task, when it is known.
    package var session: String?
    /// The agent that created it (`claude-code`, `codex`, an MCP client's name), when it is known.
    package var agent: String?
    /// Structured extras (the resume task carries `next`, `files` and `context` here).
    package var metadata: JSONObject
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    package var closedAt: Timestamp?

    package init(id: String, title: String, body: String = "", status: Status = .open, blockedBy: [String] = [],
                labels: [String] = [], session: String? = nil, agent: String? = nil, metadata: JSONObject = JSONObject(),
                createdAt: Timestamp, updatedAt: Timestamp? = nil, closedAt: Timestamp? = nil) {
        self.id = id
        self.title = title
        self.body = body
        self.status = status
        self.blockedBy = blockedBy
        self.labels = labels
        self.session = session
        self.agent = agent
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.closedAt = closedAt
    }

    /// Not done: open, in progress or blocked. The stop gate accepts follow-ups only among these.
    package var isOpen: Bool { status != .done }

    package func hasLabel(_ label: String) -> Bool { labels.contains(label) }

    package var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)),
            ("title", .string(title)),
            ("body", .string(body)),
            ("status", .string(status.rawValue)),
            ("blocked_by", JSONValue(blockedBy)),
            ("labels", JSONValue(labels)),
            ("session", JSONValue(session)),
            ("agent", JSONValue(agent)),
            ("metadata", .object(metadata)),
            ("created_at", .string(createdAt.iso8601)),
            ("updated_at", .string(updatedAt.iso8601)),
            ("closed_at", JSONValue(closedAt?.iso8601)),
        ]))
    }

    package init(json: JSONValue) throws(TaskError) {
        guard let object = json.objectValue else { throw .damaged(file: "", reason: "expected an object, found \(json.typeName)") }
        let reader = FieldReader()
        func field<T>(_ read: () throws(StoreError) -> T) throws(TaskError) -> T {
            do { return try read() } catch {
                if case .invalidState(let path, let reason) = error { throw .damaged(file: "", reason: "\(path): \(reason)") }
                throw .damaged(file: "", reason: error.description)
            }
        }
        guard let id = try field({ () throws(StoreError) in try reader.string(object["id"], "id") }), TaskID.isValid(id) else {
            throw .damaged(file: "", reason: "id: missing or not of the form ho-<letters and digits>")
        }
        let statusText = try field { () throws(StoreError) in try reader.string(object["status"], "status") } ?? "open"
        guard let status = Status(rawValue: statusText) else {
            throw .damaged(file: "", reason: "status: \"\(statusText)\" is not one of open, in_progress, blocked, done")
        }
        func time(_ key: String) throws(TaskError) -> Timestamp? {
            guard let text = try field({ () throws(StoreError) in try reader.string(object[key], key) }) else { return nil }
            guard let stamp = Timestamp(iso8601: text) else { throw .damaged(file: "", reason: "\(key): not an ISO-8601 time") }
            return stamp
        }
        guard let created = try time("created_at") else { throw .damaged(file: "", reason: "created_at: missing") }
        self.init(
            id: id,
            title: try field { () throws(StoreError) in try reader.string(object["title"], "title") } ?? "",
            body: try field { () throws(StoreError) in try reader.string(object["body"], "body") } ?? "",
            status: status,
            blockedBy: try field { () throws(StoreError) in try reader.strings(object["blocked_by"], "blocked_by") },
            labels: try field { () throws(StoreError) in try reader.strings(object["labels"], "labels") },
            session: try field { () throws(StoreError) in try reader.string(object["session"], "session") },
            agent: try field { () throws(StoreError) in try reader.string(object["agent"], "agent") },
            metadata: try field { () throws(StoreError) in try reader.object(object["metadata"], "metadata") } ?? JSONObject(),
            createdAt: created, updatedAt: try time("updated_at") ?? created, closedAt: try time("closed_at"))
    }
}

/// Task ids: `ho-` and ten characters of Crockford's base32 (50 bits).
///
/// They are minted from 64 bits of the system's random source mixed with the host, the process and
/// the time, so two clones that never talk to each other still never mint the same id (the chance
/// that any two of a million ids collide is below 1 in 2,000), and a file is never overwritten in
/// this store (it is created with `link`, which refuses an existing name).
package enum TaskID {
    package static let prefix = "ho-"
    package static let length = 10
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// Accepts ids of this store and of others that use the prefix (4 to 32 letters and digits).
    package static func isValid(_ id: String) -> Bool {
        guard id.hasPrefix(prefix) else { return false }
        let rest = id.utf8.dropFirst(prefix.utf8.count)
        return (4...32).contains(rest.count) && rest.allSatisfy { isIDByte($0) }
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// A new id. `entropy` is the random part (tests pass their own to show what the rest adds).
    package static func mint(entropy: UInt64 = UInt64.random(in: 0...UInt64.max), host: String = FileSystem.hostname(),
                            now: Timestamp = .now(), salt: String = "") -> String {
        // FNV-1a over everything that tells this mint apart, then a final avalanche (splitmix64).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        withUnsafeBytes(of: entropy.littleEndian) { mix($0) }
        mix(host.utf8)
        withUnsafeBytes(of: Int64(getpid()).littleEndian) { mix($0) }
        withUnsafeBytes(of: now.milliseconds.littleEndian) { mix($0) }
        mix(salt.utf8)
        var z = hash &+ 0x9e37_79b9_7f4a_7c15 ^ entropy
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        var characters: [UInt8] = []
        for index in 0..<length {
            characters.append(alphabet[Int((z >> UInt64(index * 5)) & 31)])
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// Every `ho-…` token in a text (a Next step, a message), in order, without repeats.
    package static func mentions(in text: String) -> [String] {
        var found: [String] = []
        // Agents sometimes shout ids (HO-…); ids are lower case.
        let bytes = Array(text.lowercased().utf8)
        let prefixBytes = Array(prefix.utf8)
        var index = 0
        while index + prefixBytes.count < bytes.count {
            let startsWord = index == 0 || !(isIDByte(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "-") || bytes[index - 1] == UInt8(ascii: "_"))
            if startsWord, bytes[index..<(index + prefixBytes.count)].elementsEqual(prefixBytes) {
                // The whole word (`ho-parser-tests`), so that an id that is not one is named as written, never cut.
                var end = index + prefixBytes.count
                while end < bytes.count, isIDByte(bytes[end]) || bytes[end] == UInt8(ascii: "-") || bytes[end] == UInt8(ascii: "_") { end += 1 }
                while end > index + prefixBytes.count, bytes[end - 1] == UInt8(ascii: "-") || bytes[end - 1] == UInt8(ascii: "_") { end -= 1 }
                let token = String(decoding: bytes[index..<end], as: UTF8.self)
                if end > index + prefixBytes.count, !found.contains(token) { found.append(token) }
                index = end
            } else {
                index += 1
            }
        }
        return found
    }
}

/// Everything that can go wrong with tasks, each saying how to fix it.
package enum TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(id: String)
    case invalidID(String)
    case emptyTitle
    /// `blocked_by` names a task this store does not have.
    case unknownBlocker(String)
    /// A task file that does not read as a task (moved aside when found by a reader).
    case damaged(file: String, reason: String)
    /// A task whose file would be larger than `TaskStore.maxFileBytes`: refused before anything is written.
    case tooLarge(id: String, bytes: Int)
    case store(StoreError)

    package var description: String {
        switch self {
        case .notFound(let id):
            return "no task \(id) in this store; `handoff task list --all` shows every task"
        case .invalidID(let id):
            return "\"\(id.prefix(40))\" is not a task id (ho- followed by letters and digits); `handoff task list` shows the ids"
        case .emptyTitle:
            return "a task needs a title: handoff task add \"what is left to do\""
        case .unknownBlocker(let id):
            return "--blocked-by \(id): no such task in this store; create it first (`handoff task add …`) or check `handoff task list --all`"
        case .damaged(let file, let reason):
            return "\(file.isEmpty ? "a task file" : file) is damaged (\(reason)); it was moved aside — recreate the task with `handoff task add`"
        case .tooLarge(let id, let bytes):
            return "\(id.isEmpty ? "the task" : id) would take \(ByteCount.describe(bytes)), over the \(ByteCount.describe(TaskStore.maxFileBytes)) a task file may hold; nothing was written — keep long text in a file of the repository and name it in the task's body"
        case .store(let error):
            return error.description
        }
    }
}

/// What a new task starts with.
package struct TaskDraft: Sendable {
    package var title: String
    package var body: String
    package var status: HandoffTask.Status
    package var blockedBy: [String]
    package var labels: [String]
    package var session: String?
    package var agent: String?
    package var metadata: JSONObject

    package init(title: String, body: String = "", status: HandoffTask.Status = .open, blockedBy: [String] = [], labels: [String] = [],
                session: String? = nil, agent: String? = nil, metadata: JSONObject = JSONObject()) {
        self.title = title
        self.body = body
        self.status = status
        self.blockedBy = blockedBy
        self.labels = labels
        self.session = session
        self.agent = agent
        self.metadata = metadata
    }
}

/// The tasks of one store. Every write holds the store's lock and is atomic; a new task's file is
/// created with `link(2)`, which never replaces an existing one.
package struct TaskStore: Sendable {
    package let store: HandoffStore

    package init(store: HandoffStore) { self.store = store }

    package var directory: String { Path.join(store.layout.directory, "tasks") }

    /// The largest task file written: a larger task is refused before anything is written.
    package static let maxFileBytes = 1024 * 1024
    /// The largest task file read (what earlier versions could write): a larger one is set aside,
    /// with an event naming this cap, never read in part.
    package static let maxReadBytes = 4 * 1024 * 1024
    /// The most task files one listing reads: a store (or a fetched one merged into it) holding more
    /// is read up to this many, the rest counted as left out (`Listing.leftOut`), never parsed.
    package static let maxTasks = 10_000

    package func file(for id: String) -> String { Path.join(directory, "\(id).json") }

    /// Every readable task, and the damaged files found (already moved aside when `repairDamaged`).
    package struct Listing: Sendable {
        package var tasks: [HandoffTask]
        /// Where damaged task files went (`tasks/<name>.corrupt-<time>`), with the reason.
        package var damaged: [DamagedFile]
        /// The ids of the task files not read because the listing stopped at `TaskStore.maxTasks`:
        /// they exist, their content is unknown.
        package var leftOut: [String] = []

        package var open: [HandoffTask] { tasks.filter(\.isOpen) }

        package func task(_ id: String) -> HandoffTask? { tasks.first { $0.id == id } }

        /// The not-done tasks that block `task`.
        package func openBlockers(of task: HandoffTask) -> [String] {
            task.blockedBy.filter { id in self.task(id)?.isOpen ?? true }
        }

        /// Open tasks, resume tasks first, then by creation time (oldest first).
        package var openInBriefOrder: [HandoffTask] {
            open.sorted { left, right in
                let leftResume = left.hasLabel(HandoffTask.Label.resume), rightResume = right.hasLabel(HandoffTask.Label.resume)
                if leftResume != rightResume { return leftResume }
                if left.createdAt != right.createdAt { return left.createdAt < right.createdAt }
                return left.id < right.id
            }
        }
    }

    /// Reads every task file. Damaged ones are moved aside (like `state.json` by `handoff repair`),
    /// under the lock unless the caller holds it already (`locked`).
    package func list(now: Timestamp = .now(), locked: Bool = false) -> Listing {
        var tasks: [HandoffTask] = []
        var damaged: [(String, String)] = []
        let names = FileSystem.list(directory).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in names.prefix(Self.maxTasks) {
            let path = Path.join(directory, name)
            switch read(path) {
            case .success(let task): tasks.append(task)
            case .failure(let reason): damaged.append((path, reason))
            }
        }
        var moved: [DamagedFile] = []
        if !damaged.isEmpty {
            let moveAll = { () throws(StoreError) in
                for (path, reason) in damaged {
                    // Read again under the lock: a file still being renamed into place is not damaged.
                    if case .success(let task) = read(path) { tasks.append(task); continue }
                    guard FileSystem.exists(path) || FileSystem.isSymlink(path) else { continue }
                    let target = path + ".corrupt-\(now.fileStamp)"
                    // Best effort: a damaged file that cannot be moved stays listed as damaged by every read.
                    if (try? FileSystem.move(path, to: target)) != nil {
                        moved.append(DamagedFile(file: target, reason: reason))
                        store.recordSetAside(file: path, movedTo: target, reason: reason, at: now)
                    }
                }
            }
            if locked { try? moveAll() } else { _ = try? store.withLock(moveAll) }
        }
        var listing = Listing(tasks: tasks.sorted { $0.createdAt == $1.createdAt ? $0.id < $1.id : $0.createdAt < $1.createdAt }, damaged: moved)
        listing.leftOut = names.dropFirst(Self.maxTasks).map { String($0.dropLast(".json".count)) }
        return listing
    }

    package struct DamagedFile: Sendable, Equatable {
        package var file: String
        package var reason: String
    }

    enum ReadResult {
        case success(HandoffTask)
        case failure(String)
    }

    func read(_ path: String) -> ReadResult {
        let bytes: [UInt8]
        do {
            // Regular files only, and no symbolic link (a task file never is one): a FIFO planted here
            // must not hang every reader, nor a link read what lies outside the store.
            bytes = try FileSystem.readCapped(path, cap: Self.maxReadBytes, noFollow: true)
        } catch {
            if error.isNotRegularFile || error.isTooLarge { return .failure(error.detail ?? error.description) }
            return .failure("unreadable (\(error))")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            return .failure(bytes.isEmpty ? "the file is empty" : error.description)
        }
        do {
            let task = try HandoffTask(json: json)
            guard "\(task.id).json" == Path.basename(path) else { return .failure("its id \(task.id) does not match its file name") }
            return .success(task)
        } catch {
            if case .damaged(_, let reason) = error { return .failure(reason) }
            return .failure(error.description)
        }
    }

    /// One task by id; nil when there is none (or its file is damaged).
    package func task(_ id: String) -> HandoffTask? {
        guard TaskID.isValid(id) else { return nil }
        if case .success(let task) = read(file(for: id)) { return task }
        return nil
    }

    /// Creates a task. Text from an agent passes the redactor here, at the store boundary.
    @discardableResult
    package func add(_ draft: TaskDraft, now: Timestamp = .now()) throws(TaskError) -> HandoffTask {
        let title = Redactor.redact(draft.title.trimmed)
        guard !title.isEmpty else { throw .emptyTitle }
        do {
            return try store.withLock { () throws(StoreError) -> Result<HandoffTask, TaskError> in
                try store.ensureFolder(directory)
                for blocker in draft.blockedBy {
                    guard TaskID.isValid(blocker) else { return .failure(.invalidID(blocker)) }
                    guard FileSystem.exists(file(for: blocker)) else { return .failure(.unknownBlocker(blocker)) }
                }
                var task = HandoffTask(
                    id: "", title: title, body: Redactor.redact(draft.body), status: draft.status,
                    blockedBy: unique(draft.blockedBy), labels: unique(draft.labels.map { Redactor.redact($0.trimmed) }.filter { !$0.isEmpty }),
                    session: draft.session, agent: draft.agent, metadata: redacted(draft.metadata), createdAt: now)
                if task.status == .done { task.closedAt = now }
                task.id = TaskID.mint(now: now)
                if let refused = Self.sizeRefusal(task, reportedID: "") { return .failure(refused) }
                // A taken name (vanishingly rare) is simply minted again; `link` never replaces a file.
                for attempt in 0..<16 {
                    task.id = TaskID.mint(now: now, salt: "\(attempt)")
                    if try createExclusively(task) {
                        record("add", task, now: now)
                        return .success(task)
                    }
                }
                return .failure(.store(.io(SystemError("link", path: directory, code: EEXIST))))
            }.get()
        } catch let error as TaskError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.io(SystemError("write", path: directory, code: EIO)))
        }
    }

    /// Writes a new task file under its final name only if that name is free.
    func createExclusively(_ task: HandoffTask) throws(StoreError) -> Bool {
        let target = file(for: task.id)
        let temporary = Path.join(directory, ".\(task.id).json.tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileSystem.writeText(task.json.prettyText, to: temporary, durability: .dataOnly)
        } catch {
            throw .io(error)
        }
        defer { unlink(temporary) }
        if link(temporary, target) == 0 {
            FileSystem.syncDirectory(directory)
            return true
        }
        if errno == EEXIST { return false }
        throw .io(SystemError("link", path: target))
    }

    /// Changes one task under the lock (`updated_at` moves; `closed_at` follows the status).
    @discardableResult
    package func update(_ id: String, now: Timestamp = .now(), _ change: (inout HandoffTask) throws(TaskError) -> Void) throws(TaskError) -> HandoffTask {
        guard TaskID.isValid(id) else { throw .invalidID(id) }
        do {
            return try store.withLock { () throws(StoreError) -> Result<HandoffTask, TaskError> in
                let path = file(for: id)
                guard FileSystem.exists(path) else { return .failure(.notFound(id: id)) }
                guard case .success(var task) = read(path) else {
                    // Moved aside like any damaged task file.
                    let listing = list(now: now, locked: true)
                    let reason = listing.damaged.first?.reason ?? "unreadable"
                    return .failure(.damaged(file: path, reason: reason))
                }
                let before = task
                do throws(TaskError) { try change(&task) } catch { return .failure(error) }
                task.id = id
                task.title = Redactor.redact(task.title.trimmed)
                if task.title.isEmpty { return .failure(.emptyTitle) }
                task.body = Redactor.redact(task.body)
                task.labels = unique(task.labels.map { Redactor.redact($0.trimmed) }.filter { !$0.isEmpty })
                task.metadata = redacted(task.metadata)
                task.blockedBy = unique(task.blockedBy.filter { $0 != id })
                for blocker in task.blockedBy where !before.blockedBy.contains(blocker) {
                    guard TaskID.isValid(blocker) else { return .failure(.invalidID(blocker)) }
                    guard FileSystem.exists(file(for: blocker)) else { return .failure(.unknownBlocker(blocker)) }
                }
                if task == before { return .success(task) }
                if let refused = Self.sizeRefusal(task, reportedID: id) { return .failure(refused) }
                task.updatedAt = max(now, Timestamp(milliseconds: before.updatedAt.milliseconds + 1))
                if task.status == .done, before.status != .done { task.closedAt = now }
                if task.status != .done { task.closedAt = nil }
                try write(task)
                record("update", task, now: now)
                return .success(task)
            }.get()
        } catch let error as TaskError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.io(SystemError("write", path: directory, code: EIO)))
        }
    }

    /// Best effort: the task is written whatever happens to the log.
    func record(_ action: String, _ task: HandoffTask, now: Timestamp) {
        try? store.append(Event(type: EventType.task, session: task.session, at: now, [
            ("action", .string(action)), ("id", .string(task.id)), ("status", .string(task.status.rawValue)),
            ("title", .string(String(task.title.prefix(200)))),
        ]))
    }

    /// The refusal of a task whose file would be over `maxFileBytes`, nil when it fits.
    static func sizeRefusal(_ task: HandoffTask, reportedID: String) -> TaskError? {
        let bytes = task.json.prettyText.utf8.count
        return bytes > maxFileBytes ? .tooLarge(id: reportedID, bytes: bytes) : nil
    }

    func write(_ task: HandoffTask) throws(StoreError) {
        try store.writeFile(task.json.prettyText, to: file(for: task.id), durability: .dataOnly)
    }

    // MARK: Merging (another clone's tasks)

    /// Which of two versions of one task wins, the same on every machine whatever the order of
    /// arrival: the later `updated_at`; on a tie, `done` over not done; then the greater text.
    package static func resolve(_ left: HandoffTask, _ right: HandoffTask) -> HandoffTask {
        if left.updatedAt != right.updatedAt { return left.updatedAt > right.updatedAt ? left : right }
        if (left.status == .done) != (right.status == .done) { return left.status == .done ? left : right }
        return left.json.compactText >= right.json.compactText ? left : right
    }

    /// What merging another store's tasks changed.
    package struct MergeReport: Sendable, Equatable {
        package var added: [String] = []
        package var updated: [String] = []
        package var unchanged = 0
        /// Incoming tasks not merged: too large to keep, or past `maxTasks` (each with why).
        package var refused: [String] = []
    }

    /// Merges tasks from elsewhere (another clone) by id, with `resolve` deciding between versions.
    /// Commutative and idempotent: merging A into B and B into A leaves the same tasks.
    @discardableResult
    package func merge(_ incoming: [HandoffTask]) throws(TaskError) -> MergeReport {
        do {
            return try store.withLock { () throws(StoreError) -> MergeReport in
                try store.ensureFolder(directory)
                var report = MergeReport()
                let valid = incoming.filter { TaskID.isValid($0.id) }
                if valid.count > Self.maxTasks {
                    report.refused.append("\(valid.count - Self.maxTasks) tasks past the first \(Self.maxTasks) (the most one store keeps)")
                }
                for task in valid.prefix(Self.maxTasks) {
                    var clean = task
                    clean.title = Redactor.redact(clean.title)
                    clean.body = Redactor.redact(clean.body)
                    clean.metadata = redacted(clean.metadata)
                    if let refused = Self.sizeRefusal(clean, reportedID: clean.id) {
                        report.refused.append(refused.description)
                        continue
                    }
                    if case .success(let local) = read(file(for: clean.id)) {
                        let winner = Self.resolve(local, clean)
                        if winner == local { report.unchanged += 1; continue }
                        try write(winner)
                        report.updated.append(clean.id)
                    } else {
                        try write(clean)
                        report.added.append(clean.id)
                    }
                }
                return report
            }
        } catch {
            throw .store(error)
        }
    }

    func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    func redacted(_ object: JSONObject) -> JSONObject {
        func clean(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text): return .string(Redactor.redact(text))
            case .array(let items): return .array(items.map(clean))
            case .object(let inner): return .object(JSONObject(inner.pairs.map { ($0.0, clean($0.1)) }))
            default: return value
            }
        }
        return JSONObject(object.pairs.map { ($0.0, clean($0.1)) })
    }
}

/// Where a task comes from: the session and agent the environment names (hooks export
/// `HANDOFF_SESSION_ID` into the agent's shell; Claude Code sets `CLAUDECODE=1` there).
/// Plain-text renderings shared by the CLI, the MCP server, `handoff status` and the stop gate.
package enum TaskFormatter {
    /// `ho-…  open  Title  [blocked by ho-…]  (labels)`
    package static func line(_ task: HandoffTask, listing: TaskStore.Listing, titleLimit: Int = 100) -> String {
        let blockers = listing.openBlockers(of: task)
        var status = task.status.rawValue
        if task.status == .open, !blockers.isEmpty { status = "blocked" }
        var text = "\(task.id)  \(status.padded(to: 11)) \(clip(task.title, titleLimit))"
        if !blockers.isEmpty { text += "  [blocked by \(blockers.joined(separator: ", "))]" }
        if !task.labels.isEmpty { text += "  (\(task.labels.joined(separator: ", ")))" }
        return text
    }

    /// The open tasks as `id "title"` items, for a message: at most `limit`, then how many more.
    package static func openSummary(_ listing: TaskStore.Listing, limit: Int = 8) -> String {
        let open = listing.openInBriefOrder
        guard !open.isEmpty else { return "none" }
        var items = open.prefix(limit).map { "\($0.id) \"\(clip($0.title, 60))\"" }
        if open.count > limit { items.append("and \(open.count - limit) more (`handoff task list`)") }
        return items.joined(separator: ", ")
    }

    package static func details(_ task: HandoffTask, listing: TaskStore.Listing) -> String {
        var lines = [
            "\(task.id)  \(task.title)",
            "Status:     \(task.status.rawValue)",
        ]
        if !task.blockedBy.isEmpty {
            let open = listing.openBlockers(of: task)
            lines.append("Blocked by: \(task.blockedBy.map { open.contains($0) ? $0 : "\($0) (done)" }.joined(separator: ", "))")
        }
        if !task.labels.isEmpty { lines.append("Labels:     \(task.labels.joined(separator: ", "))") }
        if let session = task.session { lines.append("Session:    \(session)") }
        if let agent = task.agent { lines.append("Agent:      \(agent)") }
        lines.append("Created:    \(task.createdAt.iso8601)")
        if task.updatedAt != task.createdAt { lines.append("Updated:    \(task.updatedAt.iso8601)") }
        if let closed = task.closedAt { lines.append("Closed:     \(closed.iso8601)") }
        for (key, value) in task.metadata.pairs {
            lines.append("\(key):".padded(to: 12) + (value.stringValue ?? value.compactText))
        }
        if !task.body.isEmpty {
            lines.append("")
            lines.append(task.body)
        }
        return lines.joined(separator: "\n")
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
