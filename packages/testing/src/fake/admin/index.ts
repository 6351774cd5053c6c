// The fake's admin: node-appwrite's `TablesDB` management methods as one thin facade over the
// parts in this folder (databases, tables, columns, indexes), which share one `AdminContext`.
import type { ColumnArgs } from './columnKinds'
import { AdminColumns } from './columns'
import { AdminContext } from './context'
import type { FakeTablesDBAdminOptions } from './context'
import { AdminDatabases } from './databases'
import { AdminIndexes } from './indexes'
import type {
  FakeColumnBooleanModel,
  FakeColumnDatetimeModel,
  FakeColumnEnumModel,
  FakeColumnFloatModel,
  FakeColumnFormatModel,
  FakeColumnIntegerModel,
  FakeColumnList,
  FakeColumnStringModel,
  FakeColumnTextModel,
  FakeColumnVarcharModel,
  FakeDatabaseList,
  FakeDatabaseModel,
  FakeGetColumnModel,
  FakeIndexList,
  FakeIndexModel,
  FakeTableList,
  FakeTableModel,
} from './models'
import type {
  AdminDatabaseParams,
  AdminKeyParams,
  AdminTableParams,
  Args,
  CreateDatabaseParams,
  CreateIndexParams,
  CreateTableParams,
  ListColumnsParams,
  ListDatabasesParams,
  ListTablesParams,
  SetSchemaStatusParams,
  UpdateDatabaseParams,
  UpdateTableParams,
} from './params'
import { AdminTables } from './tables'

export { ColumnStatus, DatabaseType } from './models'
export type * from './models'
export type * from './params'
export type { FakeTablesDBAdminOptions } from './context'

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
  readonly #ctx: AdminContext
  readonly #databases: AdminDatabases
  readonly #tables: AdminTables
  readonly #columns: AdminColumns
  readonly #indexes: AdminIndexes

  /** @internal Use `createFakeAppwrite().admin`. */
  constructor(options: FakeTablesDBAdminOptions) {
    this.#ctx = new AdminContext(options)
    this.#databases = new AdminDatabases(this.#ctx)
    this.#columns = new AdminColumns(this.#ctx)
    this.#indexes = new AdminIndexes(this.#ctx)
    this.#tables = new AdminTables(this.#ctx, this.#columns, this.#indexes)
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
    this.#ctx.pause()
  }

  /** Test hook: runs the schema jobs held since {@link FakeTablesDBAdmin.pauseWorker}, in order, and stops holding new ones. */
  resumeWorker(): void {
    this.#ctx.resume()
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
    this.#columns.setStatus(params)
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
    this.#indexes.setStatus(params)
  }

  /**
   * Back to the schema of `createFakeAppwrite({ databases })`, worker running, nothing held.
   * `fake.reset()` calls it.
   *
   * @internal
   */
  reset(): void {
    this.#ctx.reset()
  }

  /* ---------------------------------------------------------------------------------------------
   * Databases
   * ------------------------------------------------------------------------------------------ */

  /** Lists the declared databases: `{ total, databases }`; `queries` may filter on `name`. */
  list(
    ...args: [params?: ListDatabasesParams] | [queries?: string[], search?: string, total?: boolean]
  ): Promise<FakeDatabaseList> {
    return this.#databases.list(args)
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
    return this.#databases.create(args)
  }

  /** Gets a database (`database_not_found`, 404). */
  get(...args: Args<AdminDatabaseParams, [databaseId: string]>): Promise<FakeDatabaseModel> {
    return this.#databases.get(args)
  }

  /** Renames or enables/disables a database. `enabled` defaults to `true`, as on the server. */
  update(
    ...args: Args<
      UpdateDatabaseParams,
      [databaseId: string, name?: string, enabled?: boolean, replicas?: number]
    >
  ): Promise<FakeDatabaseModel> {
    return this.#databases.update(args)
  }

  /** Deletes a database with its tables and rows; resolves to `{}`. */
  delete(...args: Args<AdminDatabaseParams, [databaseId: string]>): Promise<Record<string, never>> {
    return this.#databases.delete(args)
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
    return this.#tables.list(args)
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
    return this.#tables.create(args)
  }

  /** Gets a table with every column and index (`table_not_found`, 404). */
  getTable(
    ...args: Args<AdminTableParams, [databaseId: string, tableId: string]>
  ): Promise<FakeTableModel> {
    return this.#tables.get(args)
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
    return this.#tables.update(args)
  }

  /** Deletes a table and its rows; resolves to `{}`. */
  deleteTable(
    ...args: Args<AdminTableParams, [databaseId: string, tableId: string]>
  ): Promise<Record<string, never>> {
    return this.#tables.delete(args)
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
    return this.#columns.list(args)
  }

  /** Gets one column (`column_not_found`, 404). */
  getColumn(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<FakeGetColumnModel> {
    return this.#columns.get(args)
  }

  /**
   * Deletes a column: `deleting`, then gone (with its values in stored rows, and from the indexes
   * that name it). Resolves to `{}`.
   */
  deleteColumn(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<Record<string, never>> {
    return this.#columns.delete(args)
  }

  /** Creates a `string` column (deprecated by the server since 1.9 in favour of varchar/text, still served). */
  createStringColumn(...args: ColumnArgs<'string', 'create'>): Promise<FakeColumnStringModel> {
    return this.#columns.create('string', args)
  }

  /** Updates a `string` column: `required`, `xdefault` (required by the SDK; `null` for none), `size`, `newKey`. */
  updateStringColumn(...args: ColumnArgs<'string', 'update'>): Promise<FakeColumnStringModel> {
    return this.#columns.update('string', args)
  }

  /** Creates a `varchar` column (server 1.9), at most 16,381 chars. */
  createVarcharColumn(...args: ColumnArgs<'varchar', 'create'>): Promise<FakeColumnVarcharModel> {
    return this.#columns.create('varchar', args)
  }

  /** Updates a `varchar` column. */
  updateVarcharColumn(...args: ColumnArgs<'varchar', 'update'>): Promise<FakeColumnVarcharModel> {
    return this.#columns.update('varchar', args)
  }

  /** Creates a `text` column (65,535 bytes). */
  createTextColumn(...args: ColumnArgs<'text', 'create'>): Promise<FakeColumnTextModel> {
    return this.#columns.create('text', args)
  }

  /** Updates a `text` column. */
  updateTextColumn(...args: ColumnArgs<'text', 'update'>): Promise<FakeColumnTextModel> {
    return this.#columns.update('text', args)
  }

  /** Creates a `mediumtext` column (16 MiB). */
  createMediumtextColumn(
    ...args: ColumnArgs<'mediumtext', 'create'>
  ): Promise<FakeColumnTextModel> {
    return this.#columns.create('mediumtext', args)
  }

  /** Updates a `mediumtext` column. */
  updateMediumtextColumn(
    ...args: ColumnArgs<'mediumtext', 'update'>
  ): Promise<FakeColumnTextModel> {
    return this.#columns.update('mediumtext', args)
  }

  /** Creates a `longtext` column. */
  createLongtextColumn(...args: ColumnArgs<'longtext', 'create'>): Promise<FakeColumnTextModel> {
    return this.#columns.create('longtext', args)
  }

  /** Updates a `longtext` column. */
  updateLongtextColumn(...args: ColumnArgs<'longtext', 'update'>): Promise<FakeColumnTextModel> {
    return this.#columns.update('longtext', args)
  }

  /** Creates an `integer` column; `min` / `max` default to the 64-bit bounds. */
  createIntegerColumn(...args: ColumnArgs<'integer', 'create'>): Promise<FakeColumnIntegerModel> {
    return this.#columns.create('integer', args)
  }

  /** Updates an `integer` column; `min` / `max` are kept when left out. */
  updateIntegerColumn(...args: ColumnArgs<'integer', 'update'>): Promise<FakeColumnIntegerModel> {
    return this.#columns.update('integer', args)
  }

  /** Creates a float column (reported as `double`). */
  createFloatColumn(...args: ColumnArgs<'float', 'create'>): Promise<FakeColumnFloatModel> {
    return this.#columns.create('float', args)
  }

  /** Updates a float column. */
  updateFloatColumn(...args: ColumnArgs<'float', 'update'>): Promise<FakeColumnFloatModel> {
    return this.#columns.update('float', args)
  }

  /** Creates a `boolean` column. */
  createBooleanColumn(...args: ColumnArgs<'boolean', 'create'>): Promise<FakeColumnBooleanModel> {
    return this.#columns.create('boolean', args)
  }

  /** Updates a `boolean` column. */
  updateBooleanColumn(...args: ColumnArgs<'boolean', 'update'>): Promise<FakeColumnBooleanModel> {
    return this.#columns.update('boolean', args)
  }

  /** Creates a `datetime` column. */
  createDatetimeColumn(
    ...args: ColumnArgs<'datetime', 'create'>
  ): Promise<FakeColumnDatetimeModel> {
    return this.#columns.create('datetime', args)
  }

  /** Updates a `datetime` column. */
  updateDatetimeColumn(
    ...args: ColumnArgs<'datetime', 'update'>
  ): Promise<FakeColumnDatetimeModel> {
    return this.#columns.update('datetime', args)
  }

  /** Creates an email column (`string`, format `email`, 254 chars). */
  createEmailColumn(...args: ColumnArgs<'email', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#columns.create('email', args)
  }

  /** Updates an email column. */
  updateEmailColumn(...args: ColumnArgs<'email', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#columns.update('email', args)
  }

  /** Creates a URL column (`string`, format `url`, 2,000 chars). */
  createUrlColumn(...args: ColumnArgs<'url', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#columns.create('url', args)
  }

  /** Updates a URL column. */
  updateUrlColumn(...args: ColumnArgs<'url', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#columns.update('url', args)
  }

  /** Creates an IP column (`string`, format `ip`, 39 chars). */
  createIpColumn(...args: ColumnArgs<'ip', 'create'>): Promise<FakeColumnFormatModel> {
    return this.#columns.create('ip', args)
  }

  /** Updates an IP column. */
  updateIpColumn(...args: ColumnArgs<'ip', 'update'>): Promise<FakeColumnFormatModel> {
    return this.#columns.update('ip', args)
  }

  /** Creates an enum column (`string`, format `enum`). */
  createEnumColumn(...args: ColumnArgs<'enum', 'create'>): Promise<FakeColumnEnumModel> {
    return this.#columns.create('enum', args)
  }

  /** Updates an enum column: the new `elements` replace the old ones. */
  updateEnumColumn(...args: ColumnArgs<'enum', 'update'>): Promise<FakeColumnEnumModel> {
    return this.#columns.update('enum', args)
  }

  /* ---------------------------------------------------------------------------------------------
   * Indexes
   * ------------------------------------------------------------------------------------------ */

  /** Lists a table's indexes: `{ total, indexes }`; `queries` may filter on `key`, `type`, `status`, `attributes`, `error`. */
  listIndexes(
    ...args: Args<
      ListColumnsParams,
      [databaseId: string, tableId: string, queries?: string[], total?: boolean]
    >
  ): Promise<FakeIndexList> {
    return this.#indexes.list(args)
  }

  /** Gets one index (`column_index_not_found`, 404). */
  getIndex(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<FakeIndexModel> {
    return this.#indexes.get(args)
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
    return this.#indexes.create(args)
  }

  /** Deletes an index: `deleting`, then gone. Resolves to `{}`. */
  deleteIndex(
    ...args: Args<AdminKeyParams, [databaseId: string, tableId: string, key: string]>
  ): Promise<Record<string, never>> {
    return this.#indexes.delete(args)
  }
}
