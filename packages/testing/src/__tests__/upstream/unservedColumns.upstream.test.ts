import { beforeAll, describe, expect, it } from 'vitest'
import { permission } from './upstream'
import { DATABASES_BASE_RUNS, tablesSuite } from './tables'

// The spatial cases of tests/e2e/Services/Databases/DatabasesBase.php and the bigint halves of
// tests/e2e/Services/TablesDB/DatabasesNumericTypesTest.php (appwrite 1.9.6), as their first calls
// make them. The server answers 202 and 200; the emulator does not serve spatial or bigint columns
// on purpose (see the testing README, **Not served**), so each call must be refused loudly (405
// `general_not_implemented`, naming the type) and create nothing.
const BASE = 'tests/e2e/Services/Databases/DatabasesBase.php'
const NUMERIC = 'tests/e2e/Services/TablesDB/DatabasesNumericTypesTest.php'

/** Each upstream method's spatial column: the route's type and what it sends. */
const SPATIAL = [
  ['testSpatialPointAttributes', 'point', { key: 'location', required: true }],
  ['testSpatialLineAttributes', 'line', { key: 'route', required: true }],
  ['testSpatialPolygonAttributes', 'polygon', { key: 'area', required: true }],
] as const

const servers = DATABASES_BASE_RUNS.filter((run) => run.side === 'server')

for (const { runner, api } of servers)
  describe(`Spatial columns under ${api.base}, as ${runner} makes them`, () => {
    const t = tablesSuite('Spatial Test Database', undefined, api)
    let tableId: string

    beforeAll(async () => {
      tableId = await t.db.table(
        'Spatial Collection',
        [['string', { key: 'name', size: 256, required: true }]],
        { permissions: [permission.create('any'), permission.read('any')] },
      )
    })

    for (const [method, type, params] of SPATIAL)
      it(`${BASE} ${method} (${runner}): should refuse the ${type} ${api.schema === 'columns' ? 'column' : 'attribute'} loudly and create nothing`, async () => {
        const created = await t.up.call(
          'POST',
          `${t.db.columns(tableId)}/${type}`,
          t.up.key,
          params,
        )
        expect(created.status).toBe(405)
        expect(created.body.type).toBe('general_not_implemented')
        expect(created.body.message).toContain(`does not serve spatial ${api.schema} (${type})`)
        const got = await t.up.call('GET', `${t.db.columns(tableId)}/${params.key}`, t.up.key)
        expect(got.status).toBe(404)
      })

    it(`${BASE} testUpdateSpatialAttributes (${runner}): should refuse the update of each spatial type loudly`, async () => {
      for (const [type, key, params] of [
        ['point', 'location', { required: false, default: null }],
        [
          'line',
          'route',
          {
            required: false,
            default: [
              [0, 0],
              [1, 1],
            ],
          },
        ],
        ['polygon', 'area', { required: false, default: null }],
      ] as const) {
        const updated = await t.up.call(
          'PATCH',
          `${t.db.columns(tableId)}/${type}/${key}`,
          t.up.key,
          params,
        )
        expect({ type, status: updated.status }).toEqual({ type, status: 405 })
        expect(updated.body.type).toBe('general_not_implemented')
      }
    })
  })

describe('Bigint columns, as the server tests them', () => {
  const t = tablesSuite('Numeric Types Test Database', () => [])
  let tableId: string

  beforeAll(async () => {
    tableId = await t.db.table(
      'Numeric Types Table',
      [['integer', { key: 'integer_field', required: false, min: -10, max: 10, default: 0 }]],
      { permissions: [permission.create('any'), permission.read('any')] },
    )
  })

  it(`${NUMERIC} setupDatabaseAndTable + testUpdateIntegerAndBigIntColumns: should refuse a bigint column and its update loudly, keeping the integer one`, async () => {
    for (const params of [
      {
        key: 'bigint_field',
        required: false,
        min: -9007199254740991,
        max: 9007199254740991,
        default: 9007199254740000,
      },
      { key: 'unsigned_bigint_field', required: false, min: 0, default: 0, signed: false },
    ]) {
      const created = await t.up.call('POST', `${t.db.columns(tableId)}/bigint`, t.up.key, params)
      expect({ key: params.key, status: created.status }).toEqual({ key: params.key, status: 405 })
      expect(created.body.type).toBe('general_not_implemented')
      expect(created.body.message).toContain('does not serve bigint columns')
    }
    const updated = await t.up.call(
      'PATCH',
      `${t.db.columns(tableId)}/bigint/bigint_field`,
      t.up.key,
      {
        required: false,
        min: -100,
        max: 100,
        default: 7,
      },
    )
    expect(updated.status).toBe(405)
    const listed = await t.up.call('GET', t.db.columns(tableId), t.up.key)
    expect((listed.body.columns as Array<{ key: string }>).map((c) => c.key)).toEqual([
      'integer_field',
    ])
  })
})
