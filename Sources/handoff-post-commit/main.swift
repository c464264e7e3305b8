import HandoffKit

/// git's post-commit hook: records the commit; never fails it (see PostCommitHook).
@main enum HandoffPostCommit {
    static func main() {
        let input = HookInput.fromProcess()
        HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: PostCommitHook.timeoutOutput)
        PostCommitHook.run(input).emitAndExit()
    }
}
