// The API model of a stored row: system fields, then columns. Two ways to build it that must agree
// (`rowModels.test.ts` checks them against each other on random schemas and rows):
// - `loopModel`, the reference: a loop over the columns, a property added per column;
// - a builder compiled once per schema (`new Function`), one object literal with a fixed shape.
// The compiled one is kept for a measured reason: building 100 models of a 24-column table costs
// about a third of the loop's CPU (docs/benchmarks.md, "The fake's row models"), and every list
// and read of the fake and the emulator builds models.
import { copyJson } from './json'
import type { TableSchema } from './schema'
import type { StoredRow, TableStorage } from './store'

type Model = Record<string, unknown>

/** The key naming the row's container: `$tableId` (TablesDB) or `$collectionId` (Databases). */
export type ContainerKey = '$tableId' | '$collectionId'

/** Where a row lives, as its model names it. */
export type RowPlace = Pick<TableStorage, 'databaseId' | 'tableId'>

/** Copies a stored value on the way out; scalars are shared, arrays and objects copied. */
export function copyOut(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === 'object') return copyJson(value)
    return value.slice()
  }
  return copyJson(value)
}

/**
 * The model built by a loop: system fields, then every declared column (`null`, or `[]` for an
 * array, when unset) or, without a schema, every stored key; only `selects` when given.
 */
export function loopModel(
  containerKey: ContainerKey,
  table: RowPlace,
  row: StoredRow,
  schema: TableSchema | undefined,
  selects?: readonly string[],
): Model {
  // Two literal shapes instead of a computed key keep object creation on V8's fast path.
  const out: Model =
    containerKey === '$tableId'
      ? {
          $id: row.$id,
          $sequence: String(row.$sequence),
          $tableId: table.tableId,
          $databaseId: table.databaseId,
          $createdAt: row.$createdAt,
          $updatedAt: row.$updatedAt,
          $permissions: [...row.$permissions],
        }
      : {
          $id: row.$id,
          $sequence: String(row.$sequence),
          $collectionId: table.tableId,
          $databaseId: table.databaseId,
          $createdAt: row.$createdAt,
          $updatedAt: row.$updatedAt,
          $permissions: [...row.$permissions],
        }
  const data = row.data
  if (schema) {
    for (const column of schema.columns.values()) {
      if (selects && !selects.includes(column.key)) continue
      const value = data[column.key]
      out[column.key] =
        value === undefined || value === null ? (column.array ? [] : null) : copyOut(value)
    }
  } else {
    for (const key in data) {
      if (selects && !selects.includes(key)) continue
      out[key] = copyOut(data[key])
    }
  }
  return out
}

/** A declared table's model builder, compiled for one schema and container key. */
export type CompiledModel = (row: StoredRow, table: RowPlace, copy: typeof copyOut) => Model

// Per schema version (schemas are replaced, never mutated) and container key. `null`: not compiled.
const compiled = new WeakMap<TableSchema, Map<ContainerKey, CompiledModel | null>>()

/**
 * The compiled builder of `schema`'s models: the same keys in the same order as `loopModel`, in
 * one object literal. `undefined` where code cannot be generated (a Content Security Policy
 * without `unsafe-eval`) or a key must not be written literally (`__proto__`).
 */
export function compiledModel(
  schema: TableSchema,
  containerKey: ContainerKey,
): CompiledModel | undefined {
  let builders = compiled.get(schema)
  if (builders === undefined) {
    builders = new Map()
    compiled.set(schema, builders)
  }
  let builder = builders.get(containerKey)
  if (builder === undefined) {
    builder = compile(schema, containerKey)
    builders.set(containerKey, builder)
  }
  return builder ?? undefined
}

function compile(schema: TableSchema, containerKey: ContainerKey): CompiledModel | null {
  const columns = [...schema.columns.values()]
  if (columns.some((column) => column.key === '__proto__')) return null
  const fields = columns.map((column) => {
    const key = JSON.stringify(column.key)
    const empty = column.array ? '[]' : 'null'
    return `${key}: (v = d[${key}]) === undefined || v === null ? ${empty} : copy(v)`
  })
  const source = `"use strict"
const d = row.data
let v
return {
  $id: row.$id,
  $sequence: String(row.$sequence),
  ${JSON.stringify(containerKey)}: table.tableId,
  $databaseId: table.databaseId,
  $createdAt: row.$createdAt,
  $updatedAt: row.$updatedAt,
  $permissions: [...row.$permissions],
  ${fields.join(',\n  ')}
}`
  try {
    return new Function('row', 'table', 'copy', source) as CompiledModel
  } catch (error) {
    // An EvalError is a policy that forbids generated code: the loop serves. Anything else is a bug.
    if (error instanceof EvalError) return null
    throw error
  }
}

/** The model of `row`: the compiled builder for a declared table without `selects`, else the loop. */
export function toModel(
  containerKey: ContainerKey,
  table: RowPlace,
  row: StoredRow,
  schema: TableSchema | undefined,
  selects?: readonly string[],
): Model {
  if (schema && !selects) {
    const build = compiledModel(schema, containerKey)
    if (build !== undefined) return build(row, table, copyOut)
  }
  return loopModel(containerKey, table, row, schema, selects)
}
