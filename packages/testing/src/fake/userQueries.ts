import { appwriteError } from './errors'
import { isValidId, UID_DESCRIPTION } from './ids'
import {
  COMPARISON_QUERY_METHODS,
  DEFAULT_LIMIT,
  parseQueryStrings,
  RANGE_QUERY_METHODS,
} from './queries'
import type { RawQuery } from './queries'

/*
 * The queries of `GET /v1/users` (and the empty `GET /v1/users/identities` and `…/logs`), as the
 * server's `Queries\Users` parameter validator and then its database run them: filters and orders
 * on the listed attributes and `$id`, `$createdAt`, `$updatedAt`, `$sequence`; `limit`, `offset`,
 * `cursorAfter` / `cursorBefore`; no `select`. What the validator refuses is a 400
 * `general_argument_invalid` ("Invalid `queries` param: …", as utopia-php/http words a parameter
 * error); what the database refuses afterwards is `general_query_invalid` (a `search` query: the
 * users' only full-text index is on their internal search field) or `general_cursor_not_found`.
 */

const FILTERS = new Set<string>([
  ...COMPARISON_QUERY_METHODS,
  ...RANGE_QUERY_METHODS,
  'isNull',
  'isNotNull',
  'contains',
  'notContains',
])

/** The filters the database's validator lets query an array attribute (the null checks, `contains`). */
const ARRAY_METHODS = new Set(['contains', 'notContains', 'isNull', 'isNotNull'])
const NO_ARRAYS: ReadonlySet<string> = new Set()

/** What a list does with its rows: filters, orders, cursor and page. @internal */
export interface ListPlan {
  readonly filters: readonly RawQuery[]
  readonly orders: readonly RawQuery[]
  readonly cursor?: { readonly id: string; readonly before: boolean }
  readonly limit: number
  readonly offset: number
}

/** A refusal of the `queries` parameter's validator (utopia-php/database `Validator\Queries`). */
const refused = (message: string) =>
  appwriteError('general_argument_invalid', `Invalid \`queries\` param: ${message}`)
const invalid = (message: string) => refused(`Invalid query: ${message}`)

/**
 * Parses and checks `queries` against the attributes a list allows (besides the four internal
 * ones), with the server's 400s.
 *
 * @internal
 */
export function planList(
  queries: unknown,
  attributes: ReadonlySet<string>,
  methods?: ReadonlySet<string>,
  arrays: ReadonlySet<string> = NO_ARRAYS,
): ListPlan {
  const filters: RawQuery[] = []
  const orders: RawQuery[] = []
  let cursor: ListPlan['cursor']
  let limit = DEFAULT_LIMIT
  let offset = 0
  const known = (attribute: string) =>
    attributes.has(attribute) ||
    ['$id', '$createdAt', '$updatedAt', '$sequence'].includes(attribute)
  let parsed: RawQuery[]
  try {
    parsed = parseQueryStrings(queries)
  } catch (error) {
    // `Query::parse` failed inside the validator, which prefixes its message once more.
    if ((error as { type?: unknown }).type !== 'general_query_invalid') throw error
    throw invalid((error as Error).message)
  }
  for (const query of parsed) {
    const { method, attribute, values } = query
    if (methods !== undefined && !methods.has(method))
      throw refused(`Invalid query method: ${method}`)
    if (method === 'limit' || method === 'offset') {
      const value = Number(values[0])
      const min = method === 'limit' ? 1 : 0
      // Both say "limit" for a value that is not a number, as the server's Offset validator does.
      if (typeof values[0] !== 'number' && typeof values[0] !== 'string')
        throw invalid('Invalid limit: Value must be a valid number')
      if (!Number.isInteger(value) || value < min)
        throw invalid(
          `Invalid ${method}: Value must be a valid range between ${min} and 9,223,372,036,854,775,807`,
        )
      if (method === 'limit') limit = value
      else offset = value
    } else if (method === 'cursorAfter' || method === 'cursorBefore') {
      if (!isValidId(values[0])) throw invalid(`Invalid cursor: ${UID_DESCRIPTION}`)
      cursor = { id: values[0], before: method === 'cursorBefore' }
    } else if (method === 'orderAsc' || method === 'orderDesc') {
      if (!known(attribute)) throw invalid(`Attribute not found in schema: ${attribute}`)
      orders.push(query)
    } else if (FILTERS.has(method) || method === 'search' || method === 'notSearch') {
      if (!known(attribute)) throw invalid(`Attribute not found in schema: ${attribute}`)
      if (arrays.has(attribute) && !ARRAY_METHODS.has(method))
        throw invalid(`Cannot query ${method} on attribute "${attribute}" because it is an array.`)
      filters.push(query)
    } else throw refused(`Invalid query method: ${method}`)
  }
  return { filters, orders, cursor, limit, offset }
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  const x = String(a).toLowerCase()
  const y = String(b).toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}

function matches(value: unknown, query: RawQuery): boolean {
  const { method, values } = query
  // An array attribute (labels) matches when one of its items does, as its JSON column compares.
  if (Array.isArray(value)) {
    if (method === 'isNull') return false
    if (method === 'isNotNull') return true
    if (method === 'contains' || method === 'equal')
      return values.some((wanted) => value.includes(wanted))
    if (method === 'notContains' || method === 'notEqual')
      return !values.some((wanted) => value.includes(wanted))
    return false
  }
  const text = typeof value === 'string' ? value.toLowerCase() : ''
  const first = values[0]
  switch (method) {
    case 'equal':
      return values.some((wanted) => compare(value, wanted) === 0)
    case 'notEqual':
      return !values.some((wanted) => compare(value, wanted) === 0)
    case 'lessThan':
      return compare(value, first) < 0
    case 'lessThanEqual':
      return compare(value, first) <= 0
    case 'greaterThan':
      return compare(value, first) > 0
    case 'greaterThanEqual':
      return compare(value, first) >= 0
    case 'between':
      return compare(value, first) >= 0 && compare(value, values[1]) <= 0
    case 'notBetween':
      return compare(value, first) < 0 || compare(value, values[1]) > 0
    case 'isNull':
      return value === null || value === undefined || value === ''
    case 'isNotNull':
      return !(value === null || value === undefined || value === '')
    case 'startsWith':
      return text.startsWith(String(first).toLowerCase())
    case 'notStartsWith':
      return !text.startsWith(String(first).toLowerCase())
    case 'endsWith':
      return text.endsWith(String(first).toLowerCase())
    case 'notEndsWith':
      return !text.endsWith(String(first).toLowerCase())
    case 'contains':
      return values.some((wanted) => text.includes(String(wanted).toLowerCase()))
    case 'notContains':
      return !values.some((wanted) => text.includes(String(wanted).toLowerCase()))
    default:
      return false
  }
}

/** The words of a text as a full-text index splits them (letters, digits, `_`). */
const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean)

/**
 * A `search` as the server's full-text index answers it: every word of `search` starts a word of
 * the searched text (`manchester` and `man` find `…@manchester-united.co.uk`). No word, no match.
 *
 * @internal
 */
export function searchMatches(search: string, text: string): boolean {
  const wanted = words(search)
  if (wanted.length === 0) return false
  const have = words(text)
  return wanted.every((word) => have.some((candidate) => candidate.startsWith(word)))
}

/**
 * Runs a plan over `items` (in creation order), reading attributes with `read`: the page and the
 * total (filters only). `cursorNotFound` names the kind of item in the server's message.
 *
 * @internal
 */
export function runList<T extends { readonly $id: string }>(
  items: readonly T[],
  plan: ListPlan,
  read: (item: T, attribute: string) => unknown,
  cursorNotFound: string,
): { page: T[]; total: number } {
  const sequence = new Map(items.map((item, index) => [item, index]))
  let cursorItem: T | undefined
  if (plan.cursor !== undefined) {
    cursorItem = items.find((item) => item.$id === plan.cursor!.id)
    if (cursorItem === undefined)
      throw appwriteError(
        'general_cursor_not_found',
        `${cursorNotFound} '${plan.cursor.id}' for the 'cursor' value not found.`,
      )
  }
  const search = plan.filters.find((f) => f.method === 'search' || f.method === 'notSearch')
  if (search !== undefined)
    throw appwriteError(
      'general_query_invalid',
      `Searching by attribute "${search.attribute}" requires a fulltext index.`,
    )
  const selected = items.filter((item) =>
    plan.filters.every((filter) => matches(read(item, filter.attribute), filter)),
  )
  const order = (a: T, b: T) => {
    for (const query of plan.orders) {
      const sign = query.method === 'orderAsc' ? 1 : -1
      const result = compare(read(a, query.attribute), read(b, query.attribute))
      if (result !== 0) return sign * result
    }
    return sequence.get(a)! - sequence.get(b)!
  }
  const sorted = [...selected].sort(order)
  let window = sorted
  if (cursorItem !== undefined) {
    const anchor = cursorItem
    window = plan.cursor!.before
      ? sorted.filter((item) => item !== anchor && order(item, anchor) < 0)
      : sorted.filter((item) => item !== anchor && order(item, anchor) > 0)
  }
  const page =
    cursorItem !== undefined && plan.cursor!.before
      ? window.slice(
          Math.max(0, window.length - plan.offset - plan.limit),
          window.length - plan.offset,
        )
      : window.slice(plan.offset, plan.offset + plan.limit)
  return { page, total: selected.length }
}
