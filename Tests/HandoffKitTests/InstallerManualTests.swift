import Foundation
import HandoffKit
import Testing

/// The manual pages and shell completions that `install.sh` puts where man, bash-completion, zsh and
/// fish look, in a scratch HOME with the default prefix (~/.local), and removes again.
@Suite struct InstallerManualTests {
    /// The harness's environment without PREFIX, XDG or bash-completion overrides: the defaults a
    /// new user has.
    func defaultEnvironment(_ h: InstallerHarness) -> [String: String] {
        var environment = h.environment
        for key in ["PREFIX", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "BASH_COMPLETION_USER_DIR", "MANPATH"] { environment[key] = nil }
        environment["PATH"] = h.sandbox.home + "/.local/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    func run(_ h: InstallerHarness, _ arguments: [String], environment: [String: String]) throws -> GitProcess.Result {
        try GitProcess.run("/bin/bash", [InstallerHarness.script, "--from-build", try HookProducts.directory(), "--no-proof"] + arguments,
                           in: h.work, environment: environment)
    }

    @Test func manualPagesAndCompletionsAreInstalledInTheUsersFoldersAndRemoved() throws {
        let h = try InstallerHarness("inst-manual")
        let environment = defaultEnvironment(h)
        let home = h.sandbox.home
        let before = TreeSnapshot(h.sandbox.root)

        let install = try run(h, [], environment: environment)
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        let man1 = home + "/.local/share/man/man1"
        let bash = home + "/.local/share/bash-completion/completions/handoff"
        let zsh = home + "/.local/share/zsh/site-functions/_handoff"
        let fish = home + "/.config/fish/completions/handoff.fish"

        // A page per command, each the parser's rendering of that command.
        let pages = Set((try? FileManager.default.contentsOfDirectory(atPath: man1)) ?? [])
        for page in ["handoff.1", "handoff.timeline.1", "handoff.events.1", "handoff.task.add.1"] {
            #expect(pages.contains(page), "\(page) not installed in \(man1): \(pages.sorted())")
        }
        let root = try String(contentsOfFile: man1 + "/handoff.1", encoding: .utf8)
        #expect(root.contains(".Dt HANDOFF 1"))
        // man finds the page through PATH (~/.local/bin → ~/.local/share/man), with no MANPATH set.
        let located = try GitProcess.run("/usr/bin/env", ["man", "-w", "handoff"], in: h.work, environment: environment)
        #expect(located.status == 0, "man does not find the page: \(located.stderr)")
        #expect(located.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == man1 + "/handoff.1")
        let rendered = try GitProcess.run("/usr/bin/env", ["man", "-P", "cat", "handoff.timeline"], in: h.work,
                                          environment: environment.merging(["MANWIDTH": "80"]) { $1 })
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout.contains("time axis"), "\(rendered.stdout.prefix(400))")

        // The completion scripts are the installed handoff's own, and bash completes with them.
        for (shell, file) in [("bash", bash), ("zsh", zsh), ("fish", fish)] {
            let generated = try GitProcess.run(home + "/.local/bin/handoff", ["--generate-completion-script", shell], in: h.work, environment: environment)
            #expect(!generated.stdout.isEmpty)
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == generated.stdout, "\(file) is not the \(shell) script handoff generates")
        }
        #expect(try String(contentsOfFile: zsh, encoding: .utf8).hasPrefix("#compdef handoff"))
        let completion = try GitProcess.run("/bin/bash", ["-c", """
            source "$1"
            COMP_WORDS=(handoff ti); COMP_CWORD=1; COMP_LINE="handoff ti"; COMP_POINT=${#COMP_LINE}
            $(complete -p handoff | sed 's/.*-F \\([^ ]*\\).*/\\1/') handoff ti handoff
            printf '%s\\n' "${COMPREPLY[@]}"
            """, "bash", bash], in: h.work, environment: environment)
        #expect(completion.stdout.split(separator: "\n").contains("timeline"), "bash completion of `handoff ti`: \(completion.stdout) \(completion.stderr)")

        // A second run changes nothing; uninstall removes every page, script and folder it made.
        let second = try run(h, [], environment: environment)
        #expect(second.stdout.contains("Nothing changed"), "\(second.stdout)")
        let removal = try GitProcess.run("/bin/bash", [InstallerHarness.script, "--uninstall"], in: h.work, environment: environment)
        #expect(removal.status == 0, "\(removal.stdout)\(removal.stderr)")
        let after = TreeSnapshot(h.sandbox.root)
        #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
    }

    @Test func anotherPrefixGetsThemUnderItsShareFolder() throws {
        let h = try InstallerHarness("inst-manual-prefix")
        let install = try h.install(["--no-proof"])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        for path in ["/share/man/man1/handoff.1", "/share/bash-completion/completions/handoff", "/share/zsh/site-functions/_handoff",
                     "/share/fish/vendor_completions.d/handoff.fish"] {
            #expect(FileManager.default.fileExists(atPath: h.prefix + path), "\(path) not installed under the prefix")
        }
        #expect(!FileManager.default.fileExists(atPath: h.sandbox.home + "/.local"), "nothing goes to ~/.local with another prefix")
    }
}
