// Late writes the stress scenario (bench/stress/run.ts) found still breaking the guarantee: a
// transaction commit that lands after the call told its caller "nothing was kept", and a saga's
// compensation write that lands after its call ended, undoing the booking a retry with the same
// idempotency key was meanwhile told is made. Appwrite has no conditional update: a request the
// client gave up on can still land.
import { describe, expect, it } from 'vitest'
import { isVoided, VOID_PATCH } from '../pipeline/voided'
import { bookingInput, fulfilled, harness } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

/** Holds the booking update that sets `pipelineStatus` to `status` for `ms` (it lands late). */
function delayBookingUpdate(h: Harness, status: 'failed' | 'delivered', ms: number): void {
  h.fake.faults.latency({
    operation: 'updateRow',
    table: 'bookings',
    when: (call) => (call.params.data as { pipelineStatus?: unknown }).pipelineStatus === status,
    ms,
    times: 1,
  })
}

/** The first call with the key fails for good at its notification and compensates; then a second. */
async function twoCallsWithOneKey(h: Harness) {
  h.fake.faults.fail({
    operation: 'createRow',
    table: 'notifications',
    error: 'general_server_error',
    times: 3,
  })
  const input = bookingInput()
  const first = await h.settle(h.guard.createBooking(input, { idempotencyKey: 'same' }))
  // The retry with the same key (the same process here; another process in the stress run).
  const second = fulfilled(await h.settle(h.guard.createBooking(input, { idempotencyKey: 'same' })))
  return { first, second }
}

describe('createBooking', () => {
  describe('a transaction commit that lands after the budget', () => {
    it('should not tell the caller nothing was kept while its commit may still land', async () => {
      const h = harness({ mode: 'transaction', timeoutMs: 1_000, compensationTimeoutMs: 1_000 })
      // The commit is slow, and the rollback sent when the budget ends is slower: the call looks
      // for the booking before the commit lands (404), with the rollback still unanswered.
      h.fake.faults.latency({
        operation: 'updateTransaction',
        when: (call) => call.params.commit === true,
        ms: 2_200,
        times: 1,
      })
      h.fake.faults.latency({
        operation: 'updateTransaction',
        when: (call) => call.params.rollback === true,
        ms: 3_000,
        times: 1,
      })
      const outcome = await h.settle(
        h.guard.createBooking(bookingInput(), { idempotencyKey: 'k1' }),
      )
      await h.clock.advance(5_000) // every held request lands
      const [booking] = h.rows('bookings')
      const told =
        outcome.status === 'rejected'
          ? (outcome.reason as { compensated?: boolean; code?: string })
          : undefined
      const live =
        booking !== undefined && booking.pipelineStatus === 'delivered' && !isVoided(booking)
      // Told "nothing was kept" while the booking is live: the guarantee's first promise broken.
      expect(live && told?.compensated === true).toBe(false)
    })
  })

  describe('a compensation write that lands after the call', () => {
    it('should never leave undone a booking a later call with the same key was told is made', async () => {
      const h = harness({ timeoutMs: 1_000, compensationTimeoutMs: 1_000 })
      // The first call's void patch on the booking is slow and lands only after it gave up on it.
      delayBookingUpdate(h, 'failed', 3_000)
      const { first, second } = await twoCallsWithOneKey(h)
      await h.clock.advance(5_000) // the held void patch lands
      expect(first.status).toBe('rejected')
      // The first call was not told that nothing was kept: its void write was still in flight.
      expect((first as PromiseRejectedResult).reason).toMatchObject({
        compensated: false,
        pendingReconcile: true,
      })
      // Meanwhile void (never shown live), every row still there: one reconcile pass restores it.
      expect(h.rows('bookings')[0]).toMatchObject({ pipelineStatus: 'failed' })
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.restored).toMatchObject({ found: 1, restored: [second.booking.$id] })
      const [booking] = h.rows('bookings')
      // The caller told `ok` holds a delivered, live booking with all its rows.
      expect(booking).toMatchObject({ $id: second.booking.$id, pipelineStatus: 'delivered' })
      expect(isVoided(booking!)).toBe(false)
      expect(h.completeBookingViolations()).toEqual([])
      expect(h.invariantViolations()).toEqual([])
    })
    it('should keep live a booking a later call resumed while the void patch was still in flight', async () => {
      const h = harness({ timeoutMs: 1_000, compensationTimeoutMs: 1_000 })
      // The first call's void patch lands after it gave up, but before the second call's deliver
      // write: the second call read the booking `pending` (no void yet), so it resumes it rather
      // than reviving it, and its deliver write lands on a void booking.
      delayBookingUpdate(h, 'failed', 1_500)
      delayBookingUpdate(h, 'delivered', 800)
      const { first, second } = await twoCallsWithOneKey(h)
      await h.clock.advance(5_000) // nothing is left in flight
      expect((first as PromiseRejectedResult).reason).toMatchObject({ pendingReconcile: true })
      // The caller told `ok` holds a live booking, before and after a reconcile pass.
      const live = () => {
        const [booking] = h.rows('bookings')
        return booking?.pipelineStatus === 'delivered' && !isVoided(booking)
      }
      expect(live()).toBe(true)
      await h.clock.advance(61_000)
      fulfilled(await h.settle(h.guard.reconcile()))
      expect(live()).toBe(true)
      expect(h.rows('bookings')[0]).toMatchObject({ $id: second.booking.$id })
      expect(h.completeBookingViolations()).toEqual([])
      expect(h.invariantViolations()).toEqual([])
    })
  })
  describe('two processes with one key, the first compensating while the second arrives', () => {
    it.each([0, 400, 1_200])(
      'should never tell the second caller ok for a booking the first one then undoes (second starts at +%i ms into the compensation)',
      async (offset) => {
        const options = { timeoutMs: 1_000, compensationTimeoutMs: 1_000 }
        const h = harness(options)
        const otherProcess = h.otherGuard({ ...options, retry: { clock: h.clock, jitter: 'none' } })
        // The first call fails for good at its system message, then compensates; its void patch
        // is slow, so the booking reads `pending` for a while after its children are gone.
        h.fake.faults.fail({
          operation: 'createRow',
          table: 'chat_messages',
          error: 'general_server_error',
          times: 3,
        })
        delayBookingUpdate(h, 'failed', 836)
        const input = bookingInput()
        const first = h.guard.createBooking(input, { idempotencyKey: 'double' })
        const compensating = new Promise<void>((resolve) =>
          h.guard.on((event) => {
            if (event.type === 'stepFailed') h.clock.setTimeout(resolve, offset)
          }),
        )
        const second = compensating.then(() =>
          otherProcess.createBooking(input, { idempotencyKey: 'double' }),
        )
        const [one, two] = fulfilled(await h.settle(Promise.allSettled([first, second])))
        // Arriving mid-compensation, the second call waits for the first to settle: told ok
        // once the booking is undone and it revived it, or a timeout (nothing promised) first.
        expect(two?.status).toBe(offset === 0 ? 'rejected' : 'fulfilled')
        await h.clock.advance(10_000) // nothing is left in flight
        fulfilled(await h.settle(h.guard.reconcile({ olderThanMs: 0 })))
        const [booking] = h.rows('bookings')
        const live =
          booking !== undefined && booking.pipelineStatus === 'delivered' && !isVoided(booking)
        // A caller told `ok` holds a live booking with every row.
        const toldOk = one?.status === 'fulfilled' || two?.status === 'fulfilled'
        expect({ toldOk, live }).not.toEqual({ toldOk: true, live: false })
        expect(h.completeBookingViolations()).toEqual([])
        expect(h.invariantViolations()).toEqual([])
        otherProcess.dispose()
      },
    )
  })

  describe('a deliver write that lands after the void patch', () => {
    it.each(['saga', 'transaction'] as const)(
      'should revive, not replay, a compensated booking a late write set back to delivered (%s)',
      async (mode) => {
        const h = harness({ mode })
        const input = bookingInput()
        const first = fulfilled(
          await h.settle(h.guard.createBooking(input, { idempotencyKey: 'late' })),
        )
        // What a compensation and a late deliver write of an earlier call leave: every row, the
        // void marker, and `pipelineStatus` back at `delivered`.
        await h.fake.tablesDB.updateRow({
          databaseId: 'main',
          tableId: 'bookings',
          rowId: first.booking.$id,
          data: { ...VOID_PATCH, pipelineStatus: 'delivered' },
        })
        const again = fulfilled(
          await h.settle(h.guard.createBooking(input, { idempotencyKey: 'late' })),
        )
        const [booking] = h.rows('bookings')
        // Told `ok`: the stored booking must be live, not void (which the reconciler fails).
        expect(again.booking.$id).toBe(first.booking.$id)
        expect(isVoided(booking!)).toBe(false)
        expect(booking).toMatchObject({ pipelineStatus: 'delivered' })
        expect(again.replayed).toBe(false)
        expect(h.invariantViolations()).toEqual([])
      },
    )
  })
})
