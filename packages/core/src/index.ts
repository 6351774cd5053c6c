export { BookingGuardError, isBookingGuardError } from './errors'
export type { BookingGuardErrorCode, BookingGuardErrorOptions } from './errors'
export { systemClock } from './clock'
export type { Clock, TimerHandle } from './clock'

// resilience (issue 5)

// monitor (issue 5)

// schema (issue 4)
