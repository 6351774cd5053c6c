import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { extraError, httpError } from './http'

/** A team membership of an emulator user: its team roles, and optionally its membership id. */
export interface EmulatorTeamMembership {
  /** Team roles, e.g. `['owner']`. Defaults to `[]`. */
  roles?: string[]
  /** The membership id, held as the role `member:<id>`. Defaults to none. */
  membershipId?: string
}

/** A user the emulator knows, created by `emulator.createJWT` or `emulator.createSession`. */
export interface EmulatorUser {
  /** The user id: `user:<id>` in permissions. */
  readonly $id: string
  /** Display name. */
  readonly name: string
  /** Email. */
  readonly email: string
  /** Whether the user counts as verified (`users/verified` instead of `users/unverified`). */
  readonly verified: boolean
  /** Confirmed team memberships by team id (`team:<id>`, `team:<id>/<role>`). */
  readonly teams: Readonly<Record<string, readonly string[] | EmulatorTeamMembership>>
  /** Labels (`label:<name>`). */
  readonly labels: readonly string[]
}

/**
 * Who a test user is, for the sign-in shortcut (`emulator.createJWT`, `emulator.createSession`).
 * Fields left out keep the values given for that user earlier (or the defaults).
 */
export interface EmulatorUserOptions {
  /** Display name, returned by `account.get()`. Defaults to `''`. */
  name?: string
  /** Email, returned by `account.get()`. Defaults to `''`. */
  email?: string
  /** Whether the user verified an email or phone. Defaults to `false`. */
  verified?: boolean
  /**
   * Confirmed team memberships by team id: the team roles (`{ providers: ['owner'] }`), or
   * `{ roles, membershipId }`. Defaults to `{}`.
   */
  teams?: Record<string, string[] | EmulatorTeamMembership>
  /** Labels; each adds the role `label:<name>`. Defaults to `[]`. */
  labels?: string[]
}

/**
 * Who sent a request: the API key (acts as the server: permissions do not apply), a signed-in
 * user (through a JWT or a session), or a guest.
 */
export type Caller =
  | { readonly kind: 'key' }
  | { readonly kind: 'guest' }
  | { readonly kind: 'user'; readonly user: EmulatorUser }

/** JWTs live 15 minutes, as `account.createJWT()` issues them by default (`duration` 900 s). */
const JWT_LIFETIME_S = 900

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')

/**
 * The emulator's users, JWTs and sessions: a test shortcut standing in for Appwrite's account
 * service. JWTs are real HS256 tokens signed with a per-emulator secret; sessions are opaque secrets.
 *
 * @internal
 */
export class AuthRegistry {
  readonly #secret = randomBytes(32)
  readonly #users = new Map<string, EmulatorUser>()
  readonly #sessions = new Map<string, string>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Creates or updates a user. */
  upsertUser(userId: string, options: EmulatorUserOptions = {}): EmulatorUser {
    if (userId === '' || userId.includes('/') || userId.includes(':'))
      throw new Error(`invalid user id \`${userId}\`: use letters, digits, '.', '-' or '_'`)
    const previous = this.#users.get(userId)
    const user: EmulatorUser = {
      $id: userId,
      name: options.name ?? previous?.name ?? '',
      email: options.email ?? previous?.email ?? '',
      verified: options.verified ?? previous?.verified ?? false,
      teams: { ...(options.teams ?? previous?.teams ?? {}) },
      labels: [...(options.labels ?? previous?.labels ?? [])],
    }
    this.#users.set(userId, user)
    return user
  }

  /** A user by id. */
  user(userId: string): EmulatorUser | undefined {
    return this.#users.get(userId)
  }

  /** Issues a JWT for the user (created when unknown), valid for 15 minutes. */
  createJWT(userId: string, options?: EmulatorUserOptions): string {
    this.upsertUser(userId, options)
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
    const exp = Math.floor(this.#now() / 1000) + JWT_LIFETIME_S
    const payload = base64url(JSON.stringify({ userId, sessionId: '', exp }))
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`
  }

  /** Issues a session secret for the user (created when unknown). */
  createSession(userId: string, options?: EmulatorUserOptions): string {
    this.upsertUser(userId, options)
    const secret = randomBytes(32).toString('hex')
    this.#sessions.set(secret, userId)
    return secret
  }

  /** Forgets a session secret; `false` when it was unknown. */
  deleteSession(secret: string): boolean {
    return this.#sessions.delete(secret)
  }

  /** The user of a session secret, or `undefined` (an unknown session means a guest, as on the server). */
  sessionUser(secret: string): EmulatorUser | undefined {
    const userId = this.#sessions.get(secret)
    return userId === undefined ? undefined : this.#users.get(userId)
  }

  /**
   * The user a JWT names. Throws `user_jwt_invalid` with the server's `Failed to verify JWT. …`
   * message for a malformed, forged or expired token.
   */
  verifyJWT(token: string): EmulatorUser {
    const parts = token.split('.')
    if (parts.length !== 3) throw jwtInvalid('Wrong number of segments')
    const [header, payload, signature] = parts as [string, string, string]
    const expected = Buffer.from(this.#sign(`${header}.${payload}`))
    const actual = Buffer.from(signature)
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      throw jwtInvalid('Signature verification failed')
    let claims: { userId?: unknown; exp?: unknown }
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims
    } catch {
      throw jwtInvalid('Syntax error, malformed JSON')
    }
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= this.#now())
      throw jwtInvalid('Expired token')
    const user = typeof claims.userId === 'string' ? this.#users.get(claims.userId) : undefined
    if (user === undefined) throw jwtInvalid('Signature verification failed')
    return user
  }

  #sign(input: string): string {
    return createHmac('sha256', this.#secret).update(input).digest('base64url')
  }
}

const jwtInvalid = (reason: string) =>
  extraError('user_jwt_invalid', `Failed to verify JWT. ${reason}`)

/**
 * The account model (`Response::MODEL_ACCOUNT`) for a user, as `account.get()` and the realtime
 * `connected` message carry it. Dates are fixed: the emulator keeps no account history.
 */
export function accountModel(user: EmulatorUser): Record<string, unknown> {
  const epoch = '1970-01-01T00:00:00.000+00:00'
  return {
    $id: user.$id,
    $createdAt: epoch,
    $updatedAt: epoch,
    name: user.name,
    registration: epoch,
    status: true,
    labels: [...user.labels],
    passwordUpdate: '',
    email: user.email,
    phone: '',
    emailVerification: user.verified,
    phoneVerification: false,
    mfa: false,
    prefs: {},
    targets: [],
    accessedAt: epoch,
  }
}

/**
 * Step 9 of `app/controllers/shared/api.php`: a guest or user lacks the route's scopes (the
 * management routes need `databases.*`, `tables.*`, … that only API keys hold), so the server
 * answers `general_unauthorized_scope` with `<email or "User"> (role: <role>) missing scopes ([…])`.
 * The API key passes.
 *
 * @internal
 */
export function requireScopes(caller: Caller, scopes: readonly string[]): void {
  if (caller.kind === 'key') return
  const who = caller.kind === 'user' && caller.user.email !== '' ? caller.user.email : 'User'
  const role = caller.kind === 'user' ? 'users' : 'guests'
  throw httpError(
    'general_unauthorized_scope',
    `${who} (role: ${role}) missing scopes (${JSON.stringify(scopes)})`,
  )
}
