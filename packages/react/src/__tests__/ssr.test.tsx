// @vitest-environment node
import { createElement as h } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { BookingForm, ChatWindow, ConnectionBanner, Dashboard, ErrorPanel } from './components'
import { bookingInput, setup } from './utils'

describe('server rendering', () => {
  it('should render every hook’s initial state without touching the network', () => {
    const t = setup()
    const calls = [
      vi.spyOn(t.fake.tablesDB, 'listRows'),
      vi.spyOn(t.fake.tablesDB, 'getRow'),
      vi.spyOn(t.fake.tablesDB, 'createRow'),
      vi.spyOn(t.fake.tablesDB, 'upsertRow'),
    ]
    const html = renderToString(
      t.renderTree(
        h(
          'div',
          null,
          h(ConnectionBanner),
          h(BookingForm, { input: bookingInput() }),
          h(Dashboard, { providerId: 'prov1' }),
          h(ChatWindow, { roomId: 'room1', title: 'Chat' }),
          h(ErrorPanel),
        ),
      ),
    )
    expect(html).toContain('Connection: online')
    expect(html).toContain('Ready')
    expect(html).toContain('Loading bookings…')
    expect(html).toContain('Loading messages…')
    expect(html).toContain('0 error(s)')
    for (const call of calls) expect(call).not.toHaveBeenCalled()
    expect(t.realtime.opened).toBe(0)
    expect(t.watchdog!.getSnapshot().running).toBe(false)
  })
})
