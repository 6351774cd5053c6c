import { describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '@booking-guard/testing'
import {
  createBookingGuard,
  createSchemaLock,
  isPipelineTimeoutError,
  isSchemaLockError,
} from '../index'
import { VOID_DEADLINE } from '../pipeline/voided'
import { DB, bookingInput, fulfilled, harness, rejected } from './pipelineFixtures'

describe('bookingReads', () => {
  describe('getBooking', () => {
    it('should reject with a PipelineTimeoutError when its budget runs out, never an internal abort reason', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      h.fake.faults.hang({ operation: 'getRow', table: 'bookings', times: 1 })
      const error = rejected(await h.settle(h.guard.getBooking(booking.$id)))
      expect(isPipelineTimeoutError(error)).toBe(true)
      expect((error as Error).message).toMatch(/getBooking.*wrote nothing/)
    })

    it('should reject a list with a PipelineTimeoutError when its budget runs out', async () => {
      const h = harness()
      h.fake.faults.hang({ operation: 'listRows', table: 'bookings', times: 1 })
      const error = rejected(await h.settle(h.guard.getProviderBookings('prov1')))
      expect(isPipelineTimeoutError(error)).toBe(true)
      expect((error as Error).message).toMatch(/getProviderBookings\(prov1\).*wrote nothing/)
    })

    it('should read a booking back as createBooking returned it', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const read = fulfilled(await h.settle(h.guard.getBooking(booking.$id)))
      expect(read).toMatchObject({
        $id: booking.$id,
        customerId: 'cust1',
        providerId: 'prov1',
        status: 'pending',
        pipelineStatus: 'delivered',
      })
    })

    it('should resolve null for a missing booking and for a compensated one', async () => {
      const h = harness()
      expect(fulfilled(await h.settle(h.guard.getBooking('nope')))).toBeNull()
      h.fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        times: 1,
        error: 'user_unauthorized',
      })
      rejected(await h.settle(h.guard.createBooking(bookingInput(), { idempotencyKey: 'k-f' })))
      const failed = h.rows('bookings')[0]!
      expect(failed.pipelineStatus).toBe('failed')
      expect(fulfilled(await h.settle(h.guard.getBooking(failed.$id)))).toBeNull()
    })

    it('should resolve null for a void booking a late write set back to delivered', async () => {
      const h = harness()
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      await h.fake.tablesDB.updateRow({
        databaseId: DB,
        tableId: 'bookings',
        rowId: booking.$id,
        data: { responseDeadline: VOID_DEADLINE },
      })
      expect(fulfilled(await h.settle(h.guard.getBooking(booking.$id)))).toBeNull()
    })

    it('should apply the lock: legacy names and value mappings', async () => {
      // An app's own schemaless table, as its old code wrote it.
      const fake = createFakeAppwrite({ seed: 3 })
      const guard = createBookingGuard({
        tablesDB: fake.tablesDB,
        databaseId: DB,
        schemaLock: createSchemaLock({
          values: { booking: { status: { Pending: 'pending' } } },
          onIssue: () => {},
        }),
      })
      await fake.tablesDB.createRow({
        databaseId: DB,
        tableId: 'bookings',
        rowId: 'legacy1',
        data: { therapistId: 'prov9', customerId: 'cust1', status: 'Pending' },
      })
      expect(await guard.getBooking('legacy1')).toMatchObject({
        $id: 'legacy1',
        providerId: 'prov9',
        status: 'pending',
      })
    })

    it('should reject what is not a missing row, and an empty id', async () => {
      const h = harness({ retry: { maxAttempts: 1 } })
      h.fake.faults.fail({ operation: 'getRow', table: 'bookings', error: 'table_not_found' })
      expect(rejected(await h.settle(h.guard.getBooking('b1')))).toMatchObject({ code: 404 })
      const empty = rejected(await h.settle(h.guard.getBooking('')))
      expect(isSchemaLockError(empty) && empty.issues[0]?.path).toEqual(['bookingId'])
    })
  })

  describe.each([
    { method: 'getProviderBookings', column: 'providerId', id: 'prov1' },
    { method: 'getCustomerBookings', column: 'customerId', id: 'cust1' },
  ] as const)('$method', ({ method, column, id }) => {
    it('should list newest first, leave out compensated bookings and others’, and page', async () => {
      const h = harness()
      const ids: string[] = []
      for (let i = 0; i < 3; i++) {
        await h.clock.advance(1_000)
        ids.push(fulfilled(await h.settle(h.guard.createBooking(bookingInput()))).booking.$id)
      }
      fulfilled(await h.settle(h.guard.createBooking(bookingInput({ [column]: 'other' }))))
      h.fake.faults.fail({
        operation: 'createRow',
        table: 'notifications',
        times: 1,
        error: 'user_unauthorized',
      })
      rejected(await h.settle(h.guard.createBooking(bookingInput())))
      const page = fulfilled(await h.settle(h.guard[method](id, { limit: 2 })))
      expect(page.bookings.map((b) => b.$id)).toEqual([ids[2], ids[1]])
      const next = fulfilled(await h.settle(h.guard[method](id, { cursor: page.nextCursor! })))
      expect(next.bookings.map((b) => b.$id)).toEqual([ids[0]])
      expect(next.nextCursor).toBeUndefined()
    })

    it('should refuse a limit out of range, naming the call', async () => {
      const h = harness()
      const error = rejected(await h.settle(h.guard[method](id, { limit: 0 })))
      expect(isSchemaLockError(error) && error.kind).toBe(method)
    })
  })
})
