import type { Backend } from '../backend/appwriteBackend'
import type { DatabasesLike, TablesDBLike } from '../backend/types'
import type { Clock, TimerHandle } from '../clock'
import { BookingGuardError } from '../errors'
import { randomId } from '../pipeline/ids'
import { Emitter } from '../resilience/emitter'
import { APPWRITE_ID_PATTERN } from '../schema/kinds'
import { DEFAULT_TABLE_IDS } from '../schema/kinds'
import { Subscribable } from '../subscribable'
import { connectRealtime } from './session'
import type { RealtimeSession } from './session'
import type { SessionStatus } from './session'
import type {
  ChannelBuilder,
  RealtimeConnectionLike,
  RealtimeMetrics,
  RealtimeMonitor,
  WatchdogState,
} from './types'

/** Default time between two canaries, in milliseconds. */
export const DEFAULT_WATCHDOG_INTERVAL_MS = 15_000
/** Default time a canary's realtime echo may take, in milliseconds. */
export const DEFAULT_WATCHDOG_TIMEOUT_MS = 5_000
/** Default number of missed canaries in a row that make the subscription `dead`. */
export const DEFAULT_DEAD_AFTER_MISSES = 2

/**
 * How a watchdog tests realtime. Detection of a dead subscription takes at most
 * `intervalMs + timeoutMs` (20 s with the defaults): a subscription that dies right after a
 * canary is caught by the next one. A shorter interval detects sooner but writes one heartbeat
 * row per interval per watcher (4 per minute with the defaults) and may page on a slow network;
 * a shorter timeout flags slow-but-working realtime as degraded.
 */
export interface WatchdogConfig {
  /**
   * The table the canary heartbeat rows go to. Defaults to `'heartbeats'` (the schema lock's
   * `heartbeat` table; the guard passes `lock.tableId('heartbeat')`).
   */
  heartbeatTableId?: string
  /**
   * Id of this watcher's heartbeat row (one row per watcher, rewritten on every canary and
   * deleted when the watchdog stops). Use a stable id such as `hb-${userId}` so crashed tabs do
   * not leave rows behind. Appwrite id rules apply. Defaults to a random id.
   */
  watcherId?: string
  /**
   * Milliseconds between two canaries; `0` turns the canary off (then only `silenceMs` detects
   * anything). Defaults to `15_000`.
   */
  intervalMs?: number
  /** Milliseconds a canary's realtime event may take before it counts as missed. Defaults to `5_000`. */
  timeoutMs?: number
  /**
   * Missed canaries in a row after which the state is `dead` (the first miss makes it
   * `degraded`). Defaults to `2`.
   */
  deadAfterMisses?: number
  /**
   * Passive detection: with no realtime event at all for this many milliseconds while
   * `activityExpected()` is true, the state becomes `degraded`. Canary echoes count as events, so
   * with the canary on this only matters when the canary fails to write. Defaults to off.
   */
  silenceMs?: number
  /**
   * Whether realtime traffic is expected right now, read when `silenceMs` runs out (e.g. "during
   * opening hours"). Defaults to always `true`.
   */
  activityExpected?: () => boolean
  /**
   * Permissions of the heartbeat row. A watcher that subscribes as a user (a browser) must be
   * able to read and update its own row. Defaults to none given, so the server applies the
   * creator's defaults (read/update/delete for the signed-in user). An explicit `[]` leaves the
   * row readable by nobody but API keys, so a signed-in watcher would never see its own canary.
   */
  heartbeatPermissions?: readonly string[]
}

/** Options of {@link createWatchdog}: how to reach Appwrite, plus the {@link WatchdogConfig}. */
export interface WatchdogOptions extends WatchdogConfig {
  /** The TablesDB service the canary writes through (pass this or `databases`). */
  tablesDB?: TablesDBLike
  /** The legacy Databases service, for servers before 1.8 (pass this or `tablesDB`). */
  databases?: DatabasesLike
  /** The database holding the heartbeat table. */
  databaseId: string
  /** The realtime connection to watch; give the watchdog its own `new Realtime(client)`. */
  realtime: RealtimeConnectionLike
  /** Source of time for canaries and timeouts. Defaults to the system clock. */
  clock?: Clock
  /** Receives a `critical` capture (category `realtime`) on every move to `degraded` or `dead`. */
  monitor?: RealtimeMonitor
  /** Receives `recordRealtime(true)` per canary echo and `recordRealtime(false)` per miss. */
  metrics?: RealtimeMetrics
  /**
   * The channel a table is subscribed on. Defaults to `databases.{db}.collections.{table}.documents`,
   * which works on servers before and after 1.8.
   */
  channel?: ChannelBuilder
}

/** Why a watchdog changed state. */
export type WatchdogReason =
  /** A canary's event arrived in time. */
  | 'canaryEcho'
  /** A canary's event did not arrive within `timeoutMs`. */
  | 'canaryMissed'
  /** No event at all for `silenceMs` while activity was expected. */
  | 'silence'
  /** An event arrived (canary off): realtime delivers again. */
  | 'activity'
  /** The subscription was established (canary off). */
  | 'subscribed'
  /** The watchdog stopped (its last listener left). */
  | 'stopped'

/** A watchdog state transition, as `onStateChange` listeners receive it. */
export interface WatchdogStateChange {
  /** Always `'stateChange'`. */
  readonly type: 'stateChange'
  /** The watcher whose state changed. */
  readonly watcherId: string
  /** The state before. */
  readonly from: WatchdogState
  /** The state now. */
  readonly to: WatchdogState
  /** Why. */
  readonly reason: WatchdogReason
  /** Epoch milliseconds of the transition, by the watchdog's clock. */
  readonly at: number
  /**
   * For moves to `degraded` or `dead`: milliseconds since the last sign of life (the last event or
   * canary echo), i.e. how long the failure took to detect. `null` otherwise.
   */
  readonly silentForMs: number | null
}

/** What `watchdog.getSnapshot()` returns: immutable, replaced on every change. */
export interface WatchdogSnapshot {
  /** The current verdict. */
  readonly state: WatchdogState
  /** Epoch milliseconds since which the state holds. */
  readonly since: number
  /** Whether the watchdog runs (it runs while it has listeners). */
  readonly running: boolean
  /** Epoch milliseconds of the last canary echo, or `null`. */
  readonly lastEchoAt: number | null
  /** Milliseconds the last echoed canary took from write to event, or `null`. */
  readonly lastLatencyMs: number | null
  /** Canaries missed in a row. */
  readonly consecutiveMisses: number
}

/**
 * A realtime watchdog: an end-to-end canary (write a heartbeat row, expect its realtime event)
 * plus passive silence detection. It runs while it has listeners (`subscribe` or
 * `onStateChange`). Made by {@link createWatchdog} or `guard.createWatchdog`.
 */
export interface Watchdog {
  /** The id of this watcher's heartbeat row. */
  readonly watcherId: string
  /** The current state; the same object until something changes (for `useSyncExternalStore`). */
  getSnapshot(): WatchdogSnapshot
  /** Calls `onChange` after every snapshot change; starts the watchdog. Returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void
  /** Calls `listener` on every state transition; starts the watchdog. Returns an unsubscribe function. */
  onStateChange(listener: (event: WatchdogStateChange) => void): () => void
  /** Sends a canary now, unless one is already waiting for its event. No-op while stopped. */
  probe(): void
}

/** The resolved settings of a watchdog. @internal */
export interface ResolvedWatchdogConfig {
  readonly heartbeatTableId: string
  readonly watcherId: string
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly deadAfterMisses: number
  readonly silenceMs: number | undefined
  readonly activityExpected: () => boolean
  readonly heartbeatPermissions: readonly string[] | undefined
}

/** What a watchdog runs on. @internal */
export interface WatchdogDeps {
  readonly session: RealtimeSession
  readonly backend: Backend
  readonly clock: Clock
  readonly monitor?: RealtimeMonitor | undefined
  readonly metrics?: RealtimeMetrics | undefined
}

const sessions = new WeakMap<Watchdog, RealtimeSession>()

/** The session a watchdog's canary travels on, so feeds can share it. @internal */
export function sessionOf(watchdog: Watchdog): RealtimeSession | undefined {
  return sessions.get(watchdog)
}

function configurationError(where: string, message: string): BookingGuardError {
  return new BookingGuardError('CONFIGURATION', `${where}: ${message}`)
}

function positive(where: string, name: string, value: unknown, allowZero: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  ) {
    throw configurationError(
      where,
      `\`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${String(value)}`,
    )
  }
  return value
}

/** Validates a watchdog configuration and fills in the defaults. @internal */
export function resolveWatchdogConfig(
  config: WatchdogConfig,
  where = 'createWatchdog',
): ResolvedWatchdogConfig {
  const watcherId = config.watcherId ?? randomId('w')
  if (typeof watcherId !== 'string' || !APPWRITE_ID_PATTERN.test(watcherId)) {
    throw configurationError(
      where,
      `\`watcherId\` \`${String(watcherId)}\` is not a valid Appwrite row id (1–36 of A-Z a-z 0-9 . _ -, not starting with . _ -)`,
    )
  }
  const deadAfterMisses = config.deadAfterMisses ?? DEFAULT_DEAD_AFTER_MISSES
  if (!Number.isInteger(deadAfterMisses) || deadAfterMisses < 1) {
    throw configurationError(
      where,
      `\`deadAfterMisses\` must be an integer ≥ 1, got ${String(deadAfterMisses)}`,
    )
  }
  const heartbeatTableId = config.heartbeatTableId ?? DEFAULT_TABLE_IDS.heartbeat
  if (typeof heartbeatTableId !== 'string' || heartbeatTableId === '') {
    throw configurationError(where, '`heartbeatTableId` must be a non-empty table id')
  }
  return {
    heartbeatTableId,
    watcherId,
    intervalMs: positive(
      where,
      'intervalMs',
      config.intervalMs ?? DEFAULT_WATCHDOG_INTERVAL_MS,
      true,
    ),
    timeoutMs: positive(where, 'timeoutMs', config.timeoutMs ?? DEFAULT_WATCHDOG_TIMEOUT_MS, false),
    deadAfterMisses,
    silenceMs:
      config.silenceMs === undefined
        ? undefined
        : positive(where, 'silenceMs', config.silenceMs, false),
    activityExpected: config.activityExpected ?? (() => true),
    heartbeatPermissions:
      config.heartbeatPermissions === undefined ? undefined : [...config.heartbeatPermissions],
  }
}

interface Probe {
  readonly sentAt: number
  deadline: TimerHandle | undefined
  writeError: unknown
  writeFailed: boolean
}

/** Why a watchdog captured a critical. */
class RealtimeWatchdogAlert extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RealtimeWatchdogAlert'
  }
}

const iso = (ms: number): string => new Date(ms).toISOString()
const noop = (): void => {}

/** @internal */
export class WatchdogImpl extends Subscribable<() => void> implements Watchdog {
  readonly watcherId: string
  readonly #config: ResolvedWatchdogConfig
  readonly #deps: WatchdogDeps
  readonly #changes = new Emitter<WatchdogStateChange>()
  #state: WatchdogState = 'connecting'
  #since: number
  #running = false
  #lastEchoAt: number | null = null
  #lastLatencyMs: number | null = null
  #misses = 0
  #lastAliveAt = 0
  #lastSentAt = 0
  #probe: Probe | undefined
  #probeWhenSubscribed = false
  #next: TimerHandle | undefined
  #silenceTimer: TimerHandle | undefined
  #release: Array<() => void> = []
  #snapshot: WatchdogSnapshot | undefined

  constructor(deps: WatchdogDeps, config: ResolvedWatchdogConfig) {
    super()
    this.#deps = deps
    this.#config = config
    this.watcherId = config.watcherId
    this.#since = deps.clock.now()
    sessions.set(this, deps.session)
  }

  getSnapshot(): WatchdogSnapshot {
    return (this.#snapshot ??= Object.freeze({
      state: this.#state,
      since: this.#since,
      running: this.#running,
      lastEchoAt: this.#lastEchoAt,
      lastLatencyMs: this.#lastLatencyMs,
      consecutiveMisses: this.#misses,
    }))
  }

  onStateChange(listener: (event: WatchdogStateChange) => void): () => void {
    const off = this.#changes.add(listener)
    // A fresh function per registration: the same listener twice counts twice.
    const unsubscribe = this.subscribe(() => noop())
    return () => {
      off()
      unsubscribe()
    }
  }

  probe(): void {
    if (this.#running && this.#config.intervalMs > 0) this.#sendCanary()
  }

  protected override onSubscribe(): void {
    const { session, clock } = this.#deps
    this.#running = true
    this.#lastAliveAt = clock.now()
    this.#probeWhenSubscribed = this.#config.intervalMs > 0
    this.#release = [
      session.onStatus((status) => this.#onStatus(status)),
      session.onEvent(() => this.#onActivity()),
      // The heartbeat table is subscribed even with the canary off: the watchdog needs a subscription.
      session.use(this.#config.heartbeatTableId, (payload) => this.#onHeartbeat(payload)),
    ]
    this.#changed()
    if (session.status === 'subscribed') this.#onStatus('subscribed')
    this.#armSilence()
  }

  protected override onUnsubscribe(): void {
    const { clock, backend } = this.#deps
    for (const release of this.#release) release()
    this.#release = []
    clock.clearTimeout(this.#next)
    clock.clearTimeout(this.#silenceTimer)
    if (this.#probe !== undefined) clock.clearTimeout(this.#probe.deadline)
    this.#next = undefined
    this.#silenceTimer = undefined
    this.#probe = undefined
    this.#running = false
    this.#misses = 0
    this.#transition('connecting', 'stopped')
    this.#changed()
    if (this.#config.intervalMs > 0 && this.#lastSentAt > 0) {
      backend.remove(this.#config.heartbeatTableId, this.watcherId).catch(noop)
    }
  }

  #onStatus(status: SessionStatus): void {
    if (!this.#running || status !== 'subscribed') return
    if (this.#config.intervalMs === 0) {
      if (this.#state === 'connecting') this.#transition('healthy', 'subscribed')
      return
    }
    // Verify every new or reopened subscription at once rather than at the next interval.
    if (this.#probeWhenSubscribed || this.#state !== 'healthy') {
      this.#probeWhenSubscribed = false
      this.#sendCanary()
    }
  }

  #onActivity(): void {
    if (!this.#running) return
    this.#lastAliveAt = this.#deps.clock.now()
    if (this.#config.intervalMs === 0 && (this.#state === 'degraded' || this.#state === 'dead')) {
      this.#transition('healthy', 'activity')
    }
  }

  #sendCanary(): void {
    if (!this.#running || this.#probe !== undefined) return
    const { clock, backend } = this.#deps
    clock.clearTimeout(this.#next)
    this.#next = undefined
    // Strictly increasing, so an echo always names exactly one canary.
    const sentAt = Math.max(clock.now(), this.#lastSentAt + 1)
    this.#lastSentAt = sentAt
    const probe: Probe = { sentAt, deadline: undefined, writeError: undefined, writeFailed: false }
    this.#probe = probe
    probe.deadline = clock.setTimeout(() => this.#onDeadline(probe), this.#config.timeoutMs)
    const channelKey = this.#deps.session.channelFor(this.#config.heartbeatTableId).slice(0, 255)
    let write: Promise<unknown>
    try {
      write = backend.upsert(
        this.#config.heartbeatTableId,
        this.watcherId,
        { channelKey, sentAt: iso(sentAt) },
        this.#config.heartbeatPermissions,
      )
    } catch (error) {
      write = Promise.reject(error)
    }
    write.catch((error: unknown) => {
      probe.writeFailed = true
      probe.writeError = error
    })
  }

  #onHeartbeat(payload: Record<string, unknown>): void {
    const probe = this.#probe
    if (!this.#running || probe === undefined || payload.$id !== this.watcherId) return
    const sentAt = typeof payload.sentAt === 'string' ? Date.parse(payload.sentAt) : Number.NaN
    // Another tab with the same watcher id, or an echo that arrives after its deadline.
    if (sentAt !== probe.sentAt) return
    const { clock, metrics } = this.#deps
    clock.clearTimeout(probe.deadline)
    this.#probe = undefined
    const now = clock.now()
    this.#lastEchoAt = now
    this.#lastLatencyMs = now - probe.sentAt
    this.#misses = 0
    metrics?.recordRealtime?.(true)
    this.#changed()
    this.#transition('healthy', 'canaryEcho')
    this.#schedule(probe.sentAt + this.#config.intervalMs, false)
  }

  #onDeadline(probe: Probe): void {
    if (this.#probe !== probe) return
    this.#probe = undefined
    const { monitor, metrics, session } = this.#deps
    if (probe.writeFailed) {
      // Appwrite refused the write: that says nothing about realtime. Report it and try again later.
      monitor?.capture(probe.writeError, {
        category: 'realtime',
        severity: 'warning',
        operation: 'watchdog.canary',
        context: { watcherId: this.watcherId, heartbeatTableId: this.#config.heartbeatTableId },
      })
      this.#schedule(probe.sentAt + this.#config.intervalMs, false)
      return
    }
    this.#misses++
    metrics?.recordRealtime?.(false)
    this.#changed()
    this.#transition(
      this.#misses >= this.#config.deadAfterMisses ? 'dead' : 'degraded',
      'canaryMissed',
    )
    if (this.#misses === 1) {
      // First miss: a fresh subscription and a new canary at once, so `dead` is known one timeout later.
      this.#probeWhenSubscribed = true
      session.resubscribe()
      this.#schedule(probe.sentAt + this.#config.intervalMs, true)
    } else {
      this.#schedule(probe.sentAt + this.#config.intervalMs, true)
    }
  }

  #schedule(at: number, resubscribe: boolean): void {
    const { clock, session } = this.#deps
    clock.clearTimeout(this.#next)
    this.#next = clock.setTimeout(
      () => {
        this.#next = undefined
        if (!this.#running) return
        if (!resubscribe) {
          this.#sendCanary()
          return
        }
        this.#probeWhenSubscribed = true
        session.resubscribe()
        // If subscribing stalls, try again on the next interval.
        this.#schedule(clock.now() + this.#config.intervalMs, true)
      },
      Math.max(0, at - clock.now()),
    )
  }

  #armSilence(): void {
    const silenceMs = this.#config.silenceMs
    if (silenceMs === undefined || !this.#running) return
    const { clock } = this.#deps
    const due = Math.max(this.#lastAliveAt + silenceMs - clock.now(), 0)
    this.#silenceTimer = clock.setTimeout(() => {
      this.#silenceTimer = undefined
      if (!this.#running) return
      const now = clock.now()
      if (
        now - this.#lastAliveAt >= silenceMs &&
        (this.#state === 'connecting' || this.#state === 'healthy') &&
        this.#config.activityExpected()
      ) {
        this.#transition('degraded', 'silence')
        this.#probeWhenSubscribed = this.#config.intervalMs > 0
        this.#deps.session.resubscribe()
        // Count the silence afresh from here, so a still-silent socket is not flagged in a loop.
        this.#lastAliveAt = now
      }
      this.#armSilence()
    }, due || silenceMs)
  }

  #transition(to: WatchdogState, reason: WatchdogReason): void {
    const from = this.#state
    if (from === to) return
    const { clock, monitor } = this.#deps
    const at = clock.now()
    this.#state = to
    this.#since = at
    const failing = to === 'degraded' || to === 'dead'
    const silentForMs = failing ? at - this.#lastAliveAt : null
    this.#changed()
    if (failing) {
      const why =
        reason === 'silence'
          ? `no realtime event for ${silentForMs} ms while activity was expected`
          : `${this.#misses} canary heartbeat(s) in a row not received within ${this.#config.timeoutMs} ms (silent for ${silentForMs} ms)`
      monitor?.capture(
        new RealtimeWatchdogAlert(
          `realtime watchdog \`${this.watcherId}\`: subscription ${to}: ${why}; resubscribing, and feeds poll until it recovers`,
        ),
        {
          category: 'realtime',
          severity: 'critical',
          operation: 'watchdog',
          context: { watcherId: this.watcherId, from, to, reason, silentForMs },
        },
      )
    }
    this.#changes.emit({
      type: 'stateChange',
      watcherId: this.watcherId,
      from,
      to,
      reason,
      at,
      silentForMs,
    })
  }

  #changed(): void {
    this.#snapshot = undefined
    for (const listener of this.listeners) {
      try {
        listener()
      } catch (error) {
        console.error('[booking-guard] a watchdog listener threw:', error)
      }
    }
  }
}

/** Builds a watchdog on an existing session (the guard's shared one). @internal */
export function createWatchdogOn(deps: WatchdogDeps, config: WatchdogConfig): Watchdog {
  return new WatchdogImpl(deps, resolveWatchdogConfig(config, 'createWatchdog'))
}

/**
 * Creates a realtime watchdog on its own subscription. Every `intervalMs` it writes a heartbeat
 * row and expects the row's realtime event within `timeoutMs`; a miss makes the state
 * `degraded` (a `critical` capture, a fresh subscription, an immediate re-probe), consecutive
 * misses make it `dead`, and the next echo makes it `healthy` again. It runs while it has
 * listeners. Inside a guard, use `guard.createWatchdog` (it shares the feeds' subscription).
 *
 * @example
 * ```ts
 * import { Realtime } from 'appwrite'
 * import { createErrorMonitor } from '@booking-guard/core'
 * import { createWatchdog } from '@booking-guard/core/realtime'
 *
 * const watchdog = createWatchdog({
 *   tablesDB,
 *   realtime: new Realtime(client),
 *   databaseId: 'main',
 *   watcherId: `hb-${user.$id}`,
 *   heartbeatPermissions: [`read("user:${user.$id}")`, `update("user:${user.$id}")`, `delete("user:${user.$id}")`],
 *   monitor: createErrorMonitor(),
 * })
 * const stop = watchdog.onStateChange((event) => {
 *   if (event.to === 'dead') showBanner(`Live updates lost ${event.silentForMs} ms ago`)
 * })
 * ```
 */
export function createWatchdog(options: WatchdogOptions): Watchdog {
  const { session, backend, clock } = connectRealtime(options)
  return new WatchdogImpl(
    { session, backend, clock, monitor: options.monitor, metrics: options.metrics },
    resolveWatchdogConfig(options, 'createWatchdog'),
  )
}
