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
    if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue
    if (found !== undefined) return first(req.headers[name])
    found = raw[i + 1]!
  }
  return found
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)
