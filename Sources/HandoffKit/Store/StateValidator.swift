/// One thing wrong (or doubtful) with a state, at a JSON path.
package struct ValidationFinding: Sendable, Equatable, CustomStringConvertible {
    package enum Level: String, Sendable { case error, warning }
    package var level: Level
    /// Dotted JSON path, e.g. `resume.next` or `failed[2].why`; `$` for the whole document.
    package var path: String
    package var message: String

    package var description: String { "\(level.rawValue): \(path): \(message)" }

    package var json: JSONValue { ["level": .string(level.rawValue), "path": .string(path), "message": .string(message)] }
}

package struct ValidationReport: Sendable, Equatable {
    package var findings: [ValidationFinding]
    package var errors: [ValidationFinding] { findings.filter { $0.level == .error } }
    package var warnings: [ValidationFinding] { findings.filter { $0.level == .warning } }
    package var isValid: Bool { errors.isEmpty }
}

/// Checks a state against the contract: the structure of `schema/state.v1.json` for every state,
/// and the handover rules of the Handoff End procedure for a handover (`source: manual-end`).
///
/// The handover rules — errors: severity unset, health not captured, `resume.next` not `path:line action`,
/// `resume.files` not an array, a failure without its root cause (`why`); warnings: a vague resume, no
/// watch-outs. An `auto-save` snapshot is mechanical, so the same rules only warn there; an `init`
/// state has no handover yet and is checked for structure alone.
package enum StateValidator {
    package static func validate(_ value: JSONValue) -> ValidationReport {
        var findings: [ValidationFinding] = []
        func error(_ path: String, _ message: String) { findings.append(.init(level: .error, path: path, message: message)) }
        func warning(_ path: String, _ message: String) { findings.append(.init(level: .warning, path: path, message: message)) }

        guard let root = value.objectValue else {
            error("$", "a state must be a JSON object, found \(value.typeName)")
            return ValidationReport(findings: findings)
        }
        let allowedTop: Set = [
            "_version", "source", "session_id", "severity", "_runtime", "health", "done", "failed", "blockers",
            "resume", "watch_out_for", "session_memory",
        ]
        for key in root.keys where !allowedTop.contains(key) {
            error(key, "unknown field; the contract (schema/state.v1.json) has no \"\(key)\"")
        }

        // MARK: structure
        switch root["_version"] {
        case .int(1)?: break
        case nil: error("_version", "missing; set \"_version\": 1")
        case let other?: error("_version", "must be 1, found \(other.compactText)")
        }
        var source: HandoffState.Source?
        if let value = root["source"] {
            if let text = value.stringValue, let parsed = HandoffState.Source(rawValue: text) {
                source = parsed
            } else {
                error("source", "must be \"init\", \"auto-save\" or \"manual-end\", found \(value.compactText)")
            }
        } else {
            error("source", "missing; one of \"init\", \"auto-save\", \"manual-end\"")
        }
        expectStringOrNull(root["session_id"], "session_id", required: true, &findings)
        var severitySet = false
        switch root["severity"] {
        case .string(let text)?:
            if HandoffState.Severity(rawValue: text) != nil {
                severitySet = true
            } else {
                error("severity", "must be READY, IN_PROGRESS or CRITICAL, found \"\(text)\"")
            }
        case .null?, nil: break
        case let other?: error("severity", "must be READY, IN_PROGRESS or CRITICAL, found \(other.typeName)")
        }

        if let runtime = root["_runtime"] {
            if let object = runtime.objectValue {
                expectInteger(object["compaction_count"], "_runtime.compaction_count", &findings)
                expectStringOrNull(object["last_compaction"], "_runtime.last_compaction", required: true, &findings)
                if let flag = object["handoff_end_completed"] {
                    if flag.boolValue == nil { error("_runtime.handoff_end_completed", "must be true or false, found \(flag.typeName)") }
                } else {
                    error("_runtime.handoff_end_completed", "missing; true or false")
                }
                expectStringOrNull(object["session_start_ts"], "_runtime.session_start_ts", required: true, &findings)
                expectStringOrNull(object["session_start_hash"], "_runtime.session_start_hash", required: true, &findings)
                if let host = object["hostname"], host.stringValue == nil {
                    error("_runtime.hostname", "must be a string, found \(host.typeName)")
                } else if object["hostname"] == nil {
                    error("_runtime.hostname", "missing; the host the state was written on")
                }
                switch object["context_pct"] {
                case .int?, .double?, .null?, nil: break
                case let other?: error("_runtime.context_pct", "must be a number or null, found \(other.typeName)")
                }
            } else {
                error("_runtime", "must be an object, found \(runtime.typeName)")
            }
        } else {
            error("_runtime", "missing; the runtime block (compaction_count, handoff_end_completed, …)")
        }

        var healthCaptured = false
        var healthAllNull = true
        if let health = root["health"] {
            if let object = health.objectValue {
                healthCaptured = true
                for key in ["build", "tests", "lint"] {
                    switch object[key] {
                    case .string("pass")?, .string("fail")?: healthAllNull = false
                    case .null?: break
                    case nil:
                        healthCaptured = false
                        error("health.\(key)", "not captured; record \"pass\", \"fail\" or null (no such check)")
                    case let other?:
                        healthCaptured = false
                        error("health.\(key)", "must be \"pass\", \"fail\" or null, found \(other.compactText)")
                    }
                }
                for key in object.keys where !["build", "tests", "lint"].contains(key) {
                    error("health.\(key)", "unknown check; the contract has build, tests and lint")
                }
            } else {
                error("health", "must be an object {build, tests, lint}, found \(health.typeName)")
            }
        } else {
            error("health", "not captured; run the health checks (`handoff end` does) and record build, tests and lint")
        }

        checkArray(root["done"], "done", &findings) { item, path, findings in
            guard let object = item.objectValue else {
                findings.append(.init(level: .error, path: path, message: "must be an object {description, ref}"))
                return
            }
            expectString(object["description"], "\(path).description", &findings)
            expectString(object["ref"], "\(path).ref", &findings)
        }
        var failuresWithoutCause: [String] = []
        checkArray(root["failed"], "failed", &findings) { item, path, findings in
            guard let object = item.objectValue else {
                findings.append(.init(level: .error, path: path, message: "must be an object {description, tried, error, why, need}"))
                return
            }
            expectString(object["description"], "\(path).description", &findings)
            expectString(object["tried"], "\(path).tried", &findings)
            expectString(object["error"], "\(path).error", &findings)
            expectStringOrNull(object["why"], "\(path).why", required: false, &findings)
            expectStringOrNull(object["need"], "\(path).need", required: false, &findings)
            let why = object["why"]?.stringValue?.trimmed ?? ""
            if why.isEmpty || Self.isPlaceholderCause(why) { failuresWithoutCause.append("\(path).why") }
        }
        checkArray(root["blockers"], "blockers", &findings) { item, path, findings in
            guard let object = item.objectValue else {
                findings.append(.init(level: .error, path: path, message: "must be an object {description, resolved}"))
                return
            }
            expectString(object["description"], "\(path).description", &findings)
            if let resolved = object["resolved"], resolved.boolValue == nil {
                findings.append(.init(level: .error, path: "\(path).resolved", message: "must be true or false, found \(resolved.typeName)"))
            }
            if let task = object["task"], !(task.stringValue.map(TaskID.isValid) ?? false) {
                findings.append(.init(level: .error, path: "\(path).task", message: "must be a task id (ho- and letters or digits), found \(task.stringValue.map { "\"\($0.prefix(40))\"" } ?? task.typeName)"))
            }
        }

        var resumeNext: String?
        var resumeFilesOK = false
        var resumeFilesEmpty = true
        var resumeContext = ""
        if let resume = root["resume"] {
            if let object = resume.objectValue {
                switch object["next"] {
                case .string(let text)?: resumeNext = text
                case .null?, nil: break
                case let other?: error("resume.next", "must be a string \"path:line action\", found \(other.typeName)")
                }
                switch object["files"] {
                case .array(let files)?:
                    resumeFilesOK = true
                    resumeFilesEmpty = files.isEmpty
                    for (position, file) in files.enumerated() where file.stringValue == nil {
                        error("resume.files[\(position)]", "must be a string path, found \(file.typeName)")
                    }
                case nil: error("resume.files", "missing; an array of the files to read first")
                case let other?: error("resume.files", "must be an array of paths, found \(other.typeName)")
                }
                if let task = object["task"], !(task.stringValue.map(TaskID.isValid) ?? false) {
                    error("resume.task", "must be a task id (ho- and letters or digits), found \(task.typeName)")
                }
                switch object["context"] {
                case .string(let text)?: resumeContext = text
                case .null?, nil: break
                case let other?: error("resume.context", "must be a string, found \(other.typeName)")
                }
            } else {
                error("resume", "must be an object {next, files, context}, found \(resume.typeName)")
            }
        } else {
            error("resume", "missing; {next: \"path:line action\", files: [...], context: \"...\"}")
        }

        var watchOutCount = 0
        if let watch = root["watch_out_for"] {
            if let items = watch.arrayValue {
                watchOutCount = items.count
                for (position, item) in items.enumerated() where item.stringValue == nil {
                    error("watch_out_for[\(position)]", "must be a string, found \(item.typeName)")
                }
            } else {
                error("watch_out_for", "must be an array of strings, found \(watch.typeName)")
            }
        }

        if let memory = root["session_memory"] {
            if let object = memory.objectValue {
                expectStringIfPresent(object["user_intent"], "session_memory.user_intent", &findings)
                expectStringArrayIfPresent(object["corrections"], "session_memory.corrections", &findings)
                expectStringIfPresent(object["active_context"], "session_memory.active_context", &findings)
                expectStringArrayIfPresent(object["key_references"], "session_memory.key_references", &findings)
                if let updated = object["last_updated"], !updated.isNull, updated.stringValue == nil {
                    error("session_memory.last_updated", "must be an ISO-8601 timestamp string, found \(updated.typeName)")
                }
                if let index = object["last_event_index"], index.intValue == nil || index.intValue! < 0 {
                    error("session_memory.last_event_index", "must be a non-negative integer, found \(index.compactText)")
                }
            } else {
                error("session_memory", "must be an object, found \(memory.typeName)")
            }
        }

        // MARK: handover rules
        guard let source, source != .initial else { return ValidationReport(findings: findings) }
        let ruleLevel: ValidationFinding.Level = source == .manualEnd ? .error : .warning
        func rule(_ path: String, _ message: String) { findings.append(.init(level: ruleLevel, path: path, message: message)) }

        if !severitySet && root["severity"]?.stringValue == nil {
            rule("severity", "unset; choose READY (all green), IN_PROGRESS (tests failing, dirty or mid-feature) or CRITICAL (build failing)")
        }
        if healthCaptured && healthAllNull && source == .manualEnd {
            warning("health", "no check recorded a result; say how to build and test the project so the next handover can run them")
        }
        if let next = resumeNext {
            if ResumePointer.parse(next) == nil {
                rule("resume.next", "must start with a file:line pointer followed by the action, e.g. \"Sources/App/Main.swift:42 handle the empty list\"; found \(next.isEmpty ? "an empty string" : "\"\(next.prefix(80))\"")")
            } else if ResumePointer.isVague(next) {
                warning("resume.next", "vague; name the exact action at that line, not \"continue\" or \"keep working\"")
            }
        } else if root["resume"]?.objectValue != nil {
            rule("resume.next", "missing; \"path:line action\"")
        }
        if resumeFilesOK && resumeFilesEmpty {
            warning("resume.files", "empty; list the files the next session should read first")
        }
        if resumeFilesOK && resumeContext.trimmed.isEmpty {
            warning("resume.context", "empty; say why the next action is the next action")
        }
        // The severity must not claim more than the health checks found.
        if root["severity"]?.stringValue == "READY", let health = root["health"]?.objectValue {
            let failing = ["build", "tests"].filter { health[$0] == .string("fail") }
            if !failing.isEmpty {
                rule("severity", "READY contradicts a failing \(failing.joined(separator: " and ")) (health.\(failing[0]) is \"fail\"); choose IN_PROGRESS (tests failing) or CRITICAL (build failing), or fix it and run the checks again")
            }
        }
        for path in failuresWithoutCause {
            rule(path, "a failure needs its root cause: why did it fail (the next session must not retry blindly)")
        }
        if watchOutCount == 0 {
            warning("watch_out_for", "empty; record the gotchas and workarounds found this session (or state that there were none)")
        }
        return ValidationReport(findings: findings)
    }

    /// A root cause that is not one: the auto-save's "not analysed yet" line, a template's `[…]`,
    /// "TODO", "unknown", "?".
    static func isPlaceholderCause(_ why: String) -> Bool {
        if why == AutoSave.failureWhy { return true }
        if why.hasPrefix("[") && why.hasSuffix("]") { return true }
        let word = why.lowercased().filter { $0.isLetter || $0 == "?" }
        return ["todo", "tbd", "unknown", "na", "none", "?", "fixme", "notanalysed", "notanalyzed"].contains(word)
    }

    private static func expectString(_ value: JSONValue?, _ path: String, _ findings: inout [ValidationFinding]) {
        guard let value else {
            findings.append(.init(level: .error, path: path, message: "missing; a string"))
            return
        }
        if value.stringValue == nil {
            findings.append(.init(level: .error, path: path, message: "must be a string, found \(value.typeName)"))
        }
    }

    private static func expectStringIfPresent(_ value: JSONValue?, _ path: String, _ findings: inout [ValidationFinding]) {
        guard let value else { return }
        if value.stringValue == nil {
            findings.append(.init(level: .error, path: path, message: "must be a string, found \(value.typeName)"))
        }
    }

    private static func expectStringOrNull(_ value: JSONValue?, _ path: String, required: Bool, _ findings: inout [ValidationFinding]) {
        guard let value else {
            if required { findings.append(.init(level: .error, path: path, message: "missing; a string or null")) }
            return
        }
        if !value.isNull && value.stringValue == nil {
            findings.append(.init(level: .error, path: path, message: "must be a string or null, found \(value.typeName)"))
        }
    }

    private static func expectInteger(_ value: JSONValue?, _ path: String, _ findings: inout [ValidationFinding]) {
        guard let value else {
            findings.append(.init(level: .error, path: path, message: "missing; a non-negative integer"))
            return
        }
        if value.intValue == nil || value.intValue! < 0 {
            findings.append(.init(level: .error, path: path, message: "must be a non-negative integer, found \(value.compactText)"))
        }
    }

    private static func expectStringArrayIfPresent(_ value: JSONValue?, _ path: String, _ findings: inout [ValidationFinding]) {
        guard let value else { return }
        guard let items = value.arrayValue else {
            findings.append(.init(level: .error, path: path, message: "must be an array of strings, found \(value.typeName)"))
            return
        }
        for (position, item) in items.enumerated() where item.stringValue == nil {
            findings.append(.init(level: .error, path: "\(path)[\(position)]", message: "must be a string, found \(item.typeName)"))
        }
    }

    private static func checkArray(
        _ value: JSONValue?, _ path: String, _ findings: inout [ValidationFinding],
        _ each: (JSONValue, String, inout [ValidationFinding]) -> Void
    ) {
        guard let value else {
            findings.append(.init(level: .error, path: path, message: "missing; an array (empty when there is nothing)"))
            return
        }
        guard let items = value.arrayValue else {
            findings.append(.init(level: .error, path: path, message: "must be an array, found \(value.typeName)"))
            return
        }
        for (position, item) in items.enumerated() { each(item, "\(path)[\(position)]", &findings) }
    }
}

/// `path:line action` — where the next session starts.
package struct ResumePointer: Sendable, Equatable {
    package var path: String
    package var line: Int
    package var action: String

    /// Accepts `path:line`, `path:line:column`, `path:line-line`, each followed by the action.
    package static func parse(_ text: String) -> ResumePointer? {
        let trimmed = text.trimmed
        let firstSpace = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? trimmed.endIndex
        let pointer = trimmed[..<firstSpace]
        var action = String(trimmed[firstSpace...]).trimmed
        // Trim a separator between pointer and action: "a.swift:12 — do x", "a.swift:12: do x".
        while let first = action.first, "-—–:".contains(first) { action = String(action.dropFirst()).trimmed }
        var pointerText = String(pointer)
        if pointerText.hasSuffix(":") { pointerText.removeLast() }
        let parts = pointerText.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        // Find the first purely numeric part after a non-empty path.
        for split in 1..<parts.count {
            let lineText = parts[split].split(separator: "-").first.map(String.init) ?? ""
            if let line = Int(lineText), line >= 0, parts[split].allSatisfy({ $0.isNumber || $0 == "-" }) {
                let path = parts[..<split].joined(separator: ":")
                guard !path.isEmpty, split == parts.count - 1 || (split == parts.count - 2 && Int(parts[split + 1]) != nil) else { return nil }
                guard !action.isEmpty else { return nil }
                return ResumePointer(path: path, line: line, action: action)
            }
        }
        return nil
    }

    private static let vaguePhrases = [
        "keep working", "continue", "carry on", "finish it", "finish up", "tbd", "todo", "etc", "look into", "work on",
        "figure out", "same as before", "wrap up",
    ]

    /// An action of one or two words, or one that only says "continue"/"keep working": it tells the next session nothing.
    package static func isVague(_ text: String) -> Bool {
        guard let pointer = parse(text) else { return true }
        let action = pointer.action.lowercased()
        let words = action.split(whereSeparator: { $0 == " " })
        if words.count < 3 { return true }
        return vaguePhrases.contains { action.hasPrefix($0) }
    }
}

extension String {
    var trimmed: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
