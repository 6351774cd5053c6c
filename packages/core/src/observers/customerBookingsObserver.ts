import type { BookingGuard } from '../guard'
import type { BookingRow } from '../pipeline/createBooking'
import { BookingListObserver } from './bookingList'
import type { BookingListState } from './bookingList'
import type { ObserverLike } from './store'

/** What `observer.getSnapshot()` returns. */
export interface CustomerBookingsSnapshot extends BookingListState {
  readonly customerId: string
  /**
   * The customer's bookings, newest first: the table's newest page merged with the realtime feed,
   * normalized by the schema lock. Compensated (failed or void) bookings never appear.
   */
  readonly bookings: readonly BookingRow[]
}

/** Options of {@link createCustomerBookingsObserver}. */
export interface CustomerBookingsObserverOptions {
  /** The guard (in the browser, a `createBookingClient`) the bookings are read and followed through. */
  guard: Pick<BookingGuard, 'getCustomerBookings' | 'customerFeed'>
  /** The customer whose bookings are shown: in the browser, the signed-in user's id. */
  customerId: string
  /** Bookings the first read loads, 1–100. Defaults to `25`. */
  limit?: number
}

/** A customer's bookings; see {@link createCustomerBookingsObserver}. */
export interface CustomerBookingsObserver extends ObserverLike<CustomerBookingsSnapshot> {
  /** Reads the bookings table again. Never rejects (a failure is in the snapshot's `error`). */
  readonly refresh: () => Promise<void>
}

class CustomerBookingsObserverImpl
  extends BookingListObserver<CustomerBookingsSnapshot>
  implements CustomerBookingsObserver
{
  constructor({ guard, customerId, limit = 25 }: CustomerBookingsObserverOptions) {
    super(
      {
        customerId,
        status: 'loading',
        error: undefined,
        bookings: Object.freeze([]),
        connection: 'connecting',
        realtimeError: undefined,
      },
      {
        read: () => guard.getCustomerBookings(customerId, { limit }),
        feed: () => guard.customerFeed(customerId),
      },
    )
  }

  protected override render(patch: Partial<CustomerBookingsSnapshot> = {}): void {
    this.update({ ...patch, bookings: Object.freeze(this.rows()) })
  }
}

/**
 * A customer's own bookings as a snapshot (`useSyncExternalStore`-ready), built like
 * {@link createProviderBookingsObserver}: the first listener reads the bookings table
 * (`guard.getCustomerBookings`, once per observer) and, separately, subscribes to the customer's
 * realtime feed (`guard.customerFeed`, with its catch-up after every reconnect and polling while
 * realtime is degraded); the two are merged by id, the newest version of each booking winning,
 * so a status change (confirmed, declined, cancelled) shows without a reload. Bookings whose
 * creation was compensated never show. Creating one has no side effect.
 *
 * @example
 * ```ts
 * const mine = createCustomerBookingsObserver({ guard: client, customerId: user.$id })
 * mine.subscribe(() => {
 *   const { bookings, status } = mine.getSnapshot()
 *   if (status === 'ready') render(bookings.map((b) => `${b.providerName}: ${b.status}`))
 * })
 * ```
 */
export function createCustomerBookingsObserver(
  options: CustomerBookingsObserverOptions,
): CustomerBookingsObserver {
  return new CustomerBookingsObserverImpl(options)
}
