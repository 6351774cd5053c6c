// The fake's two ways of building a row's API model, side by side on the same rows: the builder
// compiled once per schema (`new Function`, one object literal) against the reference loop (a
// property added per column). CPU µs per 100 models of a 24-column table, as a list of 100 rows
// builds them; medians of interleaved rounds. Then the fake's `listRows` of those 100 rows, the call
// a user makes, and what it would cost with the loop.
//   cd bench && node --import tsx fakeRowModels.bench.ts
import { Query } from 'node-appwrite'
import { createFakeAppwrite } from '../packages/testing/src/index'
import { compiledModel, copyOut, loopModel } from '../packages/testing/src/fake/rowModels'
import type { TableSchema } from '../packages/testing/src/fake/schema'
import type { StoredRow } from '../packages/testing/src/fake/store'
import { median } from './support'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2_000)
const COLUMNS = Number(process.env.BENCH_COLUMNS ?? 24)

const columns = Array.from({ length: COLUMNS }, (_, i) => ({ key: `c${i}`, array: i % 8 === 7 }))
const schema = { columns: new Map(columns.map((c) => [c.key, c])) } as unknown as TableSchema
const rows: StoredRow[] = Array.from({ length: 100 }, (_, r) => ({
  $id: `r${r}`,
  $sequence: r + 1,
  $createdAt: '2026-01-01T00:00:00.000+00:00',
  $updatedAt: '2026-01-01T00:00:00.000+00:00',
  $permissions: ['read("user:a")', 'read("user:b")'],
  data: Object.fromEntries(
    columns.map(({ key, array }, i) => [
      key,
      array ? ['x', 'y'] : i % 3 === 0 ? r * i : `v${r}-${i}`,
    ]),
  ),
}))
const place = { databaseId: 'main', tableId: 'bookings' }
const compiled = compiledModel(schema, '$tableId')!

const cases: [string, (row: StoredRow) => unknown][] = [
  ['compiled builder', (row) => compiled(row, place, copyOut)],
  ['loop', (row) => loopModel('$tableId', place, row, schema)],
]
const results = new Map<string, number[]>(cases.map(([name]) => [name, []]))
let sink = 0
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, build] of cases) {
    const before = process.cpuUsage()
    for (let b = 0; b < BATCHES; b++) for (const row of rows) sink += build(row) === null ? 1 : 0
    const used = process.cpuUsage(before)
    results.get(name)!.push((used.user + used.system) / BATCHES)
  }
}
// What a user meets: `listRows` of 100 rows on the fake (which builds with the compiled builder),
// and the same call with the loop's cost in place of the builder's (list − compiled + loop).
const fake = createFakeAppwrite({
  databases: {
    main: {
      tables: {
        t: {
          columns: columns.map(({ key, array }, i) => ({
            key,
            type: i % 3 === 0 && !array ? 'integer' : 'string',
            size: 32,
            array,
          })) as never,
        },
      },
    },
  },
})
for (const row of rows)
  await fake.tablesDB.createRow({
    databaseId: 'main',
    tableId: 't',
    rowId: row.$id,
    data: { ...row.data },
  })
const listTimes: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  const calls = Math.max(1, Math.floor(BATCHES / 10))
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++)
    await fake.tablesDB.listRows({ databaseId: 'main', tableId: 't', queries: [Query.limit(100)] })
  const used = process.cpuUsage(before)
  listTimes.push((used.user + used.system) / calls)
}

console.log(
  `Node ${process.version}, ${COLUMNS} columns, ${ROUNDS} rounds × ${BATCHES} lists of 100 rows (sink ${sink})\n`,
)
console.log('| builder | CPU µs per 100 models |')
console.log('| ------- | --------------------: |')
for (const [name, values] of results) console.log(`| ${name} | ${median(values).toFixed(1)} |`)
const list = median(listTimes)
const withLoop = list - median(results.get('compiled builder')!) + median(results.get('loop')!)
console.log(`\nfake listRows of 100 rows: ${list.toFixed(1)} µs CPU with the compiled builder;`)
console.log(
  `with the loop instead (list − compiled + loop): ${withLoop.toFixed(1)} µs, ${(withLoop / list).toFixed(2)}×`,
)
