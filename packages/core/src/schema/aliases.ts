/**
 * Legacy field names and the canonical column each one stands for: the one table that maps them,
 * on write (`parse`), on read and on realtime payloads (`normalize`). An alias applies to every
 * schema kind that has its canonical column (so `bookingid` works for chat rooms, chat messages
 * and notifications alike).
 *
 * These exist because a real marketplace lost bookings when code wrote `therapistId` while the
 * schema said `providerId`: queries and realtime filters silently matched nothing.
 */
export const LEGACY_ALIASES = {
  therapistId: 'providerId',
  therapistName: 'providerName',
  therapistType: 'providerType',
  receiverId: 'recipientId',
  receivername: 'recipientName',
  message: 'content',
  bookingid: 'bookingId',
  expiresat: 'expiresAt',
} as const satisfies Readonly<Record<string, string>>

/** A legacy field name known to the default alias table. */
export type LegacyAlias = keyof typeof LEGACY_ALIASES

const MAX_DEPTH = 64

/**
 * Whether two values read from JSON are the same: `Object.is` for primitives, structural for
 * arrays and plain objects. Used to tell a harmless duplicate (`therapistId` and `providerId`
 * both `"p1"`) from a conflict. Deeper than 64 levels counts as different.
 * @internal
 */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (depth >= MAX_DEPTH) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i], depth + 1)) return false
    return true
  }
  if (Array.isArray(b)) return false
  const aKeys = Object.keys(a)
  if (aKeys.length !== Object.keys(b).length) return false
  for (const key of aKeys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false
    if (
      !sameValue(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        depth + 1,
      )
    ) {
      return false
    }
  }
  return true
}

/**
 * The alias map (alias → canonical) for one schema kind: the default aliases whose canonical
 * column the kind has, plus the app's extra ones, minus those the app removed with `null`.
 * Returns a prototype-less object so any input key can be looked up safely. Throws a message
 * (caller wraps it) when an alias is inconsistent with the columns; with `lenient`, extra aliases
 * that do not apply to these columns are skipped instead (booking aliases seen from `bookingInput`).
 * @internal
 */
export function resolveAliases(
  columnKeys: ReadonlySet<string>,
  extra: Readonly<Record<string, string | null>> | undefined,
  where: string,
  lenient = false,
): Record<string, string> {
  const map: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [alias, canonical] of Object.entries(LEGACY_ALIASES)) {
    if (columnKeys.has(canonical)) map[alias] = canonical
  }
  if (extra !== undefined) {
    for (const [alias, canonical] of Object.entries(extra)) {
      if (canonical === null) {
        if (!(alias in map)) {
          if (lenient) continue
          throw new Error(`${where}: there is no default alias \`${alias}\` to remove`)
        }
        delete map[alias]
        continue
      }
      if (!columnKeys.has(canonical)) {
        if (lenient) continue
        throw new Error(
          `${where}: alias \`${alias}\` points to \`${canonical}\`, which is not a column`,
        )
      }
      map[alias] = canonical
    }
  }
  for (const alias of Object.keys(map)) {
    if (columnKeys.has(alias)) {
      throw new Error(
        `${where}: \`${alias}\` is both a column and a legacy alias of \`${map[alias]}\`; rename the column or remove the alias with \`aliases: { …: { ${alias}: null } }\``,
      )
    }
  }
  return map
}
