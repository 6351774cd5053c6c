// The value half of an app's mapping: enum values the app writes in its own spelling
// ('Pending', 'Cancelled'), read and accepted as booking-guard's canonical ones.
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
  const resolved = new Map<string, Map<string, string>>()
  for (const [column, values] of Object.entries(mappings)) {
    if (!columns.has(column)) {
      throw new Error(`${where}: \`values\` maps column \`${column}\`, which is not a column`)
    }
    const elements = columns.get(column)
    const map = new Map<string, string>()
    for (const [legacy, canonical] of Object.entries(values ?? {})) {
      if (typeof canonical !== 'string') {
        throw new Error(`${where}: \`values.${column}.${legacy}\` must be a string`)
      }
      if (elements !== undefined && !elements.includes(canonical)) {
        throw new Error(
          `${where}: \`values.${column}.${legacy}\` maps to \`${canonical}\`, which is not one of ${elements.map((e) => `\`${e}\``).join(', ')}`,
        )
      }
      if (elements !== undefined && elements.includes(legacy)) {
        throw new Error(
          `${where}: \`values.${column}\` maps \`${legacy}\`, which is already a valid value`,
        )
      }
      if (legacy !== canonical) map.set(legacy, canonical)
    }
    if (map.size > 0) resolved.set(column, map)
  }
  return resolved.size === 0 ? undefined : resolved
}

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

/** The columns of `row` that hold a legacy value (read only). @internal */
export function legacyValueColumns(
  values: ResolvedValues | undefined,
  row: Readonly<Record<string, unknown>>,
): string[] {
  if (values === undefined) return []
  const found: string[] = []
  for (const [column, map] of values) {
    const value = row[column]
    if (typeof value === 'string' && map.has(value)) found.push(column)
  }
  return found
}
