import { Query } from 'node-appwrite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { must, permission, startUpstream } from './upstream'
import type { SignedUpUser, Upstream } from './upstream'
import { enforcementRows, MOVIE_COLUMNS, MOVIES, openDatabase, ownedBy } from './tables'
import type { TestDatabase } from './tables'

// Facts from the trait tests/e2e/Services/Databases/DatabasesBase.php (appwrite 1.9.6) as
// tests/e2e/Services/TablesDB/TablesDBCustomClientTest.php runs it: rows are written by a signed-in
// user, the schema by the API key. Method names are the trait's (`…Document`, `…Attribute`).
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

// Time is the fake's: cases that need rows created at different instants advance it.
const clock = createManualClock()
let up: Upstream
let user: SignedUpUser
let db: TestDatabase
let databaseId: string
let moviesId: string
const movies: Array<Record<string, unknown>> = []

/**
 * A new `CounterCollection` table with a required integer `count`, and one row of the user's at
 * `count`: the row's path.
 */
async function counterRow(count: number): Promise<string> {
  const tableId = await db.table('CounterCollection', [
    ['integer', { key: 'count', required: true }],
  ])
  const created = await db.write(tableId, user.headers, { count }, ownedBy(user.$id))
  return `${db.rows(tableId)}/${must(created, 201, 'creating the counter row').body.$id as string}`
}

beforeAll(async () => {
  up = await startUpstream({ fake: createFakeAppwrite({ strict: true, clock }) })
  user = await up.signUp()
  // testCreateDatabase
  db = await openDatabase(up, 'Test Database', [permission.create(`user:${user.$id}`)])
  databaseId = db.databaseId
  // testCreateCollection + testCreateAttributes, without the relationship column
  moviesId = await db.table('Movies', MOVIE_COLUMNS)
  // testCreateDocument: three movies
  for (const data of MOVIES) {
    const row = must(
      await db.write(moviesId, user.headers, data, ownedBy(user.$id)),
      201,
      `creating movie ${data.title}`,
    )
    movies.push(row.body as Record<string, unknown>)
  }
})

afterAll(async () => {
  await up.close()
})

describe('TablesDB, as the server tests it', () => {
  it(`${BASE} testCreateDatabase: should answer 201 with the name and the type tablesdb`, async () => {
    const database = await up.call('POST', '/tablesdb', up.key, {
      databaseId: 'unique()',
      name: 'Test Database',
    })
    expect(database.status).toBe(201)
    expect(database.body.$id).not.toBe('')
    expect(database.body.name).toBe('Test Database')
    expect(database.body.type).toBe('tablesdb')
  })

  it(`${BASE} testCreateAttributes: should answer 202 per column and list them in creation order`, async () => {
    const title = await up.call('POST', `${db.columns(moviesId)}/string`, up.key, {
      key: 'extra',
      size: 256,
      required: true,
    })
    expect(title.status).toBe(202)
    expect(title.body).toMatchObject({ key: 'extra', type: 'string', size: 256, required: true })
    const integers = await up.call('POST', `${db.columns(moviesId)}/integer`, up.key, {
      key: 'extraIntegers',
      required: false,
      array: true,
      min: 10,
      max: 99,
    })
    expect(integers.status).toBe(202)
    expect(integers.body).toMatchObject({
      key: 'extraIntegers',
      type: 'integer',
      required: false,
      array: true,
    })
    expect(integers.body).not.toHaveProperty('size')
    const got = await up.call('GET', `/tablesdb/${databaseId}/tables/${moviesId}`, up.key)
    expect((got.body.columns as Array<{ key: string }>).map((c) => c.key)).toEqual([
      'title',
      'description',
      'tagline',
      'releaseYear',
      'duration',
      'actors',
      'birthDay',
      'integers',
      'extra',
      'extraIntegers',
    ])
    // Leave the shared table as the other cases expect it.
    for (const key of ['extra', 'extraIntegers'])
      expect((await up.call('DELETE', `${db.columns(moviesId)}/${key}`, up.key)).status).toBe(204)
  })

  it(`${BASE} testCreateIndexes: should refuse an index the database cannot build, with the server's message`, async () => {
    const fulltextInteger = await up.call('POST', db.indexes(moviesId), up.key, {
      key: 'releaseYearDated',
      type: 'fulltext',
      columns: ['releaseYear'],
    })
    expect(fulltextInteger.status).toBe(400)
    const none = await up.call('POST', db.indexes(moviesId), up.key, {
      key: 'none',
      type: 'key',
      columns: [],
    })
    expect(none.status).toBe(400)
    expect(none.body.message).toBe('No attributes provided for index')
    const unknown = await up.call('POST', db.indexes(moviesId), up.key, {
      key: 'index-unknown',
      type: 'key',
      columns: ['Unknown'],
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.message).toContain("'Unknown' required for the index could not be found")
    for (const [type, cols] of [
      ['fulltext', ['actors']],
      ['key', ['actors']],
      ['key', ['releaseYear', 'actors']],
      ['key', ['integers']],
    ] as const) {
      const array = await up.call('POST', db.indexes(moviesId), up.key, {
        key: 'arrays',
        type,
        columns: cols,
      })
      expect(array.status).toBe(400)
      expect(array.body.message).toBe(
        'Creating indexes on array attributes is not currently supported.',
      )
    }
  })

  it(`${BASE} testCreateIndexes: should answer 202 for key indexes, system columns included, and list them available`, async () => {
    const year = await up.call('POST', db.indexes(moviesId), up.key, {
      key: 'releaseYear',
      type: 'key',
      columns: ['releaseYear'],
    })
    expect(year.status).toBe(202)
    expect(year.body).toMatchObject({ key: 'releaseYear', type: 'key', columns: ['releaseYear'] })
    const dated = await up.call('POST', db.indexes(moviesId), up.key, {
      key: 'releaseYearDated',
      type: 'key',
      columns: ['releaseYear', '$createdAt', '$updatedAt'],
    })
    expect(dated.status).toBe(202)
    expect(dated.body).toMatchObject({
      key: 'releaseYearDated',
      type: 'key',
      columns: ['releaseYear', '$createdAt', '$updatedAt'],
    })
    const got = await up.call('GET', `/tablesdb/${databaseId}/tables/${moviesId}`, up.key)
    const listed = got.body.indexes as Array<{ key: string; status: string }>
    expect(listed.map((index) => index.key)).toEqual(['releaseYear', 'releaseYearDated'])
    for (const index of listed) expect(index.status).toBe('available')
    for (const key of ['releaseYear', 'releaseYearDated'])
      expect((await up.call('DELETE', `${db.indexes(moviesId)}/${key}`, up.key)).status).toBe(204)
  })

  it(`${BASE} testCreateDocument: should store the row with its system fields and convert an offset datetime to UTC`, () => {
    const [first, second, third] = movies
    expect(first).toMatchObject({
      $tableId: moviesId,
      $databaseId: databaseId,
      title: 'Captain America',
      releaseYear: 1944,
      actors: ['Chris Evans', 'Samuel Jackson'],
      birthDay: '1975-06-12T12:12:55.000+00:00',
    })
    expect(first).not.toHaveProperty('$table')
    expect(typeof first?.$sequence).toBe('string')
    expect(first?.$permissions).toHaveLength(3)
    expect(second).toMatchObject({ duration: null, birthDay: null, integers: [50, 60] })
    expect(second?.actors).toHaveLength(3)
    expect(third).toMatchObject({ duration: 65, integers: [50] })
  })

  it(`${BASE} testCreateDocument: should answer 400 when a required column is missing`, async () => {
    const row = await db.write(moviesId, user.headers, { releaseYear: 2020 }, ownedBy(user.$id))
    expect(row.status).toBe(400)
    expect(row.body.type).toBe('row_invalid_structure')
  })

  it(`${BASE} testListDocuments: should order by a column ascending and descending, without internal fields`, async () => {
    const asc = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.orderAsc('releaseYear')],
    })
    expect(asc.status).toBe(200)
    expect(asc.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([
      1944, 2017, 2019,
    ])
    for (const row of asc.body.rows as Array<Record<string, unknown>>) {
      expect(row).not.toHaveProperty('$internalId')
      expect(row).not.toHaveProperty('$table')
      expect(row).toMatchObject({ $databaseId: databaseId, $tableId: moviesId })
    }
    const desc = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.orderDesc('releaseYear')],
    })
    expect(desc.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([
      2019, 2017, 1944,
    ])
  })

  it(`${BASE} testGetDocument: should answer each row as it was listed, without $internalId or $tenant`, async () => {
    for (const row of movies) {
      const got = await up.call('GET', `${db.rows(moviesId)}/${row.$id as string}`, user.headers)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({
        $id: row.$id,
        $tableId: moviesId,
        $databaseId: databaseId,
        title: row.title,
        releaseYear: row.releaseYear,
        $permissions: row.$permissions,
        birthDay: row.birthDay,
      })
      expect(got.body).not.toHaveProperty('$internalId')
      expect(got.body).not.toHaveProperty('$tenant')
    }
  })

  it(`${BASE} testListDocumentsLimitAndOffset: should page with limit and offset`, async () => {
    const one = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.orderAsc('releaseYear'), Query.limit(1)],
    })
    expect(one.status).toBe(200)
    expect(one.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([1944])
    const two = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.orderAsc('releaseYear'), Query.limit(2), Query.offset(1)],
    })
    expect(two.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([2017, 2019])
  })

  it(`${BASE} testListDocumentsAfterPagination: should continue after a cursor, in the order asked`, async () => {
    const base = await up.call('GET', db.rows(moviesId), user.headers)
    const ids = (base.body.rows as Array<{ $id: string }>).map((r) => r.$id)
    expect(base.body.rows.map((r: { title: string }) => r.title)).toEqual([
      'Captain America',
      'Spider-Man: Far From Home',
      'Spider-Man: Homecoming',
    ])
    const after = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.cursorAfter(ids[0] as string)],
    })
    expect(after.body.rows.map((r: { $id: string }) => r.$id)).toEqual(ids.slice(1))
    const end = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.cursorAfter(ids[2] as string)],
    })
    expect(end.status).toBe(200)
    expect(end.body.rows).toEqual([])
    const sorted = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.orderDesc('releaseYear')],
    })
    const sortedIds = (sorted.body.rows as Array<{ $id: string }>).map((r) => r.$id)
    const afterDesc = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.cursorAfter(sortedIds[1] as string), Query.orderDesc('releaseYear')],
    })
    expect(afterDesc.body.rows.map((r: { $id: string }) => r.$id)).toEqual([sortedIds[2]])
  })

  it(`${BASE} testListDocumentsAfterPagination: should answer 400 for a cursor on an unknown row or a null cursor`, async () => {
    const unknown = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: [Query.cursorAfter('unknown')],
    })
    expect(unknown.status).toBe(400)
    const empty = await up.call('GET', db.rows(moviesId), user.headers, {
      queries: ['{"method":"cursorAfter","values":[null]}'],
    })
    expect(empty.status).toBe(400)
  })

  it(`${BASE} testUpdateDocument: should merge data, replace permissions and keep the other columns`, async () => {
    const created = await db.write(
      moviesId,
      user.headers,
      {
        title: 'Thor: Ragnaroc',
        releaseYear: 2017,
        birthDay: '1976-06-12 14:12:55',
        actors: [],
      },
      ownedBy(user.$id),
    )
    expect(created.status).toBe(201)
    expect(created.body.birthDay).toBe('1976-06-12T14:12:55.000+00:00')
    const id = created.body.$id as string
    const updated = await up.call('PATCH', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Ragnarok' },
      permissions: [
        permission.read('users'),
        permission.update('users'),
        permission.delete('users'),
      ],
    })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({ $id: id, title: 'Thor: Ragnarok', releaseYear: 2017 })
    expect(updated.body.$permissions).toEqual(
      expect.arrayContaining([
        permission.read('users'),
        permission.update('users'),
        permission.delete('users'),
      ]),
    )
    const got = await up.call('GET', `${db.rows(moviesId)}/${id}`, user.headers)
    expect(got.body).toMatchObject({ title: 'Thor: Ragnarok', releaseYear: 2017 })
    await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)
  })

  it(`${BASE} testUpdateDocument: should ignore read-only system fields a client sends in data`, async () => {
    const created = await db.write(
      moviesId,
      user.headers,
      { title: 'Thor', releaseYear: 2017 },
      ownedBy(user.$id),
    )
    const id = created.body.$id as string
    const updated = await up.call(
      'PATCH',
      `${db.rows(moviesId)}/${id}`,
      { ...user.headers, 'x-appwrite-timestamp': new Date().toISOString() },
      {
        data: {
          $id: 'newId',
          $sequence: 9999,
          $tableId: 'newContainerId',
          $databaseId: 'newDatabaseId',
          $createdAt: '2024-01-01T00:00:00.000+00:00',
          $updatedAt: '2024-01-01T00:00:00.000+00:00',
          title: 'Thor: Ragnarok',
        },
      },
    )
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({
      $id: id,
      $tableId: moviesId,
      $databaseId: databaseId,
      title: 'Thor: Ragnarok',
    })
    expect(updated.body.$createdAt).not.toBe('2024-01-01T00:00:00.000+00:00')
    expect(updated.body.$updatedAt).not.toBe('2024-01-01T00:00:00.000+00:00')
    await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)
  })

  it(`${BASE} testDeleteDocument: should answer 204, then 404 on read`, async () => {
    const created = await db.write(
      moviesId,
      user.headers,
      {
        title: 'Thor: Ragnarok',
        releaseYear: 2017,
        birthDay: '1975-06-12 14:12:55',
        actors: [],
      },
      ownedBy(user.$id),
    )
    expect(created.status).toBe(201)
    const id = created.body.$id as string
    expect((await up.call('GET', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(200)
    expect((await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(204)
    expect((await up.call('GET', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(404)
  })

  it(`${BASE} testUpsertDocument: should create then update by id, and refuse a list as data`, async () => {
    const id = 'upsert-thor'
    const created = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2000 },
      permissions: ownedBy(user.$id),
    })
    expect(created.status).toBe(200)
    expect(created.body.$permissions).toHaveLength(3)
    const list = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: [{ title: 'Thor: Ragnarok 1' }, { title: 'Thor: Ragnarok 2' }],
      permissions: ownedBy(user.$id),
    })
    expect(list.status).toBe(400)
    const updated = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: ownedBy(user.$id),
    })
    expect(updated.status).toBe(200)
    expect(updated.body.title).toBe('Thor: Love and Thunder')
    const got = await up.call('GET', `${db.rows(moviesId)}/${id}`, user.headers)
    expect(got.body.title).toBe('Thor: Love and Thunder')
  })

  it(`${BASE} testUpsertDocument: should hide a row upserted without read from its client and refuse its delete with 401`, async () => {
    const id = 'upsert-no-read'
    const created = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: [permission.update(`user:${user.$id}`)],
    })
    expect(created.status).toBe(200)
    expect((await up.call('GET', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(404)
    expect((await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(401)
    const granted = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: [permission.update(`user:${user.$id}`), permission.delete(`user:${user.$id}`)],
    })
    expect(granted.status).toBe(200)
    expect((await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(204)
  })

  it(`${BASE} testUpsertDocument: should give a row upserted without permissions to its creator`, async () => {
    const id = 'upsert-default'
    const created = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2000 },
    })
    expect(created.status).toBe(200)
    expect([...(created.body.$permissions as string[])].sort()).toEqual(
      [...ownedBy(user.$id)].sort(),
    )
    const again = await up.call('PUT', `${db.rows(moviesId)}/${id}`, user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2002 },
    })
    expect(again.status).toBe(200)
    expect(again.body.releaseYear).toBe(2002)
    expect(again.body.$permissions).toEqual(created.body.$permissions)
    expect((await up.call('DELETE', `${db.rows(moviesId)}/${id}`, user.headers)).status).toBe(204)
  })

  it(`${BASE} testInvalidDocumentStructure: should accept valid formatted values and refuse bad ones with the server's messages`, async () => {
    const tableId = await db.table(
      'invalidRowStructure',
      [
        ['email', { key: 'email', required: false }],
        ['enum', { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false }],
        ['ip', { key: 'ip', required: false }],
        ['url', { key: 'url', required: false }],
        ['integer', { key: 'range', required: false, min: 1, max: 10 }],
        ['float', { key: 'probability', required: false, default: 0, min: 0, max: 1 }],
        ['integer', { key: 'upperBound', required: false, max: 10 }],
        ['integer', { key: 'lowerBound', required: false, min: 5 }],
        ['datetime', { key: 'birthDay', required: false, default: null }],
      ],
      { permissions: [permission.create('any'), permission.read('any')] },
    )
    const write = (data: Record<string, unknown>) =>
      db.write(tableId, user.headers, data, ownedBy(user.$id))
    for (const data of [
      { email: 'user@example.com' },
      { enum: 'yes' },
      { ip: '1.1.1.1' },
      { url: 'http://www.example.com' },
      { range: 3 },
      { probability: 0.99999 },
      { upperBound: 8 },
      { lowerBound: 8 },
    ])
      expect({ data, status: (await write(data)).status }).toEqual({ data, status: 201 })
    const refused: Array<[Record<string, unknown>, string]> = [
      [
        { email: 'user@@example.com' },
        'Attribute "email" has invalid format. Value must be a valid email address',
      ],
      [
        { enum: 'badEnum' },
        'Attribute "enum" has invalid format. Value must be one of (yes, no, maybe)',
      ],
      [{ ip: '1.1.1.1.1' }, 'Attribute "ip" has invalid format. Value must be a valid IP address'],
      [{ url: 'example...com' }, 'Attribute "url" has invalid format. Value must be a valid URL'],
      [
        { range: 11 },
        'Attribute "range" has invalid format. Value must be a valid range between 1 and 10',
      ],
      [
        { probability: 1.1 },
        'Attribute "probability" has invalid format. Value must be a valid range between 0 and 1',
      ],
      [
        { upperBound: 11 },
        'Attribute "upperBound" has invalid format. Value must be a valid range between -9,223,372,036,854,775,808 and 10',
      ],
      [
        { lowerBound: 3 },
        'Attribute "lowerBound" has invalid format. Value must be a valid range between 5 and 9,223,372,036,854,775,807',
      ],
    ]
    for (const [data, message] of refused) {
      const answer = await write(data)
      expect({ data, status: answer.status }).toEqual({ data, status: 400 })
      expect(answer.body.message).toContain(message)
    }
    expect((await write({ birthDay: '2020-10-10 27:30:10+01:00' })).status).toBe(400)
  })

  it(`${BASE} testInvalidDocumentStructure: should refuse a column whose definition contradicts itself`, async () => {
    const tableId = await db.table('invalidColumns', [])
    const invalidRange = await up.call('POST', `${db.columns(tableId)}/integer`, up.key, {
      key: 'invalidRange',
      required: false,
      min: 4,
      max: 3,
    })
    expect(invalidRange.status).toBe(400)
    expect(invalidRange.body.message).toBe('Minimum value must be lesser than maximum value')
    const defaultArray = await up.call('POST', `${db.columns(tableId)}/integer`, up.key, {
      key: 'defaultArray',
      required: false,
      default: 42,
      array: true,
    })
    expect(defaultArray.status).toBe(400)
    expect(defaultArray.body.message).toBe('Cannot set default value for array columns')
    const defaultRequired = await up.call('POST', `${db.columns(tableId)}/integer`, up.key, {
      key: 'defaultRequired',
      required: true,
      default: 12,
    })
    expect(defaultRequired.status).toBe(400)
    const enumDefault = await up.call('POST', `${db.columns(tableId)}/enum`, up.key, {
      key: 'enumDefault',
      elements: ['north', 'west'],
      default: 'south',
    })
    expect(enumDefault.status).toBe(400)
    const datetimeDefault = await up.call('POST', `${db.columns(tableId)}/datetime`, up.key, {
      key: 'badBirthDay',
      required: false,
      default: 'bad',
    })
    expect(datetimeDefault.status).toBe(400)
  })

  it(`${BASE} testUniqueIndexDuplicate: should answer 409 on a create or an update that repeats a unique value`, async () => {
    const tableId = await db.table('Unique', [
      ['string', { key: 'title', size: 256, required: true }],
    ])
    const index = await up.call('POST', db.indexes(tableId), up.key, {
      key: 'unique_title',
      type: 'unique',
      columns: ['title'],
    })
    expect(index.status).toBe(202)
    const write = (title: string) => db.write(tableId, user.headers, { title }, ownedBy(user.$id))
    expect((await write('Captain America')).status).toBe(201)
    const duplicate = await write('Captain America')
    expect(duplicate.status).toBe(409)
    const other = await write('Captain America 5')
    expect(other.status).toBe(201)
    const update = await up.call(
      'PATCH',
      `${db.rows(tableId)}/${other.body.$id as string}`,
      user.headers,
      {
        data: { title: 'Captain America' },
      },
    )
    expect(update.status).toBe(409)
  })

  it(`${BASE} testIncrementAttribute: should increment by 1 or by value, and refuse max, zero and unknown columns`, async () => {
    const row = await counterRow(5)
    const inc = await up.call('PATCH', `${row}/count/increment`, user.headers)
    expect(inc.status).toBe(200)
    expect(inc.body.count).toBe(6)
    expect((await up.call('GET', row, user.headers)).body.count).toBe(6)
    const inc4 = await up.call('PATCH', `${row}/count/increment`, user.headers, { value: 4 })
    expect(inc4.status).toBe(200)
    expect(inc4.body.count).toBe(10)
    expect(
      (await up.call('PATCH', `${row}/count/increment`, user.headers, { max: 8 })).status,
    ).toBe(400)
    expect((await up.call('PATCH', `${row}/unknown/increment`, user.headers)).status).toBe(404)
    expect(
      (await up.call('PATCH', `${row}/count/increment`, user.headers, { value: 0 })).status,
    ).toBe(400)
    expect((await up.call('GET', row, user.headers)).body.count).toBe(10)
  })

  it(`${BASE} testDecrementAttribute: should decrement by 1 or by value, and refuse min, zero and a non-number`, async () => {
    const row = await counterRow(10)
    const dec = await up.call('PATCH', `${row}/count/decrement`, user.headers)
    expect(dec.status).toBe(200)
    expect(dec.body.count).toBe(9)
    const dec3 = await up.call('PATCH', `${row}/count/decrement`, user.headers, { value: 3 })
    expect(dec3.body.count).toBe(6)
    expect(
      (await up.call('PATCH', `${row}/count/decrement`, user.headers, { min: 7 })).status,
    ).toBe(400)
    expect(
      (await up.call('PATCH', `${row}/count/decrement`, user.headers, { value: 'not-a-number' }))
        .status,
    ).toBe(400)
    expect(
      (await up.call('PATCH', `${row}/count/decrement`, user.headers, { value: 0 })).status,
    ).toBe(400)
    expect((await up.call('GET', row, user.headers)).body.count).toBe(6)
  })

  it(`${BASE} testCreateDocument: should convert a datetime given with a time-zone name to UTC`, async () => {
    const row = await db.write(
      moviesId,
      user.headers,
      {
        title: 'Spider-Man: Homecoming',
        releaseYear: 2017,
        birthDay: '1975-06-12 14:12:55 America/New_York',
      },
      ownedBy(user.$id),
    )
    expect(row.status).toBe(201)
    expect(row.body.birthDay).toBe('1975-06-12T18:12:55.000+00:00')
    await up.call('DELETE', `${db.rows(moviesId)}/${row.body.$id as string}`, user.headers)
  })

  it(`${BASE} testDocumentWithEmptyPayload: should answer 400 for empty data on a table with required columns`, async () => {
    const row = await db.write(moviesId, user.headers, {}, ownedBy(user.$id))
    expect(row.status).toBe(400)
  })

  it(`${BASE} testInvalidDate: should answer 400 for an invalid $updatedAt sent with the API key`, async () => {
    const payload = { title: 'Captain America', releaseYear: 1944, actors: ['Chris Evans'] }
    const invalid = await db.write(
      moviesId,
      up.key,
      { ...payload, $updatedAt: '1dfs:12:55+sdf:00' },
      ownedBy(user.$id),
    )
    expect(invalid.status).toBe(400)
    const created = await db.write(moviesId, up.key, payload, ownedBy(user.$id))
    expect(created.status).toBe(201)
    const row = `${db.rows(moviesId)}/${created.body.$id as string}`
    const invalidPatch = await up.call('PATCH', row, up.key, {
      data: { $updatedAt: '1dfs:12:55+sdf:00' },
    })
    expect(invalidPatch.status).toBe(400)
    const valid = await up.call('PATCH', row, up.key, {
      data: { $updatedAt: '2024-01-01T00:00:00Z' },
    })
    expect(valid.status).toBe(200)
    expect((await up.call('GET', row, up.key)).status).toBe(200)
    await up.call('DELETE', row, up.key)
  })

  it(`${BASE} testOrQueries: should match rows that satisfy either branch of an or`, async () => {
    const tableId = await db.table('USA Presidents', [
      ['string', { key: 'first_name', size: 256, required: true }],
      ['string', { key: 'last_name', size: 256, required: true }],
    ])
    await db.seed(
      tableId,
      user.headers,
      [
        { first_name: 'Donald', last_name: 'Trump' },
        { first_name: 'George', last_name: 'Bush' },
        { first_name: 'Joe', last_name: 'Biden' },
      ],
      ownedBy(user.$id),
    )
    const found = await up.call('GET', db.rows(tableId), user.headers, {
      queries: [
        Query.select(['first_name', 'last_name']),
        Query.or([Query.equal('first_name', ['Donald']), Query.equal('last_name', ['Bush'])]),
        Query.limit(999),
        Query.offset(0),
      ],
    })
    expect(found.status).toBe(200)
    expect(found.body.rows.map((r: { last_name: string }) => r.last_name)).toEqual([
      'Trump',
      'Bush',
    ])
  })

  it(`${BASE} testNotContains: should return the rows whose title does not contain the value`, async () => {
    const tableId = await db.table('Movies', [
      ['string', { key: 'title', size: 256, required: true }],
      ['string', { key: 'genre', size: 256, required: true }],
    ])
    await db.seed(
      tableId,
      user.headers,
      [
        { title: 'Spider-Man: Homecoming', genre: 'Action' },
        { title: 'The Avengers', genre: 'Action' },
        { title: 'Romantic Comedy', genre: 'Romance' },
      ],
      ownedBy(user.$id),
    )
    const found = await up.call('GET', db.rows(tableId), user.headers, {
      queries: [
        Query.select(['title', 'genre']),
        Query.notContains('title', ['Spider']),
        Query.limit(999),
        Query.offset(0),
      ],
    })
    expect(found.status).toBe(200)
    expect(found.body.rows.map((r: { title: string }) => r.title)).toEqual([
      'The Avengers',
      'Romantic Comedy',
    ])
  })

  it(`${BASE} testNotBetween: should return the rows outside the range`, async () => {
    const tableId = await db.table('Products', [
      ['string', { key: 'name', size: 256, required: true }],
      ['float', { key: 'price', required: true }],
    ])
    await db.seed(
      tableId,
      user.headers,
      [
        { name: 'Cheap Product', price: 5.99 },
        { name: 'Mid Product', price: 25.0 },
        { name: 'Expensive Product', price: 150.0 },
      ],
      ownedBy(user.$id),
    )
    const found = await up.call('GET', db.rows(tableId), user.headers, {
      queries: [Query.notBetween('price', 10, 50)],
    })
    expect(found.status).toBe(200)
    expect(found.body.rows.map((r: { name: string }) => r.name)).toEqual([
      'Cheap Product',
      'Expensive Product',
    ])
  })

  it(`${BASE} testCreatedBefore + testCreatedAfter: should compare $createdAt with the instant given`, async () => {
    const tableId = await db.table('Posts', [
      ['string', { key: 'title', size: 256, required: true }],
      ['string', { key: 'content', size: 512, required: true }],
    ])
    const created: string[] = []
    for (const title of ['Old Post', 'Recent Post', 'Newest Post']) {
      const row = await db.write(
        tableId,
        user.headers,
        { title, content: `This is the content of ${title}` },
        ownedBy(user.$id),
      )
      created.push(row.body.$createdAt as string)
      await clock.advance(500)
    }
    const before = await up.call('GET', db.rows(tableId), user.headers, {
      queries: [Query.createdBefore(created[1] as string)],
    })
    expect(before.status).toBe(200)
    expect(before.body.rows.map((r: { title: string }) => r.title)).toEqual(['Old Post'])
    const after = await up.call('GET', db.rows(tableId), user.headers, {
      queries: [Query.createdAfter(created[1] as string)],
    })
    expect(after.body.rows.map((r: { title: string }) => r.title)).toEqual(['Newest Post'])
  })

  it(`${BASE} testEnforceCollectionAndDocumentPermissions: should let table read see every row and row read only its rows`, async () => {
    const other = await up.signUp('Other', `other${Date.now()}`)
    const tableId = await db.table(
      'enforceCollectionAndDocumentPermissions',
      [['string', { key: 'attribute', size: 64, required: true }]],
      {
        permissions: ['read', 'create', 'update', 'delete'].map(
          (action) => `${action}("user:${user.$id}")`,
        ),
      },
    )
    const index = await up.call('POST', db.indexes(tableId), up.key, {
      key: 'key_attribute',
      type: 'key',
      columns: ['attribute'],
    })
    expect(index.status).toBe(202)
    const [, second, third] = await enforcementRows(up, db, tableId, user, other.$id)
    const all = await up.call('GET', db.rows(tableId), user.headers)
    expect(all.body.total).toBe(3)
    expect(all.body.rows).toHaveLength(3)
    expect(
      (await up.call('GET', `${db.rows(tableId)}/${third?.body.$id as string}`, user.headers))
        .status,
    ).toBe(200)
    expect(
      (await up.call('GET', `${db.rows(tableId)}/${third?.body.$id as string}`, other.headers))
        .status,
    ).toBe(200)
    expect(
      (await up.call('GET', `${db.rows(tableId)}/${second?.body.$id as string}`, other.headers))
        .status,
    ).toBe(404)
    const mine = await up.call('GET', db.rows(tableId), other.headers)
    expect(mine.body.total).toBe(1)
    expect(mine.body.rows).toHaveLength(1)
  })

  it(`${BASE} testDefaultPermissions: should give a client's row to its creator, replace permissions on update and reset them to none`, async () => {
    const created = await db.write(moviesId, user.headers, {
      title: 'Captain America',
      releaseYear: 1944,
      actors: [],
    })
    expect(created.status).toBe(201)
    expect([...(created.body.$permissions as string[])].sort()).toEqual(
      [...ownedBy(user.$id)].sort(),
    )
    const row = `${db.rows(moviesId)}/${created.body.$id as string}`
    const readUpdate = [permission.read(`user:${user.$id}`), permission.update(`user:${user.$id}`)]
    const updated = await up.call('PATCH', row, user.headers, {
      data: { title: 'Captain America 2', releaseYear: 1945, actors: [] },
      permissions: readUpdate,
    })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({ title: 'Captain America 2', releaseYear: 1945 })
    expect(updated.body.$permissions).toEqual(readUpdate)
    const got = await up.call('GET', row, user.headers)
    expect(got.body.$permissions).toEqual(readUpdate)
    const reset = await up.call('PATCH', row, user.headers, {
      data: { title: 'Captain America 3', releaseYear: 1946, actors: [] },
      permissions: [],
    })
    expect(reset.status).toBe(200)
    expect(reset.body.title).toBe('Captain America 3')
    expect(reset.body.$permissions).toEqual([])
    expect((await up.call('GET', row, user.headers)).status).toBe(404)
  })

  it(`${BASE} testUpdatePermissionsWithEmptyPayload: should update permissions alone, without data`, async () => {
    const tableId = await db.table(
      'Movies',
      [['string', { key: 'title', size: 256, required: true }]],
      {
        permissions: ['create', 'read', 'update', 'delete'].map(
          (action) => `${action}("user:${user.$id}")`,
        ),
      },
    )
    const anyone = [permission.read('any'), permission.update('any'), permission.delete('any')]
    const created = await db.write(tableId, user.headers, { title: 'Captain America' }, anyone)
    expect(created.status).toBe(201)
    expect(created.body.$permissions).toEqual(expect.arrayContaining(anyone))
    const readOnly = await up.call(
      'PATCH',
      `${db.rows(tableId)}/${created.body.$id as string}`,
      user.headers,
      { permissions: [permission.read(`user:${user.$id}`)] },
    )
    expect(readOnly.status).toBe(200)
    expect(readOnly.body.$permissions).toEqual([permission.read(`user:${user.$id}`)])
  })
})
