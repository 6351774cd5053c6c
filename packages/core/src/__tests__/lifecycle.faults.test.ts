// Bookings and transitions under one fault: a booking is made (with and without the slot lock),
// accepted, declined or cancelled (by either party) while one Appwrite call fails, at each
// position in turn, in saga and in transaction mode; or Appwrite is lost from that call on, as a
// crash leaves it; or the call lands after the whole budget. Then the faults stop and one reconcile
// pass runs. What the caller was told must stay true (told ok: the new status, or a live booking;
// told a final "no": the old status, or no live booking), and nothing is left half-done: no
// booking `pending`, every row where it belongs, the reconciler failing on none. (A cancellation
// left pending once stayed pending for good: the reconciler rebuilt its notice for the customer,
// while the call had sent it to the provider.)
import type { FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { BookingGuard } from '../guard'
import {
  bookingInput,
  everyPosition,
  fulfilled,
  harness,
  scheduledInput,
  toldOf,
} from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

/** More calls than a booking or a transition makes in either mode, so every position is tried. */
const POSITIONS = 24

interface Transition {
  /** The status the booking has before: `pending`, or `confirmed` (accepted first). */
  readonly from: 'pending' | 'confirmed'
  /** The booking's own creation is still `pending` (its deliver and undo got no answer). */
  readonly creationPending?: true
  readonly to: string
  /** The child id suffix of the transition's notice (`.na`, `.nd`, `.nc`). */
  readonly notice: string
  readonly run: (guard: BookingGuard, id: string) => Promise<unknown>
}

const TRANSITIONS: Record<string, Transition> = {
  'the provider accepts': {
    from: 'pending',
    to: 'confirmed',
    notice: 'na',
    run: (guard, id) => guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' }),
  },
  'the provider declines': {
    from: 'pending',
    to: 'declined',
    notice: 'nd',
    run: (guard, id) =>
      guard.respondToBooking(id, { providerId: 'prov1', response: 'decline', reason: 'Full' }),
  },
  'the customer cancels': {
    from: 'pending',
    to: 'cancelled',
    notice: 'nc',
    run: (guard, id) =>
      guard.cancelBooking(id, { by: 'customer', actorId: 'cust1', reason: 'Plans changed' }),
  },
  'the customer cancels a booking whose creation is pending': {
    from: 'pending',
    creationPending: true,
    to: 'cancelled',
    notice: 'nc',
    run: (guard, id) => guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' }),
  },
  'the provider accepts a booking whose creation is pending': {
    from: 'pending',
    creationPending: true,
    to: 'confirmed',
    notice: 'na',
    run: (guard, id) => guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' }),
  },
  'the provider cancels a confirmed booking': {
    from: 'confirmed',
    to: 'cancelled',
    notice: 'nc',
    run: (guard, id) => guard.cancelBooking(id, { by: 'provider', actorId: 'prov1' }),
  },
}

/**
 * A failure with this error (of one call, or of every call from this one on: the process lost
 * Appwrite for good, as a crash does), or a call answered after `latencyMs` (past the budget).
 */
type Fault =
  { readonly error: FaultError; readonly forGood?: true } | { readonly latencyMs: number }

const FAULTS: Record<string, Fault> = {
  'no answer': { error: 'network' },
  'a 500': { error: 'general_server_error' },
  // Nothing from this call on gets an answer: the caller can neither finish nor undo.
  'no answer from this call on': { error: 'network', forGood: true },
  // The call lands, but after the whole call's budget: the caller cannot wait for it or undo it.
  'an answer after the budget': { latencyMs: 30_000 },
}

async function booked(
  h: Harness,
  from: Transition['from'],
  creationPending = false,
): Promise<string> {
  if (creationPending) {
    // Every booking update gets no answer: the rows are written, the booking stays `pending`.
    const updates = h.fake.faults.fail({
      operation: 'updateRow',
      table: 'bookings',
      error: 'network',
    })
    // Made as a saga whatever the guard's mode: a transaction has no separate deliver.
    const saga = h.otherGuard({ mode: 'saga', retry: { maxAttempts: 1 } })
    const outcome = await h.settle(saga.createBooking(bookingInput()))
    updates.remove()
    const [row] = h.rows('bookings')
    if (outcome.status === 'fulfilled' || row?.pipelineStatus !== 'pending') {
      throw new Error(`the booking was not left pending: ${JSON.stringify(row)}`)
    }
    return row.$id
  }
  const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
  if (from === 'confirmed') {
    fulfilled(
      await h.settle(
        h.guard.respondToBooking(booking.$id, { providerId: 'prov1', response: 'accept' }),
      ),
    )
  }
  return booking.$id
}

/** What one call was told and what a reconcile pass found, after `fault` at position `after`. */
async function underFault(h: Harness, fault: Fault, after: number, run: () => Promise<unknown>) {
  if ('error' in fault) {
    h.fake.faults.fail({ after, ...(fault.forGood ? {} : { times: 1 }), error: fault.error })
  } else h.fake.faults.latency({ after, times: 1, ms: fault.latencyMs })
  const outcome = await h.settle(run())
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  // A delayed write lands, then stays untouched for the reconciler's grace period (60 s).
  await h.clock.advance(100_000)
  const report = fulfilled(await h.settle(h.guard.reconcile()))

  const told = toldOf(outcome)
  const why = outcome.status === 'rejected' ? (outcome.reason as Error).message : 'ok'
  const context = `fault after ${after} calls: told ${told} (${why})`
  const problems: string[] = []
  for (const row of h.rows('bookings')) {
    if (row.pipelineStatus === 'pending')
      problems.push(`${context}: ${row.$id} pending after reconcile`)
  }
  for (const failed of [...report.pending.failed, ...report.delivered.failed]) {
    problems.push(`${context}: the reconciler failed ${failed.id}: ${failed.message}`)
  }
  for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
    problems.push(`${context}: ${violation}`)
  }
  return { told, context, problems, fired }
}

async function transitionAt(
  mode: 'saga' | 'transaction',
  transition: Transition,
  fault: Fault,
  after: number,
) {
  const h = harness({ mode, retry: { maxAttempts: 1 } })
  const id = await booked(h, transition.from, transition.creationPending)
  const { told, context, problems, fired } = await underFault(h, fault, after, () =>
    transition.run(h.guard, id),
  )
  const booking = h.rows('bookings').find((row) => row.$id === id)!
  if (told === 'ok' && booking.status !== transition.to) {
    problems.push(`${context}: told ok, status ${String(booking.status)}`)
  }
  if (told === 'no' && booking.status !== transition.from) {
    problems.push(`${context}: told no, status ${String(booking.status)}`)
  }
  if (
    booking.status === transition.to &&
    !h.rows('notifications').some((row) => row.$id === `${id}.${transition.notice}`)
  ) {
    problems.push(`${context}: ${transition.to} without its notice`)
  }
  return { problems, fired }
}

/** A booking made under `fault`: live and whole when told ok, not live when told no. */
async function bookingAt(
  mode: 'saga' | 'transaction',
  slotLock: boolean,
  fault: Fault,
  after: number,
) {
  const h = harness({ mode, retry: { maxAttempts: 1 }, slotLock })
  const input = slotLock ? scheduledInput('2030-01-01T10:00:00.000Z') : bookingInput()
  const { told, context, problems, fired } = await underFault(h, fault, after, () =>
    h.guard.createBooking(input, { idempotencyKey: 'form-1' }),
  )
  const live = h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')
  if (told === 'ok' && live.length !== 1) problems.push(`${context}: ${live.length} live bookings`)
  if (told === 'no' && live.length !== 0) problems.push(`${context}: a live booking`)
  return { problems, fired }
}

describe.each(['saga', 'transaction'] as const)('transitions under one fault, %s', (mode) => {
  describe.each(Object.entries(TRANSITIONS))('%s', (_name, transition) => {
    it.each(Object.entries(FAULTS))(
      'should leave the booking delivered and as the caller was told when a call meets %s',
      async (_name, fault) => {
        const { problems, hit } = await everyPosition(POSITIONS, (after) =>
          transitionAt(mode, transition, fault, after),
        )
        expect(problems).toEqual([])
        // The positions reached real calls (a transition makes fewer than POSITIONS).
        expect(hit).toBeGreaterThan(0)
      },
    )
  })
})

describe.each(['saga', 'transaction'] as const)('createBooking under one fault, %s', (mode) => {
  describe.each([false, true])('slot lock %s', (slotLock) => {
    it.each(Object.entries(FAULTS))(
      'should leave no booking pending and tell the caller the truth when a call meets %s',
      async (_name, fault) => {
        const { problems, hit } = await everyPosition(POSITIONS, (after) =>
          bookingAt(mode, slotLock, fault, after),
        )
        expect(problems).toEqual([])
        expect(hit).toBeGreaterThan(0)
      },
    )
  })
})

/** What leaves a booking to the reconciler: a call that lost Appwrite for good at some call. */
const LEFT_PENDING: Record<string, (h: Harness) => Promise<() => Promise<unknown>>> = {
  'a booking': async (h) => () => h.guard.createBooking(bookingInput()),
  'a cancellation by the customer': async (h) => {
    const id = await booked(h, 'pending')
    return () => h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1', reason: 'Gone' })
  },
  'an acceptance': async (h) => {
    const id = await booked(h, 'pending')
    return () => h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })
  },
}

/** A fresh harness with a booking left `pending` by a call that lost Appwrite after `k` calls. */
async function leftPending(make: (h: Harness) => Promise<() => Promise<unknown>>, k: number) {
  const h = harness({ mode: 'saga', retry: { maxAttempts: 1 } })
  const run = await make(h)
  h.fake.faults.fail({ after: k, error: 'network' })
  await h.settle(run())
  h.fake.faults.clear()
  await h.clock.advance(100_000)
  return h.rows('bookings').some((row) => row.pipelineStatus === 'pending') ? h : undefined
}

/**
 * A reconcile pass that loses Appwrite after `p` calls, then a clean one: what the clean pass
 * left undone (a booking `pending`, a booking it failed, a missing or orphan row).
 */
async function twoPasses(h: Harness, p: number, context: string) {
  h.fake.faults.fail({ after: p, error: 'network' })
  await h.settle(h.guard.reconcile())
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  await h.clock.advance(100_000)
  const report = fulfilled(await h.settle(h.guard.reconcile()))
  const problems: string[] = []
  for (const row of h.rows('bookings')) {
    if (row.pipelineStatus === 'pending') problems.push(`${context}: ${row.$id} pending`)
  }
  const failed = [...report.pending.failed, ...report.delivered.failed, ...report.expired.failed]
  for (const { id, message } of failed) problems.push(`${context}: failed ${id}: ${message}`)
  for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
    problems.push(`${context}: ${violation}`)
  }
  return { problems, fired }
}

describe('the reconciler under one fault', () => {
  it.each(Object.entries(LEFT_PENDING))(
    'should finish %s left pending in its next pass, wherever the pass before lost Appwrite',
    async (_name, make) => {
      const problems: string[] = []
      let states = 0
      for (let k = 0; k < POSITIONS; k++) {
        if ((await leftPending(make, k)) === undefined) continue
        states++
        for (let p = 0; p < POSITIONS; p++) {
          const h = (await leftPending(make, k))!
          const context = `left pending after ${k} calls, first pass lost Appwrite after ${p}`
          problems.push(...(await twoPasses(h, p, context)).problems)
        }
      }
      expect(problems).toEqual([])
      // Some positions of the first call left the booking to the reconciler.
      expect(states).toBeGreaterThan(0)
    },
  )

  it('should finish expiring a booking in its next pass, wherever the pass that began lost Appwrite', async () => {
    const { problems, hit } = await everyPosition(POSITIONS, async (p) => {
      const h = harness({ retry: { maxAttempts: 1 } })
      const id = await booked(h, 'pending')
      await h.clock.advance(25 * 60_000 + 1_000) // past its response deadline
      const context = `first pass lost Appwrite after ${p} calls`
      const passes = await twoPasses(h, p, context)
      const booking = h.rows('bookings').find((row) => row.$id === id)!
      if (booking.status !== 'expired' || booking.pipelineStatus !== 'delivered') {
        passes.problems.push(
          `${context}: ${String(booking.status)}, ${String(booking.pipelineStatus)}`,
        )
      }
      if (!h.rows('notifications').some((row) => row.$id === `${id}.nx`)) {
        passes.problems.push(`${context}: expired without its notice`)
      }
      return passes
    })
    expect(problems).toEqual([])
    expect(hit).toBeGreaterThan(0)
  })
})

describe('sendMessage under one fault', () => {
  it.each(Object.entries(FAULTS))(
    'should store the message once when told ok, and once after a resend with its clientMessageId, when a call meets %s',
    async (_name, fault) => {
      const { problems, hit } = await everyPosition(POSITIONS, async (after) => {
        const h = harness({ retry: { maxAttempts: 1 } })
        const { chatRoom } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
        const send = () =>
          h.guard.sendMessage(chatRoom.$id, {
            senderId: 'cust1',
            senderType: 'customer',
            senderName: 'Ana',
            content: 'On my way',
            clientMessageId: 'local-1',
          })
        const { told, context, problems, fired } = await underFault(h, fault, after, send)
        const stored = () => h.rows('chat_messages').filter((row) => row.content === 'On my way')
        if (told === 'ok' && stored().length !== 1) {
          problems.push(`${context}: told ok, ${stored().length} messages`)
        }
        if (told === 'no' && stored().length !== 0) {
          problems.push(`${context}: told no, ${stored().length} messages`)
        }
        // What the app does with "again": send the same message again.
        if (told === 'again') {
          const resent = await h.settle(send())
          if (resent.status === 'rejected' || stored().length !== 1) {
            problems.push(`${context}: resent, ${stored().length} messages (${resent.status})`)
          }
        }
        return { problems, fired }
      })
      expect(problems).toEqual([])
      expect(hit).toBeGreaterThan(0)
    },
  )
})
