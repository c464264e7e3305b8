import HandoffKit

/// git's post-commit hook: records the commit; never fails it (see PostCommitHook). The post-merge
/// entry runs it as `handoff-post-commit --post-merge <squash>` (see PostMergeHook).
@main enum HandoffPostCommit {
    static func main() {
        let input = HookInput.fromProcess()
        if input.arguments.first == PostMergeHook.flag {
            HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PostMergeHook.timeoutOutput)
            PostMergeHook.run(input).emitAndExit()
        }
        HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PostCommitHook.timeoutOutput)
        PostCommitHook.run(input).emitAndExit()
    }
}
