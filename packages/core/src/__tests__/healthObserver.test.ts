import { describe, expect, it, vi } from 'vitest'
import { createHealthObserver } from '../observers/index'
import type { HealthCheckResult } from '../index'

const result = (ok: boolean): HealthCheckResult => ({
  ok,
  steps: [],
  failedStep: ok ? undefined : 'realtime',
  bookingId: 'hc1',
  startedAt: 0,
  durationMs: 12,
  ping: undefined,
})

function stubGuard() {
  let onResult: ((r: HealthCheckResult) => void) | undefined
  const stop = vi.fn()
  const guard = {
    runHealthCheck: vi.fn(() => Promise.resolve(result(false))),
    startHealthChecks: vi.fn((options: { onResult?: (r: HealthCheckResult) => void }) => {
      onResult = options.onResult
      return stop
    }),
  }
  return { guard, stop, emit: (r: HealthCheckResult) => onResult?.(r) }
}

describe('healthObserver', () => {
  it('should run a check on demand and keep its result', async () => {
    const { guard } = stubGuard()
    const health = createHealthObserver({ guard })
    health.subscribe(() => undefined)
    expect(guard.startHealthChecks).not.toHaveBeenCalled()
    const running = health.check()
    expect(health.getSnapshot().checking).toBe(true)
    await running
    expect(health.getSnapshot()).toEqual({ last: result(false), ok: false, checking: false })
  })

  it('should stop checking when the guard cannot run a check, passing on its error', async () => {
    const { guard } = stubGuard()
    guard.runHealthCheck.mockRejectedValueOnce(new Error('guard.runHealthCheck needs realtime'))
    const health = createHealthObserver({ guard })
    await expect(health.check()).rejects.toThrow('needs realtime')
    expect(health.getSnapshot()).toEqual({ last: null, ok: null, checking: false })
  })

  it('should follow a schedule while subscribed when given an interval', () => {
    const { guard, stop, emit } = stubGuard()
    const health = createHealthObserver({ guard, intervalMs: 60_000 })
    expect(health.getSnapshot().ok).toBeNull()
    const unsubscribe = health.subscribe(() => undefined)
    expect(guard.startHealthChecks).toHaveBeenCalledWith(
      expect.objectContaining({ intervalMs: 60_000 }),
    )
    emit(result(true))
    expect(health.getSnapshot()).toMatchObject({ ok: true, last: { bookingId: 'hc1' } })
    unsubscribe()
    expect(stop).toHaveBeenCalledTimes(1)
  })
})
