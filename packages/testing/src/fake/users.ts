import { JWT_DEFAULT_DURATION_S, check } from './accounts'
import type { AccountStore, StoredUser } from './accounts'
import type { FakeAccountModel, FakeSessionList, FakeSessionModel, FakeTokenModel } from './account'
import { appwriteError } from './errors'
import { runGated } from './faults'
import { isValidId, UID_DESCRIPTION } from './ids'
import type { ImportedUserCreator } from './importedUsers'
import type { FaultGate } from './types'

/** A user as the Users API returns it: the account plus `password` (the hash), `hash`, `hashOptions`. */
export interface FakeUserModel extends FakeAccountModel {
  password: string
  hash: string
  hashOptions: Record<string, unknown>
}

/** `{ total, users }`. */
export interface FakeUserList {
  total: number
  users: FakeUserModel[]
}

/** `users.create(...)` parameters. */
export interface CreateUserParams {
  /** `'unique()'` or a custom id. */
  userId: string
  /** Defaults to none. */
  email?: string
  /** E.164 (`+14155550123`). Defaults to none. */
  phone?: string
  /** 8–256 bytes. Defaults to none (the user cannot sign in with a password). */
  password?: string
  /** At most 128 chars. Defaults to `''`. */
  name?: string
}

/** The parameters every hashed-password creator takes (`users.createBcryptUser(...)`, …). */
export interface CreateHashedUserParams {
  /** `'unique()'` or a custom id. */
  userId: string
  /** Required. */
  email: string
  /** The hash, as the other system stored it (8–256 chars). */
  password: string
  /** At most 128 chars. Defaults to `''`. */
  name?: string
}

/** `users.createSHAUser(...)` parameters. */
export interface CreateSHAUserParams extends CreateHashedUserParams {
  /** `sha1`, `sha224`, `sha256`, `sha384`, `sha512`, `sha3-224`, … Defaults to `sha256`. */
  passwordVersion?: string
}

/** `users.createScryptUser(...)` parameters: the hash is the hex scrypt key. */
export interface CreateScryptUserParams extends CreateHashedUserParams {
  /** The salt, as text. */
  passwordSalt: string
  /** N, a power of 2. */
  passwordCpu: number
  /** r. */
  passwordMemory: number
  /** p. */
  passwordParallel: number
  /** The key's length in bytes, at least 16. */
  passwordLength: number
}

/** `users.createScryptModifiedUser(...)` parameters (Firebase's modified scrypt), all base64. */
export interface CreateScryptModifiedUserParams extends CreateHashedUserParams {
  passwordSalt: string
  passwordSaltSeparator: string
  passwordSignerKey: string
}

/** `{ total, logs }`: the emulator keeps no audit log, so always empty. */
export interface FakeLogList {
  total: number
  logs: Record<string, unknown>[]
}

/** `{ total, identities }`: the emulator serves no OAuth2, so always empty. */
export interface FakeIdentityList {
  total: number
  identities: Record<string, unknown>[]
}

/**
 * The `Users` service as an API key sees it, shaped like node-appwrite's `Users` with object
 * parameters: create, get, list, delete, update name/email/password/status/prefs/labels/
 * verification, and sessions or JWTs for a user (how server-side rendering signs users in).
 * Faults apply with `api: 'users'`.
 *
 * @example
 * ```ts
 * const fake = createFakeAppwrite()
 * const user = await fake.users.create({ userId: 'u1', email: 'ada@example.com', password: 'correct horse' })
 * const { secret } = await fake.users.createSession({ userId: user.$id }) // for client.setSession(secret)
 * const { jwt } = await fake.users.createJWT({ userId: user.$id })
 * ```
 */
export class FakeUsers {
  readonly #store: AccountStore
  readonly #faults: FaultGate

  /** @internal */
  constructor(store: AccountStore, faults: FaultGate) {
    this.#store = store
    this.#faults = faults
  }

  #run<T>(operation: string, params: object, run: () => T | Promise<T>): Promise<T> {
    const call = this.#faults.idle
      ? undefined
      : { api: 'users' as const, operation, params: params as Record<string, unknown> }
    // `then` flattens a promised result into the call's own promise.
    return runGated(this.#faults, call, run).then((value) => value)
  }

  #user(userId: unknown): StoredUser {
    check.required('userId', userId)
    if (!isValidId(userId))
      throw appwriteError(
        'general_argument_invalid',
        `Invalid \`userId\` param: ${UID_DESCRIPTION}`,
      )
    const user = this.#store.user(userId)
    if (user === undefined) throw appwriteError('user_not_found')
    return user
  }

  #model(user: StoredUser): FakeUserModel {
    return this.#store.userModel(user) as unknown as FakeUserModel
  }

  #update(user: StoredUser, suffix: string): FakeUserModel {
    this.#store.touch(user)
    this.#store.emit(user, suffix)
    return this.#model(user)
  }

  /** `POST /v1/users` (201). `user_already_exists` for a taken id, email or phone. */
  create(params: CreateUserParams): Promise<FakeUserModel> {
    return this.#run('create', params, async () => {
      check.required('userId', params.userId)
      const userId = check.customId('userId', params.userId)
      const email = params.email == null ? null : check.email(params.email)
      const phone = params.phone == null ? null : check.phone(params.phone)
      const password =
        params.password == null || params.password === '' ? null : check.password(params.password)
      const name = params.name == null ? '' : check.text('name', params.name, 128)
      return this.#model(await this.#store.createUser({ userId, email, phone, password, name }))
    })
  }

  /**
   * Stores a user whose password hash was made elsewhere (the imported-hash features of
   * `installAccountFeatures`): the hash is kept as given, with its algorithm and options, and
   * checked at sign-in as the server checks it (then re-hashed).
   */
  #createHashed(
    creator: ImportedUserCreator,
    params: CreateHashedUserParams,
  ): Promise<FakeUserModel> {
    return this.#run(creator, params, () =>
      this.#store.feature(`users.${creator}()`).passwords.create(creator, params),
    )
  }

  /**
   * `POST /v1/users/bcrypt` (201): `password` is a bcrypt hash (`$2a$`, `$2b$`, `$2y$`). Needs
   * `installAccountFeatures(fake)`, as every imported-hash creator does.
   */
  createBcryptUser(params: CreateHashedUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createBcryptUser', params)
  }

  /** `POST /v1/users/md5` (201): `password` is the hex MD5 of the password. */
  createMD5User(params: CreateHashedUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createMD5User', params)
  }

  /**
   * `POST /v1/users/argon2` (201): `password` is an encoded argon2 hash (`$argon2id$v=19$m=…`,
   * argon2i and argon2d too). A sign-in verifies version 19 hashes of up to 1 GiB; others answer
   * 405 `general_not_implemented` saying why.
   */
  createArgon2User(params: CreateHashedUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createArgon2User', params)
  }

  /**
   * `POST /v1/users/sha` (201): `password` is the hex SHA digest of the password;
   * `passwordVersion` one of `sha1`, `sha224`, `sha256` (the default), `sha384`, `sha512`,
   * `sha3-224`, `sha3-256`, `sha3-384`, `sha3-512`.
   */
  createSHAUser(params: CreateSHAUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createSHAUser', params)
  }

  /** `POST /v1/users/phpass` (201): `password` is a phpass hash (`$P$…`, `$H$…`, or bcrypt). */
  createPHPassUser(params: CreateHashedUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createPHPassUser', params)
  }

  /**
   * `POST /v1/users/scrypt` (201): `password` is the hex scrypt key of the password with
   * `passwordSalt` (text, as is), `passwordCpu` (N, a power of 2), `passwordMemory` (r),
   * `passwordParallel` (p) and `passwordLength` (key bytes, at least 16).
   */
  createScryptUser(params: CreateScryptUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createScryptUser', params)
  }

  /**
   * `POST /v1/users/scrypt-modified` (201): Firebase's modified scrypt; `password`,
   * `passwordSalt`, `passwordSaltSeparator` and `passwordSignerKey` in base64, as Firebase's
   * export and its project settings give them.
   */
  createScryptModifiedUser(params: CreateScryptModifiedUserParams): Promise<FakeUserModel> {
    return this.#createHashed('createScryptModifiedUser', params)
  }

  /** `GET /v1/users/{userId}`; `user_not_found` when unknown. */
  get(params: { userId: string }): Promise<FakeUserModel> {
    return this.#run('get', params, () => this.#model(this.#user(params.userId)))
  }

  /**
   * `GET /v1/users`: the first 25 users, oldest first, and `total`. `queries` and `search` need
   * `installAccountFeatures(fake)`: `queries` (JSON strings: filters such as `equal`, `notEqual`,
   * `lessThan`, `between`, `startsWith`, `contains`, `isNull`; `orderAsc`/`orderDesc`; `limit`,
   * `offset`, `cursorAfter`/`cursorBefore`) on `name`, `email`, `phone`, `status`,
   * `passwordUpdate`, `registration`, `emailVerification`, `phoneVerification`, `labels`, `$id`,
   * `$createdAt`, `$updatedAt`; `search` finds users whose id, email, phone or name has words
   * starting with every word searched. `total: false` answers `total: 0`.
   */
  list(
    params: { queries?: string[]; search?: string; total?: boolean } = {},
  ): Promise<FakeUserList> {
    return this.#run('list', params, () => {
      if (queried(params))
        return this.#store.feature('users.list() with queries or search').lists.users(params)
      const users = this.#store.users()
      return {
        total: params.total === false ? 0 : users.length,
        users: users.slice(0, 25).map((user) => this.#model(user)),
      }
    })
  }

  /** `DELETE /v1/users/{userId}` (204): the user and its sessions. */
  delete(params: { userId: string }): Promise<Record<string, never>> {
    return this.#run('delete', params, () => {
      this.#store.deleteUser(this.#user(params.userId).$id)
      return {}
    })
  }

  /** `PATCH /v1/users/{userId}/name`. */
  updateName(params: { userId: string; name: string }): Promise<FakeUserModel> {
    return this.#run('updateName', params, () => {
      const user = this.#user(params.userId)
      check.required('name', params.name)
      user.name = check.text('name', params.name, 128)
      return this.#update(user, 'update.name')
    })
  }

  /** `PATCH /v1/users/{userId}/email`; `user_email_already_exists` when another user has it. */
  updateEmail(params: { userId: string; email: string }): Promise<FakeUserModel> {
    return this.#run('updateEmail', params, () => {
      const user = this.#user(params.userId)
      // `''` removes the email, as the server's validator allows it empty.
      if (params.email === '') {
        user.email = null
        return this.#update(user, 'update.email')
      }
      check.required('email', params.email)
      const email = check.email(params.email)
      const taken = this.#store.byEmail(email)
      if (taken !== undefined && taken !== user) throw appwriteError('user_email_already_exists')
      user.email = email
      // A new address is not verified yet, as on the server.
      user.emailVerification = false
      return this.#update(user, 'update.email')
    })
  }

  /** `PATCH /v1/users/{userId}/password`. */
  updatePassword(params: { userId: string; password: string }): Promise<FakeUserModel> {
    return this.#run('updatePassword', params, async () => {
      const user = this.#user(params.userId)
      // `''` removes the password (the user can no longer sign in with one), as on the server.
      if (params.password === '') {
        delete user.passwordHash
        user.password = null
        user.passwordUpdate = this.#store.touch(user)
        return this.#update(user, 'update.password')
      }
      check.required('password', params.password)
      await this.#store.setPassword(user, check.password(params.password))
      return this.#update(user, 'update.password')
    })
  }

  /** `PATCH /v1/users/{userId}/status`: `false` blocks the user (its sessions stop working). */
  updateStatus(params: { userId: string; status: boolean }): Promise<FakeUserModel> {
    return this.#run('updateStatus', params, () => {
      const user = this.#user(params.userId)
      if (typeof params.status !== 'boolean')
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `status` param: Value must be a valid boolean',
        )
      user.status = params.status
      return this.#update(user, 'update.status')
    })
  }

  /**
   * `PATCH /v1/users/{userId}/phone` (`number`, E.164): sets the phone, unverified; `''` removes
   * it. A number any user already has (this one included) is 409 `user_target_already_exists`, as
   * the server finds its SMS target first.
   */
  updatePhone(params: { userId: string; number: string }): Promise<FakeUserModel> {
    return this.#run('updatePhone', params, () => {
      const user = this.#user(params.userId)
      check.required('number', params.number)
      const number = params.number === '' ? null : check.phone(params.number, 'number')
      if (number !== null && this.#store.users().some((other) => other.phone === number))
        throw appwriteError('user_target_already_exists')
      user.phone = number
      user.phoneVerification = false
      return this.#update(user, 'update.phone')
    })
  }

  /** `PATCH /v1/users/{userId}/verification/phone`. */
  updatePhoneVerification(params: {
    userId: string
    phoneVerification: boolean
  }): Promise<FakeUserModel> {
    return this.#run('updatePhoneVerification', params, () => {
      const user = this.#user(params.userId)
      user.phoneVerification = boolean('phoneVerification', params.phoneVerification)
      return this.#update(user, 'update.verification')
    })
  }

  /**
   * `PATCH /v1/users/{userId}/mfa`: sets the user's `mfa` flag. The emulator serves no MFA
   * factor, so the flag changes what the model says and nothing else.
   */
  updateMfa(params: { userId: string; mfa: boolean }): Promise<FakeUserModel> {
    return this.#run('updateMfa', params, () => {
      const user = this.#user(params.userId)
      user.mfa = boolean('mfa', params.mfa)
      return this.#update(user, 'update.mfa')
    })
  }

  /** node-appwrite's newer name of {@link FakeUsers.updateMfa}. */
  updateMFA(params: { userId: string; mfa: boolean }): Promise<FakeUserModel> {
    return this.updateMfa(params)
  }

  /**
   * `GET /v1/users/{userId}/logs`: `{ total: 0, logs: [] }`, as a server without audit logs
   * answers; `queries` may hold only `limit` and `offset`.
   */
  listLogs(params: { userId: string; queries?: string[]; total?: boolean }): Promise<FakeLogList> {
    return this.#run('listLogs', params, () => {
      this.#user(params.userId)
      if (queried(params)) this.#store.feature('users.listLogs() with queries').lists.logs(params)
      return { total: 0, logs: [] }
    })
  }

  /**
   * `GET /v1/users/identities`: `{ total: 0, identities: [] }`: identities come from OAuth2
   * sign-ins, which the emulator does not serve. Queries are checked as the server checks them.
   */
  listIdentities(
    params: { queries?: string[]; search?: string; total?: boolean } = {},
  ): Promise<FakeIdentityList> {
    return this.#run('listIdentities', params, () => {
      if (queried(params))
        this.#store
          .feature('users.listIdentities() with queries or search')
          .lists.identities(params)
      return { total: 0, identities: [] }
    })
  }

  /** `DELETE /v1/users/identities/{identityId}`: always 404 `user_identity_not_found` (none exist). */
  deleteIdentity(params: { identityId: string }): Promise<Record<string, never>> {
    return this.#run('deleteIdentity', params, () => {
      check.required('identityId', params.identityId)
      if (!isValidId(params.identityId))
        throw appwriteError(
          'general_argument_invalid',
          `Invalid \`identityId\` param: ${UID_DESCRIPTION}`,
        )
      throw appwriteError('user_identity_not_found')
    })
  }

  /** `PATCH /v1/users/{userId}/verification`. */
  updateEmailVerification(params: {
    userId: string
    emailVerification: boolean
  }): Promise<FakeUserModel> {
    return this.#run('updateEmailVerification', params, () => {
      const user = this.#user(params.userId)
      user.emailVerification = params.emailVerification === true
      return this.#update(user, 'update.verification')
    })
  }

  /** `PUT /v1/users/{userId}/labels`: each label adds the role `label:NAME`. */
  updateLabels(params: { userId: string; labels: string[] }): Promise<FakeUserModel> {
    return this.#run('updateLabels', params, () => {
      const user = this.#user(params.userId)
      if (
        !Array.isArray(params.labels) ||
        params.labels.some((l) => typeof l !== 'string' || !/^[A-Za-z0-9]{1,36}$/.test(l))
      )
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `labels` param: Value must a valid array no longer than 1000 items and Value must be a valid string and at least 1 chars and no longer than 36 chars',
        )
      user.labels = [...new Set(params.labels)]
      return this.#update(user, 'update.labels')
    })
  }

  /** `GET /v1/users/{userId}/prefs`. */
  getPrefs(params: { userId: string }): Promise<Record<string, unknown>> {
    return this.#run('getPrefs', params, () => ({ ...this.#user(params.userId).prefs }))
  }

  /** `PATCH /v1/users/{userId}/prefs`: replaces the prefs; answers them. */
  updatePrefs(params: {
    userId: string
    prefs: Record<string, unknown>
  }): Promise<Record<string, unknown>> {
    return this.#run('updatePrefs', params, () => {
      const user = this.#user(params.userId)
      if (params.prefs === null || typeof params.prefs !== 'object' || Array.isArray(params.prefs))
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `prefs` param: Value must be a valid object.',
        )
      user.prefs = structuredClone(params.prefs)
      this.#update(user, 'update.prefs')
      return { ...user.prefs }
    })
  }

  /** `GET /v1/users/{userId}/sessions`. */
  listSessions(params: { userId: string }): Promise<FakeSessionList> {
    return this.#run('listSessions', params, () => {
      const user = this.#user(params.userId)
      const sessions = this.#store
        .sessionsOf(user.$id)
        .map((s) => this.#store.sessionModel(s, false, false) as unknown as FakeSessionModel)
      return { total: sessions.length, sessions }
    })
  }

  /**
   * `POST /v1/users/{userId}/sessions` (201): a `server` session whose `secret` is the session
   * value, for `client.setSession(secret)` or the `a_session_<project>` cookie.
   */
  createSession(params: { userId: string }): Promise<FakeSessionModel> {
    return this.#run('createSession', params, () => {
      const user = this.#user(params.userId)
      const { session, value } = this.#store.createSession(user, 'server')
      return this.#store.sessionModel(session, false, value) as unknown as FakeSessionModel
    })
  }

  /** `DELETE /v1/users/{userId}/sessions/{sessionId}`. */
  deleteSession(params: { userId: string; sessionId: string }): Promise<Record<string, never>> {
    return this.#run('deleteSession', params, () => {
      const user = this.#user(params.userId)
      const session = this.#store.session(params.sessionId)
      if (session === undefined || session.userId !== user.$id)
        throw appwriteError('user_session_not_found')
      this.#store.deleteSession(session.$id)
      return {}
    })
  }

  /**
   * `POST /v1/users/{userId}/tokens` (201): a token for a custom sign-in flow, its `secret`
   * (`length` hex chars, 4–128, default 6) valid `expire` seconds (60 to a year, default 900),
   * for the client's `account.createSession({ userId, secret })`. Nothing is emailed.
   */
  createToken(params: {
    userId: string
    length?: number
    expire?: number
  }): Promise<FakeTokenModel> {
    return this.#run('createToken', params, () => {
      const user = this.#user(params.userId)
      return this.#store.feature('users.createToken()').emails.createUserToken(user, params)
    })
  }

  /** `DELETE /v1/users/{userId}/sessions`. */
  deleteSessions(params: { userId: string }): Promise<Record<string, never>> {
    return this.#run('deleteSessions', params, () => {
      const user = this.#user(params.userId)
      for (const session of this.#store.sessionsOf(user.$id)) this.#store.deleteSession(session.$id)
      return {}
    })
  }

  /**
   * `POST /v1/users/{userId}/jwts` (201): a JWT for the user, valid `duration` seconds (0–3600,
   * default 900). `sessionId` ties it to one of the user's sessions (`recent`: the newest), so
   * it stops working with that session. Any other value (none, `current`, an unknown id) gives
   * a JWT tied to no session, which works even when the user has none, as on the server.
   */
  createJWT(params: {
    userId: string
    sessionId?: string
    duration?: number
  }): Promise<{ jwt: string }> {
    return this.#run('createJWT', params, () => {
      const user = this.#user(params.userId)
      const duration = params.duration ?? JWT_DEFAULT_DURATION_S
      if (!Number.isInteger(duration) || duration < 0 || duration > 3600)
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `duration` param: Value must be a valid range between 0 and 3,600',
        )
      const wanted = params.sessionId ?? ''
      if (wanted !== '' && !isValidId(wanted))
        throw appwriteError(
          'general_argument_invalid',
          `Invalid \`sessionId\` param: ${UID_DESCRIPTION}`,
        )
      const sessions = this.#store.sessionsOf(user.$id)
      const session =
        wanted === 'recent'
          ? sessions[sessions.length - 1]
          : sessions.find((candidate) => candidate.$id === wanted)
      return { jwt: this.#store.createJWT(user.$id, session?.$id ?? '', duration) }
    })
  }
}

/** utopia's `Boolean` validator (strict: the route converts `'true'` / `'false'` first). */
function boolean(param: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid boolean`,
    )
  return value
}

/**
 * Whether a list call has `queries` or a `search` to run (the installed features run them): a
 * call with neither, or with empty ones, lists without them.
 */
function queried(params: { queries?: unknown; search?: unknown }): boolean {
  const { queries, search } = params
  return (
    (queries !== undefined && !(Array.isArray(queries) && queries.length === 0)) ||
    (search !== undefined && search !== '')
  )
}
