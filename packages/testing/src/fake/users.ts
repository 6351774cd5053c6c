import { JWT_DEFAULT_DURATION_S, check } from './accounts'
import type { AccountStore, StoredUser } from './accounts'
import type { FakeAccountModel, FakeSessionList, FakeSessionModel, FakeTokenModel } from './account'
import { appwriteError } from './errors'
import { runGated } from './faults'
import { isValidId, UID_DESCRIPTION } from './ids'
import { simpleListQueries } from './simpleQueries'
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

const LIST_ATTRIBUTES = new Set([
  'name',
  'email',
  'phone',
  'status',
  'passwordUpdate',
  'registration',
  'emailVerification',
  'phoneVerification',
  'labels',
  '$id',
])

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
      const phone = params.phone == null ? null : checkPhone(params.phone)
      const password =
        params.password == null || params.password === '' ? null : check.password(params.password)
      const name = params.name == null ? '' : check.text('name', params.name, 128)
      return this.#model(await this.#store.createUser({ userId, email, phone, password, name }))
    })
  }

  /** `GET /v1/users/{userId}`; `user_not_found` when unknown. */
  get(params: { userId: string }): Promise<FakeUserModel> {
    return this.#run('get', params, () => this.#model(this.#user(params.userId)))
  }

  /**
   * `GET /v1/users`: `queries` (JSON strings: `equal`, `notEqual`, `limit`, `offset`,
   * `orderAsc`/`orderDesc` on the Users attributes) and `search` over id, email, phone and name.
   */
  list(
    params: { queries?: string[]; search?: string; total?: boolean } = {},
  ): Promise<FakeUserList> {
    return this.#run('list', params, () => {
      let users = this.#store.users()
      const { limit, offset } = simpleListQueries(params.queries, (query) => {
        const attribute = typeof query.attribute === 'string' ? query.attribute : ''
        const read = (user: StoredUser) =>
          (this.#store.accountModel(user) as Record<string, unknown>)[attribute]
        switch (query.method) {
          case 'equal':
          case 'notEqual': {
            if (!LIST_ATTRIBUTES.has(attribute))
              throw appwriteError(
                'general_query_invalid',
                `Invalid query: Attribute not found in schema: ${attribute}`,
              )
            const equal = query.method === 'equal'
            users = users.filter((user) => query.values.includes(read(user)) === equal)
            return true
          }
          case 'orderAsc':
          case 'orderDesc': {
            const sign = query.method === 'orderAsc' ? 1 : -1
            users = [...users].sort((a, b) => {
              const x = String(read(a))
              const y = String(read(b))
              return x < y ? -sign : x > y ? sign : 0
            })
            return true
          }
          default:
            return false
        }
      })
      if (params.search !== undefined && params.search !== '') {
        const needle = params.search.toLowerCase()
        users = users.filter((user) =>
          [user.$id, user.email, user.phone, user.name].some((field) =>
            (field ?? '').toLowerCase().includes(needle),
          ),
        )
      }
      return {
        total: params.total === false ? 0 : users.length,
        users: users.slice(offset, offset + limit).map((user) => this.#model(user)),
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
      return this.#update(user, 'update.email')
    })
  }

  /** `PATCH /v1/users/{userId}/password`. */
  updatePassword(params: { userId: string; password: string }): Promise<FakeUserModel> {
    return this.#run('updatePassword', params, async () => {
      const user = this.#user(params.userId)
      // `''` removes the password (the user can no longer sign in with one), as on the server.
      if (params.password === '') {
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
      const length = inRange('length', params.length ?? 6, 4, 128)
      const expire = inRange('expire', params.expire ?? 900, 60, 31_536_000)
      const { token, secret } = this.#store.issueToken(user, 'generic', {
        lifetimeMs: expire * 1000,
        length,
      })
      const model = this.#store.tokenModel(token, user.$id, secret)
      this.#store.emit(user, `tokens.${token.$id}.create`, model)
      return model
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
   * default 900). `sessionId` ties it to a session (`recent`: the newest); without it the JWT
   * works even when the user has no session, as on the server.
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
      let sessionId = params.sessionId ?? ''
      if (sessionId === 'recent') {
        const sessions = this.#store.sessionsOf(user.$id)
        const newest = sessions[sessions.length - 1]
        if (newest === undefined) throw appwriteError('user_session_not_found')
        sessionId = newest.$id
      } else if (sessionId !== '') {
        const session = this.#store.session(sessionId)
        if (session === undefined || session.userId !== user.$id)
          throw appwriteError('user_session_not_found')
      }
      return { jwt: this.#store.createJWT(user.$id, sessionId, duration) }
    })
  }
}

function checkPhone(value: unknown): string {
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value))
    throw appwriteError(
      'general_argument_invalid',
      "Invalid `phone` param: Phone number must start with a '+' can have a maximum of fifteen digits.",
    )
  return value
}

/** utopia's `Range` validator: an integer from `min` to `max`, with its message. */
function inRange(param: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid range between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}`,
    )
  return value
}
