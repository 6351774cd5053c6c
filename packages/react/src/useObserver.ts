'use client'
import { useState, useSyncExternalStore } from 'react'
import type { ObserverLike } from '@booking-guard/core/observers'

/**
 * The observer for `key`, made once per key (react-query's `useState(() => new Observer())`):
 * a new key makes a new observer during render, which React allows for state derived from props.
 * Making one has no side effect, so StrictMode's extra renders are harmless.
 *
 * @internal
 */
export function useObserver<O>(create: () => O, key: readonly unknown[]): O {
  const [state, setState] = useState(() => ({ observer: create(), key }))
  if (key.some((part, i) => !Object.is(part, state.key[i]))) {
    const next = { observer: create(), key }
    setState(next)
    return next.observer
  }
  return state.observer
}

/** An observer's snapshot, with its initial snapshot on the server and while hydrating. @internal */
export function useSnapshot<S>(observer: ObserverLike<S>): S {
  return useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot)
}
