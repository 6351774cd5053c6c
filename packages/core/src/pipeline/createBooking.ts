import type { BackendRow, StagedWrite } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import {
  BookingPipelineError,
  IdempotencyConflictError,
  PipelineTimeoutError,
  SchemaLockError,
  SlotTakenError,
} from '../errors'
import type { PipelineMode, PipelineStep } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { normalizeOwned } from '../schema/schemaLock'
import type { NormalizedRow } from '../schema/schemaLock'
import { BookingSourceSchema } from '../schema/schemas'
import type {
  Booking,
  BookingInput,
  BookingSource,
  ChatMessage,
  ChatRoom,
  Notification,
} from '../schema/schemas'
import { bookingIdForKey, fingerprintOf } from './ids'
import { schedulePush } from './push'
import { bookingData, chatRoomWrite, transitionWrites, VOID_PATCH } from './rows'
import type { BookingFacts } from './rows'
import type { PipelineOperation } from './events'
import {
  BudgetExpired,
  CallBudget,
  capture,
  categoryOf,
  cleanup,
  createOrGet,
  emit,
  execute,
  isNotFound,
  isRowMissing,
  isUniqueViolation,
  iso,
  remote,
  removeRow,
  sameValue,
  timedStep,
} from './runtime'
import { settleThenUpdate, WriteAttempts } from './runtime'
import type { CallFrame, PipelineRuntime, StepOutcome, WriteSpec } from './runtime'

/** A booking row as the guard returns it: canonical fields plus Appwrite's system fields. */
export type BookingRow = NormalizedRow<Booking>
/** A chat room row as the guard returns it. */
export type ChatRoomRow = NormalizedRow<ChatRoom>
/** A chat message row as the guard returns it. */
export type ChatMessageRow = NormalizedRow<ChatMessage>
/** A notification row as the guard returns it. */
export type NotificationRow = NormalizedRow<Notification>

/**
 * What `createBooking` accepts: the booking fields a caller may set (legacy aliases such as
 * `therapistId` and the lock's extension columns are accepted too and validated at run time).
 */
export type CreateBookingInput = BookingInput & { readonly [field: string]: unknown }

/** Options of one `createBooking` call. */
export interface CreateBookingOptions {
  /**
   * Makes the call idempotent: the same key always maps to the same booking id,
   * so a retry returns the existing booking (`replayed: true`), resumes one left pending, and a
   * different input under the same key is an `IdempotencyConflictError`. 1–64 characters; use a
   * UUID per booking form. Defaults to none (every call is a new booking).
   */
  idempotencyKey?: string
  /** Which UI entry point the booking came from, stored as `source`. Defaults to `'direct'`. */
  source?: BookingSource
  /** Aborts the call: in-flight requests are abandoned, partial writes compensated. */
  signal?: AbortSignal
}

/** How long a pipeline call took, and how many sequential request waves it waited on. */
export interface PipelineTimings {
  /** Milliseconds from the call to its result, by the guard's clock. */
  readonly totalMs: number
  /**
   * Round trips on the critical path: sequential waves of requests the call waited on (parallel
   * requests count once). A fresh saga booking takes 2, a transaction 3.
   */
  readonly roundTrips: number
  /** Milliseconds per step, retries included. */
  readonly steps: Readonly<Partial<Record<PipelineStep, number>>>
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

interface CreateContext {
  readonly input: Record<string, unknown> & BookingFacts
  readonly bookingId: string
  readonly key: string | undefined
  readonly fingerprint: string | undefined
  readonly source: BookingSource
  readonly slotKey: string | undefined
  /** A health-check booking: written with `synthetic: true` so feeds never deliver it. */
  readonly synthetic: boolean
  readonly budget: CallBudget
  readonly startedAt: number
  roundTrips: number
}

const IDEMPOTENCY_KEY_MAX_LENGTH = 64

function checkOptions(options: CreateBookingOptions): { key?: string; source: BookingSource } {
  const key = options.idempotencyKey
  if (
    key !== undefined &&
    (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH)
  ) {
    throw new SchemaLockError(
      [
        {
          path: ['idempotencyKey'],
          code: 'invalid_type',
          message: `Invalid idempotency key: use a string of 1–${IDEMPOTENCY_KEY_MAX_LENGTH} characters, e.g. a UUID`,
        },
      ],
      { kind: 'createBookingOptions' },
    )
  }
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

/**
 * Validates and writes a booking with its chat room, system message and provider notification,
 * all or nothing. See `guard.createBooking`.
 *
 * @internal
 */
export function createBooking(
  rt: PipelineRuntime,
  inflight: Map<string, Promise<unknown>>,
  input: unknown,
  options: CreateBookingOptions = {},
  synthetic = false,
): Promise<CreateBookingResult> {
  let parsed: Record<string, unknown> & BookingFacts
  let checked: { key?: string; source: BookingSource }
  let bookingId: string
  try {
    parsed = rt.lock.parse('bookingInput', input) as Record<string, unknown> & BookingFacts
    checked = checkOptions(options)
    bookingId = checked.key === undefined ? rt.settings.generateId() : bookingIdForKey(checked.key)
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
  const previous = inflight.get(bookingId)
  const call: Promise<CreateBookingResult> = (async () => {
    if (previous !== undefined) await previous.then(settled, settled)
    return run(rt, parsed, bookingId, key, checked.source, options, synthetic)
  })()
  inflight.set(bookingId, call)
  const forget = () => {
    if (inflight.get(bookingId) === call) inflight.delete(bookingId)
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
    bookingId,
    key,
    fingerprint: key === undefined ? undefined : fingerprintOf(input),
    source,
    slotKey,
    synthetic,
    budget: new CallBudget(rt.clock, rt.settings.timeoutMs, options.signal),
    startedAt: rt.clock.now(),
    roundTrips: 0,
  }
  rt.metrics?.bookingAtRisk(1)
  try {
    if (rt.modes.current() !== 'saga') {
      try {
        return await transactionCreate(rt, ctx)
      } catch (error) {
        if (!(error instanceof TransactionsUnavailable)) throw error
      }
    }
    return await sagaCreate(rt, ctx)
  } finally {
    ctx.budget.dispose()
    rt.metrics?.bookingAtRisk(-1)
  }
}

function frameOf(rt: PipelineRuntime, ctx: CreateContext, mode: PipelineMode): CallFrame {
  return {
    rt,
    operation: 'createBooking',
    bookingId: ctx.bookingId,
    mode,
    signal: ctx.budget,
    timings: {},
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

interface CreationWrites {
  readonly booking: WriteSpec
  readonly chatRoom: WriteSpec
  readonly systemMessage: WriteSpec
  readonly notification: WriteSpec
}

function creationWrites(
  rt: PipelineRuntime,
  ctx: CreateContext,
  pipelineStatus: 'pending' | 'delivered',
): CreationWrites {
  const now = rt.clock.now()
  const data = bookingData(
    rt,
    ctx.input,
    {
      source: ctx.source,
      idempotencyKey: ctx.key,
      fingerprint: ctx.fingerprint,
      slotKey: ctx.slotKey,
      synthetic: ctx.synthetic,
      pipelineStatus,
    },
    now,
  )
  const { systemMessage, notification } = transitionWrites(rt, ctx.bookingId, ctx.input, 'created')
  return {
    booking: {
      step: 'booking',
      tableId: rt.tables.booking,
      rowId: ctx.bookingId,
      data,
      permissions: rt.permissions.participants(ctx.input.customerId, ctx.input.providerId),
      matches: (row) => sameBooking(rt, row, ctx.input, ctx.fingerprint),
      unreadable: 'foreign',
    },
    chatRoom: chatRoomWrite(rt, ctx.bookingId, ctx.input, now),
    systemMessage,
    notification,
  }
}

/**
 * A row as the server would return it, for writes whose response carries no row (transactions).
 * Completes the write's own `data` in place: each call builds its writes' data afresh, and
 * nothing reads it once the write has settled, so a copy of four wide rows per booking is spared.
 */
function synthesize(rt: PipelineRuntime, spec: WriteSpec, now: string): BackendRow {
  const row = spec.data as BackendRow
  row.$id = spec.rowId
  row.$createdAt = now
  row.$updatedAt = now
  row.$permissions = spec.permissions.slice()
  row.$databaseId = rt.backend.databaseId
  row.$tableId = spec.tableId
  return row
}

function result(
  rt: PipelineRuntime,
  ctx: CreateContext,
  frame: CallFrame,
  rows: {
    booking: BackendRow
    chatRoom: BackendRow
    systemMessage: BackendRow
    notification: BackendRow
  },
  replayed: boolean,
): CreateBookingResult {
  const totalMs = rt.clock.now() - ctx.startedAt
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
  if (rt.events.size > 0) {
    rt.events.emit({
      type: 'pipelineSucceeded',
      at: rt.clock.now(),
      operation: 'createBooking',
      bookingId: ctx.bookingId,
      mode: frame.mode,
      replayed,
      durationMs: totalMs,
    })
  }
  return {
    booking: normalizeOwned(rt.lock, 'booking', rows.booking) as BookingRow,
    chatRoom: normalizeOwned(rt.lock, 'chatRoom', rows.chatRoom) as ChatRoomRow,
    systemMessage: normalizeOwned(rt.lock, 'chatMessage', rows.systemMessage) as ChatMessageRow,
    notification,
    mode: frame.mode,
    replayed,
    timings: { totalMs, roundTrips: ctx.roundTrips, steps: frame.timings },
  }
}

interface FailureReport {
  readonly step: PipelineStep
  readonly compensated: boolean
  readonly pendingReconcile: boolean
  readonly cause: unknown
  readonly reason?: string
}

/** Builds the error for a failed call, records it everywhere, and returns it to throw. */
function failure(
  rt: PipelineRuntime,
  ctx: CreateContext,
  frame: CallFrame,
  report: FailureReport,
  error?: Error,
): Error {
  const details = {
    bookingId: ctx.bookingId,
    operation: 'createBooking',
    failedStep: report.step,
    compensated: report.compensated,
    pendingReconcile: report.pendingReconcile,
    mode: frame.mode,
    cause: report.cause,
  }
  const thrown =
    error ??
    (ctx.budget.timedOut
      ? new PipelineTimeoutError({ ...details, timeoutMs: rt.settings.timeoutMs })
      : new BookingPipelineError(details, report.reason ?? reasonOf(report.cause)))
  rt.metrics?.recordBooking(false)
  if (report.step === 'chatRoom') rt.metrics?.recordChatRoom(false)
  if (report.step === 'notification') rt.metrics?.recordNotification(false)
  capture(
    rt,
    thrown,
    categoryOf(report.step),
    report.compensated ? 'error' : 'critical',
    'createBooking',
    {
      bookingId: ctx.bookingId,
      step: report.step,
      mode: frame.mode,
      compensated: report.compensated,
      pendingReconcile: report.pendingReconcile,
    },
  )
  emit(rt, () => ({
    type: 'pipelineFailed',
    at: rt.clock.now(),
    operation: 'createBooking',
    bookingId: ctx.bookingId,
    mode: frame.mode,
    step: report.step,
    compensated: report.compensated,
    pendingReconcile: report.pendingReconcile,
    error: thrown,
    durationMs: rt.clock.now() - ctx.startedAt,
  }))
  return thrown
}

function reasonOf(cause: unknown): string | undefined {
  if (cause instanceof BudgetExpired) return undefined
  return classifyAppwriteError(cause).reason
}

// ------------------------------------------------------------------------------------------------
// Saga
// ------------------------------------------------------------------------------------------------

function emitStarted(rt: PipelineRuntime, ctx: CreateContext, mode: PipelineMode): void {
  if (rt.events.size === 0) return
  rt.events.emit({
    type: 'pipelineStarted',
    at: rt.clock.now(),
    operation: 'createBooking',
    bookingId: ctx.bookingId,
    mode,
  })
}

const ORDER: readonly PipelineStep[] = ['booking', 'chatRoom', 'systemMessage', 'notification']

async function sagaCreate(rt: PipelineRuntime, ctx: CreateContext): Promise<CreateBookingResult> {
  const frame = frameOf(rt, ctx, 'saga')
  emitStarted(rt, ctx, 'saga')
  const writes = creationWrites(rt, ctx, 'pending')
  ctx.roundTrips++
  const started = rt.clock.now()
  const outcomes = await Promise.all([
    createOrGet(frame, writes.booking, started),
    createOrGet(frame, writes.chatRoom, started),
    createOrGet(frame, writes.systemMessage, started),
    createOrGet(frame, writes.notification, started),
  ])
  const booking = outcomes[0]

  if (booking.state === 'foreign') {
    // The id is taken by a different booking: only undo what this call wrote, never theirs.
    const compensation = await compensate(rt, frame, writes, outcomes, 'conflict')
    if (ctx.key !== undefined) {
      const error = new IdempotencyConflictError({
        idempotencyKey: ctx.key,
        bookingId: ctx.bookingId,
        cause: booking.error,
      })
      throw failure(
        rt,
        ctx,
        frame,
        {
          step: 'booking',
          compensated: compensation.ok,
          pendingReconcile: !compensation.ok,
          cause: booking.error,
        },
        error,
      )
    }
    throw failure(rt, ctx, frame, {
      step: 'booking',
      compensated: compensation.ok,
      pendingReconcile: !compensation.ok,
      cause: booking.error,
      reason: 'a different row already holds this booking id (check `generateId`)',
    })
  }

  if (booking.state === 'unverified') {
    // The booking exists but could not be read: it may be a finished one (a replay) or another
    // caller's, so nothing is undone. Children written here belong to it: the reconciler
    // completes a pending booking, and sweeps the children of a failed one.
    throw failure(rt, ctx, frame, {
      step: 'booking',
      compensated: false,
      pendingReconcile: false,
      cause: booking.error,
      reason: 'the booking already exists but could not be read to verify it',
    })
  }

  const failed = firstFailure(outcomes)
  const existing = booking.state === 'existing' ? booking.row : undefined
  if (existing !== undefined && existing.pipelineStatus === 'delivered') {
    // A replay of a finished booking: never compensate it.
    if (failed !== undefined) {
      throw failure(rt, ctx, frame, {
        step: failed.step,
        compensated: false,
        pendingReconcile: false,
        cause: failed.error,
      })
    }
    return result(rt, ctx, frame, rowsOf(rt, writes, outcomes), true)
  }

  if (failed === undefined) {
    if (existing !== undefined && existing.status !== 'pending') {
      // A transition of this booking is itself pending: the reconciler finishes it.
      return result(rt, ctx, frame, rowsOf(rt, writes, outcomes), true)
    }
    const revive = existing !== undefined && existing.pipelineStatus === 'failed'
    const patch: Record<string, unknown> = { pipelineStatus: 'delivered' }
    if (revive) {
      patch.responseDeadline = iso(rt.clock.now() + rt.settings.responseDeadlineMs)
      patch.slotKey = ctx.slotKey ?? null
    }
    ctx.roundTrips++
    const replayed = existing !== undefined && !revive
    const deliver = new WriteAttempts(
      () => rt.backend.update(rt.tables.booking, ctx.bookingId, patch),
      frame.signal,
    )
    try {
      const delivered = await timedStep(frame, 'deliver', () =>
        execute(rt, deliver.run, frame.signal),
      )
      return result(
        rt,
        ctx,
        frame,
        { ...rowsOf(rt, writes, outcomes), booking: delivered },
        replayed,
      )
    } catch (error) {
      if (deliver.ambiguous || deliver.unsettled) {
        return finishDelivery(rt, ctx, frame, writes, outcomes, deliver, patch, replayed, error)
      }
      return failSaga(rt, ctx, frame, writes, outcomes, 'deliver', error)
    }
  }
  return failSaga(rt, ctx, frame, writes, outcomes, failed.step, failed.error)
}

/**
 * The deliver write failed but may still land: no answer, a 5xx, or abandoned when the budget ran
 * out. Every creation row exists by then, so the only safe direction is forward: undoing them now
 * could be overtaken by the held write (Appwrite has no conditional update), leaving a delivered
 * booking with no room, message or notification, and a caller told that nothing was kept. So wait
 * for the write to settle and mark the booking delivered again (the same patch, idempotent), both
 * within `compensationTimeoutMs`. If that does not succeed either, the booking stays `pending` with
 * every row in place and the reconciler delivers it.
 */
async function finishDelivery(
  rt: PipelineRuntime,
  ctx: CreateContext,
  frame: CallFrame,
  writes: CreationWrites,
  outcomes: StepOutcome[],
  deliver: WriteAttempts<BackendRow>,
  patch: Record<string, unknown>,
  replayed: boolean,
  cause: unknown,
): Promise<CreateBookingResult> {
  const delivered = await settleThenUpdate(rt, deliver, ctx.bookingId, patch)
  if (delivered !== undefined) {
    return result(rt, ctx, frame, { ...rowsOf(rt, writes, outcomes), booking: delivered }, replayed)
  }
  throw failure(rt, ctx, frame, {
    step: 'deliver',
    compensated: false,
    pendingReconcile: true,
    cause,
    reason: `${reasonOf(cause) ?? 'the booking could not be marked delivered in time'}; every row of the booking exists, so it was not undone`,
  })
}

/**
 * The saga failed at `step`. Before undoing anything, look at the booking row: a concurrent call
 * with the same key (or this call's own ambiguous write) may have finished it, and a delivered
 * booking is never compensated. Then compensate and throw the error naming the step.
 */
async function failSaga(
  rt: PipelineRuntime,
  ctx: CreateContext,
  frame: CallFrame,
  writes: CreationWrites,
  outcomes: StepOutcome[],
  step: PipelineStep,
  cause: unknown,
): Promise<CreateBookingResult> {
  const booking = outcomes[0]!
  if (booking.state !== 'clean' || outcomes.some((outcome) => outcome.state === 'existing')) {
    const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
    let row: BackendRow | undefined
    let readable = true
    try {
      // Part of failure handling: deciding what to undo must not be refused by an open breaker.
      row = await cleanup(rt, () => rt.backend.get(rt.tables.booking, ctx.bookingId), budget)
    } catch (error) {
      readable = isRowMissing(error)
    } finally {
      budget.dispose()
    }
    if (!readable) {
      throw failure(rt, ctx, frame, {
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
        await compensate(rt, frame, writes, outcomes, 'conflict')
        throw failure(
          rt,
          ctx,
          frame,
          { step: 'booking', compensated: true, pendingReconcile: false, cause },
          ctx.key === undefined
            ? undefined
            : new IdempotencyConflictError({
                idempotencyKey: ctx.key,
                bookingId: ctx.bookingId,
                cause,
              }),
        )
      }
      if (row.pipelineStatus === 'delivered') {
        // Finished meanwhile (a concurrent call with this key, or this call's own late write).
        return result(
          rt,
          ctx,
          frame,
          { ...rowsOf(rt, writes, outcomes), booking: row },
          booking.state !== 'created',
        )
      }
      if (booking.state === 'unknown') outcomes[0] = { ...booking, state: 'existing', row }
    }
  }
  const compensation = await compensate(rt, frame, writes, outcomes, 'ours')
  const report: FailureReport = {
    step,
    compensated: compensation.ok,
    pendingReconcile: !compensation.ok,
    cause,
  }
  if (
    (step === 'booking' || step === 'deliver') &&
    isUniqueViolation(cause) &&
    ctx.slotKey !== undefined
  ) {
    throw failure(rt, ctx, frame, report, slotTaken(ctx, compensation.ok, cause))
  }
  throw failure(rt, ctx, frame, report)
}

function slotTaken(ctx: CreateContext, compensated: boolean, cause: unknown): SlotTakenError {
  return new SlotTakenError({
    providerId: ctx.input.providerId,
    scheduledAt: ctx.input.scheduledAt ?? '',
    slotKey: ctx.slotKey ?? '',
    bookingId: ctx.bookingId,
    compensated,
    cause,
  })
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

function rowsOf(
  rt: PipelineRuntime,
  writes: CreationWrites,
  outcomes: readonly StepOutcome[],
): {
  booking: BackendRow
  chatRoom: BackendRow
  systemMessage: BackendRow
  notification: BackendRow
} {
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

interface Compensation {
  readonly ok: boolean
}

/**
 * Undoes a failed saga. `ours`: removes every child (404 counts as done), then marks the booking
 * failed (a tombstone upsert when its create may still land). `conflict`: removes only the
 * children this call surely wrote. A child that cannot be removed leaves the booking
 * `pending` for the reconciler. Bounded by `compensationTimeoutMs`, whatever the caller's budget.
 */
async function compensate(
  rt: PipelineRuntime,
  frame: CallFrame,
  writes: CreationWrites,
  outcomes: readonly StepOutcome[],
  kind: 'ours' | 'conflict',
): Promise<Compensation> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  const undone: string[] = []
  let firstError: unknown
  try {
    const children: Array<[WriteSpec, StepOutcome]> = [
      [writes.chatRoom, outcomes[1]!],
      [writes.systemMessage, outcomes[2]!],
      [writes.notification, outcomes[3]!],
    ]
    // A child this call did not write can still exist from an earlier attempt of the same
    // booking (a resumed one): then every child of it goes.
    const resumed = outcomes[0]!.state === 'existing'
    const targets = children.filter(([, outcome]) =>
      // Conflict: the ids belong to another booking, so only rows this call surely wrote go
      // (an ambiguous write may have been refused because that booking's row was there).
      kind === 'conflict'
        ? outcome.state === 'created'
        : outcome.state !== 'foreign' && (outcome.state !== 'clean' || resumed),
    )
    const errors = await Promise.all(
      targets.map(async ([spec]) => {
        const error = await removeRow(rt, spec.tableId, spec.rowId, budget)
        if (error === undefined) undone.push(`${spec.tableId}/${spec.rowId}`)
        return error
      }),
    )
    firstError = errors.find((error) => error !== undefined)
    const booking = outcomes[0]!
    if (kind === 'ours') {
      const mayExist =
        booking.state === 'created' || booking.state === 'existing' || booking.state === 'unknown'
      if (firstError === undefined && mayExist) {
        // Tombstone: if the booking create is still in flight, it now fails with 409.
        const tombstone = { ...writes.booking.data, ...VOID_PATCH }
        try {
          await cleanup(
            rt,
            () =>
              booking.state === 'unknown'
                ? rt.backend.upsert(
                    writes.booking.tableId,
                    writes.booking.rowId,
                    tombstone,
                    writes.booking.permissions,
                  )
                : rt.backend.update(writes.booking.tableId, writes.booking.rowId, VOID_PATCH),
            budget,
          )
          undone.push(`${writes.booking.tableId}/${writes.booking.rowId}`)
        } catch (error) {
          if (!(booking.state !== 'unknown' && isRowMissing(error))) firstError = error
        }
      } else if (firstError !== undefined && !mayExist) {
        // Children may be left with no booking row at all: leave a failed tombstone so the
        // reconciler's sweep can tell them apart from a booking in progress.
        try {
          await cleanup(
            rt,
            () =>
              rt.backend.upsert(
                writes.booking.tableId,
                writes.booking.rowId,
                { ...writes.booking.data, ...VOID_PATCH },
                writes.booking.permissions,
              ),
            budget,
          )
        } catch (error) {
          capture(rt, error, 'booking', 'warning', 'createBooking.compensate', {
            bookingId: frame.bookingId,
            step: 'booking',
          })
        }
      }
    }
  } finally {
    budget.dispose()
  }
  const ok = firstError === undefined
  emit(rt, () => ({
    type: 'compensated',
    at: rt.clock.now(),
    operation: frame.operation,
    bookingId: frame.bookingId,
    mode: frame.mode,
    ok,
    undone,
    error: firstError,
  }))
  return { ok }
}

// ------------------------------------------------------------------------------------------------
// Transaction
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

function staged(spec: WriteSpec): StagedWrite {
  return {
    action: 'create',
    tableId: spec.tableId,
    rowId: spec.rowId,
    data: spec.data,
    permissions: spec.permissions,
  }
}

async function transactionCreate(
  rt: PipelineRuntime,
  ctx: CreateContext,
): Promise<CreateBookingResult> {
  const transactions = rt.backend.transactions
  if (transactions === undefined) throw new TransactionsUnavailable()
  const frame = frameOf(rt, ctx, 'transaction')
  const probing = rt.modes.current() === 'probe'
  let transactionId: string
  ctx.roundTrips++
  try {
    transactionId = await timedStep(frame, 'transaction', () =>
      remote(rt, () => transactions.begin(rt.settings.transactionTtlSeconds), frame.signal),
    )
  } catch (error) {
    if (rt.modes.auto && transactionsUnsupported(error)) {
      rt.modes.unsupported(
        `the server refused a transaction: ${classifyAppwriteError(error).reason}`,
      )
      ctx.roundTrips = 0
      throw new TransactionsUnavailable()
    }
    if (probing && !frame.signal.aborted) {
      // Undecided and the probe failed for another reason: write this booking as a saga.
      ctx.roundTrips = 0
      throw new TransactionsUnavailable()
    }
    throw failure(rt, ctx, frame, {
      step: 'transaction',
      compensated: true,
      pendingReconcile: false,
      cause: error,
    })
  }
  rt.modes.supported()
  emitStarted(rt, ctx, 'transaction')
  const writes = creationWrites(rt, ctx, 'delivered')
  const operations = [writes.booking, writes.chatRoom, writes.systemMessage, writes.notification]
  ctx.roundTrips++
  try {
    await timedStep(frame, 'transaction', () =>
      remote(rt, () => transactions.stage(transactionId, operations.map(staged)), frame.signal),
    )
  } catch (error) {
    // Nothing is applied before commit: staging failures leave nothing behind.
    await rollback(rt, transactionId)
    if (isUniqueViolation(error) && ctx.slotKey !== undefined) {
      throw failure(
        rt,
        ctx,
        frame,
        { step: 'booking', compensated: true, pendingReconcile: false, cause: error },
        slotTaken(ctx, true, error),
      )
    }
    throw failure(rt, ctx, frame, {
      step: stepOfTableError(rt, error, 'transaction'),
      compensated: true,
      pendingReconcile: false,
      cause: error,
    })
  }
  ctx.roundTrips++
  try {
    await timedStep(frame, 'commit', () =>
      remote(rt, () => transactions.commit(transactionId), frame.signal),
    )
  } catch (error) {
    return afterFailedCommit(rt, ctx, frame, writes, transactionId, error)
  }
  const now = iso(rt.clock.now())
  return result(
    rt,
    ctx,
    frame,
    {
      booking: synthesize(rt, writes.booking, now),
      chatRoom: synthesize(rt, writes.chatRoom, now),
      systemMessage: synthesize(rt, writes.systemMessage, now),
      notification: synthesize(rt, writes.notification, now),
    },
    false,
  )
}

/** Rolls a transaction back, best effort; resolves to whether it is certainly not committed. */
async function rollback(rt: PipelineRuntime, transactionId: string): Promise<boolean> {
  const transactions = rt.backend.transactions!
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    await cleanup(rt, () => transactions.rollback(transactionId), budget)
    return true
  } catch (error) {
    return classifyAppwriteError(error).type === 'transaction_not_found'
  } finally {
    budget.dispose()
  }
}

/**
 * A commit failed or got no answer: roll back, then look at the booking row to learn what
 * happened. It exists and matches: committed (by this call or a concurrent one with the same
 * key). It exists and differs: idempotency conflict. It is absent: nothing was kept.
 */
async function afterFailedCommit(
  rt: PipelineRuntime,
  ctx: CreateContext,
  frame: CallFrame,
  writes: CreationWrites,
  transactionId: string,
  error: unknown,
): Promise<CreateBookingResult> {
  const rolledBack = await rollback(rt, transactionId)
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  let existing: BackendRow | undefined
  let known = true
  try {
    existing = await remote(rt, () => rt.backend.get(rt.tables.booking, ctx.bookingId), budget)
  } catch (readError) {
    known = isNotFound(readError)
  } finally {
    budget.dispose()
  }
  if (existing === undefined && ctx.slotKey !== undefined && (await slotHeld(rt, ctx, error))) {
    throw failure(
      rt,
      ctx,
      frame,
      { step: 'booking', compensated: true, pendingReconcile: false, cause: error },
      slotTaken(ctx, true, error),
    )
  }
  if (existing !== undefined) {
    if (!sameBooking(rt, existing, ctx.input, ctx.fingerprint)) {
      const conflict =
        ctx.key === undefined
          ? undefined
          : new IdempotencyConflictError({
              idempotencyKey: ctx.key,
              bookingId: ctx.bookingId,
              cause: error,
            })
      throw failure(
        rt,
        ctx,
        frame,
        {
          step: 'booking',
          compensated: true,
          pendingReconcile: false,
          cause: error,
          reason: 'a different row already holds this booking id',
        },
        conflict,
      )
    }
    if (existing.pipelineStatus !== 'delivered' && !ctx.budget.aborted) {
      // Written earlier as a saga (pending or failed): resume it the saga way.
      return sagaCreate(rt, ctx)
    }
    if (!ctx.budget.aborted) {
      const replayed = classifyAppwriteError(error).category === 'conflict'
      const rows = await readChildren(rt, ctx, writes, existing)
      return result(rt, ctx, frame, rows, replayed)
    }
  }
  throw failure(rt, ctx, frame, {
    step: stepOfTableError(rt, error, 'commit'),
    compensated: existing === undefined && known ? true : rolledBack && existing === undefined,
    pendingReconcile: false,
    cause: error,
  })
}

/**
 * Whether a failed commit was about the slot: a unique violation, or (as Appwrite reports unique
 * violations at commit) a conflict while another live booking holds the slot key.
 */
async function slotHeld(rt: PipelineRuntime, ctx: CreateContext, error: unknown): Promise<boolean> {
  if (isUniqueViolation(error)) return true
  if (classifyAppwriteError(error).type !== 'transaction_conflict') return false
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  try {
    const { rows } = await remote(
      rt,
      () => rt.backend.list(rt.tables.booking, [Q.equal('slotKey', ctx.slotKey!), Q.limit(1)]),
      budget,
    )
    return rows.some((row) => row.$id !== ctx.bookingId)
  } catch (lookupError) {
    capture(rt, lookupError, 'booking', 'warning', 'createBooking.slotLookup', {
      bookingId: ctx.bookingId,
    })
    return false
  } finally {
    budget.dispose()
  }
}

/** Reads the children of an existing booking for a replay; unreadable ones are rebuilt from the plan. */
async function readChildren(
  rt: PipelineRuntime,
  ctx: CreateContext,
  writes: CreationWrites,
  booking: BackendRow,
): Promise<{
  booking: BackendRow
  chatRoom: BackendRow
  systemMessage: BackendRow
  notification: BackendRow
}> {
  const now = iso(rt.clock.now())
  const read = async (spec: WriteSpec): Promise<BackendRow> => {
    try {
      return await remote(rt, () => rt.backend.get(spec.tableId, spec.rowId), ctx.budget)
    } catch {
      // Unreadable for this user (or briefly unavailable): the committed data is what we staged.
      return synthesize(rt, spec, now)
    }
  }
  ctx.roundTrips++
  const [chatRoom, systemMessage, notification] = await Promise.all([
    read(writes.chatRoom),
    read(writes.systemMessage),
    read(writes.notification),
  ])
  return { booking, chatRoom, systemMessage, notification }
}
