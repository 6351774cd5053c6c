import { appwriteError } from './errors'
import { UID_DESCRIPTION, isValidId } from './ids'
import type { TableSchema } from './schema'
import type { StoredRow } from './store'
import { formatPhpNumber, parseServerDatetime } from './validation'
import type { FakeColumn } from './types'

/**
 * Query semantics follow github:utopia-php/database `src/Database/Query.php` (parsing),
 * `src/Database/Validator/Queries.php`, `Validator/Query/{Filter,Order,Select,Limit,Offset,Cursor}.php`
 * and `Validator/IndexedQueries.php` (validation and messages), and `Database::find` / the MariaDB
 * adapter (matching, `$sequence` tie-break, default limit 25). Messages are the server's.
 */

/** Default page size of list calls (`Database::find`, `$limit ?? 25`). */
export const DEFAULT_LIMIT = 25
/** `total` stops counting here (`APP_LIMIT_COUNT` in appwrite `app/init/constants.php`). */
export const MAX_COUNT = 5000
/** Most queries one call may carry (`APP_LIMIT_ARRAY_PARAMS_SIZE`). */
export const MAX_QUERIES = 100
/** Longest query string (`APP_LIMIT_ARRAY_ELEMENT_SIZE`). */
export const MAX_QUERY_LENGTH = 4096
/** Most values one filter may carry (`APP_DATABASE_QUERY_MAX_VALUES`). */
export const MAX_QUERY_VALUES = 500

const PHP_INT_MAX = 2n ** 63n - 1n

/** A query as `Query::parse` leaves it: method, attribute (`''` when absent), values. */
export interface RawQuery {
  readonly method: string
  readonly attribute: string
  readonly values: readonly unknown[]
}

/** The spatial filters utopia-php/database knows (`Query::TYPE_CROSSES` …). @internal */
export const SPATIAL_QUERY_METHODS = [
  'crosses',
  'notCrosses',
  'distanceEqual',
  'distanceNotEqual',
  'distanceGreaterThan',
  'distanceLessThan',
  'intersects',
  'notIntersects',
  'overlaps',
  'notOverlaps',
  'touches',
  'notTouches',
] as const

/** The comparison filters, as both the query evaluator and realtime's know them. @internal */
export const COMPARISON_QUERY_METHODS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanEqual',
  'greaterThan',
  'greaterThanEqual',
] as const

/** The range and prefix / suffix filters. @internal */
export const RANGE_QUERY_METHODS = [
  'between',
  'notBetween',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
] as const

/** Ordering and paging: queries that choose no rows. @internal */
export const PAGING_QUERY_METHODS = [
  'orderAsc',
  'orderDesc',
  'orderRandom',
  'limit',
  'offset',
  'cursorAfter',
  'cursorBefore',
] as const

const FILTER_METHODS = new Set<string>([
  ...COMPARISON_QUERY_METHODS,
  'contains',
  'containsAny',
  'containsAll',
  'notContains',
  'search',
  'notSearch',
  'isNull',
  'isNotNull',
  ...RANGE_QUERY_METHODS,
  'regex',
  'exists',
  'notExists',
  'and',
  'or',
  'elemMatch',
  ...SPATIAL_QUERY_METHODS,
  'vectorDot',
  'vectorCosine',
  'vectorEuclidean',
])
const OTHER_METHODS = new Set<string>(['select', ...PAGING_QUERY_METHODS])
const LOGICAL_METHODS = new Set(['and', 'or', 'elemMatch'])
const SPATIAL_METHODS = new Set<string>(SPATIAL_QUERY_METHODS)
const AT_LEAST_ONE = new Set([
  'equal',
  'contains',
  'containsAny',
  'notContains',
  'containsAll',
  'exists',
  'notExists',
])
const EXACTLY_ONE = new Set([
  'notEqual',
  'lessThan',
  'lessThanEqual',
  'greaterThan',
  'greaterThanEqual',
  'search',
  'notSearch',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'regex',
])
const CONTAINS_METHODS = new Set(['contains', 'containsAny', 'containsAll', 'notContains'])
const ARRAY_METHODS = new Set([...CONTAINS_METHODS, 'isNull', 'isNotNull', 'exists', 'notExists'])
const INTERNAL_KEYS = new Set([
  '$id',
  '$sequence',
  '$collection',
  '$createdAt',
  '$updatedAt',
  '$permissions',
  '$tenant',
])

const ucfirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** PHP's `gettype` of a JSON-decoded value, for the server's parse messages. */
function phpType(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double'
  if (typeof value === 'string') return 'string'
  return 'array'
}

function queryInvalid(message: string): Error {
  return appwriteError('general_query_invalid', message)
}

function parseQueryObject(value: unknown): RawQuery {
  if (value === null || typeof value !== 'object') {
    throw queryInvalid(`Invalid query. Must be an array, got ${phpType(value)}`)
  }
  const input = value as { method?: unknown; attribute?: unknown; values?: unknown }
  const method = input.method ?? ''
  const attribute = input.attribute ?? ''
  const values = input.values ?? []
  if (typeof method !== 'string')
    throw queryInvalid(`Invalid query method. Must be a string, got ${phpType(method)}`)
  if (!FILTER_METHODS.has(method) && !OTHER_METHODS.has(method))
    throw queryInvalid(`Invalid query method: ${method}`)
  if (typeof attribute !== 'string') {
    throw queryInvalid(`Invalid query attribute. Must be a string, got ${phpType(attribute)}`)
  }
  if (typeof values !== 'object' || values === null) {
    throw queryInvalid(`Invalid query values. Must be an array, got ${phpType(values)}`)
  }
  const list = Array.isArray(values) ? values : Object.values(values)
  return {
    method,
    attribute,
    values: LOGICAL_METHODS.has(method) ? list.map(parseQueryObject) : list,
  }
}

/**
 * Checks the `queries` parameter itself (at most 100 strings of 1 to 4,096 chars), as the route's
 * parameter validator does before anything else: `general_argument_invalid`.
 */
export function assertQueriesParam(
  queries: unknown,
): asserts queries is readonly string[] | null | undefined {
  if (queries === undefined || queries === null) return
  const valid =
    Array.isArray(queries) &&
    queries.length <= MAX_QUERIES &&
    queries.every(
      (query) => typeof query === 'string' && query.length > 0 && query.length <= MAX_QUERY_LENGTH,
    )
  if (!valid) {
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`queries\` param: Value must a valid array no longer than ${MAX_QUERIES} items and Value must be a valid string and at least 1 chars and no longer than ${MAX_QUERY_LENGTH} chars`,
    )
  }
}

/**
 * Checks the `queries` parameter and parses each JSON string like `Query::parse`.
 * A bad parameter is `general_argument_invalid`, a bad query `general_query_invalid`.
 */
export function parseQueryStrings(queries: unknown): RawQuery[] {
  assertQueriesParam(queries)
  if (queries === undefined || queries === null) return []
  return queries.map(parseQueryString)
}

/** Most distinct query strings {@link parseQueryString} remembers (about 100 bytes each). */
const MAX_PARSED_QUERIES = 512
/** Query string → its parse, frozen (shared by every call that sends the same string). */
const parsedQueries = new Map<string, RawQuery>()

/**
 * One query string parsed like `Query::parse`, once per distinct string: a test, a feed or a
 * page of an app sends the same few queries again and again. A string that fails to parse is
 * not remembered; it throws each time.
 */
function parseQueryString(query: string): RawQuery {
  const known = parsedQueries.get(query)
  if (known !== undefined) return known
  let json: unknown
  try {
    json = JSON.parse(query)
  } catch {
    // PHP's json_decode reports every malformed document as "Syntax error".
    throw queryInvalid('Invalid query: Syntax error')
  }
  const parsed = deepFreeze(parseQueryObject(json))
  // The oldest entry goes first (a `Map` iterates in insertion order).
  if (parsedQueries.size >= MAX_PARSED_QUERIES)
    parsedQueries.delete(parsedQueries.keys().next().value!)
  parsedQueries.set(query, parsed)
  return parsed
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/**
 * How an attribute's values compare. `text`: a non-array string column, which MariaDB stores as
 * `VARCHAR`/`TEXT` under the database's default `utf8mb4_general_ci` collation.
 */
type ValueKind = 'plain' | 'datetime' | 'sequence' | 'text'

/** Column types the server stores as collated text (arrays are JSON, compared exactly). */
const TEXT_TYPES = new Set<string>([
  'string',
  'varchar',
  'text',
  'mediumtext',
  'longtext',
  'email',
  'url',
  'ip',
  'enum',
])

/** A validated filter, ready to test rows. @internal */
export type Filter =
  | {
      readonly kind: 'logical'
      readonly method: 'and' | 'or'
      readonly children: readonly Filter[]
    }
  | {
      readonly kind: 'compare'
      readonly method: string
      readonly attribute: string
      readonly values: readonly unknown[]
      readonly valueKind: ValueKind
      /** Values converted for comparison (epoch ms for datetimes, numbers for `$sequence`). */
      readonly keys: readonly unknown[]
    }

/** One sort key. @internal */
export interface Order {
  readonly attribute: string
  readonly direction: 1 | -1
  readonly valueKind: ValueKind
}

/** A validated set of list queries. @internal */
export interface ListQueries {
  readonly filters: readonly Filter[]
  /** Selected keys, `undefined` when the call selects everything. */
  readonly selects: readonly string[] | undefined
  readonly orders: readonly Order[]
  readonly random: boolean
  readonly limit: number
  /** Whether the call passed a `limit` (bulk writes touch every match otherwise). */
  readonly hasLimit: boolean
  readonly offset: number
  readonly cursor: { readonly direction: 'after' | 'before'; readonly rowId: string } | undefined
}

interface SchemaAttribute {
  readonly type: FakeColumn['type'] | 'id' | 'sequence'
  readonly array: boolean
  readonly size?: number
  readonly max?: number | bigint
}

const SYSTEM_ATTRIBUTES: ReadonlyMap<string, SchemaAttribute> = new Map<string, SchemaAttribute>([
  ['$id', { type: 'id', array: false }],
  ['$sequence', { type: 'sequence', array: false }],
  ['$createdAt', { type: 'datetime', array: false }],
  ['$updatedAt', { type: 'datetime', array: false }],
])

function attributeOf(
  schema: TableSchema | undefined,
  attribute: string,
): SchemaAttribute | undefined {
  return SYSTEM_ATTRIBUTES.get(attribute) ?? schema?.columns.get(attribute)
}

function valueKindOf(schema: TableSchema | undefined, attribute: string): ValueKind {
  const definition = attributeOf(schema, attribute)
  const type = definition?.type
  if (type === 'datetime') return 'datetime'
  if (type === 'sequence') return 'sequence'
  return definition && !definition.array && TEXT_TYPES.has(type ?? '') ? 'text' : 'plain'
}

/**
 * A text value as `utf8mb4_general_ci` compares it with `=`, `<`, `BETWEEN` and `ORDER BY`:
 * case ignored, trailing spaces ignored (PAD SPACE). Accents are not folded here (the collation
 * also equates `é` with `e`), as the unique indexes do not fold them either.
 */
const collated = (text: string) => text.toLowerCase().trimEnd()

function isQueryValueValid(attribute: SchemaAttribute, value: unknown): boolean {
  switch (attribute.type) {
    case 'string':
    case 'varchar':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'id':
      return typeof value === 'string'
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return false
      const bound = (attribute.max ?? PHP_INT_MAX) > 2147483647 ? 2 ** 63 : 2 ** 31
      return value >= -bound && value < bound
    }
    case 'double':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'datetime':
      return parseServerDatetime(value) !== undefined
    case 'sequence':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^\d+$/.test(value))
      )
  }
}

/**
 * Whether `attribute` is a column created with `encrypt: true`: the server stores only its
 * ciphertext, so its filter validator refuses every filter on it (ordering and selecting stay allowed).
 */
const isEncrypted = (schema: TableSchema | undefined, attribute: string) =>
  (schema?.columns.get(attribute) as { encrypt?: boolean } | undefined)?.encrypt === true

/** `Filter::isValidAttributeAndValues`: returns the failure description or `undefined`. */
function checkAttributeAndValues(
  schema: TableSchema | undefined,
  query: RawQuery,
): string | undefined {
  const { method, attribute, values } = query
  if (method === 'exists' || method === 'notExists') {
    for (const key of values) {
      if (typeof key !== 'string') return 'Query value is invalid for attribute "' + attribute + '"'
      if (isEncrypted(schema, key)) return `Cannot query encrypted attribute: ${key}`
      if (schema && !attributeOf(schema, key)) return `Attribute not found in schema: ${key}`
    }
    return undefined
  }
  if (isEncrypted(schema, attribute)) return `Cannot query encrypted attribute: ${attribute}`
  const definition = attributeOf(schema, attribute)
  if (!definition) {
    if (schema || attribute.startsWith('$') || attribute === '')
      return `Attribute not found in schema: ${attribute}`
    if (values.length > MAX_QUERY_VALUES)
      return `Query on attribute has greater than ${MAX_QUERY_VALUES} values: ${attribute}`
    if (SPATIAL_METHODS.has(method))
      return `Spatial query "${method}" cannot be applied on non-spatial attribute: ${attribute}`
    return undefined
  }
  if (values.length > MAX_QUERY_VALUES)
    return `Query on attribute has greater than ${MAX_QUERY_VALUES} values: ${attribute}`
  if (SPATIAL_METHODS.has(method))
    return `Spatial query "${method}" cannot be applied on non-spatial attribute: ${attribute}`
  for (const value of values) {
    if (!isQueryValueValid(definition, value))
      return `Query value is invalid for attribute "${attribute}"`
  }
  const isString = ['string', 'varchar', 'text', 'mediumtext', 'longtext', 'id'].includes(
    definition.type,
  )
  if (!definition.array && CONTAINS_METHODS.has(method) && !isString) {
    const name = method === 'notContains' ? 'notContains' : 'contains'
    return `Cannot query ${name} on attribute "${attribute}" because it is not an array, string, or object.`
  }
  if (definition.array && !ARRAY_METHODS.has(method)) {
    return `Cannot query ${method} on attribute "${attribute}" because it is an array.`
  }
  return undefined
}

/** `Filter::isValid`: the failure description or `undefined`. */
function checkFilter(schema: TableSchema | undefined, query: RawQuery): string | undefined {
  const { method, values } = query
  if (AT_LEAST_ONE.has(method)) {
    if (values.length === 0 || (Array.isArray(values[0]) && values[0].length === 0)) {
      return `${ucfirst(method)} queries require at least one value.`
    }
    return checkAttributeAndValues(schema, query)
  }
  if (EXACTLY_ONE.has(method)) {
    if (values.length !== 1) return `${ucfirst(method)} queries require exactly one value.`
    return checkAttributeAndValues(schema, query)
  }
  if (method === 'between' || method === 'notBetween') {
    if (values.length !== 2) return `${ucfirst(method)} queries require exactly two values.`
    return checkAttributeAndValues(schema, query)
  }
  if (method === 'isNull' || method === 'isNotNull') return checkAttributeAndValues(schema, query)
  if (method === 'and' || method === 'or') {
    const children = values as RawQuery[]
    if (children.some((child) => !FILTER_METHODS.has(child.method)))
      return `${ucfirst(method)} queries can only contain filter queries`
    if (children.length < 2) return `${ucfirst(method)} queries require at least two queries`
    return undefined
  }
  if (method === 'elemMatch') return 'elemMatch is not supported by the database'
  if (method.startsWith('distance')) {
    const first = values[0]
    if (values.length !== 1 || !Array.isArray(first) || first.length !== 3) {
      return 'Distance query requires [[geometry, distance]] parameters'
    }
    return checkAttributeAndValues(schema, query)
  }
  if (method.startsWith('vector')) return 'Vector queries can only be used on vector attributes'
  return checkAttributeAndValues(schema, query)
}

function checkSelect(schema: TableSchema | undefined, query: RawQuery): string | undefined {
  if (query.values.length === 0) return 'No attributes selected'
  for (const value of query.values) {
    if (typeof value !== 'string')
      return `Attribute selection must be a string, got ${value === null ? 'null' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value === 'boolean' ? 'bool' : 'array'}`
  }
  if (new Set(query.values).size !== query.values.length) return 'Duplicate attributes selected'
  for (const value of query.values as string[]) {
    const key = value.includes('.') ? value.split('.')[0]! : value
    if (INTERNAL_KEYS.has(key) || key === '*') continue
    if (schema && !schema.columns.has(key)) return `Attribute not found in schema: ${key}`
  }
  return undefined
}

function checkNumeric(value: unknown): value is number | string {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
  )
}

/**
 * `Queries::isValid` for a list call: every query in order, nested ones first. Throws
 * `general_query_invalid` with the server's message.
 */
function validateAll(schema: TableSchema | undefined, queries: readonly RawQuery[]): void {
  for (const query of queries) {
    if (LOGICAL_METHODS.has(query.method)) validateAll(schema, query.values as RawQuery[])
    let failure: string | undefined
    const { method } = query
    if (method === 'select') failure = checkSelect(schema, query)
    else if (method === 'limit' || method === 'offset') {
      const value = query.values[0]
      const min = method === 'limit' ? 1 : 0
      if (!checkNumeric(value)) failure = 'Invalid limit: Value must be a valid number'
      else if (!Number.isInteger(Number(value)) || Number(value) < min) {
        failure = `Invalid ${method}: Value must be a valid range between ${min} and ${formatPhpNumber(PHP_INT_MAX)}`
      }
    } else if (method === 'cursorAfter' || method === 'cursorBefore') {
      if (!isValidId(query.values[0])) failure = `Invalid cursor: ${UID_DESCRIPTION}`
    } else if (method === 'orderAsc' || method === 'orderDesc') {
      const attribute = query.attribute
      if (schema && !attributeOf(schema, attribute))
        failure = `Attribute not found in schema: ${attribute}`
      else if (!schema && attribute.startsWith('$') && !SYSTEM_ATTRIBUTES.has(attribute)) {
        failure = `Attribute not found in schema: ${attribute}`
      }
    } else if (method !== 'orderRandom') failure = checkFilter(schema, query)
    if (failure !== undefined) throw queryInvalid(`Invalid query: ${failure}`)
  }
}

function toKey(kind: ValueKind, value: unknown): unknown {
  if (kind === 'datetime') return parseServerDatetime(value) ?? value
  if (kind === 'sequence') return Number(value)
  return value
}

/**
 * Compares like {@link compareScalars}, two strings of a `text` attribute as the collation does.
 * Equal strings skip the fold (the common `equal` hit).
 */
function compareText(value: unknown, key: unknown): number | undefined {
  if (typeof value !== 'string' || typeof key !== 'string' || value === key)
    return compareScalars(value, key)
  const a = collated(value)
  const b = collated(key)
  return a < b ? -1 : a > b ? 1 : 0
}

/** `LIKE` under the collation: case ignored, trailing spaces kept. */
const likeText = (text: string) => text.toLowerCase()

function buildFilter(schema: TableSchema | undefined, query: RawQuery): Filter {
  if (query.method === 'and' || query.method === 'or') {
    return {
      kind: 'logical',
      method: query.method,
      children: (query.values as RawQuery[]).map((child) => buildFilter(schema, child)),
    }
  }
  const valueKind = valueKindOf(schema, query.attribute)
  return {
    kind: 'compare',
    method: query.method,
    attribute: query.attribute,
    values: query.values,
    valueKind,
    keys: query.values.map((value) => toKey(valueKind, value)),
  }
}

/**
 * Returns the first cursor of a call (the server keeps the first one) after checking its id.
 * Called before the other checks, as the list routes do.
 */
export function cursorOf(queries: readonly RawQuery[]): ListQueries['cursor'] {
  const query = queries.find((q) => q.method === 'cursorAfter' || q.method === 'cursorBefore')
  if (!query) return undefined
  const rowId = query.values[0]
  if (!isValidId(rowId)) throw queryInvalid(`Invalid cursor: ${UID_DESCRIPTION}`)
  return { direction: query.method === 'cursorAfter' ? 'after' : 'before', rowId }
}

/**
 * Validates parsed list queries against a table (declared or schemaless) and groups them
 * (`Query::groupByType`: the first limit, offset and cursor win).
 */
export function validateListQueries(
  schema: TableSchema | undefined,
  queries: readonly RawQuery[],
): ListQueries {
  validateAll(schema, queries)
  const filters: Filter[] = []
  const orders: Order[] = []
  let selects: string[] | undefined
  let limit: number | undefined
  let offset: number | undefined
  let random = false
  for (const query of queries) {
    switch (query.method) {
      case 'select':
        selects = [...(selects ?? []), ...(query.values as string[])]
        break
      case 'orderAsc':
      case 'orderDesc':
        orders.push({
          attribute: query.attribute,
          direction: query.method === 'orderAsc' ? 1 : -1,
          valueKind: valueKindOf(schema, query.attribute),
        })
        break
      case 'orderRandom':
        random = true
        break
      case 'limit':
        limit ??= Number(query.values[0])
        break
      case 'offset':
        offset ??= Number(query.values[0])
        break
      case 'cursorAfter':
      case 'cursorBefore':
        break
      default:
        filters.push(buildFilter(schema, query))
    }
  }
  if (schema) {
    // IndexedQueries.php: a top-level search needs a fulltext index on exactly that column.
    for (const filter of filters) {
      if (
        filter.kind !== 'compare' ||
        (filter.method !== 'search' && filter.method !== 'notSearch')
      )
        continue
      const indexed = schema.indexes.some(
        (index) =>
          index.type === 'fulltext' &&
          index.columns.length === 1 &&
          index.columns[0] === filter.attribute,
      )
      if (!indexed)
        throw queryInvalid(
          `Searching by attribute "${filter.attribute}" requires a fulltext index.`,
        )
    }
  }
  if (selects?.includes('*')) selects = undefined
  return {
    filters,
    selects,
    orders,
    random,
    limit: limit ?? DEFAULT_LIMIT,
    hasLimit: limit !== undefined,
    offset: offset ?? 0,
    cursor: cursorOf(queries),
  }
}

/**
 * Validates the queries of a get call: only `select` is allowed there
 * (github:utopia-php/database `src/Database/Validator/Queries/Document.php`).
 * Returns the selected keys, or `undefined` for all.
 */
export function validateGetQueries(
  schema: TableSchema | undefined,
  queries: readonly RawQuery[],
): readonly string[] | undefined {
  let selects: string[] | undefined
  for (const query of queries) {
    if (query.method !== 'select') throw queryInvalid(`Invalid query method: ${query.method}`)
    const failure = checkSelect(schema, query)
    if (failure !== undefined) throw queryInvalid(`Invalid query: ${failure}`)
    selects = [...(selects ?? []), ...(query.values as string[])]
  }
  return selects?.includes('*') ? undefined : selects
}

/* ------------------------------------------------------------------------------------------------
 * Matching and ordering
 * --------------------------------------------------------------------------------------------- */

/** A row's value of `attribute` as filters and orders compare it. @internal */
export function rowValue(row: StoredRow, attribute: string, kind: ValueKind): unknown {
  switch (attribute) {
    case '$id':
      return row.$id
    case '$sequence':
      return row.$sequence
    case '$createdAt':
      return parseServerDatetime(row.$createdAt)
    case '$updatedAt':
      return parseServerDatetime(row.$updatedAt)
    default: {
      const value = row.data[attribute]
      if (kind === 'datetime' && value !== null && value !== undefined) {
        return Array.isArray(value)
          ? value.map((item) => parseServerDatetime(item) ?? item)
          : (parseServerDatetime(value) ?? value)
      }
      return value
    }
  }
}

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined

/** Orders two scalar values; `undefined` when they are not comparable (different JSON types). */
function compareScalars(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return undefined
}

const scalarEquals = (a: unknown, b: unknown) => compareScalars(a, b) === 0

const WORD = /[\p{L}\p{N}_]+/gu

/**
 * MariaDB boolean-mode fulltext as the server builds it (`getFulltextValue`): any word matches, the
 * last one as a prefix; a quoted value is a phrase. Case-insensitive.
 */
function fulltextMatches(text: unknown, search: unknown): boolean {
  if (typeof text !== 'string' || typeof search !== 'string') return false
  const haystack = text.toLowerCase()
  const needle = search.trim()
  if (needle.length > 1 && needle.startsWith('"') && needle.endsWith('"')) {
    return haystack.includes(needle.slice(1, -1).toLowerCase())
  }
  const terms: string[] = needle.toLowerCase().match(WORD) ?? []
  if (terms.length === 0) return false
  const words: string[] = haystack.match(WORD) ?? []
  return terms.some((term, index) =>
    index === terms.length - 1 ? words.some((word) => word.startsWith(term)) : words.includes(term),
  )
}

function containsOne(value: unknown, needle: unknown, text: boolean): boolean {
  // An array column is JSON: `JSON_OVERLAPS` / `JSON_CONTAINS` compare elements exactly.
  if (Array.isArray(value)) return value.some((item) => scalarEquals(item, needle))
  if (typeof value === 'string' && typeof needle === 'string')
    return text ? likeText(value).includes(likeText(needle)) : value.includes(needle)
  return false
}

function matchesCompare(row: StoredRow, filter: Extract<Filter, { kind: 'compare' }>): boolean {
  const { method, keys } = filter
  if (method === 'exists')
    return keys.every((key) => typeof key === 'string' && row.data[key] !== undefined)
  if (method === 'notExists')
    return keys.every((key) => typeof key === 'string' && row.data[key] === undefined)
  const value = rowValue(row, filter.attribute, filter.valueKind)
  switch (method) {
    case 'isNull':
      return isNil(value)
    case 'isNotNull':
      return !isNil(value)
  }
  // SQL comparisons with NULL are never true, negated ones included.
  if (isNil(value)) return false
  const first = keys[0]
  const text = filter.valueKind === 'text' && typeof value === 'string'
  const compare = text ? compareText : compareScalars
  if (method === 'equal') {
    // The commonest filter, tested on every candidate row: no `LIKE` text, no closure.
    for (const key of keys) if (compare(value, key) === 0) return true
    return false
  }
  // `LIKE` patterns (startsWith, endsWith, contains on text) under the collation.
  const like = text ? likeText(value) : value
  const pattern = (key: unknown) => (text && typeof key === 'string' ? likeText(key) : key)
  switch (method) {
    case 'notEqual': {
      const order = compare(value, first)
      return order !== undefined && order !== 0
    }
    case 'lessThan':
      return (compare(value, first) ?? 0) < 0
    case 'lessThanEqual': {
      const order = compare(value, first)
      return order !== undefined && order <= 0
    }
    case 'greaterThan':
      return (compare(value, first) ?? 0) > 0
    case 'greaterThanEqual': {
      const order = compare(value, first)
      return order !== undefined && order >= 0
    }
    case 'between':
    case 'notBetween': {
      const low = compare(value, keys[0])
      const high = compare(value, keys[1])
      if (low === undefined || high === undefined) return false
      const inside = low >= 0 && high <= 0
      return method === 'between' ? inside : !inside
    }
    case 'startsWith':
    case 'notStartsWith':
    case 'endsWith':
    case 'notEndsWith': {
      if (typeof like !== 'string') return false
      const atStart = method === 'startsWith' || method === 'notStartsWith'
      const matches = (key: unknown) => {
        if (typeof key !== 'string') return undefined
        const affix = pattern(key) as string
        return atStart ? like.startsWith(affix) : like.endsWith(affix)
      }
      // A key that is not a string matches neither form.
      return method === 'startsWith' || method === 'endsWith'
        ? keys.some((key) => matches(key) === true)
        : keys.every((key) => matches(key) === false)
    }
    case 'contains':
    case 'containsAny':
      return keys.some((key) => containsOne(value, key, text))
    case 'containsAll':
      return keys.every((key) => containsOne(value, key, text))
    case 'notContains':
      return !keys.some((key) => containsOne(value, key, text))
    case 'search':
      return fulltextMatches(value, first)
    case 'notSearch':
      return typeof value === 'string' && !fulltextMatches(value, first)
    case 'regex':
      try {
        return (
          typeof value === 'string' &&
          typeof first === 'string' &&
          // MariaDB's REGEXP follows the column's collation: case-insensitive on text.
          new RegExp(first, text ? 'i' : '').test(value)
        )
      } catch {
        return false
      }
    default:
      // Validation lets no other method through; never match silently if one slips by.
      throw queryInvalid(`Invalid query method: ${method}`)
  }
}

/** Whether a row passes a filter. @internal */
export function matchesFilter(row: StoredRow, filter: Filter): boolean {
  if (filter.kind === 'logical') {
    return filter.method === 'and'
      ? filter.children.every((child) => matchesFilter(row, child))
      : filter.children.some((child) => matchesFilter(row, child))
  }
  return matchesCompare(row, filter)
}

/** Whether a row passes all top-level filters. @internal */
export function matchesAll(row: StoredRow, filters: readonly Filter[]): boolean {
  for (const filter of filters) if (!matchesFilter(row, filter)) return false
  return true
}

/** NULL first in ascending order, as MariaDB sorts; `text` values in collation order. @internal */
export function compareForOrder(a: unknown, b: unknown, kind: ValueKind): number {
  if (isNil(a)) return isNil(b) ? 0 : -1
  if (isNil(b)) return 1
  const order = kind === 'text' ? compareText(a, b) : compareScalars(a, b)
  if (order !== undefined) return order
  // Different JSON types: a fixed type rank keeps the sort total.
  const rank = (value: unknown) =>
    typeof value === 'boolean'
      ? 0
      : typeof value === 'number'
        ? 1
        : typeof value === 'string'
          ? 2
          : 3
  return rank(a) - rank(b)
}

/**
 * The full sort of `Database::find`: the requested orders, then `$sequence` as a tie-break, in the
 * leading direction when the leading order is `$createdAt`/`$updatedAt`, ascending otherwise.
 *
 * @internal
 */
export function effectiveOrders(orders: readonly Order[]): readonly Order[] {
  if (orders.some((order) => order.attribute === '$id' || order.attribute === '$sequence'))
    return orders
  const leading = orders[0]
  const direction =
    leading && (leading.attribute === '$createdAt' || leading.attribute === '$updatedAt')
      ? leading.direction
      : 1
  return [...orders, { attribute: '$sequence', direction, valueKind: 'sequence' }]
}

/** Compares two rows by a full order. @internal */
export function compareRows(a: StoredRow, b: StoredRow, orders: readonly Order[]): number {
  for (const order of orders) {
    const result = compareForOrder(
      rowValue(a, order.attribute, order.valueKind),
      rowValue(b, order.attribute, order.valueKind),
      order.valueKind,
    )
    if (result !== 0) return result * order.direction
  }
  return 0
}

/** The first order attribute whose value is null on the cursor row, if any. @internal */
export function nullOrderAttribute(
  cursorRow: StoredRow,
  orders: readonly Order[],
): string | undefined {
  for (const order of orders) {
    if (isNil(rowValue(cursorRow, order.attribute, order.valueKind))) return order.attribute
  }
  return undefined
}

/** The result of running list queries over a table. @internal */
export interface QueryResult {
  /** Matching rows (capped at {@link MAX_COUNT}), before cursor, offset and limit. */
  readonly total: number
  readonly rows: readonly StoredRow[]
}

/**
 * Runs validated queries over rows in `$sequence` order. `cursorRow` is the row the cursor names
 * (already looked up by the caller). `limit: Infinity` takes every match (bulk writes).
 *
 * @internal
 */
export function runQuery(
  rows: Iterable<StoredRow>,
  queries: Pick<ListQueries, 'filters' | 'orders' | 'random' | 'offset' | 'cursor'> & {
    readonly limit: number
  },
  cursorRow?: StoredRow,
): QueryResult {
  let matched: StoredRow[] = []
  for (const row of rows) if (matchesAll(row, queries.filters)) matched.push(row)
  const total = Math.min(matched.length, MAX_COUNT)
  const orders = effectiveOrders(queries.orders)
  if (queries.random) {
    for (let i = matched.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[matched[i], matched[j]] = [matched[j]!, matched[i]!]
    }
  } else if (queries.orders.length > 0) {
    matched.sort((a, b) => compareRows(a, b, orders))
  }
  const { offset, limit } = queries
  if (cursorRow && queries.cursor?.direction === 'before') {
    const before = matched.filter((row) => compareRows(row, cursorRow, orders) < 0).reverse()
    return { total, rows: before.slice(offset, offset + limit).reverse() }
  }
  if (cursorRow) matched = matched.filter((row) => compareRows(row, cursorRow, orders) > 0)
  return {
    total,
    rows: offset === 0 && limit >= matched.length ? matched : matched.slice(offset, offset + limit),
  }
}
