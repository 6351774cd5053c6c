import * as admin from '@booking-guard/core/admin'
import * as observers from '@booking-guard/core/observers'
import * as realtime from '@booking-guard/core/realtime'
import * as resilience from '@booking-guard/core/resilience'
import * as schema from '@booking-guard/core/schema'
import * as server from '@booking-guard/core/server'
import { describe, expect, it } from 'vitest'
import * as root from '../index'

const valuesOf = (entry: object) => Object.keys(entry).sort()

describe('entry points', () => {
  it('should keep the root entry to the guards, errors, monitoring and the guard’s option values', () => {
    expect(valuesOf(root)).toEqual(
      [
        'BookingGuardError',
        'BookingPipelineError',
        'BookingStateError',
        'CircuitOpenError',
        'DEFAULT_BOOKING_ERROR_MESSAGES',
        'ERROR_CATEGORIES',
        'ERROR_SEVERITIES',
        'IdempotencyConflictError',
        'PipelineTimeoutError',
        'SchemaLockError',
        'SlotTakenError',
        'bookingErrorFromJSON',
        'bookingErrorToJSON',
        'column',
        'createBookingClient',
        'createBookingGuard',
        'createCircuitBreaker',
        'createErrorMonitor',
        'createMetrics',
        'createReadLock',
        'createRetryPolicy',
        'createSchemaLock',
        'describeBookingError',
        'isBookingGuardError',
        'isBookingPipelineError',
        'isBookingStateError',
        'isCircuitOpenError',
        'isIdempotencyConflictError',
        'isPipelineTimeoutError',
        'isSchemaLockError',
        'isSlotTakenError',
        'systemClock',
      ].sort(),
    )
  })

  it('should export each specialist piece from its subpath, the root aliases being the same objects', () => {
    expect(schema).toMatchObject({
      createSchemaLock: root.createSchemaLock,
      createReadLock: root.createReadLock,
      column: root.column,
      SchemaLockError: root.SchemaLockError,
    })
    expect(schema.BookingInputSchema.safeParse({}).success).toBe(false)
    expect(schema.DEFAULT_TABLE_IDS.booking).toBe('bookings')
    expect(typeof realtime.createFeedManager).toBe('function')
    expect(typeof realtime.createWatchdog).toBe('function')
    expect(realtime.DEFAULT_WATCHDOG_INTERVAL_MS).toBe(15_000)
    expect(resilience).toMatchObject({
      createRetryPolicy: root.createRetryPolicy,
      createCircuitBreaker: root.createCircuitBreaker,
      CircuitOpenError: root.CircuitOpenError,
    })
    expect(typeof resilience.classifyAppwriteError).toBe('function')
    expect(observers.describeBookingError).toBe(root.describeBookingError)
    expect(typeof observers.createBookingSubmitObserver).toBe('function')
    expect(typeof observers.createCustomerBookingsObserver).toBe('function')
  })

  it('should let no admin or server name leak into the root entry', () => {
    const names = new Set(valuesOf(root))
    const leaked = [...valuesOf(admin), ...valuesOf(server)].filter((name) => names.has(name))
    expect(leaked).toEqual([])
    expect(valuesOf(admin)).toContain('provisionSchema')
    expect(valuesOf(server)).toContain('createBookingFunction')
  })
})
