import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import type { WatchdogOptions, WatchdogStateChange } from '../realtime/index'
import { isBookingGuardError } from '../index'
import { createWatchdog } from '../realtime/watchdog'
import { DB as db, T0, realtimeBase, settle } from './realtimeFixtures'

function setup(overrides: Partial<WatchdogOptions> = {}) {
  const { clock, fake, monitor, metrics, until } = realtimeBase(3)
  const watchdog = createWatchdog({
    tablesDB: fake.tablesDB,
    realtime: fake.realtime,
    databaseId: db,
    watcherId: 'hb-1',
    clock,
    monitor,
    metrics,
    ...overrides,
  })
  const transitions: WatchdogStateChange[] = []
  /** Starts the watchdog and lets its first subscription and canary settle at T0. */
  const start = async () => {
    const stop = watchdog.onStateChange((event) => transitions.push(event))
    await settle()
    return stop
  }
  const table = () =>
    transitions.map((t) => [t.from, t.to, t.reason, t.at - T0, t.silentForMs] as const)
  return { clock, fake, monitor, metrics, watchdog, transitions, start, until, table }
}

describe('watchdog', () => {
  it('should become healthy when its first canary comes back, and write one heartbeat row per watcher', async () => {
    const { watchdog, start, until, table, fake, metrics } = setup()
    expect(watchdog.getSnapshot()).toMatchObject({ state: 'connecting', running: false })
    await start()

    expect(table()).toEqual([['connecting', 'healthy', 'canaryEcho', 0, null]])
    expect(watchdog.getSnapshot()).toMatchObject({
      state: 'healthy',
      running: true,
      lastEchoAt: T0,
      lastLatencyMs: 0,
      consecutiveMisses: 0,
    })
    await until(60_000)
    const rows = fake.snapshot().main?.heartbeats ?? []
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      $id: 'hb-1',
      channelKey: 'databases.main.collections.heartbeats.documents',
      sentAt: new Date(T0 + 60_000).toISOString(),
    })
    // One echo per 15 s: at 0, 15, 30, 45 and 60 s.
    expect(metrics.snapshot().rates.realtimeMatch).toMatchObject({ total: 5, totalFailures: 0 })
  })

  it('should stay healthy as a signed-in user with the default heartbeat permissions', async () => {
    // Regression: an explicit `permissions: []` left the heartbeat row unreadable by the very user
    // who wrote it (no realtime echo) and its next upsert was refused with a 401.
    const { clock, fake } = realtimeBase(3)
    const provider = fake.as('user:p1')
    const watchdog = createWatchdog({
      tablesDB: provider.tablesDB,
      realtime: provider.realtime,
      databaseId: db,
      watcherId: 'hb-p1',
      clock,
    })
    const states: string[] = []
    watchdog.onStateChange((event) => states.push(event.to))
    await settle()
    for (let i = 0; i < 3; i++) {
      await clock.advance(15_000)
      await settle()
    }

    expect(states).toEqual(['healthy'])
    expect(watchdog.getSnapshot()).toMatchObject({ state: 'healthy', consecutiveMisses: 0 })
    const [row] = fake.snapshot().main?.heartbeats ?? []
    expect(row?.$permissions).toEqual(['read("user:p1")', 'update("user:p1")', 'delete("user:p1")'])
    expect(row?.sentAt).toBe(new Date(T0 + 45_000).toISOString())
  })

  it('should detect a subscription that dies right after a canary within 20 s with the defaults, then call it dead', async () => {
    const { start, until, table, fake, monitor } = setup()
    await start()
    await until(100)
    fake.faults.realtime.drop({}) // the socket stays "connected" but nothing arrives

    await until(19_900)
    expect(table()).toHaveLength(1)
    await until(30_000)
    expect(table()).toEqual([
      ['connecting', 'healthy', 'canaryEcho', 0, null],
      ['healthy', 'degraded', 'canaryMissed', 20_000, 20_000],
      ['degraded', 'dead', 'canaryMissed', 25_000, 25_000],
    ])
    const critical = monitor.entries().filter((e) => e.severity === 'critical')
    expect(critical.map((e) => [e.category, e.operation, e.context?.to])).toEqual([
      ['realtime', 'watchdog', 'degraded'],
      ['realtime', 'watchdog', 'dead'],
    ])
    expect(critical[0]!.message).toMatch(/hb-1.*degraded.*not received within 5000 ms/)
  })

  it('should detect within interval + timeout wherever in the interval the subscription dies', async () => {
    for (const diesAt of [1_000, 7_500, 14_900]) {
      const { start, until, transitions, fake } = setup()
      await start()
      await until(diesAt)
      fake.faults.realtime.drop({})
      await until(40_000)
      const degraded = transitions.find((t) => t.to === 'degraded')!
      expect(degraded.at - T0 - diesAt).toBeLessThanOrEqual(20_000)
      expect(degraded.at - T0).toBe(20_000)
    }
  })

  it('should follow a custom interval, timeout and dead threshold', async () => {
    const { start, until, table, fake } = setup({
      intervalMs: 5_000,
      timeoutMs: 1_000,
      deadAfterMisses: 3,
    })
    await start()
    fake.faults.realtime.drop({ table: 'heartbeats' })
    await until(20_000)

    // Misses at 6 s (degraded), then 7 s, then (next interval) 12 s makes three: dead.
    expect(table()).toEqual([
      ['connecting', 'healthy', 'canaryEcho', 0, null],
      ['healthy', 'degraded', 'canaryMissed', 6_000, 6_000],
      ['degraded', 'dead', 'canaryMissed', 12_000, 12_000],
    ])
  })

  it('should resubscribe after a miss and recover on the next echo, feeding the match rate', async () => {
    const { start, until, table, fake, metrics, watchdog } = setup()
    await start()
    const silence = fake.faults.realtime.drop({})
    await until(26_000)
    silence.remove()
    await until(36_000)

    expect(table().map(([from, to, , at]) => `${from}>${to}@${at}`)).toEqual([
      'connecting>healthy@0',
      'healthy>degraded@20000',
      'degraded>dead@25000',
      'dead>healthy@35000',
    ])
    expect(watchdog.getSnapshot()).toMatchObject({ state: 'healthy', consecutiveMisses: 0 })
    // Echo at 0 s, misses at 20 and 25 s (canaries of 15 and 20 s), echo at 35 s.
    expect(metrics.snapshot().rates.realtimeMatch).toMatchObject({ total: 4, totalFailures: 2 })
  })

  it('should recover as soon as the socket reopens after a disconnect', async () => {
    const { start, until, table, fake } = setup()
    await start()
    fake.faults.realtime.disconnect({ forMs: 30_000 })
    await until(31_000)

    expect(table().map(([from, to, , at]) => `${from}>${to}@${at}`)).toEqual([
      'connecting>healthy@0',
      'healthy>degraded@20000',
      'degraded>dead@25000',
      'dead>healthy@30000',
    ])
  })

  it('should count an echo that arrives after its timeout as a miss', async () => {
    const { start, until, table, fake } = setup()
    await start()
    fake.faults.realtime.delay({ table: 'heartbeats', ms: 6_000, times: 1 })
    await until(21_000)

    expect(table().map(([from, to, , at]) => `${from}>${to}@${at}`)).toEqual([
      'connecting>healthy@0',
      'healthy>degraded@20000',
      'degraded>healthy@20000',
    ])
  })

  it('should not count a failed heartbeat write as a realtime miss, and report it', async () => {
    const { start, until, table, fake, monitor } = setup()
    await start()
    const failing = fake.faults.fail({
      operation: 'upsertRow',
      table: 'heartbeats',
      error: 'network',
    })
    await until(40_000)
    expect(table()).toHaveLength(1)
    expect(monitor.entries().filter((e) => e.operation === 'watchdog.canary')).toHaveLength(2)
    failing.remove()
    fake.faults.realtime.drop({})
    await until(51_000)

    // The canary of 45 s is the first one written: its miss, 5 s later, is the first failure.
    expect(table().at(-1)).toEqual(['healthy', 'degraded', 'canaryMissed', 50_000, 50_000])
  })

  it('should ignore heartbeats of other watchers and echoes of older canaries', async () => {
    const { start, until, table, fake, clock } = setup()
    const other = createWatchdog({
      tablesDB: fake.tablesDB,
      realtime: fake.realtime,
      databaseId: db,
      watcherId: 'hb-2',
      clock,
    })
    await start()
    other.onStateChange(() => {})
    await settle()
    expect(other.getSnapshot().state).toBe('healthy')
    // hb-1's canaries are lost from now on; hb-2's keep arriving, and so does a stale hb-1 value.
    const stale = new Date(T0).toISOString()
    fake.faults.realtime.drop({ row: 'hb-1', when: (event) => event.row.sentAt !== stale })
    await until(16_000)
    await fake.tablesDB.upsertRow({
      databaseId: db,
      tableId: 'heartbeats',
      rowId: 'hb-1',
      data: { channelKey: 'x', sentAt: stale },
    })
    await until(21_000)

    // The stale echo at 16 s was the last event: it proves the socket, not the canary of 15 s.
    expect(table().at(-1)).toEqual(['healthy', 'degraded', 'canaryMissed', 20_000, 4_000])
    expect(other.getSnapshot().state).toBe('healthy')
  })

  it('should detect silence passively while activity is expected, and recover on activity', async () => {
    let expected = false
    const { start, until, table, fake } = setup({
      intervalMs: 0,
      silenceMs: 30_000,
      activityExpected: () => expected,
    })
    await start()
    await until(70_000)
    expect(table()).toEqual([['connecting', 'healthy', 'subscribed', 0, null]])
    expected = true
    await until(95_000)
    expect(table().at(-1)).toEqual(['healthy', 'degraded', 'silence', 90_000, 90_000])
    await fake.tablesDB.upsertRow({
      databaseId: db,
      tableId: 'heartbeats',
      rowId: 'someone-else',
      data: { channelKey: 'x', sentAt: new Date(T0).toISOString() },
    })
    await settle()

    expect(table().at(-1)).toEqual(['degraded', 'healthy', 'activity', 95_000, null])
    expect(fake.snapshot().main?.heartbeats?.map((r) => r.$id)).toEqual(['someone-else'])
  })

  it('should stop its timers, subscription and heartbeat row when the last listener leaves', async () => {
    const { start, until, fake, clock, watchdog } = setup()
    const stop = await start()
    let notified = 0
    const unsubscribe = watchdog.subscribe(() => notified++)
    await until(20_000)
    stop()
    expect(watchdog.getSnapshot().running).toBe(true)
    unsubscribe()
    await settle()

    expect(watchdog.getSnapshot()).toMatchObject({ state: 'connecting', running: false })
    expect(clock.pendingTimers()).toBe(0)
    expect(fake.snapshot().main?.heartbeats).toEqual([])
    expect(notified).toBeGreaterThan(0)
    // Restarting works like the first start.
    const again = watchdog.onStateChange(() => {})
    await settle()
    expect(watchdog.getSnapshot().state).toBe('healthy')
    again()
  })

  it('should send a canary on demand with probe()', async () => {
    const { start, until, watchdog, clock } = setup()
    watchdog.probe() // stopped: nothing happens
    expect(clock.pendingTimers()).toBe(0)
    await start()
    await until(3_000)
    watchdog.probe()
    await settle()

    expect(watchdog.getSnapshot().lastEchoAt).toBe(T0 + 3_000)
  })

  it('should keep its snapshot object until something changes', async () => {
    const { start, until, watchdog } = setup()
    await start()
    const first = watchdog.getSnapshot()
    expect(watchdog.getSnapshot()).toBe(first)
    await until(15_000)
    expect(watchdog.getSnapshot()).not.toBe(first)
    expect(Object.isFrozen(watchdog.getSnapshot())).toBe(true)
  })

  it('should reject an invalid configuration with a CONFIGURATION error naming the option', () => {
    const fake = createFakeAppwrite()
    const base = { tablesDB: fake.tablesDB, realtime: fake.realtime, databaseId: db }
    const cases: Array<[Partial<WatchdogOptions>, RegExp]> = [
      [{ watcherId: '_bad' }, /`watcherId`/],
      [{ timeoutMs: 0 }, /`timeoutMs`/],
      [{ intervalMs: -1 }, /`intervalMs`/],
      [{ deadAfterMisses: 0 }, /`deadAfterMisses`/],
      [{ silenceMs: Number.NaN }, /`silenceMs`/],
    ]
    for (const [options, message] of cases) {
      let error: unknown
      try {
        createWatchdog({ ...base, ...options })
      } catch (caught) {
        error = caught
      }
      expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
    expect(createWatchdog(base).watcherId).toMatch(/^w[0-9a-f]{31}$/)
  })
})
