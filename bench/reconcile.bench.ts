// One `guard.reconcile()` pass over a backlog on the fake: 10,000 bookings whose provider missed
// the response deadline, and 10,000 bookings left `pending` by a process killed before its deliver
// write. Reports the pass's wall time, what it did, and the calls it sent (list calls above all:
// the pass pages through every phase until its due work is done).
//   cd bench && node --expose-gc --import tsx reconcile.bench.ts
// Options (environment variables):
//   BENCH_RECONCILE_BOOKINGS=10000   bookings in each backlog
import { createBookingGuard, createSchemaLock } from '@booking-guard/core'
import type { ReconcileReport, TablesDBLike } from '@booking-guard/core'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { FakeAppwrite } from '@booking-guard/testing'
import { declaredTables } from './support'

const BOOKINGS = Number(process.env.BENCH_RECONCILE_BOOKINGS ?? 10_000)
const CONCURRENCY = 64
const RESPONSE_DEADLINE_MS = 25 * 60_000
const lock = createSchemaLock()

/** The fake's tablesDB with every method call counted by name. */
function counted(fake: FakeAppwrite): { tablesDB: TablesDBLike; calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const tablesDB = new Proxy(fake.tablesDB, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { tablesDB: tablesDB as unknown as TablesDBLike, calls }
}

interface Backlog {
  name: string
  report: ReconcileReport
  wallMs: number
  cpuMs: number
  calls: Map<string, number>
  setupMs: number
  leftOver: number
}

/**
 * `BOOKINGS` bookings made through the guard on a fake with a manual clock, turned into a backlog
 * by `prepare`, then drained by one reconcile pass.
 */
async function backlog(
  name: string,
  prepare: (
    fake: FakeAppwrite,
    ids: string[],
    advance: (ms: number) => Promise<void>,
  ) => Promise<void>,
  leftOver: (fake: FakeAppwrite) => number,
): Promise<Backlog> {
  const clock = createManualClock()
  const fake = createFakeAppwrite({ clock, databases: { main: { tables: declaredTables(lock) } } })
  const { tablesDB, calls } = counted(fake)
  const guard = createBookingGuard({
    tablesDB,
    databaseId: 'main',
    clock,
    mode: 'saga',
    responseDeadlineMs: RESPONSE_DEADLINE_MS,
  })
  const setupStart = performance.now()
  const ids: string[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BOOKINGS) {
        const i = next++
        const { booking } = await guard.createBooking({
          customerId: `customer-${i % 500}`,
          customerName: 'Ana',
          providerId: `provider-${i % 100}`,
          providerType: 'therapist',
          providerName: 'Budi',
          bookingType: 'immediate',
          durationMinutes: 60,
        })
        ids.push(booking.$id)
      }
    }),
  )
  await prepare(fake, ids, (ms) => clock.advance(ms))
  const setupMs = performance.now() - setupStart
  calls.clear()
  globalThis.gc?.()
  const cpu = process.cpuUsage()
  const start = performance.now()
  const report = await guard.reconcile()
  const wallMs = performance.now() - start
  const used = process.cpuUsage(cpu)
  guard.dispose()
  return {
    name,
    report,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    calls: new Map(calls),
    setupMs,
    leftOver: leftOver(fake),
  }
}

const bookingsOf = (fake: FakeAppwrite) => fake.snapshot().main?.bookings ?? []

const overdue = await backlog(
  `${BOOKINGS.toLocaleString('en-US')} overdue (deadline passed)`,
  // Past the 25-minute response deadline; still inside the 1-hour orphan horizon.
  (_fake, _ids, advance) => advance(RESPONSE_DEADLINE_MS + 60_000),
  (fake) => bookingsOf(fake).filter((row) => row.status !== 'expired').length,
)
const pending = await backlog(
  `${BOOKINGS.toLocaleString('en-US')} pending (killed before deliver)`,
  async (fake, ids, advance) => {
    // Rows written, deliver write never sent: what a SIGKILL between the two leaves behind.
    for (const rowId of ids) {
      await fake.tablesDB.updateRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId,
        data: { pipelineStatus: 'pending' },
      })
    }
    await advance(61_000) // past reconcile's default `olderThanMs`, before the response deadline
  },
  (fake) => bookingsOf(fake).filter((row) => row.pipelineStatus !== 'delivered').length,
)

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `one guard.reconcile() pass (defaults: limit 100, budgetMs 50,000) on the fake with declared tables, manual clock, saga mode; node ${process.version}`,
)
console.table(
  [overdue, pending].map((b) => ({
    backlog: b.name,
    'pass wall time': `${fmt(b.wallMs)} ms`,
    'pass CPU time': `${fmt(b.cpuMs)} ms`,
    complete: b.report.complete,
    remaining: b.report.remaining.join(', ') || '-',
    expired: b.report.expired.expired.length,
    'pending completed': b.report.pending.completed.length,
    'delivered checked': b.report.delivered.checked,
    'orphans scanned': b.report.orphans.scanned,
    'left over': b.leftOver,
    'setup (not timed)': `${fmt(b.setupMs)} ms`,
  })),
)
console.table(
  [overdue, pending].map((b) => {
    const row: Record<string, string | number> = { backlog: b.name }
    let total = 0
    for (const [method, count] of [...b.calls].sort()) {
      row[method] = count
      total += count
    }
    row.total = total
    return row
  }),
)
