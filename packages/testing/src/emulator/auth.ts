import type { AccountCaller, AccountStore, StoredUser } from '../fake/accounts'
import { resolveJWT, verifyToken } from '../fake/jwts'
import type { IncomingHttpHeaders } from 'node:http'
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
 * user (through a JWT or a session; `sessionId` is the session presented, absent for a JWT), or a guest.
 */
export type Caller =
  | { readonly kind: 'key' }
  | { readonly kind: 'guest' }
  | { readonly kind: 'user'; readonly user: EmulatorUser; readonly sessionId?: string }

/**
 * The emulator's view of the fake's users and sessions ({@link AccountStore}): the request
 * authentication the server's `user` resource does (session value, JWT) and the test sign-in
 * shortcut. JWTs are HS256 tokens signed with a per-fake secret.
 *
 * @internal
 */
export class AuthRegistry {
  readonly store: AccountStore

  constructor(store: AccountStore) {
    this.store = store
  }

  /** Creates or updates a user through the sign-in shortcut. */
  upsertUser(userId: string, options: EmulatorUserOptions = {}): EmulatorUser {
    return this.toUser(this.store.upsertShortcutUser(userId, options))
  }

  /** A user by id. */
  user(userId: string): EmulatorUser | undefined {
    const user = this.store.user(userId)
    return user === undefined ? undefined : this.toUser(user)
  }

  /** Issues a JWT for the user (created when unknown), valid for 15 minutes and tied to no session. */
  createJWT(userId: string, options?: EmulatorUserOptions): string {
    this.store.upsertShortcutUser(userId, options)
    return this.store.createJWT(userId, '')
  }

  /**
   * Opens a session for the user (created when unknown); answers its value, for
   * `client.setSession(value)` or the `a_session_<project>` cookie.
   */
  createSession(userId: string, options?: EmulatorUserOptions): string {
    const user = this.store.upsertShortcutUser(userId, options)
    return this.store.createSession(user, 'server').value
  }

  /** The caller a session value stands for; a guest when it is unknown, as on the server. */
  sessionCaller(value: string): Caller {
    const found = this.store.resolveSession(value)
    return found === undefined
      ? { kind: 'guest' }
      : { kind: 'user', user: this.toUser(found.user), sessionId: found.session.$id }
  }

  /**
   * The caller a JWT names (a guest when its user or session is gone). Throws `user_jwt_invalid`
   * with the server's `Failed to verify JWT. …` message for a malformed, forged or expired token.
   */
  jwtCaller(token: string): Caller {
    const found = resolveJWT(this.store, token)
    return found === undefined ? { kind: 'guest' } : { kind: 'user', user: this.toUser(found.user) }
  }

  /** The account model of a user (`account.get()`, the realtime `connected` frame). */
  accountModel(user: EmulatorUser): Record<string, unknown> {
    const stored = this.store.user(user.$id)
    return stored === undefined ? {} : this.store.accountModel(stored)
  }

  /** The fake's account caller for an emulator caller. */
  accountCaller(caller: Caller): AccountCaller {
    if (caller.kind !== 'user') return caller
    return caller.sessionId === undefined
      ? { kind: 'user', userId: caller.user.$id }
      : { kind: 'user', userId: caller.user.$id, sessionId: caller.sessionId }
  }

  /**
   * Who a request is, read as the server's `user` resource reads it (`app/init/resources.php`):
   * the session from the `a_session_<project>` cookie, its `_legacy` twin, `X-Appwrite-Session`, or
   * the `X-Fallback-Cookies` JSON, in that order; then `X-Appwrite-JWT`, which overrides it. A JWT
   * next to a session value is `user_jwt_and_cookie_set`. With `refuseBlocked` (HTTP requests), a
   * blocked user's session or JWT is `user_blocked` (403), as `app/controllers/shared/api.php`
   * answers every route; realtime reads the same user as a guest.
   */
  requestCaller(headers: IncomingHttpHeaders, projectId: string, refuseBlocked = false): Caller {
    const value = sessionValue(headers, projectId)
    const jwt = single(headers['x-appwrite-jwt'])
    if (jwt !== undefined && jwt !== '') {
      if (value !== undefined && this.store.resolveSession(value) !== undefined)
        throw extraError('user_jwt_and_cookie_set')
      if (refuseBlocked && resolveJWT(this.store, jwt, true)?.user.status === false)
        throw httpError('user_blocked')
      return this.jwtCaller(jwt)
    }
    if (value === undefined) return { kind: 'guest' }
    if (refuseBlocked && this.store.resolveSession(value, true)?.user.status === false)
      throw httpError('user_blocked')
    return this.sessionCaller(value)
  }

  /**
   * Whether `key` is a `dynamic_` key this emulator gave a Function execution (`x-appwrite-key`),
   * for this project and not expired; an expired or foreign one is not a key (`user_unauthorized`).
   */
  isDynamicKey(key: string, projectId: string): boolean {
    if (!key.startsWith('dynamic_')) return false
    try {
      return verifyToken(this.store, key.slice('dynamic_'.length)).projectId === projectId
    } catch {
      // Expired or forged: answered as an unknown key by the caller.
      return false
    }
  }

  toUser(user: StoredUser): EmulatorUser {
    return {
      $id: user.$id,
      name: user.name ?? '',
      email: user.email ?? '',
      verified: user.emailVerification || user.phoneVerification,
      teams: user.teams as EmulatorUser['teams'],
      labels: user.labels,
    }
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

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/** The `a_session_<project>` cookie name: utopia-php lower-cases cookie names. @internal */
export const sessionCookieName = (projectId: string) => `a_session_${projectId.toLowerCase()}`

/** Parses a `Cookie` header into name → value (first one wins, as PHP's `$_COOKIE`). @internal */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq).trim()
    if (name === '' || cookies.has(name)) continue
    let value = part.slice(eq + 1).trim()
    try {
      value = decodeURIComponent(value)
    } catch {
      // A value that is not percent-encoded is taken as written.
    }
    cookies.set(name, value)
  }
  return cookies
}

/** The session value a request carries, in the server's reading order, or `undefined`. @internal */
export function sessionValue(headers: IncomingHttpHeaders, projectId: string): string | undefined {
  const name = sessionCookieName(projectId)
  const cookies = parseCookies(single(headers.cookie))
  const fromCookie = cookies.get(name) || cookies.get(`${name}_legacy`)
  if (fromCookie) return fromCookie
  const header = single(headers['x-appwrite-session'])
  if (header) return header
  const fallback = single(headers['x-fallback-cookies'])
  if (fallback) {
    let parsed: unknown
    try {
      parsed = JSON.parse(fallback)
    } catch {
      // The server ignores a fallback header that is not JSON.
      return undefined
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const entries = parsed as Record<string, unknown>
      const value = entries[`a_session_${projectId}`] ?? entries[name]
      if (typeof value === 'string' && value !== '') return value
    }
  }
  return undefined
}

const SECRET_PARAMS = new Set(['password', 'oldPassword'])

/** Request params for the log, with passwords replaced by `'[redacted]'`. @internal */
export function redactParams(params: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const name of SECRET_PARAMS) {
    if (params[name] === undefined) continue
    out ??= { ...params }
    out[name] = '[redacted]'
  }
  return out ?? params
}
