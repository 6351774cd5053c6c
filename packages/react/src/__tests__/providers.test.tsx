// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { createBookingGuard } from '@booking-guard/core'
import { createFakeAppwrite } from '@booking-guard/testing'
import {
  BookingGuardProvider,
  ChatProvider,
  useBookingGuard,
  useBookingSubmit,
  useChatProvider,
  useChatRoom,
  useConnectionState,
  useErrorMonitor,
  useHealth,
  useProviderBookings,
} from '../index'
import { CUSTOMER, setup } from './utils'

/** Renders a component calling `hook`, returning what render threw. */
function renderError(
  hook: () => unknown,
  wrap: (child: ReturnType<typeof h>) => ReturnType<typeof h> = (c) => c,
) {
  function Probe() {
    hook()
    return null
  }
  // React reports the error it rethrows; keep the output clean.
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    render(wrap(h(Probe)))
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

const guard = createBookingGuard({ tablesDB: createFakeAppwrite().tablesDB, databaseId: 'main' })
const withGuard = (child: ReturnType<typeof h>) => h(BookingGuardProvider, { guard }, child)

describe('BookingGuardProvider', () => {
  it.each([
    ['useBookingGuard', () => useBookingGuard()],
    ['useBookingSubmit', () => useBookingSubmit()],
    ['useChatRoom', () => useChatRoom('room1', { user: CUSTOMER })],
    ['useProviderBookings', () => useProviderBookings('prov1')],
    ['useConnectionState', () => useConnectionState()],
    ['useErrorMonitor', () => useErrorMonitor()],
    ['useHealth', () => useHealth()],
  ])('should make %s throw outside it, naming the provider', (name, hook) => {
    expect(renderError(hook)).toBe(
      `${name} must be used inside <BookingGuardProvider guard={guard}>`,
    )
  })

  it('should give its guard to useBookingGuard', () => {
    let seen: unknown
    function Probe() {
      seen = useBookingGuard()
      return null
    }
    render(withGuard(h(Probe)))
    expect(seen).toBe(guard)
  })

  it('should make useErrorMonitor say it needs a monitor', () => {
    expect(renderError(() => useErrorMonitor(), withGuard)).toBe(
      'useErrorMonitor needs a monitor: <BookingGuardProvider guard={guard} monitor={monitor}>',
    )
  })
})

describe('ChatProvider', () => {
  it('should make useChatProvider and useBookingSubmit throw outside it, naming it', () => {
    expect(renderError(() => useChatProvider())).toBe(
      'useChatProvider must be used inside <ChatProvider>',
    )
    expect(renderError(() => useBookingSubmit(), withGuard)).toBe(
      'useBookingSubmit must be used inside <ChatProvider>',
    )
  })

  it('should make useChatRoom say it needs a user', () => {
    expect(renderError(() => useChatRoom('room1'), withGuard)).toBe(
      'useChatRoom needs a user: <ChatProvider user={…}> or useChatRoom(roomId, { user })',
    )
  })

  it('should open, front and close chats', () => {
    function Chats() {
      const { chats, activeChat, openChat, closeChat } = useChatProvider()
      const open = (id: string, providerName: string) =>
        openChat({ chatRoomId: id, bookingId: id, providerId: 'p', providerName })
      return h(
        'div',
        null,
        h('p', null, `open: ${chats.map((c) => c.providerName).join(', ') || 'none'}`),
        h('p', null, `front: ${activeChat?.providerName ?? 'none'}`),
        h('button', { onClick: () => open('r1', 'Budi') }, 'Open Budi'),
        h('button', { onClick: () => open('r2', 'Sari') }, 'Open Sari'),
        h('button', { onClick: () => closeChat('r2') }, 'Close Sari'),
      )
    }
    render(h(ChatProvider, null, h(Chats)))
    expect(screen.getByText('front: none')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Open Budi' }))
    fireEvent.click(screen.getByRole('button', { name: 'Open Sari' }))
    fireEvent.click(screen.getByRole('button', { name: 'Open Budi' }))
    expect(screen.getByText('open: Budi, Sari')).toBeTruthy()
    expect(screen.getByText('front: Budi')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Open Sari' }))
    fireEvent.click(screen.getByRole('button', { name: 'Close Sari' }))
    expect(screen.getByText('open: Budi')).toBeTruthy()
    expect(screen.getByText('front: Budi')).toBeTruthy()
  })

  it('should open no chat from window events', async () => {
    const t = setup()
    function Dock() {
      return h('p', null, `front: ${useChatProvider().activeChat?.chatRoomId ?? 'none'}`)
    }
    t.renderWithGuard(h(Dock))
    // What the incident's booking flow did; nothing listens to it any more.
    const win = globalThis as unknown as {
      dispatchEvent(event: unknown): boolean
      CustomEvent: new (type: string, init: { detail: unknown }) => unknown
    }
    win.dispatchEvent(new win.CustomEvent('openChat', { detail: { chatRoomId: 'r1' } }))
    await t.advance(100)
    expect(screen.getByText('front: none')).toBeTruthy()
  })
})
