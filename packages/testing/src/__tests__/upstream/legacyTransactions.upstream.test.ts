import { Operator, Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { LEGACY_FLAVOUR, transactionSuite } from './transactions'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Databases/Transactions/TransactionsBase.php and
// TransactionPermissionsBase.php (appwrite 1.9.6) as LegacyTransactionsCustomClientTest.php and
// LegacyTransactionPermissionsCustomClientTest.php run them on the legacy API (/v1/databases,
// collections, documents, attributes): the cases whose TablesDB run is in
// transactions.upstream.test.ts and bulk.upstream.test.ts. Transactions are opened by a signed-in
// user; schema, staged operations and commits use the API key unless upstream sends the user's.
const BASE = 'tests/e2e/Services/Databases/Transactions/TransactionsBase.php'
const PERMISSIONS = 'tests/e2e/Services/Databases/Transactions/TransactionPermissionsBase.php'

const t = transactionSuite('LegacyTransactionDB', LEGACY_FLAVOUR)
const string = (key: string, required = true): ColumnSpec => [
  'string',
  { key, size: 256, required },
]
const strings = (...keys: string[]) => keys.map((key) => string(key))
const list = (key: string): ColumnSpec => [
  'string',
  { key, size: 255, required: false, array: true },
]

/** A transaction's answer and its expiry, in seconds from the suite's clock. */
const secondsLeft = (answer: { body: { expiresAt: string } }) =>
  (Date.parse(answer.body.expiresAt) - t.clock.now()) / 1000

/** The statuses of the given documents, read by the user. */
const statuses = async (collectionId: string, ids: string[]) => {
  const out: Record<string, unknown> = {}
  for (const id of ids) out[id] = (await t.read(collectionId, id)).body.status
  return out
}

/** Writes the document `documentId` with `data`, as the user; then opens a transaction: its id. */
const seedAndBegin = async (
  collectionId: string,
  documentId: string,
  data: Record<string, unknown>,
) => {
  await t.seed(collectionId, [documentId], () => data, t.user.headers)
  return t.begin()
}

/** Commits `transactionId` as the user (setup: throws unless 200), then reads the document. */
const commitAndRead = async (transactionId: string, collectionId: string, documentId: string) => {
  must(await t.commit(transactionId, t.user.headers), 200, `committing ${transactionId}`)
  return (await t.read(collectionId, documentId)).body as Record<string, unknown>
}

/** Writes to one document through its route, as the user, staged in `transactionId`. */
const patchAsUser = (
  collectionId: string,
  documentId: string,
  transactionId: string,
  data: unknown,
) => t.up.call('PATCH', t.row(collectionId, documentId), t.user.headers, { transactionId, data })

describe('Legacy transactions, as the server tests them', () => {
  it(`${BASE} testCreate: should open a pending transaction with no operations and bound its ttl`, async () => {
    const created = await t.up.call('POST', t.url(), t.user.headers)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'pending', operations: 0 })
    expect(Object.keys(created.body)).toEqual(
      expect.arrayContaining(['$id', 'status', 'operations', 'expiresAt']),
    )
    const custom = await t.up.call('POST', t.url(), t.user.headers, { ttl: 900 })
    expect({ status: custom.status, state: custom.body.status }).toEqual({
      status: 201,
      state: 'pending',
    })
    expect(secondsLeft(custom)).toBeGreaterThan(800)
    expect(secondsLeft(custom)).toBeLessThan(1000)
    for (const ttl of [30, 4000])
      expect({
        ttl,
        status: (await t.up.call('POST', t.url(), t.user.headers, { ttl })).status,
      }).toEqual({
        ttl,
        status: 400,
      })
  })

  it(`${BASE} testTransactionExpiration: should keep a 60-second transaction pending, expiring a minute away`, async () => {
    const collectionId = await t.table('TestCollection', [string('data')])
    const created = must(
      await t.up.call('POST', t.url(), t.user.headers, { ttl: 60 }),
      201,
      'opening the transaction',
    )
    const transactionId = created.body.$id as string
    const staged = await t.stage(transactionId, [
      t.operation('create', collectionId, 'unique()', { data: 'Should expire' }),
    ])
    expect(staged.status).toBe(201)
    const got = await t.up.call('GET', t.url(transactionId), t.user.headers)
    expect({ status: got.status, state: got.body.status }).toEqual({
      status: 200,
      state: 'pending',
    })
    expect(secondsLeft(got)).toBeGreaterThan(55)
    expect(secondsLeft(got)).toBeLessThan(65)
  })

  it(`${BASE} testCreateOperations: should count staged documents and answer 404 for a missing database or collection`, async () => {
    const collectionId = await t.table('TestCollection', [string('name')])
    const transactionId = await t.begin()
    const two = await t.stage(transactionId, [
      t.operation('create', collectionId, 'doc1', { name: 'Test Document 1' }),
      t.operation('create', collectionId, 'doc2', { name: 'Test Document 2' }),
    ])
    expect({ status: two.status, operations: two.body.operations }).toEqual({
      status: 201,
      operations: 2,
    })
    const three = await t.stage(transactionId, [
      t.operation('update', collectionId, 'doc1', { name: 'Updated Document 1' }),
    ])
    expect({ status: three.status, operations: three.body.operations }).toEqual({
      status: 201,
      operations: 3,
    })
    const missing = [
      t.operation('create', collectionId, 'unique()', { name: 'Test' }, 'invalid_database'),
      t.operation('create', 'invalid_collection', 'unique()', { name: 'Test' }),
    ]
    for (const operation of missing)
      expect((await t.stage(transactionId, [operation])).status).toBe(404)
  })

  it(`${BASE} testCommit: should apply every staged document operation and refuse a second commit with 400`, async () => {
    const collectionId = await t.table('TestCollection', [string('name')])
    const transactionId = await t.begin()
    const committed = await t.stageAndCommit(transactionId, [
      ...[1, 2].map((i) =>
        t.operation('create', collectionId, `doc${i}`, { name: `Test Document ${i}` }),
      ),
      t.operation('update', collectionId, 'doc1', { name: 'Updated Document 1' }),
    ])
    expect([committed.status, committed.body.status]).toEqual([200, 'committed'])
    const { total, byId } = await t.rowsById(collectionId)
    expect(total).toBe(2)
    expect(byId.get('doc1')?.name).toBe('Updated Document 1')
    expect((await t.commit(transactionId)).status).toBe(400)
  })

  it(`${BASE} testRollback: should answer status failed and write no document`, async () => {
    const collectionId = await t.table('TestCollection', [string('value')])
    const transactionId = await t.begin()
    await t.stageOk(transactionId, [
      t.operation('create', collectionId, 'rollback_doc', { value: 'Should not exist' }),
    ])
    const rolledBack = await t.rollback(transactionId, t.up.key)
    expect({ status: rolledBack.status, state: rolledBack.body.status }).toEqual({
      status: 200,
      state: 'failed',
    })
    expect((await t.rowsById(collectionId)).total).toBe(0)
  })

  it(`${BASE} testConcurrentTransactionConflicts: should commit the first of two updates of a document and answer 409 to the second`, async () => {
    const collectionId = await t.table('TestCollection', [
      ['integer', { key: 'counter', required: true, min: 0, max: 1_000_000 }],
    ])
    await t.seed(collectionId, ['shared_doc'], () => ({ counter: 100 }))
    const first = await t.begin()
    const second = await t.begin()
    for (const [transactionId, counter] of [
      [first, 200],
      [second, 300],
    ] as const)
      await t.stageOk(transactionId, [
        t.operation('update', collectionId, 'shared_doc', { counter }),
      ])
    expect((await t.commit(first)).status).toBe(200)
    expect((await t.commit(second)).status).toBe(409)
    expect((await t.read(collectionId, 'shared_doc')).body.counter).toBe(200)
  })

  it(`${BASE} testDeleteDocumentDuringTransaction: should answer 404 on commit when a staged document was deleted meanwhile`, async () => {
    const collectionId = await t.table('TestCollection', [string('data')])
    await t.seed(collectionId, ['target_doc'], () => ({ data: 'Original' }))
    const transactionId = await t.begin()
    await t.stageOk(transactionId, [
      t.operation('update', collectionId, 'target_doc', { data: 'Updated in transaction' }),
    ])
    expect((await t.up.call('DELETE', t.row(collectionId, 'target_doc'), t.up.key)).status).toBe(
      204,
    )
    expect((await t.commit(transactionId)).status).toBe(404)
  })

  it(`${BASE} testPartialFailureRollback: should write no document when one create breaks a unique index`, async () => {
    const collectionId = await t.db.table(
      'TestCollection',
      [['email', { key: 'email', required: true }]],
      {
        permissions: ['read("any")', 'create("any")'],
        rowSecurity: false,
        indexes: [['unique_email', 'unique', ['email']]],
      },
    )
    await t.seed(collectionId, ['unique()'], () => ({ email: 'existing@example.com' }))
    const transactionId = await t.begin()
    const emails = [
      'valid1@example.com',
      'valid2@example.com',
      'existing@example.com',
      'valid3@example.com',
    ]
    must(
      await t.stage(
        transactionId,
        emails.map((email) => t.operation('create', collectionId, 'unique()', { email })),
      ),
      201,
      'staging the creates',
    )
    expect((await t.commit(transactionId)).status).toBe(409)
    const { byId } = await t.rowsById(collectionId)
    expect([...byId.values()].map((document) => document.email)).toEqual(['existing@example.com'])
  })

  it(`${BASE} testDoubleCommitRollback: should answer 400 to a second commit and to a second rollback`, async () => {
    const collectionId = await t.table('TestCollection', [string('data')])
    const committed = await t.begin()
    await t.stageOk(committed, [t.operation('create', collectionId, 'unique()', { data: 'Test' })])
    expect([(await t.commit(committed)).status, (await t.commit(committed)).status]).toEqual([
      200, 400,
    ])
    const rolledBack = await t.begin()
    expect([
      (await t.rollback(rolledBack, t.up.key)).status,
      (await t.rollback(rolledBack, t.up.key)).status,
    ]).toEqual([200, 400])
  })

  it(`${BASE} testOperationsOnNonExistentDocuments: should answer 404 when staging an update or delete of a missing document`, async () => {
    const collectionId = await t.table('TestCollection', [string('data')])
    for (const [action, data] of [
      ['update', { data: 'Should fail' }],
      ['delete', {}],
    ] as const) {
      const staged = await t.stage(await t.begin(), [
        t.operation(action, collectionId, 'non_existent_doc', data),
      ])
      expect({ action, status: staged.status }).toEqual({ action, status: 404 })
    }
  })

  it(`${BASE} testCreateDocument: should stage a createDocument given a transactionId, invisible until the commit`, async () => {
    const collectionId = await t.table('TestCollection', [
      string('name'),
      ['integer', { key: 'counter', required: false }],
      string('category', false),
    ])
    const transactionId = await t.begin()
    const created = await t.routed('POST', t.db.rows(collectionId), transactionId, {
      documentId: 'doc_from_route',
      data: { name: 'Created via normal route', counter: 100, category: 'test' },
    })
    expect(created.status).toBe(201)
    // On appwrite's main branch (after 1.9.6) the staged answer carries the system fields the
    // SDKs' models need, as empty strings until the commit.
    expect(created.body).toMatchObject({ $sequence: '', $createdAt: '', $updatedAt: '' })
    expect((await t.read(collectionId, 'doc_from_route')).status).toBe(404)
    expect((await t.commit(transactionId)).status).toBe(200)
    const got = await t.read(collectionId, 'doc_from_route')
    expect({ status: got.status, name: got.body.name }).toEqual({
      status: 200,
      name: 'Created via normal route',
    })
  })

  it(`${BASE} testCreateOperationsValidation: should answer 400 to malformed operations named as the legacy API names them`, async () => {
    const collectionId = await t.table('TestCollection', [string('name')])
    const transactionId = await t.begin()
    const { databaseId } = t.db
    const create = { action: 'create', databaseId, collectionId }
    const malformed: unknown[] = [
      [t.operation('invalidAction', collectionId, 'unique()', { name: 'Test' })],
      [{ databaseId, collectionId, documentId: 'unique()', data: { name: 'Test' } }],
      [{ action: 'create', collectionId, documentId: 'unique()', data: { name: 'Test' } }],
      [{ action: 'create', databaseId, documentId: 'unique()', data: { name: 'Test' } }],
      [{ ...create, data: { name: 'Test' } }],
      [{ ...create, documentId: 'unique()' }],
      [t.operation('bulkCreate', collectionId, undefined, 'not an array')],
      [t.operation('bulkUpdate', collectionId, undefined, { data: { name: 'Updated' } })],
      [
        t.operation('bulkUpdate', collectionId, undefined, {
          queries: 'not an array',
          data: { name: 'Updated' },
        }),
      ],
      [t.operation('bulkDelete', collectionId, undefined, [])],
      [t.operation('increment', collectionId, 'unique()', { value: 1 })],
      [
        t.operation('decrement', collectionId, 'unique()', {
          attribute: 'counter',
          value: 'not a number',
        }),
      ],
      [],
      'not an array',
    ]
    for (const operations of malformed) {
      const answer = await t.stage(transactionId, operations)
      expect({ operations, status: answer.status }).toEqual({ operations, status: 400 })
    }
  })

  it(`${BASE} testCommitRollbackValidation: should answer 400 without commit or rollback or with both, 404 for an unknown id`, async () => {
    const transactionId = await t.begin()
    const patch = async (id: string, params: Record<string, unknown>) =>
      (await t.up.call('PATCH', t.url(id), t.up.key, params)).status
    expect([
      await patch(transactionId, {}),
      await patch(transactionId, { commit: true, rollback: true }),
      await patch('invalid_id', { commit: true }),
      await patch(transactionId, { commit: true }),
      await patch(transactionId, { commit: true }),
    ]).toEqual([400, 400, 404, 200, 400])
  })

  it(`${BASE} testArrayOperatorsWithUpdateRow: should apply staged arrayRemove then arrayInsert on a document in order`, async () => {
    const collectionId = await t.table('Items', [list('items')])
    const transactionId = await seedAndBegin(collectionId, 'test-row', {
      items: ['item1', 'item2', 'item3', 'item4'],
    })
    for (const items of [Operator.arrayRemove('item2'), Operator.arrayInsert(2, 'newItem')])
      expect((await patchAsUser(collectionId, 'test-row', transactionId, { items })).status).toBe(
        200,
      )
    expect((await commitAndRead(transactionId, collectionId, 'test-row')).items).toEqual([
      'item1',
      'item3',
      'newItem',
      'item4',
    ])
  })

  it(`${BASE} testArrayOperatorsWithCreateOperations: should apply array operators staged as document operations`, async () => {
    const collectionId = await t.table('Tags', [list('tags')])
    const transactionId = await seedAndBegin(collectionId, 'doc1', {
      tags: ['php', 'javascript', 'python', 'ruby'],
    })
    const staged = await t.stage(
      transactionId,
      [Operator.arrayRemove('javascript'), Operator.arrayAppend(['go', 'rust'])].map((tags) =>
        t.operation('update', collectionId, 'doc1', { tags }),
      ),
      t.user.headers,
    )
    expect({ status: staged.status, operations: staged.body.operations }).toEqual({
      status: 201,
      operations: 2,
    })
    expect((await commitAndRead(transactionId, collectionId, 'doc1')).tags).toEqual([
      'php',
      'python',
      'ruby',
      'go',
      'rust',
    ])
  })

  it(`${BASE} testMultipleArrayOperators: should apply prepend, append and remove staged on three attributes`, async () => {
    const collectionId = await t.table('Arrays', [list('list1'), list('list2'), list('list3')])
    const transactionId = await seedAndBegin(collectionId, 'multi-ops', {
      list1: ['a', 'b', 'c'],
      list2: ['x', 'y', 'z'],
      list3: ['1', '2', '3', '4', '5'],
    })
    for (const data of [
      { list1: Operator.arrayPrepend(['z']) },
      { list2: Operator.arrayAppend(['w']) },
      { list3: Operator.arrayRemove('3') },
    ])
      expect((await patchAsUser(collectionId, 'multi-ops', transactionId, data)).status).toBe(200)
    expect(await commitAndRead(transactionId, collectionId, 'multi-ops')).toMatchObject({
      list1: ['z', 'a', 'b', 'c'],
      list2: ['x', 'y', 'z', 'w'],
      list3: ['1', '2', '4', '5'],
    })
  })

  it(`${BASE} testBulkUpdateWithTransactionAwareQueries: should let the bulk update route match documents created earlier in the transaction`, async () => {
    const collectionId = await t.table('TestCollection', [
      string('name'),
      ['integer', { key: 'age', required: true }],
      string('status'),
    ])
    await t.seed(collectionId, ['existing_1', 'existing_2', 'existing_3'], (i) => ({
      name: `Existing ${i}`,
      age: 20 + i,
      status: 'inactive',
    }))
    const transactionId = await t.begin()
    for (const [documentId, age] of [
      ['txn_doc_1', 30],
      ['txn_doc_2', 35],
    ] as const)
      must(
        await t.routed('POST', t.db.rows(collectionId), transactionId, {
          documentId,
          data: { name: documentId, age, status: 'inactive' },
        }),
        201,
        `staging ${documentId}`,
      )
    const staged = await t.routed('PATCH', t.db.rows(collectionId), transactionId, {
      data: { status: 'active' },
      queries: [Query.greaterThan('age', 25)],
    })
    expect(staged.status).toBe(200)
    expect((await t.commit(transactionId)).status).toBe(200)
    expect(
      await statuses(collectionId, [
        'txn_doc_1',
        'txn_doc_2',
        'existing_1',
        'existing_2',
        'existing_3',
      ]),
    ).toEqual({
      txn_doc_1: 'active',
      txn_doc_2: 'active',
      existing_1: 'inactive',
      existing_2: 'inactive',
      existing_3: 'inactive',
    })
  })

  it(`${BASE} testBulkUpdateMatchingUpdatedDocuments: should let the bulk update route match documents updated earlier in the transaction`, async () => {
    const collectionId = await t.table('TestCollection', strings('name', 'category', 'status'))
    await t.seed(collectionId, ['doc_1', 'doc_2', 'doc_3', 'doc_4'], (i) => ({
      name: `Document ${i}`,
      category: 'normal',
      status: 'low',
    }))
    const transactionId = await t.begin()
    for (const documentId of ['doc_1', 'doc_2'])
      must(
        await t.routed('PATCH', t.row(collectionId, documentId), transactionId, {
          data: { category: 'special' },
        }),
        200,
        `staging the update of ${documentId}`,
      )
    const staged = await t.routed('PATCH', t.db.rows(collectionId), transactionId, {
      data: { status: 'high' },
      queries: [Query.equal('category', ['special'])],
    })
    expect(staged.status).toBe(200)
    expect((await t.commit(transactionId)).status).toBe(200)
    expect(await statuses(collectionId, ['doc_1', 'doc_2', 'doc_3', 'doc_4'])).toEqual({
      doc_1: 'high',
      doc_2: 'high',
      doc_3: 'low',
      doc_4: 'low',
    })
  })

  it(`${BASE} testBulkDeleteMatchingCreatedDocuments: should let the bulk delete route remove documents created earlier in the transaction`, async () => {
    const collectionId = await t.table('TestCollection', strings('name', 'type'))
    await t.seed(collectionId, ['existing_1', 'existing_2', 'existing_3'], (i) => ({
      name: `Existing ${i}`,
      type: 'permanent',
    }))
    const transactionId = await t.begin()
    for (const documentId of ['temp_1', 'temp_2'])
      must(
        await t.routed('POST', t.db.rows(collectionId), transactionId, {
          documentId,
          data: { name: documentId, type: 'temporary' },
        }),
        201,
        `staging ${documentId}`,
      )
    const staged = await t.routed('DELETE', t.db.rows(collectionId), transactionId, {
      queries: [Query.equal('type', ['temporary'])],
    })
    expect(staged.status).toBe(200)
    expect((await t.commit(transactionId)).status).toBe(200)
    const { byId } = await t.rowsById(collectionId)
    expect(Object.fromEntries([...byId].map(([id, document]) => [id, document.type]))).toEqual({
      existing_1: 'permanent',
      existing_2: 'permanent',
      existing_3: 'permanent',
    })
  })

  it(`${PERMISSIONS} testCollectionCreatePermissionDenied: should answer 401 when staging a create the collection does not grant`, async () => {
    const collectionId = await t.table(
      'Permission Test 1',
      [string('title')],
      ['read', 'update', 'delete'].map((action) => `${action}("any")`),
    )
    const staged = await t.stage(
      await t.begin(),
      [t.operation('create', collectionId, 'testDoc1', { title: 'Test Document' })],
      t.user.headers,
    )
    expect(staged.status).toBe(401)
  })

  it(`${PERMISSIONS} testCannotSetUnauthorizedRolePermissions: should answer 401 when staged permissions name a role the user lacks`, async () => {
    const collectionId = await t.table('Permission Test 6', [string('title')], undefined, true)
    const staged = await t.stage(
      await t.begin(),
      [
        t.operation('create', collectionId, 'testDoc6', {
          title: 'Admin Only Doc',
          $permissions: [permission.read('any'), permission.update('team:adminTeam')],
        }),
      ],
      t.user.headers,
    )
    expect(staged.status).toBe(401)
    expect(staged.body.message).toContain('Permissions must be one of')
  })

  it(`${PERMISSIONS} testUserCannotReadAnotherUsersTransaction and testUserCannotAddOperationsToAnotherUsersTransaction: should answer 404 to another user, and serve the owner`, async () => {
    const collectionId = await t.table('Permission Test 11', [string('title')])
    const owner = await t.up.signUp()
    const stranger = await t.up.signUp()
    const transactionId = await t.begin(owner.headers)
    expect((await t.up.call('GET', t.url(transactionId), stranger.headers)).status).toBe(404)
    const own = await t.up.call('GET', t.url(transactionId), owner.headers)
    expect({ status: own.status, id: own.body.$id }).toEqual({ status: 200, id: transactionId })
    const create = (documentId: string) => [
      t.operation('create', collectionId, documentId, { title: documentId }),
    ]
    expect((await t.stage(transactionId, create('maliciousDoc'), stranger.headers)).status).toBe(
      404,
    )
    const staged = await t.stage(transactionId, create('legitimateDoc'), owner.headers)
    expect({ status: staged.status, operations: staged.body.operations }).toEqual({
      status: 201,
      operations: 1,
    })
  })

  it(`${PERMISSIONS} testAuthenticatedUserCanListTheirOwnTransactions: should list the user's transactions with their fields`, async () => {
    const owner = await t.up.signUp()
    const ids = [
      await t.begin(owner.headers),
      await t.begin(owner.headers),
      await t.begin(owner.headers),
    ]
    const listed = await t.up.call('GET', t.url(), owner.headers)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBeGreaterThanOrEqual(3)
    const transactions = listed.body.transactions as Array<Record<string, unknown>>
    expect(transactions.map((transaction) => transaction.$id)).toEqual(expect.arrayContaining(ids))
    for (const transaction of transactions)
      expect(Object.keys(transaction)).toEqual(
        expect.arrayContaining(['$id', '$createdAt', '$updatedAt', 'status', 'operations']),
      )
  })
})
