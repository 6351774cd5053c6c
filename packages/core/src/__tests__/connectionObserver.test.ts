import { createManualClock } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createConnectionObserver } from '../observers/index'
import type { WatchdogState } from '../index'
import type { WatchdogSnapshot } from '../realtime/index'

/** A watchdog whose state the test sets, counting its listeners. */
function stubWatchdog(initial: WatchdogState = 'connecting') {
  const listeners = new Set<() => void>()
  let snapshot = { state: initial } as WatchdogSnapshot
  return {
    getSnapshot: () => snapshot,
    subscribe: (listener: () => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(state: WatchdogState) {
      snapshot = { state } as WatchdogSnapshot
      for (const listener of listeners) listener()
    },
    get listeners() {
      return listeners.size
    },
  }
}

function setup(initial?: WatchdogState) {
  const clock = createManualClock()
  const watchdog = stubWatchdog(initial)
  const observer = createConnectionObserver({ watchdog, clock, graceMs: 3_000 })
  const seen: string[] = []
  return {
    clock,
    watchdog,
    observer,
    seen,
    start: () =>
      observer.subscribe(() => {
        seen.push(observer.getSnapshot().state)
      }),
  }
}

describe('connectionObserver', () => {
  it('should start and stop the watchdog with its own listeners', () => {
    const { watchdog, start } = setup()
    expect(watchdog.listeners).toBe(0)
    const stop = start()
    expect(watchdog.listeners).toBe(1)
    stop()
    expect(watchdog.listeners).toBe(0)
  })

  it('should stay online through trouble shorter than the grace period', async () => {
    const { clock, watchdog, observer, start, seen } = setup('healthy')
    start()
    watchdog.set('degraded')
    await clock.advance(2_999)
    expect(observer.getSnapshot()).toEqual({ state: 'online', watchdog: 'degraded' })
    watchdog.set('healthy')
    await clock.advance(10_000)
    expect(observer.getSnapshot().state).toBe('online')
    expect(seen).not.toContain('reconnecting')
  })

  it('should show reconnecting once trouble outlasts the grace period, then offline at once when dead', async () => {
    const { clock, watchdog, observer, start } = setup('healthy')
    start()
    watchdog.set('degraded')
    await clock.advance(3_000)
    expect(observer.getSnapshot().state).toBe('reconnecting')
    watchdog.set('dead')
    expect(observer.getSnapshot()).toEqual({ state: 'offline', watchdog: 'dead' })
    watchdog.set('healthy')
    expect(observer.getSnapshot()).toEqual({ state: 'online', watchdog: 'healthy' })
  })

  it('should treat a first canary slower than the grace period as reconnecting', async () => {
    const { clock, observer, start } = setup('connecting')
    expect(observer.getServerSnapshot().state).toBe('online')
    start()
    await clock.advance(3_000)
    expect(observer.getSnapshot()).toEqual({ state: 'reconnecting', watchdog: 'connecting' })
  })

  it('should drop its grace timer when stopped', async () => {
    const { clock, watchdog, observer, start } = setup('healthy')
    const stop = start()
    watchdog.set('dead')
    stop()
    expect(clock.pendingTimers()).toBe(0)
    await clock.advance(5_000)
    expect(observer.getSnapshot().state).toBe('online')
  })
})
