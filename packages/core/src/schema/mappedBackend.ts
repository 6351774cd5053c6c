// The lock's mapping applied at the one door to Appwrite: what the pipeline builds under
// booking-guard's canonical names and values goes out under the app's (`columnNames`,
// `writeValues`), queries look for every spelling that reads back as the value asked for, and rows
// come back canonical. Everything above this layer is written once, for the canonical schema.
import type { Backend, BackendRow, StagedWrite } from '../backend/appwriteBackend'
import { sameValue } from './aliases'
import { spellingsOf } from './mapping'
import type { ResolvedValues, WriteMapping } from './mapping'
import { TABLE_KINDS } from './kinds'
import type { ReadLock } from './readLock'
import { valueMappingsOf, writeMappingOf } from './readSide'

interface TableMapping {
  /** What is renamed and respelled on write; `undefined` when nothing is. */
  readonly write: WriteMapping | undefined
  /** Every spelling read as a canonical value (legacy `values` and the written ones). */
  readonly read: ResolvedValues | undefined
}

/** Options of {@link mapBackend}. @internal */
export interface MapBackendOptions {
  /**
   * Whether rows read come back under canonical names and values. `false` for the audit, which
   * must see each row as it is stored. Defaults to `true`.
   */
  readonly reads?: boolean
}

interface QueryNode {
  method: string
  attribute?: string
  values?: unknown[]
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key)
}

/** Data to write, under the app's names and spellings (a new object). */
function toApp(write: WriteMapping, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(data)) {
    let value = data[key]
    // Data holding the canonical column and the app's name: the canonical value is the one written.
    const canonical = write.canonicalOf.get(key)
    if (canonical !== undefined && hasOwn(data, canonical)) continue
    const spelled = write.values.get(key)
    if (spelled !== undefined && typeof value === 'string') value = spelled.get(value) ?? value
    out[write.names.get(key) ?? key] = value
  }
  return out
}

/**
 * A row read, under canonical names and values (a new object). The app's column fills its
 * canonical one when that is absent or `null`; when both hold different values both stay, so the
 * lock's `normalize` keeps the canonical one and reports the conflict, as for any legacy alias.
 */
function fromApp(mapping: TableMapping, row: BackendRow): BackendRow {
  const { write, read } = mapping
  // Built key by key (never `delete`, which would leave the row in slow dictionary mode).
  const out: Record<string, unknown> = {}
  let renamed = false
  for (const key of Object.keys(row)) {
    if (write !== undefined && write.canonicalOf.has(key)) renamed = true
    else out[key] = (row as Record<string, unknown>)[key]
  }
  if (renamed) {
    for (const [canonical, name] of write!.names) {
      if (!hasOwn(row, name)) continue
      const value = (row as Record<string, unknown>)[name]
      const current = out[canonical]
      if (current === undefined || current === null) out[canonical] = value
      else if (value !== undefined && value !== null && !sameValue(value, current))
        out[name] = value
    }
  }
  if (read !== undefined) {
    for (const [column, map] of read) {
      const value = out[column]
      if (typeof value !== 'string') continue
      const canonical = map.get(value)
      if (canonical !== undefined) out[column] = canonical
    }
  }
  return out as BackendRow
}

function translateNode(mapping: TableMapping, node: QueryNode, canonical: boolean): QueryNode {
  if (node.method === 'or' || node.method === 'and') {
    return {
      ...node,
      values: (node.values ?? []).map((value) =>
        typeof value === 'object' && value !== null
          ? translateNode(mapping, value as QueryNode, canonical)
          : value,
      ),
    }
  }
  const column = node.attribute
  if (column === undefined) return node
  const attribute = mapping.write?.names.get(column) ?? column
  const values = node.values ?? []
  if (node.method === 'equal') {
    const spellings =
      mapping.read?.has(column) === true
        ? [
            ...new Set(
              values.flatMap((value) =>
                typeof value === 'string' ? spellingsOf(mapping.read, column, value) : [value],
              ),
            ),
          ]
        : values
    const equal = { ...node, attribute, values: spellings }
    // Rows older code wrote under the canonical name are found too, while the table has that column.
    if (!canonical || attribute === column) return equal
    return { method: 'or', values: [equal, { ...node, values: spellings }] }
  }
  if (mapping.read?.has(column) === true) {
    const value = values[0]
    if (node.method === 'notEqual' && values.length === 1 && typeof value === 'string') {
      const spellings = spellingsOf(mapping.read, column, value)
      if (spellings.length > 1) {
        return {
          method: 'and',
          values: spellings.map((spelling) => ({
            method: 'notEqual',
            attribute,
            values: [spelling],
          })),
        }
      }
    }
  }
  return attribute === column ? node : { ...node, attribute }
}

/**
 * A query string (the SDK's JSON form) with the app's column names and every spelling; with
 * `canonical`, an `equal` on a renamed column also matches the canonical column.
 */
function translateQuery(mapping: TableMapping, query: string, canonical: boolean): string {
  if (!query.startsWith('{')) return query
  return JSON.stringify(translateNode(mapping, JSON.parse(query) as QueryNode, canonical))
}

/** Whether the server refused a query naming a column the table does not have. */
function isUnknownAttribute(error: unknown): boolean {
  const message = error instanceof Error ? error.message : ''
  return /attribute not found|unknown attribute/i.test(message)
}

/**
 * `backend` speaking the app's schema: writes renamed and respelled by the lock's `columnNames`
 * and `writeValues`, queries on the app's columns matching every spelling of a value, and (unless
 * `reads: false`) rows read back under canonical names and values. Returns `backend` itself when
 * the lock maps nothing, so an unmapped guard pays nothing.
 *
 * @internal
 */
export function mapBackend(
  backend: Backend,
  lock: ReadLock,
  options: MapBackendOptions = {},
): Backend {
  const tables = new Map<string, TableMapping>()
  for (const kind of TABLE_KINDS) {
    const write = writeMappingOf(lock, kind)
    const read = valueMappingsOf(lock, kind)
    if (write !== undefined || read !== undefined) tables.set(lock.tableId(kind), { write, read })
  }
  if (tables.size === 0) return backend
  const reads = options.reads !== false
  // Tables with a renamed column whose `equal` queries also match the canonical column, until
  // the server says the table has no such column.
  const withCanonical = new Set<string>()
  for (const [tableId, mapping] of tables) {
    if (mapping.write !== undefined && mapping.write.names.size > 0) withCanonical.add(tableId)
  }

  const data = (tableId: string, given: Record<string, unknown>) => {
    const write = tables.get(tableId)?.write
    return write === undefined ? given : toApp(write, given)
  }
  const row = async (tableId: string, pending: Promise<BackendRow>): Promise<BackendRow> => {
    const mapping = tables.get(tableId)
    const result = await pending
    return mapping === undefined || !reads ? result : fromApp(mapping, result)
  }
  const staged = (write: StagedWrite): StagedWrite =>
    write.data === undefined ? write : { ...write, data: data(write.tableId, write.data) }
  const transactions = backend.transactions

  return {
    api: backend.api,
    databaseId: backend.databaseId,
    create: (tableId, rowId, given, permissions) =>
      row(tableId, backend.create(tableId, rowId, data(tableId, given), permissions)),
    get: (tableId, rowId) => row(tableId, backend.get(tableId, rowId)),
    list: async (tableId, queries) => {
      const mapping = tables.get(tableId)
      if (mapping === undefined) return backend.list(tableId, queries)
      const send = (canonical: boolean) =>
        backend.list(
          tableId,
          queries.map((query) => translateQuery(mapping, query, canonical)),
        )
      let page: Awaited<ReturnType<Backend['list']>>
      if (!withCanonical.has(tableId)) {
        page = await send(false)
      } else {
        try {
          page = await send(true)
        } catch (error) {
          if (!isUnknownAttribute(error)) throw error
          // The table has only the app's columns: match those from now on.
          withCanonical.delete(tableId)
          page = await send(false)
        }
      }
      return reads ? { total: page.total, rows: page.rows.map((r) => fromApp(mapping, r)) } : page
    },
    update: (tableId, rowId, given, permissions) =>
      row(tableId, backend.update(tableId, rowId, data(tableId, given), permissions)),
    upsert: (tableId, rowId, given, permissions) =>
      row(tableId, backend.upsert(tableId, rowId, data(tableId, given), permissions)),
    remove: (tableId, rowId) => backend.remove(tableId, rowId),
    transactions:
      transactions === undefined
        ? undefined
        : {
            begin: (ttl) => transactions.begin(ttl),
            stage: (transactionId, writes) => transactions.stage(transactionId, writes.map(staged)),
            commit: (transactionId) => transactions.commit(transactionId),
            rollback: (transactionId) => transactions.rollback(transactionId),
          },
  }
}
