// Cleanup (compensation, rollback, tombstones) runs under the retry policy but never the breaker:
// undoing a half-made booking must still happen while the breaker is open, and a successful
// cleanup must not reset the breaker's count of failing forward writes.
import { describe, expect, it } from 'vitest'
import { isBookingPipelineError } from '../errors'
import type { ResiliencePolicy } from '../resilience/wrap'
import { bookingInput, harness, rejected } from './pipelineFixtures'

const threeAttemptsOpenTheBreaker = {
  breaker: { breaker: { kind: 'consecutive' as const, threshold: 3 }, halfOpenAfter: 60_000 },
}

describe('compensation', () => {
  it('should compensate a failed saga even though the failure opened the breaker', async () => {
    const h = harness(threeAttemptsOpenTheBreaker)
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      error: 'general_server_error',
    })

    const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))

    const breaker = (h.guard.policy as ResiliencePolicy).breaker
    expect(breaker.state).toBe('open')
    expect(isBookingPipelineError(error) && error.failedStep).toBe('notification')
    // Before cleanup bypassed the breaker, the deletes failed fast with CircuitOpenError and the
    // booking was left `pending` for the reconciler.
    expect(isBookingPipelineError(error) && error.compensated).toBe(true)
    expect(isBookingPipelineError(error) && error.pendingReconcile).toBe(false)
    expect(h.rows('chat_rooms')).toEqual([])
    expect(h.rows('chat_messages')).toEqual([])
    expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['failed'])
    expect(h.invariantViolations()).toEqual([])
  })

  it("should not count a compensation's successful deletes as the breaker's successes", async () => {
    const h = harness({
      breaker: { breaker: { kind: 'consecutive', threshold: 4 }, halfOpenAfter: 60_000 },
    })
    const breaker = (h.guard.policy as ResiliencePolicy).breaker
    // Three failed attempts at the notification, then the saga compensates with three successful
    // deletes and a tombstone update. Those must not wipe the three failures off the count.
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      times: 3,
      error: 'general_server_error',
    })
    const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
    expect(isBookingPipelineError(error) && error.compensated).toBe(true)
    expect(breaker.state).toBe('closed')

    const serverError = Object.assign(new Error('An internal server error occurred.'), {
      name: 'AppwriteException',
      code: 500,
      type: 'general_server_error',
      response: '',
    })
    const next = h.guard.policy.execute(() => Promise.reject(serverError))
    await h.settle(next)

    // 3 + 1: the very next failed forward attempt opens it (with the deletes counted as successes,
    // the count restarted at 0 and this call's three attempts left it closed).
    expect(breaker.state).toBe('open')
  })
})
