/// Cooperation with the hook managers that own a repository's hooks folder.
///
/// husky runs the scripts in `.husky/<hook>`: they belong to the project, are committed, and
/// `husky` regenerates only `.husky/_/` — so a marked block appended to `.husky/post-commit`,
/// `.husky/post-merge` and `.husky/pre-push` survives a reinstall, and uninstall removes exactly that
/// block. husky 9 sets `core.hooksPath` to `.husky/_` (dispatchers that run `.husky/<hook>` with
/// `sh -e`); husky 5–8 set it to `.husky` itself (git runs `.husky/<hook>` directly, so a script we
/// create is made executable). The block is appended: a script that ends with `exit` skips it
/// (`handoff doctor` only checks that the script names handoff).
///
/// lefthook and pre-commit keep their commands in YAML that we do not rewrite (a YAML edit that
/// keeps every comment and anchor is not something to do behind a user's back): for them the exact
/// lines to add are printed (`GitHookInstaller.manualInstructions`).
extension GitHookInstaller {
    static let huskyBegin = "# handoff-managed-lines v1: `handoff uninstall --git` removes them"
    static let huskyEnd = "# end of handoff-managed-lines"

    /// The block for one husky script. Guarded by `-x`: the script is committed, and on a teammate's
    /// machine the path may not exist. Exit codes as in our own entries: post-commit never fails;
    /// pre-push fails only on the pre-push hook's opt-in refusal (exit 1).
    static func huskyBlock(_ hook: Hook, binDirectory: String) -> String {
        let quoted = shellQuoted(Path.join(binDirectory, executable))
        let call = hook.name == "pre-push"
            ? "\(quoted) hook \(hook.hook.rawValue) \"$@\" || [ $? -ne 1 ] || exit 1"
            : "\(quoted) hook \(hook.hook.rawValue) \"$@\" || :"
        return "\(huskyBegin)\nif [ -x \(quoted) ]; then \(call); fi\n\(huskyEnd)\n"
    }

    /// The folder of husky's scripts when git runs hooks through husky: `core.hooksPath` is
    /// `<folder>/_` holding husky 9's dispatcher (`h`), or `<folder>` holding husky 5–8's
    /// `_/husky.sh`, or `.husky` / `.husky/_` of the worktree. Nil when git does not run husky
    /// (a `.husky` folder alone — a fresh clone before husky's install step — does not count).
    static func huskyFolder(worktreeRoot root: String, hooksDirectory: String) -> String? {
        if Path.basename(hooksDirectory) == "_",
            FileSystem.exists(Path.join(hooksDirectory, "h")) || FileSystem.exists(Path.join(hooksDirectory, "husky.sh"))
        {
            return Path.dirname(hooksDirectory)
        }
        if FileSystem.exists(Path.join(Path.join(hooksDirectory, "_"), "husky.sh")) { return hooksDirectory }
        let standard = Path.join(root, ".husky")
        if hooksDirectory == standard || hooksDirectory == Path.join(standard, "_") { return standard }
        return nil
    }

    /// What `install` does when a manager owns the hooks: husky's scripts get our block (in husky's
    /// folder as git uses it, `.husky` by default); lefthook and pre-commit get instructions.
    package func cooperate(_ manager: Manager, worktreeRoot root: String, hooksDirectory: String? = nil, binDirectory: String) throws(Failure) -> [Action] {
        let folder = hooksDirectory.flatMap { Self.huskyFolder(worktreeRoot: root, hooksDirectory: $0) } ?? Path.join(root, ".husky")
        guard manager == .husky, FileSystem.isDirectory(folder) else {
            return Self.manualInstructions(manager, binDirectory: binDirectory)
        }
        var actions: [Action] = []
        for hook in Self.hooks {
            let path = Path.join(folder, hook.name)
            let block = Self.huskyBlock(hook, binDirectory: binDirectory)
            let existing = (try? FileSystem.readText(path))
            if let existing, let range = Self.blockRange(in: existing) {
                if existing[range] == block {
                    actions.append(Action(kind: .alreadyInstalled, hook: hook.name, path: path, detail: ""))
                    continue
                }
                if !dryRun {
                    var replaced = existing
                    replaced.replaceSubrange(range, with: block)
                    try writeKeepingMode(replaced, to: path)
                }
                actions.append(Action(kind: .updated, hook: hook.name, path: path, detail: "the executable's folder or the entry's form changed"))
                continue
            }
            var text = existing ?? "#!/bin/sh\n"
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            if !dryRun { try writeKeepingMode(text + block, to: path) }
            actions.append(Action(kind: .installed, hook: hook.name, path: path, detail: ""))
        }
        let shown = root.hasSuffix("/") || !folder.hasPrefix(root + "/") ? folder : String(folder.dropFirst(root.count + 1))
        let files = Self.hooks.map { Path.join(shown, $0.name) }.joined(separator: ", ")
        actions.append(Action(kind: .note, hook: "", path: folder,
                              detail: "husky runs these hooks: handoff's lines are in \(files), between `# handoff-managed-lines` markers (they survive husky reinstalls); commit them, or keep them local"))
        return actions
    }

    /// What `uninstall` does for husky: takes our block out; a file that held only our block goes.
    package func uncooperate(_ manager: Manager, worktreeRoot root: String, hooksDirectory: String? = nil) throws(Failure) -> [Action] {
        guard manager == .husky else { return [] }
        let folder = hooksDirectory.flatMap { Self.huskyFolder(worktreeRoot: root, hooksDirectory: $0) } ?? Path.join(root, ".husky")
        var actions: [Action] = []
        for hook in Self.hooks {
            let path = Path.join(folder, hook.name)
            guard let text = try? FileSystem.readText(path), let range = Self.blockRange(in: text) else { continue }
            var remaining = text
            remaining.removeSubrange(range)
            if !dryRun {
                if remaining == "#!/bin/sh\n" || remaining.isEmpty {
                    FileSystem.remove(path)
                } else {
                    try writeKeepingMode(remaining, to: path)
                }
            }
            actions.append(Action(kind: .removed, hook: hook.name, path: path, detail: ""))
        }
        return actions
    }

    static func blockRange(in text: String) -> Range<String.Index>? {
        guard let begin = text.firstRange(of: huskyBegin + "\n"),
            let end = text[begin.upperBound...].firstRange(of: huskyEnd + "\n")
        else { return nil }
        return begin.lowerBound..<end.upperBound
    }

    private func writeKeepingMode(_ text: String, to path: String) throws(Failure) {
        let mode = FileSystem.mode(path) ?? 0o755
        do { try FileSystem.writeText(text, to: path, mode: mode) } catch { throw .io(error) }
        FileSystem.setMode(path, mode)
    }
}
