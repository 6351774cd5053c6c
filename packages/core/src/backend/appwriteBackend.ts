import { BookingGuardError } from '../errors'
import { errorFacts } from '../resilience/classifyError'
import type {
  AppwriteRowLike,
  DatabasesLike,
  TablesDBLike,
  TransactionOperation,
  TransactionsLike,
} from './types'

/** A row as the backend returns it: system fields plus column values. @internal */
export type BackendRow = AppwriteRowLike & Record<string, unknown>

/** One write staged in a transaction. @internal */
export interface StagedWrite {
  readonly action: 'create' | 'update' | 'upsert' | 'delete'
  readonly tableId: string
  readonly rowId: string
  /**
   * The row's data, built by the pipeline for this call: staging adds the permissions to it as
   * `$permissions` (how `createOperations` takes them) instead of copying it.
   */
  readonly data?: Record<string, unknown>
  readonly permissions?: readonly string[]
}

/** The transaction half of a backend (Appwrite ≥ 1.8). @internal */
export interface BackendTransactions {
  /** Starts a transaction that expires after `ttlSeconds`; resolves to its id. */
  begin(ttlSeconds: number): Promise<string>
  /** Stages writes in one request (`createOperations`). */
  stage(transactionId: string, writes: readonly StagedWrite[]): Promise<void>
  /** Commits: every staged write lands, or none does. */
  commit(transactionId: string): Promise<void>
  /** Rolls back; staged writes are dropped. */
  rollback(transactionId: string): Promise<void>
}

/**
 * One Appwrite database behind one API, TablesDB or the legacy Databases, so the pipeline is
 * written once. Every method is a single request; retries and the breaker are the caller's job.
 *
 * @internal
 */
export interface Backend {
  /** Which SDK service this adapts. */
  readonly api: 'tablesDB' | 'databases'
  /** The database every call targets. */
  readonly databaseId: string
  /** Without `permissions` the server applies its defaults, as for {@link Backend.upsert}. */
  create(
    tableId: string,
    rowId: string,
    data: Record<string, unknown>,
    permissions?: readonly string[],
  ): Promise<BackendRow>
  get(tableId: string, rowId: string): Promise<BackendRow>
  list(tableId: string, queries: readonly string[]): Promise<{ total: number; rows: BackendRow[] }>
  update(
    tableId: string,
    rowId: string,
    data: Record<string, unknown>,
    permissions?: readonly string[],
  ): Promise<BackendRow>
  /**
   * Creates or replaces-by-merge; emulated with update-then-create where the SDK lacks it.
   * Without `permissions` the server applies its defaults (the signed-in creator's
   * read/update/delete); an explicit `[]` leaves the row with no row permissions at all.
   */
  upsert(
    tableId: string,
    rowId: string,
    data: Record<string, unknown>,
    permissions?: readonly string[],
  ): Promise<BackendRow>
  remove(tableId: string, rowId: string): Promise<void>
  /** `undefined` when the SDK object has no transaction methods. */
  readonly transactions: BackendTransactions | undefined
}

/** What {@link createAppwriteBackend} adapts: exactly one of the two services. @internal */
export interface BackendSource {
  tablesDB?: TablesDBLike | undefined
  databases?: DatabasesLike | undefined
  databaseId: string
}

/**
 * A write's parameters, with a copy of `permissions` only when given (without them the server
 * keeps the row's own). Adds the key rather than spreading an optional object: this runs for
 * every write.
 */
function writeParams<P extends object>(
  params: P,
  permissions: readonly string[] | undefined,
): P & { permissions?: string[] } {
  if (permissions !== undefined)
    (params as { permissions?: string[] }).permissions = [...permissions]
  return params
}

/**
 * The transaction methods of either SDK service, when it has all three. TablesDB and Databases
 * differ only in how a staged operation names its table and row (`operation`).
 */
function transactionsOf(
  service: TransactionsLike,
  operation: (write: StagedWrite) => TransactionOperation,
): BackendTransactions | undefined {
  const { createTransaction, createOperations, updateTransaction } = service
  if (
    typeof createTransaction !== 'function' ||
    typeof createOperations !== 'function' ||
    typeof updateTransaction !== 'function'
  ) {
    return undefined
  }
  return {
    begin: async (ttl) => (await createTransaction.call(service, { ttl })).$id,
    stage: async (transactionId, writes) => {
      await createOperations.call(service, { transactionId, operations: writes.map(operation) })
    },
    commit: async (transactionId) => {
      await updateTransaction.call(service, { transactionId, commit: true })
    },
    rollback: async (transactionId) => {
      await updateTransaction.call(service, { transactionId, rollback: true })
    },
  }
}

const stagedData = (write: StagedWrite) =>
  write.action === 'delete' ? {} : { data: withPermissions(write) }

function tablesBackend(tablesDB: TablesDBLike, databaseId: string): Backend {
  const transactions = transactionsOf(tablesDB, (write) => ({
    action: write.action,
    databaseId,
    tableId: write.tableId,
    rowId: write.rowId,
    ...stagedData(write),
  }))
  /** One row write through the SDK method `name` (looked up at each call). */
  const write =
    (name: 'createRow' | 'updateRow' | 'upsertRow'): Backend['create'] =>
    (tableId, rowId, data, permissions) =>
      tablesDB[name](
        writeParams({ databaseId, tableId, rowId, data }, permissions),
      ) as Promise<BackendRow>
  return {
    api: 'tablesDB',
    databaseId,
    create: write('createRow'),
    get: (tableId, rowId) => tablesDB.getRow({ databaseId, tableId, rowId }) as Promise<BackendRow>,
    list: async (tableId, queries) => {
      const list = await tablesDB.listRows({ databaseId, tableId, queries: [...queries] })
      return { total: list.total, rows: list.rows as BackendRow[] }
    },
    update: write('updateRow'),
    upsert: write('upsertRow'),
    remove: async (tableId, rowId) => {
      await tablesDB.deleteRow({ databaseId, tableId, rowId })
    },
    transactions,
  }
}

/**
 * A staged write's data with its permissions as `$permissions`, added in place (see
 * {@link StagedWrite.data}): a copy of four wide rows per booking cost about 3% of a transaction
 * booking on the fake. The request is serialized (or, by the fake, copied) when it is sent.
 */
function withPermissions(write: StagedWrite): Record<string, unknown> {
  const data = write.data ?? {}
  if (write.permissions !== undefined) data.$permissions = write.permissions
  return data
}

function databasesBackend(databases: DatabasesLike, databaseId: string): Backend {
  const { upsertDocument } = databases
  const transactions = transactionsOf(databases, (write) => ({
    action: write.action,
    databaseId,
    collectionId: write.tableId,
    documentId: write.rowId,
    ...stagedData(write),
  }))
  /** One document write through the SDK method `name` (looked up at each call). */
  const write =
    (name: 'createDocument' | 'updateDocument'): Backend['create'] =>
    (collectionId, documentId, data, permissions) =>
      databases[name](
        writeParams({ databaseId, collectionId, documentId, data }, permissions),
      ) as Promise<BackendRow>
  const update = write('updateDocument')
  const create = write('createDocument')
  return {
    api: 'databases',
    databaseId,
    create,
    get: (collectionId, documentId) =>
      databases.getDocument({ databaseId, collectionId, documentId }) as Promise<BackendRow>,
    list: async (collectionId, queries) => {
      const list = await databases.listDocuments({
        databaseId,
        collectionId,
        queries: [...queries],
      })
      return { total: list.total, rows: list.documents as BackendRow[] }
    },
    update,
    upsert: async (collectionId, documentId, data, permissions) => {
      if (typeof upsertDocument === 'function') {
        return (await upsertDocument.call(
          databases,
          writeParams({ databaseId, collectionId, documentId, data }, permissions),
        )) as BackendRow
      }
      // Servers before 1.7 have no upsert: update, else create, else (lost a race) update again.
      try {
        return await update(collectionId, documentId, data, permissions)
      } catch (error) {
        if (errorFacts(error).status !== 404) throw error
      }
      try {
        return await create(collectionId, documentId, data, permissions)
      } catch (error) {
        if (!errorFacts(error).alreadyExists) throw error
        return update(collectionId, documentId, data, permissions)
      }
    },
    remove: async (collectionId, documentId) => {
      await databases.deleteDocument({ databaseId, collectionId, documentId })
    },
    transactions,
  }
}

/**
 * Adapts a TablesDB (Appwrite ≥ 1.8) or a legacy Databases service into one internal backend.
 * Throws a `CONFIGURATION` error unless exactly one of them is given.
 *
 * @internal
 */
export function createAppwriteBackend(source: BackendSource): Backend {
  const { tablesDB, databases, databaseId } = source
  if (typeof databaseId !== 'string' || databaseId === '') {
    throw new BookingGuardError(
      'CONFIGURATION',
      'createBookingGuard: `databaseId` is required (the Appwrite database holding the booking tables)',
    )
  }
  if ((tablesDB === undefined) === (databases === undefined)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'createBookingGuard: pass exactly one of `tablesDB` (Appwrite ≥ 1.8) or `databases` (legacy collections API)',
    )
  }
  return tablesDB !== undefined
    ? tablesBackend(tablesDB, databaseId)
    : databasesBackend(databases!, databaseId)
}
