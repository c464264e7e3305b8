import Foundation
import Testing

@testable import HandoffKit

/// `handoff mcp` against JSON-RPC 2.0 as specified (section 5 and its examples) and MCP's own rules
/// (ids are strings or integers, never null; params are an object; unknown tools are -32602) (#26).
@Suite("MCP server: JSON-RPC 2.0 conformance")
struct MCPConformanceTests {
    /// Each line through the built `handoff mcp`, one process for all: the responses, one per line.
    func exchange(_ lines: [String]) throws -> (responses: [JSONValue], repo: TestRepository) {
        let sandbox = try Sandbox("mcp-rpc")
        let repo = try sandbox.repository()
        _ = try repo.handoff("init")
        let result = try launch(try BuiltProducts.path("handoff"), ["mcp"], directory: repo.path,
                                stdin: Data((lines.joined(separator: "\n") + "\n").utf8), environment: sandbox.environment, timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        return (try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }, repo)
    }

    @Test("invalid requests are -32600, each answered, with the id echoed only when it is valid")
    func invalidRequests() throws {
        let cases: [(line: String, id: JSONValue)] = [
            (#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, 1),
            (#"{"id":2,"method":"ping"}"#, 2),
            (#"{"jsonrpc":"2.0","id":3}"#, 3),
            (#"{"jsonrpc":"2.0","id":4,"method":42}"#, 4),
            (#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#, .null),
            (#"42"#, .null),
            (#""ping""#, .null),
            (#"[]"#, .null),
            (#"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#, .null),
            (#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, .null),
            (#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#, .null),
            (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, .null),
            (#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, .null),
            (#"{"jsonrpc":"2.0","id":6,"method":"ping","params":"x"}"#, 6),
        ]
        let (responses, _) = try exchange(cases.map(\.line))
        // Before: "1.0" was answered as valid, and several of these got no reply at all.
        #expect(responses.count == cases.count, "one answer each: \(responses.map(\.compactText))")
        for (index, item) in cases.enumerated() where index < responses.count {
            let response = responses[index]
            #expect(response["jsonrpc"] == "2.0")
            #expect(response["error"]?["code"] == -32600, "\(item.line) → \(response.compactText)")
            #expect(response["id"] == item.id, "\(item.line) → \(response.compactText)")
            #expect(response["result"] == nil)
        }
    }

    @Test("ill-typed params and tool arguments are -32602, never coerced, and nothing is written")
    func invalidParams() throws {
        let calls = [
            #"{"name":"create_task","arguments":{"title":42}}"#,
            #"{"name":"create_task","arguments":{"title":"x","blocker":"yes"}}"#,
            #"{"name":"create_task","arguments":{"title":"x","labels":"a,b"}}"#,
            #"{"name":"create_task","arguments":{"title":"x","labels":["a",1]}}"#,
            #"{"name":"create_task","arguments":{}}"#,
            #"{"name":"create_task","arguments":{"title":"x","colour":"red"}}"#,
            #"{"name":"create_task","arguments":"title=x"}"#,
            #"{"name":"update_task","arguments":{"id":7}}"#,
            #"{"name":"list_tasks","arguments":{"all":"true"}}"#,
            #"{"name":"store_memory","arguments":{"content":"x","tags":"t"}}"#,
            #"{"name":"no_such_tool","arguments":{}}"#,
            #"{"name":42}"#,
        ]
        var lines = calls.enumerated().map { #"{"jsonrpc":"2.0","id":\#($0.offset + 1),"method":"tools/call","params":\#($0.element)}"# }
        lines.append(#"{"jsonrpc":"2.0","id":"s-1","method":"tools/call","params":["create_task"]}"#)
        lines.append(#"{"jsonrpc":"2.0","id":"s-2","method":"initialize","params":{"protocolVersion":2025}}"#)
        let (responses, repo) = try exchange(lines)
        #expect(responses.count == lines.count)
        for (index, response) in responses.enumerated() {
            #expect(response["error"]?["code"] == -32602, "\(lines[index]) → \(response.compactText)")
            #expect(response["error"]?["message"]?.stringValue?.isEmpty == false)
        }
        #expect(responses.suffix(2).map { $0["id"] } == ["s-1", "s-2"], "string ids echoed")
        #expect(TaskStore(store: repo.store).list().tasks.isEmpty, "an ill-typed call wrote a task")
    }

    @Test("valid traffic still works: string ids, notifications unanswered, a client's response ignored, unknown methods -32601")
    func validTraffic() throws {
        let (responses, repo) = try exchange([
            #"{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}"#,
            #"{"jsonrpc":"2.0","id":99,"result":{}}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"create_task","arguments":{"title":"Fix it","blocker":true,"labels":["a"]},"_meta":{"progressToken":1}}}"#,
            #"{"jsonrpc":"2.0","id":8,"method":"nope"}"#,
        ])
        #expect(responses.count == 3, "\(responses.map(\.compactText))")
        #expect(responses.first?["id"] == "init")
        #expect(responses.first?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(responses.dropFirst().first?["result"]?["isError"] == false)
        #expect(responses.last?["error"]?["code"] == -32601)
        #expect(TaskStore(store: repo.store).list().tasks.map(\.labels) == [["blocker", "a"]])
    }
}
