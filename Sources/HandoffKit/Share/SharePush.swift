/// The pre-push hook's second half: when sharing is on, the handover refs that changed go to the
/// same remote, during the user's `git push`.
///
/// Synchronous, inside the hook, rather than a detached background push: the user sees the outcome
/// in the push they ran (pushed, or one line saying why not), nothing outlives the command (no
/// orphan holding credentials, racing the next command, or failing where nobody reads it), and the
/// cost is paid only when a handover ref moved since the last push (compared with what was last
/// fetched or pushed, no network needed to know). It is bounded by `handoff.shareTimeout` (10 s) in
/// all, never prompts, and whatever happens the user's push goes on: this step only ever adds a line.
package enum SharePush {
    package static let timeoutOutput = HookOutput(
        standardError: "handoff: sharing handovers ran out of time (git config handoff.shareTimeout); your push goes on. `handoff push` retries.\n")

    /// The seconds the hook's deadline must allow for sharing, nil when sharing is off (or nothing to do).
    package static func budget(_ input: HookInput) -> Double? {
        guard let target = target(input) else { return nil }
        return target.settings.timeout + 1
    }

    struct Target {
        var root: String
        var settings: ShareSettings
    }

    static func target(_ input: HookInput) -> Target? {
        let environment = input.environment
        if environment.handoffDisabled || environment[ShareSettings.recursionGuard] != nil { return nil }
        // `git push --dry-run` pushes nothing of the user's: nothing of handoff's either.
        if PushDryRun.detect() == true { return nil }
        guard let root = WorktreeLocator.worktreeRoot(startingAt: input.workingDirectory, environment: environment),
            let repository = try? GitRepository.open(at: root, environment: environment)
        else { return nil }
        let settings = ShareSettings.read { repository.configString($0) }
        guard settings.enabled else { return nil }
        return Target(root: root, settings: settings)
    }

    /// Pushes the changed handover refs to the hook's remote (its first argument); returns the line to show.
    package static func run(_ input: HookInput) -> HookOutput {
        guard let target = target(input), let remote = input.arguments.first, !remote.isEmpty else { return .silent }
        let refs = HandoverRefs(root: target.root, environment: input.environment)
        var sync = ShareSync(refs: refs, timeout: target.settings.timeout)
        sync.overall = Deadline(seconds: target.settings.timeout)
        let report = sync.push(remote: remote)
        let shown = Redactor.redactURLCredentials(remote)
        let store = HandoffStore(worktreeRoot: target.root)
        // A merge with another clone's handovers brings its tasks into this clone's task store.
        sync.importTasks(branches: report.merged.map { String($0.dropFirst(ShareSettings.refPrefix.count)) }, into: store)
        if store.exists, !(report.pushed.isEmpty && report.succeeded) {
            try? store.append(Event(type: EventType.sharePush, at: input.now(), fields: pushFields(report, remote: shown)))
        }
        return HookOutput(standardError: line(report, remote: shown).map { $0 + "\n" } ?? "")
    }

    static func pushFields(_ report: ShareSync.PushReport, remote: String) -> JSONObject {
        JSONObject([
            ("remote", .string(remote)),
            ("pushed", JSONValue(report.pushed)),
            ("merged", JSONValue(report.merged)),
            ("notes", JSONValue(report.notes)),
            ("rejected", .array(report.rejected.map { ["ref": .string($0.ref), "reason": .string($0.reason)] })),
            ("unmerged", .array(report.unmerged.map { ["ref": .string($0.ref), "reason": .string($0.reason)] })),
            ("failure", JSONValue(report.failure)),
        ])
    }

    /// One line: what was shared, or why not. Nil when nothing changed.
    package static func line(_ report: ShareSync.PushReport, remote: String) -> String? {
        if let failure = report.failure {
            return "handoff: could not share handovers with \(remote) (\(failure)); your push goes on. `handoff push` retries, `handoff share off` stops sharing."
        }
        if !report.rejected.isEmpty {
            let what = report.rejected.map { "\($0.ref): \($0.reason)" }.joined(separator: "; ")
            return "handoff: \(remote) refused handover refs (\(what)); your push goes on. `handoff share off` stops sharing, or allow refs/handoff/* on the remote."
        }
        if !report.unmerged.isEmpty {
            let what = report.unmerged.map { "\($0.ref): \($0.reason)" }.joined(separator: "; ")
            return "handoff: another clone's handovers on \(remote) could not be merged here (\(what)), so they were not pushed; your push goes on. `handoff log` lists what cannot be read."
        }
        guard !report.pushed.isEmpty else { return nil }
        let merged = report.merged.isEmpty ? "" : " (merged with another clone's first: \(report.merged.joined(separator: ", ")))"
        return "handoff: shared handovers with \(remote): \(report.pushed.joined(separator: ", "))\(merged)"
    }
}
