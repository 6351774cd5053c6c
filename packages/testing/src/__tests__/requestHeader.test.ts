import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestHeader } from '../emulator/requestHeader'

// Names the emulator reads, names Node treats specially (first kept, joined with `; `, a list),
// and one it joins with `, ` like any other.
const NAMES = [
  'origin',
  'x-appwrite-key',
  'x-appwrite-project',
  'x-appwrite-response-format',
  'content-type',
  'user-agent',
  'cookie',
  'set-cookie',
  'x-other',
]

/** The name as a client may spell it: any mix of cases. */
const spelling = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''))

const headerArb = fc
  .constantFrom(...NAMES)
  .chain((name) => fc.tuple(spelling(name), fc.stringMatching(/^[!-~]([ !-~]{0,10}[!-~])?$/)))

let seen: (req: IncomingMessage) => void = () => {}
const server = createServer((req, res) => {
  seen(req)
  res.end()
})
let port = 0

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Sends a GET with `headers` (in this order, as spelled) and returns what the server saw. */
function send(headers: readonly (readonly [string, string])[]) {
  return new Promise<{ fromRaw: (string | undefined)[]; fromNode: (string | undefined)[] }>(
    (resolve, reject) => {
      seen = (req) => {
        // Read from the raw list first, before Node builds `req.headers`.
        const fromRaw = NAMES.map((name) => requestHeader(req, name))
        const fromNode = NAMES.map((name) => {
          const value = req.headers[name]
          return Array.isArray(value) ? value[0] : value
        })
        resolve({ fromRaw, fromNode })
      }
      const socket = connect(port, '127.0.0.1', () => {
        const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')
        socket.end(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines}Connection: close\r\n\r\n`)
      })
      socket.on('error', reject)
      socket.resume()
    },
  )
}

describe('requestHeader', () => {
  it('should read every header as req.headers gives it, repeats and any spelling included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(headerArb, { maxLength: 12 }), async (headers) => {
        const { fromRaw, fromNode } = await send(headers)
        expect(fromRaw).toEqual(fromNode)
      }),
      { numRuns: 150 },
    )
  })
})
