import type { IncomingMessage } from 'node:http'

/**
 * One request header as `req.headers[name]` gives it (the first value when Node keeps a list, as
 * for `set-cookie`), read from `req.rawHeaders`: Node builds `req.headers` on first use, an
 * object of every header (about 1.5 µs for the 14 headers an SDK sends), which a request the
 * emulator answers with the API key never needs otherwise. A header sent more than once is
 * looked up in `req.headers`, so Node's own rules for repeats apply (the first kept, or the
 * values joined). `name` must be lower case. `requestHeader.test.ts` compares the two on
 * generated requests.
 *
 * @internal
 */
export function requestHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders
  let found: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!
    if (key.length !== name.length || (key !== name && !sameLowerCase(key, name))) continue
    if (found !== undefined) return first(req.headers[name])
    found = raw[i + 1]!
  }
  return found
}

/**
 * Whether `key` is `name` (lower case, same length) in another case: what `key.toLowerCase() ===
 * name` answers, without the copy for each header of the same length (most differ early).
 */
function sameLowerCase(key: string, name: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i)
    if (k >= 0x80) return key.toLowerCase() === name
    const folded = k >= 0x41 && k <= 0x5a ? k + 0x20 : k
    if (folded !== name.charCodeAt(i)) return false
  }
  return true
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)
