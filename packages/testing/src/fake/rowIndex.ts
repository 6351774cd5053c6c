import { compareForOrder, rowValue } from './queries'
import type { Order } from './queries'
import type { StoredRow } from './store'

/** How an indexed attribute's values compare (the kind its filters and orders use). @internal */
export type IndexKind = Order['valueKind']

/** Pending changes up to which a read places them one by one (a binary search and a splice each). */
const PLACE_ONE_BY_ONE = 8

/** Pending changes past which a write places them all, whatever reads: memory stays bounded. */
const SETTLE_AT = 4096

/**
 * The rows of one table sorted by one attribute, then `$sequence`: the order `orderAsc` on that
 * attribute answers, with `NULL` first. Values compare with the same functions the scanning path
 * uses ({@link rowValue}, {@link compareForOrder}), so a range found by binary search holds every
 * row a filter on that attribute can match. Kept up to date on every write by the table's storage.
 *
 * Writes are placed when the index is next read: a row added or removed is noted, and the next
 * read of {@link rows} places what is pending, one by one when it is a few rows (as a write
 * would), else all in one merge. A burst of writes to a large table (an import, a seed, a run of
 * creates between two lists) then costs one pass over the index instead of a binary search and
 * an array splice moving half the index per write.
 *
 * @internal
 */
export class SortedRowIndex {
  /** The placed rows, ascending by (value, `$sequence`). */
  #rows: StoredRow[]
  /** Rows added since the last read, not placed yet. */
  readonly #added = new Set<StoredRow>()
  /** Placed rows removed since the last read. */
  readonly #removed = new Set<StoredRow>()

  constructor(
    readonly attribute: string,
    readonly kind: IndexKind,
    source: Iterable<StoredRow>,
  ) {
    // Each value computed once (a datetime is parsed), not once per comparison.
    const keyed: Array<{ row: StoredRow; value: unknown }> = []
    for (const row of source) keyed.push({ row, value: this.valueOf(row) })
    keyed.sort(this.#compareKeyed)
    this.#rows = keyed.map((entry) => entry.row)
  }

  /** The rows, ascending by (value, `$sequence`), every write placed. Read-only for callers. */
  get rows(): readonly StoredRow[] {
    if (this.#added.size !== 0 || this.#removed.size !== 0) this.#settle()
    return this.#rows
  }

  /** The value this index sorts `row` by. */
  valueOf(row: StoredRow): unknown {
    return rowValue(row, this.attribute, this.kind)
  }

  add(row: StoredRow): void {
    this.#added.add(row)
    if (this.#added.size + this.#removed.size > SETTLE_AT) this.#settle()
  }

  remove(row: StoredRow): void {
    // A row added since the last read was never placed: forgetting it is its removal.
    if (this.#added.delete(row)) return
    this.#removed.add(row)
    if (this.#added.size + this.#removed.size > SETTLE_AT) this.#settle()
  }

  /** The first position whose value is not below `value`. */
  lowerBound(value: unknown): number {
    return this.#bound(value, false)
  }

  /** The first position whose value is above `value`. */
  upperBound(value: unknown): number {
    return this.#bound(value, true)
  }

  readonly #compareKeyed = (
    a: { row: StoredRow; value: unknown },
    b: { row: StoredRow; value: unknown },
  ): number => compareForOrder(a.value, b.value, this.kind) || a.row.$sequence - b.row.$sequence

  /** Places the pending writes: removals first, then additions (a row may be in both). */
  #settle(): void {
    if (this.#added.size + this.#removed.size <= PLACE_ONE_BY_ONE) {
      for (const row of this.#removed) this.#removeNow(row)
      for (const row of this.#added) this.#rows.splice(this.#position(row), 0, row)
    } else {
      const removed = this.#removed
      const placed = removed.size === 0 ? this.#rows : this.#rows.filter((row) => !removed.has(row))
      const keyed: Array<{ row: StoredRow; value: unknown }> = []
      for (const row of this.#added) keyed.push({ row, value: this.valueOf(row) })
      keyed.sort(this.#compareKeyed)
      // The added rows, in order, each where a binary search of the placed ones puts it: the
      // positions never decrease, so one pass copies the placed rows between them.
      const merged: StoredRow[] = []
      let from = 0
      for (const { row, value } of keyed) {
        const at = positionIn(placed, from, value, row.$sequence, this)
        for (let i = from; i < at; i++) merged.push(placed[i]!)
        merged.push(row)
        from = at
      }
      for (let i = from; i < placed.length; i++) merged.push(placed[i]!)
      this.#rows = merged
    }
    this.#added.clear()
    this.#removed.clear()
  }

  /** Where `row` goes among the placed rows. */
  #position(row: StoredRow): number {
    return positionIn(this.#rows, 0, this.valueOf(row), row.$sequence, this)
  }

  #removeNow(row: StoredRow): void {
    const rows = this.#rows
    let at = this.#position(row)
    while (at < rows.length && rows[at] !== row) {
      const other = rows[at]!
      if (other.$sequence !== row.$sequence) break
      at++
    }
    // Two rows never share a `$sequence` in one table; should one slip in, still drop the right one.
    if (rows[at] !== row) at = rows.indexOf(row)
    if (at >= 0) rows.splice(at, 1)
  }

  #bound(value: unknown, above: boolean): number {
    const rows = this.rows
    let low = 0
    let high = rows.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const order = compareForOrder(this.valueOf(rows[middle]!), value, this.kind)
      if (order < 0 || (above && order === 0)) low = middle + 1
      else high = middle
    }
    return low
  }
}

/** The first position at or after `low` in `rows` whose row sorts at or after (`value`, `sequence`). */
function positionIn(
  rows: readonly StoredRow[],
  low: number,
  value: unknown,
  sequence: number,
  index: SortedRowIndex,
): number {
  let high = rows.length
  while (low < high) {
    const middle = (low + high) >>> 1
    const row = rows[middle]!
    const order = compareForOrder(index.valueOf(row), value, index.kind) || row.$sequence - sequence
    if (order < 0) low = middle + 1
    else high = middle
  }
  return low
}
