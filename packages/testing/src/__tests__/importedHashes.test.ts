import { describe, expect, it } from 'vitest'
import { bcrypt } from '../fake/bcrypt'
import { verifyImportedPassword } from '../fake/importedHashes'
import type { ImportedHash } from '../fake/importedHashes'

// Published vectors only: Openwall's crypt_blowfish tests for bcrypt, and the hashes of the
// password "appwrite" the server's own e2e tests import (tests/e2e/Services/Users/UsersBase.php).

describe('bcrypt', () => {
  it.each([
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['U*U*U', '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
    [
      '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored',
      '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui',
    ],
  ])('should hash %j as crypt_blowfish does', (password, hash) => {
    expect(bcrypt(password, hash.slice(0, 29))).toBe(hash)
    // `$2b$` and `$2y$` are the same function for these passwords.
    expect(bcrypt(password, `$2y$${hash.slice(4, 29)}`)).toBe(`$2y$${hash.slice(4)}`)
  })

  it('should refuse settings that are not bcrypt', () => {
    expect(bcrypt('U*U', '$2x$05$CCCCCCCCCCCCCCCCCCCCC.')).toBeUndefined()
    expect(bcrypt('U*U', '$2a$03$CCCCCCCCCCCCCCCCCCCCC.')).toBeUndefined()
    expect(bcrypt('U*U', '$1$salt$')).toBeUndefined()
  })
})

describe('verifyImportedPassword', () => {
  const appwrite: ImportedHash[] = [
    { type: 'md5', hash: '144fa7eaa4904e8ee120651997f70dcc', options: { type: 'md5' } },
    {
      type: 'sha',
      hash: '4243da0a694e8a2f727c8060fe0507c8fa01ca68146c76d2c190805b638c20c6bf6ba04e21f11ae138785d0bff63c416e6f87badbffad37f6dee50094cc38c70',
      options: { version: 'sha512' },
    },
    {
      type: 'scrypt',
      hash: '3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b',
      options: { salt: 'appwrite', costCpu: 16384, costMemory: 13, costParallel: 2, length: 64 },
    },
    { type: 'phpass', hash: '$P$Br387rwferoKN7uwHZqNMu98q3U8RO.', options: { type: 'phpass' } },
    {
      type: 'scryptMod',
      hash: 'UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ==',
      options: {
        salt: 'UxLMreBr6tYyjQ==',
        saltSeparator: 'Bw==',
        signerKey:
          'XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ==',
      },
    },
  ]

  it.each(appwrite.map((hash) => [hash.type, hash] as const))(
    'should verify the server tests’ %s hash of "appwrite" and refuse another password',
    async (_type, hash) => {
      expect(await verifyImportedPassword('appwrite', hash)).toBe(true)
      expect(await verifyImportedPassword('appwritE', hash)).toBe(false)
    },
  )

  it('should verify a phpass entry that holds a bcrypt hash through bcrypt', async () => {
    const hash = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'
    expect(await verifyImportedPassword('U*U*', { type: 'phpass', hash, options: {} })).toBe(true)
    expect(await verifyImportedPassword('U*U', { type: 'phpass', hash, options: {} })).toBe(false)
    await expect(
      verifyImportedPassword('x', { type: 'phpass', hash: '$1$abc$def', options: {} }),
    ).rejects.toMatchObject({ type: 'general_not_implemented' })
  })

  it('should refuse a malformed bcrypt or argon2 hash as a wrong password, not a crash', async () => {
    expect(
      await verifyImportedPassword('appwrite', { type: 'bcrypt', hash: 'not a hash', options: {} }),
    ).toBe(false)
    expect(
      await verifyImportedPassword('appwrite', {
        type: 'argon2',
        hash: '$argon2id$bad',
        options: {},
      }),
    ).toBe(false)
  })
})
