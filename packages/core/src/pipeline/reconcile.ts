import type { BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import { BookingGuardError, isBookingStateError } from '../errors'
import { childIds } from './ids'
import type { ChildEvent } from './ids'
import { allChildIds, expireBooking, resolvePending } from './lifecycle'
import { eventOfStatus } from './rows'
import { deliverPush } from './push'
import type { PushableNotification } from './push'
import { VOID_DEADLINE_BEFORE, VOID_PATCH } from './voided'
import { CallBudget } from './budget'
import { iso } from './format'
import { capture, emit } from './report'
import type {
  PendingAction,
  PipelineRuntime,
  ReconcileFailure,
  ReconcilePhase,
  ReconcileReport,
  SlotDuplicate,
} from './types'
import { remote, removeRow } from './writes'

export type { ReconcileFailure, ReconcilePhase, ReconcileReport, SlotDuplicate } from './types'

/** Options of one `guard.reconcile()` pass. */
export interface ReconcileOptions {
  /**
   * Only bookings (and pushes) left `pending` for longer than this, in milliseconds, are
   * touched, so a call still in flight is never raced. Keep it above the guard's `timeoutMs` +
   * `compensationTimeoutMs`. Defaults to `60_000`.
   */
  olderThanMs?: number
  /** Rows read per list request (a page); every phase pages until it is done. 1–100. Defaults to `100`. */
  limit?: number
  /**
   * The pass's time budget in milliseconds: every phase pages through all due work until it is
   * done or the budget ends; what is left is named in `report.remaining` (the next pass carries
   * on). Defaults to `50_000`, which fits a one-minute schedule.
   */
  budgetMs?: number
  /**
   * What to do with a booking left pending while still awaiting its provider: `complete` it (the
   * customer did book) or `compensate` it. Pending transitions are always completed. Defaults to
   * the guard's `reconcile.pending` (`'complete'`).
   */
  pending?: PendingAction
  /**
   * How far back, in milliseconds, the orphan sweep looks for chat rooms, system messages and
   * notifications whose booking is missing or failed, and the delivery check for delivered
   * bookings missing a row. Defaults to `3_600_000` (1 hour).
   */
  orphanHorizonMs?: number
  /** Aborts the pass between pages and items. */
  signal?: AbortSignal
}

const CONCURRENCY = 8
const DEFAULT_BUDGET_MS = 50_000

/** The booking a child row belongs to (legacy rows may spell it `bookingid`). */
function bookingIdOf(row: BackendRow): string | undefined {
  const id = typeof row.bookingId === 'string' ? row.bookingId : row.bookingid
  return typeof id === 'string' && id !== '' ? id : undefined
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Runs `work` over `items`, at most {@link CONCURRENCY} at a time. */
async function forEach<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    await Promise.all(items.slice(i, i + CONCURRENCY).map(work))
  }
}

/**
 * One reconcile pass: fails again compensated bookings a late write revived, finishes or
 * compensates bookings left pending, writes again any missing row of a delivered booking,
 * expires bookings whose response deadline passed, retries failed pushes, and removes orphaned
 * rows. Every phase pages (cursor over a stable order) until its due work is done or the pass's
 * budget ends. Idempotent and safe to run as several instances at once: every write is
 * create-or-get, a delete of a missing row, or an update to the same values. Never throws for a
 * row: failures are in the report.
 *
 * @internal
 */
export async function reconcile(
  rt: PipelineRuntime,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const olderThanMs = options.olderThanMs ?? 60_000
  const limit = options.limit ?? 100
  const horizon = options.orphanHorizonMs ?? 3_600_000
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS
  const action = options.pending ?? rt.settings.pendingAction
  if (
    !(olderThanMs >= 0) ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > 100 ||
    !(horizon >= 0) ||
    !(budgetMs > 0)
  ) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'reconcile: `olderThanMs` and `orphanHorizonMs` must be ≥ 0 ms, `budgetMs` > 0 ms and `limit` an integer of 1–100',
    )
  }
  if (action !== 'complete' && action !== 'compensate') {
    throw new BookingGuardError(
      'CONFIGURATION',
      "reconcile: `pending` must be 'complete' or 'compensate'",
    )
  }
  const started = rt.clock.now()
  const cutoff = iso(started - olderThanMs)
  const since = iso(started - horizon)
  const errors: { phase: ReconcilePhase; message: string }[] = []
  const remaining = new Set<ReconcilePhase>()
  const signal = options.signal
  const timeLeft = () => rt.clock.now() - started < budgetMs && signal?.aborted !== true

  const list = async (
    phase: ReconcilePhase,
    tableId: string,
    queries: string[],
  ): Promise<BackendRow[] | undefined> => {
    const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
    try {
      return (await remote(rt, () => rt.backend.list(tableId, queries), budget.signal)).rows
    } catch (error) {
      errors.push({ phase, message: message(error) })
      capture(rt, error, 'booking', 'error', `reconcile.${phase}`, { tableId })
      return undefined
    } finally {
      budget.dispose()
    }
  }
  const withBudget = async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
    try {
      return await work(budget.signal)
    } finally {
      budget.dispose()
    }
  }
  /**
   * Runs `work` on each booking of a page, each within its own budget; a booking that fails is
   * listed in `failed` and captured as `reconcile.<phase>` with `severity`.
   */
  const eachBooking = (
    rows: readonly BackendRow[],
    phase: ReconcilePhase,
    severity: 'critical' | 'error',
    failed: ReconcileFailure[],
    work: (row: BackendRow, signal: AbortSignal) => Promise<void>,
  ): Promise<void> =>
    forEach(rows, async (row) => {
      try {
        await withBudget((s) => work(row, s))
      } catch (error) {
        failed.push({ id: row.$id, message: message(error) })
        capture(rt, error, 'booking', severity, `reconcile.${phase}`, { bookingId: row.$id })
      }
    })
  /**
   * Pages through `tableId` in (`orderBy`, `$id`) order, handing each page to `handle`, until a
   * short page, a failed list, or the end of the budget (then the phase is `remaining`). The next
   * page starts after the last row by value (a keyset window), not with a cursor naming that row:
   * a phase may have removed the row (Appwrite refuses a cursor on a missing row), and `orderBy`
   * is a column the phase's own writes never change, so rows it handled cannot come round again.
   */
  const drain = async (
    phase: ReconcilePhase,
    tableId: string,
    filters: string[],
    orderBy: string,
    handle: (rows: BackendRow[]) => Promise<void>,
  ): Promise<void> => {
    let last: BackendRow | undefined
    for (;;) {
      if (!timeLeft()) {
        remaining.add(phase)
        return
      }
      const queries = [...filters, Q.orderAsc(orderBy), Q.orderAsc('$id'), Q.limit(limit)]
      if (last !== undefined) queries.push(after(orderBy, last))
      const rows = await list(phase, tableId, queries)
      if (rows === undefined) return
      await handle(rows)
      if (rows.length < limit) return
      last = rows[rows.length - 1]!
    }
  }

  // 1. Compensated bookings that a late write set back to `delivered`: fail them again first, so
  //    no later phase (delivery check, expiry) treats them as live.
  const revived = { found: 0, voided: [] as string[], failed: [] as ReconcileFailure[] }
  await drain(
    'revived',
    rt.tables.booking,
    [Q.equal('pipelineStatus', 'delivered'), Q.lessThan('responseDeadline', VOID_DEADLINE_BEFORE)],
    '$createdAt',
    (rows) => {
      revived.found += rows.length
      return eachBooking(rows, 'revived', 'critical', revived.failed, async (row, s) => {
        await voidAgain(rt, row.$id, s)
        revived.voided.push(row.$id)
      })
    },
  )

  // 1b. Void bookings that still have every creation row: the compensation did not finish (and
  //     said so), or its void write landed after a retry with the same key completed the booking.
  const restored = { found: 0, restored: [] as string[], failed: [] as ReconcileFailure[] }
  await drain(
    'restored',
    rt.tables.booking,
    [
      Q.equal('pipelineStatus', 'failed'),
      Q.lessThan('responseDeadline', VOID_DEADLINE_BEFORE),
      Q.greaterThan('$updatedAt', since),
      Q.lessThan('$updatedAt', cutoff),
    ],
    '$createdAt',
    async (rows) => {
      const incomplete = await missingRows(rt, rows, list, 'restored')
      if (incomplete === undefined) return
      const missing = new Set(incomplete.map((row) => row.$id))
      const whole = rows.filter((row) => !missing.has(row.$id))
      restored.found += whole.length
      await eachBooking(whole, 'restored', 'critical', restored.failed, async (row, s) => {
        await restore(rt, row, s)
        restored.restored.push(row.$id)
      })
    },
  )

  // 2. Bookings left pending.
  const pending = {
    found: 0,
    completed: [] as string[],
    compensated: [] as string[],
    failed: [] as ReconcileFailure[],
  }
  await drain(
    'pending',
    rt.tables.booking,
    [Q.equal('pipelineStatus', 'pending'), Q.lessThan('$updatedAt', cutoff)],
    '$createdAt',
    (rows) => {
      pending.found += rows.length
      return eachBooking(rows, 'pending', 'error', pending.failed, async (row, s) => {
        const outcome = await resolvePending(rt, row, action, s)
        ;(outcome === 'completed' ? pending.completed : pending.compensated).push(row.$id)
      })
    },
  )

  // 3. Delivered bookings missing a row (a late write, a row deleted by hand): written again.
  const delivered = {
    checked: 0,
    completed: [] as string[],
    failed: [] as ReconcileFailure[],
    duplicateSlots: [] as SlotDuplicate[],
  }
  const slots = new Map<string, BackendRow[]>()
  await drain(
    'delivered',
    rt.tables.booking,
    [
      Q.equal('pipelineStatus', 'delivered'),
      Q.greaterThan('$updatedAt', since),
      Q.lessThan('$updatedAt', cutoff),
    ],
    '$createdAt',
    async (rows) => {
      delivered.checked += rows.length
      for (const row of rows) trackSlot(slots, row)
      const incomplete = (await missingRows(rt, rows, list, 'delivered')) ?? []
      await eachBooking(incomplete, 'delivered', 'error', delivered.failed, async (row, s) => {
        await resolvePending(rt, row, 'complete', s)
        delivered.completed.push(row.$id)
      })
    },
  )
  for (const [, rows] of slots) {
    if (rows.length < 2) continue
    rows.sort(
      (a, b) => (typeof b.slotKey === 'string' ? 1 : 0) - (typeof a.slotKey === 'string' ? 1 : 0),
    )
    delivered.duplicateSlots.push({
      providerId: String(rows[0]!.providerId),
      scheduledAt: iso(Date.parse(String(rows[0]!.scheduledAt))),
      bookingIds: rows.map((row) => row.$id),
    })
  }

  // 4. Bookings whose provider missed the response deadline (never a voided one).
  const expired = {
    found: 0,
    expired: [] as string[],
    skipped: [] as string[],
    failed: [] as ReconcileFailure[],
  }
  await drain(
    'expired',
    rt.tables.booking,
    [
      Q.equal('pipelineStatus', 'delivered'),
      Q.equal('status', 'pending'),
      Q.equal('providerResponseStatus', 'AwaitingResponse'),
      Q.lessThan('responseDeadline', iso(rt.clock.now())),
      Q.greaterThan('responseDeadline', VOID_DEADLINE_BEFORE),
    ],
    'responseDeadline',
    (rows) => {
      expired.found += rows.length
      return forEach(rows, async (row) => {
        try {
          await expireBooking(rt, row.$id, signal)
          expired.expired.push(row.$id)
        } catch (error) {
          if (isBookingStateError(error)) expired.skipped.push(row.$id)
          else expired.failed.push({ id: row.$id, message: message(error) })
        }
      })
    },
  )

  // 5. Pushes that failed, or never ran (a serverless function frozen after its response).
  const push = { found: 0, sent: [] as string[], skipped: [] as string[], failed: [] as string[] }
  if (rt.pushSender !== undefined) {
    const send = (rows: BackendRow[]) => {
      push.found += rows.length
      return forEach(rows, async (row) => {
        const notification = rt.lock.normalize(
          'notification',
          row,
        ) as unknown as PushableNotification
        const outcome = await deliverPush(rt, notification)
        push[outcome === 'failed' ? 'failed' : outcome === 'sent' ? 'sent' : 'skipped'].push(
          row.$id,
        )
      })
    }
    await drain(
      'push',
      rt.tables.notification,
      [
        Q.equal('pushStatus', 'failed'),
        Q.or([Q.isNull('pushAttempts'), Q.lessThan('pushAttempts', rt.settings.maxPushAttempts)]),
      ],
      '$createdAt',
      send,
    )
    await drain(
      'push',
      rt.tables.notification,
      [Q.equal('pushStatus', 'pending'), Q.lessThan('$updatedAt', cutoff)],
      '$createdAt',
      send,
    )
  }

  // 6. Orphans: rows whose booking is missing or failed.
  const orphans = { scanned: 0, removed: [] as string[], failed: [] as ReconcileFailure[] }
  const sweep = async (rows: BackendRow[], tableId: string) => {
    orphans.scanned += rows.length
    const bookingIds = [
      ...new Set(rows.map(bookingIdOf).filter((id): id is string => id !== undefined)),
    ]
    if (bookingIds.length === 0) return
    const live = await list('orphans', rt.tables.booking, [
      Q.equal('$id', bookingIds),
      Q.limit(bookingIds.length),
    ])
    if (live === undefined) return
    const status = new Map(live.map((row) => [row.$id, row.pipelineStatus]))
    const doomed = rows.filter((row) => {
      const bookingId = bookingIdOf(row)
      return (
        bookingId !== undefined && (!status.has(bookingId) || status.get(bookingId) === 'failed')
      )
    })
    await forEach(doomed, async (row) => {
      const error = await withBudget((s) => removeRow(rt, tableId, row.$id, s))
      if (error === undefined) orphans.removed.push(`${tableId}/${row.$id}`)
      else orphans.failed.push({ id: `${tableId}/${row.$id}`, message: message(error) })
    })
  }
  const window = [Q.greaterThan('$createdAt', since), Q.lessThan('$createdAt', cutoff)]
  await Promise.all([
    drain('orphans', rt.tables.chatRoom, window, '$createdAt', (rows) =>
      sweep(rows, rt.tables.chatRoom),
    ),
    drain(
      'orphans',
      rt.tables.chatMessage,
      [Q.equal('senderType', 'system'), ...window],
      '$createdAt',
      (rows) => sweep(rows, rt.tables.chatMessage),
    ),
    drain('orphans', rt.tables.notification, window, '$createdAt', (rows) =>
      sweep(rows, rt.tables.notification),
    ),
  ])

  const report: ReconcileReport = {
    startedAt: iso(started),
    durationMs: rt.clock.now() - started,
    complete: remaining.size === 0 && errors.length === 0,
    remaining: [...remaining],
    revived,
    restored,
    pending,
    delivered,
    expired,
    push,
    orphans,
    errors,
  }
  emit(rt, () => ({ type: 'reconciled', at: rt.clock.now(), report }))
  return report
}

/** The rows after `last` in (`orderBy`, `$id`) order. */
function after(orderBy: string, last: BackendRow): string {
  const value = last[orderBy]
  if (value === null || value === undefined) {
    // Nulls sort first: the other nulls after this id, then every value.
    return Q.or([Q.and([Q.isNull(orderBy), Q.greaterThan('$id', last.$id)]), Q.isNotNull(orderBy)])
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new BookingGuardError(
      'CONFIGURATION',
      `reconcile: cannot page on \`${orderBy}\` (value ${JSON.stringify(value)})`,
    )
  }
  return Q.or([
    Q.greaterThan(orderBy, value),
    Q.and([Q.equal(orderBy, value), Q.greaterThan('$id', last.$id)]),
  ])
}

/**
 * Delivers a void booking that has every creation row again: a fresh response deadline (which
 * clears the void marker) and its slot key back. A slot taken meanwhile by another booking is a
 * unique violation: the booking then stays void, and the failure is reported.
 */
async function restore(rt: PipelineRuntime, row: BackendRow, signal: AbortSignal): Promise<void> {
  const booking = rt.lock.normalize('booking', row) as Record<string, unknown>
  const patch: Record<string, unknown> = {
    pipelineStatus: 'delivered',
    responseDeadline: iso(rt.clock.now() + rt.settings.responseDeadlineMs),
  }
  if (
    rt.settings.slotLock !== undefined &&
    booking.bookingType === 'scheduled' &&
    typeof booking.scheduledAt === 'string' &&
    typeof booking.providerId === 'string'
  ) {
    patch.slotKey = rt.settings.slotLock({
      providerId: booking.providerId,
      scheduledAt: booking.scheduledAt,
      durationMinutes: Number(booking.durationMinutes),
    })
  }
  await remote(rt, () => rt.backend.update(rt.tables.booking, row.$id, patch), signal)
}

/** Fails a revived booking again: every row it may have is removed, then the void patch. */
async function voidAgain(
  rt: PipelineRuntime,
  bookingId: string,
  signal: AbortSignal,
): Promise<void> {
  const ids = allChildIds(bookingId)
  const targets: Array<[string, string]> = [
    ...ids.rooms.map((id): [string, string] => [rt.tables.chatRoom, id]),
    ...ids.messages.map((id): [string, string] => [rt.tables.chatMessage, id]),
    ...ids.notifications.map((id): [string, string] => [rt.tables.notification, id]),
  ]
  const failures = await Promise.all(
    targets.map(([tableId, rowId]) => removeRow(rt, tableId, rowId, signal)),
  )
  const error = failures.find((failure) => failure !== undefined)
  if (error !== undefined) throw error
  await remote(rt, () => rt.backend.update(rt.tables.booking, bookingId, VOID_PATCH), signal)
}

/**
 * The bookings of `rows` missing a row their state needs: the chat room, the "received" message
 * and provider notification, and the system message and notice of their current status (an
 * accepted booking's "accepted" message and the customer's notice, …).
 */
async function missingRows(
  rt: PipelineRuntime,
  rows: readonly BackendRow[],
  list: (
    phase: ReconcilePhase,
    tableId: string,
    queries: string[],
  ) => Promise<BackendRow[] | undefined>,
  phase: ReconcilePhase,
): Promise<BackendRow[] | undefined> {
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.$id)
  // In groups that keep a query under Appwrite's 4,096 characters (ids are up to 36).
  const present = async (tableId: string, rowIds: string[]): Promise<Set<string> | undefined> => {
    const groups: string[][] = []
    for (let at = 0; at < rowIds.length; at += 50) groups.push(rowIds.slice(at, at + 50))
    const found = await Promise.all(
      groups.map((group) => list(phase, tableId, [Q.equal('$id', group), Q.limit(group.length)])),
    )
    if (found.some((rows) => rows === undefined)) return undefined
    return new Set(found.flatMap((rows) => rows!.map((row) => row.$id)))
  }
  // Each booking's events, once: `created`, and the one its status implies.
  const events = new Map(
    rows.map((row) => {
      const current = eventOfStatus(rt.lock.normalize('booking', row) as Record<string, unknown>)
      const of: ChildEvent[] = current === undefined ? ['created'] : ['created', current.event]
      return [row.$id, of] as const
    }),
  )
  const eventIds = (childId: typeof childIds.systemMessage) =>
    rows.flatMap((row) => events.get(row.$id)!.map((event) => childId(row.$id, event)))
  const [rooms, messages, notifications] = await Promise.all([
    present(rt.tables.chatRoom, ids.map(childIds.chatRoom)),
    present(rt.tables.chatMessage, eventIds(childIds.systemMessage)),
    present(rt.tables.notification, eventIds(childIds.notification)),
  ])
  // A failed lookup proves nothing: those bookings are checked on the next pass.
  if (rooms === undefined || messages === undefined || notifications === undefined) return undefined
  return rows.filter(
    (row) =>
      !rooms.has(childIds.chatRoom(row.$id)) ||
      events
        .get(row.$id)!
        .some(
          (event) =>
            !messages.has(childIds.systemMessage(row.$id, event)) ||
            !notifications.has(childIds.notification(row.$id, event)),
        ),
  )
}

/** Files a live scheduled booking under its provider slot, to report duplicates. */
function trackSlot(slots: Map<string, BackendRow[]>, row: BackendRow): void {
  if (row.status !== 'pending' && row.status !== 'confirmed') return
  const providerId = row.providerId ?? row.therapistId
  const start = typeof row.scheduledAt === 'string' ? Date.parse(row.scheduledAt) : Number.NaN
  if (typeof providerId !== 'string' || Number.isNaN(start)) return
  const key = `${providerId}\u0000${start}`
  const list = slots.get(key)
  if (list === undefined) slots.set(key, [row])
  else list.push(row)
}
