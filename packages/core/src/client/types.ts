import type { BookingGuard } from '../guard'

/**
 * The guard's methods that only read, which the browser's read guard has too. @internal
 *
 * @inline
 */
export type ReadMethodName =
  | 'listMessages'
  | 'markMessagesRead'
  | 'getProviderBookings'
  | 'getCustomerBookings'
  | 'getBooking'
  | 'checkCommunication'

/**
 * What the UI needs of a booking guard: the writes (made on a server by a
 * `createBookingClient`), the reads, the feeds, the watchdog and the health check. Both
 * `createBookingGuard` and `createBookingClient` make one, and `@booking-guard/react` takes either.
 */
export type BookingGuardLike = Pick<
  BookingGuard,
  | 'createBooking'
  | 'respondToBooking'
  | 'cancelBooking'
  | 'sendMessage'
  | ReadMethodName
  | 'providerFeed'
  | 'customerFeed'
  | 'roomFeed'
  | 'subscribeToProviderBookings'
  | 'subscribeToRoom'
  | 'watchdog'
  | 'createWatchdog'
  | 'runHealthCheck'
  | 'startHealthChecks'
>
