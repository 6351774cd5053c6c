/**
 * Table setup shared by the cases transcribed from `tests/e2e/Services/Databases/DatabasesBase.php`
 * and its siblings: a database made with the API key, tables with `rowSecurity` on, columns and
 * indexes made with the key, rows written by whichever headers a case passes — as the upstream
 * `setupDatabase` / `setupCollection` / `setupAttributes` / `setupIndexes` helpers do.
 */
import { afterAll, beforeAll } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../../index'
import type { ManualClock } from '../../index'
import { must, permission, startUpstream } from './upstream'
import type { Answer, SignedUpUser, Upstream } from './upstream'

export type ColumnSpec = [type: string, params: Record<string, unknown>]
export type IndexSpec = [key: string, type: string, columns: string[]]

export interface TestDatabase {
  readonly databaseId: string
  /** Creates a table with `columns` and `indexes` (all by the key) and returns its id. */
  table(
    name: string,
    columns: ColumnSpec[],
    options?: { permissions?: string[]; rowSecurity?: boolean; indexes?: IndexSpec[] },
  ): Promise<string>
  /** The rows route of a table. */
  rows(tableId: string): string
  /** The columns route of a table. */
  columns(tableId: string): string
  /** The indexes route of a table. */
  indexes(tableId: string): string
  /** Writes one row, `rowId` `unique()` unless given in `extra`. */
  write(
    tableId: string,
    headers: Record<string, string>,
    data: unknown,
    permissions?: string[],
    extra?: Record<string, unknown>,
  ): Promise<Answer>
  /**
   * Writes one row per entry of `data` (ids `unique()`), in order, each by `headers` with
   * `permissions`. Setup: throws unless every write answers 201. The answers, in order.
   */
  seed(
    tableId: string,
    headers: Record<string, string>,
    data: Array<Record<string, unknown>>,
    permissions?: string[],
  ): Promise<Answer[]>
  /**
   * A table `name` of required 256-character string columns, one per key of `rows[0]`, with
   * `rows` seeded into it (see `seed`) by `headers` with `permissions`: its id.
   */
  stringTable(
    name: string,
    headers: Record<string, string>,
    rows: Array<Record<string, string>>,
    permissions: string[],
  ): Promise<string>
}

/** The `Movies` columns of upstream's `setupAttributes` (`testCreateAttributes`), without the relationship column. */
export const MOVIE_COLUMNS: ColumnSpec[] = [
  ['string', { key: 'title', size: 256, required: true }],
  ['string', { key: 'description', size: 512, required: false, default: '' }],
  ['string', { key: 'tagline', size: 512, required: false, default: '' }],
  ['integer', { key: 'releaseYear', required: true, min: 1900, max: 2200 }],
  ['integer', { key: 'duration', required: false, min: 60 }],
  ['string', { key: 'actors', size: 256, required: false, array: true }],
  ['datetime', { key: 'birthDay', required: false }],
  ['integer', { key: 'integers', required: false, array: true, min: 10, max: 99 }],
]

/** The three movies upstream's `testCreateDocument` writes, in its order. */
export const MOVIES: ReadonlyArray<{ title: string } & Record<string, unknown>> = [
  {
    title: 'Captain America',
    releaseYear: 1944,
    birthDay: '1975-06-12 14:12:55+02:00',
    actors: ['Chris Evans', 'Samuel Jackson'],
  },
  {
    title: 'Spider-Man: Far From Home',
    releaseYear: 2019,
    birthDay: null,
    actors: ['Tom Holland', 'Zendaya Maree Stoermer', 'Samuel Jackson'],
    integers: [50, 60],
  },
  {
    title: 'Spider-Man: Homecoming',
    releaseYear: 2017,
    duration: 65,
    actors: ['Tom Holland', 'Zendaya Maree Stoermer'],
    integers: [50],
  },
]

/** read, update and delete for one user, as the upstream cases grant their rows. */
export const ownedBy = (userId: string): string[] => [
  permission.read(`user:${userId}`),
  permission.update(`user:${userId}`),
  permission.delete(`user:${userId}`),
]

/**
 * The names one API gives the routes and parameters: TablesDB's (`/tablesdb`, tables, columns,
 * rows) or the legacy collection API's (`/databases`, collections, attributes, documents), as
 * upstream's `getContainerUrl` / `getSchemaUrl` / `getRecordIdParam` pick them per test class.
 */
export interface ApiNames {
  base: string
  container: string
  schema: string
  records: string
  containerId: string
  recordId: string
  security: string
  /** The index parameter naming the indexed columns or attributes. */
  indexOn: string
}

export const TABLES_DB: ApiNames = {
  base: '/tablesdb',
  container: 'tables',
  schema: 'columns',
  records: 'rows',
  containerId: 'tableId',
  recordId: 'rowId',
  security: 'rowSecurity',
  indexOn: 'columns',
}

export const LEGACY: ApiNames = {
  base: '/databases',
  container: 'collections',
  schema: 'attributes',
  records: 'documents',
  containerId: 'collectionId',
  recordId: 'documentId',
  security: 'documentSecurity',
  indexOn: 'attributes',
}

/** Creates a database with the key, as upstream's `setupDatabase`, on the API `api` names. */
export async function openDatabase(
  up: Upstream,
  name: string,
  defaultTablePermissions: string[],
  api: ApiNames = TABLES_DB,
): Promise<TestDatabase> {
  const database = must(
    await up.call('POST', api.base, up.key, { databaseId: 'unique()', name }),
    201,
    `creating database ${name}`,
  )
  const databaseId = database.body.$id as string
  const tables = `${api.base}/${databaseId}/${api.container}`
  const rows = (tableId: string) => `${tables}/${tableId}/${api.records}`
  const columns = (tableId: string) => `${tables}/${tableId}/${api.schema}`
  const indexes = (tableId: string) => `${tables}/${tableId}/indexes`

  const table: TestDatabase['table'] = async (name, cols, options = {}) => {
    const created = must(
      await up.call('POST', tables, up.key, {
        [api.containerId]: 'unique()',
        name,
        [api.security]: options.rowSecurity ?? true,
        permissions: options.permissions ?? defaultTablePermissions,
      }),
      201,
      `creating table ${name}`,
    )
    const tableId = created.body.$id as string
    for (const [type, params] of cols)
      must(
        await up.call('POST', `${columns(tableId)}/${type}`, up.key, params),
        202,
        `creating ${type} column ${String(params.key)} in ${name}`,
      )
    for (const [key, type, on] of options.indexes ?? [])
      must(
        await up.call('POST', indexes(tableId), up.key, { key, type, [api.indexOn]: on }),
        202,
        `creating ${type} index ${key} in ${name}`,
      )
    return tableId
  }

  const write: TestDatabase['write'] = (tableId, headers, data, permissions, extra = {}) =>
    up.call('POST', rows(tableId), headers, {
      [api.recordId]: 'unique()',
      data,
      ...(permissions === undefined ? {} : { permissions }),
      ...extra,
    })

  const seed: TestDatabase['seed'] = async (tableId, headers, data, permissions) => {
    const answers: Answer[] = []
    for (const [i, row] of data.entries())
      answers.push(
        must(
          await write(tableId, headers, row, permissions),
          201,
          `seeding row ${i} of ${tableId}`,
        ),
      )
    return answers
  }

  const stringTable: TestDatabase['stringTable'] = async (name, headers, data, permissions) => {
    const keys = Object.keys(data[0] ?? {})
    const tableId = await table(
      name,
      keys.map((key) => ['string', { key, size: 256, required: true }]),
    )
    await seed(tableId, headers, data, permissions)
    return tableId
  }

  return { databaseId, table, rows, columns, indexes, write, seed, stringTable }
}

/**
 * The three `attribute: 'one'` rows upstream's testEnforceCollectionPermissions and
 * testEnforceCollectionAndDocumentPermissions write: `user`'s own, one `user` may only update and
 * delete, and one by the key that only `otherId` may read and update. Setup: throws unless each
 * answers 201. The three answers, in that order.
 */
export async function enforcementRows(
  up: Upstream,
  db: TestDatabase,
  tableId: string,
  user: SignedUpUser,
  otherId: string,
): Promise<Answer[]> {
  const mine = await db.seed(tableId, user.headers, [{ attribute: 'one' }], ownedBy(user.$id))
  const updatable = await db.seed(
    tableId,
    user.headers,
    [{ attribute: 'one' }],
    [permission.update(`user:${user.$id}`), permission.delete(`user:${user.$id}`)],
  )
  const theirs = await db.seed(
    tableId,
    up.key,
    [{ attribute: 'one' }],
    [permission.read(`user:${otherId}`), permission.update(`user:${otherId}`)],
  )
  return [...mine, ...updatable, ...theirs]
}

/** What the cases of a {@link tablesSuite} share; every field but `clock` is set in `beforeAll`. */
export interface TablesSuite {
  /** The fake's time: cases that need rows written at different instants advance it. */
  readonly clock: ManualClock
  up: Upstream
  /** The signed-in user the cases write rows as. */
  user: SignedUpUser
  db: TestDatabase
  /** Lists the rows of `tableId` with `queries` (`GET …/rows`), as the suite's user unless `headers`. */
  list(tableId: string, queries: string[], headers?: Record<string, string>): Promise<Answer>
}

/**
 * Registers the set-up the TablesDB upstream files share, as their traits' `setUp` does: before
 * all cases, a strict emulator on a manual clock, a signed-up user and a database `databaseName`
 * whose tables grant `tablePermissions` (by default: the user may create rows), made through the
 * API `api` names (TablesDB's unless given); after all, closes the emulator. Call it at the top of
 * a file, before that file's own `beforeAll`.
 */
export function tablesSuite(
  databaseName: string,
  tablePermissions: (user: SignedUpUser) => string[] = (user) => [
    permission.create(`user:${user.$id}`),
  ],
  api: ApiNames = TABLES_DB,
): TablesSuite {
  const suite = {
    clock: createManualClock(),
    list: (tableId, queries, headers = suite.user.headers) =>
      suite.up.call('GET', suite.db.rows(tableId), headers, { queries }),
  } as TablesSuite
  beforeAll(async () => {
    suite.up = await startUpstream({
      fake: createFakeAppwrite({ strict: true, clock: suite.clock }),
    })
    suite.user = await suite.up.signUp()
    suite.db = await openDatabase(suite.up, databaseName, tablePermissions(suite.user), api)
  })
  afterAll(async () => {
    await suite.up.close()
  })
  return suite
}

/**
 * One concrete upstream class that runs `DatabasesBase.php`: its API (`ApiTablesDB` or
 * `ApiLegacy`) and its side (`SideClient`: records written and read with the user's session;
 * `SideServer`: with the API key).
 */
export interface DatabasesBaseRun {
  /** The class name, e.g. `TablesDBCustomClientTest`. */
  readonly runner: string
  readonly api: ApiNames
  readonly side: 'client' | 'server'
}

/** The classes an app's calls meet: TablesDB and the legacy API, each from a client and a server. */
export const DATABASES_BASE_RUNS: readonly DatabasesBaseRun[] = [
  { runner: 'TablesDBCustomClientTest', api: TABLES_DB, side: 'client' },
  { runner: 'TablesDBCustomServerTest', api: TABLES_DB, side: 'server' },
  { runner: 'LegacyCustomClientTest', api: LEGACY, side: 'client' },
  { runner: 'LegacyCustomServerTest', api: LEGACY, side: 'server' },
]

/** Upstream's `getHeaders()` for `side`: the suite user's session cookie, or the API key. */
export const sideHeaders = (t: TablesSuite, side: DatabasesBaseRun['side']) =>
  side === 'client' ? t.user.headers : t.up.key
