import { BookingGuardError } from '../errors'
import { appAliases, appTableSpec } from './mapping'
import { createSchemaLock, writeMappingOf } from './schemaLock'
import type { SchemaLock } from './schemaLock'
import type { ColumnSpec, IndexSpec, TableSpec } from './columns'
import { TABLE_KINDS } from './schemas'
import type { TableKind } from './schemas'
import type {
  ColumnModelLike,
  IndexModelLike,
  TableModelLike,
  TablesDBAdminLike,
} from './adminTypes'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/**
 * What a drift finding is about.
 *
 * - `missing-database`, `missing-table`, `missing-column`, `missing-index`: not there (or, for an
 *   index, not usable yet); provisioning creates them.
 * - `wrong-type`: the column exists with another type, format or array-ness.
 * - `size-too-small`: a string column shorter than the lock's size, or a numeric column whose
 *   min/max range is narrower than the lock's (Appwrite rejects values the lock accepts).
 * - `enum-values-missing`: an enum column lacks values the lock can write.
 * - `required-mismatch`: required in Appwrite but optional in the lock (an error: writes that
 *   leave it out fail), or the other way round (a warning: the lock still enforces it).
 * - `column-processing`: Appwrite is still building (or deleting) the column; writes that use it
 *   fail with `attribute_not_available` meanwhile.
 * - `column-failed`: Appwrite failed to build the column (`failed` or `stuck`).
 * - `extra-column`: a column the lock does not know; information, unless it is required (then
 *   every write booking-guard makes is rejected, an error).
 * - `table-permissions`: table-level permissions that open rows beyond their participants
 *   (`read("any")`, `read("users")`, …) or row security turned off.
 */
export type DriftFindingKind =
  | 'missing-database'
  | 'missing-table'
  | 'missing-column'
  | 'wrong-type'
  | 'size-too-small'
  | 'enum-values-missing'
  | 'required-mismatch'
  | 'column-processing'
  | 'column-failed'
  | 'missing-index'
  | 'extra-column'
  | 'table-permissions'

/**
 * How bad a finding is: `error` (bookings can be lost or rejected: `doctor` exits with 1),
 * `warning` (works, but slower or less safe than it should), `info` (worth knowing).
 */
export type DriftSeverity = 'error' | 'warning' | 'info'

/**
 * Who can fix a finding: `provision` (`booking-guard provision` / {@link provisionSchema}
 * creates what is missing), `wait` (Appwrite is still building it), `manual` (provisioning
 * never changes or drops what exists; the hint says what to do), `none` (nothing to do).
 */
export type DriftFix = 'provision' | 'wait' | 'manual' | 'none'

/** One difference between the schema lock and the live Appwrite database. Plain JSON. */
export interface DriftFinding {
  /** The table id, or `null` for the database itself (`missing-database`). */
  readonly table: string | null
  /** What is wrong. */
  readonly kind: DriftFindingKind
  /** How bad it is. */
  readonly severity: DriftSeverity
  /** The column concerned, for column findings. */
  readonly column?: string
  /** The index key concerned, for `missing-index`. */
  readonly index?: string
  /** What the lock expects, in words (`string(36)`, `required`, `key(providerId)`). */
  readonly expected?: string
  /** What Appwrite has, in words; absent when there is nothing. */
  readonly actual?: string
  /** Who can fix it. */
  readonly fix: DriftFix
  /** The fix, in one sentence: `run booking-guard provision`, or the manual step. */
  readonly hint: string
}

/** How one table of the lock compares. */
export interface DriftTableSummary {
  /** The lock's kind for this table. */
  readonly kind: TableKind
  /** The Appwrite table id. */
  readonly tableId: string
  /**
   * `missing` (no table, or no database), `drifted` (errors or warnings), or `ok` (at most
   * information findings).
   */
  readonly status: 'ok' | 'drifted' | 'missing'
  /** Number of `error` findings. */
  readonly errors: number
  /** Number of `warning` findings. */
  readonly warnings: number
  /** Number of `info` findings. */
  readonly infos: number
}

/** What {@link checkSchemaDrift} returns. Plain JSON (`JSON.stringify` gives the CLI's `--json`). */
export interface DriftReport {
  /** `true` when there is no `error` finding. */
  readonly ok: boolean
  /** The database that was checked. */
  readonly databaseId: string
  /** Every finding, by table in the lock's order, then columns, extra columns, indexes. */
  readonly findings: readonly DriftFinding[]
  /** One entry per table of the lock, in the lock's order. */
  readonly tables: readonly DriftTableSummary[]
  /** Number of findings per severity. */
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number }
}

/** Options of {@link checkSchemaDrift}. */
export interface CheckSchemaDriftOptions {
  /**
   * The TablesDB management API: `new TablesDB(client)` from `node-appwrite` with an API key that
   * has the `databases.read` scope, or `fake.admin` from `@booking-guard/testing`.
   */
  admin: TablesDBAdminLike
  /** The database to check. */
  databaseId: string
  /** The schema lock to compare with (its table ids, extensions and indexes). Defaults to `createSchemaLock()`. */
  lock?: SchemaLock
  /** Aborts between calls; the check then rejects with `signal.reason`. Defaults to none. */
  signal?: AbortSignal
}

// ---------------------------------------------------------------------------------------------
// Live state
// ---------------------------------------------------------------------------------------------

/**
 * The live schema, as read through the admin API.
 * @internal
 */
export interface LiveSchema {
  readonly databaseExists: boolean
  /** Per kind: the table as Appwrite reports it, or `undefined` when it does not exist. */
  readonly tables: Readonly<Record<TableKind, TableModelLike | undefined>>
}

/** Whether `error` is an Appwrite 404 of one of `types` (never a bare 404 from a proxy). @internal */
export function isAppwriteNotFound(error: unknown, types: readonly string[]): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, type } = error as { code?: unknown; type?: unknown }
  return code === 404 && typeof type === 'string' && types.includes(type)
}

const TABLE_NOT_FOUND_TYPES = ['table_not_found', 'collection_not_found'] as const
const DATABASE_NOT_FOUND_TYPES = ['database_not_found'] as const

/**
 * Reads the database and every table of the lock. Errors other than "does not exist"
 * (network, 401, …) are thrown as they are.
 * @internal
 */
export async function readLiveSchema(
  admin: TablesDBAdminLike,
  databaseId: string,
  lock: SchemaLock,
  signal?: AbortSignal,
): Promise<LiveSchema> {
  signal?.throwIfAborted()
  const tables = {} as Record<TableKind, TableModelLike | undefined>
  try {
    await admin.get({ databaseId })
  } catch (error) {
    if (!isAppwriteNotFound(error, DATABASE_NOT_FOUND_TYPES)) throw error
    for (const kind of TABLE_KINDS) tables[kind] = undefined
    return { databaseExists: false, tables }
  }
  signal?.throwIfAborted()
  const read = await Promise.all(
    TABLE_KINDS.map(async (kind) => {
      const tableId = lock.tableId(kind)
      let table: TableModelLike
      try {
        table = await admin.getTable({ databaseId, tableId })
      } catch (error) {
        if (isAppwriteNotFound(error, TABLE_NOT_FOUND_TYPES)) return undefined
        // A table cannot be missing when its database exists, unless it was deleted meanwhile.
        if (isAppwriteNotFound(error, DATABASE_NOT_FOUND_TYPES)) return undefined
        throw error
      }
      // A web server that is not Appwrite can answer 200 with HTML, which the SDK passes through.
      const shape = table as Partial<TableModelLike> | null
      if (!Array.isArray(shape?.columns) || !Array.isArray(shape.indexes)) {
        throw new BookingGuardError(
          'CONFIGURATION',
          `\`getTable\` for \`${tableId}\` did not answer with a table (no \`columns\` list): is the endpoint an Appwrite server, ending with /v1?`,
        )
      }
      return table
    }),
  )
  signal?.throwIfAborted()
  TABLE_KINDS.forEach((kind, i) => (tables[kind] = read[i]))
  return { databaseExists: true, tables }
}

// ---------------------------------------------------------------------------------------------
// Describing columns and indexes
// ---------------------------------------------------------------------------------------------

/** Characters a text column holds at worst (4-byte UTF-8 characters), by storage type. */
const TEXT_CAPACITY: Readonly<Record<string, number>> = {
  text: Math.floor(65_535 / 4),
  mediumtext: Math.floor(16_777_215 / 4),
  longtext: Math.floor(4_294_967_295 / 4),
}
/** Sizes Appwrite gives its format columns; a plain string column must hold as much. */
const FORMAT_SIZE: Readonly<Record<'email' | 'url' | 'ip', number>> = {
  email: 254,
  url: 2_000,
  ip: 39,
}

type LiveKind =
  | { readonly kind: 'string'; readonly capacity: number; readonly storage: string }
  | { readonly kind: 'email' | 'url' | 'ip' }
  | { readonly kind: 'enum'; readonly elements: readonly string[] }
  | { readonly kind: 'integer' | 'float'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' | 'datetime' }
  | { readonly kind: 'other'; readonly type: string }

/** A numeric bound; beyond JavaScript's safe integers (Appwrite's 64-bit defaults) it is no bound. */
function toNumber(value: number | bigint | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback
  const number = Number(value)
  return Math.abs(number) > Number.MAX_SAFE_INTEGER ? fallback : number
}

function liveKind(column: ColumnModelLike): LiveKind {
  const type = column.type.toLowerCase()
  const format = (column.format ?? '').toLowerCase()
  if (type === 'string' || type === 'varchar') {
    if (format === 'enum') return { kind: 'enum', elements: column.elements ?? [] }
    if (format === 'email' || format === 'url' || format === 'ip') return { kind: format }
    return { kind: 'string', capacity: column.size ?? 0, storage: type }
  }
  if (type in TEXT_CAPACITY) {
    // The fake reports a text column's byte size; the real server reports none.
    const capacity =
      column.size !== undefined ? Math.floor(column.size / 4) : (TEXT_CAPACITY[type] ?? 0)
    return { kind: 'string', capacity, storage: type }
  }
  if (type === 'integer' || type === 'bigint' || type === 'double' || type === 'float') {
    return {
      kind: type === 'integer' || type === 'bigint' ? 'integer' : 'float',
      min: toNumber(column.min, Number.NEGATIVE_INFINITY),
      max: toNumber(column.max, Number.POSITIVE_INFINITY),
    }
  }
  if (type === 'boolean' || type === 'datetime') return { kind: type }
  return { kind: 'other', type }
}

function formatRange(min: number | null, max: number | null): string {
  const low = min === null || !Number.isFinite(min) ? '' : String(min)
  const high = max === null || !Number.isFinite(max) ? '' : String(max)
  return `${low}..${high}`
}

/**
 * A column spec in words: `string(36)`, `integer(1..1440)`, `enum(pending, confirmed)`,
 * `datetime[]` for an array.
 * @internal
 */
export function describeColumnSpec(spec: ColumnSpec): string {
  let text: string
  switch (spec.type) {
    case 'string':
      text = `string(${spec.size})`
      break
    case 'integer':
    case 'float':
      text =
        spec.min === null && spec.max === null
          ? spec.type
          : `${spec.type}(${formatRange(spec.min, spec.max)})`
      break
    case 'enum':
      text = `enum(${spec.elements.join(', ')})`
      break
    default:
      text = spec.type
  }
  return spec.array ? `${text}[]` : text
}

/** A live column in words: `varchar(255)`, `text`, `enum(a, b)`, `double`, `email`. @internal */
export function describeColumnModel(column: ColumnModelLike): string {
  const live = liveKind(column)
  let text: string
  switch (live.kind) {
    case 'string':
      text = live.storage in TEXT_CAPACITY ? live.storage : `${live.storage}(${live.capacity})`
      break
    case 'enum':
      text = `enum(${live.elements.join(', ')})`
      break
    case 'integer':
    case 'float': {
      const name = column.type.toLowerCase()
      text =
        Number.isFinite(live.min) || Number.isFinite(live.max)
          ? `${name}(${formatRange(live.min, live.max)})`
          : name
      break
    }
    case 'other':
      text = live.type
      break
    default:
      text = live.kind
  }
  return column.array === true ? `${text}[]` : text
}

/** An index in words: `key(providerId)`, `unique(idempotencyKey)`, `key(a desc, b)`. @internal */
export function describeIndex(index: {
  readonly type: string
  readonly columns: readonly string[]
  readonly orders?: readonly string[] | undefined
}): string {
  const columns = index.columns.map((column, i) => {
    const order = index.orders?.[i]?.toLowerCase()
    return order === 'desc' ? `${column} desc` : column
  })
  return `${index.type.toLowerCase()}(${columns.join(', ')})`
}

/** Whether a live index serves what the lock's index is for. @internal */
export function indexSatisfies(live: IndexModelLike, spec: IndexSpec): boolean {
  const type = live.type.toLowerCase()
  // A unique index also serves lookups; a key index is not a unique constraint.
  const typeOk = type === spec.type || (spec.type === 'key' && type === 'unique')
  if (!typeOk || live.columns.length !== spec.columns.length) return false
  return spec.columns.every((column, i) => {
    if (live.columns[i] !== column) return false
    const want = spec.orders?.[i] ?? 'asc'
    const have = (live.orders?.[i] ?? 'asc').toLowerCase() || 'asc'
    return want === have
  })
}

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

const PROVISION = 'run `booking-guard provision`'
const NEVER_CHANGES = 'provisioning never changes an existing column'

const BROAD_ROLES = new Set(['any', 'guests', 'users', 'users/verified', 'users/unverified'])
const PERMISSION_PATTERN = /^(\w+)\("([^"]*)"\)$/

/**
 * Table-level permissions that open rows beyond their participants. `pipeline`: a table whose rows
 * cross two users (bookings, chat rooms, chat messages, notifications), where even `create` for
 * signed-in users is open: a user could forge a booking or squat another provider's slot.
 */
function openPermissions(permissions: readonly string[], pipeline: boolean): string[] {
  const open: string[] = []
  for (const permission of permissions) {
    const match = PERMISSION_PATTERN.exec(permission.replace(/\s+/g, ''))
    if (!match) continue
    const [, action, role] = match as unknown as [string, string, string]
    if (!BROAD_ROLES.has(role)) continue
    // Signed-in users creating their own heartbeat rows is fine; anyone else is not.
    if (action === 'create' && role !== 'any' && role !== 'guests' && !pipeline) continue
    open.push(permission)
  }
  return open
}

function updateMethodFor(column: ColumnModelLike): string | undefined {
  const live = liveKind(column)
  switch (live.kind) {
    case 'string':
      return `update${live.storage[0]!.toUpperCase()}${live.storage.slice(1)}Column`
    case 'enum':
      return 'updateEnumColumn'
    case 'integer':
      return column.type.toLowerCase() === 'bigint' ? 'updateBigIntColumn' : 'updateIntegerColumn'
    case 'float':
      return 'updateFloatColumn'
    case 'email':
      return 'updateEmailColumn'
    case 'url':
      return 'updateUrlColumn'
    case 'ip':
      return 'updateIpColumn'
    case 'boolean':
      return 'updateBooleanColumn'
    case 'datetime':
      return 'updateDatetimeColumn'
    default:
      return undefined
  }
}

/** "with `tablesDB.updateXColumn({ …, args })` or in the console", or just "in the console". */
function viaMethod(column: ColumnModelLike, args: string): string {
  const method = updateMethodFor(column)
  return method === undefined
    ? 'in the console'
    : `with \`tablesDB.${method}({ …, ${args} })\` or in the console`
}

interface Finder {
  push(finding: Omit<DriftFinding, 'table'>): void
}

function migrateHint(key: string): string {
  return `${NEVER_CHANGES}: migrate by hand (create a column with the expected type under a new key, copy the data, delete \`${key}\`, rename or re-run \`booking-guard provision\`)`
}

function compareType(spec: ColumnSpec, column: ColumnModelLike, out: Finder): void {
  const live = liveKind(column)
  const expected = describeColumnSpec(spec)
  const actual = describeColumnModel(column)
  const key = spec.key
  const wrongType = (severity: DriftSeverity, why: string) =>
    out.push({
      kind: 'wrong-type',
      severity,
      column: key,
      expected,
      actual,
      fix: 'manual',
      hint:
        severity === 'error'
          ? `${why}; ${migrateHint(key)}`
          : `${why}; optional: migrate to the expected type (${NEVER_CHANGES})`,
    })
  if ((column.array === true) !== spec.array) {
    wrongType(
      'error',
      spec.array
        ? 'the lock writes a list here, the column holds one value'
        : 'the column holds a list, the lock writes one value',
    )
    return
  }
  const tooSmall = (what: string, want: string, have: string) =>
    out.push({
      kind: 'size-too-small',
      severity: 'error',
      column: key,
      expected: want,
      actual: have,
      fix: 'manual',
      hint: `Appwrite rejects ${what} the lock accepts: widen it ${viaMethod(column, `key: '${key}'`)} (${NEVER_CHANGES})`,
    })
  switch (spec.type) {
    case 'string':
      if (live.kind !== 'string') {
        wrongType('error', 'Appwrite rejects strings this column does not accept')
      } else if (live.capacity < spec.size && live.storage in TEXT_CAPACITY) {
        // A text column has a fixed size: the data has to move to a wider column.
        out.push({
          kind: 'size-too-small',
          severity: 'error',
          column: key,
          expected: `size ${spec.size}`,
          actual: `size ${live.capacity}`,
          fix: 'manual',
          hint: `Appwrite rejects longer values the lock accepts; ${migrateHint(key)}`,
        })
      } else if (live.capacity < spec.size) {
        // A varchar / string column can be widened in place.
        tooSmall('longer values', `size ${spec.size}`, `size ${live.capacity}`)
      }
      return
    case 'email':
    case 'url':
    case 'ip':
      if (live.kind === spec.type) return
      if (live.kind === 'string' && live.capacity >= FORMAT_SIZE[spec.type]) {
        wrongType(
          'warning',
          `a plain string column accepts every ${spec.type}, but Appwrite does not check the format (the schema lock does)`,
        )
      } else {
        wrongType('error', `Appwrite rejects some values the lock accepts as ${spec.type}`)
      }
      return
    case 'enum': {
      if (live.kind === 'enum') {
        const have = new Set(live.elements)
        const missing = spec.elements.filter((value) => !have.has(value))
        if (missing.length > 0) {
          out.push({
            kind: 'enum-values-missing',
            severity: 'error',
            column: key,
            expected: spec.elements.join(', '),
            actual: live.elements.join(', '),
            fix: 'manual',
            hint: `Appwrite rejects ${missing.map((value) => `\`${value}\``).join(', ')}: add ${missing.length === 1 ? 'it' : 'them'} with \`tablesDB.updateEnumColumn({ …, key: '${key}', elements: [${[...live.elements, ...missing].map((value) => `'${value}'`).join(', ')}] })\` or in the console (${NEVER_CHANGES})`,
          })
        }
        return
      }
      const longest = Math.max(...spec.elements.map((value) => value.length))
      if (live.kind === 'string' && live.capacity >= longest) {
        wrongType(
          'warning',
          'a plain string column accepts every value, but Appwrite does not check them (the schema lock does)',
        )
      } else {
        wrongType('error', 'Appwrite rejects some values of this enum')
      }
      return
    }
    case 'integer':
    case 'float': {
      if (live.kind !== 'integer' && live.kind !== 'float') {
        wrongType('error', 'Appwrite rejects numbers in this column')
        return
      }
      if (spec.type === 'float' && live.kind === 'integer') {
        wrongType('error', 'an integer column rejects fractional numbers')
        return
      }
      if (spec.type === 'integer' && live.kind === 'float') {
        wrongType(
          'warning',
          'a float column accepts every integer, but does not reject fractions (the schema lock does)',
        )
      }
      const min = spec.min ?? -Number.MAX_SAFE_INTEGER
      const max = spec.max ?? Number.MAX_SAFE_INTEGER
      if (live.min > min || live.max < max) {
        tooSmall(
          'numbers',
          `range ${formatRange(spec.min, spec.max)}`,
          `range ${formatRange(live.min, live.max)}`,
        )
      }
      return
    }
    case 'boolean':
    case 'datetime':
      if (live.kind !== spec.type) wrongType('error', `Appwrite rejects ${spec.type} values here`)
      return
  }
}

function compareColumn(spec: ColumnSpec, column: ColumnModelLike, out: Finder): void {
  const status = column.status.toLowerCase()
  if (status === 'processing' || status === 'deleting') {
    out.push({
      kind: 'column-processing',
      severity: 'error',
      column: spec.key,
      expected: 'available',
      actual: status,
      fix: 'wait',
      hint:
        status === 'processing'
          ? 'Appwrite is still building this column and rejects writes that use it: wait and re-run `booking-guard doctor`; if it stays `processing` for minutes, delete it in the console and run `booking-guard provision`'
          : `Appwrite is deleting this column: once it is gone, ${PROVISION} to create it again`,
    })
  } else if (status === 'failed' || status === 'stuck') {
    const reason = column.error !== undefined && column.error !== '' ? `: ${column.error}` : ''
    out.push({
      kind: 'column-failed',
      severity: 'error',
      column: spec.key,
      expected: 'available',
      actual: `${status}${reason}`,
      fix: 'manual',
      hint: `Appwrite could not build this column${reason}: delete it in the console, then ${PROVISION} to create it again`,
    })
  }
  compareType(spec, column, out)
  if (column.required && !spec.required) {
    out.push({
      kind: 'required-mismatch',
      severity: 'error',
      column: spec.key,
      expected: 'optional',
      actual: 'required',
      fix: 'manual',
      hint: `Appwrite rejects rows without \`${spec.key}\`, which the lock lets writers leave out: make it optional ${viaMethod(column, `key: '${spec.key}', required: false`)}`,
    })
  } else if (!column.required && spec.required) {
    out.push({
      kind: 'required-mismatch',
      severity: 'warning',
      column: spec.key,
      expected: 'required',
      actual: 'optional',
      fix: 'manual',
      hint: `the schema lock requires \`${spec.key}\` on every write, Appwrite does not: writers that bypass booking-guard can leave it out; make it required in the console once every row has a value`,
    })
  }
}

/**
 * Compares one existing table with the lock. Findings come without their `table`.
 * @internal
 */
export function compareTable(
  spec: TableSpec,
  live: TableModelLike,
  aliases: Readonly<Record<string, string>>,
  pipeline = false,
): Omit<DriftFinding, 'table'>[] {
  const findings: Omit<DriftFinding, 'table'>[] = []
  const out: Finder = { push: (finding) => findings.push(finding) }
  const byKey = new Map(live.columns.map((column) => [column.key, column]))
  const specKeys = new Set(spec.columns.map((column) => column.key))

  const permissions =
    live.$permissions === undefined ? [] : openPermissions(live.$permissions, pipeline)
  const rowSecurityOff = live.rowSecurity === false
  if (permissions.length > 0 || rowSecurityOff) {
    const problems = [...permissions, ...(rowSecurityOff ? ['rowSecurity off'] : [])]
    out.push({
      kind: 'table-permissions',
      severity: 'warning',
      expected: pipeline
        ? 'server-written, participant-only (row security on, no table-level permission for broad roles)'
        : 'participant-only (row security on, no table-level read for broad roles)',
      actual: problems.join(', '),
      fix: 'manual',
      hint: `rows must be readable only by their participants: in the table settings ${[
        permissions.length > 0 ? `remove ${permissions.join(', ')}` : '',
        rowSecurityOff ? 'turn row security on' : '',
      ]
        .filter(Boolean)
        .join(
          ' and ',
        )} (each booking-guard row carries its own customer, provider and admin permissions${
        pipeline
          ? '; its rows cross two users, so only the server path writes them: a user allowed to create them can forge bookings or squat slots'
          : ''
      })`,
    })
  }

  for (const column of spec.columns) {
    const found = byKey.get(column.key)
    if (found === undefined) {
      const legacy = Object.keys(aliases).filter(
        (alias) => aliases[alias] === column.key && byKey.has(alias),
      )
      out.push({
        kind: 'missing-column',
        severity: 'error',
        column: column.key,
        expected: describeColumnSpec(column),
        fix: 'provision',
        hint:
          legacy.length === 0
            ? `${PROVISION} to create it`
            : `${PROVISION} to create it, then copy the values of the legacy ${legacy.map((alias) => `\`${alias}\``).join(', ')} into it`,
      })
      continue
    }
    compareColumn(column, found, out)
  }

  for (const column of live.columns) {
    if (specKeys.has(column.key)) continue
    const canonical = aliases[column.key]
    if (column.required) {
      out.push({
        kind: 'extra-column',
        severity: 'error',
        column: column.key,
        actual: `${describeColumnModel(column)}, required`,
        fix: 'manual',
        hint: `a required column the schema lock does not know: Appwrite rejects every row booking-guard writes without it; make it optional in the console${canonical === undefined ? ', or declare it with `createSchemaLock({ extend })`' : ` (it is the legacy name of \`${canonical}\`)`}`,
      })
      continue
    }
    out.push({
      kind: 'extra-column',
      severity: 'info',
      column: column.key,
      actual: describeColumnModel(column),
      fix: 'none',
      hint:
        canonical === undefined
          ? 'not in the schema lock: booking-guard never writes it and passes it through on read; declare it with `createSchemaLock({ extend })` to validate it'
          : `legacy name of \`${canonical}\`: the schema lock maps it on read and never writes it; once its values are copied into \`${canonical}\`, delete it`,
    })
  }

  for (const index of spec.indexes) {
    const satisfying = live.indexes.filter((candidate) => indexSatisfies(candidate, index))
    const usable = satisfying.find((candidate) => candidate.status.toLowerCase() === 'available')
    if (usable !== undefined) continue
    const expected = describeIndex(index)
    const severity: DriftSeverity = index.type === 'key' ? 'warning' : 'error'
    const why =
      index.type === 'unique'
        ? 'without it duplicates get in'
        : index.type === 'fulltext'
          ? 'search queries fail without it'
          : 'the queries that use it scan the whole table'
    const pending = satisfying[0]
    if (pending !== undefined) {
      const status = pending.status.toLowerCase()
      const building = status === 'processing' || status === 'deleting'
      out.push({
        kind: 'missing-index',
        severity,
        index: index.key,
        expected,
        actual: `${describeIndex(pending)} ${status}`,
        fix: building ? 'wait' : 'manual',
        hint: building
          ? `Appwrite is still building index \`${pending.key}\`; ${why} meanwhile: wait and re-run \`booking-guard doctor\``
          : `Appwrite could not build index \`${pending.key}\` (${why}): delete it in the console, then ${PROVISION}`,
      })
      continue
    }
    const taken = live.indexes.find((candidate) => candidate.key === index.key)
    out.push({
      kind: 'missing-index',
      severity,
      index: index.key,
      expected,
      ...(taken === undefined ? {} : { actual: describeIndex(taken) }),
      fix: taken === undefined ? 'provision' : 'manual',
      hint:
        taken === undefined
          ? `${why}: ${PROVISION} to create it`
          : `${why}, and an index called \`${index.key}\` already covers other columns: delete or rename it in the console, then ${PROVISION}`,
    })
  }
  return findings
}

/**
 * Compares the live schema with the lock.
 * @internal
 */
export function buildDriftReport(
  databaseId: string,
  lock: SchemaLock,
  live: LiveSchema,
): DriftReport {
  const findings: DriftFinding[] = []
  const tables: DriftTableSummary[] = []
  if (!live.databaseExists) {
    findings.push({
      table: null,
      kind: 'missing-database',
      severity: 'error',
      expected: databaseId,
      fix: 'provision',
      hint: `database \`${databaseId}\` does not exist: check the database id, or ${PROVISION} to create it with every table`,
    })
  }
  for (const kind of TABLE_KINDS) {
    // The table as the app has it: its own column names and value spellings (`columnNames`, `writeValues`).
    const write = writeMappingOf(lock, kind)
    const spec = appTableSpec(lock.tables[kind], write)
    const table = live.tables[kind]
    const own: DriftFinding[] = []
    if (table === undefined) {
      if (live.databaseExists) {
        own.push({
          table: spec.tableId,
          kind: 'missing-table',
          severity: 'error',
          fix: 'provision',
          hint: `table \`${spec.tableId}\` does not exist, so every write to it fails: ${PROVISION} to create it with its columns and indexes`,
        })
      }
    } else {
      const pipeline = kind !== 'heartbeat'
      const aliases = appAliases(lock.aliases(kind), write)
      for (const finding of compareTable(spec, table, aliases, pipeline)) {
        own.push({ table: spec.tableId, ...finding })
      }
    }
    findings.push(...own)
    const count = (severity: DriftSeverity) =>
      own.filter((finding) => finding.severity === severity).length
    const errors = count('error')
    const warnings = count('warning')
    tables.push({
      kind,
      tableId: spec.tableId,
      status: table === undefined ? 'missing' : errors + warnings > 0 ? 'drifted' : 'ok',
      errors,
      warnings,
      infos: count('info'),
    })
  }
  const counts = {
    error: findings.filter((finding) => finding.severity === 'error').length,
    warning: findings.filter((finding) => finding.severity === 'warning').length,
    info: findings.filter((finding) => finding.severity === 'info').length,
  }
  return { ok: counts.error === 0, databaseId, findings, tables, counts }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Compares the schema lock with a live Appwrite database and reports every difference: a missing
 * database, table, column or index, a wrong type, a size or range too small, missing enum
 * values, a required flag that disagrees, a column stuck in `processing` or `failed`, table
 * permissions opened beyond the participants, and extra columns (as information). Each finding
 * has a severity and a hint naming the fix. Read-only: it never changes anything.
 *
 * Makes one `get` call and one `getTable` call per table (in parallel). "Does not exist" answers
 * become findings; anything else (network, an API key without `databases.read`) rejects.
 *
 * @example
 * ```ts
 * import { Client, TablesDB } from 'node-appwrite'
 * import { createSchemaLock } from '@booking-guard/core'
 * import { checkSchemaDrift, formatDriftReport } from '@booking-guard/core/admin'
 *
 * const client = new Client().setEndpoint(endpoint).setProject(project).setKey(apiKey)
 * const report = await checkSchemaDrift({
 *   admin: new TablesDB(client),
 *   databaseId: 'main',
 *   lock: createSchemaLock(),
 * })
 * if (!report.ok) {
 *   console.error(formatDriftReport(report))
 *   process.exitCode = 1
 * }
 * ```
 */
export async function checkSchemaDrift(options: CheckSchemaDriftOptions): Promise<DriftReport> {
  const lock = options.lock ?? createSchemaLock()
  const live = await readLiveSchema(options.admin, options.databaseId, lock, options.signal)
  return buildDriftReport(options.databaseId, lock, live)
}

const SEVERITY_LABEL: Record<DriftSeverity, string> = {
  error: 'error  ',
  warning: 'warning',
  info: 'info   ',
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/**
 * Formats a drift report for a terminal: a summary line, then each table with its findings and
 * their fixes. Plain text, no colours.
 *
 * @example
 * ```ts
 * const report = await checkSchemaDrift({ admin, databaseId: 'main' })
 * console.log(formatDriftReport(report))
 * // Schema drift in database `main`: 2 errors, 0 warnings, 1 info
 * //   bookings: missing (1 error)
 * //     error   missing-column `providerId`: expected string(36)
 * //             fix: run `booking-guard provision` to create it, …
 * ```
 */
export function formatDriftReport(report: DriftReport): string {
  const { error, warning, info } = report.counts
  const lines: string[] = []
  if (report.findings.length === 0) {
    lines.push(
      `Database \`${report.databaseId}\` matches the schema lock (${plural(report.tables.length, 'table')} checked).`,
    )
    return lines.join('\n')
  }
  lines.push(
    `${report.ok ? 'Schema lock satisfied' : 'Schema drift'} in database \`${report.databaseId}\`: ${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(info, 'info')}`,
  )
  const describe = (finding: DriftFinding): string[] => {
    const subject =
      finding.column !== undefined
        ? ` \`${finding.column}\``
        : finding.index !== undefined
          ? ` \`${finding.index}\``
          : ''
    const detail = [
      finding.expected === undefined ? '' : `expected ${finding.expected}`,
      finding.actual === undefined ? '' : `found ${finding.actual}`,
    ]
      .filter(Boolean)
      .join(', ')
    return [
      `    ${SEVERITY_LABEL[finding.severity]} ${finding.kind}${subject}${detail === '' ? '' : `: ${detail}`}`,
      `            fix: ${finding.hint}`,
    ]
  }
  for (const finding of report.findings) {
    if (finding.table === null) lines.push(...describe(finding).map((line) => line.slice(2)))
  }
  for (const table of report.tables) {
    const counts = [
      table.errors > 0 ? plural(table.errors, 'error') : '',
      table.warnings > 0 ? plural(table.warnings, 'warning') : '',
      table.infos > 0 ? plural(table.infos, 'info') : '',
    ]
      .filter(Boolean)
      .join(', ')
    lines.push(`  ${table.tableId}: ${table.status}${counts === '' ? '' : ` (${counts})`}`)
    for (const finding of report.findings) {
      if (finding.table === table.tableId) lines.push(...describe(finding))
    }
  }
  return lines.join('\n')
}
