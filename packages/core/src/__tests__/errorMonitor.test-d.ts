import { describe, expectTypeOf, it } from 'vitest'
import type {
  CaptureOptions,
  CapturedError,
  ErrorCategory,
  ErrorSeverity,
  MetricsSnapshot,
  MonitorAlert,
  MonitorAlertInput,
} from '../index'
import type { ErrorClassification } from '../resilience/index'
import { createErrorMonitor, createMetrics } from '../index'
import { classifyAppwriteError } from '../resilience/index'

describe('errorMonitor', () => {
  it('should discriminate alerts on type', () => {
    createErrorMonitor().onAlert((alert: MonitorAlert) => {
      if (alert.type === 'critical') expectTypeOf(alert.entry).toEqualTypeOf<CapturedError>()
      else if (alert.type === 'rate') expectTypeOf(alert.ratePerMinute).toEqualTypeOf<number>()
      else expectTypeOf(alert.metric).toEqualTypeOf<string>()
    })
  })

  it('should only accept known categories and severities', () => {
    expectTypeOf<CaptureOptions['category']>().toEqualTypeOf<ErrorCategory | undefined>()
    expectTypeOf<CaptureOptions['severity']>().toEqualTypeOf<ErrorSeverity | undefined>()
    const monitor = createErrorMonitor()
    monitor.capture(new Error('x'), { category: 'chat', severity: 'warning' })
    // @ts-expect-error not a category
    monitor.capture(new Error('x'), { category: 'payments' })
    // @ts-expect-error not a severity
    monitor.capture(new Error('x'), { severity: 'fatal' })
  })

  it('should let metrics raise alerts without a timestamp', () => {
    expectTypeOf(createErrorMonitor().alert).parameter(0).toEqualTypeOf<MonitorAlertInput>()
    createErrorMonitor().alert({
      type: 'metric',
      metric: 'm',
      value: 1,
      threshold: 1,
      samples: 1,
      unit: '1',
      message: 'm',
    })
  })

  it('should type snapshots and classifications as readonly', () => {
    const snapshot = createMetrics().snapshot()
    expectTypeOf(snapshot).toEqualTypeOf<MetricsSnapshot>()
    expectTypeOf(snapshot.rates.chatRoomCreation.value).toEqualTypeOf<number | undefined>()
    // @ts-expect-error snapshots are immutable
    snapshot.takenAt = 1
    const verdict = classifyAppwriteError(new Error('x'))
    expectTypeOf(verdict).toEqualTypeOf<ErrorClassification>()
    // @ts-expect-error classifications are immutable
    verdict.retryable = true
  })
})
