import Foundation
import Testing
@testable import HandoffKit

@Suite("Tasks: store")
struct TaskStoreTests {
    func store(_ sandbox: Sandbox) throws -> (TestRepository, TaskStore) {
        let repo = try sandbox.repository()
        try repo.store.initialise(hostname: "h")
        return (repo, TaskStore(store: repo.store))
    }

    @Test("a task round-trips through its file; status, labels and blockers are kept")
    func roundTrip() throws {
        let sandbox = try Sandbox("tasks")
        let (repo, tasks) = try store(sandbox)
        let blocker = try tasks.add(TaskDraft(title: "Wait for the API key", labels: ["blocker"], session: "s-1", agent: "claude-code"))
        let task = try tasks.add(TaskDraft(title: "Deploy", body: "after the key", blockedBy: [blocker.id], labels: ["deploy"]))
        #expect(TaskID.isValid(task.id) && task.id.count == 13 && task.id.hasPrefix("ho-"))
        #expect(FileSystem.exists(repo.path + "/.handoff/tasks/\(task.id).json"))
        let listing = tasks.list()
        #expect(listing.tasks.count == 2)
        #expect(listing.task(task.id) == task)
        #expect(listing.openBlockers(of: task) == [blocker.id])
        #expect(listing.task(blocker.id)?.session == "s-1")
        try tasks.update(blocker.id) { $0.status = .done }
        let after = tasks.list()
        #expect(after.openBlockers(of: task).isEmpty)
        #expect(after.task(blocker.id)?.closedAt != nil)
        #expect(after.open.map(\.id) == [task.id])
    }

    @Test("a blocker that does not exist is refused and nothing is written")
    func unknownBlocker() throws {
        let sandbox = try Sandbox("tasks")
        let (_, tasks) = try store(sandbox)
        #expect(throws: TaskError.unknownBlocker("ho-0000000000")) {
            try tasks.add(TaskDraft(title: "x", blockedBy: ["ho-0000000000"]))
        }
        #expect(tasks.list().tasks.isEmpty)
    }

    @Test("secrets in a task's text are redacted before it is written")
    func redacted() throws {
        let sandbox = try Sandbox("tasks")
        let (repo, tasks) = try store(sandbox)
        let task = try tasks.add(TaskDraft(title: "rotate ghp_abcdefghijklmnopqrstuvwxyz0123", body: "export API_TOKEN=hunter2hunter2"))
        let text = try repo.read(".handoff/tasks/\(task.id).json")
        #expect(!text.contains("ghp_abcdefghijklmnopqrstuvwxyz0123") && !text.contains("hunter2hunter2"))
        #expect(text.contains(Redactor.mask))
    }

    @Test("a damaged task file is moved aside, never deleted, and the other tasks still read")
    func damaged() throws {
        let sandbox = try Sandbox("tasks")
        let (repo, tasks) = try store(sandbox)
        let good = try tasks.add(TaskDraft(title: "good"))
        let bad = try tasks.add(TaskDraft(title: "bad"))
        try repo.write(".handoff/tasks/\(bad.id).json", "{\"id\": \"\(bad.id)\", \"title\": ")
        let listing = tasks.list()
        #expect(listing.tasks.map(\.id) == [good.id])
        #expect(listing.damaged.count == 1)
        let moved = try #require(listing.damaged.first)
        #expect(moved.file.hasPrefix(repo.path + "/.handoff/tasks/\(bad.id).json.corrupt-"))
        #expect(try String(contentsOfFile: moved.file, encoding: .utf8).hasPrefix("{\"id\""))
        #expect(!FileSystem.exists(repo.path + "/.handoff/tasks/\(bad.id).json"))
        #expect(tasks.list().damaged.isEmpty)
    }

    @Test("ids minted with the same random bits differ by host and time; mentions are found in prose")
    func ids() throws {
        let now = Timestamp(milliseconds: 1_800_000_000_000)
        let a = TaskID.mint(entropy: 42, host: "laptop", now: now)
        #expect(a == TaskID.mint(entropy: 42, host: "laptop", now: now))
        #expect(a != TaskID.mint(entropy: 42, host: "desktop", now: now))
        #expect(a != TaskID.mint(entropy: 43, host: "laptop", now: now))
        var seen: Set<String> = []
        for _ in 0..<20_000 { seen.insert(TaskID.mint()) }
        #expect(seen.count == 20_000)
        #expect(TaskID.mentions(in: "Next: ho-abc123defg and (ho-zz99yy88xx), not xho-notone; ho-abc123defg again")
                == ["ho-abc123defg", "ho-zz99yy88xx"])
    }

    @Test("merging another clone's tasks is by id, commutative and idempotent")
    func merge() throws {
        let sandbox = try Sandbox("tasks")
        let (_, left) = try store(sandbox)
        let other = try sandbox.repository("other")
        try other.store.initialise(hostname: "h2")
        let right = TaskStore(store: other.store)
        let shared = try left.add(TaskDraft(title: "shared"), now: Timestamp(milliseconds: 1000))
        try right.merge([shared])
        try left.add(TaskDraft(title: "left only"))
        try right.add(TaskDraft(title: "right only"))
        try right.update(shared.id, now: Timestamp(milliseconds: 5000)) { $0.status = .done }
        try left.update(shared.id, now: Timestamp(milliseconds: 3000)) { $0.title = "shared, renamed" }
        let leftTasks = left.list().tasks, rightTasks = right.list().tasks
        try left.merge(rightTasks)
        try right.merge(leftTasks)
        let l = left.list().tasks, r = right.list().tasks
        #expect(l == r)
        #expect(l.count == 3)
        #expect(l.first { $0.id == shared.id }?.status == .done)
        #expect(try left.merge(r) == TaskStore.MergeReport(added: [], updated: [], unchanged: 3))
    }

    @Test("memories are deduplicated by text and land in CONTEXT.md's Discoveries block")
    func memories() throws {
        let sandbox = try Sandbox("tasks")
        let (repo, _) = try store(sandbox)
        let memories = MemoryStore(store: repo.store)
        #expect(try memories.remember("The fixtures are  generated", tags: ["tests"], session: nil).isNew)
        #expect(try !memories.remember("the fixtures are generated", tags: [], session: nil).isNew)
        try memories.remember("the fixtures are generated", tags: ["ci"], session: nil)
        try memories.remember("CI has 2 cores", tags: [], session: nil)
        let all = memories.all()
        #expect(all.map(\.text) == ["The fixtures are generated", "CI has 2 cores"])
        #expect(all.first?.tags == ["tests", "ci"])
        try ContextRegenerator.refreshMemories(store: repo.store)
        try ContextRegenerator.refreshMemories(store: repo.store)
        let context = try repo.read(".handoff/CONTEXT.md")
        #expect(context.components(separatedBy: "- The fixtures are generated (tests, ci)").count == 2)
        #expect(context.contains("- CI has 2 cores"))
    }
}

@Suite("Tasks: CLI")
struct TaskCLITests {
    func repository(_ sandbox: Sandbox) throws -> TestRepository {
        let repo = try sandbox.repository()
        #expect(try repo.handoff("init").status == 0)
        return repo
    }

    @Test("add prints the id; --json an object with it; list, show, start, done, reopen and update work on it")
    func lifecycle() throws {
        let sandbox = try Sandbox("taskcli")
        let repo = try repository(sandbox)
        let add = try repo.handoff("task", "add", "Wait for the API key", "--blocker", environment: ["HANDOFF_SESSION_ID": "s-9"])
        #expect(add.status == 0, "\(add.stderr)")
        let blocker = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(TaskID.isValid(blocker))
        let json = try repo.handoff("task", "add", "Deploy", "--body", "after the key", "--blocked-by", blocker, "--label", "deploy", "--json")
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONValue.parse(json.stdout)
        let deploy = try #require(object["id"]?.stringValue)
        #expect(object["blocked_by"] == [.string(blocker)])

        let list = try repo.handoff("task", "list")
        #expect(list.status == 0)
        #expect(list.stdout.contains("\(deploy)  blocked"))
        #expect(list.stdout.contains("[blocked by \(blocker)]"))
        #expect(list.stdout.contains("(blocker)"))

        let show = try repo.handoff("task", "show", blocker)
        #expect(show.stdout.contains("Session:    s-9"))
        #expect(try repo.handoff("task", "start", deploy).stdout.contains("in_progress"))
        #expect(try repo.handoff("task", "done", blocker).status == 0)
        #expect(!(try repo.handoff("task", "list").stdout.contains(blocker)))
        #expect(try repo.handoff("task", "list", "--all").stdout.contains(blocker))
        #expect(try repo.handoff("task", "reopen", blocker).status == 0)
        let update = try repo.handoff("task", "update", deploy, "--title", "Deploy v2", "--unblock", blocker, "--json")
        #expect(update.status == 0, "\(update.stderr)")
        let updated = try JSONValue.parse(update.stdout)
        #expect(updated["title"] == "Deploy v2")
        #expect(updated["blocked_by"] == [])
        let listJSON = try JSONValue.parse(try repo.handoff("task", "list", "--json").stdout)
        #expect(listJSON.arrayValue?.count == 2)
    }

    @Test("bad input gets one line saying what to do, and a usage exit status")
    func badInput() throws {
        let sandbox = try Sandbox("taskcli")
        let repo = try repository(sandbox)
        let unknown = try repo.handoff("task", "show", "ho-doesnotexist")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no task ho-doesnotexist"))
        let notAnID = try repo.handoff("task", "done", "aops-123")
        #expect(notAnID.status == 64)
        #expect(notAnID.stderr.contains("not a task id"))
        let missingBlocker = try repo.handoff("task", "add", "x", "--blocked-by", "ho-0000000000")
        #expect(missingBlocker.status == 2)
        #expect(missingBlocker.stderr.contains("create it first"))
        let empty = try repo.handoff("task", "add", "  ")
        #expect(empty.status == 64)
        let nothing = try repo.handoff("task", "update", "ho-0000000000")
        #expect(nothing.status == 64)
        #expect(nothing.stderr.contains("nothing to change"))
    }

    @Test("8 processes adding at once lose no task, and every file is whole")
    func concurrentAdds() throws {
        let sandbox = try Sandbox("taskcli")
        let repo = try repository(sandbox)
        let handoff = try BuiltProducts.path("handoff")
        let perProcess = 10
        // Each process runs a shell loop of adds, so the 8 loops overlap for their whole length.
        let processes: [Process] = try (0..<8).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "for n in $(seq 1 \(perProcess)); do \"$0\" task add \"writer \(index) task $n\" || exit 1; done", handoff]
            process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
            process.environment = sandbox.environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            #expect(!BoundedProcess.waitOrKill(process, timeout: 120), "a writer did not finish in 120 s")
            #expect(process.terminationStatus == 0)
        }
        let listing = TaskStore(store: repo.store).list()
        #expect(listing.damaged.isEmpty)
        let titles = Set(listing.tasks.map(\.title))
        let expected = Set((0..<8).flatMap { index in (1...perProcess).map { "writer \(index) task \($0)" } })
        #expect(titles == expected)
        #expect(Set(listing.tasks.map(\.id)).count == 8 * perProcess)
        #expect(FileSystem.list(repo.path + "/.handoff/tasks").filter { $0.contains(".tmp.") }.isEmpty)
    }

    @Test("two clones adding tasks never mint the same id, and their stores merge without loss")
    func twoClones() throws {
        let sandbox = try Sandbox("taskcli")
        let origin = try sandbox.repository("origin")
        let clones = try ["a", "b"].map { name -> TestRepository in
            _ = try launch("/usr/bin/git", ["clone", "-q", origin.path, sandbox.path(name)], directory: sandbox.root, environment: sandbox.environment)
            let clone = TestRepository(path: sandbox.path(name), sandbox: sandbox)
            #expect(try clone.handoff("init").status == 0)
            return clone
        }
        var ids: [[String]] = [[], []]
        for round in 0..<25 {
            for (index, clone) in clones.enumerated() {
                let result = try clone.handoff("task", "add", "round \(round)")
                #expect(result.status == 0)
                ids[index].append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect(Set(ids[0]).count == 25 && Set(ids[1]).count == 25)
        #expect(Set(ids[0]).isDisjoint(with: ids[1]))
        let a = TaskStore(store: clones[0].store), b = TaskStore(store: clones[1].store)
        try a.merge(b.list().tasks)
        #expect(Set(a.list().tasks.map(\.id)) == Set(ids[0] + ids[1]))
    }

    @Test("remember keeps a discovery once and shows it in CONTEXT.md")
    func remember() throws {
        let sandbox = try Sandbox("taskcli")
        let repo = try repository(sandbox)
        let first = try repo.handoff("remember", "the fixtures are generated by scripts/fixtures.sh", "--tag", "tests")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Remembered"))
        #expect(try repo.handoff("remember", "The fixtures are generated by scripts/fixtures.sh").stdout.hasPrefix("Already remembered"))
        let context = try repo.read(".handoff/CONTEXT.md")
        #expect(context.contains("- the fixtures are generated by scripts/fixtures.sh (tests)"))
        #expect(try repo.handoff("remember", " ").status == 64)
    }
}

@Suite("Tasks: handoff end")
struct HandoffEndTaskTests {
    @Test("handoff end files a task per unresolved blocker and a resume task blocked by them, once")
    func filesBlockerAndResumeTasks() throws {
        let sandbox = try Sandbox("endtasks")
        let repo = try sandbox.repository()
        try repo.git("config", "handoff.check.build", "true")
        try repo.git("config", "handoff.check.tests", "none")
        try repo.git("config", "handoff.check.lint", "none")
        #expect(try repo.handoff("init").status == 0)
        let judgement = #"""
            {"severity": "IN_PROGRESS",
             "blockers": [{"description": "waiting for the API key", "resolved": false},
                          {"description": "staging is down", "resolved": false},
                          {"description": "old question", "resolved": true}],
             "resume": {"next": "Sources/App/Parser.swift:88 handle the empty input case", "files": ["Sources/App/Parser.swift"], "context": "the tokenizer is done"},
             "watch_out_for": ["fixtures are generated"]}
            """#
        let result = try repo.handoff("end", "--session", "s-end", stdin: judgement)
        #expect(result.status == 0, "\(result.stderr)")
        let state = try repo.store.readState()
        let blockerIDs = state.blockers.prefix(2).compactMap(\.task)
        #expect(blockerIDs.count == 2)
        #expect(state.blockers[2].task == nil, "a resolved blocker gets no task")
        let resumeID = try #require(state.resume.task)
        #expect(result.stdout.contains("TASKS: resume \(resumeID) (blocked by \(blockerIDs.joined(separator: ", "))); blockers \(blockerIDs.joined(separator: ", "))"))
        #expect(try SchemaCheck.errors(forStateFile: repo.path + "/.handoff/state.json").isEmpty)

        let listing = TaskStore(store: repo.store).list()
        let resume = try #require(listing.task(resumeID))
        #expect(resume.blockedBy == blockerIDs)
        #expect(resume.labels == ["resume", "handoff"])
        #expect(resume.session == "s-end")
        #expect(resume.metadata["next"] == "Sources/App/Parser.swift:88 handle the empty input case")
        #expect(resume.metadata["files"] == ["Sources/App/Parser.swift"])
        #expect(resume.metadata["context"] == "the tokenizer is done")
        for id in blockerIDs {
            let blocker = try #require(listing.task(id))
            #expect(blocker.labels == ["blocker", "handoff", "session"])
            #expect(blocker.session == "s-end")
        }

        // Again, with one blocker resolved: nothing is filed twice, the resolved one's task is closed.
        let again = judgement.replacingOccurrences(of: #""staging is down", "resolved": false"#, with: #""staging is down", "resolved": true"#)
        #expect(try repo.handoff("end", "--session", "s-end", stdin: again).status == 0)
        let after = TaskStore(store: repo.store).list()
        #expect(after.tasks.count == 3)
        #expect(after.task(blockerIDs[1])?.status == .done)
        #expect(after.task(resumeID)?.blockedBy == [blockerIDs[0]])
        #expect(try repo.store.readState().resume.task == resumeID)
    }

    @Test("a new handover's resume task closes the earlier open ones of the branch as superseded, naming it")
    func supersedesEarlierResumeTasks() throws {
        let sandbox = try Sandbox("supersede")
        let repo = try sandbox.repository()
        for (key, value) in [("handoff.check.build", "none"), ("handoff.check.tests", "none"), ("handoff.check.lint", "none")] {
            try repo.git("config", key, value)
        }
        #expect(try repo.handoff("init").status == 0)
        func end(_ session: String, next: String) throws -> String {
            let result = try repo.handoff("end", "--session", session, stdin: #"{"severity": "IN_PROGRESS", "resume": {"next": "\#(next)"}}"#)
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try repo.store.readState().resume.task)
        }
        let first = try end("s-one", next: "Sources/Parser.swift:10 finish the parser")
        // A resume task of another branch (filed there before a checkout) is not this branch's to close.
        let other = try TaskStore(store: repo.store).add(TaskDraft(
            title: "Resume: the docs branch", labels: [HandoffTask.Label.resume, HandoffTask.Label.handoff],
            metadata: JSONObject([("branch", "docs")])))
        let second = try end("s-two", next: "Tests/ParserTests.swift:1 write the parser tests")
        #expect(second != first)
        let listing = TaskStore(store: repo.store).list()
        let closed = try #require(listing.task(first))
        #expect(closed.status == .done)
        #expect(closed.metadata["superseded_by"] == .string(second))
        #expect(closed.body.contains("Superseded by \(second)"), "the note names the new one: \(closed.body)")
        #expect(listing.task(second)?.metadata["branch"] == "main")
        #expect(listing.task(other.id)?.isOpen == true)
        let mainResumes = listing.open.filter { $0.hasLabel(HandoffTask.Label.resume) && $0.metadata["branch"]?.stringValue != "docs" }
        #expect(mainResumes.map(\.id) == [second], "one resume task for the branch")
        // The brief offers one place to resume from.
        let brief = try repo.handoff("brief")
        #expect(brief.stdout.contains(second) && !brief.stdout.contains(first), "\(brief.stdout)")
        // The same session ending again keeps its own task and closes nothing more.
        #expect(try end("s-two", next: "Tests/ParserTests.swift:1 write the parser tests, then the docs") == second)
        #expect(TaskStore(store: repo.store).list().task(second)?.isOpen == true)
    }
}

@Suite("Tasks: handoff mcp")
struct TaskMCPTests {
    @Test("the MCP server answers initialize and tools/list, files and updates tasks, stores memory, and refuses what it cannot do")
    func stdio() throws {
        let sandbox = try Sandbox("mcp")
        let repo = try sandbox.repository()
        _ = try repo.handoff("init")
        let requests = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-code","version":"2"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_task","arguments":{"title":"Fix the parser","blocker":true}}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"update_task","arguments":{"id":"ho-doesnotexist","status":"done"}}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"store_memory","arguments":{"content":"the parser needs UTF-8 input","tags":["dump"]}}}"#,
            #"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_tasks","arguments":{}}}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"resources/list"}"#,
            #"not json"#,
        ]
        let result = try repo.handoff("mcp", stdin: requests.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let responses = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(responses.count == 8, "one response per request, none for the notification: \(result.stdout)")
        func response(_ id: Int) -> JSONValue? { responses.first { $0["id"]?.intValue == id } }
        #expect(response(1)?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(response(1)?["result"]?["serverInfo"]?["name"] == "handoff")
        let names = (response(2)?["result"]?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == ["create_task", "update_task", "list_tasks", "store_memory"])
        let text = try #require(response(3)?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue)
        let id = try #require(TaskID.mentions(in: text).first)
        #expect(text == "Created task \(id): Fix the parser")
        let created = try #require(TaskStore(store: repo.store).task(id))
        #expect(created.agent == "claude-code")
        #expect(created.labels == ["blocker"])
        #expect(response(4)?["result"]?["isError"] == true)
        #expect(response(4)?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("Open tasks: \(id)") == true)
        #expect(response(5)?["result"]?["isError"] == false)
        #expect(response(6)?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains(id) == true)
        #expect(response(7)?["error"]?["code"] == -32601)
        #expect(responses.last?["error"]?["code"] == -32700)
        #expect(TaskStore(store: repo.store).task(id)?.title == "Fix the parser")
        #expect(try repo.read(".handoff/CONTEXT.md").contains("- the parser needs UTF-8 input (dump)"))
    }

    @Test("a task filed through MCP carries the session Claude Code passes its MCP servers, through SessionIdentity, and the agent")
    func taskOrigin() throws {
        let sandbox = try Sandbox("mcp-origin")
        let repo = try sandbox.repository()
        _ = try repo.handoff("init")
        let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_task","arguments":{"title":"Follow up"}}}"#
        // What Claude Code sets for the MCP servers it starts (observed: 2.1.327), and an outer session that must lose.
        let claude = try repo.handoff("mcp", stdin: call + "\n", environment: [
            "CLAUDE_CODE_SESSION_ID": "3035bea0-c632-4753", "HANDOFF_SESSION_ID": "outer", "CLAUDECODE": "1",
        ])
        let id = try #require(TaskID.mentions(in: claude.stdout).first, "\(claude.stdout)")
        let task = try #require(TaskStore(store: repo.store).task(id))
        #expect(task.session == SessionIdentity.resolve(explicit: nil, environment: Environment(["CLAUDE_CODE_SESSION_ID": "3035bea0-c632-4753", "HANDOFF_SESSION_ID": "outer"])))
        #expect(task.session == "3035bea0-c632-4753")
        #expect(task.agent == "claude-code")
        // Codex's thread id names the session and the agent alike.
        let codex = try repo.handoff("mcp", stdin: call + "\n", environment: ["CODEX_THREAD_ID": "thread-7"])
        let codexID = try #require(TaskID.mentions(in: codex.stdout).first)
        let codexTask = try #require(TaskStore(store: repo.store).task(codexID))
        #expect(codexTask.session == "thread-7" && codexTask.agent == "codex")
    }
}
