import type { Backend, BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import type { DatabasesLike, RealtimeEventLike, TablesDBLike } from '../backend/types'
import type { Clock, TimerHandle } from '../clock'
import { BookingGuardError } from '../errors'
import { errorFacts } from '../resilience/classifyError'
import { reportListenerError } from '../resilience/emitter'
import { backendFor, defaultReadLock } from '../schema/readSide'
import type { ReadLock } from '../schema/readLock'
import { Subscribable } from '../subscribable'
import { connectRealtime } from './session'
import type { RealtimeSession } from './session'
import type { SessionStatus } from './session'
import type {
  ChannelBuilder,
  FeedBooking,
  FeedConnection,
  FeedListenOptions,
  ProviderBookingEvent,
  ProviderFeedSnapshot,
  RealtimeConnectionLike,
  RealtimeMetrics,
  RealtimeMonitor,
  RoomFeedSnapshot,
  RoomMessageEvent,
  WatchdogState,
} from './types'
import { createWatchdogOn } from './watchdog'
import type { Watchdog, WatchdogConfig } from './watchdog'
import { isCompensated } from '../pipeline/voided'

/** Default milliseconds between catch-up queries while realtime is degraded or reconnecting. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000
/** Default milliseconds between safety catch-ups while realtime is live (finds single dropped events). */
export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000
/** Default milliseconds a catch-up query reaches back before the last `$updatedAt` it saw. */
export const DEFAULT_OVERLAP_MS = 5_000
/** Default number of rows a feed's initial load reads. */
export const DEFAULT_INITIAL_LIMIT = 50

/** Rows per catch-up request; a catch-up reads pages until one comes back short. */
const PAGE_SIZE = 100
/** Appwrite caps the values of one `equal` query at 100 (older servers): more keys, more chunks. */
const MAX_KEYS_PER_QUERY = 100
/** Appwrite refuses a query string longer than 4,096 characters (`APP_LIMIT_ARRAY_ELEMENT_SIZE`). */
const MAX_QUERY_CHARS = 4_096

/** How a feed gets its rows, and what it does with them. */
export interface FeedConfig {
  /**
   * Milliseconds between catch-up queries while realtime is degraded, dead or reconnecting
   * (the feed polls instead). Defaults to `5_000`.
   */
  pollIntervalMs?: number
  /**
   * Milliseconds between safety catch-ups while realtime is live, so an event dropped on a
   * healthy subscription still arrives (within this bound); `0` turns them off. One catch-up
   * per table for all feeds of the manager. Defaults to `60_000`.
   */
  reconcileIntervalMs?: number
  /**
   * Milliseconds a catch-up reaches back before the moment the previous complete catch-up
   * started (on the server's clock, estimated from the server timestamps of the rows and events
   * seen, so a skewed local clock does not matter), to cover server clock differences and
   * commits that land late; rows read twice are deduplicated. Defaults to `5_000`.
   */
  overlapMs?: number
  /** Rows a feed loads when it starts (newest `$updatedAt` first), 1–5000. Defaults to `50`. */
  initialLimit?: number
  /**
   * Which bookings are synthetic (health-check) bookings, never delivered nor shown. Defaults to
   * `booking.synthetic === true`.
   */
  isSynthetic?: (booking: FeedBooking) => boolean
}

/** Options of {@link createFeedManager}. */
export interface FeedManagerOptions extends FeedConfig {
  /** The TablesDB service catch-ups read through (pass this or `databases`). */
  tablesDB?: TablesDBLike
  /** The legacy Databases service, for servers before 1.8 (pass this or `tablesDB`). */
  databases?: DatabasesLike
  /** The database holding the tables. */
  databaseId: string
  /** The realtime connection; give booking-guard its own `new Realtime(client)`. */
  realtime: RealtimeConnectionLike
  /**
   * The schema lock: table ids and legacy aliases (`therapistId` → `providerId`), applied to
   * every payload and row (a `createReadLock` or a `createSchemaLock`). Defaults to
   * `createReadLock()`.
   */
  lock?: ReadLock
  /** Source of time for polling, timestamps and the watchdog. Defaults to the system clock. */
  clock?: Clock
  /** Receives catch-up failures (`warning`) and the watchdog's `critical` captures. */
  monitor?: RealtimeMonitor
  /**
   * Receives `recordRealtime(true)` for each booking version realtime delivered first,
   * `recordRealtime(false)` for each one only a catch-up found, and the watchdog's canary results.
   */
  metrics?: RealtimeMetrics
  /**
   * The channel a table is subscribed on. Defaults to `databases.{db}.collections.{table}.documents`,
   * which works on servers before and after 1.8.
   */
  channel?: ChannelBuilder
  /**
   * The watchdog the feeds rely on: its canary travels on the feeds' own subscription. `false`
   * runs without one (a silent socket then goes unnoticed until the next safety catch-up).
   * Defaults to a watchdog with the default {@link WatchdogConfig} on the lock's heartbeat table.
   */
  watchdog?: WatchdogConfig | false
}

/** A live view of rows for one key, usable by React through `useSyncExternalStore`. */
export interface Feed<TSnapshot, TEvent> {
  /** The current snapshot; the same object until something changes. */
  getSnapshot(): TSnapshot
  /**
   * Calls `onChange` after every snapshot change. The first listener (of either kind) starts
   * the feed (subscription, initial load, watchdog); the last one to leave stops it.
   */
  subscribe(onChange: () => void): () => void
  /**
   * Calls `listener` with each row version exactly once, in order per row. Starts the feed like
   * `subscribe`. Returns an unsubscribe function.
   */
  listen(listener: (event: TEvent) => void, options?: FeedListenOptions): () => void
  /**
   * The `$updatedAt` (epoch ms) of the version that took row `id` out of the feed for good —
   * deleted, or a booking compensated (failed or void) — or `undefined`. Lets a list that merges
   * the feed with its own reads drop what the feed dropped.
   *
   * @internal
   */
  goneAt?(id: string): number | undefined
}

/**
 * A provider's live bookings: made by `guard.providerFeed(providerId)`, `createProviderFeed`
 * or a {@link FeedManager}.
 */
export interface ProviderFeed extends Feed<ProviderFeedSnapshot, ProviderBookingEvent> {
  /** The provider whose bookings this feed holds. */
  readonly providerId: string
}

/**
 * A customer's own live bookings, the same bookings a provider feed would show (delivered, not
 * void, not synthetic): made by `guard.customerFeed(customerId)` or a {@link FeedManager}.
 */
export interface CustomerFeed extends Feed<ProviderFeedSnapshot, ProviderBookingEvent> {
  /** The customer whose bookings this feed holds. */
  readonly customerId: string
}

/** A chat room's live messages: made by `guard.roomFeed(roomId)`, `createRoomFeed` or a {@link FeedManager}. */
export interface RoomFeed extends Feed<RoomFeedSnapshot, RoomMessageEvent> {
  /** The room whose messages this feed holds. */
  readonly roomId: string
}

/**
 * Feeds for many providers and rooms over one realtime subscription: events are routed by an
 * index (`providerId` → feeds, `roomId` → feeds), catch-ups read each table once for all feeds
 * (pages of 100 rows in (`$updatedAt`, `$id`) order, the keys filtered in groups of at most 100),
 * and one watchdog guards them all.
 */
export interface FeedManager {
  /** The feed of a provider's bookings; the same object while it has listeners. */
  providerFeed(providerId: string): ProviderFeed
  /** The feed of a customer's own bookings; the same object while it has listeners. */
  customerFeed(customerId: string): CustomerFeed
  /** The feed of a chat room's messages; the same object while it has listeners. */
  roomFeed(roomId: string): RoomFeed
  /** Shorthand for `providerFeed(providerId).listen(listener, options)`. */
  subscribeToProviderBookings(
    providerId: string,
    listener: (event: ProviderBookingEvent) => void,
    options?: FeedListenOptions,
  ): () => void
  /** Shorthand for `roomFeed(roomId).listen(listener, options)`. */
  subscribeToRoom(
    roomId: string,
    listener: (event: RoomMessageEvent) => void,
    options?: FeedListenOptions,
  ): () => void
  /** The feeds' watchdog, or `undefined` when created with `watchdog: false`. */
  readonly watchdog: Watchdog | undefined
  /** Runs a catch-up now (for every table with active feeds); resolves when it is done. */
  catchUp(): Promise<void>
}

/** What a feed manager runs on. @internal */
export interface FeedDeps {
  readonly session: RealtimeSession
  readonly backend: Backend
  readonly lock: ReadLock
  readonly clock: Clock
  readonly monitor?: RealtimeMonitor | undefined
  readonly metrics?: RealtimeMetrics | undefined
  readonly watchdog?: Watchdog | undefined
}

interface ResolvedFeedConfig {
  readonly pollIntervalMs: number
  readonly reconcileIntervalMs: number
  readonly overlapMs: number
  readonly initialLimit: number
  readonly isSynthetic: (booking: FeedBooking) => boolean
}

type FeedRow = BackendRow & Record<string, unknown>

type Via = 'realtime' | 'catchUp' | 'load'

interface Route {
  readonly kind: 'booking' | 'chatMessage'
  readonly tableId: string
  readonly keyColumn: string
  readonly keyAliases: readonly string[]
  readonly index: Map<string, Set<KeyedFeed<never, never>>>
  /**
   * Epoch ms, server clock: every row version updated before this was read by a catch-up (until
   * the first complete pass, the local clock's reading when the route started, minus the overlap).
   */
  settled: number
  /** Local epoch ms when the last complete catch-up pass started; `undefined` before one. */
  lastPassAt: number | undefined
  /** The catch-up pass under way, kept when one fails so the next resumes where it stopped. */
  pass: CatchUpPass | undefined
  /** Whether catch-ups also match legacy key columns (`therapistId`); off once the table lacks them. */
  legacyQueries: boolean
  release: (() => void) | undefined
}

/** Where a chunk's keyset scan stands: the last row read, in (`$updatedAt`, `$id`) order. */
interface ScanPosition {
  readonly updatedAt: number
  readonly id: string
}

/** One catch-up over a route: every row with `$updatedAt` ≥ `from`, chunk by chunk. */
interface CatchUpPass {
  readonly from: number
  /** Local epoch ms when the pass first started. */
  readonly startedAt: number
  /** By chunk (its keys joined): the last row read, or `'done'` once the chunk is exhausted. */
  readonly positions: Map<string, ScanPosition | 'done'>
}

interface FeedShape<TSnapshot, TEvent> {
  readonly route: Route
  readonly snapshot: (
    rows: readonly FeedRow[],
    connection: FeedConnection,
    lastEventAt: number | null,
    watchdog: WatchdogState | 'off',
  ) => TSnapshot
  readonly event: (type: 'created' | 'updated', row: FeedRow) => TEvent
  readonly compare: (a: FeedRow, b: FeedRow) => number
}

/** A feed's shape: its rows under `rowsKey` in snapshots, each under `rowKey` in events. */
function feedShape<TSnapshot, TEvent>(
  route: Route,
  rowsKey: string,
  rowKey: string,
  compare: (a: FeedRow, b: FeedRow) => number,
): FeedShape<TSnapshot, TEvent> {
  return {
    route,
    snapshot: (rows, connection, lastEventAt, watchdog) =>
      Object.freeze({ [rowsKey]: rows, connection, lastEventAt, watchdog }) as TSnapshot,
    event: (type, row) => Object.freeze({ type, [rowKey]: row }) as TEvent,
    compare,
  }
}

interface ListenerEntry<TEvent> {
  readonly listener: (event: TEvent) => void
  readonly since: number
}

const noop = (): void => {}

const versionOf = (row: { $updatedAt?: unknown }): number => {
  const value = typeof row.$updatedAt === 'string' ? Date.parse(row.$updatedAt) : Number.NaN
  return Number.isNaN(value) ? 0 : value
}

const createdOf = (row: { $createdAt?: unknown }): number =>
  typeof row.$createdAt === 'string' ? Date.parse(row.$createdAt) || 0 : 0

function sinceOf(value: FeedListenOptions['since'], now: number): number {
  if (value === undefined) return now
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `feed.listen: \`since\` must be epoch milliseconds, an ISO 8601 string or a Date, got ${String(value)}`,
    )
  }
  return ms
}

/**
 * The rows of one key (a provider's bookings, a room's messages), deduplicated by `$id` +
 * `$updatedAt`, with a lazily built immutable snapshot.
 *
 * @internal
 */
export class KeyedFeed<TSnapshot, TEvent>
  extends Subscribable<() => void>
  implements Feed<TSnapshot, TEvent>
{
  readonly key: string
  readonly #manager: FeedManagerImpl
  readonly #shape: FeedShape<TSnapshot, TEvent>
  readonly #rows = new Map<string, FeedRow>()
  readonly #versions = new Map<string, number>()
  readonly #gone = new Map<string, number>()
  readonly #eventListeners = new Set<ListenerEntry<TEvent>>()
  #loaded = false
  /** Whether the last initial load failed (catch-ups retry it). */
  loadFailed = false
  #connection: FeedConnection = 'offline'
  #watchdog: WatchdogState | 'off' = 'off'
  #lastEventAt: number | null = null
  #snapshot: TSnapshot | undefined
  #dirty = false

  constructor(manager: FeedManagerImpl, shape: FeedShape<TSnapshot, TEvent>, key: string) {
    super()
    this.#manager = manager
    this.#shape = shape
    this.key = key
  }

  get route(): Route {
    return this.#shape.route
  }

  get loaded(): boolean {
    return this.#loaded
  }

  getSnapshot(): TSnapshot {
    if (this.#snapshot === undefined) {
      const rows = [...this.#rows.values()].sort(this.#shape.compare)
      this.#snapshot = this.#shape.snapshot(
        Object.freeze(rows),
        this.#connection,
        this.#lastEventAt,
        this.#watchdog,
      )
    }
    return this.#snapshot
  }

  listen(listener: (event: TEvent) => void, options: FeedListenOptions = {}): () => void {
    const entry: ListenerEntry<TEvent> = {
      listener,
      since: sinceOf(options.since, this.#manager.clock.now()),
    }
    this.#eventListeners.add(entry)
    const unsubscribe = this.subscribe(() => noop())
    if (this.#loaded) {
      // Replay what the feed already holds that is newer than `since`, oldest first.
      const known = [...this.#rows.values()]
        .filter((row) => versionOf(row) >= entry.since)
        .sort((a, b) => versionOf(a) - versionOf(b))
      for (const row of known) this.#call(entry, this.#shape.event('created', row))
    }
    return () => {
      this.#eventListeners.delete(entry)
      unsubscribe()
    }
  }

  /** Applies one row version; returns whether it was new. */
  apply(row: FeedRow, via: Via): boolean {
    const id = row.$id
    const version = versionOf(row)
    const previous = this.#versions.get(id)
    if (previous !== undefined && version <= previous) return false
    this.#versions.set(id, version)
    this.#gone.delete(id)
    this.#rows.set(id, row)
    this.#lastEventAt = this.#manager.clock.now()
    this.#touch()
    // The realtime match rate measures whether providers are told: their feed alone counts.
    if (via !== 'load' && this.#shape.route.keyColumn === 'providerId') {
      this.#manager.metrics?.recordRealtime?.(via === 'realtime')
    }
    const event = this.#shape.event(previous === undefined ? 'created' : 'updated', row)
    for (const entry of this.#eventListeners) {
      // A row first found by a query and older than the listener's `since` existed before it
      // subscribed; one of the same millisecond is delivered (better twice-known than lost).
      if (previous === undefined && via !== 'realtime' && version < entry.since) continue
      this.#call(entry, event)
    }
    return true
  }

  /** Removes a deleted row from the snapshot (its version stays known, so a late event is ignored). */
  remove(row: FeedRow): void {
    const id = row.$id
    this.#gone.set(
      id,
      Math.max(versionOf(row), this.#versions.get(id) ?? 0, this.#gone.get(id) ?? 0),
    )
    this.#left(id)
  }

  /**
   * A newer version of a row that must no longer be shown (a compensated booking): it leaves the
   * snapshot, and an older version arriving late is ignored. Returns whether it was newer.
   */
  drop(row: FeedRow): boolean {
    const id = row.$id
    const version = versionOf(row)
    const previous = this.#versions.get(id)
    if (previous !== undefined && version <= previous) return false
    this.#versions.set(id, version)
    this.#gone.set(id, version)
    this.#left(id)
    return true
  }

  /**
   * A row left for good: out of the snapshot if it was in it; either way listeners are told, so a
   * list that showed the row from its own read (`goneAt`) drops it too.
   */
  #left(id: string): void {
    if (this.#rows.delete(id)) {
      this.#lastEventAt = this.#manager.clock.now()
      this.#touch()
    } else {
      this.#dirty = true
    }
  }

  goneAt(id: string): number | undefined {
    return this.#gone.get(id)
  }

  markLoaded(): void {
    if (this.#loaded) return
    this.#loaded = true
    this.#touch()
  }

  setStatus(connection: FeedConnection, watchdog: WatchdogState | 'off'): void {
    const effective = !this.#loaded && connection !== 'offline' ? 'connecting' : connection
    if (effective === this.#connection && watchdog === this.#watchdog) return
    this.#connection = effective
    this.#watchdog = watchdog
    this.#touch()
  }

  /** Notifies snapshot listeners once for everything applied since the last flush. */
  flush(): void {
    if (!this.#dirty) return
    this.#dirty = false
    for (const listener of this.listeners) {
      try {
        listener()
      } catch (error) {
        reportListenerError(error)
      }
    }
  }

  reset(): void {
    this.#loaded = false
    this.#connection = 'offline'
    this.#touch()
  }

  protected override onSubscribe(): void {
    this.#manager.attach(this as unknown as KeyedFeed<never, never>)
  }

  protected override onUnsubscribe(): void {
    this.#manager.detach(this as unknown as KeyedFeed<never, never>)
  }

  #touch(): void {
    this.#snapshot = undefined
    this.#dirty = true
  }

  #call(entry: ListenerEntry<TEvent>, event: TEvent): void {
    try {
      entry.listener(event)
    } catch (error) {
      reportListenerError(error)
    }
  }
}

/** @internal */
class ProviderFeedImpl
  extends KeyedFeed<ProviderFeedSnapshot, ProviderBookingEvent>
  implements ProviderFeed
{
  get providerId(): string {
    return this.key
  }
}

/** @internal */
class CustomerFeedImpl
  extends KeyedFeed<ProviderFeedSnapshot, ProviderBookingEvent>
  implements CustomerFeed
{
  get customerId(): string {
    return this.key
  }
}

/** @internal */
class RoomFeedImpl extends KeyedFeed<RoomFeedSnapshot, RoomMessageEvent> implements RoomFeed {
  get roomId(): string {
    return this.key
  }
}

function resolveConfig(config: FeedConfig, where: string): ResolvedFeedConfig {
  const check = (name: string, value: number, min: number, max = Number.POSITIVE_INFINITY) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new BookingGuardError(
        'CONFIGURATION',
        `${where}: \`${name}\` must be a number from ${min}${max === Number.POSITIVE_INFINITY ? '' : ` to ${max}`}, got ${String(value)}`,
      )
    }
    return value
  }
  return {
    pollIntervalMs: check('pollIntervalMs', config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 1),
    reconcileIntervalMs: check(
      'reconcileIntervalMs',
      config.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      0,
    ),
    overlapMs: check('overlapMs', config.overlapMs ?? DEFAULT_OVERLAP_MS, 0),
    initialLimit: Math.floor(
      check('initialLimit', config.initialLimit ?? DEFAULT_INITIAL_LIMIT, 1, 5_000),
    ),
    isSynthetic: config.isSynthetic ?? ((booking) => booking.synthetic === true),
  }
}

const sequenceOf = (row: FeedRow): number => {
  const sequence = row.$sequence
  return typeof sequence === 'string' || typeof sequence === 'number' ? Number(sequence) || 0 : 0
}

/** Oldest first: `$createdAt`, then Appwrite's insertion `$sequence`, then `$id`. */
const byOldest = (a: FeedRow, b: FeedRow): number =>
  createdOf(a) - createdOf(b) ||
  sequenceOf(a) - sequenceOf(b) ||
  (a.$id < b.$id ? -1 : a.$id > b.$id ? 1 : 0)

const byNewest = (a: FeedRow, b: FeedRow): number => byOldest(b, a)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Whether a provider may see this booking version: not a synthetic (health-check) booking, and
 * delivered by the pipeline (`pipelineStatus` neither `'pending'`, when its chat room may not
 * exist yet, nor `'failed'`, compensated) and not void (a late write may set a compensated
 * booking back to `delivered`, never its void marker). A booking stuck pending appears once the
 * reconciler delivers it. The one place the feeds decide it: realtime events, catch-ups and
 * loads alike.
 *
 * @internal
 */
export function isShownBooking(
  booking: FeedBooking,
  config: { readonly isSynthetic: (booking: FeedBooking) => boolean },
): boolean {
  return (
    booking.pipelineStatus !== 'pending' && !isCompensated(booking) && !config.isSynthetic(booking)
  )
}

/**
 * The keyset position after a full page. A server that ignored the window (or sorted otherwise)
 * would make a catch-up read the same page forever: that is refused loudly instead.
 */
function nextPosition(
  previous: ScanPosition | undefined,
  last: FeedRow,
  tableId: string,
): ScanPosition {
  const next = { updatedAt: versionOf(last), id: last.$id }
  if (
    previous !== undefined &&
    (next.updatedAt < previous.updatedAt ||
      (next.updatedAt === previous.updatedAt && next.id === previous.id))
  ) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `feed.catchUp: table \`${tableId}\` returned rows out of (\`$updatedAt\`, \`$id\`) order after row \`${previous.id}\`; the catch-up needs \`Query.or\`/\`Query.and\` on \`$updatedAt\` and \`$id\` (Appwrite 1.5 or later)`,
    )
  }
  return next
}

/** @internal */
export class FeedManagerImpl implements FeedManager {
  readonly clock: Clock
  readonly metrics: RealtimeMetrics | undefined
  readonly watchdog: Watchdog | undefined
  readonly #deps: FeedDeps
  readonly #config: ResolvedFeedConfig
  readonly #routes: {
    readonly booking: Route
    readonly customerBooking: Route
    readonly chatMessage: Route
  }
  readonly #providerShape: FeedShape<ProviderFeedSnapshot, ProviderBookingEvent>
  readonly #customerShape: FeedShape<ProviderFeedSnapshot, ProviderBookingEvent>
  readonly #roomShape: FeedShape<RoomFeedSnapshot, RoomMessageEvent>
  #active = 0
  #connection: FeedConnection = 'offline'
  #recovering = false
  #failure: 'network' | 'other' | undefined
  #catchingUp: Promise<void> | undefined
  #again = false
  #timer: TimerHandle | undefined
  #timerPolling: boolean | undefined
  #release: Array<() => void> = []
  /**
   * A lower bound of (server clock − local clock) in ms, from server timestamps seen (rows'
   * `$updatedAt`, events' `timestamp`: never ahead of the server's clock); `-Infinity` before one.
   */
  #skew = Number.NEGATIVE_INFINITY
  /** Local epoch ms of the last event timestamp sampled into `#skew`. */
  #observedAt = Number.NEGATIVE_INFINITY

  constructor(deps: FeedDeps, config: FeedConfig) {
    this.#deps = deps
    this.clock = deps.clock
    this.metrics = deps.metrics
    this.watchdog = deps.watchdog
    this.#config = resolveConfig(config, 'createFeedManager')
    const lock = deps.lock
    const aliasesOf = (kind: 'booking' | 'chatMessage', column: string) =>
      Object.entries(lock.aliases(kind))
        .filter(([, canonical]) => canonical === column)
        .map(([alias]) => alias)
    const route = (kind: 'booking' | 'chatMessage', keyColumn: string): Route => ({
      kind,
      tableId: lock.tableId(kind),
      keyColumn,
      keyAliases: aliasesOf(kind, keyColumn),
      index: new Map(),
      settled: 0,
      lastPassAt: undefined,
      pass: undefined,
      legacyQueries: true,
      release: undefined,
    })
    this.#routes = {
      booking: route('booking', 'providerId'),
      customerBooking: route('booking', 'customerId'),
      chatMessage: route('chatMessage', 'roomId'),
    }
    // A customer's feed is a provider's on another key column: same rows, order and events.
    this.#providerShape = feedShape(this.#routes.booking, 'bookings', 'booking', byNewest)
    this.#customerShape = feedShape(this.#routes.customerBooking, 'bookings', 'booking', byNewest)
    this.#roomShape = feedShape(this.#routes.chatMessage, 'messages', 'message', byOldest)
  }

  providerFeed(providerId: string): ProviderFeed {
    return (
      (this.#running(this.#providerShape.route, providerId, 'providerId') as
        ProviderFeed | undefined) ?? new ProviderFeedImpl(this, this.#providerShape, providerId)
    )
  }

  customerFeed(customerId: string): CustomerFeed {
    return (
      (this.#running(this.#customerShape.route, customerId, 'customerId') as
        CustomerFeed | undefined) ?? new CustomerFeedImpl(this, this.#customerShape, customerId)
    )
  }

  roomFeed(roomId: string): RoomFeed {
    return (
      (this.#running(this.#roomShape.route, roomId, 'roomId') as RoomFeed | undefined) ??
      new RoomFeedImpl(this, this.#roomShape, roomId)
    )
  }

  subscribeToProviderBookings(
    providerId: string,
    listener: (event: ProviderBookingEvent) => void,
    options?: FeedListenOptions,
  ): () => void {
    return this.providerFeed(providerId).listen(listener, options)
  }

  subscribeToRoom(
    roomId: string,
    listener: (event: RoomMessageEvent) => void,
    options?: FeedListenOptions,
  ): () => void {
    return this.roomFeed(roomId).listen(listener, options)
  }

  catchUp(): Promise<void> {
    this.#requestCatchUp()
    return this.#catchingUp ?? Promise.resolve()
  }

  // --------------------------------------------------------------------------------------------
  // Feed lifecycle
  // --------------------------------------------------------------------------------------------

  /** A running feed of that key, so several components share one snapshot. */
  #running(route: Route, key: string, name: string): unknown {
    if (typeof key !== 'string' || key === '') {
      throw new BookingGuardError(
        'CONFIGURATION',
        `feed: \`${name}\` must be a non-empty string, got ${String(key)}`,
      )
    }
    const running = route.index.get(key)
    if (running !== undefined) for (const feed of running) return feed
    return undefined
  }

  attach(feed: KeyedFeed<never, never>): void {
    const route = feed.route
    let feeds = route.index.get(feed.key)
    if (feeds === undefined) route.index.set(feed.key, (feeds = new Set()))
    feeds.add(feed)
    if (route.release === undefined) {
      route.settled = this.clock.now() - this.#config.overlapMs
      route.lastPassAt = undefined
      route.pass = undefined
      route.release = this.#deps.session.use(route.tableId, (payload, event) =>
        this.#onEvent(route, payload, event.events),
      )
    }
    if (this.#active++ === 0) this.#start()
    feed.setStatus(this.#connection, this.#watchdogState())
    feed.flush()
    void this.#load(feed)
    this.#reschedule()
  }

  detach(feed: KeyedFeed<never, never>): void {
    const route = feed.route
    const feeds = route.index.get(feed.key)
    if (feeds?.delete(feed) && feeds.size === 0) route.index.delete(feed.key)
    if (route.index.size === 0 && route.release !== undefined) {
      route.release()
      route.release = undefined
    }
    feed.reset()
    if (--this.#active === 0) this.#stop()
  }

  #start(): void {
    const { session, watchdog } = this.#deps
    this.#release.push(session.onStatus((status) => this.#onStatus(status)))
    this.#release.push(session.onEvent((event) => this.#observe(event)))
    if (watchdog !== undefined) {
      let previous = watchdog.getSnapshot().state
      this.#release.push(
        watchdog.onStateChange((event) => {
          const wasFailing = previous === 'degraded' || previous === 'dead'
          previous = event.to
          // Recovery: catch up first, then back to live.
          if (event.to === 'healthy' && wasFailing) {
            this.#recovering = true
            this.#requestCatchUp()
          }
          this.#update()
        }),
      )
    }
    this.#update()
  }

  #stop(): void {
    for (const release of this.#release) release()
    this.#release = []
    this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerPolling = undefined
    this.#recovering = false
    this.#failure = undefined
    this.#connection = 'offline'
  }

  #onStatus(status: SessionStatus): void {
    // Every (re)established subscription may have missed events while it was down.
    if (status === 'subscribed') this.#requestCatchUp()
    this.#update()
  }

  #watchdogState(): WatchdogState | 'off' {
    return this.#deps.watchdog?.getSnapshot().state ?? 'off'
  }

  #compute(): FeedConnection {
    if (this.#active === 0 || this.#failure === 'network') return 'offline'
    const status = this.#deps.session.status
    if (status === 'closed') return 'reconnecting'
    const watchdog = this.#watchdogState()
    if (watchdog === 'degraded' || watchdog === 'dead' || this.#recovering) return 'polling'
    if (status !== 'subscribed') {
      return this.#deps.session.everSubscribed ? 'reconnecting' : 'connecting'
    }
    return 'live'
  }

  /** Recomputes the connection state, tells every feed, and adjusts polling. */
  #update(): void {
    this.#connection = this.#compute()
    const watchdog = this.#watchdogState()
    for (const route of Object.values(this.#routes)) {
      for (const feeds of route.index.values()) {
        for (const feed of feeds) {
          feed.setStatus(this.#connection, watchdog)
          feed.flush()
        }
      }
    }
    this.#reschedule()
  }

  // --------------------------------------------------------------------------------------------
  // Realtime
  // --------------------------------------------------------------------------------------------

  /** Whether a row version stays out of the feeds (see {@link isShownBooking}). */
  #hidden(route: Route, row: FeedRow): boolean {
    return route.kind === 'booking' && !isShownBooking(row as unknown as FeedBooking, this.#config)
  }

  /**
   * Shows `row` in `feed`, or, for a version that stays out, drops the row when that version
   * ends it (a compensated booking: failed or void); a booking still `pending` keeps whatever
   * version the feed shows. Returns whether the feed changed.
   */
  #offer(feed: KeyedFeed<never, never>, route: Route, row: FeedRow, via: Via): boolean {
    if (!this.#hidden(route, row)) return feed.apply(row, via)
    return isCompensated(row) && feed.drop(row)
  }

  /** The feeds a raw payload may belong to, by its key column or a legacy alias of it. */
  #candidates(route: Route, payload: Record<string, unknown>): boolean {
    const key = payload[route.keyColumn]
    if (typeof key === 'string' && route.index.has(key)) return true
    for (const alias of route.keyAliases) {
      const value = payload[alias]
      if (typeof value === 'string' && route.index.has(value)) return true
    }
    return false
  }

  #onEvent(route: Route, payload: Record<string, unknown>, events: readonly string[]): void {
    // An index lookup on the raw payload first: events for keys nobody follows cost no normalization.
    if (typeof payload.$id !== 'string' || !this.#candidates(route, payload)) return
    const row = this.#deps.lock.normalize(route.kind, payload) as unknown as FeedRow
    const key = row[route.keyColumn]
    if (typeof key !== 'string') return
    const feeds = route.index.get(key)
    if (feeds === undefined) return
    const deleted = events.some((name) => name.endsWith('.delete'))
    for (const feed of feeds) {
      if (deleted) feed.remove(row)
      else if (!this.#offer(feed, route, row, 'realtime')) continue
      feed.flush()
    }
  }

  // --------------------------------------------------------------------------------------------
  // Queries: initial load, catch-up, polling
  // --------------------------------------------------------------------------------------------

  #keyFilter(route: Route, keys: readonly string[]): string {
    if (!route.legacyQueries || route.keyAliases.length === 0) return Q.equal(route.keyColumn, keys)
    return Q.or([
      Q.equal(route.keyColumn, keys),
      ...route.keyAliases.map((alias) => Q.equal(alias, keys)),
    ])
  }

  /**
   * Lists rows; when the table lacks a legacy key column (the server refuses the attribute),
   * retries once matching the canonical column only and remembers that.
   */
  async #list(route: Route, build: () => string[]): Promise<FeedRow[]> {
    try {
      return (await this.#deps.backend.list(route.tableId, build())).rows as FeedRow[]
    } catch (error) {
      const usedLegacy = route.legacyQueries && route.keyAliases.length > 0
      const message = error instanceof Error ? error.message : ''
      if (!usedLegacy || !/attribute not found|unknown attribute/i.test(message)) throw error
      route.legacyQueries = false
      return (await this.#deps.backend.list(route.tableId, build())).rows as FeedRow[]
    }
  }

  #route(route: Route, raw: FeedRow, via: Via, touched: Set<KeyedFeed<never, never>>): void {
    if (!this.#candidates(route, raw)) return
    const row = this.#deps.lock.normalize(route.kind, raw) as unknown as FeedRow
    const key = row[route.keyColumn]
    if (typeof key !== 'string') return
    const feeds = route.index.get(key)
    if (feeds === undefined) return
    for (const feed of feeds) {
      if (this.#offer(feed, route, row, via)) touched.add(feed)
    }
  }

  async #load(feed: KeyedFeed<never, never>): Promise<void> {
    const route = feed.route
    feed.loadFailed = false
    try {
      const rows = await this.#list(route, () => [
        this.#keyFilter(route, [feed.key]),
        Q.orderDesc('$updatedAt'),
        Q.limit(this.#config.initialLimit),
      ])
      if (!route.index.get(feed.key)?.has(feed)) return
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = this.#deps.lock.normalize(route.kind, rows[i]) as unknown as FeedRow
        this.#offer(feed, route, row, 'load')
      }
      feed.markLoaded()
      feed.setStatus(this.#connection, this.#watchdogState())
      feed.flush()
      this.#reschedule()
    } catch (error) {
      feed.loadFailed = true
      this.#fail(error, 'feed.load', { tableId: route.tableId, key: feed.key })
    }
  }

  #requestCatchUp(): void {
    if (this.#active === 0) return
    if (this.#catchingUp !== undefined) {
      this.#again = true
      return
    }
    this.#catchingUp = this.#runCatchUps().finally(() => {
      this.#catchingUp = undefined
    })
  }

  async #runCatchUps(): Promise<void> {
    do {
      this.#again = false
      let ok = true
      try {
        for (const route of Object.values(this.#routes)) {
          if (route.index.size > 0) await this.#catchUpRoute(route)
        }
      } catch (error) {
        ok = false
        this.#fail(error, 'feed.catchUp', {})
      }
      if (ok) {
        this.#failure = undefined
        this.#recovering = false
      }
      // Feeds whose initial load failed try again with every catch-up.
      const unloaded: Array<KeyedFeed<never, never>> = []
      for (const route of Object.values(this.#routes)) {
        for (const feeds of route.index.values()) {
          for (const feed of feeds) if (!feed.loaded && feed.loadFailed) unloaded.push(feed)
        }
      }
      for (const feed of unloaded) await this.#load(feed)
    } while (this.#again && this.#active > 0)
    this.#timerPolling = undefined
    this.#update()
  }

  /**
   * Reads every followed row updated since the last complete pass started (on the server's
   * clock) minus the overlap, chunk by chunk, each chunk by keyset pages over (`$updatedAt`,
   * `$id`): no page is read twice and no cap stops it short. A failed pass is resumed where it
   * stopped, so a long one converges even when some of its requests fail.
   */
  async #catchUpRoute(route: Route): Promise<void> {
    const pass = (route.pass ??= {
      from:
        route.lastPassAt === undefined
          ? route.settled
          : // The skew known now, not at the end of the last pass: it only ever gets tighter.
            Math.max(route.settled, route.lastPassAt + this.#skew - this.#config.overlapMs),
      startedAt: this.clock.now(),
      positions: new Map(),
    })
    for (const chunk of this.#chunks(route, [...route.index.keys()])) {
      const signature = chunk.join('\n')
      let position = pass.positions.get(signature)
      while (position !== 'done') {
        const after = position
        const rows = await this.#list(route, () => [
          this.#keyFilter(route, chunk),
          after === undefined
            ? Q.greaterThanEqual('$updatedAt', new Date(pass.from).toISOString())
            : Q.or([
                Q.greaterThan('$updatedAt', new Date(after.updatedAt).toISOString()),
                Q.and([
                  Q.equal('$updatedAt', new Date(after.updatedAt).toISOString()),
                  Q.greaterThan('$id', after.id),
                ]),
              ]),
          Q.orderAsc('$updatedAt'),
          Q.orderAsc('$id'),
          Q.limit(PAGE_SIZE),
        ])
        const now = this.clock.now()
        const touched = new Set<KeyedFeed<never, never>>()
        for (const row of rows) {
          if (!isRecord(row) || typeof row.$id !== 'string') continue
          this.#skew = Math.max(this.#skew, versionOf(row) - now)
          this.#route(route, row, 'catchUp', touched)
        }
        for (const feed of touched) feed.flush()
        const last = rows.at(-1)
        position =
          rows.length < PAGE_SIZE || last === undefined
            ? 'done'
            : nextPosition(after, last, route.tableId)
        pass.positions.set(signature, position)
      }
    }
    route.pass = undefined
    route.settled = pass.from
    route.lastPassAt = pass.startedAt
  }

  /**
   * Tightens the estimate of the server's clock from an event's server timestamp (at most once a
   * second: a lower bound needs no more).
   */
  #observe(event: RealtimeEventLike): void {
    const now = this.clock.now()
    if (now - this.#observedAt < 1_000) return
    const at = Date.parse(event.timestamp)
    if (Number.isNaN(at)) return
    this.#observedAt = now
    this.#skew = Math.max(this.#skew, at - now)
  }

  /**
   * Splits the keys into groups whose filter Appwrite accepts: at most 100 values per `equal`
   * and at most 4,096 characters per query string (the legacy aliases repeat every key).
   */
  #chunks(route: Route, keys: readonly string[]): string[][] {
    const copies = route.legacyQueries ? 1 + route.keyAliases.length : 1
    const base = this.#keyFilter(route, []).length
    const chunks: string[][] = []
    let chunk: string[] = []
    let length = base
    for (const key of keys) {
      const size = JSON.stringify(key).length
      if (
        chunk.length > 0 &&
        (chunk.length >= MAX_KEYS_PER_QUERY || length + copies * (size + 1) > MAX_QUERY_CHARS)
      ) {
        chunks.push(chunk)
        chunk = []
        length = base
      }
      length += copies * (size + (chunk.length > 0 ? 1 : 0))
      chunk.push(key)
    }
    if (chunk.length > 0) chunks.push(chunk)
    return chunks
  }

  #fail(error: unknown, operation: string, context: Record<string, unknown>): void {
    const network = errorFacts(error).category === 'network'
    this.#failure = network ? 'network' : 'other'
    this.#deps.monitor?.capture(error, {
      category: 'realtime',
      severity: 'warning',
      operation,
      context,
    })
    this.#timerPolling = undefined
    this.#update()
  }

  #reschedule(): void {
    if (this.#active === 0) return
    const connection = this.#connection
    const polling =
      connection === 'polling' ||
      connection === 'reconnecting' ||
      connection === 'offline' ||
      this.#failure !== undefined
    // Keep a running timer of the same kind, so frequent updates cannot starve it.
    if (this.#timer !== undefined && this.#timerPolling === polling) return
    this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerPolling = polling
    const delay = polling ? this.#config.pollIntervalMs : this.#config.reconcileIntervalMs
    if (delay === 0) return
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined
      this.#timerPolling = undefined
      this.#requestCatchUp()
      this.#reschedule()
    }, delay)
  }
}

/** Resolves the connection-level options shared by the public factories. @internal */
export function realtimeDeps(
  options: Pick<
    FeedManagerOptions,
    'tablesDB' | 'databases' | 'databaseId' | 'realtime' | 'lock' | 'clock' | 'monitor' | 'channel'
  >,
): {
  session: RealtimeSession
  backend: Backend
  lock: ReadLock
  clock: Clock
} {
  const lock = options.lock ?? defaultReadLock()
  const connection = connectRealtime(options)
  return { ...connection, backend: backendFor(lock, connection.backend), lock }
}

/** Builds a feed manager on existing dependencies (the guard's shared session). @internal */
export function createFeedManagerOn(deps: FeedDeps, config: FeedConfig): FeedManager {
  return new FeedManagerImpl(deps, config)
}

/**
 * Creates a feed manager: live, gap-free feeds of provider bookings and chat room messages over
 * one realtime subscription, routed by index, with catch-up queries after every (re)connect and
 * recovery, polling while realtime is degraded, and a watchdog. Inside a guard, use
 * `guard.subscribeToProviderBookings` / `guard.providerFeed` instead.
 *
 * @example
 * ```ts
 * import { Realtime } from 'appwrite'
 * import { createFeedManager } from '@booking-guard/core/realtime'
 *
 * // A server worker: one subscription for every provider it serves.
 * const feeds = createFeedManager({ tablesDB, realtime: new Realtime(client), databaseId: 'main' })
 * for (const providerId of providerIds) {
 *   feeds.subscribeToProviderBookings(providerId, ({ type, booking }) => {
 *     if (type === 'created') sendSms(providerId, booking)
 *   })
 * }
 * ```
 */
export function createFeedManager(options: FeedManagerOptions): FeedManager {
  const deps = realtimeDeps(options)
  const watchdog =
    options.watchdog === false
      ? undefined
      : createWatchdogOn(
          { ...deps, monitor: options.monitor, metrics: options.metrics },
          { heartbeatTableId: deps.lock.tableId('heartbeat'), ...options.watchdog },
        )
  return new FeedManagerImpl(
    { ...deps, monitor: options.monitor, metrics: options.metrics, watchdog },
    options,
  )
}
