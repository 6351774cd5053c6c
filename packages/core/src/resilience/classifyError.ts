import { isBookingGuardError } from '../errors'

/**
 * What kind of failure an error is, as far as talking to Appwrite goes.
 *
 * - `schema`: the request does not fit the tables (invalid structure, bad query, column missing).
 * - `auth`: 401 / 403, a missing API key scope or row permission.
 * - `missing-resource`: 404, a database, table, row, route or transaction that does not exist.
 * - `conflict`: 409 (and expired transactions): already exists, unique violation, newer row.
 * - `rate-limit`: 429.
 * - `network`: no answer from the server (connection reset, DNS, timeout).
 * - `server`: 5xx, or the circuit breaker refusing calls because the server keeps failing.
 * - `unknown`: anything else, including a caller's abort and non-Error values.
 */
export type AppwriteErrorCategory =
  | 'schema'
  | 'auth'
  | 'missing-resource'
  | 'conflict'
  | 'rate-limit'
  | 'network'
  | 'server'
  | 'unknown'

/** The verdict of {@link classifyAppwriteError}. */
export interface ErrorClassification {
  /** Whether the same call can succeed if repeated unchanged (network, 5xx, 429). */
  readonly retryable: boolean
  /** What kind of failure this is. */
  readonly category: AppwriteErrorCategory
  /** One sentence for a human: what failed and what to do about it. */
  readonly reason: string
  /** The HTTP status when one was received; `0` when the request got no answer; else `undefined`. */
  readonly status: number | undefined
  /**
   * Appwrite's error `type` (`row_not_found`), an errno / undici code (`ECONNRESET`), a
   * booking-guard error code (`CIRCUIT_OPEN`), or `undefined`.
   */
  readonly type: string | undefined
  /**
   * `true` for a 409 `*_already_exists`: on a create-or-get step (ids derived from the booking
   * id) it means an earlier attempt already wrote the row, so the step counts as done.
   */
  readonly alreadyExists: boolean
  /** A server hint for how long to wait before retrying, in milliseconds (see {@link retryAfterHint}). */
  readonly retryAfterMs: number | undefined
}

/** Options for {@link classifyAppwriteError}. */
export interface ClassifyOptions {
  /** "Now" in epoch milliseconds, used to turn an HTTP-date `Retry-After` into a delay. Defaults to `Date.now()`. */
  now?: number
}

/**
 * Why a verdict was reached, so its sentence can be written apart from the verdict: the browser's
 * retry policy and breaker need the verdict, never the sentence.
 */
type Why =
  | 'own'
  | 'string'
  | 'value'
  | 'zeroTimeout'
  | 'abort'
  | 'zeroNetwork'
  | 'zeroSdk'
  | 'type'
  | 'status'
  | 'timeout'
  | 'connect'
  | 'httpClient'
  | 'noAnswer'
  | 'unrecognised'

/**
 * {@link ErrorClassification} without its `reason`, plus what the reason is written from.
 *
 * @internal
 */
export interface ErrorFacts extends Omit<ErrorClassification, 'reason'> {
  readonly why: Why
  /** The message (or code) the reason quotes. */
  readonly detail: string
}

// Errno and undici codes that mean "the request never got a complete answer", so sending it again can work.
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
])

// Messages fetch implementations use for a request that got no answer (Node/undici, Chrome, Firefox, Safari, React Native).
const NETWORK_MESSAGE =
  /fetch failed|failed to fetch|networkerror|network request failed|load failed|socket hang up|network error/i

const MAX_CAUSE_DEPTH = 5

/**
 * The verdict of {@link classifyAppwriteError} without its human sentence: what every retry,
 * breaker and create-or-get decision reads. Never throws.
 *
 * @internal
 */
export function errorFacts(error: unknown, options: ClassifyOptions = {}): ErrorFacts {
  const retryAfterMs = retryAfterHint(error, options.now)
  if (isBookingGuardError(error)) {
    const category = ownCategory(error)
    return facts('own', error.message, category, false, undefined, error.code, retryAfterMs)
  }
  if (typeof error === 'string') {
    return facts('string', error, 'unknown', false, undefined, undefined, undefined)
  }
  if (typeof error !== 'object' || error === null) {
    return facts('value', String(error), 'unknown', false, undefined, undefined, undefined)
  }

  const record = error as Record<string, unknown>
  if (isAppwriteLike(record)) {
    const status = record.code as number
    const type = typeof record.type === 'string' && record.type !== '' ? record.type : undefined
    const message = messageOf(record)
    if (status === 0 || !Number.isFinite(status)) {
      const why: Why = /timeout|timed out/i.test(message)
        ? 'zeroTimeout'
        : /abort/i.test(message)
          ? 'abort'
          : NETWORK_MESSAGE.test(message) || /ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(message)
            ? 'zeroNetwork'
            : 'zeroSdk'
      const retryable = why === 'zeroTimeout' || why === 'zeroNetwork'
      return facts(
        why,
        message,
        retryable ? 'network' : 'unknown',
        retryable,
        0,
        type,
        retryAfterMs,
      )
    }
    const byType = type === undefined ? undefined : typeVerdict(type)
    if (byType !== undefined) {
      const [category, retryable] = byType
      return facts('type', message, category, retryable, status, type, retryAfterMs)
    }
    const [category, retryable] = statusVerdict(status)
    return facts('status', message, category, retryable, status, type, retryAfterMs)
  }

  const network = networkFacts(record, retryAfterMs)
  if (network) return network

  const status = statusOf(record)
  if (status !== undefined) {
    const [category, retryable] = statusVerdict(status)
    return facts('status', messageOf(record), category, retryable, status, undefined, retryAfterMs)
  }
  return facts(
    'unrecognised',
    messageOf(record),
    'unknown',
    false,
    undefined,
    undefined,
    retryAfterMs,
  )
}

/**
 * Classifies anything thrown while talking to Appwrite: a real SDK `AppwriteException`, the
 * fake's, a `fetch` / undici network failure, an `AbortSignal` abort or timeout, booking-guard's
 * own errors, or a plain value. Never throws. Network failures, timeouts, 5xx and 429 are
 * retryable; schema, auth, missing-resource and conflict errors are not, and their `reason`
 * names the fix ("table does not exist: run `booking-guard provision`").
 *
 * The error is duck-typed (`name === 'AppwriteException'`, or a numeric `code` with a string
 * `type`), so core never imports `appwrite` or `@booking-guard/testing`. An `AppwriteException`
 * with code `0` is what older SDKs throw for a failed `fetch` (and for a missing argument); it
 * counts as a network failure only when its message says so.
 *
 * @example
 * ```ts
 * async function createRoom(bookingId: string, data: object): Promise<void> {
 *   try {
 *     await tablesDB.createRow({ databaseId, tableId: 'chat_rooms', rowId: bookingId, data })
 *   } catch (error) {
 *     const verdict = classifyAppwriteError(error)
 *     if (verdict.alreadyExists) return // create-or-get: an earlier attempt wrote it
 *     if (!verdict.retryable) throw new Error(verdict.reason, { cause: error })
 *     throw error
 *   }
 * }
 * ```
 */
export function classifyAppwriteError(
  error: unknown,
  options: ClassifyOptions = {},
): ErrorClassification {
  const { why, detail, ...verdict } = errorFacts(error, options)
  return {
    retryable: verdict.retryable,
    category: verdict.category,
    reason: reasonOf(why, detail, verdict),
    status: verdict.status,
    type: verdict.type,
    alreadyExists: verdict.alreadyExists,
    retryAfterMs: verdict.retryAfterMs,
  }
}

/**
 * Reads a server's "retry after" hint from an error, in milliseconds, or `undefined` when there
 * is none. The Appwrite SDKs do not expose response headers, so a 429 from the real SDK usually
 * carries no hint; this reads whatever an app or a fetch wrapper attached:
 * `retryAfterMs` (milliseconds), `retryAfter` (seconds or an HTTP-date, as in the header),
 * `headers` / `response.headers` (a `Headers` or a plain object with `retry-after`), or a
 * `retryAfter` / `retryAfterMs` field inside the JSON `response` body.
 *
 * @param now - Epoch milliseconds used to turn an HTTP-date into a delay. Defaults to `Date.now()`.
 *
 * @example
 * ```ts
 * const wait = retryAfterHint(Object.assign(new Error('slow down'), { retryAfter: '2' })) // 2000
 * ```
 */
export function retryAfterHint(error: unknown, now: number = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const record = error as Record<string, unknown>
  const direct = fromFields(record, now)
  if (direct !== undefined) return direct
  const fromHeaders = headerValue(record.headers) ?? headerValue(asRecord(record.response)?.headers)
  if (fromHeaders !== undefined) return parseRetryAfter(fromHeaders, now)
  const response = record.response
  if (typeof response === 'string') {
    // Only parse bodies that can carry a hint: the raw body can be large HTML from a proxy.
    if (!/retryafter/i.test(response)) return undefined
    const body = parseJson(response)
    return body ? fromFields(body, now) : undefined
  }
  const body = asRecord(response)
  return body ? fromFields(body, now) : undefined
}

function fromFields(record: Record<string, unknown>, now: number): number | undefined {
  const ms = record.retryAfterMs
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms
  const value = record.retryAfter
  if (typeof value === 'number' || typeof value === 'string') return parseRetryAfter(value, now)
  return undefined
}

function parseRetryAfter(value: number | string, now: number): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function headerValue(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  const get = (headers as { get?: unknown }).get
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, 'retry-after')
    return typeof value === 'string' ? value : undefined
  }
  const record = headers as Record<string, unknown>
  const value = record['retry-after'] ?? record['Retry-After']
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

function isAppwriteLike(record: Record<string, unknown>): boolean {
  if (record.name === 'AppwriteException') return true
  return typeof record.code === 'number' && typeof record.type === 'string'
}

function networkFacts(
  record: Record<string, unknown>,
  retryAfterMs: number | undefined,
): ErrorFacts | undefined {
  let current: unknown = record
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return undefined
    const item = current as Record<string, unknown>
    const name = typeof item.name === 'string' ? item.name : ''
    const code = typeof item.code === 'string' ? item.code : undefined
    if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return facts('timeout', '', 'network', true, 0, code ?? name, retryAfterMs)
    }
    if (name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
      // fetch rejects with the signal's reason; AbortSignal.timeout() makes that a TimeoutError.
      const reason = item.cause
      if (
        typeof reason === 'object' &&
        reason !== null &&
        (reason as { name?: unknown }).name === 'TimeoutError'
      ) {
        current = reason
        continue
      }
      return facts('abort', '', 'unknown', false, 0, code ?? name, retryAfterMs)
    }
    if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) {
      return facts('connect', '', 'network', true, 0, code, retryAfterMs)
    }
    if (code !== undefined && code.startsWith('UND_ERR_')) {
      return facts('httpClient', messageOf(item), 'network', false, 0, code, retryAfterMs)
    }
    if (item.cause === undefined && name === 'TypeError' && NETWORK_MESSAGE.test(messageOf(item))) {
      return facts('noAnswer', messageOf(item), 'network', true, 0, undefined, retryAfterMs)
    }
    current = item.cause
  }
  return undefined
}

function statusOf(record: Record<string, unknown>): number | undefined {
  for (const key of ['status', 'statusCode', 'code'] as const) {
    const value = record[key]
    if (typeof value === 'number' && value >= 100 && value <= 599) return value
  }
  const response = asRecord(record.response)
  const nested = response?.status
  return typeof nested === 'number' && nested >= 100 && nested <= 599 ? nested : undefined
}

type CategoryVerdict = readonly [category: AppwriteErrorCategory, retryable: boolean]

function statusVerdict(status: number): CategoryVerdict {
  if (status === 408) return ['network', true]
  if (status === 429) return ['rate-limit', true]
  if (status === 405 || status === 501 || status === 505) return ['server', false]
  if (status >= 500) return ['server', true]
  if (status === 401 || status === 403) return ['auth', false]
  if (status === 404) return ['missing-resource', false]
  if (status === 409) return ['conflict', false]
  if (status === 400 || status === 422) return ['schema', false]
  return ['unknown', false]
}

/** The verdict of an Appwrite error type the classifier knows; `undefined` for the others. */
function typeVerdict(type: string): CategoryVerdict | undefined {
  if (type.endsWith('_already_exists')) return ['conflict', false]
  switch (type) {
    case 'table_not_found':
    case 'collection_not_found':
    case 'database_not_found':
    case 'document_not_found':
    case 'row_not_found':
    case 'project_not_found':
    case 'general_route_not_found':
    case 'transaction_not_found':
      return ['missing-resource', false]
    case 'attribute_not_found':
    case 'column_not_found':
    case 'document_invalid_structure':
    case 'row_invalid_structure':
    case 'document_missing_data':
    case 'row_missing_data':
    case 'general_query_invalid':
    case 'general_query_limit_exceeded':
    case 'general_argument_invalid':
      return ['schema', false]
    case 'attribute_not_available':
    case 'column_not_available':
      return ['schema', true]
    case 'document_unique_constraint_violation':
    case 'row_unique_constraint_violation':
    case 'document_update_conflict':
    case 'row_update_conflict':
    case 'transaction_conflict':
    case 'transaction_expired':
      return ['conflict', false]
    case 'general_rate_limit_exceeded':
      return ['rate-limit', true]
    case 'general_not_implemented':
    case 'general_service_disabled':
      return ['server', false]
    case 'general_unauthorized_scope':
    case 'user_unauthorized':
      return ['auth', false]
    default:
      return undefined
  }
}

function ownCategory(error: { code: string; cause?: unknown }): AppwriteErrorCategory {
  switch (error.code) {
    case 'CIRCUIT_OPEN':
      return 'server'
    case 'SCHEMA_LOCK':
      return 'schema'
    case 'SLOT_TAKEN':
    case 'IDEMPOTENCY_CONFLICT':
      return 'conflict'
    case 'PIPELINE_TIMEOUT':
      return 'network'
    default:
      return error.cause === undefined ? 'unknown' : errorFacts(error.cause).category
  }
}

function facts(
  why: Why,
  detail: string,
  category: AppwriteErrorCategory,
  retryable: boolean,
  status: number | undefined,
  type: string | undefined,
  retryAfterMs: number | undefined,
): ErrorFacts {
  const alreadyExists = why === 'type' && type!.endsWith('_already_exists')
  return { retryable, category, status, type, alreadyExists, retryAfterMs, why, detail }
}

// ------------------------------------------------------------------------------------------------
// The sentences: only `classifyAppwriteError` writes them.
// ------------------------------------------------------------------------------------------------

const PROVISION = 'run `booking-guard provision` (or `provisionSchema()`) to create it'
const DRIFT = 'run `booking-guard drift` to compare the live tables with the schema lock'

function reasonOf(why: Why, detail: string, verdict: Omit<ErrorFacts, 'why' | 'detail'>): string {
  const { status, type } = verdict
  switch (why) {
    case 'own':
      if (type === 'CIRCUIT_OPEN') {
        return `${detail}; not retried: Appwrite kept failing, the reconciler finishes pending bookings`
      }
      if (type === 'PIPELINE_TIMEOUT') {
        return `${detail}; the reconciler finishes or compensates the booking`
      }
      return detail
    case 'string':
      return `a string was thrown instead of an Error: "${clip(detail)}"`
    case 'value':
      return `a non-Error value was thrown: ${detail}`
    case 'zeroTimeout':
      return `the request to Appwrite timed out (${clip(detail)}); retrying`
    case 'abort':
      return 'the request was aborted by the caller; not retried'
    case 'zeroNetwork':
      return `no answer from Appwrite (${clip(detail)}): check the endpoint and the network; retrying`
    case 'zeroSdk':
      return `the Appwrite SDK rejected the call before sending it (${clip(detail)}): check the arguments`
    case 'timeout':
      return 'the request to Appwrite timed out; retrying'
    case 'connect':
      return type === 'ENOTFOUND' || type === 'ECONNREFUSED'
        ? `cannot reach Appwrite (${type}): check the endpoint URL and that the server is up; retrying`
        : `the connection to Appwrite failed (${type}); retrying`
    case 'httpClient':
      return `the HTTP client failed (${type}): ${clip(detail)}`
    case 'noAnswer':
      return `no answer from Appwrite (${clip(detail)}); retrying`
    case 'type':
      return typeReason(type!, detail)
    case 'status':
      return statusReason(status!, detail)
    case 'unrecognised':
      return `unrecognised error: ${clip(detail) || 'no message'}`
  }
}

function statusReason(status: number, message: string): string {
  const detail = message ? `: ${clip(message)}` : ''
  if (status === 408) return `the request timed out (408)${detail}; retrying`
  if (status === 429)
    return `Appwrite rate limit exceeded (429)${detail}; retrying after a back-off`
  if (status === 405 || status === 501 || status === 505) {
    return `the server does not support this request (${status})${detail}`
  }
  if (status >= 500) return `Appwrite failed (${status})${detail}; retrying`
  if (status === 401 || status === 403) {
    return `not authorized (${status})${detail}: check the API key scopes or the table and row permissions for this user (never open them to \`any\`)`
  }
  if (status === 404) return `not found (404)${detail}`
  if (status === 409) return `conflict (409)${detail}`
  if (status === 400 || status === 422) {
    return `the request was rejected (${status})${detail}: ${DRIFT}`
  }
  return `the request failed (${status})${detail}`
}

function typeReason(type: string, message: string): string {
  const said = clip(message)
  const thing = type.split('_')[0] === 'document' ? 'document' : 'row'
  if (type.endsWith('_already_exists')) {
    const what = type.slice(0, -'_already_exists'.length)
    return `this ${what} id already exists: on a create-or-get step an earlier attempt already wrote it (treat as done); elsewhere use a new id`
  }
  switch (type) {
    case 'table_not_found':
    case 'collection_not_found':
      return `the ${type.split('_')[0]} does not exist: ${PROVISION}`
    case 'database_not_found':
      return `the database does not exist: check \`databaseId\` or ${PROVISION}`
    case 'attribute_not_found':
    case 'column_not_found':
      return `a ${type.split('_')[0]} does not exist (${said}): ${PROVISION}`
    case 'document_not_found':
    case 'row_not_found':
      return `the ${thing} does not exist, or this user may not read it (Appwrite answers 404 for both)`
    case 'project_not_found':
      return 'the project does not exist: check the project id and the endpoint'
    case 'general_route_not_found':
      return 'this endpoint does not exist on the server: TablesDB needs Appwrite 1.8 or later (use the legacy Databases API on older servers), or the endpoint URL is wrong'
    case 'transaction_not_found':
      return 'the transaction does not exist (expired or already finished): start a new one'
    case 'document_invalid_structure':
    case 'row_invalid_structure':
    case 'document_missing_data':
    case 'row_missing_data':
      return `the ${thing} does not match the table (${said}): ${DRIFT}`
    case 'general_query_invalid':
    case 'general_query_limit_exceeded':
      return `the query is invalid (${said}): check that the column exists and is indexed`
    case 'general_argument_invalid':
      return `an argument is invalid (${said})`
    case 'attribute_not_available':
    case 'column_not_available':
      return `a column is still being created (${said}); retrying. If it persists, ${DRIFT} (columns stuck in \`processing\` or \`failed\`)`
    case 'document_unique_constraint_violation':
    case 'row_unique_constraint_violation':
      return 'another row already holds these unique values (for a booking: the slot is taken)'
    case 'document_update_conflict':
    case 'row_update_conflict':
      return 'the row changed since it was read: read it again, then update'
    case 'transaction_conflict':
      return 'a row changed outside the transaction: run the whole transaction again'
    case 'transaction_expired':
      return 'the transaction expired before commit: start a new one (or raise its `ttl`)'
    case 'general_rate_limit_exceeded':
      return 'Appwrite rate limit exceeded (429); retrying after a back-off'
    case 'general_not_implemented':
      return 'this Appwrite server does not implement the method: upgrade the server (transactions and TablesDB need 1.8 or later) or use the legacy API'
    case 'general_unauthorized_scope':
      return `the API key lacks a scope this call needs (${said}): add it in the Appwrite console`
    case 'general_service_disabled':
      return 'the service is disabled in the Appwrite console: enable it (Databases)'
    default:
      // user_unauthorized: the only other type `typeVerdict` knows.
      return 'not authorized: check the API key scopes (server) or the table and row permissions for this user (never open them to `any`)'
  }
}

function messageOf(record: Record<string, unknown>): string {
  return typeof record.message === 'string' ? record.message : ''
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text))
  } catch {
    return undefined
  }
}
