import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { MOVIE_COLUMNS, tablesSuite } from './tables'

// Facts from the column and index cases of tests/e2e/Services/Databases/DatabasesBase.php and from
// tests/e2e/Services/TablesDB/DatabasesStringTypesTest.php (appwrite 1.9.6): every call by the API
// key, as those tests make them.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'
const STRINGS = 'tests/e2e/Services/TablesDB/DatabasesStringTypesTest.php'

const t = tablesSuite('Test Database')
let stringsId: string
let moviesId: string

type Column = Record<string, unknown> & { key: string }
const column = (tableId: string, key: string) =>
  t.up.call('GET', `${t.db.columns(tableId)}/${key}`, t.up.key)

beforeAll(async () => {
  // DatabasesStringTypesTest setupDatabaseAndTable
  stringsId = await t.db.table(
    'String Types Table',
    [
      ['varchar', { key: 'varchar_field', size: 255, required: false }],
      [
        'varchar',
        { key: 'varchar_with_default', size: 100, required: false, default: 'hello world' },
      ],
      ['varchar', { key: 'varchar_required', size: 50, required: true }],
      ['varchar', { key: 'varchar_array', size: 64, required: false, array: true }],
      ['varchar', { key: 'varchar_min', size: 1, required: false }],
      ['text', { key: 'text_field', required: false }],
      [
        'text',
        {
          key: 'text_with_default',
          required: false,
          default: 'This is a longer default text value that can contain more content.',
        },
      ],
      ['text', { key: 'text_required', required: true }],
      ['text', { key: 'text_array', required: false, array: true }],
      ['mediumtext', { key: 'mediumtext_field', required: false }],
      [
        'mediumtext',
        { key: 'mediumtext_with_default', required: false, default: 'Default mediumtext content' },
      ],
      ['mediumtext', { key: 'mediumtext_required', required: true }],
      ['mediumtext', { key: 'mediumtext_array', required: false, array: true }],
      ['longtext', { key: 'longtext_field', required: false }],
      [
        'longtext',
        {
          key: 'longtext_with_default',
          required: false,
          default: 'Default longtext content for very large text storage',
        },
      ],
      ['longtext', { key: 'longtext_required', required: true }],
      ['longtext', { key: 'longtext_array', required: false, array: true }],
    ],
    { permissions: [permission.create('any'), permission.read('any')] },
  )
  // DatabasesBase setupAttributes, without the relationship column
  moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
})

describe('Columns and indexes, as the server tests them', () => {
  it(`${STRINGS} testCreateVarcharColumn: should answer each varchar column with its size, default and flags, and create an encrypted one`, async () => {
    const field = await column(stringsId, 'varchar_field')
    expect(field.status).toBe(200)
    expect(field.body).toMatchObject({
      key: 'varchar_field',
      type: 'varchar',
      size: 255,
      required: false,
      default: null,
      encrypt: false,
    })
    expect((await column(stringsId, 'varchar_with_default')).body.default).toBe('hello world')
    expect((await column(stringsId, 'varchar_required')).body.required).toBe(true)
    expect((await column(stringsId, 'varchar_array')).body.array).toBe(true)
    expect((await column(stringsId, 'varchar_min')).body.size).toBe(1)
    const encrypted = await t.up.call('POST', `${t.db.columns(stringsId)}/varchar`, t.up.key, {
      key: 'varchar_encrypted',
      size: 256,
      required: false,
      encrypt: true,
    })
    expect(encrypted.status).toBe(202)
    expect(encrypted.body.encrypt).toBe(true)
  })

  it(`${STRINGS} testCreateVarcharColumnFailures: should refuse a bad size, a default longer than the size, a taken key and a small encrypted column`, async () => {
    const create = (params: Record<string, unknown>) =>
      t.up.call('POST', `${t.db.columns(stringsId)}/varchar`, t.up.key, {
        required: false,
        ...params,
      })
    expect((await create({ key: 'varchar_zero', size: 0 })).status).toBe(400)
    expect((await create({ key: 'varchar_negative', size: -10 })).status).toBe(400)
    expect((await create({ key: 'varchar_too_large', size: 16382 })).status).toBe(400)
    expect((await create({ key: 'varchar_no_size' })).status).toBe(400)
    expect(
      (
        await create({
          key: 'varchar_default_too_long',
          size: 5,
          default: 'this is way too long for the size',
        })
      ).status,
    ).toBe(400)
    expect((await create({ key: 'varchar_field', size: 100 })).status).toBe(409)
    expect((await create({ key: 'varchar_encrypt_small', size: 149, encrypt: true })).status).toBe(
      400,
    )
  })

  it(`${STRINGS} testCreateTextColumn + testCreateMediumtextColumn + testCreateLongtextColumn: should answer each text type with its flags, and create encrypted ones`, async () => {
    for (const type of ['text', 'mediumtext', 'longtext']) {
      const field = await column(stringsId, `${type}_field`)
      expect(field.status).toBe(200)
      expect(field.body).toMatchObject({ key: `${type}_field`, type, required: false })
      expect((await column(stringsId, `${type}_with_default`)).status).toBe(200)
      expect((await column(stringsId, `${type}_required`)).body.required).toBe(true)
      expect((await column(stringsId, `${type}_array`)).body.array).toBe(true)
      const encrypted = await t.up.call('POST', `${t.db.columns(stringsId)}/${type}`, t.up.key, {
        key: `${type}_encrypted`,
        required: false,
        encrypt: true,
      })
      expect(encrypted.status).toBe(202)
      expect(encrypted.body.encrypt).toBe(true)
    }
    expect((await column(stringsId, 'text_with_default')).body.default).toBe(
      'This is a longer default text value that can contain more content.',
    )
  })

  it(`${STRINGS} testCreateRowWithStringTypes: should store a row holding every string type`, async () => {
    const row = await t.db.write(
      stringsId,
      t.up.key,
      {
        varchar_field: 'Test varchar value',
        varchar_required: 'Required value',
        text_field: 'This is a text field with more content.',
        text_required: 'Required text',
        mediumtext_field: 'Medium text content here',
        mediumtext_required: 'Required mediumtext',
        longtext_field: 'Long text content for storing large amounts of data',
        longtext_required: 'Required longtext',
        varchar_array: ['item1', 'item2', 'item3'],
        text_array: ['text item 1', 'text item 2'],
        mediumtext_array: ['mediumtext item 1'],
        longtext_array: ['longtext item 1', 'longtext item 2'],
      },
      [permission.read('any')],
    )
    expect(row.status).toBe(201)
    expect(row.body).toMatchObject({
      varchar_field: 'Test varchar value',
      varchar_required: 'Required value',
      text_field: 'This is a text field with more content.',
      text_required: 'Required text',
      mediumtext_field: 'Medium text content here',
      longtext_field: 'Long text content for storing large amounts of data',
    })
    expect(row.body.varchar_array).toHaveLength(3)
    expect(row.body.text_array).toHaveLength(2)
  })

  it(`${STRINGS} testCreateRowWithDefaultValues + testCreateRowFailures: should fill defaults, and refuse a row without its required columns`, async () => {
    const row = await t.db.write(
      stringsId,
      t.up.key,
      {
        varchar_field: 'Value',
        varchar_required: 'Required',
        text_required: 'Required text',
        mediumtext_required: 'Required mediumtext',
        longtext_required: 'Required longtext',
      },
      [permission.read('any')],
    )
    expect(row.status).toBe(201)
    expect(row.body).toMatchObject({
      varchar_with_default: 'hello world',
      text_with_default: 'This is a longer default text value that can contain more content.',
    })
    const missing = await t.db.write(stringsId, t.up.key, { varchar_field: 'Value' }, [
      permission.read('any'),
    ])
    expect(missing.status).toBe(400)
  })

  it(`${STRINGS} testGetTableWithStringTypeColumns + testListColumnsWithStringTypes: should list every string type on the table and the columns route`, async () => {
    const table = await t.up.call(
      'GET',
      `/tablesdb/${t.db.databaseId}/tables/${stringsId}`,
      t.up.key,
    )
    expect(table.status).toBe(200)
    const onTable = table.body.columns as Column[]
    expect(onTable.map((c) => c.type)).toEqual(
      expect.arrayContaining(['varchar', 'text', 'mediumtext', 'longtext']),
    )
    expect(onTable.map((c) => c.key)).toEqual(
      expect.arrayContaining(['varchar_field', 'text_field', 'mediumtext_field', 'longtext_field']),
    )
    const listed = await t.up.call('GET', t.db.columns(stringsId), t.up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBeGreaterThan(0)
    expect((listed.body.columns as Column[]).map((c) => c.type)).toEqual(
      expect.arrayContaining(['varchar', 'text', 'mediumtext', 'longtext']),
    )
  })

  it(`${STRINGS} testDeleteStringTypeColumns: should delete a varchar column with 204, then answer 404 for it`, async () => {
    const tableId = await t.db.table('Deletable', [
      ['varchar', { key: 'varchar_min', size: 1, required: false }],
    ])
    expect(
      (await t.up.call('DELETE', `${t.db.columns(tableId)}/varchar_min`, t.up.key)).status,
    ).toBe(204)
    expect((await column(tableId, 'varchar_min')).status).toBe(404)
  })

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
