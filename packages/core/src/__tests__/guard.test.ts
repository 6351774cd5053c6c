import { describe, expect, it, vi } from 'vitest'
import { isBookingGuardError } from '../errors'
import { createErrorMonitor } from '../monitor/errorMonitor'
import { createMetrics } from '../monitor/metrics'
import type { PushSender } from '../pipeline/push'
import { createCircuitBreaker } from '../resilience/circuitBreaker'
import { createSchemaLock } from '../schema/schemaLock'
import { bookingInput, fulfilled, harness, rejected, settle } from './pipelineFixtures'

describe('guard', () => {
  describe('push', () => {
    it('should push after the commit and record the outcome on the notification', async () => {
      const sender = vi.fn<PushSender>(() => 'sent')
      const h = harness({ pushSender: sender })
      const { booking, notification } = fulfilled(
        await h.settle(h.guard.createBooking(bookingInput())),
      )
      expect(notification.pushStatus).toBe('pending')
      await settle(h.clock, h.guard.idle())
      expect(sender).toHaveBeenCalledTimes(1)
      expect(sender.mock.calls[0]![0]).toMatchObject({
        notificationId: booking.$id,
        bookingId: booking.$id,
        recipientId: 'prov1',
        recipientType: 'therapist',
        type: 'bookingReceived',
      })
      expect(h.rows('notifications')[0]).toMatchObject({
        pushStatus: 'sent',
        pushAttempts: 1,
        pushError: null,
      })
      expect(h.events.find((e) => e.type === 'pushDelivered')).toMatchObject({
        status: 'sent',
        attempts: 1,
      })
    })

    it('should never fail the booking when the push fails, but report it everywhere', async () => {
      const monitor = createErrorMonitor({ clock: harness().clock })
      const metrics = createMetrics()
      const sender = vi.fn<PushSender>(() => Promise.reject(new Error('FCM 503')))
      const h = harness({ pushSender: sender, monitor, metrics })
      const result = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(result.booking.pipelineStatus).toBe('delivered')
      await settle(h.clock, h.guard.idle())
      expect(sender).toHaveBeenCalledTimes(3)
      expect(h.rows('notifications')[0]).toMatchObject({
        pushStatus: 'failed',
        pushError: 'Error: FCM 503',
      })
      expect(h.events.find((e) => e.type === 'pushFailed')).toMatchObject({ attempts: 3 })
      expect(monitor.entries()).toEqual([
        expect.objectContaining({
          category: 'notification',
          severity: 'warning',
          operation: 'push',
        }),
      ])
      expect(metrics.snapshot().rates.notificationDelivery).toMatchObject({
        total: 1,
        totalFailures: 1,
      })
    })

    it('should record a skipped push, and a sender that throws synchronously as a failure', async () => {
      const skip = harness({ pushSender: () => 'skipped' })
      fulfilled(await skip.settle(skip.guard.createBooking(bookingInput())))
      await settle(skip.clock, skip.guard.idle())
      expect(skip.rows('notifications')[0]!.pushStatus).toBe('skipped')
      const sync = harness({
        pushSender: () => {
          throw new TypeError('no token')
        },
      })
      fulfilled(await sync.settle(sync.guard.createBooking(bookingInput())))
      await settle(sync.clock, sync.guard.idle())
      expect(sync.rows('notifications')[0]).toMatchObject({
        pushStatus: 'failed',
        pushError: 'TypeError: no token',
      })
    })

    it('should bound a push that never answers with pushTimeoutMs', async () => {
      const h = harness({
        pushSender: () => new Promise<void>(() => undefined),
        pushTimeoutMs: 2_000,
      })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const started = h.clock.now()
      await settle(h.clock, h.guard.idle())
      expect(h.clock.now() - started).toBeLessThan(2_100)
      expect(h.rows('notifications')[0]!.pushStatus).toBe('failed')
    })

    it('should push the customer notification of a transition', async () => {
      const sender = vi.fn<PushSender>(() => 'sent')
      const h = harness({ pushSender: sender })
      const { booking } = fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      fulfilled(
        await h.settle(
          h.guard.respondToBooking(booking.$id, { providerId: 'prov1', response: 'accept' }),
        ),
      )
      await settle(h.clock, h.guard.idle())
      expect(sender.mock.calls.map((call) => call[0].type)).toEqual([
        'bookingReceived',
        'bookingAccepted',
      ])
    })
  })

  describe('events', () => {
    it('should stop delivering to a removed listener, and survive a listener that throws', async () => {
      const h = harness()
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const seen: string[] = []
      const off = h.guard.on((event) => seen.push(event.type))
      h.guard.on(() => {
        throw new Error('broken forwarder')
      })
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      const count = seen.length
      expect(count).toBeGreaterThan(0)
      expect(errors).toHaveBeenCalled()
      off()
      fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      expect(seen).toHaveLength(count)
    })

    it('should report a failure as stepFailed, compensated and pipelineFailed events', async () => {
      const h = harness()
      h.fake.faults.fail({ operation: 'createRow', table: 'chat_rooms', error: 'table_not_found' })
      const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
      const types = h.events.map((e) => e.type)
      expect(types).toEqual(expect.arrayContaining(['stepFailed', 'compensated', 'pipelineFailed']))
      expect(h.events.find((e) => e.type === 'pipelineFailed')).toMatchObject({
        step: 'chatRoom',
        compensated: true,
        error,
      })
      expect(h.events.find((e) => e.type === 'compensated')).toMatchObject({
        ok: true,
        undone: expect.arrayContaining([
          'chat_messages/' + (error as { bookingId: string }).bookingId + '.m0',
        ]),
      })
    })
  })

  describe('resilience', () => {
    it('should count retries in the metrics until disposed', async () => {
      const metrics = createMetrics()
      const h = harness({ metrics })
      /** Books once while the first chat room write fails, so the pipeline retries it. */
      const bookThroughOneFailure = async () => {
        h.fake.faults.fail({
          operation: 'createRow',
          table: 'chat_rooms',
          times: 1,
          error: 'general_server_error',
        })
        fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      }
      await bookThroughOneFailure()
      expect(metrics.snapshot().counters.retries.value).toBe(1)
      h.guard.dispose()
      await bookThroughOneFailure()
      expect(metrics.snapshot().counters.retries.value).toBe(1)
    })

    it('should fail fast while the circuit is open and leave nothing half-made', async () => {
      const clock = harness().clock
      const breaker = createCircuitBreaker({
        clock,
        breaker: { kind: 'consecutive', threshold: 1 },
      })
      const metrics = createMetrics()
      const h = harness({ breaker, metrics })
      breaker.isolate()
      expect(metrics.snapshot().counters.breakerOpenings.value).toBe(1)
      const error = rejected(await h.settle(h.guard.createBooking(bookingInput())))
      expect(error).toMatchObject({ code: 'BOOKING_PIPELINE', compensated: true })
      expect((error as Error).cause).toMatchObject({ code: 'CIRCUIT_OPEN' })
      expect(h.rows('bookings')).toEqual([])
      expect(h.rows('chat_rooms')).toEqual([])
    })

    it('should validate its numeric options', () => {
      for (const options of [
        { timeoutMs: 0 },
        { compensationTimeoutMs: -1 },
        { transactionTtlSeconds: 10 },
      ]) {
        let error: unknown
        try {
          harness(options)
        } catch (caught) {
          error = caught
        }
        expect(isBookingGuardError(error, 'CONFIGURATION')).toBe(true)
      }
    })
  })

  describe('surface', () => {
    it('should expose its schema lock, realtime service and current mode', () => {
      const h = harness()
      expect(h.guard.schemaLock.tableId('booking')).toBe('bookings')
      expect(h.guard.realtime).toBeUndefined()
      expect(h.guard.mode).toBe('saga')
      const withRealtime = harness({ realtime: h.fake.realtime })
      expect(withRealtime.guard.realtime).toBe(h.fake.realtime)
    })

    it('should declare the columns and the slot index the pipeline writes', () => {
      const lock = createSchemaLock()
      const keys = (kind: 'booking' | 'chatRoom' | 'notification') =>
        lock.columns(kind).map((c) => c.key)
      expect(keys('booking')).toContain('slotKey')
      expect(keys('chatRoom')).toEqual(
        expect.arrayContaining(['customerLastReadAt', 'providerLastReadAt']),
      )
      expect(keys('notification')).toEqual(expect.arrayContaining(['pushAttempts', 'pushError']))
      expect(lock.indexes('booking')).toContainEqual({
        key: 'unique_slot',
        type: 'unique',
        columns: ['slotKey'],
      })
      expect(() => lock.parse('bookingInput', { ...bookingInput(), slotKey: 'x' })).toThrow(
        /set by the pipeline/,
      )
    })
  })
})
