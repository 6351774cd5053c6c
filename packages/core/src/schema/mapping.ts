// The value half of an app's mapping: enum values the app writes in its own spelling
// ('Pending', 'Cancelled'), read and accepted as booking-guard's canonical ones.
import type { ColumnSpec, TableSpec } from './columns'
import type { TableKind } from './schemas'

/**
 * Legacy enum values per table kind and column, each mapped to the canonical value
 * (`{ booking: { status: { Pending: 'pending', Cancelled: 'cancelled' } } }`).
 */
export type ValueMappings = {
  readonly [K in TableKind]?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** One kind's value mappings, resolved: column → (legacy value → canonical value). @internal */
export type ResolvedValues = ReadonlyMap<string, ReadonlyMap<string, string>>

/**
 * Checks and resolves the value mappings of one kind against its columns and their enum
 * elements. Throws a message (the caller wraps it) naming the column or value that is wrong.
 *
 * @internal
 */
export function resolveValueMappings(
  mappings: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined,
  columns: ReadonlyMap<string, readonly string[] | undefined>,
  where: string,
): ResolvedValues | undefined {
  if (mappings === undefined) return undefined
  const resolved = eachMappedEntry(
    mappings,
    columns,
    where,
    'values',
    (column, elements, legacy, canonical, map) => {
      if (typeof canonical !== 'string') {
        throw new Error(`${where}: \`values.${column}.${legacy}\` must be a string`)
      }
      if (elements !== undefined && !elements.includes(canonical)) {
        throw new Error(
          `${where}: \`values.${column}.${legacy}\` maps to \`${canonical}\`, which is not one of ${oneOf(elements)}`,
        )
      }
      if (elements !== undefined && elements.includes(legacy)) {
        throw new Error(
          `${where}: \`values.${column}\` maps \`${legacy}\`, which is already a valid value`,
        )
      }
      if (legacy !== canonical) map.set(legacy, canonical)
    },
  )
  return resolved.size === 0 ? undefined : resolved
}

/**
 * Resolves each entry of a `values` or `writeValues` option: throws unless its column exists,
 * hands `resolve` the column, its enum elements (if any), the entry's key and value (as given,
 * so `resolve` checks its type) and the column's map to fill, and keeps the columns whose map
 * `resolve` filled.
 */
function eachMappedEntry(
  mappings: Readonly<Record<string, Readonly<Record<string, string>>>>,
  columns: ReadonlyMap<string, readonly string[] | undefined>,
  where: string,
  option: 'values' | 'writeValues',
  resolve: (
    column: string,
    elements: readonly string[] | undefined,
    key: string,
    value: unknown,
    map: Map<string, string>,
  ) => void,
): Map<string, Map<string, string>> {
  const resolved = new Map<string, Map<string, string>>()
  for (const [column, values] of Object.entries(mappings)) {
    if (!columns.has(column)) {
      throw new Error(`${where}: \`${option}\` maps column \`${column}\`, which is not a column`)
    }
    const elements = columns.get(column)
    const map = new Map<string, string>()
    for (const [key, value] of Object.entries(values ?? {})) {
      resolve(column, elements, key, value, map)
    }
    if (map.size > 0) resolved.set(column, map)
  }
  return resolved
}

/** An enum's elements for a message: `` `a`, `b` ``. */
const oneOf = (elements: readonly string[]): string => elements.map((e) => `\`${e}\``).join(', ')

/**
 * Replaces legacy values by canonical ones in `row`, in place; returns the columns it changed
 * (empty when none).
 *
 * @internal
 */
export function mapValuesInPlace(values: ResolvedValues, row: Record<string, unknown>): string[] {
  const changed: string[] = []
  for (const [column, map] of values) {
    const value = row[column]
    if (typeof value !== 'string') continue
    const canonical = map.get(value)
    if (canonical !== undefined) {
      row[column] = canonical
      changed.push(column)
    }
  }
  return changed
}

/**
 * The columns of `row` that hold a legacy value (read only); the spellings the app writes
 * (`written`: column → canonical → spelling) are not legacy.
 *
 * @internal
 */
export function legacyValueColumns(
  values: ResolvedValues | undefined,
  row: Readonly<Record<string, unknown>>,
  written?: ReadonlyMap<string, ReadonlyMap<string, string>>,
): string[] {
  if (values === undefined) return []
  const found: string[] = []
  for (const [column, map] of values) {
    const value = row[column]
    if (typeof value !== 'string') continue
    const canonical = map.get(value)
    if (canonical !== undefined && written?.get(column)?.get(canonical) !== value) {
      found.push(column)
    }
  }
  return found
}

/**
 * The app's own column name for a canonical column, per table kind
 * (`{ booking: { providerId: 'therapistId' } }`): what booking-guard writes and queries instead of
 * the canonical name.
 */
export type ColumnNames = {
  readonly [K in TableKind]?: Readonly<Record<string, string>>
}

/**
 * The app's spelling of canonical enum values that booking-guard writes, per table kind and
 * column (`{ booking: { status: { pending: 'Pending', cancelled: 'Cancelled' } } }`).
 */
export type WriteValues = {
  readonly [K in TableKind]?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/**
 * One kind's write mapping, resolved: what the pipeline renames and respells on the way to
 * Appwrite, and back.
 *
 * @internal
 */
export interface WriteMapping {
  /** Canonical column → the app's column. */
  readonly names: ReadonlyMap<string, string>
  /** The app's column → canonical column. */
  readonly canonicalOf: ReadonlyMap<string, string>
  /** Canonical column → (canonical value → the app's spelling). */
  readonly values: ReadonlyMap<string, ReadonlyMap<string, string>>
}

/**
 * Checks one kind's `columnNames` against its columns; returns canonical → app name. Throws a
 * message (the caller wraps it) naming the entry that is wrong.
 *
 * @internal
 */
export function resolveColumnNames(
  names: Readonly<Record<string, string>> | undefined,
  columnKeys: ReadonlySet<string>,
  isValidKey: (key: string) => boolean,
  where: string,
): Map<string, string> {
  const resolved = new Map<string, string>()
  if (names === undefined) return resolved
  const taken = new Map<string, string>()
  for (const [canonical, name] of Object.entries(names)) {
    if (!columnKeys.has(canonical)) {
      throw new Error(`${where}: \`columnNames\` renames \`${canonical}\`, which is not a column`)
    }
    if (typeof name !== 'string' || !isValidKey(name)) {
      throw new Error(
        `${where}: \`columnNames.${canonical}\` must be a valid Appwrite column key, got \`${String(name)}\``,
      )
    }
    if (name === canonical) continue
    if (columnKeys.has(name)) {
      throw new Error(
        `${where}: \`columnNames.${canonical}\` is \`${name}\`, which is another column of booking-guard's; pick the app's own name`,
      )
    }
    const other = taken.get(name)
    if (other !== undefined) {
      throw new Error(
        `${where}: \`columnNames\` gives \`${other}\` and \`${canonical}\` the same name \`${name}\``,
      )
    }
    taken.set(name, canonical)
    resolved.set(canonical, name)
  }
  return resolved
}

/**
 * Checks one kind's `writeValues` against its columns and enum elements and adds each spelling
 * to the read mappings (`read`, changed in place) so rows written with it read back canonical.
 * Returns column → (canonical → spelling). Throws a message (the caller wraps it) naming the
 * entry that is wrong.
 *
 * @internal
 */
export function resolveWriteValues(
  mappings: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined,
  columns: ReadonlyMap<string, readonly string[] | undefined>,
  read: Map<string, Map<string, string>>,
  where: string,
): Map<string, Map<string, string>> {
  if (mappings === undefined) return new Map()
  return eachMappedEntry(
    mappings,
    columns,
    where,
    'writeValues',
    (column, elements, canonical, spelling, map) => {
      if (typeof spelling !== 'string' || spelling === '') {
        throw new Error(
          `${where}: \`writeValues.${column}.${canonical}\` must be a non-empty string`,
        )
      }
      if (elements !== undefined && !elements.includes(canonical)) {
        throw new Error(
          `${where}: \`writeValues.${column}\` respells \`${canonical}\`, which is not one of ${oneOf(elements)}`,
        )
      }
      if (spelling === canonical) return
      if (elements !== undefined && elements.includes(spelling)) {
        throw new Error(
          `${where}: \`writeValues.${column}.${canonical}\` is \`${spelling}\`, another of the column's values; pick the app's own spelling`,
        )
      }
      const readMap = read.get(column) ?? new Map<string, string>()
      const readAs = readMap.get(spelling)
      if (readAs !== undefined && readAs !== canonical) {
        throw new Error(
          `${where}: \`writeValues.${column}.${canonical}\` is \`${spelling}\`, which \`values\` reads as \`${readAs}\``,
        )
      }
      if ([...map.values()].includes(spelling)) {
        throw new Error(`${where}: \`writeValues.${column}\` spells two values \`${spelling}\``)
      }
      readMap.set(spelling, canonical)
      read.set(column, readMap)
      map.set(canonical, spelling)
    },
  )
}

/**
 * Every spelling of a canonical value in a column that reads back as it: the value itself, the
 * app's written spelling and every legacy spelling in `values`.
 *
 * @internal
 */
export function spellingsOf(
  read: ResolvedValues | undefined,
  column: string,
  value: string,
): string[] {
  const spellings = [value]
  const map = read?.get(column)
  if (map === undefined) return spellings
  for (const [legacy, canonical] of map) if (canonical === value) spellings.push(legacy)
  return spellings
}

/**
 * A table as the app has it: the lock's spec with each column under the app's name, enum
 * elements (and defaults) in the app's spelling, and indexes over the renamed columns. What drift
 * detection compares with and provisioning creates.
 *
 * @internal
 */
export function appTableSpec(spec: TableSpec, write: WriteMapping | undefined): TableSpec {
  if (write === undefined) return spec
  const rename = (key: string) => write.names.get(key) ?? key
  const columns = spec.columns.map((column): ColumnSpec => {
    const spelled = write.values.get(column.key)
    const key = rename(column.key)
    if (column.type !== 'enum' || spelled === undefined) {
      return key === column.key ? column : { ...column, key }
    }
    const spell = (value: string) => spelled.get(value) ?? value
    return {
      ...column,
      key,
      elements: column.elements.map(spell),
      default: column.default === null ? null : spell(column.default),
    }
  })
  const indexes = spec.indexes.map((index) =>
    index.columns.some((column) => write.names.has(column))
      ? { ...index, columns: index.columns.map(rename) }
      : index,
  )
  return { tableId: spec.tableId, columns, indexes }
}

/**
 * The legacy names of an app table (legacy name → the app's column it stands for): the lock's
 * aliases but the app's own column names, plus each renamed canonical column, which the lock
 * still reads.
 *
 * @internal
 */
export function appAliases(
  aliases: Readonly<Record<string, string>>,
  write: WriteMapping | undefined,
): Readonly<Record<string, string>> {
  if (write === undefined) return aliases
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [alias, canonical] of Object.entries(aliases)) {
    if (!write.canonicalOf.has(alias)) out[alias] = write.names.get(canonical) ?? canonical
  }
  for (const [canonical, name] of write.names) out[canonical] = name
  return out
}
