import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JSON_CONTENT_TYPE, corsHeaders } from '../emulator/http'
import { headerList } from '../emulator/responseHeaders'

type HeaderValue = string | string[]

/** A response that is never sent: `writeHead` only renders its head, which the test reads. */
function response(): ServerResponse {
  const req = new IncomingMessage(new Socket())
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  return new ServerResponse(req)
}

/** The head Node renders for `headers`, without its `Date` line (the clock moves between calls). */
function head(status: number, headers: Record<string, HeaderValue> | HeaderValue[]): string {
  const res = response()
  res.writeHead(status, headers)
  return (res as unknown as { _header: string })._header.replace(/^Date: .*\r\n/m, '')
}

/** The reference: the object the emulator gave `writeHead` before it gave a flat list. */
function headerObject(
  headers: Readonly<Record<string, HeaderValue>>,
  body: string | undefined,
  contentType: string | undefined,
): Record<string, HeaderValue> {
  const all: Record<string, HeaderValue> = {}
  for (const name in headers) all[name] = headers[name]!
  all.Server = 'Appwrite'
  all['X-Content-Type-Options'] = 'nosniff'
  if (body !== undefined && contentType !== undefined) {
    all['Content-Type'] = contentType
    all['Content-Length'] = String(Buffer.byteLength(body))
  }
  return all
}

function flatHead(
  status: number,
  headers: Readonly<Record<string, HeaderValue>>,
  body: string | undefined,
  contentType: string | undefined,
): string {
  return head(
    status,
    body !== undefined && contentType !== undefined
      ? headerList(headers, contentType, Buffer.byteLength(body))
      : headerList(headers),
  )
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
const value = fc.stringMatching(/^[ -~]{0,40}$/).map((text) => text.trim())
// A route's own headers: cookies (a list), names that repeat the common ones, any other.
const routeHeaders = fc.dictionary(
  fc.oneof(
    token,
    fc.constantFrom(
      'Set-Cookie',
      'X-Fallback-Cookies',
      'Server',
      'Content-Type',
      'Access-Control-Max-Age',
    ),
  ),
  fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })),
  { maxKeys: 5 },
)

describe('responseHeaders', () => {
  it('should render the same head as the header object, for every kind of answer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(200, 201, 204, 400, 404, 500),
        fc.option(fc.constantFrom('http://localhost:3000', 'https://app.example.com')),
        fc.option(routeHeaders),
        fc.option(fc.string({ maxLength: 60 })),
        fc.constantFrom(JSON_CONTENT_TYPE, 'text/plain; charset=UTF-8', undefined),
        fc.boolean(),
        (status, origin, extra, body, contentType, frozen) => {
          const cors = corsHeaders(origin ?? undefined)
          // A frozen set is flattened once and kept (the shared CORS set is one): also one that
          // names a body header itself.
          const own = extra === null ? cors : Object.assign({}, cors, extra)
          const headers = frozen ? Object.freeze(Object.assign({}, own)) : own
          const text = body ?? undefined
          expect(flatHead(status, headers, text, contentType)).toBe(
            head(status, headerObject(headers, text, contentType)),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('should send the server CORS set, Server and nosniff on an answer to a request without Origin', () => {
    const rendered = flatHead(200, corsHeaders(undefined), '{"a":"é"}', JSON_CONTENT_TYPE)
    expect(rendered.split('\r\n').slice(1, 10)).toEqual([
      'Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE',
      expect.stringMatching(
        /^Access-Control-Allow-Headers: Accept, Origin, Cookie, .*X-Appwrite-Project/,
      ),
      'Access-Control-Expose-Headers: X-Appwrite-Session, X-Fallback-Cookies',
      'Access-Control-Allow-Credentials: true',
      'Access-Control-Max-Age: 86400',
      'Server: Appwrite',
      'X-Content-Type-Options: nosniff',
      'Content-Type: application/json; charset=UTF-8',
      'Content-Length: 10',
    ])
    expect(rendered).not.toContain('Access-Control-Allow-Origin')
  })

  it('should hand every answer a list of its own', () => {
    const first = headerList(corsHeaders(undefined), JSON_CONTENT_TYPE, 2)
    first.push('X-Extra', '1')
    expect(headerList(corsHeaders(undefined), JSON_CONTENT_TYPE, 2)).not.toContain('X-Extra')
    expect(headerList(corsHeaders(undefined))).not.toContain('Content-Length')
  })
})
