import { Permission, Query, Role } from 'appwrite'
import type { Models, TablesDB } from 'appwrite'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import { AppwriteException } from '../fake/errors'
import type { RealtimeResponseEvent } from '../fake/realtime'
import { appwriteError, flush, mainDatabase, notFound, rejection } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')
const T0 = '2026-01-01T00:00:00.000+00:00'
const bookings = { databaseId: 'main', tableId: 'bookings' } as const
const rooms = { databaseId: 'main', tableId: 'chat_rooms' } as const

/** A row write's parameters: `data` for `rowId` in `table`, staged in `transactionId` when given. */
function writeIn(
  table: typeof bookings | typeof rooms,
  rowId: string,
  data: Record<string, unknown>,
  transactionId?: string,
) {
  return { ...table, rowId, data, ...(transactionId === undefined ? {} : { transactionId }) }
}

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: START })
  const fake = createFakeAppwrite({ clock, seed: 1, ...options })
  return { fake, clock, tablesDB: fake.tablesDB }
}

/** Declared tables: bookings with a required enum status and a unique idempotency key. */
const declared: FakeAppwriteOptions['databases'] = mainDatabase({
  bookings: {
    columns: [
      { key: 'customerId', type: 'string', size: 36, required: true },
      { key: 'status', type: 'enum', elements: ['pending', 'accepted'], required: true },
      { key: 'seats', type: 'integer' },
      { key: 'idempotencyKey', type: 'string', size: 64 },
    ],
    indexes: [{ key: 'idem', type: 'unique', columns: ['idempotencyKey'] }],
  },
  chat_rooms: { columns: [{ key: 'bookingId', type: 'string', size: 36, required: true }] },
})

async function listen(fake: ReturnType<typeof setup>['fake']) {
  const events: RealtimeResponseEvent[] = []
  await fake.realtime.subscribe(
    ['databases.main.tables.bookings.rows', 'databases.main.tables.chat_rooms.rows'],
    (event) => {
      events.push(event)
    },
  )
  return events
}

const NON_PENDING = 'Invalid or non\u2011pending transaction'

describe('transactions', () => {
  it('should offer the SDK transaction methods with the SDK shapes', () => {
    type TransactionMethods =
      | 'createTransaction'
      | 'getTransaction'
      | 'listTransactions'
      | 'updateTransaction'
      | 'deleteTransaction'
      | 'createOperations'
    const { tablesDB } = setup()
    const typed: Pick<TablesDB, TransactionMethods> = tablesDB
    expectTypeOf(typed).not.toBeAny()
    expectTypeOf(tablesDB.createTransaction).returns.resolves.toMatchTypeOf<Models.Transaction>()
  })

  describe('createTransaction', () => {
    it('should start a pending transaction that expires after 300 s by default', async () => {
      const { tablesDB } = setup()
      const tx = await tablesDB.createTransaction()
      expect(tx).toEqual({
        $id: expect.stringMatching(/^[0-9a-f]{20}$/),
        $createdAt: T0,
        $updatedAt: T0,
        status: 'pending',
        operations: 0,
        expiresAt: '2026-01-01T00:05:00.000+00:00',
      })
      expect(await tablesDB.getTransaction({ transactionId: tx.$id })).toEqual(tx)
    })

    it('should accept a ttl from 60 to 3,600 s, in both call forms', async () => {
      const { tablesDB } = setup()
      expect((await tablesDB.createTransaction({ ttl: 60 })).expiresAt).toBe(
        '2026-01-01T00:01:00.000+00:00',
      )
      expect((await tablesDB.createTransaction(3600)).expiresAt).toBe(
        '2026-01-01T01:00:00.000+00:00',
      )
      for (const ttl of [59, 3601, 1.5]) {
        const error = await rejection(tablesDB.createTransaction({ ttl }))
        expect(error).toMatchObject(
          appwriteError(
            400,
            'general_argument_invalid',
            'Invalid `ttl` param: Value must be a valid range between 60 and 3,600',
          ),
        )
      }
    })

    it('should pick transaction ids from the seed without shifting the row ids it picks', async () => {
      const first = setup().fake
      const second = setup().fake
      const a = await first.tablesDB.createTransaction()
      expect((await second.tablesDB.createTransaction()).$id).toBe(a.$id)
      const untouched = setup().fake
      const row = await first.tablesDB.createRow({ ...bookings, rowId: 'unique()', data: { x: 1 } })
      const same = await untouched.tablesDB.createRow({
        ...bookings,
        rowId: 'unique()',
        data: { x: 1 },
      })
      expect(row.$id).toBe(same.$id)
    })
  })

  describe('staging', () => {
    it('should answer a staged create with the row it will write, writing nothing yet', async () => {
      const { fake, tablesDB } = setup()
      const events = await listen(fake)
      const tx = await tablesDB.createTransaction()
      const staged = await tablesDB.createRow({
        ...bookings,
        rowId: 'b1',
        data: { customerId: 'c1', status: 'pending' },
        permissions: [Permission.read(Role.user('c1'))],
        transactionId: tx.$id,
      })
      expect(staged).toEqual({
        $id: 'b1',
        $sequence: '',
        $tableId: 'bookings',
        $databaseId: 'main',
        $createdAt: '',
        $updatedAt: '',
        $permissions: ['read("user:c1")'],
        customerId: 'c1',
        status: 'pending',
      })
      await flush()
      expect(fake.snapshot()).toEqual({})
      expect(events).toEqual([])
      expect(await tablesDB.getTransaction({ transactionId: tx.$id })).toMatchObject({
        operations: 1,
        status: 'pending',
      })
    })

    it('should let reads through the transaction see its staged writes, and nobody else', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b0', data: { status: 'pending' } })
      await tablesDB.createRow({ ...bookings, rowId: 'gone', data: { status: 'pending' } })
      const tx = await tablesDB.createTransaction()
      const transactionId = tx.$id
      await tablesDB.createRow(writeIn(bookings, 'b1', { status: 'pending' }, transactionId))
      await tablesDB.updateRow(writeIn(bookings, 'b0', { status: 'accepted' }, transactionId))
      await tablesDB.deleteRow({ ...bookings, rowId: 'gone', transactionId })

      const inside = await tablesDB.listRows({
        ...bookings,
        queries: [Query.equal('status', 'pending')],
        transactionId,
      })
      expect(inside).toMatchObject({ total: 1, rows: [{ $id: 'b1' }] })
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b0', transactionId })).toMatchObject({
        status: 'accepted',
      })
      const gone = await rejection(tablesDB.getRow({ ...bookings, rowId: 'gone', transactionId }))
      expect(gone).toMatchObject(appwriteError(404, 'row_not_found'))

      const outside = await tablesDB.listRows({ ...bookings, queries: [Query.orderAsc('$id')] })
      expect(outside.rows.map((row) => [row.$id, row.status])).toEqual([
        ['b0', 'pending'],
        ['gone', 'pending'],
      ])
      const unseen = await rejection(tablesDB.getRow({ ...bookings, rowId: 'b1' }))
      expect(unseen).toMatchObject(appwriteError(404, 'row_not_found'))
    })

    it('should answer staged updates, upserts, increments and deletes the way the server does', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending', seats: 1 } })
      const { $id: transactionId } = await tablesDB.createTransaction()
      const updated = await tablesDB.updateRow(
        writeIn(bookings, 'b1', { status: 'accepted' }, transactionId),
      )
      expect(updated).toMatchObject({
        $id: 'b1',
        $sequence: '1',
        $createdAt: T0,
        status: 'accepted',
        seats: 1,
      })
      const upserted = await tablesDB.upsertRow(
        writeIn(bookings, 'b2', { status: 'pending' }, transactionId),
      )
      expect(upserted).toEqual({
        $id: 'b2',
        $sequence: '',
        $tableId: 'bookings',
        $databaseId: 'main',
        $createdAt: '',
        $updatedAt: '',
        $permissions: [],
        status: 'pending',
      })
      // Increment.php answers with the column set to the amount, not the result.
      const incremented = await tablesDB.incrementRowColumn({
        ...bookings,
        rowId: 'b1',
        column: 'seats',
        value: 2,
        transactionId,
      })
      expect(incremented).toMatchObject({ $id: 'b1', seats: 2 })
      expect(await tablesDB.deleteRow({ ...bookings, rowId: 'b2', transactionId })).toEqual({})
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b1', transactionId })).toMatchObject({
        status: 'accepted',
        seats: 3,
      })
      expect((await tablesDB.getTransaction({ transactionId })).operations).toBe(4)
    })

    it('should refuse to stage an update or delete of a row missing from the transaction view', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      const update = await rejection(
        tablesDB.updateRow({ ...bookings, rowId: 'nope', data: { a: 1 }, transactionId }),
      )
      expect(update).toMatchObject(notFound('row', 'nope'))
      // A row the transaction itself creates can be updated and deleted before the commit.
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { a: 2 }, transactionId })
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b1' })).toMatchObject({ a: 2 })
    })

    it('should fail like the server for unknown transactions, per route', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { seats: 1 } })
      const create = await rejection(
        tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 }, transactionId: 'nope' }),
      )
      expect(create).toMatchObject(notFound('transaction', 'nope'))
      const increment = await rejection(
        tablesDB.incrementRowColumn({
          ...bookings,
          rowId: 'b1',
          column: 'seats',
          transactionId: 'nope',
        }),
      )
      expect(increment).toMatchObject({
        code: 400,
        type: 'general_bad_request',
        message: NON_PENDING,
      })
      const get = await rejection(tablesDB.getTransaction({ transactionId: 'nope' }))
      expect(get).toMatchObject(appwriteError(404, 'transaction_not_found'))
      // Like the SDK, a missing required parameter throws before any request.
      expect(() => tablesDB.getTransaction({} as { transactionId: string })).toThrow(
        new AppwriteException('Missing required parameter: "transactionId"'),
      )
    })

    it('should pass staged writes through the fault injector', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      fake.faults.fail({ operation: 'createRow', times: 1, error: 'general_rate_limit_exceeded' })
      const error = await rejection(
        tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId }),
      )
      expect(error).toMatchObject(appwriteError(429, 'general_rate_limit_exceeded'))
      expect((await tablesDB.getTransaction({ transactionId })).operations).toBe(0)
    })
  })

  describe('updateTransaction', () => {
    it('should commit every staged write at once and mark the transaction committed', async () => {
      const { fake, tablesDB, clock } = setup({ databases: declared })
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow(
        writeIn(bookings, 'b1', { customerId: 'c1', status: 'pending' }, transactionId),
      )
      await tablesDB.createRow({ ...rooms, rowId: 'b1', data: { bookingId: 'b1' }, transactionId })
      await clock.advance(1000)
      const committed = await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(committed).toMatchObject({
        $id: transactionId,
        status: 'committed',
        operations: 2,
        $updatedAt: '2026-01-01T00:00:01.000+00:00',
      })
      const snapshot = fake.snapshot()
      expect(snapshot.main?.bookings).toEqual([
        {
          $id: 'b1',
          $sequence: '1',
          $tableId: 'bookings',
          $databaseId: 'main',
          $createdAt: '2026-01-01T00:00:01.000+00:00',
          $updatedAt: '2026-01-01T00:00:01.000+00:00',
          $permissions: [],
          customerId: 'c1',
          status: 'pending',
          seats: null,
          idempotencyKey: null,
        },
      ])
      expect(snapshot.main?.chat_rooms).toMatchObject([{ $id: 'b1', bookingId: 'b1' }])
    })

    it('should fire realtime events per operation at commit, never at staging', async () => {
      const { fake, tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'old', data: { status: 'pending' } })
      const events = await listen(fake)
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow(writeIn(bookings, 'b1', { status: 'pending' }, transactionId))
      await tablesDB.updateRow(writeIn(bookings, 'b1', { status: 'accepted' }, transactionId))
      await tablesDB.upsertRow({ ...rooms, rowId: 'r1', data: { bookingId: 'b1' }, transactionId })
      await tablesDB.deleteRow({ ...bookings, rowId: 'old', transactionId })
      await flush()
      expect(events).toEqual([])

      await tablesDB.updateTransaction({ transactionId, commit: true })
      await flush()
      expect(
        events.map((event) => [
          event.events[0],
          event.payload.$id,
          (event.payload as { status?: string }).status,
        ]),
      ).toEqual([
        // Each event carries the row as committed (Update.php reads it after the commit).
        ['tablesdb.main.tables.bookings.rows.b1.create', 'b1', 'accepted'],
        ['tablesdb.main.tables.bookings.rows.b1.update', 'b1', 'accepted'],
        // An upsert inside a transaction publishes `update`.
        ['tablesdb.main.tables.chat_rooms.rows.r1.update', 'r1', undefined],
        ['tablesdb.main.tables.bookings.rows.old.delete', 'old', 'pending'],
      ])
      expect(events[0]?.payload).toMatchObject({ $tableId: 'bookings', $collectionId: 'bookings' })
    })

    it('should roll back: nothing written, status failed, no events', async () => {
      const { fake, tablesDB } = setup()
      const events = await listen(fake)
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      const rolledBack = await tablesDB.updateTransaction({ transactionId, rollback: true })
      expect(rolledBack).toMatchObject({ status: 'failed', operations: 1 })
      await flush()
      expect(fake.snapshot()).toEqual({})
      expect(events).toEqual([])
      const again = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(again).toMatchObject(
        appwriteError(
          400,
          'transaction_not_ready',
          'The transaction is not ready yet. Please try again later.',
        ),
      )
      const stage = await rejection(
        tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 }, transactionId }),
      )
      expect(stage).toMatchObject(appwriteError(400, 'transaction_not_ready'))
    })

    it('should require exactly one of commit and rollback', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      expect(await rejection(tablesDB.updateTransaction({ transactionId }))).toMatchObject(
        appwriteError(400, 'general_bad_request', 'Either commit or rollback must be true'),
      )
      expect(
        await rejection(
          tablesDB.updateTransaction({ transactionId, commit: true, rollback: true }),
        ),
      ).toMatchObject(
        appwriteError(400, 'general_bad_request', 'Cannot commit and rollback at the same time'),
      )
      expect((await tablesDB.getTransaction({ transactionId })).status).toBe('pending')
    })

    it('should refuse a second commit with transaction_not_ready and commit an empty one', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      expect(await tablesDB.updateTransaction(transactionId, true)).toMatchObject({
        status: 'committed',
        operations: 0,
      })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(appwriteError(400, 'transaction_not_ready'))
    })
  })

  describe('all or nothing', () => {
    it('should fail with transaction_conflict on a duplicate id and leave no trace', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...rooms, rowId: 'r1', data: { bookingId: 'b1' }, transactionId })
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      // Someone else takes the id between staging and commit.
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 'theirs' } })
      const events = await listen(fake)
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(
        appwriteError(
          409,
          'transaction_conflict',
          'The transaction has a conflict. Please resolve the conflict and try again.',
        ),
      )
      await flush()
      expect(events).toEqual([])
      expect(fake.snapshot().main?.chat_rooms).toBeUndefined()
      expect(fake.snapshot().main?.bookings).toMatchObject([{ $id: 'b1', a: 'theirs' }])
      expect((await tablesDB.getTransaction({ transactionId })).status).toBe('failed')
    })

    it('should leave tables that already hold rows exactly as they were when a commit of creates fails', async () => {
      const { fake, tablesDB } = setup({ databases: declared })
      const booking = (rowId: string, idempotencyKey: string) => ({
        ...bookings,
        rowId,
        data: { customerId: 'c1', status: 'pending' as const, idempotencyKey },
      })
      await tablesDB.createRow(booking('b1', 'k1'))
      await tablesDB.createRow({ ...rooms, rowId: 'r1', data: { bookingId: 'b1' } })
      const before = fake.snapshot()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createOperations({
        transactionId,
        operations: [
          { action: 'create', ...booking('b2', 'k2') },
          { action: 'create', ...rooms, rowId: 'r2', data: { bookingId: 'b2' } },
          { action: 'create', ...booking('b3', 'k3') },
          // Holds b1's key: the commit fails after three rows went in.
          { action: 'create', ...booking('b4', 'k1') },
        ],
      })
      const events = await listen(fake)
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(appwriteError(409, 'transaction_conflict'))
      await flush()
      expect(events).toEqual([])
      expect(fake.snapshot()).toEqual(before)
      // The keys the failed commit took are free again, and numbering goes on without a gap.
      const again = await tablesDB.createRow(booking('b5', 'k2'))
      expect(again.$sequence).toBe('2')
      const room = await tablesDB.createRow({ ...rooms, rowId: 'r2', data: { bookingId: 'b5' } })
      expect(room.$sequence).toBe('2')
      // The same kind of commit, succeeding: rows in order, one event each once it is done.
      const next = await tablesDB.createTransaction()
      await tablesDB.createOperations({
        transactionId: next.$id,
        operations: [
          { action: 'create', ...booking('b6', 'k6') },
          { action: 'create', ...rooms, rowId: 'r6', data: { bookingId: 'b6' } },
        ],
      })
      await flush()
      events.length = 0
      await tablesDB.updateTransaction({ transactionId: next.$id, commit: true })
      await flush()
      expect(events.map((event) => [event.events[0], event.payload['$id']])).toEqual([
        ['tablesdb.main.tables.bookings.rows.b6.create', 'b6'],
        ['tablesdb.main.tables.chat_rooms.rows.r6.create', 'r6'],
      ])
      expect(fake.snapshot().main?.bookings?.map((row) => [row.$id, row.$sequence])).toEqual([
        ['b1', '1'],
        ['b5', '2'],
        ['b6', '3'],
      ])
    })

    it('should fail with document_invalid_structure at commit, not at staging', async () => {
      const { fake, tablesDB } = setup({ databases: declared })
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...rooms, rowId: 'r1', data: { bookingId: 'b1' }, transactionId })
      const staged = await tablesDB.createRow(
        writeIn(bookings, 'b1', { customerId: 'c1', status: 'nonsense' }, transactionId),
      )
      expect(staged.status).toBe('nonsense')
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error.code).toBe(400)
      // Update.php answers with the collection routes' type on both APIs.
      expect(error.type).toBe('document_invalid_structure')
      expect(error.message).toContain('Invalid document structure')
      expect(error.message).toContain('status')
      expect(fake.snapshot().main?.chat_rooms).toEqual([])
      expect((await tablesDB.getTransaction({ transactionId })).status).toBe('failed')
    })

    it('should fail with document_not_found when a row it updates was deleted outside', async () => {
      const { fake, tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 } })
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...rooms, rowId: 'r1', data: { bookingId: 'b1' }, transactionId })
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { a: 2 }, transactionId })
      await tablesDB.deleteRow({ ...bookings, rowId: 'b1' })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(notFound('document', 'b1'))
      expect(fake.snapshot().main).toEqual({ bookings: [] })
    })

    it('should fail with attribute_limit_exceeded when an increment passes its max at commit', async () => {
      const { tablesDB } = setup({ databases: declared })
      await tablesDB.createRow(
        writeIn(bookings, 'b1', { customerId: 'c1', status: 'pending', seats: 4 }),
      )
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.incrementRowColumn({
        ...bookings,
        rowId: 'b1',
        column: 'seats',
        value: 2,
        max: 5,
        transactionId,
      })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(
        appwriteError(400, 'attribute_limit_exceeded', 'Attribute value exceeds maximum limit: 5'),
      )
      expect((await tablesDB.getRow({ ...bookings, rowId: 'b1' })).seats).toBe(4)
    })
  })

  describe('unique index races', () => {
    const booking = (rowId: string, transactionId?: string) => ({
      ...bookings,
      rowId,
      data: { customerId: 'c1', status: 'pending' as const, idempotencyKey: 'k1' },
      transactionId,
    })

    it('should let exactly one of two concurrent creates with the same unique key win', async () => {
      const { fake, tablesDB } = setup({ databases: declared })
      const results = await Promise.allSettled([
        tablesDB.createRow(booking('b1')),
        fake.databases.createDocument({
          databaseId: 'main',
          collectionId: 'bookings',
          documentId: 'b2',
          data: booking('b2').data,
        }),
      ])
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected'])
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject(
        appwriteError(409, 'document_unique_constraint_violation'),
      )
      expect(fake.snapshot().main?.bookings?.map((row) => row.$id)).toEqual(['b1'])
    })

    it('should commit one of two racing transactions and fail the other with transaction_conflict', async () => {
      const { fake, tablesDB } = setup({ databases: declared })
      const first = await tablesDB.createTransaction()
      const second = await tablesDB.createTransaction()
      await tablesDB.createRow(booking('b1', first.$id))
      await tablesDB.createRow(writeIn(rooms, 'b2', { bookingId: 'b2' }, second.$id))
      await tablesDB.createRow(booking('b2', second.$id))
      const results = await Promise.allSettled([
        tablesDB.updateTransaction({ transactionId: first.$id, commit: true }),
        tablesDB.updateTransaction({ transactionId: second.$id, commit: true }),
      ])
      expect(results[0]).toMatchObject({ status: 'fulfilled', value: { status: 'committed' } })
      expect(results[1]).toMatchObject({
        status: 'rejected',
        reason: { code: 409, type: 'transaction_conflict' },
      })
      // The loser left no trace, its chat room included.
      expect(fake.snapshot().main?.bookings?.map((row) => row.$id)).toEqual(['b1'])
      expect(fake.snapshot().main?.chat_rooms).toEqual([])
    })
  })

  describe('conflicts', () => {
    it('should fail with transaction_conflict when a row it updates changed outside after staging', async () => {
      const { fake, tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.updateRow(writeIn(bookings, 'b1', { status: 'accepted' }, transactionId))
      // Same millisecond on the manual clock: the change still counts.
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { status: 'cancelled' } })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(appwriteError(409, 'transaction_conflict'))
      expect(fake.snapshot().main?.bookings).toMatchObject([{ status: 'cancelled' }])
    })

    it('should fail with transaction_conflict when a row it deletes or upserts changed outside', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { n: 1 } })
      const del = await tablesDB.createTransaction()
      await tablesDB.deleteRow({ ...bookings, rowId: 'b1', transactionId: del.$id })
      const ups = await tablesDB.createTransaction()
      await tablesDB.upsertRow({ ...bookings, rowId: 'b2', data: { n: 1 }, transactionId: ups.$id })
      await clock.advance(5)
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { n: 2 } })
      await tablesDB.createRow({ ...bookings, rowId: 'b2', data: { n: 2 } })
      for (const { $id } of [del, ups]) {
        const error = await rejection(
          tablesDB.updateTransaction({ transactionId: $id, commit: true }),
        )
        expect(error).toMatchObject(appwriteError(409, 'transaction_conflict'))
      }
    })

    it('should not conflict on writes outside that changed nothing, nor on increments', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { status: 'pending', seats: 1 } })
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.updateRow(writeIn(bookings, 'b1', { status: 'accepted' }, transactionId))
      await tablesDB.incrementRowColumn({
        ...bookings,
        rowId: 'b1',
        column: 'seats',
        transactionId,
      })
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { status: 'pending' } })
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b1' })).toMatchObject({
        status: 'accepted',
        seats: 2,
      })
    })

    it('should not conflict on rows the transaction itself created first', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { n: 1 }, transactionId })
      await tablesDB.updateRow({ ...bookings, rowId: 'b1', data: { n: 2 }, transactionId })
      await tablesDB.deleteRow({ ...bookings, rowId: 'b1', transactionId })
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { n: 3 }, transactionId })
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b1' })).toMatchObject({ n: 3 })
    })
  })

  describe('expiry and limits', () => {
    it('should expire on the fake clock: transaction_expired when staging or committing', async () => {
      const { tablesDB, clock } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction({ ttl: 60 })
      await clock.advance(60_000)
      // Exactly at expiresAt it still works (Update.php: `now > expiresAt`).
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      await clock.advance(1)
      const stage = await rejection(
        tablesDB.createRow({ ...bookings, rowId: 'b2', data: { a: 1 }, transactionId }),
      )
      expect(stage).toMatchObject(
        appwriteError(
          410,
          'transaction_expired',
          'The transaction has expired. Please create a new transaction and try again.',
        ),
      )
      const commit = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(commit).toMatchObject(appwriteError(410, 'transaction_expired'))
      expect(await tablesDB.listRows(bookings)).toEqual({ total: 0, rows: [] })
    })

    it('should hold at most 100 operations', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createOperations({
        transactionId,
        operations: Array.from({ length: 99 }, (_, i) => ({
          action: 'create',
          ...bookings,
          rowId: `b${i}`,
          data: { i },
        })),
      })
      await tablesDB.createRow({ ...bookings, rowId: 'last', data: { i: 99 }, transactionId })
      const one = await rejection(
        tablesDB.createRow({ ...bookings, rowId: 'extra', data: { i: 100 }, transactionId }),
      )
      expect(one).toMatchObject(
        appwriteError(
          400,
          'transaction_limit_exceeded',
          'Transaction already has 100 operations, adding 1 would exceed the maximum of 100',
        ),
      )
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect((await tablesDB.listRows({ ...bookings, total: true })).total).toBe(100)

      const second = await tablesDB.createTransaction()
      const many = await rejection(
        tablesDB.createOperations({
          transactionId: second.$id,
          operations: Array.from({ length: 101 }, (_, i) => ({
            action: 'delete',
            ...bookings,
            rowId: `b${i}`,
          })),
        }),
      )
      expect(many).toMatchObject({
        type: 'transaction_limit_exceeded',
        message: 'Transaction already has 0 operations, adding 101 would exceed the maximum of 100',
      })
    })
  })

  describe('createOperations', () => {
    it('should stage several operations at once and commit them', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b0', data: { seats: 1 } })
      const { $id: transactionId } = await tablesDB.createTransaction()
      const tx = await tablesDB.createOperations({
        transactionId,
        operations: [
          {
            action: 'create',
            ...bookings,
            rowId: 'b1',
            data: { status: 'pending', $permissions: [Permission.read(Role.any())] },
          },
          { action: 'update', ...bookings, rowId: 'b1', data: { status: 'accepted' } },
          { action: 'increment', ...bookings, rowId: 'b0', data: { column: 'seats', value: 2 } },
          { action: 'upsert', ...rooms, rowId: 'b1', data: { bookingId: 'b1' } },
        ],
      })
      expect(tx).toMatchObject({ operations: 4, status: 'pending' })
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b1' })).toMatchObject({
        status: 'accepted',
        $permissions: ['read("any")'],
      })
      expect((await tablesDB.getRow({ ...bookings, rowId: 'b0' })).seats).toBe(3)
      expect(await tablesDB.getRow({ ...rooms, rowId: 'b1' })).toMatchObject({ bookingId: 'b1' })
    })

    it('should validate every operation like the server, staging none on error', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      const cases: Array<[object, string]> = [
        [
          { action: 'create', tableId: 't', rowId: 'x', data: {} },
          'Missing required key: databaseId',
        ],
        [
          { action: 'create', databaseId: ' ', tableId: 't', rowId: 'x', data: {} },
          "Key 'databaseId' must be a non\u2011empty string",
        ],
        [
          { action: 'copy', ...bookings, rowId: 'x' },
          "Key 'action' must be one of: create, update, upsert, delete, increment, decrement, bulkCreate, bulkUpdate, bulkUpsert, bulkDelete",
        ],
        [
          { action: 'update', ...bookings, data: {} },
          "Key 'rowId' is required for action 'update'",
        ],
        [{ action: 'create', ...bookings, rowId: 'x' }, 'Missing required key: data'],
        [
          { action: 'increment', ...bookings, rowId: 'x', data: {} },
          "Key 'column' is required in data for increment",
        ],
        [
          { action: 'bulkDelete', ...bookings, data: {} },
          "Key 'queries' is required in data for bulkDelete",
        ],
      ]
      for (const [operation, description] of cases) {
        const error = await rejection(
          tablesDB.createOperations({
            transactionId,
            operations: [{ action: 'create', ...bookings, rowId: 'ok', data: { a: 1 } }, operation],
          }),
        )
        expect(error).toMatchObject({
          code: 400,
          type: 'general_argument_invalid',
          message: `Invalid \`operations\` param: Value must a valid array and ${description}`,
        })
      }
      const empty = await rejection(tablesDB.createOperations({ transactionId, operations: [] }))
      expect(empty).toMatchObject({
        type: 'general_bad_request',
        message: 'Operations array cannot be empty',
      })
      const missing = await rejection(
        tablesDB.createOperations({
          transactionId,
          operations: [
            { action: 'create', ...bookings, rowId: 'ok', data: { a: 1 } },
            { action: 'delete', ...bookings, rowId: 'nope' },
          ],
        }),
      )
      expect(missing).toMatchObject(notFound('document', 'nope'))
      expect((await tablesDB.getTransaction({ transactionId })).operations).toBe(0)
    })

    it('should commit the data as it was staged, whatever happens to it afterwards', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      const sent = { status: 'pending', tags: ['a'], $permissions: [Permission.read(Role.any())] }
      await tablesDB.createOperations({
        transactionId,
        operations: [
          { action: 'create', ...bookings, rowId: 'b1', data: sent },
          // Only server fields: stored as a row with no columns, as a copy of what was sent is.
          { action: 'create', ...bookings, rowId: 'b2', data: { $id: 'ignored' } },
          // What the SDK sends is what `toJSON` answers.
          {
            action: 'create',
            ...bookings,
            rowId: 'b3',
            data: { status: 'raw', toJSON: () => ({ status: 'serialized' }) },
          },
        ],
      })
      sent.status = 'changed'
      sent.tags.push('b')
      sent.$permissions.push(Permission.read(Role.user('intruder')))
      // A read through the transaction replays the log; its answer is the reader's to change.
      const staged = await tablesDB.getRow({ ...bookings, rowId: 'b1', transactionId })
      ;(staged['tags'] as string[]).push('c')
      await tablesDB.updateTransaction({ transactionId, commit: true })
      const b1 = await tablesDB.getRow({ ...bookings, rowId: 'b1' })
      expect(b1).toMatchObject({ status: 'pending', tags: ['a'], $permissions: ['read("any")'] })
      const b2 = await tablesDB.getRow({ ...bookings, rowId: 'b2' })
      expect(Object.keys(b2).filter((key) => !key.startsWith('$'))).toEqual([])
      expect(b2.$id).toBe('b2')
      expect(await tablesDB.getRow({ ...bookings, rowId: 'b3' })).toMatchObject({
        status: 'serialized',
      })
    })

    it('should refuse at commit a create staged with no data, into a table with rows or without', async () => {
      const { fake, tablesDB } = setup()
      await tablesDB.createRow({ ...bookings, rowId: 'b0', data: { status: 'pending' } })
      for (const tableId of ['bookings', 'chat_rooms']) {
        const before = fake.snapshot()
        const { $id: transactionId } = await tablesDB.createTransaction()
        await tablesDB.createOperations({
          transactionId,
          operations: [{ action: 'create', databaseId: 'main', tableId, rowId: 'r1', data: {} }],
        })
        const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
        expect(error).toMatchObject(appwriteError(400, 'row_missing_data'))
        expect(fake.snapshot()).toEqual(before)
        expect((await tablesDB.getTransaction({ transactionId })).status).toBe('failed')
      }
    })

    it('should answer a finished transaction with general_bad_request', async () => {
      const { tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.updateTransaction({ transactionId, rollback: true })
      const error = await rejection(
        tablesDB.createOperations({
          transactionId,
          operations: [{ action: 'create', ...bookings, rowId: 'b1', data: { a: 1 } }],
        }),
      )
      expect(error).toMatchObject({ code: 400, type: 'general_bad_request', message: NON_PENDING })
    })

    it('should stage bulk operations for an API key, without events at commit', async () => {
      const { fake, tablesDB } = setup()
      await tablesDB.createRows({
        ...bookings,
        rows: [
          { $id: 'a', n: 1 },
          { $id: 'b', n: 2 },
        ],
      })
      const events = await listen(fake)
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createOperations({
        transactionId,
        operations: [
          {
            action: 'bulkUpdate',
            ...bookings,
            data: { data: { n: 0 }, queries: [Query.equal('n', 1)] },
          },
          { action: 'bulkCreate', ...bookings, data: [{ $id: 'c', n: 3 }] },
        ],
      })
      expect(await tablesDB.updateRows({ ...bookings, data: { n: 9 }, transactionId })).toEqual({
        total: 0,
        rows: [],
      })
      await tablesDB.updateTransaction({ transactionId, commit: true })
      const { rows } = await tablesDB.listRows(bookings)
      expect(rows.map((row) => [row.$id, row.n])).toEqual([
        ['a', 9],
        ['b', 9],
        ['c', 9],
      ])
      await flush()
      expect(events).toEqual([])
    })
  })

  describe('faults', () => {
    /** A pending transaction holding a booking and its chat room, staged in one call. */
    async function stageBookingAndRoom(tablesDB: ReturnType<typeof setup>['tablesDB']) {
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createOperations({
        transactionId,
        operations: [
          { action: 'create', ...bookings, rowId: 'b1', data: { a: 1 } },
          { action: 'create', ...rooms, rowId: 'r1', data: { bookingId: 'b1' } },
        ],
      })
      return transactionId
    }

    it('should let a fault fail a commit before it starts, keeping the transaction pending', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      fake.faults.fail({ operation: 'updateTransaction', times: 1, error: 'network' })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toBeInstanceOf(TypeError)
      expect(fake.snapshot()).toEqual({})
      expect(fake.faults.log).toMatchObject([{ kind: 'network', operation: 'updateTransaction' }])
      expect((await tablesDB.getTransaction({ transactionId })).status).toBe('pending')
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(fake.snapshot().main?.bookings).toHaveLength(1)
    })

    it('should fail a commit that carries a write a table-scoped rule fails, writing nothing', async () => {
      // An outage of one table: the saga's createRow and a transaction's staged create alike.
      const { fake, tablesDB } = setup()
      const transactionId = await stageBookingAndRoom(tablesDB)
      const outage = fake.faults.fail({
        operation: 'createRow',
        table: 'chat_rooms',
        error: 'general_server_error',
      })
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(appwriteError(500, 'general_server_error'))
      expect(fake.snapshot()).toEqual({})
      expect(fake.faults.log).toMatchObject([
        { kind: 'error', operation: 'createRow', table: 'chat_rooms' },
      ])
      expect((await tablesDB.getTransaction({ transactionId })).status).toBe('pending')

      // Rules for other tables or methods leave it alone; once the outage ends it commits.
      fake.faults.fail({
        operation: 'deleteRow',
        table: 'chat_rooms',
        error: 'general_server_error',
      })
      outage.remove()
      await tablesDB.updateTransaction({ transactionId, commit: true })
      expect(fake.snapshot().main?.chat_rooms).toHaveLength(1)
    })

    it('should delay a commit by one round trip, not one per staged write', async () => {
      // Latency is the network: the commit is one call, whatever it carries.
      const { fake, clock, tablesDB } = setup()
      const transactionId = await stageBookingAndRoom(tablesDB)
      fake.faults.latency({ ms: 20 })
      // A latency rule scoped to a staged write's table does not reach the commit either.
      const scoped = fake.faults.latency({ ms: 500, operation: 'createRow', table: 'chat_rooms' })
      let committed = false
      const commit = tablesDB.updateTransaction({ transactionId, commit: true }).then(() => {
        committed = true
      })
      await clock.advance(19)
      expect(committed).toBe(false)
      await clock.advance(1)
      await commit
      expect(committed).toBe(true)
      expect(fake.snapshot().main?.chat_rooms).toHaveLength(1)
      expect(fake.faults.log).toMatchObject([{ kind: 'latency', operation: 'updateTransaction' }])
      expect(scoped.hits).toBe(0)
    })

    it('should let a fault hang a commit until released', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      const hang = fake.faults.hang({ operation: 'updateTransaction' })
      const commit = tablesDB.updateTransaction({ transactionId, commit: true })
      await flush()
      expect(hang.pending).toBe(1)
      expect(fake.snapshot()).toEqual({})
      hang.release()
      expect(await commit).toMatchObject({ status: 'committed' })
      expect(fake.snapshot().main?.bookings).toHaveLength(1)
    })
  })

  describe('listTransactions and deleteTransaction', () => {
    it('should list transactions with queries on status', async () => {
      const { tablesDB } = setup()
      const a = await tablesDB.createTransaction()
      const b = await tablesDB.createTransaction()
      await tablesDB.updateTransaction({ transactionId: b.$id, rollback: true })
      const pending = await tablesDB.listTransactions({
        queries: [Query.equal('status', 'pending')],
      })
      expect(pending).toEqual({ total: 1, transactions: [a] })
      expect((await tablesDB.listTransactions()).total).toBe(2)
      const error = await rejection(
        tablesDB.listTransactions({ queries: [Query.equal('operations', 1)] }),
      )
      expect(error).toMatchObject(
        appwriteError(
          400,
          'general_query_invalid',
          'Invalid query: Attribute not found in schema: operations',
        ),
      )
    })

    it('should delete a transaction with its staged operations', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      await tablesDB.createRow({ ...bookings, rowId: 'b1', data: { a: 1 }, transactionId })
      expect(await tablesDB.deleteTransaction({ transactionId })).toEqual({})
      const error = await rejection(tablesDB.updateTransaction({ transactionId, commit: true }))
      expect(error).toMatchObject(appwriteError(404, 'transaction_not_found'))
      expect(fake.snapshot()).toEqual({})
    })

    it('should drop every transaction on reset', async () => {
      const { fake, tablesDB } = setup()
      const { $id: transactionId } = await tablesDB.createTransaction()
      fake.reset()
      expect(await rejection(tablesDB.getTransaction({ transactionId }))).toMatchObject({
        type: 'transaction_not_found',
      })
      // The same seed gives the same ids again.
      expect((await tablesDB.createTransaction()).$id).toBe(transactionId)
    })
  })

  describe('databases', () => {
    it('should share transactions with tablesDB and stage documents', async () => {
      const { fake } = setup()
      const events: RealtimeResponseEvent[] = []
      await fake.realtime.subscribe('databases.main.collections.bookings.documents', (event) => {
        events.push(event)
      })
      const tx = await fake.databases.createTransaction()
      const staged = await fake.databases.createDocument({
        databaseId: 'main',
        collectionId: 'bookings',
        documentId: 'b1',
        data: { status: 'pending' },
        transactionId: tx.$id,
      })
      expect(staged).toMatchObject({ $id: 'b1', $collectionId: 'bookings', $sequence: '' })
      await fake.databases.createOperations({
        transactionId: tx.$id,
        operations: [
          {
            action: 'update',
            databaseId: 'main',
            collectionId: 'bookings',
            documentId: 'b1',
            data: { status: 'accepted' },
          },
        ],
      })
      expect(await fake.tablesDB.getTransaction({ transactionId: tx.$id })).toMatchObject({
        operations: 2,
      })
      await fake.tablesDB.updateTransaction({ transactionId: tx.$id, commit: true })
      await flush()
      expect(events.map((event) => event.payload.$id)).toEqual(['b1', 'b1'])
      expect(
        await fake.databases.getDocument({
          databaseId: 'main',
          collectionId: 'bookings',
          documentId: 'b1',
        }),
      ).toMatchObject({ status: 'accepted' })
    })
  })
})
