import type { CircuitBreaker } from './circuitBreaker'
import type { ExecuteOptions, ExecutionPolicy, Operation } from './policy'
import type { RetryPolicy } from './retryPolicy'

export { executeUnder } from './policy'

/** A retry policy and a circuit breaker run as one; see {@link wrap}. */
export interface ResiliencePolicy extends ExecutionPolicy {
  /** The retry policy (outside): subscribe to its `onRetry` / `onGiveUp` / `onSuccess` here. */
  readonly retry: RetryPolicy
  /** The circuit breaker (inside): subscribe to its `onBreak` / `onStateChange` here. */
  readonly breaker: CircuitBreaker
}

/**
 * Composes a retry policy (outside) with a circuit breaker (inside), as cockatiel's `wrap` does:
 * the retry's `execute` runs every attempt through the breaker's `execute`, so the breaker sees
 * every attempt, not just the final outcome (five failed attempts of one call count as five
 * failures), and each attempt still gets the retry's `{ signal, attempt }`. Once the circuit
 * opens, the next attempt fails fast with a {@link CircuitOpenError}, which the retry policy never
 * retries: the call rejects at once instead of waiting for the half-open probe (only one call may
 * probe, so waiters would mostly fail anyway), and `nextProbeAt` on the error tells the caller or
 * the reconciler when to come back.
 *
 * @example
 * ```ts
 * const appwrite = wrap(createRetryPolicy(), createCircuitBreaker())
 * appwrite.breaker.onBreak(({ nextProbeAt }) => console.warn('Appwrite keeps failing; next probe at', nextProbeAt))
 * const row = await appwrite.execute(({ signal }) =>
 *   tablesDB.createRow({ databaseId: 'main', tableId: 'bookings', rowId, data }),
 * )
 * ```
 */
export function wrap(retry: RetryPolicy, breaker: CircuitBreaker): ResiliencePolicy {
  return {
    retry,
    breaker,
    execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
      // The attempt's context is the breaker's options, and the breaker hands it to `fn` as it is:
      // it carries the caller's signal (or the pipeline's abort source, whose signal is then never
      // built unless something reads it) and the retry's attempt number.
      return retry.execute((attempt) => breaker.execute(fn, attempt), options)
    },
  }
}
