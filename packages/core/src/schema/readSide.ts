// The read side of every schema lock: table ids and legacy aliases resolved, rows normalized to
// canonical names and values. It builds no zod schema and holds none of the mapping's resolution
// (that comes in through a `MappingResolver` from the locks that take a mapping), so the
// browser's default lock carries neither; `createReadLock` and `createSchemaLock` both build on it.
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
import type { Backend } from '../backend/appwriteBackend'
import { mapValuesInPlace } from './mapping'
import type { ResolvedValues, WriteMapping } from './mapping'
import type { ReadLock, ReadLockOptions } from './readLock'
import type { LockOutput, NormalizedRow, SchemaExtensions, SchemaLockReadIssue } from './schemaLock'
import type { SchemaKind, TableKind } from './schemas'

/** A kind's columns as the read side knows them: name → enum values (`undefined`: not an enum). @internal */
export type KindColumns = ReadonlyMap<string, readonly string[] | undefined>

/**
 * Resolves one table kind's `values`, `writeValues` and `columnNames` against its columns: the
 * read spellings (legacy and written ones → canonical) and what is renamed and respelled on
 * write. Throws a message (the caller wraps it) naming the entry that is wrong.
 *
 * @internal
 */
export type MappingResolver = (
  kind: TableKind,
  columns: KindColumns,
  where: string,
  options: ReadLockOptions,
) => { read: ResolvedValues | undefined; write: WriteMapping | undefined }

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
const backendMappers = new WeakMap<ReadLock, (backend: Backend) => Backend>()
const lockWrites = new WeakMap<ReadLock, Readonly<Record<TableKind, WriteMapping | undefined>>>()

/**
 * Records what the internal helpers below read of a lock: its resolved mappings, its owned-row
 * normalizer (`undefined`: always `lock.normalize`) and, for a lock that takes a mapping, what
 * maps a backend to the app's schema (see {@link backendFor}).
 *
 * @internal
 */
export function registerLock(
  lock: ReadLock,
  side: ReadSide,
  owned: ((kind: TableKind, row: Record<string, unknown>) => unknown) | undefined,
  mapper?: (backend: Backend) => Backend,
): void {
  if (owned !== undefined) ownedNormalizers.set(lock, owned)
  if (mapper !== undefined) backendMappers.set(lock, mapper)
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
 * `bookingInput` optional) and builds the read lock over them; the mapping options through
 * `resolveMapping` (without one, the lock maps no values or column names). Throws a
 * `CONFIGURATION` error of `name` for a mapping that names no column, a value that is not one of
 * an enum's, or an alias that is also a column.
 *
 * @internal
 */
export function buildReadSide(
  name: string,
  options: ReadLockOptions,
  ids: { tableIds: Record<TableKind, string>; kindByTable: Map<string, TableKind> },
  columns: Partial<Record<SchemaKind, KindColumns>>,
  resolveMapping?: MappingResolver,
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
      if (kind !== 'bookingInput' && resolveMapping !== undefined) {
        const { read, write } = resolveMapping(kind, elements, where, options)
        valueMaps[kind] = read
        writeMaps[kind] = write
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
 * `backend` as the reads of `lock` must use it: mapped to the app's column names and spellings by
 * the lock's mapper (`createReadLock` and `createSchemaLock` register `mapBackend`), or as it is
 * for the default lock, which maps nothing, so the browser's default bundle has no mapper.
 *
 * @internal
 */
export function backendFor(lock: ReadLock, backend: Backend): Backend {
  const mapper = backendMappers.get(lock)
  return mapper === undefined ? backend : mapper(backend)
}

/**
 * The columns of the table kinds as the read side knows them, from the zod-free defaults plus the
 * names (and enum values) of the app's extension columns. Refuses an extension that redefines a
 * default column.
 *
 * @internal
 */
export function readColumnsOf(
  name: string,
  tableIds: Readonly<Record<TableKind, string>>,
  extend: SchemaExtensions = {},
): Record<TableKind, KindColumns> {
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
          `column \`${key}\` of \`${kind}\` (table \`${tableIds[kind]}\`) is a default column and cannot be redefined`,
        )
      }
      known.set(key, spec?.type === 'enum' ? spec.elements : undefined)
    }
    columns[kind] = known
  }
  return columns
}

/**
 * The lock the browser's reads and the feeds make when given none: the default columns and
 * legacy aliases under `tableIds`, no value or column-name mapping.
 *
 * @internal
 */
export function defaultReadLock(tableIds: Partial<Record<TableKind, string>> = {}): ReadLock {
  const name = 'createReadLock'
  const ids = resolveTableIds(name, { tableIds })
  const side = buildReadSide(name, {}, ids, readColumnsOf(name, ids.tableIds))
  registerLock(side.lock, side, side.normalizeOwned)
  return side.lock
}
