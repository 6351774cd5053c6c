import { httpError } from './http'
import type { Params } from './http'

/**
 * Compares two `major.minor.patch` versions as PHP's `version_compare` does for the formats SDKs
 * send: `< 0` when `a` is older.
 */
function compareVersions(a: string, b: string): number {
  const pa = versionParts(a)
  const pb = versionParts(b)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (diff !== 0) return diff
  }
  return 0
}

/** Most versions {@link versionParts} remembers; an SDK sends one, a test suite a few. */
const MAX_VERSIONS = 64
const parsedVersions = new Map<string, readonly number[]>()

/** A version's numeric parts, parsed once per distinct version (every request names one). */
function versionParts(version: string): readonly number[] {
  let parts = parsedVersions.get(version)
  if (parts === undefined) {
    if (parsedVersions.size >= MAX_VERSIONS) parsedVersions.clear()
    parts = version.split('.').map((part) => Number.parseInt(part, 10) || 0)
    parsedVersions.set(version, parts)
  }
  return parts
}

const older = (format: string, than: string) => format !== '' && compareVersions(format, than) < 0

/**
 * The SDK method a legacy databases or teams list route serves, as the server names it when it
 * picks the request filters to run (`databases.listDocuments`, …); `undefined` for the other routes.
 */
function legacyMethod(method: string, pattern: string): string | undefined {
  if (method !== 'GET') return undefined
  switch (pattern) {
    case '/v1/databases':
      return 'databases.list'
    case '/v1/databases/:databaseId/collections':
      return 'databases.listCollections'
    case '/v1/databases/:databaseId/collections/:collectionId/attributes':
      return 'databases.listAttributes'
    case '/v1/databases/:databaseId/collections/:collectionId/indexes':
      return 'databases.listIndexes'
    case '/v1/databases/:databaseId/collections/:collectionId/documents':
      return 'databases.listDocuments'
    case '/v1/databases/:databaseId/collections/:collectionId/documents/:documentId':
      return 'databases.getDocument'
    case '/v1/teams':
      return 'teams.list'
    case '/v1/teams/:teamId/memberships':
      return 'teams.listMemberships'
    default:
      return undefined
  }
}

/**
 * The request filters of github:appwrite/appwrite 1.9.x (`app/controllers/general.php`,
 * `src/Appwrite/Utopia/Request/Filters/V17.php`, `V20.php`) that touch the routes the emulator
 * serves, for an SDK that sends `X-Appwrite-Response-Format`:
 * - before 1.5.0, the list routes and `getDocument` of the legacy databases API, and the teams and
 *   memberships lists, take the string
 *   query syntax of SDKs before 1.5 (`orderDesc("$createdAt")`, `equal("status", ["a", "b"])`),
 *   converted to JSON queries (a bad one is 400 `general_query_invalid`);
 * - before 1.8.0, `listDocuments` / `getDocument` drop empty queries.
 *
 * @internal
 */
export function applyRequestFormat(
  format: string,
  method: string,
  pattern: string,
  params: Params,
): Params {
  const sdkMethod = legacyMethod(method, pattern)
  if (sdkMethod === undefined || !Array.isArray(params.queries)) return params
  let queries: unknown[] = params.queries
  if (older(format, '1.5.0')) queries = queries.map(convertOldQuery)
  if (
    older(format, '1.8.0') &&
    (sdkMethod === 'databases.listDocuments' || sdkMethod === 'databases.getDocument')
  )
    queries = queries.filter((query) => !(typeof query === 'string' && query.trim() === ''))
  return { ...params, queries }
}

/**
 * The response filter `V21` (`X-Appwrite-Response-Format` before 1.9.0): `$sequence` of rows and
 * documents, nested ones included, as a number (it is a string from 1.9 on).
 *
 * @internal
 */
export function applyResponseFormat(format: string, pattern: string, body: unknown): unknown {
  if (!filtersResponse(format, pattern)) return body
  if (body === null || typeof body !== 'object') return body
  const model = body as Record<string, unknown>
  if ('$id' in model) return castSequence(model)
  const out: Record<string, unknown> = { ...model }
  for (const key of ['rows', 'documents'])
    if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(castItem)
  return out
}

/**
 * Whether {@link applyResponseFormat} may change an answer of the route `pattern` for an SDK that
 * sent `format` (`''` when none): a route that writes its answer's JSON itself serves only when not.
 *
 * @internal
 */
export function filtersResponse(format: string, pattern: string): boolean {
  return older(format, '1.9.0') && /\/(rows|documents)(\/|$)/.test(pattern)
}

const castItem = (item: unknown) =>
  item !== null && typeof item === 'object' && !Array.isArray(item) && '$id' in item
    ? castSequence(item as Record<string, unknown>)
    : item

function castSequence(model: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...model }
  if (out.$sequence !== undefined && out.$sequence !== null) {
    const sequence = out.$sequence
    out.$sequence =
      (typeof sequence === 'string' &&
        sequence.trim() !== '' &&
        Number.isFinite(Number(sequence))) ||
      typeof sequence === 'number'
        ? Math.trunc(Number(sequence))
        : 0
  }
  for (const [key, value] of Object.entries(out)) {
    if (key === '$sequence' || value === null || typeof value !== 'object') continue
    out[key] = Array.isArray(value) ? value.map(castItem) : castItem(value)
  }
  return out
}

/**
 * One query in the string syntax of SDKs before 1.5 as JSON, read as the server's `V17` filter
 * reads it: `method(param, param…)`, each param a quoted string (backslash escapes), a number,
 * `true`, `false`, `null` or a `[…]` list of those.
 */
function convertOldQuery(query: unknown): unknown {
  if (typeof query !== 'string') return query
  let parsed: { method: string; params: unknown[] }
  try {
    parsed = parseOldQuery(query)
  } catch (error) {
    throw httpError('general_query_invalid', (error as Error).message)
  }
  const { method, params } = parsed
  const out: { method: string; attribute?: unknown; values?: unknown[] } = { method }
  const withValues = (attribute: unknown, values: unknown[]) => {
    if (attribute !== '' && attribute !== null && attribute !== undefined) out.attribute = attribute
    if (values.length > 0) out.values = values
  }
  switch (method) {
    case 'equal':
    case 'notEqual':
    case 'lessThan':
    case 'lessThanEqual':
    case 'greaterThan':
    case 'greaterThanEqual':
    case 'contains':
    case 'search':
    case 'isNull':
    case 'isNotNull':
    case 'startsWith':
    case 'endsWith': {
      const value = params[1]
      withValues(params[0] ?? '', params.length < 2 ? [] : Array.isArray(value) ? value : [value])
      break
    }
    case 'between':
      withValues(params[0], [params[1], params[2]])
      break
    case 'select':
      withValues('', Array.isArray(params[0]) ? params[0] : [])
      break
    case 'orderAsc':
    case 'orderDesc':
      withValues(params[0] ?? '', [])
      break
    case 'limit':
    case 'offset':
    case 'cursorAfter':
    case 'cursorBefore':
      withValues('', params.length > 0 ? [params[0]] : [])
      break
  }
  return JSON.stringify(out)
}

const SPECIAL = new Set([',', ')', '(', '"', "'", ']', '['])

function parseOldQuery(text: string): { method: string; params: unknown[] } {
  const open = text.indexOf('(')
  if (open === -1) throw new Error('Invalid query')
  const method = text.slice(0, open)
  if (method.includes('.')) throw new Error('Invalid query method')
  const end = text.length - 1
  const params: Array<string | string[]> = []
  let current = ''
  let list: string[] | undefined
  let quote: string | undefined
  for (let i = open + 1; i < end; i++) {
    const char = text[i] as string
    if (char === '\\') {
      const next = text[i + 1] ?? ''
      if (!SPECIAL.has(next)) current += char
      current += next
      i++
      continue
    }
    if (char === '"' || char === "'") {
      if (quote === undefined) quote = char
      else if (char === quote) quote = undefined
      current += char
      continue
    }
    if (quote !== undefined) {
      current += char
      continue
    }
    if (char === '[') {
      list = []
      continue
    }
    if (char === ']') {
      if (current !== '') list?.push(current)
      params.push(list ?? [])
      list = undefined
      current = ''
      continue
    }
    if (char === ',') {
      if (list !== undefined) {
        list.push(current)
        current = ''
      } else if (current !== '') {
        params.push(current)
        current = ''
      }
      continue
    }
    // Spaces outside a string are dropped.
    if (char !== ' ') current += char
  }
  if (current !== '') params.push(current)
  return {
    method,
    params: params.map((param) => (Array.isArray(param) ? param.map(oldValue) : oldValue(param))),
  }
}

/** A param of the old syntax as a value: booleans, null, numbers, quoted strings, else as written. */
function oldValue(raw: string): unknown {
  const value = raw.trim()
  if (value === 'true') return true
  if (value === 'false') return false
  if (value === 'null') return null
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return Number(value)
  if (value.startsWith('"') || value.startsWith("'")) return value.slice(1, -1)
  return value
}
