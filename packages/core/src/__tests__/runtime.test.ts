import * as fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock'
import { createCircuitBreaker, createRetryPolicy, createSchemaLock } from '../index'
import { wrap } from '../resilience/index'
import { BudgetExpired, CallBudget } from '../pipeline/budget'
import { formatIso, iso } from '../pipeline/format'
import type { PipelineRuntime } from '../pipeline/types'
import { remote } from '../pipeline/writes'
import { executeUnder } from '../resilience/wrap'
import { normalizeOwned } from '../schema/schemaLock'
import { networkError, useFakeTime } from './resilienceFixtures'

/** Just what `remote` reads of a runtime: the policy every request goes through. */
function runtimeWith(policy: PipelineRuntime['policy']): PipelineRuntime {
  return { policy, cleanupPolicy: policy } as PipelineRuntime
}

describe('runtime', () => {
  useFakeTime(0)

  describe('CallBudget', () => {
    it('should reject a request still in flight with BudgetExpired when the budget runs out', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      const rt = runtimeWith(wrap(createRetryPolicy(), createCircuitBreaker()))
      const settled = remote(rt, () => new Promise<never>(() => {}), budget).catch(
        (error: unknown) => error,
      )
      await vi.advanceTimersByTimeAsync(999)
      expect(budget.aborted).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      const error = await settled
      expect(error).toBeInstanceOf(BudgetExpired)
      expect(budget.timedOut).toBe(true)
      expect(budget.reason).toBe(error)
      budget.dispose()
    })

    it('should reject every request raced against it on abort, and leave settled ones alone', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      const hung = [0, 1, 2].map(() =>
        budget.race(new Promise<never>(() => {})).catch((error: unknown) => error),
      )
      const answered = budget.race(Promise.resolve('row'))
      await expect(answered).resolves.toBe('row')
      await vi.advanceTimersByTimeAsync(1_000)
      const errors = await Promise.all(hung)
      expect(errors.every((error) => error instanceof BudgetExpired)).toBe(true)
      expect(errors[1]).toBe(errors[0])
      // After the abort a request is refused at once; its own late failure is handled.
      const late = Promise.reject(new Error('late'))
      await expect(budget.race(late)).rejects.toBe(budget.reason)
      budget.dispose()
    })

    it('should follow the request when it settles first, even with a failure', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      const failure = networkError()
      await expect(budget.race(Promise.reject(failure))).rejects.toBe(failure)
      budget.dispose()
      expect(vi.getTimerCount()).toBe(0)
    })

    it('should build its AbortSignal on demand, aborted with the same reason', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      const early = budget.signal
      expect(early.aborted).toBe(false)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(early.aborted).toBe(true)
      expect(early.reason).toBeInstanceOf(BudgetExpired)
      const late = new CallBudget(systemClock, 1_000, AbortSignal.abort('stop'))
      expect(late.aborted).toBe(true)
      expect(late.signal.aborted).toBe(true)
      expect(late.signal.reason).toBe('stop')
      expect(late.timedOut).toBe(false)
      late.dispose()
      budget.dispose()
      expect(vi.getTimerCount()).toBe(0)
    })

    it("should follow the caller's signal, and let go of it once disposed", async () => {
      const caller = new AbortController()
      const budget = new CallBudget(systemClock, 1_000, caller.signal)
      const rt = runtimeWith(createRetryPolicy())
      const settled = remote(rt, () => new Promise<never>(() => {}), budget).catch(
        (error: unknown) => error,
      )
      caller.abort('user left')
      expect(await settled).toBe('user left')
      expect(budget.timedOut).toBe(false)
      budget.dispose()
      const later = new CallBudget(systemClock, 1_000, caller.signal)
      expect(later.reason).toBe('user left')
      later.dispose()
    })
  })

  describe('executeUnder', () => {
    it('should hand an attempt a real AbortSignal when it reads one', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      let seen: AbortSignal | undefined
      await executeUnder(
        wrap(createRetryPolicy(), createCircuitBreaker()),
        ({ signal, attempt }) => {
          seen = signal
          return attempt
        },
        budget,
      )
      expect(seen).toBe(budget.signal)
      budget.dispose()
    })

    it('should cancel a back-off delay when the budget runs out, without counting it against the breaker', async () => {
      const breaker = createCircuitBreaker({ breaker: { kind: 'consecutive', threshold: 2 } })
      const budget = new CallBudget(systemClock, 100)
      let attempts = 0
      const settled = executeUnder(
        wrap(createRetryPolicy({ initialDelay: 1_000, jitter: 'none' }), breaker),
        () => {
          attempts++
          return Promise.reject(networkError())
        },
        budget,
      ).catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(100)
      expect(await settled).toBeInstanceOf(BudgetExpired)
      expect(attempts).toBe(1)
      expect(breaker.toJSON()).toMatchObject({ state: 'closed', failures: 1 })
      budget.dispose()
      expect(vi.getTimerCount()).toBe(0)
    })

    it('should give any other policy the budget as an AbortSignal', async () => {
      const budget = new CallBudget(systemClock, 1_000)
      const execute = vi.fn(
        (
          fn: (context: { signal: AbortSignal; attempt: number }) => unknown,
          options?: {
            signal?: AbortSignal
          },
        ) => Promise.resolve(fn({ signal: options!.signal!, attempt: 1 })),
      )
      await expect(executeUnder({ execute } as never, () => 'done', budget)).resolves.toBe('done')
      expect(execute.mock.calls[0]![1]!.signal).toBe(budget.signal)
      budget.dispose()
    })
  })

  describe('iso', () => {
    const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

    it('should write what toISOString writes, for any millisecond from 1970 to 9999', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: LAST }), (ms) => {
          expect(formatIso(ms)).toBe(new Date(ms).toISOString())
        }),
        { numRuns: 5_000 },
      )
      const edges = [
        0,
        LAST,
        Date.UTC(2000, 1, 29, 23, 59, 59, 999), // a leap day of a 400-year leap year
        Date.UTC(2100, 1, 28, 12),
        Date.UTC(2100, 2, 1), // 2100 is not a leap year
        Date.UTC(2024, 11, 31, 23, 59, 59, 999),
        Date.UTC(2025, 0, 1),
      ]
      for (const ms of edges) expect(formatIso(ms)).toBe(new Date(ms).toISOString())
    })

    it('should answer like toISOString outside that range, and the same again from its memory', () => {
      for (const ms of [-1, -86_400_001, LAST + 1, 1.5, Date.UTC(2026, 0, 1)]) {
        expect(iso(ms)).toBe(new Date(ms).toISOString())
        expect(iso(ms)).toBe(new Date(ms).toISOString())
      }
    })
  })

  describe('normalizeOwned', () => {
    it('should hand back a canonical row itself, and normalize a row with a legacy alias', () => {
      const lock = createSchemaLock()
      const row = { $id: 'b1', providerId: 'p1', providerName: 'Budi', status: 'pending' }
      expect(normalizeOwned(lock, 'booking', row)).toBe(row)
      expect(normalizeOwned(lock, 'booking', row)).toEqual(lock.normalize('booking', row))
      const legacy = { $id: 'b2', therapistId: 'p2', providerName: 'Budi' }
      const normalized = normalizeOwned(lock, 'booking', legacy)
      expect(normalized).not.toBe(legacy)
      expect(normalized).toEqual(lock.normalize('booking', legacy))
      expect(normalized).toMatchObject({ providerId: 'p2' })
      expect(normalized).not.toHaveProperty('therapistId')
      // An alias that is present but null still goes through normalize (it is dropped there).
      const nullAlias = { $id: 'b3', providerId: 'p3', therapistId: null }
      expect(normalizeOwned(lock, 'booking', nullAlias)).toEqual({ $id: 'b3', providerId: 'p3' })
    })

    it('should always normalize when the lock validates reads', () => {
      const issues: unknown[] = []
      const lock = createSchemaLock({ validateReads: true, onIssue: (issue) => issues.push(issue) })
      const row = { $id: 'b1', providerId: 'p1', durationMinutes: 'sixty' }
      const normalized = normalizeOwned(lock, 'booking', row)
      expect(normalized).not.toBe(row)
      expect(normalized).toEqual(row)
      expect(issues).not.toHaveLength(0)
    })
  })
})
