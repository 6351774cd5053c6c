import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compiledModel, copyOut, loopModel, toModel } from '../fake/rowModels'
import type { ContainerKey } from '../fake/rowModels'
import type { TableSchema } from '../fake/schema'
import type { StoredRow } from '../fake/store'

/** A schema with just what models read: columns by key, each with its `array` flag. */
const schemaOf = (columns: readonly { key: string; array: boolean }[]) =>
  ({ columns: new Map(columns.map((column) => [column.key, column])) }) as unknown as TableSchema

const place = { databaseId: 'main', tableId: 'bookings' }

const rowOf = (data: Record<string, unknown>, permissions: string[] = []): StoredRow => ({
  $id: 'r1',
  $sequence: 7,
  $createdAt: '2026-01-01T00:00:00.000+00:00',
  $updatedAt: '2026-01-02T00:00:00.000+00:00',
  $permissions: permissions,
  data,
})

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 3 }),
  ),
})).value

// Column keys as the server allows them, plus keys a generated literal must quote or escape.
const columnKey = fc.oneof(
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,12}$/),
  fc.constantFrom('with space', 'quote"d', 'back\\slash', 'new\nline', '$id', 'constructor'),
)

describe('row models: the compiled builder against the loop', () => {
  it('should build the same model, key order included, for any schema and row', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ key: columnKey, array: fc.boolean() }), {
          selector: (column) => column.key,
          maxLength: 12,
        }),
        fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 8 }),
        fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
        fc.constantFrom<ContainerKey>('$tableId', '$collectionId'),
        fc.boolean(),
        (columns, extra, permissions, containerKey, fillColumns) => {
          const schema = schemaOf(columns)
          const data: Record<string, unknown> = { ...extra }
          // Half the runs store a value (or null) in every column, the others leave some unset.
          if (fillColumns) for (const { key } of columns) data[key] ??= null
          const row = rowOf(data, permissions)
          const build = compiledModel(schema, containerKey)
          expect(build).toBeDefined()
          const compiled = build!(row, place, copyOut)
          const looped = loopModel(containerKey, place, row, schema)
          expect(Object.keys(compiled)).toEqual(Object.keys(looped))
          expect(compiled).toEqual(looped)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('should copy arrays and objects out, so a caller changing the model never changes the row', () => {
    const schema = schemaOf([
      { key: 'tags', array: true },
      { key: 'meta', array: false },
    ])
    const row = rowOf({ tags: ['a'], meta: { n: 1 } }, ['read("any")'])
    const model = toModel('$tableId', place, row, schema)
    ;(model.tags as string[]).push('b')
    ;(model.meta as { n: number }).n = 2
    ;(model.$permissions as string[]).push('x')
    expect(row.data).toEqual({ tags: ['a'], meta: { n: 1 } })
    expect(row.$permissions).toEqual(['read("any")'])
  })

  it('should fall back to the loop for a column named __proto__, and with selects', () => {
    const schema = schemaOf([
      { key: '__proto__', array: false },
      { key: 'name', array: false },
    ])
    expect(compiledModel(schema, '$tableId')).toBeUndefined()
    const row = rowOf({ name: 'Ana' })
    expect(toModel('$tableId', place, row, schema)).toEqual(
      loopModel('$tableId', place, row, schema),
    )
    const plain = schemaOf([
      { key: 'name', array: false },
      { key: 'city', array: false },
    ])
    expect(
      Object.keys(toModel('$tableId', place, rowOf({ name: 'Ana' }), plain, ['name'])),
    ).toEqual([
      '$id',
      '$sequence',
      '$tableId',
      '$databaseId',
      '$createdAt',
      '$updatedAt',
      '$permissions',
      'name',
    ])
  })

  it('should compile once per schema and container key', () => {
    const schema = schemaOf([{ key: 'name', array: false }])
    expect(compiledModel(schema, '$tableId')).toBe(compiledModel(schema, '$tableId'))
    expect(compiledModel(schema, '$collectionId')).not.toBe(compiledModel(schema, '$tableId'))
  })
})
