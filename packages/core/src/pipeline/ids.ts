import { BookingGuardError } from '../errors'
import { APPWRITE_ID_PATTERN } from '../schema/kinds'
import { hex, hmacSha256, sha256, utf8 } from './sha256'

/**
 * Longest booking id the pipeline accepts: child ids append up to 4 characters (`.m0`, `.na`, …)
 * and must stay within Appwrite's 36-character id rule.
 */
export const BOOKING_ID_MAX_LENGTH = 32

/** Which transition a derived child row belongs to. @internal */
export type ChildEvent = 'created' | 'accepted' | 'declined' | 'expired' | 'cancelled'

const SUFFIX: Readonly<Record<ChildEvent, string>> = {
  created: '0',
  accepted: 'a',
  declined: 'd',
  expired: 'x',
  cancelled: 'c',
}

/** The ids of every row the pipeline writes for one booking, all derived from the booking id. @internal */
export const childIds = {
  /** The chat room's id is the booking id. */
  chatRoom: (bookingId: string): string => bookingId,
  /** The system message of a transition: `<bookingId>.m0` for "booking received", `.ma` accepted, … */
  systemMessage: (bookingId: string, event: ChildEvent): string => `${bookingId}.m${SUFFIX[event]}`,
  /** The notification of a transition: the booking id itself for "booking received", else `<bookingId>.na`, … */
  notification: (bookingId: string, event: ChildEvent): string =>
    event === 'created' ? bookingId : `${bookingId}.n${SUFFIX[event]}`,
} as const

/**
 * SHA-256 of a string's UTF-8 bytes, as 64 lowercase hex characters.
 *
 * @internal
 */
export function sha256Hex(text: string): string {
  return hex(sha256(utf8(text)))
}

/**
 * HMAC-SHA256 (RFC 2104) of `message` under `key`, both as UTF-8, as 64 lowercase hex characters.
 *
 * @internal
 */
export function hmacSha256Hex(key: string, message: string): string {
  return hex(hmacSha256(utf8(key), utf8(message)))
}

/**
 * An idempotency key within its scope: `<scope length>:<scope>/<key>` (the length first, so no
 * scope and key spell another pair's text), or the key alone without a scope.
 */
function scopedKey(idempotencyKey: string, scope = ''): string {
  return scope === '' ? idempotencyKey : `${scope.length}:${scope}/${idempotencyKey}`
}

/**
 * The booking id for an idempotency key: `k` + 31 hex characters of SHA-256 of the key within
 * its scope ({@link scopedKey}), so every process maps one key to one row id and a retry can never
 * create a second booking.
 *
 * @internal
 */
export function bookingIdForKey(idempotencyKey: string, namespace = ''): string {
  const text = namespace === '' ? `/${idempotencyKey}` : scopedKey(idempotencyKey, namespace)
  return `k${sha256Hex(`booking-guard/idempotency/${text}`).slice(0, 31)}`
}

/**
 * What a booking row stores as its `idempotencyKey`, a unique column of at most 64 characters:
 * the key within its scope ({@link scopedKey}; the key itself without one, so two users' equal
 * keys are two values), or `#` and 63 hex characters of its SHA-256 when that is longer.
 *
 * @internal
 */
export function storedIdempotencyKey(idempotencyKey: string, scope?: string): string {
  const scoped = scopedKey(idempotencyKey, scope)
  return scoped.length <= 64 ? scoped : `#${sha256Hex(scoped).slice(0, 63)}`
}

/** JSON with sorted keys and `null`/`undefined` dropped, so equal inputs hash equally. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined && record[key] !== null)
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`
}

/**
 * A 64-hex-character fingerprint of a normalized booking input: two calls under one idempotency
 * key with different fingerprints are an idempotency conflict.
 *
 * @internal
 */
export function fingerprintOf(input: unknown): string {
  return sha256Hex(canonicalJson(input))
}

/**
 * The default slot key of a scheduled booking: provider and start instant, hashed to 64 hex
 * characters, so a unique index on it admits one booking per provider and start time. With a
 * `secret` it is an HMAC: nobody without the secret can compute another provider's slot key, so a
 * row written by hand (where a table was opened to users) cannot squat a slot.
 *
 * @internal
 */
export function defaultSlotKey(providerId: string, scheduledAt: string, secret?: string): string {
  const slot = `booking-guard/slot/${providerId}/${new Date(scheduledAt).toISOString()}`
  return secret === undefined ? sha256Hex(slot) : hmacSha256Hex(secret, slot)
}

/**
 * A chat message id derived from the client's own message id, so a resent message is stored once.
 *
 * @internal
 */
export function messageIdForClientId(roomId: string, clientMessageId: string): string {
  return `c${sha256Hex(`booking-guard/message/${roomId}/${clientMessageId}`).slice(0, 31)}`
}

const HEX = '0123456789abcdef'
/** Each hex digit's character code. */
const HEX_CODES: readonly number[] = Array.from(HEX, (digit) => digit.charCodeAt(0))

// Random bytes are drawn 4 KiB at a time: one `getRandomValues` call per booking costs more than
// the id itself.
const POOL_SIZE = 4096
const pool = new Uint8Array(POOL_SIZE)
let poolOffset = POOL_SIZE

/** Offset in `pool` of 16 fresh random bytes. */
function take16(): number {
  if (poolOffset + 16 > POOL_SIZE) {
    const crypto = (globalThis as { crypto?: { getRandomValues?(array: Uint8Array): Uint8Array } })
      .crypto
    if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(pool)
    else for (let i = 0; i < POOL_SIZE; i++) pool[i] = Math.floor(Math.random() * 256)
    poolOffset = 0
  }
  const offset = poolOffset
  poolOffset += 16
  return offset
}

/** The character codes of a one-letter-prefix id, reused by every {@link randomId} call. */
const ID_CODES: number[] = new Array<number>(32).fill(0)

/**
 * A random id: a one-letter prefix and 31 hex characters from `crypto.getRandomValues` when the
 * platform has it (else `Math.random`).
 *
 * Built from character codes in one go: V8 keeps a string concatenated piece by piece as a tree
 * of its pieces, and flattening this one later (the first time anything hashes or reads it)
 * cost more than making it (about 0.6 µs a booking, measured on Node 20).
 *
 * @internal
 */
export function randomId(prefix: string): string {
  const offset = take16()
  const start = prefix.length
  const codes = start === 1 ? ID_CODES : new Array<number>(start + 31)
  for (let i = 0; i < start; i++) codes[i] = prefix.charCodeAt(i)
  for (let i = 0; i < 15; i++) {
    const byte = pool[offset + i]!
    codes[start + 2 * i] = HEX_CODES[byte >> 4]!
    codes[start + 2 * i + 1] = HEX_CODES[byte & 15]!
  }
  codes[start + 30] = HEX_CODES[pool[offset + 15]! >> 4]!
  return String.fromCharCode.apply(null, codes)
}

/**
 * Checks an app-supplied booking id: Appwrite's id rule and at most
 * {@link BOOKING_ID_MAX_LENGTH} characters, so derived child ids fit.
 *
 * @internal
 */
export function assertBookingId(id: unknown, where: string): asserts id is string {
  if (
    typeof id !== 'string' ||
    id.length > BOOKING_ID_MAX_LENGTH ||
    !APPWRITE_ID_PATTERN.test(id)
  ) {
    throw new BookingGuardError(
      'CONFIGURATION',
      `${where}: booking id \`${String(id)}\` is invalid: use 1–${BOOKING_ID_MAX_LENGTH} characters of A-Z a-z 0-9 . _ - (not starting with . _ -) so derived ids stay within Appwrite's 36`,
    )
  }
}
