/*
 * SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), synchronous and dependency-free, so the fake can
 * sign and check JWTs and session secrets in a browser bundle as in Node. Only tokens go through
 * it: passwords use a slow KDF (see passwords.ts).
 *
 * The digest is core's (`packages/core/src/pipeline/sha256.ts`, a leaf module that imports
 * nothing), built into this package's bundle: @booking-guard/testing takes no dependency on
 * @booking-guard/core (core's own tests use the fake, so that would make the packages a cycle).
 */
import {
  bytesOf,
  hmacSha256 as hmacSha256Words,
  sha256 as sha256Words,
} from '../../../core/src/pipeline/sha256'

/** The SHA-256 digest of `data` (32 bytes). @internal */
export function sha256(data: Uint8Array): Uint8Array {
  return bytesOf(sha256Words(data))
}

/** HMAC-SHA256 of `message` under `key`. @internal */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return bytesOf(hmacSha256Words(key, message))
}

const encoder = new TextEncoder()

/** UTF-8 bytes of a string. @internal */
export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/** Lower-case hex of bytes. @internal */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Unpadded base64url of bytes, as JWTs carry them. @internal */
export function toBase64Url(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63]!
    if (i + 2 < bytes.length) out += B64URL[n & 63]!
  }
  return out
}

/** Bytes of base64 or base64url text; `undefined` when it is neither. @internal */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  const bytes: number[] = []
  let buffer = 0
  let bits = 0
  for (const char of clean) {
    const value = B64URL.indexOf(char)
    if (value === -1) return undefined
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >> bits) & 0xff)
    }
  }
  return Uint8Array.from(bytes)
}

/** Standard padded base64 of a UTF-8 string, as PHP's `base64_encode`. @internal */
export function toBase64(text: string): string {
  const url = toBase64Url(utf8(text)).replace(/-/g, '+').replace(/_/g, '/')
  return url + '='.repeat((4 - (url.length % 4)) % 4)
}

/** `n` random bytes from the platform's CSPRNG (`crypto.getRandomValues`). @internal */
export function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n)
  globalThis.crypto.getRandomValues(bytes)
  return bytes
}

/** Compares two strings in time independent of where they differ. @internal */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
