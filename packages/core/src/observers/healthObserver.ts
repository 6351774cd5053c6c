import type { BookingGuard } from '../guard'
import type { HealthCheckResult } from '../realtime/healthCheck'
import { ObserverStore } from './store'

/** What `observer.getSnapshot()` returns. */
export interface HealthSnapshot {
  /** The last finished health check, or `null` before the first. */
  readonly last: HealthCheckResult | null
  /** `last.ok`, or `null` before the first check. */
  readonly ok: boolean | null
  /** Whether a check asked for with `check()` is under way. */
  readonly checking: boolean
}

/** Options of {@link createHealthObserver}. */
export interface HealthObserverOptions {
  /** The guard whose synthetic health check runs. */
  guard: Pick<BookingGuard, 'runHealthCheck' | 'startHealthChecks'>
  /**
   * Runs the health check now and then every `intervalMs` milliseconds while the observer has
   * listeners (the guard keeps one schedule: the latest caller's). Defaults to none: checks run
   * on `check()` only.
   */
  intervalMs?: number
}

/** The last health check; see {@link createHealthObserver}. */
export interface HealthObserver {
  readonly getSnapshot: () => HealthSnapshot
  readonly getServerSnapshot: () => HealthSnapshot
  readonly subscribe: (onChange: () => void) => () => void
  /**
   * Runs a health check now (or joins the one under way). Rejects only when the guard cannot run
   * one at all (a `CONFIGURATION` error: no `realtime`); a failing check resolves with `ok: false`.
   */
  readonly check: () => Promise<HealthCheckResult>
}

class HealthObserverImpl extends ObserverStore<HealthSnapshot> implements HealthObserver {
  readonly #options: HealthObserverOptions
  #stop: (() => void) | undefined

  constructor(options: HealthObserverOptions) {
    super({ last: null, ok: null, checking: false })
    this.#options = options
  }

  readonly check = async (): Promise<HealthCheckResult> => {
    this.update({ checking: true })
    try {
      const result = await this.#options.guard.runHealthCheck()
      this.#result(result)
      return result
    } finally {
      if (this.getSnapshot().checking) this.update({ checking: false })
    }
  }

  protected override onStart(): void {
    const { guard, intervalMs } = this.#options
    if (intervalMs === undefined) return
    this.#stop = guard.startHealthChecks({ intervalMs, onResult: (result) => this.#result(result) })
  }

  protected override onStop(): void {
    this.#stop?.()
    this.#stop = undefined
  }

  #result(result: HealthCheckResult): void {
    this.update({ last: result, ok: result.ok, checking: false })
  }
}

/**
 * The guard's synthetic health check (a booking through the whole pipeline, verified and cleaned
 * up) as a snapshot (`useSyncExternalStore`-ready): the last result, on demand with `check()` or
 * on a schedule while subscribed with `intervalMs`. Creating one has no side effect.
 *
 * @example
 * ```ts
 * const health = createHealthObserver({ guard, intervalMs: 60_000 })
 * health.subscribe(() => setStatus(health.getSnapshot().ok))
 * ```
 */
export function createHealthObserver(options: HealthObserverOptions): HealthObserver {
  return new HealthObserverImpl(options)
}
