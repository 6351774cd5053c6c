import * as fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import type { Clock, RetryPolicyOptions } from '../index'
import type { GiveUpEvent, JitterKind, RetryEvent } from '../resilience/index'
import { CircuitOpenError, createRetryPolicy } from '../index'
import { createSeededRandom } from '../resilience/index'
import { expectConfigurationError, networkError, notFound, useFakeTime } from './resilienceFixtures'

/** Fails `failures` times with `error()`, then resolves `value`. */
function flaky<T>(failures: number, value: T, error: () => unknown = networkError) {
  return vi.fn(async () => {
    if (failures-- > 0) throw error()
    return value
  })
}

/** Collects the delays a policy announces. */
function recordRetries(policy: ReturnType<typeof createRetryPolicy>) {
  const events: RetryEvent[] = []
  policy.onRetry((event) => events.push(event))
  return events
}

describe('retryPolicy', () => {
  useFakeTime()

  describe('delays', () => {
    it('should follow the default schedule 300 ms → 600 ms → … capped at 3 s without jitter', async () => {
      const policy = createRetryPolicy({ maxAttempts: 6, jitter: 'none' })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(5, 'ok'))
      await vi.runAllTimersAsync()
      await expect(run).resolves.toBe('ok')
      expect(events.map((e) => e.delay)).toEqual([300, 600, 1_200, 2_400, 3_000])
    })

    it('should produce the exact seeded sequence with the default ±15% jitter', async () => {
      const policy = createRetryPolicy({ maxAttempts: 6, random: createSeededRandom(42) })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(5, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events.map((e) => e.delay)).toEqual([309, 591, 1_327, 2_522, 2_707])
    })

    it('should make 3 attempts by default, 300 ms and 600 ms apart (±15%)', async () => {
      const policy = createRetryPolicy({ random: () => 0.5 })
      const fn = flaky(Infinity, 'never')
      const run = policy.execute(fn)
      const settled = run.catch((error: unknown) => error)
      expect(fn).toHaveBeenCalledTimes(1)
      await vi.advanceTimersByTimeAsync(299)
      expect(fn).toHaveBeenCalledTimes(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(fn).toHaveBeenCalledTimes(2)
      await vi.advanceTimersByTimeAsync(599)
      expect(fn).toHaveBeenCalledTimes(2)
      await vi.advanceTimersByTimeAsync(1)
      expect(fn).toHaveBeenCalledTimes(3)
      expect(await settled).toMatchObject({ message: 'fetch failed' })
      await vi.runAllTimersAsync()
      expect(fn).toHaveBeenCalledTimes(3)
    })

    it.each([
      ['proportional', 0, [255, 510]],
      ['proportional', 0.999_999, [345, 690]],
      ['full', 0, [0, 0]],
      ['full', 0.5, [150, 300]],
      ['decorrelated', 0, [300, 300]],
      ['decorrelated', 0.5, [600, 1_050]],
    ] as const)('should apply %s jitter with random() = %d', async (jitter, r, expected) => {
      const policy = createRetryPolicy({ jitter, random: () => r })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(2, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events.map((e) => e.delay)).toEqual(expected)
    })

    it('should never exceed maxDelay, jitter included', async () => {
      const policy = createRetryPolicy({
        maxAttempts: 4,
        initialDelay: 2_000,
        maxDelay: 2_500,
        random: () => 0.99,
      })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(3, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events.map((e) => e.delay)).toEqual([2_294, 2_500, 2_500])
    })
  })

  describe('execute', () => {
    it('should hand each attempt the caller signal and a 1-based attempt number', async () => {
      const controller = new AbortController()
      const seen: Array<{ signal: AbortSignal; attempt: number }> = []
      const policy = createRetryPolicy({ jitter: 'none' })
      const run = policy.execute(
        (context) => {
          seen.push(context)
          if (context.attempt < 3) throw networkError()
          return 'done'
        },
        { signal: controller.signal },
      )
      await vi.runAllTimersAsync()
      await expect(run).resolves.toBe('done')
      expect(seen.map((c) => c.attempt)).toEqual([1, 2, 3])
      expect(seen.every((c) => c.signal === controller.signal)).toBe(true)
    })

    it('should give a never-aborted signal when the caller passes none', async () => {
      const policy = createRetryPolicy()
      const signal = await policy.execute(({ signal }) => signal)
      expect(signal).toBeInstanceOf(AbortSignal)
      expect(signal.aborted).toBe(false)
    })

    it('should accept synchronous values and synchronous throws', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      await expect(policy.execute(() => 7)).resolves.toBe(7)
      let calls = 0
      const run = policy.execute(() => {
        calls++
        if (calls === 1) throw networkError()
        return 'second'
      })
      await vi.runAllTimersAsync()
      await expect(run).resolves.toBe('second')
    })

    it('should reject with the last error after maxAttempts and report it in onGiveUp', async () => {
      const policy = createRetryPolicy({ maxAttempts: 3 })
      const giveUps: GiveUpEvent[] = []
      policy.onGiveUp((event) => giveUps.push(event))
      const errors: unknown[] = []
      const run = policy.execute(() => {
        const error = networkError()
        errors.push(error)
        throw error
      })
      const settled = run.catch((error: unknown) => error)
      await vi.runAllTimersAsync()
      expect(await settled).toBe(errors[2])
      expect(giveUps).toEqual([{ attempts: 3, error: errors[2], reason: 'maxAttempts' }])
    })

    it('should not retry a non-retryable error (404) and reject at once', async () => {
      const policy = createRetryPolicy()
      const giveUps: GiveUpEvent[] = []
      policy.onGiveUp((event) => giveUps.push(event))
      const fn = flaky(Infinity, 'never', notFound)
      await expect(policy.execute(fn)).rejects.toMatchObject({ type: 'row_not_found' })
      expect(fn).toHaveBeenCalledTimes(1)
      expect(giveUps[0]).toMatchObject({ attempts: 1, reason: 'notRetryable' })
      expect(vi.getTimerCount()).toBe(0)
    })

    it('should pass the error and the failed attempt number to a custom shouldRetry', async () => {
      const shouldRetry = vi.fn((_error: unknown, attempt: number) => attempt < 2)
      const policy = createRetryPolicy({ maxAttempts: 5, shouldRetry })
      const fn = flaky(Infinity, 'never', notFound)
      const run = policy.execute(fn).catch((error: unknown) => error)
      await vi.runAllTimersAsync()
      expect(await run).toMatchObject({ type: 'row_not_found' })
      expect(fn).toHaveBeenCalledTimes(2)
      expect(shouldRetry.mock.calls.map((call) => call[1])).toEqual([1, 2])
    })

    it('should never retry a CircuitOpenError, even when shouldRetry says yes', async () => {
      const policy = createRetryPolicy({ shouldRetry: () => true })
      const open = new CircuitOpenError('open', { state: 'open', nextProbeAt: 30_000 })
      const fn = vi.fn(() => Promise.reject(open))
      await expect(policy.execute(fn)).rejects.toBe(open)
      expect(fn).toHaveBeenCalledTimes(1)
    })

    it('should leave no timer behind after a success', async () => {
      const policy = createRetryPolicy()
      await policy.execute(async () => 'ok')
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  describe('abort', () => {
    it('should cancel the pending delay at once, reject with the abort reason and leave no timer', async () => {
      const controller = new AbortController()
      const policy = createRetryPolicy()
      const giveUps: GiveUpEvent[] = []
      policy.onGiveUp((event) => giveUps.push(event))
      const fn = flaky(Infinity, 'never')
      const run = policy.execute(fn, { signal: controller.signal })
      const settled = run.catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(100)
      expect(vi.getTimerCount()).toBe(1)
      const reason = new Error('user left the page')
      controller.abort(reason)
      expect(await settled).toBe(reason)
      expect(vi.getTimerCount()).toBe(0)
      expect(fn).toHaveBeenCalledTimes(1)
      expect(giveUps[0]).toMatchObject({ attempts: 1, reason: 'aborted' })
    })

    it('should reject with the reason without calling fn when the signal is already aborted', async () => {
      const policy = createRetryPolicy()
      const fn = vi.fn(async () => 'never')
      const reason = new Error('already gone')
      await expect(policy.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      expect(fn).not.toHaveBeenCalled()
    })

    it('should not retry when the signal aborted during an attempt', async () => {
      const controller = new AbortController()
      const policy = createRetryPolicy()
      const fn = vi.fn(async () => {
        controller.abort('stop')
        throw networkError()
      })
      await expect(policy.execute(fn, { signal: controller.signal })).rejects.toBe('stop')
      expect(fn).toHaveBeenCalledTimes(1)
      expect(vi.getTimerCount()).toBe(0)
    })

    it('should cancel the delay when an onRetry listener aborts', async () => {
      const controller = new AbortController()
      const policy = createRetryPolicy()
      policy.onRetry(() => controller.abort('from listener'))
      await expect(
        policy.execute(flaky(Infinity, 'x'), { signal: controller.signal }),
      ).rejects.toBe('from listener')
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  describe('budget', () => {
    it('should give up with the last error when the next delay would exceed the budget', async () => {
      const policy = createRetryPolicy({ maxAttempts: 10, jitter: 'none', budget: 1_000 })
      const giveUps: GiveUpEvent[] = []
      policy.onGiveUp((event) => giveUps.push(event))
      const fn = flaky(Infinity, 'never')
      const settled = policy.execute(fn).catch((error: unknown) => error)
      await vi.runAllTimersAsync()
      // t=0 fail, +300 → t=300 fail, +600 → t=900 fail, +1200 would end at 2100 > 1000.
      expect(fn).toHaveBeenCalledTimes(3)
      expect(await settled).toBeInstanceOf(TypeError)
      expect(giveUps[0]).toMatchObject({ attempts: 3, reason: 'budget' })
    })

    it('should count the time attempts take against the budget', async () => {
      const policy = createRetryPolicy({ maxAttempts: 10, jitter: 'none', budget: 1_000 })
      const fn = vi.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 500))
        throw networkError()
      })
      const settled = policy.execute(fn).catch((error: unknown) => error)
      await vi.runAllTimersAsync()
      await settled
      // t=500 fail, 500+300 ≤ 1000 → t=800 start, t=1300 fail, 1300+600 > 1000.
      expect(fn).toHaveBeenCalledTimes(2)
    })

    it('should allow maxAttempts: Infinity with a finite budget', async () => {
      const policy = createRetryPolicy({ maxAttempts: Infinity, budget: 10_000, jitter: 'none' })
      const fn = flaky(Infinity, 'never')
      const settled = policy.execute(fn).catch((error: unknown) => error)
      await vi.runAllTimersAsync()
      await settled
      // 300 + 600 + 1200 + 2400 + 3000 = 7500; one more 3000 would end at 10500.
      expect(fn).toHaveBeenCalledTimes(6)
    })
  })

  describe('Retry-After', () => {
    it('should wait at least a 429 retryAfterMs hint', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      const events = recordRetries(policy)
      const limited = () =>
        Object.assign(new Error('Rate limit exceeded'), {
          name: 'AppwriteException',
          code: 429,
          type: 'general_rate_limit_exceeded',
          response: '',
          retryAfterMs: 5_000,
        })
      const fn = flaky(1, 'ok', limited)
      const run = policy.execute(fn)
      await vi.advanceTimersByTimeAsync(4_999)
      expect(fn).toHaveBeenCalledTimes(1)
      await vi.advanceTimersByTimeAsync(1)
      await expect(run).resolves.toBe('ok')
      expect(events[0]?.delay).toBe(5_000)
    })

    it('should keep the back-off when the hint is shorter', async () => {
      const policy = createRetryPolicy({ jitter: 'none', retryAfter: () => 10 })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(1, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events[0]?.delay).toBe(300)
    })

    it('should use a custom retryAfter hook', async () => {
      const retryAfter = vi.fn(() => 1_234)
      const policy = createRetryPolicy({ retryAfter })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(1, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events[0]?.delay).toBe(1_234)
      expect(retryAfter).toHaveBeenCalledWith(expect.any(TypeError))
    })

    it('should give up rather than wait for a hint beyond the budget', async () => {
      const policy = createRetryPolicy({ budget: 2_000, retryAfter: () => 60_000 })
      const fn = flaky(1, 'ok')
      await expect(policy.execute(fn)).rejects.toThrow('fetch failed')
      expect(fn).toHaveBeenCalledTimes(1)
    })
  })

  describe('events', () => {
    it('should schedule the delay before emitting onRetry so timers can be advanced from the listener', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      const timersSeen: number[] = []
      policy.onRetry(({ delay }) => {
        timersSeen.push(vi.getTimerCount())
        void vi.advanceTimersByTimeAsync(delay)
      })
      await expect(policy.execute(flaky(2, 'ok'))).resolves.toBe('ok')
      expect(timersSeen).toEqual([1, 1])
    })

    it('should report attempt, delay and error in onRetry', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      const events = recordRetries(policy)
      const run = policy.execute(flaky(2, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(events).toEqual([
        { attempt: 1, delay: 300, error: expect.any(TypeError) },
        { attempt: 2, delay: 600, error: expect.any(TypeError) },
      ])
    })

    it('should report attempts and duration (delays included) in onSuccess', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      const successes: unknown[] = []
      policy.onSuccess((event) => successes.push(event))
      const run = policy.execute(flaky(2, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(successes).toEqual([{ attempts: 3, durationMs: 900 }])
    })

    it('should stop calling a listener once unsubscribed', async () => {
      const policy = createRetryPolicy({ jitter: 'none' })
      const listener = vi.fn()
      const stop = policy.onRetry(listener)
      stop()
      stop()
      const run = policy.execute(flaky(1, 'ok'))
      await vi.runAllTimersAsync()
      await run
      expect(listener).not.toHaveBeenCalled()
    })

    it('should report a throwing listener on console.error and still retry', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const policy = createRetryPolicy({ jitter: 'none' })
      const boom = new Error('listener bug')
      policy.onRetry(() => {
        throw boom
      })
      const after = vi.fn()
      policy.onRetry(after)
      const run = policy.execute(flaky(1, 'ok'))
      await vi.runAllTimersAsync()
      await expect(run).resolves.toBe('ok')
      expect(after).toHaveBeenCalledTimes(1)
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('listener threw'), boom)
    })
  })

  describe('clock', () => {
    it('should wait on an injected clock and not on global timers', async () => {
      vi.useRealTimers()
      const scheduled: number[] = []
      const pending: Array<() => void> = []
      const clock: Clock = {
        now: () => 0,
        setTimeout: (fn, ms) => {
          scheduled.push(ms)
          pending.push(fn)
          return pending.length
        },
        clearTimeout: () => undefined,
      }
      const policy = createRetryPolicy({ clock, jitter: 'none' })
      const fn = flaky(1, 'ok')
      const run = policy.execute(fn)
      await vi.waitFor(() => expect(scheduled).toEqual([300]))
      expect(fn).toHaveBeenCalledTimes(1)
      pending[0]!()
      await expect(run).resolves.toBe('ok')
    })
  })

  describe('options', () => {
    it.each<[string, RetryPolicyOptions]>([
      ['maxAttempts', { maxAttempts: 0 }],
      ['maxAttempts', { maxAttempts: 1.5 }],
      ['initialDelay', { initialDelay: -1 }],
      ['factor', { factor: 0.5 }],
      ['maxDelay', { maxDelay: Number.NaN }],
      ['jitter', { jitter: 'wild' as JitterKind }],
      ['jitterRatio', { jitterRatio: 2 }],
      ['budget', { budget: -5 }],
      ['finite budget', { maxAttempts: Infinity }],
    ])('should reject an invalid %s with a CONFIGURATION error', (name, options) => {
      expectConfigurationError(() => createRetryPolicy(options), name)
    })
  })

  describe('properties', () => {
    const jitterKinds: JitterKind[] = ['none', 'proportional', 'full', 'decorrelated']
    const optionsArb = fc.record({
      maxAttempts: fc.integer({ min: 1, max: 6 }),
      initialDelay: fc.integer({ min: 0, max: 2_000 }),
      factor: fc.double({ min: 1, max: 4, noNaN: true }),
      maxDelay: fc.integer({ min: 0, max: 10_000 }),
      jitter: fc.constantFrom(...jitterKinds),
      jitterRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer(),
    })
    // Each step: fail with a retryable error, fail with a non-retryable one, or succeed.
    const scriptArb = fc.array(fc.constantFrom('retryable', 'fatal', 'ok'), {
      minLength: 1,
      maxLength: 8,
    })

    /** A clock whose timers fire on the next microtask, recording each delay. */
    function instantClock(delays: number[]): Clock {
      let now = 0
      return {
        now: () => now,
        setTimeout: (fn, ms) => {
          delays.push(ms)
          queueMicrotask(() => {
            now += ms
            fn()
          })
          return delays.length
        },
        clearTimeout: () => undefined,
      }
    }

    function bounds(
      options: {
        initialDelay: number
        factor: number
        maxDelay: number
        jitter: JitterKind
        jitterRatio: number
      },
      retry: number,
    ) {
      const base = Math.min(options.maxDelay, options.initialDelay * options.factor ** (retry - 1))
      switch (options.jitter) {
        case 'none':
          return [Math.round(base), Math.round(base)] as const
        case 'proportional':
          return [
            Math.floor(base * (1 - options.jitterRatio)),
            Math.min(options.maxDelay, Math.ceil(base * (1 + options.jitterRatio))),
          ] as const
        case 'full':
          return [0, Math.ceil(base)] as const
        case 'decorrelated':
          return [Math.min(options.initialDelay, options.maxDelay), options.maxDelay] as const
      }
    }

    it('should never call more than maxAttempts, keep every delay in bounds and end with the result or the last error', async () => {
      vi.useRealTimers()
      await fc.assert(
        fc.asyncProperty(optionsArb, scriptArb, async ({ seed, ...options }, script) => {
          const delays: number[] = []
          const policy = createRetryPolicy({
            ...options,
            random: createSeededRandom(seed),
            clock: instantClock(delays),
          })
          const thrown: unknown[] = []
          let calls = 0
          const outcome = await policy
            .execute(() => {
              const step = script[Math.min(calls, script.length - 1)]
              calls++
              if (step === 'ok') return `value-${calls}`
              const error = step === 'retryable' ? networkError() : notFound()
              thrown.push(error)
              throw error
            })
            .then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            )

          expect(calls).toBeLessThanOrEqual(options.maxAttempts)
          expect(delays).toHaveLength(calls - 1)
          delays.forEach((delay, i) => {
            const [low, high] = bounds(options, i + 1)
            expect(delay).toBeGreaterThanOrEqual(low)
            expect(delay).toBeLessThanOrEqual(high)
          })
          // The outcome the script dictates: first 'ok' wins, a 'fatal' or the last allowed attempt loses.
          let expectedCalls = 0
          let expectedOk = false
          for (let call = 1; call <= options.maxAttempts; call++) {
            expectedCalls = call
            const step = script[Math.min(call - 1, script.length - 1)]
            if (step === 'ok') expectedOk = true
            if (step !== 'retryable') break
          }
          expect(calls).toBe(expectedCalls)
          expect(outcome).toEqual(
            expectedOk ? { value: `value-${calls}` } : { error: thrown[thrown.length - 1] },
          )
          expect(thrown).toHaveLength(expectedOk ? calls - 1 : calls)
        }),
        { numRuns: 300 },
      )
    })
  })
})
