// Transitions under one fault: a booking is accepted, declined or cancelled (by either party)
// while one Appwrite call of the transition fails, at each position in turn, in saga and in
// transaction mode. Then the faults stop and one reconcile pass runs. Whatever the caller was
// told must stay true, and nothing may be left half-done: told ok, the booking has its new status;
// told a final "no", it has its old one; either way it is delivered, never left `pending`, and
// has the notice of its status. (A cancellation left pending once stayed pending for good: the
// reconciler's rebuilt notice went to the customer, the call's had gone to the provider.)
import type { FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { BookingGuard } from '../guard'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import { bookingInput, fulfilled, harness } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

/** More calls than a transition makes in either mode, so every position is tried. */
const POSITIONS = 16

interface Transition {
  /** The status the booking has before: `pending`, or `confirmed` (accepted first). */
  readonly from: 'pending' | 'confirmed'
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

async function booked(h: Harness, from: Transition['from']): Promise<string> {
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

async function transitionAt(
  mode: 'saga' | 'transaction',
  transition: Transition,
  fault: Fault,
  after: number,
) {
  const h = harness({ mode, retry: { maxAttempts: 1 } })
  const id = await booked(h, transition.from)
  if ('error' in fault) {
    h.fake.faults.fail({ after, ...(fault.forGood ? {} : { times: 1 }), error: fault.error })
  } else h.fake.faults.latency({ after, times: 1, ms: fault.latencyMs })
  const outcome = await h.settle(transition.run(h.guard, id))
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  // A delayed write lands, then stays untouched for the reconciler's grace period (60 s).
  await h.clock.advance(100_000)
  const report = fulfilled(await h.settle(h.guard.reconcile()))

  let told: 'ok' | 'again' | 'no' = 'ok'
  if (outcome.status === 'rejected') {
    const { retryable, kind } = describeBookingError(outcome.reason)
    told = retryable || kind === 'unavailable' ? 'again' : 'no'
  }
  const why = outcome.status === 'rejected' ? (outcome.reason as Error).message : 'ok'
  const context = `fault after ${after} calls: told ${told} (${why})`
  const booking = h.rows('bookings').find((row) => row.$id === id)!
  const problems: string[] = []
  if (booking.pipelineStatus !== 'delivered') {
    problems.push(`${context}: booking ${String(booking.pipelineStatus)} after reconcile`)
  }
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
  for (const failed of [...report.pending.failed, ...report.delivered.failed]) {
    problems.push(`${context}: the reconciler failed ${failed.id}: ${failed.message}`)
  }
  for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
    problems.push(`${context}: ${violation}`)
  }
  return { problems, fired }
}

describe.each(['saga', 'transaction'] as const)('transitions under one fault, %s', (mode) => {
  describe.each(Object.entries(TRANSITIONS))('%s', (_name, transition) => {
    it.each(Object.entries(FAULTS))(
      'should leave the booking delivered and as the caller was told when a call meets %s',
      async (_name, fault) => {
        const problems: string[] = []
        let hit = 0
        for (let after = 0; after < POSITIONS; after++) {
          const outcome = await transitionAt(mode, transition, fault, after)
          problems.push(...outcome.problems)
          hit += outcome.fired
        }
        expect(problems).toEqual([])
        // The positions reached real calls (a transition makes fewer than POSITIONS).
        expect(hit).toBeGreaterThan(0)
      },
    )
  })
})
