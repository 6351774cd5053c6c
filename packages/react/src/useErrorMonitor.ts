'use client'
import { createErrorMonitorObserver } from '@booking-guard/core/observers'
import type { ErrorMonitorView } from '@booking-guard/core/observers'
import { useGuardContext } from './useBookingGuard'
import { useObserver, useSnapshot } from './useObserver'

/** Options of {@link useErrorMonitor}. */
export interface UseErrorMonitorOptions {
  /** How many recent errors to show. Defaults to `20`. */
  recent?: number
  /** Milliseconds between re-reads of the error rate (it decays with time). Defaults to `5_000`. */
  refreshMs?: number
}

/** What {@link useErrorMonitor} returns: the monitor view plus `dismissAlert`. */
export interface UseErrorMonitorResult extends ErrorMonitorView {
  /** Clears the last alert. */
  dismissAlert: () => void
}

/**
 * The error monitor given to {@link BookingGuardProvider}: counts by category and severity
 * (`stats`), the `recent` errors (newest first), the `errorRate` per minute and the alert state
 * (`alert`, `alerting`). Needs `<BookingGuardProvider monitor={monitor}>`.
 *
 * @example
 * ```tsx
 * function ErrorPanel() {
 *   const { alerting, alert, errorRate, recent, dismissAlert } = useErrorMonitor({ recent: 5 })
 *   return (
 *     <section aria-label="Errors">
 *       {alerting && <p role="alert">{alert?.message ?? `${errorRate} errors/min`} <button onClick={dismissAlert}>Dismiss</button></p>}
 *       <ul>{recent.map((e) => <li key={e.id}>{e.category}: {e.message}</li>)}</ul>
 *     </section>
 *   )
 * }
 * ```
 */
export function useErrorMonitor(options: UseErrorMonitorOptions = {}): UseErrorMonitorResult {
  const { monitor, clock } = useGuardContext('useErrorMonitor')
  if (monitor === undefined) {
    throw new Error(
      'useErrorMonitor needs a monitor: <BookingGuardProvider guard={guard} monitor={monitor}>',
    )
  }
  const observer = useObserver(
    () => createErrorMonitorObserver({ ...options, monitor, clock }),
    [monitor, clock, options.recent, options.refreshMs],
  )
  return { ...useSnapshot(observer), dismissAlert: observer.dismissAlert }
}
