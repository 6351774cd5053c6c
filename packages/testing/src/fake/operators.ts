/**
 * Update operators (`Operator.increment(5)`, `Operator.arrayAppend([...])`, … in the SDKs): a data
 * value that is the JSON of `{ method, values }` with a known method is applied to the stored
 * value instead of being written as is, on update, upsert and bulk update / upsert, as the server
 * does (`Databases/Action.php` `parseOperators`, utopia-php/database `Operator` and its validator).
 *
 * @internal
 */
import { appwriteError } from './errors'
import type { Flavor } from './rowData'
import type { TableSchema } from './schema'
import type { FakeColumn } from './types'
import { STRUCTURE_PREFIX, parseServerDatetime, toServerDatetime } from './validation'

type Model = Record<string, unknown>

const METHODS = new Set([
  'increment',
  'decrement',
  'multiply',
  'divide',
  'modulo',
  'power',
  'stringConcat',
  'stringReplace',
  'toggle',
  'dateAddDays',
  'dateSubDays',
  'dateSetNow',
  'arrayAppend',
  'arrayPrepend',
  'arrayInsert',
  'arrayRemove',
  'arrayUnique',
  'arrayIntersect',
  'arrayDiff',
  'arrayFilter',
])
const NUMERIC = new Set(['increment', 'decrement', 'multiply', 'divide', 'modulo', 'power'])
const DAY_MS = 86_400_000

interface Operator {
  method: string
  values: unknown[]
}

/** The operator a data value holds, or `undefined` when it is a plain value. */
function operatorOf(key: string, value: unknown): Operator | undefined {
  let decoded: unknown = value
  if (typeof value === 'string') {
    // Cheap test first: nearly every string value is plain text.
    if (value.charCodeAt(0) !== 123 /* { */ || !value.includes('"method"')) return undefined
    try {
      decoded = JSON.parse(value)
    } catch {
      // Not JSON: a plain string that happens to start with a brace.
      return undefined
    }
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) return undefined
  const method = (decoded as { method?: unknown }).method
  if (typeof method !== 'string' || !METHODS.has(method)) return undefined
  const values = (decoded as { values?: unknown }).values ?? []
  if (!Array.isArray(values))
    throw appwriteError(
      'general_bad_request',
      `Invalid operator for attribute "${key}": Invalid operator values. Must be an array, got ${typeof values}`,
    )
  return { method, values }
}

/** Whether any value of `data` is an operator (the cheap check before a per-row apply). */
export function hasOperators(data: Readonly<Model>): boolean {
  for (const key in data) {
    if (key.charCodeAt(0) === 36 /* $ */) continue
    if (operatorOf(key, data[key]) !== undefined) return true
  }
  return false
}

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)

/** Why `op` cannot apply to `column`, in the server's words, or `undefined`. */
function refusal(key: string, op: Operator, column: FakeColumn | undefined): string | undefined {
  const { method, values } = op
  const type = column?.type
  const numeric = type === 'integer' || type === 'double'
  const stringy =
    type === 'string' ||
    type === 'varchar' ||
    type === 'text' ||
    type === 'mediumtext' ||
    type === 'longtext'
  const array = column?.array ?? false
  if (NUMERIC.has(method)) {
    if (column && !numeric) return `Cannot apply ${method} to non-numeric field '${key}'`
    if (!isNumber(values[0]))
      return `Numeric operator value must be numeric, got ${values[0] === undefined ? 'NULL' : typeof values[0]}`
    if ((method === 'divide' || method === 'modulo') && values[0] === 0)
      return `${method === 'divide' ? 'Division' : 'Modulo'} by zero is not allowed`
    if (values.length > 1 && values[1] !== null && !isNumber(values[1]))
      return `Max/min limit must be numeric, got ${typeof values[1]}`
    return undefined
  }
  if (method === 'arrayAppend' || method === 'arrayPrepend' || method === 'arrayUnique')
    return column && !array ? `Cannot apply ${method} to non-array field '${key}'` : undefined
  if (method.startsWith('array')) {
    if (column && !array) return `Cannot use ${method} operator on non-array attribute '${key}'`
    if (method === 'arrayInsert') {
      if (values.length !== 2) return 'Insert operator requires exactly 2 values: index and value'
      if (!Number.isInteger(values[0]) || (values[0] as number) < 0)
        return 'Insert index must be a non-negative integer'
    }
    if (method === 'arrayRemove' && values.length === 0)
      return 'Array remove operator requires a value to remove'
    if (method === 'arrayFilter') {
      if (values.length < 1 || values.length > 2)
        return 'Array filter operator requires 1 or 2 values: condition and optional comparison value'
      if (typeof values[0] !== 'string') return 'Array filter condition must be a string'
    }
    return undefined
  }
  if (method === 'stringConcat') {
    if (column && !stringy && !array) return `Cannot apply concat to non-string field '${key}'`
    if (typeof values[0] !== 'string')
      return 'String concatenation operator requires a string value'
    return undefined
  }
  if (method === 'stringReplace') {
    if (column && !stringy) return `Cannot apply replace to non-string field '${key}'`
    if (values.length !== 2 || typeof values[0] !== 'string' || typeof values[1] !== 'string')
      return 'Replace operator requires exactly 2 string values: search and replace'
    return undefined
  }
  if (method === 'toggle')
    return column && type !== 'boolean'
      ? `Cannot apply toggle to non-boolean field '${key}'`
      : undefined
  // dateAddDays, dateSubDays, dateSetNow
  if (column && type !== 'datetime') return `Invalid date format in field '${key}'`
  if (method !== 'dateSetNow' && !Number.isInteger(values[0]))
    return 'Date operator requires an integer number of days'
  return undefined
}

function matchesFilter(item: unknown, condition: string, value: unknown): boolean {
  switch (condition) {
    case 'equal':
    case 'equals':
      return item === value
    case 'notEqual':
    case 'notEquals':
      return item !== value
    case 'greaterThan':
      return (item as number) > (value as number)
    case 'greaterThanEqual':
      return (item as number) >= (value as number)
    case 'lessThan':
      return (item as number) < (value as number)
    case 'lessThanEqual':
      return (item as number) <= (value as number)
    case 'contains':
      return typeof item === 'string' && typeof value === 'string' && item.includes(value)
    case 'null':
    case 'isNull':
      return item === null
    case 'notNull':
    case 'isNotNull':
      return item !== null
    default:
      return true
  }
}

const sameItem = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b))

/** The value `op` leaves in place of `current`. */
function apply(op: Operator, current: unknown, nowMs: number): unknown {
  const [first, second] = op.values
  const limit = isNumber(second) ? second : undefined
  const number = isNumber(current) ? current : 0
  const list = Array.isArray(current) ? current : []
  switch (op.method) {
    case 'increment':
      return limit === undefined
        ? number + (first as number)
        : Math.min(number + (first as number), limit)
    case 'decrement':
      return limit === undefined
        ? number - (first as number)
        : Math.max(number - (first as number), limit)
    case 'multiply':
      return limit === undefined
        ? number * (first as number)
        : Math.min(number * (first as number), limit)
    case 'divide':
      return limit === undefined
        ? number / (first as number)
        : Math.max(number / (first as number), limit)
    case 'modulo':
      return number % (first as number)
    case 'power':
      return limit === undefined
        ? number ** (first as number)
        : Math.min(number ** (first as number), limit)
    case 'stringConcat':
      return Array.isArray(current)
        ? [...current, ...op.values]
        : `${typeof current === 'string' ? current : ''}${first as string}`
    case 'stringReplace':
      return typeof current === 'string'
        ? current.split(first as string).join(second as string)
        : current
    case 'toggle':
      return current !== true
    case 'dateSetNow':
      return toServerDatetime(nowMs)
    case 'dateAddDays':
    case 'dateSubDays': {
      const ms = parseServerDatetime(current)
      if (ms === undefined) return current
      const days = (first as number) * (op.method === 'dateAddDays' ? 1 : -1)
      return toServerDatetime(ms + days * DAY_MS)
    }
    case 'arrayAppend':
      return [...list, ...op.values]
    case 'arrayPrepend':
      return [...op.values, ...list]
    case 'arrayInsert': {
      const out = [...list]
      out.splice(first as number, 0, second)
      return out
    }
    case 'arrayRemove': {
      const removed = Array.isArray(first) ? first : [first]
      return list.filter((item) => !removed.some((gone) => sameItem(item, gone)))
    }
    case 'arrayUnique':
      return list.filter((item, i) => list.findIndex((other) => sameItem(other, item)) === i)
    case 'arrayIntersect':
      return list.filter((item) => op.values.some((kept) => sameItem(item, kept)))
    case 'arrayDiff':
      return list.filter((item) => !op.values.some((gone) => sameItem(item, gone)))
    case 'arrayFilter':
      return list.filter((item) => matchesFilter(item, first as string, second))
    default:
      return current
  }
}

/**
 * Replaces every operator value of `changes` (already copied from the request) with the value it
 * leaves on `current` (the stored row's data, `undefined` for a new row). A value naming a column
 * the table does not declare is left for the structure validator to refuse as unknown.
 * Throws the server's 400 when an operator does not fit its column.
 */
export function applyOperators(
  flavor: Flavor,
  changes: Model,
  current: Readonly<Model> | undefined,
  schema: TableSchema | undefined,
  nowMs: number,
): void {
  for (const key of Object.keys(changes)) {
    if (key.charCodeAt(0) === 36 /* $ */) continue
    const op = operatorOf(key, changes[key])
    if (op === undefined) continue
    const column = schema?.columns.get(key)
    if (schema && !column) continue
    const refused = refusal(key, op, column)
    if (refused !== undefined)
      throw appwriteError(flavor.invalidStructure, STRUCTURE_PREFIX + refused)
    changes[key] = apply(op, current?.[key] ?? null, nowMs)
  }
}
