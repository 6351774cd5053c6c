import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite, createManualClock } from '../index'
import type { FakeAppwriteOptions } from '../index'
import { rejection } from './helpers'

// The fake's own account (no emulator): the email flows and `fake.outbox`, on the fake's clock,
// once `installAccountFeatures` added them.

function fakeWithEmails(options?: FakeAppwriteOptions) {
  const fake = createFakeAppwrite(options)
  installAccountFeatures(fake)
  return fake
}

const password = 'correct horse battery'

describe('accountTokens', () => {
  it('should verify the signed-in user through the outbox and refuse the link after an hour', async () => {
    const clock = createManualClock()
    const fake = fakeWithEmails({ clock })
    await fake.account.create({ userId: 'ada', email: 'Ada@Example.com', password })
    await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password })
    await fake.account.createEmailVerification({ url: 'https://app.example.com/verify?lang=en' })
    const [mail] = fake.outbox({ email: 'ADA@example.com' })
    const link = new URL(mail?.url ?? '')
    // The app's own query string stays; the server's parameters are added to it.
    expect(link.searchParams.get('lang')).toBe('en')
    expect(link.searchParams.get('secret')).toBe(mail?.secret)

    await clock.advance(3_600_001)
    const late = await rejection(
      fake.account.updateEmailVerification({ userId: 'ada', secret: mail?.secret ?? '' }),
    )
    expect(late).toMatchObject({ code: 401, type: 'user_invalid_token' })
    await fake.account.createVerification({ url: 'https://app.example.com/verify' })
    const fresh = fake.outbox({ kind: 'verification' }).at(-1)
    await fake.account.updateVerification({ userId: 'ada', secret: fresh?.secret ?? '' })
    expect((await fake.account.get()).emailVerification).toBe(true)
  })

  it('should sign in the fake account with a magic URL linking to the console page by default', async () => {
    const fake = fakeWithEmails()
    const token = await fake.account.createMagicURLToken({ userId: 'bo', email: 'bo@example.com' })
    const [mail] = fake.outbox({ userId: 'bo', kind: 'magicUrl' })
    expect(mail?.url?.startsWith('http://localhost/console/auth/magic-url?userId=bo&secret=')).toBe(
      true,
    )
    const session = await fake.account.createSession({
      userId: token.userId,
      secret: mail?.secret ?? '',
    })
    expect(session).toMatchObject({ provider: 'magic-url', factors: ['email'], current: true })
    expect((await fake.account.get()).emailVerification).toBe(true)
  })

  it('should issue a users.createToken secret of the asked length, valid the asked seconds', async () => {
    const clock = createManualClock()
    const fake = fakeWithEmails({ clock })
    await fake.users.create({ userId: 'cy', email: 'cy@example.com' })
    const token = await fake.users.createToken({ userId: 'cy', length: 12, expire: 60 })
    expect(token.secret).toMatch(/^[0-9a-f]{12}$/)
    expect(fake.outbox()).toEqual([])
    expect(await rejection(fake.users.createToken({ userId: 'cy', length: 3 }))).toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `length` param: Value must be a valid range between 4 and 128',
    })
    await clock.advance(60_001)
    expect(
      await rejection(fake.account.createSession({ userId: 'cy', secret: token.secret })),
    ).toMatchObject({ type: 'user_invalid_token' })
    const next = await fake.users.createToken({ userId: 'cy' })
    const session = await fake.account.createSession({ userId: 'cy', secret: next.secret })
    expect(session).toMatchObject({ provider: 'token', factors: ['token'] })
    // A custom token proves no address: the email stays unverified.
    expect((await fake.account.get()).emailVerification).toBe(false)
  })

  it('should drop the outbox on reset', async () => {
    const fake = fakeWithEmails()
    await fake.account.createEmailToken({ userId: 'dee', email: 'dee@example.com' })
    expect(fake.outbox()).toHaveLength(1)
    fake.reset()
    expect(fake.outbox()).toEqual([])
  })
})
