// The queries of the fake's simple list routes (users, function executions), which know only a few
// methods and run over plain arrays rather than the row query engine.
import { appwriteError } from './errors'

/** One query string's JSON. @internal */
export interface SimpleQuery {
  readonly method: unknown
  readonly attribute: unknown
  /** `values`, or `[]` when the query has none. */
  readonly values: readonly unknown[]
}

/**
 * Runs the `queries` of a list route that knows only `limit`, `offset` and what `apply` handles
 * (it returns `false` for a method it does not know): `general_query_invalid` for a string that is
 * not JSON or a method nobody handles. Answers the page: 25 from 0 unless the queries say otherwise.
 *
 * @internal
 */
export function simpleListQueries(
  queries: readonly string[] | undefined,
  apply: (query: SimpleQuery) => boolean,
): { limit: number; offset: number } {
  const page = { limit: 25, offset: 0 }
  for (const text of queries ?? []) {
    let query: { method?: unknown; attribute?: unknown; values?: unknown }
    try {
      query = JSON.parse(text) as typeof query
    } catch {
      throw appwriteError('general_query_invalid', `Invalid query: ${text}`)
    }
    const values = Array.isArray(query.values) ? (query.values as unknown[]) : []
    if (query.method === 'limit') page.limit = Number(values[0])
    else if (query.method === 'offset') page.offset = Number(values[0])
    else if (!apply({ method: query.method, attribute: query.attribute, values })) {
      throw appwriteError('general_query_invalid', `Invalid query method: ${String(query.method)}`)
    }
  }
  return page
}
