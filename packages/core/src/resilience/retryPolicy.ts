import { sleep, systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError, isCircuitOpenError } from '../errors'
import { errorFacts, retryAfterHint } from './classifyError'
import { Emitter } from './emitter'
import { attemptContext, sourceOf } from './policy'
import type { AbortSource, ExecuteOptions, ExecutionPolicy, Operation } from './policy'
import type { RandomSource } from './random'

export type { AttemptContext, ExecuteOptions, ExecutionPolicy, Operation } from './policy'
export type { AbortSource } from './policy'

/**
 * How delays are randomized, so clients that failed together do not retry together.
 *
 * - `'none'`: exactly `initialDelay × factor^(n−1)`, capped at `maxDelay`.
 * - `'proportional'`: that delay ± `jitterRatio` (±15% by default), capped at `maxDelay`.
 * - `'full'`: uniform between 0 and that delay (AWS "full jitter").
 * - `'decorrelated'`: uniform between `initialDelay` and 3 × the previous delay, capped at
 *   `maxDelay` (AWS "decorrelated jitter"); ignores `factor`.
 */
export type JitterKind = 'none' | 'proportional' | 'full' | 'decorrelated'

/** Why a policy stopped retrying. */
export type GiveUpReason = 'notRetryable' | 'maxAttempts' | 'budget' | 'aborted'

/** Emitted when an attempt failed and another one is scheduled. */
export interface RetryEvent {
  /** 1-based number of the attempt that failed; the next attempt is `attempt + 1`. */
  readonly attempt: number
  /** Milliseconds until the next attempt (the timer is already running when this is emitted). */
  readonly delay: number
  /** What the failed attempt threw. */
  readonly error: unknown
}

/** Emitted when a call fails for good; the call then rejects with `error` (or the abort reason). */
export interface GiveUpEvent {
  /** How many attempts were made. */
  readonly attempts: number
  /** What the last attempt threw. */
  readonly error: unknown
  /** Why no further attempt is made. */
  readonly reason: GiveUpReason
}

/** Emitted when a call succeeds. */
export interface SuccessEvent {
  /** How many attempts it took (1 when the first call succeeded). */
  readonly attempts: number
  /** Milliseconds from `execute` to success, by the policy's clock, back-off delays included. */
  readonly durationMs: number
}

/** Options for {@link createRetryPolicy}. Defaults are the incident write-up's: 3 attempts, 300 ms → 600 ms (cap 3 s), ±15%. */
export interface RetryPolicyOptions {
  /**
   * Maximum number of calls, the first one included (unlike cockatiel, where it counts retries).
   * An integer ≥ 1, or `Infinity` together with a `budget`. Defaults to `3`.
   */
  maxAttempts?: number
  /** Delay before the first retry, in milliseconds, before jitter. Defaults to `300`. */
  initialDelay?: number
  /** Multiplier applied to the delay for each further retry (≥ 1). Defaults to `2`. */
  factor?: number
  /**
   * Upper bound of every computed delay, in milliseconds, jitter included. A server's
   * `Retry-After` hint may exceed it (the budget still applies). Defaults to `3_000`.
   */
  maxDelay?: number
  /** How delays are randomized; see {@link JitterKind}. Defaults to `'proportional'`. */
  jitter?: JitterKind
  /** Spread of `'proportional'` jitter as a fraction of the delay, in `[0, 1]`. Defaults to `0.15` (±15%). */
  jitterRatio?: number
  /**
   * Total time budget of one `execute` call, in milliseconds: a retry whose delay would end
   * after `budget` ms since the call started is not made, and the call rejects with the last
   * error (`onGiveUp` reason `'budget'`). It does not interrupt an attempt in flight: pass
   * `signal: AbortSignal.timeout(ms)` for a hard deadline. Defaults to `Infinity`.
   */
  budget?: number
  /**
   * Decides whether a failed attempt is retried; `attempt` is the 1-based number of the attempt
   * that failed. A {@link CircuitOpenError} is never retried, whatever this returns. Defaults to
   * `classifyAppwriteError(error).retryable` (network, 5xx, 429).
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean
  /**
   * Reads a server hint for how long to wait, in milliseconds; the next delay is then at least
   * that long. Defaults to {@link retryAfterHint} (`retryAfterMs`, `retryAfter`, a `Retry-After`
   * header or body field on the error; the Appwrite SDKs expose none of these by themselves).
   */
  retryAfter?: (error: unknown) => number | undefined
  /** Source of time for delays and durations. Defaults to {@link systemClock}. */
  clock?: Clock
  /** Source of randomness for jitter, `[0, 1)`. Defaults to `Math.random`; see `createSeededRandom`. */
  random?: RandomSource
}

const MAX_TIMER_DELAY = 2_147_483_647

/**
 * Retries an operation with exponential back-off and jitter, retrying only what can succeed on
 * retry. Build one with {@link createRetryPolicy} and share it; it holds no per-call state.
 *
 * Listeners are added with `onRetry` / `onGiveUp` / `onSuccess`, each returning a function
 * that removes the listener (cockatiel style). A listener that throws is reported on
 * `console.error` and never fails the call.
 */
export class RetryPolicy implements ExecutionPolicy {
  readonly #maxAttempts: number
  readonly #initialDelay: number
  readonly #factor: number
  readonly #maxDelay: number
  readonly #jitter: JitterKind
  readonly #jitterRatio: number
  readonly #budget: number
  readonly #shouldRetry: (error: unknown, attempt: number) => boolean
  readonly #retryAfter: ((error: unknown) => number | undefined) | undefined
  readonly #clock: Clock
  readonly #random: RandomSource
  readonly #retryEmitter = new Emitter<RetryEvent>()
  readonly #giveUpEmitter = new Emitter<GiveUpEvent>()
  readonly #successEmitter = new Emitter<SuccessEvent>()

  /** @internal Use {@link createRetryPolicy}. */
  constructor(options: RetryPolicyOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 3
    this.#initialDelay = options.initialDelay ?? 300
    this.#factor = options.factor ?? 2
    this.#maxDelay = options.maxDelay ?? 3_000
    this.#jitter = options.jitter ?? 'proportional'
    this.#jitterRatio = options.jitterRatio ?? 0.15
    this.#budget = options.budget ?? Infinity
    this.#shouldRetry = options.shouldRetry ?? defaultShouldRetry
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#retryAfter = options.retryAfter
    validate(
      this.#maxAttempts,
      this.#initialDelay,
      this.#factor,
      this.#maxDelay,
      this.#jitter,
      this.#jitterRatio,
      this.#budget,
    )
  }

  /**
   * Listens for retries. The back-off timer is already scheduled when the listener runs, so a
   * test can advance fake timers from inside it.
   */
  onRetry(listener: (event: RetryEvent) => void): () => void {
    return this.#retryEmitter.add(listener)
  }

  /** Listens for calls that fail for good. */
  onGiveUp(listener: (event: GiveUpEvent) => void): () => void {
    return this.#giveUpEmitter.add(listener)
  }

  /** Listens for calls that succeed. */
  onSuccess(listener: (event: SuccessEvent) => void): () => void {
    return this.#successEmitter.add(listener)
  }

  /**
   * Runs `fn`, retrying failures that `shouldRetry` accepts, until it succeeds, `maxAttempts`
   * is reached, the `budget` would be exceeded or `signal` aborts. Resolves with `fn`'s value;
   * rejects with the last error, or with `signal.reason` when aborted.
   *
   * To run each attempt under another policy (a circuit breaker), pass the attempt's context on
   * as that policy's options: `retry.execute((attempt) => breaker.execute(call, attempt))`, which
   * is what `wrap` does.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const source = sourceOf(options)
    return this.#run(fn, source === undefined ? options?.signal : undefined, source)
  }

  /** `source`, when given, stands in for `signal` (which is then `undefined`). */
  async #run<T>(
    fn: Operation<T>,
    signal: AbortSignal | undefined,
    source: AbortSource | undefined,
  ): Promise<T> {
    const abort: { readonly aborted: boolean; readonly reason: unknown } | undefined =
      source ?? signal
    if (abort?.aborted) throw abort.reason
    // Read the clock only when a budget or an onSuccess listener needs it: no clock calls otherwise.
    const timed = this.#budget !== Infinity || this.#successEmitter.size > 0
    const startedAt = timed ? this.#clock.now() : 0
    let previousDelay = this.#initialDelay
    for (let attempt = 1; ; attempt++) {
      let error: unknown
      try {
        const value = await fn(attemptContext(source, signal, attempt))
        if (timed && this.#successEmitter.size > 0) {
          this.#successEmitter.emit({
            attempts: attempt,
            durationMs: this.#clock.now() - startedAt,
          })
        }
        return value
      } catch (caught) {
        error = caught
      }

      if (abort?.aborted) {
        this.#giveUp(attempt, error, 'aborted')
        throw abort.reason
      }
      if (isCircuitOpenError(error) || !this.#shouldRetry(error, attempt)) {
        this.#giveUp(attempt, error, 'notRetryable')
        throw error
      }
      if (attempt >= this.#maxAttempts) {
        this.#giveUp(attempt, error, 'maxAttempts')
        throw error
      }
      let delay = this.#nextDelay(attempt, previousDelay)
      previousDelay = delay
      const hint = this.#retryAfter
        ? this.#retryAfter(error)
        : retryAfterHint(error, this.#clock.now())
      if (hint !== undefined && hint > delay) delay = Math.min(MAX_TIMER_DELAY, Math.ceil(hint))
      if (timed && this.#clock.now() - startedAt + delay > this.#budget) {
        this.#giveUp(attempt, error, 'budget')
        throw error
      }
      const sleeping = sleep(this.#clock, delay, source?.signal ?? signal)
      if (this.#retryEmitter.size > 0) this.#retryEmitter.emit({ attempt, delay, error })
      try {
        await sleeping
      } catch (reason) {
        this.#giveUp(attempt, error, 'aborted')
        throw reason
      }
    }
  }

  #giveUp(attempts: number, error: unknown, reason: GiveUpReason): void {
    if (this.#giveUpEmitter.size > 0) this.#giveUpEmitter.emit({ attempts, error, reason })
  }

  /** Delay before retry number `retry` (1-based), jitter applied, in whole milliseconds. */
  #nextDelay(retry: number, previous: number): number {
    const base = Math.min(this.#maxDelay, this.#initialDelay * this.#factor ** (retry - 1))
    let delay: number
    switch (this.#jitter) {
      case 'none':
        delay = base
        break
      case 'proportional':
        delay = base * (1 + this.#jitterRatio * (2 * this.#random() - 1))
        break
      case 'full':
        delay = base * this.#random()
        break
      case 'decorrelated': {
        const low = Math.min(this.#initialDelay, this.#maxDelay)
        delay = low + this.#random() * Math.max(0, previous * 3 - low)
        break
      }
    }
    return Math.min(this.#maxDelay, MAX_TIMER_DELAY, Math.max(0, Math.round(delay)))
  }
}

/**
 * Creates a {@link RetryPolicy}: exponential back-off with jitter, retrying only failures that
 * can succeed on retry (network, 5xx, 429 by default), honouring `Retry-After` hints, bounded by
 * attempts, a time budget and an `AbortSignal`.
 *
 * @example
 * ```ts
 * const policy = createRetryPolicy({ maxAttempts: 4, budget: 10_000 })
 * const stop = policy.onRetry(({ attempt, delay, error }) => console.warn(`retry ${attempt} in ${delay} ms`, error))
 * const row = await policy.execute(
 *   ({ signal }) => tablesDB.getRow({ databaseId: 'main', tableId: 'bookings', rowId }),
 *   { signal: AbortSignal.timeout(15_000) },
 * )
 * stop()
 * ```
 */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  return new RetryPolicy(options)
}

function defaultShouldRetry(error: unknown): boolean {
  return errorFacts(error).retryable
}

function validate(
  maxAttempts: number,
  initialDelay: number,
  factor: number,
  maxDelay: number,
  jitter: JitterKind,
  jitterRatio: number,
  budget: number,
): void {
  const problems: string[] = []
  if (!(maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts >= 1))) {
    problems.push(`maxAttempts must be an integer ≥ 1 or Infinity (got ${maxAttempts})`)
  }
  if (!(initialDelay >= 0)) problems.push(`initialDelay must be ≥ 0 ms (got ${initialDelay})`)
  if (!(factor >= 1)) problems.push(`factor must be ≥ 1 (got ${factor})`)
  if (!(maxDelay >= 0)) problems.push(`maxDelay must be ≥ 0 ms (got ${maxDelay})`)
  if (!['none', 'proportional', 'full', 'decorrelated'].includes(jitter)) {
    problems.push(
      `jitter must be 'none', 'proportional', 'full' or 'decorrelated' (got ${String(jitter)})`,
    )
  }
  if (!(jitterRatio >= 0 && jitterRatio <= 1))
    problems.push(`jitterRatio must be in [0, 1] (got ${jitterRatio})`)
  if (!(budget >= 0)) problems.push(`budget must be ≥ 0 ms (got ${budget})`)
  if (maxAttempts === Infinity && budget === Infinity) {
    problems.push('maxAttempts: Infinity needs a finite budget, or a call could retry forever')
  }
  if (problems.length > 0) {
    throw new BookingGuardError('CONFIGURATION', `createRetryPolicy: ${problems.join('; ')}`)
  }
}
