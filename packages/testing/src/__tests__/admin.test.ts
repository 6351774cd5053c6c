import { ID, Query } from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import { appwriteError, fakeWithTable, mainDatabase, notFound } from './helpers'
import { installTableFeatures } from '../tables'

const START = Date.parse('2026-01-01T00:00:00.000Z')
const T0 = '2026-01-01T00:00:00.000+00:00'
const databaseId = 'main'
const tableId = 'bookings'
const ref = { databaseId, tableId }

function setup(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: START })
  const fake = createFakeAppwrite({ clock, seed: 1, ...options })
  return { fake, admin: fake.admin, tablesDB: fake.tablesDB, clock }
}

/** A fake with database `main` and an empty table `bookings`, both created through the admin. */
const withTable = (options: FakeAppwriteOptions = {}) =>
  fakeWithTable({ tableId, name: 'Bookings' }, options)

describe('admin', () => {
  describe('databases', () => {
    it('should create, get, list, update and delete databases with the server shapes', async () => {
      const { admin } = setup()
      const created = await admin.create({ databaseId, name: 'Main' })
      expect(created).toEqual({
        $id: 'main',
        name: 'Main',
        $createdAt: T0,
        $updatedAt: T0,
        enabled: true,
        type: 'tablesdb',
      })
      await expect(admin.get({ databaseId })).resolves.toEqual(created)
      await admin.create({ databaseId: 'archive', name: 'Archive', enabled: false })
      const list = await admin.list()
      expect(list.total).toBe(2)
      expect(list.databases.map((db) => db.$id)).toEqual(['main', 'archive'])
      const filtered = await admin.list({ queries: [Query.equal('name', 'Archive')] })
      expect(filtered.databases.map((db) => db.$id)).toEqual(['archive'])
      expect((await admin.list({ search: 'arch' })).databases.map((db) => db.$id)).toEqual([
        'archive',
      ])
      const updated = await admin.update({ databaseId: 'archive', name: 'Old' })
      expect(updated).toMatchObject({ name: 'Old', enabled: true })
      await expect(admin.delete({ databaseId: 'archive' })).resolves.toEqual({})
      await expect(admin.get({ databaseId: 'archive' })).rejects.toMatchObject(
        notFound('database', 'archive'),
      )
    })

    it('should refuse a taken database id with database_already_exists', async () => {
      const { admin } = setup()
      await admin.create({ databaseId, name: 'Main' })
      await expect(admin.create({ databaseId, name: 'Again' })).rejects.toMatchObject(
        appwriteError(
          409,
          'database_already_exists',
          "Database with the requested ID 'main' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
        ),
      )
    })

    it('should pick an id for ID.unique() and accept the positional form', async () => {
      const { admin } = setup()
      const created = await admin.create({ databaseId: 'unique()', name: 'Picked' })
      expect(created.$id).toMatch(/^[0-9a-f]{20}$/)
      const positional = await admin.create('legacyStyle', 'Positional')
      expect(positional.$id).toBe('legacyStyle')
      await expect(
        admin.create({ databaseId: ID.custom('_bad'), name: 'x' }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'general_argument_invalid',
          "Invalid `databaseId` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
        ),
      )
    })

    it('should report databases declared in the options', async () => {
      const { admin } = setup({ databases: { main: { name: 'Declared', tables: {} } } })
      await expect(admin.get({ databaseId })).resolves.toMatchObject({
        $id: 'main',
        name: 'Declared',
      })
    })
  })

  describe('tables', () => {
    it('should create a table with the server defaults and model', async () => {
      const { admin } = setup()
      await admin.create({ databaseId, name: 'Main' })
      const table = await admin.createTable({
        ...ref,
        name: 'Bookings',
        permissions: ['create("users")', 'write("team:admins")'],
      })
      expect(table).toEqual({
        $id: 'bookings',
        $createdAt: T0,
        $updatedAt: T0,
        $permissions: ['create("users")', 'update("team:admins")', 'delete("team:admins")'],
        databaseId: 'main',
        name: 'Bookings',
        enabled: true,
        rowSecurity: false,
        columns: [],
        indexes: [],
        bytesMax: 65535,
        bytesUsed: 1067,
      })
      await expect(admin.getTable(ref)).resolves.toEqual(table)
    })

    it('should apply admin-declared table permissions to callers', async () => {
      const { admin, fake } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false })
      await admin.updateTable({ ...ref, permissions: ['create("users")', 'read("users")'] })
      await expect(
        fake
          .as('user:alice')
          .tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'pending' } }),
      ).resolves.toMatchObject({ $id: 'b1' })
      await expect(
        fake.as('guest').tablesDB.createRow({ ...ref, rowId: 'b2', data: { status: 'pending' } }),
      ).rejects.toMatchObject(appwriteError(401, 'user_unauthorized'))
    })

    it('should fail with database_not_found, table_not_found and table_already_exists', async () => {
      const { admin } = await withTable()
      await expect(
        admin.createTable({ databaseId: 'nope', tableId, name: 'x' }),
      ).rejects.toMatchObject(appwriteError(404, 'database_not_found'))
      await expect(admin.getTable({ databaseId, tableId: 'chat_messages' })).rejects.toMatchObject(
        notFound('table', 'chat_messages'),
      )
      await expect(admin.createTable({ ...ref, name: 'Again' })).rejects.toMatchObject(
        appwriteError(
          409,
          'table_already_exists',
          "A table with the requested ID 'bookings' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
        ),
      )
    })

    it('should list tables with filters, paging and search', async () => {
      const { admin } = await withTable()
      await admin.createTable({
        databaseId,
        tableId: 'chat_rooms',
        name: 'Chat rooms',
        rowSecurity: true,
      })
      await admin.createTable({ databaseId, tableId: 'notifications', name: 'Notifications' })
      const all = await admin.listTables({ databaseId })
      expect(all.total).toBe(3)
      expect(all.tables.map((t) => t.$id)).toEqual(['bookings', 'chat_rooms', 'notifications'])
      const secured = await admin.listTables({
        databaseId,
        queries: [Query.equal('rowSecurity', true)],
      })
      expect(secured.tables.map((t) => t.$id)).toEqual(['chat_rooms'])
      const page = await admin.listTables({
        databaseId,
        queries: [Query.limit(1), Query.cursorAfter('bookings')],
      })
      expect(page).toMatchObject({ total: 3, tables: [{ $id: 'chat_rooms' }] })
      const searched = await admin.listTables({ databaseId, search: 'notif' })
      expect(searched.tables.map((t) => t.$id)).toEqual(['notifications'])
      expect((await admin.listTables({ databaseId, total: false })).total).toBe(0)
      await expect(
        admin.listTables({ databaseId, queries: [Query.equal('providerId', 'x')] }),
      ).rejects.toMatchObject(appwriteError(400, 'general_query_invalid'))
    })

    it('should keep permissions but reset rowSecurity and enabled when an update leaves them out', async () => {
      const { admin } = await withTable()
      await admin.updateTable({
        ...ref,
        permissions: ['read("any")'],
        rowSecurity: true,
        enabled: false,
      })
      const renamed = await admin.updateTable({ ...ref, name: 'Renamed' })
      expect(renamed).toMatchObject({
        name: 'Renamed',
        $permissions: ['read("any")'],
        rowSecurity: false,
        enabled: true,
      })
    })

    it('should delete a table with its rows', async () => {
      const { admin, tablesDB, fake } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'pending' } })
      await expect(admin.deleteTable(ref)).resolves.toEqual({})
      await expect(tablesDB.getRow({ ...ref, rowId: 'b1' })).rejects.toMatchObject(
        appwriteError(404, 'table_not_found'),
      )
      expect(fake.snapshot().main?.bookings ?? []).toEqual([])
    })

    it('should create inline columns and indexes as available', async () => {
      const { admin, tablesDB, fake } = setup()
      installTableFeatures(fake)
      await admin.create({ databaseId, name: 'Main' })
      const table = await admin.createTable({
        ...ref,
        name: 'Bookings',
        columns: [
          { key: 'customerId', type: 'string', size: 36, required: true },
          { key: 'status', type: 'enum', elements: ['pending', 'accepted'], required: true },
        ],
        indexes: [{ key: 'by_customer', type: 'key', attributes: ['customerId'] }],
      })
      expect(table.columns.map((c) => [c.key, c.status])).toEqual([
        ['customerId', 'available'],
        ['status', 'available'],
      ])
      expect(table.indexes).toMatchObject([
        { key: 'by_customer', status: 'available', columns: ['customerId'] },
      ])
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1', status: 'declined' } }),
      ).rejects.toMatchObject({
        type: 'row_invalid_structure',
        message:
          'Invalid document structure: Attribute "status" has invalid format. Value must be one of (pending, accepted)',
      })
    })
  })

  describe('columns', () => {
    it('should answer a create with processing and list the column available', async () => {
      const { admin } = await withTable()
      const created = await admin.createStringColumn({
        ...ref,
        key: 'customerId',
        size: 36,
        required: true,
      })
      expect(created).toEqual({
        key: 'customerId',
        type: 'string',
        status: 'processing',
        error: '',
        required: true,
        array: false,
        $createdAt: T0,
        $updatedAt: T0,
        size: 36,
        default: null,
        encrypt: false,
      })
      const { total, columns } = await admin.listColumns(ref)
      expect(total).toBe(1)
      expect(columns[0]).toEqual({ ...created, status: 'available' })
      await expect(admin.getColumn({ ...ref, key: 'customerId' })).resolves.toEqual(columns[0])
      expect((await admin.getTable(ref)).bytesUsed).toBe(1067 + 36 * 4 + 1)
    })

    it('should report every column type in its node-appwrite model shape', async () => {
      const { admin } = await withTable()
      await admin.createVarcharColumn({
        ...ref,
        key: 'name',
        size: 300,
        required: false,
        xdefault: 'n/a',
      })
      await admin.createTextColumn({ ...ref, key: 'notes', required: false })
      await admin.createIntegerColumn({
        ...ref,
        key: 'duration',
        required: true,
        min: 15,
        max: 480,
      })
      await admin.createIntegerColumn({ ...ref, key: 'counter', required: false })
      await admin.createFloatColumn({
        ...ref,
        key: 'rating',
        required: false,
        min: 0,
        max: 5,
        xdefault: 2.5,
      })
      await admin.createBooleanColumn({ ...ref, key: 'read', required: false, xdefault: false })
      await admin.createDatetimeColumn({ ...ref, key: 'scheduledAt', required: false })
      await admin.createEmailColumn({ ...ref, key: 'email', required: false })
      await admin.createUrlColumn({ ...ref, key: 'link', required: false })
      await admin.createIpColumn({ ...ref, key: 'ip', required: false })
      await admin.createEnumColumn({
        ...ref,
        key: 'status',
        elements: ['pending', 'accepted'],
        required: false,
        xdefault: 'pending',
      })
      await admin.createStringColumn({
        ...ref,
        key: 'tags',
        size: 20,
        required: false,
        array: true,
      })
      const { columns } = await admin.listColumns({ ...ref, queries: [Query.limit(100)] })
      const byKey = Object.fromEntries(columns.map((c) => [c.key, c]))
      expect(byKey.name).toMatchObject({
        type: 'varchar',
        size: 300,
        default: 'n/a',
        encrypt: false,
      })
      expect(byKey.notes).toEqual(expect.objectContaining({ type: 'text', default: null }))
      expect(byKey.notes).not.toHaveProperty('size')
      expect(byKey.duration).toMatchObject({
        type: 'integer',
        min: 15,
        max: 480,
        default: null,
        required: true,
      })
      expect(byKey.counter).toMatchObject({
        type: 'integer',
        min: -(2n ** 63n),
        max: 2n ** 63n - 1n,
      })
      expect(byKey.rating).toMatchObject({ type: 'double', min: 0, max: 5, default: 2.5 })
      expect(byKey.read).toMatchObject({ type: 'boolean', default: false })
      expect(byKey.scheduledAt).toMatchObject({ type: 'datetime', format: 'datetime' })
      expect(byKey.email).toMatchObject({ type: 'string', format: 'email', default: null })
      expect(byKey.link).toMatchObject({ type: 'string', format: 'url' })
      expect(byKey.ip).toMatchObject({ type: 'string', format: 'ip' })
      expect(byKey.status).toMatchObject({
        type: 'string',
        format: 'enum',
        elements: ['pending', 'accepted'],
        default: 'pending',
      })
      expect(byKey.tags).toMatchObject({ type: 'string', array: true, size: 20 })
    })

    it('should validate writes against each admin-created column type like the server', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'code', size: 3, required: false })
      await admin.createVarcharColumn({ ...ref, key: 'name', size: 5, required: false })
      await admin.createIntegerColumn({
        ...ref,
        key: 'duration',
        required: true,
        min: 15,
        max: 480,
      })
      await admin.createFloatColumn({ ...ref, key: 'rating', required: false, min: 0, max: 5 })
      await admin.createBooleanColumn({ ...ref, key: 'read', required: false })
      await admin.createDatetimeColumn({ ...ref, key: 'at', required: false })
      await admin.createEmailColumn({ ...ref, key: 'email', required: false })
      await admin.createUrlColumn({ ...ref, key: 'link', required: false })
      await admin.createIpColumn({ ...ref, key: 'ip', required: false })
      await admin.createEnumColumn({
        ...ref,
        key: 'status',
        elements: ['pending'],
        required: false,
      })
      await admin.createStringColumn({ ...ref, key: 'tags', size: 5, required: false, array: true })
      const valid = { duration: 60 }
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ read: true }, 'Missing required attribute "duration"'],
        [
          { code: 'long' },
          'Attribute "code" has invalid type. Value must be a valid string and no longer than 3 chars',
        ],
        [
          { name: 'toolong' },
          'Attribute "name" has invalid type. Value must be a valid string and no longer than 5 chars',
        ],
        [
          { duration: 5 },
          'Attribute "duration" has invalid format. Value must be a valid range between 15 and 480',
        ],
        [
          { duration: 1.5 },
          'Attribute "duration" has invalid format. Value must be a valid signed 32-bit integer between -2,147,483,648 and 2,147,483,647',
        ],
        [
          { rating: 7 },
          'Attribute "rating" has invalid format. Value must be a valid range between 0 and 5',
        ],
        [{ read: 'yes' }, 'Attribute "read" has invalid type. Value must be a valid boolean'],
        [
          { at: 'tomorrow' },
          'Attribute "at" has invalid type. Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.',
        ],
        [
          { email: 'nope' },
          'Attribute "email" has invalid format. Value must be a valid email address',
        ],
        [{ link: 'nope' }, 'Attribute "link" has invalid format. Value must be a valid URL'],
        [
          { ip: '999.1.1.1' },
          'Attribute "ip" has invalid format. Value must be a valid IP address',
        ],
        [
          { status: 'done' },
          'Attribute "status" has invalid format. Value must be one of (pending)',
        ],
        [{ tags: 'solo' }, 'Attribute "tags" must be an array'],
        [
          { tags: ['ok', 'toolong'] },
          `Attribute "tags['1']" has invalid type. Value must be a valid string and no longer than 5 chars`,
        ],
        [{ therapistId: 'p1' }, 'Unknown attribute: "therapistId"'],
      ]
      for (const [data, message] of cases) {
        const payload =
          'duration' in data || message.startsWith('Missing') ? data : { ...valid, ...data }
        await expect(
          tablesDB.createRow({ ...ref, rowId: ID.unique(), data: payload }),
        ).rejects.toMatchObject({
          code: 400,
          type: 'row_invalid_structure',
          message: `Invalid document structure: ${message}`,
        })
      }
      await expect(
        tablesDB.createRow({
          ...ref,
          rowId: 'ok',
          data: {
            code: 'abc',
            name: 'Ann',
            duration: 60,
            rating: 4.5,
            read: true,
            at: '2026-03-01T10:00:00Z',
            email: 'a@b.co',
            link: 'https://x.io',
            ip: '10.0.0.1',
            status: 'pending',
            tags: ['a', 'b'],
          },
        }),
      ).resolves.toMatchObject({ $id: 'ok', at: '2026-03-01T10:00:00.000+00:00' })
    })

    it('should refuse a duplicate key with column_already_exists', async () => {
      const { admin } = await withTable()
      await admin.createBooleanColumn({ ...ref, key: 'read', required: false })
      await expect(
        admin.createIntegerColumn({ ...ref, key: 'read', required: false }),
      ).rejects.toMatchObject(
        appwriteError(
          409,
          'column_already_exists',
          "Column with the requested key 'read' already exists. Column keys must be unique, try again with a different key.",
        ),
      )
    })

    it('should refuse defaults on required and array columns', async () => {
      const { admin } = await withTable()
      await expect(
        admin.createStringColumn({ ...ref, key: 'a', size: 10, required: true, xdefault: 'x' }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_default_unsupported',
          'Cannot set default value for required column',
        ),
      )
      await expect(
        admin.createBooleanColumn({
          ...ref,
          key: 'b',
          required: false,
          array: true,
          xdefault: true,
        }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_default_unsupported',
          'Cannot set default value for array columns',
        ),
      )
    })

    it('should check defaults, sizes and ranges like the routes', async () => {
      const { admin } = await withTable()
      const refusals: Array<[call: () => Promise<unknown>, type: string, message: string]> = [
        [
          () =>
            admin.createStringColumn({
              ...ref,
              key: 'a',
              size: 3,
              required: false,
              xdefault: 'long',
            }),
          'column_value_invalid',
          'Value must be a valid string and no longer than 3 chars',
        ],
        [
          () => admin.createIntegerColumn({ ...ref, key: 'b', required: false, min: 10, max: 1 }),
          'column_value_invalid',
          'Minimum value must be lesser than maximum value',
        ],
        [
          () =>
            admin.createIntegerColumn({
              ...ref,
              key: 'c',
              required: false,
              min: 15,
              max: 480,
              xdefault: 5,
            }),
          'column_value_invalid',
          'Value must be a valid range between 15 and 480',
        ],
        [
          () =>
            admin.createEnumColumn({
              ...ref,
              key: 'd',
              elements: ['a'],
              required: false,
              xdefault: 'b',
            }),
          'column_value_invalid',
          'Default value not found in elements',
        ],
        [
          () =>
            admin.createEmailColumn({
              ...ref,
              key: 'e',
              required: false,
              xdefault: 'not-an-email',
            }),
          'general_argument_invalid',
          'Invalid `default` param: Value must be a valid email address',
        ],
        [
          () => admin.createStringColumn({ ...ref, key: 'f', size: 0, required: false }),
          'general_argument_invalid',
          'Invalid `size` param: Value must be a valid range between 1 and 1,073,741,824',
        ],
        [
          () => admin.createBooleanColumn({ ...ref, key: '$g', required: false }),
          'general_argument_invalid',
          "Invalid `key` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
        ],
      ]
      for (const [call, type, message] of refusals) {
        await expect(call()).rejects.toMatchObject({ code: 400, type, message })
      }
      expect((await admin.listColumns(ref)).total).toBe(0)
    })

    it('should throw missing required parameters synchronously like the SDK', () => {
      const { admin } = setup()
      expect(() =>
        admin.createStringColumn({ ...ref, key: 'a', required: false } as unknown as Parameters<
          typeof admin.createStringColumn
        >[0] &
          object),
      ).toThrow('Missing required parameter: "size"')
      expect(() => admin.updateBooleanColumn({ ...ref, key: 'a', required: false })).toThrow(
        'Missing required parameter: "xdefault"',
      )
    })

    it('should fail with column_limit_exceeded when the row width passes 65,535 bytes', async () => {
      const { admin } = await withTable()
      // 1,067 bytes of system columns + 16 × (1,000 × 4 + 2) = 65,099; a 17th passes 65,535.
      for (let i = 0; i < 16; i++) {
        await admin.createStringColumn({ ...ref, key: `c${i}`, size: 1000, required: false })
      }
      await expect(
        admin.createStringColumn({ ...ref, key: 'c16', size: 1000, required: false }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_limit_exceeded',
          "The maximum number or size of columns for table 'bookings' has been reached.",
        ),
      )
    })

    it('should page listColumns by 25 like the server and filter on status', async () => {
      const { admin } = await withTable()
      for (let i = 0; i < 30; i++)
        await admin.createBooleanColumn({ ...ref, key: `flag${i}`, required: false })
      const first = await admin.listColumns(ref)
      expect(first.total).toBe(30)
      expect(first.columns).toHaveLength(25)
      const next = await admin.listColumns({ ...ref, queries: [Query.cursorAfter('flag24')] })
      expect(next.columns.map((c) => c.key)).toEqual([
        'flag25',
        'flag26',
        'flag27',
        'flag28',
        'flag29',
      ])
      admin.setColumnStatus({ ...ref, key: 'flag3', status: 'failed', error: 'boom' })
      const failed = await admin.listColumns({ ...ref, queries: [Query.equal('status', 'failed')] })
      expect(failed.columns).toMatchObject([{ key: 'flag3', status: 'failed', error: 'boom' }])
      await expect(
        admin.listColumns({ ...ref, queries: [Query.cursorAfter('nope')] }),
      ).rejects.toMatchObject({
        type: 'general_cursor_not_found',
        message: "Column 'nope' for the 'cursor' value not found.",
      })
    })

    it('should update a column and refuse one that is not available', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'notes', size: 100, required: false })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { notes: 'twelve chars' } })
      const updated = await admin.updateStringColumn({
        ...ref,
        key: 'notes',
        required: false,
        xdefault: 'none',
        size: 50,
      })
      expect(updated).toMatchObject({ status: 'available', size: 50, default: 'none' })
      await expect(
        admin.updateStringColumn({
          ...ref,
          key: 'notes',
          required: false,
          xdefault: null,
          size: 5,
        }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_invalid_resize',
          'Existing data is too large for new size, truncate your existing data then try again.',
        ),
      )
      await expect(
        admin.updateIntegerColumn({ ...ref, key: 'notes', required: false, xdefault: null }),
      ).rejects.toMatchObject(appwriteError(400, 'column_type_invalid'))
      admin.setColumnStatus({ ...ref, key: 'notes', status: 'processing' })
      await expect(
        admin.updateStringColumn({ ...ref, key: 'notes', required: false, xdefault: null }),
      ).rejects.toMatchObject({
        code: 400,
        type: 'column_not_available',
        // The route throws it without the key: the server's message keeps the placeholder.
        message: "The requested column '%s' is not yet available. Please try again later.",
      })
      await expect(
        admin.updateStringColumn({ ...ref, key: 'missing', required: false, xdefault: null }),
      ).rejects.toMatchObject(
        appwriteError(
          404,
          'column_not_found',
          "Column with the requested key 'missing' could not be found.",
        ),
      )
    })

    it('should rename a column with its values and indexes', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'therapistId', size: 36, required: false })
      await admin.createIndex({ ...ref, key: 'by_provider', type: 'key', columns: ['therapistId'] })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { therapistId: 'p1' } })
      await admin.updateStringColumn({
        ...ref,
        key: 'therapistId',
        required: false,
        xdefault: null,
        newKey: 'providerId',
      })
      await expect(tablesDB.getRow({ ...ref, rowId: 'b1' })).resolves.toMatchObject({
        providerId: 'p1',
      })
      expect((await admin.getIndex({ ...ref, key: 'by_provider' })).columns).toEqual(['providerId'])
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b2', data: { therapistId: 'p2' } }),
      ).rejects.toMatchObject({
        type: 'row_invalid_structure',
        message: 'Invalid document structure: Unknown attribute: "therapistId"',
      })
    })

    it('should update integer bounds and enum elements', async () => {
      const { admin } = await withTable()
      await admin.createIntegerColumn({
        ...ref,
        key: 'duration',
        required: false,
        min: 15,
        max: 480,
      })
      await expect(
        admin.updateIntegerColumn({
          ...ref,
          key: 'duration',
          required: false,
          xdefault: 60,
          max: 240,
        }),
      ).resolves.toMatchObject({ min: 15, max: 240, default: 60 })
      await expect(
        admin.updateIntegerColumn({
          ...ref,
          key: 'duration',
          required: false,
          xdefault: null,
          min: 500,
        }),
      ).rejects.toMatchObject({
        type: 'column_value_invalid',
        message: 'Minimum value must be lesser than maximum value',
      })
      await admin.createEnumColumn({ ...ref, key: 'status', elements: ['pending'], required: true })
      await expect(
        admin.updateEnumColumn({
          ...ref,
          key: 'status',
          elements: ['pending', 'accepted'],
          required: true,
          xdefault: null,
        }),
      ).resolves.toMatchObject({ elements: ['pending', 'accepted'] })
      await expect(
        admin.updateEnumColumn({
          ...ref,
          key: 'status',
          elements: [],
          required: true,
          xdefault: null,
        }),
      ).rejects.toMatchObject({
        type: 'column_value_invalid',
        message: 'Enum elements must not be empty',
      })
    })

    it('should delete a column with its stored values and index entries', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'customerId', size: 36, required: false })
      await admin.createStringColumn({ ...ref, key: 'legacy', size: 36, required: false })
      await admin.createIndex({
        ...ref,
        key: 'pair',
        type: 'key',
        columns: ['customerId', 'legacy'],
      })
      await admin.createIndex({ ...ref, key: 'only_legacy', type: 'key', columns: ['legacy'] })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1', legacy: 'x' } })
      admin.pauseWorker()
      await expect(admin.deleteColumn({ ...ref, key: 'legacy' })).resolves.toEqual({})
      await expect(admin.getColumn({ ...ref, key: 'legacy' })).resolves.toMatchObject({
        status: 'deleting',
      })
      // A deleting column still exists in storage until the worker drops it.
      await expect(tablesDB.getRow({ ...ref, rowId: 'b1' })).resolves.toMatchObject({ legacy: 'x' })
      admin.resumeWorker()
      await expect(admin.getColumn({ ...ref, key: 'legacy' })).rejects.toMatchObject({
        type: 'column_not_found',
      })
      const row = await tablesDB.getRow({ ...ref, rowId: 'b1' })
      expect(row).not.toHaveProperty('legacy')
      const { indexes } = await admin.listIndexes(ref)
      expect(indexes.map((index) => [index.key, index.columns])).toEqual([['pair', ['customerId']]])
      // Re-created, the column does not bring the old values back.
      await admin.createStringColumn({ ...ref, key: 'legacy', size: 36, required: false })
      await expect(tablesDB.getRow({ ...ref, rowId: 'b1' })).resolves.toMatchObject({
        legacy: null,
      })
    })
  })

  describe('column status', () => {
    it('should keep new columns processing while the worker is paused, unknown to writes', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'customerId', size: 36, required: false })
      admin.pauseWorker()
      await admin.createStringColumn({ ...ref, key: 'providerId', size: 36, required: true })
      await expect(admin.getColumn({ ...ref, key: 'providerId' })).resolves.toMatchObject({
        status: 'processing',
      })
      // github:appwrite/appwrite Workers/Databases.php adds the column to the table only when the job runs.
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1', providerId: 'p1' } }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'row_invalid_structure',
          'Invalid document structure: Unknown attribute: "providerId"',
        ),
      )
      // …and a required column still processing is not enforced yet.
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b1', data: { customerId: 'c1' } }),
      ).resolves.toMatchObject({
        $id: 'b1',
      })
      admin.resumeWorker()
      await expect(admin.getColumn({ ...ref, key: 'providerId' })).resolves.toMatchObject({
        status: 'available',
      })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b2', data: { customerId: 'c2' } }),
      ).rejects.toMatchObject({
        message: 'Invalid document structure: Missing required attribute "providerId"',
      })
    })

    it('should let tests put a column in failed to reproduce a stuck migration', async () => {
      const { admin, tablesDB, fake } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'providerId', size: 36, required: false })
      admin.setColumnStatus({
        ...ref,
        key: 'providerId',
        status: 'failed',
        error: 'Row width limit reached',
      })
      await expect(admin.getColumn({ ...ref, key: 'providerId' })).resolves.toMatchObject({
        status: 'failed',
        error: 'Row width limit reached',
      })
      await expect(
        fake.databases.createDocument({
          databaseId,
          collectionId: tableId,
          documentId: 'd1',
          data: { providerId: 'p1' },
        }),
      ).rejects.toMatchObject({
        type: 'document_invalid_structure',
        message: 'Invalid document structure: Unknown attribute: "providerId"',
      })
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b1', data: {} }).catch((e: unknown) => e),
      ).resolves.toMatchObject({
        type: 'row_missing_data',
      })
      expect(() => admin.setColumnStatus({ ...ref, key: 'nope', status: 'failed' })).toThrow(
        "Column with the requested key 'nope' could not be found.",
      )
    })

    it('should refuse an index on a column that is not available', async () => {
      const { admin } = await withTable()
      admin.pauseWorker()
      await admin.createStringColumn({ ...ref, key: 'providerId', size: 36, required: false })
      await expect(
        admin.createIndex({ ...ref, key: 'by_provider', type: 'key', columns: ['providerId'] }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_not_available',
          "The requested column 'providerId' is not yet available. Please try again later.",
        ),
      )
    })
  })

  describe('indexes', () => {
    it('should create, get, list and delete indexes with the server errors', async () => {
      const { admin } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'customerId', size: 36, required: false })
      const created = await admin.createIndex({
        ...ref,
        key: 'by_customer',
        type: 'key',
        columns: ['customerId', '$createdAt'],
        orders: ['asc', 'desc'],
      })
      expect(created).toEqual({
        $id: 'by_customer',
        $createdAt: T0,
        $updatedAt: T0,
        key: 'by_customer',
        type: 'key',
        status: 'processing',
        error: '',
        columns: ['customerId', '$createdAt'],
        lengths: [],
        orders: ['asc', 'desc'],
      })
      await expect(admin.getIndex({ ...ref, key: 'by_customer' })).resolves.toMatchObject({
        status: 'available',
      })
      await expect(
        admin.createIndex({ ...ref, key: 'by_customer', type: 'key', columns: ['customerId'] }),
      ).rejects.toMatchObject(
        appwriteError(
          409,
          'column_index_already_exists',
          "Index with the requested key 'by_customer' already exists. Try again with a different key.",
        ),
      )
      await expect(
        admin.createIndex({ ...ref, key: 'by_provider', type: 'key', columns: ['providerId'] }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_unknown',
          "The column 'providerId' required for the index could not be found. Please confirm all your columns are in the available state.",
        ),
      )
      await admin.createIntegerColumn({ ...ref, key: 'duration', required: false })
      await expect(
        admin.createIndex({
          ...ref,
          key: 'search_duration',
          type: 'fulltext',
          columns: ['duration'],
        }),
      ).rejects.toMatchObject(
        appwriteError(
          400,
          'column_index_invalid',
          'Attribute "duration" cannot be part of a fulltext index, must be of type string',
        ),
      )
      await expect(
        admin.listIndexes({ ...ref, queries: [Query.equal('type', 'key')] }),
      ).resolves.toMatchObject({
        total: 1,
        indexes: [{ key: 'by_customer' }],
      })
      await expect(admin.deleteIndex({ ...ref, key: 'by_customer' })).resolves.toEqual({})
      await expect(admin.getIndex({ ...ref, key: 'by_customer' })).rejects.toMatchObject(
        appwriteError(
          404,
          'column_index_not_found',
          "Index with the requested key 'by_customer' could not be found.",
        ),
      )
    })

    it('should make a new fulltext index usable by search queries', async () => {
      const { admin, tablesDB } = await withTable()
      await admin.createStringColumn({ ...ref, key: 'notes', size: 200, required: false })
      await tablesDB.createRow({ ...ref, rowId: 'b1', data: { notes: 'deep tissue massage' } })
      await expect(
        tablesDB.listRows({ ...ref, queries: [Query.search('notes', 'massage')] }),
      ).rejects.toMatchObject({ type: 'general_query_invalid' })
      await admin.createIndex({ ...ref, key: 'notes_search', type: 'fulltext', columns: ['notes'] })
      await expect(
        tablesDB.listRows({ ...ref, queries: [Query.search('notes', 'massage')] }),
      ).resolves.toMatchObject({ total: 1 })
    })
  })

  describe('schemaless tables', () => {
    it('should keep tables declared without columns schemaless', async () => {
      const { admin, tablesDB } = setup({ databases: mainDatabase({ notifications: {} }) })
      await admin.createTable({ databaseId, tableId: 'bookings', name: 'Bookings' })
      await expect(
        tablesDB.createRow({
          databaseId,
          tableId: 'notifications',
          rowId: 'n1',
          data: { anything: 1 },
        }),
      ).resolves.toMatchObject({ anything: 1 })
      await expect(admin.listColumns({ databaseId, tableId: 'notifications' })).resolves.toEqual({
        total: 0,
        columns: [],
      })
      // A table the admin created has columns (none yet): writes are validated at once.
      await expect(
        tablesDB.createRow({ databaseId, tableId: 'bookings', rowId: 'b1', data: { anything: 1 } }),
      ).rejects.toMatchObject({
        message: 'Invalid document structure: Unknown attribute: "anything"',
      })
    })
  })

  describe('fake integration', () => {
    it('should go back to the declared schema on fake.reset()', async () => {
      const { admin, fake, tablesDB } = setup({
        databases: mainDatabase({ bookings: { columns: [] } }),
      })
      await admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false })
      admin.pauseWorker()
      await admin.createTable({ databaseId, tableId: 'extra', name: 'Extra' })
      fake.reset()
      await expect(admin.listColumns(ref)).resolves.toEqual({ total: 0, columns: [] })
      await expect(admin.getTable({ databaseId, tableId: 'extra' })).rejects.toMatchObject({
        type: 'table_not_found',
      })
      await admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false })
      // The worker runs again after a reset.
      await expect(
        tablesDB.createRow({ ...ref, rowId: 'b1', data: { status: 'x' } }),
      ).resolves.toMatchObject({
        status: 'x',
      })
    })

    it('should let fault rules fail admin calls', async () => {
      const { admin, fake } = await withTable()
      fake.faults.fail({ operation: 'createStringColumn', times: 1, error: 'general_server_error' })
      await expect(
        admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false }),
      ).rejects.toMatchObject(appwriteError(500, 'general_server_error'))
      await expect(admin.listColumns(ref)).resolves.toMatchObject({ total: 0 })
      await expect(
        admin.createStringColumn({ ...ref, key: 'status', size: 20, required: false }),
      ).resolves.toMatchObject({ key: 'status' })
    })
  })
})
