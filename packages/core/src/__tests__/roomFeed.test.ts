import { describe, expect, it, vi } from 'vitest'
import type { RoomMessageEvent } from '../index'
import { createFeedManager } from '../realtime/feed'
import type { FeedManagerOptions } from '../realtime/feed'
import { createRoomFeed } from '../realtime/roomFeed'
import { DB as db, realtimeBase, settle } from './realtimeFixtures'

function setup(overrides: Partial<FeedManagerOptions> = {}) {
  const { clock, fake, wiring, until } = realtimeBase(11)
  const options: FeedManagerOptions = {
    ...wiring,
    watchdog: { watcherId: 'hb-room' },
    ...overrides,
  }
  /** A room feed on `roomId` with a listener that collects its events. */
  const listen = (roomId: string) => {
    const room = createRoomFeed({ ...options, roomId })
    const events: RoomMessageEvent[] = []
    room.listen((event) => events.push(event))
    return { room, events }
  }
  let n = 0
  const say = async (roomId: string, content: string, extra: Record<string, unknown> = {}) => {
    const rowId = `m${++n}`
    await fake.tablesDB.createRow({
      databaseId: db,
      tableId: 'chat_messages',
      rowId,
      data: {
        roomId,
        bookingId: roomId,
        senderId: 'c1',
        senderType: 'customer',
        content,
        ...extra,
      },
    })
    await settle()
    return rowId
  }
  return { clock, fake, options, until, say, listen }
}

const texts = (events: RoomMessageEvent[]) =>
  events.map((e) => `${e.type}:${e.message.$id}:${String(e.message.content)}`)

describe('roomFeed', () => {
  it('should deliver each message of its room once and list them oldest first', async () => {
    const { until, say, fake, listen } = setup()
    fake.faults.realtime.duplicate({ table: 'chat_messages' })
    const { room, events } = listen('r1')
    await until(100)
    await say('r1', 'hello')
    await until(200)
    await say('r2', 'elsewhere')
    await say('r1', 'anyone?')

    expect(texts(events)).toEqual(['created:m1:hello', 'created:m3:anyone?'])
    expect(room.getSnapshot().messages.map((m) => m.content)).toEqual(['hello', 'anyone?'])
    expect(room.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })
    expect(room.roomId).toBe('r1')
  })

  it('should deliver an edited message as updated, and drop a deleted one from the snapshot', async () => {
    const { until, say, fake, listen } = setup()
    const { room, events } = listen('r1')
    await until(100)
    await say('r1', 'helo')
    await say('r1', 'bye')
    await until(300)
    await fake.tablesDB.updateRow({
      databaseId: db,
      tableId: 'chat_messages',
      rowId: 'm1',
      data: { content: 'hello' },
    })
    await fake.tablesDB.deleteRow({ databaseId: db, tableId: 'chat_messages', rowId: 'm2' })
    await settle()

    expect(texts(events)).toEqual(['created:m1:helo', 'created:m2:bye', 'updated:m1:hello'])
    expect(room.getSnapshot().messages.map((m) => m.content)).toEqual(['hello'])
  })

  it('should catch up on the messages sent while the socket was down, each once', async () => {
    const { until, say, fake, listen } = setup()
    const { room, events } = listen('r1')
    await until(100)
    await say('r1', 'before')
    fake.faults.realtime.disconnect({ forMs: 8_000 })
    await settle()
    await say('r1', 'during 1')
    await say('r1', 'during 2')
    await until(3_000)
    expect(texts(events)).toEqual(['created:m1:before'])
    await until(9_000)
    await say('r1', 'after')

    expect(texts(events)).toEqual([
      'created:m1:before',
      'created:m2:during 1',
      'created:m3:during 2',
      'created:m4:after',
    ])
    expect(room.getSnapshot().connection).toBe('live')
  })

  it('should add the room channel to a running subscription without losing a message', async () => {
    const { options, until, say, fake } = setup()
    const subscribe = vi.spyOn(fake.realtime, 'subscribe')
    const feeds = createFeedManager(options)
    feeds.subscribeToProviderBookings('p1', () => {})
    await until(1_000)
    const events: RoomMessageEvent[] = []
    feeds.subscribeToRoom('r1', (event) => events.push(event))
    await say('r1', 'first')
    await until(1_100)
    await say('r1', 'second')

    expect(texts(events)).toEqual(['created:m1:first', 'created:m2:second'])
    expect(subscribe).toHaveBeenCalledTimes(2)
    expect(subscribe.mock.calls[1]![0]).toEqual([
      'databases.main.collections.bookings.documents',
      'databases.main.collections.chat_messages.documents',
      'databases.main.collections.heartbeats.documents',
    ])
    expect(feeds.roomFeed('r1').getSnapshot().messages).toHaveLength(2)
  })

  it('should load the latest messages of a room on start, up to initialLimit', async () => {
    const { until, say, listen } = setup({ initialLimit: 2 })
    await say('r1', 'one')
    await until(6_000) // older than the catch-up overlap (5 s)
    await say('r1', 'two')
    await until(6_100)
    await say('r1', 'three')
    await until(6_200)
    const { room, events } = listen('r1')
    await until(6_300)

    expect(room.getSnapshot().messages.map((m) => m.content)).toEqual(['two', 'three'])
    expect(events).toEqual([])
  })

  it('should catch up on more than 2,000 messages missed in one room, each once, after one reconnect', async () => {
    const { until, fake, listen } = setup({ pollIntervalMs: 60_000 })
    const { room, events } = listen('r1')
    await until(1_000)
    fake.faults.realtime.disconnect({ forMs: 10_000 }) // down from 1 000 to 11 000
    await until(5_000)
    // A chatty room: 2,200 messages in one millisecond, all with the same `$updatedAt`.
    for (let i = 0; i < 2_200; i += 100) {
      await fake.tablesDB.createRows({
        databaseId: db,
        tableId: 'chat_messages',
        rows: Array.from({ length: 100 }, (_, k) => ({
          $id: `m${String(i + k).padStart(5, '0')}`,
          roomId: 'r1',
          bookingId: 'r1',
          senderId: 'c1',
          senderType: 'customer',
          content: `message ${i + k}`,
        })),
      })
    }
    await until(11_500)

    expect(events.map((e) => `${e.type}:${e.message.$id}`)).toEqual(
      Array.from({ length: 2_200 }, (_, i) => `created:m${String(i).padStart(5, '0')}`),
    )
    expect(room.getSnapshot().messages).toHaveLength(2_200)
    expect(room.getSnapshot().connection).toBe('live')
  })
})
