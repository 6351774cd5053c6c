/**
 * A source of uniformly distributed numbers in `[0, 1)`, like `Math.random`. Inject a seeded one
 * ({@link createSeededRandom}) to make jittered delays reproducible in tests.
 */
export type RandomSource = () => number

/**
 * A small, fast, seeded pseudo-random source (mulberry32): the same seed gives the same
 * sequence on every platform. Not for cryptography.
 *
 * @param seed - Any number; its lower 32 bits are used.
 *
 * @example
 * ```ts
 * const policy = createRetryPolicy({ random: createSeededRandom(42) })
 * ```
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
