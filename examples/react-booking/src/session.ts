// Signing in, and the browser's side of the server routes in server/api.ts.
import {
  bookingErrorFromJSON,
  createBookingGuard,
  createErrorMonitor,
  createMetrics,
} from '@booking-guard/core'
import type {
  BookingErrorJSON,
  BookingGuard,
  CreateBookingResult,
  ErrorMonitor,
  HealthCheckResult,
  Metrics,
  MetricsSnapshot,
  SendMessageResult,
  TransitionResult,
} from '@booking-guard/core'
import type { ChatParticipant } from '@booking-guard/core/observers'
import { Account, Client, Realtime, TablesDB } from 'appwrite'
import type { AppConfig } from '../server/api'

export type { AppConfig }

/** A signed-in user with everything the app needs. */
export interface Session {
  readonly user: ChatParticipant
  readonly config: AppConfig
  /** Reads and realtime under the user's own permissions; writes through the server. */
  readonly guard: BookingGuard
  readonly monitor: ErrorMonitor
  readonly metrics: Metrics
  readonly server: ServerApi
  signOut(): void
}

/** The server's health view: its last synthetic booking and its pipeline rates. */
export interface ServerHealth {
  readonly last: HealthCheckResult | null
  readonly metrics: MetricsSnapshot
}

export interface ServerApi {
  createBooking: BookingGuard['createBooking']
  respondToBooking: BookingGuard['respondToBooking']
  sendMessage: BookingGuard['sendMessage']
  health(): Promise<ServerHealth>
  checkHealth(): Promise<ServerHealth>
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/api/config')
  if (!response.ok) throw new Error(`GET /api/config answered ${response.status}`)
  return (await response.json()) as AppConfig
}

const THERAPIST_LABEL = 'therapist'

/** Calls `/api/*` with the user's JWT; a failure comes back as the typed error the server saw. */
function createServerApi(getJwt: () => Promise<string>): ServerApi {
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ) {
    const response = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await getJwt()}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    })
    const json = (await response.json().catch(() => ({}))) as { error?: BookingErrorJSON }
    if (!response.ok) {
      throw json.error === undefined
        ? new Error(`${method} ${path} answered ${response.status}`)
        : bookingErrorFromJSON(json.error)
    }
    return json as T
  }
  return {
    createBooking: (input, options = {}) =>
      call<CreateBookingResult>(
        'POST',
        '/api/bookings',
        { input, idempotencyKey: options.idempotencyKey, source: options.source },
        options.signal,
      ),
    respondToBooking: (bookingId, { response, reason }) =>
      call<TransitionResult>('POST', `/api/bookings/${encodeURIComponent(bookingId)}/respond`, {
        response,
        reason,
      }),
    sendMessage: (roomId, { content, clientMessageId }) =>
      call<SendMessageResult>('POST', `/api/rooms/${encodeURIComponent(roomId)}/messages`, {
        content,
        clientMessageId,
      }),
    health: () => call<ServerHealth>('GET', '/api/health'),
    checkHealth: () => call<ServerHealth>('POST', '/api/health/check'),
  }
}

/**
 * The guard the React hooks use: reads and realtime go straight to Appwrite as the user; the three
 * writes that give another user access go through the server, which holds the API key.
 */
function withServerWrites(guard: BookingGuard, server: ServerApi): BookingGuard {
  const writes: Pick<BookingGuard, 'createBooking' | 'respondToBooking' | 'sendMessage'> = {
    createBooking: server.createBooking,
    respondToBooking: server.respondToBooking,
    sendMessage: server.sendMessage,
  }
  return Object.assign(Object.create(guard) as BookingGuard, writes)
}

function startSession(
  config: AppConfig,
  client: Client,
  account: { $id: string; name: string; labels: string[] },
  getJwt: () => Promise<string>,
  signOut: () => void,
): Session {
  const therapist = account.labels.includes(THERAPIST_LABEL)
  const monitor = createErrorMonitor()
  const metrics = createMetrics({ monitor })
  const server = createServerApi(getJwt)
  const guard = createBookingGuard({
    tablesDB: new TablesDB(client),
    realtime: new Realtime(client),
    databaseId: config.databaseId,
    mode: 'saga',
    monitor,
    metrics,
    // A canary every 5 s, trouble after 3 s without its echo; feeds poll every 3 s meanwhile.
    watchdog: { intervalMs: 5_000, timeoutMs: 3_000 },
    feeds: { pollIntervalMs: 3_000 },
  })
  return {
    user: {
      id: account.$id,
      name: account.name || account.$id,
      type: therapist ? 'therapist' : 'customer',
    },
    config,
    guard: withServerWrites(guard, server),
    monitor,
    metrics,
    server,
    signOut: () => {
      guard.dispose()
      signOut()
    },
  }
}

/**
 * The user's JWT for the server routes: fetched on first use, then again after 10 minutes (JWTs
 * last 15). Concurrent callers share one fetch; a failed fetch is retried on the next call.
 */
function renewingJwt(
  fetchJwt: () => Promise<string>,
  onNew: (jwt: string) => void = () => {},
): () => Promise<string> {
  let current: Promise<string> | undefined
  let issued = 0
  return () => {
    if (current === undefined || Date.now() - issued > 10 * 60_000) {
      issued = Date.now()
      const next = fetchJwt().then((jwt) => {
        onNew(jwt)
        return jwt
      })
      next.catch(() => {
        if (current === next) current = undefined
      })
      current = next
    }
    return current
  }
}

/** Emulator only: sign in as a demo user, no password. */
export async function signInAsDemoUser(config: AppConfig, userId: string): Promise<Session> {
  const client = new Client().setEndpoint(config.endpoint).setProject(config.projectId)
  const getJwt = renewingJwt(
    async () => {
      const response = await fetch('/api/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      })
      if (!response.ok) throw new Error(`sign-in answered ${response.status}`)
      return ((await response.json()) as { jwt: string }).jwt
    },
    // Reads and realtime go to Appwrite as this user, with the same JWT.
    (jwt) => client.setJWT(jwt),
  )
  await getJwt()
  const account = await new Account(client).get()
  return startSession(config, client, account, getJwt, () => {})
}

/** A real Appwrite project: email + password session, and a JWT for the server routes. */
export async function signInWithPassword(
  config: AppConfig,
  email: string,
  password: string,
): Promise<Session> {
  const client = new Client().setEndpoint(config.endpoint).setProject(config.projectId)
  const accountService = new Account(client)
  await accountService.createEmailPasswordSession({ email, password })
  const account = await accountService.get()
  const getJwt = renewingJwt(async () => (await accountService.createJWT()).jwt)
  return startSession(config, client, account, getJwt, () => {
    void accountService.deleteSession({ sessionId: 'current' })
  })
}
