import { Query } from 'appwrite'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { RealtimeResponseEvent } from '../fake/realtime'
import { FakeDatabases } from '../fake/databases'
import { FakeTablesDB } from '../fake/tablesDB'
import { appwriteError, flush, mainDatabase, notFound, rejection } from './helpers'

const db = 'main'
const bookings = { databaseId: db, tableId: 'bookings' }
afterEach(() => {
  vi.useRealTimers()
})

describe('createFakeAppwrite', () => {
  it('should return SDK-shaped services sharing one clock', () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({ clock })
    expect(fake.tablesDB).toBeInstanceOf(FakeTablesDB)
    expect(fake.databases).toBeInstanceOf(FakeDatabases)
    expect(typeof fake.realtime.subscribe).toBe('function')
    expect(typeof fake.faults.fail).toBe('function')
    expect(fake.clock).toBe(clock)
  })

  it('should stamp rows from the injected clock', async () => {
    const clock = createManualClock({ now: Date.parse('2026-05-01T08:30:00.250Z') })
    const fake = createFakeAppwrite({ clock })
    const row = await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    expect(row.$createdAt).toBe('2026-05-01T08:30:00.250+00:00')
  })

  it('should follow vitest fake timers with the default clock', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2030-02-03T04:05:06.789Z'))
    const fake = createFakeAppwrite()
    const row = await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    expect(row.$createdAt).toBe('2030-02-03T04:05:06.789+00:00')
  })

  it('should pick the same unique() ids for the same seed, also after reset', async () => {
    const create = (fake: ReturnType<typeof createFakeAppwrite>) =>
      fake.tablesDB
        .createRow({ ...bookings, rowId: 'unique()', data: { a: 1 } })
        .then((row) => row.$id)
    const a = createFakeAppwrite({ seed: 42 })
    const b = createFakeAppwrite({ seed: 42 })
    const first = await create(a)
    expect(await create(b)).toBe(first)
    expect(await create(a)).not.toBe(first)
    a.reset()
    expect(await create(a)).toBe(first)
    expect(await create(createFakeAppwrite({ seed: 43 }))).not.toBe(first)
  })

  it('should validate declared tables and refuse undeclared ones', async () => {
    const fake = createFakeAppwrite({
      databases: mainDatabase({
        bookings: {
          columns: [
            { key: 'status', type: 'enum', elements: ['pending', 'accepted'], required: true },
          ],
        },
        notifications: {},
      }),
    })
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
    await fake.tablesDB.createRow({
      databaseId: db,
      tableId: 'notifications',
      rowId: 'n1',
      data: { anything: true },
    })
    expect(
      await rejection(
        fake.tablesDB.createRow({
          databaseId: db,
          tableId: 'chat_messages',
          rowId: 'm1',
          data: { a: 1 },
        }),
      ),
    ).toMatchObject(appwriteError(404, 'table_not_found'))
    expect(
      await rejection(fake.tablesDB.createRow({ ...bookings, rowId: 'b2', data: { status: 'x' } })),
    ).toMatchObject(appwriteError(400, 'row_invalid_structure'))
    expect(
      await fake.tablesDB.createRow({
        databaseId: 'other',
        tableId: 'anything',
        rowId: 'x',
        data: { a: 1 },
      }),
    ).toMatchObject({ $id: 'x' })
  })

  it('should refuse undeclared databases when strict', async () => {
    const fake = createFakeAppwrite({ strict: true, databases: { main: {} } })
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    const error = await rejection(
      fake.tablesDB.createRow({
        databaseId: 'mian',
        tableId: 'bookings',
        rowId: 'b1',
        data: { a: 1 },
      }),
    )
    expect(error).toMatchObject(notFound('database', 'mian'))
  })

  it('should snapshot every table as plain JSON, rows by $sequence', async () => {
    const clock = createManualClock({ now: Date.parse('2026-01-01T00:00:00.000Z') })
    const fake = createFakeAppwrite({
      clock,
      databases: mainDatabase({ bookings: {}, notifications: {} }),
    })
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b2', data: { n: 2 } })
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { n: 1 } })
    await fake.tablesDB.updateRow({ ...bookings, rowId: 'b2', data: { n: 3 } })
    await fake.databases.createDocument({
      databaseId: 'logs',
      collectionId: 'events',
      documentId: 'e1',
      data: { kind: 'x' },
    })
    const snapshot = fake.snapshot()
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
    expect(Object.keys(snapshot)).toEqual(['main', 'logs'])
    expect(snapshot.main!.notifications).toEqual([])
    expect(snapshot.main!.bookings!.map((row) => [row.$id, row.$sequence, row.n])).toEqual([
      ['b2', '1', 3],
      ['b1', '2', 1],
    ])
    expect(snapshot.logs!.events![0]).toEqual({
      $id: 'e1',
      $sequence: '1',
      $tableId: 'events',
      $databaseId: 'logs',
      $createdAt: '2026-01-01T00:00:00.000+00:00',
      $updatedAt: '2026-01-01T00:00:00.000+00:00',
      $permissions: [],
      kind: 'x',
    })
    snapshot.main!.bookings![0]!.n = 99
    expect(fake.snapshot().main!.bookings![0]!.n).toBe(3)
  })

  it('should empty storage, sequences, subscriptions and fault rules on reset', async () => {
    const fake = createFakeAppwrite({ databases: mainDatabase({ bookings: {} }) })
    const received: string[] = []
    await fake.realtime.subscribe('databases.main.tables.bookings.rows', (event) =>
      received.push(String(event.payload.$id)),
    )
    fake.faults.fail({ operation: 'getRow', error: 'general_server_error' })
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    await flush()
    expect(received).toEqual(['b1'])

    fake.reset()
    expect(fake.snapshot()).toEqual({ main: { bookings: [] } })
    const row = await fake.tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 } })
    expect(row.$sequence).toBe('1')
    await expect(fake.tablesDB.getRow({ ...bookings, rowId: 'b2' })).resolves.toMatchObject({
      $id: 'b2',
    })
    await flush()
    expect(received).toEqual(['b1'])
    expect(fake.faults.rules).toEqual([])
  })

  it('should deliver realtime events for tablesDB and databases writes', async () => {
    const fake = createFakeAppwrite()
    const events: RealtimeResponseEvent[] = []
    await fake.realtime.subscribe('databases.main.tables.bookings.rows', (event) =>
      events.push(event),
    )
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
    await fake.databases.updateDocument({
      databaseId: db,
      collectionId: 'bookings',
      documentId: 'b1',
      data: { status: 'accepted' },
    })
    await fake.tablesDB.createRow({ databaseId: db, tableId: 'other', rowId: 'o1', data: { a: 1 } })
    await flush()
    expect(events.map((event) => [event.payload.$id, event.payload.status])).toEqual([
      ['b1', 'pending'],
      ['b1', 'accepted'],
    ])
    expect(events[0]!.payload).toMatchObject({ $tableId: 'bookings', $sequence: '1' })
    expect(events[1]!.events).toContain('databases.main.tables.bookings.rows.b1.update')
    expect(events[1]!.payload).toMatchObject({ $collectionId: 'bookings', status: 'accepted' })
  })

  it('should give a chainable client that records its settings and subscribes', async () => {
    const fake = createFakeAppwrite()
    const client = fake.client
      .setEndpoint('https://example.test/v1')
      .setProject('p1')
      .setKey('secret')
      .setJWT('jwt')
      .setSession('s1')
    expect(client).toBe(fake.client)
    expect(client.config).toMatchObject({
      endpoint: 'https://example.test/v1',
      project: 'p1',
      key: 'secret',
      jwt: 'jwt',
      session: 's1',
    })

    const received: unknown[] = []
    const unsubscribe = client.subscribe('databases.main.tables.bookings.rows', (event) =>
      received.push(event.payload.$id),
    )
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
    await flush()
    unsubscribe()
    await fake.tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 } })
    await flush()
    expect(received).toEqual(['b1'])
  })

  it('should apply fault rules before storage is touched', async () => {
    const fake = createFakeAppwrite()
    fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      error: 'general_server_error',
    })
    const error = await rejection(
      fake.tablesDB.createRow({
        databaseId: db,
        tableId: 'notifications',
        rowId: 'n1',
        data: { a: 1 },
      }),
    )
    expect(error).toMatchObject(appwriteError(500, 'general_server_error'))
    expect(
      (
        await fake.tablesDB.listRows({
          databaseId: db,
          tableId: 'notifications',
          queries: [Query.limit(1)],
        })
      ).total,
    ).toBe(0)
  })
})
