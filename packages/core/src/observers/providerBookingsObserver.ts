import type { BookingGuard } from '../guard'
import type { BookingRow } from '../pipeline/createBooking'
import type { CommunicationCheck } from '../pipeline/reads'
import { BookingListObserver } from './bookingList'
import type { BookingListState } from './bookingList'
import type { ObserverLike } from './store'

/** One booking on a provider's dashboard, with whether the provider was told about it. */
export interface ProviderBookingItem {
  /** The booking, normalized (legacy `therapistId` rows included). */
  readonly booking: BookingRow
  /**
   * Whether its chat room, system message, notification and push exist; `undefined` while the
   * check runs (or with `checkCommunication: false`).
   */
  readonly communication: CommunicationCheck | undefined
  /**
   * `true` when the provider may not have been told: the booking is still `pending` in the
   * pipeline, or its chat room, system message or notification is missing or unreadable, or its
   * push failed.
   */
  readonly warning: boolean
}

/** What `observer.getSnapshot()` returns. */
export interface ProviderBookingsSnapshot extends BookingListState {
  readonly providerId: string
  /** The bookings, newest first: the table's newest page merged with the realtime feed. */
  readonly bookings: readonly ProviderBookingItem[]
  /** Bookings with `warning`. */
  readonly warnings: number
}

/** Options of {@link createProviderBookingsObserver}. */
export interface ProviderBookingsObserverOptions {
  /** The guard the bookings are read and followed through. */
  guard: Pick<BookingGuard, 'getProviderBookings' | 'providerFeed' | 'checkCommunication'>
  /** The provider whose bookings are shown. */
  providerId: string
  /** Bookings the first read loads, 1–100. Defaults to `25`. */
  limit?: number
  /** Whether each booking's chat room, message and notification are checked. Defaults to `true`. */
  checkCommunication?: boolean
  /** Communication checks run at once at most (each reads three rows). Defaults to `3`. */
  concurrency?: number
}

/** A provider's bookings; see {@link createProviderBookingsObserver}. */
export interface ProviderBookingsObserver extends ObserverLike<ProviderBookingsSnapshot> {
  /** Reads the bookings table again (and re-checks bookings with a warning). Never rejects. */
  readonly refresh: () => Promise<void>
}

const ms = (iso: unknown): number => Date.parse(String(iso)) || 0

function warns(booking: BookingRow, check: CommunicationCheck | undefined): boolean {
  if (booking.pipelineStatus === 'pending') return true
  if (check === undefined) return false
  return (
    check.chatRoom !== 'ok' ||
    check.systemMessage !== 'ok' ||
    check.notification !== 'ok' ||
    check.push === 'failed'
  )
}

class ProviderBookingsObserverImpl
  extends BookingListObserver<ProviderBookingsSnapshot>
  implements ProviderBookingsObserver
{
  readonly #options: ProviderBookingsObserverOptions
  readonly #checks = new Map<string, { version: number; check: CommunicationCheck | undefined }>()
  readonly #queue: string[] = []
  #running = 0

  constructor(options: ProviderBookingsObserverOptions) {
    const { guard, providerId, limit = 25 } = options
    super(
      {
        providerId,
        status: 'loading',
        error: undefined,
        bookings: Object.freeze([]),
        warnings: 0,
        connection: 'connecting',
        realtimeError: undefined,
      },
      {
        read: () => guard.getProviderBookings(providerId, { limit }),
        feed: () => guard.providerFeed(providerId),
      },
    )
    this.#options = options
  }

  protected override render(patch: Partial<ProviderBookingsSnapshot> = {}): void {
    const check = this.#options.checkCommunication !== false
    const items: ProviderBookingItem[] = []
    let warnings = 0
    for (const booking of this.rows()) {
      const known = this.#checks.get(booking.$id)
      const version = ms(booking.$updatedAt)
      // Check each booking once, and again when a booking with a warning changes.
      if (
        check &&
        (known === undefined || (known.version < version && warns(booking, known.check)))
      ) {
        this.#checks.set(booking.$id, { version, check: known?.check })
        this.#queue.push(booking.$id)
      }
      const communication = this.#checks.get(booking.$id)?.check
      const warning = warns(booking, communication)
      if (warning) warnings++
      items.push(Object.freeze({ booking, communication, warning }))
    }
    this.update({ ...patch, bookings: Object.freeze(items), warnings })
    this.#drain()
  }

  #drain(): void {
    const concurrency = this.#options.concurrency ?? 3
    while (this.#running < concurrency && this.#queue.length > 0) {
      const bookingId = this.#queue.shift()!
      this.#running++
      void this.#options.guard
        .checkCommunication(bookingId)
        .catch((): CommunicationCheck => ({
          bookingId,
          chatRoom: 'failed',
          systemMessage: 'failed',
          notification: 'failed',
          push: 'failed',
          ok: false,
        }))
        .then((result) => {
          this.#running--
          const entry = this.#checks.get(bookingId)
          if (entry !== undefined) entry.check = result
          this.render()
        })
    }
  }
}

/**
 * A provider's bookings as a snapshot (`useSyncExternalStore`-ready). The first listener reads
 * the bookings table (`guard.getProviderBookings`, once per observer) and, separately, subscribes
 * to the provider's realtime feed; the two are merged by id (newest version wins), so bookings
 * show even when realtime or chat is broken. Each booking's chat room, system message and
 * notification are checked (`guard.checkCommunication`) and a booking whose provider may not
 * have been told carries `warning: true`. Creating one has no side effect.
 *
 * @example
 * ```ts
 * const dashboard = createProviderBookingsObserver({ guard, providerId: 'p1' })
 * dashboard.subscribe(() => {
 *   const { bookings, connection, warnings } = dashboard.getSnapshot()
 *   render(bookings, connection, warnings)
 * })
 * ```
 */
export function createProviderBookingsObserver(
  options: ProviderBookingsObserverOptions,
): ProviderBookingsObserver {
  return new ProviderBookingsObserverImpl(options)
}
