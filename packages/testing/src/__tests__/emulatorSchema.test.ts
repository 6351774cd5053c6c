import * as server from 'node-appwrite'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, EmulatorLogEntry } from '../emulator'
import { serverClient } from './emulatorHelpers'
import { appwriteError, notFound } from './helpers'

const fake = createFakeAppwrite({ seed: 5 })
let emulator: AppwriteEmulator
let tablesDB: server.TablesDB
let databases: server.Databases
const log: EmulatorLogEntry[] = []

const statuses = () =>
  log.flatMap((entry) =>
    entry.type === 'http' ? [`${entry.method} ${entry.url.split('?')[0]} ${entry.status}`] : [],
  )

async function rejection(promise: Promise<unknown>): Promise<server.AppwriteException> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(server.AppwriteException)
  return error as server.AppwriteException
}

/** The `orders` table of the `shop` database, where most cases work. */
const orders = { databaseId: 'shop', tableId: 'orders' }

/** Creates the `shop` database with an empty `orders` table. */
async function createOrders(): Promise<void> {
  await tablesDB.create({ databaseId: 'shop', name: 'Shop' })
  await tablesDB.createTable({ ...orders, name: 'Orders' })
}

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake, log: (entry) => log.push(entry) })
  const client = serverClient(emulator)
  tablesDB = new server.TablesDB(client)
  databases = new server.Databases(client)
})

afterAll(async () => {
  await emulator.close()
})

beforeEach(() => {
  fake.reset()
  log.length = 0
})

describe('emulator schema management', () => {
  it('should create a database, a table, columns and an index with the server status codes', async () => {
    expect(await tablesDB.create({ databaseId: 'shop', name: 'Shop' })).toMatchObject({
      $id: 'shop',
      name: 'Shop',
      enabled: true,
    })
    const table = await tablesDB.createTable({
      ...orders,
      name: 'Orders',
      permissions: ['read("any")'],
      rowSecurity: true,
    })
    expect(table).toMatchObject({
      $id: 'orders',
      databaseId: 'shop',
      rowSecurity: true,
      columns: [],
    })
    const column = await tablesDB.createStringColumn({
      ...orders,
      key: 'status',
      size: 20,
      required: false,
      xdefault: 'new',
    })
    expect(column).toMatchObject({ key: 'status', type: 'string', size: 20, default: 'new' })
    await tablesDB.createEnumColumn({
      ...orders,
      key: 'kind',
      elements: ['a', 'b'],
      required: true,
    })
    const index = await tablesDB.createIndex({
      ...orders,
      key: 'by_status',
      type: server.TablesDBIndexType.Key,
      columns: ['status'],
    })
    expect(index).toMatchObject({ key: 'by_status', columns: ['status'] })
    const columns = await tablesDB.listColumns(orders)
    expect(columns.total).toBe(2)
    expect(columns.columns.map((c) => c.key)).toEqual(['status', 'kind'])
    expect(await tablesDB.getColumn({ ...orders, key: 'kind' })).toMatchObject({
      key: 'kind',
      elements: ['a', 'b'],
    })
    expect(statuses()).toEqual([
      'POST /v1/tablesdb 201',
      'POST /v1/tablesdb/shop/tables 201',
      'POST /v1/tablesdb/shop/tables/orders/columns/string 202',
      'POST /v1/tablesdb/shop/tables/orders/columns/enum 202',
      'POST /v1/tablesdb/shop/tables/orders/indexes 202',
      'GET /v1/tablesdb/shop/tables/orders/columns 200',
      'GET /v1/tablesdb/shop/tables/orders/columns/kind 200',
    ])
  })

  it('should apply a column default sent as `default` to new rows', async () => {
    await createOrders()
    await tablesDB.createStringColumn({
      ...orders,
      key: 'status',
      size: 20,
      required: false,
      xdefault: 'new',
    })
    await expect
      .poll(async () => (await tablesDB.getColumn({ ...orders, key: 'status' })).status)
      .toBe('available')
    await tablesDB.updateStringColumn({
      ...orders,
      key: 'status',
      required: false,
      xdefault: 'fresh',
    })
    await tablesDB.createStringColumn({
      ...orders,
      key: 'note',
      size: 20,
      required: false,
    })
    await expect
      .poll(async () => (await tablesDB.getColumn({ ...orders, key: 'note' })).status)
      .toBe('available')
    const row = await tablesDB.createRow({
      ...orders,
      rowId: 'o1',
      data: { note: 'x' },
    })
    expect(row.status).toBe('fresh')
  })

  it('should update and delete tables, columns, indexes and databases', async () => {
    await createOrders()
    const qty = await tablesDB.createIntegerColumn({
      ...orders,
      key: 'qty',
      required: false,
    })
    // 64-bit bounds go over the wire as JSON numbers, as the server sends them.
    expect(String(qty.max)).toBe('9223372036854775807')
    await tablesDB.createIndex({
      ...orders,
      key: 'by_qty',
      type: server.TablesDBIndexType.Key,
      columns: ['qty'],
    })
    expect(await tablesDB.updateTable({ ...orders, name: 'All orders' })).toMatchObject({
      name: 'All orders',
    })
    expect(await tablesDB.listTables({ databaseId: 'shop' })).toMatchObject({
      total: 1,
      tables: [{ $id: 'orders' }],
    })
    expect(await tablesDB.listIndexes(orders)).toMatchObject({
      total: 1,
    })
    await tablesDB.deleteIndex({ ...orders, key: 'by_qty' })
    await tablesDB.deleteColumn({ ...orders, key: 'qty' })
    await tablesDB.deleteTable(orders)
    const gone = await rejection(tablesDB.getTable(orders))
    expect(gone).toMatchObject(notFound('table', 'orders'))
    expect(await tablesDB.update({ databaseId: 'shop', name: 'Store' })).toMatchObject({
      name: 'Store',
    })
    expect(await tablesDB.list()).toMatchObject({ databases: [{ $id: 'shop', name: 'Store' }] })
    await tablesDB.delete({ databaseId: 'shop' })
    expect(await rejection(tablesDB.get({ databaseId: 'shop' }))).toMatchObject({
      type: 'database_not_found',
    })
    expect(statuses().filter((line) => line.startsWith('DELETE'))).toEqual([
      'DELETE /v1/tablesdb/shop/tables/orders/indexes/by_qty 204',
      'DELETE /v1/tablesdb/shop/tables/orders/columns/qty 204',
      'DELETE /v1/tablesdb/shop/tables/orders 204',
      'DELETE /v1/tablesdb/shop 204',
    ])
  })

  it('should serve the legacy collection routes with the collection names', async () => {
    await databases.create({ databaseId: 'legacy', name: 'Legacy' })
    const collection = await databases.createCollection({
      databaseId: 'legacy',
      collectionId: 'notes',
      name: 'Notes',
      documentSecurity: true,
    })
    expect(collection).toMatchObject({ $id: 'notes', documentSecurity: true, attributes: [] })
    expect(collection).not.toHaveProperty('rowSecurity')
    await databases.createStringAttribute({
      databaseId: 'legacy',
      collectionId: 'notes',
      key: 'body',
      size: 200,
      required: true,
    })
    await databases.createIndex({
      databaseId: 'legacy',
      collectionId: 'notes',
      key: 'by_body',
      type: server.DatabasesIndexType.Fulltext,
      attributes: ['body'],
    })
    const attributes = await databases.listAttributes({
      databaseId: 'legacy',
      collectionId: 'notes',
    })
    expect(attributes).toMatchObject({ total: 1, attributes: [{ key: 'body', type: 'string' }] })
    expect(
      await databases.getIndex({ databaseId: 'legacy', collectionId: 'notes', key: 'by_body' }),
    ).toMatchObject({
      attributes: ['body'],
    })
    expect(await databases.listCollections({ databaseId: 'legacy' })).toMatchObject({
      total: 1,
      collections: [{ $id: 'notes' }],
    })
    const missing = await rejection(
      databases.getCollection({ databaseId: 'legacy', collectionId: 'nope' }),
    )
    expect(missing).toMatchObject(notFound('collection', 'nope'))
  })

  it('should refuse management routes to guests and users with general_unauthorized_scope', async () => {
    const guest = await fetch(`${emulator.endpoint}/tablesdb/shop/tables`, {
      method: 'POST',
      headers: { 'x-appwrite-project': emulator.projectId, 'content-type': 'application/json' },
      body: JSON.stringify({ tableId: 't', name: 'T' }),
    })
    expect(guest.status).toBe(401)
    expect(await guest.json()).toMatchObject({
      type: 'general_unauthorized_scope',
      message: 'User (role: guests) missing scopes (["tables.write","collections.write"])',
    })
    const user = await fetch(`${emulator.endpoint}/tablesdb`, {
      headers: {
        'x-appwrite-project': emulator.projectId,
        'x-appwrite-jwt': emulator.createJWT('u1', { email: 'u1@example.com' }),
      },
    })
    expect(await user.json()).toMatchObject({
      type: 'general_unauthorized_scope',
      message: 'u1@example.com (role: users) missing scopes (["databases.read"])',
    })
  })

  it('should refuse column types the fake lacks loudly with 405 general_not_implemented', async () => {
    await tablesDB.create({ databaseId: 'shop', name: 'Shop' })
    await tablesDB.createTable({ databaseId: 'shop', tableId: 'places', name: 'Places' })
    const error = await rejection(
      tablesDB.createPointColumn({
        databaseId: 'shop',
        tableId: 'places',
        key: 'at',
        required: false,
      }),
    )
    expect(error).toMatchObject(appwriteError(405, 'general_not_implemented'))
    expect((error as Error).message).toContain('does not serve spatial columns (point)')
  })
})

describe('emulator transactions', () => {
  const booking = { databaseId: 'main', tableId: 'bookings' }

  it('should stage writes and apply them on commit', async () => {
    const tx = await tablesDB.createTransaction({ ttl: 60 })
    expect(tx).toMatchObject({ status: 'pending', operations: 0 })
    await tablesDB.createRow({
      ...booking,
      rowId: 'b1',
      data: { status: 'pending' },
      transactionId: tx.$id,
    })
    await tablesDB.createOperations({
      transactionId: tx.$id,
      operations: [{ action: 'create', ...booking, rowId: 'b2', data: { status: 'pending' } }],
    })
    expect(await rejection(tablesDB.getRow({ ...booking, rowId: 'b1' }))).toMatchObject({
      type: 'row_not_found',
    })
    expect(await tablesDB.getRow({ ...booking, rowId: 'b1', transactionId: tx.$id })).toMatchObject(
      { $id: 'b1' },
    )
    expect(await tablesDB.getTransaction({ transactionId: tx.$id })).toMatchObject({
      operations: 2,
    })
    const committed = await tablesDB.updateTransaction({ transactionId: tx.$id, commit: true })
    expect(committed.status).toBe('committed')
    const rows = await tablesDB.listRows(booking)
    expect(rows.rows.map((row) => row.$id)).toEqual(['b1', 'b2'])
    expect(statuses()).toEqual([
      'POST /v1/tablesdb/transactions 201',
      'POST /v1/tablesdb/main/tables/bookings/rows 201',
      'POST /v1/tablesdb/transactions/' + tx.$id + '/operations 201',
      'GET /v1/tablesdb/main/tables/bookings/rows/b1 404',
      'GET /v1/tablesdb/main/tables/bookings/rows/b1 200',
      'GET /v1/tablesdb/transactions/' + tx.$id + ' 200',
      'PATCH /v1/tablesdb/transactions/' + tx.$id + ' 200',
      'GET /v1/tablesdb/main/tables/bookings/rows 200',
    ])
  })

  it('should discard staged writes on rollback and delete transactions', async () => {
    const tx = await tablesDB.createTransaction()
    await tablesDB.createRow({
      ...booking,
      rowId: 'b1',
      data: { status: 'pending' },
      transactionId: tx.$id,
    })
    // The server marks a rolled-back transaction `failed` (`Transactions/Update.php`).
    expect(
      await tablesDB.updateTransaction({ transactionId: tx.$id, rollback: true }),
    ).toMatchObject({
      status: 'failed',
    })
    expect((await tablesDB.listRows(booking)).total).toBe(0)
    const other = await tablesDB.createTransaction()
    expect((await tablesDB.listTransactions()).total).toBeGreaterThanOrEqual(1)
    await tablesDB.deleteTransaction({ transactionId: other.$id })
    expect(await rejection(tablesDB.getTransaction({ transactionId: other.$id }))).toMatchObject(
      appwriteError(404, 'transaction_not_found'),
    )
    const neither = await rejection(tablesDB.updateTransaction({ transactionId: tx.$id }))
    expect(neither.code).toBe(400)
  })

  it('should serve transactions on the legacy Databases routes too', async () => {
    const tx = await databases.createTransaction()
    await databases.createDocument({
      databaseId: 'main',
      collectionId: 'bookings',
      documentId: 'd1',
      data: { status: 'pending' },
      transactionId: tx.$id,
    })
    await databases.updateTransaction({ transactionId: tx.$id, commit: true })
    expect(
      await databases.getDocument({
        databaseId: 'main',
        collectionId: 'bookings',
        documentId: 'd1',
      }),
    ).toMatchObject({ $id: 'd1', $collectionId: 'bookings' })
    expect(statuses()[0]).toBe('POST /v1/databases/transactions 201')
  })

  it('should refuse relationship columns loudly, on both APIs', async () => {
    await tablesDB.create({ databaseId: 'rel', name: 'Rel' })
    await tablesDB.createTable({ databaseId: 'rel', tableId: 'a', name: 'A' })
    await tablesDB.createTable({ databaseId: 'rel', tableId: 'b', name: 'B' })
    const refused = {
      code: 405,
      type: 'general_not_implemented',
      message: expect.stringContaining('does not serve relationship columns') as unknown,
    }
    for (const call of [
      () =>
        tablesDB.createRelationshipColumn({
          databaseId: 'rel',
          tableId: 'a',
          relatedTableId: 'b',
          type: server.RelationshipType.OneToMany,
        }),
      () => tablesDB.updateRelationshipColumn({ databaseId: 'rel', tableId: 'a', key: 'b' }),
      () =>
        databases.createRelationshipAttribute({
          databaseId: 'rel',
          collectionId: 'a',
          relatedCollectionId: 'b',
          type: server.RelationshipType.ManyToOne,
        }),
      () =>
        databases.updateRelationshipAttribute({ databaseId: 'rel', collectionId: 'a', key: 'b' }),
    ])
      await expect(call()).rejects.toMatchObject(refused)
  })
})
