import { Account, Client, ID } from 'appwrite'
import * as sdk11 from 'appwrite-11'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator, OutboxMessage } from '../emulator'
import { cleanupAfterEach, memoryStorage, rejection, setGlobals, tempDir } from './helpers'
import { projectRequest } from './emulatorHelpers'

// Email verification, password recovery, email OTP and magic URL sign-in through the real
// `appwrite` web SDK, the way an app's sign-up and sign-in screens call them, with the emails
// read from the emulator's outbox.

const cleanups = cleanupAfterEach()
const storage = new Map<string, string>()
const clock = createManualClock()
const fake = createFakeAppwrite({ clock })
const mailed: OutboxMessage[] = []
let emulator: AppwriteEmulator
let restoreGlobals: () => void
const password = 'correct horse battery'
const appUrl = 'http://localhost:5173'

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake, mail: (message) => mailed.push(message) })
  restoreGlobals = setGlobals({
    window: { localStorage: memoryStorage(storage), console: { warn: () => {} } },
  })
})

afterEach(() => {
  storage.clear()
  mailed.length = 0
  fake.reset()
})

afterAll(async () => {
  await emulator.close()
  restoreGlobals()
})

/**
 * A new browser of the app: its own client and an empty cookie fallback (the SDK keeps the
 * session in `window.localStorage`, which the browsers of a test share, so the previous one is
 * signed out).
 */
const tab = () => {
  storage.clear()
  return new Account(new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId))
}

async function signUp(email: string, name = 'Ada'): Promise<Account> {
  const account = tab()
  await account.create({ userId: ID.unique(), email, password, name })
  await account.createEmailPasswordSession({ email, password })
  return account
}

/** The one email of `kind` to `email` in the outbox. */
function lastMail(email: string, kind: OutboxMessage['kind']): OutboxMessage {
  const found = emulator.outbox({ email, kind })
  const last = found.at(-1)
  if (last === undefined) throw new Error(`no ${kind} email to ${email} in the outbox`)
  return last
}

/** What the app's confirmation page reads off the link in the email. */
const linkParams = (message: OutboxMessage) => {
  const url = new URL(message.url ?? '')
  return {
    userId: url.searchParams.get('userId') ?? '',
    secret: url.searchParams.get('secret') ?? '',
    expire: url.searchParams.get('expire') ?? '',
  }
}

describe('emulator account tokens', () => {
  it('should verify an email through the link of the verification email', async () => {
    const account = await signUp('ada@example.com')
    const token = await account.createVerification({ url: `${appUrl}/verify` })
    expect(token).toMatchObject({ secret: '', phrase: '' })
    expect((await account.get()).emailVerification).toBe(false)

    const email = lastMail('ada@example.com', 'verification')
    expect(email).toMatchObject({
      userId: token.userId,
      name: 'Ada',
      subject: `Account Verification for ${emulator.projectId}`,
      tokenId: token.$id,
      expire: token.expire,
    })
    expect(email.url?.startsWith(`${appUrl}/verify?`)).toBe(true)
    const link = linkParams(email)
    expect(link).toEqual({ userId: token.userId, secret: email.secret, expire: token.expire })
    expect(email.secret).toMatch(/^[0-9a-f]{256}$/)
    // The mail hook saw the same message.
    expect(mailed).toEqual([email])

    // The confirmation page may be opened in another browser: it needs no session.
    const confirmed = await tab().updateVerification({ userId: link.userId, secret: link.secret })
    expect(confirmed).toMatchObject({ $id: token.$id, userId: token.userId, secret: '' })
    // Used once; a second request for a verified email is refused.
    const again = await rejection(
      tab().updateVerification({ userId: link.userId, secret: link.secret }),
    )
    expect(again).toMatchObject({ code: 401, type: 'user_invalid_token' })
    const back = tab()
    await back.createEmailPasswordSession({ email: 'ada@example.com', password })
    expect((await back.get()).emailVerification).toBe(true)

    expect(
      await rejection(back.createEmailVerification({ url: `${appUrl}/verify` })),
    ).toMatchObject({ code: 409, type: 'user_email_already_verified' })
  })

  it('should refuse a verification link past its hour, a wrong secret and an unknown user', async () => {
    const account = await signUp('bo@example.com')
    await account.createEmailVerification({ url: `${appUrl}/verify` })
    const link = linkParams(lastMail('bo@example.com', 'verification'))

    expect(
      await rejection(
        tab().updateEmailVerification({ userId: link.userId, secret: 'f'.repeat(256) }),
      ),
    ).toMatchObject({ code: 401, type: 'user_invalid_token' })
    expect(
      await rejection(tab().updateEmailVerification({ userId: 'nobody', secret: link.secret })),
    ).toMatchObject({ code: 404, type: 'user_not_found' })

    await clock.advance(3_600_001)
    expect(
      await rejection(tab().updateEmailVerification({ userId: link.userId, secret: link.secret })),
    ).toMatchObject({ code: 401, type: 'user_invalid_token' })
    const user = await emulator.fake.users.get({ userId: link.userId })
    expect(user.emailVerification).toBe(false)
  })

  it('should refuse verification to a guest, an anonymous user and a url that is not one', async () => {
    expect(
      await rejection(tab().createEmailVerification({ url: `${appUrl}/verify` })),
    ).toMatchObject({ code: 401, type: 'general_unauthorized_scope' })
    const anonymous = tab()
    await anonymous.createAnonymousSession()
    expect(
      await rejection(anonymous.createEmailVerification({ url: `${appUrl}/verify` })),
    ).toMatchObject({ code: 400, type: 'user_email_not_found' })
    const account = await signUp('cy@example.com')
    const badUrl = await rejection(account.createEmailVerification({ url: 'localhost/verify' }))
    expect(badUrl).toMatchObject({
      code: 400,
      type: 'general_argument_invalid',
      message: 'Invalid `url` param: Invalid URI.',
    })
    expect(emulator.outbox()).toEqual([])
  })

  it('should reset a password through the recovery email: the new one signs in, the old one and the old sessions stop', async () => {
    await signUp('dee@example.com')
    const recovery = await tab().createRecovery({
      email: 'dee@example.com',
      url: `${appUrl}/reset`,
    })
    expect(recovery.secret).toBe('')
    const email = lastMail('dee@example.com', 'recovery')
    expect(email.subject).toBe(`Password Reset for ${emulator.projectId}`)
    const link = linkParams(email)
    expect(link.userId).toBe(recovery.userId)
    const sessions = () => emulator.fake.users.listSessions({ userId: link.userId })
    expect((await sessions()).total).toBe(1)

    await tab().updateRecovery({
      userId: link.userId,
      secret: link.secret,
      password: 'a brand new password',
    })
    // The session opened before the reset has ended (new projects invalidate sessions).
    expect((await sessions()).total).toBe(0)
    expect(
      await rejection(tab().createEmailPasswordSession({ email: 'dee@example.com', password })),
    ).toMatchObject({ code: 401, type: 'user_invalid_credentials' })
    const signedIn = tab()
    await signedIn.createEmailPasswordSession({
      email: 'dee@example.com',
      password: 'a brand new password',
    })
    // Reading the link proves the address: the email counts as verified.
    expect((await signedIn.get()).emailVerification).toBe(true)

    const reused = await rejection(
      tab().updateRecovery({
        userId: link.userId,
        secret: link.secret,
        password: 'yet another one',
      }),
    )
    expect(reused).toMatchObject({ code: 401, type: 'user_invalid_token' })
  })

  it('should refuse recovery for an unknown email, a short password and an expired link', async () => {
    await signUp('eve@example.com')
    expect(
      await rejection(tab().createRecovery({ email: 'nobody@example.com', url: `${appUrl}/r` })),
    ).toMatchObject({ code: 404, type: 'user_not_found' })
    await tab().createRecovery({ email: 'eve@example.com', url: `${appUrl}/r` })
    const link = linkParams(lastMail('eve@example.com', 'recovery'))
    expect(await rejection(tab().updateRecovery({ ...link, password: 'short' }))).toMatchObject({
      code: 400,
      type: 'general_argument_invalid',
    })
    await clock.advance(3_600_001)
    expect(
      await rejection(tab().updateRecovery({ ...link, password: 'long enough now' })),
    ).toMatchObject({ code: 401, type: 'user_invalid_token' })
    // The password did not change.
    await tab().createEmailPasswordSession({ email: 'eve@example.com', password })
  })

  it('should sign in with an email OTP, creating the user on first use, and refuse the code once used', async () => {
    const account = tab()
    const token = await account.createEmailToken({ userId: ID.unique(), email: 'fay@example.com' })
    expect(token).toMatchObject({ secret: '', phrase: '' })
    const email = lastMail('fay@example.com', 'emailOtp')
    expect(email.url).toBeNull()
    expect(email.secret).toMatch(/^\d{6}$/)
    expect(email.text).toContain(
      `Use OTP ${email.secret} to sign in to ${emulator.projectId}. Expires in 15 minutes.`,
    )

    const session = await account.createSession({ userId: token.userId, secret: email.secret })
    expect(session).toMatchObject({
      userId: token.userId,
      provider: 'token',
      factors: ['email'],
      current: true,
      secret: '',
    })
    const me = await account.get()
    expect(me).toMatchObject({
      $id: token.userId,
      email: 'fay@example.com',
      emailVerification: true,
    })

    const again = await rejection(
      tab().createSession({ userId: token.userId, secret: email.secret }),
    )
    expect(again).toMatchObject({ code: 401, type: 'user_invalid_token' })

    // A second token for the same address is for the same user, whatever id is sent.
    const second = await tab().createEmailToken({
      userId: ID.unique(),
      email: 'fay@example.com',
      phrase: true,
    })
    expect(second.userId).toBe(token.userId)
    expect(second.phrase).toMatch(/^[A-Z][a-z]+ [a-z]+$/)
    expect(lastMail('fay@example.com', 'emailOtp').text).toContain(second.phrase)
  })

  it('should refuse an email OTP after 15 minutes and while signed in', async () => {
    const account = tab()
    const token = await account.createEmailToken({ userId: 'gus', email: 'gus@example.com' })
    const { secret } = lastMail('gus@example.com', 'emailOtp')
    await clock.advance(900_001)
    expect(await rejection(account.createSession({ userId: 'gus', secret }))).toMatchObject({
      code: 401,
      type: 'user_invalid_token',
    })

    await account.createEmailToken({ userId: token.userId, email: 'gus@example.com' })
    const fresh = lastMail('gus@example.com', 'emailOtp').secret
    await account.createSession({ userId: 'gus', secret: fresh })
    await account.createEmailToken({ userId: 'gus', email: 'gus@example.com' })
    const third = lastMail('gus@example.com', 'emailOtp').secret
    expect(await rejection(account.createSession({ userId: 'gus', secret: third }))).toMatchObject({
      code: 401,
      type: 'user_session_already_exists',
    })
  })

  it('should sign in through a magic URL link, with the deprecated updateMagicURLSession too', async () => {
    const account = tab()
    const token = await account.createMagicURLToken({
      userId: ID.unique(),
      email: 'hal@example.com',
      url: `${appUrl}/magic`,
    })
    const email = lastMail('hal@example.com', 'magicUrl')
    expect(email.subject).toBe(`${emulator.projectId} Login`)
    const url = new URL(email.url ?? '')
    expect(url.origin + url.pathname).toBe(`${appUrl}/magic`)
    expect(url.searchParams.get('project')).toBe(emulator.projectId)
    expect(email.secret).toMatch(/^[0-9a-f]{64}$/)

    const session = await account.updateMagicURLSession({
      userId: url.searchParams.get('userId') ?? '',
      secret: url.searchParams.get('secret') ?? '',
    })
    expect(session).toMatchObject({ userId: token.userId, provider: 'magic-url' })
    expect((await account.get()).emailVerification).toBe(true)

    // Without `url`, the link points at the console's magic URL page, as on the server.
    const other = tab()
    await other.createMagicURLToken({ userId: ID.unique(), email: 'ivy@example.com' })
    const second = lastMail('ivy@example.com', 'magicUrl')
    expect(
      second.url?.startsWith(`${emulator.endpoint.replace(/\/v1$/, '')}/console/auth/magic-url?`),
    ).toBe(true)
    await other.createSession({ userId: second.userId, secret: second.secret })
    expect((await other.get()).email).toBe('ivy@example.com')
  })

  it('should not let a verification or recovery secret open a session', async () => {
    const account = await signUp('jo@example.com')
    await account.createVerification({ url: `${appUrl}/verify` })
    const verification = lastMail('jo@example.com', 'verification')
    const refused = await rejection(
      tab().createSession({ userId: verification.userId, secret: verification.secret }),
    )
    expect(refused).toMatchObject({ code: 401, type: 'user_invalid_token' })
  })

  it('should list the outbox over HTTP with the API key only, filtered, and clear it', async () => {
    await tab().createEmailToken({ userId: 'kim', email: 'kim@example.com' })
    await tab().createMagicURLToken({ userId: 'lee', email: 'lee@example.com', url: appUrl })
    const key = { 'x-appwrite-key': emulator.apiKey }
    const all = await projectRequest(emulator, '/emulator/outbox', { headers: key })
    expect(all.status).toBe(200)
    const body = (await all.json()) as { total: number; messages: OutboxMessage[] }
    expect(body.total).toBe(2)
    expect(body.messages.map((m) => [m.id, m.kind, m.email])).toEqual([
      [1, 'emailOtp', 'kim@example.com'],
      [2, 'magicUrl', 'lee@example.com'],
    ])
    const filtered = await projectRequest(emulator, '/emulator/outbox?kind=magicUrl', {
      headers: key,
    })
    expect(((await filtered.json()) as { total: number }).total).toBe(1)
    const guest = await projectRequest(emulator, '/emulator/outbox')
    expect(guest.status).toBe(401)
    const badKind = await projectRequest(emulator, '/emulator/outbox?kind=sms', { headers: key })
    expect(badKind.status).toBe(400)

    const cleared = await projectRequest(emulator, '/emulator/outbox', {
      method: 'DELETE',
      headers: key,
    })
    expect(cleared.status).toBe(204)
    expect(emulator.outbox()).toEqual([])
  })

  it('should sign in by phone with the texted code, then verify a new number, the SMS read from the outbox', async () => {
    const account = tab()
    const token = await account.createPhoneToken({ userId: 'phil', phone: '+14155550100' })
    expect(token).toMatchObject({ userId: 'phil', secret: '' })
    const [sms] = emulator.outbox({ phone: '+14155550100' })
    expect(sms).toMatchObject({ kind: 'phoneOtp', userId: 'phil', email: '', url: null })
    expect(sms?.text).toBe(sms?.secret)
    expect(mailed.at(-1)).toBe(sms)
    await account.createSession({ userId: 'phil', secret: sms!.secret })
    expect(await account.get()).toMatchObject({
      $id: 'phil',
      phone: '+14155550100',
      phoneVerification: true,
      email: '',
    })
    const byPhone = await projectRequest(emulator, '/emulator/outbox?phone=%2B14155550100', {
      headers: { 'x-appwrite-key': emulator.apiKey },
    })
    expect(((await byPhone.json()) as { messages: Array<{ id: number }> }).messages).toEqual([
      expect.objectContaining({ id: sms!.id, kind: 'phoneOtp' }),
    ])
    // A second code for the same number signs the same user in, whatever userId is sent.
    expect(
      (await tab().createPhoneToken({ userId: ID.unique(), phone: '+14155550100' })).userId,
    ).toBe('phil')

    storage.clear()
    await account.createSession({
      userId: 'phil',
      secret: emulator.outbox({ phone: '+14155550100' }).at(-1)!.secret,
    })
    // No password yet: this call sets it; the number is then unverified.
    expect(
      await account.updatePhone({ phone: '+14155550111', password: 'phone password' }),
    ).toMatchObject({ phone: '+14155550111', phoneVerification: false })
    expect(
      await rejection(account.updatePhone({ phone: '+14155550122', password: 'wrong password' })),
    ).toMatchObject({ code: 401, type: 'user_invalid_credentials' })
    expect(
      await rejection(account.updatePhone({ phone: '+14155550111', password: 'phone password' })),
    ).toMatchObject({ code: 409, type: 'user_target_already_exists' })
    const verification = await account.createPhoneVerification()
    const code = emulator.outbox({ phone: '+14155550111', kind: 'phoneVerification' }).at(-1)!
    expect(code.tokenId).toBe(verification.$id)
    await clock.advance(3_600_001)
    expect(
      await rejection(account.updatePhoneVerification({ userId: 'phil', secret: code.secret })),
    ).toMatchObject({ code: 401, type: 'user_invalid_token' })
    await account.createPhoneVerification()
    const fresh = emulator.outbox({ phone: '+14155550111', kind: 'phoneVerification' }).at(-1)!
    await account.updatePhoneVerification({ userId: 'phil', secret: fresh.secret })
    expect((await account.get()).phoneVerification).toBe(true)
    expect(await rejection(account.createPhoneVerification())).toMatchObject({
      code: 409,
      type: 'user_phone_already_verified',
    })
  })

  it('should refuse a phone verification without a number, and expire a sign-in code after 15 minutes', async () => {
    const signedIn = await signUp('nophone@example.com')
    expect(await rejection(signedIn.createPhoneVerification())).toMatchObject({
      code: 400,
      type: 'user_phone_not_found',
    })
    const account = tab()
    await account.createPhoneToken({ userId: 'late', phone: '+14155550133' })
    await clock.advance(900_001)
    const [sms] = emulator.outbox({ phone: '+14155550133' })
    expect(
      await rejection(account.createSession({ userId: 'late', secret: sms!.secret })),
    ).toMatchObject({ code: 401, type: 'user_invalid_token' })
  })

  it('should answer MFA and OAuth2 calls with 405 general_not_implemented saying what to use', async () => {
    const signedIn = await signUp('max@example.com')
    const mfa = await rejection(signedIn.listMfaFactors())
    expect(mfa).toMatchObject({ code: 405, type: 'general_not_implemented' })
    expect(mfa.message).toContain('multi-factor')
    const oauth = await projectRequest(emulator, '/account/sessions/oauth2/github')
    expect(oauth.status).toBe(405)
    expect(((await oauth.json()) as { message: string }).message).toContain('OAuth2')
    expect(await signedIn.listIdentities()).toEqual({ total: 0, identities: [] })
  })

  it('should serve the old paths web SDK 11 calls: /account/verification, sessions/magic-url, recovery with passwordAgain', async () => {
    storage.clear()
    const old = new sdk11.Account(
      new sdk11.Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId),
    )
    await old.create('pat', 'pat@example.com', password)
    await old.createEmailSession('pat@example.com', password)
    await old.createVerification(`${appUrl}/verify`)
    const verification = lastMail('pat@example.com', 'verification')
    await old.updateVerification('pat', verification.secret)
    expect((await old.get()).emailVerification).toBe(true)

    await old.deleteSession('current')
    await old.createRecovery('pat@example.com', `${appUrl}/reset`)
    const recovery = lastMail('pat@example.com', 'recovery')
    await old.updateRecovery('pat', recovery.secret, 'another password', 'another password')
    await old.createEmailSession('pat@example.com', 'another password')

    await old.deleteSession('current')
    const token = await old.createMagicURLSession('ignored-id', 'pat@example.com', `${appUrl}/m`)
    expect(token.userId).toBe('pat')
    const magic = lastMail('pat@example.com', 'magicUrl')
    const session = await old.updateMagicURLSession('pat', magic.secret)
    expect(session).toMatchObject({ userId: 'pat', provider: 'magic-url' })
  })

  it('should print one line per email with the link when mail is true', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const printing = await startAppwriteEmulator({ fake: createFakeAppwrite() })
    try {
      const account = new Account(
        new Client().setEndpoint(printing.endpoint).setProject(printing.projectId),
      )
      await account.createMagicURLToken({ userId: 'ned', email: 'ned@example.com', url: appUrl })
      const [message] = printing.outbox()
      expect(log).toHaveBeenCalledWith(
        `[appwrite-emulator] email (magicUrl) to ned@example.com: ${message?.url ?? ''}`,
      )
    } finally {
      log.mockRestore()
      await printing.close()
    }
  })
})

describe('emulator account tokens (data dir)', () => {
  it('should keep open tokens across a restart, and a used one used', async () => {
    const dir = await tempDir(cleanups, 'bg-tokens-')
    const first = await startAppwriteEmulator({ data: dir, mail: false })
    const signIn = (emulator: AppwriteEmulator) =>
      new Account(new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId))
    storage.clear()
    await signIn(first).createMagicURLToken({
      userId: 'ola',
      email: 'ola@example.com',
      url: appUrl,
    })
    await signIn(first).createEmailToken({ userId: 'ola', email: 'ola@example.com' })
    const [magic, otp] = first.outbox()
    await first.close()

    // The outbox itself is not kept; the links and codes in it still work.
    const second = await startAppwriteEmulator({ data: dir, mail: false })
    cleanups.push(() => second.close())
    expect(second.outbox()).toEqual([])
    const session = await signIn(second).createSession({
      userId: 'ola',
      secret: magic?.secret ?? '',
    })
    expect(session.provider).toBe('magic-url')
    storage.clear()
    await second.close()

    const third = await startAppwriteEmulator({ data: dir, mail: false })
    cleanups.push(() => third.close())
    const reused = await rejection(
      signIn(third).createSession({ userId: 'ola', secret: magic?.secret ?? '' }),
    )
    expect(reused).toMatchObject({ code: 401, type: 'user_invalid_token' })
    expect(
      (await signIn(third).createSession({ userId: 'ola', secret: otp?.secret ?? '' })).provider,
    ).toBe('token')
  })
})
