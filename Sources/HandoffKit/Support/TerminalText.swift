/// Recorded data (commands, paths, commit subjects, branch names) comes from agents and other
/// people's repositories: printed raw, an ESC sequence in it could retitle the terminal, clear the
/// screen or hide lines. Every human-facing command passes such text through `escape` first.
package enum TerminalText {
    /// `text` with every control character shown as a visible escape (`\e`, `\r`, `\x07`, `\u{9b}`):
    /// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a line appears to say.
    /// Newlines and tabs are escaped too, so one record stays one line.
    package static func escape(_ text: String) -> String { escaped(text, keepingLines: false) }

    /// `text` escaped like `escape`, except that its newlines and tabs are kept: for a multi-line
    /// record printed as such (a task's body), where every other control character is still shown.
    package static func escapeKeepingLines(_ text: String) -> String { escaped(text, keepingLines: true) }

    static func escaped(_ text: String, keepingLines: Bool) -> String {
        func shouldEscape(_ scalar: Unicode.Scalar) -> Bool {
            needsEscape(scalar) && !(keepingLines && (scalar == "\n" || scalar == "\t"))
        }
        guard text.unicodeScalars.contains(where: shouldEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard shouldEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let shown: String
            switch scalar.value {
            case 0x1B: shown = "\\e"
            case 0x0A: shown = "\\n"
            case 0x0D: shown = "\\r"
            case 0x09: shown = "\\t"
            case 0..<0x100: shown = "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: shown = "\\u{" + String(scalar.value, radix: 16) + "}"
            }
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (value >= 0x7F && value <= 0x9F)
            || (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069)
    }
}
