import { systemClock } from '../clock'
import type { TimerHandle } from '../clock'
import { bookingErrorToJSON } from '../errorJson'
import { BookingGuardError, PipelineTimeoutError } from '../errors'
import { BookingRoutes, matchRoute, nonEmpty } from './bookingRoutes'
import type { BookingServerOptions, RouteResponse } from './bookingRoutes'

/**
 * The parts of the Appwrite Functions Node runtime's `context` the booking Function reads (the
 * open-runtimes `context`: `req.headers` lower-cased, `req.bodyText`, `res.json(body, status)`).
 */
export interface FunctionContextLike<R = unknown> {
  readonly req: {
    readonly method: string
    readonly path: string
    readonly headers: Readonly<Record<string, string | undefined>>
    /** The body as text (runtimes since late 2024). */
    readonly bodyText?: string
    /** The older alias of `bodyText`. */
    readonly bodyRaw?: string
    /** The parsed body for a JSON content type, else the text. Read only when `bodyText` is absent. */
    readonly body?: unknown
  }
  readonly res: { json(body: unknown, statusCode?: number): R }
  log(message: unknown): void
  error(message: unknown): void
}

/** Options of {@link createBookingFunction}. */
export interface BookingFunctionOptions extends BookingServerOptions {
  /**
   * The API key the writes use. Defaults to the execution's own dynamic key (the `x-appwrite-key`
   * header Appwrite sends when the Function has the `databases.read` and `databases.write`
   * scopes), then `APPWRITE_API_KEY`. The dynamic key changes with every execution, so each key
   * gets its own guard; the executions of a warm runtime still share one retry policy and circuit
   * breaker (an outage opens it for all of them), and saga mode once Appwrite refused a transaction.
   */
  apiKey?: string
  /**
   * The Function's execution timeout (its `timeout` in appwrite.json or the console), in
   * milliseconds. Appwrite answers an execution still running then with a bare 500 ("Execution
   * timed out"), so a request still running one second before it is answered with a
   * `PipelineTimeoutError` (504, `pendingReconcile: true`: the write may still land; the same
   * request again, a booking with the same idempotency key, learns its outcome), and goes on in
   * the background. Defaults to `15_000`, Appwrite's default timeout.
   */
  timeoutMs?: number
}

/** How long before the Function's timeout a request still running is answered, in milliseconds. */
const ANSWER_MARGIN_MS = 1_000

/** The 504 of a request still running when the Function must answer. */
function stillRunning(req: FunctionContextLike['req'], afterMs: number): RouteResponse {
  const id = matchRoute(req.method, req.path)?.id
  const error = new PipelineTimeoutError({
    operation: `${req.method} ${req.path}`,
    bookingId: id === undefined ? '' : decodeURIComponent(id),
    failedStep: 'booking',
    compensated: false,
    pendingReconcile: true,
    mode: 'saga',
    timeoutMs: afterMs,
  })
  error.message = `the booking server did not finish ${req.method} ${req.path} within ${afterMs} ms, before the Function's timeout; it goes on in the background, so the write may still land: send the same request again (a booking with the same idempotency key) to learn its outcome`
  return { status: 504, body: { error: bookingErrorToJSON(error) } }
}

function bodyTextOf(req: FunctionContextLike['req']): string {
  if (typeof req.bodyText === 'string') return req.bodyText
  if (typeof req.bodyRaw === 'string') return req.bodyRaw
  const body = req.body
  if (body === undefined || body === null) return ''
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  return JSON.stringify(body)
}

/**
 * The booking server as an Appwrite Function (Node runtime): `export default
 * createBookingFunction({ … })`. Browsers call it with `functions.createExecution` (through
 * `createBookingClient`), signed in: Appwrite then names the caller in `x-appwrite-user-id`, which
 * is who books, answers or writes; nothing in the body can change that. The writes run with the
 * execution's API key. Routes (all `POST`, JSON): `/bookings` (create), `/bookings/:id/respond`
 * (the provider accepts or declines), `/bookings/:id/cancel` (customer or provider),
 * `/rooms/:id/messages` (a participant writes), `/health-check`. Refusals answer 400 / 401 / 403 /
 * 404 / 409 with `{ error }` ({@link bookingErrorToJSON}) and write nothing.
 *
 * A request still running one second before the Function's timeout (`timeoutMs`) is answered
 * with a 504 `PipelineTimeoutError` and goes on in the background, as the Node runtime lets it:
 * keep the guard's `timeoutMs` + `compensationTimeoutMs` inside that timeout so a slow Appwrite
 * gets the pipeline's own answer.
 *
 * Give the Function `execute: ["users"]` and the scopes `databases.read` and `databases.write`.
 * Never `any` or `guests`: Appwrite checks callers' `x-appwrite-*` headers case-sensitively, so a
 * guest's own `X-Appwrite-User-Id` would reach the Function as the only user id. A signed-in
 * caller's forgery arrives joined with the real id and is refused with 401.
 *
 * @example
 * ```ts
 * // src/main.ts of an Appwrite Function (Node runtime)
 * import { createBookingFunction } from '@booking-guard/core/server'
 *
 * export default createBookingFunction({
 *   databaseId: 'main',
 *   guard: { slotLock: true },
 *   resolveProvider: async (providerId) => {
 *     const therapist = await loadTherapist(providerId) // your own lookup
 *     return therapist && {
 *       userId: therapist.userId,
 *       name: therapist.name,
 *       price: (form) => Math.round((therapist.hourlyPrice * Number(form.durationMinutes)) / 60),
 *       currency: 'EUR',
 *     }
 *   },
 * })
 * ```
 */
export function createBookingFunction(
  options: BookingFunctionOptions,
): <R>(context: FunctionContextLike<R>) => Promise<R> {
  const routes = new BookingRoutes(options)
  const timeoutMs = options.timeoutMs ?? 15_000
  if (!Number.isFinite(timeoutMs) || timeoutMs < 2 * ANSWER_MARGIN_MS) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `createBookingFunction: \`timeoutMs\` is ${String(timeoutMs)}: give the Function's execution timeout in milliseconds (at least ${2 * ANSWER_MARGIN_MS}), e.g. 15_000 for \`"timeout": 15\``,
    )
  }
  const answerWithinMs = timeoutMs - ANSWER_MARGIN_MS
  const clock = options.guard?.clock ?? systemClock
  return async (context) => {
    const { req, res } = context
    const headers = req.headers
    const userId = headers['x-appwrite-user-id']
    if (userId !== undefined && userId !== '' && !USER_ID.test(userId)) {
      // Appwrite refuses `x-appwrite-*` headers from callers only in lower case; a caller's own
      // `X-Appwrite-User-Id` reaches the runtime joined with the real id (`eve, ben`).
      const error = new BookingGuardError(
        'UNAUTHENTICATED',
        `\`x-appwrite-user-id\` is \`${userId.slice(0, 80)}\`, not one user id: the caller sent its own X-Appwrite-User-Id header, so the request is refused`,
      )
      context.error(`${req.method} ${req.path}: ${error.message}`)
      return res.json({ error: bookingErrorToJSON(error) }, 401)
    }
    const headerKey = nonEmpty(headers['x-appwrite-key'])
    if (headerKey?.includes(',') === true) {
      // The same case-sensitive check lets a caller's own `X-Appwrite-Key` through, joined with
      // the execution's key: a key of the caller's choosing is never written with.
      const error = new BookingGuardError(
        'UNAUTHENTICATED',
        '`x-appwrite-key` holds several keys: the caller sent its own X-Appwrite-Key header, so the request is refused',
      )
      context.error(`${req.method} ${req.path}: ${error.message}`)
      return res.json({ error: bookingErrorToJSON(error) }, 401)
    }
    const env = typeof process === 'undefined' ? {} : process.env
    const apiKey = options.apiKey ?? headerKey ?? env.APPWRITE_API_KEY
    let timer: TimerHandle | undefined
    const late = new Promise<RouteResponse>((resolve) => {
      timer = clock.setTimeout(() => resolve(stillRunning(req, answerWithinMs)), answerWithinMs)
    })
    const answer = await Promise.race([
      routes.handle(
        { method: req.method, path: req.path, body: bodyTextOf(req) },
        userId === undefined || userId === '' ? undefined : { id: userId },
        apiKey,
        (error) => {
          context.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
          options.onError?.(error)
        },
      ),
      late,
    ])
    clock.clearTimeout(timer!)
    if (answer.status >= 500) {
      const { error } = answer.body as { error?: { message?: string } }
      context.error(`${req.method} ${req.path} answered ${answer.status}: ${error?.message ?? ''}`)
    }
    return res.json(answer.body, answer.status)
  }
}

/** An Appwrite user id: up to 36 of a-z, A-Z, 0-9, `.`, `-`, `_`, not starting with a special char. */
const USER_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/
