import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { createAccount, isDatetime, must, startUpstream } from './upstream'
import type { Upstream } from './upstream'

// Facts from tests/e2e/Services/Account/AccountCustomClientTest.php, AccountBase.php and
// AccountCustomServerTest.php (appwrite 1.9.6): prefs, blocked and deleted accounts, session
// refresh, and the server side, where a session's secret is handed to the key's caller and
// sent back in `X-Appwrite-Session`.
const BASE = 'tests/e2e/Services/Account/AccountBase.php'
const CLIENT = 'tests/e2e/Services/Account/AccountCustomClientTest.php'
const SERVER = 'tests/e2e/Services/Account/AccountCustomServerTest.php'

const clock = createManualClock()
let up: Upstream

/** A new account (email + password), signed in once through `headers`. */
const account = (headers: Record<string, string> = up.guest) =>
  createAccount(up, clock.now(), headers)

beforeAll(async () => {
  up = await startUpstream({ fake: createFakeAppwrite({ strict: true, clock }) })
})

afterAll(async () => {
  await up.close()
})

describe('Account status and server sessions, as the server tests them', () => {
  it(`${CLIENT} testGetAccountPrefs: should answer an empty object to the user and 401 to a guest`, async () => {
    const { session } = await account()
    const prefs = await up.call('GET', '/account/prefs', up.as(up.sessionOf(session)))
    expect(prefs.status).toBe(200)
    expect(prefs.body).toEqual({})
    expect((await up.call('GET', '/account/prefs', up.guest)).status).toBe(401)
  })

  it(`${CLIENT} testBlockedAccount: should answer 403 to a blocked user's session and to a new sign-in`, async () => {
    const { $id, email, password, session } = await account()
    const headers = up.as(up.sessionOf(session))
    expect((await up.call('GET', '/account', headers)).status).toBe(200)
    must(
      await up.call('PATCH', `/users/${$id}/status`, up.key, { status: false }),
      200,
      'blocking the user',
    )
    const blocked = await up.call('GET', '/account', headers)
    expect(blocked.status).toBe(403)
    expect(blocked.body.type).toBe('user_blocked')
    const again = await up.call('POST', '/account/sessions/email', up.guest, { email, password })
    expect(again.status).toBe(403)
    expect(again.body.type).toBe('user_blocked')
  })

  it(`${CLIENT} testSelfBlockedAccount: should block the account, delete the cookie, and answer 403 afterwards`, async () => {
    const { email, password, session } = await account()
    const headers = up.as(up.sessionOf(session))
    expect((await up.call('GET', '/account', headers)).status).toBe(200)
    const blocked = await up.call('PATCH', '/account/status', headers, { status: false })
    expect(blocked.status).toBe(200)
    expect(blocked.headers.get('set-cookie')).toContain(`${up.cookieName}=deleted`)
    expect(blocked.headers.get('x-fallback-cookies')).toBe('[]')
    expect((await up.call('GET', '/account', headers)).status).toBe(403)
    expect(
      (await up.call('POST', '/account/sessions/email', up.guest, { email, password })).status,
    ).toBe(403)
  })

  it(`${CLIENT} testUpdateAnonymousAccountEmail: should answer 400 to an anonymous user setting an email with an empty password`, async () => {
    const anonymous = must(
      await up.call('POST', '/account/sessions/anonymous', up.guest),
      201,
      'creating the anonymous session',
    )
    const updated = await up.call('PATCH', '/account/email', up.as(up.sessionOf(anonymous)), {
      email: `${clock.now()}new@localhost.test`,
      password: '',
    })
    expect(updated.status).toBe(400)
  })

  it(`${CLIENT} testRefreshEmailPasswordSession: should move a session's expiry forward on refresh`, async () => {
    const { session } = await account()
    const headers = up.as(up.sessionOf(session))
    const before = await up.call('GET', '/account/sessions/current', headers)
    expect(before.status).toBe(200)
    expect(isDatetime(before.body.expire)).toBe(true)
    await clock.advance(3_000)
    const refreshed = await up.call(
      'PATCH',
      `/account/sessions/${session.body.$id as string}`,
      headers,
    )
    expect(refreshed.status).toBe(200)
    expect(Date.parse(refreshed.body.expire as string)).toBeGreaterThan(
      Date.parse(before.body.expire as string),
    )
    const after = await up.call('GET', '/account/sessions/current', headers)
    expect(after.status).toBe(200)
    expect(Date.parse(after.body.expire as string)).toBe(
      Date.parse(refreshed.body.expire as string),
    )
  })

  it(`${BASE} testDeleteAccount: should answer 204 to a user deleting their account`, async () => {
    const { session } = await account()
    const deleted = await up.call('DELETE', '/account', up.as(up.sessionOf(session)))
    expect(deleted.status).toBe(204)
  })

  it(`${SERVER} testCreateAccountSession: should hand the key the session's secret, valid as X-Appwrite-Session`, async () => {
    const { email, password, session } = await account(up.key)
    expect(session.body.secret).not.toBe('')
    expect(isDatetime(session.body.expire)).toBe(true)
    const user = await up.call('GET', `/users/${session.body.userId as string}`, up.key)
    expect(user.status).toBe(200)
    expect(user.body.accessedAt).not.toBe('')
    const second = await up.call('POST', '/account/sessions/email', up.key, { email, password })
    expect(second.status).toBe(201)
    expect(second.body.secret).not.toBe('')
    const signedIn = { ...up.guest, 'x-appwrite-session': session.body.secret as string }
    expect(
      (await up.call('POST', '/account/sessions/email', signedIn, { email, password })).status,
    ).toBe(401)
    for (const credentials of [
      { email: `${email}x`, password },
      { email, password: `${password}x` },
    ])
      expect((await up.call('POST', '/account/sessions/email', up.key, credentials)).status).toBe(
        401,
      )
    expect(
      (await up.call('POST', '/account/sessions/email', up.key, { email: '', password: '' }))
        .status,
    ).toBe(400)
  })

  it(`${SERVER} testGetAccount: should answer the account to X-Appwrite-Session and 401 without it`, async () => {
    const { $id, email, session } = await account(up.key)
    const got = await up.call('GET', '/account', {
      ...up.guest,
      'x-appwrite-session': session.body.secret as string,
    })
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ $id, email, name: 'User Name' })
    expect(isDatetime(got.body.registration)).toBe(true)
    expect(got.body.accessedAt).not.toBe('')
    expect((await up.call('GET', '/account', up.guest)).status).toBe(401)
  })

  it(`${SERVER} testCreateAnonymousAccount: should hand the key an anonymous session with its secret`, async () => {
    const anonymous = await up.call('POST', '/account/sessions/anonymous', up.key)
    expect(anonymous.status).toBe(201)
    expect(anonymous.body.$id).not.toBe('')
    expect(anonymous.body.secret).not.toBe('')
    const user = await up.call('GET', `/users/${anonymous.body.userId as string}`, up.key)
    expect(user.status).toBe(200)
    expect(user.body.accessedAt).not.toBe('')
  })
})
