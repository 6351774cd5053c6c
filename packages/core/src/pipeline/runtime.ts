import type { Backend, BackendRow } from '../backend/appwriteBackend'
import type { Clock, TimerHandle } from '../clock'
import { isCircuitOpenError } from '../errors'
import type { PipelineMode, PipelineStep } from '../errors'
import type { ErrorCategory, ErrorMonitor } from '../monitor/errorMonitor'
import type { Metrics } from '../monitor/metrics'
import { classifyAppwriteError } from '../resilience/classifyError'
import type { Emitter } from '../resilience/emitter'
import type { AbortSource, ExecutionPolicy } from '../resilience/retryPolicy'
import { executeUnder } from '../resilience/wrap'
import type { SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import type { BookingGuardEvent, PipelineOperation } from './events'
import type { PermissionRules } from './permissions'
import type { PushSender } from './push'

/** The table ids the pipeline writes. @internal */
export interface GuardTables {
  readonly booking: string
  readonly chatRoom: string
  readonly chatMessage: string
  readonly notification: string
}

/** What the reconciler does with a booking left `pending`. */
export type PendingAction = 'complete' | 'compensate'

/** Resolved numeric and behavioural settings of a guard. @internal */
export interface PipelineSettings {
  readonly timeoutMs: number
  readonly compensationTimeoutMs: number
  readonly responseDeadlineMs: number
  readonly chatRoomTtlMs: number
  readonly transactionTtlSeconds: number
  readonly slotLock: SlotLockRule | undefined
  readonly generateId: () => string
  readonly pendingAction: PendingAction
  readonly pushTimeoutMs: number
  readonly maxPushAttempts: number
}

/** How the slot key of a scheduled booking is computed. @internal */
export type SlotLockRule = (booking: {
  providerId: string
  scheduledAt: string
  durationMinutes: number
}) => string

/** Decides, once, whether a guard writes with transactions or as a saga. @internal */
export class ModeSelector {
  readonly #configured: 'auto' | PipelineMode
  readonly #emit: (event: BookingGuardEvent) => void
  readonly #clock: Clock
  #resolved: PipelineMode | undefined

  constructor(
    configured: 'auto' | PipelineMode,
    backend: Backend,
    clock: Clock,
    emit: (event: BookingGuardEvent) => void,
  ) {
    this.#configured = configured
    this.#emit = emit
    this.#clock = clock
    if (configured !== 'auto') this.#resolved = configured
    else if (backend.transactions === undefined) this.#resolved = 'saga'
  }

  /** The mode to use now; `'probe'` while `auto` has not decided yet (try a transaction). */
  current(): PipelineMode | 'probe' {
    return this.#resolved ?? 'probe'
  }

  /** Whether the guard may fall back to saga when a transaction cannot start. */
  get auto(): boolean {
    return this.#configured === 'auto'
  }

  /** `auto`: a transaction started, so the server supports them. */
  supported(): void {
    if (this.#resolved !== undefined) return
    this.#resolved = 'transaction'
    this.#emit({
      type: 'modeResolved',
      at: this.#clock.now(),
      mode: 'transaction',
      reason: 'the server accepted a transaction',
    })
  }

  /** `auto`: the server refused transactions; every later call runs as a saga. */
  unsupported(reason: string): void {
    if (this.#resolved !== undefined) return
    this.#resolved = 'saga'
    this.#emit({ type: 'modeResolved', at: this.#clock.now(), mode: 'saga', reason })
  }
}

/**
 * Everything a pipeline needs, wired once by `createBookingGuard`.
 *
 * @internal
 */
export interface PipelineRuntime {
  readonly backend: Backend
  readonly lock: SchemaLock<SchemaExtensions>
  readonly tables: GuardTables
  readonly policy: ExecutionPolicy
  /**
   * The retry policy without the breaker, for cleanup (compensation, rollback, tombstones): undoing
   * a half-made booking must still run while the breaker is open, and its successes must not
   * reset the breaker's count of failing forward writes.
   */
  readonly cleanupPolicy: ExecutionPolicy
  readonly clock: Clock
  readonly monitor: ErrorMonitor | undefined
  readonly metrics: Metrics | undefined
  readonly permissions: PermissionRules
  readonly settings: PipelineSettings
  readonly modes: ModeSelector
  readonly events: Emitter<BookingGuardEvent>
  /** The app's push sender, when configured. */
  readonly pushSender: PushSender | undefined
  /** Retries push attempts (not the Appwrite breaker: the push service is another backend). */
  readonly pushPolicy: ExecutionPolicy
  /** Background work (push deliveries) still running; `guard.idle()` awaits it. */
  readonly background: Set<Promise<unknown>>
}

/** Emits only when someone listens, so the hot path builds no event objects. @internal */
export function emit(rt: PipelineRuntime, build: () => BookingGuardEvent): void {
  if (rt.events.size > 0) rt.events.emit(build())
}

/** Captures an error in the monitor, if any; never throws. @internal */
export function capture(
  rt: PipelineRuntime,
  error: unknown,
  category: ErrorCategory,
  severity: 'critical' | 'error' | 'warning',
  operation: string,
  context: Record<string, unknown>,
): void {
  rt.monitor?.capture(error, { category, severity, operation, context })
}

/** The monitor category of a step's failure. @internal */
export function categoryOf(step: PipelineStep): ErrorCategory {
  if (step === 'chatRoom' || step === 'systemMessage') return 'chat'
  if (step === 'notification') return 'notification'
  return 'booking'
}

// ------------------------------------------------------------------------------------------------
// Budgets and aborts
// ------------------------------------------------------------------------------------------------

/** The abort reason of a call whose budget ran out. @internal */
export class BudgetExpired extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the ${timeoutMs} ms budget ran out`)
    this.name = 'BudgetExpired'
  }
}

/**
 * One call's time budget: aborts when `timeoutMs` passes on the clock or when the caller's
 * signal aborts, whichever comes first. Its `AbortSignal` (an `AbortController`'s) is created
 * only when something asks for it; requests of the call race the budget itself
 * ({@link CallBudget.race}) instead, so a call that never needs a signal never pays for one.
 *
 * @internal
 */
export class CallBudget implements AbortSource {
  #controller: AbortController | undefined
  readonly #clock: Clock
  readonly #timer: TimerHandle
  readonly #caller: AbortSignal | undefined
  readonly #onCallerAbort: (() => void) | undefined
  #aborted = false
  #reason: unknown
  #timedOut = false
  #waiters: Array<(reason: unknown) => void> | undefined

  constructor(clock: Clock, timeoutMs: number, caller?: AbortSignal) {
    this.#clock = clock
    this.#timer = clock.setTimeout(() => {
      this.#timedOut = true
      this.#abort(new BudgetExpired(timeoutMs))
    }, timeoutMs)
    this.#caller = caller
    if (caller !== undefined) {
      if (caller.aborted) this.#abort(caller.reason)
      else {
        this.#onCallerAbort = () => this.#abort(caller.reason)
        caller.addEventListener('abort', this.#onCallerAbort, { once: true })
      }
    }
  }

  /** Whether the budget ran out or the caller aborted. */
  get aborted(): boolean {
    return this.#aborted
  }

  /** Why it aborted (a {@link BudgetExpired}, or the caller's reason); `undefined` before. */
  get reason(): unknown {
    return this.#reason
  }

  /** Aborts when the budget runs out or the caller aborts; created on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Whether the budget (not the caller) ended the call. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /**
   * Settles with `promise`, or rejects with the reason as soon as the budget aborts. The budget
   * keeps the rejecter of every request it races (a call makes a handful) and calls them on
   * abort: cheaper than a `Promise.race` against a shared abort promise, which allocates an
   * array and subscribes twice per request.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#aborted) {
      promise.then(observe, observe)
      return Promise.reject(this.#reason as Error)
    }
    return new Promise<T>((resolve, reject) => {
      ;(this.#waiters ??= []).push(reject)
      // Subscribing settles the race and handles a late rejection of an abandoned request.
      promise.then(resolve, reject)
    })
  }

  /** Stops the timer and detaches from the caller's signal. */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer)
    this.#waiters = undefined
    if (this.#onCallerAbort !== undefined) {
      this.#caller!.removeEventListener('abort', this.#onCallerAbort)
    }
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    const waiters = this.#waiters
    this.#waiters = undefined
    if (waiters !== undefined) for (const reject of waiters) reject(reason)
    this.#controller?.abort(reason)
  }
}

/** What a call can be aborted by: the caller's signal, or a call budget. @internal */
export type CallSignal = AbortSignal | CallBudget

// The outcome of a request the pipeline stopped waiting for is covered by compensation and the
// reconciler's sweep; observing it here only prevents an unhandled rejection.
const observe = (): undefined => undefined

// One rejection per signal, shared by every request raced against it: a listener per request
// would cost two EventTarget operations each on the hot path.
const abortedPromises = new WeakMap<AbortSignal, Promise<never>>()

function abortedPromise(signal: AbortSignal): Promise<never> {
  let promise = abortedPromises.get(signal)
  if (promise === undefined) {
    promise = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
    })
    promise.then(observe, observe)
    abortedPromises.set(signal, promise)
  }
  return promise
}

/**
 * Sends `request` and settles with its answer, or rejects with the abort reason as soon as
 * `signal` aborts: the SDKs take no signal, so an abandoned request is left to finish on its own.
 * An already-aborted signal rejects without sending anything.
 *
 * @internal
 */
export function raceAbort<T>(request: () => Promise<T>, signal: CallSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  const promise = request()
  if (signal instanceof CallBudget) return signal.race(promise)
  // The race subscribes to `promise`, so its late rejection is handled too.
  return Promise.race([promise, abortedPromise(signal)])
}

/** Runs one request under the guard's retry policy and breaker, bounded by `signal`. @internal */
export function remote<T>(
  rt: PipelineRuntime,
  request: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  if (signal instanceof CallBudget) {
    return executeUnder(rt.policy, () => raceAbort(request, signal), signal)
  }
  return rt.policy.execute((attempt) => raceAbort(request, attempt.signal), { signal })
}

/**
 * Runs one cleanup request (compensation, rollback, tombstone) under the retry policy only, never
 * the breaker: see {@link PipelineRuntime.cleanupPolicy}. @internal
 */
export function cleanup<T>(
  rt: PipelineRuntime,
  request: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  if (signal instanceof CallBudget) {
    return executeUnder(rt.cleanupPolicy, () => raceAbort(request, signal), signal)
  }
  return rt.cleanupPolicy.execute((attempt) => raceAbort(request, attempt.signal), { signal })
}

/**
 * Whether a failed request may still have been applied by the server: no answer (network,
 * timeout, abandoned), or a 5xx. A 4xx answer, or a call the breaker refused, wrote nothing.
 *
 * @internal
 */
export function mayHaveWritten(error: unknown): boolean {
  if (isCircuitOpenError(error)) return false
  const verdict = classifyAppwriteError(error)
  const status = verdict.status
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) return false
  return verdict.category !== 'schema' && verdict.category !== 'auth'
}

/** Whether `error` is a 404 (row, table or route missing, or unreadable for this user). @internal */
export function isNotFound(error: unknown): boolean {
  return classifyAppwriteError(error).status === 404
}

/** Whether `error` says the row itself does not exist (not its table or database). @internal */
export function isRowMissing(error: unknown): boolean {
  const type = classifyAppwriteError(error).type
  return type === 'row_not_found' || type === 'document_not_found'
}

/** Whether `error` is a unique-index violation (a taken slot). @internal */
export function isUniqueViolation(error: unknown): boolean {
  const type = classifyAppwriteError(error).type
  return (
    type === 'row_unique_constraint_violation' || type === 'document_unique_constraint_violation'
  )
}

// ------------------------------------------------------------------------------------------------
// Steps
// ------------------------------------------------------------------------------------------------

/**
 * What a write step left behind: `created` (this call wrote it), `existing` (it was there and
 * matched), `clean` (failed, nothing written), `unknown` (failed, may have been written),
 * `foreign` (a different row holds the id: never touch it), `unverified` (a row holds the id but
 * could not be read to compare: never touch it either).
 *
 * @internal
 */
export type WriteState = 'created' | 'existing' | 'clean' | 'unknown' | 'foreign' | 'unverified'

/** A settled write step. @internal */
export interface StepOutcome {
  readonly step: PipelineStep
  readonly state: WriteState
  readonly row: BackendRow | undefined
  readonly error: unknown
  /** Milliseconds the step took. */
  readonly durationMs: number
}

/** The frame of one pipeline call, shared by its steps. @internal */
export interface CallFrame {
  readonly rt: PipelineRuntime
  readonly operation: PipelineOperation
  readonly bookingId: string
  readonly mode: PipelineMode
  /** The call's budget (or, for a frame without one, the caller's signal). */
  readonly signal: CallSignal
  readonly timings: Partial<Record<PipelineStep, number>>
}

/** Times a step and emits its event. @internal */
export async function timedStep<T>(
  frame: CallFrame,
  step: PipelineStep,
  run: () => Promise<T>,
): Promise<T> {
  const { rt } = frame
  const started = rt.clock.now()
  let value: T
  try {
    value = await run()
  } catch (error) {
    stepEnded(frame, step, rt.clock.now() - started, false, error)
    throw error
  }
  stepEnded(frame, step, rt.clock.now() - started, false, undefined)
  return value
}

/**
 * Records a step's duration and emits `stepSucceeded` (`error === undefined`) or `stepFailed`;
 * builds no event when nobody listens.
 */
function stepEnded(
  frame: CallFrame,
  step: PipelineStep,
  durationMs: number,
  existing: boolean,
  error: unknown,
): void {
  const { rt } = frame
  frame.timings[step] = durationMs
  if (rt.events.size === 0) return
  rt.events.emit(
    error === undefined
      ? {
          type: 'stepSucceeded',
          at: rt.clock.now(),
          operation: frame.operation,
          bookingId: frame.bookingId,
          mode: frame.mode,
          step,
          durationMs,
          existing,
        }
      : {
          type: 'stepFailed',
          at: rt.clock.now(),
          operation: frame.operation,
          bookingId: frame.bookingId,
          mode: frame.mode,
          step,
          durationMs,
          error,
        },
  )
}

/** A write's target. @internal */
export interface WriteSpec {
  readonly step: PipelineStep
  readonly tableId: string
  readonly rowId: string
  readonly data: Record<string, unknown>
  readonly permissions: readonly string[]
  /**
   * Whether an existing row with this id is the one this write means (create-or-get). Given the
   * spec itself, so a module-level function can compare with `spec.data` (no closure per write).
   */
  readonly matches: (row: BackendRow, spec: WriteSpec) => boolean
  /**
   * What a 409 whose row cannot be read means: `existing` for children (the id is derived, so
   * it is ours, only not readable by this user), `foreign` for the booking.
   */
  readonly unreadable: 'existing' | 'foreign'
}

/**
 * Create-or-get: creates the row; on a 409 `already_exists` reads it and, if it matches, counts
 * the step as done (`existing`). Never throws: the outcome says what was left behind. `started`
 * is the step's start on the guard's clock (steps started together share one reading).
 *
 * @internal
 */
export async function createOrGet(
  frame: CallFrame,
  spec: WriteSpec,
  started: number = frame.rt.clock.now(),
): Promise<StepOutcome> {
  const { rt } = frame
  const write = new WriteAttempts(
    () => rt.backend.create(spec.tableId, spec.rowId, spec.data, spec.permissions),
    frame.signal,
  )
  let outcome: StepOutcome
  try {
    const row = await execute(rt, write.run, frame.signal)
    outcome = stepOutcome(rt, spec, started, 'created', row, undefined)
  } catch (error) {
    try {
      outcome = await afterRefusedCreate(frame, spec, started, error)
    } catch (failure) {
      outcome = stepOutcome(
        rt,
        spec,
        started,
        write.ambiguous || mayHaveWritten(failure) ? 'unknown' : 'clean',
        undefined,
        failure,
      )
      stepEnded(frame, spec.step, outcome.durationMs, false, failure)
      return outcome
    }
  }
  stepEnded(frame, spec.step, outcome.durationMs, outcome.state === 'existing', undefined)
  return outcome
}

/**
 * The attempts of one write request: remembers whether any of them may have written (an
 * ambiguous failure), and keeps the requests still in flight, so the pipeline never undoes a
 * write that may yet land ({@link WriteAttempts.settle}).
 *
 * @internal
 */
export class WriteAttempts<T> {
  /** Whether an attempt failed in a way that may still have written (network, 5xx, abandoned). */
  ambiguous = false
  /** Requests sent and not settled yet: the budget stopped waiting for them, the server may not have. */
  readonly #inflight = new Set<Promise<unknown>>()
  readonly run: () => Promise<T>

  constructor(request: () => Promise<T>, signal: CallSignal) {
    this.run = async () => {
      try {
        return await raceAbort(() => this.#track(request()), signal)
      } catch (error) {
        if (mayHaveWritten(error)) this.ambiguous = true
        throw error
      }
    }
  }

  /** Whether a request of this write is still in flight. */
  get unsettled(): boolean {
    return this.#inflight.size > 0
  }

  /**
   * Waits until every request of this write has settled, or `signal` aborts. Resolves to whether
   * they all settled.
   */
  async settle(signal: CallSignal): Promise<boolean> {
    while (this.#inflight.size > 0) {
      const pending = [...this.#inflight]
      try {
        await raceAbort(() => Promise.allSettled(pending), signal)
      } catch {
        return false
      }
    }
    return true
  }

  #track(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise)
    const done = () => {
      this.#inflight.delete(promise)
    }
    promise.then(done, done)
    return promise
  }
}

/** Waits, within `compensationTimeoutMs`, for every request of a write to settle. @internal */
export async function settled(
  rt: PipelineRuntime,
  write: WriteAttempts<unknown>,
): Promise<boolean> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    return await write.settle(budget)
  } finally {
    budget.dispose()
  }
}

/**
 * Waits for a write that may still land, then sends the same update again (idempotent), both
 * within `compensationTimeoutMs` and never refused by the breaker. Resolves to the updated row, or
 * `undefined` when it could not be done.
 *
 * @internal
 */
export async function settleThenUpdate(
  rt: PipelineRuntime,
  write: WriteAttempts<unknown>,
  bookingId: string,
  patch: Record<string, unknown>,
): Promise<BackendRow | undefined> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    await write.settle(budget)
    return await cleanup(rt, () => rt.backend.update(rt.tables.booking, bookingId, patch), budget)
  } catch (error) {
    capture(rt, error, 'booking', 'warning', 'pipeline.deliver', { bookingId })
    return undefined
  } finally {
    budget.dispose()
  }
}

/** Runs one operation under the guard's policy, cancelled by `signal`. @internal */
export function execute<T>(
  rt: PipelineRuntime,
  fn: () => Promise<T>,
  signal: CallSignal,
): Promise<T> {
  if (signal instanceof CallBudget) return executeUnder(rt.policy, fn, signal)
  return rt.policy.execute(fn, { signal })
}

function stepOutcome(
  rt: PipelineRuntime,
  spec: WriteSpec,
  started: number,
  state: WriteState,
  row: BackendRow | undefined,
  error: unknown,
): StepOutcome {
  return { step: spec.step, state, row, error, durationMs: rt.clock.now() - started }
}

/**
 * A create was refused: on a 409 (or a unique violation, which may answer before the primary
 * key does) look for the row. Throws the create's error when nothing says the row is there.
 */
async function afterRefusedCreate(
  frame: CallFrame,
  spec: WriteSpec,
  started: number,
  error: unknown,
): Promise<StepOutcome> {
  const { rt, signal } = frame
  if (!classifyAppwriteError(error).alreadyExists && !isUniqueViolation(error)) throw error
  let row: BackendRow
  try {
    row = await remote(rt, () => rt.backend.get(spec.tableId, spec.rowId), signal)
  } catch (readError) {
    if (isNotFound(readError) && isUniqueViolation(error)) {
      // No row with this id: another row holds the unique value (a taken slot).
      throw error
    }
    if (isNotFound(readError) || classifyAppwriteError(readError).category === 'auth') {
      if (spec.unreadable === 'existing')
        return stepOutcome(rt, spec, started, 'existing', undefined, undefined)
      return stepOutcome(rt, spec, started, 'foreign', undefined, error)
    }
    // The row exists (409) but could not be read now: a child with a derived id is ours;
    // a booking must never be compensated unverified (it may be another call's).
    if (spec.unreadable === 'existing')
      return stepOutcome(rt, spec, started, 'existing', undefined, undefined)
    return stepOutcome(rt, spec, started, 'unverified', undefined, readError)
  }
  return spec.matches(row, spec)
    ? stepOutcome(rt, spec, started, 'existing', row, undefined)
    : stepOutcome(rt, spec, started, 'foreign', row, error)
}

/**
 * Deletes a row; `row_not_found` counts as done (a missing table does not: the delete proves
 * nothing then). Resolves to the error, or `undefined` on success.
 *
 * @internal
 */
export async function removeRow(
  rt: PipelineRuntime,
  tableId: string,
  rowId: string,
  signal: CallSignal,
): Promise<unknown> {
  try {
    await cleanup(rt, () => rt.backend.remove(tableId, rowId), signal)
    return undefined
  } catch (error) {
    return isRowMissing(error) ? undefined : (error ?? new Error('delete failed'))
  }
}

/** Whether two ISO datetimes (or two plain values) denote the same thing. @internal */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true
  if (typeof a === 'string' && typeof b === 'string' && a.length >= 19 && b.length >= 19) {
    const ta = Date.parse(a)
    const tb = Date.parse(b)
    return !Number.isNaN(ta) && ta === tb
  }
  return false
}

const ISO_CACHE_SIZE = 16
const isoKeys = new Float64Array(ISO_CACHE_SIZE).fill(Number.NaN)
const isoValues: string[] = new Array<string>(ISO_CACHE_SIZE).fill('')

/**
 * ISO 8601 for an epoch-milliseconds instant. Formatting a date is the priciest step of building
 * a booking's rows, and bookings written in the same millisecond share their instants, so the last
 * few are remembered.
 *
 * @internal
 */
export function iso(ms: number): string {
  // Mix high and low bits: a booking's instants (now, deadline, expiry) differ by round numbers.
  const low = ms % 4_294_967_296
  const slot =
    (low ^ (low >>> 11) ^ (low >>> 19) ^ Math.floor(ms / 4_294_967_296)) & (ISO_CACHE_SIZE - 1)
  if (isoKeys[slot] === ms) return isoValues[slot]!
  const value =
    Number.isInteger(ms) && ms >= 0 && ms <= LAST_FOUR_DIGIT_MS
      ? formatIso(ms)
      : new Date(ms).toISOString()
  isoKeys[slot] = ms
  isoValues[slot] = value
  return value
}

/** The last millisecond of year 9999: `toISOString` writes every later year with a sign. */
const LAST_FOUR_DIGIT_MS = 253_402_300_799_999
const MS_PER_DAY = 86_400_000
/** `YYYY-MM-DDTHH:mm:ss.sssZ` as character codes: the separators, then each call's digits. */
const ISO_CODES: number[] = Array.from('0000-00-00T00:00:00.000Z', (char) => char.charCodeAt(0))

/** Writes `value` as `width` decimal digits into {@link ISO_CODES} from `at`. */
function putDigits(at: number, width: number, value: number): void {
  for (let i = at + width - 1; i >= at; i--) {
    const next = Math.floor(value / 10)
    ISO_CODES[i] = 48 + value - next * 10
    value = next
  }
}

/**
 * `new Date(ms).toISOString()` for an integer instant from 1970 to 9999, by hand: on Node 20 the
 * built-in takes about 2 µs a call, more than the rest of a booking's row building. Civil date from
 * days since the epoch in 400-year eras (Howard Hinnant's `civil_from_days`).
 *
 * @internal
 */
export function formatIso(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY)
  let rest = ms - days * MS_PER_DAY
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = Math.floor(rest / 1000)
  const millis = rest - seconds * 1000
  const shifted = days + 719_468 // days since 0000-03-01
  const era = Math.floor(shifted / 146_097)
  const dayOfEra = shifted - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  )
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  putDigits(0, 4, year)
  putDigits(5, 2, month)
  putDigits(8, 2, day)
  putDigits(11, 2, hours)
  putDigits(14, 2, minutes)
  putDigits(17, 2, seconds)
  putDigits(20, 3, millis)
  // From character codes in one go: V8 keeps a string concatenated piece by piece as a tree of
  // its pieces (about 300 bytes here, where the characters take 40), and flattening it cost four
  // times what this does (measured on Node 20).
  return String.fromCharCode.apply(null, ISO_CODES)
}

/** Cuts text to `max` characters (column sizes), with an ellipsis. @internal */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
