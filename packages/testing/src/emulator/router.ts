import type { Params, RouteResult } from './http'
import type { Caller } from './auth'

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
}

/** A route handler. @internal */
export type RouteHandler = (context: RouteContext) => Promise<RouteResult> | RouteResult

interface Route {
  readonly method: HttpMethod
  readonly segments: readonly string[]
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
  readonly path: Record<string, string>
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
    this.#routes.push({ method, segments, handler, params, guard: declaration?.guard })
    return this
  }

  /** Every registered route as `METHOD /pattern`, in registration order. */
  list(): string[] {
    return this.#routes.map((route) => `${route.method} /${route.segments.join('/')}`)
  }

  /** Finds the route for a request; `undefined` when none matches (a 404 `general_route_not_found`). */
  match(method: string, pathname: string): RouteMatch | undefined {
    const segments = split(pathname)
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue
      const path: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < segments.length && ok; i++) {
        const expected = route.segments[i] as string
        const actual = segments[i] as string
        if (expected.startsWith(':')) {
          try {
            path[expected.slice(1)] = decodeURIComponent(actual)
          } catch {
            ok = false
          }
        } else ok = expected === actual
      }
      if (ok)
        return {
          handler: route.handler,
          path,
          pattern: `/${route.segments.join('/')}`,
          params: route.params,
          guard: route.guard,
        }
    }
    return undefined
  }
}

function split(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '')
}
