import { createAppwriteBackend } from '../backend/appwriteBackend'
import type { RealtimeLike } from '../backend/types'
import { systemClock } from '../clock'
import { BookingGuardError } from '../errors'
import type { BookingGuard, BookingGuardBackendOption, BookingGuardBaseOptions } from '../guard'
import { createPermissionRules } from '../pipeline/permissions'
import {
  checkCommunication,
  getBooking,
  getCustomerBookings,
  getProviderBookings,
} from '../pipeline/reads'
import { listMessages, markMessagesRead } from '../pipeline/chat'
import type { GuardTables, ReadRuntime } from '../pipeline/types'
import { createGuardFeeds } from '../realtime/guardRealtime'
import type { GuardFeeds } from '../realtime/guardRealtime'
import { createGuardPolicy } from '../resilience/guardPolicy'
import { backendFor, defaultReadLock } from '../schema/readSide'
import type { ReadLock } from '../schema/readLock'
import type { SchemaExtensions, SchemaLock } from '../schema/schemaLock'
import type { ReadMethodName } from './types'

/**
 * The options a browser's reads, feeds and watchdog run on; `E` is the extension columns of the
 * lock given as `schemaLock`, inferred from it.
 */
export type ReadGuardOptions<E extends SchemaExtensions = Record<never, never>> = Pick<
  BookingGuardBaseOptions,
  | 'realtime'
  | 'databaseId'
  | 'tables'
  | 'retry'
  | 'breaker'
  | 'clock'
  | 'monitor'
  | 'metrics'
  | 'timeoutMs'
  | 'watchdog'
  | 'feeds'
  | 'channel'
> &
  BookingGuardBackendOption & {
    /**
     * The lock the reads map rows with: a `createReadLock` (no zod) or a `createSchemaLock`, with
     * the mapping the server's lock has (table ids, aliases, `values`, `columnNames`,
     * `writeValues`). Defaults to `createReadLock({ tableIds: tables })`.
     */
    schemaLock?: ReadLock<E> | SchemaLock<E>
  }

/**
 * What a browser reads as the signed-in user: a provider's or a customer's bookings, one booking,
 * a room's messages and read markers, communication checks, the realtime feeds and the watchdogs.
 * The part of a {@link BookingGuard} that needs no API key, made by `createBookingClient` without
 * loading the booking pipeline.
 */
export interface BookingReadGuard
  extends GuardFeeds, Pick<BookingGuard, ReadMethodName | 'policy' | 'dispose'> {
  /** The lock the reads and feeds map rows with. */
  readonly schemaLock: ReadLock
  /** The realtime service given in the options, for the feeds and the watchdog. */
  readonly realtime: RealtimeLike | undefined
}

/** The four tables the pipeline and the reads name, from the lock (the app's ids if it maps them). @internal */
export function guardTables(lock: ReadLock): GuardTables {
  return {
    booking: lock.tableId('booking'),
    chatRoom: lock.tableId('chatRoom'),
    chatMessage: lock.tableId('chatMessage'),
    notification: lock.tableId('notification'),
  }
}

/** The read methods of a guard over `rt`: the server's guard and the browser's read guard share them. @internal */
export function readMethods(rt: ReadRuntime) {
  return {
    listMessages: (roomId, callOptions) => listMessages(rt, roomId, callOptions),
    markMessagesRead: (roomId, callOptions) => markMessagesRead(rt, roomId, callOptions),
    getProviderBookings: (providerId, callOptions) =>
      getProviderBookings(rt, providerId, callOptions),
    getCustomerBookings: (customerId, callOptions) =>
      getCustomerBookings(rt, customerId, callOptions),
    getBooking: (bookingId, callOptions) => getBooking(rt, bookingId, callOptions?.signal),
    checkCommunication: (bookingId, callOptions) =>
      checkCommunication(rt, bookingId, callOptions?.signal),
  } satisfies Pick<BookingGuard, ReadMethodName>
}

/**
 * The read half of a booking guard, with the guard's own retry, breaker, budget and realtime
 * settings and none of its writes.
 *
 * @internal
 */
export function createReadGuard<E extends SchemaExtensions>(
  options: ReadGuardOptions<E>,
): BookingReadGuard {
  const clock = options.clock ?? systemClock
  // The reads need the lock's mapping, not its extension columns' types.
  const lock = (options.schemaLock as ReadLock | undefined) ?? defaultReadLock(options.tables)
  // The lock's column names and value spellings applied to every read, as the guard does.
  const backend = backendFor(lock, createAppwriteBackend(options))
  const timeoutMs = options.timeoutMs ?? 15_000
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `createBookingClient: \`timeoutMs\` must be a positive number of milliseconds (got ${String(options.timeoutMs)})`,
    )
  }
  const { policy, dispose } = createGuardPolicy(options, clock)
  const rt: ReadRuntime = {
    backend,
    lock,
    tables: guardTables(lock),
    policy,
    clock,
    permissions: createPermissionRules(),
    settings: { timeoutMs },
  }
  const { base: _base, ...feeds } = createGuardFeeds(
    {
      backend,
      lock,
      clock,
      databaseId: options.databaseId,
      realtime: options.realtime,
      monitor: options.monitor,
      metrics: options.metrics,
    },
    options,
  )

  return {
    ...feeds,
    ...readMethods(rt),
    schemaLock: lock,
    realtime: options.realtime,
    policy,
    dispose,
  }
}
