import type { FakeUsers } from '../../fake/users'
import { requireScopes } from '../auth'
import { httpError, looseBoolean, looseNumber } from '../http'
import type { Params } from '../http'
import type { RouteContext, RouteHandler, Router } from '../router'

const pick = (params: Params, names: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const name of names) if (params[name] !== undefined) out[name] = params[name]
  return out
}

/**
 * What the emulator answers for the Users routes of services it does not serve: 405
 * `general_not_implemented` with what to do instead, as for the account's MFA and OAuth2 routes,
 * so a call fails loudly rather than on a 404 that reads like a typo.
 */
const NOT_SERVED = {
  targets:
    "The Appwrite emulator does not serve messaging targets (it has no Messaging service): a user's email and phone show in its `targets`, but targets cannot be listed, created or changed. Test messaging against a real Appwrite server.",
  mfa: 'The Appwrite emulator does not serve multi-factor authentication (factors, authenticators, challenges, recovery codes): users.updateMfa sets the flag only, and sign-in never asks for a second factor. Test MFA flows against a real Appwrite server.',
  impersonator:
    'The Appwrite emulator does not serve user impersonation: no user can be made an impersonator, so impersonation headers are ignored, as the server ignores them from other users. Test impersonation against a real Appwrite server.',
} as const

const REFUSED: ReadonlyArray<
  readonly ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string, keyof typeof NOT_SERVED]
> = [
  ['GET', '/v1/users/:userId/targets', 'targets'],
  ['POST', '/v1/users/:userId/targets', 'targets'],
  ['GET', '/v1/users/:userId/targets/:targetId', 'targets'],
  ['PATCH', '/v1/users/:userId/targets/:targetId', 'targets'],
  ['DELETE', '/v1/users/:userId/targets/:targetId', 'targets'],
  ['GET', '/v1/users/:userId/mfa/factors', 'mfa'],
  ['GET', '/v1/users/:userId/mfa/recovery-codes', 'mfa'],
  ['PUT', '/v1/users/:userId/mfa/recovery-codes', 'mfa'],
  ['PATCH', '/v1/users/:userId/mfa/recovery-codes', 'mfa'],
  ['DELETE', '/v1/users/:userId/mfa/authenticators/:type', 'mfa'],
  ['GET', '/v1/users/:userId/mfa/challenges/:challengeId', 'mfa'],
  ['PATCH', '/v1/users/:userId/impersonator', 'impersonator'],
]

/**
 * The Users service (`app/controllers/api/users.php`), for API keys only (a guest or user gets
 * `general_unauthorized_scope`), over the fake's `users`: create 201 (plain or with a hash made
 * elsewhere: bcrypt, md5, argon2, sha, phpass, scrypt, scrypt-modified), get, list, delete 204,
 * the `PATCH`/`PUT` updates (phone, verifications and MFA flag included), prefs, sessions (create
 * 201 with the session value in `secret`), JWTs, and the empty logs and identities.
 *
 * @internal
 */
export function registerUsersRoutes(router: Router, users: FakeUsers): void {
  const keyOnly =
    (scope: 'users.read' | 'users.write', handler: RouteHandler): RouteHandler =>
    (ctx) => {
      requireScopes(ctx.caller, [scope])
      return handler(ctx)
    }
  const withUser = (ctx: RouteContext, names: readonly string[]): Record<string, unknown> => ({
    ...pick(ctx.params, names),
    userId: ctx.path.userId as string,
  })
  type Call = (params: never) => Promise<unknown>
  const call = (method: keyof FakeUsers, params: Record<string, unknown>) =>
    (users[method] as unknown as Call).call(users, params as never)

  // Literal paths first: `/v1/users/identities` must not be read as a user id.
  const declared = (scope: 'users.read' | 'users.write', params: readonly string[]) => ({
    params,
    guard: (ctx: RouteContext) => requireScopes(ctx.caller, [scope]),
  })
  router.add(
    'GET',
    '/v1/users/identities',
    async (ctx) => {
      const params = pick(ctx.params, ['queries', 'search', 'total'])
      if (params.total !== undefined) params.total = looseBoolean(params.total)
      return { body: await users.listIdentities(params as never) }
    },
    declared('users.read', ['queries', 'search', 'total']),
  )
  router.add(
    'DELETE',
    '/v1/users/identities/:identityId',
    async (ctx) => {
      await users.deleteIdentity({ identityId: ctx.path.identityId as string })
      return { status: 204 }
    },
    declared('users.write', []),
  )
  // The creators of users whose password hash was made elsewhere (migrations).
  const common = ['userId', 'email', 'password', 'name']
  const hashed: ReadonlyArray<readonly [string, keyof FakeUsers, readonly string[]]> = [
    ['bcrypt', 'createBcryptUser', []],
    ['md5', 'createMD5User', []],
    ['argon2', 'createArgon2User', []],
    ['sha', 'createSHAUser', ['passwordVersion']],
    ['phpass', 'createPHPassUser', []],
    [
      'scrypt',
      'createScryptUser',
      ['passwordSalt', 'passwordCpu', 'passwordMemory', 'passwordParallel', 'passwordLength'],
    ],
    [
      'scrypt-modified',
      'createScryptModifiedUser',
      ['passwordSalt', 'passwordSaltSeparator', 'passwordSignerKey'],
    ],
  ]
  for (const [segment, name, extra] of hashed) {
    const names = [...common, ...extra]
    router.add(
      'POST',
      `/v1/users/${segment}`,
      async (ctx) => {
        const params = pick(ctx.params, names)
        for (const numeric of extra.filter((n) => /Cpu|Memory|Parallel|Length/.test(n)))
          if (params[numeric] !== undefined) params[numeric] = looseNumber(params[numeric])
        return { status: 201, body: await call(name, params) }
      },
      declared('users.write', names),
    )
  }
  router.add(
    'POST',
    '/v1/users',
    keyOnly('users.write', async (ctx) => ({
      status: 201,
      body: await users.create(
        pick(ctx.params, ['userId', 'email', 'phone', 'password', 'name']) as never,
      ),
    })),
  )
  router.add(
    'GET',
    '/v1/users',
    keyOnly('users.read', async (ctx) => {
      const params = pick(ctx.params, ['queries', 'search', 'total'])
      if (params.total !== undefined) params.total = looseBoolean(params.total)
      return { body: await users.list(params as never) }
    }),
  )
  // The routes that take only the ids in their path; the answer follows the method, as on the
  // server: 200 for GET, 201 for POST, 204 with no body for DELETE.
  const byPath: ReadonlyArray<readonly ['GET' | 'POST' | 'DELETE', string, keyof FakeUsers]> = [
    ['GET', '', 'get'],
    ['DELETE', '', 'delete'],
    ['GET', '/prefs', 'getPrefs'],
    ['GET', '/sessions', 'listSessions'],
    ['POST', '/sessions', 'createSession'],
    ['DELETE', '/sessions', 'deleteSessions'],
    ['DELETE', '/sessions/:sessionId', 'deleteSession'],
  ]
  for (const [method, segment, name] of byPath) {
    router.add(
      method,
      `/v1/users/:userId${segment}`,
      keyOnly(method === 'GET' ? 'users.read' : 'users.write', async (ctx) => {
        const body = await call(name, { ...ctx.path })
        if (method === 'DELETE') return { status: 204 }
        return method === 'POST' ? { status: 201, body } : { body }
      }),
    )
  }
  const updates: ReadonlyArray<readonly ['PATCH' | 'PUT', string, keyof FakeUsers, string]> = [
    ['PATCH', 'name', 'updateName', 'name'],
    ['PATCH', 'email', 'updateEmail', 'email'],
    ['PATCH', 'password', 'updatePassword', 'password'],
    ['PATCH', 'status', 'updateStatus', 'status'],
    ['PATCH', 'verification', 'updateEmailVerification', 'emailVerification'],
    ['PUT', 'labels', 'updateLabels', 'labels'],
    ['PATCH', 'prefs', 'updatePrefs', 'prefs'],
  ]
  for (const [method, segment, name, param] of updates) {
    router.add(
      method,
      `/v1/users/:userId/${segment}`,
      keyOnly('users.write', async (ctx) => {
        const params = withUser(ctx, [param])
        if (param === 'status' || param === 'emailVerification')
          params[param] = looseBoolean(params[param])
        return { body: await call(name, params) }
      }),
    )
  }
  const flags: ReadonlyArray<readonly [string, keyof FakeUsers, string]> = [
    ['verification/phone', 'updatePhoneVerification', 'phoneVerification'],
    ['mfa', 'updateMfa', 'mfa'],
  ]
  for (const [segment, name, param] of flags) {
    router.add(
      'PATCH',
      `/v1/users/:userId/${segment}`,
      async (ctx) => {
        const params = withUser(ctx, [param])
        params[param] = looseBoolean(params[param])
        return { body: await call(name, params) }
      },
      declared('users.write', [param]),
    )
  }
  router.add(
    'PATCH',
    '/v1/users/:userId/phone',
    async (ctx) => ({ body: await call('updatePhone', withUser(ctx, ['number'])) }),
    declared('users.write', ['number']),
  )
  router.add(
    'GET',
    '/v1/users/:userId/logs',
    async (ctx) => {
      const params = withUser(ctx, ['queries', 'total'])
      if (params.total !== undefined) params.total = looseBoolean(params.total)
      return { body: await call('listLogs', params) }
    },
    declared('users.read', ['queries', 'total']),
  )
  router.add(
    'POST',
    '/v1/users/:userId/tokens',
    keyOnly('users.write', async (ctx) => {
      const params = withUser(ctx, ['length', 'expire'])
      for (const name of ['length', 'expire'] as const)
        if (params[name] !== undefined) params[name] = looseNumber(params[name])
      return { status: 201, body: await call('createToken', params) }
    }),
  )
  for (const [method, path, feature] of REFUSED)
    router.add(method, path, () => {
      throw httpError('general_not_implemented', NOT_SERVED[feature])
    })
  router.add(
    'POST',
    '/v1/users/:userId/jwts',
    keyOnly('users.write', async (ctx) => {
      const params = withUser(ctx, ['sessionId', 'duration'])
      if (params.duration !== undefined) params.duration = looseNumber(params.duration)
      return { status: 201, body: await call('createJWT', params) }
    }),
  )
}
