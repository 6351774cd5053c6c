import { appwriteError } from './errors'
import type { TableSchema } from './schema'
import type { TableStorage } from './store'
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

/** One column of a unique index: where a row keeps its value, and how it compares. */
interface IndexPart {
  readonly key: string
  readonly column: FakeColumn | undefined
  /** The prefix length compared, if any. */
  readonly length: number | undefined
}

/** How one unique index of a schema version reads keys, and how a table's storage names it. */
interface IndexPlan {
  readonly index: FakeIndex
  /** Changes whenever anything the keys depend on does (columns, prefix lengths, declared columns). */
  readonly id: string
  /** A row's key in the index, `undefined` when a part is `NULL`. */
  readonly keyOf: (row: UniqueRow) => string | undefined
}

// The unique indexes of each schema version: schemas are replaced, never mutated.
const uniquePlans = new WeakMap<TableSchema, readonly IndexPlan[]>()

function uniquePlansOf(schema: TableSchema): readonly IndexPlan[] {
  let plans = uniquePlans.get(schema)
  if (plans === undefined) {
    plans = schema.indexes
      .filter((index) => index.type === 'unique')
      .map((index) => indexPlan(schema, index))
    uniquePlans.set(schema, plans)
  }
  return plans
}

function indexPlan(schema: TableSchema, index: FakeIndex): IndexPlan {
  const parts: IndexPart[] = index.columns.map((key, i) => ({
    key,
    column: schema.columns.get(key),
    length: index.lengths[i] ?? undefined,
  }))
  const declared = parts.map((part) => (part.column ? '1' : '0')).join('')
  return {
    index,
    id: `${index.key}\u0000${index.columns.join('\u0000')}\u0000${index.lengths.join(',')}\u0000${declared}`,
    keyOf: (row) => uniqueKeyOf(parts, row),
  }
}

function partValue(row: UniqueRow, key: string): unknown {
  if (key === '$id') return row.$id
  if (key === '$createdAt') return row.$createdAt
  if (key === '$updatedAt') return row.$updatedAt
  return row.data[key]
}

/** The key a row has in a unique index, or `undefined` when a part is `NULL`. */
function uniqueKeyOf(parts: readonly IndexPart[], row: UniqueRow): string | undefined {
  const first = parts[0]
  if (first === undefined) return ''
  const head = indexPart(partValue(row, first.key), first.column, first.length)
  if (head === undefined || parts.length === 1) return head
  let key = head
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!
    const value = indexPart(partValue(row, part.key), part.column, part.length)
    if (value === undefined) return undefined
    key += `\u0000${value}`
  }
  return key
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
  const plans = uniquePlansOf(schema)
  if (plans.length === 0 || candidates.length === 0) return undefined
  const replaced = new Set(candidates.map((row) => row.$id))
  // Read once: an iterator (`map.values()`) would be spent by the first index, leaving the
  // others nothing to check against.
  let stored: readonly UniqueRow[] | undefined
  for (const { index, keyOf } of plans) {
    const wanted = candidateKeys(keyOf, candidates)
    if (wanted === undefined) return index
    if (wanted.size === 0) continue
    stored ??= Array.isArray(rows) ? (rows as readonly UniqueRow[]) : [...rows]
    for (const row of stored) {
      if (replaced.has(row.$id)) continue
      const key = keyOf(row)
      if (key !== undefined && wanted.has(key)) return index
    }
  }
  return undefined
}

/**
 * Like {@link findUniqueViolation} against the rows of `table`, through the table's unique
 * indexes (built on first use, then kept up to date by every write), so a check costs a lookup
 * per candidate instead of a pass over the table.
 */
function findIndexedViolation(
  plans: readonly IndexPlan[],
  candidates: readonly UniqueRow[],
  table: TableStorage,
): FakeIndex | undefined {
  for (const { index, id, keyOf } of plans) {
    if (candidates.length === 1) {
      // One row (every single-row write): no other candidate to collide with or to replace.
      const candidate = candidates[0]!
      const key = keyOf(candidate)
      if (key === undefined) continue
      for (const holder of table.holders(id, keyOf, key)) if (holder !== candidate.$id) return index
      continue
    }
    const wanted = candidateKeys(keyOf, candidates)
    if (wanted === undefined) return index
    for (const key of wanted) {
      for (const holder of table.holders(id, keyOf, key)) {
        // A stored row that one of the candidates replaces does not count.
        if (!candidates.some((row) => row.$id === holder)) return index
      }
    }
  }
  return undefined
}

/**
 * The keys `candidates` have in one unique index (a row with a `NULL` part has none), or
 * `undefined` when two of them share a key: the batch then violates the index by itself.
 */
function candidateKeys(
  keyOf: IndexPlan['keyOf'],
  candidates: readonly UniqueRow[],
): Set<string> | undefined {
  const keys = new Set<string>()
  for (const candidate of candidates) {
    const key = keyOf(candidate)
    if (key === undefined) continue
    if (keys.has(key)) return undefined
    keys.add(key)
  }
  return keys
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
  if (!schema) return
  const plans = uniquePlansOf(schema)
  if (plans.length === 0) return
  const list = Array.isArray(candidates)
    ? (candidates as readonly UniqueRow[])
    : [candidates as UniqueRow]
  if (list.length === 0) return
  const violated =
    rows === undefined
      ? findUniqueViolation(schema, list, [])
      : isTable(rows)
        ? findIndexedViolation(plans, list, rows)
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
