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
  | 'CONFIGURATION'

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
