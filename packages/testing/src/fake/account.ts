import { JWT_DEFAULT_DURATION_S, check } from './accounts'
import type { AccountCaller, AccountStore, StoredSession, StoredUser } from './accounts'
import { appwriteError } from './errors'
import { runGated } from './faults'
import type { FaultCallContext } from './faults'
import type { AccountEmails } from './accountEmails'
import type { FaultGate } from './types'

/** The largest `prefs` object, as the bytes of PHP's `json_encode` of it (utopia's `Assoc`). */
const PREFS_MAX_JSON_BYTES = 65_535

/**
 * The length in bytes of PHP's `json_encode($value)` with its default flags: `/` is escaped as
 * `\/` and every character beyond ASCII as `\uXXXX` (a UTF-16 unit each, so 12 bytes for an emoji).
 */
function phpJsonLength(value: unknown): number {
  const json = JSON.stringify(value)
  let length = json.length
  for (let i = 0; i < json.length; i += 1) {
    const code = json.charCodeAt(i)
    if (code === 0x2f) length += 1
    else if (code > 0x7f) length += 5
  }
  return length
}

/** A user as `account.get()` returns it (`Models.User` of the `appwrite` SDK, without the hash). */
export interface FakeAccountModel {
  $id: string
  $createdAt: string
  $updatedAt: string
  name: string
  registration: string
  status: boolean
  labels: string[]
  passwordUpdate: string
  email: string
  phone: string
  emailVerification: boolean
  phoneVerification: boolean
  mfa: boolean
  prefs: Record<string, unknown>
  targets: Array<Record<string, unknown>>
  accessedAt: string
}

/** A session as the SDK's `Models.Session` carries it. `secret` is `''` unless an API key asked. */
export interface FakeSessionModel {
  $id: string
  $createdAt: string
  $updatedAt: string
  userId: string
  expire: string
  provider: string
  providerUid: string
  current: boolean
  factors: string[]
  secret: string
  [field: string]: unknown
}

/**
 * A token as the `appwrite` SDK's `Models.Token` carries it. `secret` is `''` unless an API key
 * asked: the user reads it from the email (the emulator's outbox).
 */
export interface FakeTokenModel {
  $id: string
  $createdAt: string
  userId: string
  secret: string
  expire: string
  phrase: string
}

/** `{ total, sessions }`. */
export interface FakeSessionList {
  total: number
  sessions: FakeSessionModel[]
}

/** `account.create(...)` parameters. */
export interface CreateAccountParams {
  /** `'unique()'` (`ID.unique()`) or a custom id. */
  userId: string
  email: string
  /** 8–256 bytes. */
  password: string
  /** At most 128 chars. Defaults to `''`. */
  name?: string
}

/** `account.createEmailPasswordSession(...)` parameters. */
export interface EmailPasswordSessionParams {
  email: string
  password: string
}

/**
 * Who the fake's `account` acts as, and where a session it creates goes: the emulator passes the
 * request's caller; `fake.account` keeps the session like a browser keeps its cookie.
 *
 * @internal
 */
export interface AccountAuth {
  caller(): AccountCaller
  /** A new session was created for this client (its value is what the cookie carries). */
  onSession(value: string, session: StoredSession): void
  /** This client's current session was deleted. */
  onSessionDeleted(): void
  /** The client's address, kept on the sessions it creates. Defaults to `127.0.0.1`. */
  ip?(): string | undefined
}

/**
 * What the email flows (`AccountEmails`, added by `installAccountFeatures`) need of the
 * `FakeAccount` they run for.
 *
 * @internal
 */
export interface AccountFlowContext {
  /** The signed-in user and session; `general_unauthorized_scope` for a guest. */
  me(): { user: StoredUser; sessionId: string | undefined }
  /** Whether an API key calls: it sees token secrets. */
  isKey(): boolean
  /** Throws `user_session_already_exists` when the caller is signed in. */
  noSession(): void
  /** Hands a new session to the client, as a sign-in does, and answers its model. */
  signedIn(session: StoredSession, value: string): FakeSessionModel
  /** The client's address, for the sessions it creates (`undefined`: unknown). */
  ip(): string | undefined
}

/**
 * The `Account` service as a signed-in user (or a guest) sees it, shaped like the `appwrite` SDK's
 * `Account` with object parameters: sign-up, email/password and anonymous sessions, sessions,
 * JWTs, preferences, name, email and password. Faults apply with `api: 'account'`.
 *
 * @example
 * ```ts
 * const fake = createFakeAppwrite()
 * await fake.account.create({ userId: 'unique()', email: 'ada@example.com', password: 'correct horse' })
 * await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password: 'correct horse' })
 * const me = await fake.account.get()
 * await fake.as({ userId: me.$id }).tablesDB.listRows({ databaseId: 'main', tableId: 'bookings' })
 * ```
 */
export class FakeAccount {
  readonly #store: AccountStore
  readonly #faults: FaultGate
  readonly #auth: AccountAuth

  readonly #flows: AccountFlowContext = {
    me: () => this.#me(),
    isKey: () => this.#auth.caller().kind === 'key',
    noSession: () => this.#noSession(),
    signedIn: (session, value) => {
      this.#auth.onSession(value, session)
      return this.#session(session, true, value)
    },
    ip: () => this.#auth.ip?.(),
  }

  /** @internal */
  constructor(store: AccountStore, faults: FaultGate, auth: AccountAuth) {
    this.#store = store
    this.#faults = faults
    this.#auth = auth
  }

  #run<T>(operation: string, params: object, run: () => T | Promise<T>): Promise<T> {
    const call: FaultCallContext | undefined = this.#faults.idle
      ? undefined
      : { api: 'account' as const, operation, params: params as Record<string, unknown> }
    // `then` flattens a promised result into the call's own promise.
    return runGated(this.#faults, call, run).then((value) => value)
  }

  /** Runs an email flow of the installed account features (`installAccountFeatures`). */
  #flow<T>(
    operation: string,
    params: object,
    run: (emails: AccountEmails, context: AccountFlowContext) => T | Promise<T>,
  ): Promise<T> {
    return this.#run(operation, params, () =>
      run(this.#store.feature(`account.${operation}()`).emails, this.#flows),
    )
  }

  /** The signed-in user, or `general_unauthorized_scope` for a guest (the `account` scope). */
  #me(): { user: StoredUser; sessionId: string | undefined } {
    const caller = this.#auth.caller()
    if (caller.kind === 'user') {
      const user = this.#store.user(caller.userId)
      if (user !== undefined) return { user, sessionId: caller.sessionId }
    }
    const role = caller.kind === 'key' ? 'apps' : 'guests'
    throw appwriteError(
      'general_unauthorized_scope',
      `User (role: ${role}) missing scopes (["account"])`,
    )
  }

  /** Creating a session while signed in fails, as the server's `session` route group does. */
  #noSession(): void {
    if (this.#auth.caller().kind === 'user') throw appwriteError('user_session_already_exists')
  }

  #account(user: StoredUser): FakeAccountModel {
    return this.#store.accountModel(user) as unknown as FakeAccountModel
  }

  #session(session: StoredSession, current: boolean, value?: string): FakeSessionModel {
    // `secret` is sensitive: only an API key (server-side rendering) reads the session value.
    const secret = value !== undefined && this.#auth.caller().kind === 'key' ? value : false
    return this.#store.sessionModel(session, current, secret) as unknown as FakeSessionModel
  }

  /** `POST /v1/account`: creates a user (no session). `user_already_exists` for a taken id or email. */
  create(params: CreateAccountParams): Promise<FakeAccountModel> {
    return this.#run('create', params, async () => {
      check.required('userId', params.userId)
      check.required('email', params.email)
      check.required('password', params.password)
      const userId = check.customId('userId', params.userId)
      const email = check.email(params.email)
      const password = check.password(params.password)
      const name = params.name === undefined ? '' : check.text('name', params.name, 128)
      const user = await this.#store.createUser({ userId, email, password, name })
      return this.#account(user)
    })
  }

  /** `POST /v1/account/sessions/email`: signs in; `user_invalid_credentials` on a wrong email or password. */
  createEmailPasswordSession(params: EmailPasswordSessionParams): Promise<FakeSessionModel> {
    return this.#run('createEmailPasswordSession', params, async () => {
      check.required('email', params.email)
      check.required('password', params.password)
      const email = check.email(params.email)
      const password = check.password(params.password)
      this.#noSession()
      const user = this.#store.byEmail(email)
      if (user === undefined || !(await this.#store.checkPassword(user, password)))
        throw appwriteError('user_invalid_credentials')
      if (!user.status) throw appwriteError('user_blocked')
      const { session, value } = this.#store.createSession(
        user,
        'email',
        undefined,
        this.#auth.ip?.(),
      )
      this.#auth.onSession(value, session)
      return this.#session(session, true, value)
    })
  }

  /** `POST /v1/account/sessions/anonymous`: a new user without email or password, signed in. */
  createAnonymousSession(): Promise<FakeSessionModel> {
    return this.#run('createAnonymousSession', {}, async () => {
      this.#noSession()
      const user = await this.#store.createUser({
        userId: 'unique()',
        email: null,
        password: null,
        name: null,
      })
      const { session, value } = this.#store.createSession(
        user,
        'anonymous',
        undefined,
        this.#auth.ip?.(),
      )
      this.#auth.onSession(value, session)
      return this.#session(session, true, value)
    })
  }

  /** `GET /v1/account`. */
  get(): Promise<FakeAccountModel> {
    return this.#run('get', {}, () => this.#account(this.#me().user))
  }

  /** `GET /v1/account/sessions`: the user's live sessions, `current` on the caller's. */
  listSessions(): Promise<FakeSessionList> {
    return this.#run('listSessions', {}, () => {
      const { user, sessionId } = this.#me()
      const sessions = this.#store
        .sessionsOf(user.$id)
        .map((s) => this.#session(s, s.$id === sessionId))
      return { total: sessions.length, sessions }
    })
  }

  #resolveSessionId(sessionId: string, me: { sessionId: string | undefined; user: StoredUser }) {
    const id = sessionId === 'current' ? me.sessionId : sessionId
    const session = id === undefined ? undefined : this.#store.session(id)
    if (session === undefined || session.userId !== me.user.$id)
      throw appwriteError('user_session_not_found')
    return session
  }

  /** `GET /v1/account/sessions/{sessionId}` (`current` allowed). */
  getSession(params: { sessionId: string }): Promise<FakeSessionModel> {
    return this.#run('getSession', params, () => {
      const me = this.#me()
      check.required('sessionId', params.sessionId)
      const session = this.#resolveSessionId(params.sessionId, me)
      return this.#session(session, session.$id === me.sessionId)
    })
  }

  /**
   * `PATCH /v1/account/sessions/{sessionId}` (`current` allowed): renews the session, its
   * `expire` a full session lifetime from now, as the server extends it.
   */
  updateSession(params: { sessionId: string }): Promise<FakeSessionModel> {
    return this.#run('updateSession', params, () => {
      const me = this.#me()
      check.required('sessionId', params.sessionId)
      const session = this.#store.extendSession(this.#resolveSessionId(params.sessionId, me))
      return this.#session(session, session.$id === me.sessionId)
    })
  }

  /**
   * `PATCH /v1/account/status`: blocks the signed-in user for good (its sessions then answer
   * `user_blocked`); answers the account with `status: false`.
   */
  updateStatus(): Promise<FakeAccountModel> {
    return this.#run('updateStatus', {}, () => {
      const { user } = this.#me()
      user.status = false
      this.#store.touch(user)
      this.#store.emit(user, 'update.status')
      this.#auth.onSessionDeleted()
      return this.#account(user)
    })
  }

  /** `DELETE /v1/account`: deletes the signed-in user and its sessions. */
  delete(): Promise<Record<string, never>> {
    return this.#run('delete', {}, () => {
      const { user } = this.#me()
      this.#store.deleteUser(user.$id)
      return {}
    })
  }

  /**
   * `DELETE /v1/account/sessions/{sessionId}`: signs out (`current`) or ends another session of the
   * user. A caller signed in by JWT only has no current session: `user_session_not_found`.
   */
  deleteSession(params: { sessionId: string }): Promise<Record<string, never>> {
    return this.#run('deleteSession', params, () => {
      const me = this.#me()
      check.required('sessionId', params.sessionId)
      const session = this.#resolveSessionId(params.sessionId, me)
      this.#store.deleteSession(session.$id)
      if (session.$id === me.sessionId) this.#auth.onSessionDeleted()
      return {}
    })
  }

  /** `DELETE /v1/account/sessions`: ends every session of the user. */
  deleteSessions(): Promise<Record<string, never>> {
    return this.#run('deleteSessions', {}, () => {
      const me = this.#me()
      for (const session of this.#store.sessionsOf(me.user.$id))
        this.#store.deleteSession(session.$id)
      if (me.sessionId !== undefined) this.#auth.onSessionDeleted()
      return {}
    })
  }

  /**
   * `POST /v1/account/jwts`: a JWT for the current session, valid `duration` seconds (0–3600,
   * default 900). Needs a session: a caller signed in by JWT gets `user_session_not_found`.
   */
  createJWT(params: { duration?: number } = {}): Promise<{ jwt: string }> {
    return this.#run('createJWT', params, () => {
      const me = this.#me()
      const duration = params.duration ?? JWT_DEFAULT_DURATION_S
      if (!Number.isInteger(duration) || duration < 0 || duration > 3600)
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `duration` param: Value must be a valid range between 0 and 3,600',
        )
      if (me.sessionId === undefined) throw appwriteError('user_session_not_found')
      return { jwt: this.#store.createJWT(me.user.$id, me.sessionId, duration) }
    })
  }

  /** `GET /v1/account/prefs`. */
  getPrefs<
    Preferences extends Record<string, unknown> = Record<string, unknown>,
  >(): Promise<Preferences> {
    return this.#run('getPrefs', {}, () => ({ ...this.#me().user.prefs }) as Preferences)
  }

  /** `PATCH /v1/account/prefs`: replaces the whole prefs object; answers the account. */
  updatePrefs(params: { prefs: Record<string, unknown> }): Promise<FakeAccountModel> {
    return this.#run('updatePrefs', params, () => {
      const { user } = this.#me()
      check.required('prefs', params.prefs)
      const prefs = params.prefs
      // utopia's `Assoc` validator: an object whose `json_encode` is at most 65,535 bytes.
      if (
        prefs === null ||
        typeof prefs !== 'object' ||
        Array.isArray(prefs) ||
        phpJsonLength(prefs) > PREFS_MAX_JSON_BYTES
      )
        throw appwriteError(
          'general_argument_invalid',
          'Invalid `prefs` param: Value must be a valid object.',
        )
      user.prefs = structuredClone(prefs)
      this.#store.touch(user)
      this.#store.emit(user, 'update.prefs')
      return this.#account(user)
    })
  }

  /** `PATCH /v1/account/name`. */
  updateName(params: { name: string }): Promise<FakeAccountModel> {
    return this.#run('updateName', params, () => {
      const { user } = this.#me()
      check.required('name', params.name)
      const name = check.text('name', params.name, 128)
      user.name = name
      this.#store.touch(user)
      this.#store.emit(user, 'update.name')
      return this.#account(user)
    })
  }

  /**
   * `PATCH /v1/account/email`: needs the current password (`user_invalid_credentials`); a user
   * without one (anonymous) sets it with this call, as the server does.
   */
  updateEmail(params: { email: string; password: string }): Promise<FakeAccountModel> {
    return this.#run('updateEmail', params, async () => {
      const { user } = this.#me()
      check.required('email', params.email)
      check.required('password', params.password)
      const email = check.email(params.email)
      const password = check.password(params.password)
      if (user.password !== null && !(await this.#store.checkPassword(user, password)))
        throw appwriteError('user_invalid_credentials')
      const taken = this.#store.byEmail(email)
      if (taken !== undefined && taken !== user) throw appwriteError('user_email_already_exists')
      if (user.password === null) await this.#store.setPassword(user, password)
      user.email = email
      user.emailVerification = false
      this.#store.touch(user)
      this.#store.emit(user, 'update.email')
      return this.#account(user)
    })
  }

  /**
   * `PATCH /v1/account/phone`: sets the signed-in user's phone number (unverified from then on);
   * needs the current password (`user_invalid_credentials`), and a user without one (a phone
   * sign-in) sets it with this call, as the server does. A number any user already has is 409
   * `user_target_already_exists`. Needs `installAccountFeatures(fake)`, as the phone flows do.
   */
  updatePhone(params: { phone: string; password: string }): Promise<FakeAccountModel> {
    return this.#flow('updatePhone', params, (emails, context) =>
      emails.updatePhone(context, params),
    )
  }

  /** `PATCH /v1/account/password`: `oldPassword` must match when the user has a password. */
  updatePassword(params: { password: string; oldPassword?: string }): Promise<FakeAccountModel> {
    return this.#run('updatePassword', params, async () => {
      const { user, sessionId } = this.#me()
      check.required('password', params.password)
      const password = check.password(params.password)
      if (
        user.password !== null &&
        (typeof params.oldPassword !== 'string' ||
          !(await this.#store.checkPassword(user, params.oldPassword)))
      )
        throw appwriteError('user_invalid_credentials')
      await this.#store.setPassword(user, password)
      // Projects are created with `auths.invalidateSessions` on: a password change ends the
      // user's other sessions (quietly: the server deletes them without events). A caller
      // signed in by JWT has no current session, and then none are ended.
      if (sessionId !== undefined)
        for (const session of this.#store.sessionsOf(user.$id))
          if (session.$id !== sessionId) this.#store.deleteSession(session.$id, { emit: false })
      this.#store.emit(user, 'update.password')
      return this.#account(user)
    })
  }
  /**
   * `POST /v1/account/verifications/email` (the SDK's `createEmailVerification`, formerly
   * `createVerification`): emails the signed-in user a link to `url` carrying `userId` and
   * `secret` (valid an hour). `user_email_not_found` for a user without email (anonymous),
   * `user_email_already_verified` once verified; a guest gets `general_unauthorized_scope`.
   * Needs `installAccountFeatures(fake)`, as every email flow does.
   */
  createEmailVerification(params: { url: string }): Promise<FakeTokenModel> {
    return this.#flow('createEmailVerification', params, (emails, context) =>
      emails.createEmailVerification(context, params),
    )
  }

  /** The SDK's deprecated name of {@link createEmailVerification}. */
  createVerification(params: { url: string }): Promise<FakeTokenModel> {
    return this.createEmailVerification(params)
  }

  /**
   * `PUT /v1/account/verifications/email` (`updateEmailVerification`, formerly
   * `updateVerification`): confirms the email with the link's `userId` and `secret`, which then
   * stops working. `user_not_found` for an unknown user, `user_invalid_token` for a wrong, used
   * or expired secret. Needs no session.
   */
  updateEmailVerification(params: { userId: string; secret: string }): Promise<FakeTokenModel> {
    return this.#flow('updateEmailVerification', params, (emails, context) =>
      emails.updateEmailVerification(context, params),
    )
  }

  /** The SDK's deprecated name of {@link updateEmailVerification}. */
  updateVerification(params: { userId: string; secret: string }): Promise<FakeTokenModel> {
    return this.updateEmailVerification(params)
  }

  /**
   * `POST /v1/account/recovery`: emails the user with this address a link to `url` carrying
   * `userId` and `secret` (valid an hour). `user_not_found` for an unknown email, `user_blocked`
   * for a blocked user.
   */
  createRecovery(params: { email: string; url: string }): Promise<FakeTokenModel> {
    return this.#flow('createRecovery', params, (emails, context) =>
      emails.createRecovery(context, params),
    )
  }

  /**
   * `PUT /v1/account/recovery`: sets a new password with the link's `userId` and `secret`, which
   * then stops working; the email counts as verified, and every session of the user ends (new
   * projects have `invalidateSessions` on). `user_not_found`, `user_invalid_token` as for
   * verification; a password outside 8–256 bytes is `general_argument_invalid`.
   */
  updateRecovery(params: {
    userId: string
    secret: string
    password: string
  }): Promise<FakeTokenModel> {
    return this.#flow('updateRecovery', params, (emails, context) =>
      emails.updateRecovery(context, params),
    )
  }

  /**
   * `POST /v1/account/tokens/email` (`createEmailToken`): emails a six-digit code, valid 15
   * minutes, for {@link createSession}. A new address creates its user under `userId`.
   * `phrase: true` adds a security phrase to the email and the answer.
   */
  createEmailToken(params: {
    userId: string
    email: string
    phrase?: boolean
  }): Promise<FakeTokenModel> {
    return this.#flow('createEmailToken', params, (emails, context) =>
      emails.createEmailToken(context, params),
    )
  }

  /**
   * `POST /v1/account/tokens/magic-url` (`createMagicURLToken`): emails a link to `url` (default:
   * the console's magic URL page) carrying `userId`, `secret` (valid an hour), `expire` and
   * `project`, for {@link createSession} or {@link updateMagicURLSession}. A new address creates
   * its user under `userId`.
   */
  createMagicURLToken(params: {
    userId: string
    email: string
    url?: string
    phrase?: boolean
  }): Promise<FakeTokenModel> {
    return this.#flow('createMagicURLToken', params, (emails, context) =>
      emails.createMagicURLToken(context, params),
    )
  }

  /**
   * `POST /v1/account/sessions/token` (`createSession`): signs in with the `userId` and `secret`
   * of an email OTP, magic URL or `users.createToken` token, which then stops working; an emailed
   * one marks the email verified.
   * `user_invalid_token` for an unknown user or a wrong, used or expired secret;
   * `user_session_already_exists` when signed in.
   */
  createSession(params: { userId: string; secret: string }): Promise<FakeSessionModel> {
    return this.#flow('createSession', params, (emails, context) =>
      emails.tokenSession(context, params),
    )
  }

  /**
   * `POST /v1/account/tokens/phone` (`createPhoneToken`): texts a six-digit code, valid 15
   * minutes, for {@link createSession} or {@link updatePhoneSession}; signing in with it marks
   * the phone verified. A new number creates its user under `userId`. No SMS is sent: it lands in
   * `fake.outbox({ phone })` (`kind: 'phoneOtp'`).
   */
  createPhoneToken(params: { userId: string; phone: string }): Promise<FakeTokenModel> {
    return this.#flow('createPhoneToken', params, (emails, context) =>
      emails.createPhoneToken(context, params),
    )
  }

  /** `PUT /v1/account/sessions/phone` (`updatePhoneSession`, deprecated): {@link createSession}. */
  updatePhoneSession(params: { userId: string; secret: string }): Promise<FakeSessionModel> {
    return this.#flow('updatePhoneSession', params, (emails, context) =>
      emails.tokenSession(context, params),
    )
  }

  /**
   * `POST /v1/account/verifications/phone` (`createPhoneVerification`): texts the signed-in user's
   * phone a six-digit code, valid an hour, for {@link updatePhoneVerification}.
   * `user_phone_not_found` without a phone, `user_phone_already_verified` once verified.
   */
  createPhoneVerification(): Promise<FakeTokenModel> {
    return this.#flow('createPhoneVerification', {}, (emails, context) =>
      emails.createPhoneVerification(context),
    )
  }

  /**
   * `PUT /v1/account/verifications/phone` (`updatePhoneVerification`): confirms the phone with the
   * code's `userId` and `secret` (a phone sign-in code works too, as on the server), which then
   * stops working. `user_not_found`, `user_invalid_token` as for email verification.
   */
  updatePhoneVerification(params: { userId: string; secret: string }): Promise<FakeTokenModel> {
    return this.#flow('updatePhoneVerification', params, (emails, context) =>
      emails.updatePhoneVerification(context, params),
    )
  }

  /** `PUT /v1/account/sessions/magic-url` (`updateMagicURLSession`, deprecated): {@link createSession}. */
  updateMagicURLSession(params: { userId: string; secret: string }): Promise<FakeSessionModel> {
    return this.#flow('updateMagicURLSession', params, (emails, context) =>
      emails.tokenSession(context, params),
    )
  }
}
