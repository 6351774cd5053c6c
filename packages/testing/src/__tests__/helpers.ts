// Helpers the fake's and the emulator's tests share.
import { expect } from 'vitest'
import type { AppwriteException } from '../fake/errors'

/**
 * The error `promise` rejects with, checked to be an `Error`; fails the test when the promise
 * resolves instead. `E` is the shape the test reads: the fake's `AppwriteException` by default.
 * (`T` lets the call's own type parameters be inferred from its arguments.)
 */
export async function rejection<E = AppwriteException, T = unknown>(
  promise: Promise<T>,
): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to reject')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return error as E
}

/** Lets queued microtasks (realtime delivery, lifecycle callbacks) run: ten turns of the queue. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}
