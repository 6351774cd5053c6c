// The column routes of the fake's admin: every kind's create and update through one path each,
// driven by the column-kind table, plus list, get, delete and the `createTable({ columns })` form.
import { appwriteError } from '../errors'
import { INTEGER_MAX, INTEGER_MIN, normalizeColumn } from '../schema'
import type { StoredColumn, TableEntry } from '../schema'
import type { ColumnDefinition } from '../types'
import { COLUMN_KINDS, kindOf } from './columnKinds'
import type { ColumnKind, ColumnKindTypes } from './columnKinds'
import type { AdminContext } from './context'
import { fail, failFor } from './errors'
import { indexLengthRefusal } from './indexes'
import { COLUMN_LIMIT, INTERNAL_COLUMNS, ROW_WIDTH_LIMIT, STRING_MAX, VARCHAR_MAX } from './limits'
import { listTableParts } from './list'
import { columnModel, rowWidth } from './models'
import type { FakeColumnList, FakeGetColumnModel } from './models'
import type { Params, SetSchemaStatusParams } from './params'
import {
  MIN_OVER_MAX,
  assertBoolean,
  assertDefaultParam,
  assertElementsParam,
  assertFloatParam,
  assertIntegerParam,
  assertKey,
  assertKeyIds,
  assertRangeParam,
  isNullish,
  rangeDescription,
  textDescription,
} from './validators'

const KEY_IDS = ['databaseId', 'tableId', 'key']

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The numeric bounds parameters of integer and float kinds, checked in declaration order. */
function assertBoundsParams(kind: ColumnKind, p: Params): void {
  if (kind !== 'integer' && kind !== 'float') return
  const assertBound = kind === 'integer' ? assertIntegerParam : assertFloatParam
  assertBound('min', p.min)
  assertBound('max', p.max)
}

/** `min <= max`, and a default between them. */
function assertRange(min: number | bigint, max: number | bigint, fallback: unknown): void {
  if (min > max) throw fail('column_value_invalid', MIN_OVER_MAX)
  if (fallback !== null && ((fallback as number) < min || (fallback as number) > max)) {
    throw fail('column_value_invalid', rangeDescription(min, max))
  }
}

/** A default with `required` or on a list column (`column_default_unsupported`). */
function assertDefaultAllowed(required: unknown, array: unknown, fallback: unknown): void {
  if (fallback === null) return
  if (required === true) {
    throw fail('column_default_unsupported', 'Cannot set default value for required column')
  }
  if (array === true) {
    throw fail('column_default_unsupported', 'Cannot set default value for array columns')
  }
}

/** The columns half of {@link FakeTablesDBAdmin}. @internal */
export class AdminColumns {
  readonly #ctx: AdminContext

  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  list(args: readonly unknown[]): Promise<FakeColumnList> {
    return listTableParts<StoredColumn, FakeColumnList>(
      this.#ctx,
      'listColumns',
      args,
      (entry) => ({
        label: 'Column',
        attributes: {
          key: 'string',
          type: 'string',
          size: 'integer',
          required: 'boolean',
          array: 'boolean',
          status: 'string',
          error: 'string',
        },
        items: [...(entry.columns?.values() ?? [])],
        id: (column) => column.key,
        data: (column) => ({
          key: column.key,
          type: column.type,
          size: column.size ?? 0,
          required: column.required,
          array: column.array,
          status: column.status,
          error: column.error,
        }),
      }),
      (result) => ({
        total: result.total,
        columns: result.items.map((column) => columnModel(column)),
      }),
    )
  }

  get(args: readonly unknown[]): Promise<FakeGetColumnModel> {
    const route = { operation: 'getColumn', positional: KEY_IDS, required: KEY_IDS }
    return this.#ctx.run(route, args, (p) => {
      assertKeyIds(p)
      return columnModel(this.#find(p).column) as FakeGetColumnModel
    })
  }

  /** `deleting`, then gone, with its values in stored rows and from the indexes that name it. */
  delete(args: readonly unknown[]): Promise<Record<string, never>> {
    const route = { operation: 'deleteColumn', positional: KEY_IDS, required: KEY_IDS }
    return this.#ctx.run(route, args, (p) => {
      // appwrite .../Collections/Attributes/Delete.php: only an `available` column turns `deleting`.
      assertKeyIds(p)
      const { entry, column } = this.#find(p)
      const key = column.key
      if (column.status === 'available') {
        this.#ctx.putColumn(entry, { ...column, status: 'deleting', $updatedAt: this.#ctx.now() })
      }
      this.#ctx.enqueue(() => this.#drop(entry, key))
      return {}
    })
  }

  /** The schema worker's job for a deleted column. */
  #drop(entry: TableEntry, key: string): void {
    if (!this.#ctx.current(entry) || entry.columns?.get(key)?.key !== key) return
    entry.columns.delete(key)
    entry.indexes = entry.indexes
      .map((index) => {
        const at = index.columns.indexOf(key)
        if (at < 0) return index
        return {
          ...index,
          columns: index.columns.filter((_, i) => i !== at),
          orders: index.orders.filter((_, i) => i !== at),
          lengths: index.lengths.filter((_, i) => i !== at),
        }
      })
      .filter((index) => index.columns.length > 0)
    this.#ctx.rewriteRows(entry, (data) => {
      if (!(key in data)) return false
      delete data[key]
      return true
    })
    this.#ctx.schema.refresh(entry)
  }

  /** The shared path of every `create…Column` call (appwrite `Attributes/Action.php`, `createAttribute`). */
  create<K extends ColumnKind>(
    kind: K,
    args: readonly unknown[],
  ): Promise<ColumnKindTypes[K]['model']> {
    const spec = COLUMN_KINDS[kind]
    return this.#ctx.run(spec.create, args, (p) => {
      // Parameter validators, in declaration order.
      assertKeyIds(p)
      if (kind === 'enum') assertElementsParam(p.elements)
      if (kind === 'string') assertRangeParam('size', p.size, 1, STRING_MAX)
      if (kind === 'varchar') assertRangeParam('size', p.size, 1, VARCHAR_MAX)
      assertBoolean('required', p.required, false)
      assertBoundsParams(kind, p)
      assertDefaultParam(kind, p.xdefault)
      assertBoolean('array', p.array)
      assertBoolean('encrypt', p.encrypt)
      const fallback = p.xdefault ?? null
      // Route actions, before the shared createAttribute.
      let min: number | bigint | undefined
      let max: number | bigint | undefined
      if (kind === 'string' || kind === 'varchar') {
        const size = p.size as number
        if (fallback !== null && [...(fallback as string)].length > size) {
          throw fail('column_value_invalid', textDescription(size))
        }
        if (p.encrypt === true && size < 150) {
          throw appwriteError(
            'general_bad_request',
            'Size too small. Encrypted strings require a minimum size of 150 characters.',
          )
        }
      }
      if (kind === 'integer' || kind === 'float') {
        const integer = kind === 'integer'
        min =
          (p.min as number | bigint | null | undefined) ??
          (integer ? INTEGER_MIN : -Number.MAX_VALUE)
        max =
          (p.max as number | bigint | null | undefined) ??
          (integer ? INTEGER_MAX : Number.MAX_VALUE)
        assertRange(min, max, fallback)
      }
      if (
        kind === 'enum' &&
        fallback !== null &&
        !(p.elements as string[]).includes(fallback as string)
      ) {
        throw fail('column_value_invalid', 'Default value not found in elements')
      }
      const entry = this.#ctx.table(p.databaseId, p.tableId)
      assertDefaultAllowed(p.required, p.array, fallback)
      const key = p.key as string
      const column: StoredColumn = {
        ...normalizeColumn(
          'a column',
          {
            key,
            type: kind === 'float' ? 'double' : kind,
            required: p.required as boolean,
            array: (p.array as boolean | undefined) ?? false,
            size: (p.size as number | undefined) ?? spec.size,
            min: kind === 'float' ? Number(min) : min,
            max: kind === 'float' ? Number(max) : max,
            elements: kind === 'enum' ? [...(p.elements as string[])] : undefined,
            default: fallback,
            status: 'processing',
          },
          this.#ctx.now(),
        ),
        encrypt: p.encrypt === true,
      }
      // Database::checkAttribute (utopia-php/database): column count, then row width.
      const existing = [...(entry.columns?.values() ?? [])]
      if (
        existing.length + 1 + INTERNAL_COLUMNS > COLUMN_LIMIT ||
        rowWidth([...existing, column]) >= ROW_WIDTH_LIMIT
      ) {
        throw failFor('column_limit_exceeded', entry.tableId)
      }
      if (entry.columns?.has(key)) throw failFor('column_already_exists', key)
      this.#ctx.putColumn(entry, column)
      this.#ctx.enqueue(() => {
        if (!this.#ctx.current(entry) || entry.columns?.get(key) !== column) return
        this.#ctx.putColumn(entry, { ...column, status: 'available' })
      })
      // The response is what the route sends (202): still `processing`.
      return columnModel(column, 'processing')
    })
  }

  /** The shared path of every `update…Column` call (appwrite `Attributes/Action.php`, `updateAttribute`). */
  update<K extends ColumnKind>(
    kind: K,
    args: readonly unknown[],
  ): Promise<ColumnKindTypes[K]['model']> {
    return this.#ctx.run(COLUMN_KINDS[kind].update, args, (p) => {
      assertKeyIds(p)
      if (kind === 'enum') assertElementsParam(p.elements)
      assertBoolean('required', p.required, false)
      assertBoundsParams(kind, p)
      assertDefaultParam(kind, p.xdefault)
      if ((kind === 'string' || kind === 'varchar') && !isNullish(p.size)) {
        assertRangeParam('size', p.size, 1, kind === 'string' ? STRING_MAX : VARCHAR_MAX)
      }
      assertKey('newKey', p.newKey, true)
      const { entry, column } = this.#find(p)
      const key = column.key
      if (column.status !== 'available') {
        // The route throws this without a key, so the message keeps the catalogue's '%s'.
        throw fail('column_not_available')
      }
      if (kindOf(column) !== kind) throw failFor('column_type_invalid', key)
      const fallback = p.xdefault ?? null
      assertDefaultAllowed(p.required, column.array, fallback)
      const next: Mutable<StoredColumn> = {
        ...column,
        required: p.required as boolean,
        default: fallback,
        $updatedAt: this.#ctx.now(),
      }
      if (typeof p.size === 'number' && p.size !== 0) next.size = p.size
      if (kind === 'integer' || kind === 'float') {
        next.min = (p.min as number | bigint | null | undefined) ?? column.min!
        next.max = (p.max as number | bigint | null | undefined) ?? column.max!
        assertRange(next.min, next.max, fallback)
      }
      if (kind === 'enum') {
        const elements = p.elements as string[]
        if (elements.length === 0) {
          throw fail('column_value_invalid', 'Enum elements must not be empty')
        }
        if (elements.some((element) => element.length === 0)) {
          throw fail('column_value_invalid', 'Each enum element must not be empty')
        }
        if (fallback !== null && !elements.includes(fallback as string)) {
          throw fail('column_value_invalid', 'Default value not found in elements')
        }
        next.elements = [...elements]
      }
      if (
        next.size !== undefined &&
        next.size !== column.size &&
        (kind === 'string' || kind === 'varchar')
      ) {
        this.#assertResizable(entry, key, next.size)
        for (const index of entry.indexes) {
          if (!index.columns.includes(key)) continue
          const refused = indexLengthRefusal(
            index.type,
            index.columns.map((name) => (name === key ? next : entry.columns?.get(name))),
            index.lengths,
          )
          if (refused) throw fail('column_index_invalid', refused)
        }
      }
      if (typeof p.newKey === 'string' && p.newKey !== '' && p.newKey !== key) {
        next.key = p.newKey
        this.#rename(entry, key, next)
      } else {
        this.#ctx.putColumn(entry, next)
      }
      return columnModel(next)
    })
  }

  /** `column_invalid_resize` when a stored value is longer than the new size. */
  #assertResizable(entry: TableEntry, key: string, size: number): void {
    const tooLong = this.#ctx.rows(entry).some((row) => {
      const value = row.data[key]
      const values = Array.isArray(value) ? value : [value]
      return values.some((item) => typeof item === 'string' && [...item].length > size)
    })
    if (tooLong) throw fail('column_invalid_resize')
  }

  /** Renames a column in the table, its indexes and the stored rows, keeping its position. */
  #rename(entry: TableEntry, key: string, next: StoredColumn): void {
    const newKey = next.key
    if (entry.columns?.has(newKey)) throw failFor('column_already_exists', newKey)
    const renamed = new Map<string, StoredColumn>()
    for (const [k, c] of entry.columns!) renamed.set(k === key ? newKey : k, k === key ? next : c)
    entry.columns = renamed
    entry.indexes = entry.indexes.map((index) =>
      index.columns.includes(key)
        ? { ...index, columns: index.columns.map((c) => (c === key ? newKey : c)) }
        : index,
    )
    this.#ctx.rewriteRows(entry, (data) => {
      if (!(key in data)) return false
      data[newKey] = data[key]
      delete data[key]
      return true
    })
    this.#ctx.schema.refresh(entry)
  }

  /** Test hook behind {@link FakeTablesDBAdmin.setColumnStatus}. */
  setStatus(params: SetSchemaStatusParams): void {
    const { entry, column } = this.#find(params)
    this.#ctx.putColumn(entry, {
      ...column,
      status: params.status,
      error: params.error ?? '',
      $updatedAt: this.#ctx.now(),
    })
  }

  /**
   * A column of `createTable({ columns })` (checked and resolved first by the installed
   * `InlineSchema`): built `available` at once, as the server does.
   */
  inline(
    entry: TableEntry,
    definition: ColumnDefinition & { encrypt: boolean },
    now: string,
  ): StoredColumn {
    const { encrypt, ...column } = definition
    return {
      ...normalizeColumn(
        `table \`${entry.databaseId}.${entry.tableId}\``,
        { ...column, status: 'available', error: '' },
        now,
      ),
      encrypt,
    }
  }

  /** The table and column a `{ databaseId, tableId, key }` call names (`column_not_found`, 404). */
  #find(p: { readonly databaseId?: unknown; readonly tableId?: unknown; readonly key?: unknown }): {
    entry: TableEntry
    column: StoredColumn
  } {
    const entry = this.#ctx.table(p.databaseId, p.tableId)
    const column = entry.columns?.get(p.key as string)
    if (!column) throw failFor('column_not_found', p.key as string)
    return { entry, column }
  }
}
