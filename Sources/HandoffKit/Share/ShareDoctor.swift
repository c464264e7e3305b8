/// `handoff doctor`'s checks of the sharing setup (only when `handoff.share` is on).
extension Doctor {
    func checkSharing(root: String?) -> [Check] {
        guard let root else { return [] }
        let setup = ShareSetup(root: root, environment: withoutGitVariables)
        let settings = setup.settings
        guard settings.enabled else {
            return [Check(id: "share", status: .skip, detail: "sharing handovers through the remote is off", fix: "")]
        }
        var checks: [Check] = []
        if let problem = settings.timeoutProblem {
            checks.append(Check(id: "share:timeout", status: .warn, detail: TerminalText.escape(problem), fix: "git config handoff.shareTimeout 10"))
        }
        let version = setup.git.run(["--version"], timeout: 10)
        guard version.succeeded else {
            return [Check(id: "share:git", status: .fail, detail: "sharing is on, but the git executable did not run (\(version.lastErrorLine)); handovers can be neither written nor pushed",
                          fix: "install git and make it reachable on PATH")]
        }
        checks.append(settings.clone == nil
            ? Check(id: "share:clone", status: .warn, detail: "no clone id (handoff.shareClone): the first handover will make one", fix: "handoff share on")
            : Check(id: "share:clone", status: .pass, detail: "sharing is on (clone \(settings.clone!))", fix: ""))
        guard let remote = setup.defaultRemote else {
            checks.append(Check(id: "share:remote", status: .warn, detail: "no remote: handovers stay in refs/handoff/ of this repository",
                                fix: "git remote add origin URL && handoff share on"))
            return checks
        }
        checks.append(setup.hasFetchRefspec(remote)
            ? Check(id: "share:fetch", status: .pass, detail: "`git fetch` from \(remote) brings other clones' handovers", fix: "")
            : Check(id: "share:fetch", status: .warn, detail: "\(remote) has no handover fetch refspec: other clones' handovers arrive only with `handoff pull`",
                    fix: "handoff share on --remote \(remote)"))
        let hook = setup.git.run(["rev-parse", "--git-path", "hooks/pre-push"]).line
        let hookPath = hook.hasPrefix("/") ? hook : Path.join(root, hook)
        let hookText = (try? FileSystem.readText(hookPath)) ?? ""
        checks.append(hookText.contains("handoff")
            ? Check(id: "share:push", status: .pass, detail: "the pre-push hook pushes changed handover refs with your pushes", fix: "")
            : Check(id: "share:push", status: .warn, detail: "handoff's pre-push hook is not installed: handovers reach \(remote) only with `handoff push`",
                    fix: "handoff install --git"))
        let store = HandoffStore(worktreeRoot: root)
        if store.exists, let last = store.events.tail(1, matching: { $0.type == EventType.sharePush }, scanLimit: 2 * 1024 * 1024).events.last {
            let rejected = (last["rejected"]?.arrayValue ?? []).compactMap { item -> String? in
                guard let ref = item["ref"]?.stringValue else { return nil }
                return "\(ref): \(item["reason"]?.stringValue ?? "refused")"
            }
            if let failure = last["failure"]?.stringValue {
                checks.append(Check(id: "share:last-push", status: .warn, detail: "the last push of handovers (\(last.timestamp.iso8601)) failed: \(failure)", fix: "handoff push"))
            } else if !rejected.isEmpty {
                checks.append(Check(id: "share:last-push", status: .warn, detail: "the remote refused handover refs at the last push (\(rejected.joined(separator: "; ")))",
                                    fix: "allow refs/handoff/* on the remote, or `handoff share off`"))
            }
        }
        return checks
    }
}
