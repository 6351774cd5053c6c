// The transaction methods `FakeTablesDB` and `FakeDatabases` both have: the server keeps one list
// of transactions for the two APIs, so the fake serves both from one base class.
import { bindDataService, callTransactionMethod } from './dataRoutes'
import type { DataEngine } from './engine'
import type { Actor } from './permissions'
import type { Flavor } from './rowData'
import type { FakeTransaction, FakeTransactionList } from './types'

/** Parameters of {@link FakeTransactionsApi.createTransaction}. */
export interface CreateTransactionParams {
  /** Seconds before the transaction expires, 60 to 3,600. Defaults to `300`. */
  ttl?: number
}

/** Parameters of {@link FakeTransactionsApi.listTransactions}. */
export interface ListTransactionsParams {
  /** Query strings on `status`, `expiresAt`, `$id`, `$createdAt`, `$updatedAt`. */
  queries?: string[]
}

/** Parameters naming one transaction. */
export interface TransactionParams {
  /** Transaction id. */
  transactionId: string
}

/** Parameters of {@link FakeTransactionsApi.updateTransaction}: exactly one of `commit` / `rollback`. */
export interface UpdateTransactionParams {
  /** Transaction id. */
  transactionId: string
  /** `true` applies every staged operation, all or nothing. */
  commit?: boolean
  /** `true` discards them. */
  rollback?: boolean
}

/** Parameters of {@link FakeTransactionsApi.createOperations}. */
export interface CreateOperationsParams {
  /** Transaction id. */
  transactionId: string
  /**
   * Operations to stage, each `{ action, databaseId, tableId, rowId?, data? }` (`collectionId` /
   * `documentId` on the Databases API). Actions: `create`, `update`, `upsert`, `delete`,
   * `increment` / `decrement` (`data: { column, value?, max? / min? }`), and for API keys
   * `bulkCreate` / `bulkUpsert` (`data`: rows), `bulkUpdate` (`data: { data, queries }`),
   * `bulkDelete` (`data: { queries }`). Row permissions go in `data.$permissions`.
   */
  operations?: object[]
}

/**
 * The transaction methods of `TablesDB` and the legacy `Databases`, which share one list of
 * transactions. Not created directly: `fake.tablesDB` and `fake.databases` extend it.
 *
 * @example
 * ```ts
 * const { tablesDB, databases } = createFakeAppwrite()
 * const tx = await tablesDB.createTransaction()
 * await databases.getTransaction({ transactionId: tx.$id }) // the same transaction
 * ```
 */
export class FakeTransactionsApi {
  readonly #engine: DataEngine
  readonly #flavor: Flavor
  readonly #actor: Actor | undefined

  /** @internal Use `createFakeAppwrite()`. */
  constructor(engine: DataEngine, flavor: Flavor, actor: Actor | undefined) {
    this.#engine = engine
    this.#flavor = flavor
    this.#actor = actor
    bindDataService(this, engine, flavor, actor)
  }

  /** Lists the transactions this caller may see (an API key sees all): `{ total, transactions }`. `tablesDB` and `databases` share one list. */
  listTransactions(params?: ListTransactionsParams): Promise<FakeTransactionList>
  /** @deprecated Use the object parameter style method. */
  listTransactions(queries?: string[]): Promise<FakeTransactionList>
  listTransactions(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'listTransactions', args)
  }

  /**
   * Starts a transaction that expires after `ttl` seconds (60–3,600, default 300) on the fake's
   * clock. Stage writes by passing its `$id` as `transactionId`, or with `createOperations`,
   * then `updateTransaction({ transactionId, commit: true })`.
   *
   * @example
   * ```ts
   * const tx = await tablesDB.createTransaction({ ttl: 60 })
   * await tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', data: { status: 'pending' }, transactionId: tx.$id })
   * await tablesDB.createRow({ databaseId: 'main', tableId: 'chat_rooms', rowId: 'b1', data: { bookingId: 'b1' }, transactionId: tx.$id })
   * await tablesDB.updateTransaction({ transactionId: tx.$id, commit: true }) // both rows, or neither
   * // The legacy API shares the list: `databases.createTransaction()` makes the same kind.
   * ```
   */
  createTransaction(params?: CreateTransactionParams): Promise<FakeTransaction>
  /** @deprecated Use the object parameter style method. */
  createTransaction(ttl?: number): Promise<FakeTransaction>
  createTransaction(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'createTransaction', args)
  }

  /** Gets a transaction (`transaction_not_found` when this caller may not see it). */
  getTransaction(params: TransactionParams): Promise<FakeTransaction>
  /** @deprecated Use the object parameter style method. */
  getTransaction(transactionId: string): Promise<FakeTransaction>
  getTransaction(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'getTransaction', args)
  }

  /**
   * Commits (`commit: true`) or rolls back (`rollback: true`) a pending transaction. A commit
   * applies every operation or none: a duplicate id, a unique index, a row changed outside the
   * transaction since it was staged (`transaction_conflict`), an invalid structure or a missing
   * row fails it, leaves storage untouched and marks it `failed`. Realtime events go out once it
   * committed, one per single-row operation. Fault rules see it as `operation: 'updateTransaction'`.
   */
  updateTransaction(params: UpdateTransactionParams): Promise<FakeTransaction>
  /** @deprecated Use the object parameter style method. */
  updateTransaction(
    transactionId: string,
    commit?: boolean,
    rollback?: boolean,
  ): Promise<FakeTransaction>
  updateTransaction(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'updateTransaction', args)
  }

  /** Deletes a transaction and its staged operations; resolves to `{}`. */
  deleteTransaction(params: TransactionParams): Promise<Record<string, never>>
  /** @deprecated Use the object parameter style method. */
  deleteTransaction(transactionId: string): Promise<Record<string, never>>
  deleteTransaction(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'deleteTransaction', args)
  }

  /** Stages several operations at once, all or none (at most 100 per transaction); `collectionId` / `documentId` keys on `databases`. */
  createOperations(params: CreateOperationsParams): Promise<FakeTransaction>
  /** @deprecated Use the object parameter style method. */
  createOperations(transactionId: string, operations?: object[]): Promise<FakeTransaction>
  createOperations(...args: unknown[]): Promise<unknown> {
    return callTransactionMethod(this.#engine, this.#flavor, this.#actor, 'createOperations', args)
  }
}
