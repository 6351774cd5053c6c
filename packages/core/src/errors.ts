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
