import { BookingGuardError } from '../errors'
import type { PermissionRules } from './types'

export type { PermissionRules } from './types'

/** Options of the guard's row permissions. Rows are never readable by `any`. */
export interface PermissionsOptions {
  /**
   * Extra roles that may read, update and delete every row the guard writes, e.g.
   * `['team:support', 'label:admin']`. Appwrite role strings; `any`, `guests` and `users` are
   * refused. Defaults to `[]`.
   */
  adminRoles?: readonly string[]
  /**
   * Maps a provider id (a profile row id) to the provider's Appwrite user id, when they differ.
   * Defaults to the identity: `providerId` is the user id.
   */
  providerUserId?: (providerId: string) => string
}

const OPEN_ROLES = new Set(['any', 'guests', 'users', 'users/verified', 'users/unverified'])
const perm = (action: string, role: string) => `${action}("${role}")`
const GRANTS_CACHE_LIMIT = 1024

/**
 * Builds the permission rules: rows readable only by their participants (and admin roles),
 * notifications only by their recipient. Throws a `CONFIGURATION` error for an open admin role.
 *
 * @internal
 */
export function createPermissionRules(options: PermissionsOptions = {}): PermissionRules {
  const adminRoles = [...(options.adminRoles ?? [])]
  for (const role of adminRoles) {
    if (typeof role !== 'string' || role === '' || OPEN_ROLES.has(role)) {
      throw new BookingGuardError(
        'CONFIGURATION',
        `createBookingGuard: admin role \`${String(role)}\` would open every booking to everyone; use \`team:…\`, \`label:…\` or \`user:…\` roles`,
      )
    }
  }
  const admin = adminRoles.flatMap((role) => [
    perm('read', role),
    perm('update', role),
    perm('delete', role),
  ])
  const mapProvider = options.providerUserId ?? ((providerId: string) => providerId)
  const user = (id: string) => `user:${id}`
  // A user's read and update strings, memoized (bounded): the same few users book again and again,
  // and handing the backend the same string objects lets it skip re-checking them.
  const grants = new Map<string, readonly [read: string, update: string]>()
  const grantsOf = (id: string): readonly [read: string, update: string] => {
    let pair = grants.get(id)
    if (pair === undefined) {
      pair = [perm('read', user(id)), perm('update', user(id))]
      if (grants.size >= GRANTS_CACHE_LIMIT) grants.clear()
      grants.set(id, pair)
    }
    return pair
  }
  const readOnly = (customerId: string, providerId: string): readonly string[] => [
    grantsOf(customerId)[0],
    grantsOf(mapProvider(providerId))[0],
    ...admin,
  ]
  return {
    booking: readOnly,
    participants(customerId, providerId) {
      const customer = grantsOf(customerId)
      const provider = grantsOf(mapProvider(providerId))
      return [customer[0], customer[1], provider[0], provider[1], ...admin]
    },
    message: readOnly,
    recipient(userId) {
      const recipient = grantsOf(userId)
      return [recipient[0], recipient[1], ...admin]
    },
    providerUser: mapProvider,
  }
}
