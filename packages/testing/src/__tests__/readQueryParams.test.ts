import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_INPUT_NESTING, parsePhpInput, readQueryParams } from '../emulator/requestInput'
import { queryPairs } from '../emulator/requestTarget'

const name = fc.constantFrom(
  'queries',
  'queries[]',
  'queries[0]',
  'queries[1]',
  'total',
  'a[b][]',
  'a.b',
  'project',
)
const search = fc
  .array(fc.tuple(name, fc.string({ maxLength: 12 })), { maxLength: 6 })
  .map(
    (pairs) =>
      `?${pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}`,
  )

describe('readQueryParams', () => {
  it('should answer what parsing the query string gives, on every call', () => {
    fc.assert(
      fc.property(search, fc.boolean(), (text, strict) => {
        const expected = parsePhpInput(queryPairs(text), strict)
        expect(readQueryParams(text, strict)).toEqual(expected)
        expect(readQueryParams(text, strict)).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('should answer a parse no route can change for the next request', () => {
    const text = `?queries[]=${encodeURIComponent('{"method":"limit","values":[25]}')}&total=false`
    const params = readQueryParams(text, true)
    expect(() => ((params.queries as string[])[0] = 'changed')).toThrow(TypeError)
    expect(() => (params.total = true)).toThrow(TypeError)
    expect(readQueryParams(text, true)).toEqual({
      queries: ['{"method":"limit","values":[25]}'],
      total: 'false',
    })
  })

  it('should refuse a query string nested too deep each time when strict, and drop it when not', () => {
    const text = `?a${'[x]'.repeat(MAX_INPUT_NESTING + 1)}=1&b=2`
    for (let i = 0; i < 2; i++) {
      expect(() => readQueryParams(text, true)).toThrow(/nests 65 levels/)
      expect(readQueryParams(text, false)).toEqual({ b: '2' })
    }
  })

  it('should keep answering right past the number of query strings it keeps', () => {
    for (let i = 0; i < 600; i++) expect(readQueryParams(`?n=${i}`, false)).toEqual({ n: `${i}` })
    expect(readQueryParams('?n=3', false)).toEqual({ n: '3' })
  })
})
