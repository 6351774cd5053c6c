import { appwriteError } from './errors'
import { createFakeRandom } from './random'

/** Longest id the server accepts (`Database::MAX_UID_DEFAULT_LENGTH`, MariaDB adapter). */
export const MAX_ID_LENGTH = 36

/** The literal an SDK sends for "let the server pick the id" on create routes. */
export const SERVER_PICKED_ID = 'unique()'

/**
 * What the server's `Key` / `CustomId` validator says about a bad row or document id
 * (github:utopia-php/database `src/Database/Validator/Key.php`).
 */
export const CUSTOM_ID_DESCRIPTION = `Parameter must contain at most ${MAX_ID_LENGTH} chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char`

/**
 * What the server's `UID` validator says about a bad database, table, transaction or (on
 * get/update/delete routes) row id. The server's text mentions underscore only, but it accepts the
 * same characters as `Key` (github:utopia-php/database `src/Database/Validator/UID.php`).
 */
export const UID_DESCRIPTION = `UID must contain at most ${MAX_ID_LENGTH} chars. Valid chars are a-z, A-Z, 0-9, and underscore. Can't start with a leading underscore`

/** Whether a char code is `[A-Za-z0-9]`. */
function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/**
 * Whether `value` is an id the server accepts: `[A-Za-z0-9._-]`, at most 36 chars, not starting
 * with `_`, `.` or `-` (github:utopia-php/database `src/Database/Validator/Key.php`).
 *
 * @example
 * ```ts
 * isValidId('booking-1') // true
 * isValidId('_hidden') // false
 * ```
 */
export function isValidId(value: unknown): value is string {
  // `^[A-Za-z0-9][A-Za-z0-9._-]*$`, checked char by char: every call checks two or three ids.
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) return false
  if (!isAlphanumeric(value.charCodeAt(0))) return false
  for (let i = 1; i < value.length; i++) {
    const code = value.charCodeAt(i)
    // 45 `-`, 46 `.`, 95 `_`
    if (!isAlphanumeric(code) && code !== 45 && code !== 46 && code !== 95) return false
  }
  return true
}

/**
 * Throws the server's `general_argument_invalid` for a parameter that fails the `UID` validator:
 * ``Invalid `tableId` param: UID must contain at most 36 chars…`` (utopia-php/http param validation,
 * mapped to `general_argument_invalid` in appwrite `app/controllers/general.php`).
 *
 * @internal
 */
export function assertUid(param: string, value: unknown): asserts value is string {
  if (!isValidId(value)) {
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: ${UID_DESCRIPTION}`,
    )
  }
}

/**
 * Throws the server's `general_argument_invalid` for a create-route id that is neither
 * `unique()` nor a valid custom id (appwrite `src/Appwrite/Utopia/Database/Validator/CustomId.php`).
 *
 * @internal
 */
export function assertCustomId(param: string, value: unknown): asserts value is string {
  if (value !== SERVER_PICKED_ID && !isValidId(value)) {
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: ${CUSTOM_ID_DESCRIPTION}`,
    )
  }
}

/** Options for {@link createIdGenerator}. */
export interface IdGeneratorOptions {
  /**
   * Seed for the ids the fake picks when a caller sends `unique()`. The same seed gives the same
   * sequence of ids. Defaults to a random seed.
   */
  seed?: number | string
}

/** Produces the ids the fake picks for `unique()`: 20 lowercase hex chars, like `ID.unique()`. */
export interface IdGenerator {
  /** The next id. */
  next(): string
  /** Starts the sequence over from the seed. */
  reset(): void
}

/** Each hex digit's character code. */
const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0))
/** An id's character codes, reused by every call. */
const ID_CODES: number[] = new Array<number>(20).fill(0)

/** Writes the low `digits` hex digits of `value` (an unsigned integer) into {@link ID_CODES} from `at`. */
function putHex(at: number, digits: number, value: number): void {
  for (let i = at + digits - 1; i >= at; i--) {
    ID_CODES[i] = HEX_CODES[value & 15]!
    value >>>= 4
  }
}

function hashSeed(seed: number | string): number {
  const text = String(seed)
  let hash = 2166136261
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 16777619)
  }
  return hash >>> 0
}

/**
 * Creates a deterministic generator of server-picked ids (`rowId: 'unique()'`), 20 hex chars each.
 *
 * @example
 * ```ts
 * const ids = createIdGenerator({ seed: 42 })
 * ids.next() // the same 20-hex-char id on every run with seed 42
 * ```
 */
export function createIdGenerator(options: IdGeneratorOptions = {}): IdGenerator {
  const initial = hashSeed(options.seed ?? Math.floor(Math.random() * 2 ** 32))
  // The fake's seeded source (mulberry32): each draw is a 32-bit integer over 2^32, so scaling it
  // back gives that integer exactly.
  let random = createFakeRandom(initial)
  const next32 = (): number => random() * 4_294_967_296
  return {
    // Three 32-bit draws as hex, cut to 20 chars: 8 + 8 + the top 4 of the third. Built from
    // character codes in one go: V8 keeps a concatenated string as a tree of its pieces, and
    // flattening it (the first time a map hashes the id) cost more than drawing it.
    next: () => {
      putHex(0, 8, next32())
      putHex(8, 8, next32())
      putHex(16, 4, next32() >>> 16)
      return String.fromCharCode.apply(null, ID_CODES)
    },
    reset: () => {
      random = createFakeRandom(initial)
    },
  }
}
