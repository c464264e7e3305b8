/// Cooperation with the hook managers that own a repository's hooks folder.
///
/// husky (v9) runs the scripts in `.husky/<hook>`: they belong to the project, are committed, and
/// `husky` regenerates only `.husky/_/` — so a marked block appended to `.husky/post-commit` and
/// `.husky/pre-push` survives a reinstall, and uninstall removes exactly that block. lefthook and
/// pre-commit keep their commands in YAML that we do not rewrite (a YAML edit that keeps every
/// comment and anchor is not something to do behind a user's back): for them the exact lines to add
/// are printed (`GitHookInstaller.manualInstructions`).
extension GitHookInstaller {
    static let huskyBegin = "# handoff-managed-lines v1: `handoff uninstall --git` removes them"
    static let huskyEnd = "# end of handoff-managed-lines"

    /// The block for one husky script. Guarded by `-x`: the script is committed, and on a teammate's
    /// machine the path may not exist. Exit codes as in our own entries: post-commit never fails;
    /// pre-push fails only on handoff-pre-push's opt-in refusal (exit 1).
    static func huskyBlock(_ hook: Hook, binDirectory: String) -> String {
        let path = Path.join(binDirectory, hook.executable)
        let quoted = "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        let call = hook.name == "pre-push"
            ? "\(quoted) \"$@\" || [ $? -ne 1 ] || exit 1"
            : "\(quoted) \"$@\" || :"
        return "\(huskyBegin)\nif [ -x \(quoted) ]; then \(call); fi\n\(huskyEnd)\n"
    }

    /// What `install` does when a manager owns the hooks: husky gets our block; the others get instructions.
    public func cooperate(_ manager: Manager, worktreeRoot root: String, binDirectory: String) throws(Failure) -> [Action] {
        guard manager == .husky, FileSystem.isDirectory(Path.join(root, ".husky")) else {
            return Self.manualInstructions(manager, binDirectory: binDirectory)
        }
        var actions: [Action] = []
        for hook in Self.hooks {
            let path = Path.join(Path.join(root, ".husky"), hook.name)
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
                actions.append(Action(kind: .updated, hook: hook.name, path: path, detail: "the executable's folder changed"))
                continue
            }
            var text = existing ?? "#!/bin/sh\n"
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            if !dryRun { try writeKeepingMode(text + block, to: path) }
            actions.append(Action(kind: .installed, hook: hook.name, path: path, detail: ""))
        }
        actions.append(Action(kind: .manual, hook: "", path: ".husky",
                              detail: "husky manages these hooks: handoff's lines were appended to .husky/post-commit and .husky/pre-push (they survive `husky` reinstalls); commit them or keep them local"))
        return actions
    }

    /// What `uninstall` does for husky: takes our block out; a file that held only our block goes.
    public func uncooperate(_ manager: Manager, worktreeRoot root: String) throws(Failure) -> [Action] {
        guard manager == .husky else { return [] }
        var actions: [Action] = []
        for hook in Self.hooks {
            let path = Path.join(Path.join(root, ".husky"), hook.name)
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
