import { bookingErrorToJSON } from '../errorJson'
import { BookingGuardError, isBookingGuardError } from '../errors'
import { errorFacts } from '../resilience/classifyError'
import {
  appwriteProjectFromEnv,
  bodyTooLarge,
  BookingRoutes,
  MAX_BODY_CHARS,
  loadNodeAppwrite,
  statusOfBookingError,
  unavailable,
} from './bookingRoutes'
import type { BookingCaller, BookingServerOptions } from './bookingRoutes'

/** Options of {@link createBookingHandler}. */
export interface BookingHandlerOptions extends BookingServerOptions {
  /** The API key the writes use. Defaults to `APPWRITE_API_KEY`. */
  apiKey?: string
  /**
   * Where the handler is mounted: this prefix is removed from the request path before routing
   * (`/api/booking` for a Next.js route at `app/api/booking/[...path]/route.ts`). Defaults to `''`.
   */
  basePath?: string
  /**
   * Checks the caller's Appwrite JWT (from `Authorization: Bearer <jwt>`) and says who it is.
   * Throw (or reject) when it is not valid. Defaults to `account.get()` on a `node-appwrite`
   * client with the JWT, in the project the writes go to (`APPWRITE_ENDPOINT` and
   * `APPWRITE_PROJECT`; inside an Appwrite Function, the variables Appwrite sets). Answers are
   * cached per JWT for `callerCacheMs`.
   */
  verifyJWT?: (jwt: string) => Promise<BookingCaller>
  /** How long a verified JWT is trusted without asking Appwrite again, in milliseconds. Defaults to `60_000`. */
  callerCacheMs?: number
  /** Milliseconds since the epoch, for the JWT cache. Defaults to `Date.now`. */
  now?: () => number
}

async function accountOf(jwt: string): Promise<BookingCaller> {
  // The same project the writes go to (see appwriteProjectFromEnv).
  const target = appwriteProjectFromEnv()
  if (target === undefined) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'booking handler: set APPWRITE_ENDPOINT and APPWRITE_PROJECT, or pass `verifyJWT`',
    )
  }
  const { endpoint, projectId } = target
  const sdk = await loadNodeAppwrite('booking handler', 'pass `verifyJWT`')
  const client = new sdk.Client().setEndpoint(endpoint).setProject(projectId).setJWT(jwt)
  const account = await new sdk.Account(client).get()
  return { id: account.$id, name: account.name }
}

/**
 * The request body as text, read no further than the routes would read it: `undefined` once it
 * passes {@link MAX_BODY_CHARS} characters' worth of bytes (a hostile upload never sits in memory
 * whole).
 */
async function boundedText(request: Request): Promise<string | undefined> {
  const limit = MAX_BODY_CHARS * 4 // UTF-8: at most 4 bytes a character
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) return undefined
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function unauthenticated(message: string, cause?: unknown): BookingGuardError {
  return new BookingGuardError('UNAUTHENTICATED', message, cause === undefined ? {} : { cause })
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })

/**
 * The booking server as a Fetch API handler, `(request: Request) => Promise<Response>`, for your
 * own backend: Next.js route handlers, Hono, Remix, Bun, Deno, Cloudflare-style workers. The
 * browser (through `createBookingClient({ url, jwt })`) sends the user's Appwrite JWT
 * (`account.createJWT()`) as `Authorization: Bearer …`; the handler has Appwrite check it and
 * books, answers or writes as that user, with the API key. Same routes, rules and error bodies as
 * {@link createBookingFunction}.
 *
 * @example
 * ```ts
 * // app/api/booking/[...path]/route.ts (Next.js)
 * import { createBookingHandler } from '@booking-guard/core/server'
 *
 * const handler = createBookingHandler({
 *   databaseId: 'main',
 *   basePath: '/api/booking',
 *   resolveProvider: (providerId) => therapists.get(providerId), // { userId, name, price, currency }
 * })
 * export const POST = handler
 * ```
 */
export function createBookingHandler(
  options: BookingHandlerOptions,
): (request: Request) => Promise<Response> {
  const routes = new BookingRoutes(options)
  const verify = options.verifyJWT ?? accountOf
  const cacheMs = options.callerCacheMs ?? 60_000
  const now = options.now ?? Date.now
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  const callers = new Map<string, { caller: BookingCaller; until: number }>()

  async function callerOf(request: Request): Promise<BookingCaller> {
    const header = request.headers.get('authorization') ?? ''
    const jwt = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
    if (jwt === undefined) {
      throw unauthenticated(
        'sign in first: send the user’s Appwrite JWT (`account.createJWT()`) as `Authorization: Bearer <jwt>`',
      )
    }
    const cached = callers.get(jwt)
    if (cached !== undefined && cached.until > now()) return cached.caller
    let caller: BookingCaller
    try {
      caller = await verify(jwt)
    } catch (error) {
      // Appwrite unreachable, failing or rate-limiting did not judge the JWT: a 503 to retry,
      // not "sign in again".
      if (isBookingGuardError(error, 'CONFIGURATION') || errorFacts(error).retryable) throw error
      throw unauthenticated(
        `sign in again: Appwrite did not accept the JWT (${error instanceof Error ? error.message : String(error)})`,
        error,
      )
    }
    if (callers.size > 1_000) callers.clear()
    callers.set(jwt, { caller, until: now() + cacheMs })
    return caller
  }

  return async (request) => {
    const url = new URL(request.url)
    const path = url.pathname.startsWith(basePath)
      ? url.pathname.slice(basePath.length) || '/'
      : url.pathname
    let caller: BookingCaller | undefined
    try {
      caller = await callerOf(request)
    } catch (error) {
      const typed = unavailable(error)
      return json(statusOfBookingError(typed), { error: bookingErrorToJSON(typed) })
    }
    const body = await boundedText(request)
    if (body === undefined) return json(413, { error: bookingErrorToJSON(bodyTooLarge()) })
    const env = typeof process === 'undefined' ? {} : process.env
    const answer = await routes.handle(
      { method: request.method, path, body },
      caller,
      options.apiKey ?? env.APPWRITE_API_KEY,
    )
    return json(answer.status, answer.body)
  }
}
