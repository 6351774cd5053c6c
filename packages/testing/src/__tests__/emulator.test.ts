import {
  Account,
  AppwriteException,
  Client,
  Databases,
  ID,
  Locale,
  Query,
  TablesDB,
} from 'appwrite'
import * as server from 'node-appwrite'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createManualClock, createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, EmulatorLogEntry } from '../emulator'
import { appwriteError, mainDatabase, notFound, rejection } from './helpers'
import { serverClient } from './emulatorHelpers'

const clock = createManualClock({ now: Date.parse('2026-03-01T09:00:00.000Z') })
const fake = createFakeAppwrite({
  clock,
  seed: 7,
  databases: mainDatabase({
    bookings: {
      columns: [
        { key: 'customerId', type: 'string', size: 36, required: true },
        {
          key: 'status',
          type: 'enum',
          elements: ['pending', 'accepted', 'declined'],
          required: true,
        },
        { key: 'price', type: 'integer' },
        { key: 'note', type: 'string', size: 100 },
        { key: 'tags', type: 'string', size: 20, array: true },
        { key: 'title', type: 'string', size: 200 },
        { key: 'seats', type: 'integer', min: 0, max: 10 },
      ],
      indexes: [{ key: 'title_search', type: 'fulltext', columns: ['title'] }],
      // Open to guests, so the web client (no session) may use it once permissions apply.
      permissions: ['create("any")', 'read("any")', 'update("any")', 'delete("any")'],
    },
  }),
})

let emulator: AppwriteEmulator
let web: Client
let tablesDB: TablesDB
let admin: server.TablesDB
const log: EmulatorLogEntry[] = []

const httpLog = () =>
  log.filter((entry): entry is Extract<EmulatorLogEntry, { type: 'http' }> => entry.type === 'http')

/** A raw request, for what the SDKs hide (status, headers). */
function raw(path: string, init: RequestInit & { key?: string; project?: string | null } = {}) {
  const headers = new Headers(init.headers)
  if (init.project !== null) headers.set('x-appwrite-project', init.project ?? emulator.projectId)
  if (init.key !== undefined) headers.set('x-appwrite-key', init.key)
  if (init.body !== undefined) headers.set('content-type', 'application/json')
  return fetch(`${emulator.endpoint}${path}`, { ...init, headers })
}

const booking = (data: Record<string, unknown> = {}) => ({
  customerId: 'c1',
  status: 'pending',
  ...data,
})
/** The row most cases write and read. */
const b1 = { databaseId: 'main', tableId: 'bookings', rowId: 'b1' }

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake, log: (entry) => log.push(entry) })
  web = new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  tablesDB = new TablesDB(web)
  admin = new server.TablesDB(serverClient(emulator))
})

afterAll(async () => {
  await emulator.close()
})

beforeEach(() => {
  fake.reset()
  emulator.latencyMs = 0
  log.length = 0
})

describe('startAppwriteEmulator', () => {
  it('should listen on loopback and report its endpoint, project and key', () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(emulator.realtimeEndpoint).toBe(emulator.endpoint.replace('http://', 'ws://'))
    expect(emulator.endpoint).toContain(`:${emulator.port}/`)
    expect(emulator.projectId).toBe('booking-guard')
    expect(emulator.apiKey).toBe('emulator-api-key')
    expect(emulator.fake).toBe(fake)
  })

  it('should create, get, update, upsert and delete a row with the server status codes', async () => {
    const created = await tablesDB.createRow({ ...b1, data: booking({ price: 100 }) })
    expect(created).toMatchObject({
      $id: 'b1',
      $sequence: '1',
      $tableId: 'bookings',
      $databaseId: 'main',
      $createdAt: '2026-03-01T09:00:00.000+00:00',
      $permissions: [],
      customerId: 'c1',
      status: 'pending',
      price: 100,
      note: null,
      tags: [],
    })
    await clock.advance(1_000)
    const updated = await tablesDB.updateRow({ ...b1, data: { status: 'accepted' } })
    expect(updated).toMatchObject({
      status: 'accepted',
      price: 100,
      $updatedAt: '2026-03-01T09:00:01.000+00:00',
    })
    const upserted = await tablesDB.upsertRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'b2',
      data: booking({ status: 'declined' }),
    })
    expect(upserted).toMatchObject({ $id: 'b2', status: 'declined' })
    expect(await tablesDB.getRow(b1)).toEqual(updated)
    await tablesDB.deleteRow(b1)
    const gone = await rejection(tablesDB.getRow(b1))
    expect(gone).toMatchObject(appwriteError(404, 'row_not_found'))
    expect(httpLog().map((entry) => `${entry.method} ${entry.status}`)).toEqual([
      'POST 201',
      'PATCH 200',
      'PUT 200',
      'GET 200',
      'DELETE 204',
      'GET 404',
    ])
  })

  it('should answer getRow with only the selected columns', async () => {
    await admin.createRow({ ...b1, data: booking({ price: 5 }) })
    const row = await tablesDB.getRow({ ...b1, queries: [Query.select(['price'])] })
    expect(row.price).toBe(5)
    expect(row).not.toHaveProperty('customerId')
  })

  it('should serve the legacy documents routes on the same storage', async () => {
    const databases = new Databases(web)
    const doc = await databases.createDocument({
      databaseId: 'main',
      collectionId: 'bookings',
      documentId: 'd1',
      data: booking(),
    })
    expect(doc).toMatchObject({ $id: 'd1', $collectionId: 'bookings', $databaseId: 'main' })
    expect(doc).not.toHaveProperty('$tableId')
    const list = await databases.listDocuments({
      databaseId: 'main',
      collectionId: 'bookings',
      queries: [Query.equal('status', 'pending')],
    })
    expect(list).toMatchObject({ total: 1, documents: [{ $id: 'd1' }] })
    await databases.updateDocument({
      databaseId: 'main',
      collectionId: 'bookings',
      documentId: 'd1',
      data: { status: 'accepted' },
    })
    expect(
      await tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId: 'd1' }),
    ).toMatchObject({
      status: 'accepted',
    })
    await databases.incrementDocumentAttribute({
      databaseId: 'main',
      collectionId: 'bookings',
      documentId: 'd1',
      attribute: 'seats',
      value: 2,
    })
    await databases.deleteDocument({
      databaseId: 'main',
      collectionId: 'bookings',
      documentId: 'd1',
    })
    const missing = await rejection(
      databases.getDocument({ databaseId: 'main', collectionId: 'bookings', documentId: 'd1' }),
    )
    expect(missing).toMatchObject(appwriteError(404, 'document_not_found'))
    const noCollection = await rejection(
      databases.listDocuments({ databaseId: 'main', collectionId: 'nope' }),
    )
    expect(noCollection).toMatchObject(notFound('collection', 'nope'))
  })

  describe('queries', () => {
    beforeEach(async () => {
      const rows = [
        {
          $id: 'r1',
          ...booking({ price: 10, note: 'vip', tags: ['a', 'b'], title: 'morning massage' }),
        },
        {
          $id: 'r2',
          ...booking({ status: 'accepted', price: 20, tags: ['b'], title: 'evening yoga' }),
        },
        {
          $id: 'r3',
          ...booking({
            status: 'declined',
            price: 30,
            note: 'late',
            tags: [],
            title: 'morning yoga',
          }),
        },
        { $id: 'r4', ...booking({ status: 'accepted', price: 40, tags: ['c'], title: 'spa day' }) },
      ]
      for (const row of rows) {
        await admin.createRows({ databaseId: 'main', tableId: 'bookings', rows: [row] })
        await clock.advance(60_000)
      }
    })

    let base = 0
    beforeEach(() => {
      // The clock moved 60 s after each of the 4 rows: r1 was created at base, r4 at base + 3 min.
      base = clock.now() - 4 * 60_000
    })
    const at = (minute: number) => new Date(base + minute * 60_000).toISOString()

    it.each([
      ['equal', () => [Query.equal('status', ['accepted', 'declined'])], ['r2', 'r3', 'r4']],
      ['notEqual', () => [Query.notEqual('status', 'accepted')], ['r1', 'r3']],
      ['lessThan', () => [Query.lessThan('price', 20)], ['r1']],
      ['lessThanEqual', () => [Query.lessThanEqual('price', 20)], ['r1', 'r2']],
      ['greaterThan', () => [Query.greaterThan('price', 30)], ['r4']],
      ['greaterThanEqual', () => [Query.greaterThanEqual('price', 30)], ['r3', 'r4']],
      ['between', () => [Query.between('price', 15, 35)], ['r2', 'r3']],
      ['notBetween', () => [Query.notBetween('price', 15, 35)], ['r1', 'r4']],
      ['isNull', () => [Query.isNull('note')], ['r2', 'r4']],
      ['isNotNull', () => [Query.isNotNull('note')], ['r1', 'r3']],
      ['startsWith', () => [Query.startsWith('title', 'morning')], ['r1', 'r3']],
      ['notStartsWith', () => [Query.notStartsWith('title', 'morning')], ['r2', 'r4']],
      ['endsWith', () => [Query.endsWith('title', 'yoga')], ['r2', 'r3']],
      ['notEndsWith', () => [Query.notEndsWith('title', 'yoga')], ['r1', 'r4']],
      ['contains', () => [Query.contains('tags', 'b')], ['r1', 'r2']],
      ['notContains', () => [Query.notContains('tags', 'b')], ['r3', 'r4']],
      ['containsAny', () => [Query.containsAny('tags', ['a', 'c'])], ['r1', 'r4']],
      ['containsAll', () => [Query.containsAll('tags', ['a', 'b'])], ['r1']],
      ['search', () => [Query.search('title', 'yoga')], ['r2', 'r3']],
      ['notSearch', () => [Query.notSearch('title', 'yoga')], ['r1', 'r4']],
      ['regex', () => [Query.regex('title', '^spa')], ['r4']],
      ['exists', () => [Query.exists(['note'])], ['r1', 'r3']],
      ['or', () => [Query.or([Query.equal('price', 10), Query.equal('price', 40)])], ['r1', 'r4']],
      [
        'and',
        () => [Query.and([Query.greaterThan('price', 10), Query.lessThan('price', 40)])],
        ['r2', 'r3'],
      ],
      ['createdBefore', () => [Query.createdBefore(at(1))], ['r1']],
      ['createdAfter', () => [Query.createdAfter(at(1))], ['r3', 'r4']],
      ['createdBetween', () => [Query.createdBetween(at(1), at(2))], ['r2', 'r3']],
      ['updatedBefore', () => [Query.updatedBefore(at(1))], ['r1']],
      ['updatedAfter', () => [Query.updatedAfter(at(2))], ['r4']],
      ['updatedBetween', () => [Query.updatedBetween(at(0), at(1))], ['r1', 'r2']],
      ['orderDesc', () => [Query.orderDesc('price')], ['r4', 'r3', 'r2', 'r1']],
      [
        'orderAsc',
        () => [Query.orderAsc('status'), Query.orderDesc('price')],
        ['r4', 'r2', 'r3', 'r1'],
      ],
      [
        'limit + offset',
        () => [Query.orderAsc('price'), Query.limit(2), Query.offset(1)],
        ['r2', 'r3'],
      ],
      ['cursorAfter', () => [Query.cursorAfter('r2')], ['r3', 'r4']],
      ['cursorBefore', () => [Query.cursorBefore('r3')], ['r1', 'r2']],
    ] as const)('should filter rows with Query.%s over the wire', async (_name, queries, ids) => {
      const list = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: queries(),
      })
      expect(list.rows.map((row) => row.$id)).toEqual(ids)
    })

    it('should return only the selected columns with Query.select', async () => {
      const list = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: [Query.select(['price']), Query.equal('$id', 'r1')],
      })
      expect(list.rows).toHaveLength(1)
      expect(list.rows[0]).toMatchObject({ $id: 'r1', price: 10 })
      expect(list.rows[0]).not.toHaveProperty('title')
    })

    it('should shuffle with Query.orderRandom and keep every row', async () => {
      const list = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: [Query.orderRandom()],
      })
      expect(list.rows.map((row) => row.$id).sort()).toEqual(['r1', 'r2', 'r3', 'r4'])
    })

    it('should keep queries[N] in numeric order past ten queries', async () => {
      // Index 9 is the primary order and index 10 the secondary: a lexicographic key sort
      // ("10" < "9") would swap them.
      const filler = Array.from({ length: 9 }, () => Query.notEqual('status', 'none'))
      const list = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: [...filler, Query.orderAsc('status'), Query.orderDesc('price')],
      })
      expect(list.rows.map((row) => row.$id)).toEqual(['r4', 'r2', 'r3', 'r1'])
    })

    it('should count with total and skip counting with total: false', async () => {
      const counted = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: [Query.limit(1)],
      })
      expect(counted).toMatchObject({ total: 4 })
      expect(counted.rows).toHaveLength(1)
      const uncounted = await tablesDB.listRows({
        databaseId: 'main',
        tableId: 'bookings',
        queries: [Query.limit(1)],
        total: false,
      })
      expect(uncounted.total).toBe(0)
      expect(httpLog().at(-1)?.params).toMatchObject({ total: 'false' })
    })

    it('should refuse an unknown attribute and a malformed query with general_query_invalid', async () => {
      const unknown = await rejection(
        tablesDB.listRows({
          databaseId: 'main',
          tableId: 'bookings',
          queries: [Query.equal('therapistId', 'x')],
        }),
      )
      expect(unknown).toMatchObject(
        appwriteError(
          400,
          'general_query_invalid',
          'Invalid query: Attribute not found in schema: therapistId',
        ),
      )
      const malformed = await rejection(
        tablesDB.listRows({ databaseId: 'main', tableId: 'bookings', queries: ['{not json'] }),
      )
      expect(malformed).toMatchObject(appwriteError(400, 'general_query_invalid'))
    })
  })

  it('should throw AppwriteException with the server code, type, message and raw response', async () => {
    await tablesDB.createRow({ ...b1, data: booking() })
    const duplicate = await rejection(tablesDB.createRow({ ...b1, data: booking() }))
    expect(duplicate).toBeInstanceOf(AppwriteException)
    expect(duplicate).toMatchObject({
      name: 'AppwriteException',
      code: 409,
      type: 'row_already_exists',
      message:
        "Row with the requested ID 'b1' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
    })
    expect(JSON.parse(duplicate.response)).toEqual({
      message: duplicate.message,
      code: 409,
      type: 'row_already_exists',
      version: '1.9.6',
    })
    const invalid = await rejection(
      tablesDB.createRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId: 'b2',
        data: booking({ therapistId: 't1' }),
      }),
    )
    expect(invalid).toMatchObject(
      appwriteError(
        400,
        'row_invalid_structure',
        'Invalid document structure: Unknown attribute: "therapistId"',
      ),
    )
    const noTable = await rejection(tablesDB.listRows({ databaseId: 'main', tableId: 'chats' }))
    expect(noTable).toMatchObject(appwriteError(404, 'table_not_found'))
  })

  it('should apply the server id rules and pick an id for unique()', async () => {
    const picked = await tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: 'unique()',
      data: booking(),
    })
    expect(picked.$id).toMatch(/^[0-9a-f]{20}$/)
    const client = await tablesDB.createRow({
      databaseId: 'main',
      tableId: 'bookings',
      rowId: ID.unique(),
      data: booking(),
    })
    expect(client.$id).toMatch(/^[0-9a-f]{20}$/)
    const tooLong = await rejection(
      tablesDB.createRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId: 'x'.repeat(37),
        data: booking(),
      }),
    )
    expect(tooLong).toMatchObject(appwriteError(400, 'general_argument_invalid'))
    expect(tooLong.message).toMatch(
      /^Invalid `rowId` param: Parameter must contain at most 36 chars/,
    )
    const leadingUnderscore = await rejection(
      tablesDB.createRow({
        databaseId: 'main',
        tableId: 'bookings',
        rowId: ID.custom('_b'),
        data: booking(),
      }),
    )
    expect(leadingUnderscore).toMatchObject(appwriteError(400, 'general_argument_invalid'))
  })

  it('should increment and decrement a column within its limits', async () => {
    await admin.createRow({ ...b1, data: booking({ seats: 1 }) })
    const up = await tablesDB.incrementRowColumn({
      ...b1,
      column: 'seats',
      value: 3,
      max: 10,
    })
    expect(up.seats).toBe(4)
    const down = await tablesDB.decrementRowColumn({
      ...b1,
      column: 'seats',
      min: 0,
    })
    expect(down.seats).toBe(3)
    const over = await rejection(
      tablesDB.incrementRowColumn({
        ...b1,
        column: 'seats',
        value: 5,
        max: 5,
      }),
    )
    expect(over).toMatchObject({ code: 400 })
    expect((await admin.getRow(b1)).seats).toBe(3)
    expect(
      httpLog()
        .slice(1, 3)
        .map((entry) => [entry.method, entry.url.split('?')[0], entry.status]),
    ).toEqual([
      ['PATCH', '/v1/tablesdb/main/tables/bookings/rows/b1/seats/increment', 200],
      ['PATCH', '/v1/tablesdb/main/tables/bookings/rows/b1/seats/decrement', 200],
    ])
  })

  it('should create, upsert, update and delete rows in bulk with node-appwrite', async () => {
    const created = await admin.createRows({
      databaseId: 'main',
      tableId: 'bookings',
      rows: [
        { $id: 'a', ...booking() },
        { $id: 'b', ...booking({ price: 1 }) },
      ],
    })
    expect(created.total).toBe(2)
    expect(created.rows.map((row) => row.$id)).toEqual(['a', 'b'])
    const upserted = await admin.upsertRows({
      databaseId: 'main',
      tableId: 'bookings',
      rows: [
        { $id: 'b', ...booking({ price: 2 }) },
        { $id: 'c', ...booking() },
      ],
    })
    expect(upserted.rows.map((row) => row.$id)).toEqual(['b', 'c'])
    const updated = await admin.updateRows({
      databaseId: 'main',
      tableId: 'bookings',
      data: { status: 'accepted' },
      queries: [Query.equal('$id', ['a', 'c'])],
    })
    expect(updated.total).toBe(2)
    const deleted = await admin.deleteRows({
      databaseId: 'main',
      tableId: 'bookings',
      queries: [Query.equal('status', 'accepted')],
    })
    expect(deleted.total).toBe(2)
    const left = await admin.listRows({ databaseId: 'main', tableId: 'bookings' })
    expect(left.rows.map((row) => [row.$id, row.price])).toEqual([['b', 2]])
    expect(httpLog().map((entry) => `${entry.method} ${entry.status}`)).toEqual([
      'POST 201',
      'PUT 200',
      'PATCH 200',
      'DELETE 200',
      'GET 200',
    ])
  })

  it('should refuse bulk writes without the API key with general_unauthorized_scope', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await raw('/tablesdb/main/tables/bookings/rows', {
        method,
        body: JSON.stringify(
          method === 'PATCH'
            ? { data: { status: 'accepted' } }
            : { rows: [{ $id: 'x', ...booking() }] },
        ),
      })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ type: 'general_unauthorized_scope', code: 401 })
    }
    expect(fake.snapshot().main?.bookings).toEqual([])
  })

  it('should tell createRow from createRows by the body, as the server does', async () => {
    const post = async (body: unknown) => {
      const response = await raw('/tablesdb/main/tables/bookings/rows', {
        method: 'POST',
        key: emulator.apiKey,
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    expect(await post({ rowId: 'x', data: booking(), rows: [booking()] })).toMatchObject({
      status: 400,
      body: {
        type: 'general_bad_request',
        message: 'You can only send one of the following parameters: data, rows',
      },
    })
    expect(await post({ data: booking() })).toMatchObject({
      status: 400,
      body: { type: 'row_missing_data', message: 'Row ID is required when creating a single row.' },
    })
    expect(await post({ rowId: 'x', rows: [booking()] })).toMatchObject({
      status: 400,
      body: {
        type: 'general_bad_request',
        message:
          'Param "rowId" is not allowed when creating multiple rows, set "$id" on each instead.',
      },
    })
    expect(await post({ rows: [booking()], permissions: ['read("any")'] })).toMatchObject({
      status: 400,
      body: { type: 'general_bad_request' },
    })
    expect(await post({})).toMatchObject({
      status: 400,
      body: {
        type: 'row_missing_data',
        message: 'The row data is missing. Try again with row data populated.',
      },
    })
    const documents = await raw('/databases/main/collections/bookings/documents', {
      method: 'POST',
      key: emulator.apiKey,
      body: JSON.stringify({ data: booking() }),
    })
    expect(await documents.json()).toMatchObject({
      type: 'document_missing_data',
      message: 'Document ID is required when creating a single document.',
    })
  })

  it('should answer unknown routes and methods with 404 general_route_not_found', async () => {
    const unknown = await raw('/nope/items')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({
      type: 'general_route_not_found',
      message:
        'Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details.',
    })
    const wrongMethod = await raw('/tablesdb/main/tables/bookings/rows/b1', {
      method: 'POST',
      body: '{}',
    })
    expect(wrongMethod.status).toBe(404)
    expect(await wrongMethod.json()).toMatchObject({ type: 'general_route_not_found' })
    const noProject = await raw('/nope', { project: null })
    expect(await noProject.json()).toMatchObject({ type: 'general_route_not_found' })
  })

  it('should answer a service it does not serve with 405 general_not_implemented naming it', async () => {
    const locale = await rejection(new Locale(web).listCountries())
    expect(locale).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((locale as Error).message).toBe(
      "the emulator does not serve Appwrite's Locale service (GET /v1/locale/countries): it serves Account, Users, Teams, TablesDB, Databases, Storage, Functions and Realtime; test the calls to Locale against a real Appwrite, or give your code a stand-in for it in tests",
    )
    const presence = await rejection(new server.Presences(serverClient(emulator)).list())
    expect(presence).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect((presence as Error).message).toContain(
      "Appwrite's Presences service (GET /v1/presences)",
    )
    const health = await raw('/health', { key: emulator.apiKey })
    expect(health.status).toBe(405)
    expect(await health.json()).toMatchObject({
      type: 'general_not_implemented',
      message: expect.stringContaining("Appwrite's Health service (GET /v1/health)"),
    })
    const avatars = await raw('/avatars/initials?name=Ada', { project: null })
    expect(avatars.status).toBe(405)
    expect(await avatars.json()).toMatchObject({ type: 'general_not_implemented' })
    // An unknown project is still refused first, as on every route.
    const otherProject = await raw('/locale', { project: 'other' })
    expect(await otherProject.json()).toMatchObject({ type: 'project_not_found' })
  })

  it('should answer an unknown project with 404 project_not_found, also on unknown routes', async () => {
    const other = new TablesDB(new Client().setEndpoint(emulator.endpoint).setProject('other'))
    const error = await rejection(other.listRows({ databaseId: 'main', tableId: 'bookings' }))
    expect(error).toMatchObject(
      appwriteError(
        404,
        'project_not_found',
        'Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.',
      ),
    )
    const unknownRoute = await raw('/teams', { project: 'other' })
    expect(await unknownRoute.json()).toMatchObject({ type: 'project_not_found' })
    // Without a project the server lands in its console project, which serves no database route.
    const noProject = await raw('/tablesdb/main/tables/bookings/rows', { project: null })
    expect(noProject.status).toBe(401)
    expect(await noProject.json()).toMatchObject({
      type: 'general_access_forbidden',
      message:
        'No Appwrite project was specified. Please specify your project ID when initializing your Appwrite SDK.',
    })
  })

  it('should answer a wrong API key with 401 user_unauthorized', async () => {
    const client = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey('wrong-key')
    const error = await rejection(
      new server.TablesDB(client).listRows({ databaseId: 'main', tableId: 'bookings' }),
    )
    expect(error).toMatchObject(
      appwriteError(
        401,
        'user_unauthorized',
        'The current user is not authorized to perform the requested action.',
      ),
    )
    expect(error).toBeInstanceOf(server.AppwriteException)
  })

  it('should answer CORS preflights with 204 and echo the origin on every answer', async () => {
    const preflight = await fetch(`${emulator.endpoint}/tablesdb/main/tables/bookings/rows`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-appwrite-project',
      },
    })
    expect(preflight.status).toBe(204)
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-max-age': '86400',
    })
    const allowed = preflight.headers.get('access-control-allow-headers')?.split(', ') ?? []
    expect(allowed).toEqual(
      expect.arrayContaining([
        'Content-Type',
        'X-Appwrite-Project',
        'X-Appwrite-JWT',
        'X-Appwrite-Key',
        'X-SDK-Version',
      ]),
    )
    const get = await raw('/tablesdb/main/tables/bookings/rows', {
      headers: { origin: 'http://app.test' },
    })
    expect(get.headers.get('access-control-allow-origin')).toBe('http://app.test')
    const failed = await raw('/nope', { headers: { origin: 'http://app.test' } })
    expect(failed.headers.get('access-control-allow-origin')).toBe('http://app.test')
    const noOrigin = await raw('/tablesdb/main/tables/bookings/rows')
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('should send JSON bodies with the server content type and errors as message, code, type, version', async () => {
    const response = await raw('/tablesdb/main/tables/bookings/rows/missing')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    expect(await response.json()).toEqual({
      message: "Row with the requested ID 'missing' could not be found.",
      code: 404,
      type: 'row_not_found',
      version: '1.9.6',
    })
    const deleted = await raw('/tablesdb/main/tables/bookings/rows/missing', {
      method: 'DELETE',
      key: emulator.apiKey,
      body: '{}',
    })
    expect(deleted.status).toBe(404)
  })

  it('should answer a delete with 204 and no body', async () => {
    await admin.createRow({ ...b1, data: booking() })
    const response = await raw('/tablesdb/main/tables/bookings/rows/b1', {
      method: 'DELETE',
      body: '{}',
    })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(response.headers.get('content-type')).toBeNull()
  })

  it('should pass transactionId to the fake, which refuses an unknown transaction', async () => {
    const error = await rejection(
      tablesDB.createRow({
        ...b1,
        data: booking(),
        transactionId: 'tx1',
      }),
    )
    expect(error).toMatchObject(appwriteError(404, 'transaction_not_found'))
  })

  it('should answer injected Appwrite faults with their status and cut the connection on network faults', async () => {
    fake.faults.fail({ operation: 'createRow', error: 'general_rate_limit_exceeded', times: 1 })
    const limited = await rejection(tablesDB.createRow({ ...b1, data: booking() }))
    expect(limited).toMatchObject(appwriteError(429, 'general_rate_limit_exceeded'))
    fake.faults.fail({ operation: 'getRow', error: 'network', times: 1 })
    await admin.createRow({ ...b1, data: booking() })
    const cut = await tablesDB.getRow(b1).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(cut).toBeInstanceOf(TypeError)
    expect((cut as Error).message).toBe('fetch failed')
    expect(await tablesDB.getRow(b1)).toMatchObject({
      $id: 'b1',
    })
    expect(httpLog().find((entry) => entry.status === 0)).toMatchObject({ method: 'GET' })
  })

  it('should hold a hung call until the rule releases it', async () => {
    const hang = fake.faults.hang({ operation: 'createRow', times: 1 })
    let settled = false
    const pending = tablesDB.createRow({ ...b1, data: booking() }).finally(() => {
      settled = true
    })
    await expect.poll(() => hang.pending).toBe(1)
    expect(settled).toBe(false)
    hang.release()
    expect(await pending).toMatchObject({ $id: 'b1' })
  })

  it('should delay every answer by latencyMs', async () => {
    emulator.latencyMs = 80
    const started = performance.now()
    await tablesDB.listRows({ databaseId: 'main', tableId: 'bookings' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(75)
    expect(() => {
      emulator.latencyMs = -1
    }).toThrow(RangeError)
  })

  it('should log every request with its parameters, status and error type', async () => {
    await tablesDB.listRows({ databaseId: 'main', tableId: 'bookings', queries: [Query.limit(5)] })
    await rejection(tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId: 'zz' }))
    expect(httpLog()).toEqual([
      expect.objectContaining({
        type: 'http',
        method: 'GET',
        status: 200,
        params: { queries: ['{"method":"limit","values":[5]}'] },
      }),
      expect.objectContaining({
        method: 'GET',
        url: '/v1/tablesdb/main/tables/bookings/rows/zz',
        status: 404,
        error: 'row_not_found',
      }),
    ])
    expect(httpLog()[0]?.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('should answer ping with Pong!', async () => {
    expect(await web.ping()).toEqual({ message: 'Pong!' })
  })

  it('should sign a test user in with a JWT or a session from the shortcut', async () => {
    const jwt = emulator.createJWT('u1', { name: 'Ada', email: 'ada@example.com', labels: ['vip'] })
    const asUser = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(jwt)
    expect(await new Account(asUser).get()).toMatchObject({
      $id: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      labels: ['vip'],
    })
    const session = emulator.createSession('u2')
    const ssr = new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setSession(session)
    expect(await new server.Account(ssr).get()).toMatchObject({ $id: 'u2' })
    const guest = await rejection(new Account(web).get())
    expect(guest).toMatchObject(
      appwriteError(
        401,
        'general_unauthorized_scope',
        'User (role: guests) missing scopes (["account"])',
      ),
    )
    const forged = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(`${jwt}x`)
    const invalid = await rejection(new Account(forged).get())
    expect(invalid).toMatchObject(
      appwriteError(
        401,
        'user_jwt_invalid',
        'Failed to verify JWT. Invalid token: Signature failed',
      ),
    )
  })

  it('should refuse a JWT and a session in the same request', async () => {
    const response = await raw('/account', {
      headers: {
        'x-appwrite-jwt': emulator.createJWT('u1'),
        'x-appwrite-session': emulator.createSession('u1'),
      },
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ type: 'user_jwt_and_cookie_set' })
    const unknownSession = await raw('/account', { headers: { 'x-appwrite-session': 'nope' } })
    expect(await unknownSession.json()).toMatchObject({ type: 'general_unauthorized_scope' })
  })

  it('should issue JWTs and sessions over HTTP to the API key only', async () => {
    const refused = await raw('/emulator/users/u3/jwts', { method: 'POST', body: '{}' })
    expect(refused.status).toBe(401)
    const issued = await raw('/emulator/users/u3/jwts', {
      method: 'POST',
      key: emulator.apiKey,
      body: JSON.stringify({ name: 'Grace' }),
    })
    expect(issued.status).toBe(201)
    const { jwt } = (await issued.json()) as { jwt: string }
    const asUser = new Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setJWT(jwt)
    expect(await new Account(asUser).get()).toMatchObject({ $id: 'u3', name: 'Grace' })
    const session = await raw('/emulator/users/u4/sessions', {
      method: 'POST',
      key: emulator.apiKey,
      body: '{}',
    })
    expect(session.status).toBe(201)
    const opened = (await session.json()) as { userId: string; secret: string }
    expect(opened.userId).toBe('u4')
    // The session value the server's cookie carries: base64 of `{"id":USER,"secret":256 hex}`.
    expect(JSON.parse(Buffer.from(opened.secret, 'base64').toString('utf8'))).toEqual({
      id: 'u4',
      secret: expect.stringMatching(/^[0-9a-f]{256}$/),
    })
  })

  it('should list its routes', () => {
    expect(emulator.routes).toEqual(
      expect.arrayContaining([
        'GET /v1/tablesdb/:databaseId/tables/:tableId/rows',
        'POST /v1/tablesdb/:databaseId/tables/:tableId/rows',
        'PATCH /v1/tablesdb/:databaseId/tables/:tableId/rows/:rowId/:column/increment',
        'DELETE /v1/databases/:databaseId/collections/:collectionId/documents/:documentId',
        'GET /v1/ping',
      ]),
    )
  })
})

describe('startAppwriteEmulator options', () => {
  it('should refuse a body larger than maxBodyBytes', async () => {
    const small = await startAppwriteEmulator({ maxBodyBytes: 64 })
    try {
      const response = await fetch(`${small.endpoint}/tablesdb/db/tables/t/rows`, {
        method: 'POST',
        headers: {
          'x-appwrite-project': small.projectId,
          'x-appwrite-key': small.apiKey,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ rowId: 'r', data: { text: 'x'.repeat(100) } }),
      })
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ type: 'general_argument_invalid' })
      expect(small.fake.snapshot()).toEqual({})
    } finally {
      await small.close()
    }
  })

  it('should print one line per entry with log: true', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const logged = await startAppwriteEmulator({ log: true })
    try {
      await fetch(`${logged.endpoint}/ping`, {
        headers: { 'x-appwrite-project': logged.projectId },
      })
      await fetch(`${logged.endpoint}/nope`, {
        headers: { 'x-appwrite-project': logged.projectId },
      })
    } finally {
      await logged.close()
    }
    expect(lines[0]).toMatch(/^\[appwrite-emulator\] GET \/v1\/ping → 200 \(\d+(\.\d+)? ms\)$/)
    expect(lines[1]).toMatch(/^\[appwrite-emulator\] GET \/v1\/nope → 404 general_route_not_found /)
  })

  it('should take a project id, an API key and a port', async () => {
    const first = await startAppwriteEmulator({ projectId: 'p1', apiKey: 'k1', strict: false })
    try {
      const busy = startAppwriteEmulator({ port: first.port })
      await expect(busy).rejects.toThrow(/EADDRINUSE/)
      const client = new server.Client().setEndpoint(first.endpoint).setProject('p1').setKey('k1')
      const created = await new server.TablesDB(client).createRow({
        databaseId: 'db',
        tableId: 't',
        rowId: 'r',
        data: { ok: true },
      })
      expect(created).toMatchObject({ $id: 'r', ok: true })
      expect(first.fake.snapshot()).toMatchObject({ db: { t: [{ $id: 'r' }] } })
    } finally {
      await first.close()
    }
    await expect(fetch(`${first.endpoint}/ping`)).rejects.toThrow('fetch failed')
  })

  it('should answer a database or table that does not exist with 404, as the server does', async () => {
    const strict = await startAppwriteEmulator()
    try {
      const client = serverClient(strict)
      const tablesDB = new server.TablesDB(client)
      const databases = new server.Databases(client)
      await expect(tablesDB.listRows({ databaseId: 'db', tableId: 't' })).rejects.toMatchObject(
        appwriteError(404, 'database_not_found'),
      )
      const { $id } = await tablesDB.createTransaction()
      await expect(
        tablesDB.createOperations({
          transactionId: $id,
          operations: [
            { action: 'create', databaseId: 'db', tableId: 't', rowId: 'r', data: { ok: true } },
          ],
        }),
      ).rejects.toMatchObject(appwriteError(404, 'database_not_found'))
      await tablesDB.create({ databaseId: 'db', name: 'DB' })
      await expect(
        tablesDB.createRow({ databaseId: 'db', tableId: 't', rowId: 'r', data: { ok: true } }),
      ).rejects.toMatchObject(appwriteError(404, 'table_not_found'))
      await expect(
        databases.getDocument({ databaseId: 'db', collectionId: 'c', documentId: 'd' }),
      ).rejects.toMatchObject(appwriteError(404, 'collection_not_found'))
    } finally {
      await strict.close()
    }
  })
})
