/// Whether handoff's agent hooks act in a repository. They act only where someone asked for it:
/// `git config handoff.enabled true` in the repository (written by `handoff init` and `handoff
/// install --git`, removed by `handoff uninstall --git`), or `git config --global handoff.auto true`
/// for every repository. Everywhere else they do nothing and create nothing.
///
/// The answer lives in git's configuration, not in `.handoff/`, because `git clean -x` and
/// `git stash --all` can take the store away but never the configuration: a repository that opted in
/// and has no store has lost it (a *wiped* store), which the hooks notice and say, and the stop gate
/// still judges from git.
///
/// Resolving reads the configuration files directly (`GitConfigFiles`), not through libgit2, so a
/// hook in a repository that did not opt in exits without loading the library. Where the files
/// cannot answer with certainty (an `includeIf`, an unreadable file), git itself is asked.
package struct OptIn: Sendable, Equatable {
    package enum Decision: String, Sendable, Equatable {
        /// `handoff.enabled=true` in the repository's own configuration.
        case repository
        /// `handoff.auto=true` (usually global), or `handoff.enabled=true` outside the repository's file.
        case automatic
        /// `handoff.enabled=false`: never, whatever `handoff.auto` says.
        case optedOut = "opted-out"
        /// Nobody asked.
        case notOptedIn = "not-opted-in"
    }

    package var decision: Decision
    /// What decided, for people: "handoff.enabled=true in .git/config".
    package var reason: String
    /// A value git would not read as a boolean (`handoff.enabled=maybe`): treated as not opted in.
    package var invalidValue: String?

    package var isOptedIn: Bool { decision == .repository || decision == .automatic }

    package static let enabledKey = "handoff.enabled"
    package static let autoKey = "handoff.auto"

    package init(decision: Decision, reason: String, invalidValue: String? = nil) {
        self.decision = decision
        self.reason = reason
        self.invalidValue = invalidValue
    }

    /// The opt-in of the repository whose worktree is `root`.
    package static func resolve(worktreeRoot root: String, environment: Environment) -> OptIn {
        let locations = GitConfigFiles.Locations.find(worktreeRoot: root, environment: environment)
        let files = GitConfigFiles.load(locations, environment: environment)
        if let uncertainty = files.uncertainty {
            if let asked = askGit(worktreeRoot: root, environment: environment) { return asked }
            // git could not be asked either: the files' answer, said to be uncertain.
            var guess = decide(files)
            guess.reason += " (uncertain: \(uncertainty); git could not be asked)"
            return guess
        }
        return decide(files)
    }

    static func decide(_ files: GitConfigFiles) -> OptIn {
        if let enabled = files.last(enabledKey) {
            let shown = "\(enabledKey)=\(enabled.value ?? "true") (\(enabled.scope.rawValue) config)"
            switch GitConfigFiles.boolean(enabled.value) {
            case false?:
                return OptIn(decision: .optedOut, reason: shown)
            case true?:
                let mine = enabled.scope == .local || enabled.scope == .worktree
                return OptIn(decision: mine ? .repository : .automatic, reason: shown)
            case nil:
                return OptIn(decision: .notOptedIn, reason: "\(shown) is not a boolean", invalidValue: enabled.value)
            }
        }
        if let auto = files.last(autoKey) {
            let shown = "\(autoKey)=\(auto.value ?? "true") (\(auto.scope.rawValue) config)"
            switch GitConfigFiles.boolean(auto.value) {
            case true?: return OptIn(decision: .automatic, reason: shown)
            case false?: return OptIn(decision: .notOptedIn, reason: shown)
            case nil: return OptIn(decision: .notOptedIn, reason: "\(shown) is not a boolean", invalidValue: auto.value)
            }
        }
        return OptIn(decision: .notOptedIn, reason: "neither \(enabledKey) nor \(autoKey) is set")
    }

    /// `git config --show-scope --get-regexp` for the two keys, run in the worktree; nil when git
    /// cannot be run.
    static func askGit(worktreeRoot root: String, environment: Environment) -> OptIn? {
        let outcome = CommandRunner.run(
            ["git", "config", "--show-scope", "--get-regexp", #"^handoff\.(enabled|auto)$"#],
            in: root, environment: environment, timeout: 5, keepLastLines: 200)
        // 1: no such key; anything else but 0 is git failing.
        guard !outcome.timedOut, let status = outcome.exitStatus, status == 0 || status == 1 else { return nil }
        var files = GitConfigFiles()
        var entries: [GitConfigFiles.Entry] = []
        for line in outcome.outputTail.split(separator: "\n") {
            // "<scope>\t<key> <value>" (a bare key has no value).
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let scope: GitConfigFiles.Scope = switch parts[0] {
            case "system": .system
            case "global": .global
            case "local": .local
            case "worktree": .worktree
            default: .command
            }
            let keyValue = parts[1].split(separator: " ", maxSplits: 1)
            entries.append(GitConfigFiles.Entry(key: GitConfigFiles.normalizedKey(String(keyValue[0])),
                                                value: keyValue.count > 1 ? String(keyValue[1]) : nil, scope: scope))
        }
        files = GitConfigFiles(entries: entries)
        var decided = decide(files)
        decided.reason += " (asked git)"
        return decided
    }
}

extension OptIn {
    /// Whether a store missing from the worktree at `root` was wiped rather than never made: the
    /// repository opted in through its own config (where `handoff init` writes, creating the store
    /// at the same time) and this is not a linked worktree (which shares the opt-in but starts
    /// without a store).
    package func missingStoreWasWiped(worktreeRoot root: String, environment: Environment) -> Bool {
        guard decision == .repository else { return false }
        let linked = GitConfigFiles.Locations.find(worktreeRoot: root, environment: environment)
            .map { $0.gitDirectory != $0.commonDirectory } ?? false
        return !linked
    }
}
