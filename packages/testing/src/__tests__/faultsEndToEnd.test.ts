import { Query } from 'appwrite'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { RealtimeResponseEvent } from '../fake/realtime'
import { appwriteError, flush } from './helpers'

const db = 'main'
const booking = (rowId: string, data: Record<string, unknown> = {}) => ({
  databaseId: db,
  tableId: 'bookings',
  rowId,
  data: { customerId: 'customer-1', providerId: 'provider-1', status: 'pending', ...data },
})

const ids = (events: RealtimeResponseEvent[]) => events.map((e) => e.payload['$id'])

/** Settles a promise into a state that can be read synchronously after a flush. */
function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    status: 'pending',
  }
  promise.then(
    (value) => Object.assign(state, { status: 'resolved', value }),
    (error: unknown) => Object.assign(state, { status: 'rejected', error }),
  )
  return state
}

/** A fake whose createRow on `chat_rooms` hangs, and the tracked state of one such createRow. */
function hungCreateRow() {
  const fake = createFakeAppwrite()
  const hang = fake.faults.hang({ operation: 'createRow', table: 'chat_rooms' })
  const state = track(
    fake.tablesDB.createRow({
      databaseId: db,
      tableId: 'chat_rooms',
      rowId: 'b1',
      data: { bookingId: 'b1' },
    }),
  )
  return { fake, hang, state }
}

describe('faultsEndToEnd', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('should fail the next N createRow calls on a table with the chosen error, without writing', async () => {
    const fake = createFakeAppwrite()
    fake.faults.fail({
      operation: 'createRow',
      table: 'notifications',
      times: 2,
      error: 'general_server_error',
    })
    const notification = (rowId: string) => ({
      databaseId: db,
      tableId: 'notifications',
      rowId,
      data: { title: 'x' },
    })

    await expect(fake.tablesDB.createRow(notification('n1'))).rejects.toMatchObject({
      name: 'AppwriteException',
      code: 500,
      type: 'general_server_error',
    })
    await expect(fake.tablesDB.createRow(booking('b1'))).resolves.toMatchObject({ $id: 'b1' })
    await expect(fake.tablesDB.createRow(notification('n2'))).rejects.toMatchObject({ code: 500 })
    await expect(fake.tablesDB.createRow(notification('n3'))).resolves.toMatchObject({ $id: 'n3' })

    const { rows } = await fake.tablesDB.listRows({ databaseId: db, tableId: 'notifications' })
    expect(rows.map((row) => row.$id)).toEqual(['n3'])
    expect(fake.faults.log).toMatchObject([
      {
        kind: 'error',
        operation: 'createRow',
        table: 'notifications',
        rowId: 'n1',
        error: 'general_server_error',
      },
      {
        kind: 'error',
        operation: 'createRow',
        table: 'notifications',
        rowId: 'n2',
        error: 'general_server_error',
      },
    ])
  })

  it('should fail a Databases API call scoped by table with collection_not_found', async () => {
    const fake = createFakeAppwrite()
    fake.faults.fail({ table: 'notifications', error: 'collection_not_found' })

    await expect(
      fake.databases.createDocument({
        databaseId: db,
        collectionId: 'notifications',
        documentId: 'n1',
        data: { title: 'x' },
      }),
    ).rejects.toMatchObject(appwriteError(404, 'collection_not_found'))
    expect(fake.faults.log[0]).toMatchObject({
      api: 'databases',
      operation: 'createDocument',
      table: 'notifications',
    })
  })

  it('should surface a network fault as TypeError: fetch failed', async () => {
    const fake = createFakeAppwrite()
    fake.faults.fail({ operation: '*', error: 'network', times: 1 })

    const error = await fake.tablesDB
      .getRow({ databaseId: db, tableId: 'bookings', rowId: 'b1' })
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } })
  })

  it('should fail a seeded share of all calls reproducibly', async () => {
    const run = async () => {
      const fake = createFakeAppwrite()
      fake.faults.fail({ operation: '*', rate: 0.3, seed: 1, error: 'network' })
      const failed: boolean[] = []
      for (let i = 0; i < 30; i++)
        failed.push(
          await fake.tablesDB.createRow(booking(`b${i}`)).then(
            () => false,
            () => true,
          ),
        )
      return failed
    }
    const first = await run()
    expect(await run()).toEqual(first)
    expect(first.some(Boolean)).toBe(true)
    expect(first.every(Boolean)).toBe(false)
  })

  it('should add latency that fake timers control', async () => {
    vi.useFakeTimers()
    const fake = createFakeAppwrite()
    fake.faults.latency({ ms: 20 })

    const state = track(fake.tablesDB.createRow(booking('b1')))
    await vi.advanceTimersByTimeAsync(19)
    expect(state.status).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)

    expect(state.status).toBe('resolved')
    expect(state.value).toMatchObject({ $id: 'b1' })
  })

  it('should hang a createRow until released, then write it', async () => {
    const { fake, hang, state } = hungCreateRow()
    await flush()
    expect(state.status).toBe('pending')
    expect(hang.pending).toBe(1)
    await expect(
      fake.tablesDB.getRow({ databaseId: db, tableId: 'chat_rooms', rowId: 'b1' }),
    ).rejects.toMatchObject({
      type: 'row_not_found',
    })

    hang.release()
    await flush()
    expect(state.status).toBe('resolved')
    await expect(
      fake.tablesDB.getRow({ databaseId: db, tableId: 'chat_rooms', rowId: 'b1' }),
    ).resolves.toMatchObject({
      $id: 'b1',
    })
  })

  it('should reject a hung call on abort and write nothing', async () => {
    const { fake, hang, state } = hungCreateRow()
    hang.abort()
    await flush()

    expect(state.status).toBe('rejected')
    expect(state.error).toMatchObject({ message: 'fetch failed' })
    const { total } = await fake.tablesDB.listRows({ databaseId: db, tableId: 'chat_rooms' })
    expect(total).toBe(0)
  })

  it('should abort hung calls and drop every rule and the log on fake.reset()', async () => {
    const fake = createFakeAppwrite()
    fake.faults.hang()
    const state = track(fake.tablesDB.createRow(booking('b1')))

    fake.reset()
    await flush()

    expect(state.status).toBe('rejected')
    expect(fake.faults.rules).toEqual([])
    expect(fake.faults.log).toEqual([])
    await expect(fake.tablesDB.createRow(booking('b2'))).resolves.toMatchObject({ $id: 'b2' })
  })

  describe('realtime', () => {
    it('should deliver a row event with the channels and payload of the write', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe(`databases.${db}.tables.bookings.rows`, (e) => events.push(e))

      const write = fake.tablesDB.createRow(booking('b1'))
      expect(events).toHaveLength(0)
      const row = await write
      await flush()

      expect(events).toHaveLength(1)
      expect(events[0]!.payload).toEqual(row)
      expect(events[0]!.events).toContain(`databases.${db}.tables.bookings.rows.b1.create`)
      expect(events[0]!.channels).toContain(`tablesdb.${db}.tables.bookings.rows.b1.create`)
    })

    it('should filter events with realtime queries', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('rows', (e) => events.push(e), [
        Query.equal('providerId', 'provider-2'),
      ])

      await fake.tablesDB.createRow(booking('b1'))
      await fake.tablesDB.createRow(booking('b2', { providerId: 'provider-2' }))
      await flush()

      expect(ids(events)).toEqual(['b2'])
    })

    it('should carry $collectionId for writes through the Databases API', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('documents', (e) => events.push(e))

      await fake.databases.createDocument({
        databaseId: db,
        collectionId: 'bookings',
        documentId: 'b1',
        data: { status: 'pending' },
      })
      await flush()

      expect(events[0]!.payload).toMatchObject({ $id: 'b1', $collectionId: 'bookings' })
    })

    it('should drop the next booking event', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('rows', (e) => events.push(e))
      fake.faults.realtime.drop({ table: 'bookings', times: 1 })

      await fake.tablesDB.createRow(booking('b1'))
      await fake.tablesDB.createRow(booking('b2'))
      await flush()

      expect(ids(events)).toEqual(['b2'])
      expect(fake.faults.log).toMatchObject([
        { kind: 'realtime.drop', table: 'bookings', rowId: 'b1' },
      ])
    })

    it('should delay events on fake timers', async () => {
      vi.useFakeTimers()
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('rows', (e) => events.push(e))
      fake.faults.realtime.delay({ ms: 500 })

      await fake.tablesDB.createRow(booking('b1'))
      await vi.advanceTimersByTimeAsync(499)
      expect(events).toHaveLength(0)
      await vi.advanceTimersByTimeAsync(1)

      expect(ids(events)).toEqual(['b1'])
    })

    it('should duplicate events', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('rows', (e) => events.push(e))
      fake.faults.realtime.duplicate({})

      await fake.tablesDB.createRow(booking('b1'))
      await flush()

      expect(ids(events)).toEqual(['b1', 'b1'])
    })

    it('should disconnect realtime for a while with onClose and onOpen, losing events meanwhile', async () => {
      const clock = createManualClock()
      const fake = createFakeAppwrite({ clock })
      const lifecycle: string[] = []
      fake.realtime.onOpen(() => lifecycle.push('open'))
      fake.realtime.onClose(() => lifecycle.push('close'))
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('rows', (e) => events.push(e))

      fake.faults.realtime.disconnect({ forMs: 10_000 })
      await fake.tablesDB.createRow(booking('lost'))
      await clock.advance(10_000)
      await fake.tablesDB.createRow(booking('after'))
      await flush()

      expect(lifecycle).toEqual(['open', 'close', 'open'])
      expect(ids(events)).toEqual(['after'])
      expect(fake.faults.log.map((e) => e.kind)).toEqual([
        'realtime.disconnect',
        'realtime.reconnect',
      ])
    })

    it('should cut the legacy client.subscribe too', async () => {
      const fake = createFakeAppwrite()
      const events: RealtimeResponseEvent[] = []
      const unsubscribe = fake.client.subscribe(
        `databases.${db}.collections.bookings.documents`,
        (e) => events.push(e),
      )

      const outage = fake.faults.realtime.disconnect()
      await fake.tablesDB.createRow(booking('lost'))
      outage.reconnect()
      await fake.tablesDB.createRow(booking('after'))
      await flush()
      unsubscribe()
      await fake.tablesDB.createRow(booking('unsubscribed'))
      await flush()

      expect(ids(events)).toEqual(['after'])
    })
  })
})
