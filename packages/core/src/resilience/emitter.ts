/**
 * A listener list that isolates listeners from the code that emits: a listener that throws is
 * reported on `console.error` and the others still run, so a broken Sentry or Slack forwarder
 * can never fail a booking. Copy-on-write, so emitting allocates nothing.
 *
 * @internal
 */
export class Emitter<T> {
  #listeners: ReadonlyArray<(event: T) => void> = []

  /** Number of listeners; emitters check it to skip building events nobody reads. */
  get size(): number {
    return this.#listeners.length
  }

  /** Adds `listener`; returns a function that removes it (idempotent). */
  add(listener: (event: T) => void): () => void {
    this.#listeners = [...this.#listeners, listener]
    let added = true
    return () => {
      if (!added) return
      added = false
      const index = this.#listeners.indexOf(listener)
      if (index === -1) return
      this.#listeners = [...this.#listeners.slice(0, index), ...this.#listeners.slice(index + 1)]
    }
  }

  /** Calls every listener with `event`; a throwing listener is reported, never rethrown. */
  emit(event: T): void {
    const listeners = this.#listeners
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(event)
      } catch (error) {
        reportListenerError(error)
      }
    }
  }
}

/**
 * Where a throwing listener ends up: `console.error`, because rethrowing would break the caller
 * and dropping it would hide a bug.
 *
 * @internal
 */
export function reportListenerError(error: unknown): void {
  console.error('[booking-guard] an event listener threw; the operation continued:', error)
}
