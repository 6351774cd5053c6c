import type { FakeApi } from './types'
import { isValidId } from './ids'
import { assertUniqueRows } from './indexes'
import type { UniqueRow } from './indexes'
import type {
  ColumnDefinition,
  ColumnStatus,
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
 * Column and index states whose column or index exists in the storage engine. A `processing` or
 * `failed` one is only metadata: the server's worker has not added it (or could not), so writes do
 * not know it (github:appwrite/appwrite `src/Appwrite/Platform/Modules/Databases/Workers/Databases.php`,
 * `createAttribute` / `deleteAttribute`; `deleting` and `stuck` ones are still there).
 */
const PHYSICAL_STATUSES: ReadonlySet<ColumnStatus> = new Set(['available', 'deleting', 'stuck'])

/**
 * A declared table as the data layer sees it: the columns and indexes that exist in storage (status
 * `available`, `deleting` or `stuck`), and its security.
 *
 * @internal
 */
export interface TableSchema {
  readonly databaseId: string
  readonly tableId: string
  readonly name: string
  /**
   * Columns by key, in declaration order. Columns still `processing` or `failed` are left out: the
   * server validates writes against the columns its worker created, so a write naming one fails
   * with `Unknown attribute`.
   */
  readonly columns: ReadonlyMap<string, FakeColumn>
  /** Indexes that exist in storage; `unique` ones are enforced on writes. */
  readonly indexes: readonly FakeIndex[]
  /** Table-level permission strings (`Models.Table['$permissions']`). `[]` when not declared. */
  readonly permissions: string[]
  /** Whether row-level permissions apply (`Models.Table['rowSecurity']`). `true` when not declared. */
  readonly rowSecurity: boolean
}

/**
 * A table's security settings as the permission checks read them. `declared: false` for tables
 * that are undeclared, or declared without `permissions`/`rowSecurity`: callers apply their
 * schemaless defaults then.
 *
 * @internal
 */
export interface TableSecurity {
  readonly declared: boolean
  readonly permissions: string[]
  readonly rowSecurity: boolean
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

/** A column as the registry keeps it: the model plus what only the management API reports. @internal */
export interface StoredColumn extends FakeColumn {
  /** Whether the column was created with `encrypt: true`. */
  readonly encrypt: boolean
}

/** An index as the registry keeps it. @internal */
export interface StoredIndex extends FakeIndex {
  readonly $createdAt: string
  readonly $updatedAt: string
}

/**
 * One table's metadata, mutable by the management API. Columns and indexes are replaced, never
 * mutated, so a `TableSchema` handed out earlier stays consistent.
 *
 * @internal
 */
export interface TableEntry {
  readonly databaseId: string
  readonly tableId: string
  name: string
  enabled: boolean
  readonly $createdAt: string
  $updatedAt: string
  /** `undefined`: security not declared (schemaless defaults apply). */
  security: { permissions: string[]; rowSecurity: boolean } | undefined
  /** Every column, whatever its status, in creation order; `undefined`: schemaless. */
  columns: Map<string, StoredColumn> | undefined
  indexes: StoredIndex[]
  /** What the data layer reads; rebuilt by {@link SchemaRegistry.refresh}. */
  schema: TableSchema | undefined
}

/** One database's metadata. @internal */
export interface DatabaseEntry {
  readonly databaseId: string
  name: string
  enabled: boolean
  /** `Models.Database['type']`: `tablesdb` for databases created through TablesDB. */
  readonly type: 'tablesdb' | 'legacy'
  readonly $createdAt: string
  $updatedAt: string
  /** `true`: table ids that are not declared are accepted, schemaless. */
  open: boolean
  readonly tables: Map<string, TableEntry>
}

const SCHEMALESS: TableResolution = { ok: true, schema: undefined }
const DATABASE_NOT_FOUND: TableResolution = { ok: false, error: 'database_not_found' }
const TABLE_NOT_FOUND: TableResolution = { ok: false, error: 'table_not_found' }
const UNDECLARED_SECURITY: TableSecurity = { declared: false, permissions: [], rowSecurity: true }

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
  now: string,
): StoredIndex {
  for (const column of definition.columns) {
    if (!columns.has(column) && !SYSTEM_INDEX_COLUMNS.has(column)) {
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
    $createdAt: now,
    $updatedAt: now,
  }
}

/**
 * System attributes an index may name besides the table's columns (appwrite
 * `src/Appwrite/Platform/Modules/Databases/Http/Databases/Collections/Indexes/Create.php`).
 *
 * @internal
 */
export const SYSTEM_INDEX_COLUMNS: ReadonlySet<string> = new Set([
  '$id',
  '$createdAt',
  '$updatedAt',
])

/** Options for {@link SchemaRegistry}. @internal */
export interface SchemaRegistryOptions {
  databases?: Record<string, DatabaseDefinition>
  strict?: boolean
  now: () => string
}

/**
 * The declared databases, tables, columns and indexes: from `createFakeAppwrite({ databases })`,
 * and from the management API (`fake.admin`), which edits the same entries.
 *
 * @internal
 */
export class SchemaRegistry {
  readonly #databases = new Map<string, DatabaseEntry>()
  readonly #strict: boolean
  readonly #declared: Record<string, DatabaseDefinition>
  /** Reads the fake's clock, formatted like the server's datetimes. */
  readonly now: () => string

  constructor(options: SchemaRegistryOptions) {
    this.#strict = options.strict ?? false
    this.now = options.now
    this.#declared = options.databases ?? {}
    this.#declareAll()
  }

  #declareAll(): void {
    for (const [databaseId, definition] of Object.entries(this.#declared)) {
      this.declareDatabase(databaseId, definition)
    }
  }

  /**
   * Forgets everything the management API changed: back to the databases of the options.
   */
  reset(): void {
    this.#databases.clear()
    this.#declareAll()
  }

  /** Declares a database and, when given, its tables (which then are the only ones it has). */
  declareDatabase(databaseId: string, definition: DatabaseDefinition = {}): void {
    if (!isValidId(databaseId)) {
      throw declarationError(
        `database id \`${databaseId}\` is invalid: use a-z, A-Z, 0-9, period, hyphen and underscore, at most 36 chars, not starting with a special char.`,
      )
    }
    const now = this.now()
    this.#databases.set(databaseId, {
      databaseId,
      name: definition.name ?? databaseId,
      enabled: true,
      type: 'tablesdb',
      $createdAt: now,
      $updatedAt: now,
      open: !definition.tables,
      tables: new Map(),
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
    const now = this.now()
    let database = this.#databases.get(databaseId)
    if (!database) {
      database = this.createDatabase(databaseId, { name: databaseId, enabled: true })
    }
    database.open = false
    let columns: Map<string, StoredColumn> | undefined
    let indexes: StoredIndex[] = []
    if (definition.columns) {
      columns = new Map()
      for (const column of definition.columns) {
        if (columns.has(column.key))
          throw declarationError(`${where} declares column \`${column.key}\` twice.`)
        columns.set(column.key, { ...normalizeColumn(where, column, now), encrypt: false })
      }
      const declared = columns
      indexes = (definition.indexes ?? []).map((index) =>
        normalizeIndex(where, index, declared, now),
      )
    } else if (definition.indexes && definition.indexes.length > 0) {
      throw declarationError(`${where} declares indexes but no \`columns\`.`)
    }
    const security =
      definition.permissions !== undefined || definition.rowSecurity !== undefined
        ? {
            permissions: [...(definition.permissions ?? [])],
            rowSecurity: definition.rowSecurity ?? false,
          }
        : undefined
    const entry: TableEntry = {
      databaseId,
      tableId,
      name: definition.name ?? tableId,
      enabled: true,
      $createdAt: now,
      $updatedAt: now,
      security,
      columns,
      indexes,
      schema: undefined,
    }
    this.refresh(entry)
    database.tables.set(tableId, entry)
  }

  /** Adds an empty declared database (the management API's `create`). */
  createDatabase(
    databaseId: string,
    options: { name: string; enabled: boolean; type?: 'tablesdb' | 'legacy' },
  ): DatabaseEntry {
    const now = this.now()
    const entry: DatabaseEntry = {
      databaseId,
      name: options.name,
      enabled: options.enabled,
      type: options.type ?? 'tablesdb',
      $createdAt: now,
      $updatedAt: now,
      open: false,
      tables: new Map(),
    }
    this.#databases.set(databaseId, entry)
    return entry
  }

  /**
   * Replaces every database with `databases` (saved earlier: a restart of the emulator on its data
   * dir), rebuilding each table's data-layer view. `reset()` still goes back to the declared ones.
   */
  restore(databases: Iterable<DatabaseEntry>): void {
    this.#databases.clear()
    for (const database of databases) {
      for (const table of database.tables.values()) this.refresh(table)
      this.#databases.set(database.databaseId, database)
    }
  }

  /** Removes a database and its tables; `false` when it was not declared. */
  deleteDatabase(databaseId: string): boolean {
    return this.#databases.delete(databaseId)
  }

  /** A declared database. */
  database(databaseId: string): DatabaseEntry | undefined {
    return this.#databases.get(databaseId)
  }

  /** Every declared database, in creation order. */
  databases(): IterableIterator<DatabaseEntry> {
    return this.#databases.values()
  }

  /** A declared table. */
  table(databaseId: string, tableId: string): TableEntry | undefined {
    return this.#databases.get(databaseId)?.tables.get(tableId)
  }

  /** Rebuilds the data layer's view of a table after its metadata changed. */
  refresh(entry: TableEntry): void {
    if (!entry.columns) {
      entry.schema = undefined
      return
    }
    const columns = new Map<string, FakeColumn>()
    for (const [key, column] of entry.columns) {
      if (PHYSICAL_STATUSES.has(column.status)) columns.set(key, column)
    }
    entry.schema = {
      databaseId: entry.databaseId,
      tableId: entry.tableId,
      name: entry.name,
      columns,
      indexes: entry.indexes.filter((index) => PHYSICAL_STATUSES.has(index.status)),
      permissions: [...(entry.security?.permissions ?? [])],
      rowSecurity: entry.security?.rowSecurity ?? true,
    }
  }

  /** Resolves a table for a data call. */
  resolve(databaseId: string, tableId: string): TableResolution {
    const found = this.lookup(databaseId, tableId)
    if (found === undefined) return SCHEMALESS
    if (found === 'database_not_found') return DATABASE_NOT_FOUND
    if (found === 'table_not_found') return TABLE_NOT_FOUND
    return { ok: true, schema: found }
  }

  /**
   * {@link SchemaRegistry.resolve} without a result object, for the write path: the schema,
   * `undefined` for a schemaless table, or the error type.
   */
  lookup(
    databaseId: string,
    tableId: string,
  ): TableSchema | undefined | 'database_not_found' | 'table_not_found' {
    const database = this.#databases.get(databaseId)
    if (!database) return this.#strict ? 'database_not_found' : undefined
    const table = database.tables.get(tableId)
    if (!table) return database.open ? undefined : 'table_not_found'
    return table.schema
  }

  /**
   * Which of a database and its table is disabled (`enabled: false` through the management API),
   * or `undefined` when both serve rows. Only non-key callers are refused for it.
   */
  disabled(databaseId: string, tableId: string): 'database' | 'table' | undefined {
    const database = this.#databases.get(databaseId)
    if (!database) return undefined
    if (!database.enabled) return 'database'
    return database.tables.get(tableId)?.enabled === false ? 'table' : undefined
  }

  /** Every declared `(databaseId, tableId)` pair, in declaration order. */
  *declaredTables(): IterableIterator<[databaseId: string, tableId: string]> {
    for (const [databaseId, database] of this.#databases) {
      for (const tableId of database.tables.keys()) yield [databaseId, tableId]
    }
  }

  /**
   * A table's permissions and row security, for the permission checks. Undeclared tables, and
   * tables declared without `permissions`/`rowSecurity`, answer `{ declared: false, permissions: [],
   * rowSecurity: true }`.
   */
  tableSecurity(databaseId: string, tableId: string): TableSecurity {
    const security = this.#databases.get(databaseId)?.tables.get(tableId)?.security
    if (!security) return UNDECLARED_SECURITY
    return {
      declared: true,
      permissions: [...security.permissions],
      rowSecurity: security.rowSecurity,
    }
  }

  /**
   * Throws the server's unique-constraint error (`row_unique_constraint_violation` for `tablesDB`,
   * `document_unique_constraint_violation` for `databases`, 409) when writing `candidates` would
   * give two rows the same values on a `unique` index of the table. `rows` are the table's stored
   * rows; a stored row with a candidate's `$id` counts as replaced by it. Tables without unique
   * indexes return at once.
   *
   * @example
   * ```ts
   * registry.assertUnique('tablesDB', 'main', 'bookings', [{ $id: 'b2', data }], table.values())
   * ```
   */
  assertUnique(
    api: FakeApi,
    databaseId: string,
    tableId: string,
    candidates: UniqueRow | readonly UniqueRow[],
    rows: Iterable<UniqueRow>,
  ): void {
    const resolution = this.resolve(databaseId, tableId)
    if (resolution.ok) assertUniqueRows(api, resolution.schema, candidates, rows)
  }
}
