// What the old code left behind in an app's database: every row read with cursor pagination and
// checked against the mapping (the schema lock) and the pipeline's guarantees.
import { createAppwriteBackend } from '../backend/appwriteBackend'
import { mapBackend } from '../schema/mappedBackend'
import type { Backend, BackendRow } from '../backend/appwriteBackend'
import { Q } from '../backend/queries'
import type { DatabasesLike, TablesDBLike } from '../backend/types'
import { systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError } from '../errors'
import { isCompensated } from '../pipeline/voided'
import { classifyAppwriteError } from '../resilience/classifyError'
import type { ExecutionPolicy } from '../resilience/retryPolicy'
import { legacyValueColumns } from '../schema/mapping'
import { createSchemaLock, valueMappingsOf, writeMappingOf } from '../schema/schemaLock'
import type { SchemaLock } from '../schema/schemaLock'
import type { TableKind } from '../schema/schemas'
import { AUDIT_PROBLEM_CODES } from './problemCodes'
import type { AuditProblemCode } from './problemCodes'

export { AUDIT_PROBLEM_CODES } from './problemCodes'
export type { AuditProblemCode } from './problemCodes'

/** One thing an audit found, on one row. */
export interface AuditProblem {
  /** What is wrong. */
  readonly code: AuditProblemCode
  /** The role of the row (for a misplaced row: the role it belongs to). */
  readonly kind: TableKind
  /** The table or collection holding the row. */
  readonly tableId: string
  /** The row (document) id. */
  readonly rowId: string
  /** The booking the row belongs to, when known. */
  readonly bookingId: string | undefined
  /** The fields concerned (legacy names, legacy-valued columns, open permissions). */
  readonly fields: readonly string[]
  /** One sentence: what is wrong and what `repair` does about it. */
  readonly message: string
}

/** Options of {@link auditData}. */
export interface AuditDataOptions {
  /** The TablesDB service (Appwrite ≥ 1.8) with an API key. Give this or `databases`. */
  tablesDB?: TablesDBLike
  /** The legacy Databases service with an API key. Give this or `tablesDB`. */
  databases?: DatabasesLike
  /** The database holding the app's tables. */
  databaseId: string
  /**
   * The schema lock describing the app's schema: table ids, legacy field names (`aliases`) and
   * enum spellings (`values`). Defaults to `createSchemaLock()` (booking-guard's own names).
   */
  lock?: SchemaLock
  /**
   * Tables or collections outside the mapping where old code also wrote notifications or chat
   * messages (e.g. `['messages']`); their rows are reported as misplaced. A listed table that
   * does not exist is skipped. Defaults to `[]`.
   */
  strayTables?: readonly string[]
  /**
   * How long a booking may stay pending, in milliseconds since it was made, before it counts as
   * stuck (a passed `responseDeadline` also counts). Defaults to `86_400_000` (one day).
   */
  stuckAfterMs?: number
  /**
   * Rows per list request, 1 to 5000. Large pages mean fewer round trips and fewer cursor lookups
   * (on the fake, each page scans the table); lower it for very wide rows. Defaults to `5000`.
   */
  pageSize?: number
  /** Source of "now" for stuck bookings. Defaults to `systemClock`. */
  clock?: Clock
  /** Cancels the audit between two requests. */
  signal?: AbortSignal
  /**
   * The policy every request runs under, e.g. `createRetryPolicy({ maxAttempts: 5 })` so a 503 in
   * the middle of a long read is retried instead of ending the run. Defaults to none: one attempt.
   */
  retry?: ExecutionPolicy
}

/** What {@link auditData} found. */
export interface AuditReport {
  /** `true` when no problem was found. */
  readonly ok: boolean
  /** The database audited. */
  readonly databaseId: string
  /** Which API was read. */
  readonly api: 'tablesDB' | 'databases'
  /** When the audit ran, ISO 8601 (the audit's clock). */
  readonly checkedAt: string
  /** Rows read per table. */
  readonly scanned: Readonly<Record<string, number>>
  /** Problems per code (every code present, `0` when none). */
  readonly counts: Readonly<Record<AuditProblemCode, number>>
  /** Every problem, sorted by code, table and row id. */
  readonly problems: readonly AuditProblem[]
}

const OPEN_ROLES = new Set(['any', 'guests', 'users', 'users/verified', 'users/unverified'])
const PERMISSION = /^([a-z]+)\("([^"]*)"\)$/
const LIVE_STATUSES = new Set(['pending', 'confirmed'])
const DEFAULT_PAGE_SIZE = 5000
const DEFAULT_STUCK_AFTER_MS = 86_400_000

/** A row with the facts the checks and the repair need. @internal */
export interface ScannedRow {
  readonly kind: TableKind
  readonly tableId: string
  /** As read. */
  readonly raw: BackendRow
  /** Normalized by the lock (canonical names and values). */
  readonly row: Record<string, unknown>
}

/** The database as the audit read it, with the problems found. @internal */
export interface AuditScan {
  readonly backend: Backend
  readonly lock: SchemaLock
  readonly tables: Readonly<Record<'booking' | 'chatRoom' | 'chatMessage' | 'notification', string>>
  readonly bookings: ReadonlyMap<string, ScannedRow>
  /** Chat room per booking id (the first one read). */
  readonly roomOf: ReadonlyMap<string, ScannedRow>
  /** Rows by `tableId/rowId`, for every row a problem names. */
  readonly rows: ReadonlyMap<string, ScannedRow>
  /** For a duplicate: the booking that keeps the slot. */
  readonly keeperOf: ReadonlyMap<string, string>
  readonly report: AuditReport
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The open roles among a row's permissions (`read("any")` → `any`). @internal */
export function openRoles(permissions: readonly string[] | undefined): string[] {
  const open: string[] = []
  for (const permission of permissions ?? []) {
    const role = PERMISSION.exec(permission)?.[2]
    if (role !== undefined && OPEN_ROLES.has(role)) open.push(permission)
  }
  return open
}

/** Reads every row of a table, page by page (`cursorAfter`); 404 on a stray table yields none. */
async function readAll(
  backend: Backend,
  tableId: string,
  pageSize: number,
  signal: AbortSignal | undefined,
  onRow: (row: BackendRow) => void,
): Promise<number> {
  let cursor: string | undefined
  let count = 0
  for (;;) {
    signal?.throwIfAborted()
    const queries = [Q.limit(pageSize)]
    if (cursor !== undefined) queries.push(Q.cursorAfter(cursor))
    const page = await backend.list(tableId, queries)
    for (const row of page.rows) onRow(row)
    count += page.rows.length
    if (page.rows.length < pageSize) return count
    cursor = page.rows[page.rows.length - 1]!.$id
  }
}

function wrapRead(error: unknown, databaseId: string, tableId: string): Error {
  const reason = error instanceof Error ? error.message : String(error)
  return new Error(
    `auditData: reading \`${tableId}\` in database \`${databaseId}\` failed (${reason}); check the table id in the lock's \`tableIds\` and that the API key has databases.read`,
    { cause: error },
  )
}

/** Whether a row read from a stray table is a notification, a chat message, or neither. */
function strayKind(lock: SchemaLock, raw: BackendRow): 'notification' | 'chatMessage' | undefined {
  const asNotification = lock.normalize('notification', raw) as Record<string, unknown>
  if (
    str(asNotification.recipientId) !== undefined &&
    (str(asNotification.title) !== undefined || str(asNotification.type) !== undefined)
  ) {
    return 'notification'
  }
  const asMessage = lock.normalize('chatMessage', raw) as Record<string, unknown>
  if (
    str(asMessage.content) !== undefined &&
    (str(asMessage.roomId) !== undefined || str(asMessage.bookingId) !== undefined)
  ) {
    return 'chatMessage'
  }
  return undefined
}

function isSystemMessage(row: Record<string, unknown>): boolean {
  return row.senderType === 'system' || row.messageType === 'system'
}

/**
 * Reads the whole database and finds the problems. @internal
 */
export async function scanDatabase(
  options: AuditDataOptions,
  providerUser: (providerId: string) => string = (id) => id,
): Promise<AuditScan> {
  const { databaseId } = options
  const lock = options.lock ?? createSchemaLock()
  // Repair writes under the app's names and spellings; the audit reads rows as they are stored.
  const direct = mapBackend(
    createAppwriteBackend({
      tablesDB: options.tablesDB,
      databases: options.databases,
      databaseId,
    }),
    lock,
    { reads: false },
  )
  const backend =
    options.retry === undefined ? direct : underPolicy(direct, options.retry, options.signal)
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `auditData: \`pageSize\` must be an integer from 1 to 5000, got \`${String(pageSize)}\``,
    )
  }
  const stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS
  if (!(stuckAfterMs >= 0)) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `auditData: \`stuckAfterMs\` must be a number of milliseconds ≥ 0, got \`${String(stuckAfterMs)}\``,
    )
  }
  const now = (options.clock ?? systemClock).now()
  const tables = {
    booking: lock.tableId('booking'),
    chatRoom: lock.tableId('chatRoom'),
    chatMessage: lock.tableId('chatMessage'),
    notification: lock.tableId('notification'),
  }
  const mapped = new Set(Object.values(tables))
  for (const stray of options.strayTables ?? []) {
    if (mapped.has(stray)) {
      throw new BookingGuardError(
        'CONFIGURATION',
        `auditData: stray table \`${stray}\` is also a mapped table; list only tables outside the mapping in \`strayTables\``,
      )
    }
  }

  const problems: AuditProblem[] = []
  const rows = new Map<string, ScannedRow>()
  const scanned: Record<string, number> = {}
  const bookings = new Map<string, ScannedRow>()
  const roomOf = new Map<string, ScannedRow>()
  const systemMessageOf = new Set<string>()
  const recipientsOf = new Map<string, string[]>()
  const keeperOf = new Map<string, string>()

  const add = (
    scannedRow: ScannedRow,
    code: AuditProblemCode,
    message: string,
    fields: readonly string[] = [],
    kind: TableKind = scannedRow.kind,
  ) => {
    const rowId = scannedRow.raw.$id
    rows.set(`${scannedRow.tableId}/${rowId}`, scannedRow)
    problems.push({
      code,
      kind,
      tableId: scannedRow.tableId,
      rowId,
      bookingId: kind === 'booking' ? rowId : str(scannedRow.row.bookingId),
      fields,
      message,
    })
  }

  // Checks every mapped row has: permissions, legacy names, legacy values.
  const common = (scannedRow: ScannedRow) => {
    const open = openRoles(scannedRow.raw.$permissions)
    if (open.length > 0) {
      add(
        scannedRow,
        'openPermissions',
        `readable or writable by ${open.join(', ')}: repair limits it to its participants and the admin roles`,
        open,
      )
    }
    const aliases = lock.aliases(scannedRow.kind)
    const write = writeMappingOf(lock, scannedRow.kind)
    // The app's own column names (`columnNames`) are what booking-guard writes: not legacy.
    const legacy = Object.keys(scannedRow.raw).filter(
      (key) =>
        Object.prototype.hasOwnProperty.call(aliases, key) &&
        write?.canonicalOf.has(key) !== true &&
        scannedRow.raw[key] !== null &&
        scannedRow.raw[key] !== undefined,
    )
    if (legacy.length > 0) {
      add(
        scannedRow,
        'legacyFields',
        // The values go where booking-guard writes: the app's own name (`columnNames`) or the canonical one.
        `written with legacy ${legacy.map((k) => `\`${k}\` (for \`${write?.names.get(aliases[k]!) ?? aliases[k]}\`)`).join(', ')}: repair --rewrite-legacy moves the values there`,
        legacy,
      )
    }
    const values = legacyValueColumns(
      valueMappingsOf(lock, scannedRow.kind),
      scannedRow.raw,
      write?.values,
    )
    if (values.length > 0) {
      add(
        scannedRow,
        'legacyValue',
        `${values.map((c) => `\`${c}\` is \`${String(scannedRow.raw[c])}\``).join(', ')} (old spelling): repair --rewrite-legacy writes the canonical value`,
        values,
      )
    }
  }

  const read = async (tableId: string, onRow: (raw: BackendRow) => void, stray = false) => {
    try {
      scanned[tableId] = await readAll(backend, tableId, pageSize, options.signal, onRow)
    } catch (error) {
      if (stray && isMissingTable(error)) return
      throw wrapRead(error, databaseId, tableId)
    }
  }

  /** A row of `kind` read from `tableId`, normalized by the lock. */
  const scan = (kind: TableKind, tableId: string, raw: BackendRow): ScannedRow => ({
    kind,
    tableId,
    raw,
    row: lock.normalize(kind, raw),
  })

  await read(tables.booking, (raw) => {
    const scannedRow = scan('booking', tables.booking, raw)
    bookings.set(raw.$id, scannedRow)
    common(scannedRow)
  })
  await read(tables.chatRoom, (raw) => {
    const scannedRow = scan('chatRoom', tables.chatRoom, raw)
    const row = scannedRow.row
    const bookingId = str(row.bookingId) ?? raw.$id
    if (!roomOf.has(bookingId)) roomOf.set(bookingId, scannedRow)
    common(scannedRow)
  })
  const message = (scannedRow: ScannedRow) => {
    const bookingId = str(scannedRow.row.bookingId) ?? str(scannedRow.row.roomId)
    if (bookingId !== undefined && isSystemMessage(scannedRow.row)) systemMessageOf.add(bookingId)
  }
  const notification = (scannedRow: ScannedRow) => {
    const bookingId = str(scannedRow.row.bookingId)
    const recipientId = str(scannedRow.row.recipientId)
    if (bookingId === undefined || recipientId === undefined) return
    const list = recipientsOf.get(bookingId)
    if (list === undefined) recipientsOf.set(bookingId, [recipientId])
    else list.push(recipientId)
  }
  await read(tables.chatMessage, (raw) => {
    const scannedRow = scan('chatMessage', tables.chatMessage, raw)
    message(scannedRow)
    common(scannedRow)
  })
  await read(tables.notification, (raw) => {
    const scannedRow = scan('notification', tables.notification, raw)
    notification(scannedRow)
    common(scannedRow)
  })
  for (const stray of options.strayTables ?? []) {
    await read(
      stray,
      (raw) => {
        const kind = strayKind(lock, raw)
        if (kind === undefined) return
        const scannedRow = scan(kind, stray, raw)
        // Counted as present: repair moves it where it belongs.
        if (kind === 'notification') notification(scannedRow)
        else message(scannedRow)
        add(
          scannedRow,
          'misplacedRow',
          `a ${kind === 'notification' ? 'notification' : 'chat message'} in \`${stray}\`, not in \`${tables[kind]}\`: repair moves it there (same id)`,
        )
      },
      true,
    )
  }

  // Per booking: children, stuck, slots.
  const slots = new Map<string, ScannedRow[]>()
  for (const [bookingId, scannedRow] of bookings) {
    const row = scannedRow.row
    if (isCompensated(row)) continue
    if (!roomOf.has(bookingId)) {
      add(scannedRow, 'missingChatRoom', 'no chat room: repair creates it (id = booking id)')
    }
    if (!systemMessageOf.has(bookingId)) {
      add(
        scannedRow,
        'missingSystemMessage',
        'no system message in its chat room: repair writes "booking received"',
      )
    }
    const providerId = str(row.providerId)
    if (providerId !== undefined) {
      const recipients = recipientsOf.get(bookingId) ?? []
      if (!recipients.includes(providerId) && !recipients.includes(providerUser(providerId))) {
        add(
          scannedRow,
          'missingNotification',
          `provider \`${providerId}\` was never notified: repair writes the booking notice`,
        )
      }
    }
    if (row.status === 'pending') {
      const deadline = Date.parse(String(row.responseDeadline ?? ''))
      const created = Date.parse(scannedRow.raw.$createdAt)
      if (deadline < now || (Number.isNaN(deadline) && created + stuckAfterMs < now)) {
        add(
          scannedRow,
          'stuckPending',
          `pending since ${scannedRow.raw.$createdAt}: repair expires it and tells the customer`,
        )
      }
    }
    const scheduledAt = Date.parse(String(row.scheduledAt ?? ''))
    if (
      providerId !== undefined &&
      !Number.isNaN(scheduledAt) &&
      LIVE_STATUSES.has(String(row.status))
    ) {
      const key = `${providerId}\u0000${scheduledAt}`
      const list = slots.get(key)
      if (list === undefined) slots.set(key, [scannedRow])
      else list.push(scannedRow)
    }
  }
  for (const list of slots.values()) {
    if (list.length < 2) continue
    list.sort(
      (a, b) =>
        a.raw.$createdAt.localeCompare(b.raw.$createdAt) || a.raw.$id.localeCompare(b.raw.$id),
    )
    const keeper = list[0]!.raw.$id
    for (const duplicate of list.slice(1)) {
      keeperOf.set(duplicate.raw.$id, keeper)
      add(
        duplicate,
        'duplicateSlot',
        `the slot is already held by \`${keeper}\` (booked earlier): repair --cancel-duplicates cancels this one and tells the customer`,
      )
    }
  }

  const order = new Map(AUDIT_PROBLEM_CODES.map((code, i) => [code, i]))
  problems.sort(
    (a, b) =>
      order.get(a.code)! - order.get(b.code)! ||
      a.tableId.localeCompare(b.tableId) ||
      a.rowId.localeCompare(b.rowId),
  )
  const counts = Object.fromEntries(AUDIT_PROBLEM_CODES.map((code) => [code, 0])) as Record<
    AuditProblemCode,
    number
  >
  for (const problem of problems) counts[problem.code]++
  return {
    backend,
    lock,
    tables,
    bookings,
    roomOf,
    rows,
    keeperOf,
    report: {
      ok: problems.length === 0,
      databaseId,
      api: backend.api,
      checkedAt: new Date(now).toISOString(),
      scanned,
      counts,
      problems,
    },
  }
}

/** A backend whose every request runs under `policy`. */
function underPolicy(
  backend: Backend,
  policy: ExecutionPolicy,
  signal: AbortSignal | undefined,
): Backend {
  const run = <T>(request: () => Promise<T>): Promise<T> =>
    policy.execute(() => request(), signal === undefined ? {} : { signal })
  return {
    api: backend.api,
    databaseId: backend.databaseId,
    transactions: undefined,
    create: (tableId, rowId, data, permissions) =>
      run(() => backend.create(tableId, rowId, data, permissions)),
    get: (tableId, rowId) => run(() => backend.get(tableId, rowId)),
    list: (tableId, queries) => run(() => backend.list(tableId, queries)),
    update: (tableId, rowId, data, permissions) =>
      run(() => backend.update(tableId, rowId, data, permissions)),
    upsert: (tableId, rowId, data, permissions) =>
      run(() => backend.upsert(tableId, rowId, data, permissions)),
    remove: (tableId, rowId) => run(() => backend.remove(tableId, rowId)),
  }
}

function isMissingTable(error: unknown): boolean {
  const type = classifyAppwriteError(error).type
  return type === 'table_not_found' || type === 'collection_not_found'
}

/**
 * Reads every row of an app's booking tables (cursor pagination, TablesDB or the legacy
 * Databases API) and reports what old code left behind: bookings without chat room, system
 * message or provider notification; notifications and messages in the wrong table; rows open to
 * `any`, `guests` or `users`; legacy field names and enum spellings; bookings stuck pending; two
 * live bookings for one slot. Changes nothing. Use {@link repairData} to fix what it finds.
 *
 * @example
 * ```ts
 * import { Client, Databases } from 'node-appwrite'
 * import { createSchemaLock } from '@booking-guard/core'
 * import { auditData, formatAuditReport } from '@booking-guard/core/admin'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(project).setKey(apiKey)
 * const report = await auditData({
 *   databases: new Databases(client),
 *   databaseId: 'main',
 *   lock: createSchemaLock({
 *     tableIds: { booking: 'bookings_collection_id' },
 *     aliases: { notification: { userId: 'recipientId', isRead: 'read' } },
 *     values: { booking: { status: { Pending: 'pending' } } },
 *   }),
 *   strayTables: ['messages'],
 * })
 * console.log(formatAuditReport(report))
 * ```
 */
export async function auditData(options: AuditDataOptions): Promise<AuditReport> {
  return (await scanDatabase(options)).report
}

const TITLES: Readonly<Record<AuditProblemCode, string>> = {
  missingChatRoom: 'bookings without a chat room',
  missingSystemMessage: 'bookings without a system message',
  missingNotification: 'bookings whose provider was never notified',
  misplacedRow: 'rows in the wrong table',
  openPermissions: 'rows open to any, guests or users',
  legacyFields: 'rows with legacy field names',
  legacyValue: 'rows with old value spellings',
  stuckPending: 'bookings stuck pending',
  duplicateSlot: 'second live bookings for one slot',
}

/** The audit as text: rows read, then each kind of problem with the rows concerned. */
export function formatAuditReport(report: AuditReport, maxRowsPerCode = 10): string {
  const lines: string[] = []
  const read = Object.entries(report.scanned)
    .map(([table, count]) => `${count} in ${table}`)
    .join(', ')
  lines.push(`Audit of database \`${report.databaseId}\` (${report.api} API): read ${read}.`)
  if (report.ok) {
    lines.push('✓ nothing to repair')
    return lines.join('\n')
  }
  for (const code of AUDIT_PROBLEM_CODES) {
    const count = report.counts[code]
    if (count === 0) continue
    lines.push(`✗ ${count} ${TITLES[code]} [${code}]`)
    const found = report.problems.filter((p) => p.code === code)
    for (const problem of found.slice(0, maxRowsPerCode)) {
      lines.push(`    ${problem.tableId}/${problem.rowId}: ${problem.message}`)
    }
    if (found.length > maxRowsPerCode) lines.push(`    … and ${found.length - maxRowsPerCode} more`)
  }
  lines.push(
    `${report.problems.length} problems. Next: booking-guard repair --dry-run, then --apply.`,
  )
  return lines.join('\n')
}
