'use client'
import { useContext } from 'react'
import { createCustomerBookingsObserver } from '@booking-guard/core/observers'
import type { CustomerBookingsSnapshot } from '@booking-guard/core/observers'
import { ChatContext } from './ChatProvider'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useCustomerBookings}. */
export interface UseCustomerBookingsOptions {
  /** Bookings the first read loads, 1–100. Defaults to `25`. */
  limit?: number
}

/** What {@link useCustomerBookings} returns: the bookings snapshot plus `refresh`. */
export interface UseCustomerBookingsResult extends CustomerBookingsSnapshot {
  /** Reads the bookings table again. */
  refresh: () => Promise<void>
}

/**
 * The signed-in customer's own bookings, live: the newest page read from the bookings table
 * (under the user's permissions with a `createBookingClient`), then every new booking and every
 * status change (confirmed, declined, cancelled) in realtime, with catch-up after a reconnect and
 * polling while realtime is degraded; compensated bookings never show. `customerId` defaults to
 * the {@link ChatProvider}'s `user` when it is a customer. Needs {@link BookingGuardProvider}.
 *
 * @example
 * ```tsx
 * function MyBookings() {
 *   const { bookings, status } = useCustomerBookings() // the ChatProvider's customer
 *   if (status === 'loading') return <p>Loading your bookings…</p>
 *   return (
 *     <ul>
 *       {bookings.map((booking) => (
 *         <li key={booking.$id}>{booking.providerName}: {booking.status}</li>
 *       ))}
 *     </ul>
 *   )
 * }
 * ```
 */
export function useCustomerBookings(
  customerId?: string,
  options: UseCustomerBookingsOptions = {},
): UseCustomerBookingsResult {
  const { guard } = useGuardContext('useCustomerBookings')
  const user = useContext(ChatContext)?.user
  const id = customerId ?? (user?.type === 'customer' ? user.id : undefined)
  if (id === undefined) {
    throw new Error(
      'useCustomerBookings needs a customer: useCustomerBookings(customerId), or <ChatProvider user={{ id, type: "customer", name }}> around it',
    )
  }
  const observer = useObserver(
    () => createCustomerBookingsObserver({ ...options, guard, customerId: id }),
    [guard, id],
  )
  return { ...useSnapshot(observer), refresh: observer.refresh }
}
