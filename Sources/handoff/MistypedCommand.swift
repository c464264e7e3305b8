import ArgumentParser
import HandoffKit

/// A mistyped subcommand gets the nearest valid one suggested (`handoff stauts` → `handoff status`),
/// before swift-argument-parser answers with only "Unexpected argument".
enum MistypedCommand {
    /// The line to print (after "handoff: ") for an unknown subcommand among `arguments` (without the program), or nil.
    static func message(_ arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Handoff.self
        var path = ["handoff"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            // A command without subcommands, or one whose default subcommand takes arguments, parses the rest itself.
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil, !word.hasPrefix("-"), word != "help" else { return nil }
            let names = subcommands.map { ($0, [$0._commandName] + $0.configuration.aliases) }
            if let known = names.first(where: { $0.1.contains(word) }) {
                command = known.0
                path.append(word)
                continue
            }
            let shown = TerminalText.escape(String(word.prefix(60)))
            let here = path.joined(separator: " ")
            let unknown = path.count == 1 ? "unknown command \"\(shown)\"" : "`\(here)` has no command \"\(shown)\""
            let nearest = names.flatMap(\.1).map { ($0, distance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
            if let nearest, nearest.1 <= max(2, word.count / 3) {
                return "\(unknown). Did you mean `\(here) \(nearest.0)`? (`\(here) --help` lists the commands.)"
            }
            return "\(unknown). `\(here) --help` lists the commands."
        }
        return nil
    }

    /// Levenshtein distance, with a swap of two neighbouring letters counted as one edit (`stauts`).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
