// Property test: two processes (two guards on one Appwrite) create the same booking with one
// idempotency key at nearly the same time while writes fail and land late. Whatever the
// interleaving, after everything landed and one reconcile pass ran: a caller told `ok` holds a
// live booking with every row, and callers all told "nothing was kept" hold none. (The stress run
// found a second process resuming the booking while the first one was still compensating it.)
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isVoided } from '../pipeline/voided'
import { bookingInput, fulfilled, harness } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

const CHILDREN = ['chat_rooms', 'chat_messages', 'notifications'] as const

const faultArb = fc.oneof(
  fc.record({
    kind: fc.constant('failChild' as const),
    table: fc.constantFrom(...CHILDREN),
    times: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('lateChild' as const),
    table: fc.constantFrom(...CHILDREN),
    ms: fc.integer({ min: 100, max: 3_000 }),
  }),
  fc.record({
    kind: fc.constant('lateBookingUpdate' as const),
    status: fc.constantFrom('failed', 'delivered', undefined),
    ms: fc.integer({ min: 100, max: 3_000 }),
  }),
)
type Fault = typeof faultArb extends fc.Arbitrary<infer T> ? T : never

function inject(h: Harness, fault: Fault): void {
  if (fault.kind === 'failChild') {
    h.fake.faults.fail({
      operation: 'createRow',
      table: fault.table,
      error: 'general_server_error',
      times: fault.times,
    })
  } else if (fault.kind === 'lateChild') {
    h.fake.faults.latency({ operation: 'createRow', table: fault.table, ms: fault.ms, times: 1 })
  } else {
    h.fake.faults.latency({
      operation: 'updateRow',
      table: 'bookings',
      when: (call) =>
        fault.status === undefined ||
        (call.params.data as { pipelineStatus?: unknown }).pipelineStatus === fault.status,
      ms: fault.ms,
      times: 1,
    })
  }
}

describe('createBooking from two processes with one idempotency key', () => {
  it('should never tell a caller ok for a booking that ends undone, nor keep one all were told is undone', async () => {
    await fc.assert(
      fc.asyncProperty(
        // The first call fails for good at a child (so it compensates), among other faults.
        fc.constantFrom(...CHILDREN),
        fc.array(faultArb, { maxLength: 3 }),
        fc.integer({ min: 0, max: 2_500 }),
        async (failing, faults, secondAfterMs) => {
          const options = { timeoutMs: 1_000, compensationTimeoutMs: 1_000 }
          const h = harness(options)
          const other = h.otherGuard({ ...options, retry: { clock: h.clock, jitter: 'none' } })
          inject(h, { kind: 'failChild', table: failing, times: 3 })
          for (const fault of faults) inject(h, fault)
          const input = bookingInput()
          const calls = Promise.allSettled([
            h.guard.createBooking(input, { idempotencyKey: 'k' }),
            new Promise<void>((resolve) => h.clock.setTimeout(resolve, secondAfterMs)).then(() =>
              other.createBooking(input, { idempotencyKey: 'k' }),
            ),
          ])
          const told = fulfilled(await h.settle(calls))
          // Every held write lands, and a breaker the faults opened lets calls through again.
          await h.clock.advance(61_000)
          const report = fulfilled(await h.settle(h.guard.reconcile({ olderThanMs: 0 })))
          expect(report.errors).toEqual([])
          const [booking] = h.rows('bookings')
          const live =
            booking !== undefined && booking.pipelineStatus === 'delivered' && !isVoided(booking)
          const toldOk = told.some((outcome) => outcome.status === 'fulfilled')
          const toldUndone = told.every(
            (outcome) =>
              outcome.status === 'rejected' &&
              (outcome.reason as { compensated?: unknown }).compensated === true,
          )
          // Told ok: live. Everyone told "nothing was kept": not live.
          expect({ toldOk, live }).not.toEqual({ toldOk: true, live: false })
          expect({ toldUndone, live }).not.toEqual({ toldUndone: true, live: true })
          expect(h.completeBookingViolations()).toEqual([])
          expect(h.invariantViolations()).toEqual([])
          h.guard.dispose()
          other.dispose()
        },
      ),
      { numRuns: 200, seed: 20261205 },
    )
  }, 120_000)
})
