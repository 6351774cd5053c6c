// The table routes of the fake's admin: list, create (with inline columns and indexes), get,
// update, delete.
import { SERVER_PICKED_ID, assertCustomId, assertUid } from '../ids'
import type { TableEntry } from '../schema'
import type { AdminColumns } from './columns'
import type { AdminContext } from './context'
import { failFor } from './errors'
import { inlineSchemaOf } from './inlineSchema'
import type { AdminIndexes } from './indexes'
import { runList } from './list'
import { tableModel } from './models'
import type { FakeTableList, FakeTableModel } from './models'
import type { Params } from './params'
import {
  aggregatePermissions,
  assertBoolean,
  assertObjectsParam,
  assertPermissions,
  assertTableIds,
  assertText,
  isNullish,
} from './validators'

const IDS = ['databaseId', 'tableId']
/** The positional parameters `createTable` and `updateTable` share, in the SDK's order. */
const TABLE_FIELDS = [...IDS, 'name', 'permissions', 'rowSecurity', 'enabled']

/** The tables half of {@link FakeTablesDBAdmin}. @internal */
export class AdminTables {
  readonly #ctx: AdminContext
  readonly #columns: AdminColumns
  readonly #indexes: AdminIndexes

  constructor(ctx: AdminContext, columns: AdminColumns, indexes: AdminIndexes) {
    this.#ctx = ctx
    this.#columns = columns
    this.#indexes = indexes
  }

  list(args: readonly unknown[]): Promise<FakeTableList> {
    const route = {
      operation: 'listTables',
      positional: ['databaseId', 'queries', 'search', 'total'],
      required: ['databaseId'],
    }
    return this.#ctx.run(route, args, (p) => {
      const database = this.#ctx.database(p.databaseId)
      const result = runList(
        {
          label: 'Table',
          attributes: { name: 'string', enabled: 'boolean', rowSecurity: 'boolean' },
          items: [...database.tables.values()],
          id: (table) => table.tableId,
          data: (table) => ({
            name: table.name,
            enabled: table.enabled,
            rowSecurity: table.security?.rowSecurity ?? true,
          }),
          search: (table) => `${table.tableId} ${table.name}`,
        },
        p,
        p.search,
      )
      return { total: result.total, tables: result.items.map(tableModel) }
    })
  }

  /** Creates an empty table, or one with `columns` and `indexes` `available` at once. */
  create(args: readonly unknown[]): Promise<FakeTableModel> {
    const route = {
      operation: 'createTable',
      positional: [...TABLE_FIELDS, 'columns', 'indexes'],
      required: ['databaseId', 'tableId', 'name'],
    }
    return this.#ctx.run(route, args, (p) => {
      // appwrite .../Http/TablesDB/Tables/Create.php + Databases/Collections/Create.php
      assertUid('databaseId', p.databaseId)
      assertCustomId('tableId', p.tableId)
      assertText('name', p.name, 128, false)
      assertPermissions(p.permissions)
      assertBoolean('rowSecurity', p.rowSecurity)
      assertBoolean('enabled', p.enabled)
      assertObjectsParam('columns', p.columns)
      assertObjectsParam('indexes', p.indexes)
      const database = this.#ctx.database(p.databaseId)
      const tableId = p.tableId === SERVER_PICKED_ID ? this.#ctx.ids.next() : p.tableId
      if (database.tables.has(tableId)) throw failFor('table_already_exists', tableId)
      const columns = (p.columns as Params[] | undefined) ?? []
      const indexes = (p.indexes as Params[] | undefined) ?? []
      const inline =
        columns.length > 0 || indexes.length > 0 ? inlineSchemaOf(this.#ctx.schema) : undefined
      inline?.assertColumns(columns)
      const now = this.#ctx.now()
      const entry: TableEntry = {
        databaseId: database.databaseId,
        tableId,
        name: p.name as string,
        enabled: (p.enabled as boolean | undefined) ?? true,
        $createdAt: now,
        $updatedAt: now,
        security: {
          permissions: aggregatePermissions((p.permissions as string[] | null | undefined) ?? []),
          rowSecurity: (p.rowSecurity as boolean | undefined) ?? false,
        },
        columns: new Map(),
        indexes: [],
        schema: undefined,
      }
      for (const definition of columns) {
        const column = this.#columns.inline(entry, inline!.column(definition), now)
        entry.columns!.set(column.key, column)
      }
      inline?.assertIndexes(indexes)
      for (const definition of indexes) {
        entry.indexes = [...entry.indexes, this.#indexes.inline(entry, definition, now)]
      }
      this.#ctx.schema.refresh(entry)
      database.tables.set(tableId, entry)
      return tableModel(entry)
    })
  }

  get(args: readonly unknown[]): Promise<FakeTableModel> {
    return this.#ctx.run({ operation: 'getTable', positional: IDS, required: IDS }, args, (p) => {
      assertTableIds(p)
      return tableModel(this.#ctx.table(p.databaseId, p.tableId))
    })
  }

  /** Keeps `permissions` when left out; `rowSecurity` falls back to `false`, `enabled` to `true`. */
  update(args: readonly unknown[]): Promise<FakeTableModel> {
    const route = {
      operation: 'updateTable',
      positional: [...TABLE_FIELDS, 'purge'],
      required: IDS,
    }
    return this.#ctx.run(route, args, (p) => {
      // appwrite .../Http/Databases/Collections/Update.php
      assertTableIds(p)
      if (!isNullish(p.name)) assertText('name', p.name, 128, false)
      assertPermissions(p.permissions)
      assertBoolean('rowSecurity', p.rowSecurity)
      assertBoolean('enabled', p.enabled)
      assertBoolean('purge', p.purge)
      const entry = this.#ctx.table(p.databaseId, p.tableId)
      if (typeof p.name === 'string' && p.name !== '') entry.name = p.name
      entry.security = {
        permissions: aggregatePermissions(
          (p.permissions as string[] | null | undefined) ?? entry.security?.permissions ?? [],
        ),
        rowSecurity: (p.rowSecurity as boolean | undefined) ?? false,
      }
      entry.enabled = (p.enabled as boolean | undefined) ?? true
      entry.$updatedAt = this.#ctx.now()
      this.#ctx.schema.refresh(entry)
      return tableModel(entry)
    })
  }

  /** Deletes the table and its rows. */
  delete(args: readonly unknown[]): Promise<Record<string, never>> {
    const route = { operation: 'deleteTable', positional: IDS, required: IDS }
    return this.#ctx.run(route, args, (p) => {
      assertTableIds(p)
      const entry = this.#ctx.table(p.databaseId, p.tableId)
      this.#ctx.schema.database(entry.databaseId)?.tables.delete(entry.tableId)
      this.#ctx.dropRows(entry.databaseId, entry.tableId)
      return {}
    })
  }
}
