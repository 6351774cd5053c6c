/**
 * The structural interfaces booking-guard talks to Appwrite through. The real `appwrite` (web) and
 * `node-appwrite` (server) SDK objects satisfy them, and so do `@booking-guard/testing`'s fakes;
 * `backend.test-d.ts` proves it. Core never imports the SDK at run time.
 */

/** The system fields every row (or document) returned by Appwrite carries. */
export interface AppwriteRowLike {
  /** Row id. */
  $id: string
  /** Creation time, ISO 8601. */
  $createdAt: string
  /** Last update time, ISO 8601. */
  $updatedAt: string
  /** Row permissions, e.g. `read("user:u1")`. */
  $permissions: string[]
}

/** A page of rows, as `tablesDB.listRows` returns it. */
export interface RowListLike {
  /** How many rows match (capped by the server; `0` with `total: false`). */
  total: number
  /** The rows of this page. */
  rows: AppwriteRowLike[]
}

/** A page of documents, as the legacy `databases.listDocuments` returns it. */
export interface DocumentListLike {
  /** How many documents match. */
  total: number
  /** The documents of this page. */
  documents: AppwriteRowLike[]
}

/** What `createTransaction`, `createOperations` and `updateTransaction` resolve to. */
export interface TransactionLike {
  /** Transaction id. */
  $id: string
}

/** Parameters naming one row. */
export interface RowRef {
  databaseId: string
  tableId: string
  rowId: string
  transactionId?: string
}

/** Parameters of `createRow`. */
export interface CreateRowArgs extends RowRef {
  data: Record<string, unknown>
  permissions?: string[]
}

/** Parameters of `updateRow` (PATCH) and `upsertRow` (PUT). */
export interface WriteRowArgs extends RowRef {
  data?: Record<string, unknown>
  permissions?: string[]
}

/** Parameters of `listRows`. */
export interface ListRowsArgs {
  databaseId: string
  tableId: string
  queries?: string[]
  transactionId?: string
  total?: boolean
}

/** One staged operation of a transaction (TablesDB form). */
export interface TransactionOperation {
  /** `create`, `update`, `upsert`, `delete`, … */
  action: string
  databaseId: string
  tableId?: string
  rowId?: string
  /** Legacy form: collection id. */
  collectionId?: string
  /** Legacy form: document id. */
  documentId?: string
  /** Column values; `$permissions` inside sets the row's permissions. */
  data?: Record<string, unknown>
}

/**
 * The transaction methods (Appwrite 1.8+) that both `TablesDB` and the legacy `Databases` service
 * carry. Each is optional: without them the guard runs in saga mode.
 */
export interface TransactionsLike {
  createTransaction?(params?: { ttl?: number }): Promise<TransactionLike>
  createOperations?(params: {
    transactionId: string
    operations?: object[]
  }): Promise<TransactionLike>
  updateTransaction?(params: {
    transactionId: string
    commit?: boolean
    rollback?: boolean
  }): Promise<TransactionLike>
}

/**
 * The part of Appwrite's `TablesDB` service booking-guard uses, in the object-argument form: the
 * `appwrite@27` web SDK's `TablesDB`, `node-appwrite@27`'s, and `@booking-guard/testing`'s
 * `fake.tablesDB` all satisfy it. The transaction methods are optional: without them (or on a
 * server older than 1.8) the guard runs in saga mode.
 */
export interface TablesDBLike extends TransactionsLike {
  createRow(params: CreateRowArgs): Promise<AppwriteRowLike>
  getRow(params: RowRef & { queries?: string[] }): Promise<AppwriteRowLike>
  listRows(params: ListRowsArgs): Promise<RowListLike>
  updateRow(params: WriteRowArgs): Promise<AppwriteRowLike>
  upsertRow(params: WriteRowArgs): Promise<AppwriteRowLike>
  deleteRow(params: RowRef): Promise<object>
}

/** Parameters naming one document (legacy collections API). */
export interface DocumentRef {
  databaseId: string
  collectionId: string
  documentId: string
  transactionId?: string
}

/**
 * The legacy collections API (`Databases`) in the object-argument form, for Appwrite servers
 * before 1.8. `upsertDocument` (1.7+) and the transaction methods (1.8+) are optional.
 */
export interface DatabasesLike extends TransactionsLike {
  createDocument(
    params: DocumentRef & { data: Record<string, unknown>; permissions?: string[] },
  ): Promise<AppwriteRowLike>
  getDocument(params: DocumentRef & { queries?: string[] }): Promise<AppwriteRowLike>
  listDocuments(params: {
    databaseId: string
    collectionId: string
    queries?: string[]
    transactionId?: string
    total?: boolean
  }): Promise<DocumentListLike>
  updateDocument(
    params: DocumentRef & { data?: Record<string, unknown>; permissions?: string[] },
  ): Promise<AppwriteRowLike>
  upsertDocument?(
    params: DocumentRef & { data?: Record<string, unknown>; permissions?: string[] },
  ): Promise<AppwriteRowLike>
  deleteDocument(params: DocumentRef): Promise<object>
}

/** A realtime event as delivered to a subscription callback. */
export interface RealtimeEventLike {
  /** Event names, e.g. `databases.main.tables.bookings.rows.b1.create`. */
  events: string[]
  /** Channels the event was published on. */
  channels: string[]
  /** Server time of the event. */
  timestamp: string
  /** The row as written. */
  payload: unknown
}

/** What `realtime.subscribe` resolves to. */
export interface RealtimeSubscriptionLike {
  close(): Promise<void>
}

/**
 * The part of the SDK's `Realtime` service booking-guard will use (the provider feed and the
 * watchdog build on it): `new Realtime(client)` from `appwrite@27` and the fake's `realtime`
 * satisfy it. The booking pipeline itself does not subscribe.
 */
export interface RealtimeLike {
  subscribe(
    channels: string[],
    callback: (event: RealtimeEventLike) => void,
    queries?: string[],
  ): Promise<RealtimeSubscriptionLike>
}
