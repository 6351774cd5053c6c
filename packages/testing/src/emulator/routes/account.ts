import { FakeAccount } from '../../fake/account'
import type { AccountAuth } from '../../fake/account'
import type { StoredSession } from '../../fake/accounts'
import type { Outbox, TokenKind } from '../../fake/tokens'
import type { FaultGate } from '../../fake/types'
import { sessionCookieName } from '../auth'
import type { AuthRegistry, EmulatorUserOptions } from '../auth'
import { httpError, looseBoolean } from '../http'
import type { Params, RouteResult } from '../http'
import type { HttpMethod, RouteContext, Router } from '../router'

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

const TOKEN_KINDS: readonly string[] = [
  'verification',
  'recovery',
  'magicUrl',
  'emailOtp',
  'phoneOtp',
  'phoneVerification',
]

/**
 * What the emulator answers for the sign-in methods it does not serve: 405
 * `general_not_implemented`, as for relationship columns, with a message saying what to use
 * instead, so an app that reaches one fails loudly rather than on a 404 that reads like a typo.
 */
const NOT_SERVED = {
  targets:
    'The Appwrite emulator does not serve push targets (it has no Messaging service). Test push messaging against a real Appwrite server.',
  mfa: 'The Appwrite emulator does not serve multi-factor authentication (authenticators, challenges, recovery codes): its accounts have mfa: false, so sign-in never asks for a second factor. Test MFA flows against a real Appwrite server.',
  oauth2:
    'The Appwrite emulator does not serve OAuth2 sign-in (it reaches no provider). Sign in with email and password, an email OTP (account.createEmailToken) or a magic URL, or use emulator.createSession(userId) in tests.',
} as const

/** What the account routes need from the emulator. @internal */
export interface AccountRoutesOptions {
  readonly auth: AuthRegistry
  /** The installed account features' outbox (`GET|DELETE /v1/emulator/outbox`). */
  readonly outbox: Outbox
  readonly faults: FaultGate
  readonly projectId: string
}

/**
 * The cookies `account.php` sets on a new session (`a_session_<project>`, with `SameSite=None`, and
 * its `_legacy` twin without, for browsers that drop `SameSite=None` cookies on plain http), host-only
 * (the emulator serves `127.0.0.1` / `localhost`), `HttpOnly`, `Path=/`; and `X-Fallback-Cookies`,
 * which the server sends when the Origin's domain does not match its own (always, on localhost).
 * Ending the session clears both cookies and sends `X-Fallback-Cookies: []`.
 */
export function sessionHeaders(
  projectId: string,
  value: string | undefined,
  expire: number,
): Record<string, string | string[]> {
  const name = sessionCookieName(projectId)
  const expires = new Date(expire).toUTCString()
  // A cleared cookie reads `deleted`, as PHP and Swoole write a cookie set to ''.
  const encoded = value === undefined ? 'deleted' : encodeURIComponent(value)
  return {
    'Set-Cookie': [
      `${name}_legacy=${encoded}; Expires=${expires}; Path=/; HttpOnly`,
      `${name}=${encoded}; Expires=${expires}; Path=/; HttpOnly; SameSite=None`,
    ],
    'X-Fallback-Cookies':
      value === undefined ? '[]' : JSON.stringify({ [`a_session_${projectId}`]: value }),
  }
}

/** The request's params `names`, as the strings the `FakeAccount` method takes (missing ones too). */
const passOn = <K extends string>(params: Params, names: readonly K[]): Record<K, string> =>
  Object.fromEntries(names.map((name) => [name, params[name]])) as Record<K, string>

/** The `FakeAccount` methods behind the email-flow routes. */
type EmailFlow =
  | 'createEmailVerification'
  | 'updateEmailVerification'
  | 'createRecovery'
  | 'updateRecovery'
  | 'createEmailToken'
  | 'createMagicURLToken'
  | 'createPhoneToken'
  | 'createPhoneVerification'
  | 'updatePhoneVerification'

/**
 * `GET /v1/ping`, the Account service (`app/controllers/api/account.php`): sign-up, email/password
 * and anonymous sessions (with their cookies), sessions, JWTs, prefs, name, email, password; and
 * the emulator's test sign-in shortcut, which needs the API key and exists only in the emulator:
 * `POST /v1/emulator/users/:userId/jwts` → `201 { jwt }` and
 * `POST /v1/emulator/users/:userId/sessions` → `201 { $id, userId, secret }` (`secret` is the
 * session value for `client.setSession`), with an optional body
 * `{ name?, email?, verified?, teams?, labels? }`.
 *
 * @internal
 */
export function registerAccountRoutes(router: Router, options: AccountRoutesOptions): void {
  const { auth, outbox, faults, projectId } = options
  router.add('GET', '/v1/ping', () => ({ text: 'Pong!' }))

  /** The fake's `account` as the request's caller; `created` gets a session it opens. */
  const account = (ctx: RouteContext, created?: { value?: string; session?: StoredSession }) => {
    const caller = auth.accountCaller(ctx.caller)
    const handlers: AccountAuth = {
      caller: () => caller,
      onSession(value, session) {
        if (created !== undefined) {
          created.value = value
          created.session = session
        }
      },
      onSessionDeleted() {
        if (created !== undefined) created.value = ''
      },
      ip: () => ctx.clientIp,
    }
    return new FakeAccount(auth.store, faults, handlers)
  }

  const withSession = async (
    ctx: RouteContext,
    open: (service: FakeAccount) => Promise<unknown>,
  ): Promise<RouteResult> => {
    const created: { value?: string; session?: StoredSession } = {}
    const body = await open(account(ctx, created))
    const headers =
      created.value !== undefined && created.session !== undefined
        ? sessionHeaders(projectId, created.value, created.session.expire)
        : undefined
    return { status: 201, body, ...(headers === undefined ? {} : { headers }) }
  }

  const ended = async (ctx: RouteContext, end: (service: FakeAccount) => Promise<unknown>) => {
    const created: { value?: string } = {}
    await end(account(ctx, created))
    // The server clears the cookies with an expiry an hour in the past.
    const headers =
      created.value === ''
        ? sessionHeaders(projectId, undefined, auth.store.now() - 3_600_000)
        : undefined
    return { status: 204, ...(headers === undefined ? {} : { headers }) }
  }

  router.add('POST', '/v1/account', async (ctx) => ({
    status: 201,
    body: await account(ctx).create({
      userId: ctx.params.userId as string,
      email: ctx.params.email as string,
      password: ctx.params.password as string,
      ...(ctx.params.name === undefined ? {} : { name: ctx.params.name as string }),
    }),
  }))
  router.add('GET', '/v1/account', async (ctx) => ({ body: await account(ctx).get() }))

  const emailSession = (ctx: RouteContext) =>
    withSession(ctx, (service) =>
      service.createEmailPasswordSession(passOn(ctx.params, ['email', 'password'])),
    )
  router.add('POST', '/v1/account/sessions/email', emailSession)
  // The pre-1.5 route of `createEmailSession`.
  router.add('POST', '/v1/account/sessions', emailSession)
  router.add('POST', '/v1/account/sessions/anonymous', (ctx) =>
    withSession(ctx, (service) => service.createAnonymousSession()),
  )
  router.add('GET', '/v1/account/sessions', async (ctx) => ({
    body: await account(ctx).listSessions(),
  }))
  router.add('DELETE', '/v1/account/sessions', (ctx) =>
    ended(ctx, (service) => service.deleteSessions()),
  )
  router.add('GET', '/v1/account/sessions/:sessionId', async (ctx) => ({
    body: await account(ctx).getSession({ sessionId: ctx.path.sessionId as string }),
  }))
  router.add('PATCH', '/v1/account/sessions/:sessionId', async (ctx) => ({
    body: await account(ctx).updateSession({ sessionId: ctx.path.sessionId as string }),
  }))
  router.add('PATCH', '/v1/account/status', async (ctx) => ({
    body: await account(ctx).updateStatus(),
    // The server clears the session cookies, though the sessions themselves stay (blocked).
    headers: sessionHeaders(projectId, undefined, auth.store.now() - 3_600_000),
  }))
  router.add('DELETE', '/v1/account', async (ctx) => {
    await account(ctx).delete()
    return { status: 204 }
  })
  router.add('DELETE', '/v1/account/sessions/:sessionId', (ctx) =>
    ended(ctx, (service) => service.deleteSession({ sessionId: ctx.path.sessionId as string })),
  )
  const jwt = async (ctx: RouteContext) => ({
    status: 201,
    body: await account(ctx).createJWT(
      // 1.8 ignores `duration`; 1.9 honours it (0–3600).
      ctx.params.duration === undefined ? {} : { duration: Number(ctx.params.duration) },
    ),
  })
  router.add('POST', '/v1/account/jwts', jwt)
  router.add('POST', '/v1/account/jwt', jwt)
  router.add('GET', '/v1/account/prefs', async (ctx) => ({ body: await account(ctx).getPrefs() }))
  router.add('PATCH', '/v1/account/prefs', async (ctx) => ({
    body: await account(ctx).updatePrefs({ prefs: ctx.params.prefs as Record<string, unknown> }),
  }))
  router.add('PATCH', '/v1/account/name', async (ctx) => ({
    body: await account(ctx).updateName({ name: ctx.params.name as string }),
  }))
  router.add('PATCH', '/v1/account/email', async (ctx) => ({
    body: await account(ctx).updateEmail({
      email: ctx.params.email as string,
      password: ctx.params.password as string,
    }),
  }))
  router.add('PATCH', '/v1/account/password', async (ctx) => ({
    body: await account(ctx).updatePassword({
      password: ctx.params.password as string,
      ...(typeof ctx.params.oldPassword === 'string'
        ? { oldPassword: ctx.params.oldPassword }
        : {}),
    }),
  }))

  /**
   * The email flows: each route calls the `FakeAccount` method with the named params, plus the
   * `optional` ones a request sends (`phrase` read as a boolean); a POST answers 201. The paths
   * include those of older SDKs: `/v1/account/verification` before 1.8's rename, and
   * `POST /v1/account/sessions/magic-url` (`createMagicURLSession`) before 1.5. SDKs before 1.5
   * also send `passwordAgain` to `PUT /v1/account/recovery`, which the server's filter drops.
   */
  const emailFlows: ReadonlyArray<
    readonly [HttpMethod, string, EmailFlow, readonly string[], readonly string[]]
  > = [
    ['POST', '/v1/account/verifications/email', 'createEmailVerification', ['url'], []],
    ['PUT', '/v1/account/verifications/email', 'updateEmailVerification', ['userId', 'secret'], []],
    ['POST', '/v1/account/verification', 'createEmailVerification', ['url'], []],
    ['PUT', '/v1/account/verification', 'updateEmailVerification', ['userId', 'secret'], []],
    ['POST', '/v1/account/recovery', 'createRecovery', ['email', 'url'], []],
    ['PUT', '/v1/account/recovery', 'updateRecovery', ['userId', 'secret', 'password'], []],
    ['POST', '/v1/account/tokens/email', 'createEmailToken', ['userId', 'email'], ['phrase']],
    [
      'POST',
      '/v1/account/tokens/magic-url',
      'createMagicURLToken',
      ['userId', 'email'],
      ['url', 'phrase'],
    ],
    [
      'POST',
      '/v1/account/sessions/magic-url',
      'createMagicURLToken',
      ['userId', 'email'],
      ['url', 'phrase'],
    ],
    // Phone: the SMS land in the outbox too. `POST /v1/account/sessions/phone` is the old path
    // of the token route, `/v1/account/verification/phone` the old one of the verifications.
    ['POST', '/v1/account/tokens/phone', 'createPhoneToken', ['userId', 'phone'], []],
    ['POST', '/v1/account/sessions/phone', 'createPhoneToken', ['userId', 'phone'], []],
    ['POST', '/v1/account/verifications/phone', 'createPhoneVerification', [], []],
    ['POST', '/v1/account/verification/phone', 'createPhoneVerification', [], []],
    ['PUT', '/v1/account/verifications/phone', 'updatePhoneVerification', ['userId', 'secret'], []],
    ['PUT', '/v1/account/verification/phone', 'updatePhoneVerification', ['userId', 'secret'], []],
  ]
  for (const [method, path, name, names, optional] of emailFlows) {
    router.add(method, path, async (ctx) => {
      const params: Record<string, unknown> = passOn(ctx.params, names)
      for (const param of optional) {
        const value = ctx.params[param]
        if (value !== undefined) params[param] = param === 'phrase' ? looseBoolean(value) : value
      }
      const service = account(ctx)
      const flow = service[name] as (params: never) => Promise<unknown>
      const body = await flow.call(service, params as never)
      return method === 'POST' ? { status: 201, body } : { body }
    })
  }
  const tokenSession = (ctx: RouteContext) =>
    withSession(ctx, (service) => service.createSession(passOn(ctx.params, ['userId', 'secret'])))
  router.add('POST', '/v1/account/sessions/token', tokenSession)
  router.add('PUT', '/v1/account/sessions/magic-url', tokenSession)
  router.add('PUT', '/v1/account/sessions/phone', (ctx) =>
    withSession(ctx, (service) =>
      service.updatePhoneSession(passOn(ctx.params, ['userId', 'secret'])),
    ),
  )
  router.add('PATCH', '/v1/account/phone', async (ctx) => ({
    body: await account(ctx).updatePhone(passOn(ctx.params, ['phone', 'password'])),
  }))
  // No identity can exist without OAuth2: the list is empty, as the server's is for such a user.
  router.add('GET', '/v1/account/identities', async (ctx) => {
    await account(ctx).get()
    return { body: { total: 0, identities: [] } }
  })

  const notServed = (feature: keyof typeof NOT_SERVED) => (): RouteResult => {
    throw httpError('general_not_implemented', NOT_SERVED[feature])
  }
  const refused: ReadonlyArray<readonly [HttpMethod, string, keyof typeof NOT_SERVED]> = [
    ['POST', '/v1/account/targets/push', 'targets'],
    ['PUT', '/v1/account/targets/:targetId/push', 'targets'],
    ['DELETE', '/v1/account/targets/:targetId/push', 'targets'],
    ['PATCH', '/v1/account/mfa', 'mfa'],
    ['GET', '/v1/account/mfa/factors', 'mfa'],
    ['POST', '/v1/account/mfa/authenticators/:type', 'mfa'],
    ['PUT', '/v1/account/mfa/authenticators/:type', 'mfa'],
    ['DELETE', '/v1/account/mfa/authenticators/:type', 'mfa'],
    ['POST', '/v1/account/mfa/challenges', 'mfa'],
    ['PUT', '/v1/account/mfa/challenges', 'mfa'],
    ['POST', '/v1/account/mfa/challenge', 'mfa'],
    ['PUT', '/v1/account/mfa/challenge', 'mfa'],
    ['GET', '/v1/account/mfa/recovery-codes', 'mfa'],
    ['POST', '/v1/account/mfa/recovery-codes', 'mfa'],
    ['PATCH', '/v1/account/mfa/recovery-codes', 'mfa'],
    ['GET', '/v1/account/sessions/oauth2/:provider', 'oauth2'],
    ['GET', '/v1/account/tokens/oauth2/:provider', 'oauth2'],
    ['GET', '/v1/account/sessions/oauth2/callback/:provider/:projectId', 'oauth2'],
    ['POST', '/v1/account/sessions/oauth2/callback/:provider/:projectId', 'oauth2'],
    ['GET', '/v1/account/sessions/oauth2/:provider/redirect', 'oauth2'],
    ['DELETE', '/v1/account/identities/:identityId', 'oauth2'],
  ]
  for (const [method, path, feature] of refused) router.add(method, path, notServed(feature))

  // The outbox: the emails the routes above "sent", for tests and tools outside the process.
  router.add('GET', '/v1/emulator/outbox', ({ caller, params }) => {
    if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
    const kind = string(params.kind)
    if (kind !== undefined && !TOKEN_KINDS.includes(kind))
      throw httpError(
        'general_argument_invalid',
        `Invalid \`kind\` param: Value must be one of (${TOKEN_KINDS.join(', ')})`,
      )
    const messages = outbox.list({
      ...(string(params.email) === undefined ? {} : { email: string(params.email) }),
      ...(string(params.phone) === undefined ? {} : { phone: string(params.phone) }),
      ...(string(params.userId) === undefined ? {} : { userId: string(params.userId) }),
      ...(kind === undefined ? {} : { kind: kind as TokenKind }),
    })
    return { body: { total: messages.length, messages } }
  })
  router.add('DELETE', '/v1/emulator/outbox', ({ caller }) => {
    if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
    outbox.clear()
    return { status: 204 }
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
    const session = auth.store.sessionsOf(userId).at(-1)
    return { status: 201, body: { $id: session?.$id ?? '', userId, secret } }
  })
}
