// What one createBooking call told its caller, as plain JSON (it crosses process boundaries).
import { isBookingGuardError } from '@booking-guard/core'
import type { BookingInput, CreateBookingResult, PipelineMode } from '@booking-guard/core'

/** What a call is in the scenario. */
export type CallKind = 'plain' | 'double' | 'contested' | 'fuzz' | 'worker' | 'retry'

/** One call to run: its idempotency key, the guard's mode and the input. */
export interface StressJob {
  readonly key: string
  readonly kind: CallKind
  readonly mode: PipelineMode
  readonly input: BookingInput
}

/** What the caller was told. */
export interface CallOutcome {
  readonly key: string
  readonly kind: CallKind
  readonly mode: PipelineMode
  /** `ok`, `ok (replayed)`, or the error's code with its outcome (`BOOKING_PIPELINE compensated`). */
  readonly outcome: string
  /** The booking the caller was told about (a result's, or a pipeline error's `bookingId`). */
  readonly bookingId: string | undefined
  readonly ok: boolean
  /** The caller was told that nothing was kept. */
  readonly compensated: boolean
  /** The error was not a booking-guard error (the guarantee promises typed errors only). */
  readonly untyped: boolean
  /** The error's message, for errors. */
  readonly message?: string
  /** How long the call took, in milliseconds. */
  readonly ms?: number
}

/** Describes the result or the error of one call. */
export function describeOutcome(
  job: Pick<StressJob, 'key' | 'kind' | 'mode'>,
  result: CreateBookingResult | undefined,
  error: unknown,
): CallOutcome {
  const base = { key: job.key, kind: job.kind, mode: job.mode }
  if (result !== undefined) {
    return {
      ...base,
      outcome: result.replayed ? 'ok (replayed)' : 'ok',
      bookingId: result.booking.$id,
      ok: true,
      compensated: false,
      untyped: false,
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  if (!isBookingGuardError(error)) {
    return {
      ...base,
      outcome: `untyped ${error instanceof Error ? error.name : typeof error}`,
      bookingId: undefined,
      ok: false,
      compensated: false,
      untyped: true,
      message,
    }
  }
  const details = error as Partial<{
    bookingId: string
    compensated: boolean
    pendingReconcile: boolean
  }>
  const pipeline = error.code === 'BOOKING_PIPELINE' || error.code === 'PIPELINE_TIMEOUT'
  const told = !pipeline
    ? ''
    : details.compensated === true
      ? ' compensated'
      : details.pendingReconcile === true
        ? ' pendingReconcile'
        : ' unknown'
  return {
    ...base,
    outcome: `${error.code}${told}`,
    bookingId: details.bookingId,
    ok: false,
    compensated: pipeline && details.compensated === true,
    untyped: false,
    message,
  }
}
