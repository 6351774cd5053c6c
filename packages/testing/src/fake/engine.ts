import type { FakeClock } from './clock'
import { runGated } from './faults'
import { AppwriteException, appwriteError, appwriteErrorFor } from './errors'
import { planQuery } from './planner'
import {
  CUSTOM_ID_DESCRIPTION,
  SERVER_PICKED_ID,
  assertCustomId,
  assertUid,
  createIdGenerator,
  isValidId,
} from './ids'
import type { IdGenerator } from './ids'
import { assertUniqueRows } from './indexes'
import { copyJson } from './json'
import { toModel } from './rowModels'
import type { RowPlace } from './rowModels'
import { applyOperators, hasOperators } from './operators'
import { compactData, sharedPermissions } from './rowShape'
import {
  assertQueriesParam,
  cursorOf,
  effectiveOrders,
  nullOrderAttribute,
  parseQueryStrings,
  runQuery,
  validateGetQueries,
  validateListQueries,
} from './queries'
import type { ListQueries } from './queries'
import {
  aggregateRowPermissions,
  assertGrantable,
  assertPermissionsParam,
  rowPermissionsParam,
  authorizationDescription,
  defaultPermissions,
  mayAccessRow,
  permissionsFailure,
  rolesFor,
  tableAccess,
  unauthorized,
} from './permissions'
import type { Actor, TableAccess } from './permissions'
import type { SchemaRegistry, TableSchema } from './schema'
import type { RowStorage, StoredRow, TableStorage } from './store'
import type { RealtimeRowEvent } from './realtime'
import { BULK_STAGING, SINGLE_ROW_STAGING, TransactionManager, rowKey } from './transactions'
import type {
  OperationAction,
  StagedOperation,
  TransactionEngine,
  TransactionRecord,
} from './transactions'
import { TABLES_FLAVOR, hasOwnKeys, userData } from './rowData'
import type { CallParams, Flavor } from './rowData'
import type { FakeApi, FaultGate, RowEventSink } from './types'
import {
  STRUCTURE_PREFIX,
  parseServerDatetime,
  prepareRowData,
  rewrittenKeys,
  toServerDatetime,
  validateSchemalessKeys,
} from './validation'

/**
 * Everything that differs between the TablesDB routes and the legacy collection routes: parameter
 * names, the container field, and the error types (appwrite
 * `src/Appwrite/Platform/Modules/Databases/Http/Databases/Collections/Documents/Action.php`).
 *
 * @internal
 */
/** The SDK method a staged operation stands for: [TablesDB, Databases]. */
const STAGED_CALL_NAMES: Readonly<Record<OperationAction, readonly [string, string]>> = {
  create: ['createRow', 'createDocument'],
  update: ['updateRow', 'updateDocument'],
  upsert: ['upsertRow', 'upsertDocument'],
  delete: ['deleteRow', 'deleteDocument'],
  increment: ['incrementRowColumn', 'incrementDocumentAttribute'],
  decrement: ['decrementRowColumn', 'decrementDocumentAttribute'],
  bulkCreate: ['createRows', 'createDocuments'],
  bulkUpdate: ['updateRows', 'updateDocuments'],
  bulkUpsert: ['upsertRows', 'upsertDocuments'],
  bulkDelete: ['deleteRows', 'deleteDocuments'],
}

export { COLLECTIONS_FLAVOR, TABLES_FLAVOR, hasOwnKeys, userData } from './rowData'
export type { CallParams, Flavor } from './rowData'

/** Largest batch of the bulk routes and of the rows a bulk response lists (`APP_LIMIT_DATABASE_BATCH`). */
export const MAX_BATCH = 100

type Model = Record<string, unknown>

/**
 * What a list call answers before its row models are built: the stored rows in answer order,
 * where they live, the table's schema (`undefined` when schemaless) and the selected keys.
 *
 * @internal
 */
export interface StoredListing {
  readonly total: number
  readonly rows: readonly StoredRow[]
  readonly place: RowPlace
  readonly schema: TableSchema | undefined
  /** Selected keys, `undefined` when the call selects everything. */
  readonly selects: readonly string[] | undefined
}

/** Options for {@link DataEngine}. @internal */
export interface DataEngineOptions {
  readonly storage: RowStorage
  readonly schema: SchemaRegistry
  readonly clock: FakeClock
  readonly ids: IdGenerator
  readonly events: RowEventSink
  readonly faults: FaultGate
  /**
   * The fake's transactions. Defaults to a manager of this engine's own (ids from a fresh random
   * seed).
   */
  readonly transactions?: TransactionManager
}

const EMPTY: readonly string[] = Object.freeze([])
const NO_KEYS: readonly string[] = EMPTY
const NO_EVENTS: RowEventSink = { publish: () => {}, isListening: () => false }

/* ------------------------------------------------------------------------------------------------
 * JSON helpers: the SDK sends JSON, so data is copied with JSON semantics.
 * --------------------------------------------------------------------------------------------- */

/** The `$createdAt` / `$updatedAt` a write sets itself, in the server's stored format. */
interface PresetDates {
  readonly createdAt: string | undefined
  readonly updatedAt: string | undefined
}

/**
 * The `$createdAt` / `$updatedAt` an API-key write keeps: the server removes them from the data of
 * other callers (`removeReadonlyAttributes`) and writes the rest `withPreserveDates`, after its
 * structure validator checked them as datetimes (400 `*_invalid_structure` otherwise).
 * `undefined` when the call sets neither (the common case, answered without a copy).
 */
function presetDates(
  flavor: Flavor,
  input: Readonly<Model>,
  actor: Actor | undefined,
): PresetDates | undefined {
  if (actor !== undefined) return undefined
  const created = input.$createdAt
  const updated = input.$updatedAt
  if ((created === undefined || created === null) && (updated === undefined || updated === null))
    return undefined
  return {
    createdAt: presetDate(flavor, '$createdAt', created),
    updatedAt: presetDate(flavor, '$updatedAt', updated),
  }
}

function presetDate(flavor: Flavor, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  const ms = parseServerDatetime(value)
  if (ms === undefined)
    throw appwriteError(
      flavor.invalidStructure,
      `${STRUCTURE_PREFIX}Attribute "${key}" has invalid type. Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.`,
    )
  return toServerDatetime(ms)
}

/** A new row of `table`: the next sequence, its preset dates or `now`. */
function newRow(
  table: TableStorage,
  rowId: string,
  data: Model,
  permissions: readonly string[],
  dates: PresetDates | undefined,
  now: string,
): StoredRow {
  return {
    $id: rowId,
    $sequence: table.nextSequence(),
    $createdAt: dates?.createdAt ?? now,
    $updatedAt: dates?.updatedAt ?? now,
    $permissions: sharedPermissions(permissions),
    data: compactData(data),
  }
}

/**
 * `row` with another `$sequence`, as a literal of the stored-row shape: in Node 20 a spread plus a
 * key gives each result a hidden class of its own, which every stored row would keep.
 */
function withSequence(row: StoredRow, sequence: number): StoredRow {
  return {
    $id: row.$id,
    $sequence: sequence,
    $createdAt: row.$createdAt,
    $updatedAt: row.$updatedAt,
    $permissions: row.$permissions,
    data: row.data,
  }
}

/** Whether a preset date differs from the stored one (a change, as `valuesEqual` sees it). */
const movesDate = (preset: string | undefined, stored: string) =>
  preset !== undefined && preset !== stored

/**
 * `{ ...old, ...changes }`. V8 (Node 20) gives every spread result a hidden class of its own once
 * it gains a key, which makes each later read of a stored row slow: a spread is used only when
 * `changes` overwrites keys `old` already has (the usual update, and a copy that keeps the row's
 * hidden class), otherwise the object is built key by key. Own enumerable string keys either way,
 * as a spread copies (row data never holds symbols or an own `__proto__`).
 */
function mergeData(old: Readonly<Model>, changes: Readonly<Model>): Model {
  let adds = false
  for (const key in changes) {
    if (Object.hasOwn(changes, key) && !Object.hasOwn(old, key)) adds = true
  }
  if (!adds) {
    const out: Model = { ...old }
    for (const key in changes) if (Object.hasOwn(changes, key)) out[key] = changes[key]
    return out
  }
  const out: Model = {}
  for (const key in old) if (Object.hasOwn(old, key)) out[key] = old[key]
  for (const key in changes) if (Object.hasOwn(changes, key)) out[key] = changes[key]
  return out
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => jsonEqual(item, b[index]))
  }
  if (Array.isArray(b)) return false
  const keysA = Object.keys(a)
  if (keysA.length !== Object.keys(b).length) return false
  return keysA.every((key) => jsonEqual((a as Model)[key], (b as Model)[key]))
}

function isPlainObject(value: unknown): value is Model {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function assertObjectParam(
  param: string,
  value: unknown,
): asserts value is Model | undefined | null {
  if (value !== undefined && value !== null && !isPlainObject(value)) {
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid JSON object`,
    )
  }
}

function assertNumericParam(param: string, value: unknown, nullable: boolean): void {
  if (value === undefined || (nullable && value === null)) return
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid number`,
    )
  }
}

function assertTransactionParam(value: unknown): void {
  if (value !== undefined && value !== null) assertUid('transactionId', value)
}

/**
 * One row change for the realtime hub. `row` is built on first read: the hub reads it only when a
 * subscription matches, which keeps writes cheap with thousands of unrelated subscribers.
 */
class RowEvent implements RealtimeRowEvent {
  readonly databaseId: string
  readonly tableId: string
  readonly rowId: string
  #model: Model | undefined
  readonly #engine: DataEngine
  readonly #table: Pick<TableStorage, 'databaseId' | 'tableId'>
  readonly #row: StoredRow
  readonly #schema: TableSchema | undefined
  readonly #committed: boolean

  constructor(
    engine: DataEngine,
    readonly api: FakeApi,
    readonly action: RealtimeRowEvent['action'],
    table: Pick<TableStorage, 'databaseId' | 'tableId'>,
    row: StoredRow,
    schema: TableSchema | undefined,
    committed = false,
  ) {
    this.databaseId = table.databaseId
    this.tableId = table.tableId
    this.rowId = row.$id
    this.#engine = engine
    this.#table = table
    this.#row = row
    this.#schema = schema
    this.#committed = committed
  }

  /** The row as `tablesDB` returns it. */
  get row(): Model {
    if (this.#model) return this.#model
    const model = this.#engine.toModel(TABLES_FLAVOR, this.#table, this.#row, this.#schema)
    // A transaction's commit sends both container keys (Transactions/Update.php sets `$tableId`
    // and `$collectionId` on the payload).
    if (this.#committed) model.$collectionId = this.#table.tableId
    return (this.#model = model)
  }
}

/**
 * The data operations behind `tablesDB` and `databases`. One instance serves both, so both APIs act
 * on the same storage, as the server mirrors them.
 *
 * Server behaviour followed (github:appwrite/appwrite 1.9.x unless noted), under
 * `src/Appwrite/Platform/Modules/Databases/Http/Databases/Collections/Documents/`:
 * - `Create.php`: parameter order, `unique()`, missing data / id messages, bulk `$id` and
 *   `$permissions` per row, all-or-nothing batches, transaction lookup (`transaction_not_found`).
 * - `Update.php` + utopia-php/database `Database::updateDocument`: merge, permissions kept when not
 *   sent, `$updatedAt` only on change, `*_missing_payload`.
 * - `Upsert.php` + `Database::upsertDocumentsWithIncrease`: optional columns keep stored values,
 *   unchanged rows are not rewritten, the event fires anyway.
 * - `Attribute/Increment.php`, `Decrement.php` + `Database::increaseDocumentAttribute`: value > 0,
 *   type and limit errors, missing row reported as a missing column.
 * - `Bulk/{Update,Upsert,Delete}.php` + `Database::updateDocuments`: every match is touched, the
 *   response lists at most `APP_LIMIT_DATABASE_BATCH` (100) and events go out for those.
 * - Each route's `if ($transactionId !== null)` branch: what is checked before an operation is
 *   staged, and the response it gives instead of the row (transactions.ts runs the commit).
 * - Permissions (permissions.ts): an `actor` is a user or guest from `fake.as(…)`; without one the
 *   engine acts as an API key and checks nothing, which keeps the common path as fast as before.
 *
 * @internal
 */
export class DataEngine implements TransactionEngine {
  readonly #storage: RowStorage
  readonly #schema: SchemaRegistry
  readonly #clock: FakeClock
  readonly #ids: IdGenerator
  readonly #events: RowEventSink
  readonly #faults: FaultGate
  readonly #transactions: TransactionManager
  readonly #options: DataEngineOptions
  #lastMs = Number.NaN
  #lastIso = ''
  #quiet: DataEngine | undefined

  constructor(options: DataEngineOptions) {
    this.#storage = options.storage
    this.#schema = options.schema
    this.#clock = options.clock
    this.#ids = options.ids
    this.#events = options.events
    this.#faults = options.faults
    this.#transactions =
      options.transactions ??
      new TransactionManager({ clock: options.clock, ids: createIdGenerator() })
    this.#options = { ...options, transactions: this.#transactions }
  }

  /** The storage this engine reads and writes. */
  get storage(): RowStorage {
    return this.#storage
  }

  /** The schema registry (tables, columns, table security). */
  get schema(): SchemaRegistry {
    return this.#schema
  }

  /** The fake's transactions. */
  get transactions(): TransactionManager {
    return this.#transactions
  }

  /**
   * An engine over other storage (a transaction's overlay) that publishes nothing: the commit
   * publishes once storage holds the result.
   */
  fork(storage: RowStorage): DataEngine {
    return new DataEngine({ ...this.#options, storage, events: NO_EVENTS })
  }

  /** This engine's storage through an engine that publishes nothing (a commit writing straight in). */
  quiet(): DataEngine {
    return (this.#quiet ??= this.fork(this.#storage))
  }

  /** A server-picked id (`unique()`), from the fake's seeded generator. */
  nextId(): string {
    return this.#ids.next()
  }

  /** Where a table id leads: `undefined` when it exists, else the error type to raise. */
  resolution(
    databaseId: string,
    tableId: string,
  ): 'database_not_found' | 'table_not_found' | undefined {
    const found = this.#schema.lookup(databaseId, tableId)
    return found === 'database_not_found' || found === 'table_not_found' ? found : undefined
  }

  /** Whether a row event of this table could reach anyone now (a commit gathers only those). */
  listens(databaseId: string, tableId: string): boolean {
    return this.#events.isListening?.(databaseId, tableId) !== false
  }

  /** Publishes one event of a committed transaction (both container keys on the payload). */
  publishCommitted(
    action: 'create' | 'update' | 'delete',
    databaseId: string,
    tableId: string,
    row: StoredRow,
  ): void {
    if (!this.listens(databaseId, tableId)) return
    const found = this.#schema.lookup(databaseId, tableId)
    const schema = typeof found === 'string' ? undefined : found
    this.#events.publish(
      new RowEvent(this, 'tablesDB', action, { databaseId, tableId }, row, schema, true),
    )
  }

  /**
   * Runs one SDK call: asks the fault injector first, then runs `operation` against storage.
   * Errors become rejections, as with the real SDK.
   */
  call<T>(
    flavor: Flavor,
    operation: string,
    params: Model,
    ids: CallParams,
    run: () => T,
  ): Promise<T> {
    // No rules (the common case): nothing to build the call's context for.
    return runGated(
      this.#faults,
      this.#faults.idle === true
        ? undefined
        : {
            api: flavor.api,
            operation,
            databaseId: typeof ids.databaseId === 'string' ? ids.databaseId : undefined,
            tableId: typeof ids.tableId === 'string' ? ids.tableId : undefined,
            rowId: typeof ids.rowId === 'string' ? ids.rowId : undefined,
            params,
          },
      run,
    )
  }

  /**
   * The fault gate for the writes a commit applies: each staged operation passes the gate as the
   * single call it stands for (`createRow` on `notifications`…), so a rule scoped to a table or a
   * write method fails the commit that carries such a write, as an outage of that table would on
   * a server. Latency rules are left out: the writes ride the commit's one round trip, whose own
   * call already took its latency. `undefined` when no rule is set or nothing is staged.
   */
  gateStaged(operations: readonly StagedOperation[]): Promise<void> | undefined {
    if (this.#faults.idle === true || operations.length === 0) return undefined
    let gates: Promise<void>[] | undefined
    for (const operation of operations) {
      const names = STAGED_CALL_NAMES[operation.action]
      const gate = this.#faults.beforeCall(
        {
          api: operation.flavor.api,
          operation: operation.flavor.api === 'tablesDB' ? names[0] : names[1],
          databaseId: operation.databaseId,
          tableId: operation.tableId,
          rowId: operation.rowId,
          params: operation.params as Record<string, unknown>,
        },
        { latency: false },
      )
      if (gate !== undefined) (gates ??= []).push(gate)
    }
    return gates === undefined ? undefined : Promise.all(gates).then(() => undefined)
  }

  /* ----------------------------------------------------------------------------------------------
   * Shared steps
   * ------------------------------------------------------------------------------------------- */

  #now(): string {
    // Formatting a date is the priciest step of a create; rows written in the same millisecond share it.
    const ms = this.#clock.now()
    if (ms !== this.#lastMs) {
      this.#lastMs = ms
      this.#lastIso = toServerDatetime(ms)
    }
    return this.#lastIso
  }

  /** Database then table, as every route checks them (`database_not_found`, then table/collection). */
  #resolve(
    flavor: Flavor,
    databaseId: string,
    tableId: string,
    actor?: Actor,
  ): TableSchema | undefined {
    const found = this.#schema.lookup(databaseId, tableId)
    if (found === 'database_not_found') throw appwriteErrorFor('database_not_found', databaseId)
    if (found === 'table_not_found') throw appwriteErrorFor(flavor.parentNotFound, tableId)
    if (actor !== undefined) {
      // Documents/*.php: a disabled database or table is not found, except to a key.
      const disabled = this.#schema.disabled(databaseId, tableId)
      if (disabled === 'database') throw appwriteErrorFor('database_not_found', databaseId)
      if (disabled === 'table') throw appwriteErrorFor(flavor.parentNotFound, tableId)
    }
    return found
  }

  /* ----------------------------------------------------------------------------------------------
   * Transactions and permissions
   * ------------------------------------------------------------------------------------------- */

  /**
   * Records one operation in a transaction, after the route's checks (found, pending, not
   * expired, room left). Increment, decrement and the bulk routes answer an unknown or finished
   * transaction with `general_bad_request` (Documents/Attribute/Increment.php, Bulk/*.php), the
   * others with `transaction_not_found` / `transaction_not_ready` (Documents/Create.php, …).
   */
  #stage(
    flavor: Flavor,
    transactionId: unknown,
    actor: Actor | undefined,
    action: OperationAction,
    params: CallParams,
    bulkRules = false,
  ): TransactionRecord {
    const now = this.#clock.now()
    const record = this.#transactions.stageable(
      transactionId,
      actor,
      1,
      bulkRules ? BULK_STAGING : SINGLE_ROW_STAGING,
      now,
    )
    const databaseId = params.databaseId as string
    const tableId = params.tableId as string
    const rowId = action.startsWith('bulk') ? undefined : (params.rowId as string)
    this.#transactions.stage(
      record,
      [
        {
          action,
          flavor,
          databaseId,
          tableId,
          rowId,
          key: rowId === undefined ? undefined : rowKey(databaseId, tableId, rowId),
          params,
          stagedAt: now,
        },
      ],
      this.#storage,
      now,
    )
    return record
  }

  /** This engine, or the view of the transaction a read passes (its staged writes applied). */
  #reader(transactionId: unknown): DataEngine {
    if (transactionId === undefined || transactionId === null) return this
    // A transaction's view is a fork of this engine (`fork` makes DataEngines).
    return (this.#transactions.view(this, transactionId) as DataEngine | undefined) ?? this
  }

  #access(databaseId: string, tableId: string): TableAccess {
    return tableAccess(this.#schema, databaseId, tableId)
  }

  /** Documents/Create.php `checkPermissions`: create is a table-level permission only. */
  #assertCreate(actor: Actor, databaseId: string, tableId: string): void {
    const roles = rolesFor(this.#access(databaseId, tableId).permissions, 'create')
    if (!actor.any(roles)) throw unauthorized(authorizationDescription(actor, 'create', roles))
  }

  /** utopia-php/database `updateDocument` / `deleteDocument` / `increaseDocumentAttribute`. */
  #assertRow(
    actor: Actor,
    table: Pick<TableStorage, 'databaseId' | 'tableId'>,
    row: StoredRow,
    type: 'read' | 'update' | 'delete',
  ): void {
    if (!mayAccessRow(actor, this.#access(table.databaseId, table.tableId), type, row.$permissions))
      throw unauthorized()
  }

  /** The bulk routes are for API keys (Documents/Create.php, `auth: [ADMIN, KEY]` on Bulk/*.php). */
  #rejectBulkForUsers(actor: Actor | undefined): void {
    if (actor !== undefined) throw appwriteError('general_unauthorized_scope')
  }

  /**
   * Permissions of a new row: the call's (`aggregated`, from {@link rowPermissionsParam}), else the
   * signed-in creator's defaults; users may only grant roles they hold.
   */
  #createPermissions(
    aggregated: readonly string[] | undefined,
    actor: Actor | undefined,
  ): readonly string[] {
    if (actor === undefined) return aggregated ?? EMPTY
    const resolved = aggregated ?? defaultPermissions(actor)
    assertGrantable(actor, resolved)
    return resolved
  }

  /** Ids of the rows a bulk update / delete would touch now (for the commit's conflict rule). */
  bulkTargetIds(flavor: Flavor, p: CallParams): string[] {
    const resolution = this.#schema.resolve(p.databaseId as string, p.tableId as string)
    const schema = resolution.ok ? resolution.schema : undefined
    const table = this.#storage.table(p.databaseId as string, p.tableId as string)
    return this.#bulkTargets(flavor, schema, table, p.queries).map((row) => row.$id)
  }

  /**
   * The structure step of a write, on data of the engine's own (see `userData`): on a declared
   * table, fills a new row's defaults (`fillDefaults`), validates and rewrites datetimes to the
   * server's format, in place; on a schemaless one, refuses system-looking keys. Throws
   * `*_invalid_structure`, after which `data` must be dropped.
   */
  #validate(
    flavor: Flavor,
    schema: TableSchema | undefined,
    data: Model,
    mode: 'full' | 'partial',
    fillDefaults = false,
  ): void {
    const failure = schema
      ? prepareRowData(schema, data, mode, fillDefaults)
      : validateSchemalessKeys(data)
    if (failure !== undefined) throw appwriteError(flavor.invalidStructure, failure)
  }

  /** The row as the API returns it: system fields, then columns (declared ones always present). */
  toModel(
    flavor: Flavor,
    table: Pick<TableStorage, 'databaseId' | 'tableId'>,
    row: StoredRow,
    schema: TableSchema | undefined,
    selects?: readonly string[],
  ): Model {
    return toModel(flavor.containerKey, table, row, schema, selects)
  }

  #publish(
    flavor: Flavor,
    action: RealtimeRowEvent['action'],
    table: TableStorage,
    row: StoredRow,
    schema: TableSchema | undefined,
  ): void {
    // Most writes have no listener: no event to build.
    if (!this.listens(table.databaseId, table.tableId)) return
    this.#events.publish(new RowEvent(this, flavor.api, action, table, row, schema))
  }

  #requireRow(flavor: Flavor, table: TableStorage | undefined, rowId: string): StoredRow {
    const row = table?.get(rowId)
    if (!row) throw appwriteErrorFor(flavor.notFound, rowId)
    return row
  }

  /** Parses and validates list queries, looks the cursor up, and checks its order values. */
  #listQueries(
    flavor: Flavor,
    schema: TableSchema | undefined,
    table: TableStorage | undefined,
    queries: unknown,
    canSee?: (row: StoredRow) => boolean,
  ): { queries: ListQueries; cursorRow: StoredRow | undefined } {
    const raw = parseQueryStrings(queries)
    const cursor = cursorOf(raw)
    let cursorRow: StoredRow | undefined
    if (cursor) {
      cursorRow = table?.get(cursor.rowId)
      // The cursor is read with the caller's permissions: a row it may not read is not found.
      if (cursorRow && canSee && !canSee(cursorRow)) cursorRow = undefined
      if (!cursorRow) {
        throw appwriteError(
          'general_cursor_not_found',
          `${flavor.label} '${cursor.rowId}' for the 'cursor' value not found.`,
        )
      }
    }
    const parsed = validateListQueries(schema, raw)
    if (cursorRow) {
      const attribute = nullOrderAttribute(cursorRow, effectiveOrders(parsed.orders))
      if (attribute !== undefined) {
        const items = flavor.api === 'tablesDB' ? 'rows' : 'documents'
        throw appwriteError(
          'database_query_order_null',
          `The order ${flavor.structureWord} '${attribute}' had a null value. Cursor pagination requires all ${items} order ${flavor.structureWord} values are non-null.`,
        )
      }
    }
    return { queries: parsed, cursorRow }
  }

  /* ----------------------------------------------------------------------------------------------
   * Single-row operations
   * ------------------------------------------------------------------------------------------- */

  /** A staged write's response: the server answers with the row it would write, without `$sequence` and dates. */
  #stagedModel(
    flavor: Flavor,
    databaseId: string,
    tableId: string,
    rowId: string,
    permissions: readonly string[],
    data: Model,
  ): Model {
    const out: Model = {
      $id: rowId,
      $sequence: '',
      [flavor.containerKey]: tableId,
      $databaseId: databaseId,
      $createdAt: '',
      $updatedAt: '',
      $permissions: [...permissions],
    }
    for (const key of Object.keys(data)) out[key] = data[key]
    return out
  }

  /**
   * Creates one row and answers its model; `answer: false` (a commit replaying its log, whose
   * response carries no rows) skips building the model. `adopt`: `p.data` is already what the row
   * stores ({@link userData}'s output, which nothing else holds), so it is kept instead of copied.
   */
  create(flavor: Flavor, p: CallParams, actor?: Actor): Model
  create(
    flavor: Flavor,
    p: CallParams,
    actor: Actor | undefined,
    answer: false,
    adopt?: boolean,
  ): void
  create(flavor: Flavor, p: CallParams, actor?: Actor, answer = true, adopt = false): Model | void {
    // Parameter checks in declaration order (Rows/Create.php): databaseId, rowId, tableId, data…
    assertUid('databaseId', p.databaseId)
    if (p.rowId !== undefined && p.rowId !== '') assertCustomId(flavor.idParam, p.rowId)
    assertUid(flavor.containerParam, p.tableId)
    assertObjectParam('data', p.data)
    const aggregated = rowPermissionsParam(p.permissions)
    assertTransactionParam(p.transactionId)
    const input = p.data ?? {}
    // Listed once, for this check and the copy (nothing runs the caller's code in between); an
    // adopted copy is not copied again, so its keys are only counted.
    const keys = adopt ? undefined : Object.keys(input)
    if (keys === undefined ? !hasOwnKeys(input) : keys.length === 0)
      throw appwriteError(flavor.missingData)
    if (typeof p.rowId !== 'string' || p.rowId === '') {
      throw appwriteError(
        flavor.missingData,
        `${flavor.label} ID is required when creating a single ${flavor.label.toLowerCase()}.`,
      )
    }
    const databaseId = p.databaseId
    const tableId = p.tableId
    const schema = this.#resolve(flavor, databaseId, tableId, actor)
    const rowId = p.rowId === SERVER_PICKED_ID ? this.#ids.next() : p.rowId
    // Documents/Create.php: permissions (with the creator's defaults), then table-level create.
    const permissions = this.#createPermissions(aggregated, actor)
    if (actor !== undefined) this.#assertCreate(actor, databaseId, tableId)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      this.#stage(flavor, p.transactionId, actor, 'create', {
        databaseId,
        tableId,
        rowId,
        data: copyJson(input),
        permissions,
      })
      return this.#stagedModel(
        flavor,
        databaseId,
        tableId,
        rowId,
        permissions,
        userData(flavor, input),
      )
    }
    const data = adopt ? (input as Model) : userData(flavor, input, keys)
    const dates = adopt ? undefined : presetDates(flavor, input, actor)
    this.#validate(flavor, schema, data, 'full', true)
    const table = this.#storage.ensureTable(databaseId, tableId)
    if (table.get(rowId)) throw appwriteErrorFor(flavor.alreadyExists, rowId)
    const row = newRow(table, rowId, data, permissions, dates, this.#now())
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(flavor.api, schema, row, table)
    table.put(row)
    this.#publish(flavor, 'create', table, row, schema)
    if (answer) return this.toModel(flavor, table, row, schema)
  }

  get(flavor: Flavor, p: CallParams, actor?: Actor): Model {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertUid(flavor.idParam, p.rowId)
    assertQueriesParam(p.queries)
    assertTransactionParam(p.transactionId)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const selects = validateGetQueries(schema, parseQueryStrings(p.queries))
    const table = this.#reader(p.transactionId).#storage.table(p.databaseId, p.tableId)
    const row = this.#requireRow(flavor, table, p.rowId)
    // Database::getDocument answers an unreadable row as an empty one: "not found".
    if (actor !== undefined && !this.#canRead(actor, table!, row))
      throw appwriteErrorFor(flavor.notFound, p.rowId)
    return this.toModel(flavor, table!, row, schema, selects)
  }

  #canRead(
    actor: Actor,
    table: Pick<TableStorage, 'databaseId' | 'tableId'>,
    row: StoredRow,
  ): boolean {
    return mayAccessRow(
      actor,
      this.#access(table.databaseId, table.tableId),
      'read',
      row.$permissions,
    )
  }

  list(flavor: Flavor, p: CallParams, actor?: Actor): { total: number; items: Model[] } {
    const { total, rows, place, schema, selects } = this.listStored(flavor, p, actor)
    return { total, items: rows.map((row) => this.toModel(flavor, place, row, schema, selects)) }
  }

  /**
   * {@link list} up to the row models: the same checks and errors, the stored rows it would
   * answer (read-only: stored rows are never mutated) and what their models are built from. The
   * emulator serializes list answers from these (`emulator/listAnswer.ts`).
   */
  listStored(flavor: Flavor, p: CallParams, actor?: Actor): StoredListing {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertQueriesParam(p.queries)
    assertTransactionParam(p.transactionId)
    if (p.total !== undefined && p.total !== null && typeof p.total !== 'boolean') {
      throw appwriteError(
        'general_argument_invalid',
        'Invalid `total` param: Value must be a valid boolean',
      )
    }
    if (
      p.ttl !== undefined &&
      p.ttl !== null &&
      (typeof p.ttl !== 'number' || !Number.isInteger(p.ttl) || p.ttl < 0 || p.ttl > 86_400)
    ) {
      throw appwriteError(
        'general_argument_invalid',
        'Invalid `ttl` param: Value must be a valid range between 0 and 86,400',
      )
    }
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const table = this.#reader(p.transactionId).#storage.table(p.databaseId, p.tableId)
    // Database::find: a table-level read sees every row; otherwise row security filters the rows,
    // and without it the call is refused.
    let canSee: ((row: StoredRow) => boolean) | undefined
    if (actor !== undefined) {
      const access = this.#access(p.databaseId, p.tableId)
      if (!actor.any(rolesFor(access.permissions, 'read'))) {
        if (!access.rowSecurity) throw unauthorized()
        canSee = (row) => actor.any(rolesFor(row.$permissions, 'read'))
      }
    }
    const { queries, cursorRow } = this.#listQueries(flavor, schema, table, p.queries, canSee)
    if (!table)
      return {
        total: 0,
        rows: [],
        place: { databaseId: p.databaseId, tableId: p.tableId },
        schema,
        selects: queries.selects,
      }
    const result =
      planQuery(table, schema, queries, cursorRow, canSee, p.total !== false) ??
      runQuery(canSee ? filterRows(table.values(), canSee) : table.values(), queries, cursorRow)
    return {
      total: p.total === false ? 0 : result.total,
      rows: result.rows,
      place: table,
      schema,
      selects: queries.selects,
    }
  }

  update(flavor: Flavor, p: CallParams, actor?: Actor): Model {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertUid(flavor.idParam, p.rowId)
    assertObjectParam('data', p.data)
    const explicit = rowPermissionsParam(p.permissions)
    assertTransactionParam(p.transactionId)
    const input = p.data ?? {}
    const keys = Object.keys(input)
    if (keys.length === 0 && (p.permissions === undefined || p.permissions === null)) {
      throw appwriteError(flavor.missingPayload)
    }
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const staging = p.transactionId !== undefined && p.transactionId !== null
    // Staging reads the row through the transaction, with the caller's read permission
    // (TransactionState::getDocument); a direct update reads it regardless (Documents/Update.php).
    const table = (staging ? this.#reader(p.transactionId) : this).#storage.table(
      p.databaseId,
      p.tableId,
    )
    const old = this.#requireRow(flavor, table, p.rowId)
    if (staging && actor !== undefined && !this.#canRead(actor, table!, old))
      throw appwriteErrorFor(flavor.notFound, p.rowId)
    if (explicit && actor !== undefined) assertGrantable(actor, explicit)
    const permissions = explicit ?? old.$permissions
    const changes = userData(flavor, input, keys)
    applyOperators(flavor, changes, old.data, schema, this.#clock.now())
    const dates = presetDates(flavor, input, actor)
    const data: Model = mergeData(old.data, changes)
    // Staged, the route checks no update permission (Documents/Update.php): the commit does, as
    // the identity that commits.
    if (actor !== undefined && !staging) {
      // Database::updateDocument: a change needs update permission, a no-op only read.
      const changed =
        !sameAfterMerge(old.data, data, changes, NO_KEYS) ||
        !samePermissions(old.$permissions, permissions)
      this.#assertRow(actor, table!, old, changed ? 'update' : 'read')
    }
    if (staging) {
      this.#stage(flavor, p.transactionId, actor, 'update', {
        databaseId: p.databaseId,
        tableId: p.tableId,
        rowId: p.rowId,
        data: copyJson(input),
        permissions: explicit,
      })
      const model = this.toModel(flavor, table!, old, schema)
      for (const key of Object.keys(changes)) model[key] = changes[key]
      model.$permissions = [...permissions]
      return model
    }
    this.#validate(flavor, schema, data, 'full')
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(flavor.api, schema, { ...old, data }, table)
    // Validation may have rewritten datetime values besides the ones sent.
    const changed =
      !sameAfterMerge(old.data, data, changes, schema ? rewrittenKeys(schema) : NO_KEYS) ||
      !samePermissions(old.$permissions, permissions) ||
      movesDate(dates?.createdAt, old.$createdAt) ||
      movesDate(dates?.updatedAt, old.$updatedAt)
    const row = this.#replace(table!, old, data, permissions, changed, dates)
    this.#publish(flavor, 'update', table!, row, schema)
    return this.toModel(flavor, table!, row, schema)
  }

  /**
   * Stores a changed row. `$updatedAt` moves only when a value or the permissions `changed`
   * (utopia-php/database `Database::updateDocument`, `$shouldUpdate`).
   */
  #replace(
    table: TableStorage,
    old: StoredRow,
    data: Model,
    permissions: readonly string[],
    changed: boolean,
    dates?: PresetDates,
  ): StoredRow {
    const row: StoredRow = {
      $id: old.$id,
      $sequence: old.$sequence,
      $createdAt: dates?.createdAt ?? old.$createdAt,
      $updatedAt: changed ? (dates?.updatedAt ?? this.#now()) : old.$updatedAt,
      $permissions: sharedPermissions(permissions),
      data: compactData(data),
    }
    table.put(row)
    return row
  }

  /**
   * Creates or merges one row (`upsertDocuments`): declared optional columns the call leaves out keep
   * their stored value, required ones must be sent; a schemaless row keeps every key it had.
   * Returns the row to store and whether anything changed.
   */
  #prepareUpsert(
    flavor: Flavor,
    schema: TableSchema | undefined,
    table: TableStorage,
    rowId: string,
    input: Model,
    permissionsParam: readonly string[] | null | undefined,
    actor?: Actor,
  ): { row: StoredRow; changed: boolean; isNew: boolean } {
    const old = table.get(rowId)
    const changes = userData(flavor, input)
    applyOperators(flavor, changes, old?.data, schema, this.#clock.now())
    const dates = presetDates(flavor, input, actor)
    let data: Model
    if (!old) {
      data = changes
    } else if (schema) {
      data = changes
      for (const column of schema.columns.values()) {
        if (!column.required && !(column.key in data)) {
          const kept = old.data[column.key]
          data[column.key] = kept === undefined ? column.default : kept
        }
      }
    } else {
      data = mergeData(old.data, changes)
    }
    // A new row gets its defaults first.
    this.#validate(flavor, schema, data, 'full', !old)
    const permissions = permissionsParam
      ? aggregateRowPermissions(permissionsParam)
      : (old?.$permissions ?? EMPTY)
    if (old) {
      const changed =
        !sameIgnoringNulls(old.data, data) ||
        !samePermissions(old.$permissions, permissions) ||
        movesDate(dates?.createdAt, old.$createdAt) ||
        movesDate(dates?.updatedAt, old.$updatedAt)
      const now = this.#now()
      return {
        row: {
          $id: old.$id,
          $sequence: old.$sequence,
          $createdAt: dates?.createdAt ?? old.$createdAt,
          $updatedAt: changed ? (dates?.updatedAt ?? now) : old.$updatedAt,
          $permissions: sharedPermissions(permissions),
          data: changed ? compactData(data) : old.data,
        },
        changed,
        isNew: false,
      }
    }
    const now = this.#now()
    return {
      row: {
        $id: rowId,
        $sequence: 0,
        $createdAt: dates?.createdAt ?? now,
        $updatedAt: dates?.updatedAt ?? now,
        $permissions: sharedPermissions(permissions),
        data: compactData(data),
      },
      changed: true,
      isNew: true,
    }
  }

  upsert(flavor: Flavor, p: CallParams, actor?: Actor): Model {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertUid(flavor.idParam, p.rowId)
    assertObjectParam('data', p.data)
    assertPermissionsParam(p.permissions)
    assertTransactionParam(p.transactionId)
    const input = p.data ?? {}
    if (
      Object.keys(input).length === 0 &&
      (p.permissions === undefined || p.permissions === null)
    ) {
      throw appwriteError(flavor.missingPayload)
    }
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const staging = p.transactionId !== undefined && p.transactionId !== null
    let permissions: readonly string[] | null | undefined = p.permissions
    if (actor !== undefined || staging) {
      // Documents/Upsert.php: no permissions sent keeps the row's, or gives a new row the
      // creator's defaults; users may only grant roles they hold; create or update permission.
      const current = (staging ? this.#reader(p.transactionId) : this).#storage
        .table(p.databaseId, p.tableId)
        ?.get(p.rowId)
      const old =
        current &&
        staging &&
        actor !== undefined &&
        !this.#canRead(actor, { databaseId: p.databaseId, tableId: p.tableId }, current)
          ? undefined
          : current
      permissions = p.permissions
        ? aggregateRowPermissions(p.permissions)
        : (old?.$permissions ?? defaultPermissions(actor))
      if (actor !== undefined) {
        assertGrantable(actor, permissions)
        // Staged, the route checks neither create nor update permission (Documents/Upsert.php):
        // the commit does, as the identity that commits.
        if (!staging) {
          if (old)
            this.#assertRow(actor, { databaseId: p.databaseId, tableId: p.tableId }, old, 'update')
          else this.#assertCreate(actor, p.databaseId, p.tableId)
        }
      }
      if (staging) {
        this.#stage(flavor, p.transactionId, actor, 'upsert', {
          databaseId: p.databaseId,
          tableId: p.tableId,
          rowId: p.rowId,
          data: copyJson(input),
          permissions,
        })
        return this.#stagedModel(
          flavor,
          p.databaseId,
          p.tableId,
          p.rowId,
          permissions,
          userData(flavor, input),
        )
      }
    }
    const table = this.#storage.ensureTable(p.databaseId, p.tableId)
    const prepared = this.#prepareUpsert(flavor, schema, table, p.rowId, input, permissions, actor)
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(flavor.api, schema, prepared.row, table)
    const row = this.#storeUpsert(table, prepared)
    // The server queues the upsert event even when nothing changed (Documents/Upsert.php).
    this.#publish(flavor, 'upsert', table, row, schema)
    return this.toModel(flavor, table, row, schema)
  }

  #storeUpsert(
    table: TableStorage,
    prepared: { row: StoredRow; changed: boolean; isNew: boolean },
  ): StoredRow {
    if (!prepared.changed) return prepared.row
    const row = prepared.isNew ? withSequence(prepared.row, table.nextSequence()) : prepared.row
    table.put(row)
    return row
  }

  delete(flavor: Flavor, p: CallParams, actor?: Actor): Record<string, never> {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertUid(flavor.idParam, p.rowId)
    assertTransactionParam(p.transactionId)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      const viewed = this.#reader(p.transactionId).#storage.table(p.databaseId, p.tableId)
      const row = this.#requireRow(flavor, viewed, p.rowId)
      // The row is read with the caller's read permission; delete permission is checked when the
      // commit runs, as the identity that commits (Documents/Delete.php).
      if (actor !== undefined && !this.#canRead(actor, viewed!, row))
        throw appwriteErrorFor(flavor.notFound, p.rowId)
      this.#stage(flavor, p.transactionId, actor, 'delete', {
        databaseId: p.databaseId,
        tableId: p.tableId,
        rowId: p.rowId,
      })
      return {}
    }
    const table = this.#storage.table(p.databaseId, p.tableId)
    const row = this.#requireRow(flavor, table, p.rowId)
    if (actor !== undefined) this.#assertRow(actor, table!, row, 'delete')
    table!.delete(row.$id)
    this.#publish(flavor, 'delete', table!, row, schema)
    return {}
  }

  /**
   * `incrementRowColumn` (`sign` 1) and `decrementRowColumn` (`sign` -1), following
   * Documents/Attribute/Increment.php and `Database::increaseDocumentAttribute`.
   */
  increment(flavor: Flavor, p: CallParams, sign: 1 | -1, actor?: Actor): Model {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertUid(flavor.idParam, p.rowId)
    if (!isValidId(p.column)) {
      throw appwriteError(
        'general_argument_invalid',
        `Invalid \`${flavor.columnParam}\` param: ${CUSTOM_ID_DESCRIPTION}`,
      )
    }
    assertNumericParam('value', p.value, false)
    assertNumericParam(sign === 1 ? 'max' : 'min', p.limit, true)
    assertTransactionParam(p.transactionId)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      // Attribute/Increment.php stages without reading the row (checked when the commit runs),
      // and answers with the column set to the amount.
      this.#stage(
        flavor,
        p.transactionId,
        actor,
        sign === 1 ? 'increment' : 'decrement',
        {
          databaseId: p.databaseId,
          tableId: p.tableId,
          rowId: p.rowId,
          column: p.column,
          value: p.value,
          limit: p.limit,
        },
        true,
      )
      return this.#stagedModel(flavor, p.databaseId, p.tableId, p.rowId, EMPTY, {
        [p.column]: p.value ?? 1,
      })
    }
    const value = (p.value as number | undefined) ?? 1
    const limit = p.limit as number | null | undefined
    const column = p.column
    if (value <= 0)
      throw appwriteError('general_argument_invalid', 'Value must be numeric and greater than 0')
    const notANumber = () =>
      appwriteError('attribute_type_invalid', `${flavor.namespace} "${column}" is not a number`)
    if (schema) {
      const definition = schema.columns.get(column)
      if (!definition) throw appwriteErrorFor(flavor.structureNotFound, column)
      if ((definition.type !== 'integer' && definition.type !== 'double') || definition.array)
        throw notANumber()
    }
    const table = this.#storage.table(p.databaseId, p.tableId)
    const old = table?.get(p.rowId)
    // The server reports a missing row here as a missing column (its NotFoundException is caught
    // as one); the message names the row so a test failure still says what is wrong.
    if (!old) {
      throw appwriteError(
        flavor.structureNotFound,
        `${flavor.label} with the requested ID '${p.rowId}' could not be found.`,
      )
    }
    if (actor !== undefined) this.#assertRow(actor, table!, old, 'update')
    const current = old.data[column]
    if (current !== undefined && current !== null && typeof current !== 'number') throw notANumber()
    const base = typeof current === 'number' ? current : 0
    if (limit !== undefined && limit !== null) {
      if (sign === 1 && base + value > limit) {
        throw appwriteError(
          flavor.limitExceeded,
          `${flavor.namespace} "${column}" has reached the maximum value of ${limit}`,
        )
      }
      if (sign === -1 && base - value < limit) {
        throw appwriteError(
          flavor.limitExceeded,
          `${flavor.namespace} "${column}" has reached the minimum value of ${limit}`,
        )
      }
    }
    const increased = { ...old.data, [column]: base + sign * value }
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(flavor.api, schema, { ...old, data: increased }, table)
    const row = this.#replace(table!, old, increased, old.$permissions, true)
    this.#publish(flavor, 'update', table!, row, schema)
    return this.toModel(flavor, table!, row, schema)
  }

  /* ----------------------------------------------------------------------------------------------
   * Bulk operations (node-appwrite only on the real SDK)
   * ------------------------------------------------------------------------------------------- */

  #assertBatch(flavor: Flavor, rows: unknown): asserts rows is readonly Model[] {
    if (
      !Array.isArray(rows) ||
      rows.length > MAX_BATCH ||
      rows.some((row) => !isPlainObject(row))
    ) {
      throw appwriteError(
        'general_argument_invalid',
        `Invalid \`${flavor.bulkParam}\` param: Value must a valid array no longer than ${MAX_BATCH} items and Value must be a valid JSON object`,
      )
    }
  }

  #bulkPermissions(row: Model): readonly string[] | undefined {
    const permissions = row.$permissions
    if (permissions === undefined || permissions === null) return undefined
    // Documents/Create.php validates each bulk row's `$permissions` with `new Permissions()`.
    const failure = permissionsFailure(permissions)
    if (failure !== undefined) throw appwriteError('general_bad_request', failure)
    return aggregateRowPermissions(permissions as string[])
  }

  createMany(flavor: Flavor, p: CallParams, actor?: Actor): { total: number; items: Model[] } {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    this.#assertBatch(flavor, p.rows)
    assertTransactionParam(p.transactionId)
    if (p.rows.length === 0) throw appwriteError(flavor.missingData)
    this.#rejectBulkForUsers(actor)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const prepared = p.rows.map((input) => {
      const sourceId = input.$id ?? SERVER_PICKED_ID
      if (sourceId !== SERVER_PICKED_ID && !isValidId(sourceId))
        throw appwriteError('general_bad_request', CUSTOM_ID_DESCRIPTION)
      const rowId = sourceId === SERVER_PICKED_ID ? this.#ids.next() : (sourceId as string)
      return { rowId, input, permissions: this.#bulkPermissions(input) ?? EMPTY }
    })
    if (p.transactionId !== undefined && p.transactionId !== null) {
      // Bulk creates go through Documents/Create.php: its transaction errors, ids picked now.
      this.#stage(flavor, p.transactionId, actor, 'bulkCreate', {
        databaseId: p.databaseId,
        tableId: p.tableId,
        rows: prepared.map(({ rowId, input, permissions }) => ({
          ...(copyJson(input) as Model),
          $id: rowId,
          $permissions: [...permissions],
        })),
      })
      return { total: prepared.length, items: [] }
    }
    const table = this.#storage.ensureTable(p.databaseId, p.tableId)
    const seen = new Set<string>()
    const staged = prepared.map(({ rowId, input, permissions }) => {
      const data = userData(flavor, input)
      const dates = presetDates(flavor, input, actor)
      this.#validate(flavor, schema, data, 'full', true)
      if (seen.has(rowId) || table.get(rowId)) throw appwriteErrorFor(flavor.alreadyExists, rowId)
      seen.add(rowId)
      return { rowId, data, permissions, dates }
    })
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    const candidates = staged.map(({ rowId, data }) => ({ $id: rowId, data }))
    assertUniqueRows(flavor.api, schema, candidates, table)
    // All rows passed: write them all (the server inserts the batch in one transaction).
    const now = this.#now()
    const rows = staged.map(({ rowId, data, permissions, dates }) => {
      const row = newRow(table, rowId, data, permissions, dates, now)
      table.put(row)
      return row
    })
    for (const row of rows) this.#publish(flavor, 'create', table, row, schema)
    return {
      total: rows.length,
      items: rows.map((row) => this.toModel(flavor, table, row, schema)),
    }
  }

  upsertMany(flavor: Flavor, p: CallParams, actor?: Actor): { total: number; items: Model[] } {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    this.#assertBatch(flavor, p.rows)
    assertTransactionParam(p.transactionId)
    this.#rejectBulkForUsers(actor)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      const rows = p.rows.map((input) => {
        const row = copyJson(input) as Model
        const sourceId = row.$id ?? SERVER_PICKED_ID
        if (sourceId !== SERVER_PICKED_ID && !isValidId(sourceId))
          throw appwriteError('general_bad_request', CUSTOM_ID_DESCRIPTION)
        // Ids the server would pick are picked now, so every replay agrees on them.
        row.$id = sourceId === SERVER_PICKED_ID ? this.#ids.next() : sourceId
        return row
      })
      this.#stage(
        flavor,
        p.transactionId,
        actor,
        'bulkUpsert',
        { databaseId: p.databaseId, tableId: p.tableId, rows },
        true,
      )
      return { total: rows.length, items: [] }
    }
    const table = this.#storage.ensureTable(p.databaseId, p.tableId)
    const seen = new Set<string>()
    const prepared = p.rows.map((input) => {
      const sourceId = input.$id ?? SERVER_PICKED_ID
      if (sourceId !== SERVER_PICKED_ID && !isValidId(sourceId))
        throw appwriteError('general_bad_request', CUSTOM_ID_DESCRIPTION)
      const rowId = sourceId === SERVER_PICKED_ID ? this.#ids.next() : (sourceId as string)
      if (seen.has(rowId)) throw appwriteErrorFor(flavor.alreadyExists, rowId)
      seen.add(rowId)
      return this.#prepareUpsert(
        flavor,
        schema,
        table,
        rowId,
        input,
        this.#bulkPermissions(input),
        actor,
      )
    })
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(
      flavor.api,
      schema,
      prepared.map((entry) => entry.row),
      table,
    )
    const changed = prepared
      .filter((entry) => entry.changed)
      .map((entry) => this.#storeUpsert(table, entry))
    const listed = changed.slice(0, MAX_BATCH)
    for (const row of listed) this.#publish(flavor, 'upsert', table, row, schema)
    return {
      total: changed.length,
      items: listed.map((row) => this.toModel(flavor, table, row, schema)),
    }
  }

  /** Rows matched by bulk-write queries: every match unless the call limits it. */
  #bulkTargets(
    flavor: Flavor,
    schema: TableSchema | undefined,
    table: TableStorage | undefined,
    queries: unknown,
  ): StoredRow[] {
    const { queries: parsed, cursorRow } = this.#listQueries(flavor, schema, table, queries)
    if (!table) return []
    return [
      ...runQuery(
        table.values(),
        { ...parsed, limit: parsed.hasLimit ? parsed.limit : Infinity },
        cursorRow,
      ).rows,
    ]
  }

  updateMany(flavor: Flavor, p: CallParams, actor?: Actor): { total: number; items: Model[] } {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertObjectParam('data', p.data)
    assertQueriesParam(p.queries)
    assertTransactionParam(p.transactionId)
    const input = p.data ?? {}
    if (Object.keys(input).length === 0) throw appwriteError(flavor.missingPayload)
    this.#rejectBulkForUsers(actor)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const table = this.#storage.table(p.databaseId, p.tableId)
    const targets = this.#bulkTargets(flavor, schema, table, p.queries)
    const permissions = this.#bulkPermissions(input)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      this.#stage(
        flavor,
        p.transactionId,
        actor,
        'bulkUpdate',
        {
          databaseId: p.databaseId,
          tableId: p.tableId,
          data: copyJson(input),
          queries: p.queries,
        },
        true,
      )
      // Bulk/Update.php: "Can't predict how many would be updated".
      return { total: 0, items: [] }
    }
    const changes = userData(flavor, input)
    const dates = presetDates(flavor, input, actor)
    // Operators (operators.ts) apply to each row's own value, so each row is validated on its own.
    const perRow = hasOperators(changes)
    if (!perRow) this.#validate(flavor, schema, changes, 'partial')
    const now = this.#clock.now()
    const merged = targets.map((old) => {
      if (!perRow) return mergeData(old.data, changes)
      const own = copyJson(changes) as Model
      applyOperators(flavor, own, old.data, schema, now)
      this.#validate(flavor, schema, own, 'partial')
      return mergeData(old.data, own)
    })
    // Unique indexes (schema management, see indexes.ts): checked before any row is stored.
    assertUniqueRows(
      flavor.api,
      schema,
      targets.map((old, i) => ({ ...old, data: merged[i]! })),
      table,
    )
    const rows = targets.map((old, i) =>
      this.#replace(table!, old, merged[i]!, permissions ?? old.$permissions, true, dates),
    )
    const listed = rows.slice(0, MAX_BATCH)
    for (const row of listed) this.#publish(flavor, 'update', table!, row, schema)
    return {
      total: rows.length,
      items: listed.map((row) => this.toModel(flavor, table!, row, schema)),
    }
  }

  deleteMany(flavor: Flavor, p: CallParams, actor?: Actor): { total: number; items: Model[] } {
    assertUid('databaseId', p.databaseId)
    assertUid(flavor.containerParam, p.tableId)
    assertQueriesParam(p.queries)
    assertTransactionParam(p.transactionId)
    this.#rejectBulkForUsers(actor)
    const schema = this.#resolve(flavor, p.databaseId, p.tableId, actor)
    const table = this.#storage.table(p.databaseId, p.tableId)
    const targets = this.#bulkTargets(flavor, schema, table, p.queries)
    if (p.transactionId !== undefined && p.transactionId !== null) {
      this.#stage(
        flavor,
        p.transactionId,
        actor,
        'bulkDelete',
        { databaseId: p.databaseId, tableId: p.tableId, queries: p.queries },
        true,
      )
      return { total: 0, items: [] }
    }
    for (const row of targets) table!.delete(row.$id)
    const listed = targets.slice(0, MAX_BATCH)
    for (const row of listed) this.#publish(flavor, 'delete', table!, row, schema)
    return {
      total: targets.length,
      items: listed.map((row) => this.toModel(flavor, table!, row, schema)),
    }
  }

  /* ----------------------------------------------------------------------------------------------
   * Whole-fake helpers
   * ------------------------------------------------------------------------------------------- */

  /** Every table (declared or written to) with its rows as `tablesDB` returns them, by `$sequence`. */
  snapshot(): Record<string, Record<string, Model[]>> {
    const out: Record<string, Record<string, Model[]>> = {}
    const add = (databaseId: string, tableId: string) => {
      const database = (out[databaseId] ??= {})
      if (database[tableId]) return
      const table = this.#storage.table(databaseId, tableId)
      const resolution = this.#schema.resolve(databaseId, tableId)
      const schema = resolution.ok ? resolution.schema : undefined
      database[tableId] = table
        ? [...table.values()].map((row) => this.toModel(TABLES_FLAVOR, table, row, schema))
        : []
    }
    for (const [databaseId, tableId] of this.#schema.declaredTables()) add(databaseId, tableId)
    for (const table of this.#storage.tables()) add(table.databaseId, table.tableId)
    return out
  }

  /** Empties storage (rows and sequences) and restarts server-picked ids from the seed. */
  reset(): void {
    this.#storage.clear()
    this.#ids.reset()
    this.#transactions.reset()
  }
}

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  const sortedA = [...a].sort()
  const sortedB = [...b].sort()
  return sortedA.every((item, index) => item === sortedB[index])
}

/** The rows `keep` accepts, lazily. */
function* filterRows(
  rows: Iterable<StoredRow>,
  keep: (row: StoredRow) => boolean,
): IterableIterator<StoredRow> {
  for (const row of rows) if (keep(row)) yield row
}

/**
 * Whether two rows' data hold the same values, a `null` or missing value counting as absent (what
 * `jsonEqual` of both with their nulls stripped says, without copying either).
 */
function sameIgnoringNulls(a: Readonly<Model>, b: Readonly<Model>): boolean {
  if (a === b) return true
  let count = 0
  for (const key in a) {
    const value = a[key]
    if (value === null || value === undefined) continue
    count++
    const other = b[key]
    if (other === null || other === undefined || !jsonEqual(value, other)) return false
  }
  for (const key in b) if (b[key] !== null && b[key] !== undefined) count--
  return count === 0
}

/** Two values as {@link sameIgnoringNulls} compares them: `null` and missing are both absent. */
function sameValueIgnoringNulls(a: unknown, b: unknown): boolean {
  const absentA = a === null || a === undefined
  const absentB = b === null || b === undefined
  if (absentA || absentB) return absentA === absentB
  return jsonEqual(a, b)
}

/**
 * {@link sameIgnoringNulls}`(old, data)` where `data` is `{ ...old, ...changes }`, then possibly
 * rewritten at the `rewritten` keys: every other key holds the very value it held, so only those
 * are compared (an update sends a few columns of a wide row). Objects that are not plain (a
 * `__proto__` key made a prototype of one) are compared in full, as for-in walks prototypes.
 */
function sameAfterMerge(
  old: Readonly<Model>,
  data: Readonly<Model>,
  changes: Readonly<Model>,
  rewritten: readonly string[],
): boolean {
  if (
    Object.getPrototypeOf(old) !== Object.prototype ||
    Object.getPrototypeOf(changes) !== Object.prototype
  ) {
    return sameIgnoringNulls(old, data)
  }
  for (const key in changes) if (!sameValueIgnoringNulls(old[key], data[key])) return false
  for (const key of rewritten) if (!sameValueIgnoringNulls(old[key], data[key])) return false
  return true
}

/**
 * Turns either call form into one parameter object, the way the SDK does: an object first argument
 * is the object form, anything else the deprecated positional form named by `names`.
 *
 * @internal
 */
export function objectArgs(
  args: readonly unknown[],
  names: readonly string[],
): Record<string, unknown> {
  const first = args[0]
  if (first && typeof first === 'object' && !Array.isArray(first))
    return first as Record<string, unknown>
  const params: Record<string, unknown> = {}
  names.forEach((name, index) => {
    if (args[index] !== undefined) params[name] = args[index]
  })
  return params
}

/**
 * Throws, synchronously like the SDK, `Missing required parameter: "…"` for the first absent one.
 *
 * @internal
 */
export function requireParams(params: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (params[name] === undefined)
      throw new AppwriteException(`Missing required parameter: "${name}"`)
  }
}
