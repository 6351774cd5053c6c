// The app's server routes. Booking, answering a booking and sending a chat message give two users
// access to one row, and Appwrite lets only a server (an API key) grant a role it does not hold:
// so these run here, with booking-guard and node-appwrite, after checking who is asking. Reads and
// realtime stay in the browser, under each user's own permissions.
//
// In production this file is an Appwrite Function or a route of your backend.
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  bookingErrorToJSON,
  createBookingGuard,
  createCircuitBreaker,
  createErrorMonitor,
  createMetrics,
  isBookingGuardError,
} from '@booking-guard/core'
import type {
  BookingGuard,
  BookingGuardOptions,
  CreateBookingInput,
  ErrorMonitor,
  HealthCheckResult,
  Metrics,
} from '@booking-guard/core'
import { Account, Client, TablesDB } from 'node-appwrite'
import type { DemoUser, Therapist } from './people'
import { THERAPIST_LABEL } from './people'

/** Where the server reaches Appwrite, with the API key that may grant roles. */
export interface AppwriteServerConfig {
  readonly endpoint: string
  readonly projectId: string
  readonly apiKey: string
}

/** What the browser needs to start: `GET /api/config`. */
export interface AppConfig {
  readonly endpoint: string
  readonly projectId: string
  readonly databaseId: string
  readonly therapists: readonly Therapist[]
  /** `emulator`: sign in with `POST /api/sign-in` as one of `demoUsers`; `appwrite`: email + password. */
  readonly mode: 'emulator' | 'appwrite'
  readonly demoUsers: readonly DemoUser[]
}

export interface BookingApiOptions {
  readonly appwrite: AppwriteServerConfig
  readonly databaseId: string
  readonly therapists: readonly Therapist[]
  /** The emulator's sign-in shortcut; without it `POST /api/sign-in` answers 404. */
  readonly signIn?: { users: readonly DemoUser[]; createJWT(user: DemoUser): string }
  /**
   * Realtime for the health check, signed in as the synthetic provider (the server waits for its
   * synthetic booking's event like a therapist's browser would). Without it the check is off.
   */
  readonly realtime?: BookingGuardOptions['realtime']
  /** Extra options for the server's guard (tests shorten the retries). */
  readonly guard?: Partial<BookingGuardOptions>
}

export interface BookingApi {
  /** Answers `/api/*` requests; returns `false` for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** Runs the health check every `intervalMs` (and once now); returns the stop function. */
  startHealthChecks(intervalMs: number): () => void
  readonly guard: BookingGuard
  readonly metrics: Metrics
  readonly monitor: ErrorMonitor
}

/** The signed-in user behind a request. */
interface Caller {
  readonly id: string
  readonly name: string
  readonly therapist: boolean
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  SCHEMA_LOCK: 400,
  SLOT_TAKEN: 409,
  IDEMPOTENCY_CONFLICT: 409,
  CIRCUIT_OPEN: 503,
  PIPELINE_TIMEOUT: 504,
  BOOKING_PIPELINE: 502,
}

const STATUS_BY_STATE_REASON: Record<string, number> = {
  notFound: 404,
  forbidden: 403,
  invalidState: 409,
  roomClosed: 409,
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status
  if (isBookingGuardError(error)) {
    if (error.code === 'BOOKING_STATE') {
      return STATUS_BY_STATE_REASON[(error as { reason?: string }).reason ?? ''] ?? 409
    }
    return STATUS_BY_CODE[error.code] ?? 500
  }
  return 500
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > 100_000) throw new HttpError(413, 'request body larger than 100 kB')
    chunks.push(chunk)
  }
  if (chunks.length === 0) return {}
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      return body as Record<string, unknown>
    }
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
  throw new HttpError(400, 'request body must be a JSON object')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

const string = (value: unknown, field: string, max = 5000): string => {
  if (typeof value !== 'string' || value.length > max) {
    throw new HttpError(400, `\`${field}\` must be a string of at most ${max} characters`)
  }
  return value
}

const optionalString = (value: unknown, field: string, max = 5000): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : string(value, field, max)

/**
 * The `/api/*` routes of the example: config, the emulator's sign-in shortcut, and the writes
 * that need the API key (create a booking, answer it, send a chat message), each after checking
 * the caller's JWT with Appwrite.
 */
export function createBookingApi(options: BookingApiOptions): BookingApi {
  const { appwrite, databaseId, therapists } = options
  const client = new Client()
    .setEndpoint(appwrite.endpoint)
    .setProject(appwrite.projectId)
    .setKey(appwrite.apiKey)
  const tablesDB = new TablesDB(client)
  const monitor = createErrorMonitor()
  const metrics = createMetrics({ monitor })
  const guard = createBookingGuard({
    tablesDB,
    databaseId,
    realtime: options.realtime,
    monitor,
    metrics,
    // A sampling breaker sees a partial outage (one table failing while others answer).
    breaker: createCircuitBreaker({
      breaker: { kind: 'sampling', threshold: 0.5, duration: 30_000, minimumThroughput: 10 },
      halfOpenAfter: 10_000,
    }),
    retry: { maxAttempts: 3, initialDelay: 100, maxDelay: 1_000 },
    // Two bookings of one therapist for the same start: the second gets SlotTakenError.
    slotLock: true,
    ...options.guard,
  })
  let lastHealth: HealthCheckResult | null = null
  const health = () => ({ last: lastHealth, metrics: metrics.snapshot() })
  async function checkHealth() {
    if (options.realtime === undefined) throw new HttpError(501, 'the health check needs realtime')
    lastHealth = await guard.runHealthCheck()
    return health()
  }
  const byId = new Map(therapists.map((t) => [t.id, t]))
  const config: AppConfig = {
    endpoint: appwrite.endpoint,
    projectId: appwrite.projectId,
    databaseId,
    therapists,
    mode: options.signIn === undefined ? 'appwrite' : 'emulator',
    demoUsers: options.signIn?.users ?? [],
  }

  // Who is asking: the JWT the browser got from Appwrite (`account.createJWT()`), checked by
  // Appwrite itself. Cached briefly so a chat does not cost one account lookup per message.
  const callers = new Map<string, { caller: Caller; until: number }>()
  async function callerOf(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization ?? ''
    const jwt = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (jwt === '')
      throw new HttpError(401, 'sign in first: no `Authorization: Bearer <jwt>` header')
    const cached = callers.get(jwt)
    if (cached !== undefined && cached.until > Date.now()) return cached.caller
    const userClient = new Client()
      .setEndpoint(appwrite.endpoint)
      .setProject(appwrite.projectId)
      .setJWT(jwt)
    let account
    try {
      account = await new Account(userClient).get()
    } catch (error) {
      throw new HttpError(
        401,
        `sign in again: Appwrite did not accept the JWT (${(error as Error).message})`,
      )
    }
    const caller: Caller = {
      id: account.$id,
      name: account.name === '' ? account.$id : account.name,
      therapist: account.labels.includes(THERAPIST_LABEL),
    }
    if (callers.size > 1_000) callers.clear()
    callers.set(jwt, { caller, until: Date.now() + 60_000 })
    return caller
  }

  async function createBooking(caller: Caller, body: Record<string, unknown>) {
    const form = (body.input ?? {}) as Record<string, unknown>
    const therapist = byId.get(string(form.providerId, 'input.providerId', 100))
    if (therapist === undefined) throw new HttpError(404, 'no such therapist')
    const minutes = Number(form.durationMinutes)
    // The server decides who books, whom, and the price; the rest is the customer's, and the
    // schema lock checks all of it before anything is written.
    const input = {
      ...form,
      customerId: caller.id,
      customerName: caller.name,
      providerId: therapist.id,
      providerType: 'therapist',
      providerName: therapist.name,
      price: Number.isFinite(minutes)
        ? Math.round((therapist.hourlyPrice * minutes) / 60)
        : undefined,
      currency: therapist.currency,
    } as CreateBookingInput
    return guard.createBooking(input, {
      idempotencyKey: optionalString(body.idempotencyKey, 'idempotencyKey', 64),
      source: body.source as never,
    })
  }

  async function sendMessage(caller: Caller, roomId: string, body: Record<string, unknown>) {
    // Only the room's customer and provider may write in it.
    const room = await tablesDB.getRow({
      databaseId,
      tableId: guard.schemaLock.tableId('chatRoom'),
      rowId: roomId,
    })
    const isCustomer = room.customerId === caller.id
    if (!isCustomer && room.providerId !== caller.id) {
      throw new HttpError(403, 'only the booking’s customer and therapist may write in its chat')
    }
    return guard.sendMessage(roomId, {
      senderId: caller.id,
      senderType: isCustomer ? 'customer' : 'therapist',
      senderName: caller.name,
      content: string(body.content, 'content'),
      clientMessageId: optionalString(body.clientMessageId, 'clientMessageId', 36),
    })
  }

  async function route(req: IncomingMessage, path: string): Promise<[number, unknown]> {
    const method = req.method ?? 'GET'
    if (method === 'GET' && path === '/api/config') return [200, config]
    if (method === 'GET' && path === '/api/health') {
      await callerOf(req)
      return [200, health()]
    }
    if (method === 'POST' && path === '/api/health/check') {
      await callerOf(req)
      return [200, await checkHealth()]
    }
    if (method === 'POST' && path === '/api/sign-in') {
      if (options.signIn === undefined)
        throw new HttpError(404, 'sign in with Appwrite: there is no shortcut on a real project')
      const body = await readJson(req)
      const user = options.signIn.users.find((u) => u.id === body.userId)
      if (user === undefined) throw new HttpError(404, `no demo user \`${String(body.userId)}\``)
      return [200, { jwt: options.signIn.createJWT(user) }]
    }
    if (method === 'POST' && path === '/api/bookings') {
      const caller = await callerOf(req)
      return [201, await createBooking(caller, await readJson(req))]
    }
    const respond = /^\/api\/bookings\/([^/]+)\/respond$/.exec(path)
    if (method === 'POST' && respond !== null) {
      const caller = await callerOf(req)
      if (!caller.therapist) throw new HttpError(403, 'only therapists answer bookings')
      const body = await readJson(req)
      const response = body.response
      if (response !== 'accept' && response !== 'decline') {
        throw new HttpError(400, "`response` must be 'accept' or 'decline'")
      }
      return [
        200,
        await guard.respondToBooking(decodeURIComponent(respond[1]!), {
          providerId: caller.id,
          response,
          reason: optionalString(body.reason, 'reason', 500),
        }),
      ]
    }
    const message = /^\/api\/rooms\/([^/]+)\/messages$/.exec(path)
    if (method === 'POST' && message !== null) {
      const caller = await callerOf(req)
      return [201, await sendMessage(caller, decodeURIComponent(message[1]!), await readJson(req))]
    }
    throw new HttpError(404, `no route ${method} ${path}`)
  }

  return {
    guard,
    metrics,
    monitor,
    startHealthChecks: (intervalMs) =>
      guard.startHealthChecks({
        intervalMs,
        onResult: (result) => {
          lastHealth = result
        },
      }),
    async handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname
      if (!path.startsWith('/api/')) return false
      try {
        const [status, body] = await route(req, path)
        send(res, status, body)
      } catch (error) {
        const status = statusOf(error)
        // Booking-guard errors go to the browser typed (it shows the right message and knows
        // whether to retry); anything unexpected is logged here and reported without internals.
        if (status === 500 && !isBookingGuardError(error)) {
          console.error('[react-booking api]', error)
          send(res, 500, {
            error: { name: 'Error', message: 'Internal error in the booking server' },
          })
        } else {
          send(res, status, { error: bookingErrorToJSON(error) })
        }
      }
      return true
    },
  }
}
