// The fake's data and admin paths side by side: this checkout's `packages/testing/src` against the
// same sources of another revision, in one process, alternating which copy runs first and
// collecting garbage before each run; best of BENCH_ROUNDS runs of BENCH_ROWS calls each.
//   git archive <rev> packages/testing/src | tar -x -C /tmp/before
//   cd bench && BEFORE=/tmp/before/packages/testing/src/index.ts \
//     node --expose-gc --import tsx fakeBeforeAfter.bench.ts
import * as current from '../packages/testing/src/index'

type Fake = typeof current
type Create = Fake['createFakeAppwrite']

const BEFORE = process.env.BEFORE
// run-all.ts runs every bench: without a revision to compare with, say so and measure nothing.
const before = BEFORE === undefined ? undefined : ((await import(BEFORE)) as Fake)
if (before === undefined) {
  console.log(
    'fakeBeforeAfter.bench.ts: skipped: set BEFORE to the index.ts of the revision to compare with (see the header)',
  )
}
const N = Number(process.env.BENCH_ROWS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const data = (i: number) => ({ customerId: 'c1', providerId: `p${i % 100}`, status: 'pending' })

const row = (i: number) => ({ databaseId: 'main', tableId: 'bench', rowId: `r${i}`, data: data(i) })

/** Runs `call(i)` for `i` from 0 to `calls - 1`, one after another: calls per second. */
async function perSecond(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < calls; i++) await call(i)
  return calls / ((performance.now() - start) / 1000)
}

function createRows(create: Create): Promise<number> {
  const { tablesDB } = create()
  return perSecond(N, (i) => tablesDB.createRow(row(i)))
}

function createDocuments(create: Create): Promise<number> {
  const { databases } = create()
  return perSecond(N, (i) =>
    databases.createDocument({
      databaseId: 'main',
      collectionId: 'bench',
      documentId: `d${i}`,
      data: data(i),
    }),
  )
}

async function listRows(create: Create): Promise<number> {
  const { tablesDB } = create()
  for (let i = 0; i < 500; i++) await tablesDB.createRow(row(i))
  return perSecond(N / 10, () => tablesDB.listRows({ databaseId: 'main', tableId: 'bench' }))
}

function adminSequence(create: Create): Promise<number> {
  const table = { databaseId: 'main', tableId: 't' }
  return perSecond(N / 50, async () => {
    const { admin } = create()
    await admin.create({ databaseId: 'main', name: 'Main' })
    await admin.createTable({ ...table, name: 'T' })
    await admin.createStringColumn({ ...table, key: 's', size: 36, required: false })
    await admin.createIntegerColumn({ ...table, key: 'n', required: false })
    await admin.listColumns(table)
  })
}

const cases: Record<string, (create: Create) => Promise<number>> = {
  'tablesDB.createRow /s': createRows,
  'databases.createDocument /s': createDocuments,
  'tablesDB.listRows of 25 (500 rows) /s': listRows,
  'admin: database, table, 2 columns, listColumns /s': adminSequence,
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
for (const [name, run] of before === undefined ? [] : Object.entries(cases)) {
  const best = { before: 0, current: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const order =
      round % 2 === 0 ? (['before', 'current'] as const) : (['current', 'before'] as const)
    for (const which of order) {
      gc()
      const create = which === 'before' ? before!.createFakeAppwrite : current.createFakeAppwrite
      best[which] = Math.max(best[which], await run(create))
    }
  }
  const ratio = (best.current / best.before).toFixed(3)
  console.log(
    `${name}: before ${Math.round(best.before)}, current ${Math.round(best.current)}, ratio ${ratio}`,
  )
}
