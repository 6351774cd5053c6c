import { ID } from 'appwrite'
import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite, createManualClock } from '../index'
import { appwriteError, rejection } from './helpers'

const password = 'correct horse battery'

describe('account', () => {
  it('should sign up, sign in, read the account and sign out like a browser client', async () => {
    const fake = createFakeAppwrite({ seed: 1 })
    const created = await fake.account.create({
      userId: ID.unique(),
      email: 'Ada@Example.com',
      password,
      name: 'Ada',
    })
    expect(created).toMatchObject({
      name: 'Ada',
      email: 'ada@example.com',
      status: true,
      emailVerification: false,
      prefs: {},
      labels: [],
    })
    expect(created.$id).toMatch(/^[0-9a-f]{20}$/)
    // Creating the account opens no session.
    expect(await rejection(fake.account.get())).toMatchObject(
      appwriteError(
        401,
        'general_unauthorized_scope',
        'User (role: guests) missing scopes (["account"])',
      ),
    )

    const session = await fake.account.createEmailPasswordSession({
      email: 'ada@example.com',
      password,
    })
    expect(session).toMatchObject({
      userId: created.$id,
      provider: 'email',
      providerUid: 'ada@example.com',
      factors: ['password'],
      current: true,
      secret: '',
    })
    expect(await fake.account.get()).toMatchObject({ $id: created.$id, name: 'Ada' })
    expect(await rejection(fake.account.createAnonymousSession())).toMatchObject(
      appwriteError(401, 'user_session_already_exists'),
    )
    expect(await fake.account.listSessions()).toMatchObject({
      total: 1,
      sessions: [{ $id: session.$id, current: true }],
    })

    expect(await fake.account.deleteSession({ sessionId: 'current' })).toEqual({})
    expect(await rejection(fake.account.get())).toMatchObject({
      type: 'general_unauthorized_scope',
    })
  })

  it('should refuse taken ids and emails, wrong passwords and bad input with the server errors', async () => {
    const fake = createFakeAppwrite()
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password })
    expect(
      await rejection(fake.account.create({ userId: 'other', email: 'ADA@example.com', password })),
    ).toMatchObject(appwriteError(409, 'user_already_exists'))
    expect(
      await rejection(fake.account.create({ userId: 'ada', email: 'new@example.com', password })),
    ).toMatchObject(appwriteError(409, 'user_already_exists'))
    expect(
      await rejection(
        fake.account.create({ userId: 'bob', email: 'bob@example.com', password: 'short' }),
      ),
    ).toMatchObject(
      appwriteError(
        400,
        'general_argument_invalid',
        'Invalid `password` param: Password must be between 8 and 256 characters long.',
      ),
    )
    expect(
      await rejection(fake.account.create({ userId: 'bob', email: 'not-an-email', password })),
    ).toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `email` param: Value must be a valid email address',
    })
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({
          email: 'ada@example.com',
          password: 'wrong password',
        }),
      ),
    ).toMatchObject(
      appwriteError(
        401,
        'user_invalid_credentials',
        'Invalid credentials. Please check the email and password.',
      ),
    )
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({ email: 'nobody@example.com', password }),
      ),
    ).toMatchObject({ type: 'user_invalid_credentials' })
  })

  it('should store passwords only as salted hashes', async () => {
    const fake = createFakeAppwrite()
    installAccountFeatures(fake)
    const a = await fake.users.create({ userId: 'a', email: 'a@example.com', password })
    const b = await fake.users.create({ userId: 'b', email: 'b@example.com', password })
    expect(a.password).not.toContain(password)
    expect(a.password).toMatch(/^scrypt\$16384\$8\$1\$/)
    // Same password, different salts.
    expect(a.password).not.toBe(b.password)
    expect(a.hash).toBe('scrypt')
    expect(JSON.stringify(fake.snapshot())).not.toContain(password)
  })

  it('should keep an anonymous session, then let it set an email and password', async () => {
    const fake = createFakeAppwrite()
    const session = await fake.account.createAnonymousSession()
    expect(session).toMatchObject({ provider: 'anonymous', factors: ['anonymous'], current: true })
    expect(await fake.account.get()).toMatchObject({
      $id: session.userId,
      email: '',
      name: '',
      passwordUpdate: '',
    })
    // An anonymous user has no password: `updateEmail` sets it.
    await fake.account.updateEmail({ email: 'anon@example.com', password })
    await fake.account.deleteSession({ sessionId: 'current' })
    await fake.account.createEmailPasswordSession({ email: 'anon@example.com', password })
    expect((await fake.account.get()).$id).toBe(session.userId)
  })

  it('should update name, prefs and password, checking the old password', async () => {
    const fake = createFakeAppwrite()
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password })
    await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password })
    expect(await fake.account.updateName({ name: 'Ada L.' })).toMatchObject({ name: 'Ada L.' })
    await fake.account.updatePrefs({ prefs: { theme: 'dark', lang: 'en' } })
    // Prefs are replaced as a whole.
    expect(await fake.account.updatePrefs({ prefs: { theme: 'light' } })).toMatchObject({
      prefs: { theme: 'light' },
    })
    expect(await fake.account.getPrefs()).toEqual({ theme: 'light' })
    expect(
      await rejection(
        fake.account.updatePassword({ password: 'new password 1', oldPassword: 'nope nope' }),
      ),
    ).toMatchObject({ type: 'user_invalid_credentials' })
    await fake.account.updatePassword({ password: 'new password 1', oldPassword: password })
    await fake.account.deleteSessions()
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({ email: 'ada@example.com', password }),
      ),
    ).toMatchObject({ type: 'user_invalid_credentials' })
    await fake.account.createEmailPasswordSession({
      email: 'ada@example.com',
      password: 'new password 1',
    })
  })

  it('should issue JWTs that expire after their duration on the fake clock', async () => {
    const clock = createManualClock({ now: Date.UTC(2026, 0, 1) })
    const fake = createFakeAppwrite({ clock })
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password })
    await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password })
    const { jwt } = await fake.account.createJWT()
    const [, payload] = jwt.split('.')
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<
      string,
      unknown
    >
    expect(claims).toEqual({
      userId: 'ada',
      sessionId: expect.any(String),
      exp: Date.UTC(2026, 0, 1) / 1000 + 900,
    })
    expect(await rejection(fake.account.createJWT({ duration: 3601 }))).toMatchObject({
      type: 'general_argument_invalid',
    })
  })

  it('should let a blocked user not sign in and report sessions and JWTs through users', async () => {
    const fake = createFakeAppwrite()
    installAccountFeatures(fake)
    await fake.users.create({ userId: 'ada', email: 'ada@example.com', password, name: 'Ada' })
    expect(
      await fake.users.list({
        queries: ['{"method":"equal","attribute":"name","values":["Ada"]}'],
      }),
    ).toMatchObject({
      total: 1,
      users: [{ $id: 'ada' }],
    })
    const server = await fake.users.createSession({ userId: 'ada' })
    expect(server).toMatchObject({ provider: 'server', userId: 'ada' })
    expect(JSON.parse(Buffer.from(server.secret, 'base64').toString())).toMatchObject({ id: 'ada' })
    await fake.users.updateStatus({ userId: 'ada', status: false })
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({ email: 'ada@example.com', password }),
      ),
    ).toMatchObject(appwriteError(403, 'user_blocked'))
    await fake.users.delete({ userId: 'ada' })
    expect(await rejection(fake.users.get({ userId: 'ada' }))).toMatchObject(
      appwriteError(404, 'user_not_found'),
    )
  })

  it('should let faults fail and delay account calls', async () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({ clock })
    fake.faults.fail({ api: 'account', operation: 'createEmailPasswordSession', times: 1 })
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password })
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({ email: 'ada@example.com', password }),
      ),
    ).toMatchObject(appwriteError(500, 'general_server_error'))
    fake.faults.latency({ api: 'account', operation: 'get', ms: 1_000 })
    await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password })
    let done = false
    const pending = fake.account.get().then(() => (done = true))
    await clock.advance(999)
    expect(done).toBe(false)
    await clock.advance(1)
    await pending
    expect(done).toBe(true)
    expect(fake.faults.log).toMatchObject([
      { kind: 'error', api: 'account', operation: 'createEmailPasswordSession' },
      { kind: 'latency', api: 'account', operation: 'get', ms: 1_000 },
    ])
  })

  it('should give fake.as(...) the account of its user', async () => {
    const fake = createFakeAppwrite()
    expect(await fake.as({ userId: 'p1', verified: true }).account.get()).toMatchObject({
      $id: 'p1',
      emailVerification: true,
    })
    expect(await rejection(fake.as('guest').account.get())).toMatchObject({
      type: 'general_unauthorized_scope',
    })
  })
})
