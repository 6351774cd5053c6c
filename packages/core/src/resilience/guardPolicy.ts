import type { Clock } from '../clock'
import type { Metrics } from '../monitor/metrics'
import { CircuitBreaker, createCircuitBreaker } from './circuitBreaker'
import type { CircuitBreakerOptions } from './circuitBreaker'
import { RetryPolicy, createRetryPolicy } from './retryPolicy'
import type { ExecutionPolicy, RetryPolicyOptions } from './retryPolicy'
import { wrap } from './wrap'

/** The options a guard's policy is made from (`createBookingGuard`'s and `createBookingClient`'s). */
export interface GuardPolicyOptions {
  retry?: RetryPolicy | RetryPolicyOptions | undefined
  breaker?: CircuitBreaker | CircuitBreakerOptions | false | undefined
  metrics?: Metrics | undefined
}

/** @internal */
export interface GuardPolicy {
  /** The retry policy alone (cleanup runs under it, never the breaker). */
  readonly retry: RetryPolicy
  /** The retry policy around the breaker, or the retry policy when `breaker: false`. */
  readonly policy: ExecutionPolicy
  /** Removes the metrics listeners added to the retry policy and the breaker. */
  dispose(): void
}

/**
 * The retry policy and breaker every Appwrite call of a guard goes through, from the guard's
 * options (a policy object, its options, or the defaults), with retries and breaker openings
 * counted in `metrics`.
 *
 * @internal
 */
export function createGuardPolicy(options: GuardPolicyOptions, clock: Clock): GuardPolicy {
  const { retry, breaker } = policyParts(options, clock)
  const unsubscribe: Array<() => void> = []
  const metrics = options.metrics
  if (metrics !== undefined) {
    unsubscribe.push(retry.onRetry(() => metrics.recordRetry()))
    if (breaker !== undefined) unsubscribe.push(breaker.onBreak(() => metrics.recordBreakerOpen()))
  }
  return {
    retry,
    policy: breaker === undefined ? retry : wrap(retry, breaker),
    dispose: () => {
      for (const off of unsubscribe.splice(0)) off()
    },
  }
}

/**
 * The retry policy and breaker `options` name: a given policy or breaker as it is, options made
 * into a new one on `clock` (over `breakerDefaults`), `undefined` for `breaker: false`.
 *
 * @internal
 */
export function policyParts(
  options: Pick<GuardPolicyOptions, 'retry' | 'breaker'>,
  clock: Clock,
  breakerDefaults: CircuitBreakerOptions = {},
): { retry: RetryPolicy; breaker: CircuitBreaker | undefined } {
  const retry =
    options.retry instanceof RetryPolicy
      ? options.retry
      : createRetryPolicy({ clock, ...options.retry })
  const breaker =
    options.breaker === false
      ? undefined
      : options.breaker instanceof CircuitBreaker
        ? options.breaker
        : createCircuitBreaker({ clock, ...breakerDefaults, ...options.breaker })
  return { retry, breaker }
}
