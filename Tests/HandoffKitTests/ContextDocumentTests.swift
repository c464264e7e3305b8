import Testing
@testable import HandoffKit

@Suite("CONTEXT.md")
struct ContextDocumentTests {
    let inputs = ContextDocument.Inputs(trackedPaths: ["Package.swift", "Sources/A/a.swift", "Sources/B/b.swift", "Tests/T.swift"],
                                        commands: ProjectCommands(ecosystem: "swift", build: ["swift", "build"], test: ["swift", "test"]))

    @Test("a new document has the auto blocks filled and an empty corrections section")
    func fresh() {
        let text = ContextDocument.render(existing: nil, inputs: inputs, corrections: [])
        #expect(text.contains("- `Sources/` — 2 files"))
        #expect(text.contains("- `Package.swift`"))
        #expect(text.contains("- build: `swift build`"))
        #expect(ContextDocument.corrections(in: text).isEmpty)
    }

    @Test("regenerating changes only the auto blocks")
    func preserves() {
        let original = ContextDocument.render(existing: nil, inputs: inputs, corrections: ["one"])
        let edited = original.replacingFirstOccurrence(of: "## Notes", with: "## Notes\n\nHand-written, with trailing spaces   \n")
        let regenerated = ContextDocument.render(existing: edited, inputs: .init(trackedPaths: ["x/y"], commands: nil), corrections: [])
        #expect(regenerated.contains("Hand-written, with trailing spaces   \n"))
        #expect(regenerated.contains("- `x/` — 1 file"))
        #expect(!regenerated.contains("Sources/"))
        #expect(regenerated.contains("No build manifest detected"))
        #expect(ContextDocument.corrections(in: regenerated) == ["one"])
    }

    @Test("corrections are appended without duplicates, in order, one line each")
    func corrections() {
        var text = ContextDocument.render(existing: nil, inputs: inputs, corrections: ["Use tabs", "Run make first"])
        text = ContextDocument.render(existing: text, inputs: inputs, corrections: ["use  TABS", "New one\nwith a break", "Run make first"])
        #expect(ContextDocument.corrections(in: text) == ["Use tabs", "Run make first", "New one with a break"])
    }

    @Test("a hand-written file without markers keeps every byte and gains the blocks at the end")
    func handWritten() {
        let mine = "# My notes\n\nKeep this.\n"
        let text = ContextDocument.render(existing: mine, inputs: inputs, corrections: [])
        #expect(text.hasPrefix(mine))
        #expect(text.contains("<!-- handoff:auto:begin structure -->"))
    }

    @Test("the project's commands are detected from manifest and lockfile")
    func detection() throws {
        let sandbox = try Sandbox("detect")
        func detect(_ files: [String: String]) throws -> ProjectCommands? {
            let folder = sandbox.path("p\(files.keys.sorted().joined())".filter { $0.isLetter })
            for (name, text) in files {
                try FileSystem.makeDirectories(folder)
                try FileSystem.writeText(text, to: folder + "/" + name)
            }
            return ProjectDetector.detect(root: folder)
        }
        #expect(try detect(["Package.swift": ""])?.test == ["swift", "test"])
        #expect(try detect(["package.json": #"{"scripts":{"test":"jest"}}"#, "yarn.lock": ""])?.test == ["yarn", "test"])
        #expect(try detect(["package.json": #"{"scripts":{"build":"x"}}"#, "bun.lockb": ""])?.build == ["bun", "run", "build"])
        #expect(try detect(["package.json": "{}"])?.test == nil)
        #expect(try detect(["Cargo.toml": ""])?.lint == ["cargo", "clippy", "--quiet"])
        #expect(try detect(["go.mod": ""])?.test == ["go", "test", "./..."])
        #expect(try detect(["pyproject.toml": "[tool.ruff]\n", "uv.lock": ""])?.lint == ["uv", "run", "ruff", "check", "."])
        #expect(try detect(["Makefile": "all:\n\ttrue\nlint:\n\ttrue\n"])?.lint == ["make", "lint"])
        #expect(try detect(["notes.txt": ""]) == nil)
    }
}

extension String {
    func replacingFirstOccurrence(of target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
