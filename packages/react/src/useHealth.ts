'use client'
import { createHealthObserver } from '@booking-guard/core/observers'
import type { HealthObserver, HealthSnapshot } from '@booking-guard/core/observers'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useHealth}. */
export interface UseHealthOptions {
  /**
   * Runs the guard's health check now and every `intervalMs` while the component is mounted (the
   * guard keeps one schedule; mount one scheduling `useHealth` per guard). Defaults to none:
   * checks run on `check()` only.
   */
  intervalMs?: number
}

/** What {@link useHealth} returns: the last result plus `check`. */
export interface UseHealthResult extends HealthSnapshot {
  /** Runs a health check now; resolves with its result (rejects only for a guard without `realtime`). */
  check: HealthObserver['check']
}

/**
 * The last result of the guard's synthetic health check (a booking through the whole pipeline,
 * verified and cleaned up): `last`, `ok`, `checking`, and `check()` to run one. Needs
 * {@link BookingGuardProvider} and a guard with `realtime`.
 *
 * @example
 * ```tsx
 * function HealthBadge() {
 *   const { ok, last, checking, check } = useHealth({ intervalMs: 60_000 })
 *   return (
 *     <button onClick={() => void check()} disabled={checking}>
 *       {ok === null ? 'Not checked' : ok ? 'Healthy' : `Failing at ${last?.failedStep}`}
 *     </button>
 *   )
 * }
 * ```
 */
export function useHealth(options: UseHealthOptions = {}): UseHealthResult {
  const { guard } = useGuardContext('useHealth')
  const observer = useObserver(
    () => createHealthObserver({ ...options, guard }),
    [guard, options.intervalMs],
  )
  return { ...useSnapshot(observer), check: observer.check }
}
