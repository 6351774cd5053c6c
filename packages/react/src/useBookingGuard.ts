'use client'
import { useContext } from 'react'
import type { BookingGuard } from '@booking-guard/core'
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
 * The guard given to the nearest {@link BookingGuardProvider}, for calls no hook covers
 * (`respondToBooking`, `cancelBooking`, …). Throws when there is no provider.
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
export function useBookingGuard(): BookingGuard {
  return useGuardContext('useBookingGuard').guard
}
