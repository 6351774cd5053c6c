import { isValidId } from './ids'
import type {
  ColumnDefinition,
  DatabaseDefinition,
  FakeColumn,
  FakeIndex,
  IndexDefinition,
  TableDefinition,
} from './types'

/** Bounds of a default integer column (`PHP_INT_MIN` / `PHP_INT_MAX`, so a 64-bit column). */
export const INTEGER_MIN = -(2n ** 63n)
/** @see INTEGER_MIN */
export const INTEGER_MAX = 2n ** 63n - 1n
/** Largest 32-bit value: a declared `max` above it makes the server pick a 64-bit column. */
export const INT32_MAX = 2147483647

const DEFAULT_SIZES = {
  string: 255,
  varchar: 255,
  text: 65_535,
  mediumtext: 16_777_215,
  longtext: 4_294_967_295,
  email: 254,
  url: 2_000,
  ip: 39,
  enum: 255,
} as const

/**
 * A declared table: its columns by key and its indexes.
 *
 * @internal
 */
export interface TableSchema {
  readonly databaseId: string
  readonly tableId: string
  readonly name: string
  /** Columns by key, in declaration order. */
  readonly columns: ReadonlyMap<string, FakeColumn>
  readonly indexes: readonly FakeIndex[]
}

/**
 * Where a `(databaseId, tableId)` pair leads: a schema, schemaless (`schema: undefined`), or an
 * error type the caller maps to its API's flavour.
 *
 * @internal
 */
export type TableResolution =
  | { readonly ok: true; readonly schema: TableSchema | undefined }
  | { readonly ok: false; readonly error: 'database_not_found' | 'table_not_found' }

interface DatabaseEntry {
  readonly name: string
  /** `undefined`: any table id is accepted, schemaless. */
  readonly tables: Map<string, TableEntry> | undefined
}

interface TableEntry {
  readonly name: string
  /** `undefined`: declared but schemaless. */
  readonly schema: TableSchema | undefined
}

const SCHEMALESS: TableResolution = { ok: true, schema: undefined }
const DATABASE_NOT_FOUND: TableResolution = { ok: false, error: 'database_not_found' }
const TABLE_NOT_FOUND: TableResolution = { ok: false, error: 'table_not_found' }

function declarationError(message: string): Error {
  return new Error(`createFakeAppwrite: ${message}`)
}

/**
 * Normalizes a declared column into the model shape the server reports.
 *
 * @internal
 */
export function normalizeColumn(
  where: string,
  definition: ColumnDefinition,
  now: string,
): FakeColumn {
  if (!isValidId(definition.key)) {
    throw declarationError(
      `column key \`${String(definition.key)}\` of ${where} is invalid: use a-z, A-Z, 0-9, period, hyphen and underscore, at most 36 chars, not starting with a special char.`,
    )
  }
  const base = {
    key: definition.key,
    status: definition.status ?? 'available',
    error: definition.error ?? '',
    required: definition.required ?? false,
    array: definition.array ?? false,
    default: definition.default ?? null,
    $createdAt: now,
    $updatedAt: now,
  }
  const sized = (kind: keyof typeof DEFAULT_SIZES) => definition.size ?? DEFAULT_SIZES[kind]
  switch (definition.type) {
    case 'string':
    case 'varchar': {
      const format = definition.format ?? ''
      if (format === 'enum') return enumColumn(where, definition, base)
      const size =
        format === '' ? sized(definition.type) : (definition.size ?? DEFAULT_SIZES[format])
      return { ...base, type: definition.type, format, size }
    }
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return { ...base, type: definition.type, format: '', size: sized(definition.type) }
    case 'email':
    case 'url':
    case 'ip':
      return { ...base, type: 'string', format: definition.type, size: sized(definition.type) }
    case 'enum':
      return enumColumn(where, definition, base)
    case 'integer':
      return {
        ...base,
        type: 'integer',
        format: '',
        min: definition.min ?? INTEGER_MIN,
        max: definition.max ?? INTEGER_MAX,
      }
    case 'double':
    case 'float':
      return {
        ...base,
        type: 'double',
        format: '',
        min: definition.min ?? -Number.MAX_VALUE,
        max: definition.max ?? Number.MAX_VALUE,
      }
    case 'boolean':
    case 'datetime':
      return { ...base, type: definition.type, format: '' }
    default:
      throw declarationError(
        `column \`${definition.key}\` of ${where} has unknown type \`${String((definition as { type: unknown }).type)}\`.`,
      )
  }
}

function enumColumn(
  where: string,
  definition: ColumnDefinition,
  base: Omit<FakeColumn, 'type' | 'format'>,
): FakeColumn {
  if (!definition.elements || definition.elements.length === 0) {
    throw declarationError(`enum column \`${definition.key}\` of ${where} needs \`elements\`.`)
  }
  return {
    ...base,
    type: 'string',
    format: 'enum',
    size: definition.size ?? DEFAULT_SIZES.enum,
    elements: [...definition.elements],
  }
}

function normalizeIndex(
  where: string,
  definition: IndexDefinition,
  columns: ReadonlyMap<string, FakeColumn>,
): FakeIndex {
  for (const column of definition.columns) {
    if (!columns.has(column)) {
      throw declarationError(
        `index \`${definition.key}\` of ${where} names column \`${column}\`, which is not declared.`,
      )
    }
  }
  return {
    key: definition.key,
    type: definition.type,
    status: definition.status ?? 'available',
    error: '',
    columns: [...definition.columns],
    orders: [...(definition.orders ?? [])],
    lengths: [...(definition.lengths ?? [])],
  }
}

/** Options for {@link SchemaRegistry}. @internal */
export interface SchemaRegistryOptions {
  databases?: Record<string, DatabaseDefinition>
  strict?: boolean
  now: () => string
}

/**
 * The declared databases, tables and columns. Schema management (issue 3) adds tables and columns
 * through {@link SchemaRegistry.declareTable} on the same registry.
 *
 * @internal
 */
export class SchemaRegistry {
  readonly #databases = new Map<string, DatabaseEntry>()
  readonly #strict: boolean
  readonly #now: () => string

  constructor(options: SchemaRegistryOptions) {
    this.#strict = options.strict ?? false
    this.#now = options.now
    for (const [databaseId, definition] of Object.entries(options.databases ?? {})) {
      this.declareDatabase(databaseId, definition)
    }
  }

  /** Declares a database and, when given, its tables (which then are the only ones it has). */
  declareDatabase(databaseId: string, definition: DatabaseDefinition = {}): void {
    if (!isValidId(databaseId)) {
      throw declarationError(
        `database id \`${databaseId}\` is invalid: use a-z, A-Z, 0-9, period, hyphen and underscore, at most 36 chars, not starting with a special char.`,
      )
    }
    this.#databases.set(databaseId, {
      name: definition.name ?? databaseId,
      tables: definition.tables ? new Map() : undefined,
    })
    for (const [tableId, table] of Object.entries(definition.tables ?? {})) {
      this.declareTable(databaseId, tableId, table)
    }
  }

  /** Declares (or replaces) a table; declaring one turns its database into a declared one. */
  declareTable(databaseId: string, tableId: string, definition: TableDefinition = {}): void {
    const where = `table \`${databaseId}.${tableId}\``
    if (!isValidId(tableId)) {
      throw declarationError(
        `table id \`${tableId}\` in database \`${databaseId}\` is invalid: use a-z, A-Z, 0-9, period, hyphen and underscore, at most 36 chars, not starting with a special char.`,
      )
    }
    let database = this.#databases.get(databaseId)
    if (!database || !database.tables) {
      database = { name: database?.name ?? databaseId, tables: new Map() }
      this.#databases.set(databaseId, database)
    }
    let schema: TableSchema | undefined
    if (definition.columns) {
      const now = this.#now()
      const columns = new Map<string, FakeColumn>()
      for (const column of definition.columns) {
        if (columns.has(column.key))
          throw declarationError(`${where} declares column \`${column.key}\` twice.`)
        columns.set(column.key, normalizeColumn(where, column, now))
      }
      const indexes = (definition.indexes ?? []).map((index) =>
        normalizeIndex(where, index, columns),
      )
      schema = { databaseId, tableId, name: definition.name ?? tableId, columns, indexes }
    } else if (definition.indexes && definition.indexes.length > 0) {
      throw declarationError(`${where} declares indexes but no \`columns\`.`)
    }
    database.tables?.set(tableId, { name: definition.name ?? tableId, schema })
  }

  /** Resolves a table for a data call. */
  resolve(databaseId: string, tableId: string): TableResolution {
    const database = this.#databases.get(databaseId)
    if (!database) return this.#strict ? DATABASE_NOT_FOUND : SCHEMALESS
    if (!database.tables) return SCHEMALESS
    const table = database.tables.get(tableId)
    if (!table) return TABLE_NOT_FOUND
    return table.schema ? { ok: true, schema: table.schema } : SCHEMALESS
  }

  /** Every declared `(databaseId, tableId)` pair, in declaration order. */
  *declaredTables(): IterableIterator<[databaseId: string, tableId: string]> {
    for (const [databaseId, database] of this.#databases) {
      for (const tableId of database.tables?.keys() ?? []) yield [databaseId, tableId]
    }
  }
}
