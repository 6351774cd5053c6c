import { Channel, Query } from 'appwrite'
import { describe, expect, it, vi } from 'vitest'
import { rowEventChannels, rowEventNames } from '../fake/channels'
import { createManualClock } from '../fake/clock'
import { FaultInjector } from '../fake/faults'
import { RealtimeHub } from '../fake/realtime'
import type {
  RealtimeHubOptions,
  RealtimeResponseEvent,
  RealtimeRow,
  RealtimeRowEvent,
} from '../fake/realtime'
import { flush } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')

const bookingRow = (id: string, data: Record<string, unknown> = {}): RealtimeRow => ({
  $id: id,
  $sequence: '1',
  $tableId: 'bookings',
  $databaseId: 'main',
  $createdAt: '2026-01-01T00:00:00.000+00:00',
  $updatedAt: '2026-01-01T00:00:00.000+00:00',
  $permissions: ['read("user:customer-1")'],
  customerId: 'customer-1',
  providerId: 'provider-1',
  status: 'pending',
  ...data,
})

const rowEvent = (overrides: Partial<RealtimeRowEvent> = {}): RealtimeRowEvent => {
  const rowId = overrides.rowId ?? 'b1'
  return {
    action: 'create',
    databaseId: 'main',
    tableId: 'bookings',
    rowId,
    row: bookingRow(rowId),
    ...overrides,
  }
}

function setup(options: Partial<RealtimeHubOptions> = {}) {
  const clock = createManualClock({ now: START })
  const faults = new FaultInjector({ clock })
  const hub = new RealtimeHub({ clock, faults, ...options })
  const realtime = hub.createRealtime()
  return { clock, faults, hub, realtime }
}

const collect = () => {
  const events: RealtimeResponseEvent[] = []
  const callback = (event: RealtimeResponseEvent) => {
    events.push(event)
  }
  return { events, callback }
}

/** Subscribes a collector to `channels` (default `rows`) on `realtime`: the events it receives. */
async function subscribed(
  realtime: ReturnType<typeof setup>['realtime'],
  channels: Parameters<ReturnType<typeof setup>['realtime']['subscribe']>[0] = 'rows',
): Promise<RealtimeResponseEvent[]> {
  const { events, callback } = collect()
  await realtime.subscribe(channels, callback)
  return events
}

/** The events one subscription to `channels` receives once `event` is published and delivered. */
async function received(
  channels: Parameters<ReturnType<typeof setup>['realtime']['subscribe']>[0],
  event: RealtimeRowEvent = rowEvent(),
): Promise<RealtimeResponseEvent[]> {
  const { hub, realtime } = setup()
  const events = await subscribed(realtime, channels)
  hub.publish(event)
  await flush()
  return events
}

describe('realtime', () => {
  it('should deliver a row event to a subscription on every channel form the server publishes', async () => {
    const { hub, realtime } = setup()
    const channels = rowEventChannels({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b1',
      action: 'create',
    })
    const seen: string[] = []
    for (const channel of channels) await realtime.subscribe(channel, () => seen.push(channel))

    hub.publish(rowEvent())
    await flush()

    expect(seen).toEqual(channels)
  })

  it('should not deliver to channels of other tables, rows, databases or actions', async () => {
    const events = await received([
      'databases.main.tables.chat_rooms.rows',
      'tablesdb.main.tables.bookings.rows.b2',
      'databases.other.collections.bookings.documents',
      'rows.update',
      'databases.main.tables.bookings.rows.delete',
      'databases.main.tables.bookings',
      'files',
    ])

    expect(events).toEqual([])
  })

  it('should deliver asynchronously, never inside publish', async () => {
    const { hub, realtime } = setup()
    const events = await subscribed(realtime)

    hub.publish(rowEvent())
    expect(events).toHaveLength(0)

    await flush()
    expect(events).toHaveLength(1)
  })

  it('should hand callbacks the events, channels, timestamp, payload and subscriptions the server sends', async () => {
    const { hub, realtime, clock } = setup()
    const { events, callback } = collect()
    await clock.advance(1_234)
    await realtime.subscribe('databases.main.tables.bookings.rows', callback)
    const row = bookingRow('b1')

    hub.publish(rowEvent({ row }))
    await flush()

    expect(events).toHaveLength(1)
    const [event] = events
    expect(event!.events).toEqual(
      rowEventNames({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', action: 'create' }),
    )
    expect(event!.channels).toEqual(
      rowEventChannels({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', action: 'create' }),
    )
    expect(event!.timestamp).toBe('2026-01-01T00:00:01.234+00:00')
    expect(event!.payload).toEqual(row)
    expect(event!.subscriptions).toHaveLength(1)
    expect(event!.subscriptions[0]).toMatch(/^[0-9a-f]{20}$/)
  })

  it('should deliver a copy of the row, as a socket would', async () => {
    const row = bookingRow('b1')
    const events = await received('rows', rowEvent({ row }))
    ;(events[0]!.payload as RealtimeRow)['status'] = 'tampered'

    expect(row['status']).toBe('pending')
    expect(events[0]!.payload).not.toBe(row)
  })

  it('should send $collectionId instead of $tableId for a write through the Databases API', async () => {
    const events = await received('documents', rowEvent({ api: 'databases' }))

    expect(events[0]!.payload).toMatchObject({ $collectionId: 'bookings', $databaseId: 'main' })
    expect(events[0]!.payload).not.toHaveProperty('$tableId')
  })

  it('should list legacy event names for a legacy database', async () => {
    const events = await received('rows', rowEvent({ databaseType: 'legacy', action: 'update' }))

    expect(events[0]!.events[0]).toBe('databases.main.collections.bookings.documents.b1.update')
    expect(events[0]!.events.some((name) => name.startsWith('tablesdb.'))).toBe(false)
  })

  it('should deliver once to a subscription whose several channels match', async () => {
    const events = await received([
      'rows',
      'documents',
      'tablesdb.main.tables.bookings.rows.b1.create',
    ])

    expect(events).toHaveLength(1)
  })

  it('should name every matching subscription of the connection in subscriptions', async () => {
    const { hub, realtime } = setup()
    const first = collect()
    const second = collect()
    const other = collect()
    await realtime.subscribe('rows', first.callback)
    await realtime.subscribe('databases.main.tables.bookings.rows', second.callback)
    await realtime.subscribe('databases.main.tables.chat_rooms.rows', other.callback)

    hub.publish(rowEvent())
    await flush()

    expect(first.events).toHaveLength(1)
    expect(second.events).toHaveLength(1)
    expect(other.events).toHaveLength(0)
    expect(first.events[0]!.subscriptions).toHaveLength(2)
    expect(second.events[0]!.subscriptions).toEqual(first.events[0]!.subscriptions)
  })

  it('should give each connection only its own subscription ids', async () => {
    const { hub } = setup()
    const a = hub.createRealtime()
    const b = hub.createRealtime()
    const seenA = collect()
    const seenB = collect()
    await a.subscribe('rows', seenA.callback)
    await b.subscribe('rows', seenB.callback)

    hub.publish(rowEvent())
    await flush()

    expect(seenA.events[0]!.subscriptions).toHaveLength(1)
    expect(seenB.events[0]!.subscriptions).toHaveLength(1)
    expect(seenA.events[0]!.subscriptions).not.toEqual(seenB.events[0]!.subscriptions)
  })

  it('should deliver for ids that contain dots, through every channel form', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()
    const other = collect()
    await realtime.subscribe('databases.main.tables.v1.bookings.rows.b.1', other.callback)
    await realtime.subscribe('tablesdb.main.tables.v1.bookings.rows', callback)

    hub.publish(rowEvent({ tableId: 'v1.bookings', rowId: 'b.1' }))
    hub.publish(rowEvent({ tableId: 'v1.bookings', rowId: 'b.2' }))
    await flush()

    expect(events.map((e) => e.payload['$id'])).toEqual(['b.1', 'b.2'])
    expect(other.events.map((e) => e.payload['$id'])).toEqual(['b.1'])
  })

  it('should keep delivering to the remaining channels after others are unsubscribed', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()
    const table = await realtime.subscribe('databases.main.tables.bookings.rows', () => {})
    const global = await realtime.subscribe('rows.create', () => {})
    await realtime.subscribe('tablesdb.main.tables.bookings.rows.b1', callback)

    await table.unsubscribe()
    await global.unsubscribe()
    hub.publish(rowEvent())
    await flush()

    expect(events).toHaveLength(1)
  })

  it('should tell whether anyone listens to a table', async () => {
    const { hub, realtime } = setup()
    expect(hub.isListening('main', 'bookings')).toBe(false)

    const table = await realtime.subscribe('databases.main.tables.bookings.rows.b1', () => {})
    expect(hub.isListening('main', 'bookings')).toBe(true)
    expect(hub.isListening('main', 'chat_rooms')).toBe(false)

    const global = await realtime.subscribe('documents.delete', () => {})
    expect(hub.isListening('main', 'chat_rooms')).toBe(true)

    await table.unsubscribe()
    await global.unsubscribe()
    expect(hub.isListening('main', 'bookings')).toBe(false)
  })

  it('should accept the SDK Channel builders', async () => {
    const events = await received([Channel.tablesdb('main').table('bookings').row('b1').create()])

    expect(events).toHaveLength(1)
  })

  it('should match subscribers at the moment of the write', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()

    hub.publish(rowEvent())
    await realtime.subscribe('rows', callback)
    await flush()

    expect(events).toHaveLength(0)
  })

  it('should let go of closed connections, so a long-running emulator does not keep every socket', async () => {
    const { hub, faults } = setup()
    const baseline = hub.connectionCount // the shared legacy connection
    const closed: Array<ReturnType<typeof hub.createRealtime>> = []
    for (let i = 0; i < 50; i++) {
      const connection = hub.createRealtime({ roles: ['any'] })
      const sub = await connection.subscribe('rows', () => {})
      if (i % 2 === 0) await connection.disconnect()
      else await sub.close()
      closed.push(connection)
    }
    expect(hub.connectionCount).toBe(baseline)

    // A closed connection opens again on its next subscribe, and still receives events.
    const { events, callback } = collect()
    const again = closed[0]!
    await again.subscribe('rows', callback)
    expect(hub.connectionCount).toBe(baseline + 1)
    hub.publish(rowEvent())
    await flush()
    expect(events).toHaveLength(1)
    // And a fault can still target one that is closed right now.
    expect(() => faults.realtime.disconnect({ realtime: closed[1]! }).remove()).not.toThrow()
  })

  it('should stop delivering after unsubscribe, even for an event already in flight', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()
    const sub = await realtime.subscribe('rows', callback)

    hub.publish(rowEvent())
    await sub.unsubscribe()
    await flush()
    hub.publish(rowEvent({ rowId: 'b2' }))
    await flush()

    expect(events).toHaveLength(0)
    expect(hub.subscriptionCount).toBe(0)
  })

  it('should run onOpen when the first subscription opens the connection, before subscribe resolves', async () => {
    const { realtime } = setup()
    const order: string[] = []
    realtime.onOpen(() => order.push('open'))

    await realtime.subscribe('rows', () => {})
    order.push('subscribed')
    await realtime.subscribe('documents', () => {})
    await flush()

    expect(order).toEqual(['open', 'subscribed'])
  })

  it('should run onClose when close() ends the last subscription, and reopen on the next subscribe', async () => {
    const { realtime } = setup()
    const order: string[] = []
    realtime.onOpen(() => order.push('open'))
    realtime.onClose(() => order.push('close'))
    const first = await realtime.subscribe('rows', () => {})
    const second = await realtime.subscribe('documents', () => {})

    await first.close()
    await flush()
    expect(order).toEqual(['open'])

    await second.close()
    await flush()
    expect(order).toEqual(['open', 'close'])

    await realtime.subscribe('rows', () => {})
    expect(order).toEqual(['open', 'close', 'open'])
  })

  it('should keep the connection open when unsubscribe() ends the last subscription', async () => {
    const { realtime } = setup()
    const onClose = vi.fn()
    realtime.onClose(onClose)
    const sub = await realtime.subscribe('rows', () => {})

    await sub.unsubscribe()
    await flush()

    expect(onClose).not.toHaveBeenCalled()
  })

  it('should drop every subscription and run onClose on disconnect()', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()
    const onClose = vi.fn()
    realtime.onClose(onClose)
    await realtime.subscribe('rows', callback)
    await realtime.subscribe('documents', callback)

    await realtime.disconnect()
    hub.publish(rowEvent())
    await flush()

    expect(events).toHaveLength(0)
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(hub.subscriptionCount).toBe(0)
  })

  it('should add channels on update() and, like the server, keep the old ones until a reconnect', async () => {
    const { hub, realtime, faults } = setup()
    const { events, callback } = collect()
    const sub = await realtime.subscribe('databases.main.tables.bookings.rows', callback)

    await sub.update({ channels: ['databases.main.tables.chat_rooms.rows'] })
    hub.publish(rowEvent({ tableId: 'chat_rooms', rowId: 'c1' }))
    hub.publish(rowEvent())
    await flush()
    expect(events.map((e) => e.payload['$id'])).toEqual(['c1', 'b1'])

    faults.realtime.disconnect().reconnect()
    hub.publish(rowEvent({ rowId: 'b2' }))
    hub.publish(rowEvent({ tableId: 'chat_rooms', rowId: 'c2' }))
    await flush()
    expect(events.map((e) => e.payload['$id'])).toEqual(['c1', 'b1', 'c2'])
  })

  it('should replace the queries on update()', async () => {
    const { hub, realtime } = setup()
    const { events, callback } = collect()
    const sub = await realtime.subscribe('rows', callback, [
      Query.equal('providerId', 'provider-1'),
    ])

    await sub.update({ queries: [Query.equal('providerId', 'provider-2')] })
    hub.publish(rowEvent())
    hub.publish(rowEvent({ rowId: 'b2', row: bookingRow('b2', { providerId: 'provider-2' }) }))
    await flush()

    expect(events.map((e) => e.payload['$id'])).toEqual(['b2'])
  })

  describe('queries', () => {
    const deliveredIds = async (queries: string[], rows: RealtimeRow[]) => {
      const { hub, realtime } = setup()
      const { events, callback } = collect()
      await realtime.subscribe('rows', callback, queries)
      for (const row of rows) hub.publish(rowEvent({ rowId: String(row['$id']), row }))
      await flush()
      return events.map((e) => e.payload['$id'])
    }

    const rows = [
      bookingRow('a', { providerId: 'p1', price: 50, note: null }),
      bookingRow('b', { providerId: 'p2', price: 150, note: 'x' }),
      bookingRow('c', { providerId: 'p3', price: 100 }),
    ]

    it('should filter with equal and notEqual, any of several values', async () => {
      expect(await deliveredIds([Query.equal('providerId', ['p1', 'p3'])], rows)).toEqual([
        'a',
        'c',
      ])
      expect(await deliveredIds([Query.notEqual('providerId', 'p1')], rows)).toEqual(['b', 'c'])
    })

    it('should filter with the comparison methods', async () => {
      expect(await deliveredIds([Query.lessThan('price', 100)], rows)).toEqual(['a'])
      expect(await deliveredIds([Query.lessThanEqual('price', 100)], rows)).toEqual(['a', 'c'])
      expect(await deliveredIds([Query.greaterThan('price', 100)], rows)).toEqual(['b'])
      expect(await deliveredIds([Query.greaterThanEqual('price', 100)], rows)).toEqual(['b', 'c'])
      expect(await deliveredIds([Query.greaterThan('$id', 'a')], rows)).toEqual(['b', 'c'])
    })

    it('should filter with isNull and isNotNull, where a missing attribute matches neither', async () => {
      expect(await deliveredIds([Query.isNull('note')], rows)).toEqual(['a'])
      expect(await deliveredIds([Query.isNotNull('note')], rows)).toEqual(['b'])
    })

    it('should AND the top-level queries and nest and/or', async () => {
      expect(
        await deliveredIds([Query.greaterThan('price', 60), Query.lessThan('price', 120)], rows),
      ).toEqual(['c'])
      expect(
        await deliveredIds(
          [Query.or([Query.equal('providerId', 'p1'), Query.greaterThan('price', 120)])],
          rows,
        ),
      ).toEqual(['a', 'b'])
      expect(
        await deliveredIds(
          [
            Query.and([
              Query.isNotNull('note'),
              Query.or([Query.equal('price', 50), Query.equal('price', 150)]),
            ]),
          ],
          rows,
        ),
      ).toEqual(['b'])
    })

    it('should let an or match a row that lacks one of its attributes', async () => {
      expect(
        await deliveredIds([Query.or([Query.equal('note', 'x'), Query.equal('price', 100)])], rows),
      ).toEqual(['b', 'c'])
    })

    it('should deliver everything with select("*") or no queries', async () => {
      expect(
        await deliveredIds([Query.select(['*']), Query.equal('providerId', 'none')], rows),
      ).toEqual(['a', 'b', 'c'])
      expect(await deliveredIds([], rows)).toEqual(['a', 'b', 'c'])
    })

    it('should flatten one level of nested query arrays like the SDK', async () => {
      const { hub, realtime } = setup()
      const { events, callback } = collect()
      await realtime.subscribe('rows', callback, [[Query.equal('providerId', 'p2')]])
      for (const row of rows) hub.publish(rowEvent({ rowId: String(row['$id']), row }))
      await flush()
      expect(events.map((e) => e.payload['$id'])).toEqual(['b'])
    })

    const refusal = async (queries: string[]) => {
      const { hub, realtime } = setup()
      const { events, callback } = collect()
      const errors: Array<[Error | undefined, number | undefined]> = []
      realtime.onError((error, code) => errors.push([error, code]))
      await realtime.subscribe('rows', callback, queries)
      hub.publish(rowEvent())
      await flush()
      expect(events).toHaveLength(0)
      expect(errors).toHaveLength(1)
      const [error, code] = errors[0]!
      expect(error).toMatchObject({ name: 'AppwriteException' })
      return { message: error!.message, code }
    }

    it('should refuse an unsupported method with the server message and code 1003', async () => {
      expect(await refusal([Query.search('status', 'pending')])).toEqual({
        message:
          "Invalid query: Query method 'search' is not supported in Realtime queries. Allowed: equal, notEqual, lessThan, lessThanEqual, greaterThan, greaterThanEqual, isNull, isNotNull, and, or, select",
        code: 1003,
      })
      expect((await refusal([Query.and([Query.equal('a', 1), Query.limit(1)])])).message).toContain(
        "'limit'",
      )
    })

    it('should refuse malformed queries like the server', async () => {
      expect(await refusal(['not json'])).toEqual({
        message: 'Invalid query: Invalid query: Syntax error',
        code: 1003,
      })
      expect(await refusal(['{"method":"nope"}'])).toEqual({
        message: 'Invalid query: Invalid query method: nope',
        code: 1003,
      })
      expect(await refusal(['"equal"'])).toEqual({
        message: 'Invalid query: Invalid query. Must be an array, got string',
        code: 1003,
      })
      expect(await refusal(['{"method":"equal","attribute":"a","values":1}'])).toEqual({
        message: 'Invalid query: Invalid query values. Must be an array, got integer',
        code: 1003,
      })
    })

    it('should answer select of anything but "*" with the server generic error', async () => {
      expect(await refusal([Query.select(['status'])])).toEqual({
        message: 'Error: Server Error',
        code: 0,
      })
    })

    it('should keep the previous registration when update() sends an invalid query', async () => {
      const { hub, realtime } = setup()
      const { events, callback } = collect()
      const onError = vi.fn()
      realtime.onError(onError)
      const sub = await realtime.subscribe('rows', callback, [
        Query.equal('providerId', 'provider-1'),
      ])

      await sub.update({ queries: [Query.search('status', 'x')] })
      hub.publish(rowEvent())
      await flush()

      expect(onError).toHaveBeenCalledTimes(1)
      expect(events).toHaveLength(1)
    })
  })

  describe('legacy client.subscribe', () => {
    it('should deliver the same event object, with subscriptions, and unsubscribe with the returned function', async () => {
      const { hub } = setup()
      const received: RealtimeResponseEvent[] = []
      const unsubscribe = hub.subscribeLegacy(['databases.main.tables.bookings.rows'], (e) =>
        received.push(e),
      )
      hub.subscribeLegacy('rows', (e) => received.push(e))

      hub.publish(rowEvent())
      await flush()
      expect(received).toHaveLength(2)
      expect(received[0]).toBe(received[1])
      expect(received[0]!.subscriptions).toHaveLength(2)

      unsubscribe()
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()
      expect(received).toHaveLength(3)
    })

    it('should filter with queries and log a refused query like the SDK', async () => {
      const { hub } = setup()
      const error = vi.spyOn(console, 'error').mockImplementation(() => {})
      const received: RealtimeResponseEvent[] = []
      hub.subscribeLegacy('rows', (e) => received.push(e), [Query.equal('status', 'accepted')])
      hub.subscribeLegacy('rows', (e) => received.push(e), [Query.limit(1)])

      hub.publish(rowEvent())
      await flush()

      expect(received).toHaveLength(0)
      expect(error).toHaveBeenCalledWith({
        code: 1003,
        message: expect.stringContaining("'limit'"),
      })
    })
  })

  describe('viewers', () => {
    const ownRowsOnly = (row: RealtimeRow, roles: readonly string[]) =>
      (row['$permissions'] as string[]).some((p) => roles.some((role) => p === `read("${role}")`))

    it('should show every row to everyone by default', async () => {
      const { hub } = setup()
      const { events, callback } = collect()
      await hub.createRealtime({ roles: ['users', 'user:stranger'] }).subscribe('rows', callback)

      hub.publish(rowEvent())
      await flush()

      expect(events).toHaveLength(1)
    })

    it('should ask the read predicate for connections with roles, and show everything to API-key connections', async () => {
      const canRead = vi.fn(ownRowsOnly)
      const { hub } = setup({ canRead })
      const customer = collect()
      const stranger = collect()
      const server = collect()
      await hub
        .createRealtime({ roles: ['users', 'user:customer-1'] })
        .subscribe('rows', customer.callback)
      await hub
        .createRealtime({ roles: ['users', 'user:stranger'] })
        .subscribe('rows', stranger.callback)
      await hub.createRealtime().subscribe('rows', server.callback)

      hub.publish(rowEvent())
      await flush()

      expect(customer.events).toHaveLength(1)
      expect(stranger.events).toHaveLength(0)
      expect(server.events).toHaveLength(1)
      expect(canRead).toHaveBeenCalledWith(
        expect.objectContaining({ $id: 'b1' }),
        ['users', 'user:stranger'],
        expect.objectContaining({ tableId: 'bookings' }),
      )
    })

    it('should read a roles function at each event and honour setReadPredicate', async () => {
      const { hub } = setup()
      let roles: string[] = ['users', 'user:stranger']
      const { events, callback } = collect()
      await hub.createRealtime({ roles: () => roles }).subscribe('rows', callback)
      hub.setReadPredicate(ownRowsOnly)

      hub.publish(rowEvent())
      roles = ['users', 'user:customer-1']
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['b2'])
    })
  })

  it('should match through the channel index, not a scan of all subscribers', async () => {
    const { hub } = setup()
    const canRead = vi.fn(() => true)
    hub.setReadPredicate(canRead)
    const realtime = hub.createRealtime({ roles: ['users'] })
    for (let i = 0; i < 10_000; i++)
      await realtime.subscribe(`databases.main.tables.other${i}.rows`, () => {})

    const start = performance.now()
    for (let i = 0; i < 20_000; i++) hub.publish(rowEvent())
    const elapsed = performance.now() - start

    // 20,000 publishes against 10,000 subscribers is 200 million checks for a scan (seconds);
    // the index makes it 16 map lookups each. The bound is loose for a shared CI machine.
    expect(elapsed).toBeLessThan(2_000)
    expect(canRead).not.toHaveBeenCalled()
  })

  it('should report a throwing callback without starving the other subscribers', async () => {
    const onCallbackError = vi.fn()
    const { hub, realtime } = setup({ onCallbackError })
    const { events, callback } = collect()
    const failure = new Error('subscriber bug')
    await realtime.subscribe('rows', () => {
      throw failure
    })
    await realtime.subscribe('rows', callback)

    hub.publish(rowEvent())
    await flush()

    expect(onCallbackError).toHaveBeenCalledWith(failure)
    expect(events).toHaveLength(1)
  })

  describe('faults', () => {
    it('should drop the next matching event and log it', async () => {
      const { hub, realtime, faults } = setup()
      const events = await subscribed(realtime)
      const rule = faults.realtime.drop({ table: 'bookings', times: 1, name: 'lost booking' })

      hub.publish(rowEvent({ tableId: 'chat_rooms', rowId: 'c1' }))
      hub.publish(rowEvent({ rowId: 'b1' }))
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['c1', 'b2'])
      expect(rule.active).toBe(false)
      expect(faults.log).toEqual([
        {
          time: START,
          kind: 'realtime.drop',
          ruleId: rule.id,
          name: 'lost booking',
          databaseId: 'main',
          table: 'bookings',
          rowId: 'b1',
          action: 'create',
        },
      ])
    })

    it('should not spend a drop on an event nobody receives', async () => {
      const { hub, realtime, faults } = setup()
      const { events, callback } = collect()
      faults.realtime.drop({ times: 1 })

      hub.publish(rowEvent({ rowId: 'unseen' }))
      await realtime.subscribe('rows', callback)
      hub.publish(rowEvent({ rowId: 'b1' }))
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['b2'])
    })

    it('should scope realtime rules by channel', async () => {
      const { hub, realtime, faults } = setup()
      const events = await subscribed(realtime)
      faults.realtime.drop({ channel: 'databases.main.tables.bookings.rows.b1' })

      hub.publish(rowEvent({ rowId: 'b1' }))
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['b2'])
    })

    it('should delay matching events on the clock, letting later events overtake them', async () => {
      const { hub, realtime, faults, clock } = setup()
      const events = await subscribed(realtime)
      faults.realtime.delay({ ms: 500, row: 'b1' })

      hub.publish(rowEvent({ rowId: 'b1' }))
      hub.publish(rowEvent({ rowId: 'b2' }))
      await flush()
      expect(events.map((e) => e.payload['$id'])).toEqual(['b2'])

      await clock.advance(499)
      expect(events).toHaveLength(1)
      await clock.advance(1)
      expect(events.map((e) => e.payload['$id'])).toEqual(['b2', 'b1'])
      expect(events[1]!.timestamp).toBe('2026-01-01T00:00:00.000+00:00')
    })

    it('should duplicate matching events', async () => {
      const { hub, realtime, faults } = setup()
      const events = await subscribed(realtime)
      faults.realtime.duplicate({ copies: 2 })

      hub.publish(rowEvent())
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['b1', 'b1', 'b1'])
      expect(faults.log).toMatchObject([{ kind: 'realtime.duplicate', copies: 2 }])
    })

    it('should cut connections on disconnect: onClose, events lost, then onOpen and resubscribe on reconnect', async () => {
      const { hub, realtime, faults } = setup()
      const { events, callback } = collect()
      const lifecycle: string[] = []
      realtime.onOpen(() => lifecycle.push('open'))
      realtime.onClose(() => lifecycle.push('close'))
      await realtime.subscribe('rows', callback)
      await flush()

      const outage = faults.realtime.disconnect()
      await flush()
      expect(lifecycle).toEqual(['open', 'close'])
      hub.publish(rowEvent({ rowId: 'lost' }))
      await flush()

      outage.reconnect()
      await flush()
      expect(lifecycle).toEqual(['open', 'close', 'open'])
      hub.publish(rowEvent({ rowId: 'after' }))
      await flush()

      expect(events.map((e) => e.payload['$id'])).toEqual(['after'])
      expect(faults.log.map((entry) => entry.kind)).toEqual([
        'realtime.disconnect',
        'realtime.reconnect',
      ])
    })

    it('should reconnect by itself after forMs', async () => {
      const { hub, realtime, faults, clock } = setup()
      const { events, callback } = collect()
      const onOpen = vi.fn()
      await realtime.subscribe('rows', callback)
      realtime.onOpen(onOpen)

      const outage = faults.realtime.disconnect({ forMs: 10_000 })
      await clock.advance(9_999)
      hub.publish(rowEvent({ rowId: 'lost' }))
      await flush()
      expect(onOpen).not.toHaveBeenCalled()

      await clock.advance(1)
      expect(onOpen).toHaveBeenCalledTimes(1)
      expect(outage.active).toBe(false)
      hub.publish(rowEvent({ rowId: 'after' }))
      await flush()
      expect(events.map((e) => e.payload['$id'])).toEqual(['after'])
      expect(faults.log).toMatchObject([
        { kind: 'realtime.disconnect', ms: 10_000, time: START },
        { kind: 'realtime.reconnect', time: START + 10_000 },
      ])
    })

    it('should cut only the given connection', async () => {
      const { hub, faults } = setup()
      const provider = hub.createRealtime()
      const customer = hub.createRealtime()
      const seenByProvider = collect()
      const seenByCustomer = collect()
      await provider.subscribe('rows', seenByProvider.callback)
      await customer.subscribe('rows', seenByCustomer.callback)

      faults.realtime.disconnect({ realtime: provider })
      hub.publish(rowEvent())
      await flush()

      expect(seenByProvider.events).toHaveLength(0)
      expect(seenByCustomer.events).toHaveLength(1)
      expect(() => faults.realtime.disconnect({ realtime: {} })).toThrow(
        /FakeRealtime created by this fake/,
      )
    })

    it('should hold subscriptions made during an outage until the reconnect', async () => {
      const { hub, faults } = setup()
      const realtime = hub.createRealtime()
      const onOpen = vi.fn()
      realtime.onOpen(onOpen)
      const { events, callback } = collect()

      faults.realtime.disconnect()
      await realtime.subscribe('rows', callback)
      hub.publish(rowEvent({ rowId: 'lost' }))
      await flush()
      expect(onOpen).not.toHaveBeenCalled()

      faults.realtime.reconnect()
      await flush()
      hub.publish(rowEvent({ rowId: 'after' }))
      await flush()

      expect(onOpen).toHaveBeenCalledTimes(1)
      expect(events.map((e) => e.payload['$id'])).toEqual(['after'])
    })

    it('should lose a delayed event whose connection was cut while it was in flight', async () => {
      const { hub, realtime, faults, clock } = setup()
      const events = await subscribed(realtime)
      faults.realtime.delay({ ms: 100, times: 1 })

      hub.publish(rowEvent({ rowId: 'in-flight' }))
      faults.realtime.disconnect({ forMs: 50 })
      await clock.advance(100)

      expect(events).toHaveLength(0)
    })

    it('should stop the legacy connection during an outage too', async () => {
      const { hub, faults } = setup()
      const received: RealtimeResponseEvent[] = []
      hub.subscribeLegacy('rows', (e) => received.push(e))

      faults.realtime.disconnect()
      hub.publish(rowEvent({ rowId: 'lost' }))
      faults.clear()
      hub.publish(rowEvent({ rowId: 'after' }))
      await flush()

      expect(received.map((e) => e.payload['$id'])).toEqual(['after'])
    })
  })

  it('should drop subscriptions and cancel events in flight on reset, without callbacks', async () => {
    const { hub, realtime, faults, clock } = setup()
    const { events, callback } = collect()
    const onClose = vi.fn()
    realtime.onClose(onClose)
    await realtime.subscribe('rows', callback)
    faults.realtime.delay({ ms: 100, times: 1 })

    hub.publish(rowEvent({ rowId: 'delayed' }))
    hub.publish(rowEvent({ rowId: 'queued' }))
    hub.reset()
    await clock.advance(100)

    expect(events).toHaveLength(0)
    expect(onClose).not.toHaveBeenCalled()
    expect(hub.subscriptionCount).toBe(0)
    expect(clock.pendingTimers()).toBe(0)

    await realtime.subscribe('rows', callback)
    hub.publish(rowEvent({ rowId: 'fresh' }))
    await flush()
    expect(events.map((e) => e.payload['$id'])).toEqual(['fresh'])
  })
})
