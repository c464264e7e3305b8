import Foundation
import Testing

/// The handoff plugin against the real Claude Code CLI (see AgentHooksE2ESupport.swift).
/// Serialized: each scenario starts a CLI and a server; running them side by side on a small CI
/// machine only makes the timeouts flaky.
@Suite("Agent hooks end to end (real Claude Code CLI)", .serialized)
struct AgentHooksE2ETests {
    @Test(arguments: CLIVersion.allCases) func theModelCommitsIsBlockedOnceThenReflectsAndIsAllowed(version: CLIVersion) throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": "no handover yet", "times": 1, "reply": {"text": "\(e2eReflection)"}}
            ], "default": {"text": "Done: committed the change."}}
            """, version: version)
        let run = try sandbox.claude("please commit the change")
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        #expect(run.result["is_error"] as? Bool == false, "\(run.result) \(run.stderr)")
        #expect(run.resultText.contains("## Framework Reflection"), "result: \(run.resultText); \(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        let handovers = sandbox.events("handover")
        #expect(handovers.count == 1, "\(sandbox.diagnostics)")
        #expect(handovers.first?["outcome"] as? String == "success")
        // The block reason reached the model as hook feedback.
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.contains { $0.contains("no handover yet") && $0.contains("/handoff:dump") }, "\(sandbox.diagnostics)")
        // The turn started with the resume brief.
        #expect(E2ESandbox.text(of: sandbox.mainRequests.first ?? [:]).contains("handoff — no handover recorded yet"))
        #expect(FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff/sessions/\(run.sessionID).reflection.md"))
        let tools = sandbox.events("tool")
        #expect(tools.first?["class"] as? String == "vcs")
        #expect(sandbox.events("session_end").count == 1)
    }

    /// A model that knows nothing of handoff's commands: it answers the first block only because the
    /// block message carries the template (the scripted model replies only to that text), and is let
    /// through. The message says what is done and does not ask to commit work that is committed.
    @Test func aModelThatNeverSawTheCommandCompliesWithTheTemplateInTheFirstBlock() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": ["**Friction points**: what got in the way, or none", "committed ✓"], "times": 1,
               "reply": {"text": "\(e2eReflection)"}}
            ], "default": {"text": "Done."}}
            """)
        let run = try sandbox.claude("please commit the change")
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        #expect(sandbox.events("stop_blocked").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.contains { $0.contains("## Framework Reflection") && $0.contains("**Outcome**: success | partial | failure") })
        #expect(!feedback.contains { $0.contains("Commit and push") }, "\(feedback)")
    }

    /// A repository that never opted in: the same session is never blocked and leaves no .handoff/.
    @Test func aRepositoryThatNeverOptedInIsNeverBlockedAndGetsNoStore() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "write a note", "times": 1,
               "reply": {"text": "Writing.", "bash": "echo note > note.txt && git add note.txt && git commit -qm note"}}
            ], "default": {"text": "Done."}}
            """, optIn: false)
        let run = try sandbox.claude("please write a note")
        #expect(!run.timedOut, "claude did not finish: \(sandbox.diagnostics)")
        #expect(run.result["is_error"] as? Bool == false, "\(run.result) \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff"))
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.isEmpty, "\(feedback)")
    }

    @Test(arguments: CLIVersion.allCases) func anUncommittedFileWithAReflectionIsBlockedAndTheFileNamed(version: CLIVersion) throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "write the notes", "times": 1, "reply": {"text": "Writing.", "bash": "echo draft > notes.txt"}},
              {"when_contains": "uncommitted file (notes.txt)", "times": 1,
               "reply": {"text": "Committing the notes.", "bash": "git add notes.txt && git commit -qm 'add notes'"}}
            ], "default": {"text": "\(e2eReflection)"}}
            """, version: version)
        let run = try sandbox.claude("please write the notes")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        let blocks = sandbox.events("stop_blocked")
        #expect(blocks.count == 1, "\(sandbox.diagnostics)")
        let reason = blocks.first?["reason"] as? String
        #expect(reason?.contains("notes.txt") == true)
        let feedback = sandbox.mainRequests.map(E2ESandbox.text(of:)).filter { $0.contains("Stop hook feedback") }
        #expect(feedback.contains { $0.contains("1 uncommitted file (notes.txt)") }, "\(sandbox.diagnostics)")
        #expect(sandbox.events("handover").count == 1, "\(sandbox.diagnostics)")
        #expect(try sandbox.git("status", "--porcelain").isEmpty)
        #expect(try sandbox.git("log", "--oneline").contains("add notes"))
    }

    @Test(arguments: CLIVersion.allCases) func aTurnThatChangesNothingIsNeverBlocked(version: CLIVersion) throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [], "default": {"text": "Four."}}
            """, version: version)
        let run = try sandbox.claude("what is two plus two?")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(run.resultText == "Four.")
        #expect(run.numTurns == 1)
        #expect(sandbox.events("stop_blocked").isEmpty, "\(sandbox.diagnostics)")
        #expect(sandbox.events("stop_allowed").count == 1, "\(sandbox.diagnostics)")
        #expect(sandbox.mainRequests.count == 1)
    }

    /// The real client's PostToolUseFailure: the event keeps the exit status and the end of the
    /// error output, with the secret in it masked.
    @Test(arguments: CLIVersion.allCases) func aFailedCommandIsRecordedWithItsExitCodeAndRedactedErrorOutput(version: CLIVersion) throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "run the build", "times": 1,
               "reply": {"text": "Building.", "bash": "echo 'fatal: auth ghp_abcdefghijklmnopqrstuvwxyz0123456789 rejected' >&2; echo 'build step 7 failed'; exit 3"}}
            ], "default": {"text": "The build failed with exit code 3."}}
            """, version: version)
        let run = try sandbox.claude("please run the build")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        let tool = try #require(sandbox.events("tool").first, "\(sandbox.diagnostics)")
        #expect(tool["exit_code"] as? Int == 3, "\(tool)")
        #expect(tool["ok"] as? Bool == false)
        let tail = tool["output_tail"] as? String ?? ""
        #expect(tail.contains("fatal: auth"), "\(tool)")
        #expect(tail.contains("build step 7 failed"), "\(tool)")
        #expect(!tail.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "\(tool)")
        #expect(!tail.contains("Exit code 3"), "the exit status is a field, not part of the output: \(tool)")
    }

    @Test(arguments: CLIVersion.allCases) func aModelThatNeverReflectsStillEndsWithTheWarningWithinTheCap(version: CLIVersion) throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}}
            ], "default": {"text": "Done."}}
            """, version: version)
        let started = Date()
        let run = try sandbox.claude("please commit the change")
        #expect(!run.timedOut, "\(sandbox.diagnostics)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(run.result["is_error"] as? Bool == false)
        #expect(run.resultText == "Done.", "\(run.result)")
        #expect(sandbox.events("stop_blocked").count == 3, "\(sandbox.diagnostics)")
        let overrides = sandbox.events("gate_overridden")
        #expect(overrides.count == 1, "\(sandbox.diagnostics)")
        // commit turn + first answer + three blocked answers; the CLI's own cap (9) never came into play.
        #expect(sandbox.mainRequests.count == 5, "\(sandbox.mainRequests.count) requests; \(sandbox.diagnostics)")
    }

    @Test func compactViaResumeSnapshotsCountsAndBriefsTheNextRequest() throws {
        let sandbox = try E2ESandbox(script: """
            {"rules": [
              {"when_contains": "commit the change", "times": 1,
               "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'e2e change'"}},
              {"when_contains": "carry on", "times": 1, "reply": {"text": "Carrying on: nothing left to do."}}
            ], "default": {"text": "\(e2eReflection)"}}
            """)
        let first = try sandbox.claude("please commit the change")
        #expect(!first.timedOut, "\(sandbox.diagnostics)")
        let session = first.sessionID
        try #require(!session.isEmpty, "no session id in \(first.result)")

        let compact = try sandbox.claude("/compact", resume: session)
        #expect(!compact.timedOut, "\(sandbox.diagnostics)")
        #expect(compact.result["local_command"] as? String == "compact" || compact.resultText.isEmpty, "\(compact.result)")
        let state = sandbox.state()
        let runtime = state["_runtime"] as? [String: Any] ?? [:]
        #expect(state["source"] as? String == "auto-save", "\(state)")
        #expect(runtime["compaction_count"] as? Int == 1)
        #expect(runtime["last_compaction"] as? String != nil)
        #expect((state["done"] as? [[String: Any]])?.first?["description"] as? String == "e2e change")
        #expect(FileManager.default.fileExists(atPath: sandbox.repo + "/.handoff/sessions/\(session).compact-1.json"))
        let compaction = sandbox.events("compaction")
        #expect(compaction.count == 1)
        #expect(compaction.first?["trigger"] as? String == "manual")
        #expect(sandbox.events("session_start").contains { $0["source"] as? String == "compact" }, "\(sandbox.diagnostics)")

        let before = sandbox.mainRequests.count
        let next = try sandbox.claude("carry on", resume: session)
        #expect(!next.timedOut, "\(sandbox.diagnostics)")
        let after = sandbox.mainRequests
        try #require(after.count > before, "the resumed session sent no request; \(sandbox.diagnostics)")
        let text = E2ESandbox.text(of: after[before])
        #expect(text.contains("Context was just compacted (#1"), "the next request lacks the compaction brief")
        #expect(text.contains("1 commit this session"))
        #expect(next.resultText == "Carrying on: nothing left to do.")
    }
}
