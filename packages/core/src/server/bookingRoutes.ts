import type * as NodeAppwrite from 'node-appwrite'
import type { TablesDBLike } from '../backend/types'
import { bookingErrorToJSON } from '../errorJson'
import {
  BookingGuardError,
  BookingStateError,
  SchemaLockError,
  isBookingGuardError,
} from '../errors'
import type { SchemaLockIssue } from '../errors'
import { createBookingGuard } from '../guard'
import type { BookingGuard, BookingGuardOptions } from '../guard'
import type { CreateBookingInput } from '../guard'
import { systemClock } from '../clock'
import type { CircuitBreaker } from '../resilience/circuitBreaker'
import { classifyAppwriteError } from '../resilience/classifyError'
import { policyParts } from '../resilience/guardPolicy'
import type { RetryPolicy } from '../resilience/retryPolicy'
import { retriesSpent } from '../resilience/retriesSpent'
import { BookingSourceSchema } from '../schema/schemas'
import type { BookingSource, ProviderType } from '../schema/schemas'
import { BOOKING_ROUTES } from '../client/routes'

/** Who is calling, as Appwrite vouches for it (never read from the request body). */
export interface BookingCaller {
  /** The caller's Appwrite user id. */
  readonly id: string
  /** The caller's account name, when known (a JWT check knows it; a Function's headers do not). */
  readonly name?: string | undefined
}

/** A provider as the app knows it, returned by {@link BookingServerOptions.resolveProvider}. */
export interface BookingProvider {
  /** The provider's Appwrite user id: the only user who may accept, decline or write as the provider. */
  readonly userId: string
  /** The name stored on the booking and shown to the customer. */
  readonly name: string
  /** `therapist` or `place`. Defaults to the `providerType` the form sent (checked by the schema lock). */
  readonly providerType?: ProviderType
  /**
   * The price of a booking in minor units of `currency`, or a function of the booking form (e.g.
   * hourly price × `durationMinutes`). Defaults to none: the booking has no price. A form that
   * sends another price is refused with 400.
   */
  readonly price?: number | ((form: BookingForm) => number | undefined)
  /** ISO 4217 currency of `price`. Defaults to none. */
  readonly currency?: string
}

/** The booking form as the browser sent it (`input` of `POST /bookings`), before the server fills it in. */
export type BookingForm = Readonly<Record<string, unknown>> & {
  readonly providerId?: unknown
  readonly durationMinutes?: unknown
  readonly bookingType?: unknown
  readonly scheduledAt?: unknown
}

/** Options shared by `createBookingFunction` and `createBookingHandler`. */
export interface BookingServerOptions {
  /** The database holding the booking tables. Required. */
  databaseId: string
  /**
   * Looks a provider up by the id the booking form sends (a user id, or your provider profile's
   * id): its user id, name and price. Return `undefined` for no such provider (the request gets
   * 404 and nothing is written). Called for every write that involves a provider; cache in it if
   * the lookup is remote.
   */
  resolveProvider: (
    providerId: string,
  ) => BookingProvider | undefined | Promise<BookingProvider | undefined>
  /**
   * More options of the server's guard (`slotLock`, `pushSender`, `retry`, `breaker`, `monitor`,
   * `permissions.adminRoles`, …). `tablesDB` and `databaseId` are the server's own. The retry
   * policy and the breaker are shared by every request (and every API key); the breaker defaults
   * to a sampling one (`{ kind: 'sampling', threshold: 0.5, duration: 30_000,
   * minimumThroughput: 10 }`), which options without their own `breaker` kind keep.
   */
  guard?: Omit<BookingGuardOptions, 'tablesDB' | 'databases' | 'databaseId'>
  /**
   * The TablesDB service for an API key. Defaults to `new TablesDB(new Client().setEndpoint(…)
   * .setProject(…).setKey(apiKey))` from `node-appwrite`, loaded on first use.
   */
  tablesDB?: (apiKey: string) => TablesDBLike | Promise<TablesDBLike>
  /** Receives errors that are not booking-guard's own (a failing resolver, a bug), before the 500. */
  onError?: (error: unknown) => void
}

/** A request reduced to what the routes need. @internal */
export interface RouteRequest {
  readonly method: string
  /** The path below the server's base path, e.g. `/bookings/b1/respond`. */
  readonly path: string
  /** The raw body text. */
  readonly body: string
}

/** What a route answers: a status and a JSON body. @internal */
export interface RouteResponse {
  readonly status: number
  readonly body: unknown
}

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  SCHEMA_LOCK: 400,
  SLOT_TAKEN: 409,
  IDEMPOTENCY_CONFLICT: 409,
  CIRCUIT_OPEN: 503,
  RETRY_BUDGET_EXCEEDED: 503,
  PIPELINE_TIMEOUT: 504,
  BOOKING_PIPELINE: 502,
  UNAUTHENTICATED: 401,
  CONFIGURATION: 500,
}

const STATUS_BY_REASON: Record<string, number> = {
  notFound: 404,
  forbidden: 403,
  invalidState: 409,
  roomClosed: 409,
}

/** An error with the HTTP status it is answered with. */
/** What a route writes with: the guard and the service of one API key. */
interface RouteServices {
  guard: BookingGuard
  tablesDB: TablesDBLike
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: Error,
  ) {
    super(error.message)
  }
}

/** The largest request body the booking routes read, in characters (a booking form is ~1 kB). @internal */
export const MAX_BODY_CHARS = 100_000

/** The error of a body over {@link MAX_BODY_CHARS}, answered with 413. @internal */
export function bodyTooLarge(): SchemaLockError {
  return invalid('request', [], `The request body is larger than ${MAX_BODY_CHARS} characters`)
}

function invalid(kind: string, path: (string | number)[], message: string): SchemaLockError {
  const issue: SchemaLockIssue = { path, code: 'invalid_value', message }
  return new SchemaLockError([issue], { kind })
}

/**
 * The HTTP status booking-guard answers an error with: 400 invalid input, 401 not signed in, 403
 * not yours, 404 no such booking / room / provider, 409 wrong state / slot taken / key reused, 502
 * the pipeline failed, 503 circuit open or Appwrite unavailable (`RETRY_BUDGET_EXCEEDED`), 504
 * time budget spent, 500 anything else.
 */
export function statusOfBookingError(error: unknown): number {
  if (error instanceof HttpError) return error.status
  if (isBookingGuardError(error)) {
    if (error.code === 'BOOKING_STATE') {
      return STATUS_BY_REASON[(error as BookingStateError).reason] ?? 409
    }
    return STATUS_BY_CODE[error.code] ?? 500
  }
  const verdict = classifyAppwriteError(error)
  if (verdict.status !== undefined) return verdict.retryable ? 503 : 502
  return 500
}

/**
 * An Appwrite failure the server could not get past (no connection, 5xx, 429 while checking a
 * JWT or who may do what), as the typed `RETRY_BUDGET_EXCEEDED` ({@link retriesSpent}) the client
 * reads as "try again"; any other error as it is.
 *
 * @internal
 */
export function unavailable(error: unknown): unknown {
  return retriesSpent(
    error,
    (message) =>
      `Appwrite was unavailable to the booking server (${message}): send the request again (a booking with the same idempotency key)`,
  )
}

function parseBody(text: string): Record<string, unknown> {
  if (text.length > MAX_BODY_CHARS) throw new HttpError(413, bodyTooLarge())
  if (text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw invalid('request', [], 'The request body is not JSON: send `JSON.stringify({ … })`')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('request', [], 'The request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

function optionalString(
  body: Record<string, unknown>,
  field: string,
  max: number,
): string | undefined {
  const value = body[field]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string' || value.length > max) {
    throw invalid('request', [field], `Use a string of at most ${max} characters`)
  }
  return value
}

const idOf = (value: string | undefined, what: string): string => {
  const id = decodeURIComponent(value ?? '')
  if (id === '' || id.length > 64) throw invalid('request', [what], `Use a valid ${what}`)
  return id
}

/**
 * The routes' breaker unless the app gives one: a sampling breaker (half the calls of the last
 * 30 s failing, once at least 10 were made), as the core README advises for a server serving many
 * users at once. Consecutive failures, the guard's default, open it on a few unlucky calls in a row
 * among many users' traffic, failing everyone's bookings fast while most calls still succeed.
 */
const SERVER_BREAKER = {
  kind: 'sampling',
  threshold: 0.5,
  duration: 30_000,
  minimumThroughput: 10,
} as const

/**
 * The server's routes, independent of the transport: who may do what, decided from the caller
 * Appwrite vouched for and the rows themselves, then the guard's own checks.
 *
 * @internal
 */
export class BookingRoutes {
  readonly #options: BookingServerOptions
  #current: (RouteServices & { apiKey: string }) | undefined
  /** Provider id → user id, learned from the resolver, for the guard's row permissions. */
  readonly #providerUsers = new Map<string, string>()
  /**
   * What outlives one key's guard (a Function's dynamic key changes per execution): the retry
   * policy, the circuit breaker, and saga mode once a guard found the server refuses
   * transactions. A warm Function's executions thus share one breaker (an outage opens it for all
   * of them) and do not each try a transaction the server refuses.
   */
  readonly #retry: RetryPolicy
  readonly #breaker: CircuitBreaker | undefined
  #saga = false

  constructor(options: BookingServerOptions) {
    if (typeof options.databaseId !== 'string' || options.databaseId === '') {
      throw new BookingGuardError('CONFIGURATION', 'booking server: `databaseId` is required')
    }
    if (typeof options.resolveProvider !== 'function') {
      throw new BookingGuardError(
        'CONFIGURATION',
        'booking server: `resolveProvider(providerId)` is required: it says which user a provider is and what a booking costs',
      )
    }
    this.#options = options
    const guard = options.guard ?? {}
    const { retry, breaker } = policyParts(guard, guard.clock ?? systemClock, {
      breaker: SERVER_BREAKER,
    })
    this.#retry = retry
    this.#breaker = breaker
  }

  /**
   * The guard writing with `apiKey` (one at a time: a Function's dynamic key changes per
   * execution), on the routes' shared retry policy, breaker and write mode.
   */
  async #services(apiKey: string): Promise<RouteServices> {
    if (this.#current?.apiKey === apiKey) return this.#current
    const tablesDB = await (this.#options.tablesDB ?? defaultTablesDB)(apiKey)
    const extra = this.#options.guard ?? {}
    const appMapping = extra.permissions?.providerUserId
    if (this.#current?.guard.mode === 'saga') this.#saga = true
    const guard = createBookingGuard({
      ...extra,
      retry: this.#retry,
      breaker: this.#breaker ?? false,
      mode: this.#saga && (extra.mode ?? 'auto') === 'auto' ? 'saga' : extra.mode,
      tablesDB,
      databaseId: this.#options.databaseId,
      permissions: {
        ...extra.permissions,
        providerUserId: (providerId) =>
          appMapping?.(providerId) ?? this.#providerUsers.get(providerId) ?? providerId,
      },
    })
    this.#current?.guard.dispose()
    this.#current = { apiKey, guard, tablesDB }
    return this.#current
  }

  async #provider(providerId: string): Promise<BookingProvider | undefined> {
    const provider = await this.#options.resolveProvider(providerId)
    if (provider === undefined) return undefined
    if (this.#providerUsers.size > 1_000) this.#providerUsers.clear()
    this.#providerUsers.set(providerId, provider.userId)
    return provider
  }

  /** Answers one request; never throws. */
  async handle(
    request: RouteRequest,
    caller: BookingCaller | undefined,
    apiKey: string | undefined,
    onError: ((error: unknown) => void) | undefined = this.#options.onError,
  ): Promise<RouteResponse> {
    try {
      return await this.#route(request, caller, apiKey)
    } catch (error) {
      const status = statusOfBookingError(error)
      const cause = error instanceof HttpError ? error.error : error
      if (status === 500 && !isBookingGuardError(cause)) {
        onError?.(cause)
        return {
          status,
          body: {
            error: {
              name: 'Error',
              message: 'Internal error in the booking server: see its logs',
            },
          },
        }
      }
      return { status, body: { error: bookingErrorToJSON(unavailable(cause)) } }
    }
  }

  async #route(
    request: RouteRequest,
    caller: BookingCaller | undefined,
    apiKey: string | undefined,
  ): Promise<RouteResponse> {
    const { method, path } = request
    const route = matchRoute(method, path)
    if (route === undefined) {
      throw new HttpError(
        404,
        new BookingGuardError(
          'CONFIGURATION',
          `booking server: no route ${method} ${path}; the routes are POST ${Object.values(BOOKING_ROUTES).join(', ')}`,
        ),
      )
    }
    if (caller === undefined || caller.id === '') {
      throw new BookingGuardError(
        'UNAUTHENTICATED',
        'sign in first: Appwrite did not identify a user for this request (call it with a user session or JWT)',
      )
    }
    if (apiKey === undefined || apiKey === '') {
      throw new BookingGuardError(
        'CONFIGURATION',
        'booking server: no API key: give the Function the databases.read and databases.write scopes (Appwrite then sends `x-appwrite-key`), or set `apiKey` / APPWRITE_API_KEY',
      )
    }
    const body = parseBody(request.body)
    const services = await this.#services(apiKey)
    switch (route.name) {
      case 'createBooking':
        return this.#createBooking(services.guard, caller, body)
      case 'respond':
        return this.#respond(services, caller, idOf(route.id, 'bookingId'), body)
      case 'cancel':
        return this.#cancel(services, caller, idOf(route.id, 'bookingId'), body)
      case 'sendMessage':
        return this.#sendMessage(services, caller, idOf(route.id, 'roomId'), body)
      case 'healthCheck':
        return { status: 200, body: await services.guard.runHealthCheck() }
    }
  }

  async #createBooking(
    guard: BookingGuard,
    caller: BookingCaller,
    body: Record<string, unknown>,
  ): Promise<RouteResponse> {
    const form = body.input
    if (typeof form !== 'object' || form === null || Array.isArray(form)) {
      throw invalid('request', ['input'], 'Send the booking form as `input`, a JSON object')
    }
    const fields = form as BookingForm
    if (fields.customerId !== undefined && fields.customerId !== caller.id) {
      throw new BookingStateError(
        `\`${String(fields.customerId)}\` is not the signed-in user: a booking is always made for the caller`,
        { reason: 'forbidden', bookingId: '' },
      )
    }
    if (typeof fields.providerId !== 'string' || fields.providerId === '') {
      throw invalid('bookingInput', ['providerId'], 'Choose a provider')
    }
    const provider = await this.#provider(fields.providerId)
    if (provider === undefined) {
      throw new HttpError(
        404,
        invalid('bookingInput', ['providerId'], `There is no provider \`${fields.providerId}\``),
      )
    }
    const price = typeof provider.price === 'function' ? provider.price(fields) : provider.price
    for (const [field, value] of [
      ['price', price],
      ['currency', provider.currency],
    ] as const) {
      if (fields[field] !== undefined && fields[field] !== value) {
        throw invalid(
          'bookingInput',
          [field],
          `The ${field} is set by the server (${String(value ?? 'none')}), not by the form`,
        )
      }
    }
    const input: Record<string, unknown> = {
      ...fields,
      customerId: caller.id,
      customerName:
        caller.name !== undefined && caller.name !== '' ? caller.name : fields.customerName,
      providerName: provider.name,
      providerType: provider.providerType ?? fields.providerType,
    }
    delete input.price
    delete input.currency
    if (price !== undefined) input.price = price
    if (provider.currency !== undefined) input.currency = provider.currency
    const result = await guard.createBooking(input as CreateBookingInput, {
      idempotencyKey: optionalString(body, 'idempotencyKey', 64),
      // Keys are the browser's: one user's key never names another user's booking.
      idempotencyScope: caller.id,
      source: sourceOf(body.source),
    })
    return { status: result.replayed ? 200 : 201, body: result }
  }

  async #readRow(
    services: RouteServices,
    kind: 'booking' | 'chatRoom',
    rowId: string,
  ): Promise<Record<string, unknown>> {
    const lock = services.guard.schemaLock
    try {
      const row = await services.guard.policy.execute(() =>
        services.tablesDB.getRow({
          databaseId: this.#options.databaseId,
          tableId: lock.tableId(kind),
          rowId,
        }),
      )
      return lock.normalize(kind, row) as Record<string, unknown>
    } catch (error) {
      if (classifyAppwriteError(error).status === 404) {
        throw new BookingStateError(
          `there is no ${kind === 'booking' ? 'booking' : 'chat room'} \`${rowId}\``,
          { reason: 'notFound', bookingId: rowId, cause: error },
        )
      }
      throw error
    }
  }

  /** Whether `caller` is the provider of `providerId` (by the app's resolver). */
  async #isProvider(caller: BookingCaller, providerId: unknown): Promise<boolean> {
    if (typeof providerId !== 'string') return false
    const provider = await this.#provider(providerId)
    return provider !== undefined && provider.userId === caller.id
  }

  async #respond(
    services: RouteServices,
    caller: BookingCaller,
    bookingId: string,
    body: Record<string, unknown>,
  ): Promise<RouteResponse> {
    const response = body.response
    if (response !== 'accept' && response !== 'decline') {
      throw invalid('transition', ['response'], "Use 'accept' or 'decline'")
    }
    const booking = await this.#readRow(services, 'booking', bookingId)
    if (!(await this.#isProvider(caller, booking.providerId))) {
      throw new BookingStateError(
        `only the provider of booking \`${bookingId}\` may accept or decline it`,
        { reason: 'forbidden', bookingId },
      )
    }
    const result = await services.guard.respondToBooking(bookingId, {
      providerId: String(booking.providerId),
      response,
      reason: optionalString(body, 'reason', 500),
    })
    return { status: 200, body: result }
  }

  async #cancel(
    services: RouteServices,
    caller: BookingCaller,
    bookingId: string,
    body: Record<string, unknown>,
  ): Promise<RouteResponse> {
    const booking = await this.#readRow(services, 'booking', bookingId)
    const reason = optionalString(body, 'reason', 500)
    if (booking.customerId === caller.id) {
      const result = await services.guard.cancelBooking(bookingId, {
        by: 'customer',
        actorId: caller.id,
        reason,
      })
      return { status: 200, body: result }
    }
    if (await this.#isProvider(caller, booking.providerId)) {
      const result = await services.guard.cancelBooking(bookingId, {
        by: 'provider',
        actorId: String(booking.providerId),
        reason,
      })
      return { status: 200, body: result }
    }
    throw new BookingStateError(
      `only the customer or the provider of booking \`${bookingId}\` may cancel it`,
      { reason: 'forbidden', bookingId },
    )
  }

  async #sendMessage(
    services: RouteServices,
    caller: BookingCaller,
    roomId: string,
    body: Record<string, unknown>,
  ): Promise<RouteResponse> {
    const content = body.content
    if (typeof content !== 'string') {
      throw invalid('chatMessage', ['content'], 'Send the message text as `content`, a string')
    }
    const clientMessageId = optionalString(body, 'clientMessageId', 36)
    const room = await this.#readRow(services, 'chatRoom', roomId)
    let sender: { senderId: string; senderType: 'customer' | ProviderType; senderName: string }
    if (room.customerId === caller.id) {
      sender = {
        senderId: caller.id,
        senderType: 'customer',
        senderName: String(room.customerName),
      }
    } else if (await this.#isProvider(caller, room.providerId)) {
      const provider = await this.#provider(String(room.providerId))
      let providerType = provider?.providerType
      if (providerType === undefined) {
        const booking = await this.#readRow(services, 'booking', String(room.bookingId))
        providerType = booking.providerType === 'place' ? 'place' : 'therapist'
      }
      sender = {
        senderId: String(room.providerId),
        senderType: providerType,
        senderName: String(room.providerName),
      }
    } else {
      throw new BookingStateError(
        `only the customer and the provider of chat room \`${roomId}\` may write in it`,
        { reason: 'forbidden', bookingId: String(room.bookingId ?? roomId) },
      )
    }
    const result = await services.guard.sendMessage(roomId, { ...sender, content, clientMessageId })
    return { status: 201, body: result }
  }

  /** Releases the guard's listeners. */
  dispose(): void {
    this.#current?.guard.dispose()
    this.#current = undefined
  }
}

function sourceOf(value: unknown): BookingSource | undefined {
  if (value === undefined || value === null) return undefined
  const parsed = BookingSourceSchema.safeParse(value)
  if (!parsed.success) {
    throw invalid('request', ['source'], `Use one of ${BookingSourceSchema.options.join(', ')}`)
  }
  return parsed.data
}

type RouteName = keyof typeof BOOKING_ROUTES

/** The route `method` and `path` name, with its id as sent (still URI-encoded). @internal */
export function matchRoute(
  method: string,
  path: string,
): { name: RouteName; id?: string } | undefined {
  if (method.toUpperCase() !== 'POST') return undefined
  const clean = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  if (clean === BOOKING_ROUTES.createBooking) return { name: 'createBooking' }
  if (clean === BOOKING_ROUTES.healthCheck) return { name: 'healthCheck' }
  const match = /^\/(bookings|rooms)\/([^/]+)\/(respond|cancel|messages)$/.exec(clean)
  if (match === null) return undefined
  const [, collection, id, action] = match
  if (collection === 'bookings' && action === 'respond') return { name: 'respond', id }
  if (collection === 'bookings' && action === 'cancel') return { name: 'cancel', id }
  if (collection === 'rooms' && action === 'messages') return { name: 'sendMessage', id }
  return undefined
}

/**
 * The Appwrite endpoint and project from the environment, the same for the writes and for the
 * JWT check, so a caller is never verified in one project and written for in another: inside an
 * Appwrite Function the variables Appwrite sets (`APPWRITE_FUNCTION_API_ENDPOINT`,
 * `APPWRITE_FUNCTION_PROJECT_ID`), else `APPWRITE_ENDPOINT` and `APPWRITE_PROJECT`. `undefined`
 * when either is missing.
 *
 * @internal
 */
export function appwriteProjectFromEnv(): { endpoint: string; projectId: string } | undefined {
  const env = typeof process === 'undefined' ? {} : process.env
  const inFunction =
    nonEmpty(env.APPWRITE_FUNCTION_API_ENDPOINT) !== undefined &&
    nonEmpty(env.APPWRITE_FUNCTION_PROJECT_ID) !== undefined
  const endpoint = inFunction ? env.APPWRITE_FUNCTION_API_ENDPOINT : env.APPWRITE_ENDPOINT
  const projectId = inFunction ? env.APPWRITE_FUNCTION_PROJECT_ID : env.APPWRITE_PROJECT
  return nonEmpty(endpoint) === undefined || nonEmpty(projectId) === undefined
    ? undefined
    : { endpoint: endpoint!, projectId: projectId! }
}

/** `value`, or `undefined` when it is missing or empty (an unset variable or header). @internal */
export const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value

async function defaultTablesDB(apiKey: string): Promise<TablesDBLike> {
  const target = appwriteProjectFromEnv()
  if (target === undefined) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'booking server: set APPWRITE_ENDPOINT and APPWRITE_PROJECT (inside an Appwrite Function they are set for you), or pass `tablesDB: (apiKey) => new TablesDB(client)`',
    )
  }
  const { endpoint, projectId } = target
  const sdk = await loadNodeAppwrite('booking server', 'pass `tablesDB`')
  const client = new sdk.Client().setEndpoint(endpoint).setProject(projectId).setKey(apiKey)
  return new sdk.TablesDB(client) as unknown as TablesDBLike
}

/**
 * Loads `node-appwrite` on first use; when it is missing, a configuration error that says to
 * install it (never an import error a caller would read as a failed request or a bad JWT).
 *
 * @internal
 */
export async function loadNodeAppwrite(
  who: string,
  alternative: string,
): Promise<typeof NodeAppwrite> {
  try {
    return await import('node-appwrite')
  } catch (error) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `${who}: \`node-appwrite\` is not installed: add it to the server’s dependencies, or ${alternative}`,
      { cause: error },
    )
  }
}
