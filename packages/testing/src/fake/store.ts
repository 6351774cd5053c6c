import { SortedRowIndex } from './rowIndex'
import type { IndexKind } from './rowIndex'

/**
 * One stored row: system fields plus the user's columns. Stored rows are replaced, never mutated,
 * so a transaction overlay or a snapshot can hold on to them.
 *
 * @internal
 */
export interface StoredRow {
  readonly $id: string
  readonly $sequence: number
  readonly $createdAt: string
  readonly $updatedAt: string
  readonly $permissions: readonly string[]
  /** User columns only; values are JSON (arrays copied on the way in and out). */
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * The rows of one table. Iteration is in `$sequence` order: a `Map` keeps insertion order and a
 * replaced row keeps its place.
 *
 * @internal
 */
export interface TableStorage {
  readonly databaseId: string
  readonly tableId: string
  readonly size: number
  get(rowId: string): StoredRow | undefined
  /** Inserts or replaces the row with this `$id`. */
  put(row: StoredRow): void
  delete(rowId: string): boolean
  values(): IterableIterator<StoredRow>
  /** The `$sequence` for the next insert (1, 2, …; never reused after a delete). */
  nextSequence(): number
  /** The last `$sequence` handed out (`0` before the first insert). */
  readonly lastSequence: number
  /** Moves the counter forward to `sequence` (never back), when a transaction commits. */
  advanceSequence(sequence: number): void
  /**
   * Sets the counter back to `sequence` once the rows numbered past it are deleted again: a
   * commit that wrote straight into storage and failed undoes itself without leaving a gap.
   */
  rewindSequence(sequence: number): void
  /**
   * The ids of the rows whose key in a unique index is `key`. The index is built on first use
   * (one pass over the rows) and kept up to date by `put` and `delete` from then on. `index`
   * identifies it and must change whenever `keyOf` would compute other keys (a new definition);
   * `keyOf` gives a row's key, `undefined` when a part is `NULL` (not indexed).
   */
  holders(
    index: string,
    keyOf: (row: StoredRow) => string | undefined,
    key: string,
  ): Iterable<string>
  /**
   * The rows sorted by `attribute` (compared as `kind`), then `$sequence`, for the list planner.
   * Built on first use (one sort), then kept up to date by `put` and `delete`. Absent on a
   * transaction's overlay, whose reads scan.
   */
  sortedIndex?(attribute: string, kind: IndexKind): SortedRowIndex
}

/** Most unique indexes a table keeps; past that they are all dropped and rebuilt on demand. */
const MAX_INDEXES_PER_TABLE = 16
const NO_IDS: readonly string[] = Object.freeze([])

/** One unique index of a stored table: key → the id holding it (a `Set` in the rare case of several). */
class UniqueIndex {
  readonly #byKey = new Map<string, string | Set<string>>()

  constructor(readonly keyOf: (row: StoredRow) => string | undefined) {}

  add(row: StoredRow): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const held = this.#byKey.get(key)
    if (held === undefined) this.#byKey.set(key, row.$id)
    else if (typeof held === 'string') {
      if (held !== row.$id) this.#byKey.set(key, new Set([held, row.$id]))
    } else held.add(row.$id)
  }

  remove(row: StoredRow): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const held = this.#byKey.get(key)
    if (held === undefined) return
    if (typeof held === 'string') {
      if (held === row.$id) this.#byKey.delete(key)
    } else {
      held.delete(row.$id)
      if (held.size === 1) this.#byKey.set(key, held.values().next().value!)
    }
  }

  holders(key: string): Iterable<string> {
    const held = this.#byKey.get(key)
    if (held === undefined) return NO_IDS
    return typeof held === 'string' ? [held] : [...held]
  }
}

/**
 * All tables of the fake. The seam where a transaction overlay (staged writes seen only by reads
 * with that `transactionId`) and a permission filter plug in.
 *
 * @internal
 */
export interface RowStorage {
  table(databaseId: string, tableId: string): TableStorage | undefined
  ensureTable(databaseId: string, tableId: string): TableStorage
  tables(): Iterable<TableStorage>
  clear(): void
}

/**
 * Told about every change to stored rows (the emulator's data dir listens), after the change.
 *
 * @internal
 */
export interface StorageObserver {
  /** The row `rowId` of `table` was written or deleted. */
  rowChanged(table: TableStorage, rowId: string): void
  /** The table's `$sequence` counter moved without a row write (a transaction commit or undo). */
  sequenceChanged(table: TableStorage): void
  /** Every table was emptied (`fake.reset()`). */
  cleared(): void
}

/**
 * The fake's own storage: {@link RowStorage} plus an observer seam for persistence.
 *
 * @internal
 */
export interface MemoryStorage extends RowStorage {
  /** Sets the observer told about every row change; `undefined` removes it. */
  observe(observer: StorageObserver | undefined): void
  /** Makes the sorted indexes built from now on with `make` (the emulator's deferred index). */
  indexWith(make: IndexMaker): void
}

/** Builds a sorted index of a table's rows. @internal */
export type IndexMaker = (
  attribute: string,
  kind: IndexKind,
  rows: Iterable<StoredRow>,
) => SortedRowIndex

/** What a storage's tables share (its observer, its index maker): setting one reaches every table. */
interface StorageShared {
  observer: StorageObserver | undefined
  makeIndex?: IndexMaker
}

class MapTableStorage implements TableStorage {
  readonly #rows = new Map<string, StoredRow>()
  #sequence = 0
  #indexes: Map<string, UniqueIndex> | undefined
  #sorted: Map<string, SortedRowIndex> | undefined

  readonly #holder: StorageShared

  constructor(
    readonly databaseId: string,
    readonly tableId: string,
    holder: StorageShared,
  ) {
    this.#holder = holder
  }

  get size(): number {
    return this.#rows.size
  }

  get(rowId: string): StoredRow | undefined {
    return this.#rows.get(rowId)
  }

  put(row: StoredRow): void {
    if (this.#indexes !== undefined) {
      const old = this.#rows.get(row.$id)
      for (const index of this.#indexes.values()) {
        if (old !== undefined) index.remove(old)
        index.add(row)
      }
    }
    if (this.#sorted !== undefined) {
      const old = this.#rows.get(row.$id)
      for (const index of this.#sorted.values()) {
        if (old !== undefined) index.remove(old)
        index.add(row)
      }
    }
    this.#rows.set(row.$id, row)
    this.#holder.observer?.rowChanged(this, row.$id)
  }

  delete(rowId: string): boolean {
    if (this.#indexes !== undefined) {
      const old = this.#rows.get(rowId)
      if (old !== undefined) for (const index of this.#indexes.values()) index.remove(old)
    }
    if (this.#sorted !== undefined) {
      const old = this.#rows.get(rowId)
      if (old !== undefined) for (const index of this.#sorted.values()) index.remove(old)
    }
    const deleted = this.#rows.delete(rowId)
    if (deleted) this.#holder.observer?.rowChanged(this, rowId)
    return deleted
  }

  holders(
    id: string,
    keyOf: (row: StoredRow) => string | undefined,
    key: string,
  ): Iterable<string> {
    this.#indexes ??= new Map()
    let index = this.#indexes.get(id)
    if (index === undefined) {
      if (this.#indexes.size >= MAX_INDEXES_PER_TABLE) this.#indexes.clear()
      index = new UniqueIndex(keyOf)
      for (const row of this.#rows.values()) index.add(row)
      this.#indexes.set(id, index)
    }
    return index.holders(key)
  }

  sortedIndex(attribute: string, kind: IndexKind): SortedRowIndex {
    this.#sorted ??= new Map()
    const id = `${kind}\u0000${attribute}`
    let index = this.#sorted.get(id)
    if (index === undefined) {
      // A schema that keeps changing must not leave ever more indexes to maintain on each write.
      if (this.#sorted.size >= MAX_INDEXES_PER_TABLE) this.#sorted.clear()
      const rows = this.#rows.values()
      index =
        this.#holder.makeIndex?.(attribute, kind, rows) ?? new SortedRowIndex(attribute, kind, rows)
      this.#sorted.set(id, index)
    }
    return index
  }

  values(): IterableIterator<StoredRow> {
    return this.#rows.values()
  }

  nextSequence(): number {
    return ++this.#sequence
  }

  get lastSequence(): number {
    return this.#sequence
  }

  advanceSequence(sequence: number): void {
    if (sequence > this.#sequence) {
      this.#sequence = sequence
      this.#holder.observer?.sequenceChanged(this)
    }
  }

  rewindSequence(sequence: number): void {
    if (sequence === this.#sequence) return
    this.#sequence = sequence
    this.#holder.observer?.sequenceChanged(this)
  }
}

/**
 * Creates the in-memory storage: a `Map` of rows per table, so create, get and the id-exists check
 * are O(1).
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const bookings = storage.ensureTable('main', 'bookings')
 * bookings.put({ $id: 'b1', $sequence: bookings.nextSequence(), $createdAt: now, $updatedAt: now, $permissions: [], data: {} })
 * ```
 *
 * @internal
 */
export function createMemoryStorage(): MemoryStorage {
  // Database id → table id → table: two lookups by the ids as given, no compound key to build
  // (and hash) on every call.
  const databases = new Map<string, Map<string, MapTableStorage>>()
  const holder: StorageShared = { observer: undefined }
  return {
    observe: (observer) => void (holder.observer = observer),
    indexWith: (make) => void (holder.makeIndex = make),
    table: (databaseId, tableId) => databases.get(databaseId)?.get(tableId),
    ensureTable(databaseId, tableId) {
      let tables = databases.get(databaseId)
      if (tables === undefined) {
        tables = new Map()
        databases.set(databaseId, tables)
      }
      let table = tables.get(tableId)
      if (table === undefined) {
        table = new MapTableStorage(databaseId, tableId, holder)
        tables.set(tableId, table)
      }
      return table
    },
    *tables() {
      for (const tables of databases.values()) yield* tables.values()
    },
    clear() {
      databases.clear()
      holder.observer?.cleared()
    },
  }
}

/**
 * Copy-on-write changes to one table: reads see the base table with the changes on top; the base
 * is untouched until {@link OverlayStorage.apply}. Iteration order is what the base `Map` would
 * have after the same writes: replaced rows keep their place, new and re-created rows go last.
 */
class OverlayTable implements TableStorage {
  /** Row id → the row now, or `null` for deleted. Insertion order is append order. */
  readonly #changes = new Map<string, StoredRow | null>()
  /** Ids deleted from the base and written again: they moved to the end. */
  readonly #moved = new Set<string>()
  #sequence: number

  constructor(
    readonly databaseId: string,
    readonly tableId: string,
    readonly base: TableStorage | undefined,
  ) {
    this.#sequence = base?.lastSequence ?? 0
  }

  get size(): number {
    let size = 0
    for (const _ of this.values()) size++
    return size
  }

  get(rowId: string): StoredRow | undefined {
    const change = this.#changes.get(rowId)
    if (change !== undefined) return change ?? undefined
    return this.base?.get(rowId)
  }

  put(row: StoredRow): void {
    const id = row.$id
    if (this.#changes.get(id) === null) {
      // Deleted, then written again: a Map delete + set puts it last.
      this.#changes.delete(id)
      if (this.base?.get(id)) this.#moved.add(id)
    }
    this.#changes.set(id, row)
  }

  delete(rowId: string): boolean {
    const existed = this.get(rowId) !== undefined
    if (!existed) return false
    if (this.base?.get(rowId)) {
      this.#moved.delete(rowId)
      this.#changes.set(rowId, null)
    } else {
      this.#changes.delete(rowId)
    }
    return true
  }

  *values(): IterableIterator<StoredRow> {
    if (this.base) {
      for (const row of this.base.values()) {
        const change = this.#changes.get(row.$id)
        if (change === undefined) yield row
        else if (change !== null && !this.#moved.has(row.$id)) yield change
      }
    }
    for (const [id, change] of this.#changes) {
      if (change === null) continue
      if (this.base?.get(id) && !this.#moved.has(id)) continue
      yield change
    }
  }

  nextSequence(): number {
    return ++this.#sequence
  }

  get lastSequence(): number {
    return this.#sequence
  }

  advanceSequence(sequence: number): void {
    if (sequence > this.#sequence) this.#sequence = sequence
  }

  rewindSequence(sequence: number): void {
    this.#sequence = sequence
  }

  holders(
    index: string,
    keyOf: (row: StoredRow) => string | undefined,
    key: string,
  ): Iterable<string> {
    // The base's holders this overlay did not touch, then the overlay's own rows (few).
    const ids: string[] = []
    if (this.base) {
      for (const id of this.base.holders(index, keyOf, key)) {
        if (!this.#changes.has(id)) ids.push(id)
      }
    }
    for (const [id, change] of this.#changes) {
      if (change !== null && keyOf(change) === key) ids.push(id)
    }
    return ids
  }

  /** Writes the changes into `target` (the base table, created if needed). */
  applyTo(target: TableStorage): void {
    for (const [id, change] of this.#changes) {
      if (change === null) target.delete(id)
      else {
        if (this.#moved.has(id)) target.delete(id)
        target.put(change)
      }
    }
    target.advanceSequence(this.#sequence)
  }

  get changed(): boolean {
    return this.#changes.size > 0 || this.#sequence !== (this.base?.lastSequence ?? 0)
  }
}

/**
 * A {@link RowStorage} that collects writes on top of another one without touching it: the state
 * a transaction builds before it commits. `apply()` writes everything into the base in one go,
 * which cannot fail half-way (plain `Map` writes), so a commit is all or nothing.
 *
 * @internal
 */
export interface OverlayStorage extends RowStorage {
  /** Writes every change into the base storage. */
  apply(): void
}

/**
 * Creates an overlay over `base`.
 *
 * @example
 * ```ts
 * const overlay = createOverlayStorage(storage)
 * overlay.ensureTable('main', 'bookings').put(row) // storage unchanged
 * overlay.apply() // now storage has it
 * ```
 *
 * @internal
 */
export function createOverlayStorage(base: RowStorage): OverlayStorage {
  return new Overlay(base)
}

// A class rather than a literal of closures: a transaction builds one per read view and commit.
class Overlay implements OverlayStorage {
  /** Database id → table id → overlay table. */
  readonly #databases = new Map<string, Map<string, OverlayTable>>()

  constructor(readonly base: RowStorage) {}

  #wrap(databaseId: string, tableId: string, create: boolean): OverlayTable | undefined {
    let tables = this.#databases.get(databaseId)
    let table = tables?.get(tableId)
    if (table) return table
    const underlying = this.base.table(databaseId, tableId)
    if (!underlying && !create) return undefined
    table = new OverlayTable(databaseId, tableId, underlying)
    if (tables === undefined) {
      tables = new Map()
      this.#databases.set(databaseId, tables)
    }
    tables.set(tableId, table)
    return table
  }

  table(databaseId: string, tableId: string): TableStorage | undefined {
    return this.#wrap(databaseId, tableId, false)
  }

  ensureTable(databaseId: string, tableId: string): TableStorage {
    return this.#wrap(databaseId, tableId, true)!
  }

  *tables(): Iterable<TableStorage> {
    const seen = new Set<OverlayTable>()
    for (const table of this.base.tables()) {
      const overlay = this.#wrap(table.databaseId, table.tableId, true)!
      seen.add(overlay)
      yield overlay
    }
    for (const tables of this.#databases.values()) {
      for (const table of tables.values()) if (!seen.has(table)) yield table
    }
  }

  clear(): void {
    throw new Error('An overlay storage cannot be cleared')
  }

  apply(): void {
    for (const tables of this.#databases.values()) {
      for (const table of tables.values()) {
        if (!table.changed) continue
        table.applyTo(table.base ?? this.base.ensureTable(table.databaseId, table.tableId))
      }
    }
  }
}
