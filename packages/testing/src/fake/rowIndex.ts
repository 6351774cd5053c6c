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
  /** The rows, ascending by (value, `$sequence`): what {@link rows} reads. */
  protected placed: StoredRow[]

  constructor(
    readonly attribute: string,
    readonly kind: IndexKind,
    source: Iterable<StoredRow>,
  ) {
    this.placed = this.keyed(source).map((entry) => entry.row)
  }

  /** The rows, ascending by (value, `$sequence`). Read-only for callers. */
  get rows(): readonly StoredRow[] {
    return this.placed
  }

  /** The value this index sorts `row` by. */
  valueOf(row: StoredRow): unknown {
    return rowValue(row, this.attribute, this.kind)
  }

  add(row: StoredRow): void {
    this.placed.splice(positionIn(this.placed, 0, this.valueOf(row), row.$sequence, this), 0, row)
  }

  remove(row: StoredRow): void {
    const rows = this.placed
    let at = positionIn(rows, 0, this.valueOf(row), row.$sequence, this)
    while (at < rows.length && rows[at] !== row) {
      const other = rows[at]!
      if (other.$sequence !== row.$sequence) break
      at++
    }
    // Two rows never share a `$sequence` in one table; should one slip in, still drop the right one.
    if (rows[at] !== row) at = rows.indexOf(row)
    if (at >= 0) rows.splice(at, 1)
  }

  /** The first position whose value is not below `value`. */
  lowerBound(value: unknown): number {
    return this.#bound(value, false)
  }

  /** The first position whose value is above `value`. */
  upperBound(value: unknown): number {
    return this.#bound(value, true)
  }

  /** `rows` with their values, sorted: each value computed once (a datetime is parsed), not once per comparison. */
  protected keyed(rows: Iterable<StoredRow>): Array<{ row: StoredRow; value: unknown }> {
    const keyed: Array<{ row: StoredRow; value: unknown }> = []
    for (const row of rows) keyed.push({ row, value: this.valueOf(row) })
    return keyed.sort(
      (a, b) => compareForOrder(a.value, b.value, this.kind) || a.row.$sequence - b.row.$sequence,
    )
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

/**
 * The first position at or after `low` in `rows` whose row sorts at or after (`value`,
 * `sequence`) in `index`'s order. @internal
 */
export function positionIn(
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
