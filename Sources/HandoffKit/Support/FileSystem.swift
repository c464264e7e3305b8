#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the path it was about and `errno`'s text.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    package let call: String
    package let path: String
    package let code: Int32
    /// Said instead of `errno`'s text when the refusal is ours (not a regular file, over a size cap).
    package var detail: String?

    package init(_ call: String, path: String, code: Int32 = errno, detail: String? = nil) {
        self.call = call
        self.path = path
        self.code = code
        self.detail = detail
    }

    /// A file that is not a regular one (a FIFO, a device, a socket, a folder): never read, so that
    /// no read can block or pull from a device.
    package static func notRegularFile(_ path: String, mode: mode_t) -> SystemError {
        let kind: String
        switch mode & S_IFMT {
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        case S_IFDIR: kind = "a folder"
        case S_IFLNK: kind = "a symbolic link"
        default: kind = "not a regular file"
        }
        return SystemError("open", path: path, code: EINVAL, detail: "is \(kind), not a regular file; move it out of the way")
    }

    /// A file larger than its kind's cap: refused whole rather than read in part.
    package static func tooLarge(_ path: String, size: Int, cap: Int) -> SystemError {
        SystemError("read", path: path, code: EFBIG,
                    detail: "is \(ByteCount.describe(size)), over the \(ByteCount.describe(cap)) cap for this kind of file; move it out of the way")
    }

    package var isNotRegularFile: Bool { code == EINVAL && detail != nil }
    package var isTooLarge: Bool { code == EFBIG && detail != nil }

    package var description: String {
        if let detail { return "\(path) \(detail)" }
        return "\(call) \(path): \(String(cString: strerror(code)))"
    }
}

/// Byte counts as people read them (binary units, as the caps are set).
package enum ByteCount {
    package static func describe(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        if bytes >= 1024 * 1024 { return "\(Double(bytes * 10 / (1024 * 1024)) / 10) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}

/// Thin, allocation-light wrappers over POSIX file calls. Hooks use these instead of Foundation's
/// FileManager: they start faster and let us say exactly which call failed.
package enum FileSystem {
    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// True for a symbolic link itself (not what it points to).
    package static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// True for a regular file (following links): never a FIFO or a device, whose read could block.
    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    package static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Status-change time (ctime) of the path itself, not of what a link points to, in seconds since
    /// the epoch. Unlike the modification time it cannot be set by a program: every write, rename,
    /// chmod or link of the file moves it to the kernel's clock (`fileClockNow`).
    package static func changeTime(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return Double(info.st_ctimespec.tv_sec) + Double(info.st_ctimespec.tv_nsec) / 1e9
        #else
        return Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9
        #endif
    }

    /// The clock the kernel stamps file times with (on Linux the coarse real-time clock, a few
    /// milliseconds behind the precise one), in seconds since the epoch.
    package static func fileClockNow() -> Double {
        var spec = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        #else
        clock_gettime(CLOCK_REALTIME, &spec)
        #endif
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Modification time in seconds since the epoch.
    package static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    package static func ownerUID(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_uid)
    }

    /// Creates one directory with `mode`; succeeds when it is already there.
    package static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SystemError) {
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: path) }
    }

    package static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if isDirectory(path) { return }
        let parent = Path.dirname(path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent, mode: mode) }
        try makeDirectory(path, mode: mode)
    }

    /// Opens a file for reading without ever blocking: `O_NONBLOCK` so that opening a FIFO does not
    /// wait for a writer, then anything but a regular file is refused (`regularOnly`), so that no
    /// read can wait on a pipe or pull from a device. Store files, fetched files and config files
    /// are read this way; only a file the user names on the command line may be a pipe.
    package static func openForReading(_ path: String, regularOnly: Bool = true, noFollow: Bool = false) throws(SystemError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0) | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else {
            let code = errno
            // O_NOFOLLOW on a symbolic link fails with ELOOP: say what it is.
            if noFollow, code == ELOOP, isSymlink(path) { throw SystemError.notRegularFile(path, mode: S_IFLNK) }
            throw SystemError("open", path: path, code: code)
        }
        guard regularOnly else { return fd }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError("fstat", path: path)
            close(fd)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemError.notRegularFile(path, mode: info.st_mode)
        }
        // Back to blocking reads: on a regular file they never wait on anyone.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// A whole file of at most `cap` bytes, refused (`SystemError.isTooLarge`, naming the cap) when it
    /// is larger, rather than read in part and then misread; regular files only (`openForReading`).
    package static func readCapped(_ path: String, cap: Int, noFollow: Bool = false) throws(SystemError) -> [UInt8] {
        let fd = try openForReading(path, noFollow: noFollow)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, Int(info.st_size) > cap { throw SystemError.tooLarge(path, size: Int(info.st_size), cap: cap) }
        let bytes = try readAll(fd, path: path, limit: cap + 1)
        // The file grew between the size check and the read.
        if bytes.count > cap { throw SystemError.tooLarge(path, size: bytes.count, cap: cap) }
        return bytes
    }

    /// Up to `limit` bytes of a file (the rest is not read). Regular files only unless `regularOnly`
    /// is false, which only a path the user names on the command line may ask for.
    package static func readBytes(_ path: String, limit: Int = Int.max, regularOnly: Bool = true) throws(SystemError) -> [UInt8] {
        let fd = try openForReading(path, regularOnly: regularOnly)
        defer { close(fd) }
        return try readAll(fd, path: path, limit: limit)
    }

    static func readAll(_ fd: Int32, path: String, limit: Int) throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        if size > 0 { result.reserveCapacity(min(size, limit)) }
        // A chunk no larger than the file (one byte more, to see its end in the same read), the cap,
        // or 64 KiB: most reads here are small store and /proc files (size 0: 4 KiB chunks), and each
        // used to zero a 64 KiB buffer first.
        let chunk = max(1, min(65536, limit, size > 0 ? size + 1 : 4096))
        var buffer = [UInt8](repeating: 0, count: chunk)
        while result.count < limit {
            let want = min(buffer.count, limit - result.count)
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: path)
            }
            if got == 0 { break }
            result.append(contentsOf: buffer[0..<got])
        }
        return result
    }

    package static func readText(_ path: String) throws(SystemError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// The last `count` bytes of a file, read with one seek: the cost does not depend on the file's size.
    package static func readTail(_ path: String, count: Int) throws(SystemError) -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw SystemError("lseek", path: path) }
        let start = max(0, Int(end) - count)
        var buffer = [UInt8](repeating: 0, count: Int(end) - start)
        var filled = 0
        while filled < buffer.count {
            let got = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(start + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError("pread", path: path)
            }
            if got == 0 { break }
            filled += got
        }
        return Array(buffer[0..<filled])
    }

    /// How much a replacement pays to survive a power cut. Every level is atomic for readers and for
    /// killed writers (the old file or the new one, never a mix); they differ only after a crash of
    /// the machine, and in the fsyncs a hook waits for (each one waits for the disk's journal, which
    /// on a busy machine is tens of milliseconds).
    package enum Durability: Sendable {
        /// fsync of the data and of the folder: the new file survives a power cut. Handovers,
        /// settings, installed hooks.
        case durable
        /// fsync of the data only: after a power cut the file is the old one or the new one, never
        /// empty. What hooks use for incremental `state.json` updates (rebuildable from the events).
        case dataOnly
        /// No fsync, like git's own ref updates: after a power cut the file may be old or unreadable.
        /// For per-session scratch records and ledgers that the event log can replace.
        case none
    }

    /// Writes `bytes` so that a reader sees either the old file or the new one, never a mix:
    /// a temporary file in the same folder, fsync, rename over the target, fsync the folder (the
    /// fsyncs as `durability` asks). The temporary file is refused if the target's folder is reached
    /// through a symbolic link out of the store (callers check paths; here we only never follow a
    /// link at the final name).
    package static func writeAtomically(
        _ bytes: [UInt8], to path: String, mode: mode_t = 0o600, durability: Durability = .durable
    ) throws(SystemError) {
        let folder = Path.dirname(path)
        let temporary = "\(folder)/.\(Path.basename(path)).tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemError("open", path: temporary) }
        var failure: SystemError?
        if !writeAll(fd, bytes) {
            failure = SystemError("write", path: temporary)
        } else if durability != .none, fsync(fd) != 0 {
            failure = SystemError("fsync", path: temporary)
        }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = SystemError("rename", path: path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        if durability == .durable { syncDirectory(folder) }
    }

    package static func writeText(
        _ text: String, to path: String, mode: mode_t = 0o600, durability: Durability = .durable
    ) throws(SystemError) {
        try writeAtomically(Array(text.utf8), to: path, mode: mode, durability: durability)
    }

    /// Appends one record in a single `write(2)` on an `O_APPEND` descriptor, so concurrent
    /// appenders never interleave inside a line.
    package static func appendRecord(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemError("open", path: path) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { buffer -> Int in
            var result: Int
            repeat { result = write(fd, buffer.baseAddress, buffer.count) } while result < 0 && errno == EINTR
            return result
        }
        guard written == bytes.count else { throw SystemError("write", path: path, code: written < 0 ? errno : EIO) }
    }

    /// Appends one newline-terminated record so that it is either whole in the file or absent, and
    /// never glued to a torn line an earlier failure left:
    /// - a file that does not end in a newline (a writer died, or ran out of space, mid-line) gets
    ///   one first, so the torn fragment stays a line of its own and this record is readable (when
    ///   the missing newline belongs to an append still in flight, the cost is an empty line);
    /// - a write that the file-size limit (`ulimit -f`) or a full disk could cut short is not
    ///   started: the limit is checked and the space reserved (`fallocate`) first;
    /// - should a write still be cut short, the torn line is ended with a newline when possible.
    /// Concurrent appenders never interleave inside a record (one `write(2)` on `O_APPEND`).
    package static func appendWholeRecord(_ record: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        // Going past the file-size limit must fail the write, not kill the process (SIGXFSZ).
        signal(SIGXFSZ, SIG_IGN)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemError("open", path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("fstat", path: path) }
        let size = Int(info.st_size)
        var bytes = record
        if size > 0 {
            var last: UInt8 = 0x0A
            let readFD = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            if readFD >= 0 {
                if pread(readFD, &last, 1, off_t(size - 1)) != 1 { last = 0x0A }
                close(readFD)
            }
            if last != 0x0A { bytes.insert(0x0A, at: 0) }
        }
        var limit = rlimit()
        #if canImport(Glibc)
        let limitRead = getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0
        #else
        let limitRead = getrlimit(RLIMIT_FSIZE, &limit) == 0
        #endif
        if limitRead, limit.rlim_cur != rlim_t.max, UInt64(size + bytes.count) > UInt64(limit.rlim_cur) {
            throw SystemError("write", path: path, code: EFBIG)
        }
        #if canImport(Glibc)
        // FALLOC_FL_KEEP_SIZE (1): reserve the blocks past the end without changing the size.
        if let reserve = linuxFallocate, reserve(fd, 1, off_t(size), off_t(bytes.count)) != 0, errno == ENOSPC || errno == EDQUOT {
            throw SystemError("write", path: path, code: errno)
        }
        #endif
        let written = bytes.withUnsafeBytes { buffer -> Int in
            var result: Int
            repeat { result = write(fd, buffer.baseAddress, buffer.count) } while result < 0 && errno == EINTR
            return result
        }
        guard written == bytes.count else {
            let code = written < 0 ? errno : ENOSPC
            if written > 0 {
                var newline: UInt8 = 0x0A
                _ = write(fd, &newline, 1)
            }
            throw SystemError("write", path: path, code: code)
        }
    }

    #if canImport(Glibc)
    /// glibc's `fallocate(2)` wrapper, which Swift's Glibc module does not declare (it needs _GNU_SOURCE).
    private static let linuxFallocate: (@convention(c) (Int32, Int32, off_t, off_t) -> Int32)? = {
        guard let symbol = dlsym(nil, "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32, off_t, off_t) -> Int32).self)
    }()
    #endif

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let result = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += result
            }
            return true
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    package static func remove(_ path: String) {
        unlink(path)
    }

    package static func move(_ source: String, to destination: String) throws(SystemError) {
        if rename(source, destination) != 0 { throw SystemError("rename", path: source) }
    }

    package static func setMode(_ path: String, _ mode: mode_t) {
        chmod(path, mode)
    }

    package static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Names in a folder, without "." and "..". Empty when the folder cannot be read.
    package static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    package static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return cString(buffer)
    }

    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    package static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return cString(buffer)
    }
}

/// String path helpers (no Foundation URL on the hot path).
package enum Path {
    package static func join(_ base: String, _ component: String) -> String {
        if component.hasPrefix("/") { return component }
        if base.isEmpty { return component }
        return base.hasSuffix("/") ? base + component : base + "/" + component
    }

    package static func dirname(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    package static func basename(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// Makes `path` absolute against `base` and removes "." and ".." lexically.
    package static func normalize(_ path: String, relativeTo base: String) -> String {
        let absolute = path.hasPrefix("/") ? path : join(base, path)
        var parts: [Substring] = []
        for part in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `path` relative to `root` when it lies inside it, else nil.
    package static func relative(_ path: String, to root: String) -> String? {
        let rootSlash = root.hasSuffix("/") ? root : root + "/"
        if path == root { return "." }
        guard path.hasPrefix(rootSlash) else { return nil }
        return String(path.dropFirst(rootSlash.count))
    }
}
