import { describe, expect, it, vi } from 'vitest'
import { createChatRoomObserver } from '../observers/index'
import type { BookingGuardOptions } from '../index'
import type { ChatRoomObserver } from '../observers/index'
import { liveHarness } from './pipelineFixtures'

const CUSTOMER = { id: 'cust1', type: 'customer', name: 'Ana' } as const
const PROVIDER = { id: 'prov1', type: 'therapist', name: 'Budi' } as const

async function setup(options: Partial<BookingGuardOptions> = {}) {
  const { clock, fake, guard, run, book } = liveHarness(options, { seed: 3 })
  const booking = await book()
  const roomId = booking.$id
  const observe = (extra: Partial<Parameters<typeof createChatRoomObserver>[0]> = {}) =>
    createChatRoomObserver({ guard, roomId, user: CUSTOMER, clock, ...extra })
  const providerSays = async (content: string) => {
    await guard.sendMessage(roomId, {
      senderId: PROVIDER.id,
      senderType: PROVIDER.type,
      senderName: PROVIDER.name,
      content,
    })
    await run()
  }
  const rows = () => fake.snapshot().main?.chat_messages ?? []
  return { clock, fake, guard, run, roomId, observe, providerSays, rows }
}

const texts = (observer: ChatRoomObserver) =>
  observer.getSnapshot().messages.map((m) => `${m.senderType}:${m.status}:${m.content}`)

describe('chatRoomObserver', () => {
  it('should do nothing until subscribed, then show the history and live messages', async () => {
    const h = await setup()
    const list = vi.spyOn(h.guard, 'listMessages')
    const room = h.observe()
    expect(room.getSnapshot()).toMatchObject({ status: 'loading', messages: [] })
    expect(list).not.toHaveBeenCalled()

    room.subscribe(() => undefined)
    await h.run()
    expect(room.getSnapshot()).toMatchObject({ status: 'ready', connection: 'live' })
    expect(texts(room)).toEqual([expect.stringMatching(/^system:sent:Booking received/)])

    await h.providerSays('See you at 10')
    expect(texts(room)[1]).toBe('therapist:sent:See you at 10')
    expect(room.getSnapshot().messages[1]).toMatchObject({ mine: false, senderName: 'Budi' })
  })

  it('should show a sent message at once as sending, then once as sent', async () => {
    const h = await setup()
    const room = h.observe()
    room.subscribe(() => undefined)
    await h.run()
    const sending = room.send('On my way')
    expect(texts(room).at(-1)).toBe('customer:sending:On my way')
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({ mine: true, retry: undefined })
    await h.run()
    await sending
    expect(texts(room).filter((t) => t.endsWith('On my way'))).toEqual(['customer:sent:On my way'])
    expect(h.rows().filter((row) => row.content === 'On my way')).toHaveLength(1)
  })

  it('should mark a message that could not be stored failed, and store it once on retry', async () => {
    const h = await setup()
    const room = h.observe()
    room.subscribe(() => undefined)
    await h.run()
    h.fake.faults.fail({
      operation: 'createRow',
      table: 'chat_messages',
      times: 1,
      error: 'network',
    })
    await room.send('Hello?')
    const failed = room.getSnapshot().messages.at(-1)!
    expect(failed).toMatchObject({
      status: 'failed',
      userMessage: 'Not sent: check your connection.',
    })
    expect(h.rows().filter((row) => row.content === 'Hello?')).toHaveLength(0)

    const retried = failed.retry!()
    expect(room.getSnapshot().messages.at(-1)!.status).toBe('sending')
    await h.run()
    await retried
    expect(texts(room).at(-1)).toBe('customer:sent:Hello?')
    const stored = h.rows().filter((row) => row.content === 'Hello?')
    expect(stored).toHaveLength(1)
    expect(stored[0]!.clientMessageId).toBe(failed.clientMessageId)
  })

  it('should page back through older messages with the cursor until there are none', async () => {
    // The feed's own first read and catch-up reach no further back than the page.
    const h = await setup({ feeds: { initialLimit: 2, overlapMs: 0 } })
    for (const n of [1, 2, 3, 4]) await h.providerSays(`m${n}`)
    await h.run(1_000)
    const room = h.observe({ pageSize: 2 })
    const contents = () => room.getSnapshot().messages.map((m) => m.content)
    room.subscribe(() => undefined)
    await h.run()
    expect(contents()).toEqual(['m3', 'm4'])
    expect(room.getSnapshot().hasOlder).toBe(true)

    const loading = room.loadOlder()
    expect(room.getSnapshot().loadingOlder).toBe(true)
    await h.run()
    await loading
    expect(contents()).toEqual(['m1', 'm2', 'm3', 'm4'])
    await room.loadOlder()
    expect(room.getSnapshot().messages).toHaveLength(5)
    expect(room.getSnapshot()).toMatchObject({ hasOlder: false, loadingOlder: false })
  })

  it('should count the others’ unread messages and clear them with markRead', async () => {
    const h = await setup()
    const room = h.observe()
    room.subscribe(() => undefined)
    await h.run()
    await h.providerSays('Hi')
    await room.send('Hello')
    expect(room.getSnapshot().unreadCount).toBe(2)

    await room.markRead()
    expect(room.getSnapshot().unreadCount).toBe(0)
    expect(room.getSnapshot().lastReadAt).not.toBeNull()
    const stored = h.fake.snapshot().main!.chat_rooms!.find((row) => row.$id === h.roomId)!
    expect(Date.parse(String(stored.customerLastReadAt))).toBe(
      Date.parse(room.getSnapshot().lastReadAt!),
    )

    await h.run(1_000)
    await h.providerSays('Are you there?')
    expect(room.getSnapshot().unreadCount).toBe(1)
  })

  it('should read the room once across stop and restart, and stop following it when stopped', async () => {
    const h = await setup()
    const list = vi.spyOn(h.guard, 'listMessages')
    const room = h.observe()
    room.subscribe(() => undefined)()
    const stop = room.subscribe(() => undefined)
    await h.run()
    expect(list).toHaveBeenCalledTimes(1)
    expect(room.getSnapshot().messages).toHaveLength(1)
    stop()
    await h.providerSays('while away')
    expect(room.getSnapshot().messages).toHaveLength(1)
  })

  it('should still read and send without realtime, saying why it is offline', async () => {
    const h = await setup({ realtime: undefined })
    const room = h.observe()
    room.subscribe(() => undefined)
    await h.run()
    expect(room.getSnapshot()).toMatchObject({ status: 'ready', connection: 'offline' })
    expect(String(room.getSnapshot().realtimeError)).toContain('needs realtime')
    await room.send('no live updates')
    expect(texts(room).at(-1)).toBe('customer:sent:no live updates')
  })

  it('should report a room it cannot read as an error', async () => {
    const h = await setup()
    h.fake.faults.fail({
      operation: 'listRows',
      table: 'chat_messages',
      error: 'general_server_error',
    })
    const room = h.observe()
    room.subscribe(() => undefined)
    await h.run()
    expect(room.getSnapshot().status).toBe('error')
    expect(room.getSnapshot().error).toMatchObject({ code: 500 })
  })
})
