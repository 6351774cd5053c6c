// The `columns` of `createTable` (the legacy `attributes` of `createCollection`), checked and
// resolved as the server does it for inline definitions: github:appwrite/appwrite
// `src/Appwrite/Utopia/Database/Validator/Attributes.php` (every definition is checked, in order,
// before anything is built) and `src/Appwrite/Utopia/Database/Attribute.php` (format shorthands
// and the sizes the dedicated column routes give).
import { appwriteError } from '../errors'
import type { AppwriteException } from '../errors'
import { CUSTOM_ID_DESCRIPTION, isValidId } from '../ids'
import type { ColumnDefinition } from '../types'
import { columnValueFailure, parseServerDatetime } from '../validation'
import { LENGTH_KEY, STRING_MAX } from './limits'
import type { Params } from './params'
import { probeColumn } from './validators'

/** The string formats a type may name, with the size their dedicated route gives. */
const FORMAT_SIZES: Readonly<Record<string, number>> = {
  email: 254,
  enum: LENGTH_KEY,
  ip: 39,
  url: 2000,
}
/** The types whose size the type fixes, whatever size the definition sends. */
const FIXED_SIZES: Readonly<Record<string, number>> = {
  text: 65_535,
  mediumtext: 16_777_215,
  longtext: 2_147_483_647,
}
/** The types the server stores but the fake does not serve (see the testing README). */
const NOT_SERVED = ['bigint', 'point', 'linestring', 'polygon']
/** Every type an inline definition may name (`Attribute::types()`); `float` is not one: it is `double`. */
const INLINE_TYPES = [
  'string',
  'varchar',
  'text',
  'mediumtext',
  'longtext',
  'integer',
  'bigint',
  'double',
  'boolean',
  'datetime',
  ...NOT_SERVED.slice(1),
  ...Object.keys(FORMAT_SIZES),
]
const SIZED = ['string', 'varchar']
const NUMERIC = ['integer', 'bigint', 'double']

/** An inline definition resolved as `Attribute::resolve` does: shorthand formats become `string`. */
interface Resolved {
  type: string
  format: string
  size: number
}

const isSet = (value: unknown) => value !== undefined && value !== null
const isInt = (value: unknown) =>
  typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))
/** PHP's string conversion of a scalar, as the server's messages interpolate values. */
const php = (value: unknown) =>
  Array.isArray(value) ? 'Array' : value === true ? '1' : value === false ? '' : String(value)

function resolve(definition: Params): Resolved {
  let type = typeof definition.type === 'string' ? definition.type : ''
  let format = typeof definition.format === 'string' ? definition.format : ''
  if (FORMAT_SIZES[type] !== undefined) {
    format = type
    type = 'string'
  }
  let size = isInt(definition.size) ? Number(definition.size) : 0
  const fixed = FIXED_SIZES[type]
  if (fixed !== undefined) size = fixed
  else if (size < 1) size = FORMAT_SIZES[format] ?? size
  return { type, format, size }
}

const EMAIL = probeColumn({ type: 'email', size: 0 })
const URL_PROBE = probeColumn({ type: 'url', size: 0 })
const IP = probeColumn({ type: 'ip', size: 0 })

/** Why a definition's `default` does not fit its resolved type, in the server's words; else `undefined`. */
function defaultFailure(key: string, r: Resolved, definition: Params): string | undefined {
  const value = definition.default
  const min = definition.min as number | undefined
  const max = definition.max as number | undefined
  const bounded = isSet(min) || isSet(max)
  const outside = (low: number, high: number) => (value as number) < low || (value as number) > high
  switch (r.type) {
    case 'string':
    case 'varchar':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      if (typeof value !== 'string')
        return `Default value for string attribute '${key}' must be a string`
      if (r.size > 0 && [...value].length > r.size)
        return `Default value for attribute '${key}' exceeds maximum size of ${r.size} characters`
      if (r.format === 'email' && columnValueFailure(EMAIL, value) !== undefined)
        return `Default value for email attribute '${key}' must be a valid email address`
      if (r.format === 'ip' && columnValueFailure(IP, value) !== undefined)
        return `Default value for IP attribute '${key}' must be a valid IP address`
      if (r.format === 'url' && columnValueFailure(URL_PROBE, value) !== undefined)
        return `Default value for URL attribute '${key}' must be a valid URL`
      return undefined
    case 'integer':
    case 'bigint': {
      if (!isInt(value)) return `Default value for ${r.type} attribute '${key}' must be an integer`
      const low = min ?? Number.MIN_SAFE_INTEGER
      const high = max ?? Number.MAX_SAFE_INTEGER
      return bounded && outside(low, high)
        ? `Default value for ${r.type} attribute '${key}' must be between ${php(min ?? '-9223372036854775808')} and ${php(max ?? '9223372036854775807')}`
        : undefined
    }
    case 'double':
      if (typeof value !== 'number')
        return `Default value for float attribute '${key}' must be a number`
      return bounded && outside(min ?? -Number.MAX_VALUE, max ?? Number.MAX_VALUE)
        ? `Default value for float attribute '${key}' must be between ${php(min ?? -Number.MAX_VALUE)} and ${php(max ?? Number.MAX_VALUE)}`
        : undefined
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : `Default value for boolean attribute '${key}' must be a boolean`
    case 'datetime':
      if (typeof value !== 'string')
        return `Default value for datetime attribute '${key}' must be a string in ISO 8601 format`
      return parseServerDatetime(value) === undefined
        ? `Default value for datetime attribute '${key}' must be in valid ISO 8601 format`
        : undefined
    default:
      return undefined
  }
}

/** Why one definition is refused, in the server's words and order; else `undefined`. */
function definitionFailure(
  definition: Params,
  index: number,
  keys: Set<unknown>,
): string | undefined {
  if (!isSet(definition.key)) return `Attribute at index ${index} is missing required field 'key'`
  if (!isSet(definition.type)) return `Attribute at index ${index} is missing required field 'type'`
  if (!isValidId(definition.key))
    return `Invalid key for attribute at index ${index}: ${CUSTOM_ID_DESCRIPTION}`
  const key = definition.key
  if (keys.has(key)) return `Duplicate attribute key: ${key}`
  keys.add(key)
  if (!INLINE_TYPES.includes(definition.type as string))
    return `Invalid type for attribute '${key}': ${php(definition.type)}`
  const r = resolve(definition)
  if (isSet(definition.size) && !isInt(definition.size))
    return `Invalid size for attribute '${key}': must be an integer`
  if (SIZED.includes(r.type) && (r.size < 1 || r.size > STRING_MAX))
    return `Invalid or missing size for string attribute '${key}'. Size must be between 1 and ${STRING_MAX}`
  if (r.format !== '') {
    if (!SIZED.includes(r.type))
      return `Format is only allowed for string type for attribute '${key}'`
    if (FORMAT_SIZES[r.format] === undefined)
      return `Invalid format for attribute '${key}': ${r.format}`
  }
  for (const flag of ['required', 'array', 'signed'])
    if (isSet(definition[flag]) && typeof definition[flag] !== 'boolean')
      return `Invalid '${flag}' value for attribute '${key}': must be a boolean`
  if (isSet(definition.signed) && !NUMERIC.includes(r.type))
    return `Attribute '${key}': 'signed' can only be used with integer, bigint or float types`
  if (definition.required === true && isSet(definition.default))
    return `Attribute '${key}' cannot have a default value when required is true`
  if (definition.array === true && isSet(definition.default))
    return `Attribute '${key}' cannot have a default value when array is true`
  if (isSet(definition.min) || isSet(definition.max)) {
    if (!NUMERIC.includes(r.type))
      return `Attribute '${key}': min/max can only be used with integer, bigint or float types`
    if (
      isSet(definition.min) &&
      isSet(definition.max) &&
      (definition.min as number) > (definition.max as number)
    )
      return `Attribute '${key}': minimum value must be less than or equal to maximum value`
  }
  if (isSet(definition.default)) {
    const failure = defaultFailure(key, r, definition)
    if (failure !== undefined) return failure
  }
  if (r.format === 'enum') {
    const elements = definition.elements
    if (!Array.isArray(elements) || elements.length === 0)
      return `Attribute '${key}' with enum format must have 'elements' array`
    for (const [i, element] of elements.entries()) {
      if (typeof element !== 'string' || element === '')
        return `Enum element at index ${i} for attribute '${key}' must be a non-empty string`
      if (new TextEncoder().encode(element).length > LENGTH_KEY)
        return `Enum element at index ${i} for attribute '${key}' exceeds maximum length of ${LENGTH_KEY} characters`
    }
    if (isSet(definition.default) && !elements.includes(definition.default))
      return `Default value for enum attribute '${key}' must be one of the provided elements`
  }
  return undefined
}

/**
 * Checks every inline definition as the server does before it builds any (400
 * `general_argument_invalid` with its message), then refuses loudly the types the fake does not
 * serve (405 `general_not_implemented`) rather than answering a refusal the server would not give.
 *
 * @internal
 */
export function assertInlineColumns(definitions: readonly Params[]): void {
  const keys = new Set<unknown>()
  for (const [index, definition] of definitions.entries()) {
    const failure = definitionFailure(definition, index, keys)
    if (failure !== undefined) throw appwriteError('general_argument_invalid', failure)
  }
  const unserved = definitions.find((definition) => NOT_SERVED.includes(definition.type as string))
  if (unserved !== undefined) throw notServed(unserved)
}

function notServed(definition: Params): AppwriteException {
  return appwriteError(
    'general_not_implemented',
    `The Appwrite emulator does not serve ${String(definition.type)} columns (column '${String(definition.key)}'): leave it out, or test code that needs it against a real Appwrite server.`,
  )
}

/**
 * An inline definition (checked by {@link assertInlineColumns}) as the column the server stores:
 * a shorthand format becomes a `string` of that format, a fixed-width type gets its size, `min` /
 * `max` / `elements` apply only to their types, and `encrypt` follows the definition's `filters`
 * (an inline `encrypt: true` is not read by the server).
 *
 * @internal
 */
export function inlineColumnDefinition(
  definition: Params,
): ColumnDefinition & { encrypt: boolean } {
  const r = resolve(definition)
  const filters = definition.filters
  return {
    key: definition.key as string,
    type: r.type === 'double' ? 'double' : (r.type as ColumnDefinition['type']),
    ...(r.format === '' ? {} : { format: r.format as ColumnDefinition['format'] }),
    ...(r.size > 0 ? { size: r.size } : {}),
    required: definition.required === true,
    array: definition.array === true,
    default: isSet(definition.default) ? definition.default : null,
    ...(NUMERIC.includes(r.type) && isSet(definition.min) ? { min: definition.min as number } : {}),
    ...(NUMERIC.includes(r.type) && isSet(definition.max) ? { max: definition.max as number } : {}),
    ...(r.format === 'enum' ? { elements: [...(definition.elements as string[])] } : {}),
    encrypt: Array.isArray(filters) && filters.includes('encrypt'),
  } as ColumnDefinition & { encrypt: boolean }
}
