import { systemClock } from '../../../core/src/clock'
import type { Clock, TimerHandle } from '../../../core/src/clock'

/** An opaque timer handle, whatever the clock's `setTimeout` returns. */
export type FakeTimerHandle = TimerHandle

/**
 * The fake's source of time: timestamps (`$createdAt`, `$updatedAt`, transaction expiry) and
 * timers (latency, delayed realtime events). It is `@booking-guard/core`'s `Clock` (from a leaf
 * module of core built into this package's bundle), so one clock object drives both.
 */
export type FakeClock = Clock

/**
 * Reads `Date.now()` and the global timers on every call, so `vi.useFakeTimers()` installed
 * after the fake was created still takes effect (core's `systemClock`).
 */
export const systemFakeClock: FakeClock = systemClock

/**
 * A clock you advance by hand, independent of the global timers: `advance(ms)` runs every timer
 * that falls due, in order, awaiting microtasks between them so promise chains settle.
 *
 * @example
 * ```ts
 * const clock = createManualClock({ now: Date.parse('2026-01-01T00:00:00Z') })
 * const fake = createFakeAppwrite({ clock })
 * await clock.advance(5_000)
 * ```
 */
export interface ManualClock extends FakeClock {
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): Promise<void>
  /** Sets the current time (never backwards) firing due timers in order. */
  setTime(epochMs: number): Promise<void>
  /** Number of timers still pending. */
  pendingTimers(): number
}

/** Options for {@link createManualClock}. */
export interface ManualClockOptions {
  /** Start time in epoch milliseconds. Defaults to `Date.parse('2026-01-01T00:00:00.000Z')`. */
  now?: number
}

/** Creates a {@link ManualClock}. */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let current = options.now ?? Date.parse('2026-01-01T00:00:00.000Z')
  let nextId = 1
  const timers = new Map<number, { at: number; seq: number; fn: () => void }>()

  const flushMicrotasks = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve()
  }

  const runUntil = async (target: number) => {
    for (;;) {
      let due: [number, { at: number; seq: number; fn: () => void }] | undefined
      for (const entry of timers) {
        if (entry[1].at > target) continue
        if (
          !due ||
          entry[1].at < due[1].at ||
          (entry[1].at === due[1].at && entry[1].seq < due[1].seq)
        )
          due = entry
      }
      if (!due) break
      timers.delete(due[0])
      current = Math.max(current, due[1].at)
      due[1].fn()
      await flushMicrotasks()
    }
    current = Math.max(current, target)
    await flushMicrotasks()
  }

  return {
    now: () => current,
    setTimeout(fn, ms) {
      const id = nextId++
      timers.set(id, { at: current + Math.max(0, ms), seq: id, fn })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance: (ms) => runUntil(current + ms),
    setTime: (epochMs) => runUntil(Math.max(current, epochMs)),
    pendingTimers: () => timers.size,
  }
}

/**
 * `work`, or a rejection with `timedOut()` if it is still running once `ms` have passed on
 * `clock` (the timer is cleared as soon as `work` settles). A rejection that is not an `Error`
 * becomes one.
 *
 * @internal
 */
export function withClockTimeout<T>(
  clock: FakeClock,
  work: Promise<T>,
  ms: number,
  timedOut: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(timedOut()), ms)
    work.then(
      (value) => {
        clock.clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clock.clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}
