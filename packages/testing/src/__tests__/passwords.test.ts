import { afterEach, describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../fake/passwords'

const proc = process as { getBuiltinModule?: unknown }
const getBuiltinModule = proc.getBuiltinModule

afterEach(() => {
  proc.getBuiltinModule = getBuiltinModule
})

describe('passwords', () => {
  it('should hash with salted scrypt on Node and verify only the right password', async () => {
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(await hashPassword('correct horse battery')).not.toBe(hash)
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false)
  })

  it('should fall back to PBKDF2 from Web Crypto where node:crypto is out of reach', async () => {
    // As in a browser bundle: no `process.getBuiltinModule`.
    proc.getBuiltinModule = undefined
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^pbkdf2-sha256\$210000\$[\w-]{22}\$[\w-]{43}$/)
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('wrong horse battery', hash)).toBe(false)
    proc.getBuiltinModule = getBuiltinModule
    // A hash made in the browser still verifies on Node.
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
  })

  it('should refuse a hash it cannot read', async () => {
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow(
      'unknown password hash format `md5`',
    )
  })
})
