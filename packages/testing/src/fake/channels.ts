/**
 * Realtime channel and event names for row (document) events, exactly as an Appwrite 1.9 server
 * publishes them. Pure functions, so the hub, the emulator and test assertions share one source.
 */

/** What happened to the row. `increment`/`decrement` publish as `update` on the server. */
export type RowEventAction = 'create' | 'update' | 'upsert' | 'delete'

/**
 * The database's type as the server records it: `tablesdb` for databases made with
 * `tablesDB.create`, `legacy` for those made with `databases.create`. It changes the event names
 * (only `tablesdb` databases also publish `tablesdb.*` event names), never the channels.
 */
export type RealtimeDatabaseType = 'tablesdb' | 'legacy'

/** Identifies one row event. */
export interface RowEventTarget {
  /** Database id. */
  databaseId: string
  /** Table id (collection id on the Databases API). */
  tableId: string
  /** Row id (document id on the Databases API). */
  rowId: string
  /** What happened to the row. */
  action: RowEventAction
}

/**
 * The channels the server publishes one row event on, in the server's order: the eight base
 * channels, then each again with the `.{action}` suffix. A subscription receives the event when
 * one of its channels is exactly one of these strings.
 *
 * Server facts (github:appwrite/appwrite 1.9.6, `src/Appwrite/Messaging/Adapter/Realtime.php`,
 * `fromPayload` + `getDatabaseChannels`): events of `databases` and `tablesdb` databases go to the
 * legacy `documents` channels and to both `rows` channel families; every channel whose last or
 * second-to-last segment is `documents`/`rows` also gets an action-suffixed sibling
 * (`SUPPORTED_ACTIONS` = create, update, upsert, delete), so all eight base channels are suffixed.
 *
 * @example
 * ```ts
 * rowEventChannels({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', action: 'create' })
 * // ['documents', 'databases.main.collections.bookings.documents', …, 'tablesdb.main.tables.bookings.rows.b1.create']
 * ```
 */
export function rowEventChannels(target: RowEventTarget): string[] {
  const { rowId: r, action } = target
  const [documents, rows, tablesdb] = rowEventTableChannels(target.databaseId, target.tableId)
  const base = [
    'documents',
    documents,
    `${documents}.${r}`,
    'rows',
    rows,
    `${rows}.${r}`,
    tablesdb,
    `${tablesdb}.${r}`,
  ]
  const channels = base.slice()
  for (const channel of base) channels.push(`${channel}.${action}`)
  return channels
}

/**
 * The three table-level channels of a table (`databases.{db}.collections.{t}.documents`,
 * `databases.{db}.tables.{t}.rows`, `tablesdb.{db}.tables.{t}.rows`). Every channel of a row event
 * is one of these, optionally followed by `.{rowId}` and/or `.{action}`, or one of the global
 * {@link GLOBAL_ROW_CHANNELS}.
 */
export function rowEventTableChannels(
  databaseId: string,
  tableId: string,
): [string, string, string] {
  return [
    `databases.${databaseId}.collections.${tableId}.documents`,
    `databases.${databaseId}.tables.${tableId}.rows`,
    `tablesdb.${databaseId}.tables.${tableId}.rows`,
  ]
}

/** The channels every row event is published on, whatever its table: `documents`, `rows` and their action forms. */
export const GLOBAL_ROW_CHANNELS: ReadonlySet<string> = new Set(
  ['documents', 'rows'].flatMap((channel) => [
    channel,
    ...(['create', 'update', 'upsert', 'delete'] as const).map((action) => `${channel}.${action}`),
  ]),
)

// Which of the id segments (database, table, row) become `*`, in the order the server's
// `Event::generateEvents` emits them (github:appwrite/appwrite 1.9.6, `src/Appwrite/Event/Event.php`).
// The order follows from the server's params order (databaseId, collectionId, tableId, documentId,
// rowId) as the row routes set them; tests pin it against a list captured from that algorithm.
const STARS_3: ReadonlyArray<readonly [boolean, boolean, boolean]> = [
  [false, false, false],
  [true, true, true],
  [false, true, false],
  [true, true, false],
  [true, false, false],
  [false, false, true],
  [true, false, true],
  [false, true, true],
]
const STARS_2: ReadonlyArray<readonly [boolean, boolean]> = [
  [false, false],
  [true, true],
  [false, true],
  [true, false],
]
const STARS_1: ReadonlyArray<readonly [boolean]> = [[false], [true]]

/** Options for {@link rowEventNames}. */
export interface RowEventNamesOptions extends RowEventTarget {
  /** The database's type. Defaults to `'tablesdb'`. */
  databaseType?: RealtimeDatabaseType
}

/**
 * The `events` list of one row event: every wildcard combination of the database, table and row
 * ids, at every depth (`…rows.{id}.{action}`, `…rows.{id}`, `…tables.{id}`, `databases.{id}`),
 * mirrored into the collections/documents form and, for `tablesdb` databases, the `tablesdb.`
 * form, in the server's order (the first entry is the most specific name).
 *
 * Server facts (github:appwrite/appwrite 1.9.6, `src/Appwrite/Event/Event.php`): `generateEvents`
 * builds the combinations, `getDatabaseTypeEvents` projects a `tablesdb` database's events onto
 * `tablesdb.{db}.tables.{t}.rows…`, and `mirrorCollectionEvents` adds the
 * `databases.{db}.collections.{t}.documents…` and `databases.{db}.tables.{t}.rows…` twins. Realtime
 * (`src/Appwrite/Event/Realtime.php` `trigger`) passes the database, so its type applies there.
 *
 * @example
 * ```ts
 * const events = rowEventNames({ databaseId: 'main', tableId: 'bookings', rowId: 'b1', action: 'create' })
 * events[0] // 'tablesdb.main.tables.bookings.rows.b1.create'
 * events.includes('databases.*.collections.*.documents.*.create') // true
 * ```
 */
export function rowEventNames(options: RowEventNamesOptions): string[] {
  const { databaseId, tableId, rowId, action } = options
  const tablesdb = (options.databaseType ?? 'tablesdb') === 'tablesdb'
  const names = new Set<string>()
  const star = (value: string, starred: boolean) => (starred ? '*' : value)

  // Each id combination yields its name in every form the database type publishes.
  const add = (prefix: string, tail: (tables: boolean) => string) => {
    if (tablesdb) names.add(`tablesdb.${prefix}${tail(true)}`)
    names.add(`databases.${prefix}${tail(false)}`)
    names.add(`databases.${prefix}${tail(true)}`)
  }

  for (const suffix of [`.${action}`, '']) {
    for (const [d, t, r] of STARS_3) {
      const db = star(databaseId, d)
      const table = star(tableId, t)
      const row = star(rowId, r)
      add(`${db}.`, (tables) =>
        tables
          ? `tables.${table}.rows.${row}${suffix}`
          : `collections.${table}.documents.${row}${suffix}`,
      )
    }
  }
  for (const [d, t] of STARS_2) {
    const table = star(tableId, t)
    add(`${star(databaseId, d)}.`, (tables) =>
      tables ? `tables.${table}` : `collections.${table}`,
    )
  }
  for (const [d] of STARS_1) {
    const db = star(databaseId, d)
    if (tablesdb) names.add(`tablesdb.${db}`)
    names.add(`databases.${db}`)
  }
  return [...names]
}

/**
 * The `events` of an event on a resource nested in another (`buckets.[bucketId].files.[fileId]`,
 * `functions.[functionId].executions.[executionId]`), as the server's `Event::generateEvents`
 * lists them: every wildcard combination of the two ids, with the action and without, then the
 * parent alone and `{parent}.*`.
 *
 * @example
 * ```ts
 * nestedEventNames('functions', 'f1', 'executions', 'e1', 'create')[0] // 'functions.f1.executions.e1.create'
 * ```
 *
 * @internal
 */
export function nestedEventNames(
  parent: string,
  parentId: string,
  child: string,
  childId: string,
  action: string,
): string[] {
  const combos: ReadonlyArray<readonly [string, string]> = [
    [parentId, childId],
    ['*', '*'],
    [parentId, '*'],
    ['*', childId],
  ]
  const names: string[] = []
  for (const suffix of [`.${action}`, ''])
    for (const [p, c] of combos) names.push(`${parent}.${p}.${child}.${c}${suffix}`)
  names.push(`${parent}.${parentId}`, `${parent}.*`)
  return names
}

/**
 * Formats an event timestamp the way the server does: `Realtime::send`
 * (github:appwrite/appwrite 1.9.6, `src/Appwrite/Messaging/Adapter/Realtime.php`) stamps events with
 * utopia-php/database's `DateTime::formatTz(DateTime::now())`, format `Y-m-d\TH:i:s.vP` in UTC:
 * `2026-01-01T09:30:00.000+00:00`.
 *
 * @example
 * ```ts
 * formatRealtimeTimestamp(Date.parse('2026-01-01T09:30:00Z')) // '2026-01-01T09:30:00.000+00:00'
 * ```
 */
export function formatRealtimeTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+00:00')
}
