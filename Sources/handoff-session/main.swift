import HandoffKit

// The whole hook lives in HandoffKit (`SessionHook`); this file only wires it to the process.
let input = HookInput.fromProcess()
HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: SessionHook.failOpen)
SessionHook.run(input).emitAndExit()
