/**
 * The headers of an emulator answer as the flat `[name, value, name, value, …]` list Node's
 * `writeHead` takes. Node writes a flat list exactly as it writes an object with the same keys in
 * the same order (`responseHeaders.test.ts` compares the bytes), with less work per answer; and
 * the common answer (the shared, frozen CORS set and nothing of the route's own) starts from a
 * list flattened once instead of an object copied key by key.
 */

type HeaderValue = string | string[]

/** Flat lists of the frozen header objects seen before (the CORS set, with no origin). */
const flatOf = new WeakMap<object, readonly HeaderValue[]>()

/** The answer's headers as an object, in the order they are written: the reference. */
function headerObject(
  headers: Readonly<Record<string, HeaderValue>>,
  contentType: string | undefined,
  contentLength: number | undefined,
): Record<string, HeaderValue> {
  const all: Record<string, HeaderValue> = {}
  for (const name in headers) all[name] = headers[name]!
  all.Server = 'Appwrite'
  all['X-Content-Type-Options'] = 'nosniff'
  if (contentType !== undefined && contentLength !== undefined) {
    all['Content-Type'] = contentType
    all['Content-Length'] = String(contentLength)
  }
  return all
}

function flatten(headers: Readonly<Record<string, HeaderValue>>): HeaderValue[] {
  const list: HeaderValue[] = []
  for (const name in headers) list.push(name, headers[name]!)
  return list
}

/**
 * The headers of an answer, in this order: `headers` (the CORS set and the route's own), then
 * `Server: Appwrite`, `X-Content-Type-Options: nosniff`, and with a body its `Content-Type` and
 * `Content-Length`; a later one of the same name replaces an earlier one's value in place.
 *
 * @example
 * ```ts
 * res.writeHead(200, headerList(corsHeaders(undefined), 'application/json; charset=UTF-8', 2))
 * ```
 *
 * @internal
 */
export function headerList(
  headers: Readonly<Record<string, HeaderValue>>,
  contentType?: string,
  contentLength?: number,
): HeaderValue[] {
  // A route's own headers (cookies, …) are rare: built as the reference object, then flattened.
  if (!Object.isFrozen(headers)) return flatten(headerObject(headers, contentType, contentLength))
  let base = flatOf.get(headers)
  if (base === undefined) {
    // Not frozen: `slice` of a frozen array takes V8's slow path, a copy of this one its fast one.
    // It never leaves this module; callers get copies. The body's two headers have their places
    // at the end already (values filled in on the copy), so the copy is made at its full length
    // instead of grown by a push.
    base = flatten(headerObject(headers, '', 0))
    flatOf.set(headers, base)
  }
  // A frozen set naming a body header itself holds it in its own place: the reference path.
  if (base[base.length - 4] !== 'Content-Type' || base[base.length - 2] !== 'Content-Length')
    return flatten(headerObject(headers, contentType, contentLength))
  if (contentType === undefined || contentLength === undefined) return base.slice(0, -4)
  const list = base.slice()
  list[list.length - 3] = contentType
  list[list.length - 1] = String(contentLength)
  return list
}
