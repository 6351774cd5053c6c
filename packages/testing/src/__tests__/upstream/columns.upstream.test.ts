import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { MOVIE_COLUMNS, tablesSuite } from './tables'

// Facts from the column and index cases of tests/e2e/Services/Databases/DatabasesBase.php
// (appwrite 1.9.6): every call by the API key, as those tests make them. The string types of
// DatabasesStringTypesTest.php are in stringTypes.upstream.test.ts.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'

const t = tablesSuite('Test Database')
let moviesId: string

type Column = Record<string, unknown> & { key: string }
const column = (tableId: string, key: string) =>
  t.up.call('GET', `${t.db.columns(tableId)}/${key}`, t.up.key)

beforeAll(async () => {
  // DatabasesBase setupAttributes, without the relationship column
  moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
})

describe('Columns and indexes, as the server tests them', () => {
  it(`${BASE} testAttributeResponseModels: should answer each column kind with its model, then get and list them available in order`, async () => {
    const tableId = await t.db.table('Response Models', [])
    const made: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'string',
        { key: 'string', size: 16, required: false, default: 'default' },
        { type: 'string', size: 16, default: 'default' },
      ],
      [
        'email',
        { key: 'email', required: false, default: 'default@example.com' },
        { type: 'string', format: 'email', default: 'default@example.com' },
      ],
      [
        'enum',
        { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false, default: 'maybe' },
        { type: 'string', format: 'enum', default: 'maybe', elements: ['yes', 'no', 'maybe'] },
      ],
      [
        'ip',
        { key: 'ip', required: false, default: '192.0.2.0' },
        { type: 'string', format: 'ip', default: '192.0.2.0' },
      ],
      [
        'url',
        { key: 'url', required: false, default: 'http://example.com' },
        { type: 'string', format: 'url', default: 'http://example.com' },
      ],
      [
        'integer',
        { key: 'integer', required: false, min: 1, max: 5, default: 3 },
        { type: 'integer', min: 1, max: 5, default: 3 },
      ],
      [
        'float',
        { key: 'float', required: false, min: 1.5, max: 5.5, default: 3.5 },
        { type: 'double', min: 1.5, max: 5.5, default: 3.5 },
      ],
      [
        'boolean',
        { key: 'boolean', required: false, default: true },
        { type: 'boolean', default: true },
      ],
      [
        'datetime',
        { key: 'datetime', required: false, default: null },
        { type: 'datetime', default: null },
      ],
      [
        'string',
        { key: 'names', size: 512, required: false, array: true },
        { type: 'string', array: true, default: null },
      ],
      [
        'integer',
        { key: 'numbers', required: false, array: true, min: 1, max: 999 },
        { type: 'integer', array: true, min: 1, max: 999, default: null },
      ],
    ]
    for (const [type, params, model] of made) {
      const created = await t.up.call('POST', `${t.db.columns(tableId)}/${type}`, t.up.key, params)
      expect({ key: params.key, status: created.status }).toEqual({ key: params.key, status: 202 })
      expect(created.body).toMatchObject({
        key: params.key,
        required: false,
        array: false,
        ...model,
      })
    }
    for (const [, params, model] of made) {
      const got = await column(tableId, params.key as string)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ key: params.key, status: 'available', ...model })
    }
    const listed = await t.up.call('GET', t.db.columns(tableId), t.up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(11)
    expect((listed.body.columns as Column[]).map((c) => c.key)).toEqual(
      made.map(([, params]) => params.key),
    )
    const noTotal = await t.up.call('GET', t.db.columns(tableId), t.up.key, { total: false })
    expect(noTotal.status).toBe(200)
    expect(noTotal.body.total).toBe(0)
    expect(noTotal.body.columns.length).toBeGreaterThan(0)
    const table = await t.up.call('GET', `/tablesdb/${t.db.databaseId}/tables/${tableId}`, t.up.key)
    expect((table.body.columns as Column[]).map((c) => c.key)).toEqual(
      made.map(([, params]) => params.key),
    )
  })

  it(`${BASE} testListAttributes: should filter and page columns by query, and refuse a select`, async () => {
    const page = await t.up.call('GET', t.db.columns(moviesId), t.up.key, {
      queries: [Query.equal('type', ['string']), Query.limit(2), Query.cursorAfter('title')],
    })
    expect(page.status).toBe(200)
    expect((page.body.columns as Column[]).map((c) => c.key)).toEqual(['description', 'tagline'])
    const select = await t.up.call('GET', t.db.columns(moviesId), t.up.key, {
      queries: [Query.select(['key'])],
    })
    expect(select.status).toBe(400)
    expect(select.body.type).toBe('general_argument_invalid')
  })

  it(`${BASE} testUpdateAttributeEnum: should add an element to an enum column`, async () => {
    const tableId = await t.db.table('Players', [
      [
        'enum',
        {
          key: 'position',
          elements: ['goalkeeper', 'defender', 'midfielder', 'forward'],
          required: true,
          array: false,
        },
      ],
    ])
    const updated = await t.up.call('PATCH', `${t.db.columns(tableId)}/enum/position`, t.up.key, {
      elements: ['goalkeeper', 'defender', 'midfielder', 'forward', 'coach'],
      required: true,
      default: null,
    })
    expect(updated.status).toBe(200)
    expect(updated.body.elements).toEqual([
      'goalkeeper',
      'defender',
      'midfielder',
      'forward',
      'coach',
    ])
  })

  it(`${BASE} testAttributeBooleanDefault: should create boolean columns defaulting to true and to false`, async () => {
    const tableId = await t.db.table('Boolean', [])
    for (const value of [true, false]) {
      const created = await t.up.call('POST', `${t.db.columns(tableId)}/boolean`, t.up.key, {
        key: String(value),
        required: false,
        default: value,
      })
      expect(created.status).toBe(202)
      expect(created.body.default).toBe(value)
    }
  })

  it(`${BASE} testPatchAttribute: should refuse to grow an indexed string past the index's maximum length`, async () => {
    const tableId = await t.db.table(
      'patch',
      [['string', { key: 'title', size: 100, required: true }]],
      {
        indexes: [['titleIndex', 'key', ['title']]],
      },
    )
    const grown = await t.up.call('PATCH', `${t.db.columns(tableId)}/string/title`, t.up.key, {
      required: true,
      default: null,
      size: 2000,
    })
    expect(grown.status).toBe(400)
    expect(grown.body.message).toContain('Index length is longer than the maximum:')
  })

  it(`${BASE} testGetIndexByKeyWithLengths: should keep index lengths and refuse arrays, extra, oversized and negative lengths`, async () => {
    const indexes = t.db.indexes(moviesId)
    const create = (key: string, columns: string[], lengths: number[]) =>
      t.up.call('POST', indexes, t.up.key, { key, type: 'key', columns, lengths })
    expect((await create('lengthTestIndex', ['title', 'description'], [128, 200])).status).toBe(202)
    const got = await t.up.call('GET', `${indexes}/lengthTestIndex`, t.up.key)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ key: 'lengthTestIndex', lengths: [128, 200] })
    const array = await create('lengthOverrideTestIndex', ['actors'], [120])
    expect(array.status).toBe(400)
    expect(array.body.message).toBe(
      'Creating indexes on array attributes is not currently supported.',
    )
    expect((await create('lengthCountExceededIndex', ['title'], [128, 128])).status).toBe(400)
    expect(
      (
        await create(
          'lengthTooLargeIndex',
          ['title', 'description', 'tagline', 'actors'],
          [500, 500, 500, 20],
        )
      ).status,
    ).toBe(400)
    expect((await create('negativeLengthIndex', ['title'], [-1])).status).toBe(400)
    expect((await t.up.call('DELETE', `${indexes}/lengthTestIndex`, t.up.key)).status).toBe(204)
  })

  it(`${BASE} testListIndexes: should filter and limit indexes by query, and refuse a select`, async () => {
    const tableId = await t.db.table(
      'Indexed',
      [
        ['string', { key: 'title', size: 256, required: true }],
        ['integer', { key: 'releaseYear', required: true }],
        ['datetime', { key: 'birthDay', required: false }],
      ],
      {
        indexes: [
          ['titleIndex', 'fulltext', ['title']],
          ['releaseYear', 'key', ['releaseYear']],
          ['releaseYearDated', 'key', ['releaseYear', '$createdAt', '$updatedAt']],
          ['birthDay', 'key', ['birthDay']],
        ],
      },
    )
    const page = await t.up.call('GET', t.db.indexes(tableId), t.up.key, {
      queries: [Query.equal('type', ['key']), Query.limit(2)],
    })
    expect(page.status).toBe(200)
    expect(page.body.indexes).toHaveLength(2)
    const select = await t.up.call('GET', t.db.indexes(tableId), t.up.key, {
      queries: [Query.select(['key'])],
    })
    expect(select.status).toBe(400)
    expect(select.body.type).toBe('general_argument_invalid')
  })
})
