import ArgumentParser
import HandoffKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The version: the same as the VERSION file at the checkout's root (which scripts/package.sh reads
/// for the packages) and the Claude Code plugin's manifest; VersionTests keeps the three equal.
enum HandoffVersion {
    static let current = "0.1.0"
}

/// What every subcommand needs from the process, captured once and passed in.
struct CLIContext: Sendable {
    var environment: Environment
    var workingDirectory: String

    static func current() -> CLIContext {
        CLIContext(environment: .current(), workingDirectory: FileSystem.currentDirectory())
    }

    /// Colours only on a terminal and when NO_COLOR is unset (https://no-color.org).
    var useColor: Bool { environment["NO_COLOR"] == nil && isatty(1) == 1 && environment["TERM"] != "dumb" }

    /// The worktree root for the current directory, or a one-line error and exit 3.
    func worktreeRoot() throws -> String {
        guard let root = WorktreeLocator.worktreeRoot(startingAt: workingDirectory, environment: environment) else {
            printError("not inside a git repository (\(workingDirectory)); cd into one, or run `git init` first")
            throw ExitCode(3)
        }
        return root
    }

    /// The worktree root for the current directory, or nil (silently) outside one: for a step
    /// that only looks at the repository when there is one.
    var worktreeRootIfAny: String? {
        WorktreeLocator.worktreeRoot(startingAt: workingDirectory, environment: environment)
    }

    /// The store of this worktree; exits 3 with the fix when there is none.
    func existingStore() throws -> HandoffStore {
        let store = HandoffStore(worktreeRoot: try worktreeRoot())
        guard store.exists else {
            printError(StoreError.notInitialised(root: store.layout.worktreeRoot).description)
            throw ExitCode(3)
        }
        return store
    }

    /// The repository, or nil when it cannot be opened. One that belongs to another user is refused
    /// outright, as git refuses it: one line naming `safe.directory`, exit 3.
    func openRepository(_ root: String) -> GitRepository? {
        do {
            return try GitRepository.open(at: root, environment: environment)
        } catch {
            if let refusal = StoreError.ownershipRefusal(error, root: root) {
                printError(refusal.description)
                exit(3)
            }
            return nil
        }
    }

    /// The repository, or why libgit2 could not open it (a refusal for another user's repository
    /// exits 3 as in `openRepository`).
    func openRepositoryOrError(_ root: String) -> Result<GitRepository, GitError> {
        do {
            return .success(try GitRepository.open(at: root, environment: environment))
        } catch {
            if let refusal = StoreError.ownershipRefusal(error, root: root) {
                printError(refusal.description)
                exit(3)
            }
            return .failure(error)
        }
    }

    func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

func printError(_ message: String) {
    StandardStreams.write("handoff: \(message)\n", to: 2)
}

func emit(_ text: String) {
    StandardStreams.write(text.hasSuffix("\n") ? text : text + "\n", to: 1)
}
