import { describe, expect, it } from 'vitest'
import { SchemaRegistry } from '../fake/schema'
import type { DatabaseDefinition, TableDefinition } from '../fake/types'
import { mainDatabase } from './helpers'

const now = () => '2026-01-01T00:00:00.000+00:00'
const registry = (databases: Record<string, DatabaseDefinition>, strict = false) =>
  new SchemaRegistry({ databases, strict, now })
/** A registry of one database, `main`, with one table, `t`. */
const tableT = (table: TableDefinition) => registry(mainDatabase({ t: table }))

describe('schema', () => {
  it('should treat every database and table as schemaless when nothing is declared', () => {
    expect(registry({}).resolve('any', 'table')).toEqual({ ok: true, schema: undefined })
  })

  it('should refuse undeclared databases only when strict', () => {
    expect(registry({}, true).resolve('main', 't')).toEqual({
      ok: false,
      error: 'database_not_found',
    })
    expect(registry({ main: {} }, true).resolve('main', 't')).toEqual({
      ok: true,
      schema: undefined,
    })
  })

  it('should refuse undeclared tables of a database that declares tables', () => {
    const schemas = registry(mainDatabase({ bookings: {} }))
    expect(schemas.resolve('main', 'bookings')).toEqual({ ok: true, schema: undefined })
    expect(schemas.resolve('main', 'notifications')).toEqual({
      ok: false,
      error: 'table_not_found',
    })
    expect(schemas.resolve('other', 'notifications')).toEqual({ ok: true, schema: undefined })
  })

  it('should normalize columns into the server model shapes', () => {
    const resolution = tableT({
      columns: [
        { key: 'email', type: 'email', required: true },
        { key: 'status', type: 'string', format: 'enum', elements: ['a', 'b'] },
        { key: 'n', type: 'integer' },
        { key: 'price', type: 'float', min: 0 },
      ],
    }).resolve('main', 't')
    if (!resolution.ok || !resolution.schema) throw new Error('expected a schema')
    const columns = Object.fromEntries(resolution.schema.columns)
    expect(columns.email).toMatchObject({
      type: 'string',
      format: 'email',
      size: 254,
      required: true,
      status: 'available',
      error: '',
      array: false,
      default: null,
      $createdAt: now(),
    })
    expect(columns.status).toMatchObject({
      type: 'string',
      format: 'enum',
      elements: ['a', 'b'],
      size: 255,
    })
    expect(columns.n).toMatchObject({ type: 'integer', min: -(2n ** 63n), max: 2n ** 63n - 1n })
    expect(columns.price).toMatchObject({ type: 'double', min: 0, max: Number.MAX_VALUE })
  })

  it('should throw a clear error for bad declarations', () => {
    expect(() => tableT({ columns: [{ key: 's', type: 'enum' }] })).toThrow(
      'createFakeAppwrite: enum column `s` of table `main.t` needs `elements`.',
    )
    expect(() =>
      tableT({
        columns: [
          { key: 'a', type: 'string' },
          { key: 'a', type: 'integer' },
        ],
      }),
    ).toThrow('declares column `a` twice')
    expect(() => registry({ _main: {} })).toThrow('database id `_main` is invalid')
    expect(() => registry(mainDatabase({ 'bad id': {} }))).toThrow('table id `bad id`')
    expect(() => tableT({ columns: [{ key: '$x', type: 'string' }] })).toThrow('column key `$x`')
    expect(() =>
      tableT({
        columns: [{ key: 'a', type: 'string' }],
        indexes: [{ key: 'i', type: 'key', columns: ['b'] }],
      }),
    ).toThrow('index `i` of table `main.t` names column `b`')
  })

  it('should list declared tables in declaration order', () => {
    const schemas = registry({ main: { tables: { a: {}, b: {} } }, other: {} })
    expect([...schemas.declaredTables()]).toEqual([
      ['main', 'a'],
      ['main', 'b'],
    ])
  })

  it('should let a later declareTable add a table to a database', () => {
    const schemas = registry({ main: {} })
    schemas.declareTable('main', 'bookings', { columns: [{ key: 'status', type: 'string' }] })
    expect(schemas.resolve('main', 'notifications')).toEqual({
      ok: false,
      error: 'table_not_found',
    })
    const resolution = schemas.resolve('main', 'bookings')
    expect(resolution.ok && resolution.schema?.columns.has('status')).toBe(true)
  })

  it('should answer tableSecurity for undeclared, schemaless and declared tables', () => {
    const schemas = registry(
      mainDatabase({
        open: {},
        locked: { permissions: ['read("users")'] },
        rows: { columns: [], rowSecurity: true },
      }),
    )
    const undeclared = { declared: false, permissions: [], rowSecurity: true }
    expect(schemas.tableSecurity('other', 'x')).toEqual(undeclared)
    expect(schemas.tableSecurity('main', 'open')).toEqual(undeclared)
    expect(schemas.tableSecurity('main', 'locked')).toEqual({
      declared: true,
      permissions: ['read("users")'],
      rowSecurity: false,
    })
    expect(schemas.tableSecurity('main', 'rows')).toEqual({
      declared: true,
      permissions: [],
      rowSecurity: true,
    })
    const resolution = schemas.resolve('main', 'rows')
    expect(resolution.ok && resolution.schema).toMatchObject({ permissions: [], rowSecurity: true })
  })

  it('should leave processing and failed columns and indexes out of the data layer view', () => {
    const resolution = tableT({
      columns: [
        { key: 'ready', type: 'string' },
        { key: 'pending', type: 'string', status: 'processing' },
        { key: 'broken', type: 'string', status: 'failed', error: 'boom' },
        { key: 'leaving', type: 'string', status: 'deleting' },
        { key: 'stuck', type: 'string', status: 'stuck' },
      ],
      indexes: [
        { key: 'u1', type: 'unique', columns: ['ready'] },
        { key: 'u2', type: 'unique', columns: ['ready'], status: 'processing' },
      ],
    }).resolve('main', 't')
    if (!resolution.ok || !resolution.schema) throw new Error('expected a schema')
    expect([...resolution.schema.columns.keys()]).toEqual(['ready', 'leaving', 'stuck'])
    expect(resolution.schema.indexes.map((index) => index.key)).toEqual(['u1'])
  })

  it('should go back to the declared databases on reset', () => {
    const schemas = registry(mainDatabase({ bookings: {} }))
    schemas.createDatabase('extra', { name: 'Extra', enabled: true })
    schemas.database('main')?.tables.delete('bookings')
    schemas.reset()
    expect(schemas.database('extra')).toBeUndefined()
    expect(schemas.resolve('main', 'bookings')).toEqual({ ok: true, schema: undefined })
  })

  it('should check unique indexes with the error type of each API', () => {
    const schemas = tableT({
      columns: [{ key: 'email', type: 'email' }],
      indexes: [{ key: 'u', type: 'unique', columns: ['email'] }],
    })
    const stored = [{ $id: 'a', data: { email: 'a@b.co' } }]
    expect(() =>
      schemas.assertUnique(
        'tablesDB',
        'main',
        't',
        { $id: 'b', data: { email: 'a@b.co' } },
        stored,
      ),
    ).toThrow(expect.objectContaining({ type: 'row_unique_constraint_violation', code: 409 }))
    expect(() =>
      schemas.assertUnique(
        'databases',
        'main',
        't',
        { $id: 'b', data: { email: 'a@b.co' } },
        stored,
      ),
    ).toThrow(expect.objectContaining({ type: 'document_unique_constraint_violation' }))
    // The stored row with the candidate's id is the one being replaced.
    expect(() =>
      schemas.assertUnique(
        'tablesDB',
        'main',
        't',
        { $id: 'a', data: { email: 'a@b.co' } },
        stored,
      ),
    ).not.toThrow()
  })

  it('should check every unique index against stored rows given as an iterator', () => {
    const schemas = tableT({
      columns: [
        { key: 'key', type: 'string' },
        { key: 'slot', type: 'string' },
      ],
      indexes: [
        { key: 'u_key', type: 'unique', columns: ['key'] },
        { key: 'u_slot', type: 'unique', columns: ['slot'] },
      ],
    })
    const table = new Map([['a', { $id: 'a', data: { key: 'k1', slot: 's1' } }]])
    expect(() =>
      schemas.assertUnique(
        'tablesDB',
        'main',
        't',
        { $id: 'b', data: { key: 'k2', slot: 's1' } },
        table.values(),
      ),
    ).toThrow(expect.objectContaining({ type: 'row_unique_constraint_violation' }))
  })
})
