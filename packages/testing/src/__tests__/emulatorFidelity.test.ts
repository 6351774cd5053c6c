import { Client, Query, TablesDB } from 'node-appwrite'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { serverClient } from './emulatorHelpers'
import { appwriteError, mainDatabase, openFrameQueue } from './helpers'

const fake = createFakeAppwrite({
  strict: true,
  databases: mainDatabase({
    items: {
      columns: [
        { key: 'owner', type: 'string', size: 36 },
        { key: 'at', type: 'datetime' },
      ],
      permissions: ['read("any")', 'create("users")', 'update("users")'],
    },
  }),
})

/** The one table the cases write to. */
const items = { databaseId: 'main', tableId: 'items' }
let emulator: AppwriteEmulator
let admin: TablesDB

interface Frame {
  type: string
  data: Record<string, unknown>
}

/** A raw WebSocket that queues every frame it receives. */
async function socket(query: string): Promise<{ next: () => Promise<Frame>; close: () => void }> {
  const ws = new WebSocket(`${emulator.realtimeEndpoint}/realtime?${query}`)
  const next = await openFrameQueue<Frame>(ws)
  return {
    next,
    close: () => ws.close(),
  }
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake })
  admin = new TablesDB(serverClient(emulator))
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
    await admin.createRow({ ...items, rowId: 'r1', data: { owner: 'ann' } })
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
    await admin.createRow({ ...items, rowId: 'ann', data: { owner: 'ann' } })
    await admin.createRow({ ...items, rowId: 'bob', data: { owner: 'bob' } })
    const event = await ws.next()
    ws.close()
    expect(event.data).toMatchObject({ payload: { $id: 'bob' }, subscriptions: [subscriptionId] })
  })

  it('should store $createdAt and $updatedAt sent with an API key, as the server does', async () => {
    const created = '2020-01-02T03:04:05.000+00:00'
    const updated = '2021-02-03T04:05:06.000+00:00'
    const row = await admin.createRow({
      ...items,
      rowId: 'old',
      data: { owner: 'ann', $createdAt: created, $updatedAt: updated },
    })
    expect(row).toMatchObject({ $createdAt: created, $updatedAt: updated })
    expect(await admin.getRow({ ...items, rowId: 'old' })).toMatchObject({
      $createdAt: created,
      $updatedAt: updated,
    })
    // Another format is stored in the server's; an update without them moves $updatedAt only.
    const moved = await admin.updateRow({
      ...items,
      rowId: 'old',
      data: { $updatedAt: '2022-03-04 05:06:07' },
    })
    expect(moved).toMatchObject({
      $createdAt: created,
      $updatedAt: '2022-03-04T05:06:07.000+00:00',
    })
    const touched = await admin.updateRow({ ...items, rowId: 'old', data: { owner: 'bob' } })
    expect(touched.$createdAt).toBe(created)
    expect(touched.$updatedAt > '2025').toBe(true)
    const bulk = await admin.createRows({
      ...items,
      rows: [{ $id: 'b1', owner: 'cat', $createdAt: created }],
    })
    expect(bulk.rows[0]).toMatchObject({ $createdAt: created })
    const upserted = await admin.upsertRow({
      ...items,
      rowId: 'b1',
      data: { owner: 'cat', $createdAt: '2019-01-01T00:00:00.000+00:00' },
    })
    expect(upserted.$createdAt).toBe('2019-01-01T00:00:00.000+00:00')
    await admin.updateRows({ ...items, data: { $updatedAt: updated } })
    const listed = await admin.listRows(items)
    expect(listed.rows.map((r) => r.$updatedAt)).toEqual([updated, updated])
  })

  it('should refuse an invalid $updatedAt from an API key with 400, and ignore it from a user', async () => {
    await expect(
      admin.createRow({ ...items, rowId: 'bad', data: { owner: 'x', $updatedAt: 'yesterday' } }),
    ).rejects.toMatchObject(
      appwriteError(
        400,
        'row_invalid_structure',
        'Invalid document structure: Attribute "$updatedAt" has invalid type. Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.',
      ),
    )
    const user = new TablesDB(
      new Client()
        .setEndpoint(emulator.endpoint)
        .setProject(emulator.projectId)
        .setJWT(emulator.createJWT('u1')),
    )
    const row = await user.createRow({
      ...items,
      rowId: 'mine',
      data: { owner: 'u1', $createdAt: '2020-01-01T00:00:00.000+00:00', $updatedAt: 'yesterday' },
    })
    expect(row.$createdAt > '2025').toBe(true)
  })

  it('should convert a datetime given with a time-zone name, as the server does', async () => {
    const summer = await admin.createRow({
      ...items,
      rowId: 's',
      data: { at: '1975-06-12 14:12:55 America/New_York' },
    })
    expect(summer.at).toBe('1975-06-12T18:12:55.000+00:00')
    const winter = await admin.createRow({
      ...items,
      rowId: 'w',
      data: { at: '1975-01-12 14:12:55 America/New_York' },
    })
    expect(winter.at).toBe('1975-01-12T19:12:55.000+00:00')
    await expect(
      admin.createRow({ ...items, rowId: 'x', data: { at: '1975-01-12 14:12:55 Mars/Olympus' } }),
    ).rejects.toMatchObject(appwriteError(400, 'row_invalid_structure'))
  })

  it('should decode data sent as a JSON-encoded string, as the server does', async () => {
    const post = (body: object) =>
      fetch(`${emulator.endpoint}/tablesdb/main/tables/items/rows`, {
        method: 'POST',
        headers: {
          'x-appwrite-project': emulator.projectId,
          'x-appwrite-key': emulator.apiKey,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    const ok = await post({ rowId: 'str', data: JSON.stringify({ owner: 'dan' }) })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toMatchObject({ $id: 'str', owner: 'dan' })
    const bad = await post({ rowId: 'bad', data: 'owner=dan' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `data` param: Value must be a valid JSON object',
    })
  })
})
