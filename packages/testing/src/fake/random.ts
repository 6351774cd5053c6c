/*
 * The fake's seeded random source: core's generator (`createSeededRandom` in
 * `packages/core/src/resilience/random.ts`, a leaf module built into this package's bundle), so
 * a seed means the same sequence in the fake as in core's retry jitter.
 */
import { createSeededRandom } from '../../../core/src/resilience/random'

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
  return createSeededRandom(seed)
}
