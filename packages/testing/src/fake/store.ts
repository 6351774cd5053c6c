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
