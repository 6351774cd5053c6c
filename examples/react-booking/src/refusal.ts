import { describeBookingError, isBookingGuardError, isBookingStateError } from '@booking-guard/core'

/**
 * What to tell the user about a failed write. Refusals carry their own reason, which "please try
 * again" would hide, since retrying cannot help: the booking Function's (`forbidden`: not your
 * booking, not your room, not you; `UNAUTHENTICATED`) and Appwrite's own 400 / 401 / 403 (a
 * request it would not run). Anything else gets `describeBookingError`'s sentence, or `fallback`.
 */
export function explainWriteError(error: unknown, fallback?: string): string {
  if (isBookingStateError(error) && error.reason === 'forbidden') {
    return `Not allowed: ${error.message}.`
  }
  if (isBookingGuardError(error) && error.code === 'UNAUTHENTICATED') {
    return `Not allowed: ${error.message}.`
  }
  const code = (error as { code?: unknown } | null)?.code
  if (
    !isBookingGuardError(error) &&
    error instanceof Error &&
    (code === 400 || code === 401 || code === 403)
  ) {
    return `Appwrite refused the request: ${error.message}`
  }
  return fallback ?? describeBookingError(error).message
}
