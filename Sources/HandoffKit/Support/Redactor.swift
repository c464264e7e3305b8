/// Removes secrets from text before it is recorded (commands, messages, URLs).
///
/// Matching is by hand-written scanners rather than regular expressions: hooks run on every tool call,
/// and these patterns are simple enough to check in one pass each.
public enum Redactor {
    public static let mask = "[REDACTED]"

    public static func redact(_ text: String) -> String {
        var result = text
        result = redactPrivateKeyBlocks(result)
        result = redactURLCredentials(result)
        result = redactHeaders(result)
        result = redactAssignments(result)
        result = redactTokens(result)
        return result
    }

    /// `-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----`
    /// Every such block, also after other PEM blocks (a certificate before the key, as in a bundle).
    static func redactPrivateKeyBlocks(_ text: String) -> String {
        guard text.contains("-----BEGIN ") else { return text }
        var output = ""
        var rest = Substring(text)
        while let begin = rest.firstRange(of: "-----BEGIN "), let headerEnd = rest[begin.upperBound...].firstRange(of: "-----") {
            guard rest[begin.upperBound..<headerEnd.lowerBound].hasSuffix("PRIVATE KEY") else {
                output += rest[..<headerEnd.upperBound]
                rest = rest[headerEnd.upperBound...]
                continue
            }
            output += rest[..<begin.lowerBound]
            output += mask
            guard let end = rest[headerEnd.upperBound...].firstRange(of: "-----END "),
                let endClose = rest[end.upperBound...].firstRange(of: "-----")
            else {
                // No end line: everything after the header may be key material.
                return output
            }
            rest = rest[endClose.upperBound...]
        }
        return output + rest
    }

    /// `scheme://user:password@host` → `scheme://[REDACTED]@host`
    public static func redactURLCredentials(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if !userInfo.isEmpty {
                    output += mask
                    rest = rest[at...]
                    continue
                }
            }
        }
        output += rest
        return output
    }

    static let headerNames = ["authorization:", "proxy-authorization:", "x-api-key:", "api-key:", "x-auth-token:", "cookie:"]

    /// `Authorization: Bearer xyz`, `x-api-key: xyz` and `Bearer xyz` anywhere.
    static func redactHeaders(_ text: String) -> String {
        var text = text
        let lower = text.lowercased()
        // Work on the lowercased copy to find positions; lengths are equal for ASCII header names.
        guard lower.utf8.count == text.utf8.count else { return redactBearer(text) }
        var cuts: [(Int, Int)] = []
        let bytes = Array(lower.utf8)
        for name in headerNames {
            let needle = Array(name.utf8)
            var index = 0
            while index + needle.count <= bytes.count {
                if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                    var start = index + needle.count
                    while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
                    var end = start
                    while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D, bytes[end] != 0x22, bytes[end] != 0x27 { end += 1 }
                    if end > start { cuts.append((start, end)) }
                    index = end
                } else {
                    index += 1
                }
            }
        }
        if !cuts.isEmpty {
            var utf8 = Array(text.utf8)
            for (start, end) in cuts.sorted(by: { $0.0 > $1.0 }) {
                utf8.replaceSubrange(start..<end, with: Array(mask.utf8))
            }
            text = String(decoding: utf8, as: UTF8.self)
        }
        return redactBearer(text)
    }

    static func redactBearer(_ text: String) -> String {
        replaceToken(after: ["Bearer ", "bearer ", "BEARER ", "token ", "Basic "], in: text, minimumLength: 8)
    }

    /// Replaces the token that follows any of `prefixes`. Each pass copies the text once into a new
    /// string (replacing in place would make a long command with many tokens quadratic).
    static func replaceToken(after prefixes: [String], in text: String, minimumLength: Int) -> String {
        var text = text
        for prefix in prefixes where text.contains(prefix) {
            var output = ""
            var rest = Substring(text)
            while let found = rest.firstRange(of: prefix) {
                let tokenEnd = rest[found.upperBound...].firstIndex(where: { !isTokenCharacter($0) }) ?? rest.endIndex
                let token = rest[found.upperBound..<tokenEnd]
                output += rest[..<found.upperBound]
                output += token.count >= minimumLength && token != Substring(mask) ? Substring(mask) : token
                rest = rest[tokenEnd...]
            }
            text = output + rest
        }
        return text
    }

    static func isTokenCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "-_.=+/~".contains(character)
    }

    /// `NAME=value` where NAME ends in _TOKEN, _SECRET, _KEY, _PASSWORD, _PASS, _PAT or is PASSWORD/SECRET/TOKEN.
    static func redactAssignments(_ text: String) -> String {
        let sensitiveSuffixes = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "_PAT", "CREDENTIALS"]
        var output = ""
        var index = text.startIndex
        while let equals = text[index...].firstIndex(of: "=") {
            // The name: identifier characters right before '='.
            var nameStart = equals
            while nameStart > text.startIndex {
                let previous = text.index(before: nameStart)
                let character = text[previous]
                if character.isLetter || character.isNumber || character == "_" || character == "-" { nameStart = previous } else { break }
            }
            let name = text[nameStart..<equals].uppercased().replacingDashes()
            let afterEquals = text.index(after: equals)
            output += text[index..<afterEquals]
            index = afterEquals
            guard !name.isEmpty, sensitiveSuffixes.contains(where: { name.hasSuffix($0) }) else { continue }
            // The value: quoted or up to whitespace.
            var valueEnd = afterEquals
            if afterEquals < text.endIndex, text[afterEquals] == "\"" || text[afterEquals] == "'" {
                let quote = text[afterEquals]
                valueEnd = text[text.index(after: afterEquals)...].firstIndex(of: quote).map { text.index(after: $0) } ?? text.endIndex
            } else {
                valueEnd = text[afterEquals...].firstIndex(where: { $0.isWhitespace || $0 == ";" || $0 == "&" }) ?? text.endIndex
            }
            if valueEnd > afterEquals {
                output += mask
                index = valueEnd
            }
        }
        output += text[index...]
        return output
    }

    /// Well-known token shapes, wherever they appear.
    static func redactTokens(_ text: String) -> String {
        let shapes: [(prefix: String, minimumLength: Int)] = [
            ("AKIA", 16), ("ASIA", 16),          // AWS access key ids (20 chars in all)
            ("ghp_", 20), ("gho_", 20), ("ghu_", 20), ("ghs_", 20), ("ghr_", 20), ("github_pat_", 20),
            ("glpat-", 20), ("gldt-", 20),       // GitLab
            ("sk-ant-", 20),                     // Anthropic
            ("sk-proj-", 20), ("sk-", 32),       // OpenAI
            ("xoxb-", 20), ("xoxp-", 20),        // Slack
        ]
        var text = text
        for shape in shapes where text.contains(shape.prefix) {
            var output = ""
            var rest = Substring(text)
            while let found = rest.firstRange(of: shape.prefix) {
                // Must start a token (not the middle of a word).
                let previous = found.lowerBound > rest.startIndex ? rest[rest.index(before: found.lowerBound)] : output.last
                if let previous, previous.isLetter || previous.isNumber {
                    output += rest[..<found.upperBound]
                    rest = rest[found.upperBound...]
                    continue
                }
                let tokenEnd = rest[found.upperBound...].firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ?? rest.endIndex
                output += rest[..<found.lowerBound]
                let length = rest.distance(from: found.upperBound, to: tokenEnd)
                output += length >= shape.minimumLength ? Substring(mask) : rest[found.lowerBound..<tokenEnd]
                rest = rest[tokenEnd...]
            }
            text = output + rest
        }
        return text
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
