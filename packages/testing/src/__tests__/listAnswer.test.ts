import fc from 'fast-check'
import { Query } from 'node-appwrite'
import { describe, expect, it, vi } from 'vitest'
import { startAppwriteEmulator } from '../emulator'
import { toJson } from '../emulator/http'
import { listAnswerJson, rowModelJson } from '../emulator/listAnswer'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwrite } from '../fake/createFakeAppwrite'
import { listStoredRows } from '../fake/dataRoutes'
import { AppwriteException } from '../fake/errors'

const IDS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5']
const STATUSES = ['pending', 'accepted', 'declined']
const PERMISSIONS = [
  [],
  ['read("user:u1")'],
  ['read("user:u2")', 'update("user:u2")'],
  ['read("any")'],
  ['read("users")', 'delete("user:u1")'],
]

type Service = Record<string, (params: Record<string, unknown>) => Promise<unknown>>

/**
 * A fake with a declared table `main.bookings` (row security, no table-level read, so callers see
 * only the rows they may read), a key index on `status`, and an undeclared database `loose` whose
 * tables are schemaless.
 */
async function setup() {
  const clock = createManualClock()
  const fake = createFakeAppwrite({ clock, seed: 1, strict: false })
  const ref = { databaseId: 'main', tableId: 'bookings' }
  const { admin } = fake
  await admin.create({ databaseId: 'main', name: 'Main' })
  await admin.createTable({ ...ref, name: 'Bookings', rowSecurity: true, permissions: [] })
  await admin.createStringColumn({ ...ref, key: 'status', size: 16, required: false })
  await admin.createIntegerColumn({ ...ref, key: 'price', required: false })
  await admin.createStringColumn({ ...ref, key: 'tags', size: 8, required: false, array: true })
  await admin.createStringColumn({ ...ref, key: 'note', size: 32, required: false })
  await admin.createBooleanColumn({ ...ref, key: 'done', required: false, xdefault: false })
  await admin.createIndex({ ...ref, key: 'by_status', type: 'key' as never, columns: ['status'] })
  // Every id starts out stored in both tables, so most lists answer rows.
  for (const table of [ref, { databaseId: 'loose', tableId: 'things' }])
    for (const [i, rowId] of IDS.entries())
      await fake.tablesDB.createRow({
        ...table,
        rowId,
        data: { status: STATUSES[i % 3], price: i - 2, tags: i % 2 ? ['a'] : [] },
        permissions: PERMISSIONS[i % PERMISSIONS.length],
      })
  return { fake, clock }
}

/** `arbitrary`'s value once in `every` draws, else `undefined`. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, every: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: every - 1 }, { arbitrary, weight: 1 })

const tableArb = fc.constantFrom('main.bookings', 'loose.things')

const dataArb = fc.record(
  {
    status: fc.constantFrom(...STATUSES),
    price: fc.option(fc.integer({ min: -3, max: 3 })),
    tags: fc.array(fc.constantFrom('a', 'b', 'c"d', 'é'), { maxLength: 3 }),
    note: fc.option(fc.string({ maxLength: 6 })),
    done: fc.boolean(),
  },
  { requiredKeys: [] },
)

const stepArb = fc.oneof(
  fc.record({
    kind: fc.constantFrom('create' as const, 'update' as const, 'upsert' as const),
    table: tableArb,
    id: fc.constantFrom(...IDS),
    data: dataArb,
    permissions: fc.option(fc.constantFrom(...PERMISSIONS), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('delete' as const), table: tableArb, id: fc.constantFrom(...IDS) }),
  fc.record({
    kind: fc.constantFrom(
      'addColumn' as const,
      'dropColumn' as const,
      'tableSecurity' as const,
      'tick' as const,
    ),
  }),
)

const listArb = fc.record({
  table: tableArb,
  flavor: fc.constantFrom('tablesDB' as const, 'databases' as const),
  caller: fc.constantFrom('key', 'guest', 'u1', 'u2'),
  filters: fc.oneof(
    fc.constant([] as string[]),
    fc.constantFrom(...STATUSES).map((status) => [Query.equal('status', status)]),
    fc.integer({ min: -3, max: 3 }).map((price) => [Query.greaterThan('price', price)]),
    fc.constantFrom(...IDS).map((id) => [Query.equal('$id', id)]),
    fc.constant([Query.isNull('note')]),
    // Refused: no such column on the declared table.
    fc.constant([Query.equal('unknown', 'x')]),
  ),
  orders: fc.constantFrom(
    [] as string[],
    [Query.orderDesc('$createdAt')],
    [Query.orderAsc('price'), Query.orderDesc('$id')],
  ),
  select: fc.constantFrom(
    undefined,
    [Query.select(['status', 'tags'])],
    [Query.select(['*'])],
    [Query.select(['$id', 'price'])],
  ),
  limit: sometimes(fc.integer({ min: 0, max: 4 }), 2),
  offset: sometimes(fc.integer({ min: 0, max: 2 }), 4),
  // Rare: a cursor on a row the caller cannot see fails the whole call.
  cursor: sometimes(fc.constantFrom(...IDS), 6),
  total: fc.constantFrom(undefined, true, false),
  inTransaction: sometimes(fc.constant(true), 4),
})

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never
type List = typeof listArb extends fc.Arbitrary<infer T> ? T : never

const where = (table: string) => {
  const [databaseId, tableId] = table.split('.') as [string, string]
  return { databaseId, tableId }
}

async function applyStep(fake: FakeAppwrite, step: Step, clock: { advance(ms: number): unknown }) {
  const ref = { databaseId: 'main', tableId: 'bookings' }
  switch (step.kind) {
    case 'create':
      return fake.tablesDB.createRow({ ...where(step.table), rowId: step.id, ...body(step) })
    case 'update':
      return fake.tablesDB.updateRow({ ...where(step.table), rowId: step.id, ...body(step) })
    case 'upsert':
      return fake.tablesDB.upsertRow({ ...where(step.table), rowId: step.id, ...body(step) })
    case 'delete':
      return fake.tablesDB.deleteRow({ ...where(step.table), rowId: step.id })
    case 'addColumn':
      // A new schema object: every kept text of the table's rows is stale.
      return fake.admin.createStringColumn({ ...ref, key: 'extra', size: 8, required: false })
    case 'dropColumn':
      return fake.admin.deleteColumn({ ...ref, key: 'note' })
    case 'tableSecurity':
      return fake.admin.updateTable({
        ...ref,
        name: 'Bookings',
        permissions: ['read("users")'],
        rowSecurity: true,
      })
    case 'tick':
      return clock.advance(1500)
  }
}

const body = (step: { data: Record<string, unknown>; permissions?: string[] }) => ({
  data: step.data,
  ...(step.permissions === undefined ? {} : { permissions: step.permissions }),
})

function serviceOf(fake: FakeAppwrite, list: List): Service {
  const services =
    list.caller === 'key'
      ? fake
      : fake.as(list.caller === 'guest' ? 'guest' : { userId: list.caller })
  return services[list.flavor] as unknown as Service
}

function paramsOf(list: List, transactionId: string | undefined): Record<string, unknown> {
  const { databaseId, tableId } = where(list.table)
  const queries = [
    ...list.filters,
    ...list.orders,
    ...(list.select ?? []),
    ...(list.limit === undefined ? [] : [Query.limit(list.limit)]),
    ...(list.offset === undefined ? [] : [Query.offset(list.offset)]),
    ...(list.cursor === undefined ? [] : [Query.cursorAfter(list.cursor)]),
  ]
  return {
    databaseId,
    [list.flavor === 'tablesDB' ? 'tableId' : 'collectionId']: tableId,
    queries,
    ...(list.total === undefined ? {} : { total: list.total }),
    ...(transactionId === undefined ? {} : { transactionId }),
  }
}

/** What a call answers, as bytes or as the error the emulator would send. */
async function outcome(run: () => Promise<string>): Promise<string> {
  try {
    return await run()
  } catch (error) {
    if (!(error instanceof AppwriteException)) throw error
    return `error ${error.code} ${error.type}: ${error.message}`
  }
}

/** The normal path's bytes, then the stored-rows path's, for one list call. */
async function bothWays(service: Service, method: string, params: Record<string, unknown>) {
  const normal = await outcome(async () => toJson(await service[method]!(params)))
  const fast = await outcome(async () => {
    const stored = listStoredRows(service, params)!
    const listing = await stored.listing
    return listAnswerJson(stored.flavor.containerKey, stored.flavor.bulkParam, listing)
  })
  return { normal, fast }
}

describe('listAnswer', () => {
  it('should write the same bytes as toJson of the fake’s list, for any table, rows, caller and queries', async () => {
    let answered = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(stepArb, fc.array(listArb, { maxLength: 3 })), {
          minLength: 1,
          maxLength: 14,
        }),
        async (script) => {
          const { fake, clock } = await setup()
          for (const [step, lists] of script) {
            // Refused writes (a missing row, a dropped column) are part of the script.
            await applyStep(fake, step, clock).catch((error: unknown) => {
              if (!(error instanceof AppwriteException)) throw error
            })
            for (const list of lists) {
              const service = serviceOf(fake, list)
              const method = list.flavor === 'tablesDB' ? 'listRows' : 'listDocuments'
              let transactionId: string | undefined
              if (list.inTransaction === true) {
                // A read through a transaction with a staged write: its rows are the overlay's.
                const tx = (await fake.tablesDB.createTransaction()) as { $id: string }
                transactionId = tx.$id
                await fake.tablesDB
                  .upsertRow({
                    ...where(list.table),
                    rowId: 'b0',
                    data: { status: 'accepted', note: 'staged' },
                    transactionId,
                  })
                  .catch((error: unknown) => {
                    if (!(error instanceof AppwriteException)) throw error
                  })
              }
              const params = paramsOf(list, transactionId)
              // Twice: the second time the kept texts answer.
              for (let i = 0; i < 2; i++) {
                const { normal, fast } = await bothWays(service, method, params)
                expect(fast).toBe(normal)
                if (normal.includes('"$id"')) answered++
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    )
    // The script reaches answers, not only errors.
    expect(answered).toBeGreaterThan(100)
  }, 60_000)

  it('should answer a row again after it changed, and after its table’s columns changed', async () => {
    const { fake } = await setup()
    const ref = { databaseId: 'main', tableId: 'bookings' }
    const queries = [Query.equal('$id', 'b1')]
    const list = async () => {
      const stored = listStoredRows(fake.tablesDB, { ...ref, queries })!
      return JSON.parse(listAnswerJson('$tableId', 'rows', await stored.listing)) as {
        rows: Record<string, unknown>[]
      }
    }
    expect((await list()).rows[0]).toMatchObject({ status: 'accepted', note: null })
    await fake.tablesDB.updateRow({ ...ref, rowId: 'b1', data: { status: 'declined' } })
    expect((await list()).rows[0]).toMatchObject({ status: 'declined' })
    await fake.admin.createIntegerColumn({ ...ref, key: 'seats', required: false })
    expect((await list()).rows[0]).toMatchObject({ status: 'declined', seats: null })
    await fake.admin.deleteColumn({ ...ref, key: 'note' })
    expect((await list()).rows[0]).not.toHaveProperty('note')
    // The same stored row listed through the Databases API names its collection.
    const documents = listStoredRows(fake.databases, {
      databaseId: 'main',
      collectionId: 'bookings',
      queries,
    })!
    const text = listAnswerJson('$collectionId', 'documents', await documents.listing)
    expect(JSON.parse(text)).toMatchObject({
      total: 1,
      documents: [{ $id: 'b1', $collectionId: 'bookings' }],
    })
  })

  it('should keep a row’s text for the place it was written for', () => {
    const row = {
      $id: 'r1',
      $sequence: 1,
      $createdAt: '2026-01-01T00:00:00.000+00:00',
      $updatedAt: '2026-01-01T00:00:00.000+00:00',
      $permissions: [],
      data: { n: 1 },
    }
    expect(rowModelJson('$tableId', { databaseId: 'a', tableId: 't' }, row, undefined)).toContain(
      '"$tableId":"t","$databaseId":"a"',
    )
    expect(rowModelJson('$tableId', { databaseId: 'a', tableId: 'u' }, row, undefined)).toContain(
      '"$tableId":"u","$databaseId":"a"',
    )
    expect(rowModelJson('$tableId', { databaseId: 'b', tableId: 'u' }, row, undefined)).toContain(
      '"$tableId":"u","$databaseId":"b"',
    )
  })

  it('should not know a service that is not the fake’s', () => {
    expect(listStoredRows({ listRows: async () => ({}) }, {})).toBeUndefined()
  })

  it('should send over HTTP the bytes of the fake’s own list, for current and old SDK formats, and keep its fault rules', async () => {
    const emulator = await startAppwriteEmulator()
    try {
      const { fake } = emulator
      const ref = { databaseId: 'main', tableId: 'bookings' }
      await fake.admin.create({ databaseId: 'main', name: 'Main' })
      await fake.admin.createTable({ ...ref, name: 'Bookings', rowSecurity: true, permissions: [] })
      await fake.admin.createStringColumn({ ...ref, key: 'status', size: 16, required: false })
      for (const [i, status] of ['pending', 'accepted', 'pending'].entries())
        await fake.tablesDB.createRow({
          ...ref,
          rowId: `b${i}`,
          data: { status },
          permissions: i === 0 ? ['read("user:u1")'] : [],
        })
      const queries = [Query.equal('status', 'pending'), Query.limit(5)]
      const search = queries.map((q) => `queries[]=${encodeURIComponent(q)}`).join('&')
      const get = async (
        path: string,
        headers: Record<string, string> = { 'x-appwrite-key': emulator.apiKey },
      ) => {
        const response = await fetch(`${emulator.endpoint}${path}?${search}`, {
          headers: { 'x-appwrite-project': emulator.projectId, ...headers },
        })
        return { status: response.status, text: await response.text() }
      }
      const rowsPath = '/tablesdb/main/tables/bookings/rows'
      const documentsPath = '/databases/main/collections/bookings/documents'
      expect(await get(rowsPath)).toEqual({
        status: 200,
        text: toJson(await fake.tablesDB.listRows({ ...ref, queries })),
      })
      expect(
        await get(documentsPath, {
          'x-appwrite-key': emulator.apiKey,
          'x-appwrite-response-format': '1.9.5',
        }),
      ).toEqual({
        status: 200,
        text: toJson(
          await fake.databases.listDocuments({
            databaseId: 'main',
            collectionId: 'bookings',
            queries,
          }),
        ),
      })
      // Before 1.9 the server writes `$sequence` as a number: the fake's answer, filtered.
      const old = JSON.parse(
        (
          await get(rowsPath, {
            'x-appwrite-key': emulator.apiKey,
            'x-appwrite-response-format': '1.8.0',
          })
        ).text,
      )
      expect(old.rows.map((row: { $sequence: unknown }) => row.$sequence)).toEqual([1, 3])
      // A user's JWT: the rows that user may read.
      const user = await get(rowsPath, { 'x-appwrite-jwt': emulator.createJWT('u1') })
      expect(user.text).toBe(
        toJson(await fake.as({ userId: 'u1' }).tablesDB.listRows({ ...ref, queries })),
      )
      expect(JSON.parse(user.text)).toMatchObject({ total: 1, rows: [{ $id: 'b0' }] })
      // A list method replaced on the service (a test's spy) is still the one called.
      const spy = vi.spyOn(fake.tablesDB, 'listRows')
      expect((await get(rowsPath)).text).toBe(
        toJson(await fake.tablesDB.listRows({ ...ref, queries })),
      )
      expect(spy).toHaveBeenCalledTimes(2)
      spy.mockRestore()
      // The fake's fault rules still stand in front of the list.
      fake.faults.fail({ operation: 'listRows', times: 1 })
      expect((await get(rowsPath)).status).toBe(500)
    } finally {
      await emulator.close()
    }
  })
})
