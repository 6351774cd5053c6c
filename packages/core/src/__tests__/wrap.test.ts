import { describe, expect, it, vi } from 'vitest'
import type { GiveUpEvent } from '../resilience/index'
import { CircuitOpenError, createCircuitBreaker, createRetryPolicy } from '../index'
import { wrap } from '../resilience/index'
import { executeUnder } from '../resilience/wrap'
import { networkError, notFound, useFakeTime } from './resilienceFixtures'

describe('wrap', () => {
  useFakeTime(0)

  it('should expose the retry policy and the breaker it composes', () => {
    const retry = createRetryPolicy()
    const breaker = createCircuitBreaker()
    const policy = wrap(retry, breaker)
    expect(policy.retry).toBe(retry)
    expect(policy.breaker).toBe(breaker)
  })

  it('should let the breaker see every attempt, not only the final outcome', async () => {
    const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 3 } })
    const policy = wrap(createRetryPolicy({ maxAttempts: 3 }), breaker)
    const settled = policy
      .execute(() => Promise.reject(networkError()))
      .catch((error: unknown) => error)
    await vi.runAllTimersAsync()
    expect(await settled).toBeInstanceOf(TypeError)
    expect(breaker.state).toBe('open')
  })

  it('should stop retrying once the circuit opens and reject with the CircuitOpenError', async () => {
    const retry = createRetryPolicy({ maxAttempts: 10 })
    const giveUps: GiveUpEvent[] = []
    retry.onGiveUp((event) => giveUps.push(event))
    const policy = wrap(
      retry,
      createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } }),
    )
    const fn = vi.fn(() => Promise.reject(networkError()))
    const settled = policy.execute(fn).catch((error: unknown) => error)
    await vi.runAllTimersAsync()
    const error = await settled
    expect(fn).toHaveBeenCalledTimes(2)
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect((error as CircuitOpenError).cause).toBeInstanceOf(TypeError)
    expect(giveUps).toEqual([{ attempts: 3, error, reason: 'notRetryable' }])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('should fail fast without calling fn while the circuit is open', async () => {
    const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
    const policy = wrap(createRetryPolicy({ maxAttempts: 1 }), breaker)
    await policy.execute(() => Promise.reject(networkError())).catch(() => undefined)
    const fn = vi.fn(async () => 'never')
    await expect(policy.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError)
    expect(fn).not.toHaveBeenCalled()
  })

  it('should return the value and reset the failure count on success', async () => {
    const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } })
    const policy = wrap(createRetryPolicy({ maxAttempts: 2 }), breaker)
    let calls = 0
    const run = policy.execute(async ({ attempt }) => {
      calls++
      if (attempt === 1) throw networkError()
      return `attempt ${attempt}`
    })
    await vi.runAllTimersAsync()
    await expect(run).resolves.toBe('attempt 2')
    expect(calls).toBe(2)
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failures: 0 })
  })

  it('should neither retry nor count a 404', async () => {
    const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
    const policy = wrap(createRetryPolicy(), breaker)
    const fn = vi.fn(() => Promise.reject(notFound()))
    await expect(policy.execute(fn)).rejects.toMatchObject({ code: 404 })
    expect(fn).toHaveBeenCalledTimes(1)
    expect(breaker.state).toBe('closed')
  })

  it('should probe through the retry policy once halfOpenAfter has passed', async () => {
    const breaker = createCircuitBreaker({
      breaker: { kind: 'consecutive', threshold: 1 },
      halfOpenAfter: 5_000,
    })
    const policy = wrap(createRetryPolicy({ maxAttempts: 1 }), breaker)
    await policy.execute(() => Promise.reject(networkError())).catch(() => undefined)
    await vi.advanceTimersByTimeAsync(5_000)
    await expect(policy.execute(async () => 'back')).resolves.toBe('back')
    expect(breaker.state).toBe('closed')
  })

  it('should cancel a pending delay on abort without counting it against the breaker', async () => {
    const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } })
    const policy = wrap(createRetryPolicy(), breaker)
    const controller = new AbortController()
    const settled = policy
      .execute(() => Promise.reject(networkError()), { signal: controller.signal })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    controller.abort('cancelled')
    expect(await settled).toBe('cancelled')
    expect(vi.getTimerCount()).toBe(0)
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failures: 1 })
  })
  it("should run every attempt through the breaker's own execute, handing it the attempt", async () => {
    const breaker = createCircuitBreaker()
    const execute = vi.spyOn(breaker, 'execute')
    const policy = wrap(createRetryPolicy({ maxAttempts: 3 }), breaker)
    const controller = new AbortController()
    const seen: Array<{ signal: AbortSignal; attempt: number }> = []
    const run = policy.execute(
      (attempt) => {
        seen.push(attempt)
        if (attempt.attempt < 3) throw networkError()
        return 'third time'
      },
      { signal: controller.signal },
    )
    await vi.runAllTimersAsync()
    await expect(run).resolves.toBe('third time')
    expect(execute).toHaveBeenCalledTimes(3)
    expect(execute.mock.calls.map(([, options]) => options)).toEqual(seen)
    expect(seen.map(({ signal, attempt }) => [signal, attempt])).toEqual([
      [controller.signal, 1],
      [controller.signal, 2],
      [controller.signal, 3],
    ])
  })

  it('should not build the signal of a lazy abort source unless an attempt reads it', async () => {
    let built = 0
    const source = {
      aborted: false,
      reason: undefined,
      get signal() {
        built++
        return new AbortController().signal
      },
    }
    const policy = wrap(createRetryPolicy(), createCircuitBreaker())
    await expect(executeUnder(policy, ({ attempt }) => attempt, source)).resolves.toBe(1)
    expect(built).toBe(0)
    await executeUnder(policy, ({ signal }) => signal, source)
    expect(built).toBe(1)
  })
})
