import { Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { FLAVOURS, LEGACY_FLAVOUR, SIDES, transactionSuite } from './transactions'
import type { TransactionSuite } from './transactions'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Databases/Transactions/TransactionsBase.php (appwrite 1.9.6): the
// single-row and bulk routes given a `transactionId`, as {TablesDB,Legacy}Transactions
// {CustomClient,CustomServer}Test.php run them (the transaction opened by the side's
// `getHeaders()`, a signed-in user or the key; the writes and the commit by the key; reads by the
// side). The bulk routes on TablesDB are in
// bulk.upstream.test.ts; here they run on the legacy API.
const BASE = 'tests/e2e/Services/Databases/Transactions/TransactionsBase.php'

const NAME: ColumnSpec = ['string', { key: 'name', size: 256, required: true }]
const COUNTER: ColumnSpec = ['integer', { key: 'counter', required: false, min: 0, max: 10000 }]
const CATEGORY: ColumnSpec = ['string', { key: 'category', size: 256, required: false }]
const grant = (...actions: string[]) => actions.map((action) => `${action}("any")`)

/** How many rows of `category` the suite's side lists in `tableId`. */
const countIn = async (t: TransactionSuite, tableId: string, category: string) =>
  (await t.list(tableId, [Query.equal('category', [category])], t.headers)).body.total as number

for (const flavour of FLAVOURS)
  for (const side of SIDES)
    describe(`${flavour.label} single-row routes in a transaction (${side}), as the server tests them`, () => {
      const t = transactionSuite('TransactionRoutesDB', flavour, side)

      it(`${BASE} testUpdateDocument: should stage an update through the row route, invisible until the commit`, async () => {
        const tableId = await t.table(
          'TestCollection',
          [NAME, COUNTER, CATEGORY],
          grant('create', 'read', 'update'),
        )
        await t.seed(tableId, ['doc_to_update'], () => ({
          name: 'Original name',
          counter: 50,
          category: 'original',
        }))
        const transactionId = await t.begin()
        const staged = await t.routed('PATCH', t.row(tableId, 'doc_to_update'), transactionId, {
          data: { name: 'Updated via normal route', counter: 150, category: 'updated' },
        })
        expect(staged.status).toBe(200)
        const before = await t.read(tableId, 'doc_to_update')
        expect({ name: before.body.name, counter: before.body.counter }).toEqual({
          name: 'Original name',
          counter: 50,
        })
        expect((await t.commit(transactionId)).status).toBe(200)
        const after = await t.read(tableId, 'doc_to_update')
        expect({ name: after.body.name, counter: after.body.counter }).toEqual({
          name: 'Updated via normal route',
          counter: 150,
        })
      })

      it(`${BASE} testUpsertDocument: should answer 201 to an upsert that creates and to one that updates the same staged row`, async () => {
        const tableId = await t.table(
          'TestCollection',
          [NAME, COUNTER],
          grant('create', 'read', 'update'),
        )
        const transactionId = await t.begin()
        const upsert = (name: string, counter: number) =>
          t.routed('PUT', t.row(tableId, 'doc_upsert'), transactionId, {
            [flavour.api.recordId]: 'doc_upsert',
            data: { name, counter },
          })
        expect((await upsert('Created by upsert', 25)).status).toBe(201)
        expect((await t.read(tableId, 'doc_upsert')).status).toBe(404)
        expect((await upsert('Updated by upsert', 75)).status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const row = await t.read(tableId, 'doc_upsert')
        expect({ status: row.status, name: row.body.name, counter: row.body.counter }).toEqual({
          status: 200,
          name: 'Updated by upsert',
          counter: 75,
        })
      })

      it(`${BASE} testDeleteDocument: should stage a delete through the row route, the row readable until the commit`, async () => {
        const tableId = await t.table('SharedTestCollection', [NAME])
        await t.seed(tableId, ['doc_to_delete'], () => ({ name: 'Will be deleted' }))
        const transactionId = await t.begin()
        const staged = await t.routed('DELETE', t.row(tableId, 'doc_to_delete'), transactionId)
        expect(staged.status).toBe(204)
        expect((await t.read(tableId, 'doc_to_delete')).status).toBe(200)
        expect((await t.commit(transactionId)).status).toBe(200)
        expect((await t.read(tableId, 'doc_to_delete')).status).toBe(404)
      })
    })

for (const side of SIDES)
  describe(`Legacy bulk routes in a transaction (${side}), as the server tests them`, () => {
    const t = transactionSuite('TransactionRoutesDB', LEGACY_FLAVOUR, side)
    const categoryTable = (actions: string[]) =>
      t.table('TestCollection', [NAME, CATEGORY], grant(...actions))
    /** Rows `<prefix>_1` … `_3` by the key, named `<name> 1` … `3`, all in `category`. */
    const seedThree = (tableId: string, prefix: string, name: string, category: string) =>
      t.seed(
        tableId,
        [1, 2, 3].map((i) => `${prefix}_${i}`),
        (i) => ({ name: `${name} ${i}`, category }),
      )

    it(`${BASE} testBulkCreate: should stage a bulk create of documents, invisible until the commit writes them`, async () => {
      const tableId = await categoryTable(['create', 'read'])
      const transactionId = await t.begin()
      const staged = await t.routed('POST', t.db.rows(tableId), transactionId, {
        documents: [1, 2, 3].map((i) => ({
          $id: `bulk_create_${i}`,
          name: `Bulk created ${i}`,
          category: 'bulk_created',
        })),
      })
      expect(staged.status).toBe(200)
      expect(await countIn(t, tableId, 'bulk_created')).toBe(0)
      expect((await t.read(tableId, 'bulk_create_1')).status).toBe(404)
      expect((await t.commit(transactionId)).status).toBe(200)
      expect(await countIn(t, tableId, 'bulk_created')).toBe(3)
      for (const i of [1, 2, 3]) {
        const row = await t.read(tableId, `bulk_create_${i}`)
        expect({ status: row.status, name: row.body.name, category: row.body.category }).toEqual({
          status: 200,
          name: `Bulk created ${i}`,
          category: 'bulk_created',
        })
      }
    })

    it(`${BASE} testBulkUpsert: should stage a bulk upsert of documents that updates one and creates another`, async () => {
      const tableId = await t.table(
        'TestCollection',
        [NAME, COUNTER],
        grant('create', 'read', 'update'),
      )
      await t.seed(tableId, ['bulk_upsert_existing'], () => ({ name: 'Existing doc', counter: 10 }))
      const transactionId = await t.begin()
      const staged = await t.routed('PUT', t.db.rows(tableId), transactionId, {
        documents: [
          { $id: 'bulk_upsert_existing', name: 'Updated existing', counter: 20 },
          { $id: 'bulk_upsert_new', name: 'New doc', counter: 30 },
        ],
      })
      expect(staged.status).toBe(200)
      const values = async (rowId: string) => {
        const row = await t.read(tableId, rowId)
        return { status: row.status, name: row.body.name, counter: row.body.counter }
      }
      expect(await values('bulk_upsert_existing')).toEqual({
        status: 200,
        name: 'Existing doc',
        counter: 10,
      })
      expect((await values('bulk_upsert_new')).status).toBe(404)
      expect((await t.commit(transactionId)).status).toBe(200)
      expect(await values('bulk_upsert_existing')).toEqual({
        status: 200,
        name: 'Updated existing',
        counter: 20,
      })
      expect(await values('bulk_upsert_new')).toEqual({ status: 200, name: 'New doc', counter: 30 })
    })

    for (const [method, httpMethod, action, after, data] of [
      ['testBulkUpdate', 'PATCH', 'update', 3, { data: { category: 'bulk_updated' } }],
      ['testBulkDelete', 'DELETE', 'delete', 0, {}],
    ] as const)
      it(`${BASE} ${method}: should stage a bulk ${action} of the matched documents and apply it on commit`, async () => {
        const tableId = await categoryTable(['create', 'read', action])
        await seedThree(tableId, `bulk_${action}`, 'Bulk doc', 'bulk_test')
        const transactionId = await t.begin()
        const staged = await t.routed(httpMethod, t.db.rows(tableId), transactionId, {
          queries: [Query.equal('category', ['bulk_test'])],
          ...data,
        })
        expect(staged.status).toBe(200)
        expect(await countIn(t, tableId, 'bulk_test')).toBe(3)
        expect((await t.commit(transactionId)).status).toBe(200)
        expect(await countIn(t, tableId, 'bulk_test')).toBe(0)
        expect(await countIn(t, tableId, 'bulk_updated')).toBe(after)
      })
  })
