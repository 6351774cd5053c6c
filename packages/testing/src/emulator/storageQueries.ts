import { COMPARISON_QUERY_METHODS, RANGE_QUERY_METHODS } from '../fake/queries'
import { httpError } from './http'

/*
 * The `queries` and `search` of the storage list routes (`listBuckets`, `listFiles`), run over
 * plain objects: the methods the server's `Queries` validators take, on the attributes each
 * route allows (`Buckets::ALLOWED_ATTRIBUTES`, `Files::ALLOWED_ATTRIBUTES`, plus `$id`,
 * `$createdAt`, `$updatedAt` and `$sequence`).
 */

interface ParsedQuery {
  method: string
  attribute: string
  values: unknown[]
}

const FILTERS = new Set<string>([
  ...COMPARISON_QUERY_METHODS,
  'isNull',
  'isNotNull',
  ...RANGE_QUERY_METHODS,
  'contains',
  'notContains',
  'search',
  'notSearch',
])
const ORDERS = new Set(['orderAsc', 'orderDesc'])
const CURSORS = new Set(['cursorAfter', 'cursorBefore'])

function parse(text: unknown): ParsedQuery {
  let query: { method?: unknown; attribute?: unknown; values?: unknown }
  try {
    query = JSON.parse(String(text)) as typeof query
  } catch {
    throw httpError('general_query_invalid', `Invalid query: ${String(text)}`)
  }
  if (typeof query !== 'object' || query === null || typeof query.method !== 'string')
    throw httpError('general_query_invalid', `Invalid query: ${String(text)}`)
  return {
    method: query.method,
    attribute: typeof query.attribute === 'string' ? query.attribute : '',
    values: Array.isArray(query.values) ? (query.values as unknown[]) : [],
  }
}

/** MariaDB full-text words: letters, digits and `_`, lower-cased. */
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []

/**
 * A full-text `search` as the server's MariaDB adapter runs it: the term's words OR'ed in boolean
 * mode, the last one as a prefix (`getFulltextValue` appends `*`).
 */
export function fullTextMatches(haystack: string, term: string): boolean {
  const needles = words(term)
  if (needles.length === 0) return true
  const tokens = words(haystack)
  return needles.some((needle, i) =>
    tokens.some((token) =>
      i === needles.length - 1 ? token.startsWith(needle) : token === needle,
    ),
  )
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Whether `value` equals `expected` as the query's string or number value means it. */
function same(value: unknown, expected: unknown): boolean {
  if (typeof value === 'boolean' && typeof expected !== 'boolean')
    return String(value) === String(expected) || Number(value) === Number(expected)
  if (typeof value === 'number') return value === Number(expected)
  return value === expected
}

function matches(item: Record<string, unknown>, query: ParsedQuery): boolean {
  const value = item[query.attribute]
  const v = query.values
  switch (query.method) {
    case 'equal':
      return v.some((x) => same(value, x))
    case 'notEqual':
      return !v.some((x) => same(value, x))
    case 'lessThan':
      return compare(value, v[0]) < 0
    case 'lessThanEqual':
      return compare(value, v[0]) <= 0
    case 'greaterThan':
      return compare(value, v[0]) > 0
    case 'greaterThanEqual':
      return compare(value, v[0]) >= 0
    case 'isNull':
      return value === null || value === undefined
    case 'isNotNull':
      return value !== null && value !== undefined
    case 'between':
      return compare(value, v[0]) >= 0 && compare(value, v[1]) <= 0
    case 'notBetween':
      return compare(value, v[0]) < 0 || compare(value, v[1]) > 0
    case 'startsWith':
      return String(value).startsWith(String(v[0]))
    case 'notStartsWith':
      return !String(value).startsWith(String(v[0]))
    case 'endsWith':
      return String(value).endsWith(String(v[0]))
    case 'notEndsWith':
      return !String(value).endsWith(String(v[0]))
    case 'contains':
      return v.some((x) => String(value).toLowerCase().includes(String(x).toLowerCase()))
    case 'notContains':
      return !v.some((x) => String(value).toLowerCase().includes(String(x).toLowerCase()))
    case 'search':
      return fullTextMatches(String(value), String(v[0] ?? ''))
    case 'notSearch':
      return !fullTextMatches(String(value), String(v[0] ?? ''))
    default:
      return false
  }
}

/** What {@link runStorageList} needs to know of a route. */
export interface StorageListOptions<T> {
  /** The attributes its queries may name. */
  readonly attributes: ReadonlySet<string>
  /** The item's `$id`-keyed value used by the queries and the search. */
  readonly view: (item: T) => Record<string, unknown>
  /** The text `search` runs over (`$id` and the name, as the server's `search` attribute). */
  readonly searchText: (item: T) => string
  /** The error of a cursor that names no item. */
  readonly cursorNotFound: (id: string) => Error
}

/**
 * Filters, searches, orders and pages `items` (given in creation order) as the server's list
 * routes do: 25 from 0 unless `limit` / `offset` say otherwise; `total` counts every match.
 *
 * @internal
 */
export function runStorageList<T>(
  items: readonly T[],
  queries: unknown,
  search: unknown,
  options: StorageListOptions<T>,
): { total: number; page: T[] } {
  if (queries !== undefined && !Array.isArray(queries))
    throw httpError(
      'general_argument_invalid',
      'Invalid `queries` param: Value must a valid array and Value must be a valid string',
    )
  const parsed = ((queries as unknown[] | undefined) ?? []).map(parse)
  let limit = 25
  let offset = 0
  const filters: ParsedQuery[] = []
  const orders: ParsedQuery[] = []
  let cursor: ParsedQuery | undefined
  for (const query of parsed) {
    if (query.method === 'limit') limit = Number(query.values[0])
    else if (query.method === 'offset') offset = Number(query.values[0])
    else if (CURSORS.has(query.method)) cursor = query
    else if (query.method === 'select') continue
    else if (FILTERS.has(query.method) || ORDERS.has(query.method)) {
      if (!options.attributes.has(query.attribute))
        throw httpError(
          'general_query_invalid',
          `Invalid query: Attribute not found in schema: ${query.attribute}`,
        )
      ;(ORDERS.has(query.method) ? orders : filters).push(query)
    } else throw httpError('general_query_invalid', `Invalid query method: ${query.method}`)
  }
  if (!Number.isInteger(limit) || limit < 0 || limit > 5000)
    throw httpError('general_query_invalid', 'Invalid query: Invalid limit param')
  if (!Number.isInteger(offset) || offset < 0 || offset > 5000)
    throw httpError('general_query_invalid', 'Invalid query: Invalid offset param')
  if (search !== undefined && typeof search !== 'string')
    throw httpError(
      'general_argument_invalid',
      'Invalid `search` param: Value must be a valid string and at most 256 chars',
    )

  const views = new Map(items.map((item) => [item, options.view(item)]))
  let matched = items.filter((item) => filters.every((query) => matches(views.get(item)!, query)))
  if (typeof search === 'string' && search !== '')
    matched = matched.filter((item) => fullTextMatches(options.searchText(item), search))
  if (orders.length > 0) {
    const position = new Map(items.map((item, i) => [item, i]))
    matched = [...matched].sort((a, b) => {
      for (const order of orders) {
        const c = compare(views.get(a)![order.attribute], views.get(b)![order.attribute])
        if (c !== 0) return order.method === 'orderAsc' ? c : -c
      }
      return position.get(a)! - position.get(b)!
    })
  }
  const total = matched.length
  if (cursor !== undefined) {
    const id = String(cursor.values[0] ?? '')
    const at = matched.findIndex((item) => views.get(item)!.$id === id)
    if (at === -1) {
      if (!items.some((item) => views.get(item)!.$id === id)) throw options.cursorNotFound(id)
      return { total, page: [] }
    }
    if (cursor.method === 'cursorAfter') matched = matched.slice(at + 1)
    else {
      const before = matched.slice(0, at)
      return {
        total,
        page: before.slice(Math.max(0, before.length - offset - limit), before.length - offset),
      }
    }
  }
  return { total, page: matched.slice(offset, offset + limit) }
}
