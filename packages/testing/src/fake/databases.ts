import { callRowMethod } from './dataRoutes'
import type { DataEngine } from './engine'
import type { Actor } from './permissions'
import { COLLECTIONS_FLAVOR } from './rowData'
import { FakeTransactionsApi } from './transactionsApi'
import type {
  DocumentData,
  FakeDefaultDocument,
  FakeDocument,
  FakeDocumentList,
  PartialDocumentData,
} from './types'

/** Parameters of {@link FakeDatabases.listDocuments}, as `appwrite@27`'s `databases.listDocuments`. */
export interface ListDocumentsParams {
  /** Database id. */
  databaseId: string
  /** Collection id (the same storage as the table of that id). */
  collectionId: string
  /** Query strings from the SDK's `Query` helper. */
  queries?: string[]
  /** Transaction to read through: the result includes its staged writes. An unknown or finished transaction reads committed documents. */
  transactionId?: string
  /** `false` skips counting: `total` is `0`. Defaults to `true`. */
  total?: boolean
  /** Accepted (0 to 86,400) and ignored. */
  ttl?: number
}

/**
 * The deprecated positional form of {@link ListDocumentsParams}, in the SDK's order.
 *
 * @inline
 */
type ListDocumentsArgs = [
  databaseId: string,
  collectionId: string,
  queries?: string[],
  transactionId?: string,
  total?: boolean,
  ttl?: number,
]

/** Parameters of {@link FakeDatabases.createDocument}. */
export interface CreateDocumentParams<Document extends FakeDocument = FakeDefaultDocument> {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id, or `'unique()'` to let the fake pick one. */
  documentId: string
  /** Attribute values. */
  data: DocumentData<Document>
  /** Permission strings stored as `$permissions`. Defaults to `[]`. */
  permissions?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link CreateDocumentParams}, in the SDK's order.
 *
 * @inline
 */
type CreateDocumentArgs<Document extends FakeDocument = FakeDefaultDocument> = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  data: DocumentData<Document>,
  permissions?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.getDocument}. */
export interface GetDocumentParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id. */
  documentId: string
  /** Only `Query.select(...)` is allowed here. */
  queries?: string[]
  /** Transaction to read through: the result includes its staged writes. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link GetDocumentParams}, in the SDK's order.
 *
 * @inline
 */
type GetDocumentArgs = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  queries?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.updateDocument} and {@link FakeDatabases.upsertDocument}. */
export interface WriteDocumentParams<Document extends FakeDocument = FakeDefaultDocument> {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id. */
  documentId: string
  /** Attributes to set. */
  data?: PartialDocumentData<Document>
  /** New permissions; the document keeps its own when left out. */
  permissions?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link WriteDocumentParams}, in the SDK's order.
 *
 * @inline
 */
type WriteDocumentArgs<Document extends FakeDocument = FakeDefaultDocument> = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  data?: PartialDocumentData<Document>,
  permissions?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.deleteDocument}. */
export interface DeleteDocumentParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id. */
  documentId: string
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DeleteDocumentParams}, in the SDK's order.
 *
 * @inline
 */
type DeleteDocumentArgs = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.incrementDocumentAttribute}. */
export interface IncrementDocumentAttributeParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id. */
  documentId: string
  /** A numeric attribute. */
  attribute: string
  /** Amount to add, greater than 0. Defaults to `1`. */
  value?: number
  /** Fails with `attribute_limit_exceeded` when the result would exceed it. */
  max?: number
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link IncrementDocumentAttributeParams}, in the SDK's order.
 *
 * @inline
 */
type IncrementDocumentAttributeArgs = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  attribute: string,
  value?: number,
  max?: number,
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.decrementDocumentAttribute}. */
export interface DecrementDocumentAttributeParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Document id. */
  documentId: string
  /** A numeric attribute. */
  attribute: string
  /** Amount to subtract, greater than 0. Defaults to `1`. */
  value?: number
  /** Fails with `attribute_limit_exceeded` when the result would go below it. */
  min?: number
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DecrementDocumentAttributeParams}, in the SDK's order.
 *
 * @inline
 */
type DecrementDocumentAttributeArgs = [
  databaseId: string,
  collectionId: string,
  documentId: string,
  attribute: string,
  value?: number,
  min?: number,
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.createDocuments} and {@link FakeDatabases.upsertDocuments} (node-appwrite). */
export interface BulkDocumentsParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** At most 100 documents; each may carry `$id` and `$permissions`. */
  documents: object[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link BulkDocumentsParams}, in the SDK's order.
 *
 * @inline
 */
type BulkDocumentsArgs = [
  databaseId: string,
  collectionId: string,
  documents: object[],
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.updateDocuments} (node-appwrite). */
export interface UpdateDocumentsParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Attributes to set on every matching document. */
  data?: object
  /** Filters choosing the documents; all when left out. */
  queries?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link UpdateDocumentsParams}, in the SDK's order.
 *
 * @inline
 */
type UpdateDocumentsArgs = [
  databaseId: string,
  collectionId: string,
  data?: object,
  queries?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeDatabases.deleteDocuments} (node-appwrite). */
export interface DeleteDocumentsParams {
  /** Database id. */
  databaseId: string
  /** Collection id. */
  collectionId: string
  /** Filters choosing the documents; all when left out. */
  queries?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DeleteDocumentsParams}, in the SDK's order.
 *
 * @inline
 */
type DeleteDocumentsArgs = [
  databaseId: string,
  collectionId: string,
  queries?: string[],
  transactionId?: string,
]

const F = COLLECTIONS_FLAVOR

/**
 * The fake's legacy `Databases` (collections and documents), deprecated on the server since 1.8 in
 * favour of TablesDB and mirrored onto the same storage: a document written here is a row of the
 * table with the collection's id. Obtain one from `createFakeAppwrite()`.
 *
 * @example
 * ```ts
 * const { databases, tablesDB } = createFakeAppwrite()
 * await databases.createDocument({ databaseId: 'main', collectionId: 'bookings', documentId: 'b1', data: { status: 'pending' } })
 * await tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1' }) // the same record
 * ```
 */
export class FakeDatabases extends FakeTransactionsApi {
  readonly #engine: DataEngine
  readonly #actor: Actor | undefined

  /** @internal Use `createFakeAppwrite()` (or `fake.as(…)` for a user's view). */
  constructor(engine: DataEngine, actor?: Actor) {
    super(engine, F, actor)
    this.#engine = engine
    this.#actor = actor
  }

  /** Lists documents matching the queries: `{ total, documents }`. */
  listDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    params: ListDocumentsParams,
  ): Promise<FakeDocumentList<Document>>
  /** @deprecated Use the object parameter style method. */
  listDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: ListDocumentsArgs
  ): Promise<FakeDocumentList<Document>>
  listDocuments(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'list', args)
  }

  /** Creates a document. */
  createDocument<Document extends FakeDocument = FakeDefaultDocument>(
    params: CreateDocumentParams<Document>,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  createDocument<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: CreateDocumentArgs<Document>
  ): Promise<Document>
  createDocument(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'create', args)
  }

  /** Gets a document by id. */
  getDocument<Document extends FakeDocument = FakeDefaultDocument>(
    params: GetDocumentParams,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  getDocument<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: GetDocumentArgs
  ): Promise<Document>
  getDocument(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'get', args)
  }

  /** Creates the document, or merges `data` into it when it exists. */
  upsertDocument<Document extends FakeDocument = FakeDefaultDocument>(
    params: WriteDocumentParams<Document>,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  upsertDocument<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: WriteDocumentArgs<Document>
  ): Promise<Document>
  upsertDocument(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'upsert', args)
  }

  /** Updates the given attributes of a document. */
  updateDocument<Document extends FakeDocument = FakeDefaultDocument>(
    params: WriteDocumentParams<Document>,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  updateDocument<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: WriteDocumentArgs<Document>
  ): Promise<Document>
  updateDocument(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'update', args)
  }

  /** Deletes a document; resolves to `{}`. */
  deleteDocument(params: DeleteDocumentParams): Promise<Record<string, never>>
  /** @deprecated Use the object parameter style method. */
  deleteDocument(...args: DeleteDocumentArgs): Promise<Record<string, never>>
  deleteDocument(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'delete', args)
  }

  /** Subtracts `value` (default 1) from a numeric attribute, refusing to go below `min`. */
  decrementDocumentAttribute<Document extends FakeDocument = FakeDefaultDocument>(
    params: DecrementDocumentAttributeParams,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  decrementDocumentAttribute<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: DecrementDocumentAttributeArgs
  ): Promise<Document>
  decrementDocumentAttribute(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'decrement', args)
  }

  /** Adds `value` (default 1) to a numeric attribute, refusing to exceed `max`. */
  incrementDocumentAttribute<Document extends FakeDocument = FakeDefaultDocument>(
    params: IncrementDocumentAttributeParams,
  ): Promise<Document>
  /** @deprecated Use the object parameter style method. */
  incrementDocumentAttribute<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: IncrementDocumentAttributeArgs
  ): Promise<Document>
  incrementDocumentAttribute(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'increment', args)
  }

  /** Creates up to 100 documents, all or none (node-appwrite). */
  createDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    params: BulkDocumentsParams,
  ): Promise<FakeDocumentList<Document>>
  /** @deprecated Use the object parameter style method. */
  createDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: BulkDocumentsArgs
  ): Promise<FakeDocumentList<Document>>
  createDocuments(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'createMany', args)
  }

  /** Creates or merges up to 100 documents; lists the ones that changed (node-appwrite). */
  upsertDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    params: BulkDocumentsParams,
  ): Promise<FakeDocumentList<Document>>
  /** @deprecated Use the object parameter style method. */
  upsertDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: BulkDocumentsArgs
  ): Promise<FakeDocumentList<Document>>
  upsertDocuments(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'upsertMany', args)
  }

  /** Sets `data` on every document the queries match (node-appwrite). */
  updateDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    params: UpdateDocumentsParams,
  ): Promise<FakeDocumentList<Document>>
  /** @deprecated Use the object parameter style method. */
  updateDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: UpdateDocumentsArgs
  ): Promise<FakeDocumentList<Document>>
  updateDocuments(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'updateMany', args)
  }

  /** Deletes every document the queries match (node-appwrite). */
  deleteDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    params: DeleteDocumentsParams,
  ): Promise<FakeDocumentList<Document>>
  /** @deprecated Use the object parameter style method. */
  deleteDocuments<Document extends FakeDocument = FakeDefaultDocument>(
    ...args: DeleteDocumentsArgs
  ): Promise<FakeDocumentList<Document>>
  deleteDocuments(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'deleteMany', args)
  }
}
