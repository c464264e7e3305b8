/// The two handover procedures as Codex skills (`$CODEX_HOME/skills/<name>/SKILL.md`, mentioned as
/// `$handoff-dump` and `$handoff-end`): what the Claude Code plugin's `/handoff:dump` and
/// `/handoff:handoff-end` commands are for Claude Code, in Codex's conventions (shell commands,
/// no TodoWrite). Written by `handoff install --codex`; a skill file that is not handoff's is never
/// overwritten or removed.
package enum CodexSkills {
    package static let marker = "<!-- handoff-managed-skill v1 -->"

    package static let skills: [(name: String, text: String)] = [
        (CodexContract.dumpSkill, """
            ---
            name: \(CodexContract.dumpSkill)
            description: Hand this session over before stopping - commit and push, list what is still open, print the Framework Reflection that handoff's stop gate checks. Use when the work is done or the session must end, or when handoff's stop gate asks for it.
            ---
            \(marker)

            # Hand over this session

            handoff's stop gate reads the repository, not your words: it keeps the turn going while this
            worktree has uncommitted changes or unpushed commits, and until the reflection below is printed.

            1. Commit and push. Run `git status --porcelain`, commit every change of this session with a
               message that says what changed and why, push the branch (`git push`, or `git push -u origin HEAD`),
               and run `git status --porcelain` again: it must print nothing. Skip this only if you changed no file.
            2. List what is still open: errors you saw and did not fix, steps you did not reach, decisions you put
               off, checks you did not run. If the project has a task tracker, put them there; otherwise they are
               the Next step below.
            3. Print this block, with your own content (the gate parses the heading and the four bold names):

            ```markdown
            ## Framework Reflection

            **Outcome**: success | partial | failure
            **Accomplishments**: what was finished this session
            **Friction points**: what got in the way, or "none"
            **Next step**: the open items from step 2, or "none" when nothing is left
            ```

            `success` only when everything planned is done and the last build and test runs passed; with
            `partial` or `failure` the Next step names real work. Never print it while work is uncommitted.

            4. Say in one line that the handover is complete, then stop: start nothing new.
            """),
        (CodexContract.endSkill, """
            ---
            name: \(CodexContract.endSkill)
            description: Record the thorough handover (.handoff/state.json) with `handoff end` - severity, done, failed with root causes, blockers, exactly where to resume. Use at the end of a long or unfinished session.
            ---
            \(marker)

            # Thorough handover with `handoff end`

            Look first (infer from the conversation and the repository; do not ask the user):
            `cat .handoff/state.json`, `tail -30 .handoff/events.jsonl`, `git status --short`, `git log --oneline -10`.
            Commit and push finished work before you record the handover.

            1. Record your judgement with flags (repeat a flag for each item of a list; leave out what does not apply):
               `handoff end --severity IN_PROGRESS --done "what was finished | commit sha" --failed "what did not work | what you
               did | the exact error | the root cause | what would unblock it" --blocker "an open dependency or decision"
               --next "path/to/file.ext:42 the exact next action" --file path/to/read/first --context "why that is next"
               --watch "a trap found this session" --intent "what the user actually wants"`.
               CRITICAL when the build is broken; IN_PROGRESS when tests fail or work is half done; READY only
               when everything is green and clean. Every failure needs its root cause (the fourth part of --failed).
               For long values, `handoff end --template` prints a commented JSON skeleton: fill it in and pass it with --from FILE.
            2. It runs the build, test and lint checks once each, validates the handover and writes it; if it reports
               errors, fix the flags and run it again (nothing was written).
            3. Repeat the summary it printed (severity, counts, health, where to resume) and its last line (that the
               session may end, or what still blocks it: commit and push that first), and stop.
            """),
    ]

    package static func path(codexHome: String, name: String) -> String {
        Path.join(Path.join(Path.join(codexHome, "skills"), name), "SKILL.md")
    }

    /// The skill's text for an agent whose user types `/<name>` to load it (Mistral Vibe, OpenHands):
    /// with `triggers` (OpenHands injects a skill whose trigger the user's message holds).
    static func text(_ text: String, name: String, triggers: Bool) -> String {
        guard triggers, let end = text.firstRange(of: "\n---\n") else { return text }
        return String(text[..<end.lowerBound]) + "\ntriggers:\n  - /\(name)" + String(text[end.lowerBound...])
    }

    /// Writes the skills that are missing or handoff's own; returns what it did, one line each.
    /// `home` holds `skills/<name>/SKILL.md`: Codex's, Vibe's and OpenHands' homes alike; `sigil`
    /// is how the agent's user names a skill (`$` for Codex, `/` for the others).
    package static func install(codexHome: String, dryRun: Bool, sigil: String = "$", triggers: Bool = false) throws(SystemError) -> [String] {
        var lines: [String] = []
        for (name, text) in skills {
            let file = path(codexHome: codexHome, name: name)
            let body = Self.text(text, name: name, triggers: triggers) + "\n"
            if let existing = try? FileSystem.readText(file) {
                if existing == body { continue }
                if !existing.contains(marker) {
                    lines.append("left \(file) alone (it is not handoff's); the \(sigil)\(name) skill there is someone else's")
                    continue
                }
            }
            lines.append("wrote the \(sigil)\(name) skill to \(file)")
            if !dryRun {
                try FileSystem.makeDirectories(Path.dirname(file))
                try FileSystem.writeText(body, to: file, mode: 0o644)
            }
        }
        return lines
    }

    package static func uninstall(codexHome: String, dryRun: Bool, sigil: String = "$") -> [String] {
        var lines: [String] = []
        for (name, _) in skills {
            let file = path(codexHome: codexHome, name: name)
            guard let existing = try? FileSystem.readText(file), existing.contains(marker) else { continue }
            lines.append("removed the \(sigil)\(name) skill (\(file))")
            if !dryRun {
                FileSystem.remove(file)
                rmdir(Path.dirname(file))
                rmdir(Path.dirname(Path.dirname(file)))
            }
        }
        return lines
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
