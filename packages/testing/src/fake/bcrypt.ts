import { utf8 } from './sha256'

/*
 * bcrypt (Provos and Mazières' eksblowfish, as OpenBSD and PHP's `crypt` run it), to verify the
 * bcrypt hashes migrations import through `POST /v1/users/bcrypt` without a dependency.
 * Blowfish's initial P-array and S-boxes are the hexadecimal digits of π after the point; they are
 * computed here once (Machin's formula over BigInt) instead of being carried as a table.
 */

const ROUNDS_WORDS = 18 + 4 * 256
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** "OrpheanBeholderScryDoubt", the text bcrypt encrypts 64 times. */
const MAGIC = utf8('OrpheanBeholderScryDoubt')

let piWords: Uint32Array | undefined

/** The first `ROUNDS_WORDS` 32-bit words of π's fraction (P-array then the four S-boxes). */
function blowfishInit(): Uint32Array {
  if (piWords !== undefined) return piWords
  const bits = ROUNDS_WORDS * 32 + 64
  const one = 1n << BigInt(bits)
  const arctanInverse = (x: bigint): bigint => {
    const x2 = x * x
    let term = one / x
    let sum = term
    for (let n = 3n, sign = -1n; term !== 0n; n += 2n, sign = -sign) {
      term /= x2
      sum += (sign * term) / n
    }
    return sum
  }
  const fraction = 16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * one
  const words = new Uint32Array(ROUNDS_WORDS)
  for (let i = 0; i < ROUNDS_WORDS; i++)
    words[i] = Number((fraction >> BigInt(bits - 32 * (i + 1))) & 0xffffffffn)
  piWords = words
  return words
}

class Blowfish {
  readonly p: Uint32Array
  readonly s: Uint32Array

  constructor() {
    const init = blowfishInit()
    this.p = init.slice(0, 18)
    this.s = init.slice(18)
  }

  #f(x: number): number {
    const s = this.s
    return (
      (((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) +
        s[768 + (x & 0xff)]!) >>>
      0
    )
  }

  /** Encrypts the block `lr[at]`, `lr[at + 1]` in place. */
  encrypt(lr: Uint32Array, at: number): void {
    const p = this.p
    let l = lr[at]! ^ p[0]!
    let r = lr[at + 1]!
    for (let i = 1; i <= 16; i += 2) {
      r ^= this.#f(l) ^ p[i]!
      l ^= this.#f(r) ^ p[i + 1]!
    }
    lr[at] = (r ^ p[17]!) >>> 0
    lr[at + 1] = l >>> 0
  }

  /** Blowfish's key schedule, salted (`salt` undefined: the plain `expand0state`). */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    let keyAt = 0
    const nextKey = () => {
      let word = 0
      for (let i = 0; i < 4; i++) {
        word = (word << 8) | key[keyAt]!
        keyAt = (keyAt + 1) % key.length
      }
      return word >>> 0
    }
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ nextKey()) >>> 0
    let saltAt = 0
    const nextSalt = () => {
      if (salt === undefined) return 0
      let word = 0
      for (let i = 0; i < 4; i++) {
        word = (word << 8) | salt[saltAt]!
        saltAt = (saltAt + 1) % salt.length
      }
      return word >>> 0
    }
    const lr = new Uint32Array(2)
    const fill = (target: Uint32Array, length: number) => {
      for (let i = 0; i < length; i += 2) {
        lr[0] = (lr[0]! ^ nextSalt()) >>> 0
        lr[1] = (lr[1]! ^ nextSalt()) >>> 0
        this.encrypt(lr, 0)
        target[i] = lr[0]!
        target[i + 1] = lr[1]!
      }
    }
    fill(this.p, 18)
    fill(this.s, 1024)
  }
}

function encode(bytes: Uint8Array, length: number): string {
  let out = ''
  let i = 0
  while (i < length) {
    let c1 = bytes[i++]!
    out += BCRYPT_ALPHABET[c1 >> 2]
    c1 = (c1 & 0x03) << 4
    if (i >= length) {
      out += BCRYPT_ALPHABET[c1]
      break
    }
    let c2 = bytes[i++]!
    c1 |= c2 >> 4
    out += BCRYPT_ALPHABET[c1]
    c1 = (c2 & 0x0f) << 2
    if (i >= length) {
      out += BCRYPT_ALPHABET[c1]
      break
    }
    c2 = bytes[i++]!
    c1 |= c2 >> 6
    out += BCRYPT_ALPHABET[c1]! + BCRYPT_ALPHABET[c2 & 0x3f]!
  }
  return out
}

function decode(text: string, length: number): Uint8Array | undefined {
  const bytes = new Uint8Array(length)
  const digit = (i: number) => BCRYPT_ALPHABET.indexOf(text[i] ?? '')
  let at = 0
  let i = 0
  while (at < length) {
    const c1 = digit(i++)
    const c2 = digit(i++)
    if (c1 < 0 || c2 < 0) return undefined
    bytes[at++] = (c1 << 2) | ((c2 & 0x30) >> 4)
    if (at >= length) break
    const c3 = digit(i++)
    if (c3 < 0) return undefined
    bytes[at++] = ((c2 & 0x0f) << 4) | ((c3 & 0x3c) >> 2)
    if (at >= length) break
    const c4 = digit(i++)
    if (c4 < 0) return undefined
    bytes[at++] = ((c3 & 0x03) << 6) | c4
  }
  return bytes
}

const BCRYPT_HASH = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{53})$/

/** Whether `hash` is a bcrypt hash this module verifies (`$2a$`, `$2b$` or `$2y$`, cost 4–31). */
export function isBcryptHash(hash: string): boolean {
  const match = BCRYPT_HASH.exec(hash)
  return match !== null && Number(match[2]) >= 4 && Number(match[2]) <= 31
}

/**
 * The bcrypt hash of `password` with the version, cost and salt of `setting` (`$2y$10$` + 22 salt
 * characters, or a whole hash), as `crypt($password, $setting)` answers it; `undefined` when
 * `setting` is not a bcrypt setting. The password is used up to its 72nd byte, with its NUL.
 *
 * @internal
 */
export function bcrypt(password: string, setting: string): string | undefined {
  const match = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})/.exec(setting)
  if (match === null) return undefined
  const cost = Number(match[2])
  const salt = decode(match[3]!, 16)
  if (cost < 4 || cost > 31 || salt === undefined) return undefined
  const bytes = utf8(password)
  // The password and its NUL, cut at 72 bytes (the key schedule reads no more).
  const key = new Uint8Array(Math.min(bytes.length + 1, 72))
  key.set(bytes.subarray(0, Math.min(bytes.length, 72)))
  const state = new Blowfish()
  state.expand(key, salt)
  for (let round = 2 ** cost; round > 0; round--) {
    state.expand(key)
    state.expand(salt)
  }
  const text = new Uint32Array(6)
  for (let i = 0; i < 6; i++)
    text[i] =
      ((MAGIC[4 * i]! << 24) |
        (MAGIC[4 * i + 1]! << 16) |
        (MAGIC[4 * i + 2]! << 8) |
        MAGIC[4 * i + 3]!) >>>
      0
  for (let round = 0; round < 64; round++)
    for (let block = 0; block < 6; block += 2) state.encrypt(text, block)
  const out = new Uint8Array(24)
  for (let i = 0; i < 6; i++) {
    out[4 * i] = text[i]! >>> 24
    out[4 * i + 1] = (text[i]! >>> 16) & 0xff
    out[4 * i + 2] = (text[i]! >>> 8) & 0xff
    out[4 * i + 3] = text[i]! & 0xff
  }
  return `$2${match[1]}$${match[2]}$${encode(salt, 16)}${encode(out, 23)}`
}
