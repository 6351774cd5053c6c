import type { BookingGuard } from '../guard'

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
  | 'listMessages'
  | 'markMessagesRead'
  | 'getProviderBookings'
  | 'getCustomerBookings'
  | 'getBooking'
  | 'checkCommunication'
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
