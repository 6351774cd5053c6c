import { BookingGuardError, isBookingGuardError } from '../errors'
import { errorFacts } from './classifyError'

/**
 * A failure retries could not get past (no connection, a 5xx, a 429) as the typed
 * `RETRY_BUDGET_EXCEEDED`, the failure as its `cause` (whose category `describeBookingError` goes
 * by), with the message `describe` writes around the failure's own; booking-guard's own errors and
 * failures not worth retrying pass through as they came. The booking client and the booking
 * server both report what they gave up on through it.
 *
 * @internal
 */
export function retriesSpent(error: unknown, describe: (message: string) => string): unknown {
  if (isBookingGuardError(error) || !errorFacts(error).retryable) return error
  const message = error instanceof Error ? error.message : String(error)
  return new BookingGuardError('RETRY_BUDGET_EXCEEDED', describe(message), { cause: error })
}
