import { ID, Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import { assertUniqueRows } from '../fake/indexes'
import { SchemaRegistry } from '../fake/schema'
import { createMemoryStorage } from '../fake/store'
import { appwriteError, fakeWithTable, mainDatabase } from './helpers'

const databaseId = 'main'
const tableId = 'bookings'
const ref = { databaseId, tableId }

const ROW_VIOLATION = {
  code: 409,
  type: 'row_unique_constraint_violation',
  message: 'Row violates a unique column constraint. Try again with different value(s).',
}

/** A fake whose `bookings` table has a unique index on `idempotencyKey`, created through the admin. */
async function setup(options: FakeAppwriteOptions = {}) {
  const context = await fakeWithTable({ tableId, name: 'Bookings' }, options)
  const { admin } = context
  await admin.createStringColumn({ ...ref, key: 'idempotencyKey', size: 64, required: false })
  await admin.createStringColumn({ ...ref, key: 'customerId', size: 36, required: false })
  await admin.createStringColumn({ ...ref, key: 'slot', size: 36, required: false })
  await admin.createIndex({ ...ref, key: 'uniq_idem', type: 'unique', columns: ['idempotencyKey'] })
  return context
}

/** Write parameters of row `rowId` with idempotency key `key` (staged in `transactionId`, if given). */
const keyed = (rowId: string, key: string | null, transactionId?: string) => ({
  ...ref,
  rowId,
  data: { idempotencyKey: key },
  ...(transactionId === undefined ? {} : { transactionId }),
})

const keys = async (fake: Awaited<ReturnType<typeof setup>>['fake']) =>
  (await fake.tablesDB.listRows({ ...ref, queries: [Query.orderAsc('$sequence')] })).rows.map(
    (row) => row.$id,
  )

describe('uniqueIndexes', () => {
  it('should refuse a second row with the same value with row_unique_constraint_violation', async () => {
    const { tablesDB, fake } = await setup()
    await tablesDB.createRow(keyed('b1', 'k1'))
    await expect(tablesDB.createRow(keyed('b2', 'k1'))).rejects.toMatchObject(ROW_VIOLATION)
    expect(await keys(fake)).toEqual(['b1'])
  })

  it('should answer document_unique_constraint_violation on the collection routes', async () => {
    const { fake } = await setup()
    const doc = { databaseId, collectionId: tableId }
    await fake.databases.createDocument({
      ...doc,
      documentId: 'd1',
      data: { idempotencyKey: 'k1' },
    })
    await expect(
      fake.databases.createDocument({ ...doc, documentId: 'd2', data: { idempotencyKey: 'k1' } }),
    ).rejects.toMatchObject(
      appwriteError(
        409,
        'document_unique_constraint_violation',
        'Document violates a unique attribute constraint. Try again with different value(s).',
      ),
    )
  })

  it('should let exactly one of two concurrent creates win', async () => {
    const { tablesDB, fake } = await setup()
    const results = await Promise.allSettled([
      tablesDB.createRow(keyed(ID.unique(), 'race')),
      tablesDB.createRow(keyed(ID.unique(), 'race')),
    ])
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((result) => result.status === 'rejected')
    expect(rejected?.reason).toMatchObject(ROW_VIOLATION)
    expect(await keys(fake)).toHaveLength(1)
  })

  it('should let one win when latency interleaves the two creates', async () => {
    const { tablesDB, fake, clock } = await setup()
    fake.faults.latency({ operation: 'createRow', ms: 50 })
    const first = tablesDB.createRow(keyed('b1', 'race'))
    await clock.advance(25)
    const second = tablesDB.createRow(keyed('b2', 'race'))
    await clock.advance(100)
    const results = await Promise.allSettled([first, second])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected'])
    expect(await keys(fake)).toEqual(['b1'])
  })

  it('should check updates and upserts but let a row keep its own value', async () => {
    const { tablesDB } = await setup()
    await tablesDB.createRow(keyed('b1', 'k1'))
    await tablesDB.createRow(keyed('b2', 'k2'))
    await expect(
      tablesDB.updateRow({ ...ref, rowId: 'b1', data: { idempotencyKey: 'k1', customerId: 'c1' } }),
    ).resolves.toMatchObject({ customerId: 'c1' })
    await expect(tablesDB.updateRow(keyed('b2', 'k1'))).rejects.toMatchObject(ROW_VIOLATION)
    await expect(tablesDB.upsertRow(keyed('b3', 'k2'))).rejects.toMatchObject(ROW_VIOLATION)
    await expect(
      tablesDB.upsertRow({ ...ref, rowId: 'b2', data: { idempotencyKey: 'k2', customerId: 'c2' } }),
    ).resolves.toMatchObject({ customerId: 'c2' })
    await expect(tablesDB.getRow({ ...ref, rowId: 'b2' })).resolves.toMatchObject({
      idempotencyKey: 'k2',
    })
  })

  it('should check increments against a unique numeric column', async () => {
    const { tablesDB, admin } = await setup()
    await admin.createIntegerColumn({ ...ref, key: 'seat', required: false })
    await admin.createIndex({ ...ref, key: 'uniq_seat', type: 'unique', columns: ['seat'] })
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { seat: 1 } })
    await tablesDB.createRow({ ...ref, rowId: 'b2', data: { seat: 2 } })
    await expect(
      tablesDB.incrementRowColumn({ ...ref, rowId: 'b1', column: 'seat' }),
    ).rejects.toMatchObject(ROW_VIOLATION)
    await expect(
      tablesDB.incrementRowColumn({ ...ref, rowId: 'b2', column: 'seat' }),
    ).resolves.toMatchObject({ seat: 3 })
  })

  it('should refuse a whole bulk write that would repeat a value, writing nothing', async () => {
    const { tablesDB, fake } = await setup()
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { idempotencyKey: 'k1', slot: 'a' } })
    await tablesDB.createRow({ ...ref, rowId: 'b2', data: { idempotencyKey: 'k2', slot: 'a' } })
    // Each bulk write repeats a key: within its own rows, against a stored row, or by updating
    // two rows to one value.
    const row = ($id: string, idempotencyKey: string) => ({ $id, idempotencyKey })
    for (const write of [
      () => tablesDB.createRows({ ...ref, rows: [row('b3', 'k3'), row('b4', 'k3')] }),
      () => tablesDB.createRows({ ...ref, rows: [row('b3', 'k3'), row('b4', 'k1')] }),
      () => tablesDB.upsertRows({ ...ref, rows: [row('b5', 'k5'), row('b6', 'k5')] }),
      () =>
        tablesDB.updateRows({
          ...ref,
          data: { idempotencyKey: 'same' },
          queries: [Query.equal('slot', 'a')],
        }),
    ])
      await expect(write()).rejects.toMatchObject(ROW_VIOLATION)
    expect(await keys(fake)).toEqual(['b1', 'b2'])
    await expect(tablesDB.getRow({ ...ref, rowId: 'b2' })).resolves.toMatchObject({
      idempotencyKey: 'k2',
    })
  })

  it('should check every unique index of a table, not only the first', async () => {
    // Found by the browser tests: with two unique indexes (idempotency key, slot), a row with a
    // fresh first value was never checked against the second.
    const { tablesDB, admin } = await setup()
    await admin.createIndex({ ...ref, key: 'uniq_slot', type: 'unique', columns: ['slot'] })
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { idempotencyKey: 'k1', slot: 's1' } })
    await expect(
      tablesDB.createRow({ ...ref, rowId: 'b2', data: { idempotencyKey: 'k2', slot: 's1' } }),
    ).rejects.toMatchObject(ROW_VIOLATION)
    const tx = await tablesDB.createTransaction()
    await tablesDB.createRow({
      ...ref,
      rowId: 'b3',
      data: { idempotencyKey: 'k3', slot: 's1' },
      transactionId: tx.$id,
    })
    await expect(
      tablesDB.updateTransaction({ transactionId: tx.$id, commit: true }),
    ).rejects.toMatchObject({ code: 409 })
  })

  it('should let any number of rows leave the value out (NULL never collides)', async () => {
    const { tablesDB, fake } = await setup()
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1' } })
    await tablesDB.createRow({
      ...ref,
      rowId: 'b2',
      data: { customerId: 'c2', idempotencyKey: null },
    })
    expect(await keys(fake)).toEqual(['b1', 'b2'])
  })

  it('should compare strings like MariaDB: case and trailing spaces do not matter', async () => {
    const { tablesDB } = await setup()
    await tablesDB.createRow(keyed('b1', 'Key-1'))
    await expect(tablesDB.createRow(keyed('b2', 'key-1 '))).rejects.toMatchObject(ROW_VIOLATION)
  })

  it('should enforce a composite unique index on the combination only', async () => {
    const { tablesDB, admin } = await setup()
    await admin.createIndex({
      ...ref,
      key: 'one_per_slot',
      type: 'unique',
      columns: ['customerId', 'slot'],
    })
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1', slot: '10:00' } })
    await tablesDB.createRow({ ...ref, rowId: 'b2', data: { customerId: 'c1', slot: '11:00' } })
    await tablesDB.createRow({ ...ref, rowId: 'b3', data: { customerId: 'c2', slot: '10:00' } })
    await expect(
      tablesDB.createRow({ ...ref, rowId: 'b4', data: { customerId: 'c1', slot: '10:00' } }),
    ).rejects.toMatchObject(ROW_VIOLATION)
  })

  it('should not enforce key indexes, or unique ones still processing or failed', async () => {
    const { tablesDB, admin, fake } = await setup()
    await admin.createIndex({ ...ref, key: 'by_customer', type: 'key', columns: ['customerId'] })
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1' } })
    await tablesDB.createRow({ ...ref, rowId: 'b2', data: { customerId: 'c1' } })
    admin.setIndexStatus({ ...ref, key: 'uniq_idem', status: 'failed', error: 'boom' })
    await tablesDB.createRow(keyed('b3', 'k'))
    await tablesDB.createRow(keyed('b4', 'k'))
    expect(await keys(fake)).toEqual(['b1', 'b2', 'b3', 'b4'])
    admin.pauseWorker()
    await admin.createIndex({ ...ref, key: 'uniq_slot', type: 'unique', columns: ['slot'] })
    await tablesDB.createRow({ ...ref, rowId: 'b5', data: { slot: 's' } })
    await tablesDB.createRow({ ...ref, rowId: 'b6', data: { slot: 't' } })
    admin.resumeWorker()
    await expect(admin.getIndex({ ...ref, key: 'uniq_slot' })).resolves.toMatchObject({
      status: 'available',
    })
    await expect(
      tablesDB.createRow({ ...ref, rowId: 'b7', data: { slot: 's' } }),
    ).rejects.toMatchObject(ROW_VIOLATION)
  })

  it('should fail building a unique index over rows that already repeat a value', async () => {
    const { tablesDB, admin } = await setup()
    await tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1' } })
    await tablesDB.createRow({ ...ref, rowId: 'b2', data: { customerId: 'c1' } })
    const created = await admin.createIndex({
      ...ref,
      key: 'uniq_customer',
      type: 'unique',
      columns: ['customerId'],
    })
    expect(created.status).toBe('processing')
    await expect(admin.getIndex({ ...ref, key: 'uniq_customer' })).resolves.toMatchObject({
      status: 'failed',
      error: 'Unique index violation',
    })
    // A failed index does not exist in storage: nothing is enforced.
    await expect(
      tablesDB.createRow({ ...ref, rowId: 'b3', data: { customerId: 'c1' } }),
    ).resolves.toMatchObject({ $id: 'b3' })
  })

  it('should stop enforcing once the index is deleted', async () => {
    const { tablesDB, admin } = await setup()
    await tablesDB.createRow(keyed('b1', 'k1'))
    await admin.deleteIndex({ ...ref, key: 'uniq_idem' })
    await expect(tablesDB.createRow(keyed('b2', 'k1'))).resolves.toMatchObject({ $id: 'b2' })
  })

  it('should enforce unique indexes declared in the options', async () => {
    const fake = createFakeAppwrite({
      databases: mainDatabase({
        bookings: {
          columns: [{ key: 'email', type: 'email' }],
          indexes: [{ key: 'uniq_email', type: 'unique', columns: ['email'] }],
        },
      }),
    })
    await fake.tablesDB.createRow({ ...ref, rowId: 'u1', data: { email: 'a@b.co' } })
    await expect(
      fake.tablesDB.createRow({ ...ref, rowId: 'u2', data: { email: 'A@b.co' } }),
    ).rejects.toMatchObject(ROW_VIOLATION)
  })

  it('should refuse a transaction commit that would repeat a value', async () => {
    const { tablesDB, fake } = await setup()
    await tablesDB.createRow(keyed('b1', 'k1'))
    const transaction = await tablesDB.createTransaction()
    await tablesDB.createRow(keyed('b2', 'k1', transaction.$id))
    // Transactions/Update.php catches utopia's Unique (a Duplicate) as transaction_conflict.
    await expect(
      tablesDB.updateTransaction({ transactionId: transaction.$id, commit: true }),
    ).rejects.toMatchObject(appwriteError(409, 'transaction_conflict'))
    expect(await keys(fake)).toEqual(['b1'])
  })

  describe('index upkeep', () => {
    it('should free a value once its row changes it or is deleted', async () => {
      const { tablesDB } = await setup()
      await tablesDB.createRow(keyed('b1', 'k1'))
      await tablesDB.createRow(keyed('b2', 'k2'))
      await tablesDB.updateRow(keyed('b1', 'k3'))
      // k1 is free now, k3 is taken.
      await expect(tablesDB.createRow(keyed('b4', 'k1'))).resolves.toMatchObject({ $id: 'b4' })
      await expect(tablesDB.createRow(keyed('b5', 'k3'))).rejects.toMatchObject(ROW_VIOLATION)
      await tablesDB.deleteRow({ ...ref, rowId: 'b2' })
      await expect(tablesDB.createRow(keyed('b6', 'k2'))).resolves.toMatchObject({ $id: 'b6' })
      await tablesDB.updateRow(keyed('b6', null))
      await expect(tablesDB.createRow(keyed('b7', 'k2'))).resolves.toMatchObject({ $id: 'b7' })
    })

    it('should see what a committed transaction wrote, and nothing of a rolled-back one', async () => {
      const { tablesDB } = await setup()
      await tablesDB.createRow(keyed('b1', 'k1'))
      const moved = await tablesDB.createTransaction()
      await tablesDB.updateRow(keyed('b1', 'k2', moved.$id))
      await tablesDB.createRow(keyed('b2', 'k3', moved.$id))
      await tablesDB.updateTransaction({ transactionId: moved.$id, commit: true })
      await expect(tablesDB.createRow(keyed('b3', 'k1'))).resolves.toMatchObject({ $id: 'b3' })
      for (const taken of ['k2', 'k3']) {
        await expect(tablesDB.createRow(keyed('b9', taken))).rejects.toMatchObject(ROW_VIOLATION)
      }
      const dropped = await tablesDB.createTransaction()
      await tablesDB.createRow(keyed('b4', 'k4', dropped.$id))
      await tablesDB.updateTransaction({ transactionId: dropped.$id, rollback: true })
      await expect(tablesDB.createRow(keyed('b5', 'k4'))).resolves.toMatchObject({ $id: 'b5' })
    })

    it('should let a transaction swap two values between its rows', async () => {
      const { tablesDB } = await setup()
      await tablesDB.createRow(keyed('b1', 'k1'))
      const transaction = await tablesDB.createTransaction()
      await tablesDB.updateRow(keyed('b1', 'k2', transaction.$id))
      // b1 gave k1 up earlier in the same transaction: b2 may take it.
      await tablesDB.createRow(keyed('b2', 'k1', transaction.$id))
      await tablesDB.updateTransaction({ transactionId: transaction.$id, commit: true })
      await expect(tablesDB.getRow({ ...ref, rowId: 'b2' })).resolves.toMatchObject({
        idempotencyKey: 'k1',
      })
    })

    it('should follow a column rename and an index recreated on other columns', async () => {
      const { tablesDB, admin } = await setup()
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { idempotencyKey: 'k1', slot: 's1' } })
      await admin.deleteIndex({ ...ref, key: 'uniq_idem' })
      await admin.createIndex({ ...ref, key: 'uniq_idem', type: 'unique', columns: ['slot'] })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b2', data: { idempotencyKey: 'k1', slot: 's2' } }),
      ).resolves.toMatchObject({ $id: 'b2' })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { slot: 's1' } }),
      ).rejects.toMatchObject(ROW_VIOLATION)
      await admin.updateStringColumn({
        ...ref,
        key: 'slot',
        newKey: 'slotKey',
        required: false,
        xdefault: null,
      })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { slotKey: 's1' } }),
      ).rejects.toMatchObject(ROW_VIOLATION)
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b3', data: { slotKey: 's3' } }),
      ).resolves.toMatchObject({ $id: 'b3' })
    })

    it('should check writes through the index, never scanning the stored rows', () => {
      const schema = new SchemaRegistry({
        databases: mainDatabase({
          bookings: {
            columns: [{ key: 'idempotencyKey', type: 'string', size: 64 }],
            indexes: [{ key: 'uniq_idem', type: 'unique', columns: ['idempotencyKey'] }],
          },
        }),
        strict: false,
        now: () => '2026-01-01T00:00:00.000+00:00',
      }).resolve(databaseId, tableId)
      if (!schema.ok || schema.schema === undefined) throw new Error('bookings is declared')
      const table = createMemoryStorage().ensureTable(databaseId, tableId)
      const row = (id: string, key: string | null) => ({
        $id: id,
        $sequence: table.nextSequence(),
        $createdAt: '2026-01-01T00:00:00.000+00:00',
        $updatedAt: '2026-01-01T00:00:00.000+00:00',
        $permissions: [],
        data: { idempotencyKey: key },
      })
      for (let i = 0; i < 1_000; i++) table.put(row(`b${i}`, `k${i}`))
      const check = (id: string, key: string) => () =>
        assertUniqueRows(
          'tablesDB',
          schema.schema,
          { $id: id, data: { idempotencyKey: key } },
          table,
        )
      expect(check('new', 'K999 ')).toThrow(expect.objectContaining(ROW_VIOLATION))
      // Built: from now on a scan would throw.
      table.values = () => {
        throw new Error('scanned the table')
      }
      expect(check('new', 'k1000')).not.toThrow()
      expect(check('b5', 'k5')).not.toThrow()
      table.put(row('b1000', 'k1000'))
      table.put(row('b5', 'k5b'))
      table.delete('b6')
      table.put(row('b7', null))
      expect(check('new', 'k1000')).toThrow(expect.objectContaining(ROW_VIOLATION))
      expect(check('new', 'k5b')).toThrow(expect.objectContaining(ROW_VIOLATION))
      for (const free of ['k5', 'k6', 'k7']) expect(check('new', free)).not.toThrow()
    })
  })
})
