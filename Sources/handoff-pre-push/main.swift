import HandoffKit

/// git's pre-push hook: records the push; refuses it only under the opt-in policy (see PrePushHook);
/// then, when sharing is on, pushes the changed handover refs under their own bounded deadline.
@main enum HandoffPrePush {
    static func main() {
        let input = HookInput.fromProcess()
        HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PrePushHook.timeoutOutput)
        let recorded = PrePushHook.run(input)
        guard recorded.exitStatus == 0, let budget = SharePush.budget(input) else { recorded.emitAndExit() }
        StandardStreams.write(recorded.standardError, to: 2)
        HookDeadline.arm(seconds: budget, failOpen: SharePush.timeoutOutput)
        SharePush.run(input).emitAndExit()
    }
}
