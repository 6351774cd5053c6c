import type { Backend } from '../backend/appwriteBackend'
import type { DatabasesLike, TablesDBLike } from '../backend/types'
import type { Clock, TimerHandle } from '../clock'
import { BookingGuardError } from '../errors'
import type { ErrorCategory } from '../monitor/errorMonitor'
import { bookingIdForKey, childIds, randomId } from '../pipeline/ids'
import { classifyAppwriteError } from '../resilience/classifyError'
import { Emitter } from '../resilience/emitter'
import { createSchemaLock } from '../schema/schemaLock'
import type { SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import type { BookingInput } from '../schema/schemas'
import { Subscribable } from '../subscribable'
import { realtimeDeps } from './feed'
import type { RealtimeSession } from './session'
import type {
  ChannelBuilder,
  RealtimeConnectionLike,
  RealtimeMetrics,
  RealtimeMonitor,
} from './types'

/** Default provider id of synthetic bookings. */
export const DEFAULT_SYNTHETIC_PROVIDER_ID = 'booking-guard-synthetic-provider'
/** Default customer id of synthetic bookings. */
export const DEFAULT_SYNTHETIC_CUSTOMER_ID = 'booking-guard-synthetic-customer'

/**
 * The steps of a health check, in order: `subscribe` (realtime subscription on the bookings
 * channel), `createBooking` (the real pipeline), `booking`, `chatRoom`, `systemMessage`,
 * `notification` (each row read back), `realtime` (the booking's event arrived within the
 * budget), `cleanup` (everything written removed; runs even after a failure).
 */
export type HealthCheckStepName =
  | 'subscribe'
  | 'createBooking'
  | 'booking'
  | 'chatRoom'
  | 'systemMessage'
  | 'notification'
  | 'realtime'
  | 'cleanup'

/** One step of a health check run. */
export interface HealthCheckStep {
  /** Which step. */
  readonly name: HealthCheckStepName
  /** Whether it passed. */
  readonly ok: boolean
  /**
   * Milliseconds it took, by the check's clock; for `realtime`, from the start of `createBooking`
   * to the booking's event.
   */
  readonly ms: number
  /** Why it failed (the error's message), when it failed. */
  readonly error?: string
}

/** The dead-man's-switch ping of a run, when `heartbeatUrl` is set. */
export interface HealthCheckPing {
  /** The URL pinged: `heartbeatUrl` on success, `heartbeatUrl + '/fail'` on failure. */
  readonly url: string
  /** Whether the ping was answered. */
  readonly ok: boolean
  /** Why the ping failed, when it did. */
  readonly error?: string
}

/** What a health check run returns (and `onResult` listeners receive). */
export interface HealthCheckResult {
  /** `true` when every step passed, cleanup included. */
  readonly ok: boolean
  /** The steps that ran, in order; after a failed step only `cleanup` runs. */
  readonly steps: readonly HealthCheckStep[]
  /** The first failed step, if any. */
  readonly failedStep: HealthCheckStepName | undefined
  /** The synthetic booking's id (also its chat room's and notification's). */
  readonly bookingId: string
  /** Epoch milliseconds when the run started. */
  readonly startedAt: number
  /** Milliseconds the run took, cleanup included. */
  readonly durationMs: number
  /** The dead-man's-switch ping, when `heartbeatUrl` is set. */
  readonly ping: HealthCheckPing | undefined
}

/** What the health check hands the booking pipeline for a synthetic booking. */
export interface SyntheticBookingRequest {
  /** Derives the booking id (see `bookingIdFor`); unique per run. */
  readonly idempotencyKey: string
  /** Aborted when the run's budget runs out. */
  readonly signal: AbortSignal
  /** Always `true`: the pipeline writes `synthetic: true` on the booking, so feeds never deliver it. */
  readonly synthetic: true
}

/** Runs the real booking pipeline for a synthetic booking (the guard passes its own `createBooking`). */
export type SyntheticBookingWriter = (
  input: BookingInput,
  request: SyntheticBookingRequest,
) => Promise<unknown>

/** The `fetch` the dead-man's-switch ping uses; the global `fetch` fits. */
export type HealthCheckFetch = (
  url: string,
  init: { method: 'POST'; body: string; signal: AbortSignal },
) => Promise<unknown>

/** How a health check runs. */
export interface HealthCheckConfig {
  /**
   * The provider synthetic bookings are for: a provider id no real provider has (feeds never
   * deliver synthetic bookings anyway). Defaults to `'booking-guard-synthetic-provider'`.
   */
  syntheticProviderId?: string
  /** The customer synthetic bookings are from. Defaults to `'booking-guard-synthetic-customer'`. */
  syntheticCustomerId?: string
  /**
   * Milliseconds from the start of `createBooking` within which the booking's realtime event must
   * arrive. Defaults to `5_000`.
   */
  realtimeBudgetMs?: number
  /**
   * Milliseconds the whole run may take before the current step fails as timed out (cleanup then
   * gets the same budget again). Defaults to `30_000`.
   */
  timeoutMs?: number
  /**
   * A dead-man's-switch URL (healthchecks.io, Better Stack, Cronitor…): POSTed after every run,
   * `heartbeatUrl` on success and `heartbeatUrl + '/fail'` on failure, with a one-line summary as
   * the body. Defaults to none.
   */
  heartbeatUrl?: string
  /** The `fetch` for `heartbeatUrl`. Defaults to the global `fetch`. */
  fetch?: HealthCheckFetch
}

/** Options of {@link createHealthCheck}. */
export interface HealthCheckOptions extends HealthCheckConfig {
  /** The booking pipeline to test, e.g. `(input, { idempotencyKey, signal }) => guard.createBooking(input, { idempotencyKey, signal })`. */
  createBooking: SyntheticBookingWriter
  /**
   * The booking id the pipeline derives from an idempotency key. The check takes the id from
   * `createBooking`'s result (`booking.$id` or `bookingId`) or its error (`error.bookingId`), and
   * uses this only when the call never settled, so cleanup still knows what to remove. Defaults to
   * the guard pipeline's own derivation.
   */
  bookingIdFor?: (idempotencyKey: string, input: BookingInput) => string
  /** The TablesDB service rows are read and deleted through (pass this or `databases`). */
  tablesDB?: TablesDBLike
  /** The legacy Databases service (pass this or `tablesDB`). */
  databases?: DatabasesLike
  /** The database holding the tables. */
  databaseId: string
  /** The realtime connection the booking's event must arrive on. */
  realtime: RealtimeConnectionLike
  /** The schema lock (table ids, aliases). Defaults to `createSchemaLock()`. */
  lock?: SchemaLock<SchemaExtensions>
  /** Source of time for budgets, step timings and the schedule. Defaults to the system clock. */
  clock?: Clock
  /** Receives an `error` capture for every failed run, categorized by its failed step. */
  monitor?: RealtimeMonitor
  /** Receives `recordHealthCheck(ok)` per run (the pass rate, alerting below 100%). */
  metrics?: RealtimeMetrics
  /** The channel a table is subscribed on. Defaults to `databases.{db}.collections.{table}.documents`. */
  channel?: ChannelBuilder
}

/** What `healthCheck.getSnapshot()` returns: immutable, replaced on change. */
export interface HealthCheckSnapshot {
  /** Whether a run is in progress. */
  readonly running: boolean
  /** Whether scheduled runs are on (`start`). */
  readonly scheduled: boolean
  /** The last finished run, or `null`. */
  readonly last: HealthCheckResult | null
}

/** A synthetic end-to-end check of the booking path. Made by {@link createHealthCheck}. */
export interface HealthCheck {
  /** Runs one check now (or joins the one in progress). Never rejects. */
  run(): Promise<HealthCheckResult>
  /**
   * Runs a check now and then every `intervalMs` after the previous one finished (runs never
   * overlap). Calling it again replaces the schedule. Returns a function that stops it.
   */
  start(options?: { intervalMs?: number }): () => void
  /** Calls `listener` with every finished run. Returns an unsubscribe function. */
  onResult(listener: (result: HealthCheckResult) => void): () => void
  /** The current state; the same object until something changes. */
  getSnapshot(): HealthCheckSnapshot
  /** Calls `onChange` after every snapshot change. Returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void
}

/** What a health check runs on. @internal */
export interface HealthCheckDeps {
  readonly session: RealtimeSession
  readonly backend: Backend
  readonly lock: SchemaLock<SchemaExtensions>
  readonly clock: Clock
  readonly monitor?: RealtimeMonitor | undefined
  readonly metrics?: RealtimeMetrics | undefined
}

/** Default milliseconds between scheduled runs. */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 60_000

const CATEGORY: Readonly<Record<HealthCheckStepName, ErrorCategory>> = {
  subscribe: 'realtime',
  createBooking: 'booking',
  booking: 'booking',
  chatRoom: 'chat',
  systemMessage: 'chat',
  notification: 'notification',
  realtime: 'realtime',
  cleanup: 'appwrite',
}

class HealthCheckStepError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HealthCheckStepError'
  }
}

/** The booking id a pipeline result (`booking.$id`, `bookingId`) or error (`bookingId`) reports. */
function reportedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as { bookingId?: unknown; booking?: { $id?: unknown } }
  if (typeof record.booking?.$id === 'string') return record.booking.$id
  return typeof record.bookingId === 'string' ? record.bookingId : undefined
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function race<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error as Error)
      },
    )
  })
}

/** An AbortController aborted after `ms` on the clock; `dispose()` stops its timer. */
function deadline(clock: Clock, ms: number, what: string) {
  const controller = new AbortController()
  const timer: TimerHandle = clock.setTimeout(
    () => controller.abort(new HealthCheckStepError(`${what} ran out of its ${ms} ms budget`)),
    ms,
  )
  return { signal: controller.signal, dispose: () => clock.clearTimeout(timer) }
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `createHealthCheck: \`${name}\` must be a positive number of milliseconds, got ${String(value)}`,
    )
  }
  return value
}

/** @internal */
export class HealthCheckImpl extends Subscribable<() => void> implements HealthCheck {
  readonly #deps: HealthCheckDeps
  readonly #createBooking: SyntheticBookingWriter
  readonly #bookingIdFor: (idempotencyKey: string, input: BookingInput) => string
  readonly #input: BookingInput
  readonly #realtimeBudgetMs: number
  readonly #timeoutMs: number
  readonly #heartbeatUrl: string | undefined
  readonly #fetch: HealthCheckFetch | undefined
  readonly #instance = randomId('').slice(0, 12)
  readonly #results = new Emitter<HealthCheckResult>()
  #runs = 0
  #current: Promise<HealthCheckResult> | undefined
  #last: HealthCheckResult | null = null
  #schedule: { timer: TimerHandle | undefined; intervalMs: number; stopped: boolean } | undefined
  #snapshot: HealthCheckSnapshot | undefined

  constructor(
    deps: HealthCheckDeps,
    options: HealthCheckConfig & {
      createBooking: SyntheticBookingWriter
      bookingIdFor?: ((idempotencyKey: string, input: BookingInput) => string) | undefined
    },
  ) {
    super()
    this.#deps = deps
    if (typeof options.createBooking !== 'function') {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createHealthCheck: `createBooking` is required (the booking pipeline to test)',
      )
    }
    this.#createBooking = options.createBooking
    this.#bookingIdFor = options.bookingIdFor ?? ((key) => bookingIdForKey(key))
    // Validated once here, so a bad synthetic id fails at startup rather than on every run.
    this.#input = deps.lock.parse('bookingInput', {
      customerId: options.syntheticCustomerId ?? DEFAULT_SYNTHETIC_CUSTOMER_ID,
      customerName: 'booking-guard health check',
      providerId: options.syntheticProviderId ?? DEFAULT_SYNTHETIC_PROVIDER_ID,
      providerType: 'therapist',
      providerName: 'booking-guard health check',
      bookingType: 'immediate',
      durationMinutes: 15,
      notes: 'Synthetic booking written by the booking-guard health check; removed right away.',
    }) as BookingInput
    this.#realtimeBudgetMs = positive('realtimeBudgetMs', options.realtimeBudgetMs ?? 5_000)
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 30_000)
    this.#heartbeatUrl = options.heartbeatUrl
    const globalFetch = (globalThis as { fetch?: HealthCheckFetch }).fetch
    this.#fetch =
      options.fetch ?? (globalFetch === undefined ? undefined : globalFetch.bind(globalThis))
    if (this.#heartbeatUrl !== undefined && this.#fetch === undefined) {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createHealthCheck: `heartbeatUrl` needs a `fetch` (none is global here): pass `fetch`',
      )
    }
  }

  /** The provider id synthetic bookings are for. */
  get syntheticProviderId(): string {
    return this.#input.providerId
  }

  getSnapshot(): HealthCheckSnapshot {
    return (this.#snapshot ??= Object.freeze({
      running: this.#current !== undefined,
      scheduled: this.#schedule !== undefined && !this.#schedule.stopped,
      last: this.#last,
    }))
  }

  onResult(listener: (result: HealthCheckResult) => void): () => void {
    return this.#results.add(listener)
  }

  run(): Promise<HealthCheckResult> {
    if (this.#current !== undefined) return this.#current
    const current = this.#execute().then((result) => {
      this.#current = undefined
      this.#last = result
      this.#changed()
      this.#results.emit(result)
      return result
    })
    this.#current = current
    this.#changed()
    return current
  }

  start(options: { intervalMs?: number } = {}): () => void {
    const intervalMs = positive(
      'intervalMs',
      options.intervalMs ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS,
    )
    this.#stopSchedule()
    const schedule = { timer: undefined as TimerHandle | undefined, intervalMs, stopped: false }
    this.#schedule = schedule
    const { clock } = this.#deps
    const loop = () => {
      void this.run().then(() => {
        if (schedule.stopped) return
        schedule.timer = clock.setTimeout(loop, intervalMs)
      })
    }
    loop()
    this.#changed()
    return () => {
      if (this.#schedule === schedule) this.#stopSchedule()
    }
  }

  #stopSchedule(): void {
    const schedule = this.#schedule
    if (schedule === undefined) return
    schedule.stopped = true
    this.#deps.clock.clearTimeout(schedule.timer)
    this.#schedule = undefined
    this.#changed()
  }

  async #execute(): Promise<HealthCheckResult> {
    const { clock, backend, lock, session, monitor, metrics } = this.#deps
    const startedAt = clock.now()
    const idempotencyKey = `healthcheck-${this.#instance}-${++this.#runs}`
    // Replaced by the id the pipeline reports, once it reports one.
    let bookingId = this.#bookingIdFor(idempotencyKey, this.#input)
    const tables = {
      booking: lock.tableId('booking'),
      chatRoom: lock.tableId('chatRoom'),
      chatMessage: lock.tableId('chatMessage'),
      notification: lock.tableId('notification'),
    }
    const childrenOf = (id: string) => ({
      chatRoom: childIds.chatRoom(id),
      systemMessage: childIds.systemMessage(id, 'created'),
      notification: childIds.notification(id, 'created'),
    })
    const steps: HealthCheckStep[] = []
    let failedStep: HealthCheckStepName | undefined
    let failure: unknown

    // Listen before writing, so the booking's event cannot slip past; the booking id may only be
    // known once the pipeline answers, so every booking event of the run is noted by id.
    const arrivals = new Map<string, number>()
    let onEvent: (() => void) | undefined
    const release = session.use(tables.booking, (payload) => {
      if (typeof payload.$id !== 'string' || arrivals.has(payload.$id)) return
      if (payload.providerId !== this.#input.providerId) return
      arrivals.set(payload.$id, clock.now())
      onEvent?.()
    })
    const budget = deadline(clock, this.#timeoutMs, 'the health check')

    const step = async (name: HealthCheckStepName, body: () => Promise<number | void>) => {
      if (failedStep !== undefined) return
      const began = clock.now()
      try {
        const ms = await race(body(), budget.signal)
        steps.push({ name, ok: true, ms: ms ?? clock.now() - began })
      } catch (error) {
        failedStep = name
        failure = error
        steps.push({ name, ok: false, ms: clock.now() - began, error: messageOf(error) })
      }
    }
    const read = async (
      tableId: string,
      rowId: string,
      kind: 'booking' | 'chatRoom' | 'chatMessage' | 'notification',
    ) => lock.normalize(kind, await backend.get(tableId, rowId)) as Record<string, unknown>
    const expect = (condition: boolean, message: string) => {
      if (!condition) throw new HealthCheckStepError(message)
    }

    let createStartedAt = startedAt
    try {
      await step('subscribe', () => session.whenSubscribed(budget.signal))
      await step('createBooking', async () => {
        createStartedAt = clock.now()
        try {
          const result = await this.#createBooking(this.#input, {
            idempotencyKey,
            signal: budget.signal,
            synthetic: true,
          })
          bookingId = reportedId(result) ?? bookingId
        } catch (error) {
          bookingId = reportedId(error) ?? bookingId
          throw error
        }
      })
      const children = childrenOf(bookingId)
      await step('booking', async () => {
        const row = await read(tables.booking, bookingId, 'booking')
        expect(
          row.providerId === this.#input.providerId,
          `booking \`${bookingId}\` has providerId \`${String(row.providerId)}\`, expected \`${this.#input.providerId}\``,
        )
      })
      await step('chatRoom', async () => {
        const row = await read(tables.chatRoom, children.chatRoom, 'chatRoom')
        expect(
          row.bookingId === bookingId,
          `chat room \`${children.chatRoom}\` is not linked to booking \`${bookingId}\``,
        )
      })
      await step('systemMessage', async () => {
        const row = await read(tables.chatMessage, children.systemMessage, 'chatMessage')
        expect(
          row.roomId === children.chatRoom,
          `system message \`${children.systemMessage}\` is not in room \`${children.chatRoom}\``,
        )
      })
      await step('notification', async () => {
        const row = await read(tables.notification, children.notification, 'notification')
        expect(
          row.recipientId === this.#input.providerId,
          `notification \`${children.notification}\` is not addressed to the provider \`${this.#input.providerId}\``,
        )
      })
      await step('realtime', async () => {
        const due = createStartedAt + this.#realtimeBudgetMs
        if (!arrivals.has(bookingId) && clock.now() < due) {
          await new Promise<void>((resolve) => {
            const timer = clock.setTimeout(resolve, due - clock.now())
            onEvent = () => {
              if (!arrivals.has(bookingId)) return
              clock.clearTimeout(timer)
              resolve()
            }
          })
        }
        const eventAt = arrivals.get(bookingId)
        expect(
          eventAt !== undefined && eventAt <= due,
          `no realtime event for booking \`${bookingId}\` within ${this.#realtimeBudgetMs} ms on \`${session.channelFor(tables.booking)}\``,
        )
        return eventAt! - createStartedAt
      })
    } finally {
      release()
      budget.dispose()
    }

    const ids = childrenOf(bookingId)
    await this.#cleanup(steps, [
      [tables.notification, ids.notification],
      [tables.chatMessage, ids.systemMessage],
      [tables.chatRoom, ids.chatRoom],
      [tables.booking, bookingId],
    ]).catch((error: unknown) => {
      failedStep ??= 'cleanup'
      failure ??= error
    })
    if (failedStep === undefined && steps.some((s) => !s.ok)) {
      failedStep = 'cleanup'
      failure = new HealthCheckStepError(steps.at(-1)?.error ?? 'cleanup failed')
    }

    const ok = failedStep === undefined
    metrics?.recordHealthCheck?.(ok)
    if (!ok) {
      monitor?.capture(failure, {
        category: CATEGORY[failedStep!],
        severity: 'error',
        operation: 'healthCheck',
        context: { step: failedStep, bookingId },
      })
    }
    const ping = await this.#ping(ok, failedStep, steps)
    return Object.freeze({
      ok,
      steps: Object.freeze(steps),
      failedStep,
      bookingId,
      startedAt,
      durationMs: clock.now() - startedAt,
      ping,
    })
  }

  /** Deletes every row the run may have written, whatever happened; rows already gone are fine. */
  async #cleanup(
    steps: HealthCheckStep[],
    rows: ReadonlyArray<readonly [string, string]>,
  ): Promise<void> {
    const { clock, backend } = this.#deps
    const began = clock.now()
    const budget = deadline(clock, this.#timeoutMs, 'cleanup')
    const errors: string[] = []
    try {
      for (const [tableId, rowId] of rows) {
        try {
          await race(backend.remove(tableId, rowId), budget.signal)
        } catch (error) {
          if (classifyAppwriteError(error).status === 404) continue
          errors.push(`${tableId}/${rowId}: ${messageOf(error)}`)
        }
      }
    } finally {
      budget.dispose()
    }
    steps.push(
      errors.length === 0
        ? { name: 'cleanup', ok: true, ms: clock.now() - began }
        : {
            name: 'cleanup',
            ok: false,
            ms: clock.now() - began,
            error: `could not remove ${errors.join('; ')}`,
          },
    )
  }

  async #ping(
    ok: boolean,
    failedStep: HealthCheckStepName | undefined,
    steps: readonly HealthCheckStep[],
  ): Promise<HealthCheckPing | undefined> {
    const base = this.#heartbeatUrl
    if (base === undefined || this.#fetch === undefined) return undefined
    const url = ok ? base : `${base.replace(/\/+$/, '')}/fail`
    const failed = steps.find((s) => s.name === failedStep)
    const body = ok
      ? `ok in ${steps.reduce((sum, s) => sum + s.ms, 0)} ms`
      : `failed at ${failedStep}: ${failed?.error ?? 'unknown error'}`.slice(0, 1_000)
    const budget = deadline(this.#deps.clock, 10_000, 'the heartbeat ping')
    try {
      const response = await race(
        this.#fetch(url, { method: 'POST', body, signal: budget.signal }),
        budget.signal,
      )
      const status = (response as { ok?: unknown; status?: unknown } | undefined) ?? {}
      if (status.ok === false) {
        throw new HealthCheckStepError(`the heartbeat URL answered ${String(status.status)}`)
      }
      return { url, ok: true }
    } catch (error) {
      this.#deps.monitor?.capture(error, {
        category: 'network',
        severity: 'warning',
        operation: 'healthCheck.ping',
        context: { url },
      })
      return { url, ok: false, error: messageOf(error) }
    } finally {
      budget.dispose()
    }
  }

  #changed(): void {
    this.#snapshot = undefined
    for (const listener of this.listeners) {
      try {
        listener()
      } catch (error) {
        console.error('[booking-guard] a health check listener threw:', error)
      }
    }
  }
}

/** Builds a health check on existing dependencies (the guard's shared session). @internal */
export function createHealthCheckOn(
  deps: HealthCheckDeps,
  options: HealthCheckConfig & {
    createBooking: SyntheticBookingWriter
    bookingIdFor?: ((idempotencyKey: string, input: BookingInput) => string) | undefined
  },
): HealthCheckImpl {
  return new HealthCheckImpl(deps, options)
}

/**
 * Creates a synthetic health check of the whole booking path: a flagged booking for a synthetic
 * provider goes through the real pipeline; the check reads back the booking, chat room, system
 * message and notification, expects the booking's realtime event within `realtimeBudgetMs`,
 * and removes everything it wrote, even after a failure. Results feed `metrics` (health check
 * pass rate), failures the `monitor`, and an optional dead-man's-switch URL. Inside a guard, use
 * `guard.runHealthCheck()` / `guard.startHealthChecks()`.
 *
 * @example
 * ```ts
 * const check = createHealthCheck({
 *   createBooking: (input, { idempotencyKey, signal }) => guard.createBooking(input, { idempotencyKey, signal }),
 *   tablesDB,
 *   realtime: new Realtime(client),
 *   databaseId: 'main',
 *   heartbeatUrl: 'https://hc-ping.com/your-uuid',
 * })
 * const stop = check.start({ intervalMs: 60_000 })
 * check.onResult((result) => {
 *   if (!result.ok) console.error(`health check failed at ${result.failedStep}`, result.steps)
 * })
 * ```
 */
export function createHealthCheck(options: HealthCheckOptions): HealthCheck {
  // The full lock: a health check writes a booking, whose input it parses.
  const lock = options.lock ?? createSchemaLock()
  const deps = realtimeDeps({ ...options, lock })
  return new HealthCheckImpl(
    { ...deps, lock, monitor: options.monitor, metrics: options.metrics },
    options,
  )
}
