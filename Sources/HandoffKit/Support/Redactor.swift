/// Removes secrets from everything handoff writes into `.handoff/` (commands, commit subjects,
/// reflections, states, CONTEXT.md): `HandoffStore` passes every write through it.
///
/// The rules are a table in the style of gitleaks' rule set: an id, what it catches, the keywords
/// that must occur for it to run, a shape, and examples that the tests replay (each example's
/// secret must be replaced by the mask and nothing else changed). Each rule finds byte ranges in
/// the original text; overlapping ranges are merged and the text is copied once with every range
/// masked — so rules never see each other's masks, and a mask never eats the text around it.
/// Every rule is one scan of the text for its anchors (no regular expressions, no backtracking):
/// the cost is linear in the length of the text, for the 600 KB commands agents sometimes run.
package enum Redactor {
    package static let mask = "[REDACTED]"

    package struct Rule: Sendable {
        package let id: String
        package let description: String
        /// Lowercase; the rule runs only on text that contains one of them.
        package let keywords: [String]
        let shape: Shape
        /// Text that holds a secret, and the secret: redacting the text replaces exactly the secret.
        package let examples: [(text: String, secret: String)]
    }

    /// How a rule finds its secrets.
    enum Shape: Sendable {
        /// A token that starts with `prefix` (case-sensitive) at the start of a word, followed by at
        /// least `minimum` bytes of `body`: the whole token is the secret.
        case token(prefix: String, body: ByteClass, minimum: Int)
        /// A JSON Web Token: `eyJ…` `.` `…` `.` `…` (base64url).
        case jsonWebToken
        /// A PEM private-key block, from its BEGIN line to its END line (to the end of the text without one).
        case privateKeyBlock
        /// The user information of a URL, `scheme://user:password@host`.
        case urlUserInfo
        /// The rest of a URL's path after `prefix` (webhook URLs whose path is the secret).
        case urlPathAfter(prefix: String)
        /// An HTTP header's value after `name:` (case-insensitive), past an auth scheme word (`Bearer`).
        case header(names: [String])
        /// The credential after an auth scheme word: `Bearer xyz`.
        case schemeCredential(words: [String], minimum: Int)
        /// `NAME=value` where NAME (case-insensitive, `-` read as `_`) ends in one of `suffixes`.
        case assignment(suffixes: [String])
        /// `"key": "value"` (or `'key': 'value'`, `"key" = "value"`) where key ends in one of `suffixes`.
        case quotedKey(suffixes: [String])
        /// `--flag value` or `--flag=value` where the flag name ends in one of `suffixes`.
        case longFlag(suffixes: [String])
        /// `-p value` / `-pvalue` in a command that runs one of `commands` (`attached`: `-pvalue` only).
        case shortFlag(flag: String, commands: [String], attachedOnly: Bool)
        /// `-u user:password` in a command that runs one of `commands`: the part after `:`.
        case userPasswordFlag(flags: [String], commands: [String])
        /// A word, then blanks (and an optional `=`), then the secret: `password X` in a `.netrc`,
        /// `aws configure set aws_secret_access_key X`. Runs only where `context` occurs, when given.
        case wordThenValue(words: [String], context: [String])
    }

    /// Which bytes a token's body may hold.
    enum ByteClass: Sendable {
        case alphanumeric
        /// Letters, digits, `-` and `_`.
        case word
        /// Letters, digits, `-`, `_`, `.`, `=`, `+`, `/`, `~` (tokens after `Bearer`).
        case credential
        case upperAlphanumeric

        func contains(_ byte: UInt8) -> Bool {
            switch self {
            case .alphanumeric: return isAlphanumeric(byte)
            case .word: return isAlphanumeric(byte) || byte == 0x2D || byte == 0x5F
            case .credential: return isAlphanumeric(byte) || "-_.=+/~".utf8.contains(byte)
            case .upperAlphanumeric: return (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            }
        }
    }

    static let secretNameSuffixes = [
        "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "_PWD", "API_KEY", "APIKEY", "ACCESS_KEY", "SECRET_KEY",
        "PRIVATE_KEY", "_PAT", "CREDENTIALS", "ACCOUNTKEY", "SHAREDACCESSKEY", "AUTH_KEY", "CLIENT_SECRET",
    ]
    static let secretKeySuffixes = [
        "password", "passwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey",
        "secret_key", "secretkey", "private_key", "privatekey", "credentials", "auth",
    ]

    /// The rule table. Every rule's examples are replayed by `RedactorTests`.
    package static let rules: [Rule] = [
        Rule(id: "private-key", description: "PEM private key block", keywords: ["private key-----"], shape: .privateKeyBlock,
             examples: [("cat <<EOF > k\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nEOF",
                         "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"),
                        ("echo '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk")]),
        Rule(id: "url-credentials", description: "user and password in a URL", keywords: ["://"], shape: .urlUserInfo,
             examples: [("git push https://alice:s3cr3tpass@example.com/repo.git main", "alice:s3cr3tpass"),
                        ("git clone https://oauth2:glpat-abcdefghijklmnopqrst@gitlab.example/x.git", "oauth2:glpat-abcdefghijklmnopqrst")]),
        Rule(id: "slack-webhook", description: "Slack incoming-webhook URL", keywords: ["hooks.slack.com/services/"],
             shape: .urlPathAfter(prefix: "hooks.slack.com/services/"),
             examples: [("curl -X POST https://hooks.slack.com/services/T0123ABCD/B0123EFGH/abcdefghijklmnopqrstuvwx -d '{}'",
                         "T0123ABCD/B0123EFGH/abcdefghijklmnopqrstuvwx")]),
        Rule(id: "discord-webhook", description: "Discord webhook URL", keywords: ["discord.com/api/webhooks/"],
             shape: .urlPathAfter(prefix: "discord.com/api/webhooks/"),
             examples: [("curl https://discord.com/api/webhooks/123456789/AbCdEfGhIjKlMnOp-qrstu", "123456789/AbCdEfGhIjKlMnOp-qrstu")]),
        Rule(id: "http-auth-header", description: "authentication HTTP headers", keywords: ["authorization:", "api-key:", "auth-token:", "cookie:", "private-token:", "access-token:"],
             shape: .header(names: ["authorization", "proxy-authorization", "x-api-key", "api-key", "x-auth-token", "cookie", "private-token", "x-access-token"]),
             examples: [("curl -H 'X-Api-Key: abcdef123456' https://api.example/v1/items", "abcdef123456"),
                        ("curl -H X-Api-Key:abcdef123456 https://api.example/v1/items", "abcdef123456"),
                        ("curl -H \"Authorization: Bearer abc.def.ghi\" https://api", "abc.def.ghi"),
                        ("curl -H 'PRIVATE-TOKEN: glpat-abcdefghijklmnopqrst' https://gitlab.example", "glpat-abcdefghijklmnopqrst"),
                        ("curl -H 'Cookie: session=abc123; theme=dark' https://site", "session=abc123; theme=dark")]),
        Rule(id: "auth-scheme", description: "credential after Bearer, Basic or token", keywords: ["bearer ", "basic ", "token "],
             shape: .schemeCredential(words: ["Bearer ", "bearer ", "BEARER ", "token ", "Basic "], minimum: 8),
             examples: [("http GET api.example Bearer:ignored 'Bearer abcdefgh12345'", "abcdefgh12345")]),
        Rule(id: "secret-assignment", description: "NAME=value where the name says it is a secret", keywords: ["="],
             shape: .assignment(suffixes: secretNameSuffixes),
             examples: [("DEPLOY_TOKEN=abc123xyz ./deploy.sh", "abc123xyz"),
                        ("AWS_SECRET=wJalrXUtnFEMI/K7MDENG ./x", "wJalrXUtnFEMI/K7MDENG"),
                        ("PASSWORD='hunter2 with spaces' make db", "hunter2 with spaces"),
                        ("db_password=\"pa55\" run", "pa55"),
                        ("az storage blob list --connection-string 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlrZXk+/abc==;EndpointSuffix=core.windows.net'",
                         "bXlrZXk+/abc=="),
                        ("MYSQL_PWD=hunter2 mysql -u root", "hunter2"),
                        ("aws configure set aws_secret_access_key=wJalrXUtnFEMIK7MDENG", "wJalrXUtnFEMIK7MDENG")]),
        Rule(id: "secret-json-key", description: "a quoted key that says it is a secret, and its quoted value", keywords: secretKeySuffixes,
             shape: .quotedKey(suffixes: secretKeySuffixes),
             examples: [("curl -d '{\"user\":\"bob\",\"password\":\"hunter2\"}' https://api/login", "hunter2"),
                        ("curl -d '{\"clientSecret\": \"s3cr3t-v4lue\"}' https://api", "s3cr3t-v4lue"),
                        ("python3 -c \"login({'api_key': 'k-123456'})\"", "k-123456"),
                        ("echo '{\"token\":\"a\\\"b\"}'", "a\\\"b")]),
        Rule(id: "secret-flag", description: "--password, --token, --secret, --api-key and the like", keywords: ["--"],
             shape: .longFlag(suffixes: ["password", "passwd", "token", "secret", "api-key", "apikey", "api_key"]),
             examples: [("mysql --password hunter2 -u root db", "hunter2"),
                        ("psql --password=hunter2 db", "hunter2"),
                        ("gh auth login --with-token ghx123 && ls", "ghx123"),
                        ("vault login --client-secret 'a b c'", "a b c")]),
        Rule(id: "mysql-password", description: "mysql -pPASSWORD", keywords: ["mysql", "mariadb"],
             shape: .shortFlag(flag: "-p", commands: ["mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump"], attachedOnly: true),
             examples: [("mysql -u root -phunter2 app_db", "hunter2"), ("mysqldump -uroot -p'pa ss' db > d.sql", "pa ss")]),
        Rule(id: "login-password", description: "sshpass -p, docker/podman/helm login -p", keywords: ["sshpass", "login"],
             shape: .shortFlag(flag: "-p", commands: ["sshpass", "login"], attachedOnly: false),
             examples: [("sshpass -p hunter2 ssh deploy@host", "hunter2"),
                        ("docker login -u bob -p hunter2 registry.example", "hunter2"),
                        ("podman login -phunter2 quay.example", "hunter2")]),
        Rule(id: "curl-user", description: "curl -u user:password", keywords: ["curl"],
             shape: .userPasswordFlag(flags: ["-u", "--user", "-U", "--proxy-user"], commands: ["curl"]),
             examples: [("curl -u alice:hunter2 https://api.example/x", "hunter2"),
                        ("curl --user=alice:hunter2 https://api.example/x", "hunter2"),
                        ("curl -ualice:hunter2 https://api.example/x", "hunter2")]),
        Rule(id: "netrc-password", description: "password in a .netrc (machine … login … password …)", keywords: ["machine"],
             shape: .wordThenValue(words: ["password", "passwd"], context: ["machine"]),
             examples: [("cat > ~/.netrc <<EOF\nmachine api.example login bob password hunter2\nEOF", "hunter2")]),
        Rule(id: "aws-cli-secret", description: "aws configure set aws_secret_access_key / aws_session_token", keywords: ["aws_secret_access_key", "aws_session_token"],
             shape: .wordThenValue(words: ["aws_secret_access_key", "aws_session_token"], context: []),
             examples: [("aws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENG", "wJalrXUtnFEMIK7MDENG"),
                        ("cat > ~/.aws/credentials <<EOF\n[default]\naws_secret_access_key = wJalrXUtnFEMIK7MDENG\nEOF", "wJalrXUtnFEMIK7MDENG")]),
        Rule(id: "jwt", description: "JSON Web Token", keywords: ["eyj"], shape: .jsonWebToken,
             examples: [("curl -b 'jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl' https://x",
                         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl")]),
        token("aws-access-key", "AWS access key id", "AKIA", .upperAlphanumeric, 16, "aws s3 ls --key AKIAIOSFODNN7EXAMPLE"),
        token("aws-temporary-key", "AWS temporary access key id", "ASIA", .upperAlphanumeric, 16, "export K=x; echo ASIAIOSFODNN7EXAMPLE"),
        token("github-pat", "GitHub personal access token", "ghp_", .alphanumeric, 20, "git clone https://x.example/?t=ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        token("github-oauth", "GitHub OAuth token", "gho_", .alphanumeric, 20, "echo gho_abcdefghijklmnopqrstuvwxyz0123"),
        token("github-app-user", "GitHub app user token", "ghu_", .alphanumeric, 20, "echo ghu_abcdefghijklmnopqrstuvwxyz0123"),
        token("github-app-server", "GitHub app server token", "ghs_", .alphanumeric, 20, "echo ghs_abcdefghijklmnopqrstuvwxyz0123"),
        token("github-refresh", "GitHub refresh token", "ghr_", .alphanumeric, 20, "echo ghr_abcdefghijklmnopqrstuvwxyz0123"),
        token("github-fine-grained", "GitHub fine-grained token", "github_pat_", .word, 20, "echo github_pat_11ABCDEFG0123456789_abcdefghijklmnop"),
        token("gitlab-pat", "GitLab personal access token", "glpat-", .word, 20, "echo glpat-abcdefghijklmnopqrst"),
        token("gitlab-deploy", "GitLab deploy token", "gldt-", .word, 20, "echo gldt-abcdefghijklmnopqrst"),
        token("anthropic", "Anthropic API key", "sk-ant-", .word, 20, "echo sk-ant-api03-abcdefghijklmnopqrstuvwxyz"),
        token("openai-project", "OpenAI project key", "sk-proj-", .word, 20, "echo sk-proj-abcdefghijklmnopqrstuvwxyz012345"),
        token("openai", "OpenAI API key", "sk-", .word, 32, "echo sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD"),
        token("stripe-live-secret", "Stripe live secret key", "sk_live_", .alphanumeric, 10, "echo sk_live_51HabcdefGHIJKLmnop"),
        token("stripe-live-restricted", "Stripe live restricted key", "rk_live_", .alphanumeric, 10, "echo rk_live_51HabcdefGHIJKLmnop"),
        token("stripe-test-secret", "Stripe test secret key", "sk_test_", .alphanumeric, 10, "echo sk_test_51HabcdefGHIJKLmnop"),
        token("stripe-test-restricted", "Stripe test restricted key", "rk_test_", .alphanumeric, 10, "echo rk_test_51HabcdefGHIJKLmnop"),
        token("stripe-webhook", "Stripe webhook signing secret", "whsec_", .alphanumeric, 20, "echo whsec_abcdefghijklmnopqrstuvwx"),
        token("npm", "npm access token", "npm_", .alphanumeric, 30, "npm config set //registry.example/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789"),
        token("google-api-key", "Google API key", "AIza", .word, 30, "curl 'https://maps.example/api?key=AIzaSyA-abcdefghijklmnopqrstuvwxyz01234'"),
        token("sendgrid", "SendGrid API key", "SG.", .credential, 40, "echo SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
        token("slack-bot", "Slack bot token", "xoxb-", .word, 10, "echo xoxb-1234567890-abcdefghij"),
        token("slack-user", "Slack user token", "xoxp-", .word, 10, "echo xoxp-1234567890-abcdefghij"),
        token("slack-app-level", "Slack app-level token", "xapp-", .word, 10, "echo xapp-1-A0123456789-1234567890-abcdef"),
        token("slack-other", "Slack legacy and refresh tokens", "xoxe", .credential, 10, "echo xoxe.xoxp-1-abcdefghijklmnop"),
        token("slack-workspace", "Slack workspace token", "xoxa-", .word, 10, "echo xoxa-2-abcdefghijklmnop"),
        token("huggingface", "Hugging Face token", "hf_", .alphanumeric, 30, "echo hf_abcdefghijklmnopqrstuvwxyzABCDEF"),
        token("pypi", "PyPI upload token", "pypi-AgEI", .word, 40, "twine upload -p pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6 dist/*"),
        token("digitalocean", "DigitalOcean token", "dop_v1_", .alphanumeric, 40, "echo dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef"),
        token("shopify", "Shopify access token", "shpat_", .alphanumeric, 20, "echo shpat_0123456789abcdef0123456789abcdef"),
    ]

    static func token(_ id: String, _ description: String, _ prefix: String, _ body: ByteClass, _ minimum: Int, _ example: String) -> Rule {
        // The example's secret is the token that starts with the prefix.
        let start = example.firstRange(of: prefix)!.lowerBound
        let secret = example[start...].prefix { $0 != " " && $0 != "'" && $0 != "\"" }
        return Rule(id: id, description: description, keywords: [prefix.lowercased()],
                    shape: .token(prefix: prefix, body: body, minimum: minimum), examples: [(example, String(secret))])
    }

    // MARK: - Redacting

    package static func redact(_ text: String) -> String {
        // The common case (no keyword anywhere) reads the string's own storage and allocates nothing.
        var utf8 = text.utf8
        if let anyRule = utf8.withContiguousStorageIfAvailable({ anyRuleApplies($0) }), !anyRule { return text }
        if utf8.withContiguousStorageIfAvailable({ _ in true }) == nil {
            var copy = text
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
        }
        let bytes = Array(utf8)
        let ranges = secretRanges(bytes)
        if ranges.isEmpty { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        let maskBytes = Array(mask.utf8)
        for range in ranges {
            output.append(contentsOf: bytes[index..<range.lowerBound])
            output.append(contentsOf: maskBytes)
            index = range.upperBound
        }
        output.append(contentsOf: bytes[index...])
        return String(decoding: output, as: UTF8.self)
    }

    /// Every string in a JSON value, redacted (keys are handoff's own).
    package static func redact(_ value: JSONValue) -> JSONValue {
        redactedIfChanged(value) ?? value
    }

    /// The redacted value, or nil when nothing in it changes (no copy of an untouched tree).
    static func redactedIfChanged(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string(let text):
            let redacted = redact(text)
            return redacted == text ? nil : .string(redacted)
        case .array(let items):
            var copy: [JSONValue]?
            for (index, item) in items.enumerated() {
                guard let changed = redactedIfChanged(item) else { continue }
                if copy == nil { copy = items }
                copy![index] = changed
            }
            return copy.map { .array($0) }
        case .object(let object):
            var copy: JSONObject?
            for (key, item) in object.pairs {
                guard let changed = redactedIfChanged(item) else { continue }
                if copy == nil { copy = object }
                copy![key] = changed
            }
            return copy.map { .object($0) }
        default:
            return nil
        }
    }

    /// The merged, sorted byte ranges of every secret in `bytes`.
    static func secretRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        guard !bytes.isEmpty else { return [] }
        // Most texts hold no keyword at all (shas, paths, plain prose): one pass finds which rules
        // can apply, before anything is allocated.
        let applicable = rulesWithKeywords(in: bytes)
        guard applicable.contains(true) else { return [] }
        let text = Text(bytes: bytes)
        var ranges: [Range<Int>] = []
        for (index, rule) in rules.enumerated() where applicable[index] {
            text.find(rule.shape, into: &ranges)
        }
        ranges.removeAll { $0.isEmpty }
        guard !ranges.isEmpty else { return [] }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = [ranges[0]]
        for range in ranges.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Every rule's keywords, by their first byte: (keyword, rule index).
    static let keywordsByFirstByte: [[([UInt8], Int)]] = {
        var table = [[([UInt8], Int)]](repeating: [], count: 256)
        for (index, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                let bytes = Array(keyword.utf8)
                if let first = bytes.first { table[Int(first)].append((bytes, index)) }
            }
        }
        return table
    }()

    /// True when any rule's keyword occurs (the fast path: stops at the first).
    static func anyRuleApplies(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let table = keywordsByFirstByte
        let count = buffer.count
        for index in 0..<count {
            let entries = table[Int(lowercased(buffer[index]))]
            if entries.isEmpty { continue }
            for (keyword, _) in entries where index + keyword.count <= count {
                var offset = 1
                while offset < keyword.count, lowercased(buffer[index + offset]) == keyword[offset] { offset += 1 }
                if offset == keyword.count { return true }
            }
        }
        return false
    }

    /// Which rules have one of their keywords (lowercase) in `bytes`, in one pass.
    static func rulesWithKeywords(in bytes: [UInt8]) -> [Bool] {
        var applicable = [Bool](repeating: false, count: rules.count)
        let table = keywordsByFirstByte
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            for index in 0..<count {
                let entries = table[Int(lowercased(buffer[index]))]
                if entries.isEmpty { continue }
                for (keyword, rule) in entries where !applicable[rule] && index + keyword.count <= count {
                    var offset = 1
                    while offset < keyword.count, lowercased(buffer[index + offset]) == keyword[offset] { offset += 1 }
                    if offset == keyword.count { applicable[rule] = true }
                }
            }
        }
        return applicable
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    /// Kept for callers that only want URL credentials masked (remote names).
    package static func redactURLCredentials(_ text: String) -> String { redact(text) }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}

/// The text a rule scans: its bytes and an ASCII-lowercased copy for case-insensitive anchors.
private struct Text {
    let bytes: [UInt8]
    let lower: [UInt8]
    var count: Int { bytes.count }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        lower = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    func lowerContains(_ needle: String) -> Bool {
        var found = false
        forEach(Array(needle.utf8), in: lower) { _ in found = true; return false }
        return found
    }

    /// Calls `body` with the start of each occurrence of `needle` in `haystack`, until it returns false.
    func forEach(_ needle: [UInt8], in haystack: [UInt8], _ body: (Int) -> Bool) {
        guard let first = needle.first, haystack.count >= needle.count else { return }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matches = true
                var offset = 1
                while offset < needle.count {
                    if haystack[index + offset] != needle[offset] { matches = false; break }
                    offset += 1
                }
                if matches {
                    if !body(index) { return }
                    index += needle.count
                    continue
                }
            }
            index += 1
        }
    }

    func byte(_ index: Int) -> UInt8? { index >= 0 && index < count ? bytes[index] : nil }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    static func isQuote(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x27 }
    static func isIdentifier(_ byte: UInt8) -> Bool { Redactor.isAlphanumeric(byte) || byte == 0x5F || byte == 0x2D }
    /// Where an unquoted shell word ends.
    static func endsWord(_ byte: UInt8) -> Bool {
        isSpace(byte) || isQuote(byte) || byte == 0x3B || byte == 0x26 || byte == 0x7C || byte == 0x60 || byte == 0x29 || byte == 0x3C || byte == 0x3E
    }

    /// The value that starts at `start`: inside its quotes when quoted (an unclosed quote runs to the
    /// end of the line), else up to the end of the shell word.
    func value(at start: Int) -> Range<Int>? {
        guard start < count else { return nil }
        let first = bytes[start]
        if Self.isQuote(first) {
            var end = start + 1
            while end < count, bytes[end] != first, bytes[end] != 0x0A {
                if first == 0x22, bytes[end] == 0x5C, end + 1 < count { end += 2; continue }
                end += 1
            }
            return (start + 1)..<min(end, count)
        }
        var end = start
        while end < count, !Self.endsWord(bytes[end]) { end += 1 }
        return end > start ? start..<end : nil
    }

    /// The command segment (between `\n ; | &` and the next) around `index`, as a range.
    func segments() -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for index in 0..<count where bytes[index] == 0x0A || bytes[index] == 0x3B || bytes[index] == 0x7C || bytes[index] == 0x26 {
            if index > start { result.append(start..<index) }
            start = index + 1
        }
        if count > start { result.append(start..<count) }
        return result
    }

    func segmentRuns(_ segment: Range<Int>, _ commands: [[UInt8]]) -> Bool {
        let slice = lower[segment]
        for command in commands {
            var index = segment.lowerBound
            let last = segment.upperBound - command.count
            while index <= last {
                if slice[index] == command[0], slice[index..<(index + command.count)].elementsEqual(command) {
                    let before = index > segment.lowerBound ? lower[index - 1] : 0x20
                    let after = index + command.count < segment.upperBound ? lower[index + command.count] : 0x20
                    if !Self.isIdentifier(before), !Self.isIdentifier(after) { return true }
                }
                index += 1
            }
        }
        return false
    }

    func find(_ shape: Redactor.Shape, into ranges: inout [Range<Int>]) {
        switch shape {
        case .token(let prefix, let body, let minimum):
            let needle = Array(prefix.utf8)
            forEach(needle, in: bytes) { start in
                if let previous = byte(start - 1), Redactor.isAlphanumeric(previous) { return true }
                var end = start + needle.count
                while end < count, body.contains(bytes[end]) { end += 1 }
                if end - start - needle.count >= minimum { ranges.append(start..<end) }
                return true
            }

        case .jsonWebToken:
            forEach(Array("eyJ".utf8), in: bytes) { start in
                if let previous = byte(start - 1), Redactor.isAlphanumeric(previous) { return true }
                var end = start
                var parts = [0]
                while end < count {
                    let current = bytes[end]
                    if Redactor.ByteClass.word.contains(current) { parts[parts.count - 1] += 1 } else if current == 0x2E, parts.count < 3 { parts.append(0) } else { break }
                    end += 1
                }
                if parts.count == 3, parts[0] >= 10, parts[1] >= 4 { ranges.append(start..<end) }
                return true
            }

        case .privateKeyBlock:
            var resumeAt = 0
            forEach(Array("-----begin ".utf8), in: lower) { start in
                guard start >= resumeAt else { return true }
                // The header line: `-----BEGIN … PRIVATE KEY-----`.
                var headerEnd = start + 11
                let headerLimit = min(count, start + 100)
                while headerEnd + 5 <= headerLimit, !lower[headerEnd..<(headerEnd + 5)].elementsEqual("-----".utf8), lower[headerEnd] != 0x0A { headerEnd += 1 }
                guard headerEnd + 5 <= headerLimit, lower[headerEnd] != 0x0A, lower[(start + 11)..<headerEnd].suffix(11).elementsEqual("private key".utf8) else { return true }
                var end = count
                var search = headerEnd + 5
                while search + 9 <= count {
                    if lower[search] == 0x2D, lower[search..<(search + 9)].elementsEqual("-----end ".utf8) {
                        var close = search + 9
                        while close + 5 <= count, !lower[close..<(close + 5)].elementsEqual("-----".utf8), lower[close] != 0x0A { close += 1 }
                        end = close + 5 <= count && lower[close] != 0x0A ? close + 5 : close
                        break
                    }
                    search += 1
                }
                ranges.append(start..<end)
                resumeAt = end
                return end < count
            }

        case .urlUserInfo:
            forEach(Array("://".utf8), in: bytes) { start in
                let authority = start + 3
                var end = authority
                var at: Int?
                while end < count {
                    let current = bytes[end]
                    if current == 0x2F || current == 0x3F || current == 0x23 || Self.isSpace(current) || Self.isQuote(current) { break }
                    if current == 0x40 { at = end }
                    end += 1
                }
                if let at, at > authority { ranges.append(authority..<at) }
                return true
            }

        case .urlPathAfter(let prefix):
            forEach(Array(prefix.utf8), in: lower) { start in
                let from = start + prefix.utf8.count
                var end = from
                while end < count, !Self.isSpace(bytes[end]), !Self.isQuote(bytes[end]), bytes[end] != 0x3F, bytes[end] != 0x23 { end += 1 }
                if end > from { ranges.append(from..<end) }
                return true
            }

        case .header(let names):
            for name in names {
                forEach(Array((name + ":").utf8), in: lower) { start in
                    if let previous = byte(start - 1), Self.isIdentifier(previous) { return true }
                    var from = start + name.utf8.count + 1
                    while from < count, Self.isBlank(bytes[from]) { from += 1 }
                    // Past an auth scheme word: `Bearer xyz` keeps `Bearer`.
                    for scheme in ["bearer", "basic", "token", "digest", "bot", "apikey"] {
                        let word = Array(scheme.utf8)
                        if from + word.count < count, lower[from..<(from + word.count)].elementsEqual(word), Self.isBlank(bytes[from + word.count]) {
                            from += word.count
                            while from < count, Self.isBlank(bytes[from]) { from += 1 }
                            break
                        }
                    }
                    var end = from
                    if name == "cookie" {
                        while end < count, bytes[end] != 0x0A, bytes[end] != 0x0D, !Self.isQuote(bytes[end]) { end += 1 }
                    } else {
                        while end < count, !Self.isSpace(bytes[end]), !Self.isQuote(bytes[end]) { end += 1 }
                    }
                    if end > from { ranges.append(from..<end) }
                    return true
                }
            }

        case .schemeCredential(let words, let minimum):
            for word in words {
                forEach(Array(word.utf8), in: bytes) { start in
                    if let previous = byte(start - 1), Redactor.isAlphanumeric(previous) { return true }
                    let from = start + word.utf8.count
                    var end = from
                    while end < count, Redactor.ByteClass.credential.contains(bytes[end]) { end += 1 }
                    if end - from >= minimum { ranges.append(from..<end) }
                    return true
                }
            }

        case .assignment(let suffixes):
            let upperSuffixes = suffixes.map { Array($0.utf8) }
            for equals in 0..<count where bytes[equals] == 0x3D {
                var nameStart = equals
                while nameStart > 0, Self.isIdentifier(bytes[nameStart - 1]) || bytes[nameStart - 1] == 0x2E { nameStart -= 1 }
                guard nameStart < equals, byte(equals + 1) != 0x3D, byte(equals - 1) != 0x3D else { continue }
                let name = lower[nameStart..<equals].map { $0 == 0x2D ? 0x5F : ($0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0) }
                guard upperSuffixes.contains(where: { name.count >= $0.count && name[(name.count - $0.count)...].elementsEqual($0) }) else { continue }
                if let value = value(at: equals + 1), !value.isEmpty { ranges.append(value) }
            }

        case .quotedKey(let suffixes):
            for suffix in suffixes {
                forEach(Array(suffix.utf8), in: lower) { start in
                    var index = start + suffix.utf8.count
                    guard let quote = byte(index), Self.isQuote(quote) else { return true }
                    // The key must open with the same quote, with identifier bytes between.
                    var keyStart = start
                    while keyStart > 0, Self.isIdentifier(bytes[keyStart - 1]) || bytes[keyStart - 1] == 0x2E { keyStart -= 1 }
                    guard keyStart > 0, bytes[keyStart - 1] == quote else { return true }
                    index += 1
                    while index < count, Self.isBlank(bytes[index]) { index += 1 }
                    guard index < count, bytes[index] == 0x3A || bytes[index] == 0x3D else { return true }
                    index += 1
                    while index < count, Self.isBlank(bytes[index]) { index += 1 }
                    guard index < count, Self.isQuote(bytes[index]) else { return true }
                    let open = bytes[index]
                    var end = index + 1
                    while end < count, bytes[end] != open, bytes[end] != 0x0A {
                        if bytes[end] == 0x5C, end + 1 < count { end += 2; continue }
                        end += 1
                    }
                    end = min(end, count)
                    if end > index + 1 { ranges.append((index + 1)..<end) }
                    return true
                }
            }

        case .longFlag(let suffixes):
            let wanted = suffixes.map { Array($0.utf8) }
            forEach(Array("--".utf8), in: bytes) { start in
                if let previous = byte(start - 1), !Self.isSpace(previous), !Self.isQuote(previous) { return true }
                var nameEnd = start + 2
                while nameEnd < count, Self.isIdentifier(lower[nameEnd]) { nameEnd += 1 }
                let name = lower[(start + 2)..<nameEnd]
                guard wanted.contains(where: { name.count >= $0.count && name[(nameEnd - $0.count)...].elementsEqual($0) }) else { return true }
                var from = nameEnd
                if from < count, bytes[from] == 0x3D {
                    from += 1
                } else {
                    guard from < count, Self.isBlank(bytes[from]) else { return true }
                    while from < count, Self.isBlank(bytes[from]) { from += 1 }
                    guard from < count, bytes[from] != 0x2D else { return true }
                }
                if let value = value(at: from), !value.isEmpty { ranges.append(value) }
                return true
            }

        case .shortFlag(let flag, let commands, let attachedOnly):
            let commandBytes = commands.map { Array($0.utf8) }
            let flagBytes = Array(flag.utf8)
            for segment in segments() where segmentRuns(segment, commandBytes) {
                var index = segment.lowerBound
                while index + flagBytes.count <= segment.upperBound {
                    defer { index += 1 }
                    guard bytes[index..<(index + flagBytes.count)].elementsEqual(flagBytes),
                        index == segment.lowerBound || Self.isBlank(bytes[index - 1]) else { continue }
                    let after = index + flagBytes.count
                    guard after < segment.upperBound else { continue }
                    if !Self.isSpace(bytes[after]) {
                        if let value = value(at: after), !value.isEmpty { ranges.append(value) }
                    } else if !attachedOnly {
                        var from = after
                        while from < segment.upperBound, Self.isBlank(bytes[from]) { from += 1 }
                        if from < segment.upperBound, bytes[from] != 0x2D, let value = value(at: from), !value.isEmpty { ranges.append(value) }
                    }
                }
            }

        case .userPasswordFlag(let flags, let commands):
            let commandBytes = commands.map { Array($0.utf8) }
            for segment in segments() where segmentRuns(segment, commandBytes) {
                for flag in flags {
                    let flagBytes = Array(flag.utf8)
                    var index = segment.lowerBound
                    while index + flagBytes.count < segment.upperBound {
                        defer { index += 1 }
                        guard bytes[index..<(index + flagBytes.count)].elementsEqual(flagBytes),
                            index == segment.lowerBound || Self.isBlank(bytes[index - 1]) else { continue }
                        var from = index + flagBytes.count
                        if bytes[from] == 0x3D || Self.isBlank(bytes[from]) {
                            from += 1
                            while from < segment.upperBound, Self.isBlank(bytes[from]) { from += 1 }
                        } else if flag.hasPrefix("--") {
                            continue
                        }
                        guard let value = value(at: from), let colon = bytes[value].firstIndex(of: 0x3A), colon + 1 < value.upperBound else { continue }
                        ranges.append((colon + 1)..<value.upperBound)
                    }
                }
            }

        case .wordThenValue(let words, let context):
            if !context.isEmpty, !context.contains(where: lowerContains) { return }
            for word in words {
                forEach(Array(word.utf8), in: lower) { start in
                    if let previous = byte(start - 1), Self.isIdentifier(previous) { return true }
                    var from = start + word.utf8.count
                    guard from < count, Self.isBlank(bytes[from]) || bytes[from] == 0x3D else { return true }
                    while from < count, Self.isBlank(bytes[from]) { from += 1 }
                    if from < count, bytes[from] == 0x3D {
                        from += 1
                        while from < count, Self.isBlank(bytes[from]) { from += 1 }
                    }
                    if let value = value(at: from), !value.isEmpty { ranges.append(value) }
                    return true
                }
            }
        }
    }
}
