// Same-key races under one fault: two processes send one booking with one idempotency key at
// once, and one Appwrite call of the race fails or is slow, at each position in turn, with both
// processes in saga mode, both in transaction mode, or one in each; and the same for two
// customers' bookings of one slot under the slot lock. Whatever each caller
// is told must stay true once a reconcile pass has run: told ok, the booking is delivered and
// whole; told a final "no" (`describeBookingError`: not retryable, not `unavailable`), no booking
// of the key is live. A caller told to send again may find either: the same key learns which.
import type { FaultCallScope, FaultError } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import {
  bookingInput,
  everyPosition,
  fulfilled,
  harness,
  scheduledInput,
  toldOf,
} from './pipelineFixtures'

/** More calls than a race makes in either mode, so every position is tried. */
const POSITIONS = 40

/** A fault: what goes wrong with one call, the calls it may hit, and how many positions to try. */
interface Fault {
  readonly name: string
  readonly scope: FaultCallScope
  readonly positions: number
  /** A failure with this error, else a delay of `latencyMs`. */
  readonly error?: FaultError
  readonly latencyMs?: number
}

const COMMIT: FaultCallScope = {
  operation: 'updateTransaction',
  when: (call) => call.params.commit === true,
}

const ANY_CALL_FAULTS: readonly Fault[] = [
  { name: 'no answer', error: 'network', scope: {}, positions: POSITIONS },
  { name: 'a 500', error: 'general_server_error', scope: {}, positions: POSITIONS },
  // A slow call reorders the two processes' writes.
  { name: 'a 2 s delay', latencyMs: 2_000, scope: {}, positions: POSITIONS },
]
// Appwrite reports a conflict when a transaction commits.
const COMMIT_CONFLICT: Fault = {
  name: 'a commit conflict',
  error: 'transaction_conflict',
  scope: COMMIT,
  positions: 2,
}

/**
 * The two processes' modes: both the same, or one writing as a saga while the other uses
 * transactions (an `auto` guard whose transaction probe failed writes that booking as a saga).
 */
const MODES = {
  saga: ['saga', 'saga'],
  transaction: ['transaction', 'transaction'],
  'saga first': ['saga', 'transaction'],
  'transaction first': ['transaction', 'saga'],
} as const

const FAULTS: Record<keyof typeof MODES, readonly Fault[]> = {
  saga: ANY_CALL_FAULTS,
  transaction: [...ANY_CALL_FAULTS, COMMIT_CONFLICT],
  'saga first': [...ANY_CALL_FAULTS, COMMIT_CONFLICT],
  'transaction first': [...ANY_CALL_FAULTS, COMMIT_CONFLICT],
}

/**
 * Two callers at once: the same booking under one key, or (`rivals`) two customers' bookings of
 * one provider's slot under their own keys, with the slot lock on.
 */
async function race(modes: keyof typeof MODES, fault: Fault, after: number, rivals = false) {
  const [first, second] = MODES[modes]
  const h = harness({ mode: first, retry: { maxAttempts: 1 }, slotLock: rivals })
  const other = h.otherGuard({ mode: second, retry: { maxAttempts: 1 }, slotLock: rivals })
  const frequency = { ...fault.scope, after, times: 1 }
  if (fault.error !== undefined) h.fake.faults.fail({ ...frequency, error: fault.error })
  else h.fake.faults.latency({ ...frequency, ms: fault.latencyMs! })
  const input = rivals ? scheduledInput('2030-01-01T10:00:00.000Z') : bookingInput()
  const rival = rivals ? { ...input, customerId: 'customer-2', customerName: 'Eve' } : input
  const outcomes = await Promise.all([
    h.settle(h.guard.createBooking(input, { idempotencyKey: 'race' })),
    h.settle(other.createBooking(rival, { idempotencyKey: rivals ? 'rival' : 'race' })),
  ])
  const fired = h.fake.faults.counts.total
  h.fake.faults.clear()
  await h.clock.advance(61_000)
  fulfilled(await h.settle(h.guard.reconcile()))
  const told = outcomes.map(toldOf)
  const why = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))
  const problems: string[] = []
  const context = `fault after ${after} calls: told ${told.join(', ')}: ${why.join(' | ')}`
  const live = h.rows('bookings').filter((row) => row.pipelineStatus === 'delivered')
  if (rivals) {
    // Each caller's own booking: live when told ok, not live when told no; one per slot.
    outcomes.forEach((outcome, caller) => {
      const id =
        outcome.status === 'fulfilled'
          ? outcome.value.booking.$id
          : (outcome.reason as { bookingId?: string }).bookingId
      const isLive = live.some((row) => row.$id === id)
      if (told[caller] === 'ok' && !isLive) problems.push(`${context}: caller ${caller} not live`)
      if (told[caller] === 'no' && isLive) problems.push(`${context}: caller ${caller} live`)
    })
    if (live.length > 1) problems.push(`${context}: ${live.length} live bookings in one slot`)
  } else {
    if (told.includes('ok') && live.length !== 1) problems.push(`${context}: no live booking`)
    if (told.includes('no') && live.length > 0) problems.push(`${context}: a live booking`)
  }
  for (const violation of [...h.invariantViolations(), ...h.completeBookingViolations()]) {
    problems.push(`${context}: ${violation}`)
  }
  return { problems, fired }
}

/** Every position of `fault` in a race of `modes`: the problems found, and whether any call was hit. */
const everyRace = (modes: keyof typeof MODES, fault: Fault, rivals: boolean) =>
  everyPosition(fault.positions, (after) => race(modes, fault, after, rivals))

describe.each(Object.keys(MODES) as Array<keyof typeof MODES>)('same-key races, %s', (mode) => {
  it.each(FAULTS[mode].map((fault) => [fault.name, fault] as const))(
    'should tell both callers the truth when the race meets %s',
    async (_name, fault) => {
      const { problems, hit } = await everyRace(mode, fault, false)
      expect(problems).toEqual([])
      // The positions reached real calls (a race makes fewer than POSITIONS).
      expect(hit).toBeGreaterThan(0)
    },
  )
})

describe.each(Object.keys(MODES) as Array<keyof typeof MODES>)('slot rivals, %s', (mode) => {
  it.each(FAULTS[mode].map((fault) => [fault.name, fault] as const))(
    'should keep one booking per slot and tell each customer the truth when the race meets %s',
    async (_name, fault) => {
      const { problems, hit } = await everyRace(mode, fault, true)
      expect(problems).toEqual([])
      expect(hit).toBeGreaterThan(0)
    },
  )
})
