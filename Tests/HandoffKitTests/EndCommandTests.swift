import Foundation
import Testing
@testable import HandoffKit

/// `handoff end` as a person or an agent uses it: flags, the template, progress, one run per command.
@Suite("handoff end: flags, template, progress, checks run once")
struct EndCommandTests {
    /// A repository whose health checks are quick shell commands.
    func repository(_ sandbox: Sandbox, build: String = "true", tests: String = "true") throws -> TestRepository {
        let repo = try sandbox.repository()
        try repo.git("config", "handoff.check.build", build)
        try repo.git("config", "handoff.check.tests", tests)
        try repo.git("config", "handoff.check.lint", "none")
        #expect(try repo.handoff("init").status == 0)
        return repo
    }

    @Test("every field can be given as a flag, lists by repeating it; stdin is not read")
    func flagsForEveryField() throws {
        let sandbox = try Sandbox("end-flags")
        let repo = try repository(sandbox)
        let result = try repo.handoff(
            "end", "--session", "s-flags", "--severity", "in-progress",
            "--done", "Add the tokenizer | 3f2a9c1", "--done", "Document the grammar",
            "--failed", "empty input crashes | swift test --filter Parser | index out of range | no token for empty input | a guard in parse",
            "--failed", #"pipes \| in errors | make check | exit 2 | the shell splits on bars"#,
            "--blocker", "waiting for the API key",
            "--next", "README.md:1 document the parser options", "--file", "README.md", "--file", "Sources/Parser.swift",
            "--context", "the tokenizer landed", "--watch", "the fixtures are generated", "--watch", "CI runs on Linux only",
            "--intent", "a parser for the config format", "--correction", "use tabs in Makefiles",
            "--active-context", "Parser.swift:88", "--reference", "#15",
            // JSON on stdin is not read without --from -: the flags are the whole judgement.
            stdin: #"{"severity": "CRITICAL"}"#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SESSION: 2 done, 2 failed, 1 blockers"), "\(result.stdout)")
        let state = try repo.store.readState()
        #expect(state.source == .manualEnd)
        #expect(state.severity == .inProgress)
        #expect(state.done.contains { $0.description == "Add the tokenizer" && $0.ref == "3f2a9c1" })
        #expect(state.done.contains { $0.description == "Document the grammar" && $0.ref == "" })
        #expect(state.failed.count == 2)
        #expect(state.failed.first?.tried == "swift test --filter Parser")
        #expect(state.failed.first?.why == "no token for empty input")
        #expect(state.failed.first?.need == "a guard in parse")
        #expect(state.failed.last?.description == "pipes | in errors")
        #expect(state.failed.last?.why == "the shell splits on bars")
        #expect(state.failed.last?.need == nil)
        #expect(state.blockers.map(\.description) == ["waiting for the API key"])
        #expect(state.blockers.first?.resolved == false)
        #expect(state.resume.next == "README.md:1 document the parser options")
        #expect(state.resume.files == ["README.md", "Sources/Parser.swift"])
        #expect(state.resume.context == "the tokenizer landed")
        #expect(state.watchOutFor == ["the fixtures are generated", "CI runs on Linux only"])
        #expect(state.sessionMemory.userIntent == "a parser for the config format")
        #expect(state.sessionMemory.corrections == ["use tabs in Makefiles"])
        #expect(state.sessionMemory.activeContext == "Parser.swift:88")
        #expect(state.sessionMemory.keyReferences == ["#15"])
        #expect(try SchemaCheck.errors(forStateFile: repo.path + "/.handoff/state.json").isEmpty)
    }

    @Test("flags and JSON together: a flag replaces the same field of the JSON, the rest of the JSON is kept")
    func flagsOverrideJSON() throws {
        let sandbox = try Sandbox("end-merge")
        let repo = try repository(sandbox)
        let json = #"""
            {"severity": "CRITICAL", "watch_out_for": ["from the file"],
             "resume": {"next": "README.md:1 from the file", "files": ["README.md"], "context": "file context"}}
            """#
        try repo.write("handover.json", json)
        let fromFile = try repo.handoff("end", "--session", "s-m", "--from", "handover.json", "--severity", "IN_PROGRESS",
                                        "--next", "README.md:2 from the flag")
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        var state = try repo.store.readState()
        #expect(state.severity == .inProgress, "the flag replaces the file's severity")
        #expect(state.resume.next == "README.md:2 from the flag")
        #expect(state.resume.files == ["README.md"], "resume.files no flag named is kept from the file")
        #expect(state.resume.context == "file context")
        #expect(state.watchOutFor == ["from the file"])
        // `--from -` reads stdin beside the flags.
        let fromStdin = try repo.handoff("end", "--session", "s-m", "--from", "-", "--watch", "from the flag", stdin: json)
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        state = try repo.store.readState()
        #expect(state.watchOutFor == ["from the flag"])
        #expect(state.severity == .critical)
        #expect(state.resume.next == "README.md:1 from the file")
        // JSON on stdin alone keeps working as before.
        let plain = try repo.handoff("end", "--session", "s-m", stdin: #"{"severity": "READY", "resume": {"next": "README.md:3 plain stdin", "files": [], "context": ""}}"#)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try repo.store.readState().resume.next == "README.md:3 plain stdin")
    }

    @Test("an unknown severity is a usage error listing the valid ones; a malformed --failed says how to write it")
    func badValues() throws {
        let sandbox = try Sandbox("end-bad")
        let repo = try repository(sandbox)
        let before = try repo.read(".handoff/state.json")
        let severity = try repo.handoff("end", "--severity", "DONE", "--next", "README.md:1 x")
        #expect(severity.status == 64)
        #expect(severity.stderr.contains("'READY', 'IN_PROGRESS' or 'CRITICAL'"), "\(severity.stderr)")
        let failed = try repo.handoff("end", "--failed", "it broke", "--next", "README.md:1 x")
        #expect(failed.status == 64)
        #expect(failed.stderr.contains("WHAT | TRIED | ERROR | WHY | NEED"), "\(failed.stderr)")
        let nothing = try repo.handoff("end", stdin: "")
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("--template"), "\(nothing.stderr)")
        #expect(try repo.read(".handoff/state.json") == before, "nothing was written")
    }

    @Test("--template prints a commented skeleton that reads back, and is refused until it is filled in")
    func template() throws {
        let sandbox = try Sandbox("end-template")
        let repo = try repository(sandbox)
        let printed = try repo.handoff("end", "--template")
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("//"))
        for key in HandoffEnd.judgementKeys {
            #expect(printed.stdout.contains("\"\(key)\""), "the skeleton names \(key)")
        }
        // Unchanged, it is a well-formed judgement without a resume: refused, nothing written.
        let before = try repo.read(".handoff/state.json")
        let unchanged = try repo.handoff("end", stdin: printed.stdout)
        #expect(unchanged.status == 1, "\(unchanged.stderr)")
        #expect(unchanged.stderr.contains("resume.next"))
        #expect(try repo.read(".handoff/state.json") == before)
        // Filled in (comments left where they are), it is accepted.
        let filled = printed.stdout
            .replacingOccurrences(of: #""next": """#, with: #""next": "README.md:1 document the parser""#)
            .replacingOccurrences(of: #""watch_out_for": []"#, with: #""watch_out_for": ["the fixtures are generated"]"#)
        try repo.write("handover.json", filled)
        let accepted = try repo.handoff("end", "--session", "s-t", "--from", "handover.json")
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try repo.store.readState().resume.next == "README.md:1 document the parser")
    }

    @Test("a Makefile whose default goal is the tests is run once, and the output says the tests reuse the build's run")
    func sameCommandRunsOnce() throws {
        let sandbox = try Sandbox("end-once")
        let repo = try sandbox.repository()
        let counter = sandbox.path("runs.txt")
        // The default goal (the first target) is `test`: `make` and `make test` are one command.
        try repo.write("Makefile", "test:\n\t@echo ran >> \(counter)\n\nlint:\n\t@true\n")
        try repo.git("add", "Makefile")
        try repo.git("commit", "-q", "-m", "a Makefile")
        #expect(try repo.handoff("init").status == 0)
        let result = try repo.handoff("end", "--session", "s-once", "--next", "Makefile:1 add a build target")
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        #expect(runs == 1, "`make` ran \(runs) times")
        #expect(result.stdout.contains("HEALTH: build=pass tests=pass lint=pass (tests: same command as build, run once, result reused)"), "\(result.stdout)")
        #expect(result.stderr.contains("tests: `make test` is the same command as build: not run again, its result is reused"), "\(result.stderr)")
        let checks = try repo.handoff("events", "--type", "check", "--json").stdout.split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
        #expect(checks.count == 3)
        #expect(checks.first { $0["name"]?.stringValue == "tests" }?["reused_from"]?.stringValue == "build")
        #expect(checks.first { $0["name"]?.stringValue == "build" }?["reused_from"] == nil)
    }

    @Test("checks that differ both run, even when they look alike")
    func differentCommandsBothRun() throws {
        #expect(CheckIdentity.key(["/bin/sh", "-c", "make  test"], root: "/nonexistent") == ["make", "test"])
        #expect(CheckIdentity.key(["/bin/sh", "-c", "make test | tee log"], root: "/nonexistent") == ["/bin/sh", "-c", "make test | tee log"])
        #expect(CheckIdentity.key(["make"], root: "/nonexistent") == ["make"])
        let sandbox = try Sandbox("end-twice")
        try ".PHONY: all\nCC := cc\nall: build\n\nbuild:\n\ttrue\ntest:\n\ttrue\n".write(toFile: sandbox.path("Makefile"), atomically: true, encoding: .utf8)
        #expect(CheckIdentity.makeDefaultGoal(root: sandbox.root) == "all")
        try "build:\n\ttrue\n.DEFAULT_GOAL := test\ntest:\n\ttrue\n".write(toFile: sandbox.path("Makefile"), atomically: true, encoding: .utf8)
        #expect(CheckIdentity.makeDefaultGoal(root: sandbox.root) == "test")
    }

    @Test("help lists every field flag, shows examples and fits 80 columns")
    func help() throws {
        let sandbox = try Sandbox("end-help")
        let repo = try sandbox.repository()
        let result = try repo.handoff("end", "--help", environment: ["COLUMNS": "80"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
        for flag in ["--done", "--failed", "--blocker", "--next", "--file", "--watch", "--severity", "--intent", "--template", "--from"] {
            #expect(result.stdout.contains("  \(flag) "), "help lists \(flag)")
        }
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "end help fits 80 columns:\n\(result.stdout)")
    }

    @Test("progress on a pipe: plain lines naming each check and its time")
    func progressOnAPipe() throws {
        let sandbox = try Sandbox("end-pipe")
        let repo = try repository(sandbox, build: "sleep 1", tests: "exit 3")
        let result = try repo.handoff("end", "--session", "s-pipe", "--next", "README.md:1 x")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("handoff: running [1/2] build: sleep 1\n"), "\(result.stderr)")
        #expect(result.stderr.contains("handoff: build passed in 1."), "\(result.stderr)")
        #expect(result.stderr.contains("handoff: running [2/2] tests: exit 3\n"))
        #expect(result.stderr.contains("handoff: tests failed (exit 3) in "))
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1B}["), "no terminal control on a pipe")
    }

    @Test("progress on a terminal: one live line with the elapsed time, replaced by the result")
    func progressOnATerminal() throws {
        let sandbox = try Sandbox("end-pty")
        let repo = try repository(sandbox, build: "sleep 2.6")
        // stderr is a pseudo-terminal (python3's pty module); stdout stays a pipe.
        let script = """
            import os, pty, subprocess, sys
            master, slave = pty.openpty()
            child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            seen = b""
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                seen += data
            out = child.stdout.read()
            status = child.wait()
            sys.stdout.write(repr(seen.decode("utf-8", "replace")) + "\\n")
            sys.exit(status)
            """
        let handoff = try BuiltProducts.path("handoff")
        let result = try repo.run("/usr/bin/env", ["python3", "-c", script, handoff, "end", "--session", "s-pty", "--next", "README.md:1 x"],
                                  environment: ["TERM": "xterm"])
        guard result.status == 0 else {
            Issue.record("python3 with its pty module is needed for this test (installed by .ci/run): \(result.stderr)")
            return
        }
        let seen = result.stdout
        #expect(seen.contains(#"\r\x1b[2K[1/2] build: sleep 2.6 …"#), "\(seen)")
        // Rewritten in place with the elapsed seconds while the check runs.
        #expect(seen.contains(#"[1/2] build: sleep 2.6 … 1."#) || seen.contains(#"[1/2] build: sleep 2.6 … 2."#), "\(seen)")
        #expect(seen.contains(#"\r\x1b[2Kbuild passed in 2."#), "\(seen)")
        #expect(seen.contains(#"tests passed in"#))
    }
}
