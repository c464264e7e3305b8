/// How to build, test and lint a project, as detected from its manifest and lockfile.
package struct ProjectCommands: Sendable, Equatable {
    package var ecosystem: String
    /// Each an argument vector (run without a shell), nil when the project has no such step.
    package var build: [String]?
    package var test: [String]?
    package var lint: [String]?

    package init(ecosystem: String, build: [String]? = nil, test: [String]? = nil, lint: [String]? = nil) {
        self.ecosystem = ecosystem
        self.build = build
        self.test = test
        self.lint = lint
    }

    package var isEmpty: Bool { build == nil && test == nil && lint == nil }
}

/// Detects the project's build/test/lint commands from files at the worktree root.
/// The first manifest found wins, in the order below (a Makefile last: it often wraps the others).
package enum ProjectDetector {
    package static func detect(root: String) -> ProjectCommands? {
        func has(_ name: String) -> Bool { FileSystem.exists(Path.join(root, name)) }
        // An unreadable manifest detects no command for it; `handoff end` then shows that check as n/a, not as passed.
        func read(_ name: String) -> String { (try? FileSystem.readText(Path.join(root, name))) ?? "" }

        if has("Package.swift") {
            return ProjectCommands(ecosystem: "swift", build: ["swift", "build"], test: ["swift", "test"],
                                   lint: has(".swiftlint.yml") ? ["swiftlint", "lint", "--quiet"] : nil)
        }
        if has("package.json") {
            let manager: String
            if has("pnpm-lock.yaml") { manager = "pnpm" }
            else if has("yarn.lock") { manager = "yarn" }
            else if has("bun.lockb") || has("bun.lock") { manager = "bun" }
            else { manager = "npm" }
            let scripts = (try? JSONValue.parse(read("package.json")))?["scripts"]?.objectValue ?? JSONObject()
            func script(_ name: String) -> [String]? {
                guard scripts[name] != nil else { return nil }
                if name == "test" && manager != "bun" { return [manager, "test"] }
                return [manager, "run", name]
            }
            return ProjectCommands(ecosystem: "node (\(manager))", build: script("build"), test: script("test"), lint: script("lint"))
        }
        if has("Cargo.toml") {
            return ProjectCommands(ecosystem: "rust", build: ["cargo", "build"], test: ["cargo", "test"], lint: ["cargo", "clippy", "--quiet"])
        }
        if has("go.mod") {
            return ProjectCommands(ecosystem: "go", build: ["go", "build", "./..."], test: ["go", "test", "./..."], lint: ["go", "vet", "./..."])
        }
        if has("pyproject.toml") || has("uv.lock") {
            let pyproject = read("pyproject.toml")
            let runner: [String] = has("uv.lock") ? ["uv", "run"] : (has("poetry.lock") ? ["poetry", "run"] : [])
            let lint: [String]? = pyproject.contains("[tool.ruff") ? runner + ["ruff", "check", "."] : nil
            return ProjectCommands(ecosystem: has("uv.lock") ? "python (uv)" : "python", build: nil,
                                   test: runner + ["python3", "-m", "pytest", "-q"], lint: lint)
        }
        if has("Makefile") || has("makefile") || has("GNUmakefile") {
            let makefile = read(has("Makefile") ? "Makefile" : (has("makefile") ? "makefile" : "GNUmakefile"))
            func target(_ name: String) -> Bool {
                makefile.split(separator: "\n").contains { $0.hasPrefix("\(name):") || $0.hasPrefix("\(name) :") }
            }
            return ProjectCommands(ecosystem: "make", build: ["make"], test: target("test") ? ["make", "test"] : (target("check") ? ["make", "check"] : nil),
                                   lint: target("lint") ? ["make", "lint"] : nil)
        }
        return nil
    }
}
