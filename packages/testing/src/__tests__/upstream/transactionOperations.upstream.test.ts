import { Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { must } from './upstream'
import { FLAVOURS, SIDES, TABLES_DB_FLAVOUR, transactionSuite } from './transactions'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Databases/Transactions/TransactionsBase.php (appwrite 1.9.6) as
// {TablesDB,Legacy}Transactions{CustomClient,CustomServer}Test.php run it: the schema by the API
// key, the transaction opened by the side's `getHeaders()` (a signed-in user, or the key), most
// operations staged and committed with the key, rows read back by the side. Cases upstream skips outside TablesDB
// (`getDatabaseType() !== 'tablesdb'`) run on TablesDB only.
const BASE = 'tests/e2e/Services/Databases/Transactions/TransactionsBase.php'

const string = (key: string, required = false, size = 256): ColumnSpec => [
  'string',
  { key, size, required },
]
const integer = (key: string, params: Record<string, unknown> = {}): ColumnSpec => [
  'integer',
  { key, required: false, ...params },
]
const CRU = ['create', 'read', 'update'].map((action) => `${action}("any")`)
const CRD = ['create', 'read', 'delete'].map((action) => `${action}("any")`)

for (const flavour of FLAVOURS)
  for (const side of SIDES)
    describe(`${flavour.label} transactions (${side}), as the server tests them`, () => {
      const t = transactionSuite('TransactionOperationsDB', flavour, side)
      const { api } = flavour
      const { seed, rowsById, routed } = t

      it(`${BASE} testTransactionSizeLimit: should take 100 operations in two batches and answer 400 to the 101st`, async () => {
        const tableId = await t.table('TestCollection', [string('value')], ['create("any")'])
        const transactionId = await t.begin()
        const batch = (from: number) =>
          Array.from({ length: 50 }, (_, i) =>
            t.operation('create', tableId, `doc_${from + i}`, { value: `Test ${from + i}` }),
          )
        const first = await t.stage(transactionId, batch(0))
        expect({ status: first.status, operations: first.body.operations }).toEqual({
          status: 201,
          operations: 50,
        })
        const second = await t.stage(transactionId, batch(50))
        expect({ status: second.status, operations: second.body.operations }).toEqual({
          status: 201,
          operations: 100,
        })
        const overflow = await t.stage(transactionId, [
          t.operation('create', tableId, 'doc_overflow', { value: 'This should fail' }),
        ])
        expect(overflow.status).toBe(400)
      })

      it(`${BASE} testBulkOperations: should apply a staged bulk create, bulk update and bulk delete together`, async () => {
        const tableId = await t.table('TestCollection', [
          string('name', true),
          string('category', true),
        ])
        await seed(
          tableId,
          ['existing_1', 'existing_2', 'existing_3', 'existing_4', 'existing_5'],
          (i) => ({
            name: `Existing ${i}`,
            category: 'old',
          }),
        )
        const transactionId = await t.begin()
        const staged = await t.stage(transactionId, [
          t.operation('bulkCreate', tableId, undefined, [
            { $id: 'bulk_1', name: 'Bulk 1', category: 'new' },
            { $id: 'bulk_2', name: 'Bulk 2', category: 'new' },
            { $id: 'bulk_3', name: 'Bulk 3', category: 'new' },
          ]),
          t.operation('bulkUpdate', tableId, undefined, {
            queries: [Query.equal('category', ['old'])],
            data: { category: 'updated' },
          }),
          t.operation('bulkDelete', tableId, undefined, {
            queries: [Query.equal('name', ['Existing 5'])],
          }),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const { total, byId } = await rowsById(tableId)
        expect(total).toBe(7)
        const categories = [...byId.values()].map((row) => row.category as string)
        expect(categories.filter((c) => c === 'old')).toHaveLength(0)
        expect(categories.filter((c) => c === 'updated')).toHaveLength(4)
        expect(categories.filter((c) => c === 'new')).toHaveLength(3)
      })

      it(`${BASE} testMixedSingleOperations: should stage creates, updates, a delete and an upsert through the rows routes`, async () => {
        const tableId = await t.table('TestCollection', [
          string('name', true),
          string('status'),
          integer('priority', { min: 1, max: 10 }),
        ])
        await seed(tableId, ['existing_doc'], () => ({
          name: 'Existing Document',
          status: 'active',
          priority: 5,
        }))
        const transactionId = await t.begin()
        const rows = t.db.rows(tableId)
        for (const [rowId, name, priority] of [
          ['new_doc_1', 'New Document 1', 1],
          ['new_doc_2', 'New Document 2', 2],
        ] as const)
          expect(
            (
              await routed('POST', rows, transactionId, {
                [api.recordId]: rowId,
                data: { name, status: 'pending', priority },
              })
            ).status,
          ).toBe(201)
        const update = (rowId: string, data: Record<string, unknown>) =>
          routed('PATCH', t.row(tableId, rowId), transactionId, { data })
        expect((await update('existing_doc', { status: 'updated', priority: 10 })).status).toBe(200)
        expect((await update('new_doc_1', { status: 'active', priority: 8 })).status).toBe(200)
        expect((await routed('DELETE', t.row(tableId, 'new_doc_2'), transactionId)).status).toBe(
          204,
        )
        const upserted = await routed('PUT', t.row(tableId, 'upserted_doc'), transactionId, {
          data: { name: 'Upserted Document', status: 'new', priority: 3 },
        })
        expect(upserted.status).toBe(201)
        const details = await t.up.call('GET', t.url(transactionId), t.up.key)
        expect({ status: details.status, operations: details.body.operations }).toEqual({
          status: 200,
          operations: 6,
        })
        expect((await t.read(tableId, 'new_doc_1')).status).toBe(404)
        expect((await t.read(tableId, 'upserted_doc')).status).toBe(404)
        expect((await t.read(tableId, 'existing_doc')).body).toMatchObject({
          status: 'active',
          priority: 5,
        })
        const committed = await t.commit(transactionId)
        expect({ status: committed.status, state: committed.body.status }).toEqual({
          status: 200,
          state: 'committed',
        })
        const first = await t.read(tableId, 'new_doc_1')
        expect(first.status).toBe(200)
        expect(first.body).toMatchObject({ name: 'New Document 1', status: 'active', priority: 8 })
        expect((await t.read(tableId, 'new_doc_2')).status).toBe(404)
        expect((await t.read(tableId, 'existing_doc')).body).toMatchObject({
          status: 'updated',
          priority: 10,
        })
        const upsert = await t.read(tableId, 'upserted_doc')
        expect(upsert.status).toBe(200)
        expect(upsert.body).toMatchObject({ name: 'Upserted Document', status: 'new', priority: 3 })
        expect((await rowsById(tableId)).total).toBe(3)
      })

      it(`${BASE} testMixedOperations: should count an operation staged through createOperations and one through the rows route`, async () => {
        const tableId = await t.table('TestCollection', [string('name', true)])
        const transactionId = await t.begin()
        const staged = await t.stage(transactionId, [
          t.operation('create', tableId, 'mixed_doc1', { name: 'Via Operations Add' }),
        ])
        expect({ status: staged.status, operations: staged.body.operations }).toEqual({
          status: 201,
          operations: 1,
        })
        const routedCreate = await routed('POST', t.db.rows(tableId), transactionId, {
          [api.recordId]: 'mixed_doc2',
          data: { name: 'Via normal route' },
        })
        expect(routedCreate.status).toBe(201)
        expect((await t.up.call('GET', t.url(transactionId), t.up.key)).body.operations).toBe(2)
        expect((await t.read(tableId, 'mixed_doc1')).status).toBe(404)
        expect((await t.read(tableId, 'mixed_doc2')).status).toBe(404)
        expect((await t.commit(transactionId)).status).toBe(200)
        expect((await t.read(tableId, 'mixed_doc1')).body.name).toBe('Via Operations Add')
        expect((await t.read(tableId, 'mixed_doc2')).body.name).toBe('Via normal route')
      })

      it(`${BASE} testBulkDeleteMatchingUpdatedDocuments: should let a bulk delete remove rows an earlier staged update marked`, async () => {
        const tableId = await t.table('TestCollection', [
          string('name', true),
          string('status', true),
        ])
        await seed(tableId, ['doc_1', 'doc_2', 'doc_3', 'doc_4', 'doc_5'], (i) => ({
          name: `Document ${i}`,
          status: 'active',
        }))
        const transactionId = await t.begin()
        for (const rowId of ['doc_2', 'doc_4'])
          expect(
            (
              await routed('PATCH', t.row(tableId, rowId), transactionId, {
                data: { status: 'marked_for_deletion' },
              })
            ).status,
          ).toBe(200)
        const deleted = await routed('DELETE', t.db.rows(tableId), transactionId, {
          queries: [Query.equal('status', ['marked_for_deletion'])],
        })
        expect(deleted.status).toBe(200)
        expect((await t.commit(transactionId)).status).toBe(200)
        expect((await t.read(tableId, 'doc_2')).status).toBe(404)
        expect((await t.read(tableId, 'doc_4')).status).toBe(404)
        for (const rowId of ['doc_1', 'doc_3', 'doc_5']) {
          const kept = await t.read(tableId, rowId)
          expect({ rowId, status: kept.status, value: kept.body.status }).toEqual({
            rowId,
            status: 200,
            value: 'active',
          })
        }
      })

      it(`${BASE} testIncrementDecrementOperations: should apply staged increments and decrements within their max and min`, async () => {
        const tableId = await t.table(
          'CounterCollection',
          [integer('counter', { default: 0 }), integer('score', { default: 100 })],
          CRU,
        )
        await seed(tableId, ['counter_doc'], () => ({ counter: 10, score: 50 }), t.headers)
        const transactionId = await t.begin()
        const step = (action: string, column: string, value: number, bound = {}) =>
          t.operation(action, tableId, 'counter_doc', {
            [flavour.schemaParam]: column,
            value,
            ...bound,
          })
        const staged = await t.stage(transactionId, [
          step('increment', 'counter', 5),
          step('decrement', 'score', 20),
          step('increment', 'counter', 3, { max: 20 }),
          step('decrement', 'score', 30, { min: 0 }),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const row = await t.read(tableId, 'counter_doc')
        expect(row.status).toBe(200)
        expect({ counter: row.body.counter, score: row.body.score }).toEqual({
          counter: 18,
          score: 0,
        })
      })

      it(`${BASE} testIncrementDecrementEndpointsWithTransaction: should stage the increment and decrement routes, answer the API's container key, and commit`, async () => {
        const tableId = await t.table(
          'AccountsCollection',
          [integer('balance', { default: 0 })],
          CRU,
        )
        await seed(tableId, ['joe', 'jane'], (i) => ({ balance: i === 1 ? 100 : 50 }), t.headers)
        const transactionId = await t.begin()
        const change = (rowId: string, direction: string, params: Record<string, unknown>) =>
          t.up.call('PATCH', `${t.row(tableId, rowId)}/balance/${direction}`, t.headers, {
            transactionId,
            ...params,
          })
        for (const answer of [
          await change('joe', 'decrement', { value: 50, min: 0 }),
          await change('jane', 'increment', { value: 50 }),
        ]) {
          expect(answer.status).toBe(200)
          expect(answer.body).not.toHaveProperty(flavour.otherContainerKey)
          expect(answer.body).toMatchObject({
            [flavour.containerKey]: tableId,
            $databaseId: t.db.databaseId,
          })
        }
        expect((await t.commit(transactionId, t.headers)).status).toBe(200)
        expect((await t.read(tableId, 'joe')).body.balance).toBe(50)
        expect((await t.read(tableId, 'jane')).body.balance).toBe(100)
      })

      it(`${BASE} testBulkUpdateOperations: should apply two staged bulk updates, each to the rows its query matches`, async () => {
        const tableId = await t.table(
          'BulkUpdateCollection',
          [string('status', false, 50), string('category', false, 50)],
          CRU,
        )
        await seed(
          tableId,
          ['doc_1', 'doc_2', 'doc_3', 'doc_4', 'doc_5'],
          (i) => ({ status: 'pending', category: i % 2 === 0 ? 'even' : 'odd' }),
          t.headers,
        )
        const transactionId = await t.begin()
        const bulk = (category: string, status: string) =>
          t.operation('bulkUpdate', tableId, undefined, {
            queries: [Query.equal('category', [category])],
            data: { status },
          })
        const staged = await t.stage(transactionId, [
          bulk('even', 'approved'),
          bulk('odd', 'rejected'),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const { byId } = await rowsById(tableId)
        expect(byId.size).toBe(5)
        for (const row of byId.values())
          expect(row.status).toBe(row.category === 'even' ? 'approved' : 'rejected')
      })

      it(`${BASE} testBulkUpsertOperations: should update the existing row and create the new ones of a staged bulk upsert`, async () => {
        const tableId = await t.table(
          'BulkUpsertCollection',
          [string('name', false, 100), integer('value')],
          CRU,
        )
        await seed(
          tableId,
          ['existing_1', 'existing_2'],
          (i) => ({ name: `Existing Document ${i}`, value: i * 10 }),
          t.headers,
        )
        const transactionId = await t.begin()
        const staged = await t.stage(transactionId, [
          t.operation('bulkUpsert', tableId, undefined, [
            { $id: 'existing_1', name: 'Updated Document 1', value: 100 },
            { $id: 'new_1', name: 'New Document 1', value: 30 },
            { $id: 'new_2', name: 'New Document 2', value: 40 },
          ]),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const { total, byId } = await rowsById(tableId)
        expect(total).toBe(4)
        const values = Object.fromEntries(
          [...byId].map(([id, row]) => [id, { name: row.name, value: row.value }]),
        )
        expect(values).toEqual({
          existing_1: { name: 'Updated Document 1', value: 100 },
          existing_2: { name: 'Existing Document 2', value: 20 },
          new_1: { name: 'New Document 1', value: 30 },
          new_2: { name: 'New Document 2', value: 40 },
        })
      })

      it(`${BASE} testBulkDeleteOperations: should remove the rows each staged bulk delete matches`, async () => {
        const tableId = await t.table(
          'BulkDeleteCollection',
          [string('type', false, 50), integer('priority')],
          CRD,
        )
        const ids = Array.from({ length: 10 }, (_, i) => `doc_${i + 1}`)
        await seed(
          tableId,
          ids,
          (i) => ({ type: i <= 5 ? 'temp' : 'permanent', priority: i }),
          t.headers,
        )
        const transactionId = await t.begin()
        const staged = await t.stage(transactionId, [
          t.operation('bulkDelete', tableId, undefined, {
            queries: [Query.equal('type', ['temp'])],
          }),
          t.operation('bulkDelete', tableId, undefined, {
            queries: [Query.greaterThan('priority', 8)],
          }),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const { total, byId } = await rowsById(tableId)
        expect(total).toBe(3)
        expect([...byId.keys()].sort()).toEqual(['doc_6', 'doc_7', 'doc_8'])
      })

      it(`${BASE} testNonExistentResources: should answer 404 to an operation on a missing database or table`, async () => {
        const transactionId = await t.begin()
        const noDatabase = await t.stage(transactionId, [
          t.operation(
            'create',
            'someCollection',
            'unique()',
            { name: 'Test' },
            'nonExistentDatabase',
          ),
        ])
        expect(noDatabase.status).toBe(404)
        const noTable = await t.stage(transactionId, [
          t.operation('create', 'nonExistentCollection', 'unique()', { name: 'Test' }),
        ])
        expect(noTable.status).toBe(404)
      })
    })

// Upstream skips these outside TablesDB.
for (const side of SIDES)
  describe(`TablesDB transactions (${side}), cases the server runs on TablesDB only`, () => {
    const t = transactionSuite('TransactionOperationsDB', TABLES_DB_FLAVOUR, side)
    const { api } = t.flavour
    const { seed, rowsById, routed } = t

    it(`${BASE} testIncrementThenUpdate: should apply an update staged after an increment of the same row`, async () => {
      const tableId = await t.table(
        'CounterTable',
        [integer('counter', { default: 0 }), string('status', false, 50)],
        CRU,
      )
      await seed(tableId, ['test_row'], () => ({ counter: 10, status: 'initial' }), t.headers)
      const transactionId = await t.begin()
      const staged = await t.stage(transactionId, [
        t.operation('increment', tableId, 'test_row', { column: 'counter', value: 5 }),
        t.operation('update', tableId, 'test_row', { status: 'updated' }),
      ])
      expect(staged.status).toBe(201)
      expect((await t.commit(transactionId)).status).toBe(200)
      const row = await t.read(tableId, 'test_row')
      expect({ counter: row.body.counter, status: row.body.status }).toEqual({
        counter: 15,
        status: 'updated',
      })
    })

    it(`${BASE} testCrossAPIIncrementDecrement: should commit through /databases/transactions a decrement staged through TablesDB`, async () => {
      const tableId = await t.table('CrossAPITable', [integer('balance', { default: 0 })], CRU)
      await seed(tableId, ['test'], () => ({ balance: 100 }), t.headers)
      const transactionId = await t.begin()
      must(
        await t.up.call('PATCH', `${t.row(tableId, 'test')}/balance/decrement`, t.headers, {
          transactionId,
          value: 30,
        }),
        200,
        'staging the decrement',
      )
      const committed = await t.up.call(
        'PATCH',
        `/databases/transactions/${transactionId}`,
        t.headers,
        { commit: true },
      )
      expect(committed.status).toBe(200)
      expect((await t.read(tableId, 'test')).body.balance).toBe(70)
    })

    for (const [method, action, data, permissions, expected] of [
      [
        'testBulkUpdateWithDependentDocuments',
        'bulkUpdate',
        { queries: [], data: { status: 'approved' } },
        CRU,
        'approved',
      ],
      ['testBulkDeleteWithDependentDocuments', 'bulkDelete', { queries: [] }, CRD, undefined],
      [
        'testBulkUpsertWithDependentDocuments',
        'bulkUpsert',
        [{ $id: 'doc1', status: 'approved' }],
        CRU,
        'approved',
      ],
    ] as const)
      it(`${BASE} ${method}: should let a ${action} ${expected === undefined ? 'remove' : 'update'} a row created earlier in the transaction`, async () => {
        const tableId = await t.table('TestTable', [string('status', false, 50)], permissions)
        const transactionId = await t.begin()
        const staged = await t.stage(transactionId, [
          t.operation('create', tableId, 'doc1', { status: 'pending' }),
          t.operation(action, tableId, undefined, data),
        ])
        expect(staged.status).toBe(201)
        expect((await t.commit(transactionId)).status).toBe(200)
        const { byId } = await rowsById(tableId)
        expect([...byId.values()].map((row) => ({ $id: row.$id, status: row.status }))).toEqual(
          expected === undefined ? [] : [{ $id: 'doc1', status: expected }],
        )
      })

    it(`${BASE} testBulkUpdateMatchesCreatedDocsInSameTransaction: should let the bulk update route match rows the create route staged`, async () => {
      const tableId = await t.table('TestTable', [string('status', true), string('flag')])
      const transactionId = await t.begin()
      const ids: string[] = []
      for (const i of [1, 2, 3]) {
        const created = await routed('POST', t.db.rows(tableId), transactionId, {
          [api.recordId]: `test_${i}`,
          data: { status: 'pending' },
        })
        expect(created.status).toBe(201)
        ids.push(created.body.$id as string)
      }
      const updated = await routed('PATCH', t.db.rows(tableId), transactionId, {
        data: { flag: 'processed' },
        queries: [Query.equal('status', ['pending'])],
      })
      expect(updated.status).toBe(200)
      expect((await t.commit(transactionId)).status).toBe(200)
      for (const rowId of ids) {
        const row = await t.read(tableId, rowId)
        expect({ status: row.status, value: row.body.status, flag: row.body.flag }).toEqual({
          status: 200,
          value: 'pending',
          flag: 'processed',
        })
      }
    })

    it(`${BASE} testUpsertAutoIdThenUpdate: should stage an upsert and an update of a row created with unique() in the transaction`, async () => {
      const tableId = await t.table(
        'TestCollection',
        [string('name', true), integer('counter', { min: 0, max: 10000 })],
        CRU,
      )
      const transactionId = await t.begin()
      const created = await routed('POST', t.db.rows(tableId), transactionId, {
        [api.recordId]: 'unique()',
        data: { name: 'Initial document', counter: 5 },
      })
      expect(created.status).toBe(201)
      const rowId = created.body.$id as string
      const upserted = await routed('PUT', t.row(tableId, rowId), transactionId, {
        data: { name: 'Upserted in transaction', counter: 10 },
      })
      expect(upserted.status).toBe(201)
      const updated = await routed('PATCH', t.row(tableId, rowId), transactionId, {
        data: { name: 'Updated after upsert', counter: 20 },
      })
      expect(updated.status).toBe(200)
      expect((await t.commit(transactionId)).status).toBe(200)
      const row = await t.read(tableId, rowId)
      expect(row.status).toBe(200)
      expect({ name: row.body.name, counter: row.body.counter }).toEqual({
        name: 'Updated after upsert',
        counter: 20,
      })
    })
  })
