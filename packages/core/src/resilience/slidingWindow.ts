/** Saved sampling buckets inside a `CircuitBreakerState`: `[slot, successes, failures]` per bucket; treat as opaque. */
export type SlidingWindowState = ReadonlyArray<readonly [slot: number, ok: number, failed: number]>

/**
 * Counts of successes and failures over the last `duration` milliseconds, in `bucketCount`
 * time-aligned buckets (a bucket is reused once its time slot has left the window), so memory
 * is fixed however many events arrive. Reads put their result in `ok` / `failed` to avoid
 * allocating.
 *
 * @internal
 */
export class SlidingWindow {
  /** Successes in the window after the last {@link SlidingWindow.sum}. */
  ok = 0
  /** Failures in the window after the last {@link SlidingWindow.sum}. */
  failed = 0
  readonly duration: number
  readonly #bucketSize: number
  readonly #slots: Float64Array
  readonly #oks: Float64Array
  readonly #fails: Float64Array

  constructor(duration: number, bucketCount: number) {
    this.#bucketSize = Math.max(1, duration / bucketCount)
    this.duration = this.#bucketSize * bucketCount
    this.#slots = new Float64Array(bucketCount).fill(-Infinity)
    this.#oks = new Float64Array(bucketCount)
    this.#fails = new Float64Array(bucketCount)
  }

  /** Adds one success (`ok`) or failure at time `now` (epoch ms). */
  record(now: number, ok: boolean): void {
    const slot = Math.floor(now / this.#bucketSize)
    const index = slot % this.#slots.length
    if (this.#slots[index] !== slot) {
      this.#slots[index] = slot
      this.#oks[index] = 0
      this.#fails[index] = 0
    }
    if (ok) this.#oks[index]! += 1
    else this.#fails[index]! += 1
  }

  /** Totals the buckets still inside the window at `now` into `ok` and `failed`. */
  sum(now: number): void {
    const slot = Math.floor(now / this.#bucketSize)
    const oldest = slot - this.#slots.length
    let ok = 0
    let failed = 0
    for (let i = 0; i < this.#slots.length; i++) {
      const s = this.#slots[i]!
      if (s > oldest && s <= slot) {
        ok += this.#oks[i]!
        failed += this.#fails[i]!
      }
    }
    this.ok = ok
    this.failed = failed
  }

  /** Forgets every event. */
  reset(): void {
    this.#slots.fill(-Infinity)
    this.#oks.fill(0)
    this.#fails.fill(0)
    this.ok = 0
    this.failed = 0
  }

  /** The non-empty buckets, for persistence. */
  toJSON(): SlidingWindowState {
    const out: Array<readonly [number, number, number]> = []
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!
      if (slot !== -Infinity) out.push([slot, this.#oks[i]!, this.#fails[i]!])
    }
    return out
  }

  /** Restores buckets saved by {@link SlidingWindow.toJSON} (same duration and bucket count). */
  restore(state: SlidingWindowState): void {
    this.reset()
    for (const [slot, ok, failed] of state) {
      const index = slot % this.#slots.length
      this.#slots[index] = slot
      this.#oks[index] = ok
      this.#fails[index] = failed
    }
  }
}
