import { describe, expect, it } from 'vitest'
import { installAccountFeatures } from '../accounts'
import { createFakeAppwrite } from '../index'
import { rejection } from './helpers'

// `installAccountFeatures` (`@booking-guard/testing/accounts`): what a fake does without it, and
// that it adds the email flows, the Users service with its list queries and imported hashes to a
// fake in process.

const password = 'correct horse battery'
// crypt_blowfish's test vector: bcrypt ignores what follows the 72nd byte.
const BCRYPT_PASSWORD =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored'
const BCRYPT_HASH = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'
const byName = JSON.stringify({ method: 'equal', attribute: 'name', values: ['Ada'] })

describe('accountFeatures', () => {
  it('should reject each extra without the features, with an error that names the installer', async () => {
    const fake = createFakeAppwrite()
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password, name: 'Ada' })
    await fake.account.createEmailPasswordSession({ email: 'ada@example.com', password })
    const calls: Array<[string, () => Promise<unknown>]> = [
      [
        'account.createEmailVerification()',
        () => fake.account.createEmailVerification({ url: 'https://app.example.com/verify' }),
      ],
      ['account.createSession()', () => fake.account.createSession({ userId: 'ada', secret: 'x' })],
      [
        '`fake.users.createBcryptUser`',
        () =>
          fake.users.createBcryptUser({
            userId: 'b',
            email: 'b@example.com',
            password: BCRYPT_HASH,
          }),
      ],
      ['`fake.users.createToken`', () => fake.users.createToken({ userId: 'ada' })],
      ['`fake.users.list`', () => fake.users.list({ queries: [byName] })],
      ['`fake.users.create`', () => fake.users.create({ userId: 'b' })],
      ['`fake.users.listIdentities`', () => fake.users.listIdentities()],
    ]
    for (const [what, call] of calls) {
      const error = await rejection<Error>(call())
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toBe(
        `${what} needs the fake's account features: call installAccountFeatures(fake) from '@booking-guard/testing/accounts' once after createFakeAppwrite() (the emulator installs them itself)`,
      )
    }
    // Nothing could be sent, so the outbox is empty rather than an error.
    expect(fake.outbox()).toEqual([])
  })

  it('should keep the Users service behind the features without ever throwing on reading it', async () => {
    const fake = createFakeAppwrite()
    // Reading `fake.users`, or spreading the fake, is safe before the features are installed.
    const early = fake.users
    expect({ ...fake }.users).toBeDefined()
    expect((early as unknown as { then?: unknown }).then).toBeUndefined()
    const before = await rejection<Error>(early.create({ userId: 'ada', name: 'Ada' }))
    expect(before.message).toContain("`fake.users.create` needs the fake's account features")
    installAccountFeatures(fake)
    // A reference taken before the install runs the installed service from then on.
    await early.create({ userId: 'ada', name: 'Ada' })
    for (let i = 0; i < 29; i++) await fake.users.create({ userId: `u${i}`, name: `User ${i}` })
    const list = await fake.users.list()
    expect(list.total).toBe(30)
    expect(list.users.map((user) => user.$id)).toEqual([
      'ada',
      ...Array.from({ length: 24 }, (_, i) => `u${i}`),
    ])
    expect(await fake.users.listIdentities()).toEqual({ total: 0, identities: [] })
    expect(await fake.users.listLogs({ userId: 'u0' })).toEqual({ total: 0, logs: [] })
    await expect(rejection(fake.users.listLogs({ userId: 'nobody' }))).resolves.toMatchObject({
      type: 'user_not_found',
    })
  })

  it('should add the extras to a fake that already has users, once however often it is called', async () => {
    const fake = createFakeAppwrite()
    await fake.account.create({ userId: 'ada', email: 'ada@example.com', password, name: 'Ada' })
    await fake.account.create({ userId: 'bob', email: 'bob@example.com', password, name: 'Bob' })
    installAccountFeatures(fake)
    expect(await fake.users.list({ queries: [byName] })).toMatchObject({
      total: 1,
      users: [{ $id: 'ada' }],
    })
    await fake.account.createEmailToken({ userId: 'unique()', email: 'ada@example.com' })
    // A second install keeps the same features: the email sent before is still there.
    installAccountFeatures(fake)
    const [mail] = fake.outbox({ email: 'ada@example.com', kind: 'emailOtp' })
    expect(mail).toMatchObject({ userId: 'ada', kind: 'emailOtp' })
    await fake.account.createSession({ userId: 'ada', secret: mail!.secret })
    expect((await fake.account.get()).$id).toBe('ada')
  })

  it('should sign in a user imported with a bcrypt hash, then keep the fake own hash', async () => {
    const fake = createFakeAppwrite()
    installAccountFeatures(fake)
    const created = await fake.users.createBcryptUser({
      userId: 'migrated',
      email: 'migrated@example.com',
      password: BCRYPT_HASH,
    })
    expect(created).toMatchObject({ hash: 'bcrypt', password: BCRYPT_HASH })
    await expect(
      rejection(
        fake.account.createEmailPasswordSession({
          email: 'migrated@example.com',
          password: 'not the password',
        }),
      ),
    ).resolves.toMatchObject({ type: 'user_invalid_credentials' })
    await fake.account.createEmailPasswordSession({
      email: 'migrated@example.com',
      password: BCRYPT_PASSWORD,
    })
    expect((await fake.account.get()).$id).toBe('migrated')
    // Re-hashed with the fake's own KDF after the sign-in, as the server re-hashes.
    expect((await fake.users.get({ userId: 'migrated' })).hash).not.toBe('bcrypt')
  })
})
