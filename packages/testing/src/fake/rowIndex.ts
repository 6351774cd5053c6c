import { compareForOrder, rowValue } from './queries'
import type { Order } from './queries'
import type { StoredRow } from './store'

/** How an indexed attribute's values compare (the kind its filters and orders use). @internal */
export type IndexKind = Order['valueKind']

/**
 * The rows of one table sorted by one attribute, then `$sequence`: the order `orderAsc` on that
 * attribute answers, with `NULL` first. Values compare with the same functions the scanning path
 * uses ({@link rowValue}, {@link compareForOrder}), so a range found by binary search holds every
 * row a filter on that attribute can match. Kept up to date on every write by the table's storage.
 *
 * @internal
 */
export class SortedRowIndex {
  /** The rows, ascending by (value, `$sequence`). Read-only for callers. */
  readonly rows: StoredRow[]

  constructor(
    readonly attribute: string,
    readonly kind: IndexKind,
    source: Iterable<StoredRow>,
  ) {
    // Each value computed once (a datetime is parsed), not once per comparison.
    const keyed: Array<{ row: StoredRow; value: unknown }> = []
    for (const row of source) keyed.push({ row, value: this.valueOf(row) })
    keyed.sort(
      (a, b) => compareForOrder(a.value, b.value, this.kind) || a.row.$sequence - b.row.$sequence,
    )
    this.rows = keyed.map((entry) => entry.row)
  }

  /** The value this index sorts `row` by. */
  valueOf(row: StoredRow): unknown {
    return rowValue(row, this.attribute, this.kind)
  }

  /** The first position whose row sorts at or after (`value`, `sequence`). */
  #position(value: unknown, sequence: number): number {
    let low = 0
    let high = this.rows.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const row = this.rows[middle]!
      const order = compareForOrder(this.valueOf(row), value, this.kind) || row.$sequence - sequence
      if (order < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  add(row: StoredRow): void {
    this.rows.splice(this.#position(this.valueOf(row), row.$sequence), 0, row)
  }

  remove(row: StoredRow): void {
    let at = this.#position(this.valueOf(row), row.$sequence)
    while (at < this.rows.length && this.rows[at] !== row) {
      const other = this.rows[at]!
      if (other.$sequence !== row.$sequence) break
      at++
    }
    // Two rows never share a `$sequence` in one table; should one slip in, still drop the right one.
    if (this.rows[at] !== row) at = this.rows.indexOf(row)
    if (at >= 0) this.rows.splice(at, 1)
  }

  /** The first position whose value is not below `value`. */
  lowerBound(value: unknown): number {
    return this.#bound(value, false)
  }

  /** The first position whose value is above `value`. */
  upperBound(value: unknown): number {
    return this.#bound(value, true)
  }

  #bound(value: unknown, above: boolean): number {
    let low = 0
    let high = this.rows.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const order = compareForOrder(this.valueOf(this.rows[middle]!), value, this.kind)
      if (order < 0 || (above && order === 0)) low = middle + 1
      else high = middle
    }
    return low
  }
}
