import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { OutboxMessage } from '../../index'
import { createAccount, isDatetime, must, startUpstream } from './upstream'
import type { Answer, Upstream } from './upstream'

// Facts from tests/e2e/Services/Account/AccountBase.php and AccountCustomClientTest.php
// (appwrite 1.9.6): email verification, password recovery, email OTP, magic URL and
// `users.createToken` sign-in. Upstream reads the emails from its mail catcher; here they come from
// the emulator's outbox. The test project registers `localhost` as its Web platform, as the
// upstream one does, so `http://remotehost/…` is refused.
const BASE = 'tests/e2e/Services/Account/AccountBase.php'
const CLIENT = 'tests/e2e/Services/Account/AccountCustomClientTest.php'

const clock = createManualClock()
let up: Upstream
let emails = 0

/** A new account (email + password) with one session: its id, email, name and session value. */
async function account(name = 'User Name') {
  const created = await createAccount(up, clock.now(), up.guest, name)
  return { ...created, headers: up.as(up.sessionOf(created.session)) }
}

/** A fresh address nobody signed up with. */
const newEmail = (prefix: string) => `${prefix}-${(emails += 1)}.${clock.now()}@appwrite.io`

/** The newest email to `email` (upstream `getLastEmailByAddress`). */
function lastEmail(email: string): OutboxMessage {
  const found = up.emulator.outbox({ email }).at(-1)
  if (found === undefined) throw new Error(`upstream setup: no email to ${email}`)
  return found
}

/**
 * Expects the answer every emailing route gives: a new token (201, an id, an expiry) whose secret
 * is empty, as only the email carries it.
 */
function expectEmailedToken(answer: Answer): void {
  expect(answer.status).toBe(201)
  expect(answer.body.$id).not.toBe('')
  expect(answer.body.secret).toBe('')
  expect(isDatetime(answer.body.expire)).toBe(true)
}

/** The newest email to `address`, expected to have `subject` and `line` in its text (any case). */
function expectEmail(address: string, subject: string, line: string): OutboxMessage {
  const sent = lastEmail(address)
  expect(sent.subject).toBe(subject)
  expect(sent.text.toLowerCase()).toContain(line.toLowerCase())
  return sent
}

/** A token `POST /account/tokens/<kind>` emails to `email` for a new user (setup: throws unless 201). */
async function emailedToken(kind: 'email' | 'magic-url', email: string): Promise<Answer> {
  const answer = await up.call('POST', `/account/tokens/${kind}`, up.guest, {
    userId: 'unique()',
    email,
  })
  return must(answer, 201, `creating the ${kind} token for ${email}`)
}

/** Expects a new session: 201 and an id, its secret empty (the cookie carries it). */
function expectSession(answer: Answer): void {
  expect(answer.status).toBe(201)
  expect(answer.body.$id).not.toBe('')
  expect(answer.body.secret).toBe('')
}

/** The query parameters of the email's link (upstream `extractQueryParamsFromEmailLink`). */
function linkParams(email: OutboxMessage): Record<string, string> {
  return Object.fromEntries(new URL(email.url ?? '').searchParams)
}

beforeAll(async () => {
  up = await startUpstream({
    fake: createFakeAppwrite({ strict: true, clock }),
    redirectHosts: ['localhost'],
    mail: false,
  })
})

afterAll(async () => {
  await up.close()
})

describe('Account tokens, as the server tests them', () => {
  it(`${BASE} testEmailOTPSession: should create a token with an empty secret and email a six-digit code`, async () => {
    const email = newEmail('otpuser')
    const token = await up.call('POST', '/account/tokens/email', up.guest, {
      userId: 'unique()',
      email,
    })
    expectEmailedToken(token)
    expect(isDatetime(token.body.$createdAt)).toBe(true)
    expect(token.body.userId).not.toBe('')
    expect(token.body.phrase).toBe('')
    const sent = lastEmail(email)
    const project = up.emulator.projectId
    expect(sent.subject).toBe(`OTP for ${project} Login`)
    const code = /\b\d{6}\b/.exec(sent.text)?.[0] ?? ''
    expect(code).not.toBe('')
    expect(sent.text.toLowerCase()).toContain(
      `Use OTP ${code} to sign in to ${project}. Expires in 15 minutes.`.toLowerCase(),
    )
  })

  it(`${BASE} testEmailOTPSession: should sign in once with the code, verify the email, and refuse the code again`, async () => {
    const email = newEmail('otpuser')
    const token = await emailedToken('email', email)
    const userId = token.body.userId as string
    const code = /\b\d{6}\b/.exec(lastEmail(email).text)?.[0] ?? ''
    const session = await up.call('POST', '/account/sessions/token', up.guest, {
      userId,
      secret: code,
    })
    expectSession(session)
    expect(session.body.userId).toBe(userId)
    expect(session.body.expire).not.toBe('')
    const me = await up.call('GET', '/account', up.as(up.sessionOf(session)))
    expect(me.status).toBe(200)
    expect(me.body.$id).toBe(userId)
    expect(me.body.emailVerification).toBe(true)
    expect(me.body.targets[0].identifier).toBe(email)
    const again = await up.call('POST', '/account/sessions/token', up.guest, {
      userId,
      secret: code,
    })
    expect(again.status).toBe(401)
    expect(again.body.type).toBe('user_invalid_token')
  })

  it(`${BASE} testEmailOTPSession: should answer the same user and a phrase, also in the email, when asked for one`, async () => {
    const email = newEmail('otpuser')
    const first = await emailedToken('email', email)
    const withPhrase = await up.call('POST', '/account/tokens/email', up.guest, {
      userId: 'unique()',
      email,
      phrase: true,
    })
    expect(withPhrase.status).toBe(201)
    expect(withPhrase.body.phrase).not.toBe('')
    expect(withPhrase.body.secret).toBe('')
    expect(withPhrase.body.userId).toBe(first.body.userId)
    const sent = lastEmail(email)
    expect(sent.text.toLowerCase()).toContain('security phrase')
    expect(sent.text).toContain(withPhrase.body.phrase)
  })

  it(`${BASE} testEmailOTPSession: should answer 400 for a bad email, a bad user id and a missing email`, async () => {
    const create = (params: Record<string, unknown>) =>
      up.call('POST', '/account/tokens/email', up.guest, params)
    for (const params of [
      { userId: 'unique()', email: 'wrongemail' },
      { userId: 'wrongId$', email: 'email@appwrite.io' },
      { userId: 'unique()' },
    ]) {
      const answer = await create(params)
      expect(answer.status).toBe(400)
      expect(answer.body.type).toBe('general_argument_invalid')
    }
  })

  it(`${CLIENT} testCreateAccountVerification: should answer 201 with an empty secret and email a link with userId, secret and expire`, async () => {
    const user = await account()
    const created = await up.call('POST', '/account/verification', user.headers, {
      url: 'http://localhost/verification',
    })
    expectEmailedToken(created)
    const sent = expectEmail(
      user.email,
      `Account Verification for ${up.emulator.projectId}`,
      `Verify your email to activate your ${up.emulator.projectId} account.`,
    )
    expect(sent.name).toBe(user.name)
    const params = linkParams(sent)
    expect(params.expire).toBe(created.body.expire)
    expect(params.secret).not.toBe('')
    expect(params.userId).toBe(user.$id)
  })

  it(`${CLIENT} testCreateAccountVerification: should answer 400 for a url without scheme and for a host that is no platform`, async () => {
    const user = await account()
    for (const url of ['localhost/verification', 'http://remotehost/verification']) {
      const answer = await up.call('POST', '/account/verification', user.headers, { url })
      expect(answer.status).toBe(400)
    }
  })

  it(`${CLIENT} testUpdateAccountVerification: should answer 200, then 404 for another user id and 401 for a wrong secret`, async () => {
    const user = await account()
    must(
      await up.call('POST', '/account/verification', user.headers, {
        url: 'http://localhost/verification',
      }),
      201,
      'creating the verification',
    )
    const { secret = '' } = linkParams(lastEmail(user.email))
    const confirm = (userId: string, value: string) =>
      up.call('PUT', '/account/verification', user.headers, { userId, secret: value })
    expect((await confirm(user.$id, secret)).status).toBe(200)
    expect((await confirm('ewewe', secret)).status).toBe(404)
    expect((await confirm(user.$id, 'sdasdasdasd')).status).toBe(401)
  })

  it(`${CLIENT} testCreateAnonymousAccountVerification: should answer 400 user_email_not_found to an anonymous user`, async () => {
    const anonymous = must(
      await up.call('POST', '/account/sessions/anonymous', up.guest),
      201,
      'creating the anonymous session',
    )
    const answer = await up.call('POST', '/account/verification', up.as(up.sessionOf(anonymous)), {
      url: 'http://localhost/verification',
    })
    expect(answer.body.code).toBe(400)
    expect(answer.body.type).toBe('user_email_not_found')
  })

  it(`${CLIENT} testCreateAccountRecovery: should answer 201 with an empty secret and email a link whose expire is the token's`, async () => {
    const user = await account()
    const created = await up.call('POST', '/account/recovery', up.guest, {
      email: user.email,
      url: 'http://localhost/recovery',
    })
    expectEmailedToken(created)
    const sent = expectEmail(
      user.email,
      `Password Reset for ${up.emulator.projectId}`,
      `Reset your ${up.emulator.projectId} password using the link.`,
    )
    expect(sent.name).toBe(user.name)
    const params = linkParams(sent)
    expect(params.secret).not.toBe('')
    expect(params.userId).toBe(user.$id)
    expect(params.expire).toBe(created.body.expire)
  })

  it(`${CLIENT} testCreateAccountRecovery: should answer 400 for bad urls and 404 for an unknown email`, async () => {
    const user = await account()
    const recover = (email: string, url: string) =>
      up.call('POST', '/account/recovery', up.guest, { email, url })
    expect((await recover(user.email, 'localhost/recovery')).status).toBe(400)
    expect((await recover(user.email, 'http://remotehost/recovery')).status).toBe(400)
    expect((await recover('not-found@localhost.test', 'http://localhost/recovery')).status).toBe(
      404,
    )
  })

  it(`${CLIENT} testUpdateAccountRecovery: should answer 200, then 404 for another user id and 401 for a wrong secret`, async () => {
    const user = await account()
    must(
      await up.call('POST', '/account/recovery', up.guest, {
        email: user.email,
        url: 'http://localhost/recovery',
      }),
      201,
      'creating the recovery',
    )
    const { secret = '' } = linkParams(lastEmail(user.email))
    const reset = (userId: string, value: string) =>
      up.call('PUT', '/account/recovery', up.guest, {
        userId,
        secret: value,
        password: 'test-recovery',
      })
    expect((await reset(user.$id, secret)).status).toBe(200)
    expect((await reset('ewewe', secret)).status).toBe(404)
    expect((await reset(user.$id, 'sdasdasdasd')).status).toBe(401)
  })

  it(`${CLIENT} testCreateMagicUrl: should answer 201 and email a one-hour link with userId, secret, expire and no phrase`, async () => {
    const email = newEmail('magic')
    const token = await up.call('POST', '/account/tokens/magic-url', up.guest, {
      userId: 'unique()',
      email,
    })
    expectEmailedToken(token)
    expect(token.body.phrase).toBe('')
    const project = up.emulator.projectId
    const sent = expectEmail(
      email,
      `${project} Login`,
      `Sign in to ${project} with your secure link. Expires in 1 hour.`,
    )
    expect(sent.text.toLowerCase()).not.toContain('security phrase')
    const at = sent.text.indexOf('&secret=')
    expect(sent.text.slice(at + 8, at + 8 + 64)).toMatch(/^[0-9a-f]{64}$/)
    expect(sent.text).toContain(`expire=${encodeURIComponent(token.body.expire as string)}`)
    expect(sent.text).toContain(`userId=${token.body.userId as string}`)
  })

  it(`${CLIENT} testCreateMagicUrl: should answer 400 for bad urls and a missing userId, and a phrase through the old route`, async () => {
    const email = newEmail('magic')
    const create = (params: Record<string, unknown>) =>
      up.call('POST', '/account/tokens/magic-url', up.guest, { email, ...params })
    expect((await create({ userId: 'unique()', url: 'localhost/magiclogin' })).status).toBe(400)
    expect((await create({ userId: 'unique()', url: 'http://remotehost/magiclogin' })).status).toBe(
      400,
    )
    expect((await create({})).status).toBe(400)
    const withPhrase = await up.call('POST', '/account/sessions/magic-url', up.guest, {
      userId: 'unique()',
      email,
      phrase: true,
    })
    expect(withPhrase.status).toBe(201)
    expect(withPhrase.body.$id).not.toBe('')
    expect(withPhrase.body.phrase).not.toBe('')
    expect(lastEmail(email).text).toContain(withPhrase.body.phrase)
  })

  it(`${CLIENT} testCreateSessionWithMagicUrl: should open a session with the link's secret and verify the email`, async () => {
    const email = newEmail('magicurl')
    const token = await emailedToken('magic-url', email)
    const id = token.body.userId as string
    const text = lastEmail(email).text
    const secret = text.slice(text.indexOf('&secret=') + 8, text.indexOf('&secret=') + 8 + 64)
    const session = await up.call('PUT', '/account/sessions/magic-url', up.guest, {
      userId: id,
      secret,
    })
    expectSession(session)
    expect(session.body.userId).not.toBe('')
    const me = await up.call('GET', '/account', up.as(up.sessionOf(session)))
    expect(me.status).toBe(200)
    expect(isDatetime(me.body.registration)).toBe(true)
    expect(me.body.email).toBe(email)
    expect(me.body.emailVerification).toBe(true)
    const open = (userId: string, value: string) =>
      up.call('PUT', '/account/sessions/magic-url', up.guest, { userId, secret: value })
    expect((await open('ewewe', secret)).status).toBe(401)
    expect((await open(id, 'sdasdasdasd')).status).toBe(401)
  })

  it(`${CLIENT} testUpdateAccountPasswordWithMagicUrl: should let a magic URL user set a password, then require the old one`, async () => {
    const email = newEmail('magicurl')
    const token = await emailedToken('magic-url', email)
    const session = must(
      await up.call('PUT', '/account/sessions/magic-url', up.guest, {
        userId: token.body.userId,
        secret: lastEmail(email).secret,
      }),
      201,
      'opening the magic URL session',
    )
    const headers = up.as(up.sessionOf(session))
    const set = await up.call('PATCH', '/account/password', headers, { password: 'new-password' })
    expect(set.status).toBe(200)
    expect(set.body.email).toBe(email)
    const signIn = await up.call('POST', '/account/sessions/email', up.guest, {
      email,
      password: 'new-password',
    })
    expect(signIn.status).toBe(201)
    expect(signIn.body.secret).toBe('')
    expect((await up.call('PATCH', '/account/password', up.guest)).status).toBe(401)
    expect((await up.call('PATCH', '/account/password', headers, {})).status).toBe(400)
    const wrongOld = await up.call('PATCH', '/account/password', headers, {
      password: 'new-password',
      oldPassword: 'wrong-password',
    })
    expect(wrongOld.status).toBe(401)
    const noOld = await up.call('PATCH', '/account/password', headers, { password: 'new-password' })
    expect(noOld.status).toBe(401)
  })

  it(`${CLIENT} testCreateSession: should open a session with a users.createToken secret, and answer 401 to another user id or a wrong secret`, async () => {
    const user = await account()
    const token = await up.call('POST', `/users/${user.$id}/tokens`, up.key, { expire: 60 })
    expect(token.status).toBe(201)
    const secret = token.body.secret as string
    expect(secret).toMatch(/^[0-9a-f]{6}$/)
    const session = await up.call('POST', '/account/sessions/token', up.guest, {
      userId: token.body.userId,
      secret,
    })
    expectSession(session)
    expect(session.body.userId).toBe(user.$id)
    expect(session.body.expire).not.toBe('')
    const next = must(
      await up.call('POST', `/users/${user.$id}/tokens`, up.key, { expire: 60 }),
      201,
      'creating a second token',
    )
    const open = (userId: string, value: string) =>
      up.call('POST', '/account/sessions/token', up.guest, { userId, secret: value })
    expect((await open('ewewe', next.body.secret as string)).status).toBe(401)
    expect((await open(user.$id, '123456')).status).toBe(401)
  })
})
