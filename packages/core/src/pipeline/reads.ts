import type { BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import { SchemaLockError } from '../errors'
import type { BookingStatus } from '../schema/schemas'
import { BOOKING_STATUSES } from '../schema/kinds'
import { CallBudget, overBudget } from './budget'
import { childIds } from './ids'
import { isCompensated } from './voided'
import type { BookingRow, ReadRuntime } from './types'
import { isNotFound, isRowMissing, remote } from './writes'

/** Options of `getProviderBookings`. */
export interface ProviderBookingsOptions {
  /** Only bookings with this status. Defaults to every status. */
  status?: BookingStatus
  /** `nextCursor` of the previous page. Defaults to the newest page. */
  cursor?: string
  /** Bookings per page, 1–100. Defaults to `25`. */
  limit?: number
  /** Aborts the call. */
  signal?: AbortSignal
}

/** A page of a provider's bookings, newest first. */
export interface ProviderBookingsPage {
  /** The bookings, newest first (compensated ones are left out). */
  readonly bookings: readonly BookingRow[]
  /** Pass as `cursor` for the next (older) page; `undefined` when there is none. */
  readonly nextCursor: string | undefined
}

/** Whether one piece of a booking's communication exists. */
export type CommunicationStatus = 'ok' | 'missing' | 'failed'

/** What `checkCommunication` resolves to. */
export interface CommunicationCheck {
  /** The booking checked. */
  readonly bookingId: string
  /** The chat room: `ok`, `missing`, or `failed` (could not be read). */
  readonly chatRoom: CommunicationStatus
  /** The "booking received" system message. */
  readonly systemMessage: CommunicationStatus
  /** The provider's "new booking" notification. */
  readonly notification: CommunicationStatus
  /**
   * The push of that notification: `ok` (sent, or skipped on purpose), `failed` (the reconciler
   * retries it), `missing` (not attempted yet, or the notification is missing).
   */
  readonly push: CommunicationStatus
  /** `true` when all four are `ok`. */
  readonly ok: boolean
}

const MAX_PAGE = 100

function checkLimit(limit: number, kind: string): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new SchemaLockError(
      [{ path: ['limit'], code: 'too_big', message: `Use an integer limit of 1–${MAX_PAGE}` }],
      { kind },
    )
  }
}

/**
 * A provider's bookings straight from the bookings table: never joined with chat rooms or
 * notifications, so a broken chat can never hide a booking (income protection). Bookings whose
 * creation was compensated (failed or void) are left out; bookings still `pending` are included.
 *
 * @internal
 */
export function getProviderBookings(
  rt: ReadRuntime,
  providerId: string,
  options: ProviderBookingsOptions = {},
): Promise<ProviderBookingsPage> {
  return listBookings(rt, 'providerId', providerId, options, 'getProviderBookings')
}

/**
 * A customer's own bookings, read like {@link getProviderBookings} (same page, same bookings
 * left out). In the browser the read runs under the signed-in user's permissions.
 *
 * @internal
 */
export function getCustomerBookings(
  rt: ReadRuntime,
  customerId: string,
  options: ProviderBookingsOptions = {},
): Promise<ProviderBookingsPage> {
  return listBookings(rt, 'customerId', customerId, options, 'getCustomerBookings')
}

/** Whether a stored booking is one the reads show: not compensated (`failed`) and not void. */
const isListed = (row: BackendRow): boolean => !isCompensated(row)

async function listBookings(
  rt: ReadRuntime,
  column: 'providerId' | 'customerId',
  id: string,
  options: ProviderBookingsOptions,
  kind: string,
): Promise<ProviderBookingsPage> {
  const limit = options.limit ?? 25
  checkLimit(limit, kind)
  if (
    options.status !== undefined &&
    !(BOOKING_STATUSES as readonly unknown[]).includes(options.status)
  ) {
    throw new SchemaLockError(
      [
        {
          path: ['status'],
          code: 'invalid_value',
          message: `Use one of ${BOOKING_STATUSES.join(', ')}`,
        },
      ],
      { kind },
    )
  }
  const queries = [
    Q.equal(column, id),
    Q.or([Q.isNull('pipelineStatus'), Q.notEqual('pipelineStatus', 'failed')]),
    Q.orderDesc('$createdAt'),
    Q.limit(limit + 1),
  ]
  if (options.status !== undefined) queries.push(Q.equal('status', options.status))
  if (options.cursor !== undefined) queries.push(Q.cursorAfter(options.cursor))
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, options.signal)
  try {
    const { rows } = await remote(
      rt,
      () => rt.backend.list(rt.tables.booking, queries),
      budget.signal,
    )
    const page = rows.slice(0, limit)
    return {
      // A void booking (compensated, then revived by a late write) is no booking at all; the cursor
      // still moves past it.
      bookings: page
        .filter(isListed)
        .map((row: BackendRow) => rt.lock.normalize('booking', row) as BookingRow),
      nextCursor: rows.length > limit ? page[page.length - 1]!.$id : undefined,
    }
  } catch (error) {
    throw overBudget(budget, error, {
      operation: kind,
      bookingId: '',
      failedStep: 'read',
      message: `${kind}(${id}) ran out of its ${budget.timeoutMs} ms budget; it wrote nothing: try again`,
    })
  } finally {
    budget.dispose()
  }
}

/**
 * One booking by id, normalized by the schema lock (legacy names and value mappings applied), or
 * `null` when there is none the caller may see: no such row, a row the caller's permissions hide
 * (Appwrite answers 404 for both), or a booking whose creation was compensated (failed or void),
 * exactly the bookings the lists leave out. Any other failure (a missing table, no connection)
 * rejects.
 *
 * @internal
 */
export async function getBooking(
  rt: ReadRuntime,
  bookingId: string,
  signal?: AbortSignal,
): Promise<BookingRow | null> {
  if (typeof bookingId !== 'string' || bookingId === '') {
    throw new SchemaLockError(
      [{ path: ['bookingId'], code: 'invalid_type', message: 'Use a non-empty booking id' }],
      { kind: 'getBooking' },
    )
  }
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
  try {
    const row = await remote(rt, () => rt.backend.get(rt.tables.booking, bookingId), budget.signal)
    return isListed(row) ? (rt.lock.normalize('booking', row) as BookingRow) : null
  } catch (error) {
    if (isRowMissing(error)) return null
    throw overBudget(budget, error, {
      operation: 'getBooking',
      bookingId,
      failedStep: 'read',
      message: `getBooking(${bookingId}) ran out of its ${budget.timeoutMs} ms budget; it wrote nothing: try again`,
    })
  } finally {
    budget.dispose()
  }
}

/**
 * Reads a booking's chat room, system message and notification and reports which exist, so an
 * app (or a support tool) can see at once whether the provider was told. See
 * `guard.checkCommunication`.
 *
 * @internal
 */
export async function checkCommunication(
  rt: ReadRuntime,
  bookingId: string,
  signal?: AbortSignal,
): Promise<CommunicationCheck> {
  const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
  const read = async (
    tableId: string,
    rowId: string,
  ): Promise<{ status: CommunicationStatus; row: BackendRow | undefined }> => {
    try {
      return {
        status: 'ok',
        row: await remote(rt, () => rt.backend.get(tableId, rowId), budget.signal),
      }
    } catch (error) {
      return { status: isNotFound(error) ? 'missing' : 'failed', row: undefined }
    }
  }
  try {
    const [room, message, notification] = await Promise.all([
      read(rt.tables.chatRoom, childIds.chatRoom(bookingId)),
      read(rt.tables.chatMessage, childIds.systemMessage(bookingId, 'created')),
      read(rt.tables.notification, childIds.notification(bookingId, 'created')),
    ])
    const pushStatus = notification.row?.pushStatus
    const push: CommunicationStatus =
      notification.status === 'failed'
        ? 'failed'
        : pushStatus === 'sent' || pushStatus === 'skipped'
          ? 'ok'
          : pushStatus === 'failed'
            ? 'failed'
            : 'missing'
    return {
      bookingId,
      chatRoom: room.status,
      systemMessage: message.status,
      notification: notification.status,
      push,
      ok:
        room.status === 'ok' &&
        message.status === 'ok' &&
        notification.status === 'ok' &&
        push === 'ok',
    }
  } finally {
    budget.dispose()
  }
}
