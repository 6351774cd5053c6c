// The emulator over loopback: requests/s of the real node-appwrite SDK (getRow, createRow) against
// `startAppwriteEmulator()`, beside raw `fetch` and the SDK against a bare `node:http` server that
// answers a fixed JSON row (what HTTP + the SDK cost before the emulator does anything), and
// `createBooking` through the real SDK over the emulator (sequential p50 and bookings/s).
// First, cold start and idle RSS: the built `booking-guard-emulator` CLI and a bare `node:http`
// server, each started the same way (a fresh `node` child process on a given port), timed from the
// spawn to the first HTTP answer on that port, then RSS read from /proc after an idle pause.
//   npx -y pnpm@10.34.8 --filter @booking-guard/core --filter @booking-guard/testing run build
//   cd bench && node --expose-gc --import tsx emulator.bench.ts
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { createBookingGuard, createSchemaLock } from '@booking-guard/core'
import { provisionSchema } from '@booking-guard/core/admin'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, TablesDB } from 'node-appwrite'
import { bookingInputs, freePort, measureCalls, median } from './support'
import type { CallRate } from './support'

const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 1_000)
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7)
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 500)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

/**
 * Calls `fn` one at a time for `CASE_MS` (after a warm-up). Client and server share the process,
 * so the CPU figure covers both ends.
 */
const measure = (fn: () => Promise<unknown>) =>
  measureCalls(fn, { caseMs: CASE_MS, warmupMs: WARMUP_MS })

/** The resident set size of process `pid` in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  if (line === undefined) throw new Error(`cold start bench: no VmRSS in /proc/${pid}/status`)
  return Number(line.split(/\s+/)[1]) / 1024
}

/**
 * Spawns `node <args…>` with the port appended, polls the port every 2 ms until any HTTP
 * answer arrives (the time from the spawn is the cold start), waits `IDLE_MS`, reads RSS, kills it.
 */
async function coldStart(args: (port: number) => string[]): Promise<{ ms: number; rss: number }> {
  const port = await freePort()
  const start = performance.now()
  const child = spawn(process.execPath, args(port), { stdio: 'ignore' })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`cold start bench: child exited with ${code}`))),
  )
  try {
    for (;;) {
      const answered = await Promise.race([
        fetch(`http://127.0.0.1:${port}/v1/health/version`).then(
          async (response) => {
            await response.arrayBuffer()
            return true
          },
          () => false,
        ),
        exited,
      ])
      if (answered) break
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    const ms = performance.now() - start
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
    return { ms, rss: rssMb(child.pid!) }
  } finally {
    exited.catch(() => undefined)
    child.kill('SIGKILL')
  }
}

const emulatorBin = createRequire(import.meta.url).resolve('@booking-guard/testing/package.json')
const bareScript = `require('node:http').createServer((q, s) => { q.resume(); s.end('{}') }).listen(Number(process.argv[1]), '127.0.0.1')`
const starts: [string, (port: number) => string[]][] = [
  ['bare node:http (node -e)', (port) => ['-e', bareScript, String(port)]],
  [
    'booking-guard-emulator (built CLI)',
    (port) => [
      emulatorBin.replace(/package\.json$/, 'bin/booking-guard-emulator.js'),
      '--port',
      String(port),
    ],
  ],
]
const coldResults = new Map<string, { ms: number; rss: number }[]>(starts.map(([n]) => [n, []]))
// Interleaved runs, so load from other jobs hits both alike.
for (let run = 0; run < COLD_RUNS; run++)
  for (const [name, args] of starts) coldResults.get(name)!.push(await coldStart(args))
console.log(
  `Cold start (spawn → first HTTP answer) and idle RSS (after ${IDLE_MS} ms), ${COLD_RUNS} runs each, medians [min–max]\n`,
)
console.log('| process | cold start | idle RSS |')
console.log('| ------- | ---------- | -------- |')
for (const [name, results] of coldResults) {
  const ms = results.map((r) => r.ms)
  const rss = results.map((r) => r.rss)
  console.log(
    `| ${name} | ${median(ms).toFixed(0)} ms [${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}] | ${median(rss).toFixed(1)} MB [${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)}] |`,
  )
}
console.log('')

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
const bookingInput = bookingInputs()

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
const rounds = new Map<string, CallRate[]>(cases.map(([name]) => [name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of cases) rounds.get(name)!.push(await measure(fn))
}

await emulator.close()
await new Promise((resolve) => bare.close(resolve))

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
console.log(
  `Node ${process.version}, ${ROUNDS} rounds × ${CASE_MS} ms per case, one call at a time, loopback; medians of the rounds\n`,
)
console.log('| case | calls/s (wall) | calls per CPU-second | p50 | p95 |')
console.log('| ---- | -------------- | -------------------- | --- | --- |')
for (const [name, results] of rounds) {
  const m = (key: keyof CallRate) => median(results.map((r) => r[key]))
  console.log(
    `| ${name} | ${fmt(m('perSecond'))}/s | ${fmt(m('perCpuSecond'))} | ${fmt(m('p50'), 2)} ms | ${fmt(m('p95'), 2)} ms |`,
  )
}
