import { teamStore } from '../../fake/teams'
import type { StoredSession, StoredUser } from '../../fake/accounts'
import type { FakeInternals } from '../../fake/createFakeAppwrite'
import type {
  DatabaseEntry,
  SchemaRegistry,
  StoredColumn,
  StoredIndex,
  TableEntry,
} from '../../fake/schema'
import type { StoredRow } from '../../fake/store'
import type { StoredMembership, StoredTeam } from '../../fake/teams'

/*
 * What the emulator's data dir keeps of a fake, as plain JSON: the schema (databases, tables,
 * columns, indexes), every table's rows and `$sequence` counter, users, sessions, teams,
 * memberships and the key JWTs are signed with. Function handlers, function executions, open transactions, realtime
 * subscriptions and fault rules are not kept.
 */

/** The `format` of every snapshot file. */
export const SNAPSHOT_FORMAT = 'booking-guard-emulator-data'
/** The version of the snapshot and log layout this code reads and writes. */
export const SNAPSHOT_VERSION = 1

/** One table's metadata as saved (columns' `bigint` bounds as `{ "$bigint": "…" }`). @internal */
export interface SavedTableEntry {
  readonly tableId: string
  readonly name: string
  readonly enabled: boolean
  readonly $createdAt: string
  readonly $updatedAt: string
  readonly security: { permissions: string[]; rowSecurity: boolean } | null
  /** `null`: schemaless. */
  readonly columns: readonly unknown[] | null
  readonly indexes: readonly StoredIndex[]
}

/** One database's metadata as saved. @internal */
export interface SavedDatabase {
  readonly databaseId: string
  readonly name: string
  readonly enabled: boolean
  readonly type: 'tablesdb' | 'legacy'
  readonly $createdAt: string
  readonly $updatedAt: string
  readonly open: boolean
  readonly tables: readonly SavedTableEntry[]
}

/** One table's rows while a data dir is read: rows by id, in `$sequence` order. @internal */
export interface LoadedTable {
  readonly databaseId: string
  readonly tableId: string
  sequence: number
  readonly rows: Map<string, StoredRow>
}

/**
 * A fake's state read from a snapshot and the log records after it.
 *
 * @internal
 */
export interface LoadedState {
  /** How often the data dir was opened before (`0` the first time). */
  boots: number
  /** The JWT signing key, hex. */
  signingKey: string
  schema: readonly SavedDatabase[]
  readonly tables: Map<string, LoadedTable>
  readonly users: Map<string, StoredUser>
  readonly sessions: Map<string, StoredSession>
  readonly teams: Map<string, StoredTeam>
  readonly memberships: Map<string, StoredMembership>
}

/** A table's key in {@link LoadedState.tables}. */
const tableKey = (databaseId: string, tableId: string) => `${databaseId}\u0000${tableId}`

/* ------------------------------------------------------------------------------------------------
 * Schema: JSON with bigints (integer columns' default 64-bit bounds)
 * --------------------------------------------------------------------------------------------- */

const BIGINT_KEY = '$bigint'

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [BIGINT_KEY]: value.toString() } : value
}

/** Turns `{ "$bigint": "…" }` back into a `bigint`, anywhere in a column. */
function reviveBigints(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(reviveBigints)
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length === 1 && keys[0] === BIGINT_KEY && typeof record[BIGINT_KEY] === 'string')
    return BigInt(record[BIGINT_KEY])
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = reviveBigints(record[key])
  return out
}

/**
 * JSON of a column or index, once per object: the registry replaces them on every change and
 * never edits one, so the text stays right. Keeps the check for a schema change, made on every
 * commit, to string joins.
 */
const itemJson = new WeakMap<object, string>()

function jsonOf(item: StoredColumn | StoredIndex): string {
  let json = itemJson.get(item)
  if (json === undefined) itemJson.set(item, (json = JSON.stringify(item, bigintReplacer)))
  return json
}

const text = (value: string) => JSON.stringify(value)

function tableJson(entry: TableEntry): string {
  const columns =
    entry.columns === undefined
      ? 'null'
      : `[${Array.from(entry.columns.values(), jsonOf).join(',')}]`
  const security =
    entry.security === undefined
      ? 'null'
      : `{"permissions":${JSON.stringify(entry.security.permissions)},"rowSecurity":${entry.security.rowSecurity}}`
  return `{"tableId":${text(entry.tableId)},"name":${text(entry.name)},"enabled":${entry.enabled},"$createdAt":${text(entry.$createdAt)},"$updatedAt":${text(entry.$updatedAt)},"security":${security},"columns":${columns},"indexes":[${entry.indexes.map(jsonOf).join(',')}]}`
}

/**
 * The schema as JSON text ({@link SavedDatabase}[]). Compared with the last one saved to tell
 * whether the schema changed: the management API edits its entries in place, so there is no
 * change event to listen to.
 *
 * @internal
 */
export function schemaJson(registry: SchemaRegistry): string {
  const databases: string[] = []
  for (const database of registry.databases()) {
    const tables = Array.from(database.tables.values(), tableJson)
    databases.push(
      `{"databaseId":${text(database.databaseId)},"name":${text(database.name)},"enabled":${database.enabled},"type":${text(database.type)},"$createdAt":${text(database.$createdAt)},"$updatedAt":${text(database.$updatedAt)},"open":${database.open},"tables":[${tables.join(',')}]}`,
    )
  }
  return `[${databases.join(',')}]`
}

/**
 * Everything {@link schemaJson} reads, as a flat list of values and object references (columns
 * and indexes are replaced on change, never edited): two equal lists mean the same schema JSON.
 * Far cheaper than the JSON, so a commit checks this first.
 *
 * @internal
 */
export function schemaFingerprint(registry: SchemaRegistry): unknown[] {
  const out: unknown[] = []
  for (const database of registry.databases()) {
    out.push(
      database.databaseId,
      database.name,
      database.enabled,
      database.type,
      database.$updatedAt,
      database.open,
      database.tables.size,
    )
    for (const entry of database.tables.values()) {
      out.push(
        entry.tableId,
        entry.name,
        entry.enabled,
        entry.$updatedAt,
        entry.security,
        entry.security?.rowSecurity,
        entry.security?.permissions.join('\n'),
        entry.indexes,
        entry.columns?.size ?? -1,
      )
      if (entry.columns !== undefined) for (const column of entry.columns.values()) out.push(column)
      for (const index of entry.indexes) out.push(index)
    }
  }
  return out
}

/** Whether two {@link schemaFingerprint}s are equal. @internal */
export function sameFingerprint(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Registry entries from saved databases. */
function restoreSchema(saved: readonly SavedDatabase[]): DatabaseEntry[] {
  return saved.map((database) => ({
    databaseId: database.databaseId,
    name: database.name,
    enabled: database.enabled,
    type: database.type,
    $createdAt: database.$createdAt,
    $updatedAt: database.$updatedAt,
    open: database.open,
    tables: new Map(
      database.tables.map((table): [string, TableEntry] => [
        table.tableId,
        {
          databaseId: database.databaseId,
          tableId: table.tableId,
          name: table.name,
          enabled: table.enabled,
          $createdAt: table.$createdAt,
          $updatedAt: table.$updatedAt,
          security:
            table.security === null
              ? undefined
              : {
                  permissions: [...table.security.permissions],
                  rowSecurity: table.security.rowSecurity,
                },
          columns:
            table.columns === null
              ? undefined
              : new Map(
                  table.columns.map((column) => {
                    const revived = reviveBigints(column) as StoredColumn
                    return [revived.key, revived]
                  }),
                ),
          indexes: table.indexes.map((index) => ({ ...index })),
          schema: undefined,
        },
      ]),
    ),
  }))
}

/* ------------------------------------------------------------------------------------------------
 * Snapshots
 * --------------------------------------------------------------------------------------------- */

/** The header fields of a snapshot file, besides the state. @internal */
export interface SnapshotMeta {
  /** The log that follows this snapshot is `log-<generation>.wal`. `0` for an export. */
  readonly generation: number
  readonly boots: number
}

/**
 * The whole state of a fake as one snapshot's JSON text, built table by table (a big table is
 * one `JSON.stringify` of its rows, no copy of them).
 *
 * @internal
 */
export function snapshotJson(
  internals: FakeInternals,
  meta: SnapshotMeta,
  schema = schemaJson(internals.schema),
): string {
  const parts: string[] = [
    `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"version":${SNAPSHOT_VERSION}`,
    `,"generation":${meta.generation},"boots":${meta.boots}`,
    `,"savedAt":${JSON.stringify(new Date().toISOString())}`,
    `,"signingKey":"${Buffer.from(internals.accounts.signingKey).toString('hex')}"`,
    `,"schema":${schema},"tables":[`,
  ]
  let first = true
  for (const table of internals.storage.tables()) {
    parts.push(
      `${first ? '' : ','}{"databaseId":${JSON.stringify(table.databaseId)},"tableId":${JSON.stringify(table.tableId)},"sequence":${table.lastSequence},"rows":${JSON.stringify([...table.values()])}}`,
    )
    first = false
  }
  parts.push(
    `],"users":${JSON.stringify(internals.accounts.users())}`,
    `,"sessions":${JSON.stringify([...internals.accounts.allSessions()])}`,
    `,"teams":${JSON.stringify(teamStore(internals).teams())}`,
    `,"memberships":${JSON.stringify(teamStore(internals).memberships())}}`,
  )
  return parts.join('')
}

interface SnapshotJson {
  format?: unknown
  version?: unknown
  generation?: unknown
  boots?: unknown
  signingKey?: unknown
  schema?: SavedDatabase[]
  tables?: Array<{ databaseId: string; tableId: string; sequence: number; rows: StoredRow[] }>
  users?: StoredUser[]
  sessions?: StoredSession[]
  /** Absent from snapshots written before the Teams service. */
  teams?: StoredTeam[]
  memberships?: StoredMembership[]
}

/**
 * Reads a snapshot's JSON text. Throws, naming `file`, when it is not a snapshot of this version.
 *
 * @internal
 */
export function parseSnapshot(
  json: string,
  file: string,
): { state: LoadedState; generation: number } {
  const snapshot = JSON.parse(json) as SnapshotJson
  if (snapshot.format !== SNAPSHOT_FORMAT)
    throw new Error(`${file} is not a booking-guard emulator snapshot (no format field)`)
  if (snapshot.version !== SNAPSHOT_VERSION)
    throw new Error(
      `${file} is a version ${String(snapshot.version)} snapshot; this emulator reads version ${SNAPSHOT_VERSION}: use the @booking-guard/testing version that wrote it`,
    )
  if (
    typeof snapshot.signingKey !== 'string' ||
    !/^[0-9a-f]{64}$/.test(snapshot.signingKey) ||
    typeof snapshot.generation !== 'number' ||
    typeof snapshot.boots !== 'number' ||
    !Array.isArray(snapshot.schema) ||
    !Array.isArray(snapshot.tables) ||
    !Array.isArray(snapshot.users) ||
    !Array.isArray(snapshot.sessions)
  )
    throw new Error(`${file} is missing a field of a version ${SNAPSHOT_VERSION} snapshot`)
  const state: LoadedState = {
    boots: snapshot.boots,
    signingKey: snapshot.signingKey,
    schema: snapshot.schema,
    tables: new Map(),
    users: new Map(snapshot.users.map((user) => [user.$id, user])),
    sessions: new Map(snapshot.sessions.map((session) => [session.$id, session])),
    teams: new Map((snapshot.teams ?? []).map((team) => [team.$id, team])),
    memberships: new Map((snapshot.memberships ?? []).map((m) => [m.$id, m])),
  }
  for (const table of snapshot.tables) {
    state.tables.set(tableKey(table.databaseId, table.tableId), {
      databaseId: table.databaseId,
      tableId: table.tableId,
      sequence: table.sequence,
      rows: new Map(table.rows.map((row) => [row.$id, row])),
    })
  }
  return { state, generation: snapshot.generation }
}

/* ------------------------------------------------------------------------------------------------
 * Log records: the changes of one commit, as the state after them (replaying one twice is harmless)
 * --------------------------------------------------------------------------------------------- */

/** The changes to one table in a log record. @internal */
export interface TableChange {
  readonly databaseId: string
  readonly tableId: string
  readonly sequence: number
  readonly put: readonly StoredRow[]
  readonly delete: readonly string[]
}

/** One log record. @internal */
export interface ChangeRecord {
  /** Position in its log file: 1, 2, …. */
  readonly n: number
  /** Every table was emptied before the changes below (`fake.reset()`). */
  readonly clearRows?: true
  /** Every user and session was dropped before the changes below. */
  readonly clearAccounts?: true
  /** The whole schema, when it changed. */
  readonly schema?: readonly SavedDatabase[]
  readonly tables?: readonly TableChange[]
  readonly users?: { readonly put: readonly StoredUser[]; readonly delete: readonly string[] }
  readonly sessions?: {
    readonly put: readonly StoredSession[]
    readonly delete: readonly string[]
  }
  /** Every team and membership was dropped before the changes below. */
  readonly clearTeams?: true
  readonly teams?: { readonly put: readonly StoredTeam[]; readonly delete: readonly string[] }
  readonly memberships?: {
    readonly put: readonly StoredMembership[]
    readonly delete: readonly string[]
  }
}

/**
 * Applies one log record to a state being loaded.
 *
 * @internal
 */
export function applyRecord(state: LoadedState, record: ChangeRecord): void {
  if (record.clearRows) state.tables.clear()
  if (record.clearAccounts) {
    state.users.clear()
    state.sessions.clear()
  }
  if (record.schema) state.schema = record.schema
  for (const change of record.tables ?? []) {
    const key = tableKey(change.databaseId, change.tableId)
    let table = state.tables.get(key)
    if (table === undefined) {
      table = {
        databaseId: change.databaseId,
        tableId: change.tableId,
        sequence: 0,
        rows: new Map(),
      }
      state.tables.set(key, table)
    }
    table.sequence = change.sequence
    for (const rowId of change.delete) table.rows.delete(rowId)
    // Order is restored from `$sequence` (restoreState sorts), so a plain set will do.
    for (const row of change.put) table.rows.set(row.$id, row)
  }
  if (record.users) {
    for (const userId of record.users.delete) state.users.delete(userId)
    for (const user of record.users.put) state.users.set(user.$id, user)
  }
  if (record.sessions) {
    for (const sessionId of record.sessions.delete) state.sessions.delete(sessionId)
    for (const session of record.sessions.put) state.sessions.set(session.$id, session)
  }
  if (record.clearTeams) {
    state.teams.clear()
    state.memberships.clear()
  }
  if (record.teams) {
    for (const teamId of record.teams.delete) state.teams.delete(teamId)
    for (const team of record.teams.put) state.teams.set(team.$id, team)
  }
  if (record.memberships) {
    for (const membershipId of record.memberships.delete) state.memberships.delete(membershipId)
    for (const membership of record.memberships.put)
      state.memberships.set(membership.$id, membership)
  }
}

/**
 * Puts a loaded state into a fake, replacing its schema, rows, users and sessions. Run before
 * anything observes the fake's stores: it is not reported as changes.
 *
 * @internal
 */
export function restoreState(internals: FakeInternals, state: LoadedState): void {
  internals.schema.restore(restoreSchema(state.schema))
  internals.storage.clear()
  for (const loaded of state.tables.values()) {
    const table = internals.storage.ensureTable(loaded.databaseId, loaded.tableId)
    // Rows in `$sequence` order, as the fake lists them when no order is asked for.
    const rows = [...loaded.rows.values()].sort((a, b) => a.$sequence - b.$sequence)
    for (const row of rows) table.put(row)
    table.rewindSequence(loaded.sequence)
  }
  internals.accounts.restore({
    users: state.users.values(),
    sessions: state.sessions.values(),
    signingKey: Uint8Array.from(Buffer.from(state.signingKey, 'hex')),
  })
  teamStore(internals).restore({
    teams: state.teams.values(),
    memberships: state.memberships.values(),
  })
}
