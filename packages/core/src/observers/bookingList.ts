import type { BookingRow } from '../pipeline/createBooking'
import type { ProviderBookingsPage } from '../pipeline/reads'
import type { Feed } from '../realtime/feed'
import type { FeedConnection, ProviderBookingEvent, ProviderFeedSnapshot } from '../realtime/types'
import { ObserverStore } from './store'

/** What every live booking list's snapshot has (`useProviderBookings`, `useCustomerBookings`). */
export interface BookingListState {
  /** `loading` until the bookings table answered, then `ready`; `error` when it could not be read. */
  readonly status: 'loading' | 'ready' | 'error'
  /** Why the bookings could not be read. */
  readonly error: unknown
  /** How the feed gets new bookings; `offline` when it could not start (see `realtimeError`). */
  readonly connection: FeedConnection
  /** Why the realtime feed could not start (e.g. a guard without `realtime`); bookings still load. */
  readonly realtimeError: unknown
}

/** Where a live booking list reads its first page and follows new versions. @internal */
export interface BookingListSource {
  /** Reads the newest page of the bookings table. */
  readonly read: () => Promise<ProviderBookingsPage>
  /** The realtime feed of the same bookings (may throw, e.g. without `realtime`). */
  readonly feed: () => Feed<ProviderFeedSnapshot, ProviderBookingEvent>
}

const ms = (iso: unknown): number => Date.parse(String(iso)) || 0

/**
 * A live list of bookings: the first listener reads the bookings table (once per observer) and,
 * separately, subscribes to a realtime feed of the same bookings; the two are merged by id
 * (newest version wins), so bookings show even when realtime is broken. Subclasses publish the
 * merged rows in their own snapshot through {@link BookingListObserver.render}.
 *
 * @internal
 */
export abstract class BookingListObserver<
  TSnapshot extends BookingListState,
> extends ObserverStore<TSnapshot> {
  readonly #source: BookingListSource
  readonly #rows = new Map<string, BookingRow>()
  #feed: Feed<ProviderFeedSnapshot, ProviderBookingEvent> | undefined
  #feedOff: (() => void) | undefined
  #started = false

  constructor(initial: TSnapshot, source: BookingListSource) {
    super(initial)
    this.#source = source
  }

  protected override onStart(): void {
    // The bookings table first and on its own: a broken chat or realtime can never hide a booking.
    if (!this.#started) {
      this.#started = true
      void this.refresh()
    }
    try {
      const feed = (this.#feed ??= this.#source.feed())
      this.#feedOff = feed.subscribe(() => this.#fromFeed())
      this.#fromFeed()
    } catch (error) {
      this.update({ connection: 'offline', realtimeError: error } as Partial<TSnapshot>)
    }
  }

  protected override onStop(): void {
    this.#feedOff?.()
    this.#feedOff = undefined
  }

  readonly refresh = async (): Promise<void> => {
    try {
      const page = await this.#source.read()
      for (const booking of page.bookings) this.#merge(booking)
      this.render({ status: 'ready', error: undefined } as Partial<TSnapshot>)
    } catch (error) {
      this.render(
        (this.getSnapshot().status === 'ready'
          ? { error }
          : { status: 'error', error }) as Partial<TSnapshot>,
      )
    }
  }

  /** The bookings known, newest `$createdAt` first. */
  protected rows(): BookingRow[] {
    return [...this.#rows.values()].sort((a, b) => ms(b.$createdAt) - ms(a.$createdAt))
  }

  /** Publishes {@link BookingListObserver.rows} with `patch` applied. */
  protected abstract render(patch?: Partial<TSnapshot>): void

  #fromFeed(): void {
    const feed = this.#feed?.getSnapshot()
    if (feed === undefined) return
    for (const booking of feed.bookings) this.#merge(booking)
    // What the feed dropped for good (deleted, or compensated after the first read showed it
    // pending) leaves the list too.
    for (const booking of [...this.#rows.values()]) {
      if (this.#gone(booking)) this.#rows.delete(booking.$id)
    }
    this.render({ connection: feed.connection } as Partial<TSnapshot>)
  }

  /** Whether the feed saw a version of `booking`, at least as new, that ended it. */
  #gone(booking: BookingRow): boolean {
    const at = this.#feed?.goneAt?.(booking.$id)
    return at !== undefined && ms(booking.$updatedAt) <= at
  }

  /** Keeps the newest version of each booking. */
  #merge(booking: BookingRow): void {
    if (this.#gone(booking)) return
    const known = this.#rows.get(booking.$id)
    if (known === undefined || ms(booking.$updatedAt) >= ms(known.$updatedAt)) {
      this.#rows.set(booking.$id, booking)
    }
  }
}
