import { ID, Permission, Query, Role } from 'appwrite'
import { describe, expect, it, vi } from 'vitest'
import { createManualClock } from '../fake/clock'
import { DataEngine } from '../fake/engine'
import { AppwriteException } from '../fake/errors'
import type { FaultCallContext } from '../fake/faults'
import { createIdGenerator } from '../fake/ids'
import type { RealtimeRowEvent } from '../fake/realtime'
import { SchemaRegistry } from '../fake/schema'
import { createMemoryStorage } from '../fake/store'
import { FakeTablesDB } from '../fake/tablesDB'
import type { DatabaseDefinition } from '../fake/types'
import { appwriteError, mainDatabase, notFound, rejection } from './helpers'

const START = Date.parse('2026-01-01T00:00:00.000Z')
const T0 = '2026-01-01T00:00:00.000+00:00'
const db = 'main'

interface RecordedEvent {
  api: RealtimeRowEvent['api']
  action: RealtimeRowEvent['action']
  databaseId: string
  tableId: string
  rowId: string
  row: Record<string, unknown>
  /** The table as storage held it when the event was published. */
  stored: Record<string, unknown>[]
}

/** A tablesDB over fresh storage, with a recording stand-in for the realtime hub and the fault injector. */
function setup(databases: Record<string, DatabaseDefinition> = {}) {
  const clock = createManualClock({ now: START })
  const events: RecordedEvent[] = []
  const calls: FaultCallContext[] = []
  let gate: ((call: FaultCallContext) => Promise<void> | undefined) | undefined
  const engine: DataEngine = new DataEngine({
    storage: createMemoryStorage(),
    schema: new SchemaRegistry({ databases, now: () => T0 }),
    clock,
    ids: createIdGenerator({ seed: 1 }),
    events: {
      publish: (event) =>
        events.push({
          api: event.api,
          action: event.action,
          databaseId: event.databaseId,
          tableId: event.tableId,
          rowId: event.rowId,
          row: event.row,
          stored: engine.snapshot()[event.databaseId]?.[event.tableId] ?? [],
        }),
    },
    faults: {
      beforeCall: (call) => {
        calls.push(call)
        return gate?.(call)
      },
    },
  })
  return {
    tablesDB: new FakeTablesDB(engine),
    clock,
    events,
    calls,
    snapshot: () => engine.snapshot(),
    setGate: (next: typeof gate) => {
      gate = next
    },
  }
}

/** A row write's parameters: `data` for `rowId` in `tableId` of the `main` database. */
const rowIn = (tableId: string, rowId: string, data: Record<string, unknown>) => ({
  databaseId: db,
  tableId,
  rowId,
  data,
})

/** The `bookings` table of the `main` database, and one of its rows. */
const bookings = { databaseId: db, tableId: 'bookings' }
const bookingRef = (rowId: string) => ({ ...bookings, rowId })

const booking = (rowId: string, data: Record<string, unknown> = {}) => ({
  databaseId: db,
  tableId: 'bookings',
  rowId,
  data: { customerId: 'customer-1', status: 'pending', ...data },
})

describe('tablesDB', () => {
  describe('createRow', () => {
    it('should return the row with every system field', async () => {
      const { tablesDB } = setup()
      const row = await tablesDB.createRow(booking('b1', { durationMinutes: 60 }))
      expect(row).toEqual({
        $id: 'b1',
        $sequence: '1',
        $tableId: 'bookings',
        $databaseId: 'main',
        $createdAt: T0,
        $updatedAt: T0,
        $permissions: [],
        customerId: 'customer-1',
        status: 'pending',
        durationMinutes: 60,
      })
    })

    it('should number rows per table with increasing $sequence strings, never reusing one', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      await tablesDB.createRow(booking('b2'))
      await tablesDB.deleteRow(bookingRef('b2'))
      const third = await tablesDB.createRow(booking('b3'))
      const other = await tablesDB.createRow(rowIn('notifications', 'n1', { a: 1 }))
      expect(third.$sequence).toBe('3')
      expect(other.$sequence).toBe('1')
    })

    it('should pick a 20-hex-char id for unique(), deterministic with the seed', async () => {
      const first = await setup().tablesDB.createRow(booking('unique()'))
      const again = await setup().tablesDB.createRow(booking('unique()'))
      expect(first.$id).toMatch(/^[0-9a-f]{20}$/)
      expect(again.$id).toBe(first.$id)
    })

    it('should keep a client-side ID.unique() as given', async () => {
      const id = ID.unique()
      const row = await setup().tablesDB.createRow(booking(id))
      expect(row.$id).toBe(id)
    })

    it('should store permissions, expanding write() into update() and delete()', async () => {
      const { tablesDB } = setup()
      const row = await tablesDB.createRow({
        ...booking('b1'),
        permissions: [Permission.read(Role.user('c1')), Permission.write(Role.user('p1'))],
      })
      expect(row.$permissions).toEqual([
        'read("user:c1")',
        'update("user:p1")',
        'delete("user:p1")',
      ])
    })

    it('should strip or override system fields in data, keeping the dates an API key sets', async () => {
      const { tablesDB } = setup()
      const row = await tablesDB.createRow(
        booking('b1', {
          $id: 'other',
          $createdAt: '2000-01-01T00:00:00.000+00:00',
          $sequence: '99',
          $tableId: 'x',
          $permissions: ['read("any")'],
        }),
      )
      // `fake.tablesDB` acts as the API key, whose $createdAt / $updatedAt the server keeps.
      expect(row).toMatchObject({
        $id: 'b1',
        $createdAt: '2000-01-01T00:00:00.000+00:00',
        $updatedAt: T0,
        $sequence: '1',
        $tableId: 'bookings',
        $permissions: [],
      })
    })

    it('should store data with JSON semantics: undefined dropped, Dates as ISO strings', async () => {
      const { tablesDB } = setup()
      const row = await tablesDB.createRow(
        booking('b1', { notes: undefined, at: new Date('2026-02-01T10:00:00Z') }),
      )
      expect(row).not.toHaveProperty('notes')
      expect(row.at).toBe('2026-02-01T10:00:00.000Z')
    })

    it('should hand out copies: mutating inputs or results never changes storage', async () => {
      const { tablesDB } = setup()
      const data = { customerId: 'c1', tags: ['a'] }
      const created = await tablesDB.createRow({
        databaseId: db,
        tableId: 'bookings',
        rowId: 'b1',
        data,
      })
      data.tags.push('input')
      created.tags.push('result')
      created.$permissions.push('read("any")')
      const got = await tablesDB.getRow(bookingRef('b1'))
      got.customerId = 'changed'
      expect(await tablesDB.getRow(bookingRef('b1'))).toMatchObject({
        customerId: 'c1',
        tags: ['a'],
        $permissions: [],
      })
    })

    it('should fail with row_already_exists for a taken id', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      const error = await rejection(tablesDB.createRow(booking('b1')))
      expect(error).toBeInstanceOf(AppwriteException)
      expect(error).toMatchObject(appwriteError(409, 'row_already_exists'))
      expect(error.message).toBe(
        "Row with the requested ID 'b1' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
      )
      expect(JSON.parse(error.response)).toMatchObject({
        code: 409,
        type: 'row_already_exists',
        message: error.message,
      })
    })

    it('should refuse ids the server refuses with general_argument_invalid', async () => {
      const { tablesDB } = setup()
      for (const rowId of ['_b1', '.b1', '-b1', 'b 1', 'x'.repeat(37)]) {
        const error = await rejection(tablesDB.createRow(booking(rowId)))
        expect(error).toMatchObject(appwriteError(400, 'general_argument_invalid'))
        expect(error.message).toBe(
          "Invalid `rowId` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
        )
      }
      const table = await rejection(tablesDB.createRow({ ...booking('b1'), tableId: '_bookings' }))
      expect(table.message).toMatch(/^Invalid `tableId` param: UID must contain at most 36 chars/)
    })

    it('should fail with row_missing_data for empty data or an empty id', async () => {
      const { tablesDB } = setup()
      const empty = await rejection(tablesDB.createRow(rowIn('bookings', 'b1', {})))
      expect(empty).toMatchObject(
        appwriteError(
          400,
          'row_missing_data',
          'The row data is missing. Try again with row data populated.',
        ),
      )
      const noId = await rejection(tablesDB.createRow(booking('')))
      expect(noId).toMatchObject(
        appwriteError(400, 'row_missing_data', 'Row ID is required when creating a single row.'),
      )
    })

    it('should throw synchronously for a missing required parameter, like the SDK', () => {
      const { tablesDB } = setup()
      const call = () => tablesDB.createRow(bookingRef('b1') as never)
      expect(call).toThrow(AppwriteException)
      expect(call).toThrow('Missing required parameter: "data"')
    })

    it('should accept the deprecated positional form', async () => {
      const { tablesDB } = setup()
      const row = await tablesDB.createRow(db, 'bookings', 'b1', { status: 'pending' }, [
        Permission.read(Role.any()),
      ])
      expect(row).toMatchObject({ $id: 'b1', status: 'pending', $permissions: ['read("any")'] })
      expect(await tablesDB.getRow(db, 'bookings', 'b1')).toMatchObject({ $id: 'b1' })
    })

    it('should validate against declared columns and name the column', async () => {
      const { tablesDB } = setup(
        mainDatabase({
          bookings: {
            columns: [{ key: 'customerId', type: 'string', size: 36, required: true }],
          },
        }),
      )
      const error = await rejection(tablesDB.createRow(booking('b1', { therapistId: 't1' })))
      expect(error).toMatchObject(
        appwriteError(
          400,
          'row_invalid_structure',
          'Invalid document structure: Unknown attribute: "status"',
        ),
      )
      const missing = await rejection(tablesDB.createRow(rowIn('bookings', 'b1', { other: 1 })))
      expect(missing.message).toBe(
        'Invalid document structure: Missing required attribute "customerId"',
      )
    })

    it('should fill declared defaults and return every declared column', async () => {
      const { tablesDB } = setup(
        mainDatabase({
          bookings: {
            columns: [
              { key: 'status', type: 'string', default: 'pending' },
              { key: 'price', type: 'integer' },
              { key: 'tags', type: 'string', array: true },
              { key: 'scheduledAt', type: 'datetime' },
            ],
          },
        }),
      )
      const row = await tablesDB.createRow(
        rowIn('bookings', 'b1', { scheduledAt: '2026-03-01T10:00:00Z' }),
      )
      expect(row).toMatchObject({
        status: 'pending',
        price: null,
        tags: [],
        scheduledAt: '2026-03-01T10:00:00.000+00:00',
      })
    })

    it('should answer the same rows where code cannot be generated (a CSP without unsafe-eval)', async () => {
      // The fake builds each table's row model with a compiled function and loops where it cannot.
      const databases = mainDatabase({
        bookings: {
          columns: [
            { key: 'status', type: 'string' as const, default: 'pending' },
            { key: 'price', type: 'integer' as const },
            { key: 'tags', type: 'string' as const, array: true },
            { key: 'meta', type: 'string' as const },
          ],
        },
      })
      const write = async () => {
        const { tablesDB } = setup(databases)
        const created = await tablesDB.createRow(rowIn('bookings', 'b1', { price: 5, tags: ['a'] }))
        const read = await tablesDB.getRow(bookingRef('b1'))
        return { created, read }
      }
      const compiled = await write()
      let refused = 0
      vi.stubGlobal('Function', function blocked() {
        refused++
        throw new EvalError('Refused to evaluate a string as JavaScript')
      })
      const looped = await write()
      vi.unstubAllGlobals()
      expect(refused).toBeGreaterThan(0)
      expect(looped).toEqual(compiled)
      expect(looped.read).toMatchObject({ status: 'pending', price: 5, tags: ['a'], meta: null })
    })

    it('should fail with table_not_found for an undeclared table of a declared database', async () => {
      const { tablesDB } = setup(mainDatabase({ bookings: {} }))
      const error = await rejection(tablesDB.createRow(rowIn('notfications', 'n1', { a: 1 })))
      expect(error).toMatchObject(notFound('table', 'notfications'))
    })

    it('should refuse a permissions parameter that is not a list of strings', async () => {
      const { tablesDB } = setup()
      const error = await rejection(
        tablesDB.createRow({ ...booking('b1'), permissions: [1] as unknown as string[] }),
      )
      expect(error).toMatchObject(
        appwriteError(
          400,
          'general_argument_invalid',
          'Invalid `permissions` param: Every permission must be of type string.',
        ),
      )
    })

    it('should fail with transaction_not_found for any transactionId, writing nothing', async () => {
      const { tablesDB, snapshot, events } = setup()
      const error = await rejection(tablesDB.createRow({ ...booking('b1'), transactionId: 'tx1' }))
      expect(error).toMatchObject(notFound('transaction', 'tx1'))
      expect(snapshot()).toEqual({})
      expect(events).toEqual([])
    })
  })

  describe('getRow', () => {
    it('should fail with row_not_found naming the id', async () => {
      const error = await rejection(setup().tablesDB.getRow(bookingRef('b404')))
      expect(error).toMatchObject(notFound('row', 'b404'))
    })

    it('should return only selected columns plus system fields', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1', { price: 10 }))
      const row = await tablesDB.getRow({
        databaseId: db,
        tableId: 'bookings',
        rowId: 'b1',
        queries: [Query.select(['status'])],
      })
      expect(Object.keys(row).sort()).toEqual([
        '$createdAt',
        '$databaseId',
        '$id',
        '$permissions',
        '$sequence',
        '$tableId',
        '$updatedAt',
        'status',
      ])
    })

    it('should refuse filter queries, which the server does not allow on a get', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      const error = await rejection(
        tablesDB.getRow({
          databaseId: db,
          tableId: 'bookings',
          rowId: 'b1',
          queries: [Query.equal('status', 'x')],
        }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_query_invalid', 'Invalid query method: equal'),
      )
    })

    it('should refuse an invalid row id with the UID message', async () => {
      const error = await rejection(setup().tablesDB.getRow(bookingRef('unique()')))
      expect(error).toMatchObject(appwriteError(400, 'general_argument_invalid'))
      expect(error.message).toMatch(/^Invalid `rowId` param: UID must contain/)
    })
  })

  describe('listRows', () => {
    it('should return { total, rows } and 0 as total with total: false', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      await tablesDB.createRow(booking('b2', { status: 'accepted' }))
      const all = await tablesDB.listRows(bookings)
      expect(all.total).toBe(2)
      expect(all.rows.map((row) => row.$id)).toEqual(['b1', 'b2'])
      const noTotal = await tablesDB.listRows({
        databaseId: db,
        tableId: 'bookings',
        queries: [Query.equal('status', 'accepted')],
        total: false,
      })
      expect(noTotal).toMatchObject({ total: 0, rows: [{ $id: 'b2' }] })
    })

    it('should read committed rows through an unknown transaction, as the server does', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      const list = await tablesDB.listRows({
        databaseId: db,
        tableId: 'bookings',
        transactionId: 'tx1',
      })
      expect(list).toMatchObject({ total: 1, rows: [{ $id: 'b1' }] })
    })

    it('should return an empty list for a table never written to', async () => {
      expect(await setup().tablesDB.listRows({ databaseId: db, tableId: 'empty' })).toEqual({
        total: 0,
        rows: [],
      })
    })
  })

  describe('updateRow', () => {
    it('should merge data, keep $createdAt and move $updatedAt to the clock', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow(booking('b1', { price: 10 }))
      await clock.advance(1500)
      const row = await tablesDB.updateRow(rowIn('bookings', 'b1', { status: 'accepted' }))
      expect(row).toMatchObject({
        status: 'accepted',
        price: 10,
        customerId: 'customer-1',
        $createdAt: T0,
        $updatedAt: '2026-01-01T00:00:01.500+00:00',
        $sequence: '1',
      })
    })

    it('should keep $updatedAt when nothing changes', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow(booking('b1'))
      await clock.advance(1000)
      const row = await tablesDB.updateRow(rowIn('bookings', 'b1', { status: 'pending' }))
      expect(row.$updatedAt).toBe(T0)
    })

    it('should update permissions alone and keep them when left out', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...booking('b1'), permissions: ['read("user:c1")'] })
      const kept = await tablesDB.updateRow(rowIn('bookings', 'b1', { status: 'accepted' }))
      expect(kept.$permissions).toEqual(['read("user:c1")'])
      const changed = await tablesDB.updateRow({
        databaseId: db,
        tableId: 'bookings',
        rowId: 'b1',
        permissions: ['read("user:p1")'],
      })
      expect(changed.$permissions).toEqual(['read("user:p1")'])
    })

    it('should fail with row_missing_payload without data and permissions', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      const error = await rejection(tablesDB.updateRow(rowIn('bookings', 'b1', {})))
      expect(error).toMatchObject(appwriteError(400, 'row_missing_payload'))
      expect(error.message).toContain('The row data and permissions are missing')
    })

    it('should fail with row_not_found for a missing row', async () => {
      const error = await rejection(setup().tablesDB.updateRow(rowIn('bookings', 'b1', { a: 1 })))
      expect(error).toMatchObject(notFound('row', 'b1'))
    })

    it('should validate the merged row against declared columns', async () => {
      const { tablesDB } = setup(
        mainDatabase({
          bookings: {
            columns: [{ key: 'status', type: 'enum', elements: ['pending', 'accepted'] }],
          },
        }),
      )
      await tablesDB.createRow(rowIn('bookings', 'b1', { status: 'pending' }))
      const error = await rejection(tablesDB.updateRow(rowIn('bookings', 'b1', { status: 'done' })))
      expect(error).toMatchObject(
        appwriteError(
          400,
          'row_invalid_structure',
          'Invalid document structure: Attribute "status" has invalid format. Value must be one of (pending, accepted)',
        ),
      )
    })
  })

  describe('upsertRow', () => {
    it('should create a missing row', async () => {
      const { tablesDB, events } = setup()
      const row = await tablesDB.upsertRow(rowIn('bookings', 'b1', { status: 'pending' }))
      expect(row).toMatchObject({ $id: 'b1', $sequence: '1', $createdAt: T0, status: 'pending' })
      expect(events.map((event) => event.action)).toEqual(['upsert'])
    })

    it('should merge into an existing row, keeping $createdAt and $sequence', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow(booking('b1', { price: 10 }))
      await clock.advance(10)
      const row = await tablesDB.upsertRow(rowIn('bookings', 'b1', { status: 'accepted' }))
      expect(row).toMatchObject({
        $sequence: '1',
        $createdAt: T0,
        $updatedAt: '2026-01-01T00:00:00.010+00:00',
        status: 'accepted',
        price: 10,
      })
    })

    it('should keep $updatedAt when the upsert changes nothing', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow(booking('b1'))
      await clock.advance(10)
      const row = await tablesDB.upsertRow(rowIn('bookings', 'b1', { status: 'pending' }))
      expect(row.$updatedAt).toBe(T0)
    })

    it('should require declared required columns on every upsert', async () => {
      const { tablesDB } = setup(
        mainDatabase({
          bookings: {
            columns: [
              { key: 'customerId', type: 'string', required: true },
              { key: 'status', type: 'string' },
            ],
          },
        }),
      )
      await tablesDB.createRow(rowIn('bookings', 'b1', { customerId: 'c1', status: 'pending' }))
      const error = await rejection(
        tablesDB.upsertRow(rowIn('bookings', 'b1', { status: 'accepted' })),
      )
      expect(error).toMatchObject(
        appwriteError(
          400,
          'row_invalid_structure',
          'Invalid document structure: Missing required attribute "customerId"',
        ),
      )
      const row = await tablesDB.upsertRow(rowIn('bookings', 'b1', { customerId: 'c1' }))
      expect(row.status).toBe('pending')
    })

    it('should fail with row_missing_payload without data and permissions', async () => {
      const error = await rejection(setup().tablesDB.upsertRow(bookingRef('b1')))
      expect(error).toMatchObject(appwriteError(400, 'row_missing_payload'))
    })
  })

  describe('deleteRow', () => {
    it('should remove the row and resolve to {}', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      expect(await tablesDB.deleteRow(bookingRef('b1'))).toEqual({})
      const error = await rejection(tablesDB.getRow(bookingRef('b1')))
      expect(error.type).toBe('row_not_found')
    })

    it('should fail with row_not_found for a missing row', async () => {
      const error = await rejection(setup().tablesDB.deleteRow(bookingRef('b1')))
      expect(error).toMatchObject(appwriteError(404, 'row_not_found'))
    })
  })

  describe('incrementRowColumn / decrementRowColumn', () => {
    const target = { databaseId: db, tableId: 'counters', rowId: 'c1' }

    it('should add and subtract, defaulting to 1, and move $updatedAt', async () => {
      const { tablesDB, clock } = setup()
      await tablesDB.createRow({ ...target, data: { seats: 5 } })
      await clock.advance(5)
      expect(await tablesDB.incrementRowColumn({ ...target, column: 'seats' })).toMatchObject({
        seats: 6,
        $updatedAt: '2026-01-01T00:00:00.005+00:00',
      })
      expect(
        await tablesDB.incrementRowColumn({ ...target, column: 'seats', value: 4, max: 10 }),
      ).toMatchObject({ seats: 10 })
      expect(
        await tablesDB.decrementRowColumn({ ...target, column: 'seats', value: 10, min: 0 }),
      ).toMatchObject({ seats: 0 })
    })

    it('should start a missing column at 0', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...target, data: { name: 'x' } })
      expect(
        await tablesDB.incrementRowColumn({ ...target, column: 'hits', value: 2 }),
      ).toMatchObject({ hits: 2 })
    })

    it('should fail with column_limit_exceeded past max or min, changing nothing', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...target, data: { seats: 9 } })
      const over = await rejection(
        tablesDB.incrementRowColumn({ ...target, column: 'seats', value: 2, max: 10 }),
      )
      expect(over).toMatchObject(
        appwriteError(
          400,
          'column_limit_exceeded',
          'tablesDB "seats" has reached the maximum value of 10',
        ),
      )
      const under = await rejection(
        tablesDB.decrementRowColumn({ ...target, column: 'seats', value: 10, min: 0 }),
      )
      expect(under).toMatchObject(
        appwriteError(
          400,
          'column_limit_exceeded',
          'tablesDB "seats" has reached the minimum value of 0',
        ),
      )
      expect((await tablesDB.getRow(target)).seats).toBe(9)
    })

    it('should refuse a value that is not greater than 0', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...target, data: { seats: 1 } })
      const error = await rejection(
        tablesDB.incrementRowColumn({ ...target, column: 'seats', value: 0 }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_argument_invalid', 'Value must be numeric and greater than 0'),
      )
    })

    it('should fail with attribute_type_invalid on a non-numeric value or column', async () => {
      const { tablesDB } = setup(
        mainDatabase({
          counters: {
            columns: [
              { key: 'name', type: 'string' },
              { key: 'seats', type: 'integer' },
            ],
          },
        }),
      )
      await tablesDB.createRow({ ...target, data: { name: 'x', seats: 1 } })
      const error = await rejection(tablesDB.incrementRowColumn({ ...target, column: 'name' }))
      expect(error).toMatchObject(
        appwriteError(400, 'attribute_type_invalid', 'tablesDB "name" is not a number'),
      )
      const schemaless = setup().tablesDB
      await schemaless.createRow({ ...target, data: { name: 'x' } })
      expect(
        await rejection(schemaless.incrementRowColumn({ ...target, column: 'name' })),
      ).toMatchObject({ type: 'attribute_type_invalid' })
    })

    it('should fail with column_not_found for an undeclared column or a missing row, as the server does', async () => {
      const { tablesDB } = setup(
        mainDatabase({ counters: { columns: [{ key: 'seats', type: 'integer' }] } }),
      )
      const column = await rejection(tablesDB.incrementRowColumn({ ...target, column: 'nope' }))
      expect(column).toMatchObject(
        appwriteError(
          404,
          'column_not_found',
          "Column with the requested key 'nope' could not be found.",
        ),
      )
      const row = await rejection(tablesDB.incrementRowColumn({ ...target, column: 'seats' }))
      expect(row).toMatchObject(
        appwriteError(
          404,
          'column_not_found',
          "Row with the requested ID 'c1' could not be found.",
        ),
      )
    })

    it('should answer a transactionId with general_bad_request, as the increment route does', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow({ ...target, data: { seats: 1 } })
      const error = await rejection(
        tablesDB.incrementRowColumn({ ...target, column: 'seats', transactionId: 'tx1' }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_bad_request', 'Invalid or non\u2011pending transaction'),
      )
    })
  })

  describe('bulk methods', () => {
    it('should create rows with given or picked ids and per-row permissions', async () => {
      const { tablesDB } = setup()
      const result = await tablesDB.createRows({
        ...bookings,
        rows: [
          { $id: 'b1', status: 'pending', $permissions: ['write("user:p1")'] },
          { status: 'accepted' },
        ],
      })
      expect(result.total).toBe(2)
      expect(result.rows[0]).toMatchObject({
        $id: 'b1',
        $sequence: '1',
        status: 'pending',
        $permissions: ['update("user:p1")', 'delete("user:p1")'],
      })
      expect(result.rows[1]!.$id).toMatch(/^[0-9a-f]{20}$/)
    })

    it('should create all rows or none', async () => {
      const { tablesDB, snapshot } = setup()
      await tablesDB.createRow(booking('b2'))
      const error = await rejection(
        tablesDB.createRows({
          ...bookings,
          rows: [
            { $id: 'b1', a: 1 },
            { $id: 'b2', a: 2 },
          ],
        }),
      )
      expect(error).toMatchObject(appwriteError(409, 'row_already_exists'))
      expect(snapshot().main!.bookings!.map((row) => row.$id)).toEqual(['b2'])
    })

    it('should refuse more than 100 rows and an empty batch', async () => {
      const { tablesDB } = setup()
      const tooMany = await rejection(
        tablesDB.createRows({ ...bookings, rows: Array.from({ length: 101 }, (_, i) => ({ i })) }),
      )
      expect(tooMany).toMatchObject(
        appwriteError(
          400,
          'general_argument_invalid',
          'Invalid `rows` param: Value must a valid array no longer than 100 items and Value must be a valid JSON object',
        ),
      )
      expect(await rejection(tablesDB.createRows({ ...bookings, rows: [] }))).toMatchObject({
        type: 'row_missing_data',
      })
    })

    it('should upsert rows, listing only those that changed', async () => {
      const { tablesDB } = setup()
      await tablesDB.createRow(booking('b1'))
      await tablesDB.createRow(booking('b2'))
      const result = await tablesDB.upsertRows({
        ...bookings,
        rows: [
          { $id: 'b1', status: 'pending' },
          { $id: 'b2', status: 'accepted' },
          { $id: 'b3', status: 'new' },
        ],
      })
      expect(result.total).toBe(2)
      expect(result.rows.map((row) => [row.$id, row.status, row.customerId])).toEqual([
        ['b2', 'accepted', 'customer-1'],
        ['b3', 'new', undefined],
      ])
    })

    it('should update every row the queries match', async () => {
      const { tablesDB, clock } = setup()
      for (const id of ['b1', 'b2', 'b3'])
        await tablesDB.createRow(booking(id, { status: id === 'b2' ? 'accepted' : 'pending' }))
      await clock.advance(1)
      const result = await tablesDB.updateRows({
        ...bookings,
        data: { status: 'expired' },
        queries: [Query.equal('status', 'pending')],
      })
      expect(result.total).toBe(2)
      expect(result.rows.map((row) => [row.$id, row.status, row.$updatedAt])).toEqual([
        ['b1', 'expired', '2026-01-01T00:00:00.001+00:00'],
        ['b3', 'expired', '2026-01-01T00:00:00.001+00:00'],
      ])
      expect((await tablesDB.getRow({ ...bookings, rowId: 'b2' })).status).toBe('accepted')
    })

    it('should touch every matching row beyond 25 but list at most 100', async () => {
      const { tablesDB } = setup()
      for (let i = 0; i < 3; i++) {
        await tablesDB.createRows({
          ...bookings,
          rows: Array.from({ length: 50 }, (_, j) => ({ $id: `r${i}-${j}`, n: 1 })),
        })
      }
      const result = await tablesDB.updateRows({ ...bookings, data: { n: 2 } })
      expect(result.total).toBe(150)
      expect(result.rows).toHaveLength(100)
      expect(
        (await tablesDB.listRows({ ...bookings, queries: [Query.equal('n', 2), Query.limit(1)] }))
          .total,
      ).toBe(150)
    })

    it('should fail with row_missing_payload for a bulk update without data', async () => {
      const error = await rejection(setup().tablesDB.updateRows({ ...bookings, data: {} }))
      expect(error).toMatchObject(appwriteError(400, 'row_missing_payload'))
    })

    it('should delete every row the queries match, or all without queries', async () => {
      const { tablesDB } = setup()
      for (const id of ['b1', 'b2', 'b3'])
        await tablesDB.createRow(booking(id, { status: id === 'b2' ? 'accepted' : 'pending' }))
      const some = await tablesDB.deleteRows({
        ...bookings,
        queries: [Query.equal('status', 'pending')],
      })
      expect(some).toMatchObject({ total: 2, rows: [{ $id: 'b1' }, { $id: 'b3' }] })
      const rest = await tablesDB.deleteRows(bookings)
      expect(rest).toMatchObject({ total: 1, rows: [{ $id: 'b2' }] })
      expect((await tablesDB.listRows(bookings)).total).toBe(0)
    })

    it('should validate bulk queries like listRows', async () => {
      const error = await rejection(
        setup().tablesDB.deleteRows({ ...bookings, queries: ['{"method":"nope"}'] }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_query_invalid', 'Invalid query method: nope'),
      )
    })
  })

  describe('realtime events', () => {
    it('should publish one event per changed row, after storage changed', async () => {
      const { tablesDB, events } = setup()
      await tablesDB.createRow(booking('b1'))
      await tablesDB.updateRow(rowIn('bookings', 'b1', { status: 'accepted' }))
      await tablesDB.incrementRowColumn({
        databaseId: db,
        tableId: 'bookings',
        rowId: 'b1',
        column: 'n',
      })
      await tablesDB.upsertRow(rowIn('bookings', 'b2', { a: 1 }))
      await tablesDB.deleteRow(bookingRef('b2'))
      expect(events.map((event) => [event.action, event.rowId])).toEqual([
        ['create', 'b1'],
        ['update', 'b1'],
        ['update', 'b1'],
        ['upsert', 'b2'],
        ['delete', 'b2'],
      ])
      expect(events[1]!.stored.find((row) => row.$id === 'b1')).toMatchObject({
        status: 'accepted',
      })
      expect(events[4]!.stored.map((row) => row.$id)).toEqual(['b1'])
      expect(events[4]!.row).toMatchObject({ $id: 'b2', a: 1, $tableId: 'bookings' })
      expect(events[0]).toMatchObject({
        api: 'tablesDB',
        databaseId: db,
        tableId: 'bookings',
        row: { $id: 'b1', status: 'pending', $sequence: '1' },
      })
    })

    it('should publish one event per row of a bulk call', async () => {
      const { tablesDB, events } = setup()
      await tablesDB.createRows({
        databaseId: db,
        tableId: 'bookings',
        rows: [
          { $id: 'a', n: 1 },
          { $id: 'b', n: 1 },
        ],
      })
      await tablesDB.updateRows({ ...bookings, data: { n: 2 } })
      await tablesDB.deleteRows(bookings)
      expect(events.map((event) => `${event.action}:${event.rowId}`)).toEqual([
        'create:a',
        'create:b',
        'update:a',
        'update:b',
        'delete:a',
        'delete:b',
      ])
    })

    it('should publish nothing for a failed write', async () => {
      const { tablesDB, events } = setup()
      await tablesDB.createRow(booking('b1'))
      await rejection(tablesDB.createRow(booking('b1')))
      await rejection(tablesDB.updateRow(rowIn('bookings', 'nope', { a: 1 })))
      expect(events).toHaveLength(1)
    })
  })

  describe('fault gate', () => {
    it('should ask the fault injector before touching storage, with the call context', async () => {
      const { tablesDB, calls } = setup()
      await tablesDB.createRow(booking('b1'))
      await tablesDB.listRows(bookings)
      expect(calls[0]).toEqual({
        api: 'tablesDB',
        operation: 'createRow',
        databaseId: db,
        tableId: 'bookings',
        rowId: 'b1',
        params: booking('b1'),
      })
      expect(calls[1]).toMatchObject({ operation: 'listRows', rowId: undefined })
    })

    it('should not write when the gate rejects', async () => {
      const { tablesDB, setGate, snapshot, events } = setup()
      const injected = new AppwriteException('boom', 503, 'general_service_disabled')
      setGate(() => Promise.reject(injected))
      expect(await rejection(tablesDB.createRow(booking('b1')))).toBe(injected)
      expect(snapshot()).toEqual({})
      expect(events).toEqual([])
    })

    it('should write only once the gate resolves', async () => {
      const { tablesDB, setGate, snapshot } = setup()
      let release = () => {}
      setGate(() => new Promise<void>((resolve) => (release = resolve)))
      const pending = tablesDB.createRow(booking('b1'))
      await Promise.resolve()
      expect(snapshot()).toEqual({})
      release()
      await expect(pending).resolves.toMatchObject({ $id: 'b1' })
    })
  })
})
