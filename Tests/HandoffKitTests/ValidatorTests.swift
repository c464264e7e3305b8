import Testing
@testable import HandoffKit

@Suite("State validation")
struct ValidatorTests {
    /// A handover that satisfies every rule.
    static func goodHandover() -> HandoffState {
        var state = HandoffState.initial(hostname: "host")
        state.source = .manualEnd
        state.sessionID = "session-1"
        state.severity = .inProgress
        state.health = .init(build: .pass, tests: .fail, lint: nil)
        state.done = [.init(description: "Add parser", ref: "abc1234")]
        state.failed = [.init(description: "Run fuzz", tried: "swift test --filter Fuzz", error: "timeout", why: "the corpus is 2 GB", need: "a smaller corpus")]
        state.resume = .init(next: "Sources/App/Parser.swift:88 handle the empty input case", files: ["Sources/App/Parser.swift"], context: "the tokenizer is done; the parser is next")
        state.watchOutFor = ["fixtures are generated; do not edit them"]
        return state
    }

    func findings(_ mutate: (inout JSONObject) -> Void) -> ValidationReport {
        guard case .object(var object) = Self.goodHandover().json else { fatalError() }
        mutate(&object)
        return StateValidator.validate(.object(object))
    }

    @Test("a complete handover is valid with no warnings")
    func good() {
        let report = StateValidator.validate(Self.goodHandover().json)
        #expect(report.findings.isEmpty, "\(report.findings)")
    }

    @Test("severity unset is an error at severity")
    func severityUnset() {
        let report = findings { $0["severity"] = .null }
        #expect(report.errors.map(\.path) == ["severity"])
    }

    @Test("a manual-end READY with a failing build or tests is an error at severity (a warning for an auto-save)")
    func readyContradictsHealth() {
        let report = findings { $0["severity"] = "READY" }
        #expect(report.errors.map(\.path) == ["severity"], "\(report.findings)")
        #expect(report.errors.first?.message.contains("health.tests") == true)
        var build = Self.goodHandover()
        build.severity = .ready
        build.health = .init(build: .fail, tests: .pass, lint: nil)
        #expect(StateValidator.validate(build.json).errors.map(\.path) == ["severity"])
        var auto = build
        auto.source = .autoSave
        #expect(StateValidator.validate(auto.json).errors.isEmpty)
        #expect(StateValidator.validate(auto.json).warnings.map(\.path).contains("severity"))
    }

    @Test("a placeholder root cause is no root cause")
    func placeholderCause() {
        for why in [AutoSave.failureWhy, "[why it failed]", "TODO", "unknown", "?"] {
            var state = Self.goodHandover()
            state.failed[0].why = why
            #expect(StateValidator.validate(state.json).errors.map(\.path) == ["failed[0].why"], "\(why)")
        }
    }

    @Test("health not captured is an error naming the path")
    func healthMissing() {
        #expect(findings { $0["health"] = nil }.errors.map(\.path) == ["health"])
        #expect(findings { $0["health"] = ["build": "pass", "tests": "pass"] }.errors.map(\.path) == ["health.lint"])
        #expect(findings { $0["health"] = ["build": "ok", "tests": "pass", "lint": nil] }.errors.map(\.path) == ["health.build"])
    }

    @Test("resume.next must be path:line action", arguments: [
        "keep working on the parser", "Parser.swift fix it", "Parser.swift:12", ":12 do it", "",
    ])
    func resumeNext(_ next: String) {
        let report = findings { object in
            var resume = object["resume"]!.objectValue!
            resume["next"] = .string(next)
            object["resume"] = .object(resume)
        }
        #expect(report.errors.map(\.path) == ["resume.next"], "\(report.findings)")
    }

    @Test("accepted resume pointers", arguments: [
        "Sources/A.swift:12 rename the type to Parser", "a.py:3:7 handle None in the loop", "src/x.ts:10-20 extract the validation into a helper",
        "Makefile:1: add the lint target here",
    ])
    func resumeAccepted(_ next: String) {
        #expect(ResumePointer.parse(next) != nil)
    }

    @Test("resume.files not an array is an error")
    func resumeFiles() {
        let report = findings { object in
            var resume = object["resume"]!.objectValue!
            resume["files"] = "Sources/App/Parser.swift"
            object["resume"] = .object(resume)
        }
        #expect(report.errors.map(\.path) == ["resume.files"])
    }

    @Test("a failure without its root cause is an error at failed[i].why")
    func failureWhy() {
        let report = findings { object in
            object["failed"] = [["description": "x", "tried": "y", "error": "z", "why": nil, "need": nil],
                                ["description": "x", "tried": "y", "error": "z", "why": "  ", "need": nil]]
        }
        #expect(report.errors.map(\.path) == ["failed[0].why", "failed[1].why"])
    }

    @Test("a vague resume and no watch-outs are warnings, not errors")
    func warnings() {
        let report = findings { object in
            var resume = object["resume"]!.objectValue!
            resume["next"] = "Sources/A.swift:1 continue"
            object["resume"] = .object(resume)
            object["watch_out_for"] = []
        }
        #expect(report.isValid)
        #expect(Set(report.warnings.map(\.path)) == ["resume.next", "watch_out_for"])
    }

    @Test("an auto-save only warns on handover rules; init is checked for structure only")
    func levels() {
        var state = Self.goodHandover()
        state.source = .autoSave
        state.resume.next = "nothing"
        state.severity = nil
        let report = StateValidator.validate(state.json)
        #expect(report.isValid)
        #expect(report.warnings.map(\.path).contains("resume.next"))
        #expect(StateValidator.validate(HandoffState.initial(hostname: "h").json).findings.isEmpty)
    }

    @Test("wrong types and unknown fields are errors with paths")
    func structure() {
        let report = StateValidator.validate(try! JSONValue.parse(#"{"_version":2,"source":"x","session_id":5,"severity":"GREEN","_runtime":[],"health":{},"done":{},"failed":[1],"blockers":[{"description":1}],"resume":{"next":"a:1 b c d","files":[],"context":""},"watch_out_for":"x","session_memory":{},"extra":1}"#))
        let paths = Set(report.errors.map(\.path))
        for expected in ["_version", "source", "session_id", "severity", "_runtime", "health.build", "done", "failed[0]", "blockers[0].description", "watch_out_for", "extra"] {
            #expect(paths.contains(expected), "missing \(expected) in \(paths)")
        }
    }

    @Test("every state the code writes validates against schema/state.v1.json")
    func schema() throws {
        let sandbox = try Sandbox("schema")
        var autoSave = Self.goodHandover()
        autoSave.source = .autoSave
        autoSave.runtime.extra["trigger"] = "auto"
        for state in [HandoffState.initial(hostname: "h"), Self.goodHandover(), autoSave] {
            let errors = try SchemaCheck.errors(for: state.json, sandbox: sandbox)
            #expect(errors.isEmpty, "\(errors)")
        }
        // And the schema really rejects things: a wrong severity is caught by the independent validator.
        var bad = Self.goodHandover().json.objectValue!
        bad["severity"] = "GREEN"
        #expect(try !SchemaCheck.errors(for: .object(bad), sandbox: sandbox).isEmpty)
    }
}
