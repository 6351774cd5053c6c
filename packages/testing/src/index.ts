export { createManualClock, systemFakeClock } from './fake/clock'
export type { FakeClock, FakeTimerHandle, ManualClock, ManualClockOptions } from './fake/clock'

// fake (issue 2)
