// The database routes of the fake's admin: list, create, get, update, delete.
import { SERVER_PICKED_ID, assertCustomId, assertUid } from '../ids'
import type { AdminContext } from './context'
import { failFor } from './errors'
import { runList } from './list'
import { databaseModel } from './models'
import type { FakeDatabaseList, FakeDatabaseModel } from './models'
import type { Params } from './params'
import { assertBoolean, assertText, isNullish } from './validators'

const ID = ['databaseId']

/** The databases half of {@link FakeTablesDBAdmin}. @internal */
export class AdminDatabases {
  readonly #ctx: AdminContext

  constructor(ctx: AdminContext) {
    this.#ctx = ctx
  }

  list(args: readonly unknown[]): Promise<FakeDatabaseList> {
    const route = { operation: 'list', positional: ['queries', 'search', 'total'], required: [] }
    return this.#ctx.run(route, args, (p) => {
      const result = runList(
        {
          label: 'Database',
          attributes: { name: 'string' },
          items: [...this.#ctx.schema.databases()],
          id: (db) => db.databaseId,
          data: (db) => ({ name: db.name }),
          search: (db) => `${db.databaseId} ${db.name}`,
        },
        p,
        p.search,
      )
      return { total: result.total, databases: result.items.map(databaseModel) }
    })
  }

  create(args: readonly unknown[]): Promise<FakeDatabaseModel> {
    const positional = ['databaseId', 'name', 'enabled', 'specification', 'replicas']
    const route = { operation: 'create', positional, required: ['databaseId', 'name'] }
    return this.#ctx.run(route, args, (p) => {
      // appwrite src/Appwrite/Platform/Modules/Databases/Http/TablesDB/Create.php (+ Databases/Create.php)
      assertCustomId('databaseId', p.databaseId)
      assertText('name', p.name, 128, false)
      assertBoolean('enabled', p.enabled)
      const databaseId = p.databaseId === SERVER_PICKED_ID ? this.#ctx.ids.next() : p.databaseId
      if (this.#ctx.schema.database(databaseId)) {
        throw failFor('database_already_exists', databaseId)
      }
      const entry = this.#ctx.schema.createDatabase(databaseId, {
        name: p.name as string,
        enabled: (p.enabled as boolean | undefined) ?? true,
      })
      return databaseModel(entry)
    })
  }

  get(args: readonly unknown[]): Promise<FakeDatabaseModel> {
    return this.#ctx.run({ operation: 'get', positional: ID, required: ID }, args, (p) =>
      databaseModel(this.#ctx.database(p.databaseId)),
    )
  }

  update(args: readonly unknown[]): Promise<FakeDatabaseModel> {
    const positional = ['databaseId', 'name', 'enabled', 'replicas']
    return this.#ctx.run({ operation: 'update', positional, required: ID }, args, (p: Params) => {
      assertUid('databaseId', p.databaseId)
      if (!isNullish(p.name)) assertText('name', p.name, 128, false)
      assertBoolean('enabled', p.enabled)
      const entry = this.#ctx.database(p.databaseId)
      if (typeof p.name === 'string' && p.name !== '') entry.name = p.name
      entry.enabled = (p.enabled as boolean | undefined) ?? true
      entry.$updatedAt = this.#ctx.now()
      return databaseModel(entry)
    })
  }

  delete(args: readonly unknown[]): Promise<Record<string, never>> {
    return this.#ctx.run({ operation: 'delete', positional: ID, required: ID }, args, (p) => {
      const entry = this.#ctx.database(p.databaseId)
      for (const tableId of entry.tables.keys()) this.#ctx.dropRows(entry.databaseId, tableId)
      this.#ctx.schema.deleteDatabase(entry.databaseId)
      return {}
    })
  }
}
