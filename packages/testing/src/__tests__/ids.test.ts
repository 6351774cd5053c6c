import { ID } from 'appwrite'
import { describe, expect, it } from 'vitest'
import {
  CUSTOM_ID_DESCRIPTION,
  UID_DESCRIPTION,
  assertCustomId,
  assertUid,
  createIdGenerator,
  isValidId,
} from '../fake/ids'

function thrown(fn: () => void): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('ids', () => {
  it('should accept the ids the server accepts', () => {
    for (const id of [
      'a',
      'booking-1',
      'A.b_c-9',
      'x'.repeat(36),
      ID.unique(),
      ID.custom('room_1'),
    ]) {
      expect(isValidId(id)).toBe(true)
    }
  })

  it('should refuse ids with a leading special char, other chars, or more than 36 chars', () => {
    for (const id of ['', '_a', '.a', '-a', 'a b', 'a/b', 'é', 'x'.repeat(37), '$id', 'unique()']) {
      expect(isValidId(id)).toBe(false)
    }
    expect(isValidId(42)).toBe(false)
  })

  it('should throw general_argument_invalid naming the parameter for a bad custom id', () => {
    const error = thrown(() => assertCustomId('rowId', '_bad'))
    expect(error).toMatchObject({
      name: 'AppwriteException',
      code: 400,
      type: 'general_argument_invalid',
      message: `Invalid \`rowId\` param: ${CUSTOM_ID_DESCRIPTION}`,
    })
    expect(CUSTOM_ID_DESCRIPTION).toBe(
      "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
    )
  })

  it('should let unique() through the custom id check but not the UID check', () => {
    expect(() => assertCustomId('rowId', 'unique()')).not.toThrow()
    expect(thrown(() => assertUid('rowId', 'unique()'))).toMatchObject({
      code: 400,
      type: 'general_argument_invalid',
      message: `Invalid \`rowId\` param: ${UID_DESCRIPTION}`,
    })
    expect(UID_DESCRIPTION).toContain('UID must contain at most 36 chars')
  })

  it('should produce 20 lowercase hex chars per id', () => {
    const ids = createIdGenerator({ seed: 7 })
    for (let i = 0; i < 50; i++) expect(ids.next()).toMatch(/^[0-9a-f]{20}$/)
  })

  it('should produce the same sequence for the same seed and restart it on reset', () => {
    const a = createIdGenerator({ seed: 'booking' })
    const b = createIdGenerator({ seed: 'booking' })
    const first = [a.next(), a.next(), a.next()]
    expect([b.next(), b.next(), b.next()]).toEqual(first)
    a.reset()
    expect(a.next()).toBe(first[0])
    expect(new Set(first).size).toBe(3)
  })

  it('should produce different sequences for different seeds', () => {
    expect(createIdGenerator({ seed: 1 }).next()).not.toBe(createIdGenerator({ seed: 2 }).next())
  })

  it('should keep the ids of a seed from one version to the next', () => {
    // Tests pin rows by seeded ids: these must never change.
    const first3 = (seed: number | string) => {
      const ids = createIdGenerator({ seed })
      return [ids.next(), ids.next(), ids.next()]
    }
    expect(first3(1)).toEqual([
      'd4eb6bf31f7d82d2d385',
      'bffcff4f93087c1ae4e0',
      '3c64c52c8fbabc38671e',
    ])
    expect(first3(42)).toEqual([
      '4ec76e635e1bcf4e3b38',
      '0480b7b802566055354f',
      'ee8eaad486f5dae03e7d',
    ])
    expect(first3('booking')).toEqual([
      '9251d7261dcfe936413f',
      '083ad46dfd2275c85fdc',
      'cfd20a749e5e77a3b005',
    ])
  })
})
