import Foundation
import Testing

/// The loopback OpenAI chat-completions model (Support/fake_chat_server.py) that the agents speaking
/// that API are driven against (Grok Build, Mistral Vibe, OpenHands): scripted turns, tool calls,
/// SSE streaming, every request recorded. One per scenario; killed when released.
final class ChatCompletionsServer: @unchecked Sendable {
    // @unchecked: a server belongs to one test function and is used from its task only.
    let folder: String
    private var process: Process?
    private(set) var port = 0

    /// `script`: the JSON script (see the server's docstring). Files go into `folder`.
    init(script: String, folder: String, idleTimeout: Int = 60) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try script.write(toFile: folder + "/script.json", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", E2E.supportFolder + "/fake_chat_server.py", folder + "/script.json",
                             folder + "/requests.jsonl", String(idleTimeout)]
        let out = folder + "/server.out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: out, encoding: .utf8), let line = text.split(separator: "\n").first,
                line.hasPrefix("PORT "), let value = Int(line.dropFirst(5))
            {
                port = value
                return
            }
            usleep(20_000)
        }
        throw E2E.SetupError(description: "the fake chat-completions server did not start within 15 s")
    }

    deinit {
        // SIGKILL: Foundation starts children with SIGTERM blocked.
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL a client is configured with.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request received, in order: {"seq", "kind" (main, title, other), "rule", "body", …}.
    var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: folder + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The requests of the agent's conversation (not its session-title or other side requests).
    var mainRequests: [[String: Any]] { requests.filter { $0["kind"] as? String == "main" } }

    /// The text of every message of a request (system, user, assistant, tool), for `contains` checks.
    static func text(of request: [String: Any]) -> String {
        let body = request["body"] as? [String: Any] ?? [:]
        var parts: [String] = []
        for message in body["messages"] as? [[String: Any]] ?? [] {
            if let text = message["content"] as? String { parts.append(text) }
            for part in message["content"] as? [[String: Any]] ?? [] {
                if let text = part["text"] as? String { parts.append(text) }
            }
        }
        return parts.joined(separator: "\n")
    }

    /// The messages of a request after its last assistant message: what the model was just told.
    static func lastUserText(of request: [String: Any]) -> String {
        let body = request["body"] as? [String: Any] ?? [:]
        let messages = body["messages"] as? [[String: Any]] ?? []
        let tail = messages.reversed().prefix { $0["role"] as? String != "assistant" }.reversed()
        return tail.compactMap { $0["content"] as? String }.joined(separator: "\n")
    }
}

/// The server on its own, with Python's HTTP client: what every agent suite relies on.
@Suite("Chat-completions model server")
struct ChatCompletionsServerTests {
    @Test func itStreamsAScriptedShellCallFillsRequiredParametersAndRecordsTheRequest() throws {
        let folder = NSTemporaryDirectory() + "handoff-chat-server-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ChatCompletionsServer(script: """
            {"rules": [{"when_contains": "list", "times": 1, "reply": {"text": "Listing.", "shell": "ls -a"}}],
             "default": {"text": "Done."}}
            """, folder: folder)
        let client = """
            import json, sys, urllib.request
            def ask(body):
                request = urllib.request.Request(sys.argv[1] + "/chat/completions", data=json.dumps(body).encode(),
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.read().decode()
            tool = {"type": "function", "function": {"name": "run_terminal_command", "parameters": {"type": "object",
                    "required": ["command", "description"], "properties": {"command": {"type": "string"},
                    "description": {"type": "string"}, "background": {"type": "boolean"}}}}}
            title = {"type": "function", "function": {"name": "session_title", "parameters": {"type": "object",
                     "properties": {"session_title": {"type": "string"}}}}}
            ask({"model": "m", "stream": True, "tools": [title], "tool_choice": {"type": "function", "function": {"name": "session_title"}},
                 "messages": [{"role": "user", "content": "list the files"}]})
            stream = ask({"model": "m", "stream": True, "tools": [tool], "messages": [{"role": "user", "content": "list the files"}]})
            text, arguments, finish = "", "", None
            for line in stream.splitlines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                for choice in json.loads(line[6:])["choices"]:
                    text += choice["delta"].get("content") or ""
                    for call in choice["delta"].get("tool_calls") or []:
                        arguments += call.get("function", {}).get("arguments") or ""
                    finish = choice.get("finish_reason") or finish
            assert stream.rstrip().endswith("data: [DONE]"), stream
            plain = json.loads(ask({"model": "m", "tools": [tool], "messages": [{"role": "user", "content": "anything"}]}))
            print(json.dumps({"text": text, "arguments": json.loads(arguments), "finish": finish,
                              "plain": plain["choices"][0]["message"]["content"]}))
            """
        let outcome = try E2E.run(["python3", "-c", client, server.baseURL], in: folder, timeout: 30)
        #expect(outcome.status == 0, "\(outcome.output)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data((outcome.output.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(answer["text"] as? String == "Listing.")
        #expect(answer["finish"] as? String == "tool_calls")
        let arguments = answer["arguments"] as? [String: Any] ?? [:]
        #expect(arguments["command"] as? String == "ls -a")
        #expect(arguments["description"] as? String == "scripted step", "a required parameter is filled: \(arguments)")
        #expect(arguments["background"] == nil, "an optional one is not")
        // The title request did not use up the rule; the third request fell to the default.
        #expect(answer["plain"] as? String == "Done.")
        #expect(server.requests.map { $0["kind"] as? String } == ["title", "main", "main"])
        #expect(server.mainRequests.first?["rule"] as? Int == 0)
        #expect(ChatCompletionsServer.lastUserText(of: server.mainRequests[0]) == "list the files")
    }
}
