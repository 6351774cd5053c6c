import type { BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import { BookingGuardError, isBookingStateError } from '../errors'
import { expireBooking, resolvePending } from './lifecycle'
import { deliverPush } from './push'
import type { PushableNotification } from './push'
import { CallBudget, capture, emit, iso, remote, removeRow } from './runtime'
import type { PendingAction, PipelineRuntime } from './runtime'

/** Options of one `guard.reconcile()` pass. */
export interface ReconcileOptions {
  /**
   * Only bookings (and pushes) left `pending` for longer than this, in milliseconds, are
   * touched, so a call still in flight is never raced. Keep it above the guard's `timeoutMs` +
   * `compensationTimeoutMs`. Defaults to `60_000`.
   */
  olderThanMs?: number
  /** Most rows handled per phase and pass. Defaults to `100`. */
  limit?: number
  /**
   * What to do with a booking left pending while still awaiting its provider: `complete` it (the
   * customer did book) or `compensate` it. Pending transitions are always completed. Defaults to
   * the guard's `reconcile.pending` (`'complete'`).
   */
  pending?: PendingAction
  /**
   * How far back, in milliseconds, the orphan sweep looks for chat rooms, system messages and
   * notifications whose booking is missing or failed. Defaults to `3_600_000` (1 hour).
   */
  orphanHorizonMs?: number
  /** Aborts the pass between items. */
  signal?: AbortSignal
}

/** One row the reconciler could not handle, and why. */
export interface ReconcileFailure {
  /** The row id. */
  readonly id: string
  /** What went wrong. */
  readonly message: string
}

/** The phases of a pass. */
export type ReconcilePhase = 'pending' | 'expired' | 'push' | 'orphans'

/** What a reconcile pass found and did. Plain JSON. */
export interface ReconcileReport {
  /** When the pass started, ISO 8601. */
  readonly startedAt: string
  /** Milliseconds the pass took. */
  readonly durationMs: number
  /** Bookings left `pending` (crashed tab, killed process, failed compensation). */
  readonly pending: {
    readonly found: number
    readonly completed: readonly string[]
    readonly compensated: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Bookings whose provider missed the response deadline. */
  readonly expired: {
    readonly found: number
    readonly expired: readonly string[]
    /** Changed by someone else meanwhile (accepted, cancelled). */
    readonly skipped: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Notifications whose push failed or never ran. */
  readonly push: {
    readonly found: number
    readonly sent: readonly string[]
    readonly skipped: readonly string[]
    readonly failed: readonly string[]
  }
  /** Rows whose booking is missing or failed (late writes, failed compensation). */
  readonly orphans: {
    readonly scanned: number
    readonly removed: readonly string[]
    readonly failed: readonly ReconcileFailure[]
  }
  /** Phases that could not run (e.g. a list query failed). */
  readonly errors: readonly { readonly phase: ReconcilePhase; readonly message: string }[]
}

const CONCURRENCY = 8
const ORPHAN_SCAN_PAGES = 10

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
 * One reconcile pass: finishes or compensates bookings left pending, expires bookings whose
 * response deadline passed, retries failed pushes, and removes orphaned rows. Idempotent and
 * safe to run as several instances at once: every write is create-or-get, a delete of a missing
 * row, or an update to the same values. Never throws for a row: failures are in the report.
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
  const action = options.pending ?? rt.settings.pendingAction
  if (
    !(olderThanMs >= 0) ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > 100 ||
    !(horizon >= 0)
  ) {
    throw new BookingGuardError(
      'CONFIGURATION',
      'reconcile: `olderThanMs` and `orphanHorizonMs` must be ≥ 0 ms and `limit` an integer of 1–100',
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
  const errors: { phase: ReconcilePhase; message: string }[] = []
  const signal = options.signal

  const list = async (
    phase: ReconcilePhase,
    tableId: string,
    queries: string[],
  ): Promise<BackendRow[]> => {
    const budget = new CallBudget(rt.clock, rt.settings.timeoutMs, signal)
    try {
      return (await remote(rt, () => rt.backend.list(tableId, queries), budget.signal)).rows
    } catch (error) {
      errors.push({ phase, message: message(error) })
      capture(rt, error, 'booking', 'error', `reconcile.${phase}`, { tableId })
      return []
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

  // 1. Bookings left pending.
  const pending = {
    found: 0,
    completed: [] as string[],
    compensated: [] as string[],
    failed: [] as ReconcileFailure[],
  }
  const pendingRows = await list('pending', rt.tables.booking, [
    Q.equal('pipelineStatus', 'pending'),
    Q.lessThan('$updatedAt', cutoff),
    Q.orderAsc('$updatedAt'),
    Q.limit(limit),
  ])
  pending.found = pendingRows.length
  await forEach(pendingRows, async (row) => {
    try {
      const outcome = await withBudget((s) => resolvePending(rt, row, action, s))
      ;(outcome === 'completed' ? pending.completed : pending.compensated).push(row.$id)
    } catch (error) {
      pending.failed.push({ id: row.$id, message: message(error) })
      capture(rt, error, 'booking', 'error', 'reconcile.pending', { bookingId: row.$id })
    }
  })

  // 2. Bookings whose provider missed the response deadline.
  const expired = {
    found: 0,
    expired: [] as string[],
    skipped: [] as string[],
    failed: [] as ReconcileFailure[],
  }
  const overdue = await list('expired', rt.tables.booking, [
    Q.equal('pipelineStatus', 'delivered'),
    Q.equal('status', 'pending'),
    Q.equal('providerResponseStatus', 'AwaitingResponse'),
    Q.lessThan('responseDeadline', iso(rt.clock.now())),
    Q.orderAsc('responseDeadline'),
    Q.limit(limit),
  ])
  expired.found = overdue.length
  await forEach(overdue, async (row) => {
    try {
      await expireBooking(rt, row.$id, signal)
      expired.expired.push(row.$id)
    } catch (error) {
      if (isBookingStateError(error)) expired.skipped.push(row.$id)
      else expired.failed.push({ id: row.$id, message: message(error) })
    }
  })

  // 3. Pushes that failed, or never ran (a serverless function frozen after its response).
  const push = { found: 0, sent: [] as string[], skipped: [] as string[], failed: [] as string[] }
  if (rt.pushSender !== undefined) {
    const [failedPushes, stalePushes] = await Promise.all([
      list('push', rt.tables.notification, [
        Q.equal('pushStatus', 'failed'),
        Q.or([Q.isNull('pushAttempts'), Q.lessThan('pushAttempts', rt.settings.maxPushAttempts)]),
        Q.limit(limit),
      ]),
      list('push', rt.tables.notification, [
        Q.equal('pushStatus', 'pending'),
        Q.lessThan('$updatedAt', cutoff),
        Q.limit(limit),
      ]),
    ])
    const rows = [...failedPushes, ...stalePushes]
    push.found = rows.length
    await forEach(rows, async (row) => {
      const notification = rt.lock.normalize('notification', row) as unknown as PushableNotification
      const outcome = await deliverPush(rt, notification)
      push[outcome === 'failed' ? 'failed' : outcome === 'sent' ? 'sent' : 'skipped'].push(row.$id)
    })
  }

  // 4. Orphans: rows whose booking is missing or failed.
  const orphans = { scanned: 0, removed: [] as string[], failed: [] as ReconcileFailure[] }
  const since = iso(started - horizon)
  const candidates: Array<{ tableId: string; row: BackendRow }> = []
  const scan = async (tableId: string, filters: string[]) => {
    let cursor: string | undefined
    for (let page = 0; page < ORPHAN_SCAN_PAGES; page++) {
      const queries = [
        ...filters,
        Q.greaterThan('$createdAt', since),
        Q.lessThan('$createdAt', cutoff),
        Q.orderAsc('$createdAt'),
        Q.limit(limit),
      ]
      if (cursor !== undefined) queries.push(Q.cursorAfter(cursor))
      const rows = await list('orphans', tableId, queries)
      for (const row of rows) candidates.push({ tableId, row })
      if (rows.length < limit) return
      cursor = rows[rows.length - 1]!.$id
    }
  }
  await Promise.all([
    scan(rt.tables.chatRoom, []),
    scan(rt.tables.chatMessage, [Q.equal('senderType', 'system')]),
    scan(rt.tables.notification, []),
  ])
  orphans.scanned = candidates.length
  const bookingIds = [
    ...new Set(
      candidates.map(({ row }) => bookingIdOf(row)).filter((id): id is string => id !== undefined),
    ),
  ]
  const live = new Map<string, unknown>()
  let lookupFailed = false
  for (let i = 0; i < bookingIds.length; i += 100) {
    const chunk = bookingIds.slice(i, i + 100)
    const before = errors.length
    const rows = await list('orphans', rt.tables.booking, [
      Q.equal('$id', chunk),
      Q.limit(chunk.length),
    ])
    if (errors.length > before) lookupFailed = true
    for (const row of rows) live.set(row.$id, row.pipelineStatus)
  }
  if (!lookupFailed) {
    const doomed = candidates.filter(({ row }) => {
      const bookingId = bookingIdOf(row)
      if (bookingId === undefined) return false
      return !live.has(bookingId) || live.get(bookingId) === 'failed'
    })
    await forEach(doomed, async ({ tableId, row }) => {
      const error = await withBudget((s) => removeRow(rt, tableId, row.$id, s))
      if (error === undefined) orphans.removed.push(`${tableId}/${row.$id}`)
      else orphans.failed.push({ id: `${tableId}/${row.$id}`, message: message(error) })
    })
  }

  const report: ReconcileReport = {
    startedAt: iso(started),
    durationMs: rt.clock.now() - started,
    pending,
    expired,
    push,
    orphans,
    errors,
  }
  emit(rt, () => ({ type: 'reconciled', at: rt.clock.now(), report }))
  return report
}
