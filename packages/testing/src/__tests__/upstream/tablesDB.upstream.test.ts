import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { enforcementRows, MOVIE_COLUMNS, MOVIES, ownedBy, tablesSuite } from './tables'

// Facts from the trait tests/e2e/Services/Databases/DatabasesBase.php (appwrite 1.9.6) as
// tests/e2e/Services/TablesDB/TablesDBCustomClientTest.php runs it: rows are written by a signed-in
// user, the schema by the API key. Method names are the trait's (`…Document`, `…Attribute`).
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

// Time is the fake's: cases that need rows created at different instants advance it.
// The suite's database is the one upstream's testCreateDatabase makes.
const t = tablesSuite('Test Database')
let databaseId: string
let moviesId: string
const movies: Array<Record<string, unknown>> = []

/**
 * A new `CounterCollection` table with a required integer `count`, and one row of the user's at
 * `count`: the row's path.
 */
async function counterRow(count: number): Promise<string> {
  const tableId = await t.db.table('CounterCollection', [
    ['integer', { key: 'count', required: true }],
  ])
  const created = await t.db.write(tableId, t.user.headers, { count }, ownedBy(t.user.$id))
  return `${t.db.rows(tableId)}/${must(created, 201, 'creating the counter row').body.$id as string}`
}

beforeAll(async () => {
  databaseId = t.db.databaseId
  // testCreateCollection + testCreateAttributes, without the relationship column
  moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
  // testCreateDocument: three movies
  for (const data of MOVIES) {
    const row = must(
      await t.db.write(moviesId, t.user.headers, data, ownedBy(t.user.$id)),
      201,
      `creating movie ${data.title}`,
    )
    movies.push(row.body as Record<string, unknown>)
  }
})

describe('TablesDB, as the server tests it', () => {
  it(`${BASE} testCreateDatabase: should answer 201 with the name and the type tablesdb`, async () => {
    const database = await t.up.call('POST', '/tablesdb', t.up.key, {
      databaseId: 'unique()',
      name: 'Test Database',
    })
    expect(database.status).toBe(201)
    expect(database.body.$id).not.toBe('')
    expect(database.body.name).toBe('Test Database')
    expect(database.body.type).toBe('tablesdb')
  })

  it(`${BASE} testCreateAttributes: should answer 202 per column and list them in creation order`, async () => {
    const title = await t.up.call('POST', `${t.db.columns(moviesId)}/string`, t.up.key, {
      key: 'extra',
      size: 256,
      required: true,
    })
    expect(title.status).toBe(202)
    expect(title.body).toMatchObject({ key: 'extra', type: 'string', size: 256, required: true })
    const integers = await t.up.call('POST', `${t.db.columns(moviesId)}/integer`, t.up.key, {
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
    const got = await t.up.call('GET', `/tablesdb/${databaseId}/tables/${moviesId}`, t.up.key)
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
      expect((await t.up.call('DELETE', `${t.db.columns(moviesId)}/${key}`, t.up.key)).status).toBe(
        204,
      )
  })

  it(`${BASE} testCreateIndexes: should refuse an index the database cannot build, with the server's message`, async () => {
    const fulltextInteger = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
      key: 'releaseYearDated',
      type: 'fulltext',
      columns: ['releaseYear'],
    })
    expect(fulltextInteger.status).toBe(400)
    const none = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
      key: 'none',
      type: 'key',
      columns: [],
    })
    expect(none.status).toBe(400)
    expect(none.body.message).toBe('No attributes provided for index')
    const unknown = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
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
      const array = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
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
    const year = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
      key: 'releaseYear',
      type: 'key',
      columns: ['releaseYear'],
    })
    expect(year.status).toBe(202)
    expect(year.body).toMatchObject({ key: 'releaseYear', type: 'key', columns: ['releaseYear'] })
    const dated = await t.up.call('POST', t.db.indexes(moviesId), t.up.key, {
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
    const got = await t.up.call('GET', `/tablesdb/${databaseId}/tables/${moviesId}`, t.up.key)
    const listed = got.body.indexes as Array<{ key: string; status: string }>
    expect(listed.map((index) => index.key)).toEqual(['releaseYear', 'releaseYearDated'])
    for (const index of listed) expect(index.status).toBe('available')
    for (const key of ['releaseYear', 'releaseYearDated'])
      expect((await t.up.call('DELETE', `${t.db.indexes(moviesId)}/${key}`, t.up.key)).status).toBe(
        204,
      )
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
    const row = await t.db.write(
      moviesId,
      t.user.headers,
      { releaseYear: 2020 },
      ownedBy(t.user.$id),
    )
    expect(row.status).toBe(400)
    expect(row.body.type).toBe('row_invalid_structure')
  })

  it(`${BASE} testListDocuments: should order by a column ascending and descending, without internal fields`, async () => {
    const asc = await t.list(moviesId, [Query.orderAsc('releaseYear')])
    expect(asc.status).toBe(200)
    expect(asc.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([
      1944, 2017, 2019,
    ])
    for (const row of asc.body.rows as Array<Record<string, unknown>>) {
      expect(row).not.toHaveProperty('$internalId')
      expect(row).not.toHaveProperty('$table')
      expect(row).toMatchObject({ $databaseId: databaseId, $tableId: moviesId })
    }
    const desc = await t.list(moviesId, [Query.orderDesc('releaseYear')])
    expect(desc.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([
      2019, 2017, 1944,
    ])
  })

  it(`${BASE} testGetDocument: should answer each row as it was listed, without $internalId or $tenant`, async () => {
    for (const row of movies) {
      const got = await t.up.call(
        'GET',
        `${t.db.rows(moviesId)}/${row.$id as string}`,
        t.user.headers,
      )
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
    const one = await t.list(moviesId, [Query.orderAsc('releaseYear'), Query.limit(1)])
    expect(one.status).toBe(200)
    expect(one.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([1944])
    const two = await t.list(moviesId, [
      Query.orderAsc('releaseYear'),
      Query.limit(2),
      Query.offset(1),
    ])
    expect(two.body.rows.map((r: { releaseYear: number }) => r.releaseYear)).toEqual([2017, 2019])
  })

  it(`${BASE} testListDocumentsAfterPagination: should continue after a cursor, in the order asked`, async () => {
    const base = await t.up.call('GET', t.db.rows(moviesId), t.user.headers)
    const ids = (base.body.rows as Array<{ $id: string }>).map((r) => r.$id)
    expect(base.body.rows.map((r: { title: string }) => r.title)).toEqual([
      'Captain America',
      'Spider-Man: Far From Home',
      'Spider-Man: Homecoming',
    ])
    const after = await t.list(moviesId, [Query.cursorAfter(ids[0] as string)])
    expect(after.body.rows.map((r: { $id: string }) => r.$id)).toEqual(ids.slice(1))
    const end = await t.list(moviesId, [Query.cursorAfter(ids[2] as string)])
    expect(end.status).toBe(200)
    expect(end.body.rows).toEqual([])
    const sorted = await t.list(moviesId, [Query.orderDesc('releaseYear')])
    const sortedIds = (sorted.body.rows as Array<{ $id: string }>).map((r) => r.$id)
    const afterDesc = await t.list(moviesId, [
      Query.cursorAfter(sortedIds[1] as string),
      Query.orderDesc('releaseYear'),
    ])
    expect(afterDesc.body.rows.map((r: { $id: string }) => r.$id)).toEqual([sortedIds[2]])
  })

  it(`${BASE} testListDocumentsAfterPagination: should answer 400 for a cursor on an unknown row or a null cursor`, async () => {
    const unknown = await t.list(moviesId, [Query.cursorAfter('unknown')])
    expect(unknown.status).toBe(400)
    const empty = await t.list(moviesId, ['{"method":"cursorAfter","values":[null]}'])
    expect(empty.status).toBe(400)
  })

  it(`${BASE} testUpdateDocument: should merge data, replace permissions and keep the other columns`, async () => {
    const created = await t.db.write(
      moviesId,
      t.user.headers,
      {
        title: 'Thor: Ragnaroc',
        releaseYear: 2017,
        birthDay: '1976-06-12 14:12:55',
        actors: [],
      },
      ownedBy(t.user.$id),
    )
    expect(created.status).toBe(201)
    expect(created.body.birthDay).toBe('1976-06-12T14:12:55.000+00:00')
    const id = created.body.$id as string
    const updated = await t.up.call('PATCH', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
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
    const got = await t.up.call('GET', `${t.db.rows(moviesId)}/${id}`, t.user.headers)
    expect(got.body).toMatchObject({ title: 'Thor: Ragnarok', releaseYear: 2017 })
    await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)
  })

  it(`${BASE} testUpdateDocument: should ignore read-only system fields a client sends in data`, async () => {
    const created = await t.db.write(
      moviesId,
      t.user.headers,
      { title: 'Thor', releaseYear: 2017 },
      ownedBy(t.user.$id),
    )
    const id = created.body.$id as string
    const updated = await t.up.call(
      'PATCH',
      `${t.db.rows(moviesId)}/${id}`,
      { ...t.user.headers, 'x-appwrite-timestamp': new Date().toISOString() },
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
    await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)
  })

  it(`${BASE} testDeleteDocument: should answer 204, then 404 on read`, async () => {
    const created = await t.db.write(
      moviesId,
      t.user.headers,
      {
        title: 'Thor: Ragnarok',
        releaseYear: 2017,
        birthDay: '1975-06-12 14:12:55',
        actors: [],
      },
      ownedBy(t.user.$id),
    )
    expect(created.status).toBe(201)
    const id = created.body.$id as string
    expect((await t.up.call('GET', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      200,
    )
    expect((await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      204,
    )
    expect((await t.up.call('GET', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      404,
    )
  })

  it(`${BASE} testUpsertDocument: should create then update by id, and refuse a list as data`, async () => {
    const id = 'upsert-thor'
    const created = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2000 },
      permissions: ownedBy(t.user.$id),
    })
    expect(created.status).toBe(200)
    expect(created.body.$permissions).toHaveLength(3)
    const list = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: [{ title: 'Thor: Ragnarok 1' }, { title: 'Thor: Ragnarok 2' }],
      permissions: ownedBy(t.user.$id),
    })
    expect(list.status).toBe(400)
    const updated = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: ownedBy(t.user.$id),
    })
    expect(updated.status).toBe(200)
    expect(updated.body.title).toBe('Thor: Love and Thunder')
    const got = await t.up.call('GET', `${t.db.rows(moviesId)}/${id}`, t.user.headers)
    expect(got.body.title).toBe('Thor: Love and Thunder')
  })

  it(`${BASE} testUpsertDocument: should hide a row upserted without read from its client and refuse its delete with 401`, async () => {
    const id = 'upsert-no-read'
    const created = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: [permission.update(`user:${t.user.$id}`)],
    })
    expect(created.status).toBe(200)
    expect((await t.up.call('GET', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      404,
    )
    expect((await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      401,
    )
    const granted = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Love and Thunder', releaseYear: 2000 },
      permissions: [
        permission.update(`user:${t.user.$id}`),
        permission.delete(`user:${t.user.$id}`),
      ],
    })
    expect(granted.status).toBe(200)
    expect((await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      204,
    )
  })

  it(`${BASE} testUpsertDocument: should give a row upserted without permissions to its creator`, async () => {
    const id = 'upsert-default'
    const created = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2000 },
    })
    expect(created.status).toBe(200)
    expect([...(created.body.$permissions as string[])].sort()).toEqual(
      [...ownedBy(t.user.$id)].sort(),
    )
    const again = await t.up.call('PUT', `${t.db.rows(moviesId)}/${id}`, t.user.headers, {
      data: { title: 'Thor: Ragnarok', releaseYear: 2002 },
    })
    expect(again.status).toBe(200)
    expect(again.body.releaseYear).toBe(2002)
    expect(again.body.$permissions).toEqual(created.body.$permissions)
    expect((await t.up.call('DELETE', `${t.db.rows(moviesId)}/${id}`, t.user.headers)).status).toBe(
      204,
    )
  })

  it(`${BASE} testInvalidDocumentStructure: should accept valid formatted values and refuse bad ones with the server's messages`, async () => {
    const tableId = await t.db.table(
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
      t.db.write(tableId, t.user.headers, data, ownedBy(t.user.$id))
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
    const tableId = await t.db.table('invalidColumns', [])
    const invalidRange = await t.up.call('POST', `${t.db.columns(tableId)}/integer`, t.up.key, {
      key: 'invalidRange',
      required: false,
      min: 4,
      max: 3,
    })
    expect(invalidRange.status).toBe(400)
    expect(invalidRange.body.message).toBe('Minimum value must be lesser than maximum value')
    const defaultArray = await t.up.call('POST', `${t.db.columns(tableId)}/integer`, t.up.key, {
      key: 'defaultArray',
      required: false,
      default: 42,
      array: true,
    })
    expect(defaultArray.status).toBe(400)
    expect(defaultArray.body.message).toBe('Cannot set default value for array columns')
    const defaultRequired = await t.up.call('POST', `${t.db.columns(tableId)}/integer`, t.up.key, {
      key: 'defaultRequired',
      required: true,
      default: 12,
    })
    expect(defaultRequired.status).toBe(400)
    const enumDefault = await t.up.call('POST', `${t.db.columns(tableId)}/enum`, t.up.key, {
      key: 'enumDefault',
      elements: ['north', 'west'],
      default: 'south',
    })
    expect(enumDefault.status).toBe(400)
    const datetimeDefault = await t.up.call('POST', `${t.db.columns(tableId)}/datetime`, t.up.key, {
      key: 'badBirthDay',
      required: false,
      default: 'bad',
    })
    expect(datetimeDefault.status).toBe(400)
  })

  it(`${BASE} testUniqueIndexDuplicate: should answer 409 on a create or an update that repeats a unique value`, async () => {
    const tableId = await t.db.table('Unique', [
      ['string', { key: 'title', size: 256, required: true }],
    ])
    const index = await t.up.call('POST', t.db.indexes(tableId), t.up.key, {
      key: 'unique_title',
      type: 'unique',
      columns: ['title'],
    })
    expect(index.status).toBe(202)
    const write = (title: string) =>
      t.db.write(tableId, t.user.headers, { title }, ownedBy(t.user.$id))
    expect((await write('Captain America')).status).toBe(201)
    const duplicate = await write('Captain America')
    expect(duplicate.status).toBe(409)
    const other = await write('Captain America 5')
    expect(other.status).toBe(201)
    const update = await t.up.call(
      'PATCH',
      `${t.db.rows(tableId)}/${other.body.$id as string}`,
      t.user.headers,
      {
        data: { title: 'Captain America' },
      },
    )
    expect(update.status).toBe(409)
  })

  it(`${BASE} testIncrementAttribute: should increment by 1 or by value, and refuse max, zero and unknown columns`, async () => {
    const row = await counterRow(5)
    const inc = await t.up.call('PATCH', `${row}/count/increment`, t.user.headers)
    expect(inc.status).toBe(200)
    expect(inc.body.count).toBe(6)
    expect((await t.up.call('GET', row, t.user.headers)).body.count).toBe(6)
    const inc4 = await t.up.call('PATCH', `${row}/count/increment`, t.user.headers, { value: 4 })
    expect(inc4.status).toBe(200)
    expect(inc4.body.count).toBe(10)
    expect(
      (await t.up.call('PATCH', `${row}/count/increment`, t.user.headers, { max: 8 })).status,
    ).toBe(400)
    expect((await t.up.call('PATCH', `${row}/unknown/increment`, t.user.headers)).status).toBe(404)
    expect(
      (await t.up.call('PATCH', `${row}/count/increment`, t.user.headers, { value: 0 })).status,
    ).toBe(400)
    expect((await t.up.call('GET', row, t.user.headers)).body.count).toBe(10)
  })

  it(`${BASE} testDecrementAttribute: should decrement by 1 or by value, and refuse min, zero and a non-number`, async () => {
    const row = await counterRow(10)
    const dec = await t.up.call('PATCH', `${row}/count/decrement`, t.user.headers)
    expect(dec.status).toBe(200)
    expect(dec.body.count).toBe(9)
    const dec3 = await t.up.call('PATCH', `${row}/count/decrement`, t.user.headers, { value: 3 })
    expect(dec3.body.count).toBe(6)
    expect(
      (await t.up.call('PATCH', `${row}/count/decrement`, t.user.headers, { min: 7 })).status,
    ).toBe(400)
    expect(
      (
        await t.up.call('PATCH', `${row}/count/decrement`, t.user.headers, {
          value: 'not-a-number',
        })
      ).status,
    ).toBe(400)
    expect(
      (await t.up.call('PATCH', `${row}/count/decrement`, t.user.headers, { value: 0 })).status,
    ).toBe(400)
    expect((await t.up.call('GET', row, t.user.headers)).body.count).toBe(6)
  })

  it(`${BASE} testCreateDocument: should convert a datetime given with a time-zone name to UTC`, async () => {
    const row = await t.db.write(
      moviesId,
      t.user.headers,
      {
        title: 'Spider-Man: Homecoming',
        releaseYear: 2017,
        birthDay: '1975-06-12 14:12:55 America/New_York',
      },
      ownedBy(t.user.$id),
    )
    expect(row.status).toBe(201)
    expect(row.body.birthDay).toBe('1975-06-12T18:12:55.000+00:00')
    await t.up.call('DELETE', `${t.db.rows(moviesId)}/${row.body.$id as string}`, t.user.headers)
  })

  it(`${BASE} testDocumentWithEmptyPayload: should answer 400 for empty data on a table with required columns`, async () => {
    const row = await t.db.write(moviesId, t.user.headers, {}, ownedBy(t.user.$id))
    expect(row.status).toBe(400)
  })

  it(`${BASE} testInvalidDate: should answer 400 for an invalid $updatedAt sent with the API key`, async () => {
    const payload = { title: 'Captain America', releaseYear: 1944, actors: ['Chris Evans'] }
    const invalid = await t.db.write(
      moviesId,
      t.up.key,
      { ...payload, $updatedAt: '1dfs:12:55+sdf:00' },
      ownedBy(t.user.$id),
    )
    expect(invalid.status).toBe(400)
    const created = await t.db.write(moviesId, t.up.key, payload, ownedBy(t.user.$id))
    expect(created.status).toBe(201)
    const row = `${t.db.rows(moviesId)}/${created.body.$id as string}`
    const invalidPatch = await t.up.call('PATCH', row, t.up.key, {
      data: { $updatedAt: '1dfs:12:55+sdf:00' },
    })
    expect(invalidPatch.status).toBe(400)
    const valid = await t.up.call('PATCH', row, t.up.key, {
      data: { $updatedAt: '2024-01-01T00:00:00Z' },
    })
    expect(valid.status).toBe(200)
    expect((await t.up.call('GET', row, t.up.key)).status).toBe(200)
    await t.up.call('DELETE', row, t.up.key)
  })

  // The same case for two query kinds: the names are built here so they read as upstream's.
  for (const { method, should, table, rows, queries, column, expected } of [
    {
      method: 'testOrQueries',
      should: 'match rows that satisfy either branch of an or',
      table: 'USA Presidents',
      rows: [
        { first_name: 'Donald', last_name: 'Trump' },
        { first_name: 'George', last_name: 'Bush' },
        { first_name: 'Joe', last_name: 'Biden' },
      ],
      queries: [
        Query.select(['first_name', 'last_name']),
        Query.or([Query.equal('first_name', ['Donald']), Query.equal('last_name', ['Bush'])]),
        Query.limit(999),
        Query.offset(0),
      ],
      column: 'last_name',
      expected: ['Trump', 'Bush'],
    },
    {
      method: 'testNotContains',
      should: 'return the rows whose title does not contain the value',
      table: 'Movies',
      rows: [
        { title: 'Spider-Man: Homecoming', genre: 'Action' },
        { title: 'The Avengers', genre: 'Action' },
        { title: 'Romantic Comedy', genre: 'Romance' },
      ],
      queries: [
        Query.select(['title', 'genre']),
        Query.notContains('title', ['Spider']),
        Query.limit(999),
        Query.offset(0),
      ],
      column: 'title',
      expected: ['The Avengers', 'Romantic Comedy'],
    },
  ])
    it(`${BASE} ${method}: should ${should}`, async () => {
      const tableId = await t.db.stringTable(table, t.user.headers, rows, ownedBy(t.user.$id))
      const found = await t.list(tableId, queries)
      expect(found.status).toBe(200)
      expect(found.body.rows.map((row: Record<string, string>) => row[column])).toEqual(expected)
    })

  it(`${BASE} testNotBetween: should return the rows outside the range`, async () => {
    const tableId = await t.db.table('Products', [
      ['string', { key: 'name', size: 256, required: true }],
      ['float', { key: 'price', required: true }],
    ])
    await t.db.seed(
      tableId,
      t.user.headers,
      [
        { name: 'Cheap Product', price: 5.99 },
        { name: 'Mid Product', price: 25.0 },
        { name: 'Expensive Product', price: 150.0 },
      ],
      ownedBy(t.user.$id),
    )
    const found = await t.list(tableId, [Query.notBetween('price', 10, 50)])
    expect(found.status).toBe(200)
    expect(found.body.rows.map((r: { name: string }) => r.name)).toEqual([
      'Cheap Product',
      'Expensive Product',
    ])
  })

  it(`${BASE} testCreatedBefore + testCreatedAfter: should compare $createdAt with the instant given`, async () => {
    const tableId = await t.db.table('Posts', [
      ['string', { key: 'title', size: 256, required: true }],
      ['string', { key: 'content', size: 512, required: true }],
    ])
    const created: string[] = []
    for (const title of ['Old Post', 'Recent Post', 'Newest Post']) {
      const row = await t.db.write(
        tableId,
        t.user.headers,
        { title, content: `This is the content of ${title}` },
        ownedBy(t.user.$id),
      )
      created.push(row.body.$createdAt as string)
      await t.clock.advance(500)
    }
    const before = await t.list(tableId, [Query.createdBefore(created[1] as string)])
    expect(before.status).toBe(200)
    expect(before.body.rows.map((r: { title: string }) => r.title)).toEqual(['Old Post'])
    const after = await t.list(tableId, [Query.createdAfter(created[1] as string)])
    expect(after.body.rows.map((r: { title: string }) => r.title)).toEqual(['Newest Post'])
  })

  it(`${BASE} testEnforceCollectionAndDocumentPermissions: should let table read see every row and row read only its rows`, async () => {
    const other = await t.up.signUp('Other', `other${Date.now()}`)
    const tableId = await t.db.table(
      'enforceCollectionAndDocumentPermissions',
      [['string', { key: 'attribute', size: 64, required: true }]],
      {
        permissions: ['read', 'create', 'update', 'delete'].map(
          (action) => `${action}("user:${t.user.$id}")`,
        ),
      },
    )
    const index = await t.up.call('POST', t.db.indexes(tableId), t.up.key, {
      key: 'key_attribute',
      type: 'key',
      columns: ['attribute'],
    })
    expect(index.status).toBe(202)
    const [, second, third] = await enforcementRows(t.up, t.db, tableId, t.user, other.$id)
    const all = await t.up.call('GET', t.db.rows(tableId), t.user.headers)
    expect(all.body.total).toBe(3)
    expect(all.body.rows).toHaveLength(3)
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/${third?.body.$id as string}`, t.user.headers))
        .status,
    ).toBe(200)
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/${third?.body.$id as string}`, other.headers))
        .status,
    ).toBe(200)
    expect(
      (await t.up.call('GET', `${t.db.rows(tableId)}/${second?.body.$id as string}`, other.headers))
        .status,
    ).toBe(404)
    const mine = await t.up.call('GET', t.db.rows(tableId), other.headers)
    expect(mine.body.total).toBe(1)
    expect(mine.body.rows).toHaveLength(1)
  })

  it(`${BASE} testDefaultPermissions: should give a client's row to its creator, replace permissions on update and reset them to none`, async () => {
    const created = await t.db.write(moviesId, t.user.headers, {
      title: 'Captain America',
      releaseYear: 1944,
      actors: [],
    })
    expect(created.status).toBe(201)
    expect([...(created.body.$permissions as string[])].sort()).toEqual(
      [...ownedBy(t.user.$id)].sort(),
    )
    const row = `${t.db.rows(moviesId)}/${created.body.$id as string}`
    const readUpdate = [
      permission.read(`user:${t.user.$id}`),
      permission.update(`user:${t.user.$id}`),
    ]
    const updated = await t.up.call('PATCH', row, t.user.headers, {
      data: { title: 'Captain America 2', releaseYear: 1945, actors: [] },
      permissions: readUpdate,
    })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({ title: 'Captain America 2', releaseYear: 1945 })
    expect(updated.body.$permissions).toEqual(readUpdate)
    const got = await t.up.call('GET', row, t.user.headers)
    expect(got.body.$permissions).toEqual(readUpdate)
    const reset = await t.up.call('PATCH', row, t.user.headers, {
      data: { title: 'Captain America 3', releaseYear: 1946, actors: [] },
      permissions: [],
    })
    expect(reset.status).toBe(200)
    expect(reset.body.title).toBe('Captain America 3')
    expect(reset.body.$permissions).toEqual([])
    expect((await t.up.call('GET', row, t.user.headers)).status).toBe(404)
  })

  it(`${BASE} testUpdatePermissionsWithEmptyPayload: should update permissions alone, without data`, async () => {
    const tableId = await t.db.table(
      'Movies',
      [['string', { key: 'title', size: 256, required: true }]],
      {
        permissions: ['create', 'read', 'update', 'delete'].map(
          (action) => `${action}("user:${t.user.$id}")`,
        ),
      },
    )
    const anyone = [permission.read('any'), permission.update('any'), permission.delete('any')]
    const created = await t.db.write(tableId, t.user.headers, { title: 'Captain America' }, anyone)
    expect(created.status).toBe(201)
    expect(created.body.$permissions).toEqual(expect.arrayContaining(anyone))
    const readOnly = await t.up.call(
      'PATCH',
      `${t.db.rows(tableId)}/${created.body.$id as string}`,
      t.user.headers,
      { permissions: [permission.read(`user:${t.user.$id}`)] },
    )
    expect(readOnly.status).toBe(200)
    expect(readOnly.body.$permissions).toEqual([permission.read(`user:${t.user.$id}`)])
  })
})
