/**
 * Query strings in the wire format of the SDK's `Query` helper (`{"method","attribute","values"}`),
 * built without importing `appwrite` at run time.
 *
 * @internal
 */
type Scalar = string | number | boolean

function query(method: string, attribute?: string, values?: readonly unknown[]): string {
  return JSON.stringify({ method, attribute, values })
}

/** @internal */
export const Q = {
  equal: (attribute: string, value: Scalar | readonly Scalar[]) =>
    query('equal', attribute, Array.isArray(value) ? value : [value]),
  notEqual: (attribute: string, value: Scalar) => query('notEqual', attribute, [value]),
  lessThan: (attribute: string, value: Scalar) => query('lessThan', attribute, [value]),
  lessThanEqual: (attribute: string, value: Scalar) => query('lessThanEqual', attribute, [value]),
  greaterThan: (attribute: string, value: Scalar) => query('greaterThan', attribute, [value]),
  greaterThanEqual: (attribute: string, value: Scalar) =>
    query('greaterThanEqual', attribute, [value]),
  isNull: (attribute: string) => query('isNull', attribute),
  isNotNull: (attribute: string) => query('isNotNull', attribute),
  or: (queries: readonly string[]) =>
    query(
      'or',
      undefined,
      queries.map((q) => JSON.parse(q) as unknown),
    ),
  and: (queries: readonly string[]) =>
    query(
      'and',
      undefined,
      queries.map((q) => JSON.parse(q) as unknown),
    ),
  orderAsc: (attribute: string) => query('orderAsc', attribute),
  orderDesc: (attribute: string) => query('orderDesc', attribute),
  limit: (limit: number) => query('limit', undefined, [limit]),
  cursorAfter: (rowId: string) => query('cursorAfter', undefined, [rowId]),
} as const
