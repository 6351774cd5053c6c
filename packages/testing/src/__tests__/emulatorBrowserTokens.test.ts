// Magic URL and email verification in Chromium with the `appwrite` web SDK's browser build: the
// session a token opens comes back on reload (cookie and the SDK's localStorage fallback), as the
// email/password session does, and the verification link works from another browser profile.
import { describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { haveChromium, inPage, suiteHarness } from './thirdPartyApps/harness'

describe.skipIf(!haveChromium)('emulator account tokens in a browser', () => {
  const harness = suiteHarness('appwrite', () => createFakeAppwrite())

  it('should sign in through a magic URL, keep the session across a reload, and verify with the link in another profile', async () => {
    const { emulator } = harness()
    const page = await harness().newUser()
    const email = 'quinn@example.com'
    await inPage(
      page,
      `await account.createMagicURLToken({ userId: Appwrite.ID.unique(), email: arg, url: location.origin + '/magic' })`,
      email,
    )
    const [magic] = emulator.outbox({ email, kind: 'magicUrl' })
    const link = new URL(magic?.url ?? '')
    expect(link.pathname).toBe('/magic')
    await inPage(page, `await account.createSession({ userId: arg.userId, secret: arg.secret })`, {
      userId: link.searchParams.get('userId'),
      secret: link.searchParams.get('secret'),
    })
    await page.reload()
    const me = await inPage<{ $id: string; emailVerification: boolean }>(
      page,
      `return await account.get()`,
    )
    expect(me).toMatchObject({ $id: magic?.userId, emailVerification: true })

    // A password user verifies from the email opened in another browser.
    const other = await harness().newUser()
    await inPage(
      other,
      `await account.create({ userId: Appwrite.ID.unique(), email: 'rae@example.com', password: 'a long passphrase' })
       await account.createEmailPasswordSession({ email: 'rae@example.com', password: 'a long passphrase' })
       await account.createVerification({ url: location.origin + '/verify' })`,
    )
    const [verification] = emulator.outbox({ email: 'rae@example.com', kind: 'verification' })
    const third = await harness().newUser()
    await inPage(
      third,
      `await account.updateVerification({ userId: arg.userId, secret: arg.secret })`,
      { userId: verification?.userId, secret: verification?.secret },
    )
    await other.reload()
    expect(await inPage(other, `return (await account.get()).emailVerification`)).toBe(true)
    expect(
      harness()
        .takeCalls()
        .filter((call) => call.status >= 400),
    ).toEqual([])
  }, 60_000)
})
