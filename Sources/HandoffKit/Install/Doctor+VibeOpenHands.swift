/// `handoff doctor`'s checks of Mistral Vibe and OpenHands: handoff's hooks registered where each
/// agent reads them for this repository, runnable, with the skills; Vibe's project file needs a
/// trusted folder, and OpenHands reads one file only, so a project file without handoff's entries
/// hides a user install.
extension Doctor {
    func checkVibeHooks(root: String?) -> [Check] {
        let id = "vibe-hooks"
        guard let home = try? VibeHooks.vibeHome(environment: environment) else { return [] }  // No home: no Vibe to check.
        let realRoot = root.map { FileSystem.realPath($0) ?? $0 }
        var files: [(VibeHooks.Scope, String)] = [(.user, VibeHooks.hooksPath(scope: .user, vibeHome: home, projectRoot: nil))]
        if let realRoot { files.append((.project, VibeHooks.hooksPath(scope: .project, vibeHome: home, projectRoot: realRoot))) }
        let found = files.map { ($0.0, VibeHooks.inspect(hooksAt: $0.1, environment: environment)) }
        // No Vibe here and nothing registered: nothing to check.
        guard FileSystem.isDirectory(home) || found.contains(where: { $0.1.registered }) else { return [] }
        var checks: [Check] = []
        for (scope, inspection) in found where inspection.registered || inspection.problem != nil {
            let flag = scope == .project ? " --scope project" : ""
            let skills = CodexSkills.skills.map(\.name).filter { !FileSystem.exists(CodexSkills.path(codexHome: home, name: $0)) }
            if let problem = inspection.problem {
                checks.append(Check(id: id, status: .fail, detail: problem, fix: "handoff install --vibe\(flag)"))
            } else if let program = inspection.brokenProgram {
                checks.append(Check(id: id, status: .fail, detail: "\(inspection.path) runs \(program), which is missing or not executable",
                                    fix: "handoff install --vibe\(flag) (rewrites handoff's block with this installation's path)"))
            } else if !skills.isEmpty {
                checks.append(Check(id: id, status: .warn, detail: "registered in \(inspection.path), but the skills \(skills.map { "/" + $0 }.joined(separator: ", ")) are missing",
                                    fix: "handoff install --vibe\(flag)"))
            } else {
                let trust = scope == .project ? " (Vibe reads it only when you trust the folder: its prompt, or `vibe --trust`)" : ""
                checks.append(Check(id: id, status: .pass, detail: "registered for the \(scope.rawValue) in \(inspection.path)\(trust), with the /handoff-dump and /handoff-end skills", fix: ""))
            }
        }
        if checks.isEmpty {
            checks.append(Check(id: id, status: .warn, detail: "Mistral Vibe is set up here (\(home)) but handoff's hooks are not registered for it",
                                fix: "handoff install --vibe (or --scope project) if you use Vibe with this repository"))
        }
        return checks
    }

    func checkOpenHandsHooks(root: String?) -> [Check] {
        let id = "openhands-hooks"
        guard let userFolder = try? OpenHandsHooks.userFolder(environment: environment) else { return [] }  // No HOME: nothing to find.
        let userPath = Path.join(userFolder, "hooks.json")
        let projectPath = root.map { Path.join(Path.join(FileSystem.realPath($0) ?? $0, ".openhands"), "hooks.json") }
        // The one file OpenHands reads for this repository: the project's when it exists.
        let (scope, path) = projectPath.map { FileSystem.exists($0) ? (OpenHandsHooks.Scope.project, $0) : (.user, userPath) } ?? (.user, userPath)
        guard FileSystem.isDirectory(userFolder) || FileSystem.exists(path) else { return [] }
        let flag = scope == .project ? " --scope project" : ""
        let inspection = OpenHandsHooks.inspect(hooksAt: path, environment: environment)
        if let problem = inspection.problem { return [Check(id: id, status: .fail, detail: problem, fix: "fix \(path), then handoff install --openhands\(flag)")] }
        if inspection.missing.count == OpenHandsHooks.registrations.count {
            if scope == .project, OpenHandsHooks.inspect(hooksAt: userPath, environment: environment).missing.count < OpenHandsHooks.registrations.count {
                return [Check(id: id, status: .fail, detail: "handoff is registered in \(userPath), but OpenHands reads only \(path) in this repository (the first file it finds), which lacks handoff's hooks",
                              fix: "handoff install --openhands --scope project")]
            }
            return [Check(id: id, status: .warn, detail: "OpenHands is set up here (\(userFolder)) but handoff's hooks are not registered in \(path)",
                          fix: "handoff install --openhands\(flag) if you use OpenHands with this repository")]
        }
        if !inspection.brokenPrograms.isEmpty {
            return [Check(id: id, status: .fail, detail: "\(path) runs \(inspection.brokenPrograms.joined(separator: ", ")), which is missing or not executable",
                          fix: "handoff install --openhands\(flag)")]
        }
        if !inspection.missing.isEmpty {
            return [Check(id: id, status: .fail, detail: "\(path) lacks \(inspection.missing.joined(separator: ", "))", fix: "handoff install --openhands\(flag)")]
        }
        let skills = CodexSkills.skills.map(\.name).filter { !FileSystem.exists(CodexSkills.path(codexHome: userFolder, name: $0)) }
        if !skills.isEmpty {
            return [Check(id: id, status: .warn, detail: "registered in \(path), but the skills \(skills.map { "/" + $0 }.joined(separator: ", ")) are missing",
                          fix: "handoff install --openhands\(flag)")]
        }
        return [Check(id: id, status: .pass, detail: "registered for the \(scope.rawValue) in \(path), the file OpenHands reads here, with the /handoff-dump and /handoff-end skills", fix: "")]
    }
}
