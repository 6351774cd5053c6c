import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { createAccount, isDatetime, must, startUpstream } from './upstream'
import type { Upstream } from './upstream'

// Facts from tests/e2e/Services/Account/AccountBase.php and AccountCustomClientTest.php
// (appwrite 1.9.6): the Account API over raw HTTP, signed in by the `a_session_<project>` cookie.
const BASE = 'tests/e2e/Services/Account/AccountBase.php'
const CLIENT = 'tests/e2e/Services/Account/AccountCustomClientTest.php'

const clock = createManualClock()
let up: Upstream

/** A new account (email + password) and one session for it: its value and id. */
async function account(name = 'User Name') {
  const created = await createAccount(up, clock.now(), up.guest, name)
  return {
    ...created,
    session: up.sessionOf(created.session),
    sessionId: created.session.body.$id as string,
  }
}

beforeAll(async () => {
  up = await startUpstream({ fake: createFakeAppwrite({ strict: true, clock }) })
})

afterAll(async () => {
  await up.close()
})

describe('Account, as the server tests it', () => {
  it(`${BASE} testCreateAccount: should answer 201 with the account, then 409 for the same email`, async () => {
    const email = `${clock.now()}user@localhost.test`
    const params = { userId: 'unique()', email, password: 'password', name: 'User Name' }
    const created = await up.call('POST', '/account', up.guest, params)
    expect(created.status).toBe(201)
    expect(created.body.$id).not.toBe('')
    expect(isDatetime(created.body.registration)).toBe(true)
    expect(created.body).toMatchObject({ email, name: 'User Name', labels: [] })
    expect(created.body.accessedAt).not.toBe('')
    expect(created.body.targets[0].identifier).toBe(email)
    expect((await up.call('POST', '/account', up.guest, params)).status).toBe(409)
  })

  it(`${BASE} testCreateAccount: should answer 400 for an empty email or password, or a password of 7 or 257 chars`, async () => {
    const create = (email: string, password: string) =>
      up.call('POST', '/account', up.guest, { userId: 'unique()', email, password })
    expect((await create('', '')).status).toBe(400)
    expect((await create('empty@localhost.test', '')).status).toBe(400)
    expect((await create('', 'password')).status).toBe(400)
    expect((await create('shortpass@appwrite.io', 'short')).status).toBe(400)
    expect((await create('longpass@appwrite.io', 'p'.repeat(257))).status).toBe(400)
  })

  it(`${CLIENT} testCreateAccountSession: should open a session whose cookie signs in, with an empty secret`, async () => {
    const user = await account()
    const again = await up.call('POST', '/account/sessions/email', up.guest, {
      email: user.email,
      password: user.password,
    })
    expect(again.status).toBe(201)
    expect(again.body.secret).toBe('')
    expect(isDatetime(again.body.expire)).toBe(true)
    const me = await up.call('GET', '/account', up.as(up.sessionOf(again)))
    expect(me.status).toBe(200)
    expect(me.body.email).toBe(user.email)
    const fromKey = await up.call('GET', `/users/${again.body.userId as string}`, up.key)
    expect(fromKey.status).toBe(200)
    expect(fromKey.body.accessedAt).not.toBe('')
  })

  it(`${CLIENT} testCreateAccountSession: should answer 401 when signed in already or on bad credentials, 400 when empty`, async () => {
    const user = await account()
    const signIn = (headers: Record<string, string>, email: string, password: string) =>
      up.call('POST', '/account/sessions/email', headers, { email, password })
    const twice = await signIn(up.as(user.session), user.email, user.password)
    expect(twice.status).toBe(401)
    expect(twice.body.type).toBe('user_session_already_exists')
    const wrongEmail = await signIn(up.guest, `${user.email}x`, user.password)
    expect(wrongEmail.status).toBe(401)
    expect(wrongEmail.body.type).toBe('user_invalid_credentials')
    expect((await signIn(up.guest, user.email, `${user.password}x`)).status).toBe(401)
    expect((await signIn(up.guest, '', '')).status).toBe(400)
  })

  it(`${CLIENT} testGetAccount: should answer the account to its session, 401 to a guest or a broken session`, async () => {
    const user = await account()
    const me = await up.call('GET', '/account', up.as(user.session))
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ $id: user.$id, email: user.email, name: user.name })
    expect(isDatetime(me.body.registration)).toBe(true)
    expect(me.body.accessedAt).not.toBe('')
    expect((await up.call('GET', '/account', up.guest)).status).toBe(401)
    expect((await up.call('GET', '/account', up.as(`${user.session}xx`))).status).toBe(401)
  })

  it(`${CLIENT} testGetAccountSessions: should list the one session as current, without its secret`, async () => {
    const user = await account()
    const listed = await up.call('GET', '/account/sessions', up.as(user.session))
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(1)
    expect(listed.body.sessions[0]).toMatchObject({
      $id: user.sessionId,
      secret: '',
      current: true,
    })
    expect(isDatetime(listed.body.sessions[0].expire)).toBe(true)
    expect((await up.call('GET', '/account/sessions', up.guest)).status).toBe(401)
  })

  it(`${CLIENT} testGetSessionByID: should answer current and by id, 404 for an unknown id`, async () => {
    const anonymous = await up.call('POST', '/account/sessions/anonymous', up.guest)
    const session = up.sessionOf(anonymous)
    const current = await up.call('GET', '/account/sessions/current', up.as(session))
    expect(current.status).toBe(200)
    expect(current.body.secret).toBe('')
    expect(current.body.provider).toBe('anonymous')
    const byId = await up.call(
      'GET',
      `/account/sessions/${current.body.$id as string}`,
      up.as(session),
    )
    expect(byId.status).toBe(200)
    expect(byId.body.provider).toBe('anonymous')
    expect(
      (await up.call('GET', '/account/sessions/97823askjdkasd80921371980', up.as(session))).status,
    ).toBe(404)
  })

  it(`${CLIENT} testUpdateAccountName: should rename, and answer 401 to a guest, 400 without or with a too long name`, async () => {
    const user = await account()
    const renamed = await up.call('PATCH', '/account/name', up.as(user.session), { name: 'Lorem' })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ email: user.email, name: 'Lorem' })
    expect((await up.call('PATCH', '/account/name', up.guest, { name: 'Lorem' })).status).toBe(401)
    expect((await up.call('PATCH', '/account/name', up.as(user.session), {})).status).toBe(400)
    expect(
      (await up.call('PATCH', '/account/name', up.as(user.session), { name: 'x'.repeat(129) }))
        .status,
    ).toBe(400)
  })

  it(`${CLIENT} testUpdateAccountPassword: should change the password given the old one, and refuse a wrong or missing old one`, async () => {
    const user = await account()
    const changed = await up.call('PATCH', '/account/password', up.as(user.session), {
      password: 'new-password',
      oldPassword: user.password,
    })
    expect(changed.status).toBe(200)
    expect(changed.body.email).toBe(user.email)
    const signIn = (password: string) =>
      up.call('POST', '/account/sessions/email', up.guest, { email: user.email, password })
    expect((await signIn('new-password')).status).toBe(201)
    expect((await signIn(user.password)).status).toBe(401)
    expect(
      (await up.call('PATCH', '/account/password', up.guest, { password: 'new-password' })).status,
    ).toBe(401)
    expect((await up.call('PATCH', '/account/password', up.as(user.session), {})).status).toBe(400)
    expect(
      (
        await up.call('PATCH', '/account/password', up.as(user.session), {
          password: 'new-password',
          oldPassword: user.password,
        })
      ).status,
    ).toBe(401)
    expect(
      (
        await up.call('PATCH', '/account/password', up.as(user.session), {
          password: 'new-password',
        })
      ).status,
    ).toBe(401)
  })

  it(`${CLIENT} testUpdateAccountPassword: should end every other session of the user and keep the current one`, async () => {
    const user = await account()
    const others: string[] = []
    for (let i = 0; i < 3; i += 1) {
      const opened = await up.openSession(user)
      others.push(opened.body.$id as string)
    }
    must(
      await up.call('PATCH', '/account/password', up.as(user.session), {
        password: 'new-password',
        oldPassword: user.password,
      }),
      200,
      'changing the password',
    )
    const listed = await up.call('GET', '/account/sessions', up.as(user.session))
    expect(listed.body.total).toBe(1)
    expect(listed.body.sessions[0]).toMatchObject({ $id: user.sessionId, current: true })
    for (const id of others)
      expect((await up.call('GET', `/account/sessions/${id}`, up.as(user.session))).status).toBe(
        404,
      )
  })

  it(`${CLIENT} testUpdateAccountEmail: should change the email given the password, and free the old one`, async () => {
    const user = await account()
    const newEmail = `${clock.now()}new@localhost.test`
    const changed = await up.call('PATCH', '/account/email', up.as(user.session), {
      email: newEmail,
      password: user.password,
    })
    expect(changed.status).toBe(200)
    expect(changed.body.email).toBe(newEmail)
    expect(isDatetime(changed.body.registration)).toBe(true)
    expect((await up.call('PATCH', '/account/email', up.guest)).status).toBe(401)
    expect((await up.call('PATCH', '/account/email', up.as(user.session), {})).status).toBe(400)
    const reused = await up.call('POST', '/account', up.guest, {
      userId: 'unique()',
      email: user.email,
      password: user.password,
      name: user.name,
    })
    expect(reused.status).toBe(201)
    expect(reused.body.email).toBe(user.email)
  })

  it(`${CLIENT} testUpdateAccountPrefs: should store an object, and refuse a JSON string or prefs over 64 kB`, async () => {
    const user = await account()
    const updated = await up.call('PATCH', '/account/prefs', up.as(user.session), {
      prefs: { prefKey1: 'prefValue1', prefKey2: 'prefValue2' },
    })
    expect(updated.status).toBe(200)
    expect(updated.body.prefs).toEqual({ prefKey1: 'prefValue1', prefKey2: 'prefValue2' })
    expect((await up.call('PATCH', '/account/prefs', up.guest, { prefs: { a: 'b' } })).status).toBe(
      401,
    )
    for (const prefs of ['{}', '[]', '{"test": "value"}'])
      expect(
        (await up.call('PATCH', '/account/prefs', up.as(user.session), { prefs })).status,
      ).toBe(400)
    for (const longValue of ['🍰'.repeat(100_000), '-'.repeat(100_000)])
      expect(
        (await up.call('PATCH', '/account/prefs', up.as(user.session), { prefs: { longValue } }))
          .status,
      ).toBe(400)
    const got = await up.call('GET', '/account/prefs', up.as(user.session))
    expect(got.body).toEqual({ prefKey1: 'prefValue1', prefKey2: 'prefValue2' })
  })

  it(`${CLIENT} testDeleteAccountSession: should end the session named and leave the others signed in`, async () => {
    const user = await account()
    const second = await up.call('POST', '/account/sessions/email', up.guest, {
      email: user.email,
      password: user.password,
    })
    const secondValue = up.sessionOf(second)
    expect((await up.call('GET', '/account', up.as(secondValue))).status).toBe(200)
    const ended = await up.call(
      'DELETE',
      `/account/sessions/${second.body.$id as string}`,
      up.as(secondValue),
    )
    expect(ended.status).toBe(204)
    expect((await up.call('GET', '/account', up.as(user.session))).status).toBe(200)
    expect((await up.call('GET', '/account', up.as(secondValue))).status).toBe(401)
  })

  it(`${CLIENT} testDeleteAccountSessionCurrent: should end the current session`, async () => {
    const user = await account()
    expect((await up.call('DELETE', '/account/sessions/current', up.as(user.session))).status).toBe(
      204,
    )
    expect((await up.call('GET', '/account', up.as(user.session))).status).toBe(401)
  })

  it(`${CLIENT} testDeleteAccountSessions: should end every session, then answer 401`, async () => {
    const user = await account()
    expect((await up.call('DELETE', '/account/sessions', up.as(user.session))).status).toBe(204)
    expect((await up.call('GET', '/account', up.as(user.session))).status).toBe(401)
  })

  it(`${CLIENT} testCreateJWT: should issue a JWT that signs in until its session ends`, async () => {
    const user = await account('User Name (JWT)')
    const issued = await up.call('POST', '/account/jwts', up.as(user.session))
    expect(issued.status).toBe(201)
    expect(issued.body.jwt).toEqual(expect.any(String))
    const jwt = issued.body.jwt as string
    const withJwt = (token: string) =>
      up.call('GET', '/account', { ...up.guest, 'x-appwrite-jwt': token })
    expect((await withJwt('wrong-token')).status).toBe(401)
    expect((await withJwt(jwt)).status).toBe(200)
    expect(
      (await up.call('DELETE', `/account/sessions/${user.sessionId}`, up.as(user.session))).status,
    ).toBe(204)
    expect((await withJwt(jwt)).status).toBe(401)
  })

  it(`${CLIENT} testCreateJWT: should end a JWT created with a duration after that many seconds`, async () => {
    const user = await account()
    const issued = await up.call('POST', '/account/jwts', up.as(user.session), { duration: 5 })
    expect(issued.status).toBe(201)
    const withJwt = () =>
      up.call('GET', '/account', { ...up.guest, 'x-appwrite-jwt': issued.body.jwt as string })
    expect((await withJwt()).status).toBe(200)
    await clock.advance(6_000)
    expect((await withJwt()).status).toBe(401)
  })

  it(`${CLIENT} testCreateAnonymousAccount: should open an anonymous session, and refuse a second one with 401`, async () => {
    const created = await up.call('POST', '/account/sessions/anonymous', up.guest)
    expect(created.status).toBe(201)
    expect(created.body.$id).not.toBe('')
    expect(created.body.secret).toBe('')
    const user = await up.call('GET', `/users/${created.body.userId as string}`, up.key)
    expect(user.status).toBe(200)
    expect(user.body.accessedAt).not.toBe('')
    const again = await up.call('POST', '/account/sessions/anonymous', up.as(up.sessionOf(created)))
    expect(again.status).toBe(401)
  })

  it(`${CLIENT} testUpdateAnonymousAccountPassword: should answer 400 to an anonymous user setting a password without one`, async () => {
    const created = await up.call('POST', '/account/sessions/anonymous', up.guest)
    const answer = await up.call('PATCH', '/account/password', up.as(up.sessionOf(created)), {
      password: '',
      oldPassword: '',
    })
    expect(answer.status).toBe(400)
  })

  it(`${CLIENT} testConvertAnonymousAccount: should refuse a taken email with 409 and convert with a free one`, async () => {
    const created = await up.call('POST', '/account/sessions/anonymous', up.guest)
    const session = up.sessionOf(created)
    const taken = `${clock.now()}taken@localhost.test`
    must(
      await up.call('POST', '/account', up.guest, {
        userId: 'unique()',
        email: taken,
        password: 'new-password',
      }),
      201,
      'creating the account that takes the email',
    )
    const conflict = await up.call('PATCH', '/account/email', up.as(session), {
      email: taken,
      password: 'new-password',
    })
    expect(conflict.status).toBe(409)
    const email = `${clock.now()}new@localhost.test`
    const converted = await up.call('PATCH', '/account/email', up.as(session), {
      email,
      password: 'new-password',
    })
    expect(converted.status).toBe(200)
    expect(converted.body.email).toBe(email)
    expect(isDatetime(converted.body.registration)).toBe(true)
    const signIn = await up.call('POST', '/account/sessions/email', up.guest, {
      email,
      password: 'new-password',
    })
    expect(signIn.status).toBe(201)
  })
})

describe('Account sessions behind a proxy, as the server tests them', () => {
  it(`${BASE} testFallbackForTrustedIp: should record the X-Forwarded-For address on the session`, async () => {
    const headers = { ...up.guest, origin: 'http://localhost', 'x-forwarded-for': '191.0.113.195' }
    const email = `${clock.now()}proxied@localhost.test`
    must(
      await up.call('POST', '/account', headers, {
        userId: 'unique()',
        email,
        password: 'password',
        name: 'User Name',
      }),
      201,
      'signing up',
    )
    const session = await up.call('POST', '/account/sessions/email', headers, {
      email,
      password: 'password',
    })
    expect(session.status).toBe(201)
    expect(session.body.clientIp ?? session.body.ip).toBe('191.0.113.195')
  })
})
