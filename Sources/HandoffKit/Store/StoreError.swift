/// Everything that can go wrong with the `.handoff/` store, each saying how to fix it.
package enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `.handoff/` folder in this worktree.
    case notInitialised(root: String)
    /// `state.json` is not JSON at all (truncated, binary, empty).
    case unreadableState(file: String, reason: String)
    /// `state.json` parses but a field has the wrong type or value.
    case invalidState(path: String, reason: String)
    /// `state.json` is of a version this build does not know.
    case unsupportedVersion(Int)
    /// A session id that cannot be used as a file name.
    case unsafeSessionID(String)
    /// A system call on the store failed.
    case io(SystemError)
    /// The store's lock could not be taken in time.
    case lockTimeout(String)
    /// A path inside the store is a symbolic link (writes never follow links out of `.handoff/`).
    case symlinkRefused(String)
    /// The repository belongs to another user (git's `safe.directory` rule).
    case unsafeOwnership(path: String)

    package var description: String {
        switch self {
        case .notInitialised(let root):
            return "no .handoff/ store in \(root); run `handoff init` there first"
        case .unreadableState(let file, let reason):
            return "\(file) is not valid JSON (\(reason)); run `handoff repair` to move it aside and rebuild it"
        case .invalidState(let path, let reason):
            return "state.json: \(path): \(reason); fix the field or run `handoff repair`"
        case .unsupportedVersion(let version):
            return "state.json has _version \(version), this handoff reads version 1; upgrade handoff or run `handoff repair`"
        case .unsafeSessionID(let id):
            let shown = id.count > 40 ? String(id.prefix(40)) + "…" : id
            return "refused session id \"\(shown.debugDescription.dropFirst().dropLast())\": use 1-128 characters from A-Z a-z 0-9 . _ - (not starting with a dot)"
        case .io(let error):
            return "\(error); check the permissions and free space of .handoff/"
        case .lockTimeout(let path):
            return "timed out waiting for the lock \(path); another handoff process holds it — retry in a moment"
        case .symlinkRefused(let path):
            return "\(path) is a symbolic link; handoff never writes through links — replace it with a regular file"
        case .unsafeOwnership(let path):
            return "\(path) is owned by another user; if you trust it, run `git config --global --add safe.directory \(path)`"
        }
    }
}

extension StoreError {
    /// `.unsafeOwnership(path: root)` when `error` is libgit2 refusing a repository that belongs to
    /// another user (`GitError.isOwnershipRefusal`), else nil.
    package static func ownershipRefusal(_ error: any Error, root: String) -> StoreError? {
        guard let error = error as? GitError, error.isOwnershipRefusal else { return nil }
        return .unsafeOwnership(path: root)
    }
}

/// Session ids come from hook input we do not control: only a safe alphabet and length is ever used as a file name.
package enum SessionID {
    package static func validate(_ id: String) throws(StoreError) -> String {
        guard isSafe(id) else { throw StoreError.unsafeSessionID(id) }
        return id
    }

    package static func isSafe(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...128).contains(bytes.count), bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        } && !id.contains("..")
    }
}
