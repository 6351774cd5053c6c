import { describe, expectTypeOf, it } from 'vitest'
import type { CircuitBreakerOptions, CircuitOpenState } from '../index'
import type { CircuitBreakerState, CircuitState } from '../resilience/index'
import { createCircuitBreaker, isCircuitOpenError } from '../index'

describe('circuitBreaker', () => {
  it('should expose the state as a string literal union', () => {
    expectTypeOf(createCircuitBreaker().state).toEqualTypeOf<CircuitState>()
    expectTypeOf<CircuitState>().toEqualTypeOf<'closed' | 'open' | 'halfOpen' | 'isolated'>()
  })

  it('should round-trip toJSON into initialState', () => {
    const saved = createCircuitBreaker().toJSON()
    expectTypeOf(saved).toEqualTypeOf<CircuitBreakerState>()
    createCircuitBreaker({ initialState: saved })
  })

  it('should narrow a CircuitOpenError with isCircuitOpenError', () => {
    const error: unknown = new Error('x')
    if (isCircuitOpenError(error)) {
      expectTypeOf(error.code).toEqualTypeOf<'CIRCUIT_OPEN'>()
      expectTypeOf(error.nextProbeAt).toEqualTypeOf<number | undefined>()
      expectTypeOf(error.state).toEqualTypeOf<CircuitOpenState>()
    }
  })

  it('should require a breaker kind', () => {
    expectTypeOf<NonNullable<CircuitBreakerOptions['breaker']>['kind']>().toEqualTypeOf<
      'consecutive' | 'sampling'
    >()
    createCircuitBreaker({ breaker: { kind: 'sampling', threshold: 0.5 } })
    // @ts-expect-error kind is required
    createCircuitBreaker({ breaker: { threshold: 5 } })
  })

  it('should return a release function from isolate', () => {
    expectTypeOf(createCircuitBreaker().isolate()).toEqualTypeOf<() => void>()
  })
})
