import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import {
  DATABASES_BASE_RUNS,
  LEGACY,
  MOVIE_COLUMNS,
  ownedBy,
  sideHeaders,
  tablesSuite,
} from './tables'

// Facts from tests/e2e/Services/Databases/DatabasesBase.php (appwrite 1.9.6) as each of the four
// classes an app's calls meet runs it: TablesDB and the legacy collection API, from a client (the
// user's session) and from a server (the API key). testValidateOperators and testSelectQueries
// run upstream on a `person` table that also has a one-to-many relationship (`libraries`); the
// emulator serves no relationship columns, so their relationship selects are left out and the
// facts about plain columns and system fields are kept. testTimeout's slow statement (a scan of
// ten documents of a large text file, cut short by a 1 ms `X-Appwrite-Timeout`) is a `hang` fault
// on the list call here, held while the fake's clock passes the limit: the emulator's in-memory
// query takes no time of its own.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'
const LEGACY_SERVER = 'tests/e2e/Services/Databases/LegacyCustomServerTest.php'

for (const run of DATABASES_BASE_RUNS) {
  const { api, side } = run
  const records = api.records
  const containerKey = api === LEGACY ? '$collectionId' : '$tableId'
  const label = api === LEGACY ? 'Document' : 'Row'

  describe(`DatabasesBase as ${run.runner} runs it`, () => {
    const t = tablesSuite('Test Database', undefined, api)
    const headers = () => sideHeaders(t, side)
    let moviesId: string
    let personId: string
    let stevieId: string

    beforeAll(async () => {
      // setupIndexes: the Movies table, without the relationship column
      moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
      // setupOneToManyRelationship: the person table and its rows, without `libraries`
      personId = await t.db.table(
        'person',
        [['string', { key: 'fullName', size: 255, required: false }]],
        {
          permissions: [
            permission.read(`user:${t.user.$id}`),
            permission.update(`user:${t.user.$id}`),
            permission.delete(`user:${t.user.$id}`),
            permission.create(`user:${t.user.$id}`),
          ],
        },
      )
      const everyone = [permission.read('any'), permission.update('any'), permission.delete('any')]
      const [stevie] = await t.db.seed(
        personId,
        t.up.key,
        [{ fullName: 'Stevie Wonder' }, { fullName: null }, { fullName: null }],
        everyone,
      )
      stevieId = stevie?.body.$id as string
    })

    if (side === 'server')
      it(`${BASE} testDatabaseStatus (${run.runner}): should create a database with the status ready, and read it back`, async () => {
        const created = await t.up.call('POST', api.base, t.up.key, {
          databaseId: 'unique()',
          name: 'Status Database',
        })
        expect(created.status).toBe(201)
        expect(created.body.status).toBe('ready')
        const got = await t.up.call('GET', `${api.base}/${created.body.$id as string}`, t.up.key)
        expect(got.status).toBe(200)
        expect(got.body.status).toBe('ready')
      })

    if (run.runner === 'LegacyCustomServerTest')
      it(`${LEGACY_SERVER} testListDocumentsRejectsInvalidLegacyQueryType: should refuse \`queries\` sent as a plain string by an SDK on format 1.7.4, before looking the collection up`, async () => {
        const refused = await t.up.call(
          'GET',
          `${api.base}/database/${api.container}/collection/${records}?queries=invalid`,
          { ...t.up.key, 'x-appwrite-response-format': '1.7.4' },
        )
        expect(refused.status).toBe(400)
        expect(refused.body.type).toBe('general_argument_invalid')
      })

    it(`${BASE} testCreateDocumentInvalidData (${run.runner}): should refuse a missing id and data that is not a JSON object, and take an object sent as JSON`, async () => {
      const rows = t.db.rows(moviesId)
      const missingId = await t.up.call('POST', rows, headers(), {
        [api.recordId]: null,
        data: { title: 'Missing ID' },
      })
      expect(missingId.status).toBe(400)
      expect(missingId.body.type).toBe(`${label.toLowerCase()}_missing_data`)

      const rowId = `invalid${side}`
      const invalid = await t.up.call('POST', rows, headers(), {
        [api.recordId]: rowId,
        data: JSON.stringify('not-an-object'),
      })
      expect(invalid.status).toBe(400)
      expect(invalid.body.type).toBe('general_argument_invalid')
      expect(invalid.body.message).toContain('Invalid `data` param')
      expect(invalid.body.message).toContain('Value must be a valid JSON object')
      expect((await t.up.call('GET', `${rows}/${rowId}`, headers())).status).toBe(404)

      const list = await t.up.call('POST', rows, headers(), {
        [api.recordId]: 'unique()',
        data: JSON.stringify([]),
      })
      expect(list.status).toBe(400)
      expect(list.body.type).toBe('general_argument_invalid')

      const encoded = await t.up.call('POST', rows, headers(), {
        [api.recordId]: 'unique()',
        data: JSON.stringify({ title: 'Encoded object', releaseYear: 2000 }),
        ...(side === 'client' ? { permissions: ownedBy(t.user.$id) } : {}),
      })
      expect(encoded.status).toBe(201)
      expect(encoded.body.title).toBe('Encoded object')

      if (side !== 'server') return
      const bulkId = 'bulknotcreated'
      const bulk = await t.up.call('POST', rows, headers(), {
        [records]: [
          { $id: bulkId, title: 'Must not be created', releaseYear: 2000 },
          JSON.stringify('not-an-object'),
        ],
      })
      expect(bulk.status).toBe(400)
      expect(bulk.body.type).toBe('general_argument_invalid')
      expect(bulk.body.message).toContain(`Invalid \`${records}\` param`)
      expect(bulk.body.message).toContain('Value must be a valid JSON object')
      expect((await t.up.call('GET', `${rows}/${bulkId}`, headers())).status).toBe(404)
    })

    it(`${BASE} testTimeout (${run.runner}): should answer 408 database_timeout when the query outlasts X-Appwrite-Timeout`, async () => {
      const slowId = await t.db.table(
        'Slow Queries',
        [['string', { key: 'longtext', size: 100000000, required: false, default: null }]],
        { permissions: [permission.create(`user:${t.user.$id}`)] },
      )
      await t.db.seed(
        slowId,
        headers(),
        Array.from({ length: 10 }, () => ({
          longtext: 'Lorem ipsum dolor sit amet. '.repeat(500),
        })),
        ownedBy(t.user.$id),
      )
      const slow = t.up.emulator.fake.faults.hang({ operation: `list${label}s`, times: 1 })
      const pending = t.up.call(
        'GET',
        t.db.rows(slowId),
        { ...headers(), 'x-appwrite-timeout': '1' },
        {
          queries: [Query.notEqual('longtext', 'appwrite')],
        },
      )
      await expect.poll(() => slow.pending).toBe(1)
      await t.clock.advance(1)
      const answer = await pending
      slow.release()
      expect(answer.status).toBe(408)
      expect(answer.body.type).toBe('database_timeout')
      const deleted = await t.up.call(
        'DELETE',
        `${api.base}/${t.db.databaseId}/${api.container}/${slowId}`,
        t.up.key,
      )
      expect(deleted.status).toBe(204)
    })

    it(`${BASE} testUniqueIndexDuplicate (${run.runner}, appwrite's main branch after 1.9.6): should refuse a create or an update that repeats a unique value with the unique-constraint error, not the duplicate-id one`, async () => {
      const tableId = await t.db.table(
        'uniqueIndexTest',
        [['string', { key: 'title', size: 256, required: true }]],
        {
          permissions: [...ownedBy(t.user.$id), permission.create(`user:${t.user.$id}`)],
        },
      )
      const write = (title: string) =>
        t.db.write(tableId, headers(), { title }, ownedBy(t.user.$id))
      await t.db.seed(
        tableId,
        headers(),
        [{ title: 'Unique Title A' }, { title: 'Unique Title B' }],
        ownedBy(t.user.$id),
      )
      const index = await t.up.call('POST', t.db.indexes(tableId), t.up.key, {
        key: 'unique_title',
        type: 'unique',
        [api.indexOn]: ['title'],
        orders: ['DESC'],
      })
      expect(index.status).toBe(202)
      const violation = `${label.toLowerCase()}_unique_constraint_violation`
      const duplicate = await write('Unique Title A')
      expect(duplicate.status).toBe(409)
      expect(duplicate.body.type).toBe(violation)
      expect(duplicate.body.message).not.toContain('requested ID')
      const other = await write('Unique Title C')
      expect(other.status).toBe(201)
      const update = await t.up.call(
        'PATCH',
        `${t.db.rows(tableId)}/${other.body.$id as string}`,
        headers(),
        {
          [api.recordId]: 'unique()',
          data: { title: 'Unique Title A' },
          permissions: ownedBy(t.user.$id),
        },
      )
      expect(update.status).toBe(409)
      expect(update.body.type).toBe(violation)
      expect(update.body.message).not.toContain('requested ID')
    })

    it(`${BASE} testGetDocumentCacheEmpty (${run.runner}, appwrite's main branch after 1.9.6): should answer a ${label.toLowerCase()} created with an id that was just read as missing`, async () => {
      const tableId = await t.db.table(
        'CacheEmpty',
        [['string', { key: 'title', size: 256, required: false }]],
        { permissions: [permission.create(`user:${t.user.$id}`)] },
      )
      const rowId = `cacheempty${side}`
      const path = `${t.db.rows(tableId)}/${rowId}`
      expect((await t.up.call('GET', path, headers())).status).toBe(404)
      const created = await t.db.write(
        tableId,
        headers(),
        { title: 'Cached Empty' },
        [permission.read(`user:${t.user.$id}`)],
        { [api.recordId]: rowId },
      )
      expect(created.status).toBe(201)
      expect(created.body.$id).toBe(rowId)
      const fetched = await t.up.call('GET', path, headers())
      expect(fetched.status).toBe(200)
      expect(fetched.body).toMatchObject({ $id: rowId, title: 'Cached Empty' })
    })

    it(`${BASE} testValidateOperators (${run.runner}): should combine isNotNull, startsWith, endsWith and a $createdAt range, and select a null column with the system fields`, async () => {
      const found = await t.up.call('GET', t.db.rows(personId), headers(), {
        queries: [
          Query.isNotNull('$id'),
          Query.select(['*']),
          Query.startsWith('fullName', 'Stevie'),
          Query.endsWith('fullName', 'Wonder'),
          Query.between('$createdAt', '1975-12-06', '2050-12-01'),
        ],
      })
      expect(found.status).toBe(200)
      expect(found.body[records]).toHaveLength(1)
      expect(found.body[records][0].$id).toBe(stevieId)
      expect(found.body[records][0].fullName).toBe('Stevie Wonder')

      const nulls = await t.up.call('GET', t.db.rows(personId), headers(), {
        queries: [Query.isNotNull('$id'), Query.isNull('fullName'), Query.select(['fullName'])],
      })
      expect(nulls.status).toBe(200)
      expect(nulls.body[records].length).toBeGreaterThanOrEqual(2)
      expect(nulls.body[records][0].fullName).toBeNull()
      expect(nulls.body[records][0]).toHaveProperty('$databaseId')
      expect(nulls.body[records][0]).toHaveProperty(containerKey)
    })

    it(`${BASE} testSelectQueries (${run.runner}): should keep the database and ${api.container} ids under a select, on list and on get`, async () => {
      const listed = await t.up.call('GET', t.db.rows(personId), headers(), {
        queries: [Query.equal('fullName', ['Stevie Wonder']), Query.select(['fullName'])],
      })
      expect(listed.status).toBe(200)
      const [first] = listed.body[records] as Array<Record<string, unknown>>
      expect(first?.fullName).toBe('Stevie Wonder')
      expect(first).toHaveProperty('$databaseId')
      expect(first).toHaveProperty(containerKey)
      const got = await t.up.call('GET', `${t.db.rows(personId)}/${stevieId}`, headers(), {
        queries: [Query.select(['fullName', '$id'])],
      })
      expect(got.status).toBe(200)
      expect(got.body.fullName).toBe('Stevie Wonder')
      expect(got.body.$id).toBe(stevieId)
    })
  })
}
