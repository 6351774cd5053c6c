import { Query } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../fake/clock'
import { createFakeAppwrite } from '../fake/createFakeAppwrite'
import type { FakeAppwriteOptions } from '../fake/createFakeAppwrite'
import { parseQueryStrings } from '../fake/queries'
import { appwriteError, mainDatabase, rejection } from './helpers'

const db = 'main'
const table = { databaseId: db, tableId: 'bookings' }

interface Booking {
  $id: string
  status: string | null
  price?: number | null
  providerId?: string
  tags?: string[]
  notes?: string
  scheduledAt?: string
}

/** Rows b1…b6, created one second apart from 2026-01-01T00:00:00Z. */
const BOOKINGS: Booking[] = [
  {
    $id: 'b1',
    status: 'pending',
    price: 100,
    providerId: 'provider-1',
    tags: ['vip', 'new'],
    notes: 'Deep tissue massage at home',
  },
  {
    $id: 'b2',
    status: 'accepted',
    price: 250,
    providerId: 'provider-2',
    tags: ['new'],
    notes: 'Thai massage',
  },
  {
    $id: 'b3',
    status: 'pending',
    price: 50,
    providerId: 'provider-1',
    tags: [],
    notes: 'Yoga class',
  },
  {
    $id: 'b4',
    status: 'declined',
    price: 100,
    providerId: 'place-9',
    tags: ['vip'],
    notes: 'Sauna',
  },
  { $id: 'b5', status: null, price: null, providerId: 'provider-3', notes: 'massage therapy' },
  { $id: 'b6', status: 'pending', providerId: 'provider-10', tags: ['late'], notes: 'Stretching' },
]

async function seeded(options: FakeAppwriteOptions = {}) {
  const clock = createManualClock({ now: Date.parse('2026-01-01T00:00:00.000Z') })
  const fake = createFakeAppwrite({ clock, ...options })
  for (const { $id, ...data } of BOOKINGS) {
    await fake.tablesDB.createRow({ ...table, rowId: $id, data })
    await clock.advance(1000)
  }
  const ids = async (...queries: string[]) =>
    (await fake.tablesDB.listRows({ ...table, queries })).rows.map((row) => row.$id)
  return { fake, clock, ids }
}

const DECLARED: FakeAppwriteOptions = {
  databases: mainDatabase({
    bookings: {
      columns: [
        { key: 'status', type: 'string' },
        { key: 'price', type: 'integer' },
        { key: 'providerId', type: 'string' },
        { key: 'tags', type: 'string', array: true },
        { key: 'notes', type: 'string', size: 1000 },
        { key: 'scheduledAt', type: 'datetime' },
      ],
      indexes: [{ key: 'notes_search', type: 'fulltext', columns: ['notes'] }],
    },
  }),
}

describe('queries', () => {
  describe('filters', () => {
    it('should match equal against any of its values', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.equal('status', 'pending'))).toEqual(['b1', 'b3', 'b6'])
      expect(await ids(Query.equal('status', ['accepted', 'declined']))).toEqual(['b2', 'b4'])
      expect(await ids(Query.equal('price', 100))).toEqual(['b1', 'b4'])
    })

    it('should exclude null and missing values from notEqual, like SQL', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.notEqual('status', 'pending'))).toEqual(['b2', 'b4'])
    })

    it('should compare numbers and strings', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.lessThan('price', 100))).toEqual(['b3'])
      expect(await ids(Query.lessThanEqual('price', 100))).toEqual(['b1', 'b3', 'b4'])
      expect(await ids(Query.greaterThan('price', 100))).toEqual(['b2'])
      expect(await ids(Query.greaterThanEqual('price', 100))).toEqual(['b1', 'b2', 'b4'])
      expect(await ids(Query.between('price', 50, 100))).toEqual(['b1', 'b3', 'b4'])
      expect(await ids(Query.greaterThan('providerId', 'provider-2'))).toEqual(['b5'])
    })

    it('should match null checks on null and missing values', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.isNull('price'))).toEqual(['b5', 'b6'])
      expect(await ids(Query.isNotNull('status'))).toEqual(['b1', 'b2', 'b3', 'b4', 'b6'])
    })

    it('should match string prefixes and suffixes', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.startsWith('providerId', 'provider-1'))).toEqual(['b1', 'b3', 'b6'])
      expect(await ids(Query.endsWith('providerId', '-9'))).toEqual(['b4'])
    })

    it('should match contains on strings (substring) and arrays (element)', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.contains('notes', 'massage'))).toEqual(['b1', 'b2', 'b5'])
      expect(await ids(Query.contains('tags', 'vip'))).toEqual(['b1', 'b4'])
      expect(await ids(Query.contains('tags', ['late', 'vip']))).toEqual(['b1', 'b4', 'b6'])
    })

    it('should match search by words, case-insensitively, the last word as a prefix', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.search('notes', 'MASSAGE'))).toEqual(['b1', 'b2', 'b5'])
      expect(await ids(Query.search('notes', 'yoga stretch'))).toEqual(['b3', 'b6'])
      expect(await ids(Query.search('notes', 'mass'))).toEqual(['b1', 'b2', 'b5'])
    })

    it('should combine nested and/or', async () => {
      const { ids } = await seeded()
      const query = Query.or([
        Query.and([Query.equal('status', 'pending'), Query.greaterThan('price', 60)]),
        Query.equal('providerId', 'place-9'),
      ])
      expect(await ids(query)).toEqual(['b1', 'b4'])
      expect(
        await ids(Query.equal('status', 'pending'), Query.equal('providerId', 'provider-1')),
      ).toEqual(['b1', 'b3'])
    })

    it('should filter on $id, $sequence, $createdAt and $updatedAt', async () => {
      const { ids, fake, clock } = await seeded()
      expect(await ids(Query.equal('$id', ['b2', 'b4']))).toEqual(['b2', 'b4'])
      expect(await ids(Query.greaterThan('$sequence', 4))).toEqual(['b5', 'b6'])
      expect(await ids(Query.createdAfter('2026-01-01T00:00:03.000Z'))).toEqual(['b5', 'b6'])
      expect(await ids(Query.createdBefore('2026-01-01T00:00:01.000+00:00'))).toEqual(['b1'])
      expect(
        await ids(Query.createdBetween('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z')),
      ).toEqual(['b2', 'b3'])
      await clock.advance(60_000)
      await fake.tablesDB.updateRow({ ...table, rowId: 'b3', data: { status: 'accepted' } })
      expect(await ids(Query.updatedAfter('2026-01-01T00:01:00.000Z'))).toEqual(['b3'])
    })

    it('should filter declared datetime columns by instant, whatever the written format', async () => {
      const { fake, ids } = await seeded(DECLARED)
      await fake.tablesDB.updateRow({
        ...table,
        rowId: 'b1',
        data: { scheduledAt: '2026-03-01 10:00:00' },
      })
      await fake.tablesDB.updateRow({
        ...table,
        rowId: 'b2',
        data: { scheduledAt: '2026-03-01T12:00:00+02:00' },
      })
      expect(await ids(Query.equal('scheduledAt', '2026-03-01T10:00:00.000Z'))).toEqual([
        'b1',
        'b2',
      ])
      expect(await ids(Query.greaterThan('scheduledAt', '2026-02-01'))).toEqual(['b1', 'b2'])
    })
  })

  describe('select, order and pagination', () => {
    it('should select columns and always keep the system fields', async () => {
      const { fake } = await seeded()
      const { rows } = await fake.tablesDB.listRows({
        ...table,
        queries: [Query.select(['status']), Query.limit(1)],
      })
      expect(rows[0]).toEqual({
        $id: 'b1',
        $sequence: '1',
        $tableId: 'bookings',
        $databaseId: 'main',
        $createdAt: '2026-01-01T00:00:00.000+00:00',
        $updatedAt: '2026-01-01T00:00:00.000+00:00',
        $permissions: [],
        status: 'pending',
      })
    })

    it('should order by several attributes, nulls first ascending, ties by $sequence', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.orderAsc('price'))).toEqual(['b5', 'b6', 'b3', 'b1', 'b4', 'b2'])
      expect(await ids(Query.orderDesc('price'))).toEqual(['b2', 'b1', 'b4', 'b3', 'b5', 'b6'])
      expect(await ids(Query.orderAsc('status'), Query.orderDesc('$createdAt'))).toEqual([
        'b5',
        'b2',
        'b4',
        'b6',
        'b3',
        'b1',
      ])
      expect(await ids(Query.orderDesc('$sequence'))).toEqual(['b6', 'b5', 'b4', 'b3', 'b2', 'b1'])
    })

    it('should page with limit and offset', async () => {
      const { ids, fake } = await seeded()
      expect(await ids(Query.limit(2), Query.offset(1))).toEqual(['b2', 'b3'])
      const page = await fake.tablesDB.listRows({ ...table, queries: [Query.limit(2)] })
      expect(page.total).toBe(6)
    })

    it('should page with cursors in the requested order', async () => {
      const { ids } = await seeded()
      expect(await ids(Query.cursorAfter('b2'), Query.limit(2))).toEqual(['b3', 'b4'])
      expect(await ids(Query.cursorBefore('b5'), Query.limit(2))).toEqual(['b3', 'b4'])
      expect(await ids(Query.orderDesc('$createdAt'), Query.cursorAfter('b4'))).toEqual([
        'b3',
        'b2',
        'b1',
      ])
      expect(await ids(Query.equal('status', 'pending'), Query.cursorAfter('b1'))).toEqual([
        'b3',
        'b6',
      ])
    })

    it('should return 25 rows by default and more with a larger limit', async () => {
      const fake = createFakeAppwrite()
      await fake.tablesDB.createRows({
        ...table,
        rows: Array.from({ length: 30 }, (_, i) => ({ $id: `r${i}`, i })),
      })
      const defaults = await fake.tablesDB.listRows(table)
      expect(defaults.rows).toHaveLength(25)
      expect(defaults.total).toBe(30)
      expect(
        (await fake.tablesDB.listRows({ ...table, queries: [Query.limit(5000)] })).rows,
      ).toHaveLength(30)
    })

    it('should cap total at 5,000 like the server', async () => {
      const fake = createFakeAppwrite()
      for (let batch = 0; batch < 51; batch++) {
        await fake.tablesDB.createRows({
          ...table,
          rows: Array.from({ length: 100 }, (_, i) => ({ $id: `r${batch}-${i}` })),
        })
      }
      expect((await fake.tablesDB.listRows({ ...table, queries: [Query.limit(1)] })).total).toBe(
        5000,
      )
    })
  })

  describe('invalid queries', () => {
    it('should refuse an unknown method instead of matching everything', async () => {
      const { fake } = await seeded()
      const error = await rejection(
        fake.tablesDB.listRows({
          ...table,
          queries: ['{"method":"matches","attribute":"status","values":["x"]}'],
        }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_query_invalid', 'Invalid query method: matches'),
      )
    })

    it('should refuse malformed JSON', async () => {
      const { fake } = await seeded()
      const error = await rejection(
        fake.tablesDB.listRows({ ...table, queries: ['status=pending'] }),
      )
      expect(error).toMatchObject(
        appwriteError(400, 'general_query_invalid', 'Invalid query: Syntax error'),
      )
      const notObject = await rejection(fake.tablesDB.listRows({ ...table, queries: ['"equal"'] }))
      expect(notObject.message).toBe('Invalid query. Must be an array, got string')
    })

    it('should refuse unknown attributes on a declared table, in filters, orders and selects', async () => {
      const { fake } = await seeded(DECLARED)
      for (const query of [
        Query.equal('therapistId', 'x'),
        Query.orderAsc('therapistId'),
        Query.select(['therapistId']),
      ]) {
        const error = await rejection(fake.tablesDB.listRows({ ...table, queries: [query] }))
        expect(error).toMatchObject(
          appwriteError(
            400,
            'general_query_invalid',
            'Invalid query: Attribute not found in schema: therapistId',
          ),
        )
      }
    })

    it('should refuse values of the wrong type for declared columns', async () => {
      const { fake } = await seeded(DECLARED)
      const error = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.equal('price', '100')] }),
      )
      expect(error).toMatchObject({
        type: 'general_query_invalid',
        message: 'Invalid query: Query value is invalid for attribute "price"',
      })
      const dates = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.createdAfter('yesterday')] }),
      )
      expect(dates.message).toBe('Invalid query: Query value is invalid for attribute "$createdAt"')
    })

    it('should refuse contains on scalar non-string columns and comparisons on array columns', async () => {
      const { fake } = await seeded(DECLARED)
      const contains = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.contains('price', [1])] }),
      )
      expect(contains.message).toBe(
        'Invalid query: Cannot query contains on attribute "price" because it is not an array, string, or object.',
      )
      const equal = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.equal('tags', 'vip')] }),
      )
      expect(equal.message).toBe(
        'Invalid query: Cannot query equal on attribute "tags" because it is an array.',
      )
    })

    it('should refuse search without a fulltext index on a declared table', async () => {
      const { fake } = await seeded(DECLARED)
      expect(
        (await fake.tablesDB.listRows({ ...table, queries: [Query.search('notes', 'massage')] }))
          .total,
      ).toBe(3)
      const error = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.search('status', 'pending')] }),
      )
      expect(error).toMatchObject({
        type: 'general_query_invalid',
        message: 'Searching by attribute "status" requires a fulltext index.',
      })
    })

    it('should refuse wrong value counts and bad logical queries', async () => {
      const { fake } = await seeded()
      const cases: Array<[string, string]> = [
        [
          Query.notEqual('status', ['a', 'b']),
          'Invalid query: NotEqual queries require exactly one value.',
        ],
        [
          '{"method":"equal","attribute":"status","values":[]}',
          'Invalid query: Equal queries require at least one value.',
        ],
        [
          '{"method":"between","attribute":"price","values":[1]}',
          'Invalid query: Between queries require exactly two values.',
        ],
        [
          Query.or([Query.equal('status', 'a')]),
          'Invalid query: Or queries require at least two queries',
        ],
        [
          Query.and([Query.equal('status', 'a'), Query.limit(1)]),
          'Invalid query: And queries can only contain filter queries',
        ],
        [
          Query.limit(0),
          'Invalid query: Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807',
        ],
        [
          Query.offset(-1),
          'Invalid query: Invalid offset: Value must be a valid range between 0 and 9,223,372,036,854,775,807',
        ],
        [Query.select(['a', 'a']), 'Invalid query: Duplicate attributes selected'],
        [
          Query.equal('$permissions', 'x'),
          'Invalid query: Attribute not found in schema: $permissions',
        ],
      ]
      for (const [query, message] of cases) {
        const error = await rejection(fake.tablesDB.listRows({ ...table, queries: [query] }))
        expect({ query, error }).toMatchObject({
          query,
          error: { code: 400, type: 'general_query_invalid', message },
        })
      }
    })

    it('should refuse a cursor on a missing row with general_cursor_not_found', async () => {
      const { fake } = await seeded()
      const error = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.cursorAfter('gone')] }),
      )
      expect(error).toMatchObject(
        appwriteError(
          400,
          'general_cursor_not_found',
          "Row 'gone' for the 'cursor' value not found.",
        ),
      )
      const invalid = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.cursorAfter('_bad')] }),
      )
      expect(invalid.message).toMatch(/^Invalid cursor: UID must contain at most 36 chars/)
    })

    it('should refuse a cursor whose order value is null', async () => {
      const { fake } = await seeded()
      const error = await rejection(
        fake.tablesDB.listRows({
          ...table,
          queries: [Query.orderAsc('price'), Query.cursorAfter('b5')],
        }),
      )
      expect(error).toMatchObject(
        appwriteError(
          400,
          'database_query_order_null',
          "The order column 'price' had a null value. Cursor pagination requires all rows order column values are non-null.",
        ),
      )
    })

    it('should refuse more than 100 queries or a query over 4,096 chars as an invalid argument', async () => {
      const { fake } = await seeded()
      const many = await rejection(
        fake.tablesDB.listRows({
          ...table,
          queries: Array.from({ length: 101 }, () => Query.limit(1)),
        }),
      )
      expect(many).toMatchObject(appwriteError(400, 'general_argument_invalid'))
      expect(many.message).toBe(
        'Invalid `queries` param: Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 4096 chars',
      )
      const long = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.equal('status', 'x'.repeat(4100))] }),
      )
      expect(long.type).toBe('general_argument_invalid')
    })

    it('should refuse spatial, vector and elemMatch queries instead of ignoring them', async () => {
      const { fake } = await seeded()
      const spatial = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.intersects('status', [[0, 0]])] }),
      )
      expect(spatial.message).toBe(
        'Invalid query: Spatial query "intersects" cannot be applied on non-spatial attribute: status',
      )
      const vector = await rejection(
        fake.tablesDB.listRows({ ...table, queries: [Query.vectorDot('status', [1, 2])] }),
      )
      expect(vector.message).toBe(
        'Invalid query: Vector queries can only be used on vector attributes',
      )
    })
  })

  describe('collation', () => {
    async function people() {
      const fake = createFakeAppwrite({
        databases: mainDatabase({
          people: {
            columns: [
              { key: 'name', type: 'string', size: 50 },
              { key: 'tags', type: 'string', size: 20, array: true },
            ],
          },
        }),
      })
      const target = { databaseId: 'main', tableId: 'people' }
      for (const [rowId, name, tags] of [
        ['a', 'Alice', ['VIP']],
        ['b', 'bob', ['vip']],
        ['c', 'ALICE ', []],
        ['d', 'Carol', []],
      ] as const)
        await fake.tablesDB.createRow({ ...target, rowId, data: { name, tags: [...tags] } })
      const ids = async (queries: string[]) =>
        (await fake.tablesDB.listRows({ ...target, queries })).rows.map((row) => row.$id)
      return { ids }
    }

    it('should ignore case and trailing spaces in =, <, between and order on text columns', async () => {
      const { ids } = await people()
      expect(await ids([Query.equal('name', 'alice')])).toEqual(['a', 'c'])
      expect(await ids([Query.notEqual('name', 'ALICE')])).toEqual(['b', 'd'])
      expect(await ids([Query.lessThan('name', 'B')])).toEqual(['a', 'c'])
      expect(await ids([Query.between('name', 'b', 'BZ')])).toEqual(['b'])
      expect(await ids([Query.orderAsc('name')])).toEqual(['a', 'c', 'b', 'd'])
    })

    it('should ignore case in contains, startsWith, endsWith and regex on text columns', async () => {
      const { ids } = await people()
      expect(await ids([Query.contains('name', 'LIC')])).toEqual(['a', 'c'])
      expect(await ids([Query.notContains('name', 'LIC')])).toEqual(['b', 'd'])
      expect(await ids([Query.startsWith('name', 'al')])).toEqual(['a', 'c'])
      expect(await ids([Query.endsWith('name', 'OB')])).toEqual(['b'])
      expect(await ids([Query.regex('name', '^car')])).toEqual(['d'])
    })

    it('should compare array elements exactly, as JSON is compared', async () => {
      const { ids } = await people()
      expect(await ids([Query.contains('tags', 'vip')])).toEqual(['b'])
      expect(await ids([Query.contains('tags', 'VIP')])).toEqual(['a'])
    })
  })
})

describe('parseQueryStrings', () => {
  it('should parse a repeated query string to the same frozen answer, past its cache bound too', () => {
    const query = Query.equal('status', ['a', 'b'])
    const first = parseQueryStrings([query])
    expect(parseQueryStrings([query])).toEqual(first)
    expect(first[0]).toEqual({ method: 'equal', attribute: 'status', values: ['a', 'b'] })
    // Shared between calls: nobody may change it.
    expect(Object.isFrozen(first[0])).toBe(true)
    expect(Object.isFrozen(first[0]!.values)).toBe(true)
    for (let i = 0; i < 600; i++) parseQueryStrings([Query.equal('n', i)])
    expect(parseQueryStrings([query, Query.limit(3)])).toEqual([
      { method: 'equal', attribute: 'status', values: ['a', 'b'] },
      { method: 'limit', attribute: '', values: [3] },
    ])
  })

  it('should refuse a bad query string every time it is sent', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => parseQueryStrings(['{"method":'])).toThrow('Invalid query: Syntax error')
      expect(() => parseQueryStrings(['{"method":"nope"}'])).toThrow('Invalid query method: nope')
    }
  })
})
