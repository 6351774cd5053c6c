import type { IncomingHttpHeaders } from 'node:http'
import type { Params, RouteResult } from './http'
import type { Caller } from './auth'
import type { UploadedFile } from './requestInput'

/** The HTTP methods the emulator routes (OPTIONS is answered for every path). @internal */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a route handler receives. @internal */
export interface RouteContext {
  /** Path parameters (`:databaseId` → `databaseId`), URL-decoded. */
  readonly path: Readonly<Record<string, string>>
  /** The query string (GET) or JSON body (other methods), PHP-style arrays parsed. */
  readonly params: Params
  /** Who is calling: the API key, a user (JWT or session), or a guest. */
  readonly caller: Caller
  /** The request headers (`content-range`, `x-appwrite-id`, `range` for the storage routes). */
  readonly headers?: IncomingHttpHeaders
  /** The file parts of a `multipart/form-data` body, by field name. */
  readonly files?: ReadonlyMap<string, UploadedFile>
  /** The `X-Appwrite-Response-Format` the caller sent; `''` or absent when none. */
  readonly responseFormat?: string
  /** One request header (`name` in lower case) without building `headers`; absent in hand-made contexts. */
  header?(name: string): string | undefined
  /** The client's address (`X-Forwarded-For`, else the socket's peer); absent when unknown. */
  readonly clientIp?: string
}

/** A route handler. @internal */
export type RouteHandler = (context: RouteContext) => Promise<RouteResult> | RouteResult

interface Route {
  readonly method: HttpMethod
  readonly segments: readonly string[]
  /** `/` + the segments joined, as `match` reports it. */
  readonly pattern: string
  /** Per segment: the path parameter's name for a `:name` segment, else `undefined`. */
  readonly names: ReadonlyArray<string | undefined>
  readonly handler: RouteHandler
  readonly params: ReadonlySet<string> | undefined
  readonly guard: ((context: RouteContext) => void) | undefined
}

/** What a route declares besides its handler. @internal */
export interface RouteDeclaration {
  /**
   * The parameters the server's route declares besides the path ones; with them, a request
   * carrying any other can be refused (see `startAppwriteEmulator`'s `strict`).
   */
  readonly params: readonly string[]
  /** The access check the server runs before it reads the parameters (scopes, API key only). */
  readonly guard?: (context: RouteContext) => void
}

/** A matched route. @internal */
export interface RouteMatch {
  readonly handler: RouteHandler
  readonly path: Readonly<Record<string, string>>
  /** The route's pattern, e.g. `/v1/tablesdb/:databaseId/tables/:tableId/rows`, for logs. */
  readonly pattern: string
  /** The parameters the server's route declares (path ones included), when the route lists them. */
  readonly params: ReadonlySet<string> | undefined
  /** The route's access check, run before its parameters are looked at. */
  readonly guard: ((context: RouteContext) => void) | undefined
}

/**
 * A small router over `/`-separated patterns with `:name` segments, matching like utopia-php/http:
 * same method, same number of segments; a path that matches no route of its method is unknown.
 *
 * @internal
 */
export class Router {
  readonly #routes: Route[] = []
  /** The routes by method and number of segments, each list in registration order. */
  readonly #byShape = new Map<string, Route[]>()
  /**
   * Recent answers of {@link match} by method and path (`null`: no route), frozen: an SDK asks
   * for the same few paths again and again. Bounded; emptied when full and when a route is added.
   */
  readonly #recent = new Map<string, RouteMatch | null>()

  /** Adds a route, e.g. `add('GET', '/v1/tablesdb/:databaseId', handler, { params: [] })`. */
  add(
    method: HttpMethod,
    pattern: string,
    handler: RouteHandler,
    declaration?: RouteDeclaration,
  ): this {
    const segments = split(pattern)
    const params =
      declaration === undefined
        ? undefined
        : new Set([
            ...declaration.params,
            ...segments.filter((s) => s.startsWith(':')).map((s) => s.slice(1)),
          ])
    const route: Route = {
      method,
      segments,
      pattern: `/${segments.join('/')}`,
      names: segments.map((s) => (s.startsWith(':') ? s.slice(1) : undefined)),
      handler,
      params,
      guard: declaration?.guard,
    }
    this.#routes.push(route)
    this.#recent.clear()
    const shape = `${method} ${segments.length}`
    const same = this.#byShape.get(shape)
    if (same === undefined) this.#byShape.set(shape, [route])
    else same.push(route)
    return this
  }

  /** Every registered route as `METHOD /pattern`, in registration order. */
  list(): string[] {
    return this.#routes.map((route) => `${route.method} ${route.pattern}`)
  }

  /**
   * Finds the route for a request; `undefined` when none matches (a 404 `general_route_not_found`).
   * The first route registered with the same method and number of segments whose fixed segments
   * equal the path's and whose `:name` segments decode wins. The answer and its `path` are frozen.
   */
  match(method: string, pathname: string): RouteMatch | undefined {
    const key = `${method} ${pathname}`
    let found = this.#recent.get(key)
    if (found === undefined) {
      found = this.#find(method, pathname) ?? null
      if (this.#recent.size >= MAX_RECENT_MATCHES) this.#recent.clear()
      this.#recent.set(key, found)
    }
    return found ?? undefined
  }

  #find(method: string, pathname: string): RouteMatch | undefined {
    const segments = split(pathname)
    const candidates = this.#byShape.get(`${method} ${segments.length}`)
    if (candidates === undefined) return undefined
    for (const route of candidates) {
      if (!fixedSegmentsMatch(route, segments)) continue
      const path = decodePath(route, segments)
      if (path === undefined) continue
      return Object.freeze({
        handler: route.handler,
        path: Object.freeze(path),
        pattern: route.pattern,
        params: route.params,
        guard: route.guard,
      })
    }
    return undefined
  }
}

/** Most paths {@link Router.match} keeps answered. */
const MAX_RECENT_MATCHES = 512

function fixedSegmentsMatch(route: Route, segments: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    if (route.names[i] === undefined && route.segments[i] !== segments[i]) return false
  }
  return true
}

/** The path parameters, URL-decoded; `undefined` when one is not valid percent-encoding. */
function decodePath(route: Route, segments: readonly string[]): Record<string, string> | undefined {
  const path: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const name = route.names[i]
    if (name === undefined) continue
    const segment = segments[i]!
    if (!segment.includes('%')) {
      path[name] = segment
      continue
    }
    try {
      path[name] = decodeURIComponent(segment)
    } catch (error) {
      // A malformed escape (`%E0%A4%A`) cannot name anything: this route does not match it.
      if (error instanceof URIError) return undefined
      throw error
    }
  }
  return path
}

/** The non-empty `/`-separated segments of `path`. */
function split(path: string): string[] {
  const segments = path.split('/')
  // The usual path (`/v1/…`, no `//`, no trailing `/`) has one empty segment, the first.
  for (let i = 1; i < segments.length; i++)
    if (segments[i] === '') return segments.filter((segment) => segment !== '')
  if (segments[0] === '') segments.shift()
  return segments
}
