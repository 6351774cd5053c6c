import { createManualClock } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createErrorMonitor } from '../index'
import { createErrorMonitorObserver } from '../observers/index'

/** Lets the observer's deferred read run (it reads after the monitor finished counting). */
const flush = () => Promise.resolve().then(() => undefined)

function setup(recent = 2) {
  const clock = createManualClock()
  const monitor = createErrorMonitor({ clock, rateThreshold: 3, captureStack: false })
  const observer = createErrorMonitorObserver({ monitor, clock, recent, refreshMs: 10_000 })
  return { clock, monitor, observer }
}

describe('errorMonitorObserver', () => {
  it('should show counts and the most recent errors, newest first, once per burst', async () => {
    const { monitor, observer } = setup()
    let updates = 0
    observer.subscribe(() => updates++)
    updates = 0
    monitor.capture(new Error('one'), { category: 'chat', severity: 'warning' })
    monitor.capture(new Error('two'), { category: 'booking' })
    monitor.capture(new Error('three'), { category: 'booking' })
    await flush()
    expect(updates).toBe(1)
    const view = observer.getSnapshot()
    expect(view.recent.map((entry) => entry.message)).toEqual(['three', 'two'])
    expect(view.stats).toMatchObject({ total: 3, byCategory: { booking: 2, chat: 1 } })
    expect(view.errorRate).toBe(2)
    expect(view).toMatchObject({ alert: null, alerting: false })
  })

  it('should raise the alert state on a critical error until dismissed', async () => {
    const { monitor, observer } = setup()
    observer.subscribe(() => undefined)
    monitor.capture(new Error('chat room missing'), { severity: 'critical' })
    await flush()
    expect(observer.getSnapshot()).toMatchObject({ alerting: true, alert: { type: 'critical' } })
    observer.dismissAlert()
    expect(observer.getSnapshot()).toMatchObject({ alerting: false, alert: null })
  })

  it('should alert while the error rate is at its threshold, and let the rate fall with time', async () => {
    const { clock, monitor, observer } = setup()
    observer.subscribe(() => undefined)
    for (let i = 0; i < 3; i++) monitor.capture(new Error(`e${i}`))
    await flush()
    expect(observer.getSnapshot()).toMatchObject({ alerting: true, alert: { type: 'rate' } })
    observer.dismissAlert()
    expect(observer.getSnapshot()).toMatchObject({ alerting: true, errorRate: 3 })
    await clock.advance(70_000)
    expect(observer.getSnapshot().errorRate).toBe(0)
  })

  it('should stop listening and re-reading when its last listener leaves', async () => {
    const { clock, monitor, observer } = setup()
    observer.subscribe(() => undefined)()
    expect(clock.pendingTimers()).toBe(0)
    monitor.capture(new Error('unseen'))
    await flush()
    expect(observer.getSnapshot().stats.total).toBe(0)
  })
})
