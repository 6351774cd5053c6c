import { sleep, systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError, isBookingGuardError } from '../errors'
import type { BookingGuardErrorOptions } from '../errors'
import { classifyAppwriteError } from '../resilience/classifyError'
import type { TableModelLike, TablesDBAdminLike } from './adminTypes'
import type { ColumnSpec, IndexSpec } from './columns'
import {
  buildDriftReport,
  describeColumnSpec,
  describeIndex,
  indexSatisfies,
  readLiveSchema,
} from './drift'
import type { DriftFinding, LiveSchema } from './drift'
import { appAliases, appTableSpec } from './mapping'
import { createSchemaLock, writeMappingOf } from './schemaLock'
import type { SchemaLock } from './schemaLock'
import { TABLE_KINDS } from './schemas'
import type { TableKind } from './schemas'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** What a provisioning step creates. */
export type ProvisionAction = 'create-database' | 'create-table' | 'create-column' | 'create-index'

/** One thing provisioning creates. Plain JSON. */
export interface ProvisionStep {
  /** What it creates. */
  readonly action: ProvisionAction
  /** The table id; absent for `create-database`. */
  readonly table?: string
  /** The column key, for `create-column`. */
  readonly column?: string
  /** The index key, for `create-index`. */
  readonly index?: string
  /**
   * What is created, in words: the database id, the table's permissions, the column type
   * (`string(36), required`) or the index (`unique(idempotencyKey)`).
   */
  readonly detail: string
  /** The admin method called (`createStringColumn`, `createIndex`, …). */
  readonly method: string
  /** Something to do by hand afterwards, e.g. backfill a required column on a table with rows. */
  readonly note?: string
  /**
   * `planned` (dry run, or not reached), `done`, or `existed` (another run created it between
   * the check and the call: Appwrite answered `409 …_already_exists`).
   */
  readonly status: 'planned' | 'done' | 'existed'
}

/** What {@link provisionSchema} returns: the plan it executed (or would execute, on a dry run). */
export interface ProvisionPlan {
  /** The database provisioned. */
  readonly databaseId: string
  /** Whether this was a dry run (nothing was called but reads). */
  readonly dryRun: boolean
  /** `true` when at least one step ran and created something. */
  readonly changed: boolean
  /** Every step, in execution order: database, tables, columns, then indexes. Empty when nothing was missing. */
  readonly steps: readonly ProvisionStep[]
  /**
   * Drift that provisioning does not fix because it never changes or drops what exists (wrong
   * types, sizes, enum values, required flags, failed columns, open permissions): do these by hand.
   */
  readonly manual: readonly DriftFinding[]
}

/** Options of {@link provisionSchema}. */
export interface ProvisionSchemaOptions {
  /**
   * The TablesDB management API: `new TablesDB(client)` from `node-appwrite` with an API key that
   * has the `databases.read` and `databases.write` scopes, or `fake.admin` from `@booking-guard/testing`.
   */
  admin: TablesDBAdminLike
  /** The database to provision; created when it does not exist. */
  databaseId: string
  /** What to provision: its tables, columns and indexes. Defaults to `createSchemaLock()`. */
  lock?: SchemaLock
  /** Plan only: read the live schema and return the steps without calling anything that writes. Defaults to `false`. */
  dryRun?: boolean
  /** Name of the database when it is created. Defaults to the database id. */
  databaseName?: string
  /**
   * Table-level permissions of the tables it creates, per kind (existing tables are never
   * changed). The participant-only model: no table-level `read`, so nobody reads a row through
   * the table; row security on, so each row's own permissions (customer, provider, admin roles,
   * set by the pipeline) decide who reads, updates and deletes it; and no table-level `create`
   * on the pipeline's tables (`booking`, `chatRoom`, `chatMessage`, `notification`): their rows
   * cross two users, so only the server path (an API key) writes them, and no signed-in user can
   * forge a booking or squat a provider's slot. The watchdog's `heartbeat` table gets
   * `create("users")`, as browsers write their own canaries. Roles `any` and `guests` are
   * refused, and so is table-level `read`, `update`, `delete` or `write` for every user
   * (`users…`), and any `create` for broad roles on a pipeline table. Defaults to `[]` for the
   * pipeline's tables and `['create("users")']` for `heartbeat`.
   */
  tablePermissions?: Partial<Record<TableKind, readonly string[]>>
  /**
   * How string columns are created: `'string'` calls `createStringColumn` (every server up to
   * 1.9, where it is deprecated but still served); `'varchar'` calls `createVarcharColumn`
   * (server ≥ 1.9), or `createTextColumn` / `createMediumtextColumn` above 16,381 characters.
   * Defaults to `'string'` when the admin has `createStringColumn`, else `'varchar'`.
   */
  stringColumns?: 'string' | 'varchar'
  /**
   * How long to wait for created columns and indexes to leave `processing`, in milliseconds,
   * before rejecting with a `PROVISIONING` error that names them. Defaults to `60_000`.
   */
  timeout?: number
  /** How often to poll a table while waiting, in milliseconds. Defaults to `1_000`. */
  pollInterval?: number
  /** Source of time for the wait. Defaults to `systemClock`. */
  clock?: Clock
  /** Stops between calls and while waiting; the call then rejects with `signal.reason`. Defaults to none. */
  signal?: AbortSignal
  /** Called after each step ran (status `done` or `existed`), e.g. to print progress. Defaults to none. */
  onStep?: (step: ProvisionStep) => void
}

/** Why provisioning stopped. */
export type ProvisioningFailure = 'timeout' | 'failed' | 'request'

/** A column or index that did not become available. */
export interface UnavailableItem {
  /** The table id. */
  readonly table: string
  /** The column or index key. */
  readonly key: string
  /** Whether it is a column or an index. */
  readonly type: 'column' | 'index'
  /** Its last status (`processing`, `failed`, `stuck`, …). */
  readonly status: string
  /** Appwrite's error text for a failed one; `''` otherwise. */
  readonly error: string
}

/** Options of {@link ProvisioningError}. */
export interface ProvisioningErrorOptions extends BookingGuardErrorOptions {
  /** Why provisioning stopped. */
  reason: ProvisioningFailure
  /** The columns and indexes still not available (for `timeout` and `failed`). */
  unavailable?: readonly UnavailableItem[]
  /** The steps, with the status each reached before the failure. */
  steps: readonly ProvisionStep[]
}

/**
 * Thrown by {@link provisionSchema} when it cannot finish: a created column or index stayed
 * `processing` past the timeout (`reason: 'timeout'`), Appwrite failed to build one (`'failed'`),
 * or a call failed (`'request'`; `cause` is the error). Everything created before stays; run it
 * again once the cause is fixed, it picks up where it stopped. Code `PROVISIONING`.
 *
 * @example
 * ```ts
 * try {
 *   await provisionSchema({ admin, databaseId: 'main' })
 * } catch (error) {
 *   if (isProvisioningError(error) && error.reason === 'timeout') {
 *     console.error(`still processing: ${error.unavailable.map((item) => `${item.table}.${item.key}`).join(', ')}`)
 *   } else throw error
 * }
 * ```
 */
export class ProvisioningError extends BookingGuardError {
  /** Always `'PROVISIONING'`. */
  declare readonly code: 'PROVISIONING'
  /** Why provisioning stopped. */
  readonly reason: ProvisioningFailure
  /** The columns and indexes that did not become available (empty for `request`). */
  readonly unavailable: readonly UnavailableItem[]
  /** The plan's steps, with the status each reached. */
  readonly steps: readonly ProvisionStep[]

  constructor(message: string, options: ProvisioningErrorOptions) {
    super('PROVISIONING', message, options)
    this.name = 'ProvisioningError'
    this.reason = options.reason
    this.unavailable = options.unavailable ?? []
    this.steps = options.steps
  }
}

/**
 * Whether `error` is a {@link ProvisioningError}, by brand and code (works across duplicated
 * copies of the package).
 *
 * @example
 * ```ts
 * if (isProvisioningError(error)) console.error(error.unavailable)
 * ```
 */
export function isProvisioningError(error: unknown): error is ProvisioningError {
  return isBookingGuardError(error, 'PROVISIONING')
}

/**
 * The table permissions {@link provisionSchema} gives the pipeline's tables (bookings, chat rooms,
 * chat messages, notifications) it creates, by default: none, so only the server writes them.
 */
export const DEFAULT_TABLE_PERMISSIONS: readonly string[] = Object.freeze([])

/** The table permissions {@link provisionSchema} gives the `heartbeat` table: browsers write canaries. */
export const DEFAULT_HEARTBEAT_PERMISSIONS: readonly string[] = Object.freeze(['create("users")'])

/** The tables whose rows cross two users: only the server path may create their rows. */
export const PIPELINE_TABLE_KINDS: readonly TableKind[] = Object.freeze([
  'booking',
  'chatRoom',
  'chatMessage',
  'notification',
])

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

const DEFAULT_TIMEOUT = 60_000
const DEFAULT_POLL_INTERVAL = 1_000
const VARCHAR_MAX = 16_381
const TEXT_MAX = Math.floor(65_535 / 4)
const MEDIUMTEXT_MAX = Math.floor(16_777_215 / 4)

const PERMISSION_PATTERN = /^(\w+)\("([^"]*)"\)$/

function configError(message: string): BookingGuardError {
  return new BookingGuardError('CONFIGURATION', `provisionSchema: ${message}`)
}

function checkPermissions(kind: string, permissions: readonly string[]): void {
  for (const permission of permissions) {
    const match = PERMISSION_PATTERN.exec(permission)
    if (!match) {
      throw configError(
        `table permission \`${permission}\` of \`${kind}\` is not a permission string like \`create("users")\``,
      )
    }
    const [, action, role] = match as unknown as [string, string, string]
    if (role === 'any' || role === 'guests') {
      throw configError(
        `table permission \`${permission}\` of \`${kind}\` opens booking data to \`${role}\`: rows must be readable only by their participants`,
      )
    }
    if (
      action === 'create' &&
      (role === 'users' || role.startsWith('users/')) &&
      PIPELINE_TABLE_KINDS.includes(kind as TableKind)
    ) {
      throw configError(
        `table permission \`${permission}\` of \`${kind}\` lets every signed-in user create ${kind} rows, which cross two users: a user could forge a booking or squat another provider's slot. Write them through the server path (createBookingFunction / createBookingHandler) and leave the table without \`create\``,
      )
    }
    if (action !== 'create' && (role === 'users' || role.startsWith('users/'))) {
      throw configError(
        `table permission \`${permission}\` of \`${kind}\` lets every signed-in user ${action} every row: leave reads and changes to each row's own permissions`,
      )
    }
  }
}

interface ColumnCall {
  readonly method: string
  readonly call: () => Promise<unknown>
}

function columnCall(
  admin: TablesDBAdminLike,
  databaseId: string,
  tableId: string,
  spec: ColumnSpec,
  stringColumns: 'string' | 'varchar',
): ColumnCall {
  const base = { databaseId, tableId, key: spec.key, required: spec.required, array: spec.array }
  const missing = (method: string): never => {
    throw configError(
      `the admin client has no \`${method}\`, needed for column \`${spec.key}\` of \`${tableId}\``,
    )
  }
  const bind = <P>(
    method: string,
    fn: ((params: P) => Promise<unknown>) | undefined,
    params: P,
  ) => {
    if (fn === undefined) return missing(method)
    return { method, call: () => fn.call(admin, params) }
  }
  switch (spec.type) {
    case 'string': {
      const params = {
        ...base,
        size: spec.size,
        ...(spec.default === null ? {} : { xdefault: spec.default }),
      }
      if (stringColumns === 'string' && admin.createStringColumn !== undefined) {
        return bind('createStringColumn', admin.createStringColumn, params)
      }
      if (spec.size <= VARCHAR_MAX)
        return bind('createVarcharColumn', admin.createVarcharColumn, params)
      const { size: _size, ...textParams } = params
      if (spec.size <= TEXT_MAX) return bind('createTextColumn', admin.createTextColumn, textParams)
      if (spec.size <= MEDIUMTEXT_MAX) {
        return bind('createMediumtextColumn', admin.createMediumtextColumn, textParams)
      }
      throw configError(
        `column \`${spec.key}\` of \`${tableId}\` needs ${spec.size} characters, more than a column can hold`,
      )
    }
    case 'integer':
    case 'float': {
      const params = {
        ...base,
        ...(spec.min === null ? {} : { min: spec.min }),
        ...(spec.max === null ? {} : { max: spec.max }),
        ...(spec.default === null ? {} : { xdefault: spec.default }),
      }
      return spec.type === 'integer'
        ? bind('createIntegerColumn', admin.createIntegerColumn, params)
        : bind('createFloatColumn', admin.createFloatColumn, params)
    }
    case 'boolean':
      return bind('createBooleanColumn', admin.createBooleanColumn, {
        ...base,
        ...(spec.default === null ? {} : { xdefault: spec.default }),
      })
    case 'enum':
      return bind('createEnumColumn', admin.createEnumColumn, {
        ...base,
        elements: [...spec.elements],
        ...(spec.default === null ? {} : { xdefault: spec.default }),
      })
    default: {
      const params = { ...base, ...(spec.default === null ? {} : { xdefault: spec.default }) }
      const method = {
        datetime: 'createDatetimeColumn',
        email: 'createEmailColumn',
        url: 'createUrlColumn',
        ip: 'createIpColumn',
      } as const
      const name = method[spec.type]
      return bind(name, admin[name], params)
    }
  }
}

interface PlannedStep {
  step: ProvisionStep
  run: () => Promise<unknown>
  /** What to wait for once it ran. */
  waitFor?: { table: string; key: string; type: 'column' | 'index' }
}

function describeColumnDetail(spec: ColumnSpec): string {
  const parts = [describeColumnSpec(spec), spec.required ? 'required' : 'optional']
  if (spec.default !== null) parts.push(`default ${JSON.stringify(spec.default)}`)
  return parts.join(', ')
}

function describePermissions(permissions: readonly string[]): string {
  return `permissions [${permissions.join(', ')}], row security on`
}

function indexParams(databaseId: string, tableId: string, index: IndexSpec) {
  return {
    databaseId,
    tableId,
    key: index.key,
    type: index.type,
    columns: [...index.columns],
    ...(index.orders === undefined ? {} : { orders: [...index.orders] }),
  }
}

function plan(
  options: ProvisionSchemaOptions,
  lock: SchemaLock,
  live: LiveSchema,
  stringColumns: 'string' | 'varchar',
): PlannedStep[] {
  const { admin, databaseId } = options
  const tableSteps: PlannedStep[] = []
  const columnSteps: PlannedStep[] = []
  const indexSteps: PlannedStep[] = []

  if (!live.databaseExists) {
    const name = options.databaseName ?? databaseId
    tableSteps.push({
      step: {
        action: 'create-database',
        detail: databaseId,
        method: 'create',
        status: 'planned',
      },
      run: () => admin.create({ databaseId, name }),
    })
  }

  for (const kind of TABLE_KINDS) {
    // Created under the app's column names and value spellings (`columnNames`, `writeValues`).
    const write = writeMappingOf(lock, kind)
    const spec = appTableSpec(lock.tables[kind], write)
    const tableId = spec.tableId
    const table: TableModelLike | undefined = live.tables[kind]
    if (table === undefined) {
      const permissions = [
        ...(options.tablePermissions?.[kind] ??
          (kind === 'heartbeat' ? DEFAULT_HEARTBEAT_PERMISSIONS : DEFAULT_TABLE_PERMISSIONS)),
      ]
      tableSteps.push({
        step: {
          action: 'create-table',
          table: tableId,
          detail: describePermissions(permissions),
          method: 'createTable',
          status: 'planned',
        },
        run: () =>
          admin.createTable({ databaseId, tableId, name: tableId, permissions, rowSecurity: true }),
      })
    }
    const liveKeys = new Set(table?.columns.map((column) => column.key) ?? [])
    const aliases = appAliases(lock.aliases(kind), write)
    for (const column of spec.columns) {
      if (liveKeys.has(column.key)) continue
      const { method, call } = columnCall(admin, databaseId, tableId, column, stringColumns)
      let note: string | undefined
      if (table !== undefined && column.required) {
        const legacy = Object.keys(aliases).filter(
          (alias) => aliases[alias] === column.key && liveKeys.has(alias),
        )
        note = `\`${column.key}\` is required: rows written before it existed have no value and Appwrite rejects updates to them until it is filled${legacy.length === 0 ? '' : `; copy it from the legacy ${legacy.map((alias) => `\`${alias}\``).join(', ')}`}`
      }
      columnSteps.push({
        step: {
          action: 'create-column',
          table: tableId,
          column: column.key,
          detail: describeColumnDetail(column),
          method,
          ...(note === undefined ? {} : { note }),
          status: 'planned',
        },
        run: call,
        waitFor: { table: tableId, key: column.key, type: 'column' },
      })
    }
    const liveIndexes = table?.indexes ?? []
    for (const index of spec.indexes) {
      // Equivalent under any key (even one still building), or the key is taken: nothing to create here.
      if (liveIndexes.some((candidate) => indexSatisfies(candidate, index))) continue
      if (liveIndexes.some((candidate) => candidate.key === index.key)) continue
      const params = indexParams(databaseId, tableId, index)
      indexSteps.push({
        step: {
          action: 'create-index',
          table: tableId,
          index: index.key,
          detail: describeIndex(index),
          method: 'createIndex',
          status: 'planned',
        },
        run: () => admin.createIndex(params),
        waitFor: { table: tableId, key: index.key, type: 'index' },
      })
    }
  }
  return [...tableSteps, ...columnSteps, ...indexSteps]
}

interface Waiter {
  readonly databaseId: string
  readonly admin: TablesDBAdminLike
  readonly clock: Clock
  readonly timeout: number
  readonly pollInterval: number
  readonly signal: AbortSignal | undefined
  readonly steps: () => ProvisionStep[]
}

/** Polls until every item is `available`; throws a {@link ProvisioningError} otherwise. */
async function waitUntilAvailable(
  waiter: Waiter,
  items: readonly { table: string; key: string; type: 'column' | 'index' }[],
): Promise<void> {
  if (items.length === 0) return
  const { clock } = waiter
  const deadline = clock.now() + waiter.timeout
  let pending = items.map((item) => ({ ...item, status: 'processing', error: '' }))
  for (;;) {
    const byTable = new Map<string, typeof pending>()
    for (const item of pending) byTable.set(item.table, [...(byTable.get(item.table) ?? []), item])
    const next: typeof pending = []
    for (const [tableId, tableItems] of byTable) {
      waiter.signal?.throwIfAborted()
      let table: TableModelLike
      try {
        table = await waiter.admin.getTable({ databaseId: waiter.databaseId, tableId })
      } catch (error) {
        throw requestError(
          `reading table \`${tableId}\` while waiting for it`,
          error,
          waiter.steps(),
        )
      }
      for (const item of tableItems) {
        const found =
          item.type === 'column'
            ? table.columns.find((column) => column.key === item.key)
            : table.indexes.find((index) => index.key === item.key)
        // Not listed yet: the server has not registered it; keep waiting.
        const status = found?.status.toLowerCase() ?? 'processing'
        const error = (found as { error?: string } | undefined)?.error ?? ''
        if (status === 'available') continue
        if (status === 'failed' || status === 'stuck') {
          const what = `${item.type} \`${tableId}.${item.key}\``
          throw new ProvisioningError(
            `Appwrite could not build ${what} (${status}${error === '' ? '' : `: ${error}`}): delete it in the console and run \`booking-guard provision\` again`,
            {
              reason: 'failed',
              unavailable: [{ table: tableId, key: item.key, type: item.type, status, error }],
              steps: waiter.steps(),
            },
          )
        }
        next.push({ ...item, status, error })
      }
    }
    pending = next
    if (pending.length === 0) return
    if (clock.now() >= deadline) {
      const names = pending.map((item) => `${item.table}.${item.key}`).join(', ')
      throw new ProvisioningError(
        `still processing after ${waiter.timeout} ms: ${names}; Appwrite may be busy: run \`booking-guard doctor\` in a minute, or \`booking-guard provision\` again with a longer timeout`,
        {
          reason: 'timeout',
          unavailable: pending.map(({ table, key, type, status, error }) => ({
            table,
            key,
            type,
            status,
            error,
          })),
          steps: waiter.steps(),
        },
      )
    }
    await sleep(
      clock,
      Math.min(waiter.pollInterval, Math.max(0, deadline - clock.now())),
      waiter.signal,
    )
  }
}

function requestError(what: string, error: unknown, steps: ProvisionStep[]): ProvisioningError {
  if (isProvisioningError(error)) return error
  const reason = classifyAppwriteError(error).reason
  return new ProvisioningError(`${what} failed: ${reason}`, {
    reason: 'request',
    cause: error,
    steps,
  })
}

/**
 * Creates what the schema lock needs and the database lacks: the database, the tables (with the
 * participant-only permission model, see `tablePermissions`), their columns and their indexes.
 * Waits for new columns to leave `processing` before creating the indexes on them, and for the
 * new indexes, up to `timeout`. Never drops or changes anything that exists: drift it cannot fix
 * (a wrong type, a size too small, missing enum values) is returned in `manual`.
 *
 * Idempotent: a second run finds nothing missing, calls nothing that writes and returns an empty
 * `steps` with `changed: false`. Safe to run from several processes at once: a `409 …_already_exists`
 * counts as done (`status: 'existed'`). On failure it rejects with a {@link ProvisioningError}
 * carrying the steps done so far; run it again once the cause is fixed.
 *
 * @example
 * ```ts
 * import { Client, TablesDB } from 'node-appwrite'
 * import { createSchemaLock } from '@booking-guard/core'
 * import { formatProvisionPlan, provisionSchema } from '@booking-guard/core/admin'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(project).setKey(apiKey)
 * const plan = await provisionSchema({
 *   admin: new TablesDB(client),
 *   databaseId: 'main',
 *   lock: createSchemaLock(),
 *   tablePermissions: { heartbeat: [] }, // only the server writes heartbeats
 * })
 * console.log(formatProvisionPlan(plan))
 * ```
 */
export async function provisionSchema(options: ProvisionSchemaOptions): Promise<ProvisionPlan> {
  const { admin, databaseId, signal } = options
  const lock = options.lock ?? createSchemaLock()
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  const pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL
  if (!(timeout >= 0)) throw configError(`\`timeout\` must be ≥ 0 ms, got ${String(timeout)}`)
  if (!(pollInterval > 0)) {
    throw configError(`\`pollInterval\` must be > 0 ms, got ${String(pollInterval)}`)
  }
  for (const [kind, permissions] of Object.entries(options.tablePermissions ?? {})) {
    checkPermissions(kind, permissions ?? [])
  }
  const stringColumns =
    options.stringColumns ?? (admin.createStringColumn === undefined ? 'varchar' : 'string')

  const live = await readLiveSchema(admin, databaseId, lock, signal)
  const planned = plan(options, lock, live, stringColumns)
  const manual = buildDriftReport(databaseId, lock, live).findings.filter(
    (finding) => finding.fix === 'manual',
  )
  const dryRun = options.dryRun === true
  // Lock columns that exist but are still being built: the plan is not done until they are
  // available (and an index on them cannot be created before). `failed` ones are in `manual`.
  const building: { table: string; key: string; type: 'column' }[] = []
  for (const kind of TABLE_KINDS) {
    const table = live.tables[kind]
    if (table === undefined) continue
    const spec = appTableSpec(lock.tables[kind], writeMappingOf(lock, kind))
    const keys = new Set(spec.columns.map((column) => column.key))
    for (const column of table.columns) {
      if (keys.has(column.key) && column.status.toLowerCase() === 'processing') {
        building.push({ table: lock.tableId(kind), key: column.key, type: 'column' })
      }
    }
  }
  if (dryRun || (planned.length === 0 && building.length === 0)) {
    return { databaseId, dryRun, changed: false, steps: planned.map((p) => p.step), manual }
  }

  const steps = () => planned.map((p) => p.step)
  const waiter: Waiter = {
    databaseId,
    admin,
    clock: options.clock ?? systemClock,
    timeout,
    pollInterval,
    signal,
    steps,
  }

  const execute = async (entry: PlannedStep): Promise<void> => {
    signal?.throwIfAborted()
    let status: 'done' | 'existed' = 'done'
    try {
      await entry.run()
    } catch (error) {
      if (!classifyAppwriteError(error).alreadyExists) {
        const what = entry.step.action.replace('create-', '')
        const name = entry.step.column ?? entry.step.index ?? entry.step.table ?? databaseId
        const where = entry.step.table === undefined ? '' : ` in \`${entry.step.table}\``
        throw requestError(`creating ${what} \`${name}\`${where}`, error, steps())
      }
      status = 'existed'
    }
    entry.step = { ...entry.step, status }
    options.onStep?.(entry.step)
  }

  const firstIndex = planned.findIndex((p) => p.step.action === 'create-index')
  const beforeIndexes = firstIndex === -1 ? planned : planned.slice(0, firstIndex)
  const indexes = firstIndex === -1 ? [] : planned.slice(firstIndex)
  for (const entry of beforeIndexes) await execute(entry)
  await waitUntilAvailable(waiter, [
    ...building,
    ...beforeIndexes.flatMap((p) => (p.waitFor === undefined ? [] : [p.waitFor])),
  ])
  for (const entry of indexes) await execute(entry)
  await waitUntilAvailable(
    waiter,
    indexes.flatMap((p) => (p.waitFor === undefined ? [] : [p.waitFor])),
  )

  const done = steps()
  return {
    databaseId,
    dryRun,
    changed: done.some((step) => step.status === 'done'),
    steps: done,
    manual,
  }
}

/**
 * Formats a provisioning plan for a terminal: what was (or, on a dry run, would be) created,
 * notes, and the drift left to fix by hand. Plain text, no colours.
 *
 * @example
 * ```ts
 * console.log(formatProvisionPlan(await provisionSchema({ admin, databaseId: 'main', dryRun: true })))
 * // Dry run for database `main`: 3 steps would run
 * //   create-table chat_messages: permissions [create("users")], row security on
 * //   …
 * ```
 */
export function formatProvisionPlan(plan: ProvisionPlan): string {
  const lines: string[] = []
  const count = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`
  if (plan.steps.length === 0) {
    lines.push(
      `Nothing to do: database \`${plan.databaseId}\` already has every table, column and index of the schema lock; nothing was changed.`,
    )
  } else if (plan.dryRun) {
    lines.push(
      `Dry run for database \`${plan.databaseId}\`: ${count} would run, nothing was changed.`,
    )
  } else {
    lines.push(`Provisioned database \`${plan.databaseId}\`: ${count}.`)
  }
  for (const step of plan.steps) {
    const subject =
      step.action === 'create-database'
        ? step.detail
        : step.action === 'create-table'
          ? `${step.table}: ${step.detail}`
          : `${step.table}.${step.column ?? step.index}: ${step.detail}`
    const mark = step.status === 'existed' ? ' (already existed)' : ''
    lines.push(`  ${step.action} ${subject}${mark}`)
    if (step.note !== undefined) lines.push(`    note: ${step.note}`)
  }
  if (plan.manual.length > 0) {
    lines.push(
      `${plan.manual.length} difference${plan.manual.length === 1 ? '' : 's'} to fix by hand (provisioning never changes or drops what exists):`,
    )
    for (const finding of plan.manual) {
      const subject = [finding.table, finding.column ?? finding.index].filter(Boolean).join('.')
      lines.push(`  ${finding.severity} ${finding.kind} ${subject}: ${finding.hint}`)
    }
  }
  return lines.join('\n')
}
