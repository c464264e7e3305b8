/// The hooks the one `handoff` executable serves, and how a process asks for one: started under a
/// hook's name (`handoff-stop-gate`, a link to `handoff`, as busybox and SwiftPM's multi-call binary
/// do), or as `handoff hook stop-gate` (the form handoff's installers register).
///
/// `handoff`'s main calls `runIfRequested` before swift-argument-parser is touched, so a hook pays
/// for nothing of the CLI.
package enum HookName: String, Sendable, CaseIterable {
    case stopGate = "stop-gate"
    case compact
    case session
    case postCommit = "post-commit"
    case postMerge = "post-merge"
    case prePush = "pre-push"

    /// The subcommand that names a hook: `handoff hook <name>`.
    package static let subcommand = "hook"

    /// The name of this hook's own executable in the separate-executables layout, which installs
    /// keep as a link to `handoff` so that registrations written then keep working. post-merge
    /// had none: it ran as `handoff-post-commit --post-merge`.
    package var legacyExecutable: String? { self == .postMerge ? nil : "handoff-" + rawValue }

    /// The legacy executables, in the order the old layout listed them.
    package static let legacyExecutables = allCases.compactMap(\.legacyExecutable)

    /// The hook a program started as `name` (argv[0]'s file name) serves. A trailing `.bin` is the
    /// plugin's links of the old layout (`bin/handoff-stop-gate.bin`).
    package init?(executableName name: String) {
        var name = name
        if name.hasSuffix(".bin") { name.removeLast(4) }
        guard name.hasPrefix("handoff-") else { return nil }
        self.init(rawValue: String(name.dropFirst("handoff-".count)))
    }
}

package enum HookEntry {
    /// The hook that `arguments` (the process's, argv[0] first) ask for, with the hook's own arguments.
    package static func requested(_ arguments: [String]) -> (hook: HookName, arguments: [String])? {
        guard let first = arguments.first else { return nil }
        if let hook = HookName(executableName: Path.basename(first)) {
            return (hook, Array(arguments.dropFirst()))
        }
        if arguments.count >= 3, arguments[1] == HookName.subcommand, let hook = HookName(rawValue: arguments[2]) {
            return (hook, Array(arguments.dropFirst(3)))
        }
        return nil
    }

    /// Runs the hook `arguments` ask for and exits; returns when they ask for none.
    package static func runIfRequested(_ arguments: [String]) {
        guard let (hook, hookArguments) = requested(arguments) else { return }
        run(hook, input: HookInput.fromProcess(arguments: hookArguments))
    }

    /// Runs `hook` under its deadline (which answers the hook's fail-open output if it passes) and exits.
    package static func run(_ hook: HookName, input: HookInput) -> Never {
        switch hook {
        case .stopGate:
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: StopGate.failOpen)
            StopGate.run(input).emitAndExit()
        case .compact:
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment, default: CompactHook.deadlineSeconds), failOpen: CompactHook.failOpen)
            CompactHook.run(input).emitAndExit()
        case .session:
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: SessionHook.failOpen)
            SessionHook.run(input).emitAndExit()
        case .postCommit:
            // The old layout's post-merge entry runs `handoff-post-commit --post-merge <squash>`.
            if input.arguments.first == PostMergeHook.flag { run(.postMerge, input: input) }
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PostCommitHook.timeoutOutput)
            PostCommitHook.run(input).emitAndExit()
        case .postMerge:
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PostMergeHook.timeoutOutput)
            PostMergeHook.run(input).emitAndExit()
        case .prePush:
            // Records the push; refuses it only under the opt-in policy (see PrePushHook); then, when
            // sharing is on, pushes the changed handover refs under their own bounded deadline.
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PrePushHook.timeoutOutput)
            let recorded = PrePushHook.run(input)
            guard recorded.exitStatus == 0, let budget = SharePush.budget(input) else { recorded.emitAndExit() }
            StandardStreams.write(recorded.standardError, to: 2)
            HookDeadline.arm(seconds: budget, failOpen: SharePush.timeoutOutput)
            SharePush.run(input).emitAndExit()
        }
    }
}
