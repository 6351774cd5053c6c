// The pipeline, the reads, the feed and the reconciler on an app's own schema: the incident-era
// database, with a lock that maps its collections, field names and status spellings.
import type { FakeDefaultRow } from '@booking-guard/testing'
import { createIncidentDatabase } from '@booking-guard/testing/fixtures'
import type { IncidentDatabase } from '@booking-guard/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { createBookingClient } from '../client/createBookingClient'
import { createBookingGuard } from '../guard'
import { createProviderFeed } from '../realtime/providerFeed'
import type { BookingGuard } from '../guard'
import { NEW_BOOKING_INPUT, mappedIncidentLock } from './adoptFixtures'

const BOOKINGS = 'bookings_collection_id'
const DEADLINE_MS = 25 * 60_000

const appLock = mappedIncidentLock

type Api = 'databases' | 'tablesDB'

function guardOn(incident: IncidentDatabase, api: Api, mode: 'saga' | 'transaction'): BookingGuard {
  const clock = incident.clock
  const common = {
    databaseId: incident.databaseId,
    schemaLock: appLock(incident),
    clock,
    mode,
    retry: { clock, jitter: 'none' as const },
  }
  return api === 'databases'
    ? createBookingGuard({ ...common, databases: incident.fake.databases })
    : createBookingGuard({ ...common, tablesDB: incident.fake.tablesDB })
}

const input = NEW_BOOKING_INPUT

function rowsOf(incident: IncidentDatabase, tableId: string): FakeDefaultRow[] {
  return incident.fake.snapshot()[incident.databaseId]![tableId] ?? []
}

function rowOf(incident: IncidentDatabase, tableId: string, rowId: string): FakeDefaultRow {
  const row = rowsOf(incident, tableId).find((r) => r.$id === rowId)
  if (row === undefined) throw new Error(`no row ${tableId}/${rowId} in the fake`)
  return row
}

const cases = [
  ['databases', 'saga'],
  ['databases', 'transaction'],
  ['tablesDB', 'saga'],
  ['tablesDB', 'transaction'],
] as const

describe('mappedPipeline', () => {
  describe.each(cases)('on %s in %s mode', (api, mode) => {
    it("should write the booking, room, message and notification under the app's names and spellings", async () => {
      const incident = await createIncidentDatabase()
      const guard = guardOn(incident, api, mode)
      const result = await guard.createBooking(input, { idempotencyKey: 'k1' })
      const id = result.booking.$id

      // What the caller gets is canonical.
      expect(result.booking).toMatchObject({
        providerId: 'p-new',
        providerName: 'Budi',
        status: 'pending',
      })
      expect(result.booking).not.toHaveProperty('therapistId')

      // What is stored is the app's.
      const booking = rowOf(incident, BOOKINGS, id)
      expect(booking).toMatchObject({
        therapistId: 'p-new',
        therapistName: 'Budi',
        status: 'Pending',
      })
      expect(booking).not.toHaveProperty('providerId')
      expect(booking).not.toHaveProperty('providerName')
      const message = rowOf(incident, 'chat_messages', result.systemMessage.$id)
      expect(typeof message.message).toBe('string')
      expect(message).not.toHaveProperty('content')
      const notification = rowOf(incident, 'notifications', result.notification.$id)
      expect(notification).toMatchObject({ userId: 'p-new', isRead: false })
      expect(notification).not.toHaveProperty('recipientId')
      expect(notification).not.toHaveProperty('read')
      // The chat room has no renamed column: canonical names.
      expect(rowOf(incident, 'chat_rooms', id)).toMatchObject({ providerId: 'p-new' })

      // A retry with the same key finds the stored rows equal to what it would write.
      const again = await guard.createBooking(input, { idempotencyKey: 'k1' })
      expect(again.replayed).toBe(true)
      expect(again.booking.$id).toBe(id)
      expect(rowsOf(incident, BOOKINGS).filter((r) => r.therapistId === 'p-new')).toHaveLength(1)
    })

    it('should write transitions in the app spelling and find bookings by every spelling', async () => {
      const incident = await createIncidentDatabase()
      const guard = guardOn(incident, api, mode)
      const { booking } = await guard.createBooking(input)
      await guard.respondToBooking(booking.$id, { providerId: 'p-new', response: 'accept' })
      expect(rowOf(incident, BOOKINGS, booking.$id).status).toBe('Confirmed')

      const confirmed = await guard.getProviderBookings('p-new', { status: 'confirmed' })
      expect(confirmed.bookings.map((b) => [b.$id, b.status, b.providerId])).toEqual([
        [booking.$id, 'confirmed', 'p-new'],
      ])
    })
  })

  it('should find legacy rows by provider under either column name and by any status spelling', async () => {
    const incident = await createIncidentDatabase()
    const guard = guardOn(incident, 'databases', 'saga')
    // Written by old code with `therapistId` next to `providerId`.
    const therapist = await guard.getProviderBookings('p-b-therapist')
    expect(therapist.bookings.map((b) => b.$id)).toEqual(['b-therapist'])
    // Written with `providerId` only, and `'Pending'`.
    const pending = await guard.getProviderBookings('p-b-pending-case', { status: 'pending' })
    expect(pending.bookings.map((b) => [b.$id, b.status, b.providerId])).toEqual([
      ['b-pending-case', 'pending', 'p-b-pending-case'],
    ])
    // Written with `providerId` only, and the canonical `'pending'`.
    const dup = await guard.getProviderBookings('p-dup', { status: 'pending' })
    expect(dup.bookings.map((b) => b.$id)).toEqual(['b-dup-2'])
  })

  it('should expire bookings past their deadline whatever the spelling of their status', async () => {
    const incident = await createIncidentDatabase()
    const guard = guardOn(incident, 'databases', 'saga')
    const { booking } = await guard.createBooking(input)
    // An older writer's row: canonical names and the canonical spelling.
    const deadline = new Date(incident.clock.now() + DEADLINE_MS).toISOString()
    await incident.fake.databases.createDocument({
      databaseId: incident.databaseId,
      collectionId: BOOKINGS,
      documentId: 'b-old-writer',
      data: {
        customerId: 'c-old',
        customerName: 'Eko',
        providerId: 'p-old',
        providerName: 'Sari',
        providerType: 'therapist',
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
        responseDeadline: deadline,
        bookingType: 'immediate',
        durationMinutes: 60,
        source: 'chatWindow',
        pipelineStatus: 'delivered',
      },
    })
    await incident.clock.advance(DEADLINE_MS + 60_000)

    const report = await guard.reconcile()
    expect([...report.expired.expired].sort()).toEqual([booking.$id, 'b-old-writer'].sort())
    expect(report.expired.failed).toEqual([])
    expect(rowOf(incident, BOOKINGS, booking.$id).status).toBe('Expired')
    expect(rowOf(incident, BOOKINGS, 'b-old-writer').status).toBe('Expired')
    // The customer's notice is written under the app's names.
    const notices = rowsOf(incident, 'notifications').filter(
      (n) => n.bookingId === 'b-old-writer' && n.userId === 'c-old',
    )
    expect(notices).toHaveLength(1)
    expect(notices[0]).not.toHaveProperty('recipientId')
  })

  it('should show mapped and legacy bookings in the provider feed, on load and live', async () => {
    const incident = await createIncidentDatabase()
    const guard = createBookingGuard({
      databases: incident.fake.databases,
      realtime: incident.fake.realtime,
      databaseId: incident.databaseId,
      schemaLock: appLock(incident),
      clock: incident.clock,
      mode: 'saga',
    })
    const before = await guard.createBooking({ ...input, providerId: 'p-dup' })
    expect(rowOf(incident, BOOKINGS, before.booking.$id)).not.toHaveProperty('providerId')
    const feed = guard.providerFeed('p-dup')
    const unsubscribe = feed.subscribe(() => {})
    await incident.clock.advance(500)
    // Loaded: the booking stored under `therapistId`, and old code's rows under `providerId`.
    expect(new Set(feed.getSnapshot().bookings.map((b) => b.$id))).toEqual(
      new Set([before.booking.$id, 'b-dup-1', 'b-dup-2']),
    )

    const live = await guard.createBooking({ ...input, providerId: 'p-dup' })
    await incident.clock.advance(500)
    const shown = feed.getSnapshot().bookings
    expect(shown.map((b) => b.$id)).toContain(live.booking.$id)
    expect(shown.find((b) => b.$id === live.booking.$id)).toMatchObject({
      providerId: 'p-dup',
      status: 'pending',
    })
    unsubscribe()
  })

  it("should read mapped bookings in the browser's client under the app's names and spellings", async () => {
    const incident = await createIncidentDatabase()
    const guard = guardOn(incident, 'databases', 'saga')
    const { booking } = await guard.createBooking(input)
    await guard.respondToBooking(booking.$id, { providerId: 'p-new', response: 'accept' })
    const client = createBookingClient({
      databases: incident.fake.databases,
      databaseId: incident.databaseId,
      schemaLock: appLock(incident),
      clock: incident.clock,
      functions: {
        createExecution: () => Promise.reject(new Error('this test sends no writes')),
      },
      functionId: 'booking',
    })

    const confirmed = await client.getProviderBookings('p-new', { status: 'confirmed' })
    expect(confirmed.bookings.map((b) => [b.$id, b.status, b.providerId])).toEqual([
      [booking.$id, 'confirmed', 'p-new'],
    ])
    const mine = await client.getCustomerBookings('c-new', { status: 'confirmed' })
    expect(mine.bookings.map((b) => b.$id)).toEqual([booking.$id])
    expect(await client.getBooking(booking.$id)).toMatchObject({
      providerId: 'p-new',
      providerName: 'Budi',
      status: 'confirmed',
    })
  })

  it("should find a mapped booking in a provider feed made without a guard, from the lock's mapping", async () => {
    const incident = await createIncidentDatabase()
    const lock = appLock(incident)
    const { booking } = await guardOn(incident, 'databases', 'saga').createBooking(input)
    const feed = createProviderFeed({
      databases: incident.fake.databases,
      realtime: incident.fake.realtime,
      databaseId: incident.databaseId,
      lock,
      clock: incident.clock,
      providerId: 'p-new',
    })
    const unsubscribe = feed.subscribe(() => {})
    await incident.clock.advance(500)
    expect(feed.getSnapshot().bookings.map((b) => [b.$id, b.status])).toEqual([
      [booking.$id, 'pending'],
    ])
    unsubscribe()
  })
})
