/// A fact about the repository, or why it could not be computed. Unknown is never clean: a caller
/// shows the reason, and the stop gate does not let an unknown pass as "nothing to hand over".
package enum GitFact<Value: Sendable & Equatable>: Sendable, Equatable {
    case known(Value)
    case unknown(reason: String)

    package var value: Value? {
        if case .known(let value) = self { return value }
        return nil
    }

    package var unknownReason: String? {
        if case .unknown(let reason) = self { return reason }
        return nil
    }
}

/// HEAD, the working tree's status and the upstream: from libgit2 where it answers with certainty,
/// from git itself where it cannot (`GitRepository.status` decides that for the status; a repository
/// libgit2 cannot open at all, such as a sha256 one under libgit2 1.5, is read entirely through
/// `git status --porcelain=v2 --branch`), unknown with the reason where neither can.
package struct RepositoryFacts: Sendable, Equatable {
    package var head: GitFact<HeadState>
    package var status: GitFact<WorkingTreeStatus>
    /// `.known(nil)`: no upstream configured (or detached, or unborn).
    package var upstream: GitFact<AheadBehind?>
    /// Why git had to answer instead of libgit2, nil when libgit2 did (for `handoff doctor`).
    package var slowPathReason: String?

    package init(head: GitFact<HeadState>, status: GitFact<WorkingTreeStatus>, upstream: GitFact<AheadBehind?>, slowPathReason: String? = nil) {
        self.head = head
        self.status = status
        self.upstream = upstream
        self.slowPathReason = slowPathReason
    }

    /// Facts from an open repository: libgit2 first, git where libgit2 fails.
    package static func gather(repository: GitRepository, statusLimit: Int) -> RepositoryFacts {
        var gitStatus: Result<PorcelainStatus, GitError>?
        func fromGit() -> Result<PorcelainStatus, GitError> {
            if let gitStatus { return gitStatus }
            let result: Result<PorcelainStatus, GitError>
            do { result = .success(try repository.commandLine.status(limit: statusLimit)) } catch { result = .failure(error) }
            gitStatus = result
            return result
        }
        var slowPath: String?
        let head: GitFact<HeadState>
        do {
            head = .known(try repository.head())
        } catch {
            slowPath = "HEAD: \(error.message)"
            switch fromGit() {
            case .success(let porcelain):
                head = porcelain.head.map { .known($0) } ?? .unknown(reason: "\(error.message); git printed no branch header")
            case .failure(let gitError):
                head = .unknown(reason: "libgit2: \(error.message); git: \(gitError.message)")
            }
        }
        let status: GitFact<WorkingTreeStatus>
        do {
            status = .known(try repository.status(limit: statusLimit))
            if let reason = repository.statusFallbackReason { slowPath = slowPath ?? "status: \(reason)" }
        } catch {
            status = .unknown(reason: error.message)
        }
        let upstream: GitFact<AheadBehind?>
        do {
            upstream = .known(try repository.aheadBehindUpstream())
        } catch {
            slowPath = slowPath ?? "upstream: \(error.message)"
            switch fromGit() {
            case .success(let porcelain): upstream = .known(porcelain.upstreamGone ? nil : porcelain.upstream)
            case .failure(let gitError): upstream = .unknown(reason: "libgit2: \(error.message); git: \(gitError.message)")
            }
        }
        return RepositoryFacts(head: head, status: status, upstream: upstream, slowPathReason: slowPath)
    }

    /// Facts from git alone, for a repository libgit2 could not open (`openError`).
    package static func fromGit(_ commandLine: GitCommandLine, openError: GitError, statusLimit: Int) -> RepositoryFacts {
        let reason = "libgit2 cannot open the repository: \(openError.message)"
        do {
            let porcelain = try commandLine.status(limit: statusLimit)
            let head: GitFact<HeadState> = porcelain.head.map { .known($0) } ?? .unknown(reason: "git printed no branch header")
            return RepositoryFacts(head: head, status: .known(porcelain.status),
                                   upstream: .known(porcelain.upstreamGone ? nil : porcelain.upstream), slowPathReason: reason)
        } catch {
            let both = "libgit2: \(openError.message); git: \(error.message)"
            return RepositoryFacts(head: .unknown(reason: both), status: .unknown(reason: both), upstream: .unknown(reason: both),
                                   slowPathReason: reason)
        }
    }
}
