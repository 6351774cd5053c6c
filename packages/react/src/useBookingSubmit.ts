'use client'
import { useEffect } from 'react'
import { createBookingSubmitObserver } from '@booking-guard/core/observers'
import type { SchemaExtensions } from '@booking-guard/core'
import type {
  BookingSubmitObserver,
  BookingSubmitObserverOptions,
  BookingSubmitSnapshot,
} from '@booking-guard/core/observers'
import { useChatContext } from './ChatProvider'
import type { ChatProviderValue } from './ChatProvider'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/**
 * Options of {@link useBookingSubmit}: the core observer's options (`maxAttempts`, `retryDelay`,
 * `messages`, `onSuccess`, `onError`, `onSettled`), whose callbacks run once per submit after
 * its final attempt. `onSuccess` runs after the booking's chat was opened, e.g. to navigate.
 */
export type UseBookingSubmitOptions<E extends SchemaExtensions = Record<never, never>> = Partial<
  Omit<BookingSubmitObserverOptions<E>, 'guard' | 'clock'>
>

/**
 * What {@link useBookingSubmit} returns: the submit snapshot (with TanStack's `isIdle`,
 * `isPending`, `isSuccess`, `isError`) plus its actions. `E` are the extensions of the guard's
 * schema lock, which type `submit`'s input.
 */
export interface UseBookingSubmitResult<
  E extends SchemaExtensions = Record<never, never>,
> extends BookingSubmitSnapshot {
  /** Creates the booking; resolves with the result or `undefined` (see `error`); never rejects. */
  submit: BookingSubmitObserver<E>['submit']
  /** Back to `idle` with a fresh idempotency key. */
  reset: () => void
  /** Aborts the submit under way and goes back to `idle`, keeping the idempotency key. */
  cancel: () => void
}

/** The app's options, with `onSuccess` opening the booking's chat first. */
function withChat<E extends SchemaExtensions>(
  chat: ChatProviderValue,
  options: UseBookingSubmitOptions<E>,
): UseBookingSubmitOptions<E> {
  return {
    ...options,
    onSuccess: (result, context) => {
      const { booking, chatRoom } = result
      chat.handleBookingSuccess({
        chatRoomId: chatRoom.$id,
        bookingId: booking.$id,
        providerId: booking.providerId,
        providerName: booking.providerName,
        source: booking.source,
      })
      options.onSuccess?.(result, context)
    },
  }
}

/**
 * Submits a booking through the guard and follows it: `status` goes `submitting`, `retrying`
 * (with `attempt`) while a failure a retry can fix is retried with the same idempotency key, then
 * `success` or `error` with a `userMessage` per error kind (network, service unavailable or
 * circuit open, invalid data naming the fields in `fieldErrors`, slot taken). On success it opens
 * the booking's chat through the nearest {@link ChatProvider} before `status` says `success`,
 * even if the form unmounted meanwhile. Needs {@link BookingGuardProvider} and `ChatProvider`.
 * `error` is typed `BookingSubmitError` (from core). At parity with TanStack's `useMutation`:
 * `isIdle` / `isPending` / `isSuccess` / `isError`, `onSuccess` / `onError` / `onSettled` called
 * once per submit after its final attempt with `(result, error, { input, idempotencyKey })` as
 * TanStack passes `(data, error, variables)`, `reset()`, and `cancel()`, which aborts the attempt
 * under way and goes back to `idle` (as TanStack's `cancelQueries` reverts a query) without
 * calling `onError`. For a guard whose schema lock has extension columns, name them so `submit`
 * accepts them: `useBookingSubmit<typeof extensions>()`.
 *
 * @example
 * ```tsx
 * function BookButton({ input }: { input: CreateBookingInput }) {
 *   const { submit, cancel, isPending, status, attempt, maxAttempts, userMessage } = useBookingSubmit({
 *     onError: (error) => report(error.code),
 *     onSuccess: ({ booking }) => navigate(`/bookings/${booking.$id}`),
 *   })
 *   return (
 *     <>
 *       <button disabled={isPending} onClick={() => void submit(input, { source: 'bookingButton' })}>
 *         {status === 'retrying' ? `Retrying (${attempt}/${maxAttempts})…` : 'Book now'}
 *       </button>
 *       {isPending && <button onClick={cancel}>Cancel</button>}
 *       {userMessage && <p role="alert">{userMessage}</p>}
 *     </>
 *   )
 * }
 * ```
 */
export function useBookingSubmit<E extends SchemaExtensions = Record<never, never>>(
  options: UseBookingSubmitOptions<E> = {},
): UseBookingSubmitResult<E> {
  const { guard, clock } = useGuardContext('useBookingSubmit')
  const chat = useChatContext('useBookingSubmit')
  const observer = useObserver(
    () =>
      createBookingSubmitObserver<E>({
        ...withChat(chat, options),
        // The provider holds the guard without its lock's type; `E` names it for `submit`'s input.
        guard: guard as unknown as BookingSubmitObserverOptions<E>['guard'],
        clock,
      }),
    [guard, clock],
  )
  useEffect(() => {
    observer.setOptions(withChat(chat, options))
  })
  const { submit, reset, cancel } = observer
  return { ...useSnapshot(observer), submit, reset, cancel }
}
