// @vitest-environment jsdom
import { fireEvent, screen, within } from '@testing-library/react'
import { createElement as h } from 'react'
import { describe, expect, it } from 'vitest'
import { ChatWindow } from './components'
import { PROVIDER, setup, textOf } from './utils'

const messages = () =>
  within(screen.getByRole('list', { name: 'Messages' }))
    .queryAllByRole('listitem')
    .map(textOf)

function type(text: string) {
  fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: text } })
  fireEvent.submit(screen.getByRole('form', { name: 'Send a message' }))
}

async function openRoom(t: ReturnType<typeof setup>, options: { user?: typeof PROVIDER } = {}) {
  const { booking } = await t.book()
  t.renderWithGuard(h(ChatWindow, { roomId: booking.$id, title: 'Chat' }), options)
  await t.until(() => expect(messages()).toHaveLength(1))
  return booking.$id
}

describe('useChatRoom', () => {
  it('should show the booking’s system message and a sent message going sending, then sent', async () => {
    const t = setup()
    await openRoom(t)
    expect(messages()[0]).toMatch(/^System: Booking received: 60 min/)
    type('On my way')
    expect(messages()[1]).toBe('Ana: On my way (sending)')
    await t.until(() => expect(messages()[1]).toBe('Ana: On my way (sent)'))
    await t.advance(500)
    expect(messages()).toHaveLength(2)
  })

  it('should show a message that failed to send as failed, and send it once on retry', async () => {
    const t = setup()
    await openRoom(t)
    t.fake.faults.fail({
      operation: 'createRow',
      table: 'chat_messages',
      times: 1,
      error: 'network',
    })
    type('Hello?')
    await t.until(() =>
      expect(messages()[1]).toBe('Ana: Hello? (failed) Not sent: check your connection.Retry'),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
    await t.until(() => expect(messages()[1]).toBe('Ana: Hello? (sent)'))
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
    const stored = (t.fake.snapshot().main?.chat_messages ?? []).filter(
      (row) => row.content === 'Hello?',
    )
    expect(stored).toHaveLength(1)
  })

  it('should show the other side’s messages live, count them unread, and clear them when read', async () => {
    const t = setup()
    const roomId = await openRoom(t)
    expect(screen.getByText('1 unread')).toBeTruthy()
    await t.guard.sendMessage(roomId, {
      senderId: PROVIDER.id,
      senderType: 'therapist',
      senderName: PROVIDER.name,
      content: 'See you at 10',
    })
    await t.until(() => expect(messages()[1]).toBe('Budi: See you at 10 (sent)'), 1_000)
    expect(screen.getByText('2 unread')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Mark read' }))
    await t.until(() => expect(screen.getByText('0 unread')).toBeTruthy())
  })

  it('should follow another room when the room id changes', async () => {
    const t = setup()
    const first = await t.book()
    const second = await t.book({ providerName: 'Sari', durationMinutes: 90 })
    const { rerender } = t.renderWithGuard(
      h(ChatWindow, { roomId: first.booking.$id, title: 'Chat' }),
    )
    await t.until(() => expect(messages()[0]).toMatch(/60 min/))
    rerender(t.renderTree(h(ChatWindow, { roomId: second.booking.$id, title: 'Chat' })))
    await t.until(() => expect(messages()[0]).toMatch(/90 min .*Waiting for Sari/))
    expect(messages()).toHaveLength(1)
  })

  it('should load older messages page by page', async () => {
    const t = setup({ feeds: { initialLimit: 1, overlapMs: 0 } })
    const { booking } = await t.book()
    for (const n of [1, 2, 3]) {
      await t.guard.sendMessage(booking.$id, {
        senderId: PROVIDER.id,
        senderType: 'therapist',
        senderName: PROVIDER.name,
        content: `m${n}`,
      })
      await t.advance(100)
    }
    await t.advance(1_000)
    t.renderWithGuard(h(ChatWindow, { roomId: booking.$id, title: 'Chat', pageSize: 1 }))
    await t.until(() => expect(messages()).toEqual(['Budi: m3 (sent)']))
    const before = messages().length
    fireEvent.click(screen.getByRole('button', { name: 'Older' }))
    await t.until(() => expect(messages().length).toBeGreaterThan(before))
    for (let page = 0; page < 10 && screen.queryByRole('button', { name: 'Older' }); page++) {
      fireEvent.click(screen.getByRole('button', { name: 'Older' }))
      await t.advance(200)
    }
    expect(messages()).toEqual([
      expect.stringMatching(/^System: Booking received/),
      'Budi: m1 (sent)',
      'Budi: m2 (sent)',
      'Budi: m3 (sent)',
    ])
  })
})
