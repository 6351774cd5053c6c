import type { BackendRow, StagedWrite } from '../backend/appwriteBackend'
import { BookingStateError, SchemaLockError } from '../errors'
import type { PipelineMode, PipelineStep, SchemaLockIssueCode } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { PipelineCall } from './call'
import { abortedBeforeStart } from './createBooking'
import { iso } from './format'
import type { ChildEvent } from './ids'
import { childIds } from './ids'
import { schedulePush } from './push'
import { chatRoomWrite, eventOfStatus, transitionWrites } from './rows'
import { isCompensated, VOID_PATCH } from './voided'
import type { Actor, BookingFacts } from './rows'
import { carries, compensateTransition, deliver } from './saga'
import { begin, Commit, rollback, stage, staged, synthesize } from './transaction'
import type {
  BookingRow,
  ChatMessageRow,
  NotificationRow,
  PipelineOperation,
  PipelineRuntime,
  PipelineTimings,
  StepOutcome,
  WriteSpec,
  WriteState,
} from './types'
import { execute, isNotFound, mayHaveWritten, settled, WriteAttempts } from './writes'

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

/** The error for a transition's input field that is wrong, as the schema lock reports one. */
function invalidInput(field: string, code: SchemaLockIssueCode, message: string): SchemaLockError {
  return new SchemaLockError([{ path: [field], code, message }], { kind: 'transition' })
}

/**
 * Checks a transition's input: `value` must be one of the two `choices` of `field`, and the
 * reason a string of at most {@link REASON_MAX_LENGTH} characters. Returns the reason to record
 * (none for a blank one), or the error to reject the call with.
 */
function transitionInput(
  field: 'response' | 'by',
  value: unknown,
  choices: readonly [string, string],
  reason: unknown,
): string | undefined | SchemaLockError {
  if (value !== choices[0] && value !== choices[1]) {
    return invalidInput(field, 'invalid_value', `Use '${choices[0]}' or '${choices[1]}'`)
  }
  if (reason === undefined) return undefined
  if (typeof reason !== 'string' || reason.length > REASON_MAX_LENGTH) {
    return invalidInput(
      'reason',
      'too_big',
      `Invalid reason: use a string of at most ${REASON_MAX_LENGTH} characters`,
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
  const reason = transitionInput(
    'response',
    options.response,
    ['accept', 'decline'],
    options.reason,
  )
  if (reason instanceof Error) return Promise.reject(reason)
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
  const reason = transitionInput('by', options.by, ['customer', 'provider'], options.reason)
  if (reason instanceof Error) return Promise.reject(reason)
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

function succeeded(
  call: PipelineCall,
  booking: BackendRow,
  systemMessage: BackendRow,
  notification: BackendRow,
): TransitionResult {
  const { rt } = call
  const normalized = rt.lock.normalize('notification', notification) as NotificationRow
  if (rt.pushSender === undefined) rt.metrics?.recordNotification(true)
  else if (normalized.pushStatus === 'pending') schedulePush(rt, normalized)
  const timings = call.succeed(false)
  return {
    booking: rt.lock.normalize('booking', booking) as BookingRow,
    systemMessage: rt.lock.normalize('chatMessage', systemMessage) as ChatMessageRow,
    notification: normalized,
    mode: call.mode,
    timings,
  }
}

async function transition(rt: PipelineRuntime, spec: TransitionSpec): Promise<TransitionResult> {
  if (spec.signal?.aborted === true) {
    throw abortedBeforeStart(rt, spec.operation, spec.bookingId, spec.signal)
  }
  const call = new PipelineCall(rt, {
    operation: spec.operation,
    bookingId: spec.bookingId,
    mode: rt.modes.current() === 'transaction' ? 'transaction' : 'saga',
    signal: spec.signal,
  })
  try {
    call.roundTrips++
    let row: BackendRow & BookingFacts
    try {
      const read = await call.step('read', () =>
        call.remote(() => rt.backend.get(rt.tables.booking, spec.bookingId)),
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
      throw call.fail({ step: 'read', compensated: true, pendingReconcile: false, cause: error })
    }
    // Failed, or void with `pipelineStatus` set back by a late write: no booking to move.
    if (isCompensated(row)) {
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
    if (useTransaction) return await transactionTransition(call, spec, row)
    call.switchMode('saga')
    return await sagaTransition(call, spec, row)
  } finally {
    call.dispose()
  }
}

async function transactionTransition(
  call: PipelineCall,
  spec: TransitionSpec,
  row: BackendRow & BookingFacts,
): Promise<TransitionResult> {
  const { rt } = call
  const transactions = rt.backend.transactions!
  const writes = transitionWrites(rt, spec.bookingId, row, spec.event, spec.actor, spec.reason)
  const operations: StagedWrite[] = [
    { action: 'update', tableId: rt.tables.booking, rowId: spec.bookingId, data: spec.patch },
    staged(writes.systemMessage),
    staged(writes.notification),
  ]
  let transactionId: string
  try {
    transactionId = await begin(call, transactions)
    await stage(call, transactions, transactionId, operations)
  } catch (error) {
    throw call.fail({
      step: 'transaction',
      compensated: true,
      pendingReconcile: false,
      cause: error,
    })
  }
  const committing = new Commit(call, transactions, transactionId)
  try {
    await committing.run()
  } catch (error) {
    // A commit still in flight may land after the rollback and the read below: wait for it first.
    const commitSettled = await committing.settled()
    const rolledBack = await rollback(call, transactions, transactionId)
    const budget = call.cleanupBudget()
    let current: BackendRow | undefined
    try {
      current = await call.cleanup(() => rt.backend.get(rt.tables.booking, spec.bookingId), budget)
    } catch {
      // Unreadable now: whether the commit landed is unknown, so nothing is claimed undone.
      current = undefined
    } finally {
      budget.dispose()
    }
    const committed = current !== undefined && carries(current, spec.patch)
    if (committed && !call.budget.aborted) {
      const now = iso(rt.clock.now())
      return succeeded(
        call,
        current!,
        synthesize(rt, writes.systemMessage, now),
        synthesize(rt, writes.notification, now),
      )
    }
    if (
      current !== undefined &&
      !committed &&
      classifyAppwriteError(error).type === 'transaction_conflict'
    ) {
      // Someone else changed the booking first: tell the caller what it is now.
      spec.authorize(
        rt.lock.normalize('booking', current) as unknown as BackendRow & BookingFacts,
        rt.clock.now(),
      )
    }
    throw call.fail({
      step: 'commit',
      // Undone only when the commit can no longer land and the booking shows it did not.
      compensated: current !== undefined && !committed && (rolledBack || commitSettled),
      pendingReconcile: false,
      cause: error,
    })
  }
  const now = iso(rt.clock.now())
  return succeeded(
    call,
    { ...row, ...spec.patch, $updatedAt: now },
    synthesize(rt, writes.systemMessage, now),
    synthesize(rt, writes.notification, now),
  )
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
  call: PipelineCall,
  spec: TransitionSpec,
  row: BackendRow & BookingFacts,
): Promise<TransitionResult> {
  const { rt } = call
  call.started()
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
    call.budget,
  )
  call.roundTrips++
  const [, message, notification, ...ensured] = await Promise.all([
    call
      .step('booking', () => execute(rt, update.run, call.budget))
      .then(
        (written) => {
          updated = written
          bookingState = 'created'
        },
        (error: unknown) => {
          bookingError = error
          bookingState = update.ambiguous || mayHaveWritten(error) ? 'unknown' : 'clean'
        },
      ),
    call.write(writes.systemMessage),
    call.write(writes.notification),
    ...ensure.map((write) => call.write(write)),
  ])
  const children: Array<[WriteSpec, StepOutcome]> = [
    [writes.systemMessage, message],
    [writes.notification, notification],
  ]
  const problem = [message, notification, ...ensured].find(
    (outcome) => outcome.state !== 'created' && outcome.state !== 'existing',
  )
  /**
   * Whether this transition's own rows were there before it wrote them: another call makes (or
   * made) the same transition — a second tab, or a client's retry while the first call still
   * runs — or an earlier attempt of this call landed unanswered. Undoing would undo that call's
   * success, so such a transition is never undone: a booking this call updated is left `pending`
   * for the reconciler, which completes it forward; one it did not update is left as it is when
   * it already has the transition's values.
   */
  const undo = async (state: WriteState): Promise<boolean | 'left'> => {
    if (message.state !== 'existing' && notification.state !== 'existing') {
      return compensateTransition(call, row, spec.patch, state, children)
    }
    if (state !== 'clean' || (await madeElsewhere(call, spec))) return 'left'
    return compensateTransition(call, row, spec.patch, state, children)
  }
  if (bookingState === 'created' && problem === undefined) {
    // A delivery in doubt fails the call: every row of the transition exists and the booking is
    // `pending`, so the reconciler delivers it.
    const delivery = await deliver(call, { pipelineStatus: 'delivered' })
    if (delivery.row !== undefined) {
      const now = iso(rt.clock.now())
      return succeeded(
        call,
        delivery.row ?? updated!,
        message.row ?? synthesize(rt, writes.systemMessage, now),
        notification.row ?? synthesize(rt, writes.notification, now),
      )
    }
    const ok = await undo('created')
    throw call.fail({
      step: 'deliver',
      compensated: ok === true,
      pendingReconcile: ok !== true,
      cause: delivery.error,
    })
  }
  const step: PipelineStep = bookingState !== 'created' ? 'booking' : problem!.step
  const cause = bookingState !== 'created' ? bookingError : problem!.error
  if (bookingState === 'unknown' && !(await settled(rt, update))) {
    // The booking's update may still land: restoring the booking now could be overtaken by it.
    // Its rows go (a late update leaves the booking `pending`, which the reconciler completes
    // forward, rows included); the booking is left as the update leaves it.
    await undo('clean')
    throw call.fail({ step, compensated: false, pendingReconcile: true, cause })
  }
  const ok = await undo(bookingState)
  throw call.fail({ step, compensated: ok === true, pendingReconcile: ok !== true, cause })
}

/** Whether the booking already has the transition's values (another call made it). */
async function madeElsewhere(call: PipelineCall, spec: TransitionSpec): Promise<boolean> {
  const { rt } = call
  const budget = call.cleanupBudget()
  try {
    const current = await call.cleanup(
      () => rt.backend.get(rt.tables.booking, spec.bookingId),
      budget,
    )
    return carries(current, spec.patch)
  } catch {
    // Unreadable now: whether it was made is unknown, so nothing is undone.
    return true
  } finally {
    budget.dispose()
  }
}

/** What the reconciler did with one pending booking. @internal */
export type PendingResolution = 'completed' | 'compensated'

/**
 * Finishes a booking left `pipelineStatus: 'pending'`: ensures every row its current state needs
 * (creation rows, plus the notice of its current status) and marks it delivered; or, with
 * `compensate` (and only for a booking still awaiting its provider), removes its rows and marks it
 * void. Idempotent: several reconcilers may run it at once. Throws when it cannot finish.
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
  const call = new PipelineCall(rt, {
    operation: 'completeBooking',
    bookingId: row.$id,
    mode: 'saga',
    signal,
  })
  try {
    return await complete(call, row, action)
  } finally {
    call.dispose()
  }
}

async function complete(
  call: PipelineCall,
  row: BackendRow & BookingFacts,
  action: 'complete' | 'compensate',
): Promise<PendingResolution> {
  const { rt, bookingId } = call
  const creation = creationChildren(rt, bookingId, row)
  if (action === 'compensate' && row.status === 'pending') {
    const { error } = await call.remove(creation, call.budget)
    if (error !== undefined) throw error
    await call.remote(() => rt.backend.update(rt.tables.booking, bookingId, VOID_PATCH))
    return 'compensated'
  }
  const writes = [...creation]
  const current = eventOfStatus(row)
  if (current !== undefined) {
    const transition = transitionWrites(rt, bookingId, row, current.event, current.actor)
    writes.push(transition.systemMessage, transition.notification)
  }
  const outcomes = await Promise.all(writes.map((write) => call.write(write)))
  const problem = outcomes.find((o) => o.state !== 'created' && o.state !== 'existing')
  if (problem !== undefined)
    throw problem.error ?? new Error(`step ${problem.step} could not be completed`)
  await call.remote(() =>
    rt.backend.update(rt.tables.booking, bookingId, { pipelineStatus: 'delivered' }),
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
