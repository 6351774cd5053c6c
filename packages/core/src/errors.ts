const BRAND = Symbol.for('booking-guard.error')

/**
 * Every error code booking-guard throws. Switch on `error.code` rather than on the class,
 * so the check survives two copies of the package (ESM and CJS) in one app.
 */
export type BookingGuardErrorCode =
  | 'SCHEMA_LOCK'
  | 'CIRCUIT_OPEN'
  | 'RETRY_BUDGET_EXCEEDED'
  | 'BOOKING_PIPELINE'
  | 'IDEMPOTENCY_CONFLICT'
  | 'SLOT_TAKEN'
  | 'PIPELINE_TIMEOUT'
  | 'BOOKING_STATE'
  | 'CONFIGURATION'
  | 'PROVISIONING'
  | 'UNAUTHENTICATED'

/** Options shared by every booking-guard error. */
export interface BookingGuardErrorOptions {
  /** The underlying error, when this one wraps another (kept on `error.cause`). */
  cause?: unknown
}

/**
 * Base class of every error booking-guard throws. Use {@link isBookingGuardError} to test for it:
 * `instanceof` fails when an app ends up with two copies of the package.
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input)
 * } catch (error) {
 *   if (isBookingGuardError(error) && error.code === 'SLOT_TAKEN') showSlotTaken()
 *   else throw error
 * }
 * ```
 */
export class BookingGuardError extends Error {
  /** What kind of failure this is; stable across versions. */
  readonly code: BookingGuardErrorCode

  constructor(
    code: BookingGuardErrorCode,
    message: string,
    options: BookingGuardErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = 'BookingGuardError'
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * Whether `error` is a {@link BookingGuardError}, optionally with the given code. Works across
 * duplicated copies of the package because it checks a global symbol brand, not the prototype.
 *
 * @example
 * ```ts
 * if (isBookingGuardError(error, 'CIRCUIT_OPEN')) retryLater(error)
 * ```
 */
export function isBookingGuardError(error: unknown): error is BookingGuardError
export function isBookingGuardError<C extends BookingGuardErrorCode>(
  error: unknown,
  code: C,
): error is BookingGuardError & { code: C }
export function isBookingGuardError(error: unknown, code?: BookingGuardErrorCode): boolean {
  if (typeof error !== 'object' || error === null) return false
  if ((error as Record<symbol, unknown>)[BRAND] !== true) return false
  return code === undefined || (error as BookingGuardError).code === code
}

/**
 * What is wrong with one field in a {@link SchemaLockError}: the lock's own codes
 * (`unknown_field`, `alias_conflict`) or zod 4's issue codes, passed through as they are.
 */
export type SchemaLockIssueCode =
  | 'unknown_field'
  | 'alias_conflict'
  | 'invalid_type'
  | 'too_big'
  | 'too_small'
  | 'invalid_format'
  | 'not_multiple_of'
  | 'unrecognized_keys'
  | 'invalid_union'
  | 'invalid_key'
  | 'invalid_element'
  | 'invalid_value'
  | 'custom'

/** One problem found by the schema lock. */
export interface SchemaLockIssue {
  /** Where, from the root of the input: canonical field names and array indexes; `[]` is the input itself. */
  readonly path: readonly (string | number)[]
  /** What is wrong, in words a developer can act on. */
  readonly message: string
  /** What kind of problem it is; switch on this rather than on `message`. */
  readonly code: SchemaLockIssueCode
}

/** Options for {@link SchemaLockError}. */
export interface SchemaLockErrorOptions extends BookingGuardErrorOptions {
  /** The schema kind that rejected the input, e.g. `'booking'` or `'bookingInput'`. */
  kind: string
  /** The Appwrite table the data was meant for; `undefined` for kinds without a table (`bookingInput`). */
  tableId?: string | undefined
}

const MAX_LISTED_ISSUES = 20

function formatIssuePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)'
  let out = ''
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`
  }
  return out
}

/**
 * Thrown by the schema lock when data does not match the locked schema: nothing was written.
 * `issues` lists every problem (zod's, alias conflicts and unknown fields together), each with
 * its path; the message names them. Code `SCHEMA_LOCK`.
 *
 * @example
 * ```ts
 * try {
 *   lock.parse('booking', input)
 * } catch (error) {
 *   if (isSchemaLockError(error)) for (const issue of error.issues) showFieldError(issue.path, issue.message)
 *   else throw error
 * }
 * ```
 */
export class SchemaLockError extends BookingGuardError {
  /** Every problem found, in a stable order: unknown fields and alias conflicts first, then zod's issues. */
  readonly issues: readonly SchemaLockIssue[]
  /** The schema kind that rejected the input, e.g. `'booking'`. */
  readonly kind: string
  /** The Appwrite table the data was meant for; `undefined` for `bookingInput`. */
  readonly tableId: string | undefined

  constructor(issues: readonly SchemaLockIssue[], options: SchemaLockErrorOptions) {
    const where = options.tableId === undefined ? '' : ` (table \`${options.tableId}\`)`
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`
    let message = `\`${options.kind}\` rejected by the schema lock${where}, ${count}; nothing was written:`
    for (const issue of issues.slice(0, MAX_LISTED_ISSUES)) {
      message += `\n  - ${formatIssuePath(issue.path)}: ${issue.message}`
    }
    if (issues.length > MAX_LISTED_ISSUES) {
      message += `\n  … and ${issues.length - MAX_LISTED_ISSUES} more (see \`error.issues\`)`
    }
    super('SCHEMA_LOCK', message, options)
    this.name = 'SchemaLockError'
    this.issues = issues
    this.kind = options.kind
    this.tableId = options.tableId
  }
}

/**
 * Whether `error` is a {@link SchemaLockError}, by brand and code (works across duplicated copies
 * of the package).
 *
 * @example
 * ```ts
 * if (isSchemaLockError(error)) console.table(error.issues)
 * ```
 */
export function isSchemaLockError(error: unknown): error is SchemaLockError {
  return isBookingGuardError(error, 'SCHEMA_LOCK')
}

/** The state a circuit breaker was in when it refused a call. */
export type CircuitOpenState = 'open' | 'halfOpen' | 'isolated'

/** Options for {@link CircuitOpenError}. */
export interface CircuitOpenErrorOptions extends BookingGuardErrorOptions {
  /** Why the call was refused: `'open'`, `'halfOpen'` (a probe is already in flight) or `'isolated'`. */
  state: CircuitOpenState
  /** Epoch milliseconds from which a probe call is allowed; `undefined` while isolated. */
  nextProbeAt: number | undefined
}

/**
 * Thrown, without calling the operation, while a circuit breaker is open: the backend failed
 * repeatedly and calls fail fast until `nextProbeAt`. Not retryable by the retry policy; the
 * reconciler finishes what was left pending. Code `CIRCUIT_OPEN`; `cause` is the failure that
 * opened the circuit, when known.
 *
 * @example
 * ```ts
 * try {
 *   await policy.execute(({ signal }) => tablesDB.getRow({ databaseId, tableId, rowId }))
 * } catch (error) {
 *   if (isCircuitOpenError(error)) showOffline(new Date(error.nextProbeAt ?? Date.now()))
 *   else throw error
 * }
 * ```
 */
export class CircuitOpenError extends BookingGuardError {
  /** Always `'CIRCUIT_OPEN'`. */
  declare readonly code: 'CIRCUIT_OPEN'
  /** Why the call was refused: `'open'`, `'halfOpen'` (a probe is in flight) or `'isolated'`. */
  readonly state: CircuitOpenState
  /** Epoch milliseconds from which a probe call is allowed; `undefined` while isolated. */
  readonly nextProbeAt: number | undefined

  constructor(message: string, options: CircuitOpenErrorOptions) {
    super('CIRCUIT_OPEN', message, options)
    this.name = 'CircuitOpenError'
    this.state = options.state
    this.nextProbeAt = options.nextProbeAt
  }
}

/**
 * Whether `error` is a {@link CircuitOpenError}, by brand and code (works across duplicated
 * copies of the package, like cockatiel's `isBrokenCircuitError`).
 *
 * @example
 * ```ts
 * if (isCircuitOpenError(error)) scheduleRetryAt(error.nextProbeAt)
 * ```
 */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return isBookingGuardError(error, 'CIRCUIT_OPEN')
}

// ------------------------------------------------------------------------------------------------
// Booking pipeline
// ------------------------------------------------------------------------------------------------

/**
 * A step of a booking pipeline: one of the four writes (`booking`, `chatRoom`, `systemMessage`,
 * `notification`), `deliver` (the saga's final ledger update), the transaction's `transaction`
 * (start or stage) and `commit`, or `read` (loading the booking before a transition).
 */
export type PipelineStep =
  | 'booking'
  | 'chatRoom'
  | 'systemMessage'
  | 'notification'
  | 'deliver'
  | 'transaction'
  | 'commit'
  | 'read'

/** How a pipeline wrote: one Appwrite transaction, or parallel writes with a ledger and compensation. */
export type PipelineMode = 'transaction' | 'saga'

/** What a pipeline error reports about the booking it was writing. */
export interface PipelineFailureDetails {
  /** The booking the call was writing. */
  bookingId: string
  /** The operation: `createBooking`, `respondToBooking`, `cancelBooking` or `expireBooking`. */
  operation: string
  /** The step that failed (for a timeout: the first step still in flight). */
  failedStep: PipelineStep
  /** `true` when nothing of the failed call remains (rolled back, or compensated). */
  compensated: boolean
  /** `true` when the booking was left `pipelineStatus: 'pending'` for the reconciler to finish. */
  pendingReconcile: boolean
  /** How the call wrote. */
  mode: PipelineMode
}

/** Options of {@link BookingPipelineError} and {@link PipelineTimeoutError}. */
export interface PipelineErrorOptions extends BookingGuardErrorOptions, PipelineFailureDetails {}

/** The pipeline details of `options` alone, to copy onto an error as its own fields. */
function pipelineDetails(options: PipelineFailureDetails): PipelineFailureDetails {
  const { bookingId, operation, failedStep, compensated, pendingReconcile, mode } = options
  return { bookingId, operation, failedStep, compensated, pendingReconcile, mode }
}

function outcome(details: PipelineFailureDetails): string {
  if (details.compensated) {
    return 'nothing was kept (rolled back); retrying with the same idempotency key is safe'
  }
  if (details.pendingReconcile) {
    return 'compensation did not finish: the booking is left `pending` and `guard.reconcile()` will finish it'
  }
  return 'the outcome is unknown (no answer from Appwrite); retry with the same idempotency key, which is safe'
}

/**
 * Thrown when a booking pipeline (creation or a lifecycle transition) fails after retries. The
 * error names the failed step and says whether the partial writes were undone (`compensated`) or
 * left for the reconciler (`pendingReconcile`). `cause` is the Appwrite error. Code `BOOKING_PIPELINE`.
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input, { idempotencyKey })
 * } catch (error) {
 *   if (isBookingPipelineError(error)) log.warn(error.failedStep, error.compensated, error.cause)
 *   throw error
 * }
 * ```
 */
export class BookingPipelineError extends BookingGuardError implements PipelineFailureDetails {
  /** Always `'BOOKING_PIPELINE'`. */
  declare readonly code: 'BOOKING_PIPELINE'
  declare readonly bookingId: string
  declare readonly operation: string
  declare readonly failedStep: PipelineStep
  declare readonly compensated: boolean
  declare readonly pendingReconcile: boolean
  declare readonly mode: PipelineMode

  constructor(options: PipelineErrorOptions, reason?: string) {
    super(
      'BOOKING_PIPELINE',
      `${options.operation} failed at step \`${options.failedStep}\` for booking \`${options.bookingId}\` (${options.mode} mode)${reason === undefined ? '' : `: ${reason}`}; ${outcome(options)}`,
      options,
    )
    Object.assign(this, pipelineDetails(options))
    this.name = 'BookingPipelineError'
  }
}

/**
 * Whether `error` is a {@link BookingPipelineError} (by brand and code).
 *
 * @example
 * ```ts
 * if (isBookingPipelineError(error) && !error.compensated) scheduleReconcile()
 * ```
 */
export function isBookingPipelineError(error: unknown): error is BookingPipelineError {
  return isBookingGuardError(error, 'BOOKING_PIPELINE')
}

/**
 * Thrown when a pipeline call exceeds its whole-call budget (`timeoutMs`): in-flight requests
 * were abandoned, what was written was compensated (or left `pending` for the reconciler), and the
 * call settled instead of hanging. Code `PIPELINE_TIMEOUT`.
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input, { idempotencyKey })
 * } catch (error) {
 *   if (isPipelineTimeoutError(error)) showRetry('Booking is taking too long, please try again')
 *   else throw error
 * }
 * ```
 */
export class PipelineTimeoutError extends BookingGuardError implements PipelineFailureDetails {
  /** Always `'PIPELINE_TIMEOUT'`. */
  declare readonly code: 'PIPELINE_TIMEOUT'
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number
  declare readonly bookingId: string
  declare readonly operation: string
  declare readonly failedStep: PipelineStep
  declare readonly compensated: boolean
  declare readonly pendingReconcile: boolean
  declare readonly mode: PipelineMode

  constructor(options: PipelineErrorOptions & { timeoutMs: number }) {
    super(
      'PIPELINE_TIMEOUT',
      `${options.operation} for booking \`${options.bookingId}\` ran out of its ${options.timeoutMs} ms budget waiting on step \`${options.failedStep}\` (${options.mode} mode); ${outcome(options)}`,
      options,
    )
    Object.assign(this, pipelineDetails(options))
    this.name = 'PipelineTimeoutError'
    this.timeoutMs = options.timeoutMs
  }
}

/**
 * Whether `error` is a {@link PipelineTimeoutError} (by brand and code).
 *
 * @example
 * ```ts
 * if (isPipelineTimeoutError(error)) console.warn(`gave up after ${error.timeoutMs} ms`)
 * ```
 */
export function isPipelineTimeoutError(error: unknown): error is PipelineTimeoutError {
  return isBookingGuardError(error, 'PIPELINE_TIMEOUT')
}

/** Options of {@link IdempotencyConflictError}. */
export interface IdempotencyConflictErrorOptions extends BookingGuardErrorOptions {
  /** The key that was reused. */
  idempotencyKey: string
  /** The booking that key already stands for. */
  bookingId: string
}

/**
 * Thrown when an idempotency key is reused with a different booking input: the key already stands
 * for another booking, which is left untouched. Use a new key for a new booking. Code
 * `IDEMPOTENCY_CONFLICT`.
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input, { idempotencyKey: formId })
 * } catch (error) {
 *   if (isIdempotencyConflictError(error)) formId = crypto.randomUUID() // a new booking: a new key
 *   else throw error
 * }
 * ```
 */
export class IdempotencyConflictError extends BookingGuardError {
  /** Always `'IDEMPOTENCY_CONFLICT'`. */
  declare readonly code: 'IDEMPOTENCY_CONFLICT'
  readonly idempotencyKey: string
  readonly bookingId: string

  constructor(options: IdempotencyConflictErrorOptions) {
    super(
      'IDEMPOTENCY_CONFLICT',
      `idempotency key \`${options.idempotencyKey}\` was already used for booking \`${options.bookingId}\` with a different input; nothing was changed: use a new key for a new booking`,
      options,
    )
    this.name = 'IdempotencyConflictError'
    this.idempotencyKey = options.idempotencyKey
    this.bookingId = options.bookingId
  }
}

/**
 * Whether `error` is an {@link IdempotencyConflictError} (by brand and code).
 *
 * @example
 * ```ts
 * if (isIdempotencyConflictError(error)) resetForm()
 * ```
 */
export function isIdempotencyConflictError(error: unknown): error is IdempotencyConflictError {
  return isBookingGuardError(error, 'IDEMPOTENCY_CONFLICT')
}

/** Options of {@link SlotTakenError}. */
export interface SlotTakenErrorOptions extends BookingGuardErrorOptions {
  /** The provider whose slot is taken. */
  providerId: string
  /** The slot's start, ISO 8601. */
  scheduledAt: string
  /** The slot key the unique index refused. */
  slotKey: string
  /** The booking that was not created. */
  bookingId: string
  /** `true` when everything the call wrote was removed again. */
  compensated: boolean
}

/**
 * Thrown when a scheduled booking asks for a slot another booking of the same provider already
 * holds (the slot lock's unique index refused it, so two racing calls cannot both win). Nothing
 * of the refused booking is kept when `compensated` is `true`. Code `SLOT_TAKEN`.
 *
 * @example
 * ```ts
 * try {
 *   await guard.createBooking(input)
 * } catch (error) {
 *   if (isSlotTakenError(error)) showOtherSlots(error.providerId, error.scheduledAt)
 *   else throw error
 * }
 * ```
 */
export class SlotTakenError extends BookingGuardError {
  /** Always `'SLOT_TAKEN'`. */
  declare readonly code: 'SLOT_TAKEN'
  readonly providerId: string
  readonly scheduledAt: string
  readonly slotKey: string
  readonly bookingId: string
  readonly compensated: boolean

  constructor(options: SlotTakenErrorOptions) {
    super(
      'SLOT_TAKEN',
      `provider \`${options.providerId}\` is already booked at ${options.scheduledAt}; booking \`${options.bookingId}\` was not created${options.compensated ? '' : ' (its partial writes are left for `guard.reconcile()`)'}: offer another slot`,
      options,
    )
    this.name = 'SlotTakenError'
    this.providerId = options.providerId
    this.scheduledAt = options.scheduledAt
    this.slotKey = options.slotKey
    this.bookingId = options.bookingId
    this.compensated = options.compensated
  }
}

/**
 * Whether `error` is a {@link SlotTakenError} (by brand and code).
 *
 * @example
 * ```ts
 * if (isSlotTakenError(error)) toast('That time was just taken')
 * ```
 */
export function isSlotTakenError(error: unknown): error is SlotTakenError {
  return isBookingGuardError(error, 'SLOT_TAKEN')
}

/**
 * Why a booking, room or message operation was refused before anything was written:
 * `notFound` (no such booking or room, or this caller may not read it), `forbidden` (the actor is
 * not the booking's provider or customer), `invalidState` (e.g. accepting a booking that is no
 * longer awaiting a response), `roomClosed` (the chat room is closed or expired).
 */
export type BookingStateReason = 'notFound' | 'forbidden' | 'invalidState' | 'roomClosed'

/** Options of {@link BookingStateError}. */
export interface BookingStateErrorOptions extends BookingGuardErrorOptions {
  /** Why it was refused. */
  reason: BookingStateReason
  /** The booking (or chat room) concerned. */
  bookingId: string
}

/**
 * Thrown when a lifecycle or chat operation is not allowed: wrong actor, wrong state, missing
 * booking, closed room. Nothing was written. Code `BOOKING_STATE`.
 *
 * @example
 * ```ts
 * try {
 *   await guard.respondToBooking(bookingId, { providerId, response: 'accept' })
 * } catch (error) {
 *   if (isBookingStateError(error) && error.reason === 'invalidState') refresh()
 *   else throw error
 * }
 * ```
 */
export class BookingStateError extends BookingGuardError {
  /** Always `'BOOKING_STATE'`. */
  declare readonly code: 'BOOKING_STATE'
  readonly reason: BookingStateReason
  readonly bookingId: string

  constructor(message: string, options: BookingStateErrorOptions) {
    super('BOOKING_STATE', message, options)
    this.name = 'BookingStateError'
    this.reason = options.reason
    this.bookingId = options.bookingId
  }
}

/**
 * Whether `error` is a {@link BookingStateError} (by brand and code).
 *
 * @example
 * ```ts
 * if (isBookingStateError(error)) showMessage(error.message)
 * ```
 */
export function isBookingStateError(error: unknown): error is BookingStateError {
  return isBookingGuardError(error, 'BOOKING_STATE')
}
