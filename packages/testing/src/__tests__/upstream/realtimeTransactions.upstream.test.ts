import { describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { LEGACY_FLAVOUR, transactionSuite } from './transactions'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientTest.php (appwrite 1.9.6): a
// signed-in user's socket on `documents`, the collection made through the legacy API with the key,
// the transaction opened, staged and committed by the user through /v1/tablesdb/transactions.
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

const t = transactionSuite('Multi-Op DB', LEGACY_FLAVOUR)

describe('Realtime events of a transaction, as the server tests them', () => {
  it(`${CLIENT} testChannelDatabaseTransactionMultipleOperations: should send one event per row a committed transaction creates`, async () => {
    const socket = await t.up.socket(['documents'], {
      origin: 'http://localhost',
      cookie: `${t.up.cookieName}=${t.user.session}`,
    })
    expect((await socket.next()).type).toBe('connected')
    const collectionId = await t.table(
      'Test Collection',
      [['string', { key: 'name', size: 256, required: true }]],
      [permission.create(`user:${t.user.$id}`)],
      true,
    )
    const transactions = '/tablesdb/transactions'
    const created = must(
      await t.up.call('POST', transactions, t.user.headers, { ttl: 3600 }),
      201,
      'opening the transaction',
    )
    const transactionId = created.body.$id as string
    const ids = ['doc_1', 'doc_2', 'doc_3']
    must(
      await t.up.call('POST', `${transactions}/${transactionId}/operations`, t.user.headers, {
        operations: ids.map((rowId, i) => ({
          databaseId: t.db.databaseId,
          tableId: collectionId,
          rowId,
          action: 'create',
          data: {
            name: `Doc ${i + 1}`,
            $permissions: ['read', 'update', 'delete'].map((action) => `${action}("any")`),
          },
        })),
      }),
      201,
      'staging the creates',
    )
    must(
      await t.up.call('PATCH', `${transactions}/${transactionId}`, t.user.headers, {
        commit: true,
      }),
      200,
      'committing',
    )
    const events = [await socket.next(), await socket.next(), await socket.next()]
    socket.close()
    expect(events.map((event) => event.type)).toEqual(['event', 'event', 'event'])
    expect(events.map((event) => event.data.payload.$id as string).sort()).toEqual(ids)
  })
})
