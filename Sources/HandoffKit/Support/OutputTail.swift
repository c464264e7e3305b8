/// The end of a failed command's output, as handoff records it: redacted, then cut to at most
/// `maximumLines` lines and `maximumBytes` bytes (the end of a failing build or test run is where
/// its error is).
package enum OutputTail {
    package static let maximumLines = 20
    package static let maximumBytes = 2048
    /// Redaction runs on this much of the end of the output, before the cut: a secret that straddles
    /// the cut is masked whole instead of leaving its visible half in the record.
    static let redactionWindow = 64 * 1024

    /// The redacted tail of `output`; empty when the output is empty or only whitespace.
    package static func of(_ output: String, maximumLines: Int = maximumLines, maximumBytes: Int = maximumBytes) -> String {
        var bytes = Array(output.utf8)
        if bytes.count > redactionWindow { bytes = Array(bytes.suffix(redactionWindow)) }
        let redacted = Redactor.redact(String(decoding: bytes, as: UTF8.self))
        var lines = redacted.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        guard !lines.isEmpty else { return "" }
        let kept = lines.suffix(max(1, maximumLines))
        var text = kept.joined(separator: "\n")
        let cut = kept.count < lines.count || text.utf8.count > maximumBytes
        if text.utf8.count > maximumBytes {
            // Whole characters only: drop from the front until the rest fits.
            var utf8 = Array(text.utf8.suffix(maximumBytes - 3))
            while let first = utf8.first, first & 0xC0 == 0x80 { utf8.removeFirst() }
            text = String(decoding: utf8, as: UTF8.self)
        }
        return cut ? "…" + text : text
    }

    /// Claude Code's PostToolUseFailure `error` is "Exit code N" and then the command's output (its
    /// error output first): the output, without that first line.
    package static func claudeFailureOutput(_ error: String) -> String {
        guard error.hasPrefix("Exit code ") else { return error }
        guard let newline = error.firstIndex(of: "\n") else { return "" }
        return String(error[error.index(after: newline)...])
    }

    /// The last line of a recorded tail that says something (for one-line displays).
    package static func lastLine(_ tail: String) -> String? {
        tail.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }.map { String($0).trimmed }
    }
}
