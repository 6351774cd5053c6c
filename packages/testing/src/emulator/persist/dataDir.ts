import { mkdir, open, readdir, unlink, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { AccountObserver } from '../../fake/accounts'
import type { FakeInternals } from '../../fake/createFakeAppwrite'
import type { StorageObserver, TableStorage } from '../../fake/store'
import { teamStore } from '../../fake/teams'
import type { TeamObserver } from '../../fake/teams'
import { isCode, readIfExists, syncDir, writeAtomically } from './files'
import { decodeRecords, encodeRecord } from './records'
import {
  applyRecord,
  parseSnapshot,
  restoreState,
  sameFingerprint,
  schemaFingerprint,
  schemaJson,
  snapshotJson,
} from './state'
import type { ChangeRecord, LoadedState } from './state'

/*
 * The emulator's data dir: `snapshot.json` (the whole state, replaced by write-temp + fsync +
 * rename) and `log-<generation>.wal` (the commits since, appended and fsynced before the emulator
 * answers the request that made them). Opening the dir replays the log onto the snapshot, drops a
 * last record a crash cut short, and compacts at once into a new snapshot and an empty log.
 */

const SNAPSHOT_FILE = 'snapshot.json'
const LOCK_FILE = 'LOCK'
const LOG_PATTERN = /^log-(\d+)\.wal$/
const logFile = (generation: number) => `log-${generation}.wal`

/** Default log size that triggers a compaction into a new snapshot: 8 MiB. */
export const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024

/** Directories this process holds open, so a second open in the same process fails too. */
const openHere = new Set<string>()

/** What reading a data dir (or an export) found. @internal */
export interface ReadState {
  readonly state: LoadedState
  readonly generation: number
  /** Bytes of a last log record a crash cut short, left out. */
  readonly tornBytes: number
  /** Records replayed from the log. */
  readonly replayed: number
}

/**
 * Reads a snapshot and the log that follows it, without changing anything on disk; `undefined`
 * for a directory without `snapshot.json`. Throws, naming the file, on a damaged snapshot or a
 * log damaged anywhere but at its end.
 *
 * @internal
 */
export async function readState(dir: string): Promise<ReadState | undefined> {
  const snapshotPath = join(dir, SNAPSHOT_FILE)
  const bytes = await readIfExists(snapshotPath)
  if (bytes === undefined) return undefined
  const decoded = decodeRecords(bytes, snapshotPath)
  if (decoded.records.length !== 1 || decoded.tornBytes !== 0)
    throw new Error(
      `${snapshotPath} is damaged (a snapshot is written whole, so this is not a crash): restore it from a copy or an export`,
    )
  const { state, generation } = parseSnapshot(decoded.records[0]!, snapshotPath)
  const logPath = join(dir, logFile(generation))
  const log = await readIfExists(logPath)
  if (log === undefined) return { state, generation, tornBytes: 0, replayed: 0 }
  const { records, tornBytes } = decodeRecords(log, logPath)
  records.forEach((json, index) => {
    const record = JSON.parse(json) as ChangeRecord
    if (record.n !== index + 1)
      throw new Error(
        `${logPath}: record ${index + 1} is numbered ${String(record.n)}; the log is out of order, which a crash does not do: restore the directory from a copy or an export`,
      )
    applyRecord(state, record)
  })
  return { state, generation, tornBytes, replayed: records.length }
}

/**
 * Writes the fake's whole state as `<dir>/snapshot.json` (the directory is created), atomically.
 * `--import <dir>` and the `import` option read it back.
 *
 * @internal
 */
export async function exportSnapshot(internals: FakeInternals, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const names = await readdir(dir)
  if (names.includes(LOCK_FILE) || names.some((name) => LOG_PATTERN.test(name)))
    throw new Error(
      `${dir} is an emulator data dir (it holds a log): export into another directory, or read the data dir itself with --import`,
    )
  const path = join(dir, SNAPSHOT_FILE)
  await writeAtomically(path, encodeRecord(snapshotJson(internals, { generation: 0, boots: 0 })))
  return path
}

/** Options for {@link EmulatorDataDir.open}. @internal */
export interface DataDirOptions {
  /** Log size that triggers a compaction, in bytes. Defaults to {@link DEFAULT_COMPACT_AFTER_BYTES}. */
  readonly compactAfterBytes?: number
  /** Told once when a write to the dir fails (every later commit fails with the same error). */
  readonly onError?: (error: Error) => void
}

/** The changes made since the last commit, collected from the fake's stores. */
class Changes {
  readonly rows = new Map<TableStorage, Set<string>>()
  readonly users = new Set<string>()
  readonly sessions = new Set<string>()
  readonly teams = new Set<string>()
  readonly memberships = new Set<string>()
  clearRows = false
  clearAccounts = false
  clearTeams = false

  constructor(readonly onChange: () => void) {}

  /** The storage's observer. */
  get storage(): StorageObserver {
    return {
      rowChanged: (table, rowId) => this.rowChanged(table, rowId),
      sequenceChanged: (table) => this.sequenceChanged(table),
      cleared: () => {
        // Earlier row changes are moot: the record empties every table first.
        this.rows.clear()
        this.clearRows = true
        this.onChange()
      },
    }
  }

  /** The account store's observer. */
  get accounts(): AccountObserver {
    return {
      userChanged: (userId) => this.userChanged(userId),
      sessionChanged: (sessionId) => this.sessionChanged(sessionId),
      cleared: () => {
        this.users.clear()
        this.sessions.clear()
        this.clearAccounts = true
        this.onChange()
      },
    }
  }

  /** The team store's observer. */
  get teamStore(): TeamObserver {
    return {
      teamChanged: (teamId) => {
        this.teams.add(teamId)
        this.onChange()
      },
      membershipChanged: (membershipId) => {
        this.memberships.add(membershipId)
        this.onChange()
      },
      cleared: () => {
        this.teams.clear()
        this.memberships.clear()
        this.clearTeams = true
        this.onChange()
      },
    }
  }

  get empty(): boolean {
    return (
      this.rows.size === 0 &&
      this.users.size === 0 &&
      this.sessions.size === 0 &&
      this.teams.size === 0 &&
      this.memberships.size === 0 &&
      !this.clearRows &&
      !this.clearAccounts &&
      !this.clearTeams
    )
  }

  #table(table: TableStorage): Set<string> {
    let ids = this.rows.get(table)
    if (ids === undefined) this.rows.set(table, (ids = new Set()))
    return ids
  }

  rowChanged(table: TableStorage, rowId: string): void {
    this.#table(table).add(rowId)
    this.onChange()
  }

  sequenceChanged(table: TableStorage): void {
    this.#table(table)
    this.onChange()
  }

  userChanged(userId: string): void {
    this.users.add(userId)
    this.onChange()
  }

  sessionChanged(sessionId: string): void {
    this.sessions.add(sessionId)
    this.onChange()
  }

  reset(): void {
    this.rows.clear()
    this.users.clear()
    this.sessions.clear()
    this.teams.clear()
    this.memberships.clear()
    this.clearRows = false
    this.clearAccounts = false
    this.clearTeams = false
  }
}

interface Waiter {
  readonly upTo: number
  resolve(): void
  reject(error: Error): void
}

interface Pending {
  /** Commit number (counted across logs). */
  readonly commit: number
  readonly bytes: Buffer
}

/**
 * A data dir opened by one emulator: loads it, then keeps it in step with the fake.
 *
 * @example
 * ```ts
 * const dataDir = await EmulatorDataDir.open('./.emulator-data')
 * await dataDir.attach(fakeInternals(fake))
 * // after each request, before answering it:
 * await dataDir.commit()
 * ```
 *
 * @internal
 */
export class EmulatorDataDir {
  readonly dir: string
  /** What was on disk when opened; `undefined` for a new dir. */
  readonly loaded: ReadState | undefined
  readonly #compactAfterBytes: number
  readonly #onError: ((error: Error) => void) | undefined
  #internals: FakeInternals | undefined
  #changes: Changes | undefined
  #generation = 0
  #boots = 0
  #log: FileHandle | undefined
  #logBytes = 0
  /** Records in the current log. */
  #logRecords = 0
  /** The schema as last written, and its fingerprint. */
  #schema = ''
  #fingerprint: unknown[] = []
  #committed = 0
  #durable = 0
  #pending: Pending[] = []
  #waiters: Waiter[] = []
  #flushing: Promise<void> | undefined
  #scheduled = false
  #failed: Error | undefined
  #closed = false

  private constructor(dir: string, loaded: ReadState | undefined, options: DataDirOptions) {
    this.dir = dir
    this.loaded = loaded
    this.#compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES
    this.#onError = options.onError
    if (!(this.#compactAfterBytes > 0))
      throw new RangeError(
        `compactAfterBytes must be a number of bytes > 0, got ${this.#compactAfterBytes}`,
      )
  }

  /**
   * Opens (creating it when missing) and reads a data dir, and locks it against a second emulator.
   * Nothing is written until {@link EmulatorDataDir.attach}.
   */
  static async open(dir: string, options: DataDirOptions = {}): Promise<EmulatorDataDir> {
    const path = resolve(dir)
    const created = await mkdir(path, { recursive: true })
    // New directories exist for good once their parents' entries are fsynced.
    if (created !== undefined) {
      for (let at = path; at !== dirname(created); at = dirname(at)) await syncDir(dirname(at))
    }
    await lock(path)
    try {
      const loaded = await readState(path)
      if (loaded === undefined) {
        const logs = (await readdir(path)).filter((name) => LOG_PATTERN.test(name))
        if (logs.length > 0)
          throw new Error(
            `${path} holds ${logs.join(', ')} but no ${SNAPSHOT_FILE}: it was not written by this emulator, or the snapshot was removed; restore the directory or use an empty one`,
          )
      }
      return new EmulatorDataDir(path, loaded, options)
    } catch (error) {
      await unlock(path)
      throw error
    }
  }

  /** How often the dir was opened before this time (`0` for a new dir). */
  get boots(): number {
    return this.loaded === undefined ? 0 : this.loaded.state.boots + 1
  }

  /**
   * Puts what the dir holds into the fake (or, for a new dir, `imported`, else the fake as it is),
   * writes it as a new snapshot with an empty log, and from then on records the fake's changes.
   * Refuses `imported` when the dir already holds data.
   */
  async attach(internals: FakeInternals, imported?: LoadedState): Promise<void> {
    if (this.#internals !== undefined) throw new Error(`${this.dir} is already attached to a fake`)
    if (this.loaded !== undefined && imported !== undefined)
      throw new Error(
        `the data dir ${this.dir} already holds data, which --import would replace: import into an empty data dir, or drop one of the two`,
      )
    const state = this.loaded?.state ?? imported
    if (state !== undefined) restoreState(internals, state)
    this.#internals = internals
    this.#generation = this.loaded?.generation ?? 0
    this.#boots = this.boots
    const changes = new Changes(() => this.#schedule())
    await this.#compact()
    // Listen only once the restored state is on disk: restoring is not a change.
    this.#changes = changes
    internals.storage.observe(changes.storage)
    internals.accounts.observe(changes.accounts)
    teamStore(internals).observe(changes.teamStore)
  }

  /**
   * Records every change made to the fake since the last commit and resolves once it is on disk
   * (and every change recorded before it); `undefined` when there is nothing to wait for. Rejects
   * for good once a write to the dir failed.
   */
  commit(): Promise<void> | undefined {
    if (this.#failed !== undefined) return Promise.reject(this.#failed)
    if (this.#changes === undefined) return undefined
    try {
      this.#capture()
    } catch (error) {
      this.#fail(error)
      return Promise.reject(this.#failed)
    }
    if (this.#durable >= this.#committed) return undefined
    const upTo = this.#committed
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ upTo, resolve, reject })
      if (this.#flushing === undefined) this.#run(() => this.#flush())
    })
  }

  /** Writes the whole state as a new snapshot and starts an empty log. */
  async compact(): Promise<void> {
    await this.#idle()
    if (this.#failed !== undefined) throw this.#failed
    this.#run(() => this.#compact())
    await this.#idle()
    if (this.#failed !== undefined) throw this.#failed
  }

  /** Commits what is left, then closes the log and unlocks the dir. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#failed === undefined) await this.commit()?.catch(() => undefined)
    await this.#idle()
    this.#internals?.storage.observe(undefined)
    this.#internals?.accounts.observe(undefined)
    if (this.#internals !== undefined) teamStore(this.#internals).observe(undefined)
    this.#changes = undefined
    await this.#log?.close()
    this.#log = undefined
    openHere.delete(this.dir)
    await unlock(this.dir)
    if (this.#failed !== undefined) throw this.#failed
  }

  /** Bytes in the current log (for tests and benchmarks). */
  get logBytes(): number {
    return this.#logBytes
  }

  /** The current snapshot generation (for tests). */
  get generation(): number {
    return this.#generation
  }

  async #idle(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing
  }

  /** A change outside any request (a test hook, `emulator.createSession`): committed soon after. */
  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      // The failure is reported once through `onError` and fails every later request.
      this.commit()?.catch(() => undefined)
    })
  }

  /** Turns the changes collected so far into a pending log record (synchronously). */
  #capture(): void {
    const internals = this.#internals!
    const changes = this.#changes!
    const fingerprint = schemaFingerprint(internals.schema)
    let schema = this.#schema
    if (!sameFingerprint(fingerprint, this.#fingerprint)) {
      this.#fingerprint = fingerprint
      schema = schemaJson(internals.schema)
    }
    const schemaChanged = schema !== this.#schema
    if (changes.empty && !schemaChanged) return
    const parts = [`{"n":${++this.#logRecords}`]
    if (changes.clearRows) parts.push(',"clearRows":true')
    if (changes.clearAccounts) parts.push(',"clearAccounts":true')
    if (changes.clearTeams) parts.push(',"clearTeams":true')
    if (schemaChanged) parts.push(`,"schema":${schema}`)
    if (changes.rows.size > 0) {
      const tables: string[] = []
      for (const [table, ids] of changes.rows) {
        tables.push(
          `{"databaseId":${JSON.stringify(table.databaseId)},"tableId":${JSON.stringify(table.tableId)},"sequence":${table.lastSequence},${putAndDelete(ids, (id) => table.get(id))}}`,
        )
      }
      parts.push(`,"tables":[${tables.join(',')}]`)
    }
    if (changes.users.size > 0) {
      parts.push(`,"users":{${putAndDelete(changes.users, (id) => internals.accounts.user(id))}}`)
    }
    if (changes.sessions.size > 0) {
      const sessions = putAndDelete(changes.sessions, (id) => internals.accounts.storedSession(id))
      parts.push(`,"sessions":{${sessions}}`)
    }
    if (changes.teams.size > 0)
      parts.push(`,"teams":{${putAndDelete(changes.teams, (id) => teamStore(internals).team(id))}}`)
    if (changes.memberships.size > 0) {
      const memberships = putAndDelete(changes.memberships, (id) =>
        teamStore(internals).membership(id),
      )
      parts.push(`,"memberships":{${memberships}}`)
    }
    parts.push('}')
    const bytes = encodeRecord(parts.join(''))
    changes.reset()
    this.#schema = schema
    this.#pending.push({ commit: ++this.#committed, bytes })
  }

  /**
   * Runs the one file job at a time (a flush or a compaction); a failure fails the dir. Records
   * captured while it ran are flushed after it.
   */
  #run(job: () => Promise<void>): void {
    this.#flushing = job()
      .catch((error: unknown) => this.#fail(error))
      .then(() => {
        this.#flushing = undefined
        if (this.#pending.length > 0 && this.#failed === undefined) this.#run(() => this.#flush())
      })
  }

  /** Appends pending records (several commits in one write and one fsync), then wakes waiters. */
  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending
      this.#pending = []
      const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes))
      await this.#log!.write(bytes)
      await this.#log!.datasync()
      this.#logBytes += bytes.length
      this.#settle(batch[batch.length - 1]!.commit)
      if (this.#logBytes >= this.#compactAfterBytes) await this.#compact()
    }
  }

  #settle(durable: number): void {
    this.#durable = durable
    const waiting = this.#waiters
    this.#waiters = []
    for (const waiter of waiting) {
      if (waiter.upTo <= durable) waiter.resolve()
      else this.#waiters.push(waiter)
    }
  }

  /**
   * The whole state into a new snapshot, then a new empty log: every commit so far is in the
   * snapshot, so pending records are dropped, and the commits that waited on them are durable
   * once the snapshot's rename is.
   */
  async #compact(): Promise<void> {
    const internals = this.#internals!
    if (this.#changes !== undefined) this.#capture()
    const upTo = this.#committed
    this.#pending = []
    const generation = this.#generation + 1
    this.#fingerprint = schemaFingerprint(internals.schema)
    this.#schema = schemaJson(internals.schema)
    const snapshot = encodeRecord(
      snapshotJson(internals, { generation, boots: this.#boots }, this.#schema),
    )
    this.#logRecords = 0
    // The new log exists before the snapshot that names it; until the rename the old pair holds.
    const log = await open(join(this.dir, logFile(generation)), 'w')
    try {
      await syncDir(this.dir)
      await writeAtomically(join(this.dir, SNAPSHOT_FILE), snapshot)
    } catch (error) {
      await log.close()
      throw error
    }
    const old = this.#log
    this.#log = log
    this.#logBytes = 0
    this.#generation = generation
    await old?.close()
    for (const name of await readdir(this.dir)) {
      const match = LOG_PATTERN.exec(name)
      const stale =
        (match !== null && Number(match[1]) !== generation) ||
        name.startsWith(`${SNAPSHOT_FILE}.tmp-`)
      if (stale) await unlink(join(this.dir, name))
    }
    this.#settle(upTo)
  }

  #fail(error: unknown): void {
    if (this.#failed !== undefined) return
    const reason = error instanceof Error ? error.message : String(error)
    this.#failed = new Error(
      `the emulator could not write its data dir ${this.dir}: ${reason}. Every write answered before this one is on disk; later ones are refused: fix the cause and restart the emulator`,
      { cause: error },
    )
    const waiting = this.#waiters
    this.#waiters = []
    for (const waiter of waiting) waiter.reject(this.#failed)
    this.#onError?.(this.#failed)
  }
}

/**
 * A log record's `"put":[…],"delete":[…]` for the changed `ids`: the records `find` still has, and
 * the ids it no longer has.
 */
function putAndDelete(ids: Iterable<string>, find: (id: string) => unknown): string {
  const put: unknown[] = []
  const deleted: string[] = []
  for (const id of ids) {
    const record = find(id)
    if (record === undefined) deleted.push(id)
    else put.push(record)
  }
  return `"put":${JSON.stringify(put)},"delete":${JSON.stringify(deleted)}`
}

/** Takes the dir's lock file, or throws when a live process holds it. */
async function lock(dir: string): Promise<void> {
  if (openHere.has(dir))
    throw new Error(`${dir} is already open in this process: close the other emulator first`)
  const path = join(dir, LOCK_FILE)
  const held = await readIfExists(path)
  if (held !== undefined) {
    const pid = Number(held.toString('utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new Error(
        `${dir} is in use by another emulator (process ${pid}): stop it or pick another --data dir (if that process is no emulator, delete ${path})`,
      )
  }
  // A lock left by a process that is gone (a crash, SIGKILL) is taken over.
  await writeFile(path, `${process.pid}\n`)
  openHere.add(dir)
}

async function unlock(dir: string): Promise<void> {
  openHere.delete(dir)
  try {
    await unlink(join(dir, LOCK_FILE))
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(error, 'EPERM')
  }
}
