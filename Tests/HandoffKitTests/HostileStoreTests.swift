import Foundation
import Testing

@testable import HandoffKit

/// Hostile files in `.handoff/`: whatever an agent (or anyone with a shell) plants in the store is
/// bounded before it is read, never blocks a reader, and is never dropped without a word (#26).
@Suite("Hostile input: the store")
struct HostileStoreTests {
    func repository(_ sandbox: Sandbox) throws -> TestRepository {
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        return repo
    }

    /// Runs the built `handoff` with a bound well below the test runner's: a reader that blocks fails
    /// the test instead of hanging it.
    func handoff(_ repo: TestRepository, _ arguments: String...) throws -> ProcessResult {
        try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.path, environment: repo.sandbox.environment, timeout: 30)
    }

    @Test("a FIFO named like a task file hangs no reader: it is set aside, recorded, and shown by status and doctor")
    func fifoInTasks() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        let good = try handoff(repo, "task", "add", "still here").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let fifo = repo.path + "/.handoff/tasks/ho-fifo000000.json"
        #expect(mkfifo(fifo, 0o600) == 0)

        // Before: `open(2)` waited for a writer that never comes, in every command that lists tasks.
        let list = try handoff(repo, "task", "list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(good))
        #expect(list.stderr.contains("FIFO"), "\(list.stderr)")
        #expect(!FileSystem.exists(fifo) && !FileSystem.isSymlink(fifo), "the FIFO is still where readers look")
        let moved = FileSystem.list(repo.path + "/.handoff/tasks").filter { $0.hasPrefix("ho-fifo000000.json.corrupt-") }
        #expect(moved.count == 1, "the FIFO was deleted instead of moved aside: \(FileSystem.list(repo.path + "/.handoff/tasks"))")

        let lines = try handoff(repo, "events", "--type", "file_set_aside", "--json").stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let recorded = try JSONValue.parse(String(try #require(lines.first, "no file_set_aside event")))
        #expect(recorded["file"]?.stringValue == "tasks/ho-fifo000000.json")
        #expect(recorded["reason"]?.stringValue?.contains("FIFO") == true)

        let status = try handoff(repo, "status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("Set aside"), "\(status.stdout)")
        #expect(status.stdout.contains("tasks/ho-fifo000000.json"))
        let doctor = try JSONValue.parse(try handoff(repo, "doctor", "--json").stdout)
        let check = try #require(doctor["checks"]?.arrayValue?.first { $0["id"]?.stringValue == "set-aside" })
        #expect(check["status"]?.stringValue == "warn")
        #expect(check["detail"]?.stringValue?.hasPrefix("1 store file was set aside") == true, "\(check)")
    }

    @Test("FIFOs planted for every reader: status, brief and show finish; a store file that is not a regular file is named")
    func fifoEverywhere() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        let id = try handoff(repo, "task", "add", "a task").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mkfifo(repo.path + "/.handoff/tasks/ho-fifo111111.json", 0o600) == 0)
        #expect(mkfifo(repo.path + "/.handoff/memory.jsonl", 0o600) == 0)
        for arguments in [["status"], ["brief"], ["task", "show", id], ["task", "show", "ho-fifo111111"]] {
            let result = try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.path, environment: sandbox.environment, timeout: 30)
            #expect(result.status == 0 || arguments.last == "ho-fifo111111", "\(arguments): \(result.stderr)")
        }
        // Reading a FIFO directly is refused at once, naming what it is.
        let path = repo.path + "/.handoff/memory.jsonl"
        #expect(throws: SystemError.self) { try FileSystem.readBytes(path) }
        do { _ = try FileSystem.readCapped(path, cap: 1024) } catch { #expect(error.description.contains("is a FIFO (named pipe), not a regular file")) }
    }

    @Test("a task grown past the cap is refused at write time, whole, and still reads back as it was")
    func tooLargeRefusedAtWrite() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        let tasks = TaskStore(store: repo.store)
        let task = try tasks.add(TaskDraft(title: "grows", body: "start"))
        let chunk = String(repeating: "x", count: 100_000)
        // The CLI appends like an agent would, 100 kB at a time, until the store refuses (bounded loop).
        var refusal: ProcessResult?
        for _ in 0..<(TaskStore.maxFileBytes / 100_000 + 2) {
            let result = try handoff(repo, "task", "update", task.id, "--append", chunk)
            if result.status != 0 { refusal = result; break }
        }
        let refused = try #require(refusal, "a task past \(TaskStore.maxFileBytes) bytes was written")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("over the 1 MiB a task file may hold; nothing was written"), "\(refused.stderr)")
        // Before: the file was written, then read back as invalid JSON at the read limit and moved aside.
        let listing = tasks.list()
        #expect(listing.damaged.isEmpty)
        let kept = try #require(listing.task(task.id), "the task is gone from the list")
        #expect(kept.body.utf8.count <= TaskStore.maxFileBytes)
        do {
            try tasks.add(TaskDraft(title: "huge", body: String(repeating: "y", count: TaskStore.maxFileBytes + 1)))
            Issue.record("a task over the cap was written")
        } catch {
            guard case .tooLarge = error else { Issue.record("refused for another reason: \(error)"); return }
        }
        #expect(tasks.list().tasks.count == 1)
    }

    @Test("a task file over the read cap is set aside naming the cap; a symbolic link is set aside, not followed nor skipped silently")
    func oversizedAndLinkedFiles() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        let tasks = TaskStore(store: repo.store)
        let good = try tasks.add(TaskDraft(title: "good"))
        let big = repo.path + "/.handoff/tasks/ho-big0000000.json"
        let padding = String(repeating: " ", count: TaskStore.maxReadBytes)
        try "{\"id\":\"ho-big0000000\",\"title\":\"big\",\"created_at\":\"2026-01-01T00:00:00.000Z\"\(padding)}".write(toFile: big, atomically: true, encoding: .utf8)
        try repo.write("outside.json", "{\"id\":\"ho-link000000\",\"title\":\"outside\",\"created_at\":\"2026-01-01T00:00:00.000Z\"}")
        #expect(symlink(repo.path + "/outside.json", repo.path + "/.handoff/tasks/ho-link000000.json") == 0)
        let listing = tasks.list()
        #expect(listing.tasks.map(\.id) == [good.id])
        let reasons = listing.damaged.map(\.reason).sorted()
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.contains("over the 4 MiB cap") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("symbolic link") }, "\(reasons)")
        #expect(FileSystem.exists(repo.path + "/outside.json"), "what the link pointed at was touched")
        let events = repo.store.events.readAll().events.filter { $0.type == EventType.fileSetAside }
        #expect(Set(events.compactMap { $0["file"]?.stringValue }) == ["tasks/ho-big0000000.json", "tasks/ho-link000000.json"])
    }

    @Test("doctor fails an unusable handoff.tasks.external, saying why, and passes a usable one")
    func doctorReportsTrackerPattern() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        func check() throws -> JSONValue {
            let doctor = try JSONValue.parse(try handoff(repo, "doctor", "--json").stdout)
            return try #require(doctor["checks"]?.arrayValue?.first { $0["id"]?.stringValue == "tasks-external" })
        }
        _ = try repo.git("config", "handoff.tasks.external", "(?<=JIRA-)[0-9]+")
        let bad = try check()
        #expect(bad["status"]?.stringValue == "fail")
        #expect(bad["detail"]?.stringValue?.contains("not supported") == true, "\(bad)")
        _ = try repo.git("config", "handoff.tasks.external", "JIRA-[0-9]+")
        #expect(try check()["status"]?.stringValue == "pass")
    }

    @Test("task list and task show print no control character from a task's title or body")
    func escapes() throws {
        let sandbox = try Sandbox("hostile-store")
        let repo = try repository(sandbox)
        let hostile = "ls \u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}31m\r\u{202E}txt"
        let id = try TaskStore(store: repo.store).add(TaskDraft(title: "title \(hostile)", body: "line one\nbody \(hostile)")).id
        for arguments in [["task", "list"], ["task", "list", "--all"], ["task", "show", id], ["task", "start", id], ["status"]] {
            let result = try launch(try BuiltProducts.path("handoff"), arguments, directory: repo.path, environment: sandbox.environment, timeout: 30)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let controls = result.stdout.unicodeScalars.filter { TerminalText.needsEscape($0) && $0 != "\n" }
            #expect(controls.isEmpty, "handoff \(arguments.joined(separator: " ")) printed \(controls.map { String($0.value, radix: 16) })")
        }
        let show = try handoff(repo, "task", "show", id).stdout
        #expect(show.contains("line one\nbody ls \\e]0;pwned\\x07"), "\(show)")
    }
}

/// `BoundedPattern`: the safe subset `handoff.tasks.external` is matched with, in work bounded by
/// text × states whatever the pattern.
@Suite("Bounded pattern")
struct BoundedPatternTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool { try BoundedPattern(pattern).hasNonEmptyMatch(in: text) }

    @Test("the subset means what a regular expression means")
    func semantics() throws {
        #expect(try matches("JIRA-[0-9]+", "see JIRA-4211 next"))
        #expect(try !matches("JIRA-[0-9]+", "see JIRA- next"))
        #expect(try matches("(?i)jira-\\d+", "JIRA-7"))
        #expect(try matches("\\b(GH|GL)-\\d{2,4}\\b", "fix GL-123 now"))
        #expect(try !matches("\\b(GH|GL)-\\d{2,4}\\b", "fix GL-12345 now"))
        #expect(try !matches("\\bGH-1", "XGH-1"))
        #expect(try matches("^#[0-9]+$", "#12"))
        #expect(try !matches("^#[0-9]+$", "see #12"))
        #expect(try matches("[^a-z ]", "abc D"))
        #expect(try !matches("a*", "bbb"), "only empty matches do not count")
        #expect(try matches("a*", "bab"))
        #expect(try matches("x(?:ab)*?y", "xababy"))
        #expect(try matches("\\.\\*", "a.*b"))
        #expect(try matches("[\\]x-]", "]"))
        #expect(try matches("[a\\-z]", "-"))
    }

    @Test("what the subset leaves out is refused with the reason, never half-supported")
    func refusals() {
        for pattern in ["(a)\\1", "(?=a)", "(?<n>a)", "\\p{L}", "a**", "a++", "[[:alpha:]]", "a{2,1}", "a{500}", "(", "a)", "[a", "*a",
                        String(repeating: "a", count: 300), "(a{100}){100}"] {
            #expect(throws: BoundedPattern.Invalid.self, "\(pattern)") { _ = try BoundedPattern(pattern) }
        }
    }

    @Test("a catastrophic pattern costs at most text × states visits (counted, not timed)")
    func boundedWork() throws {
        for pattern in ["(a+)+$", "(a|a)*$", "(a*)*b", "(.*a){20}"] {
            let compiled = try BoundedPattern(pattern)
            let text = String(repeating: "a", count: 5_000) + "!"
            let (found, visits) = compiled.search(text)
            #expect(!found || pattern == "(.*a){20}")
            #expect(visits <= (text.unicodeScalars.count + 1) * compiled.stateCount, "\(pattern): \(visits) visits")
        }
        // Text past the cap is not looked at.
        let (_, visits) = try BoundedPattern("(a+)+$").search(String(repeating: "a", count: 200_000))
        #expect(visits <= (BoundedPattern.maxTextScalars + 1) * (try BoundedPattern("(a+)+$").stateCount))
    }
}

/// `handoff end`'s merge of done items: what the old scan per item answered, at a cost that follows
/// the items (200,000 of them took 105 s as a scan per item).
@Suite("handoff end: done items merged by index")
struct DoneMergeTests {
    /// The rule as it was written before: each supplied item replaces the first match, else is appended.
    static func reference(_ existing: [HandoffState.DoneItem], _ supplied: [HandoffState.DoneItem]) -> [HandoffState.DoneItem] {
        var items = existing
        for item in supplied {
            if let index = items.firstIndex(where: { (!item.ref.isEmpty && $0.ref == item.ref) || $0.description == item.description }) {
                items[index] = item
            } else {
                items.append(item)
            }
        }
        return items
    }

    @Test("the same answer as the scan per item, collisions of refs and descriptions included")
    func sameAnswer() {
        var random = SeededGenerator(seed: SeededGenerator.runSeed())
        func item() -> HandoffState.DoneItem {
            HandoffState.DoneItem(description: "d\(Int.random(in: 0..<6, using: &random))",
                                  ref: random.chance(30) ? "" : "r\(Int.random(in: 0..<6, using: &random))")
        }
        for _ in 0..<500 {
            let existing = (0..<Int.random(in: 0..<8, using: &random)).map { _ in item() }
            let supplied = (0..<Int.random(in: 0..<8, using: &random)).map { _ in item() }
            #expect(HandoffEnd.mergeDone(existing, supplied) == Self.reference(existing, supplied), "\(existing) + \(supplied)")
        }
    }

    @Test("200,000 done items merge into 200,000 recorded ones (bounded by the test's limit, not timed)", .timeLimit(.minutes(1)))
    func large() {
        let existing = (0..<200_000).map { HandoffState.DoneItem(description: "done \($0)", ref: "abc\($0)") }
        let supplied = (0..<200_000).map { HandoffState.DoneItem(description: "done \($0 * 2)", ref: "") }
        let merged = HandoffEnd.mergeDone(existing, supplied)
        #expect(merged.count == 300_000)
        #expect(merged[2] == HandoffState.DoneItem(description: "done 2", ref: ""))
    }
}
