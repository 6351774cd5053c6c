import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compactData, sharedPermissions, sharedString } from '../fake/rowShape'

const key = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'status',
    '$id',
    '0',
    '1',
    '10',
    '-1',
    '01',
    'constructor',
    'toString',
    '',
  ),
  fc.string({ maxLength: 6 }),
)
const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 3 }),
)

describe('rowShape', () => {
  it('should keep the same keys, order, values and prototype as the data it compacts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 30 }), (entries) => {
        const data: Record<string, unknown> = {}
        for (const [name, inner] of entries) data[name] = inner
        const compact = compactData(data)
        expect(Object.entries(compact)).toEqual(Object.entries(data))
        expect(Object.getPrototypeOf(compact)).toBe(Object.prototype)
        expect(JSON.stringify(compact)).toBe(JSON.stringify(data))
        // Values are the same references: nothing is copied deeply.
        for (const name of Object.keys(data)) expect(compact[name]).toBe(data[name])
      }),
      { numRuns: 2000 },
    )
  })

  it('should give each row data of its own for more than four keys', () => {
    const first = { a: 1, b: 2, c: 3, d: 4, e: 5 }
    const one = compactData(first)
    const other = compactData({ a: 1, b: 2, c: 3, d: 4, e: 5 })
    expect(one).not.toBe(first)
    expect(one).not.toBe(other)
    one.a = 100
    expect(other.a).toBe(1)
    expect(first.a).toBe(1)
  })

  it('should leave data with four keys or fewer, another prototype or an own __proto__ as it is', () => {
    const small = { a: 1, b: 2, c: 3, d: 4 }
    expect(compactData(small)).toBe(small)
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, small, { e: 5 })
    expect(compactData(bare)).toBe(bare)
    const proto = JSON.parse('{"a":1,"b":2,"c":3,"d":4,"__proto__":{"x":1}}') as Record<
      string,
      unknown
    >
    expect(compactData(proto)).toBe(proto)
  })
})

describe('sharedString and sharedPermissions', () => {
  it('should answer an equal string for every string, short or long, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const built = `${text.slice(0, 3)}${text.slice(3)}`
        expect(sharedString(built)).toBe(text)
        expect(sharedString(text)).toBe(text)
      }),
      { numRuns: 2000 },
    )
    // Many generated strings, each through the whole row model: seconds of CPU on a busy machine.
  }, 20_000)

  it('should answer an equal, frozen list for every permission list, past its bound too', () => {
    const lists = fc.array(
      fc.constantFrom('read("any")', 'read("user:a")', 'update("user:a")', 'a\nb', 'a', 'b', ''),
      { maxLength: 4 },
    )
    fc.assert(
      fc.property(fc.array(lists, { minLength: 1, maxLength: 20 }), (many) => {
        for (const list of many) {
          const kept = sharedPermissions([...list])
          expect(kept).toEqual(list)
          expect(Object.isFrozen(kept)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
    for (let i = 0; i < 5000; i++)
      expect(sharedPermissions([`read("user:${i}")`])).toEqual([`read("user:${i}")`])
  })

  it('should keep one list for rows with equal permissions, and apart lists that only join alike', () => {
    const one = sharedPermissions(['read("user:a")', 'update("user:a")'])
    expect(sharedPermissions(['read("user:a")', 'update("user:a")'])).toBe(one)
    expect(sharedPermissions(['a\nb'])).toEqual(['a\nb'])
    expect(sharedPermissions(['a', 'b'])).toEqual(['a', 'b'])
    expect(sharedPermissions(['a\nb'])).toEqual(['a\nb'])
  })
})
