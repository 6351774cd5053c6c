import type { FakeClock } from './clock'
import { hasOwnKeys, userData } from './rowData'
import type { CallParams, Flavor } from './rowData'
import { appwriteError, appwriteErrorFor, isAppwriteException } from './errors'
import type { AppwriteException } from './errors'
import { SERVER_PICKED_ID, assertUid } from './ids'
import { copyJson } from './json'
import type { IdGenerator } from './ids'
import { assertGrantable, rolesFor, tableAccess, unauthorized } from './permissions'
import type { Actor } from './permissions'
import { parseQueryStrings, runQuery, validateListQueries } from './queries'
import { normalizeColumn } from './schema'
import type { SchemaRegistry, TableSchema } from './schema'
import { createOverlayStorage } from './store'
import type { RowStorage, StoredRow, TableStorage } from './store'
import type { FakeTransaction, FakeTransactionList } from './types'
import { toServerDatetime } from './validation'

/*
 * Transactions as Appwrite 1.9 runs them (github:appwrite/appwrite, under
 * `src/Appwrite/Platform/Modules/Databases/Http/Databases/Transactions/`, which the TablesDB routes
 * extend):
 * - `Create.php`: `ttl` 60–3600 s, default 300 (`APP_DATABASE_TXN_TTL_*` in app/init/constants.php);
 *   status `pending`; a signed-in creator gets read/update/delete on it, an API key none.
 * - `Operations/Create.php` and the write routes' staging branches (Documents/Create.php, …):
 *   status, expiry (`now > expiresAt`) and the 100-operation limit (`APP_LIMIT_DATABASE_TRANSACTION`)
 *   checked when staging; structure is not checked until the commit.
 * - `Update.php`: exactly one of commit / rollback; `transaction_not_ready` unless pending;
 *   the commit replays the log in one database transaction, each operation under the timestamp it
 *   was staged at, so a row changed after that fails with `transaction_conflict`; duplicates and
 *   unique violations are conflicts too; on any failure the status becomes `failed` and nothing
 *   is written; a rollback also ends `failed`. Realtime events go out after the commit, one per
 *   single-row operation, carrying the row as committed; bulk operations publish none.
 * - `src/Appwrite/Databases/TransactionState.php`: reads that pass a `transactionId` see the
 *   transaction's staged writes; an unknown or finished transaction reads committed data.
 */

/** Default, smallest and largest `ttl`, in seconds. */
export const TRANSACTION_TTL = { default: 300, min: 60, max: 3600 } as const
/** Most operations one transaction may hold (`APP_LIMIT_DATABASE_TRANSACTION`). */
export const MAX_TRANSACTION_OPERATIONS = 100

// The server's messages carry a non-breaking hyphen (U+2011); kept byte for byte.
const NON_PENDING = 'Invalid or non\u2011pending transaction'
const NON_EMPTY = 'non\u2011empty'
/** An API key's transactions carry no permissions. */
const NO_ROLES: readonly string[] = Object.freeze([])
/** The log of every ended transaction: nothing stages into one (staging needs `pending`). */
const ENDED_LOG = Object.freeze([]) as readonly StagedOperation[] as StagedOperation[]

/** A transaction's lifecycle state, as `Models.Transaction['status']` reports it. */
export type TransactionStatus = 'pending' | 'committing' | 'committed' | 'failed'

/** What a staged operation does (`createOperations` actions). @internal */
export type OperationAction =
  | 'create'
  | 'update'
  | 'upsert'
  | 'delete'
  | 'increment'
  | 'decrement'
  | 'bulkCreate'
  | 'bulkUpdate'
  | 'bulkUpsert'
  | 'bulkDelete'

const ACTIONS: readonly OperationAction[] = [
  'create',
  'update',
  'upsert',
  'delete',
  'increment',
  'decrement',
  'bulkCreate',
  'bulkUpdate',
  'bulkUpsert',
  'bulkDelete',
]
const ACTION_NAMES: ReadonlySet<string> = new Set(ACTIONS)
const BULK = new Set<OperationAction>(['bulkCreate', 'bulkUpdate', 'bulkUpsert', 'bulkDelete'])
/** Actions whose row must exist when they are staged and committed. */
const NEEDS_ROW = new Set<OperationAction>(['update', 'delete', 'increment', 'decrement'])
/** Actions the commit checks for conflicts (utopia-php/database checks the request timestamp in updateDocument, upsert and deleteDocument, not in the increments). */
const CONFLICT_CHECKED = new Set<OperationAction>(['update', 'upsert', 'delete'])

/**
 * What transactions need of the data engine: its storage and schema for staging checks, forks to
 * replay staged writes on, and the publishing of committed rows. `DataEngine` implements it;
 * declared here so that this module does not import the engine (which imports this one).
 *
 * @internal
 */
export interface TransactionEngine {
  readonly storage: RowStorage
  readonly schema: SchemaRegistry
  /** An engine over other storage (an overlay) that publishes nothing. */
  fork(storage: RowStorage): TransactionEngine
  /** This engine's storage through an engine that publishes nothing. */
  quiet(): TransactionEngine
  /** A server-picked id (`unique()`). */
  nextId(): string
  /** `undefined` when the table exists, else the error type to raise. */
  resolution(
    databaseId: string,
    tableId: string,
  ): 'database_not_found' | 'table_not_found' | undefined
  /** Whether a row event of this table could reach anyone now. */
  listens(databaseId: string, tableId: string): boolean
  /** Publishes one event of a committed transaction. */
  publishCommitted(
    action: 'create' | 'update' | 'delete',
    databaseId: string,
    tableId: string,
    row: StoredRow,
  ): void
  create(
    flavor: Flavor,
    p: CallParams,
    actor: Actor | undefined,
    answer: false,
    adopt: boolean,
  ): void
  update(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  upsert(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  delete(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  increment(flavor: Flavor, p: CallParams, sign: 1 | -1, actor?: Actor): unknown
  createMany(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  updateMany(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  upsertMany(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  deleteMany(flavor: Flavor, p: CallParams, actor?: Actor): unknown
  /** Ids of the rows a bulk update / delete would touch now (the commit's conflict rule). */
  bulkTargetIds(flavor: Flavor, p: CallParams): string[]
}

/** One staged write, ready to replay through the engine. @internal */
export interface StagedOperation {
  readonly action: OperationAction
  readonly flavor: Flavor
  readonly databaseId: string
  readonly tableId: string
  /** The row for single-row actions. */
  readonly rowId: string | undefined
  /** {@link rowKey} of that row (built once: staging and the commit both look rows up by it). */
  readonly key: string | undefined
  /** Engine parameters (flavour-neutral names, no `transactionId`). */
  readonly params: CallParams
  /**
   * `params.data` of a create is already what the row stores ({@link userData}'s output), so the
   * commit, the log's last reader, keeps it instead of copying it again.
   */
  readonly owned?: boolean
  /** Clock time when it was staged (epoch ms): the bulk conflict rule compares `$updatedAt` to it. */
  readonly stagedAt: number
}

/** One transaction. @internal */
export interface TransactionRecord {
  readonly $id: string
  readonly $createdAt: string
  $updatedAt: string
  status: TransactionStatus
  readonly expiresAtMs: number
  readonly $permissions: readonly string[]
  /** The operation log while pending; dropped once the transaction is committed or failed. */
  operations: StagedOperation[]
  /** How many operations were staged (the log itself is dropped when the transaction ends). */
  operationCount: number
  /**
   * Row key → the committed row when the transaction first touched it (`null`: absent then).
   * A commit fails with `transaction_conflict` when the row is no longer that version. Made on
   * the first write that needs one (creates do not).
   */
  versions: Map<string, StoredRow | null> | undefined
}

/** How a route answers an unknown or non-pending transaction when staging. @internal */
export interface StageRules {
  readonly notFound: 'transaction_not_found' | 'general_bad_request'
  readonly notPending: 'transaction_not_ready' | 'general_bad_request'
}

/** Documents/Create.php, Update.php, Upsert.php, Delete.php. @internal */
export const SINGLE_ROW_STAGING: StageRules = {
  notFound: 'transaction_not_found',
  notPending: 'transaction_not_ready',
}
/** Attribute/Increment.php, Decrement.php, Bulk/*.php. @internal */
export const BULK_STAGING: StageRules = {
  notFound: 'general_bad_request',
  notPending: 'general_bad_request',
}
/** Transactions/Operations/Create.php. */
const OPERATIONS_STAGING: StageRules = {
  notFound: 'transaction_not_found',
  notPending: 'general_bad_request',
}

/** A row's key in a transaction's bookkeeping (versions, touched rows, dependants). @internal */
export const rowKey = (databaseId: string, tableId: string, rowId: string) =>
  `${databaseId}\u0000${tableId}\u0000${rowId}`

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Whether an earlier entry of the same `createOperations` call creates the row under `key`. */
function createdEarlier(staged: readonly StagedOperation[], key: string): boolean {
  for (const operation of staged)
    if (operation.action === 'create' && operation.key === key) return true
  return false
}

/** Whether every operation creates one row in a table that already has storage. */
function createsIntoExistingTables(
  operations: readonly StagedOperation[],
  base: RowStorage,
): boolean {
  for (const operation of operations) {
    if (operation.action !== 'create') return false
    if (base.table(operation.databaseId, operation.tableId) === undefined) return false
  }
  return true
}

/**
 * Deletes the rows a failed direct commit created, last first, and sets each table's counter back
 * to where it was (the first row it created took the number after it).
 */
function undoCreates(written: readonly { table: TableStorage; rowId: string }[]): void {
  for (let i = written.length - 1; i >= 0; i--) {
    const { table, rowId } = written[i]!
    const row = table.get(rowId)
    if (row === undefined) continue
    table.delete(rowId)
    table.rewindSequence(row.$sequence - 1)
  }
}

/** Whether `current` is no longer the row a transaction saw (`recorded`). */
function changedSince(recorded: StoredRow | null | undefined, current: StoredRow): boolean {
  if (!recorded) return true
  if (recorded === current) return false
  // A write that changed nothing stores a new object with the same values: not a change.
  return (
    recorded.$updatedAt !== current.$updatedAt ||
    JSON.stringify(recorded.data) !== JSON.stringify(current.data) ||
    recorded.$permissions.join() !== current.$permissions.join()
  )
}

// The columns listTransactions may filter and sort on (Validator/Queries/Transactions.php
// ALLOWED_ATTRIBUTES, plus the internal $id/$createdAt/$updatedAt/$sequence of Queries/Base.php).
let transactionsSchema: TableSchema | undefined
function transactionQuerySchema(): TableSchema {
  const now = toServerDatetime(0)
  transactionsSchema ??= {
    databaseId: '',
    tableId: 'transactions',
    name: 'transactions',
    columns: new Map([
      ['status', normalizeColumn('transactions', { key: 'status', type: 'string' }, now)],
      ['expiresAt', normalizeColumn('transactions', { key: 'expiresAt', type: 'datetime' }, now)],
    ]),
    indexes: [],
  } as unknown as TableSchema
  return transactionsSchema
}

/** Options for {@link TransactionManager}. @internal */
export interface TransactionManagerOptions {
  readonly clock: FakeClock
  /** Picks transaction ids (20 hex chars, like `ID.unique()`). */
  readonly ids: IdGenerator
}

/**
 * Every transaction of one fake: the `createTransaction` … `deleteTransaction` routes, staging,
 * the read view of a pending transaction, and the commit.
 *
 * @internal
 */
export class TransactionManager {
  readonly #clock: FakeClock
  readonly #ids: IdGenerator
  readonly #records = new Map<string, TransactionRecord>()

  constructor(options: TransactionManagerOptions) {
    this.#clock = options.clock
    this.#ids = options.ids
  }

  /** Drops every transaction and restarts ids from the seed. */
  reset(): void {
    this.#records.clear()
    this.#ids.reset()
  }

  /* ----------------------------------------------------------------------------------------------
   * Lookup
   * ------------------------------------------------------------------------------------------- */

  /**
   * The transaction as `actor` may see it: an API key sees all; a user only the ones whose
   * permissions grant one of its roles read (the routes read `transactions` without skipping
   * authorization for sessions).
   */
  #find(transactionId: string, actor: Actor | undefined): TransactionRecord | undefined {
    const record = this.#records.get(transactionId)
    if (!record || actor === undefined) return record
    return actor.any(rolesFor(record.$permissions, 'read')) ? record : undefined
  }

  /**
   * The operations a commit of `transactionId` would apply, for the fault gate; `[]` when there is
   * no such pending transaction (the commit itself then answers the error).
   */
  staged(transactionId: unknown, actor: Actor | undefined): readonly StagedOperation[] {
    if (typeof transactionId !== 'string') return []
    const record = this.#find(transactionId, actor)
    return record?.status === 'pending' ? record.operations : []
  }

  #require(transactionId: unknown, actor: Actor | undefined): TransactionRecord {
    assertUid('transactionId', transactionId)
    const record = this.#find(transactionId, actor)
    if (!record) throw appwriteErrorFor('transaction_not_found', transactionId)
    return record
  }

  #touch(record: TransactionRecord, now: number): void {
    record.$updatedAt = toServerDatetime(now)
  }

  /**
   * Ends a transaction. Nothing reads the log of a finished one again (reads see committed data,
   * staging and commit need `pending`), so it is dropped: a long test run keeps only the records.
   */
  #end(
    record: TransactionRecord,
    status: Exclude<TransactionStatus, 'pending'>,
    now: number,
  ): void {
    record.status = status
    // A long test run keeps every record: one shared empty log, frozen so a push would throw.
    record.operations = ENDED_LOG
    record.versions = undefined
    this.#touch(record, now)
  }

  toModel(record: TransactionRecord): FakeTransaction {
    return {
      $id: record.$id,
      $createdAt: record.$createdAt,
      $updatedAt: record.$updatedAt,
      status: record.status,
      operations: record.operationCount,
      expiresAt: toServerDatetime(record.expiresAtMs),
    }
  }

  /* ----------------------------------------------------------------------------------------------
   * Routes
   * ------------------------------------------------------------------------------------------- */

  create(params: { ttl?: unknown }, actor: Actor | undefined): FakeTransaction {
    const ttl = params.ttl ?? TRANSACTION_TTL.default
    if (
      typeof ttl !== 'number' ||
      !Number.isInteger(ttl) ||
      ttl < TRANSACTION_TTL.min ||
      ttl > TRANSACTION_TTL.max
    ) {
      throw appwriteError(
        'general_argument_invalid',
        'Invalid `ttl` param: Value must be a valid range between 60 and 3,600',
      )
    }
    const now = this.#clock.now()
    const created = toServerDatetime(now)
    const role = actor?.userId === undefined ? undefined : `user:${actor.userId}`
    const record: TransactionRecord = {
      $id: this.#ids.next(),
      $createdAt: created,
      $updatedAt: created,
      status: 'pending',
      expiresAtMs: now + ttl * 1000,
      $permissions: role ? [`read("${role}")`, `update("${role}")`, `delete("${role}")`] : NO_ROLES,
      operations: [],
      operationCount: 0,
      versions: undefined,
    }
    this.#records.set(record.$id, record)
    return this.toModel(record)
  }

  get(params: { transactionId?: unknown }, actor: Actor | undefined): FakeTransaction {
    return this.toModel(this.#require(params.transactionId, actor))
  }

  list(params: { queries?: unknown }, actor: Actor | undefined): FakeTransactionList {
    const queries = validateListQueries(transactionQuerySchema(), parseQueryStrings(params.queries))
    const rows: StoredRow[] = []
    let sequence = 0
    for (const record of this.#records.values()) {
      sequence++
      if (actor !== undefined && !actor.any(rolesFor(record.$permissions, 'read'))) continue
      rows.push({
        $id: record.$id,
        $sequence: sequence,
        $createdAt: record.$createdAt,
        $updatedAt: record.$updatedAt,
        $permissions: record.$permissions,
        data: { status: record.status, expiresAt: toServerDatetime(record.expiresAtMs) },
      })
    }
    // Cursors over transactions are rare in tests; they are accepted and ignored.
    const result = runQuery(rows, { ...queries, cursor: undefined })
    return {
      total: result.total,
      transactions: result.rows.map((row) => this.toModel(this.#records.get(row.$id)!)),
    }
  }

  delete(params: { transactionId?: unknown }, actor: Actor | undefined): Record<string, never> {
    const record = this.#require(params.transactionId, actor)
    // `Database::deleteDocument` checks delete permission for sessions.
    if (actor !== undefined && !actor.any(rolesFor(record.$permissions, 'delete')))
      throw unauthorized()
    this.#records.delete(record.$id)
    return {}
  }

  /**
   * `updateTransaction`: commits or rolls back. The caller has already passed the fault gate.
   */
  update(
    engine: TransactionEngine,
    flavor: Flavor,
    params: { transactionId?: unknown; commit?: unknown; rollback?: unknown },
    actor: Actor | undefined,
  ): FakeTransaction {
    assertUid('transactionId', params.transactionId)
    for (const key of ['commit', 'rollback'] as const) {
      const value = params[key]
      if (value !== undefined && value !== null && typeof value !== 'boolean') {
        throw appwriteError(
          'general_argument_invalid',
          `Invalid \`${key}\` param: Value must be a valid boolean`,
        )
      }
    }
    const commit = params.commit === true
    const rollback = params.rollback === true
    if (!commit && !rollback)
      throw appwriteError('general_bad_request', 'Either commit or rollback must be true')
    if (commit && rollback)
      throw appwriteError('general_bad_request', 'Cannot commit and rollback at the same time')
    const record = this.#require(params.transactionId, actor)
    if (record.status !== 'pending') throw appwriteError('transaction_not_ready')
    // One reading of the clock per request: the expiry check and the record's `$updatedAt`.
    const now = this.#clock.now()
    if (now > record.expiresAtMs) throw appwriteError('transaction_expired')
    if (rollback) {
      // Update.php marks a rolled-back transaction `failed` (not `rolled_back`).
      this.#end(record, 'failed', now)
      return this.toModel(record)
    }
    this.#commit(engine, flavor, record, actor, now)
    return this.toModel(record)
  }

  /* ----------------------------------------------------------------------------------------------
   * Staging
   * ------------------------------------------------------------------------------------------- */

  /**
   * The checks every staging route makes before it records operations: the transaction exists
   * (for this caller), is pending, has not expired, and has room for `adding` more operations.
   */
  stageable(
    transactionId: unknown,
    actor: Actor | undefined,
    adding: number,
    rules: StageRules,
    now: number,
  ): TransactionRecord {
    const id = String(transactionId)
    const record = this.#find(id, actor)
    if (!record) {
      throw rules.notFound === 'transaction_not_found'
        ? appwriteErrorFor('transaction_not_found', id)
        : appwriteError('general_bad_request', NON_PENDING)
    }
    if (record.status !== 'pending') {
      throw rules.notPending === 'transaction_not_ready'
        ? appwriteError('transaction_not_ready')
        : appwriteError('general_bad_request', NON_PENDING)
    }
    if (now > record.expiresAtMs) throw appwriteError('transaction_expired')
    const existing = record.operationCount
    if (existing + adding > MAX_TRANSACTION_OPERATIONS) {
      throw appwriteError(
        'transaction_limit_exceeded',
        `Transaction already has ${existing} operations, adding ${adding} would exceed the maximum of ${MAX_TRANSACTION_OPERATIONS}`,
      )
    }
    return record
  }

  /**
   * Appends operations to the log, remembering the committed version of each row they touch. A
   * row a create touches first needs none: the commit checks a row for conflicts only where the
   * log touches it first, and never on a create.
   */
  stage(
    record: TransactionRecord,
    operations: readonly StagedOperation[],
    base: RowStorage,
    now: number,
  ): void {
    for (const operation of operations) {
      const key = operation.key
      if (key !== undefined && operation.action !== 'create') {
        const versions = (record.versions ??= new Map())
        if (!versions.has(key)) {
          versions.set(
            key,
            base.table(operation.databaseId, operation.tableId)?.get(operation.rowId!) ?? null,
          )
        }
      }
      record.operations.push(operation)
    }
    record.operationCount = record.operations.length
    this.#touch(record, now)
  }

  /**
   * A read-only engine over what the transaction would commit, for reads that pass its id
   * (TransactionState.php: any caller holding the id, no permission check on the transaction).
   * `undefined` for an unknown or finished transaction: the read sees committed data.
   * Operations that would fail at commit are left out of the view.
   */
  view(engine: TransactionEngine, transactionId: unknown): TransactionEngine | undefined {
    if (typeof transactionId !== 'string') return undefined
    const record = this.#records.get(transactionId)
    if (!record || record.status !== 'pending') return undefined
    if (record.operations.length === 0) return undefined
    const fork = engine.fork(createOverlayStorage(engine.storage))
    for (const operation of record.operations) {
      try {
        applyOperation(fork, operation.flavor, operation, undefined)
      } catch {
        // The commit would fail on it; the staged view shows the others.
      }
    }
    return fork
  }

  /* ----------------------------------------------------------------------------------------------
   * createOperations
   * ------------------------------------------------------------------------------------------- */

  createOperations(
    engine: TransactionEngine,
    flavor: Flavor,
    params: { transactionId?: unknown; operations?: unknown },
    actor: Actor | undefined,
  ): FakeTransaction {
    assertUid('transactionId', params.transactionId)
    const operations = params.operations ?? []
    const failure = operationsFailure(flavor, operations)
    if (failure !== undefined) {
      throw appwriteError(
        'general_argument_invalid',
        `Invalid \`operations\` param: Value must a valid array and ${failure}`,
      )
    }
    const list = operations as readonly Record<string, unknown>[]
    if (list.length === 0)
      throw appwriteError('general_bad_request', 'Operations array cannot be empty')
    // One reading of the clock per request: the expiry check, `stagedAt` and `$updatedAt`.
    const now = this.#clock.now()
    const record = this.stageable(params.transactionId, actor, list.length, OPERATIONS_STAGING, now)
    const view = this.view(engine, record.$id) ?? engine
    const staged: StagedOperation[] = []
    for (const raw of list) {
      const action = raw['action'] as OperationAction
      const databaseId = raw['databaseId'] as string
      const tableId = raw[flavor.containerParam] as string
      const sentId = raw[flavor.idParam] as string | undefined
      const rowId = action === 'create' && sentId === SERVER_PICKED_ID ? engine.nextId() : sentId
      const data = (raw['data'] ?? {}) as Record<string, unknown> | unknown[]
      if (actor !== undefined && BULK.has(action)) throw unauthorized()
      // Operations/Create.php answers with the collection routes' types on both APIs.
      const resolution = engine.resolution(databaseId, tableId)
      if (resolution === 'database_not_found')
        throw appwriteErrorFor('database_not_found', databaseId)
      if (resolution === 'table_not_found') throw appwriteErrorFor('collection_not_found', tableId)
      const key = BULK.has(action) ? undefined : rowKey(databaseId, tableId, rowId as string)
      let current: StoredRow | undefined
      if (NEEDS_ROW.has(action) || action === 'upsert') {
        current = view.storage.table(databaseId, tableId)?.get(rowId as string)
        if (!current && action !== 'upsert' && !createdEarlier(staged, key!))
          throw appwriteErrorFor('document_not_found', rowId as string)
      }
      if (actor !== undefined && !BULK.has(action)) {
        const access = tableAccess(engine.schema, databaseId, tableId)
        const type =
          action === 'create' || (action === 'upsert' && !current)
            ? 'create'
            : action === 'delete'
              ? 'delete'
              : 'update'
        const tableAllows = actor.any(rolesFor(access.permissions, type))
        const rowAllows =
          type !== 'create' &&
          current !== undefined &&
          access.rowSecurity &&
          actor.any(rolesFor(current.$permissions, type))
        if (!tableAllows && !rowAllows) throw unauthorized()
        const permissions = isPlainObject(data) ? data['$permissions'] : undefined
        if (Array.isArray(permissions)) assertGrantable(actor, permissions as string[])
      }
      const owned = action === 'create' ? ownedCreateData(flavor, data) : undefined
      staged.push({
        action,
        flavor,
        databaseId,
        tableId,
        rowId: BULK.has(action) ? undefined : rowId,
        key,
        params: operationParams(action, databaseId, tableId, rowId, data, flavor, owned, () =>
          engine.nextId(),
        ),
        owned: owned !== undefined,
        stagedAt: now,
      })
    }
    this.stage(record, staged, engine.storage, now)
    return this.toModel(record)
  }

  /* ----------------------------------------------------------------------------------------------
   * Commit
   * ------------------------------------------------------------------------------------------- */

  #commit(
    engine: TransactionEngine,
    flavor: Flavor,
    record: TransactionRecord,
    actor: Actor | undefined,
    now: number,
  ): void {
    if (record.operations.length === 0) {
      this.#end(record, 'committed', now)
      return
    }
    record.status = 'committing'
    const base = engine.storage
    // A log of creates into tables that hold rows already (a booking's four writes) goes straight
    // into storage and, on failure, deletes what it wrote; anything else builds an overlay and
    // writes it in one go. Both answer alike: nothing else runs during a commit.
    const direct = createsIntoExistingTables(record.operations, base)
    const overlay = direct ? undefined : createOverlayStorage(base)
    const storage = overlay ?? base
    const fork = overlay ? engine.fork(overlay) : engine.quiet()
    const written: Array<{ table: TableStorage; rowId: string }> = []
    // Only an overlay commit reads which rows it touched (a direct one has only creates).
    const touched = direct ? undefined : new Set<string>()
    const events: Array<{
      action: 'create' | 'update' | 'delete'
      databaseId: string
      tableId: string
      rowId: string
      deleted?: StoredRow
    }> = []
    try {
      for (const operation of record.operations) {
        const { action, databaseId, tableId, rowId, key } = operation
        if (rowId !== undefined && key !== undefined) {
          // Only an overlay commit has writes that check for conflicts (none in a log of creates).
          if (touched !== undefined) {
            if (!touched.has(key) && CONFLICT_CHECKED.has(action)) {
              const current = base.table(databaseId, tableId)?.get(rowId)
              if (current && changedSince(record.versions?.get(key), current))
                throw appwriteError('transaction_conflict')
            }
            touched.add(key)
          }
          // A create finds out itself whether its row exists.
          const existing =
            action === 'create' ? undefined : storage.table(databaseId, tableId)?.get(rowId)
          if (NEEDS_ROW.has(action) && !existing)
            throw appwriteErrorFor('document_not_found', rowId)
          // Events only for tables someone listens to: nothing that runs before they are
          // published below can subscribe.
          if (engine.listens(databaseId, tableId)) {
            events.push(
              action === 'delete'
                ? { action, databaseId, tableId, rowId, deleted: existing }
                : { action: action === 'create' ? 'create' : 'update', databaseId, tableId, rowId },
            )
          }
        } else {
          // A bulk operation makes an overlay commit.
          this.#checkBulkConflicts(fork, operation, base, touched!)
        }
        applyOperation(fork, flavor, operation, actor, true)
        // A create throws before it stores anything, or stores its row and returns.
        if (direct) written.push({ table: base.table(databaseId, tableId)!, rowId: rowId! })
      }
    } catch (error) {
      undoCreates(written)
      const answer = commitError(error)
      // Update.php marks the transaction failed for the errors it maps; a permission refused by
      // the database (Authorization) escapes that mapping and leaves it `committing`.
      const unauthorized = isAppwriteException(answer) && answer.type === 'user_unauthorized'
      this.#end(record, unauthorized ? 'committing' : 'failed', now)
      throw answer
    }
    // Everything applied to the overlay: write it into storage in one go.
    overlay?.apply()
    this.#end(record, 'committed', now)
    for (const event of events) {
      if (event.deleted) {
        engine.publishCommitted('delete', event.databaseId, event.tableId, event.deleted)
        continue
      }
      const row = base.table(event.databaseId, event.tableId)?.get(event.rowId)
      // Update.php publishes the row as committed, and nothing for a row gone by then.
      if (row) engine.publishCommitted(event.action, event.databaseId, event.tableId, row)
    }
  }

  /**
   * The bulk rule of Update.php: a matched row not yet touched by this commit conflicts when
   * its `$updatedAt` is later than the operation's staging time.
   */
  #checkBulkConflicts(
    fork: TransactionEngine,
    operation: StagedOperation,
    base: RowStorage,
    touched: Set<string>,
  ): void {
    const { databaseId, tableId, action, params } = operation
    let ids: string[]
    if (action === 'bulkUpdate' || action === 'bulkDelete') {
      ids = fork.bulkTargetIds(operation.flavor, params)
    } else {
      ids = ((params.rows as Record<string, unknown>[] | undefined) ?? [])
        .map((row) => row['$id'])
        .filter((id): id is string => typeof id === 'string')
    }
    for (const id of ids) {
      const key = rowKey(databaseId, tableId, id)
      if (!touched.has(key) && action !== 'bulkCreate') {
        const current = base.table(databaseId, tableId)?.get(id)
        if (current && Date.parse(current.$updatedAt) > operation.stagedAt)
          throw appwriteError('transaction_conflict')
      }
      touched.add(key)
    }
  }
}

type Apply = (engine: TransactionEngine, flavor: Flavor, p: CallParams, actor?: Actor) => unknown

/** The engine call each staged action replays as (`create` aside: it answers with no model). */
const APPLY: Readonly<Record<Exclude<OperationAction, 'create'>, Apply>> = {
  update: (engine, flavor, p, actor) => engine.update(flavor, p, actor),
  // A `createOperations` upsert sent without `$permissions` (the only staged upsert that has none)
  // keeps the row's, or gives a new row none: `Database::upsertDocuments` keeps the old document's.
  upsert: (engine, flavor, p, actor) =>
    engine.upsert(
      flavor,
      p.permissions === undefined &&
        engine.storage
          .table(p.databaseId as string, p.tableId as string)
          ?.get(p.rowId as string) === undefined
        ? { ...p, permissions: [] }
        : p,
      actor,
    ),
  delete: (engine, flavor, p, actor) => engine.delete(flavor, p, actor),
  increment: (engine, flavor, p, actor) => engine.increment(flavor, p, 1, actor),
  decrement: (engine, flavor, p, actor) => engine.increment(flavor, p, -1, actor),
  bulkCreate: (engine, flavor, p, actor) => engine.createMany(flavor, p, actor),
  bulkUpdate: (engine, flavor, p, actor) => engine.updateMany(flavor, p, actor),
  bulkUpsert: (engine, flavor, p, actor) => engine.upsertMany(flavor, p, actor),
  bulkDelete: (engine, flavor, p, actor) => engine.deleteMany(flavor, p, actor),
}

/**
 * Runs one staged operation through `engine` (an engine over an overlay). `commit`: this is the
 * log's last replay, which may keep the staged data (`owned`); a read view copies it.
 *
 * @internal
 */
export function applyOperation(
  engine: TransactionEngine,
  flavor: Flavor,
  operation: StagedOperation,
  actor: Actor | undefined,
  commit = false,
): void {
  const p = operation.params
  if (operation.action === 'create') {
    // The commit answers with the transaction, and a staged view's reads build their own models.
    engine.create(flavor, p, actor, false, commit && operation.owned === true)
  } else {
    APPLY[operation.action](engine, flavor, p, actor)
  }
}

/**
 * Maps an error raised while replaying the log to what Update.php answers: duplicates and unique
 * violations are `transaction_conflict`; structure and limit errors come back with the collection
 * routes' types on both APIs; anything else as it was.
 */
function commitError(error: unknown): unknown {
  if (!isAppwriteException(error)) return error
  const type = error.type
  if (type.endsWith('_already_exists') || type.endsWith('_unique_constraint_violation'))
    return appwriteError('transaction_conflict')
  if (type === 'row_invalid_structure' || type === 'document_invalid_structure')
    return appwriteError('document_invalid_structure', error.message)
  if (type === 'row_not_found') return retype(error, 'document_not_found')
  if (type === 'column_limit_exceeded' || type === 'attribute_limit_exceeded') {
    // utopia-php/database increaseDocumentAttribute / decreaseDocumentAttribute.
    const bound = /(maximum|minimum) value of (.+)$/.exec(error.message)
    return appwriteError(
      'attribute_limit_exceeded',
      bound ? `Attribute value exceeds ${bound[1]} limit: ${bound[2]}` : error.message,
    )
  }
  return error
}

function retype(error: AppwriteException, type: 'document_not_found'): AppwriteException {
  return appwriteError(type, error.message.replace(/^Row /, 'Document '))
}

/**
 * A create entry's `data` as the row will store it ({@link userData}: copied, server fields
 * dropped), or `undefined` when that copy could answer differently from a JSON copy of what was
 * sent: not a plain object, a `toJSON` of its own, or nothing kept at all (the create's "missing
 * data" check counts the keys of the JSON copy, server fields included).
 */
function ownedCreateData(
  flavor: Flavor,
  data: Record<string, unknown> | unknown[],
): Record<string, unknown> | undefined {
  if (!isPlainObject(data) || typeof data['toJSON'] === 'function') return undefined
  const keys = Object.keys(data)
  const own = userData(flavor, data, keys)
  // Kept a key, or had none: the copy answers alike.
  return keys.length === 0 || hasOwnKeys(own) ? own : undefined
}

/** Engine parameters of a `createOperations` entry; `owned`: a create's data, already copied. */
function operationParams(
  action: OperationAction,
  databaseId: string,
  tableId: string,
  rowId: string | undefined,
  data: Record<string, unknown> | unknown[],
  flavor: Flavor,
  owned: Record<string, unknown> | undefined,
  nextId: () => string,
): CallParams {
  const object = isPlainObject(data) ? data : {}
  const copy = owned ?? (copyJson(data) as Record<string, unknown> | unknown[])
  if (action === 'bulkCreate' || action === 'bulkUpsert') {
    // Ids the server picks are picked now, so every replay of the log (reads, commit) agrees.
    for (const row of copy as unknown[]) {
      if (isPlainObject(row) && (row['$id'] === undefined || row['$id'] === SERVER_PICKED_ID))
        row['$id'] = nextId()
    }
  }
  switch (action) {
    case 'create':
    case 'update':
    case 'upsert': {
      const permissions = object['$permissions']
      return {
        databaseId,
        tableId,
        rowId,
        data: copy,
        // Operations/Create.php stages `data` as sent: a create without `$permissions` gets none.
        permissions: Array.isArray(permissions)
          ? (permissions.slice() as string[])
          : action === 'create'
            ? []
            : undefined,
      }
    }
    case 'delete':
      return { databaseId, tableId, rowId }
    case 'increment':
    case 'decrement':
      return {
        databaseId,
        tableId,
        rowId,
        // Update.php reads `column` or `attribute`, whichever the entry has.
        column: object[flavor.columnParam] ?? object['column'] ?? object['attribute'],
        value: object['value'],
        limit: action === 'increment' ? object['max'] : object['min'],
      }
    case 'bulkCreate':
    case 'bulkUpsert':
      return { databaseId, tableId, rows: copy as unknown[] }
    case 'bulkUpdate':
      return { databaseId, tableId, data: object['data'], queries: object['queries'] }
    case 'bulkDelete':
      return { databaseId, tableId, queries: object['queries'] }
  }
}

/** Not a string, or nothing but whitespace. */
function isBlank(value: unknown): boolean {
  if (typeof value !== 'string') return true
  // Starts with a printable ASCII character other than a space: not blank, and nothing to trim.
  const first = value.charCodeAt(0)
  return !(first > 32 && first < 127) && value.trim() === ''
}

/**
 * The message of `Validator/Operation.php` (wrapped in `ArrayList`) for the first bad entry, or
 * `undefined` when every entry is well formed.
 */
function operationsFailure(flavor: Flavor, operations: unknown): string | undefined {
  if (!Array.isArray(operations)) return 'Value must be an array'
  const required = ['databaseId', 'action', flavor.containerParam]
  const idKey = flavor.idParam
  const columnKey = flavor.columnParam
  for (const value of operations as unknown[]) {
    if (value === null || typeof value !== 'object') return 'Value must be an array'
    const entry = value as Record<string, unknown>
    for (const key of required) if (!(key in entry)) return `Missing required key: ${key}`
    for (const key of required) {
      if (isBlank(entry[key])) return `Key '${key}' must be a ${NON_EMPTY} string`
    }
    const action = entry['action'] as string
    if (!ACTION_NAMES.has(action)) return `Key 'action' must be one of: ${ACTIONS.join(', ')}`
    if (!BULK.has(action as OperationAction) && !(idKey in entry))
      return `Key '${idKey}' is required for action '${action}'`
    if (idKey in entry) {
      if (isBlank(entry[idKey])) return `Key '${idKey}' must be a non-empty string`
    }
    const data = entry['data']
    const isArray = data !== null && typeof data === 'object'
    if (action !== 'delete') {
      if (!('data' in entry)) return 'Missing required key: data'
      if (!isArray) return "Key 'data' must be an array"
    } else if ('data' in entry && !isArray) {
      return "Key 'data' must be an array"
    }
    const fields = (isArray ? data : {}) as Record<string, unknown>
    if (action === 'bulkUpdate' || action === 'bulkDelete') {
      if (!('queries' in fields)) return `Key 'queries' is required in data for ${action}`
      if (!Array.isArray(fields['queries'])) return `Key 'queries' must be an array for ${action}`
    }
    if (action === 'bulkUpdate') {
      if (!('data' in fields)) return `Key 'data' is required in data for ${action}`
      if (fields['data'] === null || typeof fields['data'] !== 'object')
        return `Key 'data.data' must be an array for ${action}`
    }
    if (action === 'increment' || action === 'decrement') {
      if (!(columnKey in fields)) return `Key '${columnKey}' is required in data for ${action}`
      const amount = fields['value']
      if (
        'value' in fields &&
        !(
          typeof amount === 'number' ||
          (typeof amount === 'string' && amount.trim() !== '' && Number.isFinite(Number(amount)))
        )
      )
        return `Key 'value' must be a numeric value for ${action}`
    }
  }
  return undefined
}
