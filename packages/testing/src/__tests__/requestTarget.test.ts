import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { queryPairs, splitRequestTarget } from '../emulator/requestTarget'

// Characters that make targets interesting: every special case of `new URL` and of
// form-urlencoded decoding (dots, slashes, backslashes, escapes valid and not, `+`, `=`, `&`,
// `#`, quotes, spaces, non-ASCII, control characters), plus plain ones.
const PIECES = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  '~',
  '.',
  '..',
  '/',
  '//',
  '\\',
  '?',
  '#',
  '&',
  '=',
  '+',
  '%',
  '%2e',
  '%2E',
  '%41',
  '%zz',
  '%E2%82%AC',
  '%E2%82',
  '%2B',
  '%26',
  '%3D',
  ' ',
  '"',
  "'",
  '<',
  '>',
  '[',
  ']',
  '{',
  '|',
  '^',
  '`',
  ':',
  '@',
  '$',
  '!',
  '*',
  ',',
  ';',
  '€',
  'é',
  '\t',
  '\n',
  '\u0000',
  'queries[0]',
  'rows',
  'v1',
]
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''))
const target = fc.oneof(
  text.map((rest) => `/${rest}`),
  fc
    .tuple(
      fc.array(fc.constantFrom('v1', 'tablesdb', 'r1', 'a.b', '.', '..', '%2e'), { maxLength: 6 }),
      text,
    )
    .map(([segments, query]) => `/${segments.join('/')}?${query}`),
  text,
)

/** What `run` answers, or the message it throws. */
function outcome(run: () => unknown): unknown {
  try {
    return { value: run() }
  } catch (error) {
    return { threw: (error as Error).message }
  }
}

describe('requestTarget', () => {
  it('should split every target into the pathname and search new URL gives', () => {
    fc.assert(
      fc.property(target, (raw) => {
        // `//` or `/\` starts an authority that may be invalid: where `new URL` throws, the
        // target is kept as sent (path and query), so it matches no route instead of throwing.
        const mark = raw.indexOf('?')
        const asSent = {
          value: {
            pathname: mark === -1 ? raw : raw.slice(0, mark),
            search: mark === -1 || mark === raw.length - 1 ? '' : raw.slice(mark),
          },
        }
        const byUrl = outcome(() => {
          const url = new URL(raw, 'http://emulator')
          return { pathname: url.pathname, search: url.search }
        })
        expect(outcome(() => splitRequestTarget(raw))).toEqual(
          'threw' in (byUrl as object) ? asSent : byUrl,
        )
      }),
      // `//é` once failed: `URL.canParse` and `new URL` disagreed on it.
      { numRuns: 5000, examples: [['//é'], ['//'], ['//:x?a=1']] },
    )
  })

  it('should decode every query string into the pairs URLSearchParams gives, in order', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (query, mark) => {
        const search = mark ? `?${query}` : query
        expect(queryPairs(search)).toEqual([...new URLSearchParams(search)])
      }),
      { numRuns: 5000 },
    )
  })

  it('should read what an SDK sends without new URL', () => {
    const sent =
      '/v1/tablesdb/main/tables/items/rows?queries%5B0%5D=%7B%22method%22%3A%22equal%22%2C%22values%22%3A%5B%22a+b%22%5D%7D&queries%5B1%5D=x+y'
    expect(splitRequestTarget(sent)).toEqual({
      pathname: '/v1/tablesdb/main/tables/items/rows',
      search: sent.slice(sent.indexOf('?')),
    })
    expect(queryPairs(splitRequestTarget(sent).search)).toEqual([
      ['queries[0]', '{"method":"equal","values":["a b"]}'],
      ['queries[1]', 'x y'],
    ])
  })

  it('should resolve dot segments and cut a fragment as new URL does', () => {
    expect(splitRequestTarget('/v1/a/../b/./c?x=1#frag')).toEqual({
      pathname: '/v1/b/c',
      search: '?x=1',
    })
    expect(splitRequestTarget('/v1/%2e%2e/rows')).toEqual({ pathname: '/rows', search: '' })
    expect(splitRequestTarget('/v1/x?')).toEqual({ pathname: '/v1/x', search: '' })
  })
})
