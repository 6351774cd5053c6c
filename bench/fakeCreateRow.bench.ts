// Fake `createRow` throughput with 0, 100 and 10,000 non-matching realtime subscribers, and with
// 10,000 matching ones, beside a bare `Map.set` loop as the ceiling, all in one run.
//   cd bench && node --expose-gc --import tsx fakeCreateRow.bench.ts
import { createFakeAppwrite } from '@booking-guard/testing'

const N = Number(process.env.BENCH_ROWS ?? 50_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

const data = (i: number) => ({
  customerId: 'customer-1',
  providerId: `provider-${i % 100}`,
  status: 'pending',
  durationMinutes: 60,
  price: 9000,
})

function mapSetCeiling(): number {
  const map = new Map<string, Record<string, unknown>>()
  const start = performance.now()
  for (let i = 0; i < N; i++) {
    const id = `row-${i}`
    map.set(id, { $id: id, $sequence: String(i + 1), ...data(i) })
  }
  return N / ((performance.now() - start) / 1000)
}

async function fakeCreates(
  subscribers: number,
  matching: boolean,
): Promise<{ rate: number; delivered: number }> {
  const fake = createFakeAppwrite()
  let delivered = 0
  for (let s = 0; s < subscribers; s++) {
    const channel = matching
      ? 'databases.main.tables.bench.rows'
      : `databases.main.tables.other${s}.rows`
    await fake.realtime.subscribe(channel, () => {
      delivered++
    })
  }
  const start = performance.now()
  for (let i = 0; i < N; i++) {
    await fake.tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bench',
      rowId: `row-${i}`,
      data: data(i),
    })
  }
  await flush()
  const seconds = (performance.now() - start) / 1000
  return { rate: N / seconds, delivered }
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`
const best = <T>(xs: T[], key: (x: T) => number) => xs.reduce((a, b) => (key(b) > key(a) ? b : a))

const cases: Array<[string, number, boolean]> = [
  ['fake createRow, 0 subscribers', 0, false],
  ['fake createRow, 100 non-matching subscribers', 100, false],
  ['fake createRow, 10,000 non-matching subscribers', 10_000, false],
  ['fake createRow, 10,000 matching subscribers', 10_000, true],
]

const rows: Array<{ case: string; 'best of rounds': string; 'events delivered': number }> = []
rows.push({
  case: 'bare Map.set loop (ceiling)',
  'best of rounds': fmt(Math.max(...Array.from({ length: ROUNDS }, mapSetCeiling))),
  'events delivered': 0,
})
for (const [name, subscribers, matching] of cases) {
  const runs = []
  // Matching subscribers multiply the work per create by 10,000; fewer rows keep the run short.
  for (let r = 0; r < ROUNDS; r++) runs.push(await fakeCreates(subscribers, matching))
  const top = best(runs, (x) => x.rate)
  rows.push({ case: name, 'best of rounds': fmt(top.rate), 'events delivered': top.delivered })
  globalThis.gc?.()
}
console.log(`rows per round: ${N}, rounds: ${ROUNDS}, node ${process.version}`)
console.table(rows)
