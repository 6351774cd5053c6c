import { isoFormatter } from '../../../core/src/pipeline/isoFormatter'
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
  formatted =
    Number.isInteger(epochMs) && epochMs >= MIN_DATETIME_MS && epochMs <= LAST_FOUR_DIGIT_MS
      ? formatUtc(epochMs)
      : `${new Date(epochMs).toISOString().slice(0, 23)}+00:00`
  if (recentDatetimes.size >= 64) recentDatetimes.clear()
  recentDatetimes.set(epochMs, formatted)
  return formatted
}
const recentDatetimes = new Map<number, string>()

/** The last millisecond of year 9999: `toISOString` writes every later year with a sign. */
const LAST_FOUR_DIGIT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * What `` `${new Date(epochMs).toISOString().slice(0, 23)}+00:00` `` gives for an integer instant
 * in years 1000–9999, by hand (`toISOString` is several times slower), with core's formula
 * (`packages/core/src/pipeline/isoFormatter.ts`, a leaf module built into this package's bundle).
 */
const formatUtc = /* @__PURE__ */ isoFormatter('+00:00')

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
    const name = zone.trim()
    if (ZONE_NAME.test(name)) return inRange(zonedMs(`${match[1]}T${match[2]}`, name))
    text = `${match[1]}T${match[2]}${zone === '' ? 'Z' : name}`
    if (!HAS_ZONE.test(text)) return undefined
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    text = `${text}T00:00:00Z`
  }
  return inRange(Date.parse(text))
}

function inRange(ms: number | undefined): number | undefined {
  if (ms === undefined || Number.isNaN(ms) || ms < MIN_DATETIME_MS || ms > MAX_DATETIME_MS)
    return undefined
  return ms
}

/** A time-zone name after the time (`America/New_York`, `UTC`), as PHP's `DateTime` reads one. */
const ZONE_NAME = /^(?:[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT)$/
const zoneFormats = new Map<string, Intl.DateTimeFormat | null>()

/** The zone's offset from UTC at `ms`, in milliseconds, or `undefined` for an unknown zone. */
function zoneOffset(zone: string, ms: number): number | undefined {
  let format = zoneFormats.get(zone)
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      // `RangeError: Invalid time zone`: the server's validator refuses the value too.
      format = null
    }
    zoneFormats.set(zone, format)
  }
  if (format === null) return undefined
  const part: Record<string, number> = {}
  for (const { type, value } of format.formatToParts(ms)) part[type] = Number(value)
  const wall = Date.UTC(
    part.year ?? 0,
    (part.month ?? 1) - 1,
    part.day ?? 1,
    part.hour ?? 0,
    part.minute ?? 0,
    part.second ?? 0,
  )
  return wall - (ms - (((ms % 1000) + 1000) % 1000))
}

/**
 * A wall-clock time in a named zone as epoch milliseconds, as PHP converts
 * `1975-06-12 14:12:55 America/New_York` (stored as `1975-06-12T18:12:55.000+00:00`).
 */
function zonedMs(local: string, zone: string): number | undefined {
  const wall = Date.parse(`${local}Z`)
  if (Number.isNaN(wall)) return undefined
  const first = zoneOffset(zone, wall)
  if (first === undefined) return undefined
  const guess = wall - first
  const second = zoneOffset(zone, guess)
  return second === undefined || second === first ? guess : wall - second
}

/**
 * Whether a JS number is what PHP would decode as an `int` from the SDK's JSON: an integer that
 * `JSON.stringify` writes without an exponent. Integers are written with one from 1e21 up, so
 * the magnitude says it without formatting the number.
 */
function isPhpInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21
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
  /** A cheaper test for the usual values (see {@link quickAccepts}). */
  readonly quick: QuickTest
}

/**
 * What {@link quickAccepts} needs to accept a (non-array) value without running the chain: one
 * shape for every column type, so reading it stays monomorphic. `kind: 'none'` leaves every
 * value to the chain (formats, long texts).
 */
interface QuickTest {
  readonly kind: 'none' | 'text' | 'integer' | 'double' | 'boolean'
  /** `text`: the longest value in UTF-16 units accepted without counting code points; 0: any. */
  readonly size: number
  /** `text`: the values an enum accepts; `undefined`: any string. */
  readonly elements: readonly string[] | undefined
  /** `integer` (safe integers only) and `double`: the bounds, inclusive. */
  readonly min: number | bigint
  readonly max: number | bigint
}

const NO_QUICK_TEST: QuickTest = {
  kind: 'none',
  size: 0,
  elements: undefined,
  min: 0,
  max: 0,
}

function quickTest(
  kind: QuickTest['kind'],
  fields: Partial<Omit<QuickTest, 'kind'>> = {},
): QuickTest {
  return { ...NO_QUICK_TEST, kind, ...fields }
}

/**
 * The bound a safe integer compares with as it would with `bound`: a `bigint` past 2^53 becomes
 * an infinity (every safe integer is on the same side of it), anything else a number, exactly.
 */
function safeIntegerBound(bound: number | bigint): number {
  if (typeof bound === 'number') return bound
  if (bound > BigInt(Number.MAX_SAFE_INTEGER)) return Infinity
  if (bound < -BigInt(Number.MAX_SAFE_INTEGER)) return -Infinity
  return Number(bound)
}

/**
 * Whether `value` passes the column's validator chain, decided from `quick` for the usual values:
 * `true` only where every check of the chain would pass, `false` when the chain must decide
 * (it gives the message). A safe integer is always one PHP reads as an `int`.
 */
function quickAccepts(quick: QuickTest, value: unknown): boolean {
  switch (quick.kind) {
    case 'text':
      return (
        typeof value === 'string' &&
        (quick.size === 0 || value.length <= quick.size) &&
        (quick.elements === undefined || quick.elements.includes(value))
      )
    case 'integer':
      return (
        Number.isSafeInteger(value) &&
        (value as number) >= quick.min &&
        (value as number) <= quick.max
      )
    case 'double':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= quick.min &&
        value <= quick.max
      )
    case 'boolean':
      return typeof value === 'boolean'
    case 'none':
      return false
  }
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
      const size = column.size ?? 0
      const quick =
        column.format === '' || column.format === 'enum'
          ? quickTest('text', {
              // A non-positive size accepts any length, like `textCheck`.
              size: size > 0 ? size : 0,
              elements: column.format === 'enum' ? (column.elements ?? []) : undefined,
            })
          : NO_QUICK_TEST
      result = { label: column.format === '' ? 'type' : 'format', checks, quick }
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
        quick: NO_QUICK_TEST,
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
      const min = column.min ?? -MAX_INT64 - 1n
      result = {
        label: 'format',
        checks: [
          (v) => (isPhpInt(v) && v >= low && v <= high ? undefined : intDescription),
          rangeCheck(-typeMax, typeMax, true),
          rangeCheck(min, max, true),
        ],
        // The three ranges in one, for safe integers.
        quick: quickTest('integer', {
          min: Math.max(safeIntegerBound(low), safeIntegerBound(-typeMax), safeIntegerBound(min)),
          max: Math.min(safeIntegerBound(high), safeIntegerBound(typeMax), safeIntegerBound(max)),
        }),
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
        // Every finite number is within ±Number.MAX_VALUE.
        quick: quickTest('double', {
          min: column.min ?? -Number.MAX_VALUE,
          max: column.max ?? Number.MAX_VALUE,
        }),
      }
      break
    case 'boolean':
      result = {
        label: 'type',
        checks: [(v) => (typeof v === 'boolean' ? undefined : 'Value must be a valid boolean')],
        quick: quickTest('boolean'),
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
        // Datetime values are checked (and formatted) through `serverDatetimeText`.
        quick: NO_QUICK_TEST,
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
  return valueFailure(column, checksFor(column), key, value)
}

function valueFailure(
  column: FakeColumn,
  { label, checks }: ColumnChecks,
  key: string,
  value: unknown,
): string | undefined {
  if (!column.required && value === null) return undefined
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

/** One declared column as a write checks it. */
interface ColumnRule {
  readonly column: FakeColumn
  readonly checks: ColumnChecks
  /** `checks.quick` for a single-value column, else a test that leaves everything to the chain. */
  readonly quick: QuickTest
  /** A single-value datetime column: checked and formatted through `serverDatetimeText`. */
  readonly datetime: boolean
}

/**
 * What a write checks of one declared table, built once per schema version: schemas are replaced,
 * never mutated (a column added or changed through the management API makes a new one), so a
 * plan cannot go stale. Each written key costs one lookup in `rules`, which carries the column
 * and its validator chain together.
 */
interface RowPlan {
  /** Every column by key, in declaration order. */
  readonly rules: ReadonlyMap<string, ColumnRule>
  /** Required columns, in declaration order. */
  readonly required: readonly FakeColumn[]
  /** Columns with a declared default. */
  readonly defaulted: readonly FakeColumn[]
  /** Keys of the datetime columns: what the structure step may rewrite. */
  readonly datetimeKeys: readonly string[]
}

const rowPlans = new WeakMap<TableSchema, RowPlan>()

function planOf(schema: TableSchema): RowPlan {
  let plan = rowPlans.get(schema)
  if (plan === undefined) {
    const columns = [...schema.columns.values()]
    const rules = new Map<string, ColumnRule>()
    for (const column of columns) {
      const checks = checksFor(column)
      rules.set(column.key, {
        column,
        checks,
        quick: column.array ? NO_QUICK_TEST : checks.quick,
        datetime: column.type === 'datetime' && !column.array,
      })
    }
    plan = {
      rules,
      required: columns.filter((column) => column.required),
      defaulted: columns.filter(
        (column) => column.default !== null && column.default !== undefined,
      ),
      datetimeKeys: columns
        .filter((column) => column.type === 'datetime')
        .map((column) => column.key),
    }
    rowPlans.set(schema, plan)
  }
  return plan
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
  return structureFailure(planOf(schema), data, mode, false)
}

/**
 * {@link validateStructure} in one pass over the keys: the first unknown key wins over any value
 * failure, wherever it comes, so values are checked on the way and the first failure is held
 * back until every key is known. With `normalize`, each accepted datetime value is rewritten in
 * place as it passes, in the server's output format: the data is then only usable when the
 * answer is `undefined`.
 */
function structureFailure(
  plan: RowPlan,
  data: Record<string, unknown>,
  mode: 'full' | 'partial',
  normalize: boolean,
): string | undefined {
  if (mode === 'full') {
    for (const column of plan.required) {
      const value = data[column.key]
      if (value === undefined || value === null) {
        return `${STRUCTURE_PREFIX}Missing required attribute "${column.key}"`
      }
    }
  }
  const rules = plan.rules
  let failure: string | undefined
  for (const key in data) {
    const rule = rules.get(key)
    if (rule === undefined) return `${STRUCTURE_PREFIX}Unknown attribute: "${key}"`
    if (failure !== undefined) continue
    const value = data[key]
    if (quickAccepts(rule.quick, value)) continue
    if (rule.datetime && typeof value === 'string') {
      const formatted = serverDatetimeText(value)
      if (formatted !== undefined) {
        if (normalize && formatted !== value) data[key] = formatted
        continue
      }
    }
    const refused = valueFailure(rule.column, rule.checks, key, value)
    if (refused !== undefined) failure = STRUCTURE_PREFIX + refused
    else if (normalize && rule.column.type === 'datetime' && value !== undefined) {
      const formatted = normalizedDatetime(value)
      if (formatted !== value) data[key] = formatted
    }
  }
  return failure
}

/**
 * The write path's structure step for a declared table: fills declared defaults into a new row's
 * data (`fillDefaults`), validates it like {@link validateStructure} and rewrites datetime values
 * to the server's output format (as the server's `encode`/`decode` filters do), all in place and
 * with one plan lookup. Returns the server's message when the data is refused; `data` is then
 * half prepared and must be dropped.
 *
 * @internal
 */
export function prepareRowData(
  schema: TableSchema,
  data: Record<string, unknown>,
  mode: 'full' | 'partial',
  fillDefaults: boolean,
): string | undefined {
  const plan = planOf(schema)
  if (fillDefaults) fillDefaultsOf(plan, data)
  return structureFailure(plan, data, mode, true)
}

/**
 * The keys whose values {@link prepareRowData} may rewrite without refusing the data (datetime
 * columns), besides the defaults it fills: a caller comparing the result with what it started
 * from need look nowhere else.
 *
 * @internal
 */
export function rewrittenKeys(schema: TableSchema): readonly string[] {
  return planOf(schema).datetimeKeys
}

/**
 * Validates the keys of data written to a schemaless table: system-looking keys the server would
 * never store are refused as unknown attributes.
 */
export function validateSchemalessKeys(
  data: Readonly<Record<string, unknown>>,
): string | undefined {
  for (const key in data) {
    if (key.charCodeAt(0) === 36 /* $ */) return `${STRUCTURE_PREFIX}Unknown attribute: "${key}"`
  }
  return undefined
}

/** Fills declared defaults into a new row's data, in place. */
function fillDefaultsOf(plan: RowPlan, data: Record<string, unknown>): void {
  for (const column of plan.defaulted) {
    if (data[column.key] === undefined || data[column.key] === null) {
      data[column.key] = Array.isArray(column.default)
        ? [...(column.default as unknown[])]
        : column.default
    }
  }
}

/** A datetime value (or array of them) in the server's output format; what cannot be read stays. */
function normalizedDatetime(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizedDatetimeItem)
  return normalizedDatetimeItem(value)
}

function normalizedDatetimeItem(value: unknown): unknown {
  if (typeof value !== 'string') return value
  return serverDatetimeText(value) ?? value
}

/**
 * A datetime string in the server's output format, or `undefined` when the server would refuse it
 * (see {@link parseServerDatetime}). One lookup for what is otherwise a parse and a format: a
 * burst of writes repeats a few instants.
 */
function serverDatetimeText(value: string): string | undefined {
  let formatted = recentFormats.get(value)
  if (formatted === undefined) {
    const ms = parseServerDatetime(value)
    formatted = ms === undefined ? null : toServerDatetime(ms)
    if (recentFormats.size >= 256) recentFormats.clear()
    recentFormats.set(value, formatted)
  }
  return formatted ?? undefined
}
const recentFormats = new Map<string, string | null>()
