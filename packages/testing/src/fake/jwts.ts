import type { AccountStore, StoredUser } from './accounts'
import { appwriteError } from './errors'
import { constantTimeEqual, fromBase64, hmacSha256, toBase64Url, utf8 } from './sha256'

/*
 * The check of the JWTs and Functions `dynamic_` keys an account store signed (adhocore/jwt's
 * HS256, as the server runs it). Only the emulator reads tokens back (the in-process fake hands
 * them out but never receives one), so this stays out of the root entry.
 */

const jwtInvalid = (reason: string) =>
  appwriteError('user_jwt_invalid', `Failed to verify JWT. ${reason}`)

/**
 * The claims of a token `store` signed, checking signature and `exp`. Throws `user_jwt_invalid`
 * with adhocore/jwt's reason (`Failed to verify JWT. Invalid token: Expired`).
 *
 * @internal
 */
export function verifyToken(store: AccountStore, token: string): Record<string, unknown> {
  const parts = token.split('.')
  if (parts.length !== 3) throw jwtInvalid('Invalid token: Wrong number of segments')
  const [header, payload, signature] = parts as [string, string, string]
  const expected = toBase64Url(hmacSha256(store.signingKey, utf8(`${header}.${payload}`)))
  if (!constantTimeEqual(expected, signature)) throw jwtInvalid('Invalid token: Signature failed')
  const bytes = fromBase64(payload)
  let claims: unknown
  try {
    claims = bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw jwtInvalid('Invalid token: Malformed payload')
  }
  if (claims === null || typeof claims !== 'object')
    throw jwtInvalid('Invalid token: Malformed payload')
  const exp = (claims as { exp?: unknown }).exp
  if (typeof exp === 'number' && exp * 1000 <= store.now())
    throw jwtInvalid('Invalid token: Expired')
  return claims as Record<string, unknown>
}

/**
 * The user a JWT names, or `undefined` (a guest) when its user or its session is gone, as
 * `app/init/resources.php` treats them; throws `user_jwt_invalid` for a bad token.
 * `includeBlocked` keeps a blocked user, for the server's `user_blocked` check.
 *
 * @internal
 */
export function resolveJWT(
  store: AccountStore,
  token: string,
  includeBlocked = false,
): { user: StoredUser; sessionId: string } | undefined {
  const claims = verifyToken(store, token)
  const user = typeof claims.userId === 'string' ? store.user(claims.userId) : undefined
  const sessionId = typeof claims.sessionId === 'string' ? claims.sessionId : ''
  if (user === undefined || (!user.status && !includeBlocked)) return undefined
  if (sessionId !== '' && store.session(sessionId) === undefined) return undefined
  return { user, sessionId }
}
