// The emulator both emulator CPU benches serve: the built package (as users run it; tsx would
// resolve the package name to the sources through the workspace's tsconfig paths and add its own
// helpers, `BENCH_SOURCE=1` serves the sources; `BENCH_DIST=<dir>` another build of the package,
// such as a copy of `packages/testing/dist` from an older commit, for before/after runs), with a
// table `bench/items` of `rows` rows (`title`, `category` of 40 values with a key index, `count`).
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as Emulator from '@booking-guard/testing/emulator'

export async function startSeededEmulator(rows: number): Promise<Emulator.AppwriteEmulator> {
  const { startAppwriteEmulator } = (await import(
    process.env.BENCH_SOURCE === '1'
      ? '@booking-guard/testing/emulator'
      : process.env.BENCH_DIST !== undefined
        ? pathToFileURL(resolve(process.env.BENCH_DIST, 'emulator/index.js')).href
        : '../../packages/testing/dist/emulator/index.js'
  )) as typeof Emulator
  const emulator = await startAppwriteEmulator()
  const ref = { databaseId: 'bench', tableId: 'items' }
  const admin = emulator.fake.admin
  await admin.create({ databaseId: 'bench', name: 'Bench' })
  await admin.createTable({ ...ref, name: 'Items' })
  await admin.createStringColumn({ ...ref, key: 'title', size: 64, required: false })
  await admin.createStringColumn({ ...ref, key: 'category', size: 16, required: false })
  await admin.createIntegerColumn({ ...ref, key: 'count', required: false })
  await admin.createIndex({
    ...ref,
    key: 'by_category',
    type: 'key' as never,
    columns: ['category'],
  })
  for (let i = 0; i < rows; i++) {
    await emulator.fake.tablesDB.createRow({
      ...ref,
      rowId: `r${i}`,
      data: { title: `item ${i}`, category: `c${i % 40}`, count: i },
    })
  }
  return emulator
}
