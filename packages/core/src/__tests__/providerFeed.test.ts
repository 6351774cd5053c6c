import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { Query } from 'appwrite'
import { describe, expect, it, vi } from 'vitest'
import type { ProviderBookingEvent } from '../index'
import type { WatchdogStateChange } from '../realtime/index'
import { createBookingGuard, createSchemaLock, isBookingGuardError } from '../index'
import { createFeedManager } from '../realtime/feed'
import type { FeedManagerOptions } from '../realtime/feed'
import { createProviderFeed } from '../realtime/providerFeed'
import { DB as db, MINIMAL_INPUT, T0, realtimeBase, settle } from './realtimeFixtures'

function setup(overrides: Partial<FeedManagerOptions> = {}, fakeOptions = {}) {
  const { clock, fake, monitor, metrics, lock, wiring, until } = realtimeBase(7, fakeOptions)
  const options: FeedManagerOptions = {
    ...wiring,
    monitor,
    metrics,
    watchdog: { watcherId: 'hb-test' },
    ...overrides,
  }
  let n = 0
  const book = async (providerId: string | null, data: Record<string, unknown> = {}) => {
    const rowId = `b${++n}`
    await fake.tablesDB.createRow({
      databaseId: db,
      tableId: 'bookings',
      rowId,
      data: {
        ...(providerId === null ? {} : { providerId }),
        customerId: 'c1',
        status: 'pending',
        ...data,
      },
    })
    await settle()
    return rowId
  }
  const update = async (rowId: string, data: Record<string, unknown>) => {
    await fake.tablesDB.updateRow({ databaseId: db, tableId: 'bookings', rowId, data })
    await settle()
  }
  return { clock, fake, monitor, metrics, lock, options, until, book, update }
}

/** Records a feed's events as `type:id:status@ms-since-T0`, the time read from `clock`. */
function recorder(clock: { now(): number } = { now: () => 0 }) {
  const seen: string[] = []
  const listener = (event: ProviderBookingEvent) =>
    seen.push(
      `${event.type}:${event.booking.$id}:${String(event.booking.status)}@${clock.now() - T0}`,
    )
  return { seen, listener }
}

/** A {@link recorder} of `feed`'s events from now on. */
function listening(
  feed: { listen(listener: (event: ProviderBookingEvent) => void): unknown },
  clock?: { now(): number },
) {
  const rec = recorder(clock)
  feed.listen(rec.listener)
  return rec
}

const ids = (events: readonly string[]) => events.map((e) => e.slice(0, e.indexOf('@')))

describe('providerFeed', () => {
  it('should deliver each new booking of its provider once, live, and show it newest first', async () => {
    const { options, until, book } = setup()
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const events: ProviderBookingEvent[] = []
    feed.listen((event) => events.push(event))
    await until(200)
    expect(feed.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })

    await book('p1')
    await book('p2')
    await book('p1')

    expect(events.map((e) => `${e.type}:${e.booking.$id}`)).toEqual(['created:b1', 'created:b3'])
    expect(feed.getSnapshot().bookings.map((b) => b.$id)).toEqual(['b3', 'b1'])
  })

  it('should deliver every version of a booking in order as created then updated', async () => {
    const { options, until, book, update, clock } = setup()
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed, clock)
    await until(100)
    const id = await book('p1')
    await until(1_000)
    await update(id, { status: 'confirmed' })
    await until(2_000)
    await update(id, { status: 'completed' })

    expect(ids(rec.seen)).toEqual([
      'created:b1:pending',
      'updated:b1:confirmed',
      'updated:b1:completed',
    ])
    expect(feed.getSnapshot().bookings).toHaveLength(1)
    expect(feed.getSnapshot().bookings[0]).toMatchObject({ $id: 'b1', status: 'completed' })
  })

  it('should deliver duplicated realtime events once', async () => {
    const { options, until, book, update, fake } = setup()
    fake.faults.realtime.duplicate({ table: 'bookings', copies: 3 })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    await book('p1')
    await until(200)
    await update('b1', { status: 'confirmed' })
    await book('p1')
    await until(500)

    expect(ids(rec.seen)).toEqual([
      'created:b1:pending',
      'updated:b1:confirmed',
      'created:b2:pending',
    ])
    expect(fake.faults.log.filter((e) => e.kind === 'realtime.duplicate')).toHaveLength(3)
  })

  it('should deliver a booking whose realtime event was dropped, once, by the next safety catch-up', async () => {
    const { options, until, book, fake, clock, metrics } = setup({ reconcileIntervalMs: 30_000 })
    fake.faults.realtime.drop({ table: 'bookings', times: 1 })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed, clock)
    await settle()
    await until(100)
    await book('p1') // dropped
    await book('p1') // delivered live
    await until(29_900)
    expect(ids(rec.seen)).toEqual(['created:b2:pending'])

    await until(30_200)
    expect(rec.seen).toEqual(['created:b2:pending@100', 'created:b1:pending@30000'])
    expect(feed.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })
    // One booking reached the provider by realtime, one only through the catch-up.
    const match = metrics.snapshot().rates.realtimeMatch
    expect(match.failures).toBe(1)
    await until(90_000)
    expect(rec.seen).toHaveLength(2)
  })

  it('should deliver delayed events in order per booking and drop a version older than one already seen', async () => {
    const { options, until, book, update, fake, clock } = setup()
    fake.faults.realtime.delay({ table: 'bookings', ms: 3_000, times: 1 })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed, clock)
    await until(100)
    await book('p1') // created event delayed to 3 100
    await until(1_000)
    await update('b1', { status: 'confirmed' }) // overtakes it
    await book('p1')
    await until(5_000)

    expect(rec.seen).toEqual(['created:b1:confirmed@1000', 'created:b2:pending@1000'])
    expect(feed.getSnapshot().bookings.find((b) => b.$id === 'b1')?.status).toBe('confirmed')
  })

  it('should poll while the socket is disconnected, then catch up and go live again after it reconnects', async () => {
    const { options, until, book, fake, clock } = setup()
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed, clock)
    const states: string[] = []
    feed.subscribe(() => {
      const { connection } = feed.getSnapshot()
      if (states.at(-1) !== connection) states.push(connection)
    })
    await until(1_000)
    fake.faults.realtime.disconnect({ forMs: 30_000 }) // down from 1 000 to 31 000
    await settle()
    expect(feed.getSnapshot().connection).toBe('reconnecting')
    await until(2_000)
    await book('p1')
    await until(12_500)
    await book('p1')
    await book('p2')
    await until(40_000)
    await book('p1')
    await until(40_500)

    // Polling every 5 s found the bookings made during the outage; realtime delivers the last one.
    expect(rec.seen).toEqual([
      'created:b1:pending@6000',
      'created:b2:pending@16000',
      'created:b4:pending@40000',
    ])
    expect(states).toEqual(['live', 'reconnecting', 'polling', 'live'])
    expect(feed.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })
  })

  it('should detect a silent socket within interval + timeout, poll meanwhile, and recover on the next echo', async () => {
    const { options, until, book, fake, clock, monitor } = setup()
    const feeds = createFeedManager(options)
    const feed = feeds.providerFeed('p1')
    const rec = listening(feed, clock)
    const transitions: WatchdogStateChange[] = []
    feeds.watchdog!.onStateChange((event) => transitions.push(event))
    await settle()
    await until(1_000)
    // Connected, but nothing arrives any more: not bookings, not canaries.
    const silence = fake.faults.realtime.drop({})
    await book('p1')
    await until(24_000)
    expect(feed.getSnapshot()).toMatchObject({ connection: 'polling', watchdog: 'degraded' })
    await until(30_000)
    silence.remove()
    await book('p1')
    await until(36_000)

    expect(transitions.map((t) => [t.from, t.to, t.at - T0, t.silentForMs])).toEqual([
      ['connecting', 'healthy', 0, null],
      ['healthy', 'degraded', 20_000, 20_000],
      ['degraded', 'dead', 25_000, 25_000],
      ['dead', 'healthy', 35_000, null],
    ])
    // b1 through polling after detection (20 s), b2 through polling while dead; nothing twice.
    expect(rec.seen).toEqual(['created:b1:pending@20000', 'created:b2:pending@30000'])
    expect(feed.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })
    expect(
      monitor.entries().filter((e) => e.severity === 'critical' && e.category === 'realtime'),
    ).toHaveLength(2)
  })

  it('should match legacy therapistId rows, live and in catch-ups', async () => {
    const { options, until, book, fake } = setup({ reconcileIntervalMs: 10_000 })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    await book(null, { therapistId: 'p1' }) // live
    fake.faults.realtime.drop({ table: 'bookings', times: 1 })
    await book(null, { therapistId: 'p1' }) // dropped: found by the catch-up's legacy-aware query
    await book(null, { therapistId: 'p2' })
    await until(10_500)

    expect(ids(rec.seen)).toEqual(['created:b1:pending', 'created:b2:pending'])
    expect(feed.getSnapshot().bookings.map((b) => [b.$id, b.providerId])).toEqual([
      ['b2', 'p1'],
      ['b1', 'p1'],
    ])
  })

  it('should route by index without normalizing events nobody follows, the canonical providerId winning', async () => {
    const { options, until, book, lock } = setup()
    const normalize = vi.spyOn(lock, 'normalize')
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    normalize.mockClear()
    await book('p2')
    await book('p3')
    expect(normalize.mock.calls.filter(([kind]) => kind === 'booking')).toEqual([])
    await book('p2', { therapistId: 'p1' }) // conflicting legacy field: providerId wins
    await book('p1')

    expect(ids(rec.seen)).toEqual(['created:b4:pending'])
  })

  it('should fall back to the canonical column when the table has no legacy column', async () => {
    const { options, until, book, fake } = setup(
      { reconcileIntervalMs: 10_000 },
      {
        databases: {
          main: {
            tables: {
              bookings: {
                columns: [
                  { key: 'providerId', type: 'string', size: 36 },
                  { key: 'customerId', type: 'string', size: 36 },
                  { key: 'status', type: 'string', size: 20 },
                ],
              },
              heartbeats: {},
            },
          },
        },
      },
    )
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    fake.faults.realtime.drop({ table: 'bookings', times: 1 })
    await book('p1')
    await until(10_500)

    expect(ids(rec.seen)).toEqual(['created:b1:pending'])
    expect(feed.getSnapshot().connection).toBe('live')
  })

  it('should never deliver nor show synthetic bookings', async () => {
    const { options, until, book, fake } = setup({ reconcileIntervalMs: 10_000 })
    await book('p1', { synthetic: true })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = recorder()
    feed.listen(rec.listener, { since: 0 })
    await until(100)
    await book('p1', { synthetic: true }) // live
    fake.faults.realtime.drop({ table: 'bookings', times: 1 })
    await book('p1', { synthetic: true }) // only a catch-up can see it
    await book('p1')
    await until(10_500)

    expect(ids(rec.seen)).toEqual(['created:b4:pending'])
    expect(feed.getSnapshot().bookings.map((b) => b.$id)).toEqual(['b4'])
  })

  it('should hold back versions the pipeline has not delivered, and never show compensated bookings', async () => {
    const { options, until, book, update } = setup({ reconcileIntervalMs: 10_000 })
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    await book('p1', { pipelineStatus: 'pending' })
    await book('p1', { pipelineStatus: 'pending' })
    await until(10_500)
    expect(rec.seen).toEqual([])
    expect(feed.getSnapshot().bookings).toEqual([])
    await update('b1', { pipelineStatus: 'delivered' })
    await update('b2', { pipelineStatus: 'failed' })
    await until(11_000)
    await update('b1', { status: 'confirmed', pipelineStatus: 'pending' }) // a transition in flight
    await until(21_000)

    expect(ids(rec.seen)).toEqual(['created:b1:pending'])
    expect(feed.getSnapshot().bookings.map((b) => [b.$id, b.status])).toEqual([['b1', 'pending']])
  })

  it('should never show a compensated booking that a late write set back to delivered', async () => {
    const { options, until, book, update, fake } = setup({ reconcileIntervalMs: 10_000 })
    // Compensated: failed and void (the epoch response deadline no later write clears).
    const voided = { pipelineStatus: 'failed', responseDeadline: '1970-01-01T00:00:00.000Z' }
    await book('p1', voided)
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = recorder()
    feed.listen(rec.listener, { since: 0 })
    await until(100)
    await update('b1', { pipelineStatus: 'delivered' }) // the late deliver write lands
    await book('p1', { ...voided, pipelineStatus: 'delivered' }) // seen live
    fake.faults.realtime.drop({ table: 'bookings', times: 1 })
    await book('p1', { ...voided, pipelineStatus: 'delivered' }) // seen only by a catch-up
    await book('p1')
    await until(10_500)

    expect(ids(rec.seen)).toEqual(['created:b4:pending'])
    expect(feed.getSnapshot().bookings.map((b) => b.$id)).toEqual(['b4'])
  })

  it('should load existing bookings into the snapshot without events, unless newer than `since`', async () => {
    const { options, until, book, clock } = setup()
    await book('p1')
    await until(1_000)
    await book('p1')
    await until(2_000)
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const quiet = recorder()
    feed.listen(quiet.listener)
    const replay = recorder()
    feed.listen(replay.listener, { since: new Date(T0 + 500) })
    await until(2_100)
    expect(feed.getSnapshot().bookings.map((b) => b.$id)).toEqual(['b2', 'b1'])
    expect(quiet.seen).toEqual([])
    expect(ids(replay.seen)).toEqual(['created:b2:pending'])

    // A listener that joins a running feed gets what it holds newer than its `since`, oldest first.
    const late = recorder()
    feed.listen(late.listener, { since: clock.now() - 10_000 })
    expect(ids(late.seen)).toEqual(['created:b1:pending', 'created:b2:pending'])
  })

  it('should deliver only the bookings the provider may read, each once, when permissions hide others', async () => {
    const { options, until, fake } = setup({ reconcileIntervalMs: 10_000 })
    const provider = fake.as('user:p1')
    const perms = (...users: string[]) => users.map((u) => `read("user:${u}")`)
    const feed = createProviderFeed({
      ...options,
      tablesDB: provider.tablesDB,
      realtime: provider.realtime,
      providerId: 'p1',
      watchdog: {
        watcherId: 'hb-p1',
        heartbeatPermissions: ['read("user:p1")', 'update("user:p1")', 'delete("user:p1")'],
      },
    })
    const rec = listening(feed)
    await until(100)
    expect(feed.getSnapshot()).toMatchObject({ connection: 'live', watchdog: 'healthy' })
    const create = (rowId: string, providerId: string, permissions: string[]) =>
      fake.tablesDB.createRow({
        databaseId: db,
        tableId: 'bookings',
        rowId,
        data: { providerId, customerId: 'c1', status: 'pending' },
        permissions,
      })
    await create('visible', 'p1', perms('c1', 'p1'))
    await create('hidden', 'p1', perms('c1')) // a booking the provider cannot read
    await create('other', 'p2', perms('c1', 'p2'))
    await settle()
    await until(10_500)
    expect(ids(rec.seen)).toEqual(['created:visible:pending'])

    // Fixing the permissions makes the hidden booking appear, once.
    await fake.tablesDB.updateRow({
      databaseId: db,
      tableId: 'bookings',
      rowId: 'hidden',
      permissions: perms('c1', 'p1'),
    })
    await until(21_000)
    expect(ids(rec.seen)).toEqual(['created:visible:pending', 'created:hidden:pending'])
  })

  it('should serve many providers over one realtime subscription, routing each booking to its provider', async () => {
    const { options, until, book, fake } = setup()
    const subscribe = vi.spyOn(fake.realtime, 'subscribe')
    const feeds = createFeedManager(options)
    const seen = new Map<string, string[]>()
    for (const providerId of ['p1', 'p2', 'p3']) {
      feeds.subscribeToProviderBookings(providerId, (event) => {
        seen.set(providerId, [...(seen.get(providerId) ?? []), event.booking.$id])
      })
    }
    await until(100)
    await book('p2')
    await book('p3')
    await book('p9')
    await book('p2')

    expect(subscribe).toHaveBeenCalledTimes(1)
    expect(subscribe.mock.calls[0]![0]).toEqual([
      'databases.main.collections.bookings.documents',
      'databases.main.collections.heartbeats.documents',
    ])
    expect(Object.fromEntries(seen)).toEqual({ p2: ['b1', 'b4'], p3: ['b2'] })
  })

  it('should share one feed per provider and stop realtime, timers and the heartbeat when the last listener leaves', async () => {
    const { options, until, book, fake, clock } = setup()
    const feeds = createFeedManager(options)
    const a = feeds.providerFeed('p1')
    const stopA = a.listen(() => {})
    expect(feeds.providerFeed('p1')).toBe(a)
    const stopB = feeds.subscribeToProviderBookings('p1', () => {})
    await until(100)
    expect(fake.snapshot().main?.heartbeats).toHaveLength(1)
    stopA()
    expect(a.getSnapshot().connection).toBe('live')
    stopB()
    await settle()

    expect(a.getSnapshot().connection).toBe('offline')
    expect(clock.pendingTimers()).toBe(0)
    expect(fake.snapshot().main?.heartbeats).toEqual([])
    const after = a.getSnapshot()
    await book('p1')
    expect(a.getSnapshot()).toBe(after)
  })

  it('should keep the snapshot object stable until something changes, for useSyncExternalStore', async () => {
    const { options, until, book } = setup()
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    let notified = 0
    feed.subscribe(() => notified++)
    await until(100)
    const first = feed.getSnapshot()
    expect(feed.getSnapshot()).toBe(first)
    const before = notified
    await book('p1')

    const second = feed.getSnapshot()
    expect(second).not.toBe(first)
    expect(notified).toBe(before + 1)
    expect(second.lastEventAt).toBe(T0 + 100)
    expect(Object.isFrozen(second) && Object.isFrozen(second.bookings)).toBe(true)
    expect(first.bookings).toEqual([])
  })

  it('should report offline while catch-up queries fail, and recover when they succeed', async () => {
    const { options, until, book, fake, monitor } = setup()
    const feed = createProviderFeed({ ...options, providerId: 'p1' })
    const rec = listening(feed)
    await until(100)
    fake.faults.realtime.disconnect({ forMs: 20_000 })
    const failing = fake.faults.fail({ operation: 'listRows', error: 'network' })
    await book('p1')
    await until(6_000)
    expect(feed.getSnapshot().connection).toBe('offline')
    expect(monitor.entries().some((e) => e.operation === 'feed.catchUp')).toBe(true)
    failing.remove()
    await until(11_000)

    expect(ids(rec.seen)).toEqual(['created:b1:pending'])
    expect(feed.getSnapshot().connection).toBe('reconnecting')
  })

  it('should reject an empty provider id and a bad `since`', () => {
    const { options } = setup()
    const feeds = createFeedManager(options)
    expect(() => feeds.providerFeed('')).toThrow(/`providerId` must be a non-empty string/)
    expect(() => feeds.providerFeed('p1').listen(() => {}, { since: 'yesterday' })).toThrow(
      /`since` must be/,
    )
    expect(() => createFeedManager({ ...options, pollIntervalMs: 0 })).toThrow(/pollIntervalMs/)
  })

  describe('catch-up', () => {
    /** Writes `count` bookings in one instant (bulk calls of 100), spread over `providerIds`. */
    async function burst(
      fake: ReturnType<typeof createFakeAppwrite>,
      prefix: string,
      count: number,
      providerIds: readonly string[],
    ) {
      for (let i = 0; i < count; i += 100) {
        const rows = Array.from({ length: Math.min(100, count - i) }, (_, k) => ({
          $id: `${prefix}${String(i + k).padStart(5, '0')}`,
          providerId: providerIds[(i + k) % providerIds.length]!,
          customerId: 'c1',
          status: 'pending',
        }))
        await fake.tablesDB.createRows({ databaseId: db, tableId: 'bookings', rows })
      }
      await settle()
    }

    interface ListCall {
      readonly at: number
      readonly raw: readonly string[]
      readonly queries: ReadonlyArray<{ method: string; attribute?: string; values?: unknown[] }>
      readonly rows: number
    }

    /** Records every list call on `bookings`: when, its queries, and how many rows came back. */
    function listCalls(fake: ReturnType<typeof createFakeAppwrite>, clock: { now(): number }) {
      const calls: ListCall[] = []
      const original = fake.tablesDB.listRows.bind(fake.tablesDB)
      vi.spyOn(fake.tablesDB, 'listRows').mockImplementation((async (params: {
        tableId: string
        queries?: string[]
      }) => {
        const result = (await original(params as never)) as { rows: unknown[] }
        if (params.tableId === 'bookings') {
          const raw = params.queries ?? []
          calls.push({
            at: clock.now() - T0,
            raw,
            queries: raw.map((q) => JSON.parse(q) as ListCall['queries'][number]),
            rows: result.rows.length,
          })
        }
        return result
      }) as never)
      return calls
    }

    /** The provider ids a call filters on (`providerId`, alone or beside its legacy alias). */
    const providersOf = (call: ListCall): unknown[] | undefined => {
      const filter = call.queries[0]!
      const equal =
        filter.method === 'or'
          ? (filter.values as Array<{ attribute: string; values: unknown[] }>).find(
              (q) => q.attribute === 'providerId',
            )
          : filter
      return equal?.attribute === 'providerId' ? equal.values : undefined
    }

    it('should deliver all of 2,500 bookings missed while the socket was down, each once, after one reconnect', async () => {
      const { options, until, fake, clock } = setup({
        pollIntervalMs: 60_000,
        reconcileIntervalMs: 60_000,
      })
      const calls = listCalls(fake, clock)
      const feed = createProviderFeed({ ...options, providerId: 'p1' })
      const seen: string[] = []
      feed.listen((event) => seen.push(`${event.type}:${event.booking.$id}`))
      await until(1_000)
      fake.faults.realtime.disconnect({ forMs: 10_000 }) // down from 1 000 to 11 000
      await until(5_000)
      // One burst, one millisecond: 2,500 for p1 among 3,750 rows, all with the same `$updatedAt`.
      await burst(fake, 'x', 3_750, ['p1', 'p1', 'p2'])
      await until(10_900)
      expect(seen).toEqual([])
      await until(11_500)

      const expected = Array.from({ length: 3_750 }, (_, i) => i)
        .filter((i) => i % 3 !== 2)
        .map((i) => `created:x${String(i).padStart(5, '0')}`)
      expect(seen).toEqual(expected) // each once, in (`$updatedAt`, `$id`) order
      expect(feed.getSnapshot()).toMatchObject({ connection: 'live' })
      expect(feed.getSnapshot().bookings).toHaveLength(2_500)
      // One pass: 25 full pages and the short one that ends it.
      const reconnect = calls.filter((c) => c.at >= 11_000)
      expect(reconnect.map((c) => c.rows)).toEqual([...Array<number>(25).fill(100), 0])
      expect(reconnect.every((c) => providersOf(c)?.join() === 'p1')).toBe(true)

      // Later passes start after the burst: one request each, no rows read again.
      await until(72_000)
      const later = calls.filter((c) => c.at > 11_500)
      expect(later.map((c) => [c.at, c.rows])).toEqual([[71_000, 0]])
      expect(seen).toHaveLength(2_500)
    })

    it('should keep the provider filter with 150 followed providers, in chunks Appwrite accepts', async () => {
      const { options, until, fake, clock } = setup({
        pollIntervalMs: 60_000,
        reconcileIntervalMs: 60_000,
      })
      const calls = listCalls(fake, clock)
      const feeds = createFeedManager(options)
      // 36 characters, Appwrite's longest id: 100 of them (twice, with `therapistId`) exceed 4,096.
      const followed = Array.from(
        { length: 150 },
        (_, i) => `provider-${String(i).padStart(3, '0')}-${'x'.repeat(23)}`,
      )
      const seen = new Map<string, string[]>()
      for (const providerId of followed) {
        feeds.subscribeToProviderBookings(providerId, (event) => {
          seen.set(providerId, [...(seen.get(providerId) ?? []), event.booking.$id])
        })
      }
      await until(1_000)
      fake.faults.realtime.disconnect({ forMs: 10_000 })
      await until(5_000)
      const others = Array.from({ length: 50 }, (_, i) => `other-${i}`)
      await burst(fake, 'o', 3_000, others) // rows of providers nobody follows
      await burst(fake, 'f', 450, followed) // 3 for each followed provider
      await until(11_500)

      expect(seen.size).toBe(150)
      followed.forEach((providerId, i) => {
        expect(seen.get(providerId)).toEqual(
          [i, i + 150, i + 300].map((n) => `f${String(n).padStart(5, '0')}`),
        )
      })
      const reconnect = calls.filter((c) => c.at >= 11_000)
      const chunks = reconnect.map(providersOf)
      expect(chunks.every((values) => values !== undefined && values.length <= 100)).toBe(true)
      expect(new Set(chunks.flat())).toEqual(new Set(followed))
      expect(reconnect.flatMap((c) => c.raw).every((q) => q.length <= 4_096)).toBe(true)
      // Only followed rows were read: 450 of 3,450.
      expect(reconnect.reduce((sum, c) => sum + c.rows, 0)).toBe(450)
    })

    it('should deliver a bulk update of 2,500 rows sharing one `$updatedAt`, each once', async () => {
      const { options, until, fake } = setup({
        pollIntervalMs: 60_000,
        reconcileIntervalMs: 60_000,
      })
      await burst(fake, 'x', 2_500, ['p1'])
      await until(10_000) // history by the time the feed starts
      const feed = createProviderFeed({ ...options, providerId: 'p1' })
      const seen: string[] = []
      feed.listen((event) =>
        seen.push(`${event.type}:${event.booking.$id}:${String(event.booking.status)}`),
      )
      await until(11_000)
      expect(feed.getSnapshot().bookings).toHaveLength(50) // the initial load, no events
      expect(seen).toEqual([])
      fake.faults.realtime.disconnect({ forMs: 10_000 }) // down from 11 000 to 21 000
      await until(13_000)
      const { total } = await fake.tablesDB.updateRows({
        databaseId: db,
        tableId: 'bookings',
        data: { status: 'confirmed' },
        queries: [Query.equal('providerId', 'p1')],
      })
      expect(total).toBe(2_500)
      await until(22_500)

      expect(seen).toHaveLength(2_500)
      expect(new Set(seen).size).toBe(2_500)
      expect(seen.every((e) => e.endsWith(':confirmed'))).toBe(true)
      // The 50 loaded rows are updates; the feed never saw the others before.
      expect(seen.filter((e) => e.startsWith('updated:'))).toHaveLength(50)
      expect(feed.getSnapshot().bookings.every((b) => b.status === 'confirmed')).toBe(true)
      expect(feed.getSnapshot().bookings).toHaveLength(2_500)
    })

    it('should place the catch-up window by the server clock when the local clock runs ahead', async () => {
      const server = createManualClock({ now: T0 })
      // The device's clock is a minute fast; `$updatedAt` and event timestamps are the server's.
      const local = {
        now: () => server.now() + 60_000,
        setTimeout: server.setTimeout,
        clearTimeout: server.clearTimeout,
      }
      const fake = createFakeAppwrite({ clock: server, seed: 7 })
      const feed = createProviderFeed({
        tablesDB: fake.tablesDB,
        realtime: fake.realtime,
        databaseId: db,
        lock: createSchemaLock({ onIssue: () => {} }),
        clock: local,
        reconcileIntervalMs: 10_000,
        watchdog: { watcherId: 'hb-skew' },
        providerId: 'p1',
      })
      const seen: string[] = []
      feed.listen((event) => seen.push(event.booking.$id), { since: 0 })
      const until = async (at: number) => {
        while (server.now() < T0 + at) {
          await server.advance(Math.min(100, T0 + at - server.now()))
          await settle()
        }
      }
      await until(65_000)
      fake.faults.realtime.drop({ table: 'bookings', times: 1 })
      await fake.tablesDB.createRow({
        databaseId: db,
        tableId: 'bookings',
        rowId: 'late',
        data: { providerId: 'p1', customerId: 'c1', status: 'pending' },
      })
      // A window placed by the local clock would start a minute after this booking.
      await until(76_000)

      expect(seen).toEqual(['late'])
    })

    it('should resume a long catch-up where a failed request stopped it, and converge', async () => {
      const { options, until, fake, clock, monitor } = setup({ reconcileIntervalMs: 60_000 })
      const calls = listCalls(fake, clock)
      const feed = createProviderFeed({ ...options, providerId: 'p1' })
      const seen: string[] = []
      feed.listen((event) => seen.push(event.booking.$id))
      await until(1_000)
      fake.faults.realtime.disconnect({ forMs: 10_000 })
      await until(5_000)
      await burst(fake, 'x', 2_500, ['p1'])
      // Every fourth catch-up request fails: a pass of 26 requests could never finish at once.
      const failing = fake.faults.fail({
        operation: 'listRows',
        table: 'bookings',
        error: 'network',
        rate: 0.25,
        seed: 3,
      })
      await until(60_000)
      failing.remove()

      expect(seen).toHaveLength(2_500)
      expect(new Set(seen).size).toBe(2_500)
      expect(
        monitor.entries().filter((e) => e.operation === 'feed.catchUp').length,
      ).toBeGreaterThan(0)
      // Each page was read once: failures cost a retry of that request only.
      const full = calls.filter((c) => c.rows === 100)
      expect(full).toHaveLength(25)
    })
  })

  describe('guard', () => {
    function guardSetup() {
      const base = realtimeBase(9, { declared: true })
      const { clock, fake, until } = base
      const guard = base.guard({
        mode: 'saga',
        watchdog: { watcherId: 'hb-guard' },
      })
      return { clock, fake, guard, until, input: MINIMAL_INPUT }
    }

    it('should deliver bookings made and answered through the guard once each, in order', async () => {
      const { guard, until, input, clock } = guardSetup()
      const rec = recorder(clock)
      const stop = guard.subscribeToProviderBookings('p1', rec.listener)
      await settle()
      await until(100)
      const created = guard.createBooking(input, { idempotencyKey: 'form-1' })
      await until(1_000)
      const { booking } = await created
      const accepted = guard.respondToBooking(booking.$id, { providerId: 'p1', response: 'accept' })
      await until(2_000)
      await accepted

      // The saga's `pipelineStatus: 'pending'` versions are held back: only delivered states show.
      expect(ids(rec.seen).map((e) => e.replace(booking.$id, 'B'))).toEqual([
        'created:B:pending',
        'updated:B:confirmed',
      ])
      expect(guard.providerFeed('p1').getSnapshot().bookings[0]?.pipelineStatus).toBe('delivered')
      expect(guard.providerFeed('p1').getSnapshot()).toMatchObject({
        connection: 'live',
        watchdog: 'healthy',
        bookings: [{ $id: booking.$id, status: 'confirmed', pipelineStatus: 'delivered' }],
      })
      stop()
    })

    it('should share its feeds’ watchdog through guard.watchdog(), one canary writer for both', async () => {
      const { guard, fake, until } = guardSetup()
      const watchdog = guard.watchdog()!
      expect(guard.watchdog()).toBe(watchdog)
      expect(watchdog.watcherId).toBe('hb-guard')
      expect(watchdog.getSnapshot().running).toBe(false)

      const stopFeed = guard.subscribeToProviderBookings('p1', () => {})
      const states: string[] = []
      const stopBanner = watchdog.onStateChange(({ to }) => states.push(to))
      await settle()
      await until(20_000)
      expect(watchdog.getSnapshot()).toMatchObject({ running: true, state: 'healthy' })
      expect(guard.providerFeed('p1').getSnapshot().watchdog).toBe('healthy')
      const writers = new Set(fake.snapshot()[db]?.heartbeats?.map((row) => row.$id))
      expect(writers).toEqual(new Set(['hb-guard']))

      // The banner leaving does not stop the feeds' watchdog; the last user does.
      stopBanner()
      expect(watchdog.getSnapshot().running).toBe(true)
      stopFeed()
      expect(watchdog.getSnapshot().running).toBe(false)
    })

    it('should have no shared watchdog when created with `watchdog: false`', () => {
      const fake = createFakeAppwrite()
      const guard = createBookingGuard({
        tablesDB: fake.tablesDB,
        realtime: fake.realtime,
        databaseId: db,
        watchdog: false,
      })
      expect(guard.watchdog()).toBeUndefined()
    })

    it('should keep health check bookings out of the synthetic provider’s feed', async () => {
      const { guard, until } = guardSetup()
      const rec = recorder()
      guard.subscribeToProviderBookings('booking-guard-synthetic-provider', rec.listener)
      await settle()
      const run = guard.runHealthCheck()
      await until(10_000)

      expect((await run).ok).toBe(true)
      expect(rec.seen).toEqual([])
    })

    it('should say that realtime is needed when the guard has none', () => {
      const fake = createFakeAppwrite()
      const guard = createBookingGuard({ tablesDB: fake.tablesDB, databaseId: db })
      let error: unknown
      try {
        guard.subscribeToProviderBookings('p1', () => {})
      } catch (caught) {
        error = caught
      }
      expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
      expect((error as Error).message).toMatch(/guard\.subscribeToProviderBookings needs realtime/)
    })

    it('should reject an invalid watchdog configuration when the guard is created', () => {
      const fake = createFakeAppwrite()
      expect(() =>
        createBookingGuard({
          tablesDB: fake.tablesDB,
          realtime: fake.realtime,
          databaseId: db,
          watchdog: { timeoutMs: -5 },
        }),
      ).toThrow(/`watchdog`: `timeoutMs`/)
    })
  })
})
