'use client'
import { useContext } from 'react'
import type { BookingGuardLike } from '@booking-guard/core'
import { BookingGuardContext } from './BookingGuardProvider'
import type { BookingGuardContextValue } from './BookingGuardProvider'

/** The provider's context, or a clear error naming the hook and the provider. @internal */
export function useGuardContext(hook: string): BookingGuardContextValue {
  const value = useContext(BookingGuardContext)
  if (value === null) {
    throw new Error(`${hook} must be used inside <BookingGuardProvider guard={guard}>`)
  }
  return value
}

/**
 * The guard (or booking client) given to the nearest {@link BookingGuardProvider}, for calls no
 * hook covers (`respondToBooking`, `cancelBooking`, …). Throws when there is no provider. Name
 * the type you gave the provider (`useBookingGuard<BookingClient>()`) to reach its other members.
 *
 * @example
 * ```tsx
 * function AcceptButton({ bookingId }: { bookingId: string }) {
 *   const guard = useBookingGuard()
 *   return (
 *     <button onClick={() => guard.respondToBooking(bookingId, { providerId, response: 'accept' })}>
 *       Accept
 *     </button>
 *   )
 * }
 * ```
 */
export function useBookingGuard<G extends BookingGuardLike = BookingGuardLike>(): G {
  return useGuardContext('useBookingGuard').guard as G
}
