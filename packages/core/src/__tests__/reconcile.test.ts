import { describe, expect, it, vi } from 'vitest'
import { isBookingGuardError } from '../errors'
import type { PushSender } from '../pipeline/push'
import { DB, bookingInput, fulfilled, harness, rejected } from './pipelineFixtures'
import type { Harness } from './pipelineFixtures'

/** A booking whose deliver step and compensation both failed: left pending. */
async function leavePending(h: Harness): Promise<string> {
  const rule = h.fake.faults.fail({
    operation: 'updateRow',
    table: 'bookings',
    error: 'general_server_error',
  })
  const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
  expect(error).toMatchObject({ pendingReconcile: true })
  rule.remove()
  return h.rows('bookings').at(-1)!.$id
}

/** A chat room `id` whose booking `id` does not exist, as a crashed writer leaves one. */
async function roomWithoutBooking(h: Harness, id: string): Promise<void> {
  await h.fake.tablesDB.createRow({
    databaseId: DB,
    tableId: 'chat_rooms',
    rowId: id,
    data: {
      bookingId: id,
      customerId: 'c',
      customerName: 'C',
      providerId: 'p',
      providerName: 'P',
      status: 'active',
      expiresAt: '2026-02-01T00:00:00.000Z',
    },
  })
}

describe('reconcile', () => {
  it('should complete bookings left pending longer than olderThanMs, and leave younger ones', async () => {
    const h = harness()
    const id = await leavePending(h)
    const early = fulfilled(await h.settle(h.guard.reconcile({ olderThanMs: 60_000 })))
    expect(early.pending.found).toBe(0)
    expect(h.rows('bookings')[0]!.pipelineStatus).toBe('pending')
    await h.clock.advance(61_000)
    const report = fulfilled(await h.settle(h.guard.reconcile()))
    expect(report.pending).toMatchObject({ found: 1, completed: [id], compensated: [], failed: [] })
    expect(h.rows('bookings')[0]!.pipelineStatus).toBe('delivered')
    expect(h.completeBookingViolations()).toEqual([])
  })

  it('should be idempotent: a second pass finds nothing and changes nothing', async () => {
    const h = harness()
    await leavePending(h)
    await h.clock.advance(61_000)
    fulfilled(await h.settle(h.guard.reconcile()))
    const after = h.fake.snapshot()
    const second = fulfilled(await h.settle(h.guard.reconcile()))
    expect(second.pending.found).toBe(0)
    expect(second.orphans.removed).toEqual([])
    expect(h.fake.snapshot()).toEqual(after)
  })

  it('should be safe to run as several instances at once', async () => {
    const h = harness()
    const ids = [await leavePending(h), await leavePending(h)]
    await h.clock.advance(61_000)
    const other = h.otherGuard()
    const [a, b] = await Promise.all([h.settle(h.guard.reconcile()), h.settle(other.reconcile())])
    const completed = [...fulfilled(a).pending.completed, ...fulfilled(b).pending.completed]
    expect(new Set(completed)).toEqual(new Set(ids))
    expect(fulfilled(a).pending.failed).toEqual([])
    expect(fulfilled(b).pending.failed).toEqual([])
    expect(h.rows('chat_rooms')).toHaveLength(2)
    expect(h.rows('chat_messages')).toHaveLength(2)
    expect(h.invariantViolations()).toEqual([])
    expect(h.completeBookingViolations()).toEqual([])
  })

  it('should report a booking it cannot finish and keep going', async () => {
    const h = harness()
    const id = await leavePending(h)
    await h.clock.advance(61_000)
    h.fake.faults.fail({ operation: 'createRow', table: 'chat_rooms', error: 'table_not_found' })
    const report = fulfilled(await h.settle(h.guard.reconcile()))
    expect(report.pending.failed).toEqual([
      { id, message: expect.stringMatching(/could not be found/) },
    ])
    expect(h.rows('bookings')[0]!.pipelineStatus).toBe('pending')
  })

  it('should report a phase whose query fails instead of throwing', async () => {
    const h = harness()
    h.fake.faults.fail({ operation: 'listRows', table: 'bookings', error: 'general_query_invalid' })
    const report = fulfilled(await h.settle(h.guard.reconcile()))
    expect(report.errors.map((e) => e.phase)).toEqual(
      expect.arrayContaining(['pending', 'expired']),
    )
  })

  it('should refuse nonsensical options', async () => {
    const h = harness()
    for (const options of [
      { olderThanMs: -1 },
      { limit: 0 },
      { limit: 500 },
      { pending: 'ignore' as 'complete' },
    ]) {
      const error = await h.guard.reconcile(options).catch((e: unknown) => e)
      expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
    }
  })

  it('should announce each pass with its report', async () => {
    const h = harness()
    const report = fulfilled(await h.settle(h.guard.reconcile()))
    const event = h.events.find((e) => e.type === 'reconciled')
    expect(event).toMatchObject({ type: 'reconciled', report })
  })

  describe('push', () => {
    it('should retry failed pushes and record the outcome on the notification', async () => {
      let fail = true
      const sender = vi.fn<PushSender>(() => {
        if (fail) throw new Error('FCM unavailable')
      })
      const h = harness({ pushSender: sender })
      const { notification } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      await h.settle(h.guard.idle())
      expect(h.rows('notifications')[0]).toMatchObject({
        pushStatus: 'failed',
        pushAttempts: 3,
        pushError: 'Error: FCM unavailable',
      })
      fail = false
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.push).toMatchObject({ found: 1, sent: [notification.$id], failed: [] })
      expect(h.rows('notifications')[0]).toMatchObject({
        pushStatus: 'sent',
        pushAttempts: 4,
        pushError: null,
      })
      expect(sender).toHaveBeenCalledTimes(4)
    })

    it('should retry pushes left pending (a function frozen after its response)', async () => {
      const sender = vi.fn<PushSender>(() => 'sent')
      const h = harness({ pushSender: sender })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      await h.settle(h.guard.idle())
      // Simulate the lost delivery: the row still says pending.
      const id = h.rows('notifications')[0]!.$id
      await h.fake.tablesDB.updateRow({
        databaseId: DB,
        tableId: 'notifications',
        rowId: id,
        data: { pushStatus: 'pending' },
      })
      const young = fulfilled(await h.settle(h.guard.reconcile()))
      expect(young.push.found).toBe(0)
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.push.sent).toEqual([id])
    })

    it('should stop retrying a push after maxPushAttempts', async () => {
      const sender = vi.fn<PushSender>(() => {
        throw new Error('gone')
      })
      const h = harness({ pushSender: sender, reconcile: { maxPushAttempts: 3 } })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      await h.settle(h.guard.idle())
      expect(h.rows('notifications')[0]!.pushAttempts).toBe(3)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.push.found).toBe(0)
      expect(sender).toHaveBeenCalledTimes(3)
    })
  })

  describe('orphans', () => {
    it('should remove children whose booking is missing or failed, and keep the others', async () => {
      const h = harness()
      const kept = fulfilled(await h.settle(h.guard.createBooking(bookingInput()))).booking.$id
      // A crashed writer left children without a booking.
      await roomWithoutBooking(h, 'ghost')
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.orphans.removed).toEqual(['chat_rooms/ghost'])
      expect(h.rows('chat_rooms').map((r) => r.$id)).toEqual([kept])
      expect(h.invariantViolations()).toEqual([])
    })

    it('should leave recent children alone so a call in flight is never raced', async () => {
      const h = harness()
      await h.fake.tablesDB.createRow({
        databaseId: DB,
        tableId: 'notifications',
        rowId: 'young',
        data: {
          recipientId: 'p',
          recipientType: 'therapist',
          type: 'system',
          title: 't',
          body: 'b',
          bookingId: 'young',
          priority: 'low',
        },
      })
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.orphans.removed).toEqual([])
      expect(h.rows('notifications')).toHaveLength(1)
    })

    it('should not delete anything when the booking lookup fails', async () => {
      const h = harness()
      await roomWithoutBooking(h, 'maybe')
      await h.clock.advance(61_000)
      h.fake.faults.fail({
        operation: 'listRows',
        table: 'bookings',
        error: 'general_server_error',
        // Only the orphan sweep's booking lookup (`equal('$id', […])`), not the phases' paging.
        when: (call) =>
          ((call.params.queries as string[] | undefined) ?? []).some((query) =>
            query.startsWith('{"method":"equal","attribute":"$id"'),
          ),
      })
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.orphans.removed).toEqual([])
      expect(report.errors).toEqual([expect.objectContaining({ phase: 'orphans' })])
      expect(h.rows('chat_rooms')).toHaveLength(1)
    })
  })
})
