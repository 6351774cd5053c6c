import { describe, expect, it } from 'vitest'
import type { TablesDBLike } from '../backend/types'
import { isIdempotencyConflictError } from '../errors'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import type { Harness } from './pipelineFixtures'
import { bookingInput, fulfilled, harness, rejected, rowMethodsOf } from './pipelineFixtures'

const WRITES = new Set(['createRow', 'updateRow', 'upsertRow', 'deleteRow'])

/**
 * The fake's tablesDB as seen by a process that dies after `writes` writes: from then on every
 * call (compensation included) never answers, as if the tab was closed mid-booking.
 */
function crashingAfter(h: Harness, writes: number): TablesDBLike {
  const real = h.fake.tablesDB as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >
  let left = writes
  let dead = false
  const proxy: Record<string, unknown> = {}
  for (const method of ['createRow', 'getRow', 'listRows', 'updateRow', 'upsertRow', 'deleteRow']) {
    proxy[method] = (...args: unknown[]) => {
      if (dead) return new Promise(() => undefined)
      if (WRITES.has(method)) {
        if (left === 0) {
          dead = true
          return new Promise(() => undefined)
        }
        left--
      }
      return real[method]!.apply(h.fake.tablesDB, args)
    }
  }
  return proxy as unknown as TablesDBLike
}

describe('idempotency', () => {
  it('should return the same booking for the same key, marked replayed, without duplicating rows', async () => {
    const h = harness()
    const input = bookingInput()
    const first = fulfilled(
      await h.settle(h.guard.createBooking(input, { idempotencyKey: 'form-1' })),
    )
    const again = fulfilled(
      await h.settle(h.guard.createBooking(input, { idempotencyKey: 'form-1' })),
    )
    expect(first.replayed).toBe(false)
    expect(again.replayed).toBe(true)
    expect(again.booking.$id).toBe(first.booking.$id)
    expect(again.chatRoom.$id).toBe(first.chatRoom.$id)
    for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
      expect(h.rows(table)).toHaveLength(1)
    }
  })

  it('should store the key and a 64-hex fingerprint of the input on the booking', async () => {
    const h = harness()
    fulfilled(await h.settle(h.guard.createBooking(bookingInput(), { idempotencyKey: 'form-2' })))
    expect(h.rows('bookings')[0]).toMatchObject({
      idempotencyKey: 'form-2',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
  })

  it('should map one key to one booking id in every guard instance', async () => {
    const a = harness()
    const b = harness()
    const input = bookingInput()
    const x = fulfilled(await a.settle(a.guard.createBooking(input, { idempotencyKey: 'same' })))
    const y = fulfilled(await b.settle(b.guard.createBooking(input, { idempotencyKey: 'same' })))
    expect(x.booking.$id).toBe(y.booking.$id)
  })

  it('should keep one key apart in two scopes and replay it within one', async () => {
    const h = harness()
    const inputs = new Map<string, ReturnType<typeof bookingInput>>()
    const book = (scope: string | undefined, customerId: string) => {
      if (!inputs.has(customerId)) inputs.set(customerId, bookingInput({ customerId }))
      return h.settle(
        h.guard.createBooking(inputs.get(customerId)!, {
          idempotencyKey: 'form-4',
          idempotencyScope: scope,
        }),
      )
    }
    const ben = fulfilled(await book('user-ben', 'user-ben'))
    const chloe = fulfilled(await book('user-chloe', 'user-chloe'))
    const unscoped = fulfilled(await book(undefined, 'user-dan'))
    const again = fulfilled(await book('user-ben', 'user-ben'))

    expect(new Set([ben, chloe, unscoped].map((r) => r.booking.$id)).size).toBe(3)
    expect(again).toMatchObject({ replayed: true, booking: { $id: ben.booking.$id } })
    // The unique idempotencyKey column holds the key with its scope (hashed past 64 characters).
    expect(h.rows('bookings').map((row) => row.idempotencyKey)).toEqual(
      expect.arrayContaining(['8:user-ben/form-4', '10:user-chloe/form-4', 'form-4']),
    )
    const long = fulfilled(
      await h.settle(
        h.guard.createBooking(bookingInput(), {
          idempotencyKey: 'k'.repeat(64),
          idempotencyScope: 's'.repeat(64),
        }),
      ),
    )
    expect(long.booking.idempotencyKey).toMatch(/^#[0-9a-f]{63}$/)
    // A scope and key that spell another pair's text name another booking.
    const a = fulfilled(
      await h.settle(
        h.guard.createBooking(bookingInput(), { idempotencyKey: 'c', idempotencyScope: 'a/b' }),
      ),
    )
    const b = fulfilled(
      await h.settle(
        h.guard.createBooking(bookingInput(), { idempotencyKey: 'b/c', idempotencyScope: 'a' }),
      ),
    )
    expect(a.booking.$id).not.toBe(b.booking.$id)
    const bad = rejected(
      await h.settle(
        h.guard.createBooking(bookingInput(), { idempotencyKey: 'k', idempotencyScope: '' }),
      ),
    )
    expect(bad).toMatchObject({ issues: [{ path: ['idempotencyScope'] }] })
  })

  it('should refuse a different input under the same key and leave the first booking untouched', async () => {
    const h = harness()
    const input = bookingInput()
    fulfilled(await h.settle(h.guard.createBooking(input, { idempotencyKey: 'form-3' })))
    const before = h.fake.snapshot()
    const error = rejected(
      await h.settle(
        h.guard.createBooking({ ...input, durationMinutes: 90 }, { idempotencyKey: 'form-3' }),
      ),
    )
    expect(isIdempotencyConflictError(error)).toBe(true)
    expect(error).toMatchObject({ idempotencyKey: 'form-3', code: 'IDEMPOTENCY_CONFLICT' })
    expect(h.fake.snapshot()).toEqual(before)
  })

  it('should create one booking for concurrent calls with one key in one process', async () => {
    const h = harness()
    const input = bookingInput()
    const calls = [1, 2, 3].map(() =>
      h.guard.createBooking(input, { idempotencyKey: 'double-click' }),
    )
    const results = await Promise.all(calls.map((call) => h.settle(call).then(fulfilled)))
    expect(new Set(results.map((r) => r.booking.$id)).size).toBe(1)
    expect(results.map((r) => r.replayed)).toEqual([false, true, true])
    for (const table of ['bookings', 'chat_rooms', 'chat_messages', 'notifications']) {
      expect(h.rows(table)).toHaveLength(1)
    }
  })

  it('should create one booking for concurrent calls with one key from two processes', async () => {
    const h = harness()
    const other = h.otherGuard()
    const input = bookingInput()
    const [a, b] = await Promise.all([
      h.settle(h.guard.createBooking(input, { idempotencyKey: 'two-tabs' })),
      h.settle(other.createBooking(input, { idempotencyKey: 'two-tabs' })),
    ])
    const results = [fulfilled(a), fulfilled(b)]
    expect(results[0]!.booking.$id).toBe(results[1]!.booking.$id)
    expect(results.filter((r) => r.replayed)).toHaveLength(1)
    expect(h.rows('bookings')).toHaveLength(1)
    expect(h.rows('bookings')[0]!.pipelineStatus).toBe('delivered')
    expect(h.completeBookingViolations()).toEqual([])
  })

  it('should revive a booking whose earlier attempt failed and was compensated', async () => {
    const h = harness()
    const input = bookingInput()
    const rule = h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      error: 'user_unauthorized',
    })
    const failure = rejected(
      await h.settle(h.guard.createBooking(input, { idempotencyKey: 'retry-me' })),
    )
    expect(failure).toMatchObject({ failedStep: 'notification', compensated: true })
    expect(h.rows('bookings')[0]!.pipelineStatus).toBe('failed')
    rule.remove()
    const retried = fulfilled(
      await h.settle(h.guard.createBooking(input, { idempotencyKey: 'retry-me' })),
    )
    expect(retried.booking.pipelineStatus).toBe('delivered')
    expect(retried.replayed).toBe(false)
    expect(h.completeBookingViolations()).toEqual([])
    expect(h.rows('bookings')).toHaveLength(1)
  })

  describe('crash points', () => {
    for (let writes = 0; writes <= 4; writes++) {
      it(`should leave a state one reconcile pass completes after a crash after ${writes} write(s)`, async () => {
        const h = harness()
        const crashed = h.otherGuard({ tablesDB: crashingAfter(h, writes) })
        const input = bookingInput()
        const error = rejected(
          await h.settle(crashed.createBooking(input, { idempotencyKey: `crash-${writes}` })),
        )
        expect(error).toMatchObject({ code: 'PIPELINE_TIMEOUT', compensated: false })
        await h.clock.advance(61_000)
        const report = fulfilled(await h.settle(h.guard.reconcile()))
        expect(h.invariantViolations()).toEqual([])
        expect(h.completeBookingViolations()).toEqual([])
        // The booking create is issued first: once it landed, the reconciler completed the
        // booking (the customer did book); with nothing written there is nothing to do.
        const bookingId = (error as { bookingId: string }).bookingId
        expect(report.pending.completed).toEqual(writes === 0 ? [] : [bookingId])
        expect(h.rows('bookings').map((row) => [row.$id, row.pipelineStatus])).toEqual(
          writes === 0 ? [] : [[bookingId, 'delivered']],
        )
      })
    }

    it('should let the same key resume a booking left pending by a crash', async () => {
      const h = harness()
      const crashed = h.otherGuard({ tablesDB: crashingAfter(h, 2) })
      const input = bookingInput()
      rejected(await h.settle(crashed.createBooking(input, { idempotencyKey: 'resume' })))
      expect(h.rows('bookings')[0]!.pipelineStatus).toBe('pending')
      const resumed = fulfilled(
        await h.settle(h.guard.createBooking(input, { idempotencyKey: 'resume' })),
      )
      expect(resumed).toMatchObject({ replayed: true, booking: { pipelineStatus: 'delivered' } })
      expect(h.completeBookingViolations()).toEqual([])
    })

    it('should compensate a booking left pending when the reconciler is told to', async () => {
      const h = harness({ reconcile: { pending: 'compensate' } })
      const crashed = h.otherGuard({ tablesDB: crashingAfter(h, 3) })
      rejected(await h.settle(crashed.createBooking(bookingInput())))
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.pending.compensated).toHaveLength(1)
      expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['failed'])
      expect(h.invariantViolations()).toEqual([])
    })
  })

  it('should not undo a booking whose write lost its answer while it may be another call’s, and finish it on a retry', async () => {
    const h = harness({ retry: { maxAttempts: 1 } })
    const real = h.fake.tablesDB
    let lost = false
    // The booking's create lands, but its answer never comes back (once).
    const tablesDB = {
      ...rowMethodsOf(real),
      createRow: async (params: { tableId: string }) => {
        const row = await real.createRow(params as never)
        if (params.tableId !== 'bookings' || lost) return row
        lost = true
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
      },
    }
    const guard = h.otherGuard({ tablesDB, retry: { maxAttempts: 1 } })
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      error: 'network',
      times: 1,
    })
    const input = bookingInput()

    const error = rejected(await h.settle(guard.createBooking(input, { idempotencyKey: 'lost' })))

    // The booking row could be another call's with this key: it waited for that call until its
    // budget ran out, undid nothing, and says to send it again.
    expect(error).toMatchObject({
      code: 'PIPELINE_TIMEOUT',
      compensated: false,
      pendingReconcile: true,
    })
    expect(describeBookingError(error).retryable).toBe(true)
    expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['pending'])
    const again = fulfilled(await h.settle(guard.createBooking(input, { idempotencyKey: 'lost' })))
    expect(again).toMatchObject({ replayed: true, booking: { pipelineStatus: 'delivered' } })
    expect(h.completeBookingViolations()).toEqual([])
  })

  describe.runIf(typeof harness().fake.tablesDB.createTransaction === 'function')(
    'transaction mode',
    () => {
      it('should replay a committed booking for the same key', async () => {
        const h = harness({ mode: 'transaction' })
        const input = bookingInput()
        const first = fulfilled(
          await h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-1' })),
        )
        const again = fulfilled(
          await h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-1' })),
        )
        expect(again).toMatchObject({ replayed: true, mode: 'transaction' })
        expect(again.booking.$id).toBe(first.booking.$id)
        expect(h.rows('bookings')).toHaveLength(1)
      })

      it('should refuse a different input under the same key', async () => {
        const h = harness({ mode: 'transaction' })
        const input = bookingInput()
        fulfilled(await h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-2' })))
        const error = rejected(
          await h.settle(
            h.guard.createBooking({ ...input, durationMinutes: 30 }, { idempotencyKey: 'tx-2' }),
          ),
        )
        expect(isIdempotencyConflictError(error)).toBe(true)
        expect(h.rows('bookings')[0]!.durationMinutes).toBe(60)
      })

      it('should tell the loser of a same-key race it cannot read back to send again, which returns the booking', async () => {
        const h = harness({ mode: 'transaction', retry: { maxAttempts: 1 } })
        const other = h.otherGuard({ mode: 'transaction', retry: { maxAttempts: 1 } })
        const input = bookingInput()
        // The loser's commit conflicts with the winner's; its read of the booking then fails.
        h.fake.faults.fail({ operation: 'getRow', table: 'bookings', error: 'network', times: 1 })
        const outcomes = await Promise.all([
          h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-race' })),
          h.settle(other.createBooking(input, { idempotencyKey: 'tx-race' })),
        ])
        const loser = outcomes.find((outcome) => outcome.status === 'rejected')
        const error = rejected(loser!)

        expect(error).toMatchObject({ code: 'BOOKING_PIPELINE', compensated: false })
        expect(h.rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
        // Not "not booked": the booking exists, so the customer is told to send it again.
        expect(describeBookingError(error)).toMatchObject({ retryable: true })
        const again = fulfilled(
          await h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-race' })),
        )
        expect(again).toMatchObject({ replayed: true, booking: { pipelineStatus: 'delivered' } })
        expect(h.rows('bookings')).toHaveLength(1)
      })

      it('should not call a race it cannot read back undone, even when its rollback succeeded', async () => {
        const h = harness({ mode: 'transaction', retry: { maxAttempts: 1 } })
        const real = h.fake.tablesDB
        // A server that accepts the rollback of a transaction whose commit conflicted.
        const tablesDB = new Proxy(real, {
          get(target, name) {
            if (name === 'updateTransaction') {
              return (params: { transactionId: string; rollback?: boolean }) =>
                params.rollback === true
                  ? Promise.resolve({ $id: params.transactionId, status: 'failed' })
                  : real.updateTransaction(params as never)
            }
            const value = Reflect.get(target, name) as unknown
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value
          },
        })
        const other = h.otherGuard({ mode: 'transaction', retry: { maxAttempts: 1 }, tablesDB })
        const input = bookingInput()
        h.fake.faults.fail({ operation: 'getRow', table: 'bookings', error: 'network', times: 1 })
        // The first process commits first; the other's commit conflicts and it cannot read back.
        const [won, lost] = await Promise.all([
          h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-race-2' })),
          h.settle(other.createBooking(input, { idempotencyKey: 'tx-race-2' })),
        ])
        expect(fulfilled(won).booking.pipelineStatus).toBe('delivered')
        const error = rejected(lost)

        expect(error).toMatchObject({ code: 'BOOKING_PIPELINE', compensated: false })
        expect(describeBookingError(error)).toMatchObject({ retryable: true })
      })

      it('should create one booking for concurrent calls from two processes', async () => {
        const h = harness({ mode: 'transaction' })
        const other = h.otherGuard({ mode: 'transaction' })
        const input = bookingInput()
        const [a, b] = await Promise.all([
          h.settle(h.guard.createBooking(input, { idempotencyKey: 'tx-3' })),
          h.settle(other.createBooking(input, { idempotencyKey: 'tx-3' })),
        ])
        expect(fulfilled(a).booking.$id).toBe(fulfilled(b).booking.$id)
        expect(h.rows('bookings')).toHaveLength(1)
        expect(h.completeBookingViolations()).toEqual([])
      })
    },
  )
})
