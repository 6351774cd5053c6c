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

class MapTableStorage implements TableStorage {
  readonly #rows = new Map<string, StoredRow>()
  #sequence = 0

  constructor(
    readonly databaseId: string,
    readonly tableId: string,
  ) {}

  get size(): number {
    return this.#rows.size
  }

  get(rowId: string): StoredRow | undefined {
    return this.#rows.get(rowId)
  }

  put(row: StoredRow): void {
    this.#rows.set(row.$id, row)
  }

  delete(rowId: string): boolean {
    return this.#rows.delete(rowId)
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
    if (sequence > this.#sequence) this.#sequence = sequence
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
export function createMemoryStorage(): RowStorage {
  const tables = new Map<string, MapTableStorage>()
  // A NUL separator cannot occur in a valid id, so the compound key is unambiguous.
  const keyOf = (databaseId: string, tableId: string) => `${databaseId}\u0000${tableId}`
  return {
    table: (databaseId, tableId) => tables.get(keyOf(databaseId, tableId)),
    ensureTable(databaseId, tableId) {
      const key = keyOf(databaseId, tableId)
      let table = tables.get(key)
      if (!table) {
        table = new MapTableStorage(databaseId, tableId)
        tables.set(key, table)
      }
      return table
    },
    tables: () => tables.values(),
    clear: () => tables.clear(),
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
    } else if (this.#changes.has(id) || this.base?.get(id)) {
      this.#changes.set(id, row)
      return
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
  const tables = new Map<string, OverlayTable>()
  const keyOf = (databaseId: string, tableId: string) => `${databaseId}\u0000${tableId}`
  const wrap = (databaseId: string, tableId: string, create: boolean) => {
    const key = keyOf(databaseId, tableId)
    let table = tables.get(key)
    if (table) return table
    const underlying = base.table(databaseId, tableId)
    if (!underlying && !create) return undefined
    table = new OverlayTable(databaseId, tableId, underlying)
    tables.set(key, table)
    return table
  }
  return {
    table: (databaseId, tableId) => wrap(databaseId, tableId, false),
    ensureTable: (databaseId, tableId) => wrap(databaseId, tableId, true) as OverlayTable,
    *tables() {
      const seen = new Set<string>()
      for (const table of base.tables()) {
        const key = keyOf(table.databaseId, table.tableId)
        seen.add(key)
        yield wrap(table.databaseId, table.tableId, true) as OverlayTable
      }
      for (const [key, table] of tables) if (!seen.has(key)) yield table
    },
    clear() {
      throw new Error('An overlay storage cannot be cleared')
    },
    apply() {
      for (const table of tables.values()) {
        if (!table.changed) continue
        table.applyTo(table.base ?? base.ensureTable(table.databaseId, table.tableId))
      }
    },
  }
}
