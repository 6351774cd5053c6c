import { unescape as queryUnescape } from 'node:querystring'

/**
 * A request target (`req.url`) as the emulator reads it: the path the router matches and the
 * query string's `name=value` pairs.
 *
 * @internal
 */
export interface RequestTarget {
  /** The path, as `new URL(target, base).pathname` gives it. */
  readonly pathname: string
  /** The query string with its `?`, as `new URL(target, base).search` gives it (`''` when none). */
  readonly search: string
}

// A path `new URL` would keep byte for byte: unreserved and sub-delim characters, `:`, `@`, `%`
// and `/` (no `\`, which it turns into `/`, no space or quote, which it percent-encodes).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/
// Segments `new URL` resolves or rewrites: `.` and `..`, also written `%2e`.
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)|%2e/i
// A query `new URL` keeps as is: printable ASCII but for the characters its query percent-encode
// set escapes for `http:` (`"`, `'`, `<`, `>`) and `#`, which starts a fragment.
const PLAIN_QUERY = /^[!$-&(-;=?-~]*$/

/**
 * Splits a request target into path and query string exactly as `new URL(target, base)` does,
 * without building a URL for the plain targets SDKs send (`/v1/…/rows/r1?queries%5B0%5D=…`): a
 * target with anything `new URL` would rewrite (dot segments, `\`, spaces, quotes, non-ASCII,
 * a fragment, a leading `//`) goes through `new URL`; one `new URL` refuses is kept as sent.
 * `requestTarget.test.ts` compares the two on generated targets.
 *
 * @example
 * ```ts
 * splitRequestTarget('/v1/tablesdb/main/tables/t/rows?queries[]=x') // { pathname: '/v1/tablesdb/main/tables/t/rows', search: '?queries[]=x' }
 * ```
 *
 * @internal
 */
export function splitRequestTarget(target: string): RequestTarget {
  const mark = target.indexOf('?')
  const path = mark === -1 ? target : target.slice(0, mark)
  const query = mark === -1 ? '' : target.slice(mark + 1)
  if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) && PLAIN_QUERY.test(query))
    return { pathname: path, search: query === '' ? '' : `?${query}` }
  let url: URL
  try {
    url = new URL(target, 'http://emulator')
  } catch (error) {
    // A target no URL can be made of (`//`, `//:x`): kept as sent, so it matches no route (404)
    // rather than throwing out of the request handler. (`URL.canParse` is no test for this: Node
    // 20's refuses some targets `new URL` takes, `//é`.)
    if (!(error instanceof TypeError)) throw error
    return { pathname: path, search: query === '' ? '' : `?${query}` }
  }
  return { pathname: url.pathname, search: url.search }
}

const PERCENT_BYTE = /%[0-9A-Fa-f]{2}/

/** One name or value of a query string, decoded as `URLSearchParams` decodes it. */
function decodeComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text
  return PERCENT_BYTE.test(spaced) ? queryUnescape(spaced) : spaced
}

/**
 * The `name=value` pairs of a query string (with or without its `?`), in order, decoded exactly
 * as `new URLSearchParams(search)` decodes them (`+` is a space, `%XX` bytes as UTF-8, an
 * invalid sequence left as written, empty pieces skipped), without building one.
 *
 * @example
 * ```ts
 * queryPairs('?a=1&b=x+y') // [['a', '1'], ['b', 'x y']]
 * ```
 *
 * @internal
 */
export function queryPairs(search: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  let at = search.startsWith('?') ? 1 : 0
  while (at < search.length) {
    let end = search.indexOf('&', at)
    if (end === -1) end = search.length
    if (end > at) {
      const equals = search.indexOf('=', at)
      if (equals === -1 || equals > end) pairs.push([decodeComponent(search.slice(at, end)), ''])
      else
        pairs.push([
          decodeComponent(search.slice(at, equals)),
          decodeComponent(search.slice(equals + 1, end)),
        ])
    }
    at = end + 1
  }
  return pairs
}
