/**
 * Minimal observable base, after TanStack Query's `Subscribable`: `subscribe(listener)` returns
 * an unsubscribe function; subclasses start work in `onSubscribe` when the first listener arrives
 * and stop it in `onUnsubscribe` when the last one leaves.
 *
 * @internal
 */
export class Subscribable<TListener extends (...args: never[]) => unknown> {
  protected listeners = new Set<TListener>()

  subscribe(listener: TListener): () => void {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.onSubscribe()
    return () => {
      if (!this.listeners.delete(listener)) return
      if (this.listeners.size === 0) this.onUnsubscribe()
    }
  }

  hasListeners(): boolean {
    return this.listeners.size > 0
  }

  protected onSubscribe(): void {}

  protected onUnsubscribe(): void {}
}
