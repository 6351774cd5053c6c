// Shared set-up of the pipeline tests: a fake Appwrite whose tables are declared from the schema
// lock (so writes are validated like the server would), a manual clock driving both the fake and
// the guard, and helpers to settle calls that wait on retries or budgets.
import type {
  FakeAppwrite,
  FakeDefaultRow,
  IndexDefinition,
  ManualClock,
  TableDefinition,
} from '@booking-guard/testing'
import { createFakeAppwrite, createManualClock } from '@booking-guard/testing'
import { createBookingGuard } from '../guard'
import { describeBookingError } from '../observers/bookingSubmitObserver'
import type { BookingGuard, BookingGuardOptions } from '../guard'
import type { CreateBookingInput } from '../guard'
import type { BookingGuardEvent } from '../pipeline/types'
import { createSchemaLock } from '../schema/schemaLock'
import type { SchemaLock } from '../schema/schemaLock'
import { TABLE_KINDS } from '../schema/schemas'
import { columnOf } from './lockTables'

export const DB = 'main'

/** The lock's tables as the fake's declared tables (columns validated, indexes declared). */
export function declaredTables(lock: SchemaLock): Record<string, TableDefinition> {
  const tables: Record<string, TableDefinition> = {}
  for (const kind of TABLE_KINDS) {
    const spec = lock.tables[kind]
    tables[spec.tableId] = {
      columns: spec.columns.map(columnOf),
      indexes: spec.indexes.map((index): IndexDefinition => ({
        key: index.key,
        type: index.type,
        columns: [...index.columns],
        ...(index.orders === undefined
          ? {}
          : { orders: index.orders.map((o) => (o === 'asc' ? 'ASC' : 'DESC')) }),
      })),
    }
  }
  return tables
}

export interface Harness {
  readonly clock: ManualClock
  readonly fake: FakeAppwrite
  readonly guard: BookingGuard
  readonly lock: SchemaLock
  readonly events: BookingGuardEvent[]
  /** Rows of one table in the fake, by `$sequence`. */
  rows(tableId: string): FakeDefaultRow[]
  /** Advances the clock in small steps until `promise` settles; returns its outcome. */
  settle<T>(promise: Promise<T>, maxMs?: number): Promise<PromiseSettledResult<T>>
  /**
   * A second guard on the same database and clock, as another process (a tab, a worker) runs
   * it: saga mode and default retries, unless `options` says otherwise.
   */
  otherGuard(options?: Partial<BookingGuardOptions>): BookingGuard
  /** {@link invariantViolations} of this harness's fake and lock. */
  invariantViolations(): string[]
  /** {@link completeBookingViolations} of this harness's fake and lock. */
  completeBookingViolations(): string[]
}

/** A guard in saga mode over a fresh fake, unless `options` says otherwise. */
export function harness(
  options: Partial<BookingGuardOptions> & { tables?: never } = {},
  fakeOptions: { undeclared?: readonly string[]; rowSecurity?: boolean } = {},
): Harness {
  const clock = createManualClock()
  const lock = createSchemaLock()
  const tables = declaredTables(lock)
  for (const tableId of fakeOptions.undeclared ?? []) delete tables[tableId]
  if (fakeOptions.rowSecurity === true) {
    // As provisioned: signed-in users may create rows; who may read a row is the row's business.
    for (const table of Object.values(tables)) {
      table.permissions = ['create("users")']
      table.rowSecurity = true
    }
  }
  const fake = createFakeAppwrite({ clock, seed: 7, databases: { [DB]: { tables } } })
  const guard = createBookingGuard({
    tablesDB: fake.tablesDB,
    databaseId: DB,
    clock,
    mode: 'saga',
    retry: { clock, jitter: 'none' },
    ...options,
  })
  const events: BookingGuardEvent[] = []
  guard.on((event) => events.push(event))
  return {
    clock,
    fake,
    guard,
    lock,
    events,
    rows: (tableId) => fake.snapshot()[DB]?.[tableId] ?? [],
    settle: (promise, maxMs = 120_000) => settle(clock, promise, maxMs),
    otherGuard: (otherOptions = {}) =>
      createBookingGuard({
        tablesDB: fake.tablesDB,
        databaseId: DB,
        clock,
        mode: 'saga',
        ...otherOptions,
      }),
    invariantViolations: () => invariantViolations(fake, lock),
    completeBookingViolations: () => completeBookingViolations(fake, lock),
  }
}

/** Advances `clock` by 50 ms steps until `promise` settles (or `maxMs` passed). */
export async function settle<T>(
  clock: ManualClock,
  promise: Promise<T>,
  maxMs = 120_000,
): Promise<PromiseSettledResult<T>> {
  let outcome: PromiseSettledResult<T> | undefined
  promise.then(
    (value) => {
      outcome = { status: 'fulfilled', value }
    },
    (reason: unknown) => {
      outcome = { status: 'rejected', reason }
    },
  )
  for (let waited = 0; outcome === undefined && waited <= maxMs; waited += 50) {
    await clock.advance(50)
  }
  for (let i = 0; outcome === undefined && i < 50; i++) await Promise.resolve()
  if (outcome === undefined) throw new Error(`call did not settle within ${maxMs} ms of fake time`)
  return outcome
}

/** Unwraps a settled call, failing the test with its reason if it rejected. */
export function fulfilled<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === 'rejected') throw outcome.reason
  return outcome.value
}

/** Unwraps a settled call's rejection, failing the test if it resolved. */
export function rejected<T>(outcome: PromiseSettledResult<T>): unknown {
  if (outcome.status === 'fulfilled') throw new Error('expected the call to fail, but it resolved')
  return outcome.reason
}

let counter = 0

/** A valid booking input (immediate, 60 minutes), with overrides. */
export function bookingInput(overrides: Record<string, unknown> = {}): CreateBookingInput {
  counter++
  return {
    customerId: 'cust1',
    customerName: 'Ana',
    providerId: 'prov1',
    providerType: 'therapist',
    providerName: 'Budi',
    bookingType: 'immediate',
    durationMinutes: 60,
    price: 25_000 + counter,
    currency: 'IDR',
    ...overrides,
  } as CreateBookingInput
}

/** A scheduled booking input at `scheduledAt`. */
export function scheduledInput(
  scheduledAt: string,
  overrides: Record<string, unknown> = {},
): CreateBookingInput {
  return bookingInput({ bookingType: 'scheduled', scheduledAt, ...overrides })
}

/**
 * The invariants every pipeline outcome must leave in storage: every chat room, system message
 * and booking notification belongs to a booking that exists and is not failed; every booking is
 * delivered, failed, or pending. Returns the violations, empty when all hold.
 */
export function invariantViolations(fake: FakeAppwrite, lock: SchemaLock): string[] {
  const db = fake.snapshot()[DB] ?? {}
  const bookings = new Map((db[lock.tableId('booking')] ?? []).map((row) => [row.$id, row]))
  const problems: string[] = []
  const live = (bookingId: unknown) => {
    const booking = typeof bookingId === 'string' ? bookings.get(bookingId) : undefined
    return booking !== undefined && booking.pipelineStatus !== 'failed'
  }
  for (const room of db[lock.tableId('chatRoom')] ?? []) {
    if (!live(room.bookingId)) problems.push(`orphan chat room ${room.$id}`)
  }
  for (const message of db[lock.tableId('chatMessage')] ?? []) {
    if (!live(message.bookingId)) problems.push(`orphan message ${message.$id}`)
  }
  for (const notification of db[lock.tableId('notification')] ?? []) {
    if (notification.bookingId && !live(notification.bookingId)) {
      problems.push(`orphan notification ${notification.$id}`)
    }
  }
  return problems
}

/** Whether a delivered booking has every row of its creation. */
export function completeBookingViolations(fake: FakeAppwrite, lock: SchemaLock): string[] {
  const db = fake.snapshot()[DB] ?? {}
  const ids = (kind: 'chatRoom' | 'chatMessage' | 'notification') =>
    new Set((db[lock.tableId(kind)] ?? []).map((row) => row.$id))
  const rooms = ids('chatRoom')
  const messages = ids('chatMessage')
  const notifications = ids('notification')
  const problems: string[] = []
  for (const booking of db[lock.tableId('booking')] ?? []) {
    if (booking.pipelineStatus !== 'delivered') continue
    if (!rooms.has(booking.$id)) problems.push(`delivered ${booking.$id} has no chat room`)
    if (!messages.has(`${booking.$id}.m0`)) problems.push(`delivered ${booking.$id} has no message`)
    if (!notifications.has(booking.$id))
      problems.push(`delivered ${booking.$id} has no notification`)
  }
  return problems
}

/**
 * A guard with realtime over a fake, on one manual clock, for the observers' tests: saga mode,
 * no retries of its own, no watchdog. The fake declares the lock's tables unless `schemaless`
 * (rows may then be written as old code wrote them). `run` moves the clock in 50 ms steps,
 * letting promise chains and realtime deliveries settle; `book` creates a booking through it.
 */
export function liveHarness(
  options: Partial<BookingGuardOptions> = {},
  { seed = 5, schemaless = false }: { seed?: number; schemaless?: boolean } = {},
) {
  const clock = createManualClock()
  const fake = createFakeAppwrite({
    clock,
    seed,
    ...(schemaless ? {} : { databases: { [DB]: { tables: declaredTables(createSchemaLock()) } } }),
  })
  const guard = createBookingGuard({
    tablesDB: fake.tablesDB,
    realtime: fake.realtime,
    databaseId: DB,
    clock,
    mode: 'saga',
    retry: { maxAttempts: 1 },
    watchdog: false,
    ...options,
  })
  const run = async (ms = 100) => {
    for (let t = 0; t < ms; t += 50) {
      await clock.advance(50)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const book = async (overrides: Record<string, unknown> = {}) => {
    const call = guard.createBooking(bookingInput(overrides))
    await run(200)
    return (await call).booking
  }
  return { clock, fake, guard, run, book }
}

/** The row methods of an SDK service, as an older SDK without transactions has them. */
export function rowMethodsOf(real: FakeAppwrite['tablesDB']) {
  return {
    createRow: real.createRow.bind(real),
    getRow: real.getRow.bind(real),
    listRows: real.listRows.bind(real),
    updateRow: real.updateRow.bind(real),
    upsertRow: real.upsertRow.bind(real),
    deleteRow: real.deleteRow.bind(real),
  }
}

/**
 * What a call told its caller, as an app acts on it: `ok`; `again` (retryable, or Appwrite
 * unavailable: send it again); or a final `no`.
 */
export function toldOf(outcome: PromiseSettledResult<unknown>): 'ok' | 'again' | 'no' {
  if (outcome.status === 'fulfilled') return 'ok'
  const { retryable, kind } = describeBookingError(outcome.reason)
  return retryable || kind === 'unavailable' ? 'again' : 'no'
}

/**
 * Runs `at` with a fault after each of the first `positions` calls: every problem found, and how
 * many calls the faults hit (0 would mean the positions missed every call).
 */
export async function everyPosition(
  positions: number,
  at: (after: number) => Promise<{ problems: string[]; fired: number }>,
): Promise<{ problems: string[]; hit: number }> {
  const problems: string[] = []
  let hit = 0
  for (let after = 0; after < positions; after++) {
    const outcome = await at(after)
    problems.push(...outcome.problems)
    hit += outcome.fired
  }
  return { problems, hit }
}
