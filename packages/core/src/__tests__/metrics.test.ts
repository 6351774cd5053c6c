import { describe, expect, it, vi } from 'vitest'
import type { MetricAlert, MonitorAlert } from '../index'
import { createErrorMonitor, createMetrics } from '../index'
import { expectConfigurationError, START, useFakeTime } from './resilienceFixtures'

function withMonitor(options: Parameters<typeof createMetrics>[0] = {}) {
  const monitor = createErrorMonitor()
  const alerts: MonitorAlert[] = []
  monitor.onAlert((alert) => alerts.push(alert))
  const metrics = createMetrics({ monitor, ...options })
  return { metrics, alerts }
}

describe('metrics', () => {
  useFakeTime(START)

  describe('snapshot', () => {
    it('should start empty with OpenTelemetry names, units and the incident thresholds', () => {
      const snapshot = createMetrics().snapshot()
      expect(snapshot.takenAt).toBe(START)
      expect(snapshot.rates.chatRoomCreation).toEqual({
        name: 'booking_guard.chat_room.creation_rate',
        unit: '1',
        value: undefined,
        samples: 0,
        failures: 0,
        total: 0,
        totalFailures: 0,
        threshold: 0.95,
        minSamples: 20,
        breached: false,
      })
      expect(snapshot.rates.notificationDelivery).toMatchObject({
        name: 'booking_guard.notification.delivery_rate',
        threshold: 0.98,
      })
      expect(snapshot.rates.realtimeMatch).toMatchObject({
        name: 'booking_guard.realtime.match_rate',
        threshold: 0.95,
      })
      expect(snapshot.rates.healthCheckPass).toMatchObject({
        name: 'booking_guard.health_check.pass_rate',
        threshold: 1,
        minSamples: 3,
      })
      expect(snapshot.points.map((p) => `${p.name} ${p.unit} ${p.kind}`)).toEqual([
        'booking_guard.chat_room.creation_rate 1 ratio',
        'booking_guard.notification.delivery_rate 1 ratio',
        'booking_guard.realtime.match_rate 1 ratio',
        'booking_guard.health_check.pass_rate 1 ratio',
        'booking_guard.booking.attempts {booking} counter',
        'booking_guard.booking.completed {booking} counter',
        'booking_guard.booking.failed {booking} counter',
        'booking_guard.retry.count {retry} counter',
        'booking_guard.circuit_breaker.openings {opening} counter',
        'booking_guard.booking.at_risk {booking} gauge',
      ])
    })

    it('should count bookings, retries, breaker openings and bookings at risk', () => {
      const metrics = createMetrics()
      metrics.recordBooking(true)
      metrics.recordBooking(true)
      metrics.recordBooking(false)
      metrics.recordRetry()
      metrics.recordRetry()
      metrics.recordBreakerOpen()
      metrics.bookingAtRisk(+1)
      metrics.bookingAtRisk(+1)
      metrics.bookingAtRisk(-1)
      metrics.bookingAtRisk(Number.NaN)
      const { counters, gauges } = metrics.snapshot()
      expect(counters.bookingAttempts.value).toBe(3)
      expect(counters.bookingsCompleted.value).toBe(2)
      expect(counters.bookingsFailed.value).toBe(1)
      expect(counters.retries.value).toBe(2)
      expect(counters.breakerOpenings.value).toBe(1)
      expect(gauges.bookingsAtRisk).toEqual({
        name: 'booking_guard.booking.at_risk',
        unit: '{booking}',
        value: 1,
      })
    })

    it('should compute each rate from its own record function', () => {
      const metrics = createMetrics()
      metrics.recordChatRoom(true)
      metrics.recordChatRoom(false)
      metrics.recordNotification(true)
      metrics.recordRealtime(false)
      metrics.recordHealthCheck(true)
      const { rates } = metrics.snapshot()
      expect(rates.chatRoomCreation).toMatchObject({ value: 0.5, samples: 2, failures: 1 })
      expect(rates.notificationDelivery).toMatchObject({ value: 1, samples: 1 })
      expect(rates.realtimeMatch).toMatchObject({ value: 0, samples: 1 })
      expect(rates.healthCheckPass).toMatchObject({ value: 1, samples: 1 })
    })

    it('should return the same deeply frozen snapshot until something changes', () => {
      const metrics = createMetrics()
      const first = metrics.snapshot()
      expect(metrics.snapshot()).toBe(first)
      expect(Object.isFrozen(first)).toBe(true)
      expect(Object.isFrozen(first.rates.chatRoomCreation)).toBe(true)
      expect(Object.isFrozen(first.points)).toBe(true)
      metrics.recordRetry()
      expect(metrics.snapshot()).not.toBe(first)
    })

    it('should slide the window but keep totals since creation', async () => {
      const metrics = createMetrics({ window: 60_000 })
      metrics.recordChatRoom(false)
      await vi.advanceTimersByTimeAsync(30_000)
      metrics.recordChatRoom(true)
      expect(metrics.snapshot().rates.chatRoomCreation).toMatchObject({ value: 0.5, samples: 2 })
      await vi.advanceTimersByTimeAsync(30_000)
      expect(metrics.snapshot().rates.chatRoomCreation).toMatchObject({
        value: 1,
        samples: 1,
        total: 2,
        totalFailures: 1,
      })
    })
  })

  describe('options', () => {
    it.each([
      ['window', { window: 0 }],
      ['thresholds.chatRoomCreation', { thresholds: { chatRoomCreation: 95 } }],
      ['minSamples for realtimeMatch', { minSamples: { realtimeMatch: 0 } }],
    ] as const)('should reject an invalid %s with a CONFIGURATION error', (name, options) => {
      expectConfigurationError(() => createMetrics(options), name)
    })
  })

  describe('alerts', () => {
    it('should not alert before the minimum sample count, then alert once below threshold', () => {
      const { metrics, alerts } = withMonitor()
      metrics.recordChatRoom(false)
      for (let i = 0; i < 18; i++) metrics.recordChatRoom(true)
      expect(alerts).toEqual([])
      expect(metrics.snapshot().rates.chatRoomCreation.breached).toBe(false)
      metrics.recordChatRoom(false)
      expect(alerts).toEqual<MetricAlert[]>([
        {
          type: 'metric',
          metric: 'booking_guard.chat_room.creation_rate',
          value: 0.9,
          threshold: 0.95,
          samples: 20,
          unit: '1',
          timestamp: START,
          message: 'chat room creation rate 90% is below 95% (2 of 20 failed in the last 15 min)',
        },
      ])
      expect(metrics.snapshot().rates.chatRoomCreation.breached).toBe(true)
      metrics.recordChatRoom(false)
      expect(alerts).toHaveLength(1)
    })

    it('should re-arm once the rate recovers', () => {
      const { metrics, alerts } = withMonitor({
        minSamples: 1,
        thresholds: { notificationDelivery: 0.5 },
      })
      metrics.recordNotification(false)
      expect(alerts).toHaveLength(1)
      metrics.recordNotification(true)
      metrics.recordNotification(true)
      metrics.recordNotification(false)
      metrics.recordNotification(false)
      metrics.recordNotification(false)
      expect(alerts).toHaveLength(2)
    })

    it.each([
      ['recordNotification', 'booking_guard.notification.delivery_rate', 49, 1],
      ['recordRealtime', 'booking_guard.realtime.match_rate', 19, 1],
    ] as const)('should alert on %s below its threshold', (method, metric, ok, failed) => {
      const { metrics, alerts } = withMonitor()
      for (let i = 0; i < ok; i++) metrics[method](true)
      for (let i = 0; i < failed; i++) metrics[method](false)
      // notification: 49/50 = 98% is not below 98%; realtime: 19/20 = 95% is not below 95%.
      expect(alerts).toEqual([])
      metrics[method](false)
      expect(alerts).toMatchObject([{ type: 'metric', metric }])
    })

    it('should alert on any failed health check once 3 checks ran', () => {
      const { metrics, alerts } = withMonitor()
      metrics.recordHealthCheck(false)
      metrics.recordHealthCheck(true)
      expect(alerts).toEqual([])
      metrics.recordHealthCheck(true)
      expect(alerts).toMatchObject([
        {
          metric: 'booking_guard.health_check.pass_rate',
          value: 2 / 3,
          threshold: 1,
          message: 'health check pass rate 66.7% is below 100% (1 of 3 failed in the last 15 min)',
        },
      ])
    })

    it('should accept per-rate minimum samples', () => {
      const { metrics, alerts } = withMonitor({ minSamples: { realtimeMatch: 2 } })
      metrics.recordRealtime(false)
      expect(alerts).toEqual([])
      metrics.recordRealtime(false)
      expect(alerts).toHaveLength(1)
      expect(metrics.snapshot().rates.chatRoomCreation.minSamples).toBe(20)
    })

    it('should work without a monitor, showing breaches in the snapshot only', () => {
      const metrics = createMetrics({ minSamples: 1 })
      metrics.recordChatRoom(false)
      expect(metrics.snapshot().rates.chatRoomCreation.breached).toBe(true)
    })
  })
})
