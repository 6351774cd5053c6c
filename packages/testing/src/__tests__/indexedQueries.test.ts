import fc from 'fast-check'
import { Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { AppwriteException } from '../fake/errors'
import { fakeWithTable } from './helpers'

const databaseId = 'main'
const tableId = 'bookings'
const ref = { databaseId, tableId }
const IDS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']
const STATUSES = ['pending', 'Pending', 'accepted', 'declined']

/** A fake whose `bookings` table has a key index on `status` and a unique one on `slot`. */
async function setup() {
  const { fake, admin, clock } = await fakeWithTable({ tableId, name: 'Bookings' })
  await admin.createStringColumn({ ...ref, key: 'status', size: 16, required: false })
  await admin.createIntegerColumn({ ...ref, key: 'price', required: false })
  await admin.createStringColumn({ ...ref, key: 'slot', size: 16, required: false })
  await admin.createIndex({ ...ref, key: 'by_status', type: 'key', columns: ['status'] })
  await admin.createIndex({ ...ref, key: 'by_price', type: 'key', columns: ['price'] })
  await admin.createIndex({ ...ref, key: 'uniq_slot', type: 'unique', columns: ['slot'] })
  await admin.createTable({ databaseId, tableId: 'scratch', name: 'Scratch' })
  await admin.createStringColumn({
    databaseId,
    tableId: 'scratch',
    key: 'note',
    size: 16,
    required: false,
  })
  return { fake, clock, tablesDB: fake.tablesDB }
}

const dataArb = fc.record(
  {
    status: fc.option(fc.constantFrom(...STATUSES)),
    price: fc.option(fc.integer({ min: 0, max: 3 })),
  },
  { requiredKeys: [] },
)

const writeArb = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), id: fc.constantFrom(...IDS), data: dataArb }),
  fc.record({ kind: fc.constant('update' as const), id: fc.constantFrom(...IDS), data: dataArb }),
  fc.record({ kind: fc.constant('upsert' as const), id: fc.constantFrom(...IDS), data: dataArb }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }),
  fc.record({
    kind: fc.constant('bulk' as const),
    status: fc.constantFrom(...STATUSES),
    data: dataArb,
  }),
  fc.record({
    kind: fc.constant('commit' as const),
    id: fc.constantFrom(...IDS),
    data: dataArb,
  }),
)

const queryArb = fc
  .tuple(
    fc.oneof(
      fc.constant([]),
      fc.constantFrom(...STATUSES).map((status) => [Query.equal('status', status)]),
      fc.constantFrom(...IDS).map((id) => [Query.equal('$id', id)]),
      fc.integer({ min: 0, max: 3 }).map((price) => [Query.greaterThan('price', price)]),
      fc.integer({ min: 0, max: 3 }).map((price) => [Query.lessThanEqual('price', price)]),
      fc.constant([
        Query.between('$createdAt', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z'),
      ]),
    ),
    fc.oneof(
      fc.constant([]),
      fc.constant([Query.orderDesc('$createdAt')]),
      fc.constant([Query.orderAsc('$updatedAt')]),
      fc.constant([Query.orderDesc('status')]),
      fc.constant([Query.orderAsc('price'), Query.orderDesc('$id')]),
    ),
    fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  )
  .map(([filters, orders, limit, offset]) => [
    ...filters,
    ...orders,
    ...(limit === undefined ? [] : [Query.limit(limit)]),
    ...(offset === undefined ? [] : [Query.offset(offset)]),
  ])

describe('indexedQueries', () => {
  it('should list exactly what a transaction read (which scans) lists, after every kind of write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(writeArb, fc.constantFrom(0, 1000)), { maxLength: 20 }),
        fc.array(queryArb, { minLength: 1, maxLength: 6 }),
        async (writes, queries) => {
          const { tablesDB, clock } = await setup()
          for (const [step, pause] of writes) {
            await clock.advance(pause)
            // Writes the server refuses (a missing row, a taken slot) are part of the sequence.
            await applyWrite(tablesDB, step).catch((error: unknown) => {
              if (!(error instanceof AppwriteException)) throw error
            })
            // Answered between writes, so the indexes exist early and every later write must
            // keep them up to date.
            for (const list of queries) await tablesDB.listRows({ ...ref, queries: list })
          }
          // A transaction with a staged write elsewhere: its reads go through a copy-on-write
          // view of the tables, which has no indexes and scans.
          const view = await tablesDB.createTransaction()
          await tablesDB.createRow({
            databaseId,
            tableId: 'scratch',
            rowId: 'x',
            data: { note: 'x' },
            transactionId: view.$id,
          })
          for (const list of queries) {
            const indexed = await tablesDB.listRows({ ...ref, queries: list })
            const scanned = await tablesDB.listRows({
              ...ref,
              queries: list,
              transactionId: view.$id,
            })
            expect(indexed).toEqual(scanned)
          }
        },
      ),
      { numRuns: 200 },
    )
  }, 60_000)

  it('should find a row by an indexed column after it was changed, by neither value once deleted', async () => {
    const { tablesDB } = await setup()
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'pending' } })
    const pending = [Query.equal('status', 'pending')]
    expect((await tablesDB.listRows({ ...ref, queries: pending })).total).toBe(1)
    await tablesDB.updateRow({ ...ref, rowId: 'b1', data: { status: 'accepted' } })
    expect((await tablesDB.listRows({ ...ref, queries: pending })).total).toBe(0)
    const accepted = await tablesDB.listRows({
      ...ref,
      queries: [Query.equal('status', 'accepted')],
    })
    expect(accepted.rows.map((row) => row.$id)).toEqual(['b1'])
    await tablesDB.deleteRow({ ...ref, rowId: 'b1' })
    const gone = await tablesDB.listRows({ ...ref, queries: [Query.equal('status', 'accepted')] })
    expect(gone.total).toBe(0)
  })
})

type Write = typeof writeArb extends fc.Arbitrary<infer T> ? T : never

async function applyWrite(
  tablesDB: Awaited<ReturnType<typeof setup>>['tablesDB'],
  step: Write,
): Promise<unknown> {
  switch (step.kind) {
    case 'create':
      return tablesDB.createRow({ ...ref, rowId: step.id, data: { ...step.data, slot: step.id } })
    case 'update':
      return tablesDB.updateRow({ ...ref, rowId: step.id, data: step.data })
    case 'upsert':
      return tablesDB.upsertRow({ ...ref, rowId: step.id, data: step.data })
    case 'delete':
      return tablesDB.deleteRow({ ...ref, rowId: step.id })
    case 'bulk':
      return tablesDB.updateRows({
        ...ref,
        data: step.data,
        queries: [Query.equal('status', step.status)],
      })
    case 'commit': {
      const tx = await tablesDB.createTransaction()
      await tablesDB.upsertRow({ ...ref, rowId: step.id, data: step.data, transactionId: tx.$id })
      return tablesDB.updateTransaction({ transactionId: tx.$id, commit: true })
    }
  }
}
