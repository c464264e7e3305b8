#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `.handoff/pushes.json`: per local branch, the sha git was last asked to push, so that the stop gate
/// can tell without the network whether committed work has left the machine.
///
/// ```json
/// {"branches": {"main": {"sha": "…", "remote": "origin", "remote_ref": "refs/heads/main", "at": "2026-…Z"}}}
/// ```
///
/// Written by the pre-push hook, before git talks to the remote: a push that then fails (rejected,
/// network) still leaves its record. The stop gate therefore uses it only where git keeps no
/// remote-tracking ref for the pushed branch (`GitRepository.trackingReference`): a push to a URL or
/// to a remote without a fetch refspec.
package struct PushLedger: Sendable {
    package struct Record: Sendable, Equatable {
        package var sha: String
        package var remote: String
        package var remoteRef: String
        package var at: Timestamp

        package init(sha: String, remote: String, remoteRef: String, at: Timestamp) {
            self.sha = sha
            self.remote = remote
            self.remoteRef = remoteRef
            self.at = at
        }

        var json: JSONValue {
            .object(JSONObject([
                ("sha", .string(sha)), ("remote", .string(remote)), ("remote_ref", .string(remoteRef)),
                ("at", .string(at.iso8601)),
            ]))
        }

        init?(json: JSONValue) {
            guard let sha = json["sha"]?.stringValue else { return nil }
            self.sha = sha
            remote = json["remote"]?.stringValue ?? ""
            remoteRef = json["remote_ref"]?.stringValue ?? ""
            at = json["at"]?.stringValue.flatMap { Timestamp(iso8601: $0) } ?? Timestamp(milliseconds: 0)
        }
    }

    package let store: HandoffStore

    package init(store: HandoffStore) { self.store = store }

    package var path: String { store.layout.pushesFile }

    /// Every branch's record; empty when nothing was pushed yet or the file is unreadable
    /// (it is a cache of what the hook saw, never the only copy of anything).
    package func read() -> [String: Record] {
        guard let bytes = try? FileSystem.readBytes(path, limit: 4 * 1024 * 1024),
            let branches = (try? JSONValue.parse(bytes))?["branches"]?.objectValue
        else { return [:] }
        var result: [String: Record] = [:]
        for (branch, value) in branches.pairs {
            if let record = Record(json: value) { result[branch] = record }
        }
        return result
    }

    /// The record of one local branch (`main`, not `refs/heads/main`).
    package func record(forBranch branch: String) -> Record? { read()[branch] }

    /// Under the store's lock: sets `updates` (by local branch) and drops the branches whose record
    /// points at a remote branch that was deleted (`deletedRemoteRefs`: remote name and remote ref).
    package func record(
        _ updates: [String: Record], deletedRemoteRefs: [(remote: String, remoteRef: String)] = []
    ) throws(StoreError) {
        guard !updates.isEmpty || !deletedRemoteRefs.isEmpty else { return }
        try store.withLock { () throws(StoreError) in
            var branches = read()
            for (branch, record) in branches
            where deletedRemoteRefs.contains(where: { $0.remote == record.remote && $0.remoteRef == record.remoteRef }) {
                branches[branch] = nil
            }
            for (branch, record) in updates { branches[branch] = record }
            let object = JSONObject(branches.keys.sorted().map { ($0, branches[$0]!.json) })
            try Self.replaceWithoutSync(Redactor.redact(JSONValue.object(JSONObject([("branches", .object(object))]))).prettyText, at: path)
        }
    }

    /// No fsync (see `FileSystem.Durability.none`): two fsyncs cost about 10 ms on an ordinary disk,
    /// the whole budget of a pre-push hook. After a power cut the file may be older or unreadable,
    /// which `read()` takes as "nothing recorded"; the push events in events.jsonl keep the same facts.
    static func replaceWithoutSync(_ text: String, at path: String) throws(StoreError) {
        if FileSystem.isSymlink(path) { throw .symlinkRefused(path) }
        do {
            try FileSystem.writeText(text, to: path, durability: .none)
        } catch {
            throw .io(error)
        }
    }
}
