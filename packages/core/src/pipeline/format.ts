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
const MS_PER_DAY = 86_400_000
/** `YYYY-MM-DDTHH:mm:ss.sssZ` as character codes: the separators, then each call's digits. */
const ISO_CODES: number[] = Array.from('0000-00-00T00:00:00.000Z', (char) => char.charCodeAt(0))

/** Writes `value` as `width` decimal digits into {@link ISO_CODES} from `at`. */
function putDigits(at: number, width: number, value: number): void {
  for (let i = at + width - 1; i >= at; i--) {
    const next = Math.floor(value / 10)
    ISO_CODES[i] = 48 + value - next * 10
    value = next
  }
}

/**
 * `new Date(ms).toISOString()` for an integer instant from 1970 to 9999, by hand: on Node 20 the
 * built-in takes about 2 µs a call, more than the rest of a booking's row building. Civil date from
 * days since the epoch in 400-year eras (Howard Hinnant's `civil_from_days`).
 *
 * @internal
 */
export function formatIso(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY)
  let rest = ms - days * MS_PER_DAY
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = Math.floor(rest / 1000)
  const millis = rest - seconds * 1000
  const shifted = days + 719_468 // days since 0000-03-01
  const era = Math.floor(shifted / 146_097)
  const dayOfEra = shifted - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  )
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  putDigits(0, 4, year)
  putDigits(5, 2, month)
  putDigits(8, 2, day)
  putDigits(11, 2, hours)
  putDigits(14, 2, minutes)
  putDigits(17, 2, seconds)
  putDigits(20, 3, millis)
  // From character codes in one go: V8 keeps a string concatenated piece by piece as a tree of
  // its pieces (about 300 bytes here, where the characters take 40), and flattening it cost four
  // times what this does (measured on Node 20).
  return String.fromCharCode.apply(null, ISO_CODES)
}

/** Cuts text to `max` characters (column sizes), with an ellipsis. @internal */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
