import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareCollated } from '../fake/collation'

/** The rule as the collation states it: both texts folded and trimmed, then compared. */
const byCopies = (a: string, b: string) => {
  const x = a.toLowerCase().trimEnd()
  const y = b.toLowerCase().trimEnd()
  return x < y ? -1 : x > y ? 1 : 0
}

// Letters in both cases, the ASCII characters between `Z` and `a`, whitespace `trimEnd` drops
// (ASCII and not), control characters below the space, and letters whose lower case is longer
// (`İ`) or depends on what follows (`Σ`).
const CHARS = [
  'a',
  'A',
  'b',
  'B',
  'z',
  'Z',
  '_',
  '[',
  '`',
  '0',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u0001',
  '\u001f',
  '!',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  'é',
  'É',
  'İ',
  'Σ',
  'σ',
  'ß',
  '\ud83d\ude00',
]
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((chars) => chars.join(''))

describe('collation', () => {
  it('should order two texts as folding and trimming both copies does', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareCollated(a, b)).toBe(byCopies(a, b))
      }),
      { numRuns: 20_000 },
    )
  })

  it('should order a text against its own case and padding variants as the copies do', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('', ' ', '  ', '\t', ' \u00a0', '!'), (a, tail) => {
        for (const b of [a.toUpperCase(), a.toLowerCase(), a + tail, a.toUpperCase() + tail])
          expect(compareCollated(a, b)).toBe(byCopies(a, b))
      }),
      { numRuns: 5_000 },
    )
  })

  it('should answer the cases the character walk decides', () => {
    expect(compareCollated('Abc', 'abc')).toBe(0)
    expect(compareCollated('abc  ', 'ABC')).toBe(0)
    expect(compareCollated('a  ', 'a \u0001')).toBe(-1)
    expect(compareCollated('a_', 'aB')).toBe(-1)
    expect(compareCollated('B', 'a')).toBe(1)
    expect(compareCollated('ab', 'a')).toBe(1)
    expect(compareCollated('a\u00a0', 'a')).toBe(0)
  })
})
