// Realtime: (1) how long the watchdog takes, with its defaults, to detect a subscription that
// goes silent at any point of its canary interval (fake clock); (2) feed throughput with 1,000
// providers subscribed and 10,000 bookings created, events routed by an index over one
// subscription, against the naive "every listener filters every event" baseline in the same run.
//   cd bench && node --expose-gc --import tsx realtime.bench.ts
import { createSchemaLock } from '@booking-guard/core'
import {
  createFeedManager,
  createWatchdog,
  DEFAULT_WATCHDOG_INTERVAL_MS,
  DEFAULT_WATCHDOG_TIMEOUT_MS,
} from '@booking-guard/core/realtime'
import type { RealtimeConnectionLike } from '@booking-guard/core/realtime'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { median } from './support'

const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 1_000)
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 10_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** One feed subscription per provider (`provider-0` …); `onEvent` gets the provider of each event. */
function subscribeEveryProvider(
  feeds: ReturnType<typeof createFeedManager>,
  onEvent: (providerId: string) => void,
): Array<() => void> {
  const stops: Array<() => void> = []
  for (let p = 0; p < PROVIDERS; p++) {
    const id = `provider-${p}`
    stops.push(feeds.subscribeToProviderBookings(id, () => onEvent(id)))
  }
  return stops
}

// ------------------------------------------------------------------------------------------------
// 1. Detection latency of a dead subscription, defaults (15 s interval, 5 s timeout), fake clock.
// ------------------------------------------------------------------------------------------------

async function detection(diesAfterEchoMs: number) {
  const clock = createManualClock()
  const t0 = clock.now()
  const fake = createFakeAppwrite({ clock, seed: 1 })
  const watchdog = createWatchdog({
    tablesDB: fake.tablesDB,
    realtime: fake.realtime,
    databaseId: 'main',
    watcherId: 'bench',
    clock,
  })
  let degradedAt: number | undefined
  let deadAt: number | undefined
  const stop = watchdog.onStateChange((event) => {
    if (event.to === 'degraded') degradedAt ??= event.at
    if (event.to === 'dead') deadAt ??= event.at
  })
  await settle() // first canary echoed at t0
  const step = async (ms: number) => {
    await clock.advance(ms)
    await settle()
  }
  for (let t = 0; t < diesAfterEchoMs; t += 100) await step(Math.min(100, diesAfterEchoMs - t))
  const diedAt = clock.now()
  fake.faults.realtime.drop({})
  while (deadAt === undefined && clock.now() - t0 < 120_000) await step(100)
  stop()
  return { detectMs: degradedAt! - diedAt, deadMs: deadAt! - diedAt }
}

const offsets = Array.from({ length: 16 }, (_, i) => i * 1_000) // 0 … 15 s after an echo
const detections = []
for (const offset of offsets) detections.push(await detection(offset))
const detect = detections.map((d) => d.detectMs)
const dead = detections.map((d) => d.deadMs)
console.log(
  `watchdog defaults: interval ${DEFAULT_WATCHDOG_INTERVAL_MS} ms, timeout ${DEFAULT_WATCHDOG_TIMEOUT_MS} ms; subscription dies 0–15 s after an echo (${offsets.length} cases, fake clock)`,
)
console.table([
  {
    'to degraded (detected), ms': `min ${fmt(Math.min(...detect))} / median ${fmt(median(detect))} / max ${fmt(Math.max(...detect))}`,
    'to dead, ms': `min ${fmt(Math.min(...dead))} / median ${fmt(median(dead))} / max ${fmt(Math.max(...dead))}`,
    'bound (interval + timeout)': fmt(DEFAULT_WATCHDOG_INTERVAL_MS + DEFAULT_WATCHDOG_TIMEOUT_MS),
  },
])

// ------------------------------------------------------------------------------------------------
// 2. Feed throughput: 1,000 providers, 10,000 bookings.
// ------------------------------------------------------------------------------------------------

const providerOf = (i: number) => `provider-${(i * 7919) % PROVIDERS}`
const bookingData = (i: number) => ({
  customerId: `customer-${i % 97}`,
  providerId: providerOf(i),
  status: 'pending',
  durationMinutes: 60,
})

/** End to end through the fake: createRow → realtime → routing → listeners. */
async function endToEnd(kind: 'index' | 'naive') {
  const clock = createManualClock()
  const fake = createFakeAppwrite({ clock, seed: 2 })
  const received = new Map<string, number>()
  let calls = 0
  const stops: Array<() => void> = []
  if (kind === 'index') {
    const feeds = createFeedManager({
      tablesDB: fake.tablesDB,
      realtime: fake.realtime,
      databaseId: 'main',
      clock,
      watchdog: false,
      reconcileIntervalMs: 0,
    })
    stops.push(
      ...subscribeEveryProvider(feeds, (id) => {
        calls++
        received.set(id, (received.get(id) ?? 0) + 1)
      }),
    )
  } else {
    // The incident's shape: one subscription per provider, each comparing every payload.
    for (let p = 0; p < PROVIDERS; p++) {
      const id = `provider-${p}`
      const sub = await fake.realtime.subscribe(
        'databases.main.collections.bookings.documents',
        (event) => {
          calls++
          if ((event.payload as { providerId?: unknown }).providerId === id) {
            received.set(id, (received.get(id) ?? 0) + 1)
          }
        },
      )
      stops.push(() => void sub.close())
    }
  }
  for (let i = 0; i < 20; i++) await settle() // subscriptions and initial loads done
  calls = 0
  const start = performance.now()
  for (let i = 0; i < BOOKINGS; i++) {
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: `b${i}`,
      data: bookingData(i),
    })
  }
  await settle()
  const ms = performance.now() - start
  let delivered = 0
  for (const count of received.values()) delivered += count
  for (const stop of stops) stop()
  return { ms, delivered, calls }
}

/** The routing layer alone: pre-built events pushed into the realtime callback. */
async function routingOnly(kind: 'index' | 'naive') {
  const events = Array.from({ length: BOOKINGS }, (_, i) => ({
    events: [`databases.main.collections.bookings.documents.b${i}.create`],
    channels: ['databases.main.collections.bookings.documents'],
    timestamp: '2026-01-01T00:00:00.000+00:00',
    payload: {
      $id: `b${i}`,
      $tableId: 'bookings',
      $databaseId: 'main',
      $createdAt: '2026-01-01T00:00:00.000+00:00',
      $updatedAt: '2026-01-01T00:00:00.000+00:00',
      $permissions: [],
      ...bookingData(i),
    },
  }))
  const callbacks: Array<(event: (typeof events)[number]) => void> = []
  const realtime: RealtimeConnectionLike = {
    subscribe: async (_channels, callback) => {
      callbacks.push(callback)
      return { close: async () => {} }
    },
  }
  const received = new Map<string, number>()
  const stops: Array<() => void> = []
  const lock = createSchemaLock({ onIssue: () => {} })
  if (kind === 'index') {
    const fake = createFakeAppwrite()
    const feeds = createFeedManager({
      tablesDB: fake.tablesDB,
      realtime,
      databaseId: 'main',
      lock,
      clock: createManualClock(),
      watchdog: false,
      reconcileIntervalMs: 0,
    })
    stops.push(
      ...subscribeEveryProvider(feeds, (id) => {
        received.set(id, (received.get(id) ?? 0) + 1)
      }),
    )
  } else {
    for (let p = 0; p < PROVIDERS; p++) {
      const id = `provider-${p}`
      void realtime.subscribe(['databases.main.collections.bookings.documents'], (event) => {
        if ((event.payload as { providerId?: unknown }).providerId === id) {
          received.set(id, (received.get(id) ?? 0) + 1)
        }
      })
    }
  }
  for (let i = 0; i < 20; i++) await settle()
  const start = performance.now()
  for (const event of events) for (const callback of callbacks) callback(event)
  const ms = performance.now() - start
  let delivered = 0
  for (const count of received.values()) delivered += count
  for (const stop of stops) stop()
  return { ms, delivered, calls: events.length * callbacks.length }
}

const rows: Array<Record<string, string>> = []
for (const [label, run] of [
  ['end to end (fake createRow + realtime)', endToEnd],
  ['routing only (events into the callback)', routingOnly],
] as const) {
  const index: number[] = []
  const naive: number[] = []
  let last = { index: { delivered: 0, calls: 0 }, naive: { delivered: 0, calls: 0 } }
  // One untimed run of each, so both are measured with a warm JIT.
  await run('index')
  await run('naive')
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order each round so neither variant always runs on a warmer JIT.
    const order = r % 2 === 0 ? (['index', 'naive'] as const) : (['naive', 'index'] as const)
    for (const kind of order) {
      globalThis.gc?.()
      const result = await run(kind)
      ;(kind === 'index' ? index : naive).push(result.ms)
      last = { ...last, [kind]: result }
    }
  }
  const i = median(index)
  const n = median(naive)
  rows.push({
    case: label,
    'index: bookings/s': fmt(BOOKINGS / (i / 1000)),
    'naive: bookings/s': fmt(BOOKINGS / (n / 1000)),
    'speed-up (median)': `${(n / i).toFixed(1)}×`,
    'delivered (index / naive)': `${last.index.delivered} / ${last.naive.delivered}`,
    'listener calls (index / naive)': `${fmt(last.index.calls)} / ${fmt(last.naive.calls)}`,
  })
}
console.log(
  `providers: ${PROVIDERS}, bookings: ${BOOKINGS}, rounds: ${ROUNDS} (median), node ${process.version}`,
)
console.table(rows)
