// The server's list routes (databases, tables, columns, indexes), run on the fake's query engine.
import { appwriteError } from '../errors'
import {
  assertQueriesParam,
  cursorOf,
  parseQueryStrings,
  runQuery,
  validateListQueries,
} from '../queries'
import type { RawQuery } from '../queries'
import type { TableEntry, TableSchema } from '../schema'
import type { StoredRow } from '../store'
import type { FakeColumn, FakeIndex } from '../types'
import type { AdminContext } from './context'
import { paramError } from './errors'
import { VARCHAR_MAX } from './limits'
import type { Params } from './params'
import { assertTableIds, assertText, isNullish, probeColumn } from './validators'

/** One list route: what it lists and what its queries may filter on. @internal */
export interface ListSpec<T> {
  /** `Column`, `Table`, …: the cursor-not-found message names it. */
  readonly label: string
  /** Attributes the route lets queries filter on, with their type. */
  readonly attributes: Readonly<Record<string, 'string' | 'integer' | 'boolean' | 'strings'>>
  readonly items: readonly T[]
  readonly id: (item: T) => string
  readonly data: (item: T) => Record<string, unknown>
  /** Words a `search` parameter matches; leave out for routes without one. */
  readonly search?: (item: T) => string
}

function listSchema(attributes: ListSpec<unknown>['attributes'], search: boolean): TableSchema {
  const columns = new Map<string, FakeColumn>()
  for (const [key, kind] of Object.entries(attributes)) {
    columns.set(
      key,
      probeColumn({
        type: kind === 'integer' ? 'integer' : kind === 'boolean' ? 'boolean' : 'string',
        array: kind === 'strings',
        size: kind === 'string' || kind === 'strings' ? VARCHAR_MAX : undefined,
      }),
    )
  }
  const indexes: FakeIndex[] = []
  if (search) {
    columns.set('search', probeColumn({ type: 'string', size: VARCHAR_MAX }))
    indexes.push({
      key: '_fulltext_search',
      type: 'fulltext',
      status: 'available',
      error: '',
      columns: ['search'],
      orders: [],
      lengths: [],
    })
  }
  return {
    databaseId: '',
    tableId: '',
    name: '',
    columns,
    indexes,
    permissions: [],
    rowSecurity: false,
  }
}

/** Runs a list route's `queries`, `search` and `total` over `spec.items`, as the server does. @internal */
export function runList<T>(
  spec: ListSpec<T>,
  p: Params,
  searchParam?: unknown,
): { total: number; items: T[] } {
  if (!isNullish(p.total) && typeof p.total !== 'boolean') {
    throw paramError('total', 'Value must be a valid boolean')
  }
  if (!isNullish(searchParam)) assertText('search', searchParam, 256, false)
  const raw: RawQuery[] = parseQueryStrings(p.queries)
  // The schema list routes take filters, orders, limit, offset and cursors only (Queries\Base).
  const select = raw.find((query) => query.method === 'select')
  if (select) throw paramError('queries', `Invalid query method: ${select.method}`)
  const search =
    typeof searchParam === 'string' && searchParam.trim() !== '' ? searchParam : undefined
  const schema = listSchema(spec.attributes, spec.search !== undefined)
  const byId = new Map<string, StoredRow>()
  spec.items.forEach((item, index) => {
    const data = spec.data(item)
    if (spec.search) data.search = spec.search(item)
    const id = spec.id(item)
    byId.set(id, {
      $id: id,
      $sequence: index + 1,
      $createdAt: String(data.$createdAt ?? ''),
      $updatedAt: String(data.$updatedAt ?? ''),
      $permissions: [],
      data,
    })
  })
  const cursor = cursorOf(raw)
  const cursorRow = cursor ? byId.get(cursor.rowId) : undefined
  if (cursor && !cursorRow) {
    throw appwriteError(
      'general_cursor_not_found',
      `${spec.label} '${cursor.rowId}' for the 'cursor' value not found.`,
    )
  }
  const all = search ? [...raw, { method: 'search', attribute: 'search', values: [search] }] : raw
  const queries = validateListQueries(schema, all)
  const result = runQuery(byId.values(), queries, cursorRow)
  const items = new Map(spec.items.map((item) => [spec.id(item), item]))
  return {
    total: p.total === false ? 0 : result.total,
    items: result.rows.map((row) => items.get(row.$id)!),
  }
}

/**
 * A list route of one table's parts (`listColumns`, `listIndexes`): `{ databaseId, tableId,
 * queries?, total? }`, checked in that order, then {@link runList} over what `spec` lists,
 * answered as `answer` builds it.
 *
 * @internal
 */
export function listTableParts<T, R>(
  ctx: AdminContext,
  operation: string,
  args: readonly unknown[],
  spec: (entry: TableEntry) => ListSpec<T>,
  answer: (result: { total: number; items: T[] }) => R,
): Promise<R> {
  const route = {
    operation,
    positional: ['databaseId', 'tableId', 'queries', 'total'],
    required: ['databaseId', 'tableId'],
  }
  return ctx.run(route, args, (p) => {
    assertTableIds(p)
    assertQueriesParam(p.queries)
    return answer(runList(spec(ctx.table(p.databaseId, p.tableId)), p))
  })
}
