// Shared set-up of the realtime tests (feeds, watchdog, health check): a manual clock at a fixed
// instant, a fake Appwrite on that clock, the monitor and metrics the pieces report to, and a
// way to move time that lets realtime deliveries and promise chains settle after each step.
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import type { FakeAppwrite, FakeAppwriteOptions, ManualClock } from '@booking-guard/testing'
import { createBookingGuard } from '../guard'
import type { BookingGuard, BookingGuardOptions } from '../guard'
import { createErrorMonitor } from '../monitor/errorMonitor'
import type { ErrorMonitor } from '../monitor/errorMonitor'
import { createMetrics } from '../monitor/metrics'
import type { Metrics } from '../monitor/metrics'
import { createSchemaLock } from '../schema/schemaLock'
import type { SchemaLock } from '../schema/schemaLock'
import { DB, declaredTables } from './pipelineFixtures'

export { DB }

/** The instant every realtime test starts at. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z')

/** Lets every pending promise chain settle (a macrotask turn), without moving the clock. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A booking input with only the required fields, as a caller of the guard writes it. */
export const MINIMAL_INPUT = {
  customerId: 'c1',
  customerName: 'Ana',
  providerId: 'p1',
  providerType: 'therapist',
  providerName: 'Budi',
  bookingType: 'immediate',
  durationMinutes: 60,
} as const

export interface RealtimeBase {
  readonly clock: ManualClock
  readonly fake: FakeAppwrite
  readonly monitor: ErrorMonitor
  readonly metrics: Metrics
  /** A lock that reports no issues (the tests read what the pieces do, not the lock's warnings). */
  readonly lock: SchemaLock
  /** The options every realtime piece takes: the fake's services, the database, lock and clock. */
  readonly wiring: {
    readonly tablesDB: FakeAppwrite['tablesDB']
    readonly realtime: FakeAppwrite['realtime']
    readonly databaseId: string
    readonly lock: SchemaLock
    readonly clock: ManualClock
  }
  /** A guard on the fake's services, the database, lock and clock, with `options` on top. */
  guard(options: Partial<BookingGuardOptions>): BookingGuard
  /** Moves the fake clock to `T0 + at` in 100 ms steps, settling promise chains after each. */
  until(at: number): Promise<void>
}

/**
 * A clock at `T0` and a fake Appwrite seeded with `seed` on it; with `declared`, the fake's
 * tables are declared from the schema lock, so writes are validated as the server would.
 */
export function realtimeBase(
  seed: number,
  { declared = false, ...fakeOptions }: Partial<FakeAppwriteOptions> & { declared?: boolean } = {},
): RealtimeBase {
  const clock = createManualClock({ now: T0 })
  const lock = createSchemaLock({ onIssue: () => {} })
  const fake = createFakeAppwrite({
    clock,
    seed,
    ...(declared ? { databases: { [DB]: { tables: declaredTables(lock) } } } : {}),
    ...fakeOptions,
  })
  const until = async (at: number) => {
    while (clock.now() < T0 + at) {
      await clock.advance(Math.min(100, T0 + at - clock.now()))
      await settle()
    }
  }
  return {
    clock,
    fake,
    monitor: createErrorMonitor({ clock }),
    metrics: createMetrics({ clock }),
    lock,
    wiring: { tablesDB: fake.tablesDB, realtime: fake.realtime, databaseId: DB, lock, clock },
    guard: (options) =>
      createBookingGuard({
        tablesDB: fake.tablesDB,
        realtime: fake.realtime,
        databaseId: DB,
        schemaLock: lock,
        clock,
        ...options,
      }),
    until,
  }
}
