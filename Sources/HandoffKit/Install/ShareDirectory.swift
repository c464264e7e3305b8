#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the files that `handoff install` puts in place come from: the Claude Code plugin folder
/// (its `commands/`, `hooks/hooks.json`, `bin/` wrappers, `.mcp.json`), found one way for every
/// kind of install so that an installed `handoff` needs no checkout.
///
/// In order: `$HANDOFF_SHARE_DIR`; `<folder of handoff>/../share/handoff` (the packages' layout:
/// `<prefix>/bin/handoff` beside `<prefix>/share/handoff/`); the checkout a build folder sits in
/// (`<checkout>/.build/…/handoff` finds `<checkout>/hooks/claude`). A folder counts when it holds
/// the plugin's manifest, `.claude-plugin/plugin.json`.
package enum ShareDirectory {
    package static let variable = "HANDOFF_SHARE_DIR"
    static let manifest = ".claude-plugin/plugin.json"
    /// How far up from a build folder the checkout is looked for (`.build/x86_64-unknown-linux-gnu/debug` is 3).
    static let checkoutDepth = 5

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// HANDOFF_SHARE_DIR names a folder without the plugin: it is not silently passed over.
        case variableNotUsable(path: String)
        case notFound(tried: [String])

        package var description: String {
            switch self {
            case .variableNotUsable(let path):
                return "\(variable)=\(path) holds no handoff plugin folder (no \(manifest)); point it at <prefix>/share/handoff, or unset it"
            case .notFound(let tried):
                return "handoff's files (the Claude Code plugin folder with the /handoff:dump and /handoff:handoff-end commands) are not in \(tried.joined(separator: " nor ")); set \(variable) to the folder that holds them (<prefix>/share/handoff)"
            }
        }
    }

    /// The plugin folder for a `handoff` that lives in `executableFolder` (its real path).
    package static func locate(environment: Environment, executableFolder: String) throws(Failure) -> String {
        if let explicit = environment[variable], !explicit.isEmpty {
            let folder = Path.normalize(explicit, relativeTo: FileSystem.currentDirectory())
            guard holdsPlugin(folder) else { throw .variableNotUsable(path: folder) }
            return folder
        }
        let installed = Path.join(Path.join(Path.dirname(executableFolder), "share"), "handoff")
        if holdsPlugin(installed) { return installed }
        var folder = executableFolder
        for _ in 0..<checkoutDepth {
            let parent = Path.dirname(folder)
            if parent == folder { break }
            folder = parent
            let plugin = Path.join(Path.join(folder, "hooks"), "claude")
            if FileSystem.exists(Path.join(folder, "Package.swift")), holdsPlugin(plugin) { return plugin }
        }
        throw .notFound(tried: [installed])
    }

    static func holdsPlugin(_ folder: String) -> Bool {
        FileSystem.exists(Path.join(folder, manifest)) && !FileSystem.isDirectory(Path.join(folder, manifest))
    }
}

/// The handover commands `/handoff:dump` and `/handoff:handoff-end` as user commands: Claude Code
/// names `~/.claude/commands/handoff/dump.md` `/handoff:dump` (the folder is the namespace), the name
/// the plugin gives them, without loading the plugin's hooks a second time. Copied from the plugin
/// folder's `commands/`; a file of that name that is not handoff's is kept as `<name>.pre-handoff`
/// and put back by uninstall.
package enum ClaudeCommands {
    package static let names = ["dump.md", "handoff-end.md"]
    static let backupSuffix = ".pre-handoff"
    /// A command file is a page of prompt: more is not one of ours.
    static let sizeCap = 256 * 1024

    package static func folder(home: String) -> String { Path.join(home, ".claude/commands/handoff") }

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case source(SystemError)
        case io(SystemError)

        package var description: String {
            switch self {
            case .source(let error): return "\(error); reinstall handoff's package (its share/handoff/commands/ is damaged) or set HANDOFF_SHARE_DIR"
            case .io(let error): return "\(error); check the folder's permissions and run the command again"
            }
        }
    }

    /// Lines saying what changed (or would, in a dry run).
    package static func install(shareDirectory: String, home: String, dryRun: Bool) throws(Failure) -> [String] {
        let target = folder(home: home)
        var lines: [String] = []
        for name in names {
            let source: [UInt8]
            do { source = try FileSystem.readBytes(Path.join(Path.join(shareDirectory, "commands"), name), limit: sizeCap) } catch { throw .source(error) }
            let destination = Path.join(target, name)
            let existing = try? FileSystem.readBytes(destination, limit: sizeCap)  // absent, unreadable or too large: replaced below
            if existing == source { continue }
            if dryRun {
                lines.append(existing == nil ? "would install \(destination)" : "would replace \(destination), keeping it as \(name)\(backupSuffix)")
                continue
            }
            do {
                try FileSystem.makeDirectories(target)
                if FileSystem.exists(destination) || FileSystem.isSymlink(destination) {
                    if !FileSystem.exists(destination + backupSuffix) {
                        try FileSystem.move(destination, to: destination + backupSuffix)
                        lines.append("kept the existing \(destination) as \(name)\(backupSuffix) (uninstall puts it back)")
                    }
                }
                try FileSystem.writeAtomically(source, to: destination, mode: 0o644)
            } catch {
                throw .io(error)
            }
            lines.append("installed \(destination) (/handoff:\(name.dropLast(3)))")
        }
        return lines.isEmpty ? ["/handoff:dump and /handoff:handoff-end already installed in \(target)"] : lines
    }

    /// Removes handoff's command files (those equal to the plugin folder's, when it is found; by
    /// name otherwise), puts back what they replaced, and removes the folders left empty.
    package static func uninstall(shareDirectory: String?, home: String, dryRun: Bool) -> [String] {
        let target = folder(home: home)
        var lines: [String] = []
        for name in names {
            let destination = Path.join(target, name)
            guard FileSystem.exists(destination) else { continue }
            if let shareDirectory, let ours = try? FileSystem.readBytes(Path.join(Path.join(shareDirectory, "commands"), name), limit: sizeCap),
                (try? FileSystem.readBytes(destination, limit: sizeCap)) != ours
            {
                lines.append("kept \(destination): it is not handoff's (or was changed since install); remove it yourself if it is not wanted")
                continue
            }
            if dryRun { lines.append("would remove \(destination)"); continue }
            FileSystem.remove(destination)
            lines.append("removed \(destination)")
            if FileSystem.exists(destination + backupSuffix), (try? FileSystem.move(destination + backupSuffix, to: destination)) != nil {
                lines.append("restored \(destination)")
            }
        }
        if !dryRun {
            // Only folders left empty go (rmdir refuses the others): ~/.claude/commands/handoff, then its parents.
            for folder in [target, Path.dirname(target), Path.dirname(Path.dirname(target))] {
                if rmdir(folder) != 0 { break }
            }
        }
        return lines
    }
}
