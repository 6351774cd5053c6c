// The read half of the schema lock for the browser: table ids, legacy aliases, and the app's
// value spellings and column names read back as canonical ones, with no zod schema. It is the
// read side `createSchemaLock` also builds on, plus the mapping's resolution.
import { mapBackend } from './mappedBackend'
import { resolveColumnNames, resolveValueMappings, resolveWriteValues } from './mapping'
import { buildReadSide, isValidKey, readColumnsOf, registerLock, resolveTableIds } from './readSide'
import type { MappingResolver } from './readSide'
import type { LockOutput, NormalizedRow, SchemaExtensions, SchemaLockOptions } from './schemaLock'
import type { TableKind } from './schemas'

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
   * `SchemaLockError` only when `row` is not an object.
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

/**
 * The mapping of one table kind, resolved and checked: `values` and `writeValues` against the
 * column's enum values, `columnNames` against its columns. Shared by `createReadLock` and
 * `createSchemaLock`.
 *
 * @internal
 */
export const resolveKindMapping: MappingResolver = (kind, columns, where, options) => {
  const read = new Map<string, Map<string, string>>()
  for (const [column, map] of resolveValueMappings(options.values?.[kind], columns, where) ?? []) {
    read.set(column, new Map(map))
  }
  const values = resolveWriteValues(options.writeValues?.[kind], columns, read, where)
  const names = resolveColumnNames(
    options.columnNames?.[kind],
    new Set(columns.keys()),
    isValidKey,
    where,
  )
  return {
    read: read.size === 0 ? undefined : read,
    write:
      names.size > 0 || values.size > 0
        ? {
            names,
            canonicalOf: new Map([...names].map(([canonical, app]) => [app, canonical])),
            values,
          }
        : undefined,
  }
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
  const columns = readColumnsOf(name, ids.tableIds, options.extend)
  const side = buildReadSide(name, options, ids, columns, resolveKindMapping)
  const lock = side.lock
  registerLock(lock, side, side.normalizeOwned, (backend) => mapBackend(backend, lock))
  return lock as unknown as ReadLock<E>
}
