import { describe, expect, it, vi } from 'vitest'
import type { CircuitBreaker, CircuitBreakerOptions } from '../index'
import type { BreakEvent, CircuitBreakerState, StateChangeEvent } from '../resilience/index'
import {
  CircuitOpenError,
  createCircuitBreaker,
  isBookingGuardError,
  isCircuitOpenError,
} from '../index'
import {
  expectConfigurationError,
  networkError,
  notFound,
  START,
  useFakeTime,
} from './resilienceFixtures'

const fail = (breaker: CircuitBreaker, error: () => unknown = networkError) =>
  breaker.execute(() => Promise.reject(error())).catch((caught: unknown) => caught)

const succeed = (breaker: CircuitBreaker) => breaker.execute(async () => 'ok')

async function failTimes(breaker: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) await fail(breaker)
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('circuitBreaker', () => {
  useFakeTime(START)

  describe('consecutive breaker', () => {
    it('should open after 5 consecutive counted failures by default', async () => {
      const breaker = createCircuitBreaker()
      await failTimes(breaker, 4)
      expect(breaker.state).toBe('closed')
      await fail(breaker)
      expect(breaker.state).toBe('open')
    })

    it('should reset the count on success', async () => {
      const breaker = createCircuitBreaker()
      await failTimes(breaker, 4)
      await succeed(breaker)
      await failTimes(breaker, 4)
      expect(breaker.state).toBe('closed')
    })

    it('should not count non-retryable errors such as a missing row (404)', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } })
      for (let i = 0; i < 10; i++) await fail(breaker, notFound)
      expect(breaker.state).toBe('closed')
      await fail(breaker)
      await fail(breaker, notFound)
      await fail(breaker)
      expect(breaker.state).toBe('closed')
    })

    it('should use a custom isFailure', async () => {
      const breaker = createCircuitBreaker({
        breaker: { kind: 'consecutive', threshold: 1 },
        isFailure: () => true,
      })
      await fail(breaker, notFound)
      expect(breaker.state).toBe('open')
    })

    it('should pass through the value and the error of the call', async () => {
      const breaker = createCircuitBreaker()
      await expect(succeed(breaker)).resolves.toBe('ok')
      const error = notFound()
      await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error)
    })

    it('should hand fn the caller signal and attempt 1', async () => {
      const breaker = createCircuitBreaker()
      const controller = new AbortController()
      const context = await breaker.execute((c) => c, { signal: controller.signal })
      expect(context).toEqual({ signal: controller.signal, attempt: 1 })
    })
    it('should hand fn the attempt context it is given as options, as an outer policy passes it', async () => {
      const breaker = createCircuitBreaker()
      const outer = { signal: new AbortController().signal, attempt: 3 }
      await expect(breaker.execute((c) => c, outer)).resolves.toBe(outer)
    })

    it('should not count a failure once the signal of the outer attempt has aborted', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      const controller = new AbortController()
      const outer = { signal: controller.signal, attempt: 2 }
      const settled = breaker
        .execute(() => {
          controller.abort('gave up')
          return Promise.reject(networkError())
        }, outer)
        .catch((caught: unknown) => caught)
      expect(await settled).toBeInstanceOf(TypeError)
      expect(breaker.state).toBe('closed')
    })
  })

  describe('open', () => {
    it('should fail fast with a CircuitOpenError saying when the next probe is allowed', async () => {
      const breaker = createCircuitBreaker({ halfOpenAfter: 30_000 })
      await failTimes(breaker, 5)
      await vi.advanceTimersByTimeAsync(10_000)
      const fn = vi.fn(async () => 'never')
      const error = await breaker.execute(fn).catch((caught: unknown) => caught)
      expect(fn).not.toHaveBeenCalled()
      expect(isCircuitOpenError(error)).toBe(true)
      expect(error).toBeInstanceOf(CircuitOpenError)
      const open = error as CircuitOpenError
      expect(open.code).toBe('CIRCUIT_OPEN')
      expect(open.state).toBe('open')
      expect(open.nextProbeAt).toBe(START + 30_000)
      expect(open.message).toContain('after 5 consecutive failures')
      expect(open.message).toContain('2026-01-01T00:00:30.000Z')
      expect(open.message).toContain('in 20000 ms')
      expect(open.cause).toBeInstanceOf(TypeError)
      expect(breaker.nextProbeAt).toBe(START + 30_000)
    })

    it('should refuse with a typed error that captures no stack frames, and leave Error.stackTraceLimit as it was', async () => {
      const breaker = createCircuitBreaker({ halfOpenAfter: 30_000 })
      await failTimes(breaker, 5)
      const limit = Error.stackTraceLimit
      const error = (await fail(breaker)) as CircuitOpenError
      expect(Error.stackTraceLimit).toBe(limit)
      expect(isBookingGuardError(error, 'CIRCUIT_OPEN')).toBe(true)
      expect(error.name).toBe('CircuitOpenError')
      expect(error.stack).toBe(`CircuitOpenError: ${error.message}`)
      expect(error.cause).toBeInstanceOf(TypeError)
      expect((error.cause as Error).stack).toContain('    at ')
      const elsewhere = new CircuitOpenError('built by hand', { state: 'open', nextProbeAt: 0 })
      expect(elsewhere.stack).toContain('    at ')
    })

    it('should count down to the probe in every refusal and name the new probe time after reopening', async () => {
      const breaker = createCircuitBreaker({ halfOpenAfter: 30_000 })
      await failTimes(breaker, 5)
      await vi.advanceTimersByTimeAsync(1_000)
      const first = (await fail(breaker)) as CircuitOpenError
      await vi.advanceTimersByTimeAsync(1_000)
      const second = (await fail(breaker)) as CircuitOpenError
      expect(first.message).toContain('2026-01-01T00:00:30.000Z (in 29000 ms)')
      expect(second.message).toContain('2026-01-01T00:00:30.000Z (in 28000 ms)')
      await vi.advanceTimersByTimeAsync(28_000)
      await fail(breaker)
      const reopened = (await fail(breaker)) as CircuitOpenError
      expect(reopened.message).toContain('after its probe call failed')
      expect(reopened.message).toContain('2026-01-01T00:01:00.000Z (in 30000 ms)')
    })

    it('should emit onBreak and onStateChange when opening', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } })
      const breaks: BreakEvent[] = []
      const changes: StateChangeEvent[] = []
      breaker.onBreak((event) => breaks.push(event))
      breaker.onStateChange((event) => changes.push(event))
      await failTimes(breaker, 2)
      expect(breaks).toEqual([
        { isolated: false, error: expect.any(TypeError), nextProbeAt: START + 30_000 },
      ])
      expect(changes).toEqual([{ state: 'open', previous: 'closed' }])
      expect(breaker.lastFailure).toBeInstanceOf(TypeError)
    })

    it('should ignore the outcome of calls admitted before the circuit opened', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      const slow = deferred<string>()
      const slowCall = breaker.execute(() => slow.promise)
      await fail(breaker)
      expect(breaker.state).toBe('open')
      slow.resolve('late')
      await expect(slowCall).resolves.toBe('late')
      expect(breaker.state).toBe('open')
    })
  })

  describe('half-open', () => {
    async function openBreaker(options: CircuitBreakerOptions = {}) {
      const breaker = createCircuitBreaker({
        breaker: { kind: 'consecutive', threshold: 1 },
        halfOpenAfter: 30_000,
        ...options,
      })
      await fail(breaker)
      return breaker
    }

    it('should let one probe through after halfOpenAfter and close when it succeeds', async () => {
      const breaker = await openBreaker()
      const events: string[] = []
      breaker.onHalfOpen(() => events.push('halfOpen'))
      breaker.onReset(() => events.push('reset'))
      breaker.onStateChange(({ state, previous }) => events.push(`${previous}→${state}`))
      await vi.advanceTimersByTimeAsync(29_999)
      await expect(succeed(breaker)).rejects.toBeInstanceOf(CircuitOpenError)
      expect(breaker.state).toBe('open')
      await vi.advanceTimersByTimeAsync(1)
      await expect(succeed(breaker)).resolves.toBe('ok')
      expect(breaker.state).toBe('closed')
      expect(events).toEqual(['halfOpen', 'open→halfOpen', 'reset', 'halfOpen→closed'])
    })

    it('should reopen when the probe fails, with a new probe time', async () => {
      const breaker = await openBreaker()
      await vi.advanceTimersByTimeAsync(30_000)
      await fail(breaker)
      expect(breaker.state).toBe('open')
      expect(breaker.nextProbeAt).toBe(START + 60_000)
      const error = (await fail(breaker)) as CircuitOpenError
      expect(error.message).toContain('after its probe call failed')
    })

    it('should close when the probe fails with an error that does not count', async () => {
      const breaker = await openBreaker()
      await vi.advanceTimersByTimeAsync(30_000)
      await fail(breaker, notFound)
      expect(breaker.state).toBe('closed')
    })

    it('should let exactly one of two concurrent calls probe; the other fails fast', async () => {
      const breaker = await openBreaker()
      await vi.advanceTimersByTimeAsync(30_000)
      const probe = deferred<string>()
      const first = vi.fn(() => probe.promise)
      const second = vi.fn(async () => 'second')
      const firstCall = breaker.execute(first)
      const secondCall = breaker.execute(second)
      const secondError = await secondCall.catch((caught: unknown) => caught)
      expect(first).toHaveBeenCalledTimes(1)
      expect(second).not.toHaveBeenCalled()
      expect(secondError).toBeInstanceOf(CircuitOpenError)
      expect((secondError as CircuitOpenError).state).toBe('halfOpen')
      expect(breaker.state).toBe('halfOpen')
      probe.resolve('probed')
      await expect(firstCall).resolves.toBe('probed')
      expect(breaker.state).toBe('closed')
      await expect(breaker.execute(second)).resolves.toBe('second')
    })

    it('should replace a probe that never settles after another halfOpenAfter and ignore its late result', async () => {
      const breaker = await openBreaker()
      await vi.advanceTimersByTimeAsync(30_000)
      const stuck = deferred<string>()
      const stuckCall = breaker.execute(() => stuck.promise)
      await vi.advanceTimersByTimeAsync(29_999)
      await expect(succeed(breaker)).rejects.toBeInstanceOf(CircuitOpenError)
      await vi.advanceTimersByTimeAsync(1)
      await fail(breaker)
      expect(breaker.state).toBe('open')
      stuck.resolve('late')
      await stuckCall
      expect(breaker.state).toBe('open')
    })

    it('should free the probe slot when the caller aborts the probe', async () => {
      const breaker = await openBreaker()
      await vi.advanceTimersByTimeAsync(30_000)
      const controller = new AbortController()
      const aborted = breaker.execute(
        ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        { signal: controller.signal },
      )
      controller.abort(new Error('navigated away'))
      await expect(aborted).rejects.toThrow('navigated away')
      expect(breaker.state).toBe('halfOpen')
      await expect(succeed(breaker)).resolves.toBe('ok')
      expect(breaker.state).toBe('closed')
    })
  })

  describe('isolate', () => {
    it('should hold the circuit open until every handle is released', async () => {
      const breaker = createCircuitBreaker()
      const events: string[] = []
      breaker.onBreak(({ isolated }) => events.push(`break:${isolated}`))
      breaker.onReset(() => events.push('reset'))
      breaker.onStateChange(({ state, previous }) => events.push(`${previous}→${state}`))
      const releaseA = breaker.isolate()
      const releaseB = breaker.isolate()
      expect(breaker.state).toBe('isolated')
      const error = (await fail(breaker)) as CircuitOpenError
      expect(error).toBeInstanceOf(CircuitOpenError)
      expect(error.state).toBe('isolated')
      expect(error.nextProbeAt).toBeUndefined()
      releaseA()
      releaseA()
      expect(breaker.state).toBe('isolated')
      releaseB()
      expect(breaker.state).toBe('closed')
      await expect(succeed(breaker)).resolves.toBe('ok')
      expect(events).toEqual(['break:true', 'closed→isolated', 'reset', 'isolated→closed'])
    })

    it('should isolate an open circuit and close it on release', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      await fail(breaker)
      const release = breaker.isolate()
      await vi.advanceTimersByTimeAsync(60_000)
      expect(breaker.state).toBe('isolated')
      expect(breaker.nextProbeAt).toBeUndefined()
      release()
      expect(breaker.state).toBe('closed')
    })
  })

  describe('sampling breaker', () => {
    const sampling: CircuitBreakerOptions = {
      breaker: { kind: 'sampling', threshold: 0.5, duration: 10_000, minimumThroughput: 10 },
    }

    it('should not open below the minimum throughput', async () => {
      const breaker = createCircuitBreaker(sampling)
      await failTimes(breaker, 9)
      expect(breaker.state).toBe('closed')
      await fail(breaker)
      expect(breaker.state).toBe('open')
    })

    it('should open when the failure ratio reaches the threshold', async () => {
      const breaker = createCircuitBreaker(sampling)
      for (let i = 0; i < 6; i++) await succeed(breaker)
      await failTimes(breaker, 5)
      expect(breaker.state).toBe('closed')
      await fail(breaker)
      expect(breaker.state).toBe('open')
      const error = (await fail(breaker)) as CircuitOpenError
      expect(error.message).toContain('after 6 failures in 12 calls over 10000 ms')
    })

    it('should forget calls that left the window', async () => {
      const breaker = createCircuitBreaker(sampling)
      await failTimes(breaker, 9)
      await vi.advanceTimersByTimeAsync(10_000)
      await fail(breaker)
      expect(breaker.state).toBe('closed')
    })

    it('should start from an empty window after a successful probe', async () => {
      const breaker = createCircuitBreaker({ ...sampling, halfOpenAfter: 1_000 })
      await failTimes(breaker, 10)
      await vi.advanceTimersByTimeAsync(1_000)
      await succeed(breaker)
      expect(breaker.state).toBe('closed')
      await failTimes(breaker, 9)
      expect(breaker.state).toBe('closed')
    })
  })

  describe('toJSON / initialState', () => {
    const roundTrip = (state: CircuitBreakerState): CircuitBreakerState =>
      JSON.parse(JSON.stringify(state))

    it('should carry the consecutive failure count across a restart', async () => {
      const before = createCircuitBreaker()
      await failTimes(before, 4)
      const saved = roundTrip(before.toJSON())
      expect(saved).toEqual({ version: 1, state: 'closed', failures: 4 })
      const after = createCircuitBreaker({ initialState: saved })
      await fail(after)
      expect(after.state).toBe('open')
    })

    it('should carry an open circuit and its probe time across a restart', async () => {
      const before = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      await fail(before)
      const saved = roundTrip(before.toJSON())
      expect(saved).toMatchObject({ state: 'open', openedAt: START })
      await vi.advanceTimersByTimeAsync(10_000)
      const after = createCircuitBreaker({ initialState: saved })
      expect(after.state).toBe('open')
      const error = (await fail(after)) as CircuitOpenError
      expect(error.nextProbeAt).toBe(START + 30_000)
      await vi.advanceTimersByTimeAsync(20_000)
      await expect(succeed(after)).resolves.toBe('ok')
      expect(after.state).toBe('closed')
    })

    it('should save a half-open circuit as open with its probe due at once', async () => {
      const before = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      await fail(before)
      await vi.advanceTimersByTimeAsync(30_000)
      const probe = deferred<string>()
      void before.execute(() => probe.promise)
      expect(before.state).toBe('halfOpen')
      const after = createCircuitBreaker({ initialState: roundTrip(before.toJSON()) })
      expect(after.state).toBe('open')
      await expect(succeed(after)).resolves.toBe('ok')
      expect(after.state).toBe('closed')
      probe.resolve('done')
    })

    it('should not save isolation', () => {
      const breaker = createCircuitBreaker()
      breaker.isolate()
      expect(breaker.toJSON()).toEqual({ version: 1, state: 'closed', failures: 0 })
    })

    it('should carry a sampling window across a restart', async () => {
      const options: CircuitBreakerOptions = {
        breaker: { kind: 'sampling', threshold: 0.5, duration: 10_000, minimumThroughput: 4 },
      }
      const before = createCircuitBreaker(options)
      await failTimes(before, 3)
      const after = createCircuitBreaker({ ...options, initialState: roundTrip(before.toJSON()) })
      await fail(after)
      expect(after.state).toBe('open')
    })

    it('should reject a state that toJSON did not produce', () => {
      let caught: unknown
      try {
        createCircuitBreaker({
          initialState: { version: 2, state: 'closed' } as unknown as CircuitBreakerState,
        })
      } catch (error) {
        caught = error
      }
      expect(isBookingGuardError(caught, 'CONFIGURATION')).toBe(true)
      expect((caught as Error).message).toContain('initialState')
    })
  })

  describe('options and listeners', () => {
    it.each<[string, CircuitBreakerOptions]>([
      ['halfOpenAfter', { halfOpenAfter: -1 }],
      ['threshold', { breaker: { kind: 'consecutive', threshold: 0 } }],
      ['threshold', { breaker: { kind: 'sampling', threshold: 1.5 } }],
      ['duration', { breaker: { kind: 'sampling', duration: 0 } }],
      ['minimumThroughput', { breaker: { kind: 'sampling', minimumThroughput: 0 } }],
      ['kind', { breaker: { kind: 'other' } as unknown as CircuitBreakerOptions['breaker'] }],
    ])('should reject an invalid %s with a CONFIGURATION error', (name, options) => {
      expectConfigurationError(() => createCircuitBreaker(options), name)
    })

    it('should stop calling a listener once unsubscribed', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 1 } })
      const listener = vi.fn()
      const stop = breaker.onBreak(listener)
      stop()
      await fail(breaker)
      expect(listener).not.toHaveBeenCalled()
    })

    it('should use the name in messages', async () => {
      const breaker = createCircuitBreaker({
        name: 'push-sender',
        breaker: { kind: 'consecutive', threshold: 1 },
      })
      await fail(breaker)
      expect(((await fail(breaker)) as Error).message).toContain('"push-sender"')
    })
  })
})
