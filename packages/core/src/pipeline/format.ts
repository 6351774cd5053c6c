import { isoFormatter } from './isoFormatter'

// Formatting and comparing the values the pipeline writes.

/** Whether two ISO datetimes (or two plain values) denote the same thing. @internal */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true
  if (typeof a === 'string' && typeof b === 'string' && a.length >= 19 && b.length >= 19) {
    const ta = Date.parse(a)
    const tb = Date.parse(b)
    return !Number.isNaN(ta) && ta === tb
  }
  return false
}

const ISO_CACHE_SIZE = 16
const isoKeys = new Float64Array(ISO_CACHE_SIZE).fill(Number.NaN)
const isoValues: string[] = new Array<string>(ISO_CACHE_SIZE).fill('')

/**
 * ISO 8601 for an epoch-milliseconds instant. Formatting a date is the priciest step of building
 * a booking's rows, and bookings written in the same millisecond share their instants, so the last
 * few are remembered.
 *
 * @internal
 */
export function iso(ms: number): string {
  // Mix high and low bits: a booking's instants (now, deadline, expiry) differ by round numbers.
  const low = ms % 4_294_967_296
  const slot =
    (low ^ (low >>> 11) ^ (low >>> 19) ^ Math.floor(ms / 4_294_967_296)) & (ISO_CACHE_SIZE - 1)
  if (isoKeys[slot] === ms) return isoValues[slot]!
  const value =
    Number.isInteger(ms) && ms >= 0 && ms <= LAST_FOUR_DIGIT_MS
      ? formatIso(ms)
      : new Date(ms).toISOString()
  isoKeys[slot] = ms
  isoValues[slot] = value
  return value
}

/** The last millisecond of year 9999: `toISOString` writes every later year with a sign. */
const LAST_FOUR_DIGIT_MS = 253_402_300_799_999

/**
 * `new Date(ms).toISOString()` for an integer instant from 1970 to 9999, by hand: on Node 20 the
 * built-in takes about 2 µs a call, more than the rest of a booking's row building.
 *
 * @internal
 */
export const formatIso = /* @__PURE__ */ isoFormatter('Z')

/** Cuts text to `max` characters (column sizes), with an ellipsis. @internal */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
