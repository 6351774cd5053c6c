import { objectArgs, requireParams } from './engine'
import { COLUMN_KINDS } from './columnKinds'
import type { ColumnArgs, ColumnKind, ColumnKindTypes } from './columnKinds'
import { runGated } from './faults'
import { APPWRITE_ERRORS, AppwriteException, FAKE_SERVER_VERSION, appwriteError } from './errors'
import type { AppwriteErrorType } from './errors'
import {
  CUSTOM_ID_DESCRIPTION,
  SERVER_PICKED_ID,
  assertCustomId,
  assertUid,
  isValidId,
} from './ids'
import type { IdGenerator } from './ids'
import { findUniqueViolation } from './indexes'
import {
  assertQueriesParam,
  cursorOf,
  parseQueryStrings,
  runQuery,
  validateListQueries,
} from './queries'
import type { RawQuery } from './queries'
import {
  INT32_MAX,
  INTEGER_MAX,
  INTEGER_MIN,
  SYSTEM_INDEX_COLUMNS,
  normalizeColumn,
} from './schema'
import type {
  DatabaseEntry,
  SchemaRegistry,
  StoredColumn,
  StoredIndex,
  TableEntry,
  TableSchema,
} from './schema'
import type { RowStorage, StoredRow } from './store'
import type { ColumnDefinition, FakeColumn, FakeIndex, FaultGate } from './types'
import { columnValueFailure, formatPhpNumber, parseServerDatetime } from './validation'

/* ------------------------------------------------------------------------------------------------
 * Models
 * --------------------------------------------------------------------------------------------- */

/**
 * A column's or index's lifecycle state. Declared with the same name and members as node-appwrite's
 * `ColumnStatus` enum, which makes the fake's models assignable to `Models.Column…`; compare with
 * plain strings (`column.status === 'processing'`) or with node-appwrite's own enum.
 */
export enum ColumnStatus {
  Available = 'available',
  Processing = 'processing',
  Deleting = 'deleting',
  Stuck = 'stuck',
  Failed = 'failed',
}

/** The `type` of a database model. Same name and members as node-appwrite's `DatabaseType`. */
export enum DatabaseType {
  Legacy = 'legacy',
  Tablesdb = 'tablesdb',
}

/** A status the test hooks accept: `'available' | 'processing' | 'deleting' | 'stuck' | 'failed'`. */
export type ColumnStatusName = `${ColumnStatus}`

/** `Models.Database`. */
export interface FakeDatabaseModel {
  /** Database id. */
  $id: string
  /** Display name. */
  name: string
  /** Creation time, ISO 8601 with `+00:00`. */
  $createdAt: string
  /** Last update time. */
  $updatedAt: string
  /** Whether the database is enabled (stored and reported, not enforced). */
  enabled: boolean
  /** `tablesdb` (`legacy` for databases the legacy API created). */
  type: DatabaseType
}

/** `Models.DatabaseList`. */
export interface FakeDatabaseList {
  /** Number of matching databases (`0` with `total: false`). */
  total: number
  /** The page of databases (25 unless `Query.limit` says otherwise). */
  databases: FakeDatabaseModel[]
}

/** What every column model has (`Models.ColumnString` and friends). */
export interface FakeColumnModelBase {
  /** Column key. */
  key: string
  /** Storage type: `string`, `varchar`, `text`, `mediumtext`, `longtext`, `integer`, `double`, `boolean`, `datetime`. */
  type: string
  /** `available`, or `processing` until the fake's schema worker ran (see `pauseWorker`). */
  status: ColumnStatus
  /** Why a `failed` / `stuck` column failed, else `''`. */
  error: string
  /** Whether writes must carry a value. */
  required: boolean
  /** Whether the column holds a list. */
  array: boolean
  /** Creation time. */
  $createdAt: string
  /** Last change. */
  $updatedAt: string
}

/** `Models.ColumnString` (the legacy `string` type). `default` is `null` at run time when unset, as on the wire. */
export interface FakeColumnStringModel extends FakeColumnModelBase {
  type: 'string'
  /** Maximum length in characters. */
  size: number
  /** Default value. */
  default?: string
  /** Whether the column is encrypted. */
  encrypt?: boolean
}

/** `Models.ColumnVarchar`. */
export interface FakeColumnVarcharModel extends FakeColumnModelBase {
  type: 'varchar'
  /** Maximum length in characters. */
  size: number
  /** Default value. */
  default?: string
  /** Whether the column is encrypted. */
  encrypt?: boolean
}

/** `Models.ColumnText`, `Models.ColumnMediumtext`, `Models.ColumnLongtext` (no `size` on the wire). */
export interface FakeColumnTextModel extends FakeColumnModelBase {
  type: 'text' | 'mediumtext' | 'longtext'
  /** Default value. */
  default?: string
  /** Whether the column is encrypted. */
  encrypt?: boolean
}

/** `Models.ColumnInteger`: `min`/`max` are `bigint` when beyond 2^53 (the unset 64-bit bounds are). */
export interface FakeColumnIntegerModel extends FakeColumnModelBase {
  type: 'integer'
  /** Smallest accepted value. */
  min?: number | bigint
  /** Largest accepted value. */
  max?: number | bigint
  /** Default value. */
  default?: number
}

/** `Models.ColumnFloat` (stored as `double`). */
export interface FakeColumnFloatModel extends FakeColumnModelBase {
  type: 'double'
  /** Smallest accepted value. */
  min?: number
  /** Largest accepted value. */
  max?: number
  /** Default value. */
  default?: number
}

/** `Models.ColumnBoolean`. */
export interface FakeColumnBooleanModel extends FakeColumnModelBase {
  type: 'boolean'
  /** Default value. */
  default?: boolean
}

/** `Models.ColumnDatetime`. */
export interface FakeColumnDatetimeModel extends FakeColumnModelBase {
  type: 'datetime'
  /** Always `'datetime'`. */
  format: string
  /** Default value, ISO 8601. */
  default?: string
}

/** `Models.ColumnEmail`, `Models.ColumnUrl`, `Models.ColumnIp`: a `string` column with a `format`. */
export interface FakeColumnFormatModel extends FakeColumnModelBase {
  type: 'string'
  /** `email`, `url` or `ip`. */
  format: 'email' | 'url' | 'ip'
  /** Default value. */
  default?: string
}

/** `Models.ColumnEnum`. */
export interface FakeColumnEnumModel extends FakeColumnModelBase {
  type: 'string'
  /** Always `'enum'`. */
  format: 'enum'
  /** Accepted values. */
  elements: string[]
  /** Default value. */
  default?: string
}

/** Any column model, as `listColumns` and `getTable` report them. */
export type FakeColumnModel =
  | FakeColumnStringModel
  | FakeColumnVarcharModel
  | FakeColumnTextModel
  | FakeColumnIntegerModel
  | FakeColumnFloatModel
  | FakeColumnBooleanModel
  | FakeColumnDatetimeModel
  | FakeColumnFormatModel
  | FakeColumnEnumModel

/**
 * What `getColumn` is typed to return: node-appwrite's `getColumn` union leaves out the 1.9 text
 * types, so this does too; a `text` / `mediumtext` / `longtext` column still comes back in its
 * {@link FakeColumnTextModel} shape, as from the server.
 */
export type FakeGetColumnModel = Exclude<FakeColumnModel, FakeColumnTextModel>

/** `Models.ColumnList`. */
export interface FakeColumnList {
  /** Number of matching columns (`0` with `total: false`). */
  total: number
  /** The page of columns (25 unless `Query.limit` says otherwise), in creation order. */
  columns: FakeColumnModel[]
}

/** `Models.ColumnIndex`. */
export interface FakeIndexModel {
  /** Index key. */
  $id: string
  /** Creation time. */
  $createdAt: string
  /** Last change. */
  $updatedAt: string
  /** Index key. */
  key: string
  /** `key`, `unique`, `fulltext` or `spatial`. */
  type: string
  /** `available`, `processing`, `deleting`, `stuck` or `failed`. */
  status: string
  /** Why a `failed` index failed (`Unique index violation`), else `''`. */
  error: string
  /** Indexed column keys. */
  columns: string[]
  /** Prefix length per column. */
  lengths: number[]
  /** Order per column. */
  orders: string[]
}

/** `Models.ColumnIndexList`. */
export interface FakeIndexList {
  /** Number of matching indexes (`0` with `total: false`). */
  total: number
  /** The page of indexes. */
  indexes: FakeIndexModel[]
}

/** `Models.Table`. */
export interface FakeTableModel {
  /** Table id. */
  $id: string
  /** Creation time. */
  $createdAt: string
  /** Last change. */
  $updatedAt: string
  /** Table-level permissions (`write(…)` expanded to `update(…)` + `delete(…)`). */
  $permissions: string[]
  /** Database id. */
  databaseId: string
  /** Display name. */
  name: string
  /** Whether the table is enabled (stored and reported, not enforced). */
  enabled: boolean
  /** Whether row-level permissions apply. */
  rowSecurity: boolean
  /** Every column, whatever its status, in creation order. */
  columns: FakeColumnModel[]
  /** Every index. */
  indexes: FakeIndexModel[]
  /** Largest row size in bytes (65,535, MariaDB's). */
  bytesMax: number
  /** Row size the columns use, computed like the server. */
  bytesUsed: number
}

/** `Models.TableList`. */
export interface FakeTableList {
  /** Number of matching tables (`0` with `total: false`). */
  total: number
  /** The page of tables. */
  tables: FakeTableModel[]
}

/* ------------------------------------------------------------------------------------------------
 * Parameters
 * --------------------------------------------------------------------------------------------- */

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
  /** Columns created at once, `available` immediately: `{ key, type, size?, required?, default?, array?, min?, max?, elements? }`. */
  columns?: object[]
  /** Indexes created at once: `{ key, type, attributes, orders?, lengths? }`. */
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

/** Object form, or the deprecated positional form, of an SDK method's arguments. */
type Args<P, Positional extends unknown[]> = [params: P] | Positional

type Params = Record<string, unknown>

/* ------------------------------------------------------------------------------------------------
 * Errors the shared catalogue (errors.ts) does not list yet
 * --------------------------------------------------------------------------------------------- */

/** Management errors, from github:appwrite/appwrite `app/config/errors.php` (1.9.x). */
const ADMIN_ERRORS = {
  column_already_exists: {
    code: 409,
    message:
      "Column with the requested key '%s' already exists. Column keys must be unique, try again with a different key.",
  },
  column_unknown: {
    code: 400,
    message:
      "The column '%s' required for the index could not be found. Please confirm all your columns are in the available state.",
  },
  column_default_unsupported: {
    code: 400,
    message: 'Default values cannot be set for array or required columns.',
  },
  column_value_invalid: {
    code: 400,
    message: 'The column value is invalid. Please check the type, range and value of the column.',
  },
  column_invalid_resize: {
    code: 400,
    message: 'Existing data is too large for new size, truncate your existing data then try again.',
  },
  column_index_not_found: {
    code: 404,
    message: "Index with the requested key '%s' could not be found.",
  },
  column_index_limit_exceeded: {
    code: 400,
    message: "The maximum number of indexes for table '%s' has been reached.",
  },
  column_index_already_exists: {
    code: 409,
    message: "Index with the requested key '%s' already exists. Try again with a different key.",
  },
  column_index_invalid: { code: 400, message: 'Index invalid.' },
  index_invalid: { code: 400, message: 'Index invalid.' },
} as const

type AdminErrorType = AppwriteErrorType | keyof typeof ADMIN_ERRORS

function catalogue(type: AdminErrorType): { code: number; message: string } {
  return type in ADMIN_ERRORS
    ? ADMIN_ERRORS[type as keyof typeof ADMIN_ERRORS]
    : APPWRITE_ERRORS[type as AppwriteErrorType]
}

/** The server's error; without `message`, the catalogue text as the server sends it with no params. */
function fail(type: AdminErrorType, message?: string): AppwriteException {
  if (!(type in ADMIN_ERRORS) && message !== undefined) {
    return appwriteError(type as AppwriteErrorType, message)
  }
  const { code, message: text } = catalogue(type)
  const final = message ?? text
  const body = JSON.stringify({ message: final, code, type, version: FAKE_SERVER_VERSION })
  return new AppwriteException(final, code, type, body)
}

/** The server's error with the catalogue's `%s` filled, like `new Exception($type, params: [$id])`. */
function failFor(type: AdminErrorType, ...params: string[]): AppwriteException {
  let index = 0
  return fail(
    type,
    catalogue(type).message.replace(/%s/g, () => params[index++] ?? ''),
  )
}

function paramError(param: string, description: string): AppwriteException {
  return appwriteError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)
}

/* ------------------------------------------------------------------------------------------------
 * Parameter validators (utopia-php/http validators, descriptions as the server words them)
 * --------------------------------------------------------------------------------------------- */

const STRING_MAX = 1_073_741_824
const VARCHAR_MAX = 16_381
const LENGTH_KEY = 255
const MAX_ARRAY_PARAMS = 100
const COLUMN_LIMIT = 1017
const INTERNAL_COLUMNS = 7
const INDEX_LIMIT = 64 - 6
const ROW_WIDTH_LIMIT = 65_535
const INT64_DESCRIPTION = `Value must be a valid signed 64-bit integer between ${formatPhpNumber(INTEGER_MIN)} and ${formatPhpNumber(INTEGER_MAX)}`
const MIN_OVER_MAX = 'Minimum value must be lesser than maximum value'

function rangeDescription(min: number | bigint, max: number | bigint): string {
  return `Value must be a valid range between ${formatPhpNumber(min)} and ${formatPhpNumber(max)}`
}

function textDescription(size: number): string {
  return size > 0
    ? `Value must be a valid string and no longer than ${size} chars`
    : 'Value must be a valid string'
}

function isNullish(value: unknown): value is null | undefined {
  return value === undefined || value === null
}

function assertKey(param: string, value: unknown, nullable = false): void {
  if (nullable && isNullish(value)) return
  if (!isValidId(value)) throw paramError(param, CUSTOM_ID_DESCRIPTION)
}

function assertBoolean(param: string, value: unknown, optional = true): void {
  if (optional && isNullish(value)) return
  if (typeof value !== 'boolean') throw paramError(param, 'Value must be a valid boolean')
}

function assertText(param: string, value: unknown, size: number, nullable: boolean): void {
  if (nullable && isNullish(value)) return
  if (typeof value !== 'string' || (size > 0 && [...value].length > size)) {
    throw paramError(param, textDescription(size))
  }
}

function assertIntegerParam(param: string, value: unknown): void {
  if (isNullish(value)) return
  const ok =
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'bigint' && value >= INTEGER_MIN && value <= INTEGER_MAX)
  if (!ok) throw paramError(param, INT64_DESCRIPTION)
}

function assertFloatParam(param: string, value: unknown): void {
  if (isNullish(value)) return
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw paramError(param, 'Value must be a valid float')
  }
}

function assertRangeParam(param: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw paramError(param, rangeDescription(min, max))
  }
}

/** `Permission::aggregate`: `write(role)` becomes `update(role)` + `delete(role)`. */
function aggregatePermissions(permissions: readonly string[]): string[] {
  const out = new Set<string>()
  for (const permission of permissions) {
    const match = /^write\((.*)\)$/.exec(permission)
    if (match) {
      out.add(`update(${match[1]})`)
      out.add(`delete(${match[1]})`)
    } else out.add(permission)
  }
  return [...out]
}

function assertPermissions(value: unknown): asserts value is string[] | null | undefined {
  if (isNullish(value)) return
  let failure: string | undefined
  if (!Array.isArray(value)) failure = 'Permissions must be an array of strings.'
  else if (value.length > MAX_ARRAY_PARAMS)
    failure = `You can only provide up to ${MAX_ARRAY_PARAMS} permissions.`
  else if (value.some((item) => typeof item !== 'string'))
    failure = 'Every permission must be of type string.'
  if (failure !== undefined) throw paramError('permissions', failure)
}

/** A throwaway column to run the row validators on a `default` parameter. */
function probeColumn(definition: Omit<ColumnDefinition, 'key'>): FakeColumn {
  return normalizeColumn('a default', { key: 'probe', ...definition }, '')
}

const EMAIL_PROBE = probeColumn({ type: 'email', size: 0 })
const URL_PROBE = probeColumn({ type: 'url', size: 0 })
const IP_PROBE = probeColumn({ type: 'ip', size: 0 })

/* ------------------------------------------------------------------------------------------------
 * Column kinds
 * --------------------------------------------------------------------------------------------- */

const FIXED_SIZES: Partial<Record<ColumnKind, number>> = {
  text: 65_535,
  mediumtext: 16_777_215,
  longtext: 2_147_483_647,
  email: 254,
  url: 2_000,
  ip: 39,
  enum: LENGTH_KEY,
}

/** The kind a stored column was created as, for the type check of `update…Column`. */
function kindOf(column: FakeColumn): ColumnKind {
  switch (column.type) {
    case 'double':
      return 'float'
    case 'string':
      return column.format === '' ? 'string' : column.format
    default:
      return column.type
  }
}

/** Checks a `default` parameter the way each route's parameter validator does. */
function assertDefaultParam(kind: ColumnKind, value: unknown): void {
  if (isNullish(value)) return
  let failure: string | undefined
  switch (kind) {
    case 'integer':
      return assertIntegerParam('default', value)
    case 'float':
      return assertFloatParam('default', value)
    case 'boolean':
      return assertBoolean('default', value)
    case 'datetime':
      if (parseServerDatetime(value) === undefined)
        failure = 'Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.'
      break
    case 'email':
      failure = columnValueFailure(EMAIL_PROBE, value)
      break
    case 'url':
      failure = columnValueFailure(URL_PROBE, value)
      break
    case 'ip':
      failure = columnValueFailure(IP_PROBE, value)
      break
    default:
      if (typeof value !== 'string') failure = 'Value must be a valid string'
  }
  if (failure !== undefined) throw paramError('default', failure)
}

function assertElementsParam(value: unknown): asserts value is string[] {
  if (
    !Array.isArray(value) ||
    value.length > MAX_ARRAY_PARAMS ||
    value.some((item) => typeof item !== 'string' || [...item].length > LENGTH_KEY)
  ) {
    throw paramError(
      'elements',
      `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and ${textDescription(LENGTH_KEY)}`,
    )
  }
}

/**
 * Row width in bytes as the MariaDB adapter counts it (github:utopia-php/database
 * `src/Database/Adapter/SQL.php`, `getAttributeWidth`): 1,067 bytes of system columns, then per
 * column `size * 4 + 1` (or `+ 2` above 255 chars) for strings, 20 for text types and arrays, 4 or
 * 8 for integers, 8 for doubles, 1 for booleans, 7 for datetimes.
 */
function rowWidth(columns: Iterable<FakeColumn>): number {
  let total = 1067
  for (const column of columns) {
    if (column.array) {
      total += 20
      continue
    }
    const size = column.size ?? 0
    switch (column.type) {
      case 'string':
        total += size > VARCHAR_MAX ? 20 : size > 255 ? size * 4 + 2 : size * 4 + 1
        break
      case 'varchar':
        total += size > 255 ? size * 4 + 2 : size * 4 + 1
        break
      case 'text':
      case 'mediumtext':
      case 'longtext':
        total += 20
        break
      case 'integer':
        total += (column.max ?? INTEGER_MAX) > INT32_MAX ? 8 : 4
        break
      case 'double':
        total += 8
        break
      case 'boolean':
        total += 1
        break
      case 'datetime':
        total += 7
        break
    }
  }
  return total
}

/* ------------------------------------------------------------------------------------------------
 * Model builders
 * --------------------------------------------------------------------------------------------- */

function statusOf(status: FakeColumn['status']): ColumnStatus {
  return status as ColumnStatus
}

function copyDefault(value: unknown): never {
  return (Array.isArray(value) ? [...(value as unknown[])] : (value ?? null)) as never
}

function columnModel(column: StoredColumn, status = column.status): FakeColumnModel {
  const base: FakeColumnModelBase = {
    key: column.key,
    type: column.type,
    status: statusOf(status),
    error: column.error,
    required: column.required,
    array: column.array,
    $createdAt: column.$createdAt,
    $updatedAt: column.$updatedAt,
  }
  const fallback = copyDefault(column.default)
  switch (column.type) {
    case 'string':
      if (column.format === 'enum') {
        return {
          ...base,
          type: 'string',
          format: 'enum',
          elements: [...(column.elements ?? [])],
          default: fallback,
        }
      }
      if (column.format !== '') {
        return { ...base, type: 'string', format: column.format, default: fallback }
      }
      return {
        ...base,
        type: 'string',
        size: column.size ?? 0,
        default: fallback,
        encrypt: column.encrypt,
      }
    case 'varchar':
      return {
        ...base,
        type: 'varchar',
        size: column.size ?? 0,
        default: fallback,
        encrypt: column.encrypt,
      }
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return { ...base, type: column.type, default: fallback, encrypt: column.encrypt }
    case 'integer':
      return {
        ...base,
        type: 'integer',
        min: column.min ?? INTEGER_MIN,
        max: column.max ?? INTEGER_MAX,
        default: fallback,
      }
    case 'double':
      return {
        ...base,
        type: 'double',
        min: Number(column.min ?? -Number.MAX_VALUE),
        max: Number(column.max ?? Number.MAX_VALUE),
        default: fallback,
      }
    case 'boolean':
      return { ...base, type: 'boolean', default: fallback }
    case 'datetime':
      return { ...base, type: 'datetime', format: 'datetime', default: fallback }
  }
}

function indexModel(index: StoredIndex, status = index.status): FakeIndexModel {
  return {
    $id: index.key,
    $createdAt: index.$createdAt,
    $updatedAt: index.$updatedAt,
    key: index.key,
    type: index.type,
    status,
    error: index.error,
    columns: [...index.columns],
    lengths: [...index.lengths],
    orders: [...index.orders],
  }
}

function tableModel(entry: TableEntry): FakeTableModel {
  const columns = [...(entry.columns?.values() ?? [])]
  return {
    $id: entry.tableId,
    $createdAt: entry.$createdAt,
    $updatedAt: entry.$updatedAt,
    $permissions: [...(entry.security?.permissions ?? [])],
    databaseId: entry.databaseId,
    name: entry.name,
    enabled: entry.enabled,
    rowSecurity: entry.security?.rowSecurity ?? true,
    columns: columns.map((column) => columnModel(column)),
    indexes: entry.indexes.map((index) => indexModel(index)),
    bytesMax: ROW_WIDTH_LIMIT,
    bytesUsed: rowWidth(columns),
  }
}

function databaseModel(entry: DatabaseEntry): FakeDatabaseModel {
  return {
    $id: entry.databaseId,
    name: entry.name,
    $createdAt: entry.$createdAt,
    $updatedAt: entry.$updatedAt,
    enabled: entry.enabled,
    type: entry.type === 'legacy' ? DatabaseType.Legacy : DatabaseType.Tablesdb,
  }
}

/* ------------------------------------------------------------------------------------------------
 * Lists: the server's list routes, on the fake's query engine
 * --------------------------------------------------------------------------------------------- */

interface ListSpec<T> {
  /** `Column`, `Table`, …: the cursor-not-found message names it. */
  readonly label: string
  /** Attributes the route lets queries filter on, with their type. */
  readonly attributes: Readonly<Record<string, 'string' | 'integer' | 'boolean' | 'strings'>>
  readonly items: readonly T[]
  readonly id: (item: T) => string
  readonly data: (item: T) => Record<string, unknown>
  /** Words a `search` parameter matches; leave out for routes without one. */
  readonly search?: (item: T) => string
}

function listSchema(attributes: ListSpec<unknown>['attributes'], search: boolean): TableSchema {
  const columns = new Map<string, FakeColumn>()
  for (const [key, kind] of Object.entries(attributes)) {
    columns.set(
      key,
      probeColumn({
        type: kind === 'integer' ? 'integer' : kind === 'boolean' ? 'boolean' : 'string',
        array: kind === 'strings',
        size: kind === 'string' || kind === 'strings' ? 16_381 : undefined,
      }),
    )
  }
  const indexes: FakeIndex[] = []
  if (search) {
    columns.set('search', probeColumn({ type: 'string', size: 16_381 }))
    indexes.push({
      key: '_fulltext_search',
      type: 'fulltext',
      status: 'available',
      error: '',
      columns: ['search'],
      orders: [],
      lengths: [],
    })
  }
  return {
    databaseId: '',
    tableId: '',
    name: '',
    columns,
    indexes,
    permissions: [],
    rowSecurity: false,
  }
}

function runList<T>(
  spec: ListSpec<T>,
  p: Params,
  searchParam?: unknown,
): { total: number; items: T[] } {
  if (!isNullish(p.total) && typeof p.total !== 'boolean') {
    throw paramError('total', 'Value must be a valid boolean')
  }
  if (!isNullish(searchParam)) assertText('search', searchParam, 256, false)
  const raw: RawQuery[] = parseQueryStrings(p.queries)
  const search =
    typeof searchParam === 'string' && searchParam.trim() !== '' ? searchParam : undefined
  const schema = listSchema(spec.attributes, spec.search !== undefined)
  const byId = new Map<string, StoredRow>()
  spec.items.forEach((item, index) => {
    const data = spec.data(item)
    if (spec.search) data.search = spec.search(item)
    const id = spec.id(item)
    byId.set(id, {
      $id: id,
      $sequence: index + 1,
      $createdAt: String(data.$createdAt ?? ''),
      $updatedAt: String(data.$updatedAt ?? ''),
      $permissions: [],
      data,
    })
  })
  const cursor = cursorOf(raw)
  const cursorRow = cursor ? byId.get(cursor.rowId) : undefined
  if (cursor && !cursorRow) {
    throw appwriteError(
      'general_cursor_not_found',
      `${spec.label} '${cursor.rowId}' for the 'cursor' value not found.`,
    )
  }
  const all = search ? [...raw, { method: 'search', attribute: 'search', values: [search] }] : raw
  const queries = validateListQueries(schema, all)
  const result = runQuery(byId.values(), queries, cursorRow)
  const items = new Map(spec.items.map((item) => [spec.id(item), item]))
  return {
    total: p.total === false ? 0 : result.total,
    items: result.rows.map((row) => items.get(row.$id)!),
  }
}

/* ------------------------------------------------------------------------------------------------
 * The admin
 * --------------------------------------------------------------------------------------------- */

/** What {@link FakeTablesDBAdmin} works on. @internal */
export interface FakeTablesDBAdminOptions {
  readonly schema: SchemaRegistry
  readonly storage: RowStorage
  readonly faults: FaultGate
  readonly ids: IdGenerator
}

/**
 * The management half of node-appwrite's `TablesDB`, on the fake's schema: databases, tables,
 * columns and indexes, with the server's shapes and errors. Schema changes apply to
 * `fake.tablesDB` / `fake.databases` at once: a table with columns validates writes like the
 * server, `unique` indexes are enforced (`row_unique_constraint_violation`, 409), and a column
 * still `processing` or `failed` is unknown to writes (`Unknown attribute`). Obtain it as
 * `createFakeAppwrite().admin`.
 *
 * Like the server, create calls answer with `status: 'processing'`; the fake's schema worker then
 * makes the column or index `available` before the call resolves. Test hooks, which are not part
 * of the SDK: {@link FakeTablesDBAdmin.pauseWorker} / {@link FakeTablesDBAdmin.resumeWorker} keep new
 * columns `processing` (and deleted ones `deleting`) until resumed, and
 * {@link FakeTablesDBAdmin.setColumnStatus} / {@link FakeTablesDBAdmin.setIndexStatus} put one in
 * any state, e.g. a `failed` migration.
 *
 * @example
 * ```ts
 * const fake = createFakeAppwrite()
 * await fake.admin.create({ databaseId: 'main', name: 'Main' })
 * await fake.admin.createTable({ databaseId: 'main', tableId: 'bookings', name: 'Bookings' })
 * await fake.admin.createStringColumn({ databaseId: 'main', tableId: 'bookings', key: 'customerId', size: 36, required: true })
 * await fake.admin.createIndex({ databaseId: 'main', tableId: 'bookings', key: 'uniq_key', type: 'unique', columns: ['customerId'] })
 * const { columns } = await fake.admin.listColumns({ databaseId: 'main', tableId: 'bookings' })
 * ```
 */
export class FakeTablesDBAdmin {
  readonly #schema: SchemaRegistry
  readonly #storage: RowStorage
  readonly #faults: FaultGate
  readonly #ids: IdGenerator
  #paused = false
  #jobs: Array<() => void> = []

  /** @internal Use `createFakeAppwrite().admin`. */
  constructor(options: FakeTablesDBAdminOptions) {
    this.#schema = options.schema
    this.#storage = options.storage
    this.#faults = options.faults
    this.#ids = options.ids
  }

  /* ---------------------------------------------------------------------------------------------
   * Plumbing
   * ------------------------------------------------------------------------------------------ */

  /** Asks the fault injector first, like every data call, then runs the operation. */
  #call<T>(operation: string, p: Params, run: () => T): Promise<T> {
    return runGated(
      this.#faults,
      {
        api: 'tablesDB',
        operation,
        databaseId: typeof p.databaseId === 'string' ? p.databaseId : undefined,
        tableId: typeof p.tableId === 'string' ? p.tableId : undefined,
        params: p,
      },
      run,
    )
  }

  /** Runs a schema job now, or queues it while the worker is paused. */
  #enqueue(job: () => void): void {
    if (this.#paused) this.#jobs.push(job)
    else job()
  }

  #database(databaseId: unknown): DatabaseEntry {
    assertUid('databaseId', databaseId)
    const database = this.#schema.database(databaseId)
    if (!database) throw appwriteErrorFor404('database_not_found', databaseId)
    return database
  }

  #table(databaseId: unknown, tableId: unknown): TableEntry {
    const database = this.#database(databaseId)
    const table = typeof tableId === 'string' ? database.tables.get(tableId) : undefined
    if (!table) throw appwriteErrorFor404('table_not_found', String(tableId))
    return table
  }

  /** Whether `entry` is still the registry's table (not deleted or replaced since). */
  #current(entry: TableEntry): boolean {
    return this.#schema.table(entry.databaseId, entry.tableId) === entry
  }

  #now(): string {
    return this.#schema.now()
  }

  /** Replaces a column (columns are immutable: the validators cache per column object). */
  #putColumn(entry: TableEntry, column: StoredColumn): void {
    entry.columns ??= new Map()
    entry.columns.set(column.key, column)
    this.#schema.refresh(entry)
  }

  #rows(entry: TableEntry): StoredRow[] {
    const table = this.#storage.table(entry.databaseId, entry.tableId)
    return table ? [...table.values()] : []
  }

  /** Rewrites stored rows of a table (the worker's `ALTER TABLE` on existing data). */
  #rewriteRows(entry: TableEntry, change: (data: Record<string, unknown>) => boolean): void {
    const table = this.#storage.table(entry.databaseId, entry.tableId)
    if (!table) return
    for (const row of [...table.values()]) {
      const data = { ...row.data }
      if (change(data)) table.put({ ...row, data })
    }
  }

  #dropRows(databaseId: string, tableId: string): void {
    const table = this.#storage.table(databaseId, tableId)
    if (!table) return
    for (const row of [...table.values()]) table.delete(row.$id)
  }

  /* ---------------------------------------------------------------------------------------------
   * Test hooks (not part of the SDK)
   * ------------------------------------------------------------------------------------------ */

  /**
   * Test hook: holds the fake's schema worker. Until {@link FakeTablesDBAdmin.resumeWorker}, new
   * columns and indexes stay `processing` (writes naming them fail with `Unknown attribute`) and
   * deleted ones stay `deleting`, as while Appwrite's database worker is busy.
   *
   * @example
   * ```ts
   * fake.admin.pauseWorker()
   * await fake.admin.createStringColumn({ databaseId: 'main', tableId: 'bookings', key: 'notes', size: 500, required: false })
   * // …assert the app copes with a column still processing…
   * fake.admin.resumeWorker() // now available
   * ```
   */
  pauseWorker(): void {
    this.#paused = true
  }

  /** Test hook: runs the schema jobs held since {@link FakeTablesDBAdmin.pauseWorker}, in order, and stops holding new ones. */
  resumeWorker(): void {
    this.#paused = false
    const jobs = this.#jobs
    this.#jobs = []
    for (const job of jobs) job()
  }

  /**
   * Test hook: puts a column in any state, e.g. `failed` to reproduce a stuck migration. Only
   * `available`, `deleting` and `stuck` columns exist for writes; `processing` and `failed` ones are
   * unknown attributes, as on the server. Throws `column_not_found` like the SDK would.
   *
   * @example
   * ```ts
   * fake.admin.setColumnStatus({ databaseId: 'main', tableId: 'bookings', key: 'providerId', status: 'failed', error: 'Row width limit reached' })
   * ```
   */
  setColumnStatus(params: SetSchemaStatusParams): void {
    const entry = this.#table(params.databaseId, params.tableId)
    const column = entry.columns?.get(params.key)
    if (!column) throw failFor('column_not_found', params.key)
    this.#putColumn(entry, {
      ...column,
      status: params.status,
      error: params.error ?? '',
      $updatedAt: this.#now(),
    })
  }

  /**
   * Test hook: puts an index in any state. `processing` and `failed` unique indexes are not
   * enforced; `available`, `deleting` and `stuck` ones are.
   *
   * @example
   * ```ts
   * fake.admin.setIndexStatus({ databaseId: 'main', tableId: 'bookings', key: 'uniq_idempotency', status: 'failed' })
   * ```
   */
  setIndexStatus(params: SetSchemaStatusParams): void {
    const entry = this.#table(params.databaseId, params.tableId)
    const position = entry.indexes.findIndex((index) => index.key === params.key)
    if (position < 0) throw failFor('column_index_not_found', params.key)
    entry.indexes = entry.indexes.map((index, i) =>
      i === position
        ? { ...index, status: params.status, error: params.error ?? '', $updatedAt: this.#now() }
        : index,
    )
    this.#schema.refresh(entry)
  }

  /**
   * Back to the schema of `createFakeAppwrite({ databases })`, worker running, nothing held.
   * `fake.reset()` calls it.
   *
   * @internal
   */
  reset(): void {
    this.#paused = false
    this.#jobs = []
    this.#schema.reset()
    this.#ids.reset()
  }

  /* ---------------------------------------------------------------------------------------------
   * Databases
   * ------------------------------------------------------------------------------------------ */

  /** Lists the declared databases: `{ total, databases }`; `queries` may filter on `name`. */
  list(
    ...args: [params?: ListDatabasesParams] | [queries?: string[], search?: string, total?: boolean]
  ): Promise<FakeDatabaseList> {
    const p = objectArgs(args, ['queries', 'search', 'total'])
    return this.#call('list', p, () => {
      const result = runList(
        {
          label: 'Database',
          attributes: { name: 'string' },
          items: [...this.#schema.databases()],
          id: (db) => db.databaseId,
          data: (db) => ({ name: db.name }),
          search: (db) => `${db.databaseId} ${db.name}`,
        },
        p,
        p.search,
      )
      return { total: result.total, databases: result.items.map(databaseModel) }
    })
  }

  /** Creates an empty database (`database_already_exists`, 409, when the id is taken). */
  create(
    ...args: Args<
      CreateDatabaseParams,
      [
        databaseId: string,
        name: string,
        enabled?: boolean,
        specification?: string,
        replicas?: number,
      ]
    >
  ): Promise<FakeDatabaseModel> {
    const p = objectArgs(args, ['databaseId', 'name', 'enabled', 'specification', 'replicas'])
    requireParams(p, ['databaseId', 'name'])
    return this.#call('create', p, () => {
      // appwrite src/Appwrite/Platform/Modules/Databases/Http/TablesDB/Create.php (+ Databases/Create.php)
      assertCustomId('databaseId', p.databaseId)
      assertText('name', p.name, 128, false)
      assertBoolean('enabled', p.enabled)
      const databaseId = p.databaseId === SERVER_PICKED_ID ? this.#ids.next() : p.databaseId
      if (this.#schema.database(databaseId)) throw failFor('database_already_exists', databaseId)
      const entry = this.#schema.createDatabase(databaseId, {
        name: p.name as string,
        enabled: (p.enabled as boolean | undefined) ?? true,
      })
      return databaseModel(entry)
    })
  }

  /** Gets a database (`database_not_found`, 404). */
  get(...args: Args<AdminDatabaseParams, [databaseId: string]>): Promise<FakeDatabaseModel> {
    const p = objectArgs(args, ['databaseId'])
    requireParams(p, ['databaseId'])
    return this.#call('get', p, () => databaseModel(this.#database(p.databaseId)))
  }

  /** Renames or enables/disables a database. `enabled` defaults to `true`, as on the server. */
  update(
    ...args: Args<
      UpdateDatabaseParams,
      [databaseId: string, name?: string, enabled?: boolean, replicas?: number]
    >
  ): Promise<FakeDatabaseModel> {
    const p = objectArgs(args, ['databaseId', 'name', 'enabled', 'replicas'])
    requireParams(p, ['databaseId'])
    return this.#call('update', p, () => {
      assertUid('databaseId', p.databaseId)
      if (!isNullish(p.name)) assertText('name', p.name, 128, false)
      assertBoolean('enabled', p.enabled)
      const entry = this.#database(p.databaseId)
      if (typeof p.name === 'string' && p.name !== '') entry.name = p.name
      entry.enabled = (p.enabled as boolean | undefined) ?? true
      entry.$updatedAt = this.#now()
      return databaseModel(entry)
    })
  }

  /** Deletes a database with its tables and rows; resolves to `{}`. */
  delete(...args: Args<AdminDatabaseParams, [databaseId: string]>): Promise<Record<string, never>> {
    const p = objectArgs(args, ['databaseId'])
    requireParams(p, ['databaseId'])
    return this.#call('delete', p, () => {
      const entry = this.#database(p.databaseId)
      for (const tableId of entry.tables.keys()) this.#dropRows(entry.databaseId, tableId)
      this.#schema.deleteDatabase(entry.databaseId)
      return {}
    })
  }

  /* ---------------------------------------------------------------------------------------------
   * Tables
   * ------------------------------------------------------------------------------------------ */

  /** Lists a database's declared tables: `{ total, tables }`; `queries` may filter on `name`, `enabled`, `rowSecurity`. */
  listTables(
    ...args: Args<
      ListTablesParams,
      [databaseId: string, queries?: string[], search?: string, total?: boolean]
    >
  ): Promise<FakeTableList> {
    const p = objectArgs(args, ['databaseId', 'queries', 'search', 'total'])
    requireParams(p, ['databaseId'])
    return this.#call('listTables', p, () => {
      const database = this.#database(p.databaseId)
      const result = runList(
        {
          label: 'Table',
          attributes: { name: 'string', enabled: 'boolean', rowSecurity: 'boolean' },
          items: [...database.tables.values()],
          id: (table) => table.tableId,
          data: (table) => ({
            name: table.name,
            enabled: table.enabled,
            rowSecurity: table.security?.rowSecurity ?? true,
          }),
          search: (table) => `${table.tableId} ${table.name}`,
        },
        p,
        p.search,
      )
      return { total: result.total, tables: result.items.map(tableModel) }
    })
  }

  /**
   * Creates a table (`table_already_exists`, 409). It starts with no columns, so it validates
   * writes at once: any data key is an unknown attribute until columns exist. `rowSecurity`
   * defaults to `false` and `permissions` to `[]`, as on the server.
   */
  createTable(
    ...args: Args<
      CreateTableParams,
      [
        databaseId: string,
        tableId: string,
        name: string,
        permissions?: string[],
        rowSecurity?: boolean,
        enabled?: boolean,
        columns?: object[],
        indexes?: object[],
      ]
    >
  ): Promise<FakeTableModel> {
    const p = objectArgs(args, [
      'databaseId',
      'tableId',
      'name',
      'permissions',
      'rowSecurity',
      'enabled',
      'columns',
      'indexes',
    ])
    requireParams(p, ['databaseId', 'tableId', 'name'])
    return this.#call('createTable', p, () => {
      // appwrite .../Http/TablesDB/Tables/Create.php + Databases/Collections/Create.php
      assertUid('databaseId', p.databaseId)
      assertCustomId('tableId', p.tableId)
      assertText('name', p.name, 128, false)
      assertPermissions(p.permissions)
      assertBoolean('rowSecurity', p.rowSecurity)
      assertBoolean('enabled', p.enabled)
      for (const param of ['columns', 'indexes'] as const) {
        const value = p[param]
        if (
          !isNullish(value) &&
          (!Array.isArray(value) ||
            value.length > MAX_ARRAY_PARAMS ||
            value.some((item) => item === null || typeof item !== 'object' || Array.isArray(item)))
        ) {
          throw paramError(
            param,
            `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and Value must be a valid JSON object`,
          )
        }
      }
      const database = this.#database(p.databaseId)
      const tableId = p.tableId === SERVER_PICKED_ID ? this.#ids.next() : p.tableId
      if (database.tables.has(tableId)) throw failFor('table_already_exists', tableId)
      const now = this.#now()
      const entry: TableEntry = {
        databaseId: database.databaseId,
        tableId,
        name: p.name as string,
        enabled: (p.enabled as boolean | undefined) ?? true,
        $createdAt: now,
        $updatedAt: now,
        security: {
          permissions: aggregatePermissions((p.permissions as string[] | null | undefined) ?? []),
          rowSecurity: (p.rowSecurity as boolean | undefined) ?? false,
        },
        columns: new Map(),
        indexes: [],
        schema: undefined,
      }
      for (const definition of (p.columns as Params[] | undefined) ?? []) {
        const column = this.#inlineColumn(entry, definition, now)
        entry.columns!.set(column.key, column)
      }
      for (const definition of (p.indexes as Params[] | undefined) ?? []) {
        entry.indexes = [...entry.indexes, this.#inlineIndex(entry, definition, now)]
      }
      this.#schema.refresh(entry)
      database.tables.set(tableId, entry)
      return tableModel(entry)
    })
  }

  /** A column of `createTable({ columns })`: built `available` at once, as the server does. */
  #inlineColumn(entry: TableEntry, definition: Params, now: string): StoredColumn {
    const invalid = (message: string) => appwriteError('general_argument_invalid', message)
    const key = definition.key
    if (!isValidId(key)) throw invalid(`Invalid column key: ${CUSTOM_ID_DESCRIPTION}`)
    if (entry.columns?.has(key)) throw failFor('column_already_exists', key)
    const type = definition.type
    const types = [
      'string',
      'varchar',
      'text',
      'mediumtext',
      'longtext',
      'integer',
      'double',
      'float',
      'boolean',
      'datetime',
      'email',
      'url',
      'ip',
      'enum',
    ]
    if (typeof type !== 'string' || !types.includes(type)) {
      throw invalid(`Invalid column type for \`${key}\`: ${String(type)}`)
    }
    const required = definition.required === true
    const array = definition.array === true
    if (!isNullish(definition.default) && (required || array)) {
      throw fail(
        'column_default_unsupported',
        required
          ? 'Cannot set default value for required column'
          : 'Cannot set default value for array columns',
      )
    }
    if ((type === 'string' || type === 'varchar') && typeof definition.size !== 'number') {
      throw invalid(`Column \`${key}\` of type ${type} needs a \`size\`.`)
    }
    try {
      return {
        ...normalizeColumn(
          `table \`${entry.databaseId}.${entry.tableId}\``,
          {
            ...(definition as unknown as ColumnDefinition),
            required,
            array,
            status: 'available',
            error: '',
          },
          now,
        ),
        encrypt: definition.encrypt === true,
      }
    } catch (error) {
      throw invalid((error as Error).message.replace(/^createFakeAppwrite: /, ''))
    }
  }

  /** An index of `createTable({ indexes })`, `available` at once. */
  #inlineIndex(entry: TableEntry, definition: Params, now: string): StoredIndex {
    const columns = definition.attributes ?? definition.columns
    const index = this.#validateIndex(entry, {
      key: definition.key,
      type: definition.type,
      columns,
      orders: definition.orders ?? [],
      lengths: definition.lengths ?? [],
    })
    return { ...index, status: 'available', $createdAt: now, $updatedAt: now }
  }

  /** Gets a table with every column and index (`table_not_found`, 404). */
  getTable(
    ...args: Args<AdminTableParams, [databaseId: string, tableId: string]>
  ): Promise<FakeTableModel> {
    const p = objectArgs(args, ['databaseId', 'tableId'])
    requireParams(p, ['databaseId', 'tableId'])
    return this.#call('getTable', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      return tableModel(this.#table(p.databaseId, p.tableId))
    })
  }

  /**
   * Updates a table. As on the server, `permissions` are kept when left out, but `rowSecurity`
   * falls back to `false` and `enabled` to `true`: pass them again on every update.
   */
  updateTable(
    ...args: Args<
      UpdateTableParams,
      [
        databaseId: string,
        tableId: string,
        name?: string,
        permissions?: string[],
        rowSecurity?: boolean,
        enabled?: boolean,
        purge?: boolean,
      ]
    >
  ): Promise<FakeTableModel> {
    const p = objectArgs(args, [
      'databaseId',
      'tableId',
      'name',
      'permissions',
      'rowSecurity',
      'enabled',
      'purge',
    ])
    requireParams(p, ['databaseId', 'tableId'])
    return this.#call('updateTable', p, () => {
      // appwrite .../Http/Databases/Collections/Update.php
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      if (!isNullish(p.name)) assertText('name', p.name, 128, false)
      assertPermissions(p.permissions)
      assertBoolean('rowSecurity', p.rowSecurity)
      assertBoolean('enabled', p.enabled)
      assertBoolean('purge', p.purge)
      const entry = this.#table(p.databaseId, p.tableId)
      if (typeof p.name === 'string' && p.name !== '') entry.name = p.name
      entry.security = {
        permissions: aggregatePermissions(
          (p.permissions as string[] | null | undefined) ?? entry.security?.permissions ?? [],
        ),
        rowSecurity: (p.rowSecurity as boolean | undefined) ?? false,
      }
      entry.enabled = (p.enabled as boolean | undefined) ?? true
      entry.$updatedAt = this.#now()
      this.#schema.refresh(entry)
      return tableModel(entry)
    })
  }

  /** Deletes a table and its rows; resolves to `{}`. */
  deleteTable(
    ...args: Args<AdminTableParams, [databaseId: string, tableId: string]>
  ): Promise<Record<string, never>> {
    const p = objectArgs(args, ['databaseId', 'tableId'])
    requireParams(p, ['databaseId', 'tableId'])
    return this.#call('deleteTable', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      const entry = this.#table(p.databaseId, p.tableId)
      this.#schema.database(entry.databaseId)?.tables.delete(entry.tableId)
      this.#dropRows(entry.databaseId, entry.tableId)
      return {}
    })
  }

  /* ---------------------------------------------------------------------------------------------
   * Columns
   * ------------------------------------------------------------------------------------------ */

  /**
   * Lists a table's columns in creation order, every status included: `{ total, columns }`, 25 per
   * page unless `Query.limit` says otherwise. `queries` may filter on `key`, `type`, `size`,
   * `required`, `array`, `status`, `error`.
   */
  listColumns(
    ...args: Args<
      ListColumnsParams,
      [databaseId: string, tableId: string, queries?: string[], total?: boolean]
    >
  ): Promise<FakeColumnList> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'queries', 'total'])
    requireParams(p, ['databaseId', 'tableId'])
    return this.#call('listColumns', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertQueriesParam(p.queries)
      const entry = this.#table(p.databaseId, p.tableId)
      const result = runList(
        {
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
        },
        p,
      )
      return { total: result.total, columns: result.items.map((column) => columnModel(column)) }
    })
  }

  /** Gets one column (`column_not_found`, 404). */
  getColumn(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<FakeGetColumnModel> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'key'])
    requireParams(p, ['databaseId', 'tableId', 'key'])
    return this.#call('getColumn', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      const entry = this.#table(p.databaseId, p.tableId)
      const column = entry.columns?.get(p.key as string)
      if (!column) throw failFor('column_not_found', p.key as string)
      return columnModel(column) as FakeGetColumnModel
    })
  }

  /**
   * Deletes a column: `deleting`, then gone (with its values in stored rows, and from the indexes
   * that name it). Resolves to `{}`.
   */
  deleteColumn(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<Record<string, never>> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'key'])
    requireParams(p, ['databaseId', 'tableId', 'key'])
    return this.#call('deleteColumn', p, () => {
      // appwrite .../Collections/Attributes/Delete.php: only an `available` column turns `deleting`.
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      const entry = this.#table(p.databaseId, p.tableId)
      const key = p.key as string
      const column = entry.columns?.get(key)
      if (!column) throw failFor('column_not_found', key)
      if (column.status === 'available') {
        this.#putColumn(entry, { ...column, status: 'deleting', $updatedAt: this.#now() })
      }
      this.#enqueue(() => {
        if (!this.#current(entry) || entry.columns?.get(key)?.key !== key) return
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
        this.#rewriteRows(entry, (data) => {
          if (!(key in data)) return false
          delete data[key]
          return true
        })
        this.#schema.refresh(entry)
      })
      return {}
    })
  }

  /** The shared path of every `create…Column` call (appwrite `Attributes/Action.php`, `createAttribute`). */
  #createColumn<K extends ColumnKind>(
    kind: K,
    args: readonly unknown[],
  ): Promise<ColumnKindTypes[K]['model']> {
    const spec = COLUMN_KINDS[kind].create
    const p = objectArgs(args, spec.positional)
    requireParams(p, spec.required)
    return this.#call(spec.operation, p, () => {
      // Parameter validators, in declaration order.
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      if (kind === 'enum') assertElementsParam(p.elements)
      if (kind === 'string') assertRangeParam('size', p.size, 1, STRING_MAX)
      if (kind === 'varchar') assertRangeParam('size', p.size, 1, VARCHAR_MAX)
      assertBoolean('required', p.required, false)
      if (kind === 'integer') {
        assertIntegerParam('min', p.min)
        assertIntegerParam('max', p.max)
      }
      if (kind === 'float') {
        assertFloatParam('min', p.min)
        assertFloatParam('max', p.max)
      }
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
        min =
          (p.min as number | bigint | null | undefined) ??
          (kind === 'integer' ? INTEGER_MIN : -Number.MAX_VALUE)
        max =
          (p.max as number | bigint | null | undefined) ??
          (kind === 'integer' ? INTEGER_MAX : Number.MAX_VALUE)
        if (min > max) throw fail('column_value_invalid', MIN_OVER_MAX)
        if (fallback !== null && ((fallback as number) < min || (fallback as number) > max)) {
          throw fail('column_value_invalid', rangeDescription(min, max))
        }
      }
      if (
        kind === 'enum' &&
        fallback !== null &&
        !(p.elements as string[]).includes(fallback as string)
      ) {
        throw fail('column_value_invalid', 'Default value not found in elements')
      }
      const entry = this.#table(p.databaseId, p.tableId)
      if (p.required === true && fallback !== null) {
        throw fail('column_default_unsupported', 'Cannot set default value for required column')
      }
      if (p.array === true && fallback !== null) {
        throw fail('column_default_unsupported', 'Cannot set default value for array columns')
      }
      const now = this.#now()
      const key = p.key as string
      const column: StoredColumn = {
        ...normalizeColumn(
          'a column',
          {
            key,
            type: kind === 'float' ? 'double' : kind,
            required: p.required as boolean,
            array: (p.array as boolean | undefined) ?? false,
            size: (p.size as number | undefined) ?? FIXED_SIZES[kind],
            min: kind === 'float' ? Number(min) : min,
            max: kind === 'float' ? Number(max) : max,
            elements: kind === 'enum' ? [...(p.elements as string[])] : undefined,
            default: fallback,
            status: 'processing',
          },
          now,
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
      this.#putColumn(entry, column)
      this.#enqueue(() => {
        const current = entry.columns?.get(key)
        if (!this.#current(entry) || current !== column) return
        this.#putColumn(entry, { ...column, status: 'available' })
      })
      // The response is what the route sends (202): still `processing`.
      return columnModel(column, 'processing')
    })
  }

  /** The shared path of every `update…Column` call (appwrite `Attributes/Action.php`, `updateAttribute`). */
  #updateColumn<K extends ColumnKind>(
    kind: K,
    args: readonly unknown[],
  ): Promise<ColumnKindTypes[K]['model']> {
    const spec = COLUMN_KINDS[kind].update
    const p = objectArgs(args, spec.positional)
    requireParams(p, spec.required)
    return this.#call(spec.operation, p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      if (kind === 'enum') assertElementsParam(p.elements)
      assertBoolean('required', p.required, false)
      if (kind === 'integer') {
        assertIntegerParam('min', p.min)
        assertIntegerParam('max', p.max)
      }
      if (kind === 'float') {
        assertFloatParam('min', p.min)
        assertFloatParam('max', p.max)
      }
      assertDefaultParam(kind, p.xdefault)
      if ((kind === 'string' || kind === 'varchar') && !isNullish(p.size)) {
        assertRangeParam('size', p.size, 1, kind === 'string' ? STRING_MAX : VARCHAR_MAX)
      }
      assertKey('newKey', p.newKey, true)
      const entry = this.#table(p.databaseId, p.tableId)
      const key = p.key as string
      const column = entry.columns?.get(key)
      if (!column) throw failFor('column_not_found', key)
      if (column.status !== 'available') {
        // The route throws this without a key, so the message keeps the catalogue's '%s'.
        throw fail('column_not_available')
      }
      if (kindOf(column) !== kind) throw failFor('column_type_invalid', key)
      const fallback = p.xdefault ?? null
      if (p.required === true && fallback !== null) {
        throw fail('column_default_unsupported', 'Cannot set default value for required column')
      }
      if (column.array && fallback !== null) {
        throw fail('column_default_unsupported', 'Cannot set default value for array columns')
      }
      const next: { -readonly [K in keyof StoredColumn]: StoredColumn[K] } = {
        ...column,
        required: p.required as boolean,
        default: fallback,
        $updatedAt: this.#now(),
      }
      if (typeof p.size === 'number' && p.size !== 0) next.size = p.size
      if (kind === 'integer' || kind === 'float') {
        const min = (p.min as number | bigint | null | undefined) ?? column.min!
        const max = (p.max as number | bigint | null | undefined) ?? column.max!
        if (min > max) throw fail('column_value_invalid', MIN_OVER_MAX)
        if (fallback !== null && ((fallback as number) < min || (fallback as number) > max)) {
          throw fail('column_value_invalid', rangeDescription(min, max))
        }
        next.min = min
        next.max = max
      }
      if (kind === 'enum') {
        const elements = p.elements as string[]
        if (elements.length === 0)
          throw fail('column_value_invalid', 'Enum elements must not be empty')
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
        const size = next.size
        const tooLong = this.#rows(entry).some((row) => {
          const value = row.data[key]
          const values = Array.isArray(value) ? value : [value]
          return values.some((item) => typeof item === 'string' && [...item].length > size)
        })
        if (tooLong) throw fail('column_invalid_resize')
      }
      const newKey = typeof p.newKey === 'string' && p.newKey !== '' ? p.newKey : key
      if (newKey !== key) {
        if (entry.columns?.has(newKey)) throw failFor('column_already_exists', newKey)
        next.key = newKey
        const renamed = new Map<string, StoredColumn>()
        for (const [k, c] of entry.columns!)
          renamed.set(k === key ? newKey : k, k === key ? next : c)
        entry.columns = renamed
        entry.indexes = entry.indexes.map((index) =>
          index.columns.includes(key)
            ? { ...index, columns: index.columns.map((c) => (c === key ? newKey : c)) }
            : index,
        )
        this.#rewriteRows(entry, (data) => {
          if (!(key in data)) return false
          data[newKey] = data[key]
          delete data[key]
          return true
        })
        this.#schema.refresh(entry)
      } else {
        this.#putColumn(entry, next)
      }
      return columnModel(next)
    })
  }

  /** Creates a `string` column (deprecated by the server since 1.9 in favour of varchar/text, still served). */
  createStringColumn(...args: ColumnArgs<'string', 'create'>): Promise<FakeColumnStringModel> {
    return this.#createColumn('string', args)
  }

  /** Updates a `string` column: `required`, `xdefault` (required by the SDK; `null` for none), `size`, `newKey`. */
  updateStringColumn(...args: ColumnArgs<'string', 'update'>): Promise<FakeColumnStringModel> {
    return this.#updateColumn('string', args)
  }

  /** Creates a `varchar` column (server 1.9), at most 16,381 chars. */
  createVarcharColumn(...args: ColumnArgs<'varchar', 'create'>): Promise<FakeColumnVarcharModel> {
    return this.#createColumn('varchar', args)
  }

  /** Updates a `varchar` column. */
  updateVarcharColumn(...args: ColumnArgs<'varchar', 'update'>): Promise<FakeColumnVarcharModel> {
    return this.#updateColumn('varchar', args)
  }

  /** Creates a `text` column (65,535 bytes). */
  createTextColumn(...args: ColumnArgs<'text', 'create'>): Promise<FakeColumnTextModel> {
    return this.#createColumn('text', args)
  }

  /** Updates a `text` column. */
  updateTextColumn(...args: ColumnArgs<'text', 'update'>): Promise<FakeColumnTextModel> {
    return this.#updateColumn('text', args)
  }

  /** Creates a `mediumtext` column (16 MiB). */
  createMediumtextColumn(
    ...args: ColumnArgs<'mediumtext', 'create'>
  ): Promise<FakeColumnTextModel> {
    return this.#createColumn('mediumtext', args)
  }

  /** Updates a `mediumtext` column. */
  updateMediumtextColumn(
    ...args: ColumnArgs<'mediumtext', 'update'>
  ): Promise<FakeColumnTextModel> {
    return this.#updateColumn('mediumtext', args)
  }

  /** Creates a `longtext` column. */
  createLongtextColumn(...args: ColumnArgs<'longtext', 'create'>): Promise<FakeColumnTextModel> {
    return this.#createColumn('longtext', args)
  }

  /** Updates a `longtext` column. */
  updateLongtextColumn(...args: ColumnArgs<'longtext', 'update'>): Promise<FakeColumnTextModel> {
    return this.#updateColumn('longtext', args)
  }

  /** Creates an `integer` column; `min` / `max` default to the 64-bit bounds. */
  createIntegerColumn(...args: ColumnArgs<'integer', 'create'>): Promise<FakeColumnIntegerModel> {
    return this.#createColumn('integer', args)
  }

  /** Updates an `integer` column; `min` / `max` are kept when left out. */
  updateIntegerColumn(...args: ColumnArgs<'integer', 'update'>): Promise<FakeColumnIntegerModel> {
    return this.#updateColumn('integer', args)
  }

  /** Creates a float column (reported as `double`). */
  createFloatColumn(...args: ColumnArgs<'float', 'create'>): Promise<FakeColumnFloatModel> {
    return this.#createColumn('float', args)
  }

  /** Updates a float column. */
  updateFloatColumn(...args: ColumnArgs<'float', 'update'>): Promise<FakeColumnFloatModel> {
    return this.#updateColumn('float', args)
  }

  /** Creates a `boolean` column. */
  createBooleanColumn(...args: ColumnArgs<'boolean', 'create'>): Promise<FakeColumnBooleanModel> {
    return this.#createColumn('boolean', args)
  }

  /** Updates a `boolean` column. */
  updateBooleanColumn(...args: ColumnArgs<'boolean', 'update'>): Promise<FakeColumnBooleanModel> {
    return this.#updateColumn('boolean', args)
  }

  /** Creates a `datetime` column. */
  createDatetimeColumn(
    ...args: ColumnArgs<'datetime', 'create'>
  ): Promise<FakeColumnDatetimeModel> {
    return this.#createColumn('datetime', args)
  }

  /** Updates a `datetime` column. */
  updateDatetimeColumn(
    ...args: ColumnArgs<'datetime', 'update'>
  ): Promise<FakeColumnDatetimeModel> {
    return this.#updateColumn('datetime', args)
  }

  /** Creates an email column (`string`, format `email`, 254 chars). */
  createEmailColumn(...args: ColumnArgs<'email', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#createColumn('email', args)
  }

  /** Updates an email column. */
  updateEmailColumn(...args: ColumnArgs<'email', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#updateColumn('email', args)
  }

  /** Creates a URL column (`string`, format `url`, 2,000 chars). */
  createUrlColumn(...args: ColumnArgs<'url', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#createColumn('url', args)
  }

  /** Updates a URL column. */
  updateUrlColumn(...args: ColumnArgs<'url', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#updateColumn('url', args)
  }

  /** Creates an IP column (`string`, format `ip`, 39 chars). */
  createIpColumn(...args: ColumnArgs<'ip', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#createColumn('ip', args)
  }

  /** Updates an IP column. */
  updateIpColumn(...args: ColumnArgs<'ip', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#updateColumn('ip', args)
  }

  /** Creates an enum column (`string`, format `enum`). */
  createEnumColumn(...args: ColumnArgs<'enum', 'create'>): Promise<FakeColumnEnumModel> {
    return this.#createColumn('enum', args)
  }

  /** Updates an enum column: the new `elements` replace the old ones. */
  updateEnumColumn(...args: ColumnArgs<'enum', 'update'>): Promise<FakeColumnEnumModel> {
    return this.#updateColumn('enum', args)
  }

  /** Lists a table's indexes: `{ total, indexes }`; `queries` may filter on `key`, `type`, `status`, `attributes`, `error`. */
  listIndexes(
    ...args: Args<
      ListColumnsParams,
      [databaseId: string, tableId: string, queries?: string[], total?: boolean]
    >
  ): Promise<FakeIndexList> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'queries', 'total'])
    requireParams(p, ['databaseId', 'tableId'])
    return this.#call('listIndexes', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertQueriesParam(p.queries)
      const entry = this.#table(p.databaseId, p.tableId)
      const result = runList(
        {
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
        },
        p,
      )
      return { total: result.total, indexes: result.items.map((index) => indexModel(index)) }
    })
  }

  /** Gets one index (`column_index_not_found`, 404). */
  getIndex(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<FakeIndexModel> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'key'])
    requireParams(p, ['databaseId', 'tableId', 'key'])
    return this.#call('getIndex', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      const entry = this.#table(p.databaseId, p.tableId)
      const index = entry.indexes.find((item) => item.key === p.key)
      if (!index) throw failFor('column_index_not_found', p.key as string)
      return indexModel(index)
    })
  }

  /**
   * The checks of an index definition against a table (appwrite `Indexes/Create.php` and
   * utopia-php/database `Validator/Index.php`).
   */
  #validateIndex(entry: TableEntry, p: Params): FakeIndex {
    assertKey('key', p.key)
    const types = ['key', 'fulltext', 'unique', 'spatial']
    if (typeof p.type !== 'string' || !types.includes(p.type)) {
      throw paramError('type', `Value must be one of (${types.join(', ')})`)
    }
    const columns = p.columns
    if (
      !Array.isArray(columns) ||
      columns.length > MAX_ARRAY_PARAMS ||
      columns.some((column) => typeof column !== 'string' || !isValidId(column.replace(/^\$/, '')))
    ) {
      throw paramError(
        'columns',
        `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and ${CUSTOM_ID_DESCRIPTION}`,
      )
    }
    const orders = p.orders
    if (
      !Array.isArray(orders) ||
      orders.length > MAX_ARRAY_PARAMS ||
      orders.some((order) => typeof order !== 'string' || !/^(asc|desc)$/i.test(order))
    ) {
      throw paramError(
        'orders',
        `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and Value must be one of (ASC, DESC)`,
      )
    }
    const lengths = p.lengths
    if (
      !Array.isArray(lengths) ||
      lengths.length > MAX_ARRAY_PARAMS ||
      lengths.some((length) => length !== null && !Number.isInteger(length))
    ) {
      throw paramError(
        'lengths',
        `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and Value must be a valid integer`,
      )
    }
    const key = p.key as string
    const type = p.type as FakeIndex['type'] | 'spatial'
    const names = columns as string[]
    const resolved: Array<FakeColumn | undefined> = []
    for (const name of names) {
      if (SYSTEM_INDEX_COLUMNS.has(name)) {
        resolved.push(undefined)
        continue
      }
      const column = entry.columns?.get(name)
      if (!column) throw failFor('column_unknown', name)
      if (column.status !== 'available') throw failFor('column_not_available', name)
      if (column.array) {
        throw fail(
          'index_invalid',
          'Creating indexes on array attributes is not currently supported.',
        )
      }
      resolved.push(column)
    }
    const invalid = (message: string) => fail('column_index_invalid', message)
    if (names.length === 0) throw invalid('No attributes provided for index')
    if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) {
      throw invalid('Duplicate attributes provided')
    }
    if (type === 'fulltext') {
      resolved.forEach((column, i) => {
        const stringy = column
          ? ['string', 'varchar', 'text', 'mediumtext', 'longtext'].includes(column.type)
          : names[i] === '$id'
        if (!stringy) {
          throw invalid(
            `Attribute "${names[i]}" cannot be part of a fulltext index, must be of type string`,
          )
        }
      })
    }
    if (type === 'spatial') {
      const column = resolved[0]
      throw invalid(
        `Spatial index can only be created on spatial attributes (point, linestring, polygon). Attribute "${names[0]}" is of type "${column?.type ?? 'string'}"`,
      )
    }
    if ((lengths as unknown[]).length > names.length) {
      throw invalid(
        'Invalid index lengths. Count of lengths must be equal or less than the number of attributes.',
      )
    }
    ;(lengths as Array<number | null>).forEach((length, i) => {
      const column = resolved[i]
      if (length === null || !column) return
      if (length < 0) throw invalid(`Negative index length provided for ${names[i]}`)
      if (column.size !== undefined && length > column.size) {
        throw invalid(
          `Index length ${length} is larger than the size for ${names[i]}: ${column.size}"`,
        )
      }
    })
    if (entry.indexes.some((index) => index.key === key)) {
      throw failFor('column_index_already_exists', key)
    }
    return {
      key,
      type,
      status: 'processing',
      error: '',
      columns: [...names],
      orders: [...(orders as Array<'ASC' | 'DESC'>)],
      lengths: [...(lengths as number[])],
    }
  }

  /**
   * Creates an index: `key`, `unique` or `fulltext`. Answers `processing` (202), then the worker
   * builds it: a `unique` index over rows that already repeat a value ends `failed` with
   * `Unique index violation`, as MariaDB refuses to build it.
   */
  createIndex(
    ...args: Args<
      CreateIndexParams,
      [
        databaseId: string,
        tableId: string,
        key: string,
        type: CreateIndexParams['type'],
        columns: string[],
        orders?: CreateIndexParams['orders'],
        lengths?: number[],
      ]
    >
  ): Promise<FakeIndexModel> {
    const p = objectArgs(args, [
      'databaseId',
      'tableId',
      'key',
      'type',
      'columns',
      'orders',
      'lengths',
    ])
    requireParams(p, ['databaseId', 'tableId', 'key', 'type', 'columns'])
    return this.#call('createIndex', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      const definition = { ...p, orders: p.orders ?? [], lengths: p.lengths ?? [] }
      assertKey('key', p.key)
      const entry = this.#table(p.databaseId, p.tableId)
      if (entry.indexes.length >= INDEX_LIMIT)
        throw failFor('column_index_limit_exceeded', entry.tableId)
      const now = this.#now()
      const index: StoredIndex = {
        ...this.#validateIndex(entry, definition),
        $createdAt: now,
        $updatedAt: now,
      }
      entry.indexes = [...entry.indexes, index]
      this.#schema.refresh(entry)
      this.#enqueue(() => {
        if (!this.#current(entry) || !entry.indexes.includes(index)) return
        const built: StoredIndex = { ...index, status: 'available' }
        const schema = entry.schema
        const rows = this.#rows(entry)
        const failed =
          index.type === 'unique' &&
          schema !== undefined &&
          findUniqueViolation({ ...schema, indexes: [built] }, rows, []) !== undefined
        entry.indexes = entry.indexes.map((item) =>
          item === index
            ? failed
              ? { ...index, status: 'failed', error: 'Unique index violation' }
              : built
            : item,
        )
        this.#schema.refresh(entry)
      })
      return indexModel(index)
    })
  }

  /** Deletes an index: `deleting`, then gone. Resolves to `{}`. */
  deleteIndex(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<Record<string, never>> {
    const p = objectArgs(args, ['databaseId', 'tableId', 'key'])
    requireParams(p, ['databaseId', 'tableId', 'key'])
    return this.#call('deleteIndex', p, () => {
      assertUid('databaseId', p.databaseId)
      assertUid('tableId', p.tableId)
      assertKey('key', p.key)
      const entry = this.#table(p.databaseId, p.tableId)
      const index = entry.indexes.find((item) => item.key === p.key)
      if (!index) throw failFor('column_index_not_found', p.key as string)
      let target = index
      if (index.status === 'available') {
        target = { ...index, status: 'deleting', $updatedAt: this.#now() }
        entry.indexes = entry.indexes.map((item) => (item === index ? target : item))
        this.#schema.refresh(entry)
      }
      this.#enqueue(() => {
        if (!this.#current(entry)) return
        entry.indexes = entry.indexes.filter((item) => item.key !== target.key)
        this.#schema.refresh(entry)
      })
      return {}
    })
  }
}

function appwriteErrorFor404(type: 'database_not_found' | 'table_not_found', id: string) {
  return failFor(type, id)
}
