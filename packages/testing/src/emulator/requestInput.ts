import type { IncomingMessage } from 'node:http'
import { EmulatorHttpError, httpError } from './http'
import type { Params } from './http'
import { requestHeader } from './requestHeader'
import { queryPairs } from './requestTarget'

/**
 * How deep `a[b][c]…` may nest in a query string or form body: PHP's `max_input_nesting_level`
 * (default 64). A deeper variable is dropped whole, as PHP drops it.
 *
 * @internal
 */
export const MAX_INPUT_NESTING = 64

/**
 * How deep a JSON body may nest: the default `$depth` of PHP's `json_decode` (512). The server
 * decodes a deeper body to `null` and reads it as no parameters at all.
 *
 * @internal
 */
export const MAX_JSON_DEPTH = 512

/** A PHP array under construction: keys in insertion order, integer keys as numbers. */
type PhpArray = Map<string | number, PhpValue>
type PhpValue = string | PhpArray

/** PHP turns a decimal-integer key (no leading zero, no sign but `-`) into an integer key. */
function phpKey(key: string): string | number {
  return /^(0|-?[1-9]\d{0,17})$/.test(key) ? Number(key) : key
}

function nextIndex(array: PhpArray): number {
  let next = 0
  for (const key of array.keys()) if (typeof key === 'number' && key >= next) next = key + 1
  return next
}

/**
 * Splits a variable name the way `php_register_variable_ex` does: the base name (leading spaces
 * dropped, `.` and space turned into `_`) and its `[index]` segments. A `[` that never closes
 * makes the whole name plain (with that `[` as `_`); text after the last `]` is ignored.
 */
function splitName(name: string): { base: string; indexes: string[] } | undefined {
  const trimmed = name.replace(/^ +/, '')
  const open = trimmed.indexOf('[')
  const plain = (text: string) => text.replace(/[. ]/g, '_')
  if (open <= 0)
    return open === 0 || trimmed === '' ? undefined : { base: plain(trimmed), indexes: [] }
  const indexes: string[] = []
  let at = open
  while (at < trimmed.length && trimmed[at] === '[') {
    const close = trimmed.indexOf(']', at + 1)
    if (close === -1) {
      if (indexes.length === 0)
        return { base: plain(trimmed.slice(0, open)) + '_' + trimmed.slice(open + 1), indexes: [] }
      break
    }
    indexes.push(trimmed.slice(at + 1, close))
    at = close + 1
  }
  return { base: plain(trimmed.slice(0, open)), indexes }
}

/** Adds one `name=value` pair to `root` as PHP fills `$_GET` / `$_POST`. */
function register(root: PhpArray, name: string, value: string, strict: boolean): void {
  const parts = splitName(name)
  if (parts === undefined) return
  const { base, indexes } = parts
  if (indexes.length > MAX_INPUT_NESTING) {
    if (strict)
      throw httpError(
        'general_argument_invalid',
        `Param "${base}" nests ${indexes.length} levels of [brackets]; PHP drops a variable nested deeper than ${MAX_INPUT_NESTING} (max_input_nesting_level), so the server would act as if it were not given.`,
      )
    root.delete(phpKey(base))
    return
  }
  if (indexes.length === 0) {
    root.set(phpKey(base), value)
    return
  }
  let container = root
  let key: string | number = phpKey(base)
  for (const index of indexes) {
    let child = container.get(key)
    if (!(child instanceof Map)) container.set(key, (child = new Map()))
    container = child
    key = index === '' ? nextIndex(container) : phpKey(index)
  }
  container.set(key, value)
}

/** A PHP array as the JSON-decoded value the server's validators see: a list, or an object. */
function toJs(value: PhpValue): unknown {
  if (typeof value === 'string') return value
  const keys = [...value.keys()]
  if (keys.every((key) => typeof key === 'number')) return [...value.values()].map(toJs)
  const out: Record<string, unknown> = {}
  for (const [key, inner] of value) out[String(key)] = toJs(inner)
  return out
}

/**
 * Parses `name=value` pairs (a query string or an `application/x-www-form-urlencoded` body) the
 * way PHP fills `$_GET`: `queries[]=a`, `queries[0]=a` and `queries[0][method]=equal` nest to any
 * depth up to {@link MAX_INPUT_NESTING}; a repeated name keeps the last value. A PHP array whose
 * keys are all integers becomes a list (in the order sent); any other becomes an object. A deeper
 * name is dropped as PHP drops it, or refused when `strict`.
 *
 * @internal
 */
export function parsePhpInput(pairs: Iterable<[string, string]>, strict = false): Params {
  const root: PhpArray = new Map()
  for (const [name, value] of pairs) register(root, name, value, strict)
  const params: Params = {}
  for (const [key, value] of root) params[String(key)] = toJs(value)
  return params
}

/**
 * Whether a JSON text nests arrays and objects deeper than `limit`, without parsing it (so a
 * hostile body cannot exhaust the stack of anything that walks the parsed value).
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  // Nesting deeper than `limit` needs more than 2 × `limit` characters.
  if (text.length <= 2 * limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/**
 * Decodes a JSON body as utopia-php/http's `decodePayload` does: an object is the parameters;
 * anything else (invalid JSON, a scalar, a body nested deeper than {@link MAX_JSON_DEPTH}) is no
 * parameters at all, so the route's own checks answer (a missing required parameter, …). A body
 * nested too deep is refused when `strict`.
 */
function decodeJsonBody(text: string, strict: boolean): Params {
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    if (strict)
      throw httpError(
        'general_argument_invalid',
        `The JSON body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; the server's json_decode gives up at ${MAX_JSON_DEPTH} and would read no parameters at all.`,
      )
    return {}
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // Invalid JSON: `json_decode` answers null and the server reads no parameters; so does this.
    return {}
  }
  // A JSON list decodes to a PHP list, whose keys `0`, `1`, … no route declares.
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Params)
    : {}
}

/** The media type of a `Content-Type` header, cut at the first `;` as the server cuts it. */
function mediaType(req: IncomingMessage): string {
  const type = requestHeader(req, 'content-type') ?? ''
  const cut = type.indexOf(';')
  return cut <= 0 ? type : type.slice(0, cut)
}

/**
 * The request body, up to `limit` bytes: past it the request is refused and the rest of the body
 * dropped. Listeners rather than `for await`, whose async iterator costs more than reading the
 * usual body does.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        stop()
        // The rest is read and dropped, so the connection can still carry the answer.
        req.resume()
        // The server's HTTP layer answers 413 past its payload size (12 MiB).
        reject(
          new EmulatorHttpError(
            'general_argument_invalid',
            413,
            `Request body is too large: more than ${limit} bytes (the emulator's maxBodyBytes). Send a file over 5 MiB in chunks, as the SDKs do.`,
          ),
        )
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      stop()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    const onClose = () => {
      stop()
      reject(new Error('The request was closed before its body was read to the end.'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

/**
 * The body's parameters, as utopia-php/http's Swoole request reads them: `application/json`
 * through {@link decodeJsonBody}; `application/x-www-form-urlencoded` and `multipart/form-data`
 * as PHP fills `$_POST` (file parts go to `$_FILES`: `files`, by field name, for the storage
 * routes); any other type, no parameters.
 */
async function readBodyParams(
  req: IncomingMessage,
  limit: number,
  strict: boolean,
): Promise<BodyInput> {
  const body = await readBody(req, limit)
  if (body.length === 0) return { params: {} }
  const type = mediaType(req)
  if (type === 'application/json') return { params: decodeJsonBody(body.toString('utf8'), strict) }
  if (type === 'application/x-www-form-urlencoded')
    return { params: parsePhpInput(new URLSearchParams(body.toString('utf8')), strict) }
  if (type === 'multipart/form-data') {
    let form: FormData
    try {
      form = await new Response(body, {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      }).formData()
    } catch (error) {
      throw httpError(
        'general_argument_invalid',
        `The multipart/form-data body could not be read: ${(error as Error).message}`,
      )
    }
    const fields: Array<[string, string]> = []
    let files: Map<string, UploadedFile> | undefined
    for (const [name, value] of form) {
      if (typeof value === 'string') fields.push([name, value])
      else
        (files ??= new Map()).set(name, {
          name: value.name,
          bytes: Buffer.from(await value.arrayBuffer()),
        })
    }
    const params = parsePhpInput(fields, strict)
    return files === undefined ? { params } : { params, files }
  }
  return { params: {} }
}

/** A file part of a `multipart/form-data` body: its file name and bytes. @internal */
export interface UploadedFile {
  readonly name: string
  readonly bytes: Buffer
}

/** A body's parameters and, for `multipart/form-data`, its file parts by field name. */
interface BodyInput {
  params: Params
  files?: ReadonlyMap<string, UploadedFile>
}

/** Most query strings {@link readQueryParams} keeps parsed; it starts over when full. */
const MAX_PARSED_QUERIES = 256

/** Parsed query strings by `strict` flag and text: SDKs send the same list queries again and again. */
const parsedQueries = [new Map<string, Params>(), new Map<string, Params>()] as const

/** Freezes a parsed value and everything in it (strings, lists and objects only). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/**
 * The parameters of a query string (`search`, with its `?`), as PHP fills `$_GET`: what a `GET`
 * request's route reads, known without waiting for anything. The answer is frozen, lists and
 * objects in it too (routes copy what they change): each distinct query string is parsed once.
 *
 * @internal
 */
export function readQueryParams(search: string, strict: boolean): Params {
  if (search === '') return EMPTY_PARAMS
  const cache = parsedQueries[strict ? 1 : 0]
  let params = cache.get(search)
  if (params === undefined) {
    // A query string too deep for `strict` throws here, each time: nothing is kept for it.
    params = deepFreeze(parsePhpInput(queryPairs(search), strict))
    if (cache.size >= MAX_PARSED_QUERIES) cache.clear()
    cache.set(search, params)
  }
  return params
}

const EMPTY_PARAMS: Params = Object.freeze({})

/** Query-string names the server reads on any method (the project, for presigned URLs). */
const QUERY_ON_ANY_METHOD = new Set(['project'])

/**
 * A request's parameters as an Appwrite route sees them: the query string for `GET`, the body
 * only for `POST`, `PUT`, `PATCH` and `DELETE` (utopia-php/http's `generateInput`).
 *
 * The server ignores the query string of a body method, so `DELETE …/rows?queries[0]=…` deletes
 * every row there. When `strict`, the emulator refuses such a request instead, with
 * `general_argument_invalid` naming the parameter, so the mistake shows in a test rather than in
 * production; so it does with input nested deeper than the server reads.
 *
 * @internal
 */
export async function readRequestParams(
  req: IncomingMessage,
  method: string,
  search: string,
  maxBodyBytes: number,
  strict: boolean,
): Promise<{ params: Params; query: Params; files?: ReadonlyMap<string, UploadedFile> }> {
  const query = readQueryParams(search, strict)
  if (method === 'GET') return { params: query, query }
  const { params, files } = await readBodyParams(req, maxBodyBytes, strict)
  const stray =
    query === EMPTY_PARAMS
      ? []
      : Object.keys(query).filter((name) => !QUERY_ON_ANY_METHOD.has(name))
  if (strict && stray.length > 0)
    throw httpError(
      'general_argument_invalid',
      `Param "${stray[0]}" was sent in the query string of a ${method} request. Appwrite reads the parameters of POST, PUT, PATCH and DELETE requests from the body only and would ignore it (and act as if it were not given). Send it in the JSON body.`,
    )
  return files === undefined ? { params, query } : { params, query, files }
}

/**
 * Refuses a parameter the route does not declare: the server ignores it, so a misspelt or
 * misplaced one (`rowID`, `query`) would change nothing there while the caller thinks it did.
 *
 * @internal
 */
export function assertDeclaredParams(
  method: string,
  pattern: string,
  declared: ReadonlySet<string>,
  params: Params,
): void {
  for (const name of Object.keys(params)) {
    if (declared.has(name) || QUERY_ON_ANY_METHOD.has(name)) continue
    const path = new Set(pattern.split('/'))
    const takes = [...declared].filter((param) => !path.has(`:${param}`))
    throw httpError(
      'general_argument_invalid',
      `Unknown param "${name}" for ${method} ${pattern}: the server ignores parameters its route does not declare. This route takes ${
        takes.length === 0
          ? 'no parameters besides its path'
          : takes.map((p) => `"${p}"`).join(', ')
      }. (Without \`strictParams\` the emulator ignores it, as the server does.)`,
    )
  }
}
