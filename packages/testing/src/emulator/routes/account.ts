import { accountModel, requireScopes } from '../auth'
import type { AuthRegistry, EmulatorUserOptions } from '../auth'
import { httpError } from '../http'
import type { Params } from '../http'
import type { Router } from '../router'

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined

const string = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined

function userOptions(params: Params): EmulatorUserOptions {
  const teams = params.teams
  return {
    name: string(params.name),
    email: string(params.email),
    verified: typeof params.verified === 'boolean' ? params.verified : undefined,
    teams:
      teams !== null && typeof teams === 'object' && !Array.isArray(teams)
        ? (teams as EmulatorUserOptions['teams'])
        : undefined,
    labels: strings(params.labels),
  }
}

/**
 * `GET /v1/ping` (`app/controllers/general.php`: `Pong!` as text), `GET /v1/account` for a signed-in
 * caller, and the emulator's test sign-in shortcut, which needs the API key:
 * `POST /v1/emulator/users/:userId/jwts` → `201 { jwt }` and
 * `POST /v1/emulator/users/:userId/sessions` → `201 { $id, userId, secret }`, with an optional body
 * `{ name?, email?, verified?, teams?, labels? }`.
 *
 * @internal
 */
export function registerAccountRoutes(router: Router, auth: AuthRegistry): void {
  router.add('GET', '/v1/ping', () => ({ text: 'Pong!' }))

  router.add('GET', '/v1/account', ({ caller }) => {
    if (caller.kind === 'user') return { body: accountModel(caller.user) }
    // Guests lack the route's `account` scope; so do API keys, which are not accounts.
    if (caller.kind === 'guest') requireScopes(caller, ['account'])
    throw httpError('general_unauthorized_scope')
  })

  router.add('POST', '/v1/emulator/users/:userId/jwts', ({ caller, path, params }) => {
    if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
    const userId = path.userId as string
    return { status: 201, body: { jwt: auth.createJWT(userId, userOptions(params)) } }
  })

  router.add('POST', '/v1/emulator/users/:userId/sessions', ({ caller, path, params }) => {
    if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
    const userId = path.userId as string
    const secret = auth.createSession(userId, userOptions(params))
    return { status: 201, body: { $id: secret.slice(0, 20), userId, secret } }
  })
}
