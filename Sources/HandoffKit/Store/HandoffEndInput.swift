/// The judgement of `handoff end` as flags, and the commented JSON skeleton of `--template`.
///
/// Flags and JSON combine by one rule: a flag replaces the same field of the JSON (a list flag
/// replaces the JSON's whole list), fields no flag names are kept from the JSON. `resume` and
/// `session_memory` are replaced field by field (`--next` leaves the JSON's `resume.files`).
package struct HandoffEndFlags: Sendable, Equatable {
    /// `DESCRIPTION` or `DESCRIPTION | REF`.
    package var done: [String] = []
    /// `DESCRIPTION | TRIED | ERROR | WHY | NEED` (WHY and NEED may be left out).
    package var failed: [String] = []
    package var blockers: [String] = []
    package var next: String?
    package var files: [String] = []
    package var context: String?
    package var watch: [String] = []
    package var severity: HandoffState.Severity?
    package var intent: String?
    package var corrections: [String] = []
    package var activeContext: String?
    package var references: [String] = []

    package init() {}

    /// True when no field was given as a flag.
    package var isEmpty: Bool { self == HandoffEndFlags() }

    /// One line saying what is wrong with a flag's value and how to write it, or nil when all are usable.
    package func problem() -> String? {
        for item in done {
            let parts = Self.fields(item)
            if parts.count > 2 || parts.first?.isEmpty != false {
                return "--done \"\(item.prefix(60))\": write --done \"DESCRIPTION\" or --done \"DESCRIPTION | REF\" (a commit, PR or issue)"
            }
        }
        for item in failed {
            let parts = Self.fields(item)
            if parts.count < 3 || parts.count > 5 || parts.prefix(3).contains(where: \.isEmpty) {
                return "--failed \"\(item.prefix(60))\": write --failed \"WHAT | TRIED | ERROR | WHY | NEED\" (WHY and NEED may be left out; write a literal | as \\|)"
            }
        }
        for (flag, values) in [("--blocker", blockers), ("--file", files), ("--watch", watch), ("--correction", corrections), ("--reference", references)] {
            if values.contains(where: { $0.trimmed.isEmpty }) { return "\(flag) needs a non-empty value" }
        }
        return nil
    }

    /// `judgement` with the flags applied (the rule above).
    package func apply(to judgement: JSONObject) -> JSONObject {
        var result = judgement
        if !done.isEmpty {
            result["done"] = .array(done.map { item in
                let parts = Self.fields(item)
                return ["description": .string(parts[0]), "ref": .string(parts.count > 1 ? parts[1] : "")]
            })
        }
        if !failed.isEmpty {
            result["failed"] = .array(failed.map { item in
                let parts = Self.fields(item)
                func part(_ index: Int) -> JSONValue { index < parts.count && !parts[index].isEmpty ? .string(parts[index]) : .null }
                return ["description": .string(parts[0]), "tried": .string(parts[1]), "error": .string(parts[2]),
                        "why": part(3), "need": part(4)]
            })
        }
        if !blockers.isEmpty {
            result["blockers"] = .array(blockers.map { ["description": .string($0.trimmed), "resolved": false] })
        }
        if next != nil || !files.isEmpty || context != nil {
            var resume = judgement["resume"]?.objectValue ?? JSONObject([("next", ""), ("files", []), ("context", "")])
            if let next { resume["next"] = .string(next.trimmed) }
            if !files.isEmpty { resume["files"] = JSONValue(files.map(\.trimmed)) }
            if let context { resume["context"] = .string(context) }
            for (key, empty) in [("next", JSONValue.string("")), ("files", .array([])), ("context", .string(""))] where resume[key] == nil {
                resume[key] = empty
            }
            result["resume"] = .object(resume)
        }
        if !watch.isEmpty { result["watch_out_for"] = JSONValue(watch.map(\.trimmed)) }
        if let severity { result["severity"] = .string(severity.rawValue) }
        if intent != nil || !corrections.isEmpty || activeContext != nil || !references.isEmpty {
            var memory = judgement["session_memory"]?.objectValue ?? JSONObject()
            if let intent { memory["user_intent"] = .string(intent) }
            if !corrections.isEmpty { memory["corrections"] = JSONValue(corrections.map(\.trimmed)) }
            if let activeContext { memory["active_context"] = .string(activeContext) }
            if !references.isEmpty { memory["key_references"] = JSONValue(references.map(\.trimmed)) }
            result["session_memory"] = .object(memory)
        }
        return result
    }

    /// A flag value split on `|` (a `\|` is a literal bar), each field trimmed.
    static func fields(_ value: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in value {
            if escaped {
                current.append(character == "|" ? "|" : "\\")
                if character != "|" { current.append(character) }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                fields.append(current.trimmed)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        fields.append(current.trimmed)
        return fields
    }

    /// The judgement JSON with full-line `//` comments removed (a JSON string cannot span lines, so
    /// such a line is never inside one): `--template`'s output is accepted as it stands.
    package static func strippingComments(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let content = line.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            if content.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
                result.append(UInt8(ascii: "\n"))
                continue
            }
            result.append(contentsOf: line)
            result.append(UInt8(ascii: "\n"))
        }
        if bytes.last != UInt8(ascii: "\n"), !result.isEmpty { result.removeLast() }
        return result
    }

    /// What `handoff end --template` prints: every field the judgement takes, empty, each with a
    /// comment saying what belongs there. Sent back unchanged it is refused (no resume), so a
    /// skeleton never passes for a handover.
    package static let template = """
        // The judgement `handoff end` takes: fill in what applies, then
        //   handoff end --from handover.json      (or pipe it: handoff end < handover.json)
        // Lines starting with // are ignored. Every field may be left out; the flags (--done, --failed,
        // --blocker, --next, --file, --watch, --severity, --intent, ...) set the same fields.
        {
          // READY (all green, clean tree), IN_PROGRESS (tests failing, uncommitted, mid-feature) or
          // CRITICAL (build failing). null: inferred from the checks. A failing build is CRITICAL anyway.
          "severity": null,
          // What was finished. Commits are recorded by the hooks already; add what they do not say.
          // Each: {"description": "Add the parser", "ref": "abc1234"}   (ref: a commit, PR or issue, or "")
          "done": [],
          // Every failure with its root cause. Each: {"description": "fuzz tests time out",
          //   "tried": "swift test --filter Fuzz", "error": "the exact error message",
          //   "why": "the root cause", "need": "what it takes to fix"}
          "failed": [],
          // What stops the work and is not yours to fix (a credential, a decision). Each:
          //   {"description": "waiting for the API key", "resolved": false}
          "blockers": [],
          "resume": {
            // The next action as path:line and what to do there.
            "next": "",
            // Files the next session should read first.
            "files": [],
            // The reasoning the next session needs.
            "context": ""
          },
          // Gotchas, workarounds, edge cases found this session: ["the fixtures are generated"]
          "watch_out_for": [],
          "session_memory": {
            // What the user wants, in one paragraph.
            "user_intent": "",
            // Corrections the user made (appended to CONTEXT.md, never replaced): ["use tabs in Makefiles"]
            "corrections": [],
            // Where the work stands: file:line, function, current step.
            "active_context": "",
            // Issues, documents, URLs the work depends on.
            "key_references": []
          }
        }

        """
}
