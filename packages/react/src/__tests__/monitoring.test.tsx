// @vitest-environment jsdom
import { act, fireEvent, screen, within } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it } from 'vitest'
import { BookingForm, ConnectionBanner, ErrorPanel, HealthBadge } from './components'
import { bookingInput, setup, textOf } from './utils'

describe('useErrorMonitor', () => {
  it('should show failed bookings as errors, and a critical one as an alert until dismissed', async () => {
    const t = setup()
    t.renderWithGuard(h('div', null, h(BookingForm, { input: bookingInput() }), h(ErrorPanel)))
    const panel = screen.getByRole('region', { name: 'Errors' })
    expect(within(panel).getByText('0 error(s)')).toBeTruthy()

    t.fake.faults.fail({ operation: 'createRow', table: 'chat_rooms', error: 'table_not_found' })
    fireEvent.click(screen.getByRole('button', { name: 'Book now' }))
    await t.until(() => expect(within(panel).getByText('1 error(s)')).toBeTruthy())
    expect(textOf(within(panel).getByRole('listitem'))).toMatch(
      /createBooking failed at step `chatRoom`/,
    )

    act(() => {
      t.monitor.capture(new Error('notifications table missing'), { severity: 'critical' })
    })
    await t.advance(50)
    expect(textOf(within(panel).getByRole('alert'))).toMatch(/notifications table missing/)
    fireEvent.click(within(panel).getByRole('button', { name: 'Dismiss' }))
    expect(within(panel).queryByRole('alert')).toBeNull()
  })
})

describe('useHealth', () => {
  it('should show the result of a health check run from the UI', async () => {
    const t = setup()
    t.renderWithGuard(h(HealthBadge))
    const button = screen.getByRole('button', { name: 'Not checked' })
    fireEvent.click(button)
    expect(button).toHaveProperty('disabled', true)
    await t.until(() => expect(screen.getByRole('button', { name: 'Healthy' })).toBeTruthy())

    t.fake.faults.fail({ operation: 'createRow', table: 'bookings', error: 'general_server_error' })
    fireEvent.click(screen.getByRole('button', { name: 'Healthy' }))
    await t.until(() =>
      expect(screen.getByRole('button', { name: 'Failing at createBooking' })).toBeTruthy(),
    )
  })
})

describe('useConnectionState', () => {
  it('should run the watchdog while mounted, showing online through its first canary', async () => {
    const t = setup()
    expect(t.watchdog!.getSnapshot().running).toBe(false)
    const { unmount } = t.renderWithGuard(h(ConnectionBanner))
    const banner = () => textOf(screen.getByRole('status', { name: 'Connection' }))
    expect(banner()).toBe('Connection: online')
    expect(t.watchdog!.getSnapshot()).toMatchObject({ running: true, state: 'connecting' })
    await t.until(() => expect(t.watchdog!.getSnapshot().state).toBe('healthy'))
    expect(banner()).toBe('Connection: online')
    unmount()
    expect(t.watchdog!.getSnapshot().running).toBe(false)
  })

  it('should follow the guard’s own watchdog by default, writing no second canary', async () => {
    const t = setup({ uiWatchdog: false })
    const shared = t.guard.watchdog()!
    const { unmount } = t.renderWithGuard(h(ConnectionBanner))
    expect(shared.getSnapshot().running).toBe(true)
    await t.until(() => expect(shared.getSnapshot().state).toBe('healthy'))
    expect(textOf(screen.getByRole('status', { name: 'Connection' }))).toBe('Connection: online')
    const writers = (t.fake.snapshot().main?.heartbeats ?? []).map((row) => row.$id)
    expect(writers).toEqual(['hb-feeds'])
    unmount()
    expect(shared.getSnapshot().running).toBe(false)
  })
})
