import { describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { FLAVOURS, transactionSuite } from './transactions'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Databases/Transactions/TransactionPermissionsBase.php (appwrite
// 1.9.6) as TablesDBTransactionPermissionsCustomClientTest.php and
// LegacyTransactionPermissionsCustomClientTest.php run it: tables and their rows made by the API
// key, transactions opened, staged and committed by signed-in users.
const PERMISSIONS = 'tests/e2e/Services/Databases/Transactions/TransactionPermissionsBase.php'

const TITLE: ColumnSpec[] = [['string', { key: 'title', size: 255, required: true }]]
const grant = (...actions: string[]) => actions.map((action) => `${action}("any")`)

for (const flavour of FLAVOURS)
  describe(`${flavour.label} transaction permissions, as the server tests them`, () => {
    const t = transactionSuite('PermissionsTestDB', flavour)

    /** Stages `operations` in a new transaction of the suite's user, as that user. */
    const stageAsUser = async (operations: unknown[]) =>
      t.stage(await t.begin(), operations, t.user.headers)

    /**
     * A `title` table granting `any` the `actions` (row security as asked) with the row `rowId`
     * written by the key with `rowPermissions`: the table's id.
     */
    const tableWithRow = async (
      actions: string[],
      rowSecurity: boolean,
      rowId: string,
      title: string,
      rowPermissions?: string[],
    ) => {
      const tableId = await t.table('Permission Test', TITLE, grant(...actions), rowSecurity)
      must(
        await t.db.write(tableId, t.up.key, { title }, rowPermissions, {
          [flavour.api.recordId]: rowId,
        }),
        201,
        `creating ${rowId}`,
      )
      return tableId
    }

    for (const [method, action, granted, data] of [
      ['testCollectionUpdatePermissionDenied', 'update', 'delete', { title: 'Updated Title' }],
      ['testCollectionDeletePermissionDenied', 'delete', 'update', {}],
    ] as const)
      it(`${PERMISSIONS} ${method}: should answer 401 when staging a ${action} the table does not grant`, async () => {
        const tableId = await tableWithRow(['create', 'read', granted], false, 'testDoc', 'Title')
        const staged = await stageAsUser([t.operation(action, tableId, 'testDoc', data)])
        expect(staged.status).toBe(401)
      })

    it(`${PERMISSIONS} testDocumentLevelUpdatePermissionGranted: should stage an update the row grants though the table does not`, async () => {
      const tableId = await tableWithRow(
        ['read', 'create'],
        true,
        'testDoc4',
        'Protected Document',
        [permission.read('any'), permission.update('any')],
      )
      const staged = await stageAsUser([
        t.operation('update', tableId, 'testDoc4', { title: 'Trying to Update' }),
      ])
      expect(staged.status).toBe(201)
    })

    it(`${PERMISSIONS} testDocumentLevelDeletePermissionGranted: should stage a delete the row grants though the table does not`, async () => {
      const tableId = await tableWithRow(
        ['create', 'read', 'update'],
        true,
        'testDoc5',
        'Can Delete Me',
        [permission.read('any'), permission.update('any'), permission.delete('any')],
      )
      const staged = await stageAsUser([t.operation('delete', tableId, 'testDoc5', {})])
      expect(staged.status).toBe(201)
    })

    it(`${PERMISSIONS} testSuccessfulStagingWithProperPermissions: should stage a create whose permissions name the user's own roles`, async () => {
      const tableId = await t.table('Permission Test 7', TITLE, undefined, true)
      const staged = await stageAsUser([
        t.operation('create', tableId, 'testDoc7', {
          title: 'Valid Document',
          $permissions: [permission.read('any'), permission.update(`user:${t.user.$id}`)],
        }),
      ])
      expect({ status: staged.status, operations: staged.body.operations }).toEqual({
        status: 201,
        operations: 1,
      })
    })

    for (const [method, action, data] of [
      ['testCannotUpdateNonExistentDocument', 'update', { title: 'Trying to Update' }],
      ['testCannotDeleteNonExistentDocument', 'delete', {}],
    ] as const)
      it(`${PERMISSIONS} ${method}: should answer 404 when staging a ${action} of a missing row`, async () => {
        const tableId = await t.table('Permission Test', TITLE)
        const staged = await stageAsUser([t.operation(action, tableId, 'nonExistentDoc', data)])
        expect(staged.status).toBe(404)
      })

    it(`${PERMISSIONS} testCanUpdateDocumentCreatedInPreviousBatch: should stage an update and a delete of a row an earlier batch created`, async () => {
      const tableId = await t.table('Permission Test 10', TITLE)
      const transactionId = await t.begin()
      const batches = [
        t.operation('create', tableId, 'crossBatchDoc', { title: 'Initial Title' }),
        t.operation('update', tableId, 'crossBatchDoc', { title: 'Updated Title' }),
        t.operation('delete', tableId, 'crossBatchDoc', {}),
      ]
      for (const [i, operation] of batches.entries()) {
        const staged = await t.stage(transactionId, [operation], t.user.headers)
        expect({ batch: i + 1, status: staged.status, operations: staged.body.operations }).toEqual(
          {
            batch: i + 1,
            status: 201,
            operations: i + 1,
          },
        )
      }
      expect((await t.rollback(transactionId)).status).toBe(200)
    })

    it(`${PERMISSIONS} testUserCannotListAnotherUsersTransactions: should list only the caller's own transactions`, async () => {
      const first = await t.up.signUp()
      const own = [await t.begin(first.headers), await t.begin(first.headers)]
      const second = await t.up.signUp()
      const theirs = await t.begin(second.headers)
      const listSecond = await t.up.call('GET', t.url(), second.headers)
      expect(listSecond.status).toBe(200)
      expect(listSecond.body.total).toBe(1)
      const secondIds = (listSecond.body.transactions as Array<{ $id: string }>).map(
        (transaction) => transaction.$id,
      )
      expect(secondIds).toEqual([theirs])
      const listFirst = await t.up.call('GET', t.url(), first.headers)
      expect(listFirst.status).toBe(200)
      expect(listFirst.body.total).toBe(2)
      expect(secondIds).not.toContain(own[0])
      expect(secondIds).not.toContain(own[1])
    })

    it(`${PERMISSIONS} testUserCannotUpdateAnotherUsersTransaction: should answer 404 to another user's commit and rollback, 200 to the owner's commit`, async () => {
      const owner = await t.up.signUp()
      const transactionId = await t.begin(owner.headers)
      const stranger = await t.up.signUp()
      expect((await t.commit(transactionId, stranger.headers)).status).toBe(404)
      expect((await t.rollback(transactionId, stranger.headers)).status).toBe(404)
      expect((await t.commit(transactionId, owner.headers)).status).toBe(200)
    })

    it(`${PERMISSIONS} testUserCannotDeleteAnotherUsersTransaction: should answer 404 to another user's delete and 204 to the owner's`, async () => {
      const owner = await t.up.signUp()
      const transactionId = await t.begin(owner.headers)
      const stranger = await t.up.signUp()
      expect((await t.up.call('DELETE', t.url(transactionId), stranger.headers)).status).toBe(404)
      expect((await t.up.call('GET', t.url(transactionId), owner.headers)).status).toBe(200)
      expect((await t.up.call('DELETE', t.url(transactionId), owner.headers)).status).toBe(204)
    })

    it(`${PERMISSIONS} testAuthenticatedUserCanDeleteTheirOwnTransaction: should delete the user's transaction, then answer 404 to reading it`, async () => {
      const transactionId = await t.begin()
      const read = await t.up.call('GET', t.url(transactionId), t.user.headers)
      expect({ status: read.status, id: read.body.$id }).toEqual({ status: 200, id: transactionId })
      expect((await t.up.call('DELETE', t.url(transactionId), t.user.headers)).status).toBe(204)
      expect((await t.up.call('GET', t.url(transactionId), t.user.headers)).status).toBe(404)
      const another = await t.begin()
      expect((await t.up.call('DELETE', t.url(another), t.user.headers)).status).toBe(204)
    })
  })
