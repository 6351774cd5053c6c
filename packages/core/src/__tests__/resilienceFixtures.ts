// Shared pieces of the resilience and monitor tests: the failures they feed the policies, time
// held by vitest's fake timers, and the check that a factory refuses a bad option.
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { isBookingGuardError } from '../errors'

/** The instant the monitor and breaker tests start at. */
export const START = Date.parse('2026-01-01T00:00:00.000Z')

/** A retryable failure, as Node's fetch reports a reset connection. */
export const networkError = () =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  })

/** A non-retryable failure, shaped like the SDK's AppwriteException for a missing row. */
export const notFound = () =>
  Object.assign(new Error('Row with the requested ID could not be found.'), {
    name: 'AppwriteException',
    code: 404,
    type: 'row_not_found',
    response: '',
  })

/** Runs every test of the enclosing `describe` on vitest's fake timers, from `now` when given. */
export function useFakeTime(now?: number): void {
  beforeEach(() => {
    if (now === undefined) vi.useFakeTimers()
    else vi.useFakeTimers({ now })
  })
  afterEach(() => {
    vi.useRealTimers()
  })
}

/** Expects `create()` to throw a CONFIGURATION error whose message names `option`. */
export function expectConfigurationError(create: () => unknown, option: string): void {
  let caught: unknown
  try {
    create()
  } catch (error) {
    caught = error
  }
  expect(isBookingGuardError(caught, 'CONFIGURATION')).toBe(true)
  expect((caught as Error).message).toContain(option)
}
