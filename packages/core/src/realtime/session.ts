import { createAppwriteBackend } from '../backend/appwriteBackend'
import type { Backend, BackendSource } from '../backend/appwriteBackend'
import type { RealtimeEventLike, RealtimeSubscriptionLike } from '../backend/types'
import { systemClock } from '../clock'
import type { Clock, TimerHandle } from '../clock'
import { Emitter } from '../resilience/emitter'
import { defaultChannel } from './types'
import type { ChannelBuilder, RealtimeConnectionLike, RealtimeMonitor } from './types'

/**
 * Where a session's subscription stands: `idle` (nothing to subscribe), `subscribing` (a
 * subscribe call is under way), `subscribed`, or `closed` (the socket closed after it was
 * subscribed, or subscribing failed; the SDK, or the session's retry, reconnects).
 *
 * @internal
 */
export type SessionStatus = 'idle' | 'subscribing' | 'subscribed' | 'closed'

/** A row event for one table: the payload (an object) and the event it came in. @internal */
export type TableHandler = (payload: Record<string, unknown>, event: RealtimeEventLike) => void

/** @internal */
export interface RealtimeSessionOptions {
  readonly realtime: RealtimeConnectionLike
  readonly databaseId: string
  readonly clock: Clock
  readonly channel?: ChannelBuilder | undefined
  readonly monitor?: RealtimeMonitor | undefined
}

interface Lifecycle {
  readonly open: Emitter<void>
  readonly close: Emitter<void>
}

// The SDK keeps every `onOpen`/`onClose` callback forever, so register once per Realtime object.
const lifecycles = new WeakMap<object, Lifecycle>()

function lifecycleOf(realtime: RealtimeConnectionLike): Lifecycle {
  let lifecycle = lifecycles.get(realtime)
  if (lifecycle === undefined) {
    const created: Lifecycle = { open: new Emitter(), close: new Emitter() }
    realtime.onOpen?.(() => created.open.emit())
    realtime.onClose?.(() => created.close.emit())
    lifecycles.set(realtime, created)
    lifecycle = created
  }
  return lifecycle
}

/** Back-off between failed subscribe calls, in milliseconds (the last one repeats). */
const RETRY_DELAYS = [1_000, 2_000, 5_000, 10_000, 30_000] as const

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * One realtime subscription shared by everything a guard watches (provider feeds, room feeds,
 * the watchdog's canary, the health check): its channels are the union of the tables in use,
 * and each event is routed to its table's handlers by the payload's `$tableId` /
 * `$collectionId`, so a canary echo proves the very subscription the feeds rely on.
 *
 * Changing the channel set subscribes anew before closing the old subscription (no gap; the
 * feeds deduplicate the overlap). {@link RealtimeSession.resubscribe} closes first instead, so the
 * SDK drops a possibly half-open socket and opens a fresh one.
 *
 * @internal
 */
export class RealtimeSession {
  readonly databaseId: string
  readonly #realtime: RealtimeConnectionLike
  readonly #clock: Clock
  readonly #channel: ChannelBuilder
  readonly #monitor: RealtimeMonitor | undefined
  readonly #tables = new Map<string, Set<{ handler: TableHandler }>>()
  readonly #events = new Emitter<RealtimeEventLike>()
  readonly #statuses = new Emitter<SessionStatus>()
  #status: SessionStatus = 'idle'
  #everSubscribed = false
  #established: RealtimeSubscriptionLike | undefined
  /** The channels of `#established`, joined. */
  #establishedKey = ''
  /** The channels of the latest subscribe call, joined. */
  #subscribedKey = ''
  #generation = 0
  #syncQueued = false
  #retryTimer: TimerHandle | undefined
  #retryAttempt = 0
  #releaseLifecycle: (() => void) | undefined

  constructor(options: RealtimeSessionOptions) {
    this.#realtime = options.realtime
    this.databaseId = options.databaseId
    this.#clock = options.clock
    this.#channel = options.channel ?? defaultChannel
    this.#monitor = options.monitor
  }

  /** The channel a table's events are subscribed on. */
  channelFor(tableId: string): string {
    return this.#channel(tableId, this.databaseId)
  }

  /** Where the subscription stands. */
  get status(): SessionStatus {
    return this.#status
  }

  /** Whether a subscription was ever established (to tell `connecting` from `reconnecting`). */
  get everSubscribed(): boolean {
    return this.#everSubscribed
  }

  /** The channels currently wanted, sorted. */
  get channels(): string[] {
    return [...this.#tables.keys()].map((tableId) => this.channelFor(tableId)).sort()
  }

  /**
   * Routes a table's events to `handler` and adds the table's channel to the subscription
   * (subscribing on first use). Returns a function that removes the handler; the subscription
   * closes when the last table is released.
   */
  use(tableId: string, handler: TableHandler): () => void {
    const entry = { handler }
    let handlers = this.#tables.get(tableId)
    if (handlers === undefined) {
      this.#tables.set(tableId, (handlers = new Set()))
      this.#queueSync()
    }
    handlers.add(entry)
    let used = true
    return () => {
      if (!used) return
      used = false
      const current = this.#tables.get(tableId)
      if (current === undefined || !current.delete(entry) || current.size > 0) return
      this.#tables.delete(tableId)
      this.#queueSync()
    }
  }

  /** Sees every event of the subscription (any table), e.g. for silence detection. */
  onEvent(listener: (event: RealtimeEventLike) => void): () => void {
    return this.#events.add(listener)
  }

  /**
   * Sees every status change; `subscribed` is reported again on every (re)established
   * subscription (a channel change, a resubscribe, a reopened socket), since events may have
   * been missed before it.
   */
  onStatus(listener: (status: SessionStatus) => void): () => void {
    return this.#statuses.add(listener)
  }

  /**
   * Resolves once a subscription carrying every channel in use is established (after any
   * pending channel change). Never rejects; `signal` stops waiting (the promise then stays
   * pending), so race it with a timeout that aborts.
   */
  whenSubscribed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (
          this.#syncQueued ||
          this.#status !== 'subscribed' ||
          this.#establishedKey !== this.channels.join('\n')
        ) {
          return
        }
        off()
        resolve()
      }
      const off = this.#statuses.add((status) => {
        if (status === 'subscribed') check()
      })
      signal?.addEventListener('abort', off, { once: true })
      // After a channel change queued in this tick.
      void Promise.resolve().then(check)
    })
  }

  /**
   * Closes the subscription, then subscribes again: with a `Realtime` object of its own, the
   * SDK closes the socket with its last subscription, so this opens a fresh connection. Events
   * published in between are lost; the feeds catch up once the new subscription is live.
   */
  resubscribe(): void {
    if (this.#tables.size === 0) return
    const old = this.#established
    this.#established = undefined
    this.#establishedKey = ''
    this.#subscribedKey = ''
    if (old !== undefined) this.#close(old)
    this.#subscribe()
  }

  #queueSync(): void {
    if (this.#syncQueued) return
    this.#syncQueued = true
    // Coalesce the `use` calls of one tick (a feed and the watchdog starting together) into one subscribe.
    void Promise.resolve().then(() => {
      this.#syncQueued = false
      this.#sync()
    })
  }

  #sync(): void {
    if (this.#tables.size === 0) {
      this.#stop()
      return
    }
    if (this.#releaseLifecycle === undefined) {
      const lifecycle = lifecycleOf(this.#realtime)
      const offOpen = lifecycle.open.add(() => this.#onSocketOpen())
      const offClose = lifecycle.close.add(() => this.#onSocketClose())
      this.#releaseLifecycle = () => {
        offOpen()
        offClose()
      }
    }
    const key = this.channels.join('\n')
    if (key === this.#subscribedKey && this.#status !== 'idle') return
    this.#subscribe()
  }

  #subscribe(): void {
    const generation = ++this.#generation
    const channels = this.channels
    const key = channels.join('\n')
    this.#subscribedKey = key
    this.#clock.clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    // While the previous subscription still delivers (a channel change), the session stays subscribed.
    if (this.#established === undefined) this.#setStatus('subscribing')
    let pending: Promise<RealtimeSubscriptionLike>
    try {
      pending = this.#realtime.subscribe(channels, (event) => this.#dispatch(event))
    } catch (error) {
      pending = Promise.reject(error)
    }
    pending.then(
      (subscription) => {
        if (generation !== this.#generation) {
          // Superseded while subscribing (channels changed, resubscribed, or stopped).
          this.#close(subscription)
          return
        }
        const previous = this.#established
        this.#established = subscription
        this.#establishedKey = key
        if (previous !== undefined) this.#close(previous)
        this.#retryAttempt = 0
        this.#everSubscribed = true
        this.#announceSubscribed()
      },
      (error: unknown) => {
        if (generation !== this.#generation) return
        this.#monitor?.capture(error, {
          category: 'realtime',
          severity: 'error',
          operation: 'realtime.subscribe',
          context: { channels },
        })
        this.#subscribedKey = ''
        this.#setStatus('closed')
        const delay = RETRY_DELAYS[Math.min(this.#retryAttempt, RETRY_DELAYS.length - 1)]!
        this.#retryAttempt++
        this.#retryTimer = this.#clock.setTimeout(() => {
          this.#retryTimer = undefined
          if (generation === this.#generation && this.#tables.size > 0) this.#subscribe()
        }, delay)
      },
    )
  }

  #close(subscription: RealtimeSubscriptionLike): void {
    try {
      subscription.close().catch(() => {})
    } catch {
      // A subscription that cannot close is already gone.
    }
  }

  #stop(): void {
    this.#generation++
    this.#clock.clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    this.#releaseLifecycle?.()
    this.#releaseLifecycle = undefined
    const old = this.#established
    this.#established = undefined
    this.#establishedKey = ''
    this.#subscribedKey = ''
    if (old !== undefined) this.#close(old)
    this.#everSubscribed = false
    this.#setStatus('idle')
  }

  #onSocketOpen(): void {
    // The SDK resends its subscriptions on reopen (events meanwhile were lost); our own
    // resubscribe reports through its promise instead.
    if (this.#established !== undefined && this.#status !== 'subscribing')
      this.#announceSubscribed()
  }

  /** Reports a (re)established subscription, even when the status already was `subscribed`. */
  #announceSubscribed(): void {
    this.#status = 'subscribed'
    this.#statuses.emit('subscribed')
  }

  #onSocketClose(): void {
    if (this.#status === 'subscribed') this.#setStatus('closed')
  }

  #dispatch(event: RealtimeEventLike): void {
    if (this.#status === 'idle') return
    // An event is proof of a working subscription, even if a close was reported out of order.
    if (this.#status === 'closed' && this.#established !== undefined) this.#setStatus('subscribed')
    this.#events.emit(event)
    const payload = event.payload
    if (!isRecord(payload)) return
    const databaseId = payload.$databaseId
    if (typeof databaseId === 'string' && databaseId !== this.databaseId) return
    const tableId = this.#tableOf(payload, event)
    if (tableId === undefined) return
    const handlers = this.#tables.get(tableId)
    if (handlers === undefined) return
    for (const entry of handlers) {
      try {
        entry.handler(payload, event)
      } catch (error) {
        this.#monitor?.capture(error, {
          category: 'realtime',
          severity: 'error',
          operation: 'realtime.dispatch',
          context: { tableId },
        })
      }
    }
  }

  #tableOf(payload: Record<string, unknown>, event: RealtimeEventLike): string | undefined {
    const tableId = payload.$tableId ?? payload.$collectionId
    if (typeof tableId === 'string') return tableId
    for (const candidate of this.#tables.keys()) {
      if (event.channels.includes(this.channelFor(candidate))) return candidate
    }
    return undefined
  }

  #setStatus(status: SessionStatus): void {
    if (status === this.#status) return
    this.#status = status
    this.#statuses.emit(status)
  }
}

/**
 * The backend and realtime session a standalone factory (`createWatchdog`, `createFeedManager`,
 * `createHealthCheck`) runs on, from its connection options. Inside a guard they share the
 * guard's instead.
 *
 * @internal
 */
export function connectRealtime(
  options: BackendSource & {
    readonly realtime: RealtimeConnectionLike
    readonly clock?: Clock | undefined
    readonly channel?: ChannelBuilder | undefined
    readonly monitor?: RealtimeMonitor | undefined
  },
): { session: RealtimeSession; backend: Backend; clock: Clock } {
  const clock = options.clock ?? systemClock
  const backend = createAppwriteBackend({
    tablesDB: options.tablesDB,
    databases: options.databases,
    databaseId: options.databaseId,
  })
  const session = new RealtimeSession({
    realtime: options.realtime,
    databaseId: options.databaseId,
    clock,
    channel: options.channel,
    monitor: options.monitor,
  })
  return { session, backend, clock }
}
