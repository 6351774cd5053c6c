import { constantTimeEqual, fromBase64, randomBytes, toBase64Url, utf8 } from './sha256'

/*
 * Password hashing for the fake's users. The server hashes with argon2; the fake uses scrypt from
 * `node:crypto` when it runs on Node (reached through `process.getBuiltinModule`, so browser
 * bundles never see a `node:` import), and PBKDF2-SHA256 from Web Crypto elsewhere. Both are
 * salted per password; the stored string names its algorithm and parameters, so either side
 * verifies the other's hashes. Plain passwords are never stored or logged.
 */

interface NodeCrypto {
  scrypt(
    password: Uint8Array,
    salt: Uint8Array,
    keylen: number,
    options: { N: number; r: number; p: number },
    callback: (error: Error | null, key: Uint8Array) => void,
  ): void
}

const SCRYPT = { N: 16_384, r: 8, p: 1 }
const PBKDF2_ITERATIONS = 210_000
const KEY_LENGTH = 32

function nodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
  return crypto !== undefined && typeof crypto.scrypt === 'function' ? crypto : undefined
}

function scrypt(
  crypto: NodeCrypto,
  password: string,
  salt: Uint8Array,
  params: { N: number; r: number; p: number },
): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(utf8(password), salt, KEY_LENGTH, params, (error, key) =>
      error ? reject(error) : resolve(new Uint8Array(key)),
    ),
  )
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle
  // Copies over a plain ArrayBuffer, which Web Crypto's `BufferSource` asks for.
  const raw = new Uint8Array(utf8(password))
  const key = await subtle.importKey('raw', raw, 'PBKDF2', false, ['deriveBits'])
  const bits = await subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    key,
    KEY_LENGTH * 8,
  )
  return new Uint8Array(bits)
}

/**
 * A salted hash of `password`: `scrypt$N$r$p$salt$key` on Node, `pbkdf2-sha256$iterations$salt$key`
 * elsewhere (base64url parts).
 *
 * @internal
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const crypto = nodeCrypto()
  if (crypto !== undefined) {
    const key = await scrypt(crypto, password, salt, SCRYPT)
    return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${toBase64Url(salt)}$${toBase64Url(key)}`
  }
  const key = await pbkdf2(password, salt, PBKDF2_ITERATIONS)
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(key)}`
}

/** Whether `password` matches a hash made by {@link hashPassword}. @internal */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$')
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const crypto = nodeCrypto()
    const salt = fromBase64(parts[4] as string)
    if (crypto === undefined || salt === undefined)
      throw new Error('cannot verify an scrypt password hash without node:crypto')
    const params = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) }
    const key = await scrypt(crypto, password, salt, params)
    return constantTimeEqual(toBase64Url(key), parts[5] as string)
  }
  if (parts[0] === 'pbkdf2-sha256' && parts.length === 4) {
    const salt = fromBase64(parts[2] as string)
    if (salt === undefined) return false
    const key = await pbkdf2(password, salt, Number(parts[1]))
    return constantTimeEqual(toBase64Url(key), parts[3] as string)
  }
  throw new Error(`unknown password hash format \`${parts[0] ?? ''}\``)
}
