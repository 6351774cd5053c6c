// Revenue-safety tests for the app's booking module: inject the failures production will see and
// assert that no booking is lost and none is left half-made. Copy this file next to your own module.
import { provisionSchema } from '@booking-guard/core/admin'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { FakeAppwrite, ManualClock } from '@booking-guard/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBookingService } from '../src/bookingService'
import type { BookingResult, BookingService } from '../src/bookingService'

const databaseId = 'main'

const form = {
  customerId: 'cust1',
  customerName: 'Ana',
  providerId: 'prov1',
  providerType: 'therapist',
  providerName: 'Budi',
  bookingType: 'immediate',
  durationMinutes: 60,
  price: 25_000,
  currency: 'IDR',
}

let clock: ManualClock
let fake: FakeAppwrite
let service: BookingService

const rows = (tableId: string) => fake.snapshot()[databaseId]?.[tableId] ?? []

/**
 * The revenue invariant: every booking that is not `failed` is delivered with its chat room, its
 * "received" message and the provider's notification, and no child row exists without one.
 * Returns the violations, so a failing test says what was lost.
 */
function halfMadeBookings(): string[] {
  const live = new Set(
    rows('bookings')
      .filter((row) => row.pipelineStatus !== 'failed')
      .map((row) => String(row.$id)),
  )
  const problems: string[] = []
  for (const row of rows('bookings')) {
    if (row.pipelineStatus !== 'failed' && row.pipelineStatus !== 'delivered') {
      problems.push(`booking ${row.$id} is ${String(row.pipelineStatus)}`)
    }
  }
  for (const id of live) {
    if (!rows('chat_rooms').some((row) => row.$id === id)) problems.push(`${id}: no chat room`)
    if (!rows('chat_messages').some((row) => row.$id === `${id}.m0`))
      problems.push(`${id}: no message`)
    if (!rows('notifications').some((row) => row.$id === id))
      problems.push(`${id}: no notification`)
  }
  for (const table of ['chat_rooms', 'chat_messages', 'notifications']) {
    for (const row of rows(table)) {
      if (!live.has(String(row.bookingId))) problems.push(`${table} ${row.$id} has no booking`)
    }
  }
  return problems
}

/** Runs `book` while moving the fake clock, so retries' back-off and time-outs elapse at once. */
async function book(input: Record<string, unknown>, requestId?: string): Promise<BookingResult> {
  let result: BookingResult | undefined
  const call = service.book(input, requestId).then((r) => {
    result = r
  })
  for (let waited = 0; result === undefined && waited < 120_000; waited += 50) {
    await clock.advance(50)
  }
  await call
  if (result === undefined) throw new Error('book() did not settle')
  return result
}

beforeEach(async () => {
  clock = createManualClock()
  fake = createFakeAppwrite({ clock })
  await provisionSchema({ admin: fake.admin, databaseId })
  service = createBookingService({ tablesDB: fake.tablesDB, databaseId, guard: { clock } })
})

afterEach(() => {
  service.dispose()
  fake.faults.clear()
})

describe('bookingService', () => {
  it('should book with a chat room, a message and a notification', async () => {
    const result = await book(form)
    expect(result).toMatchObject({ ok: true })
    expect(rows('bookings')).toHaveLength(1)
    expect(halfMadeBookings()).toEqual([])
  })

  it('should retry network errors and then succeed', async () => {
    fake.faults.fail({ operation: 'createRow', table: 'chat_rooms', error: 'network', times: 2 })
    const result = await book(form)
    expect(result).toMatchObject({ ok: true })
    expect(fake.faults.log.filter((entry) => entry.kind === 'network')).toHaveLength(2)
    expect(rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
    expect(halfMadeBookings()).toEqual([])
  })

  it('should report a notification outage as retryable and leave nothing half-made', async () => {
    fake.faults.fail({ operation: 'createRow', table: 'notifications' })
    const result = await book(form)
    expect(result).toMatchObject({ ok: false, reason: 'unavailable', retryable: true })
    expect(rows('chat_rooms')).toEqual([])
    expect(rows('notifications')).toEqual([])
    expect(halfMadeBookings()).toEqual([])
  })

  it('should time out on a hung call and leave nothing behind', async () => {
    const hang = fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
    const result = await book(form)
    expect(result).toMatchObject({
      ok: false,
      reason: 'unavailable',
      retryable: true,
      code: 'PIPELINE_TIMEOUT',
    })
    hang.remove() // the held request dies with its connection: it never lands
    expect(rows('chat_rooms')).toEqual([])
    expect(halfMadeBookings()).toEqual([])
  })

  it('should book once when the user retries the same request after an outage', async () => {
    const outage = fake.faults.fail({ operation: 'createRow', table: 'notifications' })
    expect(await book(form, 'form-42')).toMatchObject({ ok: false, retryable: true })
    outage.remove()
    const retry = await book(form, 'form-42')
    const again = await book(form, 'form-42')
    expect(retry).toMatchObject({ ok: true })
    expect(again).toEqual(retry)
    expect(rows('bookings').map((row) => row.pipelineStatus)).toEqual(['delivered'])
    expect(halfMadeBookings()).toEqual([])
  })

  it('should map a legacy therapistId to providerId', async () => {
    const { providerId, ...legacy } = form
    const result = await book({ ...legacy, therapistId: providerId })
    expect(result).toMatchObject({ ok: true })
    expect(rows('bookings')).toMatchObject([{ providerId: 'prov1' }])
    expect(rows('bookings')[0]).not.toHaveProperty('therapistId')
    expect(halfMadeBookings()).toEqual([])
  })

  it('should reject invalid input without writing anything', async () => {
    const result = await book({ ...form, durationMinutes: 0 })
    expect(result).toMatchObject({ ok: false, reason: 'invalid', code: 'SCHEMA_LOCK' })
    expect(rows('bookings')).toEqual([])
  })
})
