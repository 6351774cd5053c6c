// The answer models of the fake's admin (node-appwrite's `Models.Database`, `Models.Table`,
// `Models.Column…`, `Models.ColumnIndex`) and the functions that build them from the schema registry.
import type { DatabaseEntry, StoredColumn, StoredIndex, TableEntry } from '../schema'
import { INT32_MAX, INTEGER_MAX, INTEGER_MIN } from '../schema'
import type { FakeColumn } from '../types'
import { ROW_WIDTH_LIMIT, VARCHAR_MAX } from './limits'

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

/**
 * Row width in bytes as the MariaDB adapter counts it (github:utopia-php/database
 * `src/Database/Adapter/SQL.php`, `getAttributeWidth`): 1,067 bytes of system columns, then per
 * column `size * 4 + 1` (or `+ 2` above 255 chars) for strings, 20 for text types and arrays, 4 or
 * 8 for integers, 8 for doubles, 1 for booleans, 7 for datetimes.
 */
export function rowWidth(columns: Iterable<FakeColumn>): number {
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

/** @internal */
export function columnModel(column: StoredColumn, status = column.status): FakeColumnModel {
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

/** @internal */
export function indexModel(index: StoredIndex, status = index.status): FakeIndexModel {
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

/** @internal */
export function tableModel(entry: TableEntry): FakeTableModel {
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

/** @internal */
export function databaseModel(entry: DatabaseEntry): FakeDatabaseModel {
  return {
    $id: entry.databaseId,
    name: entry.name,
    $createdAt: entry.$createdAt,
    $updatedAt: entry.$updatedAt,
    enabled: entry.enabled,
    type: entry.type === 'legacy' ? DatabaseType.Legacy : DatabaseType.Tablesdb,
  }
}
