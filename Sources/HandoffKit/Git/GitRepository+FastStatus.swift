import CLibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast path of `GitRepository.status`: what `git status` does, in the cases where it provably
/// gives libgit2's answer, and nil ("not certain") in every other case so that libgit2 answers.
///
/// Why: libgit2's workdir diff is single-threaded and lstat()s every file of the worktree itself,
/// tracked or not; on 100,000 files that is ~250 ms of system time, where `git status` lstat()s the
/// index entries on several threads and lists folders with `readdir` + `d_type`.
///
/// How, when nothing is staged (`indexMatchesHead`) and the index holds nothing unusual:
/// - tracked files: every index entry is lstat()ed on a few threads; an entry whose stat data
///   matches the index exactly and is not racily clean (git's racy-git rule) is unchanged, as libgit2
///   itself would conclude without reading it. The others are candidates, and one libgit2 status
///   limited to exactly those paths gives their verdict (deleted, modified, type change, or nothing
///   for a file merely touched).
/// - untracked: the worktree's folders are listed with `readdir` (the type comes from `d_type`),
///   names are looked up in the sorted index, and only names that are not tracked meet the ignore
///   rules (`git_ignore_path_is_ignored`). A folder with nothing tracked inside is reported as one
///   `dir/` entry when it holds at least one file that is not ignored, as libgit2 does.
extension GitRepository {
    /// More candidates than this and libgit2's own full status is the better deal. Candidates are
    /// judged by one libgit2 status limited to their paths, which reads only their folders and
    /// hashes only them, so even thousands cost less than the full status (measured on 100,000
    /// files: 1,000 touched files 262 ms against 388 ms, 5,000: 472 against 587, 20,000: 1.21 s against
    /// 1.26 s); past a quarter of the index the two converge and libgit2 answers alone.
    static func fastStatusCandidateLimit(entries: Int) -> Int { max(500, entries / 4) }
    /// More ignore-rule look-ups than this (many untracked, ignored files: build products next to
    /// sources, an untracked folder of ignored files) and libgit2's iterator, which keeps the rules of
    /// each folder as it goes, is the better deal. One look-up costs about 4 µs (a few stats of the
    /// ignore files on its way): on 100,000 files, 7,900 of them gave 242 ms against libgit2's 420.
    static let fastStatusIgnoreCheckLimit = 20_000

    /// The fast status when it is certain to equal libgit2's, else nil.
    func fastStatus(limit: Int) -> WorkingTreeStatus? {
        guard indexMatchesHead() else { return nil }
        return fastStatusWhenNothingIsStaged(limit: limit)
    }

    /// `fastStatus` for a caller that already knows the index holds HEAD's tree.
    func fastStatusWhenNothingIsStaged(limit: Int) -> WorkingTreeStatus? {
        guard let workdir else { return nil }
        // Case-insensitive and Unicode-normalising worktrees compare names differently: libgit2.
        guard configBool("core.ignorecase") == false, configBool("core.precomposeunicode") == false else { return nil }
        // A git dir inside the worktree under another name than `.git` would have to be skipped too.
        if gitDir.hasPrefix(workdir + "/"), gitDir != workdir + "/.git", !gitDir.hasPrefix(workdir + "/.git/") { return nil }

        // The entries, from the file itself when it is a plain index (IndexFile), else from libgit2.
        // Whichever holds them (`direct`, or libgit2's iterator, a snapshot) keeps them valid until
        // this function returns, after every lstat thread has been joined.
        let direct = directIndex()
        var index: OpaquePointer?
        var iterator: OpaquePointer?
        defer {
            if let iterator { git_index_iterator_free(iterator) }
            if let index { git_index_free(index) }
        }
        let total: Int
        let stamp: (seconds: Int64, nanoseconds: Int64)
        if let direct {
            total = direct.entries.count
            stamp = direct.modified
        } else {
            guard git_repository_index(&index, handle) == 0 else { return nil }
            // The index's own time, taken before (re)reading it: an older stamp only makes more
            // entries racy, never fewer.
            guard let indexPath = git_index_path(index) else { return nil }
            var indexInfo = stat()
            guard stat(indexPath, &indexInfo) == 0 else { return nil }
            stamp = FileTime.modification(indexInfo)
            guard git_index_read(index, 0) == 0, git_index_has_conflicts(index) == 0,
                git_index_iterator_new(&iterator, index) == 0
            else { return nil }
            total = git_index_entrycount(index)
        }
        let entries = UnsafeMutableBufferPointer<UnsafePointer<git_index_entry>>.allocate(capacity: max(total, 1))
        defer { entries.deallocate() }
        var count = 0
        func add(_ entry: UnsafePointer<git_index_entry>) -> Bool {
            guard count < total, FastStatusIndex.isSimple(entry.pointee) else { return false }
            // Strictly sorted paths (no duplicate, no conflict stage): the walk relies on it.
            if count > 0, strcmp(entries[count - 1].pointee.path, entry.pointee.path) >= 0 { return false }
            entries[count] = entry
            count += 1
            return true
        }
        if let direct {
            for position in 0..<total {
                guard add(UnsafePointer(direct.entries.baseAddress! + position)) else { return nil }
            }
        } else {
            var next: UnsafePointer<git_index_entry>?
            while git_index_iterator_next(&next, iterator) == 0, let entry = next {
                guard add(entry) else { return nil }
            }
        }
        guard count == total else { return nil }

        let rootFD = FastStatusIndex.openFolder(workdir)
        guard rootFD >= 0 else { return nil }
        defer { close(rootFD) }

        let verdicts = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(count, 1))
        defer { verdicts.deallocate() }
        let shared = FastStatusIndex(entries: UnsafeBufferPointer(rebasing: entries[0..<count]), verdicts: verdicts,
                                     rootFD: rootFD, stamp: stamp)
        var walker = UntrackedWalker(repository: handle, index: shared)

        // Small indexes are judged on this thread; large ones on a few threads while this one walks.
        let judged = count
        let threads = count < 4_096 ? 0 : min(4, max(2, ParallelWork.processorCount))
        if threads == 0 {
            walker.walk()
            shared.judge(0..<count)
        } else {
            ParallelWork.run(threads, { part in
                shared.judge((judged * part / threads)..<(judged * (part + 1) / threads))
            }, meanwhile: { walker.walk() })
        }
        guard !walker.unsure else { return nil }

        var candidates: [String] = []
        let candidateLimit = Self.fastStatusCandidateLimit(entries: count)
        for position in 0..<count {
            switch verdicts[position] {
            case FastStatusIndex.unchanged, FastStatusIndex.submodule: continue
            case FastStatusIndex.candidate:
                let path = String(cString: entries[position].pointee.path)
                if Self.isHandoffPath(path) { continue }
                candidates.append(path)
                if candidates.count > candidateLimit { return nil }
            default: return nil
            }
        }

        var result = walker.untracked.map { StatusEntry(path: $0, kind: .untracked) }
        if !candidates.isEmpty {
            guard let tracked = try? statusOfTrackedPaths(candidates) else { return nil }
            result += tracked
        }
        result.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        if result.count > limit { result.removeSubrange(limit...) }
        return WorkingTreeStatus(entries: result)
    }

    /// libgit2's verdict on exactly these tracked paths (the index-to-workdir half of its status,
    /// with the same options as the full one, limited by an exact path list).
    private func statusOfTrackedPaths(_ paths: [String]) throws(GitError) -> [StatusEntry] {
        var options = git_status_options()
        try LibGit2.check("git_status_options_init", git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)))
        options.show = GIT_STATUS_SHOW_WORKDIR_ONLY
        options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
        let strings = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: paths.count)
        defer {
            for position in 0..<paths.count { free(strings[position]) }
            strings.deallocate()
        }
        for (position, path) in paths.enumerated() { strings[position] = strdup(path) }
        options.pathspec = git_strarray(strings: strings, count: paths.count)
        return try collectStatus(options: &options, limit: Int.max)
    }

    /// The index read directly (IndexFile) when that is the file libgit2 would read — not when
    /// `GIT_INDEX_FILE` names another — and a plain one; nil sends the caller to libgit2. Read again
    /// only when the file changed (every writer renames a new one over it).
    func directIndex() -> IndexFile? {
        guard environment["GIT_INDEX_FILE"] == nil else { return nil }
        let path = Path.join(gitDir, "index")
        if let cached = indexFileCache, IndexFile.Identity.of(path) == cached.identity { return cached }
        indexFileCache = IndexFile.read(path)
        return indexFileCache
    }

    static func isHandoffPath(_ path: String) -> Bool {
        path == ".handoff" || path.hasPrefix(".handoff/")
    }

    /// A boolean from the configuration; nil when it cannot be read (not when it is unset: false).
    private func configBool(_ name: String) -> Bool? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: Int32 = 0
        let result = git_config_get_bool(&value, config, name)
        if result == GIT_ENOTFOUND.rawValue { return false }
        return result == 0 ? value != 0 : nil
    }
}

/// Seconds and nanoseconds of a stat's times, on every platform.
enum FileTime {
    static func modification(_ info: stat) -> (seconds: Int64, nanoseconds: Int64) {
        #if canImport(Darwin)
        return (Int64(info.st_mtimespec.tv_sec), Int64(info.st_mtimespec.tv_nsec))
        #else
        return (Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec))
        #endif
    }

    static func change(_ info: stat) -> (seconds: Int64, nanoseconds: Int64) {
        #if canImport(Darwin)
        return (Int64(info.st_ctimespec.tv_sec), Int64(info.st_ctimespec.tv_nsec))
        #else
        return (Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec))
        #endif
    }
}

/// The index entries and one verdict per entry, shared with the lstat threads. Each thread writes
/// only its own range of `verdicts` and reads only immutable data: the entries stay alive because
/// the caller holds an index iterator (a snapshot) until every thread has been joined.
struct FastStatusIndex: @unchecked Sendable {
    let entries: UnsafeBufferPointer<UnsafePointer<git_index_entry>>
    let verdicts: UnsafeMutableBufferPointer<UInt8>
    let rootFD: Int32
    let stamp: (seconds: Int64, nanoseconds: Int64)

    static let unchanged: UInt8 = 0
    /// Stat data differs, the file is missing, or it is racily clean: libgit2 decides.
    static let candidate: UInt8 = 1
    /// A gitlink whose folder exists: left out, as `GIT_STATUS_OPT_EXCLUDE_SUBMODULES` does.
    static let submodule: UInt8 = 2
    /// Anything else (a gitlink that is not a folder): the whole status goes to libgit2.
    static let unsure: UInt8 = 3

    static let gitlinkMode: UInt32 = 0o160000

    static func openFolder(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    /// An entry the fast path can judge: stage 0, not assume-valid, not skip-worktree, not intent-to-add.
    static func isSimple(_ entry: git_index_entry) -> Bool {
        let stageMask = UInt16(GIT_INDEX_ENTRY_STAGEMASK)
        let valid = UInt16(GIT_INDEX_ENTRY_VALID.rawValue)
        let extended = UInt16(GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue | GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
        return entry.flags & (stageMask | valid) == 0 && entry.flags_extended & extended == 0 && entry.path != nil
    }

    func judge(_ range: Range<Int>) {
        for position in range { verdicts[position] = verdict(entries[position].pointee) }
    }

    private func verdict(_ entry: git_index_entry) -> UInt8 {
        var info = stat()
        let found = fstatat(rootFD, entry.path, &info, AT_SYMLINK_NOFOLLOW) == 0
        let type = UInt32(info.st_mode) & UInt32(S_IFMT)
        if entry.mode == Self.gitlinkMode {
            return found && type == UInt32(S_IFDIR) ? Self.submodule : Self.unsure
        }
        guard found, Self.canonicalMode(info) == entry.mode,
            UInt32(truncatingIfNeeded: info.st_size) == entry.file_size,
            UInt32(truncatingIfNeeded: info.st_ino) == entry.ino,
            UInt32(info.st_uid) == entry.uid, UInt32(info.st_gid) == entry.gid
        else { return Self.candidate }
        let modified = FileTime.modification(info), changed = FileTime.change(info)
        guard Int32(truncatingIfNeeded: modified.seconds) == entry.mtime.seconds,
            UInt32(truncatingIfNeeded: modified.nanoseconds) == entry.mtime.nanoseconds,
            Int32(truncatingIfNeeded: changed.seconds) == entry.ctime.seconds,
            UInt32(truncatingIfNeeded: changed.nanoseconds) == entry.ctime.nanoseconds
        else { return Self.candidate }
        // Racily clean: recorded no earlier than the index was written, so a change within the same
        // timestamp would not show in the stat data. Unchanged only when strictly older.
        let seconds = Int64(entry.mtime.seconds), nanoseconds = Int64(entry.mtime.nanoseconds)
        let older = seconds < stamp.seconds || (seconds == stamp.seconds && nanoseconds < stamp.nanoseconds)
        return older ? Self.unchanged : Self.candidate
    }

    /// The mode git records for what lstat found: 100755 or 100644 for a file (owner's exec bit),
    /// 120000 for a symbolic link; anything else never matches a file entry.
    static func canonicalMode(_ info: stat) -> UInt32 {
        let mode = UInt32(info.st_mode)
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): return mode & 0o100 != 0 ? 0o100755 : 0o100644
        case UInt32(S_IFLNK): return 0o120000
        case UInt32(S_IFDIR): return 0o040000
        default: return 0
        }
    }

    /// The first position in `range` whose path is not below `key` (NUL-terminated bytes).
    func lowerBound(_ key: UnsafePointer<CChar>, in range: Range<Int>) -> Int {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if strcmp(entries[middle].pointee.path, key) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Lists the worktree's folders and finds what is untracked, on the calling thread (it asks libgit2
/// about ignore rules). Sets `unsure` whenever libgit2's answer could differ from its own.
///
/// Tracked names are found by binary search in the index range of the folder being listed, comparing
/// only the bytes after the folder's prefix; paths are built only for what is not tracked.
struct UntrackedWalker {
    private let repository: OpaquePointer
    private let index: FastStatusIndex
    /// Untracked paths, folders with a trailing slash.
    private(set) var untracked: [String] = []
    private(set) var unsure = false
    private var ignoreChecks = 0
    /// The relative path being looked at, without NUL; a folder's prefix ends with "/".
    private var path: [UInt8] = []

    private static let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/"), zero = UInt8(ascii: "0")
    private static let dotGit: [UInt8] = Array(".git".utf8)

    init(repository: OpaquePointer, index: FastStatusIndex) {
        self.repository = repository
        self.index = index
        path.reserveCapacity(4096)
    }

    mutating func walk() {
        walkTracked(prefixLength: 0, range: 0..<index.entries.count)
    }

    /// The kind of a folder entry: what `d_type` says, or lstat when it does not know.
    private enum Kind: UInt8 { case file, link, folder, other }

    /// One folder's names, each followed by a NUL, and where each starts, how long it is, its kind.
    private struct Listing {
        var names: [UInt8] = []
        var spans: [(start: Int32, count: Int32, kind: Kind)] = []
    }

    /// Reads the folder at `path` (the worktree root when empty; otherwise ending with "/").
    /// nil when it cannot be read.
    private mutating func list() -> Listing? {
        let prefixLength = path.count
        let fd: Int32
        if prefixLength == 0 {
            fd = openat(index.rootFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        } else {
            path[prefixLength - 1] = 0  // the trailing slash becomes the terminator
            fd = path.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    openat(index.rootFD, $0.baseAddress!, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
            }
            path[prefixLength - 1] = Self.slash
        }
        guard fd >= 0, let directory = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            return nil
        }
        defer { closedir(directory) }
        var listing = Listing()
        listing.names.reserveCapacity(2048)
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { return nil }
                break
            }
            let type = entry.pointee.d_type
            let start = listing.names.count
            let length = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Int in
                let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                listing.names.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<length]))
                return length
            }
            listing.names.append(0)
            // "." and ".."
            if listing.names[start] == Self.dot && (length == 1 || (length == 2 && listing.names[start + 1] == Self.dot)) {
                listing.names.removeSubrange(start...)
                continue
            }
            let kind: Kind
            switch Int32(type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_LNK): kind = .link
            case Int32(DT_DIR): kind = .folder
            case Int32(DT_UNKNOWN):
                path.append(contentsOf: listing.names[start..<(start + length)])
                kind = lstatKind() ?? .other
                path.removeSubrange(prefixLength...)
            default: kind = .other
            }
            listing.spans.append((Int32(start), Int32(length), kind))
        }
        return listing
    }

    /// The kind of `path` by lstat (nil when it is gone).
    private mutating func lstatKind() -> Kind? {
        var info = stat()
        let rootFD = index.rootFD
        guard withCPath({ fstatat(rootFD, $0, &info, AT_SYMLINK_NOFOLLOW) == 0 }) else { return nil }
        switch UInt32(info.st_mode) & UInt32(S_IFMT) {
        case UInt32(S_IFREG): return .file
        case UInt32(S_IFLNK): return .link
        case UInt32(S_IFDIR): return .folder
        default: return .other
        }
    }

    /// True when `path` (a symbolic link) points at a folder.
    private mutating func linkPointsAtFolder() -> Bool {
        var info = stat()
        let rootFD = index.rootFD
        return withCPath { fstatat(rootFD, $0, &info, 0) == 0 } && UInt32(info.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR)
    }

    private mutating func withCPath<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        path.append(0)
        defer { path.removeLast() }
        return path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    /// libgit2's ignore rules for `path` (which covers its parent folders). Sets `unsure` on error
    /// or when too many look-ups were needed.
    private mutating func isIgnored() -> Bool {
        ignoreChecks += 1
        if ignoreChecks > GitRepository.fastStatusIgnoreCheckLimit { unsure = true }
        var ignored: Int32 = 0
        let repository = repository
        let result = withCPath { git_ignore_path_is_ignored(&ignored, repository, $0) }
        if result != 0 { unsure = true }
        return ignored != 0
    }

    /// Compares the entry at `position`, past the `skip` bytes every entry of the range shares, with
    /// `name` followed by `suffix` (when not 0).
    @inline(__always)
    private func compare(_ position: Int, skip: Int, _ name: UnsafePointer<CChar>, _ length: Int, suffix: UInt8) -> Int32 {
        let rest = index.entries[position].pointee.path! + skip
        let head = strncmp(rest, name, length)
        if head != 0 { return head }
        let next = UInt8(bitPattern: rest[length])
        if suffix == 0 { return next == 0 ? 0 : 1 }
        return next == suffix ? (rest[length + 1] == 0 ? 0 : 1) : (next < suffix ? -1 : 1)
    }

    /// The first position of `range` not below `name` + `suffix`.
    @inline(__always)
    private func lowerBound(_ name: UnsafePointer<CChar>, _ length: Int, suffix: UInt8, skip: Int, in range: Range<Int>) -> Int {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = (low + high) &>> 1
            if compare(middle, skip: skip, name, length, suffix: suffix) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A folder with tracked entries in `range` (all of them below it), at `path` (empty for the root,
    /// else ending with "/"): every name in it is tracked, a folder holding tracked entries (walked),
    /// or untracked.
    private mutating func walkTracked(prefixLength: Int, range: Range<Int>) {
        guard !unsure else { return }
        guard let listing = list() else {
            unsure = true
            return
        }
        // Whether this folder is itself ignored (a tracked folder can be): then everything untracked
        // in it is ignored too, as libgit2 and git decide. Looked up only when needed.
        var folderIgnored: Bool?
        listing.names.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            for span in listing.spans {
                guard !unsure else { return }
                if span.kind == .other { continue }  // fifos, sockets, devices: libgit2 skips them
                let name = base + Int(span.start), length = Int(span.count)
                if prefixLength == 0 && (strcmp(name, ".git") == 0 || strcmp(name, ".handoff") == 0) { continue }

                let exact = lowerBound(name, length, suffix: 0, skip: prefixLength, in: range)
                let isTracked = exact < range.upperBound && compare(exact, skip: prefixLength, name, length, suffix: 0) == 0
                if isTracked && span.kind != .folder { continue }  // the common case: a tracked file
                let belowStart = lowerBound(name, length, suffix: Self.slash, skip: prefixLength, in: exact..<range.upperBound)
                let belowEnd = lowerBound(name, length, suffix: Self.zero, skip: prefixLength, in: belowStart..<range.upperBound)

                path.removeSubrange(prefixLength...)
                path.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
                if span.kind == .folder {
                    if isTracked && index.entries[exact].pointee.mode == FastStatusIndex.gitlinkMode { continue }
                    if belowStart < belowEnd {
                        path.append(Self.slash)
                        walkTracked(prefixLength: path.count, range: belowStart..<belowEnd)
                        continue
                    }
                    // Nothing tracked inside (a tracked file replaced by a folder included: the entry
                    // is a candidate of its own, and the folder is untracked).
                    if folderIsIgnored(&folderIgnored, prefixLength: prefixLength) || isIgnored() { continue }
                    path.append(Self.slash)
                    guard let found = holdsUnignoredFile() else {
                        unsure = true
                        return
                    }
                    if found { untracked.append(String(decoding: path, as: UTF8.self)) }
                } else {
                    // A file or link where tracked entries expect a folder: libgit2 does not look
                    // through the link, while lstat of those entries would. Leave it to libgit2.
                    if belowStart < belowEnd {
                        unsure = true
                        return
                    }
                    if folderIsIgnored(&folderIgnored, prefixLength: prefixLength) { continue }
                    // The ignore look-up follows links to decide "folder"; libgit2's walk does not.
                    if span.kind == .link && linkPointsAtFolder() {
                        unsure = true
                        return
                    }
                    if !isIgnored() { untracked.append(String(decoding: path, as: UTF8.self)) }
                }
            }
        }
        path.removeSubrange(prefixLength...)
    }

    private mutating func folderIsIgnored(_ cached: inout Bool?, prefixLength: Int) -> Bool {
        if prefixLength == 0 { return false }
        if let cached { return cached }
        let saved = path
        path.removeSubrange((prefixLength - 1)...)
        let ignored = isIgnored()
        path = saved
        cached = ignored
        return ignored
    }

    /// Whether the untracked folder at `path` (ending with "/") holds, at any depth, a file that is
    /// not ignored; ignored folders are not entered. nil when unsure.
    private mutating func holdsUnignoredFile() -> Bool? {
        let prefixLength = path.count
        guard let listing = list() else { return nil }
        defer { path.removeSubrange(prefixLength...) }
        func name(_ span: (start: Int32, count: Int32, kind: Kind)) -> ArraySlice<UInt8> {
            listing.names[Int(span.start)..<Int(span.start + span.count)]
        }
        // A nested repository (a `.git` folder or file) makes git list the folder even when it holds
        // nothing else; libgit2's ignore rules call `.git` ignored, so ask before them.
        for span in listing.spans where span.count == 4 && name(span) == Self.dotGit[...] { return true }
        // Files first: usually one answers at once.
        for span in listing.spans where span.kind == .file || span.kind == .link {
            path.removeSubrange(prefixLength...)
            path.append(contentsOf: name(span))
            if span.kind == .link && linkPointsAtFolder() { return nil }
            let ignored = isIgnored()
            if unsure { return nil }
            if !ignored { return true }
        }
        for span in listing.spans where span.kind == .folder {
            path.removeSubrange(prefixLength...)
            path.append(contentsOf: name(span))
            let ignored = isIgnored()
            if unsure { return nil }
            if ignored { continue }
            path.append(Self.slash)
            guard let found = holdsUnignoredFile() else { return nil }
            if found { return true }
        }
        return false
    }
}
