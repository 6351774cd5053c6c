import { systemClock } from '../clock'
import type { Clock, TimerHandle } from '../clock'
import type { WatchdogState } from '../realtime/types'
import type { Watchdog } from '../realtime/watchdog'
import { ObserverStore } from './store'

/**
 * What a user is told about live updates: `online` (realtime proven by the watchdog's canary),
 * `reconnecting` (not proven yet, or a canary missed: the feeds poll meanwhile) or `offline`
 * (the subscription is dead).
 */
export type ConnectionState = 'online' | 'reconnecting' | 'offline'

/** What `observer.getSnapshot()` returns. */
export interface ConnectionSnapshot {
  /** The state to show, after the grace period. */
  readonly state: ConnectionState
  /** The watchdog's own state, without grace. */
  readonly watchdog: WatchdogState
}

/** Options of {@link createConnectionObserver}. */
export interface ConnectionObserverOptions {
  /** The watchdog to follow (`guard.createWatchdog()`); the observer's first listener starts it. */
  watchdog: Pick<Watchdog, 'getSnapshot' | 'subscribe'>
  /**
   * Milliseconds trouble must last before it is shown, so a resubscribe or a slow first canary
   * does not flash a banner. Recovery is shown at once. Defaults to `3_000`.
   */
  graceMs?: number
  /** Source of time for the grace period; give it the guard's clock. Defaults to the system clock. */
  clock?: Clock
}

/** The connection state to show; see {@link createConnectionObserver}. */
export interface ConnectionObserver {
  readonly getSnapshot: () => ConnectionSnapshot
  readonly getServerSnapshot: () => ConnectionSnapshot
  readonly subscribe: (onChange: () => void) => () => void
}

const shown = (state: WatchdogState): ConnectionState =>
  state === 'healthy' ? 'online' : state === 'dead' ? 'offline' : 'reconnecting'

class ConnectionObserverImpl
  extends ObserverStore<ConnectionSnapshot>
  implements ConnectionObserver
{
  readonly #watchdog: Pick<Watchdog, 'getSnapshot' | 'subscribe'>
  readonly #graceMs: number
  readonly #clock: Clock
  #off: (() => void) | undefined
  #grace: TimerHandle | undefined

  constructor(options: ConnectionObserverOptions) {
    // Optimistic until the grace period says otherwise, on the server too.
    super({ state: 'online', watchdog: options.watchdog.getSnapshot().state })
    this.#watchdog = options.watchdog
    this.#graceMs = options.graceMs ?? 3_000
    this.#clock = options.clock ?? systemClock
  }

  protected override onStart(): void {
    this.#off = this.#watchdog.subscribe(() => this.#sync())
    this.#sync()
  }

  protected override onStop(): void {
    this.#off?.()
    this.#off = undefined
    this.#clock.clearTimeout(this.#grace)
    this.#grace = undefined
  }

  #sync(): void {
    const watchdog = this.#watchdog.getSnapshot().state
    const current = this.getSnapshot()
    const state = shown(watchdog)
    if (state === 'online') {
      this.#clock.clearTimeout(this.#grace)
      this.#grace = undefined
    } else if (current.state === 'online') {
      // Trouble just began: show it only if it outlasts the grace period.
      this.#grace ??= this.#clock.setTimeout(() => {
        this.#grace = undefined
        this.update({ state: shown(this.#watchdog.getSnapshot().state) })
      }, this.#graceMs)
      if (current.watchdog !== watchdog) this.update({ watchdog })
      return
    }
    if (current.state !== state || current.watchdog !== watchdog) this.update({ state, watchdog })
  }
}

/**
 * The connection state a user should see, from a realtime watchdog: `online` while its canary
 * comes back, `reconnecting` while it is unproven or degraded, `offline` when dead; trouble is
 * shown only once it lasted `graceMs`, recovery at once. `useSyncExternalStore`-ready; the first
 * listener starts the watchdog, the last one stops it. Creating one has no side effect.
 *
 * @example
 * ```ts
 * const connection = createConnectionObserver({ watchdog: guard.createWatchdog(), graceMs: 3_000 })
 * connection.subscribe(() => setBanner(connection.getSnapshot().state))
 * ```
 */
export function createConnectionObserver(options: ConnectionObserverOptions): ConnectionObserver {
  return new ConnectionObserverImpl(options)
}
