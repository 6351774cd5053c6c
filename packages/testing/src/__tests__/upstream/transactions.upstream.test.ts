import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { tablesSuite } from './tables'
import type { ColumnSpec } from './tables'

// Facts from the traits tests/e2e/Services/Databases/Transactions/TransactionsBase.php and
// TransactionPermissionsBase.php (appwrite 1.9.6) as tests/e2e/Services/TablesDB/Transactions/
// TablesDBTransactionsCustomClientTest.php and TablesDBTransactionPermissionsCustomClientTest.php
// run them: transactions are a signed-in user's, schemas the API key's.
const BASE = 'tests/e2e/Services/Databases/Transactions/TransactionsBase.php'
const PERMISSIONS = 'tests/e2e/Services/Databases/Transactions/TransactionPermissionsBase.php'

const t = tablesSuite('TransactionTestDatabase', () => anyone)
let databaseId: string

const anyone = ['create', 'read', 'update', 'delete'].map((action) => `${action}("any")`)
const transactions = '/tablesdb/transactions'

/** A table (rowSecurity off unless asked) with the given columns, returning its id. */
const table = (cols: ColumnSpec[], permissions: string[] = anyone, rowSecurity = false) =>
  t.db.table('TestCollection', cols, { permissions, rowSecurity })

/** One staged operation on the row `rowId` of `tableId` (in the suite's database unless given). */
const operation = (
  tableId: string,
  action: string,
  rowId: string,
  data: unknown,
  inDatabase = databaseId,
) => ({ databaseId: inDatabase, tableId, action, rowId, data })

async function begin(headers: Record<string, string> = t.user.headers, ttl?: number) {
  const created = await t.up.call('POST', transactions, headers, ttl === undefined ? {} : { ttl })
  return must(created, 201, 'creating a transaction').body.$id as string
}

const stage = (
  transactionId: string,
  operations: unknown,
  headers: Record<string, string> = t.user.headers,
) => t.up.call('POST', `${transactions}/${transactionId}/operations`, headers, { operations })

const commit = (transactionId: string, headers: Record<string, string> = t.user.headers) =>
  t.up.call('PATCH', `${transactions}/${transactionId}`, headers, { commit: true })

beforeAll(async () => {
  databaseId = t.db.databaseId
})

describe('TablesDB transactions, as the server tests them', () => {
  it(`${BASE} testCreate: should open a pending transaction with no operations, and bound its ttl`, async () => {
    const created = await t.up.call('POST', transactions, t.user.headers)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'pending', operations: 0 })
    expect(created.body.$id).toEqual(expect.any(String))
    expect(created.body.expiresAt).toEqual(expect.any(String))
    const custom = await t.up.call('POST', transactions, t.user.headers, { ttl: 900 })
    expect(custom.status).toBe(201)
    expect(custom.body.status).toBe('pending')
    const ttl = (Date.parse(custom.body.expiresAt as string) - t.clock.now()) / 1000
    expect(ttl).toBeGreaterThan(800)
    expect(ttl).toBeLessThan(1000)
    expect((await t.up.call('POST', transactions, t.user.headers, { ttl: 30 })).status).toBe(400)
    expect((await t.up.call('POST', transactions, t.user.headers, { ttl: 4000 })).status).toBe(400)
  })

  it(`${BASE} testTransactionExpiration: should keep a 60-second transaction pending with its expiry a minute away`, async () => {
    const tableId = await table([['string', { key: 'data', size: 256, required: true }]])
    const transactionId = await begin(t.user.headers, 60)
    const staged = await stage(transactionId, [
      operation(tableId, 'create', 'unique()', { data: 'Should expire' }),
    ])
    expect(staged.status).toBe(201)
    const got = await t.up.call('GET', `${transactions}/${transactionId}`, t.user.headers)
    expect(got.status).toBe(200)
    expect(got.body.status).toBe('pending')
    const ttl = (Date.parse(got.body.expiresAt as string) - t.clock.now()) / 1000
    expect(ttl).toBeGreaterThan(55)
    expect(ttl).toBeLessThan(65)
  })

  it(`${BASE} testCreateOperations: should count staged operations and answer 404 for an unknown database or table`, async () => {
    const tableId = await table([['string', { key: 'name', size: 256, required: true }]])
    const transactionId = await begin()
    const two = await stage(transactionId, [
      operation(tableId, 'create', 'doc1', { name: 'Test Document 1' }),
      operation(tableId, 'create', 'doc2', { name: 'Test Document 2' }),
    ])
    expect(two.status).toBe(201)
    expect(two.body.operations).toBe(2)
    const three = await stage(transactionId, [
      operation(tableId, 'update', 'doc1', { name: 'Updated Document 1' }),
    ])
    expect(three.status).toBe(201)
    expect(three.body.operations).toBe(3)
    const noDatabase = await stage(transactionId, [
      operation(tableId, 'create', 'unique()', { name: 'Test' }, 'invalid_database'),
    ])
    expect(noDatabase.status).toBe(404)
    const noTable = await stage(transactionId, [
      operation('invalid_collection', 'create', 'unique()', { name: 'Test' }),
    ])
    expect(noTable.status).toBe(404)
  })

  it(`${BASE} testCommit: should apply every staged operation on commit and refuse a second commit with 400`, async () => {
    const tableId = await table([['string', { key: 'name', size: 256, required: true }]])
    const transactionId = await begin()
    const staged = await stage(transactionId, [
      operation(tableId, 'create', 'doc1', { name: 'Test Document 1' }),
      operation(tableId, 'create', 'doc2', { name: 'Test Document 2' }),
      operation(tableId, 'update', 'doc1', { name: 'Updated Document 1' }),
    ])
    expect(staged.body.operations).toBe(3)
    const committed = await commit(transactionId)
    expect(committed.status).toBe(200)
    expect(committed.body.status).toBe('committed')
    const listed = await t.up.call('GET', t.db.rows(tableId), t.user.headers)
    expect(listed.body.total).toBe(2)
    const doc1 = (listed.body.rows as Array<{ $id: string; name: string }>).find(
      (row) => row.$id === 'doc1',
    )
    expect(doc1?.name).toBe('Updated Document 1')
    expect((await commit(transactionId)).status).toBe(400)
  })

  it(`${BASE} testRollback: should answer status failed and write nothing`, async () => {
    const tableId = await table([['string', { key: 'value', size: 256, required: true }]])
    const transactionId = await begin()
    const staged = await stage(transactionId, [
      operation(tableId, 'create', 'rollback_doc', { value: 'Should not exist' }),
    ])
    expect(staged.status).toBe(201)
    const rolledBack = await t.up.call(
      'PATCH',
      `${transactions}/${transactionId}`,
      t.user.headers,
      {
        rollback: true,
      },
    )
    expect(rolledBack.status).toBe(200)
    expect(rolledBack.body.status).toBe('failed')
    const listed = await t.up.call('GET', t.db.rows(tableId), t.user.headers)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(0)
  })

  it(`${BASE} testConcurrentTransactionConflicts: should commit the first of two updates and answer 409 to the second`, async () => {
    const tableId = await table([
      ['integer', { key: 'counter', required: true, min: 0, max: 1_000_000 }],
    ])
    must(
      await t.db.write(tableId, t.user.headers, { counter: 100 }, undefined, {
        rowId: 'shared_doc',
      }),
      201,
      'creating shared_doc',
    )
    const first = await begin()
    const second = await begin()
    await stage(first, [operation(tableId, 'update', 'shared_doc', { counter: 200 })])
    await stage(second, [operation(tableId, 'update', 'shared_doc', { counter: 300 })])
    expect((await commit(first)).status).toBe(200)
    expect((await commit(second)).status).toBe(409)
    const row = await t.up.call('GET', `${t.db.rows(tableId)}/shared_doc`, t.user.headers)
    expect(row.body.counter).toBe(200)
  })

  it(`${BASE} testDeleteDocumentDuringTransaction: should answer 404 on commit when a staged row was deleted meanwhile`, async () => {
    const tableId = await table([['string', { key: 'data', size: 256, required: true }]])
    must(
      await t.db.write(tableId, t.user.headers, { data: 'Original' }, undefined, {
        rowId: 'target_doc',
      }),
      201,
      'creating target_doc',
    )
    const transactionId = await begin()
    await stage(transactionId, [
      operation(tableId, 'update', 'target_doc', { data: 'Updated in transaction' }),
    ])
    expect(
      (await t.up.call('DELETE', `${t.db.rows(tableId)}/target_doc`, t.user.headers)).status,
    ).toBe(204)
    expect((await commit(transactionId)).status).toBe(404)
  })

  it(`${BASE} testPartialFailureRollback: should write none of the operations when one breaks a unique index`, async () => {
    const tableId = await table([['email', { key: 'email', required: true }]])
    must(
      await t.up.call('POST', t.db.indexes(tableId), t.up.key, {
        key: 'unique_email',
        type: 'unique',
        columns: ['email'],
      }),
      202,
      'creating the unique index',
    )
    must(
      await t.db.write(tableId, t.user.headers, { email: 'existing@example.com' }),
      201,
      'creating the existing row',
    )
    const transactionId = await begin()
    const staged = await stage(
      transactionId,
      [
        'valid1@example.com',
        'valid2@example.com',
        'existing@example.com',
        'valid3@example.com',
      ].map((email) => operation(tableId, 'create', 'unique()', { email })),
    )
    expect(staged.status).toBe(201)
    expect((await commit(transactionId)).status).toBe(409)
    const listed = await t.up.call('GET', t.db.rows(tableId), t.user.headers)
    expect(listed.body.total).toBe(1)
    expect(listed.body.rows[0].email).toBe('existing@example.com')
  })

  it(`${BASE} testDoubleCommitRollback: should answer 400 to a second commit and to a second rollback`, async () => {
    const tableId = await table([['string', { key: 'data', size: 256, required: true }]])
    const committed = await begin()
    await stage(committed, [operation(tableId, 'create', 'unique()', { data: 'Test' })])
    expect((await commit(committed)).status).toBe(200)
    expect((await commit(committed)).status).toBe(400)
    const rolledBack = await begin()
    const rollback = () =>
      t.up.call('PATCH', `${transactions}/${rolledBack}`, t.user.headers, { rollback: true })
    expect((await rollback()).status).toBe(200)
    expect((await rollback()).status).toBe(400)
  })

  it(`${BASE} testOperationsOnNonExistentDocuments: should answer 404 when staging an update or delete of a missing row`, async () => {
    const tableId = await table([['string', { key: 'data', size: 256, required: true }]])
    const update = await stage(await begin(), [
      operation(tableId, 'update', 'non_existent_doc', { data: 'Should fail' }),
    ])
    expect(update.status).toBe(404)
    const remove = await stage(await begin(), [
      operation(tableId, 'delete', 'non_existent_doc', {}),
    ])
    expect(remove.status).toBe(404)
  })

  it(`${BASE} testCreateDocument: should stage a createRow given a transactionId, invisible until commit`, async () => {
    const tableId = await table([
      ['string', { key: 'name', size: 256, required: true }],
      ['integer', { key: 'counter', required: false }],
      ['string', { key: 'category', size: 256, required: false }],
    ])
    const transactionId = await begin()
    const created = await t.db.write(
      tableId,
      t.user.headers,
      { name: 'Created via normal route', counter: 100, category: 'test' },
      undefined,
      { rowId: 'doc_from_route', transactionId },
    )
    expect(created.status).toBe(201)
    // On appwrite's main branch (after 1.9.6) the staged answer carries the system fields the
    // SDKs' models need, as empty strings until the commit.
    expect(created.body).toMatchObject({ $sequence: '', $createdAt: '', $updatedAt: '' })
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/doc_from_route`, t.user.headers)).status,
    ).toBe(404)
    expect((await commit(transactionId)).status).toBe(200)
    const got = await t.up.call('GET', `${t.db.rows(tableId)}/doc_from_route`, t.user.headers)
    expect(got.status).toBe(200)
    expect(got.body.name).toBe('Created via normal route')
  })

  it(`${BASE} testCreateOperationsValidation: should answer 400 to malformed operations`, async () => {
    const tableId = await table([['string', { key: 'name', size: 256, required: true }]])
    const transactionId = await begin()
    const malformed: unknown[] = [
      [operation(tableId, 'invalidAction', 'unique()', { name: 'Test' })],
      [{ databaseId, tableId, rowId: 'unique()', data: { name: 'Test' } }],
      [{ action: 'create', tableId, rowId: 'unique()', data: { name: 'Test' } }],
      [{ action: 'create', databaseId, rowId: 'unique()', data: { name: 'Test' } }],
      [{ action: 'create', databaseId, tableId, data: { name: 'Test' } }],
      [{ action: 'create', databaseId, tableId, rowId: 'unique()' }],
      [{ action: 'bulkCreate', databaseId, tableId, data: 'not an array' }],
      [{ action: 'bulkUpdate', databaseId, tableId, data: { data: { name: 'Updated' } } }],
      [
        {
          action: 'bulkUpdate',
          databaseId,
          tableId,
          data: { queries: 'not an array', data: { name: 'Updated' } },
        },
      ],
      [{ action: 'bulkDelete', databaseId, tableId, data: [] }],
      [operation(tableId, 'increment', 'unique()', { value: 1 })],
      [operation(tableId, 'decrement', 'unique()', { column: 'counter', value: 'not a number' })],
      [],
      'not an array',
    ]
    for (const operations of malformed) {
      const answer = await stage(transactionId, operations)
      expect({ operations, status: answer.status }).toEqual({ operations, status: 400 })
    }
  })

  it(`${BASE} testCommitRollbackValidation: should answer 400 without commit or rollback or with both, 404 for an unknown id`, async () => {
    const transactionId = await begin()
    const patch = (id: string, params: Record<string, unknown>) =>
      t.up.call('PATCH', `${transactions}/${id}`, t.user.headers, params)
    expect((await patch(transactionId, {})).status).toBe(400)
    expect((await patch(transactionId, { commit: true, rollback: true })).status).toBe(400)
    expect((await patch('invalidTransactionId', { commit: true })).status).toBe(404)
    expect((await patch(transactionId, { commit: true })).status).toBe(200)
    expect((await patch(transactionId, { commit: true })).status).toBe(400)
  })

  it(`${PERMISSIONS} testCollectionCreatePermissionDenied: should answer 401 when staging a create the table does not grant`, async () => {
    const tableId = await table(
      [['string', { key: 'title', size: 256, required: true }]],
      [permission.read('any'), permission.update('any'), permission.delete('any')],
    )
    const staged = await stage(await begin(), [
      operation(tableId, 'create', 'testDoc1', { title: 'Test Document' }),
    ])
    expect(staged.status).toBe(401)
  })

  it(`${PERMISSIONS} testCannotSetUnauthorizedRolePermissions: should answer 401 when staged permissions name a role the user lacks`, async () => {
    const tableId = await table(
      [['string', { key: 'title', size: 256, required: true }]],
      anyone,
      true,
    )
    const staged = await stage(await begin(), [
      operation(tableId, 'create', 'testDoc6', {
        title: 'Admin Only Doc',
        $permissions: [permission.read('any'), permission.update('team:adminTeam')],
      }),
    ])
    expect(staged.status).toBe(401)
    expect(staged.body.message).toContain('Permissions must be one of')
  })

  it(`${PERMISSIONS} testUserCannotReadAnotherUsersTransaction: should answer 404 to another user and 200 to its owner`, async () => {
    const owner = await t.up.signUp()
    const stranger = await t.up.signUp()
    const transactionId = await begin(owner.headers)
    expect(
      (await t.up.call('GET', `${transactions}/${transactionId}`, stranger.headers)).status,
    ).toBe(404)
    const own = await t.up.call('GET', `${transactions}/${transactionId}`, owner.headers)
    expect(own.status).toBe(200)
    expect(own.body.$id).toBe(transactionId)
  })

  it(`${PERMISSIONS} testUserCannotAddOperationsToAnotherUsersTransaction: should answer 404 to another user's operations`, async () => {
    const tableId = await table([['string', { key: 'title', size: 256, required: true }]])
    const owner = await t.up.signUp()
    const stranger = await t.up.signUp()
    const transactionId = await begin(owner.headers)
    const operation = (rowId: string) => [
      { action: 'create', databaseId, tableId, rowId, data: { title: rowId } },
    ]
    expect((await stage(transactionId, operation('maliciousDoc'), stranger.headers)).status).toBe(
      404,
    )
    const own = await stage(transactionId, operation('legitimateDoc'), owner.headers)
    expect(own.status).toBe(201)
    expect(own.body.operations).toBe(1)
  })

  it(`${PERMISSIONS} testAuthenticatedUserCanListTheirOwnTransactions: should list the user's transactions with their fields`, async () => {
    const owner = await t.up.signUp()
    const ids = [await begin(owner.headers), await begin(owner.headers), await begin(owner.headers)]
    const listed = await t.up.call('GET', transactions, owner.headers)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBeGreaterThanOrEqual(3)
    const listedIds = (listed.body.transactions as Array<{ $id: string }>).map((t) => t.$id)
    expect(listedIds).toEqual(expect.arrayContaining(ids))
    for (const transaction of listed.body.transactions as Array<Record<string, unknown>>)
      for (const key of ['$id', '$createdAt', '$updatedAt', 'status', 'operations'])
        expect(transaction).toHaveProperty(key)
  })
})
