import { systemClock } from '../clock'
import type { Clock } from '../clock'
import { BookingGuardError } from '../errors'
import { SlidingWindow } from '../resilience/slidingWindow'
import type { ErrorMonitor } from './errorMonitor'

/** The pipeline rates with alert rules, from the incident write-up. */
export type PipelineRate =
  'chatRoomCreation' | 'notificationDelivery' | 'realtimeMatch' | 'healthCheckPass'

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Where breaches go, as `type: 'metric'` alerts. Without one, breaches only show in `snapshot()`. */
  monitor?: Pick<ErrorMonitor, 'alert'>
  /**
   * Lowest acceptable ratio per rate, in `[0, 1]`; below it the rate alerts. Defaults:
   * `chatRoomCreation` `0.95`, `notificationDelivery` `0.98`, `realtimeMatch` `0.95`,
   * `healthCheckPass` `1` (any failed health check).
   */
  thresholds?: Partial<Record<PipelineRate, number>>
  /**
   * Samples a rate needs inside the window before it may alert, so one failure at startup does
   * not page anyone. A number applies to every rate. Defaults: `20` for the three traffic rates,
   * `3` for `healthCheckPass` (health checks run on a schedule, so 20 would take too long).
   */
  minSamples?: number | Partial<Record<PipelineRate, number>>
  /** Sliding window for the rates, in milliseconds (60 buckets). Defaults to `900_000` (15 minutes). */
  window?: number
  /** Source of time for the window. Defaults to {@link systemClock}. */
  clock?: Clock
}

/** A success ratio over the sliding window, with its alert rule. */
export interface RateMetric {
  /** OpenTelemetry-style name, e.g. `booking_guard.chat_room.creation_rate`. */
  readonly name: string
  /** UCUM unit: `'1'` (a ratio in `[0, 1]`). */
  readonly unit: '1'
  /** Successes ÷ samples over the window; `undefined` when the window holds no sample. */
  readonly value: number | undefined
  /** Samples in the window. */
  readonly samples: number
  /** Failures in the window. */
  readonly failures: number
  /** Samples since creation. */
  readonly total: number
  /** Failures since creation. */
  readonly totalFailures: number
  /** Lowest acceptable value. */
  readonly threshold: number
  /** Samples needed before `breached` can be true. */
  readonly minSamples: number
  /** `samples >= minSamples && value < threshold`. */
  readonly breached: boolean
}

/** A monotonic count since creation (an OpenTelemetry counter). */
export interface CounterMetric {
  /** OpenTelemetry-style name. */
  readonly name: string
  /** UCUM annotation unit, e.g. `{retry}`. */
  readonly unit: string
  /** The count. */
  readonly value: number
}

/** A value that goes up and down (an OpenTelemetry up-down counter). */
export interface GaugeMetric {
  /** OpenTelemetry-style name. */
  readonly name: string
  /** UCUM annotation unit, e.g. `{booking}`. */
  readonly unit: string
  /** The current value. */
  readonly value: number
}

/** One metric as a flat point, ready for an exporter. */
export interface MetricPoint {
  /** OpenTelemetry-style name. */
  readonly name: string
  /** UCUM unit. */
  readonly unit: string
  /** `counter` (monotonic), `gauge` (up-down) or `ratio` (`undefined` value until sampled). */
  readonly kind: 'counter' | 'gauge' | 'ratio'
  /** The value. */
  readonly value: number | undefined
}

/** Every pipeline metric at one moment; frozen, replaced when something changes. */
export interface MetricsSnapshot {
  /** Epoch milliseconds the snapshot describes. */
  readonly takenAt: number
  /** The four alerting rates. */
  readonly rates: Readonly<Record<PipelineRate, RateMetric>>
  /** Monotonic counts since creation. */
  readonly counters: {
    /** `booking_guard.booking.attempts`: bookings started. */
    readonly bookingAttempts: CounterMetric
    /** `booking_guard.booking.completed`: bookings whose whole pipeline completed. */
    readonly bookingsCompleted: CounterMetric
    /** `booking_guard.booking.failed`: bookings that failed (and were compensated or left to the reconciler). */
    readonly bookingsFailed: CounterMetric
    /** `booking_guard.retry.count`: retries made by retry policies. */
    readonly retries: CounterMetric
    /** `booking_guard.circuit_breaker.openings`: times a circuit opened. */
    readonly breakerOpenings: CounterMetric
  }
  /** Values that go up and down. */
  readonly gauges: {
    /** `booking_guard.booking.at_risk`: bookings whose pipeline has not completed yet. */
    readonly bookingsAtRisk: GaugeMetric
  }
  /** Every metric above as a flat list, for exporters. */
  readonly points: readonly MetricPoint[]
}

const RATE_DEFINITIONS: Readonly<
  Record<PipelineRate, { name: string; label: string; threshold: number; minSamples: number }>
> = {
  chatRoomCreation: {
    name: 'booking_guard.chat_room.creation_rate',
    label: 'chat room creation rate',
    threshold: 0.95,
    minSamples: 20,
  },
  notificationDelivery: {
    name: 'booking_guard.notification.delivery_rate',
    label: 'notification delivery rate',
    threshold: 0.98,
    minSamples: 20,
  },
  realtimeMatch: {
    name: 'booking_guard.realtime.match_rate',
    label: 'realtime match rate',
    threshold: 0.95,
    minSamples: 20,
  },
  healthCheckPass: {
    name: 'booking_guard.health_check.pass_rate',
    label: 'health check pass rate',
    threshold: 1,
    minSamples: 3,
  },
}

const RATE_KEYS = Object.keys(RATE_DEFINITIONS) as PipelineRate[]
const BUCKETS = 60

interface RateState {
  readonly key: PipelineRate
  readonly window: SlidingWindow
  readonly threshold: number
  readonly minSamples: number
  total: number
  totalFailures: number
  alerting: boolean
}

/**
 * Pipeline counters and rates with the incident's alert rules. Create it with
 * {@link createMetrics} and feed it from the pipeline, the realtime feed, the health check and
 * the resilience policies.
 */
export class Metrics {
  readonly #monitor: Pick<ErrorMonitor, 'alert'> | undefined
  readonly #clock: Clock
  readonly #rates: Record<PipelineRate, RateState>
  readonly #bucketSize: number
  #bookingAttempts = 0
  #bookingsCompleted = 0
  #bookingsFailed = 0
  #retries = 0
  #breakerOpenings = 0
  #atRisk = 0
  #snapshot: MetricsSnapshot | undefined
  #snapshotSlot = NaN

  /** @internal Use {@link createMetrics}. */
  constructor(options: MetricsOptions = {}) {
    this.#monitor = options.monitor
    this.#clock = options.clock ?? systemClock
    const duration = options.window ?? 900_000
    const problems: string[] = []
    if (!(duration > 0 && Number.isFinite(duration)))
      problems.push(`window must be > 0 ms (got ${duration})`)
    const rates = {} as Record<PipelineRate, RateState>
    for (const key of RATE_KEYS) {
      const minSamples =
        (typeof options.minSamples === 'number' ? options.minSamples : options.minSamples?.[key]) ??
        RATE_DEFINITIONS[key].minSamples
      const threshold = options.thresholds?.[key] ?? RATE_DEFINITIONS[key].threshold
      if (!(threshold >= 0 && threshold <= 1))
        problems.push(`thresholds.${key} must be in [0, 1] (got ${threshold})`)
      if (!(Number.isInteger(minSamples) && minSamples >= 1)) {
        problems.push(`minSamples for ${key} must be an integer ≥ 1 (got ${minSamples})`)
      }
      rates[key] = {
        key,
        window: new SlidingWindow(duration > 0 ? duration : 900_000, BUCKETS),
        threshold,
        minSamples,
        total: 0,
        totalFailures: 0,
        alerting: false,
      }
    }
    if (problems.length > 0) {
      throw new BookingGuardError('CONFIGURATION', `createMetrics: ${problems.join('; ')}`)
    }
    this.#rates = rates
    this.#bucketSize = rates.chatRoomCreation.window.duration / BUCKETS
  }

  /** Records a booking that finished its pipeline (`ok`) or failed. Counts an attempt either way. */
  recordBooking(ok: boolean): void {
    this.#bookingAttempts++
    if (ok) this.#bookingsCompleted++
    else this.#bookingsFailed++
    this.#snapshot = undefined
  }

  /** Records whether the chat room for a booking was created. Feeds `chat_room.creation_rate` (alerts below 95%). */
  recordChatRoom(ok: boolean): void {
    this.#sample('chatRoomCreation', ok)
  }

  /** Records whether a provider notification was delivered. Feeds `notification.delivery_rate` (alerts below 98%). */
  recordNotification(ok: boolean): void {
    this.#sample('notificationDelivery', ok)
  }

  /**
   * Records whether a booking written to Appwrite reached its provider's realtime subscription.
   * Feeds `realtime.match_rate` (alerts below 95%).
   */
  recordRealtime(matched: boolean): void {
    this.#sample('realtimeMatch', matched)
  }

  /** Records a health check run. Feeds `health_check.pass_rate` (alerts below 100%). */
  recordHealthCheck(ok: boolean): void {
    this.#sample('healthCheckPass', ok)
  }

  /** Counts one retry (wire it to `retryPolicy.onRetry`). */
  recordRetry(): void {
    this.#retries++
    this.#snapshot = undefined
  }

  /** Counts one circuit opening (wire it to `circuitBreaker.onBreak`). */
  recordBreakerOpen(): void {
    this.#breakerOpenings++
    this.#snapshot = undefined
  }

  /**
   * Moves the bookings-at-risk gauge: `+1` when a booking's pipeline starts, `-1` when it
   * completes or is compensated. Not clamped, so a negative value reveals unbalanced calls.
   */
  bookingAtRisk(delta: number): void {
    if (!Number.isFinite(delta)) return
    this.#atRisk += delta
    this.#snapshot = undefined
  }

  /**
   * Every metric now, as a frozen object. The same object is returned until a record call or
   * the window moving on changes it, so it can feed React's `useSyncExternalStore`.
   */
  snapshot(): MetricsSnapshot {
    const now = this.#clock.now()
    const slot = Math.floor(now / this.#bucketSize)
    if (this.#snapshot !== undefined && slot === this.#snapshotSlot) return this.#snapshot
    this.#snapshotSlot = slot
    const rates = {} as Record<PipelineRate, RateMetric>
    for (const key of RATE_KEYS) rates[key] = this.#rateMetric(this.#rates[key], now)
    const counters = {
      bookingAttempts: counter(
        'booking_guard.booking.attempts',
        '{booking}',
        this.#bookingAttempts,
      ),
      bookingsCompleted: counter(
        'booking_guard.booking.completed',
        '{booking}',
        this.#bookingsCompleted,
      ),
      bookingsFailed: counter('booking_guard.booking.failed', '{booking}', this.#bookingsFailed),
      retries: counter('booking_guard.retry.count', '{retry}', this.#retries),
      breakerOpenings: counter(
        'booking_guard.circuit_breaker.openings',
        '{opening}',
        this.#breakerOpenings,
      ),
    }
    const gauges = {
      bookingsAtRisk: counter('booking_guard.booking.at_risk', '{booking}', this.#atRisk),
    }
    const points: MetricPoint[] = []
    for (const key of RATE_KEYS) {
      points.push(
        Object.freeze({ name: rates[key].name, unit: '1', kind: 'ratio', value: rates[key].value }),
      )
    }
    for (const c of Object.values(counters)) {
      points.push(Object.freeze({ name: c.name, unit: c.unit, kind: 'counter', value: c.value }))
    }
    points.push(
      Object.freeze({
        name: gauges.bookingsAtRisk.name,
        unit: gauges.bookingsAtRisk.unit,
        kind: 'gauge',
        value: this.#atRisk,
      }),
    )
    this.#snapshot = Object.freeze({
      takenAt: now,
      rates: Object.freeze(rates),
      counters: Object.freeze(counters),
      gauges: Object.freeze(gauges),
      points: Object.freeze(points),
    })
    return this.#snapshot
  }

  #sample(key: PipelineRate, ok: boolean): void {
    const state = this.#rates[key]
    const now = this.#clock.now()
    state.window.record(now, ok)
    state.total++
    if (!ok) state.totalFailures++
    this.#snapshot = undefined
    const metric = this.#rateMetric(state, now)
    if (!metric.breached) {
      state.alerting = false
      return
    }
    if (state.alerting) return
    state.alerting = true
    const definition = RATE_DEFINITIONS[key]
    const window = Math.round(state.window.duration / 60_000)
    this.#monitor?.alert({
      type: 'metric',
      metric: definition.name,
      value: metric.value!,
      threshold: state.threshold,
      samples: metric.samples,
      unit: '1',
      timestamp: now,
      message: `${definition.label} ${percent(metric.value!)} is below ${percent(state.threshold)} (${metric.failures} of ${metric.samples} failed in the last ${window} min)`,
    })
  }

  #rateMetric(state: RateState, now: number): RateMetric {
    state.window.sum(now)
    const samples = state.window.ok + state.window.failed
    const value = samples === 0 ? undefined : state.window.ok / samples
    return Object.freeze({
      name: RATE_DEFINITIONS[state.key].name,
      unit: '1',
      value,
      samples,
      failures: state.window.failed,
      total: state.total,
      totalFailures: state.totalFailures,
      threshold: state.threshold,
      minSamples: state.minSamples,
      breached: value !== undefined && samples >= state.minSamples && value < state.threshold,
    })
  }
}

/**
 * Creates {@link Metrics}: pipeline counters and success rates over a sliding window, with the
 * incident's alert rules (chat room creation < 95%, notification delivery < 98%, realtime match
 * < 95%, health check pass < 100%) raised through an error monitor once a rate has enough
 * samples. Names and units follow OpenTelemetry conventions (`booking_guard.*`, UCUM units).
 *
 * @example
 * ```ts
 * const monitor = createErrorMonitor()
 * const metrics = createMetrics({ monitor, thresholds: { notificationDelivery: 0.99 } })
 * policy.onRetry(() => metrics.recordRetry())
 * breaker.onBreak(() => metrics.recordBreakerOpen())
 * metrics.recordChatRoom(true)
 * console.log(metrics.snapshot().rates.chatRoomCreation.value) // 1
 * ```
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  return new Metrics(options)
}

function counter(name: string, unit: string, value: number): CounterMetric {
  return Object.freeze({ name, unit, value })
}

function percent(ratio: number): string {
  const value = ratio * 100
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`
}
