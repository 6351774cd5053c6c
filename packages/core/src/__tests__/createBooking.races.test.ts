// Same-key races under one fault: two processes send one booking with one idempotency key at
// once, and one Appwrite call of the race fails, at each position in turn. Whatever each caller
// is told must stay true once a reconcile pass has run: told ok, the booking is delivered and
// whole; told a final "no" (`describeBookingError`: not retryable, not `unavailable`), no booking
// of the key is live. A caller told to send again may find either: the same key learns which.
import type { FaultCallScope, FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import { bookingInput, fulfilled, harness } from './pipelineFixtures'

/** More calls than a race makes in either mode, so every position is tried. */
const POSITIONS = 40

/** A fault: its error, the calls it may hit, and how many of those positions to try. */
type Fault = readonly [name: string, error: FaultError, scope: FaultCallScope, positions: number]

const ANY_CALL: FaultCallScope = {}
const COMMIT: FaultCallScope = {
  operation: 'updateTransaction',
  when: (call) => call.params.commit === true,
}

const FAULTS: Record<'saga' | 'transaction', readonly Fault[]> = {
  saga: [
    ['no answer', 'network', ANY_CALL, POSITIONS],
    ['a 500', 'general_server_error', ANY_CALL, POSITIONS],
  ],
  transaction: [
    ['no answer', 'network', ANY_CALL, POSITIONS],
    ['a 500', 'general_server_error', ANY_CALL, POSITIONS],
    // Appwrite reports a conflict when a transaction commits.
    ['a commit conflict', 'transaction_conflict', COMMIT, 2],
  ],
}

async function race(mode: 'saga' | 'transaction', [, error, scope]: Fault, after: number) {
  const h = harness({ mode, retry: { maxAttempts: 1 } })
  const other = h.otherGuard({ mode, retry: { maxAttempts: 1 } })
  h.fake.faults.fail({ ...scope, error, after, times: 1 })
  const input = bookingInput()
  const outcomes = await Promise.all([
    h.settle(h.guard.createBooking(input, { idempotencyKey: 'race' })),
    h.settle(other.createBooking(input, { idempotencyKey: 'race' })),
  ])
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  await h.clock.advance(61_000)
  fulfilled(await h.settle(h.guard.reconcile()))
  const told = outcomes.map((outcome) => {
    if (outcome.status === 'fulfilled') return 'ok'
    const { retryable, kind } = describeBookingError(outcome.reason)
    return retryable || kind === 'unavailable' ? 'again' : 'no'
  })
  const why = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))
  return {
    h,
    told,
    fired,
    context: `fault after ${after} calls: told ${told.join(', ')}: ${why.join(' | ')}`,
  }
}

describe.each(['saga', 'transaction'] as const)('same-key races in %s mode', (mode) => {
  it.each(FAULTS[mode].map((fault) => [fault[0], fault] as const))(
    'should tell both callers the truth when the race meets %s',
    async (_name, fault) => {
      const problems: string[] = []
      let hit = 0
      for (let after = 0; after < fault[3]; after++) {
        const { h, told, fired, context } = await race(mode, fault, after)
        hit += fired
        const live = h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')
        if (told.includes('ok') && live.length !== 1) problems.push(`${context}: no live booking`)
        if (told.includes('no') && live.length > 0) problems.push(`${context}: a live booking`)
        for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
          problems.push(`${context}: ${violation}`)
        }
      }
      expect(problems).toEqual([])
      // The positions reached real calls (a race makes fewer than POSITIONS).
      expect(hit).toBeGreaterThan(0)
    },
  )
})
