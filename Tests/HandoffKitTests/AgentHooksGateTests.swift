import Foundation
import Testing

@testable import HandoffKit

@Suite("Agent hooks: stop gate")
struct AgentHooksGateTests {
    let session = "sess-gate-1"

    @Test func aSessionThatChangedNothingIsNeverBlocked() throws {
        let repo = try AgentRepo()
        try repo.write("preexisting.txt", "dirty before the session\n")
        repo.sessionStart(session)
        #expect(GateAnswer(repo.stop(session, message: "Just answering a question.")) == .allow)
        #expect(GateAnswer(repo.stop(session, message: nil)) == .allow)
        #expect(repo.runtime(session)?.consecutiveBlocks == 0)
    }

    /// `handoff status` and the next session read state.json: an accepted reflection must reach it.
    @Test func anAcceptedReflectionBecomesTheState() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("parser.swift", "let parser = 1\n", message: "Add the parser")
        // A partial outcome names its follow-up task (FollowUpCheck): the task exists before the stop.
        let followUp = try TaskStore(store: repo.store).add(TaskDraft(title: "handle the empty input"))
        let pointer = "Sources/parser.swift:1 handle the empty input (\(followUp.id))"
        #expect(GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: pointer))) == .allow)
        let state = try repo.state()
        #expect(state.source == .autoSave)
        #expect(state.sessionID == session)
        #expect(state.severity == .inProgress, "a partial outcome on a clean tree is still work in progress")
        #expect(state.done.map(\.description) == ["Add the parser"])
        #expect(state.resume.next == pointer)
        #expect(state.resume.context.contains("outcome partial"))
        #expect(state.resume.context.contains("half of the parser"))
        #expect(try SchemaCheck.errors(forStateFile: repo.store.layout.stateFile) == [])

        // A commit made without handoff's git hooks still moves HEAD: the gate asks again. A success
        // with "none" as its Next step: ready, and no stale pointer survives.
        try repo.commitFile("parser.swift", "let parser = 2\n", message: "Finish the parser")
        #expect(GateAnswer(repo.stop(session, message: "Finished.")).isBlock)
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
        let finished = try repo.state()
        #expect(finished.severity == .ready)
        #expect(finished.done.map(\.description) == ["Finish the parser", "Add the parser"])
        #expect(finished.resume.context.contains("outcome success"))
        #expect(finished.resume.next == "")
        #expect(try SchemaCheck.errors(forStateFile: repo.store.layout.stateFile) == [])
    }

    /// A damaged state.json must not cost the handover its record, nor wedge the stop.
    @Test func anAcceptedReflectionIsRecordedEvenWhenStateJSONIsDamaged() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("a.swift", "let a = 1\n")
        try "{ not json".write(toFile: repo.store.layout.stateFile, atomically: true, encoding: .utf8)
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        guard case .message(let warning) = answer else {
            Issue.record("expected the stop to go through with a warning, got \(answer)")
            return
        }
        #expect(warning.contains("state.json"))
        #expect(repo.events(EventType.handover).count == 1)
        #expect(repo.runtime(session)?.handoverKind == "reflection")
        #expect(try String(contentsOfFile: repo.store.layout.stateFile, encoding: .utf8) == "{ not json", "left for `handoff repair`")
        #expect(!repo.events("hook_error").isEmpty)
    }

    /// Only new commits on top of the handover are new work; moving HEAD back or to another branch is not.
    @Test func checkingOutElsewhereAfterTheHandoverIsNotNewWork() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("a.swift", "let a = 1\n")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
        try repo.git("checkout", "-q", "HEAD~1")
        #expect(GateAnswer(repo.stop(session, message: "Looked at the previous version.")) == .allow)
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commitFile("b.swift", "let b = 1\n")
        #expect(GateAnswer(repo.stop(session, message: "Done.")).isBlock, "a commit on top of HEAD is work, even on another branch")
    }

    @Test func aCommitWithoutReflectionIsBlockedThenAReflectionIsAccepted() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("a.swift", "let a = 1\n")
        let first = GateAnswer(repo.stop(session, message: "Done."))
        #expect(first.isBlock)
        #expect(first.reason.contains("Framework Reflection"))
        #expect(first.reason.contains("/handoff:dump"))
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
        let handover = try #require(repo.events(EventType.handover).last)
        #expect(handover["outcome"]?.stringValue == "success")
        let runtime = try #require(repo.runtime(session))
        #expect(runtime.handoverKind == "reflection")
        #expect(runtime.handoverAt != nil)
        #expect(runtime.consecutiveBlocks == 0)
        let archived = try String(contentsOfFile: repo.store.layout.sessionsDirectory + "/\(session).reflection.md", encoding: .utf8)
        #expect(archived.hasPrefix("## Framework Reflection"))
        #expect(!archived.contains("Handover complete"))
        // The handover stands for a later turn that changes nothing.
        #expect(GateAnswer(repo.stop(session, message: "It is 3 pm.")) == .allow)
    }

    @Test func uncommittedFilesBlockEvenWithAReflectionAndAreNamed() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("notes.txt", "draft\n")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("notes.txt"))
        #expect(answer.reason.contains("1 uncommitted file"))
        #expect(answer.reason.contains("commit"))
    }

    @Test func atMostTenFilesAreNamed() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        for index in 0..<13 { try repo.write("f\(String(format: "%02d", index)).txt", "x\n") }
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("13 uncommitted files"))
        #expect(answer.reason.contains("and 3 more"))
        #expect(!answer.reason.contains("f12.txt"))
    }

    @Test func aFileDirtyBeforeTheSessionCountsOnlyWhenItChanges() throws {
        let repo = try AgentRepo()
        try repo.write("old.txt", "before\n")
        repo.sessionStart(session)
        try repo.commitFile("b.txt", "b\n")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
        try repo.write("old.txt", "before, and changed during the session\n")
        repo.edit(session, "old.txt")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("old.txt"))
    }

    @Test func unpushedCommitsAgainstTheUpstreamBlock() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("c.txt", "c\n")
        try repo.commitFile("d.txt", "d\n")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("2 unpushed commits on main"))
        #expect(answer.reason.contains("git push"))
        try repo.git("push", "-q")
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
    }

    @Test func withoutUpstreamThePushLedgerCounts() throws {
        let repo = try AgentRepo()
        try repo.git("remote", "add", "origin", "/nonexistent/remote.git")
        repo.sessionStart(session)
        try repo.commitFile("e.txt", "e\n")
        let pushed = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.commitFile("f.txt", "f\n")
        // A push by URL (`git push /nonexistent/remote.git main`): git keeps no remote-tracking ref
        // for it, so the ledger is the only witness. (A push to `origin` would be judged by
        // refs/remotes/origin/main instead: see rejectedPushStillCountsAsUnpushed.)
        let ledger = """
            {"branches": {"main": {"sha": "\(pushed)", "remote": "/nonexistent/remote.git", "remote_ref": "refs/heads/main", "at": "2026-01-01T00:00:00.000Z"}}}
            """
        try ledger.write(toFile: repo.store.layout.pushesFile, atomically: true, encoding: .utf8)
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.reason.contains("1 unpushed commit on main"))
    }

    @Test func withoutAnyRemotePushingIsNotRequired() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("g.txt", "g\n")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
    }

    /// A refused "success" is not accepted verbatim at the next stop: it stays refused until the
    /// failed check passes again or the outcome changes (the block cap still ends the session).
    @Test func successAfterAFailedTestRunStaysRefusedUntilTheCheckPassesOrTheOutcomeChanges() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("h.swift", "h\n")
        repo.bash(session, "swift test --filter Parser", exitCode: 1)
        let first = GateAnswer(repo.stop(session, message: validReflection))
        #expect(first.isBlock)
        #expect(first.reason.contains("swift test --filter Parser"))
        #expect(first.reason.contains("exited 1"))
        let again = GateAnswer(repo.stop(session, message: validReflection, active: true))
        #expect(again.isBlock, "the same success, verbatim, is still refused")
        #expect(again.reason.contains("exited 1"))
        // The honest outcome is accepted (the partial names a follow-up task, as the gate requires).
        let task = try TaskStore(store: repo.store).add(TaskDraft(title: "make the parser tests pass"))
        let honest = GateAnswer(repo.stop(session, message: reflection(outcome: "partial", next: "\(task.id) make the parser tests pass"), active: true))
        #expect(honest == .allow, "\(honest)")
    }

    @Test func aRefusedSuccessIsAcceptedOnceTheCheckPasses() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("h.swift", "h\n")
        repo.bash(session, "swift test", exitCode: 1)
        #expect(GateAnswer(repo.stop(session, message: validReflection)).isBlock)
        repo.bash(session, "swift test")
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
    }

    @Test func aRefusedSuccessRepeatedForeverStillEndsAtTheCap() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("h.swift", "h\n")
        repo.bash(session, "swift test", exitCode: 1)
        var released = false
        for _ in 0..<10 {
            let answer = GateAnswer(repo.stop(session, message: validReflection, active: true))
            if !answer.isBlock {
                released = true
                break
            }
        }
        #expect(released, "the cap lets a session that keeps claiming success end")
    }

    /// One-second commit times: a commit in the same second as the handover is new work.
    @Test func aCommitInTheSameSecondAsTheHandoverReArmsTheGate() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("s.txt", "1\n")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
        let handoverAt = try #require(repo.runtime(session)?.handoverAt)
        // Committed (author and committer time) in exactly the handover's second, without git hooks.
        try repo.write("s.txt", "2\n")
        try repo.git("add", "s.txt")
        let date = "@\(handoverAt.milliseconds / 1000) +0000"
        try AgentRepo.run(["GIT_AUTHOR_DATE=\(date)", "GIT_COMMITTER_DATE=\(date)", "git", "commit", "-qm", "same second"], in: repo.root)
        #expect(GateAnswer(repo.stop(session, message: "Done.")).isBlock)
    }

    @Test func aPassingTestRunAfterTheFailureLetsSuccessThrough() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("h.swift", "h\n")
        repo.bash(session, "swift test", exitCode: 1)
        repo.bash(session, "swift test")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
    }

    @Test func workAfterTheHandoverReArmsTheGate() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("i.txt", "i\n")
        #expect(GateAnswer(repo.stop(session, message: validReflection)) == .allow)
        // A file edit (PostToolUse) after the handover.
        try repo.write("i.txt", "i2\n")
        repo.edit(session, "i.txt", tool: "Edit")
        try repo.git("commit", "-qam", "more")
        let answer = GateAnswer(repo.stop(session, message: "Fixed one more thing."))
        #expect(answer.reason.contains("work was done after the last handover"))
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
        // A commit reported by the Bash tool re-arms it too.
        try repo.commitFile("j.txt", "j\n")
        repo.bash(session, "git commit -am j", commit: true)
        #expect(GateAnswer(repo.stop(session, message: "ok")).isBlock)
    }

    @Test func aCompletedHandoffEndLetsTheStopThroughWhileTheStateIsValid() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("k.txt", "k\n")
        var state = try repo.state()
        state.source = .manualEnd
        state.severity = .ready
        state.health = .init(build: .pass, tests: .pass, lint: nil)
        state.resume = .init(next: "k.txt:1 add the second paragraph of the notes", files: ["k.txt"], context: "notes half written")
        state.watchOutFor = ["none found"]
        state.runtime.handoffEndCompleted = true
        try repo.store.writeState(state)
        let later = repo.nextNow()
        // What `handoff end` records: the runtime's handover and its event (the gate checks one against the other).
        try repo.store.updateRuntime(session: session, create: { nil }) { runtime in
            runtime.handoverAt = later
            runtime.handoverKind = "handoff-end"
        }
        try repo.store.append(Event(type: EventType.handoffEnd, session: session, at: later, [("severity", "READY")]))
        #expect(GateAnswer(repo.stop(session, message: "Handoff complete.")) == .allow)
        // The same handover with a broken state does not count.
        try "{\"_version\": 1, \"source\": \"manual-end\"}".write(toFile: repo.store.layout.stateFile, atomically: true, encoding: .utf8)
        let answer = GateAnswer(repo.stop(session, message: "Handoff complete."))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("handoff end"))
    }

    @Test func theGateNeverWedgesASession() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("l.txt", "l\n")
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
        #expect(GateAnswer(repo.stop(session, message: "done", active: true)).isBlock)
        #expect(GateAnswer(repo.stop(session, message: "done", active: true)).isBlock)
        let released = GateAnswer(repo.stop(session, message: "done", active: true))
        guard case .message(let warning) = released else {
            Issue.record("expected a systemMessage, got \(released)")
            return
        }
        #expect(warning.contains("WITHOUT a completed handover"))
        #expect(repo.events(EventType.gateOverridden).count == 1)
        #expect(repo.events(EventType.stopBlocked).count == 3)
        // A new stop series (stop_hook_active false) is gated again.
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
    }

    /// A client that never sets `stop_hook_active` (Codex) is not blocked forever: handoff counts the
    /// blocks itself, a stop with no new work since the last block continuing the series.
    @Test func theCapHoldsForAClientThatNeverSaysItFollowsABlock() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("dirty.txt", "uncommitted\n")
        repo.edit(session, "dirty.txt")
        let answers = (0..<10).map { _ in GateAnswer(repo.stop(session, message: "done", active: false)) }
        // Three blocks, then a release with a warning, and again: never more than the cap in a row.
        for (index, answer) in answers.enumerated() {
            if index % 4 == 3 {
                guard case .message(let warning) = answer else {
                    Issue.record("stop \(index + 1): expected a release with a warning, got \(answer)")
                    continue
                }
                #expect(warning.contains("WITHOUT a completed handover"))
                #expect(warning.contains("uncommitted"))
            } else {
                #expect(answer.isBlock, "stop \(index + 1): \(answer)")
            }
        }
        #expect(repo.events(EventType.gateOverridden).count == 2)
        #expect(repo.runtime(session)?.consecutiveBlocks == 2)
        // New work between stops starts a new series: the agent is making progress, not looping.
        try repo.write("dirty2.txt", "more\n")
        repo.edit(session, "dirty2.txt")
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
        #expect(repo.runtime(session)?.consecutiveBlocks == 1)
        #expect(GateAnswer(repo.stop(session, message: "done")).isBlock)
        #expect(repo.runtime(session)?.consecutiveBlocks == 2)
    }

    /// On a detached HEAD a bare `git push` fails: the block message says how to push from there.
    @Test func aDetachedHeadIsNotToldToPushBare() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.git("switch", "-q", "--detach")
        try repo.commitFile("detached.txt", "d\n")
        let answer = GateAnswer(repo.stop(session, message: validReflection))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("1 unpushed commit on detached at"), "\(answer.reason)")
        #expect(!answer.reason.contains("(`git push`)"))
        #expect(answer.reason.contains("git switch -c <branch> && git push -u origin <branch>"))
    }

    @Test func theBlockCapIsConfigurable() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("m.txt", "m\n")
        let environment = ["HANDOFF_GATE_MAX_BLOCKS": "1"]
        #expect(GateAnswer(repo.stop(session, message: "done", environment: environment)).isBlock)
        if case .message = GateAnswer(repo.stop(session, message: "done", active: true, environment: environment)) {} else {
            Issue.record("expected the override after one block")
        }
        // git config applies from the next session on (GateEscapeTests).
        try repo.git("config", "handoff.gate.maxBlocks", "0")
        repo.sessionStart("sess-cap-0")
        try repo.commitFile("m2.txt", "m\n")
        if case .message = GateAnswer(repo.stop("sess-cap-0", message: "done")) {} else {
            Issue.record("expected git config handoff.gate.maxBlocks 0 to never block")
        }
    }

    @Test func policiesOffAndDegraded() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("n.txt", "n\n")
        #expect(GateAnswer(repo.stop(session, environment: ["HANDOFF_GATE": "off"])) == .allow)
        // git config applies from the next session on (GateEscapeTests).
        try repo.git("config", "handoff.gate", "off")
        repo.sessionStart("sess-off")
        try repo.commitFile("n2.txt", "n\n")
        #expect(GateAnswer(repo.stop("sess-off")) == .allow)
        try repo.git("config", "handoff.gate", "degraded")
        repo.sessionStart("sess-degraded")
        try repo.commitFile("n3.txt", "n\n")
        #expect(GateAnswer(repo.stop("sess-degraded")) == .allow)
        repo.compact("sess-degraded")
        #expect(GateAnswer(repo.stop("sess-degraded")).isBlock)
        try repo.git("config", "handoff.gate.degradedAfter", "2")
        repo.sessionStart("sess-degraded-2")
        try repo.commitFile("n4.txt", "n\n")
        repo.compact("sess-degraded-2")
        #expect(GateAnswer(repo.stop("sess-degraded-2", active: true)) == .allow)
        #expect(GateAnswer(repo.stop("sess-degraded-2", environment: ["HANDOFF_GATE": "strict"])).isBlock)
    }

    @Test func subagentStopIsRecordedAndNeverBlocked() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("o.txt", "o\n")
        let output = StopGate.run(repo.input(AgentRepo.payload([
            ("session_id", .string(session)), ("cwd", .string(repo.root)), ("hook_event_name", "SubagentStop"),
            ("agent_type", "general-purpose"), ("stop_hook_active", false), ("last_assistant_message", "hi"),
        ])))
        #expect(GateAnswer(output) == .allow)
        #expect(repo.events(EventType.subagentStop).first?["agent_type"]?.stringValue == "general-purpose")
    }

    @Test func concurrentSessionsAreJudgedSeparately() throws {
        let repo = try AgentRepo()
        repo.sessionStart("sess-a")
        repo.sessionStart("sess-b")
        repo.edit("sess-a", "README.md")
        try repo.commitFile("README.md", "changed by a\n")
        #expect(GateAnswer(repo.stop("sess-a", message: "done")).isBlock)
        // Session b edited nothing itself, but HEAD moved under it: it is still asked for a handover
        // only because commits appeared; its own runtime has no work or blocks from a.
        #expect(repo.runtime("sess-b")?.lastWorkAt == nil)
        #expect(repo.runtime("sess-b")?.consecutiveBlocks == 0)
        #expect(GateAnswer(repo.stop("sess-a", message: validReflection, active: true)) == .allow)
        #expect(repo.runtime("sess-b")?.handoverAt == nil)
    }

    @Test func workTheLogCreditsToAnotherSessionIsThatSessionsWork() throws {
        let repo = try AgentRepo()
        repo.sessionStart("sess-a")
        repo.sessionStart("sess-b")
        // a's Write tool leaves a draft, and a commits through git, its post-commit hook crediting a.
        try repo.write("a-draft.txt", "draft\n")
        repo.edit("sess-a", "a-draft.txt")
        try repo.commitFile("a.txt", "a\n", message: "a's commit")
        let recorded = PostCommitHook.run(HookInput(environment: Environment(["HANDOFF_SESSION_ID": "sess-a"]), workingDirectory: repo.root))
        #expect(recorded.standardError.isEmpty)
        #expect(repo.events(EventType.commit).last?.session == "sess-a")
        // b did nothing: its worktree moved and is dirty, but with a's work, not b's.
        #expect(GateAnswer(repo.stop("sess-b", message: "Only read the code.")) == .allow)
        let blocked = GateAnswer(repo.stop("sess-a", message: "done"))
        #expect(blocked.reason.contains("1 uncommitted file (a-draft.txt)"))
        // Work nobody's hooks recorded still counts for everyone: a file no tool wrote, a commit no hook saw.
        try repo.write("stray.txt", "?\n")
        #expect(GateAnswer(repo.stop("sess-b", message: "Only read the code.")).reason.contains("stray.txt"))
        try repo.git("add", "stray.txt")
        try repo.git("commit", "-qm", "unattributed")
        #expect(GateAnswer(repo.stop("sess-b", message: "Only read the code.")).isBlock)
    }

    @Test func anotherSessionsUnpushedCommitOnTheSharedBranchIsItsOwn() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart("sess-a")
        repo.sessionStart("sess-b")
        func commit(_ file: String, by session: String) throws {
            try repo.commitFile(file, "\(file)\n", message: "\(file) by \(session)")
            _ = PostCommitHook.run(HookInput(environment: Environment(["HANDOFF_SESSION_ID": session]), workingDirectory: repo.root))
        }
        try commit("b.txt", by: "sess-b")
        try repo.git("push", "-q")
        try commit("a.txt", by: "sess-a")
        // b's own work is pushed; the one unpushed commit on main is a's, and only a is asked to push it.
        #expect(GateAnswer(repo.stop("sess-b", message: validReflection)) == .allow)
        #expect(GateAnswer(repo.stop("sess-a", message: validReflection)).reason.contains("1 unpushed commit on main"))
    }

    @Test func anInternalErrorLetsTheStopThroughWithAWarning() throws {
        let repo = try AgentRepo()
        repo.sessionStart("sess-other")
        try repo.commitFile("p.txt", "p\n")
        // A runtime "file" that is a folder cannot be read or written.
        try FileManager.default.createDirectory(atPath: repo.store.layout.runtimeFile(session: session), withIntermediateDirectories: true)
        let answer = GateAnswer(repo.stop(session, message: "done"))
        guard case .message(let text) = answer else {
            Issue.record("expected a systemMessage, got \(answer)")
            return
        }
        #expect(text.contains("let through"))
        #expect(repo.events(EventType.hookError).count == 1)
    }

    @Test func theFirstBlockTeachesTheTemplateAndSaysWhatIsDone() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("done.txt", "d\n")
        try repo.git("push", "-q")
        let first = GateAnswer(repo.stop(session, message: "All done."))
        #expect(first.reason.contains("Done: committed ✓, pushed ✓."))
        #expect(first.reason.contains(StopGate.reflectionTemplate))
        #expect(!first.reason.contains("Commit and push"))
        // The template is given once; the next refusal only says what is missing.
        let second = GateAnswer(repo.stop(session, message: "Really done.", active: true))
        #expect(second.isBlock)
        #expect(!second.reason.contains(StopGate.reflectionTemplate))
        // The template, filled in, is accepted as it is.
        let filled = StopGate.reflectionTemplate
            .replacingOccurrences(of: "success | partial | failure", with: "success")
            .replacingOccurrences(of: "what this session did, concretely", with: "added done.txt")
            .replacingOccurrences(of: "what got in the way, or none", with: "none")
            .replacingOccurrences(of: "what comes next (for partial or failure, not \"none\")", with: "none")
        #expect(GateAnswer(repo.stop(session, message: filled, active: true)) == .allow)
    }

    @Test func anUnpushedCommitIsNamedAsMissingAndTheCommitAsDone() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        repo.sessionStart(session)
        try repo.commitFile("later.txt", "l\n")
        let answer = GateAnswer(repo.stop(session, message: "All done."))
        #expect(answer.reason.contains("Done: committed ✓."))
        #expect(answer.reason.contains("Missing: 1 unpushed commit on main"))
        #expect(answer.reason.contains("Push them"))
    }

    @Test func disabledTheGateSaysNothing() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("r.txt", "r\n")
        #expect(GateAnswer(repo.stop(session, message: "done", environment: ["HANDOFF_DISABLED": "1"])) == .allow)
    }

    @Test func aRepositoryThatNeverOptedInIsNeverGatedAndGetsNoStore() throws {
        let repo = try AgentRepo(optIn: false)
        repo.sessionStart(session)
        try repo.write("notes.txt", "a note\n")
        repo.edit(session, "notes.txt")
        try repo.commitFile("q.txt", "q\n")
        repo.compact(session)
        for _ in 0..<3 { #expect(GateAnswer(repo.stop(session, message: "done")) == .allow) }
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.handoff"))
        // Opted out explicitly, even with every repository opted in globally.
        let optedOut = try AgentRepo(optIn: false)
        try optedOut.git("config", "handoff.enabled", "false")
        let global = optedOut.root + "-global.gitconfig"
        defer { try? FileManager.default.removeItem(atPath: global) }
        try "[handoff]\n\tauto = true\n".write(toFile: global, atomically: true, encoding: .utf8)
        optedOut.sessionStart(session, environment: ["GIT_CONFIG_GLOBAL": global])
        #expect(!FileManager.default.fileExists(atPath: optedOut.root + "/.handoff"))
    }

    @Test func handoffAutoOptsEveryRepositoryIn() throws {
        let repo = try AgentRepo(optIn: false)
        let global = repo.root + "-global.gitconfig"
        defer { try? FileManager.default.removeItem(atPath: global) }
        try "[handoff]\n\tauto = yes\n".write(toFile: global, atomically: true, encoding: .utf8)
        let environment = ["GIT_CONFIG_GLOBAL": global]
        repo.sessionStart(session, environment: environment)
        #expect(repo.store.exists)
        #expect(repo.events(EventType.storeWiped).isEmpty)
        try repo.commitFile("q.txt", "q\n")
        #expect(GateAnswer(repo.stop(session, message: "done", environment: environment)).isBlock)
    }

    /// `git clean -x` takes `.handoff/` away mid-session, but not the opt-in: the gate notices, says
    /// so in the log, and judges from git (the uncommitted file and a missing handover still block).
    @Test func aWipedStoreIsNoticedAndTheGateStillJudgesFromGit() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.write("work.txt", "half done\n")
        try FileManager.default.removeItem(atPath: repo.root + "/.handoff")
        let answer = GateAnswer(repo.stop(session, message: "done"))
        #expect(answer.isBlock)
        #expect(answer.reason.contains("work.txt"))
        #expect(repo.events(EventType.storeWiped).count == 1)
        #expect(repo.events(EventType.storeWiped).first?["opt_in"]?.stringValue == "repository")
        // Committed and pushed, with a reflection: the handover is accepted in the recreated store.
        try repo.addPushedOrigin()
        try repo.git("add", "work.txt")
        try repo.git("commit", "-qm", "work")
        try repo.git("push", "-q")
        #expect(GateAnswer(repo.stop(session, message: "done", active: true)).isBlock)
        #expect(GateAnswer(repo.stop(session, message: validReflection, active: true)) == .allow)
        // The next session is told.
        try FileManager.default.removeItem(atPath: repo.root + "/.handoff")
        let brief = repo.sessionStart("next-session")
        #expect(brief.standardOutput.contains(".handoff/ was missing"))
    }

    @Test func theTranscriptTailIsReadWhenTheMessageFieldIsAbsent() throws {
        let repo = try AgentRepo()
        repo.sessionStart(session)
        try repo.commitFile("s.txt", "s\n")
        let transcript = repo.root + "/../\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: transcript) }
        var text = ""
        let filler = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"" + String(repeating: "x", count: 900) + "\"}}\n"
        for _ in 0..<6000 { text += filler }  // ~5.5 MB before the answer
        func line(_ id: String, _ block: JSONValue) -> String {
            JSONValue.object(JSONObject([("type", "assistant"), ("message", ["id": .string(id), "role": "assistant", "content": [block]])])).compactText + "\n"
        }
        text += line("msg_1", ["type": "text", "text": "Committing."])
        text += line("msg_1", ["type": "tool_use", "id": "t", "name": "Bash", "input": [:]])
        text += "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}}\n"
        let parts = validReflection.components(separatedBy: "**Friction points**")
        text += line("msg_2", ["type": "text", "text": .string(parts[0])])
        text += line("msg_2", ["type": "text", "text": .string("**Friction points**" + parts[1])])
        text += "{\"type\":\"system\",\"subtype\":\"stop_hook_summary\"}\n"
        try text.write(toFile: transcript, atomically: true, encoding: .utf8)
        let found = try #require(TranscriptTail.lastAssistantText(path: transcript))
        #expect(found.contains("**Outcome**: success"))
        #expect(found.contains("**Next step**: none"))
        #expect(GateAnswer(repo.stop(session, message: nil, extra: [("transcript_path", .string(transcript))])) == .allow)
    }

    @Test func theJudgementIsAPureFunctionOfItsFacts() {
        var runtime = SessionRuntime(sessionID: "s", startedAt: Timestamp(milliseconds: 0), hostname: "h")
        runtime.startHash = "a"
        let idle = SessionWork(head: .branch(name: "main", sha: "a"), newUncommitted: [], uncommitted: ["x"], unpushed: nil, commitsSinceStart: false)
        #expect(StopGate.judge(.init(runtime: runtime, work: idle, reflection: .absent)) == .allow(why: "nothing changed this session"))
        var busy = idle
        busy.commitsSinceStart = true
        busy.unpushed = 4
        guard case .block(let reason) = StopGate.judge(.init(runtime: runtime, work: busy, reflection: .absent)) else {
            Issue.record("expected a block")
            return
        }
        #expect(reason.contains("4 unpushed commits"))
    }
}
