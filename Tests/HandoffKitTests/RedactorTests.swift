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
