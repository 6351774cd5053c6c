import { describe, expect, it, vi } from 'vitest'
import type { MonitorAlert, MonitorLogger } from '../index'
import { createErrorMonitor } from '../index'
import { expectConfigurationError, networkError, START, useFakeTime } from './resilienceFixtures'

const appwrite = (code: number, type: string, message = type) =>
  Object.assign(new Error(message), { name: 'AppwriteException', code, type, response: '' })

describe('errorMonitor', () => {
  useFakeTime(START)

  describe('capture', () => {
    it('should store a plain-data entry with category, severity, operation and context', () => {
      const monitor = createErrorMonitor()
      const entry = monitor.capture(appwrite(404, 'table_not_found', 'Table not found'), {
        category: 'notification',
        severity: 'warning',
        operation: 'notifyProvider',
        context: { bookingId: 'b1' },
      })
      expect(entry).toMatchObject({
        id: 1,
        timestamp: START,
        category: 'notification',
        severity: 'warning',
        operation: 'notifyProvider',
        name: 'AppwriteException',
        message: 'Table not found',
        code: '404',
        type: 'table_not_found',
        context: { bookingId: 'b1' },
      })
      expect(entry?.stack).toContain('Table not found')
      expect(Object.isFrozen(entry)).toBe(true)
      expect(monitor.entries()).toEqual([entry])
    })

    it('should default the severity to error and infer the category', () => {
      const monitor = createErrorMonitor()
      expect(monitor.capture(networkError())?.category).toBe('network')
      expect(monitor.capture(appwrite(404, 'table_not_found'))?.category).toBe('schema')
      expect(monitor.capture(appwrite(400, 'row_invalid_structure'))?.category).toBe('schema')
      expect(monitor.capture(appwrite(500, 'general_server_error'))?.category).toBe('appwrite')
      expect(monitor.capture(appwrite(404, 'row_not_found'))?.category).toBe('appwrite')
      expect(monitor.capture(new Error('bug'))?.category).toBe('booking')
      expect(monitor.capture(new Error('bug'), { category: 'nope' as 'chat' })?.category).toBe(
        'booking',
      )
      expect(monitor.entries().every((e) => e.severity === 'error')).toBe(true)
    })

    it('should capture strings and odd values without throwing', () => {
      const monitor = createErrorMonitor()
      expect(monitor.capture('plain text')).toMatchObject({ name: 'string', message: 'plain text' })
      expect(monitor.capture({ detail: 1 })).toMatchObject({
        name: 'Object',
        message: '{"detail":1}',
      })
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      expect(monitor.capture(cyclic)).toMatchObject({ message: '[unserializable]' })
      expect(monitor.capture(null)).toMatchObject({ name: 'object', message: 'null' })
    })

    it('should leave stacks out with captureStack: false', () => {
      const monitor = createErrorMonitor({ captureStack: false })
      expect(monitor.capture(new Error('x'))?.stack).toBeUndefined()
    })

    it('should never throw into the caller, even when a listener or the logger throws', () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const logger: MonitorLogger = {
        error: () => {
          throw new Error('logger down')
        },
        warn: () => undefined,
        info: () => undefined,
      }
      const monitor = createErrorMonitor({ console: logger })
      monitor.onAlert(() => {
        throw new Error('pager down')
      })
      monitor.onCapture(() => {
        throw new Error('sentry down')
      })
      expect(() => monitor.capture(new Error('boom'), { severity: 'critical' })).not.toThrow()
      expect(monitor.snapshot().total).toBe(1)
      expect(consoleError).toHaveBeenCalledTimes(3)
    })
  })

  describe('options', () => {
    it.each([
      ['capacity', { capacity: 0 }],
      ['rateWindow', { rateWindow: -1 }],
      ['rateThreshold', { rateThreshold: 0 }],
    ] as const)('should reject an invalid %s with a CONFIGURATION error', (name, options) => {
      expectConfigurationError(() => createErrorMonitor(options), name)
    })
  })

  describe('ring buffer and counts', () => {
    it('should keep only the most recent `capacity` entries and count the dropped ones', () => {
      const monitor = createErrorMonitor({ capacity: 3 })
      for (let i = 1; i <= 5; i++)
        monitor.capture(new Error(`e${i}`), { category: 'chat', severity: 'info' })
      expect(monitor.entries().map((e) => e.message)).toEqual(['e3', 'e4', 'e5'])
      expect(monitor.snapshot()).toMatchObject({ total: 5, retained: 3, dropped: 2, capacity: 3 })
    })

    it('should count by category and severity', () => {
      const monitor = createErrorMonitor()
      monitor.capture(new Error('a'), { category: 'chat', severity: 'warning' })
      monitor.capture(new Error('b'), { category: 'chat', severity: 'error' })
      monitor.capture(new Error('c'), { category: 'realtime', severity: 'info' })
      const snapshot = monitor.snapshot()
      expect(snapshot.byCategory).toEqual({
        booking: 0,
        chat: 2,
        notification: 0,
        realtime: 1,
        schema: 0,
        appwrite: 0,
        network: 0,
      })
      expect(snapshot.bySeverity).toEqual({ critical: 0, error: 1, warning: 1, info: 1 })
    })

    it('should show a capture in the snapshot, rate included, to its own onCapture listener', () => {
      const monitor = createErrorMonitor()
      const seen: Array<{ total: number; ratePerMinute: number }> = []
      monitor.onCapture(() => {
        const { total, ratePerMinute } = monitor.snapshot()
        seen.push({ total, ratePerMinute })
      })
      monitor.capture(networkError(), { category: 'network', severity: 'error' })
      monitor.capture(networkError(), { category: 'network', severity: 'error' })

      expect(seen.map((s) => s.total)).toEqual([1, 2])
      expect(seen[0]!.ratePerMinute).toBeGreaterThan(0)
      expect(seen[1]!.ratePerMinute).toBeGreaterThan(seen[0]!.ratePerMinute)
      // The snapshot cached inside the listener is the one read afterwards, not a stale one.
      expect(monitor.snapshot().ratePerMinute).toBe(seen[1]!.ratePerMinute)
    })

    it('should return the same frozen snapshot until something changes', () => {
      const monitor = createErrorMonitor()
      const first = monitor.snapshot()
      expect(monitor.snapshot()).toBe(first)
      expect(Object.isFrozen(first)).toBe(true)
      expect(Object.isFrozen(first.byCategory)).toBe(true)
      monitor.capture(new Error('x'))
      const second = monitor.snapshot()
      expect(second).not.toBe(first)
      expect(second.total).toBe(1)
    })

    it('should forget everything on clear()', () => {
      const monitor = createErrorMonitor()
      monitor.capture(new Error('x'), { severity: 'critical' })
      monitor.clear()
      expect(monitor.entries()).toEqual([])
      expect(monitor.snapshot()).toMatchObject({ total: 0, ratePerMinute: 0, alerts: 0 })
    })
  })

  describe('rate and alerts', () => {
    it('should compute errors per minute over a sliding window, ignoring warnings and info', async () => {
      const monitor = createErrorMonitor()
      for (let i = 0; i < 4; i++) monitor.capture(new Error('e'), { severity: 'error' })
      monitor.capture(new Error('w'), { severity: 'warning' })
      expect(monitor.snapshot().ratePerMinute).toBe(4)
      await vi.advanceTimersByTimeAsync(30_000)
      monitor.capture(new Error('e'))
      expect(monitor.snapshot().ratePerMinute).toBe(5)
      await vi.advanceTimersByTimeAsync(30_000)
      expect(monitor.snapshot().ratePerMinute).toBe(1)
      await vi.advanceTimersByTimeAsync(30_000)
      expect(monitor.snapshot().ratePerMinute).toBe(0)
    })

    it('should alert once when the rate reaches the default 10/min and re-arm after it falls', async () => {
      const monitor = createErrorMonitor()
      const alerts: MonitorAlert[] = []
      monitor.onAlert((alert) => alerts.push(alert))
      for (let i = 0; i < 9; i++) monitor.capture(new Error('e'))
      expect(alerts).toEqual([])
      monitor.capture(new Error('e'))
      expect(alerts).toEqual([
        {
          type: 'rate',
          ratePerMinute: 10,
          threshold: 10,
          windowMs: 60_000,
          timestamp: START,
          message: 'error rate 10/min reached the alert threshold of 10/min',
        },
      ])
      monitor.capture(new Error('e'))
      expect(alerts).toHaveLength(1)
      expect(monitor.snapshot().rateAlerting).toBe(true)
      await vi.advanceTimersByTimeAsync(61_000)
      monitor.capture(new Error('e'))
      expect(monitor.snapshot().rateAlerting).toBe(false)
      for (let i = 0; i < 9; i++) monitor.capture(new Error('e'))
      expect(alerts).toHaveLength(2)
    })

    it('should use a configured threshold and window', () => {
      const monitor = createErrorMonitor({ rateThreshold: 2, rateWindow: 30_000 })
      const alerts: MonitorAlert[] = []
      monitor.onAlert((alert) => alerts.push(alert))
      monitor.capture(new Error('e'))
      expect(monitor.snapshot().ratePerMinute).toBe(2)
      expect(alerts).toMatchObject([{ type: 'rate', ratePerMinute: 2, windowMs: 30_000 }])
    })

    it('should alert on every critical capture', () => {
      const monitor = createErrorMonitor()
      const alerts: MonitorAlert[] = []
      monitor.onAlert((alert) => alerts.push(alert))
      const entry = monitor.capture(new Error('booking lost'), {
        category: 'booking',
        severity: 'critical',
        operation: 'createBooking',
      })
      expect(alerts).toEqual([
        {
          type: 'critical',
          entry,
          timestamp: START,
          message: 'critical booking error in createBooking: booking lost',
        },
      ])
      expect(monitor.snapshot().alerts).toBe(1)
    })

    it('should forward alerts raised with alert() and stop after unsubscribe', () => {
      const monitor = createErrorMonitor()
      const listener = vi.fn()
      const stop = monitor.onAlert(listener)
      const alert = {
        type: 'metric',
        metric: 'm',
        value: 0.5,
        threshold: 0.9,
        samples: 20,
        unit: '1',
        message: 'low',
      } as const
      monitor.alert(alert)
      expect(listener).toHaveBeenCalledWith(
        expect.objectContaining({ type: 'metric', timestamp: START }),
      )
      stop()
      monitor.alert(alert)
      expect(listener).toHaveBeenCalledTimes(1)
    })

    it('should forward every capture to onCapture', () => {
      const monitor = createErrorMonitor()
      const listener = vi.fn()
      monitor.onCapture(listener)
      const entry = monitor.capture(new Error('x'), { severity: 'info' })
      expect(listener).toHaveBeenCalledWith(entry)
    })
  })

  describe('console', () => {
    it('should stay silent by default', () => {
      const spies = [
        vi.spyOn(console, 'error').mockImplementation(() => undefined),
        vi.spyOn(console, 'warn').mockImplementation(() => undefined),
        vi.spyOn(console, 'info').mockImplementation(() => undefined),
      ]
      createErrorMonitor().capture(new Error('x'), { severity: 'critical' })
      for (const spy of spies) expect(spy).not.toHaveBeenCalled()
    })

    it('should log structured entries by severity when enabled', () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      const info = vi.spyOn(console, 'info').mockImplementation(() => undefined)
      const monitor = createErrorMonitor({ console: true })
      const e = monitor.capture(new Error('down'), { category: 'chat', operation: 'sendMessage' })
      monitor.capture(new Error('slow'), { category: 'realtime', severity: 'warning' })
      monitor.capture(new Error('fyi'), { category: 'booking', severity: 'info' })
      expect(error).toHaveBeenCalledWith('[booking-guard] error chat/sendMessage: down', e)
      expect(warn).toHaveBeenCalledWith(
        '[booking-guard] warning realtime: slow',
        expect.objectContaining({ message: 'slow' }),
      )
      expect(info).toHaveBeenCalledWith(
        '[booking-guard] info booking: fyi',
        expect.objectContaining({ message: 'fyi' }),
      )
    })
  })

  describe('export', () => {
    it('should export a JSON-safe snapshot with entries', () => {
      const monitor = createErrorMonitor()
      monitor.capture(new Error('x'), { category: 'chat', context: { roomId: 'r1' } })
      const exported = JSON.parse(JSON.stringify(monitor))
      expect(exported).toMatchObject({
        exportedAt: '2026-01-01T00:00:00.000Z',
        snapshot: { total: 1 },
        entries: [{ id: 1, category: 'chat', message: 'x', context: { roomId: 'r1' } }],
      })
    })

    it('should export CSV with RFC 4180 escaping and formula neutralisation', () => {
      const monitor = createErrorMonitor()
      monitor.capture(new Error('quote " comma , and\nnewline'), {
        category: 'booking',
        operation: 'createBooking',
        context: { note: 'a,b' },
      })
      monitor.capture(new Error('=HYPERLINK("http://evil")'), {
        category: 'chat',
        severity: 'warning',
      })
      monitor.capture(appwrite(404, 'row_not_found', ' padded '), {
        category: 'appwrite',
        severity: 'info',
      })
      const csv = monitor.toCSV()
      expect(csv.split('\r\n')[0]).toBe(
        'id,timestamp,time,severity,category,operation,name,code,type,message,context',
      )
      expect(csv).toBe(
        [
          'id,timestamp,time,severity,category,operation,name,code,type,message,context',
          `1,${START},2026-01-01T00:00:00.000Z,error,booking,createBooking,Error,,,"quote "" comma , and\nnewline","{""note"":""a,b""}"`,
          `2,${START},2026-01-01T00:00:00.000Z,warning,chat,,Error,,,"'=HYPERLINK(""http://evil"")",`,
          `3,${START},2026-01-01T00:00:00.000Z,info,appwrite,,AppwriteException,404,row_not_found," padded ",`,
          '',
        ].join('\r\n'),
      )
    })

    it('should export only the header when empty', () => {
      expect(createErrorMonitor().toCSV()).toBe(
        'id,timestamp,time,severity,category,operation,name,code,type,message,context\r\n',
      )
    })
  })
})
