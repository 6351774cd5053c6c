import { bookingErrorFromJSON } from '../errorJson'
import type { BookingErrorJSON } from '../errorJson'
import { BookingGuardError } from '../errors'
import { raceAbort } from '../pipeline/budget'
import { randomId } from '../pipeline/ids'
import type { HealthCheckResult } from '../realtime/healthCheck'
import { errorFacts } from '../resilience/classifyError'
import { RetryPolicy, createRetryPolicy } from '../resilience/retryPolicy'
import { retriesSpent } from '../resilience/retriesSpent'
import type { RetryPolicyOptions } from '../resilience/retryPolicy'
import { routePath } from './routes'
import type { BOOKING_ROUTES } from './routes'
import { createReadGuard } from './readGuard'
import type { BookingReadGuard, ReadGuardOptions } from './readGuard'
import type { SchemaExtensions } from '../schema/schemaLock'
import type { BookingGuardLike } from './types'

/**
 * The part of Appwrite's `Functions` service the client uses: `new Functions(client)` from the
 * `appwrite` web SDK (≥ 19, object parameters) fits.
 */
export interface FunctionsLike {
  createExecution(params: {
    functionId: string
    body?: string
    async?: boolean
    xpath?: string
    method?: string
    headers?: object
  }): Promise<ExecutionLike>
}

/** The fields of an execution the client reads. */
export interface ExecutionLike {
  readonly responseStatusCode: number
  readonly responseBody: string
  readonly status?: string
}

/** The `fetch` the client uses for a handler URL; the global `fetch` fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>

/**
 * Options of {@link createBookingClient}: the signed-in user's data service (`tablesDB` or
 * `databases`, required), the reads' settings, and the server path its writes take.
 */
export type BookingClientOptions<E extends SchemaExtensions = Record<never, never>> =
  ReadGuardOptions<E> & BookingClientWrites

/** Where a {@link createBookingClient}'s writes go: a Function, or a handler URL. */
export interface BookingClientWrites {
  /** `new Functions(client)` of the signed-in user, with `functionId`. */
  functions?: FunctionsLike
  /** The id of the booking Function (`createBookingFunction`). */
  functionId?: string
  /** The base URL of a `createBookingHandler`, e.g. `/api/booking`. */
  url?: string
  /**
   * The user's Appwrite JWT for `url` (`() => account.createJWT().then((t) => t.jwt)`; cache it:
   * JWTs last 15 minutes). Required with `url`.
   */
  jwt?: () => string | Promise<string>
  /** The `fetch` for `url`. Defaults to the global `fetch`. */
  fetch?: FetchLike
  /**
   * Retries of a server call that got no usable answer (no connection, 5xx, 429), each with the
   * same idempotency key. A refusal (400–409) and the server's own typed errors are never retried
   * here. Defaults to 3 attempts with the guard's default back-off.
   */
  writeRetry?: RetryPolicy | RetryPolicyOptions
}

/** The browser's booking guard, made by {@link createBookingClient}. */
export interface BookingClient extends BookingGuardLike {
  /** The reads, feeds, watchdog and read markers, as the signed-in user. */
  readonly guard: BookingReadGuard
  /** Removes the listeners of the reads guard. */
  dispose(): void
}

type Send = (path: string, body: unknown, signal: AbortSignal | undefined) => Promise<Answer>
interface Answer {
  readonly status: number
  readonly text: string
}

function serverError(status: number, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), {
    name: 'BookingServerError',
    code: status,
    type: status >= 500 ? 'booking_server_failed' : 'booking_server_refused',
  })
}

/**
 * A call the client could not get an answer to (no connection, or the server or Appwrite
 * unavailable) after its own retries, as a typed `RETRY_BUDGET_EXCEEDED` ({@link retriesSpent});
 * an aborted call and everything else pass through as they came.
 */
function gaveUp(path: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return error
  return retriesSpent(
    error,
    (message) =>
      `the booking server gave no answer to ${path} after the client's retries (${message}); sending the same call again (with the same idempotency key for a booking) is safe`,
  )
}

function executionSender(functions: FunctionsLike, functionId: string): Send {
  return async (path, body, signal) => {
    signal?.throwIfAborted()
    let execution: ExecutionLike
    const request = () =>
      functions.createExecution({
        functionId,
        body: JSON.stringify(body),
        async: false,
        xpath: path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      })
    try {
      // The SDK takes no signal: an aborted call stops waiting, and the server finishes on its
      // own (the idempotency key makes a resubmit return that booking, never a second one).
      execution = await (signal === undefined ? request() : raceAbort(request, signal))
    } catch (error) {
      const { type, status } = errorFacts(error)
      if (
        type === 'function_not_found' ||
        type === 'deployment_not_found' ||
        type === 'build_not_ready' ||
        (status === 401 && type === 'user_unauthorized')
      ) {
        throw new BookingGuardError(
          'CONFIGURATION',
          `createBookingClient: Appwrite would not run function \`${functionId}\` (${type}): deploy it (\`appwrite push functions\`), activate a ready deployment and give it \`execute: ["users"]\``,
          { cause: error },
        )
      }
      throw error
    }
    signal?.throwIfAborted()
    return { status: execution.responseStatusCode, text: execution.responseBody }
  }
}

function fetchSender(url: string, jwt: () => string | Promise<string>, fetchImpl: FetchLike): Send {
  const base = url.replace(/\/+$/, '')
  return async (path, body, signal) => {
    const response = await fetchImpl(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt()}` },
      body: JSON.stringify(body),
      signal,
    })
    return { status: response.status, text: await response.text() }
  }
}

/** Reads a server answer: its JSON on success, else the typed error it carries. */
function read<T>(path: string, answer: Answer): T {
  let json: unknown
  try {
    json = answer.text === '' ? undefined : JSON.parse(answer.text)
  } catch (error) {
    throw serverError(
      answer.status,
      `the booking server answered ${path} with ${answer.status} and a body that is not JSON`,
      error,
    )
  }
  if (answer.status >= 200 && answer.status < 300 && json !== undefined) return json as T
  const error = (json as { error?: BookingErrorJSON } | undefined)?.error
  if (typeof error === 'object' && error !== null) throw bookingErrorFromJSON(error)
  throw serverError(
    answer.status,
    answer.status >= 500
      ? `the booking server failed on ${path} (${answer.status}) without an answer: see its logs (a Function's execution logs in the Appwrite console)`
      : `the booking server answered ${path} with ${answer.status} and no error body`,
  )
}

function checkOptions(options: BookingClientWrites): Send {
  const { functions, functionId, url, jwt } = options
  if (functions !== undefined && url !== undefined) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'createBookingClient: give `functions` + `functionId` or `url`, not both',
    )
  }
  if (functions !== undefined) {
    if (typeof functionId !== 'string' || functionId === '') {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createBookingClient: `functions` needs `functionId`, the id of the Function made with createBookingFunction',
      )
    }
    return executionSender(functions, functionId)
  }
  if (url !== undefined) {
    if (typeof jwt !== 'function') {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createBookingClient: `url` needs `jwt: () => account.createJWT().then((t) => t.jwt)` so the server knows who is calling',
      )
    }
    const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined)
    if (fetchImpl === undefined) {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createBookingClient: no global `fetch`: pass `fetch`',
      )
    }
    return fetchSender(url, jwt, fetchImpl)
  }
  throw new BookingGuardError(
    'CONFIGURATION',
    'createBookingClient: no server path for the writes: pass `functions` + `functionId` (an Appwrite Function made with createBookingFunction from @booking-guard/core/server) or `url` + `jwt` (a createBookingHandler). A browser cannot write bookings with the user session alone',
  )
}

/**
 * The booking guard for the browser. Reads (bookings, messages, communication checks), realtime
 * feeds, the watchdog and read markers run here, on your `appwrite` services as the signed-in
 * user. The writes that reach another user (create a booking, accept or decline it, cancel it,
 * send a chat message) go to your server: an Appwrite Function made with `createBookingFunction`
 * (through `functions.createExecution`) or a `createBookingHandler` (through `fetch`). The server
 * decides who the caller is; the ids the browser passes for the actor (`providerId`,
 * `actorId`, `senderId`) are ignored there. Errors come back as the same typed errors
 * (`SlotTakenError`, `SchemaLockError` with its fields, …), so `describeBookingError`, the submit
 * hook's retries and its messages behave as on the server. One idempotency key serves every
 * retry of a booking. `BookingGuardProvider` and the hooks of `@booking-guard/react` take it as
 * they take a guard.
 *
 * @example
 * ```ts
 * import { Client, Functions, Realtime, TablesDB } from 'appwrite'
 * import { createBookingClient } from '@booking-guard/core'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(projectId) // signed in
 * const booking = createBookingClient({
 *   tablesDB: new TablesDB(client),
 *   realtime: new Realtime(client),
 *   databaseId: 'main',
 *   functions: new Functions(client),
 *   functionId: 'booking',
 * })
 * const { booking: row } = await booking.createBooking(form, { idempotencyKey: formId })
 * ```
 */
export function createBookingClient<E extends SchemaExtensions = Record<never, never>>(
  options: BookingClientOptions<E>,
): BookingClient {
  const send = checkOptions(options)
  const guard = createReadGuard(options)
  const retry =
    options.writeRetry instanceof RetryPolicy
      ? options.writeRetry
      : createRetryPolicy({ clock: options.clock, ...options.writeRetry })
  const call = <T>(
    route: keyof typeof BOOKING_ROUTES,
    id: string | undefined,
    body: object,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    const path = routePath(route, id)
    return retry
      .execute(async () => read<T>(path, await send(path, body, signal)), { signal })
      .catch((error: unknown) => {
        throw gaveUp(path, error, signal)
      })
  }

  return {
    guard,
    createBooking: (input, { idempotencyKey, source, signal } = {}) =>
      call(
        'createBooking',
        undefined,
        {
          input,
          // One key for every attempt of this call, so a retry can never book twice.
          idempotencyKey: idempotencyKey ?? randomId('k'),
          source,
        },
        signal,
      ),
    respondToBooking: (bookingId, { response, reason, signal }) =>
      call('respond', bookingId, { response, reason }, signal),
    cancelBooking: (bookingId, { reason, signal }) => call('cancel', bookingId, { reason }, signal),
    sendMessage: (roomId, { content, clientMessageId, signal }) =>
      call('sendMessage', roomId, { content, clientMessageId }, signal),
    runHealthCheck: () => call<HealthCheckResult>('healthCheck', undefined, {}, undefined),
    startHealthChecks: () => {
      throw new BookingGuardError(
        'CONFIGURATION',
        'createBookingClient: schedule health checks on the server (its guard’s startHealthChecks, or the reconciler Function); a browser can run one with runHealthCheck()',
      )
    },
    listMessages: guard.listMessages,
    markMessagesRead: guard.markMessagesRead,
    getProviderBookings: guard.getProviderBookings,
    getCustomerBookings: guard.getCustomerBookings,
    getBooking: guard.getBooking,
    checkCommunication: guard.checkCommunication,
    providerFeed: guard.providerFeed,
    customerFeed: guard.customerFeed,
    roomFeed: guard.roomFeed,
    subscribeToProviderBookings: guard.subscribeToProviderBookings,
    subscribeToRoom: guard.subscribeToRoom,
    watchdog: guard.watchdog,
    createWatchdog: guard.createWatchdog,
    dispose: () => guard.dispose(),
  }
}
