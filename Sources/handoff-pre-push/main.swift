import HandoffKit

/// git's pre-push hook: records the push; refuses it only under the opt-in policy (see PrePushHook).
@main enum HandoffPrePush {
    static func main() {
        let input = HookInput.fromProcess()
        HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PrePushHook.timeoutOutput)
        PrePushHook.run(input).emitAndExit()
    }
}
