import { mkdir, readdir, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { StorageChange, StorageState, StoredBucket, StoredFile } from '../storageState'
import { readIfExists, writeAtomically } from './files'

/*
 * The storage part of an emulator data dir, `<data>/storage/`: `state.json` (every bucket and the
 * records of complete files) and `files/<bucket>/<file>` (each file's bytes, ids hex-encoded so
 * ids that differ only in case stay apart on case-insensitive disks). Every file is written to a
 * temp file, fsynced and renamed: a file's bytes are on disk before the `state.json` that names
 * them, and both before the request that made them is answered. A crash between the two leaves
 * bytes no record names, removed at the next start.
 */

const STATE_FILE = 'state.json'
const FORMAT = 'booking-guard-emulator-storage'

interface SavedStorage {
  format: typeof FORMAT
  version: 1
  buckets: Array<{ bucket: StoredBucket; files: StoredFile[] }>
}

const hex = (id: string) => Buffer.from(id, 'utf8').toString('hex')

/**
 * Keeps a {@link StorageState} in `<dir>`: loads it at start, then writes every change before the
 * request that made it is answered ({@link StorageDir.commit}). Unfinished chunked uploads are
 * not kept.
 *
 * @internal
 */
export class StorageDir {
  readonly dir: string
  readonly #state: StorageState
  /** Buckets whose files' bytes changed since the last write: bucket id → file ids. */
  readonly #written = new Map<string, Set<string>>()
  readonly #removed: Array<{ bucketId: string; fileId?: string }> = []
  #dirty = false
  #queue: Promise<void> = Promise.resolve()
  #failure: Error | undefined

  private constructor(dir: string, state: StorageState) {
    this.dir = dir
    this.#state = state
  }

  /** Opens (creating) `dir`, loads what it holds into `state` and records `state`'s changes from then on. */
  static async open(dir: string, state: StorageState): Promise<StorageDir> {
    const storage = new StorageDir(dir, state)
    await mkdir(join(dir, 'files'), { recursive: true })
    await storage.#load()
    state.onChange((change) => storage.#record(change))
    return storage
  }

  async #load(): Promise<void> {
    const path = join(this.dir, STATE_FILE)
    const bytes = await readIfExists(path)
    if (bytes === undefined) return
    let saved: SavedStorage
    try {
      saved = JSON.parse(bytes.toString('utf8')) as SavedStorage
    } catch (error) {
      throw new Error(
        `${path} is damaged (${(error as Error).message}); it is written whole, so this is not a crash: restore it from a copy, or remove ${this.dir} to start storage empty`,
      )
    }
    if (saved.format !== FORMAT || saved.version !== 1)
      throw new Error(
        `${path} is not an emulator storage state (format ${String(saved.format)} version ${String(saved.version)}): use a data dir written by this emulator`,
      )
    const kept = new Map<string, Set<string>>()
    for (const { bucket, files } of saved.buckets) {
      const loaded: Array<{ file: StoredFile; bytes: Buffer }> = []
      for (const file of files) {
        const blob = join(this.dir, 'files', hex(bucket.$id), hex(file.$id))
        const bytes = await readIfExists(blob)
        if (bytes === undefined)
          throw new Error(
            `${blob}, the bytes of file ${file.$id} in bucket ${bucket.$id}, is missing from the data dir: restore it from a copy, or remove the file's record from ${path}`,
          )
        loaded.push({ file, bytes })
      }
      this.#state.restore(bucket, loaded)
      kept.set(hex(bucket.$id), new Set(files.map((file) => hex(file.$id))))
    }
    await this.#removeOrphans(kept)
  }

  /** Removes bytes no record names (a crash after writing them, before `state.json`). */
  async #removeOrphans(kept: ReadonlyMap<string, ReadonlySet<string>>): Promise<void> {
    const root = join(this.dir, 'files')
    for (const bucket of await readdir(root)) {
      const files = kept.get(bucket)
      if (files === undefined) {
        await rm(join(root, bucket), { recursive: true, force: true })
        continue
      }
      for (const name of await readdir(join(root, bucket)))
        if (!files.has(name)) await unlink(join(root, bucket, name))
    }
  }

  #record(change: StorageChange): void {
    this.#dirty = true
    if (change.kind === 'bucket') {
      if (change.deleted) {
        this.#written.delete(change.bucketId)
        this.#removed.push({ bucketId: change.bucketId })
      }
      return
    }
    if (change.action === 'create') {
      let files = this.#written.get(change.bucketId)
      if (files === undefined) this.#written.set(change.bucketId, (files = new Set()))
      files.add(change.fileId)
    } else if (change.action === 'delete') {
      this.#written.get(change.bucketId)?.delete(change.fileId)
      this.#removed.push({ bucketId: change.bucketId, fileId: change.fileId })
    }
  }

  /**
   * Writes what changed since the last call; `undefined` when nothing did (no promise on the
   * requests that touch no storage). What is written is taken now, so the `state.json` of one
   * call names only bytes this call or an earlier one writes (the calls' writes run in order). A
   * failed write fails this call and every later one.
   */
  commit(): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (!this.#dirty) return undefined
    this.#dirty = false
    const blobs: Array<{ bucketId: string; fileId: string; bytes: Buffer }> = []
    for (const [bucketId, fileIds] of this.#written) {
      const entries = this.#state.files.get(bucketId)
      for (const fileId of fileIds) {
        const bytes = entries?.get(fileId)?.bytes
        if (bytes !== undefined) blobs.push({ bucketId, fileId, bytes })
      }
    }
    this.#written.clear()
    const state = this.#snapshot()
    // What this state no longer names: bytes to remove once it is written.
    const stale = this.#removed
      .splice(0)
      .filter(({ bucketId, fileId }) =>
        fileId === undefined
          ? !this.#state.buckets.has(bucketId)
          : this.#state.files.get(bucketId)?.get(fileId)?.bytes === undefined,
      )
    const job = this.#queue.then(() => this.#write(blobs, state, stale))
    this.#queue = job.catch((error: unknown) => {
      this.#failure = new Error(
        `the emulator could not write its storage to ${this.dir}: ${(error as Error).message}. Fix the directory and restart the emulator.`,
      )
    })
    return job.catch((error: unknown) => {
      throw this.#failure ?? error
    })
  }

  async #write(
    blobs: ReadonlyArray<{ bucketId: string; fileId: string; bytes: Buffer }>,
    state: string,
    stale: ReadonlyArray<{ bucketId: string; fileId?: string }>,
  ): Promise<void> {
    for (const { bucketId, fileId, bytes } of blobs) {
      const folder = join(this.dir, 'files', hex(bucketId))
      await mkdir(folder, { recursive: true })
      await writeAtomically(join(folder, hex(fileId)), bytes)
    }
    await writeAtomically(join(this.dir, STATE_FILE), Buffer.from(state))
    for (const { bucketId, fileId } of stale) {
      const folder = join(this.dir, 'files', hex(bucketId))
      if (fileId === undefined) await rm(folder, { recursive: true, force: true })
      else await rm(join(folder, hex(fileId)), { force: true })
    }
  }

  #snapshot(): string {
    const saved: SavedStorage = { format: FORMAT, version: 1, buckets: [] }
    for (const bucket of this.#state.buckets.values()) {
      const files: StoredFile[] = []
      for (const entry of this.#state.files.get(bucket.$id)?.values() ?? [])
        if (entry.bytes !== undefined) files.push(entry.file)
      saved.buckets.push({ bucket, files })
    }
    return JSON.stringify(saved)
  }

  /** Waits for the writes in flight. */
  async close(): Promise<void> {
    await this.commit()
    await this.#queue
  }
}
