// Catch-up: 10,000 bookings written in one burst while the realtime socket is down, then one
// reconnect. Are they all delivered, each once, and with how many list calls and how much time?
// Once with one followed provider, once with 150 (the provider filter split into several `equal`
// queries) beside 10,000 rows of providers nobody follows. Then the next safety catch-ups: how
// many calls they make once the burst is behind them. In-memory fake, fake clock; the wall time is
// this process's (feed + fake), a real server adds one round trip per list call.
//   cd bench && node --expose-gc --import tsx catchup.bench.ts
import { createSchemaLock } from '@booking-guard/core'
import { createFeedManager } from '@booking-guard/core/realtime'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { median } from './support'

const MISSED = Number(process.env.BENCH_MISSED ?? 10_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

interface Case {
  readonly name: string
  readonly followed: number
  readonly unfollowed: number
}

async function run({ followed, unfollowed }: Case) {
  const clock = createManualClock()
  const t0 = clock.now()
  const fake = createFakeAppwrite({ clock, seed: 5 })
  // Appwrite's longest ids (36 characters), so the key filter is split by length as well as count.
  const providers = Array.from(
    { length: followed },
    (_, i) => `provider-${String(i).padStart(4, '0')}-${'x'.repeat(22)}`,
  )
  let calls = 0
  let rowsRead = 0
  // Counts the feed's list calls on `bookings` and the rows they return.
  const listRows = fake.tablesDB.listRows.bind(fake.tablesDB) as unknown as (params: {
    tableId: string
  }) => Promise<{ total: number; rows: unknown[] }>
  fake.tablesDB.listRows = (async (params: { tableId: string }) => {
    const result = await listRows(params)
    if (params.tableId === 'bookings') {
      calls++
      rowsRead += result.rows.length
    }
    return result
  }) as unknown as typeof fake.tablesDB.listRows
  const feeds = createFeedManager({
    tablesDB: fake.tablesDB,
    realtime: fake.realtime,
    databaseId: 'main',
    lock: createSchemaLock({ onIssue: () => {} }),
    clock,
    pollIntervalMs: 60_000, // no poll during the outage: the reconnect alone catches up
  })
  const seen = new Set<string>()
  let events = 0
  for (const providerId of providers) {
    feeds.subscribeToProviderBookings(providerId, (event) => {
      events++
      seen.add(event.booking.$id)
    })
  }
  const until = async (at: number) => {
    while (clock.now() < t0 + at) {
      await clock.advance(Math.min(100, t0 + at - clock.now()))
      await settle()
    }
  }
  await until(1_000)
  fake.faults.realtime.disconnect({ forMs: 10_000 }) // reconnects at 11 000
  await until(5_000)
  const write = async (prefix: string, count: number, ids: readonly string[]) => {
    for (let i = 0; i < count; i += 100) {
      const rows = Array.from({ length: Math.min(100, count - i) }, (_, k) => ({
        $id: `${prefix}${i + k}`,
        providerId: ids[(i + k) % ids.length]!,
        customerId: 'c1',
        status: 'pending',
      }))
      await fake.tablesDB.createRows({ databaseId: 'main', tableId: 'bookings', rows })
    }
  }
  const others = Array.from({ length: 850 }, (_, i) => `other-${i}`)
  if (unfollowed > 0) await write('o', unfollowed, others)
  await write('b', MISSED, providers)
  await until(10_900)
  if (events !== 0) throw new Error(`delivered ${events} events before the reconnect`)
  calls = 0
  rowsRead = 0
  // The reconnect at 11 000: time from it to the last delivery.
  await clock.advance(100)
  const start = performance.now()
  let spins = 0
  while (seen.size < MISSED && spins++ < 100_000) await settle()
  const ms = performance.now() - start
  const reconnect = { calls, rowsRead }
  // Let the pass finish (its last, short page), then three safety catch-ups (every 60 s).
  for (let i = 0; i < 10; i++) await settle()
  const passCalls = calls
  calls = 0
  rowsRead = 0
  await until(11_100 + 3 * 60_000)
  return {
    ms,
    delivered: seen.size,
    events,
    reconnectCalls: passCalls,
    reconnectRows: reconnect.rowsRead,
    laterCalls: calls,
    laterRows: rowsRead,
  }
}

const cases: Case[] = [
  { name: '1 provider', followed: 1, unfollowed: 0 },
  { name: '150 providers, + 10,000 rows of 850 others', followed: 150, unfollowed: 10_000 },
]
const results = new Map<string, Array<Awaited<ReturnType<typeof run>>>>()
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    ;(globalThis as { gc?: () => void }).gc?.()
    const result = await run(c)
    if (result.delivered !== MISSED || result.events !== MISSED) {
      throw new Error(
        `${c.name}: delivered ${result.delivered} distinct bookings in ${result.events} events, expected ${MISSED}`,
      )
    }
    results.set(c.name, [...(results.get(c.name) ?? []), result])
  }
}
console.log(
  `${fmt(MISSED)} bookings missed in one burst, one reconnect; ${ROUNDS} rounds, median wall time`,
)
console.table(
  cases.map((c) => {
    const rs = results.get(c.name)!
    const r = rs[0]!
    return {
      case: c.name,
      'delivered (each once)': fmt(r.delivered),
      'list calls (reconnect)': r.reconnectCalls,
      'rows read': fmt(r.reconnectRows),
      'ms to last delivery': fmt(median(rs.map((x) => x.ms))),
      'list calls, next 3 catch-ups': r.laterCalls,
      'rows read, next 3': r.laterRows,
    }
  }),
)
