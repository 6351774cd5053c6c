/**
 * The slice of Appwrite's TablesDB management API that drift detection and provisioning call,
 * written structurally so that `new TablesDB(client)` from `node-appwrite` (with an API key) and
 * `@booking-guard/testing`'s `fake.admin` both fit without an adapter. Core never imports
 * `node-appwrite`: the `booking-guard` CLI loads it on demand.
 *
 * There is deliberately no `delete…` or `update…` method here: provisioning cannot drop or change
 * anything, by construction.
 */

/**
 * A column as Appwrite reports it (`Models.ColumnString`, `Models.ColumnEnum`, …, the union
 * `getTable` returns in `columns`). Only the fields drift detection reads.
 *
 * Appwrite reports `email`, `url`, `ip` and `enum` columns as `type: 'string'` with that
 * `format`, float columns as `type: 'double'`, and since server 1.9 also `varchar`, `text`,
 * `mediumtext` and `longtext` columns.
 */
export interface ColumnModelLike {
  /** Column key. */
  key: string
  /** Storage type: `string`, `varchar`, `text`, `integer`, `bigint`, `double`, `boolean`, `datetime`, … */
  type: string
  /** `available`, `processing`, `deleting`, `stuck` or `failed`. */
  status: string
  /** Why a `failed` column failed; `''` otherwise. */
  error?: string
  /** Whether Appwrite rejects a row without it. */
  required: boolean
  /** Whether the column holds a list of values. */
  array?: boolean
  /** Maximum length of a `string` / `varchar` column in characters. */
  size?: number
  /** `email`, `url`, `ip` or `enum` on a `string` column; `''` or absent otherwise. */
  format?: string
  /** The accepted values of an enum column. */
  elements?: string[]
  /** Smallest accepted value of a numeric column. */
  min?: number | bigint
  /** Largest accepted value of a numeric column. */
  max?: number | bigint
}

/** An index as Appwrite reports it (`Models.ColumnIndex`). */
export interface IndexModelLike {
  /** Index key. */
  key: string
  /** `key`, `unique`, `fulltext` or `spatial`. */
  type: string
  /** `available`, `processing`, `deleting`, `stuck` or `failed`. */
  status: string
  /** The indexed column keys, in order. */
  columns: string[]
  /** Sort order per column (`asc` / `desc`, any case). */
  orders?: string[]
}

/** A table as `getTable` returns it (`Models.Table`). */
export interface TableModelLike {
  /** Table id. */
  $id: string
  /** Table-level permission strings, e.g. `create("users")`. */
  $permissions?: string[]
  /** Whether each row's own permissions are honoured. */
  rowSecurity?: boolean
  /** Every column of the table. */
  columns: ColumnModelLike[]
  /** Every index of the table. */
  indexes: IndexModelLike[]
}

/**
 * Where a column or index call applies.
 *
 * @inline
 */
interface TableRef {
  databaseId: string
  tableId: string
}

/**
 * Parameters every `create…Column` call shares.
 *
 * @inline
 */
interface ColumnParams extends TableRef {
  key: string
  required: boolean
  array?: boolean
}

/**
 * The TablesDB management methods booking-guard calls, in the object-argument form
 * (`node-appwrite` ≥ 17). `node-appwrite`'s `TablesDB` and the fake's `admin` are both
 * assignable to it (see the type tests). Needs an API key with the `databases.read` scope for
 * {@link checkSchemaDrift} and `databases.write` too for {@link provisionSchema}.
 *
 * String columns are created with `createStringColumn` when the object has it (every server up to
 * 1.9, where it is deprecated but still served), else with `createVarcharColumn` /
 * `createTextColumn` / `createMediumtextColumn` by size; at least one of them must exist.
 *
 * @example
 * ```ts
 * import { Client, TablesDB } from 'node-appwrite'
 * import type { TablesDBAdminLike } from '@booking-guard/core/admin'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(project).setKey(apiKey)
 * const admin: TablesDBAdminLike = new TablesDB(client)
 * ```
 */
export interface TablesDBAdminLike {
  /** Reads a database; rejects with `database_not_found` (404) when it does not exist. */
  get(params: { databaseId: string }): Promise<unknown>
  /** Creates a database. */
  create(params: { databaseId: string; name: string }): Promise<unknown>
  /** Reads a table with its columns and indexes; rejects with `table_not_found` (404). */
  getTable(params: TableRef): Promise<TableModelLike>
  /** Creates a table. */
  createTable(
    params: TableRef & { name: string; permissions?: string[]; rowSecurity?: boolean },
  ): Promise<unknown>
  /** Legacy string column (deprecated by server 1.9, still served). */
  createStringColumn?(params: ColumnParams & { size: number; xdefault?: string }): Promise<unknown>
  /** Server ≥ 1.9 string column of at most 16,381 characters. */
  createVarcharColumn?(params: ColumnParams & { size: number; xdefault?: string }): Promise<unknown>
  /** Server ≥ 1.9 text column (65,535 bytes). */
  createTextColumn?(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** Server ≥ 1.9 medium text column (16 MiB). */
  createMediumtextColumn?(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** Integer column. */
  createIntegerColumn(
    params: ColumnParams & { min?: number; max?: number; xdefault?: number },
  ): Promise<unknown>
  /** Float column (reported as `double`). */
  createFloatColumn(
    params: ColumnParams & { min?: number; max?: number; xdefault?: number },
  ): Promise<unknown>
  /** Boolean column. */
  createBooleanColumn(params: ColumnParams & { xdefault?: boolean }): Promise<unknown>
  /** Datetime column. */
  createDatetimeColumn(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** Email column (a `string` column with format `email`). */
  createEmailColumn(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** URL column (a `string` column with format `url`). */
  createUrlColumn(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** IP column (a `string` column with format `ip`). */
  createIpColumn(params: ColumnParams & { xdefault?: string }): Promise<unknown>
  /** Enum column (a `string` column with format `enum`). */
  createEnumColumn(
    params: ColumnParams & { elements: string[]; xdefault?: string },
  ): Promise<unknown>
  /**
   * Creates an index. The literal unions match the values of the SDK's `TablesDBIndexType` and
   * `OrderBy` enums, so both the SDK and plain-string implementations fit.
   */
  createIndex(
    params: TableRef & {
      key: string
      type: 'key' | 'unique' | 'fulltext' | 'spatial'
      columns: string[]
      orders?: ('asc' | 'desc')[]
    },
  ): Promise<unknown>
}
