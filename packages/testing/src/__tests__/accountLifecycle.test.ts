import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite, createManualClock } from '../index'
import { appwriteError, rejection } from './helpers'

const password = 'correct horse battery'

/** A fake with Ada signed in through `fake.account`. */
async function signedIn() {
  const clock = createManualClock({ now: Date.parse('2026-01-01T00:00:00.000Z') })
  const fake = createFakeAppwrite({ seed: 1, clock })
  // `fake.users` (to look a user up) comes with the account features.
  installAccountFeatures(fake)
  await fake.account.create({ userId: 'ada', email: 'ada@example.com', password })
  const session = await fake.account.createEmailPasswordSession({
    email: 'ada@example.com',
    password,
  })
  return { fake, clock, session }
}

describe('accountLifecycle', () => {
  it('should renew the current session a full year from now', async () => {
    const { fake, clock, session } = await signedIn()
    expect(session.expire).toBe('2027-01-01T00:00:00.000+00:00')
    await clock.advance(60_000)
    const renewed = await fake.account.updateSession({ sessionId: 'current' })
    expect(renewed).toMatchObject({ $id: session.$id, expire: '2027-01-01T00:01:00.000+00:00' })
    expect((await fake.account.getSession({ sessionId: session.$id })).expire).toBe(renewed.expire)
    expect(await rejection(fake.account.updateSession({ sessionId: 'nope' }))).toMatchObject(
      appwriteError(404, 'user_session_not_found'),
    )
  })

  it('should block the account for good: no new sign-in afterwards', async () => {
    const { fake } = await signedIn()
    const blocked = await fake.account.updateStatus()
    expect(blocked).toMatchObject({ $id: 'ada', status: false })
    expect(
      await rejection(
        fake.account.createEmailPasswordSession({ email: 'ada@example.com', password }),
      ),
    ).toMatchObject(appwriteError(403, 'user_blocked', 'The current user has been blocked.'))
  })

  it('should delete the account and its sessions', async () => {
    const { fake } = await signedIn()
    expect(await fake.account.delete()).toEqual({})
    expect(await rejection(fake.users.get({ userId: 'ada' }))).toMatchObject(
      appwriteError(404, 'user_not_found'),
    )
    expect(await rejection(fake.account.get())).toMatchObject({ code: 401 })
  })
})
