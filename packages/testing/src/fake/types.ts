/* eslint-disable @typescript-eslint/no-explicit-any -- the row types mirror appwrite@27's `Models`, whose default row is `Record<string, any>` so `row.status` needs no cast. */
import type { FaultCallContext } from './faults'
import type { RealtimeRowEvent } from './realtime'

declare const defaultRowBrand: unique symbol
declare const defaultDocumentBrand: unique symbol

/**
 * The system fields of a row, as `Models.Row` in `appwrite@27` / `node-appwrite@27`.
 * Rows the fake returns are structurally assignable to the SDKs' `Models.Row`.
 */
export interface FakeRow {
  /** Row id. */
  $id: string
  /** Per-table insertion counter, as a string (`"1"`, `"2"`, …). */
  $sequence: string
  /** Table id. */
  $tableId: string
  /** Database id. */
  $databaseId: string
  /** Creation time, ISO 8601 with milliseconds and `+00:00`, from the fake's clock. */
  $createdAt: string
  /** Last update time, same format; unchanged when an update changes nothing. */
  $updatedAt: string
  /** Permission strings, e.g. `read("user:u1")`. */
  $permissions: string[]
}

/** A row with any columns: the default of every generic row method, like `Models.DefaultRow`. */
export type FakeDefaultRow = FakeRow & { [key: string]: any; [defaultRowBrand]: true }

/** The system fields of a document, as `Models.Document` (`$collectionId` instead of `$tableId`). */
export interface FakeDocument {
  /** Document id. */
  $id: string
  /** Per-collection insertion counter, as a string. */
  $sequence: string
  /** Collection id. */
  $collectionId: string
  /** Database id. */
  $databaseId: string
  /** Creation time, ISO 8601 with milliseconds and `+00:00`. */
  $createdAt: string
  /** Last update time, same format. */
  $updatedAt: string
  /** Permission strings. */
  $permissions: string[]
}

/** A document with any attributes, like `Models.DefaultDocument`. */
export type FakeDefaultDocument = FakeDocument & {
  [key: string]: any
  [defaultDocumentBrand]: true
}

/** `Models.RowList`: `total` is `0` when the call passed `total: false`. */
export interface FakeRowList<Row extends FakeRow = FakeDefaultRow> {
  /** Number of rows matching the filters (capped at 5,000 like the server), or `0` with `total: false`. */
  total: number
  /** The page of rows. */
  rows: Row[]
}

/** `Models.DocumentList`. */
export interface FakeDocumentList<Document extends FakeDocument = FakeDefaultDocument> {
  /** Number of documents matching the filters (capped at 5,000), or `0` with `total: false`. */
  total: number
  /** The page of documents. */
  documents: Document[]
}

/** The `data` of a create call, typed from the row type like the SDK does. */
export type RowData<Row extends FakeRow> = Row extends FakeDefaultRow
  ? Partial<FakeRow> & Record<string, any>
  : Partial<FakeRow> & Omit<Row, keyof FakeRow>

/** The `data` of an update / upsert call: every column optional. */
export type PartialRowData<Row extends FakeRow> = Row extends FakeDefaultRow
  ? Partial<FakeRow> & Record<string, any>
  : Partial<FakeRow> & Partial<Omit<Row, keyof FakeRow>>

/** The `data` of a document create call. */
export type DocumentData<Document extends FakeDocument> = Document extends FakeDefaultDocument
  ? Partial<FakeDocument> & Record<string, any>
  : Partial<FakeDocument> & Omit<Document, keyof FakeDocument>

/** The `data` of a document update / upsert call. */
export type PartialDocumentData<Document extends FakeDocument> =
  Document extends FakeDefaultDocument
    ? Partial<FakeDocument> & Record<string, any>
    : Partial<FakeDocument> & Partial<Omit<Document, keyof FakeDocument>>

/* ------------------------------------------------------------------------------------------------
 * Schema declarations
 * --------------------------------------------------------------------------------------------- */

/** A column's lifecycle state, as the server reports it (`Models.ColumnString['status']`). */
export type ColumnStatus = 'available' | 'processing' | 'deleting' | 'stuck' | 'failed'

/**
 * Column types a declaration accepts. `email`, `url`, `ip` and `enum` are shorthands for a
 * `string` column with that `format`, which is how the server stores and reports them.
 */
export type ColumnType =
  | 'string'
  | 'varchar'
  | 'text'
  | 'mediumtext'
  | 'longtext'
  | 'integer'
  | 'double'
  | 'float'
  | 'boolean'
  | 'datetime'
  | 'email'
  | 'url'
  | 'ip'
  | 'enum'

/** The `format` of a `string` column. */
export type StringColumnFormat = '' | 'email' | 'url' | 'ip' | 'enum'

/**
 * A column to declare, in the shape of node-appwrite's column models (`Models.ColumnString`,
 * `Models.ColumnInteger`, …), so a column list read from a real server can be passed as is.
 *
 * @example
 * ```ts
 * const columns: ColumnDefinition[] = [
 *   { key: 'customerId', type: 'string', size: 36, required: true },
 *   { key: 'status', type: 'enum', elements: ['pending', 'accepted'], required: true },
 *   { key: 'durationMinutes', type: 'integer', min: 15, max: 480, required: true },
 * ]
 * ```
 */
export interface ColumnDefinition {
  /** Column key. */
  key: string
  /** Column type; see {@link ColumnType}. */
  type: ColumnType
  /** For `string` columns: `email`, `url`, `ip` or `enum` (the model's `format`). Defaults to `''`. */
  format?: StringColumnFormat
  /** Whether a write must carry a non-null value. Defaults to `false`. */
  required?: boolean
  /** Whether the column holds a list of values. Defaults to `false`. */
  array?: boolean
  /**
   * Maximum length in characters for `string`/`varchar`, in bytes for `text`/`mediumtext`/`longtext`.
   * Defaults to `255` for `string`/`varchar`, 254 for `email`, 2,000 for `url`, 39 for `ip`,
   * 255 for `enum` and the MariaDB maximum for the text types.
   */
  size?: number
  /** Smallest accepted value for `integer`/`double`. Defaults to the type's minimum. */
  min?: number | bigint
  /** Largest accepted value for `integer`/`double`. Defaults to the type's maximum. */
  max?: number | bigint
  /** Accepted values of an `enum` column. Required for enums. */
  elements?: string[]
  /** Value stored when a create leaves the column out. Defaults to `null`. */
  default?: unknown
  /**
   * Lifecycle state. As on the server, `processing` and `failed` columns do not exist for writes yet
   * (a write naming one fails with `Unknown attribute`); `available`, `deleting` and `stuck` ones do.
   * Defaults to `'available'`.
   */
  status?: ColumnStatus
  /** Error text of a `failed` column. Defaults to `''`. */
  error?: string
}

/** A column as the fake stores and reports it: a node-appwrite column model, normalized. */
export interface FakeColumn {
  /** Column key. */
  key: string
  /** Storage type (`string`, `integer`, `double`, `boolean`, `datetime`, `varchar`, `text`, …). */
  type: Exclude<ColumnType, 'float' | 'email' | 'url' | 'ip' | 'enum'>
  /** `email`, `url`, `ip`, `enum`, or `''`. */
  format: StringColumnFormat
  /** Lifecycle state. */
  status: ColumnStatus
  /** Error text of a failed column, else `''`. */
  error: string
  /** Whether writes must carry a non-null value. */
  required: boolean
  /** Whether the column holds a list. */
  array: boolean
  /** Size limit of string-like columns (characters, or bytes for the text types). */
  size?: number
  /** Lower bound of numeric columns. */
  min?: number | bigint
  /** Upper bound of numeric columns. */
  max?: number | bigint
  /** Accepted values of an enum column. */
  elements?: string[]
  /** Default value, or `null`. */
  default: unknown
  /** When the column was declared. */
  $createdAt: string
  /** When the column was last changed. */
  $updatedAt: string
}

/** An index to declare, in the shape of node-appwrite's `Models.ColumnIndex`. */
export interface IndexDefinition {
  /** Index key. */
  key: string
  /** `key`, `unique` or `fulltext`. `search` queries on a declared table need a `fulltext` index on that one column. */
  type: 'key' | 'unique' | 'fulltext'
  /** Indexed column keys. */
  columns: string[]
  /** Sort direction per column. Defaults to `[]`. */
  orders?: Array<'ASC' | 'DESC'>
  /** Prefix lengths per column. Defaults to `[]`. */
  lengths?: number[]
  /** Lifecycle state. Defaults to `'available'`. */
  status?: ColumnStatus
}

/** An index as the fake stores it. */
export interface FakeIndex {
  /** Index key (also its `$id`). */
  key: string
  /** `key`, `unique` or `fulltext`. */
  type: 'key' | 'unique' | 'fulltext'
  /** Lifecycle state. */
  status: ColumnStatus
  /** Error text, or `''`. */
  error: string
  /** Indexed column keys. */
  columns: string[]
  /** Sort direction per column. */
  orders: Array<'ASC' | 'DESC'>
  /** Prefix lengths per column. */
  lengths: number[]
}

/** A declared table (or collection). */
export interface TableDefinition {
  /** Display name. Defaults to the table id. */
  name?: string
  /**
   * The table's columns. When left out the table exists but is schemaless: it accepts any data.
   * When given (even `[]`), writes are validated against it like the server does.
   */
  columns?: ColumnDefinition[]
  /** The table's indexes. Defaults to `[]`. */
  indexes?: IndexDefinition[]
  /**
   * Table-level permission strings, e.g. `['create("users")']`. When neither this nor
   * `rowSecurity` is given, the table keeps the fake's permissive schemaless security.
   * Defaults to `[]`.
   */
  permissions?: string[]
  /**
   * Whether row-level permissions apply, like `Models.Table['rowSecurity']`. Defaults to `false`
   * once `permissions` is given, as `createTable` does on the server.
   */
  rowSecurity?: boolean
}

/** A declared database. */
export interface DatabaseDefinition {
  /** Display name. Defaults to the database id. */
  name?: string
  /**
   * The database's tables. When given, only these tables exist and any other table id fails with
   * `table_not_found` / `collection_not_found`. When left out, any table id is accepted and
   * created schemaless on first use.
   */
  tables?: Record<string, TableDefinition>
}

/** `{ [databaseId]: { [tableId]: rows ordered by $sequence } }`, as returned by `snapshot()`. */
export type FakeSnapshot = Record<string, Record<string, FakeDefaultRow[]>>

/** A transaction, field for field `Models.Transaction` of `appwrite@27` / `node-appwrite@27`. */
export interface FakeTransaction {
  /** Transaction id (20 hex chars, picked by the fake's seeded generator). */
  $id: string
  /** Creation time, ISO 8601 with milliseconds and `+00:00`. */
  $createdAt: string
  /** Last change of status or operations, same format. */
  $updatedAt: string
  /**
   * `pending` while it accepts operations; `committing` during a commit; `committed`; or
   * `failed` after a failed commit or a rollback (the server marks a rollback `failed` too).
   */
  status: 'pending' | 'committing' | 'committed' | 'failed'
  /** Number of operations staged (a bulk call counts as one). */
  operations: number
  /** When it expires: `$createdAt` plus the `ttl`. */
  expiresAt: string
}

/** `Models.TransactionList`. */
export interface FakeTransactionList {
  /** Number of transactions matching the queries. */
  total: number
  /** The page of transactions. */
  transactions: FakeTransaction[]
}

/* ------------------------------------------------------------------------------------------------
 * Seams towards the realtime and fault modules
 * --------------------------------------------------------------------------------------------- */

/** Which SDK service a call came through. */
export type FakeApi = 'tablesDB' | 'databases'

/**
 * Lets a fault injector fail, delay or hang a call (`FaultInjector` satisfies it). `undefined`
 * means "no rule applies" and keeps the call on the fast path.
 *
 * @internal
 */
export interface FaultGate {
  /**
   * `latency: false` applies only `fail` and `hang` rules: for the writes a commit applies, which
   * ride the commit's one round trip (its own call already took the latency).
   */
  beforeCall(context: FaultCallContext, options?: { latency?: boolean }): Promise<void> | undefined
  /**
   * `true` while no call rule is set, so `beforeCall` would answer `undefined` whatever the call:
   * callers may then skip building its context. Optional; absent means "ask `beforeCall`".
   */
  readonly idle?: boolean
}

/**
 * Receives one event per changed row, after storage changed (`RealtimeHub` satisfies it).
 *
 * @internal
 */
export interface RowEventSink {
  publish(event: RealtimeRowEvent): void
  /**
   * Whether an event of this table could reach anyone; `false` lets the writer skip building
   * it. `publish` must still drop what nobody can receive.
   */
  isListening?(databaseId: string, tableId: string): boolean
}
