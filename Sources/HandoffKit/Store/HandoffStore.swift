#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where everything lives inside `.handoff/`.
package struct StoreLayout: Sendable, Equatable {
    /// The worktree root the store belongs to.
    package let worktreeRoot: String
    package let directory: String

    package init(worktreeRoot: String) {
        self.worktreeRoot = worktreeRoot
        directory = Path.join(worktreeRoot, ".handoff")
    }

    package var stateFile: String { Path.join(directory, "state.json") }
    package var eventsFile: String { Path.join(directory, "events.jsonl") }
    package var contextFile: String { Path.join(directory, "CONTEXT.md") }
    package var sessionsDirectory: String { Path.join(directory, "sessions") }
    package var runtimeDirectory: String { Path.join(directory, "runtime") }
    package var lockFile: String { Path.join(directory, ".lock") }
    package var gitignoreFile: String { Path.join(directory, ".gitignore") }
    package var pushesFile: String { Path.join(directory, "pushes.json") }

    package func archiveFile(session: String) -> String { Path.join(sessionsDirectory, "\(session).json") }
    package func runtimeFile(session: String) -> String { Path.join(runtimeDirectory, "\(session).json") }
}

/// The `.handoff/` store of one worktree: state, events, context, archives.
///
/// Every read-modify-write of a JSON file holds the store's exclusive lock; every write is atomic
/// (temporary file, fsync, rename); events are single `O_APPEND` writes. Nothing here prints.
package struct HandoffStore: Sendable {
    package let layout: StoreLayout
    /// How long a writer waits for the lock before giving up (hooks fail open after that).
    package var lockTimeout: Double = 2.0

    package init(worktreeRoot: String) {
        layout = StoreLayout(worktreeRoot: worktreeRoot)
    }

    /// Files the suite owns are ignored by git, so they never count as uncommitted work.
    /// `CONTEXT.md` can still be shared with a team by `git add -f .handoff/CONTEXT.md`.
    package static let gitignoreContents = """
        # Written by handoff: the store's files are not project work.
        # To share CONTEXT.md with your team: git add -f .handoff/CONTEXT.md
        *

        """

    /// True when `.handoff/` exists as a real folder (a symbolic link is not a store).
    package var exists: Bool {
        FileSystem.isDirectory(layout.directory) && !FileSystem.isSymlink(layout.directory)
    }

    /// Creates the store (0700 folder, 0600 files). Idempotent: returns false when it was already there.
    @discardableResult
    package func initialise(hostname: String) throws(StoreError) -> Bool {
        if FileSystem.isSymlink(layout.directory) { throw .symlinkRefused(layout.directory) }
        let existed = exists
        do {
            try FileSystem.makeDirectory(layout.directory, mode: 0o700)
            FileSystem.setMode(layout.directory, 0o700)
            try FileSystem.makeDirectory(layout.sessionsDirectory, mode: 0o700)
            try FileSystem.makeDirectory(layout.runtimeDirectory, mode: 0o700)
            if !FileSystem.exists(layout.gitignoreFile) {
                try FileSystem.writeText(Self.gitignoreContents, to: layout.gitignoreFile)
            }
        } catch {
            throw .io(error)
        }
        if !FileSystem.exists(layout.stateFile) {
            try withLock { () throws(StoreError) in
                if !FileSystem.exists(layout.stateFile) {
                    try writeStateUnlocked(HandoffState.initial(hostname: hostname))
                }
            }
        }
        return !existed
    }

    // MARK: Locking

    /// Runs `body` holding the store's exclusive lock.
    package func withLock<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        guard exists else { throw .notInitialised(root: layout.worktreeRoot) }
        let lock: FileLock
        do {
            lock = try FileLock(path: layout.lockFile, timeout: lockTimeout)
        } catch let error as SystemError {
            throw .io(error)
        } catch {
            throw .lockTimeout(layout.lockFile)
        }
        defer { lock.unlock() }
        return try body()
    }

    // MARK: State

    /// The raw JSON of `state.json`.
    package func readStateJSON() throws(StoreError) -> JSONValue {
        guard exists else { throw .notInitialised(root: layout.worktreeRoot) }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readBytes(layout.stateFile, limit: 16 * 1024 * 1024)
        } catch {
            if error.code == ENOENT { return HandoffState.initial(hostname: "").json }
            throw .io(error)
        }
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw .unreadableState(file: layout.stateFile, reason: bytes.isEmpty ? "the file is empty" : error.description)
        }
    }

    /// `state.json` as a typed state. A missing file reads as a fresh state.
    package func readState() throws(StoreError) -> HandoffState {
        let json = try readStateJSON()
        if let version = json["_version"]?.intValue, version != 1 { throw .unsupportedVersion(version) }
        return try HandoffState(json: json)
    }

    /// Writes a state atomically. Callers that read first must hold the lock (see `updateState`).
    func writeStateUnlocked(_ state: HandoffState, durability: FileSystem.Durability = .durable) throws(StoreError) {
        if FileSystem.isSymlink(layout.stateFile) { throw .symlinkRefused(layout.stateFile) }
        removeAbandonedTemporaryFiles()
        do {
            try FileSystem.writeText(Redactor.redact(state.json).prettyText, to: layout.stateFile, durability: durability)
        } catch {
            throw .io(error)
        }
    }

    /// Reads, changes and writes `state.json` under the lock, so concurrent updates are never lost.
    /// Hooks' incremental updates pass `.dataOnly` (see `FileSystem.Durability`).
    @discardableResult
    package func updateState(
        durability: FileSystem.Durability = .durable, _ change: (inout HandoffState) throws(StoreError) -> Void
    ) throws(StoreError) -> HandoffState {
        try withLock { () throws(StoreError) -> HandoffState in
            var state = try readState()
            try change(&state)
            try writeStateUnlocked(state, durability: durability)
            return state
        }
    }

    /// Replaces the state wholesale (under the lock).
    package func writeState(_ state: HandoffState) throws(StoreError) {
        try withLock { () throws(StoreError) in try writeStateUnlocked(state) }
    }

    /// A writer killed between creating its temporary file and renaming it leaves the file behind,
    /// in any folder of the store; the next state writer (holding the lock) removes those whose
    /// process is gone, and any older than an hour (a writer takes milliseconds; pids are reused).
    func removeAbandonedTemporaryFiles() {
        let hourAgo = Timestamp.now().seconds - 3600
        for folder in [layout.directory, layout.runtimeDirectory, layout.sessionsDirectory] {
            for name in FileSystem.list(folder) where name.hasPrefix(".") && name.contains(".tmp.") {
                let parts = name.split(separator: ".")
                guard let tmpIndex = parts.firstIndex(of: "tmp"), tmpIndex + 1 < parts.count, let pid = Int32(parts[tmpIndex + 1]) else { continue }
                let path = Path.join(folder, name)
                let gone = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
                if gone || (FileSystem.modificationTime(path) ?? hourAgo) < hourAgo { FileSystem.remove(path) }
            }
        }
    }

    // MARK: Archives

    /// Copies a state to `sessions/<name>.json` (atomically). `name` must pass `SessionID.isSafe`.
    package func archive(_ json: JSONValue, as name: String, durability: FileSystem.Durability = .durable) throws(StoreError) {
        let safe = try SessionID.validate(name)
        try ensureFolder(layout.sessionsDirectory)
        let file = Path.join(layout.sessionsDirectory, "\(safe).json")
        if FileSystem.isSymlink(file) { throw .symlinkRefused(file) }
        do {
            try FileSystem.writeText(Redactor.redact(json).prettyText, to: file, durability: durability)
        } catch {
            throw .io(error)
        }
        pruneArchives(keep: archiveLimit)
    }

    /// How many archived states `sessions/` keeps; older ones are pruned, oldest first.
    package var archiveLimit = 200

    /// Writes any text file inside the store atomically (CONTEXT.md, reflections), redacted.
    package func writeFile(_ text: String, to path: String, durability: FileSystem.Durability = .durable) throws(StoreError) {
        try writeRedacted(Redactor.redact(text), to: path, durability: durability)
    }

    /// Writes a JSON file inside the store atomically, each string value redacted (redacting the
    /// text would let a mask cross a string's closing quote).
    package func writeJSON(_ json: JSONValue, to path: String, durability: FileSystem.Durability = .durable) throws(StoreError) {
        try writeRedacted(Redactor.redact(json).prettyText, to: path, durability: durability)
    }

    private func writeRedacted(_ text: String, to path: String, durability: FileSystem.Durability) throws(StoreError) {
        guard Path.relative(path, to: layout.directory) != nil else { throw .symlinkRefused(path) }
        try ensureFolder(Path.dirname(path))
        if FileSystem.isSymlink(path) { throw .symlinkRefused(path) }
        do {
            try FileSystem.writeText(text, to: path, durability: durability)
        } catch {
            throw .io(error)
        }
    }

    func ensureFolder(_ folder: String) throws(StoreError) {
        if FileSystem.isSymlink(folder) { throw .symlinkRefused(folder) }
        do {
            try FileSystem.makeDirectory(folder, mode: 0o700)
        } catch {
            throw .io(error)
        }
    }

    /// Archived states, newest first, by modification time.
    package func archives() -> [String] {
        FileSystem.list(layout.sessionsDirectory)
            .filter { $0.hasSuffix(".json") }
            .map { Path.join(layout.sessionsDirectory, $0) }
            .sorted { (FileSystem.modificationTime($0) ?? 0) > (FileSystem.modificationTime($1) ?? 0) }
    }

    /// Keeps the newest `keep` archives and deletes the rest, oldest first. Returns how many went.
    @discardableResult
    package func pruneArchives(keep: Int) -> Int {
        let all = archives()
        guard all.count > keep else { return 0 }
        for file in all[keep...] { FileSystem.remove(file) }
        return all.count - keep
    }

    // MARK: Events

    package var events: EventLog { EventLog(path: layout.eventsFile, rotationFolder: layout.sessionsDirectory) }

    /// The size at which `events.jsonl` is rotated into `sessions/` (default 32 MiB).
    package var eventLogCap: Int = 32 * 1024 * 1024

    /// Appends one event (never throws away the caller's work: a failed append is reported, not fatal).
    /// Past the size cap, the log is rotated under the lock; `handoff events --all` reads across rotations.
    /// Records that a store file was moved out of the way (`file_set_aside`), so that nothing set
    /// aside is silent: `handoff status` shows the latest, `handoff doctor` counts them. Best effort:
    /// the file is moved whatever happens to the log.
    package func recordSetAside(file: String, movedTo target: String, reason: String, at now: Timestamp = .now()) {
        func inStore(_ path: String) -> String { Path.relative(path, to: layout.directory) ?? path }
        try? append(Event(type: EventType.fileSetAside, at: now, [
            ("file", .string(inStore(file))), ("moved_to", .string(inStore(target))), ("reason", .string(String(reason.prefix(300)))),
        ]))
    }

    package func append(_ event: Event) throws(StoreError) {
        guard exists else { throw .notInitialised(root: layout.worktreeRoot) }
        do {
            try events.append(event)
        } catch {
            throw .io(error)
        }
        if let size = FileSystem.size(layout.eventsFile), size >= eventLogCap {
            // Best effort: the append succeeded; a rotation that fails now is retried at the next append.
            _ = try? withLock { () throws(StoreError) in events.rotateIfNeeded(maximumBytes: eventLogCap) }
        }
    }
}
