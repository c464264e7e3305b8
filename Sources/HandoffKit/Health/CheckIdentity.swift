/// When two health checks are the same command, so that `handoff end` runs it once.
///
/// A Makefile whose default target is `test` makes `make` (the build) and `make test` (the tests)
/// one command; `git config handoff.check.tests "make"` beside a detected `make` build is another.
/// Two checks are the same when their argument vectors are, after these normalisations only:
/// a configured shell line made of plain words is read as those words, and a bare `make` names
/// the Makefile's default goal. Anything else (quotes, pipes, variables) is compared as written:
/// running a check twice is slower, reusing a result for a different command would be wrong.
package enum CheckIdentity {
    /// The normalised argument vector of `command`, run in `root`.
    package static func key(_ command: [String], root: String) -> [String] {
        var words = command
        if command.count == 3, command[0] == "/bin/sh", command[1] == "-c", let plain = plainWords(command[2]) {
            words = plain
        }
        if let first = words.first, first == "make" || first == "gmake", words.count == 1,
            let goal = makeDefaultGoal(root: root) {
            words.append(goal)
        }
        return words
    }

    /// The words of a shell line that the shell would not transform (no quoting, expansion,
    /// redirection or control operator), else nil.
    static func plainWords(_ line: String) -> [String]? {
        let special = Set("\"'`$\\|&;<>()*?[]{}~#=%!\n")
        guard !line.contains(where: { special.contains($0) }) else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return words.isEmpty ? nil : words
    }

    /// The goal `make` builds with no argument: `.DEFAULT_GOAL`, else the first target that is not
    /// special (`.PHONY`) or a pattern rule. Nil when there is no Makefile or it cannot be told.
    package static func makeDefaultGoal(root: String) -> String? {
        let name = ["GNUmakefile", "makefile", "Makefile"].first { FileSystem.exists(Path.join(root, $0)) }
        guard let name, let text = try? FileSystem.readText(Path.join(root, name)) else { return nil }
        var first: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if raw.hasPrefix("\t") || raw.hasPrefix("#") { continue }
            let line = raw.trimmingTrailingSpaces
            if line.hasPrefix(".DEFAULT_GOAL") {
                let value = line.drop(while: { $0 != "=" }).dropFirst().split(separator: " ").first
                if let value { return String(value) }
                continue
            }
            guard first == nil, let colon = line.firstIndex(of: ":") else { continue }
            let after = line[line.index(after: colon)...]
            if after.hasPrefix("=") { continue }  // `x := y` is a variable
            let before = line[..<colon]
            if before.contains("=") { continue }
            let targets = before.split(separator: " ")
            guard let target = targets.first, !target.hasPrefix("."), !target.contains("%"), !target.contains("$") else { continue }
            first = String(target)
        }
        return first
    }
}

private extension Substring {
    var trimmingTrailingSpaces: Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
