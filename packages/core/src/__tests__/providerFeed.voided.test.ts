// A compensated booking carries the void marker (an epoch response deadline) so that a late
// deliver write, which can set `pipelineStatus` back to `delivered`, never makes it live. The
// reconciler honours the marker; the provider feed must too, or the provider is shown a booking
// whose customer was told nothing was kept, until the next reconcile pass fails it again.
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createSchemaLock } from '../index'
import type { ProviderBookingEvent } from '../index'
import { VOID_DEADLINE, VOID_PATCH } from '../pipeline/voided'
import { createProviderFeed } from '../realtime/providerFeed'

const db = 'main'
const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Provider p1's feed on a fake with a manual clock, no watchdog. */
function providerP1() {
  const clock = createManualClock({ now: T0 })
  const fake = createFakeAppwrite({ clock, seed: 7 })
  const feed = createProviderFeed({
    tablesDB: fake.tablesDB,
    realtime: fake.realtime,
    databaseId: db,
    lock: createSchemaLock({ onIssue: () => {} }),
    clock,
    watchdog: false,
    providerId: 'p1',
  })
  return { clock, fake, feed }
}

describe('providerFeed', () => {
  it('should never show a compensated booking that a late deliver write revived', async () => {
    const { clock, fake, feed } = providerP1()
    const events: ProviderBookingEvent[] = []
    const stop = feed.listen((event) => events.push(event))
    const until = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        await clock.advance(100)
        await settle()
      }
    }
    await until(200)
    const write = async (data: Record<string, unknown>, create = false) => {
      const row = { databaseId: db, tableId: 'bookings', rowId: 'b1', data }
      await (create ? fake.tablesDB.createRow(row) : fake.tablesDB.updateRow(row))
      await settle()
    }
    // A saga booking: written pending, compensated (failed, slot freed, void marker) …
    await write(
      {
        providerId: 'p1',
        customerId: 'c1',
        status: 'pending',
        pipelineStatus: 'pending',
        responseDeadline: new Date(T0 + 25 * 60_000).toISOString(),
      },
      true,
    )
    await write({ pipelineStatus: 'failed', slotKey: null, responseDeadline: VOID_DEADLINE })
    // … then its deliver write, sent before the compensation, lands late.
    await write({ pipelineStatus: 'delivered' })
    await until(1_000)
    stop()

    expect(events.map((event) => event.booking.$id)).toEqual([])
    expect(feed.getSnapshot().bookings).toEqual([])
  })

  it('should drop a booking it showed once a late void patch lands on it', async () => {
    const { clock, fake, feed } = providerP1()
    const stop = feed.subscribe(() => {})
    await clock.advance(200)
    await settle()
    const row = { databaseId: db, tableId: 'bookings', rowId: 'b1' }
    await fake.tablesDB.createRow({
      ...row,
      data: { providerId: 'p1', customerId: 'c1', status: 'pending', pipelineStatus: 'delivered' },
    })
    await settle()
    expect(feed.getSnapshot().bookings.map((booking) => booking.$id)).toEqual(['b1'])
    await clock.advance(100)
    // The void patch of a compensation that gave up on it, landing after the booking was shown.
    await fake.tablesDB.updateRow({ ...row, data: VOID_PATCH })
    await settle()
    stop()

    expect(feed.getSnapshot().bookings).toEqual([])
    expect(feed.goneAt?.('b1')).toBe(T0 + 300)
  })
})
