/// The `## Framework Reflection` block an agent prints when it hands over (the `/handoff:dump` command).
///
/// ```
/// ## Framework Reflection
/// **Outcome**: success|partial|failure
/// **Accomplishments**: …
/// **Friction points**: … (or "none")
/// **Next step**: … (or "none"; must be a real step when the outcome is partial or failure)
/// ```
/// Parsing is tolerant about markup (`**Outcome:**`, list bullets, values on the following lines)
/// and strict about content: the gate only accepts a block that a person could act on.
package struct Reflection: Sendable, Equatable {
    package enum Outcome: String, Sendable { case success, partial, failure }

    package var outcome: Outcome
    package var accomplishments: String
    package var frictionPoints: String
    package var nextStep: String
    /// The block as printed, from its heading to its end.
    package var text: String

    package enum Parsed: Sendable, Equatable {
        /// No reflection heading in the text.
        case absent
        /// A heading was found, but the block is incomplete; the problems say what to fix.
        case invalid([String])
        case valid(Reflection)
    }

    /// Parses the LAST reflection block in `message` (an agent may quote the template earlier on).
    ///
    /// Strict about where it stands: a block inside a code fence is an example, not a handover; and
    /// the block must end the message: after it, at most a short closing line ("Handover complete.")
    /// may follow, never a heading, a fence, or an announcement of more work ("let me also…").
    package static func parse(_ message: String) -> Parsed {
        // `isNewline` also splits "\r\n", which Swift treats as one Character.
        let lines = message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let fenced = fencedLines(lines)
        guard let headingIndex = lines.indices.last(where: { !fenced[$0] && isHeading(lines[$0]) }) else { return .absent }
        let headingLevel = lines[headingIndex].prefix { $0 == "#" }.count
        var end = lines.count
        for index in (headingIndex + 1)..<lines.count {
            let line = lines[index]
            let level = line.prefix { $0 == "#" }.count
            if level > 0, level <= max(headingLevel, 1), line.dropFirst(level).first == " " { end = index; break }
            if isFence(line) { end = index; break }
        }
        var fields: [String: String] = [:]
        var current: String?
        var lastUsed = headingIndex
        for index in (headingIndex + 1)..<end {
            let line = lines[index]
            if let (name, value) = fieldLine(line) {
                current = name
                fields[name] = value
                lastUsed = index
            } else if let name = current, let value = fields[name] {
                let trimmed = String(line.trimmed)
                if trimmed.isEmpty {
                    // A blank line ends a field's value, unless the value has not started yet;
                    // what follows the block ("Handover complete.") is not part of it.
                    if !value.isEmpty { current = nil }
                    continue
                }
                fields[name] = value.isEmpty ? trimmed : value + "\n" + trimmed
                lastUsed = index
            }
        }

        var problems: [String] = []
        let outcomeText = fields["outcome"].map(clean) ?? ""
        let outcomeWord = outcomeText.lowercased().split(whereSeparator: { $0 == " " || $0 == "." || $0 == "," || $0 == ";" }).first
            .map(String.init) ?? ""
        let outcome = Outcome(rawValue: outcomeWord)
        if fields["outcome"] == nil {
            problems.append("**Outcome**: is missing")
        } else if outcome == nil {
            problems.append("**Outcome**: must be one of success, partial or failure (found \"\(outcomeText.prefix(40))\")")
        }
        func required(_ key: String, _ label: String) -> String {
            guard let value = fields[key] else {
                problems.append("**\(label)**: is missing")
                return ""
            }
            let cleaned = clean(value)
            if cleaned.isEmpty || isPlaceholder(cleaned) { problems.append("**\(label)**: is empty") }
            return cleaned
        }
        let accomplishments = required("accomplishments", "Accomplishments")
        let friction = required("friction points", "Friction points")
        let next = required("next step", "Next step")
        if let outcome, outcome != .success, !next.isEmpty, isNone(next) {
            problems.append("**Next step**: cannot be \"none\" when the outcome is \(outcome.rawValue); say what the next session must do")
        }
        if let after = trailingWork(lines[(lastUsed + 1)...]) {
            problems.append("the reflection must end the message, but \"\(after.prefix(80))\" follows it: finish that work first, then print the reflection last")
        }
        if !problems.isEmpty { return .invalid(problems) }
        return .valid(Reflection(
            outcome: outcome!, accomplishments: accomplishments, frictionPoints: friction, nextStep: next,
            text: lines[headingIndex...lastUsed].joined(separator: "\n").trimmed))
    }

    /// A line that opens or closes a code fence (``` or ~~~, indented at most three spaces).
    static func isFence(_ line: Substring) -> Bool {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        return rest.hasPrefix("```") || rest.hasPrefix("~~~")
    }

    /// For each line, whether it lies inside a fence (fence lines themselves count as inside).
    static func fencedLines(_ lines: [Substring]) -> [Bool] {
        var inside = false
        var marker: Character = "`"
        return lines.map { line in
            guard isFence(line) else { return inside }
            let first = line.trimmed.first ?? "`"
            if !inside {
                inside = true
                marker = first
            } else if first == marker {
                inside = false
            }
            return true
        }
    }

    /// Announcements of more work: said after a reflection, the session is not handing over.
    static let moreWorkPhrases = [
        "let me", "let's", "i'll", "i will", "i'm going to", "i am going to", "going to start", "now i", "next i", "next, i",
        "i'm now", "i am now", "i'm starting", "i am starting", "starting on", "moving on", "before ending", "one more thing",
    ]

    /// The first line after the block that keeps it from being the last part of the message, nil when
    /// only blank lines or a short closing confirmation (two lines at most, no heading, fence or
    /// announcement of more work) follow.
    static func trailingWork(_ rest: ArraySlice<Substring>) -> String? {
        let texts = rest.map { String($0.trimmed) }.filter { !$0.isEmpty }
        guard let first = texts.first else { return nil }
        for text in texts {
            let lowered = text.lowercased().replacingAll("’", with: "'")
            if text.hasPrefix("#") || isFence(Substring(text)) || moreWorkPhrases.contains(where: { lowered.contains($0) }) { return text }
        }
        return texts.count > 2 || texts.joined().count > 240 ? first : nil
    }

    static func isHeading(_ line: Substring) -> Bool {
        let trimmed = line.trimmed
        let level = trimmed.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return false }
        return trimmed.dropFirst(level).trimmed.lowercased() == "framework reflection"
    }

    /// `**Name**: value`, `**Name:** value`, `- **Name**: value`, `Name: value` for the four known names.
    static func fieldLine(_ line: Substring) -> (String, String)? {
        var text = Substring(line.trimmed)
        while let first = text.first, first == "-" || first == "*" && !text.hasPrefix("**") || first == "•" {
            text = Substring(text.dropFirst().trimmed)
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        var name = String(text[..<colon]).replacingAll("**", with: "").replacingAll("__", with: "").trimmed.lowercased()
        var value = text[text.index(after: colon)...]
        // `**Outcome:** success` leaves the closing "**" at the start of the value.
        while value.hasPrefix("**") || value.hasPrefix("__") { value = value.dropFirst(2) }
        let names = ["outcome", "accomplishments", "friction points", "friction point", "next step", "next steps"]
        guard names.contains(name) else { return nil }
        if name == "friction point" { name = "friction points" }
        if name == "next steps" { name = "next step" }
        return (name, String(value).trimmed)
    }

    /// Strips quotes and markup around a value.
    static func clean(_ value: String) -> String {
        var text = value.trimmed
        for wrapper in ["`", "\"", "*", "_"] {
            while text.count >= 2, text.hasPrefix(wrapper), text.hasSuffix(wrapper) {
                text = String(text.dropFirst().dropLast()).trimmed
            }
        }
        return text
    }

    /// The template's own text (`[What was completed this session]`, `success|partial|failure`).
    static func isPlaceholder(_ value: String) -> Bool {
        value.hasPrefix("[") && value.hasSuffix("]") && !value.dropFirst().contains("[")
    }

    static func isNone(_ value: String) -> Bool {
        let word = value.lowercased().filter { $0.isLetter || $0.isWhitespace }.trimmed
        return word == "none" || word == "n a" || word == "na" || word == "nothing" || word == "no"
    }
}

extension Substring {
    var trimmed: Substring {
        var view = self
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return view
    }
}

extension StringProtocol {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Reflection {
    /// What the agent's own words add to the mechanical snapshot written at an accepted handover:
    /// the reflection in `resume.context`, its Next step as `resume.next` when it is a `path:line`
    /// pointer, and a severity no better than "in progress" unless the outcome is success.
    func fill(_ state: inout HandoffState) {
        func clip(_ text: String, _ limit: Int = 400) -> String {
            let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return single.count <= limit ? single : String(single.prefix(limit - 1)) + "…"
        }
        let context = "Handed over with a Framework Reflection, outcome \(outcome.rawValue). "
            + "Accomplishments: \(clip(accomplishments)). Friction points: \(clip(frictionPoints))."
        // The reflection replaces the resume point of every earlier handover: its Next step, when it
        // is a `path:line action`, else none (the Next step itself is the brief's Next line, said once).
        state.resume.next = !Self.isNone(nextStep) && ResumePointer.parse(nextStep) != nil ? Redactor.redact(clip(nextStep, 1000)) : ""
        state.resume.task = nil
        state.resume.context = Redactor.redact(context)
        if outcome != .success, state.severity == .ready { state.severity = .inProgress }
    }
}
