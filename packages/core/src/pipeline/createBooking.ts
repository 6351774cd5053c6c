import type { BackendRow } from '../backend/appwriteBackend'
import { sleep } from '../clock'
import { Q } from '../backend/queries'
import {
  BookingPipelineError,
  IdempotencyConflictError,
  SchemaLockError,
  SlotTakenError,
} from '../errors'
import type { PipelineMode, PipelineStep } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { normalizeOwned } from '../schema/schemaLock'
import { BookingSourceSchema } from '../schema/schemas'
import type { BookingSource } from '../schema/schemas'
import { BudgetExpired } from './budget'
import { PipelineCall, reasonOf } from './call'
import type { FailureReport } from './call'
import { iso, sameValue } from './format'
import { bookingIdForKey, fingerprintOf, storedIdempotencyKey } from './ids'
import { schedulePush } from './push'
import { capture } from './report'
import { bookingData, chatRoomWrite, transitionWrites } from './rows'
import type { BookingFacts } from './rows'
import { compensateCreation, deliver } from './saga'
import type { CreationWrites } from './saga'
import { begin, Commit, rollback, stage, staged, synthesize } from './transaction'
import type {
  BookingRow,
  ChatMessageRow,
  ChatRoomRow,
  NotificationRow,
  PipelineOperation,
  PipelineRuntime,
  PipelineTimings,
  StepOutcome,
} from './types'
import { isCompensated, isLive, isVoided } from './voided'
import { isNotFound, isRowMissing, isUniqueViolation, remote } from './writes'

export type {
  BookingRow,
  ChatMessageRow,
  ChatRoomRow,
  NotificationRow,
  PipelineTimings,
} from './types'

/** Options of one `createBooking` call. */
export interface CreateBookingOptions {
  /**
   * Makes the call idempotent: the same key always maps to the same booking id,
   * so a retry returns the existing booking (`replayed: true`), resumes one left pending, and a
   * different input under the same key is an `IdempotencyConflictError`. 1–64 characters; use a
   * UUID per booking form. Defaults to none (every call is a new booking).
   */
  idempotencyKey?: string
  /**
   * Scopes `idempotencyKey`: one key under two scopes names two bookings. A server that books for
   * many users passes the caller's user id, so one user's key never reaches another user's
   * booking (the booking server of `@booking-guard/core/server` does). 1–64 characters; ignored
   * without a key. The row's `idempotencyKey` (a unique column of 64 characters) then holds
   * `<scope length>:<scope>/<key>`, or `#` and a SHA-256 of that text when it is longer. Defaults
   * to none (every key in one scope, stored as it is).
   */
  idempotencyScope?: string
  /** Which UI entry point the booking came from, stored as `source`. Defaults to `'direct'`. */
  source?: BookingSource
  /** Aborts the call: in-flight requests are abandoned, partial writes compensated. */
  signal?: AbortSignal
}

/** What `createBooking` resolves to: every row of the booking, all of which exist. */
export interface CreateBookingResult {
  /** The booking row (`pipelineStatus: 'delivered'`). */
  readonly booking: BookingRow
  /** Its chat room (id = booking id). */
  readonly chatRoom: ChatRoomRow
  /** The "booking received" system message in the room. */
  readonly systemMessage: ChatMessageRow
  /** The provider's "new booking" notification (id = booking id). */
  readonly notification: NotificationRow
  /** How the rows were written. */
  readonly mode: PipelineMode
  /** `true` when an earlier call with the same idempotency key had created the booking. */
  readonly replayed: boolean
  /** Durations and round trips. */
  readonly timings: PipelineTimings
}

/** Thrown inside the transaction path when `auto` mode must fall back to a saga. @internal */
class TransactionsUnavailable extends Error {}

/** What one creation call decided before its first write. */
interface CreateContext {
  readonly input: Record<string, unknown> & BookingFacts
  readonly key: string | undefined
  /** What the booking row stores as its `idempotencyKey` (unique): the key, with its scope. */
  readonly storedKey: string | undefined
  readonly fingerprint: string | undefined
  readonly source: BookingSource
  readonly slotKey: string | undefined
  /** A health-check booking: written with `synthetic: true` so feeds never deliver it. */
  readonly synthetic: boolean
  /** When the last call with this key ended in this process, on the guard's clock. */
  readonly endedHere?: number | undefined
}

const IDEMPOTENCY_KEY_MAX_LENGTH = 64

/** Refuses an idempotency key or scope that is not a string of 1–64 characters. */
function checkKeyOption(
  value: unknown,
  field: 'idempotencyKey' | 'idempotencyScope',
  what: string,
): void {
  if (
    value !== undefined &&
    (typeof value !== 'string' || value.length === 0 || value.length > IDEMPOTENCY_KEY_MAX_LENGTH)
  ) {
    throw new SchemaLockError(
      [
        {
          path: [field],
          code: 'invalid_type',
          message: `Invalid ${what}: use a string of 1–${IDEMPOTENCY_KEY_MAX_LENGTH} characters, e.g. ${field === 'idempotencyKey' ? 'a UUID' : 'the user id'}`,
        },
      ],
      { kind: 'createBookingOptions' },
    )
  }
}

function checkOptions(options: CreateBookingOptions): { key?: string; source: BookingSource } {
  const key = options.idempotencyKey
  checkKeyOption(key, 'idempotencyKey', 'idempotency key')
  checkKeyOption(options.idempotencyScope, 'idempotencyScope', 'idempotency scope')
  const source = options.source ?? 'direct'
  if (!BookingSourceSchema.safeParse(source).success) {
    throw new SchemaLockError(
      [
        {
          path: ['source'],
          code: 'invalid_value',
          message: `Invalid source \`${String(source)}\`: use one of ${BookingSourceSchema.options.join(', ')}`,
        },
      ],
      { kind: 'createBookingOptions' },
    )
  }
  return key === undefined ? { source } : { key, source }
}

/** How many ended calls a guard remembers (the oldest is forgotten first). */
const ENDED_CALLS_KEPT = 10_000

/**
 * The calls with an idempotency key one guard runs: the one running for each booking id (a second
 * call waits for it), and when the last one ended (a booking this process last wrote is not another
 * process's work in progress).
 *
 * @internal
 */
export class KeyedCalls {
  readonly running = new Map<string, Promise<unknown>>()
  readonly #ended = new Map<string, number>()

  /** When the last call for `bookingId` ended here, on the guard's clock. */
  endedAt(bookingId: string): number | undefined {
    return this.#ended.get(bookingId)
  }

  end(bookingId: string, at: number): void {
    this.#ended.delete(bookingId)
    this.#ended.set(bookingId, at)
    if (this.#ended.size > ENDED_CALLS_KEPT) {
      this.#ended.delete(this.#ended.keys().next().value!)
    }
  }
}

/**
 * Validates and writes a booking with its chat room, system message and provider notification,
 * all or nothing. See `guard.createBooking`.
 *
 * @internal
 */
export function createBooking(
  rt: PipelineRuntime,
  calls: KeyedCalls,
  input: unknown,
  options: CreateBookingOptions = {},
  synthetic = false,
): Promise<CreateBookingResult> {
  let parsed: Record<string, unknown> & BookingFacts
  let checked: { key?: string; source: BookingSource }
  let bookingId: string
  try {
    parsed = rt.lock.parse('bookingInput', input, { now: rt.clock.now() }) as Record<
      string,
      unknown
    > &
      BookingFacts
    checked = checkOptions(options)
    bookingId =
      checked.key === undefined
        ? rt.settings.generateId()
        : bookingIdForKey(checked.key, options.idempotencyScope)
  } catch (error) {
    return Promise.reject(error as Error)
  }
  if (options.signal?.aborted === true) {
    // An aborted call sends nothing: no write to undo, no row left behind, in either mode.
    return Promise.reject(abortedBeforeStart(rt, 'createBooking', bookingId, options.signal))
  }
  const key = checked.key
  if (key === undefined)
    return run(rt, parsed, bookingId, undefined, checked.source, options, synthetic)

  // Two calls with one key in this process: the second waits for the first, then replays it.
  const previous = calls.running.get(bookingId)
  const call: Promise<CreateBookingResult> = (async () => {
    if (previous !== undefined) await previous.then(settled, settled)
    const endedHere = calls.endedAt(bookingId)
    return run(rt, parsed, bookingId, key, checked.source, options, synthetic, endedHere)
  })()
  calls.running.set(bookingId, call)
  const forget = () => {
    calls.end(bookingId, rt.clock.now())
    if (calls.running.get(bookingId) === call) calls.running.delete(bookingId)
  }
  call.then(forget, forget)
  return call
}

/**
 * The error of a call whose signal was aborted before it started: a `BookingPipelineError`
 * (`compensated: true`: nothing was written) whose cause is the signal's reason.
 *
 * @internal
 */
export function abortedBeforeStart(
  rt: PipelineRuntime,
  operation: PipelineOperation,
  bookingId: string,
  signal: AbortSignal,
): BookingPipelineError {
  return new BookingPipelineError(
    {
      bookingId,
      operation,
      failedStep: operation === 'createBooking' ? 'booking' : 'read',
      compensated: true,
      pendingReconcile: false,
      mode: rt.modes.current() === 'transaction' ? 'transaction' : 'saga',
      cause: signal.reason,
    },
    'the signal was aborted before the call started, so nothing was sent',
  )
}

// A settled predecessor only orders the calls; its own caller handles its outcome.
const settled = (): undefined => undefined

async function run(
  rt: PipelineRuntime,
  input: Record<string, unknown> & BookingFacts,
  bookingId: string,
  key: string | undefined,
  source: BookingSource,
  options: CreateBookingOptions,
  synthetic: boolean,
  endedHere?: number,
): Promise<CreateBookingResult> {
  const slotKey =
    rt.settings.slotLock !== undefined &&
    input.bookingType === 'scheduled' &&
    typeof input.scheduledAt === 'string'
      ? rt.settings.slotLock({
          providerId: input.providerId,
          scheduledAt: input.scheduledAt,
          durationMinutes: input.durationMinutes,
        })
      : undefined
  const ctx: CreateContext = {
    input,
    key,
    storedKey: key === undefined ? undefined : storedIdempotencyKey(key, options.idempotencyScope),
    fingerprint: key === undefined ? undefined : fingerprintOf(input),
    source,
    slotKey,
    synthetic,
    endedHere,
  }
  const call = new PipelineCall(rt, {
    operation: 'createBooking',
    bookingId,
    mode: rt.modes.current() === 'saga' ? 'saga' : 'transaction',
    signal: options.signal,
  })
  rt.metrics?.bookingAtRisk(1)
  try {
    if (call.mode === 'transaction') {
      try {
        return await transactionCreate(call, ctx)
      } catch (error) {
        if (!(error instanceof TransactionsUnavailable)) throw error
        call.roundTrips = 0
      }
    }
    return await sagaCreate(call, ctx)
  } finally {
    call.dispose()
    rt.metrics?.bookingAtRisk(-1)
  }
}

/** Whether a booking row is the booking `input` describes (create-or-get, idempotent replay). */
function sameBooking(
  rt: PipelineRuntime,
  row: BackendRow,
  input: Record<string, unknown>,
  fingerprint: string | undefined,
): boolean {
  if (fingerprint !== undefined && typeof row.fingerprint === 'string') {
    return row.fingerprint === fingerprint
  }
  const normalized = rt.lock.normalize('booking', row) as Record<string, unknown>
  for (const field of Object.keys(input)) {
    if (!sameValue(normalized[field], input[field])) return false
  }
  return true
}

function creationWrites(
  call: PipelineCall,
  ctx: CreateContext,
  pipelineStatus: 'pending' | 'delivered',
): CreationWrites {
  const { rt, bookingId } = call
  const now = rt.clock.now()
  const data = bookingData(
    rt,
    ctx.input,
    {
      source: ctx.source,
      idempotencyKey: ctx.storedKey,
      fingerprint: ctx.fingerprint,
      slotKey: ctx.slotKey,
      synthetic: ctx.synthetic,
      pipelineStatus,
    },
    now,
  )
  const { systemMessage, notification } = transitionWrites(rt, bookingId, ctx.input, 'created')
  return {
    booking: {
      step: 'booking',
      tableId: rt.tables.booking,
      rowId: bookingId,
      data,
      permissions: rt.permissions.booking(ctx.input.customerId, ctx.input.providerId),
      matches: (row) => sameBooking(rt, row, ctx.input, ctx.fingerprint),
      unreadable: 'foreign',
    },
    chatRoom: chatRoomWrite(rt, bookingId, ctx.input, now),
    systemMessage,
    notification,
  }
}

interface CreationRows {
  booking: BackendRow
  chatRoom: BackendRow
  systemMessage: BackendRow
  notification: BackendRow
}

function result(call: PipelineCall, rows: CreationRows, replayed: boolean): CreateBookingResult {
  const { rt } = call
  const notification = normalizeOwned(rt.lock, 'notification', rows.notification) as NotificationRow
  rt.metrics?.recordBooking(true)
  if (!replayed) {
    rt.metrics?.recordChatRoom(true)
    if (rt.pushSender === undefined) rt.metrics?.recordNotification(true)
  }
  // A replay's push belongs to the call that created the booking (or to the reconciler).
  if (!replayed && notification.pushStatus === 'pending' && rt.pushSender !== undefined) {
    schedulePush(rt, notification)
  }
  const timings = call.succeed(replayed)
  return {
    booking: normalizeOwned(rt.lock, 'booking', rows.booking) as BookingRow,
    chatRoom: normalizeOwned(rt.lock, 'chatRoom', rows.chatRoom) as ChatRoomRow,
    systemMessage: normalizeOwned(rt.lock, 'chatMessage', rows.systemMessage) as ChatMessageRow,
    notification,
    mode: call.mode,
    replayed,
    timings,
  }
}

function conflictError(
  call: PipelineCall,
  ctx: CreateContext,
  cause: unknown,
): IdempotencyConflictError | undefined {
  return ctx.key === undefined
    ? undefined
    : new IdempotencyConflictError({ idempotencyKey: ctx.key, bookingId: call.bookingId, cause })
}

function slotTaken(
  call: PipelineCall,
  ctx: CreateContext,
  compensated: boolean,
  cause: unknown,
): SlotTakenError {
  return new SlotTakenError({
    providerId: ctx.input.providerId,
    scheduledAt: ctx.input.scheduledAt ?? '',
    slotKey: ctx.slotKey ?? '',
    bookingId: call.bookingId,
    compensated,
    cause,
  })
}

// ------------------------------------------------------------------------------------------------
// Saga: the four creates in one wave, then the deliver write
// ------------------------------------------------------------------------------------------------

const ORDER: readonly PipelineStep[] = ['booking', 'chatRoom', 'systemMessage', 'notification']

async function sagaCreate(call: PipelineCall, ctx: CreateContext): Promise<CreateBookingResult> {
  const { rt } = call
  call.switchMode('saga')
  call.started()
  const writes = creationWrites(call, ctx, 'pending')
  call.roundTrips++
  const started = rt.clock.now()
  const outcomes = await Promise.all([
    call.write(writes.booking, started),
    call.write(writes.chatRoom, started),
    call.write(writes.systemMessage, started),
    call.write(writes.notification, started),
  ])
  const booking = outcomes[0]

  if (booking.state === 'foreign') {
    // The id is taken by a different booking: only undo what this call wrote, never theirs.
    const ok = await compensateCreation(call, writes, outcomes, 'conflict')
    throw call.fail(
      {
        step: 'booking',
        compensated: ok,
        pendingReconcile: !ok,
        cause: booking.error,
        reason:
          ctx.key === undefined
            ? 'a different row already holds this booking id (check `generateId`)'
            : undefined,
      },
      conflictError(call, ctx, booking.error),
    )
  }

  if (booking.state === 'unverified') {
    // The booking exists but could not be read: it may be a finished one (a replay) or another
    // caller's, so nothing is undone. Children written here belong to it: the reconciler
    // completes a pending booking, and sweeps the children of a failed one.
    throw call.fail({
      step: 'booking',
      compensated: false,
      pendingReconcile: false,
      cause: booking.error,
      reason: 'the booking already exists but could not be read to verify it',
    })
  }

  let existing = booking.state === 'existing' ? booking.row : undefined
  if (
    existing !== undefined &&
    booking.mayBeOwn !== true &&
    mayStillBeWorkedOn(rt, existing, ctx.endedHere)
  ) {
    // Another call with this key (another process) wrote the booking moments ago and may still
    // deliver or compensate it. Delivering it now would race that compensation, which can undo
    // the booking this caller is about to be told is made: wait until it settles or its time is up.
    existing = await settledByItsCall(call, existing, ctx.endedHere)
    outcomes[0] = { ...booking, row: existing }
    if (isCompensated(existing)) {
      // Undone while this call waited: the children it found were that call's, now removed.
      const children = await Promise.all([
        call.write(writes.chatRoom),
        call.write(writes.systemMessage),
        call.write(writes.notification),
      ])
      outcomes.splice(1, 3, ...children)
    }
  }
  const failed = firstFailure(outcomes)
  if (existing !== undefined && isLive(existing)) {
    // A replay of a finished booking: never compensate it.
    if (failed !== undefined) {
      throw call.fail({
        step: failed.step,
        compensated: false,
        pendingReconcile: false,
        cause: failed.error,
      })
    }
    return result(call, rowsOf(call, writes, outcomes), true)
  }
  if (failed !== undefined) return failSaga(call, ctx, writes, outcomes, failed.step, failed.error)
  if (existing !== undefined && existing.status !== 'pending') {
    // A transition of this booking is itself pending: the reconciler finishes it.
    return result(call, rowsOf(call, writes, outcomes), true)
  }

  // Compensated: failed, or `delivered` by a write that landed after the void patch.
  const revive = existing !== undefined && isCompensated(existing)
  // A retry with the key brings a compensated booking back: a new deadline clears its void
  // marker, and it takes its slot again.
  const revival = () => ({
    pipelineStatus: 'delivered',
    responseDeadline: iso(rt.clock.now() + rt.settings.responseDeadlineMs),
    slotKey: ctx.slotKey ?? null,
  })
  const reason = (error: unknown) =>
    `${reasonOf(error) ?? 'the booking could not be marked delivered in time'}; every row of the booking exists, so it was not undone`
  let delivery = await deliver(call, revive ? revival() : { pipelineStatus: 'delivered' }, reason)
  if (existing !== undefined && !revive && delivery.row !== undefined && isVoided(delivery.row)) {
    // An earlier call's void patch, still in flight when this call read the booking `pending`,
    // landed before this deliver write: the booking reads void, which the reconciler would fail
    // again although this caller is about to be told it is made. This call holds the key now
    // (the earlier one was told `pendingReconcile`), so it revives the booking.
    delivery = await deliver(call, revival(), reason)
  }
  if (delivery.row !== undefined) {
    return result(
      call,
      { ...rowsOf(call, writes, outcomes), booking: delivery.row },
      existing !== undefined && !revive,
    )
  }
  return failSaga(call, ctx, writes, outcomes, 'deliver', delivery.error)
}

/** Clock difference tolerated between this process and Appwrite, in milliseconds. */
const CLOCK_SKEW_MS = 2_000
/** How often a booking another call is working on is read again, in milliseconds. */
const SETTLE_POLL_MS = 250

/**
 * Whether `row` is a pending booking (not compensated) whose last write is recent enough that the
 * call that wrote it may still be running: its budget and its compensation budget, with these
 * settings, plus clock skew.
 */
function mayStillBeWorkedOn(
  rt: PipelineRuntime,
  row: BackendRow,
  endedHere: number | undefined,
): boolean {
  if (row.pipelineStatus !== 'pending' || isCompensated(row)) return false
  const written = Date.parse(String(row.$updatedAt))
  if (!Number.isFinite(written)) return false
  // Last written before this process's own call with the key ended: that call wrote it, and is over.
  if (endedHere !== undefined && written <= endedHere + CLOCK_SKEW_MS) return false
  const busyMs = rt.settings.timeoutMs + rt.settings.compensationTimeoutMs + CLOCK_SKEW_MS
  return rt.clock.now() - written < busyMs
}

/**
 * Reads the booking again until the call working on it settled it (delivered or compensated) or
 * can no longer write; rejects with the call's failure when this call's budget ends first (the
 * booking stays `pending` for its own call or the reconciler to finish).
 */
async function settledByItsCall(
  call: PipelineCall,
  row: BackendRow,
  endedHere: number | undefined,
): Promise<BackendRow> {
  const { rt } = call
  let current = row
  try {
    while (mayStillBeWorkedOn(rt, current, endedHere)) {
      await sleep(rt.clock, SETTLE_POLL_MS, call.budget.signal)
      current = await call.remote(() => rt.backend.get(rt.tables.booking, call.bookingId))
    }
    return current
  } catch (cause) {
    throw call.fail({
      step: 'booking',
      compensated: false,
      pendingReconcile: true,
      cause,
      reason:
        'another call with this idempotency key is still writing this booking; retry with the same key once it settles',
    })
  }
}

/**
 * The saga failed at `step`. Before undoing anything, look at the booking row: a concurrent call
 * with the same key (or this call's own ambiguous write) may have finished it, and a delivered
 * booking is never compensated. Then compensate and throw the error naming the step.
 */
async function failSaga(
  call: PipelineCall,
  ctx: CreateContext,
  writes: CreationWrites,
  outcomes: StepOutcome[],
  step: PipelineStep,
  cause: unknown,
): Promise<CreateBookingResult> {
  const { rt } = call
  const booking = outcomes[0]!
  if (booking.state !== 'clean' || outcomes.some((outcome) => outcome.state === 'existing')) {
    const budget = call.cleanupBudget()
    let row: BackendRow | undefined
    let readable = true
    try {
      // Part of failure handling: deciding what to undo must not be refused by an open breaker.
      row = await call.cleanup(() => rt.backend.get(rt.tables.booking, call.bookingId), budget)
    } catch (error) {
      readable = isRowMissing(error)
    } finally {
      budget.dispose()
    }
    if (!readable) {
      throw call.fail({
        step,
        compensated: false,
        pendingReconcile: false,
        cause,
        reason: `${reasonOf(cause) ?? 'the step failed'}; the booking could not be read back, so nothing was undone`,
      })
    }
    if (row !== undefined) {
      if (!sameBooking(rt, row, ctx.input, ctx.fingerprint)) {
        outcomes[0] = { ...booking, state: 'foreign', row }
        await compensateCreation(call, writes, outcomes, 'conflict')
        throw call.fail(
          { step: 'booking', compensated: true, pendingReconcile: false, cause },
          conflictError(call, ctx, cause),
        )
      }
      if (booking.state === 'unknown' && mayStillBeWorkedOn(rt, row, ctx.endedHere)) {
        // This call's booking write got no answer, and the row is fresh and pending: another call
        // with this key may have written it and be delivering it now, on the children this call
        // wrote. Undoing them, or voiding the row, would undo a booking that call is about to
        // report as made: wait until it settles, as a call that finds the booking does.
        row = await settledByItsCall(call, row, ctx.endedHere)
      }
      if (isLive(row)) {
        // Finished meanwhile (a concurrent call with this key, or this call's own late write).
        return result(
          call,
          { ...rowsOf(call, writes, outcomes), booking: row },
          booking.state !== 'created',
        )
      }
      if (booking.state === 'unknown') outcomes[0] = { ...booking, state: 'existing', row }
    }
  }
  const ok = await compensateCreation(call, writes, outcomes, 'ours')
  const report: FailureReport = { step, compensated: ok, pendingReconcile: !ok, cause }
  if (
    (step === 'booking' || step === 'deliver') &&
    isUniqueViolation(cause) &&
    ctx.slotKey !== undefined
  ) {
    throw call.fail(report, slotTaken(call, ctx, ok, cause))
  }
  throw call.fail(report)
}

/** The failed step to report: one the budget interrupted first, else the first in pipeline order. */
function firstFailure(outcomes: readonly StepOutcome[]): StepOutcome | undefined {
  let first: StepOutcome | undefined
  for (const step of ORDER) {
    const outcome = outcomes.find((o) => o.step === step)
    if (outcome === undefined || outcome.state === 'created' || outcome.state === 'existing')
      continue
    if (!(outcome.error instanceof BudgetExpired)) return first ?? outcome
    first ??= outcome
  }
  return first
}

/** The rows of a creation: as the backend returned them, or built from what was written. */
function rowsOf(
  call: PipelineCall,
  writes: CreationWrites,
  outcomes: readonly StepOutcome[],
): CreationRows {
  const { rt } = call
  // Only rows the backend did not return are synthesized (transactions); the clock is read then.
  let now = ''
  for (let i = 0; i < 4; i++) {
    if (outcomes[i]?.row === undefined) {
      now = iso(rt.clock.now())
      break
    }
  }
  return {
    booking: outcomes[0]?.row ?? synthesize(rt, writes.booking, now),
    chatRoom: outcomes[1]?.row ?? synthesize(rt, writes.chatRoom, now),
    systemMessage: outcomes[2]?.row ?? synthesize(rt, writes.systemMessage, now),
    notification: outcomes[3]?.row ?? synthesize(rt, writes.notification, now),
  }
}

// ------------------------------------------------------------------------------------------------
// Transaction: begin, stage the four creates, commit
// ------------------------------------------------------------------------------------------------

const UNSUPPORTED_TYPES = new Set([
  'general_route_not_found',
  'general_not_implemented',
  'general_service_disabled',
])

/** Whether a failed `createTransaction` means "this server has no transactions". */
function transactionsUnsupported(error: unknown): boolean {
  const verdict = classifyAppwriteError(error)
  if (verdict.type !== undefined && UNSUPPORTED_TYPES.has(verdict.type)) return true
  return verdict.status === 404 || verdict.status === 405 || verdict.status === 501
}

/** The pipeline step a transaction error is about, when its message names one of our tables. */
function stepOfTableError(
  rt: PipelineRuntime,
  error: unknown,
  fallback: PipelineStep,
): PipelineStep {
  const message = error instanceof Error ? error.message : ''
  const byTable: Array<[string, PipelineStep]> = [
    [rt.tables.booking, 'booking'],
    [rt.tables.chatRoom, 'chatRoom'],
    [rt.tables.chatMessage, 'systemMessage'],
    [rt.tables.notification, 'notification'],
  ]
  for (const [tableId, step] of byTable) {
    if (message.includes(`'${tableId}'`) || message.includes(`"${tableId}"`)) return step
  }
  return fallback
}

async function transactionCreate(
  call: PipelineCall,
  ctx: CreateContext,
): Promise<CreateBookingResult> {
  const { rt } = call
  const transactions = rt.backend.transactions
  if (transactions === undefined) throw new TransactionsUnavailable()
  const probing = rt.modes.current() === 'probe'
  let transactionId: string
  try {
    transactionId = await begin(call, transactions)
  } catch (error) {
    if (rt.modes.auto && transactionsUnsupported(error)) {
      rt.modes.unsupported(
        `the server refused a transaction: ${classifyAppwriteError(error).reason}`,
      )
      throw new TransactionsUnavailable()
    }
    if (probing && !call.budget.aborted) {
      // Undecided and the probe failed for another reason: write this booking as a saga.
      throw new TransactionsUnavailable()
    }
    throw call.fail({
      step: 'transaction',
      compensated: true,
      pendingReconcile: false,
      cause: error,
    })
  }
  rt.modes.supported()
  call.started()
  const writes = creationWrites(call, ctx, 'delivered')
  const operations = [writes.booking, writes.chatRoom, writes.systemMessage, writes.notification]
  try {
    await stage(call, transactions, transactionId, operations.map(staged))
  } catch (error) {
    // Nothing is applied before commit: staging failures leave nothing behind.
    await rollback(call, transactions, transactionId)
    const report: FailureReport = {
      step: 'booking',
      compensated: true,
      pendingReconcile: false,
      cause: error,
    }
    if (isUniqueViolation(error) && ctx.slotKey !== undefined) {
      throw call.fail(report, slotTaken(call, ctx, true, error))
    }
    throw call.fail({ ...report, step: stepOfTableError(rt, error, 'transaction') })
  }
  const committing = new Commit(call, transactions, transactionId)
  try {
    await committing.run()
  } catch (error) {
    return afterFailedCommit(call, ctx, writes, transactionId, committing, error)
  }
  const now = iso(rt.clock.now())
  return result(
    call,
    {
      booking: synthesize(rt, writes.booking, now),
      chatRoom: synthesize(rt, writes.chatRoom, now),
      systemMessage: synthesize(rt, writes.systemMessage, now),
      notification: synthesize(rt, writes.notification, now),
    },
    false,
  )
}

/**
 * A commit failed or got no answer: roll back, then look at the booking row to learn what
 * happened. It exists and matches: committed (by this call or a concurrent one with the same
 * key). It exists and differs: idempotency conflict. It is absent: nothing was kept.
 */
async function afterFailedCommit(
  call: PipelineCall,
  ctx: CreateContext,
  writes: CreationWrites,
  transactionId: string,
  committing: Commit,
  error: unknown,
): Promise<CreateBookingResult> {
  const { rt } = call
  // A commit still in flight may land after the rollback and the read below: wait for it first.
  const commitSettled = await committing.settled()
  const rolledBack = await rollback(call, rt.backend.transactions!, transactionId)
  const budget = call.cleanupBudget()
  let existing: BackendRow | undefined
  let known = true
  try {
    existing = await remote(rt, () => rt.backend.get(rt.tables.booking, call.bookingId), budget)
  } catch (readError) {
    known = isNotFound(readError)
  } finally {
    budget.dispose()
  }
  if (existing === undefined && ctx.slotKey !== undefined && (await slotHeld(call, ctx, error))) {
    throw call.fail(
      { step: 'booking', compensated: true, pendingReconcile: false, cause: error },
      slotTaken(call, ctx, true, error),
    )
  }
  if (
    existing === undefined &&
    known &&
    classifyAppwriteError(error).type === 'transaction_conflict' &&
    !call.budget.aborted
  ) {
    // Rows of this booking changed while it was staged, and the booking is not there yet: another
    // call with this key is writing it as a saga (a guard whose probe failed falls back to one).
    // Write it the saga way, which meets that call's rows instead of telling this caller "no".
    return sagaCreate(call, ctx)
  }
  if (existing !== undefined) {
    if (!sameBooking(rt, existing, ctx.input, ctx.fingerprint)) {
      throw call.fail(
        {
          step: 'booking',
          compensated: true,
          pendingReconcile: false,
          cause: error,
          reason: 'a different row already holds this booking id',
        },
        conflictError(call, ctx, error),
      )
    }
    if (!isLive(existing) && !call.budget.aborted) {
      // Written earlier as a saga (pending, failed or void): resume it the saga way.
      return sagaCreate(call, ctx)
    }
    if (!call.budget.aborted) {
      const replayed = classifyAppwriteError(error).category === 'conflict'
      return result(call, await readChildren(call, writes, existing), replayed)
    }
  }
  throw call.fail({
    step: stepOfTableError(rt, error, 'commit'),
    // "Nothing was kept" only when the booking is known to be absent (a concurrent call with the
    // key may have committed it: this call's rollback says nothing of that one) and this call's
    // commit can no longer land: rolled back for sure, or every commit request answered.
    compensated: existing === undefined && known && (rolledBack || commitSettled),
    pendingReconcile: false,
    cause: error,
  })
}

/**
 * Whether a failed commit was about the slot: a unique violation, or (as Appwrite reports unique
 * violations at commit) a conflict while another live booking holds the slot key.
 */
async function slotHeld(call: PipelineCall, ctx: CreateContext, error: unknown): Promise<boolean> {
  const { rt } = call
  if (isUniqueViolation(error)) return true
  if (classifyAppwriteError(error).type !== 'transaction_conflict') return false
  const budget = call.cleanupBudget()
  try {
    const { rows } = await remote(
      rt,
      () => rt.backend.list(rt.tables.booking, [Q.equal('slotKey', ctx.slotKey!), Q.limit(1)]),
      budget,
    )
    return rows.some((row) => row.$id !== call.bookingId)
  } catch (lookupError) {
    capture(rt, lookupError, 'booking', 'warning', 'createBooking.slotLookup', {
      bookingId: call.bookingId,
    })
    return false
  } finally {
    budget.dispose()
  }
}

/** Reads the children of an existing booking for a replay; unreadable ones are rebuilt from the plan. */
async function readChildren(
  call: PipelineCall,
  writes: CreationWrites,
  booking: BackendRow,
): Promise<CreationRows> {
  const { rt } = call
  const now = iso(rt.clock.now())
  const read = async (spec: WriteSpecOf<CreationWrites>): Promise<BackendRow> => {
    try {
      return await call.remote(() => rt.backend.get(spec.tableId, spec.rowId))
    } catch {
      // Unreadable for this user (or briefly unavailable): the committed data is what we staged.
      return synthesize(rt, spec, now)
    }
  }
  call.roundTrips++
  const [chatRoom, systemMessage, notification] = await Promise.all([
    read(writes.chatRoom),
    read(writes.systemMessage),
    read(writes.notification),
  ])
  return { booking, chatRoom, systemMessage, notification }
}

type WriteSpecOf<T> = T[keyof T]
