'use client'
import { createProviderBookingsObserver } from '@booking-guard/core/observers'
import type { ProviderBookingsSnapshot } from '@booking-guard/core/observers'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useProviderBookings}. */
export interface UseProviderBookingsOptions {
  /** Bookings the first read loads, 1–100. Defaults to `25`. */
  limit?: number
  /** Whether each booking's chat room, system message and notification are checked. Defaults to `true`. */
  checkCommunication?: boolean
}

/** What {@link useProviderBookings} returns: the bookings snapshot plus `refresh`. */
export interface UseProviderBookingsResult extends ProviderBookingsSnapshot {
  /** Reads the bookings table again. */
  refresh: () => Promise<void>
}

/**
 * A provider's bookings for a dashboard. They are read from the bookings table first and on their
 * own, so they show even when chat or realtime is broken; new ones arrive in realtime (with
 * catch-up and polling when it is not). Each carries its communication status (chat room, system
 * message, notification: `ok`, `missing` or `failed`) and a `warning` when the provider may not
 * have been told; `connection` says how new bookings arrive. Needs {@link BookingGuardProvider}.
 *
 * @example
 * ```tsx
 * function Dashboard({ providerId }: { providerId: string }) {
 *   const { bookings, status, connection } = useProviderBookings(providerId)
 *   if (status === 'loading') return <p>Loading bookings…</p>
 *   return (
 *     <ul aria-label={`Bookings (${connection})`}>
 *       {bookings.map(({ booking, warning }) => (
 *         <li key={booking.$id}>
 *           {booking.customerName} {warning && <strong>Not delivered to chat</strong>}
 *         </li>
 *       ))}
 *     </ul>
 *   )
 * }
 * ```
 */
export function useProviderBookings(
  providerId: string,
  options: UseProviderBookingsOptions = {},
): UseProviderBookingsResult {
  const { guard } = useGuardContext('useProviderBookings')
  const observer = useObserver(
    () => createProviderBookingsObserver({ ...options, guard, providerId }),
    [guard, providerId],
  )
  return { ...useSnapshot(observer), refresh: observer.refresh }
}
