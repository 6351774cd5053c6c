// The schema lock's tables as the fake's declarations, for tests that build an Appwrite database
// that matches the lock, or one that drifted from it in chosen ways.
import type { ColumnDefinition, IndexDefinition, TableDefinition } from '@booking-guard/testing'
import type { SchemaLock } from '../index'
import type { ColumnSpec, TableSpec } from '../schema/index'

/** A fake column declaration equal to the lock's spec. */
export function columnOf(spec: ColumnSpec): ColumnDefinition {
  const base = {
    key: spec.key,
    required: spec.required,
    array: spec.array,
    ...(spec.default === null ? {} : { default: spec.default }),
  }
  switch (spec.type) {
    case 'string':
      return { ...base, type: 'string', size: spec.size }
    case 'integer':
    case 'float':
      return {
        ...base,
        type: spec.type === 'float' ? 'double' : 'integer',
        ...(spec.min === null ? {} : { min: spec.min }),
        ...(spec.max === null ? {} : { max: spec.max }),
      }
    case 'enum':
      return { ...base, type: 'enum', elements: [...spec.elements] }
    default:
      return { ...base, type: spec.type }
  }
}

/** How a declared table departs from the lock's spec. */
export interface TableEdits {
  /** Column keys to leave out (and every index that uses them). */
  omit?: string[]
  /** Columns to replace or add, by key. */
  columns?: ColumnDefinition[]
  /** Index keys to leave out. */
  omitIndexes?: string[]
  /** Indexes to add. */
  indexes?: IndexDefinition[]
  permissions?: string[]
  rowSecurity?: boolean
}

/** A fake table declaration equal to the lock's spec, with `edits`. */
export function tableOf(spec: TableSpec, edits: TableEdits = {}): TableDefinition {
  const omit = new Set(edits.omit ?? [])
  const replaced = new Map((edits.columns ?? []).map((c) => [c.key, c]))
  const columns = spec.columns
    .filter((c) => !omit.has(c.key))
    .map((c) => replaced.get(c.key) ?? columnOf(c))
  const known = new Set(spec.columns.map((c) => c.key))
  columns.push(...(edits.columns ?? []).filter((c) => !known.has(c.key)))
  const indexes: IndexDefinition[] = spec.indexes
    .filter((i) => !(edits.omitIndexes ?? []).includes(i.key))
    .filter((i) => i.columns.every((c) => !omit.has(c)))
    .map((i) => ({ key: i.key, type: i.type, columns: [...i.columns] }))
  indexes.push(...(edits.indexes ?? []))
  return {
    columns,
    indexes,
    ...(edits.permissions === undefined ? {} : { permissions: edits.permissions }),
    ...(edits.rowSecurity === undefined ? {} : { rowSecurity: edits.rowSecurity }),
  }
}

/**
 * The incident's tables: no chat_messages, no notifications, `therapistId` where the lock says
 * `providerId`, and (with `stuck`) `heartbeats.sentAt` still processing. `table` declares each
 * table (default {@link tableOf}).
 */
export function incidentTables(
  tables: SchemaLock['tables'],
  { stuck, table = tableOf }: { stuck: boolean; table?: typeof tableOf },
): Record<string, TableDefinition> {
  return {
    bookings: table(tables.booking, {
      omit: ['providerId'],
      columns: [{ key: 'therapistId', type: 'string', size: 36, required: false }],
    }),
    chat_rooms: table(tables.chatRoom),
    heartbeats: table(tables.heartbeat, {
      columns: stuck
        ? [{ key: 'sentAt', type: 'datetime', required: true, status: 'processing' }]
        : [],
    }),
  }
}
