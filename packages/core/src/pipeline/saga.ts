// The saga: the pipeline's writes as separate requests, with a step ledger on the booking
// (`pipelineStatus: 'pending'` until the last write marks it `delivered`). This module holds what
// creation and transitions share: the final write, and undoing what a failed call left.
//
// The rule that keeps the guarantee (Appwrite has no conditional update, so a request the client
// gave up on can land later): never undo a booking under one of the call's own booking writes
// that may still land. When the final write may have landed, every other row of the call exists,
// so the call goes forward (waits for the write, sends it again); when a booking update may
// still land, the booking is left for the reconciler instead of restored. Undoing marks a booking
// void (`VOID_PATCH`), which no late write clears.
import type { BackendRow } from '../backend/appwriteBackend'
import type { CallBudget } from './budget'
import type { PipelineCall } from './call'
import { VOID_PATCH } from './voided'
import type { BookingFacts } from './rows'
import type { StepOutcome, WriteSpec, WriteState } from './types'
import { execute, isRowMissing, remote, settleThenUpdate, WriteAttempts } from './writes'
import { capture } from './report'

/** How a saga's final write ended. @internal */
export type Delivery =
  | { readonly row: BackendRow; readonly error?: undefined }
  /** The write failed and surely did not land: the caller undoes the call. */
  | { readonly row?: undefined; readonly error: unknown }

/**
 * The saga's final write: `patch` (with `pipelineStatus: 'delivered'`) on the booking. When it
 * fails but may have landed (no answer, a 5xx, abandoned by the budget), it waits for the write
 * and sends it again within `compensationTimeoutMs`: every row of the call exists by then, so
 * forward is the only safe direction. When even that leaves the write in doubt, nothing may be
 * undone: the call fails (`deliver` step, `pendingReconcile`, with the message `reason` gives,
 * defaulting to the error's) and the reconciler delivers the booking.
 *
 * @internal
 */
export async function deliver(
  call: PipelineCall,
  patch: Record<string, unknown>,
  reason?: (error: unknown) => string,
): Promise<Delivery> {
  const { rt } = call
  call.roundTrips++
  const attempts = new WriteAttempts(
    () => rt.backend.update(rt.tables.booking, call.bookingId, patch),
    call.budget,
  )
  try {
    return { row: await call.step('deliver', () => execute(rt, attempts.run, call.budget)) }
  } catch (error) {
    if (!attempts.ambiguous && !attempts.unsettled) return { error }
    const row = await settleThenUpdate(rt, attempts, call.bookingId, patch)
    if (row !== undefined) return { row }
    throw call.fail({
      step: 'deliver',
      compensated: false,
      pendingReconcile: true,
      cause: error,
      reason: reason?.(error),
    })
  }
}

/** The writes of a booking's creation. @internal */
export interface CreationWrites {
  readonly booking: WriteSpec
  readonly chatRoom: WriteSpec
  readonly systemMessage: WriteSpec
  readonly notification: WriteSpec
}

/**
 * Undoes a failed saga creation. `ours`: first marks the booking void (a tombstone upsert when its
 * create may still land, so the late create fails with 409), and only once that write has landed
 * removes every child (404 counts as done); a void write that may still land leaves the children
 * in place and the booking for the reconciler. `conflict`: removes only the children this call
 * surely wrote (the ids belong to another booking). Resolves to whether everything was undone
 * and no create of the call's children is still in flight (one that lands late is an orphan the
 * reconciler removes, so the caller is told `pendingReconcile`, not that nothing was kept).
 * Bounded by `compensationTimeoutMs`, whatever the caller's budget.
 *
 * @internal
 */
export async function compensateCreation(
  call: PipelineCall,
  writes: CreationWrites,
  outcomes: readonly StepOutcome[],
  kind: 'ours' | 'conflict',
): Promise<boolean> {
  const { rt } = call
  const budget = call.cleanupBudget()
  const booking = outcomes[0]!
  const undone: string[] = []
  let firstError: unknown
  try {
    // A child this call did not write can still exist from an earlier attempt of the same
    // booking (a resumed one): then every child of it goes.
    const resumed = booking.state === 'existing'
    const children = [
      [writes.chatRoom, outcomes[1]!],
      [writes.systemMessage, outcomes[2]!],
      [writes.notification, outcomes[3]!],
    ] as const
    const targets = children
      .filter(([, outcome]) =>
        // Conflict: only rows this call surely wrote go (an ambiguous write may have been
        // refused because the other booking's row was there).
        kind === 'conflict'
          ? outcome.state === 'created'
          : outcome.state !== 'foreign' && (outcome.state !== 'clean' || resumed),
      )
      .map(([spec]) => spec)
    const removeChildren = async () => {
      const removed = await call.remove(targets, budget)
      undone.push(...removed.undone)
      firstError ??= removed.error
    }
    const spec = writes.booking
    const tombstone = () =>
      rt.backend.upsert(spec.tableId, spec.rowId, { ...spec.data, ...VOID_PATCH }, spec.permissions)
    const mayExist =
      booking.state === 'created' || booking.state === 'existing' || booking.state === 'unknown'
    if (kind === 'conflict') {
      await removeChildren()
    } else if (mayExist) {
      // The void write first: a late write of this call can no longer make the booking live,
      // and children are removed only from a booking that reads as void.
      const voided = new WriteAttempts(
        booking.state === 'unknown'
          ? tombstone
          : () => rt.backend.update(spec.tableId, spec.rowId, VOID_PATCH),
        budget,
      )
      let landed = false
      try {
        await call.cleanup(voided.run, budget)
        undone.push(`${spec.tableId}/${spec.rowId}`)
        landed = true
      } catch (error) {
        if (booking.state !== 'unknown' && isRowMissing(error)) landed = true
        else firstError = error
      }
      if (landed) await removeChildren()
    } else {
      // No booking row: the children go, and if one stays, a void tombstone tells the
      // reconciler's sweep they are not a booking in progress.
      await removeChildren()
      if (firstError !== undefined) {
        try {
          await call.cleanup(tombstone, budget)
        } catch (error) {
          capture(rt, error, 'booking', 'warning', 'createBooking.compensate', {
            bookingId: call.bookingId,
            step: 'booking',
          })
        }
      }
    }
    if (firstError === undefined && call.writesInFlight('booking')) {
      firstError = new Error('a write of this call is still in flight and may land after the undo')
    }
  } finally {
    budget.dispose()
  }
  call.compensated(firstError === undefined, undone, firstError)
  return firstError === undefined
}

/**
 * Undoes a failed saga transition: removes its message and notification, then restores the
 * booking's previous values (only when its update landed, or was refused, for sure: `created` or
 * `unknown` after it settled). Resolves to whether everything was undone; if not, the booking is
 * left `pending` (when its update landed) and the reconciler completes the transition forward.
 *
 * @internal
 */
/** Whether `row` has every value of a transition's `patch` (the transition landed on it). @internal */
export function carries(row: BackendRow, patch: Record<string, unknown>): boolean {
  return Object.entries(patch).every(([key, value]) => (row[key] ?? null) === value)
}

/**
 * Why the booking must not be restored, if it must not: another call delivered the same
 * transition since this one wrote it (a second tab, a client's retry), so it has the transition's
 * values and is `delivered`, which this call never set, and restoring it would undo that call's
 * success; or it cannot be read now (the read's error).
 */
async function keepBooking(
  call: PipelineCall,
  patch: Record<string, unknown>,
  budget: CallBudget,
): Promise<unknown> {
  const { rt } = call
  let current: BackendRow
  try {
    current = await remote(rt, () => rt.backend.get(rt.tables.booking, call.bookingId), budget)
  } catch (error) {
    return error
  }
  const delivered = current.pipelineStatus === 'delivered' && carries(current, patch)
  return delivered
    ? new Error(
        `booking \`${call.bookingId}\` was moved the same way by another call, which delivered it`,
      )
    : undefined
}

export async function compensateTransition(
  call: PipelineCall,
  before: BackendRow & BookingFacts,
  patch: Record<string, unknown>,
  bookingState: WriteState,
  children: Array<[WriteSpec, StepOutcome]>,
): Promise<boolean> {
  const { rt } = call
  const budget = call.cleanupBudget()
  let undone: string[] = []
  let firstError: unknown
  try {
    const removed = await call.remove(
      children
        .filter(([, outcome]) => outcome.state !== 'foreign' && outcome.state !== 'clean')
        .map(([spec]) => spec),
      budget,
    )
    undone = removed.undone
    firstError = removed.error
    if (firstError === undefined && (bookingState === 'created' || bookingState === 'unknown')) {
      firstError = await keepBooking(call, patch, budget)
    }
    if (firstError === undefined && (bookingState === 'created' || bookingState === 'unknown')) {
      const restore: Record<string, unknown> = {
        pipelineStatus: before.pipelineStatus ?? 'delivered',
      }
      for (const key of Object.keys(patch)) restore[key] = before[key] ?? null
      try {
        await remote(
          rt,
          () => rt.backend.update(rt.tables.booking, call.bookingId, restore),
          budget,
        )
        undone.push(`${rt.tables.booking}/${call.bookingId}`)
      } catch (error) {
        firstError = error
      }
    }
  } finally {
    budget.dispose()
  }
  call.compensated(firstError === undefined, undone, firstError)
  return firstError === undefined
}
