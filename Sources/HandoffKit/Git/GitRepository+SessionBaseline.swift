import CLibgit2

/// The git facts behind a session's start baseline (SessionWork.startBaseline and untouchedSinceStart):
/// cheap ones, so that session start never waits for a full status on a large repository.
extension GitRepository {
    /// The number of entries the index file declares in its 12-byte header, without reading the
    /// rest; nil when there is no index or its header is not one git writes. With a split index this
    /// is the count of the part in `index` only, which errs towards "small".
    package func indexEntryCountFromHeader() -> Int? {
        guard let header = try? FileSystem.readBytes(Path.join(gitDir, "index"), limit: 12), header.count == 12,
            header[0...3] == [0x44, 0x49, 0x52, 0x43]  // "DIRC"
        else { return nil }
        return header[8...11].reduce(0) { $0 << 8 | Int($1) }
    }

    /// True when `path` (a status path; a trailing slash names a folder) is the same object with the
    /// same mode in both commits' trees, or absent from both; nil commits mean the empty tree. False
    /// whenever that cannot be told (unknown is never "same").
    func pathIsUnchanged(_ path: String, between first: String?, and second: String?) -> Bool {
        if first == second { return true }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let a = treeEntry(trimmed, in: first), let b = treeEntry(trimmed, in: second) else { return false }
        return a == b
    }

    private enum TreeEntry: Equatable {
        case absent
        case object(id: String, mode: UInt32)
    }

    /// nil when the lookup failed for another reason than "not there".
    private func treeEntry(_ path: String, in commit: String?) -> TreeEntry? {
        guard let commit else { return .absent }
        var tree: OpaquePointer?
        guard git_revparse_single(&tree, handle, commit + "^{tree}") == 0 else { return nil }
        defer { git_object_free(tree) }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue { return .absent }
        guard result == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        return .object(id: Self.oidString(git_tree_entry_id(entry)), mode: git_tree_entry_filemode(entry).rawValue)
    }
}
