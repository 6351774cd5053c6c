import * as z from 'zod'
import type { SchemaLockIssue, SchemaLockIssueCode, BookingGuardError } from '../errors'
import { SchemaLockError } from '../errors'
import { sameValue } from './aliases'
import type { LEGACY_ALIASES } from './aliases'
import type { ColumnDef, ColumnSpec, IndexSpec, TableSpec } from './columns'
import { toColumnSpec } from './columns'
import { mapValuesInPlace } from './mapping'
import type { ColumnNames, ValueMappings, WriteValues } from './mapping'
import {
  assertKind,
  buildReadSide,
  hasOwn,
  isRecord,
  isValidKey,
  lockConfigError,
  notAnObject,
  own,
  registerLock,
  resolveTableIds,
} from './readSide'
import type { KindColumns, ReadPlan } from './readSide'
import { resolveKindMapping } from './readLock'
import type { ReadLock } from './readLock'
import { mapBackend } from './mappedBackend'
import type { DefaultShapes, SchemaKind, TableKind } from './schemas'
import {
  DEFAULT_INDEXES,
  SCHEMA_KINDS,
  TABLE_KINDS,
  defaultColumns,
  defaultSchemas,
  kindRules,
} from './schemas'

export { normalizeOwned, valueMappingsOf, writeMappingOf } from './readSide'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/**
 * Extra columns per table kind, each a {@link ColumnDef} (build them with `column.*`). Columns
 * added to `booking` are also accepted in `bookingInput`, since only the caller can supply them.
 */
export type SchemaExtensions = { readonly [K in TableKind]?: Readonly<Record<string, ColumnDef>> }

/** The system fields Appwrite adds to every row it returns. */
export interface AppwriteSystemFields {
  /** Row id. */
  $id: string
  /** Creation time, ISO 8601. */
  $createdAt: string
  /** Last update time, ISO 8601. */
  $updatedAt: string
  /** Row permissions, e.g. `read("user:u1")`. */
  $permissions: string[]
  /** Database id. */
  $databaseId: string
  /** Table id (TablesDB API). */
  $tableId?: string
  /** Collection id (legacy Databases API). */
  $collectionId?: string
  /** Insertion sequence (a numeric string). */
  $sequence?: string
}

/** Appwrite's system field names, as found on rows and realtime payloads. */
export const APPWRITE_SYSTEM_FIELDS: readonly (keyof AppwriteSystemFields)[] = [
  '$id',
  '$createdAt',
  '$updatedAt',
  '$permissions',
  '$databaseId',
  '$tableId',
  '$collectionId',
  '$sequence',
]

/**
 * A row as `normalize` returns it: the kind's fields under their canonical names, Appwrite's
 * system fields, and any other field the row carried (passed through untouched, typed `unknown`).
 */
export type NormalizedRow<T> = T & AppwriteSystemFields & { readonly [field: string]: unknown }

type ExtensionShape<E, K> = K extends keyof E
  ? E[K] extends Readonly<Record<string, ColumnDef>>
    ? { -readonly [F in keyof E[K]]: E[K][F]['schema'] }
    : unknown
  : unknown

type SourceKind<K extends SchemaKind> = K extends 'bookingInput' ? 'booking' : K

/** The zod shape of a kind in a lock with extensions `E`. @internal */
export type LockShape<E, K extends SchemaKind> = DefaultShapes[K] & ExtensionShape<E, SourceKind<K>>

/**
 * What `lock.parse(kind, …)` returns: the default type of that kind plus the app's extension
 * columns. Name a lock's types with `LockOutput<typeof extensions, 'booking'>`, or, without
 * extensions, use `Booking`, `ChatRoom`, … directly.
 */
export type LockOutput<E, K extends SchemaKind> = z.output<
  z.ZodObject<LockShape<E, K>, z.core.$strict>
>

/** The zod schema a lock uses for a kind (strict, with the cross-field rules). */
export type LockSchema<E, K extends SchemaKind> = z.ZodObject<LockShape<E, K>, z.core.$strict>

type DefaultAliases = typeof LEGACY_ALIASES

/** The default legacy aliases of `T`'s fields: alias → canonical field. */
type AliasesOf<T> = {
  [A in keyof DefaultAliases as DefaultAliases[A] extends keyof T ? A : never]: DefaultAliases[A]
}

/** The aliases in `M` that stand for field `C`. */
type AliasKeysOf<M, C> = { [A in keyof M]: M[A] extends C ? A : never }[keyof M]

/** One of the keys `A`, with a value of type `V`. */
type OneOf<A extends PropertyKey, V> = A extends unknown ? { [P in A]: V } : never

/**
 * Field `C` of `T` under its own name or one of its aliases `A`: a required field must come under
 * one of them (both may be sent when they agree, as the lock accepts).
 */
type FieldOrAlias<T, C extends keyof T, A extends PropertyKey> = undefined extends T[C]
  ? { [P in C]?: T[C] } & { [P in A]?: T[C] }
  : | ({ [P in C]: T[C] } & { [P in A]?: T[C] })
    | ({ [P in C]?: T[C] } & { [P in A]?: T[C] } & OneOf<A, T[C]>)

/** `U`'s members intersected; each member boxed so unions inside a member survive. */
type IntersectBoxes<U> = (U extends unknown ? (box: U) => void : never) extends (
  box: infer I,
) => void
  ? I
  : never

type WithAliases<T, M> = [keyof M] extends [never]
  ? T
  : Omit<T, M[keyof M] & keyof T> &
      (IntersectBoxes<
        {
          [C in M[keyof M] & keyof T]: { field: FieldOrAlias<T, C, AliasKeysOf<M, C>> }
        }[M[keyof M] & keyof T]
      > extends { field: infer F }
        ? F
        : never)

/** Flattens each member of a union of intersections, so editors and errors show plain objects. */
type Flatten<T> = T extends unknown ? { [K in keyof T]: T[K] } : never

/**
 * What a caller may send as data of a kind, checked by the compiler: exactly the kind's columns
 * (the app's extension columns included), optional columns optional and nullable, and the
 * default legacy aliases (`therapistId` for `providerId`, …) in place of their canonical field.
 * Any other key is a compile error, as `parse` refuses it at run time. Aliases an app adds with
 * `createSchemaLock({ aliases })` are known at run time only: send such data through `parse`.
 */
export type LockInput<E, K extends SchemaKind> = Flatten<
  WithAliases<
    z.input<z.ZodObject<LockShape<E, K>, z.core.$strict>>,
    AliasesOf<z.input<z.ZodObject<LockShape<E, K>, z.core.$strict>>>
  >
>

/** An issue found while normalizing a row that was read; reported through `onIssue`, never thrown. */
export interface SchemaLockReadIssue extends SchemaLockIssue {
  /** The kind of the row. */
  readonly kind: TableKind
  /** The table the lock reads it from. */
  readonly tableId: string
  /** The row's `$id`, when it has one. */
  readonly rowId: string | undefined
}

/** Options of {@link createSchemaLock}. Every option is optional. */
export interface SchemaLockOptions<E extends SchemaExtensions = SchemaExtensions> {
  /**
   * Appwrite table id per kind, for apps whose tables are named differently.
   * Defaults to `bookings`, `chat_rooms`, `chat_messages`, `notifications`, `heartbeats`.
   */
  tableIds?: Partial<Record<TableKind, string>>
  /**
   * Extra columns per kind, each with its zod type and column spec (see `column.*`). A default
   * column cannot be redefined. Defaults to none.
   */
  extend?: E
  /**
   * Extra legacy aliases per kind (`{ booking: { masseurId: 'providerId' } }`), mapped like the
   * default ones; `null` removes a default alias for that kind. Booking aliases also apply to
   * `bookingInput`. Defaults to none (the default table {@link LEGACY_ALIASES} always applies).
   */
  aliases?: { readonly [K in TableKind]?: Readonly<Record<string, string | null>> }
  /**
   * The app's own spelling of enum values, per kind and column, mapped to the canonical value
   * (`{ booking: { status: { Pending: 'pending', Cancelled: 'cancelled' } } }`): accepted by
   * `parse` and replaced by `normalize` on read and realtime, like legacy field names. Each target
   * must be one of the column's values. Defaults to none.
   */
  values?: ValueMappings
  /**
   * The app's own column name for a canonical column, per kind
   * (`{ booking: { providerId: 'therapistId' }, notification: { read: 'isRead' } }`), for an app
   * whose code still reads its old names: every row the guard, the reconciler and repair write
   * carries the value under the app's name instead of the canonical one, queries and feeds filter
   * on it, and drift detection and provisioning expect it. It is read back (and accepted by
   * `parse`) as a legacy alias of the canonical column; other legacy names stay in `aliases`.
   * `parse`, `normalize`, `columns()` and `tables` keep the canonical names. Defaults to none: the
   * canonical names are written.
   */
  columnNames?: ColumnNames
  /**
   * The app's spelling of canonical enum values, per kind and column, for an app whose code still
   * reads its old values (`{ booking: { status: { pending: 'Pending', cancelled: 'Cancelled' } } }`):
   * every row booking-guard writes carries that spelling, queries on the column match the
   * canonical value, this spelling and every legacy spelling in `values`, drift detection and
   * provisioning expect it among the column's elements, and reads map it back to the canonical
   * value. Values not listed are written canonical. Defaults to none.
   */
  writeValues?: WriteValues
  /** Extra indexes per kind, on top of the default ones. Defaults to none. */
  indexes?: { readonly [K in TableKind]?: readonly IndexSpec[] }
  /**
   * What `parse` does with Appwrite system fields (`$id`, `$createdAt`, `$permissions`, …) in
   * data to write: `'strip'` leaves them out of the output (they are server-owned; the row id and
   * permissions travel as separate arguments of the write), `'reject'` reports each as an unknown
   * field. Other `$` fields are always rejected. Defaults to `'strip'`.
   */
  systemFieldsOnWrite?: 'strip' | 'reject'
  /**
   * Called by `normalize` for each problem in a row that was read (an alias that disagrees with
   * its canonical field; with `validateReads`, every invalid value). Reads never throw for these,
   * so a dashboard keeps working; wire this to your error monitor. Defaults to `console.warn`
   * outside production and to nothing in production.
   */
  onIssue?: (issue: SchemaLockReadIssue) => void
  /**
   * Whether `normalize` also validates values against the schema and reports each problem through
   * `onIssue` (the row is still returned as read). Costs one zod pass per read. Defaults to `false`.
   */
  validateReads?: boolean
  /**
   * How far in the past a booking input's `scheduledAt` may lie, in milliseconds, when `parse` is
   * told the current time (`createBooking` tells it its guard's clock): a start further back is
   * refused with a {@link SchemaLockError} at `scheduledAt` and nothing is written. The tolerance
   * absorbs a customer's device clock running behind and the time a form takes to submit. `false`
   * accepts any start, e.g. to import past bookings. Defaults to `300_000` (5 minutes).
   */
  pastStartToleranceMs?: number | false
}

/** What `parse` may be told about the moment of the write. */
export interface ParseContext {
  /**
   * The current time in epoch milliseconds, by the writer's clock (`createBooking` passes its
   * guard's clock). With it, `bookingInput` refuses a `scheduledAt` further in the past than the
   * lock's `pastStartToleranceMs`. Defaults to none: no rule about the current time runs.
   */
  now?: number
}

/**
 * The schema lock: the one place that knows the tables, their columns, their legacy names and the
 * indexes the pipeline needs. Made by {@link createSchemaLock}.
 */
export interface SchemaLock<E extends SchemaExtensions = SchemaExtensions> extends ReadLock<E> {
  /**
   * Validates data to write: maps legacy aliases, rejects unknown fields, strips system fields
   * (see `systemFieldsOnWrite`) and runs the kind's zod schema once. Returns a new object and never
   * mutates `input`; throws {@link SchemaLockError} listing every issue otherwise. Given the current
   * time in `context.now`, a booking input also may not start in the past (see
   * `pastStartToleranceMs`); that rule runs once every field is valid.
   */
  parse<K extends SchemaKind>(kind: K, input: unknown, context?: ParseContext): LockOutput<E, K>
  /**
   * Like `parse` for a partial update (`updateRow`): every column is optional, present ones are
   * validated, cross-field rules (e.g. `scheduledAt` for scheduled bookings) are not checked.
   */
  parsePatch<K extends TableKind>(kind: K, input: unknown): Partial<LockOutput<E, K>>
  /**
   * Normalizes a row that was read or arrived on realtime: maps legacy aliases to canonical names
   * (the canonical field wins a conflict, reported through `onIssue`), keeps system fields and
   * passes unknown fields through. Coerces nothing and does not validate values unless
   * `validateReads` is set. Returns a new object; throws {@link SchemaLockError} only when `row`
   * is not an object.
   */
  normalize<K extends TableKind>(kind: K, row: unknown): NormalizedRow<LockOutput<E, K>>
  /** The zod schema `parse` uses for a kind, e.g. for a form resolver. */
  schema<K extends SchemaKind>(kind: K): LockSchema<E, K>
  /** The Appwrite table id of a kind. */
  tableId(kind: TableKind): string
  /** The kind stored in a table id, e.g. to normalize a realtime payload by its `$tableId`. */
  kindOfTable(tableId: string): TableKind | undefined
  /** The column specs of a kind's table (default columns first, then extensions). */
  columns(kind: TableKind): readonly ColumnSpec[]
  /** The indexes a kind's table must have (default ones first). */
  indexes(kind: TableKind): readonly IndexSpec[]
  /** The legacy alias map of a kind (alias → canonical). */
  aliases(kind: SchemaKind): Readonly<Record<string, string>>
  /** Every table the lock expects, by kind: id, columns and indexes. Frozen. */
  readonly tables: Readonly<Record<TableKind, TableSpec>>
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

const CANONICAL = 1
const ALIAS = 2
const SYSTEM = 3

type AnyObjectSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>
type Rule = (value: never, ctx: z.RefinementCtx) => void

interface Plan extends ReadPlan {
  readonly schema: AnyObjectSchema
  readonly shape: z.ZodRawShape
  readonly rule: Rule | undefined
  /** key → CANONICAL | ALIAS | SYSTEM; prototype-less. */
  readonly roles: Record<string, number>
  /** lower-cased column key → column key, to suggest a fix for a wrongly cased field. */
  readonly lowerCase: Map<string, string>
  /** Why a known-but-refused field is refused (`bookingInput`: set by the pipeline). */
  readonly refused: Map<string, string>
  patch: AnyObjectSchema | undefined
  loose: z.ZodType | undefined
}

const NAME = 'createSchemaLock'
const SYSTEM_FIELD_SET: ReadonlySet<string> = new Set(APPWRITE_SYSTEM_FIELDS)
const INDEXABLE_SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  '$id',
  '$createdAt',
  '$updatedAt',
  '$sequence',
])

function configError(message: string): BookingGuardError {
  return lockConfigError(NAME, message)
}

/** The default of `pastStartToleranceMs`: 5 minutes. @internal */
export const DEFAULT_PAST_START_TOLERANCE_MS = 300_000

/** `90 s`, `12 min`, `3 h`, `2 days`: a duration as a person reads it, rounded down. */
function describeDuration(ms: number): string {
  if (ms < 120_000) return `${Math.floor(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.floor(ms / 60_000)} min`
  if (ms < 172_800_000) return `${Math.floor(ms / 3_600_000)} h`
  return `${Math.floor(ms / 86_400_000)} days`
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) freezeDeep(inner)
  }
  return value
}

function validateIndex(index: IndexSpec, columnKeys: ReadonlySet<string>, where: string): void {
  if (!isValidKey(index.key))
    throw configError(`${where}: index key \`${index.key}\` is not a valid Appwrite key`)
  if (index.type !== 'key' && index.type !== 'unique' && index.type !== 'fulltext') {
    throw configError(`${where}: index \`${index.key}\` has unknown type \`${String(index.type)}\``)
  }
  if (index.columns.length === 0)
    throw configError(`${where}: index \`${index.key}\` has no columns`)
  for (const col of index.columns) {
    if (!columnKeys.has(col) && !INDEXABLE_SYSTEM_FIELDS.has(col)) {
      throw configError(`${where}: index \`${index.key}\` uses \`${col}\`, which is not a column`)
    }
  }
  if (index.orders !== undefined && index.orders.length !== index.columns.length) {
    throw configError(`${where}: index \`${index.key}\` needs one order per column`)
  }
}

/**
 * Creates the schema lock: the default schemas for bookings, chat rooms, chat messages,
 * notifications and heartbeats, extended by the app without forking (extra columns, other table
 * ids, extra legacy aliases, extra indexes). Validates its options once and throws a
 * `CONFIGURATION` error when they are inconsistent. Pure: no network, no side effect.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { column, createSchemaLock, isSchemaLockError } from '@booking-guard/core'
 *
 * const lock = createSchemaLock({
 *   tableIds: { booking: 'spa_bookings' },
 *   extend: {
 *     booking: {
 *       spaId: column.id({ required: false }),
 *       roomLabel: { schema: z.string().max(20).optional(), column: { type: 'string', size: 20 } },
 *     },
 *   },
 *   aliases: { booking: { masseurId: 'providerId' } },
 * })
 *
 * const input = lock.parse('bookingInput', {
 *   customerId: 'c1', customerName: 'Ana', masseurId: 'p1', therapistName: 'Budi',
 *   providerType: 'therapist', bookingType: 'immediate', durationMinutes: 60, spaId: 'spa1',
 * })
 * input.providerId // 'p1' (from the legacy `masseurId`)
 * input.spaId // 'spa1', typed `string | null | undefined`
 *
 * try {
 *   lock.parse('bookingInput', { ...input, durationMinutes: 0, colour: 'red' })
 * } catch (error) {
 *   if (isSchemaLockError(error)) console.log(error.issues.map((issue) => issue.path.join('.'))) // ['colour', 'durationMinutes']
 * }
 *
 * // A row from a legacy writer, as a realtime payload: mapped, never thrown on.
 * const row = lock.normalize('booking', { $id: 'b1', therapistId: 'p1', providerId: null })
 * row.providerId // 'p1'
 * ```
 */
export function createSchemaLock<const E extends SchemaExtensions = Record<never, never>>(
  options: SchemaLockOptions<E> = {},
): SchemaLock<E> {
  const systemMode = options.systemFieldsOnWrite ?? 'strip'
  if (systemMode !== 'strip' && systemMode !== 'reject') {
    throw configError(
      `\`systemFieldsOnWrite\` must be 'strip' or 'reject', got \`${String(systemMode)}\``,
    )
  }
  const pastTolerance = options.pastStartToleranceMs ?? DEFAULT_PAST_START_TOLERANCE_MS
  if (pastTolerance !== false && !(pastTolerance >= 0 && Number.isFinite(pastTolerance))) {
    throw configError(
      `\`pastStartToleranceMs\` must be a non-negative number of milliseconds or \`false\`, got \`${String(pastTolerance)}\``,
    )
  }
  const validateReads = options.validateReads === true
  const extend: SchemaExtensions = options.extend ?? {}
  const extraIndexes = options.indexes ?? {}

  for (const kind of Object.keys(extraIndexes))
    assertKind(NAME, kind, TABLE_KINDS, 'kind in `indexes`')
  const ids = resolveTableIds(NAME, options)
  const { tableIds } = ids

  // Column definitions and specs per kind.
  const tables = {} as Record<TableKind, TableSpec>
  const defsOf = {} as Record<
    SchemaKind,
    { defs: Record<string, ColumnDef>; extension: Readonly<Record<string, ColumnDef>> }
  >
  const readColumns = {} as Record<SchemaKind, KindColumns>
  const bookingExtension = extend.booking ?? {}

  for (const kind of SCHEMA_KINDS) {
    const sourceKind: TableKind = kind === 'bookingInput' ? 'booking' : kind
    const where =
      kind === 'bookingInput' ? '`bookingInput`' : `\`${kind}\` (table \`${tableIds[sourceKind]}\`)`
    const base = defaultColumns[kind] as Readonly<Record<string, ColumnDef>>
    const extension = kind === 'bookingInput' ? bookingExtension : (extend[kind] ?? {})

    const defs: Record<string, ColumnDef> = { ...base }
    const extensionSpecs: ColumnSpec[] = []
    for (const [key, def] of Object.entries(extension)) {
      if (!isValidKey(key)) {
        throw configError(
          `column \`${key}\` of ${where}: use 1–36 characters of A-Z a-z 0-9 . _ - (no leading . _ -)`,
        )
      }
      if (hasOwn(defaultColumns[sourceKind], key)) {
        throw configError(
          `column \`${key}\` of ${where} is a default column and cannot be redefined`,
        )
      }
      if (typeof def?.schema?.safeParse !== 'function' || typeof def.column !== 'object') {
        throw configError(
          `column \`${key}\` of ${where} needs \`{ schema, column }\` (see \`column.*\`)`,
        )
      }
      extensionSpecs.push(toColumnSpec(key, def, where))
      defs[key] = def
    }
    defsOf[kind] = { defs, extension }

    if (kind === 'bookingInput') {
      readColumns[kind] = new Map(Object.keys(defs).map((key) => [key, undefined]))
      continue
    }
    const columns = [
      ...Object.entries(base).map(([key, def]) => toColumnSpec(key, def, where)),
      ...extensionSpecs,
    ]
    const columnKeys = new Set(Object.keys(defs))
    const indexes = [...DEFAULT_INDEXES[kind], ...(extraIndexes[kind] ?? [])]
    const indexKeys = new Set<string>()
    for (const index of indexes) {
      validateIndex(index, columnKeys, where)
      if (indexKeys.has(index.key))
        throw configError(`${where}: two indexes are called \`${index.key}\``)
      indexKeys.add(index.key)
    }
    readColumns[kind] = new Map(
      columns.map((c) => [c.key, c.type === 'enum' ? c.elements : undefined]),
    )
    tables[kind] = {
      tableId: tableIds[kind],
      columns,
      // Copies, so freezing them never freezes an array the app passed in.
      indexes: indexes.map((index) =>
        index.orders === undefined
          ? { ...index, columns: [...index.columns] }
          : { ...index, columns: [...index.columns], orders: [...index.orders] },
      ),
    }
  }
  freezeDeep(tables)

  // Table ids, aliases, value spellings and column names: the read side, shared with createReadLock.
  const side = buildReadSide(NAME, options, ids, readColumns, resolveKindMapping)
  const { valueMaps } = side
  valueMaps.bookingInput = valueMaps.booking

  const plans = Object.create(null) as Record<SchemaKind, Plan>
  for (const kind of SCHEMA_KINDS) {
    const { aliasOf } = side.plans[kind]
    const { defs, extension } = defsOf[kind]
    const columnKeys = new Set(Object.keys(defs))
    const roles = Object.create(null) as Record<string, number>
    for (const key of columnKeys) roles[key] = CANONICAL
    for (const alias of Object.keys(aliasOf)) roles[alias] = ALIAS
    for (const field of SYSTEM_FIELD_SET) roles[field] = SYSTEM

    const lowerCase = new Map<string, string>()
    for (const [alias, canonical] of Object.entries(aliasOf)) {
      lowerCase.set(alias.toLowerCase(), canonical)
    }
    for (const key of columnKeys) lowerCase.set(key.toLowerCase(), key)
    const refused = new Map<string, string>()
    if (kind === 'bookingInput') {
      for (const key of Object.keys(defaultColumns.booking)) {
        if (!columnKeys.has(key)) refused.set(key, 'set by the pipeline, never by the caller')
      }
    }

    const rule = kindRules[kind] as Rule | undefined
    const shapeDraft: Record<string, z.ZodType> = {}
    for (const key of Object.keys(defs)) shapeDraft[key] = defs[key]!.schema
    const shape = shapeDraft as z.ZodRawShape
    const schema: AnyObjectSchema =
      Object.keys(extension).length === 0
        ? (defaultSchemas[kind] as unknown as AnyObjectSchema)
        : rule === undefined
          ? z.strictObject(shape)
          : z
              .strictObject(shape)
              .superRefine(rule as (value: unknown, ctx: z.RefinementCtx) => void)

    plans[kind] = {
      ...side.plans[kind],
      schema,
      shape,
      rule,
      roles,
      lowerCase,
      refused,
      patch: undefined,
      loose: undefined,
    }
  }

  function planFor(kind: unknown, tableOnly: boolean): Plan {
    return plans[side.planFor(kind, tableOnly).kind]
  }

  function unknownFieldMessage(plan: Plan, key: string): string {
    if (SYSTEM_FIELD_SET.has(key)) {
      return `Unknown field \`${key}\`: an Appwrite system field; pass the row id and permissions as arguments of the write, not in its data`
    }
    const refused = plan.refused.get(key)
    if (refused !== undefined) return `Unknown field \`${key}\`: ${refused}`
    const suggestion = plan.lowerCase.get(key.toLowerCase())
    if (suggestion !== undefined) return `Unknown field \`${key}\`: did you mean \`${suggestion}\`?`
    const target = plan.tableId === undefined ? '`bookingInput`' : `table \`${plan.tableId}\``
    return `Unknown field \`${key}\`: not a column of ${target}; remove it, or declare it with \`createSchemaLock({ extend })\``
  }

  function convertIssues(
    plan: Plan,
    zodIssues: readonly z.core.$ZodIssue[],
    origin: Record<string, string> | undefined,
    out: SchemaLockIssue[],
  ): void {
    for (const issue of zodIssues) {
      const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          out.push({
            path: [...path, key],
            code: 'unknown_field',
            message:
              path.length === 0 ? unknownFieldMessage(plan, key) : `Unknown field \`${key}\``,
          })
        }
        continue
      }
      let message = issue.message
      const head = path[0]
      const alias = origin !== undefined && typeof head === 'string' ? origin[head] : undefined
      if (alias !== undefined) message += ` (sent as legacy \`${alias}\`)`
      out.push({ path, code: issue.code as SchemaLockIssueCode, message })
    }
  }

  function fail(plan: Plan, issues: SchemaLockIssue[]): never {
    throw new SchemaLockError(issues, { kind: plan.kind, tableId: plan.tableId })
  }

  // The slow path: something needs mapping, stripping or rejecting. Builds the object zod sees.
  function remapAndParse(plan: Plan, schema: z.ZodType, input: Record<string, unknown>): unknown {
    const issues: SchemaLockIssue[] = []
    const mapped: Record<string, unknown> = {}
    const { roles, aliasOf } = plan
    let aliases: string[] | undefined
    for (const key of Object.keys(input)) {
      const role = roles[key]
      if (role === CANONICAL) mapped[key] = input[key]
      else if (role === ALIAS) (aliases ??= []).push(key)
      else if (role !== SYSTEM || systemMode === 'reject') {
        issues.push({ path: [key], code: 'unknown_field', message: unknownFieldMessage(plan, key) })
      }
    }
    // Aliases after every canonical field, so a conflict is found whatever the key order.
    let origin: Record<string, string> | undefined
    if (aliases !== undefined) {
      for (const key of aliases) {
        const canonical = aliasOf[key]!
        const value = input[key]
        // `undefined` is absent (JSON drops it); `null` is a value and conflicts with a non-null one.
        if (value === undefined) continue
        const current = own(mapped, canonical)
        if (current !== undefined) {
          if (!sameValue(current, value)) {
            const other = origin?.[canonical]
            issues.push({
              path: [canonical],
              code: 'alias_conflict',
              message:
                other === undefined
                  ? `Legacy \`${key}\` and \`${canonical}\` are both set and differ: send only \`${canonical}\``
                  : `Legacy \`${other}\` and \`${key}\` both stand for \`${canonical}\` and differ: send only \`${canonical}\``,
            })
          }
          continue
        }
        mapped[canonical] = value
        origin ??= Object.create(null) as Record<string, string>
        origin[canonical] = key
      }
    }
    const result = schema.safeParse(mapped)
    if (result.success && issues.length === 0) return result.data
    if (!result.success) convertIssues(plan, result.error.issues, origin, issues)
    fail(plan, issues)
  }

  function parseWith(plan: Plan, schema: z.ZodType, given: unknown): unknown {
    if (!isRecord(given)) notAnObject(plan.kind, plan.tableId, given)
    let input = given
    const values = valueMaps[plan.kind]
    if (values !== undefined) {
      const copy = { ...given }
      if (mapValuesInPlace(values, copy).length > 0) input = copy
    }
    const roles = plan.roles
    for (const key in input) {
      if (roles[key] !== CANONICAL) return remapAndParse(plan, schema, input)
    }
    // Every field already canonical: the caller's object is parsed as is (zod never mutates its
    // input; it builds a new output object).
    const result = schema.safeParse(input)
    if (result.success) return result.data
    const issues: SchemaLockIssue[] = []
    convertIssues(plan, result.error.issues, undefined, issues)
    fail(plan, issues)
  }

  function parse(kind: SchemaKind, input: unknown, context?: ParseContext): unknown {
    const plan = planFor(kind, false)
    const data = parseWith(plan, plan.schema, input)
    const now = context?.now
    if (now !== undefined && plan.kind === 'bookingInput' && pastTolerance !== false) {
      checkStart(plan, (data as { scheduledAt?: unknown }).scheduledAt, now, pastTolerance)
    }
    return data
  }

  function checkStart(plan: Plan, scheduledAt: unknown, now: number, tolerance: number): void {
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw configError(
        `\`parse\`: \`context.now\` must be the current time in epoch milliseconds, got \`${String(now)}\``,
      )
    }
    if (typeof scheduledAt !== 'string') return
    const late = now - Date.parse(scheduledAt)
    if (late <= tolerance) return
    fail(plan, [
      {
        path: ['scheduledAt'],
        code: 'too_small',
        message: `Invalid scheduledAt: ${scheduledAt} is ${describeDuration(late)} in the past; choose a start from now on (at most ${describeDuration(tolerance)} late is accepted)`,
      },
    ])
  }

  function parsePatch(kind: TableKind, input: unknown): unknown {
    const plan = planFor(kind, true)
    plan.patch ??= z.strictObject(plan.shape).partial() as unknown as AnyObjectSchema
    return parseWith(plan, plan.patch, input)
  }

  // The read side's normalize, plus a zod pass over the result when `validateReads` is set.
  function normalize(kind: TableKind, row: unknown): unknown {
    const out = side.lock.normalize(kind, row)
    if (!validateReads) return out
    const plan = planFor(kind, true)
    plan.loose ??=
      plan.rule === undefined
        ? z.object(plan.shape)
        : z
            .object(plan.shape)
            .superRefine(plan.rule as (value: unknown, ctx: z.RefinementCtx) => void)
    const result = plan.loose.safeParse(out)
    if (!result.success) {
      const issues: SchemaLockIssue[] = []
      convertIssues(plan, result.error.issues, undefined, issues)
      for (const issue of issues) side.report(plan, row as Record<string, unknown>, issue)
    }
    return out
  }

  const lock: SchemaLock<SchemaExtensions> = {
    parse: parse as SchemaLock<SchemaExtensions>['parse'],
    parsePatch: parsePatch as SchemaLock<SchemaExtensions>['parsePatch'],
    normalize: normalize as SchemaLock<SchemaExtensions>['normalize'],
    schema: ((kind: SchemaKind) =>
      planFor(kind, false).schema) as SchemaLock<SchemaExtensions>['schema'],
    tableId: side.lock.tableId,
    kindOfTable: side.lock.kindOfTable,
    columns: (kind) => tables[planFor(kind, true).kind as TableKind].columns,
    indexes: (kind) => tables[planFor(kind, true).kind as TableKind].indexes,
    aliases: side.lock.aliases as SchemaLock<SchemaExtensions>['aliases'],
    tables,
  }
  registerLock(lock, side, validateReads ? undefined : side.normalizeOwned, (backend) =>
    mapBackend(backend, lock),
  )
  return lock as unknown as SchemaLock<E>
}
