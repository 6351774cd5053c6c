// @vitest-environment jsdom
import { screen, within } from '@testing-library/react'
import { createElement as h } from 'react'
import { createSchemaLock } from '@booking-guard/core'
import { describe, expect, it, vi } from 'vitest'
import { ConnectionBanner, Dashboard } from './components'
import { setup, textOf } from './utils'

const items = () =>
  within(screen.getByRole('region', { name: 'Bookings' }))
    .queryAllByRole('listitem')
    .map(textOf)

/** A booking of `prov1` written straight to the table by older code, with no chat room. */
const writeLegacyBooking = (t: ReturnType<typeof setup>, status: string) =>
  t.fake.tablesDB.createRow({
    databaseId: 'main',
    tableId: 'bookings',
    rowId: 'legacy1',
    data: {
      customerName: 'Sari',
      providerId: 'prov1',
      durationMinutes: 90,
      status,
      pipelineStatus: 'delivered',
    },
  })

describe('useProviderBookings', () => {
  it('should show a booking made while the dashboard is open, in realtime', async () => {
    const t = setup()
    t.renderWithGuard(h(Dashboard, { providerId: 'prov1' }), { user: undefined })
    expect(screen.getByText('Loading bookings…')).toBeTruthy()
    await t.until(() => expect(screen.getByText('Feed: live, 0 warning(s)')).toBeTruthy())
    expect(screen.getByText('No bookings yet')).toBeTruthy()
    const reads = vi.spyOn(t.fake.tablesDB, 'listRows')

    await t.book()
    await t.until(() => expect(items()).toEqual(['Ana, 60 min ✓']), 1_000)
    // No query read the bookings table meanwhile: realtime delivered it.
    const bookingReads = reads.mock.calls.filter((call) =>
      JSON.stringify(call).includes('"tableId":"bookings"'),
    )
    expect(bookingReads).toEqual([])
  })

  it('should list bookings first even when realtime is missing and a chat room was never made', async () => {
    const t = setup({ withRealtime: false })
    await writeLegacyBooking(t, 'pending')
    t.renderWithGuard(h(Dashboard, { providerId: 'prov1' }))
    await t.until(() => expect(items()).toEqual(['Sari, 90 min ⚠ chat room missing']))
    expect(screen.getByText('Feed: offline, 1 warning(s)')).toBeTruthy()
  })

  it("should show bookings stored under the app's own column names and spellings", async () => {
    const schemaLock = createSchemaLock({
      columnNames: { booking: { providerId: 'therapistId' } },
      writeValues: { booking: { status: { pending: 'Pending' } } },
      onIssue: () => {},
    })
    const t = setup({ schemaLock })
    // Old code's row: the canonical `providerId` and the app's `'Pending'`.
    await writeLegacyBooking(t, 'Pending')
    t.renderWithGuard(h(Dashboard, { providerId: 'prov1' }))
    await t.until(() => expect(items()).toEqual(['Sari, 90 min ⚠ chat room missing']))

    const { booking } = await t.book({ customerName: 'Dewi' })
    const stored = await t.fake.tablesDB.getRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: booking.$id,
    })
    expect(stored).toMatchObject({ therapistId: 'prov1', status: 'Pending' })
    expect(stored).not.toHaveProperty('providerId')
    await t.until(() =>
      expect(items()).toEqual(['Dewi, 60 min ✓', 'Sari, 90 min ⚠ chat room missing']),
    )
  })

  it('should show reconnecting while realtime is cut, then recover with the booking made meanwhile', async () => {
    const t = setup()
    t.renderWithGuard(h('div', null, h(ConnectionBanner), h(Dashboard, { providerId: 'prov1' })))
    await t.until(() => expect(screen.getByText('Feed: live, 0 warning(s)')).toBeTruthy())
    const banner = () => textOf(screen.getByRole('status', { name: 'Connection' }))
    expect(banner()).toBe('Connection: online')

    t.fake.faults.realtime.disconnect({ forMs: 20_000 })
    await t.book({ customerName: 'Dewi' })
    await t.advance(2_000)
    // A missed canary is not shown before the 3 s grace period.
    expect(banner()).toBe('Connection: online')
    await t.until(() => expect(banner()).toBe('Connection: reconnecting'), 5_000)
    expect(screen.getByText(/^Feed: (polling|reconnecting)/)).toBeTruthy()

    await t.until(() => expect(banner()).toBe('Connection: online'), 30_000)
    await t.until(() => expect(items()).toEqual(['Dewi, 60 min ✓']))
    // 30 s of fake time is 600 rendered steps: seconds of real time on a busy machine.
  }, 30_000)
})
