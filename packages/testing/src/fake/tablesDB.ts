import { callRowMethod } from './dataRoutes'
import type { DataEngine } from './engine'
import type { Actor } from './permissions'
import { TABLES_FLAVOR } from './rowData'
import { FakeTransactionsApi } from './transactionsApi'
import type { FakeDefaultRow, FakeRow, FakeRowList, PartialRowData, RowData } from './types'

/** Parameters of {@link FakeTablesDB.listRows}, as `appwrite@27`'s `tablesDB.listRows`. */
export interface ListRowsParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Query strings from the SDK's `Query` helper. At most 100, each at most 4,096 chars. */
  queries?: string[]
  /** Transaction to read through: the result includes its staged writes. An unknown or finished transaction reads committed rows. */
  transactionId?: string
  /** `false` skips counting: `total` is `0`. Defaults to `true`. */
  total?: boolean
  /** Accepted (0 to 86,400) and ignored: the fake never serves cached lists. */
  ttl?: number
}

/**
 * The deprecated positional form of {@link ListRowsParams}, in the SDK's order.
 *
 * @inline
 */
type ListRowsArgs = [
  databaseId: string,
  tableId: string,
  queries?: string[],
  transactionId?: string,
  total?: boolean,
  ttl?: number,
]

/** Parameters of {@link FakeTablesDB.createRow}. */
export interface CreateRowParams<Row extends FakeRow = FakeDefaultRow> {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id: `[A-Za-z0-9._-]`, at most 36 chars, not starting with `_`, `.` or `-`; `'unique()'` lets the fake pick one. */
  rowId: string
  /** Column values. `$`-prefixed system fields in it are ignored, as the server ignores them. */
  data: RowData<Row>
  /**
   * Permission strings stored as `$permissions`; `write(…)` expands to `update(…)` + `delete(…)`.
   * Defaults to `[]` for an API key, and to read/update/delete for `user:ID` when acting as a user.
   */
  permissions?: string[]
  /** Transaction to stage in: the row is written when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link CreateRowParams}, in the SDK's order.
 *
 * @inline
 */
type CreateRowArgs<Row extends FakeRow = FakeDefaultRow> = [
  databaseId: string,
  tableId: string,
  rowId: string,
  data: RowData<Row>,
  permissions?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.getRow}. */
export interface GetRowParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id. */
  rowId: string
  /** Only `Query.select(...)` is allowed here, as on the server. */
  queries?: string[]
  /** Transaction to read through: the result includes its staged writes. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link GetRowParams}, in the SDK's order.
 *
 * @inline
 */
type GetRowArgs = [
  databaseId: string,
  tableId: string,
  rowId: string,
  queries?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.updateRow} and {@link FakeTablesDB.upsertRow}. */
export interface WriteRowParams<Row extends FakeRow = FakeDefaultRow> {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id. */
  rowId: string
  /** Columns to set. */
  data?: PartialRowData<Row>
  /** New permissions; the row keeps its own when left out. */
  permissions?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link WriteRowParams}, in the SDK's order.
 *
 * @inline
 */
type WriteRowArgs<Row extends FakeRow = FakeDefaultRow> = [
  databaseId: string,
  tableId: string,
  rowId: string,
  data?: PartialRowData<Row>,
  permissions?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.deleteRow}. */
export interface DeleteRowParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id. */
  rowId: string
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DeleteRowParams}, in the SDK's order.
 *
 * @inline
 */
type DeleteRowArgs = [databaseId: string, tableId: string, rowId: string, transactionId?: string]

/** Parameters of {@link FakeTablesDB.incrementRowColumn}. */
export interface IncrementRowColumnParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id. */
  rowId: string
  /** A numeric column. */
  column: string
  /** Amount to add, greater than 0. Defaults to `1`. */
  value?: number
  /** Fails with `column_limit_exceeded` when the result would exceed it. */
  max?: number
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link IncrementRowColumnParams}, in the SDK's order.
 *
 * @inline
 */
type IncrementRowColumnArgs = [
  databaseId: string,
  tableId: string,
  rowId: string,
  column: string,
  value?: number,
  max?: number,
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.decrementRowColumn}. */
export interface DecrementRowColumnParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Row id. */
  rowId: string
  /** A numeric column. */
  column: string
  /** Amount to subtract, greater than 0. Defaults to `1`. */
  value?: number
  /** Fails with `column_limit_exceeded` when the result would go below it. */
  min?: number
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DecrementRowColumnParams}, in the SDK's order.
 *
 * @inline
 */
type DecrementRowColumnArgs = [
  databaseId: string,
  tableId: string,
  rowId: string,
  column: string,
  value?: number,
  min?: number,
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.createRows} and {@link FakeTablesDB.upsertRows} (node-appwrite). */
export interface BulkRowsParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** At most 100 rows; each may carry `$id` (else the fake picks one) and `$permissions`. */
  rows: object[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link BulkRowsParams}, in the SDK's order.
 *
 * @inline
 */
type BulkRowsArgs = [databaseId: string, tableId: string, rows: object[], transactionId?: string]

/** Parameters of {@link FakeTablesDB.updateRows} (node-appwrite). */
export interface UpdateRowsParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Columns to set on every matching row. */
  data?: object
  /** Filters (and optionally limit/order) choosing the rows; all rows when left out. */
  queries?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link UpdateRowsParams}, in the SDK's order.
 *
 * @inline
 */
type UpdateRowsArgs = [
  databaseId: string,
  tableId: string,
  data?: object,
  queries?: string[],
  transactionId?: string,
]

/** Parameters of {@link FakeTablesDB.deleteRows} (node-appwrite). */
export interface DeleteRowsParams {
  /** Database id. */
  databaseId: string
  /** Table id. */
  tableId: string
  /** Filters choosing the rows; all rows when left out. */
  queries?: string[]
  /** Transaction to stage in: the write happens when the transaction commits. */
  transactionId?: string
}

/**
 * The deprecated positional form of {@link DeleteRowsParams}, in the SDK's order.
 *
 * @inline
 */
type DeleteRowsArgs = [
  databaseId: string,
  tableId: string,
  queries?: string[],
  transactionId?: string,
]

const F = TABLES_FLAVOR

/**
 * The fake's `TablesDB`: the object-argument (and deprecated positional) methods of `appwrite@27`'s
 * `TablesDB`, plus node-appwrite's bulk methods, on in-memory storage. Obtain one from
 * `createFakeAppwrite()`.
 *
 * @example
 * ```ts
 * const { tablesDB } = createFakeAppwrite()
 * await tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', data: { status: 'pending' } })
 * const { rows } = await tablesDB.listRows({ databaseId: 'main', tableId: 'bookings', queries: [Query.equal('status', 'pending')] })
 * ```
 */
export class FakeTablesDB extends FakeTransactionsApi {
  readonly #engine: DataEngine
  readonly #actor: Actor | undefined

  /** @internal Use `createFakeAppwrite()` (or `fake.as(…)` for a user's view). */
  constructor(engine: DataEngine, actor?: Actor) {
    super(engine, F, actor)
    this.#engine = engine
    this.#actor = actor
  }

  /** Lists rows matching the queries: `{ total, rows }`, 25 rows unless `Query.limit` says otherwise. */
  listRows<Row extends FakeRow = FakeDefaultRow>(params: ListRowsParams): Promise<FakeRowList<Row>>
  /** @deprecated Use the object parameter style method. */
  listRows<Row extends FakeRow = FakeDefaultRow>(...args: ListRowsArgs): Promise<FakeRowList<Row>>
  listRows(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'list', args)
  }

  /** Creates a row. */
  createRow<Row extends FakeRow = FakeDefaultRow>(params: CreateRowParams<Row>): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  createRow<Row extends FakeRow = FakeDefaultRow>(...args: CreateRowArgs<Row>): Promise<Row>
  createRow(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'create', args)
  }

  /** Gets a row by id. */
  getRow<Row extends FakeRow = FakeDefaultRow>(params: GetRowParams): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  getRow<Row extends FakeRow = FakeDefaultRow>(...args: GetRowArgs): Promise<Row>
  getRow(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'get', args)
  }

  /** Creates the row, or merges `data` into it when it exists (PUT). */
  upsertRow<Row extends FakeRow = FakeDefaultRow>(params: WriteRowParams<Row>): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  upsertRow<Row extends FakeRow = FakeDefaultRow>(...args: WriteRowArgs<Row>): Promise<Row>
  upsertRow(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'upsert', args)
  }

  /** Updates the given columns of a row (PATCH). */
  updateRow<Row extends FakeRow = FakeDefaultRow>(params: WriteRowParams<Row>): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  updateRow<Row extends FakeRow = FakeDefaultRow>(...args: WriteRowArgs<Row>): Promise<Row>
  updateRow(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'update', args)
  }

  /** Deletes a row; resolves to `{}` like the SDK's 204. */
  deleteRow(params: DeleteRowParams): Promise<Record<string, never>>
  /** @deprecated Use the object parameter style method. */
  deleteRow(...args: DeleteRowArgs): Promise<Record<string, never>>
  deleteRow(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'delete', args)
  }

  /** Subtracts `value` (default 1) from a numeric column, refusing to go below `min`. */
  decrementRowColumn<Row extends FakeRow = FakeDefaultRow>(
    params: DecrementRowColumnParams,
  ): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  decrementRowColumn<Row extends FakeRow = FakeDefaultRow>(
    ...args: DecrementRowColumnArgs
  ): Promise<Row>
  decrementRowColumn(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'decrement', args)
  }

  /** Adds `value` (default 1) to a numeric column, refusing to exceed `max`. */
  incrementRowColumn<Row extends FakeRow = FakeDefaultRow>(
    params: IncrementRowColumnParams,
  ): Promise<Row>
  /** @deprecated Use the object parameter style method. */
  incrementRowColumn<Row extends FakeRow = FakeDefaultRow>(
    ...args: IncrementRowColumnArgs
  ): Promise<Row>
  incrementRowColumn(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'increment', args)
  }

  /** Creates up to 100 rows, all or none (node-appwrite). */
  createRows<Row extends FakeRow = FakeDefaultRow>(
    params: BulkRowsParams,
  ): Promise<FakeRowList<Row>>
  /** @deprecated Use the object parameter style method. */
  createRows<Row extends FakeRow = FakeDefaultRow>(...args: BulkRowsArgs): Promise<FakeRowList<Row>>
  createRows(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'createMany', args)
  }

  /** Creates or merges up to 100 rows; lists the ones that changed (node-appwrite). */
  upsertRows<Row extends FakeRow = FakeDefaultRow>(
    params: BulkRowsParams,
  ): Promise<FakeRowList<Row>>
  /** @deprecated Use the object parameter style method. */
  upsertRows<Row extends FakeRow = FakeDefaultRow>(...args: BulkRowsArgs): Promise<FakeRowList<Row>>
  upsertRows(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'upsertMany', args)
  }

  /** Sets `data` on every row the queries match; `total` counts them, `rows` lists the first 100 (node-appwrite). */
  updateRows<Row extends FakeRow = FakeDefaultRow>(
    params: UpdateRowsParams,
  ): Promise<FakeRowList<Row>>
  /** @deprecated Use the object parameter style method. */
  updateRows<Row extends FakeRow = FakeDefaultRow>(
    ...args: UpdateRowsArgs
  ): Promise<FakeRowList<Row>>
  updateRows(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'updateMany', args)
  }

  /** Deletes every row the queries match; `total` counts them, `rows` lists the first 100 (node-appwrite). */
  deleteRows<Row extends FakeRow = FakeDefaultRow>(
    params: DeleteRowsParams,
  ): Promise<FakeRowList<Row>>
  /** @deprecated Use the object parameter style method. */
  deleteRows<Row extends FakeRow = FakeDefaultRow>(
    ...args: DeleteRowsArgs
  ): Promise<FakeRowList<Row>>
  deleteRows(...args: unknown[]): Promise<unknown> {
    return callRowMethod(this.#engine, F, this.#actor, 'deleteMany', args)
  }
}
