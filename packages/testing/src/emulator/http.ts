import type { ServerResponse } from 'node:http'
import { APPWRITE_ERRORS, FAKE_SERVER_VERSION, isAppwriteException } from '../fake/errors'
import type { AppwriteErrorType } from '../fake/errors'
import { headerList } from './responseHeaders'

/**
 * An error the emulator answers with, as the server's `Http::error()` renders an
 * `Appwrite\Extend\Exception`: `{ message, code, type, version }` with `code` as the HTTP status.
 *
 * @internal
 */
export class EmulatorHttpError extends Error {
  readonly status: number
  readonly type: string

  constructor(type: string, status: number, message: string) {
    super(message)
    this.name = 'EmulatorHttpError'
    this.type = type
    this.status = status
  }
}

/**
 * The server's error for `type` from the fake's catalogue (`app/config/errors.php`), with the
 * catalogue message (its `'%s'` dropped, as the server does when it has no parameter) unless one is given.
 *
 * @internal
 */
export function httpError(type: AppwriteErrorType, message?: string): EmulatorHttpError {
  const entry = APPWRITE_ERRORS[type]
  return new EmulatorHttpError(type, entry.code, message ?? entry.message.replace(/ '%s'/g, ''))
}

/**
 * Errors the server knows but the fake's catalogue does not carry (github:appwrite/appwrite 1.9.x
 * `app/config/errors.php`).
 *
 * @internal
 */
export const EXTRA_ERRORS = {
  user_jwt_invalid: {
    code: 401,
    message:
      'The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to ensure the correct token is being used.',
  },
  general_access_forbidden: {
    code: 401,
    message: 'Access to this API is forbidden.',
  },
  general_unknown_origin: {
    code: 403,
    message:
      'The request originated from an unknown origin. If you trust this domain, please list it as a trusted platform in the Appwrite console.',
  },
  user_jwt_and_cookie_set: {
    code: 403,
    message:
      'JWT and cookie used in the same request. Use either `setJWT` or `setCookie`. Learn about which authentication method to use in the SSR docs: https://appwrite.io/docs/products/auth/server-side-rendering',
  },
} as const

/** @internal */
export function extraError(type: keyof typeof EXTRA_ERRORS, message?: string): EmulatorHttpError {
  const entry = EXTRA_ERRORS[type]
  return new EmulatorHttpError(type, entry.code, message ?? entry.message)
}

/**
 * A thrown value turned into what goes on the wire: an HTTP error, or `'network'` for the fake's
 * injected network failures (`TypeError: fetch failed`), which the emulator answers by cutting the
 * connection so the client's `fetch` fails the same way.
 *
 * @internal
 */
export function toWireError(error: unknown): EmulatorHttpError | 'network' {
  if (error instanceof EmulatorHttpError) return error
  if (isAppwriteException(error)) {
    if (error.code === 0 || error.type === '') {
      // The fake throws `Missing required parameter: "x"` synchronously, as the SDK does; on the wire
      // the server's router rejects the request (utopia-php/http `Param "x" is not optional.`).
      const missing = /^Missing required parameter: "(.+)"$/.exec(error.message)
      return httpError(
        'general_argument_invalid',
        missing ? `Param "${missing[1]}" is not optional.` : error.message,
      )
    }
    return new EmulatorHttpError(error.type, error.code, error.message)
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return 'network'
  const message = error instanceof Error ? error.message : String(error)
  return new EmulatorHttpError('general_unknown', 500, message)
}

/** The JSON body of an error response. @internal */
export function errorBody(error: EmulatorHttpError): string {
  return JSON.stringify({
    message: error.message,
    code: error.status,
    type: error.type,
    version: FAKE_SERVER_VERSION,
  })
}

/**
 * The CORS headers of every response (`app/config/cors.php` + `src/Appwrite/Network/Cors.php`):
 * the caller's origin is echoed (never `*`, since the web SDK sends credentials), with the
 * server's allowed methods and headers. Without an `Origin` header no `Access-Control-Allow-Origin`
 * is sent, but the rest is: the server's `Cors::headers('')` answers them all the same.
 *
 * @internal
 */
export function corsHeaders(origin: string | undefined): Readonly<Record<string, string>> {
  // Server-side SDKs send no `Origin`: one shared set of headers, not a new object per request.
  if (origin === undefined || origin === '') return CORS_WITHOUT_ORIGIN
  return Object.assign({}, CORS_WITHOUT_ORIGIN, { 'Access-Control-Allow-Origin': origin })
}

const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE'

const CORS_HEADERS = [
  'Accept',
  'Origin',
  'Cookie',
  'Set-Cookie',
  'Content-Type',
  'Content-Range',
  'X-Appwrite-Project',
  'X-Appwrite-Key',
  'X-Appwrite-Dev-Key',
  'X-Appwrite-Locale',
  'X-Appwrite-Mode',
  'X-Appwrite-JWT',
  'X-Appwrite-Organization',
  'X-Appwrite-Response-Format',
  'X-Appwrite-Timeout',
  'X-Appwrite-ID',
  'X-Appwrite-Timestamp',
  'X-Appwrite-Session',
  'X-Appwrite-Platform',
  'X-Appwrite-Impersonate-User-Id',
  'X-Appwrite-Impersonate-User-Email',
  'X-Appwrite-Impersonate-User-Phone',
  'X-SDK-Version',
  'X-SDK-Name',
  'X-SDK-Language',
  'X-SDK-Platform',
  'X-SDK-GraphQL',
  'X-SDK-Profile',
  'Range',
  'Cache-Control',
  'Expires',
  'Pragma',
  'X-Fallback-Cookies',
  'X-Requested-With',
  'X-Forwarded-For',
  'X-Forwarded-User-Agent',
].join(', ')

const CORS_WITHOUT_ORIGIN: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Methods': CORS_METHODS,
  'Access-Control-Allow-Headers': CORS_HEADERS,
  'Access-Control-Expose-Headers': 'X-Appwrite-Session, X-Fallback-Cookies',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Max-Age': '86400',
})

/** Request parameters: the query string (GET) or the JSON body (other methods). @internal */
export type Params = Record<string, unknown>

/**
 * A loose boolean the way utopia-php's `Boolean(true)` validator reads query strings:
 * `'true'`/`'1'` and `'false'`/`'0'`; anything else goes through unchanged for the fake to refuse.
 *
 * @internal
 */
export function looseBoolean(value: unknown): unknown {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  return value
}

/** A numeric query-string value as a number; anything else unchanged. @internal */
export function looseNumber(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  return value
}

/** What a route handler answers. @internal */
export interface RouteResult {
  /** HTTP status. Defaults to `200`. */
  status?: number
  /** JSON body; omitted for `204`. */
  body?: unknown
  /**
   * A JSON body already written, sent as it is: for an answer no response filter changes (see
   * `filtersResponse`), which the route must check.
   */
  json?: string
  /** A `text/plain` body instead of JSON. */
  text?: string
  /** A binary body instead of JSON, its `Content-Type` given in `headers`. */
  bytes?: Uint8Array
  /** Extra response headers (`Set-Cookie` may repeat). */
  headers?: Record<string, string | string[]>
}

/**
 * Writes a response with the emulator's common headers: `headers` (the CORS set and the route's
 * own), then `Server`, `X-Content-Type-Options`, and for a body its `Content-Type` and
 * `Content-Length`, in that order. The headers go to `writeHead` as one flat list
 * (`responseHeaders.ts`), which Node writes as it would the object, with less work per answer.
 *
 * @internal
 */
export function writeResponse(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string | string[]>>,
  body: string | Uint8Array | undefined,
  contentType: string | undefined,
): void {
  if (body !== undefined && contentType !== undefined)
    res.writeHead(status, headerList(headers, contentType, Buffer.byteLength(body)))
  else res.writeHead(status, headerList(headers))
  res.end(body)
}

/** `application/json; charset=UTF-8`, as utopia-php's `Response::json()` sends it. @internal */
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8'

const BIGINT_MARK = `__emulator_bigint_${Math.random().toString(36).slice(2)}__`
const BIGINT_PATTERN = new RegExp(`"${BIGINT_MARK}(-?\\d+)"`, 'g')

/**
 * `JSON.stringify` that writes a `bigint` as a plain JSON number, as the server writes 64-bit
 * integers (column `min`/`max`, big values); the SDKs read them back with a big-int-safe parser.
 *
 * @internal
 */
export function toJson(value: unknown): string {
  // Almost no answer holds a bigint: the plain call, without a replacer called on every value,
  // is the common path; JSON.stringify throws a TypeError on the first bigint it meets.
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error
  }
  let sawBigint = false
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'bigint') return inner
    sawBigint = true
    return `${BIGINT_MARK}${inner.toString()}`
  })
  return sawBigint ? text.replace(BIGINT_PATTERN, '$1') : text
}

/**
 * The client's address as the server reads it (`_APP_TRUSTED_HEADERS` defaults to
 * `x-forwarded-for`): the first address of `X-Forwarded-For`, else the socket's peer.
 *
 * @internal
 */
export function clientIp(req: {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly socket: { readonly remoteAddress?: string | undefined }
}): string {
  const forwarded = req.headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  if (first !== undefined && first !== '') return first
  const peer = req.socket.remoteAddress ?? ''
  // An IPv4 peer on a dual-stack socket reads `::ffff:127.0.0.1`.
  return peer.startsWith('::ffff:') ? peer.slice('::ffff:'.length) : peer || '127.0.0.1'
}
