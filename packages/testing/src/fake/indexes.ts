import { appwriteError } from './errors'
import type { TableSchema } from './schema'
import type { StoredRow, TableStorage } from './store'
import type { FakeApi, FakeColumn, FakeIndex } from './types'

/**
 * What the unique check reads of a row: its id, system dates (indexes may name `$id`,
 * `$createdAt`, `$updatedAt`) and column values. A stored row satisfies it.
 *
 * @internal
 */
export interface UniqueRow {
  readonly $id: string
  readonly $createdAt?: string
  readonly $updatedAt?: string
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * One value as a unique index compares it. MariaDB's default `utf8mb4_general_ci` collation (the
 * server creates its databases with `DEFAULT CHARACTER SET utf8mb4`, github:utopia-php/database
 * `src/Database/Adapter/MariaDB.php`, `create`) ignores case and trailing spaces, and a prefix
 * `length` compares only that many characters. `undefined` stands for SQL `NULL`, which never
 * collides: a unique index accepts any number of rows without a value.
 */
function indexPart(value: unknown, column: FakeColumn | undefined, length: number | undefined) {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') {
    const prefix = length !== undefined && length > 0 ? value.slice(0, length) : value
    return `s${prefix.toLowerCase().trimEnd()}`
  }
  if (typeof value === 'number' || typeof value === 'bigint') return `n${String(value)}`
  if (typeof value === 'boolean') return value ? 'n1' : 'n0'
  // Arrays cannot be indexed on the server; a declared array column still compares by content.
  return `j${column?.key ?? ''}${JSON.stringify(value)}`
}

/** The key a row has in a unique index, or `undefined` when a part is `NULL`. */
function uniqueKeyOf(schema: TableSchema, index: FakeIndex, row: UniqueRow): string | undefined {
  const parts: string[] = []
  for (let i = 0; i < index.columns.length; i++) {
    const key = index.columns[i]!
    const value =
      key === '$id'
        ? row.$id
        : key === '$createdAt'
          ? row.$createdAt
          : key === '$updatedAt'
            ? row.$updatedAt
            : row.data[key]
    const part = indexPart(value, schema.columns.get(key), index.lengths[i] ?? undefined)
    if (part === undefined) return undefined
    parts.push(part)
  }
  return parts.join('\u0000')
}

/**
 * The first `unique` index of `schema` that writing `candidates` would violate, or `undefined`.
 * A stored row whose `$id` is a candidate's counts as replaced by it; candidates are also checked
 * against each other, as a batch is written in one transaction.
 *
 * @internal
 */
export function findUniqueViolation(
  schema: TableSchema,
  candidates: readonly UniqueRow[],
  rows: Iterable<UniqueRow>,
): FakeIndex | undefined {
  const unique = schema.indexes.filter((index) => index.type === 'unique')
  if (unique.length === 0 || candidates.length === 0) return undefined
  const replaced = new Set(candidates.map((row) => row.$id))
  // Read once: an iterator (`map.values()`) would be spent by the first index, leaving the
  // others nothing to check against.
  let stored: readonly UniqueRow[] | undefined
  for (const index of unique) {
    const wanted = new Set<string>()
    for (const candidate of candidates) {
      const key = uniqueKeyOf(schema, index, candidate)
      if (key === undefined) continue
      if (wanted.has(key)) return index
      wanted.add(key)
    }
    if (wanted.size === 0) continue
    stored ??= Array.isArray(rows) ? (rows as readonly UniqueRow[]) : [...rows]
    for (const row of stored) {
      if (replaced.has(row.$id)) continue
      const key = uniqueKeyOf(schema, index, row)
      if (key !== undefined && wanted.has(key)) return index
    }
  }
  return undefined
}

/** How a table's storage keeps one unique index: its identity and a row's key in it. */
interface IndexPlan {
  readonly schema: TableSchema
  /** Changes whenever anything the keys depend on does (columns, prefix lengths, declared columns). */
  readonly id: string
  readonly keyOf: (row: StoredRow) => string | undefined
}

// One plan per index definition and schema version: schemas are replaced, never mutated.
const plans = new WeakMap<FakeIndex, IndexPlan>()

function planOf(schema: TableSchema, index: FakeIndex): IndexPlan {
  const cached = plans.get(index)
  if (cached !== undefined && cached.schema === schema) return cached
  const declared = index.columns.map((key) => (schema.columns.has(key) ? '1' : '0')).join('')
  const plan: IndexPlan = {
    schema,
    id: `${index.key}\u0000${index.columns.join('\u0000')}\u0000${index.lengths.join(',')}\u0000${declared}`,
    keyOf: (row) => uniqueKeyOf(schema, index, row),
  }
  plans.set(index, plan)
  return plan
}

/**
 * Like {@link findUniqueViolation} against the rows of `table`, through the table's unique
 * indexes (built on first use, then kept up to date by every write), so a check costs a lookup
 * per candidate instead of a pass over the table.
 */
function findIndexedViolation(
  schema: TableSchema,
  candidates: readonly UniqueRow[],
  table: TableStorage,
): FakeIndex | undefined {
  for (const index of schema.indexes) {
    if (index.type !== 'unique') continue
    const plan = planOf(schema, index)
    const wanted = new Set<string>()
    for (const candidate of candidates) {
      const key = uniqueKeyOf(schema, index, candidate)
      if (key === undefined) continue
      if (wanted.has(key)) return index
      wanted.add(key)
      for (const holder of table.holders(plan.id, plan.keyOf, key)) {
        // A stored row that one of the candidates replaces does not count.
        if (!candidates.some((row) => row.$id === holder)) return index
      }
    }
  }
  return undefined
}

/**
 * Throws the server's 409 when writing `candidates` to a table would violate one of its `unique`
 * indexes: `row_unique_constraint_violation` on the TablesDB routes,
 * `document_unique_constraint_violation` on the collection routes, with the catalogue message
 * (github:appwrite/appwrite `src/Appwrite/Platform/Modules/Databases/Http/Databases/Collections/Documents/Create.php`
 * catches utopia's `UniqueException`; `app/config/errors.php`). Schemaless tables and tables
 * without unique indexes pass at once. A stored row whose `$id` is a candidate's counts as
 * replaced by it; candidates are also checked against each other. Given a table, its rows are
 * looked up through its indexes (see {@link TableStorage.holders}), never scanned; given plain
 * rows, they are scanned.
 *
 * @example
 * ```ts
 * assertUniqueRows('tablesDB', schema, { $id: 'b2', data: { idempotencyKey: 'k1' } }, table)
 * ```
 *
 * @internal
 */
export function assertUniqueRows(
  api: FakeApi,
  schema: TableSchema | undefined,
  candidates: UniqueRow | readonly UniqueRow[],
  rows: TableStorage | Iterable<UniqueRow> | undefined,
): void {
  if (!schema || !schema.indexes.some((index) => index.type === 'unique')) return
  const list = Array.isArray(candidates)
    ? (candidates as readonly UniqueRow[])
    : [candidates as UniqueRow]
  if (list.length === 0) return
  const violated =
    rows === undefined
      ? findUniqueViolation(schema, list, [])
      : isTable(rows)
        ? findIndexedViolation(schema, list, rows)
        : findUniqueViolation(schema, list, rows)
  if (violated) {
    throw appwriteError(
      api === 'tablesDB'
        ? 'row_unique_constraint_violation'
        : 'document_unique_constraint_violation',
    )
  }
}

function isTable(rows: TableStorage | Iterable<UniqueRow>): rows is TableStorage {
  return typeof (rows as Partial<TableStorage>).holders === 'function'
}
