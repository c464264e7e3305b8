import HandoffKit

// The whole hook lives in HandoffKit (`CompactHook`); this file only wires it to the process.
let input = HookInput.fromProcess()
HookDeadline.arm(seconds: HookDeadline.seconds(input.environment, default: CompactHook.deadlineSeconds), failOpen: CompactHook.failOpen)
CompactHook.run(input).emitAndExit()
