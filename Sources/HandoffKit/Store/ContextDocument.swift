/// `CONTEXT.md`: what a new session should know about the project.
///
/// Section markers (HTML comments, invisible when rendered):
/// - `<!-- handoff:auto:begin NAME -->` … `<!-- handoff:auto:end NAME -->`: regenerated on every
///   `handoff context` / `handoff end`. Edit outside them.
/// - `<!-- handoff:curated:begin NAME -->` … `<!-- handoff:curated:end NAME -->`: yours; never rewritten.
/// - `## Corrections`: one `- ` line per correction; new ones are appended, duplicates skipped.
/// Everything outside the auto blocks is kept byte for byte.
package enum ContextDocument {
    package struct Inputs: Sendable {
        package var trackedPaths: [String]
        package var commands: ProjectCommands?
        package init(trackedPaths: [String], commands: ProjectCommands?) {
            self.trackedPaths = trackedPaths
            self.commands = commands
        }
    }

    static func beginMarker(_ name: String) -> String { "<!-- handoff:auto:begin \(name) -->" }
    static func endMarker(_ name: String) -> String { "<!-- handoff:auto:end \(name) -->" }

    /// The top-level layout from the git index: folders with their file counts, then top-level files.
    package static func structureSection(trackedPaths: [String], limit: Int = 40) -> String {
        var folderCounts: [String: Int] = [:]
        var topFiles: [String] = []
        for path in trackedPaths {
            if let slash = path.firstIndex(of: "/") {
                folderCounts[String(path[..<slash]), default: 0] += 1
            } else {
                topFiles.append(path)
            }
        }
        var lines = ["## Structure", "", "Top level of the \(trackedPaths.count) tracked files (from the git index):", ""]
        let folders = folderCounts.keys.sorted()
        for folder in folders.prefix(limit) {
            let count = folderCounts[folder]!
            lines.append("- `\(folder)/` — \(count) file\(count == 1 ? "" : "s")")
        }
        if folders.count > limit { lines.append("- … and \(folders.count - limit) more folders") }
        for file in topFiles.sorted().prefix(limit) { lines.append("- `\(file)`") }
        if topFiles.count > limit { lines.append("- … and \(topFiles.count - limit) more files") }
        if trackedPaths.isEmpty { lines.append("- (nothing tracked yet)") }
        return lines.joined(separator: "\n")
    }

    package static func invocationSection(commands: ProjectCommands?) -> String {
        var lines = ["## Invocation", ""]
        guard let commands, !commands.isEmpty else {
            lines.append("No build manifest detected (Package.swift, package.json, Cargo.toml, go.mod, pyproject.toml, Makefile).")
            return lines.joined(separator: "\n")
        }
        lines.append("Detected: \(commands.ecosystem).")
        lines.append("")
        func row(_ name: String, _ command: [String]?) {
            lines.append("- \(name): " + (command.map { "`\($0.joined(separator: " "))`" } ?? "(none)"))
        }
        row("build", commands.build)
        row("test", commands.test)
        row("lint", commands.lint)
        return lines.joined(separator: "\n")
    }

    /// Remembered discoveries (`handoff remember`), deduplicated, newest last.
    package static func memorySection(_ memories: [Memory], limit: Int = 60) -> String {
        var lines = ["## Discoveries", ""]
        if memories.isEmpty {
            lines.append("Nothing remembered yet: `handoff remember \"what the next session should know\" --tag area`.")
        } else {
            let shown = memories.suffix(limit)
            if memories.count > limit { lines.append("- … \(memories.count - limit) older ones in .handoff/memory.jsonl") }
            for memory in shown {
                let tags = memory.tags.isEmpty ? "" : " (" + memory.tags.joined(separator: ", ") + ")"
                lines.append("- \(memory.text)\(tags)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static let template = """
        # Project context

        Maintained by handoff. Blocks between `handoff:auto` markers are regenerated; everything else is yours
        and is never rewritten.

        \(beginMarker("structure"))
        \(endMarker("structure"))

        \(beginMarker("invocation"))
        \(endMarker("invocation"))

        \(beginMarker("memory"))
        \(endMarker("memory"))

        <!-- handoff:curated:begin notes -->
        ## Notes

        Conventions, architecture decisions and gotchas worth knowing before touching the code.
        <!-- handoff:curated:end notes -->

        ## Corrections

        """

    /// Regenerates the auto blocks of `existing` (or of a new document) and appends new corrections.
    package static func render(existing: String?, inputs: Inputs, corrections: [String], memories: [Memory] = []) -> String {
        var text = existing ?? template
        text = replaceBlock(in: text, name: "structure", with: structureSection(trackedPaths: inputs.trackedPaths))
        text = replaceBlock(in: text, name: "invocation", with: invocationSection(commands: inputs.commands))
        text = replaceBlock(in: text, name: "memory", with: memorySection(memories))
        return appendCorrections(corrections, to: text)
    }

    /// Only the memory block, for a document that exists (or the template): `handoff remember` needs no repository.
    package static func withMemories(existing: String?, _ memories: [Memory]) -> String {
        replaceBlock(in: existing ?? template, name: "memory", with: memorySection(memories))
    }

    static func replaceBlock(in text: String, name: String, with body: String) -> String {
        let begin = beginMarker(name), end = endMarker(name)
        guard let beginRange = text.firstRange(of: begin),
            let endRange = text[beginRange.upperBound...].firstRange(of: end)
        else {
            // No block yet: add it at the end, so a hand-written file keeps every byte it had.
            let separator = text.isEmpty || text.hasSuffix("\n\n") ? "" : (text.hasSuffix("\n") ? "\n" : "\n\n")
            return text + separator + begin + "\n" + body + "\n" + end + "\n"
        }
        return String(text[..<beginRange.upperBound]) + "\n" + body + "\n" + String(text[endRange.lowerBound...])
    }

    /// The `- ` entries of the `## Corrections` section.
    package static func corrections(in text: String) -> [String] {
        guard let section = correctionsSectionRange(in: text) else { return [] }
        return text[section].split(separator: "\n").compactMap { line in
            let trimmed = String(line).trimmed
            return trimmed.hasPrefix("- ") ? String(trimmed.dropFirst(2)).trimmed : nil
        }
    }

    static func normalise(_ correction: String) -> String {
        correction.trimmed.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func appendCorrections(_ corrections: [String], to text: String) -> String {
        var seen = Set(self.corrections(in: text).map(normalise))
        var additions: [String] = []
        for correction in corrections {
            let flat = correction.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ").trimmed
            guard !flat.isEmpty, seen.insert(normalise(flat)).inserted else { continue }
            additions.append("- \(flat)")
        }
        var text = text
        guard let section = correctionsSectionRange(in: text) else {
            let separator = text.hasSuffix("\n") ? "\n" : "\n\n"
            return text + separator + "## Corrections\n\n" + additions.map { $0 + "\n" }.joined()
        }
        guard !additions.isEmpty else { return text }
        // Insert after the last non-blank line of the section.
        var insertAt = section.upperBound
        let body = text[section]
        if let lastContent = body.lastIndex(where: { !$0.isWhitespace }) {
            insertAt = text.index(after: lastContent)
            let block = "\n" + additions.joined(separator: "\n")
            text.insert(contentsOf: block, at: insertAt)
        } else {
            let prefix = text[..<section.lowerBound].hasSuffix("\n\n") ? "" : "\n"
            text.insert(contentsOf: prefix + additions.joined(separator: "\n") + "\n", at: section.lowerBound)
        }
        return text
    }

    /// The body of `## Corrections`: from after its heading line to the next `## ` heading or marker.
    static func correctionsSectionRange(in text: String) -> Range<String.Index>? {
        guard let heading = text.firstRange(of: "\n## Corrections") ?? (text.hasPrefix("## Corrections") ? text.firstRange(of: "## Corrections") : nil) else { return nil }
        let afterHeading = text[heading.upperBound...].firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
        var end = text.endIndex
        if let next = text[afterHeading...].firstRange(of: "\n## ") { end = text.index(after: next.lowerBound) }
        if let marker = text[afterHeading..<end].firstRange(of: "\n<!-- handoff:") { end = text.index(after: marker.lowerBound) }
        return afterHeading..<end
    }
}

/// Regenerates `.handoff/CONTEXT.md` from the repository.
package enum ContextRegenerator {
    /// Writes CONTEXT.md (atomically) and returns its text.
    @discardableResult
    package static func regenerate(store: HandoffStore, repository: GitRepository, corrections: [String]) throws -> String {
        // An index libgit2 cannot read (a split or sparse index) is listed by git; when neither can,
        // the regeneration fails (CONTEXT.md stays as it was) rather than describe a repository without files.
        let tracked: [String]
        do { tracked = try repository.indexPaths() } catch { tracked = try repository.commandLine.trackedPaths() }
        let commands = ProjectDetector.detect(root: store.layout.worktreeRoot)
        let existing = try? FileSystem.readText(store.layout.contextFile)
        let text = ContextDocument.render(
            existing: existing, inputs: .init(trackedPaths: tracked, commands: commands), corrections: corrections,
            memories: MemoryStore(store: store).all())
        if text != existing { try store.writeFile(text, to: store.layout.contextFile) }
        return text
    }

    /// Rewrites the Discoveries block alone (under the lock: `handoff remember` may run concurrently).
    @discardableResult
    package static func refreshMemories(store: HandoffStore) throws(StoreError) -> String {
        try store.withLock { () throws(StoreError) -> String in
            let existing = try? FileSystem.readText(store.layout.contextFile)
            let text = ContextDocument.withMemories(existing: existing, MemoryStore(store: store).all())
            if text != existing { try store.writeFile(text, to: store.layout.contextFile) }
            return text
        }
    }
}
