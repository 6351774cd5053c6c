import { breakerGate } from './circuitBreaker'
import type { CircuitBreaker } from './circuitBreaker'
import { RetryPolicy, executeWithGate, executeWithSource } from './retryPolicy'
import type {
  AbortSource,
  AttemptGate,
  ExecuteOptions,
  ExecutionPolicy,
  Operation,
} from './retryPolicy'

/** A retry policy and a circuit breaker run as one; see {@link wrap}. */
export interface ResiliencePolicy extends ExecutionPolicy {
  /** The retry policy (outside): subscribe to its `onRetry` / `onGiveUp` / `onSuccess` here. */
  readonly retry: RetryPolicy
  /** The circuit breaker (inside): subscribe to its `onBreak` / `onStateChange` here. */
  readonly breaker: CircuitBreaker
}

/**
 * Composes a retry policy (outside) with a circuit breaker (inside), so the breaker sees every
 * attempt, not just the final outcome: five failed attempts of one call count as five failures.
 * Once the circuit opens, the next attempt fails fast with a {@link CircuitOpenError}, which the
 * retry policy never retries: the call rejects at once instead of waiting for the half-open
 * probe (only one call may probe, so waiters would mostly fail anyway), and `nextProbeAt` on
 * the error tells the caller or the reconciler when to come back.
 *
 * Runs in a single async frame per call (no nested policy promises), which is what keeps its
 * overhead low.
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
  const gate = breakerGate(breaker)
  const policy: ResiliencePolicy = {
    retry,
    breaker,
    execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
      return executeWithGate(retry, fn, options?.signal, gate)
    },
  }
  composed.set(policy, { retry, gate })
  return policy
}

// The parts of every policy `wrap` built, so `executeUnder` can run them without their `execute`.
const composed = new WeakMap<ExecutionPolicy, { retry: RetryPolicy; gate: AttemptGate }>()

/**
 * Runs `fn` under `policy`, cancelled by `source`. For the library's own policies (a retry
 * policy, or one `wrap` built) the source's `AbortSignal` is built only if an attempt reads
 * `attempt.signal` or a back-off sleep needs it; any other policy gets `source.signal`.
 *
 * @internal
 */
export function executeUnder<T>(
  policy: ExecutionPolicy,
  fn: Operation<T>,
  source: AbortSource,
): Promise<T> {
  if (policy instanceof RetryPolicy) return executeWithSource(policy, fn, source, undefined)
  const parts = composed.get(policy)
  if (parts !== undefined) return executeWithSource(parts.retry, fn, source, parts.gate)
  return policy.execute(fn, { signal: source.signal })
}
