// The fake's list calls at 1k / 10k / 100k rows: `equal` on an indexed column and
// `orderDesc('$createdAt') + limit(10)` (answered through the table's sorted indexes) beside the
// same calls on unindexed columns (the scan), the heap retained per row before and after the
// indexes exist, and createRow's rate once they must be kept up to date, all in one run.
//   cd bench && node --expose-gc --import tsx fakeQueries.bench.ts
import { ID, Query } from 'node-appwrite'
import { createFakeAppwrite } from '@booking-guard/testing'

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number)
/** Wall time spent timing each case, in milliseconds. */
const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 300)
const ref = { databaseId: 'main', tableId: 'bookings' }

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

async function seeded(rows: number) {
  const fake = createFakeAppwrite()
  const { admin, tablesDB } = fake
  await admin.create({ databaseId: ref.databaseId, name: 'Main' })
  await admin.createTable({ ...ref, name: 'Bookings', rowSecurity: false, permissions: [] })
  for (const key of ['providerId', 'region', 'status'])
    await admin.createStringColumn({ ...ref, key, size: 36, required: false })
  for (const key of ['price', 'n'])
    await admin.createIntegerColumn({ ...ref, key, required: false })
  await admin.createIndex({ ...ref, key: 'by_provider', type: 'key', columns: ['providerId'] })
  const before = heap()
  for (let i = 0; i < rows; i++)
    await tablesDB.createRow({ ...ref, rowId: `row-${i}`, data: row(i) })
  const perRow = (heap() - before) / rows
  return { fake, tablesDB, perRow }
}

// `region` holds the same values as `providerId` (100 of them) without an index: the scan.
const row = (i: number) => ({
  providerId: `provider-${i % 100}`,
  region: `provider-${i % 100}`,
  status: 'pending',
  price: 9000,
  n: i,
})

/** Milliseconds of this process's CPU time (user + system) since `since`. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/**
 * Mean CPU milliseconds per call over at least CASE_MS of wall time (and at least 3 calls): CPU
 * time, not wall time, as the machine is shared and a busy neighbour would inflate wall time.
 */
async function msPerCall(call: () => Promise<unknown>): Promise<number> {
  await call()
  let calls = 0
  const wall = performance.now()
  const start = process.cpuUsage()
  while (calls < 3 || performance.now() - wall < CASE_MS) {
    await call()
    calls++
  }
  return cpuMs(start) / calls
}

/** createRow calls per CPU second, over `count` new rows with `ID.unique()` ids (time-ordered). */
async function createRate(
  tablesDB: Awaited<ReturnType<typeof seeded>>['tablesDB'],
  count = 2000,
): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < count; i++)
    await tablesDB.createRow({ ...ref, rowId: ID.unique(), data: row(i) })
  return count / (cpuMs(start) / 1000)
}

const ms = (n: number) => `${n < 0.1 ? n.toFixed(3) : n.toFixed(2)} ms`
const table: Array<Record<string, string | number>> = []
for (const size of SIZES) {
  const { tablesDB, perRow } = await seeded(size)
  const createBefore = await createRate(tablesDB)
  const list = (queries: string[]) => () => tablesDB.listRows({ ...ref, queries })
  const equalIndexed = await msPerCall(
    list([Query.equal('providerId', 'provider-42'), Query.limit(25)]),
  )
  const equalScan = await msPerCall(list([Query.equal('region', 'provider-42'), Query.limit(25)]))
  const latestIndexed = await msPerCall(list([Query.orderDesc('$createdAt'), Query.limit(10)]))
  const latestScan = await msPerCall(list([Query.orderDesc('n'), Query.limit(10)]))
  const idIndexed = await msPerCall(list([Query.equal('$id', `row-${size >> 1}`)]))
  const middle = await tablesDB.getRow({ ...ref, rowId: `row-${size >> 1}` })
  const rangeIndexed = await msPerCall(
    list([
      Query.greaterThan('$createdAt', middle.$createdAt),
      Query.orderAsc('$createdAt'),
      Query.limit(25),
    ]),
  )
  gc()
  const indexedPerRow = await seeded(size).then(async (s) => {
    const before = heap()
    await s.tablesDB.listRows({ ...ref, queries: [Query.equal('providerId', 'p'), Query.limit(1)] })
    await s.tablesDB.listRows({ ...ref, queries: [Query.orderDesc('$createdAt'), Query.limit(1)] })
    await s.tablesDB.listRows({ ...ref, queries: [Query.equal('$id', 'row-1')] })
    return s.perRow + (heap() - before) / size
  })
  // Writes once the three indexes above exist: each keeps them sorted.
  const createAfter = await createRate(tablesDB)
  table.push({
    rows: size.toLocaleString('en-US'),
    'equal, indexed': ms(equalIndexed),
    'equal, scan': ms(equalScan),
    "orderDesc('$createdAt')+limit(10)": ms(latestIndexed),
    'orderDesc(unindexed)+limit(10), scan': ms(latestScan),
    "equal('$id')": ms(idIndexed),
    "greaterThan+orderAsc('$createdAt')+limit(25)": ms(rangeIndexed),
    'heap/row, no index built': `${Math.round(perRow)} B`,
    'heap/row, 3 indexes built': `${Math.round(indexedPerRow)} B`,
    'createRow, no index': `${Math.round(createBefore).toLocaleString('en-US')}/s`,
    'createRow, 3 indexes kept': `${Math.round(createAfter).toLocaleString('en-US')}/s`,
  })
  gc()
}
console.log(`node ${process.version}, ${CASE_MS} ms per case, CPU time per call`)
console.table(table)
