import { argon2 } from './argon2'
import { bcrypt, isBcryptHash } from './bcrypt'
import { appwriteError } from './errors'
import { constantTimeEqual, fromBase64, utf8 } from './sha256'

/*
 * Password hashes made elsewhere, imported with `POST /v1/users/{bcrypt|argon2|md5|sha|phpass|
 * scrypt|scrypt-modified}` (a migration from Firebase, WordPress, Auth0, …), and their check at
 * sign-in, the way utopia-php/auth's `Hashes\*` verify them. bcrypt and argon2 run in this
 * package (argon2 through Node's `crypto.argon2` where it exists, from Node 24.7); the others need
 * `node:crypto`. What cannot be verified is refused with a 405 that says why, never answered as a
 * wrong password.
 */

/** The `hash` names the server stores (`Proofs\Password` constants). @internal */
export type ImportedHashType =
  'argon2' | 'bcrypt' | 'md5' | 'sha' | 'phpass' | 'scrypt' | 'scryptMod'

/** A password hash as the server stores it: the hash text, its algorithm and options. @internal */
export interface ImportedHash {
  readonly type: ImportedHashType
  readonly hash: string
  readonly options: Record<string, unknown>
}

/** The `passwordVersion` values `POST /v1/users/sha` takes (its `WhiteList`). */
export const SHA_VERSIONS = [
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512/224',
  'sha512/256',
  'sha512',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
] as const

interface NodeCryptoForHashes {
  createHash(algorithm: string): {
    update(data: Uint8Array): { digest(encoding: 'hex' | 'base64'): string; digest(): Uint8Array }
  }
  scrypt(
    password: Uint8Array,
    salt: Uint8Array,
    keylen: number,
    options: { N: number; r: number; p: number; maxmem: number },
    callback: (error: Error | null, key: Uint8Array) => void,
  ): void
  createCipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
  ): { update(data: Uint8Array): Uint8Array; final(): Uint8Array }
  argon2?: (
    algorithm: string,
    parameters: {
      message: Uint8Array
      nonce: Uint8Array
      parallelism: number
      tagLength: number
      memory: number
      passes: number
    },
    callback: (error: Error | null, key: Uint8Array) => void,
  ) => void
}

function nodeCrypto(type: ImportedHashType): NodeCryptoForHashes {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoForHashes | undefined
  if (crypto === undefined || typeof crypto.createHash !== 'function')
    throw cannotVerify(type, 'it needs `node:crypto`, which this runtime does not have')
  return crypto
}

function cannotVerify(type: ImportedHashType, why: string): Error {
  return appwriteError(
    'general_not_implemented',
    `The emulator cannot verify this user's ${type} password hash: ${why}. Sign the user in another way (users.createSession, a token), or import it with a hash kind the emulator verifies.`,
  )
}

function digest(crypto: NodeCryptoForHashes, algorithm: string, data: Uint8Array): Uint8Array {
  return crypto.createHash(algorithm).update(data).digest()
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)

function scrypt(
  crypto: NodeCryptoForHashes,
  password: Uint8Array,
  salt: Uint8Array,
  length: number,
  cost: { N: number; r: number; p: number },
): Promise<Uint8Array> {
  const maxmem = 256 * cost.N * cost.r + 64 * 1024 * 1024
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, length, { ...cost, maxmem }, (error, key) =>
      error ? reject(error) : resolve(new Uint8Array(key)),
    ),
  )
}

const PHPASS_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** phpass's own base64 (`encode64`), little-endian 6-bit groups. */
function phpassEncode(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  while (i < bytes.length) {
    let value = bytes[i++]!
    out += PHPASS_ALPHABET[value & 0x3f]
    if (i < bytes.length) value |= bytes[i]! << 8
    out += PHPASS_ALPHABET[(value >> 6) & 0x3f]
    if (i++ >= bytes.length) break
    if (i < bytes.length) value |= bytes[i]! << 16
    out += PHPASS_ALPHABET[(value >> 12) & 0x3f]
    if (i++ >= bytes.length) break
    out += PHPASS_ALPHABET[(value >> 18) & 0x3f]
  }
  return out
}

/** phpass's portable hash (`$P$` / `$H$`): iterated MD5 of salt and password. */
function phpassPortable(crypto: NodeCryptoForHashes, password: string, setting: string) {
  const countLog2 = PHPASS_ALPHABET.indexOf(setting[3] ?? '')
  const salt = setting.slice(4, 12)
  if (countLog2 < 7 || countLog2 > 30 || salt.length !== 8) return undefined
  const secret = utf8(password)
  const join = (a: Uint8Array, b: Uint8Array) => {
    const out = new Uint8Array(a.length + b.length)
    out.set(a)
    out.set(b, a.length)
    return out
  }
  let hash = digest(crypto, 'md5', join(latin1(salt), secret))
  for (let count = 2 ** countLog2; count > 0; count--)
    hash = digest(crypto, 'md5', join(hash, secret))
  return setting.slice(0, 12) + phpassEncode(hash)
}

const ARGON2 =
  /^\$(argon2(?:id|i|d))\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
/** The most memory an imported argon2 hash may ask for here: 1 GiB (in KiB). */
const ARGON2_MAX_MEMORY_KIB = 1_048_576

async function argon2Matches(password: string, hash: string): Promise<boolean> {
  const match = ARGON2.exec(hash)
  if (match === null) return false
  const [, type, version = '16', memory, passes, parallelism, salt, key] = match
  const expected = fromBase64(key!)
  const nonce = fromBase64(salt!)
  if (expected === undefined || nonce === undefined) return false
  if (version !== '19')
    throw cannotVerify(
      'argon2',
      `it is argon2 version ${version}; the emulator verifies version 19 (0x13), which PHP and every current library write`,
    )
  if (Number(memory) > ARGON2_MAX_MEMORY_KIB)
    throw cannotVerify('argon2', `it asks for ${memory} KiB of memory, more than the 1 GiB allowed`)
  const params = {
    message: utf8(password),
    nonce,
    parallelism: Number(parallelism),
    tagLength: expected.length,
    memory: Number(memory),
    passes: Number(passes),
  }
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const native = (proc?.getBuiltinModule?.('node:crypto') as NodeCryptoForHashes | undefined)
    ?.argon2
  const inHouse = () =>
    argon2({
      type: type as 'argon2d' | 'argon2i' | 'argon2id',
      version: 0x13,
      password: params.message,
      salt: nonce,
      memory: params.memory,
      passes: params.passes,
      parallelism: params.parallelism,
      tagLength: params.tagLength,
    })
  // Node's own argon2 runs off the event loop, but a Node built against an OpenSSL without argon2
  // throws ERR_CRYPTO_ARGON2_NOT_SUPPORTED, and its checks are stricter than the algorithm's
  // (e.g. memory above 8 × parallelism): then the in-house one gives the same tag.
  const derived =
    native === undefined
      ? inHouse()
      : await new Promise<Uint8Array>((resolve, reject) => {
          const fallBack = () => {
            try {
              resolve(inHouse())
            } catch (error) {
              reject(error as Error)
            }
          }
          try {
            native(type!, params, (error, out) =>
              error ? fallBack() : resolve(new Uint8Array(out)),
            )
          } catch {
            // Refused synchronously (unsupported build or parameters): computed here instead.
            fallBack()
          }
        })
  return constantTimeEqual(hex(derived), hex(expected))
}

/**
 * Whether `password` matches an imported hash, as the server's `Hash::verify` decides it. Throws
 * `general_not_implemented` (405) when this runtime cannot verify that kind of hash.
 *
 * @internal
 */
export async function verifyImportedPassword(
  password: string,
  imported: ImportedHash,
): Promise<boolean> {
  const { type, hash, options } = imported
  if (type === 'bcrypt') {
    if (!isBcryptHash(hash)) return false
    return constantTimeEqual(bcrypt(password, hash) ?? '', hash)
  }
  if (type === 'argon2') return argon2Matches(password, hash)
  const crypto = nodeCrypto(type)
  switch (type) {
    case 'md5':
      return constantTimeEqual(hex(digest(crypto, 'md5', utf8(password))), hash)
    case 'sha': {
      const version = typeof options.version === 'string' ? options.version : 'sha256'
      const algorithm = version.replace('/', '-')
      return constantTimeEqual(hex(digest(crypto, algorithm, utf8(password))), hash)
    }
    case 'phpass': {
      if (hash.startsWith('$P$') || hash.startsWith('$H$'))
        return constantTimeEqual(phpassPortable(crypto, password, hash) ?? '*', hash)
      // Not a portable hash: phpass hands it to `crypt`, which the emulator runs for bcrypt only.
      if (isBcryptHash(hash)) return constantTimeEqual(bcrypt(password, hash) ?? '', hash)
      throw cannotVerify(
        'phpass',
        'it is neither a portable `$P$`/`$H$` hash nor bcrypt, and the emulator runs no other `crypt` scheme',
      )
    }
    case 'scrypt': {
      const salt = typeof options.salt === 'string' ? options.salt : ''
      const key = await scrypt(crypto, utf8(password), utf8(salt), Number(options.length), {
        N: Number(options.costCpu),
        r: Number(options.costMemory),
        p: Number(options.costParallel),
      })
      return constantTimeEqual(hex(key), hash)
    }
    case 'scryptMod': {
      const salt = fromBase64(String(options.salt ?? ''))
      const separator = fromBase64(String(options.saltSeparator ?? ''))
      const signerKey = fromBase64(String(options.signerKey ?? ''))
      if (salt === undefined || separator === undefined || signerKey === undefined) return false
      const joined = new Uint8Array(salt.length + separator.length)
      joined.set(salt)
      joined.set(separator, salt.length)
      const derived = await scrypt(crypto, utf8(password), joined, 64, { N: 16_384, r: 8, p: 1 })
      const cipher = crypto.createCipheriv(
        'aes-256-ctr',
        derived.subarray(0, 32),
        new Uint8Array(16),
      )
      const head = cipher.update(signerKey)
      const tail = cipher.final()
      const out = new Uint8Array(head.length + tail.length)
      out.set(head)
      out.set(tail, head.length)
      return constantTimeEqual(toStandardBase64(out), hash)
    }
  }
}

function toStandardBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
