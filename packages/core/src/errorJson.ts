import {
  BookingGuardError,
  BookingPipelineError,
  BookingStateError,
  CircuitOpenError,
  IdempotencyConflictError,
  isBookingGuardError,
  PipelineTimeoutError,
  SchemaLockError,
  SlotTakenError,
} from './errors'
import type {
  BookingGuardErrorCode,
  BookingStateReason,
  CircuitOpenState,
  PipelineMode,
  PipelineStep,
  SchemaLockIssue,
} from './errors'

/**
 * An error as JSON, made by {@link bookingErrorToJSON} on a server (an Appwrite Function, your
 * backend) and turned back into the same typed error by {@link bookingErrorFromJSON} in the
 * browser. Every field is plain JSON.
 */
export interface BookingErrorJSON {
  /** `error.name`: `'SlotTakenError'`, `'AppwriteException'`, `'Error'`… */
  readonly name: string
  /** `error.message`. */
  readonly message: string
  /** A booking-guard error's code (`'SLOT_TAKEN'`…), or an Appwrite error's HTTP status. */
  readonly code?: BookingGuardErrorCode | number
  /** An Appwrite error's type, e.g. `'general_rate_limit_exceeded'`. */
  readonly type?: string
  /**
   * Another error's string code, e.g. `'ECONNRESET'` or undici's `'UND_ERR_SOCKET'`: what says a
   * network failure may be retried.
   */
  readonly errno?: string
  /** The error's own data (`issues`, `bookingId`, `failedStep`…), by field name. */
  readonly data?: Readonly<Record<string, unknown>>
  /** The wrapped error, when there is one (at most `MAX_CAUSE_DEPTH`, 4, levels). */
  readonly cause?: BookingErrorJSON
}

const MAX_CAUSE_DEPTH = 4

const PIPELINE_FIELDS = [
  'bookingId',
  'operation',
  'failedStep',
  'compensated',
  'pendingReconcile',
  'mode',
] as const

/** The data fields each error class carries, copied to and from {@link BookingErrorJSON.data}. */
const DATA_FIELDS: Partial<Record<BookingGuardErrorCode, readonly string[]>> = {
  SCHEMA_LOCK: ['issues', 'kind', 'tableId'],
  CIRCUIT_OPEN: ['state', 'nextProbeAt'],
  BOOKING_PIPELINE: PIPELINE_FIELDS,
  PIPELINE_TIMEOUT: ['timeoutMs', ...PIPELINE_FIELDS],
  IDEMPOTENCY_CONFLICT: ['idempotencyKey', 'bookingId'],
  SLOT_TAKEN: ['providerId', 'scheduledAt', 'slotKey', 'bookingId', 'compensated'],
  BOOKING_STATE: ['reason', 'bookingId'],
}

/** Plain JSON copy of a value (drops functions, `undefined`, cycles fail loudly in `JSON.stringify`). */
const plain = (value: unknown): unknown =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown)

function toJSON(error: unknown, depth: number): BookingErrorJSON {
  if (isBookingGuardError(error)) {
    const data: Record<string, unknown> = {}
    const record = error as unknown as Record<string, unknown>
    for (const field of DATA_FIELDS[error.code] ?? []) {
      if (record[field] !== undefined) data[field] = plain(record[field])
    }
    return withCause(
      { name: error.name, message: error.message, code: error.code, data },
      error.cause,
      depth,
    )
  }
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>
    const name = typeof record.name === 'string' ? record.name : 'Error'
    const message = typeof record.message === 'string' ? record.message : String(error)
    const out: { -readonly [K in keyof BookingErrorJSON]: BookingErrorJSON[K] } = { name, message }
    if (typeof record.code === 'number') out.code = record.code
    if (typeof record.code === 'string') out.errno = record.code
    if (typeof record.type === 'string') out.type = record.type
    return withCause(out, record.cause, depth)
  }
  return { name: 'Error', message: String(error) }
}

function withCause(out: BookingErrorJSON, cause: unknown, depth: number): BookingErrorJSON {
  if (cause === undefined || depth >= MAX_CAUSE_DEPTH) return out
  return { ...out, cause: toJSON(cause, depth + 1) }
}

/**
 * Turns anything a booking-guard call threw into JSON a server can send to the browser: the
 * typed error's code and data (`issues` of a `SchemaLockError`, `failedStep` of a
 * `BookingPipelineError`…) and, for the Appwrite error it wraps, the HTTP status and type. Read it
 * back with {@link bookingErrorFromJSON}: `describeBookingError` and `classifyAppwriteError` then
 * answer exactly as they would on the server. Stack traces are not included.
 *
 * @example
 * ```ts
 * import { bookingErrorToJSON } from '@booking-guard/core'
 * import { statusOfBookingError } from '@booking-guard/core/server'
 *
 * // A route of your own backend that creates bookings with an API key
 * export async function POST(request: Request): Promise<Response> {
 *   const { input, idempotencyKey } = await request.json()
 *   try {
 *     return Response.json(await guard.createBooking(input, { idempotencyKey }))
 *   } catch (error) {
 *     const status = statusOfBookingError(error)
 *     return Response.json({ error: bookingErrorToJSON(error) }, { status })
 *   }
 * }
 * ```
 */
export function bookingErrorToJSON(error: unknown): BookingErrorJSON {
  return toJSON(error, 0)
}

const has = (data: Readonly<Record<string, unknown>>, field: string, type: string) =>
  typeof data[field] === type

function fromData(json: BookingErrorJSON, cause: unknown): Error | undefined {
  const data = json.data ?? {}
  const options = cause === undefined ? {} : { cause }
  const details = () => ({
    ...options,
    bookingId: String(data.bookingId),
    operation: String(data.operation),
    failedStep: data.failedStep as PipelineStep,
    compensated: data.compensated === true,
    pendingReconcile: data.pendingReconcile === true,
    mode: data.mode as PipelineMode,
  })
  switch (json.code) {
    case 'SCHEMA_LOCK':
      if (!Array.isArray(data.issues)) return undefined
      return new SchemaLockError(data.issues as SchemaLockIssue[], {
        ...options,
        kind: String(data.kind),
        tableId: typeof data.tableId === 'string' ? data.tableId : undefined,
      })
    case 'CIRCUIT_OPEN':
      return new CircuitOpenError(json.message, {
        ...options,
        state: data.state as CircuitOpenState,
        nextProbeAt: typeof data.nextProbeAt === 'number' ? data.nextProbeAt : undefined,
      })
    case 'BOOKING_PIPELINE':
      if (!has(data, 'failedStep', 'string')) return undefined
      return new BookingPipelineError(details())
    case 'PIPELINE_TIMEOUT':
      if (!has(data, 'timeoutMs', 'number')) return undefined
      return new PipelineTimeoutError({ ...details(), timeoutMs: data.timeoutMs as number })
    case 'IDEMPOTENCY_CONFLICT':
      return new IdempotencyConflictError({
        ...options,
        idempotencyKey: String(data.idempotencyKey),
        bookingId: String(data.bookingId),
      })
    case 'SLOT_TAKEN':
      return new SlotTakenError({
        ...options,
        providerId: String(data.providerId),
        scheduledAt: String(data.scheduledAt),
        slotKey: String(data.slotKey),
        bookingId: String(data.bookingId),
        compensated: data.compensated === true,
      })
    case 'BOOKING_STATE':
      return new BookingStateError(json.message, {
        ...options,
        reason: data.reason as BookingStateReason,
        bookingId: String(data.bookingId),
      })
    default:
      return undefined
  }
}

function fromJSON(json: BookingErrorJSON, depth: number): Error {
  const cause =
    json.cause !== undefined && depth < MAX_CAUSE_DEPTH
      ? fromJSON(json.cause, depth + 1)
      : undefined
  let error: Error
  if (typeof json.code === 'string') {
    error =
      fromData(json, cause) ??
      new BookingGuardError(json.code, json.message, cause === undefined ? {} : { cause })
  } else {
    error = new Error(json.message, cause === undefined ? undefined : { cause })
    if (json.code !== undefined) Object.assign(error, { code: json.code })
    if (typeof json.errno === 'string') Object.assign(error, { code: json.errno })
    if (json.type !== undefined) Object.assign(error, { type: json.type })
  }
  // The server's own words win over the ones a constructor would compose.
  error.message = json.message
  error.name = json.name
  return error
}

/**
 * Turns {@link BookingErrorJSON} (from {@link bookingErrorToJSON} on your server) back into the
 * typed error it was: a `SlotTakenError` is a `SlotTakenError` again (`isSlotTakenError` is
 * true, `describeBookingError` gives `slotTaken`), a wrapped Appwrite error keeps its HTTP status
 * and type on `cause`. Anything it does not recognise becomes a plain `Error` with the message.
 *
 * @example
 * ```ts
 * // In the browser: a guard whose createBooking runs on your server
 * const response = await fetch('/api/bookings', { method: 'POST', body: JSON.stringify({ input }) })
 * const body = await response.json()
 * if (!response.ok) throw bookingErrorFromJSON(body.error)
 * ```
 */
export function bookingErrorFromJSON(json: BookingErrorJSON): Error {
  if (typeof json !== 'object' || json === null || typeof json.message !== 'string') {
    return new Error(`bookingErrorFromJSON: not a BookingErrorJSON: ${JSON.stringify(json)}`)
  }
  return fromJSON(json, 0)
}
