'use client'
import { useEffect } from 'react'
import { createBookingSubmitObserver } from '@booking-guard/core/observers'
import type {
  BookingErrorMessages,
  CreateBookingResult,
  SchemaExtensions,
} from '@booking-guard/core'
import type { BookingSubmitObserver, BookingSubmitSnapshot } from '@booking-guard/core/observers'
import { useChatContext } from './ChatProvider'
import type { ChatProviderValue } from './ChatProvider'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useBookingSubmit}. */
export interface UseBookingSubmitOptions {
  /**
   * Attempts per submit for failures a retry can fix (no answer, 5xx, timeout), each with the same
   * idempotency key. Defaults to `3`.
   */
  maxAttempts?: number
  /** Milliseconds to wait after failed attempt `attempt`. Defaults to `1_000 × 2^(attempt − 1)`. */
  retryDelay?: (attempt: number) => number
  /** User-facing messages per error kind, e.g. translated. */
  messages?: Partial<BookingErrorMessages>
  /** Runs after the booking's chat was opened, e.g. to navigate. */
  onSuccess?: (result: CreateBookingResult) => void
}

/**
 * What {@link useBookingSubmit} returns: the submit snapshot plus its actions. `E` are the
 * extensions of the guard's schema lock, which type `submit`'s input.
 */
export interface UseBookingSubmitResult<
  E extends SchemaExtensions = Record<never, never>,
> extends BookingSubmitSnapshot {
  /** Creates the booking; resolves with the result or `undefined` (see `error`); never rejects. */
  submit: BookingSubmitObserver<E>['submit']
  /** Back to `idle` with a fresh idempotency key. */
  reset: () => void
}

const opener =
  (chat: ChatProviderValue, onSuccess: UseBookingSubmitOptions['onSuccess']) =>
  (result: CreateBookingResult) => {
    const { booking, chatRoom } = result
    chat.handleBookingSuccess({
      chatRoomId: chatRoom.$id,
      bookingId: booking.$id,
      providerId: booking.providerId,
      providerName: booking.providerName,
      source: booking.source,
    })
    onSuccess?.(result)
  }

/**
 * Submits a booking through the guard and follows it: `status` goes `submitting`, `retrying`
 * (with `attempt`) while a failure a retry can fix is retried with the same idempotency key, then
 * `success` or `error` with a `userMessage` per error kind (network, service unavailable or
 * circuit open, invalid data naming the fields in `fieldErrors`, slot taken). On success it opens
 * the booking's chat through the nearest {@link ChatProvider} before `status` says `success`,
 * even if the form unmounted meanwhile. Needs {@link BookingGuardProvider} and `ChatProvider`.
 * `error` is typed `BookingSubmitError` (from core). For a guard whose schema lock has extension
 * columns, name them so `submit` accepts them: `useBookingSubmit<typeof extensions>()`.
 *
 * @example
 * ```tsx
 * function BookButton({ input }: { input: CreateBookingInput }) {
 *   const { submit, status, attempt, maxAttempts, userMessage } = useBookingSubmit()
 *   return (
 *     <>
 *       <button disabled={status === 'submitting' || status === 'retrying'}
 *         onClick={() => void submit(input, { source: 'bookingButton' })}>
 *         {status === 'retrying' ? `Retrying (${attempt}/${maxAttempts})…` : 'Book now'}
 *       </button>
 *       {userMessage && <p role="alert">{userMessage}</p>}
 *     </>
 *   )
 * }
 * ```
 */
export function useBookingSubmit<E extends SchemaExtensions = Record<never, never>>(
  options: UseBookingSubmitOptions = {},
): UseBookingSubmitResult<E> {
  const { guard, clock } = useGuardContext('useBookingSubmit')
  const chat = useChatContext('useBookingSubmit')
  const observer = useObserver(
    () =>
      createBookingSubmitObserver({
        ...options,
        guard,
        clock,
        onSuccess: opener(chat, options.onSuccess),
      }),
    [guard, clock],
  )
  useEffect(() => {
    observer.setOptions({ ...options, onSuccess: opener(chat, options.onSuccess) })
  })
  // The provider holds the guard without its lock's type; `E` names it for `submit`'s input.
  const submit = observer.submit as BookingSubmitObserver<E>['submit']
  return { ...useSnapshot(observer), submit, reset: observer.reset }
}
