import CLibgit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// git's index file read directly, for the fast status (GitRepository+FastStatus.swift) and for
/// `indexMatchesHead`, in the cases where that is certain to mean what libgit2 would read.
///
/// Why: libgit2 1.5 reading a 100,000-entry index allocates every entry, validates every path against
/// checkout rules (`.git` look-alikes on NTFS and HFS), hashes the whole file to check its trailing
/// SHA-1 and, when the repository is freed, frees every entry again: 280 M of the large stop gate's
/// 400 M instructions and ~20 MB of its memory (callgrind, bench/RESULTS.md), more than `git status`
/// spends in all. git itself neither validates the paths nor checks the checksum when it reads the
/// index. The fast status needs each entry's path, mode and stat data, and the cache tree's root.
///
/// What is read: versions 2 and 3, the entries into one buffer and their paths into another (no
/// per-entry allocation), and the root of the TREE extension. nil — and libgit2 reads the index as
/// before — whenever the file is anything else: version 4 (prefix-compressed paths), a required
/// extension (lowercase signature: split index `link`, sparse index `sdir`, …), an entry with a
/// stage (a conflict), with extended flags (intent-to-add, skip-worktree) or assume-valid, or a size
/// that does not add up. Like git, the checksum is not verified: every writer replaces the file
/// atomically (a lock file renamed over it), and the file is mapped once, so it cannot change under
/// the reader.
final class IndexFile {
    /// The entries, in the file's (sorted) order; each `path` points into `paths`.
    let entries: UnsafeMutableBufferPointer<git_index_entry>
    /// The file's modification time (the racy-git reference) and identity when it was mapped.
    let modified: (seconds: Int64, nanoseconds: Int64)
    let identity: Identity
    /// The cache tree's root: the tree the index holds, when git recorded it as valid for every entry.
    let rootTree: git_oid?
    /// Every path, each ended by a NUL, one after the other.
    private let paths: UnsafeMutableRawPointer

    /// What tells one version of the file from another (a writer renames a new file over it).
    struct Identity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64
        var seconds: Int64, nanoseconds: Int64, changedSeconds: Int64, changedNanoseconds: Int64

        init(_ info: stat) {
            let modified = FileTime.modification(info), changed = FileTime.change(info)
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            (seconds, nanoseconds) = modified
            (changedSeconds, changedNanoseconds) = changed
        }

        /// The identity of the file at `path` now; nil when it cannot be read.
        static func of(_ path: String) -> Identity? {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Identity(info)
        }
    }

    private init(_ parsed: Parsed, info: stat) {
        entries = parsed.entries
        paths = parsed.paths
        rootTree = parsed.rootTree
        modified = FileTime.modification(info)
        identity = Identity(info)
    }

    deinit { Parsed(entries: entries, paths: paths, rootTree: nil).deallocate() }

    /// What `parse` found; the caller owns (and deallocates) both buffers.
    struct Parsed {
        var entries: UnsafeMutableBufferPointer<git_index_entry>
        var paths: UnsafeMutableRawPointer
        var rootTree: git_oid?

        func deallocate() {
            entries.deallocate()
            paths.deallocate()
        }
    }

    static let signature: UInt32 = 0x4449_5243  // "DIRC"
    static let headerSize = 12, checksumSize = 20
    /// Bytes of an entry before its path (versions 2 and 3, without extended flags).
    static let entryFixedSize = 62
    static let flagAssumeValid: UInt16 = 0x8000, flagExtended: UInt16 = 0x4000, stageMask: UInt16 = 0x3000
    static let nameMask: UInt16 = 0x0FFF

    /// The index at `path`, or nil when it is missing or not certain to be read as libgit2 would.
    static func read(_ path: String) -> IndexFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt32(info.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG) else { return nil }
        let size = Int(info.st_size)
        guard size >= headerSize + checksumSize else { return nil }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        defer { munmap(mapped, size) }
        // Pages already parsed are dropped as the parse goes (the paths are copied out), so that the
        // file is never resident whole beside the entries: the process's peak memory is the target.
        let page = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
        var released = 0
        let parsed = parse(UnsafeRawPointer(mapped).assumingMemoryBound(to: UInt8.self), size: size) { consumed in
            let upTo = consumed / page * page
            guard upTo > released else { return }
            madvise(mapped + released, upTo - released, MADV_DONTNEED)
            released = upTo
        }
        return parsed.map { IndexFile($0, info: info) }
    }

    @inline(__always)
    private static func be32(_ bytes: UnsafePointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt32.self))
    }

    @inline(__always)
    private static func be16(_ bytes: UnsafePointer<UInt8>, _ offset: Int) -> UInt16 {
        UInt16(bigEndian: UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt16.self))
    }

    /// The entries and the cache tree's root of the index file in `bytes`; nil for anything but a
    /// well-formed version 2 or 3 index of simple entries without required extensions.
    ///
    /// `consumed(offset)` is told, every MiB or so, that the bytes before `offset` are no longer read.
    static func parse(_ bytes: UnsafePointer<UInt8>, size: Int, consumed: (Int) -> Void = { _ in }) -> Parsed? {
        guard be32(bytes, 0) == signature else { return nil }
        let version = be32(bytes, 4)
        guard version == 2 || version == 3 else { return nil }
        let count = Int(be32(bytes, 8))
        let end = size - checksumSize
        // Every entry takes at least 64 bytes (62 + a 1-byte name + its NUL), so a count the file
        // cannot hold is refused before anything is allocated.
        guard count <= (end - headerSize) / 64 else { return nil }
        let entries = UnsafeMutableBufferPointer<git_index_entry>.allocate(capacity: max(count, 1))
        // The paths with their NULs take less than the file; only the pages written become resident.
        let paths = UnsafeMutableRawPointer.allocate(byteCount: max(end - headerSize, 1), alignment: 1)
        var pathsUsed = 0, reported = 0
        var offset = headerSize
        var parsed = 0
        defer {
            if parsed < 0 {
                entries.deallocate()
                paths.deallocate()
            }
        }
        for position in 0..<count {
            guard offset + entryFixedSize + 1 < end else { parsed = -1; return nil }
            let flags = be16(bytes, offset + 60)
            guard flags & (flagAssumeValid | flagExtended | stageMask) == 0 else { parsed = -1; return nil }
            let pathStart = offset + entryFixedSize
            var nameLength = Int(flags & nameMask)
            if nameLength == Int(nameMask) {
                // 0xFFF means "this long or longer": the NUL ends the name.
                guard pathStart + nameLength < end,
                    let nul = memchr(bytes + pathStart + nameLength, 0, end - pathStart - nameLength) else { parsed = -1; return nil }
                nameLength = UnsafeRawPointer(nul) - UnsafeRawPointer(bytes + pathStart)
            }
            // The name, then 1 to 8 NULs that pad the entry to a multiple of 8 bytes.
            let entrySize = (entryFixedSize + nameLength + 8) & ~7
            guard nameLength > 0, offset + entrySize <= end, bytes[pathStart + nameLength] == 0,
                memchr(bytes + pathStart, 0, nameLength) == nil
            else { parsed = -1; return nil }

            var entry = git_index_entry()
            entry.ctime.seconds = Int32(bitPattern: be32(bytes, offset))
            entry.ctime.nanoseconds = be32(bytes, offset + 4)
            entry.mtime.seconds = Int32(bitPattern: be32(bytes, offset + 8))
            entry.mtime.nanoseconds = be32(bytes, offset + 12)
            entry.dev = be32(bytes, offset + 16)
            entry.ino = be32(bytes, offset + 20)
            entry.mode = be32(bytes, offset + 24)
            entry.uid = be32(bytes, offset + 28)
            entry.gid = be32(bytes, offset + 32)
            entry.file_size = be32(bytes, offset + 36)
            withUnsafeMutableBytes(of: &entry.id) { $0.copyMemory(from: UnsafeRawBufferPointer(start: bytes + offset + 40, count: 20)) }
            entry.flags = flags
            entry.flags_extended = 0
            memcpy(paths + pathsUsed, bytes + pathStart, nameLength + 1)
            entry.path = UnsafePointer((paths + pathsUsed).assumingMemoryBound(to: CChar.self))
            pathsUsed += nameLength + 1
            (entries.baseAddress! + position).initialize(to: entry)
            offset += entrySize
            parsed = position + 1
            if offset - reported >= 1 << 20 {
                consumed(offset)
                reported = offset
            }
        }

        // Extensions: optional ones (signature starting with an uppercase letter) may be skipped, as
        // git does; a required one changes what the entries mean.
        var rootTree: git_oid?
        while offset < end {
            guard offset + 8 <= end else { parsed = -1; return nil }
            let first = bytes[offset]
            let length = Int(be32(bytes, offset + 4))
            guard first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z"), length <= end - offset - 8 else { parsed = -1; return nil }
            if memcmp(bytes + offset, "TREE", 4) == 0 {
                rootTree = cacheTreeRoot(bytes + offset + 8, length: length, entries: count)
            }
            offset += 8 + length
        }
        return Parsed(entries: entries, paths: paths, rootTree: rootTree)
    }

    /// The root of a TREE extension: an empty path, its entry count (-1 when invalidated), its
    /// subtree count, then its tree id when valid. nil unless valid and covering all `entries`.
    static func cacheTreeRoot(_ data: UnsafePointer<UInt8>, length: Int, entries: Int) -> git_oid? {
        guard length > 0, data[0] == 0 else { return nil }
        var position = 1
        func number(until terminator: UInt8) -> Int? {
            var negative = false, value = 0, digits = 0
            if position < length, data[position] == UInt8(ascii: "-") { negative = true; position += 1 }
            while position < length, data[position] != terminator {
                let digit = Int(data[position]) - 48
                guard digit >= 0, digit <= 9, digits < 10 else { return nil }
                value = value * 10 + digit
                digits += 1
                position += 1
            }
            guard position < length, digits > 0 else { return nil }
            position += 1  // the terminator
            return negative ? -value : value
        }
        guard let count = number(until: UInt8(ascii: " ")), number(until: UInt8(ascii: "\n")) != nil,
            count == entries, position + 20 <= length
        else { return nil }
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid) { $0.copyMemory(from: UnsafeRawBufferPointer(start: data + position, count: 20)) }
        return oid
    }
}
