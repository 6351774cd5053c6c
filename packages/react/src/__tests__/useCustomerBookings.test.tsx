// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { BookingGuardProvider } from '../index'
import { MyBookings } from './components'
import { setup, textOf } from './utils'

const items = () =>
  within(screen.getByRole('region', { name: 'My bookings' }))
    .queryAllByRole('listitem')
    .map(textOf)

describe('useCustomerBookings', () => {
  it('should list the ChatProvider customer’s bookings, then new ones and status changes live', async () => {
    const t = setup()
    const first = await t.book()
    await t.book({ customerId: 'someone-else' })
    t.renderWithGuard(h(MyBookings))
    expect(screen.getByText('Loading your bookings…')).toBeTruthy()
    await t.until(() => expect(screen.getByText('Feed: live')).toBeTruthy())
    expect(items()).toEqual(['Budi: pending'])

    const reads = vi.spyOn(t.fake.tablesDB, 'listRows')
    await t.book({ providerName: 'Sari' })
    await t.until(() => expect(items()).toEqual(['Sari: pending', 'Budi: pending']), 1_000)
    await t.guard.respondToBooking(first.booking.$id, { providerId: 'prov1', response: 'accept' })
    await t.until(() => expect(items()).toEqual(['Sari: pending', 'Budi: confirmed']), 1_000)
    // Realtime delivered both: no query read the bookings table meanwhile.
    const bookingReads = reads.mock.calls.filter((call) =>
      JSON.stringify(call).includes('"tableId":"bookings"'),
    )
    expect(bookingReads).toEqual([])
  })

  it('should follow the customer it is given, whoever chats', async () => {
    const t = setup()
    await t.book({ customerId: 'cust9', providerName: 'Dewi' })
    t.renderWithGuard(h(MyBookings, { customerId: 'cust9' }))
    await t.until(() => expect(items()).toEqual(['Dewi: pending']))
  })

  it('should say what it needs without a customer', () => {
    const t = setup()
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(() => render(h(BookingGuardProvider, { guard: t.guard }, h(MyBookings)))).toThrow(
      'useCustomerBookings needs a customer: useCustomerBookings(customerId), or <ChatProvider user={{ id, type: "customer", name }}> around it',
    )
  })
})
