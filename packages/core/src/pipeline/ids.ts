import { BookingGuardError } from '../errors'
import { APPWRITE_ID_PATTERN } from '../schema/kinds'

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

// ------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), synchronous and dependency-free: ids must be derivable in any runtime
// (browsers, React Native, Node, Appwrite Functions) without `crypto.subtle`'s async API.
// ------------------------------------------------------------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const H = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const W = new Uint32Array(64)

const encoder = /* @__PURE__ */ (() =>
  typeof TextEncoder === 'function' ? new TextEncoder() : undefined)()

function utf8(text: string): Uint8Array {
  if (encoder !== undefined) return encoder.encode(text)
  const bytes: number[] = []
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63))
    else if (code < 0x10000) {
      bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
    } else {
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      )
    }
  }
  return Uint8Array.from(bytes)
}

/**
 * SHA-256 of a string's UTF-8 bytes, as 64 lowercase hex characters.
 *
 * @internal
 */
export function sha256Hex(text: string): string {
  return hex(sha256(utf8(text)))
}

/** The eight state words of SHA-256 over `message`. */
function sha256(message: Uint8Array): Uint32Array {
  const length = message.length
  const blocks = (length + 9 + 63) >> 6
  const words = new Uint32Array(blocks * 16)
  for (let i = 0; i < length; i++) words[i >> 2]! |= message[i]! << (24 - (i & 3) * 8)
  words[length >> 2]! |= 0x80 << (24 - (length & 3) * 8)
  words[blocks * 16 - 2] = Math.floor(length / 0x20000000)
  words[blocks * 16 - 1] = (length * 8) >>> 0
  const h = H.slice()
  for (let offset = 0; offset < words.length; offset += 16) {
    for (let i = 0; i < 16; i++) W[i] = words[offset + i]!
    for (let i = 16; i < 64; i++) {
      const a = W[i - 15]!
      const b = W[i - 2]!
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
    }
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let hh = h[7]!
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (hh + S1 + ch + K[i]! + W[i]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
    h[4] = (h[4]! + e) | 0
    h[5] = (h[5]! + f) | 0
    h[6] = (h[6]! + g) | 0
    h[7] = (h[7]! + hh) | 0
  }
  return h
}

function hex(words: Uint32Array): string {
  let out = ''
  for (let i = 0; i < 8; i++) out += (words[i]! >>> 0).toString(16).padStart(8, '0')
  return out
}

function bytesOf(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = (words[i >> 2]! >>> (24 - (i & 3) * 8)) & 0xff
  return bytes
}

/**
 * HMAC-SHA256 (RFC 2104) of `message` under `key`, both as UTF-8, as 64 lowercase hex characters.
 *
 * @internal
 */
export function hmacSha256Hex(key: string, message: string): string {
  let keyBytes = utf8(key)
  if (keyBytes.length > 64) keyBytes = bytesOf(sha256(keyBytes))
  const text = utf8(message)
  const inner = new Uint8Array(64 + text.length)
  const outer = new Uint8Array(64 + 32)
  for (let i = 0; i < 64; i++) {
    const byte = keyBytes[i] ?? 0
    inner[i] = byte ^ 0x36
    outer[i] = byte ^ 0x5c
  }
  inner.set(text, 64)
  outer.set(bytesOf(sha256(inner)), 64)
  return hex(sha256(outer))
}

/**
 * The booking id for an idempotency key: `k` + 31 hex characters of SHA-256(`namespace` + key),
 * so every process maps one key to one row id and a retry can never create a second booking.
 *
 * @internal
 */
export function bookingIdForKey(idempotencyKey: string, namespace = ''): string {
  return `k${sha256Hex(`booking-guard/idempotency/${namespace}/${idempotencyKey}`).slice(0, 31)}`
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
