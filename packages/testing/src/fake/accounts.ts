import type { FakeClock } from './clock'
import { appwriteError } from './errors'
import { SERVER_PICKED_ID, createIdGenerator, isValidId, CUSTOM_ID_DESCRIPTION } from './ids'
import type { IdGenerator } from './ids'
import type { AccountFeatures } from './accountFeatures'
import type { ImportedHash, ImportedHashType } from './importedHashes'
import { hashPassword, verifyPassword } from './passwords'
import type { FakeTeamMembership } from './permissions'
import {
  fromBase64,
  hmacSha256,
  randomBytes,
  sha256,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
} from './sha256'
import type { StoredToken } from './tokens'
import { toServerDatetime } from './validation'

/*
 * The fake's users and sessions, shared by `account` (a user's own client), `users` (API key),
 * `functions` (the caller's id and JWT) and the emulator's HTTP and realtime authentication.
 * Server references (github:appwrite/appwrite 1.8.1): app/controllers/api/account.php, users.php,
 * app/init/resources.php (the `user` resource), src/Appwrite/Utopia/Response/Model/{User,Account,
 * Session}.php; utopia-php/auth `Store` (the session value) and adhocore/jwt (JWTs).
 */

/** One stored user. Passwords are kept only as salted KDF hashes. @internal */
export interface StoredUser {
  readonly $id: string
  readonly $createdAt: number
  $updatedAt: number
  name: string | null
  email: string | null
  phone: string | null
  /** `scrypt$…` / `pbkdf2-sha256$…`, or `null` for anonymous and password-less users. */
  password: string | null
  /**
   * Set when `password` is a hash imported through the Users API (`POST /v1/users/bcrypt`, …):
   * its algorithm and options. Dropped once the user signs in (re-hashed) or gets a new password.
   */
  passwordHash?: { readonly type: ImportedHashType; readonly options: Record<string, unknown> }
  /** `users.updateMfa` (a flag only: no factor is ever asked). Absent means `false`. */
  mfa?: boolean
  passwordUpdate: number | null
  status: boolean
  labels: string[]
  emailVerification: boolean
  phoneVerification: boolean
  prefs: Record<string, unknown>
  accessedAt: number
  /** Confirmed team memberships (the emulator's sign-in shortcut sets them; no Teams service). */
  teams: Record<string, readonly string[] | FakeTeamMembership>
  /**
   * Open verification, recovery, magic URL and email OTP tokens (absent until the first), kept
   * on the user as the server keeps them, so a data dir saves them with it.
   */
  tokens?: StoredToken[]
}

/** One stored session. Only the SHA-256 of its secret is kept, as the server keeps it. @internal */
export interface StoredSession {
  readonly $id: string
  readonly $createdAt: number
  readonly userId: string
  readonly expire: number
  readonly provider: 'email' | 'anonymous' | 'server' | 'magic-url' | 'token' | 'phone'
  readonly providerUid: string
  /** The client's address when the session was created; `127.0.0.1` when unknown. */
  readonly ip?: string
  readonly factors: readonly string[]
  readonly secretHash: string
}

/** Who calls a service: an API key, a guest, or a user (with the session presented, if any). @internal */
export type AccountCaller =
  | { readonly kind: 'key' }
  | { readonly kind: 'guest' }
  | { readonly kind: 'user'; readonly userId: string; readonly sessionId?: string }

/** A change to a user, for the realtime `account` channel. @internal */
export interface AccountChange {
  readonly userId: string
  /**
   * What happened, as the server's event name after `users.<userId>.`: `create`, `update.prefs`,
   * `sessions.<sessionId>.create`, …; the emulator's realtime derives the event names from it.
   */
  readonly suffix: string
  readonly payload: Record<string, unknown>
}

/** What the emulator's sign-in shortcut may set on a user. @internal */
export interface ShortcutUserOptions {
  name?: string
  email?: string
  verified?: boolean
  teams?: Record<string, readonly string[] | FakeTeamMembership>
  labels?: readonly string[]
}

/** `auths.duration` default: sessions last a year (`TOKEN_EXPIRATION_LOGIN_LONG`). */
const SESSION_LIFETIME_MS = 31_536_000_000
/** JWTs last 15 minutes unless a duration is given. */
export const JWT_DEFAULT_DURATION_S = 900
/** `APP_LIMIT_USER_SESSIONS_DEFAULT`: older sessions beyond it are deleted. */
const MAX_SESSIONS = 10

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const invalid = (param: string, description: string) =>
  appwriteError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)

/** Validates the params the account and users routes share, with the server's messages. @internal */
export const check = {
  customId(param: string, value: unknown): string {
    if (value !== SERVER_PICKED_ID && !isValidId(value)) throw invalid(param, CUSTOM_ID_DESCRIPTION)
    return value
  },
  email(value: unknown): string {
    if (typeof value !== 'string' || value.length > 255 || !EMAIL.test(value))
      throw invalid('email', 'Value must be a valid email address')
    return value.toLowerCase()
  },
  /** utopia's `Phone`: E.164. */
  phone(value: unknown, param = 'phone'): string {
    if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value))
      throw invalid(
        param,
        "Phone number must start with a '+' can have a maximum of fifteen digits.",
      )
    return value
  },
  password(value: unknown, param = 'password'): string {
    // utopia's Password validator counts bytes (`strlen`).
    const bytes = typeof value === 'string' ? utf8(value).length : 0
    if (typeof value !== 'string' || bytes < 8 || bytes > 256)
      throw invalid(param, 'Password must be between 8 and 256 characters long.')
    return value
  },
  text(param: string, value: unknown, max: number): string {
    if (typeof value !== 'string' || value.length > max)
      throw invalid(param, `Value must be a valid string and no longer than ${max} chars`)
    return value
  },
  required(name: string, value: unknown): void {
    if (value === undefined)
      throw appwriteError('general_argument_invalid', `Param "${name}" is not optional.`)
  },
}

/**
 * Told about every change to users and sessions (the emulator's data dir listens). Users are
 * edited in place, so a change is reported by id and read back when it is saved.
 *
 * @internal
 */
export interface AccountObserver {
  /** The user `userId` was created, changed or deleted. */
  userChanged(userId: string): void
  /** The session `sessionId` was created or deleted. */
  sessionChanged(sessionId: string): void
  /** Every user and session was dropped (`fake.reset()`). */
  cleared(): void
}

/**
 * A new active user created at `now`: unverified, no labels, prefs or teams, and no name, email,
 * phone or password unless `identity` sets them.
 */
function newUser(
  userId: string,
  now: number,
  identity: Partial<
    Pick<StoredUser, 'name' | 'email' | 'phone' | 'password' | 'passwordUpdate'>
  > = {},
): StoredUser {
  return {
    $id: userId,
    $createdAt: now,
    $updatedAt: now,
    name: null,
    email: null,
    phone: null,
    password: null,
    passwordUpdate: null,
    ...identity,
    status: true,
    labels: [],
    emailVerification: false,
    phoneVerification: false,
    prefs: {},
    accessedAt: now,
    teams: {},
  }
}

/** @internal */
export class AccountStore {
  readonly #clock: FakeClock
  readonly #ids: IdGenerator
  #secret = randomBytes(32)
  #observer: AccountObserver | undefined
  readonly #users = new Map<string, StoredUser>()
  readonly #sessions = new Map<string, StoredSession>()
  readonly #bySecret = new Map<string, string>()
  readonly #listeners = new Set<(change: AccountChange) => void>()
  /**
   * The email flows, `users.list` queries and imported password hashes, once
   * `installAccountFeatures` (`@booking-guard/testing/accounts`) added them; the emulator always
   * does. They stay out of the root entry, so a browser bundle of the fake does not carry them.
   */
  features: AccountFeatures | undefined

  constructor(options: { clock: FakeClock; seed?: number | string }) {
    this.#clock = options.clock
    this.#ids = createIdGenerator({
      seed: options.seed === undefined ? undefined : `${options.seed}/accounts`,
    })
  }

  now(): number {
    return this.#clock.now()
  }

  /** The installed features, or an error saying that `what` needs them and how to add them. */
  feature(what: string): AccountFeatures {
    if (this.features === undefined)
      throw new Error(
        `${what} needs the fake's account features: call installAccountFeatures(fake) from '@booking-guard/testing/accounts' once after createFakeAppwrite() (the emulator installs them itself)`,
      )
    return this.features
  }

  /** Tells the observer that `user` changed without touching `$updatedAt` (its tokens, its hash). */
  noteChanged(user: StoredUser): void {
    this.#observer?.userChanged(user.$id)
  }

  /** Sets the observer told about every user and session change; `undefined` removes it. */
  observe(observer: AccountObserver | undefined): void {
    this.#observer = observer
  }

  /** The key JWTs and Functions' dynamic keys are signed with (32 bytes). */
  get signingKey(): Uint8Array {
    return this.#secret.slice()
  }

  /**
   * Puts back users, sessions and the signing key saved earlier (a restart of the emulator on its
   * data dir), replacing what the store holds, so session cookies and JWTs handed out before still
   * work. Not reported to the observer.
   */
  restore(state: {
    users: Iterable<StoredUser>
    sessions: Iterable<StoredSession>
    signingKey: Uint8Array
  }): void {
    if (state.signingKey.length !== 32)
      throw new Error(`a signing key has 32 bytes, got ${state.signingKey.length}`)
    this.#users.clear()
    this.#sessions.clear()
    this.#bySecret.clear()
    for (const user of state.users) this.#users.set(user.$id, user)
    for (const session of state.sessions) {
      this.#sessions.set(session.$id, session)
      this.#bySecret.set(session.secretHash, session.$id)
    }
    this.#secret = state.signingKey.slice()
  }

  /** Every stored session, expired ones too, for saving. */
  allSessions(): IterableIterator<StoredSession> {
    return this.#sessions.values()
  }

  /** A stored session whether or not it expired, for saving. */
  storedSession(sessionId: string): StoredSession | undefined {
    return this.#sessions.get(sessionId)
  }

  nextId(): string {
    return this.#ids.next()
  }

  /** Listens to user changes (the realtime `account` channel). */
  onChange(listener: (change: AccountChange) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  /**
   * Tells listeners that `user` changed: the event `users.ID.<suffix>` (`update.name`,
   * `sessions.SID.create`, …) with `payload` (by default the account).
   */
  emit(user: StoredUser, suffix: string, payload?: Record<string, unknown>): void {
    this.#observer?.userChanged(user.$id)
    if (this.#listeners.size === 0) return
    const change = { userId: user.$id, suffix, payload: payload ?? this.accountModel(user) }
    for (const listener of [...this.#listeners]) listener(change)
  }

  user(userId: string): StoredUser | undefined {
    return this.#users.get(userId)
  }

  users(): StoredUser[] {
    return [...this.#users.values()]
  }

  byEmail(email: string): StoredUser | undefined {
    for (const user of this.#users.values()) if (user.email === email) return user
    return undefined
  }

  /** Creates a user; `password` is hashed here. Throws `user_already_exists` on a taken id, email or phone. */
  async createUser(input: {
    userId: string
    email: string | null
    phone?: string | null
    password: string | null
    name: string | null
    /** A hash made elsewhere, stored as given instead of hashing `password`. */
    imported?: ImportedHash
  }): Promise<StoredUser> {
    const userId = input.userId === SERVER_PICKED_ID ? this.#ids.next() : input.userId
    this.#assertFree(userId, input.email, input.phone ?? null)
    const hash =
      input.imported !== undefined
        ? input.imported.hash
        : input.password === null
          ? null
          : await hashPassword(input.password)
    // Checked again: another create may have taken the id while the password was hashed.
    this.#assertFree(userId, input.email, input.phone ?? null)
    const now = this.#clock.now()
    const user = newUser(userId, now, {
      name: input.name,
      email: input.email,
      phone: input.phone ?? null,
      password: hash,
      passwordUpdate: hash === null ? null : now,
    })
    if (input.imported !== undefined)
      user.passwordHash = { type: input.imported.type, options: input.imported.options }
    this.#users.set(userId, user)
    this.emit(user, 'create')
    return user
  }

  #assertFree(userId: string, email: string | null, phone: string | null): void {
    if (this.#users.has(userId)) throw appwriteError('user_already_exists')
    for (const user of this.#users.values()) {
      if ((email !== null && user.email === email) || (phone !== null && user.phone === phone))
        throw appwriteError('user_already_exists')
    }
  }

  /** The emulator's sign-in shortcut: creates or updates a password-less user, no checks. */
  upsertShortcutUser(userId: string, options: ShortcutUserOptions = {}): StoredUser {
    if (userId === '' || userId.includes('/') || userId.includes(':'))
      throw new Error(`invalid user id \`${userId}\`: use letters, digits, '.', '-' or '_'`)
    const now = this.#clock.now()
    let user = this.#users.get(userId)
    if (user === undefined) {
      user = newUser(userId, now)
      this.#users.set(userId, user)
    }
    if (options.name !== undefined) user.name = options.name
    if (options.email !== undefined) user.email = options.email === '' ? null : options.email
    if (options.verified !== undefined) user.emailVerification = options.verified
    if (options.teams !== undefined) user.teams = { ...options.teams }
    if (options.labels !== undefined) user.labels = [...options.labels]
    this.#observer?.userChanged(userId)
    return user
  }

  /**
   * Whether `password` is the user's. An imported hash is checked by the installed features,
   * which replace it by the fake's own on a match, as the server re-hashes after a sign-in.
   */
  async checkPassword(user: StoredUser, password: string): Promise<boolean> {
    if (user.password === null) return false
    if (user.passwordHash === undefined) return verifyPassword(password, user.password)
    return this.feature('A sign-in against an imported password hash').passwords.check(
      user,
      password,
    )
  }

  async setPassword(user: StoredUser, password: string): Promise<void> {
    delete user.passwordHash
    user.password = await hashPassword(password)
    user.passwordUpdate = this.touch(user)
  }

  /** Marks a user updated; returns the time. */
  touch(user: StoredUser): number {
    const now = this.#clock.now()
    user.$updatedAt = now
    this.#observer?.userChanged(user.$id)
    return now
  }

  deleteUser(userId: string): boolean {
    const user = this.#users.get(userId)
    if (user === undefined) return false
    for (const session of this.sessionsOf(userId)) this.deleteSession(session.$id)
    this.#users.delete(userId)
    this.emit(user, 'delete')
    return true
  }

  /**
   * Opens a session; returns it with its value, `base64({"id":USER,"secret":SECRET})`, which the
   * client carries as the cookie, `X-Fallback-Cookies` entry or `X-Appwrite-Session`.
   */
  createSession(
    user: StoredUser,
    provider: StoredSession['provider'],
    factor?: string,
    ip?: string,
  ): { session: StoredSession; value: string } {
    const secret = toHex(randomBytes(128))
    const now = this.#clock.now()
    const session: StoredSession = {
      $id: this.#ids.next(),
      $createdAt: now,
      userId: user.$id,
      expire: now + SESSION_LIFETIME_MS,
      provider,
      providerUid: provider === 'email' ? (user.email ?? '') : '',
      factors: [factor ?? (provider === 'email' ? 'password' : provider)],
      secretHash: toHex(sha256(utf8(secret))),
      ...(ip === undefined ? {} : { ip }),
    }
    this.#sessions.set(session.$id, session)
    this.#bySecret.set(session.secretHash, session.$id)
    this.#observer?.sessionChanged(session.$id)
    // The oldest sessions beyond the limit go (app/controllers/shared/api.php).
    const mine = this.sessionsOf(user.$id)
    for (const old of mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS)))
      this.deleteSession(old.$id)
    user.accessedAt = now
    this.emit(user, `sessions.${session.$id}.create`, this.sessionModel(session, false, false))
    return { session, value: toBase64(JSON.stringify({ id: user.$id, secret })) }
  }

  /**
   * Gives a live session a full lifetime again from now (`PATCH /v1/account/sessions/{id}`);
   * returns the renewed session.
   */
  extendSession(session: StoredSession): StoredSession {
    const renewed: StoredSession = { ...session, expire: this.#clock.now() + SESSION_LIFETIME_MS }
    this.#sessions.set(renewed.$id, renewed)
    this.#observer?.sessionChanged(renewed.$id)
    const user = this.#users.get(renewed.userId)
    if (user !== undefined)
      this.emit(user, `sessions.${renewed.$id}.update`, this.sessionModel(renewed, false, false))
    return renewed
  }

  session(sessionId: string): StoredSession | undefined {
    const session = this.#sessions.get(sessionId)
    if (session === undefined || session.expire <= this.#clock.now()) return undefined
    return session
  }

  sessionsOf(userId: string): StoredSession[] {
    const now = this.#clock.now()
    return [...this.#sessions.values()].filter((s) => s.userId === userId && s.expire > now)
  }

  /** Ends a session; `emit: false` ends it without the `sessions.<id>.delete` event. */
  deleteSession(sessionId: string, options: { emit?: boolean } = {}): boolean {
    const session = this.#sessions.get(sessionId)
    if (session === undefined) return false
    this.#sessions.delete(sessionId)
    this.#bySecret.delete(session.secretHash)
    this.#observer?.sessionChanged(sessionId)
    const user = this.#users.get(session.userId)
    if (user !== undefined && options.emit !== false)
      this.emit(user, `sessions.${sessionId}.delete`, this.sessionModel(session, false, false))
    return true
  }

  /**
   * The live session and user of a session value; `undefined` (a guest, as on the server) when it
   * is malformed, unknown, expired, or its user is gone or blocked (`includeBlocked` keeps a blocked
   * user, for the server's `user_blocked` check).
   */
  resolveSession(
    value: string,
    includeBlocked = false,
  ): { user: StoredUser; session: StoredSession } | undefined {
    const decoded = fromBase64(value)
    if (decoded === undefined) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(new TextDecoder().decode(decoded))
    } catch {
      // Not a session value: the server treats it as no session at all.
      return undefined
    }
    const { id, secret } = (parsed ?? {}) as { id?: unknown; secret?: unknown }
    if (typeof id !== 'string' || typeof secret !== 'string') return undefined
    const sessionId = this.#bySecret.get(toHex(sha256(utf8(secret))))
    const session = sessionId === undefined ? undefined : this.session(sessionId)
    const user = this.#users.get(id)
    if (session === undefined || user === undefined || session.userId !== id) return undefined
    if (!user.status && !includeBlocked) return undefined
    return { user, session }
  }

  /** An HS256 JWT `{ userId, sessionId, exp }` (no `iat`, as adhocore/jwt writes it). */
  createJWT(userId: string, sessionId: string, durationS = JWT_DEFAULT_DURATION_S): string {
    const exp = Math.floor(this.#clock.now() / 1000) + durationS
    return this.#sign({ userId, sessionId, exp })
  }

  /** A signed token for any claims (the Functions `dynamic_` key uses it). */
  sign(claims: Record<string, unknown>): string {
    return this.#sign(claims)
  }

  #sign(claims: Record<string, unknown>): string {
    const header = toBase64Url(utf8(JSON.stringify({ typ: 'JWT', alg: 'HS256' })))
    const payload = toBase64Url(utf8(JSON.stringify(claims)))
    return `${header}.${payload}.${toBase64Url(hmacSha256(this.#secret, utf8(`${header}.${payload}`)))}`
  }

  /** `Response::MODEL_ACCOUNT`. Unset (null) fields render as `''`, as `Response::output` does. */
  accountModel(user: StoredUser): Record<string, unknown> {
    const at = toServerDatetime
    const target = (providerType: 'email' | 'sms', identifier: string) => ({
      $id: `${user.$id}-${providerType === 'email' ? 'email' : 'phone'}`,
      $createdAt: at(user.$createdAt),
      $updatedAt: at(user.$updatedAt),
      name: '',
      userId: user.$id,
      providerId: null,
      providerType,
      identifier,
      expired: false,
    })
    return {
      $id: user.$id,
      $createdAt: at(user.$createdAt),
      $updatedAt: at(user.$updatedAt),
      name: user.name ?? '',
      registration: at(user.$createdAt),
      status: user.status,
      labels: [...user.labels],
      passwordUpdate: user.passwordUpdate === null ? '' : at(user.passwordUpdate),
      email: user.email ?? '',
      phone: user.phone ?? '',
      emailVerification: user.emailVerification,
      phoneVerification: user.phoneVerification,
      mfa: user.mfa === true,
      prefs: { ...user.prefs },
      // The messaging targets the server creates with the email and the phone.
      targets: [
        ...(user.email === null ? [] : [target('email', user.email)]),
        ...(user.phone === null ? [] : [target('sms', user.phone)]),
      ],
      accessedAt: at(user.accessedAt),
    }
  }

  /** `Response::MODEL_USER` (Users API): the account plus the password hash and its algorithm. */
  userModel(user: StoredUser): Record<string, unknown> {
    const model = this.accountModel(user)
    if (user.passwordHash !== undefined)
      return {
        ...model,
        password: user.password ?? '',
        hash: user.passwordHash.type,
        hashOptions: { ...user.passwordHash.options },
      }
    const [algorithm, ...params] = user.password?.split('$') ?? []
    const hashOptions =
      algorithm === 'scrypt'
        ? {
            type: 'scrypt',
            costCpu: Number(params[0]),
            costMemory: Number(params[1]),
            costParallel: Number(params[2]),
            length: 32,
          }
        : algorithm === 'pbkdf2-sha256'
          ? { type: 'pbkdf2-sha256', iterations: Number(params[0]), length: 32 }
          : { type: 'argon2', memoryCost: 65536, timeCost: 4, threads: 3 }
    return {
      ...model,
      password: user.password ?? '',
      hash: algorithm ?? 'argon2',
      hashOptions,
    }
  }

  /**
   * `Response::MODEL_SESSION`. `secret` is sensitive: `''` unless the caller is an API key, which
   * sees the session value (`withSecret`).
   */
  sessionModel(session: StoredSession, current: boolean, withSecret: boolean | string) {
    const at = toServerDatetime
    return {
      $id: session.$id,
      $createdAt: at(session.$createdAt),
      $updatedAt: at(session.$createdAt),
      userId: session.userId,
      expire: at(session.expire),
      provider: session.provider,
      providerUid: session.providerUid,
      providerAccessToken: '',
      providerAccessTokenExpiry: '',
      providerRefreshToken: '',
      ip: session.ip ?? '127.0.0.1',
      osCode: '',
      osName: '',
      osVersion: '',
      clientType: '',
      clientCode: '',
      clientName: '',
      clientVersion: '',
      clientEngine: '',
      clientEngineVersion: '',
      deviceName: '',
      deviceBrand: '',
      deviceModel: '',
      countryCode: '--',
      countryName: 'Unknown',
      current,
      factors: [...session.factors],
      secret: typeof withSecret === 'string' ? withSecret : '',
      mfaUpdatedAt: '',
    }
  }

  reset(): void {
    this.#users.clear()
    this.#sessions.clear()
    this.#bySecret.clear()
    this.#ids.reset()
    this.#observer?.cleared()
  }
}
