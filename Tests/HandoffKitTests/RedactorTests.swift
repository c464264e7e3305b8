import Testing
@testable import HandoffKit

@Suite("Secret redaction")
struct RedactorTests {
    @Test("secrets are removed", arguments: [
        ("aws s3 ls --key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/x/y", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("export GITHUB_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABCDEFG0123456789"),
        ("curl -H 'PRIVATE-TOKEN: glpat-abcdefghijklmnopqrst' https://gitlab.example", "glpat-abcdefghijklmnopqrst"),
        ("curl -H \"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig\" https://api", "eyJhbGciOiJIUzI1NiJ9"),
        ("curl -H 'x-api-key: abcdef123456' https://api", "abcdef123456"),
        ("git push https://alice:s3cr3tpass@example.com/repo.git", "s3cr3tpass"),
        ("DEPLOY_TOKEN=abc123xyz ./deploy.sh", "abc123xyz"),
        ("AWS_SECRET=wJalrXUtnFEMI/K7MDENG ./x", "wJalrXUtnFEMI/K7MDENG"),
        ("PASSWORD='hunter2 with spaces' make db", "hunter2 with spaces"),
        ("db_password=\"pa55\" run", "pa55"),
        ("ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz claude", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"),
        ("echo sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"),
        ("OPENAI key sk-proj-abcdefghijklmnopqrstuvwxyz012345", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"),
        ("cat <<EOF\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nEOF", "MIIEowIBAAKCAQEA"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", "b3BlbnNzaC1rZXk"),
        // A key after a certificate (a PEM bundle), and a second key after the first.
        ("printf '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nKEYMATERIAL1\n-----END RSA PRIVATE KEY-----' > b.pem",
         "KEYMATERIAL1"),
        ("-----BEGIN EC PRIVATE KEY-----\nA1\n-----END EC PRIVATE KEY-----\n-----BEGIN PRIVATE KEY-----\nKEYMATERIAL2\n-----END PRIVATE KEY-----",
         "KEYMATERIAL2"),
    ])
    func removed(_ pair: (String, String)) {
        let redacted = Redactor.redact(pair.0)
        #expect(!redacted.contains(pair.1), "\(redacted)")
        #expect(redacted.contains(Redactor.mask))
    }

    /// One test case per example in the rule table: the secret, and only the secret, becomes the mask.
    static let ruleExamples: [(rule: String, text: String, secret: String)] = Redactor.rules.flatMap { rule in
        rule.examples.map { (rule.id, $0.text, $0.secret) }
    }

    @Test("every example of every rule redacts exactly its secret", arguments: ruleExamples.indices)
    func ruleTable(_ index: Int) throws {
        let example = Self.ruleExamples[index]
        let range = try #require(example.text.firstRange(of: example.secret), "rule \(example.rule): the secret is not in its example")
        var expected = example.text
        expected.replaceSubrange(range, with: Redactor.mask)
        #expect(Redactor.redact(example.text) == expected, "rule \(example.rule)")
    }

    @Test("the table covers the shapes found leaking")
    func coverage() {
        let ids = Set(Redactor.rules.map(\.id))
        for id in ["stripe-live-secret", "stripe-live-restricted", "jwt", "mysql-password", "secret-flag", "curl-user", "netrc-password",
                   "npm", "google-api-key", "login-password", "secret-assignment", "sendgrid", "secret-json-key", "aws-cli-secret",
                   "slack-app-level", "slack-webhook", "http-auth-header"] {
            #expect(ids.contains(id), "no rule \(id)")
        }
        #expect(ids.count == Redactor.rules.count, "rule ids are unique")
        for rule in Redactor.rules { #expect(!rule.examples.isEmpty, "rule \(rule.id) has no example") }
    }

    /// The header bug: a header value was masked twice over (`x-api-key:` and `api-key:`), leaving
    /// `[REDACTED]DACTED]`, and the mask ran on to eat the URL after an unquoted header.
    @Test("a header's mask never corrupts or eats the text around it")
    func headerNeighbours() {
        #expect(Redactor.redact("curl -H 'X-Api-Key: abc123' https://api.example/x")
                == "curl -H 'X-Api-Key: [REDACTED]' https://api.example/x")
        #expect(Redactor.redact("curl -H X-Api-Key:abc123 https://api.example/x") == "curl -H X-Api-Key:[REDACTED] https://api.example/x")
        #expect(Redactor.redact("Authorization: Bearer abcdefgh123 and more") == "Authorization: Bearer [REDACTED] and more")
    }

    @Test("JSON values are redacted string by string, keys and structure kept")
    func json() {
        let value: JSONValue = ["done": [["subject": "Rotate key ghp_abcdefghijklmnopqrstuvwxyz0123"]], "count": 2]
        let redacted = Redactor.redact(value)
        #expect(redacted["done"]?.arrayValue?.first?["subject"]?.stringValue == "Rotate key [REDACTED]")
        #expect(redacted["count"]?.intValue == 2)
    }

    @Test("ordinary commands are kept as they are", arguments: [
        "swift test --filter StoreTests",
        "git commit -m 'Fix the token parser for sk-like prefixes'",
        "npm run build && npm test",
        "grep -rn PASSWORD_MIN_LENGTH Sources/",
        "ls -la /tmp && cat README.md | head -n 20",
        "git push origin main",
        "curl https://example.com/api/v1/items?page=2",
        "export PATH=/usr/local/bin:$PATH",
        "make TOKENIZER=fast",
        "python3 -c 'print(1+1)'",
        "echo task-1234 ask-me skeleton",
        "mkdir -p build && swift build -c release",
        "git push -u origin main",
        "ssh -p 2222 deploy@host.example",
        "docker run -p 8080:80 nginx",
        "git add -p Sources/",
        "mysql -u root -p app_db",
        "docker login --password-stdin registry.example < token.txt",
        "psql --password",
        "git log --format='%an <%ae>' -- Sources/Auth/Password.swift",
        "cat ~/.ssh/id_ed25519.pub",
        "jq '.items[] | select(.id == 3)' data.json",
    ])
    func kept(_ command: String) {
        #expect(Redactor.redact(command) == command)
    }

    /// Many secrets in one long command: each is masked, the text between them kept byte for byte.
    @Test("every one of many secrets in a long command is masked, the rest kept")
    func manySecrets() {
        let pieces = (0..<5_000).map { index in
            "step\(index) ghp_\(String(repeating: "a", count: 30))\(index) Bearer tok\(index)abcdefgh "
                + "AKIA\(String(repeating: "B", count: 16)) sk-ant-\(String(repeating: "c", count: 24)) ok;"
        }
        let redacted = Redactor.redact(pieces.joined(separator: "\n"))
        let expected = (0..<5_000).map { index in
            "step\(index) \(Redactor.mask) Bearer \(Redactor.mask) \(Redactor.mask) \(Redactor.mask) ok;"
        }.joined(separator: "\n")
        #expect(redacted == expected)
    }
}

/// The redactor sits at the store's boundary: whatever reaches `.handoff/` passed it, whichever
/// hook or command wrote it.
@Suite("Secret redaction at the store boundary")
struct RedactionBoundaryTests {
    let stripe = "sk_live_51HabcdefGHIJKLmnopQRS"
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"
    let npm = "npm_abcdefghijklmnopqrstuvwxyz0123456789"

    /// Every byte of every file in the store.
    func storeText(_ repo: AgentRepo) -> String {
        let directory = repo.store.layout.directory
        var text = ""
        for folder in [directory, repo.store.layout.sessionsDirectory, repo.store.layout.runtimeDirectory] {
            for name in FileSystem.list(folder) where !FileSystem.isDirectory(Path.join(folder, name)) {
                text += (try? FileSystem.readText(Path.join(folder, name))) ?? ""
            }
        }
        return text
    }

    @Test("commands, commit subjects, reflections, states and CONTEXT.md are redacted in every file")
    func everyFile() throws {
        let repo = try AgentRepo()
        try repo.addPushedOrigin()
        let session = "sess-secrets"
        repo.sessionStart(session)
        repo.bash(session, "curl -u alice:hunter2pass https://api.example -H 'Authorization: Bearer \(jwt)' && stripe login --api-key \(stripe)")
        repo.bash(session, "mysql -u root -pHunter2Db app", exitCode: 1)
        try repo.commitFile("a.txt", "a\n", message: "Set token \(npm) for the registry")
        _ = PostCommitHook.run(HookInput(environment: Environment(["HANDOFF_SESSION_ID": session]), workingDirectory: repo.root))
        try repo.git("push", "-q")
        let reflection = """
            ## Framework Reflection
            **Outcome**: success
            **Accomplishments**: rotated the key \(stripe)
            **Friction points**: the old JWT \(jwt) was still cached
            **Next step**: none
            """
        #expect(GateAnswer(repo.stop(session, message: reflection)) == .allow)
        _ = try ContextRegenerator.regenerate(store: repo.store, repository: GitRepository.open(at: repo.root, environment: Environment([:])),
                                           corrections: ["the staging key is \(stripe)"])
        #expect(try FileSystem.readText(repo.store.layout.contextFile).contains("the staging key is [REDACTED]"))

        let text = storeText(repo)
        #expect(text.contains("hunter2pass") == false)
        #expect(text.contains("Hunter2Db") == false)
        #expect(text.contains(stripe) == false)
        #expect(text.contains(jwt) == false)
        #expect(text.contains(npm) == false)
        #expect(text.contains(Redactor.mask))
        // What was recorded around the secrets is still there.
        #expect(text.contains("Set token [REDACTED] for the registry"))
        #expect(try FileSystem.readText(Path.join(repo.store.layout.sessionsDirectory, "\(session).reflection.md")).contains("rotated the key [REDACTED]"))
        #expect(try repo.state().done.contains { $0.description.contains("[REDACTED]") })
    }
}
