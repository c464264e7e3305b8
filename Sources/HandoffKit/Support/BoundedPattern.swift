/// A regular expression of a safe subset, matched in time linear in the text: a Thompson NFA
/// simulated one position at a time (no backtracking), so that no pattern — `(a+)+$` included —
/// can make a hook miss its deadline. Used where a pattern comes from configuration the session
/// being judged could have written (`handoff.tasks.external`).
///
/// The subset: literals, `.`, classes `[a-z0-9_]` and `[^…]`, `\d \w \s \D \W \S`, escaped
/// metacharacters, `^ $` (start and end of the text), `\b \B`, groups `( )` and `(?: )`,
/// alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (a lazy `?` after one is accepted; it changes
/// nothing here), and a leading `(?i)` for ASCII case-insensitivity. Back-references, look-arounds,
/// Unicode properties and other flags are refused with the reason, never half-supported.
package struct BoundedPattern: Sendable {
    /// The longest pattern accepted.
    package static let maxPatternLength = 256
    /// The most NFA states a pattern may compile to (counted repetitions are expanded).
    package static let maxStates = 2_000
    /// The most Unicode scalars of a text looked at; the rest is not searched.
    package static let maxTextScalars = 16 * 1024

    package struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        package var pattern: String
        package var reason: String
        package var description: String { "the pattern `\(pattern.prefix(80))` is not usable: \(reason)" }
    }

    enum Matcher: Sendable {
        case scalar(UInt32)
        case any
        case ranges([ClosedRange<UInt32>], negated: Bool)
    }

    enum Assertion: Sendable {
        case start, end, wordBoundary, notWordBoundary
    }

    enum Instruction: Sendable {
        case match(Matcher)
        case assert(Assertion)
        case split(Int, Int)
        case jump(Int)
        case accept
    }

    indirect enum Node {
        case empty
        case atom(Matcher)
        case assertion(Assertion)
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
        /// A parenthesised group: a quantifier applies to it whole (`(a+)+`).
        case group(Node)
    }

    let program: [Instruction]
    let caseInsensitive: Bool
    package let source: String

    package init(_ pattern: String) throws(Invalid) {
        source = pattern
        guard pattern.unicodeScalars.count <= Self.maxPatternLength else {
            throw Invalid(pattern: pattern, reason: "longer than \(Self.maxPatternLength) characters")
        }
        var scalars = Array(pattern.unicodeScalars)
        var insensitive = false
        if scalars.starts(with: Array("(?i)".unicodeScalars)) {
            insensitive = true
            scalars.removeFirst(4)
        }
        var parser = Parser(scalars: scalars, pattern: pattern)
        let node = try parser.parseAlternation()
        guard parser.index == scalars.count else { throw parser.invalid("an unmatched `)`") }
        var compiler = Compiler(pattern: pattern)
        try compiler.emit(node)
        compiler.program.append(.accept)
        program = compiler.program
        caseInsensitive = insensitive
    }

    /// Whether the text holds a non-empty match (at most `maxTextScalars` of it are looked at).
    /// Each position costs at most one visit of each state: the work is bounded by text × states.
    package func hasNonEmptyMatch(in text: String) -> Bool { search(text).found }

    /// The number of states of the compiled pattern.
    package var stateCount: Int { program.count }

    /// The search, with the number of state visits it made (at most (text + 1) × states): what the
    /// tests hold the work to.
    package func search(_ text: String) -> (found: Bool, visits: Int) {
        var visits = 0
        let input = Array(text.unicodeScalars.prefix(Self.maxTextScalars)).map(\.value)
        var current: [(pc: Int, start: Int)] = []
        var next: [(pc: Int, start: Int)] = []
        var seen = [Int](repeating: -1, count: program.count)
        var generation = 0
        var found = false

        // Follows jumps, splits and assertions from `pc`; the first arrival at a state (the earliest
        // start, as threads are added in start order) is the one kept.
        func add(_ pc: Int, start: Int, at position: Int, into list: inout [(pc: Int, start: Int)]) {
            var stack = [pc]
            while let pc = stack.popLast() {
                guard seen[pc] != generation else { continue }
                seen[pc] = generation
                visits += 1
                switch program[pc] {
                case .jump(let target): stack.append(target)
                case .split(let first, let second):
                    stack.append(second)
                    stack.append(first)
                case .assert(let assertion):
                    if holds(assertion, at: position, in: input) { stack.append(pc + 1) }
                case .accept:
                    if start < position { found = true }
                case .match:
                    list.append((pc, start))
                }
            }
        }

        generation += 1
        add(0, start: 0, at: 0, into: &current)
        var position = 0
        while !found, position < input.count {
            let scalar = input[position]
            generation += 1
            next.removeAll(keepingCapacity: true)
            for thread in current {
                guard case .match(let matcher) = program[thread.pc], matches(matcher, scalar) else { continue }
                add(thread.pc + 1, start: thread.start, at: position + 1, into: &next)
                if found { return (true, visits) }
            }
            // A match may also start at the next position.
            add(0, start: position + 1, at: position + 1, into: &next)
            swap(&current, &next)
            position += 1
        }
        return (found, visits)
    }

    func matches(_ matcher: Matcher, _ scalar: UInt32) -> Bool {
        switch matcher {
        case .any: return scalar != 0x0A
        case .scalar(let value):
            return value == scalar || (caseInsensitive && Self.foldASCII(value) == Self.foldASCII(scalar))
        case .ranges(let ranges, let negated):
            var inside = ranges.contains { $0.contains(scalar) }
            if !inside, caseInsensitive {
                let folded = Self.foldASCII(scalar), other = Self.otherCaseASCII(scalar)
                inside = ranges.contains { $0.contains(folded) || $0.contains(other) }
            }
            return inside != negated
        }
    }

    static func foldASCII(_ value: UInt32) -> UInt32 { (0x41...0x5A).contains(value) ? value + 0x20 : value }
    static func otherCaseASCII(_ value: UInt32) -> UInt32 {
        if (0x41...0x5A).contains(value) { return value + 0x20 }
        if (0x61...0x7A).contains(value) { return value - 0x20 }
        return value
    }

    static func isWord(_ value: UInt32) -> Bool {
        if value == 0x5F { return true }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    func holds(_ assertion: Assertion, at position: Int, in input: [UInt32]) -> Bool {
        switch assertion {
        case .start: return position == 0
        case .end: return position == input.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && Self.isWord(input[position - 1])
            let after = position < input.count && Self.isWord(input[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }

    // MARK: Parsing

    struct Parser {
        let scalars: [Unicode.Scalar]
        let pattern: String
        var index = 0
        var depth = 0

        init(scalars: [Unicode.Scalar], pattern: String) {
            self.scalars = scalars
            self.pattern = pattern
        }

        func invalid(_ reason: String) -> Invalid { Invalid(pattern: pattern, reason: reason) }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func parseAlternation() throws(Invalid) -> Node {
            var branches = [try parseSequence()]
            while peek == "|" {
                index += 1
                branches.append(try parseSequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() throws(Invalid) -> Node {
            var items: [Node] = []
            while let scalar = peek, scalar != "|", scalar != ")" {
                var atom = try parseAtom()
                while let quantifier = peek, "*+?{".unicodeScalars.contains(quantifier) {
                    if case .assertion = atom { throw invalid("a quantifier after an anchor") }
                    if case .repetition = atom {
                        // `a**`, `a+*`: refused rather than guessed (possessive and nested forms).
                        throw invalid("two quantifiers in a row at character \(index + 1)")
                    }
                    atom = try parseQuantifier(atom)
                    if peek == "?" { index += 1 }  // lazy: the same set of matches
                    if peek == "+" { throw invalid("possessive quantifiers are not supported") }
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .sequence(items))
        }

        mutating func parseQuantifier(_ atom: Node) throws(Invalid) -> Node {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*": return .repetition(atom, min: 0, max: nil)
            case "+": return .repetition(atom, min: 1, max: nil)
            case "?": return .repetition(atom, min: 0, max: 1)
            default:
                let low = readNumber()
                var high: Int? = low
                if peek == "," {
                    index += 1
                    high = readNumber()
                }
                guard peek == "}", let low else { throw invalid("a `{` that is not a count like {2}, {2,} or {2,5}") }
                index += 1
                if let high, high < low { throw invalid("the count {\(low),\(high)} goes down") }
                if low > 100 || (high ?? 0) > 100 { throw invalid("counts above 100 are not supported") }
                return .repetition(atom, min: low, max: high)
            }
        }

        mutating func readNumber() -> Int? {
            var value: Int?
            while let scalar = peek, (0x30...0x39).contains(scalar.value) {
                value = min((value ?? 0) * 10 + Int(scalar.value - 0x30), 1_000)
                index += 1
            }
            return value
        }

        mutating func parseAtom() throws(Invalid) -> Node {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "(":
                if peek == "?" {
                    guard index + 1 < scalars.count, scalars[index + 1] == ":" else {
                        throw invalid("`(?` groups other than `(?:` (look-arounds, named groups, flags) are not supported")
                    }
                    index += 2
                }
                depth += 1
                guard depth <= 32 else { throw invalid("groups nested more than 32 deep") }
                let inner = try parseAlternation()
                guard peek == ")" else { throw invalid("a `(` without its `)`") }
                index += 1
                depth -= 1
                return .group(inner)
            case "[": return .atom(try parseClass())
            case ".": return .atom(.any)
            case "^": return .assertion(.start)
            case "$": return .assertion(.end)
            case "*", "+", "?", "{": throw invalid("a quantifier with nothing before it at character \(index)")
            case "\\": return try parseEscape(inClass: false).node
            default: return .atom(.scalar(scalar.value))
            }
        }

        static let digits: [ClosedRange<UInt32>] = [0x30...0x39]
        static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        static let space: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20, 0x85...0x85, 0xA0...0xA0, 0x2000...0x200A, 0x2028...0x2029, 0x3000...0x3000]

        /// An escape: its node outside a class; inside one, its ranges (a negated shorthand is refused there).
        mutating func parseEscape(inClass: Bool) throws(Invalid) -> (node: Node, ranges: [ClosedRange<UInt32>]) {
            guard let scalar = peek else { throw invalid("a `\\` at the end") }
            index += 1
            func set(_ ranges: [ClosedRange<UInt32>], negated: Bool) throws(Invalid) -> (Node, [ClosedRange<UInt32>]) {
                if inClass && negated { throw invalid("\\D, \\W and \\S inside a class are not supported") }
                return (.atom(.ranges(ranges, negated: negated)), ranges)
            }
            switch scalar {
            case "d": return try set(Self.digits, negated: false)
            case "D": return try set(Self.digits, negated: true)
            case "w": return try set(Self.word, negated: false)
            case "W": return try set(Self.word, negated: true)
            case "s": return try set(Self.space, negated: false)
            case "S": return try set(Self.space, negated: true)
            case "b" where !inClass: return (.assertion(.wordBoundary), [])
            case "B" where !inClass: return (.assertion(.notWordBoundary), [])
            case "t": return (.atom(.scalar(0x09)), [0x09...0x09])
            case "n": return (.atom(.scalar(0x0A)), [0x0A...0x0A])
            case "r": return (.atom(.scalar(0x0D)), [0x0D...0x0D])
            default:
                // Only punctuation is taken literally: `\1`, `\p{…}`, `\k<…>` mean something this
                // subset does not do, and a letter escape might one day.
                guard scalar.isASCII, !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil) else {
                    throw invalid("the escape \\\(scalar) is not supported (back-references, \\p{…} and the like are outside the safe subset)")
                }
                return (.atom(.scalar(scalar.value)), [scalar.value...scalar.value])
            }
        }

        mutating func parseClass() throws(Invalid) -> Matcher {
            var negated = false
            if peek == "^" {
                negated = true
                index += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while true {
                guard let scalar = peek else { throw invalid("a `[` without its `]`") }
                if scalar == "]" && !first { index += 1; break }
                first = false
                index += 1
                let low: UInt32
                if scalar == "\\" {
                    let escaped = try parseEscape(inClass: true).ranges
                    guard escaped.count == 1, escaped[0].lowerBound == escaped[0].upperBound else {
                        ranges += escaped
                        continue
                    }
                    low = escaped[0].lowerBound
                } else if scalar == "[", peek == ":" {
                    throw invalid("POSIX classes like [:alpha:] are not supported")
                } else {
                    low = scalar.value
                }
                if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    var high = scalars[index].value
                    index += 1
                    if high == 0x5C {  // `\`
                        guard let escaped = try parseEscape(inClass: true).ranges.first, escaped.lowerBound == escaped.upperBound else {
                            throw invalid("a class range that ends in a shorthand like \\d")
                        }
                        high = escaped.lowerBound
                    }
                    guard high >= low else { throw invalid("the class range goes down") }
                    ranges.append(low...high)
                } else {
                    ranges.append(low...low)
                }
            }
            return .ranges(ranges, negated: negated)
        }
    }

    // MARK: Compiling

    struct Compiler {
        let pattern: String
        var program: [Instruction] = []

        mutating func check() throws(Invalid) {
            if program.count > BoundedPattern.maxStates {
                throw Invalid(pattern: pattern, reason: "it expands to more than \(BoundedPattern.maxStates) states (fewer or smaller counted repetitions)")
            }
        }

        mutating func emit(_ node: Node) throws(Invalid) {
            try check()
            switch node {
            case .empty: break
            case .atom(let matcher): program.append(.match(matcher))
            case .assertion(let assertion): program.append(.assert(assertion))
            case .sequence(let items): for item in items { try emit(item) }
            case .group(let inner): try emit(inner)
            case .alternation(let branches):
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let body, let min, let max):
                for _ in 0..<min { try emit(body) }
                if let max {
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        try emit(body)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    try emit(body)
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
            try check()
        }
    }
}
