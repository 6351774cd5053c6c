// The parameters of the fake admin's SDK methods, as node-appwrite's `TablesDB` names them.
import type { ColumnStatusName } from './models'

/** Parameters naming a database. */
export interface AdminDatabaseParams {
  /** Database id. */
  databaseId: string
}

/** Parameters naming a table. */
export interface AdminTableParams extends AdminDatabaseParams {
  /** Table id. */
  tableId: string
}

/** Parameters naming a column or an index. */
export interface AdminKeyParams extends AdminTableParams {
  /** Column or index key. */
  key: string
}

/** Parameters of the list calls. */
export interface AdminListParams {
  /** `Query` strings: filters on the fields the server allows, `limit` (default 25), `offset`, cursors. */
  queries?: string[]
  /** `false` skips counting: `total` is `0`. Defaults to `true`. */
  total?: boolean
}

/** Parameters of {@link FakeTablesDBAdmin.list}. */
export interface ListDatabasesParams extends AdminListParams {
  /** Matches words of the id and name. */
  search?: string
}

/** Parameters of {@link FakeTablesDBAdmin.create}. */
export interface CreateDatabaseParams extends AdminDatabaseParams {
  /** Display name, at most 128 chars. */
  name: string
  /** Defaults to `true`. */
  enabled?: boolean
  /** Accepted and ignored. */
  specification?: string
  /** Accepted and ignored. */
  replicas?: number
}

/** Parameters of {@link FakeTablesDBAdmin.update}. */
export interface UpdateDatabaseParams extends AdminDatabaseParams {
  /** New name; kept when left out. */
  name?: string
  /** Defaults to `true`, as on the server. */
  enabled?: boolean
  /** Accepted and ignored. */
  replicas?: number
}

/** Parameters of {@link FakeTablesDBAdmin.listTables}. */
export interface ListTablesParams extends AdminDatabaseParams, AdminListParams {
  /** Matches words of the id and name. */
  search?: string
}

/** Parameters of {@link FakeTablesDBAdmin.createTable}. */
export interface CreateTableParams extends AdminTableParams {
  /** Display name, at most 128 chars. */
  name: string
  /** Table-level permissions. Defaults to `[]` (nobody but API keys). */
  permissions?: string[]
  /** Whether row permissions apply. Defaults to `false`, as on the server. */
  rowSecurity?: boolean
  /** Defaults to `true`. */
  enabled?: boolean
  /**
   * Columns created at once, `available` immediately: `{ key, type, size?, required?, default?,
   * array?, min?, max?, elements?, filters? }`, checked as the server checks them (400
   * `general_argument_invalid` with its message). `type` is one of `string`, `varchar`, `text`,
   * `mediumtext`, `longtext`, `integer`, `double` (not `float`), `boolean`, `datetime`, `email`,
   * `url`, `ip` or `enum`; `bigint`, `point`, `linestring` and `polygon` answer 405
   * `general_not_implemented`. As on the server, encryption comes from `filters: ['encrypt']`.
   */
  columns?: object[]
  /** Indexes created at once: `{ key, type, attributes, orders?, lengths? }` (`attributes` names the columns). */
  indexes?: object[]
}

/** Parameters of {@link FakeTablesDBAdmin.updateTable}. */
export interface UpdateTableParams extends AdminTableParams {
  /** New name; kept when left out. */
  name?: string
  /** New permissions; kept when left out. */
  permissions?: string[]
  /** Defaults to `false` when left out, as on the server (it is not kept). */
  rowSecurity?: boolean
  /** Defaults to `true` when left out, as on the server. */
  enabled?: boolean
  /** Accepted and ignored: the fake caches nothing. */
  purge?: boolean
}

/** Parameters of {@link FakeTablesDBAdmin.listColumns} and {@link FakeTablesDBAdmin.listIndexes}. */
export interface ListColumnsParams extends AdminTableParams, AdminListParams {}

/** Parameters every `create…Column` call has. */
export interface CreateColumnParams extends AdminKeyParams {
  /** Whether writes must carry a value. */
  required: boolean
  /** Whether the column holds a list. Defaults to `false`. */
  array?: boolean
}

/** Parameters of the string-like `create…Column` calls. */
export interface CreateTextColumnParams extends CreateColumnParams {
  /** Default value; not allowed with `required` or `array`. */
  xdefault?: string | null
  /** Stored and reported. */
  encrypt?: boolean
}

/** Parameters of `createStringColumn` / `createVarcharColumn`. */
export interface CreateSizedColumnParams extends CreateTextColumnParams {
  /** Maximum length in characters (1 to 1,073,741,824; varchar up to 16,381). */
  size: number
}

/** Parameters of `createIntegerColumn`. */
export interface CreateIntegerColumnParams extends CreateColumnParams {
  /** Smallest value. Defaults to -2^63. */
  min?: number | bigint | null
  /** Largest value. Defaults to 2^63-1; above 2^31-1 the column is 64-bit. */
  max?: number | bigint | null
  /** Default value. */
  xdefault?: number | bigint | null
}

/** Parameters of `createFloatColumn`. */
export interface CreateFloatColumnParams extends CreateColumnParams {
  /** Smallest value. Defaults to `-Number.MAX_VALUE`. */
  min?: number | null
  /** Largest value. Defaults to `Number.MAX_VALUE`. */
  max?: number | null
  /** Default value. */
  xdefault?: number | null
}

/** Parameters of `createBooleanColumn`. */
export interface CreateBooleanColumnParams extends CreateColumnParams {
  /** Default value. */
  xdefault?: boolean | null
}

/** Parameters of `createDatetimeColumn`, `createEmailColumn`, `createUrlColumn`, `createIpColumn`. */
export interface CreateFormatColumnParams extends CreateColumnParams {
  /** Default value, valid for the format. */
  xdefault?: string | null
}

/** Parameters of `createEnumColumn`. */
export interface CreateEnumColumnParams extends CreateColumnParams {
  /** Accepted values (at most 100, each at most 255 chars). */
  elements: string[]
  /** Default value, one of `elements`. */
  xdefault?: string | null
}

/** Parameters every `update…Column` call has. The SDK requires `xdefault` (pass `null` for none). */
export interface UpdateColumnParams extends AdminKeyParams {
  /** Whether writes must carry a value. */
  required: boolean
  /** Renames the column (rows keep their values). */
  newKey?: string | null
}

/** Parameters of the string-like `update…Column` calls. */
export interface UpdateTextColumnParams extends UpdateColumnParams {
  /** New default; `null` clears it. */
  xdefault?: string | null
}

/** Parameters of `updateStringColumn` / `updateVarcharColumn`. */
export interface UpdateSizedColumnParams extends UpdateTextColumnParams {
  /** New size; fails with `column_invalid_resize` when stored values are longer. */
  size?: number | null
}

/** Parameters of `updateIntegerColumn`. */
export interface UpdateIntegerColumnParams extends UpdateColumnParams {
  /** New default; `null` clears it. */
  xdefault?: number | bigint | null
  /** New minimum; kept when left out. */
  min?: number | bigint | null
  /** New maximum; kept when left out. */
  max?: number | bigint | null
}

/** Parameters of `updateFloatColumn`. */
export interface UpdateFloatColumnParams extends UpdateColumnParams {
  /** New default; `null` clears it. */
  xdefault?: number | null
  /** New minimum; kept when left out. */
  min?: number | null
  /** New maximum; kept when left out. */
  max?: number | null
}

/** Parameters of `updateBooleanColumn`. */
export interface UpdateBooleanColumnParams extends UpdateColumnParams {
  /** New default; `null` clears it. */
  xdefault?: boolean | null
}

/** Parameters of `updateEnumColumn`. */
export interface UpdateEnumColumnParams extends UpdateTextColumnParams {
  /** The new accepted values. */
  elements: string[]
}

/** Parameters of {@link FakeTablesDBAdmin.createIndex}. */
export interface CreateIndexParams extends AdminKeyParams {
  /** `key`, `unique` or `fulltext` (`spatial` needs spatial columns, which the fake lacks). */
  type: 'key' | 'unique' | 'fulltext' | 'spatial'
  /** Column keys (or `$id`, `$createdAt`, `$updatedAt`). */
  columns: string[]
  /** `asc` / `desc` per column, any case. */
  orders?: Array<'asc' | 'desc' | 'ASC' | 'DESC'>
  /** Prefix length per column. */
  lengths?: number[]
}

/** Parameters of {@link FakeTablesDBAdmin.setColumnStatus} and {@link FakeTablesDBAdmin.setIndexStatus}. */
export interface SetSchemaStatusParams extends AdminKeyParams {
  /** The state to put the column or index in. */
  status: ColumnStatusName
  /** Error text, e.g. why it `failed`. Defaults to `''`. */
  error?: string
}

/**
 * Object form, or the deprecated positional form, of an SDK method's arguments. @internal
 *
 * @inline
 */
export type Args<P, Positional extends unknown[]> = [params: P] | Positional

/** An SDK call's arguments as one object. @internal */
export type Params = Record<string, unknown>
