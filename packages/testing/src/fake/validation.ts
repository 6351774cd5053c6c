import { INT32_MAX } from './schema'
import type { TableSchema } from './schema'
import type { FakeColumn } from './types'

/**
 * Prefix of every structure error; the server says "document" on the TablesDB routes too
 * (github:utopia-php/database `src/Database/Validator/Structure.php`, `getDescription`).
 */
export const STRUCTURE_PREFIX = 'Invalid document structure: '

const MIN_DATETIME_MS = Date.UTC(1000, 0, 1)
const MAX_DATETIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59)
const MAX_INT32_RANGE = 2147483647
const MAX_INT64 = 2n ** 63n - 1n
const TEXT_LIMITS = { text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295 } as const

/**
 * Formats a number like PHP's `number_format($n)`: rounded to an integer, thousands separated by
 * commas. The server's range messages use it (`-9,223,372,036,854,775,808`).
 *
 * @example
 * ```ts
 * formatPhpNumber(1_000_000) // '1,000,000'
 * formatPhpNumber(0.5) // '1'
 * ```
 */
export function formatPhpNumber(value: number | bigint): string {
  let integer: bigint
  if (typeof value === 'bigint') integer = value
  else if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan'
  else integer = BigInt(value < 0 ? -Math.round(-value) : Math.round(value))
  const negative = integer < 0n
  const digits = (negative ? -integer : integer).toString()
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return negative ? `-${grouped}` : grouped
}

/**
 * Formats epoch milliseconds the way the server returns datetimes: `2026-01-01T10:00:00.000+00:00`
 * (github:utopia-php/database `src/Database/DateTime.php`, `formatTz`).
 */
export function toServerDatetime(epochMs: number): string {
  // Writes in a burst share a few milliseconds (now, an expiry): reuse recent formatted values.
  let formatted = recentDatetimes.get(epochMs)
  if (formatted !== undefined) return formatted
  formatted = `${new Date(epochMs).toISOString().slice(0, 23)}+00:00`
  if (recentDatetimes.size >= 64) recentDatetimes.clear()
  recentDatetimes.set(epochMs, formatted)
  return formatted
}
const recentDatetimes = new Map<number, string>()

const HAS_ZONE = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(.*)$/

/**
 * Parses a datetime string the way the server reads one: a value without a time zone is UTC.
 * Returns epoch milliseconds, or `undefined` when the server's `Datetime` validator would refuse it
 * (needs a four-digit year between 1000 and 9999, as the MariaDB adapter allows).
 */
export function parseServerDatetime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  // A write validates a datetime, then rewrites it; the rows of a burst share their instants.
  const cached = recentParses.get(value)
  if (cached !== undefined) return cached === null ? undefined : cached
  const ms = parseDatetimeText(value)
  if (recentParses.size >= 256) recentParses.clear()
  recentParses.set(value, ms ?? null)
  return ms
}
const recentParses = new Map<string, number | null>()

function parseDatetimeText(value: string): number | undefined {
  if (value === '' || !/(?<!\d)\d{4}(?!\d)/.test(value)) return undefined
  let text = value.trim()
  const match = DATE_TIME.exec(text)
  if (match) {
    const zone = match[3] ?? ''
    text = `${match[1]}T${match[2]}${zone === '' ? 'Z' : zone.trim()}`
    if (!HAS_ZONE.test(text)) return undefined
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    text = `${text}T00:00:00Z`
  }
  const ms = Date.parse(text)
  if (Number.isNaN(ms) || ms < MIN_DATETIME_MS || ms > MAX_DATETIME_MS) return undefined
  return ms
}

/** Whether a JS number is what PHP would decode as an `int` from the SDK's JSON. */
function isPhpInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && !String(value).includes('e')
}

const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

function isUrl(value: string): boolean {
  // PHP's FILTER_VALIDATE_URL wants a scheme and, for hierarchical schemes, a host.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || /\s/.test(value)) return false
  try {
    const url = new URL(value)
    return url.host !== '' || ['mailto:', 'news:', 'file:'].includes(url.protocol)
  } catch {
    return false
  }
}

function isIp(value: string): boolean {
  if (IPV4.test(value)) return true
  if (!value.includes(':') || value.includes('%') || value.includes('[')) return false
  try {
    return new URL(`http://[${value}]/`).hostname !== ''
  } catch {
    return false
  }
}

function codePointLength(value: string): number {
  let count = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) i++
    count++
  }
  return count
}

const encoder = new TextEncoder()

/** A failing check's description, or `undefined` when the value passes. */
type Check = (value: unknown) => string | undefined

function textCheck(size: number): Check {
  const description =
    size > 0
      ? `Value must be a valid string and no longer than ${size} chars`
      : 'Value must be a valid string'
  return (value) => {
    if (typeof value !== 'string') return description
    if (size > 0 && value.length > size && codePointLength(value) > size) return description
    return undefined
  }
}

function byteLengthCheck(size: number): Check {
  const description = `Value must be a valid string no longer than ${size} bytes`
  return (value) => {
    if (typeof value !== 'string') return description
    if (value.length * 3 > size && encoder.encode(value).length > size) return description
    return undefined
  }
}

function rangeCheck(min: number | bigint, max: number | bigint, integer: boolean): Check {
  const description = `Value must be a valid range between ${formatPhpNumber(min)} and ${formatPhpNumber(max)}`
  return (value) => {
    if (typeof value !== 'number' || Number.isNaN(value)) return description
    if (integer && !isPhpInt(value)) return description
    return value >= min && value <= max ? undefined : description
  }
}

interface ColumnChecks {
  readonly label: 'type' | 'format'
  readonly checks: readonly Check[]
}

const checkCache = new WeakMap<FakeColumn, ColumnChecks>()

/** The server's validator chain for a column (Structure.php `checkForInvalidAttributeValues`). */
function checksFor(column: FakeColumn): ColumnChecks {
  const cached = checkCache.get(column)
  if (cached) return cached
  let result: ColumnChecks
  switch (column.type) {
    case 'string':
    case 'varchar': {
      const checks: Check[] = [textCheck(column.size ?? 0)]
      if (column.format === 'email') {
        checks.push((v) =>
          EMAIL.test(v as string) ? undefined : 'Value must be a valid email address',
        )
      } else if (column.format === 'url') {
        checks.push((v) => (isUrl(v as string) ? undefined : 'Value must be a valid URL'))
      } else if (column.format === 'ip') {
        checks.push((v) => (isIp(v as string) ? undefined : 'Value must be a valid IP address'))
      } else if (column.format === 'enum') {
        const elements = column.elements ?? []
        const description = `Value must be one of (${elements.join(', ')})`
        checks.push((v) => (elements.includes(v as string) ? undefined : description))
      }
      result = { label: column.format === '' ? 'type' : 'format', checks }
      break
    }
    case 'text':
    case 'mediumtext':
    case 'longtext':
      result = {
        label: 'type',
        checks: [
          byteLengthCheck(column.size ?? TEXT_LIMITS[column.type]),
          byteLengthCheck(TEXT_LIMITS[column.type]),
        ],
      }
      break
    case 'integer': {
      // Appwrite's Integer/Create.php: a column whose max exceeds 32 bits is stored as 64-bit.
      const max = column.max ?? MAX_INT64
      const wide = max > INT32_MAX
      const bits = wide ? 64 : 32
      const low = wide ? -(2n ** 63n) : -(2n ** 31n)
      const high = wide ? 2n ** 63n - 1n : 2n ** 31n - 1n
      const intDescription = `Value must be a valid signed ${bits}-bit integer between ${formatPhpNumber(low)} and ${formatPhpNumber(high)}`
      const typeMax = wide ? MAX_INT64 : BigInt(MAX_INT32_RANGE)
      result = {
        label: 'format',
        checks: [
          (v) => (isPhpInt(v) && v >= low && v <= high ? undefined : intDescription),
          rangeCheck(-typeMax, typeMax, true),
          rangeCheck(column.min ?? -MAX_INT64 - 1n, max, true),
        ],
      }
      break
    }
    case 'double':
      result = {
        label: 'format',
        checks: [
          (v) =>
            typeof v === 'number' && Number.isFinite(v) ? undefined : 'Value must be a valid float',
          rangeCheck(-Number.MAX_VALUE, Number.MAX_VALUE, false),
          rangeCheck(column.min ?? -Number.MAX_VALUE, column.max ?? Number.MAX_VALUE, false),
        ],
      }
      break
    case 'boolean':
      result = {
        label: 'type',
        checks: [(v) => (typeof v === 'boolean' ? undefined : 'Value must be a valid boolean')],
      }
      break
    case 'datetime':
      result = {
        label: 'type',
        checks: [
          (v) =>
            parseServerDatetime(v) === undefined
              ? 'Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.'
              : undefined,
        ],
      }
      break
  }
  checkCache.set(column, result)
  return result
}

function firstFailure(checks: readonly Check[], value: unknown): string | undefined {
  for (const check of checks) {
    const failure = check(value)
    if (failure !== undefined) return failure
  }
  return undefined
}

/**
 * What the server's validator chain for `column` says about one (non-array) value, without the
 * `Attribute "…" has invalid …` framing, or `undefined` when it passes. The management API uses it
 * for `default` parameters (`Value must be a valid email address`, …).
 *
 * @example
 * ```ts
 * columnValueFailure(emailColumn, 'nope') // 'Value must be a valid email address'
 * ```
 */
export function columnValueFailure(column: FakeColumn, value: unknown): string | undefined {
  return firstFailure(checksFor(column).checks, value)
}

/**
 * Validates a value against one column. Returns the server's message (without the structure
 * prefix), or `undefined` when the value is accepted.
 */
export function validateColumnValue(
  column: FakeColumn,
  key: string,
  value: unknown,
): string | undefined {
  if (!column.required && value === null) return undefined
  const { label, checks } = checksFor(column)
  if (column.array) {
    if (!column.required && (value === null || (Array.isArray(value) && value.length === 0)))
      return undefined
    if (!Array.isArray(value)) return `Attribute "${key}" must be an array`
    for (let index = 0; index < value.length; index++) {
      const child: unknown = value[index]
      if (!column.required && child === null) continue
      const failure = firstFailure(checks, child)
      if (failure !== undefined)
        return `Attribute "${key}['${index}']" has invalid ${label}. ${failure}`
    }
    return undefined
  }
  const failure = firstFailure(checks, value)
  return failure === undefined ? undefined : `Attribute "${key}" has invalid ${label}. ${failure}`
}

/**
 * Validates user data against a declared table, in the server's order: required columns, then
 * unknown keys, then each value (github:utopia-php/database `src/Database/Validator/Structure.php`).
 * `partial` skips the required check, as bulk updates do (`PartialStructure`).
 * Returns the full server message or `undefined`.
 */
export function validateStructure(
  schema: TableSchema,
  data: Readonly<Record<string, unknown>>,
  mode: 'full' | 'partial',
): string | undefined {
  if (mode === 'full') {
    for (const column of planOf(schema).required) {
      if (data[column.key] === undefined || data[column.key] === null) {
        return `${STRUCTURE_PREFIX}Missing required attribute "${column.key}"`
      }
    }
  }
  const columns = schema.columns
  for (const key in data) {
    if (!columns.has(key)) return `${STRUCTURE_PREFIX}Unknown attribute: "${key}"`
  }
  for (const key in data) {
    const failure = validateColumnValue(columns.get(key)!, key, data[key])
    if (failure !== undefined) return STRUCTURE_PREFIX + failure
  }
  return undefined
}

/** The columns each write step looks at, per schema version (schemas are replaced, never mutated). */
interface SchemaPlan {
  /** Required columns, in declaration order. */
  readonly required: readonly FakeColumn[]
  /** Columns with a declared default. */
  readonly defaulted: readonly FakeColumn[]
  /** Datetime columns. */
  readonly datetimes: readonly FakeColumn[]
}

const schemaPlans = new WeakMap<TableSchema, SchemaPlan>()

function planOf(schema: TableSchema): SchemaPlan {
  let plan = schemaPlans.get(schema)
  if (plan === undefined) {
    const columns = [...schema.columns.values()]
    plan = {
      required: columns.filter((column) => column.required),
      defaulted: columns.filter(
        (column) => column.default !== null && column.default !== undefined,
      ),
      datetimes: columns.filter((column) => column.type === 'datetime'),
    }
    schemaPlans.set(schema, plan)
  }
  return plan
}

/**
 * Validates the keys of data written to a schemaless table: system-looking keys the server would
 * never store are refused as unknown attributes.
 */
export function validateSchemalessKeys(
  data: Readonly<Record<string, unknown>>,
): string | undefined {
  for (const key in data) {
    if (key.startsWith('$')) return `${STRUCTURE_PREFIX}Unknown attribute: "${key}"`
  }
  return undefined
}

/**
 * Fills declared defaults into a new row's data (in place) and rewrites datetime values to the
 * server's output format, as the server's `encode`/`decode` filters do.
 */
export function applyColumnDefaults(schema: TableSchema, data: Record<string, unknown>): void {
  for (const column of planOf(schema).defaulted) {
    if (data[column.key] === undefined || data[column.key] === null) {
      data[column.key] = Array.isArray(column.default)
        ? [...(column.default as unknown[])]
        : column.default
    }
  }
}

/** Rewrites datetime column values (already validated) to `…T…+00:00` form, in place. */
export function normalizeDatetimes(schema: TableSchema, data: Record<string, unknown>): void {
  for (const column of planOf(schema).datetimes) {
    const key = column.key
    const value = data[key]
    if (value === undefined) continue
    if (Array.isArray(value)) {
      data[key] = value.map((item) => {
        const ms = parseServerDatetime(item)
        return ms === undefined ? item : toServerDatetime(ms)
      })
    } else {
      const ms = parseServerDatetime(value)
      if (ms !== undefined) data[key] = toServerDatetime(ms)
    }
  }
}
