// What the admin's parts share: the schema registry, row storage, fault gate and id generator, the
// schema worker's queue, and the plumbing every route runs through.
import { objectArgs, requireParams } from '../engine'
import { runGated } from '../faults'
import { assertUid } from '../ids'
import type { IdGenerator } from '../ids'
import type { DatabaseEntry, SchemaRegistry, StoredColumn, TableEntry } from '../schema'
import type { RowStorage, StoredRow } from '../store'
import type { FaultGate } from '../types'
import { failFor } from './errors'
import type { Params } from './params'

/** What {@link FakeTablesDBAdmin} works on. @internal */
export interface FakeTablesDBAdminOptions {
  readonly schema: SchemaRegistry
  readonly storage: RowStorage
  readonly faults: FaultGate
  readonly ids: IdGenerator
}

/** One SDK method of the admin: its name, the order of its positional arguments, the ones it requires. @internal */
export interface AdminRoute {
  readonly operation: string
  readonly positional: readonly string[]
  readonly required: readonly string[]
}

/**
 * The state and plumbing the admin's databases, tables, columns and indexes share.
 *
 * @internal
 */
export class AdminContext {
  readonly schema: SchemaRegistry
  readonly storage: RowStorage
  readonly ids: IdGenerator
  readonly #faults: FaultGate
  #paused = false
  #jobs: Array<() => void> = []

  constructor(options: FakeTablesDBAdminOptions) {
    this.schema = options.schema
    this.storage = options.storage
    this.ids = options.ids
    this.#faults = options.faults
  }

  /**
   * Runs one SDK call: its arguments as an object, the SDK's synchronous missing-parameter check,
   * then the fault injector (like every data call), then the route.
   */
  run<T>(route: AdminRoute, args: readonly unknown[], body: (p: Params) => T): Promise<T> {
    const p = objectArgs(args, route.positional)
    requireParams(p, route.required)
    return runGated(
      this.#faults,
      {
        api: 'tablesDB',
        operation: route.operation,
        databaseId: typeof p.databaseId === 'string' ? p.databaseId : undefined,
        tableId: typeof p.tableId === 'string' ? p.tableId : undefined,
        params: p,
      },
      () => body(p),
    )
  }

  /** Runs a schema job now, or queues it while the worker is paused. */
  enqueue(job: () => void): void {
    if (this.#paused) this.#jobs.push(job)
    else job()
  }

  /** Holds schema jobs until {@link AdminContext.resume}. */
  pause(): void {
    this.#paused = true
  }

  /** Runs the held schema jobs, in order, and stops holding new ones. */
  resume(): void {
    this.#paused = false
    const jobs = this.#jobs
    this.#jobs = []
    for (const job of jobs) job()
  }

  /** Back to the declared schema, worker running, nothing held. */
  reset(): void {
    this.#paused = false
    this.#jobs = []
    this.schema.reset()
    this.ids.reset()
  }

  database(databaseId: unknown): DatabaseEntry {
    assertUid('databaseId', databaseId)
    const database = this.schema.database(databaseId)
    if (!database) throw failFor('database_not_found', databaseId)
    return database
  }

  table(databaseId: unknown, tableId: unknown): TableEntry {
    const database = this.database(databaseId)
    const table = typeof tableId === 'string' ? database.tables.get(tableId) : undefined
    if (!table) throw failFor('table_not_found', String(tableId))
    return table
  }

  /** Whether `entry` is still the registry's table (not deleted or replaced since). */
  current(entry: TableEntry): boolean {
    return this.schema.table(entry.databaseId, entry.tableId) === entry
  }

  now(): string {
    return this.schema.now()
  }

  /** Replaces a column (columns are immutable: the validators cache per column object). */
  putColumn(entry: TableEntry, column: StoredColumn): void {
    entry.columns ??= new Map()
    entry.columns.set(column.key, column)
    this.schema.refresh(entry)
  }

  rows(entry: TableEntry): StoredRow[] {
    const table = this.storage.table(entry.databaseId, entry.tableId)
    return table ? [...table.values()] : []
  }

  /** Rewrites stored rows of a table (the worker's `ALTER TABLE` on existing data). */
  rewriteRows(entry: TableEntry, change: (data: Record<string, unknown>) => boolean): void {
    const table = this.storage.table(entry.databaseId, entry.tableId)
    if (!table) return
    for (const row of [...table.values()]) {
      const data = { ...row.data }
      if (change(data)) table.put({ ...row, data })
    }
  }

  dropRows(databaseId: string, tableId: string): void {
    const table = this.storage.table(databaseId, tableId)
    if (!table) return
    for (const row of [...table.values()]) table.delete(row.$id)
  }
}
