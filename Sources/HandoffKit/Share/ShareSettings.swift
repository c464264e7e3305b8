#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sharing handovers through the repository's own remote: the choice and its knobs, all in git config
/// (local to the repository), so that they survive a wiped `.handoff/` and travel with nothing.
///
/// - `handoff.share` (bool, default false): sharing is on.
/// - `handoff.shareClone`: this clone's id (random, written by `handoff share on`); tells two clones
///   on one host apart in a handover's origin.
/// - `handoff.shareSnapshots` (bool, default false): compaction snapshots are shared too.
/// - `handoff.shareTimeout` (seconds, default 10): the bound on each push or fetch of handovers.
/// - `handoff.shareKeep` (count, default 100): the history cap: past it, a branch's shared history is
///   rewritten as a fresh chain of its newest handovers (`ShareHistoryCap`).
package struct ShareSettings: Sendable, Equatable {
    package static let enabledKey = "handoff.share"
    package static let cloneKey = "handoff.shareclone"
    package static let snapshotsKey = "handoff.sharesnapshots"
    package static let timeoutKey = "handoff.sharetimeout"
    package static let keepKey = "handoff.sharekeep"

    /// Local handover refs: `refs/handoff/<branch>`.
    package static let refPrefix = "refs/handoff/"
    /// What was last fetched from (or pushed to) a remote: `refs/handoff-remotes/<remote>/<branch>`.
    /// Not under `refs/remotes/`, so `git branch -r` and checkouts never see handovers as branches.
    package static let trackingPrefix = "refs/handoff-remotes/"

    /// Set by handoff on its own `git push`: the pre-push hook it triggers shares nothing (no recursion).
    package static let recursionGuard = "HANDOFF_SHARE_PUSH"

    package var enabled = false
    package var clone: String?
    package var snapshots = false
    package var timeout: Double = 10
    package var keep = 100
    /// Why `handoff.shareTimeout` as set is not used (not a number, not above 0, over 300 s), nil when
    /// it is used or unset: `handoff doctor` and `handoff share status` say so instead of a silent 10 s.
    package var timeoutProblem: String?

    package init() {}

    package static func read(_ config: (String) -> String?) -> ShareSettings {
        var settings = ShareSettings()
        settings.enabled = isTrue(config(enabledKey))
        settings.clone = config(cloneKey).map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        settings.snapshots = isTrue(config(snapshotsKey))
        if let text = config(timeoutKey) {
            if let value = Double(text.trimmed), value.isFinite, value > 0 {
                settings.timeout = min(value, 300)
                if value > 300 { settings.timeoutProblem = "handoff.shareTimeout \(text.trimmed) is over the 300 s maximum; 300 s is used" }
            } else {
                settings.timeoutProblem = "handoff.shareTimeout \"\(String(text.prefix(40)))\" is not a number of seconds above 0; the default 10 s is used"
            }
        }
        if let text = config(keepKey), let value = Int(text.trimmed), value > 0 { settings.keep = value }
        return settings
    }

    /// git's boolean spellings.
    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.trimmed.lowercased() else { return false }
        return ["true", "yes", "on", "1"].contains(value)
    }

    package static func localRef(branch: String) -> String { refPrefix + branch }
    package static func trackingRef(remote: String, branch: String) -> String { trackingPrefix + remote + "/" + branch }
    /// The fetch refspec `handoff share on` adds to a remote: its handovers come with every `git fetch`.
    package static func fetchRefspec(remote: String) -> String { "+\(refPrefix)*:\(trackingPrefix)\(remote)/*" }

    /// A fresh clone id: 12 hex digits from the kernel's random source.
    package static func newCloneID() -> String {
        var bytes = [UInt8](repeating: 0, count: 6)
        let fd = open("/dev/urandom", O_RDONLY)
        if fd >= 0 {
            _ = bytes.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, $0.count) }
            close(fd)
        } else {
            let now = Timestamp.now().milliseconds ^ Int64(getpid())
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: now >> (index * 8)) }
        }
        return bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

/// `read(2)` under a name that a type's own `read` cannot shadow.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
