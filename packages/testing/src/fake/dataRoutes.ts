// The data routes the fake's `TablesDB` and legacy `Databases` share: one table of row routes
// (SDK method names, positional order, required parameters, the engine operation) and one table of
// transaction routes. `FakeTablesDB` and `FakeDatabases` keep only their typed overloads; each
// method body is a one-line call into here with its flavour, so the two APIs cannot drift apart.
import { objectArgs, requireParams } from './engine'
import type { DataEngine, StoredListing } from './engine'
import type { Actor } from './permissions'
import { TABLES_FLAVOR } from './rowData'
import type { CallParams, Flavor } from './rowData'

type Model = Record<string, unknown>

/** How the `Databases` routes name the parameters the `TablesDB` routes name otherwise. */
const COLLECTION_NAMES: Readonly<Record<string, string>> = {
  tableId: 'collectionId',
  rowId: 'documentId',
  column: 'attribute',
  rows: 'documents',
}

interface RowRoute {
  /** The SDK method: [TablesDB, Databases]. */
  readonly methods: readonly [string, string]
  /** Positional order: [TablesDB names, Databases names]. */
  readonly positional: readonly [readonly string[], readonly string[]]
  /** The parameters the SDK requires: [TablesDB names, Databases names]. */
  readonly required: readonly [readonly string[], readonly string[]]
  /** `max` / `min`: the parameter the engine reads as `limit`. */
  readonly limit?: 'max' | 'min'
  /** The engine operation. */
  readonly run: (engine: DataEngine, flavor: Flavor, q: CallParams, actor?: Actor) => unknown
  /** Whether the engine answers `{ total, items }`, sent as `{ total, rows | documents }`. */
  readonly listed: boolean
}

/** A route from its TablesDB names; the first `requiredCount` positional parameters are required. */
function route(
  methods: readonly [string, string],
  positional: readonly string[],
  requiredCount: number,
  run: RowRoute['run'],
  options: { limit?: 'max' | 'min'; listed?: boolean } = {},
): RowRoute {
  const collectionNames = positional.map((name) => COLLECTION_NAMES[name] ?? name)
  return {
    methods,
    positional: [positional, collectionNames],
    required: [positional.slice(0, requiredCount), collectionNames.slice(0, requiredCount)],
    limit: options.limit,
    run,
    listed: options.listed ?? false,
  }
}

const ROW = ['databaseId', 'tableId', 'rowId']
const WRITE = [...ROW, 'data', 'permissions', 'transactionId']
const BULK = ['databaseId', 'tableId', 'rows', 'transactionId']
const LISTED = { listed: true }

/** Every row (document) route of the data API. @internal */
export const ROW_ROUTES = {
  list: route(
    ['listRows', 'listDocuments'],
    ['databaseId', 'tableId', 'queries', 'transactionId', 'total', 'ttl'],
    2,
    (engine, flavor, q, actor) => engine.list(flavor, q, actor),
    LISTED,
  ),
  create: route(['createRow', 'createDocument'], WRITE, 4, (engine, flavor, q, actor) =>
    engine.create(flavor, q, actor),
  ),
  get: route(
    ['getRow', 'getDocument'],
    [...ROW, 'queries', 'transactionId'],
    3,
    (engine, flavor, q, actor) => engine.get(flavor, q, actor),
  ),
  upsert: route(['upsertRow', 'upsertDocument'], WRITE, 3, (engine, flavor, q, actor) =>
    engine.upsert(flavor, q, actor),
  ),
  update: route(['updateRow', 'updateDocument'], WRITE, 3, (engine, flavor, q, actor) =>
    engine.update(flavor, q, actor),
  ),
  delete: route(
    ['deleteRow', 'deleteDocument'],
    [...ROW, 'transactionId'],
    3,
    (engine, flavor, q, actor) => engine.delete(flavor, q, actor),
  ),
  decrement: route(
    ['decrementRowColumn', 'decrementDocumentAttribute'],
    [...ROW, 'column', 'value', 'min', 'transactionId'],
    4,
    (engine, flavor, q, actor) => engine.increment(flavor, q, -1, actor),
    { limit: 'min' },
  ),
  increment: route(
    ['incrementRowColumn', 'incrementDocumentAttribute'],
    [...ROW, 'column', 'value', 'max', 'transactionId'],
    4,
    (engine, flavor, q, actor) => engine.increment(flavor, q, 1, actor),
    { limit: 'max' },
  ),
  createMany: route(
    ['createRows', 'createDocuments'],
    BULK,
    3,
    (engine, flavor, q, actor) => engine.createMany(flavor, q, actor),
    LISTED,
  ),
  upsertMany: route(
    ['upsertRows', 'upsertDocuments'],
    BULK,
    3,
    (engine, flavor, q, actor) => engine.upsertMany(flavor, q, actor),
    LISTED,
  ),
  updateMany: route(
    ['updateRows', 'updateDocuments'],
    ['databaseId', 'tableId', 'data', 'queries', 'transactionId'],
    2,
    (engine, flavor, q, actor) => engine.updateMany(flavor, q, actor),
    LISTED,
  ),
  deleteMany: route(
    ['deleteRows', 'deleteDocuments'],
    ['databaseId', 'tableId', 'queries', 'transactionId'],
    2,
    (engine, flavor, q, actor) => engine.deleteMany(flavor, q, actor),
    LISTED,
  ),
} as const satisfies Record<string, RowRoute>

/** A row route's name. @internal */
export type RowRouteName = keyof typeof ROW_ROUTES

/**
 * Maps an object-form call to the engine's neutral (TablesDB) names: the TablesDB parameters as
 * they are (plus `limit` from `max` / `min`), the collection routes' renamed.
 */
function callParams(flavor: Flavor, p: Model, limitKey?: 'max' | 'min'): CallParams {
  if (flavor === TABLES_FLAVOR) return limitKey ? { ...p, limit: p[limitKey] } : p
  return {
    databaseId: p.databaseId,
    tableId: p.collectionId,
    rowId: p.documentId,
    data: p.data,
    permissions: p.permissions,
    transactionId: p.transactionId,
    queries: p.queries,
    total: p.total,
    ttl: p.ttl,
    column: p.attribute,
    value: p.value,
    limit: limitKey ? p[limitKey] : undefined,
    rows: p.documents,
  }
}

/**
 * Runs one row (document) route for `tablesDB` or `databases`, through the fault gate like every
 * call. Throws synchronously, like the SDK, when a required parameter is missing.
 *
 * @internal
 */
export function callRowMethod(
  engine: DataEngine,
  flavor: Flavor,
  actor: Actor | undefined,
  name: RowRouteName,
  args: readonly unknown[],
): Promise<unknown> {
  const spec: RowRoute = ROW_ROUTES[name]
  const side = flavor === TABLES_FLAVOR ? 0 : 1
  return gatedRowCall(engine, flavor, spec, args, (q) => {
    const result = spec.run(engine, flavor, q, actor)
    if (!spec.listed) return result
    const { total, items } = result as { total: number; items: Model[] }
    // Two literal shapes rather than a computed key, as the SDK models are built.
    return side === 0 ? { total, rows: items } : { total, documents: items }
  })
}

/** A row route's call as the SDK makes it: parameters mapped and required, then the fault gate. */
function gatedRowCall<T>(
  engine: DataEngine,
  flavor: Flavor,
  spec: RowRoute,
  args: readonly unknown[],
  run: (q: CallParams) => T,
): Promise<T> {
  const side = flavor === TABLES_FLAVOR ? 0 : 1
  const p = objectArgs(args, spec.positional[side])
  requireParams(p, spec.required[side])
  const q = callParams(flavor, p, spec.limit)
  return engine.call(flavor, spec.methods[side], p, q, () => run(q))
}

/** The engine, flavour and caller behind each `FakeTablesDB` / `FakeDatabases`. */
const services = new WeakMap<object, { engine: DataEngine; flavor: Flavor; actor?: Actor }>()

/** Records what serves a data service, for {@link listStoredRows}. @internal */
export function bindDataService(
  service: object,
  engine: DataEngine,
  flavor: Flavor,
  actor: Actor | undefined,
): void {
  services.set(service, { engine, flavor, actor })
}

/**
 * `listRows` / `listDocuments` of a fake's data service up to the row models: the same parameter
 * mapping, required parameters, fault gate, checks and errors, resolving to the stored rows it
 * would answer instead of their models. `undefined` when `service` is not a `FakeTablesDB` or
 * `FakeDatabases` of this package.
 *
 * @internal
 */
export function listStoredRows(
  service: object,
  params: Model,
): { readonly flavor: Flavor; readonly listing: Promise<StoredListing> } | undefined {
  const bound = services.get(service)
  if (bound === undefined) return undefined
  const { engine, flavor, actor } = bound
  return {
    flavor,
    listing: gatedRowCall(engine, flavor, ROW_ROUTES.list, [params], (q) =>
      engine.listStored(flavor, q, actor),
    ),
  }
}

/** Transaction routes name no table or row for the fault rules. */
const NO_IDS: CallParams = Object.freeze({})

const TRANSACTION_METHODS = {
  listTransactions: ['queries'],
  createTransaction: ['ttl'],
  getTransaction: ['transactionId'],
  updateTransaction: ['transactionId', 'commit', 'rollback'],
  deleteTransaction: ['transactionId'],
  createOperations: ['transactionId', 'operations'],
} as const

/**
 * Runs one transaction route for `tablesDB` or `databases` (the server shares one list of
 * transactions between them), through the fault gate like every call.
 *
 * @internal
 */
export function callTransactionMethod(
  engine: DataEngine,
  flavor: Flavor,
  actor: Actor | undefined,
  method: keyof typeof TRANSACTION_METHODS,
  args: readonly unknown[],
): Promise<unknown> {
  const names = TRANSACTION_METHODS[method]
  const p = objectArgs(args, names)
  if (names[0] === 'transactionId') requireParams(p, ['transactionId'])
  const transactions = engine.transactions
  if (method === 'updateTransaction' && p.commit === true) {
    // The commit's own gate, then each staged write's (see `gateStaged`), then the commit.
    return engine.call(flavor, method, p, NO_IDS, () => {
      const staged = engine.gateStaged(transactions.staged(p.transactionId, actor))
      if (staged === undefined) return transactions.update(engine, flavor, p, actor)
      return staged.then(() => transactions.update(engine, flavor, p, actor))
    })
  }
  return engine.call(flavor, method, p, NO_IDS, () => {
    switch (method) {
      case 'listTransactions':
        return transactions.list(p, actor)
      case 'createTransaction':
        return transactions.create(p, actor)
      case 'getTransaction':
        return transactions.get(p, actor)
      case 'updateTransaction':
        return transactions.update(engine, flavor, p, actor)
      case 'deleteTransaction':
        return transactions.delete(p, actor)
      case 'createOperations':
        return transactions.createOperations(engine, flavor, p, actor)
    }
  })
}
