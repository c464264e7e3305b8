import Foundation
import Testing
@testable import HandoffKit

/// `handoff timeline`, launched as built, on a session recorded by the real hooks: a commit and a push
/// through the installed git hooks, a failed test run, a stop the gate blocked, a compaction and an
/// accepted reflection, beside another session's commit that must not appear.
@Suite("handoff timeline")
struct TimelineTests {
    func handoff(_ repo: AgentRepo, _ sandbox: Sandbox, _ arguments: String..., environment extra: [String: String] = [:]) throws -> ProcessResult {
        var environment = sandbox.environment
        for (key, value) in extra { environment[key] = value }
        return try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.root, environment: environment)
    }

    /// Session sess-tl's work, in order, then one commit of session sess-other.
    func recordedSession(_ sandbox: Sandbox) throws -> AgentRepo {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        let install = try handoff(repo, sandbox, "install", "--git", "--bin-dir", BuiltProducts.directory)
        #expect(install.status == 0, "\(install.stderr)")
        repo.sessionStart("sess-tl")
        try repo.write("parser.swift", "let parser = 1\n")
        try repo.git("add", "parser.swift")
        try AgentRepo.run(["HANDOFF_SESSION_ID=sess-tl", "git", "commit", "-qm", "Add the \u{1B}[31mparser"], in: repo.root)
        repo.bash("sess-tl", "swift test --filter ParserTests", exitCode: 1)
        #expect(GateAnswer(repo.stop("sess-tl", message: "All done.")).isBlock)
        repo.compact("sess-tl", trigger: "auto")
        try AgentRepo.run(["HANDOFF_SESSION_ID=sess-tl", "git", "push", "-q", "origin", "main"], in: repo.root)
        repo.bash("sess-tl", "swift test --filter ParserTests")
        #expect(GateAnswer(repo.stop("sess-tl", message: validReflection)) == .allow)
        try repo.write("other.swift", "let other = 1\n")
        try repo.git("add", "other.swift")
        try AgentRepo.run(["HANDOFF_SESSION_ID=sess-other", "git", "commit", "-qm", "Work of another session"], in: repo.root)
        return repo
    }

    @Test("the terminal view shows each lane and each moment of the session, escaped, within 80 columns")
    func terminal() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try recordedSession(sandbox)
        let result = try handoff(repo, sandbox, "timeline", "sess-tl", environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        for expected in ["Session sess-tl", "1 commit · 1 push · 1 block · 1 compaction · 1 handover · 1 failure",
                         "commits     |", "pushes      |", "blocks      |", "compactions |", "handovers   |", "failures    |",
                         "Add the \\e[31mparser (main)", "origin main, 1 commit", "test exit 1: swift test --filter ParserTests",
                         "compaction #1 (auto)", "reflection accepted: success", "startup on main"] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        #expect(!text.contains("Work of another session"), "another session's commit is not this session's")
        #expect(!text.contains("\u{1B}"), "no raw escape reaches the terminal")
        for line in text.split(separator: "\n") {
            #expect(line.count <= 80, "wider than 80 columns: \(line)")
        }
        // Each lane holds its one mark, placed by time: the commit before the push.
        let lanes = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let bar = line.firstIndex(of: "|") else { return nil }
            return (line[..<bar].trimmingCharacters(in: .whitespaces), String(line[bar...]))
        })
        let commitColumn = try #require(lanes["commits"]?.firstIndex(of: "C")).utf16Offset(in: lanes["commits"]!)
        let pushColumn = try #require(lanes["pushes"]?.firstIndex(of: "P")).utf16Offset(in: lanes["pushes"]!)
        #expect(commitColumn <= pushColumn)
        #expect(lanes["commits"]?.filter { $0 == "C" }.count == 1)
    }

    @Test("without a session id the timeline is the session that recorded the newest event")
    func defaultSession() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try recordedSession(sandbox)
        let result = try handoff(repo, sandbox, "timeline")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Session sess-other"))
        #expect(result.stdout.contains("Work of another session"))
    }

    @Test("--json carries every mark with its event, in the log's order, and the counts")
    func json() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try recordedSession(sandbox)
        let result = try handoff(repo, sandbox, "timeline", "sess-tl", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["session"]?.stringValue == "sess-tl")
        for (kind, count) in [("start", 1), ("commit", 1), ("push", 1), ("block", 1), ("compaction", 1), ("handover", 1), ("failure", 1), ("override", 0)] {
            #expect(json["counts"]?[kind]?.intValue == count, "\(kind)")
        }
        let marks = try #require(json["marks"]?.arrayValue)
        #expect(marks.map { $0["kind"]?.stringValue ?? "" } == ["start", "commit", "failure", "block", "compaction", "push", "handover"])
        #expect(marks[1]["event"]?["subject"]?.stringValue == "Add the \u{1B}[31mparser", "JSON keeps the recorded text as it is")
        #expect(marks[0]["offset_seconds"]?.isNull == false)
        #expect((json["other_events"]?.intValue ?? 0) >= 1, "the passing test run is an event the timeline leaves out")
    }

    @Test("an unknown or unsafe session, no session yet, and no store are each told apart")
    func errors() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try AgentRepo(optIn: false)
        let noStore = try handoff(repo, sandbox, "timeline")
        #expect(noStore.status == 3)
        #expect(noStore.stderr.contains("handoff init"))
        #expect(try handoff(repo, sandbox, "init").status == 0)
        let empty = try handoff(repo, sandbox, "timeline")
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("no session recorded yet"))
        #expect(try handoff(repo, sandbox, "timeline", "--json").stdout == "null\n")
        let noPage = try handoff(repo, sandbox, "timeline", "--html", sandbox.path("t.html"))
        #expect(noPage.status == 1)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("t.html")))
        let unknown = try handoff(repo, sandbox, "timeline", "no-such-session")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no event recorded for session no-such-session"))
        let unsafe = try handoff(repo, sandbox, "timeline", "../state")
        #expect(unsafe.status == 1)
        #expect(unsafe.stderr.contains("is not a session id"))
    }

    @Test("--html writes one self-contained page that headless Chromium renders with every moment on it")
    func htmlInChromium() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try recordedSession(sandbox)
        let chromium = try HeadlessChromium(sandbox)
        let page = sandbox.path("timeline.html")
        let result = try handoff(repo, sandbox, "timeline", "sess-tl", "--html", page)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wrote \(page)"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        // Self-contained: nothing to fetch, nothing to run.
        #expect(!html.contains("<script"))
        for reference in ["src=", "href=", "url(", "@import"] {
            #expect(!html.contains(reference), "the page refers to something outside it: \(reference)")
        }
        #expect(html.contains("default-src 'none'"))
        #expect(!html.contains("\u{1B}"))

        // What the browser built: the moments, with the recorded text shown, not interpreted.
        let dom = try chromium.dumpDOM(page)
        for expected in ["sess-tl", "Add the \\e[31mparser (main)", "origin main, 1 commit", "test exit 1: swift test --filter ParserTests",
                         "compaction #1 (auto)", "reflection accepted: success"] {
            #expect(dom.contains(expected), "the rendered page lacks \(expected)")
        }
        let rows = dom.components(separatedBy: "<tr data-kind=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(rows == ["start", "commit", "failure", "block", "compaction", "push", "handover"])
        #expect(dom.components(separatedBy: "<g class=\"mark\">").count - 1 == 6, "one mark on the axis per moment but the start")

        // What a person sees: a page that is not blank, with each lane's mark drawn in its colour.
        let png = try chromium.screenshot(page, width: 1000, height: 700)
        let colors = SessionTimeline.Kind.allCases.filter { $0 != .start && $0 != .end && $0 != .override }.map(SessionTimeline.color)
        let census = try PixelCensus(png: png, colors: colors, sandbox: sandbox)
        #expect(census.width == 1000 && census.height == 700)
        #expect(census.nonBackground > census.width * census.height / 20, "the page looks blank: \(census.nonBackground) pixels differ from the background")
        for color in colors {
            #expect((census.colorCounts[color] ?? 0) >= 40, "nothing drawn in \(color): \(census.colorCounts)")
        }
    }

    @Test("the page shows hostile recorded text as text")
    func htmlEscapes() throws {
        let sandbox = try Sandbox("timeline")
        let repo = try AgentRepo()
        repo.sessionStart("sess-x")
        repo.bash("sess-x", "echo '<script>alert(1)</script>' && false", exitCode: 1)
        let page = sandbox.path("x.html")
        #expect(try handoff(repo, sandbox, "timeline", "--html", page).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }
}
