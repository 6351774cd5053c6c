import { describe, expect, it } from 'vitest'
import { isBookingStateError, isSchemaLockError } from '../errors'
import type { Harness } from './pipelineFixtures'
import { bookingInput, fulfilled, harness, rejected, scheduledInput } from './pipelineFixtures'
import { VOID_PATCH } from '../pipeline/voided'

async function booked(h: Harness, overrides: Record<string, unknown> = {}): Promise<string> {
  const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput(overrides))))
  return booking.$id
}

function row(h: Harness, table: string, id: string) {
  return h.rows(table).find((r) => r.$id === id)
}

describe('lifecycle', () => {
  describe('respondToBooking', () => {
    it('should confirm the booking, post a system message and notify the customer', async () => {
      const h = harness()
      const id = await booked(h)
      const result = fulfilled(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      expect(result.booking).toMatchObject({
        status: 'confirmed',
        providerResponseStatus: 'Accepted',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'confirmed',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'chat_messages', `${id}.ma`)).toMatchObject({
        roomId: id,
        senderType: 'system',
      })
      expect(row(h, 'notifications', `${id}.na`)).toMatchObject({
        recipientId: 'cust1',
        recipientType: 'customer',
        type: 'bookingAccepted',
        $permissions: ['read("user:cust1")', 'update("user:cust1")'],
      })
    })

    it('should decline with the reason in the message and notification, and free the slot', async () => {
      const h = harness({ slotLock: true })
      const at = '2026-01-02T09:00:00.000Z'
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(scheduledInput(at))))
      expect(row(h, 'bookings', booking.$id)!.slotKey).toEqual(expect.any(String))
      fulfilled(
        await h.settle(
          h.guard.respondToBooking(booking.$id, {
            providerId: 'prov1',
            response: 'decline',
            reason: 'Fully booked',
          }),
        ),
      )
      expect(row(h, 'bookings', booking.$id)).toMatchObject({
        status: 'declined',
        providerResponseStatus: 'Declined',
        slotKey: null,
      })
      expect(String(row(h, 'chat_messages', `${booking.$id}.md`)!.content)).toContain(
        'Fully booked',
      )
      expect(String(row(h, 'notifications', `${booking.$id}.nd`)!.body)).toContain('Fully booked')
    })

    it('should refuse another provider and write nothing', async () => {
      const h = harness()
      const id = await booked(h)
      const before = h.fake.snapshot()
      const error = rejected(
        await h.settle(
          h.guard.respondToBooking(id, { providerId: 'intruder', response: 'accept' }),
        ),
      )
      expect(isBookingStateError(error)).toBe(true)
      expect(error).toMatchObject({ reason: 'forbidden', bookingId: id })
      expect(h.fake.snapshot()).toEqual(before)
    })

    it('should refuse a booking no longer awaiting a response', async () => {
      const h = harness()
      const id = await booked(h)
      fulfilled(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      const error = rejected(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'decline' })),
      )
      expect(error).toMatchObject({ code: 'BOOKING_STATE', reason: 'invalidState' })
      expect(row(h, 'bookings', id)!.status).toBe('confirmed')
      expect(row(h, 'chat_messages', `${id}.md`)).toBeUndefined()
    })

    it('should refuse an answer after the response deadline', async () => {
      const h = harness()
      const id = await booked(h)
      await h.clock.advance(25 * 60_000 + 1)
      const error = rejected(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      expect(error).toMatchObject({ reason: 'invalidState' })
      expect(String((error as Error).message)).toMatch(/deadline/)
    })

    it('should say notFound for a missing booking and validate its options', async () => {
      const h = harness()
      const missing = rejected(
        await h.settle(
          h.guard.respondToBooking('nope', { providerId: 'prov1', response: 'accept' }),
        ),
      )
      expect(missing).toMatchObject({ code: 'BOOKING_STATE', reason: 'notFound' })
      const bad = await h.guard
        .respondToBooking('nope', { providerId: 'prov1', response: 'maybe' as 'accept' })
        .catch((e: unknown) => e)
      expect(isSchemaLockError(bad)).toBe(true)
      const long = await h.guard
        .respondToBooking('nope', {
          providerId: 'prov1',
          response: 'decline',
          reason: 'x'.repeat(501),
        })
        .catch((e: unknown) => e)
      expect(isSchemaLockError(long)).toBe(true)
    })

    it('should undo the transition when its notification cannot be written', async () => {
      const h = harness()
      const id = await booked(h)
      h.fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        error: 'user_unauthorized',
      })
      const error = rejected(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      expect(error).toMatchObject({
        code: 'BOOKING_PIPELINE',
        failedStep: 'notification',
        compensated: true,
      })
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'chat_messages', `${id}.ma`)).toBeUndefined()
    })

    it('should leave a transition that cannot be undone pending, and let the reconciler complete it', async () => {
      const h = harness()
      const id = await booked(h)
      const messages = h.fake.faults.fail({
        operation: 'createRow',
        table: 'chat_messages',
        error: 'general_server_error',
      })
      const reverts = h.fake.faults.fail({
        operation: 'updateRow',
        table: 'bookings',
        error: 'network',
        when: (call) =>
          (call.params.data as Record<string, unknown> | undefined)?.status === 'pending',
      })
      const error = rejected(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      expect(error).toMatchObject({
        failedStep: 'systemMessage',
        compensated: false,
        pendingReconcile: true,
      })
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'confirmed',
        pipelineStatus: 'pending',
      })
      messages.remove()
      reverts.remove()
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.pending.completed).toEqual([id])
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'confirmed',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'chat_messages', `${id}.ma`)).toBeDefined()
      expect(row(h, 'notifications', `${id}.na`)).toBeDefined()
    })
  })

  describe('cancelBooking', () => {
    it('should cancel as the customer and notify the provider', async () => {
      const h = harness()
      const id = await booked(h)
      fulfilled(
        await h.settle(
          h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1', reason: 'Plans changed' }),
        ),
      )
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'cancelled',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'notifications', `${id}.nc`)).toMatchObject({
        recipientId: 'prov1',
        type: 'bookingCancelled',
      })
      expect(String(row(h, 'chat_messages', `${id}.mc`)!.content)).toContain('Ana')
    })

    it('should cancel a confirmed booking as the provider and notify the customer', async () => {
      const h = harness()
      const id = await booked(h)
      fulfilled(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      fulfilled(await h.settle(h.guard.cancelBooking(id, { by: 'provider', actorId: 'prov1' })))
      expect(row(h, 'bookings', id)!.status).toBe('cancelled')
      expect(row(h, 'notifications', `${id}.nc`)).toMatchObject({ recipientId: 'cust1' })
    })

    it('should let the reconciler complete a cancellation left pending, whoever was notified', async () => {
      const h = harness()
      const id = await booked(h)
      // The cancellation's rows are written; marking it delivered, and undoing it, get no answer.
      const delivers = h.fake.faults.fail({
        operation: 'updateRow',
        table: 'bookings',
        error: 'network',
        when: (call) => {
          const data = call.params.data as Record<string, unknown> | undefined
          return data?.pipelineStatus === 'delivered' || data?.status === 'pending'
        },
      })
      const error = rejected(
        await h.settle(
          h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1', reason: 'Plans changed' }),
        ),
      )
      expect(error).toMatchObject({ pendingReconcile: true })
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'cancelled',
        pipelineStatus: 'pending',
      })
      // The customer cancelled, so the provider was told; the booking does not store who it was.
      expect(row(h, 'notifications', `${id}.nc`)).toMatchObject({ recipientId: 'prov1' })
      delivers.remove()
      await h.clock.advance(61_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.pending).toMatchObject({ completed: [id], failed: [] })
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'cancelled',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'notifications', `${id}.nc`)).toMatchObject({
        recipientId: 'prov1',
        body: expect.stringContaining('Plans changed'),
      })
    })

    it('should refuse someone else, and a booking already closed', async () => {
      const h = harness()
      const id = await booked(h)
      const stranger = rejected(
        await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'eve' })),
      )
      expect(stranger).toMatchObject({ reason: 'forbidden' })
      fulfilled(await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' })))
      const twice = rejected(
        await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' })),
      )
      expect(twice).toMatchObject({ reason: 'invalidState' })
    })
  })

  describe('a compensated booking a late write set back to delivered', () => {
    it.each(['saga', 'transaction'] as const)(
      'should refuse every transition and write nothing (%s)',
      async (mode) => {
        const h = harness({ mode })
        const id = await booked(h)
        // What a compensation and an earlier call's late deliver write leave: the void marker, and
        // `pipelineStatus` back at `delivered`. The booking is compensated: feeds hide it and the
        // reconciler fails it again, so no transition may report it answered or cancelled.
        await h.fake.tablesDB.updateRow({
          databaseId: 'main',
          tableId: 'bookings',
          rowId: id,
          data: { ...VOID_PATCH, pipelineStatus: 'delivered' },
        })
        const before = h.fake.snapshot()
        const cancel = rejected(
          await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' })),
        )
        const accept = rejected(
          await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
        )
        for (const error of [cancel, accept]) {
          expect(error).toMatchObject({ code: 'BOOKING_STATE', reason: 'invalidState' })
          expect(String((error as Error).message)).toMatch(/compensated/)
        }
        expect(h.fake.snapshot()).toEqual(before)
      },
    )
  })

  describe('expiry', () => {
    it('should expire a booking past its response deadline, post a message and notify the customer', async () => {
      const h = harness()
      const id = await booked(h)
      await h.clock.advance(25 * 60_000 + 1_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.expired.expired).toEqual([id])
      expect(row(h, 'bookings', id)).toMatchObject({
        status: 'expired',
        providerResponseStatus: 'Expired',
        pipelineStatus: 'delivered',
      })
      expect(row(h, 'chat_messages', `${id}.mx`)).toBeDefined()
      expect(row(h, 'notifications', `${id}.nx`)).toMatchObject({
        recipientId: 'cust1',
        type: 'bookingExpired',
      })
      expect(h.invariantViolations()).toEqual([])
    })

    it('should not expire a booking the provider answered in time', async () => {
      const h = harness()
      const id = await booked(h)
      fulfilled(
        await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
      )
      await h.clock.advance(26 * 60_000)
      const report = fulfilled(await h.settle(h.guard.reconcile()))
      expect(report.expired.found).toBe(0)
      expect(row(h, 'bookings', id)!.status).toBe('confirmed')
    })
  })

  describe.runIf(typeof harness().fake.tablesDB.createTransaction === 'function')(
    'transaction mode',
    () => {
      it('should accept in one transaction', async () => {
        const h = harness({ mode: 'transaction' })
        const id = await booked(h)
        const result = fulfilled(
          await h.settle(h.guard.respondToBooking(id, { providerId: 'prov1', response: 'accept' })),
        )
        expect(result.mode).toBe('transaction')
        expect(row(h, 'bookings', id)).toMatchObject({
          status: 'confirmed',
          pipelineStatus: 'delivered',
        })
        expect(row(h, 'chat_messages', `${id}.ma`)).toBeDefined()
        expect(row(h, 'notifications', `${id}.na`)).toBeDefined()
      })

      it('should leave nothing of a transition whose commit fails', async () => {
        const h = harness({ mode: 'transaction' })
        const id = await booked(h)
        h.fake.faults.fail({
          operation: 'updateTransaction',
          when: (call) => call.params.commit === true,
          error: 'transaction_conflict',
        })
        const error = rejected(
          await h.settle(h.guard.cancelBooking(id, { by: 'customer', actorId: 'cust1' })),
        )
        expect(error).toMatchObject({ failedStep: 'commit', compensated: true })
        expect(row(h, 'bookings', id)!.status).toBe('pending')
        expect(row(h, 'chat_messages', `${id}.mc`)).toBeUndefined()
      })
    },
  )
})
