import type { FakeUsers } from '../../fake/users'
import { requireScopes } from '../auth'
import { looseBoolean, looseNumber } from '../http'
import type { Params } from '../http'
import type { RouteContext, RouteHandler, Router } from '../router'

const pick = (params: Params, names: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const name of names) if (params[name] !== undefined) out[name] = params[name]
  return out
}

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
