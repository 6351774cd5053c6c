// The `indexes` of `createTable` / `createCollection`, checked as the server checks inline index
// definitions before it builds them (github:appwrite/appwrite
// `src/Appwrite/Utopia/Database/Validator/Indexes.php`). The checks an index then meets against
// the table's columns are the dedicated route's (`validateIndex` in `indexes.ts`).
import { appwriteError } from '../errors'
import { CUSTOM_ID_DESCRIPTION, isValidId } from '../ids'
import { MAX_ARRAY_PARAMS } from './limits'
import type { Params } from './params'

const TYPES = ['key', 'fulltext', 'unique', 'spatial']
const ORDERS = ['ASC', 'DESC']
const SYSTEM = ['$id', '$createdAt', '$updatedAt']

/** Why one inline index is refused, in the server's words and order; else `undefined`. */
function indexFailure(index: Params, i: number, keys: Set<unknown>): string | undefined {
  if (typeof index.key !== 'string') return `Index at position ${i} is missing required field 'key'`
  if (typeof index.type !== 'string')
    return `Index at position ${i} is missing required field 'type'`
  const columns = index.attributes
  if (!Array.isArray(columns))
    return `Index at position ${i} is missing required field 'attributes' (must be an array)`
  const key = index.key
  if (!isValidId(key)) return `Invalid key for index at position ${i}: ${CUSTOM_ID_DESCRIPTION}`
  if (keys.has(key)) return `Duplicate index key: ${key}`
  keys.add(key)
  if (!TYPES.includes(index.type)) return `Invalid type for index '${key}': ${index.type}`
  if (columns.length === 0) return `Index '${key}' must have at least one attribute`
  if (columns.length > MAX_ARRAY_PARAMS)
    return `Index '${key}' cannot have more than ${MAX_ARRAY_PARAMS} attributes`
  for (const [at, column] of columns.entries()) {
    if (typeof column !== 'string')
      return `Invalid attribute at position ${at} in index '${key}': must be a string`
    if (!isValidId(column) && !SYSTEM.includes(column))
      return `Invalid attribute name '${column}' in index '${key}'`
  }
  for (const [name, valid, what] of [
    [
      'orders',
      (item: unknown) => item === null || item === '' || ORDERS.includes(item as string),
      'order',
    ],
    [
      'lengths',
      (item: unknown) => item === null || (Number.isInteger(item) && (item as number) >= 0),
      'length',
    ],
  ] as const) {
    const list = index[name]
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) return `Index '${key}' ${name} must be an array`
    if (list.length !== columns.length)
      return `Index '${key}': ${name} array length (${list.length}) must match attributes array length (${columns.length})`
    const bad = list.find((item) => !valid(item))
    if (bad !== undefined)
      return what === 'order'
        ? `Invalid order '${String(bad)}' in index '${key}'. Must be 'ASC' or 'DESC'`
        : `Invalid length in index '${key}': must be a non-negative integer or null`
  }
  return undefined
}

/**
 * Checks every inline index definition as the server does before it builds any: 400
 * `general_argument_invalid` with its message. The indexed columns are named by `attributes`, on
 * both APIs.
 *
 * @internal
 */
export function assertInlineIndexes(definitions: readonly Params[]): void {
  const keys = new Set<unknown>()
  for (const [i, index] of definitions.entries()) {
    const failure = indexFailure(index, i, keys)
    if (failure !== undefined) throw appwriteError('general_argument_invalid', failure)
  }
}
