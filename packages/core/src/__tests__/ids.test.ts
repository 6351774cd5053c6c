import { describe, expect, it, vi } from 'vitest'
import { assertBookingId, randomId } from '../pipeline/ids'

// More ids than one 4 KiB pool of random bytes holds (256 ids of 16 bytes), so refills are covered.
const MANY = 1_000

describe('randomId', () => {
  it('is the prefix and 31 lowercase hex characters, a valid booking id', () => {
    for (let i = 0; i < MANY; i++) {
      const id = randomId('b')
      expect(id).toMatch(/^b[0-9a-f]{31}$/)
      expect(() => assertBookingId(id, 'test')).not.toThrow()
    }
  })

  it('keeps a prefix of any length, one-letter ids made in between included', () => {
    for (const prefix of ['', 'b', 'ab', 'hc-', 'b']) {
      const id = randomId(prefix)
      expect(id.startsWith(prefix)).toBe(true)
      expect(id.slice(prefix.length)).toMatch(/^[0-9a-f]{31}$/)
    }
  })

  it('does not repeat across pool refills', () => {
    const ids = new Set(Array.from({ length: MANY }, () => randomId('x')))
    expect(ids.size).toBe(MANY)
  })

  it('uses every hex digit in every position over many ids', () => {
    const seen = Array.from({ length: 31 }, () => new Set<string>())
    for (let i = 0; i < MANY; i++) {
      const id = randomId('')
      for (let position = 0; position < 31; position++) seen[position]!.add(id[position]!)
    }
    expect(seen.map((digits) => digits.size)).toEqual(Array.from({ length: 31 }, () => 16))
  })

  it('falls back to Math.random where the platform has no crypto.getRandomValues', () => {
    vi.stubGlobal('crypto', undefined)
    const random = vi.spyOn(Math, 'random')
    // Enough ids to exhaust whatever is left of the current pool and draw a new one.
    const ids = Array.from({ length: 300 }, () => randomId('k'))
    expect(random).toHaveBeenCalled()
    for (const id of ids) expect(id).toMatch(/^k[0-9a-f]{31}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
