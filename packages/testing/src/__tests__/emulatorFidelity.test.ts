import { Client, Query, TablesDB } from 'node-appwrite'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'

const fake = createFakeAppwrite({
  strict: true,
  databases: {
    main: {
      tables: {
        items: {
          columns: [
            { key: 'owner', type: 'string', size: 36 },
            { key: 'at', type: 'datetime' },
          ],
          permissions: ['read("any")'],
        },
      },
    },
  },
})

let emulator: AppwriteEmulator
let admin: TablesDB

interface Frame {
  type: string
  data: Record<string, unknown>
}

/** A raw WebSocket that queues every frame it receives. */
async function socket(query: string): Promise<{ next: () => Promise<Frame>; close: () => void }> {
  const ws = new WebSocket(`${emulator.realtimeEndpoint}/realtime?${query}`)
  const frames: Frame[] = []
  const waiting: Array<(frame: Frame) => void> = []
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame
    const waiter = waiting.shift()
    if (waiter) waiter(frame)
    else frames.push(frame)
  })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return {
    next: () =>
      new Promise<Frame>((resolve) => {
        const frame = frames.shift()
        if (frame) resolve(frame)
        else waiting.push(resolve)
      }),
    close: () => ws.close(),
  }
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake })
  admin = new TablesDB(
    new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey(emulator.apiKey),
  )
})

afterAll(async () => {
  await emulator.close()
})

beforeEach(() => {
  fake.reset()
})

describe('emulator fidelity', () => {
  it('should serve realtime channels given on the WebSocket URL', async () => {
    const channel = 'databases.main.tables.items.rows'
    const ws = await socket(`project=${emulator.projectId}&channels[]=${channel}`)
    const connected = await ws.next()
    expect(connected.type).toBe('connected')
    expect(connected.data.channels).toEqual([channel])
    const [subscriptionId] = connected.data.subscriptions as string[]
    expect(subscriptionId).toMatch(/^[0-9a-f]{20}$/)
    await admin.createRow({
      databaseId: 'main',
      tableId: 'items',
      rowId: 'r1',
      data: { owner: 'ann' },
    })
    const event = await ws.next()
    ws.close()
    expect(event).toMatchObject({
      type: 'event',
      data: {
        events: expect.arrayContaining(['databases.main.tables.items.rows.r1.create']) as unknown,
        payload: { $id: 'r1' },
        subscriptions: [subscriptionId],
      },
    })
  })

  it('should filter a URL channel by the queries given under its name', async () => {
    const channel = 'databases.main.tables.items.rows'
    const query = encodeURIComponent(Query.equal('owner', 'bob'))
    const ws = await socket(
      `project=${emulator.projectId}&channels[]=${channel}&databases_main_tables_items_rows[0][]=${query}`,
    )
    const connected = await ws.next()
    const [subscriptionId] = connected.data.subscriptions as string[]
    await admin.createRow({
      databaseId: 'main',
      tableId: 'items',
      rowId: 'ann',
      data: { owner: 'ann' },
    })
    await admin.createRow({
      databaseId: 'main',
      tableId: 'items',
      rowId: 'bob',
      data: { owner: 'bob' },
    })
    const event = await ws.next()
    ws.close()
    expect(event.data).toMatchObject({ payload: { $id: 'bob' }, subscriptions: [subscriptionId] })
  })
})
