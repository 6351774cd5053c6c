import { SortedRowIndex, positionIn } from '../fake/rowIndex'
import type { StoredRow } from '../fake/store'

/** Pending changes up to which a read places them one by one (a binary search and a splice each). */
const PLACE_ONE_BY_ONE = 8

/** Pending changes past which a write places them all, whatever reads: memory stays bounded. */
const SETTLE_AT = 4096

/**
 * The emulator's sorted index: writes are placed when the index is next read. A row added or
 * removed is noted, and the next read of {@link rows} places what is pending, one by one when it
 * is a few rows (as the fake's index does on every write), else all in one merge. A burst of
 * writes to a large table (a run of creates between two lists, an import) then costs one pass
 * over the index instead of a binary search and an array splice moving half the index per write.
 *
 * The emulator installs it on its fake's storage (`storage.indexWith`); the fake's browser-safe
 * root keeps the plain {@link SortedRowIndex}, which places each write as it comes. Both answer
 * every read alike (`__tests__/rowIndex.test.ts` runs its scripts on both).
 *
 * @internal
 */
export class DeferredRowIndex extends SortedRowIndex {
  /** Rows added since the last read, not placed yet. */
  readonly #added = new Set<StoredRow>()
  /** Placed rows removed since the last read. */
  readonly #removed = new Set<StoredRow>()

  override get rows(): readonly StoredRow[] {
    if (this.#added.size !== 0 || this.#removed.size !== 0) this.#settle()
    return this.placed
  }

  override add(row: StoredRow): void {
    this.#added.add(row)
    if (this.#added.size + this.#removed.size > SETTLE_AT) this.#settle()
  }

  override remove(row: StoredRow): void {
    // A row added since the last read was never placed: forgetting it is its removal.
    if (this.#added.delete(row)) return
    this.#removed.add(row)
    if (this.#added.size + this.#removed.size > SETTLE_AT) this.#settle()
  }

  /** Places the pending writes: removals first, then additions (a row may be in both). */
  #settle(): void {
    const added = [...this.#added]
    const removed = [...this.#removed]
    this.#added.clear()
    this.#removed.clear()
    if (added.length + removed.length <= PLACE_ONE_BY_ONE) {
      for (const row of removed) super.remove(row)
      for (const row of added) super.add(row)
      return
    }
    const gone = new Set(removed)
    const placed = gone.size === 0 ? this.placed : this.placed.filter((row) => !gone.has(row))
    // The added rows, in order, each where a binary search of the placed ones puts it: the
    // positions never decrease, so one pass copies the placed rows between them.
    const merged: StoredRow[] = []
    let from = 0
    for (const { row, value } of this.keyed(added)) {
      const at = positionIn(placed, from, value, row.$sequence, this)
      for (let i = from; i < at; i++) merged.push(placed[i]!)
      merged.push(row)
      from = at
    }
    for (let i = from; i < placed.length; i++) merged.push(placed[i]!)
    this.placed = merged
  }
}
