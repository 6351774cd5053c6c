/**
 * Transaction set-up shared by the cases transcribed from
 * `tests/e2e/Services/Databases/Transactions/{TransactionsBase,TransactionPermissionsBase,ACIDBase}.php`,
 * which the server runs once per API (`TablesDB…Test` and `Legacy…Test`): the transaction routes
 * (`/tablesdb/transactions` or `/databases/transactions`) and staged operations named as that API
 * names them (`tableId` / `rowId` / `column` or `collectionId` / `documentId` / `attribute`).
 */
import { must } from './upstream'
import type { Answer } from './upstream'
import { LEGACY, TABLES_DB, tablesSuite } from './tables'
import type { ApiNames, ColumnSpec, TablesSuite } from './tables'

/** An API flavour of the transaction cases, as upstream's `ApiTablesDB` / `ApiLegacy` traits. */
export interface TransactionFlavour {
  /** `TablesDB` or `Legacy`, as the upstream test classes are prefixed. */
  label: string
  api: ApiNames
  /** The parameter naming the column of an increment or decrement (`getSchemaParam`). */
  schemaParam: string
  /** The key of the table id in a row answer (`getContainerIdResponseKey`), and the other one. */
  containerKey: string
  otherContainerKey: string
}

export const TABLES_DB_FLAVOUR: TransactionFlavour = {
  label: 'TablesDB',
  api: TABLES_DB,
  schemaParam: 'column',
  containerKey: '$tableId',
  otherContainerKey: '$collectionId',
}

export const LEGACY_FLAVOUR: TransactionFlavour = {
  label: 'Legacy',
  api: LEGACY,
  schemaParam: 'attribute',
  containerKey: '$collectionId',
  otherContainerKey: '$tableId',
}

/** Both APIs, for the cases upstream runs on each. */
export const FLAVOURS: readonly TransactionFlavour[] = [TABLES_DB_FLAVOUR, LEGACY_FLAVOUR]

/**
 * The side a case runs on, as upstream's `SideClient` (a signed-in user's session) and
 * `SideServer` (the API key) give `getHeaders()`.
 */
export type Side = 'client' | 'server'

/** Both sides, for the cases upstream runs as `…CustomClientTest` and `…CustomServerTest`. */
export const SIDES: readonly Side[] = ['client', 'server']

/** Every permission for `any`, as most transaction cases grant their tables. */
export const ANYONE = ['create', 'read', 'update', 'delete'].map((action) => `${action}("any")`)

/** What a transaction case reaches, on top of the {@link TablesSuite}. */
export interface TransactionSuite extends TablesSuite {
  readonly flavour: TransactionFlavour
  /** Who the case acts as where upstream sends `getHeaders()`: the suite's user, or the key. */
  readonly side: Side
  /** The headers of that side: the suite's user's session, or the API key. */
  readonly headers: Record<string, string>
  /** The transactions route, or the route of one transaction. */
  url(transactionId?: string): string
  /** Opens a transaction (`POST …/transactions`) as the suite's side unless `headers`; its id. */
  begin(headers?: Record<string, string>): Promise<string>
  /** Stages `operations` (`POST …/transactions/:id/operations`), with the API key unless `headers`. */
  stage(
    transactionId: string,
    operations: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>
  /** Commits (`PATCH … { commit: true }`), with the API key unless `headers`. */
  commit(transactionId: string, headers?: Record<string, string>): Promise<Answer>
  /** Stages `operations` with the API key; setup: throws unless that answers 201. */
  stageOk(transactionId: string, operations: unknown[]): Promise<Answer>
  /**
   * Stages `operations` with the API key (setup: throws unless 201), then commits them with the
   * key: the commit's answer.
   */
  stageAndCommit(transactionId: string, operations: unknown[]): Promise<Answer>
  /** Rolls back (`PATCH … { rollback: true }`), as the suite's side unless `headers`. */
  rollback(transactionId: string, headers?: Record<string, string>): Promise<Answer>
  /**
   * One staged operation on `tableId` in the suite's database, its row named by the API's row-id
   * parameter when `rowId` is given.
   */
  operation(
    action: string,
    tableId: string,
    rowId: string | undefined,
    data: unknown,
    databaseId?: string,
  ): Record<string, unknown>
  /**
   * A table `name` with `columns`, granting `permissions` (all to `any` unless given), row security
   * off unless `rowSecurity`, as the transaction cases make theirs with the key: its id.
   */
  table(
    name: string,
    columns: ColumnSpec[],
    permissions?: string[],
    rowSecurity?: boolean,
  ): Promise<string>
  /** The route of one row of `tableId`. */
  row(tableId: string, rowId: string): string
  /** Reads one row (`GET`) as the suite's side. */
  read(tableId: string, rowId: string): Promise<Answer>
  /**
   * Writes rows `ids` of `tableId`, the i-th (from 1) with `data(i)`, with the API key unless
   * `headers`. Setup: throws unless each answers 201.
   */
  seed(
    tableId: string,
    ids: string[],
    data: (i: number) => Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<void>
  /**
   * The rows of `tableId` the suite's side lists (setup: throws unless 200): the total and the rows
   * by id.
   */
  rowsById(tableId: string): Promise<{ total: number; byId: Map<string, Record<string, unknown>> }>
  /** A write through the rows routes, with the API key, staged in `transactionId`. */
  routed(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    transactionId: string,
    params?: Record<string, unknown>,
  ): Promise<Answer>
}

/**
 * Registers, inside the calling `describe`, a {@link tablesSuite} (strict emulator, signed-up user,
 * database `databaseName` whose tables grant `any` everything unless the case says otherwise) on
 * the API of `flavour`, with the transaction helpers over it, acting as `side` where upstream
 * sends `getHeaders()` (the user unless given).
 */
export function transactionSuite(
  databaseName: string,
  flavour: TransactionFlavour,
  side: Side = 'client',
): TransactionSuite {
  const suite = tablesSuite(databaseName, () => ANYONE, flavour.api) as TransactionSuite
  Object.defineProperty(suite, 'headers', {
    get: () => (side === 'server' ? suite.up.key : suite.user.headers),
  })
  const { api } = flavour
  const url = (transactionId?: string) =>
    `${api.base}/transactions${transactionId === undefined ? '' : `/${transactionId}`}`
  const row = (tableId: string, rowId: string) => `${suite.db.rows(tableId)}/${rowId}`
  const stageOk = async (transactionId: string, operations: unknown[]) =>
    must(
      await suite.up.call('POST', `${url(transactionId)}/operations`, suite.up.key, { operations }),
      201,
      `staging ${operations.length} operations in ${transactionId}`,
    )
  return Object.assign(suite, {
    flavour,
    side,
    url,
    begin: async (headers = suite.headers) =>
      must(await suite.up.call('POST', url(), headers), 201, 'creating a transaction').body
        .$id as string,
    stage: (transactionId: string, operations: unknown, headers = suite.up.key) =>
      suite.up.call('POST', `${url(transactionId)}/operations`, headers, { operations }),
    commit: (transactionId: string, headers = suite.up.key) =>
      suite.up.call('PATCH', url(transactionId), headers, { commit: true }),
    stageOk,
    stageAndCommit: async (transactionId: string, operations: unknown[]) => {
      await stageOk(transactionId, operations)
      return suite.up.call('PATCH', url(transactionId), suite.up.key, { commit: true })
    },
    rollback: (transactionId: string, headers = suite.headers) =>
      suite.up.call('PATCH', url(transactionId), headers, { rollback: true }),
    operation: (
      action: string,
      tableId: string,
      rowId: string | undefined,
      data: unknown,
      databaseId = suite.db.databaseId,
    ) => ({
      action,
      databaseId,
      [api.containerId]: tableId,
      ...(rowId === undefined ? {} : { [api.recordId]: rowId }),
      data,
    }),
    table: (name: string, columns: ColumnSpec[], permissions = ANYONE, rowSecurity = false) =>
      suite.db.table(name, columns, { permissions, rowSecurity }),
    row,
    read: (tableId: string, rowId: string) =>
      suite.up.call('GET', row(tableId, rowId), suite.headers),
    seed: async (
      tableId: string,
      ids: string[],
      data: (i: number) => Record<string, unknown>,
      headers = suite.up.key,
    ) => {
      for (const [i, rowId] of ids.entries())
        must(
          await suite.db.write(tableId, headers, data(i + 1), undefined, { [api.recordId]: rowId }),
          201,
          `creating row ${rowId}`,
        )
    },
    rowsById: async (tableId: string) => {
      const listed = must(
        await suite.list(tableId, [], suite.headers),
        200,
        `listing the rows of ${tableId}`,
      )
      const rows = listed.body[api.records] as Array<Record<string, unknown>>
      return {
        total: listed.body.total as number,
        byId: new Map(rows.map((r) => [r.$id as string, r])),
      }
    },
    routed: (
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      path: string,
      transactionId: string,
      params: Record<string, unknown> = {},
    ) => suite.up.call(method, path, suite.up.key, { ...params, transactionId }),
  })
}
