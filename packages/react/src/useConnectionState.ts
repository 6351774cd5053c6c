'use client'
import { createConnectionObserver } from '@booking-guard/core/observers'
import type { ConnectionState } from '@booking-guard/core/observers'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useConnectionState}. */
export interface UseConnectionStateOptions {
  /** Milliseconds trouble must last before it is shown; recovery shows at once. Defaults to `3_000`. */
  graceMs?: number
}

/**
 * `online`, `reconnecting` or `offline`, from the provider's realtime watchdog (an end-to-end
 * canary, not the socket's word), with a grace period before trouble is shown. The watchdog runs
 * while a component uses this hook. Server rendering and hydration see `online`. Needs
 * {@link BookingGuardProvider} and a guard with `realtime`.
 *
 * @example
 * ```tsx
 * function ConnectionBanner() {
 *   const state = useConnectionState()
 *   if (state === 'online') return null
 *   return <p role="status">{state === 'offline' ? 'Offline: showing saved bookings' : 'Reconnecting…'}</p>
 * }
 * ```
 */
export function useConnectionState(options: UseConnectionStateOptions = {}): ConnectionState {
  const { watchdog, clock } = useGuardContext('useConnectionState')
  const observer = useObserver(
    () => createConnectionObserver({ ...options, watchdog: watchdog(), clock }),
    [watchdog, clock, options.graceMs],
  )
  return useSnapshot(observer).state
}
