// The read half of the schema lock: table ids, legacy aliases, the app's value spellings and
// column names, applied to rows that were read or arrived on realtime. It builds no zod schema,
// so the browser's reads, feeds and watchdog carry none; `createSchemaLock` composes its parse
// side on top of this one, so both resolve and normalize with the same code.
import { BookingGuardError, SchemaLockError } from '../errors'
import type { SchemaLockIssue } from '../errors'
import { resolveAliases, sameValue } from './aliases'
import {
  APPWRITE_ID_MAX_LENGTH,
  APPWRITE_ID_PATTERN,
  DEFAULT_READ_COLUMNS,
  DEFAULT_TABLE_IDS,
  SCHEMA_KINDS,
  TABLE_KINDS,
} from './kinds'
import {
  mapValuesInPlace,
  resolveColumnNames,
  resolveValueMappings,
  resolveWriteValues,
} from './mapping'
import type { ResolvedValues, WriteMapping } from './mapping'
import type {
  LockOutput,
  NormalizedRow,
  SchemaExtensions,
  SchemaLockOptions,
  SchemaLockReadIssue,
} from './schemaLock'
import type { SchemaKind, TableKind } from './schemas'

/**
 * What reads need of a schema lock: table ids, and rows mapped to canonical names and values.
 * Made by {@link createReadLock} (no zod, for the browser) or `createSchemaLock` (which adds
 * `parse` and the table specs); the reads, feeds and watchdog take either.
 */
export interface ReadLock<E extends SchemaExtensions = SchemaExtensions> {
  /**
   * Normalizes a row that was read or arrived on realtime: maps legacy aliases and the app's
   * column names to canonical names (the canonical field wins a conflict, reported through
   * `onIssue`) and the app's value spellings to canonical values, keeps system fields and passes
   * unknown fields through. Coerces nothing. Returns a new object; throws
   * {@link SchemaLockError} only when `row` is not an object.
   */
  normalize<K extends TableKind>(kind: K, row: unknown): NormalizedRow<LockOutput<E, K>>
  /** The Appwrite table id of a kind. */
  tableId(kind: TableKind): string
  /** The kind stored in a table id, e.g. to normalize a realtime payload by its `$tableId`. */
  kindOfTable(tableId: string): TableKind | undefined
  /** The legacy alias map of a kind (alias → canonical), the app's column names included. */
  aliases(kind: TableKind): Readonly<Record<string, string>>
}

/**
 * Options of {@link createReadLock}: the read half of `createSchemaLock`'s options, so one mapping
 * object can serve the server's lock and the browser's. Of `extend`, only the column names and
 * enum values are read.
 */
export type ReadLockOptions<E extends SchemaExtensions = SchemaExtensions> = Pick<
  SchemaLockOptions<E>,
  'tableIds' | 'extend' | 'aliases' | 'values' | 'columnNames' | 'writeValues' | 'onIssue'
>

/** A kind's columns as the read side knows them: name → enum values (`undefined`: not an enum). @internal */
export type KindColumns = ReadonlyMap<string, readonly string[] | undefined>

/** What the read side resolved for one kind. @internal */
export interface ReadPlan {
  readonly kind: SchemaKind
  /** `undefined` for `bookingInput`, which is stored in no table. */
  readonly tableId: string | undefined
  /** alias → canonical; prototype-less. */
  readonly aliasOf: Record<string, string>
}

/** The read side of a lock, shared by `createReadLock` and `createSchemaLock`. @internal */
export interface ReadSide {
  readonly lock: ReadLock
  readonly plans: Readonly<Record<SchemaKind, ReadPlan>>
  readonly valueMaps: Record<SchemaKind, ResolvedValues | undefined>
  readonly writeMaps: Readonly<Record<TableKind, WriteMapping | undefined>>
  /** The plan of `kind`; a `CONFIGURATION` error naming the kinds when there is none. */
  planFor(kind: unknown, tableOnly: boolean): ReadPlan
  /** Reports an issue of a row that was read through `onIssue`. */
  report(plan: ReadPlan, row: Record<string, unknown>, issue: SchemaLockIssue): void
  /** `normalize` for a row nobody else holds; see {@link normalizeOwned}. */
  normalizeOwned(kind: TableKind, row: Record<string, unknown>): unknown
}

/** @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** @internal */
export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key)
}

/** An own property's value; `undefined` for inherited ones (`constructor`, `toString`, …). @internal */
export function own(object: Record<string, unknown>, key: string): unknown {
  return hasOwn(object, key) ? object[key] : undefined
}

/** Whether `key` is a valid Appwrite id (table ids, column keys, index keys). @internal */
export function isValidKey(key: string): boolean {
  return key.length <= APPWRITE_ID_MAX_LENGTH && APPWRITE_ID_PATTERN.test(key)
}

/** A `CONFIGURATION` error of the factory `name`. @internal */
export function lockConfigError(name: string, message: string): BookingGuardError {
  return new BookingGuardError('CONFIGURATION', `${name}: ${message}`)
}

/** @internal */
export function assertKind<K extends string>(
  name: string,
  kind: unknown,
  kinds: readonly K[],
  what: string,
): asserts kind is K {
  if (!(kinds as readonly unknown[]).includes(kind)) {
    throw lockConfigError(
      name,
      `unknown ${what} \`${String(kind)}\`: use one of ${kinds.map((k) => `\`${k}\``).join(', ')}`,
    )
  }
}

/** The `SchemaLockError` for data of `kind` that is not an object. @internal */
export function notAnObject(kind: string, tableId: string | undefined, input: unknown): never {
  const type = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input
  throw new SchemaLockError(
    [
      {
        path: [],
        code: 'invalid_type',
        message: `Invalid input: expected an object, received ${type}`,
      },
    ],
    { kind, tableId },
  )
}

function isDev(): boolean {
  try {
    return process.env.NODE_ENV !== 'production'
  } catch {
    // No `process` (a browser bundle that did not replace it): treat as production, stay quiet.
    return false
  }
}

function defaultOnIssue(issue: SchemaLockReadIssue): void {
  if (!isDev()) return
  const where = issue.path.length === 0 ? '(root)' : issue.path.join('.')
  console.warn(
    `[booking-guard] schema lock: ${issue.kind} row ${issue.rowId ?? '(no $id)'} in \`${issue.tableId}\`: ${where}: ${issue.message}`,
  )
}

/**
 * Checks the kinds named in the read options and resolves the table ids: the defaults, replaced
 * by `tableIds`, each a valid Appwrite id used by one kind only.
 *
 * @internal
 */
export function resolveTableIds(
  name: string,
  options: ReadLockOptions,
): { tableIds: Record<TableKind, string>; kindByTable: Map<string, TableKind> } {
  const named = ['extend', 'aliases', 'values', 'columnNames', 'writeValues', 'tableIds'] as const
  for (const option of named) {
    for (const kind of Object.keys(options[option] ?? {})) {
      assertKind(name, kind, TABLE_KINDS, `kind in \`${option}\``)
    }
  }
  const tableIds = {} as Record<TableKind, string>
  const kindByTable = new Map<string, TableKind>()
  for (const kind of TABLE_KINDS) {
    const id = options.tableIds?.[kind] ?? DEFAULT_TABLE_IDS[kind]
    if (typeof id !== 'string' || !isValidKey(id)) {
      throw lockConfigError(
        name,
        `table id \`${String(id)}\` for \`${kind}\` is not a valid Appwrite id`,
      )
    }
    const other = kindByTable.get(id)
    if (other !== undefined) {
      throw lockConfigError(name, `\`${other}\` and \`${kind}\` cannot share table \`${id}\``)
    }
    kindByTable.set(id, kind)
    tableIds[kind] = id
  }
  return { tableIds, kindByTable }
}

const ownedNormalizers = new WeakMap<
  ReadLock,
  (kind: TableKind, row: Record<string, unknown>) => unknown
>()
const lockValues = new WeakMap<ReadLock, Readonly<Record<SchemaKind, ResolvedValues | undefined>>>()
const lockWrites = new WeakMap<ReadLock, Readonly<Record<TableKind, WriteMapping | undefined>>>()

/**
 * Records what the internal helpers below read of a lock: its resolved mappings and its
 * owned-row normalizer (`undefined`: always `lock.normalize`).
 *
 * @internal
 */
export function registerLock(
  lock: ReadLock,
  side: ReadSide,
  owned: ((kind: TableKind, row: Record<string, unknown>) => unknown) | undefined,
): void {
  if (owned !== undefined) ownedNormalizers.set(lock, owned)
  lockValues.set(lock, side.valueMaps)
  lockWrites.set(lock, side.writeMaps)
}

/**
 * The resolved `columnNames` and `writeValues` of a lock for one kind; `undefined` when the kind
 * is written with canonical names and values.
 *
 * @internal
 */
export function writeMappingOf(lock: ReadLock, kind: TableKind): WriteMapping | undefined {
  return lockWrites.get(lock)?.[kind]
}

/**
 * The resolved `values` option of a lock for one kind (legacy value → canonical, per column);
 * `undefined` when the kind has none.
 *
 * @internal
 */
export function valueMappingsOf(lock: ReadLock, kind: TableKind): ResolvedValues | undefined {
  return lockValues.get(lock)?.[kind]
}

/**
 * `lock.normalize(kind, row)` for a row nobody else holds (a backend's fresh response, or a row
 * the pipeline just built): when no key is a legacy alias (and the lock does not validate reads),
 * the row already has the canonical shape `normalize` would copy it into, so it is returned as is
 * instead of copied. Anything else goes through `normalize`.
 *
 * @internal
 */
export function normalizeOwned<E extends SchemaExtensions, K extends TableKind>(
  lock: ReadLock<E>,
  kind: K,
  row: Record<string, unknown>,
): NormalizedRow<LockOutput<E, K>> {
  const owned = ownedNormalizers.get(lock as ReadLock)
  return (owned === undefined ? lock.normalize(kind, row) : owned(kind, row)) as NormalizedRow<
    LockOutput<E, K>
  >
}

/**
 * Resolves the read options against the columns of each kind (`columns`, in `SCHEMA_KINDS` order;
 * `bookingInput` optional) and builds the read lock over them. Throws a `CONFIGURATION` error
 * of `name` for a mapping that names no column, a value that is not one of an enum's, or an
 * alias that is also a column.
 *
 * @internal
 */
export function buildReadSide(
  name: string,
  options: ReadLockOptions,
  ids: { tableIds: Record<TableKind, string>; kindByTable: Map<string, TableKind> },
  columns: Partial<Record<SchemaKind, KindColumns>>,
): ReadSide {
  const { tableIds, kindByTable } = ids
  const onIssue = options.onIssue ?? defaultOnIssue
  const plans = Object.create(null) as Record<SchemaKind, ReadPlan>
  const valueMaps = Object.create(null) as Record<SchemaKind, ResolvedValues | undefined>
  const writeMaps = Object.create(null) as Record<TableKind, WriteMapping | undefined>

  for (const kind of SCHEMA_KINDS) {
    const elements = columns[kind]
    if (elements === undefined) continue
    const sourceKind: TableKind = kind === 'bookingInput' ? 'booking' : kind
    const tableId = kind === 'bookingInput' ? undefined : tableIds[kind]
    const where =
      kind === 'bookingInput' ? '`bookingInput`' : `\`${kind}\` (table \`${tableIds[sourceKind]}\`)`
    const columnKeys = new Set(elements.keys())
    let aliasOf: Record<string, string>
    try {
      if (kind !== 'bookingInput') {
        const read = new Map<string, Map<string, string>>()
        for (const [column, map] of resolveValueMappings(options.values?.[kind], elements, where) ??
          []) {
          read.set(column, new Map(map))
        }
        const values = resolveWriteValues(options.writeValues?.[kind], elements, read, where)
        valueMaps[kind] = read.size === 0 ? undefined : read
        const names = resolveColumnNames(options.columnNames?.[kind], columnKeys, isValidKey, where)
        if (names.size > 0 || values.size > 0) {
          writeMaps[kind] = {
            names,
            canonicalOf: new Map([...names].map(([canonical, app]) => [app, canonical])),
            values,
          }
        }
      }
      // Booking's extra aliases also apply to bookingInput, where their target is an input field.
      // The app's column names are read (and accepted on write) as legacy aliases of their column.
      let extra = options.aliases?.[sourceKind]
      const names = writeMaps[sourceKind]?.names
      if (names !== undefined && names.size > 0) {
        const merged: Record<string, string | null> = { ...extra }
        for (const [canonical, app] of names) {
          if (!columnKeys.has(canonical)) continue
          const declared = hasOwn(merged, app) ? merged[app] : undefined
          if (declared !== undefined && declared !== canonical) {
            throw new Error(
              `${where}: \`${app}\` is the app's column name of \`${canonical}\` (\`columnNames\`) but \`aliases\` ${declared === null ? 'removes it' : `maps it to \`${declared}\``}`,
            )
          }
          merged[app] = canonical
        }
        extra = merged
      }
      aliasOf = resolveAliases(columnKeys, extra, where, kind === 'bookingInput')
    } catch (error) {
      throw lockConfigError(name, (error as Error).message)
    }
    plans[kind] = { kind, tableId, aliasOf }
  }

  function planFor(kind: unknown, tableOnly: boolean): ReadPlan {
    const plan = typeof kind === 'string' ? plans[kind as SchemaKind] : undefined
    if (plan === undefined || (tableOnly && kind === 'bookingInput')) {
      const kinds = tableOnly ? TABLE_KINDS : SCHEMA_KINDS.filter((k) => plans[k] !== undefined)
      assertKind(name, kind, kinds, tableOnly ? 'table kind' : 'schema kind')
    }
    return plan as ReadPlan
  }

  function report(plan: ReadPlan, row: Record<string, unknown>, issue: SchemaLockIssue): void {
    const rowId = typeof row.$id === 'string' ? row.$id : undefined
    onIssue({ ...issue, kind: plan.kind as TableKind, tableId: plan.tableId!, rowId })
  }

  function normalize(kind: TableKind, row: unknown): unknown {
    const plan = planFor(kind, true)
    if (!isRecord(row)) notAnObject(plan.kind, plan.tableId, row)
    const aliasOf = plan.aliasOf
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(row)) {
      const value = row[key]
      const canonical = aliasOf[key]
      if (canonical === undefined) {
        // A `null` canonical column after its alias already filled it: keep the alias's value.
        if ((value === null || value === undefined) && hasOwn(out, key)) continue
        // `__proto__` from JSON.parse is an own key: define it, never assign it (that would set the prototype).
        if (key === '__proto__')
          Object.defineProperty(out, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          })
        else out[key] = value
        continue
      }
      // Appwrite returns `null` for an unset column, so on read `null` counts as absent on both sides:
      // a legacy writer's `therapistId` must still fill a `providerId` column it left `null`.
      if (value === null || value === undefined) {
        if (value === null && !hasOwn(row, canonical) && !hasOwn(out, canonical))
          out[canonical] = null
        continue
      }
      // The canonical field wins over its alias, and the first alias over a later one.
      const inRow = own(row, canonical)
      const kept = inRow ?? own(out, canonical)
      if (kept !== null && kept !== undefined) {
        if (!sameValue(kept, value)) {
          report(plan, row, {
            path: [canonical],
            code: 'alias_conflict',
            message:
              inRow === null || inRow === undefined
                ? `Legacy \`${key}\` differs from another alias of \`${canonical}\`; kept the first`
                : `Legacy \`${key}\` differs from \`${canonical}\`; kept \`${canonical}\``,
          })
        }
        continue
      }
      out[canonical] = value
    }
    const values = valueMaps[plan.kind]
    if (values !== undefined) mapValuesInPlace(values, out)
    return out
  }

  const aliasCopies = Object.create(null) as Record<SchemaKind, Readonly<Record<string, string>>>
  for (const kind of SCHEMA_KINDS) {
    if (plans[kind] !== undefined) aliasCopies[kind] = Object.freeze({ ...plans[kind].aliasOf })
  }

  // Per table kind, the keys that make `normalize` do more than copy: its legacy aliases.
  const aliasKeys = Object.create(null) as Record<TableKind, readonly string[]>

  function owned(kind: TableKind, row: Record<string, unknown>): unknown {
    if (!isRecord(row) || valueMaps[kind] !== undefined) return normalize(kind, row)
    const aliases = (aliasKeys[kind] ??= Object.keys(planFor(kind, true).aliasOf))
    for (let i = 0; i < aliases.length; i++) {
      if (hasOwn(row, aliases[i]!)) return normalize(kind, row)
    }
    return row
  }

  const lock: ReadLock = {
    normalize: normalize as ReadLock['normalize'],
    tableId: (kind) => tableIds[planFor(kind, true).kind as TableKind],
    kindOfTable: (tableId) => kindByTable.get(tableId),
    aliases: (kind) => aliasCopies[planFor(kind, false).kind],
  }
  return { lock, plans, valueMaps, writeMaps, planFor, report, normalizeOwned: owned }
}

/**
 * Creates the read half of a schema lock, for the browser: table ids, legacy aliases, and the
 * app's value spellings (`values`, `writeValues`) and column names (`columnNames`) read back as
 * canonical ones, with the same checks of these options as `createSchemaLock`. It builds no zod
 * schema and cannot `parse`: writes are validated on the server, by its `createSchemaLock` with
 * the same options. Give it to `createBookingClient({ schemaLock })` or a feed manager when the
 * app maps its schema; without a mapping they make the default one themselves.
 *
 * @example
 * ```ts
 * import { createBookingClient, createReadLock } from '@booking-guard/core'
 *
 * // The mapping the server's createSchemaLock uses too.
 * const mapping = {
 *   tableIds: { booking: 'appointments' },
 *   columnNames: { booking: { providerId: 'therapistId' } },
 *   values: { booking: { status: { Pending: 'pending' } } },
 * }
 * const lock = createReadLock(mapping)
 * lock.normalize('booking', { $id: 'b1', therapistId: 'p1', status: 'Pending' })
 * // → { $id: 'b1', providerId: 'p1', status: 'pending' }
 * const booking = createBookingClient({ tablesDB, realtime, databaseId: 'main', functions, functionId: 'booking', schemaLock: lock })
 * ```
 */
export function createReadLock<const E extends SchemaExtensions = Record<never, never>>(
  options: ReadLockOptions<E> = {},
): ReadLock<E> {
  const name = 'createReadLock'
  const ids = resolveTableIds(name, options)
  const extend: SchemaExtensions = options.extend ?? {}
  const columns = {} as Record<TableKind, KindColumns>
  for (const kind of TABLE_KINDS) {
    const known = new Map<string, readonly string[] | undefined>(
      Object.entries(DEFAULT_READ_COLUMNS[kind]).map(([key, values]) => [key, values ?? undefined]),
    )
    for (const [key, def] of Object.entries(extend[kind] ?? {})) {
      const spec = (
        def as { column?: { type?: unknown; elements?: readonly string[] } } | undefined
      )?.column
      if (known.has(key)) {
        throw lockConfigError(
          name,
          `column \`${key}\` of \`${kind}\` (table \`${ids.tableIds[kind]}\`) is a default column and cannot be redefined`,
        )
      }
      known.set(key, spec?.type === 'enum' ? spec.elements : undefined)
    }
    columns[kind] = known
  }
  const side = buildReadSide(name, options, ids, columns)
  registerLock(side.lock, side, side.normalizeOwned)
  return side.lock as unknown as ReadLock<E>
}
