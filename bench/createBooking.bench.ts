// createBooking on the fake: latency with a simulated round trip (saga, transaction, and the
// incident's naive sequential code side by side), round trips on the critical path, bookings/s
// with no latency, and the heap still held per booking afterwards (with --expose-gc).
//   cd bench && node --expose-gc --import tsx createBooking.bench.ts
// Options (environment variables):
//   BENCH_TARGET=dist        run the built packages (packages/*/dist, what users install; build them
//                            first with `pnpm build`) instead of the TypeScript sources through tsx
//   BENCH_FAKE=schemaless    throughput on a schemaless fake (no column validation, no unique
//                            indexes) instead of the lock's declared tables
import type * as Core from '@booking-guard/core'
import type { BookingGuard } from '@booking-guard/core'
import type * as Testing from '@booking-guard/testing'
import type { FakeAppwrite } from '@booking-guard/testing'
import { bookingInputs, declaredTables } from './support'

const TARGET = process.env.BENCH_TARGET === 'dist' ? 'dist' : 'src'
const THROUGHPUT_FAKE = process.env.BENCH_FAKE === 'schemaless' ? 'schemaless' : 'declared'

// The sources resolve through bench/tsconfig.json's paths (tsx); the built entry points are
// imported by file URL, so nothing else changes between the two targets.
const builtEntry = (name: 'core' | 'testing') =>
  new URL(`../packages/${name}/dist/index.js`, import.meta.url).href
const { createBookingGuard, createSchemaLock } = (
  TARGET === 'dist' ? await import(builtEntry('core')) : await import('@booking-guard/core')
) as typeof Core
const { createFakeAppwrite } = (
  TARGET === 'dist' ? await import(builtEntry('testing')) : await import('@booking-guard/testing')
) as typeof Testing

const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 20)
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 40)
const THROUGHPUT_BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 20_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)

const lock = createSchemaLock()

/**
 * A fake with the lock's tables declared (writes validated like the server, unique indexes
 * enforced through the fake's index: one lookup per write), or schemaless (`validated: false`).
 */
function fakeWith(latencyMs: number, validated = true): FakeAppwrite {
  const fake = createFakeAppwrite(
    validated ? { databases: { main: { tables: declaredTables(lock) } } } : {},
  )
  if (latencyMs > 0) fake.faults.latency({ ms: latencyMs })
  return fake
}

const input = bookingInputs()
// Ids of the rows the naive code and the ceiling write by hand.
let n = 0

/** The four rows of a booking as the incident's code wrote them (valid for the declared tables). */
function bookingRows(
  id: string,
  pipelineStatus: 'pending' | 'delivered',
): Array<{ tableId: string; rowId: string; data: object }> {
  const now = new Date().toISOString()
  const booking = input()
  return [
    {
      tableId: 'bookings',
      rowId: id,
      data: {
        ...booking,
        status: 'pending',
        providerResponseStatus: 'AwaitingResponse',
        responseDeadline: now,
        source: 'direct',
        pipelineStatus,
      },
    },
    {
      tableId: 'chat_rooms',
      rowId: id,
      data: {
        bookingId: id,
        customerId: booking.customerId,
        customerName: booking.customerName,
        providerId: booking.providerId,
        providerName: booking.providerName,
        status: 'active',
        expiresAt: now,
      },
    },
    {
      tableId: 'chat_messages',
      rowId: `${id}.m0`,
      data: {
        roomId: id,
        bookingId: id,
        senderId: 'system',
        senderType: 'system',
        senderName: 'System',
        content: 'Booking received',
        messageType: 'system',
      },
    },
    {
      tableId: 'notifications',
      rowId: id,
      data: {
        recipientId: booking.providerId,
        recipientType: 'therapist',
        type: 'bookingReceived',
        title: 'New booking request',
        body: 'Ana booked 60 min',
        bookingId: id,
        priority: 'high',
      },
    },
  ]
}

/** The incident's code: booking, then room, then message, then notification, one after another. */
async function naiveSequential(fake: FakeAppwrite): Promise<void> {
  for (const row of bookingRows(`naive${n++}`, 'delivered')) {
    await fake.tablesDB.createRow({ databaseId: 'main', ...row })
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const fmt = (ms: number) => `${ms.toFixed(1)} ms`

async function latency(
  name: string,
  run: () => Promise<number | undefined>,
): Promise<Record<string, string | number>> {
  const times: number[] = []
  let roundTrips: number | undefined
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const start = performance.now()
    roundTrips = await run()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  const p50 = percentile(times, 50)
  return {
    case: name,
    'p50 latency': fmt(p50),
    'p95 latency': fmt(percentile(times, 95)),
    'round trips (reported)': roundTrips ?? '4 (sequential)',
    'round trips (p50 ÷ RTT)': (p50 / RTT_MS).toFixed(2),
  }
}

function guardOn(fake: FakeAppwrite, mode: 'saga' | 'transaction'): BookingGuard {
  return createBookingGuard({ tablesDB: fake.tablesDB, databaseId: 'main', mode })
}

const hasTransactions = typeof createFakeAppwrite().tablesDB.createTransaction === 'function'

const latencyRows: Array<Record<string, string | number>> = []
{
  const fake = fakeWith(RTT_MS)
  latencyRows.push(
    await latency('naive sequential (the incident)', async () => {
      await naiveSequential(fake)
      return undefined
    }),
  )
  const saga = guardOn(fakeWith(RTT_MS), 'saga')
  latencyRows.push(
    await latency(
      'booking-guard saga',
      async () => (await saga.createBooking(input())).timings.roundTrips,
    ),
  )
  if (hasTransactions) {
    const tx = guardOn(fakeWith(RTT_MS), 'transaction')
    latencyRows.push(
      await latency(
        'booking-guard transaction',
        async () => (await tx.createBooking(input())).timings.roundTrips,
      ),
    )
  }
}

interface Rate {
  wall: number
  cpu: number
}

/** Bookings per second of wall time, and per second of this process's CPU time (robust to a shared machine). */
async function measure(
  count: number,
  book: () => Promise<unknown>,
  concurrency: number,
): Promise<Rate> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      await book()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const used = process.cpuUsage(cpu)
  return {
    wall: count / ((performance.now() - start) / 1000),
    cpu: count / ((used.user + used.system) / 1e6),
  }
}

const PERMISSIONS = ['read("user:c")', 'update("user:c")', 'read("user:p")', 'update("user:p")']

/** The fake's own cost of a booking: the same five writes, with permissions, and nothing else. */
async function fakeCeiling(fake: FakeAppwrite): Promise<void> {
  const rows = bookingRows(`raw${n++}`, 'pending')
  await Promise.all(
    rows.map((row) =>
      fake.tablesDB.createRow({
        databaseId: 'main',
        tableId: row.tableId,
        rowId: row.rowId,
        data: row.data,
        permissions: PERMISSIONS,
      }),
    ),
  )
  await fake.tablesDB.updateRow({
    databaseId: 'main',
    tableId: 'bookings',
    rowId: rows[0]!.rowId,
    data: { pipelineStatus: 'delivered' },
  })
}

const fmtRate = (rate: number) => `${Math.round(rate).toLocaleString('en-US')}/s`
const throughputRows: Array<Record<string, string>> = []
async function throughputCase(
  name: string,
  make: () => () => Promise<unknown>,
  concurrency: number,
) {
  const runs: Rate[] = []
  for (let r = 0; r < ROUNDS; r++) {
    runs.push(await measure(THROUGHPUT_BOOKINGS, make(), concurrency))
    globalThis.gc?.()
  }
  const median = (key: keyof Rate) =>
    runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!
  throughputRows.push({
    case: name,
    'wall, best': fmtRate(Math.max(...runs.map((run) => run.wall))),
    'wall, median': fmtRate(median('wall')),
    'per CPU-second, median': fmtRate(median('cpu')),
  })
}

const declaredThroughput = THROUGHPUT_FAKE === 'declared'

await throughputCase(
  'fake alone: 5 raw writes with permissions (ceiling)',
  () => {
    const fake = fakeWith(0, declaredThroughput)
    return () => fakeCeiling(fake)
  },
  1,
)
for (const mode of hasTransactions ? (['saga', 'transaction'] as const) : (['saga'] as const)) {
  for (const concurrency of [1, CONCURRENCY]) {
    await throughputCase(
      `booking-guard ${mode}, ${concurrency === 1 ? 'one at a time' : `${concurrency} in flight`}`,
      () => {
        const guard = guardOn(fakeWith(0, declaredThroughput), mode)
        return () => guard.createBooking(input())
      },
      concurrency,
    )
  }
}

/**
 * Heap the fake still holds per booking once it is done (the rows, indexes and transaction
 * records a long test run accumulates): what every later garbage collection has to walk.
 */
const memoryRows: Array<Record<string, string>> = []
if (globalThis.gc) {
  const cases: Array<[string, () => Promise<unknown>]> = [
    [
      'fake alone: 5 raw writes',
      (() => {
        const fake = fakeWith(0, declaredThroughput)
        return () => fakeCeiling(fake)
      })(),
    ],
  ]
  for (const mode of hasTransactions ? (['saga', 'transaction'] as const) : (['saga'] as const)) {
    const guard = guardOn(fakeWith(0, declaredThroughput), mode)
    cases.push([`booking-guard ${mode}`, () => guard.createBooking(input())])
  }
  for (const [name, book] of cases) {
    for (let i = 0; i < 100; i++) await book()
    globalThis.gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < THROUGHPUT_BOOKINGS; i++) await book()
    globalThis.gc()
    const perBooking = (process.memoryUsage().heapUsed - before) / THROUGHPUT_BOOKINGS
    memoryRows.push({ case: name, 'retained heap per booking': `${Math.round(perBooking)} bytes` })
  }
}

console.log(
  `target ${TARGET === 'dist' ? 'built packages (packages/*/dist)' : 'TypeScript sources through tsx'}; throughput on a ${THROUGHPUT_FAKE} fake; RTT ${RTT_MS} ms, ${LATENCY_RUNS} bookings per latency case; ${THROUGHPUT_BOOKINGS} bookings per throughput round, ${ROUNDS} rounds; node ${process.version}`,
)
console.table(latencyRows)
console.table(throughputRows)
if (memoryRows.length > 0) console.table(memoryRows)
else console.log('(run with node --expose-gc for the retained heap per booking)')
