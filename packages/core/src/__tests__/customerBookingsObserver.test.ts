import { describe, expect, it, vi } from 'vitest'
import type { BookingGuardOptions } from '../index'
import { createCustomerBookingsObserver } from '../observers/index'
import type { CustomerBookingsObserver } from '../observers/index'
import { VOID_DEADLINE } from '../pipeline/voided'
import { bookingInput, liveHarness } from './pipelineFixtures'

/** A schemaless fake (rows may be written as old code wrote them) and a guard on one clock. */
function setup(options: Partial<BookingGuardOptions> = {}) {
  const h = liveHarness(
    { feeds: { reconcileIntervalMs: 0 }, ...options },
    { seed: 9, schemaless: true },
  )
  const { fake, guard, run } = h
  const write = async (rowId: string, data: Record<string, unknown>, create = true) => {
    const row = { databaseId: 'main', tableId: 'bookings', rowId, data }
    await (create ? fake.tablesDB.createRow(row) : fake.tablesDB.updateRow(row))
    await run(50)
  }
  const observe = (customerId = 'cust1') => {
    const observer = createCustomerBookingsObserver({ guard, customerId })
    observer.subscribe(() => undefined)
    return observer
  }
  return { ...h, write, observe }
}

const ids = (observer: CustomerBookingsObserver) =>
  observer.getSnapshot().bookings.map((booking) => booking.$id)

describe('customerBookingsObserver', () => {
  it('should have no side effect until subscribed, and load only the customer’s bookings', async () => {
    const h = setup()
    const mine = await h.book()
    await h.book({ customerId: 'cust2' })
    const read = vi.spyOn(h.guard, 'getCustomerBookings')
    const observer = createCustomerBookingsObserver({ guard: h.guard, customerId: 'cust1' })
    expect(observer.getSnapshot()).toMatchObject({ status: 'loading', bookings: [] })
    expect(read).not.toHaveBeenCalled()
    observer.subscribe(() => undefined)
    await h.run()
    expect(observer.getSnapshot()).toMatchObject({
      customerId: 'cust1',
      status: 'ready',
      connection: 'live',
    })
    expect(ids(observer)).toEqual([mine.$id])
    expect(read).toHaveBeenCalledTimes(1)
  })

  it('should add new bookings from realtime, newest first, and show each one’s latest status', async () => {
    const h = setup()
    const observer = h.observe()
    await h.run()
    const first = await h.book()
    const second = await h.book()
    await h.book({ customerId: 'cust2' })
    expect(ids(observer)).toEqual([second.$id, first.$id])
    await h.guard.respondToBooking(first.$id, { providerId: 'prov1', response: 'accept' })
    await h.run()
    expect(observer.getSnapshot().bookings[1]).toMatchObject({
      $id: first.$id,
      status: 'confirmed',
    })
  })

  it('should catch up, by keyset pages, on every booking missed while realtime was down', async () => {
    const h = setup({ feeds: { reconcileIntervalMs: 0, pollIntervalMs: 60_000 } })
    const observer = h.observe()
    await h.run(1_000)
    h.fake.faults.realtime.disconnect({ forMs: 10_000 })
    await h.run(1_000)
    // More than one catch-up page (100 rows), all for this customer but one in three.
    const rows = Array.from({ length: 240 }, (_, i) => ({
      $id: `m${String(i).padStart(3, '0')}`,
      customerId: i % 3 === 2 ? 'cust2' : 'cust1',
      providerId: 'prov1',
      status: 'pending',
      pipelineStatus: 'delivered',
    }))
    for (let i = 0; i < rows.length; i += 100) {
      await h.fake.tablesDB.createRows({
        databaseId: 'main',
        tableId: 'bookings',
        rows: rows.slice(i, i + 100),
      })
    }
    await h.run(1_000)
    expect(observer.getSnapshot().bookings).toEqual([])
    await h.run(10_000)
    expect(observer.getSnapshot().connection).toBe('live')
    expect(new Set(ids(observer))).toEqual(
      new Set(rows.filter((row) => row.customerId === 'cust1').map((row) => row.$id)),
    )
    expect(ids(observer)).toHaveLength(160)
  })

  it('should hide compensated and void bookings, as the provider feed does', async () => {
    const h = setup()
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      times: 1,
      error: 'user_unauthorized',
    })
    await expect(h.guard.createBooking(bookingInput())).rejects.toMatchObject({
      code: 'BOOKING_PIPELINE',
    })
    const observer = h.observe()
    await h.run()
    // Compensated, then revived by a late deliver write: still void.
    await h.write('void1', {
      customerId: 'cust1',
      providerId: 'prov1',
      status: 'pending',
      pipelineStatus: 'delivered',
      responseDeadline: VOID_DEADLINE,
    })
    await h.run(500)
    expect(observer.getSnapshot()).toMatchObject({ status: 'ready', bookings: [] })
  })

  it('should load bookings without realtime, saying why it is offline', async () => {
    const h = setup({ realtime: undefined })
    const mine = await h.book()
    const observer = h.observe()
    await h.run()
    expect(observer.getSnapshot()).toMatchObject({ status: 'ready', connection: 'offline' })
    expect(String(observer.getSnapshot().realtimeError)).toContain('needs realtime')
    expect(ids(observer)).toEqual([mine.$id])
  })

  it('should report a bookings table it cannot read, and recover on refresh', async () => {
    const h = setup({ realtime: undefined })
    await h.book()
    const fault = h.fake.faults.fail({
      operation: 'listRows',
      table: 'bookings',
      error: 'general_server_error',
    })
    const observer = h.observe()
    await h.run()
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', error: { code: 500 } })
    fault.remove()
    await observer.refresh()
    expect(observer.getSnapshot()).toMatchObject({ status: 'ready', error: undefined })
    expect(ids(observer)).toHaveLength(1)
  })
})
