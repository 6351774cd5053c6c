import { describe, expectTypeOf, it } from 'vitest'
import type { ExecutionPolicy, RetryPolicyOptions } from '../index'
import type {
  AttemptContext,
  GiveUpReason,
  JitterKind,
  ResiliencePolicy,
  RetryEvent,
} from '../resilience/index'
import { createCircuitBreaker, createRetryPolicy } from '../index'
import { wrap } from '../resilience/index'

describe('retryPolicy', () => {
  it('should infer the result type from sync and async operations', () => {
    const policy = createRetryPolicy()
    expectTypeOf(policy.execute(async () => 1)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(policy.execute(() => 'sync')).toEqualTypeOf<Promise<string>>()
    expectTypeOf(policy.execute(async () => ({ id: 'b1' as const }))).toEqualTypeOf<
      Promise<{ id: 'b1' }>
    >()
  })

  it('should hand each attempt a readonly signal and attempt number', () => {
    createRetryPolicy().execute((context) => {
      expectTypeOf(context).toEqualTypeOf<AttemptContext>()
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>()
      expectTypeOf(context.attempt).toEqualTypeOf<number>()
      // @ts-expect-error the context is readonly
      context.attempt = 2
    })
  })

  it('should return unsubscribe functions from listeners', () => {
    const policy = createRetryPolicy()
    expectTypeOf(
      policy.onRetry((event) => expectTypeOf(event).toEqualTypeOf<RetryEvent>()),
    ).toEqualTypeOf<() => void>()
    policy.onGiveUp((event) => expectTypeOf(event.reason).toEqualTypeOf<GiveUpReason>())
    policy.onSuccess((event) => expectTypeOf(event.durationMs).toEqualTypeOf<number>())
  })

  it('should reject unknown jitter kinds and options', () => {
    expectTypeOf<RetryPolicyOptions['jitter']>().toEqualTypeOf<JitterKind | undefined>()
    // @ts-expect-error not a jitter kind
    createRetryPolicy({ jitter: 'random' })
    // @ts-expect-error cockatiel's name for it is not an option here
    createRetryPolicy({ backoff: 1 })
  })

  it('should make policies, breakers and their composition interchangeable', () => {
    const composed = wrap(createRetryPolicy(), createCircuitBreaker())
    expectTypeOf(composed).toEqualTypeOf<ResiliencePolicy>()
    expectTypeOf(composed).toMatchTypeOf<ExecutionPolicy>()
    expectTypeOf(createRetryPolicy()).toMatchTypeOf<ExecutionPolicy>()
    expectTypeOf(createCircuitBreaker()).toMatchTypeOf<ExecutionPolicy>()
    // @ts-expect-error the breaker goes inside the retry policy, not the other way round
    wrap(createCircuitBreaker(), createRetryPolicy())
  })
})
