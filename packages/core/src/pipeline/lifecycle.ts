import type { BackendRow, StagedWrite } from '../backend/appwriteBackend'
import {
  BookingPipelineError,
  BookingStateError,
  PipelineTimeoutError,
  SchemaLockError,
} from '../errors'
import type { PipelineMode, PipelineStep } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { abortedBeforeStart } from './createBooking'
import type { BookingRow, ChatMessageRow, NotificationRow, PipelineTimings } from './createBooking'
import type { PipelineOperation } from './events'
import type { ChildEvent } from './ids'
import { childIds } from './ids'
import { schedulePush } from './push'
import { chatRoomWrite, eventOfStatus, transitionWrites, VOID_PATCH } from './rows'
import type { Actor, BookingFacts } from './rows'
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
  iso,
  mayHaveWritten,
  remote,
  removeRow,
  timedStep,
} from './runtime'
import { settled, settleThenUpdate, WriteAttempts } from './runtime'
import type { CallFrame, PipelineRuntime, StepOutcome, WriteSpec, WriteState } from './runtime'

/** Options of `guard.respondToBooking`. */
export interface RespondToBookingOptions {
  /** The provider answering; must be the booking's `providerId`. */
  providerId: string
  /** `accept` confirms the booking; `decline` refuses it and frees its slot. */
  response: 'accept' | 'decline'
  /** Why, shown to the customer in the system message and the notification. At most 500 characters. */
  reason?: string
  /** Aborts the call; partial writes are compensated. */
  signal?: AbortSignal
}

/** Options of `guard.cancelBooking`. */
export interface CancelBookingOptions {
  /** Who cancels. */
  by: 'customer' | 'provider'
  /** The customer's or provider's id; must match the booking. */
  actorId: string
  /** Why, shown to the other party. At most 500 characters. */
  reason?: string
  /** Aborts the call; partial writes are compensated. */
  signal?: AbortSignal
}

/** What a lifecycle transition resolves to: the booking as updated, and the rows it wrote. */
export interface TransitionResult {
  /** The booking after the transition. */
  readonly booking: BookingRow
  /** The system message posted in the booking's chat room. */
  readonly systemMessage: ChatMessageRow
  /** The notification to the other party. */
  readonly notification: NotificationRow
  /** How the rows were written. */
  readonly mode: PipelineMode
  /** Durations and round trips. */
  readonly timings: PipelineTimings
}

const REASON_MAX_LENGTH = 500

interface TransitionSpec {
  readonly operation: PipelineOperation
  readonly bookingId: string
  readonly event: ChildEvent
  readonly actor: Actor
  readonly reason: string | undefined
  /** Throws a {@link BookingStateError} when the transition is not allowed on this row. */
  readonly authorize: (row: BackendRow & BookingFacts, now: number) => void
  /** The booking columns the transition sets. */
  readonly patch: Record<string, unknown>
  readonly signal: AbortSignal | undefined
}

function refuse(
  bookingId: string,
  reason: 'notFound' | 'forbidden' | 'invalidState',
  message: string,
): never {
  throw new BookingStateError(message, { reason, bookingId })
}

function checkReason(reason: unknown): string | undefined {
  if (reason === undefined) return undefined
  if (typeof reason !== 'string' || reason.length > REASON_MAX_LENGTH) {
    throw new SchemaLockError(
      [
        {
          path: ['reason'],
          code: 'too_big',
          message: `Invalid reason: use a string of at most ${REASON_MAX_LENGTH} characters`,
        },
      ],
      { kind: 'transition' },
    )
  }
  return reason.trim() === '' ? undefined : reason
}

/**
 * Accepts or declines a booking as its provider. See `guard.respondToBooking`.
 *
 * @internal
 */
export function respondToBooking(
  rt: PipelineRuntime,
  bookingId: string,
  options: RespondToBookingOptions,
): Promise<TransitionResult> {
  const accept = options.response === 'accept'
  let reason: string | undefined
  try {
    if (options.response !== 'accept' && options.response !== 'decline') {
      throw new SchemaLockError(
        [{ path: ['response'], code: 'invalid_value', message: "Use 'accept' or 'decline'" }],
        { kind: 'transition' },
      )
    }
    reason = checkReason(options.reason)
  } catch (error) {
    return Promise.reject(error as Error)
  }
  return transition(rt, {
    operation: 'respondToBooking',
    bookingId,
    event: accept ? 'accepted' : 'declined',
    actor: 'provider',
    reason,
    signal: options.signal,
    patch: accept
      ? { status: 'confirmed', providerResponseStatus: 'Accepted' }
      : { status: 'declined', providerResponseStatus: 'Declined', slotKey: null },
    authorize(row, now) {
      if (row.providerId !== options.providerId) {
        refuse(
          bookingId,
          'forbidden',
          `provider \`${options.providerId}\` is not the provider of booking \`${bookingId}\``,
        )
      }
      if (row.status !== 'pending' || row.providerResponseStatus !== 'AwaitingResponse') {
        refuse(
          bookingId,
          'invalidState',
          `booking \`${bookingId}\` is no longer awaiting a response (status \`${String(row.status)}\`, response \`${String(row.providerResponseStatus)}\`)`,
        )
      }
      const deadline = Date.parse(String(row.responseDeadline))
      if (!Number.isNaN(deadline) && deadline <= now) {
        refuse(
          bookingId,
          'invalidState',
          `the response deadline of booking \`${bookingId}\` passed at ${String(row.responseDeadline)}`,
        )
      }
    },
  })
}

/**
 * Cancels a booking as its customer or provider. See `guard.cancelBooking`.
 *
 * @internal
 */
export function cancelBooking(
  rt: PipelineRuntime,
  bookingId: string,
  options: CancelBookingOptions,
): Promise<TransitionResult> {
  let reason: string | undefined
  try {
    if (options.by !== 'customer' && options.by !== 'provider') {
      throw new SchemaLockError(
        [{ path: ['by'], code: 'invalid_value', message: "Use 'customer' or 'provider'" }],
        { kind: 'transition' },
      )
    }
    reason = checkReason(options.reason)
  } catch (error) {
    return Promise.reject(error as Error)
  }
  return transition(rt, {
    operation: 'cancelBooking',
    bookingId,
    event: 'cancelled',
    actor: options.by,
    reason,
    signal: options.signal,
    patch: { status: 'cancelled', slotKey: null },
    authorize(row) {
      const owner = options.by === 'customer' ? row.customerId : row.providerId
      if (owner !== options.actorId) {
        refuse(
          bookingId,
          'forbidden',
          `\`${options.actorId}\` is not the ${options.by} of booking \`${bookingId}\``,
        )
      }
      if (row.status !== 'pending' && row.status !== 'confirmed') {
        refuse(
          bookingId,
          'invalidState',
          `booking \`${bookingId}\` is \`${String(row.status)}\` and can no longer be cancelled`,
        )
      }
    },
  })
}

/**
 * Expires a booking whose provider missed the response deadline (the reconciler calls it).
 *
 * @internal
 */
export function expireBooking(
  rt: PipelineRuntime,
  bookingId: string,
  signal?: AbortSignal,
): Promise<TransitionResult> {
  return transition(rt, {
    operation: 'expireBooking',
    bookingId,
    event: 'expired',
    actor: 'system',
    reason: undefined,
    signal,
    patch: { status: 'expired', providerResponseStatus: 'Expired', slotKey: null },
    authorize(row, now) {
      const deadline = Date.parse(String(row.responseDeadline))
      if (
        row.status !== 'pending' ||
        row.providerResponseStatus !== 'AwaitingResponse' ||
        Number.isNaN(deadline) ||
        deadline > now
      ) {
        refuse(
          bookingId,
          'invalidState',
          `booking \`${bookingId}\` is not awaiting a response past its deadline`,
        )
      }
    },
  })
}

interface TransitionCall {
  readonly spec: TransitionSpec
  readonly budget: CallBudget
  readonly startedAt: number
  roundTrips: number
}

function failed(
  rt: PipelineRuntime,
  call: TransitionCall,
  frame: CallFrame,
  step: PipelineStep,
  compensated: boolean,
  pendingReconcile: boolean,
  cause: unknown,
): Error {
  const details = {
    bookingId: call.spec.bookingId,
    operation: call.spec.operation,
    failedStep: step,
    compensated,
    pendingReconcile,
    mode: frame.mode,
    cause,
  }
  const error = call.budget.timedOut
    ? new PipelineTimeoutError({ ...details, timeoutMs: rt.settings.timeoutMs })
    : new BookingPipelineError(
        details,
        cause instanceof BudgetExpired ? undefined : classifyAppwriteError(cause).reason,
      )
  if (step === 'notification' && rt.pushSender === undefined) rt.metrics?.recordNotification(false)
  capture(rt, error, categoryOf(step), compensated ? 'error' : 'critical', call.spec.operation, {
    bookingId: call.spec.bookingId,
    step,
    mode: frame.mode,
    compensated,
    pendingReconcile,
  })
  emit(rt, () => ({
    type: 'pipelineFailed',
    at: rt.clock.now(),
    operation: call.spec.operation,
    bookingId: call.spec.bookingId,
    mode: frame.mode,
    step,
    compensated,
    pendingReconcile,
    error,
    durationMs: rt.clock.now() - call.startedAt,
  }))
  return error
}

function succeeded(
  rt: PipelineRuntime,
  call: TransitionCall,
  frame: CallFrame,
  booking: BackendRow,
  systemMessage: BackendRow,
  notification: BackendRow,
): TransitionResult {
  const durationMs = rt.clock.now() - call.startedAt
  const normalized = rt.lock.normalize('notification', notification) as NotificationRow
  if (rt.pushSender === undefined) rt.metrics?.recordNotification(true)
  else if (normalized.pushStatus === 'pending') schedulePush(rt, normalized)
  emit(rt, () => ({
    type: 'pipelineSucceeded',
    at: rt.clock.now(),
    operation: call.spec.operation,
    bookingId: call.spec.bookingId,
    mode: frame.mode,
    replayed: false,
    durationMs,
  }))
  return {
    booking: rt.lock.normalize('booking', booking) as BookingRow,
    systemMessage: rt.lock.normalize('chatMessage', systemMessage) as ChatMessageRow,
    notification: normalized,
    mode: frame.mode,
    timings: { totalMs: durationMs, roundTrips: call.roundTrips, steps: frame.timings },
  }
}

async function transition(rt: PipelineRuntime, spec: TransitionSpec): Promise<TransitionResult> {
  if (spec.signal?.aborted === true) {
    throw abortedBeforeStart(rt, spec.operation, spec.bookingId, spec.signal)
  }
  const call: TransitionCall = {
    spec,
    budget: new CallBudget(rt.clock, rt.settings.timeoutMs, spec.signal),
    startedAt: rt.clock.now(),
    roundTrips: 0,
  }
  try {
    const readFrame = frame(rt, call, rt.modes.current() === 'transaction' ? 'transaction' : 'saga')
    call.roundTrips++
    let row: BackendRow & BookingFacts
    try {
      const read = await timedStep(readFrame, 'read', () =>
        remote(rt, () => rt.backend.get(rt.tables.booking, spec.bookingId), call.budget.signal),
      )
      row = rt.lock.normalize('booking', read) as unknown as BackendRow & BookingFacts
    } catch (error) {
      if (isNotFound(error)) {
        refuse(
          spec.bookingId,
          'notFound',
          `booking \`${spec.bookingId}\` does not exist, or this user may not read it`,
        )
      }
      throw failed(rt, call, readFrame, 'read', true, false, error)
    }
    if (row.pipelineStatus === 'failed') {
      refuse(
        spec.bookingId,
        'invalidState',
        `booking \`${spec.bookingId}\` failed to be created and was compensated`,
      )
    }
    spec.authorize(row, rt.clock.now())
    const useTransaction =
      row.pipelineStatus === 'delivered' &&
      rt.backend.transactions !== undefined &&
      rt.modes.current() === 'transaction'
    return useTransaction
      ? await transactionTransition(rt, call, row)
      : await sagaTransition(rt, call, row)
  } finally {
    call.budget.dispose()
  }
}

function frame(rt: PipelineRuntime, call: TransitionCall, mode: PipelineMode): CallFrame {
  return {
    rt,
    operation: call.spec.operation,
    bookingId: call.spec.bookingId,
    mode,
    signal: call.budget.signal,
    timings: {},
  }
}

async function transactionTransition(
  rt: PipelineRuntime,
  call: TransitionCall,
  row: BackendRow & BookingFacts,
): Promise<TransitionResult> {
  const { spec } = call
  const transactions = rt.backend.transactions!
  const txFrame = frame(rt, call, 'transaction')
  const writes = transitionWrites(rt, spec.bookingId, row, spec.event, spec.actor, spec.reason)
  const staged: StagedWrite[] = [
    { action: 'update', tableId: rt.tables.booking, rowId: spec.bookingId, data: spec.patch },
    stage(writes.systemMessage),
    stage(writes.notification),
  ]
  let transactionId: string
  call.roundTrips++
  try {
    transactionId = await timedStep(txFrame, 'transaction', () =>
      remote(rt, () => transactions.begin(rt.settings.transactionTtlSeconds), call.budget.signal),
    )
    call.roundTrips++
    await timedStep(txFrame, 'transaction', () =>
      remote(rt, () => transactions.stage(transactionId, staged), call.budget.signal),
    )
  } catch (error) {
    throw failed(rt, call, txFrame, 'transaction', true, false, error)
  }
  call.roundTrips++
  try {
    await timedStep(txFrame, 'commit', () =>
      remote(rt, () => transactions.commit(transactionId), call.budget.signal),
    )
  } catch (error) {
    const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
    let current: BackendRow | undefined
    try {
      await cleanup(rt, () => transactions.rollback(transactionId), budget.signal).catch(
        (rollbackError: unknown) => rollbackError,
      )
      current = await remote(
        rt,
        () => rt.backend.get(rt.tables.booking, spec.bookingId),
        budget.signal,
      )
    } catch {
      current = undefined
    } finally {
      budget.dispose()
    }
    const committed =
      current !== undefined &&
      Object.entries(spec.patch).every(([key, value]) => (current[key] ?? null) === value)
    if (committed && !call.budget.signal.aborted) {
      const now = iso(rt.clock.now())
      return succeeded(
        rt,
        call,
        txFrame,
        current!,
        synth(rt, writes.systemMessage, now),
        synth(rt, writes.notification, now),
      )
    }
    if (
      current !== undefined &&
      !committed &&
      classifyAppwriteError(error).type === 'transaction_conflict'
    ) {
      // Someone else changed the booking first: tell the caller what it is now.
      const now = rt.clock.now()
      spec.authorize(
        rt.lock.normalize('booking', current) as unknown as BackendRow & BookingFacts,
        now,
      )
    }
    throw failed(rt, call, txFrame, 'commit', current !== undefined && !committed, false, error)
  }
  const now = iso(rt.clock.now())
  return succeeded(
    rt,
    call,
    txFrame,
    { ...row, ...spec.patch, $updatedAt: now },
    synth(rt, writes.systemMessage, now),
    synth(rt, writes.notification, now),
  )
}

function stage(spec: WriteSpec): StagedWrite {
  return {
    action: 'create',
    tableId: spec.tableId,
    rowId: spec.rowId,
    data: spec.data,
    permissions: spec.permissions,
  }
}

function synth(rt: PipelineRuntime, spec: WriteSpec, now: string): BackendRow {
  return {
    ...spec.data,
    $id: spec.rowId,
    $createdAt: now,
    $updatedAt: now,
    $permissions: [...spec.permissions],
    $databaseId: rt.backend.databaseId,
    $tableId: spec.tableId,
  }
}

/** The creation children a booking must have whatever its state (room, "received" message, provider notice). */
function creationChildren(rt: PipelineRuntime, bookingId: string, row: BookingFacts): WriteSpec[] {
  const created = transitionWrites(rt, bookingId, row, 'created')
  return [
    chatRoomWrite(rt, bookingId, row, rt.clock.now()),
    created.systemMessage,
    created.notification,
  ]
}

async function sagaTransition(
  rt: PipelineRuntime,
  call: TransitionCall,
  row: BackendRow & BookingFacts,
): Promise<TransitionResult> {
  const { spec } = call
  const sagaFrame = frame(rt, call, 'saga')
  emit(rt, () => ({
    type: 'pipelineStarted',
    at: rt.clock.now(),
    operation: spec.operation,
    bookingId: spec.bookingId,
    mode: 'saga',
  }))
  const writes = transitionWrites(rt, spec.bookingId, row, spec.event, spec.actor, spec.reason)
  // A booking whose creation is still pending gets its creation rows ensured in the same wave.
  const ensure = row.pipelineStatus === 'delivered' ? [] : creationChildren(rt, spec.bookingId, row)
  let bookingState = 'clean' as WriteState
  let updated: BackendRow | undefined
  let bookingError: unknown
  const update = new WriteAttempts(
    () =>
      rt.backend.update(rt.tables.booking, spec.bookingId, {
        ...spec.patch,
        pipelineStatus: 'pending',
      }),
    call.budget.signal,
  )
  call.roundTrips++
  const [, message, notification, ...ensured] = await Promise.all([
    timedStep(sagaFrame, 'booking', () => execute(rt, update.run, call.budget.signal)).then(
      (row) => {
        updated = row
        bookingState = 'created'
      },
      (error: unknown) => {
        bookingError = error
        bookingState = update.ambiguous || mayHaveWritten(error) ? 'unknown' : 'clean'
      },
    ),
    createOrGet(sagaFrame, writes.systemMessage),
    createOrGet(sagaFrame, writes.notification),
    ...ensure.map((write) => createOrGet(sagaFrame, write)),
  ])
  const children: Array<[WriteSpec, StepOutcome]> = [
    [writes.systemMessage, message],
    [writes.notification, notification],
  ]
  const problem = [message, notification, ...ensured].find(
    (outcome) => outcome.state !== 'created' && outcome.state !== 'existing',
  )
  if (bookingState === 'created' && problem === undefined) {
    call.roundTrips++
    const deliver = new WriteAttempts(
      () => rt.backend.update(rt.tables.booking, spec.bookingId, { pipelineStatus: 'delivered' }),
      call.budget.signal,
    )
    const succeed = (delivered: BackendRow | undefined) => {
      const now = iso(rt.clock.now())
      return succeeded(
        rt,
        call,
        sagaFrame,
        delivered ?? updated!,
        message.row ?? synth(rt, writes.systemMessage, now),
        notification.row ?? synth(rt, writes.notification, now),
      )
    }
    try {
      return succeed(
        await timedStep(sagaFrame, 'deliver', () => execute(rt, deliver.run, call.budget.signal)),
      )
    } catch (error) {
      if (deliver.ambiguous || deliver.unsettled) {
        // Every row of the transition exists: forward is the only safe direction (see
        // `finishDelivery` in createBooking.ts). Left pending, the reconciler delivers it.
        const delivered = await settleThenUpdate(rt, deliver, spec.bookingId, {
          pipelineStatus: 'delivered',
        })
        if (delivered !== undefined) return succeed(delivered)
        throw failed(rt, call, sagaFrame, 'deliver', false, true, error)
      }
      const compensation = await compensateTransition(rt, sagaFrame, row, spec, 'created', children)
      throw failed(rt, call, sagaFrame, 'deliver', compensation, !compensation, error)
    }
  }
  const step: PipelineStep = bookingState !== 'created' ? 'booking' : problem!.step
  const cause = bookingState !== 'created' ? bookingError : problem!.error
  if (bookingState === 'unknown' && !(await settled(rt, update))) {
    // The booking's update may still land: restoring the booking now could be overtaken by it.
    // Its rows go (a late update leaves the booking `pending`, which the reconciler completes
    // forward, rows included); the booking is left as the update leaves it.
    await compensateTransition(rt, sagaFrame, row, spec, 'clean', children)
    throw failed(rt, call, sagaFrame, step, false, true, cause)
  }
  const compensation = await compensateTransition(rt, sagaFrame, row, spec, bookingState, children)
  throw failed(rt, call, sagaFrame, step, compensation, !compensation, cause)
}

/**
 * Undoes a failed saga transition: removes its message and notification, then restores the
 * booking's previous values. Resolves to whether everything was undone; if not, the booking is
 * left `pending` (when its update landed) and the reconciler completes the transition forward.
 */
async function compensateTransition(
  rt: PipelineRuntime,
  sagaFrame: CallFrame,
  before: BackendRow & BookingFacts,
  spec: TransitionSpec,
  bookingState: WriteState,
  children: Array<[WriteSpec, StepOutcome]>,
): Promise<boolean> {
  const budget = new CallBudget(rt.clock, rt.settings.compensationTimeoutMs)
  const undone: string[] = []
  let firstError: unknown
  try {
    const errors = await Promise.all(
      children
        .filter(([, outcome]) => outcome.state !== 'foreign' && outcome.state !== 'clean')
        .map(async ([write]) => {
          const error = await removeRow(rt, write.tableId, write.rowId, budget.signal)
          if (error === undefined) undone.push(`${write.tableId}/${write.rowId}`)
          return error
        }),
    )
    firstError = errors.find((error) => error !== undefined)
    if (firstError === undefined && (bookingState === 'created' || bookingState === 'unknown')) {
      const restore: Record<string, unknown> = {
        pipelineStatus: before.pipelineStatus ?? 'delivered',
      }
      for (const key of Object.keys(spec.patch)) restore[key] = before[key] ?? null
      try {
        await remote(
          rt,
          () => rt.backend.update(rt.tables.booking, spec.bookingId, restore),
          budget.signal,
        )
        undone.push(`${rt.tables.booking}/${spec.bookingId}`)
      } catch (error) {
        firstError = error
      }
    }
  } finally {
    budget.dispose()
  }
  const ok = firstError === undefined
  emit(rt, () => ({
    type: 'compensated',
    at: rt.clock.now(),
    operation: sagaFrame.operation,
    bookingId: sagaFrame.bookingId,
    mode: sagaFrame.mode,
    ok,
    undone,
    error: firstError,
  }))
  return ok
}

/** What the reconciler did with one pending booking. @internal */
export type PendingResolution = 'completed' | 'compensated'

/**
 * Finishes a booking left `pipelineStatus: 'pending'`: ensures every row its current state needs
 * (creation rows, plus the notice of its current status) and marks it delivered; or, with
 * `compensate` (and only for a booking still awaiting its provider), removes its rows and marks it
 * failed. Idempotent: several reconcilers may run it at once. Throws when it cannot finish.
 *
 * @internal
 */
export async function resolvePending(
  rt: PipelineRuntime,
  booking: BackendRow,
  action: 'complete' | 'compensate',
  signal: AbortSignal,
): Promise<PendingResolution> {
  const row = rt.lock.normalize('booking', booking) as unknown as BackendRow & BookingFacts
  const bookingId = row.$id
  const resolveFrame: CallFrame = {
    rt,
    operation: 'completeBooking',
    bookingId,
    mode: 'saga',
    signal,
    timings: {},
  }
  const creation = creationChildren(rt, bookingId, row)
  if (action === 'compensate' && row.status === 'pending') {
    const errors = await Promise.all(
      creation.map((write) => removeRow(rt, write.tableId, write.rowId, signal)),
    )
    const error = errors.find((e) => e !== undefined)
    if (error !== undefined) throw error
    await remote(rt, () => rt.backend.update(rt.tables.booking, bookingId, VOID_PATCH), signal)
    return 'compensated'
  }
  const writes = [...creation]
  const current = eventOfStatus(row)
  if (current !== undefined) {
    const transition = transitionWrites(rt, bookingId, row, current.event, current.actor)
    writes.push(transition.systemMessage, transition.notification)
  }
  const outcomes = await Promise.all(writes.map((write) => createOrGet(resolveFrame, write)))
  const problem = outcomes.find((o) => o.state !== 'created' && o.state !== 'existing')
  if (problem !== undefined)
    throw problem.error ?? new Error(`step ${problem.step} could not be completed`)
  await remote(
    rt,
    () => rt.backend.update(rt.tables.booking, bookingId, { pipelineStatus: 'delivered' }),
    signal,
  )
  for (const outcome of outcomes) {
    if (
      outcome.state === 'created' &&
      outcome.step === 'notification' &&
      outcome.row !== undefined
    ) {
      const notification = rt.lock.normalize('notification', outcome.row) as NotificationRow
      if (notification.pushStatus === 'pending' && rt.pushSender !== undefined)
        schedulePush(rt, notification)
    }
  }
  return 'completed'
}

/** The ids of every row the pipeline may have written for a booking. @internal */
export function allChildIds(bookingId: string): {
  rooms: string[]
  messages: string[]
  notifications: string[]
} {
  const events: ChildEvent[] = ['created', 'accepted', 'declined', 'expired', 'cancelled']
  return {
    rooms: [childIds.chatRoom(bookingId)],
    messages: events.map((event) => childIds.systemMessage(bookingId, event)),
    notifications: events.map((event) => childIds.notification(bookingId, event)),
  }
}
