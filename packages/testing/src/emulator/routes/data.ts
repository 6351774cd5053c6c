import { withClockTimeout } from '../../fake/clock'
import type { FakeClock } from '../../fake/clock'
import { listStoredRows } from '../../fake/dataRoutes'
import type { Caller } from '../auth'
import type { FakeBridge, ServiceMethod } from '../fakeBridge'
import { httpError, looseBoolean, looseNumber } from '../http'
import type { Params, RouteResult } from '../http'
import type { ListCache } from '../listCache'
import { listAnswerJson } from '../listAnswer'
import { filtersResponse } from '../responseFormat'
import type { RouteContext, Router } from '../router'

/**
 * Which `tablesDB` and `databases` serve a caller: the fake's own for the API key; for a user or
 * a guest, services that apply that caller's permissions (when the fake supports them).
 *
 * @internal
 */
export type ServicesFor = FakeBridge['servicesFor']

/** What differs between the TablesDB rows routes and the legacy documents routes. */
interface Flavor {
  readonly service: 'tablesDB' | 'databases'
  readonly base: string
  readonly container: 'tableId' | 'collectionId'
  readonly id: 'rowId' | 'documentId'
  readonly column: 'column' | 'attribute'
  readonly group: 'rows' | 'documents'
  readonly label: 'Row' | 'Document'
  readonly missingData: 'row_missing_data' | 'document_missing_data'
  readonly methods: {
    readonly list: string
    readonly create: string
    readonly createMany: string
    readonly upsertMany: string
    readonly updateMany: string
    readonly deleteMany: string
    readonly get: string
    readonly upsert: string
    readonly update: string
    readonly delete: string
    readonly increment: string
    readonly decrement: string
  }
}

const ROWS: Flavor = {
  service: 'tablesDB',
  base: '/v1/tablesdb/:databaseId/tables/:tableId/rows',
  container: 'tableId',
  id: 'rowId',
  column: 'column',
  group: 'rows',
  label: 'Row',
  missingData: 'row_missing_data',
  methods: {
    list: 'listRows',
    create: 'createRow',
    createMany: 'createRows',
    upsertMany: 'upsertRows',
    updateMany: 'updateRows',
    deleteMany: 'deleteRows',
    get: 'getRow',
    upsert: 'upsertRow',
    update: 'updateRow',
    delete: 'deleteRow',
    increment: 'incrementRowColumn',
    decrement: 'decrementRowColumn',
  },
}

const DOCUMENTS: Flavor = {
  service: 'databases',
  base: '/v1/databases/:databaseId/collections/:collectionId/documents',
  container: 'collectionId',
  id: 'documentId',
  column: 'attribute',
  group: 'documents',
  label: 'Document',
  missingData: 'document_missing_data',
  methods: {
    list: 'listDocuments',
    create: 'createDocument',
    createMany: 'createDocuments',
    upsertMany: 'upsertDocuments',
    updateMany: 'updateDocuments',
    deleteMany: 'deleteDocuments',
    get: 'getDocument',
    upsert: 'upsertDocument',
    update: 'updateDocument',
    delete: 'deleteDocument',
    increment: 'incrementDocumentAttribute',
    decrement: 'decrementDocumentAttribute',
  },
}

/**
 * Copies the named parameters that were sent (an absent key stays absent, so defaults apply).
 * `data`, and each row of a bulk write, may come as a JSON-encoded string, which the server
 * decodes (`normalizeData`); a string that is not a JSON object is left for the fake to refuse
 * with the server's `Value must be a valid JSON object`.
 */
function pick(params: Params, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of names) {
    const value = params[name]
    if (value === undefined) continue
    if (name === 'data') out[name] = decodeObject(value)
    else if ((name === 'rows' || name === 'documents') && Array.isArray(value))
      out[name] = value.map(decodeObject)
    else out[name] = value
  }
  return out
}

function decodeObject(value: unknown): unknown {
  if (typeof value !== 'string') return value
  let decoded: unknown
  try {
    decoded = JSON.parse(value)
  } catch {
    // Not JSON: the fake refuses the string itself, as the server's validator does.
    return value
  }
  return decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded)
    ? decoded
    : value
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)

/**
 * Bulk routes take only the API key (`auth: [ADMIN, KEY]` in the route's SDK method); the server
 * refuses others with `general_unauthorized_scope` (`Documents/Create.php` checks it for bulk create).
 */
function requireKey(caller: Caller): void {
  if (caller.kind !== 'key') throw httpError('general_unauthorized_scope')
}

const keyOnly = (ctx: RouteContext) => requireKey(ctx.caller)

/**
 * Registers the rows routes (`/v1/tablesdb/...`) and the legacy documents routes
 * (`/v1/databases/...`) over the fake's `tablesDB` and `databases`. Paths, methods and status codes
 * follow github:appwrite/appwrite 1.9.x `src/Appwrite/Platform/Modules/Databases/Http/TablesDB/Tables/Rows/*`
 * and `.../Databases/Collections/Documents/*`.
 *
 * @internal
 */
export function registerDataRoutes(
  router: Router,
  servicesFor: ServicesFor,
  lists?: ListCache,
  clock?: FakeClock,
): void {
  for (const flavor of [ROWS, DOCUMENTS]) registerFlavor(router, flavor, servicesFor, lists, clock)
}

/**
 * The database time limit a request asks for with `X-Appwrite-Timeout`, in milliseconds, read as
 * the server reads it (PHP's `intval`: leading digits, else 0); `undefined` for none.
 */
function requestTimeout(ctx: RouteContext): number | undefined {
  const header = ctx.header
    ? ctx.header('x-appwrite-timeout')
    : (ctx.headers?.['x-appwrite-timeout'] as string | undefined)
  if (header === undefined) return undefined
  const ms = Number.parseInt(header, 10)
  return ms > 0 ? ms : undefined
}

/**
 * A read that the server's development mode bounds by `X-Appwrite-Timeout`: when `work` is still
 * running once that many ms have passed on the fake's clock (a latency or hang fault: the
 * in-memory query itself takes none), 408 `database_timeout`, as MariaDB's `max_statement_time`
 * cuts the query short. Only reads are bounded: a write cannot be cut short here without leaving
 * it half-done. Without the header, `work` itself (no timer, no extra promise).
 */
function withinTimeout<T>(
  ctx: RouteContext,
  clock: FakeClock | undefined,
  work: Promise<T>,
): Promise<T> {
  const ms = clock === undefined ? undefined : requestTimeout(ctx)
  if (ms === undefined) return work
  return withClockTimeout(clock!, work, ms, () => httpError('database_timeout'))
}

function registerFlavor(
  router: Router,
  f: Flavor,
  servicesFor: ServicesFor,
  lists: ListCache | undefined,
  clock: FakeClock | undefined,
): void {
  // Not `async`: every caller awaits it inside its own async handler, where a throw here rejects
  // the handler's answer all the same, one promise fewer per request.
  const call = (ctx: RouteContext, method: string, params: Record<string, unknown>) => {
    const service = servicesFor(ctx.caller)[f.service]
    const fn = service[method]
    if (typeof fn !== 'function') throw httpError('general_route_not_found')
    return (fn as ServiceMethod).call(service, params)
  }
  // The call's parameters are `pick`'s object with these added (`Object.assign`), not a spread
  // plus keys: in Node 20 the latter gives every call's parameters a hidden class of their own,
  // which slows every read of them in the fake.
  const target = (ctx: RouteContext) => ({
    databaseId: ctx.path.databaseId,
    [f.container]: ctx.path[f.container],
  })
  const one = (ctx: RouteContext) => ({
    databaseId: ctx.path.databaseId,
    [f.container]: ctx.path[f.container],
    [f.id]: ctx.path[f.id],
  })
  const ok = (body: unknown, status = 200): RouteResult => ({ status, body })

  const listRoute = async (ctx: RouteContext): Promise<RouteResult> => {
    const p = pick(ctx.params, ['queries', 'transactionId', 'total', 'ttl'])
    if ('total' in p) p.total = looseBoolean(p.total)
    if ('ttl' in p) p.ttl = looseNumber(p.ttl)
    const params = Object.assign(p, target(ctx))
    const list = () => call(ctx, f.methods.list, params)
    // A list with a `ttl` goes through the server's list cache (`listCache.ts`), which keeps
    // answers as objects.
    if (lists !== undefined && 'ttl' in params) {
      return lists.serve(f.service, f.group, ctx.caller, params, list)
    }
    // The answer's JSON written from the stored rows (`listAnswer.ts`), when nothing filters it
    // for an old SDK and the list method is the fake's own (not replaced on the service, as a
    // test's spy does); the fake's list otherwise.
    const service = servicesFor(ctx.caller)[f.service]
    if (
      !filtersResponse(ctx.responseFormat ?? '', f.base) &&
      !Object.prototype.hasOwnProperty.call(service, f.methods.list)
    ) {
      const stored = listStoredRows(service, params)
      if (stored !== undefined) {
        const listing = await stored.listing
        return {
          status: 200,
          json: listAnswerJson(stored.flavor.containerKey, stored.flavor.bulkParam, listing),
        }
      }
    }
    return ok(await list())
  }
  router.add('GET', f.base, (ctx) => withinTimeout(ctx, clock, listRoute(ctx)), {
    params: ['queries', 'transactionId', 'total', 'ttl'],
  })

  // One route for both `createRow` and node-appwrite's `createRows`, told apart by the body, with
  // the server's checks in its order (`Documents/Create.php`).
  router.add(
    'POST',
    f.base,
    async (ctx) => {
      // A JSON-encoded `data` (or list of rows) is decoded into a copy (`pick` holds only keys the
      // body has: assigning them adds no key to it); any other body is read as it came.
      const sent = ctx.params
      const params =
        typeof sent.data === 'string' || Array.isArray(sent[f.group])
          ? Object.assign({ ...sent }, pick(sent, ['data', f.group]))
          : sent
      const hasData = !isEmpty(params.data)
      const hasMany = !isEmpty(params[f.group])
      if (!hasData && !hasMany) throw httpError(f.missingData)
      if (hasData && hasMany)
        throw httpError(
          'general_bad_request',
          `You can only send one of the following parameters: data, ${f.group}`,
        )
      if (hasData && isEmpty(params[f.id]))
        throw httpError(
          f.missingData,
          `${f.label} ID is required when creating a single ${f.label.toLowerCase()}.`,
        )
      if (hasMany && !isEmpty(params[f.id]))
        throw httpError(
          'general_bad_request',
          `Param "${f.id}" is not allowed when creating multiple ${f.group}, set "$id" on each instead.`,
        )
      if (hasMany && !isEmpty(params.permissions))
        throw httpError(
          'general_bad_request',
          `Param "permissions" is disallowed when creating multiple ${f.group}, set "$permissions" on each instead`,
        )
      if (hasMany) {
        requireKey(ctx.caller)
        const p = pick(params, [f.group, 'transactionId'])
        // A bulk create only staged in a transaction answers 200 (`Documents/Create.php`).
        const staged = !isEmpty(p.transactionId)
        return ok(
          await call(ctx, f.methods.createMany, Object.assign(p, target(ctx))),
          staged ? 200 : 201,
        )
      }
      const p = pick(params, [f.id, 'data', 'permissions', 'transactionId'])
      return ok(await call(ctx, f.methods.create, Object.assign(p, target(ctx))), 201)
    },
    { params: [f.id, 'data', 'permissions', f.group, 'transactionId'] },
  )

  router.add(
    'PUT',
    f.base,
    async (ctx) => {
      const p = pick(ctx.params, [f.group, 'transactionId'])
      return ok(
        await call(ctx, f.methods.upsertMany, Object.assign({ [f.group]: [] }, p, target(ctx))),
      )
    },
    { params: [f.group, 'transactionId'], guard: keyOnly },
  )

  router.add(
    'PATCH',
    f.base,
    async (ctx) => {
      const p = pick(ctx.params, ['data', 'queries', 'transactionId'])
      return ok(await call(ctx, f.methods.updateMany, Object.assign(p, target(ctx))))
    },
    { params: ['data', 'queries', 'transactionId'], guard: keyOnly },
  )

  router.add(
    'DELETE',
    f.base,
    async (ctx) => {
      const p = pick(ctx.params, ['queries', 'transactionId'])
      return ok(await call(ctx, f.methods.deleteMany, Object.assign(p, target(ctx))))
    },
    { params: ['queries', 'transactionId'], guard: keyOnly },
  )

  const item = `${f.base}/:${f.id}`

  const getRoute = async (ctx: RouteContext): Promise<RouteResult> => {
    const p = pick(ctx.params, ['queries', 'transactionId'])
    return ok(await call(ctx, f.methods.get, Object.assign(p, one(ctx))))
  }
  router.add('GET', item, (ctx) => withinTimeout(ctx, clock, getRoute(ctx)), {
    params: ['queries', 'transactionId'],
  })

  // PUT answers 200, or 201 when it only staged the write in a transaction (`Documents/Upsert.php`).
  router.add(
    'PUT',
    item,
    async (ctx) => {
      const p = pick(ctx.params, ['data', 'permissions', 'transactionId'])
      const staged = !isEmpty(p.transactionId)
      return ok(await call(ctx, f.methods.upsert, Object.assign(p, one(ctx))), staged ? 201 : 200)
    },
    { params: ['data', 'permissions', 'transactionId'] },
  )

  router.add(
    'PATCH',
    item,
    async (ctx) => {
      const p = pick(ctx.params, ['data', 'permissions', 'transactionId'])
      return ok(await call(ctx, f.methods.update, Object.assign(p, one(ctx))))
    },
    { params: ['data', 'permissions', 'transactionId'] },
  )

  router.add(
    'DELETE',
    item,
    async (ctx) => {
      const p = pick(ctx.params, ['transactionId'])
      await call(ctx, f.methods.delete, Object.assign(p, one(ctx)))
      return { status: 204 }
    },
    { params: ['transactionId'] },
  )

  for (const [action, method, limit] of [
    ['increment', f.methods.increment, 'max'],
    ['decrement', f.methods.decrement, 'min'],
  ] as const) {
    router.add(
      'PATCH',
      `${item}/:${f.column}/${action}`,
      async (ctx) => {
        const p = pick(ctx.params, ['value', limit, 'transactionId'])
        const column = { [f.column]: ctx.path[f.column] }
        return ok(await call(ctx, method, Object.assign(p, one(ctx), column)))
      },
      { params: ['value', limit, 'transactionId'] },
    )
  }
}
