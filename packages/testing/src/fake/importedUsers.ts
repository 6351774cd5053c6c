import { check } from './accounts'
import type { AccountStore, StoredUser } from './accounts'
import { appwriteError } from './errors'
import { SHA_VERSIONS, verifyImportedPassword } from './importedHashes'
import type { ImportedHash, ImportedHashType } from './importedHashes'
import { hashPassword } from './passwords'
import type {
  CreateHashedUserParams,
  CreateScryptModifiedUserParams,
  CreateScryptUserParams,
  CreateSHAUserParams,
  FakeUserModel,
} from './users'

/*
 * Users whose password hash was made elsewhere (`users.createBcryptUser`, …: a migration from
 * Firebase, WordPress, Auth0, …) and the sign-in against such a hash. `FakeUsers` keeps the
 * methods; their bodies run here once `installAccountFeatures` added this to the fake (the
 * emulator always does), so the root entry carries no bcrypt, argon2 or BLAKE2b.
 */

/** utopia's `Integer` validator. */
function integer(param: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid integer`,
    )
  return value
}

/** A value the route's validator takes but the server's hasher then refuses (a 500 there). */
function hasherRefuses(param: string, why: string): Error {
  return appwriteError(
    'general_argument_invalid',
    `Invalid \`${param}\` param: ${why} (the server's hasher refuses it and answers 500).`,
  )
}

/** Each creator: the hash kind it stores, and the options it stores with it from its params. */
const CREATORS = {
  createBcryptUser: ['bcrypt', () => ({ type: 'bcrypt', cost: 8 })],
  createMD5User: ['md5', () => ({ type: 'md5' })],
  createArgon2User: [
    'argon2',
    () => ({ type: 'argon2', memory_cost: 65536, time_cost: 4, threads: 3 }),
  ],
  createSHAUser: [
    'sha',
    (params: CreateSHAUserParams) => {
      const version = params.passwordVersion ?? ''
      if (version !== '' && !(SHA_VERSIONS as readonly string[]).includes(version))
        throw appwriteError(
          'general_argument_invalid',
          `Invalid \`passwordVersion\` param: Value must be one of (${SHA_VERSIONS.join(', ')})`,
        )
      if (version.includes('/'))
        throw appwriteError(
          'general_argument_invalid',
          `Invalid \`passwordVersion\` param: the route lists \`${version}\` but the server's SHA hasher refuses it (the server answers 500); use sha512, sha384, sha256, … instead.`,
        )
      return { version: version === '' ? 'sha256' : version }
    },
  ],
  createPHPassUser: [
    'phpass',
    () => ({ type: 'phpass', iteration_count_log2: 8, portable_hashes: false }),
  ],
  createScryptUser: [
    'scrypt',
    (params: CreateScryptUserParams) => {
      for (const name of ['passwordSalt', 'passwordCpu', 'passwordMemory'] as const)
        check.required(name, params[name])
      for (const name of ['passwordParallel', 'passwordLength'] as const)
        check.required(name, params[name])
      const salt = check.text('passwordSalt', params.passwordSalt, 128)
      const cpu = integer('passwordCpu', params.passwordCpu)
      const memory = integer('passwordMemory', params.passwordMemory)
      const parallel = integer('passwordParallel', params.passwordParallel)
      const length = integer('passwordLength', params.passwordLength)
      // The server's hasher refuses these with an exception (a 500); the emulator says why.
      if (salt === '' || salt === '0') throw hasherRefuses('passwordSalt', 'Salt cannot be empty')
      if (cpu <= 1 || (cpu & (cpu - 1)) !== 0)
        throw hasherRefuses('passwordCpu', 'CPU cost must be > 1 and a power of 2')
      if (memory < 1) throw hasherRefuses('passwordMemory', 'Memory cost must be >= 1')
      if (parallel < 1) throw hasherRefuses('passwordParallel', 'Parallel cost must be >= 1')
      if (length < 16) throw hasherRefuses('passwordLength', 'Length must be >= 16 bytes')
      return {
        type: 'scrypt',
        costCpu: cpu,
        costMemory: memory,
        costParallel: parallel,
        length,
        salt,
      }
    },
  ],
  createScryptModifiedUser: [
    'scryptMod',
    (params: CreateScryptModifiedUserParams) => {
      const options: Record<string, unknown> = { type: 'scryptMod' }
      const names = [
        ['passwordSalt', 'salt', 'Salt'],
        ['passwordSaltSeparator', 'saltSeparator', 'Salt separator'],
        ['passwordSignerKey', 'signerKey', 'Signer key'],
      ] as const
      for (const [param, option, label] of names) {
        check.required(param, params[param])
        const value = check.text(param, params[param], 128)
        if (param !== 'passwordSaltSeparator' && (value === '' || value === '0'))
          throw hasherRefuses(param, `${label} cannot be empty`)
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value))
          throw hasherRefuses(param, `${label} must be base64 encoded`)
        options[option] = value
      }
      return options
    },
  ],
} satisfies Record<string, readonly [ImportedHashType, (params: never) => Record<string, unknown>]>

/** The name of a `users.create…User` method that stores an imported hash. @internal */
export type ImportedUserCreator = keyof typeof CREATORS

/** The imported password hashes of one fake's users. @internal */
export class ImportedPasswords {
  readonly #store: AccountStore

  constructor(store: AccountStore) {
    this.#store = store
  }

  /**
   * Stores a user whose password hash was made elsewhere: the hash is kept as given, with its
   * algorithm and options, and checked at sign-in as the server checks it (then re-hashed).
   */
  async create(
    creator: ImportedUserCreator,
    params: CreateHashedUserParams,
  ): Promise<FakeUserModel> {
    const [type, options] = CREATORS[creator]
    check.required('userId', params.userId)
    const userId = check.customId('userId', params.userId)
    check.required('email', params.email)
    const email = check.email(params.email)
    check.required('password', params.password)
    const hash = check.password(params.password)
    const name = params.name == null ? '' : check.text('name', params.name, 128)
    const imported: ImportedHash = {
      type,
      hash,
      options: (options as (params: CreateHashedUserParams) => Record<string, unknown>)(params),
    }
    const user = await this.#store.createUser({ userId, email, password: null, name, imported })
    return this.#store.userModel(user) as unknown as FakeUserModel
  }

  /**
   * Whether `password` matches the user's imported hash. A match replaces it by the fake's own
   * (without touching `passwordUpdate`), as the server re-hashes after a sign-in.
   */
  async check(user: StoredUser, password: string): Promise<boolean> {
    const imported = user.passwordHash
    const hash = user.password
    if (imported === undefined || hash === null) return false
    if (!(await verifyImportedPassword(password, { ...imported, hash }))) return false
    const rehashed = await hashPassword(password)
    // Another request may have changed the password while this one hashed.
    if (user.password === hash && user.passwordHash === imported) {
      user.password = rehashed
      delete user.passwordHash
      this.#store.noteChanged(user)
    }
    return true
  }
}
