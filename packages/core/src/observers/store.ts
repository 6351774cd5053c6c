import { reportListenerError } from '../resilience/emitter'

/**
 * The shape every observer shares with React's `useSyncExternalStore`: `subscribe` and
 * `getSnapshot` are bound (pass them as they are), `getServerSnapshot` is the snapshot the
 * observer started with, so a server render and the hydrating client agree.
 */
export interface ObserverLike<TSnapshot> {
  /** The current snapshot: immutable, the same object until something changes. */
  readonly getSnapshot: () => TSnapshot
  /** The snapshot the observer was created with, for server rendering and hydration. */
  readonly getServerSnapshot: () => TSnapshot
  /**
   * Calls `onChange` after every snapshot change. The first listener starts the observer's work
   * (subscriptions, timers), the last one to leave stops it. Returns an unsubscribe function.
   */
  readonly subscribe: (onChange: () => void) => () => void
}

/**
 * Minimal snapshot store behind every observer: one frozen snapshot replaced on change, listeners
 * isolated from each other (a throwing listener is reported, never rethrown), and work started by
 * the first listener and stopped by the last (TanStack's `Subscribable`, with bound methods so
 * React can take them unbound). Creating one has no side effect, so React may create and drop
 * observers freely (StrictMode, server rendering).
 *
 * @internal
 */
export class ObserverStore<TSnapshot extends object> implements ObserverLike<TSnapshot> {
  readonly #listeners = new Set<() => void>()
  readonly #initial: TSnapshot
  #snapshot: TSnapshot

  constructor(initial: TSnapshot) {
    this.#initial = Object.freeze(initial)
    this.#snapshot = this.#initial
  }

  readonly getSnapshot = (): TSnapshot => this.#snapshot

  readonly getServerSnapshot = (): TSnapshot => this.#initial

  readonly subscribe = (onChange: () => void): (() => void) => {
    // A fresh wrapper per call, so the same function subscribed twice counts twice.
    const listener = () => onChange()
    this.#listeners.add(listener)
    if (this.#listeners.size === 1) this.onStart()
    return () => {
      if (!this.#listeners.delete(listener)) return
      if (this.#listeners.size === 0) this.onStop()
    }
  }

  /** Whether anyone listens (the observer's work is running). */
  protected get active(): boolean {
    return this.#listeners.size > 0
  }

  /** Replaces the snapshot with `patch` applied and notifies the listeners. */
  protected update(patch: Partial<TSnapshot>): void {
    this.#snapshot = Object.freeze({ ...this.#snapshot, ...patch })
    for (const listener of [...this.#listeners]) {
      try {
        listener()
      } catch (error) {
        reportListenerError(error)
      }
    }
  }

  /** Runs when the first listener arrives. */
  protected onStart(): void {}

  /** Runs when the last listener leaves. */
  protected onStop(): void {}
}
