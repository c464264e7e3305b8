/// Recorded text (commit subjects, agent prose, command output) made safe to print on a terminal: a
/// control character in it could otherwise move the cursor, retitle the window or hide what follows.
public enum TerminalText {
    /// C0 controls other than newline and tab, DEL and the C1 controls, written as visible `\x1b`
    /// escapes; everything else unchanged.
    public static func escaped(_ text: String, keepNewlines: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let control = value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
            if control && !(keepNewlines && (scalar == "\n" || scalar == "\t")) {
                out += value <= 0xFF ? "\\x" + hex(value, width: 2) : "\\u{" + hex(value, width: 4) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
