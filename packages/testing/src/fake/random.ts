/*
 * The fake's seeded random source. Core has the same generator (`createSeededRandom` in
 * `packages/core/src/resilience/random.ts`) for retry jitter. @booking-guard/testing does not
 * depend on @booking-guard/core (core's own tests use the fake, so a dependency back would make
 * the two packages a cycle), and sharing one copy would mean a public core entry
 * (`@booking-guard/core/internal`) for internals. So the copy stays, deliberately, and is checked
 * by this package's own tests.
 */

/** A source of uniformly distributed numbers in `[0, 1)`, like `Math.random`. */
export type FakeRandomSource = () => number

/**
 * A small, fast, seeded pseudo-random source (mulberry32): the same seed gives the same sequence
 * on every platform and every run, so a rate-based fault (`rate: 0.3, seed: 1`) hits the same
 * calls each time the test runs. Not for cryptography.
 *
 * @param seed - Any number; its lower 32 bits are used.
 *
 * @example
 * ```ts
 * const random = createFakeRandom(1)
 * random() // always the same first value for seed 1
 * ```
 */
export function createFakeRandom(seed: number): FakeRandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
