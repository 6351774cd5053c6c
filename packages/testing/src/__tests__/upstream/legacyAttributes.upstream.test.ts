import { Query } from 'node-appwrite'
import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { LEGACY, MOVIE_COLUMNS, MOVIES, ownedBy, tablesSuite } from './tables'
import type { ColumnSpec } from './tables'

// Facts from tests/e2e/Services/Databases/DatabasesBase.php at appwrite 1.9.6 as
// LegacyCustomServerTest.php runs it: the collection API under /v1/databases (collections,
// attributes, documents), attributes made with the API key, documents written by a signed-in user.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php (LegacyCustomServerTest)'

const t = tablesSuite('Legacy Database', undefined, LEGACY)

/** The formatted attributes of upstream's testInvalidDocumentStructure, in its order. */
const FORMATTED: ColumnSpec[] = [
  ['email', { key: 'email', required: false }],
  ['enum', { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false }],
  ['ip', { key: 'ip', required: false }],
  // `size` is not a parameter of this route: the server ignores it, as the emulator does.
  ['url', { key: 'url', size: 256, required: false }],
  ['integer', { key: 'range', required: false, min: 1, max: 10 }],
  ['float', { key: 'floatRange', required: false, min: 1.1, max: 1.4 }],
  ['float', { key: 'probability', required: false, default: 0, min: 0, max: 1 }],
  ['integer', { key: 'upperBound', required: false, max: 10 }],
  ['integer', { key: 'lowerBound', required: false, min: 5 }],
  ['datetime', { key: 'birthDay', required: false, default: null }],
]

/** The attributes of upstream's testAttributeResponseModels, without the relationship, in its order. */
const MODELS: ColumnSpec[] = [
  ['string', { key: 'string', size: 16, required: false, default: 'default' }],
  ['email', { key: 'email', required: false, default: 'default@example.com' }],
  ['enum', { key: 'enum', elements: ['yes', 'no', 'maybe'], required: false, default: 'maybe' }],
  ['ip', { key: 'ip', required: false, default: '192.0.2.0' }],
  ['url', { key: 'url', required: false, default: 'http://example.com' }],
  ['integer', { key: 'integer', required: false, min: 1, max: 5, default: 3 }],
  ['float', { key: 'float', required: false, min: 1.5, max: 5.5, default: 3.5 }],
  ['boolean', { key: 'boolean', required: false, default: true }],
  ['datetime', { key: 'datetime', required: false, default: null }],
  ['string', { key: 'names', size: 512, required: false, array: true }],
  ['integer', { key: 'numbers', required: false, array: true, min: 1, max: 999 }],
]

describe('Legacy collection attributes, as the server tests them', () => {
  it(`${BASE} testInvalidDocumentStructure: should refuse bad formatted values with "Invalid document structure" and the attribute's rule`, async () => {
    const collectionId = await t.db.table('invalidDocumentStructure', FORMATTED, {
      permissions: [permission.create('any'), permission.read('any')],
    })
    const listed = await t.up.call('GET', t.db.columns(collectionId), t.up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.attributes).toHaveLength(10)
    const write = (data: Record<string, unknown>) =>
      t.db.write(collectionId, t.user.headers, data, ownedBy(t.user.$id))
    // Per attribute: a value the server stores, one it refuses, and the rule its message states.
    const cases: Array<[key: string, good: unknown, bad: unknown, rule: string]> = [
      ['email', 'user@example.com', 'user@@example.com', 'a valid email address'],
      ['enum', 'yes', 'badEnum', 'one of (yes, no, maybe)'],
      ['ip', '1.1.1.1', '1.1.1.1.1', 'a valid IP address'],
      ['url', 'http://www.example.com', 'example...com', 'a valid URL'],
      ['range', 3, 11, 'a valid range between 1 and 10'],
      // The server rounds the bounds of a float range in the message.
      ['floatRange', 1.4, 2.5, 'a valid range between 1 and 1'],
      ['probability', 0.99999, 1.1, 'a valid range between 0 and 1'],
      ['upperBound', 8, 11, 'a valid range between -9,223,372,036,854,775,808 and 10'],
      ['lowerBound', 8, 3, 'a valid range between 5 and 9,223,372,036,854,775,807'],
    ]
    for (const [key, good, bad, rule] of cases) {
      const stored = await write({ [key]: good })
      const refused = await write({ [key]: bad })
      expect({
        key,
        stored: stored.status,
        refused: refused.status,
        message: refused.body.message,
      }).toEqual({
        key,
        stored: 201,
        refused: 400,
        message: `Invalid document structure: Attribute "${key}" has invalid format. Value must be ${rule}`,
      })
    }
    expect((await write({ birthDay: '2020-10-10 27:30:10+01:00' })).status).toBe(400)
  })

  it(`${BASE} testInvalidDocumentStructure: should refuse attribute definitions that contradict themselves, naming attributes`, async () => {
    const collectionId = await t.db.table('invalidAttributes', [])
    const create = (type: string, params: Record<string, unknown>) =>
      t.up.call('POST', `${t.db.columns(collectionId)}/${type}`, t.up.key, params)
    // Each definition the server refuses with 400, and the message where upstream checks it.
    // Upstream sends the middle three with `attributeId` in place of `key`.
    const refused: Array<[type: string, params: Record<string, unknown>, message?: string]> = [
      [
        'integer',
        { key: 'invalidRange', required: false, min: 4, max: 3 },
        'Minimum value must be lesser than maximum value',
      ],
      [
        'integer',
        { key: 'defaultArray', required: false, default: 42, array: true },
        'Cannot set default value for array attributes',
      ],
      ['integer', { attributeId: 'defaultRequired', required: true, default: 12 }],
      ['enum', { attributeId: 'enumDefault', elements: ['north', 'west'], default: 'south' }],
      ['enum', { attributeId: 'enumDefault', elements: ['north', 'west'], default: 'NORTH' }],
      ['datetime', { key: 'badBirthDay', required: false, default: 'bad' }],
    ]
    for (const [type, params, message] of refused) {
      const answer = await create(type, params)
      // Where upstream checks no message, the answer still carries one (a string).
      const said = message === undefined ? typeof answer.body.message : answer.body.message
      expect({ params, status: answer.status, said }).toEqual({
        params,
        status: 400,
        said: message ?? 'string',
      })
    }
    const listed = await t.up.call('GET', t.db.columns(collectionId), t.up.key)
    expect(listed.body).toMatchObject({ total: 0, attributes: [] })
  })

  it(`${BASE} testAttributeResponseModels: should answer each attribute type with its model, on create, get and list`, async () => {
    const collectionId = await t.db.table('Response Models', [])
    const created = []
    for (const [type, params] of MODELS) {
      const answer = await t.up.call(
        'POST',
        `${t.db.columns(collectionId)}/${type}`,
        t.up.key,
        params,
      )
      expect({ key: params.key, status: answer.status }).toEqual({ key: params.key, status: 202 })
      created.push(answer.body as Record<string, unknown>)
    }
    const [
      string,
      email,
      enumAttribute,
      ip,
      url,
      integer,
      float,
      boolean,
      datetime,
      names,
      numbers,
    ] = created
    expect(string).toMatchObject({
      key: 'string',
      type: 'string',
      required: false,
      array: false,
      size: 16,
      default: 'default',
    })
    expect(email).toMatchObject({
      type: 'string',
      format: 'email',
      default: 'default@example.com',
      array: false,
    })
    expect(enumAttribute).toMatchObject({
      type: 'string',
      format: 'enum',
      default: 'maybe',
      elements: ['yes', 'no', 'maybe'],
    })
    expect(ip).toMatchObject({ type: 'string', format: 'ip', default: '192.0.2.0' })
    expect(url).toMatchObject({ type: 'string', format: 'url', default: 'http://example.com' })
    expect(integer).toMatchObject({ type: 'integer', min: 1, max: 5, default: 3 })
    expect(float).toMatchObject({ key: 'float', type: 'double', min: 1.5, max: 5.5, default: 3.5 })
    expect(boolean).toMatchObject({ type: 'boolean', default: true, required: false })
    expect(datetime).toMatchObject({ type: 'datetime', default: null })
    expect(names).toMatchObject({ type: 'string', array: true, default: null })
    expect(numbers).toMatchObject({ type: 'integer', array: true, min: 1, max: 999, default: null })

    for (const attribute of created) {
      const got = await t.up.call(
        'GET',
        `${t.db.columns(collectionId)}/${String(attribute.key)}`,
        t.up.key,
      )
      expect({ key: attribute.key, status: got.status }).toEqual({
        key: attribute.key,
        status: 200,
      })
      const { status: _created, $updatedAt: _updated, ...model } = attribute
      expect(got.body).toMatchObject({ ...model, status: 'available' })
    }

    const listed = await t.up.call('GET', t.db.columns(collectionId), t.up.key)
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(11)
    expect((listed.body.attributes as Array<{ key: string }>).map((a) => a.key)).toEqual(
      MODELS.map(([, params]) => params.key),
    )
    const untotalled = await t.up.call('GET', t.db.columns(collectionId), t.up.key, {
      total: false,
    })
    expect(untotalled.status).toBe(200)
    expect(untotalled.body.total).toBe(0)
    expect(untotalled.body.attributes).toHaveLength(11)
  })

  it(`${BASE} testListAttributes: should page string attributes after a cursor and refuse a select`, async () => {
    const collectionId = await t.db.table('Movies', MOVIE_COLUMNS)
    const page = await t.up.call('GET', t.db.columns(collectionId), t.up.key, {
      queries: [Query.equal('type', ['string']), Query.limit(2), Query.cursorAfter('title')],
    })
    expect(page.status).toBe(200)
    expect((page.body.attributes as Array<{ key: string }>).map((a) => a.key)).toEqual([
      'description',
      'tagline',
    ])
    const select = await t.up.call('GET', t.db.columns(collectionId), t.up.key, {
      queries: [Query.select(['key'])],
    })
    expect(select.status).toBe(400)
    expect(select.body.type).toBe('general_argument_invalid')
  })
})

describe('Legacy documents, listed as the server tests them', () => {
  let moviesId: string
  beforeAll(async () => {
    // setupAttributes + setupDocuments: the Movies collection and testCreateDocument's movies
    moviesId = await t.db.table('Movies', MOVIE_COLUMNS)
    await t.db.seed(moviesId, t.user.headers, [...MOVIES], ownedBy(t.user.$id))
  })

  it(`${BASE} testListDocumentsAfterPagination: should answer 400 general_cursor_not_found naming the document for an unknown cursor, and 400 for a null one`, async () => {
    const unknown = await t.up.call('GET', t.db.rows(moviesId), t.user.headers, {
      queries: [Query.cursorAfter('unknown')],
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.type).toBe('general_cursor_not_found')
    expect(unknown.body.message).toBe("Document 'unknown' for the 'cursor' value not found.")
    const nullCursor = await t.up.call('GET', t.db.rows(moviesId), t.user.headers, {
      queries: ['{"method":"cursorAfter","values":[null]}'],
    })
    expect(nullCursor.status).toBe(400)
  })

  it(`${BASE} testListDocumentsLimitAndOffset: should answer documents with their collection and database ids, paged by limit and offset`, async () => {
    const first = await t.up.call('GET', t.db.rows(moviesId), t.user.headers, {
      queries: [Query.orderAsc('releaseYear'), Query.limit(1)],
    })
    expect(first.status).toBe(200)
    expect(first.body.total).toBe(3)
    expect(first.body.documents).toHaveLength(1)
    expect(first.body.documents[0]).toMatchObject({
      releaseYear: 1944,
      $collectionId: moviesId,
      $databaseId: t.db.databaseId,
    })
    expect(first.body.documents[0]).not.toHaveProperty('$tableId')
    const rest = await t.up.call('GET', t.db.rows(moviesId), t.user.headers, {
      queries: [Query.orderAsc('releaseYear'), Query.limit(2), Query.offset(1)],
    })
    expect(rest.status).toBe(200)
    expect(
      (rest.body.documents as Array<{ releaseYear: number }>).map((d) => d.releaseYear),
    ).toEqual([2017, 2019])
  })
})
