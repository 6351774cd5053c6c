import { describe, expect, it } from 'vitest'
import { FLAVOURS, transactionSuite } from './transactions'

// Facts from tests/e2e/Services/Databases/Transactions/ACIDBase.php (appwrite 1.9.6) as
// TablesDBACIDTest.php and LegacyACIDTest.php run it: schema, transactions and their operations by
// the API key, rows written and read outside the transactions by a signed-in user.
const ACID = 'tests/e2e/Services/Databases/Transactions/ACIDBase.php'

const grant = (...actions: string[]) => actions.map((action) => `${action}("any")`)

for (const flavour of FLAVOURS)
  describe(`${flavour.label} transactions' ACID properties, as the server tests them`, () => {
    const t = transactionSuite('ACIDTestDB', flavour)

    it(`${ACID} testAtomicity: should write none of three creates when one breaks a unique index`, async () => {
      const tableId = await t.db.table(
        'AtomicityTest',
        [['string', { key: 'email', size: 256, required: true }]],
        {
          permissions: grant('create', 'read'),
          rowSecurity: false,
          indexes: [['unique_email', 'unique', ['email']]],
        },
      )
      await t.seed(tableId, ['unique()'], () => ({ email: 'existing@example.com' }), t.user.headers)
      const transactionId = await t.begin(t.up.key)
      const staged = await t.stage(
        transactionId,
        ['newuser@example.com', 'existing@example.com', 'anotheruser@example.com'].map((email) =>
          t.operation('create', tableId, 'unique()', { email }),
        ),
      )
      expect(staged.status).toBe(201)
      // Upstream accepts a 200 too, but its own assertions then only hold with the duplicate written.
      expect((await t.commit(transactionId)).status).toBe(409)
      const { total, byId } = await t.rowsById(tableId)
      expect(total).toBe(1)
      expect([...byId.values()].map((row) => row.email)).toEqual(['existing@example.com'])
    })

    it(`${ACID} testConsistency: should answer 400 on commit when one create breaks a column's min, writing none`, async () => {
      const tableId = await t.table(
        'ConsistencyTest',
        [
          ['string', { key: 'required_field', size: 256, required: true }],
          ['integer', { key: 'age', required: true, min: 18, max: 100 }],
        ],
        grant('create', 'read'),
      )
      const transactionId = await t.begin(t.up.key)
      const staged = await t.stage(
        transactionId,
        (
          [
            ['Valid User', 25],
            ['Too Young User', 10],
            ['Another Valid User', 30],
          ] as const
        ).map(([name, age]) =>
          t.operation('create', tableId, 'unique()', { required_field: name, age }),
        ),
      )
      expect(staged.status).toBe(201)
      expect((await t.commit(transactionId)).status).toBe(400)
      expect((await t.rowsById(tableId)).total).toBe(0)
    })

    it(`${ACID} testIsolation: should commit two transactions incrementing one row and keep both increments`, async () => {
      const tableId = await t.table(
        'IsolationTest',
        [['integer', { key: 'counter', required: true, min: 0, max: 1_000_000 }]],
        grant('create', 'read', 'update'),
      )
      await t.seed(tableId, ['shared_counter'], () => ({ counter: 0 }), t.user.headers)
      const first = await t.begin(t.up.key)
      const second = await t.begin(t.up.key)
      for (const [transactionId, value] of [
        [first, 10],
        [second, 5],
      ] as const)
        await t.stageOk(transactionId, [
          t.operation('increment', tableId, 'shared_counter', {
            [flavour.schemaParam]: 'counter',
            value,
          }),
        ])
      expect((await t.commit(first)).status).toBe(200)
      expect((await t.commit(second)).status).toBe(200)
      expect((await t.read(tableId, 'shared_counter')).body.counter).toBe(15)
    })

    it(`${ACID} testDurability: should keep committed rows, and a later update outside the transaction`, async () => {
      const tableId = await t.table('DurabilityTest', [
        ['string', { key: 'data', size: 256, required: true }],
      ])
      const transactionId = await t.begin(t.up.key)
      const committed = await t.stageAndCommit(transactionId, [
        t.operation('create', tableId, 'durable_doc_1', { data: 'Important data 1' }),
        t.operation('create', tableId, 'durable_doc_2', { data: 'Important data 2' }),
        t.operation('update', tableId, 'durable_doc_1', { data: 'Updated important data 1' }),
      ])
      expect({ status: committed.status, state: committed.body.status }).toEqual({
        status: 200,
        state: 'committed',
      })
      expect((await t.rowsById(tableId)).total).toBeGreaterThan(0)
      const first = await t.read(tableId, 'durable_doc_1')
      expect({ status: first.status, data: first.body.data }).toEqual({
        status: 200,
        data: 'Updated important data 1',
      })
      const second = await t.read(tableId, 'durable_doc_2')
      expect({ status: second.status, data: second.body.data }).toEqual({
        status: 200,
        data: 'Important data 2',
      })
      const update = await t.up.call('PATCH', t.row(tableId, 'durable_doc_1'), t.user.headers, {
        data: { data: 'Modified outside transaction' },
      })
      expect(update.status).toBe(200)
      expect((await t.read(tableId, 'durable_doc_1')).body.data).toBe(
        'Modified outside transaction',
      )
      expect((await t.rowsById(tableId)).total).toBe(2)
    })
  })
