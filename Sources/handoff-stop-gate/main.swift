import HandoffKit

// The whole hook lives in HandoffKit (`StopGate`); this file only wires it to the process.
let input = HookInput.fromProcess()
HookDeadline.arm(seconds: HookDeadline.seconds(input.environment), failOpen: StopGate.failOpen)
StopGate.run(input).emitAndExit()
