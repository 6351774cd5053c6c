/** An opaque timer handle, whatever the platform's `setTimeout` returns. */
export type TimerHandle = unknown

/**
 * The source of time for everything in booking-guard that waits or timestamps. Inject one to
 * drive time by hand in tests (like XState's `createActor(logic, { clock })`); the default
 * reads `Date.now` and the global timers at call time, so `vi.useFakeTimers()` also works.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Runs `fn` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer made by {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void
}

/**
 * The default clock: `Date.now()` and the global `setTimeout` / `clearTimeout`, looked up on
 * every call so test doubles installed later (fake timers) take effect.
 *
 * @example
 * ```ts
 * const guard = createBookingGuard({ tablesDB, databaseId: 'main', clock: systemClock })
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Resolves after `ms` on `clock`; rejects with `signal`'s reason as soon as it aborts (at once
 * when it already has), and then clears the timer.
 *
 * @internal
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clock.clearTimeout(handle)
      reject(signal?.reason)
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
