// @vitest-environment jsdom
import { screen } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { ChatWindow, ConnectionBanner, Dashboard } from './components'
import { setup } from './utils'

describe('StrictMode', () => {
  it('should create one subscription and read each table once for a double-mounted tree', async () => {
    const t = setup()
    const { booking } = await t.book()
    const bookings = vi.spyOn(t.guard, 'getProviderBookings')
    const history = vi.spyOn(t.guard, 'listMessages')
    const { unmount } = t.renderWithGuard(
      h(
        'div',
        null,
        h(ConnectionBanner),
        h(Dashboard, { providerId: 'prov1' }),
        h(ChatWindow, { roomId: booking.$id, title: 'Chat' }),
      ),
      { strict: true },
    )
    await t.until(() => expect(screen.getByText('Feed: live, 0 warning(s)')).toBeTruthy())
    await t.advance(2_000)
    expect(t.realtime.open).toBe(1)
    expect(bookings).toHaveBeenCalledTimes(1)
    expect(history).toHaveBeenCalledTimes(1)
    expect(screen.getByText('1 unread')).toBeTruthy()

    unmount()
    await t.advance(100)
    expect(t.realtime.open).toBe(0)
  })
})
