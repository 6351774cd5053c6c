import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import { isDatetime, must, upstreamSuite } from './upstream'

// Facts from tests/e2e/Services/Account/AccountCustomClientTest.php (appwrite 1.9.6): phone
// sign-in, a phone account given an email and password, a new phone number and its verification,
// signed in by the `a_session_<project>` cookie. Upstream reads each SMS from its mock SMS
// provider; here it comes from the emulator's outbox (the code alone, as the server's `en` text
// is). Left out: the SMS provider's request headers, and `testPhoneVerification`'s last step,
// which turns phone auth off with the console (`PATCH /v1/projects/{id}/auth/phone`), a project
// setting the emulator does not serve.
const CLIENT = 'tests/e2e/Services/Account/AccountCustomClientTest.php'

const clock = createManualClock()
const suite = upstreamSuite(() => ({
  fake: createFakeAppwrite({ strict: true, clock }),
  redirectHosts: ['localhost'],
  mail: false,
}))
const web = () => ({ ...suite.up.guest, origin: 'http://localhost' })
const signedIn = (session: string) => ({ ...suite.up.as(session), origin: 'http://localhost' })

let numbers = 0
/** A phone number nobody has, as upstream's unique `+1…` numbers. */
const newNumber = (prefix = '+1') =>
  `${prefix}${String(clock.now() + (numbers += 1)).slice(-(prefix === '+1' ? 9 : 8))}`

/** The code of the newest SMS to `phone` (upstream's `getLastRequestForProject`). */
function lastCode(phone: string): string {
  const sms = suite.up.emulator.outbox({ phone }).at(-1)
  if (sms === undefined) throw new Error(`upstream setup: no SMS to ${phone}`)
  return sms.text.split(' ')[0]!
}

/** `setupPhoneAccount`: a phone token for a new number; its user id, number and code. */
async function phoneAccount() {
  const number = newNumber()
  const token = must(
    await suite.up.call('POST', '/account/tokens/phone', web(), {
      userId: 'unique()',
      phone: number,
    }),
    201,
    'creating the phone token',
  )
  return { id: token.body.userId as string, number, token: lastCode(number) }
}

/** `setupPhoneSession`: a phone account signed in with its code; adds the session. */
async function phoneSession() {
  const data = await phoneAccount()
  const session = must(
    await suite.up.call('PUT', '/account/sessions/phone', web(), {
      userId: data.id,
      secret: data.token,
    }),
    201,
    'signing in with the phone code',
  )
  return { ...data, session: suite.up.sessionOf(session) }
}

/** `setupPhoneConvertedToPassword`: an email and password set, then a new email session. */
async function phoneConvertedToPassword() {
  const data = await phoneSession()
  const email = `${clock.now()}.${(numbers += 1)}new@localhost.test`
  const password = 'new-password'
  must(
    await suite.up.call('PATCH', '/account/email', signedIn(data.session), { email, password }),
    200,
    'setting an email and password',
  )
  const session = must(
    await suite.up.call('POST', '/account/sessions/email', web(), { email, password }),
    201,
    'signing in with the email',
  )
  return { ...data, email, password, session: suite.up.sessionOf(session) }
}

/** `setupPhoneUpdated`: a new phone number (`+456…`) set with the password. */
async function phoneUpdated() {
  const data = await phoneConvertedToPassword()
  const phone = newNumber('+456')
  must(
    await suite.up.call('PATCH', '/account/phone', signedIn(data.session), {
      phone,
      password: 'new-password',
    }),
    200,
    'updating the phone',
  )
  return { ...data, phone }
}

describe('Account phone sign-in, as the server tests it', () => {
  it(`${CLIENT} testCreatePhone: should answer 201 with an empty secret and text a code, 400 without a phone`, async () => {
    const number = '+123456789'
    const response = await suite.up.call('POST', '/account/tokens/phone', web(), {
      userId: 'unique()',
      phone: number,
    })
    expect(response.status).toBe(201)
    expect(response.body.$id).not.toBe('')
    expect(response.body.secret).toBe('')
    expect(isDatetime(response.body.expire)).toBe(true)
    const sms = suite.up.emulator.outbox({ phone: number }).at(-1)
    expect(sms?.userId).toBe(response.body.userId)
    expect(sms?.text).toMatch(/^\d{6}$/)

    const missing = await suite.up.call('POST', '/account/tokens/phone', web(), {
      userId: 'unique()',
    })
    expect(missing.status).toBe(400)
  })

  it(`${CLIENT} testCreateSessionWithPhone: should refuse another user id and a wrong code with 401, sign in (phone verified), then refuse the used code`, async () => {
    const { id, number, token } = await phoneAccount()
    const signIn = (userId: string, secret: string) =>
      suite.up.call('PUT', '/account/sessions/phone', web(), { userId, secret })
    expect((await signIn('ewewe', token)).status).toBe(401)
    expect((await signIn(id, 'sdasdasdasd')).status).toBe(401)

    const session = await signIn(id, token)
    expect(session.status).toBe(201)
    expect(session.body.$id).not.toBe('')
    expect(session.body.userId).not.toBe('')
    const me = await suite.up.call('GET', '/account', signedIn(suite.up.sessionOf(session)))
    expect(me.status).toBe(200)
    expect(me.body.$id).not.toBe('')
    expect(isDatetime(me.body.registration)).toBe(true)
    expect(me.body.phone).toBe(number)
    expect(me.body.phoneVerification).toBe(true)

    expect((await signIn(id, token)).status).toBe(401)
  })

  it(`${CLIENT} testConvertPhoneToPassword: should give a phone account an email and password that then sign in`, async () => {
    const { session } = await phoneSession()
    const email = `${clock.now()}convert@localhost.test`
    const updated = await suite.up.call('PATCH', '/account/email', signedIn(session), {
      email,
      password: 'new-password',
    })
    expect(updated.status).toBe(200)
    expect(updated.body.$id).not.toBe('')
    expect(isDatetime(updated.body.registration)).toBe(true)
    expect(updated.body.email).toBe(email)
    const signIn = await suite.up.call('POST', '/account/sessions/email', web(), {
      email,
      password: 'new-password',
    })
    expect(signIn.status).toBe(201)
  })

  it(`${CLIENT} testUpdatePhone: should set a new number with the password, 401 for a guest, 400 without params`, async () => {
    const { session } = await phoneConvertedToPassword()
    const phone = newNumber('+456')
    const updated = await suite.up.call('PATCH', '/account/phone', signedIn(session), {
      phone,
      password: 'new-password',
    })
    expect(updated.status).toBe(200)
    expect(updated.body.$id).not.toBe('')
    expect(isDatetime(updated.body.registration)).toBe(true)
    expect(updated.body.phone).toBe(phone)
    expect((await suite.up.call('PATCH', '/account/phone', web())).status).toBe(401)
    expect((await suite.up.call('PATCH', '/account/phone', signedIn(session), {})).status).toBe(400)
  })

  it(`${CLIENT} testPhoneVerification: should text a verification code to the new number, answering 201 with an empty secret`, async () => {
    const { session, phone } = await phoneUpdated()
    await clock.advance(1_000)
    const verification = await suite.up.call(
      'POST',
      '/account/verification/phone',
      signedIn(session),
    )
    expect(verification.status).toBe(201)
    expect(verification.body.$id).not.toBe('')
    expect(verification.body.$createdAt).not.toBe('')
    expect(verification.body.secret).toBe('')
    expect(isDatetime(verification.body.expire)).toBe(true)
    const sms = suite.up.emulator.outbox({ phone }).at(-1)
    expect(sms?.text).toMatch(/^\d{6}$/)
    // Sent for this request, not the sign-in code texted before.
    expect(sms?.createdAt).toBe(verification.body.$createdAt)
    expect(sms?.tokenId).toBe(verification.body.$id)
  })

  it(`${CLIENT} testUpdatePhoneVerification: should verify with the texted code, then 404 for another user and 401 for a wrong code`, async () => {
    const { id, session, phone } = await phoneUpdated()
    must(
      await suite.up.call('POST', '/account/verification/phone', signedIn(session)),
      201,
      'texting the verification code',
    )
    const secret = lastCode(phone).slice(0, 6)
    const verify = (userId: string, code: string) =>
      suite.up.call('PUT', '/account/verification/phone', signedIn(session), {
        userId,
        secret: code,
      })
    expect((await verify(id, secret)).status).toBe(200)
    expect((await verify('ewewe', secret)).status).toBe(404)
    expect((await verify(id, '999999')).status).toBe(401)
  })
})
