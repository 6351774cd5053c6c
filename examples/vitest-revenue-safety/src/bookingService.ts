// A small app module, as an app team would write it: book a session through booking-guard and turn
// its typed errors into results the UI can show. Copy it, then adapt the result shape to your app.
import {
  createBookingGuard,
  isBookingGuardError,
  isIdempotencyConflictError,
  isSchemaLockError,
  isSlotTakenError,
} from '@booking-guard/core'
import type { BookingGuardOptions, CreateBookingInput, TablesDBLike } from '@booking-guard/core'

/** Why a booking was not made. */
export type BookingFailureReason = 'slot-taken' | 'invalid' | 'unavailable'

/** What `book` tells the UI. */
export type BookingResult =
  | { readonly ok: true; readonly bookingId: string; readonly chatRoomId: string }
  | {
      readonly ok: false
      readonly reason: BookingFailureReason
      /** `true` when trying again (with the same `requestId`) may succeed. */
      readonly retryable: boolean
      /** booking-guard's error code (`PIPELINE_TIMEOUT`, `SLOT_TAKEN`…), for logs and metrics. */
      readonly code: string
      readonly message: string
    }

/** Options of {@link createBookingService}. */
export interface BookingServiceOptions {
  /** `new TablesDB(client)` from node-appwrite with an API key, or `fake.tablesDB` in tests. */
  tablesDB: TablesDBLike
  /** The database holding the booking tables. */
  databaseId: string
  /** Anything else for the guard: `clock`, `timeoutMs`, `retry`, `pushSender`… */
  guard?: Omit<BookingGuardOptions, 'tablesDB' | 'databases' | 'databaseId'>
}

export interface BookingService {
  /**
   * Books a session. `requestId` identifies one submission of the booking form: a retry with the
   * same id never books twice. Never throws for an expected failure.
   */
  book(input: Readonly<Record<string, unknown>>, requestId?: string): Promise<BookingResult>
  dispose(): void
}

export function createBookingService(options: BookingServiceOptions): BookingService {
  const guard = createBookingGuard({
    mode: 'saga',
    ...options.guard,
    tablesDB: options.tablesDB,
    databaseId: options.databaseId,
  })

  return {
    async book(input, requestId) {
      try {
        // The guard validates the input at run time (schema lock); legacy names such as
        // `therapistId` are mapped to `providerId` there.
        const { booking, chatRoom } = await guard.createBooking(
          input as CreateBookingInput,
          requestId === undefined ? {} : { idempotencyKey: requestId },
        )
        return { ok: true, bookingId: booking.$id, chatRoomId: chatRoom.$id }
      } catch (error) {
        return toFailure(error)
      }
    },
    dispose: () => {
      guard.dispose()
    },
  }
}

function toFailure(error: unknown): BookingResult {
  if (!isBookingGuardError(error)) throw error
  const { code, message } = error
  if (isSlotTakenError(error)) {
    return { ok: false, reason: 'slot-taken', retryable: false, code, message }
  }
  if (isSchemaLockError(error) || isIdempotencyConflictError(error)) {
    return { ok: false, reason: 'invalid', retryable: false, code, message }
  }
  // Pipeline failures, time-outs and an open circuit: nothing half-made is kept (or the
  // reconciler finishes it), so the user may try again.
  return { ok: false, reason: 'unavailable', retryable: true, code, message }
}
