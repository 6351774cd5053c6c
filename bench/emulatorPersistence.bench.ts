// What `--data` costs: node-appwrite createRow and getRow against `startAppwriteEmulator()` in
// memory and on a data dir (every write appended and fsynced before it is answered), one call at
// a time and 8 at once (commits that wait together share one fsync), side by side in one run;
// then the time to open a data dir holding 10,000 rows (read + replay + the compaction at start),
// and the disk's own append + fdatasync time, the floor of a write on a data dir.
//   npx -y pnpm@10.34.8 --filter @booking-guard/testing run build
//   cd bench && node --expose-gc --import tsx emulatorPersistence.bench.ts
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import type { AppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, TablesDB } from 'node-appwrite'
import { measureCalls } from './support'

const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 2_000)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const LOAD_ROWS = Number(process.env.BENCH_LOAD_ROWS ?? 10_000)

const where = { databaseId: 'main', tableId: 'bookings' }
const rowData = (n: number) => ({
  customerId: `c${n % 97}`,
  providerId: `p${n % 13}`,
  status: 'pending',
  durationMinutes: 60,
  notes: 'x'.repeat(120),
})

function tablesDBOf(emulator: AppwriteEmulator) {
  return new TablesDB(
    new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey(emulator.apiKey),
  )
}

let counter = 0

/** Calls for `CASE_MS` from `concurrency` callers: calls/s and per-call p50 / p95. */
const measure = (fn: () => Promise<unknown>, concurrency: number) =>
  measureCalls(fn, { caseMs: CASE_MS, warmupMs: WARMUP_MS, concurrency })

const dirs: string[] = []
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'bg-bench-data-'))
  dirs.push(dir)
  return dir
}

const rows: string[][] = []
// Rounds alternate the two stores, so a load change on a shared machine hits both alike.
for (let round = 1; round <= ROUNDS; round++)
  for (const mode of ['memory', 'data dir'] as const) {
    const emulator = await startAppwriteEmulator({
      strict: false,
      ...(mode === 'data dir' ? { data: await tempDir() } : {}),
    })
    const tablesDB = tablesDBOf(emulator)
    await tablesDB.createRow({ ...where, rowId: 'fixed', data: rowData(0) })
    const create = () =>
      tablesDB.createRow({ ...where, rowId: `r${++counter}`, data: rowData(counter) })
    for (const concurrency of [1, 8]) {
      const result = await measure(create, concurrency)
      rows.push([`${round}`, mode, `createRow ×${concurrency}`, ...format(result)])
    }
    const read = await measure(() => tablesDB.getRow({ ...where, rowId: 'fixed' }), 1)
    rows.push([`${round}`, mode, 'getRow ×1', ...format(read)])
    await emulator.close()
  }

function format(result: Awaited<ReturnType<typeof measure>>): string[] {
  return [
    Math.round(result.perSecond).toLocaleString('en-US'),
    Math.round(result.perCpuSecond).toLocaleString('en-US'),
    `${result.p50.toFixed(2)} ms`,
    `${result.p95.toFixed(2)} ms`,
  ]
}

console.log(`node-appwrite over loopback, ${CASE_MS} ms per case, emulator in this process`)
console.log('| round | store | call | calls/s | calls per CPU-second | p50 | p95 |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)

// Opening a data dir that holds LOAD_ROWS rows: half in the snapshot, half replayed from the log.
{
  const data = await tempDir()
  const first = await startAppwriteEmulator({ strict: false, data })
  const tablesDB = tablesDBOf(first)
  for (let i = 0; i < LOAD_ROWS; i += 100) {
    await tablesDB.createRows({
      ...where,
      rows: Array.from({ length: 100 }, (_, j) => ({ $id: `load${i + j}`, ...rowData(i + j) })),
    })
  }
  await first.close()
  const started = performance.now()
  const second = await startAppwriteEmulator({ strict: false, data })
  const openMs = performance.now() - started
  const total = second.fake.snapshot().main?.bookings?.length ?? 0
  await second.close()
  console.log(
    `\nOpening a data dir of ${total.toLocaleString('en-US')} rows: ${openMs.toFixed(0)} ms`,
  )
}

// The floor of an acknowledged write on this disk: one append + fdatasync, nothing else.
{
  const dir = await tempDir()
  const handle = await open(join(dir, 'probe'), 'w')
  const bytes = Buffer.alloc(300, 97)
  const times: number[] = []
  for (let i = 0; i < 200; i++) {
    const t = performance.now()
    await handle.write(bytes)
    await handle.datasync()
    times.push(performance.now() - t)
  }
  await handle.close()
  times.sort((a, b) => a - b)
  console.log(
    `Append 300 B + fdatasync, 200 times: p50 ${times[100]!.toFixed(2)} ms, p95 ${times[190]!.toFixed(2)} ms`,
  )
}

for (const dir of dirs) await rm(dir, { recursive: true, force: true })
