import type { Backend } from '../backend/appwriteBackend'
import type { Clock } from '../clock'
import { BookingGuardError } from '../errors'
import type { ReadLock } from '../schema/readLock'
import type { SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import { createFeedManagerOn } from './feed'
import type { CustomerFeed, FeedConfig, FeedManager, ProviderFeed, RoomFeed } from './feed'
import { DEFAULT_SYNTHETIC_PROVIDER_ID, createHealthCheckOn } from './healthCheck'
import type {
  HealthCheck,
  HealthCheckConfig,
  HealthCheckResult,
  SyntheticBookingWriter,
} from './healthCheck'
import { RealtimeSession } from './session'
import type {
  ChannelBuilder,
  FeedBooking,
  FeedListenOptions,
  ProviderBookingEvent,
  RealtimeConnectionLike,
  RealtimeMetrics,
  RealtimeMonitor,
  RoomMessageEvent,
} from './types'
import { createWatchdogOn, resolveWatchdogConfig } from './watchdog'
import type { Watchdog, WatchdogConfig } from './watchdog'

/** The realtime part of `createBookingGuard`'s options (needs `realtime`). */
export interface GuardRealtimeOptions {
  /**
   * The watchdog of the guard's feeds ({@link WatchdogConfig}), or `false` for none. Its canary
   * travels on the feeds' own subscription. Defaults to a canary every 15 s with a 5 s timeout
   * (a dead subscription is detected within 20 s) on the lock's heartbeat table.
   */
  watchdog?: WatchdogConfig | false
  /** How the feeds poll and catch up ({@link FeedConfig}). Defaults as documented there. */
  feeds?: FeedConfig
  /** How `runHealthCheck` / `startHealthChecks` run ({@link HealthCheckConfig}). */
  healthCheck?: HealthCheckConfig
  /**
   * The realtime channel of a table. Defaults to `databases.{db}.collections.{table}.documents`,
   * which works on servers before and after 1.8.
   */
  channel?: ChannelBuilder
}

/** The feeds and watchdogs of a booking guard or a booking client. */
export interface GuardFeeds {
  /**
   * Calls `listener` with every version of every booking of `providerId`, exactly once and in
   * order per booking (`created`, then `updated`), over the guard's one realtime subscription:
   * payloads normalized by the schema lock (legacy `therapistId` rows match), catch-up queries
   * after every (re)connect and recovery, polling while the watchdog finds realtime degraded.
   * Synthetic (health-check) bookings are never delivered. Needs the guard's `realtime`.
   *
   * @example
   * ```ts
   * const stop = guard.subscribeToProviderBookings(providerId, ({ type, booking }) => {
   *   if (type === 'created') notifyProvider(booking)
   * })
   * ```
   */
  subscribeToProviderBookings(
    providerId: string,
    listener: (event: ProviderBookingEvent) => void,
    options?: FeedListenOptions,
  ): () => void
  /**
   * Calls `listener` with every version of every message of a chat room, exactly once and in
   * order, with the same catch-up and polling as the provider feed. Needs the guard's `realtime`.
   *
   * @example
   * ```ts
   * const stop = guard.subscribeToRoom(bookingId, ({ type, message }) => {
   *   if (type === 'created') appendMessage(message)
   * })
   * ```
   */
  subscribeToRoom(
    roomId: string,
    listener: (event: RoomMessageEvent) => void,
    options?: FeedListenOptions,
  ): () => void
  /**
   * A provider's live bookings as an observable snapshot (`bookings`, `connection`,
   * `lastEventAt`, `watchdog`), for React's `useSyncExternalStore` without glue.
   *
   * @example
   * ```ts
   * const feed = guard.providerFeed(providerId)
   * const { bookings, connection } = useSyncExternalStore(feed.subscribe, feed.getSnapshot)
   * ```
   */
  providerFeed(providerId: string): ProviderFeed
  /**
   * A customer's own live bookings as an observable snapshot, with the provider feed's catch-up,
   * polling and rules (delivered bookings only: never pending, compensated, void or synthetic).
   * In the browser it reads and subscribes as the signed-in user. Needs the guard's `realtime`.
   *
   * @example
   * ```ts
   * const feed = guard.customerFeed(user.$id)
   * const { bookings } = useSyncExternalStore(feed.subscribe, feed.getSnapshot)
   * ```
   */
  customerFeed(customerId: string): CustomerFeed
  /**
   * A chat room's live messages as an observable snapshot (`messages`, `connection`, …).
   *
   * @example
   * ```ts
   * const room = guard.roomFeed(bookingId)
   * const { messages } = useSyncExternalStore(room.subscribe, room.getSnapshot)
   * ```
   */
  roomFeed(roomId: string): RoomFeed
  /**
   * A watchdog on the guard's realtime subscription (the one the feeds use): a canary every
   * `intervalMs`, `critical` captures and metrics on failure. The feeds have their own, configured
   * with the guard's `watchdog` option; use this one to watch realtime without a feed, or with
   * other settings. It runs while it has listeners.
   *
   * @example
   * ```ts
   * const watchdog = guard.createWatchdog({ watcherId: `hb-${userId}`, intervalMs: 10_000 })
   * const stop = watchdog.onStateChange(({ to }) => setRealtimeBadge(to))
   * ```
   */
  createWatchdog(options?: WatchdogConfig): Watchdog
  /**
   * The watchdog the guard's feeds rely on (configured by the guard's `watchdog` option), for a
   * connection banner that should say what the feeds see without a second canary writer:
   * `useConnectionState` follows this one. It runs while a feed or a listener uses it; the same
   * object on every call. `undefined` when the guard was created with `watchdog: false`. Needs
   * the guard's `realtime`.
   *
   * @example
   * ```ts
   * const watchdog = guard.watchdog() ?? guard.createWatchdog()
   * const stop = watchdog.onStateChange(({ to }) => setRealtimeBadge(to))
   * ```
   */
  watchdog(): Watchdog | undefined
}

/** The realtime methods of a booking guard: its feeds and watchdogs, and the health check. */
export interface GuardRealtime extends GuardFeeds {
  /**
   * Runs one synthetic health check now: a flagged booking for the synthetic provider through
   * the real pipeline, its rows read back, its realtime event awaited, everything removed again.
   * Never rejects; feeds the metrics' health check pass rate. Needs the guard's `realtime`.
   *
   * @example
   * ```ts
   * const { ok, steps } = await guard.runHealthCheck()
   * if (!ok) console.table(steps)
   * ```
   */
  runHealthCheck(): Promise<HealthCheckResult>
  /**
   * Runs the health check now and every `intervalMs` milliseconds after (default `60_000`),
   * never overlapping; `onResult` sees every run. Returns a function that stops the schedule.
   *
   * @example
   * ```ts
   * const stop = guard.startHealthChecks({ intervalMs: 60_000, onResult: (r) => r.ok || page(r) })
   * ```
   */
  startHealthChecks(options?: {
    intervalMs?: number
    onResult?: (result: HealthCheckResult) => void
  }): () => void
}

/** What a guard or a client hands its feeds. @internal */
export interface GuardFeedsDeps {
  readonly backend: Backend
  readonly lock: ReadLock
  readonly clock: Clock
  readonly databaseId: string
  readonly realtime: RealtimeConnectionLike | undefined
  readonly monitor?: RealtimeMonitor | undefined
  readonly metrics?: RealtimeMetrics | undefined
}

/** What the guard hands its realtime part. @internal */
export interface GuardRealtimeDeps extends GuardFeedsDeps {
  /** The guard's full lock: the health check parses its synthetic booking's input. */
  readonly lock: SchemaLock<SchemaExtensions>
  /** The guard's own `createBooking`, for synthetic bookings. */
  readonly createBooking: SyntheticBookingWriter
}

/** The feeds of a guard or a client, and the session they share, built on first use. */
interface FeedsPart extends GuardFeeds {
  /** The shared session's dependencies, for the health check. */
  readonly base: (method: string) => BaseDeps
}

type BaseDeps = Pick<GuardFeedsDeps, 'backend' | 'lock' | 'clock' | 'monitor' | 'metrics'> & {
  readonly session: RealtimeSession
}

/**
 * The feeds and watchdogs of `createBookingGuard` and `createBookingClient`, built lazily on first
 * use: one session (one realtime subscription) shared by the feeds and the watchdogs. No health
 * check here, so a browser bundle that only reads never loads it.
 *
 * @internal
 */
export function createGuardFeeds(
  deps: GuardFeedsDeps,
  options: Omit<GuardRealtimeOptions, 'healthCheck'> & {
    /** The synthetic provider, whose bookings the feeds never show. */
    readonly syntheticProviderId?: string
  } = {},
): FeedsPart {
  // Validate at guard creation, not on first use.
  const watchdogConfig =
    options.watchdog === false
      ? undefined
      : resolveWatchdogConfig(
          { heartbeatTableId: deps.lock.tableId('heartbeat'), ...options.watchdog },
          'createBookingGuard `watchdog`',
        )
  const syntheticProviderId = options.syntheticProviderId ?? DEFAULT_SYNTHETIC_PROVIDER_ID
  const isSynthetic =
    options.feeds?.isSynthetic ?? ((booking: FeedBooking) => booking.synthetic === true)
  let session: RealtimeSession | undefined
  let feeds: FeedManager | undefined

  const sessionFor = (method: string): RealtimeSession => {
    if (deps.realtime === undefined) {
      throw new BookingGuardError(
        'CONFIGURATION',
        `guard.${method} needs realtime: pass \`realtime: new Realtime(client)\` (a Realtime object of its own) to createBookingGuard`,
      )
    }
    return (session ??= new RealtimeSession({
      realtime: deps.realtime,
      databaseId: deps.databaseId,
      clock: deps.clock,
      channel: options.channel,
      monitor: deps.monitor,
    }))
  }
  const base = (method: string): BaseDeps => ({
    session: sessionFor(method),
    backend: deps.backend,
    lock: deps.lock,
    clock: deps.clock,
    monitor: deps.monitor,
    metrics: deps.metrics,
  })
  const feedsFor = (method: string): FeedManager => {
    if (feeds !== undefined) return feeds
    const shared = base(method)
    return (feeds = createFeedManagerOn(
      {
        ...shared,
        watchdog:
          watchdogConfig === undefined ? undefined : createWatchdogOn(shared, watchdogConfig),
      },
      {
        ...options.feeds,
        // Even if a pipeline did not flag it, a booking for the synthetic provider is synthetic.
        isSynthetic: (booking) =>
          booking.providerId === syntheticProviderId || isSynthetic(booking),
      },
    ))
  }

  return {
    base,
    subscribeToProviderBookings: (providerId, listener, listenOptions) =>
      feedsFor('subscribeToProviderBookings').subscribeToProviderBookings(
        providerId,
        listener,
        listenOptions,
      ),
    subscribeToRoom: (roomId, listener, listenOptions) =>
      feedsFor('subscribeToRoom').subscribeToRoom(roomId, listener, listenOptions),
    providerFeed: (providerId) => feedsFor('providerFeed').providerFeed(providerId),
    customerFeed: (customerId) => feedsFor('customerFeed').customerFeed(customerId),
    roomFeed: (roomId) => feedsFor('roomFeed').roomFeed(roomId),
    createWatchdog: (watchdogOptions = {}) =>
      createWatchdogOn(base('createWatchdog'), {
        heartbeatTableId: deps.lock.tableId('heartbeat'),
        ...watchdogOptions,
      }),
    watchdog: () => feedsFor('watchdog').watchdog,
  }
}

/**
 * The realtime methods of `createBookingGuard`: its feeds and watchdogs, and the health check on
 * the same session.
 *
 * @internal
 */
export function createGuardRealtime(
  deps: GuardRealtimeDeps,
  options: GuardRealtimeOptions = {},
): GuardRealtime {
  const { base, ...feeds } = createGuardFeeds(deps, {
    ...options,
    syntheticProviderId: options.healthCheck?.syntheticProviderId,
  })
  let healthCheck: HealthCheck | undefined
  const healthCheckFor = (method: string): HealthCheck =>
    (healthCheck ??= createHealthCheckOn(
      { ...base(method), lock: deps.lock },
      {
        ...options.healthCheck,
        createBooking: deps.createBooking,
      },
    ))

  return {
    ...feeds,
    runHealthCheck: () => healthCheckFor('runHealthCheck').run(),
    startHealthChecks: (startOptions = {}) => {
      const check = healthCheckFor('startHealthChecks')
      const off =
        startOptions.onResult === undefined ? undefined : check.onResult(startOptions.onResult)
      const stop = check.start(
        startOptions.intervalMs === undefined ? {} : { intervalMs: startOptions.intervalMs },
      )
      return () => {
        off?.()
        stop()
      }
    },
  }
}
