import { systemClock } from '../clock'
import type { Clock, TimerHandle } from '../clock'
import type {
  CapturedError,
  ErrorMonitor,
  ErrorMonitorSnapshot,
  MonitorAlert,
} from '../monitor/errorMonitor'
import { ObserverStore } from './store'

/** What `observer.getSnapshot()` returns. */
export interface ErrorMonitorView {
  /** Counts by category and severity, dropped entries, rate: the monitor's own snapshot. */
  readonly stats: ErrorMonitorSnapshot
  /** The most recent captured errors, newest first. */
  readonly recent: readonly CapturedError[]
  /** `critical` + `error` captures per minute over the monitor's sliding window. */
  readonly errorRate: number
  /** The last alert raised since the observer started (or since `dismissAlert`), else `null`. */
  readonly alert: MonitorAlert | null
  /** Whether to show an alert: the error rate is at its threshold, or `alert` is set. */
  readonly alerting: boolean
}

/** Options of {@link createErrorMonitorObserver}. */
export interface ErrorMonitorObserverOptions {
  /** The monitor given to `createBookingGuard`. */
  monitor: Pick<ErrorMonitor, 'snapshot' | 'entries' | 'onCapture' | 'onAlert'>
  /** How many recent errors the view keeps. Defaults to `20`. */
  recent?: number
  /**
   * Milliseconds between re-reads of the error rate while subscribed: the rate falls as its
   * window moves on, with no capture to say so. `0` turns it off. Defaults to `5_000`.
   */
  refreshMs?: number
  /** Source of time for the re-reads; give it the monitor's clock. Defaults to the system clock. */
  clock?: Clock
}

/** An error monitor's counts, recent errors and alert state; see {@link createErrorMonitorObserver}. */
export interface ErrorMonitorObserver {
  readonly getSnapshot: () => ErrorMonitorView
  readonly getServerSnapshot: () => ErrorMonitorView
  readonly subscribe: (onChange: () => void) => () => void
  /** Clears `alert` (the rate alert stays until the rate falls below its threshold). */
  readonly dismissAlert: () => void
}

class ErrorMonitorObserverImpl
  extends ObserverStore<ErrorMonitorView>
  implements ErrorMonitorObserver
{
  readonly #options: ErrorMonitorObserverOptions
  readonly #clock: Clock
  #release: Array<() => void> = []
  #timer: TimerHandle | undefined
  #alert: MonitorAlert | null = null
  #queued = false

  constructor(options: ErrorMonitorObserverOptions) {
    const stats = options.monitor.snapshot()
    super({
      stats,
      recent: recentOf(options.monitor, options.recent ?? 20),
      errorRate: stats.ratePerMinute,
      alert: null,
      alerting: stats.rateAlerting,
    })
    this.#options = options
    this.#clock = options.clock ?? systemClock
  }

  readonly dismissAlert = (): void => {
    this.#alert = null
    this.#read()
  }

  protected override onStart(): void {
    const { monitor } = this.#options
    this.#release = [
      monitor.onCapture(() => this.#queue()),
      monitor.onAlert((alert) => {
        this.#alert = alert
        this.#queue()
      }),
    ]
    this.#read()
    this.#tick()
  }

  /** Reads on the next microtask, so a burst of captures becomes one update. */
  #queue(): void {
    if (this.#queued) return
    this.#queued = true
    void Promise.resolve().then(() => {
      this.#queued = false
      if (this.active) this.#read()
    })
  }

  protected override onStop(): void {
    for (const release of this.#release) release()
    this.#release = []
    this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #tick(): void {
    const every = this.#options.refreshMs ?? 5_000
    if (every <= 0) return
    this.#timer = this.#clock.setTimeout(() => {
      const before = this.getSnapshot().stats
      // The monitor hands out the same object until something (or the window) moved.
      if (this.#options.monitor.snapshot() !== before) this.#read()
      this.#tick()
    }, every)
  }

  #read(): void {
    const { monitor } = this.#options
    const stats = monitor.snapshot()
    this.update({
      stats,
      recent: recentOf(monitor, this.#options.recent ?? 20),
      errorRate: stats.ratePerMinute,
      alert: this.#alert,
      alerting: stats.rateAlerting || this.#alert !== null,
    })
  }
}

function recentOf(monitor: Pick<ErrorMonitor, 'entries'>, count: number): readonly CapturedError[] {
  return Object.freeze(monitor.entries().slice(-count).reverse())
}

/**
 * An error monitor as a snapshot (`useSyncExternalStore`-ready): counts, the recent errors
 * (newest first), the error rate per minute and the alert state, updated on every capture and
 * alert and re-read every `refreshMs` while subscribed (the rate decays with time). Creating one
 * has no side effect.
 *
 * @example
 * ```ts
 * const errors = createErrorMonitorObserver({ monitor })
 * errors.subscribe(() => {
 *   const { alerting, alert, errorRate } = errors.getSnapshot()
 *   if (alerting) showBanner(alert?.message ?? `${errorRate} errors/min`)
 * })
 * ```
 */
export function createErrorMonitorObserver(
  options: ErrorMonitorObserverOptions,
): ErrorMonitorObserver {
  return new ErrorMonitorObserverImpl(options)
}
