import type { RealtimeLike } from '../backend/types'
import type { ErrorMonitor } from '../monitor/errorMonitor'
import type { Metrics } from '../monitor/metrics'
import type { NormalizedRow } from '../schema/schemaLock'
import type { Booking, ChatMessage } from '../schema/schemas'

/**
 * The connection lifecycle callbacks of `appwrite@27`'s `Realtime` (`onOpen`, `onClose`,
 * `onError`). Optional: without them the feeds still work, and the watchdog's canary is what
 * notices a dead socket. The SDK keeps every callback registered for the life of the object,
 * so booking-guard registers once per `Realtime` object and fans out.
 */
export interface RealtimeLifecycleLike {
  /** Runs `callback` whenever the socket opens or reopens (the SDK then resends subscriptions). */
  onOpen?(callback: () => void): void
  /** Runs `callback` whenever the socket closes (the SDK then reconnects with back-off). */
  onClose?(callback: () => void): void
  /** Runs `callback` with server errors, e.g. a refused subscription. */
  onError?(callback: (error?: Error, statusCode?: number) => void): void
}

/**
 * What the realtime feed, the watchdog and the health check subscribe through: `new
 * Realtime(client)` from `appwrite@27` and `@booking-guard/testing`'s `fake.realtime` both fit.
 * Give booking-guard a `Realtime` object of its own: when its only subscription is closed, the
 * SDK closes the socket, so a resubscribe after a dead canary opens a fresh connection.
 */
export type RealtimeConnectionLike = RealtimeLike & RealtimeLifecycleLike

/** Builds the realtime channel of a table; see the `channel` options. */
export type ChannelBuilder = (tableId: string, databaseId: string) => string

/**
 * The default channel: `databases.{db}.collections.{table}.documents`, which Appwrite publishes
 * row events on both before and after server 1.8 (TablesDB writes included).
 *
 * @example
 * ```ts
 * defaultChannel('bookings', 'main') // 'databases.main.collections.bookings.documents'
 * ```
 */
export const defaultChannel: ChannelBuilder = (tableId, databaseId) =>
  `databases.${databaseId}.collections.${tableId}.documents`

/** The error monitor methods the realtime layer calls. */
export type RealtimeMonitor = Pick<ErrorMonitor, 'capture'>

/** The metrics the realtime layer feeds. */
export type RealtimeMetrics = Partial<Pick<Metrics, 'recordRealtime' | 'recordHealthCheck'>>

/**
 * The watchdog's verdict on the realtime subscription: `connecting` until the first canary
 * echo, `healthy` while canaries come back in time, `degraded` after a missed canary (or a
 * silence longer than `silenceMs`), `dead` after `deadAfterMisses` missed canaries in a row.
 */
export type WatchdogState = 'connecting' | 'healthy' | 'degraded' | 'dead'

/**
 * How a feed currently gets its rows: `connecting` (initial load or first subscription still
 * under way), `live` (realtime), `polling` (the watchdog found realtime degraded or dead, or a
 * recovery catch-up is running), `reconnecting` (the socket closed; polling meanwhile) or
 * `offline` (not started, stopped, or the catch-up queries themselves fail).
 */
export type FeedConnection = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline'

/** A booking as a feed delivers it: canonical field names (legacy `therapistId` mapped) plus `$` fields. */
export type FeedBooking = NormalizedRow<Booking>

/** A chat message as a room feed delivers it. */
export type FeedMessage = NormalizedRow<ChatMessage>

/**
 * One booking version delivered to a provider's listener: `created` the first time the feed
 * sees the booking, `updated` for each later version. Versions arrive in order per booking and
 * each exactly once (deduplicated by `$id` + `$updatedAt`).
 */
export interface ProviderBookingEvent {
  /** `created` the first time this booking reaches the feed, `updated` afterwards. */
  readonly type: 'created' | 'updated'
  /** The booking as stored, normalized by the schema lock. */
  readonly booking: FeedBooking
}

/** One chat message version delivered to a room listener; see {@link ProviderBookingEvent}. */
export interface RoomMessageEvent {
  /** `created` the first time this message reaches the feed, `updated` afterwards. */
  readonly type: 'created' | 'updated'
  /** The message as stored, normalized by the schema lock. */
  readonly message: FeedMessage
}

interface FeedSnapshotBase {
  /** How the feed currently gets its rows. */
  readonly connection: FeedConnection
  /** Epoch milliseconds (the feed's clock) when the feed last changed a row; `null` before that. */
  readonly lastEventAt: number | null
  /** The watchdog's state, or `'off'` when the feed runs without a watchdog. */
  readonly watchdog: WatchdogState | 'off'
}

/**
 * What `providerFeed.getSnapshot()` returns: an immutable object, replaced whenever something
 * changes and the same object otherwise, so React can read it with `useSyncExternalStore`.
 */
export interface ProviderFeedSnapshot extends FeedSnapshotBase {
  /** The provider's bookings the feed knows, newest `$createdAt` first. Synthetic bookings never appear. */
  readonly bookings: readonly FeedBooking[]
}

/** What `roomFeed.getSnapshot()` returns; see {@link ProviderFeedSnapshot}. */
export interface RoomFeedSnapshot extends FeedSnapshotBase {
  /** The room's messages the feed knows, oldest `$createdAt` first. */
  readonly messages: readonly FeedMessage[]
}

/** Options of one listener registration on a feed. */
export interface FeedListenOptions {
  /**
   * Also deliver, as `created` events, the rows the feed already knows (or finds in its initial
   * load) that were updated at or after this instant (epoch milliseconds, ISO 8601 or a `Date`).
   * Rows that arrive after the listener subscribed are always delivered, whatever their
   * timestamps. A server worker that must not miss a booking across restarts stores the last
   * `booking.$updatedAt` it handled and passes it here. Defaults to the moment of the call (by the
   * feed's clock), so a booking written while the feed is starting up is not missed.
   */
  readonly since?: number | string | Date
}
