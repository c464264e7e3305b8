/// `handoff log`'s whole history: this worktree's handovers (its event log and archives) and the
/// shared ones (`refs/handoff/*`, made or merged here, and `refs/handoff-remotes/*/*`, fetched),
/// each once, newest first, each saying where it came from.
///
/// A shared handover this clone made is the same handover as a local entry: same clone id, session
/// and kind, recorded within `sameHandoverWindow` (the event and the commit are written a moment
/// apart). It is listed once, as the local entry, with its shared commit. Shared handovers are one
/// each however many refs reach them (the same commit, or the same origin after a history cap
/// rewrote the commits).
package enum SharedHistory {
    package static let sameHandoverWindow: Int64 = 120_000

    package enum Source: String, Sendable { case local, shared }

    package struct Item: Sendable {
        package var source: Source
        /// The local entry (events and archives), when this worktree recorded the handover.
        package var local: HandoverHistory.Entry?
        /// The shared commit and its content, when the handover is (also) in a shared ref.
        package var commit: String?
        package var shared: SharedHandover?
        /// A shared commit that could not be read as a handover (a file over its cap, a tree where a
        /// file belongs): why, and its commit time. Listed, never dropped, never hiding the others.
        package var unreadable: String?
        package var committedAt: Timestamp?

        package var at: Timestamp { local?.at ?? shared?.origin.at ?? committedAt ?? Timestamp(milliseconds: 0) }
        package var session: String? { local?.session ?? shared?.origin.session }
    }

    package struct Result: Sendable {
        package var items: [Item]
        package var skippedLines: Int
        /// Why the shared history could not be read (git failed); nil when it was, or when there is none.
        package var sharedUnreadable: String?
    }

    /// `limit` bounds the shared commits read (0: all).
    package static func read(store: HandoffStore, environment: Environment, limit: Int = 0) -> Result {
        let (entries, skipped) = HandoverHistory.entries(store: store)
        var items = entries.map { Item(source: .local, local: $0, commit: nil, shared: nil) }
        let git = GitCLI(directory: store.layout.worktreeRoot, environment: environment)
        let refs = HandoverRefs(git: git)
        var shared: [SharedCommit] = []
        do {
            let tips = try refs.refs(under: ShareSettings.refPrefix).keys.sorted()
                + (try refs.refs(under: ShareSettings.trackingPrefix).keys.sorted())
            if !tips.isEmpty { shared = try refs.history(refs: tips, limit: limit) }
        } catch {
            return Result(items: items, skippedLines: skipped, sharedUnreadable: error.description)
        }
        let clone = git.run(["config", "--local", "--get", ShareSettings.cloneKey]).line
        var seen = Set<String>()
        var extra: [Item] = []
        for entry in shared {
            let commit = entry.commit
            guard let handover = entry.handover else {
                extra.append(Item(source: .shared, local: nil, commit: commit, shared: nil, unreadable: entry.unreadable ?? "unreadable",
                                  committedAt: entry.committedAt))
                continue
            }
            let origin = handover.origin
            let identity = "\(origin.clone)|\(origin.session ?? "")|\(origin.kind.rawValue)|\(origin.at.milliseconds)"
            guard seen.insert(identity).inserted else { continue }
            if !clone.isEmpty, origin.clone == clone,
                let index = items.indices.first(where: { index in
                    let entry = items[index]
                    guard items[index].commit == nil, let local = entry.local, local.session == origin.session,
                        local.kind.rawValue == origin.kind.rawValue
                    else { return false }
                    return abs(local.at.milliseconds - origin.at.milliseconds) <= sameHandoverWindow
                })
            {
                items[index].commit = commit
                items[index].shared = handover
                continue
            }
            extra.append(Item(source: .shared, local: nil, commit: commit, shared: handover))
        }
        // Local entries keep their recorded order; shared ones go in by time.
        extra.sort { $0.at > $1.at }
        var merged: [Item] = []
        var next = 0
        for item in items {
            while next < extra.count, extra[next].at > item.at {
                merged.append(extra[next])
                next += 1
            }
            merged.append(item)
        }
        merged += extra[next...]
        return Result(items: merged, skippedLines: skipped, sharedUnreadable: nil)
    }

    // MARK: Rendering

    /// One line: the local entry's line (or the same layout for a shared one), then where it came from.
    package static func line(_ item: Item, paint: (String, String) -> String, hostname: String) -> String {
        func safe(_ text: String) -> String { TerminalText.escape(text) }
        if let why = item.unreadable {
            let time = String(item.at.iso8601.prefix(19)).replacingFirst("T", with: " ")
            return "\(time)  \(paint("unreadable shared handover \(String((item.commit ?? "").prefix(12))): \(safe(why))", "31"))"
        }
        if let local = item.local {
            let from = item.shared.map { "  from " + safe($0.origin.summary) + " (shared)" } ?? "  from \(safe(hostname)) (this worktree)"
            return HandoverHistory.line(local, paint: paint) + paint(from, "2")
        }
        guard let shared = item.shared else { return "" }
        let origin = shared.origin
        let time = String(origin.at.iso8601.prefix(19)).replacingFirst("T", with: " ")
        let session = safe(origin.session ?? "unknown").padded(to: 12) // whole: a cut id can name two sessions
        let verdict = "\(origin.kind.rawValue) ".padded(to: 12) + safe(origin.outcome ?? "?")
        let next = (shared.state?["resume"]?["next"]?.stringValue).flatMap { $0.isEmpty ? nil : $0 }
            .map { "  next: " + safe(String($0.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(100))) } ?? ""
        let from = "  from " + safe(origin.summary) + " on \(safe(origin.branch))"
        return "\(time)  \(session)  \(paint(verdict.padded(to: 24), "36"))\(next)\(paint(from, "2"))"
    }

    /// One JSON object: what the local log says (when it has it), where it came from and its content.
    package static func json(_ item: Item, store: HandoffStore, hostname: String, clone: String?) -> JSONValue {
        var object = item.local?.json.objectValue ?? JSONObject([
            ("kind", .string(item.shared?.origin.kind.rawValue ?? "")), ("at", .string(item.at.iso8601)),
            ("session", JSONValue(item.session)), ("outcome", JSONValue(item.shared?.origin.outcome)),
            ("severity", .null), ("next_step", JSONValue(item.shared?.state?["resume"]?["next"]?.stringValue)), ("archive", .null),
        ])
        object["source"] = .string(item.source.rawValue)
        object["commit"] = JSONValue(item.commit)
        if let why = item.unreadable {
            object["kind"] = .null
            object["unreadable"] = .string(why)
            return .object(object)
        }
        if let shared = item.shared {
            object["origin"] = shared.origin.json
            object["content"] = .object(JSONObject([
                ("state", shared.state ?? .null), ("context", JSONValue(shared.context)),
                ("reflection", JSONValue(shared.reflection)), ("tasks", shared.tasks.map { .array($0) } ?? .null),
            ]))
        } else if let local = item.local {
            object["origin"] = .object(JSONObject([
                ("host", .string(hostname)), ("agent", .null), ("session", JSONValue(local.session)), ("clone", JSONValue(clone)),
                ("at", .string(local.at.iso8601)), ("kind", .string(local.kind.rawValue)),
            ]))
            object["content"] = localContent(local, store: store)
        }
        return .object(object)
    }

    /// What this worktree keeps of a local handover: the same as `handoff show SESSION --json`
    /// (the state it left, the reflection and handoff end events); unreadable archives say so.
    static func localContent(_ entry: HandoverHistory.Entry, store: HandoffStore) -> JSONValue {
        guard let session = entry.session else { return .object(JSONObject()) }
        do {
            guard let handover = try HandoverHistory.handover(store: store, session: session) else { return .object(JSONObject()) }
            var content = HandoverHistory.json(handover).objectValue ?? JSONObject()
            if let reflection = entry.archive, entry.kind == .reflection, !reflection.contains(".."),
                let text = try? FileSystem.readText(Path.join(store.layout.directory, reflection))
            {
                content["reflection_text"] = .string(text)
            }
            return .object(content)
        } catch {
            return .object(JSONObject([("unreadable", .string(error.description))]))
        }
    }
}

/// One shared commit of a history: its handover, or why it could not be read.
package struct SharedCommit: Sendable {
    package var commit: String
    package var committedAt: Timestamp?
    package var handover: SharedHandover?
    package var unreadable: String?
}

extension HandoverRefs {
    /// The commits reachable from any of `refs`, newest first, each once, merges left out: each with
    /// its handover, or why it could not be read (`readAll`).
    package func history(refs: [String], limit: Int) throws(GitCLIError) -> [SharedCommit] {
        var arguments = ["rev-list", "--no-merges", "--timestamp"]
        if limit > 0 { arguments.append("--max-count=\(limit)") }
        let list = try git.checked(arguments + refs + ["--"])
        // "<committer time> <commit>" per line.
        let listed: [(commit: String, time: Timestamp?)] = list.output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            return (String(parts[1]), Int64(parts[0]).map { Timestamp(milliseconds: $0 * 1000) })
        }
        let read = readAll(listed.map(\.commit))
        return listed.map { entry in
            SharedCommit(commit: entry.commit, committedAt: entry.time, handover: read.handovers[entry.commit],
                         unreadable: read.handovers[entry.commit] == nil ? read.unreadable[entry.commit] ?? "unreadable" : nil)
        }
    }
}
