import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { must, permission } from './upstream'
import { MOVIE_COLUMNS, MOVIES, ownedBy, tablesSuite } from './tables'

// Facts from the query cases of tests/e2e/Services/Databases/DatabasesBase.php (appwrite 1.9.6) as
// tests/e2e/Services/TablesDB/TablesDBCustomClientTest.php runs them: the schema by the API key,
// the rows by a signed-in user, over the trait's `setupDocuments` (three movies, a fulltext index
// on the title) and `setupFulltextSearchDocuments` (three books).
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const t = tablesSuite('Test Database')
let moviesId: string
let booksId: string
const movieIds: string[] = []

type Row = Record<string, unknown> & { $id: string }
const titles = (rows: Row[]) => rows.map((row) => row.title)

beforeAll(async () => {
  // setupAttributes + setupIndexes, without the relationship column
  moviesId = await t.db.table('Movies', MOVIE_COLUMNS, {
    indexes: [
      ['titleIndex', 'fulltext', ['title']],
      ['releaseYear', 'key', ['releaseYear']],
      ['releaseYearDated', 'key', ['releaseYear', '$createdAt', '$updatedAt']],
      ['birthDay', 'key', ['birthDay']],
    ],
  })
  booksId = await t.db.table(
    'Books',
    [
      ['string', { key: 'title', size: 256, required: true }],
      ['string', { key: 'description', size: 2048, required: true }],
    ],
    { indexes: [['fts_description', 'fulltext', ['description']]] },
  )
  // setupDocuments: testCreateDocument's movies, the third also born in New York time
  for (const data of [
    ...MOVIES.slice(0, 2),
    { ...MOVIES[2], birthDay: '1975-06-12 14:12:55 America/New_York' },
  ]) {
    const row = must(
      await t.db.write(moviesId, t.user.headers, data, ownedBy(t.user.$id)),
      201,
      `creating movie ${data.title}`,
    )
    movieIds.push(row.body.$id as string)
    await t.clock.advance(10)
  }
  // setupFulltextSearchDocuments
  await t.db.seed(
    booksId,
    t.up.key,
    [
      {
        title: 'Science Fiction Adventures',
        description: 'A thrilling journey through space and time',
      },
      { title: 'Romance Novel', description: 'A love story set in modern times' },
      { title: 'Mystery Thriller', description: 'A detective solves complex crimes' },
    ],
    [permission.read('any')],
  )
})

describe('Queries, as the server tests them', () => {
  it(`${BASE} testListDocumentsBeforePagination: should answer the rows before a cursor, in creation order`, async () => {
    const base = await t.list(moviesId, [Query.equal('$id', movieIds)])
    expect(base.status).toBe(200)
    const rows = base.body.rows as Row[]
    expect(titles(rows)).toEqual([
      'Captain America',
      'Spider-Man: Far From Home',
      'Spider-Man: Homecoming',
    ])
    const before = await t.list(moviesId, [
      Query.equal('$id', movieIds),
      Query.cursorBefore(rows[2]?.$id as string),
    ])
    expect(before.status).toBe(200)
    expect((before.body.rows as Row[]).map((row) => row.$id)).toEqual([rows[0]?.$id, rows[1]?.$id])
    const none = await t.list(moviesId, [
      Query.equal('$id', movieIds),
      Query.cursorBefore(rows[0]?.$id as string),
    ])
    expect(none.status).toBe(200)
    expect(none.body.rows).toEqual([])
  })

  it(`${BASE} testListDocumentsBeforePagination: should answer the rows before a cursor under orderAsc and orderDesc`, async () => {
    for (const [order, years] of [
      [Query.orderAsc('releaseYear'), [1944, 2017, 2019]],
      [Query.orderDesc('releaseYear'), [2019, 2017, 1944]],
    ] as const) {
      const all = await t.list(moviesId, [Query.equal('$id', movieIds), order])
      const rows = all.body.rows as Array<Row & { releaseYear: number }>
      expect(rows.map((row) => row.releaseYear)).toEqual(years)
      const before = await t.list(moviesId, [
        Query.equal('$id', movieIds),
        Query.cursorBefore(rows[1]?.$id as string),
        order,
      ])
      expect(before.status).toBe(200)
      expect((before.body.rows as Row[]).map((row) => row.$id)).toEqual([rows[0]?.$id])
    }
  })

  it(`${BASE} testDocumentsListQueries: should search a fulltext-indexed column by word, ignoring case`, async () => {
    const captain = await t.list(moviesId, [Query.search('title', 'Captain America')])
    expect(captain.status).toBe(200)
    expect(captain.body.rows[0].releaseYear).toBe(1944)
    const byId = await t.list(moviesId, [Query.equal('$id', [captain.body.rows[0].$id as string])])
    expect(byId.status).toBe(200)
    expect(byId.body.rows).toHaveLength(1)
    expect(byId.body.rows[0].releaseYear).toBe(1944)
    const homecoming = await t.list(moviesId, [Query.search('title', 'Homecoming')])
    expect(homecoming.status).toBe(200)
    expect(homecoming.body.rows[0].releaseYear).toBe(2017)
    const spider = await t.list(moviesId, [Query.search('title', 'spider')])
    expect(spider.status).toBe(200)
    expect(
      (spider.body.rows as Array<{ releaseYear: number }>).map((row) => row.releaseYear),
    ).toEqual(expect.arrayContaining([2019, 2017]))
  })

  it(`${BASE} testDocumentsListQueries: should answer "Invalid query: Syntax error" to a query that is not JSON`, async () => {
    const bad = await t.list(moviesId, ['{"method":"contains","attribute":"title","values":[bad]}'])
    expect(bad.status).toBe(400)
    expect(bad.body.message).toBe('Invalid query: Syntax error')
    expect(bad.body.type).toBe('general_query_invalid')
  })

  it(`${BASE} testDocumentsListQueries: should match contains as a substring on a string column and as an element on an array`, async () => {
    const like = await t.list(moviesId, [Query.contains('title', ['spi'])])
    expect(like.status).toBe(200)
    expect(like.body.total).toBe(2)
    const actors = await t.list(moviesId, [
      Query.contains('actors', ['Tom Holland', 'Samuel Jackson']),
    ])
    expect(actors.status).toBe(200)
    expect(actors.body.total).toBe(3)
    const partial = await t.list(moviesId, [Query.contains('actors', ['Tom'])])
    expect(partial.status).toBe(200)
    expect(partial.body.total).toBe(0)
  })

  it(`${BASE} testDocumentsListQueries: should compare with equal, notEqual, greaterThan and lessThan`, async () => {
    const equal = await t.list(moviesId, [Query.equal('releaseYear', [1944])])
    expect(titles(equal.body.rows as Row[])).toEqual(['Captain America'])
    const notEqual = await t.list(moviesId, [Query.notEqual('releaseYear', 1944)])
    expect(notEqual.body.rows).toHaveLength(2)
    const after = await t.list(moviesId, [Query.greaterThan('$createdAt', '1976-06-12')])
    expect(after.status).toBe(200)
    expect(after.body.rows).toHaveLength(3)
    const before = await t.list(moviesId, [Query.lessThan('$createdAt', '1976-06-12')])
    expect(before.status).toBe(200)
    expect(before.body.rows).toHaveLength(0)
  })

  it(`${BASE} testDocumentsListQueries: should refuse a datetime value it cannot read and compare one with an offset in UTC`, async () => {
    const bad = await t.list(moviesId, [Query.greaterThan('birthDay', '16/01/2024 12:00:00AM')])
    expect(bad.status).toBe(400)
    expect(bad.body.message).toBe('Invalid query: Query value is invalid for attribute "birthDay"')
    const offset = await t.list(moviesId, [
      Query.greaterThan('birthDay', '1960-01-01 10:10:10+02:30'),
    ])
    expect(offset.status).toBe(200)
    expect((offset.body.rows as Array<{ birthDay: string }>).map((row) => row.birthDay)).toEqual(
      expect.arrayContaining(['1975-06-12T12:12:55.000+00:00', '1975-06-12T18:12:55.000+00:00']),
    )
  })

  it(`${BASE} testDocumentsListQueries: should match isNull on an array column never written`, async () => {
    const found = await t.list(moviesId, [Query.isNull('integers')])
    expect(found.status).toBe(200)
    expect(titles(found.body.rows as Row[])).toEqual(['Captain America'])
  })

  it(`${BASE} testDocumentsListQueries: should refuse an equal with more than 500 values, naming the column`, async () => {
    const values = Array.from({ length: 501 }, (_, i) => i)
    const found = await t.list(moviesId, [Query.equal('releaseYear', values)])
    expect(found.status).toBe(400)
    expect(found.body.message).toBe(
      'Invalid query: Query on attribute has greater than 500 values: releaseYear',
    )
  })

  it(`${BASE} testGetDocumentWithQueries: should answer a row with empty queries and with a select of columns and $sequence`, async () => {
    const row = `${t.db.rows(moviesId)}/${movieIds[0] as string}`
    const all = await t.up.call('GET', row, t.user.headers, { queries: [] })
    expect(all.status).toBe(200)
    expect(all.body).toMatchObject({ title: 'Captain America', releaseYear: 1944 })
    expect(all.body).toHaveProperty('birthDay')
    expect(all.body).toHaveProperty('$sequence')
    const selected = await t.up.call('GET', row, t.user.headers, {
      queries: [Query.select(['title', 'releaseYear', '$id', '$sequence'])],
    })
    expect(selected.status).toBe(200)
    expect(selected.body).toMatchObject({ title: 'Captain America', releaseYear: 1944 })
    expect(selected.body).not.toHaveProperty('birthDay')
  })

  it(`${BASE} testQueryBySequenceType: should find a row by its $sequence given as a string or a number`, async () => {
    const listed = await t.list(moviesId, [Query.equal('$id', movieIds)])
    const sequence = listed.body.rows[0].$sequence as unknown
    expect(typeof sequence).toBe('string')
    const byString = await t.list(moviesId, [Query.equal('$sequence', [sequence as string])])
    expect(byString.status).toBe(200)
    expect(byString.body.rows).toHaveLength(1)
    expect(byString.body.rows[0].$sequence).toBe(sequence)
    const byNumber = await t.list(moviesId, [Query.equal('$sequence', [Number(sequence)])])
    expect(byNumber.status).toBe(200)
    expect(byNumber.body.rows).toHaveLength(1)
    expect(typeof byNumber.body.rows[0].$sequence).toBe('string')
  })

  it(`${BASE} testNotSearch: should answer the rows whose fulltext column does not hold the word`, async () => {
    const found = await t.list(booksId, [Query.notSearch('description', 'space')], t.up.key)
    expect(found.status).toBe(200)
    expect(titles(found.body.rows as Row[])).toEqual(['Romance Novel', 'Mystery Thriller'])
  })

  it(`${BASE} testNotStartsWith + testNotEndsWith: should answer the rows whose value does not start or end so`, async () => {
    for (const { table, rows, query, column, expected } of [
      {
        table: 'Employees',
        rows: [
          { name: 'John Smith', department: 'Engineering' },
          { name: 'Jane Doe', department: 'Marketing' },
          { name: 'Bob Johnson', department: 'Sales' },
        ],
        query: Query.notStartsWith('name', 'John'),
        column: 'name',
        expected: ['Jane Doe', 'Bob Johnson'],
      },
      {
        table: 'Files',
        rows: [
          { filename: 'document.pdf', type: 'PDF' },
          { filename: 'image.jpg', type: 'Image' },
          { filename: 'presentation.pptx', type: 'PowerPoint' },
        ],
        query: Query.notEndsWith('filename', '.pdf'),
        column: 'filename',
        expected: ['image.jpg', 'presentation.pptx'],
      },
    ]) {
      const tableId = await t.db.stringTable(table, t.user.headers, rows, [
        permission.read(`user:${t.user.$id}`),
      ])
      const found = await t.list(tableId, [query])
      expect(found.status).toBe(200)
      expect((found.body.rows as Row[]).map((row) => row[column])).toEqual(expected)
    }
  })

  it(`${BASE} testCreatedBetween: should include both ends of the range`, async () => {
    const articles = await t.db.table('Articles', [
      ['string', { key: 'title', size: 256, required: true }],
      ['string', { key: 'content', size: 10000, required: true }],
    ])
    const created: string[] = []
    for (const title of ['First Article', 'Second Article', 'Third Article', 'Fourth Article']) {
      const row = must(
        await t.db.write(articles, t.user.headers, { title, content: `Content of ${title}` }, [
          permission.read(`user:${t.user.$id}`),
        ]),
        201,
        `creating ${title}`,
      )
      created.push(row.body.$createdAt as string)
      await t.clock.advance(500)
    }
    const range = await t.list(articles, [
      Query.createdBetween(created[0] as string, created[2] as string),
    ])
    expect(range.status).toBe(200)
    expect(titles(range.body.rows as Row[])).toEqual([
      'First Article',
      'Second Article',
      'Third Article',
    ])
    const one = await t.list(articles, [
      Query.createdBetween(created[1] as string, created[1] as string),
    ])
    expect(titles(one.body.rows as Row[])).toEqual(['Second Article'])
  })

  it(`${BASE} testUpdatedBefore + testUpdatedAfter + testUpdatedBetween: should compare $updatedAt with the instants given`, async () => {
    const tasks = await t.db.table(
      'Tasks',
      [
        ['string', { key: 'title', size: 256, required: true }],
        ['string', { key: 'status', size: 256, required: true }],
      ],
      {
        permissions: [
          permission.create(`user:${t.user.$id}`),
          permission.update(`user:${t.user.$id}`),
        ],
      },
    )
    const ids: string[] = []
    for (const title of ['Task One', 'Task Two', 'Task Three', 'Task Four']) {
      const row = must(
        await t.db.write(tasks, t.user.headers, { title, status: 'pending' }, ownedBy(t.user.$id)),
        201,
        `creating ${title}`,
      )
      ids.push(row.body.$id as string)
    }
    await t.clock.advance(500)
    const updated: string[] = []
    for (const [id, status] of [
      [ids[0], 'completed'],
      [ids[1], 'in-progress'],
      [ids[2], 'review'],
      [ids[3], 'done'],
    ] as Array<[string, string]>) {
      const answer = must(
        await t.up.call('PATCH', `${t.db.rows(tasks)}/${id}`, t.user.headers, { data: { status } }),
        200,
        `updating ${id}`,
      )
      updated.push(answer.body.$updatedAt as string)
      await t.clock.advance(500)
    }
    const before = await t.list(tasks, [Query.updatedBefore(updated[1] as string)])
    expect(before.status).toBe(200)
    expect(before.body.rows).toHaveLength(1)
    expect(before.body.rows[0]).toMatchObject({ title: 'Task One', status: 'completed' })
    const after = await t.list(tasks, [Query.updatedAfter(updated[2] as string)])
    expect(after.body.rows).toHaveLength(1)
    expect(after.body.rows[0]).toMatchObject({ title: 'Task Four', status: 'done' })
    const between = await t.list(tasks, [
      Query.updatedBetween(updated[0] as string, updated[2] as string),
    ])
    expect(titles(between.body.rows as Row[])).toEqual(['Task One', 'Task Two', 'Task Three'])
    const one = await t.list(tasks, [
      Query.updatedBetween(updated[1] as string, updated[1] as string),
    ])
    expect(titles(one.body.rows as Row[])).toEqual(['Task Two'])
  })
})
