/**
 * `@booking-guard/core/resilience`: the retry policy, the circuit breaker and the error classifier
 * the guard runs every Appwrite call through, usable on their own for any call of an app.
 *
 * @packageDocumentation
 */
export { CircuitOpenError, isCircuitOpenError } from '../errors'
export type { CircuitOpenErrorOptions, CircuitOpenState } from '../errors'
export { createRetryPolicy } from './retryPolicy'
export type {
  AttemptContext,
  ExecuteOptions,
  ExecutionPolicy,
  GiveUpEvent,
  GiveUpReason,
  JitterKind,
  Operation,
  RetryEvent,
  RetryPolicy,
  RetryPolicyOptions,
  SuccessEvent,
} from './retryPolicy'
export { createCircuitBreaker } from './circuitBreaker'
export type {
  BreakEvent,
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitBreakerState,
  CircuitState,
  ConsecutiveBreakerOptions,
  SamplingBreakerOptions,
  StateChangeEvent,
} from './circuitBreaker'
export { wrap } from './wrap'
export type { ResiliencePolicy } from './wrap'
export { classifyAppwriteError, retryAfterHint } from './classifyError'
export type { AppwriteErrorCategory, ClassifyOptions, ErrorClassification } from './classifyError'
export { createSeededRandom } from './random'
export type { RandomSource } from './random'
export type { SlidingWindowState } from './slidingWindow'
