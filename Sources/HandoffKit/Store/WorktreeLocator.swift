/// Finds the worktree a hook runs for, without libgit2: a hook whose store does not exist must exit
/// before paying for the library. libgit2 opens the repository only when there is work to do.
package enum WorktreeLocator {
    /// The worktree root for `start`: `GIT_WORK_TREE` when git exported it, otherwise the nearest
    /// folder upward holding `.git` (a folder, or a file in linked worktrees and submodules).
    package static func worktreeRoot(startingAt start: String, environment: Environment) -> String? {
        let cwd = FileSystem.currentDirectory()
        if let workTree = environment["GIT_WORK_TREE"] {
            return Path.normalize(workTree, relativeTo: cwd)
        }
        var folder = Path.normalize(start, relativeTo: cwd)
        for _ in 0..<256 {
            if FileSystem.exists(Path.join(folder, ".git")) { return folder }
            let parent = Path.dirname(folder)
            if parent == folder { break }
            folder = parent
        }
        // A hook run with GIT_DIR set and cwd at the top of the worktree (git does this) lands here
        // only for unusual layouts (GIT_DIR outside the tree): the cwd is then the worktree.
        if environment["GIT_DIR"] != nil { return cwd }
        return nil
    }

    /// Where an agent hook's project is: `CLAUDE_PROJECT_DIR`, else the `cwd` of the hook input, else ours.
    package static func agentProjectDirectory(inputCWD: String?, environment: Environment, workingDirectory: String? = nil) -> String {
        if let project = environment["CLAUDE_PROJECT_DIR"] { return project }
        if let inputCWD, inputCWD.hasPrefix("/") { return inputCWD }
        return workingDirectory ?? FileSystem.currentDirectory()
    }
}
