// The index routes of the fake's admin, and the checks of an index definition against a table.
import { CUSTOM_ID_DESCRIPTION, isValidId } from '../ids'
import { findUniqueViolation } from '../indexes'
import { SYSTEM_INDEX_COLUMNS } from '../schema'
import type { StoredIndex, TableEntry } from '../schema'
import type { FakeColumn, FakeIndex } from '../types'
import type { AdminContext } from './context'
import { fail, failFor, paramError } from './errors'
import { INDEX_LIMIT, MAX_ARRAY_PARAMS } from './limits'
import { listTableParts } from './list'
import { indexModel } from './models'
import type { FakeIndexList, FakeIndexModel } from './models'
import type { Params, SetSchemaStatusParams } from './params'
import { assertKey, assertKeyIds } from './validators'

const KEY_IDS = ['databaseId', 'tableId', 'key']
const INDEX_TYPES = ['key', 'fulltext', 'unique', 'spatial']
const TEXT_TYPES = ['string', 'varchar', 'text', 'mediumtext', 'longtext']

/** Checks an array parameter: at most 100 items, each passing `valid`. */
function assertArrayParam(
  param: string,
  value: unknown,
  valid: (item: unknown) => boolean,
  description: string,
): void {
  if (!Array.isArray(value) || value.length > MAX_ARRAY_PARAMS || !value.every(valid)) {
    throw paramError(
      param,
      `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and ${description}`,
    )
  }
}

/** The indexes half of {@link FakeTablesDBAdmin}. @internal */
export class AdminIndexes {
  readonly #ctx: AdminContext

  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  list(args: readonly unknown[]): Promise<FakeIndexList> {
    return listTableParts<StoredIndex, FakeIndexList>(
      this.#ctx,
      'listIndexes',
      args,
      (entry) => ({
        label: 'Index',
        attributes: {
          key: 'string',
          type: 'string',
          status: 'string',
          attributes: 'strings',
          error: 'string',
        },
        items: entry.indexes,
        id: (index) => index.key,
        data: (index) => ({
          key: index.key,
          type: index.type,
          status: index.status,
          attributes: [...index.columns],
          error: index.error,
        }),
      }),
      (result) => ({
        total: result.total,
        indexes: result.items.map((index) => indexModel(index)),
      }),
    )
  }

  get(args: readonly unknown[]): Promise<FakeIndexModel> {
    const route = { operation: 'getIndex', positional: KEY_IDS, required: KEY_IDS }
    return this.#ctx.run(route, args, (p) => indexModel(this.#find(p).index))
  }

  /**
   * Creates an index answering `processing`; the worker then builds it, or marks a `unique` one
   * `failed` when stored rows already repeat a value.
   */
  create(args: readonly unknown[]): Promise<FakeIndexModel> {
    const route = {
      operation: 'createIndex',
      positional: ['databaseId', 'tableId', 'key', 'type', 'columns', 'orders', 'lengths'],
      required: ['databaseId', 'tableId', 'key', 'type', 'columns'],
    }
    return this.#ctx.run(route, args, (p) => {
      assertKeyIds(p)
      const definition = { ...p, orders: p.orders ?? [], lengths: p.lengths ?? [] }
      const entry = this.#ctx.table(p.databaseId, p.tableId)
      if (entry.indexes.length >= INDEX_LIMIT) {
        throw failFor('column_index_limit_exceeded', entry.tableId)
      }
      const now = this.#ctx.now()
      const index: StoredIndex = {
        ...validateIndex(entry, definition),
        $createdAt: now,
        $updatedAt: now,
      }
      entry.indexes = [...entry.indexes, index]
      this.#ctx.schema.refresh(entry)
      this.#ctx.enqueue(() => this.#build(entry, index))
      return indexModel(index)
    })
  }

  /** The schema worker's job for a new index. */
  #build(entry: TableEntry, index: StoredIndex): void {
    if (!this.#ctx.current(entry) || !entry.indexes.includes(index)) return
    const built: StoredIndex = { ...index, status: 'available' }
    const schema = entry.schema
    const failed =
      index.type === 'unique' &&
      schema !== undefined &&
      findUniqueViolation({ ...schema, indexes: [built] }, this.#ctx.rows(entry), []) !== undefined
    const result: StoredIndex = failed
      ? { ...index, status: 'failed', error: 'Unique index violation' }
      : built
    entry.indexes = entry.indexes.map((item) => (item === index ? result : item))
    this.#ctx.schema.refresh(entry)
  }

  delete(args: readonly unknown[]): Promise<Record<string, never>> {
    const route = { operation: 'deleteIndex', positional: KEY_IDS, required: KEY_IDS }
    return this.#ctx.run(route, args, (p) => {
      const { entry, index } = this.#find(p)
      let target = index
      if (index.status === 'available') {
        target = { ...index, status: 'deleting', $updatedAt: this.#ctx.now() }
        entry.indexes = entry.indexes.map((item) => (item === index ? target : item))
        this.#ctx.schema.refresh(entry)
      }
      this.#ctx.enqueue(() => {
        if (!this.#ctx.current(entry)) return
        entry.indexes = entry.indexes.filter((item) => item.key !== target.key)
        this.#ctx.schema.refresh(entry)
      })
      return {}
    })
  }

  /** Test hook behind {@link FakeTablesDBAdmin.setIndexStatus}. */
  setStatus(params: SetSchemaStatusParams): void {
    const entry = this.#ctx.table(params.databaseId, params.tableId)
    const position = entry.indexes.findIndex((index) => index.key === params.key)
    if (position < 0) throw failFor('column_index_not_found', params.key)
    entry.indexes = entry.indexes.map((index, i) =>
      i === position
        ? {
            ...index,
            status: params.status,
            error: params.error ?? '',
            $updatedAt: this.#ctx.now(),
          }
        : index,
    )
    this.#ctx.schema.refresh(entry)
  }

  /** An index of `createTable({ indexes })` (checked first by `assertInlineIndexes`), `available` at once. */
  inline(entry: TableEntry, definition: Params, now: string): StoredIndex {
    const index = validateIndex(entry, {
      key: definition.key,
      type: definition.type,
      columns: definition.attributes,
      orders: definition.orders ?? [],
      lengths: definition.lengths ?? [],
    })
    return { ...index, status: 'available', $createdAt: now, $updatedAt: now }
  }

  /** The table and index a `{ databaseId, tableId, key }` call names (`column_index_not_found`, 404). */
  #find(p: Params): { entry: TableEntry; index: StoredIndex } {
    assertKeyIds(p)
    const entry = this.#ctx.table(p.databaseId, p.tableId)
    const index = entry.indexes.find((item) => item.key === p.key)
    if (!index) throw failFor('column_index_not_found', p.key as string)
    return { entry, index }
  }
}

/**
 * The checks of an index definition against a table (appwrite `Indexes/Create.php` and
 * utopia-php/database `Validator/Index.php`).
 */
function validateIndex(entry: TableEntry, p: Params): FakeIndex {
  assertKey('key', p.key)
  if (typeof p.type !== 'string' || !INDEX_TYPES.includes(p.type)) {
    throw paramError('type', `Value must be one of (${INDEX_TYPES.join(', ')})`)
  }
  assertArrayParam(
    'columns',
    p.columns,
    (column) => typeof column === 'string' && isValidId(column.replace(/^\$/, '')),
    CUSTOM_ID_DESCRIPTION,
  )
  assertArrayParam(
    'orders',
    p.orders,
    (order) => typeof order === 'string' && /^(asc|desc)$/i.test(order),
    'Value must be one of (ASC, DESC)',
  )
  assertArrayParam(
    'lengths',
    p.lengths,
    (length) => length === null || Number.isInteger(length),
    'Value must be a valid integer',
  )
  const key = p.key as string
  const type = p.type as FakeIndex['type'] | 'spatial'
  const names = p.columns as string[]
  const lengths = p.lengths as Array<number | null>
  const resolved = names.map((name) => indexedColumn(entry, name))
  const invalid = (message: string) => fail('column_index_invalid', message)
  if (names.length === 0) throw invalid('No attributes provided for index')
  if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) {
    throw invalid('Duplicate attributes provided')
  }
  if (type === 'fulltext') {
    resolved.forEach((column, i) => {
      const stringy = column ? TEXT_TYPES.includes(column.type) : names[i] === '$id'
      if (!stringy) {
        throw invalid(
          `Attribute "${names[i]}" cannot be part of a fulltext index, must be of type string`,
        )
      }
    })
  }
  if (type === 'spatial') {
    throw invalid(
      `Spatial index can only be created on spatial attributes (point, linestring, polygon). Attribute "${names[0]}" is of type "${resolved[0]?.type ?? 'string'}"`,
    )
  }
  if (lengths.length > names.length) {
    throw invalid(
      'Invalid index lengths. Count of lengths must be equal or less than the number of attributes.',
    )
  }
  lengths.forEach((length, i) => {
    const column = resolved[i]
    if (length === null || !column) return
    if (length < 0) throw invalid(`Negative index length provided for ${names[i]}`)
    if (column.size !== undefined && length > column.size) {
      throw invalid(
        `Index length ${length} is larger than the size for ${names[i]}: ${column.size}"`,
      )
    }
  })
  const tooLong = indexLengthRefusal(type, resolved, lengths)
  if (tooLong) throw invalid(tooLong)
  if (entry.indexes.some((index) => index.key === key)) {
    throw failFor('column_index_already_exists', key)
  }
  return {
    key,
    type,
    status: 'processing',
    error: '',
    columns: [...names],
    orders: [...(p.orders as Array<'ASC' | 'DESC'>)],
    lengths: [...(lengths as number[])],
  }
}

/** A column an index names: `undefined` for a system column, else it must exist, be available and not a list. */
/** The longest an index may be, in characters of utf8mb4 (MariaDB's 3072 bytes / 4). */
const MAX_INDEX_LENGTH = 768

/**
 * `Index length is longer than the maximum: 768` when the columns of a key or unique index add up
 * past MariaDB's limit, as utopia-php/database's index validator counts them: a string column its
 * index length or size, a float 2, any other column 1. `undefined` when it fits.
 *
 * @internal
 */
export function indexLengthRefusal(
  type: string,
  columns: ReadonlyArray<FakeColumn | undefined>,
  lengths: ReadonlyArray<number | null | undefined>,
): string | undefined {
  if (type === 'fulltext') return undefined
  let total = 0
  columns.forEach((column, i) => {
    const length = lengths[i]
    if (column?.type === 'string') total += length ? length : (column.size ?? 0)
    else total += column?.type === 'double' ? 2 : 1
  })
  return total > MAX_INDEX_LENGTH
    ? `Index length is longer than the maximum: ${MAX_INDEX_LENGTH}`
    : undefined
}

function indexedColumn(entry: TableEntry, name: string): FakeColumn | undefined {
  if (SYSTEM_INDEX_COLUMNS.has(name)) return undefined
  const column = entry.columns?.get(name)
  if (!column) throw failFor('column_unknown', name)
  if (column.status !== 'available') throw failFor('column_not_available', name)
  if (column.array) {
    throw fail('index_invalid', 'Creating indexes on array attributes is not currently supported.')
  }
  return column
}
