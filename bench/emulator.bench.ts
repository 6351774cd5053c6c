// The emulator over loopback: requests/s of the real node-appwrite SDK (getRow, createRow) against
// `startAppwriteEmulator()`, beside raw `fetch` and the SDK against a bare `node:http` server that
// answers a fixed JSON row (what HTTP + the SDK cost before the emulator does anything), and
// `createBooking` through the real SDK over the emulator (sequential p50 and bookings/s).
//   cd bench && node --expose-gc --import tsx emulator.bench.ts
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBookingGuard, createSchemaLock } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, TablesDB } from 'node-appwrite'

const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 1_000)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

interface Result {
  calls: number
  perSecond: number
  perCpuSecond: number
  p50: number
  p95: number
}

/**
 * Calls `fn` one at a time for `CASE_MS` (after a warm-up): calls/s of wall time and of this
 * process's CPU time (which stays meaningful on a machine shared with other jobs), and latency.
 * Client and server share the process, so the CPU figure covers both ends.
 */
async function measure(fn: () => Promise<unknown>): Promise<Result> {
  const warmupEnd = performance.now() + WARMUP_MS
  while (performance.now() < warmupEnd) await fn()
  ;(globalThis as { gc?: () => void }).gc?.()
  const samples: number[] = []
  const cpu = process.cpuUsage()
  const start = performance.now()
  const end = start + CASE_MS
  while (performance.now() < end) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  const elapsed = performance.now() - start
  const used = process.cpuUsage(cpu)
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return {
    calls: samples.length,
    perSecond: samples.length / (elapsed / 1000),
    perCpuSecond: samples.length / ((used.user + used.system) / 1e6),
    p50: at(0.5),
    p95: at(0.95),
  }
}

const db = 'bench'
const table = 'items'
const fixedRow = {
  $id: 'r1',
  $sequence: '1',
  $tableId: table,
  $databaseId: db,
  $createdAt: '2026-01-01T00:00:00.000+00:00',
  $updatedAt: '2026-01-01T00:00:00.000+00:00',
  $permissions: [],
  title: 'fixed',
  count: 1,
}

// A bare server answering the same row for every request: the floor under any HTTP fake.
const body = JSON.stringify(fixedRow)
const bare = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
  })
})
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1`

const emulator = await startAppwriteEmulator()
const sdkOn = (endpoint: string) =>
  new TablesDB(
    new Client().setEndpoint(endpoint).setProject(emulator.projectId).setKey(emulator.apiKey),
  )
const onEmulator = sdkOn(emulator.endpoint)
const onBare = sdkOn(bareUrl)

await emulator.fake.admin.create({ databaseId: db, name: 'Bench' })
await emulator.fake.admin.createTable({ databaseId: db, tableId: table, name: 'Items' })
await emulator.fake.admin.createStringColumn({
  databaseId: db,
  tableId: table,
  key: 'title',
  size: 64,
  required: false,
})
await emulator.fake.admin.createIntegerColumn({
  databaseId: db,
  tableId: table,
  key: 'count',
  required: false,
})
await onEmulator.createRow({
  databaseId: db,
  tableId: table,
  rowId: 'r1',
  data: { title: 'fixed', count: 1 },
})
const rowUrl = `${emulator.endpoint}/tablesdb/${db}/tables/${table}/rows/r1`
const headers = { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey }
let n = 0
let b = 0
const bookingInput = () => ({
  customerId: 'customer-1',
  customerName: 'Ana',
  providerId: `provider-${b++ % 100}`,
  providerType: 'therapist' as const,
  providerName: 'Budi',
  bookingType: 'immediate' as const,
  durationMinutes: 60,
  price: 350_000,
  currency: 'IDR',
})

// createBooking through the real SDK over the emulator, on the provisioned schema.
await provisionSchema({ admin: emulator.fake.admin, databaseId: 'main', lock: createSchemaLock() })
const saga = createBookingGuard({ tablesDB: onEmulator, databaseId: 'main', mode: 'saga' })
const tx = createBookingGuard({ tablesDB: onEmulator, databaseId: 'main', mode: 'transaction' })

const cases: [string, () => Promise<unknown>][] = [
  [
    'raw fetch → bare node:http (fixed JSON)',
    async () => (await fetch(`${bareUrl}/tablesdb/${db}/tables/${table}/rows/r1`)).json(),
  ],
  [
    'node-appwrite getRow → bare node:http',
    () => onBare.getRow({ databaseId: db, tableId: table, rowId: 'r1' }),
  ],
  ['raw fetch → emulator getRow', async () => (await fetch(rowUrl, { headers })).json()],
  [
    'node-appwrite getRow → emulator',
    () => onEmulator.getRow({ databaseId: db, tableId: table, rowId: 'r1' }),
  ],
  [
    'node-appwrite createRow → emulator',
    async () => {
      await onEmulator.createRow({
        databaseId: db,
        tableId: table,
        rowId: `row${n++}`,
        data: { title: 'created', count: n },
      })
    },
  ],
  ['createBooking saga → node-appwrite → emulator', () => saga.createBooking(bookingInput())],
  ['createBooking transaction → node-appwrite → emulator', () => tx.createBooking(bookingInput())],
]

// Rounds interleave the cases, so a burst of load from other jobs hits them all alike.
const rounds = new Map<string, Result[]>(cases.map(([name]) => [name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of cases) rounds.get(name)!.push(await measure(fn))
}

await emulator.close()
await new Promise((resolve) => bare.close(resolve))

const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!
const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
console.log(
  `Node ${process.version}, ${ROUNDS} rounds × ${CASE_MS} ms per case, one call at a time, loopback; medians of the rounds\n`,
)
console.log('| case | calls/s (wall) | calls per CPU-second | p50 | p95 |')
console.log('| ---- | -------------- | -------------------- | --- | --- |')
for (const [name, results] of rounds) {
  const m = (key: keyof Result) => median(results.map((r) => r[key]))
  console.log(
    `| ${name} | ${fmt(m('perSecond'))}/s | ${fmt(m('perCpuSecond'))} | ${fmt(m('p50'), 2)} ms | ${fmt(m('p95'), 2)} ms |`,
  )
}
