import { requireScopes } from '../auth'
import type { DataService, ServiceMethod } from '../fakeBridge'
import { EmulatorHttpError, httpError, looseBoolean, toWireError } from '../http'
import type { Params, RouteResult } from '../http'
import type { ListCache } from '../listCache'
import type { RouteContext, Router } from '../router'

/** What differs between the TablesDB management routes and the legacy collection routes. */
interface Flavor {
  readonly root: string
  readonly container: 'tables' | 'collections'
  readonly containerId: 'tableId' | 'collectionId'
  readonly members: 'columns' | 'attributes'
  /** Turns an admin (TablesDB-shaped) answer into this flavour's model. */
  readonly model: (value: unknown) => unknown
  /** Turns an admin error into this flavour's error. */
  readonly error: (error: EmulatorHttpError) => EmulatorHttpError
}

const identity = <T>(value: T) => value

const TABLES: Flavor = {
  root: '/v1/tablesdb',
  container: 'tables',
  containerId: 'tableId',
  members: 'columns',
  model: identity,
  error: identity,
}

/** Renames TablesDB keys of a model to the collection API's (`Response::MODEL_COLLECTION`, …). */
function toCollectionModel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCollectionModel)
  if (value === null || typeof value !== 'object') return value
  const renames: Record<string, string> = {
    tables: 'collections',
    columns: 'attributes',
    rowSecurity: 'documentSecurity',
    $tableId: '$collectionId',
  }
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value))
    out[renames[key] ?? key] = toCollectionModel(inner)
  return out
}

/** The collection routes name tables, columns and rows collections, attributes and documents. */
function toCollectionError(error: EmulatorHttpError): EmulatorHttpError {
  const word = (text: string) =>
    text
      .replace(/\btable/g, 'collection')
      .replace(/\bTable/g, 'Collection')
      .replace(/\bcolumn/g, 'attribute')
      .replace(/\bColumn/g, 'Attribute')
      .replace(/\brow/g, 'document')
      .replace(/\bRow/g, 'Document')
  return new EmulatorHttpError(word(error.type), error.status, word(error.message))
}

const COLLECTIONS: Flavor = {
  root: '/v1/databases',
  container: 'collections',
  containerId: 'collectionId',
  members: 'attributes',
  model: toCollectionModel,
  error: toCollectionError,
}

/** The scopes of the management routes (`label('scope', …)` of each route): API keys only. */
const SCOPES = {
  databasesRead: ['databases.read'],
  databasesWrite: ['databases.write'],
  tablesRead: ['tables.read', 'collections.read'],
  tablesWrite: ['tables.write', 'collections.write'],
  columnsRead: ['tables.read', 'collections.read', 'columns.read', 'attributes.read'],
  columnsWrite: ['tables.write', 'collections.write', 'columns.write', 'attributes.write'],
  indexesRead: ['tables.read', 'collections.read', 'indexes.read'],
  indexesWrite: ['tables.write', 'collections.write', 'indexes.write'],
} as const

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * Why relationship columns answer 405 `general_not_implemented`: serving them means nested rows on
 * read and write, two-way keys, `onDelete` cascade / setNull / restrict across tables, relationship
 * queries and selects, and permission checks across tables, through the fake's storage,
 * transactions and realtime: a second engine. Refusing loudly keeps a test from passing on a
 * half-served relationship.
 */
const RELATIONSHIPS_REFUSED =
  'The Appwrite emulator does not serve relationship columns. Model the link as a string column holding the related row ID, or test relationship code against a real Appwrite server.'

/**
 * The column types the server has and the fake does not store, refused loudly (405
 * `general_not_implemented`) on their create and update routes, as relationships are, rather
 * than answered 404 as a mistyped route: what each refusal says.
 */
const TYPES_REFUSED: Readonly<Record<string, string>> = {
  bigint:
    'The Appwrite emulator does not serve bigint columns. Use an integer column (64-bit signed on the server too), or test code that needs bigint against a real Appwrite server.',
  ...Object.fromEntries(
    ['point', 'line', 'polygon'].map((type) => [
      type,
      `The Appwrite emulator does not serve spatial columns (${type}) or spatial queries. Test code that needs them against a real Appwrite server.`,
    ]),
  ),
}

/**
 * The column types of the server and the parameters each one's create route declares besides
 * `key`, `required` and `default` (github:appwrite/appwrite 1.9.x `.../Tables/Columns/<Type>/Create.php`);
 * the update route declares `newKey` plus the ones in `update`. Relationship columns have routes of
 * their own.
 */
const COLUMN_TYPES: Readonly<
  Record<string, { readonly create: readonly string[]; readonly update: readonly string[] }>
> = {
  string: { create: ['size', 'array', 'encrypt'], update: ['size'] },
  varchar: { create: ['size', 'array', 'encrypt'], update: ['size'] },
  text: { create: ['array', 'encrypt'], update: [] },
  mediumtext: { create: ['array', 'encrypt'], update: [] },
  longtext: { create: ['array', 'encrypt'], update: [] },
  integer: { create: ['min', 'max', 'array'], update: ['min', 'max'] },
  float: { create: ['min', 'max', 'array'], update: ['min', 'max'] },
  bigint: { create: ['min', 'max', 'array'], update: ['min', 'max'] },
  boolean: { create: ['array'], update: [] },
  datetime: { create: ['array'], update: [] },
  email: { create: ['array'], update: [] },
  ip: { create: ['array'], update: [] },
  url: { create: ['array'], update: [] },
  enum: { create: ['elements', 'array'], update: ['elements'] },
  point: { create: [], update: [] },
  line: { create: [], update: [] },
  polygon: { create: [], update: [] },
}

/**
 * The management routes schema tooling uses, over the fake's `admin` (node-appwrite's TablesDB
 * management methods): databases, tables, columns and indexes under `/v1/tablesdb`, and the same
 * under `/v1/databases` with the collection API's names (`collections`, `attributes`,
 * `documentSecurity`, `collection_not_found`, …). Status codes follow github:appwrite/appwrite 1.9.x
 * `.../Http/TablesDB/*`: create database / table 201, create column / index 202 (they are then
 * `processing` or `available` as the fake decides), delete 204. Only the API key may call them.
 * Without a fake `admin` they answer 404 `general_route_not_found`; relationship, bigint and
 * spatial columns answer 405 `general_not_implemented`, saying the emulator does not serve them.
 *
 * @internal
 */
export function registerSchemaRoutes(
  router: Router,
  admin: DataService | undefined,
  lists?: ListCache,
): void {
  for (const flavor of [TABLES, COLLECTIONS]) registerFlavor(router, flavor, admin, lists)
}

function registerFlavor(
  router: Router,
  f: Flavor,
  admin: DataService | undefined,
  lists: ListCache | undefined,
): void {
  const call = async (method: string, params: Record<string, unknown>) => {
    const fn = admin?.[method]
    if (typeof fn !== 'function') throw httpError('general_route_not_found')
    try {
      return f.model(await (fn as ServiceMethod).call(admin, params))
    } catch (error) {
      const wire = toWireError(error)
      throw wire === 'network' ? error : f.error(wire)
    }
  }
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    scopes: readonly string[],
    params: readonly string[],
    handler: (ctx: RouteContext) => Promise<RouteResult>,
  ) =>
    router.add(method, path, handler, {
      params,
      guard: (ctx) => requireScopes(ctx.caller, scopes),
    })
  const LIST = ['queries', 'total']
  const SEARCH_LIST = ['queries', 'search', 'total']
  const list = (params: Params) => {
    const p = pick(params, ['queries', 'search', 'total'])
    if ('total' in p) p.total = looseBoolean(p.total)
    return p
  }
  const db = (ctx: RouteContext) => ({ databaseId: ctx.path.databaseId })
  const table = (ctx: RouteContext) => ({ ...db(ctx), tableId: ctx.path[f.containerId] })
  const keyed = (ctx: RouteContext) => ({ ...table(ctx), key: ctx.path.key })
  const renamed = (params: Params) => {
    const out: Record<string, unknown> = { ...params }
    // The SDKs send a column default as `default`; their methods (and the fake's) call it `xdefault`.
    if ('default' in out) {
      out.xdefault = out.default
      delete out.default
    }
    if (f === COLLECTIONS && 'documentSecurity' in out) {
      out.rowSecurity = out.documentSecurity
      delete out.documentSecurity
    }
    if (f === COLLECTIONS && 'attributes' in out) {
      out.columns = out.attributes
      delete out.attributes
    }
    if (f === COLLECTIONS) delete out.collectionId
    return out
  }
  const ok = (body: unknown, status = 200): RouteResult => ({ status, body })
  const none = (): RouteResult => ({ status: 204 })

  const { root } = f
  const tables = `${root}/:databaseId/${f.container}`
  const one = `${tables}/:${f.containerId}`

  route('GET', root, SCOPES.databasesRead, SEARCH_LIST, async (ctx) => {
    const listed = (await call('list', list(ctx.params))) as { databases: unknown[] }
    return ok({ ...listed, databases: listed.databases.map(withStatus) })
  })
  route('POST', root, SCOPES.databasesWrite, ['databaseId', 'name', 'enabled'], async (ctx) =>
    ok(withStatus(await call('create', pick(ctx.params, ['databaseId', 'name', 'enabled']))), 201),
  )
  route('GET', `${root}/:databaseId`, SCOPES.databasesRead, [], async (ctx) =>
    ok(withStatus(await call('get', db(ctx)))),
  )
  route('PUT', `${root}/:databaseId`, SCOPES.databasesWrite, ['name', 'enabled'], async (ctx) =>
    ok(withStatus(await call('update', { ...pick(ctx.params, ['name', 'enabled']), ...db(ctx) }))),
  )
  route('DELETE', `${root}/:databaseId`, SCOPES.databasesWrite, [], async (ctx) => {
    await call('delete', db(ctx))
    return none()
  })

  const security = f === COLLECTIONS ? 'documentSecurity' : 'rowSecurity'
  route('GET', tables, SCOPES.tablesRead, SEARCH_LIST, async (ctx) =>
    ok(await call('listTables', { ...list(ctx.params), ...db(ctx) })),
  )
  const createTable = [
    f.containerId,
    'name',
    'permissions',
    security,
    'enabled',
    f.members,
    'indexes',
  ]
  route('POST', tables, SCOPES.tablesWrite, createTable, async (ctx) => {
    const params = renamed(ctx.params)
    return ok(
      await call('createTable', { ...params, tableId: ctx.params[f.containerId], ...db(ctx) }),
      201,
    )
  })
  route('GET', one, SCOPES.tablesRead, [], async (ctx) => ok(await call('getTable', table(ctx))))
  const updateTable = ['name', 'permissions', security, 'enabled', 'purge']
  route('PUT', one, SCOPES.tablesWrite, updateTable, async (ctx) => {
    const updated = await call('updateTable', { ...renamed(ctx.params), ...table(ctx) })
    // `purge: true` empties the table's cached list answers (see ListCache).
    if (looseBoolean(ctx.params.purge) === true)
      lists?.purge(ctx.path.databaseId ?? '', ctx.path[f.containerId] ?? '')
    return ok(updated)
  })
  route('DELETE', one, SCOPES.tablesWrite, [], async (ctx) => {
    await call('deleteTable', table(ctx))
    lists?.purge(ctx.path.databaseId ?? '', ctx.path[f.containerId] ?? '')
    return none()
  })

  const members = `${one}/${f.members}`
  route('GET', members, SCOPES.columnsRead, LIST, async (ctx) =>
    ok(await call('listColumns', { ...list(ctx.params), ...table(ctx) })),
  )
  for (const [type, declared] of Object.entries(COLUMN_TYPES)) {
    const create = ['key', 'required', 'default', ...declared.create]
    const update = ['required', 'default', 'newKey', ...declared.update]
    const refused = TYPES_REFUSED[type]
    if (refused !== undefined) {
      const refuse = async (): Promise<RouteResult> => {
        throw f.error(httpError('general_not_implemented', refused))
      }
      route('POST', `${members}/${type}`, SCOPES.columnsWrite, create, refuse)
      route('PATCH', `${members}/${type}/:key`, SCOPES.columnsWrite, update, refuse)
      continue
    }
    route('POST', `${members}/${type}`, SCOPES.columnsWrite, create, async (ctx) =>
      ok(
        await call(`create${capitalize(type)}Column`, { ...renamed(ctx.params), ...table(ctx) }),
        202,
      ),
    )
    route('PATCH', `${members}/${type}/:key`, SCOPES.columnsWrite, update, async (ctx) =>
      ok(await call(`update${capitalize(type)}Column`, { ...renamed(ctx.params), ...keyed(ctx) })),
    )
  }
  // Relationship columns are refused loudly rather than half-served: see RELATIONSHIPS_REFUSED.
  const refuseRelationship = async (): Promise<RouteResult> => {
    throw httpError('general_not_implemented', RELATIONSHIPS_REFUSED)
  }
  const relationshipCreate = [
    f === COLLECTIONS ? 'relatedCollectionId' : 'relatedTableId',
    'type',
    'twoWay',
    'key',
    'twoWayKey',
    'onDelete',
  ]
  route(
    'POST',
    `${members}/relationship`,
    SCOPES.columnsWrite,
    relationshipCreate,
    refuseRelationship,
  )
  // The collection route also answers on its alias `…/attributes/:key/relationship`, the
  // TablesDB route's shape (github:appwrite/appwrite `Attributes/Relationship/Update.php`).
  const relationshipUpdates =
    f === COLLECTIONS
      ? [`${members}/relationship/:key`, `${members}/:key/relationship`]
      : [`${members}/:key/relationship`]
  for (const path of relationshipUpdates)
    route('PATCH', path, SCOPES.columnsWrite, ['onDelete', 'newKey'], refuseRelationship)
  route('GET', `${members}/:key`, SCOPES.columnsRead, [], async (ctx) =>
    ok(await call('getColumn', keyed(ctx))),
  )
  route('DELETE', `${members}/:key`, SCOPES.columnsWrite, [], async (ctx) => {
    await call('deleteColumn', keyed(ctx))
    return none()
  })

  const indexes = `${one}/indexes`
  route('GET', indexes, SCOPES.indexesRead, LIST, async (ctx) =>
    ok(await call('listIndexes', { ...list(ctx.params), ...table(ctx) })),
  )
  const createIndex = [
    'key',
    'type',
    f.members === 'columns' ? 'columns' : 'attributes',
    'orders',
    'lengths',
  ]
  route('POST', indexes, SCOPES.indexesWrite, createIndex, async (ctx) => {
    const p = pick(ctx.params, ['key', 'type', 'columns', 'attributes', 'orders', 'lengths'])
    if (f === COLLECTIONS && 'attributes' in p) {
      p.columns = p.attributes
      delete p.attributes
    }
    return ok(await call('createIndex', { ...p, ...table(ctx) }), 202)
  })
  route('GET', `${indexes}/:key`, SCOPES.indexesRead, [], async (ctx) =>
    ok(await call('getIndex', keyed(ctx))),
  )
  route('DELETE', `${indexes}/:key`, SCOPES.indexesWrite, [], async (ctx) => {
    await call('deleteIndex', keyed(ctx))
    return none()
  })
}

/**
 * A database model with the server's `status` (`Response::MODEL_DATABASE`): always `ready`, as
 * nothing is provisioned. The fake's own model leaves it out because node-appwrite 27 types
 * `Models.Database.status` as an object (its `Models.DatabaseStatus`), which `'ready'` would not fit.
 */
function withStatus(model: unknown): unknown {
  return { ...(model as Record<string, unknown>), status: 'ready' }
}

function pick(params: Params, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of names) if (params[name] !== undefined) out[name] = params[name]
  return out
}
