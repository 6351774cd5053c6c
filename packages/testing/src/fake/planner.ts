import {
  MAX_COUNT,
  compareForOrder,
  compareRows,
  effectiveOrders,
  matchesAll,
  runQuery,
} from './queries'
import type { Filter, ListQueries, QueryResult } from './queries'
import type { SortedRowIndex } from './rowIndex'
import type { TableSchema } from './schema'
import type { StoredRow, TableStorage } from './store'

/*
 * The list planner: answers a list call through a table's sorted indexes when its filters or
 * orders allow it, and returns `undefined` otherwise, so the caller runs the scan ({@link runQuery}
 * over every row), which stays the reference. Two plans, both giving exactly the scan's answer:
 *
 * - narrow: a top-level `equal` / range filter on an indexed attribute gives, by binary search, a
 *   few candidate rows holding every row it can match; the scan then runs over those alone.
 * - walk: a leading order on an indexed attribute walks the index in that order and stops once the
 *   page is full and `total` is known (capped at MAX_COUNT), instead of sorting every row.
 *
 * Indexed: `$id`, `$sequence`, `$createdAt`, `$updatedAt`, and the first column of each declared
 * `key` or `unique` index (not an array column), as the server can use those indexes.
 */

type CompareFilter = Extract<Filter, { kind: 'compare' }>
type PlannedQueries = Pick<
  ListQueries,
  'filters' | 'orders' | 'random' | 'offset' | 'cursor' | 'limit'
>

const SYSTEM_INDEXED = new Set(['$id', '$sequence', '$createdAt', '$updatedAt'])
const NARROWING = new Set([
  'equal',
  'lessThan',
  'lessThanEqual',
  'greaterThan',
  'greaterThanEqual',
  'between',
])

/** Whether `attribute` has an index the planner may use on this table. */
function isIndexed(schema: TableSchema | undefined, attribute: string): boolean {
  if (SYSTEM_INDEXED.has(attribute)) return true
  if (!schema || schema.columns.get(attribute)?.array !== false) return false
  return schema.indexes.some(
    (index) => (index.type === 'key' || index.type === 'unique') && index.columns[0] === attribute,
  )
}

/** Half-open position ranges of `index` holding every row `filter` can match, merged. */
function rangesOf(index: SortedRowIndex, filter: CompareFilter): Array<[number, number]> {
  const { keys } = filter
  // Rows without a value sort first; no comparison but equality with a value matches them (an
  // equality's own search leaves them out).
  const firstValue = () => index.upperBound(null)
  const end = index.rows.length
  let ranges: Array<[number, number]>
  switch (filter.method) {
    case 'equal':
      ranges = keys.map((key) => [index.lowerBound(key), index.upperBound(key)])
      break
    case 'lessThan':
    case 'lessThanEqual':
      ranges = [[firstValue(), index.upperBound(keys[0])]]
      break
    case 'greaterThan':
    case 'greaterThanEqual':
      ranges = [[Math.max(firstValue(), index.lowerBound(keys[0])), end]]
      break
    default:
      // between
      ranges = [[Math.max(firstValue(), index.lowerBound(keys[0])), index.upperBound(keys[1])]]
  }
  ranges = ranges.filter(([low, high]) => low < high).sort((a, b) => a[0] - b[0])
  const merged: Array<[number, number]> = []
  for (const range of ranges) {
    const last = merged[merged.length - 1]
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1])
    else merged.push([range[0], range[1]])
  }
  return merged
}

/** The narrowest filter an index answers, with the index positions that hold its rows. */
interface Narrowing {
  readonly filter: CompareFilter
  readonly index: SortedRowIndex
  readonly ranges: Array<[number, number]>
  readonly size: number
}

const isScalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'

const sizeOf = (ranges: ReadonlyArray<readonly [number, number]>) =>
  ranges.reduce((sum, [low, high]) => sum + high - low, 0)

/**
 * Answers list queries through the table's indexes, or `undefined` when no index helps (the
 * caller then scans). `canSee` filters rows by permission; `countTotal: false` lets a walk stop
 * as soon as the page is full (the call asked for no total).
 *
 * @example
 * ```ts
 * const result = planQuery(table, schema, queries, cursorRow) ?? runQuery(table.values(), queries, cursorRow)
 * ```
 *
 * @internal
 */
export function planQuery(
  table: TableStorage,
  schema: TableSchema | undefined,
  queries: PlannedQueries,
  cursorRow?: StoredRow,
  canSee?: (row: StoredRow) => boolean,
  countTotal = true,
): QueryResult | undefined {
  if (!table.sortedIndex || queries.random || table.size === 0) return undefined

  // The narrowest top-level equal / range filter on an indexed attribute.
  let narrow: Narrowing | undefined
  for (const filter of queries.filters) {
    if (filter.kind !== 'compare' || !NARROWING.has(filter.method)) continue
    if (!isIndexed(schema, filter.attribute)) continue
    const index = table.sortedIndex(filter.attribute, filter.valueKind)
    const ranges = rangesOf(index, filter)
    const size = sizeOf(ranges)
    if (narrow === undefined || size < narrow.size) narrow = { filter, index, ranges, size }
  }

  const leading = queries.orders[0]
  const walkIndex =
    leading !== undefined &&
    queries.cursor?.direction !== 'before' &&
    isIndexed(schema, leading.attribute)
      ? table.sortedIndex(leading.attribute, leading.valueKind)
      : undefined

  // A filter on the order's own attribute: walk just its range, already in order.
  if (walkIndex && narrow?.index === walkIndex && narrow.ranges.length <= 1) {
    const [low, high] = narrow.ranges[0] ?? [0, 0]
    return walk(walkIndex, low, high, queries, cursorRow, canSee, countTotal)
  }
  // Few candidates: scan just those (sorting a small set beats walking a large one). Many: a
  // walk if the order allows one, else the plain scan.
  if (narrow && (narrow.size <= 1000 || narrow.size * 4 <= table.size)) {
    const candidates: StoredRow[] = []
    const rows = narrow.index.rows
    for (const [low, high] of narrow.ranges) {
      for (let i = low; i < high; i++) {
        const row = rows[i]!
        if (!canSee || canSee(row)) candidates.push(row)
      }
    }
    const { filter, ranges } = narrow
    // An `equal` on one value gives one range of rows whose values all compare equal, which the
    // index holds by ascending `$sequence`: the scan's order already. The scan reads rows in
    // that order; unordered answers keep it.
    const oneValue = filter.method === 'equal' && filter.keys.length === 1 && ranges.length <= 1
    if (!oneValue) candidates.sort((a, b) => a.$sequence - b.$sequence)
    // For a string, number or boolean that range holds exactly the rows the `equal` matches (the
    // index and the filter compare with the same functions; only a null or a list value compares
    // equal in the index without matching), so the filter is not tested on them again.
    if (oneValue && isScalar(filter.keys[0])) {
      const others = queries.filters.filter((other) => other !== filter)
      return runQuery(candidates, { ...queries, filters: others }, cursorRow)
    }
    return runQuery(candidates, queries, cursorRow)
  }
  if (!walkIndex) return undefined
  return walk(walkIndex, 0, walkIndex.rows.length, queries, cursorRow, canSee, countTotal)
}

/** Pages through `index.rows[low, high)` in the order the queries ask for. */
function walk(
  index: SortedRowIndex,
  low: number,
  high: number,
  queries: PlannedQueries,
  cursorRow: StoredRow | undefined,
  canSee: ((row: StoredRow) => boolean) | undefined,
  countTotal: boolean,
): QueryResult {
  const orders = effectiveOrders(queries.orders)
  const step = queries.orders[0]!.direction
  // Within a run of equal leading values the index holds rows by ascending `$sequence`; walking
  // down reverses that. One order plus the `$sequence` tie-break needs at most a reversal; more
  // orders need the run sorted.
  const tieBreak =
    orders.length === 2 && orders[1]!.attribute === '$sequence' ? orders[1] : undefined
  const sortRuns = orders.length > 1 && tieBreak === undefined
  const reverseRuns = tieBreak !== undefined && tieBreak.direction !== step
  const { offset, limit, filters } = queries
  // Every row counts toward `total` when nothing filters them: known without walking.
  const countAll = filters.length === 0 && canSee === undefined
  let total = countAll ? Math.min(high - low, MAX_COUNT) : 0
  const totalKnown = () => !countTotal || countAll || total >= MAX_COUNT
  let skipped = 0
  const page: StoredRow[] = []
  const rows = index.rows
  let at = step === 1 ? low : high - 1
  const inside = (i: number) => i >= low && i < high
  while (inside(at)) {
    if (page.length >= limit && totalKnown()) break
    let run: StoredRow[]
    if (sortRuns || reverseRuns) {
      const value = index.valueOf(rows[at]!)
      run = []
      while (inside(at) && compareForOrder(index.valueOf(rows[at]!), value, index.kind) === 0) {
        run.push(rows[at]!)
        at += step
      }
      if (run.length > 1) {
        if (sortRuns) run.sort((a, b) => compareRows(a, b, orders))
        else run.reverse()
      }
    } else {
      run = [rows[at]!]
      at += step
    }
    for (const row of run) {
      if (canSee && !canSee(row)) continue
      if (!matchesAll(row, filters)) continue
      if (!countAll && total < MAX_COUNT) total++
      if (page.length >= limit) continue
      if (cursorRow && compareRows(row, cursorRow, orders) <= 0) continue
      if (skipped < offset) skipped++
      else page.push(row)
    }
  }
  return { total, rows: page }
}
