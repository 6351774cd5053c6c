'use client'
import { createContext, createElement, useMemo } from 'react'
import type { ReactElement, ReactNode } from 'react'
import type { BookingGuardLike, Clock, ErrorMonitor, Watchdog } from '@booking-guard/core'

/** What {@link BookingGuardProvider} puts in context. @internal */
export interface BookingGuardContextValue {
  readonly guard: BookingGuardLike
  readonly clock: Clock | undefined
  readonly monitor: ErrorMonitor | undefined
  /** The watchdog `useConnectionState` follows, made on first use. */
  readonly watchdog: () => Watchdog
}

/** @internal */
export const BookingGuardContext = createContext<BookingGuardContextValue | null>(null)

/** Props of {@link BookingGuardProvider}. */
export interface BookingGuardProviderProps {
  /**
   * What every hook below uses: in the browser a `createBookingClient({ tablesDB, realtime,
   * databaseId, functions, functionId })` (writes go through your booking server), or a
   * `createBookingGuard` holding an API key (a server, a test).
   */
  guard: BookingGuardLike
  /**
   * The clock given to `createBookingGuard`, for the hooks' own waits (retries between submit
   * attempts, the connection grace period, error rate refreshes). Defaults to the system clock.
   */
  clock?: Clock
  /** The error monitor given to `createBookingGuard`, for `useErrorMonitor`. Defaults to none. */
  monitor?: ErrorMonitor
  /**
   * The watchdog `useConnectionState` follows. Defaults to the guard's own (`guard.watchdog()`, the
   * one its feeds rely on, so the banner says what the feeds see and no second canary is written),
   * or, for a guard created with `watchdog: false`, `guard.createWatchdog()` made on first use.
   */
  watchdog?: Watchdog
  children?: ReactNode
}

/**
 * Makes a booking guard available to the hooks below it, as react-query's
 * `QueryClientProvider` does with its client. Rendering it starts nothing: each hook starts what
 * it needs when it mounts and stops it when it unmounts.
 *
 * @example
 * ```tsx
 * const monitor = createErrorMonitor()
 * const guard = createBookingClient({
 *   tablesDB: new TablesDB(client),
 *   realtime: new Realtime(client),
 *   databaseId: 'main',
 *   functions: new Functions(client),
 *   functionId: 'booking',
 *   monitor,
 * })
 *
 * export function App() {
 *   return (
 *     <BookingGuardProvider guard={guard} monitor={monitor}>
 *       <ChatProvider user={{ id: user.$id, type: 'customer', name: user.name }}>
 *         <Routes />
 *       </ChatProvider>
 *     </BookingGuardProvider>
 *   )
 * }
 * ```
 */
export function BookingGuardProvider({
  guard,
  clock,
  monitor,
  watchdog,
  children,
}: BookingGuardProviderProps): ReactElement {
  const value = useMemo<BookingGuardContextValue>(() => {
    let made = watchdog
    return {
      guard,
      clock,
      monitor,
      watchdog: () => (made ??= guard.watchdog() ?? guard.createWatchdog()),
    }
  }, [guard, clock, monitor, watchdog])
  return createElement(BookingGuardContext.Provider, { value }, children)
}
