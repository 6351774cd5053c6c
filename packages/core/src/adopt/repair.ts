// Fixes what the audit found, with the pipeline's own row builders and derived ids: every write is
// create-or-get or an idempotent update, so a rerun after a crash finishes the job, two runs at
// once do not conflict, and no booking is ever deleted.
import type { BackendRow } from '../backend/appwriteBackend'
import { createPermissionRules } from '../pipeline/permissions'
import type { PermissionsOptions } from '../pipeline/permissions'
import { childIds } from '../pipeline/ids'
import { chatRoomWrite, transitionWrites } from '../pipeline/rows'
import type { BookingFacts, RowContext } from '../pipeline/rows'
import type { WriteSpec } from '../pipeline/types'
import type { ChildEvent } from '../pipeline/ids'
import { BookingGuardError } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import { valueMappingsOf, writeMappingOf } from '../schema/schemaLock'
import type { TableKind } from '../schema/schemas'
import { openRoles, scanDatabase } from './audit'
import type {
  AuditDataOptions,
  AuditProblem,
  AuditProblemCode,
  AuditReport,
  ScannedRow,
} from './audit'
import type { AuditScan } from './audit'

/** Options of {@link repairData}: those of the audit, plus what to change. */
export interface RepairDataOptions extends AuditDataOptions {
  /** `'dryRun'` lists the changes and writes nothing; `'apply'` makes them. Required. */
  mode: 'dryRun' | 'apply'
  /**
   * Admin roles added to every row's permissions, and how a provider id maps to its user id, as
   * in `createBookingGuard({ permissions })`. Defaults to no admin role and the identity mapping.
   */
  permissions?: PermissionsOptions
  /**
   * Whether to move values written under legacy field names to the canonical names (the legacy
   * field is set to `null`) and rewrite old enum spellings. Only when no old code reads them any
   * more. Defaults to `false`: those rows are reported as skipped.
   */
  rewriteLegacy?: boolean
  /**
   * What to do with a second live booking for a slot: `'cancel'` cancels it (status
   * `cancelled`, a system message and a notice to its customer); `'keep'` leaves it for a person
   * to decide and reports it as skipped. The booking booked first always keeps the slot.
   * Defaults to `'keep'`.
   */
  duplicateSlots?: 'keep' | 'cancel'
  /** Rows repaired at once (each row's own changes run one after another). Defaults to `25`. */
  batchSize?: number
  /** How long a new chat room stays open after the session, in milliseconds. Defaults to `86_400_000`. */
  chatRoomTtlMs?: number
  /** Called for every change as it is planned (dry run) or made (apply), e.g. to log progress. */
  onChange?: (change: RepairChange) => void
}

/** One change of a repair. */
export interface RepairChange {
  /** `create`: a missing row (create-or-get); `update`: fields or permissions; `move`: copy to the mapped table, then delete the stray copy. */
  readonly action: 'create' | 'update' | 'move'
  /** The table written (for `move`: the mapped table it is copied to). */
  readonly tableId: string
  /** The row written. */
  readonly rowId: string
  /** The booking it concerns, when known. */
  readonly bookingId: string | undefined
  /** The audit problems it fixes. */
  readonly fixes: readonly AuditProblemCode[]
  /** What it writes, in words. */
  readonly detail: string
  /**
   * `planned` (dry run), `applied`, `alreadyDone` (another run, or an earlier crashed one, made
   * it), or `conflict` (a different row already holds the derived id: left alone).
   */
  readonly outcome: 'planned' | 'applied' | 'alreadyDone' | 'conflict'
}

/** A problem repair leaves as it is, and why. */
export interface RepairSkip {
  /** The problem. */
  readonly problem: AuditProblem
  /** Why it was not fixed, and what to do. */
  readonly reason: string
}

/** What {@link repairData} did (or, in a dry run, would do). */
export interface RepairReport {
  /** Whether nothing was written. */
  readonly dryRun: boolean
  /** The audit the repair started from. */
  readonly audit: AuditReport
  /** Every change, in the order made. */
  readonly changes: readonly RepairChange[]
  /** Problems left as they are. */
  readonly skipped: readonly RepairSkip[]
}

const DEFAULT_BATCH_SIZE = 25
const DAY_MS = 86_400_000

interface Step {
  readonly action: RepairChange['action']
  readonly tableId: string
  readonly rowId: string
  readonly bookingId: string | undefined
  readonly fixes: AuditProblemCode[]
  readonly detail: string
  readonly run: () => Promise<RepairChange['outcome']>
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A row's data without Appwrite's system fields. */
function dataOf(raw: BackendRow): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) if (!key.startsWith('$')) data[key] = value
  return data
}

/** The row's permissions without open roles, plus the ones it must have. */
function tightened(existing: readonly string[] | undefined, required: readonly string[]): string[] {
  const open = new Set(openRoles(existing))
  const out = new Set(required)
  for (const permission of existing ?? []) if (!open.has(permission)) out.add(permission)
  return [...out]
}

function isAlreadyThere(error: unknown): boolean {
  return classifyAppwriteError(error).alreadyExists
}

function isGone(error: unknown): boolean {
  const type = classifyAppwriteError(error).type
  return type === 'row_not_found' || type === 'document_not_found'
}

function failed(step: Step, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error)
  return new Error(
    `repairData: ${step.action} of \`${step.tableId}/${step.rowId}\` failed (${reason}); nothing was undone: run the repair again to finish (every change is idempotent)`,
    { cause: error },
  )
}

/**
 * Fixes what {@link auditData} finds: creates a booking's missing chat room, system message and
 * provider notification with the pipeline's derived ids (create-or-get), moves notifications and
 * messages from stray tables to the mapped ones, limits open rows to their participants and the
 * admin roles, expires bookings stuck pending, and, when asked, rewrites legacy field names and
 * values and cancels second bookings of a slot. Never deletes a booking. Idempotent and safe to
 * run twice at once: after a crash, run it again.
 *
 * @example
 * ```ts
 * import { repairData } from '@booking-guard/core/admin'
 *
 * const plan = await repairData({ databases, databaseId: 'main', lock, mode: 'dryRun' })
 * for (const change of plan.changes) console.log(change.action, change.tableId, change.rowId, change.detail)
 * const done = await repairData({
 *   databases, databaseId: 'main', lock, mode: 'apply',
 *   permissions: { adminRoles: ['team:support'] },
 * })
 * ```
 */
export async function repairData(options: RepairDataOptions): Promise<RepairReport> {
  if (options.mode !== 'dryRun' && options.mode !== 'apply') {
    throw new BookingGuardError(
      'CONFIGURATION',
      `repairData: \`mode\` must be 'dryRun' or 'apply', got \`${String(options.mode)}\``,
    )
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `repairData: \`batchSize\` must be a positive integer, got \`${String(batchSize)}\``,
    )
  }
  const duplicateSlots = options.duplicateSlots ?? 'keep'
  const rules = createPermissionRules(options.permissions)
  const scan = await scanDatabase(options, rules.providerUser)
  const ctx: RowContext = {
    tables: scan.tables,
    settings: { chatRoomTtlMs: options.chatRoomTtlMs ?? DAY_MS },
    permissions: rules,
    pushSender: undefined,
  }
  const now = Date.parse(scan.report.checkedAt)
  const dryRun = options.mode === 'dryRun'
  const skipped: RepairSkip[] = []
  const changes: RepairChange[] = []
  const record = (step: Step, outcome: RepairChange['outcome']) => {
    const change: RepairChange = {
      action: step.action,
      tableId: step.tableId,
      rowId: step.rowId,
      bookingId: step.bookingId,
      fixes: step.fixes,
      detail: step.detail,
      outcome,
    }
    changes.push(change)
    options.onChange?.(change)
  }

  // Problems by row, in the audit's order of rows.
  const groups = new Map<string, AuditProblem[]>()
  for (const problem of scan.report.problems) {
    const key = `${problem.tableId}/${problem.rowId}`
    const list = groups.get(key)
    if (list === undefined) groups.set(key, [problem])
    else list.push(problem)
  }

  const plans: Step[][] = []
  for (const [key, problems] of groups) {
    const scanned = scan.rows.get(key)!
    const steps = planRow(scan, ctx, scanned, problems, {
      now,
      rewriteLegacy: options.rewriteLegacy === true,
      duplicateSlots,
      skip: (problem, reason) => skipped.push({ problem, reason }),
    })
    if (steps.length > 0) plans.push(steps)
  }

  if (dryRun) {
    for (const steps of plans) for (const step of steps) record(step, 'planned')
    return { dryRun, audit: scan.report, changes, skipped }
  }
  for (let i = 0; i < plans.length; i += batchSize) {
    options.signal?.throwIfAborted()
    const batch = plans.slice(i, i + batchSize)
    const results = await Promise.allSettled(
      batch.map(async (steps) => {
        for (const step of steps) {
          let outcome: RepairChange['outcome']
          try {
            outcome = await step.run()
          } catch (error) {
            throw failed(step, error)
          }
          record(step, outcome)
        }
      }),
    )
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  }
  return { dryRun, audit: scan.report, changes, skipped }
}

interface PlanOptions {
  readonly now: number
  readonly rewriteLegacy: boolean
  readonly duplicateSlots: 'keep' | 'cancel'
  readonly skip: (problem: AuditProblem, reason: string) => void
}

/** The booking facts the row builders need, with safe defaults for what legacy rows lack. */
function factsOf(row: Record<string, unknown>): BookingFacts | undefined {
  const customerId = str(row.customerId)
  const providerId = str(row.providerId)
  if (customerId === undefined || providerId === undefined) return undefined
  const scheduledAt = str(row.scheduledAt)
  const duration = row.durationMinutes
  return {
    customerId,
    providerId,
    customerName: str(row.customerName) ?? 'Customer',
    providerName: str(row.providerName) ?? 'Provider',
    providerType: row.providerType === 'place' ? 'place' : 'therapist',
    bookingType:
      row.bookingType === 'immediate' || row.bookingType === 'scheduled'
        ? row.bookingType
        : scheduledAt === undefined
          ? 'immediate'
          : 'scheduled',
    durationMinutes: typeof duration === 'number' && duration > 0 ? duration : 60,
    scheduledAt: scheduledAt ?? null,
  }
}

/** The participants of a child row: from its booking, else from its chat room. */
function participantsOf(scan: AuditScan, scanned: ScannedRow): BookingFacts | undefined {
  const bookingId = str(scanned.row.bookingId) ?? str(scanned.row.roomId)
  if (bookingId === undefined) return undefined
  const booking = scan.bookings.get(bookingId) ?? scan.roomOf.get(bookingId)
  return booking === undefined ? undefined : factsOf(booking.row)
}

function requiredPermissions(
  ctx: RowContext,
  kind: TableKind,
  row: Record<string, unknown>,
  facts: BookingFacts,
): readonly string[] {
  switch (kind) {
    case 'chatMessage':
      return ctx.permissions.message(facts.customerId, facts.providerId)
    case 'notification': {
      const recipientId = str(row.recipientId) ?? facts.providerId
      const user =
        row.recipientType === 'customer' || recipientId === facts.customerId
          ? recipientId
          : ctx.permissions.providerUser(recipientId)
      return ctx.permissions.recipient(user)
    }
    case 'booking':
      return ctx.permissions.booking(facts.customerId, facts.providerId)
    default:
      return ctx.permissions.participants(facts.customerId, facts.providerId)
  }
}

/** The value to write for a canonical enum value: the app's spelling unless rewriting legacy. */
function appValue(
  scan: AuditScan,
  kind: TableKind,
  column: string,
  canonical: string,
  rewriteLegacy: boolean,
): string {
  // A spelling the lock writes (`writeValues`) is applied where every write goes out.
  if (rewriteLegacy || writeMappingOf(scan.lock, kind)?.values.has(column) === true) {
    return canonical
  }
  for (const [legacy, target] of valueMappingsOf(scan.lock, kind)?.get(column) ?? []) {
    if (target === canonical) return legacy
  }
  return canonical
}

/** Create-or-get: `alreadyDone` when the same row is there, `conflict` when another one is. */
async function createOrGet(scan: AuditScan, spec: WriteSpec, kind: TableKind) {
  try {
    await scan.backend.create(spec.tableId, spec.rowId, spec.data, spec.permissions)
    return 'applied' as const
  } catch (error) {
    if (!isAlreadyThere(error)) throw error
  }
  const existing = await scan.backend.get(spec.tableId, spec.rowId)
  const row = scan.lock.normalize(kind, existing) as BackendRow
  return spec.matches(row, spec) ? ('alreadyDone' as const) : ('conflict' as const)
}

function planRow(
  scan: AuditScan,
  ctx: RowContext,
  scanned: ScannedRow,
  problems: readonly AuditProblem[],
  options: PlanOptions,
): Step[] {
  const steps: Step[] = []
  const { raw, row, kind, tableId } = scanned
  const rowId = raw.$id
  const codes = new Set(problems.map((p) => p.code))
  const problem = (code: AuditProblemCode) => problems.find((p) => p.code === code)!
  const bookingId = kind === 'booking' ? rowId : str(row.bookingId)
  const facts = kind === 'booking' ? factsOf(row) : participantsOf(scan, scanned)
  if (facts === undefined) {
    for (const p of problems) {
      options.skip(
        p,
        'its booking (customerId and providerId) cannot be found: fix the row by hand',
      )
    }
    return steps
  }

  const create = (spec: WriteSpec, code: AuditProblemCode, detail: string, as: TableKind) => {
    steps.push({
      action: 'create',
      tableId: spec.tableId,
      rowId: spec.rowId,
      bookingId,
      fixes: [code],
      detail,
      run: () => createOrGet(scan, spec, as),
    })
  }

  if (codes.has('misplacedRow')) {
    const target = scan.tables[kind as 'chatMessage' | 'notification']
    const data = dataOf(raw)
    const permissions = tightened(raw.$permissions, requiredPermissions(ctx, kind, row, facts))
    steps.push({
      action: 'move',
      tableId: target,
      rowId,
      bookingId,
      fixes: ['misplacedRow'],
      detail: `copy from \`${tableId}\` (same id, participants-only permissions), then delete it there`,
      run: async () => {
        let outcome: RepairChange['outcome'] = 'applied'
        try {
          await scan.backend.create(target, rowId, data, permissions)
        } catch (error) {
          if (!isAlreadyThere(error)) throw error
          outcome = 'alreadyDone'
        }
        try {
          await scan.backend.remove(tableId, rowId)
          return 'applied'
        } catch (error) {
          if (!isGone(error)) throw error
          return outcome
        }
      },
    })
    return steps
  }

  if (kind === 'booking') {
    const room = scan.roomOf.get(rowId)
    const roomId = room?.raw.$id ?? childIds.chatRoom(rowId)
    const inRoom = (spec: WriteSpec): WriteSpec =>
      spec.data.roomId === roomId ? spec : { ...spec, data: { ...spec.data, roomId } }
    if (codes.has('missingChatRoom')) {
      create(
        chatRoomWrite(ctx, rowId, facts, options.now),
        'missingChatRoom',
        'chat room of the booking',
        'chatRoom',
      )
    }
    const created = transitionWrites(ctx, rowId, facts, 'created')
    if (codes.has('missingSystemMessage')) {
      create(
        inRoom(created.systemMessage),
        'missingSystemMessage',
        '"booking received" system message',
        'chatMessage',
      )
    }
    if (codes.has('missingNotification')) {
      create(
        created.notification,
        'missingNotification',
        'booking notice to the provider',
        'notification',
      )
    }
  }

  // One update per row with every field and permission fix, so two runs write the same thing.
  const patch: Record<string, unknown> = {}
  const fixes: AuditProblemCode[] = []
  const what: string[] = []
  let permissions: string[] | undefined
  if (codes.has('legacyFields') || codes.has('legacyValue')) {
    for (const code of ['legacyFields', 'legacyValue'] as const) {
      if (!codes.has(code)) continue
      if (!options.rewriteLegacy) {
        options.skip(
          problem(code),
          'old code may still read these: rerun with rewriteLegacy (--rewrite-legacy) once it does not',
        )
        continue
      }
      fixes.push(code)
    }
    if (options.rewriteLegacy) {
      const aliases = scan.lock.aliases(kind)
      for (const field of codes.has('legacyFields') ? problem('legacyFields').fields : []) {
        const canonical = aliases[field]!
        patch[canonical] = row[canonical]
        patch[field] = null
        what.push(`\`${field}\` → \`${canonical}\``)
      }
      for (const column of codes.has('legacyValue') ? problem('legacyValue').fields : []) {
        patch[column] = row[column]
        what.push(`\`${column}\`: \`${String(raw[column])}\` → \`${String(row[column])}\``)
      }
    }
  }
  let event: { event: ChildEvent; code: AuditProblemCode; reason?: string } | undefined
  if (codes.has('duplicateSlot')) {
    if (options.duplicateSlots === 'cancel') {
      const keeper = scan.keeperOf.get(rowId)
      event = { event: 'cancelled', code: 'duplicateSlot', reason: `the slot was already booked` }
      patch.status = appValue(scan, kind, 'status', 'cancelled', options.rewriteLegacy)
      what.push(`status → \`${String(patch.status)}\` (slot kept by \`${keeper ?? '?'}\`)`)
      fixes.push('duplicateSlot')
    } else {
      options.skip(
        problem('duplicateSlot'),
        'two customers hold this slot: decide which booking to keep, or rerun with duplicateSlots: cancel (--cancel-duplicates) to cancel the later one',
      )
    }
  }
  if (codes.has('stuckPending')) {
    if (event === undefined) {
      event = { event: 'expired', code: 'stuckPending' }
      patch.status = appValue(scan, kind, 'status', 'expired', options.rewriteLegacy)
      what.push(`status → \`${String(patch.status)}\``)
    }
    fixes.push('stuckPending')
  }
  if (codes.has('openPermissions')) {
    permissions = tightened(raw.$permissions, requiredPermissions(ctx, kind, row, facts))
    what.push(`permissions → ${permissions.join(', ')}`)
    fixes.push('openPermissions')
  }
  if (event !== undefined && bookingId !== undefined) {
    const room = scan.roomOf.get(rowId)
    const roomId = room?.raw.$id ?? childIds.chatRoom(rowId)
    const writes = transitionWrites(ctx, rowId, facts, event.event, 'system', event.reason)
    create(
      { ...writes.systemMessage, data: { ...writes.systemMessage.data, roomId } },
      event.code,
      `"${event.event}" system message`,
      'chatMessage',
    )
    create(
      writes.notification,
      event.code,
      `"${event.event}" notice to the customer`,
      'notification',
    )
  }
  if (fixes.length > 0 && (Object.keys(patch).length > 0 || permissions !== undefined)) {
    const finalPermissions = permissions
    steps.push({
      action: 'update',
      tableId,
      rowId,
      bookingId,
      fixes,
      detail: what.join('; '),
      run: async () => {
        await scan.backend.update(tableId, rowId, patch, finalPermissions)
        return 'applied'
      },
    })
  }
  return steps
}

const OUTCOME: Readonly<Record<RepairChange['outcome'], string>> = {
  planned: 'would',
  applied: 'done',
  alreadyDone: 'was done',
  conflict: 'CONFLICT',
}

/** One change as a line: outcome, action, row, what it fixes and writes. */
export function formatRepairChange(change: RepairChange): string {
  return `  ${OUTCOME[change.outcome]} ${change.action} ${change.tableId}/${change.rowId} [${change.fixes.join(', ')}]: ${change.detail}`
}

/** The repair as text: the totals, then every problem left and why. */
export function formatRepairReport(report: RepairReport): string {
  const lines: string[] = []
  const count = (outcome: RepairChange['outcome']) =>
    report.changes.filter((c) => c.outcome === outcome).length
  const found = report.audit.problems.length
  if (report.dryRun) {
    lines.push(
      `Dry run: ${report.changes.length} changes would fix ${found - report.skipped.length} of ${found} problems; nothing was written. Run with --apply to make them.`,
    )
  } else {
    const conflicts = count('conflict')
    lines.push(
      `Repaired: ${count('applied')} changes made, ${count('alreadyDone')} already done${conflicts > 0 ? `, ${conflicts} conflicts (a different row holds the id: fix by hand)` : ''}.`,
    )
  }
  if (report.skipped.length > 0) {
    lines.push(`${report.skipped.length} problems left as they are:`)
    for (const { problem, reason } of report.skipped) {
      lines.push(`  ${problem.tableId}/${problem.rowId} [${problem.code}]: ${reason}`)
    }
  } else if (!report.dryRun) {
    lines.push('Run booking-guard audit to check: it should find nothing.')
  }
  return lines.join('\n')
}
