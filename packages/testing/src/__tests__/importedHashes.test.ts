import * as nodeCrypto from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { argon2, blake2b } from '../fake/argon2'
import { bcrypt } from '../fake/bcrypt'
import { verifyImportedPassword } from '../fake/importedHashes'
import type { ImportedHash } from '../fake/importedHashes'

// Published vectors only: Openwall's crypt_blowfish tests for bcrypt, RFC 9106 §5 and the argon2
// reference implementation's src/test.c for argon2, and the hashes of the password "appwrite" the
// server's own e2e tests import (tests/e2e/Services/Users/UsersBase.php).

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('blake2b', () => {
  it.each([0, 3, 127, 128, 129, 1000])(
    'should digest %i bytes as OpenSSL BLAKE2b-512 does',
    (length) => {
      const data = Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff)
      expect(hex(blake2b(data, 64))).toBe(
        nodeCrypto.createHash('blake2b512').update(data).digest('hex'),
      )
    },
  )
})

describe('argon2', () => {
  const rfc9106 = {
    version: 0x13,
    password: new Uint8Array(32).fill(1),
    salt: new Uint8Array(16).fill(2),
    secret: new Uint8Array(8).fill(3),
    associatedData: new Uint8Array(12).fill(4),
    memory: 32,
    passes: 3,
    parallelism: 4,
    tagLength: 32,
  }
  it.each([
    ['argon2d', '512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb'],
    ['argon2i', 'c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8'],
    ['argon2id', '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659'],
  ] as const)('should give the RFC 9106 test vector tag for %s', (type, tag) => {
    expect(hex(argon2({ ...rfc9106, type }))).toBe(tag)
  })
})

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

  it('should verify argon2 PHC strings and refuse what it cannot verify, saying why', async () => {
    const argon2i = {
      type: 'argon2',
      hash: '$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI',
      options: {},
    } as const
    expect(await verifyImportedPassword('appwrite', argon2i)).toBe(true)
    expect(await verifyImportedPassword('appwritE', argon2i)).toBe(false)
    const argon2id = {
      type: 'argon2',
      hash: '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
      options: {},
    } as const
    expect(await verifyImportedPassword('password', argon2id)).toBe(true)
    expect(await verifyImportedPassword('passworD', argon2id)).toBe(false)
    await expect(
      verifyImportedPassword('password', {
        ...argon2id,
        hash: '$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
      }),
    ).rejects.toMatchObject({
      type: 'general_not_implemented',
      message: expect.stringContaining('4194304 KiB of memory'),
    })
  })

  describe('with a Node that has crypto.argon2', () => {
    // The module object the package reaches through `process.getBuiltinModule('node:crypto')`.
    const crypto = process.getBuiltinModule('node:crypto') as { argon2?: unknown }
    const had = Object.hasOwn(crypto, 'argon2')
    const before = crypto.argon2
    afterEach(() => {
      if (had) crypto.argon2 = before
      else delete crypto.argon2
    })
    const hash = {
      type: 'argon2',
      hash: '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
      options: {},
    } as const

    it('should use it, with the parameters the hash names', async () => {
      const calls: unknown[] = []
      crypto.argon2 = (
        algorithm: string,
        params: { nonce: Uint8Array; memory: number; passes: number; parallelism: number },
        callback: (error: Error | null, key: Uint8Array) => void,
      ) => {
        calls.push([algorithm, params.memory, params.passes, params.parallelism])
        // What the native function answers for these parameters (RFC 9106 / src/test.c).
        callback(null, Buffer.from('nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4', 'base64'))
      }
      expect(await verifyImportedPassword('password', hash)).toBe(true)
      expect(calls).toEqual([['argon2id', 256, 2, 1]])
    })

    it('should compute the tag itself when Node refuses (an OpenSSL without argon2)', async () => {
      crypto.argon2 = () => {
        throw Object.assign(new Error('Argon2 is not supported'), {
          code: 'ERR_CRYPTO_ARGON2_NOT_SUPPORTED',
        })
      }
      expect(await verifyImportedPassword('password', hash)).toBe(true)
      crypto.argon2 = (_a: string, _p: unknown, callback: (error: Error | null) => void) =>
        callback(new Error('memory must be greater than 8 * parallelism'))
      expect(await verifyImportedPassword('passworD', hash)).toBe(false)
      expect(await verifyImportedPassword('password', hash)).toBe(true)
    })
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
