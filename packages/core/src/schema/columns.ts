import * as z from 'zod'
import { BookingGuardError } from '../errors'
import { APPWRITE_ID_MAX_LENGTH, APPWRITE_ID_PATTERN } from './kinds'

/**
 * The Appwrite column types the schema lock can describe, named after the TablesDB create methods
 * (`createStringColumn`, `createEnumColumn`, …). Appwrite itself reports `email`, `url`, `ip` and
 * `enum` columns as `type: 'string'` with a `format` of that name; drift detection has to compare
 * accordingly.
 */
export type ColumnType =
  'string' | 'integer' | 'float' | 'boolean' | 'datetime' | 'email' | 'url' | 'ip' | 'enum'

/** @inline */
interface ColumnSpecCommon {
  /** The column key (the field name in a row). */
  readonly key: string
  /** Whether Appwrite rejects a row without it. A required column cannot have a default. */
  readonly required: boolean
  /** Whether the column holds an array of values. */
  readonly array: boolean
}

/**
 * One Appwrite column as the schema lock expects it to exist: what provisioning creates and what
 * drift detection compares with the live table. Derived from the same definition as the zod
 * schema, so the two cannot disagree.
 */
export type ColumnSpec =
  | (ColumnSpecCommon & {
      readonly type: 'string'
      /** Maximum length in characters (Appwrite's `size`); the zod schema enforces the same bound. */
      readonly size: number
      readonly default: string | null
    })
  | (ColumnSpecCommon & {
      readonly type: 'integer' | 'float'
      /** Smallest accepted value, or `null` for Appwrite's own limit. */
      readonly min: number | null
      /** Largest accepted value, or `null` for Appwrite's own limit. */
      readonly max: number | null
      readonly default: number | null
    })
  | (ColumnSpecCommon & { readonly type: 'boolean'; readonly default: boolean | null })
  | (ColumnSpecCommon & {
      readonly type: 'datetime' | 'email' | 'url' | 'ip'
      readonly default: string | null
    })
  | (ColumnSpecCommon & {
      readonly type: 'enum'
      /** The accepted values, in order. */
      readonly elements: readonly string[]
      readonly default: string | null
    })

type LoosenSpec<C> = C extends ColumnSpec
  ? Omit<C, 'key' | 'required' | 'array' | 'default'> & {
      /** Defaults to whether the zod schema rejects `undefined`. Must agree with it. */
      readonly required?: boolean
      /** Defaults to `false`. */
      readonly array?: boolean
      /** Server-side default; only on a column that is not required. Defaults to `null`. */
      readonly default?: C['default']
    }
  : never

/**
 * A column spec as written in a {@link ColumnDef}: like {@link ColumnSpec} without `key`
 * (the key is the field name) and with `required`, `array` and `default` optional.
 */
export type ColumnSpecInput = LoosenSpec<ColumnSpec>

/**
 * One column, defined once: its zod type (used by `parse`) and its Appwrite column spec (used by
 * provisioning and drift detection). Build them with {@link column}, or write both halves by hand
 * for anything the builders do not cover (arrays, custom refinements).
 *
 * @example
 * ```ts
 * const tags: ColumnDef = {
 *   schema: z.array(z.string().max(32)).max(10).optional(),
 *   column: { type: 'string', size: 32, array: true, required: false },
 * }
 * ```
 */
export interface ColumnDef<S extends z.ZodType = z.ZodType> {
  /** Validates the value on write. An optional column's schema must accept `undefined`. */
  readonly schema: S
  /** The Appwrite column that stores the value. */
  readonly column: ColumnSpecInput
}

/** A set of column definitions keyed by column key. */
export type ColumnDefs = Readonly<Record<string, ColumnDef>>

/**
 * The zod shape of a set of column definitions.
 * @internal
 */
export type ShapeOf<D extends ColumnDefs> = { -readonly [K in keyof D]: D[K]['schema'] }

/**
 * An optional column accepts a missing value and `null` (Appwrite returns `null` for an unset column).
 *
 * @inline
 */
export type Nullish<S extends z.ZodType> = z.ZodOptional<z.ZodNullable<S>>
/**
 * @internal
 *
 * @inline
 */
export type Presence<S extends z.ZodType, R extends boolean> = R extends false ? Nullish<S> : S

/**
 * The zod enum a list of values (or an existing `z.enum`) becomes. @internal
 *
 * @inline
 */
export type EnumSchemaOf<T> =
  T extends z.ZodEnum<infer E>
    ? z.ZodEnum<E>
    : T extends readonly string[]
      ? z.ZodEnum<{ [K in T[number]]: K }>
      : never
/** @internal */
export type EnumValueOf<T> = z.output<EnumSchemaOf<T>>

/** Options every column builder takes. */
export interface ColumnOptions<R extends boolean = true> {
  /**
   * Whether the column must be present on write. An optional column also accepts `null`.
   * Defaults to `true`.
   */
  required?: R
}

/** @inline */
interface DefaultOption<T> {
  /** Value Appwrite stores when the column is omitted; only with `required: false`. Defaults to none. */
  default?: T
}

/** Options of {@link column}`.string`. */
export interface StringColumnOptions<R extends boolean = true>
  extends ColumnOptions<R>, DefaultOption<string> {
  /** Maximum length in characters; also the Appwrite column `size`. Required. */
  size: number
  /** Minimum length in characters (checked by zod only; Appwrite has no minimum). Defaults to `0`. */
  min?: number
  /** A pattern the whole value must match. Defaults to none. */
  pattern?: RegExp
  /** Message when `pattern` does not match. Defaults to zod's message. */
  patternMessage?: string
}

/** Options of {@link column}`.integer` and {@link column}`.float`. */
export interface NumberColumnOptions<R extends boolean = true>
  extends ColumnOptions<R>, DefaultOption<number> {
  /** Smallest accepted value. Defaults to none (Appwrite's own limit). */
  min?: number
  /** Largest accepted value. Defaults to none (Appwrite's own limit). */
  max?: number
}

export { APPWRITE_ID_MAX_LENGTH, APPWRITE_ID_PATTERN } from './kinds'

/**
 * The earliest datetime Appwrite stores: the server's `Datetime` validator checks every datetime
 * column against its database adapter's range, and MariaDB and MySQL (the default adapter before
 * Appwrite 1.9) start at year 1000. PostgreSQL and MongoDB accept earlier years; the lock keeps
 * the range every adapter accepts.
 */
export const APPWRITE_DATETIME_MIN = '1000-01-01T00:00:00.000Z'

/**
 * The latest datetime Appwrite stores (every database adapter): a whole second, so
 * `9999-12-31T23:59:59.500Z` is refused.
 */
export const APPWRITE_DATETIME_MAX = '9999-12-31T23:59:59.000Z'

const DATETIME_MIN_MS = Date.parse(APPWRITE_DATETIME_MIN)
const DATETIME_MAX_MS = Date.parse(APPWRITE_DATETIME_MAX)
const DATETIME_RANGE_MESSAGE = `Invalid datetime: Appwrite stores ${APPWRITE_DATETIME_MIN} to ${APPWRITE_DATETIME_MAX} (UTC)`

/**
 * Refuses a well-formed datetime outside {@link APPWRITE_DATETIME_MIN}…{@link APPWRITE_DATETIME_MAX}.
 * The server compares the instant in UTC with millisecond precision (it stores `Y-m-d H:i:s.v`),
 * which is what `Date.parse` reads from any form `z.iso.datetime({ offset: true })` accepts.
 */
function checkDatetimeRange(value: string, ctx: z.RefinementCtx<string>): void {
  const ms = Date.parse(value)
  // NaN: not a datetime at all, already reported by the format check.
  if (ms < DATETIME_MIN_MS) {
    ctx.addIssue({
      code: 'too_small',
      origin: 'date',
      minimum: DATETIME_MIN_MS,
      inclusive: true,
      input: value,
      message: DATETIME_RANGE_MESSAGE,
    })
  } else if (ms > DATETIME_MAX_MS) {
    ctx.addIssue({
      code: 'too_big',
      origin: 'date',
      maximum: DATETIME_MAX_MS,
      inclusive: true,
      input: value,
      message: DATETIME_RANGE_MESSAGE,
    })
  }
}

function configError(message: string): BookingGuardError {
  return new BookingGuardError('CONFIGURATION', message)
}

function finish<S extends z.ZodType, R extends boolean>(
  schema: S,
  spec: ColumnSpecInput,
  options: ColumnOptions<R> & DefaultOption<unknown>,
): ColumnDef<Presence<S, R>> {
  const required = options.required !== false
  if (required && options.default !== undefined) {
    throw configError(
      'a required column cannot have a default (Appwrite refuses it): pass `required: false` with `default`',
    )
  }
  return {
    schema: (required ? schema : schema.nullable().optional()) as Presence<S, R>,
    column: {
      ...spec,
      required,
      array: false,
      default: options.default ?? null,
    } as ColumnSpecInput,
  }
}

/** A number column: `schema` bounded by the options' `min` and `max`, as its spec says. */
function numberColumn<S extends z.ZodNumber, R extends boolean>(
  schema: S,
  type: 'integer' | 'float',
  options: NumberColumnOptions<R>,
): ColumnDef<Presence<S, R>> {
  const { min, max } = options
  let bounded = schema
  if (min !== undefined) bounded = bounded.min(min)
  if (max !== undefined) bounded = bounded.max(max)
  return finish(bounded, { type, min: min ?? null, max: max ?? null }, options)
}

/**
 * Column builders: each returns a {@link ColumnDef} whose zod schema and Appwrite spec are derived
 * from the same options, so sizes, bounds and enum values cannot drift apart; zod alone decides
 * what is valid. Use them for `createSchemaLock({ extend })`.
 *
 * @example
 * ```ts
 * const lock = createSchemaLock({
 *   extend: {
 *     booking: {
 *       spaId: column.id({ required: false }),
 *       roomNumber: column.integer({ min: 1, max: 500, required: false }),
 *       tier: column.enum(['standard', 'vip'], { required: false, default: 'standard' }),
 *     },
 *   },
 * })
 * ```
 */
export const column = {
  /** A string column of at most `size` characters. */
  string<R extends boolean = true>(
    options: StringColumnOptions<R>,
  ): ColumnDef<Presence<z.ZodString, R>> {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw configError(
        `a string column needs a positive integer \`size\`, got ${String(options.size)}`,
      )
    }
    const { size, pattern } = options
    const min = options.min !== undefined && options.min > 0 ? options.min : 0
    let schema = z.string()
    if (min > 0) schema = schema.min(min)
    schema = schema.max(size)
    if (pattern !== undefined) {
      schema = schema.regex(
        pattern,
        options.patternMessage === undefined ? undefined : { error: options.patternMessage },
      )
    }
    return finish(schema, { type: 'string', size }, options)
  },

  /** An Appwrite id (a user id, a row id): a string column of size 36 checked against Appwrite's id rule. */
  id<R extends boolean = true>(
    options: ColumnOptions<R> = {},
  ): ColumnDef<Presence<z.ZodString, R>> {
    return column.string<R>({
      ...options,
      size: APPWRITE_ID_MAX_LENGTH,
      pattern: APPWRITE_ID_PATTERN,
      patternMessage:
        'Invalid id: use 1–36 characters from A-Z a-z 0-9 . _ - , not starting with . _ or -',
    })
  },

  /** An integer column (safe integers only). */
  integer<R extends boolean = true>(
    options: NumberColumnOptions<R> = {},
  ): ColumnDef<Presence<z.ZodInt, R>> {
    return numberColumn(z.int(), 'integer', options)
  },

  /** A float column (finite numbers only). */
  float<R extends boolean = true>(
    options: NumberColumnOptions<R> = {},
  ): ColumnDef<Presence<z.ZodNumber, R>> {
    return numberColumn(z.number(), 'float', options)
  },

  /** A boolean column. */
  boolean<R extends boolean = true>(
    options: ColumnOptions<R> & DefaultOption<boolean> = {},
  ): ColumnDef<Presence<z.ZodBoolean, R>> {
    return finish(z.boolean(), { type: 'boolean' }, options)
  },

  /**
   * A datetime column: an ISO 8601 string with a time zone, `Z` or an offset, as Appwrite returns
   * it (`2026-01-01T10:00:00.000+00:00`), whose instant lies in the range Appwrite stores
   * ({@link APPWRITE_DATETIME_MIN} to {@link APPWRITE_DATETIME_MAX}, UTC). Impossible dates
   * (`2026-02-30`, which the server would roll over to March) are rejected too.
   */
  datetime<R extends boolean = true>(
    options: ColumnOptions<R> = {},
  ): ColumnDef<Presence<z.ZodISODateTime, R>> {
    return finish(
      z.iso.datetime({ offset: true }).superRefine(checkDatetimeRange),
      { type: 'datetime' },
      options,
    )
  },

  /** An email column (Appwrite stores at most 254 characters). */
  email<R extends boolean = true>(
    options: ColumnOptions<R> & DefaultOption<string> = {},
  ): ColumnDef<Presence<z.ZodEmail, R>> {
    return finish(z.email().max(254), { type: 'email' }, options)
  },

  /** A URL column; only `http` and `https` URLs are accepted. */
  url<R extends boolean = true>(
    options: ColumnOptions<R> & DefaultOption<string> = {},
  ): ColumnDef<Presence<z.ZodURL, R>> {
    return finish(z.url({ protocol: /^https?$/ }), { type: 'url' }, options)
  },

  /**
   * An enum column from a list of values or from an existing `z.enum` (whose schema is then used
   * as is, so its values stay defined once).
   */
  enum<const T extends readonly [string, ...string[]] | z.ZodEnum, R extends boolean = true>(
    values: T,
    options: ColumnOptions<R> & DefaultOption<EnumValueOf<T>> = {},
  ): ColumnDef<Presence<EnumSchemaOf<T>, R>> {
    const schema = (
      values instanceof z.ZodEnum ? values : z.enum(values as readonly string[])
    ) as z.ZodEnum
    return finish(
      schema,
      { type: 'enum', elements: schema.options.map(String) },
      options,
    ) as ColumnDef<Presence<EnumSchemaOf<T>, R>>
  },
} as const

/**
 * Turns a definition into the full spec for the key, filling `required` from the zod schema and
 * checking that the two halves agree.
 * @internal
 */
export function toColumnSpec(key: string, def: ColumnDef, where: string): ColumnSpec {
  const optional = def.schema.safeParse(undefined).success
  const required = def.column.required ?? !optional
  if (required === optional) {
    throw configError(
      `column \`${key}\` of ${where}: the zod schema ${optional ? 'accepts' : 'rejects'} a missing value but the column says \`required: ${String(required)}\`; make them agree`,
    )
  }
  if (required && def.column.default !== undefined && def.column.default !== null) {
    throw configError(
      `column \`${key}\` of ${where}: a required column cannot have a default (Appwrite refuses it)`,
    )
  }
  if (def.column.type === 'string' && (!Number.isInteger(def.column.size) || def.column.size < 1)) {
    throw configError(
      `column \`${key}\` of ${where}: a string column needs a positive integer \`size\``,
    )
  }
  if (def.column.type === 'enum' && def.column.elements.length === 0) {
    throw configError(`column \`${key}\` of ${where}: an enum column needs at least one element`)
  }
  return {
    key,
    ...def.column,
    ...(def.column.type === 'enum' ? { elements: [...def.column.elements] } : {}),
    required,
    array: def.column.array ?? false,
    default: def.column.default ?? null,
  } as ColumnSpec
}

/** The index types Appwrite supports for the columns the lock describes. */
export type IndexType = 'key' | 'unique' | 'fulltext'

/**
 * One index the lock expects on a table: the queries of the pipeline, the reconciler and the
 * provider feed rely on these. Mirrors `tablesDB.createIndex({ key, type, columns, orders })`.
 */
export interface IndexSpec {
  /** Index key, unique within the table. */
  readonly key: string
  /** `'key'` (lookup), `'unique'` (also a constraint) or `'fulltext'`. */
  readonly type: IndexType
  /** Indexed columns, in order; system columns such as `$createdAt` are allowed. */
  readonly columns: readonly string[]
  /** Sort order per column (`'asc'` or `'desc'`). Defaults to ascending for each column. */
  readonly orders?: readonly ('asc' | 'desc')[]
}

/** Everything the lock expects of one Appwrite table. */
export interface TableSpec {
  /** The table id in Appwrite (e.g. `'bookings'`). */
  readonly tableId: string
  /** Every column, default ones first, then the app's extensions, in definition order. */
  readonly columns: readonly ColumnSpec[]
  /** Every index, default ones first, then the app's extra ones. */
  readonly indexes: readonly IndexSpec[]
}
