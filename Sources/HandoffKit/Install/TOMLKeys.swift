/// The key paths a TOML document defines, read as TOML defines them: table headers (`[a."b".c]`,
/// `[[a]]`), dotted keys with bare, basic ("…") and literal ('…') segments, and inline tables
/// (`k = { a = 1, b.c = "x" }`, nested). Enough to know which `hooks.state."…"` entries a Codex
/// `config.toml` already holds, whichever of TOML's spellings wrote them, before handoff appends
/// its own; multi-line strings and arrays are stepped over. What it cannot read is refused, so
/// that nothing is written on a guess.
package enum TOMLKeys {
    /// One key defined by a key/value line (or inside an inline table), with its full path.
    package struct Definition: Sendable, Equatable {
        package var path: [String]
        /// The value's text, as written (a string's quotes included).
        package var value: String
        /// True for a table header (`[path]` or `[[path]]`), which has no value.
        package var isTable: Bool
    }

    package struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        package var line: Int
        package var reason: String
        package var description: String { "line \(line): \(reason)" }
    }

    package static func scan(_ text: String) throws(Unreadable) -> [Definition] {
        var definitions: [Definition] = []
        var table: [String] = []
        var openBrackets = 0
        var openString: Unicode.Scalar?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var scanner = Scanner(Array(raw.unicodeScalars), line: number)
            if let quote = openString {
                // Inside a multi-line string: up to its closing delimiter (the rest of that line is
                // at most a comment, or the end of the array holding it).
                guard scanner.closeMultiline(quote) else { continue }
                openString = nil
                if openBrackets > 0 { openBrackets += try scanner.bracketBalance() }
                continue
            }
            if openBrackets > 0 {
                // Inside a multi-line array: only its brackets matter.
                openBrackets += try scanner.bracketBalance()
                continue
            }
            scanner.skipSpace()
            guard let first = scanner.peek, first != "#" else { continue }
            if first == "[" {
                scanner.index += 1
                let isArray = scanner.peek == "["
                if isArray { scanner.index += 1 }
                let path = try scanner.key()
                guard scanner.take("]"), !isArray || scanner.take("]") else { throw Unreadable(line: number, reason: "a table header without its `]`") }
                table = path
                definitions.append(Definition(path: path, value: "", isTable: true))
                continue
            }
            let key = try scanner.key()
            scanner.skipSpace()
            guard scanner.take("=") else { throw Unreadable(line: number, reason: "a key without `=`") }
            let (value, found) = try scanner.value(prefix: table + key)
            definitions.append(Definition(path: table + key, value: value, isTable: false))
            definitions += found
            openBrackets = scanner.pendingBrackets
            openString = scanner.pendingString
        }
        return definitions
    }

    struct Scanner {
        let scalars: [Unicode.Scalar]
        let line: Int
        var index = 0
        /// Brackets a value left open at the end of its line (a multi-line array).
        var pendingBrackets = 0
        /// The quote of a multi-line string left open at the end of the line.
        var pendingString: Unicode.Scalar?

        init(_ scalars: [Unicode.Scalar], line: Int) {
            self.scalars = scalars
            self.line = line
        }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        func fail(_ reason: String) -> Unreadable { Unreadable(line: line, reason: reason) }

        mutating func skipSpace() {
            while let scalar = peek, scalar == " " || scalar == "\t" || scalar == "\r" { index += 1 }
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            skipSpace()
            guard peek == scalar else { return false }
            index += 1
            return true
        }

        static func isBare(_ scalar: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }

        /// A dotted key: segments separated by `.`, each bare, "basic" or 'literal'.
        mutating func key() throws(Unreadable) -> [String] {
            var path: [String] = []
            repeat {
                skipSpace()
                guard let scalar = peek else { throw fail("a key is missing") }
                if scalar == "\"" || scalar == "'" {
                    path.append(try string())
                } else {
                    var segment = ""
                    while let next = peek, Self.isBare(next) {
                        segment.unicodeScalars.append(next)
                        index += 1
                    }
                    guard !segment.isEmpty else { throw fail("`\(scalar)` cannot start a key") }
                    path.append(segment)
                }
                skipSpace()
            } while take(".")
            return path
        }

        /// A one-line basic or literal string, unescaped; a multi-line one is refused.
        mutating func string() throws(Unreadable) -> String {
            let quote = scalars[index]
            if index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                // A multi-line string: its value is not needed here, only where it ends.
                index += 3
                if !closeMultiline(quote) { pendingString = quote }
                return ""
            }
            index += 1
            var out = ""
            while let scalar = peek {
                index += 1
                if scalar == quote { return out }
                if quote == "\"", scalar == "\\" {
                    guard let escaped = peek else { break }
                    index += 1
                    switch escaped {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{c}")
                    case "u", "U":
                        let count = escaped == "u" ? 4 : 8
                        guard index + count <= scalars.count else { throw fail("a short \\\(escaped) escape") }
                        let hex = String(String.UnicodeScalarView(scalars[index..<(index + count)]))
                        guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else { throw fail("a bad \\\(escaped) escape") }
                        out.unicodeScalars.append(decoded)
                        index += count
                    default: out.unicodeScalars.append(escaped)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            throw fail("a string without its closing quote")
        }

        /// Moves past the closing triple quote of a multi-line string on this line; false when the
        /// line does not close it. A quote escaped with a backslash in a basic string does not close it.
        mutating func closeMultiline(_ quote: Unicode.Scalar) -> Bool {
            while let scalar = peek {
                if quote == "\"", scalar == "\\" { index += 2; continue }
                if scalar == quote, index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                    index += 3
                    // Up to two more quotes belong to the string's content (four quotes end with one).
                    while peek == quote { index += 1 }
                    return true
                }
                index += 1
            }
            return false
        }

        /// A value: its text, and the keys an inline table in it defines (under `prefix`).
        mutating func value(prefix: [String]) throws(Unreadable) -> (String, [Definition]) {
            skipSpace()
            let start = index
            var found: [Definition] = []
            guard let scalar = peek else { throw fail("a key without a value") }
            switch scalar {
            case "\"", "'":
                _ = try string()
            case "{":
                index += 1
                skipSpace()
                if peek == "}" { index += 1; break }
                repeat {
                    let key = try key()
                    guard take("=") else { throw fail("an inline table key without `=`") }
                    let (inner, nested) = try value(prefix: prefix + key)
                    found.append(Definition(path: prefix + key, value: inner, isTable: false))
                    found += nested
                } while take(",")
                guard take("}") else { throw fail("an inline table without its `}` on the same line") }
            case "[":
                pendingBrackets = try bracketBalance()
            default:
                while let next = peek, next != "#", next != ",", next != "}" { index += 1 }
            }
            let text = String(String.UnicodeScalarView(scalars[start..<index])).trimmed
            skipSpace()
            return (text, found)
        }

        /// The brackets opened minus those closed from here to the end of the line, strings and
        /// comments skipped.
        mutating func bracketBalance() throws(Unreadable) -> Int {
            var balance = 0
            while let scalar = peek {
                switch scalar {
                case "\"", "'": _ = try string(); continue
                case "#": index = scalars.count; continue
                case "[": balance += 1
                case "]": balance -= 1
                default: break
                }
                index += 1
                if balance == 0, pendingBrackets == 0, scalar == "]" { return 0 }
            }
            return balance
        }
    }
}
